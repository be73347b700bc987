/*
 * api_customer_journeys.c - GET /api/v1/customers/{id}/journeys: one
 * customer's progress in each active journey (cxm_store_journey_progress_all,
 * docs/journeys.md "One customer's journeys"): the current stage and, per
 * stage and touchpoint, the first and last time it was reached. Visible to
 * whoever sees the customer (GET /api/v1/customers/{id}).
 */
#include "http-internal.h"
#include "cxm/journey.h"
#include "cxm/time.h"

/* "first", "last" (null when never) and "events" of a node. */
static void add_times(cJSON *o, const struct cxm_journey_node_state *n)
{
	char t[CXM_TIME_BUFSZ];

	if (n->first) {
		cJSON_AddStringToObject(o, "first", cxm_time_format(n->first, t));
		cJSON_AddStringToObject(o, "last", cxm_time_format(n->last, t));
	} else {
		cJSON_AddNullToObject(o, "first");
		cJSON_AddNullToObject(o, "last");
	}
	cJSON_AddNumberToObject(o, "events", (double)n->n);
}

/* One journey's item; st NULL when the customer never entered it. */
static cJSON *progress_json(struct req *r, const struct cxm_journey_row *j, const struct cxm_journey_def *d,
			    const struct cxm_journey_state *st)
{
	cJSON *o = cJSON_CreateObject(), *jo = cJSON_AddObjectToObject(o, "journey"), *stages;

	cJSON_AddStringToObject(jo, "id", id_str(r, j->id));
	cJSON_AddStringToObject(jo, "name", j->name);
	cJSON_AddNumberToObject(jo, "version", j->version);
	cJSON_AddBoolToObject(o, "rebuilding", j->built_version < j->version);
	cJSON_AddBoolToObject(o, "entered", st != NULL);
	if (st && st->current >= 0 && st->current < d->n_stages)
		cJSON_AddStringToObject(o, "current_stage", d->stages[st->current].key);
	else
		cJSON_AddNullToObject(o, "current_stage");
	stages = cJSON_AddArrayToObject(o, "stages");
	for (int s = 0; s < d->n_stages; s++) {
		const struct cxm_journey_stage *sd = &d->stages[s];
		cJSON *so = cJSON_CreateObject(), *tps;
		static const struct cxm_journey_node_state never = { 0 };
		cJSON_AddStringToObject(so, "key", sd->key);
		cJSON_AddStringToObject(so, "name", sd->name ? sd->name : sd->key);
		add_times(so, st ? &st->node[cxm_journey_stage_node(s)] : &never);
		tps = cJSON_AddArrayToObject(so, "touchpoints");
		for (int t = sd->first_tp; t < sd->first_tp + sd->n_tp && t < d->n_tps; t++) {
			cJSON *to = cJSON_CreateObject();
			cJSON_AddStringToObject(to, "key", d->tps[t].key);
			cJSON_AddStringToObject(to, "name", d->tps[t].name ? d->tps[t].name : d->tps[t].key);
			add_times(to, st ? &st->node[cxm_journey_tp_node(t)] : &never);
			cJSON_AddItemToArray(tps, to);
		}
		cJSON_AddItemToArray(stages, so);
	}
	return o;
}

struct items {
	struct req *r;
	cJSON *items;
};

/* One journey's item, in the reply's array. */
static int add_progress(const struct cxm_journey_row *j, const struct cxm_journey_def *d,
			const struct cxm_journey_state *st, void *ctx)
{
	struct items *it = ctx;

	cJSON_AddItemToArray(it->items, progress_json(it->r, j, d, st));
	return 0;
}

int api_customer_journeys(struct req *r)
{
	struct cxm_store *db = req_db(r);
	bool visible = true;
	int64_t id;
	cJSON *o = NULL;
	struct items it = { r, NULL };
	int ret;

	if (!db)
		return H_DONE;
	if (parse_id(req_param(r, 0), &id)) {
		reply_error(r, 404, "not-found", MSG_HTTP_NOT_FOUND, NULL);
		return H_DONE;
	}
	ret = cxm_store_customer_get(db, r->who.tenant, id, NULL, NULL);
	if (!ret)
		ret = auth_sees_customer(r, db, id, &visible);
	if (!ret && !visible)
		ret = CXM_ENOTFOUND;
	if (!ret) {
		o = cJSON_CreateObject();
		it.items = cJSON_AddArrayToObject(o, "items");
		ret = cxm_store_journey_progress_all(db, r->who.tenant, id, add_progress, &it);
	}
	if (ret) {
		cJSON_Delete(o);
		reply_store_error(r, ret, cxm_store_errmsg(db));
	} else {
		reply_json(r, 200, o);
	}
	return H_DONE;
}
