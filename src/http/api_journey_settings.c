/*
 * api_journey_settings.c - GET/PUT /api/v1/settings/journeys: the
 * tenant's friction weights and bands (cxm/journey.h, docs/journeys.md
 * "Friction"). Every map reads the setting when it is asked for, so a
 * change shows on the next map; nothing is cached.
 */
#include "http-internal.h"
#include "cxm/journey.h"

#define SETTING "journeys"

int api_journey_settings_get(struct req *r)
{
	struct cxm_store *db = req_db(r);
	struct cxm_friction_weights w;
	char *stored = NULL;
	int ret;

	if (!db)
		return H_DONE;
	if ((ret = cxm_store_setting_get(db, r->who.tenant, SETTING, &stored))) {
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return H_DONE;
	}
	/* what the map uses, defaults filled in */
	cxm_friction_weights_read(stored, &w);
	free(stored);
	reply_json(r, 200, cxm_journey_settings_json(&w));
	return H_DONE;
}

int api_journey_settings_put(struct req *r)
{
	cJSON *o = body_json(r), *full;
	struct cxm_friction_weights w;
	char field[96], why[300];
	int ret;

	if (!o)
		return H_DONE;
	if (cxm_journey_settings_check(o, &w, field, sizeof(field), why, sizeof(why))) {
		reply_invalid(r, *field ? field : NULL, why);
		return H_DONE;
	}
	/* stored whole, the defaults filled in */
	full = cxm_journey_settings_json(&w);
	ret = setting_write(r, SETTING, "settings.journeys", full, api_journey_settings_get);
	cJSON_Delete(full);
	return ret;
}
