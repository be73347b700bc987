#!/bin/sh
# bench/journey/ingest.sh - what keeping customer sequences and journey
# rollups costs event ingest (issue 7: with two journeys defined, at least
# 70% of docs/benchmarks.md's ingest figures). The same loads, in one run,
# against the same ./cxm with journey tracking on and off (CXM_JOURNEYS=off,
# a bench knob read by the store: no sequences, no journey rollups). Each
# load gets a fresh copy of the same database (20,000 customers, two
# demo-like journeys, one of them with a rule that tests properties):
# bench/ingest's loads, 1 and 100 events per request. Two rounds in
# opposite orders; each figure is the mean of its two rounds. Every
# answered request is checked stored once, and with tracking on every
# stored event is in the customers' sequences. Writes its table into
# docs/benchmarks.md. Everything listens on 127.0.0.1; each load is bounded
# by SECS. Knobs: C (20000), SECS (10), CONNS (64).
set -eu
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
C=${C:-20000}
SECS=${SECS:-10}
CONNS=${CONNS:-64}
OUT=$ROOT/bench/out/journey-ingest
CXM=$ROOT/cxm
NCPU=$(nproc)
POOL=$((NCPU > 2 ? NCPU : 2))
mkdir -p "$OUT"

SRV_PID=""
cleanup() { stop_server; }
trap cleanup EXIT
trap 'exit 130' INT TERM
die() { echo "journey ingest bench: $*" >&2; exit 1; }
[ -x "$CXM" ] || die "build ./cxm first (make cxm)"
command -v wrk >/dev/null || die "wrk is missing (make deps)"
. bench/surveys/lib.sh

load() {
	wrk -t2 -c"$CONNS" -d"${SECS}s" --timeout 10s --latency -s "$2" "http://127.0.0.1:$PORT" \
		>"$OUT/$1.wrk" 2>&1 || die "wrk failed"
	RPS=$(awk '/^Requests\/sec/ { printf "%.0f", $2 }' "$OUT/$1.wrk")
	P99=$(awk '$1 == "99%" { print $2 }' "$OUT/$1.wrk")
	REQS=$(awk '/requests in/ { print $1 }' "$OUT/$1.wrk")
	non2xx=$(awk '/Non-2xx/ { print $5 }' "$OUT/$1.wrk")
	[ -z "$non2xx" ] || die "$1: $non2xx answers were not 2xx"
	echo "$1: $RPS requests/s, p99 $P99" >&2
}

# ---- data: customers and two journeys over bench/ingest's events -----------
BASE_DB=$OUT/base.db
rm -f "$OUT"/*.db "$OUT"/*.db-wal "$OUT"/*.db-shm
awk -v what=customers -v n="$C" -f bench/import/gen.awk >"$OUT/customers.csv"
"$CXM" tenant create bench --db "sqlite:$BASE_DB" 2>/dev/null
"$CXM" import customers "$OUT/customers.csv" --db "sqlite:$BASE_DB" 2>/dev/null
KEY=$("$CXM" key create --role admin --db "sqlite:$BASE_DB" 2>/dev/null)
SHOP='{"name":"Compra online","conversion_window":"30d","stages":[
 {"key":"descubrimiento","phase":"before","touchpoints":[{"key":"portada","match":{"type":"page_view","touchpoint":["home","offers"]}},
  {"key":"newsletter","match":{"type":"email_open","channel":"email"}}]},
 {"key":"consideracion","phase":"before","touchpoints":[{"key":"ficha","match":{"type":"page_view","touchpoint":"product_page"}}]},
 {"key":"compra","phase":"during","touchpoints":[{"key":"checkout","match":{"type":"purchase"}}]},
 {"key":"entrega","phase":"after","touchpoints":[{"key":"envio","match":{"type":"delivery"}}]}]}'
CARE='{"name":"Soporte","conversion_window":"7d","stages":[
 {"key":"ayuda","phase":"after","touchpoints":[{"key":"centro","match":{"type":"page_view","touchpoint":"help_center"}}]},
 {"key":"contacto","phase":"after","touchpoints":[{"key":"llamada","match":{"type":"call","channel":"phone"}},
  {"key":"chat","match":{"type":"chat","properties":{"topic":"where_is_my_order"}}}]}]}'
# no HTTP route or CLI for journeys in this branch: rows as the store writes them
sqlite3 "$BASE_DB" "
INSERT INTO journeys (tenant_id, id, slot, name, status, version, built_version, created_at, updated_at)
 SELECT id, 1, 0, 'Compra online', 'active', 1, 1, 0, 0 FROM tenants;
INSERT INTO journeys (tenant_id, id, slot, name, status, version, built_version, created_at, updated_at)
 SELECT id, 2, 1, 'Soporte', 'active', 1, 1, 0, 0 FROM tenants;
INSERT INTO journey_versions (tenant_id, journey_id, version, definition, created_at)
 SELECT id, 1, 1, '$SHOP', 0 FROM tenants;
INSERT INTO journey_versions (tenant_id, journey_id, version, definition, created_at)
 SELECT id, 2, 1, '$CARE', 0 FROM tenants;"
sqlite3 "$BASE_DB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null

# one MODE N NAME TAG PER SCRIPT: one load on a fresh copy of the database
one() {
	db=$OUT/$1-$2-$3.db
	cp "$BASE_DB" "$db"
	if [ "$1" = on ]; then
		start_server "$OUT/$1-$2-$3.log" "$CXM" serve --db "sqlite:$db" --listen 127.0.0.1:0 --threads "$POOL" --quiet
	else
		start_server "$OUT/$1-$2-$3.log" env CXM_JOURNEYS=off "$CXM" serve --db "sqlite:$db" \
			--listen 127.0.0.1:0 --threads "$POOL" --quiet
	fi
	CXM_KEY=$KEY CUSTOMERS=$C BENCH_TAG=$4 PER=$5 load "$1-$2-$3" "$6"
	stop_server
	n=$(sqlite3 "$db" "SELECT COUNT(*) FROM events")
	[ "$n" -ge $((REQS * $5)) ] && [ "$n" -le $(((REQS + CONNS) * $5)) ] ||
		die "$n events stored for $REQS answered requests of $5"
	# a sequence is its row and its tail rows (not folded yet)
	inseq=$(sqlite3 "$db" "SELECT (SELECT COALESCE(SUM(n), 0) FROM customer_seq)
		+ (SELECT COALESCE(SUM(n), 0) FROM customer_seq_tail)")
	if [ "$1" = on ]; then
		[ "$inseq" -eq "$n" ] || die "$inseq events in sequences of $n stored"
		entered=$(sqlite3 "$db" "SELECT COALESCE(SUM(reached), 0) FROM journey_rollups")
		[ "$entered" -gt 0 ] || die "no journey rollups"
	else
		[ "$inseq" -eq 0 ] || die "CXM_JOURNEYS=off wrote sequences"
	fi
	eval "$1_$3=\$((\${$1_$3:-0} + RPS * $5)) $1_$3_P99=\$P99"
	rm -f "$db" "$db-wal" "$db-shm"
}

round() {
	one "$1" "$2" E1 ea 1 bench/ingest/single.lua
	one "$1" "$2" E100 eb 100 bench/ingest/batch.lua
}

LOADAVG=$(cut -d' ' -f1 /proc/loadavg)
round on 1
round off 1
round off 2
round on 2

mean() { echo $(($1 / 2)); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f%%", 100 * a / b }'; }
verdict() { awk -v a="$1" -v b="$2" 'BEGIN { print (a >= b) ? "met" : "**missed**" }'; }
E1=$(mean "$on_E1") NE1=$(mean "$off_E1")
E100=$(mean "$on_E100") NE100=$(mean "$off_E100")
G1=$(awk -v a="$NE1" 'BEGIN { printf "%.0f", 0.7 * a }')
G100=$(awk -v a="$NE100" 'BEGIN { printf "%.0f", 0.7 * a }')

TABLE=$OUT/table.md
{
	echo "### Event ingest with journeys on, one run on $(date -u +%Y-%m-%d)"
	echo
	echo "wrk (2 threads, $CONNS connections, ${SECS} s per load, on the same $NCPU cores as the"
	echo "server; load average $LOADAVG when the run started). One build, every load on a fresh"
	echo "copy of the same database ($C customers, two journeys of 4 and 2 stages over"
	echo "\`bench/ingest\`'s events, one rule testing properties; SQLite WAL, synchronous=FULL):"
	echo "tracking on keeps every customer's sequence and the journeys' rollups in the transaction"
	echo "of every event write (docs/architecture.md); off is \`CXM_JOURNEYS=off\`, a bench knob."
	echo "Rows/s are the mean of two rounds run in opposite orders."
	echo
	echo "| load | journeys on (events/s) | off (events/s) | on / off | p99 on |"
	echo "| --- | ---: | ---: | ---: | ---: |"
	echo "| events, 1 per request | $E1 | $NE1 | $(ratio "$E1" "$NE1") | $on_E1_P99 |"
	echo "| events, 100 per request | $E100 | $NE100 | $(ratio "$E100" "$NE100") | $on_E100_P99 |"
	echo
	echo "| goal (70% of the same run's figure without journeys) | target | measured | |"
	echo "| --- | ---: | ---: | --- |"
	echo "| batched events/s | ≥ $G100 | $E100 | $(verdict "$E100" "$G100") |"
	echo "| single-event requests/s | ≥ $G1 | $E1 | $(verdict "$E1" "$G1") |"
	echo
	echo "Every request answered 202 was stored once, and with journeys on every stored event is"
	echo "in its customer's sequence (its row or its tail)."
} >"$TABLE"
cat "$TABLE"
DOC=docs/benchmarks.md
awk -v table="$TABLE" '
	/<!-- journey-ingest:begin/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
	/<!-- journey-ingest:end/ { skip = 0 }
	!skip { print }' "$DOC" >"$OUT/benchmarks.md"
grep -q '<!-- journey-ingest:begin' "$DOC" || {
	cp "$DOC" "$OUT/benchmarks.md"
	{ echo; echo '<!-- journey-ingest:begin (written by bench/journey/ingest.sh) -->'; cat "$TABLE"; echo '<!-- journey-ingest:end -->'; } >>"$OUT/benchmarks.md"
}
cp "$OUT/benchmarks.md" "$DOC"
