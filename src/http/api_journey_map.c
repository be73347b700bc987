/*
 * api_journey_map.c - GET /api/v1/journeys/{id}/map: the journey map of a
 * period and a segment (cxm_journey_map_report, docs/journeys.md "The
 * map"). The flow (reached, converted, times) is tenant-wide for every
 * role; managers and agents get the scores and comments of their unit's
 * subtree, as the metrics reports do. The answer says which is which
 * ("scope").
 */
#include "http-internal.h"
#include "cxm/journeymap.h"

#define DEFAULT_DAYS 90
#define MAX_DAYS 3660
#define SEGMENT_MAX 64

int api_journey_map(struct req *r)
{
	struct cxm_journey_map_query q = { .tenant = r->who.tenant };
	const char *segment = req_query(r, "segment");
	struct cxm_store *db;
	cJSON *o;
	int ret;

	if (parse_id(req_param(r, 0), &q.journey_id)) {
		reply_error(r, 404, "not-found", MSG_HTTP_NOT_FOUND, NULL);
		return H_DONE;
	}
	if (!(db = req_db(r)))
		return H_DONE;
	if (segment && (!*segment || strlen(segment) > SEGMENT_MAX)) {
		reply_bad_query(r, "segment", T(r, MSG_JA_BAD_SEGMENT));
		return H_DONE;
	}
	q.segment = segment;
	if (req_day_range(r, db, DEFAULT_DAYS, MAX_DAYS, &q.from_day, &q.to_day))
		return H_DONE;
	if (r->who.scoped) {
		q.scoped = true;
		q.scope = r->who.spans;
		q.nscope = r->who.nspans;
	}
	if ((ret = cxm_journey_map_report(db, &q, &o)))
		reply_store_error(r, ret, cxm_store_errmsg(db));
	else
		reply_json(r, 200, o);
	return H_DONE;
}
