/*
 * api_health.c - the operational routes: /healthz, /metrics, the OpenAPI
 * document (docs/openapi.json, embedded at build time) and the dashboard's
 * catalogue entries.
 */
#include "http-internal.h"

extern const unsigned char cxm_openapi_json[];
extern const size_t cxm_openapi_json_len;

int api_healthz(struct req *r)
{
	struct cxm_store *db = req_db(r);
	int current = 0, latest = 0;
	cJSON *o;

	if (!db)
		return H_DONE;
	if (cxm_store_schema_version(db, &current, &latest)) {
		reply_error(r, 503, "unavailable", MSG_HTTP_UNAVAILABLE, cxm_store_errmsg(db));
		return H_DONE;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", atomic_load(&r->srv->stopping) ? "stopping" : "ok");
	cJSON_AddStringToObject(o, "database", r->srv->backend);
	cJSON_AddNumberToObject(o, "schema_version", current);
	cJSON_AddStringToObject(o, "version", CXM_VERSION);
	reply_json(r, atomic_load(&r->srv->stopping) ? 503 : 200, o);
	return H_DONE;
}

int api_metrics(struct req *r)
{
	cxm_buf_clear(&r->out);
	metrics_render(r->srv, &r->out);
	r->status = 200;
	r->content_type = "text/plain; version=0.0.4; charset=utf-8";
	return H_DONE;
}

int api_openapi(struct req *r)
{
	r->static_body = cxm_openapi_json;
	r->static_len = cxm_openapi_json_len;
	r->status = 200;
	r->content_type = "application/json";
	return H_DONE;
}

/* The dashboard's texts: every MSG_WEB_* entry in the language asked for. */
int api_messages(struct req *r)
{
	const char *lang = req_query(r, "lang");
	enum cxm_lang l = lang && lang[0] == 'e' && lang[1] == 's' ? CXM_LANG_ES : CXM_LANG_EN;
	cJSON *o = cJSON_CreateObject();

	if (!lang)
		l = r->lang;
	for (int i = 0; i < CXM_MSG_COUNT; i++) {
		const char *name = cxm_msg_name((enum cxm_msg)i);
		if (!strncmp(name, "MSG_WEB_", 8))
			cJSON_AddStringToObject(o, name, cxm_msg_in((enum cxm_msg)i, l));
	}
	reply_json(r, 200, o);
	req_add_header(r, "Content-Language", l == CXM_LANG_ES ? "es" : "en");
	return H_DONE;
}
