#!/bin/sh
# bench/surveys/ingest.sh - what keeping the rollups costs ingest (issue 5:
# ingest with the rollups on at least 80% of the speed without them). The
# same loads, in one run, against two builds of the same code: ./cxm (the
# release build) and build/norollups/cxm (`make VARIANT=norollups`: the
# release flags plus -DCXM_BENCH_NO_ROLLUPS, which leaves out the rollup
# writes and nothing else). Each build serves a fresh copy of the same
# database (20,000 customers, a live survey) for each load, under wrk:
#  - responses, 1 per request and 100 per request (bench/surveys/submit.lua:
#    one day's responses, as live traffic brings them, over 7 channels and
#    5 touchpoints);
#  - events, 1 and 100 per request (bench/ingest's loads: the server issue's
#    figure; events have no rollups, so both builds should match).
# Two rounds in opposite orders (release then norollups, then the other way
# round), so a drift of the machine weighs on both builds alike; each figure
# is the mean of its two rounds. Every answered request is checked stored
# once, and the release build's rollups count every response once. Run by
# run.sh, or alone; writes its table into docs/benchmarks.md. Everything
# listens on 127.0.0.1; each load is bounded by SECS. Knobs: C (20000),
# SECS (10), CONNS (64).
set -eu
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
C=${C:-20000}
SECS=${SECS:-10}
CONNS=${CONNS:-64}
OUT=$ROOT/bench/out/surveys-ingest
CXM=$ROOT/cxm
NCPU=$(nproc)
POOL=$((NCPU > 2 ? NCPU : 2))
mkdir -p "$OUT"

SRV_PID=""
cleanup() { stop_server; }
trap cleanup EXIT
trap 'exit 130' INT TERM
die() { echo "ingest bench: $*" >&2; exit 1; }
[ -x "$CXM" ] || die "build ./cxm first (make cxm)"
command -v wrk >/dev/null || die "wrk is missing (make deps)"
make -s VARIANT=norollups build/norollups/cxm >&2
NOROLL=$ROOT/build/norollups/cxm

. bench/surveys/lib.sh

# load NAME SCRIPT: wrk against $PORT; sets RPS, P99, REQS
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

# stored DB TABLE TAG REQUESTS PER: every answered request's rows stored once
# (wrk counts the answers it read; requests in flight when it stopped were
# stored too)
stored() {
	n=$(sqlite3 "$1" "SELECT COUNT(*) FROM $2 WHERE source_id >= '$3' AND source_id < '$3~'")
	[ "$n" -ge $(($4 * $5)) ] && [ "$n" -le $((($4 + CONNS) * $5)) ] ||
		die "$n $2 stored for $4 answered requests of $5 ($3)"
}

# ---- data: customers, a live survey ----------------------------------------
BASE_DB=$OUT/base.db
rm -f "$OUT"/*.db "$OUT"/*.db-wal "$OUT"/*.db-shm
awk -v what=customers -v n="$C" -f bench/import/gen.awk >"$OUT/customers.csv"
"$CXM" tenant create bench --db "sqlite:$BASE_DB" 2>/dev/null
"$CXM" import customers "$OUT/customers.csv" --db "sqlite:$BASE_DB" 2>/dev/null
"$CXM" survey import tests/data/surveys/good/posventa.json --live --db "sqlite:$BASE_DB" >/dev/null 2>&1
KEY=$("$CXM" key create --role admin --db "sqlite:$BASE_DB" 2>/dev/null)
sqlite3 "$BASE_DB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null

# one BUILD BIN N NAME TABLE TAG PER SCRIPT [DAYS]: one load on a fresh copy of the
# database, its rows checked stored once (and the rollups: every response
# once in the release build, none in norollups); adds its rows/s to BUILD's
# sum for NAME and keeps its p99
one() {
	db=$OUT/$1-$3-$4.db
	cp "$BASE_DB" "$db"
	start_server "$OUT/$1-$3-$4.log" "$2" serve --db "sqlite:$db" --listen 127.0.0.1:0 --threads "$POOL" --quiet
	CXM_KEY=$KEY CUSTOMERS=$C BENCH_TAG=$6 PER=$7 DAYS=${9:-1} load "$1-$3-$4" "$8"
	stop_server
	stored "$db" "$5" "$6" "$REQS" "$7"
	if [ "$5" = responses ]; then
		dups=$(sqlite3 "$db" "SELECT COUNT(*) - COUNT(DISTINCT source_id) FROM responses")
		[ "$dups" -eq 0 ] || die "responses stored twice"
		rolled=$(sqlite3 "$db" "SELECT COUNT(*) FROM responses")
		sum=$(sqlite3 "$db" "SELECT COALESCE(SUM(responses), 0) FROM rollups WHERE dim = 'all'")
		if [ "$1" = release ]; then
			[ "$rolled" -eq "$sum" ] || die "the rollups count $sum responses of $rolled"
		else
			[ "$sum" -eq 0 ] || die "the norollups build wrote rollups"
		fi
	fi
	eval "$1_$4=\$((\${$1_$4:-0} + RPS * $7)) $1_$4_P99=\$P99"
	rm -f "$db" "$db-wal" "$db-shm"
}

# round BUILD BIN N: the four loads, each on a fresh copy of the database
round() {
	one "$1" "$2" "$3" R1 responses ra 1 bench/surveys/submit.lua
	one "$1" "$2" "$3" R100 responses rb 100 bench/surveys/submit.lua
	one "$1" "$2" "$3" R1S responses rc 1 bench/surveys/submit.lua 28
	one "$1" "$2" "$3" E1 events ea 1 bench/ingest/single.lua
	one "$1" "$2" "$3" E100 events eb 100 bench/ingest/batch.lua
}

LOADAVG=$(cut -d' ' -f1 /proc/loadavg)
round release "$CXM" 1
round norollups "$NOROLL" 1
round norollups "$NOROLL" 2
round release "$CXM" 2

mean() { echo $(($1 / 2)); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f%%", 100 * a / b }'; }
verdict() { awk -v a="$1" -v b="$2" 'BEGIN { print (a >= 0.8 * b) ? "met" : "**missed**" }'; }
R1=$(mean "$release_R1") N1=$(mean "$norollups_R1")
R100=$(mean "$release_R100") N100=$(mean "$norollups_R100")
R1S=$(mean "$release_R1S") N1S=$(mean "$norollups_R1S")
E1=$(mean "$release_E1") NE1=$(mean "$norollups_E1")
E100=$(mean "$release_E100") NE100=$(mean "$norollups_E100")

TABLE=$OUT/table.md
{
	echo "### Ingest with the rollups on, one run on $(date -u +%Y-%m-%d)"
	echo
	echo "wrk (2 threads, $CONNS connections, ${SECS} s per load, on the same $NCPU cores as the"
	echo "server; load average $LOADAVG when the run started). Two builds of the same code, every"
	echo "load on a fresh copy of the same database ($C customers, a live survey; SQLite WAL,"
	echo "synchronous=FULL): \`cxm\` keeps the rollups in the transaction of every response"
	echo "(docs/metrics.md); \`norollups\` (\`make VARIANT=norollups\`) is the same code without"
	echo "the rollup writes. Responses of one day, as live traffic brings them, over 7 channels and"
	echo "5 touchpoints, without comments; events"
	echo "are \`bench/ingest\`'s loads (the server issue's figure), which no rollup touches. Rows/s"
	echo "are the mean of two rounds run in opposite orders."
	echo
	echo "| load | with rollups (rows/s) | without (rows/s) | with / without | p99 with |"
	echo "| --- | ---: | ---: | ---: | ---: |"
	echo "| responses, 1 per request | $R1 | $N1 | $(ratio "$R1" "$N1") | $release_R1_P99 |"
	echo "| responses, 100 per request | $R100 | $N100 | $(ratio "$R100" "$N100") | $release_R100_P99 |"
	echo "| responses of 28 days, 1 per request (worst case) | $R1S | $N1S | $(ratio "$R1S" "$N1S") | $release_R1S_P99 |"
	echo "| events, 1 per request | $E1 | $NE1 | $(ratio "$E1" "$NE1") | $release_E1_P99 |"
	echo "| events, 100 per request | $E100 | $NE100 | $(ratio "$E100" "$NE100") | $release_E100_P99 |"
	echo
	echo "| goal | target | measured | |"
	echo "| --- | ---: | ---: | --- |"
	echo "| live responses with rollups vs. without, 1 per request | ≥ 80% | $(ratio "$R1" "$N1") | $(verdict "$R1" "$N1") |"
	echo "| live responses with rollups vs. without, 100 per request | ≥ 80% | $(ratio "$R100" "$N100") | $(verdict "$R100" "$N100") |"
	echo "| events (the server issue's figure) with rollups vs. without, 100 per request | ≥ 80% | $(ratio "$E100" "$NE100") | $(verdict "$E100" "$NE100") |"
	echo
	echo "Live responses land on today's rollup rows, which one commit of the group-commit writer"
	echo "updates once for all the responses it holds; responses of many days each touch rows of"
	echo "their own day (up to 9 dimensions, day and month): the worst case, shown in the first table"
	echo "and not a goal, keeps $(ratio "$R1S" "$N1S") of the speed without rollups when such responses come one per request."
	echo "History is better loaded by \`cxm import responses\` or in batches."
	echo "Every request answered 202 was stored once, and the rollups of the \`cxm\` build count"
	echo "every response once (the \`norollups\` build wrote none)."
} >"$TABLE"
cat "$TABLE"
DOC=docs/benchmarks.md
awk -v table="$TABLE" '
	/<!-- surveys-ingest:begin/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
	/<!-- surveys-ingest:end/ { skip = 0 }
	!skip { print }' "$DOC" >"$OUT/benchmarks.md"
grep -q '<!-- surveys-ingest:begin' "$DOC" || {
	cp "$DOC" "$OUT/benchmarks.md"
	{ echo; echo '<!-- surveys-ingest:begin (written by bench/surveys/ingest.sh) -->'; cat "$TABLE"; echo '<!-- surveys-ingest:end -->'; } >>"$OUT/benchmarks.md"
}
cp "$OUT/benchmarks.md" "$DOC"
