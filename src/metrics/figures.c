/* figures.c - NPS, CSAT and CES with their 95% intervals, from counts
 * (metrics.h; formulas in docs/metrics.md). Every division is guarded:
 * no data gives valid = false and zeros, never NaN or infinity. */
#include "cxm/metrics.h"

#include <math.h>

static const struct cxm_figure no_data;

static void flag_small(struct cxm_figure *f, double range)
{
	/* range: how many "points" the scale spans per unit of value */
	double half = (f->hi - f->lo) / 2 * range;

	f->small_sample = f->n < CXM_SMALL_N || half > CXM_SMALL_HALF_WIDTH;
}

/* The trinomial figure of promoters p and detractors d out of n (doubles,
 * so the adjusted counts fit), in points, without clamping. */
static void trinomial(double p, double d, double n, int64_t n_obs, struct cxm_figure *f)
{
	double sp = p / n, sd = d / n, nps = sp - sd;
	double v = sp + sd - nps * nps;

	if (v < 0) /* rounding only: v >= 0 in exact arithmetic */
		v = 0;
	*f = (struct cxm_figure){ .valid = true, .n = n_obs, .value = 100 * nps, .se = 100 * sqrt(v / n) };
	f->lo = f->value - CXM_Z95 * f->se;
	f->hi = f->value + CXM_Z95 * f->se;
	flag_small(f, 1);
}

void cxm_nps_of(const struct cxm_score_counts *c, struct cxm_nps *out)
{
	double n = (double)c->nps_n;

	*out = (struct cxm_nps){ .wald = no_data, .adjusted = no_data };
	if (c->nps_n <= 0)
		return;
	out->promoters = 100.0 * (double)c->promoters / n;
	out->passives = 100.0 * (double)c->passives / n;
	out->detractors = 100.0 * (double)c->detractors / n;
	trinomial((double)c->promoters, (double)c->detractors, n, c->nps_n, &out->wald);
	trinomial((double)c->promoters + 0.75, (double)c->detractors + 0.75, n + 3, c->nps_n, &out->adjusted);
}

void cxm_share_figure(int64_t x, int64_t n, struct cxm_figure *out)
{
	const double z2 = CXM_Z95 * CXM_Z95;
	double nt, pt;

	*out = no_data;
	if (n <= 0)
		return;
	/* counts that disagree (a bug elsewhere) must not make a NaN here */
	x = x < 0 ? 0 : x > n ? n : x;
	/* Agresti-Coull: add z^2/2 successes and z^2/2 failures */
	nt = (double)n + z2;
	pt = ((double)x + z2 / 2) / nt;
	out->valid = true;
	out->n = n;
	out->value = 100.0 * (double)x / (double)n;
	out->se = 100.0 * sqrt(pt * (1 - pt) / nt);
	out->lo = fmax(0, 100 * pt - CXM_Z95 * out->se);
	out->hi = fmin(100, 100 * pt + CXM_Z95 * out->se);
	flag_small(out, 1);
}

/* Student's t 0.975 quantiles for df 1..30. */
static const double t975_table[30] = {
	12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157, 2.228139,
	2.200985,  2.178813, 2.160369, 2.144787, 2.131450, 2.119905, 2.109816, 2.100922, 2.093024, 2.085963,
	2.079614,  2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831, 2.048407, 2.045230, 2.042272,
};

double cxm_t975(int64_t df)
{
	const double z = CXM_Z95, z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z;
	double v;

	if (df < 1)
		df = 1;
	if (df <= 30)
		return t975_table[df - 1];
	/* Cornish-Fisher expansion in 1/df (Abramowitz & Stegun 26.7.5) */
	v = (double)df;
	return z + (z3 + z) / (4 * v) + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v) +
	       (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * v * v * v);
}

void cxm_mean_figure(int64_t n, int64_t sum, int64_t sumsq, double lo, double hi, struct cxm_figure *out)
{
	double nd = (double)n, var, half;

	*out = no_data;
	if (n <= 0)
		return;
	out->valid = true;
	out->n = n;
	out->value = fmin(hi, fmax(lo, (double)sum / nd));
	if (n == 1) {
		/* one answer says nothing about the spread: the whole scale */
		out->se = 0;
		out->lo = lo;
		out->hi = hi;
	} else {
		/* (sumsq - sum^2/n) / (n - 1), in long double against cancellation */
		long double ss = (long double)sumsq - (long double)sum * (long double)sum / (long double)n;
		var = ss > 0 ? (double)(ss / (long double)(n - 1)) : 0;
		out->se = sqrt(var / nd);
		half = cxm_t975(n - 1) * out->se;
		out->lo = fmax(lo, out->value - half);
		out->hi = fmin(hi, out->value + half);
	}
	flag_small(out, 100 / (hi - lo));
}

void cxm_csat_of(const struct cxm_score_counts *c, struct cxm_csat *out)
{
	cxm_share_figure(c->csat_satisfied, c->csat_n, &out->share);
	cxm_mean_figure(c->csat_n, c->csat_sum, c->csat_sumsq, 1, 5, &out->mean);
}

void cxm_ces_of(const struct cxm_score_counts *c, struct cxm_ces *out)
{
	cxm_mean_figure(c->ces_n, c->ces_sum, c->ces_sumsq, 1, 7, &out->mean);
	cxm_share_figure(c->ces_easy, c->ces_n, &out->easy);
}

void cxm_figures_of(const struct cxm_score_counts *c, const struct cxm_bands *bands, struct cxm_figures *out)
{
	struct cxm_bands dflt;

	if (!bands) {
		cxm_bands_default(&dflt);
		bands = &dflt;
	}
	out->responses = c->responses;
	cxm_nps_of(c, &out->nps);
	cxm_csat_of(c, &out->csat);
	cxm_ces_of(c, &out->ces);
	/* the colour follows the observed NPS, the number people quote */
	out->nps.wald.colour = cxm_colour_of(&bands->nps, &out->nps.wald);
	out->nps.adjusted.colour = out->nps.wald.colour;
	out->csat.share.colour = cxm_colour_of(&bands->csat, &out->csat.share);
	out->ces.mean.colour = cxm_colour_of(&bands->ces, &out->ces.mean);
}
