/*
 * map_report.c - a journey's map as JSON (journeymap.h, docs/journeys.md
 * "The map"): per stage and touchpoint, for a period and a segment, how
 * many customers reached it, converted to a next stage, dropped off or are
 * still in progress, time in stage, the scores and comments of the
 * responses tied to it, its friction and the emotion curve. GET
 * /api/v1/journeys/{id}/map and `cxm report journey` both print it.
 *
 * The flow (reached, converted, times) comes from the journey's rollups,
 * tenant-wide; the scores and comments come from the response rollups or,
 * for managers and agents, from a scan of what their unit's subtree saw,
 * as the metrics reports do. The answer says which is which ("scope").
 */
#include "cxm/core.h"
#include "cxm/id.h"
#include "cxm/journey.h"
#include "cxm/journeymap.h"
#include "cxm/json.h"
#include "cxm/map.h"
#include "cxm/metrics.h"
#include "cxm/moments.h"
#include "cxm/report.h"
#include "cxm/text.h"
#include "cxm/time.h"
#include "cxm/tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOP_THEMES 5
#define FB_MAX (CXM_JOURNEY_TOUCHPOINTS_MAX * CXM_JOURNEY_FEEDBACK_MAX)

/* A theme and how many responses of a feedback touchpoint carry it. */
struct theme_n {
	char *id;
	int64_t n;
};

/* What the responses of one feedback touchpoint (responses.touchpoint) say. */
struct feedback {
	const char *value;
	struct cxm_score_counts c;
	struct cxm_mix_counts m;
	struct theme_n *themes;
	size_t nthemes;
};

struct map_run {
	const struct cxm_journey_map_query *q;
	struct cxm_store *db;
	struct cxm_journey_row row;  /* strings owned (map_release) */
	cJSON *tree;                 /* the definition d borrows from */
	struct cxm_journey_def d;
	int64_t from_day, to_day, mature_day, today;
	const char *segment;
	struct cxm_journey_flow *flow; /* NULL while the definition is not built */
	struct cxm_bands bands;
	struct cxm_friction_weights weights;
	bool themes_rollup;          /* themes from cxm_store_touchpoint_themes */
	struct cxm_map index;        /* feedback value -> position in fb */
	struct cxm_moments_report *mot; /* NULL when they could not be found */
	char mot_field[64], mot_why[300];
	bool moment[CXM_JOURNEY_TOUCHPOINTS_MAX]; /* touchpoint index: a moment of truth */
	struct feedback fb[FB_MAX];
	size_t nfb;
};

/* ---- reading -------------------------------------------------------------------- */

static int keep_row(const struct cxm_journey_row *j, void *ctx)
{
	struct map_run *m = ctx;

	m->row = *j;
	m->row.name = xstrdup(j->name);
	m->row.status = xstrdup(j->status);
	m->row.definition = xstrdup(j->definition);
	return 0;
}

static struct feedback *feedback_of(struct map_run *m, const char *value)
{
	int64_t at;

	return cxm_map_get(&m->index, value, &at) ? &m->fb[at] : NULL;
}

static int counts_row(int64_t bucket, const char *value, const struct cxm_score_counts *c, void *ctx)
{
	struct feedback *f = feedback_of(ctx, value ? value : "");

	(void)bucket;
	if (f)
		cxm_score_counts_add(&f->c, c, 1);
	return 0;
}

static int mix_row(const char *group, const struct cxm_mix_counts *c, void *ctx)
{
	struct feedback *f = group ? feedback_of(ctx, group) : NULL;

	if (f)
		f->m = *c;
	return 0;
}

static int theme_row(int64_t bucket, const char *value, const struct cxm_score_counts *c, void *ctx)
{
	struct feedback *f = ctx;

	(void)bucket;
	if (!value || !*value || !c->responses)
		return 0;
	f->themes = xrealloc(f->themes, (f->nthemes + 1) * sizeof(*f->themes));
	f->themes[f->nthemes++] = (struct theme_n){ xstrdup(value), c->responses };
	return 0;
}

/* The rollups when they can answer q, else the responses. */
static int counts(struct map_run *m, struct cxm_counts_query *q, cxm_counts_cb cb, void *ctx)
{
	if (m->segment)
		q->filter[CXM_DIM_SEGMENT] = m->segment;
	if (m->q->scoped) {
		q->scoped = true;
		q->scope = m->q->scope;
		q->nscope = m->q->nscope;
	}
	if (cxm_counts_rollup_can(q))
		return cxm_store_counts_rollup(m->db, m->q->tenant, q, cb, ctx);
	return cxm_store_counts_scan(m->db, m->q->tenant, q, cb, ctx);
}

/* Scores, comments and themes of every feedback touchpoint of the journey. */
static int read_feedback(struct map_run *m)
{
	struct cxm_counts_query q = { .from_day = m->from_day, .to_day = m->to_day, .by = CXM_DIM_TOUCHPOINT };
	struct cxm_mix_query mq = { .from_day = m->from_day, .to_day = m->to_day, .by = CXM_MIX_TOUCHPOINT };
	int ret;

	for (int t = 0; t < m->d.n_tps; t++)
		for (size_t i = 0; i < m->d.tps[t].feedback_n; i++) {
			const char *v = m->d.tps[t].feedback[i];
			if (feedback_of(m, v) || m->nfb == FB_MAX)
				continue;
			cxm_map_put(&m->index, v, (int64_t)m->nfb);
			m->fb[m->nfb++].value = v;
		}
	if (!m->nfb)
		return 0;
	if ((ret = counts(m, &q, counts_row, m)))
		return ret;
	mq.segment = m->segment;
	if (m->q->scoped) {
		mq.scoped = true;
		mq.scope = m->q->scope;
		mq.nscope = m->q->nscope;
	}
	if ((ret = cxm_store_text_mix(m->db, m->q->tenant, &mq, mix_row, m)))
		return ret;
	/* the rollup of themes by touchpoint knows neither segments nor subtrees */
	m->themes_rollup = !m->segment && !m->q->scoped;
	for (size_t i = 0; i < m->nfb && !m->themes_rollup; i++) {
		struct cxm_counts_query tq = { .from_day = m->from_day, .to_day = m->to_day, .by = CXM_DIM_THEME };
		if (!m->fb[i].c.responses)
			continue;
		tq.filter[CXM_DIM_TOUCHPOINT] = m->fb[i].value;
		if ((ret = counts(m, &tq, theme_row, &m->fb[i])))
			return ret;
	}
	return 0;
}

/* The setting "journeys" (cxm_friction_weights_read): read on every map,
 * so a change shows at once. */
static void read_weights(struct map_run *m)
{
	char *stored = NULL;

	if (cxm_store_setting_get(m->db, m->q->tenant, "journeys", &stored))
		stored = NULL;
	cxm_friction_weights_read(stored, &m->weights);
	free(stored);
}

static void read_bands(struct map_run *m)
{
	char *stored = NULL, field[96], why[300];
	cJSON *settings;

	if (cxm_store_setting_get(m->db, m->q->tenant, "metrics", &stored))
		stored = NULL;
	settings = stored ? cJSON_Parse(stored) : NULL;
	free(stored);
	if (!settings || cxm_metrics_settings_check(settings, &m->bands, field, sizeof(field), why, sizeof(why)))
		cxm_bands_default(&m->bands);
	cJSON_Delete(settings);
}

static void map_release(struct map_run *m)
{
	for (size_t i = 0; i < m->nfb; i++) {
		for (size_t k = 0; k < m->fb[i].nthemes; k++)
			free(m->fb[i].themes[k].id);
		free(m->fb[i].themes);
	}
	cxm_map_release(&m->index);
	cJSON_Delete(m->tree);
	free(m->flow);
	free((char *)m->row.name);
	free((char *)m->row.status);
	free((char *)m->row.definition);
	free(m->mot);
}

/* ---- one node --------------------------------------------------------------------- */

/* What the responses of a node say: the sum over its feedback touchpoints
 * (each counted once, also when two touchpoints of a stage share one). */
struct node_text {
	struct cxm_score_counts c;
	struct cxm_mix_counts m;
	struct theme_n top[TOP_THEMES];
	size_t ntop;
};

static void mark_tp(const struct map_run *m, int t, bool used[FB_MAX])
{
	int64_t at;

	for (size_t i = 0; i < m->d.tps[t].feedback_n; i++)
		if (cxm_map_get(&m->index, m->d.tps[t].feedback[i], &at))
			used[at] = true;
}

static int theme_cmp(const void *a, const void *b)
{
	const struct theme_n *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* Adds n comments of theme id to the node's list. */
static void theme_add(struct cxm_map *ids, struct theme_n **all, size_t *n, const char *id, int64_t k)
{
	int64_t at;

	if (!cxm_map_get(ids, id, &at)) {
		*all = xrealloc(*all, (*n + 1) * sizeof(**all));
		(*all)[*n] = (struct theme_n){ xstrdup(id), 0 };
		cxm_map_put(ids, id, at = (int64_t)(*n)++);
	}
	(*all)[at].n += k;
}

struct theme_collect {
	struct cxm_map *ids;
	struct theme_n **all;
	size_t *n;
};

static int tp_theme_row(const char *group, const struct cxm_mix_counts *c, void *ctx)
{
	struct theme_collect *tc = ctx;

	if (group && *group && c->comments)
		theme_add(tc->ids, tc->all, tc->n, group, c->comments);
	return 0;
}

/*
 * Sums what the responses at the node's feedback touchpoints say (a
 * response has one touchpoint, so a sum over distinct ones counts each
 * once) and finds its top themes: from the rollup of themes by touchpoint
 * when it can answer (tenant-wide, every segment), else from the themes
 * counted per feedback touchpoint.
 */
static int node_sum(const struct map_run *m, const bool used[FB_MAX], struct node_text *out)
{
	const char *set[CXM_TP_THEMES_MAX];
	size_t nset = 0;
	struct cxm_map ids;
	struct theme_n *all = NULL;
	size_t n = 0;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	cxm_map_init(&ids);
	for (size_t i = 0; i < m->nfb; i++) {
		const struct feedback *f = &m->fb[i];
		if (!used[i])
			continue;
		cxm_score_counts_add(&out->c, &f->c, 1);
		out->m.comments += f->m.comments;
		for (int k = 0; k < CXM_MIX_LABELS; k++)
			out->m.labels[k] += f->m.labels[k];
		for (int k = 0; k < CXM_MIX_EMOTIONS; k++)
			out->m.emotions[k] += f->m.emotions[k];
		for (int k = 0; k < CXM_MIX_REASONS; k++)
			out->m.reasons[k] += f->m.reasons[k];
		if (!m->themes_rollup)
			for (size_t k = 0; k < f->nthemes; k++)
				theme_add(&ids, &all, &n, f->themes[k].id, f->themes[k].n);
		else if (f->m.comments && nset < CXM_TP_THEMES_MAX)
			set[nset++] = f->value;
	}
	if (nset) {
		struct cxm_tp_themes_query q = { .from_day = m->from_day, .to_day = m->to_day, .touchpoints = set,
						 .touchpoints_n = nset };
		struct theme_collect tc = { &ids, &all, &n };
		ret = cxm_store_touchpoint_themes(m->db, m->q->tenant, &q, tp_theme_row, &tc);
	}
	if (n)
		qsort(all, n, sizeof(*all), theme_cmp);
	for (size_t i = 0; i < n; i++) {
		if (i < TOP_THEMES)
			out->top[out->ntop++] = all[i];
		else
			free(all[i].id);
	}
	free(all);
	cxm_map_release(&ids);
	return ret;
}

static void node_text_release(struct node_text *t)
{
	for (size_t i = 0; i < t->ntop; i++)
		free(t->top[i].id);
	t->ntop = 0;
}

cJSON *cxm_journey_share_json(int64_t x, int64_t n)
{
	struct cxm_figure f;
	cJSON *o;

	if (n <= 0)
		return cJSON_CreateNull();
	cxm_share_figure(x, n, &f);
	o = cJSON_CreateObject();
	cxm_json_add_fixed(o, "value", f.value, 1);
	cxm_json_add_fixed(o, "ci_low", f.lo, 1);
	cxm_json_add_fixed(o, "ci_high", f.hi, 1);
	cJSON_AddNumberToObject(o, "n", (double)n);
	return o;
}

static void add_count(cJSON *o, const char *name, bool known, int64_t v)
{
	if (known)
		cJSON_AddNumberToObject(o, name, (double)v);
	else
		cJSON_AddNullToObject(o, name);
}

/* Reached, converted, dropped, in progress, completed and time in stage. */
static void add_flow(const struct map_run *m, cJSON *o, int node, bool final)
{
	const struct cxm_journey_flow *fl = m->flow;
	bool known = fl != NULL;
	int64_t reached = known ? fl->reached[node] : 0, converted = known ? fl->converted[node] : 0;
	int64_t mr = known ? fl->mature_reached[node] : 0, mc = known ? fl->mature_converted[node] : 0;

	add_count(o, "reached", known, reached);
	add_count(o, "converted", known && !final, converted);
	if (known && !final)
		cJSON_AddItemToObject(o, "conversion", cxm_journey_share_json(mc, mr));
	else
		cJSON_AddNullToObject(o, "conversion");
	add_count(o, "dropped", known && !final, mr - mc);
	add_count(o, "in_progress", known && !final, (reached - mr) - (converted - mc));
	add_count(o, "completed", known && final, reached);
	int64_t p50 = known && !final ? cxm_journey_bucket_quantile(fl->times[node], 0.5) : -1;
	int64_t p90 = known && !final ? cxm_journey_bucket_quantile(fl->times[node], 0.9) : -1;
	if (p50 >= 0) {
		cJSON *t = cJSON_AddObjectToObject(o, "time_in_stage");
		cJSON_AddNumberToObject(t, "p50_s", (double)p50);
		cJSON_AddNumberToObject(t, "p90_s", (double)p90);
		cJSON_AddBoolToObject(t, "approx", true);
	} else {
		cJSON_AddNullToObject(o, "time_in_stage");
	}
}

static void add_text(cJSON *o, const struct node_text *t)
{
	static const char *const labels[] = { "positive", "neutral", "negative" };
	cJSON *x = cJSON_AddObjectToObject(o, "sentiment");

	for (int i = 0; i < CXM_MIX_LABELS; i++)
		cJSON_AddNumberToObject(x, labels[i], (double)t->m.labels[i]);
	cJSON_AddNumberToObject(x, "comments", (double)t->m.comments);
	x = cJSON_AddObjectToObject(o, "emotions");
	for (int i = 0; i < CXM_MIX_EMOTIONS; i++)
		cJSON_AddNumberToObject(x, cxm_emotion_name((enum cxm_emotion)i), (double)t->m.emotions[i]);
	x = cJSON_AddArrayToObject(o, "themes");
	for (size_t i = 0; i < t->ntop; i++) {
		cJSON *th = cJSON_CreateObject();
		cJSON_AddStringToObject(th, "id", t->top[i].id);
		cJSON_AddNumberToObject(th, "responses", (double)t->top[i].n);
		cJSON_AddItemToArray(x, th);
	}
}

static void add_friction(const struct map_run *m, cJSON *o, int node, bool final, const struct node_text *t)
{
	static const char *const names[] = { "dropoff", "effort", "sentiment" };
	struct cxm_friction_input in = { 0 };
	struct cxm_friction fr;

	if (m->flow && !final) {
		in.mature = m->flow->mature_reached[node];
		in.dropped = in.mature - m->flow->mature_converted[node];
	}
	if (t->c.ces_n) {
		in.not_easy = t->c.ces_n - t->c.ces_easy;
		in.effort_n = t->c.ces_n;
	} else {
		in.not_easy = t->c.csat_n - t->c.csat_satisfied;
		in.effort_n = t->c.csat_n;
		in.effort_from_csat = true;
	}
	in.negative = t->m.labels[2];
	in.comments = t->m.comments;
	cxm_friction_of(&in, &m->weights, &fr);
	if (!fr.valid) {
		cJSON_AddNullToObject(o, "friction");
		return;
	}
	cJSON *f = cJSON_AddObjectToObject(o, "friction");
	cxm_json_add_fixed(f, "value", fr.value, 1);
	cxm_json_add_fixed(f, "ci_low", fr.lo, 1);
	cxm_json_add_fixed(f, "ci_high", fr.hi, 1);
	cJSON_AddStringToObject(f, "colour", fr.colour);
	cJSON *c = cJSON_AddArrayToObject(f, "components");
	for (unsigned i = 0; i < ARRAY_SIZE(names); i++)
		if (fr.components & (1u << i))
			cJSON_AddItemToArray(c, cJSON_CreateString(names[i]));
	if ((fr.components & 2u) && in.effort_from_csat)
		cJSON_AddStringToObject(f, "effort_from", "csat");
}

/* A node's figures: flow, scores, comments, friction. */
static int add_node(const struct map_run *m, cJSON *o, int node, bool final, const bool used[FB_MAX],
		    struct node_text *t)
{
	int ret = node_sum(m, used, t);

	if (ret)
		return ret;
	add_flow(m, o, node, final);
	cJSON_AddItemToObject(o, "nps", cxm_report_figure_json(CXM_METRIC_NPS, &t->c, &m->bands));
	cJSON_AddItemToObject(o, "csat", cxm_report_figure_json(CXM_METRIC_CSAT, &t->c, &m->bands));
	cJSON_AddItemToObject(o, "ces", cxm_report_figure_json(CXM_METRIC_CES, &t->c, &m->bands));
	add_text(o, t);
	add_friction(m, o, node, final, t);
	if (cxm_journey_node_is_stage(node)) {
		bool any = false;
		for (int k = 0; k < m->d.stages[node].n_tp; k++)
			any = any || m->moment[m->d.stages[node].first_tp + k];
		cJSON_AddBoolToObject(o, "moment_of_truth", any);
	} else {
		cJSON_AddBoolToObject(o, "moment_of_truth", m->moment[node - CXM_JOURNEY_STAGES_MAX]);
	}
	return 0;
}

/* The emotion curve: the stage's mean sentiment (positive - negative) /
 * comments in -1..1, coloured as an NPS of that many points would be. */
static void add_feeling(const struct map_run *m, cJSON *o, const struct node_text *t)
{
	struct cxm_figure f = { 0 };
	const char *colour;

	if (!t->m.comments) {
		cJSON_AddNullToObject(o, "feeling");
		return;
	}
	cJSON *x = cJSON_AddObjectToObject(o, "feeling");
	f.valid = true;
	f.n = t->m.comments;
	f.value = 100.0 * (double)(t->m.labels[0] - t->m.labels[2]) / (double)t->m.comments;
	cxm_json_add_fixed(x, "value", f.value / 100.0, 3);
	colour = cxm_colour_name(cxm_colour_of(&m->bands.nps, &f));
	if (colour)
		cJSON_AddStringToObject(x, "colour", colour);
	else
		cJSON_AddNullToObject(x, "colour");
}

/* ---- the map ----------------------------------------------------------------------- */

static void day_text(int64_t day, char out[16])
{
	int64_t y;
	unsigned mo, d;

	cxm_civil_from_days(day, &y, &mo, &d);
	snprintf(out, 16, "%04lld-%02u-%02u", (long long)y, mo, d);
}

static int tenant_zone(const struct cxm_tenant *t, void *ctx)
{
	cxm_strlcpy(ctx, t->time_zone ? t->time_zone : "UTC", 64);
	return 0;
}

int cxm_journey_tenant_zone(struct cxm_store *db, int64_t tenant, char name[64], const struct cxm_tz **z)
{
	int ret;

	cxm_strlcpy(name, "UTC", 64);
	if ((ret = cxm_store_tenant_get(db, tenant, tenant_zone, name)))
		return ret;
	if (!(*z = cxm_tz_get(name)))
		*z = cxm_tz_get("UTC");
	return 0;
}

/*
 * The moments of truth of the period (src/journey/moments_report.c).
 * Too little data is no error: m->mot stays NULL and mot_why says why.
 */
static int read_moments(struct map_run *m)
{
	char zone[64];
	const struct cxm_tz *z;
	int ret = cxm_journey_tenant_zone(m->db, m->q->tenant, zone, &z);

	if (ret)
		return ret;
	m->mot = xcalloc(1, sizeof(*m->mot));
	if (m->q->scoped) /* a manager's or agent's subtree, as /api/v1/drivers */
		ret = cxm_moments_report_scoped(m->db, m->q->tenant, &m->d, cxm_tz_day_start(z, m->from_day),
						cxm_tz_day_start(z, m->to_day), m->segment, m->q->scope, m->q->nscope,
						m->mot, m->mot_field, sizeof(m->mot_field), m->mot_why,
						sizeof(m->mot_why));
	else
		ret = cxm_moments_report(m->db, m->q->tenant, &m->d, cxm_tz_day_start(z, m->from_day),
					 cxm_tz_day_start(z, m->to_day), m->segment, m->mot, m->mot_field,
					 sizeof(m->mot_field), m->mot_why, sizeof(m->mot_why));
	if (ret == CXM_EINVAL) {
		free(m->mot);
		m->mot = NULL;
		return 0;
	}
	if (ret)
		return ret;
	for (size_t j = 0; j < m->mot->m.k; j++)
		if (m->mot->m.m[j].top && m->mot->tp[j] >= 0 && m->mot->tp[j] < CXM_JOURNEY_TOUCHPOINTS_MAX)
			m->moment[m->mot->tp[j]] = true;
	return 0;
}

/* "moments": how they were found (cxm_moments_json) or why not;
 * "moments_of_truth": the touchpoints among the largest shares. */
static void add_moments(struct map_run *m, cJSON *o)
{
	cJSON *top = cJSON_AddArrayToObject(o, "moments_of_truth"), *info;

	if (!m->mot) {
		info = cJSON_AddObjectToObject(o, "moments");
		cJSON_AddBoolToObject(info, "found", false);
		cJSON_AddStringToObject(info, "reason", m->mot_why);
		return;
	}
	info = cxm_moments_json(m->mot, &m->d, m->q->lang);
	cJSON_AddBoolToObject(info, "found", true);
	cJSON_AddItemToObject(o, "moments", info);
	const cJSON *tps = cJSON_GetObjectItemCaseSensitive(info, "touchpoints");
	for (const cJSON *t = tps ? tps->child : NULL; t; t = t->next)
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "moment_of_truth")))
			cJSON_AddItemToArray(top, cJSON_Duplicate(t, 1));
}

/* The journey, its definition, the flow and the feedback of q. */
static int map_open(const struct cxm_journey_map_query *q, struct map_run *m)
{
	char err[128], field[160], why[400];
	int ret;

	m->q = q;
	m->segment = q->segment;
	m->from_day = q->from_day;
	m->to_day = q->to_day;
	cxm_map_init(&m->index);
	if ((ret = cxm_store_journey_get(m->db, q->tenant, q->journey_id, keep_row, m)) ||
	    (ret = cxm_store_tenant_day(m->db, q->tenant, cxm_now_us(), &m->today)))
		return ret;
	/* while a new version rebuilds, the map is the built version's: its
	 * stages and its rollups, which the store keeps until the flip */
	if (m->row.built_version > 0 && m->row.built_version < m->row.version) {
		char *built;
		if ((ret = cxm_store_journey_definition(m->db, q->tenant, q->journey_id, m->row.built_version, &built)))
			return ret;
		free((char *)m->row.definition);
		m->row.definition = built;
	}
	m->tree = cxm_json_parse(m->row.definition, strlen(m->row.definition), err, sizeof(err));
	if (!m->tree || cxm_journey_check(m->tree, &m->d, field, sizeof(field), why, sizeof(why)))
		return CXM_ESTORE; /* the store keeps only checked definitions */
	/* an entry is mature once its window has passed whole: what did not
	 * convert by then has dropped off */
	int64_t window_days = (m->d.window_s + 86399) / 86400;
	m->mature_day = m->today - window_days;
	if (m->mature_day > m->to_day)
		m->mature_day = m->to_day;
	if (m->mature_day < m->from_day)
		m->mature_day = m->from_day;
	m->flow = xcalloc(1, sizeof(*m->flow));
	if ((ret = cxm_store_journey_flow(m->db, q->tenant, q->journey_id, m->from_day, m->to_day, m->segment,
					  m->mature_day, m->flow)))
		return ret;
	/* node numbers belong to one version: figures of another are not shown */
	if (m->flow->version != (m->row.built_version > 0 ? m->row.built_version : m->row.version)) {
		free(m->flow);
		m->flow = NULL;
	}
	read_bands(m);
	read_weights(m);
	if ((ret = read_feedback(m)))
		return ret;
	return read_moments(m);
}

static void add_head(struct map_run *m, cJSON *o)
{
	char day[16], id[CXM_ID_BUFSZ];
	cJSON *j = cJSON_AddObjectToObject(o, "journey"), *s;

	cJSON_AddStringToObject(j, "id", cxm_id_format(m->row.id, id));
	cJSON_AddStringToObject(j, "name", m->row.name);
	cJSON_AddNumberToObject(j, "version", m->row.version);
	cJSON_AddNumberToObject(j, "built_version", m->row.built_version);
	day_text(m->from_day, day);
	cJSON_AddStringToObject(o, "from", day);
	day_text(m->to_day, day);
	cJSON_AddStringToObject(o, "to", day);
	day_text(m->mature_day, day);
	cJSON_AddStringToObject(o, "mature_before", day);
	if (m->segment)
		cJSON_AddStringToObject(o, "segment", m->segment);
	else
		cJSON_AddNullToObject(o, "segment");
	s = cJSON_AddObjectToObject(o, "scope");
	cJSON_AddStringToObject(s, "flow", "tenant");
	cJSON_AddStringToObject(s, "scores", m->q->scoped ? "subtree" : "tenant");
	cJSON_AddStringToObject(s, "moments", m->q->scoped ? "subtree" : "tenant");
	if (m->row.built_version < m->row.version) {
		cJSON *rb = cJSON_AddObjectToObject(o, "rebuilding");
		cxm_json_add_fixed(rb, "done", m->row.rebuilt, 2);
	} else {
		cJSON_AddNullToObject(o, "rebuilding");
	}
}

int cxm_journey_map_report(struct cxm_store *db, const struct cxm_journey_map_query *q, cJSON **out)
{
	struct map_run *m = xcalloc(1, sizeof(*m));
	struct node_text t = { 0 };
	cJSON *o = NULL, *stages;
	int ret;

	*out = NULL;
	m->db = db;
	if ((ret = map_open(q, m)))
		goto out;
	o = cJSON_CreateObject();
	add_head(m, o);
	stages = cJSON_AddArrayToObject(o, "stages");
	for (int s = 0; s < m->d.n_stages && !ret; s++) {
		const struct cxm_journey_stage *st = &m->d.stages[s];
		bool final = st->next_n == 0, used[FB_MAX] = { false };
		cJSON *so = cJSON_CreateObject(), *tps;
		cJSON_AddItemToArray(stages, so);
		cJSON_AddStringToObject(so, "key", st->key);
		cJSON_AddStringToObject(so, "name", st->name);
		cJSON_AddStringToObject(so, "phase", cxm_phase_name(st->phase));
		cJSON_AddBoolToObject(so, "final", final);
		for (int k = 0; k < st->n_tp; k++)
			mark_tp(m, st->first_tp + k, used);
		if ((ret = add_node(m, so, cxm_journey_stage_node(s), final, used, &t)))
			break;
		add_feeling(m, so, &t);
		node_text_release(&t);
		tps = cJSON_AddArrayToObject(so, "touchpoints");
		for (int k = 0; k < st->n_tp && !ret; k++) {
			const struct cxm_journey_touchpoint *tp = &m->d.tps[st->first_tp + k];
			bool tused[FB_MAX] = { false };
			cJSON *to = cJSON_CreateObject(), *fb;
			cJSON_AddItemToArray(tps, to);
			cJSON_AddStringToObject(to, "key", tp->key);
			cJSON_AddStringToObject(to, "name", tp->name);
			fb = cJSON_AddArrayToObject(to, "feedback");
			for (size_t i = 0; i < tp->feedback_n; i++)
				cJSON_AddItemToArray(fb, cJSON_CreateString(tp->feedback[i]));
			mark_tp(m, st->first_tp + k, tused);
			ret = add_node(m, to, cxm_journey_tp_node(st->first_tp + k), final, tused, &t);
			node_text_release(&t);
		}
	}
	if (!ret)
		add_moments(m, o);
	if (ret)
		cJSON_Delete(o);
	else
		*out = o;
out:
	map_release(m);
	free(m);
	return ret;
}
