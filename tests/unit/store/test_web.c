/* test_web.c - what the web snippet's API asks the store: a tenant secret
 * found without being made, and a customer's pending invitations on one
 * channel. Run on SQLite and PostgreSQL (tests/run.sh DB_TESTS). */
#include "testutil.h"

#include "cxm/time.h"

#include <string.h>

struct got {
	int n;
	int64_t id[8];
};

static int got_cb(const struct cxm_invitation *inv, void *ctx)
{
	struct got *g = ctx;

	assert_true(g->n < 8);
	assert_string_equal(inv->channel, "web");
	g->id[g->n++] = inv->id;
	return 0;
}

static int64_t invite(int64_t t, int64_t customer, const char *channel, int64_t created, int64_t expires)
{
	struct cxm_invitation inv = { .id = created, .survey_id = 7, .customer_id = customer, .channel = channel,
				      .expires_at = expires };
	int64_t id = 0;

	assert_int_equal(cxm_store_invitation_add(S, t, &inv, &id), 0);
	return id;
}

static void test_secret_find(void **state)
{
	int64_t t1 = test_tenant(S), t2 = test_tenant(S);
	char made[65], found[65];
	(void)state;

	assert_int_equal(cxm_store_tenant_secret_find(S, t1, "web_site", found), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_tenant_secret(S, t1, "web_site", made), 0);
	assert_int_equal(cxm_store_tenant_secret_find(S, t1, "web_site", found), 0);
	assert_string_equal(found, made);
	/* another name, another tenant, a tenant that does not exist: nothing, and nothing made */
	assert_int_equal(cxm_store_tenant_secret_find(S, t1, "web_identity", found), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_tenant_secret_find(S, t2, "web_site", found), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_tenant_secret_find(S, INT64_MAX, "web_site", found), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_tenant_secret_find(S, INT64_MAX, "web_site", found), CXM_ENOTFOUND);
}

static void test_pending(void **state)
{
	int64_t t = test_tenant(S), other = test_tenant(S), now = cxm_now_us(), day = 86400000000LL;
	int64_t c = 1001, base = now / 1000; /* ids in creation order */
	struct got g = { 0 };
	(void)state;

	int64_t old = invite(t, c, "web", base + 1, now + day);
	int64_t newer = invite(t, c, "web", base + 2, now + day);
	int64_t answered = invite(t, c, "web", base + 3, now + day);
	invite(t, c, "web", base + 4, now - 1);          /* expired */
	invite(t, c, "link", base + 5, now + day);       /* another channel */
	invite(t, c + 1, "web", base + 6, now + day);    /* another customer */
	invite(other, c, "web", base + 7, now + day);    /* another tenant */
	assert_int_equal(cxm_store_invitation_answered(S, t, answered, 99, now), 0);

	assert_int_equal(cxm_store_invitations_pending(S, t, c, "web", now, 5, got_cb, &g), 0);
	assert_int_equal(g.n, 2);
	assert_true(g.id[0] == newer && g.id[1] == old); /* newest first */
	memset(&g, 0, sizeof(g));
	assert_int_equal(cxm_store_invitations_pending(S, t, c, "web", now, 1, got_cb, &g), 0);
	assert_int_equal(g.n, 1);
	assert_true(g.id[0] == newer);
	/* an opened invitation is still pending */
	assert_int_equal(cxm_store_invitation_opened(S, t, newer, now), 0);
	memset(&g, 0, sizeof(g));
	assert_int_equal(cxm_store_invitations_pending(S, t, c, "web", now, 5, got_cb, &g), 0);
	assert_int_equal(g.n, 2);
	memset(&g, 0, sizeof(g));
	assert_int_equal(cxm_store_invitations_pending(S, t, c, "web", now + 2 * day, 5, got_cb, &g), 0);
	assert_int_equal(g.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secret_find),
		cmocka_unit_test(test_pending),
	};
	return cmocka_run_group_tests(tests, test_group_open, test_group_close);
}
