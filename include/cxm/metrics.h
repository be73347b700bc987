/*
 * metrics.h - NPS, CSAT and CES from counts (issue 5). The counts of a set
 * of responses are what the rollups keep and what a scan adds up; the
 * figures, intervals, colours, tests and drivers are pure functions of
 * them (src/metrics/), so that both paths give the same numbers.
 */
#ifndef CXM_METRICS_H
#define CXM_METRICS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * What a set of responses adds up to. Every field is a plain sum, so two
 * sets add field by field and a deleted response subtracts.
 *   NPS (0-10): promoters 9-10, passives 7-8, detractors 0-6.
 *   CSAT (1-5): satisfied = 4 or 5; sum and sum of squares for the mean.
 *   CES (1-7, 7 = very easy): easy = 5, 6 or 7; sum and sum of squares.
 */
struct cxm_score_counts {
	int64_t responses;
	int64_t nps_n, promoters, passives, detractors;
	int64_t csat_n, csat_satisfied, csat_sum, csat_sumsq;
	int64_t ces_n, ces_easy, ces_sum, ces_sumsq;
};

/* The counts of one response (scores of -1: not answered). */
void cxm_score_counts_of(struct cxm_score_counts *c, int nps, int csat, int ces);
/* a += b, or a -= b with sign -1. */
void cxm_score_counts_add(struct cxm_score_counts *a, const struct cxm_score_counts *b, int sign);

#endif
