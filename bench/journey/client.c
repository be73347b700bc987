/* bench/journey/client.c - the journey benchmark's queries through cxm's
 * HTTP API, with the protocol of the other peers (bench/lib/harness.c).
 *
 *   client BASE_URL API_KEY JOURNEY FROM TO W REPS BUDGET RESULTS PATHS MAP
 *
 * Each query runs twice to warm up (the first writes its answer), then REPS
 * times or for BUDGET seconds, whichever ends first (at least 3 runs);
 * prints "name p50_ms p95_ms runs". A run is one request on a kept-alive
 * connection, timed from sending it to the last byte of the answer.
 *
 *   funnel, funnel_by_segment   POST /api/v1/funnels: funnel.sql's 10 event
 *       steps, window W, entries in [FROM, TO) (UTC microseconds); RESULTS
 *       gets the answers in the format of the peers (reached per step, p50
 *       and p90 of the time to convert in microseconds; groups by key).
 *   map, map_segment            GET /api/v1/journeys/JOURNEY/map for 2025
 *       (all customers, then segment S01); MAP gets reached and converted
 *       per stage.
 *   paths                       GET /api/v1/paths as engine.c's path query
 *       (from the journey touchpoint "anuncios", ad_click/social, to
 *       event:purchase, 5 steps, top 20); PATHS gets it in engine.c's format.
 */
#define _POSIX_C_SOURCE 200809L
#include "harness.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STEPS 10

/* UTC microseconds as RFC 3339 with the microseconds */
static void rfc3339(int64_t us, char *out, size_t len)
{
	time_t s = (time_t)(us / 1000000);
	struct tm tm;
	gmtime_r(&s, &tm);
	snprintf(out, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(us % 1000000));
}

static const cJSON *item(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	if (!v)
		die("an answer without", name);
	return v;
}

static long long whole(const cJSON *o, const char *name)
{
	const cJSON *v = item(o, name);
	if (!cJSON_IsNumber(v))
		die("not a number", name);
	return (long long)llround(v->valuedouble);
}

/* seconds (as the API gives them, to the microsecond) to microseconds; -1 for null */
static long long micros(const cJSON *o, const char *name)
{
	const cJSON *v = item(o, name);
	if (cJSON_IsNull(v))
		return -1;
	if (!cJSON_IsNumber(v))
		die("not a number", name);
	return (long long)llround(v->valuedouble * 1e6);
}

/* one group as the peers print it: reached per step, p50, p90 */
static void print_group(FILE *out, const char *key, const cJSON *g)
{
	const cJSON *steps = item(g, "steps"), *s, *t = item(g, "time_to_convert");
	int k = 0;
	if (key)
		fprintf(out, "%s,", key);
	cJSON_ArrayForEach(s, steps) {
		fprintf(out, "%lld,", whole(s, "reached"));
		k++;
	}
	if (k != STEPS)
		die("a funnel answer without 10 steps", key);
	long long p50 = micros(t, "p50_s"), p90 = micros(t, "p90_s");
	if (p50 < 0)
		fprintf(out, "NULL,NULL\n");
	else
		fprintf(out, "%lld,%lld\n", p50, p90);
}

/* A group's name as the engine writes it: the key, "(none)" for the
 * customers without a segment (key null), "other" for the rest. */
static const char *group_name(const cJSON *g)
{
	const cJSON *key = item(g, "key");
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(g, "other")))
		return "other";
	return cJSON_IsString(key) ? key->valuestring : "(none)";
}

static int by_key(const void *a, const void *b)
{
	return strcmp(group_name(*(const cJSON *const *)a), group_name(*(const cJSON *const *)b));
}

static void write_funnel(FILE *out, const char *name, const char *json)
{
	cJSON *doc = cJSON_Parse(json);
	if (!doc)
		die("not JSON", json);
	fprintf(out, "-- %s\n", name);
	const cJSON *groups = cJSON_GetObjectItemCaseSensitive(doc, "groups");
	if (!groups) {
		print_group(out, NULL, doc);
	} else {
		size_t n = (size_t)cJSON_GetArraySize(groups), i = 0;
		const cJSON **g = malloc((n ? n : 1) * sizeof(*g)), *it;
		cJSON_ArrayForEach(it, groups) g[i++] = it;
		qsort(g, n, sizeof(*g), by_key);
		for (i = 0; i < n; i++)
			print_group(out, group_name(g[i]), g[i]);
		free(g);
	}
	cJSON_Delete(doc);
}

static void write_paths(FILE *out, const char *json)
{
	cJSON *doc = cJSON_Parse(json);
	const cJSON *it, *nodes;
	if (!doc)
		die("not JSON", json);
	fprintf(out, "customers %lld, other %lld\n", whole(doc, "customers"), whole(doc, "other"));
	cJSON_ArrayForEach(it, item(doc, "sequences")) {
		const cJSON *l;
		int k = 0;
		fprintf(out, "%lld", whole(it, "customers"));
		cJSON_ArrayForEach(l, item(it, "labels")) fprintf(out, "%s%s", k++ ? " > " : " ", l->valuestring);
		fputc('\n', out);
	}
	nodes = item(doc, "nodes");
	fprintf(out, "%d nodes, %d links\n", cJSON_GetArraySize(nodes), cJSON_GetArraySize(item(doc, "links")));
	cJSON_ArrayForEach(it, item(doc, "links")) {
		const cJSON *from = cJSON_GetArrayItem(nodes, (int)whole(it, "from"));
		const cJSON *to = cJSON_GetArrayItem(nodes, (int)whole(it, "to"));
		if (!from || !to)
			die("a link to no node", json);
		fprintf(out, "%lld:%s -> %s %lld median %lld us\n", whole(from, "depth"), item(from, "label")->valuestring,
			item(to, "label")->valuestring, whole(it, "customers"), micros(it, "median_s"));
	}
	cJSON_Delete(doc);
}

static void write_map(FILE *out, const char *name, const char *json)
{
	cJSON *doc = cJSON_Parse(json);
	const cJSON *it;
	if (!doc)
		die("not JSON", json);
	fprintf(out, "-- %s\n", name);
	cJSON_ArrayForEach(it, item(doc, "stages")) {
		fprintf(out, "%s reached %lld", item(it, "key")->valuestring, whole(it, "reached"));
		if (cJSON_IsNull(item(it, "converted")))
			fprintf(out, ", final: completed %lld\n", whole(it, "completed"));
		else
			fprintf(out, ", converted %lld\n", whole(it, "converted"));
	}
	cJSON_Delete(doc);
}

struct query {
	const char *name;
	char url[1024];
	char *post; /* NULL: GET */
	int kind;   /* 0 funnel, 1 map, 2 paths */
};

static char *funnel_body(const char *from, const char *to, long long w_s, const char *by)
{
	static const char *const steps[STEPS] = {
		"{\"type\":\"ad_click\",\"channel\":\"social\"}",
		"{\"type\":\"page_view\",\"touchpoint\":\"landing_page\"}",
		"{\"type\":\"page_view\",\"touchpoint\":\"search\"}",
		"{\"type\":\"page_view\",\"touchpoint\":\"category_page\"}",
		"{\"type\":\"page_view\",\"touchpoint\":\"product_page\"}",
		"{\"type\":\"page_view\",\"touchpoint\":\"cart\"}",
		"{\"type\":\"purchase\",\"touchpoint\":\"checkout\"}",
		"{\"type\":\"delivery\",\"touchpoint\":\"shipping_notice\"}",
		"{\"type\":\"delivery\",\"touchpoint\":\"delivered\"}",
		"{\"type\":\"call\"}",
	};
	char *b = malloc(4096);
	size_t n = (size_t)snprintf(b, 4096, "{\"steps\":[");
	for (int k = 0; k < STEPS; k++)
		n += (size_t)snprintf(b + n, 4096 - n, "%s{\"event\":%s}", k ? "," : "", steps[k]);
	snprintf(b + n, 4096 - n, "],\"window\":\"%llds\",\"from\":\"%s\",\"to\":\"%s\",\"by\":\"%s\"}", w_s, from, to,
		 by);
	return b;
}

int main(int argc, char **argv)
{
	if (argc != 12) {
		fprintf(stderr, "usage: client BASE_URL API_KEY JOURNEY FROM TO W REPS BUDGET RESULTS PATHS MAP\n");
		return 2;
	}
	const char *base = argv[1], *journey = argv[3];
	int64_t from = atoll(argv[4]), to = atoll(argv[5]), w = atoll(argv[6]);
	int reps = atoi(argv[7]);
	double budget = atof(argv[8]);
	FILE *results = fopen(argv[9], "w"), *paths = fopen(argv[10], "w"), *map = fopen(argv[11], "w");
	double *ms = malloc(sizeof(*ms) * (size_t)(reps > 0 ? reps : 1));
	char f[96], t[96];
	struct body b = { 0 };
	struct curl_slist *headers;

	if (!results || !paths || !map || reps < MIN_RUNS || !ms || w <= 0 || w % 1000000)
		die("bad arguments", argv[9]);
	rfc3339(from, f, sizeof(f));
	rfc3339(to, t, sizeof(t));
	struct query qs[5] = {
		{ .name = "funnel", .kind = 0, .post = funnel_body(f, t, (long long)(w / 1000000), "none") },
		{ .name = "funnel_by_segment", .kind = 0, .post = funnel_body(f, t, (long long)(w / 1000000), "segment") },
		{ .name = "map", .kind = 1 },
		{ .name = "map_segment", .kind = 1 },
		{ .name = "paths", .kind = 2 },
	};
	for (int i = 0; i < 2; i++)
		snprintf(qs[i].url, sizeof(qs[i].url), "%s/api/v1/funnels", base);
	snprintf(qs[2].url, sizeof(qs[2].url), "%s/api/v1/journeys/%s/map?from=2025-01-01&to=2026-01-01", base, journey);
	snprintf(qs[3].url, sizeof(qs[3].url), "%s/api/v1/journeys/%s/map?from=2025-01-01&to=2026-01-01&segment=S01",
		 base, journey);
	snprintf(qs[4].url, sizeof(qs[4].url),
		 "%s/api/v1/paths?start=journey:anuncios&journey=%s&end=event:purchase&level=event&max_steps=5&top=20"
		 "&from=%s&to=%s&window=%llds",
		 base, journey, f, t, (long long)(w / 1000000));

	CURL *c = bench_curl(argv[2], 1, &b, &headers);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 600L);
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		struct query *q = &qs[i];
		curl_easy_setopt(c, CURLOPT_URL, q->url);
		if (q->post) {
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, q->post);
		} else {
			curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
		}
		for (int wu = 0; wu < WARMUP; wu++) {
			perform(c, &b);
			if (wu)
				continue;
			if (q->kind == 0)
				write_funnel(results, q->name, b.p);
			else if (q->kind == 1)
				write_map(map, q->name, b.p);
			else
				write_paths(paths, b.p);
		}
		time_runs(c, &b, q->name, reps, budget, ms);
		free(q->post);
	}
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
	curl_global_cleanup();
	free(b.p);
	free(ms);
	if (fclose(results) || fclose(paths) || fclose(map))
		die("cannot write", argv[9]);
	return 0;
}
