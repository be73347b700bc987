/*
 * model.c - a per-tenant text model learned from the tenant's own scored
 * comments: hashed features (word keys, Snowball stems, bigrams, words in a
 * negation's scope, the language), L2-regularised logistic regression by
 * SGD, k-fold cross-validation against the lexicon, the blend with the
 * lexicon's compound, the features that explain it, and a versioned binary
 * blob to keep it. Rules and formulas: docs/text.md ("Learning from the
 * tenant's feedback").
 */
#include "cxm/core.h"
#include "cxm/text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NBUCKETS (1u << CXM_TEXT_MODEL_BITS)
#define DEFAULT_EPOCHS 10
#define DEFAULT_LAMBDA 1e-4
#define DEFAULT_FOLDS 5
#define ETA0 0.5
/* words after a negator that are marked NOT_ (a comma, a contrast word or
 * the end of the sentence ends the scope sooner) */
#define NEG_SCOPE 4
/* n at which the size factor of the blend weight is one half */
#define BLEND_HALF_N 500.0
#define DAY_US (86400LL * 1000000LL)

#define BLOB_MAGIC "CXTM"
#define BLOB_VERSION 1

struct cxm_text_model {
	struct cxm_text_model_stats stats;
	double bias;
	uint32_t *idx; /* sorted bucket numbers of the non-zero weights */
	float *w;
	struct cxm_text_model_feature top[2][CXM_TEXT_MODEL_EXPLAIN]; /* [0] detractor-like, [1] promoter-like */
	size_t ntop[2];
};

/* ---- features ------------------------------------------------------------- */

/* kinds of feature, hashed with the text so that "tardo" the word and
 * "tardo" the stem are different features */
enum { F_LANG = 'l', F_WORD = 'w', F_STEM_ES = 'e', F_STEM_EN = 'n', F_BIGRAM = 'b' };

static const char *const negators[] = {
	"no", "nunca", "jamas", "ni", "sin", "tampoco", "nada", "nadie", "ningun", "ninguna", "ninguno",
	"not", "never", "neither", "nor", "without", "cannot", "nobody", "none",
};
static const char *const contrasts[] = { "pero", "aunque", "sino", "but", "although", "though", "however" };

static bool listed(const char *const *list, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], key))
			return true;
	return false;
}

static bool is_negator(const char *key)
{
	size_t len = strlen(key);
	return listed(negators, ARRAY_SIZE(negators), key) || (len > 3 && !strcmp(key + len - 3, "n't"));
}

/* The feature texts seen while training, by bucket: the first text to
 * land in a bucket names it. */
struct names {
	char **text; /* NBUCKETS entries */
	struct cxm_arena arena;
};

struct feats {
	uint32_t *idx;
	size_t n, cap;
};

static uint64_t fnv_bytes(uint64_t h, const char *s)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* FNV-1a over kind, the negation mark and the text (two keys for a
 * bigram), folded to CXM_TEXT_MODEL_BITS: stable across builds and
 * machines, so a saved model reads the same features. */
static uint32_t bucket(int kind, bool neg, const char *a, const char *b)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	h = (h ^ (unsigned char)kind) * 0x100000001b3ULL;
	h = (h ^ (neg ? 1u : 0u)) * 0x100000001b3ULL;
	h = fnv_bytes(h, a);
	if (b) {
		h = (h ^ 0x1f) * 0x100000001b3ULL;
		h = fnv_bytes(h, b);
	}
	return (uint32_t)(h ^ (h >> 32)) & (NBUCKETS - 1);
}

static void name(struct names *nm, uint32_t j, int kind, bool neg, const char *a, const char *b)
{
	char buf[CXM_TEXT_MODEL_FEATURE_MAX];
	int k;

	if (nm->text[j])
		return;
	if (kind == F_LANG)
		k = snprintf(buf, sizeof(buf), "lang:%s", a);
	else if (kind == F_BIGRAM)
		k = snprintf(buf, sizeof(buf), "%s %s", a, b);
	else
		k = snprintf(buf, sizeof(buf), "%s%s%s", neg ? "NOT_" : "", a,
			     kind == F_STEM_ES || kind == F_STEM_EN ? "*" : "");
	/* a text too long to show leaves the bucket unnamed: it cannot be listed */
	if (k > 0 && (size_t)k < sizeof(buf))
		nm->text[j] = cxm_arena_strdup(&nm->arena, buf);
}

static void add(struct feats *f, struct names *nm, int kind, bool neg, const char *a, const char *b)
{
	uint32_t j = bucket(kind, neg, a, b);

	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 256;
		f->idx = xrealloc(f->idx, f->cap * sizeof(*f->idx));
	}
	f->idx[f->n++] = j;
	if (nm)
		name(nm, j, kind, neg, a, b);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static bool is_term(const struct cxm_token *k)
{
	return k->kind == CXM_TOK_WORD || k->kind == CXM_TOK_EMOJI || k->kind == CXM_TOK_EMOTICON ||
	       k->kind == CXM_TOK_HASHTAG;
}

/*
 * The distinct features of a text into f (sorted, each once: binary
 * features). Names them into nm when it is not NULL.
 */
static void extract(const struct cxm_text *t, enum cxm_lang lang, struct cxm_stemmers *s, struct feats *f,
		    struct names *nm)
{
	const char *prev = NULL;
	int scope = 0;
	size_t sentence = 0;

	f->n = 0;
	add(f, nm, F_LANG, false, cxm_lang_code(lang), NULL);
	for (size_t i = 0; i < t->ntok; i++) {
		const struct cxm_token *k = &t->tok[i];
		bool word = k->kind == CXM_TOK_WORD, neg;

		if (k->sentence != sentence) {
			sentence = k->sentence;
			prev = NULL;
			scope = 0;
		}
		if (!is_term(k)) {
			/* numbers, prices, links, addresses and marks break bigrams;
			 * a mark ends a negation's scope */
			prev = NULL;
			if (k->kind == CXM_TOK_PUNCT)
				scope = 0;
			continue;
		}
		if (word && listed(contrasts, ARRAY_SIZE(contrasts), k->key))
			scope = 0;
		neg = word && scope > 0;
		add(f, nm, F_WORD, neg, k->key, NULL);
		if (word && lang != CXM_LANG_OTHER)
			add(f, nm, lang == CXM_LANG_ES ? F_STEM_ES : F_STEM_EN, neg, cxm_stem(s, lang, k->key), NULL);
		if (prev)
			add(f, nm, F_BIGRAM, false, prev, k->key);
		prev = k->key;
		if (word && is_negator(k->key))
			scope = NEG_SCOPE;
		else if (word && scope > 0)
			scope--;
	}
	qsort(f->idx, f->n, sizeof(*f->idx), cmp_u32);
	size_t o = 0;
	for (size_t i = 0; i < f->n; i++)
		if (!o || f->idx[o - 1] != f->idx[i])
			f->idx[o++] = f->idx[i];
	f->n = o;
}

/* ---- training ------------------------------------------------------------- */

/* The training set as sparse rows: row r holds idx[off[r]..off[r+1]), each
 * feature with the value val[r] = 1 / sqrt(its count), so every row has
 * length 1 and one step size suits short and long comments. */
struct dataset {
	size_t n;
	size_t *off;
	uint32_t *idx;
	double *val;
	uint8_t *y;
};

static uint64_t splitmix(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void shuffle(size_t *v, size_t n, uint64_t *rng)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(splitmix(rng) % i), x = v[i - 1];
		v[i - 1] = v[j];
		v[j] = x;
	}
}

static double sigmoid(double z)
{
	if (z >= 0)
		return 1 / (1 + exp(-z));
	double e = exp(z);
	return e / (1 + e);
}

static double dot(const struct dataset *d, size_t r, const double *w)
{
	double z = 0;
	for (size_t k = d->off[r]; k < d->off[r + 1]; k++)
		z += w[d->idx[k]];
	return z * d->val[r];
}

/*
 * Logistic regression on rows[0..nrows) of d by SGD: each epoch visits the
 * rows in a fresh shuffled order; step eta_t = ETA0 / (1 + ETA0 lambda t)
 * (Bottou's schedule); the L2 shrink is kept as a scale on the weights so
 * each step touches only the row's features. The bias is not shrunk.
 * w (NBUCKETS) gets the weights.
 */
static void sgd(const struct dataset *d, const size_t *rows, size_t nrows, unsigned epochs, double lambda,
		uint64_t seed, double *w, double *bias)
{
	size_t *order = xmalloc(nrows * sizeof(*order));
	uint64_t rng = seed;
	double scale = 1, b = 0;
	size_t t = 0;

	memcpy(order, rows, nrows * sizeof(*order));
	memset(w, 0, NBUCKETS * sizeof(*w));
	for (unsigned e = 0; e < epochs; e++) {
		shuffle(order, nrows, &rng);
		for (size_t i = 0; i < nrows; i++, t++) {
			size_t r = order[i];
			double eta = ETA0 / (1 + ETA0 * lambda * (double)t);
			double g = sigmoid(scale * dot(d, r, w) + b) - d->y[r];

			scale *= 1 - eta * lambda;
			if (scale < 1e-9) {
				for (size_t j = 0; j < NBUCKETS; j++)
					w[j] *= scale;
				scale = 1;
			}
			double step = eta * g * d->val[r] / scale;
			for (size_t k = d->off[r]; k < d->off[r + 1]; k++)
				w[d->idx[k]] -= step;
			b -= eta * g;
		}
	}
	for (size_t j = 0; j < NBUCKETS; j++)
		w[j] *= scale;
	*bias = b;
	free(order);
}

struct scored {
	double p;
	uint8_t y;
};

static int cmp_scored(const void *a, const void *b)
{
	double x = ((const struct scored *)a)->p, y = ((const struct scored *)b)->p;
	return (x > y) - (x < y);
}

/* ROC AUC by the rank-sum (Mann-Whitney) statistic, ties sharing ranks. */
static double auc(struct scored *s, size_t n, size_t npos, size_t nneg)
{
	double ranks = 0;

	qsort(s, n, sizeof(*s), cmp_scored);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && s[j].p == s[i].p)
			j++;
		double rank = (double)(i + 1 + j) / 2; /* mean of ranks i+1..j */
		for (size_t k = i; k < j; k++)
			if (s[k].y)
				ranks += rank;
		i = j;
	}
	return (ranks - (double)npos * (double)(npos + 1) / 2) / ((double)npos * (double)nneg);
}

/* The lexicon's vote: right when its sign agrees with the label, half right
 * when it says nothing (0). */
static double lexicon_credit(double compound, uint8_t y)
{
	if (compound == 0 || isnan(compound))
		return 0.5;
	return (compound > 0) == (y == 1);
}

/*
 * w = MAX_BLEND * skill * size, skill = 2 * cv_accuracy - 1 (0 at chance,
 * 1 when always right), size = n / (n + BLEND_HALF_N); 0 when the model
 * is not more accurate than the lexicon on the same comments.
 */
static double blend_weight(const struct cxm_text_model_stats *st)
{
	if (!(st->cv_accuracy > st->lexicon_accuracy))
		return 0;
	double skill = fmax(0, 2 * st->cv_accuracy - 1), size = st->n / (st->n + BLEND_HALF_N);
	return CXM_TEXT_MODEL_MAX_BLEND * skill * size;
}

struct ranked {
	uint32_t j;
	double w;
};

static int cmp_ranked_abs(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	double ax = fabs(x->w), ay = fabs(y->w);
	if (ax != ay)
		return ax < ay ? 1 : -1;
	return (x->j > y->j) - (x->j < y->j); /* a total order: deterministic */
}

static int cmp_ranked_j(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	return (x->j > y->j) - (x->j < y->j);
}

/* How readable a feature's text is, for choosing among features that always
 * came together: a word, then a bigram, then a stem. */
static int readability(const char *text)
{
	return strchr(text, '*') ? 2 : strchr(text, ' ') ? 1 : 0;
}

struct named {
	const char *text;
	double w;
};

static int cmp_named(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	double ax = fabs(x->w), ay = fabs(y->w);
	if (ax != ay)
		return ax < ay ? 1 : -1;
	int rx = readability(x->text), ry = readability(y->text);
	if (rx != ry)
		return rx - ry;
	return strcmp(x->text, y->text);
}

/*
 * The strongest named features of each sign. Features that occurred in
 * exactly the same comments ("tardo" and its stem "tard*") end with the
 * same weight; only the most readable of them is listed.
 */
static void explain(struct cxm_text_model *m, const struct ranked *r, size_t n, const struct names *nm)
{
	struct named *c = xmalloc((n ? n : 1) * sizeof(*c));
	size_t nc = 0;

	for (size_t i = 0; i < n; i++)
		if (nm->text[r[i].j])
			c[nc++] = (struct named){ nm->text[r[i].j], (float)r[i].w }; /* as saved */
	qsort(c, nc, sizeof(*c), cmp_named);
	for (size_t i = 0; i < nc; i++) {
		int side = c[i].w > 0;
		size_t k = m->ntop[side];
		if (k == CXM_TEXT_MODEL_EXPLAIN || (k && m->top[side][k - 1].weight == c[i].w))
			continue;
		cxm_strlcpy(m->top[side][k].text, c[i].text, sizeof(m->top[side][k].text));
		m->top[side][k].weight = c[i].w;
		m->ntop[side]++;
	}
	free(c);
}

/* Keeps the largest weights (sparse) and the named strongest of each sign. */
static void keep(struct cxm_text_model *m, const double *w, const struct names *nm)
{
	struct ranked *r = xmalloc(NBUCKETS * sizeof(*r));
	size_t n = 0;

	for (uint32_t j = 0; j < NBUCKETS; j++)
		if (fabs(w[j]) > 1e-7)
			r[n++] = (struct ranked){ j, w[j] };
	qsort(r, n, sizeof(*r), cmp_ranked_abs);
	explain(m, r, n, nm);
	if (n > CXM_TEXT_MODEL_MAX_FEATURES)
		n = CXM_TEXT_MODEL_MAX_FEATURES;
	qsort(r, n, sizeof(*r), cmp_ranked_j);
	m->idx = xmalloc((n ? n : 1) * sizeof(*m->idx));
	m->w = xmalloc((n ? n : 1) * sizeof(*m->w));
	for (size_t i = 0; i < n; i++) {
		m->idx[i] = r[i].j;
		m->w[i] = (float)r[i].w;
	}
	m->stats.nfeatures = (uint32_t)n;
	free(r);
}

int cxm_text_model_label(enum cxm_text_model_scale scale, int score)
{
	if (scale == CXM_TEXT_MODEL_NPS) {
		if (score < 0 || score > 10)
			return -1;
		return score >= 9 ? 1 : score <= 6 ? 0 : -1;
	}
	if (score < 1 || score > 5)
		return -1;
	return score >= 4 ? 1 : score <= 2 ? 0 : -1;
}

int cxm_text_model_train(const struct cxm_text_model_doc *docs, size_t n, struct cxm_stemmers *s,
			 const struct cxm_text_model_opts *opts, struct cxm_text_model **out,
			 struct cxm_text_model_stats *stats)
{
	struct cxm_text_model_stats st = { 0 };
	struct dataset d = { 0 };
	struct names nm = { 0 };
	struct feats f = { 0 };
	struct scored *sc = NULL;
	size_t *pos = NULL, *neg = NULL, *fold = NULL, *rows = NULL;
	double *w = NULL, bias, lex = 0;
	unsigned epochs = opts && opts->epochs ? opts->epochs : DEFAULT_EPOCHS;
	unsigned k = opts && opts->folds ? opts->folds : DEFAULT_FOLDS;
	double lambda = opts && opts->lambda > 0 ? opts->lambda : DEFAULT_LAMBDA;
	uint64_t seed = opts ? opts->seed : 0, rng = seed;
	int ret = CXM_EINVAL;

	*out = NULL;
	if (k < 2)
		k = 2;
	if (k > 10)
		k = 10;
	for (size_t i = 0; i < n; i++)
		docs[i].label ? st.npos++ : st.nneg++;
	st.n = st.npos + st.nneg;
	st.folds = k;
	if (n > UINT32_MAX || st.n < CXM_TEXT_MODEL_MIN_DOCS || st.npos < CXM_TEXT_MODEL_MIN_PER_CLASS ||
	    st.nneg < CXM_TEXT_MODEL_MIN_PER_CLASS)
		goto out;

	/* features of every comment, named for explaining */
	nm.text = xcalloc(NBUCKETS, sizeof(*nm.text));
	cxm_arena_init(&nm.arena, 1 << 16);
	d.n = n;
	d.off = xmalloc((n + 1) * sizeof(*d.off));
	d.val = xmalloc(n * sizeof(*d.val));
	d.y = xmalloc(n * sizeof(*d.y));
	size_t cap = 0;
	d.off[0] = 0;
	for (size_t i = 0; i < n; i++) {
		extract(docs[i].text, docs[i].lang, s, &f, &nm);
		if (d.off[i] + f.n > cap) {
			cap = 2 * (d.off[i] + f.n);
			d.idx = xrealloc(d.idx, cap * sizeof(*d.idx));
		}
		memcpy(d.idx + d.off[i], f.idx, f.n * sizeof(*f.idx));
		d.off[i + 1] = d.off[i] + f.n;
		d.val[i] = 1 / sqrt((double)f.n); /* f.n >= 1: the language */
		d.y[i] = docs[i].label ? 1 : 0;
		lex += lexicon_credit(docs[i].lexicon, d.y[i]);
	}

	/* stratified folds: each label shuffled and dealt round the folds */
	pos = xmalloc(st.npos * sizeof(*pos));
	neg = xmalloc(st.nneg * sizeof(*neg));
	fold = xmalloc(n * sizeof(*fold));
	rows = xmalloc(n * sizeof(*rows));
	size_t np = 0, nn = 0;
	for (size_t i = 0; i < n; i++)
		d.y[i] ? (pos[np++] = i) : (neg[nn++] = i);
	shuffle(pos, np, &rng);
	shuffle(neg, nn, &rng);
	for (size_t i = 0; i < np; i++)
		fold[pos[i]] = i % k;
	for (size_t i = 0; i < nn; i++)
		fold[neg[i]] = (np + i) % k;

	w = xmalloc(NBUCKETS * sizeof(*w));
	sc = xmalloc(n * sizeof(*sc));
	size_t right = 0;
	for (unsigned q = 0; q < k; q++) {
		size_t nrows = 0;
		for (size_t i = 0; i < n; i++)
			if (fold[i] != q)
				rows[nrows++] = i;
		sgd(&d, rows, nrows, epochs, lambda, splitmix(&rng), w, &bias);
		for (size_t i = 0; i < n; i++) {
			if (fold[i] != q)
				continue;
			double p = sigmoid(dot(&d, i, w) + bias);
			sc[i] = (struct scored){ p, d.y[i] };
			right += (p >= 0.5) == (d.y[i] == 1);
		}
	}
	st.cv_accuracy = (double)right / (double)n;
	st.cv_auc = auc(sc, n, st.npos, st.nneg);
	st.lexicon_accuracy = lex / (double)n;
	st.blend_weight = blend_weight(&st);

	/* the model itself, on every comment */
	for (size_t i = 0; i < n; i++)
		rows[i] = i;
	sgd(&d, rows, n, epochs, lambda, splitmix(&rng), w, &bias);
	struct cxm_text_model *m = xcalloc(1, sizeof(*m));
	m->stats = st;
	m->bias = bias;
	keep(m, w, &nm);
	st = m->stats;
	*out = m;
	ret = 0;
out:
	if (stats)
		*stats = st;
	free(f.idx);
	free(d.off);
	free(d.idx);
	free(d.val);
	free(d.y);
	free(nm.text);
	if (nm.text)
		cxm_arena_release(&nm.arena);
	free(pos);
	free(neg);
	free(fold);
	free(rows);
	free(w);
	free(sc);
	return ret;
}

void cxm_text_model_free(struct cxm_text_model *m)
{
	if (!m)
		return;
	free(m->idx);
	free(m->w);
	free(m);
}

const struct cxm_text_model_stats *cxm_text_model_stats(const struct cxm_text_model *m)
{
	return &m->stats;
}

/* ---- using it ------------------------------------------------------------- */

static double weight_of(const struct cxm_text_model *m, uint32_t j)
{
	size_t lo = 0, hi = m->stats.nfeatures;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->idx[mid] < j)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->stats.nfeatures && m->idx[lo] == j ? m->w[lo] : 0;
}

double cxm_text_model_predict(const struct cxm_text_model *m, const struct cxm_text *t, enum cxm_lang lang,
			      struct cxm_stemmers *s)
{
	struct feats f = { 0 };
	double z = 0;

	extract(t, lang, s, &f, NULL);
	for (size_t i = 0; i < f.n; i++)
		z += weight_of(m, f.idx[i]);
	z = m->bias + z / sqrt((double)f.n);
	free(f.idx);
	return sigmoid(z);
}

double cxm_text_model_blend(const struct cxm_text_model *m, double lexicon, double p)
{
	if (!m)
		return lexicon;
	double w = m->stats.blend_weight, c = (1 - w) * lexicon + w * (2 * p - 1);
	return c > 1 ? 1 : c < -1 ? -1 : c;
}

const struct cxm_text_model_feature *cxm_text_model_explain(const struct cxm_text_model *m, bool positive,
							     size_t *n)
{
	*n = m->ntop[positive];
	return m->top[positive];
}

bool cxm_text_model_should_retrain(const struct cxm_text_model *m, size_t npos, size_t nneg, int64_t age_us)
{
	size_t now = npos + nneg;

	if (!m)
		return now >= CXM_TEXT_MODEL_MIN_DOCS && npos >= CXM_TEXT_MODEL_MIN_PER_CLASS &&
		       nneg >= CXM_TEXT_MODEL_MIN_PER_CLASS;
	size_t was = m->stats.n;
	if (now >= was + (was + 9) / 10)
		return true;
	return age_us >= DAY_US && now > was;
}

/* ---- the blob ------------------------------------------------------------- */

/*
 * Little-endian: "CXTM", version u8, bits u8, two zero bytes; n, npos,
 * nneg, folds, nfeatures as u32; cv_accuracy, cv_auc, lexicon_accuracy,
 * blend_weight, bias as f64; each weight as its bucket's distance from the
 * previous one (the first from 0) in a LEB128 varint and the weight as
 * f32; then per side (detractor-like, promoter-like) a u8 count and each
 * feature as a u8 length, its text and an f32 weight; last a u32 FNV-1a of
 * every byte before it.
 */

static int put(struct cxm_buf *b, const void *p, size_t n)
{
	return cxm_buf_add(b, p, n);
}

static int put_u32(struct cxm_buf *b, uint32_t v)
{
	unsigned char c[4] = { (unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			       (unsigned char)(v >> 24) };
	return put(b, c, 4);
}

static int put_f64(struct cxm_buf *b, double d)
{
	uint64_t v;
	unsigned char c[8];
	memcpy(&v, &d, 8);
	for (int i = 0; i < 8; i++)
		c[i] = (unsigned char)(v >> (8 * i));
	return put(b, c, 8);
}

static int put_f32(struct cxm_buf *b, float f)
{
	uint32_t v;
	memcpy(&v, &f, 4);
	return put_u32(b, v);
}

static uint32_t fnv32(const unsigned char *p, size_t n)
{
	uint32_t h = 0x811c9dc5u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x01000193u;
	return h;
}

int cxm_text_model_save(const struct cxm_text_model *m, struct cxm_buf *out)
{
	const struct cxm_text_model_stats *st = &m->stats;
	size_t start = out->len;
	unsigned char head[8] = { 'C', 'X', 'T', 'M', BLOB_VERSION, CXM_TEXT_MODEL_BITS, 0, 0 };
	int ret = put(out, head, sizeof(head));

	ret = ret ? ret : put_u32(out, st->n);
	ret = ret ? ret : put_u32(out, st->npos);
	ret = ret ? ret : put_u32(out, st->nneg);
	ret = ret ? ret : put_u32(out, st->folds);
	ret = ret ? ret : put_u32(out, st->nfeatures);
	ret = ret ? ret : put_f64(out, st->cv_accuracy);
	ret = ret ? ret : put_f64(out, st->cv_auc);
	ret = ret ? ret : put_f64(out, st->lexicon_accuracy);
	ret = ret ? ret : put_f64(out, st->blend_weight);
	ret = ret ? ret : put_f64(out, m->bias);
	for (uint32_t i = 0, prev = 0; !ret && i < st->nfeatures; i++) {
		unsigned char v[5];
		size_t nv = 0;
		for (uint32_t d = m->idx[i] - prev;; d >>= 7) {
			v[nv++] = (unsigned char)((d & 0x7f) | (d >= 0x80 ? 0x80 : 0));
			if (d < 0x80)
				break;
		}
		prev = m->idx[i];
		ret = put(out, v, nv);
		ret = ret ? ret : put_f32(out, m->w[i]);
	}
	for (int side = 0; !ret && side < 2; side++) {
		unsigned char c = (unsigned char)m->ntop[side];
		ret = put(out, &c, 1);
		for (size_t i = 0; !ret && i < m->ntop[side]; i++) {
			const struct cxm_text_model_feature *f = &m->top[side][i];
			c = (unsigned char)strlen(f->text);
			ret = put(out, &c, 1);
			ret = ret ? ret : put(out, f->text, c);
			ret = ret ? ret : put_f32(out, (float)f->weight);
		}
	}
	ret = ret ? ret : put_u32(out, fnv32((const unsigned char *)out->p + start, out->len - start));
	if (ret && out->len > start) {
		/* leave the buffer as it was */
		out->len = start;
		out->p[start] = '\0';
	}
	return ret;
}

struct reader {
	const unsigned char *p;
	size_t len, at;
	bool bad;
};

static const unsigned char *take(struct reader *r, size_t n)
{
	if (r->bad || r->len - r->at < n) {
		r->bad = true;
		return NULL;
	}
	r->at += n;
	return r->p + r->at - n;
}

static uint32_t get_u32(struct reader *r)
{
	const unsigned char *c = take(r, 4);
	return c ? (uint32_t)c[0] | (uint32_t)c[1] << 8 | (uint32_t)c[2] << 16 | (uint32_t)c[3] << 24 : 0;
}

static double get_f64(struct reader *r)
{
	const unsigned char *c = take(r, 8);
	uint64_t v = 0;
	double d;
	if (!c)
		return NAN;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)c[i] << (8 * i);
	memcpy(&d, &v, 8);
	return d;
}

static float get_f32(struct reader *r)
{
	uint32_t v = get_u32(r);
	float f;
	if (r->bad)
		return NAN;
	memcpy(&f, &v, 4);
	return f;
}

static uint32_t get_varint(struct reader *r)
{
	uint32_t v = 0;
	for (int shift = 0; shift < 28; shift += 7) {
		const unsigned char *c = take(r, 1);
		if (!c)
			return 0;
		v |= (uint32_t)(*c & 0x7f) << shift;
		if (!(*c & 0x80)) {
			if (shift && !*c)
				r->bad = true; /* not the shortest form: save would write other bytes */
			return v;
		}
	}
	r->bad = true; /* longer than any bucket number needs */
	return 0;
}

/* No weight or bias trained on comments comes near this; a blob beyond it
 * could make a prediction's sum overflow. */
#define MAX_ABS_WEIGHT 1e4

static bool in01(double x)
{
	return x >= 0 && x <= 1; /* false for NaN */
}

int cxm_text_model_load(const void *blob, size_t len, struct cxm_text_model **out)
{
	struct reader r = { blob, len, 0, false };
	struct cxm_text_model *m = NULL;
	struct cxm_text_model_stats *st;
	const unsigned char *head;
	int ret = CXM_EINVAL;

	*out = NULL;
	if (len < 12 || len > CXM_TEXT_MODEL_MAX_BLOB)
		goto out;
	if (fnv32(r.p, len - 4) != ((uint32_t)r.p[len - 4] | (uint32_t)r.p[len - 3] << 8 |
				    (uint32_t)r.p[len - 2] << 16 | (uint32_t)r.p[len - 1] << 24))
		goto out;
	r.len = len - 4;
	head = take(&r, 8);
	if (!head || memcmp(head, BLOB_MAGIC, 4) || head[4] != BLOB_VERSION || head[5] != CXM_TEXT_MODEL_BITS ||
	    head[6] || head[7])
		goto out;
	m = xcalloc(1, sizeof(*m));
	st = &m->stats;
	st->n = get_u32(&r);
	st->npos = get_u32(&r);
	st->nneg = get_u32(&r);
	st->folds = get_u32(&r);
	st->nfeatures = get_u32(&r);
	st->cv_accuracy = get_f64(&r);
	st->cv_auc = get_f64(&r);
	st->lexicon_accuracy = get_f64(&r);
	st->blend_weight = get_f64(&r);
	m->bias = get_f64(&r);
	if (r.bad || (uint64_t)st->npos + st->nneg != st->n || st->n < CXM_TEXT_MODEL_MIN_DOCS ||
	    st->npos < CXM_TEXT_MODEL_MIN_PER_CLASS || st->nneg < CXM_TEXT_MODEL_MIN_PER_CLASS || st->folds < 2 ||
	    st->folds > 10 || st->nfeatures > CXM_TEXT_MODEL_MAX_FEATURES || !in01(st->cv_accuracy) ||
	    !in01(st->cv_auc) || !in01(st->lexicon_accuracy) || !(st->blend_weight >= 0) ||
	    !(st->blend_weight <= CXM_TEXT_MODEL_MAX_BLEND) || !(fabs(m->bias) <= MAX_ABS_WEIGHT))
		goto out;
	/* each weight takes at least 5 bytes: refuse a count the blob cannot hold before allocating */
	if ((size_t)st->nfeatures * 5 > r.len - r.at)
		goto out;
	m->idx = xmalloc((st->nfeatures ? st->nfeatures : 1) * sizeof(*m->idx));
	m->w = xmalloc((st->nfeatures ? st->nfeatures : 1) * sizeof(*m->w));
	for (uint32_t i = 0, prev = 0; i < st->nfeatures; i++) {
		uint32_t d = get_varint(&r);
		if (r.bad || (i && !d) || d >= NBUCKETS - prev)
			goto out;
		prev += d;
		m->idx[i] = prev;
		m->w[i] = get_f32(&r);
		if (!(fabsf(m->w[i]) <= MAX_ABS_WEIGHT))
			goto out;
	}
	for (int side = 0; side < 2; side++) {
		const unsigned char *c = take(&r, 1);
		if (!c || *c > CXM_TEXT_MODEL_EXPLAIN)
			goto out;
		m->ntop[side] = *c;
		for (size_t i = 0; i < m->ntop[side]; i++) {
			struct cxm_text_model_feature *f = &m->top[side][i];
			const unsigned char *l = take(&r, 1), *text;
			if (!l || !*l || *l >= CXM_TEXT_MODEL_FEATURE_MAX || !(text = take(&r, *l)) ||
			    memchr(text, 0, *l) || !cxm_utf8_valid((const char *)text, *l))
				goto out;
			memcpy(f->text, text, *l);
			f->text[*l] = '\0';
			f->weight = get_f32(&r);
			if (!(fabs(f->weight) <= MAX_ABS_WEIGHT) || (side ? f->weight <= 0 : f->weight >= 0))
				goto out;
		}
	}
	if (r.bad || r.at != r.len)
		goto out;
	*out = m;
	m = NULL;
	ret = 0;
out:
	cxm_text_model_free(m);
	return ret;
}
