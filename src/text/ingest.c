/*
 * ingest.c - text on ingest: each response's comment analysed when it is
 * written (cxm_response_submit calls cxm_text_ingest), the tenant's
 * taxonomy compiled once and cached, the re-analysis after a taxonomy
 * change, and what verbatims show (highlights, masked PII).
 */
#include "cxm/textstore.h"
#include "cxm/core.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

/* ---- what one thread keeps ---- */

static pthread_key_t ctx_key;
static pthread_once_t ctx_once = PTHREAD_ONCE_INIT;

static void ctx_free(void *p)
{
	cxm_text_ctx_release(p);
	free(p);
}

static void ctx_key_make(void)
{
	if (pthread_key_create(&ctx_key, ctx_free))
		BUG("pthread_key_create");
}

static struct cxm_text_ctx *thread_ctx(void)
{
	struct cxm_text_ctx *c;

	pthread_once(&ctx_once, ctx_key_make);
	if (!(c = pthread_getspecific(ctx_key))) {
		c = xcalloc(1, sizeof(*c));
		cxm_text_ctx_init(c);
		pthread_setspecific(ctx_key, c);
	}
	return c;
}

/* ---- one comment ---- */

static void add_word(char *list, size_t size, const char *w)
{
	size_t n = strlen(list);

	snprintf(list + n, size - n, "%s%s", n ? " " : "", w);
}

/* cxm_text_store_analyze, blending the lexicon with model (may be NULL) */
static void store_analyze(const char *text, const struct cxm_taxonomy *tax, const struct cxm_text_model *model,
			  struct cxm_text_stored *st)
{
	struct cxm_analyze_opts opts = { .lang = CXM_LANG_OTHER, .taxonomy = tax, .model = model };
	struct cxm_analysis an;
	char why[200];

	memset(st, 0, sizeof(*st));
	if (!text || !*text)
		return;
	if (cxm_text_analyze(thread_ctx(), text, strlen(text), &opts, &an, why, sizeof(why)) || !an.text.ntok)
		return;
	st->present = true;
	cxm_strlcpy(st->lang, cxm_lang_code(an.lang), sizeof(st->lang));
	st->score = (int)lround(an.sentiment.text.compound * 10000);
	cxm_strlcpy(st->label, cxm_sentiment_label_name(an.sentiment.text.label), sizeof(st->label));
	for (int e = 0; e < CXM_EMO_COUNT; e++)
		if (an.classes.emotion[e] >= CXM_CLASSIFY_PRESENT)
			add_word(st->emotions, sizeof(st->emotions), cxm_emotion_name((enum cxm_emotion)e));
	for (int k = 0; k < CXM_REASON_COUNT; k++)
		if (an.classes.reason[k] >= CXM_CLASSIFY_PRESENT)
			add_word(st->reasons, sizeof(st->reasons), cxm_reason_name((enum cxm_reason)k));
	for (size_t i = 0; i < an.themes.ntheme; i++)
		add_word(st->themes, sizeof(st->themes), cxm_taxonomy_id(an.taxonomy, an.themes.theme[i]));
}

void cxm_text_store_analyze(const char *text, const struct cxm_taxonomy *tax, struct cxm_text_stored *st)
{
	store_analyze(text, tax, NULL, st);
}

void cxm_text_stored_apply(const struct cxm_text_stored *st, struct cxm_response *r)
{
	bool on = st && st->present;

	r->text_lang = on ? st->lang : NULL;
	r->text_score = on ? st->score : 0;
	r->text_label = on ? st->label : NULL;
	r->text_emotions = on ? st->emotions : NULL;
	r->text_reasons = on ? st->reasons : NULL;
	r->themes = on ? st->themes : NULL;
}

/* ---- the tenants' taxonomies ---- */

struct cxm_tax_ref {
	int64_t tenant;
	char rev[32];
	struct cxm_taxonomy *tax;
	int refs; /* the cache's and each holder's */
};

#define CACHE_SLOTS 256
static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct cxm_tax_ref *cache[CACHE_SLOTS];

static void ref_drop(struct cxm_tax_ref *ref)
{
	/* under cache_mu */
	if (ref && !--ref->refs) {
		cxm_taxonomy_free(ref->tax);
		free(ref);
	}
}

int cxm_text_taxonomy_get(struct cxm_store *s, int64_t tenant, struct cxm_tax_ref **out)
{
	/* ids are time-ordered: mix them so tenants spread over the slots */
	size_t slot = (size_t)(((uint64_t)tenant * 0x9E3779B97F4A7C15ull) >> 56) % CACHE_SLOTS;
	char *rev = NULL, *json = NULL, field[96], why[300];
	struct cxm_tax_ref *ref;
	int ret;

	*out = NULL;
	if ((ret = cxm_store_setting_get(s, tenant, CXM_TEXT_THEMES_REV_SETTING, &rev)))
		return ret;
	pthread_mutex_lock(&cache_mu);
	ref = cache[slot];
	if (ref && ref->tenant == tenant && !strcmp(ref->rev, rev ? rev : "")) {
		ref->refs++;
		*out = ref;
	}
	pthread_mutex_unlock(&cache_mu);
	if (*out)
		goto done;
	/* compiled outside the lock: another thread may do the same, the
	 * last one in keeps the slot */
	if ((ret = cxm_store_setting_get(s, tenant, CXM_TEXT_THEMES_SETTING, &json)))
		goto done;
	ref = xcalloc(1, sizeof(*ref));
	ref->tenant = tenant;
	cxm_strlcpy(ref->rev, rev ? rev : "", sizeof(ref->rev));
	ref->refs = 2;
	if (!json || cxm_taxonomy_parse(json, strlen(json), &ref->tax, field, sizeof(field), why, sizeof(why))) {
		size_t len;
		const char *dflt = cxm_taxonomy_default_json(&len);
		if (cxm_taxonomy_parse(dflt, len, &ref->tax, field, sizeof(field), why, sizeof(why)))
			BUG("the default taxonomy does not compile");
	}
	pthread_mutex_lock(&cache_mu);
	ref_drop(cache[slot]);
	cache[slot] = ref;
	pthread_mutex_unlock(&cache_mu);
	*out = ref;
done:
	free(rev);
	free(json);
	return ret;
}

const struct cxm_taxonomy *cxm_text_taxonomy_of(const struct cxm_tax_ref *ref)
{
	return ref->tax;
}

void cxm_text_taxonomy_put(struct cxm_tax_ref *ref)
{
	pthread_mutex_lock(&cache_mu);
	ref_drop(ref);
	pthread_mutex_unlock(&cache_mu);
}

int cxm_text_ingest(struct cxm_store *s, int64_t tenant, const char *comment, struct cxm_text_stored *st,
		    struct cxm_response *r)
{
	struct cxm_tax_ref *ref = NULL;
	struct cxm_model_ref *mref = NULL;
	int ret = 0;

	memset(st, 0, sizeof(*st));
	if (comment && *comment && !(ret = cxm_text_taxonomy_get(s, tenant, &ref))) {
		/* the tenant's model, when it has one (docs/text.md) */
		if (!(ret = cxm_text_model_get(s, tenant, &mref))) {
			store_analyze(comment, ref->tax, cxm_text_model_of(mref), st);
			cxm_text_model_put(mref);
		}
		cxm_text_taxonomy_put(ref);
	}
	cxm_text_stored_apply(st, r);
	return ret;
}

/* ---- re-analysis ---- */

#define BATCH 500

struct batch {
	int64_t id[BATCH];
	char *comment[BATCH];
	size_t n;
};

static int batch_cb(const struct cxm_response *r, void *ctx)
{
	struct batch *b = ctx;

	b->id[b->n] = r->id;
	b->comment[b->n++] = xstrdup(r->comment ? r->comment : "");
	return 0;
}

int cxm_text_reanalyze(struct cxm_store *s, int64_t tenant, const struct cxm_taxonomy *tax, int64_t *n)
{
	struct batch *b = xcalloc(1, sizeof(*b));
	struct cxm_text_stored *st = xmalloc(sizeof(*st));
	int64_t after = INT64_MIN, done = 0;
	int own = !cxm_store_in_transaction(s), ret = own ? cxm_store_begin(s) : 0;

	while (!ret) {
		b->n = 0;
		if ((ret = cxm_store_response_comments(s, tenant, after, BATCH, batch_cb, b)))
			break;
		for (size_t i = 0; i < b->n; i++) {
			struct cxm_response r = { 0 };
			if (!ret) {
				cxm_text_store_analyze(b->comment[i], tax, st);
				cxm_text_stored_apply(st, &r);
				ret = cxm_store_response_set_text(s, tenant, b->id[i], &r);
				done++;
			}
			free(b->comment[i]);
		}
		if (b->n < BATCH)
			break;
		after = b->id[b->n - 1];
	}
	if (own)
		ret = ret ? (cxm_store_rollback(s), ret) : cxm_store_commit(s);
	if (n)
		*n = done;
	free(st);
	free(b);
	return ret;
}

/* ---- verbatims ---- */

size_t cxm_text_highlights(const char *text, const struct cxm_taxonomy *tax, struct cxm_text_highlight *out,
			   size_t max)
{
	struct cxm_analyze_opts opts = { .lang = CXM_LANG_OTHER, .taxonomy = tax };
	struct cxm_analysis an;
	char why[200];
	size_t n = 0, k = 0;

	if (!text || cxm_text_analyze(thread_ctx(), text, strlen(text), &opts, &an, why, sizeof(why)) ||
	    !an.text.ntok)
		return 0;
	const struct cxm_text *t = &an.text;
	const struct cxm_sentiment *sent = &an.sentiment;
	const struct cxm_themes_found *th = &an.themes;
	/* both lists are in text order: merge them */
	for (size_t i = 0; i < t->ntok && n < max; i++) {
		for (; k < th->nspan && th->span[k].tok <= i && n < max; k++) {
			const struct cxm_theme_span *sp = &th->span[k];
			const struct cxm_token *a = &t->tok[sp->tok], *z = &t->tok[sp->tok + sp->ntok - 1];
			out[n++] = (struct cxm_text_highlight){ a->start, z->start + z->len - a->start, 0, (int)sp->theme };
		}
		if (sent->contrib[i] == 0 || n >= max)
			continue;
		size_t last = i + (sent->span[i] ? sent->span[i] : 1) - 1;
		if (last >= t->ntok)
			last = t->ntok - 1;
		out[n++] = (struct cxm_text_highlight){ t->tok[i].start,
							t->tok[last].start + t->tok[last].len - t->tok[i].start,
							sent->contrib[i] > 0 ? 1 : -1, 0 };
	}
	for (; k < th->nspan && n < max; k++) {
		const struct cxm_theme_span *sp = &th->span[k];
		const struct cxm_token *a = &t->tok[sp->tok], *z = &t->tok[sp->tok + sp->ntok - 1];
		out[n++] = (struct cxm_text_highlight){ a->start, z->start + z->len - a->start, 0, (int)sp->theme };
	}
	return n;
}

char *cxm_text_mask_pii(const char *text)
{
	struct cxm_pii_span sp[64];
	size_t len = strlen(text), n = cxm_pii_find(text, len, sp, ARRAY_SIZE(sp));
	char *out = xstrdup(text);

	if (n > ARRAY_SIZE(sp)) {
		/* more than the spans asked for: mask everything rather than miss one */
		memset(out, '*', len);
		return out;
	}
	for (size_t i = 0; i < n; i++)
		memset(out + sp[i].start, '*', sp[i].len);
	return out;
}
