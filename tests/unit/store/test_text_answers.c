/*
 * test_text_answers.c - a response's text is its comment and its free-text
 * answers (tests/run.sh DB_TESTS: SQLite and PostgreSQL): which responses
 * cxm_store_response_texts walks and counts, the texts of a stored
 * response by its survey version, the analysis of several texts as one,
 * the re-analysis of a response with only a text answer, the PII policy
 * setting, a training in two steps (the fit, then the save), and one on
 * free-text answers alone.
 */
#include "testutil.h"

#include "cxm/json.h"
#include "cxm/textstore.h"
#include "cxm/time.h"

static const char def_json[] =
	"{\"languages\":[\"es\"],\"name\":\"P\",\"questions\":["
	"{\"id\":\"nps\",\"type\":\"nps\",\"text\":{\"es\":\"¿Nos recomendaría?\"}},"
	"{\"id\":\"why\",\"type\":\"text\",\"text\":{\"es\":\"¿Por qué?\"}},"
	"{\"id\":\"where\",\"type\":\"single_choice\",\"text\":{\"es\":\"¿Dónde?\"},"
	"\"options\":[{\"id\":\"web\",\"text\":{\"es\":\"Web\"}},{\"id\":\"shop\",\"text\":{\"es\":\"Tienda\"}}]},"
	"{\"id\":\"more\",\"type\":\"text\",\"text\":{\"es\":\"¿Algo más?\"}}]}";

static int64_t survey(int64_t t)
{
	int64_t sid;
	assert_int_equal(cxm_store_survey_create(S, t, "P", def_json, false, &sid), 0);
	return sid;
}

/* Stores a response as cxm_response_submit does: its texts analysed. */
static int64_t put(int64_t t, int64_t sid, const char *source, const char *comment, const char *answers)
{
	struct cxm_text_stored st;
	struct cxm_text_parts p;
	struct cxm_survey_def d;
	char field[96], why[300];
	cJSON *def = cJSON_Parse(def_json), *a = cJSON_Parse(answers);
	const cJSON *nps = cJSON_GetObjectItemCaseSensitive(a, "nps");
	struct cxm_response r = { .source_id = source, .survey_id = sid, .version = 1, .channel = "web",
				  .ts = 1772000000000000, .nps = cJSON_IsNumber(nps) ? nps->valueint : -1,
				  .csat = -1, .ces = -1, .comment = comment, .answers = answers, .complete = true };

	assert_int_equal(cxm_survey_check(def, &d, field, sizeof(field), why, sizeof(why)), 0);
	cxm_text_parts_of(&d, a, comment, &p);
	assert_int_equal(cxm_text_ingest_parts(S, t, &p, &st, &r), 0);
	if (cxm_store_response_put(S, t, &r, NULL))
		fail_msg("%s", cxm_store_errmsg(S));
	cJSON_Delete(a);
	cJSON_Delete(def);
	return r.id;
}

struct walked {
	int n;
	int64_t id[8];
	char themes[8][128];
	int score[8];
};

static int walk_cb(const struct cxm_response *r, void *ctx)
{
	struct walked *w = ctx;

	if (w->n < 8) {
		w->id[w->n] = r->id;
		cxm_strlcpy(w->themes[w->n], r->themes ? r->themes : "(null)", sizeof(w->themes[0]));
		w->score[w->n] = r->text_score;
	}
	w->n++;
	return 0;
}

static struct walked walk(int64_t t, int64_t after, int limit)
{
	struct walked w = { 0 };

	if (cxm_store_response_texts(S, t, after, limit, walk_cb, &w))
		fail_msg("%s", cxm_store_errmsg(S));
	return w;
}

static void test_which_responses_have_text(void **state)
{
	int64_t t = test_tenant(S), other = test_tenant(S), sid = survey(t), n = -1;
	(void)state;

	int64_t c = put(t, sid, "c", "El envío llegó tarde", "{\"nps\":3}");
	int64_t w = put(t, sid, "w", NULL, "{\"nps\":3,\"why\":\"El repartidor fue grosero\"}");
	put(t, sid, "n", NULL, "{\"nps\":9}");
	put(t, sid, "e", "", "{}");
	int64_t ch = put(t, sid, "ch", NULL, "{\"nps\":9,\"where\":\"web\"}");
	/* a comment, a text answer, and a choice (a string: the caller tells) */
	struct walked all = walk(t, INT64_MIN, 10);
	assert_int_equal(all.n, 3);
	assert_int_equal(all.id[0], c);
	assert_int_equal(all.id[1], w);
	assert_int_equal(all.id[2], ch);
	assert_int_equal(cxm_store_response_text_count(S, t, &n), 0);
	assert_int_equal(n, 3);
	/* in pages by id */
	struct walked page = walk(t, c, 1);
	assert_int_equal(page.n, 1);
	assert_int_equal(page.id[0], w);
	/* another tenant has none */
	assert_int_equal(walk(other, INT64_MIN, 10).n, 0);
	assert_int_equal(cxm_store_response_text_count(S, other, &n), 0);
	assert_int_equal(n, 0);
	/* the text answer was analysed on ingest, the choice was not */
	assert_true(strstr(all.themes[1], "staff") != NULL);
	assert_string_equal(all.themes[2], "(null)");
}

static void test_texts_of_a_stored_response(void **state)
{
	int64_t t = test_tenant(S), sid = survey(t);
	struct cxm_text_questions *q = cxm_text_questions_new();
	struct cxm_text_parts p;
	char *const *ids;
	size_t n;
	(void)state;

	assert_int_equal(cxm_text_questions_get(S, t, q, sid, 1, &ids, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(ids[0], "why");
	assert_string_equal(ids[1], "more");
	/* an unknown version has none */
	assert_int_equal(cxm_text_questions_get(S, t, q, sid, 7, &ids, &n), 0);
	assert_int_equal(n, 0);

	assert_int_equal(cxm_text_parts_stored(S, t, q, sid, 1, "Hola",
					       "{\"more\":\"Nada\",\"nps\":3,\"where\":\"web\",\"why\":\"Tarde\"}", &p),
			 0);
	assert_int_equal(p.n, 3);
	assert_string_equal(p.part[0].source, "comment");
	assert_string_equal(p.part[0].text, "Hola");
	/* in the survey's order, choices left out */
	assert_string_equal(p.part[1].source, "why");
	assert_string_equal(p.part[1].text, "Tarde");
	assert_string_equal(p.part[2].source, "more");
	cxm_text_parts_release(&p);
	/* empty texts are no texts */
	assert_int_equal(cxm_text_parts_stored(S, t, q, sid, 1, "", "{\"why\":\"\"}", &p), 0);
	assert_int_equal(p.n, 0);
	cxm_text_parts_release(&p);
	cxm_text_questions_free(q);
}

static void test_several_texts_as_one(void **state)
{
	int64_t t = test_tenant(S), sid = survey(t);
	(void)state;

	int64_t a = put(t, sid, "a", "El envío llegó tarde", "{}");
	int64_t b = put(t, sid, "b", NULL, "{\"why\":\"El repartidor fue muy amable\"}");
	int64_t ab = put(t, sid, "ab", "El envío llegó tarde", "{\"why\":\"El repartidor fue muy amable\"}");
	struct walked w = walk(t, INT64_MIN, 10);
	assert_int_equal(w.n, 3);
	assert_int_equal(w.id[0], a);
	assert_int_equal(w.id[1], b);
	assert_int_equal(w.id[2], ab);
	/* the union of the themes, each once, a score between the two */
	assert_true(strstr(w.themes[0], "delivery") && !strstr(w.themes[0], "staff"));
	assert_true(strstr(w.themes[1], "staff"));
	assert_true(strstr(w.themes[2], "delivery") && strstr(w.themes[2], "staff"));
	int lo = w.score[0] < w.score[1] ? w.score[0] : w.score[1], hi = w.score[0] < w.score[1] ? w.score[1] : w.score[0];
	assert_true(lo < hi);
	assert_true(w.score[2] > lo && w.score[2] < hi);
}

static void test_reanalysis_of_a_text_answer(void **state)
{
	static const char rude[] = "{\"themes\":[{\"id\":\"rude\",\"name\":{\"es\":\"Grosería\",\"en\":\"Rudeness\"},"
				     "\"terms\":{\"es\":[\"grosero\"],\"en\":[\"rude\"]}}]}";
	int64_t t = test_tenant(S), sid = survey(t), n = 0;
	struct cxm_taxonomy *tax = NULL;
	char field[96], why[300];
	(void)state;

	put(t, sid, "w", NULL, "{\"why\":\"El repartidor fue grosero\"}");
	assert_int_equal(cxm_taxonomy_parse(rude, strlen(rude), &tax, field, sizeof(field), why, sizeof(why)), 0);
	assert_int_equal(cxm_text_reanalyze(S, t, tax, &n), 0);
	cxm_taxonomy_free(tax);
	assert_int_equal(n, 1);
	struct walked w = walk(t, INT64_MIN, 10);
	assert_string_equal(w.themes[0], "rude");
}

static void test_pii_policy(void **state)
{
	int64_t t = test_tenant(S);
	bool mask = false;
	(void)state;

	assert_int_equal(cxm_text_pii_masked(S, t, &mask), 0);
	assert_true(mask);
	assert_int_equal(cxm_store_setting_set(S, t, CXM_TEXT_PII_SETTING, "keep"), 0);
	assert_int_equal(cxm_text_pii_masked(S, t, &mask), 0);
	assert_false(mask);
	assert_int_equal(cxm_store_setting_set(S, t, CXM_TEXT_PII_SETTING, "mask"), 0);
	assert_int_equal(cxm_text_pii_masked(S, t, &mask), 0);
	assert_true(mask);
}

/* A training in two steps: the fit writes nothing, the save stores it. */
static void test_fit_then_save(void **state)
{
	static const char *const places[] = { "el pedido", "la tienda", "el técnico", "la entrega" };
	int64_t t = test_tenant(S), sid = survey(t), at = -1;
	struct cxm_text_fit fit;
	char source[16], comment[96], answers[32];
	(void)state;

	for (int i = 0; i < 240; i++) {
		bool promoter = i % 2 == 0;
		snprintf(source, sizeof(source), "f%d", i);
		snprintf(comment, sizeof(comment), "%s %s el día %d", places[i % 4], promoter ? "fue puntual" : "tardó",
			 i % 28 + 1);
		snprintf(answers, sizeof(answers), "{\"nps\":%d}", promoter ? 9 + i % 2 : i % 7);
		put(t, sid, source, comment, answers);
	}
	assert_int_equal(cxm_text_train_fit(S, t, &fit), 0);
	assert_true(fit.res.trained);
	assert_int_equal(fit.res.labelled, 240);
	assert_non_null(fit.row.blob);
	assert_int_equal(cxm_store_text_model_trained_at(S, t, &at), 0);
	assert_int_equal(at, 0);
	assert_int_equal(cxm_text_train_save(S, t, &fit), 0);
	assert_int_equal(cxm_store_text_model_trained_at(S, t, &at), 0);
	assert_int_equal(at, fit.res.trained_at);
	cxm_text_fit_release(&fit);
	assert_null(fit.row.blob);
	/* the cache loads what was saved */
	struct cxm_model_ref *ref = NULL;
	assert_int_equal(cxm_text_model_get(S, t, &ref), 0);
	assert_non_null(cxm_text_model_of(ref));
	cxm_text_model_put(ref);
}

/* Responses whose only text is a free-text answer teach the model too;
 * scores without text do not count. */
static void test_trains_on_text_answers(void **state)
{
	int64_t t = test_tenant(S), sid = survey(t), npos = -1, nneg = -1;
	struct cxm_text_fit fit;
	char source[16], answers[128];
	(void)state;

	for (int i = 0; i < 240; i++) {
		bool promoter = i % 2 == 0;
		snprintf(source, sizeof(source), "a%d", i);
		snprintf(answers, sizeof(answers), "{\"nps\":%d,\"why\":\"el pedido %s el día %d\"}",
			 promoter ? 9 + i % 2 : i % 7, promoter ? "fue puntual" : "tardó", i % 28 + 1);
		put(t, sid, source, NULL, answers);
	}
	/* scores and a choice, no text */
	put(t, sid, "n1", NULL, "{\"nps\":10,\"where\":\"web\"}");
	put(t, sid, "n2", NULL, "{\"nps\":0}");
	assert_int_equal(cxm_store_text_labelled_counts(S, t, &npos, &nneg), 0);
	assert_int_equal(npos, 120);
	assert_int_equal(nneg, 120);
	assert_int_equal(cxm_text_train_fit(S, t, &fit), 0);
	assert_true(fit.res.trained);
	assert_int_equal(fit.res.stats.n, 240);
	assert_int_equal(fit.res.labelled, 240);
	cxm_text_fit_release(&fit);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_which_responses_have_text),
		cmocka_unit_test(test_texts_of_a_stored_response),
		cmocka_unit_test(test_several_texts_as_one),
		cmocka_unit_test(test_reanalysis_of_a_text_answer),
		cmocka_unit_test(test_pii_policy),
		cmocka_unit_test(test_fit_then_save),
		cmocka_unit_test(test_trains_on_text_answers),
	};

	return cmocka_run_group_tests(tests, test_group_open, test_group_close);
}
