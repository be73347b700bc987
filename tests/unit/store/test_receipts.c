/* test_receipts.c - receipts of anonymous responses in the store, and
 * deleting a response with what points at it, on SQLite and PostgreSQL
 * alike (tests/run.sh DB_TESTS). */
#include "testutil.h"

#include "cxm/time.h"

static const char def[] = "{\"anonymous\":true,\"languages\":[\"en\"],\"name\":\"A\",\"questions\":[{\"id\":\"nps\","
			  "\"text\":{\"en\":\"a\"},\"type\":\"nps\"}]}";

static int64_t response(int64_t t, int64_t survey, const char *source)
{
	struct cxm_response r = { .source_id = source, .survey_id = survey, .version = 1, .channel = "web",
				  .ts = cxm_now_us(), .nps = 3, .csat = -1, .ces = -1, .answers = "{\"nps\":3}",
				  .complete = true };
	enum cxm_put_result res;

	assert_int_equal(cxm_store_response_put(S, t, &r, &res), 0);
	assert_int_equal(res, CXM_PUT_INSERTED);
	return r.id;
}

static int count_cb(const struct cxm_response *r, void *ctx)
{
	(void)r;
	++*(int *)ctx;
	return 0;
}

static int inv_cb(const struct cxm_invitation *inv, void *ctx)
{
	*(int64_t *)ctx = inv->response_id;
	return 0;
}

static void test_receipt_find_and_delete(void **state)
{
	int64_t t = test_tenant(S), other = test_tenant(S), survey, survey2, id, keep, found = 0, inv_id, pointed = -1;
	char hash[65];
	int n = 0;
	(void)state;

	assert_int_equal(cxm_store_survey_create(S, t, "A", def, false, &survey), 0);
	assert_int_equal(cxm_store_survey_create(S, t, "B", def, false, &survey2), 0);
	id = response(t, survey, "open:1");
	keep = response(t, survey, "open:2");
	memset(hash, 'a', 64);
	hash[64] = '\0';
	assert_int_equal(cxm_store_receipt_add(S, t, hash, survey, id), 0);
	assert_int_equal(cxm_store_receipt_add(S, t, hash, survey, keep), 0); /* the same hash again: left alone */
	assert_int_equal(cxm_store_receipt_find(S, t, survey, hash, &found), 0);
	assert_true(found == id);
	/* another survey's page, another tenant: nothing */
	assert_int_equal(cxm_store_receipt_find(S, t, survey2, hash, &found), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_receipt_find(S, other, survey, hash, &found), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_response_get(S, other, id, count_cb, &n), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_response_delete(S, other, id), CXM_ENOTFOUND);

	/* an invitation that points at it forgets it */
	struct cxm_invitation inv = { .id = cxm_id_next(), .survey_id = survey, .channel = "link",
				      .expires_at = cxm_now_us() + 1000000000 };
	assert_int_equal(cxm_store_invitation_add(S, t, &inv, &inv_id), 0);
	assert_int_equal(cxm_store_invitation_answered(S, t, inv_id, id, cxm_now_us()), 0);

	assert_int_equal(cxm_store_response_get(S, t, id, count_cb, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(cxm_store_response_delete(S, t, id), 0);
	assert_int_equal(cxm_store_response_get(S, t, id, count_cb, &n), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_response_by_source(S, t, "open:1", count_cb, &n), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_receipt_find(S, t, survey, hash, &found), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_invitation_get(S, t, inv_id, inv_cb, &pointed), 0);
	assert_true(pointed == 0);
	assert_int_equal(cxm_store_response_delete(S, t, id), CXM_ENOTFOUND);
	/* the other response stays */
	n = 0;
	assert_int_equal(cxm_store_response_get(S, t, keep, count_cb, &n), 0);
	assert_int_equal(n, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_receipt_find_and_delete),
	};
	return cmocka_run_group_tests(tests, test_group_open, test_group_close);
}
