/* def.c - checking journey definitions, their canonical form and node
 * numbers (journey.h). */
#include "cxm/journey.h"
#include "cxm/check.h"
#include "cxm/core.h"
#include "cxm/customers.h"
#include "cxm/events.h"
#include "cxm/i18n.h"
#include "cxm/triggers.h"

#include <math.h>
#include <stdarg.h>

#define PROPS_MAX 20     /* properties of one match, as a trigger's */
#define PROP_VALUE_MAX 200

const char *cxm_phase_name(enum cxm_phase p)
{
	switch (p) {
	case CXM_PHASE_BEFORE:
		return "before";
	case CXM_PHASE_DURING:
		return "during";
	case CXM_PHASE_AFTER:
		return "after";
	}
	return "before";
}

/* A member that must be a string when present; NULL when absent or null,
 * *bad set after cxm_fail() when it is not a string. */
static const char *opt_str(const cJSON *o, const char *key, const char *field, struct cxm_err *e, bool *bad)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	*bad = false;
	if (!v || cJSON_IsNull(v))
		return NULL;
	if (!cJSON_IsString(v)) {
		*bad = true;
		cxm_fail(e, field, "%s", _(MSG_JDEF_WANT_STRING));
		return NULL;
	}
	return v->valuestring;
}

/* A required string member; NULL after cxm_fail() when absent or not a string. */
static const char *need_str(const cJSON *o, const char *key, const char *field, struct cxm_err *e)
{
	bool bad;
	const char *s = opt_str(o, key, field, e, &bad);

	if (!s && !bad)
		cxm_fail(e, field, "%s", _(MSG_JDEF_REQUIRED));
	return s;
}

static bool key_ok(const char *k)
{
	size_t n = strlen(k);

	if (n < 1 || n > CXM_JOURNEY_KEY_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
			return false;
	return true;
}

/* A display name: 1..CXM_JOURNEY_NAME_MAX bytes of text. */
static int check_name(const char *s, const char *field, struct cxm_err *e)
{
	char why[200];

	if (!*s || strlen(s) > CXM_JOURNEY_NAME_MAX)
		return cxm_fail(e, field, _(MSG_JDEF_BAD_NAME), CXM_JOURNEY_NAME_MAX);
	if (cxm_text_check(s, CXM_JOURNEY_NAME_MAX, why, sizeof(why)))
		return cxm_fail(e, field, "%s", why);
	return 0;
}

/*
 * A list of touchpoint values (a string alone counts as a list of one):
 * 1..max texts of at most CXM_TOUCHPOINT_MAX bytes, no repeats.
 */
static int check_values(const cJSON *v, const char *field, size_t max, bool allow_empty, const char **out,
			size_t *n, struct cxm_err *e)
{
	char f[160], why[200];
	size_t i = 0;

	*n = 0;
	if (cJSON_IsString(v)) {
		if (!*v->valuestring || cxm_text_check(v->valuestring, CXM_TOUCHPOINT_MAX, why, sizeof(why)))
			return cxm_fail(e, field, "%s", *v->valuestring ? why : _(MSG_JDEF_REQUIRED));
		out[0] = v->valuestring;
		*n = 1;
		return 0;
	}
	if (!cJSON_IsArray(v))
		return cxm_fail(e, field, "%s", _(MSG_JDEF_WANT_LIST));
	if ((!allow_empty && !v->child) || (size_t)cJSON_GetArraySize(v) > max)
		return cxm_fail(e, field, allow_empty ? _(MSG_JDEF_LIST_MAX) : _(MSG_JDEF_LIST_SIZE), (int)max);
	for (const cJSON *it = v->child; it; it = it->next, i++) {
		snprintf(f, sizeof(f), "%.120s[%zu]", field, i);
		if (!cJSON_IsString(it))
			return cxm_fail(e, f, "%s", _(MSG_JDEF_WANT_STRING));
		if (!*it->valuestring)
			return cxm_fail(e, f, "%s", _(MSG_JDEF_REQUIRED));
		if (cxm_text_check(it->valuestring, CXM_TOUCHPOINT_MAX, why, sizeof(why)))
			return cxm_fail(e, f, "%s", why);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(out[j], it->valuestring))
				return cxm_fail(e, f, _(MSG_JDEF_DUP_VALUE), it->valuestring);
		out[i] = it->valuestring;
	}
	*n = i;
	return 0;
}

static int check_props(const cJSON *props, const char *field, struct cxm_err *e)
{
	char f[240], why[200];

	if (!cJSON_IsObject(props))
		return cxm_fail(e, field, "%s", _(MSG_JDEF_WANT_OBJECT));
	if (cJSON_GetArraySize(props) > PROPS_MAX)
		return cxm_fail(e, field, _(MSG_JDEF_TOO_MANY_CONDITIONS), PROPS_MAX);
	for (const cJSON *it = props->child; it; it = it->next) {
		snprintf(f, sizeof(f), "%.160s.%.64s", field, it->string);
		if (!*it->string || strlen(it->string) > 64 || cxm_text_check(it->string, 64, why, sizeof(why)))
			return cxm_fail(e, f, "%s", _(MSG_JDEF_BAD_PROPERTY_NAME));
		if (cJSON_IsString(it)) {
			if (cxm_text_check(it->valuestring, PROP_VALUE_MAX, why, sizeof(why)))
				return cxm_fail(e, f, "%s", why);
		} else if (cJSON_IsNumber(it)) {
			if (!isfinite(it->valuedouble))
				return cxm_fail(e, f, "%s", _(MSG_JDEF_BAD_CONDITION));
		} else if (!cJSON_IsBool(it)) {
			return cxm_fail(e, f, "%s", _(MSG_JDEF_BAD_CONDITION));
		}
	}
	return 0;
}

static int check_match(const cJSON *m, struct cxm_journey_match *out, const char *where, struct cxm_err *e)
{
	static const char *const keys[] = { "type", "channel", "touchpoint", "properties", NULL };
	const cJSON *v;
	char f[160], why[200];
	bool bad;
	const char *ch;
	int ret;

	if (!m || cJSON_IsNull(m))
		return cxm_fail(e, where, "%s", _(MSG_JDEF_REQUIRED));
	if (!cJSON_IsObject(m))
		return cxm_fail(e, where, "%s", _(MSG_JDEF_WANT_OBJECT));
	if ((ret = cxm_only_keys(m, keys, where, MSG_JDEF_UNKNOWN_KEY, e)))
		return ret;
	snprintf(f, sizeof(f), "%.100s.type", where);
	if (!(out->type = need_str(m, "type", f, e)))
		return CXM_EINVAL;
	if (cxm_event_type_check(out->type, why, sizeof(why)))
		return cxm_fail(e, f, "%s", why);
	snprintf(f, sizeof(f), "%.100s.channel", where);
	ch = opt_str(m, "channel", f, e, &bad);
	if (bad)
		return CXM_EINVAL;
	if (ch && cxm_channel_normalize(ch, out->channel, sizeof(out->channel), why, sizeof(why)))
		return cxm_fail(e, f, "%s", why);
	v = cJSON_GetObjectItemCaseSensitive(m, "touchpoint");
	if (v && !cJSON_IsNull(v)) {
		snprintf(f, sizeof(f), "%.100s.touchpoint", where);
		if ((ret = check_values(v, f, CXM_JOURNEY_MATCH_TP_MAX, false, out->touchpoints, &out->touchpoints_n,
					e)))
			return ret;
	}
	v = cJSON_GetObjectItemCaseSensitive(m, "properties");
	if (v && !cJSON_IsNull(v)) {
		snprintf(f, sizeof(f), "%.100s.properties", where);
		if ((ret = check_props(v, f, e)))
			return ret;
		if (v->child)
			out->properties = v;
	}
	return 0;
}

static int check_touchpoint(const cJSON *t, struct cxm_journey_def *d, int stage, const char *where,
			    struct cxm_err *e)
{
	static const char *const keys[] = { "key", "name", "match", "feedback", NULL };
	struct cxm_journey_touchpoint *tp = &d->tps[d->n_tps];
	const cJSON *fb;
	char f[160];
	bool bad;
	int ret;

	if (!cJSON_IsObject(t))
		return cxm_fail(e, where, "%s", _(MSG_JDEF_WANT_OBJECT));
	if ((ret = cxm_only_keys(t, keys, where, MSG_JDEF_UNKNOWN_KEY, e)))
		return ret;
	snprintf(f, sizeof(f), "%s.key", where);
	if (!(tp->key = need_str(t, "key", f, e)))
		return CXM_EINVAL;
	if (!key_ok(tp->key))
		return cxm_fail(e, f, "%s", _(MSG_JDEF_BAD_KEY));
	for (int i = 0; i < d->n_tps; i++)
		if (!strcmp(d->tps[i].key, tp->key))
			return cxm_fail(e, f, _(MSG_JDEF_DUP_TOUCHPOINT), tp->key);
	snprintf(f, sizeof(f), "%s.name", where);
	tp->name = opt_str(t, "name", f, e, &bad);
	if (bad || (tp->name && (ret = check_name(tp->name, f, e))))
		return CXM_EINVAL;
	if (!tp->name)
		tp->name = tp->key;
	tp->stage = stage;
	snprintf(f, sizeof(f), "%s.match", where);
	if ((ret = check_match(cJSON_GetObjectItemCaseSensitive(t, "match"), &tp->match, f, e)))
		return ret;
	fb = cJSON_GetObjectItemCaseSensitive(t, "feedback");
	if (fb && !cJSON_IsNull(fb)) {
		snprintf(f, sizeof(f), "%s.feedback", where);
		if (!cJSON_IsArray(fb))
			return cxm_fail(e, f, "%s", _(MSG_JDEF_WANT_LIST));
		if ((ret = check_values(fb, f, CXM_JOURNEY_FEEDBACK_MAX, true, tp->feedback, &tp->feedback_n, e)))
			return ret;
	} else {
		for (size_t i = 0; i < tp->match.touchpoints_n; i++)
			tp->feedback[i] = tp->match.touchpoints[i];
		tp->feedback_n = tp->match.touchpoints_n;
	}
	d->n_tps++;
	return 0;
}

static int check_stage(const cJSON *s, struct cxm_journey_def *d, int i, struct cxm_err *e)
{
	static const char *const keys[] = { "key", "name", "phase", "touchpoints", "next", NULL };
	struct cxm_journey_stage *st = &d->stages[i];
	const cJSON *tps;
	char where[32], f[160];
	const char *phase;
	bool bad;
	int ret, k = 0;

	snprintf(where, sizeof(where), "stages[%d]", i);
	if (!cJSON_IsObject(s))
		return cxm_fail(e, where, "%s", _(MSG_JDEF_WANT_OBJECT));
	if ((ret = cxm_only_keys(s, keys, where, MSG_JDEF_UNKNOWN_KEY, e)))
		return ret;
	snprintf(f, sizeof(f), "%s.key", where);
	if (!(st->key = need_str(s, "key", f, e)))
		return CXM_EINVAL;
	if (!key_ok(st->key))
		return cxm_fail(e, f, "%s", _(MSG_JDEF_BAD_KEY));
	for (int j = 0; j < i; j++)
		if (!strcmp(d->stages[j].key, st->key))
			return cxm_fail(e, f, _(MSG_JDEF_DUP_STAGE), st->key);
	snprintf(f, sizeof(f), "%s.name", where);
	st->name = opt_str(s, "name", f, e, &bad);
	if (bad || (st->name && check_name(st->name, f, e)))
		return CXM_EINVAL;
	if (!st->name)
		st->name = st->key;
	snprintf(f, sizeof(f), "%s.phase", where);
	if (!(phase = need_str(s, "phase", f, e)))
		return CXM_EINVAL;
	if (!strcmp(phase, "before"))
		st->phase = CXM_PHASE_BEFORE;
	else if (!strcmp(phase, "during"))
		st->phase = CXM_PHASE_DURING;
	else if (!strcmp(phase, "after"))
		st->phase = CXM_PHASE_AFTER;
	else
		return cxm_fail(e, f, "%s", _(MSG_JDEF_BAD_PHASE));
	snprintf(f, sizeof(f), "%s.touchpoints", where);
	tps = cJSON_GetObjectItemCaseSensitive(s, "touchpoints");
	if (tps && !cJSON_IsNull(tps) && !cJSON_IsArray(tps))
		return cxm_fail(e, f, "%s", _(MSG_JDEF_WANT_LIST));
	if (!tps || !tps->child)
		return cxm_fail(e, f, _(MSG_JDEF_NO_TOUCHPOINTS), st->name);
	st->first_tp = d->n_tps;
	for (const cJSON *t = tps->child; t; t = t->next, k++) {
		char tw[64];
		if (d->n_tps == CXM_JOURNEY_TOUCHPOINTS_MAX)
			return cxm_fail(e, f, _(MSG_JDEF_TOO_MANY_TOUCHPOINTS), CXM_JOURNEY_TOUCHPOINTS_MAX);
		snprintf(tw, sizeof(tw), "%s.touchpoints[%d]", where, k);
		if ((ret = check_touchpoint(t, d, i, tw, e)))
			return ret;
	}
	st->n_tp = k;
	return 0;
}

static int stage_index(const struct cxm_journey_def *d, const char *key)
{
	for (int i = 0; i < d->n_stages; i++)
		if (!strcmp(d->stages[i].key, key))
			return i;
	return -1;
}

/* The explicit next lists, resolved once every stage is known; absent =
 * the following stage. */
static int check_next(const cJSON *stages, struct cxm_journey_def *d, struct cxm_err *e)
{
	int i = 0;

	for (const cJSON *s = stages->child; s; s = s->next, i++) {
		const cJSON *nx = cJSON_GetObjectItemCaseSensitive(s, "next");
		struct cxm_journey_stage *st = &d->stages[i];
		char f[64];
		int k = 0;

		st->next_n = 0;
		if (!nx || cJSON_IsNull(nx)) {
			if (i + 1 < d->n_stages)
				st->next[st->next_n++] = i + 1;
			continue;
		}
		snprintf(f, sizeof(f), "stages[%d].next", i);
		if (!cJSON_IsArray(nx))
			return cxm_fail(e, f, "%s", _(MSG_JDEF_WANT_LIST));
		if (cJSON_GetArraySize(nx) > CXM_JOURNEY_STAGES_MAX)
			return cxm_fail(e, f, _(MSG_JDEF_LIST_MAX), CXM_JOURNEY_STAGES_MAX);
		for (const cJSON *it = nx->child; it; it = it->next, k++) {
			int to;
			snprintf(f, sizeof(f), "stages[%d].next[%d]", i, k);
			if (!cJSON_IsString(it))
				return cxm_fail(e, f, "%s", _(MSG_JDEF_WANT_STRING));
			if ((to = stage_index(d, it->valuestring)) < 0)
				return cxm_fail(e, f, _(MSG_JDEF_NO_STAGE), it->valuestring);
			for (size_t j = 0; j < st->next_n; j++)
				if (st->next[j] == to)
					return cxm_fail(e, f, _(MSG_JDEF_DUP_VALUE), it->valuestring);
			st->next[st->next_n++] = to;
		}
	}
	return 0;
}

/*
 * Kahn's sort over next; when stages remain, each has a remaining
 * predecessor, so walking predecessors from one must come back round: that
 * loop is reported, starting at its lowest stage, at the edge that closes it.
 */
static int check_cycles(const struct cxm_journey_def *d, struct cxm_err *e)
{
	int indeg[CXM_JOURNEY_STAGES_MAX] = { 0 }, queue[CXM_JOURNEY_STAGES_MAX], qh = 0, qt = 0, done = 0;
	bool gone[CXM_JOURNEY_STAGES_MAX] = { false };
	int walk[CXM_JOURNEY_STAGES_MAX + 1], wn = 0, pos[CXM_JOURNEY_STAGES_MAX], cyc[CXM_JOURNEY_STAGES_MAX], cn = 0;
	int v, start = 0, from, nexti = 0;
	char path[CXM_JOURNEY_STAGES_MAX * (CXM_JOURNEY_NAME_MAX + 8)], f[64];
	size_t pl = 0;

	for (int i = 0; i < d->n_stages; i++)
		for (size_t j = 0; j < d->stages[i].next_n; j++)
			indeg[d->stages[i].next[j]]++;
	for (int i = 0; i < d->n_stages; i++)
		if (!indeg[i])
			queue[qt++] = i;
	while (qh < qt) {
		v = queue[qh++];
		gone[v] = true;
		done++;
		for (size_t j = 0; j < d->stages[v].next_n; j++)
			if (!--indeg[d->stages[v].next[j]])
				queue[qt++] = d->stages[v].next[j];
	}
	if (done == d->n_stages)
		return 0;
	for (int i = 0; i < d->n_stages; i++)
		pos[i] = -1;
	for (v = 0; gone[v]; v++)
		;
	while (pos[v] < 0) {
		int p = -1;
		pos[v] = wn;
		walk[wn++] = v;
		for (int i = 0; i < d->n_stages && p < 0; i++)
			for (size_t j = 0; j < d->stages[i].next_n && p < 0; j++)
				if (!gone[i] && d->stages[i].next[j] == v)
					p = i;
		v = p;
	}
	/* walk[pos[v]..wn) in predecessor order: forward is the reverse */
	cyc[cn++] = v;
	for (int i = wn - 1; i > pos[v]; i--)
		cyc[cn++] = walk[i];
	for (int i = 1; i < cn; i++)
		if (cyc[i] < cyc[start])
			start = i;
	for (int i = 0; i <= cn; i++) {
		const char *name = d->stages[cyc[(start + i) % cn]].name;
		pl += (size_t)snprintf(path + pl, sizeof(path) - pl, "%s%s", i ? " → " : "", name);
		if (pl >= sizeof(path))
			pl = sizeof(path) - 1;
	}
	from = cyc[(start + cn - 1) % cn];
	for (size_t j = 0; j < d->stages[from].next_n; j++)
		if (d->stages[from].next[j] == cyc[start])
			nexti = (int)j;
	snprintf(f, sizeof(f), "stages[%d].next[%d]", from, nexti);
	return cxm_fail(e, f, _(MSG_JDEF_CYCLE), path);
}

/* Whether some event matches both rules; the shared touchpoint in *tp
 * (NULL when neither names one). */
static bool overlaps(const struct cxm_journey_match *a, const struct cxm_journey_match *b, const char **tp)
{
	*tp = NULL;
	if (strcmp(a->type, b->type))
		return false;
	if (a->channel[0] && b->channel[0] && strcmp(a->channel, b->channel))
		return false;
	if (a->touchpoints_n && b->touchpoints_n) {
		for (size_t i = 0; i < a->touchpoints_n && !*tp; i++)
			for (size_t j = 0; j < b->touchpoints_n && !*tp; j++)
				if (!strcmp(a->touchpoints[i], b->touchpoints[j]))
					*tp = a->touchpoints[i];
		if (!*tp)
			return false;
	} else if (a->touchpoints_n || b->touchpoints_n) {
		*tp = a->touchpoints_n ? a->touchpoints[0] : b->touchpoints[0];
	}
	if (a->properties && b->properties)
		for (const cJSON *it = a->properties->child; it; it = it->next) {
			const cJSON *o = cJSON_GetObjectItemCaseSensitive(b->properties, it->string);
			if (o && !cxm_property_equals(it, o))
				return false;
		}
	return true;
}

/* Appends to out[0..outlen) at *len, truncating. */
static void put(char *out, size_t outlen, size_t *len, const char *fmt, ...) CXM_PRINTF(4, 5);
static void put(char *out, size_t outlen, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len + 1 >= outlen)
		return;
	va_start(ap, fmt);
	n = vsnprintf(out + *len, outlen - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len = *len + (size_t)n < outlen ? *len + (size_t)n : outlen - 1;
}

static void add_prop(char *out, size_t outlen, size_t *len, const cJSON *it)
{
	if (cJSON_IsString(it))
		put(out, outlen, len, ", %s = %s", it->string, it->valuestring);
	else if (cJSON_IsNumber(it))
		put(out, outlen, len, ", %s = %.15g", it->string, it->valuedouble);
	else
		put(out, outlen, len, ", %s = %s", it->string, cJSON_IsTrue(it) ? "true" : "false");
}

/* "purchase, channel web, touchpoint checkout, carrier = dhl": an event both rules match. */
static void example(const struct cxm_journey_match *a, const struct cxm_journey_match *b, const char *tp, char *out,
		    size_t outlen)
{
	const char *ch = a->channel[0] ? a->channel : b->channel;
	size_t len = 0;

	out[0] = '\0';
	put(out, outlen, &len, "%s", a->type);
	if (*ch) {
		put(out, outlen, &len, ", ");
		put(out, outlen, &len, _(MSG_JDEF_EX_CHANNEL), ch);
	}
	if (tp) {
		put(out, outlen, &len, ", ");
		put(out, outlen, &len, _(MSG_JDEF_EX_TOUCHPOINT), tp);
	}
	if (a->properties)
		for (const cJSON *it = a->properties->child; it; it = it->next)
			add_prop(out, outlen, &len, it);
	if (b->properties)
		for (const cJSON *it = b->properties->child; it; it = it->next)
			if (!a->properties || !cJSON_GetObjectItemCaseSensitive(a->properties, it->string))
				add_prop(out, outlen, &len, it);
}

static int check_overlaps(const struct cxm_journey_def *d, struct cxm_err *e)
{
	for (int j = 1; j < d->n_tps; j++)
		for (int i = 0; i < j; i++) {
			const struct cxm_journey_touchpoint *a = &d->tps[i], *b = &d->tps[j];
			const char *tp;
			char ex[512], f[96];
			if (!overlaps(&a->match, &b->match, &tp))
				continue;
			example(&a->match, &b->match, tp, ex, sizeof(ex));
			snprintf(f, sizeof(f), "stages[%d].touchpoints[%d].match", b->stage,
				 j - d->stages[b->stage].first_tp);
			return cxm_fail(e, f, _(MSG_JDEF_OVERLAP), d->stages[a->stage].name, a->name, ex);
		}
	return 0;
}

int cxm_journey_check(const cJSON *body, struct cxm_journey_def *d, char *field, size_t fieldlen, char *why,
		      size_t whylen)
{
	static const char *const keys[] = { "name", "conversion_window", "stages", "outcome_survey_id", NULL };
	struct cxm_err e = { field, fieldlen, why, whylen };
	const cJSON *stages;
	const char *s;
	bool bad;
	int ret, i = 0;

	memset(d, 0, sizeof(*d));
	field[0] = '\0';
	if (!cJSON_IsObject(body))
		return cxm_fail(&e, "", "%s", _(MSG_JDEF_WANT_OBJECT));
	if ((ret = cxm_only_keys(body, keys, "", MSG_JDEF_UNKNOWN_KEY, &e)))
		return ret;
	if (!(d->name = need_str(body, "name", "name", &e)) || check_name(d->name, "name", &e))
		return CXM_EINVAL;
	d->window_s = CXM_JOURNEY_WINDOW_DEFAULT;
	s = opt_str(body, "conversion_window", "conversion_window", &e, &bad);
	if (bad)
		return CXM_EINVAL;
	if (s && (cxm_trigger_delay_parse(s, &d->window_s) || d->window_s < CXM_JOURNEY_WINDOW_MIN ||
		  d->window_s > CXM_JOURNEY_WINDOW_MAX))
		return cxm_fail(&e, "conversion_window", "%s", _(MSG_JDEF_BAD_WINDOW));
	s = opt_str(body, "outcome_survey_id", "outcome_survey_id", &e, &bad);
	if (bad)
		return CXM_EINVAL;
	if (s && (!*s || strspn(s, "0123456789") != strlen(s) || cxm_parse_i64(s, strlen(s), &d->outcome_survey_id) ||
		  d->outcome_survey_id <= 0))
		return cxm_fail(&e, "outcome_survey_id", "%s", _(MSG_JDEF_WANT_ID));
	stages = cJSON_GetObjectItemCaseSensitive(body, "stages");
	if (stages && !cJSON_IsNull(stages) && !cJSON_IsArray(stages))
		return cxm_fail(&e, "stages", "%s", _(MSG_JDEF_WANT_LIST));
	if (!stages || !stages->child || cJSON_GetArraySize(stages) > CXM_JOURNEY_STAGES_MAX)
		return cxm_fail(&e, "stages", _(MSG_JDEF_STAGES_COUNT), CXM_JOURNEY_STAGES_MAX);
	for (const cJSON *st = stages->child; st; st = st->next, i++) {
		if ((ret = check_stage(st, d, i, &e)))
			return ret;
		d->n_stages = i + 1;
	}
	if ((ret = check_next(stages, d, &e)) || (ret = check_cycles(d, &e)) || (ret = check_overlaps(d, &e)))
		return ret;
	return 0;
}

static void add_list(cJSON *o, const char *key, const char *const *v, size_t n)
{
	cJSON *a = cJSON_AddArrayToObject(o, key);

	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
}

cJSON *cxm_journey_to_json(const struct cxm_journey_def *d)
{
	cJSON *o = cJSON_CreateObject(), *stages;
	char win[32];

	cJSON_AddStringToObject(o, "name", d->name);
	cJSON_AddStringToObject(o, "conversion_window", cxm_trigger_delay_format(d->window_s, win, sizeof(win)));
	stages = cJSON_AddArrayToObject(o, "stages");
	for (int i = 0; i < d->n_stages; i++) {
		const struct cxm_journey_stage *st = &d->stages[i];
		cJSON *so = cJSON_CreateObject(), *tps, *next;
		cJSON_AddItemToArray(stages, so);
		cJSON_AddStringToObject(so, "key", st->key);
		cJSON_AddStringToObject(so, "name", st->name);
		cJSON_AddStringToObject(so, "phase", cxm_phase_name(st->phase));
		tps = cJSON_AddArrayToObject(so, "touchpoints");
		for (int t = st->first_tp; t < st->first_tp + st->n_tp; t++) {
			const struct cxm_journey_touchpoint *tp = &d->tps[t];
			cJSON *to = cJSON_CreateObject(), *m;
			cJSON_AddItemToArray(tps, to);
			cJSON_AddStringToObject(to, "key", tp->key);
			cJSON_AddStringToObject(to, "name", tp->name);
			m = cJSON_AddObjectToObject(to, "match");
			cJSON_AddStringToObject(m, "type", tp->match.type);
			if (tp->match.channel[0])
				cJSON_AddStringToObject(m, "channel", tp->match.channel);
			if (tp->match.touchpoints_n)
				add_list(m, "touchpoint", tp->match.touchpoints, tp->match.touchpoints_n);
			if (tp->match.properties)
				cJSON_AddItemToObject(m, "properties", cJSON_Duplicate(tp->match.properties, true));
			add_list(to, "feedback", tp->feedback, tp->feedback_n);
		}
		next = cJSON_AddArrayToObject(so, "next");
		for (size_t j = 0; j < st->next_n; j++)
			cJSON_AddItemToArray(next, cJSON_CreateString(d->stages[st->next[j]].key));
	}
	if (d->outcome_survey_id > 0) {
		char id[24];
		snprintf(id, sizeof(id), "%lld", (long long)d->outcome_survey_id);
		cJSON_AddStringToObject(o, "outcome_survey_id", id);
	}
	return o;
}

int cxm_journey_node_stage(const struct cxm_journey_def *d, int node)
{
	if (node < 0)
		return -1;
	if (cxm_journey_node_is_stage(node))
		return node < d->n_stages ? node : -1;
	node -= CXM_JOURNEY_STAGES_MAX;
	return node < d->n_tps ? d->tps[node].stage : -1;
}

int cxm_journey_node_find(const struct cxm_journey_def *d, const char *key)
{
	const char *dot = strchr(key, '.');

	if (dot) {
		int s = -1;
		for (int i = 0; i < d->n_stages && s < 0; i++)
			if (strlen(d->stages[i].key) == (size_t)(dot - key) &&
			    !strncmp(d->stages[i].key, key, (size_t)(dot - key)))
				s = i;
		if (s < 0)
			return -1;
		for (int t = d->stages[s].first_tp; t < d->stages[s].first_tp + d->stages[s].n_tp; t++)
			if (!strcmp(d->tps[t].key, dot + 1))
				return cxm_journey_tp_node(t);
		return -1;
	}
	for (int i = 0; i < d->n_stages; i++)
		if (!strcmp(d->stages[i].key, key))
			return cxm_journey_stage_node(i);
	for (int t = 0; t < d->n_tps; t++)
		if (!strcmp(d->tps[t].key, key))
			return cxm_journey_tp_node(t);
	return -1;
}
