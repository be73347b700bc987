# bench/surveys/lib.sh - what run.sh and ingest.sh share; sourced, after
# they define die().

# start_server LOG CMD...: starts CMD in the background (SRV_PID) and waits
# for its "listening on http://127.0.0.1:PORT" line (PORT).
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

# stop_server: stops the server start_server started, if any.
stop_server() {
	[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null && wait "$SRV_PID" 2>/dev/null
	SRV_PID=""
}
