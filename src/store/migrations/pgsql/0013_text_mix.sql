-- The emotion mix rollup (issue 6, docs/text.md "The emotion mix"): per
-- tenant, local day (days since 1970-01-01 in the tenant's time zone, as
-- the rollups), survey, dim (touchpoint, channel or theme) and value (a
-- touchpoint, a channel or a theme id; '' for none: a comment counts under
-- each of its themes), how many analysed comments, how many of them have
-- each label, each emotion and each reason. Kept in the same transaction
-- as each response's analysis (store.c); the migration counts the
-- responses already analysed (store.c, text_mix_backfill: a local day
-- needs the tenant's time zone).
CREATE TABLE text_mix (
	tenant_id BIGINT NOT NULL,
	dim TEXT NOT NULL,
	day BIGINT NOT NULL,
	survey_id BIGINT NOT NULL,
	value TEXT NOT NULL,
	comments BIGINT NOT NULL DEFAULT 0,
	positive BIGINT NOT NULL DEFAULT 0,
	neutral BIGINT NOT NULL DEFAULT 0,
	negative BIGINT NOT NULL DEFAULT 0,
	joy BIGINT NOT NULL DEFAULT 0,
	trust BIGINT NOT NULL DEFAULT 0,
	surprise BIGINT NOT NULL DEFAULT 0,
	anger BIGINT NOT NULL DEFAULT 0,
	frustration BIGINT NOT NULL DEFAULT 0,
	disappointment BIGINT NOT NULL DEFAULT 0,
	worry BIGINT NOT NULL DEFAULT 0,
	sadness BIGINT NOT NULL DEFAULT 0,
	price BIGINT NOT NULL DEFAULT 0,
	speed BIGINT NOT NULL DEFAULT 0,
	convenience BIGINT NOT NULL DEFAULT 0,
	quality BIGINT NOT NULL DEFAULT 0,
	staff BIGINT NOT NULL DEFAULT 0,
	reliability BIGINT NOT NULL DEFAULT 0,
	information BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (tenant_id, dim, day, survey_id, value)
);
