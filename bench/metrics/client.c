/* bench/metrics/client.c - the overview query set through cxm's HTTP API.
 *
 *   client BASE_URL API_KEY REPS BUDGET RESULTS > times
 *
 * The same protocol as peer.c: each of the five queries of queries.sql,
 * asked as GET /api/v1/metrics/nps, runs twice to warm up (the first run
 * writes its rows to RESULTS), then REPS times or for BUDGET seconds,
 * whichever ends first (at least 3 runs); prints "name p50 p95 runs" in
 * milliseconds. A run is one request on a kept-alive connection, timed in
 * the client from sending it to the last byte of the answer.
 *
 * RESULTS has the rows queries.sql gives: k, n, promoters, passives,
 * detractors, nps, lo95, hi95 (ordered by k; months as YYYY-MM, empty
 * months left out). The counts are the API's exact `counts`; nps, lo95 and
 * hi95 are its `score`, `ci_low` and `ci_high`, which it rounds to 0.1.
 */
#define _POSIX_C_SOURCE 200809L
#include "harness.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RECENT "from=2026-08-01&to=2026-11-01"

static const struct {
	const char *name, *query;
} queries[] = {
	{ "overall", RECENT },
	{ "by_month", "from=2024-11-01&to=2026-11-01&interval=month" },
	{ "by_segment", RECENT "&by=segment" },
	{ "by_channel", RECENT "&by=channel" },
	{ "by_agent", RECENT "&by=agent" },
};

struct row {
	char k[64];
	cJSON *fig;
};

static int cmp_row(const void *a, const void *b)
{
	return strcmp(((const struct row *)a)->k, ((const struct row *)b)->k);
}

static double num(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	if (!cJSON_IsNumber(v))
		die("a figure without", name);
	return v->valuedouble;
}

/* The rows of one answer, as queries.sql gives them. */
static void write_rows(FILE *out, const char *name, const char *json)
{
	cJSON *doc = cJSON_Parse(json), *list, *it;
	struct row rows[512];
	int n = 0;

	if (!doc)
		die("not JSON", json);
	fprintf(out, "-- %s\n", name);
	if (cJSON_IsArray(list = cJSON_GetObjectItemCaseSensitive(doc, "groups"))) {
		cJSON_ArrayForEach(it, list) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, "value");
			if (!cJSON_IsString(v) || n == 512)
				die("a group without a value", name);
			snprintf(rows[n].k, sizeof rows[n].k, "%s", v->valuestring);
			rows[n++].fig = it;
		}
	} else if (cJSON_IsArray(list = cJSON_GetObjectItemCaseSensitive(doc, "series"))) {
		cJSON_ArrayForEach(it, list) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, "bucket");
			if (!cJSON_IsString(v) || n == 512)
				die("a bucket without a date", name);
			if (num(it, "n") == 0)
				continue;
			/* "2026-08-01" -> "2026-08" */
			snprintf(rows[n].k, sizeof rows[n].k, "%.7s", v->valuestring);
			rows[n++].fig = it;
		}
	} else {
		snprintf(rows[0].k, sizeof rows[0].k, "all");
		rows[n++].fig = cJSON_GetObjectItemCaseSensitive(doc, "overall");
	}
	qsort(rows, (size_t)n, sizeof rows[0], cmp_row);
	for (int i = 0; i < n; i++) {
		const cJSON *f = rows[i].fig, *counts = cJSON_GetObjectItemCaseSensitive(f, "counts");
		if (!counts)
			die("a figure without counts", name);
		fprintf(out, "%s,%.0f,%.0f,%.0f,%.0f,%.4f,%.4f,%.4f\n", rows[i].k, num(f, "n"), num(counts, "promoters"),
			num(counts, "passives"), num(counts, "detractors"), num(f, "score"), num(f, "ci_low"),
			num(f, "ci_high"));
	}
	cJSON_Delete(doc);
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: client BASE_URL API_KEY REPS BUDGET RESULTS\n");
		return 2;
	}
	int reps = atoi(argv[3]);
	double budget = atof(argv[4]);
	FILE *results = fopen(argv[5], "w");
	double *ms = malloc(sizeof *ms * (size_t)(reps > 0 ? reps : 1));
	char url[1024];
	struct body b = { 0 };
	struct curl_slist *headers;

	if (!results || reps < MIN_RUNS || !ms)
		die("bad arguments", argv[5]);
	CURL *c = bench_curl(argv[2], 0, &b, &headers);
	for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
		snprintf(url, sizeof url, "%s/api/v1/metrics/nps?%s", argv[1], queries[i].query);
		curl_easy_setopt(c, CURLOPT_URL, url);
		for (int w = 0; w < WARMUP; w++) {
			perform(c, &b);
			if (!w)
				write_rows(results, queries[i].name, b.p);
		}
		time_runs(c, &b, queries[i].name, reps, budget, ms);
	}
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
	curl_global_cleanup();
	free(b.p);
	free(ms);
	fclose(results);
	return 0;
}
