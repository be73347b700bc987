/*
 * themes.c - theme taxonomies: compiling their terms into cues (cues.h)
 * with the tokenizer and the stemmers, and finding the themes of a text.
 * The JSON side is in taxonomy.c; the format and the matching rules are
 * in docs/text.md ("Themes").
 */
#include "match.h"
#include "themes-internal.h"

#include "cxm/core.h"

#include <stdlib.h>
#include <string.h>

_Static_assert(TAX_MAX_THEMES == CXM_TAXONOMY_MAX_THEMES && TAX_MAX_THEMES <= CUE_MAX_CATS, "theme limit");
_Static_assert(TAX_MAX_TERMS == CXM_TAXONOMY_MAX_TERMS, "term limit");
_Static_assert(TAX_MAX_BYTES == CXM_TAXONOMY_MAX_BYTES, "size limit");

struct tax_build {
	struct cxm_arena a;
	struct cxm_stemmers *st;
};

struct tax_build *tax_build_new(void)
{
	struct tax_build *b = xmalloc(sizeof(*b));
	cxm_arena_init(&b->a, 4096);
	b->st = cxm_stemmers_new();
	return b;
}

void tax_build_free(struct tax_build *b)
{
	if (!b)
		return;
	cxm_arena_release(&b->a);
	cxm_stemmers_free(b->st);
	free(b);
}

static void free_words(struct cue_word *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free((char *)w[i].key);
		free((char *)w[i].stem);
	}
}

/* One word of a term, in key form, checked with the tokenizer. */
static enum tax_term_err term_word(struct tax_build *b, int lang, char *p, struct cue_word *w, char *bad,
				   size_t badlen)
{
	struct cxm_text t;
	char why[128];
	size_t len = strlen(p);
	uint8_t how = CUE_STEM;

	cxm_strlcpy(bad, p, badlen); /* as written, for a refusal */

	if (p[0] == '=') {
		how = CUE_EXACT;
		p++;
	} else if (len > 1 && p[len - 1] == '*') {
		how = CUE_PREFIX;
		p[len - 1] = 0;
	}
	cxm_arena_clear(&b->a);
	if (!*p || cxm_text_tokenize(&b->a, p, strlen(p), &t, why, sizeof(why)) || t.ntok != 1 ||
	    !(t.tok[0].kind == CXM_TOK_WORD || t.tok[0].kind == CXM_TOK_EMOJI ||
	      t.tok[0].kind == CXM_TOK_EMOTICON) ||
	    (how == CUE_PREFIX && t.tok[0].kind != CXM_TOK_WORD)) {
		return TERM_WORD;
	}
	const char *key = t.tok[0].key;
	if (how == CUE_PREFIX && strlen(key) < 3) {
		return TERM_PREFIX;
	}
	if (t.tok[0].kind != CXM_TOK_WORD)
		how = CUE_EXACT;
	w->how = how;
	w->key = xstrdup(key);
	w->stem = how == CUE_STEM ? xstrdup(cxm_stem(b->st, lang ? CXM_LANG_EN : CXM_LANG_ES, key)) : NULL;
	return TERM_OK;
}

static bool same_words(const struct cue_word *a, const struct cue_word *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].how != b[i].how || strcmp(a[i].key, b[i].key))
			return false;
	return true;
}

enum tax_term_err tax_add_term(struct tax_build *b, struct cxm_taxonomy *tax, int lang, unsigned theme,
			       bool exclude, const char *term, char *bad, size_t badlen)
{
	char buf[TAX_MAX_TERM_BYTES + 1];
	struct cue_word w[CUE_MAX_WORDS];
	size_t n = 0;
	enum tax_term_err err = TERM_OK;

	if (strlen(term) > TAX_MAX_TERM_BYTES)
		return TERM_LONG;
	cxm_strlcpy(buf, term, sizeof(buf));
	for (char *save, *p = strtok_r(buf, " \t\r\n", &save); p; p = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == CUE_MAX_WORDS) {
			err = TERM_LONG;
			goto out;
		}
		if ((err = term_word(b, lang, p, &w[n], bad, badlen)))
			goto out;
		n++;
	}
	if (!n)
		return TERM_EMPTY;
	for (size_t i = 0; i < tax->ncue[lang]; i++) {
		const struct cue *c = &tax->cue[lang][i];
		if (c->cat == theme && c->nword == n && same_words(&tax->word[lang][c->word], w, n)) {
			err = TERM_DUP;
			goto out;
		}
	}
	if (tax->ncue[lang] == tax->capcue[lang]) {
		tax->capcue[lang] = tax->capcue[lang] ? 2 * tax->capcue[lang] : 64;
		tax->cue[lang] = xrealloc(tax->cue[lang], tax->capcue[lang] * sizeof(*tax->cue[lang]));
	}
	while (tax->nword[lang] + n > tax->capword[lang]) {
		tax->capword[lang] = tax->capword[lang] ? 2 * tax->capword[lang] : 128;
		tax->word[lang] = xrealloc(tax->word[lang], tax->capword[lang] * sizeof(*tax->word[lang]));
	}
	tax->cue[lang][tax->ncue[lang]++] = (struct cue){ .word = (uint32_t)tax->nword[lang], .nword = (uint8_t)n,
							   .cat = (uint8_t)theme, .exclude = exclude, .weight = 1 };
	memcpy(&tax->word[lang][tax->nword[lang]], w, n * sizeof(*w));
	tax->nword[lang] += n;
	return TERM_OK;
out:
	free_words(w, n);
	return err;
}

static int ref_cmp(const void *pa, const void *pb)
{
	const struct cue_ref *a = pa, *b = pb;
	int c = strcmp(a->s, b->s);
	return c ? c : (a->cue > b->cue) - (a->cue < b->cue);
}

void tax_finish(struct cxm_taxonomy *tax)
{
	for (int l = 0; l < 2; l++) {
		size_t n = tax->ncue[l], nkey = 0, nstem = 0, nprefix = 0;
		tax->by_key[l] = xcalloc(n + 1, sizeof(struct cue_ref));
		tax->by_stem[l] = xcalloc(n + 1, sizeof(struct cue_ref));
		tax->by_prefix[l] = xcalloc(n + 1, sizeof(uint32_t));
		for (size_t i = 0; i < n; i++) {
			const struct cue_word *first = &tax->word[l][tax->cue[l][i].word];
			if (first->how == CUE_PREFIX) {
				tax->by_prefix[l][nprefix++] = (uint32_t)i;
				continue;
			}
			tax->by_key[l][nkey++] = (struct cue_ref){ first->key, (uint32_t)i };
			if (first->how == CUE_STEM)
				tax->by_stem[l][nstem++] = (struct cue_ref){ first->stem, (uint32_t)i };
		}
		qsort(tax->by_key[l], nkey, sizeof(struct cue_ref), ref_cmp);
		qsort(tax->by_stem[l], nstem, sizeof(struct cue_ref), ref_cmp);
		uint32_t kmask = cue_hash_mask(nkey), smask = cue_hash_mask(nstem);
		tax->key_slot[l] = xcalloc((size_t)kmask + 1, sizeof(uint32_t));
		tax->stem_slot[l] = xcalloc((size_t)smask + 1, sizeof(uint32_t));
		cue_hash_fill(tax->by_key[l], nkey, tax->key_slot[l], kmask);
		cue_hash_fill(tax->by_stem[l], nstem, tax->stem_slot[l], smask);
		tax->first_bits[l] = xcalloc(CUE_PREFIX_BITS / 8, 1);
		for (size_t i = 0; i < n; i++) {
			const struct cue_word *first = &tax->word[l][tax->cue[l][i].word];
			cue_prefix_add(tax->first_bits[l], first->key);
			if (first->stem)
				cue_prefix_add(tax->first_bits[l], first->stem);
		}
		tax->set.lang[l] = (struct cue_lang){ .cue = tax->cue[l], .ncue = n, .word = tax->word[l],
						      .nword = tax->nword[l], .by_key = tax->by_key[l], .nkey = nkey,
						      .by_stem = tax->by_stem[l], .nstem = nstem,
						      .by_prefix = tax->by_prefix[l], .nprefix = nprefix,
						      .key_slot = tax->key_slot[l], .stem_slot = tax->stem_slot[l],
						      .key_mask = kmask, .stem_mask = smask,
						      .first_bits = tax->first_bits[l] };
	}
}

int cxm_taxonomy_parse(const char *json, size_t len, struct cxm_taxonomy **out, char *field, size_t fieldlen,
		       char *why, size_t whylen)
{
	return tax_parse(json, len, out, field, fieldlen, why, whylen);
}

void cxm_taxonomy_free(struct cxm_taxonomy *tax)
{
	tax_free(tax);
}

const char *cxm_taxonomy_default_json(size_t *len)
{
	if (len)
		*len = cxm_default_themes_json_len;
	return (const char *)cxm_default_themes_json;
}

size_t cxm_taxonomy_count(const struct cxm_taxonomy *tax)
{
	return tax->n;
}

const char *cxm_taxonomy_id(const struct cxm_taxonomy *tax, size_t i)
{
	return i < tax->n ? tax->id[i] : NULL;
}

const char *cxm_taxonomy_name(const struct cxm_taxonomy *tax, size_t i, enum cxm_lang lang)
{
	return i < tax->n ? tax->name[lang == CXM_LANG_ES ? 0 : 1][i] : NULL;
}

int cxm_taxonomy_find(const struct cxm_taxonomy *tax, const char *id)
{
	for (size_t i = 0; i < tax->n; i++)
		if (!strcmp(tax->id[i], id))
			return (int)i;
	return -1;
}

void cxm_text_themes(const struct cxm_text *t, enum cxm_lang lang, struct cxm_stemmers *s,
		     const struct cxm_taxonomy *tax, struct cxm_arena *a, struct cxm_themes_found *out)
{
	struct cue_text ct;

	cue_text_prepare(&ct, t, lang, s, a);
	text_themes_prepared(&ct, tax, a, out);
}

void text_themes_prepared(struct cue_text *ct, const struct cxm_taxonomy *tax, struct cxm_arena *a,
			  struct cxm_themes_found *out)
{
	struct cue_hit *h;
	uint64_t seen = 0;

	memset(out, 0, sizeof(*out));
	size_t n = cue_match(&tax->set, ct, a, &h);
	if (!n)
		return;
	out->span = cxm_arena_alloc(a, n * sizeof(*out->span));
	out->theme = cxm_arena_alloc(a, n * sizeof(*out->theme));
	for (size_t i = 0; i < n; i++) {
		out->span[i] = (struct cxm_theme_span){ .theme = h[i].cat, .tok = h[i].tok, .ntok = h[i].ntok };
		if (!(seen & (uint64_t)1 << h[i].cat)) {
			seen |= (uint64_t)1 << h[i].cat;
			out->theme[out->ntheme++] = h[i].cat;
		}
	}
	out->nspan = n;
}
