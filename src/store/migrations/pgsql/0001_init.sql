-- 0001 init: tenants, users, org hierarchy, customers, identities, merges, events.
-- Every key leads with tenant_id so tables can be hash-partitioned by it.

CREATE TABLE tenants (
	id BIGINT PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	time_zone TEXT NOT NULL,
	language TEXT NOT NULL,
	created_at BIGINT NOT NULL
);

CREATE TABLE users (
	tenant_id BIGINT NOT NULL REFERENCES tenants(id),
	id BIGINT NOT NULL,
	username TEXT NOT NULL,
	display_name TEXT,
	email TEXT,
	role TEXT NOT NULL,
	password_hash TEXT,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, username)
);

CREATE TABLE org_units (
	tenant_id BIGINT NOT NULL REFERENCES tenants(id),
	id BIGINT NOT NULL,
	name TEXT NOT NULL,
	kind TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, name)
);

-- member_kind: 1 = user (agent) in a unit, 2 = unit under a parent unit.
CREATE TABLE org_memberships (
	tenant_id BIGINT NOT NULL,
	id BIGINT NOT NULL,
	member_kind INTEGER NOT NULL,
	member_id BIGINT NOT NULL,
	unit_id BIGINT NOT NULL,
	valid_from BIGINT NOT NULL,
	valid_to BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, id),
	FOREIGN KEY (tenant_id, unit_id) REFERENCES org_units (tenant_id, id)
);
CREATE INDEX org_memberships_member ON org_memberships (tenant_id, member_kind, member_id, valid_from);
CREATE INDEX org_memberships_unit ON org_memberships (tenant_id, unit_id, valid_from);

CREATE TABLE customers (
	tenant_id BIGINT NOT NULL REFERENCES tenants(id),
	id BIGINT NOT NULL,
	external_id TEXT,
	first_name TEXT,
	last_name TEXT,
	email TEXT,
	phone TEXT,
	language TEXT,
	country TEXT,
	attributes JSONB NOT NULL DEFAULT '{}',
	consent_email SMALLINT NOT NULL DEFAULT 0,
	consent_sms SMALLINT NOT NULL DEFAULT 0,
	consent_phone SMALLINT NOT NULL DEFAULT 0,
	consent_whatsapp SMALLINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	merged_into BIGINT,
	PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX customers_external_id ON customers (tenant_id, external_id);

CREATE TABLE identities (
	tenant_id BIGINT NOT NULL,
	kind TEXT NOT NULL,
	value TEXT NOT NULL,
	customer_id BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, kind, value)
	-- no foreign key to customers: PostgreSQL plans the key check once per
	-- session, as a sequential scan while customers is still small, which
	-- made large imports quadratic; store.c writes both in one transaction.
);
CREATE INDEX identities_customer ON identities (tenant_id, customer_id);

CREATE TABLE customer_merges (
	tenant_id BIGINT NOT NULL,
	id BIGINT NOT NULL,
	survivor_id BIGINT NOT NULL,
	merged_id BIGINT NOT NULL,
	merged_snapshot JSONB NOT NULL,
	identities_moved BIGINT NOT NULL,
	events_moved BIGINT NOT NULL,
	actor TEXT,
	merged_at BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, id)
);
CREATE INDEX customer_merges_survivor ON customer_merges (tenant_id, survivor_id);

CREATE TABLE events (
	tenant_id BIGINT NOT NULL,
	id BIGINT NOT NULL,
	source_id TEXT NOT NULL,
	customer_id BIGINT NOT NULL,
	type TEXT NOT NULL,
	channel TEXT NOT NULL,
	touchpoint TEXT,
	agent TEXT,
	org_unit_id BIGINT,
	ts BIGINT NOT NULL,
	amount_micros BIGINT,
	currency TEXT,
	properties JSONB NOT NULL DEFAULT '{}',
	PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX events_source_id ON events (tenant_id, source_id);
CREATE INDEX events_customer ON events (tenant_id, customer_id, ts);
