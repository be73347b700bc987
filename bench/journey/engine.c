/* bench/journey/engine.c - cxm's funnel code (src/journey/funnel.c) over the
 * benchmark's events, with no store and no HTTP: what the funnel itself
 * costs, and its answers to diff with the SQL peers now.
 *
 *   engine EVENTS CUSTOMERS FROM TO W REPS BUDGET RESULTS [PATHS]
 *
 * Loads gen.c's CSV (untimed): every event gets its class, the dictionary
 * id of (type, channel, touchpoint) in order of first sight, as the store
 * assigns them; each customer's events are sorted by (ts, id), as the
 * store keeps them. Then runs the two queries of funnel.sql ("funnel" and
 * "funnel_by_segment"; FROM, TO, W in microseconds) with the protocol of
 * bench/metrics: two warm-ups (the first writes the answer to RESULTS in
 * the peers' format), then REPS runs or until BUDGET seconds have gone by
 * (at least 3); prints "name p50_ms p95_ms runs" a query. A timed run is
 * what a request would do after the store's scan hands over the entries:
 * for every customer with an entry in [FROM, TO), their entries from FROM
 * on as cxm_seq_entry, through cxm_funnel_customer, then the result.
 *
 * Then, with PATHS, a path query the peers have no counterpart of, timed the
 * same way ("paths" in the times): from the first ad_click/social in
 * [FROM, TO), events until a purchase, 5 steps, the top 20 sequences and
 * the Sankey graph, written to PATHS.
 */
#define _POSIX_C_SOURCE 200809L
#include "timing.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cxm/arena.h"
#include "cxm/journey.h"
#include "cxm/map.h"


struct ent {
	int64_t ts, id;
	uint32_t cls;
};

static struct cxm_event_class *classes;
static size_t classes_n;
static struct ent *ents;      /* by customer, then (ts, id) */
static size_t *first;         /* customer c's entries: ents[first[c] .. first[c + 1]) */
static char (*segment)[8];
static size_t customers;

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "engine: %s: %s\n", what, detail ? detail : "");
	exit(1);
}

static int by_ts_id(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;
	if (x->ts != y->ts)
		return (x->ts > y->ts) - (x->ts < y->ts);
	return (x->id > y->id) - (x->id < y->id);
}

static char *field(char **p)
{
	char *s = *p, *c = strchr(s, ',');
	if (c) {
		*c = '\0';
		*p = c + 1;
	} else {
		s[strcspn(s, "\n")] = '\0';
		*p = s + strlen(s);
	}
	return s;
}

static void load(const char *events, const char *customers_csv)
{
	FILE *f = fopen(customers_csv, "r");
	if (!f)
		die("cannot open", customers_csv);
	char line[256];
	size_t cap = 1024;
	segment = malloc(cap * sizeof(*segment));
	while (fgets(line, sizeof(line), f)) {
		char *p = line;
		size_t id = (size_t)atol(field(&p));
		while (id >= cap) {
			cap *= 2;
			segment = realloc(segment, cap * sizeof(*segment));
		}
		snprintf(segment[id], sizeof(segment[id]), "%s", field(&p));
		if (id + 1 > customers)
			customers = id + 1;
	}
	fclose(f);

	f = fopen(events, "r");
	if (!f)
		die("cannot open", events);
	struct cxm_map dict;
	cxm_map_init(&dict);
	size_t n = 0, ncap = 1 << 20, ccap = 64;
	uint32_t *cust = malloc(ncap * sizeof(*cust));
	struct ent *raw = malloc(ncap * sizeof(*raw));
	classes = malloc(ccap * sizeof(*classes));
	while (fgets(line, sizeof(line), f)) {
		char *p = line;
		if (n == ncap) {
			ncap *= 2;
			cust = realloc(cust, ncap * sizeof(*cust));
			raw = realloc(raw, ncap * sizeof(*raw));
		}
		raw[n].id = atoll(field(&p));
		cust[n] = (uint32_t)atol(field(&p));
		raw[n].ts = atoll(field(&p));
		char *type = field(&p), *channel = field(&p), *tp = field(&p);
		char key[200];
		snprintf(key, sizeof(key), "%s\x1f%s\x1f%s", type, channel, tp);
		int64_t id;
		if (!cxm_map_get(&dict, key, &id)) {
			if (classes_n == ccap)
				classes = realloc(classes, (ccap *= 2) * sizeof(*classes));
			id = (int64_t)classes_n + 1;
			classes[classes_n].id = (uint32_t)id;
			classes[classes_n].type = strdup(type);
			classes[classes_n].channel = strdup(channel);
			classes[classes_n].touchpoint = *tp ? strdup(tp) : NULL;
			classes_n++;
			cxm_map_put(&dict, key, id);
		}
		raw[n].cls = (uint32_t)id;
		if (cust[n] >= customers)
			die("an event of an unknown customer", type);
		n++;
	}
	fclose(f);
	cxm_map_release(&dict);
	first = calloc(customers + 1, sizeof(*first));
	for (size_t i = 0; i < n; i++)
		first[cust[i] + 1]++;
	for (size_t c = 0; c < customers; c++)
		first[c + 1] += first[c];
	size_t *fill = malloc(customers * sizeof(*fill));
	memcpy(fill, first, customers * sizeof(*fill));
	ents = malloc((n ? n : 1) * sizeof(*ents));
	for (size_t i = 0; i < n; i++)
		ents[fill[cust[i]]++] = raw[i];
	free(fill);
	free(cust);
	free(raw);
	for (size_t c = 0; c < customers; c++)
		qsort(ents + first[c], first[c + 1] - first[c], sizeof(*ents), by_ts_id);
	fprintf(stderr, "engine: %zu events, %zu classes, %zu customers loaded\n", n, classes_n, customers - 1);
}

static void query_init(struct cxm_funnel_query *q, int64_t from, int64_t to, int64_t w, enum cxm_funnel_by by)
{
	static const struct cxm_step steps[] = {
		{.type = "ad_click", .channel = "social"},  {.type = "page_view", .touchpoint = "landing_page"},
		{.type = "page_view", .touchpoint = "search"}, {.type = "page_view", .touchpoint = "category_page"},
		{.type = "page_view", .touchpoint = "product_page"}, {.type = "page_view", .touchpoint = "cart"},
		{.type = "purchase", .touchpoint = "checkout"}, {.type = "delivery", .touchpoint = "shipping_notice"},
		{.type = "delivery", .touchpoint = "delivered"}, {.type = "call"},
	};
	memset(q, 0, sizeof(*q));
	q->from = from;
	q->to = to;
	q->window_us = w;
	q->n = sizeof(steps) / sizeof(steps[0]);
	memcpy(q->steps, steps, sizeof(steps));
	q->by = by;
	q->tz = "UTC";
}

/* Customer c's entries from FROM on into buf, as the store hands them over;
 * their number, 0 when the customer has no entry in [from, to). */
static size_t entries_of(size_t c, int64_t from, int64_t to, struct cxm_seq_entry *buf)
{
	size_t lo = first[c], hi = first[c + 1];
	while (lo < hi && ents[lo].ts < from)
		lo++;
	if (lo == hi || ents[lo].ts >= to)
		return 0;
	for (size_t i = lo; i < hi; i++) {
		buf[i - lo].ts = ents[i].ts;
		buf[i - lo].cls = ents[i].cls;
		buf[i - lo].ntags = 0;
		buf[i - lo].tags = NULL;
	}
	return hi - lo;
}

/* One timed run: the funnel over every customer with an entry in [from, to). */
static void run(const struct cxm_funnel_query *q, struct cxm_arena *a, struct cxm_seq_entry *buf,
		struct cxm_funnel_result *r)
{
	struct cxm_funnel *f = cxm_funnel_new(q, a);
	for (size_t i = 0; i < classes_n; i++)
		cxm_funnel_class(f, &classes[i]);
	for (size_t c = 1; c < customers; c++) {
		size_t n = entries_of(c, q->from, q->to, buf);
		if (n)
			cxm_funnel_customer(f, segment[c], buf, n);
	}
	cxm_funnel_result(f, r);
}

static void print_group(FILE *out, const char *key, const struct cxm_funnel_group *g, size_t n)
{
	if (key)
		fprintf(out, "%s,", key);
	for (size_t k = 0; k < n; k++)
		fprintf(out, "%lld,", (long long)g->reached[k]);
	if (g->p50_us < 0)
		fprintf(out, "NULL,NULL\n");
	else
		fprintf(out, "%lld,%lld\n", (long long)g->p50_us, (long long)g->p90_us);
}

static void run_paths(const struct cxm_path_query *q, struct cxm_arena *a, struct cxm_seq_entry *buf,
		      struct cxm_path_result *r)
{
	struct cxm_paths *p = cxm_paths_new(q, a);
	for (size_t i = 0; i < classes_n; i++)
		cxm_paths_class(p, &classes[i]);
	for (size_t c = 1; c < customers; c++) {
		size_t n = entries_of(c, q->from, q->to, buf);
		if (n)
			cxm_paths_customer(p, buf, n);
	}
	cxm_paths_result(p, r);
}

static void print_paths(FILE *out, const struct cxm_path_result *r)
{
	fprintf(out, "customers %lld, other %lld\n", (long long)r->customers, (long long)r->other);
	for (size_t i = 0; i < r->sequences_n; i++) {
		fprintf(out, "%lld", (long long)r->sequences[i].customers);
		for (size_t k = 0; k < r->sequences[i].n; k++)
			fprintf(out, "%s%s", k ? " > " : " ", r->sequences[i].labels[k]);
		fputc('\n', out);
	}
	fprintf(out, "%zu nodes, %zu links\n", r->nodes_n, r->links_n);
	for (size_t l = 0; l < r->links_n; l++)
		fprintf(out, "%zu:%s -> %s %lld median %lld us\n", r->nodes[r->links[l].from].depth,
			r->nodes[r->links[l].from].label, r->nodes[r->links[l].to].label,
			(long long)r->links[l].customers, (long long)r->links[l].median_us);
}

static void time_paths(int64_t from, int64_t to, int64_t w, int reps, double budget, struct cxm_seq_entry *buf,
		       double *ms, const char *path)
{
	struct cxm_path_query q;
	struct cxm_path_result r;
	memset(&q, 0, sizeof(q));
	q.from = from;
	q.to = to;
	q.window_us = w;
	q.start.type = "ad_click";
	q.start.channel = "social";
	q.end.type = "purchase";
	q.level = CXM_PATH_EVENT;
	q.max_steps = 5;
	q.top = 20;
	for (int wu = 0; wu < WARMUP; wu++) {
		struct cxm_arena a;
		cxm_arena_init(&a, 1 << 20);
		run_paths(&q, &a, buf, &r);
		if (wu == 0) {
			FILE *out = fopen(path, "w");
			if (!out)
				die("cannot write", path);
			print_paths(out, &r);
			fclose(out);
		}
		cxm_arena_release(&a);
	}
	int runs = 0;
	double start = now();
	while (more_runs(runs, reps, start, budget)) {
		struct cxm_arena a;
		cxm_arena_init(&a, 1 << 20);
		double t0 = now();
		run_paths(&q, &a, buf, &r);
		ms[runs++] = (now() - t0) * 1000.0;
		cxm_arena_release(&a);
	}
	report_runs("paths", ms, runs);
}

/* A group's name in RESULTS: the key, "(none)" without a segment, "other". */
static const char *group_name(const struct cxm_funnel_group *g)
{
	return g->other ? "other" : g->key ? g->key : "(none)";
}

static int by_key(const void *a, const void *b)
{
	return strcmp(group_name(a), group_name(b));
}

int main(int argc, char **argv)
{
	if (argc != 9 && argc != 10) {
		fprintf(stderr, "usage: engine EVENTS CUSTOMERS FROM TO W REPS BUDGET RESULTS [PATHS]\n");
		return 2;
	}
	int64_t from = atoll(argv[3]), to = atoll(argv[4]), w = atoll(argv[5]);
	int reps = atoi(argv[6]);
	double budget = atof(argv[7]);
	FILE *results = fopen(argv[8], "w");
	if (!results || reps < MIN_RUNS)
		die("bad arguments", argv[8]);
	load(argv[1], argv[2]);
	size_t longest = 1;
	for (size_t c = 0; c < customers; c++)
		if (first[c + 1] - first[c] > longest)
			longest = first[c + 1] - first[c];
	struct cxm_seq_entry *buf = malloc(longest * sizeof(*buf));
	double *ms = malloc((size_t)reps * sizeof(*ms));

	static const struct {
		const char *name;
		enum cxm_funnel_by by;
	} queries[] = {{"funnel", CXM_FUNNEL_BY_NONE}, {"funnel_by_segment", CXM_FUNNEL_BY_SEGMENT}};
	for (size_t qi = 0; qi < 2; qi++) {
		struct cxm_funnel_query q;
		struct cxm_funnel_result r;
		query_init(&q, from, to, w, queries[qi].by);
		for (int wu = 0; wu < WARMUP; wu++) {
			struct cxm_arena a;
			cxm_arena_init(&a, 1 << 20);
			run(&q, &a, buf, &r);
			if (wu == 0) {
				fprintf(results, "-- %s\n", queries[qi].name);
				if (q.by == CXM_FUNNEL_BY_NONE) {
					print_group(results, NULL, &r.all, q.n);
				} else {
					qsort(r.groups, r.groups_n, sizeof(*r.groups), by_key);
					for (size_t g = 0; g < r.groups_n; g++)
						print_group(results, group_name(&r.groups[g]), &r.groups[g], q.n);
				}
			}
			cxm_arena_release(&a);
		}
		int runs = 0;
		double start = now();
		while (more_runs(runs, reps, start, budget)) {
			struct cxm_arena a;
			cxm_arena_init(&a, 1 << 20);
			double t0 = now();
			run(&q, &a, buf, &r);
			ms[runs++] = (now() - t0) * 1000.0;
			cxm_arena_release(&a);
		}
		report_runs(queries[qi].name, ms, runs);
	}
	fclose(results);
	if (argc == 10)
		time_paths(from, to, w, reps, budget, buf, ms, argv[9]);
	return 0;
}
