/* moments.c - moments of truth: which touchpoints' ratings best predict the
 * outcome NPS, by Johnson's relative weights, listwise or pairwise, with
 * each touchpoint's lift (moments.h). Pure. */
#include "cxm/check.h"
#include "cxm/core.h"
#include "cxm/moments.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define K CXM_DRIVERS_MAX

const struct cxm_moment_scale cxm_moment_scale_nps = { 0, 10, 9, 6 };
const struct cxm_moment_scale cxm_moment_scale_csat = { 1, 5, 4, 2 };
const struct cxm_moment_scale cxm_moment_scale_ces = { 1, 7, 5, 3 };

/* Pearson correlation of columns a and b over the rows with an outcome
 * that have both (two passes); *n gets how many, NAN when either does not
 * vary there. */
static double pair_corr(const double *rows, size_t n, size_t w, size_t a, size_t b, int64_t *np)
{
	double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
	int64_t m = 0;

	for (size_t i = 0; i < n; i++) {
		const double *r = rows + i * w;
		if (isfinite(r[0]) && isfinite(r[a]) && isfinite(r[b]))
			ma += r[a], mb += r[b], m++;
	}
	*np = m;
	if (m < 2)
		return NAN;
	ma /= (double)m, mb /= (double)m;
	for (size_t i = 0; i < n; i++) {
		const double *r = rows + i * w;
		if (!(isfinite(r[0]) && isfinite(r[a]) && isfinite(r[b])))
			continue;
		double da = r[a] - ma, db = r[b] - mb;
		sab += da * db, saa += da * da, sbb += db * db;
	}
	/* a variance this small next to the values is rounding: constant */
	if (!(saa > 1e-12 * (double)m * (1 + ma * ma)) || !(sbb > 1e-12 * (double)m * (1 + mb * mb)))
		return NAN;
	return sab / (sqrt(saa) * sqrt(sbb));
}

/* Leaves out the touchpoints too few customers rated, or rated together
 * with another one analysed (the pair with fewest first; of a pair, the
 * one fewer rated, the later one on a tie). */
static void leave_out(const double *rows, size_t n, size_t k, const bool *varies, struct cxm_moments *out)
{
	int64_t(*together)[K] = xcalloc(K, sizeof(*together));
	size_t w = 1 + k;

	for (size_t j = 0; j < k; j++) {
		struct cxm_moment *m = &out->m[j];
		if (m->rated < CXM_MOMENTS_MIN_PAIRS) {
			m->reason = CXM_MOMENT_FEW_RATED;
			m->pairs = m->rated;
		} else if (!isfinite(m->corr)) {
			/* rated often enough: the correlation is undefined only
			 * when the ratings do not vary, or the outcome does not
			 * among those who rated it */
			m->reason = varies[j] ? CXM_MOMENT_FLAT_OUTCOME : CXM_MOMENT_CONSTANT;
		}
	}
	for (size_t i = 0; i < k; i++)
		for (size_t j = i + 1; j < k; j++) {
			int64_t c = 0;
			for (size_t r = 0; r < n; r++)
				c += isfinite(rows[r * w]) && isfinite(rows[r * w + 1 + i]) && isfinite(rows[r * w + 1 + j]);
			together[i][j] = together[j][i] = c;
		}
	for (;;) {
		size_t bi = k, bj = k;
		for (size_t i = 0; i < k; i++)
			for (size_t j = i + 1; j < k; j++)
				if (out->m[i].reason == CXM_MOMENT_IN && out->m[j].reason == CXM_MOMENT_IN &&
				    together[i][j] < CXM_MOMENTS_MIN_PAIRS && (bi == k || together[i][j] < together[bi][bj]))
					bi = i, bj = j;
		if (bi == k)
			break;
		size_t drop = out->m[bi].rated < out->m[bj].rated ? bi : bj, keep = drop == bi ? bj : bi;
		out->m[drop].reason = CXM_MOMENT_FEW_TOGETHER;
		out->m[drop].with = (int)keep;
		out->m[drop].pairs = together[bi][bj];
	}
	free(together);
}

int cxm_moments_analyse(const double *rows, size_t n, size_t k, const struct cxm_moment_scale *scales,
			struct cxm_moments *out, char *field, size_t fieldlen, char *why, size_t whylen)
{
	struct cxm_err e = { field, fieldlen, why, whylen };
	size_t w = 1 + k, act[K], a = 0;
	double sum[K] = { 0 }, first[K], ymin = INFINITY, ymax = -INFINITY;
	bool varies[K] = { false };

	if (k < 1 || k > K)
		return cxm_fail(&e, "touchpoints", _(MSG_MT_TOUCHPOINTS), K);
	for (size_t j = 0; j < k; j++)
		if (!(scales[j].min < scales[j].max) || !isfinite(scales[j].min) || !isfinite(scales[j].max))
			return cxm_fail(&e, "touchpoints", _(MSG_MT_SCALE), j + 1);
	memset(out, 0, sizeof(*out));
	out->k = k;
	for (size_t i = 0; i < n; i++) {
		const double *r = rows + i * w;
		if (!isfinite(r[0]))
			continue;
		if (r[0] < 0 || r[0] > 10 || r[0] != floor(r[0]))
			return cxm_fail(&e, "rows", "%s", _(MSG_MT_BAD_OUTCOME));
		out->customers++;
		ymin = fmin(ymin, r[0]);
		ymax = fmax(ymax, r[0]);
		for (size_t j = 0; j < k; j++) {
			struct cxm_moment *m = &out->m[j];
			struct cxm_score_counts c;
			if (!isfinite(r[1 + j]))
				continue;
			if (!m->rated++)
				first[j] = r[1 + j];
			varies[j] = varies[j] || r[1 + j] != first[j];
			sum[j] += r[1 + j];
			cxm_score_counts_of(&c, (int)r[0], -1, -1);
			if (r[1 + j] >= scales[j].good)
				cxm_score_counts_add(&m->well, &c, 1);
			else if (r[1 + j] <= scales[j].bad)
				cxm_score_counts_add(&m->badly, &c, 1);
		}
	}
	if (!out->customers)
		return cxm_fail(&e, "rows", "%s", _(MSG_MT_NO_OUTCOME));
	if (ymin == ymax)
		return cxm_fail(&e, "y", "%s", _(MSG_MT_FLAT_Y));
	for (size_t j = 0; j < k; j++) {
		struct cxm_moment *m = &out->m[j];
		m->corr = pair_corr(rows, n, w, 0, 1 + j, &m->corr_n);
		m->mean = m->rated ? sum[j] / (double)m->rated : NAN;
		m->performance = m->rated ? fmin(100, fmax(0, 100 * (m->mean - scales[j].min) /
								   (scales[j].max - scales[j].min)))
					  : NAN;
		cxm_nps_diff(&m->well, &m->badly, &m->lift);
	}
	leave_out(rows, n, k, varies, out);
	for (size_t j = 0; j < k; j++)
		if (out->m[j].reason == CXM_MOMENT_IN)
			act[a++] = j;
	out->analysed = a;
	if (!a)
		return 0;

	double *sub = xcalloc(n * (1 + a), sizeof(double)), imp[K];
	struct cxm_driver_scale dscales[K];
	for (size_t p = 0; p < a; p++)
		dscales[p] = (struct cxm_driver_scale){ scales[act[p]].min, scales[act[p]].max };
	for (size_t i = 0; i < n; i++) {
		const double *r = rows + i * w;
		bool all = isfinite(r[0]);
		sub[i * (1 + a)] = r[0];
		for (size_t p = 0; p < a; p++) {
			sub[i * (1 + a) + 1 + p] = r[1 + act[p]];
			all = all && isfinite(r[1 + act[p]]);
		}
		out->complete += all;
	}
	/* listwise as /api/v1/drivers when the complete rows are enough (and
	 * the analysis takes them); else the correlations pair by pair */
	struct cxm_drivers *d = xcalloc(1, sizeof(*d));
	char f2[32], w2[256];
	if (out->complete >= 10 * (int64_t)a &&
	    !cxm_drivers_analyse(sub, n, a, dscales, d, f2, sizeof(f2), w2, sizeof(w2))) {
		out->listwise = true;
		for (size_t p = 0; p < a; p++)
			imp[p] = d->d[p].importance;
		out->r2 = d->r2;
	} else {
		double *r = xcalloc(a * a, sizeof(double)), ry[K];
		int64_t np;
		for (size_t p = 0; p < a; p++) {
			ry[p] = out->m[act[p]].corr;
			for (size_t q = 0; q < a; q++) {
				double c = p == q ? 1 : pair_corr(sub, n, 1 + a, 1 + p, 1 + q, &np);
				/* two touchpoints that do not vary where both are
				 * rated tell nothing about each other */
				r[p * a + q] = isfinite(c) ? c : 0;
			}
		}
		if (cxm_drivers_from_corr(r, ry, a, imp, &out->r2))
			memset(imp, 0, sizeof(imp)), out->r2 = 0;
		free(r);
	}
	free(d);
	free(sub);

	/* shares, the quadrant (cuts: the means over those analysed), the top */
	double mean_imp = 0, mean_perf = 0;
	for (size_t p = 0; p < a; p++) {
		struct cxm_moment *m = &out->m[act[p]];
		m->importance = imp[p];
		m->share = out->r2 > 0 ? 100 * imp[p] / out->r2 : 0;
		mean_imp += imp[p] / (double)a;
		mean_perf += m->performance / (double)a;
	}
	for (size_t p = 0; p < a; p++) {
		struct cxm_moment *m = &out->m[act[p]];
		bool important = m->importance >= mean_imp, good = m->performance >= mean_perf;
		size_t above = 0;
		m->quadrant = important ? (good ? CXM_QUADRANT_KEEP : CXM_QUADRANT_FIX_FIRST)
					: (good ? CXM_QUADRANT_MAINTAIN : CXM_QUADRANT_LOWER_PRIORITY);
		for (size_t q = 0; q < a; q++)
			above += imp[q] > imp[p] || (imp[q] == imp[p] && q < p);
		m->top = above < CXM_MOMENTS_TOP && imp[p] > 0;
	}
	return 0;
}

void cxm_moment_reason_text(const struct cxm_moments *m, size_t j, const char *const *names, enum cxm_lang lang,
			    char *buf, size_t len)
{
	const struct cxm_moment *x = &m->m[j];

	if (!len)
		return;
	buf[0] = '\0';
	switch (x->reason) {
	case CXM_MOMENT_IN:
		break;
	case CXM_MOMENT_FEW_RATED:
		snprintf(buf, len, cxm_msg_in(MSG_MT_FEW_RATED, lang), (long long)x->pairs, CXM_MOMENTS_MIN_PAIRS);
		break;
	case CXM_MOMENT_FEW_TOGETHER:
		snprintf(buf, len, cxm_msg_in(MSG_MT_FEW_TOGETHER, lang), names[x->with], (long long)x->pairs,
			 CXM_MOMENTS_MIN_PAIRS);
		break;
	case CXM_MOMENT_CONSTANT:
		snprintf(buf, len, "%s", cxm_msg_in(MSG_MT_CONSTANT, lang));
		break;
	case CXM_MOMENT_FLAT_OUTCOME:
		snprintf(buf, len, "%s", cxm_msg_in(MSG_MT_FLAT_AMONG, lang));
		break;
	}
}

void cxm_moment_lift_text(const struct cxm_moment *m, const char *name, enum cxm_lang lang, char *buf, size_t len)
{
	if (!len)
		return;
	buf[0] = '\0';
	if (m->lift.valid)
		snprintf(buf, len, cxm_msg_in(m->lift.significant ? MSG_MT_LIFT_SIGNIFICANT : MSG_MT_LIFT, lang), name,
			 m->lift.a, m->lift.b);
}
