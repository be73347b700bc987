/*
 * router.c - every route of cxm serve in one table. docs/openapi.json
 * documents the same routes (a test compares the two), and /metrics
 * counts requests by the pattern written here.
 */
#include "http-internal.h"

int api_healthz(struct req *r);
int api_metrics(struct req *r);
int api_openapi(struct req *r);
int api_messages(struct req *r);
int api_login(struct req *r);
int api_session_get(struct req *r);
int api_logout(struct req *r);
int api_me_patch(struct req *r);
int api_customer_post(struct req *r);
int api_customer_list(struct req *r);
int api_customer_get(struct req *r);
int api_customer_merge(struct req *r);
int api_customer_events(struct req *r);
int api_events_post(struct req *r);
int api_audit_list(struct req *r);
int api_surveys_list(struct req *r);
int api_survey_create(struct req *r);
int api_survey_get(struct req *r);
int api_survey_update(struct req *r);
int api_survey_status(struct req *r);
int api_survey_stats(struct req *r);
int api_metrics_report(struct req *r);
int api_drivers(struct req *r);
int api_metrics_compare(struct req *r);
int api_metrics_settings_get(struct req *r);
int api_metrics_settings_put(struct req *r);
int api_survey_invitations(struct req *r);
int api_responses_post(struct req *r);
int api_survey_settings_get(struct req *r);
int api_survey_settings_put(struct req *r);
int api_responses_list(struct req *r);
int api_static(struct req *r);
int api_invitation_create(struct req *r);
int api_survey_page(struct req *r);
int api_survey_answer(struct req *r);
int api_unsubscribe_page(struct req *r);
int api_unsubscribe(struct req *r);
int api_email_pixel(struct req *r);
int api_email_events(struct req *r);
int api_web_snippet(struct req *r);
int api_web_preflight(struct req *r);
int api_web_events(struct req *r);
int api_web_prompt(struct req *r);
int api_web_answer(struct req *r);
int api_web_settings_get(struct req *r);
int api_web_settings_put(struct req *r);
int api_open_link_create(struct req *r);
int api_receipt_page(struct req *r);
int api_receipt(struct req *r);
int api_triggers_list(struct req *r);
int api_trigger_create(struct req *r);
int api_trigger_get(struct req *r);
int api_trigger_update(struct req *r);
int api_trigger_delete(struct req *r);
int api_trigger_scheduled(struct req *r);
int api_text_themes_get(struct req *r);
int api_text_themes_put(struct req *r);
int api_text_settings_get(struct req *r);
int api_text_settings_put(struct req *r);
int api_text_verbatims(struct req *r);
int api_text_analyze(struct req *r);
int api_text_model_get(struct req *r);
int api_text_model_train(struct req *r);
int api_text_emotions(struct req *r);
int api_journeys_list(struct req *r);
int api_journey_create(struct req *r);
int api_journey_get(struct req *r);
int api_journey_update(struct req *r);
int api_journey_delete(struct req *r);
int api_journey_map(struct req *r);
int api_journey_touchpoint(struct req *r);
int api_funnels(struct req *r);
int api_paths(struct req *r);
int api_customer_journeys(struct req *r);
int api_journey_settings_get(struct req *r);
int api_journey_settings_put(struct req *r);

const struct route routes[] = {
	{ "GET", "/healthz", api_healthz, 0, 0 },
	{ "GET", "/metrics", api_metrics, 0, 0 },
	{ "GET", "/api/v1/openapi.json", api_openapi, 0, 0 },
	{ "GET", "/api/v1/messages", api_messages, 0, 0 },
	{ "POST", "/api/v1/session", api_login, 0, 0 },
	{ "GET", "/api/v1/session", api_session_get, ROLES_ANY, RF_SESSION_ONLY },
	{ "DELETE", "/api/v1/session", api_logout, ROLES_ANY, RF_SESSION_ONLY | RF_WRITE },
	{ "PATCH", "/api/v1/me", api_me_patch, ROLES_ANY, RF_SESSION_ONLY | RF_WRITE },
	{ "POST", "/api/v1/customers", api_customer_post, ROLES_WRITE, RF_WRITE },
	{ "GET", "/api/v1/customers", api_customer_list, ROLES_ANY, 0 },
	{ "GET", "/api/v1/customers/{id}", api_customer_get, ROLES_ANY, 0 },
	{ "POST", "/api/v1/customers/{id}/merge", api_customer_merge, ROLES_TENANT_WIDE, RF_WRITE },
	{ "GET", "/api/v1/customers/{id}/events", api_customer_events, ROLES_ANY, 0 },
	{ "GET", "/api/v1/customers/{id}/journeys", api_customer_journeys, ROLES_ANY, 0 },
	{ "POST", "/api/v1/events", api_events_post, ROLES_WRITE, RF_WRITE },
	{ "GET", "/api/v1/audit", api_audit_list, ROLES_ADMIN, 0 },
	{ "GET", "/api/v1/surveys", api_surveys_list, ROLES_ANY, 0 },
	{ "POST", "/api/v1/surveys", api_survey_create, ROLES_TENANT_WIDE, RF_WRITE },
	{ "GET", "/api/v1/surveys/{id}", api_survey_get, ROLES_ANY, 0 },
	{ "PUT", "/api/v1/surveys/{id}", api_survey_update, ROLES_TENANT_WIDE, RF_WRITE },
	{ "POST", "/api/v1/surveys/{id}/status", api_survey_status, ROLES_TENANT_WIDE, RF_WRITE },
	/* tenant-wide counts: not for managers and agents, who see a subtree */
	{ "GET", "/api/v1/surveys/{id}/stats", api_survey_stats, ROLES_TENANT_WIDE | ROLE_VIEWER, 0 },
	{ "GET", "/api/v1/surveys/{id}/invitations", api_survey_invitations, ROLES_TENANT_WIDE | ROLE_VIEWER, 0 },
	{ "POST", "/api/v1/surveys/{id}/invitations", api_invitation_create, ROLES_WRITE, RF_WRITE },
	{ "POST", "/api/v1/responses", api_responses_post, ROLES_WRITE, RF_WRITE },
	{ "GET", "/api/v1/settings/surveys", api_survey_settings_get, ROLES_ANY, 0 },
	{ "PUT", "/api/v1/settings/surveys", api_survey_settings_put, ROLES_ADMIN, RF_WRITE },
	{ "GET", "/api/v1/responses", api_responses_list, ROLES_ANY, 0 },
	{ "GET", "/api/v1/metrics/compare", api_metrics_compare, ROLES_ANY, 0 },
	{ "GET", "/api/v1/metrics/{metric}", api_metrics_report, ROLES_ANY, 0 },
	{ "GET", "/api/v1/drivers", api_drivers, ROLES_ANY, 0 },
	{ "GET", "/api/v1/settings/metrics", api_metrics_settings_get, ROLES_ANY, 0 },
	{ "PUT", "/api/v1/settings/metrics", api_metrics_settings_put, ROLES_ADMIN, RF_WRITE },
	/* triggers: an event schedules an invitation; what they scheduled
	 * names customers tenant-wide, so not for managers and agents */
	{ "GET", "/api/v1/triggers", api_triggers_list, ROLES_TENANT_WIDE | ROLE_VIEWER, 0 },
	{ "POST", "/api/v1/triggers", api_trigger_create, ROLES_TENANT_WIDE, RF_WRITE },
	{ "GET", "/api/v1/triggers/{id}", api_trigger_get, ROLES_TENANT_WIDE | ROLE_VIEWER, 0 },
	{ "PUT", "/api/v1/triggers/{id}", api_trigger_update, ROLES_TENANT_WIDE, RF_WRITE },
	{ "DELETE", "/api/v1/triggers/{id}", api_trigger_delete, ROLES_TENANT_WIDE, RF_WRITE },
	{ "GET", "/api/v1/triggers/{id}/scheduled", api_trigger_scheduled, ROLES_TENANT_WIDE | ROLE_VIEWER, 0 },
	/* the public survey page of a personal link */
	{ "GET", "/s/{token}", api_survey_page, 0, RF_PUBLIC },
	{ "POST", "/s/{token}", api_survey_answer, 0, RF_PUBLIC },
	/* unsubscribing from survey emails */
	{ "GET", "/u/{token}", api_unsubscribe_page, 0, RF_PUBLIC },
	{ "POST", "/u/{token}", api_unsubscribe, 0, RF_PUBLIC },
	/* e-mail tracking: the image that says opened (not limited per address:
	 * mail providers' image proxies fetch for many recipients from a few
	 * addresses; it is cheap and writes once per invitation), the
	 * provider's reports */
	{ "GET", "/o/{token}", api_email_pixel, 0, 0 },
	{ "POST", "/api/v1/email/events", api_email_events, ROLES_ADMIN, RF_WRITE },
	/* the web snippet and its API (api_web.c) */
	{ "GET", "/api/v1/settings/web", api_web_settings_get, ROLES_ADMIN, 0 },
	{ "PUT", "/api/v1/settings/web", api_web_settings_put, ROLES_ADMIN, RF_WRITE },
	{ "GET", "/w/cxm.js", api_web_snippet, 0, 0 },
	{ "POST", "/w/v1/events", api_web_events, 0, RF_PUBLIC | RF_WEB },
	{ "OPTIONS", "/w/v1/events", api_web_preflight, 0, RF_WEB },
	{ "GET", "/w/v1/prompt", api_web_prompt, 0, RF_PUBLIC | RF_WEB },
	{ "POST", "/w/v1/answer", api_web_answer, 0, RF_PUBLIC | RF_WEB },
	{ "OPTIONS", "/w/v1/answer", api_web_preflight, 0, RF_WEB },
	/* anonymous surveys: the open link, and the receipt page of its answers */
	{ "POST", "/api/v1/surveys/{id}/open-link", api_open_link_create, ROLES_TENANT_WIDE, RF_WRITE },
	{ "GET", "/s/{token}/receipt", api_receipt_page, 0, RF_PUBLIC },
	{ "POST", "/s/{token}/receipt", api_receipt, 0, RF_PUBLIC },
	/* text on ingest (api_text_store.c) */
	{ "GET", "/api/v1/settings/themes", api_text_themes_get, ROLES_ANY, 0 },
	{ "PUT", "/api/v1/settings/themes", api_text_themes_put, ROLES_ADMIN, RF_WRITE },
	{ "GET", "/api/v1/settings/text", api_text_settings_get, ROLES_ANY, 0 },
	{ "PUT", "/api/v1/settings/text", api_text_settings_put, ROLES_ADMIN, RF_WRITE },
	{ "GET", "/api/v1/text/verbatims", api_text_verbatims, ROLES_ANY, 0 },
	/* the text engine: reads nothing and changes nothing, so any role */
	{ "POST", "/api/v1/text/analyze", api_text_analyze, ROLES_ANY, 0 },
	/* the tenant's learned model (api_text_model.c) */
	{ "GET", "/api/v1/text/model", api_text_model_get, ROLES_ANY, 0 },
	{ "POST", "/api/v1/text/model/train", api_text_model_train, ROLES_ADMIN, RF_WRITE },
	/* the exact emotion mix of a period (api_text_emotions.c) */
	{ "GET", "/api/v1/text/emotions", api_text_emotions, ROLES_ANY, 0 },
	/* customer journeys (api_journeys.c) */
	{ "GET", "/api/v1/journeys", api_journeys_list, ROLES_ANY, 0 },
	{ "POST", "/api/v1/journeys", api_journey_create, ROLES_TENANT_WIDE, RF_WRITE },
	{ "GET", "/api/v1/journeys/{id}", api_journey_get, ROLES_ANY, 0 },
	{ "PUT", "/api/v1/journeys/{id}", api_journey_update, ROLES_TENANT_WIDE, RF_WRITE },
	{ "DELETE", "/api/v1/journeys/{id}", api_journey_delete, ROLES_TENANT_WIDE, RF_WRITE },
	/* flow tenant-wide, scores of the caller's subtree (api_journey_map.c) */
	{ "GET", "/api/v1/journeys/{id}/map", api_journey_map, ROLES_ANY, 0 },
	{ "GET", "/api/v1/journeys/{id}/touchpoints/{key}", api_journey_touchpoint, ROLES_ANY, 0 },
	/* computed from the event sequences, changes nothing (api_funnels.c) */
	{ "POST", "/api/v1/funnels", api_funnels, ROLES_ANY, 0 },
	{ "GET", "/api/v1/paths", api_paths, ROLES_ANY, 0 },
	/* friction weights and bands of the maps (api_journey_settings.c) */
	{ "GET", "/api/v1/settings/journeys", api_journey_settings_get, ROLES_ANY, 0 },
	{ "PUT", "/api/v1/settings/journeys", api_journey_settings_put, ROLES_ADMIN, RF_WRITE },
	/* the dashboard's files: any other GET outside /api/ */
	{ "GET", "/", api_static, 0, RF_STATIC },
};
const size_t routes_n = ARRAY_SIZE(routes);

/* Matches path against pattern segment by segment. */
static bool match(const char *pattern, const char *path, struct cxm_str *params)
{
	int np = 0;

	while (*pattern && *path) {
		if (*pattern != '/' || *path != '/')
			return false;
		pattern++, path++;
		const char *pe = strchr(pattern, '/'), *se = strchr(path, '/');
		size_t pl = pe ? (size_t)(pe - pattern) : strlen(pattern);
		size_t sl = se ? (size_t)(se - path) : strlen(path);
		if (pl > 2 && pattern[0] == '{' && pattern[pl - 1] == '}') {
			if (sl == 0 || np >= MAX_PARAMS)
				return false;
			params[np].p = path;
			params[np].len = sl;
			np++;
		} else if (pl != sl || memcmp(pattern, path, pl)) {
			return false;
		}
		pattern += pl, path += sl;
	}
	return !*pattern && !*path;
}

const struct route *route_match(const char *method, const char *path, struct cxm_str *params, bool *method_ok)
{
	bool path_seen = false;

	memset(params, 0, MAX_PARAMS * sizeof(*params));
	for (size_t i = 0; i < routes_n; i++) {
		const struct route *rt = &routes[i];
		bool hit;
		if (rt->flags & RF_STATIC)
			hit = strncmp(path, "/api/", 5) != 0 && strcmp(path, "/api") != 0 && path[0] == '/';
		else
			hit = match(rt->pattern, path, params);
		if (!hit)
			continue;
		path_seen = true;
		if (!strcmp(rt->method, method) || (!strcmp(method, "HEAD") && !strcmp(rt->method, "GET"))) {
			*method_ok = true;
			return rt;
		}
		memset(params, 0, MAX_PARAMS * sizeof(*params));
	}
	*method_ok = !path_seen;
	return NULL;
}

unsigned role_bit(const char *name)
{
	static const char *const names[] = { "owner", "admin", "analyst", "manager", "agent", "viewer" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (name && !strcmp(name, names[i]))
			return 1u << i;
	return 0;
}

const char *route_allow(const char *path)
{
	static _Thread_local char out[64];
	struct cxm_str params[MAX_PARAMS];
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < routes_n; i++) {
		const struct route *rt = &routes[i];
		bool hit = (rt->flags & RF_STATIC) ? strncmp(path, "/api/", 5) != 0 && path[0] == '/'
						   : match(rt->pattern, path, params);
		if (hit && !strstr(out, rt->method)) {
			n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s", n ? ", " : "", rt->method);
			if (n >= sizeof(out))
				break;
		}
	}
	return out;
}
