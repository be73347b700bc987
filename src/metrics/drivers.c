/* drivers.c - key-driver analysis: Johnson's (2000) relative weights of
 * driver ratings on an outcome, each driver's performance, and the
 * importance x performance quadrant (metrics.h; method in docs/metrics.md). */
#include "cxm/check.h"
#include "cxm/metrics.h"
#include "cxm/core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define K CXM_DRIVERS_MAX

/*
 * Eigen-decomposition of the symmetric a x a matrix m by cyclic Jacobi
 * rotations: on return m's diagonal holds the eigenvalues and the columns
 * of v the eigenvectors (m = v diag v').
 */
static void jacobi(double m[K][K], double v[K][K], size_t a)
{
	for (size_t i = 0; i < a; i++)
		for (size_t j = 0; j < a; j++)
			v[i][j] = i == j;
	for (int sweep = 0; sweep < 100; sweep++) {
		double off = 0, diag = 0;
		for (size_t p = 0; p < a; p++) {
			diag += m[p][p] * m[p][p];
			for (size_t q = p + 1; q < a; q++)
				off += m[p][q] * m[p][q];
		}
		if (off <= 1e-30 * diag)
			return;
		for (size_t p = 0; p < a; p++) {
			for (size_t q = p + 1; q < a; q++) {
				double theta, t, c, s;
				if (m[p][q] == 0)
					continue;
				/* the angle that zeroes m[p][q]: cot 2phi = theta */
				theta = (m[q][q] - m[p][p]) / (2 * m[p][q]);
				t = (theta >= 0 ? 1 : -1) / (fabs(theta) + sqrt(theta * theta + 1));
				c = 1 / sqrt(t * t + 1);
				s = t * c;
				for (size_t k = 0; k < a; k++) {
					double kp = m[k][p], kq = m[k][q];
					m[k][p] = c * kp - s * kq;
					m[k][q] = s * kp + c * kq;
				}
				for (size_t k = 0; k < a; k++) {
					double pk = m[p][k], qk = m[q][k];
					m[p][k] = c * pk - s * qk;
					m[q][k] = s * pk + c * qk;
				}
				for (size_t k = 0; k < a; k++) {
					double kp = v[k][p], kq = v[k][q];
					v[k][p] = c * kp - s * kq;
					v[k][q] = s * kp + c * kq;
				}
			}
		}
	}
}

static bool complete(const double *row, size_t k)
{
	for (size_t j = 0; j <= k; j++)
		if (!isfinite(row[j]))
			return false;
	return true;
}

/* The matrices of one analysis (about 60 KiB: on the heap, not the stack
 * of a server thread). */
struct work {
	double cov[K + 1][K + 1], r[K][K], v[K][K], lam[K][K];
	double flat[K * K]; /* the correlations handed to cxm_drivers_from_corr */
};

/* The relative weights of the a active drivers from their correlation
 * matrix w->r (destroyed) and correlations with the outcome ry, into eps. */
static void relative_weights(struct work *w, const double *ry, size_t a, double *eps)
{
	double(*r)[K] = w->r, (*v)[K] = w->v, (*lam)[K] = w->lam;
	double root[K], beta[K], tmp[K], trace = 0;

	jacobi(r, v, a);
	/* an eigenvalue at or below 0 (rounding, or correlations estimated
	 * pairwise that are not positive semi-definite) is taken as 0: the
	 * nearest such matrix in the eigenbasis, and a pseudo-inverse below */
	for (size_t i = 0; i < a; i++)
		trace += fabs(r[i][i]);
	for (size_t i = 0; i < a; i++)
		root[i] = r[i][i] > 1e-10 * trace ? sqrt(r[i][i]) : 0;
	/* lam = R^(1/2) = V diag(sqrt l) V': the correlations of the drivers
	 * with their closest orthogonal counterparts */
	for (size_t i = 0; i < a; i++)
		for (size_t j = 0; j < a; j++) {
			double s = 0;
			for (size_t q = 0; q < a; q++)
				s += v[i][q] * root[q] * v[j][q];
			lam[i][j] = s;
		}
	/* beta = R^(-1/2) ry (a pseudo-inverse: exactly collinear drivers
	 * share what they explain): the outcome on the orthogonal variables */
	for (size_t q = 0; q < a; q++) {
		double s = 0;
		for (size_t i = 0; i < a; i++)
			s += v[i][q] * ry[i];
		tmp[q] = root[q] > 0 ? s / root[q] : 0;
	}
	for (size_t i = 0; i < a; i++) {
		double s = 0;
		for (size_t q = 0; q < a; q++)
			s += v[i][q] * tmp[q];
		beta[i] = s;
	}
	for (size_t j = 0; j < a; j++) {
		double s = 0;
		for (size_t q = 0; q < a; q++)
			s += lam[j][q] * lam[j][q] * beta[q] * beta[q];
		eps[j] = s;
	}
}

int cxm_drivers_from_corr(const double *r, const double *ry, size_t k, double *importance, double *r2)
{
	struct work *w;
	double eps[K];
	int ret = 0;

	if (k < 1 || k > K)
		return CXM_EINVAL;
	for (size_t i = 0; i < k; i++) {
		if (!isfinite(ry[i]))
			return CXM_EINVAL;
		for (size_t j = 0; j < k; j++)
			if (!isfinite(r[i * k + j]))
				return CXM_EINVAL;
	}
	w = xcalloc(1, sizeof(*w));
	for (size_t i = 0; i < k; i++)
		for (size_t j = 0; j < k; j++)
			w->r[i][j] = r[i * k + j];
	relative_weights(w, ry, k, eps);
	*r2 = 0;
	for (size_t j = 0; j < k && !ret; j++) {
		if (!isfinite(eps[j]))
			ret = CXM_EINVAL;
		importance[j] = eps[j];
		*r2 += eps[j];
	}
	free(w);
	return ret;
}

int cxm_drivers_analyse(const double *rows, size_t n, size_t k, const struct cxm_driver_scale *scales,
			struct cxm_drivers *out, char *field, size_t fieldlen, char *why, size_t whylen)
{
	struct work *w = NULL;
	double(*cov)[K + 1], *r, r2;
	struct cxm_err e = { field, fieldlen, why, whylen };
	double mean[K + 1] = { 0 }, sum[K] = { 0 }, ry[K], eps[K];
	size_t act[K], a = 0;
	int64_t m = 0;
	int ret = CXM_EINVAL;

	if (k < 1 || k > K)
		return cxm_fail(&e, "drivers", _(MSG_MX_DRIVERS_COUNT), K);
	for (size_t j = 0; j < k; j++)
		if (!(scales[j].min < scales[j].max) || !isfinite(scales[j].min) || !isfinite(scales[j].max))
			return cxm_fail(&e, "drivers", _(MSG_MX_DRIVER_SCALE), j + 1);
	memset(out, 0, sizeof(*out));
	out->k = k;

	/* performance: every rating a driver got */
	for (size_t i = 0; i < n; i++) {
		const double *row = rows + i * (k + 1);
		for (size_t j = 0; j < k; j++)
			if (isfinite(row[1 + j])) {
				sum[j] += row[1 + j];
				out->d[j].rated++;
			}
		if (complete(row, k)) {
			m++;
			for (size_t j = 0; j <= k; j++)
				mean[j] += row[j];
		}
	}
	if (m < (int64_t)k + 2)
		return cxm_fail(&e, "rows", _(MSG_MX_FEW_ROWS), (long long)m, k, k + 2);
	for (size_t j = 0; j <= k; j++)
		mean[j] /= (double)m;
	for (size_t j = 0; j < k; j++) {
		struct cxm_driver_result *d = &out->d[j];
		double p;
		d->mean = sum[j] / (double)d->rated; /* rated >= m > 0 */
		if (!isfinite(d->mean))
			return cxm_fail(&e, "rows", "%s", _(MSG_MX_HUGE_VALUES));
		p = 100 * (d->mean - scales[j].min) / (scales[j].max - scales[j].min);
		d->performance = fmin(100, fmax(0, p));
	}

	/* covariances over the complete rows, centred (two passes) */
	w = xcalloc(1, sizeof(*w));
	cov = w->cov;
	r = w->flat;
	for (size_t i = 0; i < n; i++) {
		const double *row = rows + i * (k + 1);
		double c[K + 1];
		if (!complete(row, k))
			continue;
		for (size_t j = 0; j <= k; j++)
			c[j] = row[j] - mean[j];
		for (size_t p = 0; p <= k; p++)
			for (size_t q = p; q <= k; q++)
				cov[p][q] += c[p] * c[q];
	}
	for (size_t p = 0; p <= k; p++)
		for (size_t q = p; q <= k; q++)
			if (!isfinite(cov[p][q])) {
				cxm_fail(&e, "rows", "%s", _(MSG_MX_HUGE_VALUES));
				goto out;
			}
	/* a variance this small next to the values is rounding: constant */
	if (!(cov[0][0] > 1e-12 * (double)m * (1 + mean[0] * mean[0]))) {
		cxm_fail(&e, "y", "%s", _(MSG_MX_FLAT_Y));
		goto out;
	}
	for (size_t j = 0; j < k; j++) {
		if (cov[1 + j][1 + j] > 1e-12 * (double)m * (1 + mean[1 + j] * mean[1 + j]))
			act[a++] = j;
		else
			out->d[j].constant = true;
	}
	out->rows_used = m;

	for (size_t p = 0; p < a; p++) {
		size_t jp = 1 + act[p];
		ry[p] = cov[0][jp] / (sqrt(cov[0][0]) * sqrt(cov[jp][jp]));
		for (size_t q = p; q < a; q++) {
			size_t jq = 1 + act[q];
			r[p * a + q] = r[q * a + p] =
				p == q ? 1 : cov[jp][jq] / (sqrt(cov[jp][jp]) * sqrt(cov[jq][jq]));
		}
	}
	/* values near the limits of a double can still lose the correlations
	 * to overflow: refuse rather than return NaN */
	if (a && cxm_drivers_from_corr(r, ry, a, eps, &r2)) {
		cxm_fail(&e, "rows", "%s", _(MSG_MX_HUGE_VALUES));
		goto out;
	}
	for (size_t p = 0; p < a; p++) {
		if (!isfinite(eps[p]) || !isfinite(ry[p])) {
			cxm_fail(&e, "rows", "%s", _(MSG_MX_HUGE_VALUES));
			goto out;
		}
		out->d[act[p]].importance = eps[p];
		out->r2 += eps[p];
	}

	/* the quadrant cuts: the means over the drivers that vary */
	for (size_t p = 0; p < a; p++) {
		struct cxm_driver_result *d = &out->d[act[p]];
		d->share = out->r2 > 0 ? 100 * d->importance / out->r2 : 0;
		out->mean_importance += d->importance / (double)a;
		out->mean_performance += d->performance / (double)a;
	}
	for (size_t p = 0; p < a; p++) {
		struct cxm_driver_result *d = &out->d[act[p]];
		bool important = d->importance >= out->mean_importance;
		bool good = d->performance >= out->mean_performance;
		d->quadrant = important ? (good ? CXM_QUADRANT_KEEP : CXM_QUADRANT_FIX_FIRST)
					: (good ? CXM_QUADRANT_MAINTAIN : CXM_QUADRANT_LOWER_PRIORITY);
	}
	ret = 0;
out:
	free(w);
	return ret;
}

const char *cxm_quadrant_name(enum cxm_quadrant q)
{
	static const char *const names[] = { NULL, "fix_first", "keep", "maintain", "lower_priority" };

	return (unsigned)q < sizeof(names) / sizeof(*names) ? names[q] : NULL;
}

const char *cxm_quadrant_label(enum cxm_quadrant q, enum cxm_lang lang)
{
	static const enum cxm_msg ids[] = { MSG_MX_Q_FIX_FIRST, MSG_MX_Q_KEEP, MSG_MX_Q_MAINTAIN,
					    MSG_MX_Q_LOWER_PRIORITY };

	if (q < CXM_QUADRANT_FIX_FIRST || q > CXM_QUADRANT_LOWER_PRIORITY)
		return "";
	return cxm_msg_in(ids[q - CXM_QUADRANT_FIX_FIRST], lang);
}
