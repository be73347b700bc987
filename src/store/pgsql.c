/*
 * pgsql.c - the PostgreSQL backend, over libpq.
 *
 * URL: postgresql://... or postgres://..., handed to libpq as it is, with
 * defaults the URL may override (connect_timeout=10, application_name=cxm).
 * Statements written with '?' are rewritten to $1..$n once, prepared on
 * the server and cached by the address of their SQL text
 * (store-internal.h). Results stream in single-row mode, so a scan of
 * millions of rows never holds more than one row in memory.
 *
 * Events go in by COPY: straight into events inside a savepoint, and when
 * that meets a stored duplicate, through a temporary staging table and
 * INSERT ... ON CONFLICT DO NOTHING RETURNING id (see put_copy). The
 * server logs each such duplicate as an ERROR; cxm does not.
 *
 * A lost connection is reopened on the next call made outside a
 * transaction; a transaction in flight when it dropped is gone
 * (CXM_EUNAVAIL).
 */
#include "store-internal.h"
#include "cxm/i18n.h"
#include "cxm/id.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STAGE_TABLE "cxm_stage_events"
#define EVENT_COLS                                                                                         \
	"tenant_id, id, source_id, customer_id, type, channel, touchpoint, agent, org_unit_id, ts,"       \
	" amount_micros, currency, properties"

/* Below this many events a batch goes in row by row (one round trip
 * each): COPY costs three round trips and a savepoint whatever the size. */
#define COPY_MIN_BATCH 8
/* COPY data is handed to libpq in chunks of about this size. */
#define COPY_CHUNK (1u << 20)
/* Parameters formatted on the stack; statements with more allocate. */
#define STACK_PARAMS 32

struct pg_store {
	struct cxm_store base;
	PGconn *conn;
	struct stmt_cache cache; /* stmt: the server-side statement name */
	unsigned next_stmt;
	struct cxm_buf copy; /* COPY data, reused across batches */
	int saw_dups;        /* the last COPY batch had stored duplicates */
};

/* ---- errors ------------------------------------------------------------ */

/* Copies libpq's message (may span lines, ends in a newline) onto one line. */
static void one_line(char *dst, size_t size, const char *msg)
{
	size_t n = 0;
	int space = 0;

	for (; *msg && n + 1 < size; msg++) {
		if (*msg == '\n' || *msg == '\r' || *msg == '\t' || *msg == ' ') {
			space = n > 0;
			continue;
		}
		if (space && n + 2 < size)
			dst[n++] = ' ';
		space = 0;
		dst[n++] = *msg;
	}
	dst[n] = '\0';
}

static int map_sqlstate(const char *st)
{
	if (!st || strlen(st) != 5)
		return CXM_ESTORE;
	if (!strcmp(st, "23505"))
		return CXM_EEXIST;
	if (!strcmp(st, "23503") || !strcmp(st, "23502") || !strcmp(st, "23514") || !strncmp(st, "22", 2))
		return CXM_EINVAL;
	if (!strcmp(st, "40P01") || !strcmp(st, "55P03") || !strcmp(st, "40001"))
		return CXM_EBUSY;
	if (!strncmp(st, "08", 2) || !strcmp(st, "57P01") || !strcmp(st, "57P02") || !strcmp(st, "57P03"))
		return CXM_EUNAVAIL;
	return CXM_ESTORE;
}

/* Records the error of res (or of the connection when res has none). */
static int fail(struct pg_store *ps, const PGresult *res)
{
	const char *st = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *prim = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char msg[sizeof(ps->base.errmsg)];
	int code = map_sqlstate(st);

	if (PQstatus(ps->conn) != CONNECTION_OK)
		code = CXM_EUNAVAIL;
	one_line(msg, sizeof(msg), prim ? prim : PQerrorMessage(ps->conn));
	if (!msg[0])
		cxm_strlcpy(msg, "unknown error", sizeof(msg));
	if (code == CXM_EUNAVAIL && !prim)
		return cxm_store_seterr(&ps->base, code, _(MSG_DB_PG_LOST), msg);
	return cxm_store_seterr(&ps->base, code, "postgresql: %s", msg);
}

/* ---- the statement cache ------------------------------------------------ */

/* Forgets every prepared statement (they died with the old session). */
static void cache_forget(struct pg_store *ps)
{
	for (size_t i = 0; i < ps->cache.cap; i++) {
		free(ps->cache.e[i].stmt);
		ps->cache.e[i].stmt = NULL;
	}
}

/*
 * Rewrites '?' to $1..$n, leaving quoted literals, quoted identifiers and
 * comments alone; *nparams gets n. Returns owned text.
 */
static char *number_params(const char *sql, int *nparams)
{
	struct cxm_buf b;
	int n = 0;

	cxm_buf_init(&b, 0);
	for (const char *p = sql; *p;) {
		const char *end = p + 1;
		if (*p == '\'' || *p == '"') {
			while (*end && *end != *p)
				end++;
			if (*end)
				end++;
		} else if (p[0] == '-' && p[1] == '-') {
			while (*end && *end != '\n')
				end++;
		} else if (p[0] == '/' && p[1] == '*') {
			end = strstr(p + 2, "*/");
			end = end ? end + 2 : p + strlen(p);
		} else if (*p == '?') {
			cxm_buf_addf(&b, "$%d", ++n);
			p = end;
			continue;
		}
		cxm_buf_add(&b, p, (size_t)(end - p));
		p = end;
	}
	*nparams = n;
	return cxm_buf_detach(&b, NULL);
}

static int prepare(struct pg_store *ps, struct stmt_entry *slot)
{
	char name[32];
	int n, ret = 0;
	char *text = number_params(slot->sql, &n);
	PGresult *res;

	cxm_xsnprintf(name, sizeof(name), "cxm_%u", ps->next_stmt++);
	res = PQprepare(ps->conn, name, text, n, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		ret = fail(ps, res);
		goto out;
	}
	slot->stmt = xstrdup(name);
	slot->nparams = n;
out:
	PQclear(res);
	free(text);
	return ret;
}

/* ---- the connection ---------------------------------------------------- */

/*
 * plan_cache_mode: a prepared statement's generic plan is made from the
 * table sizes of when it was first run. Inside one long import the tables
 * start empty, so a generic plan would scan them sequentially forever
 * (quadratic imports); custom plans see the tables as they grow.
 */
static int session_setup(struct pg_store *ps)
{
	PGresult *res = PQexec(ps->conn, "SET client_min_messages = warning; SET plan_cache_mode = force_custom_plan");
	int ret = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : fail(ps, res);

	PQclear(res);
	return ret;
}

/* Reopens a dropped connection, unless a transaction was open on it. */
static int ensure_conn(struct pg_store *ps)
{
	char msg[sizeof(ps->base.errmsg)];

	if (PQstatus(ps->conn) == CONNECTION_OK)
		return 0;
	if (ps->base.in_tx)
		return cxm_store_seterr(&ps->base, CXM_EUNAVAIL,
					"postgresql: the connection was lost and the transaction with it");
	PQreset(ps->conn);
	if (PQstatus(ps->conn) != CONNECTION_OK) {
		one_line(msg, sizeof(msg), PQerrorMessage(ps->conn));
		return cxm_store_seterr(&ps->base, CXM_EUNAVAIL, _(MSG_DB_PG_RECONNECT), msg);
	}
	cache_forget(ps);
	return session_setup(ps);
}

static void pg_close(struct cxm_store *s)
{
	struct pg_store *ps = (struct pg_store *)s;

	cache_forget(ps);
	free(ps->cache.e);
	cxm_buf_release(&ps->copy);
	PQfinish(ps->conn);
	free(ps);
}

static int pg_open(struct cxm_store **out, const char *url, char *err, size_t errlen)
{
	/* Keywords before dbname are defaults the URL overrides; those after
	 * it are not negotiable: cxm speaks UTF-8. */
	static const char *const keys[] = { "connect_timeout", "fallback_application_name", "dbname",
					    "client_encoding", NULL };
	const char *vals[] = { "10", "cxm", url, "UTF8", NULL };
	struct pg_store *ps = NULL;
	PQconninfoOption *opts;
	char *perr = NULL;
	char msg[512];
	int ret = 0;

	*out = NULL;
	opts = PQconninfoParse(url, &perr);
	if (!opts) {
		one_line(msg, sizeof(msg), perr ? perr : "out of memory");
		snprintf(err, errlen, _(MSG_DB_PG_URL), msg);
		PQfreemem(perr);
		return CXM_EURL;
	}
	PQconninfoFree(opts);
	ps = xcalloc(1, sizeof(*ps));
	ps->base.ops = &cxm_store_pgsql;
	cxm_buf_init(&ps->copy, 0);
	ps->conn = PQconnectdbParams(keys, vals, 1);
	if (!ps->conn)
		BUG("PQconnectdbParams: out of memory");
	if (PQstatus(ps->conn) != CONNECTION_OK) {
		one_line(msg, sizeof(msg), PQerrorMessage(ps->conn));
		snprintf(err, errlen, _(MSG_DB_PG_CONNECT), msg);
		ret = CXM_EUNAVAIL;
		goto out;
	}
	if ((ret = session_setup(ps))) {
		snprintf(err, errlen, _(MSG_DB_PG_SESSION), ps->base.errmsg);
		goto out;
	}
out:
	if (ret)
		pg_close(&ps->base);
	else
		*out = &ps->base;
	return ret;
}

/* ---- statements -------------------------------------------------------- */

static int pg_exec(struct cxm_store *s, const char *sql)
{
	struct pg_store *ps = (struct pg_store *)s;
	PGresult *res = NULL;
	int ret = 0;

	/* A transaction dies with its connection, and store.c rolls back after
	 * a failed COMMIT, which has already ended it: either way there is
	 * nothing to send and nothing to warn about. */
	if (!strcmp(sql, "ROLLBACK") &&
	    (PQstatus(ps->conn) != CONNECTION_OK || PQtransactionStatus(ps->conn) == PQTRANS_IDLE))
		goto out;
	if ((ret = ensure_conn(ps)))
		goto out;
	res = PQexec(ps->conn, sql);
	switch (PQresultStatus(res)) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
		break;
	default:
		ret = fail(ps, res);
		goto out;
	}
	/* COMMIT of a transaction that an error aborted answers ROLLBACK,
	 * with no error: the caller must not think its writes are stored. */
	if (!strcmp(sql, "COMMIT") && !strcmp(PQcmdStatus(res), "ROLLBACK"))
		ret = cxm_store_seterr(s, CXM_ESTORE,
				       "postgresql: the transaction was rolled back: a statement in it had failed");
out:
	PQclear(res);
	return ret;
}

static int64_t parse_int(const char *p)
{
	uint64_t v = 0;
	int neg = 0;

	if (*p == '-') {
		neg = 1;
		p++;
	}
	for (; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (uint64_t)(*p - '0');
	return neg ? (int64_t)(0 - v) : (int64_t)v;
}

/* Writes v in decimal to out (at least 21 bytes, no NUL); returns the length. */
static size_t format_int(char *out, int64_t v)
{
	char tmp[24];
	size_t n = 0, len = 0;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		out[len++] = '-';
	while (n)
		out[len++] = tmp[--n];
	return len;
}

static int64_t pg_col_int(void *impl, int col)
{
	PGresult *res = impl;

	return PQgetisnull(res, 0, col) ? 0 : parse_int(PQgetvalue(res, 0, col));
}

static const char *pg_col_text(void *impl, int col)
{
	PGresult *res = impl;

	return PQgetisnull(res, 0, col) ? NULL : PQgetvalue(res, 0, col);
}

/* Asks the server to stop the statement running on the connection. */
static void cancel(struct pg_store *ps)
{
	char buf[256];
	PGcancel *c = PQgetCancel(ps->conn);

	if (c) {
		PQcancel(c, buf, sizeof(buf));
		PQfreeCancel(c);
	}
}

static int pg_query(struct cxm_store *s, const char *sql, const struct sqlval *p, size_t np, row_fn fn, void *ctx,
		    int64_t *changes)
{
	struct pg_store *ps = (struct pg_store *)s;
	const char *vals_stack[STACK_PARAMS];
	char nums_stack[STACK_PARAMS][24];
	const char **vals = vals_stack;
	char (*nums)[24] = nums_stack;
	struct stmt_entry *slot;
	PGresult *res;
	int ret, stopped = 0;

	if ((ret = ensure_conn(ps)))
		goto out;
	slot = stmt_cache_get(&ps->cache, sql);
	if (!slot->stmt && (ret = prepare(ps, slot)))
		goto out;
	if ((size_t)slot->nparams != np)
		BUG("the number of parameters differs from the '?' in the SQL");
	if (np > STACK_PARAMS) {
		vals = xcalloc(np, sizeof(*vals));
		nums = xcalloc(np, sizeof(*nums));
	}
	for (size_t i = 0; i < np; i++) {
		switch (p[i].type) {
		case SQL_NULL: vals[i] = NULL; break;
		case SQL_TEXT: vals[i] = p[i].s; break;
		case SQL_INT:
			nums[i][format_int(nums[i], p[i].i)] = '\0';
			vals[i] = nums[i];
			break;
		default: BUG("bad sqlval type");
		}
	}
	if (!PQsendQueryPrepared(ps->conn, slot->stmt, (int)np, vals, NULL, NULL, 0)) {
		ret = fail(ps, NULL);
		goto out;
	}
	if (!PQsetSingleRowMode(ps->conn))
		BUG("PQsetSingleRowMode refused right after a send");
	/* Every result is read, even after an error or a stop, so the
	 * connection is idle again when this returns. */
	while ((res = PQgetResult(ps->conn))) {
		switch (PQresultStatus(res)) {
		case PGRES_SINGLE_TUPLE:
			if (!stopped && fn) {
				struct sqlrow row = { s->ops, res, PQnfields(res) };
				if ((ret = fn(&row, ctx))) {
					stopped = 1;
					/* Outside a transaction a SELECT can be cut short;
					 * inside one a cancel would abort the transaction,
					 * so the rest is read and dropped. */
					if (!s->in_tx && !strncmp(sql, "SELECT", 6))
						cancel(ps);
				}
			}
			break;
		case PGRES_TUPLES_OK:
		case PGRES_COMMAND_OK:
			if (!stopped && changes)
				*changes = parse_int(PQcmdTuples(res));
			break;
		default:
			if (!stopped && !ret)
				ret = fail(ps, res);
			break;
		}
		PQclear(res);
	}
	if (!stopped && !ret && PQstatus(ps->conn) != CONNECTION_OK)
		ret = fail(ps, NULL);
out:
	if (vals != vals_stack) {
		free(vals);
		free(nums);
	}
	return ret;
}

/* ---- bulk events ------------------------------------------------------- */

static void add_int(struct cxm_buf *b, int64_t v)
{
	char num[24];

	cxm_buf_add(b, num, format_int(num, v));
}

/* Appends a COPY text field: \N for NULL, else s with \ TAB LF CR escaped. */
static void add_text(struct cxm_buf *b, const char *s)
{
	if (!s)
		cxm_buf_add(b, "\\N", 2);
	while (s) {
		size_t run = strcspn(s, "\\\t\n\r");
		cxm_buf_add(b, s, run);
		s += run;
		if (!*s)
			break;
		switch (*s) {
		case '\\': cxm_buf_add(b, "\\\\", 2); break;
		case '\t': cxm_buf_add(b, "\\t", 2); break;
		case '\n': cxm_buf_add(b, "\\n", 2); break;
		default: cxm_buf_add(b, "\\r", 2); break;
		}
		s++;
	}
}

static size_t pow2_above(size_t n)
{
	size_t cap = 16;

	while (cap < n * 2)
		cap *= 2;
	return cap;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h ^ (h >> 29);
}

static uint64_t hash_int(int64_t v)
{
	uint64_t h = (uint64_t)v * 0x9E3779B97F4A7C15ull;
	return h ^ (h >> 31);
}


/* Sends what the COPY buffer holds. */
static int copy_flush(struct pg_store *ps)
{
	int ret = 0;

	if (ps->copy.len && PQputCopyData(ps->conn, ps->copy.p, (int)ps->copy.len) != 1)
		ret = fail(ps, NULL);
	cxm_buf_clear(&ps->copy);
	return ret;
}

/* The SQLSTATE of res is 23505: a unique key is already taken. */
static int is_dup(const PGresult *res)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	return state && !strcmp(state, "23505");
}

/* Ends a COPY (aborting it with abort_msg unless NULL) and reads its
 * result; with dup not NULL, 23505 sets *dup instead of failing. */
static int copy_end(struct pg_store *ps, const char *abort_msg, int *dup)
{
	PGresult *res;
	int ret = 0;

	if (PQputCopyEnd(ps->conn, abort_msg) != 1)
		ret = fail(ps, NULL);
	while ((res = PQgetResult(ps->conn))) {
		if (!ret && PQresultStatus(res) != PGRES_COMMAND_OK) {
			if (dup && is_dup(res))
				*dup = 1;
			else
				ret = fail(ps, res);
		}
		PQclear(res);
	}
	return ret;
}

/* Runs a multi-statement script with no rows to read; 23505 (a unique key
 * already taken) is reported in *dup instead of as an error when dup is
 * not NULL. */
static int run_script(struct pg_store *ps, const char *sql, int *dup)
{
	PGresult *res;
	int ret = 0;

	if (!PQsendQuery(ps->conn, sql)) {
		ret = fail(ps, NULL);
		goto out;
	}
	while ((res = PQgetResult(ps->conn))) {
		ExecStatusType st = PQresultStatus(res);
		if (!ret && st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
			if (dup && is_dup(res))
				*dup = 1;
			else
				ret = fail(ps, res);
		}
		PQclear(res);
	}
out:
	return ret;
}

/* Runs head, a script that ends in COPY ... (EVENT_COLS) FROM STDIN, and
 * sends it the events marked in keep; 23505 is reported as copy_end does. */
static int copy_events(struct pg_store *ps, const char *head, int64_t tenant, const struct cxm_event *ev,
		       const char *const *src, const unsigned char *keep, size_t n, int *dup)
{
	struct cxm_buf *b = &ps->copy;
	PGresult *res = PQexec(ps->conn, head);
	int ret = 0;

	if (PQresultStatus(res) != PGRES_COPY_IN) {
		ret = fail(ps, res);
		goto out;
	}
	cxm_buf_clear(b);
	for (size_t i = 0; i < n; i++) {
		const struct cxm_event *e = &ev[i];
		if (!keep[i])
			continue;
		add_int(b, tenant);
		cxm_buf_addch(b, '\t');
		add_int(b, e->id);
		cxm_buf_addch(b, '\t');
		add_text(b, src[i]);
		cxm_buf_addch(b, '\t');
		add_int(b, e->customer_id);
		cxm_buf_addch(b, '\t');
		add_text(b, e->type);
		cxm_buf_addch(b, '\t');
		add_text(b, e->channel);
		cxm_buf_addch(b, '\t');
		add_text(b, e->touchpoint);
		cxm_buf_addch(b, '\t');
		add_text(b, e->agent);
		cxm_buf_addch(b, '\t');
		if (e->org_unit_id)
			add_int(b, e->org_unit_id);
		else
			add_text(b, NULL);
		cxm_buf_addch(b, '\t');
		add_int(b, e->ts);
		cxm_buf_addch(b, '\t');
		if (e->has_amount)
			add_int(b, e->amount_micros);
		else
			add_text(b, NULL);
		cxm_buf_addch(b, '\t');
		add_text(b, e->currency);
		cxm_buf_addch(b, '\t');
		add_text(b, e->properties ? e->properties : "{}");
		cxm_buf_addch(b, '\n');
		if (b->len >= COPY_CHUNK && (ret = copy_flush(ps)))
			break;
	}
	if (!ret)
		ret = copy_flush(ps);
	if (ret)
		copy_end(ps, "cxm: sending the batch failed", NULL);
	else
		ret = copy_end(ps, NULL, dup);
out:
	PQclear(res);
	return ret;
}

/*
 * Moves the staged events into events, skipping source_ids already stored,
 * and marks in inserted[] (may be NULL) those that went in, found by the
 * ids RETURNING hands back.
 */
static int move_new(struct pg_store *ps, const struct cxm_event *ev, const unsigned char *keep, size_t n,
		    unsigned char *inserted, size_t *count)
{
	static const char move[] =
		"INSERT INTO events (" EVENT_COLS ") SELECT " EVENT_COLS " FROM " STAGE_TABLE
		" ON CONFLICT (tenant_id, source_id) DO NOTHING RETURNING id;"
		" TRUNCATE " STAGE_TABLE;
	uint32_t *map = NULL;
	size_t cap = 0;
	PGresult *res;
	int ret = 0;

	if (inserted) {
		cap = pow2_above(n);
		map = xcalloc(cap, sizeof(*map));
		for (size_t i = 0; i < n; i++) {
			if (!keep[i])
				continue;
			size_t h = hash_int(ev[i].id) & (cap - 1);
			while (map[h])
				h = (h + 1) & (cap - 1);
			map[h] = (uint32_t)i + 1;
		}
	}
	if (!PQsendQuery(ps->conn, move)) {
		ret = fail(ps, NULL);
		goto out;
	}
	while ((res = PQgetResult(ps->conn))) {
		ExecStatusType st = PQresultStatus(res);
		if (st == PGRES_TUPLES_OK && !ret) {
			int rows = PQntuples(res);
			*count = (size_t)rows;
			for (int r = 0; map && r < rows; r++) {
				int64_t id = parse_int(PQgetvalue(res, r, 0));
				for (size_t h = hash_int(id) & (cap - 1); map[h]; h = (h + 1) & (cap - 1)) {
					if (ev[map[h] - 1].id == id) {
						inserted[map[h] - 1] = 1;
						break;
					}
				}
			}
		} else if (st != PGRES_COMMAND_OK && !ret) {
			ret = fail(ps, res);
		}
		PQclear(res);
	}
out:
	free(map);
	return ret;
}

/*
 * The COPY path. Most batches are all new, so the batch is first COPYed
 * straight into events inside a savepoint: the unique index checks every
 * source_id anyway, and this costs about half of staging the batch and
 * moving it with INSERT ... ON CONFLICT. A duplicate rolls the savepoint
 * back and the batch takes the staging way; so does the batch after one
 * that had duplicates. Any other error in the direct COPY (a NULL type,
 * bad JSON) rolls the savepoint back too, so the caller's transaction
 * stays usable; errors on the staging way abort it, as any failed
 * statement does on PostgreSQL.
 */
static int put_copy(struct pg_store *ps, int64_t tenant, const struct cxm_event *ev, const char *const *src,
		    const unsigned char *keep, size_t n, unsigned char *inserted, size_t *n_inserted)
{
	static const char direct[] = "SAVEPOINT cxm_put; COPY events (" EVENT_COLS ") FROM STDIN";
	static const char undo[] = "ROLLBACK TO SAVEPOINT cxm_put; RELEASE SAVEPOINT cxm_put";
	static const char done[] = "RELEASE SAVEPOINT cxm_put";
	static const char staged_head[] =
		"CREATE TEMP TABLE IF NOT EXISTS " STAGE_TABLE " (LIKE events INCLUDING DEFAULTS)"
		" ON COMMIT DELETE ROWS;"
		" COPY " STAGE_TABLE " (" EVENT_COLS ") FROM STDIN";
	size_t sent = 0, count = 0;
	int ret = 0, dup = 0;

	for (size_t i = 0; i < n; i++)
		sent += keep[i];
	if (!ps->saw_dups) {
		ret = copy_events(ps, direct, tenant, ev, src, keep, n, &dup);
		if (!ret && !dup) {
			if ((ret = run_script(ps, done, NULL)))
				goto out;
			for (size_t i = 0; inserted && i < n; i++)
				inserted[i] = keep[i];
			count = sent;
			goto out;
		}
		char saved[sizeof(ps->base.errmsg)];
		memcpy(saved, ps->base.errmsg, sizeof(saved));
		int undo_ret = run_script(ps, undo, NULL);
		if (ret) {
			memcpy(ps->base.errmsg, saved, sizeof(saved));
			goto out;
		}
		if ((ret = undo_ret))
			goto out;
	}
	if ((ret = copy_events(ps, staged_head, tenant, ev, src, keep, n, NULL)))
		goto out;
	if ((ret = move_new(ps, ev, keep, n, inserted, &count)))
		goto out;
	ps->saw_dups = count < sent;
out:
	if (!ret && n_inserted)
		*n_inserted = count;
	return ret;
}

static int pg_put_events(struct cxm_store *s, int64_t tenant, struct cxm_event *ev, size_t n,
			 unsigned char *inserted, size_t *n_inserted)
{
	struct pg_store *ps = (struct pg_store *)s;
	const char **src = xcalloc(n ? n : 1, sizeof(*src));
	unsigned char *keep = NULL;
	char (*idtext)[CXM_ID_BUFSZ] = NULL;
	uint32_t *set = NULL;
	int ret;

	if (n_inserted)
		*n_inserted = 0;
	if (n >= UINT32_MAX) {
		ret = cxm_store_seterr(s, CXM_ETOOBIG, _(MSG_DB_BATCH_TOO_BIG), n);
		goto out;
	}
	if ((ret = ensure_conn(ps)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (!ev[i].id)
			ev[i].id = cxm_id_next();
		src[i] = ev[i].source_id;
		if (!src[i]) {
			if (!idtext)
				idtext = xmalloc(n * sizeof(*idtext));
			src[i] = cxm_id_format(ev[i].id, idtext[i]);
		}
		if (inserted)
			inserted[i] = 0;
	}
	if (n < COPY_MIN_BATCH) {
		/* row by row: a repeated source_id conflicts with the copy stored before it */
		ret = cxm_store_events_put_rows(s, tenant, ev, n, inserted, n_inserted);
		goto out;
	}
	/* Only the first event of each source_id is staged; the others are
	 * duplicates whatever the table holds. */
	size_t cap = pow2_above(n);
	set = xcalloc(cap, sizeof(*set));
	keep = xmalloc(n);
	for (size_t i = 0; i < n; i++) {
		size_t h = hash_str(src[i]) & (cap - 1);
		keep[i] = 1;
		for (; set[h]; h = (h + 1) & (cap - 1)) {
			if (!strcmp(src[set[h] - 1], src[i])) {
				keep[i] = 0;
				break;
			}
		}
		if (keep[i])
			set[h] = (uint32_t)i + 1;
	}
	ret = put_copy(ps, tenant, ev, src, keep, n, inserted, n_inserted);
out:
	free(src);
	free(keep);
	free(idtext);
	free(set);
	return ret;
}

const struct cxm_store_ops cxm_store_pgsql = {
	.name = "postgresql",
	.open = pg_open,
	.close = pg_close,
	.exec = pg_exec,
	.query = pg_query,
	.col_int = pg_col_int,
	.col_text = pg_col_text,
	.put_events = pg_put_events,
	.json_reformatted = true,
	.begin_sql = "BEGIN",
	/* Two servers starting together: the second waits, then finds the
	 * migrations applied. */
	.migration_lock_sql = "SELECT pg_advisory_xact_lock(7364001)",
	.migrations = cxm_migrations_pgsql,
};
