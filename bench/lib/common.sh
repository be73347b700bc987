# bench/lib/common.sh - what the benchmarks' run.sh share (bench/metrics,
# bench/journey). Sourced from the repository's root once OUT, PORT and
# die() are set; cleans up at exit: the PostgreSQL of pg_start, the server
# of serve_start.
PGDIR=""
SERVER=""
bench_cleanup() {
	[ -n "$PGDIR" ] && sh tests/pg.sh stop "$PGDIR" >/dev/null 2>&1
	[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null
	true
}
trap bench_cleanup EXIT

# seconds_since T0: the seconds from T0 (date +%s.%N) until now, to 0.1.
seconds_since() {
	awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", b - a }'
}

# cxm_fresh DB: a new SQLite database at DB (exported as CXM_DB for $CXM),
# migrated, with the tenant "bench".
cxm_fresh() {
	rm -f "$1" "$1-wal" "$1-shm"
	export CXM_DB="sqlite:$1"
	"$CXM" migrate >/dev/null 2>&1 || die "cxm migrate"
	"$CXM" tenant create bench --time-zone UTC --language en >/dev/null 2>&1 || die "cxm tenant create"
}

# serve_start: `cxm serve` of CXM_DB on 127.0.0.1:$PORT (its log in
# $OUT/cxm.log), once it answers /healthz; serve_stop ends it.
serve_start() {
	"$CXM" serve --listen "127.0.0.1:$PORT" --quiet 2>"$OUT/cxm.log" &
	SERVER=$!
	_i=0
	until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; do
		_i=$((_i + 1))
		[ "$_i" -lt 100 ] || die "cxm serve did not start (see $OUT/cxm.log)"
		sleep 0.1
	done
}
serve_stop() {
	kill "$SERVER"
	wait "$SERVER" 2>/dev/null || true
	SERVER=""
}

# pg_start: PostgreSQL on 127.0.0.1 in a fresh directory (tests/pg.sh), its
# URL in PGURL; pg_stop stops it.
pg_start() {
	PGDIR=$(mktemp -d /tmp/cxm-bench-pg-XXXXXX)
	chmod 755 "$PGDIR"
	PGURL=$(sh tests/pg.sh start "$PGDIR")
}
pg_stop() {
	sh tests/pg.sh stop "$PGDIR" >/dev/null 2>&1
	PGDIR=""
}

# doc_section NAME TABLE [AFTER]: TABLE (a file that starts with the line
# "<!-- NAME:begin ..." and ends with "<!-- NAME:end -->") replaces the part
# of docs/benchmarks.md between those two markers; when there is none yet,
# it goes after the line with "<!-- AFTER:end" (a blank line between), or
# at the end. Then prints TABLE.
doc_section() {
	_name=$1 _table=$2 _after=${3:-}
	_doc=docs/benchmarks.md
	if grep -q "<!-- $_name:begin" "$_doc"; then
		awk -v table="$_table" -v b="<!-- $_name:begin" -v e="<!-- $_name:end" '
			index($0, b) { while ((getline line < table) > 0) print line; skip = 1; next }
			index($0, e) { skip = 0; next }
			!skip { print }' "$_doc" >"$_table.doc"
	else
		awk -v table="$_table" -v a="${_after:+<!-- $_after:end}" '
			{ print }
			a != "" && index($0, a) && !done { print ""; while ((getline line < table) > 0) print line; done = 1 }
			END { if (!done) { print ""; while ((getline line < table) > 0) print line } }' "$_doc" >"$_table.doc"
	fi
	mv "$_table.doc" "$_doc"
	cat "$_table"
}
