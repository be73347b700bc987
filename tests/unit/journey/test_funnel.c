/*
 * test_funnel.c - funnels (src/journey/funnel.c) against a brute-force
 * oracle that follows the SQL of bench/journey/funnel.sql literally: for
 * each customer t1 is the first step-1 entry in [from, to), t_k the
 * smallest ts of a step-k entry with ts > t_(k-1) and ts <= t1 + window;
 * percentile_disc by sorting. Plus the edge cases and the groups.
 */
#include "testutil.h"
#include <stdlib.h>
#include <string.h>

#include "cxm/arena.h"
#include "cxm/journey.h"

#define SEC INT64_C(1000000)

/* ---- the world of the random tests ------------------------------------------ */

static const struct cxm_event_class classes[] = {
	{1, "ad_click", "social", NULL},      {2, "ad_click", "web", NULL},
	{3, "page_view", "web", "landing"},    {4, "page_view", "web", "cart"},
	{5, "page_view", "app", "cart"},       {6, "purchase", "web", "checkout"},
	{7, "purchase", "store", NULL},        {9, "call", "phone", "support"},
	{12, "chat", "web", "support"},        {40, "delivery", "email", "delivered"},
};
#define NCLASSES (sizeof(classes) / sizeof(classes[0]))

static struct cxm_journey_def jdef;   /* 3 stages, 6 touchpoints: tp i in stage i / 2 */

static void jdef_init(void)
{
	memset(&jdef, 0, sizeof(jdef));
	jdef.n_stages = 3;
	jdef.n_tps = 6;
	for (int i = 0; i < 6; i++)
		jdef.tps[i].stage = i / 2;
}

static uint64_t rng = 12345;
static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static const struct cxm_event_class *class_by_id(uint32_t id)
{
	for (size_t i = 0; i < NCLASSES; i++)
		if (classes[i].id == id)
			return &classes[i];
	return NULL;
}

/* The oracle's own matching, written from the journey.h text. */
static bool eq_opt(const char *want, const char *have)
{
	return !want || (have && strcmp(want, have) == 0);
}
static bool oracle_match(const struct cxm_step *s, const struct cxm_seq_entry *e)
{
	if (!s->is_node) {
		const struct cxm_event_class *c = class_by_id(e->cls);
		return c && strcmp(c->type, s->type) == 0 && eq_opt(s->channel, c->channel) &&
		       eq_opt(s->touchpoint, c->touchpoint);
	}
	for (uint32_t i = 0; i < e->ntags; i++) {
		int slot = (int)(e->tags[i] >> 8), tp = (int)(e->tags[i] & 0xff);
		if (slot != s->slot)
			continue;
		if (s->node < CXM_JOURNEY_STAGES_MAX ? (s->journey && s->journey->tps[tp].stage == s->node)
						     : s->node == CXM_JOURNEY_STAGES_MAX + tp)
			return true;
	}
	return false;
}

/* t[k] for each step (0 when not reached); returns how many were reached. */
static size_t oracle_customer(const struct cxm_funnel_query *q, const struct cxm_seq_entry *e, size_t n, int64_t *t)
{
	size_t reached = 0;
	for (size_t k = 0; k < q->n; k++) {
		int64_t best = 0;
		bool found = false;
		for (size_t i = 0; i < n; i++) {
			bool ok = oracle_match(&q->steps[k], &e[i]);
			if (k == 0)
				ok = ok && e[i].ts >= q->from && e[i].ts < q->to;
			else
				ok = ok && e[i].ts > t[k - 1] && e[i].ts <= t[0] + q->window_us;
			if (ok && (!found || e[i].ts < best)) {
				best = e[i].ts;
				found = true;
			}
		}
		if (!found)
			break;
		t[k] = best;
		reached++;
	}
	return reached;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* percentile_disc by sorting: the smallest value with cumulative share >= q */
static int64_t oracle_pct(int64_t *v, size_t n, double q)
{
	if (n == 0)
		return -1;
	qsort(v, n, sizeof(*v), cmp_i64);
	size_t r = 0;
	while ((double)(r + 1) / (double)n < q - 1e-12)
		r++;
	return v[r];
}

struct customer {
	struct cxm_seq_entry e[40];
	uint32_t tags[40][2];
	size_t n;
	char segment[8];
};

static void random_customer(struct customer *c, int64_t base, int64_t span)
{
	c->n = rnd(40);
	int64_t ts = base + (int64_t)rnd((uint32_t)(span / SEC)) * SEC / 2;
	for (size_t i = 0; i < c->n; i++) {
		/* small steps so equal timestamps happen */
		ts += rnd(4) == 0 ? 0 : (int64_t)rnd(86400) * SEC;
		c->e[i].ts = ts;
		c->e[i].cls = rnd(8) == 0 ? 77 : classes[rnd(NCLASSES)].id;   /* 77: a class never declared */
		c->e[i].ntags = rnd(3) == 0 ? 1 + rnd(2) : 0;
		for (uint32_t t = 0; t < c->e[i].ntags; t++)
			c->tags[i][t] = CXM_SEQ_TAG(t == 0 ? 0 : 3, rnd(6));
		c->e[i].tags = c->tags[i];
	}
	snprintf(c->segment, sizeof(c->segment), "s%u", rnd(80));
}

static void random_step(struct cxm_step *s)
{
	static const char *const types[] = {"ad_click", "page_view", "purchase", "call", "chat", "delivery", "never"};
	static const char *const channels[] = {"web", "app", "social", "phone"};
	static const char *const tps[] = {"cart", "checkout", "support", "landing"};
	memset(s, 0, sizeof(*s));
	if (rnd(3) == 0) {
		s->is_node = true;
		s->slot = rnd(4) == 0 ? 3 : 0;
		s->node = rnd(2) ? (int)rnd(3) : CXM_JOURNEY_STAGES_MAX + (int)rnd(6);
		s->journey = &jdef;
		return;
	}
	s->type = types[rnd(20) ? rnd(6) : 6];
	if (rnd(5) == 0)
		s->channel = channels[rnd(4)];
	if (rnd(5) == 0)
		s->touchpoint = tps[rnd(4)];
}

static struct cxm_funnel *start(const struct cxm_funnel_query *q, struct cxm_arena *a)
{
	struct cxm_funnel *f = cxm_funnel_new(q, a);
	for (size_t i = 0; i < NCLASSES; i++)
		cxm_funnel_class(f, &classes[i]);
	return f;
}

#define CUSTOMERS 3000

static void test_random_against_oracle(void **state)
{
	(void)state;
	jdef_init();
	static struct customer cs[CUSTOMERS];
	static int64_t t[CXM_FUNNEL_STEPS_MAX], took[CUSTOMERS];
	int64_t deep = 0, converted = 0;   /* the random worlds must exercise long chains */
	for (int round = 0; round < 40; round++) {
		struct cxm_funnel_query q;
		memset(&q, 0, sizeof(q));
		q.from = INT64_C(1767225600) * SEC;                /* 2026-01-01 */
		q.to = q.from + (int64_t)(5 + rnd(30)) * 86400 * SEC;
		q.window_us = (int64_t)(1 + rnd(20)) * 86400 * SEC;
		q.n = 1 + rnd(round % 4 == 0 ? CXM_FUNNEL_STEPS_MAX : 6);
		for (size_t k = 0; k < q.n; k++)
			random_step(&q.steps[k]);
		struct cxm_arena a;
		cxm_arena_init(&a, 0);
		struct cxm_funnel *f = start(&q, &a);
		int64_t reached[CXM_FUNNEL_STEPS_MAX] = {0}, hist[CXM_JOURNEY_BUCKETS] = {0};
		size_t nt = 0;
		for (int c = 0; c < CUSTOMERS; c++) {
			random_customer(&cs[c], q.from - 10 * 86400 * SEC, 60 * 86400 * SEC);
			cxm_funnel_customer(f, NULL, cs[c].e, cs[c].n);
			size_t r = oracle_customer(&q, cs[c].e, cs[c].n, t);
			for (size_t k = 0; k < r; k++)
				reached[k]++;
			if (r == q.n) {
				took[nt++] = t[q.n - 1] - t[0];
				hist[cxm_journey_bucket((t[q.n - 1] - t[0]) / SEC)]++;
			}
		}
		struct cxm_funnel_result res;
		cxm_funnel_result(f, &res);
		for (size_t k = 0; k < q.n; k++)
			assert_int_equal(res.all.reached[k], reached[k]);
		assert_int_equal(res.all.p90_us, oracle_pct(took, nt, 0.9));
		assert_int_equal(res.all.p50_us, oracle_pct(took, nt, 0.5));
		assert_memory_equal(res.all.times, hist, sizeof(hist));
		assert_int_equal(res.groups_n, 0);
		deep += q.n >= 3 ? reached[2] : 0;
		converted += q.n >= 2 ? (int64_t)nt : 0;
		cxm_arena_release(&a);
	}
	assert_true(deep > 1000);
	assert_true(converted > 1000);
}

/* ---- edge cases ------------------------------------------------------------ */

static struct cxm_funnel_query query(size_t n, ...)
{
	struct cxm_funnel_query q;
	va_list ap;
	memset(&q, 0, sizeof(q));
	q.from = 1000 * SEC;
	q.to = 2000 * SEC;
	q.window_us = 100 * SEC;
	q.n = n;
	va_start(ap, n);
	for (size_t k = 0; k < n; k++)
		q.steps[k].type = va_arg(ap, const char *);
	va_end(ap);
	return q;
}

static struct cxm_funnel_result run(const struct cxm_funnel_query *q, struct cxm_arena *a,
				    const struct cxm_seq_entry *e, size_t n)
{
	struct cxm_funnel_result r;
	struct cxm_funnel *f = start(q, a);
	cxm_funnel_customer(f, NULL, e, n);
	cxm_funnel_result(f, &r);
	return r;
}

static void test_edges(void **state)
{
	(void)state;
	struct cxm_arena a;
	cxm_arena_init(&a, 0);
	struct cxm_funnel_query q = query(2, "ad_click", "purchase");
	/* equal timestamps never chain */
	struct cxm_seq_entry same[] = {{1500 * SEC, 1, 0, NULL}, {1500 * SEC, 6, 0, NULL}};
	struct cxm_funnel_result r = run(&q, &a, same, 2);
	assert_int_equal(r.all.reached[0], 1);
	assert_int_equal(r.all.reached[1], 0);
	assert_int_equal(r.all.p50_us, -1);
	/* the window's edge is inclusive; one microsecond more is out */
	struct cxm_seq_entry edge[] = {{1500 * SEC, 1, 0, NULL}, {1600 * SEC, 6, 0, NULL}};
	r = run(&q, &a, edge, 2);
	assert_int_equal(r.all.reached[1], 1);
	assert_int_equal(r.all.p50_us, 100 * SEC);
	assert_int_equal(r.all.p90_us, 100 * SEC);
	edge[1].ts += 1;
	r = run(&q, &a, edge, 2);
	assert_int_equal(r.all.reached[1], 0);
	/* from inclusive, to exclusive; the first step-1 in range is the anchor */
	struct cxm_seq_entry range[] = {{999 * SEC, 1, 0, NULL}, {1000 * SEC, 2, 0, NULL}, {1050 * SEC, 1, 0, NULL},
					{1100 * SEC, 1, 0, NULL}, {1140 * SEC, 6, 0, NULL}};
	q = query(2, "ad_click", "purchase");
	r = run(&q, &a, range, 5);
	assert_int_equal(r.all.reached[0], 1);
	assert_int_equal(r.all.reached[1], 0);   /* anchored at 1000 s: purchase at 1140 s is beyond 100 s */
	q.from = 1001 * SEC;
	r = run(&q, &a, range, 5);
	assert_int_equal(r.all.reached[1], 1);   /* anchored at 1050 s */
	assert_int_equal(r.all.p50_us, 90 * SEC);
	struct cxm_seq_entry late[] = {{2000 * SEC, 1, 0, NULL}, {2001 * SEC, 6, 0, NULL}};
	r = run(&q, &a, late, 2);
	assert_int_equal(r.all.reached[0], 0);
	/* a step never seen gives zero, and so do the steps after it */
	q = query(3, "ad_click", "never_recorded", "purchase");
	r = run(&q, &a, edge, 2);
	assert_int_equal(r.all.reached[0], 1);
	assert_int_equal(r.all.reached[1], 0);
	assert_int_equal(r.all.reached[2], 0);
	/* channel and touchpoint narrow a step; a class with no touchpoint never has one */
	q = query(2, "ad_click", "purchase");
	q.steps[0].channel = "web";
	q.steps[1].touchpoint = "checkout";
	struct cxm_seq_entry nar[] = {{1100 * SEC, 1, 0, NULL}, {1101 * SEC, 2, 0, NULL}, {1102 * SEC, 7, 0, NULL},
				      {1103 * SEC, 6, 0, NULL}};
	r = run(&q, &a, nar, 4);
	assert_int_equal(r.all.reached[1], 1);
	assert_int_equal(r.all.p50_us, 2 * SEC);
	cxm_arena_release(&a);
}

static void test_node_steps_and_twenty(void **state)
{
	(void)state;
	jdef_init();
	struct cxm_arena a;
	cxm_arena_init(&a, 0);
	struct cxm_funnel_query q;
	memset(&q, 0, sizeof(q));
	q.from = 0;
	q.to = 100 * SEC;
	q.window_us = 1000 * SEC;
	q.n = CXM_FUNNEL_STEPS_MAX;
	/* 20 steps alternating stage 1 (touchpoints 2 and 3) and touchpoint 5 of slot 7 */
	for (size_t k = 0; k < q.n; k++) {
		q.steps[k].is_node = true;
		q.steps[k].slot = 7;
		q.steps[k].journey = &jdef;
		q.steps[k].node = k % 2 ? cxm_journey_tp_node(5) : cxm_journey_stage_node(1);
	}
	static uint32_t tags[3] = {CXM_SEQ_TAG(7, 2), CXM_SEQ_TAG(7, 3), CXM_SEQ_TAG(7, 5)};
	static uint32_t other[1] = {CXM_SEQ_TAG(6, 2)};   /* another journey's slot */
	struct cxm_seq_entry e[41];
	for (int i = 0; i < 41; i++) {
		e[i].ts = (int64_t)(i + 1) * SEC;
		e[i].cls = 3;
		e[i].ntags = 1;
		e[i].tags = i == 0 ? other : &tags[i % 2 ? (i / 2) % 2 : 2];
	}
	/* e[0] has only slot 6's tag: the anchor is e[1] (stage 1 via touchpoint 2 or 3) */
	struct cxm_funnel_result r = run(&q, &a, e, 41);
	for (size_t k = 0; k < q.n; k++)
		assert_int_equal(r.all.reached[k], 1);
	assert_int_equal(r.all.p50_us, 19 * SEC);   /* e[1] .. e[20] */
	/* without the definition a stage step matches nothing */
	q.steps[0].journey = NULL;
	r = run(&q, &a, e, 41);
	assert_int_equal(r.all.reached[0], 0);
	cxm_arena_release(&a);
}

/* ---- groups ------------------------------------------------------------------ */

static void test_group_by_segment(void **state)
{
	(void)state;
	struct cxm_arena a;
	cxm_arena_init(&a, 0);
	struct cxm_funnel_query q = query(2, "ad_click", "purchase");
	q.by = CXM_FUNNEL_BY_SEGMENT;
	struct cxm_funnel *f = start(&q, &a);
	/* 70 segments: segment i has i + 1 customers; those of even i convert in i + 1 seconds */
	int64_t other_entries = 0;
	for (int i = 0; i < 70; i++) {
		char seg[16];
		snprintf(seg, sizeof(seg), "seg%02d", i);
		for (int c = 0; c <= i; c++) {
			struct cxm_seq_entry e[] = {{1100 * SEC, 1, 0, NULL}, {(1101 + i) * SEC, i % 2 ? 2 : 6, 0, NULL}};
			cxm_funnel_customer(f, seg, e, 2);
		}
		if (i < 6)
			other_entries += i + 1;
	}
	struct cxm_seq_entry nobody[] = {{1100 * SEC, 1, 0, NULL}};
	cxm_funnel_customer(f, NULL, nobody, 1);
	struct cxm_funnel_result r;
	cxm_funnel_result(f, &r);
	assert_int_equal(r.groups_n, CXM_FUNNEL_GROUPS_MAX + 1);
	assert_string_equal(r.groups[0].key, "seg69");
	assert_int_equal(r.groups[0].reached[0], 70);
	assert_int_equal(r.groups[0].reached[1], 0);
	assert_string_equal(r.groups[1].key, "seg68");
	assert_int_equal(r.groups[1].reached[1], 69);
	assert_int_equal(r.groups[1].p50_us, 69 * SEC);
	assert_string_equal(r.groups[63].key, "seg06");
	/* the rest: seg00..seg05 and the customer without a segment */
	assert_null(r.groups[64].key);
	assert_true(r.groups[64].other);
	assert_false(r.groups[63].other);
	assert_int_equal(r.groups[64].reached[0], other_entries + 1);
	assert_int_equal(r.groups[64].reached[1], 1 + 3 + 5);     /* seg00, seg02, seg04 */
	assert_int_equal(r.groups[64].p50_us, 5 * SEC);           /* 1, 3,3,3, 5,5,5,5,5: the 5th */
	assert_int_equal(r.groups[64].p90_us, 5 * SEC);
	assert_int_equal(r.all.reached[0], 70 * 71 / 2 + 1);
	cxm_arena_release(&a);
}

static void test_group_by_week_and_month(void **state)
{
	(void)state;
	struct cxm_arena a;
	cxm_arena_init(&a, 0);
	struct cxm_funnel_query q = query(2, "ad_click", "purchase");
	q.from = 0;
	q.to = INT64_C(1900000000) * SEC;
	q.window_us = 86400 * SEC;
	q.by = CXM_FUNNEL_BY_MONTH;
	q.tz = "Europe/Madrid";
	static const int64_t starts[] = {
		INT64_C(1774996200),   /* 2026-03-31T22:30Z: April 1st in Madrid; ISO 2026-W14 */
		INT64_C(1774994400),   /* 2026-03-31T22:00Z: 2026-04-01T00:00 in Madrid (CEST) */
		INT64_C(1774990800),   /* 2026-03-31T21:00Z: still March in Madrid; 2026-W14 */
		INT64_C(1767225600),   /* 2026-01-01T00:00Z (a Thursday): 2026-W01 */
		INT64_C(1735516800),   /* 2024-12-30T00:00Z (a Monday): 2025-W01 */
		INT64_C(1798761600),   /* 2027-01-01T00:00Z (a Friday): 2026-W53 */
	};
	for (int round = 0; round < 2; round++) {
		struct cxm_funnel *f = start(&q, &a);
		for (size_t i = 0; i < 6; i++) {
			struct cxm_seq_entry e[] = {{starts[i] * SEC, 1, 0, NULL}, {(starts[i] + 60) * SEC, 6, 0, NULL}};
			cxm_funnel_customer(f, "x", e, 2);
		}
		struct cxm_funnel_result r;
		cxm_funnel_result(f, &r);
		if (round == 0) {
			assert_int_equal(r.groups_n, 5);   /* in time order */
			assert_string_equal(r.groups[0].key, "2024-12");
			assert_string_equal(r.groups[1].key, "2026-01");
			assert_string_equal(r.groups[2].key, "2026-03");
			assert_string_equal(r.groups[3].key, "2026-04");
			assert_int_equal(r.groups[3].reached[1], 2);
			assert_int_equal(r.groups[3].p50_us, 60 * SEC);
			assert_string_equal(r.groups[4].key, "2027-01");
			q.by = CXM_FUNNEL_BY_WEEK;
			q.tz = "UTC";
		} else {
			assert_int_equal(r.groups_n, 4);
			assert_string_equal(r.groups[0].key, "2025-W01");
			assert_string_equal(r.groups[1].key, "2026-W01");
			assert_string_equal(r.groups[2].key, "2026-W14");
			assert_int_equal(r.groups[2].reached[0], 3);
			assert_string_equal(r.groups[3].key, "2026-W53");
		}
	}
	cxm_arena_release(&a);
}

/* Long segments (multi-byte, beyond any fixed key) keep one group under
 * the whole key; segments named "other" and "(none)" are ordinary ones,
 * apart from the customers without a segment and from the rest; past
 * CXM_FUNNEL_GROUPS_SEEN_MAX distinct keys, new keys count in the rest. */
static void test_group_keys(void **state)
{
	(void)state;
	struct cxm_arena a;
	cxm_arena_init(&a, 0);
	struct cxm_funnel_query q = query(2, "ad_click", "purchase");
	q.by = CXM_FUNNEL_BY_SEGMENT;
	struct cxm_funnel *f = start(&q, &a);
	char longseg[701];
	for (size_t i = 0; i < 350; i++)
		memcpy(longseg + 2 * i, "\xc3\xb1", 2);   /* "ñ" x 350 */
	longseg[700] = 0;
	struct cxm_seq_entry e[] = {{1100 * SEC, 1, 0, NULL}, {1110 * SEC, 6, 0, NULL}};
	for (int c = 0; c < 10; c++)
		cxm_funnel_customer(f, longseg, e, 2);
	for (int c = 0; c < 9; c++)
		cxm_funnel_customer(f, "other", e, 1);
	for (int c = 0; c < 8; c++)
		cxm_funnel_customer(f, "(none)", e, 1);
	for (int c = 0; c < 7; c++)
		cxm_funnel_customer(f, NULL, e, 1);
	struct cxm_funnel_result r;
	cxm_funnel_result(f, &r);
	assert_int_equal(r.groups_n, 4);
	assert_string_equal(r.groups[0].key, longseg);
	assert_int_equal(r.groups[0].reached[1], 10);
	assert_string_equal(r.groups[1].key, "other");
	assert_false(r.groups[1].other);
	assert_int_equal(r.groups[1].reached[0], 9);
	assert_string_equal(r.groups[2].key, "(none)");
	assert_null(r.groups[3].key);
	assert_false(r.groups[3].other);
	assert_int_equal(r.groups[3].reached[0], 7);

	/* 5000 distinct segments, one customer each, then 3 more of the first */
	f = start(&q, &a);
	for (int i = 0; i < 5000; i++) {
		char seg[16];
		snprintf(seg, sizeof(seg), "s%04d", i);
		cxm_funnel_customer(f, seg, e, 2);
	}
	for (int c = 0; c < 3; c++)
		cxm_funnel_customer(f, "s0000", e, 2);
	cxm_funnel_customer(f, NULL, e, 1);     /* no room left: counted in the rest */
	cxm_funnel_result(f, &r);
	assert_int_equal(r.groups_n, CXM_FUNNEL_GROUPS_MAX + 1);
	assert_string_equal(r.groups[0].key, "s0000");
	assert_int_equal(r.groups[0].reached[0], 4);
	assert_string_equal(r.groups[1].key, "s0001");
	assert_true(r.groups[CXM_FUNNEL_GROUPS_MAX].other);
	assert_int_equal(r.groups[CXM_FUNNEL_GROUPS_MAX].reached[0], 5000 + 1 - CXM_FUNNEL_GROUPS_MAX);
	assert_int_equal(r.groups[CXM_FUNNEL_GROUPS_MAX].reached[1], 5000 - CXM_FUNNEL_GROUPS_MAX);
	assert_int_equal(r.all.reached[0], 5004);
	cxm_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_against_oracle), cmocka_unit_test(test_edges),
		cmocka_unit_test(test_node_steps_and_twenty), cmocka_unit_test(test_group_by_segment),
		cmocka_unit_test(test_group_by_week_and_month), cmocka_unit_test(test_group_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
