/*
 * store-internal.h - what a storage backend implements.
 *
 * A backend is a small SQL driver (open, run a statement with bound
 * parameters, read columns) plus its migrations; the operations of
 * store.h are written once, in portable SQL, in store.c. A backend may
 * also provide a bulk path (put_events) where its database has a faster
 * one than row-at-a-time inserts. SQL text is written with '?' parameters;
 * backends that number their parameters rewrite them.
 *
 * SQL passed to query() must be a string with static storage duration:
 * backends cache prepared statements keyed by the pointer.
 */
#ifndef CXM_STORE_INTERNAL_H
#define CXM_STORE_INTERNAL_H

#include "cxm/core.h"
#include "cxm/store.h"

#include <stdint.h>

enum sqltype { SQL_NULL = 0, SQL_INT, SQL_TEXT };

struct sqlval {
	enum sqltype type;
	int64_t i;
	const char *s;
};

#define SQLV_INT(v) ((struct sqlval){ .type = SQL_INT, .i = (v) })
#define SQLV_TEXT(v) ((struct sqlval){ .type = (v) ? SQL_TEXT : SQL_NULL, .s = (v) })
#define SQLV_NULL ((struct sqlval){ .type = SQL_NULL })

/* A result row as the backend sees it; read it with row_int/row_text. */
struct sqlrow {
	const struct cxm_store_ops *ops;
	void *impl;
	int ncols;
};

/* Called once per result row; a non-zero return stops the query and is
 * returned by query(). */
typedef int (*row_fn)(const struct sqlrow *row, void *ctx);

struct cxm_migration {
	int version;
	const char *name;
	const char *sql;
};

struct cxm_store_ops {
	const char *name;
	/* Connects; url is the whole URL. On failure fills err. */
	int (*open)(struct cxm_store **out, const char *url, char *err, size_t errlen);
	void (*close)(struct cxm_store *s);
	/* Runs a script of several statements with no parameters. */
	int (*exec)(struct cxm_store *s, const char *sql);
	/* Runs one statement; *changes (may be NULL) gets rows changed. */
	int (*query)(struct cxm_store *s, const char *sql, const struct sqlval *p, size_t np, row_fn fn, void *ctx,
		     int64_t *changes);
	int64_t (*col_int)(void *impl, int col);
	/* NULL for an SQL NULL; valid until the callback returns. */
	const char *(*col_text)(void *impl, int col);
	/* Optional bulk path for cxm_store_events_put (NULL: generic inserts). */
	int (*put_events)(struct cxm_store *s, int64_t tenant, struct cxm_event *ev, size_t n,
			  unsigned char *inserted, size_t *n_inserted);
	/* true when JSON columns come back reformatted (PostgreSQL jsonb):
	 * store.c then gives callers the canonical text (sorted keys, no spaces) */
	bool json_reformatted;
	const char *begin_sql;         /* "BEGIN IMMEDIATE", "BEGIN" */
	const char *migration_lock_sql; /* run inside the migration transaction, or NULL */
	/* ordered by version, ended by an entry with version 0 */
	const struct cxm_migration *migrations;
};

struct cxm_store {
	const struct cxm_store_ops *ops;
	char errmsg[512];
	int in_tx;
	int in_query; /* a row callback may not start another query */
	/* the last tenant whose time zone was looked up (rollups' days) */
	int64_t tz_tenant;
	const struct cxm_tz *tz;
	/* rollup changes of the open transaction, added up until its commit,
	 * with a journal of those made under the open savepoint (store.c) */
	struct rollup_pend *ru;
	int in_sp;
	/* the same for the emotion mix rollup (text_mix, store.c) */
	struct mix_pend *mix;
	/* the journeys' cache and rollup changes (journey_store.c) */
	struct jstore *js;
	/* what it was opened with (a second connection: journey_store.c) */
	char *url;
};

/* Stores events one INSERT at a time (the path every backend has; a
 * backend's bulk put_events may use it for small batches). Same contract
 * as cxm_store_events_put, inside the caller's transaction. */
int cxm_store_events_put_rows(struct cxm_store *s, int64_t tenant, struct cxm_event *ev, size_t n,
			      unsigned char *inserted, size_t *n_inserted);

/*
 * Journeys (journey_store.c): the ingest hook of cxm_store_events_put for
 * the events it inserted, and the journeys' rollup changes, which follow
 * the transaction like the response rollups (flush before COMMIT, discard
 * at rollback, the open savepoint's separately).
 */
int cxm_jstore_ingest(struct cxm_store *s, int64_t tenant, const struct cxm_event *ev, size_t n,
		      const unsigned char *inserted);
int cxm_jstore_merge(struct cxm_store *s, int64_t tenant, int64_t survivor, int64_t merged);
int cxm_jstore_flush(struct cxm_store *s);
/* Registers the SQL functions the journeys use on a SQLite connection. */
struct sqlite3;
int cxm_jstore_sqlite_functions(struct sqlite3 *db);
void cxm_jstore_discard(struct cxm_store *s, bool savepoint_only);
void cxm_jstore_merge_savepoint(struct cxm_store *s);
void cxm_jstore_free(struct cxm_store *s);
/* A transaction began: the tail in memory checks that it is still the table's. */
void cxm_jstore_begin(struct cxm_store *s);
/* The "segment" of the customer's new attributes (JSON) onto their
 * sequence row, which funnels by segment group by. */
int cxm_jstore_segment(struct cxm_store *s, int64_t tenant, int64_t customer, const char *attributes);
/* Sequences for every customer's events (migration 0014). */
int cxm_jstore_backfill(struct cxm_store *s);

/*
 * The prepared-statement cache both drivers keep: SQL text (by address,
 * see above) -> the backend's statement. stmt is an sqlite3_stmt for
 * SQLite, the server-side statement name for PostgreSQL.
 */
struct stmt_entry {
	const char *sql; /* NULL: free slot */
	void *stmt;      /* NULL until prepared */
	int nparams;
};

struct stmt_cache {
	struct stmt_entry *e;
	size_t cap, n;
};

/* The entry for sql, added (stmt NULL) when new. Valid until the next call. */
struct stmt_entry *stmt_cache_get(struct stmt_cache *c, const char *sql);

/* store.c's statement and transaction helpers, for the store's other
 * files: one query (no query may start inside a row callback), a
 * transaction opened unless the caller has one and its end (commit, or
 * rollback keeping the error), and a row callback reading one integer
 * (column 0) into the int64_t at ctx. */
int cxm_store_q(struct cxm_store *s, const char *sql, const struct sqlval *p, size_t np, row_fn fn, void *ctx,
		int64_t *changes);
#define CXM_STORE_Q(s, sql, params, fn, ctx, changes) \
	cxm_store_q(s, sql, params, ARRAY_SIZE(params), fn, ctx, changes)
int cxm_store_tx_begin(struct cxm_store *s, int *own);
int cxm_store_tx_end(struct cxm_store *s, int own, int ret);
int cxm_store_int_row(const struct sqlrow *r, void *ctx);

/* Sets s->errmsg; returns code so callers can `return seterr(...)`. */
int cxm_store_seterr(struct cxm_store *s, int code, const char *fmt, ...) CXM_PRINTF(3, 4);

static inline int64_t row_int(const struct sqlrow *r, int col)
{
	return r->ops->col_int(r->impl, col);
}

static inline const char *row_text(const struct sqlrow *r, int col)
{
	return r->ops->col_text(r->impl, col);
}

extern const struct cxm_store_ops cxm_store_sqlite;
#ifdef CXM_HAVE_PGSQL
extern const struct cxm_store_ops cxm_store_pgsql;
#endif

/* Generated from src/store/migrations/<backend>/NNNN_name.sql at build time. */
extern const struct cxm_migration cxm_migrations_sqlite[];
extern const struct cxm_migration cxm_migrations_pgsql[];

#endif
