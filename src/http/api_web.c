/*
 * api_web.c - the web snippet: /w/cxm.js (embedded from web/w/cxm.js), its
 * public API under /w/v1/ (events, the widget's prompt and answer) and the
 * owner's settings (GET/PUT /api/v1/settings/web). docs/surveys.md "Web
 * snippet" tells the whole story.
 *
 * A site key reads TTTTTTTTTTTTTTTTSSSS...: the tenant id as 16 hex digits,
 * then the first 32 hex digits of the tenant's "web_site" secret, so a key
 * names its tenant without a query across tenants, and a made-up key is
 * refused by a comparison in constant time. Identities are verified with
 * HMAC-SHA-256 of the external id under the "web_identity" secret (the 64
 * characters as given to the owner are the key), computed by the host's
 * server. Every /w/v1/ answer carries Access-Control-Allow-Origin: * (set
 * in server.c for RF_WEB routes, errors included); the tenant's allow-list
 * of origins is enforced here, by refusing calls whose Origin is not on it.
 */
#include "http-internal.h"
#include "web-internal.h"
#include "cxm/customers.h"
#include "cxm/surveys.h"
#include "cxm/time.h"
#include "cxm/web.h"

#include <ctype.h>
#include <math.h>
#include <sodium.h>
#include <strings.h>

#define SITE_KEY_LEN 48
#define WEB_MAX_EVENTS 100
#define WEB_ID_MAX 48
#define WEB_MAX_ORIGINS 50
#define ORIGIN_MAX 200
#define COMMENT_MAX 2000
#define PENDING_LOOK 5

/* ---- site keys, origins, anonymous ids --------------------------------- */

/* The tenant a site key names; CXM_ENOTFOUND when none, other codes are
 * store errors. */
int web_site_key_tenant(const char *key, int64_t *tenant)
{
	uint64_t t = 0;
	size_t n = key ? strlen(key) : 0;

	if (n != SITE_KEY_LEN)
		return CXM_ENOTFOUND;
	for (size_t i = 0; i < n; i++) {
		int v = key[i] >= '0' && key[i] <= '9' ? key[i] - '0' : key[i] >= 'a' && key[i] <= 'f' ? key[i] - 'a' + 10 : -1;
		if (v < 0)
			return CXM_ENOTFOUND;
		if (i < 16)
			t = t << 4 | (uint64_t)v;
	}
	if (t == 0 || t > INT64_MAX)
		return CXM_ENOTFOUND;
	*tenant = (int64_t)t;
	return 0;
}

static int site_find(struct cxm_store *db, const char *key, int64_t *tenant)
{
	char hex[65];
	int64_t t;
	int ret;

	if (web_site_key_tenant(key, &t))
		return CXM_ENOTFOUND;
	if ((ret = cxm_store_tenant_secret_find(db, t, "web_site", hex)))
		return ret;
	if (sodium_memcmp(hex, key + 16, 32) != 0)
		return CXM_ENOTFOUND;
	*tenant = t;
	return 0;
}

static void site_key_of(int64_t tenant, const char *secret_hex, char out[SITE_KEY_LEN + 1])
{
	snprintf(out, SITE_KEY_LEN + 1, "%016llx%.32s", (unsigned long long)tenant, secret_hex);
}

/* The stored settings {"allowed_origins": [...]}, defaults filled in;
 * owned by the caller. */
static cJSON *web_settings(const char *stored)
{
	char err[64];
	cJSON *o = stored ? cxm_json_parse(stored, strlen(stored), err, sizeof(err)) : NULL;

	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		o = cJSON_CreateObject();
	}
	if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(o, "allowed_origins"))) {
		cJSON_DeleteItemFromObjectCaseSensitive(o, "allowed_origins");
		cJSON_AddArrayToObject(o, "allowed_origins");
	}
	return o;
}

/* Replies 403 and returns -1 when the tenant keeps an allow-list that the
 * request's Origin is not on (no Origin: not a browser, nothing to check). */
static int origin_check(struct req *r, struct cxm_store *db, int64_t tenant)
{
	const char *origin = req_header(r, "Origin");
	char *stored = NULL, detail[400];
	cJSON *s, *list;
	bool ok = false;
	int ret;

	if (!origin)
		return 0;
	if ((ret = cxm_store_setting_get(db, tenant, "web", &stored))) {
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return -1;
	}
	s = web_settings(stored);
	free(stored);
	list = cJSON_GetObjectItemCaseSensitive(s, "allowed_origins");
	ok = cJSON_GetArraySize(list) == 0;
	for (const cJSON *it = list->child; it && !ok; it = it->next)
		ok = cJSON_IsString(it) && !strcmp(it->valuestring, origin);
	cJSON_Delete(s);
	if (ok)
		return 0;
	snprintf(detail, sizeof(detail), T(r, MSG_WG_ORIGIN), strlen(origin) > 200 ? "..." : origin);
	reply_error(r, 403, "origin", MSG_HTTP_FORBIDDEN, detail);
	return -1;
}

bool web_anon_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n < 8 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return false;
	return true;
}

/* The tenant of a site key given in a request, after the origin check; -1
 * with a reply set when refused. */
static int site_of(struct req *r, struct cxm_store *db, const char *key, int64_t *tenant)
{
	int ret = site_find(db, key, tenant);

	if (ret == CXM_ENOTFOUND) {
		cJSON *p = problem_new(r, 404, "unknown-site", MSG_WG_NO_SITE, NULL);
		problem_item(p, -1, "site", T(r, MSG_WG_NO_SITE));
		reply_problem(r, p);
		return -1;
	}
	if (ret) {
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return -1;
	}
	return origin_check(r, db, *tenant);
}

/* A JSON body sent as application/json, or as text/plain (what
 * navigator.sendBeacon and preflight-free fetch send). NULL with a reply. */
static cJSON *web_body(struct req *r)
{
	const char *ct = req_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
	cJSON **items;
	size_t n;

	while (ct && *ct == ' ')
		ct++;
	if (!ct || (strncasecmp(ct, "application/json", 16) && strncasecmp(ct, "text/plain", 10))) {
		reply_error(r, 415, "media-type", MSG_HTTP_MEDIA_TYPE, T(r, MSG_HTTP_WANT_JSON));
		return NULL;
	}
	if (body_items_parse(r, false, &items, &n))
		return NULL;
	if (n != 1 || !cJSON_IsObject(items[0])) {
		reply_invalid(r, NULL, T(r, MSG_HTTP_WANT_OBJECT));
		return NULL;
	}
	return items[0];
}

/* ---- the snippet and the preflight -------------------------------------- */

int api_web_snippet(struct req *r)
{
	const struct cxm_web_asset *a = cxm_web_asset_find("/w/cxm.js");
	const char *inm = req_header(r, MHD_HTTP_HEADER_IF_NONE_MATCH);

	if (!a)
		BUG("web/w/cxm.js is not embedded");
	req_add_header(r, MHD_HTTP_HEADER_ETAG, a->etag);
	/* an hour: a new version reaches the sites soon, and costs one 304 an hour */
	req_add_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "public, max-age=3600");
	req_add_header(r, "Cross-Origin-Resource-Policy", "cross-origin");
	if (inm && !strcmp(inm, a->etag)) {
		reply_empty(r, 304);
		return H_DONE;
	}
	r->static_body = a->data;
	r->static_len = a->len;
	r->status = 200;
	r->content_type = a->content_type;
	return H_DONE;
}

int api_web_preflight(struct req *r)
{
	req_add_header(r, "Access-Control-Allow-Methods", "GET, POST, OPTIONS");
	req_add_header(r, "Access-Control-Allow-Headers", "Content-Type");
	req_add_header(r, "Access-Control-Max-Age", "86400");
	reply_empty(r, 204);
	return H_DONE;
}

/* ---- POST /w/v1/events ------------------------------------------------------- */

struct web_link {
	int64_t tenant;
	const char *aid, *external_id;
};

static int only_cookies_cb(const struct cxm_identity *idn, void *ctx)
{
	if (strcmp(idn->kind, "cookie_id"))
		*(bool *)ctx = false;
	return 0;
}

/*
 * A verified identify: the browser's cookie id joins the customer of the
 * external id. A customer known only by cookie ids (the visitor before
 * signing in) is merged into that customer, history and all; a cookie id
 * of another known customer (a shared computer) is left where it is.
 */
static int link_run(struct cxm_store *db, struct wjob *j)
{
	struct web_link *l = j->ctx;
	int64_t known = 0, anon = 0;
	bool created, only_cookies = true;
	int ret = cxm_store_customer_by_identity(db, l->tenant, "external_id", l->external_id, &known, &created);

	if (ret)
		return ret;
	ret = cxm_store_identity_resolve(db, l->tenant, "cookie_id", l->aid, &anon);
	if (ret == CXM_ENOTFOUND) {
		struct cxm_identity idn = { .customer_id = known, .kind = "cookie_id", .value = l->aid,
					    .created_at = cxm_now_us() };
		return cxm_store_identity_add(db, l->tenant, &idn);
	}
	if (ret || anon == known)
		return ret;
	if ((ret = cxm_store_identity_list(db, l->tenant, anon, only_cookies_cb, &only_cookies)) || !only_cookies)
		return ret;
	return cxm_store_customer_merge(db, l->tenant, known, anon, "web", NULL);
}

bool web_identify_ok(const char *secret_hex, const char *external_id, const char *hash)
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	char hex[2 * crypto_auth_hmacsha256_BYTES + 1];
	char lower[sizeof(hex)];
	size_t n = strlen(hash);

	if (n != sizeof(hex) - 1)
		return false;
	for (size_t i = 0; i <= n; i++)
		lower[i] = (char)tolower((unsigned char)hash[i]);
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret_hex, strlen(secret_hex));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)external_id, strlen(external_id));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	return sodium_memcmp(hex, lower, n) == 0;
}

int api_web_events(struct req *r)
{
	static const char *const keys[] = { "site", "anonymous_id", "identify", "events", NULL };
	static const char *const event_keys[] = { "type", "ts", "properties", "id", "touchpoint", "amount", "currency",
						  NULL };
	struct cxm_store *db = req_db(r);
	const char *aid, *external_id = NULL;
	const cJSON *idn, *evs;
	cJSON *o, *p, **items;
	char msg[200], now[CXM_TIME_BUFSZ];
	int64_t tenant;
	size_t n, nbad = 0;
	bool *bad;
	int ret;

	if (!db || !(o = web_body(r)))
		return H_DONE;
	if (site_of(r, db, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "site")), &tenant))
		return H_DONE;
	p = problem_new(r, 422, "invalid-items", MSG_HTTP_INVALID, NULL);
	check_keys(o, keys, p, -1);
	aid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "anonymous_id"));
	if (!web_anon_ok(aid))
		problem_item(p, -1, "anonymous_id", T(r, MSG_WG_BAD_ANON));
	idn = cJSON_GetObjectItemCaseSensitive(o, "identify");
	if (idn && !cJSON_IsNull(idn)) {
		const char *ext = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(idn, "external_id"));
		const char *hash = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(idn, "hash"));
		char why[200], secret[65];
		if (!cJSON_IsObject(idn) || !ext || !hash || cJSON_GetArraySize(idn) != 2) {
			problem_item(p, -1, "identify", T(r, MSG_WG_BAD_IDENTIFY));
		} else if (!*ext || cxm_text_check(ext, CXM_EXTERNAL_ID_MAX, why, sizeof(why))) {
			problem_item(p, -1, "identify.external_id", *ext ? why : T(r, MSG_HTTP_EMPTY));
		} else if ((ret = cxm_store_tenant_secret_find(db, tenant, "web_identity", secret)) &&
			   ret != CXM_ENOTFOUND) {
			cJSON_Delete(p);
			reply_store_error(r, ret, cxm_store_errmsg(db));
			return H_DONE;
		} else if (!ret && web_identify_ok(secret, ext, hash)) {
			external_id = ext; /* else: not verified, the cookie id alone names the visitor */
		}
	}
	evs = cJSON_GetObjectItemCaseSensitive(o, "events");
	n = cJSON_IsArray(evs) ? (size_t)cJSON_GetArraySize(evs) : 0;
	/* no events is fine with an identify: it links the visitor alone */
	if ((n == 0 && (!evs || !cJSON_IsArray(evs) || !idn || cJSON_IsNull(idn))) || n > WEB_MAX_EVENTS) {
		snprintf(msg, sizeof(msg), T(r, MSG_WG_BAD_EVENTS), WEB_MAX_EVENTS);
		problem_item(p, -1, "events", msg);
		n = 0;
	}
	if (cJSON_GetObjectItemCaseSensitive(p, "errors")) {
		reply_problem(r, p);
		return H_DONE;
	}
	/* each event as POST /api/v1/events takes it: channel web, the visitor
	 * as the customer, ids of their own (a retried batch is a duplicate) */
	items = cxm_arena_alloc(&r->arena, (n ? n : 1) * sizeof(*items));
	bad = cxm_arena_alloc(&r->arena, (n ? n : 1) * sizeof(*bad));
	cxm_time_format(cxm_now_us(), now);
	n = 0;
	for (const cJSON *e = evs ? evs->child : NULL; e; e = e->next, n++) {
		cJSON *it = cJSON_CreateObject(), *who;
		const cJSON *id;
		bad[n] = false;
		cJSON_AddItemToArray(r->json, it); /* freed with the request */
		items[n] = it;
		if (!cJSON_IsObject(e)) {
			problem_item(p, (long)n, NULL, T(r, MSG_HTTP_WANT_OBJECT));
			bad[n] = true;
			continue;
		}
		if (check_keys(e, event_keys, p, (long)n))
			bad[n] = true;
		for (const cJSON *k = e->child; k; k = k->next)
			if (strcmp(k->string, "id"))
				cJSON_AddItemToObject(it, k->string, cJSON_Duplicate(k, 1));
		if (!cJSON_GetObjectItemCaseSensitive(e, "ts"))
			cJSON_AddStringToObject(it, "ts", now);
		cJSON_AddStringToObject(it, "channel", "web");
		if (external_id) {
			cJSON_AddStringToObject(it, "external_id", external_id);
		} else {
			who = cJSON_AddObjectToObject(it, "identity");
			cJSON_AddStringToObject(who, "kind", "cookie_id");
			cJSON_AddStringToObject(who, "value", aid);
		}
		id = cJSON_GetObjectItemCaseSensitive(e, "id");
		if (id && !cJSON_IsNull(id)) {
			if (!cJSON_IsString(id) || !*id->valuestring || strlen(id->valuestring) > WEB_ID_MAX) {
				snprintf(msg, sizeof(msg), T(r, MSG_WG_BAD_ID), WEB_ID_MAX);
				problem_item(p, (long)n, "id", msg);
				bad[n] = true;
			} else {
				char *sid = xasprintf("web:%s:%s", aid, id->valuestring);
				cJSON_AddStringToObject(it, "id", sid);
				free(sid);
			}
		}
	}
	events_check(r, items, n, p);
	for (size_t i = 0; i < n; i++)
		if (bad[i] || events_item_bad(r, i))
			nbad++;
	if (nbad) {
		reply_batch_refused(r, p, nbad);
		return H_DONE;
	}
	if (external_id) {
		struct web_link l = { tenant, aid, external_id };
		struct wjob job = { .run = link_run, .ctx = &l, .lang = r->lang };
		if ((ret = writer_run(r->srv->writer, &job))) {
			cJSON_Delete(p);
			reply_store_error(r, ret, job.errmsg);
			return H_DONE;
		}
	}
	r->who.tenant = tenant;
	cxm_strlcpy(r->who.actor, "web", sizeof(r->who.actor));
	return events_write(r);
}

/* ---- GET /w/v1/prompt ---------------------------------------------------------- */

struct prompt {
	int64_t tenant;
	struct cxm_invitation inv;
	int64_t invs[PENDING_LOOK], expires[PENDING_LOOK];
	bool opened[PENDING_LOOK];
	size_t ninvs;
	int64_t survey_ids[PENDING_LOOK];
	char *definition;
	bool live;
	char first_name[208], lang[16], tenant_lang[16];
};

static int pending_cb(const struct cxm_invitation *inv, void *ctx)
{
	struct prompt *pr = ctx;

	if (pr->ninvs < PENDING_LOOK) {
		pr->invs[pr->ninvs] = inv->id;
		pr->survey_ids[pr->ninvs] = inv->survey_id;
		pr->expires[pr->ninvs] = inv->expires_at;
		pr->opened[pr->ninvs] = inv->opened_at != 0;
		pr->ninvs++;
	}
	return 0;
}

static int prompt_survey_cb(const struct cxm_survey *sv, void *ctx)
{
	struct prompt *pr = ctx;

	pr->live = !strcmp(sv->status, "live");
	free(pr->definition);
	pr->definition = xstrdup(sv->definition);
	return 0;
}

static int prompt_customer_cb(const struct cxm_customer *c, void *ctx)
{
	struct prompt *pr = ctx;

	cxm_strlcpy(pr->first_name, c->first_name ? c->first_name : "", sizeof(pr->first_name));
	cxm_strlcpy(pr->lang, c->language ? c->language : "", sizeof(pr->lang));
	return 0;
}

static int prompt_tenant_cb(const struct cxm_tenant *t, void *ctx)
{
	struct prompt *pr = ctx;

	cxm_strlcpy(pr->tenant_lang, t->language ? t->language : "", sizeof(pr->tenant_lang));
	return 0;
}

static const char *text_in(const cJSON *t, const char *lang)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(t, lang);
	return cJSON_IsString(v) ? v->valuestring : "";
}

/* The first NPS question of a definition, or -1. */
static int nps_index(const struct cxm_survey_def *d)
{
	for (size_t i = 0; i < d->nquestions; i++)
		if (d->questions[i].type == CXM_Q_NPS)
			return (int)i;
	return -1;
}

/* The text follow-up of question nps for category c, or -1. */
static int followup_index(const struct cxm_survey_def *d, int nps, enum cxm_nps_category c)
{
	for (size_t i = 0; i < d->nquestions; i++) {
		const struct cxm_question *q = &d->questions[i];
		if (q->type == CXM_Q_TEXT && q->show_if_question && !strcmp(q->show_if_question, d->questions[nps].id) &&
		    q->show_if_category == c)
			return (int)i;
	}
	return -1;
}

static const cJSON *question_json(const cJSON *def, int i)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(def, "questions"), i);
}

static int opened_run(struct cxm_store *db, struct wjob *j)
{
	struct prompt *pr = j->ctx;
	return cxm_store_invitation_opened(db, pr->tenant, pr->inv.id, cxm_now_us());
}

/* The widget's texts for the invitation in pr, in a language of the
 * survey: the customer's, the page's, the tenant's, else its first. */
static cJSON *prompt_json(struct req *r, struct prompt *pr, const cJSON *def, const struct cxm_survey_def *d,
			  int nps, const char *token)
{
	const char *want[] = { pr->lang, req_query(r, "lang"), pr->tenant_lang };
	const char *lang = d->languages[0];
	static const enum cxm_nps_category cats[] = { CXM_NPS_DETRACTOR, CXM_NPS_PASSIVE, CXM_NPS_PROMOTER };
	const cJSON *qj = question_json(def, nps), *labels = cJSON_GetObjectItemCaseSensitive(qj, "labels");
	char hello[300];
	enum cxm_lang ui;
	cJSON *o = cJSON_CreateObject(), *f, *t;

	for (size_t w = 0, found = 0; w < ARRAY_SIZE(want) && !found; w++)
		for (size_t i = 0; want[w] && *want[w] && i < d->nlanguages && !found; i++)
			if (!strncmp(d->languages[i], want[w], 2))
				lang = d->languages[i], found = 1;
	ui = !strncmp(lang, "es", 2) ? CXM_LANG_ES : CXM_LANG_EN;
	if (pr->first_name[0])
		snprintf(hello, sizeof(hello), cxm_msg_in(MSG_WG_HELLO, ui), pr->first_name);
	else
		cxm_strlcpy(hello, cxm_msg_in(MSG_WG_HELLO_ANON, ui), sizeof(hello));
	cJSON_AddStringToObject(o, "token", token);
	cJSON_AddStringToObject(o, "language", lang);
	cJSON_AddStringToObject(o, "greeting", hello);
	cJSON_AddStringToObject(o, "question", text_in(cJSON_GetObjectItemCaseSensitive(qj, "text"), lang));
	cJSON_AddStringToObject(o, "low", text_in(cJSON_GetObjectItemCaseSensitive(labels, "low"), lang));
	cJSON_AddStringToObject(o, "high", text_in(cJSON_GetObjectItemCaseSensitive(labels, "high"), lang));
	f = cJSON_AddObjectToObject(o, "follow_up");
	for (size_t c = 0; c < ARRAY_SIZE(cats); c++) {
		int fi = followup_index(d, nps, cats[c]);
		cJSON_AddStringToObject(f, cxm_nps_category_name(cats[c]),
					fi >= 0 ? text_in(cJSON_GetObjectItemCaseSensitive(question_json(def, fi), "text"),
							  lang)
						: cxm_msg_in(MSG_WG_COMMENT, ui));
	}
	t = cJSON_AddObjectToObject(o, "texts");
	cJSON_AddStringToObject(t, "title", cxm_msg_in(MSG_WG_TITLE, ui));
	cJSON_AddStringToObject(t, "send", cxm_msg_in(MSG_WG_SEND, ui));
	cJSON_AddStringToObject(t, "close", cxm_msg_in(MSG_WG_CLOSE, ui));
	cJSON_AddStringToObject(t, "thanks", cxm_msg_in(MSG_WG_THANKS, ui));
	cJSON_AddStringToObject(t, "failed", cxm_msg_in(MSG_WG_FAILED, ui));
	return o;
}

int api_web_prompt(struct req *r)
{
	struct cxm_store *db = req_db(r);
	const char *aid = req_query(r, "aid");
	struct prompt pr;
	struct cxm_survey_def d;
	char field[96], why[300], token[160];
	cJSON *def = NULL, *answer = NULL;
	int64_t customer = 0;
	int ret, nps = -1;

	if (!db)
		return H_DONE;
	memset(&pr, 0, sizeof(pr));
	if (site_of(r, db, req_query(r, "site"), &pr.tenant))
		return H_DONE;
	if (!web_anon_ok(aid)) {
		reply_bad_query(r, "aid", T(r, MSG_WG_BAD_ANON));
		return H_DONE;
	}
	ret = cxm_store_identity_resolve(db, pr.tenant, "cookie_id", aid, &customer);
	if (!ret)
		ret = cxm_store_invitations_pending(db, pr.tenant, customer, "web", cxm_now_us(), PENDING_LOOK, pending_cb,
						    &pr);
	/* the newest invitation to a live survey with an NPS question */
	for (size_t i = 0; !ret && i < pr.ninvs && nps < 0; i++) {
		if ((ret = cxm_store_survey_get(db, pr.tenant, pr.survey_ids[i], 0, prompt_survey_cb, &pr)))
			break;
		cJSON_Delete(def);
		def = pr.live ? cJSON_Parse(pr.definition) : NULL;
		if (def && !cxm_survey_check(def, &d, field, sizeof(field), why, sizeof(why)) && (nps = nps_index(&d)) >= 0) {
			pr.inv.id = pr.invs[i];
			pr.inv.expires_at = pr.expires[i];
			pr.inv.opened_at = pr.opened[i];
		}
	}
	if (!ret && nps >= 0) {
		cxm_store_tenant_get(db, pr.tenant, prompt_tenant_cb, &pr);
		cxm_store_customer_get(db, pr.tenant, customer, prompt_customer_cb, &pr);
		ret = link_token_make(db, pr.tenant, pr.inv.id, pr.inv.expires_at, token, sizeof(token));
		if (!ret)
			answer = prompt_json(r, &pr, def, &d, nps, token);
	}
	if (ret && ret != CXM_ENOTFOUND) {
		reply_store_error(r, ret, cxm_store_errmsg(db));
	} else if (!answer) {
		reply_empty(r, 204);
	} else {
		if (!pr.inv.opened_at) {
			struct wjob job = { .run = opened_run, .ctx = &pr, .lang = r->lang };
			writer_run(r->srv->writer, &job); /* the first open only; not worth failing over */
		}
		reply_json(r, 200, answer);
	}
	cJSON_Delete(def);
	free(pr.definition);
	return H_DONE;
}

/* ---- POST /w/v1/answer ------------------------------------------------------- */

struct wanswer {
	int64_t tenant, invitation;
	struct cxm_invitation inv;
	char channel[32];
	struct cxm_response_in in;
	struct cxm_response_out out;
	char source[48];
	char field[96], why[300];
	char *definition;
	bool live;
	cJSON *answers;
};

static int answer_inv_cb(const struct cxm_invitation *inv, void *ctx)
{
	struct wanswer *a = ctx;

	a->inv = *inv;
	cxm_strlcpy(a->channel, inv->channel, sizeof(a->channel));
	return 0;
}

static int answer_survey_cb(const struct cxm_survey *sv, void *ctx)
{
	struct wanswer *a = ctx;

	a->live = !strcmp(sv->status, "live");
	free(a->definition);
	a->definition = xstrdup(sv->definition);
	return 0;
}

static int answer_run(struct cxm_store *db, struct wjob *j)
{
	struct req *r = j->ctx;
	struct wanswer *a = r->data;
	int ret = cxm_response_submit(db, a->tenant, &a->in, &a->out, a->field, sizeof(a->field), a->why,
				      sizeof(a->why));

	/* the widget asks all it will ask at once: the invitation is answered
	 * even when the survey has questions the widget does not show */
	if (!ret && a->out.result != CXM_PUT_UNCHANGED)
		ret = cxm_store_invitation_answered(db, a->tenant, a->invitation, a->out.response_id, cxm_now_us());
	return ret;
}

static void duplicate_reply(struct req *r)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddBoolToObject(o, "duplicate", true);
	reply_json(r, 200, o);
}

static int answer_finish(struct req *r)
{
	struct wanswer *a = r->data;
	cJSON *o;

	cJSON_Delete(a->answers);
	if (r->job.rc == CXM_EINVAL && a->why[0] && !r->job.commit_rc) {
		reply_invalid(r, a->field, a->why);
		return 0;
	}
	if (job_failed(r))
		return 0;
	if (a->out.result == CXM_PUT_UNCHANGED) {
		duplicate_reply(r);
		return 0;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "response_id", id_str(r, a->out.response_id));
	cJSON_AddBoolToObject(o, "complete", a->out.complete);
	reply_json(r, 201, o);
	return 0;
}

int api_web_answer(struct req *r)
{
	static const char *const keys[] = { "token", "score", "comment", "lang", NULL };
	struct cxm_store *db = req_db(r);
	struct wanswer *a;
	struct cxm_survey_def d;
	const char *token, *comment = NULL, *lang;
	const cJSON *score, *c;
	cJSON *o, *p, *def = NULL;
	char why[200], field[96];
	int ret, nps, fi;

	if (!db || !(o = web_body(r)))
		return H_DONE;
	a = cxm_arena_alloc(&r->arena, sizeof(*a));
	memset(a, 0, sizeof(*a));
	token = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "token"));
	ret = token && strlen(token) < 200 ? link_token_check(db, token, &a->tenant, &a->invitation) : CXM_ENOTFOUND;
	if (!ret)
		ret = cxm_store_invitation_get(db, a->tenant, a->invitation, answer_inv_cb, a);
	if (ret == CXM_ENOTFOUND || (!ret && strcmp(a->channel, "web"))) {
		p = problem_new(r, 404, "not-found", MSG_HTTP_NOT_FOUND, T(r, ret ? MSG_SP_EXPIRED : MSG_WG_NOT_WEB));
		problem_item(p, -1, "token", T(r, ret ? MSG_SP_EXPIRED : MSG_WG_NOT_WEB));
		reply_problem(r, p);
		return H_DONE;
	}
	if (ret) {
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return H_DONE;
	}
	if (origin_check(r, db, a->tenant))
		return H_DONE;
	p = problem_new(r, 422, "invalid", MSG_HTTP_INVALID, NULL);
	check_keys(o, keys, p, -1);
	score = cJSON_GetObjectItemCaseSensitive(o, "score");
	if (!cJSON_IsNumber(score) || !(score->valuedouble >= 0 && score->valuedouble <= 10) ||
	    score->valuedouble != floor(score->valuedouble))
		problem_item(p, -1, "score", T(r, MSG_WG_BAD_SCORE));
	c = cJSON_GetObjectItemCaseSensitive(o, "comment");
	if (c && !cJSON_IsNull(c)) {
		if (!cJSON_IsString(c))
			problem_item(p, -1, "comment", T(r, MSG_HTTP_WANT_STRING));
		else if (cxm_text_check(c->valuestring, COMMENT_MAX, why, sizeof(why)))
			problem_item(p, -1, "comment", why);
		else if (*c->valuestring)
			comment = c->valuestring;
	}
	lang = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "lang"));
	if (lang) {
		char norm[16];
		if (cxm_language_normalize(lang, norm, sizeof(norm), why, sizeof(why)))
			problem_item(p, -1, "lang", why);
		else
			a->in.language = cxm_arena_strdup(&r->arena, norm);
	}
	if (cJSON_GetObjectItemCaseSensitive(p, "errors")) {
		reply_problem(r, p);
		return H_DONE;
	}
	cJSON_Delete(p);
	/* one answer per invitation */
	if (a->inv.answered_at) {
		duplicate_reply(r);
		return H_DONE;
	}
	if ((ret = cxm_store_survey_get(db, a->tenant, a->inv.survey_id, 0, answer_survey_cb, a))) {
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return H_DONE;
	}
	def = cJSON_Parse(a->definition);
	if (!def || cxm_survey_check(def, &d, field, sizeof(field), why, sizeof(why)))
		BUG("a stored survey definition does not check");
	if (!a->live || (nps = nps_index(&d)) < 0) {
		cJSON_Delete(def);
		free(a->definition);
		reply_error(r, 409, "closed", MSG_HTTP_CONFLICT, T(r, MSG_SP_CLOSED));
		return H_DONE;
	}
	a->answers = cJSON_CreateObject();
	cJSON_AddNumberToObject(a->answers, d.questions[nps].id, score->valueint);
	fi = followup_index(&d, nps, cxm_nps_category(score->valueint));
	if (comment && fi >= 0 && strlen(comment) <= (size_t)d.questions[fi].max_length)
		cJSON_AddStringToObject(a->answers, d.questions[fi].id, comment);
	else
		a->in.comment = comment;
	cJSON_Delete(def);
	free(a->definition);
	a->definition = NULL;
	snprintf(a->source, sizeof(a->source), "inv:%lld", (long long)a->invitation);
	a->in.source_id = a->source; /* the same as the /s/ page's: one response per invitation */
	a->in.survey_id = a->inv.survey_id;
	a->in.customer_id = a->inv.customer_id;
	a->in.channel = "web";
	a->in.touchpoint = "web_widget";
	a->in.ts = cxm_now_us();
	a->in.answers = a->answers;
	r->data = a;
	return req_write(r, answer_run, answer_finish);
}

/* ---- GET/PUT /api/v1/settings/web -------------------------------------------- */

struct wsettings {
	char site[65], identity[65];
	char *stored;  /* the settings text, for PUT */
};

static int settings_run(struct cxm_store *db, struct wjob *j)
{
	struct req *r = j->ctx;
	struct wsettings *s = r->data;
	int ret = 0;

	if (s->stored && !(ret = cxm_store_setting_set(db, r->who.tenant, "web", s->stored)))
		ret = cxm_store_audit_add(db, r->who.tenant, r->who.actor, "settings.web", NULL, s->stored, NULL);
	if (!ret)
		ret = cxm_store_tenant_secret(db, r->who.tenant, "web_site", s->site);
	if (!ret)
		ret = cxm_store_tenant_secret(db, r->who.tenant, "web_identity", s->identity);
	return ret;
}

static int settings_finish(struct req *r)
{
	struct wsettings *s = r->data;
	struct cxm_store *db;
	char key[SITE_KEY_LEN + 1], *stored = NULL, *tag;
	cJSON *o;
	int ret;

	free(s->stored);
	if (job_failed(r) || !(db = req_db(r)))
		return 0;
	if ((ret = cxm_store_setting_get(db, r->who.tenant, "web", &stored))) {
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return 0;
	}
	o = web_settings(stored);
	free(stored);
	site_key_of(r->who.tenant, s->site, key);
	tag = xasprintf("<script async src=\"%s/w/cxm.js\" data-site=\"%s\"></script>", r->srv->public_url, key);
	cJSON_AddStringToObject(o, "site_key", key);
	cJSON_AddStringToObject(o, "snippet", tag);
	cJSON_AddStringToObject(o, "identity_secret", s->identity);
	free(tag);
	reply_json(r, 200, o);
	return 0;
}

int api_web_settings_get(struct req *r)
{
	struct wsettings *s = cxm_arena_alloc(&r->arena, sizeof(*s));

	memset(s, 0, sizeof(*s));
	r->data = s;
	/* the secrets are made on first use: a write */
	return req_write(r, settings_run, settings_finish);
}

bool web_origin_ok(const char *s)
{
	const char *h;
	size_t n = strlen(s);

	if (n > ORIGIN_MAX)
		return false;
	if (!strncmp(s, "https://", 8))
		h = s + 8;
	else if (!strncmp(s, "http://", 7))
		h = s + 7;
	else
		return false;
	if (!*h || *h == ':')
		return false;
	for (; *h; h++)
		if (!(islower((unsigned char)*h) || isdigit((unsigned char)*h) || *h == '.' || *h == '-' || *h == ':' ||
		      *h == '[' || *h == ']'))
			return false;
	return s[n - 1] != ':';
}

int api_web_settings_put(struct req *r)
{
	static const char *const keys[] = { "allowed_origins", NULL };
	struct wsettings *s;
	const cJSON *list;
	cJSON *o, *p, *clean;
	char msg[300];
	long i = 0;

	if (!(o = body_json(r)))
		return H_DONE;
	p = problem_new(r, 422, "invalid", MSG_HTTP_INVALID, NULL);
	if (!cJSON_IsObject(o)) {
		problem_item(p, -1, NULL, T(r, MSG_HTTP_WANT_OBJECT));
		reply_problem(r, p);
		return H_DONE;
	}
	check_keys(o, keys, p, -1);
	list = cJSON_GetObjectItemCaseSensitive(o, "allowed_origins");
	if (!cJSON_IsArray(list)) {
		problem_item(p, -1, "allowed_origins", T(r, MSG_HTTP_REQUIRED));
	} else if (cJSON_GetArraySize(list) > WEB_MAX_ORIGINS) {
		snprintf(msg, sizeof(msg), T(r, MSG_WG_TOO_MANY_ORIGINS), WEB_MAX_ORIGINS);
		problem_item(p, -1, "allowed_origins", msg);
	} else {
		for (const cJSON *it = list->child; it; it = it->next, i++) {
			char f[48];
			snprintf(f, sizeof(f), "allowed_origins[%ld]", i);
			if (!cJSON_IsString(it)) {
				problem_item(p, -1, f, T(r, MSG_HTTP_WANT_STRING));
			} else if (!web_origin_ok(it->valuestring)) {
				snprintf(msg, sizeof(msg), T(r, MSG_WG_BAD_ORIGIN),
					 strlen(it->valuestring) > 200 ? "..." : it->valuestring);
				problem_item(p, -1, f, msg);
			}
		}
	}
	if (cJSON_GetObjectItemCaseSensitive(p, "errors")) {
		reply_problem(r, p);
		return H_DONE;
	}
	cJSON_Delete(p);
	s = cxm_arena_alloc(&r->arena, sizeof(*s));
	memset(s, 0, sizeof(*s));
	clean = cJSON_CreateObject();
	cJSON_AddItemToObject(clean, "allowed_origins", cJSON_Duplicate(list, 1));
	s->stored = cxm_json_print(clean);
	cJSON_Delete(clean);
	r->data = s;
	return req_write(r, settings_run, settings_finish);
}
