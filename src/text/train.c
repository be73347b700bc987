/*
 * train.c - the tenant's learned text model (issue 6, docs/text.md
 * "Learning from the tenant's feedback"): training on the tenant's most
 * recent labelled comments, the saved blob and its counts, and the cache
 * of loaded models that cxm_text_analyze blends with the lexicon.
 */
#include "cxm/textstore.h"
#include "cxm/core.h"
#include "cxm/time.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

/* ---- reading the labelled texts ---- */

#define BATCH 1000

/* A labelled response read, waiting for its texts (no query runs inside
 * another: PostgreSQL streams rows). */
struct pending {
	int64_t survey;
	int version;
	char *comment, *answers;
	uint8_t label;
};

struct labelled {
	char *text[CXM_TEXT_TRAIN_MAX]; /* a ring: the most recent kept */
	uint8_t label[CXM_TEXT_TRAIN_MAX];
	size_t n, head; /* how many, where the oldest is when full */
	int64_t last;   /* the last id read */
	size_t read;    /* rows read in this batch */
	struct pending batch[BATCH];
	size_t nbatch;
};

static int labelled_row(const struct cxm_response *r, void *ctx)
{
	struct labelled *l = ctx;
	int label = r->nps >= 0 ? cxm_text_model_label(CXM_TEXT_MODEL_NPS, r->nps)
				: cxm_text_model_label(CXM_TEXT_MODEL_CSAT, r->csat);

	l->last = r->id;
	l->read++;
	if (label < 0)
		return 0;
	l->batch[l->nbatch++] = (struct pending){ r->survey_id, r->version, r->comment ? xstrdup(r->comment) : NULL,
						  r->answers ? xstrdup(r->answers) : NULL, (uint8_t)label };
	return 0;
}

/* Keeps text (owned) as the most recent example. */
static void keep(struct labelled *l, char *text, uint8_t label)
{
	size_t at;

	if (l->n < CXM_TEXT_TRAIN_MAX) {
		at = l->n++;
	} else {
		at = l->head;
		l->head = (l->head + 1) % CXM_TEXT_TRAIN_MAX;
		free(l->text[at]);
	}
	l->text[at] = text;
	l->label[at] = label;
}

/* The batch's responses' texts (docs/text.md "The response's text"), one
 * example each: the comment and the text answers, a line each. */
static int batch_texts(struct cxm_store *s, int64_t tenant, struct cxm_text_questions *q, struct labelled *l)
{
	struct cxm_text_parts *p = xcalloc(1, sizeof(*p));
	int ret = 0;

	for (size_t i = 0; i < l->nbatch; i++) {
		struct pending *b = &l->batch[i];
		if (!ret && !(ret = cxm_text_parts_stored(s, tenant, q, b->survey, b->version, b->comment, b->answers,
							     p)) &&
		    p->n) {
			struct cxm_buf buf;
			cxm_buf_init(&buf, 0);
			for (size_t k = 0; k < p->n; k++) {
				if (k)
					cxm_buf_addch(&buf, '\n');
				cxm_buf_addstr(&buf, p->part[k].text);
			}
			keep(l, cxm_buf_detach(&buf, NULL), b->label);
		}
		cxm_text_parts_release(p);
		free(b->comment);
		free(b->answers);
	}
	l->nbatch = 0;
	free(p);
	return ret;
}

/* ---- the cache of loaded models ---- */

struct cxm_model_ref {
	int64_t tenant;
	int64_t trained_at;           /* of the row it was loaded from; 0: none */
	struct cxm_text_model *model; /* NULL: the tenant has none */
	int refs;                     /* the cache's and each holder's */
};

#define CACHE_SLOTS 256
static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct cxm_model_ref *cache[CACHE_SLOTS];

static size_t slot_of(int64_t tenant)
{
	/* ids are time-ordered: mix them so tenants spread over the slots */
	return (size_t)(((uint64_t)tenant * 0x9E3779B97F4A7C15ull) >> 56) % CACHE_SLOTS;
}

static void ref_drop(struct cxm_model_ref *ref)
{
	/* under cache_mu */
	if (ref && !--ref->refs) {
		cxm_text_model_free(ref->model);
		free(ref);
	}
}

/* Puts model (owned, may be NULL), loaded from the row of trained_at, in
 * the tenant's slot; *out gets a held reference. */
static void cache_set(int64_t tenant, int64_t trained_at, struct cxm_text_model *model, struct cxm_model_ref **out)
{
	struct cxm_model_ref *ref = xcalloc(1, sizeof(*ref));
	size_t slot = slot_of(tenant);

	ref->tenant = tenant;
	ref->trained_at = trained_at;
	ref->model = model;
	ref->refs = 2;
	pthread_mutex_lock(&cache_mu);
	ref_drop(cache[slot]);
	cache[slot] = ref;
	pthread_mutex_unlock(&cache_mu);
	*out = ref;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The model of a hex blob, or NULL for anything unreadable. */
static struct cxm_text_model *blob_model(const char *hex)
{
	size_t len = hex ? strlen(hex) : 0;
	struct cxm_text_model *m = NULL;
	unsigned char *b;

	if (!len || len % 2 || len / 2 > CXM_TEXT_MODEL_MAX_BLOB)
		return NULL;
	b = xmalloc(len / 2);
	for (size_t i = 0; i < len / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			goto out;
		b[i] = (unsigned char)(hi << 4 | lo);
	}
	if (cxm_text_model_load(b, len / 2, &m))
		m = NULL;
out:
	free(b);
	return m;
}

int cxm_text_model_get(struct cxm_store *s, int64_t tenant, struct cxm_model_ref **out)
{
	size_t slot = slot_of(tenant);
	struct cxm_text_model_row row;
	int64_t at;
	bool found;
	int ret;

	*out = NULL;
	/* one small read: a training here or on another node shows as a new
	 * trained_at, and the next analysis loads the new model */
	if ((ret = cxm_store_text_model_trained_at(s, tenant, &at)))
		return ret;
	pthread_mutex_lock(&cache_mu);
	if (cache[slot] && cache[slot]->tenant == tenant && cache[slot]->trained_at == at) {
		cache[slot]->refs++;
		*out = cache[slot];
	}
	pthread_mutex_unlock(&cache_mu);
	if (*out)
		return 0;
	/* loaded outside the lock: another thread may do the same, the last
	 * one in keeps the slot */
	if ((ret = cxm_store_text_model_get(s, tenant, &row, &found)))
		return ret;
	cache_set(tenant, found ? row.trained_at : 0, found ? blob_model(row.blob) : NULL, out);
	cxm_text_model_row_free(&row);
	return 0;
}

const struct cxm_text_model *cxm_text_model_of(const struct cxm_model_ref *ref)
{
	return ref ? ref->model : NULL;
}

void cxm_text_model_put(struct cxm_model_ref *ref)
{
	pthread_mutex_lock(&cache_mu);
	ref_drop(ref);
	pthread_mutex_unlock(&cache_mu);
}

/* ---- training ---- */

static int64_t millionths(double v)
{
	return isfinite(v) ? (int64_t)llround(v * 1e6) : 0;
}

/* ---- one training at a time ---- */

/*
 * A tenant's training is claimed by whoever starts it (a request, the
 * retraining loop), so a second request for the same tenant is refused
 * rather than fitting the same data twice, and the loop leaves a tenant
 * alone while anyone trains it; a request that comes while the loop fits
 * the tenant waits for that fit to be saved and then fits the latest data
 * (an admin who asked gets a model, and an older fit never overwrites a
 * newer one). At most CXM_TEXT_FITS_MAX fits run at once over all
 * tenants, so fits never take every core from the requests.
 */
struct claim {
	int64_t tenant;
	bool request;
};
static pthread_mutex_t fit_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fit_cv = PTHREAD_COND_INITIALIZER;   /* a fit slot freed */
static pthread_cond_t claim_cv = PTHREAD_COND_INITIALIZER; /* a claim ended */
static struct claim *claimed;                              /* in no order */
static size_t nclaimed, claimed_cap;
static unsigned fits_running;
static uint64_t fits_waited;

bool cxm_text_train_claim(int64_t tenant, bool request)
{
	bool ok = true;

	pthread_mutex_lock(&fit_mu);
	for (size_t i = 0; i < nclaimed && ok; i++)
		ok = claimed[i].tenant != tenant || (request && !claimed[i].request);
	if (ok) {
		if (nclaimed == claimed_cap) {
			claimed_cap = claimed_cap ? 2 * claimed_cap : 8;
			claimed = xrealloc(claimed, claimed_cap * sizeof(*claimed));
		}
		claimed[nclaimed++] = (struct claim){ tenant, request };
	}
	pthread_mutex_unlock(&fit_mu);
	return ok;
}

void cxm_text_train_unclaim(int64_t tenant, bool request)
{
	pthread_mutex_lock(&fit_mu);
	for (size_t i = 0; i < nclaimed; i++)
		if (claimed[i].tenant == tenant && claimed[i].request == request) {
			claimed[i] = claimed[--nclaimed];
			break;
		}
	if (!nclaimed) {
		free(claimed);
		claimed = NULL;
		claimed_cap = 0;
	}
	pthread_cond_broadcast(&claim_cv);
	pthread_mutex_unlock(&fit_mu);
}

void cxm_text_train_wait(int64_t tenant)
{
	pthread_mutex_lock(&fit_mu);
	for (;;) {
		bool busy = false;
		for (size_t i = 0; i < nclaimed && !busy; i++)
			busy = claimed[i].tenant == tenant && !claimed[i].request;
		if (!busy)
			break;
		pthread_cond_wait(&claim_cv, &fit_mu);
	}
	pthread_mutex_unlock(&fit_mu);
}

void cxm_text_train_counts(unsigned *running, uint64_t *waited)
{
	pthread_mutex_lock(&fit_mu);
	*running = fits_running;
	*waited = fits_waited;
	pthread_mutex_unlock(&fit_mu);
}

void cxm_text_fit_slot_take(void)
{
	pthread_mutex_lock(&fit_mu);
	if (fits_running >= CXM_TEXT_FITS_MAX)
		fits_waited++;
	while (fits_running >= CXM_TEXT_FITS_MAX)
		pthread_cond_wait(&fit_cv, &fit_mu);
	fits_running++;
	pthread_mutex_unlock(&fit_mu);
}

void cxm_text_fit_slot_give(void)
{
	pthread_mutex_lock(&fit_mu);
	fits_running--;
	pthread_cond_signal(&fit_cv);
	pthread_mutex_unlock(&fit_mu);
}

int cxm_text_train_fit(struct cxm_store *s, int64_t tenant, struct cxm_text_fit *fit)
{
	struct labelled *l = xcalloc(1, sizeof(*l));
	struct cxm_text_model_doc *docs = NULL;
	struct cxm_stemmers *stem = cxm_stemmers_new();
	struct cxm_text_model *m = NULL;
	struct cxm_text_train_result *res = &fit->res;
	struct cxm_text_model_row *row = &fit->row;
	struct cxm_text_questions *q = cxm_text_questions_new();
	struct cxm_arena a;
	size_t nd = 0;
	int ret;

	memset(fit, 0, sizeof(*fit));
	cxm_arena_init(&a, 0);
	l->last = INT64_MIN;
	do {
		l->read = 0;
		if ((ret = cxm_store_response_texts(s, tenant, l->last, BATCH, labelled_row, l)) ||
		    (ret = batch_texts(s, tenant, q, l)))
			goto out;
	} while (l->read == BATCH);
	docs = xcalloc(l->n ? l->n : 1, sizeof(*docs));
	for (size_t k = 0; k < l->n; k++) {
		size_t i = (l->head + k) % l->n;
		struct cxm_text *t = cxm_arena_alloc(&a, sizeof(*t));
		struct cxm_sentiment sent;
		char why[200];

		if (cxm_text_tokenize(&a, l->text[i], strlen(l->text[i]), t, why, sizeof(why)) || !t->ntok)
			continue;
		docs[nd].text = t;
		docs[nd].lang = cxm_text_language(t, NULL);
		docs[nd].label = l->label[i];
		cxm_sentiment_score(&a, stem, t, docs[nd].lang, &sent);
		docs[nd].lexicon = sent.text.compound;
		nd++;
	}
	struct cxm_text_model_opts opts = { .seed = (uint64_t)tenant };
	int tr = cxm_text_model_train(docs, nd, stem, &opts, &m, &res->stats);
	if (tr && tr != CXM_EINVAL) {
		ret = tr;
		goto out;
	}
	res->trained = !tr;
	res->trained_at = cxm_now_us();
	row->trained_at = res->trained_at;
	/* the counts as the retraining loop sees them (every labelled
	 * response with text, also those beyond the most recent or without
	 * words) */
	if ((ret = cxm_store_text_labelled_counts(s, tenant, &row->npos, &row->nneg)))
		goto out;
	row->labelled = row->npos + row->nneg;
	res->labelled = row->labelled;
	res->npos = row->npos;
	res->nneg = row->nneg;
	if (m) {
		struct cxm_buf b;
		size_t len;
		char *raw;

		row->cv_accuracy = millionths(res->stats.cv_accuracy);
		row->auc = millionths(res->stats.cv_auc);
		row->weight = millionths(res->stats.blend_weight);
		cxm_buf_init(&b, 0);
		if ((ret = cxm_text_model_save(m, &b)))
			goto out;
		raw = cxm_buf_detach(&b, &len);
		row->blob = xmalloc(2 * len + 1);
		for (size_t i = 0; i < len; i++)
			snprintf(row->blob + 2 * i, 3, "%02x", (unsigned char)raw[i]);
		row->blob[2 * len] = 0;
		free(raw);
	}
out:
	if (ret)
		cxm_text_fit_release(fit);
	cxm_text_model_free(m);
	free(docs);
	for (size_t i = 0; i < l->n; i++)
		free(l->text[i]);
	for (size_t i = 0; i < l->nbatch; i++) {
		free(l->batch[i].comment);
		free(l->batch[i].answers);
	}
	free(l);
	cxm_text_questions_free(q);
	cxm_arena_release(&a);
	cxm_stemmers_free(stem);
	return ret;
}

int cxm_text_train_save(struct cxm_store *s, int64_t tenant, const struct cxm_text_fit *fit)
{
	/* the caches see the new trained_at and load the model once committed */
	return cxm_store_text_model_put(s, tenant, &fit->row);
}

void cxm_text_fit_release(struct cxm_text_fit *fit)
{
	cxm_text_model_row_free(&fit->row);
	memset(fit, 0, sizeof(*fit));
}

int cxm_text_train_tenant(struct cxm_store *s, int64_t tenant, struct cxm_text_train_result *res)
{
	struct cxm_text_fit fit;
	int ret;

	cxm_text_fit_slot_take();
	ret = cxm_text_train_fit(s, tenant, &fit);
	cxm_text_fit_slot_give();
	if (!ret)
		ret = cxm_text_train_save(s, tenant, &fit);
	*res = fit.res;
	cxm_text_fit_release(&fit);
	return ret;
}

/* ---- retraining ---- */

static size_t less(int64_t now, int64_t seen, uint32_t trained)
{
	/* the comments added since, plus those the model was trained on */
	int64_t v = now - (seen - (int64_t)trained);
	return v > 0 ? (size_t)v : 0;
}

int cxm_text_model_due(struct cxm_store *s, int64_t tenant, bool *due)
{
	struct cxm_text_model_row row;
	struct cxm_model_ref *ref = NULL;
	int64_t npos, nneg;
	bool found;
	int ret;

	*due = false;
	if ((ret = cxm_store_text_labelled_counts(s, tenant, &npos, &nneg)))
		return ret;
	if ((ret = cxm_store_text_model_get(s, tenant, &row, &found)))
		return ret;
	if (!(ret = cxm_text_model_get(s, tenant, &ref))) {
		const struct cxm_text_model *m = row.blob ? cxm_text_model_of(ref) : NULL;
		if (!m) {
			*due = cxm_text_model_should_retrain(NULL, (size_t)npos, (size_t)nneg, 0) &&
			       (!found || npos != row.npos || nneg != row.nneg);
		} else {
			const struct cxm_text_model_stats *st = cxm_text_model_stats(m);
			*due = cxm_text_model_should_retrain(m, less(npos, row.npos, st->npos),
							     less(nneg, row.nneg, st->nneg),
							     cxm_now_us() - row.trained_at);
		}
		cxm_text_model_put(ref);
	}
	cxm_text_model_row_free(&row);
	return ret;
}
