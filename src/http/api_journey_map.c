/*
 * api_journey_map.c - GET /api/v1/journeys/{id}/map: the journey map of a
 * period and a segment (cxm_journey_map_report, docs/journeys.md "The
 * map"). The flow (reached, converted, times) is tenant-wide for every
 * role; managers and agents get the scores and comments of their unit's
 * subtree, as the metrics reports do. The answer says which is which
 * ("scope"); and GET /api/v1/journeys/{id}/touchpoints/{key}, one
 * touchpoint of it with the verbatims of its feedback.
 */
#include "http-internal.h"
#include "cxm/journey.h"
#include "cxm/journeymap.h"
#include "cxm/time.h"
#include "cxm/tz.h"

#define DEFAULT_DAYS 90
#define MAX_DAYS 3660

/* The id, segment, range and scope of a map request into q; 0, or -1 when
 * answered (404 or 400). */
static int map_query(struct req *r, struct cxm_store **db, struct cxm_journey_map_query *q)
{
	const char *segment = req_query(r, "segment");

	*q = (struct cxm_journey_map_query){ .tenant = r->who.tenant, .lang = r->lang };
	if (parse_id(req_param(r, 0), &q->journey_id)) {
		reply_error(r, 404, "not-found", MSG_HTTP_NOT_FOUND, NULL);
		return -1;
	}
	if (!(*db = req_db(r)))
		return -1;
	if (segment && !*segment) {   /* any segment a customer can have: no length limit */
		reply_bad_query(r, "segment", T(r, MSG_JA_BAD_SEGMENT));
		return -1;
	}
	q->segment = segment;
	if (req_day_range(r, *db, DEFAULT_DAYS, MAX_DAYS, &q->from_day, &q->to_day))
		return -1;
	if (r->who.scoped) {
		q->scoped = true;
		q->scope = r->who.spans;
		q->nscope = r->who.nspans;
	}
	return 0;
}

int api_journey_map(struct req *r)
{
	struct cxm_journey_map_query q;
	struct cxm_store *db;
	cJSON *o;
	int ret;

	if (map_query(r, &db, &q))
		return H_DONE;
	if ((ret = cxm_journey_map_report(db, &q, &o)))
		reply_store_error(r, ret, cxm_store_errmsg(db));
	else
		reply_json(r, 200, o);
	return H_DONE;
}

/* ---- one touchpoint: GET /api/v1/journeys/{id}/touchpoints/{key} ------------------ */

/* The touchpoint of the map named by key ("stage.touchpoint" or a
 * touchpoint key) and its stage; NULL when none. */
static cJSON *find_tp(cJSON *map, const char *key, cJSON **stage)
{
	cJSON *stages = cJSON_GetObjectItemCaseSensitive(map, "stages");

	for (cJSON *st = stages ? stages->child : NULL; st; st = st->next) {
		const char *sk = cJSON_GetObjectItemCaseSensitive(st, "key")->valuestring;
		size_t sl = strlen(sk);
		cJSON *tps = cJSON_GetObjectItemCaseSensitive(st, "touchpoints");
		for (cJSON *tp = tps ? tps->child : NULL; tp; tp = tp->next) {
			const char *tk = cJSON_GetObjectItemCaseSensitive(tp, "key")->valuestring;
			if (!strcmp(key, tk) || (!strncmp(key, sk, sl) && key[sl] == '.' && !strcmp(key + sl + 1, tk))) {
				*stage = st;
				return tp;
			}
		}
	}
	return NULL;
}

int api_journey_touchpoint(struct req *r)
{
	struct cxm_journey_map_query q;
	const char *key = req_param(r, 1);
	const char *fb[CXM_JOURNEY_FEEDBACK_MAX];
	struct cxm_verbatim_filter f = { 0 };
	int64_t before_ts = CXM_TIME_MAX, before_id = INT64_MAX;
	int limit = query_limit(r, 20, 200), ret;
	struct cxm_store *db;
	char zone[64];
	const struct cxm_tz *z;
	cJSON *map = NULL, *stage, *tp, *o, *v = NULL;
	size_t nfb = 0;

	if (limit < 0 || query_cursor2(r, &before_ts, &before_id) || map_query(r, &db, &q))
		return H_DONE;
	if ((ret = cxm_journey_map_report(db, &q, &map)) ||
	    (ret = cxm_journey_tenant_zone(db, r->who.tenant, zone, &z))) {
		cJSON_Delete(map);
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return H_DONE;
	}
	if (!(tp = find_tp(map, key, &stage))) {
		cJSON_Delete(map);
		reply_error(r, 404, "not-found", MSG_HTTP_NOT_FOUND, NULL);
		return H_DONE;
	}
	/* its verbatims: the comments of the responses at its feedback touchpoints */
	f.from = cxm_tz_day_start(z, q.from_day);
	f.to = cxm_tz_day_start(z, q.to_day);
	const cJSON *fbs = cJSON_GetObjectItemCaseSensitive(tp, "feedback");
	for (const cJSON *x = fbs ? fbs->child : NULL; x && nfb < ARRAY_SIZE(fb); x = x->next)
		fb[nfb++] = x->valuestring;
	f.touchpoints = fb;
	f.touchpoints_n = nfb;
	f.segment = q.segment;
	if (nfb && verbatims_json(r, db, &f, limit, before_ts, before_id, &v)) {
		cJSON_Delete(map);
		return H_DONE;
	}
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "journey", cJSON_DetachItemFromObjectCaseSensitive(map, "journey"));
	cJSON_AddItemToObject(o, "from", cJSON_DetachItemFromObjectCaseSensitive(map, "from"));
	cJSON_AddItemToObject(o, "to", cJSON_DetachItemFromObjectCaseSensitive(map, "to"));
	cJSON_AddItemToObject(o, "segment", cJSON_DetachItemFromObjectCaseSensitive(map, "segment"));
	cJSON_AddItemToObject(o, "scope", cJSON_DetachItemFromObjectCaseSensitive(map, "scope"));
	cJSON *so = cJSON_AddObjectToObject(o, "stage");
	static const char *const stage_keys[] = { "key", "name", "phase" };
	for (size_t i = 0; i < ARRAY_SIZE(stage_keys); i++)
		cJSON_AddItemToObject(so, stage_keys[i], cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(stage, stage_keys[i]), 1));
	cJSON_AddItemToObject(o, "touchpoint", cJSON_Duplicate(tp, 1));
	if (!v) {
		v = cJSON_CreateObject();
		cJSON_AddArrayToObject(v, "items");
	}
	cJSON_AddItemToObject(o, "verbatims", v);
	cJSON_Delete(map);
	reply_json(r, 200, o);
	return H_DONE;
}
