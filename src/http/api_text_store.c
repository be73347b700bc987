/*
 * api_text_store.c - text on ingest over HTTP: the tenant's theme taxonomy
 * (GET/PUT /api/v1/settings/themes, a change re-analyses every comment),
 * its PII policy (GET/PUT /api/v1/settings/text), and the verbatims
 * (GET /api/v1/text/verbatims) with their highlights.
 */
#include "http-internal.h"
#include "cxm/id.h"
#include "cxm/json.h"
#include "cxm/textstore.h"
#include "cxm/time.h"

/* ---- the taxonomy ---- */

int api_text_themes_get(struct req *r)
{
	struct cxm_store *db = req_db(r);
	char *stored = NULL, err[128];
	cJSON *o = NULL;
	int ret;

	if (!db)
		return H_DONE;
	if ((ret = cxm_store_setting_get(db, r->who.tenant, CXM_TEXT_THEMES_SETTING, &stored))) {
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return H_DONE;
	}
	if (stored)
		o = cxm_json_parse(stored, strlen(stored), err, sizeof(err));
	if (!o) {
		size_t len;
		const char *dflt = cxm_taxonomy_default_json(&len);
		o = cxm_json_parse(dflt, len, err, sizeof(err));
	}
	free(stored);
	reply_json(r, 200, o);
	return H_DONE;
}

static int themes_run(struct cxm_store *db, struct wjob *j)
{
	struct req *r = j->ctx;
	struct cxm_taxonomy *tax = NULL;
	char field[96], why[300], rev[24];
	int ret;

	if (cxm_taxonomy_parse(r->data, strlen(r->data), &tax, field, sizeof(field), why, sizeof(why)))
		BUG("a checked taxonomy does not compile");
	/* a new revision: every node's cache sees the change on its next look */
	snprintf(rev, sizeof(rev), "%lld", (long long)cxm_id_next());
	ret = cxm_store_setting_set(db, r->who.tenant, CXM_TEXT_THEMES_SETTING, r->data);
	if (!ret)
		ret = cxm_store_setting_set(db, r->who.tenant, CXM_TEXT_THEMES_REV_SETTING, rev);
	if (!ret)
		ret = cxm_text_reanalyze(db, r->who.tenant, tax, NULL);
	if (!ret)
		ret = cxm_store_audit_add(db, r->who.tenant, r->who.actor, "settings.themes", NULL, NULL, NULL);
	cxm_taxonomy_free(tax);
	return ret;
}

static int themes_finish(struct req *r)
{
	if (job_failed(r))
		return 0;
	return api_text_themes_get(r);
}

int api_text_themes_put(struct req *r)
{
	struct cxm_store *db = req_db(r);
	struct cxm_taxonomy *tax = NULL;
	char field[96], why[300], *text;
	int64_t n = 0;
	int ret;
	cJSON *o;

	if (!db || !(o = body_json(r)))
		return H_DONE;
	text = cxm_json_print(o);
	ret = cxm_taxonomy_parse(text, strlen(text), &tax, field, sizeof(field), why, sizeof(why));
	cxm_taxonomy_free(tax);
	if (ret) {
		free(text);
		reply_invalid(r, *field ? field : NULL, why);
		return H_DONE;
	}
	/* the re-analysis is synchronous, in the change's transaction: bounded */
	if ((ret = cxm_store_response_text_count(db, r->who.tenant, &n))) {
		free(text);
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return H_DONE;
	}
	if (n > CXM_TEXT_REANALYZE_MAX) {
		free(text);
		snprintf(why, sizeof(why), T(r, MSG_TA_TOO_MANY), CXM_TEXT_REANALYZE_MAX, (long long)n);
		reply_invalid(r, "themes", why);
		return H_DONE;
	}
	r->data = cxm_arena_strdup(&r->arena, text);
	free(text);
	return req_write(r, themes_run, themes_finish);
}

/* ---- the PII policy ---- */

/* The tenant's policy: true to mask (the default). */
static int pii_mask(struct cxm_store *db, int64_t tenant, bool *mask)
{
	return cxm_text_pii_masked(db, tenant, mask);
}

int api_text_settings_get(struct req *r)
{
	struct cxm_store *db = req_db(r);
	bool mask;
	int ret;

	if (!db)
		return H_DONE;
	if ((ret = pii_mask(db, r->who.tenant, &mask))) {
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return H_DONE;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "pii", mask ? "mask" : "keep");
	reply_json(r, 200, o);
	return H_DONE;
}

static int text_settings_run(struct cxm_store *db, struct wjob *j)
{
	struct req *r = j->ctx;
	int ret = cxm_store_setting_set(db, r->who.tenant, CXM_TEXT_PII_SETTING, r->data);
	char detail[64];

	/* r->data is "mask" or "keep": nothing to escape */
	snprintf(detail, sizeof(detail), "{\"pii\":\"%s\"}", (const char *)r->data);
	if (!ret)
		ret = cxm_store_audit_add(db, r->who.tenant, r->who.actor, "settings.text", NULL, detail, NULL);
	return ret;
}

static int text_settings_finish(struct req *r)
{
	if (job_failed(r))
		return 0;
	return api_text_settings_get(r);
}

int api_text_settings_put(struct req *r)
{
	cJSON *o = body_json(r);
	const cJSON *pii;

	if (!o)
		return H_DONE;
	if (!cJSON_IsObject(o) || cJSON_GetArraySize(o) != 1 || !(pii = cJSON_GetObjectItemCaseSensitive(o, "pii"))) {
		reply_invalid(r, NULL, T(r, MSG_TS_WANT_OBJECT));
		return H_DONE;
	}
	if (!cJSON_IsString(pii) || (strcmp(pii->valuestring, "mask") && strcmp(pii->valuestring, "keep"))) {
		reply_invalid(r, "pii", T(r, MSG_TS_BAD_PII));
		return H_DONE;
	}
	r->data = cxm_arena_strdup(&r->arena, pii->valuestring);
	return req_write(r, text_settings_run, text_settings_finish);
}

/* ---- verbatims ---- */

/* The JavaScript (UTF-16) index of byte offset `at` of valid UTF-8 s. */
static uint32_t utf16_at(const char *s, uint32_t at)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < at; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c & 0xC0) != 0x80)
			n += c >= 0xF0 ? 2 : 1;
	}
	return n;
}

/* One verbatim waiting for its texts (no query runs inside another). */
struct vitem {
	cJSON *o;
	int64_t survey;
	int version;
	char *comment, *answers;
};

struct vpage {
	struct req *r;
	cJSON *items;
	int n;
	int64_t last_ts, last_id;
	bool mask;
	const struct cxm_taxonomy *tax;
	struct vitem *item;
	int nitem;
};

static int verbatim_to_json(const struct cxm_response *x, void *ctx)
{
	struct vpage *pg = ctx;
	struct req *r = pg->r;
	char t[CXM_TIME_BUFSZ];
	cJSON *o;

	pg->n++;
	pg->last_ts = x->ts;
	pg->last_id = x->id;
	if (!principal_sees(&r->who, x->org_unit_id, x->ts))
		return 0;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "response_id", id_str(r, x->id));
	cJSON_AddStringToObject(o, "ts", cxm_time_format(x->ts, t));
	cJSON_AddNumberToObject(o, "score", x->text_score / 10000.0);
	cJSON_AddStringToObject(o, "label", x->text_label ? x->text_label : "neutral");
	cJSON_AddStringToObject(o, "lang", x->text_lang ? x->text_lang : "other");
	if (x->nps >= 0)
		cJSON_AddNumberToObject(o, "nps", x->nps);
	else
		cJSON_AddNullToObject(o, "nps");
	cJSON_AddStringToObject(o, "channel", x->channel);
	if (x->touchpoint)
		cJSON_AddStringToObject(o, "touchpoint", x->touchpoint);
	else
		cJSON_AddNullToObject(o, "touchpoint");
	/* the survey version names the free-text answers' questions */
	if (x->survey_id) {
		cJSON_AddStringToObject(o, "survey", id_str(r, x->survey_id));
		cJSON_AddNumberToObject(o, "version", x->version);
	} else {
		cJSON_AddNullToObject(o, "survey");
		cJSON_AddNullToObject(o, "version");
	}
	json_add_words(o, "themes", x->themes);
	json_add_words(o, "emotions", x->text_emotions);
	json_add_words(o, "reasons", x->text_reasons);
	cJSON_AddItemToArray(pg->items, o);
	pg->item[pg->nitem++] = (struct vitem){ o, x->survey_id, x->version, x->comment ? xstrdup(x->comment) : NULL,
						x->answers ? xstrdup(x->answers) : NULL };
	return 0;
}

/* Adds text (masked by the policy) as name and its highlights to o. */
static void add_text(struct vpage *pg, cJSON *o, const char *name, const char *text)
{
	struct cxm_text_highlight hl[64];
	/* highlights are found on what is shown: masked data never matches */
	char *shown = pg->mask ? cxm_text_mask_pii(text) : xstrdup(text);
	size_t nh = cxm_text_highlights(shown, pg->tax, hl, ARRAY_SIZE(hl));
	cJSON *a;

	cJSON_AddStringToObject(o, name, shown);
	a = cJSON_AddArrayToObject(o, "highlights");
	for (size_t i = 0; i < nh; i++) {
		cJSON *h = cJSON_CreateObject();
		cJSON_AddNumberToObject(h, "start", utf16_at(shown, hl[i].start));
		cJSON_AddNumberToObject(h, "end", utf16_at(shown, hl[i].start + hl[i].len));
		cJSON_AddStringToObject(h, "kind", hl[i].kind > 0 ? "positive" : hl[i].kind < 0 ? "negative" : "theme");
		if (!hl[i].kind)
			cJSON_AddStringToObject(h, "theme", cxm_taxonomy_id(pg->tax, (size_t)hl[i].theme));
		cJSON_AddItemToArray(a, h);
	}
	free(shown);
}

/* Each verbatim's texts: the comment ("" without one) with its
 * highlights, and under "answers" each free-text answer with its
 * question's id and highlights. */
static int verbatim_texts(struct cxm_store *db, int64_t tenant, struct vpage *pg)
{
	struct cxm_text_questions *q = cxm_text_questions_new();
	struct cxm_text_parts *p = xcalloc(1, sizeof(*p));
	int ret = 0;

	for (int i = 0; i < pg->nitem && !ret; i++) {
		struct vitem *v = &pg->item[i];
		if ((ret = cxm_text_parts_stored(db, tenant, q, v->survey, v->version, v->comment, v->answers, p)))
			break;
		cJSON *answers = cJSON_CreateArray();
		/* the comment, when there is one, comes first */
		bool comment = v->comment && *v->comment;
		if (!comment)
			add_text(pg, v->o, "comment", "");
		for (size_t k = 0; k < p->n; k++) {
			if (comment && !k) {
				add_text(pg, v->o, "comment", p->part[k].text);
				continue;
			}
			cJSON *a = cJSON_CreateObject();
			cJSON_AddStringToObject(a, "question", p->part[k].source);
			add_text(pg, a, "text", p->part[k].text);
			cJSON_AddItemToArray(answers, a);
		}
		cJSON_AddItemToObject(v->o, "answers", answers);
		cxm_text_parts_release(p);
	}
	free(p);
	cxm_text_questions_free(q);
	return ret;
}

int verbatims_json(struct req *r, struct cxm_store *db, const struct cxm_verbatim_filter *f, int limit,
		   int64_t before_ts, int64_t before_id, cJSON **out)
{
	struct cxm_tax_ref *ref = NULL;
	struct vpage pg = { .r = r };
	cJSON *o;
	int ret;

	*out = NULL;
	if ((ret = pii_mask(db, r->who.tenant, &pg.mask)) || (ret = cxm_text_taxonomy_get(db, r->who.tenant, &ref))) {
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return -1;
	}
	pg.tax = cxm_text_taxonomy_of(ref);
	if (f->theme && cxm_taxonomy_find(pg.tax, f->theme) < 0) {
		cxm_text_taxonomy_put(ref);
		reply_bad_query(r, "theme", T(r, MSG_TS_BAD_THEME));
		return -1;
	}
	o = cJSON_CreateObject();
	pg.items = cJSON_AddArrayToObject(o, "items");
	pg.item = xcalloc(limit ? (size_t)limit : 1, sizeof(*pg.item));
	ret = cxm_store_verbatims(db, r->who.tenant, f, before_ts, before_id, limit, verbatim_to_json, &pg);
	if (!ret)
		ret = verbatim_texts(db, r->who.tenant, &pg);
	cxm_text_taxonomy_put(ref);
	for (int i = 0; i < pg.nitem; i++) {
		free(pg.item[i].comment);
		free(pg.item[i].answers);
	}
	free(pg.item);
	if (ret) {
		cJSON_Delete(o);
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return -1;
	}
	if (pg.n == limit)
		add_cursor2(o, pg.last_ts, pg.last_id);
	*out = o;
	return 0;
}

int api_text_verbatims(struct req *r)
{
	struct cxm_store *db = req_db(r);
	int limit = query_limit(r, 50, 500);
	int64_t before_ts = CXM_TIME_MAX, before_id = INT64_MAX;
	struct cxm_verbatim_filter f = { 0 };
	cJSON *o;

	if (!db || limit < 0 || query_time(r, "from", INT64_MIN, &f.from) || query_time(r, "to", CXM_TIME_MAX, &f.to) ||
	    query_cursor2(r, &before_ts, &before_id))
		return H_DONE;
	f.theme = req_query(r, "theme");
	f.label = req_query(r, "label");
	f.emotion = req_query(r, "emotion");
	const char *survey = req_query(r, "survey");
	if (survey && parse_id(survey, &f.survey)) {
		reply_bad_query(r, "survey", T(r, MSG_HTTP_WANT_ID));
		return H_DONE;
	}
	if (f.label && strcmp(f.label, "positive") && strcmp(f.label, "neutral") && strcmp(f.label, "negative")) {
		reply_bad_query(r, "label", T(r, MSG_TS_BAD_LABEL));
		return H_DONE;
	}
	bool known = !f.emotion;
	for (int e = 0; e < CXM_EMO_COUNT && !known; e++)
		known = !strcmp(f.emotion, cxm_emotion_name((enum cxm_emotion)e));
	if (!known) {
		reply_bad_query(r, "emotion", T(r, MSG_TS_BAD_EMOTION));
		return H_DONE;
	}
	if (verbatims_json(r, db, &f, limit, before_ts, before_id, &o))
		return H_DONE;
	reply_json(r, 200, o);
	return H_DONE;
}
