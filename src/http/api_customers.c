/*
 * api_customers.c - /api/v1/customers: create or update, read, search,
 * merge, and the customer's timeline.
 */
#include "http-internal.h"
#include "cxm/customers.h"
#include "cxm/events.h"
#include "cxm/id.h"
#include "cxm/time.h"

char *id_str(struct req *r, int64_t id)
{
	char buf[CXM_ID_BUFSZ];

	snprintf(buf, sizeof(buf), "%lld", (long long)id);
	return cxm_arena_strdup(&r->arena, buf);
}

static void add_str(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static void add_time(cJSON *o, const char *k, int64_t us)
{
	char t[CXM_TIME_BUFSZ];
	cJSON_AddStringToObject(o, k, cxm_time_format(us, t));
}

static const char *const consent_keys[CXM_CONSENT_N + 1] = { "email", "sms", "phone", "whatsapp", NULL };

cJSON *customer_json(struct req *r, const struct cxm_customer *c)
{
	cJSON *o = cJSON_CreateObject(), *consent = cJSON_CreateObject(), *attrs;
	char err[64];

	cJSON_AddStringToObject(o, "id", id_str(r, c->id));
	add_str(o, "external_id", c->external_id);
	add_str(o, "first_name", c->first_name);
	add_str(o, "last_name", c->last_name);
	add_str(o, "email", c->email);
	add_str(o, "phone", c->phone);
	add_str(o, "language", c->language);
	add_str(o, "country", c->country);
	for (int i = 0; i < CXM_CONSENT_N; i++)
		if (c->consent[i])
			cJSON_AddStringToObject(consent, consent_keys[i], cxm_consent_name(c->consent[i]));
	cJSON_AddItemToObject(o, "consent", consent);
	attrs = c->attributes ? cxm_json_parse(c->attributes, strlen(c->attributes), err, sizeof(err)) : NULL;
	cJSON_AddItemToObject(o, "attributes", attrs ? attrs : cJSON_CreateObject());
	add_time(o, "created_at", c->created_at);
	add_time(o, "updated_at", c->updated_at);
	if (c->merged_into)
		cJSON_AddStringToObject(o, "merged_into", id_str(r, c->merged_into));
	return o;
}

cJSON *event_json(struct req *r, const struct cxm_event *e)
{
	cJSON *o = cJSON_CreateObject(), *props;
	char err[64], amount[32];

	cJSON_AddStringToObject(o, "id", e->source_id);
	cJSON_AddStringToObject(o, "event_id", id_str(r, e->id));
	cJSON_AddStringToObject(o, "customer_id", id_str(r, e->customer_id));
	cJSON_AddStringToObject(o, "type", e->type);
	cJSON_AddStringToObject(o, "channel", e->channel);
	add_str(o, "touchpoint", e->touchpoint);
	add_str(o, "agent", e->agent);
	if (e->org_unit_id)
		cJSON_AddStringToObject(o, "org_unit_id", id_str(r, e->org_unit_id));
	else
		cJSON_AddNullToObject(o, "org_unit_id");
	add_time(o, "ts", e->ts);
	if (e->has_amount) {
		cJSON_AddStringToObject(o, "amount", cxm_amount_format(e->amount_micros, amount, sizeof(amount)));
		add_str(o, "currency", e->currency);
	}
	props = e->properties ? cxm_json_parse(e->properties, strlen(e->properties), err, sizeof(err)) : NULL;
	cJSON_AddItemToObject(o, "properties", props ? props : cJSON_CreateObject());
	return o;
}

const char *identity_value(struct req *r, const char *kind, const char *value, char *why, size_t whylen)
{
	char out[CXM_IDENTITY_MAX + 4];

	if (!strcmp(kind, "email")) {
		if (cxm_email_normalize(value, out, sizeof(out), why, whylen))
			return NULL;
		return cxm_arena_strdup(&r->arena, out);
	}
	if (!strcmp(kind, "phone")) {
		if (cxm_phone_normalize(value, out, sizeof(out), why, whylen))
			return NULL;
		return cxm_arena_strdup(&r->arena, out);
	}
	return value;
}

/* ---- reading ------------------------------------------------------------ */

struct one_customer {
	struct req *r;
	cJSON *json;
	int64_t merged_into;
};

static int customer_to_json(const struct cxm_customer *c, void *ctx)
{
	struct one_customer *oc = ctx;

	oc->json = customer_json(oc->r, c);
	oc->merged_into = c->merged_into;
	return 0;
}

static int identity_to_json(const struct cxm_identity *idn, void *ctx)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "kind", idn->kind);
	cJSON_AddStringToObject(o, "value", idn->value);
	cJSON_AddItemToArray(ctx, o);
	return 0;
}

/* The customer as JSON with identities, or NULL with a reply set (404
 * also when the caller may not see the customer). */
static cJSON *load_customer(struct req *r, struct cxm_store *db, int64_t id)
{
	struct one_customer oc = { r, NULL, 0 };
	bool visible = true;
	int ret = cxm_store_customer_get(db, r->who.tenant, id, customer_to_json, &oc);

	if (!ret)
		ret = auth_sees_customer(r, db, id, &visible);
	if (!ret && !visible)
		ret = CXM_ENOTFOUND;
	if (!ret) {
		cJSON *ids = cJSON_AddArrayToObject(oc.json, "identities");
		ret = cxm_store_identity_list(db, r->who.tenant, id, identity_to_json, ids);
	}
	if (ret) {
		cJSON_Delete(oc.json);
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return NULL;
	}
	return oc.json;
}

static int path_id(struct req *r, int64_t *id)
{
	if (parse_id(req_param(r, 0), id)) {
		/* not an id of ours: nothing has it */
		reply_error(r, 404, "not-found", MSG_HTTP_NOT_FOUND, NULL);
		return -1;
	}
	return 0;
}

int api_customer_get(struct req *r)
{
	struct cxm_store *db = req_db(r);
	int64_t id;
	cJSON *c;

	if (!db || path_id(r, &id))
		return H_DONE;
	if ((c = load_customer(r, db, id)))
		reply_json(r, 200, c);
	return H_DONE;
}

struct list_ctx {
	struct req *r;
	cJSON *items;
	int64_t last_id;
	int n;
	int64_t *ids;
	cJSON **json;
};

static int list_row(const struct cxm_customer *c, void *ctx)
{
	struct list_ctx *l = ctx;

	l->ids[l->n] = c->id;
	l->json[l->n] = customer_json(l->r, c);
	l->n++;
	l->last_id = c->id;
	return 0;
}

int api_customer_list(struct req *r)
{
	struct cxm_store *db = req_db(r);
	const char *q = req_query(r, "q"), *cursor = req_query(r, "cursor");
	int limit = query_limit(r, 50, 500), kept = 0;
	int64_t after = 0;
	cJSON *o, *items;
	bool more = false;
	char why[160];

	if (!db || limit < 0)
		return H_DONE;
	if (cursor && parse_id(cursor, &after)) {
		reply_bad_query(r, "cursor", T(r, MSG_HTTP_BAD_CURSOR));
		return H_DONE;
	}
	if (q && cxm_text_check(q, 200, why, sizeof(why))) {
		reply_bad_query(r, "q", why);
		return H_DONE;
	}
	o = cJSON_CreateObject();
	items = cJSON_AddArrayToObject(o, "items");
	/* scoped callers see a subset: read pages until this one is full,
	 * within a bound so a search cannot scan forever; when the bound is
	 * reached the answer has fewer items and a cursor to go on from */
	bool exhausted = false;
	for (int round = 0; round < 20 && kept < limit; round++) {
		int want = limit + 1;
		struct list_ctx l = { r, items, after, 0, NULL, NULL };
		l.ids = cxm_arena_alloc(&r->arena, (size_t)want * sizeof(*l.ids));
		l.json = cxm_arena_alloc(&r->arena, (size_t)want * sizeof(*l.json));
		int ret = cxm_store_customer_search(db, r->who.tenant, q, after, want, list_row, &l);
		if (ret) {
			for (int i = 0; i < l.n; i++)
				cJSON_Delete(l.json[i]);
			cJSON_Delete(o);
			reply_store_error(r, ret, cxm_store_errmsg(db));
			return H_DONE;
		}
		for (int i = 0; i < l.n; i++) {
			bool visible = true;
			if (kept == limit) {
				more = true;
				cJSON_Delete(l.json[i]);
				continue;
			}
			if (r->who.scoped && auth_sees_customer(r, db, l.ids[i], &visible))
				visible = false;
			after = l.ids[i];
			if (visible) {
				cJSON_AddItemToArray(items, l.json[i]);
				kept++;
			} else {
				cJSON_Delete(l.json[i]);
			}
		}
		if (l.n < want) {
			exhausted = true;
			break;
		}
		if (kept == limit)
			more = true;
	}
	if (!exhausted && kept < limit)
		more = true;
	if (more)
		cJSON_AddStringToObject(o, "next_cursor", id_str(r, after));
	reply_json(r, 200, o);
	return H_DONE;
}

struct page_ctx {
	struct req *r;
	cJSON *items;
	int n;
	int64_t last_ts, last_id;
};

static int page_row(const struct cxm_event *e, void *ctx)
{
	struct page_ctx *p = ctx;

	p->n++;
	p->last_ts = e->ts;
	p->last_id = e->id;
	if (principal_sees(&p->r->who, e->org_unit_id, e->ts))
		cJSON_AddItemToArray(p->items, event_json(p->r, e));
	return 0;
}

int api_customer_events(struct req *r)
{
	struct cxm_store *db = req_db(r);
	int limit = query_limit(r, 50, 500);
	int64_t id, before_ts = CXM_TIME_MAX, before_id = INT64_MAX;
	bool visible = true;
	cJSON *o;
	int ret;

	if (!db || limit < 0 || path_id(r, &id))
		return H_DONE;
	if (query_cursor2(r, &before_ts, &before_id))
		return H_DONE;
	ret = cxm_store_customer_get(db, r->who.tenant, id, NULL, NULL);
	if (!ret)
		ret = auth_sees_customer(r, db, id, &visible);
	if (!ret && !visible)
		ret = CXM_ENOTFOUND;
	if (ret) {
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return H_DONE;
	}
	o = cJSON_CreateObject();
	struct page_ctx p = { r, cJSON_AddArrayToObject(o, "items"), 0, 0, 0 };
	ret = cxm_store_event_page_customer(db, r->who.tenant, id, before_ts, before_id, limit, page_row, &p);
	if (ret) {
		cJSON_Delete(o);
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return H_DONE;
	}
	if (p.n == limit)
		add_cursor2(o, p.last_ts, p.last_id);
	reply_json(r, 200, o);
	return H_DONE;
}

/* ---- writing ------------------------------------------------------------ */

struct put_state {
	struct cxm_customer c;
	struct cxm_identity *extra;
	size_t nextra;
	int64_t id;
	enum cxm_put_result result;
	bool outside; /* a scoped caller named a customer outside their subtree */
	/* merge */
	int64_t merged;
	int64_t merge_id;
};

static const char *const customer_keys[] = { "external_id", "first_name", "last_name", "email",	     "phone",
					     "language",    "country",	  "consent",   "attributes", "identities",
					     NULL };

/* A string field: absent or null gives NULL; other types are an error. */
static int str_field(const cJSON *o, const char *k, const char **out, cJSON *p, struct req *r)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v)) {
		problem_item(p, -1, k, T(r, MSG_HTTP_WANT_STRING));
		return -1;
	}
	*out = v->valuestring;
	return 0;
}

static char *norm_field(struct req *r, cJSON *p, const char *field, const char *in,
			int (*fn)(const char *, char *, size_t, char *, size_t))
{
	char out[300], why[200];

	if (!in)
		return NULL;
	if (fn(in, out, sizeof(out), why, sizeof(why))) {
		problem_item(p, -1, field, why);
		return NULL;
	}
	return cxm_arena_strdup(&r->arena, out);
}

static int text_field(cJSON *p, const char *field, const char *v, size_t max)
{
	char why[200];

	if (v && cxm_text_check(v, max, why, sizeof(why))) {
		problem_item(p, -1, field, why);
		return -1;
	}
	return 0;
}

/* Reads a customer object into st; problems go into p. */
static void parse_customer(struct req *r, const cJSON *o, struct put_state *st, cJSON *p)
{
	const char *email, *phone, *lang, *country;
	const cJSON *consent = cJSON_GetObjectItemCaseSensitive(o, "consent");
	const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(o, "attributes");
	const cJSON *ids = cJSON_GetObjectItemCaseSensitive(o, "identities");
	struct cxm_customer *c = &st->c;

	check_keys(o, customer_keys, p, -1);
	str_field(o, "external_id", &c->external_id, p, r);
	str_field(o, "first_name", &c->first_name, p, r);
	str_field(o, "last_name", &c->last_name, p, r);
	text_field(p, "external_id", c->external_id, CXM_EXTERNAL_ID_MAX);
	text_field(p, "first_name", c->first_name, CXM_NAME_MAX);
	text_field(p, "last_name", c->last_name, CXM_NAME_MAX);
	if (!str_field(o, "email", &email, p, r))
		c->email = norm_field(r, p, "email", email, cxm_email_normalize);
	if (!str_field(o, "phone", &phone, p, r))
		c->phone = norm_field(r, p, "phone", phone, cxm_phone_normalize);
	if (!str_field(o, "language", &lang, p, r))
		c->language = norm_field(r, p, "language", lang, cxm_language_normalize);
	if (!str_field(o, "country", &country, p, r))
		c->country = norm_field(r, p, "country", country, cxm_country_normalize);
	if (consent && !cJSON_IsNull(consent)) {
		if (!cJSON_IsObject(consent)) {
			problem_item(p, -1, "consent", T(r, MSG_HTTP_WANT_OBJECT));
		} else {
			check_keys(consent, consent_keys, p, -1);
			for (int i = 0; i < CXM_CONSENT_N; i++) {
				const cJSON *v = cJSON_GetObjectItemCaseSensitive(consent, consent_keys[i]);
				char why[200], field[32];
				int val;
				snprintf(field, sizeof(field), "consent.%s", consent_keys[i]);
				if (!v || cJSON_IsNull(v))
					continue;
				if (cJSON_IsBool(v))
					val = cJSON_IsTrue(v) ? CXM_CONSENT_GRANTED : CXM_CONSENT_DENIED;
				else if (!cJSON_IsString(v) || cxm_consent_parse(v->valuestring, &val, why, sizeof(why))) {
					problem_item(p, -1, field,
						     cJSON_IsString(v) ? why : T(r, MSG_HTTP_WANT_CONSENT));
					continue;
				}
				c->consent[i] = (unsigned char)val;
			}
		}
	}
	if (attrs && !cJSON_IsNull(attrs)) {
		if (!cJSON_IsObject(attrs)) {
			problem_item(p, -1, "attributes", T(r, MSG_HTTP_WANT_OBJECT));
		} else {
			cJSON *copy = cJSON_Duplicate(attrs, 1);
			cxm_json_sort(copy);
			char *text = cxm_json_print(copy);
			c->attributes = cxm_arena_strdup(&r->arena, text);
			free(text);
			cJSON_Delete(copy);
		}
	}
	if (ids && !cJSON_IsNull(ids)) {
		if (!cJSON_IsArray(ids)) {
			problem_item(p, -1, "identities", T(r, MSG_HTTP_WANT_ARRAY));
		} else {
			size_t n = (size_t)cJSON_GetArraySize(ids), k = 0;
			st->extra = cxm_arena_alloc(&r->arena, (n ? n : 1) * sizeof(*st->extra));
			for (const cJSON *it = ids->child; it; it = it->next, k++) {
				const cJSON *kind = cJSON_GetObjectItemCaseSensitive(it, "kind");
				const cJSON *value = cJSON_GetObjectItemCaseSensitive(it, "value");
				char field[48], why[200];
				snprintf(field, sizeof(field), "identities[%zu]", k);
				if (!cJSON_IsObject(it) || !cJSON_IsString(kind) || !cJSON_IsString(value)) {
					problem_item(p, -1, field, T(r, MSG_HTTP_WANT_IDENTITY));
					continue;
				}
				if (cxm_identity_kind_check(kind->valuestring, why, sizeof(why)) ||
				    cxm_text_check(value->valuestring, CXM_IDENTITY_MAX, why, sizeof(why)) ||
				    !*value->valuestring) {
					problem_item(p, -1, field, *value->valuestring ? why : T(r, MSG_HTTP_EMPTY));
					continue;
				}
				st->extra[st->nextra].kind = kind->valuestring;
				st->extra[st->nextra].value = identity_value(r, kind->valuestring, value->valuestring, why,
									     sizeof(why));
				if (!st->extra[st->nextra].value) {
					problem_item(p, -1, field, why);
					continue;
				}
				st->nextra++;
			}
		}
	}
	if (!c->external_id && !c->email && !c->phone && !cJSON_GetObjectItemCaseSensitive(p, "errors"))
		problem_item(p, -1, "external_id", T(r, MSG_HTTP_NEED_CUSTOMER_KEY));
}

void customer_check(struct req *r, const cJSON *body, cJSON *problem)
{
	struct put_state *st = cxm_arena_alloc(&r->arena, sizeof(*st));

	memset(st, 0, sizeof(*st));
	if (!cJSON_IsObject(body)) {
		problem_item(problem, -1, NULL, T(r, MSG_HTTP_WANT_OBJECT));
		return;
	}
	parse_customer(r, body, st, problem);
	r->data = st;
}

/* A manager or agent may create customers, and update those they see. */
static int check_scope(struct req *r, struct cxm_store *db, struct put_state *st)
{
	const char *kinds[] = { "external_id", "email", "phone" };
	const char *values[] = { st->c.external_id, st->c.email, st->c.phone };

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		int64_t id;
		bool visible;
		int ret;
		if (!values[i])
			continue;
		ret = cxm_store_identity_resolve(db, r->who.tenant, kinds[i], values[i], &id);
		if (ret == CXM_ENOTFOUND)
			continue;
		if (!ret)
			ret = auth_sees_customer(r, db, id, &visible);
		if (ret)
			return ret;
		if (!visible) {
			st->outside = true;
			return CXM_EINVAL;
		}
	}
	return 0;
}

static int put_run(struct cxm_store *db, struct wjob *j)
{
	struct req *r = j->ctx;
	struct put_state *st = r->data;
	int ret = r->who.scoped ? check_scope(r, db, st) : 0;

	if (!ret)
		ret = cxm_store_customer_put(db, r->who.tenant, &st->c, &st->id, &st->result);

	for (size_t i = 0; !ret && i < st->nextra; i++) {
		int64_t owner;
		st->extra[i].customer_id = st->id;
		/* an identity the customer has already is fine */
		if (!cxm_store_identity_resolve(db, r->who.tenant, st->extra[i].kind, st->extra[i].value, &owner) &&
		    owner == st->id)
			continue;
		ret = cxm_store_identity_add(db, r->who.tenant, &st->extra[i]);
		if (!ret && st->result == CXM_PUT_UNCHANGED)
			st->result = CXM_PUT_UPDATED;
	}
	return ret;
}

static void put_committed(struct wjob *j)
{
	struct req *r = j->ctx;
	struct put_state *st = r->data;

	if (st->result != CXM_PUT_UNCHANGED)
		atomic_fetch_add(&r->srv->metrics.customers_written, 1);
}

static int put_finish(struct req *r)
{
	struct put_state *st = r->data;
	struct cxm_store *db;
	cJSON *c;

	if (st->outside && !r->job.commit_rc) {
		reply_error(r, 403, "outside-scope", MSG_HTTP_FORBIDDEN, T(r, MSG_HTTP_CUSTOMER_OUTSIDE));
		return 0;
	}
	if (job_failed(r))
		return 0;
	if (!(db = req_db(r)))
		return 0;
	/* the answer shows the customer as stored: a scoped caller only gets
	 * here for a customer they see or have just created */
	struct one_customer oc = { r, NULL, 0 };
	if (cxm_store_customer_get(db, r->who.tenant, st->id, customer_to_json, &oc)) {
		reply_store_error(r, CXM_ESTORE, cxm_store_errmsg(db));
		return 0;
	}
	c = oc.json;
	cxm_store_identity_list(db, r->who.tenant, st->id, identity_to_json, cJSON_AddArrayToObject(c, "identities"));
	cJSON_AddStringToObject(c, "result",
				st->result == CXM_PUT_INSERTED	 ? "created"
				: st->result == CXM_PUT_UPDATED ? "updated"
								 : "unchanged");
	reply_json(r, st->result == CXM_PUT_INSERTED ? 201 : 200, c);
	return 0;
}

int api_customer_post(struct req *r)
{
	cJSON *o = body_json(r), *p;

	if (!o)
		return H_DONE;
	p = problem_new(r, 422, "invalid", MSG_HTTP_INVALID, NULL);
	customer_check(r, o, p);
	if (cJSON_GetObjectItemCaseSensitive(p, "errors")) {
		reply_problem(r, p);
		return H_DONE;
	}
	cJSON_Delete(p);
	return req_write_counted(r, put_run, put_finish, put_committed);
}

static int merge_run(struct cxm_store *db, struct wjob *j)
{
	struct req *r = j->ctx;
	struct put_state *st = r->data;

	char detail[64];
	int ret = cxm_store_customer_merge(db, r->who.tenant, st->id, st->merged, r->who.actor, &st->merge_id);

	snprintf(detail, sizeof(detail), "{\"merged_id\":\"%lld\"}", (long long)st->merged);
	if (!ret)
		ret = cxm_store_audit_add(db, r->who.tenant, r->who.actor, "customer.merge", id_str(r, st->id), detail,
					  NULL);
	return ret;
}

static int merge_finish(struct req *r)
{
	struct put_state *st = r->data;
	struct cxm_store *db;
	cJSON *c;

	if (job_failed(r))
		return 0;
	if (!(db = req_db(r)) || !(c = load_customer(r, db, st->id)))
		return 0;
	cJSON_AddStringToObject(c, "merge_id", id_str(r, st->merge_id));
	reply_json(r, 200, c);
	return 0;
}

int api_customer_merge(struct req *r)
{
	static const char *const keys[] = { "merged_id", NULL };
	cJSON *o, *p;
	const cJSON *m;
	struct put_state *st = cxm_arena_alloc(&r->arena, sizeof(*st));

	memset(st, 0, sizeof(*st));
	if (parse_id(req_param(r, 0), &st->id)) {
		reply_error(r, 404, "not-found", MSG_HTTP_NOT_FOUND, NULL);
		return H_DONE;
	}
	if (!(o = body_json(r)))
		return H_DONE;
	p = problem_new(r, 422, "invalid", MSG_HTTP_INVALID, NULL);
	if (!cJSON_IsObject(o)) {
		problem_item(p, -1, NULL, T(r, MSG_HTTP_WANT_OBJECT));
	} else {
		check_keys(o, keys, p, -1);
		m = cJSON_GetObjectItemCaseSensitive(o, "merged_id");
		if (!cJSON_IsString(m) || parse_id(m->valuestring, &st->merged))
			problem_item(p, -1, "merged_id", T(r, MSG_HTTP_WANT_ID));
	}
	if (cJSON_GetObjectItemCaseSensitive(p, "errors")) {
		reply_problem(r, p);
		return H_DONE;
	}
	cJSON_Delete(p);
	r->data = st;
	return req_write(r, merge_run, merge_finish);
}
