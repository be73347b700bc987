/* friction.c - a stage's or touchpoint's friction score (journey.h,
 * docs/journeys.md "Friction"), and the tenant's setting of its weights
 * and bands. */
#include "cxm/check.h"
#include "cxm/journey.h"
#include "cxm/metrics.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void cxm_friction_weights_default(struct cxm_friction_weights *w)
{
	w->dropoff = 0.4;
	w->effort = 0.3;
	w->sentiment = 0.3;
	w->bands[0] = 25;
	w->bands[1] = 50;
}

/* Adds one component when it has enough observations. */
static void component(int64_t x, int64_t n, double w, unsigned bit, struct cxm_friction *out, double sums[4])
{
	struct cxm_figure f;

	if (n < CXM_FRICTION_MIN_N || !(w > 0))
		return;
	if (x < 0)
		x = 0;
	if (x > n)
		x = n;
	cxm_share_figure(x, n, &f);
	sums[0] += w;
	sums[1] += w * (double)x / (double)n * 100.0;
	sums[2] += w * f.lo;
	sums[3] += w * f.hi;
	out->components |= bit;
}

void cxm_friction_of(const struct cxm_friction_input *in, const struct cxm_friction_weights *w,
		     struct cxm_friction *out)
{
	struct cxm_friction_weights def;
	double sums[4] = { 0, 0, 0, 0 };

	if (!w) {
		cxm_friction_weights_default(&def);
		w = &def;
	}
	memset(out, 0, sizeof(*out));
	component(in->dropped, in->mature, w->dropoff, 1, out, sums);
	component(in->not_easy, in->effort_n, w->effort, 2, out, sums);
	component(in->negative, in->comments, w->sentiment, 4, out, sums);
	if (!(sums[0] > 0)) {
		out->components = 0;
		return;
	}
	out->valid = true;
	out->value = sums[1] / sums[0];
	out->lo = sums[2] / sums[0];
	out->hi = sums[3] / sums[0];
	out->colour = out->value < w->bands[0] ? "green" : out->value < w->bands[1] ? "amber" : "red";
}

/* ---- the tenant's setting "journeys" ------------------------------------------ */

static const char *const weight_names[] = { "dropoff", "effort", "sentiment" };

static double *weight_slot(struct cxm_friction_weights *w, size_t i)
{
	double *slot[] = { &w->dropoff, &w->effort, &w->sentiment };

	return slot[i];
}

void cxm_friction_weights_read(const char *stored, struct cxm_friction_weights *out)
{
	struct cxm_friction_weights w;
	cJSON *o = stored ? cJSON_Parse(stored) : NULL;

	cxm_friction_weights_default(out);
	if (!o)
		return;
	w = *out;
	const cJSON *ws = cJSON_GetObjectItemCaseSensitive(o, "friction_weights");
	const cJSON *bs = cJSON_GetObjectItemCaseSensitive(o, "friction_bands");
	for (size_t i = 0; ws && i < ARRAY_SIZE(weight_names); i++) {
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(ws, weight_names[i]);
		if (cJSON_IsNumber(x) && x->valuedouble >= 0 && x->valuedouble <= 1)
			*weight_slot(&w, i) = x->valuedouble;
	}
	if (cJSON_GetArraySize(bs) == 2) {
		double a = cJSON_GetArrayItem(bs, 0)->valuedouble, b = cJSON_GetArrayItem(bs, 1)->valuedouble;
		if (a > 0 && a < b && b <= 100)
			w.bands[0] = a, w.bands[1] = b;
	}
	if (w.dropoff + w.effort + w.sentiment > 0)
		*out = w;
	cJSON_Delete(o);
}

/* {"dropoff", "effort", "sentiment"}: all three, each in [0, 1], summing to 1. */
static int check_weights(const cJSON *ws, struct cxm_friction_weights *w, struct cxm_err *e)
{
	static const char *const keys[] = { "dropoff", "effort", "sentiment", NULL };
	double sum = 0;
	char f[64];
	int ret;

	if (!cJSON_IsObject(ws))
		return cxm_fail(e, "friction_weights", "%s", _(MSG_JS_WANT_OBJECT));
	if ((ret = cxm_only_keys(ws, keys, "friction_weights", MSG_JS_UNKNOWN_KEY, e)))
		return ret;
	for (size_t i = 0; i < ARRAY_SIZE(weight_names); i++) {
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(ws, weight_names[i]);
		snprintf(f, sizeof(f), "friction_weights.%s", weight_names[i]);
		if (!x)
			return cxm_fail(e, f, "%s", _(MSG_JS_WEIGHT_MISSING));
		if (!cJSON_IsNumber(x) || !(x->valuedouble >= 0 && x->valuedouble <= 1))
			return cxm_fail(e, f, "%s", _(MSG_JS_WEIGHT_RANGE));
		*weight_slot(w, i) = x->valuedouble;
		sum += x->valuedouble;
	}
	if (fabs(sum - 1) > CXM_FRICTION_WEIGHTS_EPS)
		return cxm_fail(e, "friction_weights", _(MSG_JS_WEIGHT_SUM), sum);
	return 0;
}

/* [amber, red]: 0 < amber < red <= 100. */
static int check_bands(const cJSON *bs, struct cxm_friction_weights *w, struct cxm_err *e)
{
	const cJSON *a, *b;

	if (!cJSON_IsArray(bs) || cJSON_GetArraySize(bs) != 2)
		return cxm_fail(e, "friction_bands", "%s", _(MSG_JS_BANDS_ARRAY));
	a = cJSON_GetArrayItem(bs, 0);
	b = cJSON_GetArrayItem(bs, 1);
	if (!cJSON_IsNumber(a))
		return cxm_fail(e, "friction_bands[0]", "%s", _(MSG_JS_BANDS_ARRAY));
	if (!cJSON_IsNumber(b))
		return cxm_fail(e, "friction_bands[1]", "%s", _(MSG_JS_BANDS_ARRAY));
	if (!(a->valuedouble > 0 && a->valuedouble < b->valuedouble && b->valuedouble <= 100))
		return cxm_fail(e, "friction_bands", _(MSG_JS_BANDS_ORDER), a->valuedouble, b->valuedouble);
	w->bands[0] = a->valuedouble;
	w->bands[1] = b->valuedouble;
	return 0;
}

int cxm_journey_settings_check(const cJSON *o, struct cxm_friction_weights *out, char *field, size_t fieldlen,
			       char *why, size_t whylen)
{
	static const char *const keys[] = { "friction_weights", "friction_bands", NULL };
	struct cxm_err e = { field, fieldlen, why, whylen };
	struct cxm_friction_weights w;
	const cJSON *x;
	int ret;

	cxm_friction_weights_default(&w);
	if (!cJSON_IsObject(o))
		return cxm_fail(&e, "", "%s", _(MSG_JS_WANT_OBJECT));
	if ((ret = cxm_only_keys(o, keys, "", MSG_JS_UNKNOWN_KEY, &e)))
		return ret;
	if ((x = cJSON_GetObjectItemCaseSensitive(o, "friction_weights")) && (ret = check_weights(x, &w, &e)))
		return ret;
	if ((x = cJSON_GetObjectItemCaseSensitive(o, "friction_bands")) && (ret = check_bands(x, &w, &e)))
		return ret;
	if (out)
		*out = w;
	return 0;
}

cJSON *cxm_journey_settings_json(const struct cxm_friction_weights *w)
{
	cJSON *o = cJSON_CreateObject(), *ws = cJSON_AddObjectToObject(o, "friction_weights");
	cJSON *bs = cJSON_AddArrayToObject(o, "friction_bands");

	cJSON_AddNumberToObject(ws, "dropoff", w->dropoff);
	cJSON_AddNumberToObject(ws, "effort", w->effort);
	cJSON_AddNumberToObject(ws, "sentiment", w->sentiment);
	cJSON_AddItemToArray(bs, cJSON_CreateNumber(w->bands[0]));
	cJSON_AddItemToArray(bs, cJSON_CreateNumber(w->bands[1]));
	return o;
}
