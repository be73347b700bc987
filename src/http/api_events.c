/*
 * api_events.c - POST /api/v1/events: one event, a JSON array, or NDJSON.
 * Items are checked on the worker thread; the writer then resolves each
 * event's customer (creating unknown ones), its agent's org unit at the
 * event's time, and stores the batch, duplicates skipped by source id.
 * A batch with a bad item stores nothing unless ?partial=true.
 */
#include "http-internal.h"
#include "cxm/customers.h"
#include "cxm/events.h"
#include "cxm/time.h"

#include <math.h>

struct item {
	struct cxm_event e;
	const char *kind;  /* how the customer is named: "id", "external_id", ... */
	const char *value; /* ... and the name */
	bool bad;
};

struct batch {
	struct item *items;
	size_t n;
	bool partial;
	cJSON *problem; /* item errors found by the writer */
	size_t nbad;
	size_t accepted, duplicates, new_customers;
	size_t scheduled; /* invitations the events' triggers scheduled */
};

static const char *const event_keys[] = { "id",	      "customer_id", "external_id", "email",	"phone",
					  "identity", "type",	     "channel",	    "ts",	"touchpoint",
					  "agent",    "amount",	     "currency",    "properties", NULL };

/* 128 bits of FNV-1a over the canonical item: the id of an event sent
 * without one, so that sending it again is a duplicate. */
static void content_id(const char *text, char *out, size_t outlen)
{
	uint64_t h1 = 1469598103934665603ull, h2 = 0x6c62272e07bb0142ull;

	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		h1 = (h1 ^ *p) * 1099511628211ull;
		h2 = (h2 ^ *p) * 0x100000001b3ull + 0x9e3779b97f4a7c15ull;
	}
	snprintf(out, outlen, "api:%016llx%016llx", (unsigned long long)h1, (unsigned long long)h2);
}

/* true when key holds something that is neither absent, null nor a string
 * (get_str has reported it already) */
static bool bad_type(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return v && !cJSON_IsNull(v) && !cJSON_IsString(v);
}

/* Checks one item into it; problems go to p with the item's index. */
static void parse_item(struct req *r, const cJSON *o, long idx, struct item *it, cJSON *p)
{
	struct cxm_event *e = &it->e;
	const char *type, *channel, *ts, *amount, *currency, *s;
	char why[200], buf[64];
	int named = 0;
	const char *second = NULL; /* the second way of naming the customer */
	bool bad = false;

	if (!cJSON_IsObject(o)) {
		item_error(p, idx, NULL, T(r, MSG_HTTP_WANT_OBJECT), &it->bad);
		return;
	}
	if (check_keys(o, event_keys, p, idx))
		bad = true;

	/* the customer: exactly one way of naming them */
	{
		static const char *const by[] = { "customer_id", "external_id", "email", "phone" };
		for (size_t i = 0; i < ARRAY_SIZE(by); i++) {
			s = item_str(r, o, by[i], p, idx, &bad);
			if (!s)
				continue;
			if (++named == 2)
				second = by[i];
			it->kind = by[i];
			if (i == 0) {
				int64_t cid = 0;
				if (parse_id(s, &cid))
					item_error(p, idx, by[i], T(r, MSG_HTTP_WANT_ID), &bad);
				e->customer_id = cid;
				it->value = s;
			} else if (i == 1) {
				if (cxm_text_check(s, CXM_EXTERNAL_ID_MAX, why, sizeof(why)) || !*s)
					item_error(p, idx, by[i], *s ? why : T(r, MSG_HTTP_EMPTY), &bad);
				it->value = s;
			} else {
				char norm[300];
				int rc = i == 2 ? cxm_email_normalize(s, norm, sizeof(norm), why, sizeof(why))
						: cxm_phone_normalize(s, norm, sizeof(norm), why, sizeof(why));
				if (rc)
					item_error(p, idx, by[i], why, &bad);
				it->value = cxm_arena_strdup(&r->arena, norm);
			}
		}
		const cJSON *idn = cJSON_GetObjectItemCaseSensitive(o, "identity");
		if (idn && !cJSON_IsNull(idn)) {
			const cJSON *k = cJSON_GetObjectItemCaseSensitive(idn, "kind");
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(idn, "value");
			if (++named == 2)
				second = "identity";
			if (!cJSON_IsObject(idn) || !cJSON_IsString(k) || !cJSON_IsString(v) || !*v->valuestring ||
			    cJSON_GetArraySize(idn) != 2) {
				item_error(p, idx, "identity", T(r, MSG_HTTP_WANT_IDENTITY), &bad);
			} else if (cxm_identity_kind_check(k->valuestring, why, sizeof(why)) ||
				   cxm_text_check(v->valuestring, CXM_IDENTITY_MAX, why, sizeof(why))) {
				item_error(p, idx, "identity", why, &bad);
			} else {
				it->kind = k->valuestring;
				it->value = identity_value(r, k->valuestring, v->valuestring, why, sizeof(why));
				if (!it->value)
					item_error(p, idx, "identity", why, &bad);
			}
		}
		if (named != 1)
			item_error(p, idx, named ? second : "customer_id",
				   T(r, named ? MSG_HTTP_ONE_CUSTOMER_KEY : MSG_HTTP_NEED_EVENT_CUSTOMER), &bad);
	}

	s = item_str(r, o, "id", p, idx, &bad);
	if (s && (cxm_text_check(s, CXM_SOURCE_ID_MAX, why, sizeof(why)) || !*s))
		item_error(p, idx, "id", *s ? why : T(r, MSG_HTTP_EMPTY), &bad);
	e->source_id = s;

	type = item_str(r, o, "type", p, idx, &bad);
	if (!type && !bad_type(o, "type"))
		item_error(p, idx, "type", T(r, MSG_HTTP_REQUIRED), &bad);
	else if (type && cxm_event_type_check(type, why, sizeof(why)))
		item_error(p, idx, "type", why, &bad);
	e->type = type;

	channel = item_str(r, o, "channel", p, idx, &bad);
	if (!channel && !bad_type(o, "channel"))
		item_error(p, idx, "channel", T(r, MSG_HTTP_REQUIRED), &bad);
	else if (channel && cxm_channel_normalize(channel, buf, sizeof(buf), why, sizeof(why)))
		item_error(p, idx, "channel", why, &bad);
	else if (channel)
		e->channel = cxm_arena_strdup(&r->arena, buf);

	ts = item_str(r, o, "ts", p, idx, &bad);
	if (!ts && !bad_type(o, "ts"))
		item_error(p, idx, "ts", T(r, MSG_HTTP_REQUIRED), &bad);
	else if (ts && cxm_time_parse(ts, strlen(ts), &e->ts))
		item_error(p, idx, "ts", T(r, MSG_HTTP_WANT_TIME), &bad);

	e->touchpoint = item_text(r, o, "touchpoint", CXM_TOUCHPOINT_MAX, p, idx, &bad);
	e->agent = item_text(r, o, "agent", 64, p, idx, &bad);

	/* amount: a decimal string, or a JSON number */
	{
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "amount");
		amount = NULL;
		if (cJSON_IsNumber(a)) {
			/* a JSON number is taken when it means exactly a decimal of at
			 * most 6 places; anything else must come as a string */
			double v = a->valuedouble, scaled = v * 1e6;
			if (fabs(v) >= 1e15 || fabs(scaled - round(scaled)) > 1e-9 * fmax(1.0, fabs(scaled))) {
				item_error(p, idx, "amount", T(r, MSG_HTTP_AMOUNT_STRING), &bad);
			} else {
				snprintf(buf, sizeof(buf), "%.6f", v);
				amount = cxm_arena_strdup(&r->arena, buf);
			}
		} else if (a && !cJSON_IsNull(a)) {
			amount = item_str(r, o, "amount", p, idx, &bad);
		}
	}
	currency = item_str(r, o, "currency", p, idx, &bad);
	if (amount) {
		if (cxm_amount_parse(amount, &e->amount_micros, why, sizeof(why)))
			item_error(p, idx, "amount", why, &bad);
		e->has_amount = 1;
		if (!currency)
			item_error(p, idx, "currency", T(r, MSG_HTTP_AMOUNT_NEEDS_CURRENCY), &bad);
	}
	if (currency) {
		if (!amount)
			item_error(p, idx, "amount", T(r, MSG_HTTP_CURRENCY_NEEDS_AMOUNT), &bad);
		else if (cxm_currency_normalize(currency, buf, sizeof(buf), why, sizeof(why)))
			item_error(p, idx, "currency", why, &bad);
		else
			e->currency = cxm_arena_strdup(&r->arena, buf);
	}

	{
		const cJSON *props = cJSON_GetObjectItemCaseSensitive(o, "properties");
		if (props && !cJSON_IsNull(props) && !cJSON_IsObject(props)) {
			item_error(p, idx, "properties", T(r, MSG_HTTP_WANT_OBJECT), &bad);
		} else if (props && !cJSON_IsNull(props)) {
			cJSON *copy = cJSON_Duplicate(props, 1);
			cxm_json_sort(copy);
			char *text = cxm_json_print(copy);
			e->properties = cxm_arena_strdup(&r->arena, text);
			free(text);
			cJSON_Delete(copy);
		}
	}
	if (!bad && !e->source_id) {
		cJSON *copy = cJSON_Duplicate(o, 1);
		char id[48];
		cxm_json_sort(copy);
		char *text = cxm_json_print(copy);
		content_id(text, id, sizeof(id));
		free(text);
		cJSON_Delete(copy);
		e->source_id = cxm_arena_strdup(&r->arena, id);
	}
	it->bad = bad;
}

/* ---- the writer's part ------------------------------------------------- */

struct agent_cache {
	const char *name;
	int64_t user_id; /* 0: no such user */
};

static int user_id_cb(const struct cxm_user *u, void *ctx)
{
	*(int64_t *)ctx = u->id;
	return 0;
}

static int merged_cb(const struct cxm_customer *c, void *ctx)
{
	*(int64_t *)ctx = c->merged_into;
	return 0;
}

static void bad_item(struct req *r, struct batch *b, size_t i, const char *field, const char *msg)
{
	problem_item(b->problem, (long)i, field, msg);
	if (!b->items[i].bad)
		b->nbad++;
	b->items[i].bad = true;
	(void)r;
}

static int events_run(struct cxm_store *db, struct wjob *j)
{
	struct req *r = j->ctx;
	struct batch *b = r->data;
	int64_t tenant = r->who.tenant;
	struct agent_cache agents[16];
	size_t nagents = 0, ngood = 0;
	struct cxm_event *ev;
	int ret = 0;

	b->accepted = b->duplicates = b->new_customers = b->scheduled = 0;
	for (size_t i = 0; i < b->n; i++) {
		struct item *it = &b->items[i];
		bool created = false;
		if (it->bad)
			continue;
		/* the customer */
		if (!strcmp(it->kind, "customer_id")) {
			int64_t merged_into = 0;
			ret = cxm_store_customer_get(db, tenant, it->e.customer_id, merged_cb, &merged_into);
			/* a merged customer's events go to the survivor */
			if (!ret && merged_into)
				it->e.customer_id = merged_into;
			/* a manager or agent knows only the ids of customers they
			 * see; an id they do not see is "no such customer" */
			if (!ret && r->who.scoped) {
				bool visible;
				ret = auth_sees_customer(r, db, it->e.customer_id, &visible);
				if (!ret && !visible)
					ret = CXM_ENOTFOUND;
			}
			if (ret == CXM_ENOTFOUND) {
				bad_item(r, b, i, "customer_id", T(r, MSG_HTTP_NO_SUCH_CUSTOMER));
				ret = 0;
				continue;
			}
		} else {
			ret = cxm_store_customer_by_identity(db, tenant, it->kind, it->value, &it->e.customer_id,
							     &created);
			if (ret == CXM_ECONFLICT || ret == CXM_EINVAL) {
				bad_item(r, b, i, it->kind, cxm_store_errmsg(db));
				ret = 0;
				continue;
			}
			if (created)
				b->new_customers++;
		}
		if (ret)
			return ret;
		/* the agent's unit when it happened */
		if (it->e.agent) {
			int64_t uid = -1;
			for (size_t k = 0; k < nagents; k++)
				if (!strcmp(agents[k].name, it->e.agent))
					uid = agents[k].user_id;
			if (uid < 0) {
				uid = 0;
				ret = cxm_store_user_find(db, tenant, it->e.agent, user_id_cb, &uid);
				if (ret && ret != CXM_ENOTFOUND)
					return ret;
				if (nagents < ARRAY_SIZE(agents))
					agents[nagents++] = (struct agent_cache){ it->e.agent, uid };
			}
			if (uid) {
				ret = cxm_store_org_unit_of(db, tenant, CXM_MEMBER_USER, uid, it->e.ts, &it->e.org_unit_id);
				if (ret && ret != CXM_ENOTFOUND)
					return ret;
				ret = 0;
			}
		}
		/* a manager or agent writes only inside their subtree */
		if (r->who.scoped && !principal_sees(&r->who, it->e.org_unit_id, it->e.ts)) {
			bad_item(r, b, i, it->e.agent ? "agent" : it->kind, T(r, MSG_HTTP_OUTSIDE_SCOPE));
			continue;
		}
	}
	if (b->nbad && !b->partial)
		return CXM_EINVAL; /* the savepoint undoes customers created above */
	ev = xmalloc((b->n ? b->n : 1) * sizeof(*ev));
	for (size_t i = 0; i < b->n; i++)
		if (!b->items[i].bad)
			ev[ngood++] = b->items[i].e;
	if (ngood) {
		size_t inserted = 0;
		ret = events_put_live(db, r->srv, tenant, ev, ngood, &inserted, &b->scheduled);
		b->accepted = inserted;
		b->duplicates = ngood - inserted;
	}
	free(ev);
	return ret;
}

static void events_committed(struct wjob *j)
{
	struct req *r = j->ctx;
	struct batch *b = r->data;

	atomic_fetch_add(&r->srv->metrics.events_ingested, b->accepted);
	atomic_fetch_add(&r->srv->metrics.events_duplicate, b->duplicates);
	atomic_fetch_add(&r->srv->metrics.customers_written, b->new_customers);
	if (b->scheduled) {
		atomic_fetch_add(&r->srv->metrics.triggers_scheduled, b->scheduled);
		scheduler_wake(r->srv->scheduler);
	}
}

static int events_finish(struct req *r)
{
	struct batch *b = r->data;
	cJSON *o;

	if (r->job.rc == CXM_EINVAL && b->nbad) {
		reply_batch_refused(r, b->problem, b->nbad);
		return 0;
	}
	if (job_failed(r)) {
		cJSON_Delete(b->problem);
		return 0;
	}
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "accepted", (double)b->accepted);
	cJSON_AddNumberToObject(o, "duplicates", (double)b->duplicates);
	cJSON_AddNumberToObject(o, "new_customers", (double)b->new_customers);
	reply_batch_accepted(r, o, b->problem, b->partial, b->nbad);
	return 0;
}

size_t events_check(struct req *r, cJSON **items, size_t n, cJSON *problem)
{
	struct batch *b = cxm_arena_alloc(&r->arena, sizeof(*b));

	memset(b, 0, sizeof(*b));
	b->n = n;
	b->items = cxm_arena_alloc(&r->arena, (n ? n : 1) * sizeof(*b->items));
	memset(b->items, 0, (n ? n : 1) * sizeof(*b->items));
	b->problem = problem;
	for (size_t i = 0; i < n; i++) {
		parse_item(r, items[i], (long)i, &b->items[i], b->problem);
		if (b->items[i].bad)
			b->nbad++;
	}
	r->data = b;
	return b->nbad;
}

int api_events_post(struct req *r)
{
	const char *partial = req_query(r, "partial");
	struct batch *b;
	cJSON **items;
	size_t n;

	if (body_items(r, &items, &n))
		return H_DONE;
	events_check(r, items, n, problem_new(r, 422, "invalid-items", MSG_HTTP_INVALID, NULL));
	b = r->data;
	b->partial = partial && (!strcmp(partial, "true") || !strcmp(partial, "1"));
	if (b->nbad && (!b->partial || b->nbad == n)) {
		reply_batch_refused(r, b->problem, b->nbad);
		return H_DONE;
	}
	return req_write_counted(r, events_run, events_finish, events_committed);
}

bool events_item_bad(struct req *r, size_t i)
{
	struct batch *b = r->data;
	return b->items[i].bad;
}

int events_write(struct req *r)
{
	return req_write_counted(r, events_run, events_finish, events_committed);
}
