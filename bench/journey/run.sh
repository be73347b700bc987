#!/bin/sh
# bench/journey/run.sh - the 10-step funnel of docs/journeys.md ("Funnels")
# over generated customers and events (bench/journey/gen.c: 1M customers,
# about 20M events by default), computed by each engine and timed with the
# protocol of bench/metrics: each engine loads the same CSV once (timed
# apart), each query runs twice to warm up, then REPS times or for BUDGET
# seconds, whichever ends first (at least 3 runs); p50 and p95 reported.
# Every engine's answers (reached counts per step, p50 and p90 of time to
# convert in microseconds, all and by segment) must be the same, exactly,
# or the run fails.
#
# Engines, a function each (bench_NAME; ENGINES picks and orders them):
#   engine  cxm's funnel code over the sorted sequences in memory, no store
#           and no HTTP (bench/journey/engine.c)
#   cxm     cxm itself: a fresh SQLite database, bench/journey/journey.json
#           defined (`cxm journey add`) before the data so tracking runs on
#           import, gen.c's CSV converted (bench/journey/tocxm.c, cached)
#           and loaded with `cxm import customers` and `cxm import events`
#           (the load time), then `cxm serve` on 127.0.0.1 asked through
#           HTTP by bench/journey/client.c: POST /api/v1/funnels (the same
#           steps, window and range), GET /api/v1/journeys/{id}/map for 2025
#           (all, and segment S01) and GET /api/v1/paths as engine.c's path
#           query (its answer must be engine.paths, exactly, when both ran)
#   duckdb  bench/journey/funnel.sql in DuckDB embedded in node
#           (bench/journey/duckdb.mjs), no index
#   pg      the same SQL in PostgreSQL 15 on 127.0.0.1 (tests/pg.sh), COPY,
#           an index on ts, timed by bench/metrics/peer.c
# The engine also times a path query (OUT/engine.paths has its answer).
# Each writes OUT/NAME.load (seconds), OUT/NAME.times ("query p50 p95 runs")
# and OUT/NAME.results (the answers); the table goes to OUT/table.md.
#
# Knobs: CUSTOMERS (1000000; gen.c's data is cached in OUT/data-CUSTOMERS),
# FROM and TO (the entries' range, UTC microseconds; default 2025-04-01 to
# 2025-07-01), W (the window, default 30 days), REPS (20), BUDGET (10 s).
set -eu
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
CUSTOMERS=${CUSTOMERS:-1000000}
FROM=${FROM:-1743465600000000}
TO=${TO:-1751328000000000}
W=${W:-2592000000000}
REPS=${REPS:-20}
BUDGET=${BUDGET:-10}
ENGINES=${ENGINES:-"engine cxm duckdb pg"}
PORT=${PORT:-18491}
OUT=$ROOT/bench/out/journey
DATA=$OUT/data-$CUSTOMERS
EVENTS=$DATA/events.csv
CUSTOMERS_CSV=$DATA/customers.csv
die() { echo "journey bench: $*" >&2; exit 1; }
. bench/lib/common.sh

mkdir -p "$OUT" "$DATA"
LIBS="-lsqlite3 -lcjson -lcsv -lmicrohttpd -lsodium -lcurl -lutf8proc -lstemmer -lpthread -lm $(pkg-config --libs libpq)"
make -s build/release/libcxm.a >&2
cc -O2 -Wall -Wextra -std=c11 -o "$OUT/gen" bench/journey/gen.c
cc -O2 -Wall -Wextra -std=c11 -D_GNU_SOURCE -Iinclude -Ibench/lib -o "$OUT/engine" bench/journey/engine.c \
	bench/lib/timing.c build/release/libcxm.a $LIBS
cc -O2 -Wall -Wextra -std=c11 -I/usr/include/postgresql -Ibench/lib -o "$OUT/peer" bench/metrics/peer.c bench/lib/timing.c \
	-lsqlite3 -lpq -lm
cc -O2 -Wall -Wextra -std=c11 -o "$OUT/tocxm" bench/journey/tocxm.c
cc -O2 -Wall -Wextra -std=c11 -Ibench/lib -o "$OUT/client" bench/journey/client.c bench/lib/harness.c \
	bench/lib/timing.c -lcurl -lcjson -lm
make -s cxm >&2
CXM=$ROOT/build/release/cxm
if [ ! -s "$EVENTS" ] || [ bench/journey/gen.c -nt "$EVENTS" ]; then
	echo "== generating $CUSTOMERS customers" >&2
	CUSTOMERS=$CUSTOMERS "$OUT/gen" "$DATA"
fi
NEVENTS=$(wc -l <"$EVENTS" | tr -d ' ')
MB=$(du -m "$EVENTS" | cut -f1)
sed -e "s/@FROM@/$FROM/g" -e "s/@TO@/$TO/g" -e "s/@W@/$W/g" bench/journey/funnel.sql >"$OUT/funnel.sql"
rm -f "$OUT"/*.load "$OUT"/*.times "$OUT"/*.results "$OUT"/*.paths "$OUT"/*.map
LOADAVG=$(cut -d' ' -f1 /proc/loadavg)

bench_engine() {
	echo "== cxm funnel code (engine.c)" >&2
	"$OUT/engine" "$EVENTS" "$CUSTOMERS_CSV" "$FROM" "$TO" "$W" "$REPS" "$BUDGET" "$OUT/engine.results" \
		"$OUT/engine.paths" |
		tee "$OUT/engine.times" >&2
	# the engine's load is in memory and untimed: not comparable with a database load
	echo "-" >"$OUT/engine.load"
}

bench_cxm() {
	echo "== cxm (store and HTTP)" >&2
	if [ ! -s "$DATA/cxm-events.csv" ] || [ "$EVENTS" -nt "$DATA/cxm-events.csv" ] ||
		[ bench/journey/tocxm.c -nt "$DATA/cxm-events.csv" ]; then
		"$OUT/tocxm" "$DATA" "$DATA"
	fi
	db=$OUT/cxm.db
	cxm_fresh "$db"
	journey=$("$CXM" journey add bench/journey/journey.json 2>/dev/null | head -n 1)
	[ -n "$journey" ] || die "cxm journey add"
	t0=$(date +%s.%N)
	"$CXM" import customers "$DATA/cxm-customers.csv" >&2 || die "cxm import customers"
	"$CXM" import events "$DATA/cxm-events.csv" >&2 || die "cxm import events"
	seconds_since "$t0" >"$OUT/cxm.load"
	n=$(sqlite3 "$db" "SELECT COUNT(*) FROM events")
	inseq=$(sqlite3 "$db" "SELECT (SELECT COALESCE(SUM(n), 0) FROM customer_seq)
		+ (SELECT COALESCE(SUM(n), 0) FROM customer_seq_tail)")
	[ "$n" -eq "$NEVENTS" ] && [ "$inseq" -eq "$n" ] || die "$n events stored, $inseq in sequences, of $NEVENTS"
	du -m "$db" | cut -f1 >"$OUT/cxm.mb"
	key=$("$CXM" key create --role analyst --name bench | tail -n 1)
	serve_start
	"$OUT/client" "http://127.0.0.1:$PORT" "$key" "$journey" "$FROM" "$TO" "$W" "$REPS" "$BUDGET" \
		"$OUT/cxm.results" "$OUT/cxm.paths" "$OUT/cxm.map" | tee "$OUT/cxm.times" >&2
	serve_stop
	unset CXM_DB
	if [ -f "$OUT/engine.paths" ]; then
		cmp -s "$OUT/engine.paths" "$OUT/cxm.paths" || {
			diff "$OUT/engine.paths" "$OUT/cxm.paths" | head >&2
			die "cxm's paths differ from the engine's"
		}
	fi
}

bench_duckdb() {
	echo "== DuckDB" >&2
	[ -f node_modules/@duckdb/node-api/package.json ] || die "@duckdb/node-api is missing (make npm)"
	node bench/journey/duckdb.mjs load "$OUT/duckdb.db" "$EVENTS" "$CUSTOMERS_CSV" >"$OUT/duckdb.load"
	node bench/journey/duckdb.mjs query "$OUT/duckdb.db" "$OUT/funnel.sql" "$REPS" "$BUDGET" \
		"$OUT/duckdb.results" | tee "$OUT/duckdb.times" >&2
	rm -f "$OUT/duckdb.db" "$OUT/duckdb.db.wal"
}

bench_pg() {
	echo "== PostgreSQL" >&2
	pg_start
	t0=$(date +%s.%N)
	psql -q -v ON_ERROR_STOP=1 "$PGURL" >&2 <<-EOF
		CREATE TABLE events (id bigint PRIMARY KEY, customer_id bigint NOT NULL, ts bigint NOT NULL,
		  type text NOT NULL, channel text NOT NULL, touchpoint text);
		CREATE TABLE customers (id bigint PRIMARY KEY, segment text NOT NULL);
		\\copy events FROM '$EVENTS' WITH (FORMAT csv)
		\\copy customers FROM '$CUSTOMERS_CSV' WITH (FORMAT csv)
		CREATE INDEX events_ts ON events (ts);
		VACUUM ANALYZE events;
		VACUUM ANALYZE customers;
	EOF
	seconds_since "$t0" >"$OUT/pg.load"
	"$OUT/peer" pg "$PGURL" "$OUT/funnel.sql" "$REPS" "$BUDGET" "$OUT/pg.results" | tee "$OUT/pg.times" >&2
	pg_stop
}

for e in $ENGINES; do
	"bench_$e"
done

# the answers: every engine's exactly the first one's
REF=""
for e in $ENGINES; do
	if [ -z "$REF" ]; then
		REF=$e
		continue
	fi
	cmp -s "$OUT/$REF.results" "$OUT/$e.results" || {
		diff "$OUT/$REF.results" "$OUT/$e.results" | head >&2
		die "$e answers differently from $REF"
	}
done

# ---- the table ---------------------------------------------------------------
cell() {
	[ -f "$OUT/$1.times" ] || { echo "not run"; return; }
	awk -v q="$2" '$1 == q { printf "%s / %s", $2, $3 }' "$OUT/$1.times"
}
load() { [ -f "$OUT/$1.load" ] && [ "$(cat "$OUT/$1.load")" != "-" ] && echo "$(cat "$OUT/$1.load") s" || echo "-"; }
# ratio A B QUERY: B's p50 over A's, "4.2×"
ratio() {
	[ -f "$OUT/$1.times" ] && [ -f "$OUT/$2.times" ] || { echo "-"; return; }
	awk -v q="$3" '$1 == q { v[FILENAME] = $2 } END { for (f in v) n++; if (n == 2) printf "%.1f×", v[B] / v[A]; else printf "-" }' \
		A="$OUT/$1.times" B="$OUT/$2.times" "$OUT/$1.times" "$OUT/$2.times"
}
# the slowest p50 of cxm's QUERIES (ms), or nothing
worst() {
	[ -f "$OUT/cxm.times" ] || return 0
	awk -v qs=" $* " 'index(qs, " " $1 " ") && $2 > m { m = $2; q = $1 } END { if (q != "") printf "%.2f ms (%s)", m, q }' \
		"$OUT/cxm.times"
}
verdict() {
	awk -v m="$1" -v l="$2" 'BEGIN { if (m !~ /^[0-9]/) { print "not run"; exit }
		print (m + 0 <= l) ? "met" : "**missed**" }'
}
reached=$(awk '/^-- funnel$/ { getline; print }' "$OUT/$REF.results" |
	awk -F, '{ printf "%s entered, %s converted (p50 %.1f days)", $1, $10, $11 / 86400e6 }')
has() { case " $ENGINES " in *" $1 "*) return 0 ;; esac; return 1; }
DUCKDB_VERSION=$(node -p "require('./node_modules/@duckdb/node-api/package.json').version" 2>/dev/null || echo "?")
MAP_GOAL=$(worst map map_segment)
FUNNEL_GOAL=$(worst funnel funnel_by_segment)
{
	echo "<!-- journey:begin (written by bench/journey/run.sh) -->"
	echo "### Journeys: a 10-step funnel over $NEVENTS events of $CUSTOMERS customers, one run on $(date -u +%Y-%m-%d)"
	echo
	echo "$NEVENTS generated events ($MB MB of CSV, \`bench/journey/gen.c\`) of $CUSTOMERS customers in 12"
	echo "segments over 2025; the funnel's entries from $FROM to $TO (UTC µs, 2025-04-01 to 2025-07-01 by"
	echo "default), a window of $W µs (\`bench/journey/funnel.sql\`: 10 event steps, anchored at the first)."
	echo "p50 / p95 in milliseconds after two warm-ups, $REPS runs or $BUDGET s per query, whichever ends first"
	echo "(at least 3). All engines gave the same answers, exactly (reached per step, p50 and p90 of"
	echo "the time to convert to the microsecond, all and by segment): $reached."
	has cxm && has engine && echo "cxm's paths through HTTP are the engine's, exactly."
	echo
	echo "| query | cxm (store and HTTP) | cxm funnel code (no store, no HTTP) | DuckDB | PostgreSQL 15 |"
	echo "| --- | ---: | ---: | ---: | ---: |"
	for q in funnel funnel_by_segment; do
		echo "| $q | $(cell cxm $q) | $(cell engine $q) | $(cell duckdb $q) | $(cell pg $q) |"
	done
	echo "| paths (5 steps from ad_click/social to purchase) | $(cell cxm paths) | $(cell engine paths) | - | - |"
	echo "| journey map, 2025 | $(cell cxm map) | - | - | - |"
	echo "| journey map, 2025, segment S01 | $(cell cxm map_segment) | - | - | - |"
	echo "| load, once | $(load cxm) | - | $(load duckdb) | $(load pg) |"
	echo "| funnel p50, as a multiple of cxm's (same run) | 1× | $(ratio cxm engine funnel) | $(ratio cxm duckdb funnel) | $(ratio cxm pg funnel) |"
	echo
	echo "| goal for cxm | target | measured | |"
	echo "| --- | ---: | ---: | --- |"
	echo "| journey map, p50 | ≤ 100 ms | $MAP_GOAL | $(verdict "$MAP_GOAL" 100) |"
	echo "| 10-step funnel, p50 | ≤ 1 s | $FUNNEL_GOAL | $(verdict "$FUNNEL_GOAL" 1000) |"
	echo
	if has cxm; then
		echo "cxm: a fresh SQLite database (WAL, synchronous=FULL) with \`bench/journey/journey.json\` (6 stages,"
		echo "10 touchpoints over the funnel's events) defined before the data, so \`cxm import customers\` and"
		echo "\`cxm import events\` (the load: one transaction each, in process) keep every customer's sequence"
		echo "and the journey's rollups as they go: $(awk -v n="$NEVENTS" -v s="$(cat "$OUT/cxm.load")" 'BEGIN { printf "%.0f", n / s }') events/s, $(cat "$OUT/cxm.mb") MB of database."
		echo "Then \`cxm serve\` on 127.0.0.1, timed in a libcurl client (\`bench/journey/client.c\`, one"
		echo "kept-alive connection): \`POST /api/v1/funnels\` (a scan of the customers' sequences, two halves"
		echo "on two connections), \`GET /api/v1/paths\` (one scan) and \`GET /api/v1/journeys/{id}/map\`"
		echo "(the journey's daily and monthly rollups, no scan)."
	fi
	echo "The funnel code alone (\`bench/journey/engine.c\`) runs cxm's funnel over the same events sorted"
	echo "in memory, untimed load, no store and no HTTP: what the scan and the API add is the difference."
	echo "DuckDB through @duckdb/node-api $DUCKDB_VERSION embedded in node, no index; PostgreSQL 15 through"
	echo "libpq, an index on ts, default settings of \`tests/pg.sh\` (up to 2 parallel workers); both run"
	echo "funnel.sql's window functions, their loads include the CSV (and PostgreSQL's index and VACUUM ANALYZE)."
	echo "$(nproc) cores, shared with other work (load average $LOADAVG when the run started, $(cut -d' ' -f1 /proc/loadavg) at its end):"
	echo "compare within one run, not across runs."
	echo "<!-- journey:end -->"
} >"$OUT/table.md"
doc_section journey "$OUT/table.md" journey-ingest
