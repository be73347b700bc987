#!/bin/sh
# run.sh - the browser tests: a fresh SQLite database with the demo tenant
# (`cxm demo --customers 200`, whose owner signs in as demo /
# casavoltia-demo), `cxm serve` on a free loopback port, then
# dashboard.test.mjs driving Debian's chromium through playwright-core.
# Builds nothing: CXM names the binary.
#
#   CXM=./build/release/cxm sh tests/browser/run.sh [OUTDIR]
#
# Prints TAP (ok N - name / not ok N - name); screenshots, the server log
# and the database stay in OUTDIR (default build/browser). Exit 0 when
# every test passed.
set -u
cd "$(dirname "$0")/../.."
CXM=${CXM:-./build/release/cxm}
OUT=${1:-${CXM_BROWSER_OUT:-build/browser}}
CHROMIUM=${CXM_CHROMIUM:-/usr/bin/chromium}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
case "$CXM" in /*) ;; *) CXM=$(pwd)/$CXM ;; esac

bail() {
	echo "1..1"
	echo "not ok 1 - browser tests: $1"
	exit 1
}

[ -x "$CXM" ] || bail "no cxm binary at $CXM (set CXM)"
[ -x "$CHROMIUM" ] || bail "no chromium at $CHROMIUM (make deps installs Debian's chromium)"
[ -d node_modules/playwright-core ] || bail "node_modules/playwright-core is missing (make npm)"
command -v node >/dev/null 2>&1 || bail "node is missing (make deps)"
if ! "$CXM" help serve >/dev/null 2>&1; then
	echo "1..0 # SKIP this cxm has no serve command yet"
	exit 0
fi

DB="$OUT/browser.db"
rm -f "$DB" "$DB-wal" "$DB-shm"
if ! "$CXM" demo --db "sqlite:$DB" --customers 200 >"$OUT/demo.log" 2>&1; then
	sed 's/^/# /' "$OUT/demo.log"
	bail "cxm demo failed"
fi

# A free port: the kernel picks one, node reports and releases it.
PORT=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});')
URL="http://127.0.0.1:$PORT"
# e-mail on, to a port where nothing listens: invitations queue (what the
# tests look at) and their delivery fails quietly in the background
"$CXM" serve --db "sqlite:$DB" --listen "127.0.0.1:$PORT" --smtp-url smtp://127.0.0.1:9 >"$OUT/server.log" 2>&1 &
SERVER=$!
stop() {
	[ -n "$SERVER" ] || return 0
	kill "$SERVER" 2>/dev/null
	wait "$SERVER" 2>/dev/null
	SERVER=
}
trap stop EXIT
trap 'stop; exit 1' INT TERM

i=0
until node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "$URL/healthz"; do
	i=$((i + 1))
	if [ "$i" -ge 100 ] || ! kill -0 "$SERVER" 2>/dev/null; then
		sed 's/^/# /' "$OUT/server.log" | tail -20
		bail "cxm serve did not answer $URL/healthz"
	fi
	sleep 0.1
done

CXM_URL=$URL CXM_BROWSER_OUT=$OUT CXM_CHROMIUM=$CHROMIUM node tests/browser/dashboard.test.mjs
rc=$?
stop
echo "# screenshots and server log in $OUT"
exit $rc
