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
# cxm has a column of its own in the table, "not built yet" until the
# metrics API exists. Adding it is one function, bench_cxm, in the style of
# the peers below: load $CSV into a fresh cxm database (segment as a
# customer attribute, channel and agent as the response's own fields, unit as
# its org unit; a bulk path is needed, since 10 million responses at the
# measured ~9,000 POST /api/v1/responses a second take about 20 minutes),
# start `cxm serve` on 127.0.0.1, time GET /api/v1/metrics/nps with the five
# from/to/by/interval combinations of queries.sql under the same protocol,
# and write $OUT/cxm.load, $OUT/cxm.times and $OUT/cxm.results in the same
# format; then add cxm to ENGINES. The table and the result check pick it up.
set -eu
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
SCALE=${SCALE:-1}
REPS=${REPS:-20}
BUDGET=${BUDGET:-10}
N=$(awk -v s="$SCALE" 'BEGIN { printf "%.0f", 10000000 * s }')
OUT=$ROOT/bench/out/metrics
CSV=$OUT/responses.csv
ENGINES="sqlite pg duckdb"
mkdir -p "$OUT"
PGDIR=""
trap '[ -n "$PGDIR" ] && sh tests/pg.sh stop "$PGDIR" >/dev/null 2>&1 || true' EXIT
die() { echo "metrics bench: $*" >&2; exit 1; }
[ "$N" -ge 1000 ] || die "SCALE=$SCALE leaves too few responses"
[ -f node_modules/@duckdb/node-api/package.json ] || die "@duckdb/node-api is missing (make npm)"

cc -O2 -Wall -Wextra -std=c11 -o "$OUT/gen" bench/metrics/gen.c -lm
cc -O2 -Wall -Wextra -std=c11 -I/usr/include/postgresql -o "$OUT/peer" bench/metrics/peer.c -lsqlite3 -lpq -lm
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

bench_sqlite() {
	echo "== SQLite" >&2
	"$OUT/peer" sqlite-load "$OUT/sqlite.db" "$CSV" >"$OUT/sqlite.load"
	"$OUT/peer" sqlite "$OUT/sqlite.db" "$OUT/sqlite.sql" "$REPS" "$BUDGET" "$OUT/sqlite.results" |
		tee "$OUT/sqlite.times" >&2
}

bench_pg() {
	echo "== PostgreSQL" >&2
	PGDIR=$(mktemp -d /tmp/cxm-bench-pg-XXXXXX)
	chmod 755 "$PGDIR"
	url=$(sh tests/pg.sh start "$PGDIR")
	t0=$(date +%s.%N)
	psql -q -v ON_ERROR_STOP=1 "$url" >&2 <<-EOF
		CREATE TABLE responses (id bigint PRIMARY KEY, ts timestamp NOT NULL, segment text NOT NULL,
		  channel text NOT NULL, agent text NOT NULL, unit text NOT NULL, nps smallint NOT NULL,
		  csat smallint, ces smallint);
		\\copy responses FROM '$CSV' WITH (FORMAT csv)
		CREATE INDEX responses_ts ON responses (ts);
		VACUUM ANALYZE responses;
	EOF
	awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", b - a }' >"$OUT/pg.load"
	"$OUT/peer" pg "$url" "$OUT/pg.sql" "$REPS" "$BUDGET" "$OUT/pg.results" | tee "$OUT/pg.times" >&2
	sh tests/pg.sh stop "$PGDIR" >/dev/null 2>&1
	PGDIR=""
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
# same A B: the same rows and texts, numbers within 0.0002 (the 4th decimal
# of an exact tie may round either way: C rounds half to even, JavaScript up)
same() {
	awk -F, 'NR == FNR { a[FNR] = $0; n = FNR; next }
	{
		if (FNR > n) exit 1
		k = split(a[FNR], x, ",")
		if (k != NF) exit 1
		for (i = 1; i <= NF; i++)
			if ($i != x[i] && !($i ~ /^-?[0-9.]+$/ && ($i - x[i]) ^ 2 < 4e-8)) exit 1
	}
	END { if (FNR != n) exit 1 }' "$1" "$2"
}
for e in $ENGINES; do
	same "$OUT/sqlite.results" "$OUT/$e.results" || {
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
	echo "the client, rows read. All engines answered the same to 4 decimals (last 3 months: $overall)."
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
	echo "| goal for cxm | target | measured |"
	echo "| --- | ---: | ---: |"
	echo "| each query, p50 | ≤ 10 ms | not built yet |"
	echo "| the whole overview, p50 | ≤ 50 ms | not built yet |"
	echo "| overview vs. DuckDB | ≥ 10× faster | not built yet |"
	echo
	echo "cxm's column is empty because its metrics API (issue 5) does not exist yet; the goals are"
	echo "what it has to meet once it does, through HTTP, against the engines' bare SQL measured here"
	echo "without any HTTP (adding the column is one function, \`bench_cxm\` in \`bench/metrics/run.sh\`,"
	echo "whose header says how it will load the same responses)."
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

DOC=docs/benchmarks.md
if grep -q '<!-- metrics:begin' "$DOC"; then
	awk -v table="$TABLE" '
		/<!-- metrics:begin/ { while ((getline line < table) > 0) print line; skip = 1; next }
		/<!-- metrics:end/ { skip = 0; next }
		!skip { print }' "$DOC" >"$OUT/benchmarks.md"
else
	{ cat "$DOC"; echo; cat "$TABLE"; } >"$OUT/benchmarks.md"
fi
mv "$OUT/benchmarks.md" "$DOC"
cat "$TABLE"
