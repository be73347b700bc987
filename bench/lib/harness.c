/* bench/lib/harness.c - the benchmarks' HTTP client harness (harness.h). */
#define _POSIX_C_SOURCE 200809L
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void die(const char *what, const char *detail)
{
	fprintf(stderr, "client: %s: %.300s\n", what, detail ? detail : "");
	exit(1);
}

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
	struct body *b = ctx;
	size_t len = size * n;
	if (b->n + len + 1 > b->cap) {
		b->cap = (b->n + len + 1) * 2;
		if (!(b->p = realloc(b->p, b->cap)))
			die("out of memory", NULL);
	}
	memcpy(b->p + b->n, p, len);
	b->n += len;
	b->p[b->n] = '\0';
	return len;
}

CURL *bench_curl(const char *key, int json, struct body *b, struct curl_slist **headers)
{
	char auth[512];
	CURL *c;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (!(c = curl_easy_init()))
		die("curl_easy_init", NULL);
	*headers = curl_slist_append(NULL, auth);
	if (json)
		*headers = curl_slist_append(*headers, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, *headers);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
	return c;
}

void perform(CURL *c, struct body *b)
{
	long status = 0;
	b->n = 0;
	CURLcode rc = curl_easy_perform(c);
	if (rc != CURLE_OK)
		die("request", curl_easy_strerror(rc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200)
		die("HTTP status not 200", b->p);
}

void time_runs(CURL *c, struct body *b, const char *name, int reps, double budget, double *ms)
{
	double start = now();
	int runs = 0;

	while (more_runs(runs, reps, start, budget)) {
		double t0 = now();
		perform(c, b);
		ms[runs++] = (now() - t0) * 1000.0;
	}
	report_runs(name, ms, runs);
}
