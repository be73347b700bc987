/*
 * moments.h - moments of truth (issue 7, docs/surveys.md "Journey scores"):
 * which touchpoints of a journey best predict the customers' overall NPS.
 * Each customer with an outcome NPS is a row; each touchpoint's rating (its
 * primary score: NPS, CSAT or CES) a driver, missing when the customer did
 * not rate it. The weights are Johnson's relative weights (metrics.h):
 * listwise (cxm_drivers_analyse) when at least 10 x k customers rated every
 * touchpoint analysed, else from correlations estimated pair by pair
 * (cxm_drivers_from_corr). A touchpoint rated by fewer than
 * CXM_MOMENTS_MIN_PAIRS customers, or by fewer together with another one,
 * is left out with the reason.
 *
 * Everything above the "with the store" line is pure.
 */
#ifndef CXM_MOMENTS_H
#define CXM_MOMENTS_H

#include "cxm/i18n.h"
#include "cxm/journey.h"
#include "cxm/metrics.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CXM_MOMENTS_MIN_PAIRS 30 /* customers rating a touchpoint (and two together) */
#define CXM_MOMENTS_TOP 3        /* the moments of truth: the largest shares */

/* A touchpoint's rating scale, and its cuts for the lift: a rating at or
 * above good is "rated well", at or below bad "rated badly". */
struct cxm_moment_scale {
	double min, max, good, bad;
};
/* NPS 0-10 (well 9-10, badly 0-6), CSAT 1-5 (4-5, 1-2), CES 1-7 (5-7, 1-3). */
extern const struct cxm_moment_scale cxm_moment_scale_nps, cxm_moment_scale_csat, cxm_moment_scale_ces;

enum cxm_moment_reason {
	CXM_MOMENT_IN = 0,       /* analysed */
	CXM_MOMENT_FEW_RATED,    /* fewer than CXM_MOMENTS_MIN_PAIRS customers rated it */
	CXM_MOMENT_FEW_TOGETHER, /* fewer than that rated it together with touchpoint `with` */
	CXM_MOMENT_CONSTANT,     /* every customer gave it the same rating */
	CXM_MOMENT_FLAT_OUTCOME  /* every customer who rated it gave the same outcome NPS */
};

struct cxm_moment {
	enum cxm_moment_reason reason;
	int with;                 /* CXM_MOMENT_FEW_TOGETHER: the other touchpoint */
	int64_t pairs;            /* left out: the customers counted (rated, or rated both) */
	double importance;        /* relative weight (0 when left out) */
	double share;             /* importance / r2 in percent */
	double corr;              /* correlation with the outcome, NAN when not defined */
	int64_t corr_n;           /* over this many customers (rated it, have an outcome) */
	double mean, performance; /* mean rating; rescaled to 0-100 */
	int64_t rated;
	enum cxm_quadrant quadrant; /* CXM_QUADRANT_NONE when left out */
	bool top;                 /* a moment of truth: among the CXM_MOMENTS_TOP largest shares */
	/* the outcome NPS of the customers who rated it well and badly, and
	 * the difference well - badly (cxm_nps_diff: valid, significant) */
	struct cxm_score_counts well, badly;
	struct cxm_diff lift;
};

struct cxm_moments {
	size_t k;
	int64_t customers; /* rows with an outcome */
	int64_t complete;  /* of them, those that rated every touchpoint analysed */
	size_t analysed;   /* touchpoints analysed */
	bool listwise;     /* the weights from the complete rows; else pairwise */
	double r2;
	struct cxm_moment m[CXM_DRIVERS_MAX];
};

/*
 * rows is n x (1 + k) row-major: the outcome NPS (0-10; NAN: none, the row
 * is skipped), then each touchpoint's rating (NAN: not rated). Returns 0,
 * or CXM_EINVAL with field ("touchpoints", "rows", "y") and the reason: k
 * 0 or above CXM_DRIVERS_MAX, an empty scale, an outcome out of 0-10, no
 * row with an outcome, an outcome that does not vary. With every
 * touchpoint left out it returns 0 and analysed 0.
 */
int cxm_moments_analyse(const double *rows, size_t n, size_t k, const struct cxm_moment_scale *scales,
			struct cxm_moments *out, char *field, size_t fieldlen, char *why, size_t whylen);
/* Why touchpoint j was left out, in lang ("" when analysed); names are the
 * touchpoints' names, for the other one of a pair. */
void cxm_moment_reason_text(const struct cxm_moments *m, size_t j, const char *const *names, enum cxm_lang lang,
			    char *buf, size_t len);
/* "customers who rate Entrega well: NPS 52 against 8, a significant
 * difference" in lang; "" when the lift is not valid (a side is empty). */
void cxm_moment_lift_text(const struct cxm_moment *m, const char *name, enum cxm_lang lang, char *buf, size_t len);

/* ---- with the store (moments_report.c) ------------------------------------------ */

struct cxm_store;

/* The moments of truth of a journey as cxm_moments_report finds them:
 * driver j is the journey's touchpoint tp[j] (one with feedback, the first
 * CXM_DRIVERS_MAX of them), rated on scale kind[j]. */
enum cxm_moment_kind { CXM_MOMENT_NPS, CXM_MOMENT_CSAT, CXM_MOMENT_CES };
struct cxm_moments_report {
	struct cxm_moments m;
	int tp[CXM_DRIVERS_MAX];
	enum cxm_moment_kind kind[CXM_DRIVERS_MAX];
	bool truncated; /* more than CXM_MOMENTS_RESPONSES_MAX responses: the newest were read */
};
#define CXM_MOMENTS_RESPONSES_MAX 500000

/*
 * The moments of truth of journey d over [from, to) (UTC microseconds),
 * for every customer or (segment not NULL) those whose "segment" attribute
 * is segment now. The outcome of a customer: their latest NPS answer in
 * the period to d->outcome_survey_id, or with none chosen to any survey at
 * a response touchpoint none of d's touchpoints takes as feedback. Their
 * rating of touchpoint j: the primary score (the one of NPS, CSAT, CES its
 * responses answer most) of their latest response at one of j's feedback
 * touchpoints at most d->window_s before the outcome (and not after it).
 * Anonymous responses do not count. Returns 0, CXM_EINVAL with field and
 * why (as cxm_moments_analyse; "journey" when no touchpoint has feedback),
 * or the store's error.
 */
int cxm_moments_report(struct cxm_store *s, int64_t tenant, const struct cxm_journey_def *d, int64_t from, int64_t to,
		       const char *segment, struct cxm_moments_report *out, char *field, size_t fieldlen, char *why,
		       size_t whylen);
/* The same over a manager's or agent's subtree: only the responses whose
 * unit is in scope (nscope spans) at their time, as /api/v1/drivers. */
struct cxm_span;
int cxm_moments_report_scoped(struct cxm_store *s, int64_t tenant, const struct cxm_journey_def *d, int64_t from,
			      int64_t to, const char *segment, const struct cxm_span *scope, size_t nscope,
			      struct cxm_moments_report *out, char *field, size_t fieldlen, char *why, size_t whylen);

/*
 * The report as JSON, in lang for its sentences:
 *   {"customers": 812, "complete": 95, "method": "listwise" | "pairwise",
 *    "r2": 0.41, "truncated": false,
 *    "touchpoints": [{"key": "entrega", "name": "Entrega", "score": "csat",
 *      "analysed": true, "reason": null, "moment_of_truth": true,
 *      "importance": 0.18, "share": 43.9, "correlation": 0.52,
 *      "correlation_n": 640, "rated": 640, "mean": 3.9, "performance": 72.5,
 *      "quadrant": "keep", "lift": {"well": 52.0, "badly": 8.0, "well_n": 300,
 *      "badly_n": 120, "diff": 44.0, "p": 0.0001, "significant": true,
 *      "text": "clientes que valoran bien Entrega: NPS 52 frente a 8, ..."}}]}
 * A touchpoint left out has "analysed": false, its "reason", "quadrant"
 * null; "lift" is null when a side is empty; numbers not defined are null.
 * The caller frees it.
 */
cJSON *cxm_moments_json(const struct cxm_moments_report *r, const struct cxm_journey_def *d, enum cxm_lang lang);

#endif
