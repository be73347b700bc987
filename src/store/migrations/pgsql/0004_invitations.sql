-- Invitations to answer a survey (issue 4: links, later email) and the
-- per-tenant secret that signs their links.
CREATE TABLE invitations (
	tenant_id BIGINT NOT NULL,
	id BIGINT NOT NULL,
	survey_id BIGINT NOT NULL,
	customer_id BIGINT,
	channel TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('created', 'sent', 'delivered', 'opened', 'answered', 'failed')),
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	opened_at BIGINT,
	answered_at BIGINT,
	response_id BIGINT,
	PRIMARY KEY (tenant_id, id)
);
CREATE INDEX invitations_survey ON invitations (tenant_id, survey_id, created_at);
CREATE INDEX invitations_customer ON invitations (tenant_id, customer_id, created_at);

CREATE TABLE tenant_secrets (
	tenant_id BIGINT NOT NULL,
	name TEXT NOT NULL,
	secret TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, name)
);
