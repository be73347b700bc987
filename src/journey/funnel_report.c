/*
 * funnel_report.c - funnels and paths as JSON (journeymap.h,
 * docs/journeys.md "Funnels" and "Paths"): the request checked field by
 * field, then cxm_funnel_* / cxm_paths_* over the customers' event
 * sequences. POST /api/v1/funnels, GET /api/v1/paths and `cxm report
 * funnel|paths` all print what this makes.
 */
#include "cxm/arena.h"
#include "cxm/core.h"
#include "cxm/journey.h"
#include "cxm/journeymap.h"
#include "cxm/json.h"
#include "cxm/metrics.h"
#include "cxm/time.h"
#include "cxm/triggers.h"
#include "cxm/tz.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_DAYS 30
#define MAX_RANGE_US ((int64_t)731 * 86400 * 1000000) /* two years */
#define WINDOW_MIN 60
#define WINDOW_DEFAULT ((int64_t)30 * 86400)
#define US 1000000

/* A journey some step names, loaded once. */
struct step_journey {
	int64_t id;
	int slot;
	bool rebuilding;
	const char *name;
	cJSON *tree; /* the definition borrows from it */
	struct cxm_journey_def d;
};

struct funnel_run {
	struct cxm_arena *a;
	enum cxm_lang lang;
	int64_t tenant;
	struct cxm_store *db;
	cJSON *errors;              /* [{field, message}], created on the first */
	struct step_journey js[CXM_FUNNEL_STEPS_MAX];
	size_t njs;
	struct cxm_funnel_query q;
	bool seen[CXM_FUNNEL_STEPS_MAX]; /* an event step matched a recorded class */
	struct cxm_funnel *f;
	char tz[64];
	const struct cxm_tz *zone;       /* the tenant's */
	char window[24];
};

#define M(fr, id) cxm_msg_in((id), (fr)->lang)

static void bad(struct funnel_run *fr, const char *field, const char *message)
{
	cJSON *e = cJSON_CreateObject();

	if (!fr->errors)
		fr->errors = cJSON_CreateArray();
	if (field)
		cJSON_AddStringToObject(e, "field", field);
	cJSON_AddStringToObject(e, "message", message);
	cJSON_AddItemToArray(fr->errors, e);
}

static int id_of(const char *s, int64_t *out)
{
	return !s || !*s || cxm_parse_i64(s, strlen(s), out) || *out <= 0 ? CXM_EINVAL : 0;
}

struct journey_find {
	struct cxm_arena *a;
	struct step_journey *sj;
};

static int keep_journey(const struct cxm_journey_row *j, void *ctx)
{
	struct journey_find *jf = ctx;
	struct step_journey *sj = jf->sj;
	char err[64];

	sj->slot = j->slot;
	sj->rebuilding = j->built_version < j->version;
	sj->name = cxm_arena_strdup(jf->a, j->name);
	sj->tree = strcmp(j->status, "active") ? NULL
					       : cxm_json_parse(j->definition, strlen(j->definition), err, sizeof(err));
	return 0;
}

/* The journey of id, loaded once per request; NULL after a problem item or
 * with *ret set to a store error. */
static struct step_journey *journey_of(struct funnel_run *fr, const char *field, const cJSON *v, int *ret)
{
	struct step_journey *sj;
	char f[64], why[300];
	int64_t id;

	if (!cJSON_IsString(v) || id_of(v->valuestring, &id)) {
		bad(fr, field, M(fr, MSG_HTTP_WANT_ID));
		return NULL;
	}
	for (size_t i = 0; i < fr->njs; i++)
		if (fr->js[i].id == id)
			return fr->js[i].tree ? &fr->js[i] : NULL;
	sj = &fr->js[fr->njs];
	memset(sj, 0, sizeof(*sj));
	sj->id = id;
	struct journey_find jf = { fr->a, sj };
	*ret = cxm_store_journey_get(fr->db, fr->tenant, id, keep_journey, &jf);
	if (*ret == CXM_ENOTFOUND)
		*ret = 0;
	if (*ret)
		return NULL;
	fr->njs++;
	if (!sj->tree || cxm_journey_check(sj->tree, &sj->d, f, sizeof(f), why, sizeof(why))) {
		cJSON_Delete(sj->tree);
		sj->tree = NULL;
		bad(fr, field, M(fr, MSG_JA_NO_JOURNEY));
		return NULL;
	}
	return sj;
}

/* One step of the body into s; problems go into fr. */
static int read_step(struct funnel_run *fr, size_t k, const cJSON *st, struct cxm_step *s)
{
	static const char *const step_keys[] = { "event", "journey", "stage", "touchpoint", NULL };
	static const char *const event_keys[] = { "type", "channel", "touchpoint", NULL };
	char field[96], msg[300];
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(st, "event");
	const cJSON *jn = cJSON_GetObjectItemCaseSensitive(st, "journey");
	int ret = 0;

	snprintf(field, sizeof(field), "steps[%zu]", k);
	if (!cJSON_IsObject(st)) {
		bad(fr, field, M(fr, MSG_JA_STEP_SHAPE));
		return 0;
	}
	for (const cJSON *it = st->child; it; it = it->next) {
		bool known = false;
		for (const char *const *a = step_keys; *a && !known; a++)
			known = !strcmp(*a, it->string);
		if (!known) {
			char f2[160];
			snprintf(f2, sizeof(f2), "%s.%s", field, it->string);
			snprintf(msg, sizeof(msg), M(fr, MSG_HTTP_UNKNOWN_FIELD), it->string);
			bad(fr, f2, msg);
			return 0;
		}
	}
	if (!ev == !jn) {
		bad(fr, field, M(fr, MSG_JA_STEP_SHAPE));
		return 0;
	}
	if (ev) {
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(ev, "type");
		const cJSON *ch = cJSON_GetObjectItemCaseSensitive(ev, "channel");
		const cJSON *tp = cJSON_GetObjectItemCaseSensitive(ev, "touchpoint");
		char f2[160];
		if (cJSON_GetObjectItemCaseSensitive(st, "stage") || cJSON_GetObjectItemCaseSensitive(st, "touchpoint")) {
			bad(fr, field, M(fr, MSG_JA_STEP_SHAPE));
			return 0;
		}
		if (!cJSON_IsObject(ev)) {
			snprintf(f2, sizeof(f2), "%s.event", field);
			bad(fr, f2, M(fr, MSG_TR_WANT_OBJECT));
			return 0;
		}
		for (const cJSON *it = ev->child; it; it = it->next) {
			bool known = false;
			for (const char *const *a = event_keys; *a && !known; a++)
				known = !strcmp(*a, it->string);
			if (!known) {
				snprintf(f2, sizeof(f2), "%s.event.%s", field, it->string);
				if (!strcmp(it->string, "properties"))
					bad(fr, f2, M(fr, MSG_JA_STEP_PROPERTIES));
				else {
					snprintf(msg, sizeof(msg), M(fr, MSG_HTTP_UNKNOWN_FIELD), it->string);
					bad(fr, f2, msg);
				}
				return 0;
			}
		}
		snprintf(f2, sizeof(f2), "%s.event.type", field);
		if (!type) {
			bad(fr, f2, M(fr, MSG_TR_REQUIRED));
			return 0;
		}
		if (!cJSON_IsString(type) || !*type->valuestring || strlen(type->valuestring) > 64) {
			bad(fr, f2, M(fr, MSG_JA_WANT_NAME));
			return 0;
		}
		snprintf(f2, sizeof(f2), "%s.event.channel", field);
		if (ch && (!cJSON_IsString(ch) || !*ch->valuestring || strlen(ch->valuestring) > 15)) {
			bad(fr, f2, M(fr, MSG_JA_WANT_NAME));
			return 0;
		}
		snprintf(f2, sizeof(f2), "%s.event.touchpoint", field);
		if (tp && (!cJSON_IsString(tp) || !*tp->valuestring || strlen(tp->valuestring) > 64)) {
			bad(fr, f2, M(fr, MSG_JA_WANT_NAME));
			return 0;
		}
		s->type = type->valuestring;
		s->channel = ch ? ch->valuestring : NULL;
		s->touchpoint = tp ? tp->valuestring : NULL;
		snprintf(msg, sizeof(msg), "%s%s%s", s->type, s->touchpoint ? "/" : "", s->touchpoint ? s->touchpoint : "");
		s->label = cxm_arena_strdup(fr->a, msg);
		return 0;
	}
	/* a journey's stage or touchpoint */
	const cJSON *stage = cJSON_GetObjectItemCaseSensitive(st, "stage");
	const cJSON *tpk = cJSON_GetObjectItemCaseSensitive(st, "touchpoint");
	char f2[160];
	snprintf(f2, sizeof(f2), "%s.journey", field);
	struct step_journey *sj = journey_of(fr, f2, jn, &ret);
	if (!sj)
		return ret;
	if (!stage == !tpk || !cJSON_IsString(stage ? stage : tpk)) {
		snprintf(f2, sizeof(f2), "%s.%s", field, tpk && !stage ? "touchpoint" : "stage");
		bad(fr, f2, M(fr, MSG_JA_STEP_NODE));
		return 0;
	}
	const char *key = (stage ? stage : tpk)->valuestring;
	int node = cxm_journey_node_find(&sj->d, key);
	if (node < 0 || cxm_journey_node_is_stage(node) != !!stage) {
		snprintf(f2, sizeof(f2), "%s.%s", field, stage ? "stage" : "touchpoint");
		snprintf(msg, sizeof(msg), M(fr, stage ? MSG_JA_NO_STAGE : MSG_JA_NO_TOUCHPOINT), key, sj->name);
		bad(fr, f2, msg);
		return 0;
	}
	s->is_node = true;
	s->slot = sj->slot;
	s->node = node;
	s->journey = &sj->d;
	if (stage) {
		s->label = sj->d.stages[node].name;
	} else {
		const struct cxm_journey_touchpoint *t = &sj->d.tps[node - CXM_JOURNEY_STAGES_MAX];
		snprintf(msg, sizeof(msg), "%s / %s", sj->d.stages[t->stage].name, t->name);
		s->label = cxm_arena_strdup(fr->a, msg);
	}
	return 0;
}

/* A body time: RFC 3339, or YYYY-MM-DD (a real date) as the first instant
 * of that day in the tenant's time zone. */
static int text_time(const struct cxm_tz *z, const char *v, int64_t *out)
{
	const int64_t day_us = INT64_C(86400) * US;
	size_t len = strlen(v);

	if (cxm_time_parse(v, len, out))
		return -1;
	if (len == 10)  /* parsed as UTC midnight */
		*out = cxm_tz_day_start(z, *out / day_us - (*out % day_us < 0));
	return 0;
}

static int body_time(struct funnel_run *fr, const cJSON *v, int64_t *out)
{
	return cJSON_IsString(v) ? text_time(fr->zone, v->valuestring, out) : -1;
}

/* The body into fr->q; problems go into fr->errors. */
static int read_funnel(struct funnel_run *fr, const cJSON *o)
{
	static const char *const keys[] = { "steps", "window", "from", "to", "by", NULL };
	static const char *const by_names[] = { "none", "segment", "week", "month" };
	const cJSON *steps = cJSON_GetObjectItemCaseSensitive(o, "steps");
	const cJSON *window = cJSON_GetObjectItemCaseSensitive(o, "window");
	const cJSON *from = cJSON_GetObjectItemCaseSensitive(o, "from");
	const cJSON *to = cJSON_GetObjectItemCaseSensitive(o, "to");
	const cJSON *by = cJSON_GetObjectItemCaseSensitive(o, "by");
	int64_t w = WINDOW_DEFAULT;
	char msg[200];
	int ret = 0;

	if (!cJSON_IsObject(o)) {
		bad(fr, NULL, M(fr, MSG_TR_WANT_OBJECT));
		return 0;
	}
	for (const cJSON *it = o->child; it; it = it->next) {
		bool known = false;
		for (const char *const *a = keys; *a && !known; a++)
			known = !strcmp(*a, it->string);
		if (!known) {
			snprintf(msg, sizeof(msg), M(fr, MSG_HTTP_UNKNOWN_FIELD), it->string);
			bad(fr, it->string, msg);
		}
	}
	if (!cJSON_IsArray(steps) || cJSON_GetArraySize(steps) < 1 || cJSON_GetArraySize(steps) > CXM_FUNNEL_STEPS_MAX) {
		snprintf(msg, sizeof(msg), M(fr, MSG_JA_STEPS), CXM_FUNNEL_STEPS_MAX);
		bad(fr, "steps", msg);
	} else {
		size_t k = 0;
		for (const cJSON *st = steps->child; st && !ret; st = st->next, k++)
			ret = read_step(fr, k, st, &fr->q.steps[k]);
		fr->q.n = k;
	}
	if (ret)
		return ret;
	if (window) {
		if (!cJSON_IsString(window) || cxm_trigger_delay_parse(window->valuestring, &w) || w < WINDOW_MIN ||
		    w > CXM_JOURNEY_WINDOW_MAX) {
			bad(fr, "window", M(fr, MSG_JA_WINDOW));
			w = WINDOW_DEFAULT;
		}
	}
	fr->q.window_us = w * US;
	cxm_trigger_delay_format(w, fr->window, sizeof(fr->window));
	fr->q.to = cxm_now_us();
	if (to && body_time(fr, to, &fr->q.to))
		bad(fr, "to", M(fr, MSG_JA_WANT_TIME));
	fr->q.from = fr->q.to - (int64_t)DEFAULT_DAYS * 86400 * US;
	if (from && body_time(fr, from, &fr->q.from))
		bad(fr, "from", M(fr, MSG_JA_WANT_TIME));
	if (fr->q.from >= fr->q.to)
		bad(fr, "to", M(fr, MSG_RP_INVERTED));
	else if (fr->q.to - fr->q.from > MAX_RANGE_US)
		bad(fr, "from", M(fr, MSG_JA_RANGE));
	if (by) {
		size_t i = 0;
		while (i < ARRAY_SIZE(by_names) && !(cJSON_IsString(by) && !strcmp(by->valuestring, by_names[i])))
			i++;
		if (i == ARRAY_SIZE(by_names))
			bad(fr, "by", M(fr, MSG_JA_BY));
		else
			fr->q.by = (enum cxm_funnel_by)i;
	}
	fr->q.tz = fr->tz;
	return 0;
}

/* ---- computing --------------------------------------------------------------------- */

static int class_cb(const struct cxm_event_class *c, void *ctx)
{
	struct funnel_run *fr = ctx;

	cxm_funnel_class(fr->f, c);
	for (size_t k = 0; k < fr->q.n; k++) {
		const struct cxm_step *s = &fr->q.steps[k];
		if (s->is_node || strcmp(s->type, c->type) || (s->channel && strcmp(s->channel, c->channel)) ||
		    (s->touchpoint && (!c->touchpoint || strcmp(s->touchpoint, c->touchpoint))))
			continue;
		fr->seen[k] = true;
	}
	return 0;
}

static int customer_cb(int64_t customer_id, const char *segment, const struct cxm_seq_entry *e, size_t n, void *ctx)
{
	struct funnel_run *fr = ctx;

	(void)customer_id;
	cxm_funnel_customer(fr->f, segment, e, n);
	return 0;
}

static void add_seconds(cJSON *o, const char *name, int64_t us)
{
	/* to the microsecond: the quantiles are exact (cJSON prints the
	 * shortest text that reads back the same double) */
	if (us < 0)
		cJSON_AddNullToObject(o, name);
	else
		cJSON_AddNumberToObject(o, name, (double)us / US);
}

/* The steps and the time to convert of one group. */
static void group_json(const struct funnel_run *fr, const struct cxm_funnel_group *g, cJSON *o)
{
	cJSON *steps = cJSON_AddArrayToObject(o, "steps"), *t, *h;

	for (size_t k = 0; k < fr->q.n; k++) {
		cJSON *s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "label", fr->q.steps[k].label);
		cJSON_AddNumberToObject(s, "reached", (double)g->reached[k]);
		if (k) {
			cJSON_AddItemToObject(s, "conversion", cxm_journey_share_json(g->reached[k], g->reached[k - 1]));
			cJSON_AddItemToObject(s, "conversion_from_first", cxm_journey_share_json(g->reached[k], g->reached[0]));
			cJSON_AddNumberToObject(s, "dropped", (double)(g->reached[k - 1] - g->reached[k]));
		} else {
			cJSON_AddNullToObject(s, "conversion");
			cJSON_AddNullToObject(s, "conversion_from_first");
			cJSON_AddNullToObject(s, "dropped");
		}
		cJSON_AddItemToArray(steps, s);
	}
	t = cJSON_AddObjectToObject(o, "time_to_convert");
	cJSON_AddNumberToObject(t, "customers", (double)(fr->q.n ? g->reached[fr->q.n - 1] : 0));
	add_seconds(t, "p50_s", g->p50_us);
	add_seconds(t, "p90_s", g->p90_us);
	h = cJSON_AddArrayToObject(t, "histogram");
	for (int b = 0; b < CXM_JOURNEY_BUCKETS; b++) {
		if (!g->times[b])
			continue;
		cJSON *x = cJSON_CreateObject();
		double lo = b ? 60.0 * pow(1.3, b - 1) : 0, hi = 60.0 * pow(1.3, b);
		cJSON_AddNumberToObject(x, "from_s", floor(lo));
		if (b == CXM_JOURNEY_BUCKETS - 1)
			cJSON_AddNullToObject(x, "to_s");
		else
			cJSON_AddNumberToObject(x, "to_s", floor(hi));
		cJSON_AddNumberToObject(x, "customers", (double)g->times[b]);
		cJSON_AddItemToArray(h, x);
	}
}

int cxm_funnel_report(struct cxm_store *db, int64_t tenant, const cJSON *body, enum cxm_lang lang, cJSON **out,
		      cJSON **errors)
{
	static const char *const by_names[] = { "none", "segment", "week", "month" };
	struct funnel_run *fr = xcalloc(1, sizeof(*fr));
	struct cxm_funnel_result res;
	struct cxm_arena a;
	char t[CXM_TIME_BUFSZ];
	cJSON *o, *warn;
	int ret;

	*out = *errors = NULL;
	cxm_arena_init(&a, 1 << 16);
	fr->a = &a;
	fr->lang = lang;
	fr->tenant = tenant;
	fr->db = db;
	if ((ret = cxm_journey_tenant_zone(db, tenant, fr->tz, &fr->zone)) || (ret = read_funnel(fr, body)))
		goto out;
	if (fr->errors) {
		*errors = fr->errors;
		fr->errors = NULL;
		ret = CXM_EINVAL;
		goto out;
	}
	fr->f = cxm_funnel_new(&fr->q, &a);
	if ((ret = cxm_store_event_classes(db, tenant, class_cb, fr)) ||
	    (ret = cxm_store_seq_scan_until(db, tenant, fr->q.from, fr->q.to, fr->q.to + fr->q.window_us, true,
					    customer_cb, fr)))
		goto out;
	cxm_funnel_result(fr->f, &res);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "from", cxm_time_format(fr->q.from, t));
	cJSON_AddStringToObject(o, "to", cxm_time_format(fr->q.to, t));
	cJSON_AddStringToObject(o, "window", fr->window);
	cJSON_AddStringToObject(o, "by", by_names[fr->q.by]);
	group_json(fr, &res.all, o);
	if (fr->q.by != CXM_FUNNEL_BY_NONE) {
		cJSON *groups = cJSON_AddArrayToObject(o, "groups");
		for (size_t i = 0; i < res.groups_n; i++) {
			cJSON *g = cJSON_CreateObject();
			/* key null: the customers without a segment, or (other) the rest */
			if (res.groups[i].key)
				cJSON_AddStringToObject(g, "key", res.groups[i].key);
			else
				cJSON_AddNullToObject(g, "key");
			cJSON_AddBoolToObject(g, "other", res.groups[i].other);
			group_json(fr, &res.groups[i], g);
			cJSON_AddItemToArray(groups, g);
		}
	}
	/* typos stay visible: a step nothing ever matched, a journey still building */
	warn = cJSON_AddArrayToObject(o, "warnings");
	for (size_t k = 0; k < fr->q.n; k++) {
		const struct cxm_step *s = &fr->q.steps[k];
		char field[32], msg[300];
		if (s->is_node || fr->seen[k])
			continue;
		snprintf(field, sizeof(field), "steps[%zu]", k);
		snprintf(msg, sizeof(msg), M(fr, MSG_JA_NEVER_SEEN), s->label);
		cJSON *w = cJSON_CreateObject();
		cJSON_AddStringToObject(w, "field", field);
		cJSON_AddStringToObject(w, "message", msg);
		cJSON_AddItemToArray(warn, w);
	}
	for (size_t i = 0; i < fr->njs; i++) {
		if (!fr->js[i].tree || !fr->js[i].rebuilding)
			continue;
		char msg[300];
		cJSON *w = cJSON_CreateObject();
		snprintf(msg, sizeof(msg), M(fr, MSG_JA_BUILDING), fr->js[i].name);
		cJSON_AddStringToObject(w, "field", "steps");
		cJSON_AddStringToObject(w, "message", msg);
		cJSON_AddItemToArray(warn, w);
	}
	*out = o;
out:
	cJSON_Delete(fr->errors);
	for (size_t i = 0; i < fr->njs; i++)
		cJSON_Delete(fr->js[i].tree);
	free(fr);
	cxm_arena_release(&a);
	return ret;
}

/* ---- paths ------------------------------------------------------------------------------ */

struct paths_run {
	struct cxm_arena *a;
	enum cxm_lang lang;
	struct cxm_paths *p;
	struct step_journey j;
	char tz[64];
	const struct cxm_tz *zone;       /* the tenant's */
	char *field, *why;
	size_t fieldlen, whylen;
};

/* Sets the field and reason of a refusal; returns CXM_EINVAL. */
static int refuse(struct paths_run *pr, const char *field, const char *why)
{
	cxm_strlcpy(pr->field, field, pr->fieldlen);
	cxm_strlcpy(pr->why, why, pr->whylen);
	return CXM_EINVAL;
}

/* A path point: "event:TYPE[/TOUCHPOINT]" or "journey:KEY" (a stage key,
 * STAGE.TOUCHPOINT or a touchpoint key of the journey). */
static int path_step(struct paths_run *pr, const char *param, const char *v, struct cxm_step *s)
{
	memset(s, 0, sizeof(*s));
	if (!strncmp(v, "event:", 6) && v[6]) {
		char *type = cxm_arena_strdup(pr->a, v + 6), *slash = strchr(type, '/');
		if (slash) {
			*slash = '\0';
			s->touchpoint = slash + 1;
		}
		if (!*type || strlen(type) > 64 || (s->touchpoint && (!*s->touchpoint || strlen(s->touchpoint) > 64)))
			goto bad;
		s->type = type;
		s->label = v + 6;
		return 0;
	}
	if (!strncmp(v, "journey:", 8) && pr->j.tree) {
		int node = cxm_journey_node_find(&pr->j.d, v + 8);
		if (node < 0)
			goto bad;
		s->is_node = true;
		s->slot = pr->j.slot;
		s->node = node;
		s->journey = &pr->j.d;
		s->label = v + 8;
		return 0;
	}
bad:
	return refuse(pr, param, cxm_msg_in(MSG_JA_PATH_STEP, pr->lang));
}

static int paths_class_cb(const struct cxm_event_class *c, void *ctx)
{
	cxm_paths_class(((struct paths_run *)ctx)->p, c);
	return 0;
}

static int paths_customer_cb(int64_t customer_id, const char *segment, const struct cxm_seq_entry *e, size_t n,
			     void *ctx)
{
	(void)customer_id, (void)segment;
	cxm_paths_customer(((struct paths_run *)ctx)->p, e, n);
	return 0;
}

/* A small whole number in lo..hi (dflt when absent). */
static int small_int(struct paths_run *pr, const char *name, const char *v, int64_t lo, int64_t hi, int64_t dflt,
		     size_t *out)
{
	int64_t n = dflt;
	char msg[120];

	if (v && (cxm_parse_i64(v, strlen(v), &n) || n < lo || n > hi)) {
		snprintf(msg, sizeof(msg), cxm_msg_in(MSG_JA_RANGE_INT, pr->lang), (long long)lo, (long long)hi);
		return refuse(pr, name, msg);
	}
	*out = (size_t)n;
	return 0;
}

static int read_paths(struct paths_run *pr, struct cxm_store *db, int64_t tenant, const struct cxm_paths_params *pp,
		      struct cxm_path_query *q, int64_t *w)
{
	static const char *const levels[] = { "event", "stage", "touchpoint" };
	int ret;

	if (pp->level) {
		size_t i = 0;
		while (i < ARRAY_SIZE(levels) && strcmp(pp->level, levels[i]))
			i++;
		if (i == ARRAY_SIZE(levels))
			return refuse(pr, "level", cxm_msg_in(MSG_JA_LEVEL, pr->lang));
		q->level = (enum cxm_path_level)i;
	}
	if (pp->journey) {
		struct journey_find jf = { pr->a, &pr->j };
		char f[64], why[300];
		if (id_of(pp->journey, &pr->j.id))
			return refuse(pr, "journey", cxm_msg_in(MSG_HTTP_WANT_ID, pr->lang));
		ret = cxm_store_journey_get(db, tenant, pr->j.id, keep_journey, &jf);
		if (ret && ret != CXM_ENOTFOUND)
			return ret;
		if (ret || !pr->j.tree || cxm_journey_check(pr->j.tree, &pr->j.d, f, sizeof(f), why, sizeof(why))) {
			cJSON_Delete(pr->j.tree);
			pr->j.tree = NULL;
			return refuse(pr, "journey", cxm_msg_in(MSG_JA_NO_JOURNEY, pr->lang));
		}
		q->slot = pr->j.slot;
		q->journey = &pr->j.d;
	} else if (q->level != CXM_PATH_EVENT) {
		return refuse(pr, "journey", cxm_msg_in(MSG_TR_REQUIRED, pr->lang));
	}
	if (!pp->start)
		return refuse(pr, "start", cxm_msg_in(MSG_TR_REQUIRED, pr->lang));
	if ((ret = path_step(pr, "start", pp->start, &q->start)) ||
	    (pp->end && (ret = path_step(pr, "end", pp->end, &q->end))) ||
	    (ret = small_int(pr, "max_steps", pp->max_steps, 1, CXM_PATH_STEPS_MAX, 5, &q->max_steps)) ||
	    (ret = small_int(pr, "top", pp->top, 1, CXM_PATH_TOP_MAX, 20, &q->top)))
		return ret;
	if (pp->window && (cxm_trigger_delay_parse(pp->window, w) || *w < WINDOW_MIN || *w > CXM_JOURNEY_WINDOW_MAX))
		return refuse(pr, "window", cxm_msg_in(MSG_JA_WINDOW, pr->lang));
	q->window_us = *w * US;
	q->to = cxm_now_us();
	if (pp->to && text_time(pr->zone, pp->to, &q->to))
		return refuse(pr, "to", cxm_msg_in(MSG_JA_WANT_TIME, pr->lang));
	q->from = q->to - (int64_t)DEFAULT_DAYS * 86400 * US;
	if (pp->from && text_time(pr->zone, pp->from, &q->from))
		return refuse(pr, "from", cxm_msg_in(MSG_JA_WANT_TIME, pr->lang));
	if (q->from >= q->to)
		return refuse(pr, "to", cxm_msg_in(MSG_RP_INVERTED, pr->lang));
	if (q->to - q->from > MAX_RANGE_US)
		return refuse(pr, "from", cxm_msg_in(MSG_JA_RANGE, pr->lang));
	return 0;
}

int cxm_paths_report(struct cxm_store *db, int64_t tenant, const struct cxm_paths_params *pp, enum cxm_lang lang,
		     cJSON **out, char *field, size_t fieldlen, char *why, size_t whylen)
{
	static const char *const levels[] = { "event", "stage", "touchpoint" };
	struct paths_run *pr = xcalloc(1, sizeof(*pr));
	struct cxm_path_query q = { 0 };
	struct cxm_path_result res;
	struct cxm_arena a;
	char t[CXM_TIME_BUFSZ], wbuf[24];
	int64_t w = WINDOW_DEFAULT;
	cJSON *o, *arr;
	int ret;

	*out = NULL;
	cxm_arena_init(&a, 1 << 16);
	pr->a = &a;
	pr->lang = lang;
	pr->field = field, pr->fieldlen = fieldlen, pr->why = why, pr->whylen = whylen;
	if ((ret = cxm_journey_tenant_zone(db, tenant, pr->tz, &pr->zone)) || (ret = read_paths(pr, db, tenant, pp, &q, &w)))
		goto out;
	pr->p = cxm_paths_new(&q, &a);
	if ((ret = cxm_store_event_classes(db, tenant, paths_class_cb, pr)) ||
	    (ret = cxm_store_seq_scan_until(db, tenant, q.from, q.to, q.to + q.window_us, false, paths_customer_cb,
					    pr)))
		goto out;
	cxm_paths_result(pr->p, &res);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "from", cxm_time_format(q.from, t));
	cJSON_AddStringToObject(o, "to", cxm_time_format(q.to, t));
	cJSON_AddStringToObject(o, "window", cxm_trigger_delay_format(w, wbuf, sizeof(wbuf)));
	cJSON_AddStringToObject(o, "level", levels[q.level]);
	cJSON_AddStringToObject(o, "start", pp->start);
	if (pp->end)
		cJSON_AddStringToObject(o, "end", pp->end);
	else
		cJSON_AddNullToObject(o, "end");
	cJSON_AddNumberToObject(o, "customers", (double)res.customers);
	arr = cJSON_AddArrayToObject(o, "sequences");
	for (size_t i = 0; i < res.sequences_n; i++) {
		cJSON *s = cJSON_CreateObject(), *l = cJSON_AddArrayToObject(s, "labels");
		for (size_t k = 0; k < res.sequences[i].n; k++)
			cJSON_AddItemToArray(l, cJSON_CreateString(res.sequences[i].labels[k]));
		cJSON_AddNumberToObject(s, "customers", (double)res.sequences[i].customers);
		cJSON_AddItemToArray(arr, s);
	}
	cJSON_AddNumberToObject(o, "other", (double)res.other);
	arr = cJSON_AddArrayToObject(o, "nodes");
	for (size_t i = 0; i < res.nodes_n; i++) {
		cJSON *n = cJSON_CreateObject();
		cJSON_AddNumberToObject(n, "depth", (double)res.nodes[i].depth);
		cJSON_AddStringToObject(n, "label", res.nodes[i].label);
		cJSON_AddNumberToObject(n, "customers", (double)res.nodes[i].customers);
		cJSON_AddNumberToObject(n, "left", (double)res.nodes[i].left);
		cJSON_AddItemToArray(arr, n);
	}
	arr = cJSON_AddArrayToObject(o, "links");
	for (size_t i = 0; i < res.links_n; i++) {
		cJSON *l = cJSON_CreateObject();
		cJSON_AddNumberToObject(l, "from", (double)res.links[i].from);
		cJSON_AddNumberToObject(l, "to", (double)res.links[i].to);
		cJSON_AddNumberToObject(l, "customers", (double)res.links[i].customers);
		add_seconds(l, "median_s", res.links[i].median_us);
		cJSON_AddItemToArray(arr, l);
	}
	*out = o;
out:
	cJSON_Delete(pr->j.tree);
	free(pr);
	cxm_arena_release(&a);
	return ret;
}
