/*
 * subtree.c - which units were inside a unit's subtree, and when (org.h):
 * what a scoped caller sees (http/auth.c) and what a metrics filter on an
 * org unit takes in (store.c's scan).
 */
#include "cxm/org.h"
#include "cxm/core.h"
#include "cxm/store.h"

void cxm_org_subtree(const struct cxm_membership *ms, size_t nms, int64_t root, int64_t from, int64_t to,
		     struct cxm_span **spans, size_t *n, size_t *cap, size_t max)
{
	size_t first = *n;

	if (*n >= max)
		return;
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*spans = xrealloc(*spans, *cap * sizeof(**spans));
	}
	(*spans)[(*n)++] = (struct cxm_span){ root, from, to };
	for (size_t i = first; i < *n && *n < max; i++) {
		struct cxm_span s = (*spans)[i];
		for (size_t k = 0; k < nms && *n < max; k++) {
			const struct cxm_membership *m = &ms[k];
			int64_t f = m->valid_from > s.from ? m->valid_from : s.from;
			int64_t t = m->valid_to < s.to ? m->valid_to : s.to;
			if (m->unit_id != s.unit || f >= t)
				continue;
			if (*n == *cap) {
				*cap *= 2;
				*spans = xrealloc(*spans, *cap * sizeof(**spans));
			}
			(*spans)[(*n)++] = (struct cxm_span){ m->member_id, f, t };
		}
	}
}

bool cxm_spans_have(const struct cxm_span *spans, size_t n, int64_t unit, int64_t ts)
{
	for (size_t i = 0; i < n; i++)
		if (spans[i].unit == unit && spans[i].from <= ts && ts < spans[i].to)
			return true;
	return false;
}
