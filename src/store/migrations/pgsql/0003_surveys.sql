-- Surveys, their versions and the responses to them (issue 4).
CREATE TABLE surveys (
	tenant_id BIGINT NOT NULL REFERENCES tenants (id),
	id BIGINT NOT NULL,
	name TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('draft', 'live', 'closed')),
	version INTEGER NOT NULL,
	is_default SMALLINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX surveys_name ON surveys (tenant_id, name);

-- Every version a survey had; a response keeps the version it answered.
CREATE TABLE survey_versions (
	tenant_id BIGINT NOT NULL,
	survey_id BIGINT NOT NULL,
	version INTEGER NOT NULL,
	definition JSONB NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, survey_id, version),
	FOREIGN KEY (tenant_id, survey_id) REFERENCES surveys (tenant_id, id)
);

CREATE TABLE responses (
	tenant_id BIGINT NOT NULL,
	id BIGINT NOT NULL,
	source_id TEXT NOT NULL,
	survey_id BIGINT NOT NULL,
	version INTEGER NOT NULL,
	customer_id BIGINT,
	channel TEXT NOT NULL,
	touchpoint TEXT,
	event_id BIGINT,
	agent TEXT,
	org_unit_id BIGINT,
	language TEXT,
	ts BIGINT NOT NULL,
	nps SMALLINT,
	csat SMALLINT,
	ces SMALLINT,
	comment TEXT,
	answers JSONB NOT NULL DEFAULT '{}',
	complete SMALLINT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX responses_source_id ON responses (tenant_id, source_id);
CREATE INDEX responses_survey ON responses (tenant_id, survey_id, ts);
CREATE INDEX responses_customer ON responses (tenant_id, customer_id, ts);
