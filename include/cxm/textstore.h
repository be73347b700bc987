/*
 * textstore.h - text on ingest (issue 6, "Where it shows"): the analysis of
 * each response's text (its comment and its free-text answers, as one),
 * kept with the response (store.h's text_* and themes) and rolled up by
 * theme and sentiment; the tenant's theme taxonomy and PII policy; the
 * re-analysis after a taxonomy change; verbatims with their highlights
 * (src/text/ingest.c, docs/text.md "The response's text", "Where it
 * shows").
 */
#ifndef CXM_TEXTSTORE_H
#define CXM_TEXTSTORE_H

#include <stdbool.h>
#include <stdint.h>

#include "cxm/store.h"
#include "cxm/surveys.h"
#include "cxm/text.h"

/* The tenant settings: the taxonomy JSON (absent: the default), its
 * revision (changed with it, so caches see a change cheaply), and the PII
 * policy ("mask", the default, or "keep"). */
#define CXM_TEXT_THEMES_SETTING "text.themes"
#define CXM_TEXT_THEMES_REV_SETTING "text.themes.rev"
#define CXM_TEXT_PII_SETTING "text.pii"

/* A taxonomy change re-analyses at most this many comments, synchronously,
 * in the same transaction; above it the change is refused. */
#define CXM_TEXT_REANALYZE_MAX 50000

/* One comment's analysis, as stored (caller-owned, no heap). */
struct cxm_text_stored {
	bool present; /* false: nothing to analyse (no comment, blank, refused) */
	char lang[8];
	int score; /* compound x 10000 */
	char label[12];
	char emotions[CXM_EMO_COUNT * 16];
	char reasons[CXM_REASON_COUNT * 16];
	char themes[CXM_TAXONOMY_MAX_THEMES * 41 + 1];
};

/*
 * Analyses text (NUL-terminated; NULL: none) with tax into st: language,
 * sentiment, the emotions and reasons present, the themes. A thread keeps
 * its own stemmers and arena (made on first use). Never fails: an empty,
 * blank or refused text leaves st->present false.
 */
void cxm_text_store_analyze(const char *text, const struct cxm_taxonomy *tax, struct cxm_text_stored *st);
/* Points r's text_* and themes at st's (borrowed), or clears them. */
void cxm_text_stored_apply(const struct cxm_text_stored *st, struct cxm_response *r);

/* A tenant's compiled taxonomy, shared read-only between threads. */
struct cxm_tax_ref;
/*
 * The tenant's taxonomy, compiled once per revision and cached (thread-
 * safe; a change of the revision setting replaces it). Give it back with
 * cxm_text_taxonomy_put. Store errors as the store's.
 */
int cxm_text_taxonomy_get(struct cxm_store *s, int64_t tenant, struct cxm_tax_ref **out);
const struct cxm_taxonomy *cxm_text_taxonomy_of(const struct cxm_tax_ref *ref);
void cxm_text_taxonomy_put(struct cxm_tax_ref *ref);

/* Analyses comment (a response's only text) with the tenant's taxonomy and
 * model into st and points r at it: cxm_text_ingest_parts of one text. */
int cxm_text_ingest(struct cxm_store *s, int64_t tenant, const char *comment, struct cxm_text_stored *st,
		    struct cxm_response *r);

/*
 * A response's text (docs/text.md "The response's text"): its comment,
 * then its answer to each free-text question in the survey's order.
 */
struct cxm_text_part {
	const char *source; /* "comment" or the question's id (borrowed) */
	const char *text;   /* borrowed; never empty */
};
struct cxm_text_parts {
	struct cxm_text_part part[1 + CXM_SURVEY_MAX_QUESTIONS];
	size_t n;
	cJSON *answers; /* what the parts of a stored response point into (owned) */
};
/* The texts of comment (may be NULL) and answers (may be NULL) to d's
 * questions; p borrows from all three. */
void cxm_text_parts_of(const struct cxm_survey_def *d, const cJSON *answers, const char *comment,
		       struct cxm_text_parts *p);
/* Which questions of each survey version are free text: a cache for a
 * walk over stored responses (one thread's). */
struct cxm_text_questions;
struct cxm_text_questions *cxm_text_questions_new(void);
void cxm_text_questions_free(struct cxm_text_questions *q);
/*
 * The texts of a stored response (its survey version, comment and answers
 * JSON; comment and answers may be NULL) into p, reading the version's
 * questions once through q. p borrows comment and owns a parse of answers:
 * cxm_text_parts_release it. Store errors as the store's.
 */
int cxm_text_parts_stored(struct cxm_store *s, int64_t tenant, struct cxm_text_questions *q, int64_t survey,
			  int version, const char *comment, const char *answers, struct cxm_text_parts *p);
/* The ids of the free-text questions of a survey version, in its order,
 * borrowed from q (valid until its next call); none for an unknown
 * version. Store errors as the store's. Not from inside a store callback. */
int cxm_text_questions_get(struct cxm_store *s, int64_t tenant, struct cxm_text_questions *q, int64_t survey,
			   int version, char *const **ids, size_t *n);
void cxm_text_parts_release(struct cxm_text_parts *p);
/*
 * Analyses the response's texts p with the tenant's taxonomy and model
 * into st, as one (each text alone; the union of their emotions, reasons
 * and themes; their compounds' mean weighted by tokens), and points r at
 * it. Store errors as the store's.
 */
int cxm_text_ingest_parts(struct cxm_store *s, int64_t tenant, const struct cxm_text_parts *p,
			  struct cxm_text_stored *st, struct cxm_response *r);

/*
 * Re-analyses the text of every response of the tenant that may have one
 * (cxm_store_response_texts) with tax and the tenant's model, as on
 * ingest, and moves their theme and sentiment rollups, in batches read by
 * id, in the caller's transaction (or one of its own). *n (may be NULL)
 * gets how many.
 */
int cxm_text_reanalyze(struct cxm_store *s, int64_t tenant, const struct cxm_taxonomy *tax, int64_t *n);
/*
 * The backfill of responses never analysed (docs/text.md "The backfill"):
 * at most limit (up to 500) of the tenant's responses that may have text
 * and have no analysis, by id after *after, analysed with the tenant's
 * taxonomy and model as on ingest and stored with their rollups moved
 * (cxm_store_response_set_text), in one transaction (s's own, or the
 * caller's). *after moves to the last id walked, *read gets how many were
 * walked (fewer than limit: the tenant is done), *analysed how many had a
 * text and were stored (may be NULL). Store errors as the store's.
 */
int cxm_text_backfill(struct cxm_store *s, int64_t tenant, int64_t *after, int limit, size_t *read,
		      int64_t *analysed);

/* What a verbatim highlights: bytes [start, start + len) of the text. */
struct cxm_text_highlight {
	uint32_t start, len;
	int kind;   /* 1 positive, -1 negative (sentiment), 0 a theme's term */
	int theme;  /* kind 0: the theme's index in the taxonomy */
};
/*
 * The highlights of text (its sentiment's words and phrases, its themes'
 * terms) in text order, up to max; returns how many were written.
 */
size_t cxm_text_highlights(const char *text, const struct cxm_taxonomy *tax, struct cxm_text_highlight *out,
			   size_t max);
/* text with each e-mail, phone, card number and national id replaced by as
 * many '*' as it had bytes (so offsets stay); owned. */
char *cxm_text_mask_pii(const char *text);
/* Whether the tenant's PII policy masks (the default) or keeps personal
 * data in what users see: every output of comments and free-text answers
 * obeys it. Store errors as the store's. */
int cxm_text_pii_masked(struct cxm_store *s, int64_t tenant, bool *mask);

/* ---- the tenant's learned model (src/text/train.c) ---- */

/* The most recent labelled comments a training reads. */
#define CXM_TEXT_TRAIN_MAX 50000

/* What the last training of a tenant left (counts even without a model). */
struct cxm_text_train_result {
	bool trained;          /* false: not enough data (or no training yet) */
	int64_t trained_at;    /* 0: never trained */
	int64_t labelled, npos, nneg; /* every labelled comment of the tenant then */
	struct cxm_text_model_stats stats; /* of the comments trained on */
};

/*
 * Trains the tenant's model on its most recent labelled comments (comment
 * with NPS, else CSAT; cxm_text_model_label), saves it (or, with too
 * little data, only the counts); the caches load it once committed. Not enough
 * data is a normal outcome: 0 with res->trained false. Store errors as the
 * store's.
 */
int cxm_text_train_tenant(struct cxm_store *s, int64_t tenant, struct cxm_text_train_result *res);

/* A training done, not yet saved: what cxm_text_train_save writes. */
struct cxm_text_fit {
	struct cxm_text_train_result res;
	struct cxm_text_model_row row; /* owned: cxm_text_fit_release */
};
/*
 * cxm_text_train_tenant in two steps, so that the long one needs no write
 * transaction: cxm_text_train_fit reads the labelled comments (a read
 * handle will do) and fits the model into fit; cxm_text_train_save stores
 * it (in the writer, briefly). Release fit in any case. Call
 * cxm_text_train_fit holding a fit slot (cxm_text_fit_slot_take).
 */
int cxm_text_train_fit(struct cxm_store *s, int64_t tenant, struct cxm_text_fit *fit);
int cxm_text_train_save(struct cxm_store *s, int64_t tenant, const struct cxm_text_fit *fit);
void cxm_text_fit_release(struct cxm_text_fit *fit);

/* A tenant's model, shared read-only between threads. */
struct cxm_model_ref;
/*
 * The tenant's model, loaded once per training and cached (thread-safe;
 * each call reads the row's trained_at to see a new training); the model
 * of the ref is NULL when the tenant has none. Give it back with
 * cxm_text_model_put.
 */
int cxm_text_model_get(struct cxm_store *s, int64_t tenant, struct cxm_model_ref **out);
const struct cxm_text_model *cxm_text_model_of(const struct cxm_model_ref *ref);
void cxm_text_model_put(struct cxm_model_ref *ref);

/*
 * Whether the tenant's model is due for a training (off the request
 * path): cxm_text_model_should_retrain with its labelled comments now,
 * less those the last training saw but did not train on; without a model,
 * only when the counts changed since a training that found too little.
 */
int cxm_text_model_due(struct cxm_store *s, int64_t tenant, bool *due);

/* ---- one training at a time (src/text/train.c) ---- */

/* Fits that run at once in a process, over all tenants: the rest wait. */
#define CXM_TEXT_FITS_MAX 1

/*
 * Claims the tenant's training for a request (REQUEST true: "Train now")
 * or for the background retraining: false, claiming nothing, when a
 * request of the tenant already holds it, or, for the background, when
 * anyone does. A request may claim while the background fits the tenant:
 * it then calls cxm_text_train_wait before its own fit, so it fits on the
 * latest data and its model is the one saved last. Whoever claims calls
 * cxm_text_train_unclaim (with the same REQUEST) once the training is
 * saved or has failed.
 */
bool cxm_text_train_claim(int64_t tenant, bool request);
void cxm_text_train_unclaim(int64_t tenant, bool request);
/* Waits until no background training of the tenant is under way. */
void cxm_text_train_wait(int64_t tenant);
/* Waits for one of the CXM_TEXT_FITS_MAX fit slots, and gives it back:
 * take one before a read handle, so that waiting holds no connection. */
void cxm_text_fit_slot_take(void);
void cxm_text_fit_slot_give(void);
/* The fits running now, and how many fits had to wait for a slot since
 * the process started (for /metrics). */
void cxm_text_train_counts(unsigned *running, uint64_t *waited);

#endif
