-- Triggers (issue: an event schedules an invitation). A trigger names the
-- event that fires it (type, optional channel, property equalities as a
-- canonical JSON object), the delay and the channel of the invitation.
CREATE TABLE triggers (
	tenant_id BIGINT NOT NULL,
	id BIGINT NOT NULL,
	name TEXT NOT NULL,
	survey_id BIGINT NOT NULL,
	event_type TEXT NOT NULL,
	event_channel TEXT,
	conditions TEXT NOT NULL,
	delay_seconds BIGINT NOT NULL,
	channel TEXT NOT NULL,
	active SMALLINT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, id)
);

-- One invitation a trigger scheduled for one event: pending until due_at,
-- then sent (invitation_id), skipped (reason) or failed. A scheduler claims
-- due rows by moving lease_until forward, so two nodes never take the same
-- row at once. One row per (trigger, event) at most.
CREATE TABLE scheduled_invitations (
	tenant_id BIGINT NOT NULL,
	id BIGINT NOT NULL,
	trigger_id BIGINT NOT NULL,
	survey_id BIGINT NOT NULL,
	customer_id BIGINT NOT NULL,
	event_id BIGINT NOT NULL,
	due_at BIGINT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'skipped', 'failed')),
	reason TEXT,
	invitation_id BIGINT,
	attempts INTEGER NOT NULL DEFAULT 0,
	lease_until BIGINT,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, trigger_id, event_id)
);
CREATE INDEX scheduled_due ON scheduled_invitations (due_at) WHERE status = 'pending';
CREATE INDEX scheduled_trigger ON scheduled_invitations (tenant_id, trigger_id, id);
