/* test_drivers_corr.c - cxm_drivers_from_corr, the relative-weights core of
 * the key-driver analysis taken alone: it equals cxm_drivers_analyse on
 * complete data, recovers the strongest planted driver from correlations
 * estimated pair by pair on data with many missing values, and takes a
 * correlation matrix that is not positive semi-definite. */
#include "testutil.h"

#include "cxm/metrics.h"

#include <math.h>
#include <stdlib.h>

static uint64_t rng = 0x2545F4914F6CDD1Dull;

static double uniform(void)
{
	rng ^= rng >> 12, rng ^= rng << 25, rng ^= rng >> 27;
	return ((double)((rng * 2685821657736338717ull) >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(void)
{
	return sqrt(-2 * log(uniform())) * cos(2 * M_PI * uniform());
}

/* Pearson correlation of columns a and b of rows (n x w) over the rows
 * that have both; *pairs gets how many. */
static double pair_corr(const double *rows, size_t n, size_t w, size_t a, size_t b, size_t *pairs)
{
	double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		if (!isnan(rows[i * w + a]) && !isnan(rows[i * w + b]))
			ma += rows[i * w + a], mb += rows[i * w + b], m++;
	ma /= (double)m, mb /= (double)m;
	for (size_t i = 0; i < n; i++) {
		if (isnan(rows[i * w + a]) || isnan(rows[i * w + b]))
			continue;
		double da = rows[i * w + a] - ma, db = rows[i * w + b] - mb;
		sab += da * db, saa += da * da, sbb += db * db;
	}
	if (pairs)
		*pairs = m;
	return sab / sqrt(saa * sbb);
}

static void correlations(const double *rows, size_t n, size_t k, double *r, double *ry)
{
	for (size_t i = 0; i < k; i++) {
		ry[i] = pair_corr(rows, n, k + 1, 0, 1 + i, NULL);
		for (size_t j = 0; j < k; j++)
			r[i * k + j] = i == j ? 1 : pair_corr(rows, n, k + 1, 1 + i, 1 + j, NULL);
	}
}

static void test_equals_analyse(void **state)
{
	const size_t n = 3000, k = 4;
	static const struct cxm_driver_scale scales[4] = { { 0, 10 }, { 1, 5 }, { 1, 7 }, { 1, 5 } };
	double *rows = malloc(n * (k + 1) * sizeof(double)), r[16], ry[4], imp[4], r2;
	struct cxm_drivers d;
	char field[32], why[200];
	(void)state;

	for (size_t i = 0; i < n; i++) {
		double *x = rows + i * (k + 1), common = normal();
		for (size_t j = 0; j < k; j++)
			x[1 + j] = common * 0.5 + normal();
		x[0] = 2 * x[1] + x[2] + 0.3 * x[3] + 2 * normal();
	}
	assert_int_equal(cxm_drivers_analyse(rows, n, k, scales, &d, field, sizeof(field), why, sizeof(why)), 0);
	correlations(rows, n, k, r, ry);
	assert_int_equal(cxm_drivers_from_corr(r, ry, k, imp, &r2), 0);
	for (size_t j = 0; j < k; j++)
		if (fabs(imp[j] - d.d[j].importance) > 1e-10)
			fail_msg("driver %zu: %.15f from the correlations, %.15f from the rows", j, imp[j],
				 d.d[j].importance);
	assert_true(fabs(r2 - d.r2) < 1e-10);
	assert_true(imp[0] > imp[1] && imp[1] > imp[2] && imp[2] > imp[3] && imp[3] >= 0);
	free(rows);
}

static void test_pairwise_with_missing_values(void **state)
{
	const size_t n = 4000, k = 5;
	double *rows = malloc(n * (k + 1) * sizeof(double)), r[25], ry[5], imp[5], r2;
	size_t complete = 0, pairs;
	(void)state;

	/* driver 3 is planted strongest; each rating is missing 65% of the time */
	for (size_t i = 0; i < n; i++) {
		double *x = rows + i * (k + 1), common = normal();
		for (size_t j = 0; j < k; j++)
			x[1 + j] = 0.6 * common + normal();
		x[0] = 0.4 * x[1] + 0.3 * x[2] + 2.5 * x[4] + 0.2 * x[5] + normal();
		bool all = true;
		for (size_t j = 0; j < k; j++)
			if (uniform() < 0.65)
				x[1 + j] = NAN, all = false;
		complete += all;
	}
	assert_true(complete < 10 * k); /* too few for listwise */
	correlations(rows, n, k, r, ry);
	(void)pair_corr(rows, n, k + 1, 1, 2, &pairs);
	assert_true(pairs > 300);
	assert_int_equal(cxm_drivers_from_corr(r, ry, k, imp, &r2), 0);
	size_t best = 0;
	for (size_t j = 1; j < k; j++)
		if (imp[j] > imp[best])
			best = j;
	assert_int_equal(best, 3);
	assert_true(imp[3] > 0.5 * r2);
	assert_true(r2 > 0.6 && r2 < 1);
	free(rows);
}

static void test_not_positive_definite(void **state)
{
	/* a and b agree, b and c agree, a and c disagree: no data gives this
	 * (eigenvalues 1.9, 1.9, -0.8) */
	const double r[9] = { 1, 0.9, -0.9, 0.9, 1, 0.9, -0.9, 0.9, 1 };
	const double ry[3] = { 0.5, 0.4, 0.1 };
	double imp[3], r2;
	(void)state;

	assert_int_equal(cxm_drivers_from_corr(r, ry, 3, imp, &r2), 0);
	for (size_t j = 0; j < 3; j++)
		assert_true(isfinite(imp[j]) && imp[j] >= 0);
	assert_true(isfinite(r2) && r2 > 0);
	assert_true(fabs(imp[0] + imp[1] + imp[2] - r2) < 1e-12);
	assert_true(imp[0] > imp[2]);

	/* an identity: the weights are the squared correlations */
	const double id[4] = { 1, 0, 0, 1 }, ry2[2] = { 0.6, -0.3 };
	assert_int_equal(cxm_drivers_from_corr(id, ry2, 2, imp, &r2), 0);
	assert_true(fabs(imp[0] - 0.36) < 1e-12 && fabs(imp[1] - 0.09) < 1e-12 && fabs(r2 - 0.45) < 1e-12);

	/* refusals */
	const double nan_r[4] = { 1, NAN, NAN, 1 };
	assert_int_equal(cxm_drivers_from_corr(nan_r, ry2, 2, imp, &r2), CXM_EINVAL);
	assert_int_equal(cxm_drivers_from_corr(id, ry2, 0, imp, &r2), CXM_EINVAL);
	assert_int_equal(cxm_drivers_from_corr(id, ry2, CXM_DRIVERS_MAX + 1, imp, &r2), CXM_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equals_analyse),
		cmocka_unit_test(test_pairwise_with_missing_values),
		cmocka_unit_test(test_not_positive_definite),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
