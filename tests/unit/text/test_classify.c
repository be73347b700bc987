/*
 * test_classify.c - emotions, reasons and themes (src/text/classify.c,
 * themes.c, taxonomy.c, cues.c). The comments and what they mean are in
 * tests/data/text/classify.tsv (each emotion, reason and default theme in
 * es and en, negation, stems, optional accents, exclusions); here: the
 * rules that compare scores (negation scope, boosters, the lean on
 * sentiment), the matched tokens, phrases, tenant taxonomies and their
 * refusals with field and reason, and that the built-in cue tables agree
 * with the tokenizer and the stemmers. Every comment was written for these
 * tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../../src/text/match.h"
#include "../../../src/text/themes-internal.h"
#include "cxm/core.h"
#include "cxm/i18n.h"
#include "cxm/text.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static struct cxm_arena A;
static struct cxm_stemmers *ST;
static struct cxm_taxonomy *TAX;

static int setup(void **state)
{
	char field[64], why[256];
	size_t len;
	const char *json = cxm_taxonomy_default_json(&len);
	(void)state;
	cxm_arena_init(&A, 1 << 16);
	ST = cxm_stemmers_new();
	if (cxm_taxonomy_parse(json, len, &TAX, field, sizeof(field), why, sizeof(why))) {
		fprintf(stderr, "default taxonomy refused: %s: %s\n", field, why);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cxm_taxonomy_free(TAX);
	cxm_stemmers_free(ST);
	cxm_arena_release(&A);
	return 0;
}

static struct cxm_text tok(const char *s)
{
	struct cxm_text t;
	char why[128];
	assert_int_equal(cxm_text_tokenize(&A, s, strlen(s), &t, why, sizeof(why)), 0);
	return t;
}

static struct cxm_classification classify(const char *s, enum cxm_lang lang, double compound)
{
	struct cxm_classification c;
	struct cxm_text t = tok(s);
	cxm_text_classify(&t, lang, ST, compound, &A, &c);
	return c;
}

static double emo(const char *s, enum cxm_lang lang, enum cxm_emotion e)
{
	return classify(s, lang, NAN).emotion[e];
}

static double why_reason(const char *s, enum cxm_lang lang, enum cxm_reason r)
{
	return classify(s, lang, NAN).reason[r];
}

static const char *themes_of(const char *s, enum cxm_lang lang);
static bool has_theme(const char *s, enum cxm_lang lang, const char *id);

/* the strongest emotion of s must be e, and present */
static void expect_emotion(const char *s, enum cxm_lang lang, enum cxm_emotion e)
{
	struct cxm_classification c = classify(s, lang, NAN);
	for (int i = 0; i < CXM_EMO_COUNT; i++) {
		if (i != (int)e && c.emotion[i] >= c.emotion[e])
			fail_msg("'%s': %s %.2f is not above %s %.2f", s, cxm_emotion_name(e), c.emotion[e],
				 cxm_emotion_name(i), c.emotion[i]);
	}
	if (c.emotion[e] < CXM_CLASSIFY_PRESENT)
		fail_msg("'%s': %s only %.2f", s, cxm_emotion_name(e), c.emotion[e]);
}

static void expect_reason(const char *s, enum cxm_lang lang, enum cxm_reason r)
{
	double v = why_reason(s, lang, r);
	if (v < CXM_CLASSIFY_PRESENT)
		fail_msg("'%s': %s only %.2f", s, cxm_reason_name(r), v);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(cxm_emotion_name(CXM_EMO_JOY), "joy");
	assert_string_equal(cxm_emotion_name(CXM_EMO_DISAPPOINTMENT), "disappointment");
	assert_string_equal(cxm_emotion_name(CXM_EMO_SADNESS), "sadness");
	assert_null(cxm_emotion_name(CXM_EMO_COUNT));
	assert_string_equal(cxm_reason_name(CXM_REASON_PRICE), "price");
	assert_string_equal(cxm_reason_name(CXM_REASON_SPEED), "speed");
	assert_string_equal(cxm_reason_name(CXM_REASON_INFORMATION), "information");
	assert_null(cxm_reason_name(CXM_REASON_COUNT));
}

static void test_negation(void **state)
{
	(void)state;
	assert_true(emo("Estoy enojado con la tienda", CXM_LANG_ES, CXM_EMO_ANGER) >= CXM_CLASSIFY_PRESENT);
	assert_true(emo("No estoy enojado con la tienda", CXM_LANG_ES, CXM_EMO_ANGER) == 0);
	assert_true(emo("Nunca me sentí tan feliz con una compra", CXM_LANG_ES, CXM_EMO_JOY) > 0);
	assert_true(emo("Never so happy with a purchase", CXM_LANG_EN, CXM_EMO_JOY) > 0);
	/* "un poco" only dampens */
	assert_true(emo("Quedé un poco molesto", CXM_LANG_ES, CXM_EMO_ANGER) > 0);
	/* the scope ends at a comma or "but" */
	assert_true(emo("No lo esperaba, pero estoy feliz", CXM_LANG_ES, CXM_EMO_JOY) > 0);
	assert_true(emo("Not cheap but I am happy", CXM_LANG_EN, CXM_EMO_JOY) > 0);
	/* "no solo": not a negation */
	assert_true(emo("No solo feliz, encantada", CXM_LANG_ES, CXM_EMO_JOY) > 0);
	/* a cue that holds its own negator still counts */
	assert_true(emo("Llamé tres días y nadie responde", CXM_LANG_ES, CXM_EMO_FRUSTRATION) > 0);
}

/* The cases of tests/data/text/classify.tsv, and that they cover every
 * emotion, reason and default theme in both languages. */
static void test_cases(void **state)
{
	(void)state;
	FILE *f = fopen("tests/data/text/classify.tsv", "r");
	char line[1024];
	bool emo_seen[2][CXM_EMO_COUNT] = { { 0 } }, reason_seen[2][CXM_REASON_COUNT] = { { 0 } };
	bool theme_seen[2][CXM_TAXONOMY_MAX_THEMES] = { { 0 } };
	int n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *field[4];
		int nf = 0;
		line[strcspn(line, "\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		for (char *p = line; nf < 4; nf++) {
			field[nf] = p;
			char *tab = nf < 3 ? strchr(p, '\t') : NULL;
			if (nf < 3 && !tab)
				fail_msg("line '%s': want 4 fields", line);
			if (tab)
				*tab = 0, p = tab + 1;
		}
		const char *kind = field[0], *want = field[2], *text = field[3];
		enum cxm_lang lang = !strcmp(field[1], "es")	  ? CXM_LANG_ES
				     : !strcmp(field[1], "en") ? CXM_LANG_EN
							       : CXM_LANG_OTHER;
		int li = lang == CXM_LANG_EN;
		struct cxm_classification c = classify(text, lang, NAN);
		n++;
		if (!strcmp(kind, "emotion") || !strcmp(kind, "no-emotion")) {
			int e = 0;
			while (e < CXM_EMO_COUNT && strcmp(cxm_emotion_name(e), want))
				e++;
			if (!strcmp(kind, "emotion")) {
				assert_true(e < CXM_EMO_COUNT);
				expect_emotion(text, lang, (enum cxm_emotion)e);
				if (lang != CXM_LANG_OTHER)
					emo_seen[li][e] = true;
			} else if (!strcmp(want, "any")) {
				for (int i = 0; i < CXM_EMO_COUNT; i++)
					if (c.emotion[i] > 0)
						fail_msg("'%s': %s %.2f, want none", text, cxm_emotion_name(i),
							 c.emotion[i]);
			} else {
				assert_true(e < CXM_EMO_COUNT);
				if (c.emotion[e] > 0)
					fail_msg("'%s': %s %.2f, want 0", text, want, c.emotion[e]);
			}
		} else if (!strcmp(kind, "reason") || !strcmp(kind, "no-reason")) {
			int r = 0;
			while (r < CXM_REASON_COUNT && strcmp(cxm_reason_name(r), want))
				r++;
			assert_true(r < CXM_REASON_COUNT);
			if (!strcmp(kind, "reason")) {
				expect_reason(text, lang, (enum cxm_reason)r);
				if (lang != CXM_LANG_OTHER)
					reason_seen[li][r] = true;
			} else if (c.reason[r] > 0) {
				fail_msg("'%s': %s %.2f, want 0", text, want, c.reason[r]);
			}
		} else if (!strcmp(kind, "theme") || !strcmp(kind, "no-theme")) {
			int t = cxm_taxonomy_find(TAX, want);
			if (t < 0)
				fail_msg("no theme '%s'", want);
			bool found = has_theme(text, lang, want);
			if (!strcmp(kind, "theme")) {
				if (!found)
					fail_msg("'%s': want %s, got '%s'", text, want, themes_of(text, lang));
				if (lang != CXM_LANG_OTHER)
					theme_seen[li][t] = true;
			} else if (found) {
				fail_msg("'%s': %s found, not wanted", text, want);
			}
		} else {
			fail_msg("unknown kind '%s'", kind);
		}
	}
	fclose(f);
	assert_true(n > 50);
	for (int l = 0; l < 2; l++) {
		for (int e = 0; e < CXM_EMO_COUNT; e++)
			if (!emo_seen[l][e])
				fail_msg("no %s case for %s", l ? "en" : "es", cxm_emotion_name(e));
		for (int r = 0; r < CXM_REASON_COUNT; r++)
			if (!reason_seen[l][r])
				fail_msg("no %s case for %s", l ? "en" : "es", cxm_reason_name(r));
		for (size_t t = 0; t < cxm_taxonomy_count(TAX); t++)
			if (!theme_seen[l][t])
				fail_msg("no %s case for the theme %s", l ? "en" : "es", cxm_taxonomy_id(TAX, t));
	}
}

static void test_intensity(void **state)
{
	(void)state;
	double plain = emo("Estoy molesto", CXM_LANG_ES, CXM_EMO_ANGER);
	assert_true(plain > 0);
	assert_true(emo("Estoy muy molesto", CXM_LANG_ES, CXM_EMO_ANGER) > plain);
	assert_true(emo("Estoy un poco molesto", CXM_LANG_ES, CXM_EMO_ANGER) < plain);
	assert_true(emo("Estoy molesto!!", CXM_LANG_ES, CXM_EMO_ANGER) > plain);
	double en = emo("I am annoyed", CXM_LANG_EN, CXM_EMO_ANGER);
	assert_true(emo("I am ANNOYED", CXM_LANG_EN, CXM_EMO_ANGER) > en);
	assert_true(emo("I am really annoyed", CXM_LANG_EN, CXM_EMO_ANGER) > en);
	assert_true(emo("I am slightly annoyed", CXM_LANG_EN, CXM_EMO_ANGER) < en);
	/* more evidence, higher score, never 1 */
	double two = emo("Estoy molesto y furioso", CXM_LANG_ES, CXM_EMO_ANGER);
	assert_true(two > plain && two < 1);
}

static void test_sentiment_lean(void **state)
{
	(void)state;
	const char *s = "Otra vez me llamaron";
	double none = classify(s, CXM_LANG_ES, NAN).emotion[CXM_EMO_FRUSTRATION];
	double neg = classify(s, CXM_LANG_ES, -0.6).emotion[CXM_EMO_FRUSTRATION];
	double neu = classify(s, CXM_LANG_ES, 0).emotion[CXM_EMO_FRUSTRATION];
	double pos = classify(s, CXM_LANG_ES, 0.6).emotion[CXM_EMO_FRUSTRATION];
	assert_true(none >= CXM_CLASSIFY_PRESENT);
	assert_true(neg > none);
	assert_true(neu > 0 && neu < none);
	assert_true(pos == 0);
	/* joy needs a positive text */
	assert_true(classify("Genial, otra vez sin luz", CXM_LANG_ES, -0.7).emotion[CXM_EMO_JOY] == 0);
	assert_true(classify("Genial, llegó antes", CXM_LANG_ES, 0.7).emotion[CXM_EMO_JOY] >= CXM_CLASSIFY_PRESENT);
	/* a match of an emotion the sentiment ruled out is not reported */
	struct cxm_classification c = classify("Genial, otra vez sin luz", CXM_LANG_ES, -0.7);
	for (size_t i = 0; i < c.nmatch; i++)
		assert_false(!c.match[i].reason && c.match[i].which == CXM_EMO_JOY);
}

static void test_matches(void **state)
{
	(void)state;
	const char *s = "Estoy muy decepcionado con el precio";
	struct cxm_text t = tok(s);
	struct cxm_classification c;
	cxm_text_classify(&t, CXM_LANG_ES, ST, NAN, &A, &c);
	assert_int_equal(c.nmatch, 2);
	assert_false(c.match[0].reason);
	assert_int_equal(c.match[0].which, CXM_EMO_DISAPPOINTMENT);
	assert_int_equal(c.match[0].ntok, 1);
	assert_memory_equal(s + t.tok[c.match[0].tok].start, "decepcionado", 12);
	assert_true(c.match[0].weight > 1); /* "muy" */
	assert_true(c.match[1].reason);
	assert_int_equal(c.match[1].which, CXM_REASON_PRICE);
	assert_memory_equal(s + t.tok[c.match[1].tok].start, "precio", 6);
	/* a phrase covers its tokens */
	const char *p = "Siempre lo mismo con ustedes";
	t = tok(p);
	cxm_text_classify(&t, CXM_LANG_ES, ST, NAN, &A, &c);
	assert_int_equal(c.nmatch, 1);
	assert_int_equal(c.match[0].tok, 0);
	assert_int_equal(c.match[0].ntok, 3);
	/* no text, no result */
	t = tok("");
	cxm_text_classify(&t, CXM_LANG_ES, ST, 0.5, &A, &c);
	assert_int_equal(c.nmatch, 0);
	assert_true(c.emotion[CXM_EMO_JOY] == 0 && c.reason[CXM_REASON_PRICE] == 0);
}

/* The themes of s, as "id id ..." in order of first match. */
static const char *themes_of(const char *s, enum cxm_lang lang)
{
	static char buf[512];
	struct cxm_text t = tok(s);
	struct cxm_themes_found f;
	cxm_text_themes(&t, lang, ST, TAX, &A, &f);
	size_t o = 0;
	buf[0] = 0;
	for (size_t i = 0; i < f.ntheme && o < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", i ? " " : "", cxm_taxonomy_id(TAX, f.theme[i]));
	return buf;
}

static bool has_theme(const char *s, enum cxm_lang lang, const char *id)
{
	const char *found = themes_of(s, lang);
	size_t n = strlen(id);
	for (const char *p = found; (p = strstr(p, id)); p += n)
		if ((p == found || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

static void test_default_taxonomy(void **state)
{
	(void)state;
	size_t n = cxm_taxonomy_count(TAX);
	assert_true(n >= 12 && n <= 20);
	int i = cxm_taxonomy_find(TAX, "waiting_time");
	assert_true(i >= 0);
	assert_string_equal(cxm_taxonomy_name(TAX, (size_t)i, CXM_LANG_ES), "Tiempo de espera");
	assert_string_equal(cxm_taxonomy_name(TAX, (size_t)i, CXM_LANG_EN), "Waiting time");
	assert_string_equal(cxm_taxonomy_name(TAX, (size_t)i, CXM_LANG_OTHER), "Waiting time");
	assert_int_equal(cxm_taxonomy_find(TAX, "nope"), -1);
	assert_null(cxm_taxonomy_id(TAX, n));
}

static void test_phrases_and_exclusions(void **state)
{
	(void)state;
	const char *s = "El tiempo de espera fue largo";
	struct cxm_text t = tok(s);
	struct cxm_themes_found f;
	cxm_text_themes(&t, CXM_LANG_ES, ST, TAX, &A, &f);
	assert_int_equal(f.ntheme, 1);
	assert_string_equal(cxm_taxonomy_id(TAX, f.theme[0]), "waiting_time");
	assert_int_equal(f.nspan, 1); /* the phrase, not "espera" again */
	assert_int_equal(f.span[0].tok, 1);
	assert_int_equal(f.span[0].ntok, 3);
	assert_true(has_theme("The customer service was great", CXM_LANG_EN, "customer_service"));
	/* "customer service" is not staff (an exclusion of staff) */
	assert_false(has_theme("The customer service was great", CXM_LANG_EN, "staff"));
	/* a phrase does not run across sentences ("call center" is a term) */
	assert_false(has_theme("I will call. Center aisle was blocked", CXM_LANG_EN, "customer_service"));
	/* nothing to find */
	assert_string_equal(themes_of("Hola", CXM_LANG_ES), "");
	assert_string_equal(themes_of("", CXM_LANG_ES), "");
}

static int parse(const char *json, char *field, char *why)
{
	struct cxm_taxonomy *tax = NULL;
	int ret = cxm_taxonomy_parse(json, strlen(json), &tax, field, 64, why, 256);
	if (!ret) {
		assert_non_null(tax);
		cxm_taxonomy_free(tax);
	} else {
		assert_null(tax);
	}
	return ret;
}

static void test_tenant_taxonomy(void **state)
{
	(void)state;
	char field[64], why[256];
	/* a small tenant taxonomy works */
	const char *mine = "{\"themes\":[{\"id\":\"parking\",\"name\":{\"es\":\"Parqueo\",\"en\":\"Parking\"},"
			   "\"terms\":{\"es\":[\"parqueadero\",\"=parqueo\",\"aparca*\"],\"en\":[\"car park\"]}}]}";
	struct cxm_taxonomy *tax;
	assert_int_equal(cxm_taxonomy_parse(mine, strlen(mine), &tax, field, sizeof(field), why, sizeof(why)), 0);
	struct cxm_text t = tok("No había parqueadero ni donde aparcar");
	struct cxm_themes_found f;
	cxm_text_themes(&t, CXM_LANG_ES, ST, tax, &A, &f);
	assert_int_equal(f.ntheme, 1);
	assert_int_equal(f.nspan, 2);
	t = tok("The car park was full");
	cxm_text_themes(&t, CXM_LANG_EN, ST, tax, &A, &f);
	assert_int_equal(f.nspan, 1);
	assert_int_equal(f.span[0].ntok, 2);
	cxm_taxonomy_free(tax);

	/* the refusals of tests/data/text/taxonomy-refusals.tsv */
	FILE *in = fopen("tests/data/text/taxonomy-refusals.tsv", "r");
	char line[2048];
	int n = 0;
	assert_non_null(in);
	while (fgets(line, sizeof(line), in)) {
		char *col[4], *p = line;
		line[strcspn(line, "\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		for (int k = 0; k < 4; k++) {
			col[k] = p;
			if (k < 3) {
				if (!(p = strchr(p, '\t')))
					fail_msg("line '%s': want 4 fields", line);
				*p++ = 0;
			}
		}
		cxm_i18n_set(col[0]);
		if (parse(col[3], field, why) != CXM_EINVAL)
			fail_msg("accepted: %s", col[3]);
		if (strcmp(field, !strcmp(col[1], "-") ? "" : col[1]))
			fail_msg("%s: field '%s', want '%s'", col[3], field, col[1]);
		if (strcmp(col[2], "*") ? strcmp(why, col[2]) != 0 : !why[0])
			fail_msg("%s: reason '%s', want '%s'", col[3], why, col[2]);
		n++;
	}
	fclose(in);
	cxm_i18n_set("en");
	assert_true(n >= 20);

	/* too many themes */
	char big[16384];
	size_t o = (size_t)snprintf(big, sizeof(big), "{\"themes\":[");
	for (int i = 0; i <= CXM_TAXONOMY_MAX_THEMES; i++)
		o += (size_t)snprintf(big + o, sizeof(big) - o,
				      "%s{\"id\":\"t%d\",\"name\":{\"es\":\"x\",\"en\":\"x\"},\"terms\":{\"es\":[\"w%d\"]}}",
				      i ? "," : "", i, i);
	snprintf(big + o, sizeof(big) - o, "]}");
	assert_int_equal(parse(big, field, why), CXM_EINVAL);
	assert_string_equal(field, "themes");
	assert_string_equal(why, "at most 64 themes");
	/* too many terms */
	o = (size_t)snprintf(big, sizeof(big), "{\"themes\":[{\"id\":\"a\",\"name\":{\"es\":\"x\",\"en\":\"x\"},"
					       "\"terms\":{\"es\":[");
	for (int i = 0; i <= CXM_TAXONOMY_MAX_TERMS; i++)
		o += (size_t)snprintf(big + o, sizeof(big) - o, "%s\"w%d\"", i ? "," : "", i);
	snprintf(big + o, sizeof(big) - o, "]}}]}");
	assert_int_equal(parse(big, field, why), CXM_EINVAL);
	assert_string_equal(field, "themes[0].terms.es[200]");
	/* too big */
	static char huge[CXM_TAXONOMY_MAX_BYTES + 2];
	memset(huge, ' ', sizeof(huge) - 1);
	struct cxm_taxonomy *none;
	assert_int_equal(cxm_taxonomy_parse(huge, sizeof(huge) - 1, &none, field, sizeof(field), why, sizeof(why)),
			 CXM_ETOOBIG);
	assert_null(none);
}

/* The generated tables were stemmed at build time: the run-time stemmers
 * and the tokenizer must agree with them, or a cue would never match. */
static void check_set(const struct cue_set *set)
{
	for (int l = 0; l < 2; l++) {
		const struct cue_lang *L = &set->lang[l];
		assert_true(L->ncue > 0);
		for (size_t i = 0; i < L->nword; i++) {
			const struct cue_word *w = &L->word[i];
			struct cxm_text t = tok(w->key);
			if (t.ntok != 1 || strcmp(t.tok[0].key, w->key))
				fail_msg("cue word '%s' is not one token with that key", w->key);
			if (w->how == CUE_STEM &&
			    strcmp(cxm_stem(ST, l ? CXM_LANG_EN : CXM_LANG_ES, w->key), w->stem))
				fail_msg("cue word '%s': stem '%s' at build time, '%s' now", w->key, w->stem,
					 cxm_stem(ST, l ? CXM_LANG_EN : CXM_LANG_ES, w->key));
		}
	}
}

static void test_tables_agree(void **state)
{
	(void)state;
	check_set(&cxm_emotion_cues);
	check_set(&cxm_reason_cues);
}

/* The text of cue c: its words, a prefix as written ("tard" for "tard*"). */
static const char *cue_text_of(const struct cue_lang *L, const struct cue *c)
{
	static char buf[256];
	size_t o = 0;
	buf[0] = 0;
	for (size_t k = 0; k < c->nword && o < sizeof(buf); k++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", k ? " " : "", L->word[c->word + k].key);
	return buf;
}

/* Every cue of a set is found in its own text (through the hash tables
 * and the first-bytes filter), as itself or as a longer cue of its
 * category. */
static void find_each(const struct cue_set *set)
{
	for (int l = 0; l < 2; l++) {
		const struct cue_lang *L = &set->lang[l];
		for (size_t i = 0; i < L->ncue; i++) {
			const struct cue *c = &L->cue[i];
			if (c->exclude)
				continue;
			const char *s = cue_text_of(L, c);
			struct cxm_text t = tok(s);
			struct cue_text ct;
			struct cue_hit *h;
			cue_text_prepare(&ct, &t, l ? CXM_LANG_EN : CXM_LANG_ES, ST, &A);
			size_t n = cue_match(set, &ct, &A, &h), k = 0;
			while (k < n && !(h[k].cat == c->cat && h[k].ntok >= c->nword))
				k++;
			if (k == n)
				fail_msg("the cue '%s' (category %d) does not find itself", s, c->cat);
		}
	}
}

static void test_every_cue_matches(void **state)
{
	(void)state;
	find_each(&cxm_emotion_cues);
	find_each(&cxm_reason_cues);
	find_each(&TAX->set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_negation),
		cmocka_unit_test(test_intensity),
		cmocka_unit_test(test_sentiment_lean),
		cmocka_unit_test(test_matches),
		cmocka_unit_test(test_default_taxonomy),
		cmocka_unit_test(test_phrases_and_exclusions),
		cmocka_unit_test(test_tenant_taxonomy),
		cmocka_unit_test(test_tables_agree),
		cmocka_unit_test(test_every_cue_matches),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
