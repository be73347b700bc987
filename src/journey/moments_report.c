/*
 * moments_report.c - the moments of truth of a journey from the stored
 * responses (moments.h): each customer's outcome NPS in the period and
 * their latest rating of each touchpoint before it, within the journey's
 * window, weighed by cxm_moments_analyse. The responses of the period (and
 * of the window before it) are read page by page: thousands of customers,
 * a scan is fine.
 */
#include "cxm/core.h"
#include "cxm/json.h"
#include "cxm/map.h"
#include "cxm/moments.h"
#include "cxm/org.h"
#include "cxm/store.h"
#include "cxm/time.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 2000

/* What a response gives: its feedback value (index into the journey's
 * distinct feedback touchpoints, -1 for none) and scores. */
struct resp {
	int64_t customer, id, ts, survey;
	int fb;
	int nps, csat, ces;
};

struct collect {
	const struct cxm_journey_def *d;
	struct cxm_map fb;     /* feedback touchpoint -> its index */
	struct resp *v;
	size_t n, cap;
	int64_t last_ts, last_id;
	int page_n;
	bool full;
	bool scoped;           /* only the responses of these spans */
	const struct cxm_span *scope;
	size_t nscope;
};

static int response_cb(const struct cxm_response *r, void *ctx)
{
	struct collect *c = ctx;
	int64_t at = -1;

	c->page_n++;
	c->last_ts = r->ts, c->last_id = r->id;
	if (!r->customer_id)
		return 0; /* anonymous: nobody to follow */
	if (c->scoped && !cxm_spans_have(c->scope, c->nscope, r->org_unit_id, r->ts))
		return 0; /* outside the caller's subtree */
	if (c->n == CXM_MOMENTS_RESPONSES_MAX) {
		c->full = true;
		return 0;
	}
	if (r->touchpoint && !cxm_map_get(&c->fb, r->touchpoint, &at))
		at = -1;
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 1024;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	c->v[c->n++] = (struct resp){ r->customer_id, r->id, r->ts, r->survey_id, (int)at, r->nps, r->csat, r->ces };
	return 0;
}

static int resp_cmp(const void *a, const void *b)
{
	const struct resp *x = a, *y = b;

	if (x->customer != y->customer)
		return x->customer < y->customer ? -1 : 1;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int segment_cb(const struct cxm_customer *cu, void *ctx)
{
	char **seg = ctx;
	char err[64];
	cJSON *a = cu->attributes ? cxm_json_parse(cu->attributes, strlen(cu->attributes), err, sizeof(err)) : NULL;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(a, "segment");

	*seg = cJSON_IsString(v) ? xstrdup(v->valuestring) : NULL;
	cJSON_Delete(a);
	return 0;
}

/* The score of kind k of a response, NAN when not answered. */
static double score_of(const struct resp *r, enum cxm_moment_kind k)
{
	int v = k == CXM_MOMENT_NPS ? r->nps : k == CXM_MOMENT_CSAT ? r->csat : r->ces;
	return v >= 0 ? (double)v : NAN;
}

/* scoped: only the responses of scope's spans */
static int moments_report(struct cxm_store *s, int64_t tenant, const struct cxm_journey_def *d, int64_t from,
			  int64_t to, const char *segment, bool scoped, const struct cxm_span *scope, size_t nscope,
			  struct cxm_moments_report *out, char *field, size_t fieldlen, char *why, size_t whylen)
{
	struct collect c = { .d = d, .scoped = scoped, .scope = scope, .nscope = nscope };
	struct cxm_moment_scale scales[CXM_DRIVERS_MAX];
	/* in_tp[fb][j]: feedback value fb belongs to driver j */
	bool(*in_tp)[CXM_DRIVERS_MAX] = NULL;
	size_t k = 0, nfb = 0;
	double *rows = NULL;
	size_t nrows = 0;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	cxm_map_init(&c.fb);
	in_tp = xcalloc((size_t)CXM_JOURNEY_TOUCHPOINTS_MAX * CXM_JOURNEY_FEEDBACK_MAX, sizeof(*in_tp));
	for (int t = 0; t < d->n_tps && k < CXM_DRIVERS_MAX; t++) {
		const struct cxm_journey_touchpoint *tp = &d->tps[t];
		if (!tp->feedback_n)
			continue;
		for (size_t f = 0; f < tp->feedback_n; f++) {
			int64_t at;
			if (!cxm_map_get(&c.fb, tp->feedback[f], &at)) {
				at = (int64_t)nfb++;
				cxm_map_put(&c.fb, tp->feedback[f], at);
			}
			in_tp[at][k] = true;
		}
		out->tp[k++] = t;
	}
	if (!k) {
		cxm_strlcpy(field, "journey", fieldlen);
		snprintf(why, whylen, _(MSG_MT_TOUCHPOINTS), CXM_DRIVERS_MAX);
		ret = CXM_EINVAL;
		goto out;
	}

	/* every response of the period and of the window before it, newest
	 * first */
	int64_t before_ts = CXM_TIME_MAX, before_id = INT64_MAX;
	do {
		c.page_n = 0;
		ret = cxm_store_response_page(s, tenant, 0, from - d->window_s * 1000000, to, before_ts, before_id, PAGE,
					      response_cb, &c);
		before_ts = c.last_ts, before_id = c.last_id;
	} while (!ret && c.page_n == PAGE && !c.full);
	if (ret)
		goto out;
	out->truncated = c.full;

	/* each touchpoint's primary score: the one its responses answer most */
	for (size_t j = 0; j < k; j++) {
		int64_t n[3] = { 0, 0, 0 };
		for (size_t i = 0; i < c.n; i++) {
			const struct resp *r = &c.v[i];
			if (r->fb < 0 || !in_tp[r->fb][j])
				continue;
			n[0] += r->nps >= 0, n[1] += r->csat >= 0, n[2] += r->ces >= 0;
		}
		out->kind[j] = n[0] >= n[1] && n[0] >= n[2] ? CXM_MOMENT_NPS
			       : n[1] >= n[2]		      ? CXM_MOMENT_CSAT
							      : CXM_MOMENT_CES;
		scales[j] = out->kind[j] == CXM_MOMENT_NPS    ? cxm_moment_scale_nps
			    : out->kind[j] == CXM_MOMENT_CSAT ? cxm_moment_scale_csat
							      : cxm_moment_scale_ces;
	}

	/* a row per customer with an outcome */
	if (c.n)
		qsort(c.v, c.n, sizeof(*c.v), resp_cmp);
	rows = xcalloc(c.n ? c.n : 1, (1 + k) * sizeof(double));
	for (size_t i = 0; i < c.n && !ret;) {
		size_t e = i;
		const struct resp *y = NULL;
		while (e < c.n && c.v[e].customer == c.v[i].customer)
			e++;
		for (size_t x = i; x < e; x++) {
			const struct resp *r = &c.v[x];
			bool outcome = d->outcome_survey_id ? r->survey == d->outcome_survey_id : r->fb < 0;
			if (outcome && r->nps >= 0 && r->ts >= from && r->ts < to)
				y = r; /* sorted by time: the latest wins */
		}
		if (y && segment) {
			char *seg = NULL;
			ret = cxm_store_customer_get(s, tenant, y->customer, segment_cb, &seg);
			if (ret == CXM_ENOTFOUND)
				ret = 0; /* erased meanwhile */
			if (!seg || strcmp(seg, segment))
				y = NULL;
			free(seg);
		}
		if (y) {
			double *row = rows + nrows * (1 + k);
			row[0] = y->nps;
			for (size_t j = 0; j < k; j++) {
				row[1 + j] = NAN;
				for (size_t x = i; x < e; x++) {
					const struct resp *r = &c.v[x];
					if (r == y || r->fb < 0 || !in_tp[r->fb][j] || r->ts > y->ts ||
					    r->ts < y->ts - d->window_s * 1000000 || !isfinite(score_of(r, out->kind[j])))
						continue;
					row[1 + j] = score_of(r, out->kind[j]);
				}
			}
			nrows++;
		}
		i = e;
	}
	if (!ret)
		ret = cxm_moments_analyse(rows, nrows, k, scales, &out->m, field, fieldlen, why, whylen);
out:
	free(rows);
	free(c.v);
	free(in_tp);
	cxm_map_release(&c.fb);
	return ret;
}

int cxm_moments_report(struct cxm_store *s, int64_t tenant, const struct cxm_journey_def *d, int64_t from, int64_t to,
		       const char *segment, struct cxm_moments_report *out, char *field, size_t fieldlen, char *why,
		       size_t whylen)
{
	return moments_report(s, tenant, d, from, to, segment, false, NULL, 0, out, field, fieldlen, why, whylen);
}

int cxm_moments_report_scoped(struct cxm_store *s, int64_t tenant, const struct cxm_journey_def *d, int64_t from,
			      int64_t to, const char *segment, const struct cxm_span *scope, size_t nscope,
			      struct cxm_moments_report *out, char *field, size_t fieldlen, char *why, size_t whylen)
{
	return moments_report(s, tenant, d, from, to, segment, true, scope, nscope, out, field, fieldlen, why, whylen);
}

/* A number, or null when it is not one. */
static void add_num(cJSON *o, const char *name, double v, int places)
{
	if (isfinite(v))
		cxm_json_add_fixed(o, name, v, places);
	else
		cJSON_AddNullToObject(o, name);
}

cJSON *cxm_moments_json(const struct cxm_moments_report *r, const struct cxm_journey_def *d, enum cxm_lang lang)
{
	static const char *const kinds[] = { "nps", "csat", "ces" };
	const struct cxm_moments *m = &r->m;
	const char *names[CXM_DRIVERS_MAX];
	cJSON *o = cJSON_CreateObject(), *tps;
	char buf[512];

	cJSON_AddNumberToObject(o, "customers", (double)m->customers);
	cJSON_AddNumberToObject(o, "complete", (double)m->complete);
	cJSON_AddStringToObject(o, "method", m->listwise ? "listwise" : "pairwise");
	add_num(o, "r2", m->r2, 4);
	cJSON_AddBoolToObject(o, "truncated", r->truncated);
	tps = cJSON_AddArrayToObject(o, "touchpoints");
	for (size_t j = 0; j < m->k; j++)
		names[j] = d->tps[r->tp[j]].name ? d->tps[r->tp[j]].name : d->tps[r->tp[j]].key;
	for (size_t j = 0; j < m->k; j++) {
		const struct cxm_moment *x = &m->m[j];
		cJSON *t = cJSON_CreateObject();
		bool in = x->reason == CXM_MOMENT_IN;
		cJSON_AddItemToArray(tps, t);
		cJSON_AddStringToObject(t, "key", d->tps[r->tp[j]].key);
		cJSON_AddStringToObject(t, "name", names[j]);
		cJSON_AddStringToObject(t, "score", kinds[r->kind[j]]);
		cJSON_AddBoolToObject(t, "analysed", in);
		cxm_moment_reason_text(m, j, names, lang, buf, sizeof(buf));
		if (in)
			cJSON_AddNullToObject(t, "reason");
		else
			cJSON_AddStringToObject(t, "reason", buf);
		cJSON_AddBoolToObject(t, "moment_of_truth", x->top);
		add_num(t, "importance", x->importance, 4);
		add_num(t, "share", x->share, 1);
		add_num(t, "correlation", x->corr, 3);
		cJSON_AddNumberToObject(t, "correlation_n", (double)x->corr_n);
		cJSON_AddNumberToObject(t, "rated", (double)x->rated);
		add_num(t, "mean", x->mean, 2);
		add_num(t, "performance", x->performance, 1);
		if (cxm_quadrant_name(x->quadrant))
			cJSON_AddStringToObject(t, "quadrant", cxm_quadrant_name(x->quadrant));
		else
			cJSON_AddNullToObject(t, "quadrant");
		if (!x->lift.valid) {
			cJSON_AddNullToObject(t, "lift");
			continue;
		}
		cJSON *l = cJSON_AddObjectToObject(t, "lift");
		add_num(l, "well", x->lift.a, 1);
		add_num(l, "badly", x->lift.b, 1);
		cJSON_AddNumberToObject(l, "well_n", (double)x->well.nps_n);
		cJSON_AddNumberToObject(l, "badly_n", (double)x->badly.nps_n);
		add_num(l, "diff", x->lift.diff, 1);
		add_num(l, "p", x->lift.p, 4);
		cJSON_AddBoolToObject(l, "significant", x->lift.significant);
		cxm_moment_lift_text(x, names[j], lang, buf, sizeof(buf));
		cJSON_AddStringToObject(l, "text", buf);
	}
	return o;
}
