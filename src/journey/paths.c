/*
 * paths.c - where customers go after a start (journey.h, docs/journeys.md
 * "Paths"): one pass per customer, top sequences and a Sankey graph.
 *
 * A customer's path starts at their first `start` entry in [from, to) with
 * that entry's label (its label at the level; else the start step's label;
 * else its event label). Each later entry within the window adds its label
 * at the level (entries without one, e.g. events no touchpoint of the
 * journey reached at the stage level, are passed over); a label equal to the
 * one before it is collapsed. After at most max_steps labels past the start
 * the path ends in one sink: "(end)" at the first entry matching `end`,
 * "…" when one more label would come, "(left)" when the window or the
 * sequence ends first.
 *
 * Sankey nodes are (depth, label); sinks are nodes too. A node's customers
 * are the paths through it; `left` is how many of them go on to "(left)"
 * (0 on sinks). So for every node but a sink: customers arriving = the
 * links out of it to other than "(left)" + left. Link times are between the first
 * entries of the two labels, exact medians; -1 into "(left)".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cxm/arena.h"
#include "cxm/journey.h"
#include "cxm/map.h"
#include "seq-internal.h"

#define PATH_LEN (CXM_PATH_STEPS_MAX + 2)   /* the start, the steps, a sink */
#define SEQUENCES_MAX 200000
#define NONE UINT32_MAX
#define START 1u
#define END 2u

/* uint64 -> uint32, open addressing, in the arena (grows by doubling) */
struct table {
	uint64_t *keys;
	uint32_t *vals;
	size_t cap, n;
};

static uint64_t mix(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdu;
	k ^= k >> 33;
	return k;
}

static uint32_t *table_slot(struct table *t, struct cxm_arena *a, uint64_t key)
{
	if (2 * (t->n + 1) > t->cap) {
		struct table g = {NULL, NULL, t->cap ? 2 * t->cap : 256, 0};
		g.keys = cxm_arena_alloc(a, g.cap * sizeof(*g.keys));
		g.vals = cxm_arena_alloc(a, g.cap * sizeof(*g.vals));
		memset(g.vals, 0xff, g.cap * sizeof(*g.vals));
		for (size_t i = 0; i < t->cap; i++)
			if (t->vals[i] != NONE) {
				*table_slot(&g, a, t->keys[i]) = t->vals[i];
				g.n++;
			}
		*t = g;
	}
	size_t i = mix(key) & (t->cap - 1);
	while (t->vals[i] != NONE && t->keys[i] != key)
		i = (i + 1) & (t->cap - 1);
	t->keys[i] = key;
	return &t->vals[i];
}

struct seq {
	uint32_t labels[PATH_LEN];
	uint32_t n;
	int64_t customers;
};

struct link_time {
	uint32_t link;
	int64_t us;
};

struct cxm_paths {
	struct cxm_path_query q;
	struct cxm_arena *a;

	const char **labels;             /* label id -> text */
	size_t labels_n, labels_cap;
	struct cxm_map label_ids;
	uint32_t left, end, more;        /* the sinks' label ids */

	uint32_t *cls_label;             /* by class id: its event label, NONE when unknown */
	uint8_t *cls_bits;               /* START, END */
	size_t cls_n;
	uint32_t tp_label[CXM_JOURNEY_TOUCHPOINTS_MAX];   /* stage/touchpoint levels, by touchpoint of q.slot */

	int64_t customers;
	struct cxm_map seq_ids;
	struct seq *seqs;
	size_t seqs_n, seqs_cap;
	int64_t other;

	struct table node_ids, link_ids;
	struct cxm_path_node *nodes;
	size_t nodes_n, nodes_cap;
	struct cxm_path_link *links;
	size_t links_n, links_cap;
	struct link_time *times;
	size_t times_n, times_cap;
};

static uint32_t intern(struct cxm_paths *p, const char *text)
{
	int64_t v;
	if (cxm_map_get(&p->label_ids, text, &v))
		return (uint32_t)v;
	if (p->labels_n == p->labels_cap) {
		size_t cap = p->labels_cap ? 2 * p->labels_cap : 64;
		p->labels = seq_grow(p->a, p->labels, p->labels_n, cap, sizeof(*p->labels));
		p->labels_cap = cap;
	}
	p->labels[p->labels_n] = cxm_arena_strdup(p->a, text);
	cxm_map_put(&p->label_ids, text, (int64_t)p->labels_n);
	return (uint32_t)p->labels_n++;
}

struct cxm_paths *cxm_paths_new(const struct cxm_path_query *q, struct cxm_arena *a)
{
	struct cxm_paths *p = cxm_arena_alloc(a, sizeof(*p));
	memset(p, 0, sizeof(*p));
	p->q = *q;
	p->a = a;
	if (p->q.max_steps == 0)
		p->q.max_steps = 5;
	if (p->q.max_steps > CXM_PATH_STEPS_MAX)
		p->q.max_steps = CXM_PATH_STEPS_MAX;
	if (p->q.top == 0)
		p->q.top = 20;
	if (p->q.top > CXM_PATH_TOP_MAX)
		p->q.top = CXM_PATH_TOP_MAX;
	cxm_map_init(&p->label_ids);
	cxm_map_init(&p->seq_ids);
	p->left = intern(p, "(left)");
	p->end = intern(p, "(end)");
	p->more = intern(p, "…");
	for (int tp = 0; tp < CXM_JOURNEY_TOUCHPOINTS_MAX; tp++)
		p->tp_label[tp] = NONE;
	const struct cxm_journey_def *d = q->journey;
	if (d && q->level != CXM_PATH_EVENT) {
		for (int tp = 0; tp < d->n_tps && tp < CXM_JOURNEY_TOUCHPOINTS_MAX; tp++) {
			const struct cxm_journey_stage *st = &d->stages[d->tps[tp].stage];
			const char *stage = st->name ? st->name : st->key;
			if (q->level == CXM_PATH_STAGE) {
				p->tp_label[tp] = intern(p, stage);
			} else {
				const char *name = d->tps[tp].name ? d->tps[tp].name : d->tps[tp].key;
				char text[2 * CXM_JOURNEY_NAME_MAX + 8];
				snprintf(text, sizeof(text), "%s / %s", stage, name);
				p->tp_label[tp] = intern(p, text);
			}
		}
	}
	return p;
}

void cxm_paths_class(struct cxm_paths *p, const struct cxm_event_class *c)
{
	if (c->id >= p->cls_n) {
		size_t n = p->cls_n ? p->cls_n : 64;
		while (n <= c->id)
			n *= 2;
		uint32_t *l = seq_grow(p->a, p->cls_label, p->cls_n, n, sizeof(*l));
		uint8_t *b = seq_grow(p->a, p->cls_bits, p->cls_n, n, sizeof(*b));
		memset(l + p->cls_n, 0xff, (n - p->cls_n) * sizeof(*l));
		memset(b + p->cls_n, 0, n - p->cls_n);
		p->cls_label = l;
		p->cls_bits = b;
		p->cls_n = n;
	}
	char text[256];
	if (c->touchpoint)
		snprintf(text, sizeof(text), "%s/%s", c->type, c->touchpoint);
	else
		snprintf(text, sizeof(text), "%s", c->type);
	p->cls_label[c->id] = intern(p, text);
	p->cls_bits[c->id] = (uint8_t)((seq_step_matches_class(&p->q.start, c) ? START : 0) |
				       (seq_step_matches_class(&p->q.end, c) ? END : 0));
}

/* START and END bits of an entry. */
static unsigned entry_bits(const struct cxm_paths *p, const struct cxm_seq_entry *e)
{
	unsigned bits = e->cls < p->cls_n ? p->cls_bits[e->cls] : 0;
	for (uint32_t i = 0; i < e->ntags; i++) {
		if (seq_step_matches_tag(&p->q.start, e->tags[i]))
			bits |= START;
		if (seq_step_matches_tag(&p->q.end, e->tags[i]))
			bits |= END;
	}
	return bits;
}

/* The label of an entry at the level, NONE when it has none. */
static uint32_t entry_label(const struct cxm_paths *p, const struct cxm_seq_entry *e)
{
	if (p->q.level == CXM_PATH_EVENT)
		return e->cls < p->cls_n ? p->cls_label[e->cls] : NONE;
	for (uint32_t i = 0; i < e->ntags; i++) {
		uint32_t tp = e->tags[i] & 0xff;
		if ((int)(e->tags[i] >> 8) == p->q.slot && tp < CXM_JOURNEY_TOUCHPOINTS_MAX)
			return p->tp_label[tp];
	}
	return NONE;
}

static uint32_t node_of(struct cxm_paths *p, uint32_t depth, uint32_t label)
{
	uint32_t *v = table_slot(&p->node_ids, p->a, (uint64_t)depth << 32 | label);
	if (*v == NONE) {
		if (p->nodes_n == p->nodes_cap) {
			size_t cap = p->nodes_cap ? 2 * p->nodes_cap : 64;
			p->nodes = seq_grow(p->a, p->nodes, p->nodes_n, cap, sizeof(*p->nodes));
			p->nodes_cap = cap;
		}
		struct cxm_path_node *n = &p->nodes[p->nodes_n];
		n->depth = depth;
		n->label = p->labels[label];
		n->customers = n->left = 0;
		*v = (uint32_t)p->nodes_n++;
		p->node_ids.n++;
	}
	return *v;
}

static uint32_t link_of(struct cxm_paths *p, uint32_t from, uint32_t to)
{
	uint32_t *v = table_slot(&p->link_ids, p->a, (uint64_t)from << 32 | to);
	if (*v == NONE) {
		if (p->links_n == p->links_cap) {
			size_t cap = p->links_cap ? 2 * p->links_cap : 64;
			p->links = seq_grow(p->a, p->links, p->links_n, cap, sizeof(*p->links));
			p->links_cap = cap;
		}
		struct cxm_path_link *l = &p->links[p->links_n];
		l->from = from;
		l->to = to;
		l->customers = 0;
		l->median_us = -1;
		*v = (uint32_t)p->links_n++;
		p->link_ids.n++;
	}
	return *v;
}

static void count_sequence(struct cxm_paths *p, const uint32_t *lab, size_t n)
{
	/* the label ids, three bytes each in base 255 without zeros: a C string */
	char key[PATH_LEN * 3 + 1];
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		for (uint32_t v = lab[i], b = 0; b < 3; b++, v /= 255)
			key[len++] = (char)(v % 255 + 1);
	key[len] = '\0';
	int64_t v;
	if (cxm_map_get(&p->seq_ids, key, &v)) {
		p->seqs[v].customers++;
		return;
	}
	if (p->seqs_n == SEQUENCES_MAX) {
		p->other++;
		return;
	}
	if (p->seqs_n == p->seqs_cap) {
		size_t cap = p->seqs_cap ? 2 * p->seqs_cap : 256;
		p->seqs = seq_grow(p->a, p->seqs, p->seqs_n, cap, sizeof(*p->seqs));
		p->seqs_cap = cap;
	}
	struct seq *s = &p->seqs[p->seqs_n];
	memcpy(s->labels, lab, n * sizeof(*lab));
	s->n = (uint32_t)n;
	s->customers = 1;
	cxm_map_put(&p->seq_ids, key, (int64_t)p->seqs_n++);
}

void cxm_paths_customer(struct cxm_paths *p, const struct cxm_seq_entry *e, size_t n)
{
	uint32_t lab[PATH_LEN];
	int64_t at[PATH_LEN];
	size_t i = 0, len = 0;

	for (; i < n; i++) {
		if (e[i].ts < p->q.from)
			continue;
		if (e[i].ts >= p->q.to)
			return;
		if (entry_bits(p, &e[i]) & START)
			break;
	}
	if (i == n)
		return;
	uint32_t first = entry_label(p, &e[i]);
	if (first == NONE)
		first = p->q.start.label ? intern(p, p->q.start.label)
					 : e[i].cls < p->cls_n ? p->cls_label[e[i].cls] : NONE;
	if (first == NONE)
		first = intern(p, p->q.start.type ? p->q.start.type : "?");
	const int64_t t0 = e[i].ts, until = t0 + p->q.window_us;
	lab[len] = first;
	at[len++] = t0;

	uint32_t sink = p->left;
	int64_t sink_at = -1;
	for (i++; i < n; i++) {
		if (e[i].ts > until)
			break;
		if (entry_bits(p, &e[i]) & END) {
			sink = p->end;
			sink_at = e[i].ts;
			break;
		}
		uint32_t l = entry_label(p, &e[i]);
		if (l == NONE || l == lab[len - 1])
			continue;
		if (len - 1 == p->q.max_steps) {
			sink = p->more;
			sink_at = e[i].ts;
			break;
		}
		lab[len] = l;
		at[len++] = e[i].ts;
	}
	lab[len] = sink;
	at[len] = sink_at;
	p->customers++;
	count_sequence(p, lab, len + 1);

	uint32_t prev = node_of(p, 0, lab[0]);
	p->nodes[prev].customers++;
	for (size_t d = 1; d <= len; d++) {
		uint32_t node = node_of(p, (uint32_t)d, lab[d]);
		p->nodes[node].customers++;
		uint32_t link = link_of(p, prev, node);
		p->links[link].customers++;
		if (d == len && sink == p->left) {
			p->nodes[prev].left++;
		} else {
			if (p->times_n == p->times_cap) {
				size_t cap = p->times_cap ? 2 * p->times_cap : 1024;
				p->times = seq_grow(p->a, p->times, p->times_n, cap, sizeof(*p->times));
				p->times_cap = cap;
			}
			p->times[p->times_n].link = link;
			p->times[p->times_n++].us = at[d] - at[d - 1];
		}
		prev = node;
	}
}

static int compare_labels(const struct cxm_paths *p, const struct seq *a, const struct seq *b)
{
	for (uint32_t i = 0; i < a->n && i < b->n; i++) {
		int c = strcmp(p->labels[a->labels[i]], p->labels[b->labels[i]]);
		if (c)
			return c;
	}
	return (a->n > b->n) - (a->n < b->n);
}

static int by_customers(const void *pa, const void *pb, void *ctx)
{
	const struct seq *a = pa, *b = pb;
	if (a->customers != b->customers)
		return a->customers > b->customers ? -1 : 1;
	return compare_labels(ctx, a, b);
}

void cxm_paths_result(struct cxm_paths *p, struct cxm_path_result *out)
{
	memset(out, 0, sizeof(*out));
	out->customers = p->customers;
	out->other = p->other;

	/* the top sequences, largest first (equal ones by their labels) */
	if (p->seqs_n) /* seqs is NULL before the first sequence */
		qsort_r(p->seqs, p->seqs_n, sizeof(*p->seqs), by_customers, p);
	size_t top = p->seqs_n < p->q.top ? p->seqs_n : p->q.top;
	out->sequences = cxm_arena_alloc(p->a, (top ? top : 1) * sizeof(*out->sequences));
	for (size_t i = 0; i < p->seqs_n; i++) {
		if (i >= top) {
			out->other += p->seqs[i].customers;
			continue;
		}
		struct cxm_path_sequence *s = &out->sequences[i];
		s->n = p->seqs[i].n;
		s->labels = cxm_arena_alloc(p->a, s->n * sizeof(*s->labels));
		for (size_t k = 0; k < s->n; k++)
			s->labels[k] = p->labels[p->seqs[i].labels[k]];
		s->customers = p->seqs[i].customers;
	}
	out->sequences_n = top;

	/* exact median time of each link: its times together, then selection */
	size_t *start = cxm_arena_alloc(p->a, (p->links_n + 1) * sizeof(*start));
	memset(start, 0, (p->links_n + 1) * sizeof(*start));
	for (size_t i = 0; i < p->times_n; i++)
		start[p->times[i].link + 1]++;
	for (size_t l = 0; l < p->links_n; l++)
		start[l + 1] += start[l];
	int64_t *t = cxm_arena_alloc(p->a, (p->times_n ? p->times_n : 1) * sizeof(*t));
	size_t *fill = cxm_arena_alloc(p->a, (p->links_n ? p->links_n : 1) * sizeof(*fill));
	memcpy(fill, start, p->links_n * sizeof(*fill));
	for (size_t i = 0; i < p->times_n; i++)
		t[fill[p->times[i].link]++] = p->times[i].us;
	for (size_t l = 0; l < p->links_n; l++) {
		size_t m = start[l + 1] - start[l];
		if (m == 0)
			continue;
		size_t k = seq_rank(m, 500);
		seq_select(t + start[l], m, k);
		p->links[l].median_us = t[start[l] + k];
	}
	out->nodes = p->nodes;
	out->nodes_n = p->nodes_n;
	out->links = p->links;
	out->links_n = p->links_n;
	cxm_map_release(&p->label_ids);
	cxm_map_release(&p->seq_ids);
	cxm_map_init(&p->label_ids);
	cxm_map_init(&p->seq_ids);
}
