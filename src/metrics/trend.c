/* trend.c - figures per time bucket, with an optional moving window that
 * sums counts (metrics.h; docs/metrics.md says why counts, not scores). */
#include "cxm/metrics.h"

void cxm_trend_window(const struct cxm_score_counts *in, size_t n, size_t k, struct cxm_score_counts *out)
{
	struct cxm_score_counts run = { 0 };

	if (k < 1)
		k = 1;
	for (size_t i = 0; i < n; i++) {
		cxm_score_counts_add(&run, &in[i], 1);
		if (i >= k)
			cxm_score_counts_add(&run, &in[i - k], -1);
		out[i] = run;
	}
}

void cxm_trend(const struct cxm_score_counts *in, size_t n, size_t k, const struct cxm_bands *bands,
	       struct cxm_figures *out)
{
	struct cxm_score_counts run = { 0 };

	if (k < 1)
		k = 1;
	for (size_t i = 0; i < n; i++) {
		cxm_score_counts_add(&run, &in[i], 1);
		if (i >= k)
			cxm_score_counts_add(&run, &in[i - k], -1);
		cxm_figures_of(&run, bands, &out[i]);
	}
}
