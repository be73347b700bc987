/*
 * api_journeys.c - /api/v1/journeys: a tenant's customer journeys
 * (journey.h, docs/journeys.md). Definitions are checked by
 * cxm_journey_check and stored in their canonical form; every update is a
 * new version whose progress the scheduler rebuilds in the background, so
 * each journey says how far that rebuild has come.
 */
#include "http-internal.h"
#include "cxm/journey.h"
#include "cxm/time.h"

#define LIST_DEFAULT 50
#define LIST_MAX 200

/* The API's view of a stored journey: its record and its definition. */
static cJSON *journey_json(struct req *r, const struct cxm_journey_row *j)
{
	cJSON *o = cJSON_CreateObject(), *def;
	char t[CXM_TIME_BUFSZ], err[64];

	cJSON_AddStringToObject(o, "id", id_str(r, j->id));
	cJSON_AddStringToObject(o, "name", j->name);
	cJSON_AddStringToObject(o, "status", j->status);
	cJSON_AddNumberToObject(o, "version", j->version);
	cJSON_AddNumberToObject(o, "built_version", j->built_version);
	if (j->built_version < j->version && !strcmp(j->status, "active")) {
		cJSON *rb = cJSON_AddObjectToObject(o, "rebuilding");
		cxm_json_add_fixed(rb, "done", j->rebuilt, 2);
	} else {
		cJSON_AddNullToObject(o, "rebuilding");
	}
	cJSON_AddStringToObject(o, "created_at", cxm_time_format(j->created_at, t));
	cJSON_AddStringToObject(o, "updated_at", cxm_time_format(j->updated_at, t));
	def = cxm_json_parse(j->definition, strlen(j->definition), err, sizeof(err));
	if (def)
		cJSON_AddItemToObject(o, "definition", def);
	else
		cJSON_AddNullToObject(o, "definition"); /* the store keeps only checked JSON */
	return o;
}

struct one_journey {
	struct req *r;
	cJSON *json; /* an array to add to, or NULL to be set */
	int n;
	int64_t last_id;
};

static int journey_to_json(const struct cxm_journey_row *j, void *ctx)
{
	struct one_journey *o = ctx;
	cJSON *x = journey_json(o->r, j);

	if (o->json)
		cJSON_AddItemToArray(o->json, x);
	else
		o->json = x;
	o->n++;
	o->last_id = j->id;
	return 0;
}

int api_journeys_list(struct req *r)
{
	const char *cursor = req_query(r, "cursor"), *status = req_query(r, "status");
	int limit = query_limit(r, LIST_DEFAULT, LIST_MAX);
	int64_t after = 0;
	struct cxm_store *db;
	cJSON *o;
	int ret;

	if (limit < 0)
		return H_DONE;
	if (cursor && parse_id(cursor, &after)) {
		reply_bad_query(r, "cursor", T(r, MSG_HTTP_BAD_CURSOR));
		return H_DONE;
	}
	if (status && strcmp(status, "active") && strcmp(status, "all")) {
		reply_bad_query(r, "status", T(r, MSG_JA_BAD_STATUS));
		return H_DONE;
	}
	if (!(db = req_db(r)))
		return H_DONE;
	o = cJSON_CreateObject();
	struct one_journey oj = { r, cJSON_AddArrayToObject(o, "items"), 0, 0 };
	ret = cxm_store_journey_list(db, r->who.tenant, !status || !strcmp(status, "active"), after, limit,
				     journey_to_json, &oj);
	if (ret) {
		cJSON_Delete(o);
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return H_DONE;
	}
	if (oj.n == limit)
		cJSON_AddStringToObject(o, "next_cursor", id_str(r, oj.last_id));
	reply_json(r, 200, o);
	return H_DONE;
}

static int path_journey(struct req *r, int64_t *id)
{
	if (parse_id(req_param(r, 0), id)) {
		reply_error(r, 404, "not-found", MSG_HTTP_NOT_FOUND, NULL);
		return -1;
	}
	return 0;
}

static int reply_journey(struct req *r, int64_t id, int status)
{
	struct cxm_store *db = req_db(r);
	struct one_journey oj = { r, NULL, 0, 0 };
	int ret;

	if (!db)
		return H_DONE;
	if ((ret = cxm_store_journey_get(db, r->who.tenant, id, journey_to_json, &oj))) {
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return H_DONE;
	}
	if (status == 201) {
		char loc[64];
		snprintf(loc, sizeof(loc), "/api/v1/journeys/%s", id_str(r, id));
		req_add_header(r, "Location", loc);
	}
	reply_json(r, status, oj.json);
	return H_DONE;
}

int api_journey_get(struct req *r)
{
	int64_t id;

	if (path_journey(r, &id))
		return H_DONE;
	return reply_journey(r, id, 200);
}

/* ---- writing ------------------------------------------------------------------ */

struct journey_write {
	int64_t id;
	const char *name, *definition; /* arena copies of the canonical form */
	const char *action;
	int version;
	int64_t now;
};

/* Checks the body into w, or replies 422 and returns -1. */
static int read_journey(struct req *r, struct journey_write *w)
{
	cJSON *o = body_json(r), *canon;
	struct cxm_journey_def d;
	char field[160], why[400], *text;

	if (!o)
		return -1;
	if (cxm_journey_check(o, &d, field, sizeof(field), why, sizeof(why))) {
		reply_invalid(r, *field ? field : NULL, why);
		return -1;
	}
	canon = cxm_journey_to_json(&d);
	text = cxm_json_print(canon);
	w->definition = cxm_arena_strdup(&r->arena, text);
	w->name = cxm_arena_strdup(&r->arena, d.name);
	free(text);
	cJSON_Delete(canon);
	w->now = cxm_now_us();
	return 0;
}

static int write_run(struct cxm_store *db, struct wjob *j)
{
	struct req *r = j->ctx;
	struct journey_write *w = r->data;
	int ret;

	if (!strcmp(w->action, "journey.create"))
		ret = cxm_store_journey_create(db, r->who.tenant, w->name, w->definition, w->now, &w->id);
	else
		ret = cxm_store_journey_update(db, r->who.tenant, w->id, w->name, w->definition, w->now, &w->version);
	if (!ret)
		ret = cxm_store_audit_add(db, r->who.tenant, r->who.actor, w->action, id_str(r, w->id), NULL, NULL);
	return ret;
}

static int write_finish(struct req *r)
{
	struct journey_write *w = r->data;

	/* a taken name and the limit of active journeys are the caller's to fix */
	if (r->job.rc == CXM_EEXIST) {
		cJSON *p = problem_new(r, 409, "conflict", MSG_HTTP_CONFLICT, NULL);
		problem_item(p, -1, "name", T(r, MSG_JA_NAME_TAKEN));
		reply_problem(r, p);
		return 0;
	}
	if (r->job.rc == CXM_ETOOBIG) {
		char msg[160];
		snprintf(msg, sizeof(msg), T(r, MSG_JA_TOO_MANY), CXM_JOURNEY_ACTIVE_MAX);
		reply_invalid(r, NULL, msg);
		return 0;
	}
	if (job_failed(r))
		return 0;
	return reply_journey(r, w->id, strcmp(w->action, "journey.create") ? 200 : 201);
}

int api_journey_create(struct req *r)
{
	struct journey_write *w = cxm_arena_alloc(&r->arena, sizeof(*w));

	memset(w, 0, sizeof(*w));
	w->action = "journey.create";
	if (read_journey(r, w))
		return H_DONE;
	r->data = w;
	return req_write(r, write_run, write_finish);
}

int api_journey_update(struct req *r)
{
	struct journey_write *w = cxm_arena_alloc(&r->arena, sizeof(*w));

	memset(w, 0, sizeof(*w));
	w->action = "journey.update";
	if (path_journey(r, &w->id) || read_journey(r, w))
		return H_DONE;
	r->data = w;
	return req_write(r, write_run, write_finish);
}

static int archive_run(struct cxm_store *db, struct wjob *j)
{
	struct req *r = j->ctx;
	int64_t id = *(int64_t *)r->data;
	int ret = cxm_store_journey_archive(db, r->who.tenant, id, cxm_now_us());

	if (ret == CXM_ECONFLICT)   /* archived already: DELETE is idempotent, nothing to audit */
		return 0;
	if (!ret)
		ret = cxm_store_audit_add(db, r->who.tenant, r->who.actor, "journey.archive", id_str(r, id), NULL, NULL);
	return ret;
}

static int archive_finish(struct req *r)
{
	if (!job_failed(r))
		reply_empty(r, 204);
	return 0;
}

int api_journey_delete(struct req *r)
{
	int64_t *id = cxm_arena_alloc(&r->arena, sizeof(*id));

	if (path_journey(r, id))
		return H_DONE;
	r->data = id;
	return req_write(r, archive_run, archive_finish);
}
