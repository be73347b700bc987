/* test_stats.c - the figures of src/metrics/ from counts: the published
 * NPS test vectors (Wald and adjusted Wald), CSAT and CES intervals, no
 * data and tiny samples, colours and the tenant's bands, the difference
 * test and its verdicts in es and en, and moving windows over a trend. */
#include "testutil.h"

#include "cxm/i18n.h"
#include "cxm/metrics.h"

#include <math.h>
#include <string.h>

static struct cxm_score_counts nps_counts(int64_t p, int64_t pa, int64_t d)
{
	return (struct cxm_score_counts){ .responses = p + pa + d, .nps_n = p + pa + d, .promoters = p,
					  .passives = pa, .detractors = d };
}

/* Printed to 4 decimals (fewer when the rest are zeros): within half a
 * unit of the last printed digit. */
#define near4(x, want) assert_true(fabs((x) - (want)) <= 0.5e-4 + 1e-9)

/*
 * The five worked cases of the NPS test vectors (computed from the
 * published formulas; the README of the evaluation data): n, promoters,
 * passives, detractors, NPS, variance per respondent, Wald SE, Wald 95%
 * margin, Wald interval, adjusted point, adjusted SE, adjusted interval.
 */
static const struct vec {
	int64_t n, p, pa, d;
	double nps, var, se, moe, lo, hi, adj, se_adj, lo_adj, hi_adj;
} vectors[] = {
	{ 300, 150, 100, 50, 33.3333, 0.555556, 4.3033, 8.4343, 24.899, 41.7677, 33.0033, 4.284, 24.6067, 41.3999 },
	{ 30, 15, 10, 5, 33.3333, 0.555556, 13.6083, 26.6717, 6.6616, 60.0051, 30.303, 13.0231, 4.7781, 55.8279 },
	{ 6, 1, 2, 3, -33.3333, 0.555556, 30.429, 59.6398, -92.9731, 26.3065, -22.2222, 24.9828, -71.1877,
	  26.7433 },
	{ 50, 50, 0, 0, 100.0, 0.0, 0.0, 0.0, 100.0, 100.0, 94.3396, 3.9262, 86.6443, 102.0349 },
	{ 1000, 400, 200, 400, 0.0, 0.8, 2.8284, 5.5436, -5.5436, 5.5436, 0.0, 2.8226, -5.5322, 5.5322 },
};

static void test_nps_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(vectors) / sizeof(*vectors); i++) {
		const struct vec *v = &vectors[i];
		struct cxm_score_counts c = nps_counts(v->p, v->pa, v->d);
		struct cxm_nps r;
		cxm_nps_of(&c, &r);
		assert_true(r.wald.valid && r.adjusted.valid);
		assert_int_equal(r.wald.n, v->n);
		assert_int_equal(r.adjusted.n, v->n);
		near4(r.wald.value, v->nps);
		assert_true(fabs(r.wald.se * r.wald.se * (double)v->n / 1e4 - v->var) <= 0.5e-6 + 1e-12);
		near4(r.wald.se, v->se);
		near4(r.wald.hi - r.wald.value, v->moe);
		near4(r.wald.lo, v->lo);
		near4(r.wald.hi, v->hi);
		near4(r.adjusted.value, v->adj);
		near4(r.adjusted.se, v->se_adj);
		near4(r.adjusted.lo, v->lo_adj);
		near4(r.adjusted.hi, v->hi_adj);
	}
}

static void test_nps_shares_and_extremes(void **state)
{
	struct cxm_score_counts c = nps_counts(150, 100, 50);
	struct cxm_nps r;
	(void)state;

	cxm_nps_of(&c, &r);
	near4(r.promoters, 50.0);
	near4(r.passives, 33.3333);
	near4(r.detractors, 16.6667);
	/* all detractors mirror the all-promoters vector */
	c = nps_counts(0, 0, 50);
	cxm_nps_of(&c, &r);
	near4(r.wald.value, -100);
	assert_true(r.wald.se == 0 && r.wald.lo == -100 && r.wald.hi == -100);
	near4(r.adjusted.value, -94.3396);
	near4(r.adjusted.lo, -102.0349);
	near4(r.adjusted.hi, -86.6443);
	near4(r.detractors, 100);
	/* one promoter: Wald collapses to a point, adjusted Wald does not */
	c = nps_counts(1, 0, 0);
	cxm_nps_of(&c, &r);
	assert_true(r.wald.valid && r.wald.value == 100 && r.wald.lo == 100 && r.wald.hi == 100);
	near4(r.adjusted.value, 25.0); /* (1.75 - 0.75) / 4 */
	assert_true(r.adjusted.hi - r.adjusted.lo > 100);
	assert_true(r.adjusted.small_sample);
}

static void assert_empty(const struct cxm_figure *f)
{
	assert_false(f->valid);
	assert_int_equal(f->n, 0);
	assert_true(f->value == 0 && f->se == 0 && f->lo == 0 && f->hi == 0);
	assert_int_equal(f->colour, CXM_COLOUR_NONE);
}

static void test_no_data(void **state)
{
	struct cxm_score_counts c = { 0 };
	struct cxm_figures f;
	struct cxm_diff d;
	char buf[128];
	(void)state;

	cxm_figures_of(&c, NULL, &f);
	assert_empty(&f.nps.wald);
	assert_empty(&f.nps.adjusted);
	assert_true(f.nps.promoters == 0 && f.nps.passives == 0 && f.nps.detractors == 0);
	assert_empty(&f.csat.share);
	assert_empty(&f.csat.mean);
	assert_empty(&f.ces.mean);
	assert_empty(&f.ces.easy);
	assert_null(cxm_colour_name(f.nps.adjusted.colour));

	/* one side empty: no comparison, and says so */
	struct cxm_score_counts one = nps_counts(10, 0, 0);
	cxm_nps_diff(&one, &c, &d);
	assert_false(d.valid);
	assert_true(d.diff == 0 && d.se == 0 && d.z == 0 && d.p == 0);
	cxm_diff_verdict(&d, CXM_LANG_EN, buf, sizeof(buf));
	assert_string_equal(buf, "not enough data to compare");
	cxm_diff_verdict(&d, CXM_LANG_ES, buf, sizeof(buf));
	assert_string_equal(buf, "no hay datos suficientes para comparar");
}

static void test_csat_ces(void **state)
{
	/* CSAT answers 5,4,4,3,5,2,5,4,1,5 and CES 7,6,5,7,3,6,6,5,7,4,6,7 */
	struct cxm_score_counts c = { .responses = 12, .csat_n = 10, .csat_satisfied = 7, .csat_sum = 38,
				      .csat_sumsq = 162, .ces_n = 12, .ces_easy = 10, .ces_sum = 69,
				      .ces_sumsq = 415 };
	struct cxm_figures f;
	(void)state;

	cxm_figures_of(&c, NULL, &f);
	near4(f.csat.share.value, 70.0);
	near4(f.csat.share.se, 12.8660);
	near4(f.csat.share.lo, 39.2325);
	near4(f.csat.share.hi, 89.6662);
	assert_true(f.csat.share.small_sample);
	assert_int_equal(f.csat.share.colour, CXM_COLOUR_AMBER); /* 70: amber from 70 */
	near4(f.csat.mean.value, 3.8);
	near4(f.csat.mean.se, 0.4422);
	near4(f.csat.mean.lo, 2.7996);
	near4(f.csat.mean.hi, 4.8004);
	near4(f.ces.mean.value, 5.75);
	near4(f.ces.mean.se, 0.3718);
	near4(f.ces.mean.lo, 4.9316);
	near4(f.ces.mean.hi, 6.5684);
	assert_int_equal(f.ces.mean.colour, CXM_COLOUR_GREEN);
	near4(f.ces.easy.value, 83.3333);
	assert_int_equal(f.responses, 12);
	assert_false(f.nps.adjusted.valid);
}

static void test_tiny_samples(void **state)
{
	struct cxm_score_counts c = { 0 };
	struct cxm_figures f;
	(void)state;

	/* one CSAT of 5 and one CES of 1: the mean is known, its spread not */
	cxm_score_counts_of(&c, -1, 5, 1);
	cxm_figures_of(&c, NULL, &f);
	assert_true(f.csat.mean.valid && f.csat.mean.value == 5);
	assert_true(f.csat.mean.lo == 1 && f.csat.mean.hi == 5);
	assert_true(f.ces.mean.lo == 1 && f.ces.mean.hi == 7 && f.ces.mean.value == 1);
	assert_true(f.csat.share.value == 100 && f.csat.share.hi <= 100 && f.csat.share.lo >= 0);
	/* counts that disagree (more satisfied than answers) stay finite */
	struct cxm_figure odd;
	cxm_share_figure(12, 10, &odd);
	assert_true(odd.valid && isfinite(odd.se) && odd.hi <= 100 && odd.lo >= 0);
	assert_true(f.ces.easy.value == 0 && f.ces.easy.lo == 0);
	assert_true(f.csat.mean.small_sample && f.csat.share.small_sample);
	assert_int_equal(f.ces.mean.colour, CXM_COLOUR_RED);
	assert_false(f.nps.wald.valid);

	/* every answer alike: a zero-width mean interval, not NaN */
	c = (struct cxm_score_counts){ .csat_n = 40, .csat_satisfied = 40, .csat_sum = 160, .csat_sumsq = 640 };
	cxm_figures_of(&c, NULL, &f);
	assert_true(f.csat.mean.value == 4 && f.csat.mean.lo == 4 && f.csat.mean.hi == 4);
	assert_false(f.csat.mean.small_sample);
}

static void test_t_quantile(void **state)
{
	(void)state;
	assert_true(fabs(cxm_t975(1) - 12.706205) < 1e-6);
	assert_true(fabs(cxm_t975(9) - 2.262157) < 1e-6);
	assert_true(fabs(cxm_t975(30) - 2.042272) < 1e-6);
	assert_true(fabs(cxm_t975(31) - 2.039513) < 1e-5);
	assert_true(fabs(cxm_t975(100) - 1.983972) < 1e-5);
	assert_true(fabs(cxm_t975(1000000) - CXM_Z95) < 1e-5);
	assert_true(cxm_t975(0) == cxm_t975(1));
}

static void test_small_sample_flag(void **state)
{
	struct cxm_score_counts c;
	struct cxm_nps r;
	(void)state;

	/* 29 unanimous answers: narrow, but too few */
	c = nps_counts(29, 0, 0);
	cxm_nps_of(&c, &r);
	assert_true(r.adjusted.small_sample);
	c = nps_counts(30, 0, 0);
	cxm_nps_of(&c, &r);
	assert_false(r.adjusted.small_sample);
	/* 100 split answers: enough, but wider than +-15 points */
	c = nps_counts(40, 20, 40);
	cxm_nps_of(&c, &r);
	assert_true((r.adjusted.hi - r.adjusted.lo) / 2 > 15);
	assert_true(r.adjusted.small_sample);
	c = nps_counts(400, 200, 400);
	cxm_nps_of(&c, &r);
	assert_false(r.adjusted.small_sample);
}

static void test_colours(void **state)
{
	struct cxm_bands b;
	struct cxm_figure f = { .valid = true, .n = 100 };
	(void)state;

	cxm_bands_default(&b);
	f.value = -0.5;
	assert_int_equal(cxm_colour_of(&b.nps, &f), CXM_COLOUR_RED);
	f.value = 0;
	assert_int_equal(cxm_colour_of(&b.nps, &f), CXM_COLOUR_AMBER);
	f.value = 49.9;
	assert_int_equal(cxm_colour_of(&b.nps, &f), CXM_COLOUR_AMBER);
	f.value = 50;
	assert_int_equal(cxm_colour_of(&b.nps, &f), CXM_COLOUR_GREEN);
	assert_string_equal(cxm_colour_name(CXM_COLOUR_GREEN), "green");
	assert_string_equal(cxm_colour_name(CXM_COLOUR_RED), "red");
	assert_string_equal(cxm_colour_name(CXM_COLOUR_AMBER), "amber");
	f.valid = false;
	assert_int_equal(cxm_colour_of(&b.nps, &f), CXM_COLOUR_NONE);

	/* the figures use the bands they are given */
	struct cxm_score_counts c = nps_counts(60, 20, 20); /* NPS 40 */
	struct cxm_figures fs;
	cxm_figures_of(&c, NULL, &fs);
	assert_int_equal(fs.nps.wald.colour, CXM_COLOUR_AMBER);
	b.nps.green = 30;
	cxm_figures_of(&c, &b, &fs);
	assert_int_equal(fs.nps.wald.colour, CXM_COLOUR_GREEN);
	assert_int_equal(fs.nps.adjusted.colour, CXM_COLOUR_GREEN);
}

static int check(const char *json, struct cxm_bands *b, char *field, char *why)
{
	cJSON *o = cJSON_Parse(json);
	int ret;

	assert_non_null(o);
	ret = cxm_metrics_settings_check(o, b, field, 64, why, 200);
	cJSON_Delete(o);
	return ret;
}

static void test_settings(void **state)
{
	struct cxm_bands b;
	char field[64], why[200];
	(void)state;

	cxm_i18n_set("en");
	assert_int_equal(check("{}", &b, field, why), 0);
	assert_true(b.nps.amber == 0 && b.nps.green == 50 && b.csat.amber == 70 && b.ces.green == 5.5);
	assert_int_equal(check("{\"bands\":{\"nps\":{\"green\":40},\"ces\":{\"amber\":4,\"green\":6}}}", &b, field,
			       why),
			 0);
	assert_true(b.nps.amber == 0 && b.nps.green == 40 && b.ces.amber == 4 && b.ces.green == 6);
	assert_true(b.csat.amber == 70 && b.csat.green == 85);
	assert_int_equal(check("{\"bands\":{\"csat\":{\"amber\":60}}}", NULL, field, why), 0);

	assert_int_equal(check("[]", &b, field, why), CXM_EINVAL);
	assert_string_equal(field, "");
	assert_string_equal(why, "must be a JSON object");
	assert_int_equal(check("{\"colours\":1}", &b, field, why), CXM_EINVAL);
	assert_string_equal(field, "colours");
	assert_string_equal(why, "unknown key 'colours'");
	assert_int_equal(check("{\"bands\":{\"nps\":{\"red\":1}}}", &b, field, why), CXM_EINVAL);
	assert_string_equal(field, "bands.nps.red");
	assert_int_equal(check("{\"bands\":{\"emotion\":{}}}", &b, field, why), CXM_EINVAL);
	assert_string_equal(field, "bands.emotion");
	assert_int_equal(check("{\"bands\":{\"nps\":{\"green\":101}}}", &b, field, why), CXM_EINVAL);
	assert_string_equal(field, "bands.nps.green");
	assert_string_equal(why, "must be a number from -100 to 100");
	assert_int_equal(check("{\"bands\":{\"ces\":{\"amber\":\"4\"}}}", &b, field, why), CXM_EINVAL);
	assert_string_equal(field, "bands.ces.amber");
	assert_string_equal(why, "must be a number from 1 to 7");
	assert_int_equal(check("{\"bands\":{\"csat\":{\"amber\":90}}}", &b, field, why), CXM_EINVAL);
	assert_string_equal(field, "bands.csat");
	assert_string_equal(why, "amber (90) must not be above green (85)");
	assert_int_equal(check("{\"bands\":[]}", &b, field, why), CXM_EINVAL);
	assert_string_equal(field, "bands");
	cxm_i18n_set("es");
	assert_int_equal(check("{\"bands\":{\"nps\":{\"amber\":-101}}}", &b, field, why), CXM_EINVAL);
	assert_string_equal(field, "bands.nps.amber");
	assert_string_equal(why, "debe ser un número entre -100 y 100");
	cxm_i18n_set("en");
}

static void test_nps_difference(void **state)
{
	struct cxm_score_counts a = nps_counts(150, 100, 50), b = nps_counts(400, 200, 400);
	struct cxm_score_counts total = nps_counts(400, 300, 300), rest = total;
	struct cxm_diff d;
	char buf[128];
	(void)state;

	cxm_nps_diff(&a, &b, &d);
	assert_true(d.valid && d.points);
	near4(d.diff, 33.3333);
	/* sqrt(4.2840^2 + 2.8226^2) from the adjusted vectors */
	assert_true(fabs(d.se - sqrt(4.284 * 4.284 + 2.8226 * 2.8226)) < 1e-3);
	assert_true(fabs(d.z - d.diff / d.se) < 1e-12);
	assert_true(d.p < 1e-9 && d.significant && d.direction == 1);
	cxm_diff_verdict(&d, CXM_LANG_EN, buf, sizeof(buf));
	assert_string_equal(buf, "up 33 points, significant");
	cxm_diff_verdict(&d, CXM_LANG_ES, buf, sizeof(buf));
	assert_string_equal(buf, "sube 33 puntos, significativo");
	cxm_nps_diff(&b, &a, &d);
	assert_int_equal(d.direction, -1);
	cxm_diff_verdict(&d, CXM_LANG_ES, buf, sizeof(buf));
	assert_string_equal(buf, "baja 33 puntos, significativo");

	/* a group against the rest: the total minus the group */
	cxm_score_counts_add(&rest, &a, -1);
	assert_int_equal(rest.nps_n, 700);
	cxm_nps_diff(&a, &rest, &d);
	near4(d.b, 0.0);
	near4(d.diff, 33.3333);

	/* same NPS, different sizes: no change, p = 1 */
	struct cxm_score_counts small = nps_counts(15, 10, 5);
	cxm_nps_diff(&small, &a, &d);
	assert_true(fabs(d.diff) < 1e-9 && fabs(d.p - 1) < 1e-9 && !d.significant && d.direction == 0);
	cxm_diff_verdict(&d, CXM_LANG_EN, buf, sizeof(buf));
	assert_string_equal(buf, "no significant change (+0 points)");

	/* 6 points on 200 each is not significant: p from the normal tail */
	struct cxm_score_counts x = nps_counts(100, 56, 44), y = nps_counts(94, 56, 50);
	cxm_nps_diff(&x, &y, &d);
	near4(d.diff, 6.0);
	assert_true(fabs(d.p - erfc(fabs(d.z) / sqrt(2))) < 1e-15);
	assert_true(d.p > 0.05 && d.p < 0.6 && d.direction == 0);
	cxm_diff_verdict(&d, CXM_LANG_ES, buf, sizeof(buf));
	assert_string_equal(buf, "sin cambio significativo (+6 puntos)");
	/* the same shares on 2000 each are */
	x = nps_counts(1000, 560, 440);
	y = nps_counts(940, 560, 500);
	cxm_nps_diff(&x, &y, &d);
	assert_true(d.significant && d.p < 0.05);
	cxm_diff_verdict(&d, CXM_LANG_ES, buf, sizeof(buf));
	assert_string_equal(buf, "sube 6 puntos, significativo");
	/* both unanimous: the adjusted variances keep z finite */
	x = nps_counts(40, 0, 0);
	y = nps_counts(0, 0, 40);
	cxm_nps_diff(&x, &y, &d);
	assert_true(isfinite(d.z) && d.se > 0 && d.significant && d.diff == 200);
}

static void test_verdict_wording(void **state)
{
	struct cxm_diff d = { .valid = true, .points = true, .diff = 0.3, .significant = true, .direction = 1 };
	char buf[128];
	(void)state;

	/* a significant change under half a point is not "0 points" */
	cxm_diff_verdict(&d, CXM_LANG_EN, buf, sizeof(buf));
	assert_string_equal(buf, "up 0.3 points, significant");
	d.diff = -1.2, d.direction = -1;
	cxm_diff_verdict(&d, CXM_LANG_EN, buf, sizeof(buf));
	assert_string_equal(buf, "down 1 point, significant");
	cxm_diff_verdict(&d, CXM_LANG_ES, buf, sizeof(buf));
	assert_string_equal(buf, "baja 1 punto, significativo");
	d.diff = 1.6, d.direction = 0, d.significant = false;
	cxm_diff_verdict(&d, CXM_LANG_ES, buf, sizeof(buf));
	assert_string_equal(buf, "sin cambio significativo (+2 puntos)");
	d.diff = -0.7;
	cxm_diff_verdict(&d, CXM_LANG_EN, buf, sizeof(buf));
	assert_string_equal(buf, "no significant change (-1 point)");
	d.diff = 0.5, d.direction = 1, d.significant = true;
	cxm_diff_verdict(&d, CXM_LANG_EN, buf, sizeof(buf));
	assert_string_equal(buf, "up 1 point, significant");
	d.diff = 2.5;
	cxm_diff_verdict(&d, CXM_LANG_EN, buf, sizeof(buf));
	assert_string_equal(buf, "up 3 points, significant");
	d.points = false, d.diff = 0.4, d.direction = 1;
	cxm_diff_verdict(&d, CXM_LANG_ES, buf, sizeof(buf));
	assert_string_equal(buf, "sube 0.40, significativo");
	/* a short buffer is cut, still a string */
	cxm_diff_verdict(&d, CXM_LANG_EN, buf, 5);
	assert_string_equal(buf, "up 0");
}

static void test_csat_ces_difference(void **state)
{
	/* CSAT: 90 of 100 against 70 of 100 satisfied */
	struct cxm_score_counts a = { .csat_n = 100, .csat_satisfied = 90, .csat_sum = 430, .csat_sumsq = 1900 };
	struct cxm_score_counts b = { .csat_n = 100, .csat_satisfied = 70, .csat_sum = 380, .csat_sumsq = 1500 };
	struct cxm_figure fa, fb;
	struct cxm_diff d;
	char buf[128];
	(void)state;

	cxm_csat_diff(&a, &b, &d);
	cxm_share_figure(90, 100, &fa);
	cxm_share_figure(70, 100, &fb);
	assert_true(d.valid && d.points && fabs(d.diff - 20) < 1e-9);
	assert_true(fabs(d.se - sqrt(fa.se * fa.se + fb.se * fb.se)) < 1e-12);
	assert_true(d.significant);
	cxm_diff_verdict(&d, CXM_LANG_EN, buf, sizeof(buf));
	assert_string_equal(buf, "up 20 points, significant");

	/* CES means: 200 answers of 6 and 4 (mean 5) against 200 of 5 and 3 (4) */
	struct cxm_score_counts x = { .ces_n = 200, .ces_sum = 1000, .ces_sumsq = 100 * 36 + 100 * 16 };
	struct cxm_score_counts y = { .ces_n = 200, .ces_sum = 800, .ces_sumsq = 100 * 25 + 100 * 9 };
	cxm_ces_diff(&y, &x, &d);
	assert_true(d.valid && !d.points && fabs(d.diff + 1) < 1e-9 && d.significant);
	cxm_diff_verdict(&d, CXM_LANG_EN, buf, sizeof(buf));
	assert_string_equal(buf, "down 1.00, significant");
	cxm_diff_verdict(&d, CXM_LANG_ES, buf, sizeof(buf));
	assert_string_equal(buf, "baja 1.00, significativo");
	/* no spread on either side and equal means: p = 1, not NaN */
	struct cxm_score_counts s = { .ces_n = 5, .ces_sum = 25, .ces_sumsq = 125 };
	cxm_ces_diff(&s, &s, &d);
	assert_true(d.valid && d.se == 0 && d.p == 1 && d.direction == 0);
	cxm_diff_verdict(&d, CXM_LANG_EN, buf, sizeof(buf));
	assert_string_equal(buf, "no significant change (+0.00)");
	/* one answer has no variance: no test */
	struct cxm_score_counts one = { .ces_n = 1, .ces_sum = 7, .ces_sumsq = 49 };
	cxm_ces_diff(&one, &s, &d);
	assert_false(d.valid);
}

static void test_trend_window(void **state)
{
	struct cxm_score_counts in[4] = { nps_counts(1, 0, 0), nps_counts(0, 0, 99), nps_counts(10, 0, 10),
					  { 0 } };
	struct cxm_score_counts out[4];
	struct cxm_figures f[4];
	(void)state;

	cxm_trend_window(in, 4, 2, out);
	assert_int_equal(out[0].nps_n, 1);
	assert_int_equal(out[1].nps_n, 100);
	assert_int_equal(out[2].nps_n, 119);
	assert_int_equal(out[2].promoters, 10);
	assert_int_equal(out[3].nps_n, 20);
	cxm_trend(in, 4, 2, NULL, f);
	/* the window over buckets 0-1 is -98 (each response once), where the
	 * average of the two buckets' scores would say 0 */
	near4(f[1].nps.wald.value, -98);
	assert_int_equal(f[1].nps.wald.colour, CXM_COLOUR_RED);
	near4(f[3].nps.wald.value, 0);
	/* without a window each bucket stands alone, the empty one as no data */
	cxm_trend(in, 4, 1, NULL, f);
	near4(f[0].nps.wald.value, 100);
	near4(f[1].nps.wald.value, -100);
	assert_false(f[3].nps.wald.valid);
	cxm_trend(in, 4, 0, NULL, f);
	assert_false(f[3].nps.adjusted.valid);
	/* a window longer than the series sums all */
	cxm_trend_window(in, 4, 10, out);
	assert_int_equal(out[3].nps_n, 120);
}

static bool finite_fig(const struct cxm_figure *f)
{
	return isfinite(f->value) && isfinite(f->se) && isfinite(f->lo) && isfinite(f->hi);
}

static void test_never_nan(void **state)
{
	uint64_t s = 88172645463325252ull;
	(void)state;

	for (int i = 0; i < 20000; i++) {
		struct cxm_score_counts c = { 0 }, o = { 0 };
		struct cxm_figures f;
		struct cxm_diff d;
		char buf[128];
		for (int j = 0; j < 30 + i % 7; j++) {
			s ^= s << 13, s ^= s >> 7, s ^= s << 17;
			struct cxm_score_counts one;
			int csat = (int)(s / 12 % 6), ces = (int)(s / 72 % 8);
			/* 0 stands for "not answered" */
			cxm_score_counts_of(&one, (int)(s % 12) - 1, csat ? csat : -1, ces ? ces : -1);
			cxm_score_counts_add(j % (1 + i % 5) ? &c : &o, &one, 1);
		}
		cxm_figures_of(&c, NULL, &f);
		assert_true(finite_fig(&f.nps.wald) && finite_fig(&f.nps.adjusted) && finite_fig(&f.csat.share) &&
			    finite_fig(&f.csat.mean) && finite_fig(&f.ces.mean) && finite_fig(&f.ces.easy));
		assert_true(!f.csat.mean.valid || (f.csat.mean.lo >= 1 && f.csat.mean.hi <= 5));
		assert_true(!f.ces.mean.valid || (f.ces.mean.lo >= 1 && f.ces.mean.hi <= 7));
		assert_true(!f.csat.share.valid || (f.csat.share.lo >= 0 && f.csat.share.hi <= 100));
		cxm_nps_diff(&c, &o, &d);
		assert_true(isfinite(d.z) && isfinite(d.p) && isfinite(d.se));
		cxm_csat_diff(&c, &o, &d);
		assert_true(isfinite(d.z) && isfinite(d.p) && isfinite(d.se));
		cxm_ces_diff(&c, &o, &d);
		assert_true(isfinite(d.z) && isfinite(d.p) && isfinite(d.se));
		cxm_diff_verdict(&d, CXM_LANG_EN, buf, sizeof(buf));
		assert_null(strstr(buf, "nan"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nps_vectors),	    cmocka_unit_test(test_nps_shares_and_extremes),
		cmocka_unit_test(test_no_data),		    cmocka_unit_test(test_csat_ces),
		cmocka_unit_test(test_tiny_samples),	    cmocka_unit_test(test_t_quantile),
		cmocka_unit_test(test_small_sample_flag),   cmocka_unit_test(test_colours),
		cmocka_unit_test(test_settings),	    cmocka_unit_test(test_nps_difference),
		cmocka_unit_test(test_csat_ces_difference), cmocka_unit_test(test_trend_window),
		cmocka_unit_test(test_never_nan),	    cmocka_unit_test(test_verdict_wording),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
