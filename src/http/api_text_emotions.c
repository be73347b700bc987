/*
 * api_text_emotions.c - GET /api/v1/text/emotions: the exact emotion mix
 * of the analysed comments of a period (issue 6, "emotion mix by
 * touchpoint"; docs/text.md "The emotion mix"), per touchpoint, channel or
 * theme: how many comments, how many show each emotion and each reason,
 * and how many are positive, neutral and negative. The store counts each
 * group (cxm_store_text_mix: from the daily rollup text_mix, or for
 * managers and agents, who count only what their unit's subtree saw, from
 * the responses).
 *
 *   ?from=&to=   local days (YYYY-MM-DD in the tenant's time zone) or
 *                RFC 3339 instants; to is exclusive; default: the 90 days
 *                up to and including today (as the metrics reports)
 *   ?survey=ID   one survey
 *   ?by=         touchpoint (default), channel or theme (a comment counts
 *                under each of its themes; "" is the comments with none)
 */
#include "http-internal.h"
#include "cxm/map.h"
#include "cxm/report.h"
#include "cxm/text.h"
#include "cxm/time.h"

#define DEFAULT_DAYS 90
#define MAX_DAYS 3660 /* ten years, as the reports */

static const char *const LABELS[] = { "positive", "neutral", "negative" };
static const char *const BY[] = { [CXM_MIX_TOUCHPOINT] = "touchpoint", [CXM_MIX_CHANNEL] = "channel",
				  [CXM_MIX_THEME] = "theme" };

struct mix_group {
	char *value;
	struct cxm_mix_counts c;
};

struct mix_tally {
	struct cxm_map index; /* value -> position in v */
	struct mix_group *v;
	size_t n, cap;
	struct cxm_mix_counts total;
};

static const char *emotion_name(int i)
{
	return cxm_emotion_name((enum cxm_emotion)i);
}

static const char *reason_name(int i)
{
	return cxm_reason_name((enum cxm_reason)i);
}

static struct mix_group *group_of(struct mix_tally *t, const char *value)
{
	int64_t at;

	if (cxm_map_get(&t->index, value, &at))
		return &t->v[at];
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	t->v[t->n] = (struct mix_group){ .value = xstrdup(value) };
	cxm_map_put(&t->index, value, (int64_t)t->n);
	return &t->v[t->n++];
}

static int tally_row(const char *group, const struct cxm_mix_counts *c, void *ctx)
{
	struct mix_tally *t = ctx;

	if (group)
		group_of(t, group)->c = *c;
	else
		t->total = *c;
	return 0;
}

static void tally_release(struct mix_tally *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].value);
	free(t->v);
	cxm_map_release(&t->index);
}

/* The most comments first, then by value. */
static int group_cmp(const void *a, const void *b)
{
	const struct mix_group *x = a, *y = b;

	if (x->c.comments != y->c.comments)
		return x->c.comments > y->c.comments ? -1 : 1;
	return strcmp(x->value, y->value);
}

static void add_counts(cJSON *o, const struct cxm_mix_counts *c)
{
	cJSON *x;

	cJSON_AddNumberToObject(o, "comments", (double)c->comments);
	x = cJSON_AddObjectToObject(o, "labels");
	for (size_t i = 0; i < ARRAY_SIZE(LABELS); i++)
		cJSON_AddNumberToObject(x, LABELS[i], (double)c->labels[i]);
	x = cJSON_AddObjectToObject(o, "emotions");
	for (int i = 0; i < CXM_EMO_COUNT; i++)
		cJSON_AddNumberToObject(x, emotion_name(i), (double)c->emotions[i]);
	x = cJSON_AddObjectToObject(o, "reasons");
	for (int i = 0; i < CXM_REASON_COUNT; i++)
		cJSON_AddNumberToObject(x, reason_name(i), (double)c->reasons[i]);
}

struct unknown {
	const char *param;
};

static enum MHD_Result arg_cb(void *ctx, enum MHD_ValueKind kind, const char *key, const char *value)
{
	static const char *const known[] = { "from", "to", "survey", "by", NULL };
	struct unknown *u = ctx;
	(void)kind, (void)value;

	for (const char *const *k = known; *k; k++)
		if (!strcmp(key, *k))
			return MHD_YES;
	if (!u->param)
		u->param = key;
	return MHD_YES;
}

static void day_text(int64_t day, char out[16])
{
	int64_t y;
	unsigned m, d;

	cxm_civil_from_days(day, &y, &m, &d);
	snprintf(out, 16, "%04lld-%02u-%02u", (long long)y, m, d);
}

int api_text_emotions(struct req *r)
{
	struct cxm_store *db = req_db(r);
	const char *by = req_query(r, "by"), *survey = req_query(r, "survey");
	struct cxm_mix_query q = { .by = CXM_MIX_TOUCHPOINT };
	struct mix_tally t = { 0 };
	struct unknown u = { NULL };
	char day[16];
	int ret;

	if (!db)
		return H_DONE;
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, arg_cb, &u);
	if (u.param) {
		reply_bad_query(r, u.param, T(r, MSG_RP_UNKNOWN_PARAM));
		return H_DONE;
	}
	if (by) {
		size_t i = 0;
		while (i < ARRAY_SIZE(BY) && strcmp(by, BY[i]))
			i++;
		if (i == ARRAY_SIZE(BY)) {
			reply_bad_query(r, "by", T(r, MSG_TXE_BAD_BY));
			return H_DONE;
		}
		q.by = (enum cxm_mix_by)i;
	}
	if (survey && parse_id(survey, &q.survey)) {
		reply_bad_query(r, "survey", T(r, MSG_HTTP_WANT_ID));
		return H_DONE;
	}
	if (req_day_range(r, db, DEFAULT_DAYS, MAX_DAYS, &q.from_day, &q.to_day))
		return H_DONE;
	if (r->who.scoped) {
		q.scoped = true;
		q.scope = r->who.spans;
		q.nscope = r->who.nspans;
	}
	cxm_map_init(&t.index);
	if ((ret = cxm_store_text_mix(db, r->who.tenant, &q, tally_row, &t))) {
		tally_release(&t);
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return H_DONE;
	}
	if (t.n)
		qsort(t.v, t.n, sizeof(*t.v), group_cmp);
	cJSON *o = cJSON_CreateObject();
	day_text(q.from_day, day);
	cJSON_AddStringToObject(o, "from", day);
	day_text(q.to_day, day);
	cJSON_AddStringToObject(o, "to", day);
	cJSON_AddStringToObject(o, "by", BY[q.by]);
	if (q.survey)
		cJSON_AddStringToObject(o, "survey", id_str(r, q.survey));
	else
		cJSON_AddNullToObject(o, "survey");
	add_counts(cJSON_AddObjectToObject(o, "total"), &t.total);
	cJSON *groups = cJSON_AddArrayToObject(o, "groups");
	for (size_t i = 0; i < t.n; i++) {
		cJSON *g = cJSON_CreateObject();
		cJSON_AddStringToObject(g, "value", t.v[i].value);
		add_counts(g, &t.v[i].c);
		cJSON_AddItemToArray(groups, g);
	}
	tally_release(&t);
	reply_json(r, 200, o);
	return H_DONE;
}
