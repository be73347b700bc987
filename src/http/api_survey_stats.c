/*
 * api_survey_stats.c - GET /api/v1/surveys/{id}/stats: what became of one
 * survey's invitations (by status, and by channel: sent, delivered, opened,
 * answered, failed, the response rate) and its responses (all, complete, NPS
 * promoters, passives and detractors). Counts over the whole tenant: no
 * response or customer is shown, only how many there are.
 */
#include "http-internal.h"
#include "cxm/events.h"
#include "cxm/time.h"

static const char *const statuses[] = { "created", "sent", "delivered", "opened", "answered", "failed" };

#define MAX_CHANNELS 32

struct chan {
	char name[48];
	int64_t total, sent, delivered, opened, answered, failed;
};

struct stats {
	int64_t by_status[ARRAY_SIZE(statuses)];
	int64_t total;
	struct chan ch[MAX_CHANNELS];
	size_t nch;
	bool more; /* channels past MAX_CHANNELS are counted in the totals only */
};

static int count_cb(const struct cxm_invitation_count *c, void *ctx)
{
	struct stats *st = ctx;
	struct chan *ch = NULL;

	st->total += c->n;
	for (size_t i = 0; i < ARRAY_SIZE(statuses); i++)
		if (!strcmp(c->status, statuses[i]))
			st->by_status[i] += c->n;
	for (size_t i = 0; i < st->nch; i++)
		if (!strcmp(st->ch[i].name, c->channel))
			ch = &st->ch[i];
	if (!ch) {
		if (st->nch == MAX_CHANNELS) {
			st->more = true;
			return 0;
		}
		ch = &st->ch[st->nch++];
		cxm_strlcpy(ch->name, c->channel, sizeof(ch->name));
	}
	ch->total += c->n;
	/* sent: our SMTP server took it, or it reached the customer anyway (a
	 * link that was opened or answered did); a bounce was sent, then failed */
	bool moved_on = strcmp(c->status, "created") && strcmp(c->status, "failed");
	ch->sent += moved_on ? c->n : c->sent;
	/* delivered: the provider said so, or it was opened (opened implies delivered) */
	bool arrived = !strcmp(c->status, "delivered") || !strcmp(c->status, "opened") || !strcmp(c->status, "answered");
	ch->delivered += arrived ? c->n : c->delivered;
	if (!strcmp(c->status, "failed"))
		ch->failed += c->n;
	ch->opened += c->opened > c->answered ? c->opened : c->answered;
	ch->answered += c->answered;
	return 0;
}

static double ratio(int64_t a, int64_t b)
{
	return b ? (double)(int64_t)((double)a * 10000.0 / (double)b + 0.5) / 10000.0 : 0.0;
}

int api_survey_stats(struct req *r)
{
	struct cxm_store *db = req_db(r);
	struct stats *st;
	struct cxm_response_counts rc;
	int64_t id;
	int ret;
	cJSON *o, *inv, *bs, *chs, *rs, *nps;

	if (!db)
		return H_DONE;
	if (parse_id(req_param(r, 0), &id)) {
		reply_error(r, 404, "not-found", MSG_HTTP_NOT_FOUND, NULL);
		return H_DONE;
	}
	st = cxm_arena_alloc(&r->arena, sizeof(*st));
	memset(st, 0, sizeof(*st));
	if ((ret = cxm_store_survey_get(db, r->who.tenant, id, 0, NULL, NULL)) ||
	    (ret = cxm_store_survey_invitation_counts(db, r->who.tenant, id, count_cb, st)) ||
	    (ret = cxm_store_survey_response_counts(db, r->who.tenant, id, &rc))) {
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return H_DONE;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "survey_id", id_str(r, id));
	inv = cJSON_AddObjectToObject(o, "invitations");
	cJSON_AddNumberToObject(inv, "total", (double)st->total);
	bs = cJSON_AddObjectToObject(inv, "by_status");
	for (size_t i = 0; i < ARRAY_SIZE(statuses); i++)
		cJSON_AddNumberToObject(bs, statuses[i], (double)st->by_status[i]);
	chs = cJSON_AddArrayToObject(inv, "by_channel");
	for (size_t i = 0; i < st->nch; i++) {
		const struct chan *c = &st->ch[i];
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "channel", c->name);
		cJSON_AddNumberToObject(j, "total", (double)c->total);
		cJSON_AddNumberToObject(j, "sent", (double)c->sent);
		cJSON_AddNumberToObject(j, "delivered", (double)c->delivered);
		cJSON_AddNumberToObject(j, "opened", (double)c->opened);
		cJSON_AddNumberToObject(j, "answered", (double)c->answered);
		cJSON_AddNumberToObject(j, "failed", (double)c->failed);
		cJSON_AddNumberToObject(j, "response_rate", ratio(c->answered, c->sent));
		cJSON_AddItemToArray(chs, j);
	}
	rs = cJSON_AddObjectToObject(o, "responses");
	cJSON_AddNumberToObject(rs, "total", (double)rc.total);
	cJSON_AddNumberToObject(rs, "complete", (double)rc.complete);
	cJSON_AddNumberToObject(rs, "partial", (double)(rc.total - rc.complete));
	nps = cJSON_AddObjectToObject(rs, "nps");
	cJSON_AddNumberToObject(nps, "answered", (double)rc.nps_answered);
	cJSON_AddNumberToObject(nps, "promoters", (double)rc.promoters);
	cJSON_AddNumberToObject(nps, "passives", (double)rc.passives);
	cJSON_AddNumberToObject(nps, "detractors", (double)rc.detractors);
	if (rc.nps_answered) {
		double score = 100.0 * (double)(rc.promoters - rc.detractors) / (double)rc.nps_answered;
		cJSON_AddNumberToObject(nps, "score", (double)(int64_t)(score * 10.0 + (score < 0 ? -0.5 : 0.5)) / 10.0);
	} else {
		cJSON_AddNullToObject(nps, "score");
	}
	reply_json(r, 200, o);
	return H_DONE;
}

/* ---- one survey's invitations ------------------------------------------------ */

struct inv_page {
	struct req *r;
	cJSON *items;
	int n;
	int64_t last_created, last_id;
};

static void add_time(cJSON *o, const char *name, int64_t us)
{
	char t[CXM_TIME_BUFSZ];

	if (us)
		cJSON_AddStringToObject(o, name, cxm_time_format(us, t));
	else
		cJSON_AddNullToObject(o, name);
}

static int inv_to_json(const struct cxm_invitation *inv, void *ctx)
{
	struct inv_page *pg = ctx;
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", id_str(pg->r, inv->id));
	if (inv->customer_id)
		cJSON_AddStringToObject(o, "customer_id", id_str(pg->r, inv->customer_id));
	else
		cJSON_AddNullToObject(o, "customer_id");
	cJSON_AddStringToObject(o, "channel", inv->channel);
	cJSON_AddStringToObject(o, "status", inv->status);
	add_time(o, "created_at", inv->created_at);
	add_time(o, "expires_at", inv->expires_at);
	add_time(o, "sent_at", inv->sent_at);
	add_time(o, "delivered_at", inv->delivered_at);
	add_time(o, "opened_at", inv->opened_at);
	add_time(o, "answered_at", inv->answered_at);
	if (inv->response_id)
		cJSON_AddStringToObject(o, "response_id", id_str(pg->r, inv->response_id));
	else
		cJSON_AddNullToObject(o, "response_id");
	if (inv->failure)
		cJSON_AddStringToObject(o, "failure", inv->failure);
	else
		cJSON_AddNullToObject(o, "failure");
	cJSON_AddItemToArray(pg->items, o);
	pg->n++;
	pg->last_created = inv->created_at;
	pg->last_id = inv->id;
	return 0;
}

/*
 * GET /api/v1/surveys/{id}/invitations?status=&channel=&limit=&cursor=:
 * what became of each invitation, newest first, with why it failed.
 */
int api_survey_invitations(struct req *r)
{
	struct cxm_store *db = req_db(r);
	const char *status = req_query(r, "status"), *channel = req_query(r, "channel");
	int limit = query_limit(r, 50, 500), ret;
	int64_t id, before_created = INT64_MAX, before_id = INT64_MAX;
	struct cxm_invitation_filter f = { status, channel };
	char why[200];
	cJSON *o;

	if (!db || limit < 0)
		return H_DONE;
	if (parse_id(req_param(r, 0), &id)) {
		reply_error(r, 404, "not-found", MSG_HTTP_NOT_FOUND, NULL);
		return H_DONE;
	}
	if (status) {
		bool known = false;
		for (size_t i = 0; i < ARRAY_SIZE(statuses); i++)
			known = known || !strcmp(status, statuses[i]);
		if (!known) {
			snprintf(why, sizeof(why), T(r, MSG_HTTP_ONE_OF), "created, sent, delivered, opened, answered, failed");
			reply_bad_query(r, "status", why);
			return H_DONE;
		}
	}
	if (channel && cxm_event_type_check(channel, why, sizeof(why))) {
		reply_bad_query(r, "channel", why);
		return H_DONE;
	}
	if (query_cursor2(r, &before_created, &before_id))
		return H_DONE;
	o = cJSON_CreateObject();
	struct inv_page pg = { r, cJSON_AddArrayToObject(o, "items"), 0, 0, 0 };
	if ((ret = cxm_store_survey_get(db, r->who.tenant, id, 0, NULL, NULL)) ||
	    (ret = cxm_store_invitation_page(db, r->who.tenant, id, &f, before_created, before_id, limit, inv_to_json,
					     &pg))) {
		cJSON_Delete(o);
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return H_DONE;
	}
	if (pg.n == limit)
		add_cursor2(o, pg.last_created, pg.last_id);
	reply_json(r, 200, o);
	return H_DONE;
}
