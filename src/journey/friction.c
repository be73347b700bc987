/* friction.c - a stage's or touchpoint's friction score (journey.h,
 * docs/journeys.md "Friction"). */
#include "cxm/journey.h"
#include "cxm/metrics.h"

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
