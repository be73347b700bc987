/* cues.c - finding cues (cues.h) in the tokens of a text (match.h). */
#include "match.h"

#include "cxm/core.h"

#include <stdlib.h>
#include <string.h>

/*
 * A Spanish absolute superlative stems as its adjective: "rapidisimo" as
 * "rapido", "lentisimas" as "lentas" (Snowball keeps the -isim- stem).
 * Spelling changes ("riquisimo", "amabilisimo") are left alone.
 */
static const char *superlative_base(const char *key, char *buf, size_t cap)
{
	static const char *const ends[][2] = {
		{ "isimo", "o" }, { "isima", "a" }, { "isimos", "os" }, { "isimas", "as" }
	};
	size_t n = strlen(key);
	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		size_t e = strlen(ends[i][0]);
		if (n >= e + 3 && n - e + 3 <= cap && !strcmp(key + n - e, ends[i][0])) {
			memcpy(buf, key, n - e);
			cxm_strlcpy(buf + n - e, ends[i][1], cap - (n - e));
			return buf;
		}
	}
	return key;
}

/* marks a word whose stem is not taken yet */
static const char not_yet[] = "";

void cue_text_prepare(struct cue_text *ct, const struct cxm_text *t, enum cxm_lang lang, struct cxm_stemmers *s,
		      struct cxm_arena *a)
{
	ct->t = t;
	ct->s = s;
	ct->a = a;
	ct->use[0] = lang != CXM_LANG_EN;
	ct->use[1] = lang != CXM_LANG_ES;
	for (int l = 0; l < 2; l++) {
		ct->stem[l] = NULL;
		if (!ct->use[l] || !t->ntok)
			continue;
		ct->stem[l] = cxm_arena_alloc(a, t->ntok * sizeof(*ct->stem[l]));
		for (size_t i = 0; i < t->ntok; i++)
			ct->stem[l][i] = t->tok[i].kind == CXM_TOK_WORD && t->tok[i].key ? not_yet : NULL;
	}
}

/* The stem of token i in language l (NULL for a token that is not a word). */
static const char *stem_of(struct cue_text *ct, int l, size_t i)
{
	const char *st = ct->stem[l][i];
	if (st == not_yet) {
		char base[64];
		const char *key = ct->t->tok[i].key;
		const char *word = l ? key : superlative_base(key, base, sizeof(base));
		st = ct->stem[l][i] = cxm_arena_strdup(ct->a, cxm_stem(ct->s, l ? CXM_LANG_EN : CXM_LANG_ES, word));
	}
	return st;
}

static bool word_match(const struct cue_word *w, struct cue_text *ct, int l, size_t i)
{
	const struct cxm_token *k = &ct->t->tok[i];
	if (!k->key || k->kind == CXM_TOK_PUNCT)
		return false;
	switch (w->how) {
	case CUE_EXACT:
		return !strcmp(k->key, w->key);
	case CUE_PREFIX:
		return (k->kind == CXM_TOK_WORD || k->kind == CXM_TOK_HASHTAG) &&
		       !strncmp(k->key, w->key, strlen(w->key));
	default:
		if (!strcmp(k->key, w->key))
			return true;
		const char *st = stem_of(ct, l, i);
		return st && !strcmp(st, w->stem);
	}
}

struct raw {
	struct cue_hit *h;
	size_t n, cap;
};

static void try_cue(const struct cue_lang *L, int l, uint32_t ci, struct cue_text *ct, size_t i,
		    struct raw *r)
{
	const struct cue *c = &L->cue[ci];
	const struct cxm_text *t = ct->t;
	if (i + c->nword > t->ntok)
		return;
	for (size_t k = 0; k < c->nword; k++)
		if (t->tok[i + k].sentence != t->tok[i].sentence || !word_match(&L->word[c->word + k], ct, l, i + k))
			return;
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 16;
		r->h = xrealloc(r->h, r->cap * sizeof(*r->h));
	}
	r->h[r->n++] = (struct cue_hit){ .cue = ci, .lang = (uint8_t)l, .cat = c->cat, .tok = (uint32_t)i,
					 .ntok = c->nword };
}

/* The first entry of r whose string is s, or n when there is none. */
static size_t lookup(const struct cue_ref *r, size_t n, const uint32_t *slots, uint32_t mask, const char *s)
{
	if (!n)
		return n;
	for (uint32_t h = cue_hash(s) & mask; slots[h]; h = (h + 1) & mask)
		if (!strcmp(r[slots[h] - 1].s, s))
			return slots[h] - 1;
	return n;
}

static void find_at(const struct cue_lang *L, int l, struct cue_text *ct, size_t i, struct raw *r)
{
	const struct cxm_token *k = &ct->t->tok[i];
	if (!k->key || k->kind == CXM_TOK_PUNCT || !cue_prefix_may(L->first_bits, k->key))
		return;
	for (size_t j = lookup(L->by_key, L->nkey, L->key_slot, L->key_mask, k->key);
	     j < L->nkey && !strcmp(L->by_key[j].s, k->key); j++)
		try_cue(L, l, L->by_key[j].cue, ct, i, r);
	const char *stem = stem_of(ct, l, i);
	/* the key lookup already found the cues whose first word is the key */
	if (stem && strcmp(stem, k->key))
		for (size_t j = lookup(L->by_stem, L->nstem, L->stem_slot, L->stem_mask, stem);
		     j < L->nstem && !strcmp(L->by_stem[j].s, stem); j++)
			try_cue(L, l, L->by_stem[j].cue, ct, i, r);
	for (size_t j = 0; j < L->nprefix; j++) {
		/* a prefix that starts with another letter cannot match */
		const char *w = L->word[L->cue[L->by_prefix[j]].word].key;
		if (!w[0] || w[0] == k->key[0])
			try_cue(L, l, L->by_prefix[j], ct, i, r);
	}
}

/* exclusions first, then longer cues, then text order */
static int hit_cmp(const void *pa, const void *pb, void *set)
{
	const struct cue_hit *a = pa, *b = pb;
	const struct cue_set *s = set;
	int xa = s->lang[a->lang].cue[a->cue].exclude, xb = s->lang[b->lang].cue[b->cue].exclude;
	if (xa != xb)
		return xb - xa;
	if (a->ntok != b->ntok)
		return a->ntok > b->ntok ? -1 : 1;
	if (a->tok != b->tok)
		return a->tok < b->tok ? -1 : 1;
	if (a->lang != b->lang)
		return a->lang - b->lang;
	return a->cue < b->cue ? -1 : a->cue > b->cue;
}

static int text_order(const void *pa, const void *pb)
{
	const struct cue_hit *a = pa, *b = pb;
	if (a->tok != b->tok)
		return a->tok < b->tok ? -1 : 1;
	if (a->cat != b->cat)
		return a->cat - b->cat;
	return (int)a->ntok - (int)b->ntok;
}

size_t cue_match(const struct cue_set *set, struct cue_text *ct, struct cxm_arena *a, struct cue_hit **out)
{
	const struct cxm_text *t = ct->t;
	struct raw r = { 0 };
	size_t n = 0;

	*out = NULL;
	for (int l = 0; l < 2; l++)
		if (ct->use[l])
			for (size_t i = 0; i < t->ntok; i++)
				find_at(&set->lang[l], l, ct, i, &r);
	if (!r.n)
		return 0;
	qsort_r(r.h, r.n, sizeof(*r.h), hit_cmp, (void *)set);
	uint64_t *taken = xcalloc(t->ntok, sizeof(*taken));
	for (size_t i = 0; i < r.n; i++) {
		const struct cue_hit *h = &r.h[i];
		uint64_t bit = (uint64_t)1 << h->cat;
		bool free_span = true;
		for (uint32_t k = h->tok; k < h->tok + h->ntok && free_span; k++)
			free_span = !(taken[k] & bit);
		if (!free_span)
			continue;
		for (uint32_t k = h->tok; k < h->tok + h->ntok; k++)
			taken[k] |= bit;
		if (!set->lang[h->lang].cue[h->cue].exclude)
			r.h[n++] = *h;
	}
	free(taken);
	if (n) {
		qsort(r.h, n, sizeof(*r.h), text_order);
		*out = cxm_arena_alloc(a, n * sizeof(**out));
		memcpy(*out, r.h, n * sizeof(**out));
	}
	free(r.h);
	return n;
}
