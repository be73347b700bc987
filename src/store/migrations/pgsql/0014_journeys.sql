-- Journeys (issue 7, docs/journeys.md). A journey's name is unique among
-- the tenant's active journeys (an archived one frees its name and slot).
-- slot (0..255) numbers the journey in the tags of customer sequences.
-- version is the newest definition; built_version what rollups and
-- progress describe (0: none yet); while built_version < version the build
-- (cxm_store_journey_build_step) walks customer_seq by customer id, up to
-- build_cursor so far, build_done of build_total customers.
CREATE TABLE journeys (
	tenant_id BIGINT NOT NULL,
	id BIGINT NOT NULL,
	slot BIGINT NOT NULL,
	name TEXT NOT NULL,
	status TEXT NOT NULL DEFAULT 'active',
	version BIGINT NOT NULL,
	built_version BIGINT NOT NULL DEFAULT 0,
	build_cursor BIGINT NOT NULL DEFAULT 0,
	build_done BIGINT NOT NULL DEFAULT 0,
	build_total BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX journeys_active_name ON journeys (tenant_id, name) WHERE status = 'active';
CREATE UNIQUE INDEX journeys_active_slot ON journeys (tenant_id, slot) WHERE status = 'active';
CREATE TABLE journey_versions (
	tenant_id BIGINT NOT NULL,
	journey_id BIGINT NOT NULL,
	version BIGINT NOT NULL,
	definition TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, journey_id, version)
);
-- The dictionary of the classes of events in sequences.
CREATE TABLE event_classes (
	tenant_id BIGINT NOT NULL,
	id BIGINT NOT NULL,
	type TEXT NOT NULL,
	channel TEXT NOT NULL,
	touchpoint TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, type, channel, touchpoint)
);
-- One row per customer with events: their events as (ts, class, tags)
-- entries, printable varints (src/store/journey_store.c); first_ts and
-- last_ts bound them; segment is the customer's "segment" attribute at
-- their latest event; segs the segment each journey (by slot) counts them
-- under, frozen at their first entry into it.
CREATE TABLE customer_seq (
	tenant_id BIGINT NOT NULL,
	customer_id BIGINT NOT NULL,
	n BIGINT NOT NULL,
	first_ts BIGINT NOT NULL,
	last_ts BIGINT NOT NULL,
	segment TEXT,
	segs TEXT NOT NULL DEFAULT '',
	data TEXT NOT NULL,
	PRIMARY KEY (tenant_id, customer_id)
);
-- Per journey version, local entry day, segment (the customer's, frozen at
-- their first entry; '' for none) and node: customers who entered and who
-- converted within the window; the histogram of their time to convert in
-- journey_times. Only segment rows are kept: the whole journey is their
-- sum. grain 0 rows are days; grain 1 rows months (day: the month's first
-- day), so a year reads a row per month but for the range's edges; each
-- change of a customer's state writes two rows per node.
CREATE TABLE journey_rollups (
	tenant_id BIGINT NOT NULL,
	journey_id BIGINT NOT NULL,
	version BIGINT NOT NULL,
	grain BIGINT NOT NULL,
	day BIGINT NOT NULL,
	value TEXT NOT NULL,
	node BIGINT NOT NULL,
	reached BIGINT NOT NULL DEFAULT 0,
	converted BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (tenant_id, journey_id, version, grain, day, value, node)
);
CREATE TABLE journey_times (
	tenant_id BIGINT NOT NULL,
	journey_id BIGINT NOT NULL,
	version BIGINT NOT NULL,
	grain BIGINT NOT NULL,
	day BIGINT NOT NULL,
	value TEXT NOT NULL,
	node BIGINT NOT NULL,
	bucket BIGINT NOT NULL,
	n BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (tenant_id, journey_id, version, grain, day, value, node, bucket)
);
