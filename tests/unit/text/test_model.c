/*
 * test_model.c - the per-tenant text model (src/text/model.c) on GENERATED
 * courier comments in es and en: detractors say "tardó", "demora",
 * "reprogramaron", "took ... days"; promoters "puntual", "mismo día", "on
 * time"; both sides carry noise words and politeness that fools the
 * lexicon ("gracias" in a complaint), and a few labels are flipped. The
 * model must learn the planted words (its explanation), beat chance and
 * the lexicon on cross-validation, improve the lexicon's accuracy on
 * held-out comments when blended, be deterministic, survive a save/load
 * round trip, and refuse too little data and corrupt blobs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cxm/core.h"
#include "cxm/text.h"
#include "cxm/textstore.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAXDOCS 1200

static struct cxm_stemmers *stemmers;

static uint32_t seed;
static uint32_t rnd(uint32_t n)
{
	seed = seed * 1103515245u + 12345u;
	return (seed >> 16) % n;
}

#define PICK(list) (list)[rnd(ARRAY_SIZE(list))]

/* {n} in a template becomes a number of days */
static const char *const es_bad[] = {
	"el pedido tardó {n} días en llegar",
	"mucha demora con el envío",
	"otra vez demora en la entrega",
	"el repartidor tardó toda la tarde",
	"reprogramaron la entrega dos veces",
	"el paquete tardó {n} días y nadie avisó",
};
static const char *const es_good[] = {
	"llegó puntual",
	"entrega puntual como siempre",
	"lo recibí el mismo día",
	"el repartidor llegó puntual a la cita",
	"me llegó el mismo día que lo pedí",
};
static const char *const en_bad[] = {
	"the parcel took {n} days to arrive",
	"another delay with the delivery",
	"they rescheduled the delivery twice",
	"the courier took the whole afternoon",
};
static const char *const en_good[] = {
	"arrived on time",
	"delivered on time as always",
	"got it the same day",
	"the courier came on time",
};
/* politeness and small talk on both sides: the lexicon reads it as praise */
static const char *const es_polite[] = { "gracias", "buen día", "muchas gracias", "saludos", "hola" };
static const char *const en_polite[] = { "thanks", "thank you", "good morning", "cheers", "hello" };
static const char *const es_noise[] = {
	"el pedido", "la caja", "el lunes", "en el barrio", "la dirección", "el código", "la factura",
	"mi hermana", "por la mañana", "el portal",
};
static const char *const en_noise[] = {
	"the order", "the box", "on monday", "in my street", "the address", "the code", "the invoice",
	"my sister", "in the morning", "the front door",
};

struct corpus {
	struct cxm_arena a;
	size_t n;
	char text[MAXDOCS][256];
	struct cxm_text t[MAXDOCS];
	struct cxm_text_model_doc d[MAXDOCS];
};

static void fill(char *out, size_t size, const char *tmpl)
{
	const char *at = strstr(tmpl, "{n}");
	if (at)
		snprintf(out, size, "%.*s%u%s", (int)(at - tmpl), tmpl, 2 + rnd(8), at + 3);
	else
		snprintf(out, size, "%s", tmpl);
}

/*
 * n comments from seed s: half detractor-like (label 0), half
 * promoter-like; 60% Spanish. Each: maybe a greeting, the planted
 * sentence (or, one time in six, only noise), noise words; 5% of labels
 * flipped. The lexicon's compound is stored with each.
 */
static void generate(struct corpus *c, size_t n, uint32_t s)
{
	seed = s;
	c->n = n;
	cxm_arena_init(&c->a, 1 << 16);
	for (size_t i = 0; i < n; i++) {
		uint8_t label = i % 2;
		bool es = rnd(10) < 6;
		char core[128];
		size_t o = 0;
		char *buf = c->text[i];
		size_t size = sizeof(c->text[i]);

		if (rnd(6))
			fill(core, sizeof(core),
			     es ? (label ? PICK(es_good) : PICK(es_bad)) : (label ? PICK(en_good) : PICK(en_bad)));
		else
			snprintf(core, sizeof(core), "%s", es ? PICK(es_noise) : PICK(en_noise));
		if (rnd(2))
			o += (size_t)snprintf(buf + o, size - o, "%s, ", es ? PICK(es_polite) : PICK(en_polite));
		o += (size_t)snprintf(buf + o, size - o, "%s %s", core, es ? PICK(es_noise) : PICK(en_noise));
		if (rnd(3))
			o += (size_t)snprintf(buf + o, size - o, ". %s", es ? PICK(es_polite) : PICK(en_polite));
		if (rnd(20) == 0)
			label = !label;

		char why[128];
		assert_int_equal(cxm_text_tokenize(&c->a, buf, strlen(buf), &c->t[i], why, sizeof(why)), 0);
		enum cxm_lang lang = es ? CXM_LANG_ES : CXM_LANG_EN;
		struct cxm_sentiment sent;
		cxm_sentiment_score(&c->a, stemmers, &c->t[i], lang, &sent);
		c->d[i] = (struct cxm_text_model_doc){
			.text = &c->t[i], .lang = lang, .label = label, .lexicon = sent.text.compound
		};
	}
}

static struct corpus train_set, test_set;

static int setup(void **state)
{
	(void)state;
	stemmers = cxm_stemmers_new();
	generate(&train_set, 800, 777);
	generate(&test_set, 400, 4242);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cxm_arena_release(&train_set.a);
	cxm_arena_release(&test_set.a);
	cxm_stemmers_free(stemmers);
	return 0;
}

static struct cxm_text_model *train(const struct corpus *c, size_t n, uint64_t s)
{
	struct cxm_text_model_opts o = { .seed = s };
	struct cxm_text_model *m = NULL;
	struct cxm_text_model_stats st;
	assert_int_equal(cxm_text_model_train(c->d, n, stemmers, &o, &m, &st), 0);
	assert_non_null(m);
	assert_int_equal(st.n, n);
	return m;
}

static void test_labels(void **state)
{
	(void)state;
	int nps[11] = { 0, 0, 0, 0, 0, 0, 0, -1, -1, 1, 1 };
	for (int s = 0; s <= 10; s++)
		assert_int_equal(cxm_text_model_label(CXM_TEXT_MODEL_NPS, s), nps[s]);
	assert_int_equal(cxm_text_model_label(CXM_TEXT_MODEL_NPS, -1), -1);
	assert_int_equal(cxm_text_model_label(CXM_TEXT_MODEL_NPS, 11), -1);
	int csat[7] = { -1, 0, 0, -1, 1, 1, -1 };
	for (int s = 0; s <= 6; s++)
		assert_int_equal(cxm_text_model_label(CXM_TEXT_MODEL_CSAT, s), csat[s]);
}

/* in the first k features of a side */
static bool explains(const struct cxm_text_model *m, bool positive, const char *text, size_t k)
{
	size_t n;
	const struct cxm_text_model_feature *f = cxm_text_model_explain(m, positive, &n);
	for (size_t i = 0; i < n && i < k; i++)
		if (!strcmp(f[i].text, text))
			return true;
	return false;
}

static void test_learns_planted_words(void **state)
{
	(void)state;
	struct cxm_text_model *m = train(&train_set, train_set.n, 1);
	const struct cxm_text_model_stats *st = cxm_text_model_stats(m);
	size_t nneg, npos;
	const struct cxm_text_model_feature *neg = cxm_text_model_explain(m, false, &nneg);
	const struct cxm_text_model_feature *pos = cxm_text_model_explain(m, true, &npos);

	assert_int_equal(nneg, CXM_TEXT_MODEL_EXPLAIN);
	assert_int_equal(npos, CXM_TEXT_MODEL_EXPLAIN);
	for (size_t i = 0; i < nneg; i++) {
		assert_true(neg[i].weight < 0);
		assert_true(i == 0 || fabs(neg[i].weight) <= fabs(neg[i - 1].weight));
	}
	for (size_t i = 0; i < npos; i++)
		assert_true(pos[i].weight > 0);
	/* "tardo" and its stem "tard*" always come together: listed once, by the word */
	for (size_t i = 1; i < nneg; i++)
		assert_true(neg[i].weight != neg[i - 1].weight);
	assert_false(explains(m, false, "tard*", CXM_TEXT_MODEL_EXPLAIN));
	/* the courier's bad news: "tardó" by its key or its stem, "demora" */
	assert_true(explains(m, false, "tardo", 10) || explains(m, false, "tard*", 10));
	assert_true(explains(m, false, "demora", 10) || explains(m, false, "demor*", 10));
	assert_true(explains(m, true, "puntual", 10) || explains(m, true, "puntual*", 10));
	/* politeness is on both sides: it explains nothing */
	assert_false(explains(m, true, "gracias", CXM_TEXT_MODEL_EXPLAIN));
	assert_false(explains(m, false, "gracias", CXM_TEXT_MODEL_EXPLAIN));

	assert_int_equal(st->n, 800);
	assert_int_equal(st->npos + st->nneg, 800);
	assert_int_equal(st->folds, 5);
	assert_true(st->cv_accuracy > 0.85);
	assert_true(st->cv_auc > 0.9);
	assert_true(st->cv_accuracy > st->lexicon_accuracy + 0.05);
	assert_true(st->blend_weight > 0.2 && st->blend_weight <= CXM_TEXT_MODEL_MAX_BLEND);
	assert_true(st->nfeatures > 50 && st->nfeatures <= CXM_TEXT_MODEL_MAX_FEATURES);
	cxm_text_model_free(m);
}

/* Accuracy on held-out comments of the lexicon alone and of the blend: a
 * compound's sign against the label, 0 half right. */
static double accuracy(const struct corpus *c, const struct cxm_text_model *m)
{
	double right = 0;
	for (size_t i = 0; i < c->n; i++) {
		double p = m ? cxm_text_model_predict(m, c->d[i].text, c->d[i].lang, stemmers) : 0.5;
		double x = cxm_text_model_blend(m, c->d[i].lexicon, p);
		assert_true(x >= -1 && x <= 1);
		right += x == 0 ? 0.5 : (x > 0) == (c->d[i].label == 1);
	}
	return right / (double)c->n;
}

static void test_blend_beats_lexicon(void **state)
{
	(void)state;
	struct cxm_text_model *m = train(&train_set, train_set.n, 1);
	double lex = accuracy(&test_set, NULL), blend = accuracy(&test_set, m);

	assert_true(blend > lex + 0.1);
	assert_true(blend > 0.8);
	/* the blend formula itself */
	double w = cxm_text_model_stats(m)->blend_weight;
	assert_true(fabs(cxm_text_model_blend(m, 0.4, 0.1) - ((1 - w) * 0.4 + w * -0.8)) < 1e-12);
	assert_true(cxm_text_model_blend(NULL, 0.4, 0.1) == 0.4);
	/* the model alone leans the right way on a new comment of each kind */
	const char *bad = "el envío tardó muchísimo, gracias", *good = "todo puntual, gracias";
	struct cxm_arena a;
	struct cxm_text t;
	char why[64];
	cxm_arena_init(&a, 4096);
	assert_int_equal(cxm_text_tokenize(&a, bad, strlen(bad), &t, why, sizeof(why)), 0);
	assert_true(cxm_text_model_predict(m, &t, CXM_LANG_ES, stemmers) < 0.3);
	assert_int_equal(cxm_text_tokenize(&a, good, strlen(good), &t, why, sizeof(why)), 0);
	assert_true(cxm_text_model_predict(m, &t, CXM_LANG_ES, stemmers) > 0.7);
	cxm_arena_release(&a);
	cxm_text_model_free(m);
}

/* Where the lexicon is already right the model gets no weight. */
static void test_no_weight_when_lexicon_is_as_good(void **state)
{
	(void)state;
	static struct corpus c;
	static const char *const good[] = { "excelente servicio", "todo excelente", "muy bueno todo" };
	static const char *const bad[] = { "pésimo servicio", "servicio horrible", "muy malo todo" };

	seed = 99;
	cxm_arena_init(&c.a, 1 << 16);
	c.n = 300;
	for (size_t i = 0; i < c.n; i++) {
		uint8_t label = i % 2;
		snprintf(c.text[i], sizeof(c.text[i]), "%s %s", label ? PICK(good) : PICK(bad), PICK(es_noise));
		char why[64];
		assert_int_equal(cxm_text_tokenize(&c.a, c.text[i], strlen(c.text[i]), &c.t[i], why, sizeof(why)), 0);
		struct cxm_sentiment sent;
		cxm_sentiment_score(&c.a, stemmers, &c.t[i], CXM_LANG_ES, &sent);
		c.d[i] = (struct cxm_text_model_doc){ &c.t[i], CXM_LANG_ES, label, sent.text.compound };
	}
	struct cxm_text_model *m = train(&c, c.n, 5);
	const struct cxm_text_model_stats *st = cxm_text_model_stats(m);
	assert_true(st->lexicon_accuracy == 1);
	assert_true(st->blend_weight == 0);
	assert_true(cxm_text_model_blend(m, -0.3, 0.99) == -0.3);
	cxm_text_model_free(m);
	cxm_arena_release(&c.a);
}

/* A word in a negation's scope is its own feature: "no llegó puntual" is
 * bad news although "puntual" is good. */
static void test_negation(void **state)
{
	(void)state;
	static struct corpus c;
	static const char *const good[] = { "llegó puntual", "fue puntual", "siempre llega puntual" };
	static const char *const bad[] = { "no llegó puntual", "no fue puntual", "nunca llega puntual" };

	seed = 7;
	cxm_arena_init(&c.a, 1 << 16);
	c.n = 300;
	for (size_t i = 0; i < c.n; i++) {
		uint8_t label = i % 2;
		snprintf(c.text[i], sizeof(c.text[i]), "%s %s", PICK(es_noise), label ? PICK(good) : PICK(bad));
		char why[64];
		assert_int_equal(cxm_text_tokenize(&c.a, c.text[i], strlen(c.text[i]), &c.t[i], why, sizeof(why)), 0);
		c.d[i] = (struct cxm_text_model_doc){ &c.t[i], CXM_LANG_ES, label, 0 };
	}
	struct cxm_text_model *m = train(&c, c.n, 5);
	assert_true(explains(m, false, "NOT_puntual", 3));
	assert_true(explains(m, true, "puntual", 3));
	assert_true(cxm_text_model_stats(m)->cv_accuracy > 0.95);
	/* nothing from the lexicon (all 0: half right) */
	assert_true(cxm_text_model_stats(m)->lexicon_accuracy == 0.5);
	cxm_text_model_free(m);
	cxm_arena_release(&c.a);
}

static void test_not_enough_data(void **state)
{
	(void)state;
	struct cxm_text_model *m = (struct cxm_text_model *)&m; /* must be set to NULL */
	struct cxm_text_model_stats st;

	assert_int_equal(cxm_text_model_train(train_set.d, CXM_TEXT_MODEL_MIN_DOCS - 1, stemmers, NULL, &m, &st),
			 CXM_EINVAL);
	assert_null(m);
	assert_int_equal(st.n, CXM_TEXT_MODEL_MIN_DOCS - 1);
	assert_int_equal(st.npos + st.nneg, st.n);

	/* enough comments, too few of one label */
	static struct cxm_text_model_doc d[400];
	size_t n = 0, pos = 0;
	for (size_t i = 0; i < train_set.n && n < ARRAY_SIZE(d); i++) {
		if (train_set.d[i].label && pos == CXM_TEXT_MODEL_MIN_PER_CLASS - 1)
			continue;
		pos += train_set.d[i].label;
		d[n++] = train_set.d[i];
	}
	assert_int_equal(cxm_text_model_train(d, n, stemmers, NULL, &m, &st), CXM_EINVAL);
	assert_null(m);
	assert_int_equal(st.npos, CXM_TEXT_MODEL_MIN_PER_CLASS - 1);
	assert_true(st.n >= CXM_TEXT_MODEL_MIN_DOCS);

	/* the minimum is enough */
	assert_int_equal(cxm_text_model_train(train_set.d, CXM_TEXT_MODEL_MIN_DOCS, stemmers, NULL, &m, &st), 0);
	assert_non_null(m);
	cxm_text_model_free(m);
}

static void test_deterministic(void **state)
{
	(void)state;
	struct cxm_text_model *a = train(&train_set, 400, 7), *b = train(&train_set, 400, 7),
			      *c = train(&train_set, 400, 8);
	struct cxm_buf ba = CXM_BUF_INIT, bb = CXM_BUF_INIT, bc = CXM_BUF_INIT;

	assert_int_equal(cxm_text_model_save(a, &ba), 0);
	assert_int_equal(cxm_text_model_save(b, &bb), 0);
	assert_int_equal(cxm_text_model_save(c, &bc), 0);
	assert_int_equal(ba.len, bb.len);
	assert_memory_equal(ba.p, bb.p, ba.len);
	/* another seed shuffles differently: other weights */
	assert_true(ba.len != bc.len || memcmp(ba.p, bc.p, ba.len));
	cxm_buf_release(&ba);
	cxm_buf_release(&bb);
	cxm_buf_release(&bc);
	cxm_text_model_free(a);
	cxm_text_model_free(b);
	cxm_text_model_free(c);
}

static void test_save_load(void **state)
{
	(void)state;
	struct cxm_text_model *m = train(&train_set, train_set.n, 1), *l = NULL;
	struct cxm_buf b = CXM_BUF_INIT, b2 = CXM_BUF_INIT;

	assert_int_equal(cxm_text_model_save(m, &b), 0);
	assert_true(b.len < 200 * 1024);
	assert_int_equal(cxm_text_model_load(b.p, b.len, &l), 0);
	assert_non_null(l);
	assert_memory_equal(cxm_text_model_stats(m), cxm_text_model_stats(l), sizeof(struct cxm_text_model_stats));
	for (size_t i = 0; i < test_set.n; i++)
		assert_true(cxm_text_model_predict(m, test_set.d[i].text, test_set.d[i].lang, stemmers) ==
			    cxm_text_model_predict(l, test_set.d[i].text, test_set.d[i].lang, stemmers));
	for (int side = 0; side < 2; side++) {
		size_t n1, n2;
		const struct cxm_text_model_feature *f1 = cxm_text_model_explain(m, side, &n1);
		const struct cxm_text_model_feature *f2 = cxm_text_model_explain(l, side, &n2);
		assert_int_equal(n1, n2);
		for (size_t i = 0; i < n1; i++) {
			assert_string_equal(f1[i].text, f2[i].text);
			assert_true(f1[i].weight == f2[i].weight);
		}
	}
	assert_int_equal(cxm_text_model_save(l, &b2), 0);
	assert_int_equal(b.len, b2.len);
	assert_memory_equal(b.p, b2.p, b.len);
	/* a capped buffer too small: CXM_ETOOBIG, left as it was */
	struct cxm_buf small;
	cxm_buf_init(&small, 100);
	assert_int_equal(cxm_buf_addstr(&small, "x"), 0);
	assert_int_equal(cxm_text_model_save(m, &small), CXM_ETOOBIG);
	assert_int_equal(small.len, 1);
	assert_string_equal(cxm_buf_str(&small), "x");
	cxm_buf_release(&small);
	cxm_buf_release(&b);
	cxm_buf_release(&b2);
	cxm_text_model_free(m);
	cxm_text_model_free(l);
}

static uint32_t fnv32(const unsigned char *p, size_t n)
{
	uint32_t h = 0x811c9dc5u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x01000193u;
	return h;
}

/* rewrites the trailing checksum so that only the field checks stand */
static void reseal(unsigned char *p, size_t len)
{
	uint32_t h = fnv32(p, len - 4);
	for (int i = 0; i < 4; i++)
		p[len - 4 + i] = (unsigned char)(h >> (8 * i));
}

static void refused(const unsigned char *p, size_t len)
{
	struct cxm_text_model *m = (struct cxm_text_model *)&m;
	assert_int_equal(cxm_text_model_load(p, len, &m), CXM_EINVAL);
	assert_null(m);
}

static void test_corrupt_blobs(void **state)
{
	(void)state;
	struct cxm_text_model *m = train(&train_set, 300, 3);
	struct cxm_buf b = CXM_BUF_INIT;
	assert_int_equal(cxm_text_model_save(m, &b), 0);
	cxm_text_model_free(m);
	size_t len = b.len;
	unsigned char *p = xmalloc(len + 1);

	/* every truncation */
	for (size_t n = 0; n < len; n++)
		refused((const unsigned char *)b.p, n);
	/* a trailing byte */
	memcpy(p, b.p, len);
	p[len] = 0;
	refused(p, len + 1);
	/* every single flipped byte: the checksum */
	for (size_t i = 0; i < len; i++) {
		memcpy(p, b.p, len);
		p[i] ^= 0x40;
		refused(p, len);
	}
	/* fields checked even under a right checksum: {offset, value} */
	static const struct {
		size_t at;
		unsigned char v;
	} fields[] = {
		{ 0, 'X' },  /* magic */
		{ 4, 2 },    /* version */
		{ 5, 17 },   /* bits */
		{ 6, 1 },    /* reserved */
		{ 8, 0xff }, /* n != npos + nneg */
		{ 20, 11 },  /* folds */
		{ 27, 0x7f }, /* nfeatures: more than the blob holds */
		{ 35, 0x40 }, /* cv_accuracy >= 2 */
		{ 59, 0x3f }, /* blend_weight: about 1, over the most */
		{ 67, 0x7f }, /* bias: with 66 below, infinite or NaN */
	};
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		memcpy(p, b.p, len);
		p[fields[i].at] = fields[i].v;
		if (fields[i].at == 67)
			p[66] = 0xf0;
		if (fields[i].at == 59)
			p[58] = 0xf0;
		reseal(p, len);
		refused(p, len);
	}
	/* a sealed blob whose last explained feature holds a NUL */
	memcpy(p, b.p, len);
	size_t at = len - 4 - 4 - 1; /* the last feature's last text byte */
	p[at] = 0;
	reseal(p, len);
	refused(p, len);
	/* the first bucket's varint (at 68) in a longer form than needed */
	size_t v = 68;
	while (b.p[v] & 0x80)
		v++;
	unsigned char *q = xmalloc(len + 1);
	memcpy(q, b.p, v + 1);
	q[v] |= 0x80;
	q[v + 1] = 0;
	memcpy(q + v + 2, b.p + v + 1, len - v - 1);
	reseal(q, len + 1);
	refused(q, len + 1);
	free(q);
	/* the first weight (after its varint) beyond 1e4, and just within */
	float big[2] = { 2e4f, -9e3f };
	for (int i = 0; i < 2; i++) {
		memcpy(p, b.p, len);
		uint32_t bits;
		memcpy(&bits, &big[i], 4);
		for (int k = 0; k < 4; k++)
			p[v + 1 + k] = (unsigned char)(bits >> (8 * k));
		reseal(p, len);
		if (i == 0) {
			refused(p, len);
		} else {
			assert_int_equal(cxm_text_model_load(p, len, &m), 0);
			double x = cxm_text_model_predict(m, train_set.d[0].text, train_set.d[0].lang, stemmers);
			assert_true(x >= 0 && x <= 1);
			cxm_text_model_free(m);
		}
	}
	/* and untouched, it loads */
	memcpy(p, b.p, len);
	assert_int_equal(cxm_text_model_load(p, len, &m), 0);
	cxm_text_model_free(m);
	free(p);
	cxm_buf_release(&b);
	refused((const unsigned char *)"", 0);
	refused((const unsigned char *)"CXTM", 4);
}

static void test_retrain_policy(void **state)
{
	(void)state;
	struct cxm_text_model *m = train(&train_set, 400, 1); /* 200 of each */
	const int64_t hour = 3600LL * 1000000LL;

	assert_false(cxm_text_model_should_retrain(NULL, 150, 49, 0));
	assert_false(cxm_text_model_should_retrain(NULL, 300, 29, 0));
	assert_true(cxm_text_model_should_retrain(NULL, 170, 30, 0));
	assert_false(cxm_text_model_should_retrain(m, 200, 200, 0));
	assert_false(cxm_text_model_should_retrain(m, 220, 219, 23 * hour)); /* 439: under 10% more */
	assert_true(cxm_text_model_should_retrain(m, 220, 220, 0));          /* 440: 10% more */
	assert_true(cxm_text_model_should_retrain(m, 201, 200, 24 * hour));  /* a day old, one more */
	assert_false(cxm_text_model_should_retrain(m, 200, 200, 48 * hour)); /* a day old, none more */
	cxm_text_model_free(m);
}

/* ---- one training at a time (src/text/train.c) ---- */

static atomic_int waited_through;

static void *request_waits(void *arg)
{
	int64_t tenant = *(int64_t *)arg;

	cxm_text_train_wait(tenant);
	atomic_store(&waited_through, 1);
	return NULL;
}

/* Two requests: the second refused. The background: refused while anyone
 * trains the tenant; a request comes while it fits, claims, and waits for
 * the background fit to end before its own. Other tenants are free. */
static void test_train_claims(void **state)
{
	(void)state;
	int64_t t = 7001, other = 7002;
	pthread_t th;

	assert_true(cxm_text_train_claim(t, true));
	assert_false(cxm_text_train_claim(t, true));
	assert_false(cxm_text_train_claim(t, false));
	assert_true(cxm_text_train_claim(other, false));
	cxm_text_train_unclaim(other, false);
	cxm_text_train_wait(t); /* no background fit of t: returns at once */
	cxm_text_train_unclaim(t, true);

	assert_true(cxm_text_train_claim(t, false));
	assert_false(cxm_text_train_claim(t, false));
	assert_true(cxm_text_train_claim(t, true)); /* a request while the background fits */
	assert_false(cxm_text_train_claim(t, true));
	atomic_store(&waited_through, 0);
	assert_int_equal(pthread_create(&th, NULL, request_waits, &t), 0);
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	nanosleep(&pause, NULL);
	assert_int_equal(atomic_load(&waited_through), 0); /* still fitting: the request waits */
	cxm_text_train_unclaim(t, false);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(atomic_load(&waited_through), 1);
	assert_false(cxm_text_train_claim(t, false)); /* the request's training now runs */
	cxm_text_train_unclaim(t, true);
	assert_true(cxm_text_train_claim(t, false));
	cxm_text_train_unclaim(t, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_learns_planted_words),
		cmocka_unit_test(test_blend_beats_lexicon),
		cmocka_unit_test(test_no_weight_when_lexicon_is_as_good),
		cmocka_unit_test(test_negation),
		cmocka_unit_test(test_not_enough_data),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_save_load),
		cmocka_unit_test(test_corrupt_blobs),
		cmocka_unit_test(test_retrain_policy),
		cmocka_unit_test(test_train_claims),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
