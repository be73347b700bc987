/*
 * api_links.c - personal survey links: POST /api/v1/surveys/{id}/invitations
 * makes one, GET /s/{token} shows the survey as plain HTML (no JavaScript,
 * phone first, in the customer's language, greeting them by name, the NPS
 * scale in traffic-light colours) and POST /s/{token} records the answers.
 *
 * A token reads "TENANT.INVITATION.EXPIRES.MAC": the MAC is HMAC-SHA-256
 * (libsodium crypto_auth_hmacsha256, first 128 bits, hex) of the three
 * numbers under the tenant's "links" secret, so forged or altered links are
 * refused before the database is asked anything but that secret. One
 * submission per link: the response's source id is the invitation's, so a
 * second submission is a duplicate; follow-up questions arrive on a second
 * page once the score is known, and complete the same response.
 *
 * The same page serves the open link of an anonymous survey
 * ("TENANT.o.SURVEY.MAC", api_anon.c): no invitation, no customer, and the
 * form's signed one-time nonce names the response instead.
 */
#include "http-internal.h"
#include "cxm/customers.h"
#include "cxm/events.h"
#include "cxm/form.h"
#include "cxm/id.h"
#include "cxm/receipt.h"
#include "cxm/surveys.h"
#include "cxm/time.h"
#include "cxm/triggers.h"

#include <sodium.h>

#define MAC_HEX LINKS_MAC_HEX
#define DEFAULT_DAYS 30

/* ---- tokens ------------------------------------------------------------- */

int links_key(struct cxm_store *db, int64_t tenant, bool make, unsigned char key[LINKS_KEY_BYTES])
{
	char hex[65];
	int ret = make ? cxm_store_tenant_secret(db, tenant, "links", hex)
		       : cxm_store_tenant_secret_find(db, tenant, "links", hex);

	if (ret)
		return ret;
	if (sodium_hex2bin(key, LINKS_KEY_BYTES, hex, 64, NULL, NULL, NULL))
		BUG("bad tenant secret");
	sodium_memzero(hex, sizeof(hex));
	return 0;
}

static void mac_with(const unsigned char key[LINKS_KEY_BYTES], const char *msg, char out[LINKS_MAC_HEX + 1])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256(mac, (const unsigned char *)msg, strlen(msg), key);
	sodium_bin2hex(out, LINKS_MAC_HEX + 1, mac, LINKS_MAC_HEX / 2);
}

int links_mac(struct cxm_store *db, int64_t tenant, const char *msg, bool make, char out[LINKS_MAC_HEX + 1])
{
	unsigned char key[LINKS_KEY_BYTES];
	int ret = links_key(db, tenant, make, key);

	if (ret)
		return ret;
	mac_with(key, msg, out);
	sodium_memzero(key, sizeof(key));
	return 0;
}

static int link_mac(struct cxm_store *db, int64_t tenant, int64_t inv, int64_t exp, bool make,
		    char out[MAC_HEX + 1])
{
	char msg[80];

	snprintf(msg, sizeof(msg), "%lld.%lld.%lld", (long long)tenant, (long long)inv, (long long)exp);
	return links_mac(db, tenant, msg, make, out);
}

struct link {
	int64_t tenant, invitation, expires; /* expires: seconds since the epoch */
};

/* Parses and checks a token; CXM_ENOTFOUND for anything not genuine or
 * (unless allow_expired) expired. */
static int link_check_x(struct cxm_store *db, const char *token, struct link *l, bool allow_expired)
{
	int64_t v[3];
	const char *p = token;
	char mac[MAC_HEX + 1];
	int ret;

	for (int i = 0; i < 3; i++) {
		const char *dot = strchr(p, '.');
		if (!dot || dot == p || dot - p > 19 || cxm_parse_i64(p, (size_t)(dot - p), &v[i]) || v[i] <= 0)
			return CXM_ENOTFOUND;
		p = dot + 1;
	}
	if (strlen(p) != MAC_HEX)
		return CXM_ENOTFOUND;
	l->tenant = v[0], l->invitation = v[1], l->expires = v[2];
	if ((ret = link_mac(db, l->tenant, l->invitation, l->expires, false, mac)))
		return ret;
	if (sodium_memcmp(mac, p, MAC_HEX) != 0 || (!allow_expired && l->expires * 1000000 <= cxm_now_us()))
		return CXM_ENOTFOUND;
	return 0;
}

static int link_check(struct cxm_store *db, const char *token, struct link *l)
{
	return link_check_x(db, token, l, false);
}

/* ---- making invitations --------------------------------------------------- */

struct invite {
	int64_t survey_id, customer_id, id, expires;
	const char *kind, *value, *channel;
	bool new_customer;
	char token[128];
	int refused; /* a message id when the survey takes no answers */
	const char *refused_field; /* the field to blame (NULL: "survey") */
	char refused_detail[300];  /* a reason with dates or values, instead of the message */
	int refused_status;        /* 422 unless set */
	bool email;  /* sent by e-mail: a message is queued with it */
};

static int live_cb(const struct cxm_survey *sv, void *ctx)
{
	struct invite *iv = ctx;
	iv->refused = strcmp(sv->status, "live") ? MSG_HTTP_SURVEY_NOT_LIVE : 0;
	if (anon_survey(sv->definition) && (iv->email || iv->customer_id || iv->kind)) {
		/* an anonymous survey knows nobody: it has its open link instead */
		iv->refused = iv->email ? MSG_AN_INVITE_EMAIL : MSG_AN_INVITE_CUSTOMER;
		iv->refused_field = iv->email ? "channel" : iv->kind ? iv->kind : "customer_id";
	}
	return 0;
}

/* Contact fatigue (surveys.h): one invitation per customer per N days on
 * any channel, and never to an excluded customer (cxm_contact_check, which
 * triggers check too). */
static int check_fatigue(struct req *r, struct cxm_store *db, struct invite *iv)
{
	struct cxm_contact c;
	char a[CXM_TIME_BUFSZ], b[CXM_TIME_BUFSZ];
	int ret = cxm_contact_check(db, r->who.tenant, iv->customer_id, cxm_now_us(), &c);

	if (ret || c.verdict == CXM_CONTACT_OK)
		return ret;
	iv->refused_field = "customer_id";
	iv->refused = c.verdict == CXM_CONTACT_EXCLUDED ? MSG_HTTP_EXCLUDED : MSG_HTTP_FATIGUE;
	if (c.verdict == CXM_CONTACT_EXCLUDED) {
		snprintf(iv->refused_detail, sizeof(iv->refused_detail), T(r, MSG_HTTP_EXCLUDED), c.which);
	} else {
		snprintf(iv->refused_detail, sizeof(iv->refused_detail), T(r, MSG_HTTP_FATIGUE),
			 cxm_time_format(c.last, a), cxm_time_format(c.next, b));
		iv->refused_status = 409;
	}
	return CXM_EINVAL;
}

static int invite_run(struct cxm_store *db, struct wjob *j)
{
	struct req *r = j->ctx;
	struct invite *iv = r->data;
	char mac[MAC_HEX + 1];
	int ret = cxm_store_survey_get(db, r->who.tenant, iv->survey_id, 0, live_cb, iv);

	if (ret || iv->refused)
		return ret ? ret : CXM_EINVAL;
	if (iv->kind)
		ret = cxm_store_customer_by_identity(db, r->who.tenant, iv->kind, iv->value, &iv->customer_id,
						     &iv->new_customer);
	else if (iv->customer_id)
		ret = cxm_store_customer_get(db, r->who.tenant, iv->customer_id, NULL, NULL);
	if (ret)
		return ret;
	if (iv->customer_id && !iv->new_customer && r->who.scoped) {
		/* managers and agents invite the customers they see, no others */
		bool visible = true;
		if ((ret = auth_sees_customer(r, db, iv->customer_id, &visible)))
			return ret;
		if (!visible)
			return CXM_ENOTFOUND;
	}
	if (iv->customer_id && !iv->new_customer && (ret = check_fatigue(r, db, iv)))
		return ret;
	struct cxm_invitation inv = { .id = cxm_id_next(), .survey_id = iv->survey_id, .customer_id = iv->customer_id,
				      .channel = iv->channel, .expires_at = iv->expires * 1000000 };
	if ((ret = cxm_store_invitation_add(db, r->who.tenant, &inv, &iv->id)))
		return ret;
	if ((ret = link_mac(db, r->who.tenant, iv->id, iv->expires, true, mac)))
		return ret;
	snprintf(iv->token, sizeof(iv->token), "%lld.%lld.%lld.%s", (long long)r->who.tenant, (long long)iv->id,
		 (long long)iv->expires, mac);
	if (iv->email)
		return email_queue(db, r->srv, r->who.tenant, iv->customer_id,
				   iv->kind && !strcmp(iv->kind, "email") ? iv->value : NULL, iv->id, iv->token,
				   &iv->refused, &iv->refused_field);
	return 0;
}

void link_json(struct req *r, cJSON *o, const char *token)
{
	const char *host = req_header(r, MHD_HTTP_HEADER_HOST);
	char path[160];

	snprintf(path, sizeof(path), "/s/%s", token);
	cJSON_AddStringToObject(o, "path", path);
	if (host) {
		char *url = xasprintf("http://%s%s", host, path);
		cJSON_AddStringToObject(o, "url", url);
		free(url);
	}
	cJSON_AddStringToObject(o, "token", token);
}

static int invite_finish(struct req *r)
{
	struct invite *iv = r->data;
	char t[CXM_TIME_BUFSZ];
	cJSON *o;

	if (iv->refused && !r->job.commit_rc) {
		const char *why = iv->refused_detail[0] ? iv->refused_detail : T(r, iv->refused);
		if (iv->refused_status == 409) {
			cJSON *p = problem_new(r, 409, "contacted-recently", MSG_HTTP_CONFLICT, why);
			problem_item(p, -1, iv->refused_field, why);
			reply_problem(r, p);
		} else {
			reply_invalid(r, iv->refused_field ? iv->refused_field : "survey", why);
		}
		return 0;
	}
	if (job_failed(r))
		return 0;
	if (iv->email) {
		sender_wake(r->srv->sender);
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", id_str(r, iv->id));
		cJSON_AddStringToObject(o, "status", "queued");
		cJSON_AddStringToObject(o, "customer_id", id_str(r, iv->customer_id));
		cJSON_AddStringToObject(o, "expires_at", cxm_time_format(iv->expires * 1000000, t));
		reply_json(r, 202, o);
		return 0;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", id_str(r, iv->id));
	link_json(r, o, iv->token);
	if (iv->customer_id)
		cJSON_AddStringToObject(o, "customer_id", id_str(r, iv->customer_id));
	cJSON_AddStringToObject(o, "expires_at", cxm_time_format(iv->expires * 1000000, t));
	reply_json(r, 201, o);
	return 0;
}

int api_invitation_create(struct req *r)
{
	static const char *const keys[] = { "customer_id", "external_id", "email", "phone", "channel", "expires_in_days",
					    NULL };
	struct invite *iv = cxm_arena_alloc(&r->arena, sizeof(*iv));
	cJSON *o, *p;
	char why[200];
	int named = 0;

	memset(iv, 0, sizeof(*iv));
	if (parse_id(req_param(r, 0), &iv->survey_id)) {
		reply_error(r, 404, "not-found", MSG_HTTP_NOT_FOUND, NULL);
		return H_DONE;
	}
	if (!(o = body_json(r)))
		return H_DONE;
	/* many at once: a batch, or an audience (api_bulk.c) */
	if (cJSON_IsArray(o) || (cJSON_IsObject(o) && cJSON_GetObjectItemCaseSensitive(o, "audience")))
		return api_invitation_bulk(r, iv->survey_id, o);
	p = problem_new(r, 422, "invalid", MSG_HTTP_INVALID, NULL);
	if (!cJSON_IsObject(o)) {
		problem_item(p, -1, NULL, T(r, MSG_HTTP_WANT_OBJECT));
	} else {
		check_keys(o, keys, p, -1);
		static const char *const by[] = { "customer_id", "external_id", "email", "phone" };
		for (size_t i = 0; i < ARRAY_SIZE(by); i++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, by[i]);
			if (!v)
				continue;
			named++;
			if (!cJSON_IsString(v)) {
				problem_item(p, -1, by[i], T(r, MSG_HTTP_WANT_STRING));
			} else if (i == 0) {
				if (parse_id(v->valuestring, &iv->customer_id))
					problem_item(p, -1, by[i], T(r, MSG_HTTP_WANT_ID));
			} else {
				iv->kind = by[i];
				iv->value = identity_value(r, by[i], v->valuestring, why, sizeof(why));
				if (!iv->value || cxm_text_check(v->valuestring, CXM_IDENTITY_MAX, why, sizeof(why)))
					problem_item(p, -1, by[i], why);
			}
		}
		if (named > 1)
			problem_item(p, -1, "customer_id", T(r, MSG_HTTP_ONE_CUSTOMER_KEY));
		const cJSON *ch = cJSON_GetObjectItemCaseSensitive(o, "channel");
		iv->channel = "link";
		if (ch && (!cJSON_IsString(ch) || cxm_event_type_check(ch->valuestring, why, sizeof(why))))
			problem_item(p, -1, "channel", cJSON_IsString(ch) ? why : T(r, MSG_HTTP_WANT_STRING));
		else if (ch)
			iv->channel = cxm_arena_strdup(&r->arena, ch->valuestring);
		const cJSON *days = cJSON_GetObjectItemCaseSensitive(o, "expires_in_days");
		double d = DEFAULT_DAYS;
		if (days && (!cJSON_IsNumber(days) || days->valuedouble < 1 || days->valuedouble > 365)) {
			char msg[96];
			snprintf(msg, sizeof(msg), T(r, MSG_HTTP_BAD_LIMIT), 365);
			problem_item(p, -1, "expires_in_days", msg);
		} else if (days) {
			d = days->valuedouble;
		}
		iv->expires = cxm_now_us() / 1000000 + (int64_t)(d * 86400);
		iv->email = !strcmp(iv->channel, "email");
		if (iv->email && !named)
			problem_item(p, -1, "customer_id", T(r, MSG_HTTP_EMAIL_WHO));
	}
	if (iv->email && !r->srv->sender) {
		cJSON_Delete(p);
		reply_error(r, 422, "email-off", MSG_HTTP_EMAIL_OFF, T(r, MSG_HTTP_EMAIL_OFF));
		return H_DONE;
	}
	if (cJSON_GetObjectItemCaseSensitive(p, "errors")) {
		reply_problem(r, p);
		return H_DONE;
	}
	cJSON_Delete(p);
	r->data = iv;
	return req_write(r, invite_run, invite_finish);
}

/* ---- the public page -------------------------------------------------------- */

/* Everything the page needs, read on the worker thread. */
struct page {
	struct link link;
	struct cxm_invitation inv;
	char inv_status[16], channel[32];
	char survey_status[16];
	int version;
	char *definition;
	char first_name[208];
	char lang[16];
	char tenant_lang[16];
	/* the answers given so far (a partial response), or NULL */
	cJSON *answers;
	bool complete;
	const char *error;
	cJSON *posted; /* answers from the form */
	char error_field[96], error_why[300];
	bool refused;
	/* an anonymous survey's open link (api_anon.c): no invitation, and a
	 * one-time form nonce whose seed names the response and its receipt */
	bool open;
	char nonce[ANON_NONCE_MAX];
	unsigned char seed[16];
	char source[48];
};

static int inv_cb(const struct cxm_invitation *inv, void *ctx)
{
	struct page *pg = ctx;

	pg->inv = *inv;
	cxm_strlcpy(pg->inv_status, inv->status, sizeof(pg->inv_status));
	cxm_strlcpy(pg->channel, inv->channel, sizeof(pg->channel));
	return 0;
}

static int page_survey_cb(const struct cxm_survey *sv, void *ctx)
{
	struct page *pg = ctx;

	cxm_strlcpy(pg->survey_status, sv->status, sizeof(pg->survey_status));
	pg->version = sv->def_version;
	pg->definition = xstrdup(sv->definition);
	return 0;
}

static int page_customer_cb(const struct cxm_customer *c, void *ctx)
{
	struct page *pg = ctx;

	cxm_strlcpy(pg->first_name, c->first_name ? c->first_name : "", sizeof(pg->first_name));
	cxm_strlcpy(pg->lang, c->language ? c->language : "", sizeof(pg->lang));
	return 0;
}

static int page_tenant_cb(const struct cxm_tenant *t, void *ctx)
{
	struct page *pg = ctx;
	cxm_strlcpy(pg->tenant_lang, t->language ? t->language : "", sizeof(pg->tenant_lang));
	return 0;
}

static int page_response_cb(const struct cxm_response *x, void *ctx)
{
	struct page *pg = ctx;
	char err[64];

	pg->answers = cxm_json_parse(x->answers, strlen(x->answers), err, sizeof(err));
	pg->complete = x->complete;
	pg->version = x->version;
	return 0;
}

static void page_release(struct page *pg)
{
	free(pg->definition);
	cJSON_Delete(pg->answers);
	cJSON_Delete(pg->posted);
}

static void source_of(const struct page *pg, char *out, size_t outlen)
{
	if (pg->open)
		cxm_strlcpy(out, pg->source, outlen);
	else
		snprintf(out, outlen, "inv:%lld", (long long)pg->link.invitation);
}

/* page_load for an open link: the survey must still be anonymous; a page
 * to show gets a new nonce, a form sent back names its response by its own. */
static int page_load_open(struct cxm_store *db, struct page *pg)
{
	int ret;

	pg->open = true;
	cxm_strlcpy(pg->channel, "web", sizeof(pg->channel));
	if (cxm_store_survey_get(db, pg->link.tenant, pg->inv.survey_id, 0, page_survey_cb, pg) ||
	    !anon_survey(pg->definition))
		return MSG_SP_EXPIRED;
	cxm_store_tenant_get(db, pg->link.tenant, page_tenant_cb, pg);
	if (!pg->nonce[0]) {
		if (anon_nonce_new(db, pg->link.tenant, pg->inv.survey_id, pg->nonce))
			return MSG_SP_EXPIRED;
	} else {
		if (anon_nonce_check(db, pg->link.tenant, pg->inv.survey_id, pg->nonce, pg->seed))
			return MSG_SP_EXPIRED;
		anon_source_id(pg->seed, pg->source);
		ret = cxm_store_response_by_source(db, pg->link.tenant, pg->source, page_response_cb, pg);
		if (!ret && pg->version) {
			free(pg->definition);
			pg->definition = NULL;
			cxm_store_survey_get(db, pg->link.tenant, pg->inv.survey_id, pg->version, page_survey_cb, pg);
		}
		if (pg->complete)
			return MSG_SP_ALREADY;
	}
	return strcmp(pg->survey_status, "live") ? MSG_SP_CLOSED : 0;
}

/* Loads the invitation, survey, customer and earlier answers; 0, or a
 * message id saying why the page cannot be shown. */
static int page_load(struct cxm_store *db, const char *token, struct page *pg)
{
	char source[48];
	int ret;

	if (!anon_open_check(db, token, &pg->link.tenant, &pg->inv.survey_id))
		return page_load_open(db, pg);
	if (link_check(db, token, &pg->link))
		return MSG_SP_EXPIRED;
	ret = cxm_store_invitation_get(db, pg->link.tenant, pg->link.invitation, inv_cb, pg);
	if (!ret)
		ret = cxm_store_survey_get(db, pg->link.tenant, pg->inv.survey_id, 0, page_survey_cb, pg);
	if (ret)
		return MSG_SP_EXPIRED;
	cxm_store_tenant_get(db, pg->link.tenant, page_tenant_cb, pg);
	if (pg->inv.customer_id)
		cxm_store_customer_get(db, pg->link.tenant, pg->inv.customer_id, page_customer_cb, pg);
	source_of(pg, source, sizeof(source));
	ret = cxm_store_response_by_source(db, pg->link.tenant, source, page_response_cb, pg);
	if (!ret && pg->version) {
		/* show the version the response started with */
		free(pg->definition);
		pg->definition = NULL;
		cxm_store_survey_get(db, pg->link.tenant, pg->inv.survey_id, pg->version, page_survey_cb, pg);
	}
	if (pg->complete)
		return MSG_SP_ALREADY;
	if (strcmp(pg->survey_status, "live"))
		return MSG_SP_CLOSED;
	return 0;
}

/* The page's language: ?lang=, the customer's, the tenant's, else the survey's first. */
static const char *page_lang(struct req *r, struct page *pg, const struct cxm_survey_def *d)
{
	const char *want[] = { req_query(r, "lang"), pg->lang, pg->tenant_lang };

	for (size_t w = 0; w < ARRAY_SIZE(want); w++) {
		if (!want[w] || !*want[w])
			continue;
		for (size_t i = 0; i < d->nlanguages; i++)
			if (!strncmp(d->languages[i], want[w], 2))
				return d->languages[i];
	}
	return d->languages[0];
}

static const char *text_in(const cJSON *t, const char *lang)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(t, lang);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static void scale(struct cxm_buf *b, const struct cxm_question *q, const cJSON *qj, const char *lang, int chosen,
		  enum cxm_lang ui)
{
	const cJSON *labels = cJSON_GetObjectItemCaseSensitive(qj, "labels");
	const char *low = labels ? text_in(cJSON_GetObjectItemCaseSensitive(labels, "low"), lang) : "";
	const char *high = labels ? text_in(cJSON_GetObjectItemCaseSensitive(labels, "high"), lang) : "";

	if (!*low && q->type == CXM_Q_CSAT)
		low = cxm_msg_in(MSG_SP_CSAT_LOW, ui), high = cxm_msg_in(MSG_SP_CSAT_HIGH, ui);
	if (!*low && q->type == CXM_Q_CES)
		low = cxm_msg_in(MSG_SP_CES_LOW, ui), high = cxm_msg_in(MSG_SP_CES_HIGH, ui);
	cxm_buf_addstr(b, "<div class=\"scale\">");
	for (int v = q->min; v <= q->max; v++) {
		const char *cls = "plain";
		if (q->type == CXM_Q_NPS)
			cls = v <= 6 ? "red" : v <= 8 ? "amber" : "green";
		cxm_buf_addf(b, "<label class=\"%s\"><input type=\"radio\" name=\"q.%s\" value=\"%d\"%s%s><span>%d</span></label>",
			     cls, q->id, v, v == chosen ? " checked" : "", q->required ? " required" : "", v);
	}
	cxm_buf_addstr(b, "</div>");
	if (*low || *high) {
		cxm_buf_addstr(b, "<div class=\"ends\"><span>");
		html_escape(b, low);
		cxm_buf_addstr(b, "</span><span>");
		html_escape(b, high);
		cxm_buf_addstr(b, "</span></div>");
	}
}

/* Renders the questions still to answer: those without show_if first;
 * follow-ups once their score is known. */
static void render_form(struct req *r, struct page *pg, const cJSON *def, const struct cxm_survey_def *d,
			const char *lang, struct cxm_buf *b)
{
	enum cxm_lang ui = !strncmp(lang, "es", 2) ? CXM_LANG_ES : CXM_LANG_EN;
	const char *token = req_param(r, 0);
	const char *score_q = req_query(r, "score");
	int preset = -1;
	size_t shown = 0;

	if (score_q) {
		int64_t v;
		if (!cxm_parse_i64(score_q, strlen(score_q), &v) && v >= 0 && v <= 10)
			preset = (int)v;
	}
	if (pg->error_why[0]) {
		char msg[400];
		snprintf(msg, sizeof(msg), cxm_msg_in(MSG_SP_FIX, ui), pg->error_why);
		cxm_buf_addstr(b, "<p class=\"error\" role=\"alert\">");
		html_escape(b, msg);
		cxm_buf_addstr(b, "</p>");
	}
	cxm_buf_addstr(b, "<form method=\"post\" action=\"/s/");
	html_escape(b, token);
	cxm_buf_addstr(b, "\">");
	const cJSON *qj = cJSON_GetObjectItemCaseSensitive(def, "questions")->child;
	for (size_t i = 0; i < d->nquestions; i++, qj = qj->next) {
		const struct cxm_question *q = &d->questions[i];
		const cJSON *have = pg->answers ? cJSON_GetObjectItemCaseSensitive(pg->answers, q->id) : NULL;
		if (have)
			continue; /* answered on an earlier page */
		if (q->show_if_question) {
			const cJSON *s = pg->answers ? cJSON_GetObjectItemCaseSensitive(pg->answers, q->show_if_question) : NULL;
			if (!cJSON_IsNumber(s) || cxm_nps_category((int)s->valuedouble) != q->show_if_category)
				continue;
		}
		shown++;
		cxm_buf_addstr(b, "<fieldset class=\"question\"><legend>");
		html_escape(b, text_in(cJSON_GetObjectItemCaseSensitive(qj, "text"), lang));
		if (!q->required) {
			cxm_buf_addstr(b, " <span class=\"note\">");
			html_escape(b, cxm_msg_in(MSG_SP_OPTIONAL, ui));
			cxm_buf_addstr(b, "</span>");
		}
		cxm_buf_addstr(b, "</legend>");
		switch (q->type) {
		case CXM_Q_NPS:
		case CXM_Q_CSAT:
		case CXM_Q_CES:
		case CXM_Q_RATING:
			scale(b, q, qj, lang, q->type == CXM_Q_NPS ? preset : -1, ui);
			break;
		case CXM_Q_SINGLE:
		case CXM_Q_MULTIPLE:
			cxm_buf_addstr(b, "<div class=\"choice\">");
			for (const cJSON *o = q->options->child; o; o = o->next) {
				cxm_buf_addf(b, "<label><input type=\"%s\" name=\"q.%s\" value=\"",
					     q->type == CXM_Q_SINGLE ? "radio" : "checkbox", q->id);
				html_escape(b, cJSON_GetObjectItemCaseSensitive(o, "id")->valuestring);
				cxm_buf_addstr(b, "\"> ");
				html_escape(b, text_in(cJSON_GetObjectItemCaseSensitive(o, "text"), lang));
				cxm_buf_addstr(b, "</label>");
			}
			cxm_buf_addstr(b, "</div>");
			break;
		case CXM_Q_TEXT:
			cxm_buf_addf(b, "<textarea name=\"q.%s\" maxlength=\"%d\"></textarea>", q->id, q->max_length);
			break;
		}
		cxm_buf_addstr(b, "</fieldset>");
	}
	cxm_buf_addf(b, "<input type=\"hidden\" name=\"lang\" value=\"%s\">", lang);
	if (pg->open) {
		cxm_buf_addstr(b, "<input type=\"hidden\" name=\"n\" value=\"");
		html_escape(b, pg->nonce);
		cxm_buf_addstr(b, "\">");
	}
	cxm_buf_addstr(b, "<button type=\"submit\">");
	html_escape(b, cxm_msg_in(MSG_SP_SEND, ui));
	cxm_buf_addstr(b, "</button></form>");
	(void)shown;
}

void html_page(struct req *r, int status, const char *lang, const char *title, struct cxm_buf *body)
{
	struct cxm_buf b = CXM_BUF_INIT;

	cxm_buf_addf(&b, "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\">"
			 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
			 "<meta name=\"robots\" content=\"noindex\"><title>",
		     lang);
	html_escape(&b, title);
	cxm_buf_addstr(&b, "</title><link rel=\"stylesheet\" href=\"/survey/page.css\"></head><body><main>");
	cxm_buf_add(&b, cxm_buf_str(body), body->len);
	cxm_buf_addstr(&b, "</main></body></html>");
	reply_text(r, status, "text/html; charset=utf-8", cxm_buf_str(&b), b.len);
	req_add_header(r, "Content-Security-Policy",
		       "default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
	req_add_header(r, "Referrer-Policy", "no-referrer");
	cxm_buf_release(&b);
}

static void notice(struct req *r, int status, const char *lang, enum cxm_msg msg)
{
	enum cxm_lang ui = lang && !strncmp(lang, "es", 2) ? CXM_LANG_ES : CXM_LANG_EN;
	struct cxm_buf body = CXM_BUF_INIT;

	cxm_buf_addstr(&body, "<div class=\"done\"><p>");
	html_escape(&body, cxm_msg_in(msg, ui));
	cxm_buf_addstr(&body, "</p></div>");
	html_page(r, status, ui == CXM_LANG_ES ? "es" : "en", cxm_msg_in(MSG_SP_TITLE, ui), &body);
	cxm_buf_release(&body);
}

static void show(struct req *r, struct page *pg)
{
	struct cxm_survey_def d;
	char field[96], why[300];
	cJSON *def = cJSON_Parse(pg->definition);
	struct cxm_buf body = CXM_BUF_INIT;
	const char *lang;
	enum cxm_lang ui;

	if (!def || cxm_survey_check(def, &d, field, sizeof(field), why, sizeof(why)))
		BUG("a stored survey definition does not check");
	lang = page_lang(r, pg, &d);
	ui = !strncmp(lang, "es", 2) ? CXM_LANG_ES : CXM_LANG_EN;
	cxm_buf_addstr(&body, "<h1>");
	if (pg->answers && cJSON_GetArraySize(pg->answers)) {
		html_escape(&body, cxm_msg_in(MSG_SP_ONE_MORE, ui));
	} else if (pg->first_name[0]) {
		char hello[300];
		snprintf(hello, sizeof(hello), cxm_msg_in(MSG_SP_HELLO, ui), pg->first_name);
		html_escape(&body, hello);
	} else {
		html_escape(&body, cxm_msg_in(MSG_SP_HELLO_ANON, ui));
	}
	cxm_buf_addstr(&body, "</h1>");
	render_form(r, pg, def, &d, lang, &body);
	html_page(r, pg->error_why[0] ? 422 : 200, lang, d.name, &body);
	cxm_buf_release(&body);
	cJSON_Delete(def);
}

static int opened_run(struct cxm_store *db, struct wjob *j)
{
	struct page *pg = j->ctx;
	return cxm_store_invitation_opened(db, pg->link.tenant, pg->link.invitation, cxm_now_us());
}

/* An open link's visitor is known by nothing but their browser's language. */
static void open_lang(struct req *r, struct page *pg)
{
	const char *al = anon_accept_lang(r);

	if (pg->open && !pg->lang[0] && al)
		cxm_strlcpy(pg->lang, al, sizeof(pg->lang));
}

int api_survey_page(struct req *r)
{
	struct cxm_store *db = req_db(r);
	struct page pg;
	int why;

	if (!db)
		return H_DONE;
	memset(&pg, 0, sizeof(pg));
	why = page_load(db, req_param(r, 0), &pg);
	open_lang(r, &pg);
	if (why) {
		notice(r, why == MSG_SP_EXPIRED ? 404 : 200, pg.lang[0] ? pg.lang : pg.tenant_lang, (enum cxm_msg)why);
	} else {
		if (!pg.open && !pg.inv.opened_at) {
			struct wjob job = { .run = opened_run, .ctx = &pg, .lang = r->lang };
			writer_run(r->srv->writer, &job); /* the first open only; not worth failing the page over */
		}
		show(r, &pg);
	}
	page_release(&pg);
	return H_DONE;
}

/* ---- answering -------------------------------------------------------------- */

struct submit {
	struct page pg;
	struct cxm_response_in in;
	struct cxm_response_out out;
	char source[48];
	bool complete;
};

static int submit_run(struct cxm_store *db, struct wjob *j)
{
	struct req *r = j->ctx;
	struct submit *sb = r->data;
	int ret = cxm_response_submit(db, sb->pg.link.tenant, &sb->in, &sb->out, sb->pg.error_field,
				      sizeof(sb->pg.error_field), sb->pg.error_why, sizeof(sb->pg.error_why));

	if (!ret && sb->pg.open && sb->out.result == CXM_PUT_INSERTED) {
		/* the receipt: only the hash of the code the thank-you page shows */
		char code[CXM_RECEIPT_BUFSZ], hash[CXM_RECEIPT_HASH_HEX];
		cxm_receipt_code(sb->pg.seed, code);
		if (cxm_receipt_hash(sb->pg.link.tenant, code, hash))
			BUG("a receipt code does not read back");
		ret = cxm_store_receipt_add(db, sb->pg.link.tenant, hash, sb->pg.inv.survey_id, sb->out.response_id);
		sodium_memzero(code, sizeof(code));
	} else if (!ret && !sb->pg.open && sb->out.complete) {
		ret = cxm_store_invitation_answered(db, sb->pg.link.tenant, sb->pg.link.invitation, sb->out.response_id,
						   cxm_now_us());
	}
	return ret;
}

/* The page again after a submission: what is left to answer, or what to fix. */
static void show_again(struct req *r, struct submit *sb)
{
	struct cxm_store *db = req_db(r);
	struct page again;

	memset(&again, 0, sizeof(again));
	memcpy(again.nonce, sb->pg.nonce, sizeof(again.nonce));
	memcpy(again.error_why, sb->pg.error_why, sizeof(again.error_why));
	if (db && !page_load(db, req_param(r, 0), &again)) {
		open_lang(r, &again);
		show(r, &again);
	} else if (db) {
		notice(r, 200, sb->in.language, MSG_SP_CLOSED);
	}
	page_release(&again);
}

static int submit_finish(struct req *r)
{
	struct submit *sb = r->data;
	const char *lang = sb->in.language ? sb->in.language : sb->pg.lang[0] ? sb->pg.lang : sb->pg.tenant_lang;

	if (r->job.rc == CXM_EINVAL && sb->pg.error_why[0] && !r->job.commit_rc) {
		/* show the page again, saying what to fix */
		show_again(r, sb);
	} else if (job_failed(r)) {
		/* answered */
	} else if (sb->out.complete && sb->pg.open) {
		anon_thanks(r, lang, req_param(r, 0), sb->pg.seed);
	} else if (sb->out.complete) {
		notice(r, 200, lang, MSG_SP_THANKS);
	} else if (sb->pg.open) {
		/* follow-ups: an open link has only its form's nonce to go on, so
		 * the page that asks them comes back at once */
		sb->pg.error_why[0] = '\0';
		show_again(r, sb);
	} else {
		/* follow-ups: the same page again shows what is left */
		char *loc = xasprintf("/s/%s", req_param(r, 0));
		reply_empty(r, 303);
		req_add_header(r, MHD_HTTP_HEADER_LOCATION, loc);
		free(loc);
	}
	page_release(&sb->pg);
	return 0;
}

static int nonce_cb(const char *key, const char *value, void *ctx)
{
	struct page *pg = ctx;

	if (!strcmp(key, "n") && strlen(value) < sizeof(pg->nonce))
		cxm_strlcpy(pg->nonce, value, sizeof(pg->nonce));
	return 0;
}

int api_survey_answer(struct req *r)
{
	struct cxm_store *db = req_db(r);
	struct submit *sb;
	struct cxm_survey_def d;
	struct cxm_form form;
	char field[96], why[300];
	cJSON *def;
	int refused;

	if (!db)
		return H_DONE;
	sb = cxm_arena_alloc(&r->arena, sizeof(*sb));
	memset(sb, 0, sizeof(*sb));
	/* an open link's form names its response by its nonce */
	cxm_form_parse(r->body.p ? r->body.p : "", r->body.len, nonce_cb, &sb->pg);
	bool had_nonce = sb->pg.nonce[0] != '\0';
	refused = page_load(db, req_param(r, 0), &sb->pg);
	open_lang(r, &sb->pg);
	if (!refused && sb->pg.open && !had_nonce)
		refused = MSG_SP_EXPIRED; /* an open link's answers come with their form's nonce */
	if (refused == MSG_SP_ALREADY && sb->pg.open) {
		/* the same form again (a double click, a reload): the same receipt */
		anon_thanks(r, sb->pg.lang[0] ? sb->pg.lang : sb->pg.tenant_lang, req_param(r, 0), sb->pg.seed);
		page_release(&sb->pg);
		return H_DONE;
	}
	if (refused) {
		notice(r, refused == MSG_SP_EXPIRED ? 404 : 200, sb->pg.lang, (enum cxm_msg)refused);
		page_release(&sb->pg);
		return H_DONE;
	}
	def = cJSON_Parse(sb->pg.definition);
	if (!def || cxm_survey_check(def, &d, field, sizeof(field), why, sizeof(why)))
		BUG("a stored survey definition does not check");
	/* q.<id>=value pairs; choices may repeat; numbers for scales */
	cxm_form_answers(&d, sb->pg.answers, r->body.p, r->body.len, &form);
	sb->pg.posted = form.answers;
	sb->in.hold_open = form.hold_open;
	if (form.lang[0])
		sb->in.language = cxm_arena_strdup(&r->arena, form.lang);
	cJSON_Delete(def);
	source_of(&sb->pg, sb->source, sizeof(sb->source));
	sb->in.source_id = sb->source;
	sb->in.survey_id = sb->pg.inv.survey_id;
	sb->in.customer_id = sb->pg.inv.customer_id;
	sb->in.channel = cxm_arena_strdup(&r->arena, !strcmp(sb->pg.channel, "link") ? "web" : sb->pg.channel);
	sb->in.touchpoint = sb->pg.open ? "open_link" : "survey_link";
	sb->in.ts = cxm_now_us();
	sb->in.answers = sb->pg.posted;
	if (sb->in.language) {
		char norm[16], lwhy[100];
		sb->in.language = cxm_language_normalize(sb->in.language, norm, sizeof(norm), lwhy, sizeof(lwhy))
					  ? NULL
					  : cxm_arena_strdup(&r->arena, norm);
	}
	r->data = sb;
	return req_write(r, submit_run, submit_finish);
}

/* ---- unsubscribing ----------------------------------------------------------
 *
 * Every email carries /u/TOKEN (the invitation's token): a page that asks,
 * and a form that records email consent as denied. It keeps working after
 * the survey link expires. The e-mail's List-Unsubscribe-Post header
 * (RFC 8058) lets a mail reader POST "List-Unsubscribe=One-Click" to the
 * same URL: that unsubscribes too and answers 204, no page.
 */

struct unsub {
	struct link link;
	struct cxm_invitation inv;
	char first_name[208], lang[16], tenant_lang[16], tenant_name[72];
	bool one_click;
};

static int unsub_inv_cb(const struct cxm_invitation *inv, void *ctx)
{
	((struct unsub *)ctx)->inv = *inv;
	return 0;
}

static int unsub_customer_cb(const struct cxm_customer *c, void *ctx)
{
	struct unsub *u = ctx;
	cxm_strlcpy(u->lang, c->language ? c->language : "", sizeof(u->lang));
	return 0;
}

static int unsub_tenant_cb(const struct cxm_tenant *t, void *ctx)
{
	struct unsub *u = ctx;
	cxm_strlcpy(u->tenant_lang, t->language ? t->language : "", sizeof(u->tenant_lang));
	cxm_strlcpy(u->tenant_name, t->name, sizeof(u->tenant_name));
	return 0;
}

static int unsub_load(struct cxm_store *db, const char *token, struct unsub *u)
{
	if (link_check_x(db, token, &u->link, true) ||
	    cxm_store_invitation_get(db, u->link.tenant, u->link.invitation, unsub_inv_cb, u) || !u->inv.customer_id)
		return CXM_ENOTFOUND;
	cxm_store_customer_get(db, u->link.tenant, u->inv.customer_id, unsub_customer_cb, u);
	cxm_store_tenant_get(db, u->link.tenant, unsub_tenant_cb, u);
	return 0;
}

static enum cxm_lang unsub_lang(const struct unsub *u)
{
	const char *l = u->lang[0] ? u->lang : u->tenant_lang;
	return !strncmp(l, "es", 2) ? CXM_LANG_ES : CXM_LANG_EN;
}

int api_unsubscribe_page(struct req *r)
{
	struct cxm_store *db = req_db(r);
	struct unsub u;
	struct cxm_buf body = CXM_BUF_INIT;
	char q[300];
	enum cxm_lang ui;

	if (!db)
		return H_DONE;
	memset(&u, 0, sizeof(u));
	if (unsub_load(db, req_param(r, 0), &u)) {
		notice(r, 404, NULL, MSG_SP_EXPIRED);
		return H_DONE;
	}
	ui = unsub_lang(&u);
	snprintf(q, sizeof(q), cxm_msg_in(MSG_UN_QUESTION, ui), u.tenant_name);
	cxm_buf_addstr(&body, "<div class=\"done\"><p>");
	html_escape(&body, q);
	cxm_buf_addstr(&body, "</p><form method=\"post\" action=\"/u/");
	html_escape(&body, req_param(r, 0));
	cxm_buf_addstr(&body, "\"><button type=\"submit\">");
	html_escape(&body, cxm_msg_in(MSG_UN_BUTTON, ui));
	cxm_buf_addstr(&body, "</button></form></div>");
	html_page(r, 200, ui == CXM_LANG_ES ? "es" : "en", cxm_msg_in(MSG_UN_BUTTON, ui), &body);
	cxm_buf_release(&body);
	return H_DONE;
}

static int unsub_run(struct cxm_store *db, struct wjob *j)
{
	struct req *r = j->ctx;
	struct unsub *u = r->data;

	return cxm_store_customer_set_consent(db, u->link.tenant, u->inv.customer_id, CXM_CONSENT_EMAIL,
					      CXM_CONSENT_DENIED);
}

static int unsub_finish(struct req *r)
{
	struct unsub *u = r->data;
	struct cxm_buf body = CXM_BUF_INIT;
	char done[300];
	enum cxm_lang ui = unsub_lang(u);

	if (job_failed(r))
		return 0;
	if (u->one_click) {
		reply_empty(r, 204);
		return 0;
	}
	snprintf(done, sizeof(done), cxm_msg_in(MSG_UN_DONE, ui), u->tenant_name);
	cxm_buf_addstr(&body, "<div class=\"done\"><p>");
	html_escape(&body, done);
	cxm_buf_addstr(&body, "</p></div>");
	html_page(r, 200, ui == CXM_LANG_ES ? "es" : "en", cxm_msg_in(MSG_UN_BUTTON, ui), &body);
	cxm_buf_release(&body);
	return 0;
}

int api_unsubscribe(struct req *r)
{
	struct cxm_store *db = req_db(r);
	struct unsub *u;

	if (!db)
		return H_DONE;
	u = cxm_arena_alloc(&r->arena, sizeof(*u));
	memset(u, 0, sizeof(*u));
	if (unsub_load(db, req_param(r, 0), u)) {
		notice(r, 404, NULL, MSG_SP_EXPIRED);
		return H_DONE;
	}
	u->one_click = r->body.len == 26 && !memcmp(r->body.p, "List-Unsubscribe=One-Click", 26);
	r->data = u;
	return req_write(r, unsub_run, unsub_finish);
}

/* ---- tokens for other channels (the web widget) ------------------------------ */

int link_token_check(struct cxm_store *db, const char *token, int64_t *tenant, int64_t *invitation)
{
	struct link l;
	int ret = link_check(db, token, &l);

	if (!ret)
		*tenant = l.tenant, *invitation = l.invitation;
	return ret;
}

int link_token_make(struct cxm_store *db, int64_t tenant, int64_t invitation, int64_t expires_us, char *out,
		    size_t outlen)
{
	char mac[MAC_HEX + 1];
	int64_t exp = expires_us / 1000000;
	int ret = link_mac(db, tenant, invitation, exp, true, mac);

	if (!ret)
		snprintf(out, outlen, "%lld.%lld.%lld.%s", (long long)tenant, (long long)invitation, (long long)exp, mac);
	return ret;
}

void link_token_sign(const unsigned char key[LINKS_KEY_BYTES], int64_t tenant, int64_t invitation, int64_t expires_us,
		     char out[LINK_TOKEN_MAX])
{
	char msg[80], mac[MAC_HEX + 1];
	int64_t exp = expires_us / 1000000;

	snprintf(msg, sizeof(msg), "%lld.%lld.%lld", (long long)tenant, (long long)invitation, (long long)exp);
	mac_with(key, msg, mac);
	snprintf(out, LINK_TOKEN_MAX, "%s.%s", msg, mac);
}
