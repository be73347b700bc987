#!/bin/sh
# bench/surveys/email.sh - 100,000 e-mail invitations queued through the API
# (POST /api/v1/surveys/ID/invitations with {"channel":"email","audience":"all"}:
# every customer weighed for address, consent, exclusions and fatigue, then an
# invitation and an outbox row each, committed in chunks), against the
# ceiling in the same run: raw SQLite (peer_invite.c) writing the same rows
# into a copy of the same database with the same commit pattern. The SMTP
# server accepts connections and never answers, so sending (paced by the
# mail server in real life) takes nothing from queuing. Run by run.sh, or
# alone; writes its table into docs/benchmarks.md. Knob: N (100000).
set -eu
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
N=${N:-100000}
OUT=$ROOT/bench/out/surveys-email
CXM=$ROOT/cxm
mkdir -p "$OUT"

SRV_PID="" HOLD_PID=""
cleanup() {
	if [ -n "$SRV_PID" ]; then kill "$SRV_PID" 2>/dev/null; wait "$SRV_PID" 2>/dev/null || :; fi
	if [ -n "$HOLD_PID" ]; then kill "$HOLD_PID" 2>/dev/null; wait "$HOLD_PID" 2>/dev/null || :; fi
	SRV_PID="" HOLD_PID=""
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM
die() { echo "email bench: $*" >&2; exit 1; }
[ -x "$CXM" ] || die "build ./cxm first (make cxm)"

cc -O2 -Wall -Wextra -o "$OUT/peer_invite" bench/surveys/peer_invite.c -lsqlite3

# ---- data: N customers who may all be e-mailed, a live survey ---------------
DB=$OUT/cxm.db
rm -f "$OUT"/*.db "$OUT"/*.db-wal "$OUT"/*.db-shm
awk -v what=customers -v n="$N" -f bench/import/gen.awk |
	awk -F, 'BEGIN { OFS = "," } NR > 1 { $8 = "yes" } { print }' >"$OUT/customers.csv"
"$CXM" tenant create bench --db "sqlite:$DB" 2>/dev/null
"$CXM" import customers "$OUT/customers.csv" --db "sqlite:$DB" 2>/dev/null
SURVEY=$("$CXM" survey import tests/data/surveys/good/posventa.json --live --db "sqlite:$DB" 2>/dev/null)
KEY=$("$CXM" key create --role admin --db "sqlite:$DB" 2>/dev/null)
TENANT=$(sqlite3 "$DB" "SELECT id FROM tenants")
sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp "$DB" "$OUT/peer.db"

# an SMTP server that takes connections and says nothing
python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
print(s.getsockname()[1], flush=True)
held = []
while True:
    held.append(s.accept()[0])
' >"$OUT/hold.port" &
HOLD_PID=$!
for _ in $(seq 50); do [ -s "$OUT/hold.port" ] && break; sleep 0.1; done
HOLD_PORT=$(cat "$OUT/hold.port")

"$CXM" serve --db "sqlite:$DB" --listen 127.0.0.1:0 --quiet --smtp-url "smtp://127.0.0.1:$HOLD_PORT" 2>"$OUT/cxm.log" &
SRV_PID=$!
PORT=""
for _ in $(seq 100); do
	PORT=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' "$OUT/cxm.log" | head -n1)
	[ -n "$PORT" ] && break
	sleep 0.1
done
[ -n "$PORT" ] || die "server did not start: $(cat "$OUT/cxm.log")"

echo "cxm: queuing $N e-mail invitations" >&2
T0=$(date +%s.%N)
curl -s -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d '{"channel":"email","audience":"all"}' \
	"http://127.0.0.1:$PORT/api/v1/surveys/$SURVEY/invitations" >"$OUT/answer.json"
T1=$(date +%s.%N)
RSS=$(awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$SRV_PID/status")
cleanup
QUEUED=$(sed -n 's/.*"queued":\([0-9]*\).*/\1/p' "$OUT/answer.json")
[ "$QUEUED" = "$N" ] || die "queued '$QUEUED' of $N: $(cat "$OUT/answer.json")"
STORED=$(sqlite3 "$DB" "SELECT (SELECT COUNT(*) FROM invitations WHERE channel = 'email'), (SELECT COUNT(*) FROM outbox)")
[ "$STORED" = "$N|$N" ] || die "stored $STORED, not $N invitations and $N messages"
TOKLEN=$(sqlite3 "$DB" "SELECT MAX(LENGTH(link_token)) FROM outbox")
CXM_S=$(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.2f", b - a }')

echo "peer: the same rows in raw SQLite" >&2
T0=$(date +%s.%N)
PEER_Q=$("$OUT/peer_invite" "$OUT/peer.db" "$TENANT" "$SURVEY" 2000 "$TOKLEN")
T1=$(date +%s.%N)
[ "$PEER_Q" = "$N" ] || die "the peer queued $PEER_Q"
PEER_S=$(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.2f", b - a }')

rate() { awk -v n="$N" -v s="$1" 'BEGIN { printf "%.0f", n / s }'; }
TABLE=$OUT/table.md
{
	echo "### Surveys: $N e-mail invitations queued, one run on $(date -u +%Y-%m-%d)"
	echo
	echo "One request, \`POST /api/v1/surveys/ID/invitations\` with \`{\"channel\":\"email\",\"audience\":\"all\"}\`,"
	echo "to $N customers (SQLite WAL, synchronous=FULL, $(nproc) cores): each one weighed for an address,"
	echo "consent, exclusions and contact fatigue (one statement per chunk of 2,000 customers brings each"
	echo "with its last invitation), then an invitation and an outbox row holding the signed link token"
	echo "($TOKLEN bytes; the message is composed when it is sent), one commit per chunk. The ceiling is"
	echo "raw SQLite (\`bench/surveys/peer_invite.c\`) reading the customers and writing the same rows into a"
	echo "copy of the same database, one transaction per 2,000 customers. The SMTP server took connections"
	echo "and never answered, so sending took nothing from queuing."
	echo
	echo "| load | writer | seconds | invitations/s | vs. ceiling |"
	echo "| --- | --- | ---: | ---: | ---: |"
	echo "| $N e-mail invitations queued | \`cxm serve\`, one API request | $CXM_S | $(rate "$CXM_S") | $(awk -v a="$PEER_S" -v b="$CXM_S" 'BEGIN { printf "%.0f%%", 100 * a / b }') |"
	echo "| the same rows | raw SQLite (\`peer_invite.c\`, ceiling) | $PEER_S | $(rate "$PEER_S") | 100% |"
	echo
	echo "| goal | target | measured | |"
	echo "| --- | ---: | ---: | --- |"
	echo "| $N email invitations queued | < 10 s | $CXM_S s | $(awk -v s="$CXM_S" 'BEGIN { print (s < 10) ? "met" : "**missed**" }') |"
	echo "| server RSS after the send | | $RSS MB | |"
} >"$TABLE"
cat "$TABLE"
awk -v table="$TABLE" '
	/<!-- surveys-email:begin/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
	/<!-- surveys-email:end/ { skip = 0 }
	!skip { print }' docs/benchmarks.md >"$OUT/benchmarks.md"
grep -q '<!-- surveys-email:begin' docs/benchmarks.md || {
	cp docs/benchmarks.md "$OUT/benchmarks.md"
	{ echo; echo '<!-- surveys-email:begin (written by bench/surveys/email.sh) -->'; cat "$TABLE"; echo '<!-- surveys-email:end -->'; } >>"$OUT/benchmarks.md"
}
cp "$OUT/benchmarks.md" docs/benchmarks.md
