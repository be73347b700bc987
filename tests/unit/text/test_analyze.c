/* test_analyze.c - one call for everything (src/text/analyze.c): the JSON
 * the API and the CLI answer, byte offsets that point at the right words,
 * the masked text, forced and detected languages, a tenant's taxonomy, and
 * every kind of refused or odd text. */
#include "testutil.h"

#include "cxm/json.h"
#include "cxm/text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct cxm_text_ctx ctx;

static int setup(void **state)
{
	(void)state;
	cxm_i18n_set("en");
	cxm_text_ctx_init(&ctx);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cxm_text_ctx_release(&ctx);
	return 0;
}

/* cJSON prints NaN and Inf as null, which no field of an analysis is */
static void no_null(const cJSON *it)
{
	for (; it; it = it->next) {
		assert_false(cJSON_IsNull(it));
		if (cJSON_IsNumber(it))
			assert_true(isfinite(it->valuedouble));
		no_null(it->child);
	}
}

/* The JSON as a reader gets it: printed and parsed back strictly (numbers
 * are raw items until printed), which also catches NaN, Inf or bad text.
 * Takes o. */
static cJSON *reparse(cJSON *o)
{
	char *s = cxm_json_print(o), err[128];
	cJSON *back = cxm_json_parse(s, strlen(s), err, sizeof(err));

	if (!back)
		fail_msg("printed JSON does not parse (%s): %s", err, s);
	no_null(back->child);
	free(s);
	cJSON_Delete(o);
	return back;
}

/* Analyses s (lang other: detect) and returns its JSON (owned). */
static cJSON *analyze_json(const char *s, enum cxm_lang lang, bool details, struct cxm_analysis *an)
{
	struct cxm_analysis local;
	struct cxm_analyze_opts o = { .lang = lang };
	char why[256] = "";

	if (!an)
		an = &local;
	if (cxm_text_analyze(&ctx, s, strlen(s), &o, an, why, sizeof(why)))
		fail_msg("analyze(%s): %s", s, why);
	return reparse(cxm_text_analysis_json(&ctx, an, details));
}

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	assert_true(cJSON_IsString(v));
	return v->valuestring;
}

/* true when array a holds the string s */
static bool has(const cJSON *a, const char *s)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, a)
		if (cJSON_IsString(it) && !strcmp(it->valuestring, s))
			return true;
	return false;
}

static void test_shape(void **state)
{
	(void)state;
	cJSON *o = analyze_json("El envío llegó tarde y el repartidor fue muy grosero, pésimo servicio", CXM_LANG_OTHER,
				false, NULL);
	const char *want[] = { "lang", "sentiment", "emotions", "reasons", "themes" };
	const cJSON *it, *s = cJSON_GetObjectItemCaseSensitive(o, "sentiment");
	size_t n = 0;

	cJSON_ArrayForEach(it, o) {
		assert_true(n < ARRAY_SIZE(want));
		assert_string_equal(it->string, want[n]);
		n++;
	}
	assert_int_equal(n, ARRAY_SIZE(want));
	assert_string_equal(str(o, "lang"), "es");
	assert_string_equal(str(s, "label"), "negative");
	double score = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(s, "score"));
	assert_true(score <= -CXM_SENTIMENT_THRESHOLD && score >= -1);
	/* emotions present only, each 0.3..1 */
	const cJSON *emo = cJSON_GetObjectItemCaseSensitive(o, "emotions");
	assert_true(cJSON_IsObject(emo));
	assert_non_null(cJSON_GetObjectItemCaseSensitive(emo, "anger"));
	assert_null(cJSON_GetObjectItemCaseSensitive(emo, "joy"));
	cJSON_ArrayForEach(it, emo) {
		double v = cJSON_GetNumberValue(it);
		assert_true(v >= CXM_CLASSIFY_PRESENT - 0.005 && v <= 1);
	}
	const cJSON *reasons = cJSON_GetObjectItemCaseSensitive(o, "reasons");
	assert_true(has(reasons, "staff") && has(reasons, "speed"));
	assert_false(has(reasons, "price"));
	const cJSON *themes = cJSON_GetObjectItemCaseSensitive(o, "themes");
	/* in order of first mention: "envío" comes before "grosero" */
	assert_string_equal(cJSON_GetArrayItem(themes, 0)->valuestring, "delivery");
	assert_true(has(themes, "staff"));
	cJSON_Delete(o);
}

static void test_reasons_strongest_first(void **state)
{
	(void)state;
	struct cxm_analysis an;
	cJSON *o = analyze_json("Very expensive, the price is a rip-off, and the staff were rude", CXM_LANG_EN, false, &an);
	const cJSON *reasons = cJSON_GetObjectItemCaseSensitive(o, "reasons"), *it;
	double prev = 2;

	assert_true(cJSON_GetArraySize(reasons) >= 2);
	cJSON_ArrayForEach(it, reasons) {
		double v = -1;
		for (int r = 0; r < CXM_REASON_COUNT; r++)
			if (!strcmp(cxm_reason_name((enum cxm_reason)r), it->valuestring))
				v = an.classes.reason[r];
		assert_true(v >= CXM_CLASSIFY_PRESENT && v <= prev);
		prev = v;
	}
	cJSON_Delete(o);
}

/* The bytes [start, end) of the JSON entry e within text, as a string. */
static char *slice(const char *text, const cJSON *e)
{
	static char buf[256];
	int start = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "start"));
	int end = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "end"));

	assert_true(start >= 0 && end >= start && (size_t)end <= strlen(text) && end - start < (int)sizeof(buf));
	memcpy(buf, text + start, (size_t)(end - start));
	buf[end - start] = '\0';
	return buf;
}

/* The text of the first highlight of kind (and name or theme, may be NULL). */
static const char *find_highlight(const char *text, const cJSON *hl, const char *kind, const char *name)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, hl) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(it, "name");
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(it, "theme");
		if (strcmp(str(it, "kind"), kind))
			continue;
		if (name && !((n && !strcmp(n->valuestring, name)) || (t && !strcmp(t->valuestring, name))))
			continue;
		return slice(text, it);
	}
	return NULL;
}

static void test_offsets(void **state)
{
	(void)state;
	const char *text = "¡Qué maravilla de tienda! El repartidor llegó tardísimo y me cobraron de más. Pésimo.";
	cJSON *o = analyze_json(text, CXM_LANG_OTHER, true, NULL);
	const cJSON *sent = cJSON_GetObjectItemCaseSensitive(o, "sentences");
	const cJSON *hl = cJSON_GetObjectItemCaseSensitive(o, "highlights"), *it;
	const char *w;
	int prev = -1;

	assert_int_equal(cJSON_GetArraySize(sent), 3);
	assert_string_equal(slice(text, cJSON_GetArrayItem(sent, 0)), "¡Qué maravilla de tienda!");
	assert_string_equal(str(cJSON_GetArrayItem(sent, 0), "label"), "positive");
	assert_string_equal(slice(text, cJSON_GetArrayItem(sent, 2)), "Pésimo.");
	assert_string_equal(str(cJSON_GetArrayItem(sent, 2), "label"), "negative");
	w = find_highlight(text, hl, "positive", NULL);
	assert_non_null(w);
	assert_string_equal(w, "maravilla");
	w = find_highlight(text, hl, "theme", "delivery");
	assert_non_null(w);
	assert_string_equal(w, "repartidor");
	w = find_highlight(text, hl, "negative", NULL);
	assert_non_null(w);
	assert_true(!strcmp(w, "tardísimo") || !strcmp(w, "Pésimo") || !strcmp(w, "cobraron de más"));
	/* ordered by start; every one inside the text; weights finite */
	cJSON_ArrayForEach(it, hl) {
		int start = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(it, "start"));
		assert_true(start >= prev);
		prev = start;
		slice(text, it);
		const cJSON *wt = cJSON_GetObjectItemCaseSensitive(it, "weight");
		if (!strcmp(str(it, "kind"), "theme"))
			assert_null(wt);
		else
			assert_true(wt && isfinite(cJSON_GetNumberValue(wt)));
	}
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "pii")), 0);
	assert_string_equal(str(o, "masked"), text);
	cJSON_Delete(o);
}

static void test_masked(void **state)
{
	(void)state;
	const char *text = "Soy Ana, cédula 1020304050, correo ana@example.com, tel +57 300 123 4567.";
	cJSON *o = analyze_json(text, CXM_LANG_ES, true, NULL);
	const cJSON *pii = cJSON_GetObjectItemCaseSensitive(o, "pii");

	assert_int_equal(cJSON_GetArraySize(pii), 3);
	assert_string_equal(str(cJSON_GetArrayItem(pii, 0), "kind"), "national_id");
	assert_string_equal(slice(text, cJSON_GetArrayItem(pii, 0)), "1020304050");
	assert_string_equal(str(cJSON_GetArrayItem(pii, 1), "kind"), "email");
	assert_string_equal(slice(text, cJSON_GetArrayItem(pii, 1)), "ana@example.com");
	assert_string_equal(str(cJSON_GetArrayItem(pii, 2), "kind"), "phone");
	assert_string_equal(slice(text, cJSON_GetArrayItem(pii, 2)), "+57 300 123 4567");
	assert_string_equal(str(o, "masked"), "Soy Ana, cédula [documento], correo [correo], tel [teléfono].");
	cJSON_Delete(o);

	/* English placeholders for an English text; a card; PII at both ends */
	text = "4111 1111 1111 1111 was charged twice, write to bob@example.org";
	o = analyze_json(text, CXM_LANG_EN, true, NULL);
	assert_string_equal(str(o, "masked"), "[card] was charged twice, write to [email]");
	cJSON_Delete(o);

	/* many spans (more than fit the first look) */
	char many[2048];
	size_t at = 0;
	for (int i = 0; i < 40; i++)
		at += (size_t)snprintf(many + at, sizeof(many) - at, "u%d@example.com ", i);
	struct cxm_analysis an;
	o = analyze_json(many, CXM_LANG_EN, true, &an);
	assert_int_equal(an.npii, 40);
	const char *m = str(o, "masked");
	assert_null(strchr(m, '@'));
	assert_int_equal(strncmp(m, "[email] [email] ", 16), 0);
	cJSON_Delete(o);
}

static void test_languages(void **state)
{
	(void)state;
	struct cxm_analysis an;
	cJSON *o;

	o = analyze_json("The delivery was late and nobody answered my emails", CXM_LANG_OTHER, false, &an);
	assert_string_equal(str(o, "lang"), "en");
	assert_true(an.lang_confidence > 0 && an.lang_confidence <= 1);
	cJSON_Delete(o);
	/* forced: answered as given, whatever the words */
	o = analyze_json("The delivery was late", CXM_LANG_ES, false, &an);
	assert_string_equal(str(o, "lang"), "es");
	assert_true(an.lang_confidence == 1);
	cJSON_Delete(o);
	/* mixed: a result, whatever it detects */
	o = analyze_json("Muy buen servicio but the app crashes todo el tiempo", CXM_LANG_OTHER, true, NULL);
	assert_non_null(cJSON_GetObjectItemCaseSensitive(o, "sentiment"));
	cJSON_Delete(o);
	/* only emoji: no language, a sentiment */
	o = analyze_json("😡😡😡", CXM_LANG_OTHER, true, NULL);
	assert_string_equal(str(o, "lang"), "other");
	assert_string_equal(str(cJSON_GetObjectItemCaseSensitive(o, "sentiment"), "label"), "negative");
	cJSON_Delete(o);
}

static void test_taxonomy_option(void **state)
{
	(void)state;
	const char *json = "{\"themes\":[{\"id\":\"parking\",\"name\":{\"es\":\"Parqueadero\",\"en\":\"Parking\"},"
			   "\"terms\":{\"es\":[\"parqueadero\"],\"en\":[\"parking\"]}}]}";
	struct cxm_taxonomy *tax;
	struct cxm_analysis an;
	struct cxm_analyze_opts o = { .lang = CXM_LANG_OTHER };
	char field[64], why[256];

	assert_int_equal(cxm_taxonomy_parse(json, strlen(json), &tax, field, sizeof(field), why, sizeof(why)), 0);
	o.taxonomy = tax;
	const char *text = "No parking anywhere and the delivery was late";
	assert_int_equal(cxm_text_analyze(&ctx, text, strlen(text), &o, &an, why, sizeof(why)), 0);
	cJSON *j = reparse(cxm_text_analysis_json(&ctx, &an, false));
	const cJSON *themes = cJSON_GetObjectItemCaseSensitive(j, "themes");
	assert_int_equal(cJSON_GetArraySize(themes), 1);
	assert_true(has(themes, "parking"));
	cJSON_Delete(j);
	/* the default: compiled once, shared */
	assert_ptr_equal(cxm_taxonomy_default(), cxm_taxonomy_default());
	o.taxonomy = NULL;
	assert_int_equal(cxm_text_analyze(&ctx, text, strlen(text), &o, &an, why, sizeof(why)), 0);
	assert_ptr_equal(an.taxonomy, cxm_taxonomy_default());
	j = reparse(cxm_text_analysis_json(&ctx, &an, false));
	assert_true(has(cJSON_GetObjectItemCaseSensitive(j, "themes"), "delivery"));
	assert_false(has(cJSON_GetObjectItemCaseSensitive(j, "themes"), "parking"));
	cJSON_Delete(j);
	cxm_taxonomy_free(tax);
}

static void test_refused(void **state)
{
	(void)state;
	struct cxm_analysis an;
	char why[256];
	size_t big = CXM_TEXT_MAX_BYTES + 1;
	char *s = malloc(big + 1);

	/* not UTF-8, a cut sequence, an overlong form, a NUL */
	const char *bad[] = { "caf\xe9", "abc\xc3", "\xc0\xaf", "\xed\xa0\x80" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		why[0] = '\0';
		assert_int_equal(cxm_text_analyze(&ctx, bad[i], strlen(bad[i]), NULL, &an, why, sizeof(why)), CXM_EINVAL);
		assert_true(why[0] != '\0');
	}
	why[0] = '\0';
	assert_int_equal(cxm_text_analyze(&ctx, "a\0b", 3, NULL, &an, why, sizeof(why)), CXM_EINVAL);
	assert_true(why[0] != '\0');
	/* too long by one byte; exactly the limit is fine */
	memset(s, 'a', big);
	for (size_t i = 5; i < big; i += 6)
		s[i] = ' ';
	s[big] = '\0';
	why[0] = '\0';
	assert_int_equal(cxm_text_analyze(&ctx, s, big, NULL, &an, why, sizeof(why)), CXM_EINVAL);
	assert_true(why[0] != '\0');
	assert_int_equal(cxm_text_analyze(&ctx, s, big - 1, NULL, &an, why, sizeof(why)), 0);
	cJSON_Delete(reparse(cxm_text_analysis_json(&ctx, &an, true)));
	free(s);
	/* the ctx still works after a refusal */
	cJSON *o = analyze_json("Excelente", CXM_LANG_ES, false, NULL);
	assert_string_equal(str(cJSON_GetObjectItemCaseSensitive(o, "sentiment"), "label"), "positive");
	cJSON_Delete(o);
}

static void test_odd_input(void **state)
{
	(void)state;
	const char *odd[] = { "", "   ", "!!!???...", "\x01\x02\x03 \x7f", "12345, 3.5%", "#️⃣ 🇨🇴 👍🏽 ❤️‍🔥",
			      "http://example.com/a?b=c", ":) :( xD <3", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };
	for (size_t i = 0; i < ARRAY_SIZE(odd); i++) {
		struct cxm_analysis an;
		cJSON *o = analyze_json(odd[i], CXM_LANG_OTHER, true, &an);
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, "sentiment");
		double score = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(s, "score"));

		assert_true(score >= -1 && score <= 1);
		assert_string_equal(str(o, "masked"), odd[i]);
		cJSON_Delete(o);
	}
	/* empty: neutral, no language, nothing found */
	cJSON *o = analyze_json("", CXM_LANG_OTHER, false, NULL);
	char *p = cxm_json_print(o);
	assert_string_equal(p, "{\"lang\":\"other\",\"sentiment\":{\"score\":0,\"label\":\"neutral\"},\"emotions\":{},"
			       "\"reasons\":[],\"themes\":[]}");
	free(p);
	cJSON_Delete(o);
}

/* The same text gives the same answer however many analyses came before. */
static void test_reuse(void **state)
{
	(void)state;
	const char *a = "Muy caro y el envío tardó una semana";
	cJSON *first = analyze_json(a, CXM_LANG_OTHER, true, NULL);
	char *p1 = cxm_json_print(first);

	for (int i = 0; i < 200; i++) {
		cJSON *x = analyze_json(i % 2 ? "Great support team, thanks!" : "no me devolvieron el dinero",
					CXM_LANG_OTHER, true, NULL);
		cJSON_Delete(x);
	}
	cJSON *again = analyze_json(a, CXM_LANG_OTHER, true, NULL);
	char *p2 = cxm_json_print(again);
	assert_string_equal(p1, p2);
	free(p1);
	free(p2);
	cJSON_Delete(first);
	cJSON_Delete(again);
}

/* A learned model in the options: the compound is the blend of the
 * lexicon's and the model's, the label follows it, the JSON says the
 * weight; without it, the lexicon alone. */
static void test_model_blend(void **state)
{
	enum { N = 240 };
	static const char *const places[] = { "el pedido", "la tienda", "el técnico", "la entrega", "el envío" };
	struct cxm_text_model_doc docs[N];
	struct cxm_stemmers *stem = cxm_stemmers_new();
	struct cxm_text_model *m = NULL;
	struct cxm_arena a;
	struct cxm_analysis an;
	char buf[128], why[128];
	(void)state;

	cxm_arena_init(&a, 1 << 16);
	for (size_t i = 0; i < N; i++) {
		struct cxm_text *t = cxm_arena_alloc(&a, sizeof(*t));
		struct cxm_sentiment sent;
		bool good = i % 2, twist = i % 3 == 0;

		/* a third read the other way by the lexicon */
		snprintf(buf, sizeof(buf), "%s %s el día %zu%s", places[i % 5], good ? "fue puntual" : "tardó", i % 7,
			 twist ? (good ? ", muy caro" : ", buen precio") : "");
		assert_int_equal(cxm_text_tokenize(&a, cxm_arena_strdup(&a, buf), strlen(buf), t, why, sizeof(why)), 0);
		cxm_sentiment_score(&a, stem, t, CXM_LANG_ES, &sent);
		docs[i] = (struct cxm_text_model_doc){ t, CXM_LANG_ES, good, sent.text.compound };
	}
	assert_int_equal(cxm_text_model_train(docs, N, stem, NULL, &m, NULL), 0);
	double w = cxm_text_model_stats(m)->blend_weight;
	assert_true(w > 0);

	const char *probe = "El repartidor tardó el domingo";
	struct cxm_analyze_opts lex = { .lang = CXM_LANG_ES }, with = { .lang = CXM_LANG_ES, .model = m };
	assert_int_equal(cxm_text_analyze(&ctx, probe, strlen(probe), &lex, &an, why, sizeof(why)), 0);
	double plain = an.sentiment.text.compound;
	assert_true(an.model_weight == 0);
	cJSON *o = cxm_text_analysis_json(&ctx, &an, false);
	assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "sentiment"), "model_weight"));
	cJSON_Delete(o);

	assert_int_equal(cxm_text_analyze(&ctx, probe, strlen(probe), &with, &an, why, sizeof(why)), 0);
	double p = cxm_text_model_predict(m, &an.text, CXM_LANG_ES, ctx.stemmers);
	assert_true(p < 0.5);
	assert_true(fabs(an.sentiment.text.compound - cxm_text_model_blend(m, plain, p)) < 1e-12);
	assert_true(an.sentiment.text.compound < plain);
	assert_true(an.model_weight == w);
	assert_int_equal(an.sentiment.text.label, an.sentiment.text.compound <= -CXM_SENTIMENT_THRESHOLD
							   ? CXM_SENTIMENT_NEGATIVE
							   : an.sentiment.text.compound >= CXM_SENTIMENT_THRESHOLD
								     ? CXM_SENTIMENT_POSITIVE
								     : CXM_SENTIMENT_NEUTRAL);
	o = reparse(cxm_text_analysis_json(&ctx, &an, false));
	const cJSON *mw = cJSON_GetObjectItem(cJSON_GetObjectItem(o, "sentiment"), "model_weight");
	assert_non_null(mw);
	assert_true(fabs(mw->valuedouble - w) < 1e-4);
	cJSON_Delete(o);

	/* an empty text is left alone */
	assert_int_equal(cxm_text_analyze(&ctx, "", 0, &with, &an, why, sizeof(why)), 0);
	assert_true(an.model_weight == 0 && an.sentiment.text.compound == 0);

	cxm_text_model_free(m);
	cxm_stemmers_free(stem);
	cxm_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_reasons_strongest_first),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_masked),
		cmocka_unit_test(test_languages),
		cmocka_unit_test(test_taxonomy_option),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_odd_input),
		cmocka_unit_test(test_reuse),
		cmocka_unit_test(test_model_blend),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
