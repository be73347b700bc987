#!/bin/sh
# bench/metrics/run.sh - the dashboard's overview query set (NPS of the last
# 3 months; by month over 2 years; by segment, channel and agent over the
# last 3 months; each with its 95% interval) over 10 million generated
# responses, side by side in SQLite, PostgreSQL 15 and DuckDB, the same SQL
# (bench/metrics/queries.sql) on each. Each engine loads the same CSV once
# (bench/metrics/gen.c; the load is timed apart from the queries); each
# query runs twice to warm up, then REPS times or for BUDGET seconds,
# whichever ends first (at least 3 runs); p50 and p95 are reported. Every
# engine's answers must be the same to 4 decimals, or the run fails.
# Writes the table into docs/benchmarks.md. PostgreSQL runs on 127.0.0.1.
#
# Knobs: SCALE (fraction of 10 million responses, default 1; SCALE=0.05 is a
# quick run), REPS (20), BUDGET (10 seconds a query and engine).
#
# cxm's column goes through its HTTP API (bench_cxm): the same CSV becomes
# an org of 20 units with 200 agents, 20,000 customers with a segment
# attribute (1,000 a segment) and the responses, loaded with `cxm import
# customers` and `cxm import responses` (the load time is those two
# imports: one transaction each, rollups kept row by row); then `cxm serve`
# on 127.0.0.1 answers GET /api/v1/metrics/nps for the five queries, timed
# by bench/metrics/client.c (libcurl, one kept-alive connection) under the
# same protocol. cxm rounds its figures to 0.1 points, so its NPS and
# interval are checked to 0.05 and its counts exactly.
set -eu
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
SCALE=${SCALE:-1}
REPS=${REPS:-20}
BUDGET=${BUDGET:-10}
N=$(awk -v s="$SCALE" 'BEGIN { printf "%.0f", 10000000 * s }')
OUT=$ROOT/bench/out/metrics
CSV=$OUT/responses.csv
ENGINES=${ENGINES:-"cxm sqlite pg duckdb"}
PORT=${PORT:-18490}
mkdir -p "$OUT"
die() { echo "metrics bench: $*" >&2; exit 1; }
. bench/lib/common.sh
[ "$N" -ge 1000 ] || die "SCALE=$SCALE leaves too few responses"
[ -f node_modules/@duckdb/node-api/package.json ] || die "@duckdb/node-api is missing (make npm)"

cc -O2 -Wall -Wextra -std=c11 -o "$OUT/gen" bench/metrics/gen.c -lm
cc -O2 -Wall -Wextra -std=c11 -I/usr/include/postgresql -Ibench/lib -o "$OUT/peer" bench/metrics/peer.c bench/lib/timing.c \
	-lsqlite3 -lpq -lm
cc -O2 -Wall -Wextra -std=c11 -Ibench/lib -o "$OUT/client" bench/metrics/client.c bench/lib/harness.c \
	bench/lib/timing.c -lcurl -lcjson -lm
make -s cxm >&2
CXM=$ROOT/build/release/cxm
rm -f "$OUT"/*.load "$OUT"/*.times "$OUT"/*.results
echo "== generating $N responses" >&2
"$OUT/gen" "$N" >"$CSV"
MB=$(du -m "$CSV" | cut -f1)

# queries ENGINE MONTH MONTH_TEXT: queries.sql in ENGINE's dialect to $OUT/ENGINE.sql
queries() {
	sed -e "s/@MONTH@/$2/g" -e "s/@MONTH_TEXT@/$3/g" bench/metrics/queries.sql >"$OUT/$1.sql"
}
queries sqlite "substr(ts, 1, 7)" "m"
queries pg "date_trunc('month', ts)" "to_char(m, 'YYYY-MM')"
queries duckdb "date_trunc('month', ts)" "strftime(m, '%Y-%m')"

# The interval arithmetic against published NPS test vectors (evaluation
# data outside the repository: /work/shared/data/README.md).
VECTORS=${VECTORS:-$ROOT/../shared/data/nps/nps_test_vectors.csv}
if [ -f "$VECTORS" ]; then
	cases=$(sh bench/metrics/check.sh "$OUT/sqlite.sql" "$VECTORS")
	CHECKED="The interval arithmetic of the SQL gives the published NPS test vectors ($cases cases, adjusted Wald) to 0.001 points."
else
	CHECKED="The interval arithmetic was not checked in this run: no NPS test vectors at $VECTORS."
fi
echo "$CHECKED" >&2
LOADAVG=$(cut -d' ' -f1 /proc/loadavg)

bench_cxm() {
	echo "== cxm" >&2
	db=$OUT/cxm.db
	cxm_fresh "$db"
	"$CXM" survey import bench/metrics/survey.json >/dev/null 2>&1 || die "cxm survey import"
	for u in $(seq 1 20); do
		"$CXM" org add-unit "$(printf U%02d "$u")" --kind team --from 2024-01-01 >/dev/null 2>&1 || die "org add-unit $u"
	done
	for a in $(seq 1 200); do
		agent=$(printf a%03d "$a")
		"$CXM" user add "$agent" --role agent >/dev/null 2>&1 || die "user add $agent"
		"$CXM" org move --user "$agent" --to "$(printf U%02d $(((a - 1) / 10 + 1)))" --from 2024-01-01 \
			>/dev/null 2>&1 || die "org move $agent"
	done
	awk 'BEGIN { print "external_id,attr.segment"
		for (s = 1; s <= 20; s++) for (k = 0; k < 1000; k++) printf "c%02d-%d,S%02d\n", s, k, s }' >"$OUT/cxm-customers.csv"
	# id,ts,segment,channel,agent,unit,nps,csat,ces -> cxm's response columns;
	# the customer is one of its segment's 1,000; the agent's unit comes from the org
	awk -F, 'BEGIN { OFS = ","; print "id,survey,external_id,channel,ts,agent,nps,csat,ces" }
		{ sub(" ", "T", $2); print $1, "bench", "c" substr($3, 2) "-" ($1 % 1000), $4, $2 "Z", $5, $7, $8, $9 }' \
		"$CSV" >"$OUT/cxm-responses.csv"
	t0=$(date +%s.%N)
	"$CXM" import customers "$OUT/cxm-customers.csv" >&2
	"$CXM" import responses "$OUT/cxm-responses.csv" >&2
	seconds_since "$t0" >"$OUT/cxm.load"
	rm -f "$OUT/cxm-responses.csv"
	key=$("$CXM" key create --role analyst --name bench | tail -n 1)
	serve_start
	"$OUT/client" "http://127.0.0.1:$PORT" "$key" "$REPS" "$BUDGET" "$OUT/cxm.results" | tee "$OUT/cxm.times" >&2
	serve_stop
	unset CXM_DB
}

bench_sqlite() {
	echo "== SQLite" >&2
	"$OUT/peer" sqlite-load "$OUT/sqlite.db" "$CSV" >"$OUT/sqlite.load"
	"$OUT/peer" sqlite "$OUT/sqlite.db" "$OUT/sqlite.sql" "$REPS" "$BUDGET" "$OUT/sqlite.results" |
		tee "$OUT/sqlite.times" >&2
}

bench_pg() {
	echo "== PostgreSQL" >&2
	pg_start
	t0=$(date +%s.%N)
	psql -q -v ON_ERROR_STOP=1 "$PGURL" >&2 <<-EOF
		CREATE TABLE responses (id bigint PRIMARY KEY, ts timestamp NOT NULL, segment text NOT NULL,
		  channel text NOT NULL, agent text NOT NULL, unit text NOT NULL, nps smallint NOT NULL,
		  csat smallint, ces smallint);
		\\copy responses FROM '$CSV' WITH (FORMAT csv)
		CREATE INDEX responses_ts ON responses (ts);
		VACUUM ANALYZE responses;
	EOF
	seconds_since "$t0" >"$OUT/pg.load"
	"$OUT/peer" pg "$PGURL" "$OUT/pg.sql" "$REPS" "$BUDGET" "$OUT/pg.results" | tee "$OUT/pg.times" >&2
	pg_stop
}

bench_duckdb() {
	echo "== DuckDB" >&2
	node bench/metrics/duckdb.mjs load "$OUT/duckdb.db" "$CSV" >"$OUT/duckdb.load"
	node bench/metrics/duckdb.mjs query "$OUT/duckdb.db" "$OUT/duckdb.sql" "$REPS" "$BUDGET" \
		"$OUT/duckdb.results" | tee "$OUT/duckdb.times" >&2
}

for e in $ENGINES; do
	"bench_$e"
	echo "$e: loaded in $(cat "$OUT/$e.load") s" >&2
done
# same A B [TOL]: the same rows and texts, numbers within TOL (default 0.0002:
# the 4th decimal of an exact tie may round either way: C rounds half to
# even, JavaScript up); cxm's figures, rounded to 0.1, within 0.05
same() {
	awk -F, -v tol="${3:-0.0002}" 'NR == FNR { a[FNR] = $0; n = FNR; next }
	{
		if (FNR > n) exit 1
		k = split(a[FNR], x, ",")
		if (k != NF) exit 1
		for (i = 1; i <= NF; i++)
			if ($i != x[i] && !($i ~ /^-?[0-9.]+$/ && i > 5 && ($i - x[i]) ^ 2 <= tol * tol + 1e-9)) exit 1
	}
	END { if (FNR != n) exit 1 }' "$1" "$2"
}
for e in $ENGINES; do
	tol=0.0002
	[ "$e" = cxm ] && tol=0.05
	same "$OUT/sqlite.results" "$OUT/$e.results" "$tol" || {
		diff "$OUT/sqlite.results" "$OUT/$e.results" | head >&2
		die "$e answers differently from SQLite"
	}
done

# ---- the table ---------------------------------------------------------------
# cell ENGINE QUERY: "p50 / p95 ms" of QUERY, or "not built yet"
cell() {
	[ -f "$OUT/$1.times" ] || { echo "not built yet"; return; }
	awk -v q="$2" '$1 == q { printf "%s / %s", $2, $3 }' "$OUT/$1.times"
}
# total ENGINE: the five p50s and the five p95s summed
total() {
	[ -f "$OUT/$1.times" ] || { echo "not built yet"; return; }
	awk '{ a += $2; b += $3 } END { printf "**%.2f** / %.2f", a, b }' "$OUT/$1.times"
}
load() { [ -f "$OUT/$1.load" ] && echo "$(cat "$OUT/$1.load") s" || echo "not built yet"; }
# the goals: the slowest cxm p50, the overview's p50, and DuckDB's overview over cxm's
goal_max() {
	[ -f "$OUT/cxm.times" ] || { echo "not built yet"; return; }
	awk '$2 > m { m = $2; q = $1 } END { printf "%.2f ms (%s)", m, q }' "$OUT/cxm.times"
}
goal_sum() {
	[ -f "$OUT/cxm.times" ] || { echo "not built yet"; return; }
	awk '{ a += $2 } END { printf "%.2f ms", a }' "$OUT/cxm.times"
}
goal_ratio() {
	[ -f "$OUT/cxm.times" ] && [ -f "$OUT/duckdb.times" ] || { echo "not measured"; return; }
	awk 'NR == FNR { c += $2; next } { d += $2 } END { printf "%.0f×", d / c }' "$OUT/cxm.times" "$OUT/duckdb.times"
}
# verdict MEASURED LIMIT le|ge: met or **missed** (the number MEASURED starts with)
verdict() {
	awk -v m="$1" -v l="$2" -v op="$3" 'BEGIN {
		if (m !~ /^[0-9]/) { print ""; exit }
		v = m + 0
		print ((op == "le" && v <= l) || (op == "ge" && v >= l)) ? "met" : "**missed**"
	}'
}
rows() { awk -v q="-- $1" '$0 == q { on = 1; next } /^-- / { on = 0 } on { n++ } END { print n }' "$OUT/sqlite.results"; }
row() {
	label=$1 q=$2
	n=$(rows "$q")
	line="| $label ($n row$([ "$n" -eq 1 ] || echo s)) |"
	for e in cxm sqlite pg duckdb; do line="$line $(cell "$e" "$q") |"; done
	echo "$line"
}
overall=$(awk '/^-- overall/ { getline; print }' "$OUT/sqlite.results" | awk -F, '{ printf "NPS %.1f [%.1f, %.1f] over %d responses", $6, $7, $8, $2 }')
DUCKDB_VERSION=$(node -p "require('./node_modules/@duckdb/node-api/package.json').version")
TABLE=$OUT/table.md
{
	echo "<!-- metrics:begin (written by bench/metrics/run.sh) -->"
	echo "### Metrics: the overview query set over $N responses, one run on $(date -u +%Y-%m-%d)"
	echo
	echo "$N generated responses ($MB MB of CSV, \`bench/metrics/gen.c\`) from 2024-11-01 to"
	echo "2026-10-31: 20 segments, 9 channels, 200 agents in 20 units, seasonal volume, some units and"
	echo "agents better than others; NPS on every response, CSAT and CES on some. The five queries"
	echo "(\`bench/metrics/queries.sql\`, the same SQL on every engine but for how a month is written)"
	echo "each compute NPS and its 95% adjusted-Wald interval in SQL from the counts. Times are p50 / p95"
	echo "in milliseconds after two warm-up runs, $REPS runs or $BUDGET s per query, whichever ends first"
	echo "(at least 3; the counts are in bench/out/metrics/ENGINE.times), measured in"
	echo "the client, rows read. All engines answered the same: the SQL engines to 4 decimals, cxm (whose API rounds figures to 0.1) within 0.05 with exactly the same counts (last 3 months: $overall)."
	echo
	echo "| query | cxm (API) | SQLite | PostgreSQL 15 | DuckDB |"
	echo "| --- | ---: | ---: | ---: | ---: |"
	row "NPS, last 3 months" overall
	row "NPS by month, 2 years" by_month
	row "NPS by segment, last 3 months" by_segment
	row "NPS by channel, last 3 months" by_channel
	row "NPS by agent, last 3 months" by_agent
	echo "| **overview** (sum of the five p50s / p95s) | $(total cxm) | $(total sqlite) | $(total pg) | $(total duckdb) |"
	echo "| load, once (not in the times above) | $(load cxm) | $(load sqlite) | $(load pg) | $(load duckdb) |"
	echo
	echo "| goal for cxm | target | measured | |"
	echo "| --- | ---: | ---: | --- |"
	echo "| each query, p50 | ≤ 10 ms | $(goal_max) | $(verdict "$(goal_max)" 10 le) |"
	echo "| the whole overview, p50 | ≤ 50 ms | $(goal_sum) | $(verdict "$(goal_sum)" 50 le) |"
	echo "| overview vs. DuckDB | ≥ 10× faster | $(goal_ratio) | $(verdict "$(goal_ratio)" 10 ge) |"
	echo
	echo "cxm answers through HTTP (\`GET /api/v1/metrics/nps\`, timed in a libcurl client,"
	echo "\`bench/metrics/client.c\`, on one kept-alive connection), against the engines' bare SQL"
	echo "measured without any HTTP. Its figures come from the rollups kept in the same transaction"
	echo "as each response (docs/metrics.md), not from a scan; it rounds them to 0.1 points, so its"
	echo "NPS and intervals are checked to 0.05 and its counts exactly. Its load is \`cxm import"
	echo "customers\` (20,000 customers with a segment) and \`cxm import responses\` (one transaction,"
	echo "every row checked, its customer and its agent's unit resolved, its rollups kept), in"
	echo "process, into SQLite (WAL, synchronous=FULL): $(awk -v n="$N" -v s="$(cat "$OUT/cxm.load" 2>/dev/null || echo 0)" 'BEGIN { if (s > 0) printf "%.0f", n / s; else printf "?" }') responses/s. The 200 agents in 20 units are set up with the"
	echo "CLI before it, untimed."
	echo
	echo "The peers: SQLite 3 through its C library (\`bench/metrics/peer.c\`) on"
	echo "a plain table with an index on ts (ISO-8601 text), 256 MB page cache and mmap; PostgreSQL 15"
	echo "through libpq on a plain table with an index on ts, default settings of \`tests/pg.sh\`"
	echo "(durability off; up to 2 parallel workers); DuckDB through @duckdb/node-api $DUCKDB_VERSION"
	echo "embedded in node (\`bench/metrics/duckdb.mjs\`), no index. The SQLite and PostgreSQL loads"
	echo "include building the index; PostgreSQL's includes VACUUM ANALYZE. Only the by-month"
	echo "query reads every response; the others read the last 3 months. $(nproc) cores, shared with"
	echo "other work (load average $LOADAVG when the run started): compare within one run, not across runs."
	echo "$CHECKED"
	echo "<!-- metrics:end -->"
} >"$TABLE"

doc_section metrics "$TABLE"
