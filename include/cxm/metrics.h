/*
 * metrics.h - NPS, CSAT and CES from counts (issue 5). The counts of a set
 * of responses are what the rollups keep and what a scan adds up; the
 * figures, intervals, colours, tests and drivers are pure functions of
 * them (src/metrics/), so that both paths give the same numbers.
 */
#ifndef CXM_METRICS_H
#define CXM_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "cxm/i18n.h"

/*
 * What a set of responses adds up to. Every field is a plain sum, so two
 * sets add field by field and a deleted response subtracts.
 *   NPS (0-10): promoters 9-10, passives 7-8, detractors 0-6.
 *   CSAT (1-5): satisfied = 4 or 5; sum and sum of squares for the mean.
 *   CES (1-7, 7 = very easy): easy = 5, 6 or 7; sum and sum of squares.
 */
struct cxm_score_counts {
	int64_t responses;
	int64_t nps_n, promoters, passives, detractors;
	int64_t csat_n, csat_satisfied, csat_sum, csat_sumsq;
	int64_t ces_n, ces_easy, ces_sum, ces_sumsq;
};

/* The counts of one response (scores of -1: not answered). */
void cxm_score_counts_of(struct cxm_score_counts *c, int nps, int csat, int ces);
/* a += b, or a -= b with sign -1. */
void cxm_score_counts_add(struct cxm_score_counts *a, const struct cxm_score_counts *b, int sign);

/* ---- figures (figures.c) ------------------------------------------------------ */

/*
 * The figures below are pure functions of counts: no I/O, no allocation,
 * never NaN or infinity. docs/metrics.md gives every formula.
 */
/* The two-sided 95% normal quantile. */
#define CXM_Z95 1.959963984540054
/* The small-sample flag: fewer responses than this ... */
#define CXM_SMALL_N 30
/* ... or a 95% half-width above this many points (for means: this share
 * of the scale's range, so 0.6 on CSAT 1-5 and 0.9 on CES 1-7). */
#define CXM_SMALL_HALF_WIDTH 15.0

enum cxm_colour { CXM_COLOUR_NONE, CXM_COLOUR_RED, CXM_COLOUR_AMBER, CXM_COLOUR_GREEN };

/*
 * One figure with its 95% interval. valid is false when there is no data
 * (n = 0): value, se, lo and hi are then 0 and the JSON layer writes null.
 * Shares and NPS are in points (0..100, -100..100); means on their scale.
 */
struct cxm_figure {
	bool valid;
	int64_t n;
	double value, se, lo, hi;
	bool small_sample;
	enum cxm_colour colour; /* CXM_COLOUR_NONE when no band applies */
};

/*
 * NPS: wald is the observed NPS with the classic trinomial interval;
 * adjusted the adjusted-Wald one (Rocks 2016: n + 3, promoters and
 * detractors + 3/4), whose value is the adjusted point estimate. What
 * people see is the observed NPS (wald.value) with the adjusted interval
 * (adjusted.lo .. adjusted.hi, adjusted.small_sample). The shares are the
 * observed ones in points (0 when n = 0).
 */
struct cxm_nps {
	struct cxm_figure wald, adjusted;
	double promoters, passives, detractors;
};
/* CSAT: share of 4-5 (Agresti-Coull interval) and the mean (t interval). */
struct cxm_csat {
	struct cxm_figure share, mean;
};
/* CES: the mean (t interval) and the share of easy 5-7 (Agresti-Coull). */
struct cxm_ces {
	struct cxm_figure mean, easy;
};

/* Colour bands: value < amber is red, < green amber, else green. */
struct cxm_band {
	double amber, green;
};
/* The bands a tenant sets: NPS points, CSAT share points, CES mean. */
struct cxm_bands {
	struct cxm_band nps, csat, ces;
};
#define CXM_BAND_NPS_AMBER 0.0
#define CXM_BAND_NPS_GREEN 50.0
#define CXM_BAND_CSAT_AMBER 70.0
#define CXM_BAND_CSAT_GREEN 85.0
#define CXM_BAND_CES_AMBER 4.5
#define CXM_BAND_CES_GREEN 5.5

/* Every figure of a set of counts. */
struct cxm_figures {
	int64_t responses;
	struct cxm_nps nps;
	struct cxm_csat csat;
	struct cxm_ces ces;
};

/* NPS of counts; never fails. */
void cxm_nps_of(const struct cxm_score_counts *c, struct cxm_nps *out);
/* CSAT of counts; never fails. */
void cxm_csat_of(const struct cxm_score_counts *c, struct cxm_csat *out);
/* CES of counts; never fails. */
void cxm_ces_of(const struct cxm_score_counts *c, struct cxm_ces *out);
/* All figures, coloured by bands (NULL: the defaults): NPS (both) by the observed
 * value, CSAT by its share, CES by its mean. */
void cxm_figures_of(const struct cxm_score_counts *c, const struct cxm_bands *bands, struct cxm_figures *out);

/* Agresti-Coull 95% interval of x successes in n, in points clamped to
 * [0, 100]; the value is the observed share. */
void cxm_share_figure(int64_t x, int64_t n, struct cxm_figure *out);
/* Mean of a scale lo..hi from n, sum and sum of squares with a Student t
 * 95% interval clamped to the scale (n = 1: the whole scale). */
void cxm_mean_figure(int64_t n, int64_t sum, int64_t sumsq, double lo, double hi, struct cxm_figure *out);
/* The two-sided 97.5% quantile of Student's t with df degrees of freedom
 * (df >= 1; exact table to 30, a Cornish-Fisher expansion beyond). */
double cxm_t975(int64_t df);

/* ---- colours and the tenant's bands (bands.c) ------------------------------------ */

void cxm_bands_default(struct cxm_bands *b);
/* The colour of a figure (NONE when it is not valid). */
enum cxm_colour cxm_colour_of(const struct cxm_band *b, const struct cxm_figure *f);
/* "red", "amber", "green"; NULL for NONE (JSON null). */
const char *cxm_colour_name(enum cxm_colour c);
/*
 * Checks the tenant's metrics settings, a JSON object stored as the setting
 * "metrics": {"bands": {"nps": {"amber": 0, "green": 50}, "csat": {...},
 * "ces": {...}}}; every part may be left out (defaults). On success fills
 * out (may be NULL) with the bands in force and returns 0; else CXM_EINVAL
 * with the offending field ("bands.nps.green") and the reason in the
 * current language.
 */
int cxm_metrics_settings_check(const cJSON *o, struct cxm_bands *out, char *field, size_t fieldlen, char *why,
			       size_t whylen);

/* ---- significance (compare.c) ---------------------------------------------------- */

/*
 * A difference a - b between two independent sets of responses (this
 * period and the previous; a group and the rest, the rest being the total
 * minus the group with cxm_score_counts_add(..., -1)). valid is false when
 * a side has no data: every number is then 0.
 */
struct cxm_diff {
	bool valid;
	double a, b, diff, se, z, p;
	bool significant; /* p < 0.05 */
	int direction;    /* +1 up, -1 down (significant only), 0 no change */
	bool points;      /* diff in points (NPS, shares) rather than a mean */
};
/* NPS points: observed difference; se from each side's adjusted-Wald
 * trinomial variance, so it is never 0. */
void cxm_nps_diff(const struct cxm_score_counts *a, const struct cxm_score_counts *b, struct cxm_diff *out);
/* CSAT share points (Agresti-Coull variances). */
void cxm_csat_diff(const struct cxm_score_counts *a, const struct cxm_score_counts *b, struct cxm_diff *out);
/* CES mean (Welch: each side's variance of the mean); needs two answers
 * on each side, else not valid. */
void cxm_ces_diff(const struct cxm_score_counts *a, const struct cxm_score_counts *b, struct cxm_diff *out);
/* The verdict in plain words in lang ("up 6 points, significant"), into
 * buf (always NUL-terminated). */
void cxm_diff_verdict(const struct cxm_diff *d, enum cxm_lang lang, char *buf, size_t len);

/* ---- trends (trend.c) ------------------------------------------------------------ */

/*
 * The trailing moving window of a series of per-bucket counts: out[i] is
 * the sum of in[i-k+1 .. i] (fewer at the start); k <= 1 copies. Summing
 * counts (rather than averaging the buckets' scores) weighs each response
 * once, so the windowed figure is the figure of those responses and its
 * interval is honest. in and out may not overlap.
 */
void cxm_trend_window(const struct cxm_score_counts *in, size_t n, size_t k, struct cxm_score_counts *out);
/* The figures of each bucket of a series, optionally over a window of k
 * buckets; bands as in cxm_figures_of. */
void cxm_trend(const struct cxm_score_counts *in, size_t n, size_t k, const struct cxm_bands *bands,
	       struct cxm_figures *out);

/* ---- key drivers (drivers.c) ----------------------------------------------------- */

#define CXM_DRIVERS_MAX 40

enum cxm_quadrant {
	CXM_QUADRANT_NONE,	   /* a constant driver: no importance */
	CXM_QUADRANT_FIX_FIRST,	   /* important, poorly rated */
	CXM_QUADRANT_KEEP,	   /* important, well rated */
	CXM_QUADRANT_MAINTAIN,	   /* less important, well rated */
	CXM_QUADRANT_LOWER_PRIORITY /* less important, poorly rated */
};

/* A driver's rating scale (say 1..5), for its performance 0-100. */
struct cxm_driver_scale {
	double min, max;
};

struct cxm_driver_result {
	double importance;  /* Johnson's relative weight: share of R^2; they sum to r2 */
	double share;	    /* importance / r2 in percent (0 when r2 = 0) */
	double mean;	    /* mean rating over the rows that rated it */
	double performance; /* mean rescaled to 0-100 */
	int64_t rated;	    /* rows that rated it */
	bool constant;	    /* no variation in the complete rows: left out */
	enum cxm_quadrant quadrant;
};

struct cxm_drivers {
	size_t k;
	int64_t rows_used; /* complete rows (y and every driver present) */
	double r2;
	double mean_importance, mean_performance; /* the quadrant cuts */
	struct cxm_driver_result d[CXM_DRIVERS_MAX];
};

/*
 * Key-driver analysis by Johnson's (2000) relative weights. rows is n x
 * (1 + k) row-major: y, then the k driver ratings; NAN marks a missing
 * value. Rows missing any value are left out of the weights (listwise) but
 * count for each driver's mean. Returns 0, or CXM_EINVAL with field
 * ("drivers", "rows", "y") and the reason when k is 0 or above
 * CXM_DRIVERS_MAX, a scale is empty, there are not more complete rows than
 * k + 1, y does not vary, or values so large that the sums overflow.
 * Allocates only temporaries.
 */
int cxm_drivers_analyse(const double *rows, size_t n, size_t k, const struct cxm_driver_scale *scales,
			struct cxm_drivers *out, char *field, size_t fieldlen, char *why, size_t whylen);
/* "fix_first", "keep", "maintain", "lower_priority"; NULL for NONE. */
const char *cxm_quadrant_name(enum cxm_quadrant q);
/* The quadrant's label for people, in lang. */
const char *cxm_quadrant_label(enum cxm_quadrant q, enum cxm_lang lang);
/*
 * The core of cxm_drivers_analyse: Johnson's relative weights of k drivers
 * (1..CXM_DRIVERS_MAX) from r, their k x k correlation matrix (row-major),
 * and ry, their correlations with the outcome, into importance[k]; their
 * sum, R^2, into *r2. r may come from correlations estimated pair by pair
 * (each over the rows that have both values), which need not be positive
 * semi-definite: eigenvalues at or below 0 are clipped to 0 (the nearest
 * such matrix in its eigenbasis; the inverse square root is then a
 * pseudo-inverse, and R^2 may exceed what one data set could give).
 * Returns 0, or CXM_EINVAL for k out of range or a value not finite.
 */
int cxm_drivers_from_corr(const double *r, const double *ry, size_t k, double *importance, double *r2);

#endif
