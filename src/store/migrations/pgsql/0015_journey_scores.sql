-- The journey map's rollups (issue 7, docs/surveys.md "Journey scores"):
-- no new table. rollups gains the dims touchpoint_segment and
-- touchpoint_segment@month (value: the customer's segment, "\x1f", the
-- response's touchpoint) and text_mix the dims touchpoint_segment (the
-- same value) and touchpoint_theme (value: touchpoint, "\x1f", a theme id,
-- '' for none). Kept with every response write (store.c); the migration
-- counts the responses already there (store.c, journey_dims_backfill: a
-- local day needs the tenant's time zone), from scratch.
DELETE FROM rollups WHERE dim IN ('touchpoint_segment', 'touchpoint_segment@month');
DELETE FROM text_mix WHERE dim IN ('touchpoint_segment', 'touchpoint_theme');
