-- Text on ingest (issue 6): each response's comment analysed when it is
-- written, in the same transaction (src/surveys/submit.c, src/text/ingest.c).
-- text_lang es/en/other, text_score the compound sentiment in ten-thousandths
-- (-10000..10000), text_label positive/neutral/negative, text_emotions and
-- text_reasons the names present, space-separated, themes the theme ids
-- matched, space-separated. All NULL for a response without a comment.
ALTER TABLE responses ADD COLUMN text_lang TEXT;
ALTER TABLE responses ADD COLUMN text_score INTEGER;
ALTER TABLE responses ADD COLUMN text_label TEXT;
ALTER TABLE responses ADD COLUMN text_emotions TEXT;
ALTER TABLE responses ADD COLUMN text_reasons TEXT;
ALTER TABLE responses ADD COLUMN themes TEXT;
-- One row per theme of a response, to filter verbatims by theme.
CREATE TABLE response_themes (
	tenant_id INTEGER NOT NULL,
	response_id INTEGER NOT NULL,
	theme TEXT NOT NULL,
	PRIMARY KEY (tenant_id, response_id, theme)
) WITHOUT ROWID;
-- The rollups gain dim theme (value: a theme id; a response with two themes
-- counts under both, one with none under '') and dim sentiment (value: the
-- label; '' without a comment), each with its @month rows. Responses stored
-- before this migration have no analysis yet: they count under ''.
DELETE FROM rollups WHERE dim IN ('theme', 'theme@month', 'sentiment', 'sentiment@month');
INSERT INTO rollups (tenant_id, dim, day, survey_id, value, responses, nps_n, promoters, passives, detractors,
	csat_n, csat_satisfied, csat_sum, csat_sumsq, ces_n, ces_easy, ces_sum, ces_sumsq)
SELECT tenant_id, CASE dim WHEN 'all' THEN 'theme' ELSE 'theme@month' END, day, survey_id, '', responses, nps_n,
	promoters, passives, detractors, csat_n, csat_satisfied, csat_sum, csat_sumsq, ces_n, ces_easy, ces_sum, ces_sumsq
FROM rollups WHERE dim IN ('all', 'all@month');
INSERT INTO rollups (tenant_id, dim, day, survey_id, value, responses, nps_n, promoters, passives, detractors,
	csat_n, csat_satisfied, csat_sum, csat_sumsq, ces_n, ces_easy, ces_sum, ces_sumsq)
SELECT tenant_id, CASE dim WHEN 'all' THEN 'sentiment' ELSE 'sentiment@month' END, day, survey_id, '', responses,
	nps_n, promoters, passives, detractors, csat_n, csat_satisfied, csat_sum, csat_sumsq, ces_n, ces_easy, ces_sum,
	ces_sumsq
FROM rollups WHERE dim IN ('all', 'all@month');
