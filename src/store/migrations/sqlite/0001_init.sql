-- 0001 init: tenants, users, org hierarchy, customers, identities, merges, events.
-- SQLite keeps each table's rowid as its app-generated id (ids are unique
-- across tenants), so the rowid B-tree appends; every other key leads with
-- tenant_id. The PostgreSQL twin declares PRIMARY KEY (tenant_id, id).

CREATE TABLE tenants (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	time_zone TEXT NOT NULL,
	language TEXT NOT NULL,
	created_at INTEGER NOT NULL
);

CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	tenant_id INTEGER NOT NULL REFERENCES tenants(id),
	username TEXT NOT NULL,
	display_name TEXT,
	email TEXT,
	role TEXT NOT NULL,
	password_hash TEXT,
	created_at INTEGER NOT NULL,
	UNIQUE (tenant_id, username)
);

CREATE TABLE org_units (
	id INTEGER PRIMARY KEY,
	tenant_id INTEGER NOT NULL REFERENCES tenants(id),
	name TEXT NOT NULL,
	kind TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	UNIQUE (tenant_id, name)
);

-- member_kind: 1 = user (agent) in a unit, 2 = unit under a parent unit.
-- [valid_from, valid_to) intervals of one member never overlap.
CREATE TABLE org_memberships (
	id INTEGER PRIMARY KEY,
	tenant_id INTEGER NOT NULL,
	member_kind INTEGER NOT NULL,
	member_id INTEGER NOT NULL,
	unit_id INTEGER NOT NULL,
	valid_from INTEGER NOT NULL,
	valid_to INTEGER NOT NULL
);
CREATE INDEX org_memberships_member ON org_memberships (tenant_id, member_kind, member_id, valid_from);
CREATE INDEX org_memberships_unit ON org_memberships (tenant_id, unit_id, valid_from);

CREATE TABLE customers (
	id INTEGER PRIMARY KEY,
	tenant_id INTEGER NOT NULL,
	external_id TEXT,
	first_name TEXT,
	last_name TEXT,
	email TEXT,
	phone TEXT,
	language TEXT,
	country TEXT,
	attributes TEXT NOT NULL DEFAULT '{}',
	consent_email INTEGER NOT NULL DEFAULT 0,
	consent_sms INTEGER NOT NULL DEFAULT 0,
	consent_phone INTEGER NOT NULL DEFAULT 0,
	consent_whatsapp INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	merged_into INTEGER
);
CREATE UNIQUE INDEX customers_external_id ON customers (tenant_id, external_id);

CREATE TABLE identities (
	tenant_id INTEGER NOT NULL,
	kind TEXT NOT NULL,
	value TEXT NOT NULL,
	customer_id INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (tenant_id, kind, value)
) WITHOUT ROWID;
CREATE INDEX identities_customer ON identities (tenant_id, customer_id);

CREATE TABLE customer_merges (
	id INTEGER PRIMARY KEY,
	tenant_id INTEGER NOT NULL,
	survivor_id INTEGER NOT NULL,
	merged_id INTEGER NOT NULL,
	merged_snapshot TEXT NOT NULL,
	identities_moved INTEGER NOT NULL,
	events_moved INTEGER NOT NULL,
	actor TEXT,
	merged_at INTEGER NOT NULL
);
CREATE INDEX customer_merges_survivor ON customer_merges (tenant_id, survivor_id);

CREATE TABLE events (
	id INTEGER PRIMARY KEY,
	tenant_id INTEGER NOT NULL,
	source_id TEXT NOT NULL,
	customer_id INTEGER NOT NULL,
	type TEXT NOT NULL,
	channel TEXT NOT NULL,
	touchpoint TEXT,
	agent TEXT,
	org_unit_id INTEGER,
	ts INTEGER NOT NULL,
	amount_micros INTEGER,
	currency TEXT,
	properties TEXT NOT NULL DEFAULT '{}'
);
CREATE UNIQUE INDEX events_source_id ON events (tenant_id, source_id);
CREATE INDEX events_customer ON events (tenant_id, customer_id, ts);
