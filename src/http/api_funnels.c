/*
 * api_funnels.c - POST /api/v1/funnels and GET /api/v1/paths: funnels
 * over any ordered steps and where customers go after a point, computed
 * on the fly from the customers' event sequences (cxm_funnel_report,
 * cxm_paths_report; docs/journeys.md). They read and change nothing, so
 * they do not go through the writer. Sequences are every customer's
 * events, so the answers are tenant-wide for every role.
 */
#include "http-internal.h"
#include "cxm/journeymap.h"

int api_funnels(struct req *r)
{
	cJSON *body = body_json(r), *o, *errors;
	struct cxm_store *db;
	int ret;

	if (!body || !(db = req_db(r)))
		return H_DONE;
	ret = cxm_funnel_report(db, r->who.tenant, body, r->lang, &o, &errors);
	if (ret == CXM_EINVAL && errors) {
		cJSON *p = problem_new(r, 422, "invalid", MSG_HTTP_INVALID, NULL);
		for (const cJSON *e = errors->child; e; e = e->next) {
			const cJSON *f = cJSON_GetObjectItemCaseSensitive(e, "field");
			problem_item(p, -1, cJSON_IsString(f) ? f->valuestring : NULL,
				     cJSON_GetObjectItemCaseSensitive(e, "message")->valuestring);
		}
		cJSON_Delete(errors);
		reply_problem(r, p);
	} else if (ret) {
		reply_store_error(r, ret, cxm_store_errmsg(db));
	} else {
		reply_json(r, 200, o);
	}
	return H_DONE;
}

static enum MHD_Result unknown_arg(void *ctx, enum MHD_ValueKind kind, const char *key, const char *value)
{
	static const char *const known[] = { "start", "end", "level", "journey", "max_steps", "top", "from", "to",
					     "window", NULL };
	const char **unknown = ctx;
	(void)kind, (void)value;

	for (const char *const *k = known; *k; k++)
		if (!strcmp(key, *k))
			return MHD_YES;
	if (!*unknown)
		*unknown = key;
	return MHD_YES;
}

int api_paths(struct req *r)
{
	struct cxm_paths_params pp = {
		.start = req_query(r, "start"), .end = req_query(r, "end"), .level = req_query(r, "level"),
		.journey = req_query(r, "journey"), .max_steps = req_query(r, "max_steps"), .top = req_query(r, "top"),
		.from = req_query(r, "from"), .to = req_query(r, "to"), .window = req_query(r, "window"),
	};
	const char *unknown = NULL;
	char field[32], why[300];
	struct cxm_store *db;
	cJSON *o;
	int ret;

	/* an unknown parameter is a typo worth telling */
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, unknown_arg, &unknown);
	if (unknown) {
		reply_bad_query(r, unknown, T(r, MSG_RP_UNKNOWN_PARAM));
		return H_DONE;
	}
	if (!(db = req_db(r)))
		return H_DONE;
	ret = cxm_paths_report(db, r->who.tenant, &pp, r->lang, &o, field, sizeof(field), why, sizeof(why));
	if (ret == CXM_EINVAL)
		reply_bad_query(r, field, why);
	else if (ret)
		reply_store_error(r, ret, cxm_store_errmsg(db));
	else
		reply_json(r, 200, o);
	return H_DONE;
}
