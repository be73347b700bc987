/* compare.c - is a difference between two independent sets of responses
 * real? A z test on NPS, the CSAT share and the CES mean, and its verdict
 * in plain words (metrics.h; docs/metrics.md). */
#include "cxm/metrics.h"

#include <math.h>
#include <stdio.h>

/* Fills the test from the two values and their standard errors. */
static void finish(struct cxm_diff *d, double a, double sea, double b, double seb)
{
	d->valid = true;
	d->a = a;
	d->b = b;
	d->diff = a - b;
	d->se = sqrt(sea * sea + seb * seb);
	/* se is 0 only when both sides are unanimous and alike (CES with no
	 * spread): no evidence of a difference unless the values differ */
	if (d->se > 0) {
		d->z = d->diff / d->se;
		d->p = erfc(fabs(d->z) / sqrt(2.0));
	} else {
		d->z = 0;
		d->p = d->diff == 0 ? 1 : 0;
	}
	d->significant = d->p < 0.05;
	d->direction = !d->significant ? 0 : d->diff > 0 ? 1 : -1;
}

void cxm_nps_diff(const struct cxm_score_counts *a, const struct cxm_score_counts *b, struct cxm_diff *out)
{
	struct cxm_nps na, nb;

	*out = (struct cxm_diff){ .points = true };
	if (a->nps_n <= 0 || b->nps_n <= 0)
		return;
	cxm_nps_of(a, &na);
	cxm_nps_of(b, &nb);
	finish(out, na.wald.value, na.adjusted.se, nb.wald.value, nb.adjusted.se);
}

void cxm_csat_diff(const struct cxm_score_counts *a, const struct cxm_score_counts *b, struct cxm_diff *out)
{
	struct cxm_figure fa, fb;

	*out = (struct cxm_diff){ .points = true };
	if (a->csat_n <= 0 || b->csat_n <= 0)
		return;
	cxm_share_figure(a->csat_satisfied, a->csat_n, &fa);
	cxm_share_figure(b->csat_satisfied, b->csat_n, &fb);
	finish(out, fa.value, fa.se, fb.value, fb.se);
}

void cxm_ces_diff(const struct cxm_score_counts *a, const struct cxm_score_counts *b, struct cxm_diff *out)
{
	struct cxm_figure fa, fb;

	*out = (struct cxm_diff){ .points = false };
	/* a mean's variance needs two answers on each side */
	if (a->ces_n < 2 || b->ces_n < 2)
		return;
	cxm_mean_figure(a->ces_n, a->ces_sum, a->ces_sumsq, 1, 7, &fa);
	cxm_mean_figure(b->ces_n, b->ces_sum, b->ces_sumsq, 1, 7, &fb);
	finish(out, fa.value, fa.se, fb.value, fb.se);
}

void cxm_diff_verdict(const struct cxm_diff *d, enum cxm_lang lang, char *buf, size_t len)
{
	enum cxm_msg up = MSG_MX_UP_MEAN, down = MSG_MX_DOWN_MEAN, same = MSG_MX_SAME_MEAN;
	double shown = d->diff;
	int prec = 2;

	if (!len)
		return;
	if (!d->valid) {
		snprintf(buf, len, "%s", cxm_msg_in(MSG_MX_NO_DATA, lang));
		return;
	}
	if (d->points) {
		/* whole points (rounded half away from zero, and one point is
		 * singular), but a change under half a point is not written 0 */
		double whole = round(fabs(d->diff));
		if (whole == 0 && d->diff != 0) {
			prec = 1;
		} else {
			prec = 0;
			shown = d->diff < 0 ? -whole : whole;
		}
		up = whole == 1 ? MSG_MX_UP_POINT : MSG_MX_UP_POINTS;
		down = whole == 1 ? MSG_MX_DOWN_POINT : MSG_MX_DOWN_POINTS;
		same = whole == 1 ? MSG_MX_SAME_POINT : MSG_MX_SAME_POINTS;
	}
	if (d->direction > 0)
		snprintf(buf, len, cxm_msg_in(up, lang), prec, shown);
	else if (d->direction < 0)
		snprintf(buf, len, cxm_msg_in(down, lang), prec, -shown);
	else
		snprintf(buf, len, cxm_msg_in(same, lang), prec, shown);
}
