/* state.c - a customer's progress in a journey, their contribution to the
 * journey's rollups, and the time buckets (journey.h). */
#include "cxm/journey.h"

#include <math.h>
#include <string.h>

#define BUCKET_BASE 60.0   /* seconds: the upper end of bucket 0 */
#define BUCKET_RATIO 1.3

void cxm_journey_state_init(struct cxm_journey_state *st)
{
	memset(st, 0, sizeof(*st));
	st->current = -1;
}

static void node_add(struct cxm_journey_node_state *n, int64_t ts)
{
	if (!n->n || ts < n->first)
		n->first = ts;
	if (!n->n || ts > n->last)
		n->last = ts;
	n->n++;
}

void cxm_journey_state_add(const struct cxm_journey_def *d, struct cxm_journey_state *st, int tp, int64_t ts,
			   int64_t event_id)
{
	int stage;

	if (tp < 0 || tp >= d->n_tps)
		return;
	stage = d->tps[tp].stage;
	node_add(&st->node[cxm_journey_tp_node(tp)], ts);
	node_add(&st->node[cxm_journey_stage_node(stage)], ts);
	/* the latest (ts, event id) pair decides, whatever the order of arrival */
	if (st->current < 0 || ts > st->current_ts || (ts == st->current_ts && event_id > st->current_id) ||
	    (ts == st->current_ts && event_id == st->current_id && stage > st->current)) {
		st->current = stage;
		st->current_ts = ts;
		st->current_id = event_id;
	}
}

/* One node's item: converted when a successor stage of `stage` was first
 * reached at g > f within the window (the smallest such g). */
static void contrib_node(const struct cxm_journey_def *d, const struct cxm_journey_state *st, int node, int stage,
			 struct cxm_journey_contrib *c)
{
	const struct cxm_journey_stage *s = &d->stages[stage];
	int64_t f = st->node[node].first, g = -1;

	c->node = node;
	c->first = f;
	c->converted = false;
	c->seconds = 0;
	for (size_t j = 0; j < s->next_n; j++) {
		const struct cxm_journey_node_state *ns = &st->node[cxm_journey_stage_node(s->next[j])];
		if (ns->n && ns->first > f && (g < 0 || ns->first < g))
			g = ns->first;
	}
	if (g >= 0 && g - f <= d->window_s * 1000000) {
		c->converted = true;
		c->seconds = (g - f) / 1000000;
	}
}

size_t cxm_journey_contrib_of(const struct cxm_journey_def *d, const struct cxm_journey_state *st,
			      struct cxm_journey_contrib out[CXM_JOURNEY_NODES_MAX])
{
	size_t n = 0;

	for (int i = 0; i < d->n_stages; i++)
		if (st->node[cxm_journey_stage_node(i)].n)
			contrib_node(d, st, cxm_journey_stage_node(i), i, &out[n++]);
	for (int t = 0; t < d->n_tps; t++)
		if (st->node[cxm_journey_tp_node(t)].n)
			contrib_node(d, st, cxm_journey_tp_node(t), d->tps[t].stage, &out[n++]);
	return n;
}

/* The lower end of bucket b >= 1: 60 s * 1.3^(b-1). */
static double bucket_lo(int b)
{
	return BUCKET_BASE * pow(BUCKET_RATIO, b - 1);
}

int cxm_journey_bucket(int64_t seconds)
{
	int b;

	if (seconds < (int64_t)BUCKET_BASE)
		return 0;
	b = 1 + (int)floor(log((double)seconds / BUCKET_BASE) / log(BUCKET_RATIO));
	/* the logarithm may land a hair off at a bucket's edge */
	if (b > CXM_JOURNEY_BUCKETS - 1)
		b = CXM_JOURNEY_BUCKETS - 1;
	while (b > 1 && (double)seconds < bucket_lo(b))
		b--;
	while (b < CXM_JOURNEY_BUCKETS - 1 && (double)seconds >= bucket_lo(b + 1))
		b++;
	return b;
}

/*
 * The value of rank k = ceil(q * N) (the exact quantile percentile_disc
 * would give) is estimated inside its bucket [lo, 1.3 lo) by log-linear
 * interpolation: the bucket's count items are taken as spread evenly in
 * log scale, item i (from 0) at lo * 1.3^((i + 0.5) / count). Bucket 0
 * [0, 60 s) is interpolated linearly.
 *
 * Error bound: the exact value lies in the same bucket as the estimate, so
 * in the worst case (every item of the bucket at one edge) the estimate is
 * off by a factor of at most 1.3 (30%); the bucket's geometric middle
 * would bound it by sqrt(1.3) - 1 = 14%. On data that are smooth at the
 * scale of a bucket (times to convert: the test draws log-normal and
 * exponential samples) the interpolation does better than the middle: the
 * unit test checks 14% on random data, and the typical error is a few
 * percent. The last bucket is open-ended: its quantiles answer its lower
 * end (60 s * 1.3^47, about 158 days), a floor rather than an estimate.
 */
int64_t cxm_journey_bucket_quantile(const int64_t counts[CXM_JOURNEY_BUCKETS], double q)
{
	double total = 0, cum = 0, k, u;

	for (int b = 0; b < CXM_JOURNEY_BUCKETS; b++)
		total += counts[b] > 0 ? (double)counts[b] : 0;
	if (total <= 0 || !(q > 0 && q < 1))
		return -1;
	k = ceil(q * total);
	if (k < 1)
		k = 1;
	for (int b = 0; b < CXM_JOURNEY_BUCKETS; b++) {
		double c = counts[b] > 0 ? (double)counts[b] : 0;
		if (c <= 0 || cum + c < k) {
			cum += c;
			continue;
		}
		u = (k - cum - 0.5) / c;
		if (b == 0)
			return (int64_t)floor(BUCKET_BASE * u);
		if (b == CXM_JOURNEY_BUCKETS - 1)
			return (int64_t)ceil(bucket_lo(b));
		return (int64_t)llround(bucket_lo(b) * pow(BUCKET_RATIO, u));
	}
	return -1;
}
