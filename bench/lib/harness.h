/* bench/lib/harness.h - what the benchmarks' HTTP clients share
 * (bench/metrics/client.c, bench/journey/client.c): a libcurl handle on one
 * kept-alive connection with the API key, a request that must answer 200,
 * and its timed runs under the protocol of every peer (timing.h). */
#ifndef BENCH_HARNESS_H
#define BENCH_HARNESS_H

#include "timing.h"

#include <curl/curl.h>
#include <stddef.h>

/* An answer's bytes, always NUL-terminated once something arrived. */
struct body {
	char *p;
	size_t n, cap;
};

/* Prints "client: WHAT: DETAIL" (detail cut at 300 bytes) and exits 1. */
void die(const char *what, const char *detail);
/* A handle whose answers go to b, with "Authorization: Bearer KEY" and,
 * when json, "Content-Type: application/json" (*headers: the caller frees
 * them with curl_slist_free_all after curl_easy_cleanup). */
CURL *bench_curl(const char *key, int json, struct body *b, struct curl_slist **headers);
/* One request of c's URL into b; dies unless it answers 200. */
void perform(CURL *c, struct body *b);
/* The timed runs of c's request (after the caller's warm-ups); prints
 * NAME's line. ms has room for reps. */
void time_runs(CURL *c, struct body *b, const char *name, int reps, double budget, double *ms);

#endif
