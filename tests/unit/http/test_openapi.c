/*
 * test_openapi.c - docs/openapi.json (embedded as cxm_openapi_json and
 * served at /api/v1/openapi.json) documents exactly the routes of the
 * route table in src/http/router.c, and documents each one fully enough:
 * an operationId, responses, the security its roles need, the roles
 * themselves (x-cxm-roles) and its path parameters. Adding a route to
 * router.c without documenting it fails here, naming the route.
 */
#include "testutil.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "http-internal.h"

extern const unsigned char cxm_openapi_json[];
extern const size_t cxm_openapi_json_len;

#define MAX_OPS 256

/* One (method, path) pair: from the document (node set) or the route table
 * (route set). Borrowed views into the parsed document or routes[]. */
struct op {
	char method[8];
	const char *path;
	const cJSON *node;
	const struct route *route;
};

static const char *const http_methods[] = { "get", "put", "post", "delete", "options", "head", "patch", "trace" };
static const char *const role_names[] = { "owner", "admin", "analyst", "manager", "agent", "viewer" };

static cJSON *doc;

static int parse_doc(void **state)
{
	(void)state;
	doc = cJSON_ParseWithLength((const char *)cxm_openapi_json, cxm_openapi_json_len);
	if (!doc)
		fprintf(stderr, "docs/openapi.json is not JSON (near: %.40s)\n", cJSON_GetErrorPtr());
	return doc ? 0 : -1;
}

static int free_doc(void **state)
{
	(void)state;
	cJSON_Delete(doc);
	doc = NULL;
	return 0;
}

/* The operations of the document's "paths", methods upper-cased. */
static size_t doc_ops(struct op *out)
{
	const cJSON *paths = cJSON_GetObjectItemCaseSensitive(doc, "paths");
	const cJSON *item;
	size_t n = 0;

	cJSON_ArrayForEach(item, paths)
	{
		for (size_t m = 0; m < ARRAY_SIZE(http_methods); m++) {
			const cJSON *o = cJSON_GetObjectItemCaseSensitive(item, http_methods[m]);
			if (!o)
				continue;
			assert_true(n < MAX_OPS);
			for (size_t i = 0; i <= strlen(http_methods[m]); i++)
				out[n].method[i] = (char)toupper((unsigned char)http_methods[m][i]);
			out[n].path = item->string;
			out[n].node = o;
			out[n].route = NULL;
			n++;
		}
	}
	return n;
}

/* The API routes of the route table (the dashboard's static files are not
 * an API route). */
static size_t table_ops(struct op *out)
{
	size_t n = 0;

	for (size_t i = 0; i < routes_n; i++) {
		if (routes[i].flags & RF_STATIC)
			continue;
		assert_true(n < MAX_OPS);
		assert_true(strlen(routes[i].method) < sizeof(out[n].method));
		cxm_strlcpy(out[n].method, routes[i].method, sizeof(out[n].method));
		out[n].path = routes[i].pattern;
		out[n].node = NULL;
		out[n].route = &routes[i];
		n++;
	}
	return n;
}

static const struct op *find_op(const struct op *set, size_t n, const char *method, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(set[i].method, method) && !strcmp(set[i].path, path))
			return &set[i];
	return NULL;
}

/* Prints and counts the operations of a that b lacks. */
static int report_missing(const struct op *a, size_t na, const struct op *b, size_t nb, const char *what)
{
	int missing = 0;

	for (size_t i = 0; i < na; i++)
		if (!find_op(b, nb, a[i].method, a[i].path)) {
			fprintf(stderr, "%s: %s %s\n", what, a[i].method, a[i].path);
			missing++;
		}
	return missing;
}

static void test_document(void **state)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, "openapi");
	const cJSON *info = cJSON_GetObjectItemCaseSensitive(doc, "info");
	const cJSON *schemes = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(doc, "components"), "securitySchemes");
	(void)state;

	assert_true(cJSON_IsString(v));
	assert_string_equal(v->valuestring, "3.1.0");
	assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(info, "title")));
	assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(info, "version")));
	assert_true(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(doc, "paths")));
	assert_non_null(cJSON_GetObjectItemCaseSensitive(schemes, "bearerAuth"));
	assert_non_null(cJSON_GetObjectItemCaseSensitive(schemes, "cookieAuth"));
}

/* The document and the route table name the same (method, path) pairs. */
static void test_same_routes(void **state)
{
	static struct op d[MAX_OPS], t[MAX_OPS];
	size_t nd = doc_ops(d), nt = table_ops(t);
	int missing;
	(void)state;

	assert_true(nt > 0);
	missing = report_missing(t, nt, d, nd, "in router.c, not in docs/openapi.json") +
		  report_missing(d, nd, t, nt, "in docs/openapi.json, not in router.c");
	assert_int_equal(missing, 0);
	assert_int_equal(nd, nt);
}

/* The comparison above does see a difference either way (so it can fail):
 * the route table against itself with one route more, and one route less. */
static void test_comparison_sees_gaps(void **state)
{
	static struct op t[MAX_OPS];
	size_t nt = table_ops(t);
	(void)state;

	assert_true(nt > 1 && nt + 1 < MAX_OPS);
	cxm_strlcpy(t[nt].method, "DELETE", sizeof(t[nt].method));
	t[nt].path = "/api/v1/customers/{id}/not-a-route";
	assert_int_equal(report_missing(t, nt + 1, t, nt, "(expected) one route more"), 1);
	assert_int_equal(report_missing(t, nt, t, nt - 1, "(expected) one route less"), 1);
}

static void test_operations(void **state)
{
	static struct op d[MAX_OPS];
	size_t nd = doc_ops(d);
	(void)state;

	for (size_t i = 0; i < nd; i++) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(d[i].node, "operationId");
		const cJSON *responses = cJSON_GetObjectItemCaseSensitive(d[i].node, "responses");
		const cJSON *r;

		if (!cJSON_IsString(id) || !*id->valuestring)
			fail_msg("%s %s has no operationId", d[i].method, d[i].path);
		for (size_t k = 0; k < i; k++)
			if (!strcmp(id->valuestring,
				    cJSON_GetObjectItemCaseSensitive(d[k].node, "operationId")->valuestring))
				fail_msg("operationId %s is used twice", id->valuestring);
		if (!cJSON_IsObject(responses) || !responses->child)
			fail_msg("%s %s has no responses", d[i].method, d[i].path);
		cJSON_ArrayForEach(r, responses)
		{
			const char *code = r->string;
			if (strcmp(code, "default") &&
			    (strlen(code) != 3 || code[0] < '1' || code[0] > '5' || !isdigit((unsigned char)code[1]) ||
			     !isdigit((unsigned char)code[2])))
				fail_msg("%s %s: response '%s' is not a status code", d[i].method, d[i].path, code);
		}
		if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(d[i].node, "summary")))
			fail_msg("%s %s has no summary", d[i].method, d[i].path);
	}
}

/* Whether a security requirement list names scheme in any alternative. */
static bool names_scheme(const cJSON *security, const char *scheme)
{
	const cJSON *req;

	cJSON_ArrayForEach(req, security)
	{
		if (cJSON_GetObjectItemCaseSensitive(req, scheme))
			return true;
	}
	return false;
}

/* Whether every alternative that names `with` names `also` too. */
static bool always_with(const cJSON *security, const char *with, const char *also)
{
	const cJSON *req;

	cJSON_ArrayForEach(req, security)
	{
		if (cJSON_GetObjectItemCaseSensitive(req, with) && !cJSON_GetObjectItemCaseSensitive(req, also))
			return false;
	}
	return true;
}

/* Routes with roles declare security (no anonymous alternative), public
 * routes none; session-only routes offer only the cookie; writes with the
 * cookie need the CSRF header; x-cxm-roles lists exactly the route's roles. */
static void test_security_and_roles(void **state)
{
	static struct op d[MAX_OPS], t[MAX_OPS];
	size_t nd = doc_ops(d), nt = table_ops(t);
	(void)state;

	for (size_t i = 0; i < nt; i++) {
		const struct op *o = find_op(d, nd, t[i].method, t[i].path);
		const struct route *rt = t[i].route;
		const cJSON *security, *roles, *req, *name;
		unsigned listed = 0;

		if (!o)
			continue; /* reported by test_same_routes */
		security = cJSON_GetObjectItemCaseSensitive(o->node, "security");
		if (rt->roles) {
			if (!cJSON_IsArray(security) || cJSON_GetArraySize(security) == 0)
				fail_msg("%s %s needs credentials but declares no security", o->method, o->path);
			cJSON_ArrayForEach(req, security)
			{
				if (!cJSON_IsObject(req) || !req->child)
					fail_msg("%s %s allows anonymous calls ({} in security)", o->method, o->path);
			}
			if ((rt->flags & RF_SESSION_ONLY) && names_scheme(security, "bearerAuth"))
				fail_msg("%s %s is session-only but offers bearerAuth", o->method, o->path);
			if (!names_scheme(security, "cookieAuth"))
				fail_msg("%s %s does not offer cookieAuth", o->method, o->path);
			if ((rt->flags & RF_WRITE) && !always_with(security, "cookieAuth", "csrfToken"))
				fail_msg("%s %s takes the cookie without csrfToken", o->method, o->path);
		} else if (security && (!cJSON_IsArray(security) || cJSON_GetArraySize(security) != 0)) {
			fail_msg("%s %s is public but declares security", o->method, o->path);
		}

		roles = cJSON_GetObjectItemCaseSensitive(o->node, "x-cxm-roles");
		if (!cJSON_IsArray(roles))
			fail_msg("%s %s has no x-cxm-roles", o->method, o->path);
		cJSON_ArrayForEach(name, roles)
		{
			unsigned bit = cJSON_IsString(name) ? role_bit(name->valuestring) : 0;
			if (!bit || (listed & bit))
				fail_msg("%s %s: x-cxm-roles has a bad or repeated role", o->method, o->path);
			listed |= bit;
		}
		if (listed != rt->roles) {
			fprintf(stderr, "%s %s: router.c allows:", o->method, o->path);
			for (size_t k = 0; k < ARRAY_SIZE(role_names); k++)
				if (rt->roles & role_bit(role_names[k]))
					fprintf(stderr, " %s", role_names[k]);
			fprintf(stderr, "\n");
			fail_msg("%s %s: x-cxm-roles differs from the route's roles", o->method, o->path);
		}
	}
}

/* A parameter object, following a local $ref to components/parameters. */
static const cJSON *deref_param(const cJSON *p)
{
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(p, "$ref");
	const char *prefix = "#/components/parameters/";

	if (!cJSON_IsString(r))
		return p;
	if (strncmp(r->valuestring, prefix, strlen(prefix)))
		fail_msg("unexpected $ref %s", r->valuestring);
	p = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "components"), "parameters"),
		r->valuestring + strlen(prefix));
	if (!p)
		fail_msg("dangling $ref %s", r->valuestring);
	return p;
}

/* Every {name} of a path is a required path parameter of its operation,
 * and every path parameter is in the path. */
static void test_path_parameters(void **state)
{
	static struct op d[MAX_OPS];
	size_t nd = doc_ops(d);
	(void)state;

	for (size_t i = 0; i < nd; i++) {
		const cJSON *params = cJSON_GetObjectItemCaseSensitive(d[i].node, "parameters");
		const cJSON *p;
		int in_path = 0, declared = 0;

		for (const char *s = strchr(d[i].path, '{'); s; s = strchr(s + 1, '{')) {
			const char *e = strchr(s, '}');
			bool found = false;
			assert_non_null(e);
			in_path++;
			cJSON_ArrayForEach(p, params)
			{
				const cJSON *q = deref_param(p);
				const cJSON *name = cJSON_GetObjectItemCaseSensitive(q, "name");
				const cJSON *where = cJSON_GetObjectItemCaseSensitive(q, "in");
				if (cJSON_IsString(name) && cJSON_IsString(where) && !strcmp(where->valuestring, "path") &&
				    strlen(name->valuestring) == (size_t)(e - s - 1) &&
				    !strncmp(name->valuestring, s + 1, (size_t)(e - s - 1))) {
					found = true;
					assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(q, "required")));
				}
			}
			if (!found)
				fail_msg("%s %s: path parameter %.*s is not declared", d[i].method, d[i].path,
					 (int)(e - s + 1), s);
		}
		cJSON_ArrayForEach(p, params)
		{
			const cJSON *where = cJSON_GetObjectItemCaseSensitive(deref_param(p), "in");
			if (cJSON_IsString(where) && !strcmp(where->valuestring, "path"))
				declared++;
		}
		if (declared != in_path)
			fail_msg("%s %s declares %d path parameters for %d in the path", d[i].method, d[i].path,
				 declared, in_path);
	}
}

/* The Idempotency-Key header is documented on exactly the operations that
 * honour it (src/http/idem.c): authenticated POST and PATCH with RF_WRITE. */
static void test_idempotency_key(void **state)
{
	static struct op d[MAX_OPS], t[MAX_OPS];
	size_t nd = doc_ops(d), nt = table_ops(t);
	(void)state;

	for (size_t i = 0; i < nd; i++) {
		const struct op *rt = find_op(t, nt, d[i].method, d[i].path);
		const cJSON *p;
		bool documented = false, honoured;

		if (!rt)
			continue; /* test_same_routes says so */
		cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(d[i].node, "parameters"))
		{
			const cJSON *q = deref_param(p);
			const cJSON *name = cJSON_GetObjectItemCaseSensitive(q, "name");
			const cJSON *where = cJSON_GetObjectItemCaseSensitive(q, "in");
			documented |= cJSON_IsString(name) && cJSON_IsString(where) &&
				      !strcmp(name->valuestring, "Idempotency-Key") && !strcmp(where->valuestring, "header");
		}
		honoured = rt->route->roles && (rt->route->flags & RF_WRITE) &&
			   (!strcmp(d[i].method, "POST") || !strcmp(d[i].method, "PATCH"));
		if (documented != honoured)
			fail_msg("%s %s: Idempotency-Key %s", d[i].method, d[i].path,
				 honoured ? "is honoured but not documented" : "is documented but not honoured");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_document),
		cmocka_unit_test(test_same_routes),
		cmocka_unit_test(test_comparison_sees_gaps),
		cmocka_unit_test(test_operations),
		cmocka_unit_test(test_security_and_roles),
		cmocka_unit_test(test_path_parameters),
		cmocka_unit_test(test_idempotency_key),
	};
	return cmocka_run_group_tests(tests, parse_doc, free_doc);
}
