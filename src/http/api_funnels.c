/*
 * api_funnels.c - POST /api/v1/funnels: a funnel over any ordered steps
 * (events, or the stages and touchpoints of journeys) computed on the fly
 * from the customers' event sequences (journey.h, docs/journeys.md
 * "Funnels"). It reads and changes nothing, so it does not go through the
 * writer. Sequences are every customer's events, so the answer is
 * tenant-wide for every role.
 */
#include "http-internal.h"
#include "cxm/journey.h"
#include "cxm/metrics.h"
#include "cxm/time.h"
#include "cxm/triggers.h"
#include "cxm/tz.h"

#include <math.h>

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
	struct req *r;
	struct cxm_store *db;
	cJSON *problem;             /* 422 items, created on the first */
	struct step_journey js[CXM_FUNNEL_STEPS_MAX];
	size_t njs;
	struct cxm_funnel_query q;
	bool seen[CXM_FUNNEL_STEPS_MAX]; /* an event step matched a recorded class */
	struct cxm_funnel *f;
	char tz[64];
	char window[24];
};

static void bad(struct funnel_run *fr, const char *field, const char *message)
{
	if (!fr->problem)
		fr->problem = problem_new(fr->r, 422, "invalid", MSG_HTTP_INVALID, NULL);
	problem_item(fr->problem, -1, field, message);
}

struct journey_find {
	struct req *r;
	struct step_journey *sj;
};

static int keep_journey(const struct cxm_journey_row *j, void *ctx)
{
	struct journey_find *jf = ctx;
	struct step_journey *sj = jf->sj;
	struct req *r = jf->r;
	char err[64];

	sj->slot = j->slot;
	sj->rebuilding = j->built_version < j->version;
	sj->name = cxm_arena_strdup(&r->arena, j->name);
	sj->tree = strcmp(j->status, "active") ? NULL
					       : cxm_json_parse(j->definition, strlen(j->definition), err, sizeof(err));
	return 0;
}

/* The journey of id, loaded once per request; NULL after a problem item or
 * with *ret set to a store error. */
static struct step_journey *journey_of(struct funnel_run *fr, const char *field, const cJSON *v, int *ret)
{
	struct req *r = fr->r;
	struct step_journey *sj;
	char f[64], why[300];
	int64_t id;

	if (!cJSON_IsString(v) || parse_id(v->valuestring, &id)) {
		bad(fr, field, T(r, MSG_HTTP_WANT_ID));
		return NULL;
	}
	for (size_t i = 0; i < fr->njs; i++)
		if (fr->js[i].id == id)
			return fr->js[i].tree ? &fr->js[i] : NULL;
	sj = &fr->js[fr->njs];
	memset(sj, 0, sizeof(*sj));
	sj->id = id;
	struct journey_find jf = { r, sj };
	*ret = cxm_store_journey_get(fr->db, r->who.tenant, id, keep_journey, &jf);
	if (*ret == CXM_ENOTFOUND)
		*ret = 0;
	if (*ret)
		return NULL;
	fr->njs++;
	if (!sj->tree || cxm_journey_check(sj->tree, &sj->d, f, sizeof(f), why, sizeof(why))) {
		cJSON_Delete(sj->tree);
		sj->tree = NULL;
		bad(fr, field, T(r, MSG_JA_NO_JOURNEY));
		return NULL;
	}
	return sj;
}

/* One step of the body into s; problems go into fr. */
static int read_step(struct funnel_run *fr, size_t k, const cJSON *st, struct cxm_step *s)
{
	static const char *const step_keys[] = { "event", "journey", "stage", "touchpoint", NULL };
	static const char *const event_keys[] = { "type", "channel", "touchpoint", NULL };
	struct req *r = fr->r;
	char field[96], msg[300];
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(st, "event");
	const cJSON *jn = cJSON_GetObjectItemCaseSensitive(st, "journey");
	int ret = 0;

	snprintf(field, sizeof(field), "steps[%zu]", k);
	if (!cJSON_IsObject(st)) {
		bad(fr, field, T(r, MSG_JA_STEP_SHAPE));
		return 0;
	}
	for (const cJSON *it = st->child; it; it = it->next) {
		bool known = false;
		for (const char *const *a = step_keys; *a && !known; a++)
			known = !strcmp(*a, it->string);
		if (!known) {
			char f2[160];
			snprintf(f2, sizeof(f2), "%s.%s", field, it->string);
			snprintf(msg, sizeof(msg), T(r, MSG_HTTP_UNKNOWN_FIELD), it->string);
			bad(fr, f2, msg);
			return 0;
		}
	}
	if (!ev == !jn) {
		bad(fr, field, T(r, MSG_JA_STEP_SHAPE));
		return 0;
	}
	if (ev) {
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(ev, "type");
		const cJSON *ch = cJSON_GetObjectItemCaseSensitive(ev, "channel");
		const cJSON *tp = cJSON_GetObjectItemCaseSensitive(ev, "touchpoint");
		char f2[160];
		if (cJSON_GetObjectItemCaseSensitive(st, "stage") || cJSON_GetObjectItemCaseSensitive(st, "touchpoint")) {
			bad(fr, field, T(r, MSG_JA_STEP_SHAPE));
			return 0;
		}
		if (!cJSON_IsObject(ev)) {
			snprintf(f2, sizeof(f2), "%s.event", field);
			bad(fr, f2, T(r, MSG_TR_WANT_OBJECT));
			return 0;
		}
		for (const cJSON *it = ev->child; it; it = it->next) {
			bool known = false;
			for (const char *const *a = event_keys; *a && !known; a++)
				known = !strcmp(*a, it->string);
			if (!known) {
				snprintf(f2, sizeof(f2), "%s.event.%s", field, it->string);
				if (!strcmp(it->string, "properties"))
					bad(fr, f2, T(r, MSG_JA_STEP_PROPERTIES));
				else {
					snprintf(msg, sizeof(msg), T(r, MSG_HTTP_UNKNOWN_FIELD), it->string);
					bad(fr, f2, msg);
				}
				return 0;
			}
		}
		snprintf(f2, sizeof(f2), "%s.event.type", field);
		if (!type) {
			bad(fr, f2, T(r, MSG_TR_REQUIRED));
			return 0;
		}
		if (!cJSON_IsString(type) || !*type->valuestring || strlen(type->valuestring) > 64) {
			bad(fr, f2, T(r, MSG_JA_WANT_NAME));
			return 0;
		}
		snprintf(f2, sizeof(f2), "%s.event.channel", field);
		if (ch && (!cJSON_IsString(ch) || !*ch->valuestring || strlen(ch->valuestring) > 15)) {
			bad(fr, f2, T(r, MSG_JA_WANT_NAME));
			return 0;
		}
		snprintf(f2, sizeof(f2), "%s.event.touchpoint", field);
		if (tp && (!cJSON_IsString(tp) || !*tp->valuestring || strlen(tp->valuestring) > 64)) {
			bad(fr, f2, T(r, MSG_JA_WANT_NAME));
			return 0;
		}
		s->type = type->valuestring;
		s->channel = ch ? ch->valuestring : NULL;
		s->touchpoint = tp ? tp->valuestring : NULL;
		snprintf(msg, sizeof(msg), "%s%s%s", s->type, s->touchpoint ? "/" : "", s->touchpoint ? s->touchpoint : "");
		s->label = cxm_arena_strdup(&r->arena, msg);
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
		bad(fr, f2, T(r, MSG_JA_STEP_NODE));
		return 0;
	}
	const char *key = (stage ? stage : tpk)->valuestring;
	int node = cxm_journey_node_find(&sj->d, key);
	if (node < 0 || cxm_journey_node_is_stage(node) != !!stage) {
		snprintf(f2, sizeof(f2), "%s.%s", field, stage ? "stage" : "touchpoint");
		snprintf(msg, sizeof(msg), T(r, stage ? MSG_JA_NO_STAGE : MSG_JA_NO_TOUCHPOINT), key, sj->name);
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
		s->label = cxm_arena_strdup(&r->arena, msg);
	}
	return 0;
}

static int tenant_tz(const struct cxm_tenant *t, void *ctx)
{
	cxm_strlcpy(ctx, t->time_zone ? t->time_zone : "UTC", 64);
	return 0;
}

/* A body time: RFC 3339, or YYYY-MM-DD as the start of that day in the
 * tenant's time zone. */
static int text_time(const char *tz, const char *v, int64_t *out)
{
	const struct cxm_tz *z;
	long long y;
	int64_t day;
	unsigned mo, d;
	char tail;

	if (!cxm_time_parse(v, strlen(v), out))
		return 0;
	if (sscanf(v, "%4lld-%2u-%2u%c", &y, &mo, &d, &tail) != 3 || strlen(v) != 10 || mo < 1 || mo > 12 || d < 1 ||
	    d > 31)
		return -1;
	day = cxm_days_from_civil(y, mo, d);
	if (!(z = cxm_tz_get(tz)))
		z = cxm_tz_get("UTC");
	int64_t t = day * 86400 * US;
	t -= (int64_t)cxm_tz_offset(z, t) * US;
	t = day * 86400 * US - (int64_t)cxm_tz_offset(z, t) * US;
	*out = t;
	return 0;
}

static int body_time(struct funnel_run *fr, const cJSON *v, int64_t *out)
{
	return cJSON_IsString(v) ? text_time(fr->tz, v->valuestring, out) : -1;
}

/* The body into fr->q; problems go into fr->problem. */
static int read_funnel(struct funnel_run *fr, const cJSON *o)
{
	static const char *const keys[] = { "steps", "window", "from", "to", "by", NULL };
	static const char *const by_names[] = { "none", "segment", "week", "month" };
	struct req *r = fr->r;
	const cJSON *steps = cJSON_GetObjectItemCaseSensitive(o, "steps");
	const cJSON *window = cJSON_GetObjectItemCaseSensitive(o, "window");
	const cJSON *from = cJSON_GetObjectItemCaseSensitive(o, "from");
	const cJSON *to = cJSON_GetObjectItemCaseSensitive(o, "to");
	const cJSON *by = cJSON_GetObjectItemCaseSensitive(o, "by");
	int64_t w = WINDOW_DEFAULT;
	char msg[200];
	int ret = 0;

	if (!cJSON_IsObject(o)) {
		bad(fr, NULL, T(r, MSG_TR_WANT_OBJECT));
		return 0;
	}
	for (const cJSON *it = o->child; it; it = it->next) {
		bool known = false;
		for (const char *const *a = keys; *a && !known; a++)
			known = !strcmp(*a, it->string);
		if (!known) {
			snprintf(msg, sizeof(msg), T(r, MSG_HTTP_UNKNOWN_FIELD), it->string);
			bad(fr, it->string, msg);
		}
	}
	if (!cJSON_IsArray(steps) || cJSON_GetArraySize(steps) < 1 || cJSON_GetArraySize(steps) > CXM_FUNNEL_STEPS_MAX) {
		snprintf(msg, sizeof(msg), T(r, MSG_JA_STEPS), CXM_FUNNEL_STEPS_MAX);
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
			bad(fr, "window", T(r, MSG_JA_WINDOW));
			w = WINDOW_DEFAULT;
		}
	}
	fr->q.window_us = w * US;
	cxm_trigger_delay_format(w, fr->window, sizeof(fr->window));
	fr->q.to = cxm_now_us();
	if (to && body_time(fr, to, &fr->q.to))
		bad(fr, "to", T(r, MSG_JA_WANT_TIME));
	fr->q.from = fr->q.to - (int64_t)DEFAULT_DAYS * 86400 * US;
	if (from && body_time(fr, from, &fr->q.from))
		bad(fr, "from", T(r, MSG_JA_WANT_TIME));
	if (fr->q.from >= fr->q.to)
		bad(fr, "to", T(r, MSG_RP_INVERTED));
	else if (fr->q.to - fr->q.from > MAX_RANGE_US)
		bad(fr, "from", T(r, MSG_JA_RANGE));
	if (by) {
		size_t i = 0;
		while (i < ARRAY_SIZE(by_names) && !(cJSON_IsString(by) && !strcmp(by->valuestring, by_names[i])))
			i++;
		if (i == ARRAY_SIZE(by_names))
			bad(fr, "by", T(r, MSG_JA_BY));
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

static cJSON *share_json(int64_t x, int64_t n)
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
	return o;
}

static void add_seconds(cJSON *o, const char *name, int64_t us)
{
	if (us < 0)
		cJSON_AddNullToObject(o, name);
	else
		cxm_json_add_fixed(o, name, (double)us / US, 3);
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
			cJSON_AddItemToObject(s, "conversion", share_json(g->reached[k], g->reached[k - 1]));
			cJSON_AddItemToObject(s, "conversion_from_first", share_json(g->reached[k], g->reached[0]));
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

int api_funnels(struct req *r)
{
	static const char *const by_names[] = { "none", "segment", "week", "month" };
	struct funnel_run *fr = xcalloc(1, sizeof(*fr));
	struct cxm_funnel_result res;
	char t[CXM_TIME_BUFSZ];
	cJSON *body = body_json(r), *o, *warn;
	int ret;

	fr->r = r;
	cxm_strlcpy(fr->tz, "UTC", sizeof(fr->tz));
	if (!body || !(fr->db = req_db(r)))
		goto out;
	if ((ret = cxm_store_tenant_get(fr->db, r->who.tenant, tenant_tz, fr->tz)) || (ret = read_funnel(fr, body))) {
		reply_store_error(r, ret, cxm_store_errmsg(fr->db));
		goto out;
	}
	if (fr->problem) {
		reply_problem(r, fr->problem);
		fr->problem = NULL;
		goto out;
	}
	fr->f = cxm_funnel_new(&fr->q, &r->arena);
	if ((ret = cxm_store_event_classes(fr->db, r->who.tenant, class_cb, fr)) ||
	    (ret = cxm_store_seq_scan(fr->db, r->who.tenant, fr->q.from, fr->q.to, customer_cb, fr))) {
		reply_store_error(r, ret, cxm_store_errmsg(fr->db));
		goto out;
	}
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
			cJSON_AddStringToObject(g, "key", res.groups[i].key);
			group_json(fr, &res.groups[i], g);
			cJSON_AddItemToArray(groups, g);
		}
	}
	/* typos stay visible: a step nothing ever matched, a journey still building */
	warn = cJSON_AddArrayToObject(o, "warnings");
	for (size_t k = 0; k < fr->q.n; k++) {
		const struct cxm_step *s = &fr->q.steps[k];
		char field[32], msg[300];
		snprintf(field, sizeof(field), "steps[%zu]", k);
		if (s->is_node || fr->seen[k])
			continue;
		snprintf(msg, sizeof(msg), T(r, MSG_JA_NEVER_SEEN), s->label);
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
		snprintf(msg, sizeof(msg), T(r, MSG_JA_BUILDING), fr->js[i].name);
		cJSON_AddStringToObject(w, "field", "steps");
		cJSON_AddStringToObject(w, "message", msg);
		cJSON_AddItemToArray(warn, w);
	}
	reply_json(r, 200, o);
out:
	cJSON_Delete(fr->problem);
	for (size_t i = 0; i < fr->njs; i++)
		cJSON_Delete(fr->js[i].tree);
	free(fr);
	return H_DONE;
}

/* ---- GET /api/v1/paths ---------------------------------------------------------------- */

struct paths_run {
	struct req *r;
	struct cxm_store *db;
	struct cxm_paths *p;
	struct step_journey j;
	char tz[64];
};

/* A path point: "event:TYPE[/TOUCHPOINT]" or "journey:KEY" (a stage key,
 * STAGE.TOUCHPOINT or a touchpoint key of ?journey). 0, or -1 after a 400. */
static int path_step(struct paths_run *pr, const char *param, const char *v, struct cxm_step *s)
{
	struct req *r = pr->r;

	memset(s, 0, sizeof(*s));
	if (!strncmp(v, "event:", 6) && v[6]) {
		char *type = cxm_arena_strdup(&r->arena, v + 6), *slash = strchr(type, '/');
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
	reply_bad_query(r, param, T(r, MSG_JA_PATH_STEP));
	return -1;
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

/* A small whole-number query parameter in lo..hi (dflt when absent); -1 after a 400. */
static int query_small(struct req *r, const char *name, int64_t lo, int64_t hi, int64_t dflt, size_t *out)
{
	const char *v = req_query(r, name);
	int64_t n = dflt;
	char msg[120];

	if (v && (cxm_parse_i64(v, strlen(v), &n) || n < lo || n > hi)) {
		snprintf(msg, sizeof(msg), T(r, MSG_JA_RANGE_INT), (long long)lo, (long long)hi);
		reply_bad_query(r, name, msg);
		return -1;
	}
	*out = (size_t)n;
	return 0;
}

static enum MHD_Result unknown_arg(void *ctx, enum MHD_ValueKind kind, const char *key, const char *value)
{
	static const char *const known[] = { "start", "end", "level", "journey", "max_steps", "top", "from", "to",
					     "window", NULL };
	const char **unknown = ctx;
	(void)kind, (void)value;

	for (const char *const *k = known; *k; k++)
		if (!strcmp(key, *k))
			return MHD_YES;
	if (!*unknown)
		*unknown = key;
	return MHD_YES;
}

int api_paths(struct req *r)
{
	static const char *const levels[] = { "event", "stage", "touchpoint" };
	const char *unknown = NULL;
	struct paths_run *pr = xcalloc(1, sizeof(*pr));
	struct cxm_path_query q = { 0 };
	struct cxm_path_result res;
	const char *start = req_query(r, "start"), *end = req_query(r, "end"), *level = req_query(r, "level");
	const char *journey = req_query(r, "journey"), *from = req_query(r, "from"), *to = req_query(r, "to");
	const char *window = req_query(r, "window");
	char t[CXM_TIME_BUFSZ], wbuf[24];
	int64_t w = WINDOW_DEFAULT;
	int ret;
	cJSON *o, *a;

	pr->r = r;
	cxm_strlcpy(pr->tz, "UTC", sizeof(pr->tz));
	if (!(pr->db = req_db(r)))
		goto out;
	/* an unknown parameter is a typo worth telling */
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, unknown_arg, &unknown);
	if (unknown) {
		reply_bad_query(r, unknown, T(r, MSG_RP_UNKNOWN_PARAM));
		goto out;
	}
	if ((ret = cxm_store_tenant_get(pr->db, r->who.tenant, tenant_tz, pr->tz)))
		goto store_fail;
	if (level) {
		size_t i = 0;
		while (i < ARRAY_SIZE(levels) && strcmp(level, levels[i]))
			i++;
		if (i == ARRAY_SIZE(levels)) {
			reply_bad_query(r, "level", T(r, MSG_JA_LEVEL));
			goto out;
		}
		q.level = (enum cxm_path_level)i;
	}
	if (journey) {
		struct journey_find jf = { r, &pr->j };
		char f[64], why[300];
		if (parse_id(journey, &pr->j.id)) {
			reply_bad_query(r, "journey", T(r, MSG_HTTP_WANT_ID));
			goto out;
		}
		ret = cxm_store_journey_get(pr->db, r->who.tenant, pr->j.id, keep_journey, &jf);
		if (ret && ret != CXM_ENOTFOUND)
			goto store_fail;
		if (ret || !pr->j.tree || cxm_journey_check(pr->j.tree, &pr->j.d, f, sizeof(f), why, sizeof(why))) {
			cJSON_Delete(pr->j.tree);
			pr->j.tree = NULL;
			reply_bad_query(r, "journey", T(r, MSG_JA_NO_JOURNEY));
			goto out;
		}
	} else if (q.level != CXM_PATH_EVENT) {
		reply_bad_query(r, "journey", T(r, MSG_TR_REQUIRED));
		goto out;
	}
	if (!start) {
		reply_bad_query(r, "start", T(r, MSG_TR_REQUIRED));
		goto out;
	}
	if (path_step(pr, "start", start, &q.start) || (end && path_step(pr, "end", end, &q.end)))
		goto out;
	if (query_small(r, "max_steps", 1, CXM_PATH_STEPS_MAX, 5, &q.max_steps) ||
	    query_small(r, "top", 1, CXM_PATH_TOP_MAX, 20, &q.top))
		goto out;
	if (window && (cxm_trigger_delay_parse(window, &w) || w < WINDOW_MIN || w > CXM_JOURNEY_WINDOW_MAX)) {
		reply_bad_query(r, "window", T(r, MSG_JA_WINDOW));
		goto out;
	}
	q.window_us = w * US;
	q.to = cxm_now_us();
	if (to && text_time(pr->tz, to, &q.to)) {
		reply_bad_query(r, "to", T(r, MSG_JA_WANT_TIME));
		goto out;
	}
	q.from = q.to - (int64_t)DEFAULT_DAYS * 86400 * US;
	if (from && text_time(pr->tz, from, &q.from)) {
		reply_bad_query(r, "from", T(r, MSG_JA_WANT_TIME));
		goto out;
	}
	if (q.from >= q.to) {
		reply_bad_query(r, "to", T(r, MSG_RP_INVERTED));
		goto out;
	}
	if (q.to - q.from > MAX_RANGE_US) {
		reply_bad_query(r, "from", T(r, MSG_JA_RANGE));
		goto out;
	}
	if (pr->j.tree) {
		q.slot = pr->j.slot;
		q.journey = &pr->j.d;
	}
	pr->p = cxm_paths_new(&q, &r->arena);
	if ((ret = cxm_store_event_classes(pr->db, r->who.tenant, paths_class_cb, pr)) ||
	    (ret = cxm_store_seq_scan(pr->db, r->who.tenant, q.from, q.to, paths_customer_cb, pr)))
		goto store_fail;
	cxm_paths_result(pr->p, &res);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "from", cxm_time_format(q.from, t));
	cJSON_AddStringToObject(o, "to", cxm_time_format(q.to, t));
	cJSON_AddStringToObject(o, "window", cxm_trigger_delay_format(w, wbuf, sizeof(wbuf)));
	cJSON_AddStringToObject(o, "level", levels[q.level]);
	cJSON_AddStringToObject(o, "start", start);
	if (end)
		cJSON_AddStringToObject(o, "end", end);
	else
		cJSON_AddNullToObject(o, "end");
	cJSON_AddNumberToObject(o, "customers", (double)res.customers);
	a = cJSON_AddArrayToObject(o, "sequences");
	for (size_t i = 0; i < res.sequences_n; i++) {
		cJSON *s = cJSON_CreateObject(), *l = cJSON_AddArrayToObject(s, "labels");
		for (size_t k = 0; k < res.sequences[i].n; k++)
			cJSON_AddItemToArray(l, cJSON_CreateString(res.sequences[i].labels[k]));
		cJSON_AddNumberToObject(s, "customers", (double)res.sequences[i].customers);
		cJSON_AddItemToArray(a, s);
	}
	cJSON_AddNumberToObject(o, "other", (double)res.other);
	a = cJSON_AddArrayToObject(o, "nodes");
	for (size_t i = 0; i < res.nodes_n; i++) {
		cJSON *n = cJSON_CreateObject();
		cJSON_AddNumberToObject(n, "depth", (double)res.nodes[i].depth);
		cJSON_AddStringToObject(n, "label", res.nodes[i].label);
		cJSON_AddNumberToObject(n, "customers", (double)res.nodes[i].customers);
		cJSON_AddNumberToObject(n, "left", (double)res.nodes[i].left);
		cJSON_AddItemToArray(a, n);
	}
	a = cJSON_AddArrayToObject(o, "links");
	for (size_t i = 0; i < res.links_n; i++) {
		cJSON *l = cJSON_CreateObject();
		cJSON_AddNumberToObject(l, "from", (double)res.links[i].from);
		cJSON_AddNumberToObject(l, "to", (double)res.links[i].to);
		cJSON_AddNumberToObject(l, "customers", (double)res.links[i].customers);
		add_seconds(l, "median_s", res.links[i].median_us);
		cJSON_AddItemToArray(a, l);
	}
	reply_json(r, 200, o);
	goto out;
store_fail:
	reply_store_error(r, ret, cxm_store_errmsg(pr->db));
out:
	cJSON_Delete(pr->j.tree);
	free(pr);
	return H_DONE;
}
