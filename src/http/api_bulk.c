/*
 * api_bulk.c - e-mail invitations to many customers at once, through
 * POST /api/v1/surveys/{id}/invitations with
 *
 *   an audience: {"channel": "email", "audience": "all" |
 *                 {"attribute": "country", "value": "CO"}, "expires_in_days": 30}
 *     every live customer of the tenant (or those whose country, language or
 *     attribute has that value), walked in id order in chunks of CHUNK
 *     customers, one writer job (one commit) per chunk, so other writers
 *     get their turn between chunks and memory stays bounded;
 *   or a batch: [{"customer_id": "..."} | {"external_id": "..."} | {"email": "..."}, ...]
 *     at most --max-batch items in one writer job; a malformed item refuses
 *     the batch (or, with ?partial=true, is left out), as POST /api/v1/events.
 *
 * Each customer is weighed the way one invitation is (api_links.c): an
 * e-mail address, e-mail consent not denied, no exclusion of the survey
 * settings, no invitation within fatigue_days; from one statement per
 * chunk that brings each customer with when it was last invited, so there
 * is no round trip per customer. Those who pass get an invitation and an
 * outbox row holding the link token (the message is composed when sent);
 * the others are counted by reason. The answer says how many were queued
 * and why the rest were skipped. Only tenant-wide roles (owner, admin,
 * analyst) send to many: managers and agents invite one at a time.
 */
#include "http-internal.h"
#include "cxm/customers.h"
#include "cxm/id.h"
#include "cxm/surveys.h"
#include "cxm/time.h"

#include <sodium.h>

#define CHUNK 2000
#define DEFAULT_DAYS 30

enum skip { SK_NONE, SK_NO_EMAIL, SK_CONSENT, SK_EXCLUDED, SK_FATIGUE, SK_NOT_FOUND, SK_DUPLICATE, SK_N };
static const char *const skip_names[SK_N] = { "", "no_email", "consent", "excluded", "fatigue", "not_found",
					      "duplicate" };

/* One customer weighed. */
struct pick {
	int64_t customer_id;
	int64_t invitation_id; /* when queued */
	char email[256];
	enum skip skip;
	bool bad;             /* a malformed batch item (left out) */
	const char *kind, *value; /* a batch item: the identity it names */
};

struct bulk {
	int64_t survey_id, expires; /* expires: seconds since the epoch */
	cJSON *settings;            /* the survey settings in force (owned) */
	bool has_exclusions;
	int fatigue_days;
	/* the audience */
	const char *attribute, *value; /* NULL: everyone */
	int64_t after_id;              /* the chunk starts after this customer */
	int rows;                      /* customers the chunk walked */
	bool last_chunk;
	int64_t matched;
	/* the chunk (or the batch) */
	struct pick *picks;
	size_t n, cap;
	int64_t queued, skipped[SK_N];
	int64_t now;
};

/* ---- weighing ------------------------------------------------------------------ */

static bool attr_matches(const struct bulk *b, const struct cxm_invite_candidate *c)
{
	bool hit = false;

	if (!b->attribute)
		return true;
	if (!strcmp(b->attribute, "country"))
		return c->country && !strcasecmp(c->country, b->value);
	if (!strcmp(b->attribute, "language"))
		return c->language && !strncmp(c->language, b->value, strlen(b->value));
	cJSON *attrs = c->attributes ? cJSON_Parse(c->attributes) : NULL;
	const cJSON *have = cJSON_GetObjectItemCaseSensitive(attrs, b->attribute);
	char num[64];
	if (cJSON_IsString(have)) {
		hit = !strcmp(have->valuestring, b->value);
	} else if (cJSON_IsNumber(have)) {
		snprintf(num, sizeof(num), "%.15g", have->valuedouble);
		hit = !strcmp(num, b->value);
	} else if (cJSON_IsBool(have)) {
		hit = !strcmp(cJSON_IsTrue(have) ? "true" : "false", b->value);
	}
	cJSON_Delete(attrs);
	return hit;
}

static enum skip weigh(const struct bulk *b, const struct cxm_invite_candidate *c)
{
	char which[300];

	if (!c->email || !*c->email || strpbrk(c->email, "\r\n<>,; "))
		return SK_NO_EMAIL;
	if (c->consent_email == CXM_CONSENT_DENIED)
		return SK_CONSENT;
	if (b->has_exclusions && cxm_survey_excluded(b->settings, c->attributes, which, sizeof(which)))
		return SK_EXCLUDED;
	if (b->fatigue_days > 0 && c->last_invited_at &&
	    c->last_invited_at + (int64_t)b->fatigue_days * 86400 * 1000000 > b->now)
		return SK_FATIGUE;
	return SK_NONE;
}

static struct pick *pick_add(struct bulk *b)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 256;
		b->picks = xrealloc(b->picks, b->cap * sizeof(*b->picks));
	}
	memset(&b->picks[b->n], 0, sizeof(*b->picks));
	return &b->picks[b->n++];
}

static int audience_cb(const struct cxm_invite_candidate *c, void *ctx)
{
	struct bulk *b = ctx;
	struct pick *p;

	b->after_id = c->id;
	b->rows++;
	if (!attr_matches(b, c))
		return 0;
	p = pick_add(b);
	p->customer_id = c->id;
	p->skip = weigh(b, c);
	cxm_strlcpy(p->email, c->email ? c->email : "", sizeof(p->email));
	return 0;
}

struct one {
	struct bulk *b;
	struct pick *p;
	bool found;
};

static int batch_cb(const struct cxm_invite_candidate *c, void *ctx)
{
	struct one *o = ctx;

	o->found = true;
	o->p->skip = weigh(o->b, c);
	cxm_strlcpy(o->p->email, c->email ? c->email : "", sizeof(o->p->email));
	return 0;
}

/* ---- writing --------------------------------------------------------------------- */

/* Invitations and outbox rows for the picks that passed, in a few
 * multi-row statements. */
static int queue_picks(struct cxm_store *db, int64_t tenant, struct bulk *b)
{
	unsigned char key[LINKS_KEY_BYTES];
	struct cxm_email_invitation *v = xmalloc((b->n ? b->n : 1) * sizeof(*v));
	char (*tokens)[LINK_TOKEN_MAX] = xmalloc((b->n ? b->n : 1) * sizeof(*tokens));
	size_t nv = 0;
	int ret = links_key(db, tenant, true, key);

	for (size_t i = 0; !ret && i < b->n; i++) {
		struct pick *p = &b->picks[i];
		if (p->bad || p->skip)
			continue;
		p->invitation_id = cxm_id_next();
		link_token_sign(key, tenant, p->invitation_id, b->expires * 1000000, tokens[nv]);
		v[nv] = (struct cxm_email_invitation){ .invitation_id = p->invitation_id, .survey_id = b->survey_id,
						       .customer_id = p->customer_id, .channel = "email",
						       .expires_at = b->expires * 1000000, .to_address = p->email,
						       .link_token = tokens[nv] };
		nv++;
	}
	sodium_memzero(key, sizeof(key));
	if (!ret && nv)
		ret = cxm_store_email_invitations_add(db, tenant, v, nv, b->now);
	free(v);
	free(tokens);
	return ret;
}

struct bulk_job {
	struct wjob job;
	struct req *r;
	struct bulk *b;
};

struct survey_state {
	bool live, anonymous;
};

static int survey_state_cb(const struct cxm_survey *sv, void *ctx)
{
	struct survey_state *st = ctx;

	st->live = !strcmp(sv->status, "live");
	st->anonymous = anon_survey(sv->definition);
	return 0;
}

static int audience_run(struct cxm_store *db, struct wjob *j)
{
	struct bulk_job *bj = j->ctx;
	struct bulk *b = bj->b;
	int ret;

	b->n = 0;
	b->rows = 0;
	if ((ret = cxm_store_invite_candidates(db, bj->r->who.tenant, b->after_id, CHUNK, audience_cb, b)))
		return ret;
	b->last_chunk = b->rows < CHUNK;
	return queue_picks(db, bj->r->who.tenant, b);
}

static int batch_run(struct cxm_store *db, struct wjob *j)
{
	struct bulk_job *bj = j->ctx;
	struct bulk *b = bj->b;
	int64_t tenant = bj->r->who.tenant;
	int ret = 0;

	for (size_t i = 0; !ret && i < b->n; i++) {
		struct pick *p = &b->picks[i];
		struct one o = { b, p, false };
		if (p->bad)
			continue;
		if (p->kind) {
			ret = cxm_store_identity_resolve(db, tenant, p->kind, p->value, &p->customer_id);
			if (ret == CXM_ENOTFOUND) {
				ret = 0;
				p->skip = SK_NOT_FOUND;
				continue;
			}
		}
		if (!ret)
			ret = cxm_store_invite_candidate_get(db, tenant, p->customer_id, batch_cb, &o);
		if (!ret && !o.found)
			p->skip = SK_NOT_FOUND;
		for (size_t k = 0; !ret && !p->skip && k < i; k++)
			if (!b->picks[k].bad && b->picks[k].customer_id == p->customer_id && b->picks[k].skip != SK_NOT_FOUND)
				p->skip = SK_DUPLICATE;
	}
	return ret ? ret : queue_picks(db, tenant, b);
}

/* ---- the request -------------------------------------------------------------------- */

static void count(struct bulk *b)
{
	for (size_t i = 0; i < b->n; i++) {
		if (b->picks[i].bad)
			continue;
		if (b->picks[i].skip)
			b->skipped[b->picks[i].skip]++;
		else
			b->queued++;
	}
}

static cJSON *answer(struct req *r, const struct bulk *b)
{
	cJSON *o = cJSON_CreateObject(), *by;
	int64_t skipped = 0;

	cJSON_AddStringToObject(o, "survey_id", id_str(r, b->survey_id));
	cJSON_AddNumberToObject(o, "queued", (double)b->queued);
	for (int k = 1; k < SK_N; k++)
		skipped += b->skipped[k];
	cJSON_AddNumberToObject(o, "skipped", (double)skipped);
	by = cJSON_AddObjectToObject(o, "skipped_by_reason");
	for (int k = 1; k < SK_N; k++)
		cJSON_AddNumberToObject(by, skip_names[k], (double)b->skipped[k]);
	return o;
}

/* Loads what every chunk needs: the survey is live, the settings. */
static int bulk_prepare(struct req *r, struct bulk *b)
{
	struct cxm_store *db = req_db(r);
	char *stored = NULL;
	struct survey_state st = { false, false };
	int ret;

	if (!db)
		return -1;
	if ((ret = cxm_store_survey_get(db, r->who.tenant, b->survey_id, 0, survey_state_cb, &st)) ||
	    (ret = cxm_store_setting_get(db, r->who.tenant, "surveys", &stored))) {
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return -1;
	}
	if (st.anonymous || !st.live) {
		/* an anonymous survey knows nobody to e-mail: it has its open link */
		free(stored);
		reply_invalid(r, st.anonymous ? "channel" : "survey", T(r, st.anonymous ? MSG_AN_INVITE_EMAIL : MSG_HTTP_SURVEY_NOT_LIVE));
		return -1;
	}
	b->settings = cxm_survey_settings(stored);
	free(stored);
	b->fatigue_days = cJSON_GetObjectItemCaseSensitive(b->settings, "fatigue_days")->valueint;
	const cJSON *ex = cJSON_GetObjectItemCaseSensitive(b->settings, "exclude");
	b->has_exclusions = ex && ex->child;
	b->now = cxm_now_us();
	return 0;
}

static void bulk_release(struct bulk *b)
{
	cJSON_Delete(b->settings);
	free(b->picks);
}

static void job_reply_error(struct req *r, struct bulk_job *bj)
{
	int code = bj->job.rc ? bj->job.rc : bj->job.commit_rc;
	reply_store_error(r, code, bj->job.errmsg);
}

static int audience_send(struct req *r, struct bulk *b)
{
	struct bulk_job bj = { .r = r, .b = b };
	cJSON *o;

	if (bulk_prepare(r, b)) {
		bulk_release(b);
		return H_DONE;
	}
	while (!b->last_chunk) {
		bj.job = (struct wjob){ .run = audience_run, .ctx = &bj, .lang = r->lang };
		if (writer_run(r->srv->writer, &bj.job)) {
			/* the chunks before stay queued: say so, and how far it got */
			job_reply_error(r, &bj);
			bulk_release(b);
			return H_DONE;
		}
		b->matched += (int64_t)b->n;
		count(b);
		sender_wake(r->srv->sender);
	}
	o = answer(r, b);
	cJSON_AddNumberToObject(o, "audience", (double)b->matched);
	reply_json(r, 202, o);
	bulk_release(b);
	return H_DONE;
}

static int batch_send(struct req *r, struct bulk *b, cJSON *problem, size_t nbad, bool partial)
{
	struct bulk_job bj = { .r = r, .b = b };
	cJSON *o, *items;

	if (bulk_prepare(r, b)) {
		cJSON_Delete(problem);
		bulk_release(b);
		return H_DONE;
	}
	bj.job = (struct wjob){ .run = batch_run, .ctx = &bj, .lang = r->lang };
	if (writer_run(r->srv->writer, &bj.job)) {
		cJSON_Delete(problem);
		job_reply_error(r, &bj);
		bulk_release(b);
		return H_DONE;
	}
	sender_wake(r->srv->sender);
	count(b);
	o = answer(r, b);
	items = cJSON_AddArrayToObject(o, "items");
	for (size_t i = 0; i < b->n; i++) {
		const struct pick *p = &b->picks[i];
		cJSON *it;
		if (p->bad)
			continue;
		it = cJSON_CreateObject();
		cJSON_AddNumberToObject(it, "index", (double)i);
		if (p->customer_id && p->skip != SK_NOT_FOUND)
			cJSON_AddStringToObject(it, "customer_id", id_str(r, p->customer_id));
		if (p->skip)
			cJSON_AddStringToObject(it, "skipped", skip_names[p->skip]);
		else
			cJSON_AddStringToObject(it, "invitation_id", id_str(r, p->invitation_id));
		cJSON_AddItemToArray(items, it);
	}
	bulk_release(b);
	reply_batch_accepted(r, o, problem, partial, nbad);
	return H_DONE;
}

int api_invitation_bulk(struct req *r, int64_t survey_id, cJSON *body)
{
	struct bulk *b = cxm_arena_alloc(&r->arena, sizeof(*b));
	cJSON *p;
	char why[200];

	memset(b, 0, sizeof(*b));
	b->survey_id = survey_id;
	b->expires = cxm_now_us() / 1000000 + (int64_t)DEFAULT_DAYS * 86400;
	/* an audience is the whole tenant's customers: not for a subtree */
	if (r->who.role & ROLES_SCOPED) {
		reply_error(r, 403, "forbidden", MSG_HTTP_FORBIDDEN, T(r, MSG_HTTP_BULK_ROLE));
		return H_DONE;
	}
	if (!r->srv->sender) {
		reply_error(r, 422, "email-off", MSG_HTTP_EMAIL_OFF, T(r, MSG_HTTP_EMAIL_OFF));
		return H_DONE;
	}
	if (cJSON_IsArray(body)) {
		static const char *const keys[] = { "customer_id", "external_id", "email", NULL };
		static const char *const by[] = { "customer_id", "external_id", "email" };
		const char *partial = req_query(r, "partial");
		size_t n = (size_t)cJSON_GetArraySize(body), nbad = 0, i = 0;

		if (n > r->srv->o.max_batch) {
			char msg[96];
			snprintf(msg, sizeof(msg), T(r, MSG_HTTP_BAD_LIMIT), (int)r->srv->o.max_batch);
			reply_invalid(r, "", msg);
			return H_DONE;
		}
		p = problem_new(r, 422, "invalid-items", MSG_HTTP_INVALID, NULL);
		for (const cJSON *o = body->child; o; o = o->next, i++) {
			struct pick *pk = pick_add(b);
			int named = 0;
			if (!cJSON_IsObject(o)) {
				item_error(p, (long)i, NULL, T(r, MSG_HTTP_WANT_OBJECT), &pk->bad);
			} else {
				if (check_keys(o, keys, p, (long)i))
					pk->bad = true;
				for (size_t k = 0; k < ARRAY_SIZE(by); k++) {
					const char *v = item_str(r, o, by[k], p, (long)i, &pk->bad);
					if (!v)
						continue;
					named++;
					if (k == 0) {
						if (parse_id(v, &pk->customer_id))
							item_error(p, (long)i, by[k], T(r, MSG_HTTP_WANT_ID), &pk->bad);
					} else {
						pk->kind = by[k];
						pk->value = identity_value(r, by[k], v, why, sizeof(why));
						if (!pk->value || cxm_text_check(v, CXM_IDENTITY_MAX, why, sizeof(why)))
							item_error(p, (long)i, by[k], why, &pk->bad);
					}
				}
				if (named != 1)
					item_error(p, (long)i, "customer_id", T(r, named ? MSG_HTTP_ONE_CUSTOMER_KEY : MSG_HTTP_EMAIL_WHO),
						   &pk->bad);
			}
			nbad += pk->bad;
		}
		bool part = partial && (!strcmp(partial, "true") || !strcmp(partial, "1"));
		if (nbad && (!part || nbad == n)) {
			free(b->picks);
			reply_batch_refused(r, p, nbad);
			return H_DONE;
		}
		return batch_send(r, b, p, nbad, part);
	}

	static const char *const keys[] = { "channel", "audience", "expires_in_days", NULL };
	const cJSON *ch = cJSON_GetObjectItemCaseSensitive(body, "channel");
	const cJSON *aud = cJSON_GetObjectItemCaseSensitive(body, "audience");
	const cJSON *days = cJSON_GetObjectItemCaseSensitive(body, "expires_in_days");

	p = problem_new(r, 422, "invalid", MSG_HTTP_INVALID, NULL);
	check_keys(body, keys, p, -1);
	if (ch && !(cJSON_IsString(ch) && !strcmp(ch->valuestring, "email")))
		problem_item(p, -1, "channel", T(r, MSG_HTTP_BULK_EMAIL_ONLY));
	if (cJSON_IsString(aud) && !strcmp(aud->valuestring, "all")) {
		/* everyone */
	} else if (cJSON_IsObject(aud)) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(aud, "attribute");
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(aud, "value");
		static const char *const akeys[] = { "attribute", "value", NULL };
		if (check_keys(aud, akeys, p, -1) || !cJSON_IsString(a) || !cJSON_IsString(v) || !*a->valuestring ||
		    cxm_text_check(a->valuestring, 100, why, sizeof(why)) || cxm_text_check(v->valuestring, 1000, why, sizeof(why))) {
			problem_item(p, -1, "audience", T(r, MSG_HTTP_BULK_AUDIENCE));
		} else {
			b->attribute = cxm_arena_strdup(&r->arena, a->valuestring);
			b->value = cxm_arena_strdup(&r->arena, v->valuestring);
		}
	} else {
		problem_item(p, -1, "audience", T(r, MSG_HTTP_BULK_AUDIENCE));
	}
	if (days && (!cJSON_IsNumber(days) || days->valuedouble < 1 || days->valuedouble > 365)) {
		char msg[96];
		snprintf(msg, sizeof(msg), T(r, MSG_HTTP_BAD_LIMIT), 365);
		problem_item(p, -1, "expires_in_days", msg);
	} else if (days) {
		b->expires = cxm_now_us() / 1000000 + (int64_t)(days->valuedouble * 86400);
	}
	if (cJSON_GetObjectItemCaseSensitive(p, "errors")) {
		reply_problem(r, p);
		return H_DONE;
	}
	cJSON_Delete(p);
	return audience_send(r, b);
}
