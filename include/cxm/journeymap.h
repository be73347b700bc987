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
 * "moments": {how they were found, or why not}}. Flow figures are null while the current version
 * is not built. CXM_ENOTFOUND for no such journey; store errors as they are.
 */
int cxm_journey_map_report(struct cxm_store *db, const struct cxm_journey_map_query *q, cJSON **out);

#endif
