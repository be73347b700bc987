/*
 * seq-internal.h - what funnels (funnel.c) and paths (paths.c) share over
 * customer sequences: matching a step against an event class or a journey
 * tag, exact quantiles by selection, and arrays that grow in an arena.
 */
#ifndef CXM_SEQ_INTERNAL_H
#define CXM_SEQ_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cxm/journey.h"

struct cxm_arena;

/* Whether an event step (type, channel?, touchpoint?) matches class c. */
bool seq_step_matches_class(const struct cxm_step *s, const struct cxm_event_class *c);
/* Whether a node step matches a sequence tag (CXM_SEQ_TAG). */
bool seq_step_matches_tag(const struct cxm_step *s, uint32_t tag);

/*
 * The 0-based rank of the percentile_disc(permille / 1000) of n sorted
 * values: the smallest value whose cumulative share is >= q. n > 0.
 */
size_t seq_rank(size_t n, unsigned permille);
/* Reorders a[0..n) so that a[k] is the value a sort would put there, with
 * nothing larger before it and nothing smaller after it. k < n. */
void seq_select(int64_t *a, size_t n, size_t k);
/* p50 and p90 (percentile_disc) of a[0..n), reordering it; -1 when n == 0. */
void seq_p50_p90(int64_t *a, size_t n, int64_t *p50, int64_t *p90);

/* A copy of old (n elements of size elem) in a new arena array of cap
 * elements (cap >= n): arrays grow by doubling, the old one stays behind. */
void *seq_grow(struct cxm_arena *a, const void *old, size_t n, size_t cap, size_t elem);

#endif
