/*
 * funnel.c - funnels over customer sequences (journey.h, docs/journeys.md
 * "Funnels"): one forward pass per customer, exact quantiles.
 *
 * Steps are compiled to bit masks: bit k of cls_mask[class] is set when
 * step k matches the event class, bit k of tag_mask[slot][tp] when it
 * matches the journey touchpoint. A customer's pass looks for step 0 among
 * the entries in [from, to), then for each next step the first entry
 * strictly later and at most window after the first: greedy earliest is
 * optimal for a fixed start, so one pass is enough. Times to convert go
 * into one arena array, with their group beside them when grouped; the
 * result selects p50 and p90 (percentile_disc) per group in linear time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cxm/arena.h"
#include "cxm/journey.h"
#include "cxm/map.h"
#include "cxm/time.h"
#include "cxm/tz.h"
#include "seq-internal.h"

#define SLOTS 256
#define TAG_TPS 256

struct cxm_funnel {
	struct cxm_funnel_query q;
	struct cxm_arena *a;
	uint32_t *cls_mask;              /* by class id; ids beyond cls_n match no event step */
	size_t cls_n;
	uint32_t *tag_mask[SLOTS];       /* by slot, then touchpoint; NULL: no step names the slot */
	const struct cxm_tz *tz;

	struct cxm_funnel_group all;
	struct cxm_funnel_group *groups; /* every group seen, in order of first sight */
	size_t groups_n, groups_cap;
	struct cxm_map keys;             /* group key -> index */
	int64_t none_group;              /* customers without a segment; -1: none yet */
	int64_t over_group;              /* keys beyond CXM_FUNNEL_GROUPS_SEEN_MAX; -1: none yet */
	int64_t last_day;                /* week/month: the day last turned into a group */
	uint32_t last_group;

	int64_t *times;                  /* t_N - t_1 of every customer who converted */
	uint32_t *time_group;            /* their group (grouped funnels) */
	size_t times_n, times_cap;
};

struct cxm_funnel *cxm_funnel_new(const struct cxm_funnel_query *q, struct cxm_arena *a)
{
	struct cxm_funnel *f = cxm_arena_alloc(a, sizeof(*f));
	memset(f, 0, sizeof(*f));
	f->q = *q;
	if (f->q.n > CXM_FUNNEL_STEPS_MAX)
		f->q.n = CXM_FUNNEL_STEPS_MAX;
	f->a = a;
	f->all.p50_us = f->all.p90_us = -1;
	cxm_map_init(&f->keys);
	f->none_group = f->over_group = -1;
	f->last_day = INT64_MIN;
	if (q->by == CXM_FUNNEL_BY_WEEK || q->by == CXM_FUNNEL_BY_MONTH) {
		f->tz = cxm_tz_get(q->tz ? q->tz : "UTC");
		if (!f->tz)
			f->tz = cxm_tz_get("UTC");
	}
	for (size_t k = 0; k < f->q.n; k++) {
		const struct cxm_step *s = &f->q.steps[k];
		if (!s->is_node || s->slot < 0 || s->slot >= SLOTS)
			continue;
		if (!f->tag_mask[s->slot]) {
			f->tag_mask[s->slot] = cxm_arena_alloc(a, TAG_TPS * sizeof(uint32_t));
			memset(f->tag_mask[s->slot], 0, TAG_TPS * sizeof(uint32_t));
		}
		for (uint32_t tp = 0; tp < TAG_TPS; tp++)
			if (seq_step_matches_tag(s, CXM_SEQ_TAG(s->slot, tp)))
				f->tag_mask[s->slot][tp] |= 1u << k;
	}
	return f;
}

void cxm_funnel_class(struct cxm_funnel *f, const struct cxm_event_class *c)
{
	uint32_t mask = 0;
	for (size_t k = 0; k < f->q.n; k++)
		if (seq_step_matches_class(&f->q.steps[k], c))
			mask |= 1u << k;
	if (c->id >= f->cls_n) {
		size_t n = f->cls_n ? f->cls_n : 64;
		while (n <= c->id)
			n *= 2;
		uint32_t *m = seq_grow(f->a, f->cls_mask, f->cls_n, n, sizeof(*m));
		memset(m + f->cls_n, 0, (n - f->cls_n) * sizeof(*m));
		f->cls_mask = m;
		f->cls_n = n;
	}
	f->cls_mask[c->id] = mask;
}

/* The steps entry e matches, as bits. */
static inline uint32_t entry_mask(const struct cxm_funnel *f, const struct cxm_seq_entry *e)
{
	uint32_t m = e->cls < f->cls_n ? f->cls_mask[e->cls] : 0;
	for (uint32_t i = 0; i < e->ntags; i++) {
		uint32_t slot = e->tags[i] >> 8;
		if (slot < SLOTS && f->tag_mask[slot])
			m |= f->tag_mask[slot][e->tags[i] & 0xff];
	}
	return m;
}

/* A new group (key NULL or an arena copy). */
static uint32_t group_add(struct cxm_funnel *f, const char *key, bool other)
{
	if (f->groups_n == f->groups_cap) {
		size_t cap = f->groups_cap ? 2 * f->groups_cap : 16;
		f->groups = seq_grow(f->a, f->groups, f->groups_n, cap, sizeof(*f->groups));
		f->groups_cap = cap;
	}
	struct cxm_funnel_group *g = &f->groups[f->groups_n];
	memset(g, 0, sizeof(*g));
	g->key = key ? cxm_arena_strdup(f->a, key) : NULL;
	g->other = other;
	g->p50_us = g->p90_us = -1;
	return (uint32_t)f->groups_n++;
}

/* The group of a key (NULL: no segment); past CXM_FUNNEL_GROUPS_SEEN_MAX
 * distinct groups, new keys count in one "other" group. */
static uint32_t group_of_key(struct cxm_funnel *f, const char *key)
{
	int64_t v;
	if (!key) {
		if (f->none_group < 0)
			f->none_group = f->groups_n < CXM_FUNNEL_GROUPS_SEEN_MAX ? (int64_t)group_add(f, NULL, false) : -1;
		if (f->none_group >= 0)
			return (uint32_t)f->none_group;
	} else if (cxm_map_get(&f->keys, key, &v)) {
		return (uint32_t)v;
	} else if (f->groups_n < CXM_FUNNEL_GROUPS_SEEN_MAX) {
		uint32_t gi = group_add(f, key, false);
		cxm_map_put(&f->keys, key, gi);
		return gi;
	}
	if (f->over_group < 0)
		f->over_group = group_add(f, NULL, true);
	return (uint32_t)f->over_group;
}

/* "2026-W14" (ISO 8601 week) or "2026-04" of a local day. */
static void day_key(enum cxm_funnel_by by, int64_t day, char *out, size_t outlen)
{
	int64_t y;
	unsigned m, d;
	if (by == CXM_FUNNEL_BY_MONTH) {
		cxm_civil_from_days(day, &y, &m, &d);
		snprintf(out, outlen, "%04lld-%02u", (long long)y, m);
		return;
	}
	/* 1970-01-01 was a Thursday; the ISO week is the one of its Thursday */
	int64_t monday0 = ((day + 3) % 7 + 7) % 7;      /* 0 = Monday */
	int64_t thursday = day - monday0 + 3;
	cxm_civil_from_days(thursday, &y, &m, &d);
	int64_t week = (thursday - cxm_days_from_civil(y, 1, 1)) / 7 + 1;
	snprintf(out, outlen, "%04lld-W%02lld", (long long)y, (long long)week);
}

static uint32_t group_of(struct cxm_funnel *f, const char *segment, int64_t t1)
{
	if (f->q.by == CXM_FUNNEL_BY_SEGMENT)
		return group_of_key(f, segment);
	int64_t day = cxm_tz_day(f->tz, t1);
	if (day != f->last_day) {
		char key[32];
		day_key(f->q.by, day, key, sizeof(key));
		f->last_group = group_of_key(f, key);
		f->last_day = day;
	}
	return f->last_group;
}

void cxm_funnel_customer(struct cxm_funnel *f, const char *segment, const struct cxm_seq_entry *e, size_t n)
{
	const size_t steps = f->q.n;
	size_t i = 0, k = 0;
	int64_t t1 = 0, prev = 0, until = 0;
	int64_t at[CXM_FUNNEL_STEPS_MAX];

	if (steps == 0)
		return;
	/* step 1: the first match in [from, to) */
	for (; i < n; i++) {
		if (e[i].ts < f->q.from)
			continue;
		if (e[i].ts >= f->q.to)
			return;
		if (entry_mask(f, &e[i]) & 1u) {
			t1 = prev = e[i].ts;
			until = t1 + f->q.window_us;
			at[0] = t1;
			k = 1;
			i++;
			break;
		}
	}
	if (k == 0)
		return;
	for (; i < n && k < steps; i++) {
		if (e[i].ts > until)
			break;
		if (e[i].ts > prev && (entry_mask(f, &e[i]) >> k & 1u)) {
			at[k++] = prev = e[i].ts;
		}
	}

	struct cxm_funnel_group *g = NULL;
	uint32_t gi = 0;
	if (f->q.by != CXM_FUNNEL_BY_NONE) {
		gi = group_of(f, segment, t1);
		g = &f->groups[gi];
	}
	for (size_t s = 0; s < k; s++) {
		f->all.reached[s]++;
		if (g)
			g->reached[s]++;
	}
	if (k < steps)
		return;
	int64_t took = at[steps - 1] - t1;
	int b = cxm_journey_bucket(took / 1000000);
	f->all.times[b]++;
	if (g)
		g->times[b]++;
	if (f->times_n == f->times_cap) {
		size_t cap = f->times_cap ? 2 * f->times_cap : 1024;
		f->times = seq_grow(f->a, f->times, f->times_n, cap, sizeof(*f->times));
		if (g)
			f->time_group = seq_grow(f->a, f->time_group, f->times_n, cap, sizeof(*f->time_group));
		f->times_cap = cap;
	}
	if (g)
		f->time_group[f->times_n] = gi;
	f->times[f->times_n++] = took;
}

/* By key, NULL (no segment) first; the overflow group last. */
static int by_key(const void *pa, const void *pb)
{
	const struct cxm_funnel_group *a = pa, *b = pb;
	if (a->other != b->other)
		return a->other ? 1 : -1;
	if (!a->key || !b->key)
		return (a->key != NULL) - (b->key != NULL);
	return strcmp(a->key, b->key);
}

/* Largest groups first, the overflow group last; equal ones by key. */
static int by_entries(const void *pa, const void *pb)
{
	const struct cxm_funnel_group *a = pa, *b = pb;
	if (a->other != b->other)
		return a->other ? 1 : -1;
	if (a->reached[0] != b->reached[0])
		return a->reached[0] > b->reached[0] ? -1 : 1;
	return by_key(pa, pb);
}

/* The answer's groups, from every group seen. */
static void result_groups(struct cxm_funnel *f, struct cxm_funnel_result *out)
{
	/* the kept groups: the largest CXM_FUNNEL_GROUPS_MAX, the rest summed in "other" */
	size_t n = f->groups_n;
	uint32_t *order = cxm_arena_alloc(f->a, n * sizeof(*order));   /* group -> its place in the answer */
	struct cxm_funnel_group *sorted = cxm_arena_alloc(f->a, (n + 1) * sizeof(*sorted));
	if (n) /* groups is NULL before the first group */
		memcpy(sorted, f->groups, n * sizeof(*sorted));
	/* the index of each group rides in p50_us while sorting */
	for (size_t i = 0; i < n; i++)
		sorted[i].p50_us = (int64_t)i;
	qsort(sorted, n, sizeof(*sorted), by_entries);
	size_t named = f->over_group < 0 ? n : n - 1;   /* the overflow group is last */
	size_t kept = named > CXM_FUNNEL_GROUPS_MAX ? CXM_FUNNEL_GROUPS_MAX : named;
	if (f->q.by != CXM_FUNNEL_BY_SEGMENT)
		qsort(sorted, kept, sizeof(*sorted), by_key);   /* weeks and months in time order */
	size_t out_n = kept;
	if (n > kept) {
		struct cxm_funnel_group other;
		memset(&other, 0, sizeof(other));
		other.other = true;
		for (size_t i = kept; i < n; i++) {
			for (size_t s = 0; s < CXM_FUNNEL_STEPS_MAX; s++)
				other.reached[s] += sorted[i].reached[s];
			for (size_t b = 0; b < CXM_JOURNEY_BUCKETS; b++)
				other.times[b] += sorted[i].times[b];
			order[sorted[i].p50_us] = (uint32_t)kept;
		}
		sorted[kept] = other;
		out_n = kept + 1;
	}
	for (size_t i = 0; i < kept; i++)
		order[sorted[i].p50_us] = (uint32_t)i;

	/* times of each answer group together (a counting sort), then selection */
	size_t *start = cxm_arena_alloc(f->a, (out_n + 1) * sizeof(*start));
	memset(start, 0, (out_n + 1) * sizeof(*start));
	for (size_t i = 0; i < f->times_n; i++)
		start[order[f->time_group[i]] + 1]++;
	for (size_t g = 0; g < out_n; g++)
		start[g + 1] += start[g];
	int64_t *t = cxm_arena_alloc(f->a, (f->times_n ? f->times_n : 1) * sizeof(*t));
	size_t *fill = cxm_arena_alloc(f->a, out_n * sizeof(*fill));
	memcpy(fill, start, out_n * sizeof(*fill));
	for (size_t i = 0; i < f->times_n; i++)
		t[fill[order[f->time_group[i]]]++] = f->times[i];
	for (size_t g = 0; g < out_n; g++)
		seq_p50_p90(t + start[g], start[g + 1] - start[g], &sorted[g].p50_us, &sorted[g].p90_us);
	out->groups = sorted;
	out->groups_n = out_n;
}

void cxm_funnel_result(struct cxm_funnel *f, struct cxm_funnel_result *out)
{
	memset(out, 0, sizeof(*out));
	out->all = f->all;
	if (f->q.by != CXM_FUNNEL_BY_NONE && f->groups_n)
		result_groups(f, out);
	cxm_map_release(&f->keys);
	cxm_map_init(&f->keys);
	/* last: selection reorders the times, and the groups need them beside their group */
	seq_p50_p90(f->times, f->times_n, &out->all.p50_us, &out->all.p90_us);
}
