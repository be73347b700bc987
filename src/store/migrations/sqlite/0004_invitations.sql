-- Invitations to answer a survey (issue 4: links, later email) and the
-- per-tenant secret that signs their links.
CREATE TABLE invitations (
	id INTEGER PRIMARY KEY,
	tenant_id INTEGER NOT NULL,
	survey_id INTEGER NOT NULL,
	customer_id INTEGER,
	channel TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('created', 'sent', 'delivered', 'opened', 'answered', 'failed')),
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	opened_at INTEGER,
	answered_at INTEGER,
	response_id INTEGER
);
CREATE INDEX invitations_survey ON invitations (tenant_id, survey_id, created_at);
CREATE INDEX invitations_customer ON invitations (tenant_id, customer_id, created_at);

CREATE TABLE tenant_secrets (
	tenant_id INTEGER NOT NULL,
	name TEXT NOT NULL,
	secret TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (tenant_id, name)
);
