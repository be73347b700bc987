/*
 * themes-internal.h - what themes.c (terms and matching, with the
 * tokenizer and the stemmers) and taxonomy.c (the JSON, its limits and
 * refusals) share about a taxonomy.
 */
#ifndef CXM_TEXT_THEMES_INTERNAL_H
#define CXM_TEXT_THEMES_INTERNAL_H

#include "cues.h"

#include <stdbool.h>

#define TAX_MAX_TERM_BYTES 100
/* as CXM_TAXONOMY_MAX_* in cxm/text.h (themes.c checks they agree) */
#define TAX_MAX_THEMES 64
#define TAX_MAX_TERMS 200
#define TAX_MAX_BYTES (256 * 1024)
#define TAX_NAME_MAX 80
#define TAX_ID_MAX 40

struct cxm_taxonomy {
	size_t n;
	char **id;
	char **name[2]; /* [0] es, [1] en */
	struct cue_set set; /* points into the arrays below */
	struct cue *cue[2];
	struct cue_word *word[2];
	struct cue_ref *by_key[2], *by_stem[2];
	uint32_t *by_prefix[2];
	uint32_t *key_slot[2], *stem_slot[2];
	uint8_t *first_bits[2];
	size_t ncue[2], nword[2], capcue[2], capword[2];
};

/* What adding a term gives. */
enum tax_term_err { TERM_OK, TERM_EMPTY, TERM_LONG, TERM_WORD, TERM_PREFIX, TERM_DUP };

/* The tokenizer and stemmers a build needs (themes.c). */
struct tax_build;
struct tax_build *tax_build_new(void);
void tax_build_free(struct tax_build *b);

/*
 * Adds a term (or an exclusion) of theme to tax in lang (0 es, 1 en).
 * TERM_WORD and TERM_PREFIX name the offending word in bad (badlen bytes).
 */
enum tax_term_err tax_add_term(struct tax_build *b, struct cxm_taxonomy *tax, int lang, unsigned theme,
			       bool exclude, const char *term, char *bad, size_t badlen);
/* Builds the indexes once every term is in. */
void tax_finish(struct cxm_taxonomy *tax);
/* Frees tax and all it holds (NULL is fine). */
void tax_free(struct cxm_taxonomy *tax);

/* JSON to taxonomy (taxonomy.c): cxm_taxonomy_parse's work. */
int tax_parse(const char *json, size_t len, struct cxm_taxonomy **out, char *field, size_t fieldlen, char *why,
	      size_t whylen);

#endif
