/* test_moments.c - moments of truth (moments.c) on synthetic customers
 * whose outcome NPS is planted on two touchpoints: those two come out on
 * top, pairwise when few customers rated everything and listwise when
 * many did; touchpoints rated too rarely, or too rarely together with
 * another, are left out with the reason; the lift and its sentence. */
#include "testutil.h"

#include "cxm/i18n.h"
#include "cxm/moments.h"

#include <math.h>
#include <stdlib.h>

static uint64_t rng = 0xD1B54A32D192ED03ull;

static double uniform(void)
{
	rng ^= rng >> 12, rng ^= rng << 25, rng ^= rng >> 27;
	return ((double)((rng * 2685821657736338717ull) >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(void)
{
	return sqrt(-2 * log(uniform())) * cos(2 * M_PI * uniform());
}

static double clip(double x, double lo, double hi)
{
	return fmin(hi, fmax(lo, round(x)));
}

#define K 6
static const struct cxm_moment_scale *scales6(void)
{
	static struct cxm_moment_scale s[K];
	for (int j = 0; j < K; j++)
		s[j] = j == 5 ? cxm_moment_scale_nps : cxm_moment_scale_csat;
	return s;
}

/* n customers; touchpoint j rated with probability p[j]; the outcome
 * planted on touchpoints 1 and 4 (and a little on 0). */
static double *customers(size_t n, const double *p)
{
	double *rows = malloc(n * (K + 1) * sizeof(double));

	for (size_t i = 0; i < n; i++) {
		double *r = rows + i * (K + 1), q[K], general = 0.5 * normal();
		for (int j = 0; j < K; j++)
			q[j] = general + normal();
		r[0] = clip(6 + 1.6 * q[1] + 1.4 * q[4] + 0.2 * q[0] + normal(), 0, 10);
		for (int j = 0; j < K; j++) {
			r[1 + j] = j == 5 ? clip(6 + 2 * q[j], 0, 10) : clip(3 + 1.1 * q[j], 1, 5);
			if (uniform() >= p[j])
				r[1 + j] = NAN;
		}
	}
	return rows;
}

static void two_on_top(const struct cxm_moments *m)
{
	size_t first = 0, second = 1;

	for (size_t j = 0; j < K; j++)
		if (m->m[j].reason == CXM_MOMENT_IN && m->m[j].share > m->m[first].share)
			first = j;
	second = first == 1 ? 4 : 1;
	assert_true(first == 1 || first == 4);
	for (size_t j = 0; j < K; j++)
		if (j != first && j != second && m->m[j].reason == CXM_MOMENT_IN)
			assert_true(m->m[j].share < m->m[second].share);
	assert_true(m->m[1].top && m->m[4].top);
	assert_true(m->m[1].share + m->m[4].share > 70);
	assert_true(m->r2 > 0.3 && m->r2 < 1);
}

static void test_pairwise_planted(void **state)
{
	const double p[K] = { 0.5, 0.5, 0.5, 0.5, 0.5, 0.5 };
	double *rows = customers(3000, p);
	struct cxm_moments m;
	char field[32], why[256];
	(void)state;

	assert_int_equal(cxm_moments_analyse(rows, 3000, K, scales6(), &m, field, sizeof(field), why, sizeof(why)), 0);
	assert_int_equal(m.customers, 3000);
	assert_int_equal(m.analysed, K);
	assert_true(m.complete < 10 * K); /* 3000 / 64 rated all: pairwise */
	assert_false(m.listwise);
	two_on_top(&m);
	for (size_t j = 0; j < K; j++) {
		assert_true(m.m[j].rated > 1200 && m.m[j].rated < 1800);
		assert_int_equal(m.m[j].corr_n, m.m[j].rated);
		assert_true(m.m[j].quadrant != CXM_QUADRANT_NONE);
		assert_true(m.m[j].performance >= 0 && m.m[j].performance <= 100);
	}
	assert_true(m.m[1].corr > 0.4 && fabs(m.m[2].corr) < m.m[1].corr);
	/* who rates delivery (1) well recommend far more than who rates it badly */
	assert_true(m.m[1].lift.valid && m.m[1].lift.significant && m.m[1].lift.diff > 30);
	assert_true(isfinite(m.m[1].lift.a) && m.m[1].lift.a > m.m[1].lift.b);
	char buf[256];
	cxm_moment_lift_text(&m.m[1], "Entrega", CXM_LANG_ES, buf, sizeof(buf));
	assert_non_null(strstr(buf, "clientes que valoran bien Entrega: NPS "));
	assert_non_null(strstr(buf, "frente a"));
	assert_non_null(strstr(buf, "significativa"));
	cxm_moment_lift_text(&m.m[1], "Delivery", CXM_LANG_EN, buf, sizeof(buf));
	assert_non_null(strstr(buf, "customers who rate Delivery well: NPS "));
	cxm_moment_reason_text(&m, 1, NULL, CXM_LANG_EN, buf, sizeof(buf));
	assert_string_equal(buf, "");
	free(rows);
}

static void test_listwise_planted(void **state)
{
	const double p[K] = { 0.95, 0.95, 0.95, 0.95, 0.95, 0.95 };
	double *rows = customers(2000, p);
	struct cxm_moments m;
	char field[32], why[256];
	(void)state;

	assert_int_equal(cxm_moments_analyse(rows, 2000, K, scales6(), &m, field, sizeof(field), why, sizeof(why)), 0);
	assert_true(m.complete >= 10 * K);
	assert_true(m.listwise);
	two_on_top(&m);
	/* the same weights as the key-driver analysis of those rows */
	struct cxm_drivers d;
	struct cxm_driver_scale ds[K];
	for (int j = 0; j < K; j++)
		ds[j] = (struct cxm_driver_scale){ scales6()[j].min, scales6()[j].max };
	assert_int_equal(cxm_drivers_analyse(rows, 2000, K, ds, &d, field, sizeof(field), why, sizeof(why)), 0);
	for (int j = 0; j < K; j++)
		assert_true(m.m[j].importance == d.d[j].importance);
	free(rows);
}

static void test_left_out(void **state)
{
	/* touchpoint 2 rated by 20 customers only; touchpoints 3 and 5 by
	 * disjoint halves but for a few who rated both; 5 is rated less */
	const size_t n = 2000;
	const double p[K] = { 0.7, 0.7, 0, 1, 0.7, 1 };
	double *rows = customers(n, p);
	struct cxm_moments m;
	char field[32], why[256], buf[256];
	const char *names[K] = { "Anuncios", "Entrega", "Tienda", "Web", "Soporte", "App" };
	(void)state;

	for (size_t i = 0; i < n; i++) {
		double *r = rows + i * (K + 1);
		if (i < 20)
			r[1 + 2] = 3;
		if (i % 2 && i > 20)
			r[1 + 3] = NAN;
		else if (i > 20)
			r[1 + 5] = NAN;
		if (i % 7 == 0)
			r[1 + 5] = NAN;
	}
	assert_int_equal(cxm_moments_analyse(rows, n, K, scales6(), &m, field, sizeof(field), why, sizeof(why)), 0);
	assert_int_equal(m.m[2].reason, CXM_MOMENT_FEW_RATED);
	assert_int_equal(m.m[2].pairs, 20);
	assert_int_equal(m.m[2].quadrant, CXM_QUADRANT_NONE);
	assert_true(m.m[2].importance == 0 && !m.m[2].top);
	cxm_moment_reason_text(&m, 2, names, CXM_LANG_ES, buf, sizeof(buf));
	assert_string_equal(buf, "muy pocos clientes lo valoraron: 20, se necesitan al menos 30");
	assert_int_equal(m.m[5].reason, CXM_MOMENT_FEW_TOGETHER);
	assert_int_equal(m.m[5].with, 3);
	assert_true(m.m[5].pairs < CXM_MOMENTS_MIN_PAIRS);
	cxm_moment_reason_text(&m, 5, names, CXM_LANG_EN, buf, sizeof(buf));
	char want[256];
	snprintf(want, sizeof(want), "too few customers rated it together with Web: %lld, at least 30 are needed",
		 (long long)m.m[5].pairs);
	assert_string_equal(buf, want);
	assert_int_equal(m.m[3].reason, CXM_MOMENT_IN);
	assert_int_equal(m.analysed, 4);
	assert_true(m.m[1].top && m.m[4].top);

	/* a touchpoint everyone rates the same */
	for (size_t i = 0; i < n; i++)
		rows[i * (K + 1) + 1] = 4;
	assert_int_equal(cxm_moments_analyse(rows, n, K, scales6(), &m, field, sizeof(field), why, sizeof(why)), 0);
	assert_int_equal(m.m[0].reason, CXM_MOMENT_CONSTANT);
	cxm_moment_reason_text(&m, 0, names, CXM_LANG_ES, buf, sizeof(buf));
	assert_string_equal(buf, "todos los clientes le dieron la misma valoración");

	/* a touchpoint only customers with NPS 7 rated, in varied ways */
	for (size_t i = 0; i < n; i++) {
		double *r = rows + i * (K + 1);
		r[1] = 1 + (double)(i % 5);
		if (i < 40)
			r[0] = 7;
		else
			r[1] = NAN;
	}
	assert_int_equal(cxm_moments_analyse(rows, n, K, scales6(), &m, field, sizeof(field), why, sizeof(why)), 0);
	assert_int_equal(m.m[0].reason, CXM_MOMENT_FLAT_OUTCOME);
	cxm_moment_reason_text(&m, 0, names, CXM_LANG_EN, buf, sizeof(buf));
	assert_string_equal(buf, "every customer who rated it gave the same NPS");
	free(rows);
}

static void test_refusals(void **state)
{
	double rows[4 * 3] = { 5, 1, 2, 5, 3, 4, NAN, 1, 1, 5, 2, 2 };
	struct cxm_moments m;
	char field[32], why[256];
	const struct cxm_moment_scale bad[2] = { { 1, 1, 1, 1 }, { 1, 5, 4, 2 } };
	(void)state;

	cxm_i18n_set("en");
	assert_int_equal(cxm_moments_analyse(rows, 4, 0, scales6(), &m, field, sizeof(field), why, sizeof(why)),
			 CXM_EINVAL);
	assert_string_equal(field, "touchpoints");
	assert_int_equal(cxm_moments_analyse(rows, 4, 2, bad, &m, field, sizeof(field), why, sizeof(why)), CXM_EINVAL);
	assert_string_equal(field, "touchpoints");
	/* every outcome 5: nothing to explain */
	assert_int_equal(cxm_moments_analyse(rows, 4, 2, scales6(), &m, field, sizeof(field), why, sizeof(why)),
			 CXM_EINVAL);
	assert_string_equal(field, "y");
	assert_string_equal(why, "the outcome NPS does not vary: every customer gave the same score");
	rows[0] = 11;
	assert_int_equal(cxm_moments_analyse(rows, 4, 2, scales6(), &m, field, sizeof(field), why, sizeof(why)),
			 CXM_EINVAL);
	assert_string_equal(field, "rows");
	for (int i = 0; i < 4; i++)
		rows[i * 3] = NAN;
	assert_int_equal(cxm_moments_analyse(rows, 4, 2, scales6(), &m, field, sizeof(field), why, sizeof(why)),
			 CXM_EINVAL);
	assert_string_equal(why, "no customer answered the outcome NPS in the period");
	/* few rows: every touchpoint left out, no error */
	double few[3 * 2] = { 1, 2, 9, 4, 5, 3 };
	const struct cxm_moment_scale one[1] = { { 1, 5, 4, 2 } };
	assert_int_equal(cxm_moments_analyse(few, 3, 1, one, &m, field, sizeof(field), why, sizeof(why)), 0);
	assert_int_equal(m.analysed, 0);
	assert_int_equal(m.m[0].reason, CXM_MOMENT_FEW_RATED);
	assert_true(m.r2 == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pairwise_planted),
		cmocka_unit_test(test_listwise_planted),
		cmocka_unit_test(test_left_out),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
