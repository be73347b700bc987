/*
 * api_email.c - e-mail invitations: the message of an invitation sent by
 * e-mail, built from per-language templates (texts from the catalogue, the
 * customer greeted by name, the eleven NPS scores as traffic-light buttons
 * linking to the survey page with the score chosen, a text/plain twin),
 * queued in the outbox in the same writer job that creates the invitation.
 * The outbox row keeps the address and the link token only: the message is
 * composed when the sender claims it (email_compose), so a bulk send of
 * 100,000 invitations stores small rows, and a customer who unsubscribed
 * in the meantime gets nothing. sender.c delivers it.
 */
#include "http-internal.h"
#include "cxm/time.h"

struct recipient {
	char first_name[208];
	char email[256];
	char lang[16];
	int consent;
	char tenant_name[72];
	char tenant_lang[16];
};

static int customer_cb(const struct cxm_customer *c, void *ctx)
{
	struct recipient *rc = ctx;

	cxm_strlcpy(rc->first_name, c->first_name ? c->first_name : "", sizeof(rc->first_name));
	cxm_strlcpy(rc->email, c->email ? c->email : "", sizeof(rc->email));
	cxm_strlcpy(rc->lang, c->language ? c->language : "", sizeof(rc->lang));
	rc->consent = c->consent[CXM_CONSENT_EMAIL];
	return 0;
}

static int tenant_cb(const struct cxm_tenant *t, void *ctx)
{
	struct recipient *rc = ctx;

	cxm_strlcpy(rc->tenant_name, t->name ? t->name : "", sizeof(rc->tenant_name));
	cxm_strlcpy(rc->tenant_lang, t->language ? t->language : "", sizeof(rc->tenant_lang));
	return 0;
}

static const char *score_colour(int v)
{
	return v <= 6 ? "#c62828" : v <= 8 ? "#f59e0b" : "#2e7d32";
}

/* What the e-mail asks: the survey's own NPS question and end labels in
 * the e-mail's language, or the catalogue's when it has none. */
struct asking {
	char question[600], ends[400];
};

/* The two bodies; every text from the catalogue in `ui` (the question from
 * the survey when it has one), the name escaped. */
static void compose(const struct recipient *rc, enum cxm_lang ui, const struct asking *ask, const char *link,
		    const char *unsub, const char *pixel, struct cxm_buf *text, struct cxm_buf *html)
{
	char hello[300], open[700], why[300], stop[700];

	if (rc->first_name[0])
		snprintf(hello, sizeof(hello), cxm_msg_in(MSG_SP_HELLO, ui), rc->first_name);
	else
		cxm_strlcpy(hello, cxm_msg_in(MSG_SP_HELLO_ANON, ui), sizeof(hello));
	snprintf(open, sizeof(open), cxm_msg_in(MSG_EM_OPEN, ui), link);
	snprintf(why, sizeof(why), cxm_msg_in(MSG_EM_WHY, ui), rc->tenant_name);
	snprintf(stop, sizeof(stop), cxm_msg_in(MSG_EM_UNSUBSCRIBE, ui), unsub);

	/* text/plain */
	cxm_buf_addf(text, "%s\n\n%s\n%s\n\n%s\n", hello, ask->question, ask->ends, cxm_msg_in(MSG_EM_SCORE_LINKS, ui));
	for (int v = 0; v <= 10; v++)
		cxm_buf_addf(text, "%2d: %s?score=%d\n", v, link, v);
	cxm_buf_addf(text, "\n%s\n\n-- \n%s\n%s\n", open, why, stop);

	/* text/html: tables and inline styles, which is what mail readers keep */
	cxm_buf_addf(html, "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\">"
			   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>",
		     ui == CXM_LANG_ES ? "es" : "en");
	html_escape(html, cxm_msg_in(MSG_EM_SUBJECT, ui));
	cxm_buf_addstr(html, "</title></head><body style=\"margin:0;padding:0;background:#f3f4f6;"
			     "font-family:Arial,Helvetica,sans-serif;color:#1f2937\">"
			     "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\"><tr>"
			     "<td align=\"center\" style=\"padding:24px 8px\">"
			     "<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" style=\"max-width:600px;"
			     "background:#ffffff;border-radius:8px\"><tr><td style=\"padding:24px\">"
			     "<h1 style=\"font-size:20px;margin:0 0 12px\">");
	html_escape(html, hello);
	cxm_buf_addstr(html, "</h1><p style=\"font-size:16px;line-height:1.4;margin:0 0 16px\">");
	html_escape(html, ask->question);
	cxm_buf_addstr(html, "</p><table role=\"presentation\" cellpadding=\"0\" cellspacing=\"3\"><tr>");
	for (int v = 0; v <= 10; v++) {
		cxm_buf_addstr(html, "<td><a href=\"");
		html_escape(html, link);
		cxm_buf_addf(html, "?score=%d\" style=\"display:inline-block;min-width:28px;padding:8px 0;"
				   "text-align:center;background:%s;color:#ffffff;font-weight:bold;"
				   "text-decoration:none;border-radius:4px\">%d</a></td>",
			     v, score_colour(v), v);
	}
	cxm_buf_addstr(html, "</tr></table><p style=\"font-size:13px;color:#6b7280;margin:8px 0 16px\">");
	html_escape(html, ask->ends);
	cxm_buf_addstr(html, "</p><p style=\"font-size:14px;margin:0 0 16px\"><a href=\"");
	html_escape(html, link);
	cxm_buf_addstr(html, "\">");
	html_escape(html, open);
	cxm_buf_addstr(html, "</a></p><p style=\"font-size:12px;color:#6b7280;margin:0\">");
	html_escape(html, why);
	cxm_buf_addstr(html, "<br><a style=\"color:#6b7280\" href=\"");
	html_escape(html, unsub);
	cxm_buf_addstr(html, "\">");
	html_escape(html, cxm_msg_in(MSG_UN_BUTTON, ui));
	/* opened: mail readers that show images fetch this once */
	cxm_buf_addstr(html, "</a></p><img src=\"");
	html_escape(html, pixel);
	cxm_buf_addstr(html, "\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;border:0\">"
			     "</td></tr></table></td></tr></table></body></html>");
}

/* Whether a customer may be e-mailed: 0, or CXM_EINVAL with *refused and
 * *field set. */
static int may_email(const struct recipient *rc, int *refused, const char **field)
{
	*field = "customer_id";
	if (!rc->email[0] || strpbrk(rc->email, "\r\n<>,; ")) {
		*refused = MSG_HTTP_EMAIL_NONE;
		return CXM_EINVAL;
	}
	if (rc->consent == CXM_CONSENT_DENIED) {
		*field = "consent.email";
		*refused = MSG_HTTP_EMAIL_CONSENT;
		return CXM_EINVAL;
	}
	return 0;
}

int email_queue(struct cxm_store *db, struct server *srv, int64_t tenant, int64_t customer_id, const char *to,
		int64_t inv_id, const char *token, int *refused, const char **field)
{
	struct recipient rc;
	int ret;

	(void)srv;
	memset(&rc, 0, sizeof(rc));
	if ((ret = cxm_store_customer_get(db, tenant, customer_id, customer_cb, &rc)))
		return ret;
	if (!rc.email[0] && to)
		cxm_strlcpy(rc.email, to, sizeof(rc.email));
	if ((ret = may_email(&rc, refused, field)))
		return ret;
	struct cxm_outbox_msg m = { .invitation_id = inv_id, .to_address = rc.email, .subject = "", .body_text = "",
				    .body_html = "", .link_token = token };
	return cxm_store_outbox_add(db, tenant, &m, cxm_now_us(), NULL);
}

static int invitation_cb(const struct cxm_invitation *inv, void *ctx)
{
	int64_t *ids = ctx;

	ids[0] = inv->customer_id;
	ids[1] = inv->survey_id;
	return 0;
}

static int definition_cb(const struct cxm_survey *sv, void *ctx)
{
	char err[64];

	*(cJSON **)ctx = cxm_json_parse(sv->definition, strlen(sv->definition), err, sizeof(err));
	return 0;
}

static const char *in_lang(const cJSON *texts, const char *lang)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(texts, lang);
	return cJSON_IsString(t) && *t->valuestring ? t->valuestring : NULL;
}

/* The survey's first NPS question in `lang`, with its end labels; the
 * catalogue's words for what the survey does not say in that language. */
static int asking_of(struct cxm_store *db, int64_t tenant, int64_t survey_id, enum cxm_lang ui, struct asking *a)
{
	const char *lang = ui == CXM_LANG_ES ? "es" : "en", *q = NULL, *low = NULL, *high = NULL;
	cJSON *def = NULL;
	int ret = cxm_store_survey_get(db, tenant, survey_id, 0, definition_cb, &def);

	cxm_strlcpy(a->question, cxm_msg_in(MSG_EM_QUESTION, ui), sizeof(a->question));
	cxm_strlcpy(a->ends, cxm_msg_in(MSG_EM_ENDS, ui), sizeof(a->ends));
	if (ret)
		return ret;
	const cJSON *qs = def ? cJSON_GetObjectItemCaseSensitive(def, "questions") : NULL;
	for (const cJSON *qj = cJSON_IsArray(qs) ? qs->child : NULL; qj; qj = qj->next) {
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(qj, "type");
		const cJSON *labels = cJSON_GetObjectItemCaseSensitive(qj, "labels");
		if (!cJSON_IsString(type) || strcmp(type->valuestring, "nps"))
			continue;
		q = in_lang(cJSON_GetObjectItemCaseSensitive(qj, "text"), lang);
		low = in_lang(cJSON_GetObjectItemCaseSensitive(labels, "low"), lang);
		high = in_lang(cJSON_GetObjectItemCaseSensitive(labels, "high"), lang);
		break;
	}
	if (q)
		cxm_strlcpy(a->question, q, sizeof(a->question));
	if (low && high)
		snprintf(a->ends, sizeof(a->ends), cxm_msg_in(MSG_EM_ENDS_LABELS, ui), low, high);
	cJSON_Delete(def);
	return 0;
}

int email_compose(struct cxm_store *db, struct server *srv, int64_t tenant, const char *token, const char *to,
		  struct email_parts *out, const char **why)
{
	struct recipient rc;
	struct cxm_buf text = CXM_BUF_INIT, html = CXM_BUF_INIT;
	int64_t ids[2] = { 0, 0 }, inv_id = 0; /* the invitation's customer and survey */
	const char *dot = strchr(token, '.'), *end = dot ? strchr(dot + 1, '.') : NULL;
	struct asking ask;
	int ret, refused = 0;
	const char *field;
	enum cxm_lang ui;

	memset(&rc, 0, sizeof(rc));
	*why = NULL;
	/* TENANT.INVITATION.EXPIRES.MAC; the token was made by this server */
	if (!end || cxm_parse_i64(dot + 1, (size_t)(end - dot - 1), &inv_id))
		return CXM_ENOTFOUND;
	if ((ret = cxm_store_invitation_get(db, tenant, inv_id, invitation_cb, ids)) ||
	    (ids[0] && (ret = cxm_store_customer_get(db, tenant, ids[0], customer_cb, &rc))) ||
	    (ret = cxm_store_tenant_get(db, tenant, tenant_cb, &rc)))
		return ret;
	/* the address the invitation was queued for (the customer may have
	 * none on file when it named one) */
	cxm_strlcpy(rc.email, to, sizeof(rc.email));
	if (may_email(&rc, &refused, &field)) {
		*why = cxm_msg_in((enum cxm_msg)refused, CXM_LANG_EN);
		return CXM_EINVAL;
	}
	if (!srv->smtp_local) {
		/* a demo tenant's addresses are made up, and may be somebody's */
		char *demo = NULL;
		bool is_demo;
		if ((ret = cxm_store_setting_get(db, tenant, "demo", &demo)))
			return ret;
		is_demo = demo != NULL;
		free(demo);
		if (is_demo) {
			*why = cxm_msg_in(MSG_EMAIL_DEMO_TENANT, CXM_LANG_EN);
			return CXM_EINVAL;
		}
	}
	ui = !strncmp(rc.lang[0] ? rc.lang : rc.tenant_lang, "es", 2) ? CXM_LANG_ES : CXM_LANG_EN;
	if ((ret = asking_of(db, tenant, ids[1], ui, &ask)))
		return ret;
	char *link = xasprintf("%s/s/%s", srv->public_url, token);
	char *pixel = xasprintf("%s/o/%s.gif", srv->public_url, token);
	out->unsubscribe = xasprintf("%s/u/%s", srv->public_url, token);
	compose(&rc, ui, &ask, link, out->unsubscribe, pixel, &text, &html);
	out->subject = xstrdup(cxm_msg_in(MSG_EM_SUBJECT, ui));
	out->text = cxm_buf_detach(&text, NULL);
	out->html = cxm_buf_detach(&html, NULL);
	free(link);
	free(pixel);
	return 0;
}
