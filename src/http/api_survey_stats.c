/*
 * api_survey_stats.c - GET /api/v1/surveys/{id}/stats: what became of one
 * survey's invitations (by status, and by channel: sent, delivered, opened,
 * answered, failed, the response rate) and its responses (all, complete, NPS
 * promoters, passives and detractors). Counts over the whole tenant: no
 * response or customer is shown, only how many there are.
 */
#include "http-internal.h"

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
