/* test_idempotency.c - stored answers of Idempotency-Keys (store.h,
 * src/store/idempotency.c) on SQLite and PostgreSQL alike (tests/run.sh
 * DB_TESTS): per tenant and credential, a live key is not overwritten, an
 * expired one is, and the purge deletes expired answers one tenant at a
 * time in bounded batches. */
#include "testutil.h"

#include "cxm/time.h"

struct got {
	int n;
	int status;
	char body[64], hash[16], ctype[32], location[32];
	bool ctype_null, location_null;
	int64_t created_at;
};

static int got_cb(const struct cxm_idem_answer *a, void *ctx)
{
	struct got *g = ctx;

	g->n++;
	g->status = a->status;
	cxm_strlcpy(g->body, a->body, sizeof(g->body));
	cxm_strlcpy(g->hash, a->request_hash, sizeof(g->hash));
	g->ctype_null = !a->content_type;
	g->location_null = !a->location;
	cxm_strlcpy(g->ctype, a->content_type ? a->content_type : "", sizeof(g->ctype));
	cxm_strlcpy(g->location, a->location ? a->location : "", sizeof(g->location));
	g->created_at = a->created_at;
	return 0;
}

static struct cxm_idem_answer answer(const char *body, int64_t at)
{
	return (struct cxm_idem_answer){ .method = "POST", .path = "/api/v1/journeys", .request_hash = "h1",
					 .status = 201, .content_type = "application/json",
					 .location = "/api/v1/journeys/7", .body = body, .created_at = at };
}

static void test_put_get_per_tenant_and_credential(void **state)
{
	int64_t t = test_tenant(S), other = test_tenant(S), now = cxm_now_us();
	struct cxm_idem_answer a = answer("{\"id\":\"7\"}", now), b = answer("{\"id\":\"8\"}", now);
	struct got g = { 0 };
	(void)state;

	assert_int_equal(cxm_store_idem_put(S, t, "k1", "key-1", &a, now - 1000000), 0);
	assert_int_equal(cxm_store_idem_get(S, t, "k1", "key-1", now - 1000000, got_cb, &g), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.status, 201);
	assert_string_equal(g.body, "{\"id\":\"7\"}");
	assert_string_equal(g.hash, "h1");
	assert_string_equal(g.ctype, "application/json");
	assert_string_equal(g.location, "/api/v1/journeys/7");
	assert_true(g.created_at == now);
	/* another tenant, another credential, another key: nothing */
	assert_int_equal(cxm_store_idem_get(S, other, "k1", "key-1", 0, got_cb, &g), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_idem_get(S, t, "k2", "key-1", 0, got_cb, &g), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_idem_get(S, t, "k1", "key-2", 0, got_cb, &g), CXM_ENOTFOUND);
	/* a live answer is not overwritten */
	assert_int_equal(cxm_store_idem_put(S, t, "k1", "key-1", &b, now - 1000000), CXM_ECONFLICT);
	memset(&g, 0, sizeof(g));
	assert_int_equal(cxm_store_idem_get(S, t, "k1", "key-1", 0, got_cb, &g), 0);
	assert_string_equal(g.body, "{\"id\":\"7\"}");
	/* the same key of another tenant and credential is theirs */
	assert_int_equal(cxm_store_idem_put(S, other, "k1", "key-1", &b, now - 1000000), 0);
	assert_int_equal(cxm_store_idem_put(S, t, "u5", "key-1", &b, now - 1000000), 0);
	/* no content type, no location */
	b.content_type = NULL;
	b.location = NULL;
	assert_int_equal(cxm_store_idem_put(S, t, "k1", "key-3", &b, now - 1000000), 0);
	memset(&g, 0, sizeof(g));
	assert_int_equal(cxm_store_idem_get(S, t, "k1", "key-3", 0, got_cb, &g), 0);
	assert_true(g.ctype_null && g.location_null);
}

static void test_expired_answer_is_not_read_and_gives_way(void **state)
{
	int64_t t = test_tenant(S), now = cxm_now_us();
	struct cxm_idem_answer a = answer("old", now - 10000000), b = answer("new", now);
	struct got g = { 0 };
	(void)state;

	assert_int_equal(cxm_store_idem_put(S, t, "k1", "key", &a, now - 20000000), 0);
	/* with a 5 s TTL it has expired */
	assert_int_equal(cxm_store_idem_get(S, t, "k1", "key", now - 5000000, got_cb, &g), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_idem_put(S, t, "k1", "key", &b, now - 5000000), 0);
	assert_int_equal(cxm_store_idem_get(S, t, "k1", "key", now - 5000000, got_cb, &g), 0);
	assert_string_equal(g.body, "new");
}

static void test_purge_one_tenant_at_a_time_in_batches(void **state)
{
	int64_t a = test_tenant(S), b = test_tenant(S), now = cxm_now_us(), n = -1, oldest = 0;
	struct got g = { 0 };
	char key[16];
	(void)state;

	/* long ago (before anything else in the database): a's three, b's two */
	for (int i = 0; i < 3; i++) {
		struct cxm_idem_answer x = answer("a", 1000 + i);
		snprintf(key, sizeof(key), "a%d", i);
		assert_int_equal(cxm_store_idem_put(S, a, "k1", key, &x, 0), 0);
	}
	for (int i = 0; i < 2; i++) {
		struct cxm_idem_answer x = answer("b", 2000 + i);
		snprintf(key, sizeof(key), "b%d", i);
		assert_int_equal(cxm_store_idem_put(S, b, "k1", key, &x, 0), 0);
	}
	struct cxm_idem_answer live = answer("live", now);
	assert_int_equal(cxm_store_idem_put(S, a, "k1", "live", &live, 0), 0);
	assert_int_equal(cxm_store_idem_oldest(S, &oldest), 0);
	assert_true(oldest == 1000);

	assert_int_equal(cxm_store_idem_purge(S, 5000, 2, &n), 0);
	assert_true(n == 2); /* a's first two */
	assert_int_equal(cxm_store_idem_get(S, a, "k1", "a0", 0, got_cb, &g), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_idem_get(S, b, "k1", "b0", 0, got_cb, &g), 0);
	assert_int_equal(cxm_store_idem_purge(S, 5000, 2, &n), 0);
	assert_true(n == 1); /* a's last: one tenant per call */
	assert_int_equal(cxm_store_idem_get(S, b, "k1", "b0", 0, got_cb, &g), 0);
	assert_int_equal(cxm_store_idem_purge(S, 5000, 2, &n), 0);
	assert_true(n == 2); /* b's */
	assert_int_equal(cxm_store_idem_purge(S, 5000, 2, &n), 0);
	assert_true(n == 0);
	assert_int_equal(cxm_store_idem_oldest(S, &oldest), 0);
	assert_true(oldest > 5000);
	/* the live answer stays */
	assert_int_equal(cxm_store_idem_get(S, a, "k1", "live", 0, got_cb, &g), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get_per_tenant_and_credential),
		cmocka_unit_test(test_expired_answer_is_not_read_and_gives_way),
		cmocka_unit_test(test_purge_one_tenant_at_a_time_in_batches),
	};
	return cmocka_run_group_tests(tests, test_group_open, test_group_close);
}
