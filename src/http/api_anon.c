/*
 * api_anon.c - anonymous surveys (docs/surveys.md, "Anonymous surveys"):
 * the open link of a survey (POST /api/v1/surveys/{id}/open-link), its
 * one-time form nonces, the thank-you page with a receipt code, and the
 * receipt page (GET/POST /s/{token}/receipt) where a respondent sees or
 * deletes their answers. The survey page itself is api_links.c's.
 *
 * An open link reads "TENANT.o.SURVEY.MAC": the MAC is HMAC-SHA-256 of
 * "open.TENANT.SURVEY" under the tenant's "links" secret (first 128 bits,
 * hex), the same secret as personal links but a message no personal link
 * can have. It names the survey, not an invitation, and does not expire:
 * one link per survey, printable as a QR code, that works while the survey
 * is live and anonymous. A form nonce reads "SEED.MAC" (SEED 16 random
 * bytes, hex; MAC of "nonce.TENANT.SURVEY.SEED"): the response's source id
 * is a hash of the seed, so a form sent twice is one response, and the
 * receipt code is derived from the seed, so both sendings show the same
 * code. The database keeps neither the seed nor the code, only hashes.
 */
#include "http-internal.h"
#include "cxm/form.h"
#include "cxm/receipt.h"
#include "cxm/surveys.h"
#include "cxm/time.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>

#define MAC_HEX LINKS_MAC_HEX

/* ---- tokens and nonces ---------------------------------------------------- */

int anon_open_token(struct cxm_store *db, int64_t tenant, int64_t survey, char out[128])
{
	char msg[64], mac[MAC_HEX + 1];
	int ret;

	snprintf(msg, sizeof(msg), "open.%lld.%lld", (long long)tenant, (long long)survey);
	if ((ret = links_mac(db, tenant, msg, true, mac)))
		return ret;
	snprintf(out, 128, "%lld.o.%lld.%s", (long long)tenant, (long long)survey, mac);
	return 0;
}

static int positive(const char *p, size_t n, int64_t *v)
{
	return n == 0 || n > 19 || cxm_parse_i64(p, n, v) || *v <= 0 ? CXM_ENOTFOUND : 0;
}

int anon_open_check(struct cxm_store *db, const char *token, int64_t *tenant, int64_t *survey)
{
	const char *a = strchr(token, '.'), *b;
	char msg[64], mac[MAC_HEX + 1];
	int ret;

	if (!a || strncmp(a, ".o.", 3) || positive(token, (size_t)(a - token), tenant))
		return CXM_ENOTFOUND;
	a += 3;
	if (!(b = strchr(a, '.')) || positive(a, (size_t)(b - a), survey) || strlen(b + 1) != MAC_HEX)
		return CXM_ENOTFOUND;
	snprintf(msg, sizeof(msg), "open.%lld.%lld", (long long)*tenant, (long long)*survey);
	if ((ret = links_mac(db, *tenant, msg, false, mac)))
		return ret;
	return sodium_memcmp(mac, b + 1, MAC_HEX) ? CXM_ENOTFOUND : 0;
}

int anon_nonce_new(struct cxm_store *db, int64_t tenant, int64_t survey, char out[ANON_NONCE_MAX])
{
	unsigned char seed[16];
	char hex[33], msg[128], mac[MAC_HEX + 1];
	int ret;

	randombytes_buf(seed, sizeof(seed));
	sodium_bin2hex(hex, sizeof(hex), seed, sizeof(seed));
	snprintf(msg, sizeof(msg), "nonce.%lld.%lld.%s", (long long)tenant, (long long)survey, hex);
	if (!(ret = links_mac(db, tenant, msg, true, mac)))
		snprintf(out, ANON_NONCE_MAX, "%s.%s", hex, mac);
	sodium_memzero(seed, sizeof(seed));
	return ret;
}

int anon_nonce_check(struct cxm_store *db, int64_t tenant, int64_t survey, const char *nonce,
		     unsigned char seed[16])
{
	char hex[33], msg[128], mac[MAC_HEX + 1];

	if (strlen(nonce) != 32 + 1 + MAC_HEX || nonce[32] != '.')
		return CXM_ENOTFOUND;
	memcpy(hex, nonce, 32);
	hex[32] = '\0';
	if (sodium_hex2bin(seed, 16, hex, 32, NULL, NULL, NULL))
		return CXM_ENOTFOUND;
	snprintf(msg, sizeof(msg), "nonce.%lld.%lld.%s", (long long)tenant, (long long)survey, hex);
	if (links_mac(db, tenant, msg, false, mac) || sodium_memcmp(mac, nonce + 33, MAC_HEX))
		return CXM_ENOTFOUND;
	return 0;
}

void anon_source_id(const unsigned char seed[16], char out[48])
{
	static const unsigned char what[] = "cxm open link response";
	unsigned char h[16];
	char hex[33];

	crypto_generichash(h, sizeof(h), what, sizeof(what) - 1, seed, 16);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(out, 48, "open:%s", hex);
}

bool anon_survey(const char *definition)
{
	cJSON *def = definition ? cJSON_Parse(definition) : NULL;
	bool yes = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(def, "anonymous"));

	cJSON_Delete(def);
	return yes;
}

const char *anon_accept_lang(struct req *r)
{
	const char *al = req_header(r, MHD_HTTP_HEADER_ACCEPT_LANGUAGE);

	while (al && *al == ' ')
		al++;
	if (al && (al[0] | 0x20) == 'e' && (al[1] | 0x20) == 's')
		return "es";
	if (al && (al[0] | 0x20) == 'e' && (al[1] | 0x20) == 'n')
		return "en";
	return NULL;
}

static enum cxm_lang ui_of(const char *lang)
{
	return lang && !strncmp(lang, "es", 2) ? CXM_LANG_ES : CXM_LANG_EN;
}

static const char *lang_name(enum cxm_lang ui)
{
	return ui == CXM_LANG_ES ? "es" : "en";
}

/* ---- pages ------------------------------------------------------------------ */

static void message_page(struct req *r, int status, enum cxm_lang ui, enum cxm_msg title, const char *text)
{
	struct cxm_buf body = CXM_BUF_INIT;

	cxm_buf_addstr(&body, "<div class=\"done\"><p>");
	html_escape(&body, text);
	cxm_buf_addstr(&body, "</p></div>");
	html_page(r, status, lang_name(ui), cxm_msg_in(title, ui), &body);
	cxm_buf_release(&body);
}

void public_slow_down(struct req *r, int64_t wait)
{
	char text[300];
	enum cxm_lang ui = r->lang;

	snprintf(text, sizeof(text), cxm_msg_in(MSG_AN_SLOW, ui), (long long)wait);
	message_page(r, 429, ui, MSG_AN_SLOW_TITLE, text);
}

static void receipt_link(struct cxm_buf *b, const char *token, enum cxm_lang ui)
{
	cxm_buf_addstr(b, "<p><a id=\"receipt-link\" href=\"/s/");
	html_escape(b, token);
	cxm_buf_addf(b, "/receipt?lang=%s\">", lang_name(ui));
	html_escape(b, cxm_msg_in(MSG_AN_RECEIPT_LINK, ui));
	cxm_buf_addstr(b, "</a></p>");
}

void anon_thanks(struct req *r, const char *lang, const char *token, const unsigned char seed[16])
{
	enum cxm_lang ui = ui_of(lang);
	struct cxm_buf body = CXM_BUF_INIT;
	char code[CXM_RECEIPT_BUFSZ];

	cxm_receipt_code(seed, code);
	cxm_buf_addstr(&body, "<div class=\"done\"><p>");
	html_escape(&body, cxm_msg_in(MSG_AN_THANKS, ui));
	cxm_buf_addstr(&body, "</p><p>");
	html_escape(&body, cxm_msg_in(MSG_AN_CODE_IS, ui));
	cxm_buf_addf(&body, "</p><p class=\"receipt\"><strong id=\"receipt-code\">%s</strong></p><p class=\"note\">", code);
	html_escape(&body, cxm_msg_in(MSG_AN_CODE_NOTE, ui));
	cxm_buf_addstr(&body, "</p>");
	receipt_link(&body, token, ui);
	cxm_buf_addstr(&body, "</div>");
	html_page(r, 200, lang_name(ui), cxm_msg_in(MSG_SP_TITLE, ui), &body);
	sodium_memzero(code, sizeof(code));
	cxm_buf_release(&body);
}

/* ---- the open link ------------------------------------------------------------ */

struct open_link {
	int64_t survey;
	bool found, anonymous;
	char token[128];
};

static int open_survey_cb(const struct cxm_survey *sv, void *ctx)
{
	struct open_link *o = ctx;

	o->found = true;
	o->anonymous = anon_survey(sv->definition);
	return 0;
}

static int open_run(struct cxm_store *db, struct wjob *j)
{
	struct req *r = j->ctx;
	struct open_link *o = r->data;
	int ret = cxm_store_survey_get(db, r->who.tenant, o->survey, 0, open_survey_cb, o);

	if (ret || !o->anonymous)
		return ret;
	/* the tenant's secret is made on first use: a write */
	return anon_open_token(db, r->who.tenant, o->survey, o->token);
}

static int open_finish(struct req *r)
{
	struct open_link *o = r->data;
	cJSON *out;

	if (job_failed(r))
		return 0;
	if (!o->anonymous) {
		reply_invalid(r, "anonymous", T(r, MSG_AN_NOT_ANONYMOUS));
		return 0;
	}
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "survey_id", id_str(r, o->survey));
	link_json(r, out, o->token);
	reply_json(r, 200, out);
	return 0;
}

int api_open_link_create(struct req *r)
{
	struct open_link *o = cxm_arena_alloc(&r->arena, sizeof(*o));

	memset(o, 0, sizeof(*o));
	if (parse_id(req_param(r, 0), &o->survey)) {
		reply_error(r, 404, "not-found", MSG_HTTP_NOT_FOUND, NULL);
		return H_DONE;
	}
	r->data = o;
	return req_write(r, open_run, open_finish);
}

/* ---- the receipt page ------------------------------------------------------------ */

struct receipt {
	int64_t tenant, survey, response;
	char tenant_lang[16];
	char code[48], action[16], lang[16];
	/* the response shown */
	char *answers, *definition;
	char language[16];
	int version;
	bool deleted;
};

static int receipt_form_cb(const char *key, const char *value, void *ctx)
{
	struct receipt *rc = ctx;

	if (!strcmp(key, "code") && !rc->code[0])
		cxm_strlcpy(rc->code, value, sizeof(rc->code));
	else if (!strcmp(key, "action") && !rc->action[0])
		cxm_strlcpy(rc->action, value, sizeof(rc->action));
	else if (!strcmp(key, "lang") && !rc->lang[0] && strlen(value) < sizeof(rc->lang))
		cxm_strlcpy(rc->lang, value, sizeof(rc->lang));
	return 0;
}

static int receipt_tenant_cb(const struct cxm_tenant *t, void *ctx)
{
	struct receipt *rc = ctx;
	cxm_strlcpy(rc->tenant_lang, t->language ? t->language : "", sizeof(rc->tenant_lang));
	return 0;
}

/* The page's language: the form's or ?lang=, the browser's, the tenant's. */
static enum cxm_lang receipt_ui(struct req *r, const struct receipt *rc)
{
	const char *q = req_query(r, "lang"), *al = anon_accept_lang(r);

	if (rc->lang[0])
		return ui_of(rc->lang);
	if (q && *q)
		return ui_of(q);
	return ui_of(al ? al : rc->tenant_lang);
}

static void receipt_form(struct req *r, struct cxm_buf *b, enum cxm_lang ui, const char *error)
{
	cxm_buf_addstr(b, "<h1>");
	html_escape(b, cxm_msg_in(MSG_AN_RECEIPT_TITLE, ui));
	cxm_buf_addstr(b, "</h1>");
	if (error) {
		cxm_buf_addstr(b, "<p class=\"error\" role=\"alert\">");
		html_escape(b, error);
		cxm_buf_addstr(b, "</p>");
	}
	cxm_buf_addstr(b, "<form method=\"post\" action=\"/s/");
	html_escape(b, req_param(r, 0));
	cxm_buf_addstr(b, "/receipt\"><div class=\"question\"><label class=\"q\" for=\"code\">");
	html_escape(b, cxm_msg_in(MSG_AN_CODE_LABEL, ui));
	cxm_buf_addstr(b, "</label><p class=\"note\">");
	html_escape(b, cxm_msg_in(MSG_AN_ENTER_CODE, ui));
	cxm_buf_addf(b, "</p><input id=\"code\" name=\"code\" required maxlength=\"40\" autocomplete=\"off\""
			" autocapitalize=\"characters\" spellcheck=\"false\" placeholder=\"XXXX-XXXX-XXXX-XXXX\"></div>"
			"<input type=\"hidden\" name=\"lang\" value=\"%s\"><button type=\"submit\" name=\"action\""
			" value=\"show\">",
		     lang_name(ui));
	html_escape(b, cxm_msg_in(MSG_AN_SHOW, ui));
	cxm_buf_addstr(b, "</button></form>");
}

/* Loads the open link's tenant and survey; false (a 404 page sent) when
 * the token is not an open link. */
static bool receipt_load(struct req *r, struct cxm_store *db, struct receipt *rc)
{
	if (anon_open_check(db, req_param(r, 0), &rc->tenant, &rc->survey)) {
		enum cxm_lang ui = receipt_ui(r, rc);
		message_page(r, 404, ui, MSG_SP_TITLE, cxm_msg_in(MSG_SP_EXPIRED, ui));
		return false;
	}
	cxm_store_tenant_get(db, rc->tenant, receipt_tenant_cb, rc);
	return true;
}

int api_receipt_page(struct req *r)
{
	struct cxm_store *db = req_db(r);
	struct receipt rc;
	struct cxm_buf body = CXM_BUF_INIT;
	enum cxm_lang ui;

	if (!db)
		return H_DONE;
	memset(&rc, 0, sizeof(rc));
	if (!receipt_load(r, db, &rc))
		return H_DONE;
	ui = receipt_ui(r, &rc);
	receipt_form(r, &body, ui, NULL);
	html_page(r, 200, lang_name(ui), cxm_msg_in(MSG_AN_RECEIPT_TITLE, ui), &body);
	cxm_buf_release(&body);
	return H_DONE;
}

static void client_key(struct req *r, char *out, size_t outlen)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	char addr[INET6_ADDRSTRLEN + 8] = "?";

	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, addr, sizeof(addr));
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, addr, sizeof(addr));
	snprintf(out, outlen, "receipt:%s", addr);
}

static int shown_cb(const struct cxm_response *x, void *ctx)
{
	struct receipt *rc = ctx;

	rc->answers = xstrdup(x->answers ? x->answers : "{}");
	rc->version = x->version;
	cxm_strlcpy(rc->language, x->language ? x->language : "", sizeof(rc->language));
	return 0;
}

static int shown_survey_cb(const struct cxm_survey *sv, void *ctx)
{
	struct receipt *rc = ctx;
	rc->definition = xstrdup(sv->definition);
	return 0;
}

static const char *text_in(const cJSON *t, const char *lang)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(t, lang);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static const char *option_text(const struct cxm_question *q, const char *id, const char *lang)
{
	for (const cJSON *o = q->options ? q->options->child : NULL; o; o = o->next)
		if (!strcmp(cJSON_GetObjectItemCaseSensitive(o, "id")->valuestring, id))
			return text_in(cJSON_GetObjectItemCaseSensitive(o, "text"), lang);
	return id;
}

/* The answers of the response, every text escaped, and the form to delete them. */
static void receipt_answers(struct req *r, struct receipt *rc, struct cxm_buf *b, enum cxm_lang ui)
{
	struct cxm_survey_def d;
	char field[96], why[300];
	cJSON *def = cJSON_Parse(rc->definition), *answers = cJSON_Parse(rc->answers);
	const char *lang;

	if (!def || cxm_survey_check(def, &d, field, sizeof(field), why, sizeof(why)))
		BUG("a stored survey definition does not check");
	lang = d.languages[0];
	for (size_t i = 0; i < d.nlanguages; i++)
		if (!strncmp(d.languages[i], rc->language[0] ? rc->language : lang_name(ui), 2))
			lang = d.languages[i];
	cxm_buf_addstr(b, "<h1>");
	html_escape(b, cxm_msg_in(MSG_AN_RECEIPT_TITLE, ui));
	cxm_buf_addstr(b, "</h1><dl class=\"answers\">");
	const cJSON *qj = cJSON_GetObjectItemCaseSensitive(def, "questions")->child;
	for (size_t i = 0; i < d.nquestions; i++, qj = qj->next) {
		const struct cxm_question *q = &d.questions[i];
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(answers, q->id);
		if (!a && q->show_if_question)
			continue; /* a follow-up not asked */
		cxm_buf_addstr(b, "<dt>");
		html_escape(b, text_in(cJSON_GetObjectItemCaseSensitive(qj, "text"), lang));
		cxm_buf_addstr(b, "</dt><dd>");
		if (!a) {
			html_escape(b, cxm_msg_in(MSG_AN_NO_ANSWER, ui));
		} else if (cJSON_IsNumber(a)) {
			cxm_buf_addf(b, "%d", a->valueint);
		} else if (cJSON_IsString(a)) {
			html_escape(b, q->type == CXM_Q_SINGLE ? option_text(q, a->valuestring, lang) : a->valuestring);
		} else if (cJSON_IsArray(a)) {
			for (const cJSON *o = a->child; o; o = o->next) {
				html_escape(b, cJSON_IsString(o) ? option_text(q, o->valuestring, lang) : "");
				if (o->next)
					cxm_buf_addstr(b, ", ");
			}
		}
		cxm_buf_addstr(b, "</dd>");
	}
	cxm_buf_addstr(b, "</dl><form method=\"post\" action=\"/s/");
	html_escape(b, req_param(r, 0));
	cxm_buf_addstr(b, "/receipt\"><input type=\"hidden\" name=\"code\" value=\"");
	html_escape(b, rc->code);
	cxm_buf_addf(b, "\"><input type=\"hidden\" name=\"lang\" value=\"%s\"><p class=\"note\">", lang_name(ui));
	html_escape(b, cxm_msg_in(MSG_AN_DELETE_NOTE, ui));
	cxm_buf_addstr(b, "</p><button class=\"delete\" type=\"submit\" name=\"action\" value=\"delete\">");
	html_escape(b, cxm_msg_in(MSG_AN_DELETE, ui));
	cxm_buf_addstr(b, "</button></form>");
	cJSON_Delete(def);
	cJSON_Delete(answers);
}

static int delete_run(struct cxm_store *db, struct wjob *j)
{
	struct req *r = j->ctx;
	struct receipt *rc = r->data;
	char hash[CXM_RECEIPT_HASH_HEX];
	int ret;

	/* looked up again inside the write: a second click finds nothing */
	if (cxm_receipt_hash(rc->tenant, rc->code, hash))
		return 0;
	ret = cxm_store_receipt_find(db, rc->tenant, rc->survey, hash, &rc->response);
	if (ret == CXM_ENOTFOUND)
		return 0;
	if (!ret)
		ret = cxm_store_response_delete(db, rc->tenant, rc->response);
	rc->deleted = !ret;
	return ret;
}

static int delete_finish(struct req *r)
{
	struct receipt *rc = r->data;
	enum cxm_lang ui = receipt_ui(r, rc);

	if (job_failed(r))
		return 0;
	if (!rc->deleted) {
		struct cxm_buf body = CXM_BUF_INIT;
		receipt_form(r, &body, ui, cxm_msg_in(MSG_AN_WRONG_CODE, ui));
		html_page(r, 422, lang_name(ui), cxm_msg_in(MSG_AN_RECEIPT_TITLE, ui), &body);
		cxm_buf_release(&body);
		return 0;
	}
	message_page(r, 200, ui, MSG_AN_RECEIPT_TITLE, cxm_msg_in(MSG_AN_DELETED, ui));
	return 0;
}

int api_receipt(struct req *r)
{
	struct cxm_store *db = req_db(r);
	struct receipt *rc;
	struct cxm_buf body = CXM_BUF_INIT;
	char key[80], hash[CXM_RECEIPT_HASH_HEX];
	enum cxm_lang ui;
	int64_t wait, now = cxm_now_us();
	int ret;

	if (!db)
		return H_DONE;
	rc = cxm_arena_alloc(&r->arena, sizeof(*rc));
	memset(rc, 0, sizeof(*rc));
	cxm_form_parse(r->body.p ? r->body.p : "", r->body.len, receipt_form_cb, rc);
	if (!receipt_load(r, db, rc))
		return H_DONE;
	ui = receipt_ui(r, rc);
	/* codes cannot be guessed: after a few wrong ones an address waits */
	client_key(r, key, sizeof(key));
	if ((wait = flood_wait(r->srv->receipt_flood, key, now))) {
		char secs[24];
		snprintf(secs, sizeof(secs), "%lld", (long long)wait);
		r->lang = ui;
		public_slow_down(r, wait);
		req_add_header(r, "Retry-After", secs);
		return H_DONE;
	}
	ret = cxm_receipt_hash(rc->tenant, rc->code, hash) ? CXM_ENOTFOUND
							   : cxm_store_receipt_find(db, rc->tenant, rc->survey, hash,
										    &rc->response);
	if (!ret)
		ret = cxm_store_response_get(db, rc->tenant, rc->response, shown_cb, rc);
	if (!ret)
		ret = cxm_store_survey_get(db, rc->tenant, rc->survey, rc->version, shown_survey_cb, rc);
	if (ret == CXM_ENOTFOUND) {
		flood_take(r->srv->receipt_flood, key, now);
		receipt_form(r, &body, ui, cxm_msg_in(MSG_AN_WRONG_CODE, ui));
		html_page(r, 422, lang_name(ui), cxm_msg_in(MSG_AN_RECEIPT_TITLE, ui), &body);
	} else if (ret) {
		reply_store_error(r, ret, cxm_store_errmsg(db));
	} else if (!strcmp(rc->action, "delete")) {
		free(rc->answers);
		free(rc->definition);
		r->data = rc;
		return req_write(r, delete_run, delete_finish);
	} else {
		receipt_answers(r, rc, &body, ui);
		html_page(r, 200, lang_name(ui), cxm_msg_in(MSG_AN_RECEIPT_TITLE, ui), &body);
	}
	free(rc->answers);
	free(rc->definition);
	cxm_buf_release(&body);
	return H_DONE;
}
