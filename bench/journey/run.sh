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
ENGINES=${ENGINES:-"engine duckdb pg"}
OUT=$ROOT/bench/out/journey
DATA=$OUT/data-$CUSTOMERS
EVENTS=$DATA/events.csv
CUSTOMERS_CSV=$DATA/customers.csv
PGDIR=""
cleanup() {
	[ -n "$PGDIR" ] && sh tests/pg.sh stop "$PGDIR" >/dev/null 2>&1
	true
}
trap cleanup EXIT
die() { echo "journey bench: $*" >&2; exit 1; }

mkdir -p "$OUT" "$DATA"
LIBS="-lsqlite3 -lcjson -lcsv -lmicrohttpd -lsodium -lcurl -lutf8proc -lstemmer -lpthread -lm $(pkg-config --libs libpq)"
make -s build/release/libcxm.a >&2
cc -O2 -Wall -Wextra -std=c11 -o "$OUT/gen" bench/journey/gen.c
cc -O2 -Wall -Wextra -std=c11 -D_GNU_SOURCE -Iinclude -o "$OUT/engine" bench/journey/engine.c \
	build/release/libcxm.a $LIBS
cc -O2 -Wall -Wextra -std=c11 -I/usr/include/postgresql -o "$OUT/peer" bench/metrics/peer.c -lsqlite3 -lpq -lm
if [ ! -s "$EVENTS" ] || [ bench/journey/gen.c -nt "$EVENTS" ]; then
	echo "== generating $CUSTOMERS customers" >&2
	CUSTOMERS=$CUSTOMERS "$OUT/gen" "$DATA"
fi
NEVENTS=$(wc -l <"$EVENTS" | tr -d ' ')
MB=$(du -m "$EVENTS" | cut -f1)
sed -e "s/@FROM@/$FROM/g" -e "s/@TO@/$TO/g" -e "s/@W@/$W/g" bench/journey/funnel.sql >"$OUT/funnel.sql"
rm -f "$OUT"/*.load "$OUT"/*.times "$OUT"/*.results
LOADAVG=$(cut -d' ' -f1 /proc/loadavg)

bench_engine() {
	echo "== cxm funnel code (engine.c)" >&2
	"$OUT/engine" "$EVENTS" "$CUSTOMERS_CSV" "$FROM" "$TO" "$W" "$REPS" "$BUDGET" "$OUT/engine.results" \
		"$OUT/engine.paths" |
		tee "$OUT/engine.times" >&2
	# the engine's load is in memory and untimed: not comparable with a database load
	echo "-" >"$OUT/engine.load"
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
	PGDIR=$(mktemp -d /tmp/cxm-bench-pg-XXXXXX)
	chmod 755 "$PGDIR"
	url=$(sh tests/pg.sh start "$PGDIR")
	t0=$(date +%s.%N)
	psql -q -v ON_ERROR_STOP=1 "$url" >&2 <<-EOF
		CREATE TABLE events (id bigint PRIMARY KEY, customer_id bigint NOT NULL, ts bigint NOT NULL,
		  type text NOT NULL, channel text NOT NULL, touchpoint text);
		CREATE TABLE customers (id bigint PRIMARY KEY, segment text NOT NULL);
		\\copy events FROM '$EVENTS' WITH (FORMAT csv)
		\\copy customers FROM '$CUSTOMERS_CSV' WITH (FORMAT csv)
		CREATE INDEX events_ts ON events (ts);
		VACUUM ANALYZE events;
		VACUUM ANALYZE customers;
	EOF
	awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", b - a }' >"$OUT/pg.load"
	"$OUT/peer" pg "$url" "$OUT/funnel.sql" "$REPS" "$BUDGET" "$OUT/pg.results" | tee "$OUT/pg.times" >&2
	sh tests/pg.sh stop "$PGDIR" >/dev/null 2>&1
	PGDIR=""
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
reached=$(awk '/^-- funnel$/ { getline; print }' "$OUT/$REF.results" |
	awk -F, '{ printf "%s entered, %s converted (p50 %.1f days)", $1, $10, $11 / 86400e6 }')
{
	echo "### Journeys: a 10-step funnel over $NEVENTS events of $CUSTOMERS customers, one run on $(date -u +%Y-%m-%d)"
	echo
	echo "$NEVENTS generated events ($MB MB of CSV, \`bench/journey/gen.c\`), entries from $FROM to $TO (UTC µs),"
	echo "a window of $W µs. p50 / p95 in milliseconds after two warm-ups, $REPS runs or $BUDGET s per query."
	echo "All engines gave the same answers, exactly: $reached."
	echo
	echo "| query | cxm funnel code (no store, no HTTP) | DuckDB | PostgreSQL 15 |"
	echo "| --- | ---: | ---: | ---: |"
	for q in funnel funnel_by_segment; do
		echo "| $q | $(cell engine $q) | $(cell duckdb $q) | $(cell pg $q) |"
	done
	echo "| paths (5 steps from ad_click/social to purchase; cxm only) | $(cell engine paths) | - | - |"
	echo "| load, once | $(load engine) | $(load duckdb) | $(load pg) |"
	echo
	echo "$(nproc) cores, shared with other work (load average $LOADAVG when the run started)."
} >"$OUT/table.md"
cat "$OUT/table.md"
