/*
 * api_surveys.c - /api/v1/surveys (definitions, versions, status) and
 * /api/v1/responses (answers from any channel: one, a batch, NDJSON).
 */
#include "http-internal.h"
#include "cxm/customers.h"
#include "cxm/events.h"
#include "cxm/surveys.h"
#include "cxm/textstore.h"
#include "cxm/time.h"

/* ---- surveys ------------------------------------------------------------- */

static cJSON *survey_json(struct req *r, const struct cxm_survey *sv, bool with_definition)
{
	cJSON *o = cJSON_CreateObject();
	char t[CXM_TIME_BUFSZ], err[64];

	cJSON_AddStringToObject(o, "id", id_str(r, sv->id));
	cJSON_AddStringToObject(o, "name", sv->name);
	cJSON_AddStringToObject(o, "status", sv->status);
	cJSON_AddNumberToObject(o, "version", sv->version);
	cJSON_AddBoolToObject(o, "is_default", sv->is_default);
	cJSON_AddStringToObject(o, "created_at", cxm_time_format(sv->created_at, t));
	cJSON_AddStringToObject(o, "updated_at", cxm_time_format(sv->updated_at, t));
	if (with_definition) {
		cJSON *d = cxm_json_parse(sv->definition, strlen(sv->definition), err, sizeof(err));
		cJSON_AddNumberToObject(o, "definition_version", sv->def_version);
		cJSON_AddItemToObject(o, "definition", d ? d : cJSON_CreateObject());
	}
	return o;
}

struct one_survey {
	struct req *r;
	cJSON *json;
	bool with_definition;
};

static int survey_to_json(const struct cxm_survey *sv, void *ctx)
{
	struct one_survey *o = ctx;
	cJSON *j = survey_json(o->r, sv, o->with_definition);

	if (cJSON_IsArray(o->json))
		cJSON_AddItemToArray(o->json, j);
	else
		o->json = j;
	return 0;
}

struct totals {
	struct req *r;
	cJSON *items;
};

/* Puts a survey's response count on its item (the items have all of it). */
static int total_cb(int64_t survey_id, int64_t n, void *ctx)
{
	struct totals *t = ctx;
	const char *id = id_str(t->r, survey_id);

	for (cJSON *it = t->items->child; it; it = it->next)
		if (!strcmp(cJSON_GetObjectItemCaseSensitive(it, "id")->valuestring, id))
			cJSON_ReplaceItemInObjectCaseSensitive(it, "responses", cJSON_CreateNumber((double)n));
	return 0;
}

/*
 * Every survey; owners, admins, analysts and viewers (who see the tenant's
 * survey statistics) also get each survey's response count, counted in one
 * query.
 */
int api_surveys_list(struct req *r)
{
	struct cxm_store *db = req_db(r);
	bool counts = (r->who.role & (ROLES_TENANT_WIDE | ROLE_VIEWER)) != 0;
	cJSON *o;
	int ret;

	if (!db)
		return H_DONE;
	o = cJSON_CreateObject();
	struct one_survey os = { r, cJSON_AddArrayToObject(o, "items"), false };
	ret = cxm_store_survey_list(db, r->who.tenant, survey_to_json, &os);
	if (!ret && counts) {
		struct totals t = { r, os.json };
		for (cJSON *it = os.json->child; it; it = it->next)
			cJSON_AddNumberToObject(it, "responses", 0);
		ret = cxm_store_survey_response_totals(db, r->who.tenant, total_cb, &t);
	}
	if (ret) {
		cJSON_Delete(o);
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return H_DONE;
	}
	reply_json(r, 200, o);
	return H_DONE;
}

static int path_survey(struct req *r, int64_t *id)
{
	if (parse_id(req_param(r, 0), id)) {
		reply_error(r, 404, "not-found", MSG_HTTP_NOT_FOUND, NULL);
		return -1;
	}
	return 0;
}

static int reply_survey(struct req *r, int64_t id, int version, int status)
{
	struct cxm_store *db = req_db(r);
	struct one_survey os = { r, NULL, true };
	int ret;

	if (!db)
		return H_DONE;
	ret = cxm_store_survey_get(db, r->who.tenant, id, version, survey_to_json, &os);
	if (ret)
		reply_store_error(r, ret, cxm_store_errmsg(db));
	else
		reply_json(r, status, os.json);
	return H_DONE;
}

int api_survey_get(struct req *r)
{
	const char *v = req_query(r, "version");
	int64_t id, version = 0;

	if (path_survey(r, &id))
		return H_DONE;
	if (v && (cxm_parse_i64(v, strlen(v), &version) || version < 1 || version > 1000000)) {
		reply_bad_query(r, "version", T(r, MSG_HTTP_WANT_ID));
		return H_DONE;
	}
	return reply_survey(r, id, (int)version, 200);
}

struct survey_write {
	int64_t id;
	char *name;
	char *definition;
	const char *status;
	int version;
};

/* Checks a definition body; canonical text and name into w, or replies. */
static int read_definition(struct req *r, struct survey_write *w)
{
	cJSON *o = body_json(r);
	struct cxm_survey_def def;
	char field[128], why[300];

	if (!o)
		return -1;
	if (cxm_survey_check(o, &def, field, sizeof(field), why, sizeof(why))) {
		reply_invalid(r, *field ? field : NULL, why);
		return -1;
	}
	w->name = cxm_arena_strdup(&r->arena, def.name);
	cxm_json_sort(o);
	char *text = cxm_json_print(o);
	w->definition = cxm_arena_strdup(&r->arena, text);
	free(text);
	return 0;
}

static int create_run(struct cxm_store *db, struct wjob *j)
{
	struct req *r = j->ctx;
	struct survey_write *w = r->data;
	int ret = cxm_store_survey_create(db, r->who.tenant, w->name, w->definition, false, &w->id);

	if (!ret)
		ret = cxm_store_audit_add(db, r->who.tenant, r->who.actor, "survey.create", id_str(r, w->id), NULL, NULL);
	return ret;
}

static int create_finish(struct req *r)
{
	struct survey_write *w = r->data;

	if (job_failed(r))
		return 0;
	return reply_survey(r, w->id, 0, 201);
}

int api_survey_create(struct req *r)
{
	struct survey_write *w = cxm_arena_alloc(&r->arena, sizeof(*w));

	memset(w, 0, sizeof(*w));
	if (read_definition(r, w))
		return H_DONE;
	r->data = w;
	return req_write(r, create_run, create_finish);
}

static int update_run(struct cxm_store *db, struct wjob *j)
{
	struct req *r = j->ctx;
	struct survey_write *w = r->data;
	char detail[48];
	int ret = cxm_store_survey_update(db, r->who.tenant, w->id, w->name, w->definition, &w->version);

	snprintf(detail, sizeof(detail), "{\"version\":%d}", w->version);
	if (!ret)
		ret = cxm_store_audit_add(db, r->who.tenant, r->who.actor, "survey.update", id_str(r, w->id), detail,
					  NULL);
	return ret;
}

static int update_finish(struct req *r)
{
	struct survey_write *w = r->data;

	if (job_failed(r))
		return 0;
	return reply_survey(r, w->id, 0, 200);
}

int api_survey_update(struct req *r)
{
	struct survey_write *w = cxm_arena_alloc(&r->arena, sizeof(*w));

	memset(w, 0, sizeof(*w));
	if (path_survey(r, &w->id) || read_definition(r, w))
		return H_DONE;
	r->data = w;
	return req_write(r, update_run, update_finish);
}

static int status_run(struct cxm_store *db, struct wjob *j)
{
	struct req *r = j->ctx;
	struct survey_write *w = r->data;
	char detail[48];
	int ret = cxm_store_survey_set_status(db, r->who.tenant, w->id, w->status);

	snprintf(detail, sizeof(detail), "{\"status\":\"%s\"}", w->status);
	if (!ret)
		ret = cxm_store_audit_add(db, r->who.tenant, r->who.actor, "survey.status", id_str(r, w->id), detail,
					  NULL);
	return ret;
}

int api_survey_status(struct req *r)
{
	static const char *const keys[] = { "status", NULL };
	struct survey_write *w = cxm_arena_alloc(&r->arena, sizeof(*w));
	cJSON *o, *p;
	const cJSON *st;

	memset(w, 0, sizeof(*w));
	if (path_survey(r, &w->id) || !(o = body_json(r)))
		return H_DONE;
	p = problem_new(r, 422, "invalid", MSG_HTTP_INVALID, NULL);
	if (!cJSON_IsObject(o)) {
		problem_item(p, -1, NULL, T(r, MSG_HTTP_WANT_OBJECT));
	} else {
		check_keys(o, keys, p, -1);
		st = cJSON_GetObjectItemCaseSensitive(o, "status");
		if (!cJSON_IsString(st) || cxm_survey_status_check(st->valuestring)) {
			char why[160];
			snprintf(why, sizeof(why), T(r, MSG_SV_BAD_STATUS), cJSON_IsString(st) ? st->valuestring : "");
			problem_item(p, -1, "status", why);
		} else {
			w->status = cxm_arena_strdup(&r->arena, st->valuestring);
		}
	}
	if (cJSON_GetObjectItemCaseSensitive(p, "errors")) {
		reply_problem(r, p);
		return H_DONE;
	}
	cJSON_Delete(p);
	r->data = w;
	return req_write(r, status_run, update_finish);
}

/* ---- responses ----------------------------------------------------------- */

struct rsp_item {
	struct cxm_response_in in;
	bool bad;
	struct cxm_response_out out;
};

struct rsp_batch {
	struct rsp_item *items;
	size_t n, nbad;
	bool partial;
	cJSON *problem;
	size_t inserted, updated, duplicates, new_customers;
};

static const char *const response_keys[] = { "id",	 "survey",   "customer_id", "external_id", "email",
					     "phone",	 "identity", "channel",	    "touchpoint",  "event_id",
					     "agent",	 "ts",	     "language",    "answers",	   "comment",
					     NULL };

static void parse_response(struct req *r, const cJSON *o, long idx, struct rsp_item *it, cJSON *p)
{
	struct cxm_response_in *in = &it->in;
	const char *s;
	char why[200], buf[64];
	bool bad = false;
	int named = 0;

	if (!cJSON_IsObject(o)) {
		item_error(p, idx, NULL, T(r, MSG_HTTP_WANT_OBJECT), &it->bad);
		return;
	}
	if (check_keys(o, response_keys, p, idx))
		bad = true;
	s = item_str(r, o, "id", p, idx, &bad);
	if (s && (cxm_text_check(s, CXM_SOURCE_ID_MAX, why, sizeof(why)) || !*s))
		item_error(p, idx, "id", *s ? why : T(r, MSG_HTTP_EMPTY), &bad);
	in->source_id = s;
	s = item_str(r, o, "survey", p, idx, &bad);
	if (s && parse_id(s, &in->survey_id))
		in->survey_name = s; /* a name, not an id */

	/* the customer, or nobody (anonymous) */
	static const char *const by[] = { "customer_id", "external_id", "email", "phone" };
	for (size_t i = 0; i < ARRAY_SIZE(by); i++) {
		if (!(s = item_str(r, o, by[i], p, idx, &bad)))
			continue;
		named++;
		if (i == 0) {
			if (parse_id(s, &in->customer_id))
				item_error(p, idx, by[i], T(r, MSG_HTTP_WANT_ID), &bad);
		} else {
			in->customer_kind = by[i];
			in->customer_value = identity_value(r, by[i], s, why, sizeof(why));
			if (!in->customer_value)
				item_error(p, idx, by[i], why, &bad);
			else if (i == 1 && cxm_text_check(s, CXM_EXTERNAL_ID_MAX, why, sizeof(why)))
				item_error(p, idx, by[i], why, &bad);
		}
	}
	const cJSON *idn = cJSON_GetObjectItemCaseSensitive(o, "identity");
	if (idn && !cJSON_IsNull(idn)) {
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(idn, "kind"), *v = cJSON_GetObjectItemCaseSensitive(idn, "value");
		named++;
		if (!cJSON_IsObject(idn) || !cJSON_IsString(k) || !cJSON_IsString(v) || !*v->valuestring ||
		    cxm_identity_kind_check(k->valuestring, why, sizeof(why)) ||
		    cxm_text_check(v->valuestring, CXM_IDENTITY_MAX, why, sizeof(why))) {
			item_error(p, idx, "identity", T(r, MSG_HTTP_WANT_IDENTITY), &bad);
		} else {
			in->customer_kind = k->valuestring;
			in->customer_value = identity_value(r, k->valuestring, v->valuestring, why, sizeof(why));
			if (!in->customer_value)
				item_error(p, idx, "identity", why, &bad);
		}
	}
	if (named > 1)
		item_error(p, idx, "customer_id", T(r, MSG_HTTP_ONE_CUSTOMER_KEY), &bad);

	s = item_str(r, o, "channel", p, idx, &bad);
	if (!s)
		item_error(p, idx, "channel", T(r, MSG_HTTP_REQUIRED), &bad);
	else if (cxm_channel_normalize(s, buf, sizeof(buf), why, sizeof(why)))
		item_error(p, idx, "channel", why, &bad);
	else
		in->channel = cxm_arena_strdup(&r->arena, buf);
	s = item_str(r, o, "ts", p, idx, &bad);
	if (!s)
		in->ts = cxm_now_us();
	else if (cxm_time_parse(s, strlen(s), &in->ts))
		item_error(p, idx, "ts", T(r, MSG_HTTP_WANT_TIME), &bad);
	in->touchpoint = item_text(r, o, "touchpoint", CXM_TOUCHPOINT_MAX, p, idx, &bad);
	in->agent = item_text(r, o, "agent", 64, p, idx, &bad);
	s = item_str(r, o, "event_id", p, idx, &bad);
	if (s && parse_id(s, &in->event_id))
		item_error(p, idx, "event_id", T(r, MSG_HTTP_WANT_ID), &bad);
	s = item_str(r, o, "language", p, idx, &bad);
	if (s && cxm_language_normalize(s, buf, sizeof(buf), why, sizeof(why)))
		item_error(p, idx, "language", why, &bad);
	else if (s)
		in->language = cxm_arena_strdup(&r->arena, buf);
	s = item_str(r, o, "comment", p, idx, &bad);
	in->comment = s;
	const cJSON *answers = cJSON_GetObjectItemCaseSensitive(o, "answers");
	if (answers && !cJSON_IsNull(answers) && !cJSON_IsObject(answers))
		item_error(p, idx, "answers", T(r, MSG_HTTP_WANT_OBJECT), &bad);
	else
		in->answers = answers;
	if (!bad && !in->source_id) {
		/* no id: one from the content, so a retry is a duplicate */
		cJSON *copy = cJSON_Duplicate(o, 1);
		cxm_json_sort(copy);
		char *text = cxm_json_print(copy), id[48];
		uint64_t h1 = 1469598103934665603ull, h2 = 0x6c62272e07bb0142ull;
		for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
			h1 = (h1 ^ *c) * 1099511628211ull;
			h2 = (h2 ^ *c) * 0x100000001b3ull + 0x9e3779b97f4a7c15ull;
		}
		snprintf(id, sizeof(id), "rsp:%016llx%016llx", (unsigned long long)h1, (unsigned long long)h2);
		free(text);
		cJSON_Delete(copy);
		in->source_id = cxm_arena_strdup(&r->arena, id);
	}
	it->bad = bad;
}

static int responses_run(struct cxm_store *db, struct wjob *j)
{
	struct req *r = j->ctx;
	struct rsp_batch *b = r->data;

	b->inserted = b->updated = b->duplicates = b->new_customers = 0;
	for (size_t i = 0; i < b->n; i++) {
		struct rsp_item *it = &b->items[i];
		char field[96], why[300];
		int ret;
		if (it->bad)
			continue;
		/* each response on its own, so that with ?partial=true a bad one
		 * leaves nothing behind (not even a customer it created) */
		if ((ret = cxm_store_savepoint(db)))
			return ret;
		ret = cxm_response_submit(db, r->who.tenant, &it->in, &it->out, field, sizeof(field), why, sizeof(why));
		if (!ret && r->who.scoped && !principal_sees(&r->who, it->out.org_unit_id, it->in.ts)) {
			cxm_strlcpy(field, it->in.agent ? "agent" : "channel", sizeof(field));
			cxm_strlcpy(why, T(r, MSG_HTTP_OUTSIDE_SCOPE), sizeof(why));
			ret = CXM_EINVAL;
		}
		if (ret == CXM_EINVAL || ret == CXM_ENOTFOUND || ret == CXM_ECONFLICT) {
			if (cxm_store_savepoint_rollback(db))
				return CXM_ESTORE;
			problem_item(b->problem, (long)i, *field ? field : NULL, why);
			it->bad = true;
			b->nbad++;
			continue;
		}
		if (ret) {
			cxm_store_savepoint_rollback(db);
			return ret;
		}
		if ((ret = cxm_store_savepoint_release(db)))
			return ret;
		b->inserted += it->out.result == CXM_PUT_INSERTED;
		b->updated += it->out.result == CXM_PUT_UPDATED;
		b->duplicates += it->out.result == CXM_PUT_UNCHANGED;
		b->new_customers += it->out.new_customer;
	}
	return b->nbad && !b->partial ? CXM_EINVAL : 0;
}

static int responses_finish(struct req *r)
{
	struct rsp_batch *b = r->data;
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
	cJSON_AddNumberToObject(o, "accepted", (double)b->inserted);
	cJSON_AddNumberToObject(o, "updated", (double)b->updated);
	cJSON_AddNumberToObject(o, "duplicates", (double)b->duplicates);
	cJSON_AddNumberToObject(o, "new_customers", (double)b->new_customers);
	reply_batch_accepted(r, o, b->problem, b->partial, b->nbad);
	return 0;
}

int api_responses_post(struct req *r)
{
	const char *partial = req_query(r, "partial");
	struct rsp_batch *b;
	cJSON **items;
	size_t n;

	if (body_items(r, &items, &n))
		return H_DONE;
	b = cxm_arena_alloc(&r->arena, sizeof(*b));
	memset(b, 0, sizeof(*b));
	b->partial = partial && (!strcmp(partial, "true") || !strcmp(partial, "1"));
	b->n = n;
	b->items = cxm_arena_alloc(&r->arena, n * sizeof(*b->items));
	memset(b->items, 0, n * sizeof(*b->items));
	b->problem = problem_new(r, 422, "invalid-items", MSG_HTTP_INVALID, NULL);
	for (size_t i = 0; i < n; i++) {
		parse_response(r, items[i], (long)i, &b->items[i], b->problem);
		b->nbad += b->items[i].bad;
	}
	if (b->nbad && (!b->partial || b->nbad == n)) {
		reply_batch_refused(r, b->problem, b->nbad);
		return H_DONE;
	}
	r->data = b;
	return req_write(r, responses_run, responses_finish);
}

struct rpage {
	struct req *r;
	cJSON *items;
	int n;
	int64_t last_ts, last_id;
	/* what masking needs once the query is over (no query runs inside
	 * one): each item shown, with its survey version */
	struct shown {
		cJSON *o;
		int64_t survey;
		int version;
	} *shown;
	int nshown;
};

/* The stored analysis of a response's comment (issue 6). */
static cJSON *response_text_json(const struct cxm_response *x)
{
	cJSON *t = cJSON_CreateObject();
	const char *lists[3] = { x->text_emotions, x->text_reasons, x->themes };
	static const char *const names[3] = { "emotions", "reasons", "themes" };

	cJSON_AddStringToObject(t, "lang", x->text_lang);
	cJSON_AddNumberToObject(t, "score", x->text_score / 10000.0);
	cJSON_AddStringToObject(t, "label", x->text_label ? x->text_label : "neutral");
	for (int i = 0; i < 3; i++)
		json_add_words(t, names[i], lists[i]);
	return t;
}

static int response_to_json(const struct cxm_response *x, void *ctx)
{
	struct rpage *pg = ctx;
	struct req *r = pg->r;
	cJSON *o, *a;
	char t[CXM_TIME_BUFSZ], err[64];

	pg->n++;
	pg->last_ts = x->ts;
	pg->last_id = x->id;
	if (!principal_sees(&r->who, x->org_unit_id, x->ts))
		return 0;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", x->source_id);
	cJSON_AddStringToObject(o, "response_id", id_str(r, x->id));
	cJSON_AddStringToObject(o, "survey_id", id_str(r, x->survey_id));
	cJSON_AddNumberToObject(o, "version", x->version);
	if (x->customer_id)
		cJSON_AddStringToObject(o, "customer_id", id_str(r, x->customer_id));
	else
		cJSON_AddNullToObject(o, "customer_id");
	cJSON_AddStringToObject(o, "channel", x->channel);
	if (x->touchpoint)
		cJSON_AddStringToObject(o, "touchpoint", x->touchpoint);
	if (x->agent)
		cJSON_AddStringToObject(o, "agent", x->agent);
	if (x->org_unit_id)
		cJSON_AddStringToObject(o, "org_unit_id", id_str(r, x->org_unit_id));
	if (x->event_id)
		cJSON_AddStringToObject(o, "event_id", id_str(r, x->event_id));
	if (x->language)
		cJSON_AddStringToObject(o, "language", x->language);
	cJSON_AddStringToObject(o, "ts", cxm_time_format(x->ts, t));
	if (x->nps >= 0)
		cJSON_AddNumberToObject(o, "nps", x->nps);
	if (x->csat >= 0)
		cJSON_AddNumberToObject(o, "csat", x->csat);
	if (x->ces >= 0)
		cJSON_AddNumberToObject(o, "ces", x->ces);
	if (x->comment)
		cJSON_AddStringToObject(o, "comment", x->comment);
	a = x->answers ? cxm_json_parse(x->answers, strlen(x->answers), err, sizeof(err)) : NULL;
	cJSON_AddItemToObject(o, "answers", a ? a : cJSON_CreateObject());
	cJSON_AddBoolToObject(o, "complete", x->complete);
	if (x->text_lang)
		cJSON_AddItemToObject(o, "text", response_text_json(x));
	cJSON_AddItemToArray(pg->items, o);
	pg->shown[pg->nshown++] = (struct shown){ o, x->survey_id, x->version };
	return 0;
}

/* Replaces the string o[name] (if any) by its masked text. */
static void mask_member(cJSON *o, const char *name)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (cJSON_IsString(v)) {
		char *masked = cxm_text_mask_pii(v->valuestring);
		cJSON_ReplaceItemInObjectCaseSensitive(o, name, cJSON_CreateString(masked));
		free(masked);
	}
}

/* The tenant's PII policy over the comments and free-text answers shown
 * (docs/text.md "Personal data"). */
static int mask_shown(struct cxm_store *db, int64_t tenant, struct rpage *pg)
{
	struct cxm_text_questions *q;
	bool mask;
	int ret = cxm_text_pii_masked(db, tenant, &mask);

	if (ret || !mask)
		return ret;
	q = cxm_text_questions_new();
	for (int i = 0; i < pg->nshown && !ret; i++) {
		cJSON *answers = cJSON_GetObjectItemCaseSensitive(pg->shown[i].o, "answers");
		char *const *ids;
		size_t n;

		mask_member(pg->shown[i].o, "comment");
		if ((ret = cxm_text_questions_get(db, tenant, q, pg->shown[i].survey, pg->shown[i].version, &ids, &n)))
			break;
		for (size_t k = 0; k < n; k++)
			mask_member(answers, ids[k]);
	}
	cxm_text_questions_free(q);
	return ret;
}

int api_responses_list(struct req *r)
{
	struct cxm_store *db = req_db(r);
	const char *survey = req_query(r, "survey");
	int limit = query_limit(r, 50, 500), ret;
	int64_t survey_id = 0, from, to, before_ts = CXM_TIME_MAX, before_id = INT64_MAX;
	cJSON *o;

	if (!db || limit < 0 || query_time(r, "from", INT64_MIN, &from) || query_time(r, "to", CXM_TIME_MAX, &to))
		return H_DONE;
	if (survey && parse_id(survey, &survey_id)) {
		reply_bad_query(r, "survey", T(r, MSG_HTTP_WANT_ID));
		return H_DONE;
	}
	if (query_cursor2(r, &before_ts, &before_id))
		return H_DONE;
	struct cxm_response_filter f = { .survey_id = survey_id, .from = from, .to = to, .complete = -1 };
	const char *complete = req_query(r, "complete"), *channel = req_query(r, "channel");
	if (complete && strcmp(complete, "true") && strcmp(complete, "false")) {
		reply_bad_query(r, "complete", T(r, MSG_SV_WANT_BOOL));
		return H_DONE;
	}
	if (complete)
		f.complete = !strcmp(complete, "true");
	if (channel) {
		char why[200];
		if (cxm_event_type_check(channel, why, sizeof(why))) {
			reply_bad_query(r, "channel", why);
			return H_DONE;
		}
		f.channel = channel;
	}
	o = cJSON_CreateObject();
	struct rpage pg = { r, cJSON_AddArrayToObject(o, "items"), 0, 0, 0, NULL, 0 };
	pg.shown = xcalloc(limit ? (size_t)limit : 1, sizeof(*pg.shown));
	ret = cxm_store_response_find(db, r->who.tenant, &f, before_ts, before_id, limit, response_to_json, &pg);
	if (!ret)
		ret = mask_shown(db, r->who.tenant, &pg);
	free(pg.shown);
	if (ret) {
		cJSON_Delete(o);
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return H_DONE;
	}
	if (pg.n == limit)
		add_cursor2(o, pg.last_ts, pg.last_id);
	reply_json(r, 200, o);
	return H_DONE;
}

/* ---- the tenant's survey settings (contact fatigue) ---------------------- */

int api_survey_settings_get(struct req *r)
{
	struct cxm_store *db = req_db(r);
	char *stored = NULL;
	int ret;

	if (!db)
		return H_DONE;
	if ((ret = cxm_store_setting_get(db, r->who.tenant, "surveys", &stored))) {
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return H_DONE;
	}
	reply_json(r, 200, cxm_survey_settings(stored));
	free(stored);
	return H_DONE;
}

int api_survey_settings_put(struct req *r)
{
	cJSON *o = body_json(r), *full;
	char field[96], why[300];

	if (!o)
		return H_DONE;
	if (cxm_survey_settings_check(o, field, sizeof(field), why, sizeof(why))) {
		reply_invalid(r, *field ? field : NULL, why);
		return H_DONE;
	}
	char *text = cxm_json_print(o);
	full = cxm_survey_settings(text);
	free(text);
	cxm_json_sort(full);
	int ret = setting_write(r, "surveys", "settings.surveys", full, api_survey_settings_get);
	cJSON_Delete(full);
	return ret;
}
