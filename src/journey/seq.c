/* seq.c - step matching, exact quantiles and growing arrays for funnels and paths. */
#include <string.h>

#include "cxm/arena.h"
#include "seq-internal.h"

static bool same(const char *want, const char *have)
{
	return !want || (have && strcmp(want, have) == 0);
}

bool seq_step_matches_class(const struct cxm_step *s, const struct cxm_event_class *c)
{
	if (s->is_node || !s->type || !c->type || strcmp(s->type, c->type) != 0)
		return false;
	return same(s->channel, c->channel) && same(s->touchpoint, c->touchpoint);
}

bool seq_step_matches_tag(const struct cxm_step *s, uint32_t tag)
{
	if (!s->is_node || (int)(tag >> 8) != s->slot)
		return false;
	int tp = (int)(tag & 0xff);
	if (!cxm_journey_node_is_stage(s->node))
		return s->node == cxm_journey_tp_node(tp);
	return s->journey && tp < s->journey->n_tps && s->journey->tps[tp].stage == s->node;
}

size_t seq_rank(size_t n, unsigned permille)
{
	/* ceil(n * q) - 1 in integers, so no rounding can move it */
	size_t r = (n * permille + 999) / 1000;
	return r ? r - 1 : 0;
}

static void swap(int64_t *a, size_t i, size_t j)
{
	int64_t t = a[i];
	a[i] = a[j];
	a[j] = t;
}

void seq_select(int64_t *a, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;
	while (lo < hi) {
		/* median of three as the pivot, then a three-way partition so runs of
		 * equal values (common: many customers convert in the same second)
		 * cost no more than distinct ones */
		size_t mid = lo + (hi - lo) / 2;
		if (a[mid] < a[lo])
			swap(a, mid, lo);
		if (a[hi] < a[lo])
			swap(a, hi, lo);
		if (a[hi] < a[mid])
			swap(a, hi, mid);
		int64_t pivot = a[mid];
		size_t lt = lo, i = lo, gt = hi;
		while (i <= gt) {
			if (a[i] < pivot)
				swap(a, lt++, i++);
			else if (a[i] > pivot) {
				swap(a, i, gt);
				if (gt == 0)
					break;
				gt--;
			} else
				i++;
		}
		/* a[lo..lt) < pivot, a[lt..gt] == pivot, a(gt..hi] > pivot */
		if (k < lt)
			hi = lt - 1;
		else if (k > gt)
			lo = gt + 1;
		else
			return;
	}
}

void seq_p50_p90(int64_t *a, size_t n, int64_t *p50, int64_t *p90)
{
	if (n == 0) {
		*p50 = *p90 = -1;
		return;
	}
	size_t k90 = seq_rank(n, 900), k50 = seq_rank(n, 500);
	seq_select(a, n, k90);
	*p90 = a[k90];
	/* a[0..k90) holds the k90 smallest values: the median is among them */
	if (k50 < k90)
		seq_select(a, k90, k50);
	*p50 = a[k50];
}

void *seq_grow(struct cxm_arena *a, const void *old, size_t n, size_t cap, size_t elem)
{
	void *p = cxm_arena_alloc(a, cap * elem);
	if (n)
		memcpy(p, old, n * elem);
	return p;
}
