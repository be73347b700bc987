/*
 * api_email_events.c - what becomes of an e-mail after our SMTP server
 * took it: GET /o/{token}.gif, the 1x1 image in the HTML part that marks
 * the invitation opened (public, no cookies, cached nowhere), and
 * POST /api/v1/email/events, where the mail provider's delivery reports
 * arrive (delivered, bounced, complained), each naming the message by the
 * Message-ID the sender gave it: "<OUTBOX ID.TENANT@domain>".
 */
#include "http-internal.h"
#include "cxm/time.h"

/* ---- the tracking image ------------------------------------------------- */

/* A transparent 1x1 GIF. */
static const unsigned char pixel_gif[] = {
	0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b,
};

struct opened {
	int64_t tenant, invitation, opened_at;
};

static int opened_inv_cb(const struct cxm_invitation *inv, void *ctx)
{
	((struct opened *)ctx)->opened_at = inv->opened_at;
	return 0;
}

static int pixel_run(struct cxm_store *db, struct wjob *j)
{
	struct opened *o = j->ctx;
	return cxm_store_invitation_opened(db, o->tenant, o->invitation, cxm_now_us());
}

int api_email_pixel(struct req *r)
{
	struct cxm_store *db = req_db(r);
	const char *param = req_param(r, 0);
	size_t n = strlen(param);
	struct opened o = { 0 };
	char token[LINK_TOKEN_MAX];

	if (!db)
		return H_DONE;
	if (n <= 4 || n - 4 >= sizeof(token) || strcmp(param + n - 4, ".gif")) {
		reply_empty(r, 404);
		return H_DONE;
	}
	memcpy(token, param, n - 4);
	token[n - 4] = '\0';
	if (link_token_check(db, token, &o.tenant, &o.invitation) ||
	    cxm_store_invitation_get(db, o.tenant, o.invitation, opened_inv_cb, &o)) {
		reply_empty(r, 404);
		return H_DONE;
	}
	if (!o.opened_at) {
		/* the first open only: later ones cost one read */
		struct wjob job = { .run = pixel_run, .ctx = &o, .lang = r->lang };
		writer_run(r->srv->writer, &job); /* an image is not worth failing over */
	}
	reply_text(r, 200, "image/gif", (const char *)pixel_gif, sizeof(pixel_gif));
	req_add_header(r, "Cache-Control", "no-store, private");
	req_add_header(r, "Referrer-Policy", "no-referrer");
	return H_DONE;
}

/* ---- delivery reports ------------------------------------------------------ */

#define REASON_MAX 1000

struct report {
	int64_t outbox, tenant;
	enum cxm_email_report event;
	int64_t ts;
	const char *reason;
	bool found;
};

struct reports {
	struct report *v;
	size_t n, applied;
};

/* "<ID.TENANT@domain>" (angle brackets optional): the outbox id and tenant. */
static int parse_message_id(const char *s, int64_t *id, int64_t *tenant)
{
	size_t n = strlen(s);
	const char *dot, *at;

	if (n && s[0] == '<') {
		if (s[n - 1] != '>')
			return -1;
		s++, n -= 2;
	}
	dot = memchr(s, '.', n);
	at = dot ? memchr(dot, '@', n - (size_t)(dot - s)) : NULL;
	if (!dot || !at || at == s + n - 1 || cxm_parse_i64(s, (size_t)(dot - s), id) ||
	    cxm_parse_i64(dot + 1, (size_t)(at - dot - 1), tenant) || *id <= 0 || *tenant <= 0)
		return -1;
	return 0;
}

static int reports_run(struct cxm_store *db, struct wjob *j)
{
	struct req *r = j->ctx;
	struct reports *rs = r->data;
	int ret = 0;

	for (size_t i = 0; i < rs->n && !ret; i++) {
		struct report *x = &rs->v[i];
		/* a message of another tenant is as unknown as one that never was */
		if (x->tenant != r->who.tenant)
			continue;
		ret = cxm_store_outbox_report(db, x->tenant, x->outbox, x->event, x->ts, x->reason, &x->found);
		rs->applied += x->found;
	}
	return ret;
}

static int reports_finish(struct req *r)
{
	struct reports *rs = r->data;
	cJSON *o, *unknown;

	if (job_failed(r))
		return 0;
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "applied", (double)rs->applied);
	unknown = cJSON_AddArrayToObject(o, "unknown");
	for (size_t i = 0; i < rs->n; i++)
		if (!rs->v[i].found)
			cJSON_AddItemToArray(unknown, cJSON_CreateNumber((double)i));
	reply_json(r, 200, o);
	return 0;
}

int api_email_events(struct req *r)
{
	static const char *const keys[] = { "message_id", "event", "ts", "reason", NULL };
	struct reports *rs;
	cJSON **items, *p;
	size_t n, nbad = 0;

	if (body_items(r, &items, &n))
		return H_DONE;
	rs = cxm_arena_alloc(&r->arena, sizeof(*rs));
	rs->n = n;
	rs->applied = 0;
	rs->v = cxm_arena_alloc(&r->arena, (n ? n : 1) * sizeof(*rs->v));
	memset(rs->v, 0, (n ? n : 1) * sizeof(*rs->v));
	p = problem_new(r, 422, "invalid-items", MSG_HTTP_INVALID, NULL);
	for (size_t i = 0; i < n; i++) {
		struct report *x = &rs->v[i];
		const cJSON *o = items[i];
		bool bad = false;
		const char *s;

		if (!cJSON_IsObject(o)) {
			item_error(p, (long)i, NULL, T(r, MSG_HTTP_WANT_OBJECT), &bad);
			nbad++;
			continue;
		}
		if (check_keys(o, keys, p, (long)i))
			bad = true;
		bool fbad = false;
		s = item_str(r, o, "message_id", p, (long)i, &fbad);
		if (!fbad && (!s || parse_message_id(s, &x->outbox, &x->tenant)))
			item_error(p, (long)i, "message_id", T(r, s ? MSG_HTTP_EM_MESSAGE_ID : MSG_HTTP_REQUIRED), &fbad);
		bad |= fbad;
		fbad = false;
		s = item_str(r, o, "event", p, (long)i, &fbad);
		if (fbad)
			;
		else if (s && !strcmp(s, "delivered"))
			x->event = CXM_EMAIL_DELIVERED;
		else if (s && !strcmp(s, "bounced"))
			x->event = CXM_EMAIL_BOUNCED;
		else if (s && !strcmp(s, "complained"))
			x->event = CXM_EMAIL_COMPLAINED;
		else
			item_error(p, (long)i, "event", T(r, MSG_HTTP_EM_EVENT), &fbad);
		bad |= fbad;
		s = item_str(r, o, "ts", p, (long)i, &bad);
		x->ts = cxm_now_us();
		if (s && cxm_time_parse(s, strlen(s), &x->ts))
			item_error(p, (long)i, "ts", T(r, MSG_HTTP_WANT_TIME), &bad);
		x->reason = item_text(r, o, "reason", REASON_MAX, p, (long)i, &bad);
		nbad += bad;
	}
	if (nbad) {
		reply_batch_refused(r, p, nbad);
		return H_DONE;
	}
	cJSON_Delete(p);
	r->data = rs;
	return req_write(r, reports_run, reports_finish);
}
