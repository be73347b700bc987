-- bench/journey/funnel.sql - the 10-step funnel of docs/journeys.md
-- ("Funnels") in plain SQL, for the peers of the journey benchmark (DuckDB
-- and PostgreSQL run it as it is). run.sh replaces @FROM@ and @TO@ (the
-- range of entries, UTC microseconds, TO exclusive) and @W@ (the
-- conversion window in microseconds). Semantics, as cxm_funnel_* computes
-- them: a customer enters at their first step-1 event in [FROM, TO); step
-- k is the first event matching step k strictly after step k-1's and at
-- most W after step 1; time to convert is t10 - t1, percentile_disc.
-- Tables: events(id, customer_id, ts, type, channel, touchpoint) and
-- customers(id, segment), loaded from gen.c's CSV.

-- name: funnel
WITH e AS (
  SELECT e.customer_id, e.ts,
    (type = 'ad_click' AND channel = 'social') AS s1,
    (type = 'page_view' AND touchpoint = 'landing_page') AS s2,
    (type = 'page_view' AND touchpoint = 'search') AS s3,
    (type = 'page_view' AND touchpoint = 'category_page') AS s4,
    (type = 'page_view' AND touchpoint = 'product_page') AS s5,
    (type = 'page_view' AND touchpoint = 'cart') AS s6,
    (type = 'purchase' AND touchpoint = 'checkout') AS s7,
    (type = 'delivery' AND touchpoint = 'shipping_notice') AS s8,
    (type = 'delivery' AND touchpoint = 'delivered') AS s9,
    (type = 'call') AS s10
  FROM events e
  WHERE e.ts >= @FROM@ AND e.ts < @TO@ + @W@
    AND e.type IN ('ad_click', 'page_view', 'purchase', 'delivery', 'call')),
f1 AS (SELECT *, MIN(CASE WHEN s1 AND ts < @TO@ THEN ts END) OVER (PARTITION BY customer_id) AS t1 FROM e),
f2 AS (SELECT *, MIN(CASE WHEN s2 AND ts > t1 AND ts <= t1 + @W@ THEN ts END) OVER (PARTITION BY customer_id) AS t2 FROM f1 WHERE t1 IS NOT NULL),
f3 AS (SELECT *, MIN(CASE WHEN s3 AND ts > t2 AND ts <= t1 + @W@ THEN ts END) OVER (PARTITION BY customer_id) AS t3 FROM f2),
f4 AS (SELECT *, MIN(CASE WHEN s4 AND ts > t3 AND ts <= t1 + @W@ THEN ts END) OVER (PARTITION BY customer_id) AS t4 FROM f3),
f5 AS (SELECT *, MIN(CASE WHEN s5 AND ts > t4 AND ts <= t1 + @W@ THEN ts END) OVER (PARTITION BY customer_id) AS t5 FROM f4),
f6 AS (SELECT *, MIN(CASE WHEN s6 AND ts > t5 AND ts <= t1 + @W@ THEN ts END) OVER (PARTITION BY customer_id) AS t6 FROM f5),
f7 AS (SELECT *, MIN(CASE WHEN s7 AND ts > t6 AND ts <= t1 + @W@ THEN ts END) OVER (PARTITION BY customer_id) AS t7 FROM f6),
f8 AS (SELECT *, MIN(CASE WHEN s8 AND ts > t7 AND ts <= t1 + @W@ THEN ts END) OVER (PARTITION BY customer_id) AS t8 FROM f7),
f9 AS (SELECT *, MIN(CASE WHEN s9 AND ts > t8 AND ts <= t1 + @W@ THEN ts END) OVER (PARTITION BY customer_id) AS t9 FROM f8),
f10 AS (SELECT *, MIN(CASE WHEN s10 AND ts > t9 AND ts <= t1 + @W@ THEN ts END) OVER (PARTITION BY customer_id) AS t10 FROM f9),
c AS (SELECT DISTINCT customer_id, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10 FROM f10)
SELECT COUNT(t1), COUNT(t2), COUNT(t3), COUNT(t4), COUNT(t5),
  COUNT(t6), COUNT(t7), COUNT(t8), COUNT(t9), COUNT(t10),
  percentile_disc(0.5) WITHIN GROUP (ORDER BY t10 - t1) AS p50_us,
  percentile_disc(0.9) WITHIN GROUP (ORDER BY t10 - t1) AS p90_us
FROM c;

-- name: funnel_by_segment
WITH e AS (
  SELECT e.customer_id, e.ts, s.segment,
    (type = 'ad_click' AND channel = 'social') AS s1,
    (type = 'page_view' AND touchpoint = 'landing_page') AS s2,
    (type = 'page_view' AND touchpoint = 'search') AS s3,
    (type = 'page_view' AND touchpoint = 'category_page') AS s4,
    (type = 'page_view' AND touchpoint = 'product_page') AS s5,
    (type = 'page_view' AND touchpoint = 'cart') AS s6,
    (type = 'purchase' AND touchpoint = 'checkout') AS s7,
    (type = 'delivery' AND touchpoint = 'shipping_notice') AS s8,
    (type = 'delivery' AND touchpoint = 'delivered') AS s9,
    (type = 'call') AS s10
  FROM events e JOIN customers s ON s.id = e.customer_id
  WHERE e.ts >= @FROM@ AND e.ts < @TO@ + @W@
    AND e.type IN ('ad_click', 'page_view', 'purchase', 'delivery', 'call')),
f1 AS (SELECT *, MIN(CASE WHEN s1 AND ts < @TO@ THEN ts END) OVER (PARTITION BY customer_id) AS t1 FROM e),
f2 AS (SELECT *, MIN(CASE WHEN s2 AND ts > t1 AND ts <= t1 + @W@ THEN ts END) OVER (PARTITION BY customer_id) AS t2 FROM f1 WHERE t1 IS NOT NULL),
f3 AS (SELECT *, MIN(CASE WHEN s3 AND ts > t2 AND ts <= t1 + @W@ THEN ts END) OVER (PARTITION BY customer_id) AS t3 FROM f2),
f4 AS (SELECT *, MIN(CASE WHEN s4 AND ts > t3 AND ts <= t1 + @W@ THEN ts END) OVER (PARTITION BY customer_id) AS t4 FROM f3),
f5 AS (SELECT *, MIN(CASE WHEN s5 AND ts > t4 AND ts <= t1 + @W@ THEN ts END) OVER (PARTITION BY customer_id) AS t5 FROM f4),
f6 AS (SELECT *, MIN(CASE WHEN s6 AND ts > t5 AND ts <= t1 + @W@ THEN ts END) OVER (PARTITION BY customer_id) AS t6 FROM f5),
f7 AS (SELECT *, MIN(CASE WHEN s7 AND ts > t6 AND ts <= t1 + @W@ THEN ts END) OVER (PARTITION BY customer_id) AS t7 FROM f6),
f8 AS (SELECT *, MIN(CASE WHEN s8 AND ts > t7 AND ts <= t1 + @W@ THEN ts END) OVER (PARTITION BY customer_id) AS t8 FROM f7),
f9 AS (SELECT *, MIN(CASE WHEN s9 AND ts > t8 AND ts <= t1 + @W@ THEN ts END) OVER (PARTITION BY customer_id) AS t9 FROM f8),
f10 AS (SELECT *, MIN(CASE WHEN s10 AND ts > t9 AND ts <= t1 + @W@ THEN ts END) OVER (PARTITION BY customer_id) AS t10 FROM f9),
c AS (SELECT DISTINCT customer_id, segment, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10 FROM f10)
SELECT segment, COUNT(t1), COUNT(t2), COUNT(t3), COUNT(t4), COUNT(t5),
  COUNT(t6), COUNT(t7), COUNT(t8), COUNT(t9), COUNT(t10),
  percentile_disc(0.5) WITHIN GROUP (ORDER BY t10 - t1) AS p50_us,
  percentile_disc(0.9) WITHIN GROUP (ORDER BY t10 - t1) AS p90_us
FROM c
GROUP BY segment
ORDER BY segment;
