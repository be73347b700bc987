/*
 * api_triggers.c - /api/v1/triggers: triggers that schedule an invitation
 * when an event arrives (triggers.h), and what became of each invitation
 * they scheduled. scheduler.c does the scheduling and the sending.
 */
#include "http-internal.h"
#include "cxm/time.h"
#include "cxm/triggers.h"

static cJSON *trigger_json(struct req *r, const struct cxm_trigger *t)
{
	cJSON *o = cJSON_CreateObject(), *on, *cond;
	char buf[CXM_TIME_BUFSZ], err[64];

	cJSON_AddStringToObject(o, "id", id_str(r, t->id));
	cJSON_AddStringToObject(o, "name", t->name);
	cJSON_AddStringToObject(o, "survey_id", id_str(r, t->survey_id));
	on = cJSON_AddObjectToObject(o, "on");
	cJSON_AddStringToObject(on, "type", t->event_type);
	if (t->event_channel)
		cJSON_AddStringToObject(on, "channel", t->event_channel);
	cond = t->conditions ? cxm_json_parse(t->conditions, strlen(t->conditions), err, sizeof(err)) : NULL;
	if (cond && cond->child)
		cJSON_AddItemToObject(on, "properties", cond);
	else
		cJSON_Delete(cond);
	cJSON_AddStringToObject(o, "delay", cxm_trigger_delay_format(t->delay_seconds, buf, sizeof(buf)));
	cJSON_AddNumberToObject(o, "delay_seconds", (double)t->delay_seconds);
	cJSON_AddStringToObject(o, "channel", t->channel);
	cJSON_AddBoolToObject(o, "active", t->active);
	cJSON_AddStringToObject(o, "created_at", cxm_time_format(t->created_at, buf));
	cJSON_AddStringToObject(o, "updated_at", cxm_time_format(t->updated_at, buf));
	return o;
}

struct one_trigger {
	struct req *r;
	cJSON *json; /* an array to add to, or NULL to be set */
};

static int trigger_to_json(const struct cxm_trigger *t, void *ctx)
{
	struct one_trigger *o = ctx;
	cJSON *j = trigger_json(o->r, t);

	if (o->json)
		cJSON_AddItemToArray(o->json, j);
	else
		o->json = j;
	return 0;
}

int api_triggers_list(struct req *r)
{
	struct cxm_store *db = req_db(r);
	cJSON *o;
	int ret;

	if (!db)
		return H_DONE;
	o = cJSON_CreateObject();
	struct one_trigger ot = { r, cJSON_AddArrayToObject(o, "items") };
	if ((ret = cxm_store_trigger_list(db, r->who.tenant, false, trigger_to_json, &ot))) {
		cJSON_Delete(o);
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return H_DONE;
	}
	reply_json(r, 200, o);
	return H_DONE;
}

static int path_trigger(struct req *r, int64_t *id)
{
	if (parse_id(req_param(r, 0), id)) {
		reply_error(r, 404, "not-found", MSG_HTTP_NOT_FOUND, NULL);
		return -1;
	}
	return 0;
}

static int reply_trigger(struct req *r, int64_t id, int status)
{
	struct cxm_store *db = req_db(r);
	struct one_trigger ot = { r, NULL };
	int ret;

	if (!db)
		return H_DONE;
	if ((ret = cxm_store_trigger_get(db, r->who.tenant, id, trigger_to_json, &ot)))
		reply_store_error(r, ret, cxm_store_errmsg(db));
	else
		reply_json(r, status, ot.json);
	return H_DONE;
}

int api_trigger_get(struct req *r)
{
	int64_t id;

	if (path_trigger(r, &id))
		return H_DONE;
	return reply_trigger(r, id, 200);
}

/* ---- writing ------------------------------------------------------------------ */

struct trigger_write {
	struct cxm_trigger t;
	bool no_survey; /* survey_id names no survey of the tenant */
	bool anonymous; /* ... or an anonymous one, which invites nobody */
	const char *action;
};

static int anon_cb(const struct cxm_survey *sv, void *ctx)
{
	((struct trigger_write *)ctx)->anonymous = anon_survey(sv->definition);
	return 0;
}

/* Checks the body into w, or replies 422 and returns -1. */
static int read_trigger(struct req *r, struct trigger_write *w)
{
	cJSON *o = body_json(r);
	struct cxm_trigger_def d;
	char field[128], why[300];

	if (!o)
		return -1;
	if (cxm_trigger_check(o, &d, field, sizeof(field), why, sizeof(why))) {
		reply_invalid(r, *field ? field : NULL, why);
		return -1;
	}
	w->t.name = cxm_arena_strdup(&r->arena, d.name);
	w->t.survey_id = d.survey_id;
	w->t.event_type = cxm_arena_strdup(&r->arena, d.event_type);
	w->t.event_channel = d.event_channel ? cxm_arena_strdup(&r->arena, d.event_channel) : NULL;
	w->t.conditions = "{}";
	if (d.conditions) {
		cJSON *copy = cJSON_Duplicate(d.conditions, 1);
		cxm_json_sort(copy);
		char *text = cxm_json_print(copy);
		w->t.conditions = cxm_arena_strdup(&r->arena, text);
		free(text);
		cJSON_Delete(copy);
	}
	w->t.delay_seconds = d.delay_seconds;
	w->t.channel = cxm_arena_strdup(&r->arena, d.channel);
	w->t.active = d.active;
	return 0;
}

static int write_run(struct cxm_store *db, struct wjob *j)
{
	struct req *r = j->ctx;
	struct trigger_write *w = r->data;
	int ret = cxm_store_survey_get(db, r->who.tenant, w->t.survey_id, 0, anon_cb, w);

	if (ret == CXM_ENOTFOUND || (!ret && w->anonymous)) {
		w->no_survey = ret == CXM_ENOTFOUND;
		return CXM_EINVAL;
	}
	if (ret)
		return ret;
	if (!strcmp(w->action, "trigger.create"))
		ret = cxm_store_trigger_add(db, r->who.tenant, &w->t, &w->t.id);
	else
		ret = cxm_store_trigger_update(db, r->who.tenant, &w->t);
	if (!ret)
		ret = cxm_store_audit_add(db, r->who.tenant, r->who.actor, w->action, id_str(r, w->t.id), NULL, NULL);
	return ret;
}

static int write_finish(struct req *r)
{
	struct trigger_write *w = r->data;

	if ((w->no_survey || w->anonymous) && !r->job.commit_rc) {
		reply_invalid(r, "survey_id", T(r, w->no_survey ? MSG_TR_NO_SURVEY : MSG_TR_ANONYMOUS));
		return 0;
	}
	if (job_failed(r))
		return 0;
	return reply_trigger(r, w->t.id, strcmp(w->action, "trigger.create") ? 200 : 201);
}

int api_trigger_create(struct req *r)
{
	struct trigger_write *w = cxm_arena_alloc(&r->arena, sizeof(*w));

	memset(w, 0, sizeof(*w));
	w->action = "trigger.create";
	if (read_trigger(r, w))
		return H_DONE;
	r->data = w;
	return req_write(r, write_run, write_finish);
}

int api_trigger_update(struct req *r)
{
	struct trigger_write *w = cxm_arena_alloc(&r->arena, sizeof(*w));

	memset(w, 0, sizeof(*w));
	w->action = "trigger.update";
	if (path_trigger(r, &w->t.id) || read_trigger(r, w))
		return H_DONE;
	r->data = w;
	return req_write(r, write_run, write_finish);
}

static int delete_run(struct cxm_store *db, struct wjob *j)
{
	struct req *r = j->ctx;
	int64_t id = *(int64_t *)r->data;
	int ret = cxm_store_trigger_delete(db, r->who.tenant, id);

	if (!ret)
		ret = cxm_store_audit_add(db, r->who.tenant, r->who.actor, "trigger.delete", id_str(r, id), NULL, NULL);
	return ret;
}

static int delete_finish(struct req *r)
{
	if (!job_failed(r))
		reply_empty(r, 204);
	return 0;
}

int api_trigger_delete(struct req *r)
{
	int64_t *id = cxm_arena_alloc(&r->arena, sizeof(*id));

	if (path_trigger(r, id))
		return H_DONE;
	r->data = id;
	return req_write(r, delete_run, delete_finish);
}

/* ---- what was scheduled ----------------------------------------------------------- */

struct spage {
	struct req *r;
	cJSON *items;
	int n;
	int64_t last_id;
};

static int scheduled_to_json(const struct cxm_scheduled *sc, void *ctx)
{
	struct spage *pg = ctx;
	struct req *r = pg->r;
	cJSON *o = cJSON_CreateObject();
	char t[CXM_TIME_BUFSZ];

	cJSON_AddStringToObject(o, "id", id_str(r, sc->id));
	cJSON_AddStringToObject(o, "customer_id", id_str(r, sc->customer_id));
	cJSON_AddStringToObject(o, "event_id", id_str(r, sc->event_id));
	cJSON_AddStringToObject(o, "survey_id", id_str(r, sc->survey_id));
	cJSON_AddStringToObject(o, "due_at", cxm_time_format(sc->due_at, t));
	cJSON_AddStringToObject(o, "status", sc->status);
	if (sc->reason)
		cJSON_AddStringToObject(o, "reason", sc->reason);
	else
		cJSON_AddNullToObject(o, "reason");
	if (sc->invitation_id)
		cJSON_AddStringToObject(o, "invitation_id", id_str(r, sc->invitation_id));
	else
		cJSON_AddNullToObject(o, "invitation_id");
	cJSON_AddNumberToObject(o, "attempts", sc->attempts);
	cJSON_AddStringToObject(o, "created_at", cxm_time_format(sc->created_at, t));
	cJSON_AddStringToObject(o, "updated_at", cxm_time_format(sc->updated_at, t));
	cJSON_AddItemToArray(pg->items, o);
	pg->n++;
	pg->last_id = sc->id;
	return 0;
}

int api_trigger_scheduled(struct req *r)
{
	static const char *const statuses[] = { "pending", "sent", "skipped", "failed" };
	const char *status = req_query(r, "status"), *cursor = req_query(r, "cursor");
	int limit = query_limit(r, 50, 500);
	struct cxm_store *db;
	int64_t id, before = 0;
	bool known = !status;
	cJSON *o;
	int ret;

	if (limit < 0 || path_trigger(r, &id))
		return H_DONE;
	for (size_t i = 0; status && i < ARRAY_SIZE(statuses); i++)
		known = known || !strcmp(status, statuses[i]);
	if (!known) {
		reply_bad_query(r, "status", T(r, MSG_TR_BAD_STATUS));
		return H_DONE;
	}
	if (cursor && parse_id(cursor, &before)) {
		reply_bad_query(r, "cursor", T(r, MSG_HTTP_BAD_CURSOR));
		return H_DONE;
	}
	if (!(db = req_db(r)))
		return H_DONE;
	if ((ret = cxm_store_trigger_get(db, r->who.tenant, id, NULL, NULL))) {
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return H_DONE;
	}
	o = cJSON_CreateObject();
	struct spage pg = { r, cJSON_AddArrayToObject(o, "items"), 0, 0 };
	if ((ret = cxm_store_scheduled_page(db, r->who.tenant, id, status, before, limit, scheduled_to_json, &pg))) {
		cJSON_Delete(o);
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return H_DONE;
	}
	if (pg.n == limit)
		cJSON_AddStringToObject(o, "next_cursor", id_str(r, pg.last_id));
	reply_json(r, 200, o);
	return H_DONE;
}
