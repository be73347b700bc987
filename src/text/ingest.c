/*
 * ingest.c - text on ingest: each response's text (its comment and its
 * free-text answers) analysed when it is written (cxm_response_submit
 * calls cxm_text_ingest_parts), the tenant's taxonomy compiled once and
 * cached, the re-analysis after a taxonomy change, and what verbatims
 * show (highlights, masked PII).
 */
#include "cxm/textstore.h"
#include "cxm/core.h"
#include "cxm/json.h"

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

/*
 * The analysis of a response's texts, blending the lexicon with model (may
 * be NULL), as one (docs/text.md "The response's text"): each text is
 * analysed alone; the response has the union of their emotions, reasons
 * and themes, the language of its longest text, and a sentiment that is
 * the mean of their compounds weighted by their tokens (a single text's
 * own compound and label).
 */
static void store_analyze(const struct cxm_text_parts *p, const struct cxm_taxonomy *tax,
			  const struct cxm_text_model *model, struct cxm_text_stored *st)
{
	struct cxm_analyze_opts opts = { .lang = CXM_LANG_OTHER, .taxonomy = tax, .model = model };
	bool emo[CXM_EMO_COUNT] = { 0 }, reason[CXM_REASON_COUNT] = { 0 }, seen[CXM_TAXONOMY_MAX_THEMES] = { 0 };
	size_t theme[CXM_TAXONOMY_MAX_THEMES], ntheme = 0; /* in order of first match, across the texts */
	enum cxm_lang lang = CXM_LANG_OTHER;
	enum cxm_sentiment_label label = CXM_SENTIMENT_NEUTRAL;
	double sum = 0, compound = 0;
	size_t weight = 0, longest = 0, analysed = 0;
	struct cxm_analysis an;
	char why[200];

	memset(st, 0, sizeof(*st));
	if (!tax)
		tax = opts.taxonomy = cxm_taxonomy_default();
	for (size_t i = 0; i < p->n; i++) {
		const char *text = p->part[i].text;
		if (!text || !*text)
			continue;
		if (cxm_text_analyze(thread_ctx(), text, strlen(text), &opts, &an, why, sizeof(why)) || !an.text.ntok)
			continue;
		analysed++;
		compound = an.sentiment.text.compound;
		label = an.sentiment.text.label;
		sum += compound * (double)an.text.ntok;
		weight += an.text.ntok;
		if (an.text.ntok > longest) {
			longest = an.text.ntok;
			lang = an.lang;
		}
		for (int e = 0; e < CXM_EMO_COUNT; e++)
			emo[e] |= an.classes.emotion[e] >= CXM_CLASSIFY_PRESENT;
		for (int k = 0; k < CXM_REASON_COUNT; k++)
			reason[k] |= an.classes.reason[k] >= CXM_CLASSIFY_PRESENT;
		for (size_t t = 0; t < an.themes.ntheme; t++) {
			size_t th = an.themes.theme[t];
			if (th < CXM_TAXONOMY_MAX_THEMES && !seen[th]) {
				seen[th] = true;
				theme[ntheme++] = th;
			}
		}
	}
	if (!analysed)
		return;
	if (analysed > 1) {
		compound = sum / (double)weight;
		label = compound >= CXM_SENTIMENT_THRESHOLD	   ? CXM_SENTIMENT_POSITIVE
			: compound <= -CXM_SENTIMENT_THRESHOLD ? CXM_SENTIMENT_NEGATIVE
							       : CXM_SENTIMENT_NEUTRAL;
	}
	st->present = true;
	cxm_strlcpy(st->lang, cxm_lang_code(lang), sizeof(st->lang));
	st->score = (int)lround(compound * 10000);
	cxm_strlcpy(st->label, cxm_sentiment_label_name(label), sizeof(st->label));
	for (int e = 0; e < CXM_EMO_COUNT; e++)
		if (emo[e])
			add_word(st->emotions, sizeof(st->emotions), cxm_emotion_name((enum cxm_emotion)e));
	for (int k = 0; k < CXM_REASON_COUNT; k++)
		if (reason[k])
			add_word(st->reasons, sizeof(st->reasons), cxm_reason_name((enum cxm_reason)k));
	for (size_t t = 0; t < ntheme; t++)
		add_word(st->themes, sizeof(st->themes), cxm_taxonomy_id(tax, theme[t]));
}

static void one_part(const char *text, struct cxm_text_parts *p)
{
	memset(p, 0, sizeof(*p));
	if (text && *text)
		p->part[p->n++] = (struct cxm_text_part){ "comment", text };
}

void cxm_text_store_analyze(const char *text, const struct cxm_taxonomy *tax, struct cxm_text_stored *st)
{
	struct cxm_text_parts p;

	one_part(text, &p);
	store_analyze(&p, tax, NULL, st);
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

int cxm_text_ingest_parts(struct cxm_store *s, int64_t tenant, const struct cxm_text_parts *p,
			  struct cxm_text_stored *st, struct cxm_response *r)
{
	struct cxm_tax_ref *ref = NULL;
	struct cxm_model_ref *mref = NULL;
	int ret = 0;

	memset(st, 0, sizeof(*st));
	if (p->n && !(ret = cxm_text_taxonomy_get(s, tenant, &ref))) {
		/* the tenant's model, when it has one (docs/text.md) */
		if (!(ret = cxm_text_model_get(s, tenant, &mref))) {
			store_analyze(p, ref->tax, cxm_text_model_of(mref), st);
			cxm_text_model_put(mref);
		}
		cxm_text_taxonomy_put(ref);
	}
	cxm_text_stored_apply(st, r);
	return ret;
}

int cxm_text_ingest(struct cxm_store *s, int64_t tenant, const char *comment, struct cxm_text_stored *st,
		    struct cxm_response *r)
{
	struct cxm_text_parts p;

	one_part(comment, &p);
	return cxm_text_ingest_parts(s, tenant, &p, st, r);
}

/* ---- a response's texts ---- */

void cxm_text_parts_of(const struct cxm_survey_def *d, const cJSON *answers, const char *comment,
		       struct cxm_text_parts *p)
{
	one_part(comment, p);
	for (size_t i = 0; answers && i < d->nquestions; i++) {
		const cJSON *a;
		if (d->questions[i].type != CXM_Q_TEXT ||
		    !(a = cJSON_GetObjectItemCaseSensitive(answers, d->questions[i].id)) || !cJSON_IsString(a) ||
		    !*a->valuestring)
			continue;
		p->part[p->n++] = (struct cxm_text_part){ d->questions[i].id, a->valuestring };
	}
}

/* The text questions of one survey version, in the definition's order. */
struct version_questions {
	int64_t survey;
	int version;
	char *id[CXM_SURVEY_MAX_QUESTIONS];
	size_t n;
	struct version_questions *next;
};

struct cxm_text_questions {
	struct version_questions *head;
	size_t n;
};

/* Versions remembered at most: a walk over a tenant's responses meets few. */
#define QUESTIONS_MAX 64

struct cxm_text_questions *cxm_text_questions_new(void)
{
	return xcalloc(1, sizeof(struct cxm_text_questions));
}

static void versions_free(struct version_questions *v)
{
	for (struct version_questions *next; v; v = next) {
		next = v->next;
		for (size_t i = 0; i < v->n; i++)
			free(v->id[i]);
		free(v);
	}
}

void cxm_text_questions_free(struct cxm_text_questions *q)
{
	if (q)
		versions_free(q->head);
	free(q);
}

static int version_cb(const struct cxm_survey *sv, void *ctx)
{
	struct version_questions *v = ctx;
	struct cxm_survey_def d;
	char field[96], why[300];
	cJSON *tree = cJSON_Parse(sv->definition);

	if (tree && !cxm_survey_check(tree, &d, field, sizeof(field), why, sizeof(why)))
		for (size_t i = 0; i < d.nquestions; i++)
			if (d.questions[i].type == CXM_Q_TEXT)
				v->id[v->n++] = xstrdup(d.questions[i].id);
	cJSON_Delete(tree);
	return 0;
}

static int version_get(struct cxm_store *s, int64_t tenant, struct cxm_text_questions *q, int64_t survey,
		       int version, struct version_questions **out)
{
	struct version_questions *v;
	int ret;

	for (v = q->head; v; v = v->next)
		if (v->survey == survey && v->version == version) {
			*out = v;
			return 0;
		}
	v = xcalloc(1, sizeof(*v));
	v->survey = survey;
	v->version = version;
	ret = cxm_store_survey_get(s, tenant, survey, version, version_cb, v);
	if (ret && ret != CXM_ENOTFOUND) {
		free(v);
		return ret;
	}
	if (q->n >= QUESTIONS_MAX) {
		/* forget them all: simpler than an LRU, and rare */
		versions_free(q->head);
		q->head = NULL;
		q->n = 0;
	}
	v->next = q->head;
	q->head = v;
	q->n++;
	*out = v;
	return 0;
}

int cxm_text_questions_get(struct cxm_store *s, int64_t tenant, struct cxm_text_questions *q, int64_t survey,
			   int version, char *const **ids, size_t *n)
{
	struct version_questions *v = NULL;
	int ret = version_get(s, tenant, q, survey, version, &v);

	*ids = ret ? NULL : v->id;
	*n = ret ? 0 : v->n;
	return ret;
}

int cxm_text_parts_stored(struct cxm_store *s, int64_t tenant, struct cxm_text_questions *q, int64_t survey,
			  int version, const char *comment, const char *answers, struct cxm_text_parts *p)
{
	struct version_questions *v = NULL;
	char err[128];
	int ret;

	one_part(comment, p);
	if (!answers || !strcmp(answers, "{}"))
		return 0;
	if ((ret = version_get(s, tenant, q, survey, version, &v)))
		return ret;
	if (!v->n || !(p->answers = cxm_json_parse(answers, strlen(answers), err, sizeof(err))))
		return 0;
	for (size_t i = 0; i < v->n; i++) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(p->answers, v->id[i]);
		if (cJSON_IsString(a) && *a->valuestring)
			p->part[p->n++] = (struct cxm_text_part){ v->id[i], a->valuestring };
	}
	return 0;
}

void cxm_text_parts_release(struct cxm_text_parts *p)
{
	cJSON_Delete(p->answers);
	memset(p, 0, sizeof(*p));
}

/* ---- re-analysis ---- */

#define BATCH 500

struct batch {
	int64_t id[BATCH], survey[BATCH];
	int version[BATCH];
	char *comment[BATCH], *answers[BATCH];
	size_t n;
};

static int batch_cb(const struct cxm_response *r, void *ctx)
{
	struct batch *b = ctx;

	b->id[b->n] = r->id;
	b->survey[b->n] = r->survey_id;
	b->version[b->n] = r->version;
	b->comment[b->n] = r->comment ? xstrdup(r->comment) : NULL;
	b->answers[b->n++] = r->answers ? xstrdup(r->answers) : NULL;
	return 0;
}

static void batch_free(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->comment[i]);
		free(b->answers[i]);
	}
	b->n = 0;
}

/*
 * Analyses the responses of b with tax and model and stores each analysis
 * (cxm_store_response_set_text moves the rollups), freeing b's strings;
 * when changed_only, a response left without analysis is not written (it
 * had none). *done counts those written.
 */
static int batch_analyse(struct cxm_store *s, int64_t tenant, struct cxm_text_questions *q,
			 const struct cxm_taxonomy *tax, const struct cxm_text_model *model, struct batch *b,
			 bool changed_only, int64_t *done)
{
	struct cxm_text_stored *st = xmalloc(sizeof(*st));
	struct cxm_text_parts *p = xcalloc(1, sizeof(*p));
	int ret = 0;

	for (size_t i = 0; i < b->n; i++) {
		struct cxm_response r = { 0 };
		if (!ret)
			ret = cxm_text_parts_stored(s, tenant, q, b->survey[i], b->version[i], b->comment[i],
						    b->answers[i], p);
		if (!ret) {
			store_analyze(p, tax, model, st);
			if (st->present || !changed_only) {
				cxm_text_stored_apply(st, &r);
				ret = cxm_store_response_set_text(s, tenant, b->id[i], &r);
				(*done)++;
			}
		}
		cxm_text_parts_release(p);
		free(b->comment[i]);
		free(b->answers[i]);
	}
	free(p);
	free(st);
	return ret;
}

int cxm_text_reanalyze(struct cxm_store *s, int64_t tenant, const struct cxm_taxonomy *tax, int64_t *n)
{
	struct batch *b = xcalloc(1, sizeof(*b));
	struct cxm_text_questions *q = cxm_text_questions_new();
	struct cxm_model_ref *mref = NULL;
	int64_t after = INT64_MIN, done = 0;
	int own = !cxm_store_in_transaction(s), ret = own ? cxm_store_begin(s) : 0;

	/* the tenant's model, as on ingest: the same text scores the same */
	if (!ret)
		ret = cxm_text_model_get(s, tenant, &mref);
	while (!ret) {
		b->n = 0;
		if ((ret = cxm_store_response_texts(s, tenant, after, BATCH, batch_cb, b))) {
			batch_free(b);
			break;
		}
		ret = batch_analyse(s, tenant, q, tax, cxm_text_model_of(mref), b, false, &done);
		if (b->n < BATCH)
			break;
		after = b->id[b->n - 1];
	}
	if (mref)
		cxm_text_model_put(mref);
	if (own)
		ret = ret ? (cxm_store_rollback(s), ret) : cxm_store_commit(s);
	if (n)
		*n = done;
	cxm_text_questions_free(q);
	free(b);
	return ret;
}

int cxm_text_backfill(struct cxm_store *s, int64_t tenant, int64_t *after, int limit, size_t *read,
		      int64_t *analysed)
{
	struct batch *b = xcalloc(1, sizeof(*b));
	struct cxm_text_questions *q = cxm_text_questions_new();
	struct cxm_tax_ref *tref = NULL;
	struct cxm_model_ref *mref = NULL;
	int64_t done = 0, last = *after;
	size_t nread = 0;
	int own = !cxm_store_in_transaction(s), ret = own ? cxm_store_begin(s) : 0;

	*read = 0;
	if (limit < 1 || limit > BATCH)
		limit = BATCH;
	/* the tenant's taxonomy and model, as on ingest */
	if (!ret && !(ret = cxm_text_taxonomy_get(s, tenant, &tref)))
		ret = cxm_text_model_get(s, tenant, &mref);
	if (!ret)
		ret = cxm_store_response_texts_unanalysed(s, tenant, *after, limit, batch_cb, b);
	if (!ret)
		nread = b->n;
	if (nread)
		last = b->id[nread - 1];
	if (!ret)
		ret = batch_analyse(s, tenant, q, cxm_text_taxonomy_of(tref), cxm_text_model_of(mref), b, true, &done);
	else
		batch_free(b);
	if (mref)
		cxm_text_model_put(mref);
	if (tref)
		cxm_text_taxonomy_put(tref);
	if (own)
		ret = ret ? (cxm_store_rollback(s), ret) : cxm_store_commit(s);
	if (!ret) {
		/* the cursor moves only over what was committed */
		*after = last;
		*read = nread;
	}
	if (analysed)
		*analysed = ret ? 0 : done;
	cxm_text_questions_free(q);
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

int cxm_text_pii_masked(struct cxm_store *s, int64_t tenant, bool *mask)
{
	char *v = NULL;
	int ret = cxm_store_setting_get(s, tenant, CXM_TEXT_PII_SETTING, &v);

	*mask = !v || strcmp(v, "keep");
	free(v);
	return ret;
}
