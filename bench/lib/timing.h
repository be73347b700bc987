/* bench/lib/timing.h - the timing protocol every benchmark program shares
 * (bench/metrics/peer.c and client.c, bench/journey/engine.c and client.c):
 * WARMUP runs of a query (the first writes its answer), then REPS runs or
 * BUDGET seconds, whichever ends first, at least MIN_RUNS; then
 * "name p50_ms p95_ms runs" on stdout, nearest-rank percentiles. */
#ifndef BENCH_TIMING_H
#define BENCH_TIMING_H

#define WARMUP 2
#define MIN_RUNS 3

/* Monotonic seconds. */
double now(void);
/* Whether another timed run is due after RUNS runs that began at START. */
int more_runs(int runs, int reps, double start, double budget);
/* Sorts ms[0..runs-1] (milliseconds) and prints NAME's line. */
void report_runs(const char *name, double *ms, int runs);

#endif
