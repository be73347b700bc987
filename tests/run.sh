#!/bin/sh
# run.sh - every cxm test: the cmocka unit tests and the CLI tests, on
# SQLite and on a real PostgreSQL 15 started here (127.0.0.1 only), first
# in the normal build and then built with ASan+UBSan; the browser tests
# (tests/browser/, chromium against `cxm serve`) once, in the normal build
# on SQLite. Prints a summary and exits non-zero on any failure.
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
JOBS=${JOBS:-2}
VARIANTS=${CXM_TEST_VARIANTS:-"release asan"}
passed=0
failed=0
failures=""
LOG=$(mktemp -d /tmp/cxm-tests-XXXXXX)
chmod 755 "$LOG"
PGDIR=""

cleanup() {
	[ -n "$PGDIR" ] && sh tests/pg.sh stop "$PGDIR" >/dev/null 2>&1
	PGDIR=""
}
trap cleanup EXIT INT TERM

note_fail() {
	failed=$((failed + ${2:-1}))
	failures="$failures
  $1"
}

# run_cmocka BIN LABEL: runs one cmocka program, counting its tests.
run_cmocka() {
	bin=$1
	label=$2
	out="$LOG/$(echo "$label" | tr '/ :' '___').log"
	"$bin" >"$out" 2>&1
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
	passed=$((passed + ${p:-0}))
	if [ "$rc" -ne 0 ] || [ -n "$f" ]; then
		note_fail "$label (see $out)" "${f:-1}"
		grep -E '^\[  (ERROR|FAILED) |LINE|ERROR:|runtime error' "$out" | head -20 | sed 's/^/    /'
	fi
	echo "  ${p:-0} passed${f:+, $f failed}  $label"
}

# run_cli VARIANT DB LABEL: the CLI test script against one database.
run_cli() {
	out="$LOG/cli-$3.log"
	CXM="$ROOT/build/$1/cxm" CXM_TEST_DB="$2" sh tests/cli/test_cli.sh >"$out" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$out")
	f=$(grep -c '^not ok ' "$out")
	passed=$((passed + p))
	if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then
		note_fail "cli $3 (see $out)" "$( [ "$f" -gt 0 ] && echo "$f" || echo 1)"
		grep -A3 '^not ok ' "$out" | head -30 | sed 's/^/    /'
	fi
	echo "  $p passed${f:+, $f failed}  cli $3"
}

# run_e2e VARIANT DB LABEL: the end-to-end tests (a real cxm serve over
# HTTP, tests/e2e/test_*.mjs, each printing TAP) against one database.
run_e2e() {
	for t in tests/e2e/test_*.mjs; do
		name=$(basename "$t" .mjs)
		out="$LOG/e2e-$3-$name.log"
		CXM="$ROOT/build/$1/cxm" CXM_TEST_DB="$2" CXM_TEST_TMP="$LOG" timeout 900 node "$t" >"$out" 2>&1
		rc=$?
		p=$(grep -c '^ok ' "$out")
		f=$(grep -c '^not ok ' "$out")
		passed=$((passed + p))
		if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then
			note_fail "e2e $3 $name (see $out)" "$( [ "$f" -gt 0 ] && echo "$f" || echo 1)"
			grep -A6 '^not ok ' "$out" | head -40 | sed 's/^/    /'
			[ "$f" -eq 0 ] && tail -20 "$out" | sed 's/^/    /'
		fi
		echo "  $p passed${f:+, $f failed}  e2e $3 $name"
	done
}

# run_browser VARIANT: the dashboard in chromium (tests/browser/run.sh, TAP).
run_browser() {
	out="$LOG/browser-$1.log"
	CXM="$ROOT/build/$1/cxm" sh tests/browser/run.sh "$LOG/browser-$1" >"$out" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$out")
	f=$(grep -c '^not ok ' "$out")
	passed=$((passed + p))
	if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then
		note_fail "browser $1 (see $out; screenshots in $LOG/browser-$1)" "$( [ "$f" -gt 0 ] && echo "$f" || echo 1)"
		grep -A6 '^not ok ' "$out" | head -40 | sed 's/^/    /'
	fi
	if grep -q '^1\.\.0 # SKIP' "$out"; then
		note_fail "browser $1: skipped ($(sed -n 's/^1\.\.0 # SKIP //p' "$out"))"
	fi
	echo "  $p passed${f:+, $f failed}  browser $1-sqlite"
}

# Programs that need no database run once per variant; the rest per backend.
DB_TESTS="store/test_store store/test_accounts store/test_surveys store/test_survey_stats store/test_outbox store/test_web store/test_receipts store/test_triggers store/test_rollups store/test_text_store store/test_text_model store/test_text_answers store/test_text_backfill store/test_text_mix store/test_journey_store store/test_idempotency journey/test_moments_report journey/test_map_rebuild io/test_import demo/test_demo"

for v in $VARIANTS; do
	echo "== build ($v)"
	if ! make -s -j"$JOBS" VARIANT="$v" unit >"$LOG/build-$v.log" 2>&1; then
		cat "$LOG/build-$v.log"
		note_fail "build $v"
		continue
	fi
	if [ "$v" = asan ]; then
		export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
		export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	fi
	echo "== unit tests on SQLite ($v)"
	for bin in $(find build/$v/tests -type f -perm -u+x | sort); do
		name=${bin#build/$v/tests/}
		TMPDIR=$LOG run_cmocka "$bin" "$v sqlite $name"
	done
	run_cli "$v" "sqlite:$LOG/cli-$v.db" "$v-sqlite"
	echo "== end-to-end tests on SQLite ($v)"
	run_e2e "$v" "" "$v-sqlite"
	if [ "$v" = release ]; then
		echo "== browser tests on SQLite ($v)"
		run_browser "$v"
	fi

	echo "== unit tests on PostgreSQL ($v)"
	PGDIR=$(mktemp -d /tmp/cxm-pg-XXXXXX)
	chmod 755 "$PGDIR"
	if url=$(sh tests/pg.sh start "$PGDIR" 2>"$LOG/pg-$v.log"); then
		for t in $DB_TESTS; do
			[ -x "build/$v/tests/$t" ] || continue
			CXM_TEST_DB="$url" TMPDIR=$LOG run_cmocka "build/$v/tests/$t" "$v postgresql $t"
		done
		run_cli "$v" "$url" "$v-postgresql"
		echo "== end-to-end tests on PostgreSQL ($v)"
		run_e2e "$v" "$url" "$v-postgresql"
	else
		cat "$LOG/pg-$v.log"
		note_fail "PostgreSQL did not start ($v)"
	fi
	cleanup
	unset ASAN_OPTIONS UBSAN_OPTIONS
done

echo
if [ "$failed" -ne 0 ]; then
	echo "FAILED:$failures"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] || exit 1
rm -rf "$LOG"
exit 0
