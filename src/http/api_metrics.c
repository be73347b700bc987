/*
 * api_metrics.c - GET /api/v1/metrics/{nps|csat|ces}: one report
 * (src/metrics/report.c) for the caller's tenant, and for managers and
 * agents only what their unit's subtree saw, as of each response's date.
 *
 *   ?from=&to=        local days (YYYY-MM-DD in the tenant's time zone) or
 *                     RFC 3339 instants; to is exclusive; default: the 90
 *                     days up to and including today
 *   ?by=              channel, touchpoint, agent, org_unit, language,
 *                     segment, survey, or attribute.KEY (a customer attribute)
 *   ?interval=        day, week, month, quarter: a trend
 *   ?window=K         a moving window of K buckets (1-52)
 *   ?survey=ID        one survey
 *   ?compare=previous also the range as long just before, and the change
 *   ?filter[DIM]=V    filters on the same dimensions; filter[org_unit]=ID
 *                     keeps the responses of that unit and its subtree
 */
#include "http-internal.h"
#include "cxm/report.h"
#include "cxm/time.h"

#define DEFAULT_DAYS 90
#define MAX_DAYS 3660 /* ten years */

struct mq {
	struct req *r;
	struct cxm_report_query rq;
	char attribute[72];
	bool compare;          /* GET /api/v1/metrics/compare: its own parameters too */
	const char *bad_param; /* the first unknown parameter */
	const char *bad_why;
	int64_t subtree;
};

/* A dimension name, or attribute.KEY (key into attribute). */
static enum cxm_dim dim_of(const char *name, char *attribute, size_t len, bool *attr_ok)
{
	enum cxm_dim d = cxm_report_dim(name, attribute, len);

	*attr_ok = d != CXM_DIM_COUNT || strncmp(name, "attribute.", 10);
	return d;
}

static enum MHD_Result arg_cb(void *ctx, enum MHD_ValueKind kind, const char *key, const char *value)
{
	static const char *const known[] = { "from", "to", "by", "interval", "window", "survey", "compare", NULL };
	static const char *const compare_only[] = { "metric", "against", "against_from", "against_to", "rest", NULL };
	struct mq *m = ctx;
	(void)kind;

	if (m->bad_param)
		return MHD_YES;
	if (!strncmp(key, "filter[", 7)) {
		size_t n = strlen(key);
		char name[96];
		bool attr_ok;
		if (n < 9 || key[n - 1] != ']' || n - 8 >= sizeof(name)) {
			m->bad_param = key, m->bad_why = T(m->r, MSG_RP_BAD_DIMENSION);
			return MHD_YES;
		}
		memcpy(name, key + 7, n - 8);
		name[n - 8] = '\0';
		char attribute[72] = "";
		enum cxm_dim d = dim_of(name, attribute, sizeof(attribute), &attr_ok);
		if (d == CXM_DIM_COUNT || !attr_ok || !value || !*value) {
			m->bad_param = key, m->bad_why = T(m->r, d == CXM_DIM_COUNT ? MSG_RP_BAD_DIMENSION : MSG_RP_BAD_FILTER);
			return MHD_YES;
		}
		if (d == CXM_DIM_ATTRIBUTE) {
			if (m->attribute[0] && strcmp(m->attribute, attribute)) {
				m->bad_param = key, m->bad_why = T(m->r, MSG_RP_ONE_ATTRIBUTE);
				return MHD_YES;
			}
			cxm_strlcpy(m->attribute, attribute, sizeof(m->attribute));
		}
		if (d == CXM_DIM_ORG_UNIT) {
			if (parse_id(value, &m->subtree)) {
				m->bad_param = key, m->bad_why = T(m->r, MSG_HTTP_WANT_ID);
			}
			return MHD_YES;
		}
		m->rq.q.filter[d] = cxm_arena_strdup(&m->r->arena, value);
		return MHD_YES;
	}
	for (const char *const *k = known; *k; k++)
		if (!strcmp(key, *k))
			return MHD_YES;
	for (const char *const *k = compare_only; m->compare && *k; k++)
		if (!strcmp(key, *k))
			return MHD_YES;
	m->bad_param = key, m->bad_why = T(m->r, MSG_RP_UNKNOWN_PARAM);
	return MHD_YES;
}

/*
 * Parses a report's query into m (the metric already set) with the
 * tenant's bands in *bands; -1 when a reply was sent.
 */
static int parse_report(struct req *r, struct cxm_store *db, struct mq *m, struct cxm_bands *bands)
{
	const char *by = req_query(r, "by"), *interval = req_query(r, "interval"), *window = req_query(r, "window");
	const char *survey = req_query(r, "survey");
	int64_t sid;
	char *stored = NULL, field[96], why[300];
	cJSON *settings;
	int ret;

	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, arg_cb, m);
	if (m->bad_param) {
		reply_bad_query(r, m->bad_param, m->bad_why);
		return -1;
	}
	if (by) {
		bool attr_ok;
		char attribute[72] = "";
		m->rq.q.by = dim_of(by, attribute, sizeof(attribute), &attr_ok);
		if (m->rq.q.by == CXM_DIM_COUNT || !attr_ok) {
			reply_bad_query(r, "by", T(r, MSG_RP_BAD_DIMENSION));
			return -1;
		}
		if (m->rq.q.by == CXM_DIM_ATTRIBUTE) {
			if (m->attribute[0] && strcmp(m->attribute, attribute)) {
				reply_bad_query(r, "by", T(r, MSG_RP_ONE_ATTRIBUTE));
				return -1;
			}
			cxm_strlcpy(m->attribute, attribute, sizeof(m->attribute));
		}
	}
	if (m->attribute[0])
		m->rq.q.attribute = m->attribute;
	if (interval && cxm_bucket_parse(interval, &m->rq.q.bucket)) {
		reply_bad_query(r, "interval", T(r, MSG_RP_BAD_INTERVAL));
		return -1;
	}
	if (window) {
		int64_t k;
		if (cxm_parse_i64(window, strlen(window), &k) || k < 1 || k > 52 || !interval) {
			reply_bad_query(r, "window", T(r, MSG_RP_BAD_WINDOW));
			return -1;
		}
		m->rq.window = (size_t)k;
	}
	const char *compare = req_query(r, "compare");
	if (compare && strcmp(compare, "previous")) {
		reply_bad_query(r, "compare", T(r, MSG_RP_BAD_COMPARE));
		return -1;
	}
	m->rq.previous = compare != NULL;
	if (survey) {
		if (parse_id(survey, &sid)) {
			reply_bad_query(r, "survey", T(r, MSG_HTTP_WANT_ID));
			return -1;
		}
		m->rq.q.filter[CXM_DIM_SURVEY] = survey;
	}
	if (req_day_range(r, db, DEFAULT_DAYS, MAX_DAYS, &m->rq.q.from_day, &m->rq.q.to_day))
		return -1;
	m->rq.q.subtree = m->subtree;
	if (r->who.scoped) {
		m->rq.q.scoped = true;
		m->rq.q.scope = r->who.spans;
		m->rq.q.nscope = r->who.nspans;
	}
	/* the tenant's colour bands */
	if ((ret = cxm_store_setting_get(db, r->who.tenant, "metrics", &stored))) {
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return -1;
	}
	settings = stored ? cJSON_Parse(stored) : NULL;
	free(stored);
	if (!settings || cxm_metrics_settings_check(settings, bands, field, sizeof(field), why, sizeof(why)))
		cxm_bands_default(bands);
	cJSON_Delete(settings);
	m->rq.bands = bands;
	m->rq.lang = r->lang;
	return 0;
}

int api_metrics_report(struct req *r)
{
	struct cxm_store *db = req_db(r);
	struct mq *m = cxm_arena_alloc(&r->arena, sizeof(*m));
	struct cxm_bands bands;
	cJSON *out;
	int ret;

	if (!db)
		return H_DONE;
	memset(m, 0, sizeof(*m));
	m->r = r;
	if (cxm_metric_parse(req_param(r, 0), &m->rq.metric)) {
		reply_error(r, 404, "not-found", MSG_HTTP_NOT_FOUND, NULL);
		return H_DONE;
	}
	if (parse_report(r, db, m, &bands))
		return H_DONE;
	if ((ret = cxm_report(db, r->who.tenant, &m->rq, &out))) {
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return H_DONE;
	}
	reply_json(r, 200, out);
	return H_DONE;
}

/*
 * GET /api/v1/metrics/compare?metric=&from=&to=&...&against=previous|period|rest:
 * the report's responses (a) against the range as long just before
 * (previous, the default), another range (period: against_from,
 * against_to) or everyone else in the range (rest=DIM: the filter on DIM
 * lifted, the group taken out).
 */
int api_metrics_compare(struct req *r)
{
	struct cxm_store *db = req_db(r);
	struct mq *m = cxm_arena_alloc(&r->arena, sizeof(*m));
	const char *metric = req_query(r, "metric"), *against = req_query(r, "against"), *rest = req_query(r, "rest");
	struct cxm_bands bands;
	int64_t b_from = 0, b_to = 0;
	enum cxm_dim rest_dim = CXM_DIM_NONE;
	cJSON *out;
	int ret;

	if (!db)
		return H_DONE;
	memset(m, 0, sizeof(*m));
	m->r = r;
	m->compare = true;
	if (!metric || cxm_metric_parse(metric, &m->rq.metric)) {
		reply_bad_query(r, "metric", T(r, MSG_RP_BAD_METRIC));
		return H_DONE;
	}
	if (parse_report(r, db, m, &bands))
		return H_DONE;
	if (m->rq.q.by != CXM_DIM_NONE || m->rq.q.bucket != CXM_BUCKET_NONE) {
		reply_bad_query(r, m->rq.q.by != CXM_DIM_NONE ? "by" : "interval", T(r, MSG_RP_NOT_IN_COMPARE));
		return H_DONE;
	}
	if (!against || !strcmp(against, "previous")) {
		b_to = m->rq.q.from_day;
		b_from = b_to - (m->rq.q.to_day - m->rq.q.from_day);
	} else if (!strcmp(against, "period")) {
		if (req_day_param(r, db, "against_from", 0, &b_from) || req_day_param(r, db, "against_to", 0, &b_to))
			return H_DONE;
		if (!req_query(r, "against_from") || !req_query(r, "against_to") || b_from >= b_to ||
		    b_to - b_from > MAX_DAYS) {
			reply_bad_query(r, "against_to", T(r, MSG_RP_BAD_PERIOD));
			return H_DONE;
		}
	} else if (!strcmp(against, "rest")) {
		char attribute[72] = "";
		bool attr_ok;
		rest_dim = rest ? dim_of(rest, attribute, sizeof(attribute), &attr_ok) : CXM_DIM_COUNT;
		if (rest_dim == CXM_DIM_COUNT || (rest_dim == CXM_DIM_ORG_UNIT ? !m->rq.q.subtree : !m->rq.q.filter[rest_dim])) {
			reply_bad_query(r, "rest", T(r, MSG_RP_BAD_REST));
			return H_DONE;
		}
	} else {
		reply_bad_query(r, "against", T(r, MSG_RP_BAD_AGAINST));
		return H_DONE;
	}
	if ((ret = cxm_report_compare(db, r->who.tenant, &m->rq, b_from, b_to, rest_dim, &out))) {
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return H_DONE;
	}
	reply_json(r, 200, out);
	return H_DONE;
}

/*
 * GET /api/v1/drivers?survey=ID&from=&to=&outcome=: which of a survey's
 * rating, CSAT and CES questions move its NPS (or the outcome named) most,
 * each with its current performance and quadrant (docs/metrics.md).
 */
int api_drivers(struct req *r)
{
	struct cxm_store *db = req_db(r);
	const char *survey = req_query(r, "survey"), *outcome = req_query(r, "outcome");
	struct cxm_drivers_query dq = { 0 };
	char field[96], why[300];
	cJSON *out;
	int ret;

	if (!db)
		return H_DONE;
	if (!survey || parse_id(survey, &dq.survey_id)) {
		reply_bad_query(r, "survey", T(r, MSG_HTTP_WANT_ID));
		return H_DONE;
	}
	if (outcome && (!*outcome || strlen(outcome) > 64)) {
		reply_bad_query(r, "outcome", T(r, MSG_RP_NO_OUTCOME));
		return H_DONE;
	}
	dq.outcome = outcome;
	if (req_day_range(r, db, 365, MAX_DAYS, &dq.from_day, &dq.to_day))
		return H_DONE;
	if (r->who.scoped) {
		dq.scoped = true;
		dq.scope = r->who.spans;
		dq.nscope = r->who.nspans;
	}
	dq.lang = r->lang;
	const char *themes = req_query(r, "themes");
	if (themes && strcmp(themes, "true") && strcmp(themes, "false")) {
		reply_bad_query(r, "themes", T(r, MSG_SV_WANT_BOOL));
		return H_DONE;
	}
	dq.themes = themes && !strcmp(themes, "true");
	ret = cxm_drivers_report(db, r->who.tenant, &dq, &out, field, sizeof(field), why, sizeof(why));
	if (ret == CXM_EINVAL) {
		reply_invalid(r, field[0] ? field : NULL, why);
		return H_DONE;
	}
	if (ret) {
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return H_DONE;
	}
	reply_json(r, 200, out);
	return H_DONE;
}

/* ---- the tenant's colour bands: GET/PUT /api/v1/settings/metrics ------------ */

static cJSON *bands_json(const struct cxm_bands *b)
{
	cJSON *o = cJSON_CreateObject(), *bands = cJSON_AddObjectToObject(o, "bands");
	const struct cxm_band *v[] = { &b->nps, &b->csat, &b->ces };
	static const char *const names[] = { "nps", "csat", "ces" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		cJSON *x = cJSON_AddObjectToObject(bands, names[i]);
		cJSON_AddNumberToObject(x, "amber", v[i]->amber);
		cJSON_AddNumberToObject(x, "green", v[i]->green);
	}
	return o;
}

int api_metrics_settings_get(struct req *r)
{
	struct cxm_store *db = req_db(r);
	struct cxm_bands bands;
	char *stored = NULL, field[96], why[300];
	cJSON *settings;
	int ret;

	if (!db)
		return H_DONE;
	if ((ret = cxm_store_setting_get(db, r->who.tenant, "metrics", &stored))) {
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return H_DONE;
	}
	settings = stored ? cJSON_Parse(stored) : NULL;
	free(stored);
	if (!settings || cxm_metrics_settings_check(settings, &bands, field, sizeof(field), why, sizeof(why)))
		cxm_bands_default(&bands);
	cJSON_Delete(settings);
	reply_json(r, 200, bands_json(&bands));
	return H_DONE;
}

int api_metrics_settings_put(struct req *r)
{
	cJSON *o = body_json(r);
	struct cxm_bands bands;
	char field[96], why[300];
	int ret;

	if (!o)
		return H_DONE;
	if (cxm_metrics_settings_check(o, &bands, field, sizeof(field), why, sizeof(why))) {
		reply_invalid(r, *field ? field : NULL, why);
		return H_DONE;
	}
	/* stored whole, the defaults filled in */
	cJSON *full = bands_json(&bands);
	ret = setting_write(r, "metrics", "settings.metrics", full, api_metrics_settings_get);
	cJSON_Delete(full);
	return ret;
}
