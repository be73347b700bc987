/* match.c - which touchpoint of a journey an event reaches (journey.h).
 * Runs per event on ingest: type, channel and touchpoint are compared
 * first, the properties parsed only when a rule that passed them tests some. */
#include "cxm/journey.h"
#include "cxm/core.h"
#include "cxm/triggers.h"

static bool class_matches(const struct cxm_journey_match *m, const char *type, const char *channel,
			  const char *touchpoint)
{
	if (strcmp(m->type, type))
		return false;
	if (m->channel[0] && (!channel || strcmp(m->channel, channel)))
		return false;
	if (m->touchpoints_n) {
		if (!touchpoint)
			return false;
		for (size_t i = 0; i < m->touchpoints_n; i++)
			if (!strcmp(m->touchpoints[i], touchpoint))
				return true;
		return false;
	}
	return true;
}

int cxm_journey_match_event(const struct cxm_journey_def *d, const char *type, const char *channel,
			    const char *touchpoint, const char *props_json)
{
	cJSON *props = NULL;
	bool parsed = false;
	int hit = -1;

	if (!type)
		return -1;
	for (int t = 0; t < d->n_tps && hit < 0; t++) {
		const struct cxm_journey_match *m = &d->tps[t].match;
		bool ok = true;
		if (!class_matches(m, type, channel, touchpoint))
			continue;
		if (m->properties) {
			if (!parsed) {
				props = props_json ? cJSON_Parse(props_json) : NULL;
				parsed = true;
			}
			for (const cJSON *it = m->properties->child; it && ok; it = it->next)
				ok = cxm_property_equals(it, cJSON_GetObjectItemCaseSensitive(props, it->string));
		}
		/* rules do not overlap: the first that holds is the only one */
		if (ok)
			hit = t;
	}
	cJSON_Delete(props);
	return hit;
}

bool cxm_journey_needs_properties(const struct cxm_journey_def *d)
{
	for (int t = 0; t < d->n_tps; t++)
		if (d->tps[t].match.properties)
			return true;
	return false;
}
