/*
 * test_paths.c - paths (src/journey/paths.c): small cases checked by hand
 * at the event, stage and touchpoint levels, and the invariants of the
 * Sankey graph and the sequences on random sequences.
 */
#include "testutil.h"
#include <string.h>

#include "cxm/arena.h"
#include "cxm/journey.h"

#define SEC INT64_C(1000000)

static const struct cxm_event_class classes[] = {
	{1, "ad_click", "social", NULL},     {3, "page_view", "web", "landing"}, {4, "page_view", "web", "cart"},
	{6, "purchase", "web", "checkout"}, {9, "call", "phone", "support"},
};
#define NCLASSES (sizeof(classes) / sizeof(classes[0]))

static struct cxm_paths *start(const struct cxm_path_query *q, struct cxm_arena *a)
{
	struct cxm_paths *p = cxm_paths_new(q, a);
	for (size_t i = 0; i < NCLASSES; i++)
		cxm_paths_class(p, &classes[i]);
	return p;
}

static const struct cxm_path_node *node(const struct cxm_path_result *r, size_t depth, const char *label)
{
	for (size_t i = 0; i < r->nodes_n; i++)
		if (r->nodes[i].depth == depth && strcmp(r->nodes[i].label, label) == 0)
			return &r->nodes[i];
	fail_msg("no node %zu:%s", depth, label);
	return NULL;
}

static const struct cxm_path_link *link_between(const struct cxm_path_result *r, size_t depth, const char *from,
						const char *to)
{
	const struct cxm_path_node *a = node(r, depth, from), *b = node(r, depth + 1, to);
	for (size_t i = 0; i < r->links_n; i++)
		if (&r->nodes[r->links[i].from] == a && &r->nodes[r->links[i].to] == b)
			return &r->links[i];
	fail_msg("no link %s -> %s", from, to);
	return NULL;
}

static void assert_sequence(const struct cxm_path_sequence *s, int64_t customers, size_t n, ...)
{
	va_list ap;
	assert_int_equal(s->customers, customers);
	assert_int_equal(s->n, n);
	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(s->labels[i], va_arg(ap, const char *));
	va_end(ap);
}

#define E(t, c) {(int64_t)(t) * SEC, (c), 0, NULL}

static void test_event_level(void **state)
{
	(void)state;
	struct cxm_arena a;
	cxm_arena_init(&a, 0);
	struct cxm_path_query q;
	memset(&q, 0, sizeof(q));
	q.from = 0;
	q.to = 100 * SEC;
	q.window_us = 100 * SEC;
	q.start.type = "ad_click";
	q.end.type = "purchase";
	q.level = CXM_PATH_EVENT;
	q.max_steps = 2;
	struct cxm_paths *p = start(&q, &a);
	/* collapsed repeat, then the end */
	struct cxm_seq_entry ca[] = {E(10, 1), E(20, 3), E(25, 3), E(30, 4), E(50, 6)};
	/* leaves after the landing page; the second one's cart is beyond the window */
	struct cxm_seq_entry cb[] = {E(10, 1), E(40, 3)};
	struct cxm_seq_entry cc[] = {E(10, 1), E(15, 3), E(200, 4)};
	/* a third label past max_steps: "…" */
	struct cxm_seq_entry cd[] = {E(5, 9), E(10, 1), E(11, 3), E(12, 4), E(13, 3)};
	/* no start in range: not counted */
	struct cxm_seq_entry ce[] = {E(100, 1), E(101, 3)};
	cxm_paths_customer(p, ca, 5);
	cxm_paths_customer(p, cb, 2);
	cxm_paths_customer(p, cc, 3);
	cxm_paths_customer(p, cd, 5);
	cxm_paths_customer(p, ce, 2);
	struct cxm_path_result r;
	cxm_paths_result(p, &r);
	assert_int_equal(r.customers, 4);
	assert_int_equal(r.sequences_n, 3);
	assert_int_equal(r.other, 0);
	assert_sequence(&r.sequences[0], 2, 3, "ad_click", "page_view/landing", "(left)");
	assert_sequence(&r.sequences[1], 1, 4, "ad_click", "page_view/landing", "page_view/cart", "(end)");
	assert_sequence(&r.sequences[2], 1, 4, "ad_click", "page_view/landing", "page_view/cart", "…");
	assert_int_equal(r.nodes_n, 6);
	assert_int_equal(node(&r, 0, "ad_click")->customers, 4);
	assert_int_equal(node(&r, 1, "page_view/landing")->customers, 4);
	assert_int_equal(node(&r, 1, "page_view/landing")->left, 2);
	assert_int_equal(node(&r, 2, "(left)")->customers, 2);
	assert_int_equal(node(&r, 2, "page_view/cart")->left, 0);
	assert_int_equal(r.links_n, 5);
	/* 10, 30, 5, 1 s: the median (percentile_disc) is the 2nd of 4 */
	assert_int_equal(link_between(&r, 0, "ad_click", "page_view/landing")->median_us, 5 * SEC);
	assert_int_equal(link_between(&r, 1, "page_view/landing", "(left)")->median_us, -1);
	assert_int_equal(link_between(&r, 1, "page_view/landing", "page_view/cart")->customers, 2);
	assert_int_equal(link_between(&r, 1, "page_view/landing", "page_view/cart")->median_us, 1 * SEC);
	assert_int_equal(link_between(&r, 2, "page_view/cart", "(end)")->median_us, 20 * SEC);
	assert_int_equal(link_between(&r, 2, "page_view/cart", "…")->median_us, 1 * SEC);

	/* top 1: the rest is "other" */
	q.top = 1;
	p = start(&q, &a);
	cxm_paths_customer(p, ca, 5);
	cxm_paths_customer(p, cb, 2);
	cxm_paths_customer(p, cc, 3);
	cxm_paths_customer(p, cd, 5);
	cxm_paths_customer(p, ce, 2);
	cxm_paths_result(p, &r);
	assert_int_equal(r.sequences_n, 1);
	assert_int_equal(r.other, 2);
	cxm_arena_release(&a);
}

static void test_stage_and_touchpoint_levels(void **state)
{
	(void)state;
	struct cxm_journey_def d;
	memset(&d, 0, sizeof(d));
	d.n_stages = 2;
	d.n_tps = 3;
	d.stages[0].key = "descubrimiento";
	d.stages[0].name = "Descubrimiento";
	d.stages[1].key = "compra";
	d.stages[1].name = "Compra";
	static const char *const tps[] = {"Anuncios", "Newsletter", "Checkout"};
	for (int i = 0; i < 3; i++) {
		d.tps[i].key = tps[i];
		d.tps[i].name = tps[i];
		d.tps[i].stage = i / 2;
	}
	static const uint32_t t0[] = {CXM_SEQ_TAG(2, 0)}, t1[] = {CXM_SEQ_TAG(2, 1)}, t2[] = {CXM_SEQ_TAG(2, 2)},
			      t5[] = {CXM_SEQ_TAG(5, 0)};
	struct cxm_seq_entry e[] = {
		{1 * SEC, 1, 1, t0}, {2 * SEC, 3, 1, t1}, {3 * SEC, 4, 0, NULL}, {4 * SEC, 4, 1, t5}, {5 * SEC, 6, 1, t2},
	};
	struct cxm_path_query q;
	memset(&q, 0, sizeof(q));
	q.to = 10 * SEC;
	q.window_us = 100 * SEC;
	q.start.is_node = true;
	q.start.slot = 2;
	q.start.node = cxm_journey_stage_node(0);
	q.start.journey = &d;
	q.level = CXM_PATH_STAGE;
	q.slot = 2;
	q.journey = &d;
	struct cxm_arena a;
	cxm_arena_init(&a, 0);
	struct cxm_paths *p = start(&q, &a);
	cxm_paths_customer(p, e, 5);
	struct cxm_path_result r;
	cxm_paths_result(p, &r);
	assert_int_equal(r.customers, 1);
	assert_sequence(&r.sequences[0], 1, 3, "Descubrimiento", "Compra", "(left)");
	assert_int_equal(link_between(&r, 0, "Descubrimiento", "Compra")->median_us, 4 * SEC);

	q.level = CXM_PATH_TOUCHPOINT;
	q.end.is_node = true;   /* the end: touchpoint Checkout */
	q.end.slot = 2;
	q.end.node = cxm_journey_tp_node(2);
	p = start(&q, &a);
	cxm_paths_customer(p, e, 5);
	cxm_paths_result(p, &r);
	assert_sequence(&r.sequences[0], 1, 3, "Descubrimiento / Anuncios", "Descubrimiento / Newsletter", "(end)");
	assert_int_equal(link_between(&r, 1, "Descubrimiento / Newsletter", "(end)")->median_us, 3 * SEC);
	cxm_arena_release(&a);
}

static uint64_t rng = 99;
static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static bool is_sink(const char *label)
{
	return !strcmp(label, "(left)") || !strcmp(label, "(end)") || !strcmp(label, "…");
}

static void test_random_invariants(void **state)
{
	(void)state;
	static const char *const types[] = {"ad_click", "page_view", "purchase", "call"};
	for (int round = 0; round < 30; round++) {
		struct cxm_path_query q;
		memset(&q, 0, sizeof(q));
		q.from = 100 * SEC;
		q.to = 400 * SEC;
		q.window_us = (int64_t)(10 + rnd(500)) * SEC;
		q.start.type = types[rnd(4)];
		if (rnd(2))
			q.end.type = types[rnd(4)];
		q.max_steps = rnd(CXM_PATH_STEPS_MAX + 1);
		q.top = rnd(3) ? 5 : 0;
		struct cxm_arena a;
		cxm_arena_init(&a, 0);
		struct cxm_paths *p = start(&q, &a);
		int64_t started = 0;
		for (int c = 0; c < 2000; c++) {
			struct cxm_seq_entry e[30];
			size_t n = rnd(30);
			int64_t ts = rnd(300) * SEC;
			bool in = false;
			for (size_t i = 0; i < n; i++) {
				ts += rnd(3) ? (int64_t)rnd(60) * SEC : 0;
				e[i].ts = ts;
				e[i].cls = classes[rnd(NCLASSES)].id;
				e[i].ntags = 0;
				e[i].tags = NULL;
				const char *type = NULL;
				for (size_t k = 0; k < NCLASSES; k++)
					if (classes[k].id == e[i].cls)
						type = classes[k].type;
				if (!in && ts >= q.from && ts < q.to && !strcmp(type, q.start.type))
					in = true;
			}
			started += in;
			cxm_paths_customer(p, e, n);
		}
		struct cxm_path_result r;
		cxm_paths_result(p, &r);
		assert_int_equal(r.customers, started);
		int64_t sum = r.other;
		for (size_t i = 0; i < r.sequences_n; i++) {
			sum += r.sequences[i].customers;
			assert_true(r.sequences[i].n >= 2 && r.sequences[i].n <= (q.max_steps ? q.max_steps : 5) + 2);
			assert_true(is_sink(r.sequences[i].labels[r.sequences[i].n - 1]));
			if (i)
				assert_true(r.sequences[i].customers <= r.sequences[i - 1].customers);
		}
		assert_int_equal(sum, r.customers);
		int64_t at0 = 0;
		for (size_t v = 0; v < r.nodes_n; v++) {
			const struct cxm_path_node *nd = &r.nodes[v];
			int64_t in = 0, out = 0, to_left = 0;
			for (size_t l = 0; l < r.links_n; l++) {
				const struct cxm_path_link *k = &r.links[l];
				assert_int_equal(r.nodes[k->to].depth, r.nodes[k->from].depth + 1);
				if (k->to == v)
					in += k->customers;
				if (k->from == v) {
					if (!strcmp(r.nodes[k->to].label, "(left)")) {
						to_left += k->customers;
						assert_int_equal(k->median_us, -1);
					} else {
						out += k->customers;
						assert_true(k->median_us >= 0 && k->median_us <= q.window_us);
					}
				}
			}
			if (nd->depth == 0) {
				at0 += nd->customers;
				assert_false(is_sink(nd->label));
			} else {
				assert_int_equal(in, nd->customers);
			}
			/* flow conserves: in = out + left; sinks keep what flows in */
			assert_int_equal(nd->left, to_left);
			if (is_sink(nd->label))
				assert_int_equal(out + to_left, 0);
			else
				assert_int_equal(nd->customers, out + nd->left);
		}
		assert_int_equal(at0, r.customers);
		cxm_arena_release(&a);
	}
}

/* Beyond 200,000 distinct sequences, new ones are counted as "other". */
static void test_sequence_cap(void **state)
{
	(void)state;
	struct cxm_path_query q;
	memset(&q, 0, sizeof(q));
	q.to = 10 * SEC;
	q.window_us = 100 * SEC;
	q.start.type = "s";
	q.top = 1;
	struct cxm_arena a;
	cxm_arena_init(&a, 0);
	struct cxm_paths *p = cxm_paths_new(&q, &a);
	static char names[1001][8];
	for (uint32_t c = 0; c <= 1000; c++) {
		snprintf(names[c], sizeof(names[c]), c == 1000 ? "s" : "t%u", c);
		struct cxm_event_class k = {c + 1, names[c], "web", NULL};
		cxm_paths_class(p, &k);
	}
	/* start, then two of 500 x 400 labels: 200,000 distinct sequences */
	int64_t n = 0;
	for (uint32_t i = 0; i < 200000; i++) {
		struct cxm_seq_entry e[] = {E(1, 1001), E(2, i / 400 + 1), E(3, 500 + i % 400 + 1)};
		cxm_paths_customer(p, e, 3);
		n++;
	}
	/* a new sequence five times: past the cap, so "other" */
	for (int i = 0; i < 5; i++) {
		struct cxm_seq_entry e[] = {E(1, 1001), E(2, 1000), E(3, 999)};
		cxm_paths_customer(p, e, 3);
		n++;
	}
	/* the first sequence twice more: still counted as itself */
	for (int i = 0; i < 2; i++) {
		struct cxm_seq_entry e[] = {E(1, 1001), E(2, 1), E(3, 501)};
		cxm_paths_customer(p, e, 3);
		n++;
	}
	struct cxm_path_result r;
	cxm_paths_result(p, &r);
	assert_int_equal(r.customers, n);
	assert_int_equal(r.sequences_n, 1);
	assert_sequence(&r.sequences[0], 3, 4, "s", "t0", "t500", "(left)");
	assert_int_equal(r.other, n - 3);
	cxm_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_level),
		cmocka_unit_test(test_stage_and_touchpoint_levels),
		cmocka_unit_test(test_random_invariants),
		cmocka_unit_test(test_sequence_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
