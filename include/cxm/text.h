/*
 * text.h - the text engine (issue 6): what customers write, in Spanish and
 * English, read by pure functions (src/text/): normalisation and tokens,
 * language, stems, sentiment, emotions and reasons, themes and PII.
 *
 * No I/O and no mutable global state: the lexicons are read-only tables
 * compiled into the binary, and what a call needs to keep (stemmers, the
 * arena) belongs to its caller, so many threads can analyse at once, each
 * with its own struct cxm_text_ctx.
 *
 * Strings are UTF-8. A text is refused (CXM_EINVAL with a reason) when it is
 * not valid UTF-8, holds a NUL, or is longer than CXM_TEXT_MAX_BYTES;
 * anything else, however odd (only emoji, only punctuation, mixed
 * languages), gets a result.
 */
#ifndef CXM_TEXT_H
#define CXM_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cxm/arena.h"
#include "cxm/i18n.h"

/* The longest text analysed: a comment, not a document. */
#define CXM_TEXT_MAX_BYTES (64 * 1024)

/* ---- languages ------------------------------------------------------------ */

/* enum cxm_lang (CXM_LANG_ES, CXM_LANG_EN, CXM_LANG_OTHER) is i18n.h's, so both headers go together. */

/* "es", "en" or "other". */
const char *cxm_lang_code(enum cxm_lang l);

/* ---- tokens (tokenize.c) --------------------------------------------------- */

enum cxm_tok_kind {
	CXM_TOK_WORD,     /* letters, with inner apostrophes or hyphens: "tardó", "don't", "e-mail" */
	CXM_TOK_NUMBER,   /* 3, 4,5, 1.000, 10% */
	CXM_TOK_PRICE,    /* a number with a currency: $25.000, 25 €, 10 USD, COP 50.000 */
	CXM_TOK_EMOJI,    /* one emoji, with its modifiers, ZWJ sequence or flag pair */
	CXM_TOK_EMOTICON, /* :) :-( :D xD <3 ;) :/ */
	CXM_TOK_HASHTAG,  /* #pésimoservicio (norm and key without the '#') */
	CXM_TOK_MENTION,  /* @tienda */
	CXM_TOK_URL,
	CXM_TOK_EMAIL,
	CXM_TOK_PUNCT     /* one mark or a run of the same mark: "!!!", "?", "...", ",", "¡" */
};

/* token flags */
#define CXM_TOKF_CAPS 0x01      /* a word of 2+ letters written all in capitals */
#define CXM_TOKF_ELONGATED 0x02 /* a letter repeated 3+ times was cut ("buenísimooo") */

struct cxm_token {
	enum cxm_tok_kind kind;
	uint32_t start, len; /* its bytes in the original text */
	/*
	 * norm: NFC, case-folded, elongations cut ("buenísimooo" -> "buenísimo",
	 * "siiiii" -> "si"); an emoji as itself; an emoticon as written;
	 * a hashtag or mention without its sign.
	 * key: norm without accents or diaeresis ("buenisimo", "pinguino"),
	 * ñ kept ("año" is not "ano"): what lexicons and themes match, so
	 * accented and unaccented spellings are the same word.
	 */
	const char *norm, *key;
	uint16_t sentence; /* its sentence, from 0 */
	uint8_t flags;     /* CXM_TOKF_* */
};

/* A tokenized text; every pointer is into the arena it was made in. */
struct cxm_text {
	const char *src;
	size_t len;
	struct cxm_token *tok;
	size_t ntok;
	size_t nsentences;
	/* sentence i spans bytes [sent_start[i], sent_end[i]) of src */
	uint32_t *sent_start, *sent_end;
};

/*
 * Tokenizes text (len bytes) into out, with memory from a. CXM_EINVAL with
 * why set when the text is refused (see above); 0 otherwise, also for an
 * empty text (no tokens).
 */
int cxm_text_tokenize(struct cxm_arena *a, const char *text, size_t len, struct cxm_text *out, char *why,
		      size_t whylen);

/* ---- language (lang.c) ----------------------------------------------------- */

/*
 * es, en or other: other when the text is too short to tell, is in
 * neither language, or mixes both with no clear winner. confidence (may be
 * NULL) gets 0..1.
 */
enum cxm_lang cxm_text_language(const struct cxm_text *t, double *confidence);

/* ---- stems (stem.c) -------------------------------------------------------- */

/* Snowball stemmers (libstemmer) for es and en, for one thread. */
struct cxm_stemmers;
struct cxm_stemmers *cxm_stemmers_new(void);
void cxm_stemmers_free(struct cxm_stemmers *s);
/*
 * The stem of a key (struct cxm_token.key) in a language: "tardo" ->
 * "tard"; other: the key itself. The result lives until the next call on s.
 */
const char *cxm_stem(struct cxm_stemmers *s, enum cxm_lang lang, const char *key);

/* ---- personal data (pii.c) ------------------------------------------------- */

enum cxm_pii_kind { CXM_PII_EMAIL, CXM_PII_PHONE, CXM_PII_CARD, CXM_PII_NATIONAL_ID };

struct cxm_pii_span {
	enum cxm_pii_kind kind;
	uint32_t start, len; /* bytes of the text */
};

/*
 * The personal data in a text, in order: e-mail addresses, phone numbers,
 * payment card numbers (Luhn-checked) and national ids (Spain's DNI/NIE
 * with their check letter, Colombia's cédula when named as such, ...).
 * Writes up to max spans; returns how many there are (may be more than max).
 */
size_t cxm_pii_find(const char *text, size_t len, struct cxm_pii_span *spans, size_t max);

/* ---- one call for everything (analyze.c, later) ---------------------------- */

/* What one thread keeps between analyses. */
struct cxm_text_ctx {
	struct cxm_arena arena; /* cleared by each analysis */
	struct cxm_stemmers *stemmers;
};

#endif
