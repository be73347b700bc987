/* test_state.c - a customer's journey state and contribution (the same
 * events in any order give the same answer), conversion windows, time
 * buckets and their quantiles, friction. */
#include "testutil.h"

#include "cxm/i18n.h"
#include "cxm/journey.h"
#include "cxm/json.h"

#include <math.h>

#define US 1000000LL
#define T0 ((int64_t)1767225600 * US) /* 2026-01-01T00:00:00Z */

static uint64_t rng = 88172645463325252ULL;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double uniform(void)
{
	return (double)(next_rand() >> 11) / 9007199254740992.0;
}

/* Stages a -> b -> {c, d}, d -> c; window 1h. Touchpoints: a.a1 a.a2 b.b1 c.c1 d.d1. */
static const char *const DEF = "{\"name\":\"j\",\"conversion_window\":\"1h\",\"stages\":["
			       "{\"key\":\"a\",\"phase\":\"before\",\"touchpoints\":["
			       "{\"key\":\"a1\",\"match\":{\"type\":\"e0\"}},{\"key\":\"a2\",\"match\":{\"type\":\"e1\"}}]},"
			       "{\"key\":\"b\",\"phase\":\"during\",\"touchpoints\":[{\"key\":\"b1\",\"match\":"
			       "{\"type\":\"e2\"}}],\"next\":[\"c\",\"d\"]},"
			       "{\"key\":\"c\",\"phase\":\"after\",\"touchpoints\":[{\"key\":\"c1\",\"match\":"
			       "{\"type\":\"e3\"}}],\"next\":[]},"
			       "{\"key\":\"d\",\"phase\":\"after\",\"touchpoints\":[{\"key\":\"d1\",\"match\":"
			       "{\"type\":\"e4\"}}],\"next\":[\"c\"]}]}";

static cJSON *def_json;
static struct cxm_journey_def D;

static int setup(void **state)
{
	char field[128], why[256];
	(void)state;

	def_json = cJSON_Parse(DEF);
	if (cxm_journey_check(def_json, &D, field, sizeof(field), why, sizeof(why)))
		fail_msg("%s: %s", field, why);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cJSON_Delete(def_json);
	return 0;
}

struct ev {
	int tp;
	int64_t ts, id;
};

static void state_of(const struct ev *e, size_t n, struct cxm_journey_state *st)
{
	cxm_journey_state_init(st);
	for (size_t i = 0; i < n; i++)
		cxm_journey_state_add(&D, st, e[i].tp, e[i].ts, e[i].id);
}

static const struct cxm_journey_contrib *item(const struct cxm_journey_contrib *c, size_t n, int node)
{
	for (size_t i = 0; i < n; i++)
		if (c[i].node == node)
			return &c[i];
	return NULL;
}

static void test_permutations(void **state)
{
	(void)state;

	for (int round = 0; round < 200; round++) {
		struct ev e[40];
		size_t n = 1 + next_rand() % 40;
		struct cxm_journey_state ref, st;
		struct cxm_journey_contrib cref[CXM_JOURNEY_NODES_MAX], c[CXM_JOURNEY_NODES_MAX];
		size_t nref, nc;

		for (size_t i = 0; i < n; i++) {
			e[i].tp = (int)(next_rand() % (uint64_t)D.n_tps);
			/* few distinct times, so ties of ts happen */
			e[i].ts = T0 + (int64_t)(next_rand() % 8) * 1200 * US;
			e[i].id = (int64_t)(next_rand() % 1000);
		}
		state_of(e, n, &ref);
		nref = cxm_journey_contrib_of(&D, &ref, cref);
		assert_true(ref.current >= 0);
		for (int p = 0; p < 10; p++) {
			for (size_t i = n - 1; i > 0; i--) {
				size_t j = next_rand() % (i + 1);
				struct ev t = e[i];
				e[i] = e[j];
				e[j] = t;
			}
			state_of(e, n, &st);
			assert_memory_equal(&st, &ref, sizeof(st));
			nc = cxm_journey_contrib_of(&D, &st, c);
			assert_int_equal(nc, nref);
			for (size_t i = 0; i < nc; i++) {
				assert_int_equal(c[i].node, cref[i].node);
				assert_int_equal(c[i].first, cref[i].first);
				assert_int_equal(c[i].converted, cref[i].converted);
				assert_int_equal(c[i].seconds, cref[i].seconds);
			}
		}
		/* n counts every event: stage counts sum to the events */
		uint32_t total = 0;
		for (int s = 0; s < D.n_stages; s++)
			total += ref.node[s].n;
		assert_int_equal(total, n);
	}
}

static void test_current(void **state)
{
	struct cxm_journey_state st;
	struct ev e[] = { { 0, T0, 5 }, { 2, T0 + US, 1 }, { 4, T0 + US, 9 }, { 3, T0 + US, 7 } };
	(void)state;

	cxm_journey_state_init(&st);
	assert_int_equal(st.current, -1);
	state_of(e, 4, &st);
	assert_int_equal(st.current, 3); /* d1 (stage d): the same time as the others, the largest id */
	assert_int_equal(st.current_id, 9);
	assert_int_equal(st.node[0].n, 1);
	assert_int_equal(st.node[CXM_JOURNEY_STAGES_MAX + 1].n, 0);
	/* a late event earlier than all moves first, not current */
	cxm_journey_state_add(&D, &st, 1, T0 - 10 * US, 100);
	assert_int_equal(st.current, 3);
	assert_int_equal(st.node[0].first, T0 - 10 * US);
	assert_int_equal(st.node[0].last, T0);
	assert_int_equal(st.node[0].n, 2);
	assert_int_equal(st.node[CXM_JOURNEY_STAGES_MAX + 1].first, T0 - 10 * US);
	/* an out-of-range touchpoint changes nothing */
	cxm_journey_state_add(&D, &st, D.n_tps, T0 + 99 * US, 1000);
	assert_int_equal(st.current, 3);
}

static void test_window(void **state)
{
	struct cxm_journey_state st;
	struct cxm_journey_contrib c[CXM_JOURNEY_NODES_MAX];
	const struct cxm_journey_contrib *a, *b, *tp;
	size_t n;
	(void)state;

	/* exactly the window: converted, 3600 s */
	struct ev e1[] = { { 0, T0, 1 }, { 2, T0 + 3600 * US, 2 } };
	state_of(e1, 2, &st);
	n = cxm_journey_contrib_of(&D, &st, c);
	assert_int_equal(n, 4); /* a, b, a1, b1 */
	a = item(c, n, 0);
	assert_non_null(a);
	assert_true(a->converted);
	assert_int_equal(a->seconds, 3600);
	assert_int_equal(a->first, T0);
	b = item(c, n, 1);
	assert_false(b->converted); /* nothing after b */
	/* one microsecond over the window: not converted */
	struct ev e2[] = { { 0, T0, 1 }, { 2, T0 + 3600 * US + 1, 2 } };
	state_of(e2, 2, &st);
	n = cxm_journey_contrib_of(&D, &st, c);
	assert_false(item(c, n, 0)->converted);
	/* seconds round down */
	struct ev e3[] = { { 0, T0, 1 }, { 2, T0 + 1500 * US + 999999, 2 } };
	state_of(e3, 2, &st);
	n = cxm_journey_contrib_of(&D, &st, c);
	assert_int_equal(item(c, n, 0)->seconds, 1500);
	/* the successor first reached before: no conversion, even with later events there */
	struct ev e4[] = { { 2, T0, 1 }, { 0, T0 + 60 * US, 2 }, { 2, T0 + 120 * US, 3 } };
	state_of(e4, 3, &st);
	n = cxm_journey_contrib_of(&D, &st, c);
	assert_false(item(c, n, 0)->converted);
	/* the same time is not after */
	struct ev e5[] = { { 0, T0, 1 }, { 2, T0, 2 } };
	state_of(e5, 2, &st);
	n = cxm_journey_contrib_of(&D, &st, c);
	assert_false(item(c, n, 0)->converted);
	/* a branch: b -> c or d, the earliest successor counts */
	struct ev e6[] = { { 2, T0, 1 }, { 3, T0 + 900 * US, 2 }, { 4, T0 + 300 * US, 3 } };
	state_of(e6, 3, &st);
	n = cxm_journey_contrib_of(&D, &st, c);
	b = item(c, n, 1);
	assert_true(b->converted);
	assert_int_equal(b->seconds, 300);
	assert_true(item(c, n, 3)->converted); /* d -> c after 600 s */
	assert_int_equal(item(c, n, 3)->seconds, 600);
	assert_false(item(c, n, 2)->converted); /* c is final */
	/* not a successor: a -> c does not convert a */
	struct ev e7[] = { { 0, T0, 1 }, { 3, T0 + 60 * US, 2 } };
	state_of(e7, 2, &st);
	n = cxm_journey_contrib_of(&D, &st, c);
	assert_false(item(c, n, 0)->converted);
	/* a touchpoint converts by its stage's successors, from its own first time */
	struct ev e8[] = { { 0, T0, 1 }, { 1, T0 + 1800 * US, 2 }, { 2, T0 + 3000 * US, 3 } };
	state_of(e8, 3, &st);
	n = cxm_journey_contrib_of(&D, &st, c);
	tp = item(c, n, CXM_JOURNEY_STAGES_MAX + 1);
	assert_non_null(tp);
	assert_int_equal(tp->first, T0 + 1800 * US);
	assert_true(tp->converted);
	assert_int_equal(tp->seconds, 1200);
	assert_int_equal(item(c, n, CXM_JOURNEY_STAGES_MAX + 0)->seconds, 3000);
	assert_null(item(c, n, CXM_JOURNEY_STAGES_MAX + 3));
	/* the a2 touchpoint entered after b: not converted though stage a is */
	struct ev e9[] = { { 0, T0, 1 }, { 2, T0 + 60 * US, 2 }, { 1, T0 + 120 * US, 3 } };
	state_of(e9, 3, &st);
	n = cxm_journey_contrib_of(&D, &st, c);
	assert_true(item(c, n, 0)->converted);
	assert_false(item(c, n, CXM_JOURNEY_STAGES_MAX + 1)->converted);
}

static double lo_of(int b)
{
	return 60.0 * pow(1.3, b - 1);
}

static void test_buckets(void **state)
{
	(void)state;

	assert_int_equal(cxm_journey_bucket(-5), 0);
	assert_int_equal(cxm_journey_bucket(0), 0);
	assert_int_equal(cxm_journey_bucket(59), 0);
	assert_int_equal(cxm_journey_bucket(60), 1);
	assert_int_equal(cxm_journey_bucket(77), 1);
	assert_int_equal(cxm_journey_bucket(78), 2); /* 60 * 1.3 */
	assert_int_equal(cxm_journey_bucket(INT64_MAX), CXM_JOURNEY_BUCKETS - 1);
	/* the longest window stays in a closed bucket */
	assert_true(cxm_journey_bucket(365 * 86400) < CXM_JOURNEY_BUCKETS - 1);
	for (int b = 2; b < CXM_JOURNEY_BUCKETS; b++) {
		int64_t edge = (int64_t)ceil(lo_of(b));
		assert_int_equal(cxm_journey_bucket(edge), b);
		assert_int_equal(cxm_journey_bucket(edge - 1), b - 1);
	}
	/* monotone */
	for (int64_t s = 0, prev = 0; s < 40000000; s += 997) {
		int b = cxm_journey_bucket(s);
		assert_true(b >= prev);
		prev = b;
	}
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void test_quantiles(void **state)
{
	static int64_t v[20000];
	int64_t counts[CXM_JOURNEY_BUCKETS] = { 0 };
	double worst = 0;
	(void)state;

	assert_int_equal(cxm_journey_bucket_quantile(counts, 0.5), -1);
	counts[0] = 10;
	assert_true(cxm_journey_bucket_quantile(counts, 0.5) < 60);
	assert_int_equal(cxm_journey_bucket_quantile(counts, 0), -1);
	assert_int_equal(cxm_journey_bucket_quantile(counts, 1), -1);
	counts[0] = 0;
	counts[10] = 1;
	int64_t one = cxm_journey_bucket_quantile(counts, 0.5);
	assert_true(one >= (int64_t)lo_of(10) && one < (int64_t)ceil(lo_of(11)));
	counts[10] = 0;
	counts[CXM_JOURNEY_BUCKETS - 1] = 3;
	assert_int_equal(cxm_journey_bucket_quantile(counts, 0.9), (int64_t)ceil(lo_of(CXM_JOURNEY_BUCKETS - 1)));

	/* random data: log-normal, exponential and a two-mode mix */
	for (int kind = 0; kind < 3; kind++)
		for (int round = 0; round < 20; round++) {
			size_t n = 100 + next_rand() % 19900;
			double mu = log(600 + uniform() * 200000), sigma = 0.3 + uniform() * 1.5;
			memset(counts, 0, sizeof(counts));
			for (size_t i = 0; i < n; i++) {
				double u1 = uniform() + 1e-12, u2 = uniform(), x;
				double z = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
				if (kind == 0)
					x = exp(mu + sigma * z);
				else if (kind == 1)
					x = -log(u1) * exp(mu);
				else
					x = exp((uniform() < 0.6 ? mu : mu + 2) + 0.4 * z);
				if (x > 1e7)
					x = 1e7; /* below the open-ended last bucket */
				v[i] = (int64_t)x + 60;
				counts[cxm_journey_bucket(v[i])]++;
			}
			qsort(v, n, sizeof(v[0]), cmp_i64);
			static const double qs[] = { 0.1, 0.25, 0.5, 0.75, 0.9, 0.99 };
			for (size_t k = 0; k < ARRAY_SIZE(qs); k++) {
				size_t rank = (size_t)ceil(qs[k] * (double)n);
				double exact = (double)v[rank - 1];
				double est = (double)cxm_journey_bucket_quantile(counts, qs[k]);
				double err = fabs(est - exact) / exact;
				if (err > worst)
					worst = err;
				if (err > 0.14)
					fail_msg("kind %d n %zu q %.2f: exact %.0f, estimate %.0f", kind, n, qs[k], exact,
						 est);
			}
		}
	print_message("worst relative error of the quantiles: %.1f%%\n", worst * 100);
}

static void test_friction(void **state)
{
	struct cxm_friction_weights w;
	struct cxm_friction f;
	struct cxm_friction_input in = { .dropped = 400,
					 .mature = 1000,
					 .not_easy = 300,
					 .effort_n = 1000,
					 .negative = 200,
					 .comments = 1000 };
	(void)state;

	cxm_friction_weights_default(&w);
	assert_true(w.dropoff == 0.4 && w.effort == 0.3 && w.sentiment == 0.3);
	assert_true(w.bands[0] == 25 && w.bands[1] == 50);
	/* the worked example of docs/journeys.md: 100 (0.16 + 0.09 + 0.06) = 31, amber */
	cxm_friction_of(&in, &w, &f);
	assert_true(f.valid);
	assert_true(fabs(f.value - 31.0) < 1e-9);
	assert_int_equal(f.components, 7);
	assert_string_equal(f.colour, "amber");
	assert_true(f.lo < 31 && f.lo > 27 && f.hi > 31 && f.hi < 35);
	/* NULL weights are the defaults */
	struct cxm_friction g;
	cxm_friction_of(&in, NULL, &g);
	assert_true(g.value == f.value && g.lo == f.lo && g.hi == f.hi);

	/* effort below 30 answers: drop-off and sentiment alone */
	in.effort_n = 29;
	in.not_easy = 29;
	cxm_friction_of(&in, &w, &f);
	assert_int_equal(f.components, 5);
	assert_true(fabs(f.value - 100 * (0.4 * 0.4 + 0.3 * 0.2) / 0.7) < 1e-9);
	/* exactly 30 counts */
	in.effort_n = 30;
	in.not_easy = 30;
	cxm_friction_of(&in, &w, &f);
	assert_int_equal(f.components, 7);
	assert_true(fabs(f.value - 100 * (0.16 + 0.3 + 0.06)) < 1e-9);
	assert_string_equal(f.colour, "red");
	/* nothing with enough data */
	struct cxm_friction_input none = { .dropped = 3, .mature = 10, .negative = 1, .comments = 29 };
	cxm_friction_of(&none, &w, &f);
	assert_false(f.valid);
	assert_null(f.colour);
	assert_int_equal(f.components, 0);
	/* weights: drop-off alone; a zero weight drops its component */
	in = (struct cxm_friction_input){ .dropped = 100, .mature = 1000, .not_easy = 900, .effort_n = 1000 };
	w.dropoff = 1;
	w.effort = 0;
	w.sentiment = 0.5;
	cxm_friction_of(&in, &w, &f);
	assert_int_equal(f.components, 1);
	assert_true(fabs(f.value - 10) < 1e-9);
	assert_string_equal(f.colour, "green");
	/* the bands */
	w.bands[0] = 5;
	w.bands[1] = 8;
	cxm_friction_of(&in, &w, &f);
	assert_string_equal(f.colour, "red");
	/* counts out of range are clamped to the shares 0..1 */
	in = (struct cxm_friction_input){ .dropped = 2000, .mature = 1000 };
	cxm_friction_weights_default(&w);
	cxm_friction_of(&in, &w, &f);
	assert_true(f.value <= 100 && f.hi <= 100 && f.lo >= 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_permutations), cmocka_unit_test(test_current),   cmocka_unit_test(test_window),
		cmocka_unit_test(test_buckets),	     cmocka_unit_test(test_quantiles), cmocka_unit_test(test_friction),
	};
	cxm_i18n_set("en");
	return cmocka_run_group_tests(tests, setup, teardown);
}
