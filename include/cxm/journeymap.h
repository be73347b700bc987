/*
 * journeymap.h - a journey's map as JSON (src/journey/map_report.c,
 * docs/journeys.md "The map"): the flow from the journey's rollups, the
 * scores, comments and themes of the responses at its touchpoints, the
 * friction and the emotion curve. The HTTP API and `cxm report journey`
 * both print what this makes.
 */
#ifndef CXM_JOURNEYMAP_H
#define CXM_JOURNEYMAP_H

#include "cxm/i18n.h"
#include "cxm/store.h"

#include <cjson/cJSON.h>

struct cxm_journey_map_query {
	int64_t tenant, journey_id;
	int64_t from_day, to_day;      /* the tenant's local days of entry, from <= day < to */
	const char *segment;           /* NULL: every customer */
	/* a manager's or agent's view: scores and comments of these spans
	 * only (the flow stays tenant-wide) */
	bool scoped;
	const struct cxm_span *scope;
	size_t nscope;
	enum cxm_lang lang;            /* of the moments of truth's sentences */
};

/*
 * The map of q into *out (owned by the caller): {"journey", "from", "to",
 * "mature_before", "segment", "scope", "rebuilding", "stages": [{"key",
 * "name", "phase", "final", "reached", "converted", "conversion",
 * "dropped", "in_progress", "completed", "time_in_stage", "nps", "csat",
 * "ces", "sentiment", "emotions", "themes", "friction", "feeling",
 * "moment_of_truth", "touchpoints": [...]}], "moments_of_truth": [...],
 * "moments": {how they were found, or why not}}. While a new version
 * rebuilds, the map is the built version's (stages and flow figures);
 * flow figures are null before the first build ends. CXM_ENOTFOUND for no such journey; store errors as they are.
 */
int cxm_journey_map_report(struct cxm_store *db, const struct cxm_journey_map_query *q, cJSON **out);

struct cxm_tz;
/* The tenant's time zone: its name into name (64 bytes) and the zone (UTC
 * when this system does not know it); store errors as they are. */
int cxm_journey_tenant_zone(struct cxm_store *db, int64_t tenant, char name[64], const struct cxm_tz **z);
/* A share x of n as {"value", "ci_low", "ci_high", "n"} in percent; null
 * when n is 0. */
cJSON *cxm_journey_share_json(int64_t x, int64_t n);

/*
 * A funnel (POST /api/v1/funnels, docs/journeys.md "Funnels") of body, the
 * request as the API takes it ({"steps", "window", "from", "to", "by"}),
 * into *out. CXM_EINVAL with *errors (owned) an array of {"field",
 * "message"} in lang for a bad body; store errors as they are.
 */
int cxm_funnel_report(struct cxm_store *db, int64_t tenant, const cJSON *body, enum cxm_lang lang, cJSON **out,
		      cJSON **errors);

/* The parameters of GET /api/v1/paths as text (NULL: absent). */
struct cxm_paths_params {
	const char *start, *end, *level, *journey, *max_steps, *top, *from, *to, *window;
};
/*
 * Paths (docs/journeys.md "Paths") into *out; CXM_EINVAL with the
 * parameter in field and the reason (lang) in why; store errors as they are.
 */
int cxm_paths_report(struct cxm_store *db, int64_t tenant, const struct cxm_paths_params *p, enum cxm_lang lang,
		     cJSON **out, char *field, size_t fieldlen, char *why, size_t whylen);

#endif
