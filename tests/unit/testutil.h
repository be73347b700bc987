/*
 * testutil.h - what the cmocka unit tests share: the database under test
 * and a fresh tenant per test.
 *
 * CXM_TEST_DB names the database (sqlite:PATH or postgresql://...); without
 * it each test program gets a fresh SQLite file in a temporary directory.
 * Every test works in its own new tenant, so tests never see each other's
 * rows, on either backend.
 */
#ifndef CXM_TESTUTIL_H
#define CXM_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cxm/core.h"
#include "cxm/id.h"
#include "cxm/store.h"

#include <sqlite3.h>
#include <unistd.h>

static char test_dir[256];

/* A directory for this test program's files (created once). */
static inline const char *test_tmpdir(void)
{
	if (!test_dir[0]) {
		const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
		snprintf(test_dir, sizeof(test_dir), "%s/cxm-test-XXXXXX", base);
		if (!mkdtemp(test_dir))
			abort();
	}
	return test_dir;
}

/* The URL of the database under test (static storage). */
static inline const char *test_db_url(void)
{
	static char url[512];
	const char *env = getenv("CXM_TEST_DB");

	if (env && *env)
		return env;
	if (!url[0])
		snprintf(url, sizeof(url), "sqlite:%s/test.db", test_tmpdir());
	return url;
}

static inline int test_is_pg(void)
{
	return !strncmp(test_db_url(), "postgres", 8);
}

static inline struct cxm_store *test_open(void)
{
	struct cxm_store *s = NULL;
	char err[512];
	int ret = cxm_store_open(&s, test_db_url(), err, sizeof(err));
	if (ret)
		fail_msg("cannot open %s: %s", test_db_url(), err);
	return s;
}

/* The store shared by a group of tests: pass test_group_open and
 * test_group_close to cmocka_run_group_tests. */
static struct cxm_store *S;

static inline int test_group_open(void **state)
{
	(void)state;
	S = test_open();
	return 0;
}

static inline int test_group_close(void **state)
{
	(void)state;
	cxm_store_close(S);
	return 0;
}

/* A new tenant with a unique name; returns its id. */
static inline int64_t test_tenant(struct cxm_store *s)
{
	char name[64];
	int64_t id;
	struct cxm_tenant t = { .name = name, .time_zone = "UTC", .language = "es" };

	snprintf(name, sizeof(name), "t%lld", (long long)cxm_id_next());
	assert_int_equal(cxm_store_tenant_create(s, &t, &id), 0);
	return id;
}

/* Runs SQL on a SQLite file directly, around the store (to undo a
 * migration by hand and see what the next run makes of the rows). */
static inline void test_sqlite_exec(const char *path, const char *text)
{
	sqlite3 *db;
	char *err = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, text, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", text, err);
	sqlite3_close(db);
}

#endif
