/*
 * test_migrate.c - migrations on a SQLite file: a version missing below the
 * highest one applied (two branches that met late: 0009 applied before 0007
 * existed) is applied on the next open, not skipped.
 */
#include "testutil.h"

#include <sqlite3.h>

static void sql(const char *path, const char *text)
{
	sqlite3 *db;
	char *err = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, text, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", text, err);
	sqlite3_close(db);
}

static int64_t count(const char *path, const char *text)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t n = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, text, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void a_missing_lower_version_is_applied(void **state)
{
	char path[512], url[600], err[512];
	struct cxm_store *s;
	int cur, latest, applied = -1;
	(void)state;

	snprintf(path, sizeof(path), "%s/migrate-%d.db", test_tmpdir(), (int)getpid());
	unlink(path);
	snprintf(url, sizeof(url), "sqlite:%s", path);
	if (cxm_store_open(&s, url, err, sizeof(err)))
		fail_msg("open: %s", err);
	assert_int_equal(cxm_store_schema_version(s, &cur, &latest), 0);
	assert_true(latest >= 7);
	cxm_store_close(s);

	/* as if 0006 (tenant_settings) had come after everything else */
	sql(path, "DROP TABLE tenant_settings; DELETE FROM schema_migrations WHERE version = 6");
	assert_int_equal(count(path, "SELECT COUNT(*) FROM schema_migrations WHERE version = 6"), 0);

	if (cxm_store_open(&s, url, err, sizeof(err)))
		fail_msg("reopen: %s", err);
	assert_int_equal(count(path, "SELECT COUNT(*) FROM schema_migrations WHERE version = 6"), 1);
	assert_int_equal(count(path, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'tenant_settings'"), 1);
	/* and nothing else ran twice: another migrate applies nothing */
	assert_int_equal(cxm_store_migrate(s, &applied), 0);
	assert_int_equal(applied, 0);
	assert_int_equal(cxm_store_schema_version(s, &cur, &latest), 0);
	assert_int_equal(cur, latest);
	cxm_store_close(s);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_missing_lower_version_is_applied),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
