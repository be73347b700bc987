-- Surveys, their versions and the responses to them (issue 4).
CREATE TABLE surveys (
	id INTEGER PRIMARY KEY,
	tenant_id INTEGER NOT NULL REFERENCES tenants (id),
	name TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('draft', 'live', 'closed')),
	version INTEGER NOT NULL,
	is_default INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX surveys_name ON surveys (tenant_id, name);

-- Every version a survey had; a response keeps the version it answered.
CREATE TABLE survey_versions (
	tenant_id INTEGER NOT NULL,
	survey_id INTEGER NOT NULL REFERENCES surveys (id),
	version INTEGER NOT NULL,
	definition TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (tenant_id, survey_id, version)
);

CREATE TABLE responses (
	id INTEGER PRIMARY KEY,
	tenant_id INTEGER NOT NULL,
	source_id TEXT NOT NULL,
	survey_id INTEGER NOT NULL,
	version INTEGER NOT NULL,
	customer_id INTEGER,
	channel TEXT NOT NULL,
	touchpoint TEXT,
	event_id INTEGER,
	agent TEXT,
	org_unit_id INTEGER,
	language TEXT,
	ts INTEGER NOT NULL,
	nps INTEGER,
	csat INTEGER,
	ces INTEGER,
	comment TEXT,
	answers TEXT NOT NULL DEFAULT '{}',
	complete INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX responses_source_id ON responses (tenant_id, source_id);
CREATE INDEX responses_survey ON responses (tenant_id, survey_id, ts);
CREATE INDEX responses_customer ON responses (tenant_id, customer_id, ts);
