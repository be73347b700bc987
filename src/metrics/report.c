/*
 * report.c - one NPS, CSAT or CES report as JSON (report.h). The store
 * gives counts per (bucket, value); everything else here is arithmetic on
 * counts: the overall figure is the sum of the groups, "the rest" is the
 * overall minus a group, a trend window sums consecutive buckets.
 */
#include "cxm/report.h"
#include "cxm/core.h"
#include "cxm/json.h"
#include "cxm/textstore.h"
#include "cxm/time.h"

#include <math.h>

static const char *const metric_names[] = { "nps", "csat", "ces" };
static const char *const bucket_names[] = { NULL, "day", "week", "month", "quarter" };

int cxm_metric_parse(const char *name, enum cxm_metric *m)
{
	for (size_t i = 0; i < ARRAY_SIZE(metric_names); i++)
		if (name && !strcmp(name, metric_names[i])) {
			*m = (enum cxm_metric)i;
			return 0;
		}
	return CXM_EINVAL;
}

const char *cxm_metric_name(enum cxm_metric m)
{
	return metric_names[m];
}

int cxm_bucket_parse(const char *name, enum cxm_bucket *b)
{
	for (size_t i = 1; i < ARRAY_SIZE(bucket_names); i++)
		if (name && !strcmp(name, bucket_names[i])) {
			*b = (enum cxm_bucket)i;
			return 0;
		}
	return CXM_EINVAL;
}

const char *cxm_bucket_name(enum cxm_bucket b)
{
	return bucket_names[b];
}

enum cxm_dim cxm_report_dim(const char *name, char *attribute, size_t len)
{
	enum cxm_dim d;

	if (!strncmp(name, "attribute.", 10)) {
		const char *key = name + 10;
		if (!*key || strlen(key) >= len || strpbrk(key, "\"\\'[]"))
			return CXM_DIM_COUNT;
		cxm_strlcpy(attribute, key, len);
		return CXM_DIM_ATTRIBUTE;
	}
	d = cxm_dim_parse(name);
	return d == CXM_DIM_ATTRIBUTE || d == CXM_DIM_NONE ? CXM_DIM_COUNT : d;
}

int cxm_report_day(struct cxm_store *s, int64_t tenant, const char *text, int64_t *day)
{
	int64_t y, ts;
	unsigned m, d;
	char tail;

	if (strlen(text) == 10 && sscanf(text, "%4lld-%2u-%2u%c", (long long *)&y, &m, &d, &tail) == 3 && y >= 1970 &&
	    y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= 31) {
		int64_t v = cxm_days_from_civil(y, m, d), y2;
		unsigned m2, d2;
		cxm_civil_from_days(v, &y2, &m2, &d2);
		if (m2 != m || d2 != d) /* 2026-02-30 */
			return CXM_EINVAL;
		*day = v;
		return 0;
	}
	if (cxm_time_parse(text, strlen(text), &ts))
		return CXM_EINVAL;
	return cxm_store_tenant_day(s, tenant, ts, day);
}

/* ---- collecting the store's groups ------------------------------------------ */

struct row {
	int64_t bucket;
	char *value;
	struct cxm_score_counts c;
};

struct rows {
	struct row *v;
	size_t n, cap;
};

static int row_cb(int64_t bucket, const char *value, const struct cxm_score_counts *c, void *ctx)
{
	struct rows *rs = ctx;

	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 64;
		rs->v = xrealloc(rs->v, rs->cap * sizeof(*rs->v));
	}
	rs->v[rs->n++] = (struct row){ bucket, xstrdup(value ? value : ""), *c };
	return 0;
}

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c = strcmp(x->value, y->value);

	return c ? c : (x->bucket > y->bucket) - (x->bucket < y->bucket);
}

static void rows_free(struct rows *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		free(rs->v[i].value);
	free(rs->v);
}

/* ---- JSON of figures ------------------------------------------------------------- */

static void num(cJSON *o, const char *name, bool valid, double v, int places)
{
	if (valid && isfinite(v))
		cxm_json_add_fixed(o, name, v, places);
	else
		cJSON_AddNullToObject(o, name);
}

static void colour(cJSON *o, const struct cxm_figure *f)
{
	const char *c = cxm_colour_name(f->colour);

	if (c)
		cJSON_AddStringToObject(o, "colour", c);
	else
		cJSON_AddNullToObject(o, "colour");
	cJSON_AddBoolToObject(o, "small_sample", f->small_sample);
}

static cJSON *figure_json(enum cxm_metric m, const struct cxm_score_counts *c, const struct cxm_bands *bands)
{
	struct cxm_figures f;
	cJSON *o = cJSON_CreateObject(), *counts;

	cxm_figures_of(c, bands, &f);
	switch (m) {
	case CXM_METRIC_NPS: {
		const struct cxm_nps *n = &f.nps;
		cJSON_AddNumberToObject(o, "n", (double)n->wald.n);
		num(o, "score", n->wald.valid, n->wald.value, 1);
		num(o, "ci_low", n->adjusted.valid, n->adjusted.lo, 1);
		num(o, "ci_high", n->adjusted.valid, n->adjusted.hi, 1);
		num(o, "adjusted", n->adjusted.valid, n->adjusted.value, 1);
		num(o, "wald_low", n->wald.valid, n->wald.lo, 1);
		num(o, "wald_high", n->wald.valid, n->wald.hi, 1);
		num(o, "promoters", n->wald.valid, n->promoters, 1);
		num(o, "passives", n->wald.valid, n->passives, 1);
		num(o, "detractors", n->wald.valid, n->detractors, 1);
		counts = cJSON_AddObjectToObject(o, "counts");
		cJSON_AddNumberToObject(counts, "promoters", (double)c->promoters);
		cJSON_AddNumberToObject(counts, "passives", (double)c->passives);
		cJSON_AddNumberToObject(counts, "detractors", (double)c->detractors);
		colour(o, &n->wald);
		break;
	}
	case CXM_METRIC_CSAT:
		cJSON_AddNumberToObject(o, "n", (double)f.csat.share.n);
		num(o, "score", f.csat.share.valid, f.csat.share.value, 1);
		num(o, "ci_low", f.csat.share.valid, f.csat.share.lo, 1);
		num(o, "ci_high", f.csat.share.valid, f.csat.share.hi, 1);
		num(o, "mean", f.csat.mean.valid, f.csat.mean.value, 2);
		num(o, "mean_low", f.csat.mean.valid, f.csat.mean.lo, 2);
		num(o, "mean_high", f.csat.mean.valid, f.csat.mean.hi, 2);
		counts = cJSON_AddObjectToObject(o, "counts");
		cJSON_AddNumberToObject(counts, "satisfied", (double)c->csat_satisfied);
		cJSON_AddNumberToObject(counts, "sum", (double)c->csat_sum);
		colour(o, &f.csat.share);
		break;
	case CXM_METRIC_CES:
		cJSON_AddNumberToObject(o, "n", (double)f.ces.mean.n);
		num(o, "score", f.ces.mean.valid, f.ces.mean.value, 2);
		num(o, "ci_low", f.ces.mean.valid, f.ces.mean.lo, 2);
		num(o, "ci_high", f.ces.mean.valid, f.ces.mean.hi, 2);
		num(o, "easy", f.ces.easy.valid, f.ces.easy.value, 1);
		num(o, "easy_low", f.ces.easy.valid, f.ces.easy.lo, 1);
		num(o, "easy_high", f.ces.easy.valid, f.ces.easy.hi, 1);
		counts = cJSON_AddObjectToObject(o, "counts");
		cJSON_AddNumberToObject(counts, "easy", (double)c->ces_easy);
		cJSON_AddNumberToObject(counts, "sum", (double)c->ces_sum);
		colour(o, &f.ces.mean);
		break;
	}
	return o;
}

static cJSON *diff_json(const struct cxm_report_query *rq, const struct cxm_score_counts *a,
			const struct cxm_score_counts *b)
{
	struct cxm_diff d;
	char verdict[200];
	cJSON *o = cJSON_CreateObject();
	int places = rq->metric == CXM_METRIC_CES ? 2 : 1;

	if (rq->metric == CXM_METRIC_NPS)
		cxm_nps_diff(a, b, &d);
	else if (rq->metric == CXM_METRIC_CSAT)
		cxm_csat_diff(a, b, &d);
	else
		cxm_ces_diff(a, b, &d);
	num(o, "diff", d.valid, d.diff, places);
	num(o, "se", d.valid, d.se, places + 1);
	num(o, "z", d.valid, d.z, 2);
	num(o, "p", d.valid, d.p, 4);
	cJSON_AddBoolToObject(o, "significant", d.valid && d.significant);
	cxm_diff_verdict(&d, rq->lang, verdict, sizeof(verdict));
	cJSON_AddStringToObject(o, "verdict", verdict);
	return o;
}

/* ---- buckets ----------------------------------------------------------------------- */

static void day_text(int64_t day, char out[16])
{
	int64_t y;
	unsigned m, d;

	cxm_civil_from_days(day, &y, &m, &d);
	snprintf(out, 16, "%04lld-%02u-%02u", (long long)y, m, d);
}

/* The first day of the bucket after the one starting at `start`. */
static int64_t next_bucket(enum cxm_bucket b, int64_t start)
{
	int64_t y;
	unsigned m, d, step = b == CXM_BUCKET_QUARTER ? 3 : 1;

	switch (b) {
	case CXM_BUCKET_DAY: return start + 1;
	case CXM_BUCKET_WEEK: return start + 7;
	case CXM_BUCKET_MONTH:
	case CXM_BUCKET_QUARTER:
		cxm_civil_from_days(start, &y, &m, &d);
		m += step;
		if (m > 12)
			m -= 12, y++;
		return cxm_days_from_civil(y, m, 1);
	case CXM_BUCKET_NONE: break;
	}
	return start + 1;
}

/*
 * The series of one value (NULL: every value) over every bucket of the
 * range, empty buckets included so that a window sums consecutive ones.
 */
static cJSON *series_json(const struct cxm_report_query *rq, const struct rows *rs, const char *value)
{
	const struct cxm_counts_query *q = &rq->q;
	struct cxm_score_counts *per = NULL, *win;
	int64_t *starts = NULL;
	size_t n = 0, cap = 0;
	cJSON *arr = cJSON_CreateArray();

	for (int64_t b = cxm_bucket_start(q->bucket, q->from_day); b < q->to_day; b = next_bucket(q->bucket, b)) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			per = xrealloc(per, cap * sizeof(*per));
			starts = xrealloc(starts, cap * sizeof(*starts));
		}
		memset(&per[n], 0, sizeof(per[n]));
		starts[n++] = b;
	}
	for (size_t i = 0; i < rs->n; i++) {
		const struct row *r = &rs->v[i];
		if (value && strcmp(r->value, value))
			continue;
		for (size_t j = 0; j < n; j++)
			if (starts[j] == r->bucket) {
				cxm_score_counts_add(&per[j], &r->c, 1);
				break;
			}
	}
	win = xcalloc(n ? n : 1, sizeof(*win));
	cxm_trend_window(per, n, rq->window, win);
	for (size_t j = 0; j < n; j++) {
		char day[16];
		cJSON *o = figure_json(rq->metric, &win[j], rq->bands);
		day_text(starts[j], day);
		cJSON_AddStringToObject(o, "bucket", day);
		cJSON_AddItemToArray(arr, o);
	}
	free(per);
	free(win);
	free(starts);
	return arr;
}

/* How many answered the report's metric. */
static int64_t metric_n(enum cxm_metric m, const struct cxm_score_counts *c)
{
	return m == CXM_METRIC_NPS ? c->nps_n : m == CXM_METRIC_CSAT ? c->csat_n : c->ces_n;
}

/* The groups of q from the rollups when they answer it exactly, else from a scan. */
static int fetch(struct cxm_store *s, int64_t tenant, const struct cxm_counts_query *q, struct rows *rs)
{
	return cxm_counts_rollup_can(q) ? cxm_store_counts_rollup(s, tenant, q, row_cb, rs)
					: cxm_store_counts_scan(s, tenant, q, row_cb, rs);
}

/* The counts of every response q covers. */
static int counts_total(struct cxm_store *s, int64_t tenant, const struct cxm_counts_query *q,
			struct cxm_score_counts *total)
{
	struct cxm_counts_query one = *q;
	struct rows rs = { 0 };
	int ret;

	one.by = CXM_DIM_NONE;
	one.bucket = CXM_BUCKET_NONE;
	ret = fetch(s, tenant, &one, &rs);
	memset(total, 0, sizeof(*total));
	for (size_t i = 0; !ret && i < rs.n; i++)
		cxm_score_counts_add(total, &rs.v[i].c, 1);
	rows_free(&rs);
	return ret;
}

static cJSON *side_json(const struct cxm_report_query *rq, const struct cxm_score_counts *c, int64_t from, int64_t to)
{
	cJSON *o = figure_json(rq->metric, c, rq->bands);
	char day[16];

	day_text(from, day);
	cJSON_AddStringToObject(o, "from", day);
	day_text(to, day);
	cJSON_AddStringToObject(o, "to", day);
	return o;
}

int cxm_report_compare(struct cxm_store *s, int64_t tenant, const struct cxm_report_query *rq, int64_t b_from,
		       int64_t b_to, enum cxm_dim rest_dim, cJSON **out)
{
	struct cxm_score_counts a, b;
	struct cxm_counts_query bq = rq->q;
	bool rest = b_to <= b_from;
	int ret;

	*out = NULL;
	if (rest) {
		/* everyone in the range without the group's filter, minus the group */
		bq.filter[rest_dim] = NULL;
		if (rest_dim == CXM_DIM_ORG_UNIT)
			bq.subtree = 0;
		b_from = bq.from_day, b_to = bq.to_day;
	} else {
		bq.from_day = b_from, bq.to_day = b_to;
	}
	if ((ret = counts_total(s, tenant, &rq->q, &a)) || (ret = counts_total(s, tenant, &bq, &b)))
		return ret;
	if (rest)
		cxm_score_counts_add(&b, &a, -1);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "metric", cxm_metric_name(rq->metric));
	cJSON_AddItemToObject(o, "a", side_json(rq, &a, rq->q.from_day, rq->q.to_day));
	cJSON_AddItemToObject(o, "b", side_json(rq, &b, b_from, b_to));
	cJSON_AddItemToObject(o, "diff", diff_json(rq, &a, &b));
	*out = o;
	return 0;
}

/* ---- names of ids: org units and surveys ---------------------------------------------- */

struct names {
	char (*id)[24];
	char **name;
	size_t n, cap;
};

static void names_add(struct names *nm, int64_t id, const char *name)
{
	if (nm->n == nm->cap) {
		nm->cap = nm->cap ? nm->cap * 2 : 32;
		nm->id = xrealloc(nm->id, nm->cap * sizeof(*nm->id));
		nm->name = xrealloc(nm->name, nm->cap * sizeof(*nm->name));
	}
	snprintf(nm->id[nm->n], sizeof(nm->id[0]), "%lld", (long long)id);
	nm->name[nm->n++] = xstrdup(name ? name : "");
}

static int unit_name_cb(const struct cxm_org_unit *u, void *ctx)
{
	names_add(ctx, u->id, u->name);
	return 0;
}

static int survey_name_cb(const struct cxm_survey *sv, void *ctx)
{
	names_add(ctx, sv->id, sv->name);
	return 0;
}

static const char *names_find(const struct names *nm, const char *id)
{
	for (size_t i = 0; i < nm->n; i++)
		if (!strcmp(nm->id[i], id))
			return nm->name[i];
	return NULL;
}

static void names_free(struct names *nm)
{
	for (size_t i = 0; i < nm->n; i++)
		free(nm->name[i]);
	free(nm->id);
	free(nm->name);
}

/* ---- the report ------------------------------------------------------------------- */

int cxm_report(struct cxm_store *s, int64_t tenant, const struct cxm_report_query *rq, cJSON **out)
{
	const struct cxm_counts_query *q = &rq->q;
	bool rollup = cxm_counts_rollup_can(q);
	struct rows rs = { 0 };
	struct cxm_score_counts all = { 0 };
	char day[16];
	cJSON *o;
	int ret;

	*out = NULL;
	ret = fetch(s, tenant, q, &rs);
	if (ret) {
		rows_free(&rs);
		return ret;
	}
	for (size_t i = 0; i < rs.n; i++)
		cxm_score_counts_add(&all, &rs.v[i].c, 1);
	/* a response counts under each of its themes: the groups add up to
	 * more than the total, which is read on its own */
	if (q->by == CXM_DIM_THEME && (ret = counts_total(s, tenant, q, &all))) {
		rows_free(&rs);
		return ret;
	}

	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "metric", cxm_metric_name(rq->metric));
	day_text(q->from_day, day);
	cJSON_AddStringToObject(o, "from", day);
	day_text(q->to_day, day);
	cJSON_AddStringToObject(o, "to", day);
	if (q->by == CXM_DIM_NONE)
		cJSON_AddNullToObject(o, "by");
	else
		cJSON_AddStringToObject(o, "by", cxm_dim_name(q->by));
	if (q->bucket == CXM_BUCKET_NONE)
		cJSON_AddNullToObject(o, "interval");
	else
		cJSON_AddStringToObject(o, "interval", cxm_bucket_name(q->bucket));
	cJSON_AddStringToObject(o, "source", rollup ? "rollup" : "scan");
	cJSON_AddItemToObject(o, "overall", figure_json(rq->metric, &all, rq->bands));
	if (rq->previous) {
		/* the same query over the range as long just before */
		struct cxm_counts_query pq = *q;
		struct cxm_score_counts before;
		pq.to_day = q->from_day;
		pq.from_day = q->from_day - (q->to_day - q->from_day);
		if ((ret = counts_total(s, tenant, &pq, &before))) {
			cJSON_Delete(o);
			rows_free(&rs);
			return ret;
		}
		cJSON *pj = figure_json(rq->metric, &before, rq->bands);
		day_text(pq.from_day, day);
		cJSON_AddStringToObject(pj, "from", day);
		cJSON_AddItemToObject(o, "previous", pj);
		cJSON_AddItemToObject(o, "vs_previous", diff_json(rq, &all, &before));
	}
	if (q->by != CXM_DIM_NONE) {
		cJSON *groups = cJSON_AddArrayToObject(o, "groups");
		struct names nm = { 0 };
		struct cxm_tax_ref *tax = NULL;
		/* units, surveys and themes are ids: their names go beside them */
		if (q->by == CXM_DIM_THEME)
			ret = cxm_text_taxonomy_get(s, tenant, &tax);
		else if (q->by == CXM_DIM_ORG_UNIT)
			ret = cxm_store_org_unit_list(s, tenant, unit_name_cb, &nm);
		else if (q->by == CXM_DIM_SURVEY)
			ret = cxm_store_survey_list(s, tenant, survey_name_cb, &nm);
		if (ret) {
			names_free(&nm);
			cJSON_Delete(o);
			rows_free(&rs);
			return ret;
		}
		/* by value, so each group is one run of rows */
		if (rs.n)
			qsort(rs.v, rs.n, sizeof(*rs.v), row_cmp);
		for (size_t i = 0, j; i < rs.n; i = j) {
			struct cxm_score_counts g = { 0 }, rest = all;
			for (j = i; j < rs.n && !strcmp(rs.v[j].value, rs.v[i].value); j++)
				cxm_score_counts_add(&g, &rs.v[j].c, 1);
			if (!metric_n(rq->metric, &g))
				continue; /* nobody in this group answered this metric */
			cxm_score_counts_add(&rest, &g, -1);
			cJSON *gj = figure_json(rq->metric, &g, rq->bands);
			cJSON_AddStringToObject(gj, "value", rs.v[i].value);
			if (tax) {
				/* a theme no longer in the taxonomy (or "") has none */
				int ti = cxm_taxonomy_find(cxm_text_taxonomy_of(tax), rs.v[i].value);
				if (ti >= 0)
					cJSON_AddStringToObject(gj, "label", cxm_taxonomy_name(cxm_text_taxonomy_of(tax),
											     (size_t)ti, rq->lang));
				else
					cJSON_AddNullToObject(gj, "label");
			}
			if (q->by == CXM_DIM_ORG_UNIT || q->by == CXM_DIM_SURVEY) {
				const char *label = names_find(&nm, rs.v[i].value);
				if (label)
					cJSON_AddStringToObject(gj, "label", label);
				else
					cJSON_AddNullToObject(gj, "label");
			}
			cJSON_AddItemToObject(gj, "vs_rest", diff_json(rq, &g, &rest));
			if (q->bucket != CXM_BUCKET_NONE)
				cJSON_AddItemToObject(gj, "series", series_json(rq, &rs, rs.v[i].value));
			cJSON_AddItemToArray(groups, gj);
		}
		if (tax)
			cxm_text_taxonomy_put(tax);
		names_free(&nm);
	} else if (q->bucket != CXM_BUCKET_NONE) {
		cJSON_AddItemToObject(o, "series", series_json(rq, &rs, NULL));
	}
	rows_free(&rs);
	*out = o;
	return 0;
}

cJSON *cxm_report_figure_json(enum cxm_metric m, const struct cxm_score_counts *c, const struct cxm_bands *bands)
{
	return figure_json(m, c, bands);
}
