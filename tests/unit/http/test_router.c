/* test_router.c - route matching, the JSON limits, scope spans and the
 * catalogue lookups the server relies on. */
#include "testutil.h"

#include "http-internal.h"

static const struct route *m(const char *method, const char *path, struct cxm_str *params, bool *ok)
{
	return route_match(method, path, params, ok);
}

static void test_routes_match_with_params(void **state)
{
	struct cxm_str p[MAX_PARAMS];
	bool ok;
	const struct route *rt;
	(void)state;

	rt = m("GET", "/api/v1/customers/123/events", p, &ok);
	assert_non_null(rt);
	assert_string_equal(rt->pattern, "/api/v1/customers/{id}/events");
	assert_int_equal(p[0].len, 3);
	assert_memory_equal(p[0].p, "123", 3);
	rt = m("POST", "/api/v1/customers/9/merge", p, &ok);
	assert_non_null(rt);
	assert_string_equal(rt->pattern, "/api/v1/customers/{id}/merge");
	/* the exact path wins over a longer pattern and vice versa */
	rt = m("GET", "/api/v1/customers", p, &ok);
	assert_string_equal(rt->pattern, "/api/v1/customers");
	/* HEAD is served by GET routes */
	assert_non_null(m("HEAD", "/healthz", p, &ok));
}

static void test_unknown_paths_and_methods(void **state)
{
	struct cxm_str p[MAX_PARAMS];
	bool ok;
	(void)state;

	assert_null(m("GET", "/api/v1/nothing", p, &ok));
	assert_true(ok); /* 404, not 405 */
	assert_null(m("GET", "/api/v1/customers//events", p, &ok));
	assert_null(m("GET", "/api/v1/customers/1/events/", p, &ok));
	assert_null(m("PUT", "/api/v1/events", p, &ok));
	assert_false(ok); /* the path exists with another method: 405 */
	assert_null(m("DELETE", "/api/v1/customers/1", p, &ok));
	assert_false(ok);
	/* everything else outside /api/ is the dashboard's, for GET only */
	const struct route *rt = m("GET", "/customers/12", p, &ok);
	assert_non_null(rt);
	assert_true(rt->flags & RF_STATIC);
	assert_null(m("POST", "/customers/12", p, &ok));
	assert_null(m("GET", "/api", p, &ok));
	/* the web snippet is its own route (cached, not the dashboard's);
	 * its API answers CORS preflights and is limited per address only */
	rt = m("GET", "/w/cxm.js", p, &ok);
	assert_non_null(rt);
	assert_false(rt->flags & RF_STATIC);
	rt = m("OPTIONS", "/w/v1/events", p, &ok);
	assert_non_null(rt);
	assert_true(rt->flags & RF_WEB);
	rt = m("POST", "/w/v1/answer", p, &ok);
	assert_true((rt->flags & RF_WEB) && (rt->flags & RF_PUBLIC) && !rt->roles);
	assert_null(m("PUT", "/w/v1/events", p, &ok));
	assert_false(ok);
}

static void test_every_api_route_needs_a_role_but_the_public_ones(void **state)
{
	static const char *const public_paths[] = { "/healthz", "/metrics", "/api/v1/openapi.json", "/api/v1/messages",
						    "/api/v1/session", "/", "/s/{token}", "/u/{token}",
						    "/w/cxm.js", "/w/v1/events", "/w/v1/prompt", "/w/v1/answer",
						    "/s/{token}/receipt", "/o/{token}" };
	(void)state;

	for (size_t i = 0; i < routes_n; i++) {
		bool is_public = false;
		for (size_t k = 0; k < ARRAY_SIZE(public_paths); k++)
			is_public |= !strcmp(routes[i].pattern, public_paths[k]) &&
				     (strcmp(routes[i].pattern, "/api/v1/session") || !strcmp(routes[i].method, "POST"));
		if (is_public)
			assert_int_equal(routes[i].roles, 0);
		else if (routes[i].roles == 0)
			fail_msg("%s %s has no roles", routes[i].method, routes[i].pattern);
		/* a route that writes data never admits viewers (their own
		 * session and language they may change) */
		if ((routes[i].flags & RF_WRITE) && !(routes[i].flags & RF_SESSION_ONLY))
			assert_false(routes[i].roles & ROLE_VIEWER);
	}
	assert_int_equal(role_bit("owner"), ROLE_OWNER);
	assert_int_equal(role_bit("viewer"), ROLE_VIEWER);
	assert_int_equal(role_bit("root"), 0);
	assert_int_equal(role_bit(NULL), 0);
}

static void test_json_limits(void **state)
{
	char why[200], err[200];
	cJSON *j;
	(void)state;

	j = cxm_json_parse("{\"a\":{\"b\":[1,{\"c\":2}]}}", 23, err, sizeof(err));
	assert_non_null(j);
	assert_int_equal(json_limits(j, 4, 100, why, sizeof(why)), 0);
	assert_int_equal(json_limits(j, 3, 100, why, sizeof(why)), -1);
	cJSON_Delete(j);
	j = cxm_json_parse("{\"name\":\"abcdefghij\"}", 21, err, sizeof(err));
	assert_int_equal(json_limits(j, 5, 10, why, sizeof(why)), 0);
	assert_int_equal(json_limits(j, 5, 9, why, sizeof(why)), -1);
	cJSON_Delete(j);
	j = cxm_json_parse("{\"abcdefghijk\":1}", 17, err, sizeof(err));
	assert_int_equal(json_limits(j, 5, 10, why, sizeof(why)), -1); /* keys count too */
	cJSON_Delete(j);
}

static void test_scope_spans(void **state)
{
	struct cxm_span spans[] = { { 1, INT64_MIN, INT64_MAX }, { 2, 100, 200 } };
	struct principal p = { .scoped = 1, .spans = spans, .nspans = 2 };
	(void)state;

	assert_true(principal_sees(&p, 1, 5));
	assert_true(principal_sees(&p, 2, 100));
	assert_true(principal_sees(&p, 2, 199));
	assert_false(principal_sees(&p, 2, 200)); /* valid_to is exclusive */
	assert_false(principal_sees(&p, 2, 99));
	assert_false(principal_sees(&p, 3, 150));
	assert_false(principal_sees(&p, 0, 150)); /* events with no unit */
	p.scoped = 0;
	assert_true(principal_sees(&p, 0, 150));
}

static void test_ids(void **state)
{
	int64_t v;
	(void)state;

	assert_int_equal(parse_id("912413314204958739", &v), 0);
	assert_true(v == 912413314204958739LL);
	assert_int_not_equal(parse_id("0", &v), 0);
	assert_int_not_equal(parse_id("-5", &v), 0);
	assert_int_not_equal(parse_id("12a", &v), 0);
	assert_int_not_equal(parse_id("", &v), 0);
	assert_int_not_equal(parse_id("99999999999999999999", &v), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_routes_match_with_params),
		cmocka_unit_test(test_unknown_paths_and_methods),
		cmocka_unit_test(test_every_api_route_needs_a_role_but_the_public_ones),
		cmocka_unit_test(test_json_limits),
		cmocka_unit_test(test_scope_spans),
		cmocka_unit_test(test_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
