/*
 * test_text_model.c - the tenant's learned text model against the store
 * (tests/run.sh DB_TESTS: SQLite and PostgreSQL): the text_models row put,
 * replaced and read back per tenant, the labelled counts, a training with
 * too little data and one with enough, the cache seeing a new training,
 * and when a model is due for retraining.
 */
#include "testutil.h"

#include "cxm/textstore.h"
#include "cxm/time.h"

static int64_t survey(int64_t t)
{
	int64_t sid;
	assert_int_equal(cxm_store_survey_create(S, t, "S", "{\"languages\":[\"es\"],\"name\":\"S\",\"questions\":[]}",
						 false, &sid), 0);
	return sid;
}

static void put(int64_t t, int64_t sid, int i, const char *comment, int nps, int csat)
{
	struct cxm_text_stored st;
	char source[32];
	struct cxm_response r = { .source_id = source, .survey_id = sid, .version = 1, .channel = "web",
				  .ts = cxm_now_us(), .nps = nps, .csat = csat, .ces = -1, .comment = comment,
				  .answers = "{}", .complete = true };

	snprintf(source, sizeof(source), "s-%d", i);
	assert_int_equal(cxm_text_ingest(S, t, comment, &st, &r), 0);
	if (cxm_store_response_put(S, t, &r, NULL))
		fail_msg("%s", cxm_store_errmsg(S));
}

static void test_row(void **state)
{
	int64_t t = test_tenant(S), u = test_tenant(S), at;
	struct cxm_text_model_row row = { .blob = "00ff", .trained_at = 5, .labelled = 3, .npos = 1, .nneg = 2,
					  .cv_accuracy = 900000, .auc = 950000, .weight = 100000 };
	struct cxm_text_model_row got;
	bool found;
	(void)state;

	assert_int_equal(cxm_store_text_model_get(S, t, &got, &found), 0);
	assert_false(found);
	assert_null(got.blob);
	assert_int_equal(cxm_store_text_model_put(S, t, &row), 0);
	assert_int_equal(cxm_store_text_model_get(S, t, &got, &found), 0);
	assert_true(found);
	assert_string_equal(got.blob, "00ff");
	assert_true(got.trained_at == 5 && got.labelled == 3 && got.npos == 1 && got.nneg == 2 &&
		    got.cv_accuracy == 900000 && got.auc == 950000 && got.weight == 100000);
	cxm_text_model_row_free(&got);
	/* replaced, blob gone */
	row = (struct cxm_text_model_row){ .trained_at = 7, .labelled = 1, .npos = 1 };
	assert_int_equal(cxm_store_text_model_put(S, t, &row), 0);
	assert_int_equal(cxm_store_text_model_get(S, t, &got, &found), 0);
	assert_true(found && !got.blob && got.trained_at == 7 && got.labelled == 1 && got.weight == 0);
	assert_int_equal(cxm_store_text_model_trained_at(S, t, &at), 0);
	assert_int_equal(at, 7);
	/* another tenant has none */
	assert_int_equal(cxm_store_text_model_trained_at(S, u, &at), 0);
	assert_int_equal(at, 0);
	assert_int_equal(cxm_store_text_model_get(S, u, &got, &found), 0);
	assert_false(found);
	/* both tenants are listed, in order, page by page (a database that
	 * served many test runs holds hundreds of tenants) */
	int64_t ids[200], after = INT64_MIN;
	size_t n, seen = 0;
	do {
		assert_int_equal(cxm_store_text_model_tenants(S, after, 200, ids, &n), 0);
		for (size_t i = 0; i < n; i++) {
			assert_true(ids[i] > after);
			after = ids[i];
			seen += ids[i] == t || ids[i] == u;
		}
	} while (n == 200);
	assert_int_equal(seen, 2);
}

static void test_counts_and_training(void **state)
{
	int64_t t = test_tenant(S), sid = survey(t), npos, nneg;
	struct cxm_text_train_result res;
	struct cxm_model_ref *ref;
	bool due;
	int i = 0;
	(void)state;

	put(t, sid, i++, "el pedido tardó", 10, -1);  /* promoter */
	put(t, sid, i++, "el pedido tardó", 3, -1);   /* detractor */
	put(t, sid, i++, "el pedido tardó", 8, 1);    /* passive: the CSAT is not read */
	put(t, sid, i++, "fue puntual", -1, 5);       /* CSAT promoter-like */
	put(t, sid, i++, "fue puntual", -1, 2);       /* CSAT detractor-like */
	put(t, sid, i++, "fue puntual", -1, 3);       /* nothing */
	put(t, sid, i++, NULL, 10, -1);               /* no comment */
	assert_int_equal(cxm_store_text_labelled_counts(S, t, &npos, &nneg), 0);
	assert_true(npos == 2 && nneg == 2);

	/* too little data: a normal outcome, the counts kept */
	assert_int_equal(cxm_text_model_due(S, t, &due), 0);
	assert_false(due);
	assert_int_equal(cxm_text_train_tenant(S, t, &res), 0);
	assert_false(res.trained);
	assert_true(res.trained_at > 0 && res.labelled == 4 && res.npos == 2 && res.nneg == 2);
	assert_int_equal(cxm_text_model_get(S, t, &ref), 0);
	assert_null(cxm_text_model_of(ref));
	cxm_text_model_put(ref);

	/* enough: 240 more, half each way */
	for (int k = 0; k < 240; k++)
		put(t, sid, i++, k % 2 ? "el técnico fue puntual" : "el técnico tardó", k % 2 ? 9 : 2, -1);
	assert_int_equal(cxm_text_model_due(S, t, &due), 0);
	assert_true(due);
	assert_int_equal(cxm_text_train_tenant(S, t, &res), 0);
	assert_true(res.trained && res.labelled == 244 && res.stats.n == 244);
	assert_true(res.stats.cv_accuracy > 0.9);
	/* the cache sees the new training */
	assert_int_equal(cxm_text_model_get(S, t, &ref), 0);
	assert_non_null(cxm_text_model_of(ref));
	assert_int_equal(cxm_text_model_stats(cxm_text_model_of(ref))->n, 244);
	cxm_text_model_put(ref);
	assert_int_equal(cxm_text_model_due(S, t, &due), 0);
	assert_false(due);
	/* 10% more labelled comments: due again; passives do not count */
	for (int k = 0; k < 30; k++)
		put(t, sid, i++, "el técnico vino", 7, -1);
	assert_int_equal(cxm_text_model_due(S, t, &due), 0);
	assert_false(due);
	for (int k = 0; k < 25; k++)
		put(t, sid, i++, k % 2 ? "el técnico fue puntual" : "el técnico tardó", k % 2 ? 10 : 0, -1);
	assert_int_equal(cxm_text_model_due(S, t, &due), 0);
	assert_true(due);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_row),
		cmocka_unit_test(test_counts_and_training),
	};
	return cmocka_run_group_tests(tests, test_group_open, test_group_close);
}
