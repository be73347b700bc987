#!/bin/sh
# bench/surveys/run.sh - the survey channels under wrk on loopback:
#  - the public survey page of personal links (GET /s/TOKEN) against a
#    minimal libmicrohttpd server answering a fixed page of the same size
#    (peer_page.c: the HTTP ceiling);
#  - durable response submissions (POST /api/v1/responses, one response per
#    request, checked against the survey and committed) against the same
#    load on bench/ingest/peer.c (parse the JSON and discard it);
# in one run, into a fresh SQLite database (WAL, synchronous=FULL). Checks
# that every submission answered 202 is stored once. Writes the table into
# docs/benchmarks.md. Everything listens on 127.0.0.1; each load is bounded
# by SECS. Knobs: C (customers, 20000), LINKS (500), SECS (10), CONNS (64).
# Then bench/surveys/email.sh: 100,000 e-mail invitations queued; and
# bench/surveys/ingest.sh: ingest with and without the rollups.
set -eu
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
C=${C:-20000}
LINKS=${LINKS:-500}
SECS=${SECS:-10}
CONNS=${CONNS:-64}
OUT=$ROOT/bench/out/surveys
CXM=$ROOT/cxm
NCPU=$(nproc)
POOL=$((NCPU > 2 ? NCPU : 2))
mkdir -p "$OUT"

SRV_PID=""
cleanup() { [ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null && wait "$SRV_PID" 2>/dev/null; SRV_PID=""; }
trap cleanup EXIT
trap 'exit 130' INT TERM
die() { echo "surveys bench: $*" >&2; exit 1; }
[ -x "$CXM" ] || die "build ./cxm first (make cxm)"
command -v wrk >/dev/null || die "wrk is missing (make deps)"

cc -O2 -Wall -Wextra -o "$OUT/peer_page" bench/surveys/peer_page.c -lmicrohttpd
cc -O2 -Wall -Wextra -o "$OUT/peer" bench/ingest/peer.c -lmicrohttpd -lcjson -lpthread

# start_server LOG CMD...: sets SRV_PID and PORT (from "listening on").
start_server() {
	log=$1
	shift
	"$@" 2>"$log" &
	SRV_PID=$!
	PORT=""
	for _ in $(seq 100); do
		PORT=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' "$log" | head -n1)
		[ -n "$PORT" ] && return 0
		kill -0 "$SRV_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$log" >&2
	die "server did not start"
}

# load NAME SCRIPT URL: wrk; sets RPS, P50, P99, NON2XX.
load() {
	echo "$1: wrk -t2 -c$CONNS -d${SECS}s" >&2
	wrk -t2 -c"$CONNS" -d"${SECS}s" --timeout 10s --latency -s "$2" "$3" >"$OUT/$1.wrk" 2>&1 || die "wrk failed"
	RPS=$(awk '/^Requests\/sec/ { printf "%.0f", $2 }' "$OUT/$1.wrk")
	P50=$(awk '$1 == "50%" { print $2 }' "$OUT/$1.wrk")
	P99=$(awk '$1 == "99%" { print $2 }' "$OUT/$1.wrk")
	NON2XX=$(awk '/Non-2xx/ { print $5 }' "$OUT/$1.wrk")
	REQS=$(awk '/requests in/ { print $1 }' "$OUT/$1.wrk")
	echo "$1: $RPS requests/s, p50 $P50, p99 $P99, non-2xx ${NON2XX:-0}" >&2
}

# ---- data: customers, a live survey, personal links ----------------------------
DB=$OUT/cxm.db
rm -f "$OUT"/*.db "$OUT"/*.db-wal "$OUT"/*.db-shm
awk -v what=customers -v n="$C" -f bench/import/gen.awk >"$OUT/customers.csv"
"$CXM" tenant create bench --db "sqlite:$DB" 2>/dev/null
"$CXM" import customers "$OUT/customers.csv" --db "sqlite:$DB" 2>/dev/null
SURVEY=$("$CXM" survey import tests/data/surveys/good/posventa.json --live --db "sqlite:$DB" 2>/dev/null)
KEY=$("$CXM" key create --role admin --db "sqlite:$DB" 2>/dev/null)
start_server "$OUT/cxm.log" "$CXM" serve --db "sqlite:$DB" --listen 127.0.0.1:0 --threads "$POOL" --quiet \
	--public-per-minute 1000000
BASE=http://127.0.0.1:$PORT
: >"$OUT/tokens"
i=1
while [ $i -le "$LINKS" ]; do
	path=$(curl -s -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
		-d "{\"external_id\":\"$(printf 'C%07d' $i)\"}" "$BASE/api/v1/surveys/$SURVEY/invitations" |
		sed -n 's/.*"path":"\([^"]*\)".*/\1/p')
	[ -n "$path" ] && echo "$path" >>"$OUT/tokens"
	i=$((i + 1))
done
[ "$(wc -l <"$OUT/tokens")" -eq "$LINKS" ] || die "could not make $LINKS links"
# every link opened once, so the load measures the page, not first-open writes
while read -r p; do curl -s -o /dev/null "$BASE$p"; done <"$OUT/tokens"
BYTES=$(curl -s "$BASE$(head -n1 "$OUT/tokens")" | wc -c)

TOKENS=$OUT/tokens load cxm-page bench/surveys/page.lua "$BASE"
PAGE_RPS=$RPS PAGE_P50=$P50 PAGE_P99=$P99
[ -z "$NON2XX" ] || die "cxm-page: $NON2XX answers were not 2xx"
CXM_KEY=$KEY CUSTOMERS=$C BENCH_TAG=sub load cxm-submit bench/surveys/submit.lua "$BASE"
SUB_RPS=$RPS SUB_P50=$P50 SUB_P99=$P99 SUB_REQS=$REQS
[ -z "$NON2XX" ] || die "cxm-submit: $NON2XX answers were not 2xx"
RSS=$(awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$SRV_PID/status")
cleanup
STORED=$(sqlite3 "$DB" "SELECT COUNT(*) FROM responses WHERE source_id >= 'sub' AND source_id < 'sub~'")
# wrk counts the answers it read; requests in flight when it stopped were stored too
[ "$STORED" -ge "$SUB_REQS" ] && [ "$STORED" -le $((SUB_REQS + CONNS)) ] ||
	die "$STORED responses stored for $SUB_REQS answered"
DUPS=$(sqlite3 "$DB" "SELECT COUNT(*) - COUNT(DISTINCT source_id) FROM responses")
[ "$DUPS" -eq 0 ] || die "responses stored twice"

start_server "$OUT/peer_page.log" "$OUT/peer_page" 0 "$POOL" "$BYTES"
TOKENS=$OUT/tokens load peer-page bench/surveys/page.lua "http://127.0.0.1:$PORT"
PEER_PAGE_RPS=$RPS
cleanup
start_server "$OUT/peer.log" "$OUT/peer" 127.0.0.1:0 "$POOL"
CXM_KEY=x CUSTOMERS=$C BENCH_TAG=peer load peer-submit bench/surveys/submit.lua "http://127.0.0.1:$PORT"
PEER_SUB_RPS=$RPS
cleanup

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f%%", 100 * a / b }'; }
verdict() { awk -v a="$1" -v b="$2" 'BEGIN { print (a >= b) ? "met" : "**missed**" }'; }
TABLE=$OUT/table.md
{
	echo "### Surveys: the public page and response submissions, one run on $(date -u +%Y-%m-%d)"
	echo
	echo "wrk (2 threads, $CONNS connections, ${SECS} s per load, on the same $(nproc) cores as the"
	echo "servers). $LINKS personal links to a live survey (the $BYTES-byte page of"
	echo "tests/data/surveys/good/posventa.json); submissions are one response per request with a"
	echo "unique id, checked against the survey and committed durably (SQLite WAL, synchronous=FULL)."
	echo
	echo "| load | server | requests/s | p50 | p99 | vs. ceiling |"
	echo "| --- | --- | ---: | ---: | ---: | ---: |"
	echo "| public survey page (GET /s/TOKEN) | \`cxm serve\` | $PAGE_RPS | $PAGE_P50 | $PAGE_P99 | $(ratio "$PAGE_RPS" "$PEER_PAGE_RPS") |"
	echo "| public survey page | fixed page of the same size (\`peer_page.c\`, ceiling) | $PEER_PAGE_RPS | | | 100% |"
	echo "| response submission (POST /api/v1/responses) | \`cxm serve\`, durable | $SUB_RPS | $SUB_P50 | $SUB_P99 | $(ratio "$SUB_RPS" "$PEER_SUB_RPS") |"
	echo "| response submission | parse and discard (\`bench/ingest/peer.c\`, ceiling) | $PEER_SUB_RPS | | | 100% |"
	echo
	echo "| goal | target | measured | |"
	echo "| --- | ---: | ---: | --- |"
	echo "| public survey pages/s | ≥ 10,000 | $PAGE_RPS | $(verdict "$PAGE_RPS" 10000) |"
	echo "| durable response submissions/s | ≥ 5,000 | $SUB_RPS | $(verdict "$SUB_RPS" 5000) |"
	echo "| 100,000 email invitations queued | < 10 s | in the next table (\`bench/surveys/email.sh\`) | |"
	echo "| server RSS after both loads | | $RSS MB | |"
	echo
	echo "Every submission answered 202 was stored once ($STORED stored). The page is read from"
	echo "the database on every request (invitation, survey version, customer, earlier answers,"
	echo "tenant secret) and rendered; a submission resolves the customer, checks every answer"
	echo "against the survey version and commits through the group-commit writer."
} >"$TABLE"
cat "$TABLE"
awk -v table="$TABLE" '
	/<!-- surveys:begin/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
	/<!-- surveys:end/ { skip = 0 }
	!skip { print }' docs/benchmarks.md >"$OUT/benchmarks.md"
grep -q '<!-- surveys:begin' docs/benchmarks.md || {
	cp docs/benchmarks.md "$OUT/benchmarks.md"
	{ echo; echo '<!-- surveys:begin (written by bench/surveys/run.sh) -->'; cat "$TABLE"; echo '<!-- surveys:end -->'; } >>"$OUT/benchmarks.md"
}
cp "$OUT/benchmarks.md" docs/benchmarks.md

# 100,000 e-mail invitations queued, and their ceiling: a table of its own
sh bench/surveys/email.sh
# what keeping the rollups costs ingest: a table of its own
sh bench/surveys/ingest.sh
