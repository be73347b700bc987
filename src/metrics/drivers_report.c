/*
 * drivers_report.c - key drivers of one survey as JSON (report.h): its
 * responses in a range of the tenant's days (a manager's or agent's only
 * within their subtree), the outcome (the survey's NPS question unless
 * another is named) against every rating, CSAT and CES question of its
 * current version, weighed by cxm_drivers_analyse (metrics.h).
 */
#include "cxm/core.h"
#include "cxm/json.h"
#include "cxm/org.h"
#include "cxm/report.h"
#include "cxm/surveys.h"
#include "cxm/textstore.h"
#include "cxm/tz.h"

#include <math.h>

#define MAX_ROWS 500000
#define PAGE 2000
#define DAY_US (86400LL * 1000000)

struct survey_text {
	char *definition;
};

static int survey_cb(const struct cxm_survey *sv, void *ctx)
{
	struct survey_text *st = ctx;

	free(st->definition);
	st->definition = xstrdup(sv->definition);
	return 0;
}

static int tz_cb(const struct cxm_tenant *t, void *ctx)
{
	*(const struct cxm_tz **)ctx = cxm_tz_get(t->time_zone ? t->time_zone : "UTC");
	return 0;
}

struct collect {
	const struct cxm_drivers_query *dq;
	const struct cxm_tz *tz;
	const char *ids[1 + CXM_DRIVERS_MAX]; /* the outcome, then the drivers */
	size_t k;
	size_t nq; /* drivers [0, nq) are questions, the rest themes */
	double *rows;
	size_t n, cap;
	int64_t last_ts, last_id;
	int page_n;
	bool full;
};

static double answer_of(const cJSON *answers, const char *id)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(answers, id);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* Whether the space-separated list holds word. */
static bool mentions(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *t = list ? list : ""; *t;) {
		size_t k = strcspn(t, " ");
		if (k == n && !memcmp(t, word, n))
			return true;
		t += k;
		t += *t == ' ';
	}
	return false;
}

static int response_cb(const struct cxm_response *r, void *ctx)
{
	struct collect *c = ctx;
	int64_t day = cxm_tz_day(c->tz, r->ts);
	char err[64];
	cJSON *a;

	c->page_n++;
	c->last_ts = r->ts, c->last_id = r->id;
	if (day < c->dq->from_day || day >= c->dq->to_day)
		return 0;
	if (c->dq->scoped && !cxm_spans_have(c->dq->scope, c->dq->nscope, r->org_unit_id, r->ts))
		return 0;
	if (c->n == MAX_ROWS) {
		c->full = true;
		return 0;
	}
	if (!(a = r->answers ? cxm_json_parse(r->answers, strlen(r->answers), err, sizeof(err)) : NULL))
		return 0;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 1024;
		c->rows = xrealloc(c->rows, c->cap * (1 + c->k) * sizeof(double));
	}
	for (size_t j = 0; j <= c->k; j++)
		c->rows[c->n * (1 + c->k) + j] = j <= c->nq ? answer_of(a, c->ids[j]) : mentions(r->themes, c->ids[j]);
	c->n++;
	cJSON_Delete(a);
	return 0;
}

/* Drops the theme columns mentioned in fewer than CXM_THEME_DRIVER_MIN
 * rows, moving the rows' values left. */
static void keep_mentioned(struct collect *c, struct cxm_driver_scale *scales, const cJSON **qjs)
{
	size_t w = 1 + c->k, keep[1 + CXM_DRIVERS_MAX], nk = 0;

	for (size_t j = 0; j <= c->k; j++) {
		size_t m = 0;
		for (size_t i = 0; j > c->nq && i < c->n; i++)
			m += c->rows[i * w + j] == 1;
		if (j <= c->nq || m >= CXM_THEME_DRIVER_MIN)
			keep[nk++] = j;
	}
	for (size_t i = 0; i < c->n; i++)
		for (size_t x = 0; x < nk; x++)
			c->rows[i * nk + x] = c->rows[i * w + keep[x]];
	for (size_t x = 1; x < nk; x++) {
		c->ids[x] = c->ids[keep[x]];
		scales[x - 1] = scales[keep[x] - 1];
		qjs[x - 1] = qjs[keep[x] - 1];
	}
	c->k = nk - 1;
}

static const char *text_in(const cJSON *qj, const char *lang)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(qj, "text"), *v = cJSON_GetObjectItemCaseSensitive(t, lang);

	if (cJSON_IsString(v))
		return v->valuestring;
	return t && t->child && cJSON_IsString(t->child) ? t->child->valuestring : "";
}

static int fail(char *field, size_t fl, char *why, size_t wl, const char *f, const char *w)
{
	cxm_strlcpy(field, f, fl);
	cxm_strlcpy(why, w, wl);
	return CXM_EINVAL;
}

int cxm_drivers_report(struct cxm_store *s, int64_t tenant, const struct cxm_drivers_query *dq, cJSON **out,
		       char *field, size_t fieldlen, char *why, size_t whylen)
{
	struct survey_text st = { NULL };
	struct collect c = { .dq = dq };
	struct cxm_survey_def def;
	struct cxm_driver_scale scales[CXM_DRIVERS_MAX];
	const cJSON *qjs[1 + CXM_DRIVERS_MAX];
	struct cxm_drivers res;
	struct cxm_tax_ref *tax = NULL;
	const char *lang = dq->lang == CXM_LANG_ES ? "es" : "en";
	cJSON *tree = NULL, *o;
	char err[64];
	int ret;

	*out = NULL;
	if ((ret = cxm_store_survey_get(s, tenant, dq->survey_id, 0, survey_cb, &st)))
		return ret;
	if (!(tree = cxm_json_parse(st.definition, strlen(st.definition), err, sizeof(err))) ||
	    cxm_survey_check(tree, &def, field, fieldlen, why, whylen)) {
		ret = fail(field, fieldlen, why, whylen, "survey", cxm_msg_in(MSG_RP_NO_DRIVERS, dq->lang));
		goto out;
	}
	/* the outcome: the question named, else the first NPS one */
	for (size_t i = 0; i < def.nquestions && !c.ids[0]; i++) {
		const struct cxm_question *q = &def.questions[i];
		if (dq->outcome ? !strcmp(q->id, dq->outcome) : q->type == CXM_Q_NPS)
			c.ids[0] = q->id;
	}
	if (!c.ids[0]) {
		ret = fail(field, fieldlen, why, whylen, dq->outcome ? "outcome" : "survey",
			   cxm_msg_in(MSG_RP_NO_OUTCOME, dq->lang));
		goto out;
	}
	const cJSON *qarr = cJSON_GetObjectItemCaseSensitive(tree, "questions");
	size_t qi = 0;
	for (const cJSON *qj = qarr ? qarr->child : NULL; qj && qi < def.nquestions; qj = qj->next, qi++) {
		const struct cxm_question *q = &def.questions[qi];
		if (!strcmp(q->id, c.ids[0]) || c.k == CXM_DRIVERS_MAX ||
		    (q->type != CXM_Q_RATING && q->type != CXM_Q_CSAT && q->type != CXM_Q_CES))
			continue;
		scales[c.k] = (struct cxm_driver_scale){ q->min, q->max };
		qjs[c.k] = qj;
		c.ids[1 + c.k++] = q->id;
	}
	c.nq = c.k;
	/* themes: every one of the taxonomy for now, those rarely mentioned
	 * are dropped once counted */
	if (dq->themes && (ret = cxm_text_taxonomy_get(s, tenant, &tax)))
		goto out;
	for (size_t i = 0; tax && i < cxm_taxonomy_count(cxm_text_taxonomy_of(tax)) && c.k < CXM_DRIVERS_MAX; i++) {
		scales[c.k] = (struct cxm_driver_scale){ 0, 1 };
		qjs[c.k] = NULL;
		c.ids[1 + c.k++] = cxm_taxonomy_id(cxm_text_taxonomy_of(tax), i);
	}
	if (!c.k) {
		ret = fail(field, fieldlen, why, whylen, "survey", cxm_msg_in(MSG_RP_NO_DRIVERS, dq->lang));
		goto out;
	}
	if ((ret = cxm_store_tenant_get(s, tenant, tz_cb, &c.tz)))
		goto out;
	if (!c.tz)
		c.tz = cxm_tz_get("UTC");
	/* every response of the survey in the range (a day's margin either side
	 * for the time zone), newest first, a page at a time */
	struct cxm_response_filter f = { .survey_id = dq->survey_id, .from = dq->from_day * DAY_US - 2 * DAY_US,
					 .to = dq->to_day * DAY_US + 2 * DAY_US, .complete = -1 };
	c.last_ts = INT64_MAX, c.last_id = INT64_MAX;
	do {
		c.page_n = 0;
		ret = cxm_store_response_find(s, tenant, &f, c.last_ts, c.last_id, PAGE, response_cb, &c);
	} while (!ret && c.page_n == PAGE && !c.full);
	if (ret)
		goto out;
	if (c.k > c.nq)
		keep_mentioned(&c, scales, qjs);
	if (!c.k) {
		ret = fail(field, fieldlen, why, whylen, "survey", cxm_msg_in(MSG_RP_NO_DRIVERS, dq->lang));
		goto out;
	}
	if ((ret = cxm_drivers_analyse(c.rows, c.n, c.k, scales, &res, field, fieldlen, why, whylen)))
		goto out;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "outcome", c.ids[0]);
	cJSON_AddNumberToObject(o, "responses", (double)c.n);
	cJSON_AddNumberToObject(o, "rows_used", (double)res.rows_used);
	cJSON_AddNumberToObject(o, "r2", round(res.r2 * 10000.0) / 10000.0);
	cJSON_AddNumberToObject(o, "mean_importance", round(res.mean_importance * 10000.0) / 10000.0);
	cJSON_AddNumberToObject(o, "mean_performance", round(res.mean_performance * 10.0) / 10.0);
	cJSON *arr = cJSON_AddArrayToObject(o, "drivers");
	for (size_t j = 0; j < res.k; j++) {
		const struct cxm_driver_result *d = &res.d[j];
		const char *qn = cxm_quadrant_name(d->quadrant);
		cJSON *dj = cJSON_CreateObject();
		cJSON_AddStringToObject(dj, "id", c.ids[1 + j]);
		if (j < c.nq) {
			cJSON_AddStringToObject(dj, "kind", "question");
			cJSON_AddStringToObject(dj, "label", text_in(qjs[j], lang));
		} else {
			const struct cxm_taxonomy *tx = cxm_text_taxonomy_of(tax);
			cJSON_AddStringToObject(dj, "kind", "theme");
			cJSON_AddStringToObject(dj, "label", cxm_taxonomy_name(tx, (size_t)cxm_taxonomy_find(tx, c.ids[1 + j]),
									      dq->lang));
		}
		cJSON_AddNumberToObject(dj, "importance", round(d->importance * 10000.0) / 10000.0);
		cJSON_AddNumberToObject(dj, "share", round(d->share * 10.0) / 10.0);
		cJSON_AddNumberToObject(dj, "mean", round(d->mean * 100.0) / 100.0);
		cJSON_AddNumberToObject(dj, "performance", round(d->performance * 10.0) / 10.0);
		cJSON_AddNumberToObject(dj, "rated", (double)d->rated);
		if (qn) {
			cJSON_AddStringToObject(dj, "quadrant", qn);
			cJSON_AddStringToObject(dj, "quadrant_label", cxm_quadrant_label(d->quadrant, dq->lang));
		} else {
			cJSON_AddNullToObject(dj, "quadrant");
			cJSON_AddNullToObject(dj, "quadrant_label");
		}
		cJSON_AddItemToArray(arr, dj);
	}
	*out = o;
out:
	if (tax)
		cxm_text_taxonomy_put(tax);
	free(c.rows);
	free(st.definition);
	cJSON_Delete(tree);
	return ret;
}
