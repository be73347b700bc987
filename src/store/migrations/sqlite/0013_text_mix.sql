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
	tenant_id INTEGER NOT NULL,
	dim TEXT NOT NULL,
	day INTEGER NOT NULL,
	survey_id INTEGER NOT NULL,
	value TEXT NOT NULL,
	comments INTEGER NOT NULL DEFAULT 0,
	positive INTEGER NOT NULL DEFAULT 0,
	neutral INTEGER NOT NULL DEFAULT 0,
	negative INTEGER NOT NULL DEFAULT 0,
	joy INTEGER NOT NULL DEFAULT 0,
	trust INTEGER NOT NULL DEFAULT 0,
	surprise INTEGER NOT NULL DEFAULT 0,
	anger INTEGER NOT NULL DEFAULT 0,
	frustration INTEGER NOT NULL DEFAULT 0,
	disappointment INTEGER NOT NULL DEFAULT 0,
	worry INTEGER NOT NULL DEFAULT 0,
	sadness INTEGER NOT NULL DEFAULT 0,
	price INTEGER NOT NULL DEFAULT 0,
	speed INTEGER NOT NULL DEFAULT 0,
	convenience INTEGER NOT NULL DEFAULT 0,
	quality INTEGER NOT NULL DEFAULT 0,
	staff INTEGER NOT NULL DEFAULT 0,
	reliability INTEGER NOT NULL DEFAULT 0,
	information INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (tenant_id, dim, day, survey_id, value)
) WITHOUT ROWID;
