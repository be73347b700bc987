/*
 * cues.h - word sequences matched on the tokens of a text (internal to
 * src/text/): the compiled form shared by the emotion and reason tables
 * (generated at build time from data/text/emotions.tsv and reasons.tsv
 * by tools/gen-cues.c) and the theme taxonomies (compiled at run time
 * from JSON by themes.c).
 *
 * A cue is one to CUE_MAX_WORDS words matched on consecutive tokens of one
 * sentence. Each word is written in key form (struct cxm_token.key: case
 * folded, no accents) and matches a token
 *   CUE_STEM:   whose key is the word, or whose Snowball stem (in the cue's
 *               language) is the word's stem ("decepcionado" ~ "decepcionada");
 *   CUE_EXACT:  whose key is the word ("=caro" is not "cara");
 *   CUE_PREFIX: whose key starts with the word ("tard*").
 * An exclusion cue of category c matches like any other, and the tokens it
 * covers can then not be part of a cue of c ("buenas tardes" is not waiting).
 */
#ifndef CXM_TEXT_CUES_H
#define CXM_TEXT_CUES_H

#include <stddef.h>
#include <stdint.h>

#define CUE_MAX_WORDS 8
/* categories of one set are bits of a 64-bit mask per token */
#define CUE_MAX_CATS 64

enum cue_how { CUE_STEM, CUE_EXACT, CUE_PREFIX };

struct cue_word {
	const char *key;
	const char *stem; /* CUE_STEM only, else NULL */
	uint8_t how;      /* enum cue_how */
};

struct cue {
	uint32_t word; /* index of its first word in the language's words */
	uint8_t nword;
	uint8_t cat;     /* emotion, reason or theme */
	uint8_t exclude; /* 1: an exclusion */
	float weight;
};

/* An index entry: the key or stem of a cue's first word, and the cue. */
struct cue_ref {
	const char *s;
	uint32_t cue;
};

/* The cues of one language, with their indexes (sorted by strcmp). */
struct cue_lang {
	const struct cue *cue;
	size_t ncue;
	const struct cue_word *word;
	size_t nword;
	const struct cue_ref *by_key; /* first words (CUE_STEM and CUE_EXACT) by key */
	size_t nkey;
	const struct cue_ref *by_stem; /* first words (CUE_STEM) by stem */
	size_t nstem;
	const uint32_t *by_prefix; /* cues whose first word is a CUE_PREFIX */
	size_t nprefix;
};

/* [0] Spanish, [1] English */
struct cue_set {
	struct cue_lang lang[2];
};

/* The built-in tables (generated: build/<variant>/gen/text_cues.c). */
extern const struct cue_set cxm_emotion_cues, cxm_reason_cues;

/* The default taxonomy, data/text/themes.json (generated). */
extern const unsigned char cxm_default_themes_json[];
extern const size_t cxm_default_themes_json_len;

#endif
