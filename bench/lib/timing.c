/* bench/lib/timing.c - the benchmarks' timing protocol (timing.h). */
#define _POSIX_C_SOURCE 200809L
#include "timing.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int more_runs(int runs, int reps, double start, double budget)
{
	return runs < reps && (runs < MIN_RUNS || now() - start < budget);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* nearest rank: the smallest value with at least pct% of the runs at or below it */
static double percentile(const double *sorted, int n, double pct)
{
	int rank = (int)ceil(pct / 100.0 * n);
	return sorted[rank < 1 ? 0 : rank - 1];
}

void report_runs(const char *name, double *ms, int runs)
{
	qsort(ms, (size_t)runs, sizeof(*ms), cmp_double);
	printf("%s %.2f %.2f %d\n", name, percentile(ms, runs, 50), percentile(ms, runs, 95), runs);
	fflush(stdout);
}
