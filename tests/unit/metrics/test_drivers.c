/* test_drivers.c - key-driver analysis (drivers.c) on generated data whose
 * importances are known: independent drivers, correlated ones (against the
 * closed form for two drivers), exact duplicates, a constant driver,
 * missing values, the quadrant, and the refusals. */
#include "testutil.h"

#include "cxm/i18n.h"
#include "cxm/metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static double uniform(void)
{
	rng ^= rng >> 12, rng ^= rng << 25, rng ^= rng >> 27;
	return ((double)((rng * 2685821657736338717ull) >> 11) + 0.5) / 9007199254740992.0;
}

/* A standard normal draw (Box-Muller). */
static double normal(void)
{
	return sqrt(-2 * log(uniform())) * cos(2 * M_PI * uniform());
}

static const struct cxm_driver_scale scale5[CXM_DRIVERS_MAX] = {
	{ 1, 5 }, { 1, 5 }, { 1, 5 }, { 1, 5 }, { 1, 5 }, { 1, 5 },
};

/* Pearson correlation of columns a and b of rows (n x w), complete rows. */
static double corr(const double *rows, size_t n, size_t w, size_t a, size_t b)
{
	double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;

	for (size_t i = 0; i < n; i++)
		ma += rows[i * w + a], mb += rows[i * w + b];
	ma /= (double)n, mb /= (double)n;
	for (size_t i = 0; i < n; i++) {
		double da = rows[i * w + a] - ma, db = rows[i * w + b] - mb;
		sab += da * db, saa += da * da, sbb += db * db;
	}
	return sab / sqrt(saa * sbb);
}

/* The OLS R^2 of column 0 on columns 1..k, by Gaussian elimination on the
 * correlation matrix (an independent route to the same number). */
static double ols_r2(const double *rows, size_t n, size_t k)
{
	double m[8][9], b[8], r2 = 0;

	for (size_t p = 0; p < k; p++) {
		for (size_t q = 0; q < k; q++)
			m[p][q] = corr(rows, n, k + 1, p + 1, q + 1);
		m[p][k] = corr(rows, n, k + 1, 0, p + 1);
	}
	for (size_t c = 0; c < k; c++)
		for (size_t r = c + 1; r < k; r++) {
			double f = m[r][c] / m[c][c];
			for (size_t q = c; q <= k; q++)
				m[r][q] -= f * m[c][q];
		}
	for (size_t c = k; c-- > 0;) {
		double s = m[c][k];
		for (size_t q = c + 1; q < k; q++)
			s -= m[c][q] * b[q];
		b[c] = s / m[c][c];
	}
	for (size_t p = 0; p < k; p++)
		r2 += b[p] * corr(rows, n, k + 1, 0, p + 1);
	return r2;
}

static void test_independent_drivers(void **state)
{
	const size_t n = 20000, k = 3;
	double *rows = malloc(n * (k + 1) * sizeof(double));
	struct cxm_drivers d;
	char field[32], why[200];
	/* y = 0.6 x1 + 0.3 x2 + 0.1 x3 + 0.5 e: var y = 0.71, and each
	 * driver's true share of R^2 is w^2 / 0.71 */
	const double w[3] = { 0.6, 0.3, 0.1 }, truth[3] = { 0.36 / 0.71, 0.09 / 0.71, 0.01 / 0.71 };
	(void)state;

	for (size_t i = 0; i < n; i++) {
		double *r = rows + i * (k + 1);
		r[0] = 0.5 * normal();
		for (size_t j = 0; j < k; j++) {
			r[1 + j] = normal();
			r[0] += w[j] * r[1 + j];
		}
	}
	assert_int_equal(cxm_drivers_analyse(rows, n, k, scale5, &d, field, sizeof(field), why, sizeof(why)), 0);
	assert_int_equal(d.k, 3);
	assert_int_equal(d.rows_used, (int64_t)n);
	assert_true(d.d[0].importance > d.d[1].importance && d.d[1].importance > d.d[2].importance);
	for (size_t j = 0; j < k; j++)
		assert_true(fabs(d.d[j].importance - truth[j]) < 0.02);
	assert_true(fabs(d.r2 - 0.46 / 0.71) < 0.02);
	assert_true(fabs(d.r2 - ols_r2(rows, n, k)) < 1e-9);
	assert_true(fabs(d.d[0].share + d.d[1].share + d.d[2].share - 100) < 1e-9);
	assert_true(fabs(d.d[0].share - 100 * 0.36 / 0.46) < 3);
	free(rows);
}

static void test_correlated_drivers(void **state)
{
	const size_t n = 5000, k = 2;
	double *rows = malloc(n * (k + 1) * sizeof(double));
	struct cxm_drivers d;
	char field[32], why[200];
	(void)state;

	/* x2 = 0.8 x1 + 0.6 e (correlation 0.8); y depends on x1 only */
	for (size_t i = 0; i < n; i++) {
		double *r = rows + i * 3;
		r[1] = normal();
		r[2] = 0.8 * r[1] + 0.6 * normal();
		r[0] = r[1] + 0.8 * normal();
	}
	assert_int_equal(cxm_drivers_analyse(rows, n, k, scale5, &d, field, sizeof(field), why, sizeof(why)), 0);
	/* the closed form for two drivers: R^(1/2) = [[a, b], [b, a]] */
	double r = corr(rows, n, 3, 1, 2), r1 = corr(rows, n, 3, 0, 1), r2 = corr(rows, n, 3, 0, 2);
	double a = (sqrt(1 + r) + sqrt(1 - r)) / 2, b = (sqrt(1 + r) - sqrt(1 - r)) / 2, det = a * a - b * b;
	double b1 = (a * r1 - b * r2) / det, b2 = (a * r2 - b * r1) / det;
	assert_true(fabs(d.d[0].importance - (a * a * b1 * b1 + b * b * b2 * b2)) < 1e-9);
	assert_true(fabs(d.d[1].importance - (b * b * b1 * b1 + a * a * b2 * b2)) < 1e-9);
	assert_true(fabs(d.r2 - ols_r2(rows, n, k)) < 1e-9);
	/* x1 drives; x2 borrows some credit through its correlation */
	assert_true(d.d[0].importance > 2 * d.d[1].importance);
	assert_true(d.d[1].importance > 0.02);
	free(rows);
}

static void test_duplicate_and_constant(void **state)
{
	const size_t n = 2000, k = 3;
	double *rows = malloc(n * (k + 1) * sizeof(double));
	struct cxm_drivers d;
	char field[32], why[200];
	(void)state;

	/* x2 is exactly x1; x3 never varies */
	for (size_t i = 0; i < n; i++) {
		double *r = rows + i * 4;
		r[1] = 3 + normal();
		r[2] = r[1];
		r[3] = 4;
		r[0] = r[1] + normal();
	}
	assert_int_equal(cxm_drivers_analyse(rows, n, k, scale5, &d, field, sizeof(field), why, sizeof(why)), 0);
	double r1 = corr(rows, n, 4, 0, 1);
	/* the twins split what one of them explains alone */
	assert_true(fabs(d.d[0].importance - r1 * r1 / 2) < 1e-9);
	assert_true(fabs(d.d[1].importance - r1 * r1 / 2) < 1e-9);
	assert_true(fabs(d.r2 - r1 * r1) < 1e-9);
	assert_true(d.d[2].constant && !d.d[0].constant);
	assert_true(d.d[2].importance == 0 && d.d[2].share == 0);
	assert_int_equal(d.d[2].quadrant, CXM_QUADRANT_NONE);
	assert_null(cxm_quadrant_name(d.d[2].quadrant));
	assert_true(fabs(d.d[2].performance - 75) < 1e-9 && d.d[2].mean == 4);
	free(rows);
}

static void test_one_driver_and_missing(void **state)
{
	const size_t n = 400;
	double rows[400 * 3];
	struct cxm_drivers d;
	char field[32], why[200];
	int64_t complete = 0, rated2 = 0;
	double sum2 = 0;
	(void)state;

	for (size_t i = 0; i < n; i++) {
		double *r = rows + i * 3;
		r[1] = 1 + 4 * uniform();
		r[2] = 1 + 4 * uniform();
		r[0] = 2 * r[1] + r[2] + normal();
		if (i % 5 == 0)
			r[2] = NAN; /* not rated */
		if (i % 7 == 0)
			r[0] = NAN; /* no outcome: still a rating for the means */
		complete += !isnan(r[0]) && !isnan(r[2]);
		if (!isnan(r[2]))
			rated2++, sum2 += r[2];
	}
	assert_int_equal(cxm_drivers_analyse(rows, n, 2, scale5, &d, field, sizeof(field), why, sizeof(why)), 0);
	assert_int_equal(d.rows_used, complete);
	assert_int_equal(d.d[1].rated, rated2);
	assert_int_equal(d.d[0].rated, (int64_t)n);
	assert_true(fabs(d.d[1].mean - sum2 / (double)rated2) < 1e-12);
	assert_true(fabs(d.d[1].performance - 100 * (d.d[1].mean - 1) / 4) < 1e-9);
	assert_true(d.d[0].importance > d.d[1].importance && d.d[1].importance > 0);
	assert_true(isfinite(d.r2) && d.r2 > 0.5 && d.r2 < 1);

	/* one driver: its importance is its squared correlation */
	double one[400 * 2];
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (isnan(rows[i * 3]))
			continue;
		one[m * 2] = rows[i * 3];
		one[m * 2 + 1] = rows[i * 3 + 1];
		m++;
	}
	assert_int_equal(cxm_drivers_analyse(one, m, 1, scale5, &d, field, sizeof(field), why, sizeof(why)), 0);
	double r = corr(one, m, 2, 0, 1);
	assert_true(fabs(d.d[0].importance - r * r) < 1e-12 && fabs(d.r2 - r * r) < 1e-12);
	assert_true(fabs(d.d[0].share - 100) < 1e-9);
}

static void test_quadrant(void **state)
{
	const size_t n = 8000, k = 4;
	double *rows = malloc(n * (k + 1) * sizeof(double));
	struct cxm_drivers d;
	char field[32], why[200];
	/* x1 matters most and is rated low; x2 matters and is rated high;
	 * x3 barely matters and is rated high; x4 barely matters, rated low */
	const double w[4] = { 0.7, 0.5, 0.1, 0.1 }, mu[4] = { 2, 4, 4.5, 1.5 };
	(void)state;

	for (size_t i = 0; i < n; i++) {
		double *r = rows + i * 5;
		r[0] = 5 + 0.6 * normal();
		for (size_t j = 0; j < k; j++) {
			double z = normal();
			r[1 + j] = mu[j] + 0.5 * z;
			r[0] += w[j] * z;
		}
	}
	assert_int_equal(cxm_drivers_analyse(rows, n, k, scale5, &d, field, sizeof(field), why, sizeof(why)), 0);
	assert_int_equal(d.d[0].quadrant, CXM_QUADRANT_FIX_FIRST);
	assert_int_equal(d.d[1].quadrant, CXM_QUADRANT_KEEP);
	assert_int_equal(d.d[2].quadrant, CXM_QUADRANT_MAINTAIN);
	assert_int_equal(d.d[3].quadrant, CXM_QUADRANT_LOWER_PRIORITY);
	assert_true(fabs(d.mean_importance - d.r2 / 4) < 1e-12);
	assert_true(fabs(d.mean_performance - 50) < 1);
	assert_true(fabs(d.d[0].performance - 25) < 1);
	assert_string_equal(cxm_quadrant_name(d.d[0].quadrant), "fix_first");
	assert_string_equal(cxm_quadrant_name(d.d[3].quadrant), "lower_priority");
	assert_string_equal(cxm_quadrant_label(CXM_QUADRANT_FIX_FIRST, CXM_LANG_EN), "fix first");
	assert_string_equal(cxm_quadrant_label(CXM_QUADRANT_FIX_FIRST, CXM_LANG_ES), "corregir primero");
	assert_string_equal(cxm_quadrant_label(CXM_QUADRANT_NONE, CXM_LANG_ES), "");
	free(rows);
}

static void test_refusals(void **state)
{
	double rows[3 * 6] = { 0 };
	struct cxm_drivers d;
	char field[32], why[200];
	struct cxm_driver_scale bad[2] = { { 1, 5 }, { 5, 5 } };
	(void)state;

	cxm_i18n_set("en");
	/* fewer rows than drivers */
	for (size_t i = 0; i < 18; i++)
		rows[i] = (double)(i % 5);
	assert_int_equal(cxm_drivers_analyse(rows, 3, 5, scale5, &d, field, sizeof(field), why, sizeof(why)),
			 CXM_EINVAL);
	assert_string_equal(field, "rows");
	assert_string_equal(why, "3 complete rows for 5 drivers: at least 7 are needed");
	assert_int_equal(cxm_drivers_analyse(rows, 3, 0, scale5, &d, field, sizeof(field), why, sizeof(why)),
			 CXM_EINVAL);
	assert_string_equal(field, "drivers");
	assert_int_equal(cxm_drivers_analyse(rows, 3, CXM_DRIVERS_MAX + 1, scale5, &d, field, sizeof(field), why,
					     sizeof(why)),
			 CXM_EINVAL);
	assert_string_equal(why, "needs from 1 to 40 drivers");
	assert_int_equal(cxm_drivers_analyse(rows, 3, 2, bad, &d, field, sizeof(field), why, sizeof(why)),
			 CXM_EINVAL);
	assert_string_equal(why, "the scale of driver 2 must have its minimum below its maximum");

	/* the outcome never varies */
	double flat[20 * 2];
	for (size_t i = 0; i < 20; i++)
		flat[i * 2] = 7, flat[i * 2 + 1] = (double)(i % 5);
	assert_int_equal(cxm_drivers_analyse(flat, 20, 1, scale5, &d, field, sizeof(field), why, sizeof(why)),
			 CXM_EINVAL);
	assert_string_equal(field, "y");
	cxm_i18n_set("es");
	assert_int_equal(cxm_drivers_analyse(flat, 20, 1, scale5, &d, field, sizeof(field), why, sizeof(why)),
			 CXM_EINVAL);
	assert_string_equal(why, "el resultado tiene el mismo valor en todas las filas completas");
	cxm_i18n_set("en");

	/* enough rows, but too few of them complete */
	double holes[6 * 3];
	for (size_t i = 0; i < 6; i++)
		holes[i * 3] = (double)i, holes[i * 3 + 1] = (double)(i % 3), holes[i * 3 + 2] = i < 3 ? NAN : 2.0;
	assert_int_equal(cxm_drivers_analyse(holes, 6, 2, scale5, &d, field, sizeof(field), why, sizeof(why)),
			 CXM_EINVAL);
	assert_string_equal(why, "3 complete rows for 2 drivers: at least 4 are needed");
	/* values whose sums overflow a double: a refusal, not NaN */
	double huge[10 * 2];
	for (size_t i = 0; i < 10; i++)
		huge[i * 2] = (double)i, huge[i * 2 + 1] = i % 2 ? 1e300 : -1e300;
	assert_int_equal(cxm_drivers_analyse(huge, 10, 1, scale5, &d, field, sizeof(field), why, sizeof(why)),
			 CXM_EINVAL);
	assert_string_equal(field, "rows");
	assert_string_equal(why, "the values are too large to analyse (ratings are expected)");
	/* no rows at all */
	assert_int_equal(cxm_drivers_analyse(NULL, 0, 2, scale5, &d, field, sizeof(field), why, sizeof(why)),
			 CXM_EINVAL);
	assert_string_equal(field, "rows");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_independent_drivers),   cmocka_unit_test(test_correlated_drivers),
		cmocka_unit_test(test_duplicate_and_constant), cmocka_unit_test(test_one_driver_and_missing),
		cmocka_unit_test(test_quadrant),	      cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
