-- Settings of a tenant by name (issue 4: contact fatigue); values are text,
-- JSON where they are structured.
CREATE TABLE tenant_settings (
	tenant_id BIGINT NOT NULL,
	name TEXT NOT NULL,
	value TEXT NOT NULL,
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, name)
);
