/* counts.c - the counts of responses (metrics.h). */
#include "cxm/metrics.h"

#include <stddef.h>

void cxm_score_counts_of(struct cxm_score_counts *c, int nps, int csat, int ces)
{
	*c = (struct cxm_score_counts){ .responses = 1 };
	if (nps >= 0) {
		c->nps_n = 1;
		c->promoters = nps >= 9;
		c->passives = nps == 7 || nps == 8;
		c->detractors = nps <= 6;
	}
	if (csat >= 0) {
		c->csat_n = 1;
		c->csat_satisfied = csat >= 4;
		c->csat_sum = csat;
		c->csat_sumsq = (int64_t)csat * csat;
	}
	if (ces >= 0) {
		c->ces_n = 1;
		c->ces_easy = ces >= 5;
		c->ces_sum = ces;
		c->ces_sumsq = (int64_t)ces * ces;
	}
}

void cxm_score_counts_add(struct cxm_score_counts *a, const struct cxm_score_counts *b, int sign)
{
	int64_t *x = &a->responses;
	const int64_t *y = &b->responses;

	/* every field is an int64_t sum, in order */
	for (size_t i = 0; i < sizeof(*a) / sizeof(int64_t); i++)
		x[i] += sign * y[i];
}
