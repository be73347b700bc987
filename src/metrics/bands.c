/* bands.c - traffic-light colours and the tenant's metrics settings that
 * set their bands (metrics.h). */
#include "cxm/metrics.h"
#include "cxm/core.h"

#include <stdarg.h>
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

struct fail {
	char *field, *why;
	size_t fieldlen, whylen;
};

static int fail(struct fail *e, const char *field, const char *fmt, ...) CXM_PRINTF(3, 4);
static int fail(struct fail *e, const char *field, const char *fmt, ...)
{
	va_list ap;

	snprintf(e->field, e->fieldlen, "%s", field);
	va_start(ap, fmt);
	vsnprintf(e->why, e->whylen, fmt, ap);
	va_end(ap);
	return CXM_EINVAL;
}

/* Refuses a member of o whose name is not in keys (NULL-ended). */
static int only_keys(const cJSON *o, const char *const *keys, const char *where, struct fail *e)
{
	for (const cJSON *it = o->child; it; it = it->next) {
		size_t i = 0;
		char f[96];
		while (keys[i] && strcmp(keys[i], it->string))
			i++;
		if (!keys[i]) {
			snprintf(f, sizeof(f), "%s%s%s", where, *where ? "." : "", it->string);
			return fail(e, f, _(MSG_MX_UNKNOWN_KEY), it->string);
		}
	}
	return 0;
}

/* One band {"amber": A, "green": G}, each within [lo, hi], A <= G. */
static int check_band(const cJSON *o, const char *name, double lo, double hi, struct cxm_band *b, struct fail *e)
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
		return fail(e, f, "%s", _(MSG_MX_WANT_OBJECT));
	if ((ret = only_keys(o, keys, f, e)))
		return ret;
	for (int i = 0; i < 2; i++) {
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, parts[i]);
		if (!x)
			continue;
		if (!cJSON_IsNumber(x) || !(x->valuedouble >= lo && x->valuedouble <= hi)) {
			snprintf(f, sizeof(f), "bands.%s.%s", name, parts[i]);
			return fail(e, f, _(MSG_MX_WANT_RANGE), lo, hi);
		}
		*v[i] = x->valuedouble;
	}
	if (b->amber > b->green)
		return fail(e, f, _(MSG_MX_BAND_ORDER), b->amber, b->green);
	return 0;
}

int cxm_metrics_settings_check(const cJSON *o, struct cxm_bands *out, char *field, size_t fieldlen, char *why,
			       size_t whylen)
{
	static const char *const keys[] = { "bands", NULL };
	static const char *const band_keys[] = { "nps", "csat", "ces", NULL };
	struct fail e = { field, why, fieldlen, whylen };
	struct cxm_bands b;
	const cJSON *bands;
	int ret;

	cxm_bands_default(&b);
	if (!cJSON_IsObject(o))
		return fail(&e, "", "%s", _(MSG_MX_WANT_OBJECT));
	if ((ret = only_keys(o, keys, "", &e)))
		return ret;
	bands = cJSON_GetObjectItemCaseSensitive(o, "bands");
	if (bands) {
		if (!cJSON_IsObject(bands))
			return fail(&e, "bands", "%s", _(MSG_MX_WANT_OBJECT));
		if ((ret = only_keys(bands, band_keys, "bands", &e)) ||
		    (ret = check_band(cJSON_GetObjectItemCaseSensitive(bands, "nps"), "nps", -100, 100, &b.nps, &e)) ||
		    (ret = check_band(cJSON_GetObjectItemCaseSensitive(bands, "csat"), "csat", 0, 100, &b.csat, &e)) ||
		    (ret = check_band(cJSON_GetObjectItemCaseSensitive(bands, "ces"), "ces", 1, 7, &b.ces, &e)))
			return ret;
	}
	if (out)
		*out = b;
	return 0;
}
