-- bench/metrics/queries.sql - the overview query set, the same SQL on every
-- engine. bench/metrics/run.sh replaces @MONTH@ with the engine's fastest
-- way of grouping timestamps by month, and @MONTH_TEXT@ with its way of
-- writing such a month m as 'YYYY-MM'. Every query answers rows of
-- k, n, promoters, passives, detractors, nps, lo95, hi95: the NPS in points
-- and its 95% adjusted-Wald interval (Rocks 2016: 3/4 added to promoters and
-- to detractors, 3 to n), computed in SQL from the counts.
-- A line "-- name: X" starts query X; it runs to the next such line.

-- name: overall
-- NPS of the last 3 months
WITH c AS (SELECT 'all' AS k, COUNT(*) AS n, SUM(CASE WHEN nps >= 9 THEN 1 ELSE 0 END) AS p,
                 SUM(CASE WHEN nps <= 6 THEN 1 ELSE 0 END) AS d
           FROM responses WHERE ts >= '2026-08-01' AND ts < '2026-11-01'),
a AS (SELECT k, n, p, d, CAST(p + 0.75 AS DOUBLE PRECISION) / (n + 3) AS ap,
                  CAST(d + 0.75 AS DOUBLE PRECISION) / (n + 3) AS ad FROM c)
SELECT k, n, p AS promoters, n - p - d AS passives, d AS detractors,
       CAST(100 * (p - d) AS DOUBLE PRECISION) / n AS nps,
       100 * ((ap - ad) - 1.959964 * sqrt((ap + ad - (ap - ad) * (ap - ad)) / (n + 3))) AS lo95,
       100 * ((ap - ad) + 1.959964 * sqrt((ap + ad - (ap - ad) * (ap - ad)) / (n + 3))) AS hi95
FROM a ORDER BY k;

-- name: by_month
-- NPS by month over the 2 years (every response)
WITH m AS (SELECT @MONTH@ AS m, COUNT(*) AS n, SUM(CASE WHEN nps >= 9 THEN 1 ELSE 0 END) AS p,
                 SUM(CASE WHEN nps <= 6 THEN 1 ELSE 0 END) AS d
           FROM responses GROUP BY @MONTH@),
c AS (SELECT @MONTH_TEXT@ AS k, n, p, d FROM m),
a AS (SELECT k, n, p, d, CAST(p + 0.75 AS DOUBLE PRECISION) / (n + 3) AS ap,
                  CAST(d + 0.75 AS DOUBLE PRECISION) / (n + 3) AS ad FROM c)
SELECT k, n, p AS promoters, n - p - d AS passives, d AS detractors,
       CAST(100 * (p - d) AS DOUBLE PRECISION) / n AS nps,
       100 * ((ap - ad) - 1.959964 * sqrt((ap + ad - (ap - ad) * (ap - ad)) / (n + 3))) AS lo95,
       100 * ((ap - ad) + 1.959964 * sqrt((ap + ad - (ap - ad) * (ap - ad)) / (n + 3))) AS hi95
FROM a ORDER BY k;

-- name: by_segment
-- NPS by segment over the last 3 months
WITH c AS (SELECT segment AS k, COUNT(*) AS n, SUM(CASE WHEN nps >= 9 THEN 1 ELSE 0 END) AS p,
                 SUM(CASE WHEN nps <= 6 THEN 1 ELSE 0 END) AS d
           FROM responses WHERE ts >= '2026-08-01' AND ts < '2026-11-01' GROUP BY segment),
a AS (SELECT k, n, p, d, CAST(p + 0.75 AS DOUBLE PRECISION) / (n + 3) AS ap,
                  CAST(d + 0.75 AS DOUBLE PRECISION) / (n + 3) AS ad FROM c)
SELECT k, n, p AS promoters, n - p - d AS passives, d AS detractors,
       CAST(100 * (p - d) AS DOUBLE PRECISION) / n AS nps,
       100 * ((ap - ad) - 1.959964 * sqrt((ap + ad - (ap - ad) * (ap - ad)) / (n + 3))) AS lo95,
       100 * ((ap - ad) + 1.959964 * sqrt((ap + ad - (ap - ad) * (ap - ad)) / (n + 3))) AS hi95
FROM a ORDER BY k;

-- name: by_channel
-- NPS by channel over the last 3 months
WITH c AS (SELECT channel AS k, COUNT(*) AS n, SUM(CASE WHEN nps >= 9 THEN 1 ELSE 0 END) AS p,
                 SUM(CASE WHEN nps <= 6 THEN 1 ELSE 0 END) AS d
           FROM responses WHERE ts >= '2026-08-01' AND ts < '2026-11-01' GROUP BY channel),
a AS (SELECT k, n, p, d, CAST(p + 0.75 AS DOUBLE PRECISION) / (n + 3) AS ap,
                  CAST(d + 0.75 AS DOUBLE PRECISION) / (n + 3) AS ad FROM c)
SELECT k, n, p AS promoters, n - p - d AS passives, d AS detractors,
       CAST(100 * (p - d) AS DOUBLE PRECISION) / n AS nps,
       100 * ((ap - ad) - 1.959964 * sqrt((ap + ad - (ap - ad) * (ap - ad)) / (n + 3))) AS lo95,
       100 * ((ap - ad) + 1.959964 * sqrt((ap + ad - (ap - ad) * (ap - ad)) / (n + 3))) AS hi95
FROM a ORDER BY k;

-- name: by_agent
-- NPS by agent over the last 3 months
WITH c AS (SELECT agent AS k, COUNT(*) AS n, SUM(CASE WHEN nps >= 9 THEN 1 ELSE 0 END) AS p,
                 SUM(CASE WHEN nps <= 6 THEN 1 ELSE 0 END) AS d
           FROM responses WHERE ts >= '2026-08-01' AND ts < '2026-11-01' GROUP BY agent),
a AS (SELECT k, n, p, d, CAST(p + 0.75 AS DOUBLE PRECISION) / (n + 3) AS ap,
                  CAST(d + 0.75 AS DOUBLE PRECISION) / (n + 3) AS ad FROM c)
SELECT k, n, p AS promoters, n - p - d AS passives, d AS detractors,
       CAST(100 * (p - d) AS DOUBLE PRECISION) / n AS nps,
       100 * ((ap - ad) - 1.959964 * sqrt((ap + ad - (ap - ad) * (ap - ad)) / (n + 3))) AS lo95,
       100 * ((ap - ad) + 1.959964 * sqrt((ap + ad - (ap - ad) * (ap - ad)) / (n + 3))) AS hi95
FROM a ORDER BY k;
