#!/bin/sh
# bench/metrics/check.sh QUERIES VECTORS - checks the interval arithmetic of
# the "overall" query of QUERIES (queries.sql in SQLite's dialect) against
# published NPS test vectors (CSV with the columns n, promoters, passives,
# detractors, ... lo95_adjwald, hi95_adjwald; the last two are read from the
# end of the line, since the case name may hold commas): for each case, a
# SQLite database with that many promoters (10), passives (8) and detractors
# (0) inside the query's window; the query must give the same counts, and
# NPS and both ends of the interval within 0.001 points. Prints how many
# cases it checked; fails on the first difference.
set -eu
QUERIES=$1
VECTORS=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
awk '/^-- name: overall/ { on = 1; next } /^-- name: / { on = 0 } on' "$QUERIES" >"$TMP/overall.sql"
[ -s "$TMP/overall.sql" ] || { echo "check: no overall query in $QUERIES" >&2; exit 1; }
tail -n +2 "$VECTORS" | tr -d '\r' | awk -F, '{ print $(NF-13), $(NF-12), $(NF-11), $(NF-10), $(NF-9), $(NF-1), $NF }' >"$TMP/cases"
cases=0
while read -r n p pa d nps lo hi; do
	rm -f "$TMP/v.db"
	sqlite3 "$TMP/v.db" "CREATE TABLE responses (ts TEXT, segment TEXT, channel TEXT, agent TEXT, nps INTEGER);
		WITH RECURSIVE i(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM i WHERE x < $n)
		INSERT INTO responses SELECT '2026-09-01 12:00:00', 'S01', 'web', 'A001',
		  CASE WHEN x <= $p THEN 10 WHEN x <= $p + $pa THEN 8 ELSE 0 END FROM i"
	got=$(sqlite3 -csv "$TMP/v.db" <"$TMP/overall.sql")
	echo "$got" | awk -F, -v n="$n" -v p="$p" -v pa="$pa" -v d="$d" -v nps="$nps" -v lo="$lo" -v hi="$hi" '
		function off(a, b) { return (a > b ? a - b : b - a) > 0.001 }
		$2 != n || $3 != p || $4 != pa || $5 != d || off($6, nps) || off($7, lo) || off($8, hi) {
			printf "check: %s/%s/%s of %s: got NPS %s [%s, %s], want %s [%s, %s]\n", p, pa, d, n, $6, $7, $8, nps, lo, hi > "/dev/stderr"
			exit 1
		}' || exit 1
	cases=$((cases + 1))
done <"$TMP/cases"
[ "$cases" -gt 0 ] || { echo "check: no cases in $VECTORS" >&2; exit 1; }
echo "$cases"
