/*
 * match.h - matching the cues of cues.h on a tokenized text (internal to
 * src/text/; cues.c).
 */
#ifndef CXM_TEXT_MATCH_H
#define CXM_TEXT_MATCH_H

#include "cues.h"
#include "cxm/text.h"

/*
 * A text ready for matching in the languages used. The stems of its words
 * are taken when first needed (most words start no cue) and kept, so that
 * the emotions, the reasons and the themes of one text share them.
 */
struct cue_text {
	const struct cxm_text *t;
	bool use[2];          /* [0] es, [1] en */
	const char **stem[2]; /* per token: NULL for a token that is not a word */
	struct cxm_stemmers *s;
	struct cxm_arena *a;
};

/* One accepted cue: the cue's index in set->lang[lang], tokens [tok, tok + ntok). */
struct cue_hit {
	uint32_t cue;
	uint8_t lang;
	uint8_t cat;
	uint32_t tok, ntok;
};

/* Prepares t in lang (other: both languages); memory from a. */
void cue_text_prepare(struct cue_text *ct, const struct cxm_text *t, enum cxm_lang lang, struct cxm_stemmers *s,
		      struct cxm_arena *a);

/*
 * The cues of set found in ct: per category, longer cues first and no two
 * sharing a token, exclusions applied and left out. In text order; *out in a.
 */
size_t cue_match(const struct cue_set *set, struct cue_text *ct, struct cxm_arena *a, struct cue_hit **out);

/*
 * cxm_text_classify and cxm_text_themes on a prepared text, so that one
 * analysis (analyze.c) prepares it once and takes each word's stems once
 * for both (classify.c, themes.c).
 */
void text_classify_prepared(struct cue_text *ct, double compound, struct cxm_arena *a,
			    struct cxm_classification *out);
void text_themes_prepared(struct cue_text *ct, const struct cxm_taxonomy *tax, struct cxm_arena *a,
			  struct cxm_themes_found *out);

#endif
