/* bands.c - traffic-light colours and the tenant's metrics settings that
 * set their bands (metrics.h). */
#include "cxm/check.h"
#include "cxm/metrics.h"
#include "cxm/core.h"

#include <stdio.h>
#include <string.h>

void cxm_bands_default(struct cxm_bands *b)
{
	*b = (struct cxm_bands){
		.nps = { CXM_BAND_NPS_AMBER, CXM_BAND_NPS_GREEN },
		.csat = { CXM_BAND_CSAT_AMBER, CXM_BAND_CSAT_GREEN },
		.ces = { CXM_BAND_CES_AMBER, CXM_BAND_CES_GREEN },
	};
}

enum cxm_colour cxm_colour_of(const struct cxm_band *b, const struct cxm_figure *f)
{
	if (!f->valid)
		return CXM_COLOUR_NONE;
	if (f->value < b->amber)
		return CXM_COLOUR_RED;
	return f->value < b->green ? CXM_COLOUR_AMBER : CXM_COLOUR_GREEN;
}

const char *cxm_colour_name(enum cxm_colour c)
{
	switch (c) {
	case CXM_COLOUR_RED:
		return "red";
	case CXM_COLOUR_AMBER:
		return "amber";
	case CXM_COLOUR_GREEN:
		return "green";
	case CXM_COLOUR_NONE:
		break;
	}
	return NULL;
}

/* One band {"amber": A, "green": G}, each within [lo, hi], A <= G. */
static int check_band(const cJSON *o, const char *name, double lo, double hi, struct cxm_band *b, struct cxm_err *e)
{
	static const char *const keys[] = { "amber", "green", NULL };
	static const char *const parts[] = { "amber", "green" };
	double *v[] = { &b->amber, &b->green };
	char f[64];
	int ret;

	snprintf(f, sizeof(f), "bands.%s", name);
	if (!o)
		return 0;
	if (!cJSON_IsObject(o))
		return cxm_fail(e, f, "%s", _(MSG_MX_WANT_OBJECT));
	if ((ret = cxm_only_keys(o, keys, f, MSG_MX_UNKNOWN_KEY, e)))
		return ret;
	for (int i = 0; i < 2; i++) {
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, parts[i]);
		if (!x)
			continue;
		if (!cJSON_IsNumber(x) || !(x->valuedouble >= lo && x->valuedouble <= hi)) {
			snprintf(f, sizeof(f), "bands.%s.%s", name, parts[i]);
			return cxm_fail(e, f, _(MSG_MX_WANT_RANGE), lo, hi);
		}
		*v[i] = x->valuedouble;
	}
	if (b->amber > b->green)
		return cxm_fail(e, f, _(MSG_MX_BAND_ORDER), b->amber, b->green);
	return 0;
}

int cxm_metrics_settings_check(const cJSON *o, struct cxm_bands *out, char *field, size_t fieldlen, char *why,
			       size_t whylen)
{
	static const char *const keys[] = { "bands", NULL };
	static const char *const band_keys[] = { "nps", "csat", "ces", NULL };
	struct cxm_err e = { field, fieldlen, why, whylen };
	struct cxm_bands b;
	const cJSON *bands;
	int ret;

	cxm_bands_default(&b);
	if (!cJSON_IsObject(o))
		return cxm_fail(&e, "", "%s", _(MSG_MX_WANT_OBJECT));
	if ((ret = cxm_only_keys(o, keys, "", MSG_MX_UNKNOWN_KEY, &e)))
		return ret;
	bands = cJSON_GetObjectItemCaseSensitive(o, "bands");
	if (bands) {
		if (!cJSON_IsObject(bands))
			return cxm_fail(&e, "bands", "%s", _(MSG_MX_WANT_OBJECT));
		if ((ret = cxm_only_keys(bands, band_keys, "bands", MSG_MX_UNKNOWN_KEY, &e)) ||
		    (ret = check_band(cJSON_GetObjectItemCaseSensitive(bands, "nps"), "nps", -100, 100, &b.nps, &e)) ||
		    (ret = check_band(cJSON_GetObjectItemCaseSensitive(bands, "csat"), "csat", 0, 100, &b.csat, &e)) ||
		    (ret = check_band(cJSON_GetObjectItemCaseSensitive(bands, "ces"), "ces", 1, 7, &b.ces, &e)))
			return ret;
	}
	if (out)
		*out = b;
	return 0;
}
