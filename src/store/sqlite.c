/*
 * sqlite.c - the SQLite backend: an embedded database file in WAL mode.
 *
 * URL: sqlite:PATH[?busy_timeout=MS]. Prepared statements are cached by the
 * address of their SQL text (store-internal.h), so the hot insert path
 * prepares once and then only binds and steps.
 */
#include "store-internal.h"
#include "cxm/i18n.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Each connection's page cache ceiling, MiB (URL option cache_mb). Past
 * what ingest looks up at random, a larger cache keeps every page the
 * writer wrote too: RSS grows to the ceiling, and with 256 the writer was
 * slower, paying to fill it (docs/benchmarks.md, "Page cache and
 * sub-journals"). */
#define CXM_SQLITE_CACHE_MB 32

/* How large a statement journal or savepoint sub-journal may grow in
 * memory before SQLite spills it to a temporary file. Every write request
 * runs under a savepoint, and a batch of events dirties a few hundred
 * pages at random: past SQLite's 64 KiB default each transaction opened,
 * wrote page by page and closed a temporary file. Sorts and temporary
 * tables still go to files (temp_store=FILE). */
#define CXM_SQLITE_SPILL_BYTES (16 << 20)

static void sq_config(void)
{
	/* Only before SQLite initializes; if something in the process got
	 * there first, the default stays and nothing else changes. */
	(void)sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, CXM_SQLITE_SPILL_BYTES);
}

struct sqlite_store {
	struct cxm_store base;
	sqlite3 *db;
	struct stmt_cache cache;
};

static int map_rc(int rc)
{
	switch (rc & 0xFF) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return 0;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return CXM_EBUSY;
	case SQLITE_CONSTRAINT:
		return (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) ? CXM_EEXIST
											       : CXM_EINVAL;
	case SQLITE_CANTOPEN:
	case SQLITE_NOTADB:
	case SQLITE_IOERR:
	case SQLITE_READONLY:
	case SQLITE_FULL:
	case SQLITE_CORRUPT:
		return CXM_EIO;
	}
	return CXM_ESTORE;
}

static int fail(struct sqlite_store *ss, int rc)
{
	int code = map_rc(rc);

	if (code == CXM_EBUSY)
		return cxm_store_seterr(&ss->base, code, _(MSG_DB_LOCKED),
					sqlite3_errmsg(ss->db));
	return cxm_store_seterr(&ss->base, code, "sqlite: %s", sqlite3_errmsg(ss->db));
}

static void sq_close(struct cxm_store *s)
{
	struct sqlite_store *ss = (struct sqlite_store *)s;

	for (size_t i = 0; i < ss->cache.cap; i++)
		if (ss->cache.e[i].stmt)
			sqlite3_finalize(ss->cache.e[i].stmt);
	free(ss->cache.e);
	sqlite3_close(ss->db);
	free(ss);
}

static int sq_exec(struct cxm_store *s, const char *sql)
{
	struct sqlite_store *ss = (struct sqlite_store *)s;
	char *msg = NULL;
	int rc = sqlite3_exec(ss->db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		int code = map_rc(rc);
		if (code == CXM_EBUSY)
			cxm_store_seterr(s, code, _(MSG_DB_LOCKED), msg ? msg : "");
		else
			cxm_store_seterr(s, code, "sqlite: %s", msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return code;
	}
	return 0;
}

static int64_t sq_col_int(void *impl, int col)
{
	return sqlite3_column_int64(impl, col);
}

static const char *sq_col_text(void *impl, int col)
{
	return (const char *)sqlite3_column_text(impl, col);
}

static int sq_query(struct cxm_store *s, const char *sql, const struct sqlval *p, size_t np, row_fn fn, void *ctx,
		    int64_t *changes)
{
	struct sqlite_store *ss = (struct sqlite_store *)s;
	struct stmt_entry *slot = stmt_cache_get(&ss->cache, sql);
	int rc, ret = 0;

	if (!slot->stmt) {
		sqlite3_stmt *prepared = NULL;
		rc = sqlite3_prepare_v3(ss->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &prepared, NULL);
		if (rc != SQLITE_OK)
			return fail(ss, rc);
		slot->stmt = prepared;
	}
	sqlite3_stmt *st = slot->stmt;
	for (size_t i = 0; i < np; i++) {
		int col = (int)i + 1;
		switch (p[i].type) {
		case SQL_NULL: rc = sqlite3_bind_null(st, col); break;
		case SQL_INT: rc = sqlite3_bind_int64(st, col, p[i].i); break;
		case SQL_TEXT: rc = sqlite3_bind_text(st, col, p[i].s, -1, SQLITE_STATIC); break;
		default: BUG("bad sqlval type");
		}
		if (rc != SQLITE_OK) {
			ret = fail(ss, rc);
			goto out;
		}
	}
	struct sqlrow row = { s->ops, st, sqlite3_column_count(st) };
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (fn && (ret = fn(&row, ctx)))
			goto out;
	}
	if (rc != SQLITE_DONE) {
		ret = fail(ss, sqlite3_extended_errcode(ss->db));
		goto out;
	}
	if (changes)
		*changes = sqlite3_changes64(ss->db);
out:
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return ret;
}

static int sq_open(struct cxm_store **out, const char *url, char *err, size_t errlen)
{
	struct sqlite_store *ss;
	char *path;
	const char *q;
	int timeout_ms = 5000, cache_mb = CXM_SQLITE_CACHE_MB, rc;
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, sq_config);
	url += strlen("sqlite:");
	if (!strncmp(url, "//", 2))
		url += 2;
	q = strchr(url, '?');
	path = xstrndup(url, q ? (size_t)(q - url) : strlen(url));
	for (const char *o = q ? q + 1 : NULL; o;) {
		/* NAME=VALUE[&NAME=VALUE...] */
		const char *amp = strchr(o, '&'), *eq;
		size_t len = amp ? (size_t)(amp - o) : strlen(o);
		int64_t v;
		eq = memchr(o, '=', len);
		bool bad = !eq || cxm_parse_i64(eq + 1, len - (size_t)(eq + 1 - o), &v);
		if (!bad && (size_t)(eq - o) == 12 && !strncmp(o, "busy_timeout", 12) && v >= 0 && v <= 3600000)
			timeout_ms = (int)v;
		else if (!bad && (size_t)(eq - o) == 8 && !strncmp(o, "cache_mb", 8) && v >= 1 && v <= 65536)
			cache_mb = (int)v;
		else
			bad = true;
		if (bad) {
			char *opt = xstrndup(o, len);
			snprintf(err, errlen, _(MSG_DB_SQLITE_OPTION), opt);
			free(opt);
			free(path);
			return CXM_EURL;
		}
		o = amp ? amp + 1 : NULL;
	}
	if (!*path) {
		snprintf(err, errlen, "%s", _(MSG_DB_SQLITE_NO_FILE));
		free(path);
		return CXM_EURL;
	}
	if (strcmp(path, ":memory:")) {
		struct stat st;
		char *slash = strrchr(path, '/');
		if (slash && slash != path) {
			*slash = '\0';
			if (stat(path, &st) || !S_ISDIR(st.st_mode)) {
				snprintf(err, errlen, _(MSG_DB_NO_DIR),
					 path, slash + 1, path);
				*slash = '/';
				free(path);
				return CXM_EIO;
			}
			*slash = '/';
		}
		if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, _(MSG_DB_IS_DIR), path);
			free(path);
			return CXM_EIO;
		}
	}
	ss = xcalloc(1, sizeof(*ss));
	ss->base.ops = &cxm_store_sqlite;
	rc = sqlite3_open_v2(path, &ss->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, _(MSG_DB_CANNOT_OPEN), path,
			 ss->db ? sqlite3_errmsg(ss->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(ss->db, 1);
	sqlite3_busy_timeout(ss->db, timeout_ms);
	/* WAL: readers never block the writer; FULL: a commit survives power
	 * loss. The page cache is a ceiling per connection, filled as pages
	 * are read and written; a page it does not hold is read from the
	 * file (the OS's cache). */
	char pragmas[192];
	snprintf(pragmas, sizeof(pragmas),
		 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
		 " PRAGMA cache_size=-%d; PRAGMA temp_store=FILE",
		 cache_mb * 1024);
	rc = sq_exec(&ss->base, pragmas);
	if (!rc && cxm_jstore_sqlite_functions(ss->db) != SQLITE_OK) {
		snprintf(err, errlen, _(MSG_DB_CANNOT_OPEN), path, sqlite3_errmsg(ss->db));
		goto fail;
	}
	if (rc) {
		snprintf(err, errlen, _(MSG_DB_CANNOT_OPEN), path, ss->base.errmsg);
		free(path);
		sq_close(&ss->base);
		return rc == CXM_ESTORE ? CXM_EIO : rc;
	}
	free(path);
	*out = &ss->base;
	return 0;
fail:
	free(path);
	sq_close(&ss->base);
	return CXM_EIO;
}

const struct cxm_store_ops cxm_store_sqlite = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.exec = sq_exec,
	.query = sq_query,
	.col_int = sq_col_int,
	.col_text = sq_col_text,
	.put_events = NULL,
	.begin_sql = "BEGIN IMMEDIATE",
	.migration_lock_sql = NULL,
	.migrations = cxm_migrations_sqlite,
};
