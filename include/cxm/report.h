/*
 * report.h - one NPS, CSAT or CES report as JSON (src/metrics/report.c):
 * the counts from the rollups when they can answer, else from a scan of
 * the responses (store.h), turned into figures with intervals, colours,
 * each group against the rest and trends (metrics.h). The HTTP API and
 * `cxm report` both print what this makes, so they never disagree.
 */
#ifndef CXM_REPORT_H
#define CXM_REPORT_H

#include "cxm/i18n.h"
#include "cxm/metrics.h"
#include "cxm/store.h"

#include <cjson/cJSON.h>

enum cxm_metric { CXM_METRIC_NPS, CXM_METRIC_CSAT, CXM_METRIC_CES };

/* "nps", "csat", "ces": 0, or CXM_EINVAL. */
int cxm_metric_parse(const char *name, enum cxm_metric *m);
const char *cxm_metric_name(enum cxm_metric m);
/* "day", "week", "month", "quarter": 0, or CXM_EINVAL. */
int cxm_bucket_parse(const char *name, enum cxm_bucket *b);
const char *cxm_bucket_name(enum cxm_bucket b);

/*
 * A dimension by name: channel, touchpoint, agent, org_unit, language,
 * segment, survey, or attribute.KEY (then KEY goes into attribute, at most
 * len - 1 bytes). CXM_DIM_COUNT for anything else.
 */
enum cxm_dim cxm_report_dim(const char *name, char *attribute, size_t len);
/* A local day of the tenant from YYYY-MM-DD or an RFC 3339 time: 0, or
 * CXM_EINVAL (or the store's error). */
int cxm_report_day(struct cxm_store *s, int64_t tenant, const char *text, int64_t *day);

struct cxm_report_query {
	enum cxm_metric metric;
	struct cxm_counts_query q; /* days, group-by, bucket, filters */
	size_t window;             /* trends: a moving window of this many buckets (0 or 1: none) */
	bool previous;             /* also the range of the same length just before, and the change */
	const struct cxm_bands *bands; /* NULL: the defaults */
	enum cxm_lang lang;        /* of the verdicts */
};

/*
 * Runs a report into *out (owned by the caller): {"metric", "from", "to"
 * (local days, to exclusive), "by", "interval", "source" ("rollup" or
 * "scan"), "overall": figure, "groups": [{"value", figure, "vs_rest":
 * difference}] when grouped, "series": [{"bucket", figure}] when bucketed
 * (inside each group when both), and with previous "previous": figure of
 * the range as long just before it and "vs_previous": the difference}.
 * Every number is finite; what has no data
 * is null. Store errors are returned as they are.
 */
int cxm_report(struct cxm_store *s, int64_t tenant, const struct cxm_report_query *rq, cJSON **out);

/*
 * Two sets of responses compared: a = rq (its range and filters), b = the
 * same filters over [b_from, b_to) when b_to > b_from, else (a group against
 * the rest) b = everyone in rq's range but without rq's filter on
 * rest_dim. Into *out: {"metric", "a": figure with "from"/"to", "b": figure
 * with "from"/"to", "diff": the test}.
 */
int cxm_report_compare(struct cxm_store *s, int64_t tenant, const struct cxm_report_query *rq, int64_t b_from,
		       int64_t b_to, enum cxm_dim rest_dim, cJSON **out);

/* Key drivers of one survey (drivers_report.c). */
struct cxm_drivers_query {
	int64_t survey_id;
	int64_t from_day, to_day;  /* local days, to exclusive */
	const char *outcome;       /* a question id; NULL: the survey's NPS question */
	bool scoped;               /* a manager's or agent's view: only responses in these spans */
	const struct cxm_span *scope;
	size_t nscope;
	enum cxm_lang lang;        /* of the labels */
	bool themes;               /* also each theme of the tenant's taxonomy mentioned in at least
				    * CXM_THEME_DRIVER_MIN comments, as a driver 1 (mentioned) / 0 */
};
#define CXM_THEME_DRIVER_MIN 5

/*
 * The outcome against every rating, CSAT and CES question of the survey's
 * current version: {"outcome", "responses", "rows_used", "r2",
 * "mean_importance", "mean_performance", "drivers": [{"id", "label",
 * "importance", "share", "mean", "performance", "rated", "quadrant",
 * "quadrant_label", "kind": "question" or "theme"}]} into *out. CXM_EINVAL with field and why when the
 * survey has no outcome or no drivers, or the analysis refuses (too few
 * responses, an outcome that does not vary); store errors as they are.
 */
int cxm_drivers_report(struct cxm_store *s, int64_t tenant, const struct cxm_drivers_query *dq, cJSON **out,
		       char *field, size_t fieldlen, char *why, size_t whylen);

/* One metric's figure of counts as the reports write it ("n", "score",
 * "ci_low", "ci_high", ..., "colour"), for other reports (the journey
 * map). Owned by the caller. */
cJSON *cxm_report_figure_json(enum cxm_metric m, const struct cxm_score_counts *c, const struct cxm_bands *bands);

#endif
