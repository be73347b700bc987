#!/bin/sh
# bench/ingest/run.sh - POST /api/v1/events under wrk on loopback, batched
# (100 events per request, a JSON array) and single events, into a fresh
# SQLite database (WAL, synchronous=FULL, the events table's indexes) with
# a tenant and C customers. Side by side in the same run: the same wrk
# load against a minimal libmicrohttpd server that parses and discards
# (peer.c: the HTTP+JSON ceiling), and the raw SQLite insert rate of the
# same kind of rows (raw.c). Checks that every event wrk sent is stored
# once and that no request failed; samples the server's RSS; writes the
# table into docs/benchmarks.md. Everything listens on 127.0.0.1 only.
# Knobs: C (customers, 100000), SECS (seconds per wrk run, 12), CONNS (64),
# WRK_THREADS (2), PERF (1: profile cxm during the batched run, if perf works).
set -eu
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
C=${C:-100000}
SECS=${SECS:-12}
CONNS=${CONNS:-64}
WRK_THREADS=${WRK_THREADS:-2}
PERF=${PERF:-1}
command -v perf >/dev/null 2>&1 && perf stat -e cpu-clock true >/dev/null 2>&1 || PERF=0
# the syscalls that say how much SQLite writes: 4 KB pages (pwrite) and fsyncs
SYSCALLS=syscalls:sys_enter_pwrite64,syscalls:sys_enter_fdatasync,syscalls:sys_enter_fsync
OUT=$ROOT/bench/out/ingest
CXM=$ROOT/cxm
# cxm serve's own default pool size, given to both servers explicitly
NCPU=$(nproc)
POOL=$((NCPU > 2 ? NCPU : 2)) # cxm serve's default: one worker per core
mkdir -p "$OUT"

SRV_PID="" SAMPLER_PID=""
cleanup() {
	for p in $SAMPLER_PID $SRV_PID; do
		kill "$p" 2>/dev/null || true
	done
	for p in $SAMPLER_PID $SRV_PID; do
		wait "$p" 2>/dev/null || true
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "ingest: $*" >&2; exit 1; }
[ -x "$CXM" ] || die "build ./cxm first (make cxm)"
command -v wrk >/dev/null || die "wrk is missing (make deps)"

cc -O2 -Wall -Wextra -o "$OUT/peer" bench/ingest/peer.c -lmicrohttpd -lcjson -lpthread
cc -O2 -Wall -Wextra -o "$OUT/raw" bench/ingest/raw.c -lsqlite3

# ---- data: a tenant, C customers, an admin key -------------------------------
CSV=$ROOT/bench/out/customers-$C.csv
[ -s "$CSV" ] || awk -v what=customers -v n="$C" -f bench/import/gen.awk >"$CSV"
rm -f "$OUT"/*.db "$OUT"/*.db-wal "$OUT"/*.db-shm
"$CXM" tenant create bench --db "sqlite:$OUT/base.db" 2>/dev/null
"$CXM" import customers "$CSV" --db "sqlite:$OUT/base.db" 2>/dev/null
sqlite3 "$OUT/base.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp "$OUT/base.db" "$OUT/cxm.db"
KEY=$("$CXM" key create --role admin --db "sqlite:$OUT/cxm.db" 2>/dev/null)
[ -n "$KEY" ] || die "no API key"

# ---- servers -----------------------------------------------------------------
# start_server LOG CMD...: starts CMD in the background (SRV_PID), waits for
# its "listening on http://127.0.0.1:PORT" line (PORT) and starts sampling
# its VmRSS every half second into $OUT/rss.
start_server() {
	log=$1
	shift
	"$@" 2>"$log" &
	SRV_PID=$!
	PORT=""
	i=0
	while [ -z "$PORT" ] && [ $i -lt 100 ]; do
		kill -0 "$SRV_PID" 2>/dev/null || { cat "$log" >&2; die "server did not start"; }
		PORT=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' "$log" | head -n1)
		[ -n "$PORT" ] || sleep 0.1
		i=$((i + 1))
	done
	[ -n "$PORT" ] || die "server did not say its port"
	: >"$OUT/rss"
	(
		while kill -0 "$SRV_PID" 2>/dev/null; do
			awk '/^VmRSS/ { print $2 }' "/proc/$SRV_PID/status" 2>/dev/null >>"$OUT/rss" || true
			sleep 0.5
		done
	) &
	SAMPLER_PID=$!
}

stop_server() {
	kill "$SAMPLER_PID" 2>/dev/null || true
	wait "$SAMPLER_PID" 2>/dev/null || true
	kill "$SRV_PID" 2>/dev/null || true
	wait "$SRV_PID" 2>/dev/null || true
	SRV_PID="" SAMPLER_PID=""
}

# VmRSS now and the peak (VmHWM) of the server, in MB
rss_now() { awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$SRV_PID/status"; }
rss_peak() { awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$SRV_PID/status"; }

# CPU seconds (user + system) of the server's threads: "writer workers
# writer_runqueue" (the writer is the one thread named like the process
# besides the main thread, which only waits for signals; the last number
# is the seconds it was ready to run but waited for a CPU, from schedstat)
thread_cpu() {
	hz=$(getconf CLK_TCK)
	for t in /proc/"$SRV_PID"/task/*; do
		tid=${t##*/}
		comm=$(cat "$t/comm" 2>/dev/null) || continue
		ticks=$(awk '{ print $14 + $15 }' "$t/stat" 2>/dev/null) || continue
		wait_ns=$(awk '{ print $2 }' "$t/schedstat" 2>/dev/null) || wait_ns=0
		echo "$tid $comm $ticks $wait_ns"
	done | awk -v pid="$SRV_PID" -v hz="$hz" '
		$1 != pid && $2 !~ /^MHD/ { w += $3; q += $4 }
		$2 ~ /^MHD/ { m += $3 }
		END { printf "%.2f %.2f %.3f", w / hz, m / hz, q / 1e9 }'
}

# metric NAME FILE: the value of an unlabelled series (or of a full series
# name with labels) in a /metrics scrape
metric() { awk -v n="$1" '$1 == n { print $2; found = 1 } END { if (!found) print 0 }' "$2"; }

# from a `perf stat -x,` file: pwrites per event (N requests of PER), fsyncs per second
pages_per() {
	[ -s "$1" ] || { echo "—"; return; }
	awk -F, -v n="$2" -v per="$3" '$3 ~ /pwrite64/ { printf "%.1f", $1 / (n * per); found = 1 } END { if (!found) print "—" }' "$1"
}
fsyncs_per_s() {
	[ -s "$1" ] || { echo "—"; return; }
	awk -F, -v s="$2" '$3 ~ /fsync|fdatasync/ { n += $1; found = 1 } END { if (found) printf "%.0f", n / s; else print "—" }' "$1"
}

scrape() { curl -sf "http://127.0.0.1:$PORT/metrics" >"$1" || die "cannot read /metrics"; }

# wait_idle: until the server answered everything wrk had sent (at most 15 s)
wait_idle() {
	i=0
	while [ $i -lt 150 ]; do
		scrape "$OUT/idle"
		[ "$(metric cxm_http_in_flight "$OUT/idle")" -le 1 ] && [ "$(metric cxm_writer_queue_depth "$OUT/idle")" -eq 0 ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	die "the server is still busy 15 s after wrk stopped"
}

# load NAME SCRIPT TAG: runs wrk against $PORT, sets R_* from its RESULT
# line (requests/s, events/s, latency in ms, errors); fails on non-2xx.
load() {
	name=$1 script=$2 tag=$3
	echo "$name: wrk -t$WRK_THREADS -c$CONNS -d${SECS}s -s $script" >&2
	CXM_KEY=$KEY BENCH_TAG=$tag CUSTOMERS=$C wrk -t"$WRK_THREADS" -c"$CONNS" -d"${SECS}s" --timeout 10s --latency \
		-s "$script" "http://127.0.0.1:$PORT" >"$OUT/$name.wrk" 2>&1 || { cat "$OUT/$name.wrk" >&2; die "wrk failed"; }
	line=$(grep '^RESULT ' "$OUT/$name.wrk") || { cat "$OUT/$name.wrk" >&2; die "no result from wrk"; }
	eval "$(echo "$line" | sed 's/^RESULT //; s/\([a-z0-9_]*\)=/R_\1=/g')"
	R_RPS=$(awk -v n="$R_requests" -v s="$R_seconds" 'BEGIN { printf "%.0f", n / s }')
	R_EPS=$(awk -v n="$R_requests" -v s="$R_seconds" -v p="$R_per" 'BEGIN { printf "%.0f", n * p / s }')
	R_SOCK=$((R_connect + R_read + R_write + R_timeout))
	echo "$name: $R_RPS requests/s, $R_EPS events/s, p50 ${R_p50_ms} ms, p99 ${R_p99_ms} ms," \
		"non-2xx $R_status_errors, socket errors $R_SOCK" >&2
	[ "$R_status_errors" -eq 0 ] || { cat "$OUT/$name.wrk" >&2; die "$name: $R_status_errors answers were not 2xx"; }
}

# ---- cxm serve -----------------------------------------------------------------
echo "== cxm serve ($POOL threads, $C customers, $CONNS connections, ${SECS}s per load)" >&2
LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
start_server "$OUT/cxm.log" "$CXM" serve --db "sqlite:$OUT/cxm.db" --listen 127.0.0.1:0 --threads "$POOL" --quiet

# cxm_phase NAME SCRIPT TAG PER: one load against cxm with its checks and
# the server's own account of it; sets <NAME>_* variables.
cxm_phase() {
	name=$1 script=$2 tag=$3 per=$4
	t0=$(date +%s.%N)
	scrape "$OUT/$name.m0"
	cpu0=$(thread_cpu)
	perf_pids=""
	rm -f "$OUT/$name.pstat"
	if [ "$PERF" = 1 ]; then
		perf stat -x, -o "$OUT/$name.pstat" -e "$SYSCALLS" -p "$SRV_PID" -- sleep "$SECS" >/dev/null 2>&1 &
		perf_pids=$!
		if [ "$name" = cxm-batch ]; then
			perf record -q -e cpu-clock -F 499 -g -p "$SRV_PID" -o "$OUT/perf.data" -- sleep "$SECS" \
				>"$OUT/perf.log" 2>&1 &
			perf_pids="$perf_pids $!"
		fi
	fi
	load "$name" "$script" "$tag"
	rss_run=$(sort -n "$OUT/rss" | tail -n1 | awk '{ printf "%.0f", $1 / 1024 }')
	for p in $perf_pids; do wait "$p" || true; done
	wait_idle
	cpu1=$(thread_cpu)
	scrape "$OUT/$name.m1"
	wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
	d() { awk -v a="$(metric "$1" "$OUT/$name.m0")" -v b="$(metric "$1" "$OUT/$name.m1")" 'BEGIN { printf "%.6f", b - a }'; }
	ingested=$(d cxm_events_ingested_total | cut -d. -f1)
	dups=$(d cxm_events_duplicate_total | cut -d. -f1)
	commits=$(d cxm_commits_total | cut -d. -f1)
	commit_s=$(d cxm_commit_duration_seconds_sum)
	ok=$(d 'cxm_http_requests_total{method="POST",route="/api/v1/events",status="202"}' | cut -d. -f1)
	gone=$(d 'cxm_http_requests_total{method="POST",route="/api/v1/events",status="499"}' | cut -d. -f1)
	# the events this load stored: their ids start with its tag
	stored=$(sqlite3 "$OUT/cxm.db" "SELECT COUNT(*) FROM events WHERE source_id >= '$tag' AND source_id < '$tag~'")
	[ "$dups" -eq 0 ] || die "$name: the server counted $dups duplicates"
	# cxm counts events when they commit; wrk hangs up when its time is
	# over, so requests then waiting on the writer are committed (and
	# counted) but end as 499 instead of 202
	[ "$ingested" -eq "$stored" ] || die "$name: $stored events in the database, the server counted $ingested"
	unanswered=$((ingested - ok * per))
	[ "$unanswered" -ge 0 ] && [ $((unanswered % per)) -eq 0 ] && [ "$unanswered" -le $((gone * per)) ] ||
		die "$name: the server counted $ingested events for $ok answers 202 and $gone hang-ups"
	# wrk counts the answers it read; requests in flight when it stopped
	# were still stored and answered (at most one per connection)
	[ "$stored" -ge $((R_requests * per)) ] && [ "$stored" -le $(((R_requests + CONNS) * per)) ] ||
		die "$name: $stored events stored, wrk had $R_requests requests of $per answered"
	# the writer's time: committing (from the histogram) and on CPU
	set -- $cpu0 $cpu1
	wq=$(awk -v a="$3" -v b="$6" -v s="$wall" 'BEGIN { printf "%.0f", 100 * (b - a) / s }')
	set -- "$1" "$2" "$4" "$5"
	# per second of the whole phase (wrk's run and the last answers after it)
	wcpu=$(awk -v a="$1" -v b="$3" -v s="$wall" 'BEGIN { printf "%.0f", 100 * (b - a) / s }')
	mcpu=$(awk -v a="$2" -v b="$4" -v s="$wall" 'BEGIN { printf "%.0f", 100 * (b - a) / s }')
	wbusy=$(awk -v c="$commit_s" -v s="$wall" 'BEGIN { printf "%.0f", 100 * c / s }')
	cps=$(awk -v c="$commits" -v s="$wall" 'BEGIN { printf "%.0f", c / s }')
	epc=$(awk -v e="$stored" -v c="$commits" 'BEGIN { printf "%.0f", c ? e / c : 0 }')
	cms=$(awk -v t="$commit_s" -v c="$commits" 'BEGIN { printf "%.1f", c ? 1000 * t / c : 0 }')
	# page writes per stored event and fsyncs per second (while wrk ran)
	pwe=$(pages_per "$OUT/$name.pstat" "$R_requests" "$per")
	fps=$(fsyncs_per_s "$OUT/$name.pstat" "$R_seconds")
	echo "$name: $stored stored ($ingested answered 202, $unanswered committed for clients that hung up," \
		"0 duplicates); $commits commits ($cps/s, $epc events each, $cms ms), $pwe page writes per event," \
		"$fps fsyncs/s; writer committing ${wbusy}% / on CPU ${wcpu}% / waiting for a CPU ${wq}%, HTTP workers on CPU ${mcpu}%;" \
		"RSS $(rss_now) MB (peak during load $rss_run MB)" >&2
	eval "${tag}_RPS=\$R_RPS ${tag}_EPS=\$R_EPS ${tag}_P50=\$R_p50_ms ${tag}_P99=\$R_p99_ms ${tag}_SOCK=\$R_SOCK"
	eval "${tag}_STORED=\$stored ${tag}_CPS=\$cps ${tag}_EPC=\$epc ${tag}_CMS=\$cms ${tag}_WBUSY=\$wbusy"
	eval "${tag}_PWE=\$pwe ${tag}_FPS=\$fps ${tag}_WQ=\$wq"
	eval "${tag}_WCPU=\$wcpu ${tag}_MCPU=\$mcpu ${tag}_RSS=\$(rss_now) ${tag}_RSSRUN=\$rss_run"
}
cxm_phase cxm-batch bench/ingest/batch.lua B 100
cxm_phase cxm-single bench/ingest/single.lua S 1
CXM_PEAK=$(rss_peak)
stop_server

# where the batched run's CPU went, by library and by thread
PERF_DSO="" PERF_THREADS=""
if [ -s "$OUT/perf.data" ]; then
	PERF_DSO=$(perf report -i "$OUT/perf.data" --stdio --no-children --sort dso -g none 2>/dev/null |
		awk '/%/ && $1 !~ /^#/ {
			n = $2; sub(/^\[kernel.kallsyms\]$/, "kernel", n); sub(/^lib/, "", n); sub(/\.so.*/, "", n)
			if ($1 + 0 >= 1) printf "%s%s %s", sep, n, $1; sep = ", " }')
	PERF_THREADS=$(perf report -i "$OUT/perf.data" --stdio --no-children --sort comm -g none 2>/dev/null |
		awk '/%/ && $1 !~ /^#/ { n = $2 == "cxm" ? "writer" : "HTTP workers"; s[n] += $1 }
			END { printf "writer %.0f%%, HTTP workers %.0f%%", s["writer"], s["HTTP workers"] }')
	perf report -i "$OUT/perf.data" --stdio --no-children --sort comm,dso,sym -g none 2>/dev/null |
		grep '%' | head -n 40 >"$OUT/perf-top.txt" || true
fi

# ---- the HTTP+JSON ceiling -----------------------------------------------------
echo "== peer: libmicrohttpd + cJSON, parse and discard ($POOL threads)" >&2
start_server "$OUT/peer.log" "$OUT/peer" 127.0.0.1:0 "$POOL"
load peer-batch bench/ingest/batch.lua PB
PB_RPS=$R_RPS PB_EPS=$R_EPS PB_P50=$R_p50_ms PB_P99=$R_p99_ms
load peer-single bench/ingest/single.lua PS
PS_RPS=$R_RPS PS_EPS=$R_EPS PS_P50=$R_p50_ms PS_P99=$R_p99_ms
PEER_PEAK=$(rss_peak)
stop_server

# ---- raw SQLite ----------------------------------------------------------------
# raw_rate BATCH: rows/s of raw.c on a fresh copy of the customers'
# database (RAW), with page writes per row (RAW_PW) and fsyncs/s (RAW_FPS)
raw_rate() {
	cp "$OUT/base.db" "$OUT/raw.db"
	rm -f "$OUT/raw.db-wal" "$OUT/raw.db-shm" "$OUT/raw.pstat"
	if [ "$PERF" = 1 ]; then
		set -- $(perf stat -x, -o "$OUT/raw.pstat" -e "$SYSCALLS" "$OUT/raw" "$OUT/raw.db" 100000000 "$1" "$SECS")
	else
		set -- $("$OUT/raw" "$OUT/raw.db" 100000000 "$1" "$SECS")
	fi
	RAW=$3
	RAW_PW=$(pages_per "$OUT/raw.pstat" "$1" 1)
	RAW_FPS=$(fsyncs_per_s "$OUT/raw.pstat" "$2")
}
echo "== raw SQLite inserts (synchronous=FULL)" >&2
[ "$B_EPC" -ge 1 ] || B_EPC=1
[ "$S_EPC" -ge 1 ] || S_EPC=1
raw_rate 100
RAW100=$RAW RAW100_PW=$RAW_PW RAW100_FPS=$RAW_FPS
echo "raw, 100 rows per commit: $RAW100 rows/s, $RAW_PW page writes per row, $RAW_FPS fsyncs/s" >&2
raw_rate "$B_EPC"
RAWB=$RAW RAWB_PW=$RAW_PW RAWB_FPS=$RAW_FPS
echo "raw, $B_EPC rows per commit (cxm's batched groups): $RAWB rows/s, $RAW_PW page writes per row, $RAW_FPS fsyncs/s" >&2
raw_rate "$S_EPC"
RAWS=$RAW RAWS_PW=$RAW_PW RAWS_FPS=$RAW_FPS
echo "raw, $S_EPC rows per commit (cxm's single-event groups): $RAWS rows/s, $RAW_PW page writes per row, $RAW_FPS fsyncs/s" >&2
LOAD_AFTER=$(cut -d' ' -f1 /proc/loadavg)

# ---- the table ---------------------------------------------------------------
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f%%", 100 * a / b }'; }
goal() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { ok = op == ">=" ? v >= t : v < t; print ok ? "met" : "**missed**" }'; }
{
	echo "<!-- ingest:begin (written by bench/ingest/run.sh) -->"
	echo "### Ingest: POST /api/v1/events over loopback, one run on $(date -u +%Y-%m-%d)"
	echo
	echo "wrk ($WRK_THREADS threads, $CONNS connections, ${SECS} s per load, on the same $NCPU cores as the"
	echo "servers; load average $LOAD_BEFORE before, $LOAD_AFTER after). Events of ~300 bytes naming one of"
	echo "$C customers by external_id; every event id unique."
	echo
	echo "| load | server | requests/s | events/s | p50 | p99 | vs. ceiling | RSS |"
	echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
	echo "| 100 events per request | \`cxm serve\`, SQLite, durable | $B_RPS | $B_EPS | $B_P50 ms | $B_P99 ms | $(pct "$B_EPS" "$PB_EPS") | $B_RSS MB |"
	echo "| 100 events per request | HTTP+JSON ceiling (\`peer.c\`) | $PB_RPS | $PB_EPS | $PB_P50 ms | $PB_P99 ms | 100% | — |"
	echo "| 100 events per request | raw SQLite, 100 rows per commit | — | $RAW100 | — | — | $(pct "$RAW100" "$PB_EPS") | — |"
	echo "| 100 events per request | raw SQLite, $B_EPC rows per commit (cxm's mean group) | — | $RAWB | — | — | $(pct "$RAWB" "$PB_EPS") | — |"
	echo "| 1 event per request | \`cxm serve\`, SQLite, durable | $S_RPS | $S_EPS | $S_P50 ms | $S_P99 ms | $(pct "$S_EPS" "$PS_EPS") | $S_RSS MB |"
	echo "| 1 event per request | HTTP+JSON ceiling (\`peer.c\`) | $PS_RPS | $PS_EPS | $PS_P50 ms | $PS_P99 ms | 100% | — |"
	echo "| 1 event per request | raw SQLite, $S_EPC rows per commit (cxm's mean group) | — | $RAWS | — | — | $(pct "$RAWS" "$PS_EPS") | — |"
	echo
	echo "| goal | target | measured | |"
	echo "| --- | ---: | ---: | --- |"
	echo "| batched events/s | ≥ 150,000 | $B_EPS | $(goal "$B_EPS" 150000 ">=") |"
	echo "| single-event requests/s, 64 connections | ≥ 25,000 | $S_RPS | $(goal "$S_RPS" 25000 ">=") |"
	echo "| single-event p99, 64 connections | < 10 ms | $S_P99 ms | $(goal "$S_P99" 10 "<") |"
	echo "| RSS at steady state (peak over both loads) | < 150 MB | $S_RSS MB ($CXM_PEAK MB) | $(goal "$CXM_PEAK" 150 "<") |"
	echo
	echo "Where the time goes (cxm's own counters, /proc and perf during the same run):"
	echo
	echo "| load | writer | commits/s | events per commit | mean commit | 4 KB page writes per event | fsyncs/s | writer committing | writer on CPU | writer waiting for a CPU | HTTP workers on CPU |"
	echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	echo "| 100 events per request | \`cxm serve\` | $B_CPS | $B_EPC | $B_CMS ms | $B_PWE | $B_FPS | $B_WBUSY% | $B_WCPU% | $B_WQ% | $B_MCPU% |"
	rawrow() { awk -v r="$2" -v b="$3" -v pw="$4" -v f="$5" -v what="$1" 'BEGIN {
		printf "| %s | raw SQLite | %.0f | %d | %.1f ms | %s | %s | — | — | — | — |\n", what, r / b, b, 1000 * b / r, pw, f }'; }
	rawrow "100 events per request" "$RAW100" 100 "$RAW100_PW" "$RAW100_FPS"
	rawrow "100 events per request" "$RAWB" "$B_EPC" "$RAWB_PW" "$RAWB_FPS"
	echo "| 1 event per request | \`cxm serve\` | $S_CPS | $S_EPC | $S_CMS ms | $S_PWE | $S_FPS | $S_WBUSY% | $S_WCPU% | $S_WQ% | $S_MCPU% |"
	rawrow "1 event per request" "$RAWS" "$S_EPC" "$RAWS_PW" "$RAWS_FPS"
	echo
	echo "\"Writer committing\" is the time the one writer thread spent between BEGIN and COMMIT"
	echo "(\`cxm_commit_duration_seconds\`) per second of the load; \"on CPU\" is CPU time from /proc"
	echo "(100% = one core), \"waiting for a CPU\" the time it was ready to run but not running"
	echo "(schedstat); the rest of its committing time is waiting on the disk. Page writes"
	echo "are pwrite() calls (WAL frames and checkpoint copies, one 4 KB page each) counted by perf."
	[ -z "$PERF_DSO" ] || {
		echo "perf (cpu-clock) on \`cxm serve\` during the batched load: $PERF_THREADS of the samples;"
		echo "by library: $PERF_DSO."
	}
	echo
	echo "Every event wrk sent was stored exactly once (the run checks the SQLite file against the"
	echo "server's counters and the 202 answers; duplicates 0, non-2xx answers 0). Every commit is"
	echo "durable (WAL, synchronous=FULL, fsync before the 202). The ceiling is \`bench/ingest/peer.c\`:"
	echo "the same libmicrohttpd flags and pool of $POOL threads, cJSON parse, no checks, no storage."
	echo "The raw rows are \`bench/ingest/raw.c\`: the same INSERT with bound parameters into a copy"
	echo "of the same database, customers resolved beforehand, one fsync'd commit per group of rows,"
	echo "run for ${SECS} s from an empty events table after the servers stopped."
	echo
	awk -v b="$B_EPS" -v pb="$PB_EPS" -v r100="$RAW100" -v rb="$RAWB" -v epc="$B_EPC" -v cms="$B_CMS" \
		-v wbusy="$B_WBUSY" -v wcpu="$B_WCPU" -v pwe="$B_PWE" -v rbpw="$RAWB_PW" \
		-v s="$S_RPS" -v ps="$PS_RPS" -v rs="$RAWS" -v sepc="$S_EPC" -v scms="$S_CMS" -v swbusy="$S_WBUSY" \
		-v swcpu="$S_WCPU" -v swq="$S_WQ" -v mcpu="$S_MCPU" -v p99="$S_P99" 'BEGIN {
		printf "**Where the time goes.** Batched, HTTP and JSON are not the limit: the ceiling answers\n"
		printf "%d events/s and cxm %d (%.0f%%). The one writer is: it was inside transactions %s%% of\n", pb, b, 100 * b / pb, wbusy
		printf "the run (on CPU %s%%, the rest waiting on the disk or a CPU), and committed %d events at a time in\n", wcpu, epc
		printf "%s ms, %.0f events/s while committing, where raw SQLite inserts the same rows in commits\n", cms, (wbusy > 0 ? b * 100 / wbusy : 0)
		printf "of the same size at %d rows/s (%.0f%% of the ceiling). SQLite itself is bound by what it\n", rb, 100 * rb / pb
		printf "writes: %s 4 KB pages per event for cxm, %s for raw SQLite, largely leaf pages of the\n", pwe, rbpw
		printf "customer-timeline index whose keys are random, written once into the WAL and again by\n"
		printf "the checkpoint, with %d rows/s at 100 rows per commit. The writer spends the rest per event\n", r100
		printf "resolving the customer of each event (a SELECT) and its agent, under a savepoint per request.\n"
		printf "Single events: %d requests/s against a ceiling of %d, p99 %s ms. The writer grouped %d events\n", s, ps, p99, sepc
		printf "per commit; a commit took %s ms in cxm where raw SQLite needs %.1f ms for the same size, and\n", scms, 1000 * sepc / rs
		printf "the writer was ready but waiting for a CPU %s%% of the time (on CPU %s%%) while the HTTP\n", swq, swcpu
		printf "workers, which share the 2 cores with wrk, used %s%% of a core: %.0f µs of CPU per request.\n", mcpu, (s > 0 ? mcpu * 1e4 / s : 0)
	}'
	echo "<!-- ingest:end -->"
} >"$OUT/table.md"

DOC=docs/benchmarks.md
# its own markers only, not surveys-ingest's or journey-ingest's
if grep -q '<!-- ingest:begin' "$DOC"; then
	awk -v tbl="$OUT/table.md" '
		/<!-- ingest:begin/ { while ((getline l < tbl) > 0) print l; skip = 1; next }
		/<!-- ingest:end/ { skip = 0; next }
		!skip { print }' "$DOC" >"$DOC.tmp" && mv "$DOC.tmp" "$DOC"
else
	# after the import section
	awk -v tbl="$OUT/table.md" '
		{ print }
		/import:end/ { print ""; while ((getline l < tbl) > 0) print l }' "$DOC" >"$DOC.tmp" && mv "$DOC.tmp" "$DOC"
fi
cat "$OUT/table.md"
