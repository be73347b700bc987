/* test_web.c - the dashboard files embedded by tools/embed-web.sh are found
 * at their URL paths with the right content type, and their bytes are the
 * files on disk (so no byte is lost or changed by the escaping). */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cxm/web.h"

/* The source tree: this file is compiled as tests/unit/web/test_web.c from
 * the repository root, where the tests also run; CXM_SRCDIR overrides. */
static const char *srcdir(void)
{
	const char *d = getenv("CXM_SRCDIR");
	return d && *d ? d : ".";
}

/* Reads a whole file into a malloc'd buffer (owned by the caller). */
static unsigned char *slurp(const char *rel, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", srcdir(), rel);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (run from the repository root or set CXM_SRCDIR)", path);
	size_t cap = 1 << 16, n = 0, got;
	unsigned char *buf = malloc(cap);
	assert_non_null(buf);
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
	}
	fclose(f);
	*len = n;
	return buf;
}

static void expect_asset(const char *url, const char *file, const char *type)
{
	const struct cxm_web_asset *a = cxm_web_asset_find(url);
	if (!a)
		fail_msg("%s is not embedded", url);
	assert_string_equal(a->path, url);
	assert_string_equal(a->content_type, type);
	size_t len;
	unsigned char *disk = slurp(file, &len);
	/* compared before asserting, so a failure leaks nothing */
	int same = a->len == len && !memcmp(a->data, disk, len);
	free(disk);
	assert_true(len > 0);
	if (!same)
		fail_msg("%s: the %zu bytes embedded differ from the %zu on disk", url, a->len, len);
	/* a strong ETag: quoted, no W/ prefix, 32 hex digits */
	assert_int_equal(strlen(a->etag), 34);
	assert_int_equal(a->etag[0], '"');
	assert_int_equal(a->etag[33], '"');
	assert_int_equal(strspn(a->etag + 1, "0123456789abcdef"), 32);
}

static void test_index(void **state)
{
	(void)state;
	expect_asset("/", "web/index.html", "text/html; charset=utf-8");
	expect_asset("/index.html", "web/index.html", "text/html; charset=utf-8");
	assert_ptr_equal(cxm_web_asset_find("/")->data, cxm_web_asset_find("/index.html")->data);
	assert_string_equal(cxm_web_asset_find("/")->etag, cxm_web_asset_find("/index.html")->etag);
}

static void test_app_and_styles(void **state)
{
	(void)state;
	expect_asset("/app.js", "web/app.js", "text/javascript; charset=utf-8");
	expect_asset("/app.css", "web/app.css", "text/css; charset=utf-8");
}

static void test_echarts(void **state)
{
	(void)state;
	expect_asset("/vendor/echarts.min.js", "node_modules/echarts/dist/echarts.min.js",
		     "text/javascript; charset=utf-8");
}

static void test_unknown_paths(void **state)
{
	(void)state;
	assert_null(cxm_web_asset_find(NULL));
	assert_null(cxm_web_asset_find(""));
	assert_null(cxm_web_asset_find("/nope.js"));
	assert_null(cxm_web_asset_find("app.js"));
	assert_null(cxm_web_asset_find("/README.md"));
	assert_null(cxm_web_asset_find("/../Makefile"));
}

/* Every entry is findable, so the table really is sorted for bsearch, and
 * different bytes never share an ETag. */
static void test_table_sorted(void **state)
{
	(void)state;
	assert_true(cxm_web_asset_count >= 4);
	for (size_t i = 0; i < cxm_web_asset_count; i++) {
		const struct cxm_web_asset *a = &cxm_web_assets[i];
		assert_ptr_equal(cxm_web_asset_find(a->path), a);
		if (i > 0)
			assert_true(strcmp(cxm_web_assets[i - 1].path, a->path) < 0);
		for (size_t j = 0; j < i; j++) {
			const struct cxm_web_asset *b = &cxm_web_assets[j];
			int same_bytes = a->len == b->len && !memcmp(a->data, b->data, a->len);
			if (same_bytes != !strcmp(a->etag, b->etag))
				fail_msg("%s and %s: ETags do not follow the bytes", a->path, b->path);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_app_and_styles),
		cmocka_unit_test(test_echarts),
		cmocka_unit_test(test_unknown_paths),
		cmocka_unit_test(test_table_sorted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
