-- Triggers (issue: an event schedules an invitation). A trigger names the
-- event that fires it (type, optional channel, property equalities as a
-- canonical JSON object), the delay and the channel of the invitation.
CREATE TABLE triggers (
	id INTEGER PRIMARY KEY,
	tenant_id INTEGER NOT NULL,
	name TEXT NOT NULL,
	survey_id INTEGER NOT NULL,
	event_type TEXT NOT NULL,
	event_channel TEXT,
	conditions TEXT NOT NULL,
	delay_seconds INTEGER NOT NULL,
	channel TEXT NOT NULL,
	active INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX triggers_tenant ON triggers (tenant_id, id);

-- One invitation a trigger scheduled for one event: pending until due_at,
-- then sent (invitation_id), skipped (reason) or failed. A scheduler claims
-- due rows by moving lease_until forward, so two nodes never take the same
-- row at once. One row per (trigger, event) at most.
CREATE TABLE scheduled_invitations (
	id INTEGER PRIMARY KEY,
	tenant_id INTEGER NOT NULL,
	trigger_id INTEGER NOT NULL,
	survey_id INTEGER NOT NULL,
	customer_id INTEGER NOT NULL,
	event_id INTEGER NOT NULL,
	due_at INTEGER NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'skipped', 'failed')),
	reason TEXT,
	invitation_id INTEGER,
	attempts INTEGER NOT NULL DEFAULT 0,
	lease_until INTEGER,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	UNIQUE (tenant_id, trigger_id, event_id)
);
CREATE INDEX scheduled_due ON scheduled_invitations (due_at) WHERE status = 'pending';
CREATE INDEX scheduled_trigger ON scheduled_invitations (tenant_id, trigger_id, id);
