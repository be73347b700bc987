-- Rollups (issue 5): the counts of responses per tenant, dimension, local
-- day (days since 1970-01-01 in the tenant's time zone), survey and
-- dimension value, kept in the same transaction as each response write
-- (store.c). dim is all (value ''), channel, touchpoint, agent, org_unit
-- (the unit id as text), language or segment; a response without a value
-- counts under ''. Each dimension also has month rows, dim 'DIM@month' with
-- day the month's first day, so a long range reads a row per month. The
-- key leads with (tenant, dim, day) so a dashboard's date range for one
-- breakdown is one range of the index.
-- A response keeps its customer's "segment" attribute as it was when the
-- response arrived, so breakdowns by segment do not move when it changes.
ALTER TABLE responses ADD COLUMN segment TEXT;
CREATE TABLE rollups (
	tenant_id BIGINT NOT NULL,
	dim TEXT NOT NULL,
	day BIGINT NOT NULL,
	survey_id BIGINT NOT NULL,
	value TEXT NOT NULL,
	responses BIGINT NOT NULL DEFAULT 0,
	nps_n BIGINT NOT NULL DEFAULT 0,
	promoters BIGINT NOT NULL DEFAULT 0,
	passives BIGINT NOT NULL DEFAULT 0,
	detractors BIGINT NOT NULL DEFAULT 0,
	csat_n BIGINT NOT NULL DEFAULT 0,
	csat_satisfied BIGINT NOT NULL DEFAULT 0,
	csat_sum BIGINT NOT NULL DEFAULT 0,
	csat_sumsq BIGINT NOT NULL DEFAULT 0,
	ces_n BIGINT NOT NULL DEFAULT 0,
	ces_easy BIGINT NOT NULL DEFAULT 0,
	ces_sum BIGINT NOT NULL DEFAULT 0,
	ces_sumsq BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (tenant_id, dim, day, survey_id, value)
);
