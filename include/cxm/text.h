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
	uint32_t keyhash;    /* the lexicons' hash of key (cxm_lex_hash, src/text/lexicon.h) */
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
	uint32_t keylen;   /* strlen(key) */
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

/* ---- sentiment (sentiment.c) ----------------------------------------------- */

enum cxm_sentiment_label { CXM_SENTIMENT_NEGATIVE = -1, CXM_SENTIMENT_NEUTRAL = 0, CXM_SENTIMENT_POSITIVE = 1 };

/* "negative", "neutral" or "positive". */
const char *cxm_sentiment_label_name(enum cxm_sentiment_label l);

/* Compound at or above this is positive, at or below its negation negative. */
#define CXM_SENTIMENT_THRESHOLD 0.05

/* The sentiment of a text or of one of its sentences. */
struct cxm_sentiment_score {
	double compound;       /* -1..1: the sum of valences s, normalised s / sqrt(s^2 + 15) */
	double pos, neu, neg;  /* shares of the text that read positive, neutral, negative; sum 1 */
	enum cxm_sentiment_label label; /* from compound and CXM_SENTIMENT_THRESHOLD */
};

struct cxm_sentiment {
	enum cxm_lang lang; /* whose lexicon and rules scored it (es or en) */
	struct cxm_sentiment_score text;
	struct cxm_sentiment_score *sentence; /* one per sentence of the text (nsentences) */
	size_t nsentences;
	/*
	 * contrib[i]: what token i added to the text's sum after every rule
	 * (negation, boosters, contrast, capitals, ...), 0 for tokens that
	 * carry none: the words the dashboard highlights. ntok entries.
	 */
	double *contrib;
	/*
	 * span[i]: how many tokens from i make the word or phrase that
	 * contrib[i] belongs to (3 for "vale la pena"), so all of a phrase is
	 * highlighted; 1 otherwise. ntok entries.
	 */
	uint8_t *span;
	size_t ntok;
	size_t matched; /* tokens with a valence of their own (before the rules) */
};

/*
 * Scores a tokenized text in the manner of VADER (Hutto & Gilbert 2014),
 * with English's lexicon and rules for CXM_LANG_EN and Spanish's for
 * CXM_LANG_ES; CXM_LANG_OTHER picks the language whose lexicon matches more
 * of its words. stemmers (the caller's, for this thread) find Spanish
 * inflections by their Snowball stem. The arrays of out live in a. An
 * empty text is neutral (compound 0, neu 1). Cannot fail.
 */
void cxm_sentiment_score(struct cxm_arena *a, struct cxm_stemmers *stemmers, const struct cxm_text *t,
			 enum cxm_lang lang, struct cxm_sentiment *out);

/* ---- emotions and reasons (classify.c) ------------------------------------ */

enum cxm_emotion {
	CXM_EMO_JOY,
	CXM_EMO_TRUST,
	CXM_EMO_SURPRISE,
	CXM_EMO_ANGER,
	CXM_EMO_FRUSTRATION,
	CXM_EMO_DISAPPOINTMENT,
	CXM_EMO_WORRY,
	CXM_EMO_SADNESS,
	CXM_EMO_COUNT
};

/* the rational reasons (topics) behind a comment */
enum cxm_reason {
	CXM_REASON_PRICE,
	CXM_REASON_SPEED, /* speed and waiting */
	CXM_REASON_CONVENIENCE,
	CXM_REASON_QUALITY,
	CXM_REASON_STAFF,
	CXM_REASON_RELIABILITY,
	CXM_REASON_INFORMATION,
	CXM_REASON_COUNT
};

/* "joy", "trust", "surprise", "anger", "frustration", "disappointment",
 * "worry", "sadness"; NULL out of range. */
const char *cxm_emotion_name(enum cxm_emotion e);
/* "price", "speed", "convenience", "quality", "staff", "reliability",
 * "information"; NULL out of range. */
const char *cxm_reason_name(enum cxm_reason r);

/* A score at or above this names an emotion or reason as present. */
#define CXM_CLASSIFY_PRESENT 0.3

/* One cue that counted: tokens [tok, tok + ntok) of the text. */
struct cxm_cue_match {
	bool reason;   /* which is an enum cxm_reason, else an enum cxm_emotion */
	uint8_t which;
	uint32_t tok, ntok;
	double weight; /* after boosters and dampeners */
};

struct cxm_classification {
	double emotion[CXM_EMO_COUNT]; /* 0..1 */
	double reason[CXM_REASON_COUNT]; /* 0..1 */
	struct cxm_cue_match *match; /* in text order; in the caller's arena */
	size_t nmatch;
};

/*
 * The emotions and reasons of a tokenized text in lang (other: the cues of
 * both languages), from the built-in bilingual cue lists (data/text/).
 * An emotion cue under negation ("no estoy enojado", "not happy") does not
 * count; boosters ("muy", "really"), capitals and '!' raise it, dampeners
 * ("un poco", "a bit") lower it. A reason is a topic and is not negated.
 * compound is the text's sentiment in [-1, 1], or NAN when not known:
 * anger, frustration and disappointment need it negative, joy and trust
 * positive (see docs/text.md). Never fails; out->match lives in a.
 */
void cxm_text_classify(const struct cxm_text *t, enum cxm_lang lang, struct cxm_stemmers *s, double compound,
		       struct cxm_arena *a, struct cxm_classification *out);

/* ---- themes (themes.c) ----------------------------------------------------- */

/*
 * A theme taxonomy: themes with an id, names in es and en and match terms
 * per language (words, =exact words, prefix* words and phrases) and
 * exclusions. Compiled once, then read-only: threads may share one.
 */
struct cxm_taxonomy;

#define CXM_TAXONOMY_MAX_THEMES 64
#define CXM_TAXONOMY_MAX_TERMS 200 /* per theme and language, exclusions included */
#define CXM_TAXONOMY_MAX_BYTES (256 * 1024)

/*
 * Compiles a taxonomy from JSON (json[0..len)), the format of
 * data/text/themes.json and docs/text.md. On success 0 and *out (owned:
 * cxm_taxonomy_free). CXM_EINVAL with the offending field
 * ("themes[2].terms.es[4]") and the reason (catalogue, current language)
 * in the caller's buffers: bad JSON, unknown keys, a missing or duplicate
 * id, a missing name, a theme with no terms, an empty or malformed term,
 * too many themes or terms. CXM_ETOOBIG when len is over
 * CXM_TAXONOMY_MAX_BYTES.
 */
int cxm_taxonomy_parse(const char *json, size_t len, struct cxm_taxonomy **out, char *field, size_t fieldlen,
		       char *why, size_t whylen);
void cxm_taxonomy_free(struct cxm_taxonomy *tax);
/* The default bilingual taxonomy a tenant starts with (JSON, static). */
const char *cxm_taxonomy_default_json(size_t *len);
size_t cxm_taxonomy_count(const struct cxm_taxonomy *tax);
/* Theme i's id, and its name in lang (English for other); borrowed. */
const char *cxm_taxonomy_id(const struct cxm_taxonomy *tax, size_t i);
const char *cxm_taxonomy_name(const struct cxm_taxonomy *tax, size_t i, enum cxm_lang lang);
/* The index of the theme with this id, or -1. */
int cxm_taxonomy_find(const struct cxm_taxonomy *tax, const char *id);

/* One match of a theme: tokens [tok, tok + ntok) of the text. */
struct cxm_theme_span {
	uint32_t theme; /* index in the taxonomy */
	uint32_t tok, ntok;
};

struct cxm_themes_found {
	uint32_t *theme; /* the themes matched, each once, in order of first match */
	size_t ntheme;
	struct cxm_theme_span *span; /* every match, in text order */
	size_t nspan;
};

/*
 * The themes of a tokenized text in lang (other: the terms of both
 * languages). Phrases match consecutive tokens of one sentence; a word
 * matches by key or Snowball stem. Never fails; out's arrays live in a.
 */
void cxm_text_themes(const struct cxm_text *t, enum cxm_lang lang, struct cxm_stemmers *s,
		     const struct cxm_taxonomy *tax, struct cxm_arena *a, struct cxm_themes_found *out);

/* ---- discovered themes (discover.c) ---------------------------------------- */

/* One labelled text: group 0 (say, detractors) or 1 (promoters). */
struct cxm_discover_doc {
	const struct cxm_text *text;
	enum cxm_lang lang; /* picks the stop words; other: both lists */
	uint8_t group;
};

/* A phrase that sets one group apart from the other. */
struct cxm_phrase {
	const char *text; /* 1 to 3 keys joined by spaces; in the caller's arena */
	uint8_t nwords;
	uint8_t group;      /* the group it leans to */
	double delta;       /* log-odds ratio, toward group (> 0) */
	double z;           /* delta / its standard deviation */
	uint32_t count[2];  /* texts of each group holding it */
	uint32_t example[3]; /* indices of texts of group that hold it */
	uint8_t nexample;
};

struct cxm_discover_opts {
	size_t top_k;       /* phrases per group (0: 10) */
	uint32_t min_count; /* texts a phrase must appear in (0: 3) */
	double prior;       /* prior strength alpha0 (0: the number of phrase occurrences) */
};

struct cxm_discovered {
	struct cxm_phrase *phrase[2]; /* per group, best first; in the caller's arena */
	size_t nphrase[2];
};

/*
 * The phrases (unigrams, bigrams and trigrams of keys within a sentence;
 * none starts or ends with a stop word, negators are not stop words) that
 * best separate the two groups, by the weighted log-odds ratio with an
 * informative Dirichlet prior (Monroe, Colaresi and Quinn 2008; formula
 * in docs/text.md), each with up to 3 example texts. opts may be NULL.
 * Never fails; out's arrays live in a.
 */
void cxm_text_discover(const struct cxm_discover_doc *docs, size_t ndocs, const struct cxm_discover_opts *opts,
		       struct cxm_arena *a, struct cxm_discovered *out);

/* ---- learned model (model.c) ----------------------------------------------- */

/*
 * A per-tenant text model learned from the tenant's own scored comments:
 * L2-regularised logistic regression over hashed features (word keys,
 * Snowball stems, bigrams, negation-marked words, the language), blended
 * with the lexicon's compound. Rules, formulas and the retraining policy
 * are in docs/text.md ("Learning from the tenant's feedback").
 */
struct cxm_text_model;
struct cxm_buf;

#define CXM_TEXT_MODEL_BITS 18                /* 2^18 feature buckets */
#define CXM_TEXT_MODEL_MIN_DOCS 200           /* labelled comments needed to train */
#define CXM_TEXT_MODEL_MIN_PER_CLASS 30       /* of each label */
#define CXM_TEXT_MODEL_MAX_FEATURES 50000     /* non-zero weights kept, largest first */
#define CXM_TEXT_MODEL_EXPLAIN 20             /* features kept per side for explaining */
#define CXM_TEXT_MODEL_FEATURE_MAX 64         /* bytes of a feature's text, NUL included */
#define CXM_TEXT_MODEL_MAX_BLOB (1024 * 1024) /* the largest blob cxm_text_model_load reads */

enum cxm_text_model_scale { CXM_TEXT_MODEL_NPS, CXM_TEXT_MODEL_CSAT };

/*
 * The label a scored comment teaches: 1 promoter-like (NPS 9-10, CSAT
 * 4-5), 0 detractor-like (NPS 0-6, CSAT 1-2), -1 when it teaches nothing
 * (NPS 7-8, CSAT 3, or out of range).
 */
int cxm_text_model_label(enum cxm_text_model_scale scale, int score);

/* One labelled comment for training. */
struct cxm_text_model_doc {
	const struct cxm_text *text; /* borrowed */
	enum cxm_lang lang;
	uint8_t label;   /* 0 or 1, from cxm_text_model_label */
	double lexicon;  /* the lexicon's compound for it (cxm_sentiment_score), -1..1; NAN: none */
};

struct cxm_text_model_opts {
	uint64_t seed;    /* shuffles and fold assignment; same seed, same model */
	unsigned epochs;  /* SGD passes (0: 10) */
	double lambda;    /* L2 strength (0: 1e-4) */
	unsigned folds;   /* cross-validation folds, 2..10 (0: 5) */
};

struct cxm_text_model_stats {
	uint32_t n, npos, nneg;  /* labelled comments trained on */
	uint32_t folds;
	double cv_accuracy;      /* out-of-fold accuracy of the model, 0..1 */
	double cv_auc;           /* out-of-fold ROC AUC, 0..1 */
	double lexicon_accuracy; /* the lexicon's accuracy on the same comments */
	double blend_weight;     /* w of the blend, 0..CXM_TEXT_MODEL_MAX_BLEND */
	uint32_t nfeatures;      /* non-zero weights kept */
};

/* The most the model may weigh in the blend. */
#define CXM_TEXT_MODEL_MAX_BLEND 0.8

/* A feature that weighs, decoded: "tardo" (a key), "tard*" (a Snowball
 * stem), "no llego" (a bigram), "NOT_llego" (a word in a negation's
 * scope), "lang:es". */
struct cxm_text_model_feature {
	char text[CXM_TEXT_MODEL_FEATURE_MAX];
	double weight; /* > 0 promoter-like, < 0 detractor-like */
};

/*
 * Trains a model on docs[0..n) (labels 0/1) with stemmers s (the caller's,
 * for this thread); opts may be NULL for the defaults. Runs k-fold
 * cross-validation first, then trains on everything. On success 0 and *out
 * (owned: cxm_text_model_free). Not enough data (fewer than
 * CXM_TEXT_MODEL_MIN_DOCS comments or CXM_TEXT_MODEL_MIN_PER_CLASS of
 * either label): CXM_EINVAL and *out NULL. stats (may be NULL) gets the
 * counts in both cases and the rest on success. Deterministic.
 */
int cxm_text_model_train(const struct cxm_text_model_doc *docs, size_t n, struct cxm_stemmers *s,
			 const struct cxm_text_model_opts *opts, struct cxm_text_model **out,
			 struct cxm_text_model_stats *stats);
void cxm_text_model_free(struct cxm_text_model *m);
/* Borrowed; lives as long as m. */
const struct cxm_text_model_stats *cxm_text_model_stats(const struct cxm_text_model *m);

/* The model's probability (0..1) that a tokenized text is promoter-like. */
double cxm_text_model_predict(const struct cxm_text_model *m, const struct cxm_text *t, enum cxm_lang lang,
			      struct cxm_stemmers *s);
/*
 * The blended compound, -1..1: (1 - w) * lexicon + w * (2p - 1), with p
 * from cxm_text_model_predict and w the model's blend weight. m NULL
 * (no model yet): lexicon.
 */
double cxm_text_model_blend(const struct cxm_text_model *m, double lexicon, double p);

/*
 * The features that weigh most toward promoters (positive: true) or
 * detractors, strongest first; *n gets how many (up to
 * CXM_TEXT_MODEL_EXPLAIN). Borrowed; lives as long as m.
 */
const struct cxm_text_model_feature *cxm_text_model_explain(const struct cxm_text_model *m, bool positive,
							     size_t *n);

/* Appends m as a versioned binary blob (docs/text.md) to out; 0 or CXM_ETOOBIG. */
int cxm_text_model_save(const struct cxm_text_model *m, struct cxm_buf *out);
/*
 * Reads a blob written by cxm_text_model_save: 0 and *out (owned), or
 * CXM_EINVAL for anything else (wrong magic or version, truncated, bad
 * checksum, indices out of order, values out of range, trailing bytes).
 */
int cxm_text_model_load(const void *blob, size_t len, struct cxm_text_model **out);

/*
 * The retraining policy: true when a model should be (re)trained now.
 * m NULL: when the labelled comments (npos + nneg) reach the minimum.
 * Otherwise: when they grew by 10% or more since m was trained, or when
 * m is a day old (age_us, the caller's clock) and any were added.
 */
bool cxm_text_model_should_retrain(const struct cxm_text_model *m, size_t npos, size_t nneg, int64_t age_us);

/* ---- one call for everything (analyze.c) ----------------------------------- */

/* What one thread keeps between analyses. */
struct cxm_text_ctx {
	struct cxm_arena arena; /* cleared by each analysis */
	struct cxm_stemmers *stemmers;
};

/* Sets up ctx for one thread; cxm_text_ctx_release frees what it holds. */
void cxm_text_ctx_init(struct cxm_text_ctx *ctx);
void cxm_text_ctx_release(struct cxm_text_ctx *ctx);

/*
 * The default taxonomy (cxm_taxonomy_default_json), compiled on first use
 * and kept, read-only, for the life of the process; threads share it.
 */
const struct cxm_taxonomy *cxm_taxonomy_default(void);

struct cxm_analyze_opts {
	/* es or en: analyse as that language; other: detect it ("auto") */
	enum cxm_lang lang;
	/* the themes to find (borrowed); NULL: cxm_taxonomy_default() */
	const struct cxm_taxonomy *taxonomy;
	/* a tenant's learned model to blend with the lexicon (borrowed); NULL:
	 * the lexicon only */
	const struct cxm_text_model *model;
};

/* Everything known about one text; pointers into the ctx's arena. */
struct cxm_analysis {
	struct cxm_text text;   /* its tokens and sentences */
	enum cxm_lang lang;     /* forced, or detected (other when unclear) */
	double lang_confidence; /* 0..1; 1 when forced */
	struct cxm_sentiment sentiment; /* text.compound blended with the model's, if any */
	double model_weight;            /* the model's weight in the blend; 0: none used */
	struct cxm_classification classes; /* emotions and reasons */
	const struct cxm_taxonomy *taxonomy; /* the one its themes index */
	struct cxm_themes_found themes;
	struct cxm_pii_span *pii; /* in text order */
	size_t npii;
};

/*
 * Analyses text[0..len): tokens, language (opts->lang, or detected),
 * sentiment, emotions and reasons (leaning on the compound), themes and
 * personal data. opts may be NULL (detect, default taxonomy). Clears the
 * ctx's arena first: out lives until the next analysis on ctx. CXM_EINVAL
 * with why set when the text is refused (too long, NUL, not UTF-8: see
 * cxm_text_tokenize); 0 otherwise, also for an empty text.
 */
int cxm_text_analyze(struct cxm_text_ctx *ctx, const char *text, size_t len, const struct cxm_analyze_opts *opts,
		     struct cxm_analysis *out, char *why, size_t whylen);

/* The name of a kind of personal data: "email", "phone", "card", "national_id". */
const char *cxm_pii_kind_name(enum cxm_pii_kind k);

/*
 * The text of an analysis with each personal data span replaced by its
 * placeholder from the catalogue in lang ("[email]", "[correo]"), in
 * ctx's arena, NUL-terminated.
 */
char *cxm_text_masked(struct cxm_text_ctx *ctx, const struct cxm_analysis *an, enum cxm_lang lang);

/*
 * The JSON of an analysis (owned: cJSON_Delete it): {"lang", "sentiment":
 * {"score","label"}, "emotions": {name: score, those present},
 * "reasons": [names, strongest first], "themes": [ids]}; with details also
 * "sentences", "highlights", "pii" (byte offsets of the original text) and
 * "masked". docs/text.md describes every field. Never NaN or Inf.
 */
struct cJSON;
struct cJSON *cxm_text_analysis_json(struct cxm_text_ctx *ctx, const struct cxm_analysis *an, bool details);

#endif
