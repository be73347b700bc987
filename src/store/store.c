/*
 * store.c - the storage API of store.h, written once in portable SQL over
 * the backend drivers (sqlite.c, pgsql.c). Every statement filters on
 * tenant_id; every value is a bound parameter.
 */
#include "store-internal.h"
#include "cxm/i18n.h"
#include "cxm/id.h"
#include "cxm/json.h"
#include "cxm/map.h"
#include "cxm/org.h"
#include "cxm/text.h"
#include "cxm/time.h"
#include "cxm/tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

int cxm_store_seterr(struct cxm_store *s, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->errmsg, sizeof(s->errmsg), fmt, ap);
	va_end(ap);
	return code;
}

/* ---- the drivers' statement cache ----------------------------------------- */

static size_t stmt_slot(const struct stmt_cache *c, const char *sql)
{
	uintptr_t h = (uintptr_t)sql;
	h ^= h >> 17;
	h *= 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 7) & (c->cap - 1);
}

struct stmt_entry *stmt_cache_get(struct stmt_cache *c, const char *sql)
{
	size_t i;

	if (c->n * 2 >= c->cap) {
		struct stmt_entry *old = c->e;
		size_t old_cap = c->cap;
		c->cap = old_cap ? old_cap * 2 : 64;
		c->e = xcalloc(c->cap, sizeof(*c->e));
		for (size_t k = 0; k < old_cap; k++) {
			if (!old[k].sql)
				continue;
			for (i = stmt_slot(c, old[k].sql); c->e[i].sql; i = (i + 1) & (c->cap - 1))
				;
			c->e[i] = old[k];
		}
		free(old);
	}
	for (i = stmt_slot(c, sql); c->e[i].sql; i = (i + 1) & (c->cap - 1))
		if (c->e[i].sql == sql)
			return &c->e[i];
	c->e[i].sql = sql;
	c->n++;
	return &c->e[i];
}

/* ---- opening ------------------------------------------------------------ */

static const struct cxm_store_ops *backend_for(const char *url)
{
	if (!strncmp(url, "sqlite:", 7))
		return &cxm_store_sqlite;
	if (!strncmp(url, "postgresql://", 13) || !strncmp(url, "postgres://", 11)) {
#ifdef CXM_HAVE_PGSQL
		return &cxm_store_pgsql;
#else
		return NULL;
#endif
	}
	return NULL;
}

int cxm_store_open_raw(struct cxm_store **out, const char *url, char *err, size_t errlen)
{
	const struct cxm_store_ops *ops;

	*out = NULL;
	if (!url || !*url) {
		snprintf(err, errlen, "%s", _(MSG_DB_EMPTY_URL));
		return CXM_EURL;
	}
	ops = backend_for(url);
	if (!ops) {
		snprintf(err, errlen, _(MSG_DB_BAD_URL), url);
		return CXM_EURL;
	}
	int ret = ops->open(out, url, err, errlen);
	if (!ret)
		(*out)->url = xstrdup(url);
	return ret;
}

int cxm_store_open(struct cxm_store **out, const char *url, char *err, size_t errlen)
{
	int ret = cxm_store_open_raw(out, url, err, errlen);

	if (ret)
		return ret;
	ret = cxm_store_migrate(*out, NULL);
	if (ret) {
		snprintf(err, errlen, "%s", (*out)->errmsg);
		cxm_store_close(*out);
		*out = NULL;
	}
	return ret;
}

/* Rollups (the end of this file): changes added up in the transaction. */
static int rollups_flush(struct cxm_store *s);
static void rollups_merge_savepoint(struct cxm_store *s);
static void rollups_discard(struct cxm_store *s, bool savepoint_only);
/* The emotion mix rollup's (the mix section) */
static int mix_flush(struct cxm_store *s);
static void mix_discard(struct cxm_store *s, bool savepoint_only);
static void mix_merge_savepoint(struct cxm_store *s);
static int text_mix_backfill(struct cxm_store *s);
static int journey_dims_backfill(struct cxm_store *s);

void cxm_store_close(struct cxm_store *s)
{
	if (s) {
		rollups_discard(s, false);
		cxm_jstore_free(s);
		free(s->url);
		s->ops->close(s);
	}
}

const char *cxm_store_errmsg(const struct cxm_store *s)
{
	return s->errmsg[0] ? s->errmsg : "no error";
}

const char *cxm_store_backend(const struct cxm_store *s)
{
	return s->ops->name;
}

/* ---- statement helpers ------------------------------------------------- */

static int q(struct cxm_store *s, const char *sql, const struct sqlval *p, size_t np, row_fn fn, void *ctx,
	     int64_t *changes)
{
	int ret;

	/* PostgreSQL runs one query at a time per connection; hold SQLite to
	 * the same rule so code that breaks it fails on both */
	if (s->in_query)
		BUG("a store query was started from inside a row callback");
	s->in_query = 1;
	ret = s->ops->query(s, sql, p, np, fn, ctx, changes);
	s->in_query = 0;
	return ret;
}

#define Q(s, sql, params, fn, ctx, changes) q(s, sql, params, ARRAY_SIZE(params), fn, ctx, changes)

struct one_int {
	int found;
	int64_t v;
};

static int one_int_row(const struct sqlrow *r, void *ctx)
{
	struct one_int *o = ctx;
	o->found = 1;
	o->v = row_int(r, 0);
	return 0;
}

/* Runs a query whose first column of the first row is an integer;
 * CXM_ENOTFOUND when there is no row. */
static int get_int(struct cxm_store *s, const char *sql, const struct sqlval *p, size_t np, int64_t *out)
{
	struct one_int o = { 0, 0 };
	int ret = q(s, sql, p, np, one_int_row, &o, NULL);

	if (ret)
		return ret;
	if (!o.found)
		return CXM_ENOTFOUND;
	*out = o.v;
	return 0;
}

#define GET_INT(s, sql, params, out) get_int(s, sql, params, ARRAY_SIZE(params), out)

/* ---- transactions ------------------------------------------------------ */

int cxm_store_in_transaction(const struct cxm_store *s)
{
	return s->in_tx;
}

int cxm_store_begin(struct cxm_store *s)
{
	int ret;

	if (s->in_tx)
		BUG("nested transaction");
	ret = s->ops->exec(s, s->ops->begin_sql);
	if (!ret) {
		s->in_tx = 1;
		cxm_jstore_begin(s);
	}
	return ret;
}

int cxm_store_commit(struct cxm_store *s)
{
	int ret;

	if (!s->in_tx)
		BUG("commit without transaction");
	rollups_merge_savepoint(s); /* COMMIT releases an open savepoint */
	ret = rollups_flush(s);
	if (!ret)
		ret = s->ops->exec(s, "COMMIT");
	if (ret) {
		char saved[sizeof(s->errmsg)];
		memcpy(saved, s->errmsg, sizeof(saved));
		rollups_discard(s, false);
		s->ops->exec(s, "ROLLBACK");
		memcpy(s->errmsg, saved, sizeof(saved));
	}
	s->in_tx = 0;
	return ret;
}

int cxm_store_rollback(struct cxm_store *s)
{
	int ret;

	rollups_discard(s, false);
	if (!s->in_tx)
		return 0;
	ret = s->ops->exec(s, "ROLLBACK");
	s->in_tx = 0;
	return ret;
}

int cxm_store_savepoint(struct cxm_store *s)
{
	int ret;

	if (!s->in_tx)
		BUG("savepoint outside a transaction");
	ret = s->ops->exec(s, "SAVEPOINT cxm_sp");
	if (!ret)
		s->in_sp = 1;
	return ret;
}

int cxm_store_savepoint_release(struct cxm_store *s)
{
	rollups_merge_savepoint(s);
	return s->ops->exec(s, "RELEASE SAVEPOINT cxm_sp");
}

int cxm_store_savepoint_rollback(struct cxm_store *s)
{
	char saved[sizeof(s->errmsg)];
	int ret;

	memcpy(saved, s->errmsg, sizeof(saved));
	rollups_discard(s, true);
	ret = s->ops->exec(s, "ROLLBACK TO SAVEPOINT cxm_sp");
	if (!ret)
		ret = s->ops->exec(s, "RELEASE SAVEPOINT cxm_sp");
	if (!ret)
		memcpy(s->errmsg, saved, sizeof(saved));
	return ret;
}

/* Opens a transaction unless the caller has one; pair with tx_end. */
static int tx_begin(struct cxm_store *s, int *own)
{
	*own = !s->in_tx;
	return *own ? cxm_store_begin(s) : 0;
}

static int tx_end(struct cxm_store *s, int own, int ret)
{
	if (!own)
		return ret;
	if (ret) {
		char saved[sizeof(s->errmsg)];
		memcpy(saved, s->errmsg, sizeof(saved));
		cxm_store_rollback(s);
		memcpy(s->errmsg, saved, sizeof(saved));
		return ret;
	}
	return cxm_store_commit(s);
}

/* ---- migrations -------------------------------------------------------- */

static const char sql_mig_table[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	" version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";
static const char sql_mig_current[] = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
static const char sql_mig_insert[] = "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)";
static const char sql_mig_applied[] = "SELECT version FROM schema_migrations";

/* The versions applied so far (migrations are few: a small set is enough). */
struct applied_set {
	int64_t v[1024];
	int n;
};

static int applied_row(const struct sqlrow *r, void *ctx)
{
	struct applied_set *a = ctx;

	if (a->n < (int)ARRAY_SIZE(a->v))
		a->v[a->n++] = row_int(r, 0);
	return 0;
}

static bool applied_has(const struct applied_set *a, int64_t version)
{
	for (int i = 0; i < a->n; i++)
		if (a->v[i] == version)
			return true;
	return false;
}

int cxm_store_schema_version(struct cxm_store *s, int *current, int *latest)
{
	int64_t v = 0;
	int ret = s->ops->exec(s, sql_mig_table);

	if (!ret)
		ret = get_int(s, sql_mig_current, NULL, 0, &v);
	*current = (int)v;
	*latest = 0;
	for (const struct cxm_migration *m = s->ops->migrations; m->version; m++)
		*latest = m->version;
	return ret;
}

static int rollups_backfill(struct cxm_store *s); /* rollups, at the end of the file */

int cxm_store_migrate(struct cxm_store *s, int *applied)
{
	int own, ret, n = 0;
	struct applied_set *done;

	ret = tx_begin(s, &own);
	if (ret)
		return ret;
	done = xcalloc(1, sizeof(*done));
	/* lock first: servers starting together on an empty database must not
	 * race each other to create the bookkeeping table */
	if (s->ops->migration_lock_sql && (ret = s->ops->exec(s, s->ops->migration_lock_sql)))
		goto out;
	if ((ret = s->ops->exec(s, sql_mig_table)))
		goto out;
	if ((ret = q(s, sql_mig_applied, NULL, 0, applied_row, done, NULL)))
		goto out;
	/* every version not applied yet, in order: also one numbered below a
	 * version applied before it (branches that met late) */
	for (const struct cxm_migration *m = s->ops->migrations; m->version; m++) {
		if (applied_has(done, m->version))
			continue;
		if ((ret = s->ops->exec(s, m->sql))) {
			char msg[sizeof(s->errmsg)];
			memcpy(msg, s->errmsg, sizeof(msg));
			cxm_store_seterr(s, ret, _(MSG_S_MIGRATION_FAILED), m->version, m->name, msg);
			goto out;
		}
		/* responses stored before the rollups existed get counted */
		if (m->version == 10 && (ret = rollups_backfill(s)))
			goto out;
		/* 0011 copies the rollups of dim all: those counted just above
		 * must be in the table first */
		if (m->version == 10 && (ret = rollups_flush(s)))
			goto out;
		/* responses analysed before the emotion mix rollup existed */
		if (m->version == 13 && (ret = text_mix_backfill(s)))
			goto out;
		/* customers' sequences of the events stored before 0014 */
		if (m->version == 14 && (ret = cxm_jstore_backfill(s)))
			goto out;
		/* the journey map's touchpoint x segment and x theme (issue 7) */
		if (m->version == 15 && (ret = journey_dims_backfill(s)))
			goto out;
		struct sqlval p[] = { SQLV_INT(m->version), SQLV_TEXT(m->name), SQLV_INT(cxm_now_us()) };
		if ((ret = Q(s, sql_mig_insert, p, NULL, NULL, NULL)))
			goto out;
		n++;
	}
out:
	free(done);
	ret = tx_end(s, own, ret);
	if (applied)
		*applied = ret ? 0 : n;
	return ret;
}

/* ---- tenants ----------------------------------------------------------- */

int cxm_store_tenant_create(struct cxm_store *s, const struct cxm_tenant *t, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO tenants (id, name, time_zone, language, created_at) VALUES (?, ?, ?, ?, ?)";
	int64_t nid = cxm_id_next();
	struct sqlval p[] = { SQLV_INT(nid), SQLV_TEXT(t->name), SQLV_TEXT(t->time_zone), SQLV_TEXT(t->language),
			      SQLV_INT(cxm_now_us()) };
	int ret = Q(s, sql, p, NULL, NULL, NULL);

	if (ret == CXM_EEXIST)
		return cxm_store_seterr(s, ret, _(MSG_S_TENANT_EXISTS), t->name);
	if (!ret && id)
		*id = nid;
	return ret;
}

struct tenant_ctx {
	cxm_tenant_cb cb;
	void *ctx;
	int n;
};

static int tenant_row(const struct sqlrow *r, void *vctx)
{
	struct tenant_ctx *c = vctx;
	struct cxm_tenant t = {
		.id = row_int(r, 0),
		.name = row_text(r, 1),
		.time_zone = row_text(r, 2),
		.language = row_text(r, 3),
		.created_at = row_int(r, 4),
	};
	c->n++;
	return c->cb ? c->cb(&t, c->ctx) : 0;
}

int cxm_store_tenant_list(struct cxm_store *s, cxm_tenant_cb cb, void *ctx)
{
	static const char sql[] = "SELECT id, name, time_zone, language, created_at FROM tenants ORDER BY name";
	struct tenant_ctx c = { cb, ctx, 0 };
	return q(s, sql, NULL, 0, tenant_row, &c, NULL);
}

int cxm_store_tenant_get(struct cxm_store *s, int64_t id, cxm_tenant_cb cb, void *ctx)
{
	static const char sql[] = "SELECT id, name, time_zone, language, created_at FROM tenants WHERE id = ?";
	struct tenant_ctx c = { cb, ctx, 0 };
	struct sqlval p[] = { SQLV_INT(id) };
	int ret = Q(s, sql, p, tenant_row, &c, NULL);

	if (!ret && !c.n)
		return cxm_store_seterr(s, CXM_ENOTFOUND, _(MSG_NO_SUCH_TENANT), "#");
	return ret;
}

int cxm_store_tenant_find(struct cxm_store *s, const char *name, cxm_tenant_cb cb, void *ctx)
{
	static const char by_name[] =
		"SELECT id, name, time_zone, language, created_at FROM tenants WHERE name = ?";
	static const char count[] = "SELECT COUNT(*) FROM tenants";
	struct tenant_ctx c = { cb, ctx, 0 };
	int ret;

	if (name) {
		struct sqlval p[] = { SQLV_TEXT(name) };
		ret = Q(s, by_name, p, tenant_row, &c, NULL);
		if (!ret && !c.n)
			return cxm_store_seterr(s, CXM_ENOTFOUND, _(MSG_S_NO_TENANT_NAMED), name);
		return ret;
	}
	int64_t n = 0;
	if ((ret = get_int(s, count, NULL, 0, &n)))
		return ret;
	if (n == 0)
		return cxm_store_seterr(s, CXM_ENOTFOUND, "%s", _(MSG_S_NO_TENANT_YET));
	if (n > 1)
		return cxm_store_seterr(s, CXM_EAMBIGUOUS, _(MSG_S_MANY_TENANTS), (long long)n);
	return cxm_store_tenant_list(s, cb, ctx);
}

/* ---- users ------------------------------------------------------------- */

int cxm_store_user_add(struct cxm_store *s, int64_t tenant, const struct cxm_user *u, int64_t *id)
{
	static const char sql[] = "INSERT INTO users (tenant_id, id, username, display_name, email, role, created_at,"
				  " password_hash, language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
	int64_t nid = cxm_id_next();
	struct sqlval p[] = { SQLV_INT(tenant),		 SQLV_INT(nid),	       SQLV_TEXT(u->username),
			      SQLV_TEXT(u->display_name), SQLV_TEXT(u->email), SQLV_TEXT(u->role),
			      SQLV_INT(cxm_now_us()),	 SQLV_TEXT(u->password_hash), SQLV_TEXT(u->language) };
	int ret = Q(s, sql, p, NULL, NULL, NULL);

	if (ret == CXM_EEXIST)
		return cxm_store_seterr(s, ret, _(MSG_S_USER_EXISTS), u->username);
	if (!ret && id)
		*id = nid;
	return ret;
}

/* The columns user_row reads, in its order. */
#define USER_COLS "id, username, display_name, email, role, created_at, password_hash, language, tenant_id"

struct user_ctx {
	cxm_user_cb cb;
	void *ctx;
	int n;
};

static int user_row(const struct sqlrow *r, void *vctx)
{
	struct user_ctx *c = vctx;
	struct cxm_user u = {
		.id = row_int(r, 0),
		.username = row_text(r, 1),
		.display_name = row_text(r, 2),
		.email = row_text(r, 3),
		.role = row_text(r, 4),
		.created_at = row_int(r, 5),
		.password_hash = row_text(r, 6),
		.language = row_text(r, 7),
		.tenant_id = row_int(r, 8),
	};
	c->n++;
	return c->cb ? c->cb(&u, c->ctx) : 0;
}

int cxm_store_user_find(struct cxm_store *s, int64_t tenant, const char *username, cxm_user_cb cb, void *ctx)
{
	static const char sql[] = "SELECT " USER_COLS " FROM users WHERE tenant_id = ? AND username = ?";
	struct user_ctx c = { cb, ctx, 0 };
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_TEXT(username) };
	int ret = Q(s, sql, p, user_row, &c, NULL);

	if (!ret && !c.n)
		return cxm_store_seterr(s, CXM_ENOTFOUND, _(MSG_S_NO_USER), username);
	return ret;
}

int cxm_store_user_list(struct cxm_store *s, int64_t tenant, cxm_user_cb cb, void *ctx)
{
	static const char sql[] = "SELECT " USER_COLS " FROM users WHERE tenant_id = ? ORDER BY username";
	struct user_ctx c = { cb, ctx, 0 };
	struct sqlval p[] = { SQLV_INT(tenant) };
	return Q(s, sql, p, user_row, &c, NULL);
}

/* ---- org units --------------------------------------------------------- */

int cxm_store_org_unit_add(struct cxm_store *s, int64_t tenant, const struct cxm_org_unit *u, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO org_units (tenant_id, id, name, kind, created_at) VALUES (?, ?, ?, ?, ?)";
	int64_t nid = cxm_id_next();
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(nid), SQLV_TEXT(u->name), SQLV_TEXT(u->kind),
			      SQLV_INT(cxm_now_us()) };
	int ret = Q(s, sql, p, NULL, NULL, NULL);

	if (ret == CXM_EEXIST)
		return cxm_store_seterr(s, ret, _(MSG_S_UNIT_EXISTS), u->name);
	if (!ret && id)
		*id = nid;
	return ret;
}

struct unit_ctx {
	cxm_org_unit_cb cb;
	void *ctx;
	int n;
};

static int unit_row(const struct sqlrow *r, void *vctx)
{
	struct unit_ctx *c = vctx;
	struct cxm_org_unit u = {
		.id = row_int(r, 0),
		.name = row_text(r, 1),
		.kind = row_text(r, 2),
		.created_at = row_int(r, 3),
	};
	c->n++;
	return c->cb ? c->cb(&u, c->ctx) : 0;
}

int cxm_store_org_unit_find(struct cxm_store *s, int64_t tenant, const char *name, cxm_org_unit_cb cb, void *ctx)
{
	static const char sql[] =
		"SELECT id, name, kind, created_at FROM org_units WHERE tenant_id = ? AND name = ?";
	struct unit_ctx c = { cb, ctx, 0 };
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_TEXT(name) };
	int ret = Q(s, sql, p, unit_row, &c, NULL);

	if (!ret && !c.n)
		return cxm_store_seterr(s, CXM_ENOTFOUND, _(MSG_S_NO_UNIT_NAMED), name);
	return ret;
}

int cxm_store_org_unit_get(struct cxm_store *s, int64_t tenant, int64_t id, cxm_org_unit_cb cb, void *ctx)
{
	static const char sql[] = "SELECT id, name, kind, created_at FROM org_units WHERE tenant_id = ? AND id = ?";
	struct unit_ctx c = { cb, ctx, 0 };
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(id) };
	int ret = Q(s, sql, p, unit_row, &c, NULL);

	if (!ret && !c.n)
		return cxm_store_seterr(s, CXM_ENOTFOUND, _(MSG_S_NO_UNIT_ID), (long long)id);
	return ret;
}

int cxm_store_org_unit_list(struct cxm_store *s, int64_t tenant, cxm_org_unit_cb cb, void *ctx)
{
	static const char sql[] = "SELECT id, name, kind, created_at FROM org_units WHERE tenant_id = ? ORDER BY name";
	struct unit_ctx c = { cb, ctx, 0 };
	struct sqlval p[] = { SQLV_INT(tenant) };
	return Q(s, sql, p, unit_row, &c, NULL);
}

/* ---- memberships ------------------------------------------------------- */

struct overlap_ctx {
	int64_t from, to;
	int conflict;
	int64_t c_from, c_to;
};

static int overlap_row(const struct sqlrow *r, void *vctx)
{
	struct overlap_ctx *c = vctx;
	int64_t f = row_int(r, 1), t = row_int(r, 2);

	/* One that started earlier is cut at `from`, unless it would lose a
	 * tail that reaches past the new membership. */
	if (f < c->from && (t == CXM_TIME_MAX || t <= c->to))
		return 0;
	c->conflict = 1;
	c->c_from = f;
	c->c_to = t;
	return 1;
}

/*
 * Checks that a user or unit exists and locks its row until the end of the
 * transaction (an UPDATE that changes nothing), so that two concurrent
 * moves of one member, or opposite moves of two units, are serialised on
 * PostgreSQL. SQLite's writer lock already serialises them.
 */
static int member_lock(struct cxm_store *s, int64_t tenant, enum cxm_member_kind kind, int64_t id)
{
	static const char user_sql[] = "UPDATE users SET id = id WHERE tenant_id = ? AND id = ?";
	static const char unit_sql[] = "UPDATE org_units SET id = id WHERE tenant_id = ? AND id = ?";
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(id) };
	int64_t changes = 0;
	int ret = Q(s, kind == CXM_MEMBER_USER ? user_sql : unit_sql, p, NULL, NULL, &changes);

	return ret ? ret : changes ? 0 : CXM_ENOTFOUND;
}

int cxm_store_membership_add(struct cxm_store *s, int64_t tenant, const struct cxm_membership *m, int64_t *id)
{
	static const char overlaps[] =
		"SELECT id, valid_from, valid_to FROM org_memberships WHERE tenant_id = ? AND member_kind = ?"
		" AND member_id = ? AND valid_to > ? AND valid_from < ?";
	static const char cut[] = "UPDATE org_memberships SET valid_to = ? WHERE tenant_id = ? AND member_kind = ?"
				  " AND member_id = ? AND valid_from < ? AND valid_to > ?";
	/* Is the member (a unit) an ancestor of unit_id at valid_from? */
	static const char ancestors[] =
		"WITH RECURSIVE up(id) AS (SELECT CAST(? AS BIGINT) UNION"
		" SELECT m.unit_id FROM org_memberships m JOIN up ON m.member_id = up.id"
		" WHERE m.tenant_id = ? AND m.member_kind = 2 AND m.valid_from < ? AND m.valid_to > ?)"
		" SELECT 1 FROM up WHERE id = ?";
	static const char ins[] = "INSERT INTO org_memberships (tenant_id, id, member_kind, member_id, unit_id,"
				  " valid_from, valid_to) VALUES (?, ?, ?, ?, ?, ?, ?)";
	int own, ret;
	int64_t nid = cxm_id_next(), one;
	struct overlap_ctx oc = { m->valid_from, m->valid_to, 0, 0, 0 };

	if (m->valid_to <= m->valid_from)
		return cxm_store_seterr(s, CXM_EINVAL, "%s", _(MSG_S_VALID_TO));
	if ((ret = tx_begin(s, &own)))
		return ret;
	if ((ret = member_lock(s, tenant, m->member_kind, m->member_id))) {
		if (ret == CXM_ENOTFOUND)
			cxm_store_seterr(s, ret, _(m->member_kind == CXM_MEMBER_USER ? MSG_S_NO_USER_ID : MSG_S_NO_UNIT_ID),
					 (long long)m->member_id);
		goto out;
	}
	if ((ret = member_lock(s, tenant, CXM_MEMBER_UNIT, m->unit_id))) {
		if (ret == CXM_ENOTFOUND)
			cxm_store_seterr(s, ret, _(MSG_S_NO_UNIT_FOR_MEMBER), (long long)m->unit_id);
		goto out;
	}
	if (m->member_kind == CXM_MEMBER_UNIT) {
		/* any parent link that overlaps the new interval counts, so no
		 * instant of it can close a loop */
		struct sqlval p[] = { SQLV_INT(m->unit_id), SQLV_INT(tenant), SQLV_INT(m->valid_to),
				      SQLV_INT(m->valid_from), SQLV_INT(m->member_id) };
		ret = GET_INT(s, ancestors, p, &one);
		if (ret == 0) {
			ret = cxm_store_seterr(s, CXM_ECONFLICT, "%s", _(MSG_S_UNIT_CYCLE));
			goto out;
		}
		if (ret != CXM_ENOTFOUND)
			goto out;
	}
	{
		struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(m->member_kind), SQLV_INT(m->member_id),
				      SQLV_INT(m->valid_from), SQLV_INT(m->valid_to) };
		ret = Q(s, overlaps, p, overlap_row, &oc, NULL);
		if (ret && !oc.conflict)
			goto out;
	}
	if (oc.conflict) {
		char a[CXM_TIME_BUFSZ], b[CXM_TIME_BUFSZ];
		cxm_time_format(oc.c_from, a);
		if (oc.c_to == CXM_TIME_MAX)
			cxm_strlcpy(b, _(MSG_S_OPEN_END), sizeof(b));
		else
			cxm_time_format(oc.c_to, b);
		ret = cxm_store_seterr(s, CXM_ECONFLICT, _(MSG_S_OVERLAP), a, b);
		goto out;
	}
	{
		struct sqlval p[] = { SQLV_INT(m->valid_from), SQLV_INT(tenant), SQLV_INT(m->member_kind),
				      SQLV_INT(m->member_id), SQLV_INT(m->valid_from), SQLV_INT(m->valid_from) };
		if ((ret = Q(s, cut, p, NULL, NULL, NULL)))
			goto out;
	}
	{
		struct sqlval p[] = { SQLV_INT(tenant),	   SQLV_INT(nid),	     SQLV_INT(m->member_kind),
				      SQLV_INT(m->member_id), SQLV_INT(m->unit_id),	     SQLV_INT(m->valid_from),
				      SQLV_INT(m->valid_to) };
		ret = Q(s, ins, p, NULL, NULL, NULL);
	}
out:
	ret = tx_end(s, own, ret);
	if (!ret && id)
		*id = nid;
	return ret;
}

struct membership_ctx {
	cxm_membership_cb cb;
	void *ctx;
};

static int membership_row(const struct sqlrow *r, void *vctx)
{
	struct membership_ctx *c = vctx;
	struct cxm_membership m = {
		.id = row_int(r, 0),
		.member_kind = (enum cxm_member_kind)row_int(r, 1),
		.member_id = row_int(r, 2),
		.unit_id = row_int(r, 3),
		.valid_from = row_int(r, 4),
		.valid_to = row_int(r, 5),
	};
	return c->cb(&m, c->ctx);
}

int cxm_store_membership_history(struct cxm_store *s, int64_t tenant, enum cxm_member_kind kind,
				 int64_t member_id, cxm_membership_cb cb, void *ctx)
{
	static const char sql[] = "SELECT id, member_kind, member_id, unit_id, valid_from, valid_to"
				  " FROM org_memberships WHERE tenant_id = ? AND member_kind = ? AND member_id = ?"
				  " ORDER BY valid_from";
	struct membership_ctx c = { cb, ctx };
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(kind), SQLV_INT(member_id) };
	return Q(s, sql, p, membership_row, &c, NULL);
}

int cxm_store_unit_memberships(struct cxm_store *s, int64_t tenant, cxm_membership_cb cb, void *ctx)
{
	static const char sql[] = "SELECT id, member_kind, member_id, unit_id, valid_from, valid_to"
				  " FROM org_memberships WHERE tenant_id = ? AND member_kind = ?"
				  " ORDER BY member_id, valid_from";
	struct membership_ctx c = { cb, ctx };
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(CXM_MEMBER_UNIT) };
	return Q(s, sql, p, membership_row, &c, NULL);
}

int cxm_store_org_unit_of(struct cxm_store *s, int64_t tenant, enum cxm_member_kind kind, int64_t member_id,
			  int64_t at, int64_t *unit_id)
{
	static const char sql[] = "SELECT unit_id FROM org_memberships WHERE tenant_id = ? AND member_kind = ?"
				  " AND member_id = ? AND valid_from <= ? AND valid_to > ?";
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(kind), SQLV_INT(member_id), SQLV_INT(at), SQLV_INT(at) };
	return GET_INT(s, sql, p, unit_id);
}

int cxm_store_org_members(struct cxm_store *s, int64_t tenant, int64_t unit_id, int64_t at, cxm_user_cb cb,
			  void *ctx)
{
	static const char sql[] =
		"WITH RECURSIVE tree(id) AS (SELECT CAST(? AS BIGINT) UNION"
		" SELECT m.member_id FROM org_memberships m JOIN tree ON m.unit_id = tree.id"
		" WHERE m.tenant_id = ? AND m.member_kind = 2 AND m.valid_from <= ? AND m.valid_to > ?)"
		" SELECT u.id, u.username, u.display_name, u.email, u.role, u.created_at, u.password_hash,"
		" u.language, u.tenant_id"
		" FROM org_memberships m JOIN tree ON m.unit_id = tree.id"
		" JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.member_id"
		" WHERE m.tenant_id = ? AND m.member_kind = 1 AND m.valid_from <= ? AND m.valid_to > ?"
		" ORDER BY u.username";
	struct user_ctx c = { cb, ctx, 0 };
	struct sqlval p[] = { SQLV_INT(unit_id), SQLV_INT(tenant), SQLV_INT(at), SQLV_INT(at),
			      SQLV_INT(tenant),	 SQLV_INT(at),	   SQLV_INT(at) };
	return Q(s, sql, p, user_row, &c, NULL);
}

/* ---- customers --------------------------------------------------------- */

#define CUSTOMER_COLS                                                                                      \
	"id, external_id, first_name, last_name, email, phone, language, country, attributes,"            \
	" consent_email, consent_sms, consent_phone, consent_whatsapp, created_at, updated_at, merged_into"

struct customer_ctx {
	cxm_customer_cb cb;
	void *ctx;
	int n;
};

static void customer_from_row(const struct sqlrow *r, struct cxm_customer *c)
{
	memset(c, 0, sizeof(*c));
	c->id = row_int(r, 0);
	c->external_id = row_text(r, 1);
	c->first_name = row_text(r, 2);
	c->last_name = row_text(r, 3);
	c->email = row_text(r, 4);
	c->phone = row_text(r, 5);
	c->language = row_text(r, 6);
	c->country = row_text(r, 7);
	c->attributes = row_text(r, 8);
	for (int i = 0; i < CXM_CONSENT_N; i++)
		c->consent[i] = (unsigned char)row_int(r, 9 + i);
	c->created_at = row_int(r, 13);
	c->updated_at = row_int(r, 14);
	c->merged_into = row_int(r, 15);
}

/* JSON text as store.h promises it: canonical. *tmp gets what to free. */
static const char *canonical_json(const struct sqlrow *r, const char *text, char **tmp)
{
	char err[64];

	*tmp = NULL;
	if (!text || !r->ops->json_reformatted)
		return text;
	*tmp = cxm_json_canonical_object(text, err, sizeof(err));
	return *tmp ? *tmp : text;
}

static int customer_row(const struct sqlrow *r, void *vctx)
{
	struct customer_ctx *c = vctx;
	struct cxm_customer cu;
	char *tmp;
	int ret;

	customer_from_row(r, &cu);
	cu.attributes = canonical_json(r, cu.attributes, &tmp);
	c->n++;
	ret = c->cb ? c->cb(&cu, c->ctx) : 0;
	free(tmp);
	return ret;
}

int cxm_store_customer_get(struct cxm_store *s, int64_t tenant, int64_t id, cxm_customer_cb cb, void *ctx)
{
	static const char sql[] = "SELECT " CUSTOMER_COLS " FROM customers WHERE tenant_id = ? AND id = ?";
	struct customer_ctx c = { cb, ctx, 0 };
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(id) };
	int ret = Q(s, sql, p, customer_row, &c, NULL);

	if (!ret && !c.n)
		return cxm_store_seterr(s, CXM_ENOTFOUND, _(MSG_S_NO_CUSTOMER), (long long)id);
	return ret;
}

int cxm_store_customer_set_consent(struct cxm_store *s, int64_t tenant, int64_t id, enum cxm_consent_channel ch,
				   enum cxm_consent value)
{
	static const char *const sql[CXM_CONSENT_N] = {
		"UPDATE customers SET consent_email = ?, updated_at = ? WHERE tenant_id = ? AND id = ?",
		"UPDATE customers SET consent_sms = ?, updated_at = ? WHERE tenant_id = ? AND id = ?",
		"UPDATE customers SET consent_phone = ?, updated_at = ? WHERE tenant_id = ? AND id = ?",
		"UPDATE customers SET consent_whatsapp = ?, updated_at = ? WHERE tenant_id = ? AND id = ?",
	};
	struct sqlval p[] = { SQLV_INT(value), SQLV_INT(cxm_now_us()), SQLV_INT(tenant), SQLV_INT(id) };
	int64_t changes = 0;
	int ret = Q(s, sql[ch], p, NULL, NULL, &changes);

	if (!ret && !changes)
		return cxm_store_seterr(s, CXM_ENOTFOUND, _(MSG_S_NO_CUSTOMER), (long long)id);
	return ret;
}

int cxm_store_customer_scan(struct cxm_store *s, int64_t tenant, cxm_customer_cb cb, void *ctx)
{
	static const char sql[] = "SELECT " CUSTOMER_COLS " FROM customers"
				  " WHERE tenant_id = ? AND merged_into IS NULL ORDER BY id";
	struct customer_ctx c = { cb, ctx, 0 };
	struct sqlval p[] = { SQLV_INT(tenant) };
	return Q(s, sql, p, customer_row, &c, NULL);
}

int cxm_store_customer_search(struct cxm_store *s, int64_t tenant, const char *text, int64_t after_id, int limit,
			      cxm_customer_cb cb, void *ctx)
{
	static const char all[] = "SELECT " CUSTOMER_COLS " FROM customers"
				  " WHERE tenant_id = ? AND merged_into IS NULL AND id > ? ORDER BY id LIMIT ?";
	static const char match[] =
		"SELECT " CUSTOMER_COLS " FROM customers c"
		" WHERE c.tenant_id = ? AND c.merged_into IS NULL AND c.id > ?"
		" AND (lower(COALESCE(c.first_name, '') || ' ' || COALESCE(c.last_name, '')) LIKE ? ESCAPE '!'"
		"  OR EXISTS (SELECT 1 FROM identities i WHERE i.tenant_id = c.tenant_id AND i.customer_id = c.id"
		"   AND lower(i.value) LIKE ? ESCAPE '!'))"
		" ORDER BY c.id LIMIT ?";
	struct customer_ctx c = { cb, ctx, 0 };
	struct cxm_buf contains = CXM_BUF_INIT, prefix = CXM_BUF_INIT;
	int ret;

	if (!text || !*text) {
		struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(after_id), SQLV_INT(limit) };
		return Q(s, all, p, customer_row, &c, NULL);
	}
	/* LIKE patterns with '!' escaping the wildcards the user typed */
	cxm_buf_addch(&contains, '%');
	for (const char *t = text; *t; t++) {
		char ch = (char)(*t >= 'A' && *t <= 'Z' ? *t - 'A' + 'a' : *t);
		if (*t == '%' || *t == '_' || *t == '!') {
			cxm_buf_addch(&contains, '!');
			cxm_buf_addch(&prefix, '!');
		}
		cxm_buf_addch(&contains, ch);
		cxm_buf_addch(&prefix, ch);
	}
	cxm_buf_addch(&contains, '%');
	cxm_buf_addch(&prefix, '%');
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(after_id), SQLV_TEXT(cxm_buf_str(&contains)),
			      SQLV_TEXT(cxm_buf_str(&prefix)), SQLV_INT(limit) };
	ret = Q(s, match, p, customer_row, &c, NULL);
	cxm_buf_release(&contains);
	cxm_buf_release(&prefix);
	return ret;
}

int cxm_store_identity_resolve(struct cxm_store *s, int64_t tenant, const char *kind, const char *value,
			       int64_t *customer_id)
{
	static const char sql[] =
		"SELECT customer_id FROM identities WHERE tenant_id = ? AND kind = ? AND value = ?";
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_TEXT(kind), SQLV_TEXT(value) };
	return GET_INT(s, sql, p, customer_id);
}

int cxm_store_identity_add(struct cxm_store *s, int64_t tenant, const struct cxm_identity *idn)
{
	static const char ins[] = "INSERT INTO identities (tenant_id, kind, value, customer_id, created_at)"
				  " VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, kind, value) DO NOTHING";
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_TEXT(idn->kind), SQLV_TEXT(idn->value),
			      SQLV_INT(idn->customer_id), SQLV_INT(cxm_now_us()) };
	int64_t changes = 0, owner;
	int ret = Q(s, ins, p, NULL, NULL, &changes);

	if (ret || changes)
		return ret;
	ret = cxm_store_identity_resolve(s, tenant, idn->kind, idn->value, &owner);
	if (ret)
		return ret;
	if (owner != idn->customer_id)
		return cxm_store_seterr(s, CXM_ECONFLICT, _(MSG_S_IDENTITY_TAKEN), idn->kind,
					idn->value, (long long)owner);
	return 0;
}

struct identity_ctx {
	cxm_identity_cb cb;
	void *ctx;
};

static int identity_row(const struct sqlrow *r, void *vctx)
{
	struct identity_ctx *c = vctx;
	struct cxm_identity idn = {
		.customer_id = row_int(r, 0),
		.kind = row_text(r, 1),
		.value = row_text(r, 2),
		.created_at = row_int(r, 3),
	};
	return c->cb(&idn, c->ctx);
}

int cxm_store_identity_list(struct cxm_store *s, int64_t tenant, int64_t customer_id, cxm_identity_cb cb,
			    void *ctx)
{
	static const char sql[] = "SELECT customer_id, kind, value, created_at FROM identities"
				  " WHERE tenant_id = ? AND customer_id = ? ORDER BY kind, value";
	struct identity_ctx c = { cb, ctx };
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(customer_id) };
	return Q(s, sql, p, identity_row, &c, NULL);
}

int cxm_store_identity_scan(struct cxm_store *s, int64_t tenant, const char *kind, cxm_identity_cb cb, void *ctx)
{
	static const char sql[] = "SELECT customer_id, kind, value, created_at FROM identities"
				  " WHERE tenant_id = ? AND kind = ?";
	struct identity_ctx c = { cb, ctx };
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_TEXT(kind) };
	return Q(s, sql, p, identity_row, &c, NULL);
}

int cxm_store_identity_count(struct cxm_store *s, int64_t tenant, int64_t *n)
{
	static const char sql[] = "SELECT COUNT(*) FROM identities WHERE tenant_id = ?";
	struct sqlval p[] = { SQLV_INT(tenant) };
	return GET_INT(s, sql, p, n);
}

/* A copy of a stored customer that outlives the row callback. */
struct customer_copy {
	int found;
	struct cxm_customer c;
	char *strs[9];
};

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static int copy_customer(const struct cxm_customer *c, void *vctx)
{
	struct customer_copy *cc = vctx;
	const char **fields[] = { &cc->c.external_id, &cc->c.first_name, &cc->c.last_name,
				  &cc->c.email,	      &cc->c.phone,	 &cc->c.language,
				  &cc->c.country,     &cc->c.attributes };

	cc->found = 1;
	cc->c = *c;
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		cc->strs[i] = dup_or_null(*fields[i]);
		*fields[i] = cc->strs[i];
	}
	return 0;
}

static void customer_copy_release(struct customer_copy *cc)
{
	for (size_t i = 0; i < ARRAY_SIZE(cc->strs); i++)
		free(cc->strs[i]);
	memset(cc, 0, sizeof(*cc));
}

static int streq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Given attributes merged over the stored ones (given keys win); owned. */
static char *merge_attributes(const char *stored, const char *given, char *err, size_t errlen)
{
	cJSON *base, *over;
	char *out;

	if (!given)
		return cxm_json_canonical_object(stored, err, errlen);
	base = cxm_json_parse(stored ? stored : "{}", stored ? strlen(stored) : 2, err, errlen);
	if (!base)
		return NULL;
	over = cxm_json_parse(given, strlen(given), err, errlen);
	if (!over || !cJSON_IsObject(over) || !cJSON_IsObject(base)) {
		if (over)
			snprintf(err, errlen, "%s", _(MSG_JSON_NOT_OBJECT));
		cJSON_Delete(base);
		cJSON_Delete(over);
		return NULL;
	}
	for (cJSON *it = over->child; it; it = it->next) {
		cJSON_DeleteItemFromObjectCaseSensitive(base, it->string);
		cJSON_AddItemToObject(base, it->string, cJSON_Duplicate(it, 1));
	}
	cxm_json_sort(base);
	out = cxm_json_print(base);
	cJSON_Delete(base);
	cJSON_Delete(over);
	return out;
}


struct found_ids {
	int64_t who;
	unsigned mask; /* bit i: kinds[i] is already registered */
	const char *clash_kind; /* one of id_kinds, when two customers are named */
};

static const char *const id_kinds[] = { "external_id", "email", "phone" };

static int found_row(const struct sqlrow *r, void *ctx)
{
	struct found_ids *f = ctx;
	const char *kind = row_text(r, 0);
	int64_t cid = row_int(r, 1);

	unsigned i = 0;

	while (i < ARRAY_SIZE(id_kinds) - 1 && strcmp(kind, id_kinds[i]))
		i++;
	f->mask |= 1u << i;
	if (f->who && f->who != cid && !f->clash_kind)
		f->clash_kind = id_kinds[i];
	if (!f->who)
		f->who = cid;
	return 0;
}

/* Finds, in one query, who the customer's identities name; CXM_ECONFLICT
 * if they name two customers. */
static int find_customer(struct cxm_store *s, int64_t tenant, const struct cxm_customer *c, struct found_ids *f)
{
	static const char sql[] =
		"SELECT kind, customer_id FROM identities WHERE tenant_id = ? AND kind = 'external_id' AND value = ?"
		" UNION ALL SELECT kind, customer_id FROM identities WHERE tenant_id = ? AND kind = 'email' AND value = ?"
		" UNION ALL SELECT kind, customer_id FROM identities WHERE tenant_id = ? AND kind = 'phone' AND value = ?";
	/* three exact key lookups: an OR of them may be planned as a scan of
	 * the whole tenant */
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_TEXT(c->external_id), SQLV_INT(tenant),
			      SQLV_TEXT(c->email),  SQLV_INT(tenant),	       SQLV_TEXT(c->phone) };
	int ret;

	memset(f, 0, sizeof(*f));
	if ((ret = Q(s, sql, p, found_row, f, NULL)))
		return ret;
	if (f->clash_kind) {
		const char *v = !strcmp(f->clash_kind, "email") ? c->email : !strcmp(f->clash_kind, "phone") ? c->phone
													   : c->external_id;
		return cxm_store_seterr(s, CXM_ECONFLICT, _(MSG_S_IDENTITY_SPLIT), f->clash_kind, v, "external_id");
	}
	return 0;
}

/* Registers the customer's external_id, email and phone that are not yet
 * registered, in one statement (falling back to one by one, which names
 * the conflict, if another customer holds one). */
static int register_identities(struct cxm_store *s, int64_t tenant, int64_t cid, const struct cxm_customer *c,
			       unsigned known)
{
	static const char *const sql[] = {
		NULL,
		"INSERT INTO identities (tenant_id, kind, value, customer_id, created_at) VALUES (?, ?, ?, ?, ?)"
		" ON CONFLICT (tenant_id, kind, value) DO NOTHING",
		"INSERT INTO identities (tenant_id, kind, value, customer_id, created_at) VALUES (?, ?, ?, ?, ?),"
		" (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, kind, value) DO NOTHING",
		"INSERT INTO identities (tenant_id, kind, value, customer_id, created_at) VALUES (?, ?, ?, ?, ?),"
		" (?, ?, ?, ?, ?), (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, kind, value) DO NOTHING",
	};
	const char *vals[] = { c->external_id, c->email, c->phone };
	struct sqlval p[15];
	int64_t now = cxm_now_us(), changes = 0;
	size_t n = 0;
	int ret;

	for (size_t i = 0; i < ARRAY_SIZE(id_kinds); i++) {
		if (!vals[i] || (known & (1u << i)))
			continue;
		p[n * 5] = SQLV_INT(tenant);
		p[n * 5 + 1] = SQLV_TEXT(id_kinds[i]);
		p[n * 5 + 2] = SQLV_TEXT(vals[i]);
		p[n * 5 + 3] = SQLV_INT(cid);
		p[n * 5 + 4] = SQLV_INT(now);
		n++;
	}
	if (!n)
		return 0;
	if ((ret = q(s, sql[n], p, n * 5, NULL, NULL, &changes)))
		return ret;
	for (size_t i = 0; changes < (int64_t)n && i < ARRAY_SIZE(id_kinds); i++) {
		struct cxm_identity idn = { .customer_id = cid, .kind = id_kinds[i], .value = vals[i] };
		if (vals[i] && !(known & (1u << i)) && (ret = cxm_store_identity_add(s, tenant, &idn)))
			return ret;
	}
	return 0;
}

static const char *pick(const char *given, const char *stored)
{
	return given ? given : stored;
}

int cxm_store_customer_put(struct cxm_store *s, int64_t tenant, const struct cxm_customer *c, int64_t *id,
			   enum cxm_put_result *result)
{
	static const char ins[] =
		"INSERT INTO customers (tenant_id, id, external_id, first_name, last_name, email, phone, language,"
		" country, attributes, consent_email, consent_sms, consent_phone, consent_whatsapp, created_at,"
		" updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	static const char upd[] =
		"UPDATE customers SET external_id = ?, first_name = ?, last_name = ?, email = ?, phone = ?,"
		" language = ?, country = ?, attributes = ?, consent_email = ?, consent_sms = ?, consent_phone = ?,"
		" consent_whatsapp = ?, updated_at = ? WHERE tenant_id = ? AND id = ?";
	struct customer_copy old = { 0 };
	struct found_ids found;
	const char *ext = c->external_id;
	char err[256];
	char *attrs = NULL;
	int64_t cid = 0, now = cxm_now_us();
	enum cxm_put_result res = CXM_PUT_INSERTED;
	int own, ret;

	if (!c->external_id && !c->email && !c->phone)
		return cxm_store_seterr(s, CXM_EINVAL, "%s", _(MSG_S_CUSTOMER_NEEDS_KEY));
	if ((ret = tx_begin(s, &own)))
		return ret;
	if ((ret = find_customer(s, tenant, c, &found)))
		goto out;
	cid = found.who;
	if (cid) {
		if ((ret = cxm_store_customer_get(s, tenant, cid, copy_customer, &old)))
			goto out;
		if (old.c.merged_into) /* identities moved on merge; can't happen */
			BUG("identity names a merged customer");
		if (ext && (found.mask & 1u) && !streq(ext, old.c.external_id)) {
			/* an external_id that names this customer through a merge is an
			 * alias: the primary one (or none) stays */
			ext = old.c.external_id;
		} else if (ext && old.c.external_id && strcmp(ext, old.c.external_id)) {
			ret = cxm_store_seterr(s, CXM_ECONFLICT, _(MSG_S_EXTERNAL_ID_DIFFERS), ext, old.c.external_id);
			goto out;
		}
		attrs = merge_attributes(old.c.attributes, c->attributes, err, sizeof(err));
		if (!attrs) {
			ret = cxm_store_seterr(s, CXM_EINVAL, _(MSG_S_ATTRIBUTES), err);
			goto out;
		}
		unsigned char consent[CXM_CONSENT_N];
		int same = streq(pick(ext, old.c.external_id), old.c.external_id) &&
			   streq(pick(c->first_name, old.c.first_name), old.c.first_name) &&
			   streq(pick(c->last_name, old.c.last_name), old.c.last_name) &&
			   streq(pick(c->email, old.c.email), old.c.email) &&
			   streq(pick(c->phone, old.c.phone), old.c.phone) &&
			   streq(pick(c->language, old.c.language), old.c.language) &&
			   streq(pick(c->country, old.c.country), old.c.country) && streq(attrs, old.c.attributes);
		for (int i = 0; i < CXM_CONSENT_N; i++) {
			consent[i] = c->consent[i] ? c->consent[i] : old.c.consent[i];
			same = same && consent[i] == old.c.consent[i];
		}
		if (same) {
			res = CXM_PUT_UNCHANGED;
			goto out;
		}
		res = CXM_PUT_UPDATED;
		struct sqlval p[] = {
			SQLV_TEXT(pick(ext, old.c.external_id)),
			SQLV_TEXT(pick(c->first_name, old.c.first_name)),
			SQLV_TEXT(pick(c->last_name, old.c.last_name)),
			SQLV_TEXT(pick(c->email, old.c.email)),
			SQLV_TEXT(pick(c->phone, old.c.phone)),
			SQLV_TEXT(pick(c->language, old.c.language)),
			SQLV_TEXT(pick(c->country, old.c.country)),
			SQLV_TEXT(attrs),
			SQLV_INT(consent[0]),
			SQLV_INT(consent[1]),
			SQLV_INT(consent[2]),
			SQLV_INT(consent[3]),
			SQLV_INT(now),
			SQLV_INT(tenant),
			SQLV_INT(cid),
		};
		if ((ret = Q(s, upd, p, NULL, NULL, NULL)))
			goto out;
		if ((ret = cxm_jstore_segment(s, tenant, cid, attrs)))
			goto out;
	} else {
		attrs = cxm_json_canonical_object(c->attributes, err, sizeof(err));
		if (!attrs) {
			ret = cxm_store_seterr(s, CXM_EINVAL, _(MSG_S_ATTRIBUTES), err);
			goto out;
		}
		cid = c->id ? c->id : cxm_id_next();
		struct sqlval p[] = {
			SQLV_INT(tenant),	      SQLV_INT(cid),	      SQLV_TEXT(c->external_id),
			SQLV_TEXT(c->first_name),     SQLV_TEXT(c->last_name), SQLV_TEXT(c->email),
			SQLV_TEXT(c->phone),	      SQLV_TEXT(c->language),  SQLV_TEXT(c->country),
			SQLV_TEXT(attrs),	      SQLV_INT(c->consent[0]), SQLV_INT(c->consent[1]),
			SQLV_INT(c->consent[2]),      SQLV_INT(c->consent[3]), SQLV_INT(c->created_at ? c->created_at : now),
			SQLV_INT(c->updated_at ? c->updated_at : now),
		};
		if ((ret = Q(s, ins, p, NULL, NULL, NULL)))
			goto out;
	}
	if ((ret = register_identities(s, tenant, cid, c, found.mask)))
		goto out;
out:
	ret = tx_end(s, own, ret);
	free(attrs);
	customer_copy_release(&old);
	if (!ret) {
		if (id)
			*id = cid;
		if (result)
			*result = res;
	}
	return ret;
}

static char *customer_snapshot(const struct cxm_customer *c)
{
	static const char *consent_names[] = { "email", "sms", "phone", "whatsapp" };
	cJSON *o = cJSON_CreateObject(), *consent = cJSON_CreateObject();
	char buf[CXM_ID_BUFSZ];
	char err[128];
	cJSON *attrs = c->attributes ? cxm_json_parse(c->attributes, strlen(c->attributes), err, sizeof(err)) : NULL;
	char *out;

	cJSON_AddStringToObject(o, "id", cxm_id_format(c->id, buf));
#define STR(name) cJSON_AddItemToObject(o, #name, c->name ? cJSON_CreateString(c->name) : cJSON_CreateNull())
	STR(external_id);
	STR(first_name);
	STR(last_name);
	STR(email);
	STR(phone);
	STR(language);
	STR(country);
#undef STR
	cJSON_AddItemToObject(o, "attributes", attrs ? attrs : cJSON_CreateObject());
	for (int i = 0; i < CXM_CONSENT_N; i++)
		cJSON_AddNumberToObject(consent, consent_names[i], c->consent[i]);
	cJSON_AddItemToObject(o, "consent", consent);
	cJSON_AddNumberToObject(o, "created_at", (double)c->created_at);
	out = cxm_json_print(o);
	cJSON_Delete(o);
	return out;
}

int cxm_store_customer_by_identity(struct cxm_store *s, int64_t tenant, const char *kind, const char *value,
				   int64_t *id, bool *created)
{
	static const char ins[] = "INSERT INTO customers (tenant_id, id, attributes, consent_email, consent_sms,"
				  " consent_phone, consent_whatsapp, created_at, updated_at)"
				  " VALUES (?, ?, '{}', 0, 0, 0, 0, ?, ?)";
	struct cxm_customer c = { 0 };
	struct cxm_identity idn = { .kind = kind, .value = value };
	enum cxm_put_result res;
	int64_t now = cxm_now_us();
	int own, ret;

	*created = false;
	ret = cxm_store_identity_resolve(s, tenant, kind, value, id);
	if (ret != CXM_ENOTFOUND)
		return ret;
	if (!strcmp(kind, "external_id") || !strcmp(kind, "email") || !strcmp(kind, "phone")) {
		c.external_id = !strcmp(kind, "external_id") ? value : NULL;
		c.email = !strcmp(kind, "email") ? value : NULL;
		c.phone = !strcmp(kind, "phone") ? value : NULL;
		ret = cxm_store_customer_put(s, tenant, &c, id, &res);
		*created = !ret && res == CXM_PUT_INSERTED;
		return ret;
	}
	if ((ret = tx_begin(s, &own)))
		return ret;
	idn.customer_id = cxm_id_next();
	{
		struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(idn.customer_id), SQLV_INT(now), SQLV_INT(now) };
		ret = Q(s, ins, p, NULL, NULL, NULL);
	}
	if (!ret)
		ret = cxm_store_identity_add(s, tenant, &idn);
	ret = tx_end(s, own, ret);
	if (!ret) {
		*id = idn.customer_id;
		*created = true;
	}
	return ret;
}

int cxm_store_customer_merge(struct cxm_store *s, int64_t tenant, int64_t survivor, int64_t merged,
			     const char *actor, int64_t *merge_id)
{
	static const char move_ids[] = "UPDATE identities SET customer_id = ? WHERE tenant_id = ? AND customer_id = ?";
	static const char move_events[] = "UPDATE events SET customer_id = ? WHERE tenant_id = ? AND customer_id = ?";
	static const char fill[] =
		"UPDATE customers SET first_name = COALESCE(first_name, ?), last_name = COALESCE(last_name, ?),"
		" email = COALESCE(email, ?), phone = COALESCE(phone, ?), language = COALESCE(language, ?),"
		" country = COALESCE(country, ?), attributes = ?,"
		" consent_email = CASE WHEN consent_email = 0 THEN ? ELSE consent_email END,"
		" consent_sms = CASE WHEN consent_sms = 0 THEN ? ELSE consent_sms END,"
		" consent_phone = CASE WHEN consent_phone = 0 THEN ? ELSE consent_phone END,"
		" consent_whatsapp = CASE WHEN consent_whatsapp = 0 THEN ? ELSE consent_whatsapp END,"
		" updated_at = ? WHERE tenant_id = ? AND id = ?";
	/* the merged row gives up its external_id (kept in the snapshot and as
	 * the survivor's identity), so the survivor may take it as its own */
	static const char mark[] = "UPDATE customers SET merged_into = ?, updated_at = ?,"
				   " external_id = CASE WHEN id = ? THEN NULL ELSE external_id END"
				   " WHERE tenant_id = ? AND (id = ? OR merged_into = ?)";
	static const char audit[] =
		"INSERT INTO customer_merges (tenant_id, id, survivor_id, merged_id, merged_snapshot,"
		" identities_moved, events_moved, actor, merged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
	struct customer_copy a = { 0 }, b = { 0 };
	int64_t nid = cxm_id_next(), now = cxm_now_us(), n_ids = 0, n_events = 0;
	char *snapshot = NULL, *attrs = NULL;
	char err[256];
	int own, ret;

	if (survivor == merged)
		return cxm_store_seterr(s, CXM_ECONFLICT, "%s", _(MSG_S_MERGE_SELF));
	if ((ret = tx_begin(s, &own)))
		return ret;
	{
		/* lock both rows first, so two opposite merges can't both succeed */
		static const char lock[] = "UPDATE customers SET id = id WHERE tenant_id = ? AND id IN (?, ?)";
		struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(survivor), SQLV_INT(merged) };
		if ((ret = Q(s, lock, p, NULL, NULL, NULL)))
			goto out;
	}
	if ((ret = cxm_store_customer_get(s, tenant, survivor, copy_customer, &a)) ||
	    (ret = cxm_store_customer_get(s, tenant, merged, copy_customer, &b)))
		goto out;
	if (a.c.merged_into || b.c.merged_into) {
		ret = cxm_store_seterr(s, CXM_ECONFLICT, _(MSG_S_ALREADY_MERGED),
				       (long long)(a.c.merged_into ? survivor : merged),
				       (long long)(a.c.merged_into ? a.c.merged_into : b.c.merged_into));
		goto out;
	}
	snapshot = customer_snapshot(&b.c);
	/* survivor's attributes win over the merged customer's */
	attrs = merge_attributes(b.c.attributes, a.c.attributes ? a.c.attributes : "{}", err, sizeof(err));
	if (!attrs) {
		ret = cxm_store_seterr(s, CXM_EINVAL, _(MSG_S_ATTRIBUTES), err);
		goto out;
	}
	{
		struct sqlval p[] = { SQLV_INT(survivor), SQLV_INT(tenant), SQLV_INT(merged) };
		if ((ret = Q(s, move_ids, p, NULL, NULL, &n_ids)) || (ret = Q(s, move_events, p, NULL, NULL, &n_events)))
			goto out;
	}
	{
		struct sqlval p[] = {
			SQLV_TEXT(b.c.first_name), SQLV_TEXT(b.c.last_name), SQLV_TEXT(b.c.email),
			SQLV_TEXT(b.c.phone),	   SQLV_TEXT(b.c.language),  SQLV_TEXT(b.c.country),
			SQLV_TEXT(attrs),	   SQLV_INT(b.c.consent[0]), SQLV_INT(b.c.consent[1]),
			SQLV_INT(b.c.consent[2]),  SQLV_INT(b.c.consent[3]), SQLV_INT(now),
			SQLV_INT(tenant),	   SQLV_INT(survivor),
		};
		if ((ret = Q(s, fill, p, NULL, NULL, NULL)))
			goto out;
	}
	{
		struct sqlval p[] = { SQLV_INT(survivor), SQLV_INT(now),    SQLV_INT(merged),
				      SQLV_INT(tenant),	  SQLV_INT(merged), SQLV_INT(merged) };
		if ((ret = Q(s, mark, p, NULL, NULL, NULL)))
			goto out;
	}
	{
		struct sqlval p[] = { SQLV_INT(tenant),	    SQLV_INT(nid),	SQLV_INT(survivor),
				      SQLV_INT(merged),	    SQLV_TEXT(snapshot), SQLV_INT(n_ids),
				      SQLV_INT(n_events), SQLV_TEXT(actor),	SQLV_INT(now) };
		ret = Q(s, audit, p, NULL, NULL, NULL);
	}
	if (!ret)
		ret = cxm_jstore_merge(s, tenant, survivor, merged);
	if (!ret)
		ret = cxm_jstore_segment(s, tenant, survivor, attrs);
out:
	ret = tx_end(s, own, ret);
	free(snapshot);
	free(attrs);
	customer_copy_release(&a);
	customer_copy_release(&b);
	if (!ret && merge_id)
		*merge_id = nid;
	return ret;
}

struct merge_ctx {
	cxm_merge_cb cb;
	void *ctx;
};

static int merge_row(const struct sqlrow *r, void *vctx)
{
	struct merge_ctx *c = vctx;
	struct cxm_merge m = {
		.id = row_int(r, 0),
		.survivor_id = row_int(r, 1),
		.merged_id = row_int(r, 2),
		.merged_snapshot = row_text(r, 3),
		.identities_moved = row_int(r, 4),
		.events_moved = row_int(r, 5),
		.actor = row_text(r, 6),
		.merged_at = row_int(r, 7),
	};
	return c->cb(&m, c->ctx);
}

int cxm_store_merge_list(struct cxm_store *s, int64_t tenant, cxm_merge_cb cb, void *ctx)
{
	static const char sql[] = "SELECT id, survivor_id, merged_id, merged_snapshot, identities_moved,"
				  " events_moved, actor, merged_at FROM customer_merges WHERE tenant_id = ? ORDER BY id";
	struct merge_ctx c = { cb, ctx };
	struct sqlval p[] = { SQLV_INT(tenant) };
	return Q(s, sql, p, merge_row, &c, NULL);
}

/* ---- events ------------------------------------------------------------ */

int cxm_store_events_put_rows(struct cxm_store *s, int64_t tenant, struct cxm_event *ev, size_t n,
			       unsigned char *inserted, size_t *n_inserted)
{
	static const char sql[] =
		"INSERT INTO events (tenant_id, id, source_id, customer_id, type, channel, touchpoint, agent,"
		" org_unit_id, ts, amount_micros, currency, properties) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		" ON CONFLICT (tenant_id, source_id) DO NOTHING";
	size_t count = 0;

	for (size_t i = 0; i < n; i++) {
		struct cxm_event *e = &ev[i];
		char idbuf[CXM_ID_BUFSZ];
		int64_t changes = 0;
		int ret;

		if (!e->id)
			e->id = cxm_id_next();
		struct sqlval p[] = {
			SQLV_INT(tenant),
			SQLV_INT(e->id),
			SQLV_TEXT(e->source_id ? e->source_id : cxm_id_format(e->id, idbuf)),
			SQLV_INT(e->customer_id),
			SQLV_TEXT(e->type),
			SQLV_TEXT(e->channel),
			SQLV_TEXT(e->touchpoint),
			SQLV_TEXT(e->agent),
			e->org_unit_id ? SQLV_INT(e->org_unit_id) : SQLV_NULL,
			SQLV_INT(e->ts),
			e->has_amount ? SQLV_INT(e->amount_micros) : SQLV_NULL,
			SQLV_TEXT(e->currency),
			SQLV_TEXT(e->properties ? e->properties : "{}"),
		};
		if ((ret = Q(s, sql, p, NULL, NULL, &changes)))
			return ret;
		if (inserted)
			inserted[i] = changes > 0;
		count += changes > 0;
	}
	if (n_inserted)
		*n_inserted = count;
	return 0;
}

int cxm_store_events_put(struct cxm_store *s, int64_t tenant, struct cxm_event *ev, size_t n,
			 unsigned char *inserted, size_t *n_inserted)
{
	unsigned char *mine = inserted ? NULL : xmalloc(n ? n : 1);
	int own, ret;

	if ((ret = tx_begin(s, &own)))
		goto out;
	/* the journeys count only what this call inserted (never a duplicate) */
	if (s->ops->put_events)
		ret = s->ops->put_events(s, tenant, ev, n, inserted ? inserted : mine, n_inserted);
	else
		ret = cxm_store_events_put_rows(s, tenant, ev, n, inserted ? inserted : mine, n_inserted);
	if (!ret)
		ret = cxm_jstore_ingest(s, tenant, ev, n, inserted ? inserted : mine);
	ret = tx_end(s, own, ret);
out:
	free(mine);
	return ret;
}

#define EVENT_COLS                                                                                         \
	"id, source_id, customer_id, type, channel, touchpoint, agent, org_unit_id, ts, amount_micros,"   \
	" currency, properties"

struct event_ctx {
	cxm_event_cb cb;
	void *ctx;
};

static int event_row(const struct sqlrow *r, void *vctx)
{
	struct event_ctx *c = vctx;
	struct cxm_event e = {
		.id = row_int(r, 0),
		.source_id = row_text(r, 1),
		.customer_id = row_int(r, 2),
		.type = row_text(r, 3),
		.channel = row_text(r, 4),
		.touchpoint = row_text(r, 5),
		.agent = row_text(r, 6),
		.org_unit_id = row_int(r, 7),
		.ts = row_int(r, 8),
		.has_amount = row_text(r, 9) != NULL,
		.amount_micros = row_int(r, 9),
		.currency = row_text(r, 10),
		.properties = row_text(r, 11),
	};
	char *tmp;
	e.properties = canonical_json(r, e.properties, &tmp);
	int ret = c->cb(&e, c->ctx);
	free(tmp);
	return ret;
}

int cxm_store_event_scan(struct cxm_store *s, int64_t tenant, cxm_event_cb cb, void *ctx)
{
	static const char sql[] = "SELECT " EVENT_COLS " FROM events WHERE tenant_id = ? ORDER BY ts, id";
	struct event_ctx c = { cb, ctx };
	struct sqlval p[] = { SQLV_INT(tenant) };
	return Q(s, sql, p, event_row, &c, NULL);
}

int cxm_store_event_scan_customer(struct cxm_store *s, int64_t tenant, int64_t customer_id, cxm_event_cb cb,
				  void *ctx)
{
	static const char sql[] = "SELECT " EVENT_COLS " FROM events WHERE tenant_id = ? AND customer_id = ?"
				  " ORDER BY ts, id";
	struct event_ctx c = { cb, ctx };
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(customer_id) };
	return Q(s, sql, p, event_row, &c, NULL);
}

int cxm_store_event_page_customer(struct cxm_store *s, int64_t tenant, int64_t customer_id, int64_t before_ts,
				  int64_t before_id, int limit, cxm_event_cb cb, void *ctx)
{
	static const char sql[] = "SELECT " EVENT_COLS " FROM events WHERE tenant_id = ? AND customer_id = ?"
				  " AND (ts < ? OR (ts = ? AND id < ?)) ORDER BY ts DESC, id DESC LIMIT ?";
	struct event_ctx c = { cb, ctx };
	struct sqlval p[] = { SQLV_INT(tenant),	   SQLV_INT(customer_id), SQLV_INT(before_ts),
			      SQLV_INT(before_ts), SQLV_INT(before_id),	  SQLV_INT(limit) };
	return Q(s, sql, p, event_row, &c, NULL);
}

/* ---- counts ------------------------------------------------------------ */

int cxm_store_stats(struct cxm_store *s, int64_t tenant, struct cxm_stats *st)
{
	static const char *const sql[] = {
		"SELECT COUNT(*) FROM customers WHERE tenant_id = ? AND merged_into IS NULL",
		"SELECT COUNT(*) FROM identities WHERE tenant_id = ?",
		"SELECT COUNT(*) FROM events WHERE tenant_id = ?",
		"SELECT COUNT(*) FROM users WHERE tenant_id = ?",
		"SELECT COUNT(*) FROM org_units WHERE tenant_id = ?",
		"SELECT COUNT(*) FROM org_memberships WHERE tenant_id = ?",
		"SELECT COUNT(*) FROM customer_merges WHERE tenant_id = ?",
		"SELECT COALESCE(MIN(ts), 0) FROM events WHERE tenant_id = ?",
		"SELECT COALESCE(MAX(ts), 0) FROM events WHERE tenant_id = ?",
	};
	int64_t *out[] = { &st->customers,  &st->identities, &st->events,	  &st->users,	       &st->org_units,
			   &st->memberships, &st->merges,     &st->first_event_ts, &st->last_event_ts };
	struct sqlval p[] = { SQLV_INT(tenant) };

	for (size_t i = 0; i < ARRAY_SIZE(sql); i++) {
		int ret = GET_INT(s, sql[i], p, out[i]);
		if (ret)
			return ret;
	}
	return 0;
}

struct count_ctx {
	cxm_count_cb cb;
	void *ctx;
	int by_month;
	char month[24];
	struct cxm_count acc;
};

static int count_row(const struct sqlrow *r, void *vctx)
{
	struct count_ctx *c = vctx;

	if (!c->by_month) {
		struct cxm_count k = { row_text(r, 0), row_int(r, 1), row_int(r, 2) };
		return c->cb(&k, c->ctx);
	}
	/* rows come by day; fold them into months */
	int64_t y;
	unsigned m, d;
	char month[24];
	int ret = 0;
	cxm_civil_from_days(row_int(r, 0), &y, &m, &d);
	cxm_xsnprintf(month, sizeof(month), "%04lld-%02u", (long long)y, m);
	if (c->acc.key && strcmp(month, c->month)) {
		ret = c->cb(&c->acc, c->ctx);
		c->acc.n = c->acc.amount_micros = 0;
	}
	memcpy(c->month, month, sizeof(month));
	c->acc.key = c->month;
	c->acc.n += row_int(r, 1);
	c->acc.amount_micros += row_int(r, 2);
	return ret;
}

int cxm_store_event_counts(struct cxm_store *s, int64_t tenant, const char *by, cxm_count_cb cb, void *ctx)
{
	static const char by_channel[] = "SELECT channel, COUNT(*), COALESCE(SUM(amount_micros), 0) FROM events"
					 " WHERE tenant_id = ? GROUP BY channel ORDER BY COUNT(*) DESC, channel";
	static const char by_currency[] = "SELECT currency, COUNT(*), SUM(amount_micros) FROM events"
					  " WHERE tenant_id = ? AND amount_micros IS NOT NULL"
					  " GROUP BY currency ORDER BY currency";
	static const char by_type[] = "SELECT type, COUNT(*), COALESCE(SUM(amount_micros), 0) FROM events"
				      " WHERE tenant_id = ? GROUP BY type ORDER BY COUNT(*) DESC, type";
	static const char by_day[] =
		"SELECT ts / 86400000000 - CASE WHEN ts < 0 AND ts % 86400000000 <> 0 THEN 1 ELSE 0 END AS day,"
		" COUNT(*), COALESCE(SUM(amount_micros), 0) FROM events WHERE tenant_id = ? GROUP BY 1 ORDER BY 1";
	struct count_ctx c = { .cb = cb, .ctx = ctx };
	struct sqlval p[] = { SQLV_INT(tenant) };
	const char *sql;
	int ret;

	if (!strcmp(by, "channel"))
		sql = by_channel;
	else if (!strcmp(by, "type"))
		sql = by_type;
	else if (!strcmp(by, "currency"))
		sql = by_currency;
	else if (!strcmp(by, "month")) {
		sql = by_day;
		c.by_month = 1;
	}
	else
		return cxm_store_seterr(s, CXM_EINVAL, _(MSG_S_BAD_GROUP), by);
	ret = Q(s, sql, p, count_row, &c, NULL);
	if (!ret && c.by_month && c.acc.key)
		ret = cb(&c.acc, ctx);
	return ret;
}

/* ---- accounts: users signing in, API keys, sessions, audit log ---------- */

int cxm_store_user_get(struct cxm_store *s, int64_t tenant, int64_t id, cxm_user_cb cb, void *ctx)
{
	static const char sql[] = "SELECT " USER_COLS " FROM users WHERE tenant_id = ? AND id = ?";
	struct user_ctx c = { cb, ctx, 0 };
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(id) };
	int ret = Q(s, sql, p, user_row, &c, NULL);

	if (!ret && !c.n)
		return cxm_store_seterr(s, CXM_ENOTFOUND, _(MSG_S_NO_USER_ID), (long long)id);
	return ret;
}

int cxm_store_user_set_password(struct cxm_store *s, int64_t tenant, int64_t user_id, const char *hash)
{
	static const char upd[] = "UPDATE users SET password_hash = ? WHERE tenant_id = ? AND id = ?";
	static const char del[] = "DELETE FROM sessions WHERE tenant_id = ? AND user_id = ?";
	struct sqlval pu[] = { SQLV_TEXT(hash), SQLV_INT(tenant), SQLV_INT(user_id) };
	struct sqlval pd[] = { SQLV_INT(tenant), SQLV_INT(user_id) };
	int64_t changes = 0;
	int own, ret;

	if ((ret = tx_begin(s, &own)))
		return ret;
	if ((ret = Q(s, upd, pu, NULL, NULL, &changes)))
		goto out;
	if (!changes) {
		ret = cxm_store_seterr(s, CXM_ENOTFOUND, _(MSG_S_NO_USER_ID), (long long)user_id);
		goto out;
	}
	ret = Q(s, del, pd, NULL, NULL, NULL);
out:
	return tx_end(s, own, ret);
}

int cxm_store_user_set_language(struct cxm_store *s, int64_t tenant, int64_t user_id, const char *lang)
{
	static const char sql[] = "UPDATE users SET language = ? WHERE tenant_id = ? AND id = ?";
	struct sqlval p[] = { SQLV_TEXT(lang), SQLV_INT(tenant), SQLV_INT(user_id) };
	int64_t changes = 0;
	int ret = Q(s, sql, p, NULL, NULL, &changes);

	if (!ret && !changes)
		return cxm_store_seterr(s, CXM_ENOTFOUND, _(MSG_S_NO_USER_ID), (long long)user_id);
	return ret;
}

int cxm_store_user_find_login(struct cxm_store *s, int64_t tenant, const char *login, cxm_user_cb cb, void *ctx,
			      int *n)
{
	static const char in_tenant[] = "SELECT " USER_COLS " FROM users WHERE tenant_id = ?"
					" AND (username = ? OR email = ?) ORDER BY id";
	static const char any_tenant[] = "SELECT " USER_COLS " FROM users WHERE username = ? OR email = ?"
					 " ORDER BY tenant_id, id";
	struct user_ctx c = { cb, ctx, 0 };
	/* emails are stored lower-cased (cxm_email_normalize); SQL lower()
	 * differs between the backends outside ASCII, so fold here */
	char *email = xstrdup(login);
	int ret;

	for (char *p = email; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if (tenant) {
		struct sqlval p[] = { SQLV_INT(tenant), SQLV_TEXT(login), SQLV_TEXT(email) };
		ret = Q(s, in_tenant, p, user_row, &c, NULL);
	} else {
		struct sqlval p[] = { SQLV_TEXT(login), SQLV_TEXT(email) };
		ret = Q(s, any_tenant, p, user_row, &c, NULL);
	}
	free(email);
	if (!ret && n)
		*n = c.n;
	return ret;
}

/* -- API keys -- */

#define KEY_COLS "id, name, role, secret_hash, last4, created_at, created_by, revoked_at"

struct key_ctx {
	cxm_api_key_cb cb;
	void *ctx;
	int n;
};

static int key_row(const struct sqlrow *r, void *vctx)
{
	struct key_ctx *c = vctx;
	struct cxm_api_key k = {
		.id = row_int(r, 0),
		.name = row_text(r, 1),
		.role = row_text(r, 2),
		.secret_hash = row_text(r, 3),
		.last4 = row_text(r, 4),
		.created_at = row_int(r, 5),
		.created_by = row_text(r, 6),
		.revoked_at = row_int(r, 7),
	};
	c->n++;
	return c->cb ? c->cb(&k, c->ctx) : 0;
}

int cxm_store_key_add(struct cxm_store *s, int64_t tenant, const struct cxm_api_key *k, int64_t *id)
{
	static const char sql[] = "INSERT INTO api_keys (tenant_id, id, name, role, secret_hash, last4, created_at,"
				  " created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
	int64_t nid = k->id ? k->id : cxm_id_next();
	struct sqlval p[] = { SQLV_INT(tenant),	      SQLV_INT(nid),	    SQLV_TEXT(k->name),
			      SQLV_TEXT(k->role),     SQLV_TEXT(k->secret_hash), SQLV_TEXT(k->last4),
			      SQLV_INT(cxm_now_us()), SQLV_TEXT(k->created_by) };
	int ret = Q(s, sql, p, NULL, NULL, NULL);

	if (!ret && id)
		*id = nid;
	return ret;
}

int cxm_store_key_get(struct cxm_store *s, int64_t tenant, int64_t id, cxm_api_key_cb cb, void *ctx)
{
	static const char sql[] = "SELECT " KEY_COLS " FROM api_keys WHERE tenant_id = ? AND id = ?";
	struct key_ctx c = { cb, ctx, 0 };
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(id) };
	int ret = Q(s, sql, p, key_row, &c, NULL);

	if (!ret && !c.n)
		return cxm_store_seterr(s, CXM_ENOTFOUND, _(MSG_S_NO_KEY), (long long)id);
	return ret;
}

int cxm_store_key_list(struct cxm_store *s, int64_t tenant, cxm_api_key_cb cb, void *ctx)
{
	static const char sql[] = "SELECT " KEY_COLS " FROM api_keys WHERE tenant_id = ? ORDER BY id";
	struct key_ctx c = { cb, ctx, 0 };
	struct sqlval p[] = { SQLV_INT(tenant) };
	return Q(s, sql, p, key_row, &c, NULL);
}

int cxm_store_key_revoke(struct cxm_store *s, int64_t tenant, int64_t id)
{
	static const char upd[] = "UPDATE api_keys SET revoked_at = ? WHERE tenant_id = ? AND id = ?"
				  " AND revoked_at IS NULL";
	static const char exists[] = "SELECT 1 FROM api_keys WHERE tenant_id = ? AND id = ?";
	struct sqlval pu[] = { SQLV_INT(cxm_now_us()), SQLV_INT(tenant), SQLV_INT(id) };
	struct sqlval pe[] = { SQLV_INT(tenant), SQLV_INT(id) };
	int64_t changes = 0, one;
	int ret = Q(s, upd, pu, NULL, NULL, &changes);

	if (ret || changes)
		return ret;
	ret = GET_INT(s, exists, pe, &one);
	if (ret == CXM_ENOTFOUND)
		return cxm_store_seterr(s, ret, _(MSG_S_NO_KEY), (long long)id);
	return ret;
}

/* -- sessions -- */

struct session_ctx {
	cxm_session_cb cb;
	void *ctx;
	int n;
};

static int session_row(const struct sqlrow *r, void *vctx)
{
	struct session_ctx *c = vctx;
	struct cxm_session ss = {
		.id = row_int(r, 0),
		.user_id = row_int(r, 1),
		.secret_hash = row_text(r, 2),
		.csrf_token = row_text(r, 3),
		.created_at = row_int(r, 4),
		.expires_at = row_int(r, 5),
	};
	c->n++;
	return c->cb ? c->cb(&ss, c->ctx) : 0;
}

int cxm_store_session_add(struct cxm_store *s, int64_t tenant, const struct cxm_session *ss, int64_t *id)
{
	static const char user[] = "SELECT 1 FROM users WHERE tenant_id = ? AND id = ?";
	static const char sql[] = "INSERT INTO sessions (tenant_id, id, user_id, secret_hash, csrf_token, created_at,"
				  " expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
	int64_t nid = ss->id ? ss->id : cxm_id_next(), one;
	struct sqlval pu[] = { SQLV_INT(tenant), SQLV_INT(ss->user_id) };
	struct sqlval p[] = { SQLV_INT(tenant),
			      SQLV_INT(nid),
			      SQLV_INT(ss->user_id),
			      SQLV_TEXT(ss->secret_hash),
			      SQLV_TEXT(ss->csrf_token),
			      SQLV_INT(ss->created_at ? ss->created_at : cxm_now_us()),
			      SQLV_INT(ss->expires_at) };
	/* users are never deleted, so checking first leaves no gap to race */
	int ret = GET_INT(s, user, pu, &one);

	if (ret == CXM_ENOTFOUND)
		return cxm_store_seterr(s, ret, _(MSG_S_NO_USER_ID), (long long)ss->user_id);
	if (!ret)
		ret = Q(s, sql, p, NULL, NULL, NULL);
	if (!ret && id)
		*id = nid;
	return ret;
}

int cxm_store_session_get(struct cxm_store *s, int64_t tenant, int64_t id, cxm_session_cb cb, void *ctx)
{
	static const char sql[] = "SELECT id, user_id, secret_hash, csrf_token, created_at, expires_at"
				  " FROM sessions WHERE tenant_id = ? AND id = ?";
	struct session_ctx c = { cb, ctx, 0 };
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(id) };
	int ret = Q(s, sql, p, session_row, &c, NULL);

	if (!ret && !c.n)
		return cxm_store_seterr(s, CXM_ENOTFOUND, _(MSG_S_NO_SESSION), (long long)id);
	return ret;
}

int cxm_store_session_delete(struct cxm_store *s, int64_t tenant, int64_t id)
{
	static const char sql[] = "DELETE FROM sessions WHERE tenant_id = ? AND id = ?";
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(id) };
	int64_t changes = 0;
	int ret = Q(s, sql, p, NULL, NULL, &changes);

	if (!ret && !changes)
		return cxm_store_seterr(s, CXM_ENOTFOUND, _(MSG_S_NO_SESSION), (long long)id);
	return ret;
}

int cxm_store_session_purge_expired(struct cxm_store *s, int64_t tenant, int64_t now, int64_t *n)
{
	static const char sql[] = "DELETE FROM sessions WHERE tenant_id = ? AND expires_at <= ?";
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(now) };
	int64_t changes = 0;
	int ret = Q(s, sql, p, NULL, NULL, &changes);

	if (!ret && n)
		*n = changes;
	return ret;
}

/* -- audit log -- */

int cxm_store_audit_add(struct cxm_store *s, int64_t tenant, const char *actor, const char *action,
			const char *target, const char *detail_json, int64_t *id)
{
	static const char sql[] = "INSERT INTO audit_log (tenant_id, id, at, actor, action, target, detail)"
				  " VALUES (?, ?, ?, ?, ?, ?, ?)";
	int64_t nid = cxm_id_next();
	char err[128];
	char *detail = cxm_json_canonical_object(detail_json, err, sizeof(err));
	int ret;

	if (!detail)
		return cxm_store_seterr(s, CXM_EINVAL, _(MSG_S_AUDIT_DETAIL), err);
	struct sqlval p[] = { SQLV_INT(tenant),	 SQLV_INT(nid),	   SQLV_INT(cxm_now_us()), SQLV_TEXT(actor),
			      SQLV_TEXT(action), SQLV_TEXT(target), SQLV_TEXT(detail) };
	ret = Q(s, sql, p, NULL, NULL, NULL);
	free(detail);
	if (!ret && id)
		*id = nid;
	return ret;
}

struct audit_ctx {
	cxm_audit_cb cb;
	void *ctx;
};

static int audit_row(const struct sqlrow *r, void *vctx)
{
	struct audit_ctx *c = vctx;
	struct cxm_audit a = {
		.id = row_int(r, 0),
		.at = row_int(r, 1),
		.actor = row_text(r, 2),
		.action = row_text(r, 3),
		.target = row_text(r, 4),
		.detail = row_text(r, 5),
	};
	char *tmp;
	int ret;

	a.detail = canonical_json(r, a.detail, &tmp);
	ret = c->cb(&a, c->ctx);
	free(tmp);
	return ret;
}

int cxm_store_audit_list(struct cxm_store *s, int64_t tenant, int64_t before_id, int64_t limit, cxm_audit_cb cb,
			 void *ctx)
{
	static const char sql[] = "SELECT id, at, actor, action, target, detail FROM audit_log"
				  " WHERE tenant_id = ? AND id < ? ORDER BY id DESC LIMIT ?";
	struct audit_ctx c = { cb, ctx };
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(before_id > 0 ? before_id : INT64_MAX),
			      SQLV_INT(limit > 0 ? limit : INT64_MAX) };
	return Q(s, sql, p, audit_row, &c, NULL);
}

/* ---- surveys and responses -------------------------------------------- */

#define SURVEY_COLS                                                                                       \
	"s.id, s.name, s.status, s.version, s.is_default, v.definition, v.version, s.created_at, s.updated_at"

struct survey_ctx {
	cxm_survey_cb cb;
	void *ctx;
	int n;
};

static int survey_row(const struct sqlrow *r, void *vctx)
{
	struct survey_ctx *c = vctx;
	struct cxm_survey sv = {
		.id = row_int(r, 0),
		.name = row_text(r, 1),
		.status = row_text(r, 2),
		.version = (int)row_int(r, 3),
		.is_default = row_int(r, 4) != 0,
		.definition = row_text(r, 5),
		.def_version = (int)row_int(r, 6),
		.created_at = row_int(r, 7),
		.updated_at = row_int(r, 8),
	};
	char *tmp;
	int ret;

	sv.definition = canonical_json(r, sv.definition, &tmp);
	c->n++;
	ret = c->cb ? c->cb(&sv, c->ctx) : 0;
	free(tmp);
	return ret;
}

static int survey_version_add(struct cxm_store *s, int64_t tenant, int64_t id, int version, const char *def)
{
	static const char sql[] = "INSERT INTO survey_versions (tenant_id, survey_id, version, definition, created_at)"
				  " VALUES (?, ?, ?, ?, ?)";
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(id), SQLV_INT(version), SQLV_TEXT(def),
			      SQLV_INT(cxm_now_us()) };
	return Q(s, sql, p, NULL, NULL, NULL);
}

int cxm_store_survey_create(struct cxm_store *s, int64_t tenant, const char *name, const char *definition,
			    bool is_default, int64_t *id)
{
	static const char sql[] = "INSERT INTO surveys (tenant_id, id, name, status, version, is_default, created_at,"
				  " updated_at) VALUES (?, ?, ?, 'draft', 1, ?, ?, ?)";
	int64_t nid = cxm_id_next(), now = cxm_now_us();
	int own, ret;

	if ((ret = tx_begin(s, &own)))
		return ret;
	{
		struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(nid), SQLV_TEXT(name), SQLV_INT(is_default ? 1 : 0),
				      SQLV_INT(now), SQLV_INT(now) };
		ret = Q(s, sql, p, NULL, NULL, NULL);
	}
	if (ret == CXM_EEXIST)
		ret = cxm_store_seterr(s, ret, _(MSG_S_SURVEY_EXISTS), name);
	if (!ret)
		ret = survey_version_add(s, tenant, nid, 1, definition);
	ret = tx_end(s, own, ret);
	if (!ret && id)
		*id = nid;
	return ret;
}

int cxm_store_survey_get(struct cxm_store *s, int64_t tenant, int64_t id, int version, cxm_survey_cb cb, void *ctx)
{
	static const char sql[] = "SELECT " SURVEY_COLS " FROM surveys s JOIN survey_versions v"
				  " ON v.tenant_id = s.tenant_id AND v.survey_id = s.id"
				  " AND v.version = CASE WHEN ? > 0 THEN ? ELSE s.version END"
				  " WHERE s.tenant_id = ? AND s.id = ?";
	struct survey_ctx c = { cb, ctx, 0 };
	struct sqlval p[] = { SQLV_INT(version), SQLV_INT(version), SQLV_INT(tenant), SQLV_INT(id) };
	int ret = Q(s, sql, p, survey_row, &c, NULL);

	if (!ret && !c.n)
		return cxm_store_seterr(s, CXM_ENOTFOUND, _(MSG_S_NO_SURVEY), (long long)id);
	return ret;
}

int cxm_store_survey_find(struct cxm_store *s, int64_t tenant, const char *name, cxm_survey_cb cb, void *ctx)
{
	static const char sql[] = "SELECT " SURVEY_COLS " FROM surveys s JOIN survey_versions v"
				  " ON v.tenant_id = s.tenant_id AND v.survey_id = s.id AND v.version = s.version"
				  " WHERE s.tenant_id = ? AND s.name = ?";
	struct survey_ctx c = { cb, ctx, 0 };
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_TEXT(name) };
	int ret = Q(s, sql, p, survey_row, &c, NULL);

	if (!ret && !c.n)
		return cxm_store_seterr(s, CXM_ENOTFOUND, _(MSG_S_NO_SURVEY_NAMED), name);
	return ret;
}

int cxm_store_survey_default(struct cxm_store *s, int64_t tenant, cxm_survey_cb cb, void *ctx)
{
	static const char sql[] = "SELECT " SURVEY_COLS " FROM surveys s JOIN survey_versions v"
				  " ON v.tenant_id = s.tenant_id AND v.survey_id = s.id AND v.version = s.version"
				  " WHERE s.tenant_id = ? AND s.is_default = 1 ORDER BY s.id LIMIT 1";
	struct survey_ctx c = { cb, ctx, 0 };
	struct sqlval p[] = { SQLV_INT(tenant) };
	int ret = Q(s, sql, p, survey_row, &c, NULL);

	if (!ret && !c.n)
		return CXM_ENOTFOUND;
	return ret;
}

int cxm_store_survey_list(struct cxm_store *s, int64_t tenant, cxm_survey_cb cb, void *ctx)
{
	static const char sql[] = "SELECT " SURVEY_COLS " FROM surveys s JOIN survey_versions v"
				  " ON v.tenant_id = s.tenant_id AND v.survey_id = s.id AND v.version = s.version"
				  " WHERE s.tenant_id = ? ORDER BY s.id DESC";
	struct survey_ctx c = { cb, ctx, 0 };
	struct sqlval p[] = { SQLV_INT(tenant) };
	return Q(s, sql, p, survey_row, &c, NULL);
}

struct survey_state {
	char status[16];
	int version;
};

static int survey_state_row(const struct sqlrow *r, void *ctx)
{
	struct survey_state *st = ctx;

	cxm_strlcpy(st->status, row_text(r, 0), sizeof(st->status));
	st->version = (int)row_int(r, 1);
	return 0;
}

int cxm_store_survey_update(struct cxm_store *s, int64_t tenant, int64_t id, const char *name,
			    const char *definition, int *version)
{
	static const char state[] = "SELECT status, version FROM surveys WHERE tenant_id = ? AND id = ?";
	/* takes the row's lock on PostgreSQL, so two edits make two versions */
	static const char lock[] = "UPDATE surveys SET id = id WHERE tenant_id = ? AND id = ?";
	static const char rewrite[] = "UPDATE survey_versions SET definition = ?, created_at = ?"
				      " WHERE tenant_id = ? AND survey_id = ? AND version = ?";
	static const char bump[] = "UPDATE surveys SET name = ?, version = ?, updated_at = ? WHERE tenant_id = ? AND id = ?";
	struct survey_state st = { "", 0 };
	int64_t now = cxm_now_us();
	int own, ret, v;

	if ((ret = tx_begin(s, &own)))
		return ret;
	{
		struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(id) };
		ret = Q(s, lock, p, NULL, NULL, NULL);
		if (!ret)
			ret = Q(s, state, p, survey_state_row, &st, NULL);
	}
	if (!ret && !st.version)
		ret = cxm_store_seterr(s, CXM_ENOTFOUND, _(MSG_S_NO_SURVEY), (long long)id);
	if (ret)
		goto out;
	/* a draft nobody answered is rewritten; anything answered (also a
	 * survey put back to draft after going live) gets a new version */
	v = st.version;
	if (strcmp(st.status, "draft")) {
		v++;
	} else {
		static const char answered[] = "SELECT COUNT(*) FROM responses WHERE tenant_id = ? AND survey_id = ?"
					       " AND version = ?";
		struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(id), SQLV_INT(st.version) };
		int64_t n = 0;
		if ((ret = GET_INT(s, answered, p, &n)))
			goto out;
		if (n)
			v++;
	}
	if (v == st.version) {
		struct sqlval p[] = { SQLV_TEXT(definition), SQLV_INT(now), SQLV_INT(tenant), SQLV_INT(id), SQLV_INT(v) };
		ret = Q(s, rewrite, p, NULL, NULL, NULL);
	} else {
		ret = survey_version_add(s, tenant, id, v, definition);
	}
	if (!ret) {
		struct sqlval p[] = { SQLV_TEXT(name), SQLV_INT(v), SQLV_INT(now), SQLV_INT(tenant), SQLV_INT(id) };
		ret = Q(s, bump, p, NULL, NULL, NULL);
		if (ret == CXM_EEXIST)
			ret = cxm_store_seterr(s, ret, _(MSG_S_SURVEY_EXISTS), name);
	}
	if (!ret && version)
		*version = v;
out:
	return tx_end(s, own, ret);
}

int cxm_store_survey_set_status(struct cxm_store *s, int64_t tenant, int64_t id, const char *status)
{
	static const char sql[] = "UPDATE surveys SET status = ?, updated_at = ? WHERE tenant_id = ? AND id = ?";
	struct sqlval p[] = { SQLV_TEXT(status), SQLV_INT(cxm_now_us()), SQLV_INT(tenant), SQLV_INT(id) };
	int64_t changes = 0;
	int ret = Q(s, sql, p, NULL, NULL, &changes);

	if (!ret && !changes)
		return cxm_store_seterr(s, CXM_ENOTFOUND, _(MSG_S_NO_SURVEY), (long long)id);
	return ret;
}

#define RESPONSE_COLS                                                                                      \
	"id, source_id, survey_id, version, customer_id, channel, touchpoint, event_id, agent, org_unit_id," \
	" language, ts, nps, csat, ces, comment, answers, complete, created_at, updated_at, text_lang, text_score," \
	" text_label, text_emotions, text_reasons, themes"

static struct sqlval opt_int(int64_t v)
{
	return v ? SQLV_INT(v) : SQLV_NULL;
}

static struct sqlval score(int v)
{
	return v >= 0 ? SQLV_INT(v) : SQLV_NULL;
}

/* Rollups (the end of this file) */
struct rollup_src {
	int64_t id, survey_id, org_unit_id, ts;
	const char *channel, *touchpoint, *agent, *language, *segment;
	const char *label, *themes; /* the comment's analysis (NULL: none) */
	const char *lang, *emotions, *reasons; /* lang NULL: not analysed */
	int nps, csat, ces;
	bool complete;
};
static int rollup_old(struct cxm_store *s, int64_t tenant, const char *source_id, int64_t id, struct rollup_src *o,
		      char **texts);
static int rollup_apply(struct cxm_store *s, int64_t tenant, const struct rollup_src *r, int sign);
static int rollup_apply_dims(struct cxm_store *s, int64_t tenant, const struct rollup_src *r, int sign,
			     bool text_only);
static int customer_segment(struct cxm_store *s, int64_t tenant, int64_t customer_id, char **segment);
static int themes_put(struct cxm_store *s, int64_t tenant, int64_t id, const char *themes);

int cxm_store_response_put(struct cxm_store *s, int64_t tenant, struct cxm_response *r,
			   enum cxm_put_result *result)
{
	/* a partial response takes what comes later under the same id; a
	 * complete one is final. The rollups change in the same transaction:
	 * + the new response, or - the partial one's old scores + its new ones */
	static const char insert[] =
		"INSERT INTO responses (tenant_id, id, source_id, survey_id, version, customer_id, channel, touchpoint,"
		" event_id, agent, org_unit_id, language, ts, nps, csat, ces, comment, answers, complete, created_at,"
		" updated_at, segment, text_lang, text_score, text_label, text_emotions, text_reasons, themes)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		" ON CONFLICT (tenant_id, source_id) DO NOTHING";
	static const char update[] =
		"UPDATE responses SET nps = ?, csat = ?, ces = ?, comment = ?, answers = ?, complete = ?, updated_at = ?,"
		" text_lang = ?, text_score = ?, text_label = ?, text_emotions = ?, text_reasons = ?, themes = ?"
		" WHERE tenant_id = ? AND id = ? AND complete = 0";
	int64_t nid = cxm_id_next(), now = cxm_now_us(), changes = 0, stored = 0;
	enum cxm_put_result res = CXM_PUT_UNCHANGED;
	struct rollup_src old;
	char *texts = NULL, *segment = NULL;
	int own, ret;

	if ((ret = tx_begin(s, &own)))
		return ret;
	/* twice at most: another writer (PostgreSQL, several nodes) may insert
	 * the same source_id between the look and the insert; the second look
	 * then sees its row, locked */
	for (int attempt = 0; attempt < 2 && !ret && !stored; attempt++) {
		free(texts);
		texts = NULL;
		ret = rollup_old(s, tenant, r->source_id, 0, &old, &texts);
		if (ret == CXM_ENOTFOUND) {
			if (!segment && (ret = customer_segment(s, tenant, r->customer_id, &segment)))
				break;
			struct sqlval p[] = {
				SQLV_INT(tenant),	    SQLV_INT(nid),	       SQLV_TEXT(r->source_id),
				SQLV_INT(r->survey_id),	    SQLV_INT(r->version),      opt_int(r->customer_id),
				SQLV_TEXT(r->channel),	    SQLV_TEXT(r->touchpoint),  opt_int(r->event_id),
				SQLV_TEXT(r->agent),	    opt_int(r->org_unit_id),   SQLV_TEXT(r->language),
				SQLV_INT(r->ts),	    score(r->nps),	       score(r->csat),
				score(r->ces),		    SQLV_TEXT(r->comment),     SQLV_TEXT(r->answers ? r->answers : "{}"),
				SQLV_INT(r->complete ? 1 : 0), SQLV_INT(now),	       SQLV_INT(now),
				SQLV_TEXT(segment),
				SQLV_TEXT(r->text_lang),    r->text_lang ? SQLV_INT(r->text_score) : SQLV_NULL,
				SQLV_TEXT(r->text_label),   SQLV_TEXT(r->text_emotions), SQLV_TEXT(r->text_reasons),
				SQLV_TEXT(r->text_lang ? r->themes : NULL),
			};
			if ((ret = Q(s, insert, p, NULL, NULL, &changes)) || !changes)
				continue;
			struct rollup_src add = {
				.survey_id = r->survey_id, .org_unit_id = r->org_unit_id, .ts = r->ts,
				.channel = r->channel, .touchpoint = r->touchpoint, .agent = r->agent,
				.language = r->language, .segment = segment, .nps = r->nps, .csat = r->csat, .ces = r->ces,
				.label = r->text_label, .themes = r->text_lang ? r->themes : NULL,
				.lang = r->text_lang, .emotions = r->text_emotions, .reasons = r->text_reasons,
			};
			stored = nid;
			res = CXM_PUT_INSERTED;
			ret = rollup_apply(s, tenant, &add, 1);
			if (!ret && add.themes)
				ret = themes_put(s, tenant, nid, add.themes);
		} else if (!ret) {
			stored = old.id;
			if (old.complete)
				break;
			struct sqlval u[] = { score(r->nps),	     score(r->csat),
					      score(r->ces),	     SQLV_TEXT(r->comment),
					      SQLV_TEXT(r->answers ? r->answers : "{}"), SQLV_INT(r->complete ? 1 : 0),
					      SQLV_INT(now),
					      SQLV_TEXT(r->text_lang), r->text_lang ? SQLV_INT(r->text_score) : SQLV_NULL,
					      SQLV_TEXT(r->text_label), SQLV_TEXT(r->text_emotions),
					      SQLV_TEXT(r->text_reasons), SQLV_TEXT(r->text_lang ? r->themes : NULL),
					      SQLV_INT(tenant),
					      SQLV_INT(old.id) };
			if ((ret = Q(s, update, u, NULL, NULL, &changes)) || !changes)
				break;
			res = CXM_PUT_UPDATED;
			/* the stored row keeps its survey, channel, unit, ...: only
			 * the scores and the comment's analysis move */
			ret = rollup_apply(s, tenant, &old, -1);
			old.nps = r->nps, old.csat = r->csat, old.ces = r->ces;
			old.label = r->text_label, old.themes = r->text_lang ? r->themes : NULL;
			old.lang = r->text_lang, old.emotions = r->text_emotions, old.reasons = r->text_reasons;
			if (!ret)
				ret = rollup_apply(s, tenant, &old, 1);
			if (!ret)
				ret = themes_put(s, tenant, old.id, old.themes);
		}
	}
	if (!ret && !stored)
		ret = cxm_store_seterr(s, CXM_ECONFLICT, _(MSG_RU_CONCURRENT), r->source_id);
	free(texts);
	free(segment);
	ret = tx_end(s, own, ret);
	if (!ret) {
		r->id = stored;
		if (result)
			*result = res;
	}
	return ret;
}

struct response_ctx {
	cxm_response_cb cb;
	void *ctx;
	int n;
};

static int response_row(const struct sqlrow *r, void *vctx)
{
	struct response_ctx *c = vctx;
	struct cxm_response x = {
		.id = row_int(r, 0),
		.source_id = row_text(r, 1),
		.survey_id = row_int(r, 2),
		.version = (int)row_int(r, 3),
		.customer_id = row_int(r, 4),
		.channel = row_text(r, 5),
		.touchpoint = row_text(r, 6),
		.event_id = row_int(r, 7),
		.agent = row_text(r, 8),
		.org_unit_id = row_int(r, 9),
		.language = row_text(r, 10),
		.ts = row_int(r, 11),
		.nps = row_text(r, 12) ? (int)row_int(r, 12) : -1,
		.csat = row_text(r, 13) ? (int)row_int(r, 13) : -1,
		.ces = row_text(r, 14) ? (int)row_int(r, 14) : -1,
		.comment = row_text(r, 15),
		.answers = row_text(r, 16),
		.complete = row_int(r, 17) != 0,
		.created_at = row_int(r, 18),
		.updated_at = row_int(r, 19),
		.text_lang = row_text(r, 20),
		.text_score = (int)row_int(r, 21),
		.text_label = row_text(r, 22),
		.text_emotions = row_text(r, 23),
		.text_reasons = row_text(r, 24),
		.themes = row_text(r, 25),
	};
	char *tmp;
	int ret;

	x.answers = canonical_json(r, x.answers, &tmp);
	c->n++;
	ret = c->cb ? c->cb(&x, c->ctx) : 0;
	free(tmp);
	return ret;
}

int cxm_store_response_by_source(struct cxm_store *s, int64_t tenant, const char *source_id, cxm_response_cb cb,
				 void *ctx)
{
	static const char sql[] = "SELECT " RESPONSE_COLS " FROM responses WHERE tenant_id = ? AND source_id = ?";
	struct response_ctx c = { cb, ctx, 0 };
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_TEXT(source_id) };
	int ret = Q(s, sql, p, response_row, &c, NULL);

	return !ret && !c.n ? CXM_ENOTFOUND : ret;
}

int cxm_store_response_page(struct cxm_store *s, int64_t tenant, int64_t survey_id, int64_t from, int64_t to,
			    int64_t before_ts, int64_t before_id, int limit, cxm_response_cb cb, void *ctx)
{
	struct cxm_response_filter f = { .survey_id = survey_id, .from = from, .to = to, .complete = -1 };
	return cxm_store_response_find(s, tenant, &f, before_ts, before_id, limit, cb, ctx);
}

/* The filters that are off still take their parameters: "? < 0" for
 * complete, "? = ''" for channel (so both backends can type them). */
#define RESPONSE_FILTERS " AND (? < 0 OR complete = ?) AND (? = '' OR channel = ?)"

int cxm_store_response_find(struct cxm_store *s, int64_t tenant, const struct cxm_response_filter *f,
			    int64_t before_ts, int64_t before_id, int limit, cxm_response_cb cb, void *ctx)
{
	static const char one[] = "SELECT " RESPONSE_COLS " FROM responses WHERE tenant_id = ? AND survey_id = ?"
				  " AND ts >= ? AND ts < ? AND (ts < ? OR (ts = ? AND id < ?))" RESPONSE_FILTERS
				  " ORDER BY ts DESC, id DESC LIMIT ?";
	static const char all[] = "SELECT " RESPONSE_COLS " FROM responses WHERE tenant_id = ?"
				  " AND ts >= ? AND ts < ? AND (ts < ? OR (ts = ? AND id < ?))" RESPONSE_FILTERS
				  " ORDER BY ts DESC, id DESC LIMIT ?";
	struct response_ctx c = { cb, ctx, 0 };
	const char *channel = f->channel ? f->channel : "";
	int64_t complete = f->complete < 0 ? -1 : f->complete ? 1 : 0;

	if (f->survey_id) {
		struct sqlval p[] = { SQLV_INT(tenant),	    SQLV_INT(f->survey_id), SQLV_INT(f->from),
				      SQLV_INT(f->to),	    SQLV_INT(before_ts),    SQLV_INT(before_ts),
				      SQLV_INT(before_id),  SQLV_INT(complete),	    SQLV_INT(complete),
				      SQLV_TEXT(channel),   SQLV_TEXT(channel),	    SQLV_INT(limit) };
		return Q(s, one, p, response_row, &c, NULL);
	}
	struct sqlval p[] = { SQLV_INT(tenant),	   SQLV_INT(f->from),  SQLV_INT(f->to),	   SQLV_INT(before_ts),
			      SQLV_INT(before_ts), SQLV_INT(before_id), SQLV_INT(complete), SQLV_INT(complete),
			      SQLV_TEXT(channel),  SQLV_TEXT(channel),	SQLV_INT(limit) };
	return Q(s, all, p, response_row, &c, NULL);
}

/* ---- invitations -------------------------------------------------------- */

#define INVITATION_COLS                                                                                    \
	"id, survey_id, customer_id, channel, status, created_at, expires_at, opened_at, answered_at, response_id," \
	" sent_at, delivered_at, failure"

int cxm_store_invitation_add(struct cxm_store *s, int64_t tenant, const struct cxm_invitation *inv, int64_t *id)
{
	static const char sql[] = "INSERT INTO invitations (tenant_id, id, survey_id, customer_id, channel, status,"
				  " created_at, expires_at) VALUES (?, ?, ?, ?, ?, 'created', ?, ?)";
	int64_t nid = inv->id ? inv->id : cxm_id_next();
	struct sqlval p[] = { SQLV_INT(tenant),	      SQLV_INT(nid),	       SQLV_INT(inv->survey_id),
			      opt_int(inv->customer_id), SQLV_TEXT(inv->channel), SQLV_INT(cxm_now_us()),
			      SQLV_INT(inv->expires_at) };
	int ret = Q(s, sql, p, NULL, NULL, NULL);

	if (!ret && id)
		*id = nid;
	return ret;
}

struct invitation_ctx {
	cxm_invitation_cb cb;
	void *ctx;
	int n;
};

static int invitation_row(const struct sqlrow *r, void *vctx)
{
	struct invitation_ctx *c = vctx;
	struct cxm_invitation inv = {
		.id = row_int(r, 0),
		.survey_id = row_int(r, 1),
		.customer_id = row_int(r, 2),
		.channel = row_text(r, 3),
		.status = row_text(r, 4),
		.created_at = row_int(r, 5),
		.expires_at = row_int(r, 6),
		.opened_at = row_int(r, 7),
		.answered_at = row_int(r, 8),
		.response_id = row_int(r, 9),
		.sent_at = row_int(r, 10),
		.delivered_at = row_int(r, 11),
		.failure = row_text(r, 12),
	};
	c->n++;
	return c->cb ? c->cb(&inv, c->ctx) : 0;
}

int cxm_store_invitation_page(struct cxm_store *s, int64_t tenant, int64_t survey_id,
			      const struct cxm_invitation_filter *f, int64_t before_created, int64_t before_id, int limit,
			      cxm_invitation_cb cb, void *ctx)
{
	/* filters that are off still take their parameters (? = '') */
	static const char sql[] = "SELECT " INVITATION_COLS " FROM invitations WHERE tenant_id = ? AND survey_id = ?"
				  " AND (created_at < ? OR (created_at = ? AND id < ?))"
				  " AND (? = '' OR status = ?) AND (? = '' OR channel = ?)"
				  " ORDER BY created_at DESC, id DESC LIMIT ?";
	const char *status = f && f->status ? f->status : "", *channel = f && f->channel ? f->channel : "";
	struct invitation_ctx c = { cb, ctx, 0 };
	struct sqlval p[] = { SQLV_INT(tenant),	    SQLV_INT(survey_id), SQLV_INT(before_created),
			      SQLV_INT(before_created), SQLV_INT(before_id), SQLV_TEXT(status),
			      SQLV_TEXT(status),	    SQLV_TEXT(channel),	 SQLV_TEXT(channel),
			      SQLV_INT(limit) };
	return Q(s, sql, p, invitation_row, &c, NULL);
}

int cxm_store_invitation_get(struct cxm_store *s, int64_t tenant, int64_t id, cxm_invitation_cb cb, void *ctx)
{
	static const char sql[] = "SELECT " INVITATION_COLS " FROM invitations WHERE tenant_id = ? AND id = ?";
	struct invitation_ctx c = { cb, ctx, 0 };
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(id) };
	int ret = Q(s, sql, p, invitation_row, &c, NULL);

	return !ret && !c.n ? CXM_ENOTFOUND : ret;
}

int cxm_store_invitation_opened(struct cxm_store *s, int64_t tenant, int64_t id, int64_t at)
{
	/* opened implies delivered, whether or not the provider said so */
	static const char sql[] = "UPDATE invitations SET opened_at = COALESCE(opened_at, ?),"
				  " delivered_at = COALESCE(delivered_at, ?),"
				  " status = CASE WHEN status IN ('created', 'sent', 'delivered') THEN 'opened'"
				  " ELSE status END WHERE tenant_id = ? AND id = ?";
	struct sqlval p[] = { SQLV_INT(at), SQLV_INT(at), SQLV_INT(tenant), SQLV_INT(id) };
	return Q(s, sql, p, NULL, NULL, NULL);
}

int cxm_store_invitation_answered(struct cxm_store *s, int64_t tenant, int64_t id, int64_t response_id, int64_t at)
{
	static const char sql[] = "UPDATE invitations SET status = 'answered', answered_at = COALESCE(answered_at, ?),"
				  " response_id = ? WHERE tenant_id = ? AND id = ?";
	struct sqlval p[] = { SQLV_INT(at), SQLV_INT(response_id), SQLV_INT(tenant), SQLV_INT(id) };
	return Q(s, sql, p, NULL, NULL, NULL);
}

static int secret_row(const struct sqlrow *r, void *ctx)
{
	cxm_strlcpy(ctx, row_text(r, 0), 65);
	return 0;
}

int cxm_store_tenant_secret(struct cxm_store *s, int64_t tenant, const char *name, char hex[65])
{
	static const char get[] = "SELECT secret FROM tenant_secrets WHERE tenant_id = ? AND name = ?";
	static const char put[] = "INSERT INTO tenant_secrets (tenant_id, name, secret, created_at) VALUES (?, ?, ?, ?)"
				  " ON CONFLICT (tenant_id, name) DO NOTHING";
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_TEXT(name) };
	unsigned char raw[32];
	char fresh[65];
	int own, ret;

	hex[0] = '\0';
	if ((ret = Q(s, get, p, secret_row, hex, NULL)) || hex[0])
		return ret;
	/* first use: make one; a concurrent first use keeps whichever came first */
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(fresh, sizeof(fresh), raw, sizeof(raw));
	if ((ret = tx_begin(s, &own)))
		return ret;
	{
		struct sqlval q2[] = { SQLV_INT(tenant), SQLV_TEXT(name), { .type = SQL_TEXT, .s = fresh },
				       SQLV_INT(cxm_now_us()) };
		ret = Q(s, put, q2, NULL, NULL, NULL);
	}
	if (!ret)
		ret = Q(s, get, p, secret_row, hex, NULL);
	return tx_end(s, own, ret);
}

/* ---- survey statistics -------------------------------------------------- */

struct icount_ctx {
	cxm_invitation_count_cb cb;
	void *ctx;
};

static int icount_row(const struct sqlrow *r, void *vctx)
{
	struct icount_ctx *c = vctx;
	struct cxm_invitation_count x = {
		.channel = row_text(r, 0),
		.status = row_text(r, 1),
		.n = row_int(r, 2),
		.opened = row_int(r, 3),
		.answered = row_int(r, 4),
		.sent = row_int(r, 5),
		.delivered = row_int(r, 6),
	};
	return c->cb ? c->cb(&x, c->ctx) : 0;
}

int cxm_store_survey_invitation_counts(struct cxm_store *s, int64_t tenant, int64_t survey_id,
				       cxm_invitation_count_cb cb, void *ctx)
{
	static const char sql[] = "SELECT channel, status, COUNT(*), COUNT(opened_at), COUNT(answered_at),"
				  " COUNT(sent_at), COUNT(delivered_at)"
				  " FROM invitations WHERE tenant_id = ? AND survey_id = ?"
				  " GROUP BY channel, status ORDER BY channel, status";
	struct icount_ctx c = { cb, ctx };
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(survey_id) };

	return Q(s, sql, p, icount_row, &c, NULL);
}

static int rcount_row(const struct sqlrow *r, void *ctx)
{
	struct cxm_response_counts *o = ctx;

	o->total = row_int(r, 0);
	o->complete = row_int(r, 1);
	o->nps_answered = row_int(r, 2);
	o->promoters = row_int(r, 3);
	o->passives = row_int(r, 4);
	o->detractors = row_int(r, 5);
	return 0;
}

int cxm_store_survey_response_counts(struct cxm_store *s, int64_t tenant, int64_t survey_id,
				     struct cxm_response_counts *out)
{
	static const char sql[] = "SELECT COUNT(*),"
				  " COALESCE(SUM(CASE WHEN complete <> 0 THEN 1 ELSE 0 END), 0),"
				  " COUNT(nps),"
				  " COALESCE(SUM(CASE WHEN nps >= 9 THEN 1 ELSE 0 END), 0),"
				  " COALESCE(SUM(CASE WHEN nps >= 7 AND nps <= 8 THEN 1 ELSE 0 END), 0),"
				  " COALESCE(SUM(CASE WHEN nps <= 6 THEN 1 ELSE 0 END), 0)"
				  " FROM responses WHERE tenant_id = ? AND survey_id = ?";
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(survey_id) };

	memset(out, 0, sizeof(*out));
	return Q(s, sql, p, rcount_row, out, NULL);
}

/* ---- the outbox of e-mails ------------------------------------------------ */

#define OUTBOX_COLS                                                                                        \
	"tenant_id, id, invitation_id, to_address, subject, body_text, body_html, attempts, next_attempt_at," \
	" last_error, sent_at, created_at, link_token"

int cxm_store_outbox_add(struct cxm_store *s, int64_t tenant, const struct cxm_outbox_msg *m, int64_t due,
			 int64_t *id)
{
	static const char sql[] = "INSERT INTO outbox (tenant_id, id, invitation_id, to_address, subject, body_text,"
				  " body_html, attempts, next_attempt_at, created_at, link_token)"
				  " VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)";
	int64_t nid = m->id ? m->id : cxm_id_next();
	struct sqlval p[] = { SQLV_INT(tenant),	       SQLV_INT(nid),	       opt_int(m->invitation_id),
			      SQLV_TEXT(m->to_address), SQLV_TEXT(m->subject), SQLV_TEXT(m->body_text),
			      SQLV_TEXT(m->body_html),	SQLV_INT(due),	       SQLV_INT(cxm_now_us()),
			      SQLV_TEXT(m->link_token) };
	int ret = Q(s, sql, p, NULL, NULL, NULL);

	if (!ret && id)
		*id = nid;
	return ret;
}

struct outbox_ctx {
	cxm_outbox_cb cb;
	void *ctx;
	int n;
};

static int outbox_row(const struct sqlrow *r, void *vctx)
{
	struct outbox_ctx *c = vctx;
	struct cxm_outbox_msg m = {
		.tenant_id = row_int(r, 0),
		.id = row_int(r, 1),
		.invitation_id = row_int(r, 2),
		.to_address = row_text(r, 3),
		.subject = row_text(r, 4),
		.body_text = row_text(r, 5),
		.body_html = row_text(r, 6),
		.attempts = (int)row_int(r, 7),
		.next_attempt_at = row_int(r, 8),
		.last_error = row_text(r, 9),
		.sent_at = row_int(r, 10),
		.created_at = row_int(r, 11),
		.link_token = row_text(r, 12),
	};
	c->n++;
	return c->cb ? c->cb(&m, c->ctx) : 0;
}

struct due {
	int64_t tenant, id, next;
};

struct due_list {
	struct due *v;
	int n, cap;
};

static int due_row(const struct sqlrow *r, void *ctx)
{
	struct due_list *l = ctx;

	if (l->n < l->cap)
		l->v[l->n++] = (struct due){ row_int(r, 0), row_int(r, 1), row_int(r, 2) };
	return 0;
}

/*
 * Claims the due rows of l one by one: claim_sql moves each row's lease
 * forward naming its old one (so of two claimers, one wins), and get_sql
 * reads back each row this claimer won into row(ctx). Frees l's rows.
 */
static int claim_due(struct cxm_store *s, struct due_list *l, const char *claim_sql, const char *get_sql,
		     int64_t lease_until, row_fn row, void *ctx)
{
	int ret = 0;

	for (int i = 0; !ret && i < l->n; i++) {
		struct sqlval u[] = { SQLV_INT(lease_until), SQLV_INT(l->v[i].tenant), SQLV_INT(l->v[i].id),
				      SQLV_INT(l->v[i].next) };
		struct sqlval g[] = { SQLV_INT(l->v[i].tenant), SQLV_INT(l->v[i].id) };
		int64_t changes = 0;
		if ((ret = Q(s, claim_sql, u, NULL, NULL, &changes)) || !changes)
			continue;
		ret = Q(s, get_sql, g, row, ctx, NULL);
	}
	free(l->v);
	return ret;
}

int cxm_store_outbox_claim(struct cxm_store *s, int64_t now, int64_t lease_until, int limit, cxm_outbox_cb cb,
			   void *ctx, int *n)
{
	static const char due_sql[] = "SELECT tenant_id, id, next_attempt_at FROM outbox WHERE next_attempt_at IS NOT NULL"
				      " AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?";
	/* the old next_attempt_at in the WHERE: of two claimers, one wins */
	static const char claim_sql[] = "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?"
					" WHERE tenant_id = ? AND id = ? AND next_attempt_at = ?";
	static const char get_sql[] = "SELECT " OUTBOX_COLS " FROM outbox WHERE tenant_id = ? AND id = ?";
	struct due_list l = { xcalloc(limit > 0 ? (size_t)limit : 1, sizeof(*l.v)), 0, limit };
	struct sqlval p[] = { SQLV_INT(now), SQLV_INT(limit) };
	struct outbox_ctx c = { cb, ctx, 0 };
	int ret = limit > 0 ? Q(s, due_sql, p, due_row, &l, NULL) : 0;

	if (!ret)
		ret = claim_due(s, &l, claim_sql, get_sql, lease_until, outbox_row, &c);
	else
		free(l.v);
	if (n)
		*n = c.n;
	return ret;
}

int cxm_store_outbox_sent(struct cxm_store *s, int64_t tenant, int64_t id, int64_t at)
{
	static const char msg_sql[] = "UPDATE outbox SET sent_at = ?, next_attempt_at = NULL, last_error = NULL"
				      " WHERE tenant_id = ? AND id = ?";
	static const char inv_sql[] = "UPDATE invitations SET sent_at = COALESCE(sent_at, ?),"
				      " status = CASE WHEN status = 'created' THEN 'sent' ELSE status END WHERE tenant_id = ?"
				      " AND id = (SELECT invitation_id FROM outbox WHERE tenant_id = ? AND id = ?)";
	struct sqlval p[] = { SQLV_INT(at), SQLV_INT(tenant), SQLV_INT(id) };
	struct sqlval q2[] = { SQLV_INT(at), SQLV_INT(tenant), SQLV_INT(tenant), SQLV_INT(id) };
	int64_t changes = 0;
	int own, ret = tx_begin(s, &own);

	if (ret)
		return ret;
	ret = Q(s, msg_sql, p, NULL, NULL, &changes);
	if (!ret && !changes)
		ret = cxm_store_seterr(s, CXM_ENOTFOUND, _(MSG_S_NO_OUTBOX), (long long)id);
	if (!ret)
		ret = Q(s, inv_sql, q2, NULL, NULL, NULL);
	return tx_end(s, own, ret);
}

int cxm_store_outbox_failed(struct cxm_store *s, int64_t tenant, int64_t id, const char *error,
			    int64_t next_attempt_at)
{
	static const char msg_sql[] = "UPDATE outbox SET last_error = ?, next_attempt_at = ? WHERE tenant_id = ? AND id = ?";
	static const char inv_sql[] = "UPDATE invitations SET status = 'failed', failure = ? WHERE tenant_id = ?"
				      " AND status = 'created'"
				      " AND id = (SELECT invitation_id FROM outbox WHERE tenant_id = ? AND id = ?)";
	struct sqlval p[] = { SQLV_TEXT(error), next_attempt_at ? SQLV_INT(next_attempt_at) : SQLV_NULL,
			      SQLV_INT(tenant), SQLV_INT(id) };
	struct sqlval q2[] = { SQLV_TEXT(error), SQLV_INT(tenant), SQLV_INT(tenant), SQLV_INT(id) };
	int64_t changes = 0;
	int own, ret = tx_begin(s, &own);

	if (ret)
		return ret;
	ret = Q(s, msg_sql, p, NULL, NULL, &changes);
	if (!ret && !changes)
		ret = cxm_store_seterr(s, CXM_ENOTFOUND, _(MSG_S_NO_OUTBOX), (long long)id);
	if (!ret && !next_attempt_at)
		ret = Q(s, inv_sql, q2, NULL, NULL, NULL);
	return tx_end(s, own, ret);
}

int cxm_store_outbox_get(struct cxm_store *s, int64_t tenant, int64_t id, cxm_outbox_cb cb, void *ctx)
{
	static const char sql[] = "SELECT " OUTBOX_COLS " FROM outbox WHERE tenant_id = ? AND id = ?";
	struct outbox_ctx c = { cb, ctx, 0 };
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(id) };
	int ret = Q(s, sql, p, outbox_row, &c, NULL);

	return !ret && !c.n ? CXM_ENOTFOUND : ret;
}

static int outbox_count_row(const struct sqlrow *r, void *ctx)
{
	*(int64_t *)ctx = row_int(r, 0);
	return 0;
}

int cxm_store_outbox_queued(struct cxm_store *s, int64_t due_by, int64_t *n)
{
	static const char sql[] = "SELECT COUNT(*) FROM outbox WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= ?";
	struct sqlval p[] = { SQLV_INT(due_by) };

	*n = 0;
	return Q(s, sql, p, outbox_count_row, n, NULL);
}

/* ---- tenant settings ----------------------------------------------------- */

static int setting_row(const struct sqlrow *r, void *ctx)
{
	char **out = ctx;

	free(*out);
	*out = xstrdup(row_text(r, 0));
	return 0;
}

int cxm_store_setting_get(struct cxm_store *s, int64_t tenant, const char *name, char **value)
{
	static const char sql[] = "SELECT value FROM tenant_settings WHERE tenant_id = ? AND name = ?";
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_TEXT(name) };

	*value = NULL;
	return Q(s, sql, p, setting_row, value, NULL);
}

int cxm_store_setting_set(struct cxm_store *s, int64_t tenant, const char *name, const char *value)
{
	static const char sql[] = "INSERT INTO tenant_settings (tenant_id, name, value, updated_at) VALUES (?, ?, ?, ?)"
				  " ON CONFLICT (tenant_id, name) DO UPDATE SET value = excluded.value,"
				  " updated_at = excluded.updated_at";
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_TEXT(name), SQLV_TEXT(value), SQLV_INT(cxm_now_us()) };
	return Q(s, sql, p, NULL, NULL, NULL);
}

int cxm_store_last_invitation(struct cxm_store *s, int64_t tenant, int64_t customer_id, int64_t *at)
{
	static const char sql[] = "SELECT COALESCE(MAX(created_at), 0) FROM invitations"
				  " WHERE tenant_id = ? AND customer_id = ?";
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(customer_id) };
	return GET_INT(s, sql, p, at);
}

/* ---- e-mail delivery reports and bulk invitations -------------------------- */

int cxm_store_outbox_report(struct cxm_store *s, int64_t tenant, int64_t id, enum cxm_email_report event, int64_t at,
			    const char *reason, bool *found)
{
	static const char inv_sql[] = "SELECT COALESCE(invitation_id, 0) FROM outbox WHERE tenant_id = ? AND id = ?";
	static const char cust_sql[] = "SELECT COALESCE(customer_id, 0) FROM invitations WHERE tenant_id = ? AND id = ?";
	static const char delivered_msg[] = "UPDATE outbox SET delivered_at = COALESCE(delivered_at, ?)"
					    " WHERE tenant_id = ? AND id = ?";
	static const char delivered_inv[] = "UPDATE invitations SET delivered_at = COALESCE(delivered_at, ?),"
					    " status = CASE WHEN status IN ('created', 'sent') THEN 'delivered' ELSE status END"
					    " WHERE tenant_id = ? AND id = ?";
	static const char report_msg[] = "UPDATE outbox SET report = ? WHERE tenant_id = ? AND id = ?";
	/* a bounce fails an invitation nobody opened; a complaint does not (the
	 * message arrived, the customer did not want it) */
	static const char bounced_inv[] = "UPDATE invitations SET failure = ?,"
					  " status = CASE WHEN status IN ('created', 'sent', 'delivered') THEN 'failed'"
					  " ELSE status END WHERE tenant_id = ? AND id = ?";
	static const char complained_inv[] = "UPDATE invitations SET failure = ? WHERE tenant_id = ? AND id = ?";
	struct sqlval pm[] = { SQLV_INT(tenant), SQLV_INT(id) };
	int64_t inv = 0, customer = 0;
	char *what = NULL;
	int own, ret;

	*found = false;
	if ((ret = tx_begin(s, &own)))
		return ret;
	ret = GET_INT(s, inv_sql, pm, &inv);
	if (ret == CXM_ENOTFOUND) {
		ret = 0;
		goto out;
	}
	if (ret)
		goto out;
	*found = true;
	struct sqlval pi[] = { SQLV_INT(tenant), SQLV_INT(inv) };
	if (inv && (ret = GET_INT(s, cust_sql, pi, &customer)) == CXM_ENOTFOUND)
		ret = 0, customer = 0;
	if (ret)
		goto out;
	if (event == CXM_EMAIL_DELIVERED || event == CXM_EMAIL_COMPLAINED) {
		struct sqlval pd[] = { SQLV_INT(at), SQLV_INT(tenant), SQLV_INT(id) };
		struct sqlval pdi[] = { SQLV_INT(at), SQLV_INT(tenant), SQLV_INT(inv) };
		if ((ret = Q(s, delivered_msg, pd, NULL, NULL, NULL)) ||
		    (inv && (ret = Q(s, delivered_inv, pdi, NULL, NULL, NULL))))
			goto out;
	}
	if (event == CXM_EMAIL_DELIVERED)
		goto out;
	what = xasprintf("%s%s%s", event == CXM_EMAIL_BOUNCED ? "bounced" : "complained", reason && *reason ? ": " : "",
			 reason ? reason : "");
	struct sqlval pr[] = { SQLV_TEXT(what), SQLV_INT(tenant), SQLV_INT(id) };
	struct sqlval pri[] = { SQLV_TEXT(what), SQLV_INT(tenant), SQLV_INT(inv) };
	if ((ret = Q(s, report_msg, pr, NULL, NULL, NULL)) ||
	    (inv && (ret = Q(s, event == CXM_EMAIL_BOUNCED ? bounced_inv : complained_inv, pri, NULL, NULL, NULL))))
		goto out;
	/* like an unsubscribe: no more e-mail to this customer */
	if (customer && (ret = cxm_store_customer_set_consent(s, tenant, customer, CXM_CONSENT_EMAIL, CXM_CONSENT_DENIED)) ==
			CXM_ENOTFOUND)
		ret = 0;
out:
	free(what);
	return tx_end(s, own, ret);
}

struct candidate_ctx {
	cxm_invite_candidate_cb cb;
	void *ctx;
};

static int candidate_row(const struct sqlrow *r, void *vctx)
{
	struct candidate_ctx *c = vctx;
	struct cxm_invite_candidate x = {
		.id = row_int(r, 0),
		.email = row_text(r, 1),
		.country = row_text(r, 2),
		.language = row_text(r, 3),
		.attributes = row_text(r, 4),
		.consent_email = (int)row_int(r, 5),
		.last_invited_at = row_int(r, 6),
	};
	return c->cb(&x, c->ctx);
}

int cxm_store_invite_candidates(struct cxm_store *s, int64_t tenant, int64_t after_id, int limit,
				cxm_invite_candidate_cb cb, void *ctx)
{
	/* one statement per chunk: the last invitation comes from the
	 * invitations_customer index, one seek per customer */
	static const char sql[] = "SELECT c.id, c.email, c.country, c.language, c.attributes, c.consent_email,"
				  " COALESCE((SELECT MAX(i.created_at) FROM invitations i"
				  " WHERE i.tenant_id = c.tenant_id AND i.customer_id = c.id), 0)"
				  " FROM customers c WHERE c.tenant_id = ? AND c.id > ? AND c.merged_into IS NULL"
				  " ORDER BY c.id LIMIT ?";
	struct candidate_ctx c = { cb, ctx };
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(after_id), SQLV_INT(limit) };

	return Q(s, sql, p, candidate_row, &c, NULL);
}

int cxm_store_invite_candidate_get(struct cxm_store *s, int64_t tenant, int64_t id, cxm_invite_candidate_cb cb,
				   void *ctx)
{
	static const char sql[] = "SELECT c.id, c.email, c.country, c.language, c.attributes, c.consent_email,"
				  " COALESCE((SELECT MAX(i.created_at) FROM invitations i"
				  " WHERE i.tenant_id = c.tenant_id AND i.customer_id = c.id), 0)"
				  " FROM customers c WHERE c.tenant_id = ? AND c.id = ? AND c.merged_into IS NULL";
	struct candidate_ctx c = { cb, ctx };
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(id) };

	return Q(s, sql, p, candidate_row, &c, NULL);
}

/* Rows per multi-row INSERT of a bulk send: one round trip for 32 rows on
 * PostgreSQL, one statement step on SQLite. The texts are static, so the
 * statement caches keep them prepared. */
#define EMAIL_BATCH 32
#define INV_ROW "(?, ?, ?, ?, ?, 'created', ?, ?)"
#define INV_ROWS4 INV_ROW ", " INV_ROW ", " INV_ROW ", " INV_ROW
#define INV_ROWS16 INV_ROWS4 ", " INV_ROWS4 ", " INV_ROWS4 ", " INV_ROWS4
#define OUT_ROW "(?, ?, ?, ?, '', '', '', 0, ?, ?, ?)"
#define OUT_ROWS4 OUT_ROW ", " OUT_ROW ", " OUT_ROW ", " OUT_ROW
#define OUT_ROWS16 OUT_ROWS4 ", " OUT_ROWS4 ", " OUT_ROWS4 ", " OUT_ROWS4
#define INV_INSERT "INSERT INTO invitations (tenant_id, id, survey_id, customer_id, channel, status, created_at," \
		   " expires_at) VALUES "
#define OUT_INSERT "INSERT INTO outbox (tenant_id, id, invitation_id, to_address, subject, body_text, body_html," \
		   " attempts, next_attempt_at, created_at, link_token) VALUES "

int cxm_store_email_invitations_add(struct cxm_store *s, int64_t tenant, const struct cxm_email_invitation *v,
				    size_t n, int64_t due)
{
	static const char inv_many[] = INV_INSERT INV_ROWS16 ", " INV_ROWS16;
	static const char inv_one[] = INV_INSERT INV_ROW;
	static const char out_many[] = OUT_INSERT OUT_ROWS16 ", " OUT_ROWS16;
	static const char out_one[] = OUT_INSERT OUT_ROW;
	struct sqlval p[EMAIL_BATCH * 7];
	int64_t now = cxm_now_us();
	size_t i = 0;
	int own, ret;

	if ((ret = tx_begin(s, &own)))
		return ret;
	while (!ret && i < n) {
		size_t k = n - i >= EMAIL_BATCH ? EMAIL_BATCH : 1, np = 0;
		for (size_t j = i; j < i + k; j++) {
			p[np++] = SQLV_INT(tenant);
			p[np++] = SQLV_INT(v[j].invitation_id);
			p[np++] = SQLV_INT(v[j].survey_id);
			p[np++] = opt_int(v[j].customer_id);
			p[np++] = SQLV_TEXT(v[j].channel);
			p[np++] = SQLV_INT(now);
			p[np++] = SQLV_INT(v[j].expires_at);
		}
		if ((ret = q(s, k == 1 ? inv_one : inv_many, p, np, NULL, NULL, NULL)))
			break;
		np = 0;
		for (size_t j = i; j < i + k; j++) {
			p[np++] = SQLV_INT(tenant);
			p[np++] = SQLV_INT(v[j].outbox_id ? v[j].outbox_id : cxm_id_next());
			p[np++] = SQLV_INT(v[j].invitation_id);
			p[np++] = SQLV_TEXT(v[j].to_address);
			p[np++] = SQLV_INT(due);
			p[np++] = SQLV_INT(now);
			p[np++] = SQLV_TEXT(v[j].link_token);
		}
		ret = q(s, k == 1 ? out_one : out_many, p, np, NULL, NULL, NULL);
		i += k;
	}
	return tx_end(s, own, ret);
}

/* ---- invitations as they stand ------------------------------------------- */

int cxm_store_invitation_record(struct cxm_store *s, int64_t tenant, const struct cxm_invitation *inv, int64_t *id)
{
	static const char sql[] = "INSERT INTO invitations (tenant_id, id, survey_id, customer_id, channel, status,"
				  " created_at, expires_at, opened_at, answered_at, response_id, sent_at, delivered_at,"
				  " failure) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	int64_t nid = inv->id ? inv->id : cxm_id_next();
	struct sqlval p[] = { SQLV_INT(tenant),	      SQLV_INT(nid),	       SQLV_INT(inv->survey_id),
			      opt_int(inv->customer_id), SQLV_TEXT(inv->channel), SQLV_TEXT(inv->status),
			      SQLV_INT(inv->created_at), SQLV_INT(inv->expires_at), opt_int(inv->opened_at),
			      opt_int(inv->answered_at), opt_int(inv->response_id), opt_int(inv->sent_at),
			      opt_int(inv->delivered_at), SQLV_TEXT(inv->failure) };
	int ret = Q(s, sql, p, NULL, NULL, NULL);

	if (!ret && id)
		*id = nid;
	return ret;
}

/* ---- responses per survey -------------------------------------------------- */

struct total_ctx {
	cxm_survey_total_cb cb;
	void *ctx;
};

static int total_row(const struct sqlrow *r, void *vctx)
{
	struct total_ctx *c = vctx;
	return c->cb(row_int(r, 0), row_int(r, 1), c->ctx);
}

int cxm_store_survey_response_totals(struct cxm_store *s, int64_t tenant, cxm_survey_total_cb cb, void *ctx)
{
	static const char sql[] = "SELECT survey_id, COUNT(*) FROM responses WHERE tenant_id = ? GROUP BY survey_id";
	struct sqlval p[] = { SQLV_INT(tenant) };
	struct total_ctx c = { cb, ctx };
	return Q(s, sql, p, total_row, &c, NULL);
}

int cxm_store_tenant_secret_find(struct cxm_store *s, int64_t tenant, const char *name, char hex[65])
{
	static const char sql[] = "SELECT secret FROM tenant_secrets WHERE tenant_id = ? AND name = ?";
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_TEXT(name) };
	int ret;

	hex[0] = '\0';
	ret = Q(s, sql, p, secret_row, hex, NULL);
	return !ret && !hex[0] ? CXM_ENOTFOUND : ret;
}

int cxm_store_invitations_pending(struct cxm_store *s, int64_t tenant, int64_t customer_id, const char *channel,
				  int64_t now, int limit, cxm_invitation_cb cb, void *ctx)
{
	static const char sql[] = "SELECT " INVITATION_COLS " FROM invitations WHERE tenant_id = ? AND customer_id = ?"
				  " AND channel = ? AND answered_at IS NULL AND status <> 'failed' AND expires_at > ?"
				  " ORDER BY created_at DESC, id DESC LIMIT ?";
	struct invitation_ctx c = { cb, ctx, 0 };
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(customer_id), SQLV_TEXT(channel), SQLV_INT(now),
			      SQLV_INT(limit) };

	return Q(s, sql, p, invitation_row, &c, NULL);
}

/* ---- receipts of anonymous responses ------------------------------------ */

int cxm_store_receipt_add(struct cxm_store *s, int64_t tenant, const char *code_hash, int64_t survey_id,
			  int64_t response_id)
{
	static const char sql[] = "INSERT INTO receipts (tenant_id, code_hash, survey_id, response_id, created_at)"
				  " VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, code_hash) DO NOTHING";
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_TEXT(code_hash), SQLV_INT(survey_id), SQLV_INT(response_id),
			      SQLV_INT(cxm_now_us()) };
	return Q(s, sql, p, NULL, NULL, NULL);
}

int cxm_store_receipt_find(struct cxm_store *s, int64_t tenant, int64_t survey_id, const char *code_hash,
			   int64_t *response_id)
{
	static const char sql[] = "SELECT response_id FROM receipts WHERE tenant_id = ? AND code_hash = ?"
				  " AND survey_id = ?";
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_TEXT(code_hash), SQLV_INT(survey_id) };
	return GET_INT(s, sql, p, response_id);
}

int cxm_store_response_get(struct cxm_store *s, int64_t tenant, int64_t id, cxm_response_cb cb, void *ctx)
{
	static const char sql[] = "SELECT " RESPONSE_COLS " FROM responses WHERE tenant_id = ? AND id = ?";
	struct response_ctx c = { cb, ctx, 0 };
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(id) };
	int ret = Q(s, sql, p, response_row, &c, NULL);

	return !ret && !c.n ? CXM_ENOTFOUND : ret;
}

int cxm_store_response_delete(struct cxm_store *s, int64_t tenant, int64_t id)
{
	static const char receipts[] = "DELETE FROM receipts WHERE tenant_id = ? AND response_id = ?";
	static const char invitations[] = "UPDATE invitations SET response_id = NULL WHERE tenant_id = ? AND response_id = ?";
	static const char responses[] = "DELETE FROM responses WHERE tenant_id = ? AND id = ?";
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(id) };
	int64_t changes = 0;
	int own, ret = tx_begin(s, &own);

	struct rollup_src old;
	char *texts = NULL;

	if (ret)
		return ret;
	/* the rollups lose what the response counted, in the same transaction */
	if (!(ret = rollup_old(s, tenant, NULL, id, &old, &texts)) && !(ret = Q(s, receipts, p, NULL, NULL, NULL)) &&
	    !(ret = Q(s, invitations, p, NULL, NULL, NULL)) && !(ret = Q(s, responses, p, NULL, NULL, &changes))) {
		ret = changes ? rollup_apply(s, tenant, &old, -1) : CXM_ENOTFOUND;
		if (!ret)
			ret = themes_put(s, tenant, id, NULL);
	}
	free(texts);
	return tx_end(s, own, ret);
}

/* ---- triggers and scheduled invitations ----------------------------------- */

#define TRIGGER_COLS                                                                                          \
	"id, name, survey_id, event_type, event_channel, conditions, delay_seconds, channel, active, created_at," \
	" updated_at"
#define TRIGGER_VERSION "triggers.version"

/* Every change of a tenant's triggers gives them a new version, in the
 * same transaction, so caches of them know when to reload. */
static int trigger_bump(struct cxm_store *s, int64_t tenant)
{
	char v[24];

	snprintf(v, sizeof(v), "%lld", (long long)cxm_id_next());
	return cxm_store_setting_set(s, tenant, TRIGGER_VERSION, v);
}

int cxm_store_trigger_add(struct cxm_store *s, int64_t tenant, const struct cxm_trigger *t, int64_t *id)
{
	static const char sql[] = "INSERT INTO triggers (tenant_id, " TRIGGER_COLS ")"
				  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	int64_t nid = t->id ? t->id : cxm_id_next(), now = cxm_now_us();
	struct sqlval p[] = { SQLV_INT(tenant),		  SQLV_INT(nid),	  SQLV_TEXT(t->name),
			      SQLV_INT(t->survey_id),	  SQLV_TEXT(t->event_type), SQLV_TEXT(t->event_channel),
			      SQLV_TEXT(t->conditions ? t->conditions : "{}"), SQLV_INT(t->delay_seconds),
			      SQLV_TEXT(t->channel),	  SQLV_INT(t->active ? 1 : 0), SQLV_INT(now),
			      SQLV_INT(now) };
	int own, ret = tx_begin(s, &own);

	if (!ret)
		ret = Q(s, sql, p, NULL, NULL, NULL);
	if (!ret)
		ret = trigger_bump(s, tenant);
	if (!ret && id)
		*id = nid;
	return tx_end(s, own, ret);
}

int cxm_store_trigger_update(struct cxm_store *s, int64_t tenant, const struct cxm_trigger *t)
{
	static const char sql[] = "UPDATE triggers SET name = ?, survey_id = ?, event_type = ?, event_channel = ?,"
				  " conditions = ?, delay_seconds = ?, channel = ?, active = ?, updated_at = ?"
				  " WHERE tenant_id = ? AND id = ?";
	struct sqlval p[] = { SQLV_TEXT(t->name),
			      SQLV_INT(t->survey_id),
			      SQLV_TEXT(t->event_type),
			      SQLV_TEXT(t->event_channel),
			      SQLV_TEXT(t->conditions ? t->conditions : "{}"),
			      SQLV_INT(t->delay_seconds),
			      SQLV_TEXT(t->channel),
			      SQLV_INT(t->active ? 1 : 0),
			      SQLV_INT(cxm_now_us()),
			      SQLV_INT(tenant),
			      SQLV_INT(t->id) };
	int64_t changes = 0;
	int own, ret = tx_begin(s, &own);

	if (!ret)
		ret = Q(s, sql, p, NULL, NULL, &changes);
	if (!ret && !changes)
		ret = cxm_store_seterr(s, CXM_ENOTFOUND, _(MSG_S_NO_TRIGGER), (long long)t->id);
	if (!ret)
		ret = trigger_bump(s, tenant);
	return tx_end(s, own, ret);
}

int cxm_store_trigger_delete(struct cxm_store *s, int64_t tenant, int64_t id)
{
	static const char sql[] = "DELETE FROM triggers WHERE tenant_id = ? AND id = ?";
	static const char sched_sql[] = "DELETE FROM scheduled_invitations WHERE tenant_id = ? AND trigger_id = ?";
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(id) };
	int64_t changes = 0;
	int own, ret = tx_begin(s, &own);

	if (!ret)
		ret = Q(s, sql, p, NULL, NULL, &changes);
	if (!ret && !changes)
		ret = cxm_store_seterr(s, CXM_ENOTFOUND, _(MSG_S_NO_TRIGGER), (long long)id);
	if (!ret)
		ret = Q(s, sched_sql, p, NULL, NULL, NULL);
	if (!ret)
		ret = trigger_bump(s, tenant);
	return tx_end(s, own, ret);
}

struct trigger_ctx {
	cxm_trigger_cb cb;
	void *ctx;
	int n;
};

static int trigger_row(const struct sqlrow *r, void *vctx)
{
	struct trigger_ctx *c = vctx;
	struct cxm_trigger t = {
		.id = row_int(r, 0),
		.name = row_text(r, 1),
		.survey_id = row_int(r, 2),
		.event_type = row_text(r, 3),
		.event_channel = row_text(r, 4),
		.conditions = row_text(r, 5),
		.delay_seconds = row_int(r, 6),
		.channel = row_text(r, 7),
		.active = row_int(r, 8) != 0,
		.created_at = row_int(r, 9),
		.updated_at = row_int(r, 10),
	};
	c->n++;
	return c->cb ? c->cb(&t, c->ctx) : 0;
}

int cxm_store_trigger_get(struct cxm_store *s, int64_t tenant, int64_t id, cxm_trigger_cb cb, void *ctx)
{
	static const char sql[] = "SELECT " TRIGGER_COLS " FROM triggers WHERE tenant_id = ? AND id = ?";
	struct trigger_ctx c = { cb, ctx, 0 };
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(id) };
	int ret = Q(s, sql, p, trigger_row, &c, NULL);

	return !ret && !c.n ? cxm_store_seterr(s, CXM_ENOTFOUND, _(MSG_S_NO_TRIGGER), (long long)id) : ret;
}

int cxm_store_trigger_list(struct cxm_store *s, int64_t tenant, bool active_only, cxm_trigger_cb cb, void *ctx)
{
	static const char sql[] = "SELECT " TRIGGER_COLS " FROM triggers WHERE tenant_id = ? AND active >= ? ORDER BY id";
	struct trigger_ctx c = { cb, ctx, 0 };
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(active_only ? 1 : 0) };

	return Q(s, sql, p, trigger_row, &c, NULL);
}

int cxm_store_trigger_version(struct cxm_store *s, int64_t tenant, int64_t *version)
{
	char *v = NULL;
	int ret = cxm_store_setting_get(s, tenant, TRIGGER_VERSION, &v);

	*version = 0;
	if (!ret && v && cxm_parse_i64(v, strlen(v), version))
		*version = -1; /* not ours: never equal to a cached version */
	free(v);
	return ret;
}

#define SCHEDULED_COLS                                                                                          \
	"tenant_id, id, trigger_id, survey_id, customer_id, event_id, due_at, status, reason, invitation_id,"       \
	" attempts, lease_until, created_at, updated_at"

int cxm_store_scheduled_add(struct cxm_store *s, int64_t tenant, const struct cxm_scheduled *sc, bool *added)
{
	static const char sql[] = "INSERT INTO scheduled_invitations (tenant_id, id, trigger_id, survey_id, customer_id,"
				  " event_id, due_at, status, reason, attempts, created_at, updated_at)"
				  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)"
				  " ON CONFLICT (tenant_id, trigger_id, event_id) DO NOTHING";
	int64_t now = cxm_now_us(), changes = 0;
	struct sqlval p[] = { SQLV_INT(tenant),
			      SQLV_INT(sc->id ? sc->id : cxm_id_next()),
			      SQLV_INT(sc->trigger_id),
			      SQLV_INT(sc->survey_id),
			      SQLV_INT(sc->customer_id),
			      SQLV_INT(sc->event_id),
			      SQLV_INT(sc->due_at),
			      SQLV_TEXT(sc->status ? sc->status : "pending"),
			      SQLV_TEXT(sc->reason),
			      SQLV_INT(now),
			      SQLV_INT(now) };
	int ret = Q(s, sql, p, NULL, NULL, &changes);

	if (!ret && added)
		*added = changes > 0;
	return ret;
}

struct scheduled_ctx {
	cxm_scheduled_cb cb;
	void *ctx;
	int n;
};

static int scheduled_row(const struct sqlrow *r, void *vctx)
{
	struct scheduled_ctx *c = vctx;
	struct cxm_scheduled sc = {
		.tenant_id = row_int(r, 0),
		.id = row_int(r, 1),
		.trigger_id = row_int(r, 2),
		.survey_id = row_int(r, 3),
		.customer_id = row_int(r, 4),
		.event_id = row_int(r, 5),
		.due_at = row_int(r, 6),
		.status = row_text(r, 7),
		.reason = row_text(r, 8),
		.invitation_id = row_int(r, 9),
		.attempts = (int)row_int(r, 10),
		.lease_until = row_int(r, 11),
		.created_at = row_int(r, 12),
		.updated_at = row_int(r, 13),
	};
	c->n++;
	return c->cb ? c->cb(&sc, c->ctx) : 0;
}

int cxm_store_scheduled_claim(struct cxm_store *s, int64_t now, int64_t lease_until, int limit, cxm_scheduled_cb cb,
			      void *ctx, int *n)
{
	static const char due_sql[] = "SELECT tenant_id, id, COALESCE(lease_until, 0) FROM scheduled_invitations"
				      " WHERE status = 'pending' AND due_at <= ? AND COALESCE(lease_until, 0) <= ?"
				      " ORDER BY due_at LIMIT ?";
	/* the old lease in the WHERE: of two claimers, one wins */
	static const char claim_sql[] = "UPDATE scheduled_invitations SET attempts = attempts + 1, lease_until = ?"
					" WHERE tenant_id = ? AND id = ? AND status = 'pending'"
					" AND COALESCE(lease_until, 0) = ?";
	static const char get_sql[] = "SELECT " SCHEDULED_COLS " FROM scheduled_invitations WHERE tenant_id = ? AND id = ?";
	struct due_list l = { xcalloc(limit > 0 ? (size_t)limit : 1, sizeof(*l.v)), 0, limit };
	struct sqlval p[] = { SQLV_INT(now), SQLV_INT(now), SQLV_INT(limit) };
	struct scheduled_ctx c = { cb, ctx, 0 };
	int ret = limit > 0 ? Q(s, due_sql, p, due_row, &l, NULL) : 0;

	if (!ret)
		ret = claim_due(s, &l, claim_sql, get_sql, lease_until, scheduled_row, &c);
	else
		free(l.v);
	if (n)
		*n = c.n;
	return ret;
}

int cxm_store_scheduled_finish(struct cxm_store *s, int64_t tenant, int64_t id, int64_t lease_until,
			       const char *status, const char *reason, int64_t invitation_id)
{
	static const char sql[] = "UPDATE scheduled_invitations SET status = ?, reason = ?, invitation_id = ?,"
				  " lease_until = NULL, updated_at = ? WHERE tenant_id = ? AND id = ?"
				  " AND status = 'pending' AND lease_until = ?";
	struct sqlval p[] = { SQLV_TEXT(status),  SQLV_TEXT(reason), opt_int(invitation_id), SQLV_INT(cxm_now_us()),
			      SQLV_INT(tenant), SQLV_INT(id),	  SQLV_INT(lease_until) };
	int64_t changes = 0;
	int ret = Q(s, sql, p, NULL, NULL, &changes);

	if (!ret && !changes)
		ret = cxm_store_seterr(s, CXM_ECONFLICT, _(MSG_S_SCHEDULED_TAKEN), (long long)id);
	return ret;
}

int cxm_store_scheduled_page(struct cxm_store *s, int64_t tenant, int64_t trigger_id, const char *status,
			     int64_t before_id, int limit, cxm_scheduled_cb cb, void *ctx)
{
	static const char any_sql[] = "SELECT " SCHEDULED_COLS " FROM scheduled_invitations"
				      " WHERE tenant_id = ? AND trigger_id = ? AND id < ? ORDER BY id DESC LIMIT ?";
	static const char one_sql[] = "SELECT " SCHEDULED_COLS " FROM scheduled_invitations"
				      " WHERE tenant_id = ? AND trigger_id = ? AND id < ? AND status = ?"
				      " ORDER BY id DESC LIMIT ?";
	struct scheduled_ctx c = { cb, ctx, 0 };
	int64_t before = before_id ? before_id : INT64_MAX;

	if (!status) {
		struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(trigger_id), SQLV_INT(before), SQLV_INT(limit) };
		return Q(s, any_sql, p, scheduled_row, &c, NULL);
	}
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(trigger_id), SQLV_INT(before), SQLV_TEXT(status),
			      SQLV_INT(limit) };
	return Q(s, one_sql, p, scheduled_row, &c, NULL);
}

int cxm_store_scheduled_next_due(struct cxm_store *s, int64_t *at)
{
	static const char sql[] = "SELECT COALESCE(MIN(CASE WHEN COALESCE(lease_until, 0) > due_at THEN lease_until"
				  " ELSE due_at END), 0) FROM scheduled_invitations WHERE status = 'pending'";

	*at = 0;
	return get_int(s, sql, NULL, 0, at);
}

/* ---- rollups and scans (issue 5) -------------------------------------------- */

static const char *const dim_names[CXM_DIM_COUNT] = {
	"none", "channel", "touchpoint", "agent", "org_unit", "language", "segment", "survey", "attribute", "theme",
	"sentiment",
};
/* The rollups table's name of a dimension; NULL for those it does not keep
 * (survey is the survey_id column of every row). */
static const char *const rollup_dims[CXM_DIM_COUNT] = {
	"all", "channel", "touchpoint", "agent", "org_unit", "language", "segment", NULL, NULL, "theme", "sentiment",
};
/* The same counts per month (day: the month's first day), so that a long
 * range reads a row per month and value, and days only at its ends. */
static const char *const rollup_month_dims[CXM_DIM_COUNT] = {
	"all@month", "channel@month", "touchpoint@month", "agent@month", "org_unit@month", "language@month",
	"segment@month", NULL, NULL, "theme@month", "sentiment@month",
};

/* Touchpoint x segment (issue 7, the journey map), a day and a month row:
 * value segment "\x1f" touchpoint, so a segment's touchpoints are the rows
 * whose value starts with the segment and the separator. */
#define TPSEG_DIM "touchpoint_segment"
#define TPSEG_MONTH_DIM "touchpoint_segment@month"
#define TPSEG_SEP '\x1f'

const char *cxm_dim_name(enum cxm_dim d)
{
	return d < CXM_DIM_COUNT ? dim_names[d] : "";
}

enum cxm_dim cxm_dim_parse(const char *name)
{
	for (int d = 0; d < CXM_DIM_COUNT; d++)
		if (!strcmp(dim_names[d], name))
			return (enum cxm_dim)d;
	return CXM_DIM_COUNT;
}

int64_t cxm_bucket_start(enum cxm_bucket b, int64_t day)
{
	int64_t y;
	unsigned m, d;

	switch (b) {
	case CXM_BUCKET_DAY:
		return day;
	case CXM_BUCKET_WEEK:
		/* 1970-01-01 was a Thursday: day + 3 counts from a Monday */
		return day - ((day + 3) % 7 + 7) % 7;
	case CXM_BUCKET_MONTH:
	case CXM_BUCKET_QUARTER:
		cxm_civil_from_days(day, &y, &m, &d);
		if (b == CXM_BUCKET_QUARTER)
			m = (m - 1) / 3 * 3 + 1;
		return cxm_days_from_civil(y, m, 1);
	case CXM_BUCKET_NONE:
		break;
	}
	return 0;
}

struct one_text {
	char *buf;
	size_t size;
};

static int one_text_row(const struct sqlrow *r, void *ctx)
{
	struct one_text *t = ctx;
	cxm_strlcpy(t->buf, row_text(r, 0) ? row_text(r, 0) : "", t->size);
	return 0;
}

/* The tenant's zone, remembered on the handle: a tenant's time zone is set
 * when it is created and never changes (the rollups' days depend on it). */
static int tenant_tz(struct cxm_store *s, int64_t tenant, const struct cxm_tz **tz)
{
	static const char sql[] = "SELECT time_zone FROM tenants WHERE id = ?";
	struct sqlval p[] = { SQLV_INT(tenant) };
	char name[128] = "";
	int ret;

	if (s->tz && s->tz_tenant == tenant) {
		*tz = s->tz;
		return 0;
	}
	struct one_text t = { name, sizeof(name) };

	if ((ret = Q(s, sql, p, one_text_row, &t, NULL)))
		return ret;
	if (!name[0])
		return cxm_store_seterr(s, CXM_ENOTFOUND, _(MSG_NO_SUCH_TENANT), "#");
	if (!(*tz = cxm_tz_get(name)))
		return cxm_store_seterr(s, CXM_EINVAL, _(MSG_RU_NO_ZONE), name);
	s->tz = *tz;
	s->tz_tenant = tenant;
	return 0;
}

int cxm_store_tenant_day(struct cxm_store *s, int64_t tenant, int64_t ts, int64_t *day)
{
	const struct cxm_tz *tz;
	int ret = tenant_tz(s, tenant, &tz);

	if (!ret)
		*day = cxm_tz_day(tz, ts);
	return ret;
}

static int segment_row(const struct sqlrow *r, void *ctx)
{
	char **segment = ctx;
	cJSON *o = cJSON_Parse(row_text(r, 0));
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "segment");

	if (cJSON_IsString(v) && v->valuestring[0])
		*segment = xstrdup(v->valuestring);
	cJSON_Delete(o);
	return 0;
}

/* The customer's "segment" attribute now (a string), or NULL; owned. */
static int customer_segment(struct cxm_store *s, int64_t tenant, int64_t customer_id, char **segment)
{
	static const char sql[] = "SELECT attributes FROM customers WHERE tenant_id = ? AND id = ?";
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(customer_id) };

	*segment = NULL;
	return customer_id ? Q(s, sql, p, segment_row, segment, NULL) : 0;
}

#define ROLLUP_SRC_COLS "id, complete, survey_id, channel, touchpoint, agent, org_unit_id, language, segment, ts," \
			" nps, csat, ces"

struct old_ctx {
	struct rollup_src *o;
	char **texts;
	bool found;
	bool with_text; /* the row goes on with text_label, themes */
};

static int old_row(const struct sqlrow *r, void *vctx)
{
	struct old_ctx *c = vctx;
	struct rollup_src *o = c->o;
	const char *t[10];
	size_t len = 0, at = 0;
	/* channel, touchpoint, agent, language, segment; text_label, themes,
	 * text_lang, text_emotions, text_reasons */
	static const int cols[10] = { 3, 4, 5, 7, 8, 13, 14, 15, 16, 17 };
	int ntexts = c->with_text ? 10 : 5;

	for (int i = 0; i < ntexts; i++) {
		t[i] = row_text(r, cols[i]);
		len += t[i] ? strlen(t[i]) + 1 : 0;
	}
	/* the texts in one block, so the caller frees once */
	*c->texts = xmalloc(len + 1);
	const char **dst[10] = { &o->channel, &o->touchpoint, &o->agent, &o->language, &o->segment, &o->label,
				 &o->themes, &o->lang, &o->emotions, &o->reasons };
	o->label = o->themes = o->lang = o->emotions = o->reasons = NULL;
	for (int i = 0; i < ntexts; i++) {
		*dst[i] = NULL;
		if (t[i]) {
			size_t n = strlen(t[i]) + 1;
			memcpy(*c->texts + at, t[i], n);
			*dst[i] = *c->texts + at;
			at += n;
		}
	}
	o->id = row_int(r, 0);
	o->complete = row_int(r, 1) != 0;
	o->survey_id = row_int(r, 2);
	o->org_unit_id = row_int(r, 6);
	o->ts = row_int(r, 9);
	o->nps = row_text(r, 10) ? (int)row_int(r, 10) : -1;
	o->csat = row_text(r, 11) ? (int)row_int(r, 11) : -1;
	o->ces = row_text(r, 12) ? (int)row_int(r, 12) : -1;
	c->found = true;
	return 0;
}

/*
 * The stored response (by source_id, or by id when source_id is NULL),
 * locked for the rest of the transaction: the no-op UPDATE takes the row
 * lock on PostgreSQL (SQLite's writer holds the whole database), so what
 * is read here is what the rollups counted. *texts owns o's strings.
 * CXM_ENOTFOUND if none.
 */
static int rollup_old(struct cxm_store *s, int64_t tenant, const char *source_id, int64_t id, struct rollup_src *o,
		      char **texts)
{
	static const char lock_src[] = "UPDATE responses SET complete = complete WHERE tenant_id = ? AND source_id = ?";
	static const char lock_id[] = "UPDATE responses SET complete = complete WHERE tenant_id = ? AND id = ?";
	static const char by_src[] = "SELECT " ROLLUP_SRC_COLS ", text_label, themes, text_lang, text_emotions,"
				     " text_reasons FROM responses WHERE tenant_id = ? AND source_id = ?";
	static const char by_id[] = "SELECT " ROLLUP_SRC_COLS ", text_label, themes, text_lang, text_emotions,"
				    " text_reasons FROM responses WHERE tenant_id = ? AND id = ?";
	struct sqlval p[] = { SQLV_INT(tenant), source_id ? SQLV_TEXT(source_id) : SQLV_INT(id) };
	struct old_ctx c = { o, texts, false, true };
	int64_t changes = 0;
	int ret;

	*texts = NULL;
	if ((ret = Q(s, source_id ? lock_src : lock_id, p, NULL, NULL, &changes)))
		return ret;
	if (!changes)
		return CXM_ENOTFOUND;
	if ((ret = Q(s, source_id ? by_src : by_id, p, old_row, &c, NULL)))
		return ret;
	return c.found ? 0 : CXM_ENOTFOUND;
}

#define ROLLUP_FIELDS                                                                                           \
	"responses, nps_n, promoters, passives, detractors, csat_n, csat_satisfied, csat_sum, csat_sumsq, ces_n," \
	" ces_easy, ces_sum, ces_sumsq"
#define ROLLUP_NFIELDS 13
#define ROLLUP_ADD(f) f " = rollups." f " + excluded." f

/*
 * The rollup changes of the open transaction, added up per row: a batch of
 * responses (the group-commit writer's, an import's) touches each rollup
 * row once at commit instead of once per response. What is added under the
 * open savepoint is also journalled, so rolling the savepoint back takes
 * it away again.
 */
struct rollup_delta {
	int64_t tenant, day, survey;
	const char *dim;   /* static */
	char *value;
	struct cxm_score_counts c;
};

struct journal_entry {
	size_t at;
	struct cxm_score_counts c;
};

struct rollup_pend {
	struct cxm_map index; /* tenant, dim, day, survey in hex, then the value -> position */
	struct cxm_buf key;
	struct rollup_delta *v;
	size_t n, cap;
	struct journal_entry *j; /* under the open savepoint */
	size_t nj, capj;
};

static void put_hex(struct cxm_buf *b, uint64_t v)
{
	static const char hex[] = "0123456789abcdef";
	char out[17];

	for (int i = 15; i >= 0; i--, v >>= 4)
		out[i] = hex[v & 15];
	out[16] = '/';
	cxm_buf_add(b, out, sizeof(out));
}

static void pend_add(struct cxm_store *s, int64_t tenant, int dim_ix, const char *dim, int64_t day, int64_t survey,
		     const char *value, const struct cxm_score_counts *c)
{
	struct rollup_pend *p = s->ru;
	int64_t at;

	if (!p) {
		p = s->ru = xcalloc(1, sizeof(*p));
		cxm_map_init(&p->index);
		cxm_buf_init(&p->key, 0);
	}
	cxm_buf_clear(&p->key);
	put_hex(&p->key, (uint64_t)tenant);
	put_hex(&p->key, (uint64_t)dim_ix);
	put_hex(&p->key, (uint64_t)day);
	put_hex(&p->key, (uint64_t)survey);
	cxm_buf_addstr(&p->key, value);
	if (!cxm_map_get(&p->index, cxm_buf_str(&p->key), &at)) {
		if (p->n == p->cap) {
			p->cap = p->cap ? 2 * p->cap : 256;
			p->v = xrealloc(p->v, p->cap * sizeof(*p->v));
		}
		at = (int64_t)p->n++;
		p->v[at] = (struct rollup_delta){ tenant, day, survey, dim, xstrdup(value), { 0 } };
		cxm_map_put(&p->index, cxm_buf_str(&p->key), at);
	}
	cxm_score_counts_add(&p->v[at].c, c, 1);
	if (s->in_sp) {
		if (p->nj == p->capj) {
			p->capj = p->capj ? 2 * p->capj : 64;
			p->j = xrealloc(p->j, p->capj * sizeof(*p->j));
		}
		p->j[p->nj++] = (struct journal_entry){ (size_t)at, *c };
	}
}

static void pend_free(struct rollup_pend **pp)
{
	struct rollup_pend *p = *pp;

	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i].value);
	free(p->v);
	free(p->j);
	cxm_map_release(&p->index);
	cxm_buf_release(&p->key);
	free(p);
	*pp = NULL;
}

/* Forgets the changes: all of them, or those of the open savepoint. */
static void rollups_discard(struct cxm_store *s, bool savepoint_only)
{
	struct rollup_pend *p = s->ru;

	mix_discard(s, savepoint_only);
	cxm_jstore_discard(s, savepoint_only);
	if (!savepoint_only) {
		pend_free(&s->ru);
	} else if (p) {
		for (size_t i = 0; i < p->nj; i++)
			cxm_score_counts_add(&p->v[p->j[i].at].c, &p->j[i].c, -1);
		p->nj = 0;
	}
	s->in_sp = 0;
}

/* The savepoint is released: its changes are the transaction's. */
static void rollups_merge_savepoint(struct cxm_store *s)
{
	if (s->ru)
		s->ru->nj = 0;
	mix_merge_savepoint(s);
	cxm_jstore_merge_savepoint(s);
	s->in_sp = 0;
}

/* Writes the changes added up (before COMMIT, in the transaction). */
static int rollups_flush(struct cxm_store *s)
{
	static const char sql[] =
		"INSERT INTO rollups (tenant_id, dim, day, survey_id, value, " ROLLUP_FIELDS ") VALUES"
		" (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		" ON CONFLICT (tenant_id, dim, day, survey_id, value) DO UPDATE SET " ROLLUP_ADD("responses") ", "
		ROLLUP_ADD("nps_n") ", " ROLLUP_ADD("promoters") ", " ROLLUP_ADD("passives") ", "
		ROLLUP_ADD("detractors") ", " ROLLUP_ADD("csat_n") ", " ROLLUP_ADD("csat_satisfied") ", "
		ROLLUP_ADD("csat_sum") ", " ROLLUP_ADD("csat_sumsq") ", " ROLLUP_ADD("ces_n") ", "
		ROLLUP_ADD("ces_easy") ", " ROLLUP_ADD("ces_sum") ", " ROLLUP_ADD("ces_sumsq");
	static const struct cxm_score_counts zero;
	struct rollup_pend *p = s->ru;
	int ret = 0;

	for (size_t i = 0; p && i < p->n && !ret; i++) {
		const struct rollup_delta *d = &p->v[i];
		const int64_t *f = &d->c.responses;
		struct sqlval v[5 + ROLLUP_NFIELDS] = { SQLV_INT(d->tenant), SQLV_TEXT(d->dim), SQLV_INT(d->day),
							SQLV_INT(d->survey), SQLV_TEXT(d->value) };
		if (!memcmp(&d->c, &zero, sizeof(zero)))
			continue; /* a response added and taken away again */
		for (int k = 0; k < ROLLUP_NFIELDS; k++)
			v[5 + k] = SQLV_INT(f[k]);
		ret = Q(s, sql, v, NULL, NULL, NULL);
	}
	pend_free(&s->ru);
	if (!ret)
		ret = mix_flush(s);
	mix_discard(s, false);
	if (!ret)
		ret = cxm_jstore_flush(s);
	return ret;
}

/* The counts of r's comment analysis: its sentiment, and each of its
 * themes ("" for none). */
static void rollup_text_dims(struct cxm_store *s, int64_t tenant, const struct rollup_src *r, int64_t day,
			     int64_t month, const struct cxm_score_counts *c)
{
	const char *label = r->label ? r->label : "";
	pend_add(s, tenant, CXM_DIM_SENTIMENT + CXM_DIM_COUNT, rollup_dims[CXM_DIM_SENTIMENT], day, r->survey_id,
		 label, c);
	pend_add(s, tenant, CXM_DIM_SENTIMENT + 2 * CXM_DIM_COUNT, rollup_month_dims[CXM_DIM_SENTIMENT], month,
		 r->survey_id, label, c);
	const char *t = r->themes ? r->themes : "";
	char theme[64];
	do {
		size_t n = strcspn(t, " ");
		if (n >= sizeof(theme))
			BUG("a theme id longer than a taxonomy allows");
		memcpy(theme, t, n);
		theme[n] = '\0';
		if (n || !*t) {
			pend_add(s, tenant, CXM_DIM_THEME + CXM_DIM_COUNT, rollup_dims[CXM_DIM_THEME], day, r->survey_id,
				 theme, c);
			pend_add(s, tenant, CXM_DIM_THEME + 2 * CXM_DIM_COUNT, rollup_month_dims[CXM_DIM_THEME], month,
				 r->survey_id, theme, c);
		}
		t += n;
		t += *t == ' ';
	} while (*t);
}

static void mix_apply(struct cxm_store *s, int64_t tenant, const struct rollup_src *r, int sign, int64_t day);

/* The counts of r under its segment and touchpoint (TPSEG_DIM). */
static void rollup_tpseg(struct cxm_store *s, int64_t tenant, const struct rollup_src *r, int64_t day, int64_t month,
			 const struct cxm_score_counts *c)
{
	struct cxm_buf v = CXM_BUF_INIT;

	cxm_buf_addstr(&v, r->segment ? r->segment : "");
	cxm_buf_addch(&v, TPSEG_SEP);
	cxm_buf_addstr(&v, r->touchpoint ? r->touchpoint : "");
	pend_add(s, tenant, 3 * CXM_DIM_COUNT, TPSEG_DIM, day, r->survey_id, cxm_buf_str(&v), c);
	pend_add(s, tenant, 3 * CXM_DIM_COUNT + 1, TPSEG_MONTH_DIM, month, r->survey_id, cxm_buf_str(&v), c);
	cxm_buf_release(&v);
}

/* Adds (sign 1) or takes away (-1) one response's counts, under each
 * dimension the rollups keep (text_only: only theme and sentiment), for
 * its day and its month, and its comment's emotion mix (text_mix); written
 * at commit (rollups_flush). */
static int rollup_apply_dims(struct cxm_store *s, int64_t tenant, const struct rollup_src *r, int sign, bool text_only)
{
	enum { NDIMS = 7 };
	struct cxm_score_counts c, zero = { 0 };
	const struct cxm_tz *tz;
	char unit[24];
	int ret;

	if (!s->in_tx)
		BUG("rollups changed outside a transaction");
#ifdef CXM_BENCH_NO_ROLLUPS
	/* the bench build that measures ingest without the rollups (Makefile) */
	return 0;
#endif
	if ((ret = tenant_tz(s, tenant, &tz)))
		return ret;
	cxm_score_counts_of(&c, r->nps, r->csat, r->ces);
	if (sign < 0) {
		cxm_score_counts_add(&zero, &c, -1);
		c = zero;
	}
	snprintf(unit, sizeof(unit), "%lld", (long long)r->org_unit_id);
	const char *values[NDIMS] = { "", r->channel, r->touchpoint, r->agent, r->org_unit_id ? unit : "",
				      r->language, r->segment };
	int64_t day = cxm_tz_day(tz, r->ts), month = cxm_bucket_start(CXM_BUCKET_MONTH, day);
	for (int d = 0; d < NDIMS && !text_only; d++) {
		const char *v = values[d] ? values[d] : "";
		pend_add(s, tenant, d, rollup_dims[d], day, r->survey_id, v, &c);
		pend_add(s, tenant, NDIMS + d, rollup_month_dims[d], month, r->survey_id, v, &c);
	}
	if (!text_only)
		rollup_tpseg(s, tenant, r, day, month, &c);
	rollup_text_dims(s, tenant, r, day, month, &c);
	mix_apply(s, tenant, r, sign, day);
	return 0;
}

static int rollup_apply(struct cxm_store *s, int64_t tenant, const struct rollup_src *r, int sign)
{
	return rollup_apply_dims(s, tenant, r, sign, false);
}

/* ---- adding up groups, for both paths ---- */

struct group {
	int64_t bucket;
	char *value;
	struct cxm_score_counts c;
};

struct groups {
	struct cxm_map index; /* "bucket\x1fvalue" -> position */
	struct cxm_buf key;   /* reused for every lookup */
	struct group *v;
	size_t n, cap;
};

static void groups_add(struct groups *g, int64_t bucket, const char *value, const struct cxm_score_counts *c)
{
	int64_t at;

	cxm_buf_clear(&g->key);
	cxm_buf_addf(&g->key, "%lld\x1f", (long long)bucket);
	cxm_buf_addstr(&g->key, value);
	if (!cxm_map_get(&g->index, cxm_buf_str(&g->key), &at)) {
		if (g->n == g->cap) {
			g->cap = g->cap ? 2 * g->cap : 64;
			g->v = xrealloc(g->v, g->cap * sizeof(*g->v));
		}
		at = (int64_t)g->n++;
		g->v[at] = (struct group){ .bucket = bucket, .value = xstrdup(value) };
		cxm_map_put(&g->index, cxm_buf_str(&g->key), at);
	}
	cxm_score_counts_add(&g->v[at].c, c, 1);
}

static int group_cmp(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (x->bucket != y->bucket)
		return x->bucket < y->bucket ? -1 : 1;
	return strcmp(x->value, y->value);
}

static void groups_init(struct groups *g)
{
	*g = (struct groups){ .key = CXM_BUF_INIT };
	cxm_map_init(&g->index);
}

/* Hands the groups to cb (NULL: none) in order (groups that add up to no
 * response, as a rollup row can after deletions, are left out) and frees
 * them. */
static int groups_emit(struct groups *g, cxm_counts_cb cb, void *ctx)
{
	int ret = cb ? 0 : 1;

	if (g->n)
		qsort(g->v, g->n, sizeof(*g->v), group_cmp);
	for (size_t i = 0; i < g->n; i++) {
		if (!ret && g->v[i].c.responses)
			ret = cb(g->v[i].bucket, g->v[i].value, &g->v[i].c, ctx);
		free(g->v[i].value);
	}
	free(g->v);
	cxm_map_release(&g->index);
	cxm_buf_release(&g->key);
	return cb ? ret : 0;
}

/* ---- from the rollups ---- */

/* Whether q is a segment's touchpoints, TPSEG_DIM's rows: by touchpoint
 * (or no group-by with a touchpoint filter), a segment filter, maybe a
 * touchpoint and a survey filter, nothing else. */
static bool tpseg_query(const struct cxm_counts_query *q)
{
	if (!q->filter[CXM_DIM_SEGMENT] || q->subtree || q->scoped ||
	    !(q->by == CXM_DIM_TOUCHPOINT || (q->by == CXM_DIM_NONE && q->filter[CXM_DIM_TOUCHPOINT])))
		return false;
	for (int d = CXM_DIM_CHANNEL; d < CXM_DIM_COUNT; d++)
		if (q->filter[d] && d != CXM_DIM_SEGMENT && d != CXM_DIM_TOUCHPOINT && d != CXM_DIM_SURVEY)
			return false;
	return true;
}

bool cxm_counts_rollup_can(const struct cxm_counts_query *q)
{
	enum cxm_dim one = q->by == CXM_DIM_SURVEY ? CXM_DIM_NONE : q->by;

	if (q->by == CXM_DIM_ATTRIBUTE || q->by >= CXM_DIM_COUNT || q->subtree || q->scoped ||
	    q->filter[CXM_DIM_ATTRIBUTE])
		return false;
	if (tpseg_query(q))
		return true;
	/* every filter but the survey's is on the one dimension read */
	for (int d = CXM_DIM_CHANNEL; d < CXM_DIM_COUNT; d++) {
		if (d == CXM_DIM_SURVEY || d == CXM_DIM_ATTRIBUTE || !q->filter[d] || (enum cxm_dim)d == one)
			continue;
		if (one != CXM_DIM_NONE || q->by == CXM_DIM_SURVEY)
			return false;
		one = (enum cxm_dim)d;
	}
	return true;
}

struct rollup_read {
	const struct cxm_counts_query *q;
	enum cxm_dim dim;
	struct groups g;
	const char *segment; /* TPSEG_DIM's rows: only this segment's, value its touchpoint */
};

static int rollup_row(const struct sqlrow *r, void *vctx)
{
	struct rollup_read *c = vctx;
	struct cxm_score_counts k;
	int64_t *f = &k.responses;
	char survey[24];
	const char *value = row_text(r, 2);

	for (int i = 0; i < ROLLUP_NFIELDS; i++)
		f[i] = row_int(r, 3 + i);
	if (c->segment) {
		size_t n = strlen(c->segment);
		if (!value || strncmp(value, c->segment, n) || value[n] != TPSEG_SEP)
			return 0;
		value += n + 1;
	}
	if (c->q->by == CXM_DIM_SURVEY) {
		snprintf(survey, sizeof(survey), "%lld", (long long)row_int(r, 1));
		value = survey;
	} else if (c->q->by == CXM_DIM_NONE) {
		value = "";
	}
	groups_add(&c->g, cxm_bucket_start(c->q->bucket, row_int(r, 0)), value ? value : "", &k);
	return 0;
}

int cxm_store_counts_rollup(struct cxm_store *s, int64_t tenant, const struct cxm_counts_query *query,
			    cxm_counts_cb cb, void *ctx)
{
	/* the survey filter and the value filter are off with "? = ''"/"? = 0"
	 * so one statement (and one prepared plan) serves every query; the
	 * primary key makes each row its own (day, survey, value), so the rows
	 * are read as they are, in key order, with no GROUP BY */
	static const char sql[] =
		"SELECT day, survey_id, value, " ROLLUP_FIELDS " FROM rollups WHERE tenant_id = ? AND dim = ?"
		" AND day >= ? AND day < ? AND (CAST(? AS BIGINT) = 0 OR survey_id = ?) AND (? = 0 OR value = ?)";
	struct rollup_read c = { .q = query, .dim = query->by == CXM_DIM_SURVEY ? CXM_DIM_NONE : query->by };
	int64_t survey = 0;
	const char *value = NULL;
	int ret;

	if (!cxm_counts_rollup_can(query))
		return cxm_store_seterr(s, CXM_EINVAL, "%s", _(MSG_RU_NOT_ROLLED_UP));
	/* inside a transaction, what it changed so far counts too */
	if (s->in_sp && s->ru && s->ru->nj)
		BUG("rollups read under a savepoint that changed them");
	if (s->in_tx && s->ru && (ret = rollups_flush(s)))
		return ret;
	struct cxm_buf tpseg = CXM_BUF_INIT;
	const char *day_dim, *month_dim;
	if (tpseg_query(query)) {
		/* a segment's touchpoints: its rows of TPSEG_DIM, or the one row
		 * of a touchpoint */
		day_dim = TPSEG_DIM;
		month_dim = TPSEG_MONTH_DIM;
		c.segment = query->filter[CXM_DIM_SEGMENT];
		if (query->filter[CXM_DIM_TOUCHPOINT]) {
			cxm_buf_addstr(&tpseg, c.segment);
			cxm_buf_addch(&tpseg, TPSEG_SEP);
			cxm_buf_addstr(&tpseg, query->filter[CXM_DIM_TOUCHPOINT]);
			value = cxm_buf_str(&tpseg);
		}
	} else {
		for (int d = CXM_DIM_CHANNEL; d < CXM_DIM_COUNT; d++)
			if (d != CXM_DIM_SURVEY && d != CXM_DIM_ATTRIBUTE && query->filter[d]) {
				c.dim = (enum cxm_dim)d;
				value = query->filter[d];
			}
		day_dim = rollup_dims[c.dim];
		month_dim = rollup_month_dims[c.dim];
	}
	if (query->filter[CXM_DIM_SURVEY] && !(survey = strtoll(query->filter[CXM_DIM_SURVEY], NULL, 10))) {
		cxm_buf_release(&tpseg);
		return 0; /* no survey has that id: nothing */
	}
	/* whole months in the middle of the range read the month rows, unless
	 * the buckets are days or weeks (a week can straddle two months) */
	int64_t from = query->from_day, to = query->to_day, m0 = to, m1 = to;
	if (query->bucket != CXM_BUCKET_DAY && query->bucket != CXM_BUCKET_WEEK && from < to) {
		int64_t y;
		unsigned m, d;
		cxm_civil_from_days(from, &y, &m, &d);
		m0 = d == 1 ? from : cxm_days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1);
		m1 = cxm_bucket_start(CXM_BUCKET_MONTH, to);
		if (m0 >= m1)
			m0 = m1 = to;
	}
	const struct { const char *dim; int64_t from, to; } parts[] = {
		{ day_dim, from, m0 },
		{ month_dim, m0, m1 },
		{ day_dim, m1, to },
	};
	groups_init(&c.g);
	ret = 0;
	for (size_t i = 0; i < ARRAY_SIZE(parts) && !ret; i++) {
		if (parts[i].from >= parts[i].to)
			continue;
		struct sqlval p[] = { SQLV_INT(tenant),	      SQLV_TEXT(parts[i].dim), SQLV_INT(parts[i].from),
				      SQLV_INT(parts[i].to),  SQLV_INT(survey),	       SQLV_INT(survey),
				      SQLV_INT(value ? 1 : 0), SQLV_TEXT(value ? value : "") };
		ret = Q(s, sql, p, rollup_row, &c, NULL);
	}
	cxm_buf_release(&tpseg);
	int emitted = groups_emit(&c.g, ret ? NULL : cb, ctx);
	return ret ? ret : emitted;
}

/* ---- from the responses ---- */

struct scan {
	const struct cxm_counts_query *q;
	const struct cxm_tz *tz;
	struct cxm_span *spans;
	size_t nspans;
	struct groups g;
};

/* A customer attribute as text ("" when absent, null, an object or an
 * array; numbers as JSON writes them). Owned. */
static char *attribute_text(const char *json, const char *name)
{
	cJSON *o = json ? cJSON_Parse(json) : NULL;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	char *out;

	if (cJSON_IsString(v))
		out = xstrdup(v->valuestring);
	else if (cJSON_IsNumber(v) || cJSON_IsBool(v))
		out = cxm_json_print(v);
	else
		out = xstrdup("");
	cJSON_Delete(o);
	return out;
}

/* Whether word is one of the space-separated words of list ("" for an
 * empty list). */
static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	if (!n)
		return !*list;
	for (const char *t = list; *t;) {
		size_t k = strcspn(t, " ");
		if (k == n && !memcmp(t, word, n))
			return true;
		t += k;
		t += *t == ' ';
	}
	return false;
}

static int scan_row(const struct sqlrow *r, void *vctx)
{
	struct scan *c = vctx;
	const struct cxm_counts_query *q = c->q;
	int64_t ts = row_int(r, 8), unit = row_int(r, 5), day = cxm_tz_day(c->tz, ts);
	char survey[24], unit_text[24], *attr = NULL;
	const char *v[CXM_DIM_COUNT];
	struct cxm_score_counts k;

	if (day < q->from_day || day >= q->to_day)
		return 0;
	if (q->subtree && !cxm_spans_have(c->spans, c->nspans, unit, ts))
		return 0;
	if (q->scoped && !cxm_spans_have(q->scope, q->nscope, unit, ts))
		return 0;
	snprintf(survey, sizeof(survey), "%lld", (long long)row_int(r, 0));
	snprintf(unit_text, sizeof(unit_text), "%lld", (long long)unit);
	v[CXM_DIM_NONE] = "";
	v[CXM_DIM_CHANNEL] = row_text(r, 2);
	v[CXM_DIM_TOUCHPOINT] = row_text(r, 3);
	v[CXM_DIM_AGENT] = row_text(r, 4);
	v[CXM_DIM_ORG_UNIT] = unit ? unit_text : "";
	v[CXM_DIM_LANGUAGE] = row_text(r, 6);
	v[CXM_DIM_SEGMENT] = row_text(r, 7);
	v[CXM_DIM_SURVEY] = survey;
	v[CXM_DIM_ATTRIBUTE] = "";
	if (q->by == CXM_DIM_ATTRIBUTE || q->filter[CXM_DIM_ATTRIBUTE])
		v[CXM_DIM_ATTRIBUTE] = attr = attribute_text(row_text(r, 14), q->attribute);
	v[CXM_DIM_SENTIMENT] = row_text(r, 12);
	/* themes are many: "a b"; a response with none counts under "" */
	const char *themes = row_text(r, 13) ? row_text(r, 13) : "";
	v[CXM_DIM_THEME] = themes;
	for (int d = 0; d < CXM_DIM_COUNT; d++) {
		if (!v[d])
			v[d] = "";
		if (q->filter[d] && (d == CXM_DIM_THEME ? !has_word(themes, q->filter[d]) : strcmp(q->filter[d], v[d]))) {
			free(attr);
			return 0;
		}
	}
	cxm_score_counts_of(&k, row_text(r, 9) ? (int)row_int(r, 9) : -1, row_text(r, 10) ? (int)row_int(r, 10) : -1,
			    row_text(r, 11) ? (int)row_int(r, 11) : -1);
	if (q->by == CXM_DIM_THEME) {
		char theme[64];
		const char *t = themes;
		do {
			size_t n = strcspn(t, " ");
			snprintf(theme, sizeof(theme), "%.*s", (int)n, t);
			/* filtered on a theme: only that one's group, as the rollups */
			if ((n || !*t) && (!q->filter[CXM_DIM_THEME] || !strcmp(q->filter[CXM_DIM_THEME], theme)))
				groups_add(&c->g, cxm_bucket_start(q->bucket, day), theme, &k);
			t += n;
			t += *t == ' ';
		} while (*t);
	} else {
		groups_add(&c->g, cxm_bucket_start(q->bucket, day), v[q->by], &k);
	}
	free(attr);
	return 0;
}

static int scan_mship(const struct cxm_membership *m, void *ctx)
{
	struct { struct cxm_membership *v; size_t n, cap; } *ms = ctx;

	if (ms->n == ms->cap) {
		ms->cap = ms->cap ? ms->cap * 2 : 64;
		ms->v = xrealloc(ms->v, ms->cap * sizeof(*ms->v));
	}
	ms->v[ms->n++] = *m;
	return 0;
}

#define SCAN_COLS                                                                                       \
	"r.survey_id, r.customer_id, r.channel, r.touchpoint, r.agent, r.org_unit_id, r.language, r.segment," \
	" r.ts, r.nps, r.csat, r.ces, r.text_label, r.themes"
/* a day is at most 26 hours from UTC either way: read a little more than
 * the range and keep what falls in it by local day */
#define SCAN_MARGIN_US (int64_t)2 * 86400 * 1000000

int cxm_store_counts_scan(struct cxm_store *s, int64_t tenant, const struct cxm_counts_query *query,
			  cxm_counts_cb cb, void *ctx)
{
	static const char plain[] = "SELECT " SCAN_COLS " FROM responses r WHERE r.tenant_id = ?"
				    " AND r.ts >= ? AND r.ts < ? AND (CAST(? AS BIGINT) = 0 OR r.survey_id = ?)";
	static const char with_customer[] =
		"SELECT " SCAN_COLS ", c.attributes FROM responses r LEFT JOIN customers c"
		" ON c.tenant_id = r.tenant_id AND c.id = r.customer_id WHERE r.tenant_id = ?"
		" AND r.ts >= ? AND r.ts < ? AND (CAST(? AS BIGINT) = 0 OR r.survey_id = ?)";
	struct scan c = { .q = query };
	struct { struct cxm_membership *v; size_t n, cap; } ms = { 0 };
	size_t cap = 0;
	int64_t survey = 0;
	int ret;

	if (query->by >= CXM_DIM_COUNT || query->from_day > query->to_day ||
	    ((query->by == CXM_DIM_ATTRIBUTE || query->filter[CXM_DIM_ATTRIBUTE]) && !query->attribute))
		return cxm_store_seterr(s, CXM_EINVAL, "%s", _(MSG_RU_BAD_QUERY));
	if ((ret = tenant_tz(s, tenant, &c.tz)))
		return ret;
	if (query->filter[CXM_DIM_SURVEY] && !(survey = strtoll(query->filter[CXM_DIM_SURVEY], NULL, 10)))
		return 0;
	if (query->subtree) {
		if ((ret = cxm_store_unit_memberships(s, tenant, scan_mship, &ms)))
			goto out;
		cxm_org_subtree(ms.v, ms.n, query->subtree, INT64_MIN, CXM_TIME_MAX, &c.spans, &c.nspans, &cap, SIZE_MAX);
	}
	groups_init(&c.g);
	/* days far outside any real date would overflow microseconds */
	int64_t lo = query->from_day < -3000000 ? INT64_MIN / 2 : query->from_day * 86400 * 1000000 - SCAN_MARGIN_US;
	int64_t hi = query->to_day > 3000000 ? INT64_MAX / 2 : query->to_day * 86400 * 1000000 + SCAN_MARGIN_US;
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(lo), SQLV_INT(hi), SQLV_INT(survey), SQLV_INT(survey) };
	bool customer = query->by == CXM_DIM_ATTRIBUTE || query->filter[CXM_DIM_ATTRIBUTE];
	ret = Q(s, customer ? with_customer : plain, p, scan_row, &c, NULL);
	int emitted = groups_emit(&c.g, ret ? NULL : cb, ctx);
	if (!ret)
		ret = emitted;
out:
	free(ms.v);
	free(c.spans);
	return ret;
}

/* ---- the rollups of responses stored before migration 0010 ---- */

struct backfill_row {
	int64_t tenant, customer_id;
	struct rollup_src r;
	char *texts;
};

struct backfill {
	struct backfill_row v[500];
	size_t n;
};

static int backfill_row(const struct sqlrow *r, void *vctx)
{
	struct backfill *b = vctx;
	struct backfill_row *x = &b->v[b->n++];
	struct old_ctx c = { &x->r, &x->texts, false, false };

	/* the first 13 columns are ROLLUP_SRC_COLS */
	old_row(r, &c);
	x->tenant = row_int(r, 13);
	x->customer_id = row_int(r, 14);
	return 0;
}

/* Counts every stored response into the rollups, in the migration's
 * transaction, a chunk at a time; a response takes its customer's segment
 * as it is now (the best snapshot there is). */
static int rollups_backfill(struct cxm_store *s)
{
	static const char sql[] = "SELECT " ROLLUP_SRC_COLS ", tenant_id, customer_id FROM responses"
				  " WHERE tenant_id > ? OR (tenant_id = ? AND id > ?) ORDER BY tenant_id, id LIMIT 500";
	static const char set_segment[] = "UPDATE responses SET segment = ? WHERE tenant_id = ? AND id = ?";
	int64_t tenant = INT64_MIN, id = INT64_MIN;
	struct backfill *b = xcalloc(1, sizeof(*b));
	int ret = 0;

	do {
		struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(tenant), SQLV_INT(id) };
		b->n = 0;
		ret = Q(s, sql, p, backfill_row, b, NULL);
		for (size_t i = 0; i < b->n; i++) {
			struct backfill_row *x = &b->v[i];
			char *segment = NULL;
			if (!ret)
				ret = customer_segment(s, x->tenant, x->customer_id, &segment);
			if (!ret && segment) {
				struct sqlval u[] = { SQLV_TEXT(segment), SQLV_INT(x->tenant), SQLV_INT(x->r.id) };
				ret = Q(s, set_segment, u, NULL, NULL, NULL);
				x->r.segment = segment;
			}
			if (!ret)
				ret = rollup_apply(s, x->tenant, &x->r, 1);
			tenant = x->tenant;
			id = x->r.id;
			free(segment);
			free(x->texts);
		}
	} while (!ret && b->n == ARRAY_SIZE(b->v));
	free(b);
	return ret;
}

/* ---- text on ingest (issue 6) --------------------------------------------------- */

/* Makes response id's rows of response_themes those of themes (space-
 * separated ids; NULL or "": none). */
static int themes_put(struct cxm_store *s, int64_t tenant, int64_t id, const char *themes)
{
	static const char del[] = "DELETE FROM response_themes WHERE tenant_id = ? AND response_id = ?";
	static const char ins[] = "INSERT INTO response_themes (tenant_id, response_id, theme) VALUES (?, ?, ?)"
				  " ON CONFLICT (tenant_id, response_id, theme) DO NOTHING";
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(id), SQLV_NULL };
	char theme[64];
	int ret = q(s, del, p, 2, NULL, NULL, NULL);

	for (const char *t = themes ? themes : ""; !ret && *t;) {
		size_t n = strcspn(t, " ");
		if (n && n < sizeof(theme)) {
			memcpy(theme, t, n);
			theme[n] = '\0';
			const char *tid = theme;
			p[2] = SQLV_TEXT(tid);
			ret = Q(s, ins, p, NULL, NULL, NULL);
		}
		t += n;
		t += *t == ' ';
	}
	return ret;
}

int cxm_store_response_set_text(struct cxm_store *s, int64_t tenant, int64_t id, const struct cxm_response *t)
{
	static const char sql[] = "UPDATE responses SET text_lang = ?, text_score = ?, text_label = ?, text_emotions = ?,"
				  " text_reasons = ?, themes = ? WHERE tenant_id = ? AND id = ?";
	struct rollup_src old;
	char *texts = NULL;
	int own, ret = tx_begin(s, &own);

	if (ret)
		return ret;
	if (!(ret = rollup_old(s, tenant, NULL, id, &old, &texts))) {
		struct sqlval p[] = { SQLV_TEXT(t->text_lang),
				      t->text_lang ? SQLV_INT(t->text_score) : SQLV_NULL,
				      SQLV_TEXT(t->text_label),
				      SQLV_TEXT(t->text_emotions),
				      SQLV_TEXT(t->text_reasons),
				      SQLV_TEXT(t->text_lang ? t->themes : NULL),
				      SQLV_INT(tenant),
				      SQLV_INT(id) };
		/* only the theme, sentiment and emotion mix counts move */
		if (!(ret = Q(s, sql, p, NULL, NULL, NULL)) && !(ret = rollup_apply_dims(s, tenant, &old, -1, true))) {
			old.label = t->text_label;
			old.themes = t->text_lang ? t->themes : NULL;
			old.lang = t->text_lang, old.emotions = t->text_emotions, old.reasons = t->text_reasons;
			if (!(ret = rollup_apply_dims(s, tenant, &old, 1, true)))
				ret = themes_put(s, tenant, id, old.themes);
		}
	}
	free(texts);
	return tx_end(s, own, ret);
}

int cxm_store_response_comments(struct cxm_store *s, int64_t tenant, int64_t after_id, int limit,
				cxm_response_cb cb, void *ctx)
{
	static const char sql[] = "SELECT " RESPONSE_COLS " FROM responses WHERE tenant_id = ? AND id > ?"
				  " AND comment IS NOT NULL AND comment <> '' ORDER BY id LIMIT ?";
	struct response_ctx c = { cb, ctx, 0 };
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(after_id), SQLV_INT(limit) };

	return Q(s, sql, p, response_row, &c, NULL);
}

int cxm_store_response_comment_count(struct cxm_store *s, int64_t tenant, int64_t *n)
{
	static const char sql[] = "SELECT COUNT(*) FROM responses WHERE tenant_id = ? AND comment IS NOT NULL"
				  " AND comment <> ''";
	struct sqlval p[] = { SQLV_INT(tenant) };

	*n = 0;
	return get_int(s, sql, p, 1, n);
}

int cxm_store_verbatims(struct cxm_store *s, int64_t tenant, const struct cxm_verbatim_filter *f, int64_t before_ts,
			int64_t before_id, int limit, cxm_response_cb cb, void *ctx)
{
	/* a filter that is off takes "? = ''"; an emotion is a word of the
	 * space-separated list (names are letters only: nothing for LIKE to
	 * read as a pattern but the '%' added here) */
	static const char sql[] =
		"SELECT " RESPONSE_COLS " FROM responses r WHERE tenant_id = ? AND ts >= ? AND ts < ?"
		" AND (ts < ? OR (ts = ? AND id < ?)) AND text_lang IS NOT NULL"
		" AND (? = '' OR EXISTS (SELECT 1 FROM response_themes t WHERE t.tenant_id = r.tenant_id"
		" AND t.response_id = r.id AND t.theme = ?))"
		" AND (? = '' OR text_label = ?)"
		" AND (? = '' OR ' ' || text_emotions || ' ' LIKE ?)"
		" AND (CAST(? AS BIGINT) = 0 OR survey_id = ?) AND (? = '' OR segment = ?)"
		" ORDER BY ts DESC, id DESC LIMIT ?";
	/* the same at a set of touchpoints: CXM_TP_THEMES_MAX slots, those not
	 * used are NULL (equal to nothing) */
#define VERB_TP8 "?, ?, ?, ?, ?, ?, ?, ?"
#define VERB_TP64 VERB_TP8 ", " VERB_TP8 ", " VERB_TP8 ", " VERB_TP8 ", " VERB_TP8 ", " VERB_TP8 ", " VERB_TP8 \
		  ", " VERB_TP8
	static const char tp_sql[] =
		"SELECT " RESPONSE_COLS " FROM responses r WHERE tenant_id = ? AND ts >= ? AND ts < ?"
		" AND (ts < ? OR (ts = ? AND id < ?)) AND text_lang IS NOT NULL"
		" AND (? = '' OR EXISTS (SELECT 1 FROM response_themes t WHERE t.tenant_id = r.tenant_id"
		" AND t.response_id = r.id AND t.theme = ?))"
		" AND (? = '' OR text_label = ?)"
		" AND (? = '' OR ' ' || text_emotions || ' ' LIKE ?)"
		" AND (CAST(? AS BIGINT) = 0 OR survey_id = ?) AND (? = '' OR segment = ?)"
		" AND touchpoint IN (" VERB_TP64 ") ORDER BY ts DESC, id DESC LIMIT ?";
	_Static_assert(CXM_TP_THEMES_MAX == 64, "tp_sql has 64 touchpoint slots");
	struct response_ctx c = { cb, ctx, 0 };
	const char *theme = f->theme ? f->theme : "", *label = f->label ? f->label : "";
	const char *emotion = f->emotion ? f->emotion : "";
	const char *segment = f->segment ? f->segment : "";
	char likebuf[64];
	const char *like = likebuf;

	for (const char *e = emotion; *e; e++)
		if (!(*e >= 'a' && *e <= 'z'))
			return cxm_store_seterr(s, CXM_EINVAL, "%s", _(MSG_RU_BAD_QUERY));
	snprintf(likebuf, sizeof(likebuf), "%% %s %%", emotion);
	struct sqlval p[] = { SQLV_INT(tenant),	   SQLV_INT(f->from),	SQLV_INT(f->to),    SQLV_INT(before_ts),
			      SQLV_INT(before_ts), SQLV_INT(before_id), SQLV_TEXT(theme),   SQLV_TEXT(theme),
			      SQLV_TEXT(label),	   SQLV_TEXT(label),	SQLV_TEXT(emotion), SQLV_TEXT(like),
			      SQLV_INT(f->survey), SQLV_INT(f->survey), SQLV_TEXT(segment), SQLV_TEXT(segment),
			      SQLV_INT(limit) };
	if (!f->touchpoints_n)
		return Q(s, sql, p, response_row, &c, NULL);
	if (f->touchpoints_n > CXM_TP_THEMES_MAX)
		return cxm_store_seterr(s, CXM_EINVAL, "%s", _(MSG_RU_BAD_QUERY));
	struct sqlval tp[ARRAY_SIZE(p) + CXM_TP_THEMES_MAX];
	size_t n = ARRAY_SIZE(p) - 1;
	memcpy(tp, p, n * sizeof(*p));
	for (size_t i = 0; i < CXM_TP_THEMES_MAX; i++)
		tp[n + i] = i < f->touchpoints_n && f->touchpoints[i] ? (struct sqlval)SQLV_TEXT(f->touchpoints[i])
								      : (struct sqlval)SQLV_NULL;
	tp[n + CXM_TP_THEMES_MAX] = p[n];
	return q(s, tp_sql, tp, ARRAY_SIZE(tp), response_row, &c, NULL);
}

/* ---- the tenant's learned text model --------------------------------------- */

int cxm_store_text_model_put(struct cxm_store *s, int64_t tenant, const struct cxm_text_model_row *m)
{
	static const char sql[] =
		"INSERT INTO text_models (tenant_id, blob, trained_at, labelled, npos, nneg, cv_accuracy, auc, weight)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id) DO UPDATE SET blob = excluded.blob,"
		" trained_at = excluded.trained_at, labelled = excluded.labelled, npos = excluded.npos,"
		" nneg = excluded.nneg, cv_accuracy = excluded.cv_accuracy, auc = excluded.auc, weight = excluded.weight";
	struct sqlval p[] = { SQLV_INT(tenant),	    SQLV_TEXT(m->blob),	       SQLV_INT(m->trained_at),
			      SQLV_INT(m->labelled), SQLV_INT(m->npos),	       SQLV_INT(m->nneg),
			      SQLV_INT(m->cv_accuracy), SQLV_INT(m->auc), SQLV_INT(m->weight) };
	return Q(s, sql, p, NULL, NULL, NULL);
}

static int text_model_row(const struct sqlrow *r, void *ctx)
{
	struct cxm_text_model_row *m = ctx;
	const char *b = row_text(r, 0);

	free(m->blob);
	*m = (struct cxm_text_model_row){ .blob = b ? xstrdup(b) : NULL, .trained_at = row_int(r, 1),
					  .labelled = row_int(r, 2), .npos = row_int(r, 3), .nneg = row_int(r, 4),
					  .cv_accuracy = row_int(r, 5), .auc = row_int(r, 6), .weight = row_int(r, 7) };
	return 0;
}

int cxm_store_text_model_get(struct cxm_store *s, int64_t tenant, struct cxm_text_model_row *m, bool *found)
{
	static const char sql[] = "SELECT blob, trained_at, labelled, npos, nneg, cv_accuracy, auc, weight"
				  " FROM text_models WHERE tenant_id = ?";
	struct sqlval p[] = { SQLV_INT(tenant) };
	int ret;

	memset(m, 0, sizeof(*m));
	ret = Q(s, sql, p, text_model_row, m, NULL);
	*found = m->trained_at != 0;
	return ret;
}

void cxm_text_model_row_free(struct cxm_text_model_row *m)
{
	free(m->blob);
	m->blob = NULL;
}

struct tenant_ids {
	int64_t *ids;
	size_t n;
};

static int tenant_id_row(const struct sqlrow *r, void *ctx)
{
	struct tenant_ids *t = ctx;

	t->ids[t->n++] = row_int(r, 0);
	return 0;
}

int cxm_store_text_model_tenants(struct cxm_store *s, int64_t after, int limit, int64_t *ids, size_t *n)
{
	static const char sql[] = "SELECT id FROM tenants WHERE id > ? ORDER BY id LIMIT ?";
	struct sqlval p[] = { SQLV_INT(after), SQLV_INT(limit) };
	struct tenant_ids t = { ids, 0 };
	int ret = Q(s, sql, p, tenant_id_row, &t, NULL);

	*n = t.n;
	return ret;
}

static int two_ints_row(const struct sqlrow *r, void *ctx)
{
	int64_t *v = ctx;

	v[0] = row_int(r, 0);
	v[1] = row_int(r, 1);
	return 0;
}

int cxm_store_text_labelled_counts(struct cxm_store *s, int64_t tenant, int64_t *npos, int64_t *nneg)
{
	static const char sql[] =
		"SELECT COALESCE(SUM(CASE WHEN nps IS NOT NULL THEN (CASE WHEN nps BETWEEN 9 AND 10 THEN 1 ELSE 0 END)"
		" WHEN csat BETWEEN 4 AND 5 THEN 1 ELSE 0 END), 0),"
		" COALESCE(SUM(CASE WHEN nps IS NOT NULL THEN (CASE WHEN nps BETWEEN 0 AND 6 THEN 1 ELSE 0 END)"
		" WHEN csat BETWEEN 1 AND 2 THEN 1 ELSE 0 END), 0)"
		" FROM responses WHERE tenant_id = ? AND (text_lang IS NOT NULL OR (comment IS NOT NULL AND comment <> ''))";
	struct sqlval p[] = { SQLV_INT(tenant) };
	int64_t v[2] = { 0, 0 };
	int ret = Q(s, sql, p, two_ints_row, v, NULL);

	*npos = v[0];
	*nneg = v[1];
	return ret;
}

int cxm_store_text_model_trained_at(struct cxm_store *s, int64_t tenant, int64_t *at)
{
	static const char sql[] = "SELECT COALESCE(MAX(trained_at), 0) FROM text_models WHERE tenant_id = ?";
	struct sqlval p[] = { SQLV_INT(tenant) };

	*at = 0;
	return GET_INT(s, sql, p, at);
}

/* ---- the emotion mix of the comments --------------------------------------- */

_Static_assert(CXM_EMO_COUNT == CXM_MIX_EMOTIONS && CXM_REASON_COUNT == CXM_MIX_REASONS,
	       "text_mix has a column per emotion and per reason (migration 0013)");

static const char *const mix_labels[CXM_MIX_LABELS] = { "positive", "neutral", "negative" };
/* text_mix's dim of each enum cxm_mix_by */
/* and the journey map's (issue 7), kept the same way: touchpoint x
 * segment (value segment "\x1f" touchpoint) and touchpoint x theme (value
 * touchpoint "\x1f" theme: a theme id has no separator) */
enum { MIX_TPSEG = CXM_MIX_THEME + 1, MIX_TPTHEME };
static const char *const mix_dims[] = { [CXM_MIX_TOUCHPOINT] = "touchpoint", [CXM_MIX_CHANNEL] = "channel",
					[CXM_MIX_THEME] = "theme", [MIX_TPSEG] = "touchpoint_segment",
					[MIX_TPTHEME] = "touchpoint_theme" };
/* text_mix's counters, in the order of struct cxm_mix_counts */
#define MIX_COLS                                                                                              \
	"comments, positive, neutral, negative, joy, trust, surprise, anger, frustration, disappointment, worry," \
	" sadness, price, speed, convenience, quality, staff, reliability, information"
#define MIX_NCOLS (1 + CXM_MIX_LABELS + CXM_MIX_EMOTIONS + CXM_MIX_REASONS)

/* The counters of c, in MIX_COLS's order. */
static int64_t *mix_field(struct cxm_mix_counts *c, int i)
{
	if (i == 0)
		return &c->comments;
	if ((i -= 1) < CXM_MIX_LABELS)
		return &c->labels[i];
	if ((i -= CXM_MIX_LABELS) < CXM_MIX_EMOTIONS)
		return &c->emotions[i];
	return &c->reasons[i - CXM_MIX_EMOTIONS];
}

static void mix_counts_add(struct cxm_mix_counts *a, const struct cxm_mix_counts *b)
{
	for (int i = 0; i < MIX_NCOLS; i++)
		*mix_field(a, i) += *mix_field((struct cxm_mix_counts *)b, i);
}

/* Adds n to the counter of each name of the space-separated list that the
 * engine makes (one it no longer makes is left out). */
static void mix_names_add(const char *list, bool reasons, int64_t *counters, int64_t n)
{
	int count = reasons ? CXM_MIX_REASONS : CXM_MIX_EMOTIONS;

	for (const char *t = list ? list : ""; *t;) {
		size_t k = strcspn(t, " ");
		for (int i = 0; i < count; i++) {
			const char *x = reasons ? cxm_reason_name((enum cxm_reason)i) : cxm_emotion_name((enum cxm_emotion)i);
			if (strlen(x) == k && !memcmp(x, t, k)) {
				counters[i] += n;
				break;
			}
		}
		t += k;
		t += *t == ' ';
	}
}

/* n comments (negative: taken away) with this stored analysis. */
static void mix_counts_of(struct cxm_mix_counts *c, const char *label, const char *emotions, const char *reasons,
			  int64_t n)
{
	*c = (struct cxm_mix_counts){ .comments = n };
	if (!label || !*label)
		label = "neutral";
	for (int i = 0; i < CXM_MIX_LABELS; i++)
		if (!strcmp(label, mix_labels[i]))
			c->labels[i] = n;
	mix_names_add(emotions, false, c->emotions, n);
	mix_names_add(reasons, true, c->reasons, n);
}

/* Calls fn for each group a comment counts under: its touchpoint or
 * channel (NULL: ""), or each of its themes ("" when it has none; a
 * theme id too long for any taxonomy is left out). */
static void mix_each_group(enum cxm_mix_by by, const char *group, void (*fn)(const char *value, void *ctx),
			   void *ctx)
{
	char theme[128];

	if (!group)
		group = "";
	if (by != CXM_MIX_THEME || !*group) {
		fn(group, ctx);
		return;
	}
	for (const char *x = group; *x;) {
		size_t k = strcspn(x, " ");
		if (k && k < sizeof(theme)) {
			memcpy(theme, x, k);
			theme[k] = '\0';
			fn(theme, ctx);
		}
		x += k;
		x += *x == ' ';
	}
}

/* ---- writing: the changes of the open transaction, added up per row ---- */

struct mix_delta {
	int64_t tenant, day, survey;
	int by; /* an enum cxm_mix_by, MIX_TPSEG or MIX_TPTHEME */
	char *value;
	struct cxm_mix_counts c;
};

struct mix_journal {
	size_t at;
	struct cxm_mix_counts c;
};

struct mix_pend {
	struct cxm_map index; /* tenant, by, day, survey in hex, then the value -> position */
	struct cxm_buf key;
	struct mix_delta *v;
	size_t n, cap;
	struct mix_journal *j; /* under the open savepoint */
	size_t nj, capj;
};

struct mix_add {
	struct cxm_store *s;
	int64_t tenant, day, survey;
	int by; /* as mix_delta's */
	const struct cxm_mix_counts *c;
};

static void mix_pend_add(const char *value, void *vctx)
{
	struct mix_add *a = vctx;
	struct mix_pend *p = a->s->mix;
	int64_t at;

	if (!p) {
		p = a->s->mix = xcalloc(1, sizeof(*p));
		cxm_map_init(&p->index);
		cxm_buf_init(&p->key, 0);
	}
	cxm_buf_clear(&p->key);
	put_hex(&p->key, (uint64_t)a->tenant);
	put_hex(&p->key, (uint64_t)a->by);
	put_hex(&p->key, (uint64_t)a->day);
	put_hex(&p->key, (uint64_t)a->survey);
	cxm_buf_addstr(&p->key, value);
	if (!cxm_map_get(&p->index, cxm_buf_str(&p->key), &at)) {
		if (p->n == p->cap) {
			p->cap = p->cap ? 2 * p->cap : 64;
			p->v = xrealloc(p->v, p->cap * sizeof(*p->v));
		}
		at = (int64_t)p->n++;
		p->v[at] = (struct mix_delta){ a->tenant, a->day, a->survey, a->by, xstrdup(value), { 0 } };
		cxm_map_put(&p->index, cxm_buf_str(&p->key), at);
	}
	mix_counts_add(&p->v[at].c, a->c);
	if (a->s->in_sp) {
		if (p->nj == p->capj) {
			p->capj = p->capj ? 2 * p->capj : 64;
			p->j = xrealloc(p->j, p->capj * sizeof(*p->j));
		}
		p->j[p->nj++] = (struct mix_journal){ (size_t)at, *a->c };
	}
}

static void mix_apply_journey(struct cxm_store *s, int64_t tenant, const struct rollup_src *r, int sign,
			      int64_t day);

/* A comment's touchpoint, for its MIX_TPTHEME rows. */
struct mix_tp {
	struct mix_add *a;
	const char *tp;
	struct cxm_buf v;
};

static void mix_tp_theme_add(const char *theme, void *vctx)
{
	struct mix_tp *t = vctx;

	cxm_buf_clear(&t->v);
	cxm_buf_addstr(&t->v, t->tp);
	cxm_buf_addch(&t->v, TPSEG_SEP);
	cxm_buf_addstr(&t->v, theme);
	mix_pend_add(cxm_buf_str(&t->v), t->a);
}

/* Adds (sign 1) or takes away (-1) the emotion mix of r's comment, if it
 * was analysed, on its local day, under its touchpoint, its channel, each
 * of its themes, its segment and touchpoint, and its touchpoint and each
 * of its themes. */
static void mix_apply(struct cxm_store *s, int64_t tenant, const struct rollup_src *r, int sign, int64_t day)
{
	struct cxm_mix_counts c;
	struct mix_add a = { s, tenant, day, r->survey_id, CXM_MIX_TOUCHPOINT, &c };

	if (!r->lang)
		return;
	mix_counts_of(&c, r->label, r->emotions, r->reasons, sign);
	mix_each_group(CXM_MIX_TOUCHPOINT, r->touchpoint, mix_pend_add, &a);
	a.by = CXM_MIX_CHANNEL;
	mix_each_group(CXM_MIX_CHANNEL, r->channel, mix_pend_add, &a);
	a.by = CXM_MIX_THEME;
	mix_each_group(CXM_MIX_THEME, r->themes, mix_pend_add, &a);
	mix_apply_journey(s, tenant, r, sign, day);
}

/* mix_apply's rows for the journey map: segment x touchpoint, touchpoint x
 * each theme. */
static void mix_apply_journey(struct cxm_store *s, int64_t tenant, const struct rollup_src *r, int sign, int64_t day)
{
	struct cxm_mix_counts c;
	struct mix_add a = { s, tenant, day, r->survey_id, MIX_TPSEG, &c };

	if (!r->lang)
		return;
	mix_counts_of(&c, r->label, r->emotions, r->reasons, sign);
	struct mix_tp t = { &a, r->touchpoint ? r->touchpoint : "", CXM_BUF_INIT };
	cxm_buf_addstr(&t.v, r->segment ? r->segment : "");
	cxm_buf_addch(&t.v, TPSEG_SEP);
	cxm_buf_addstr(&t.v, t.tp);
	a.by = MIX_TPSEG;
	mix_pend_add(cxm_buf_str(&t.v), &a);
	a.by = MIX_TPTHEME;
	mix_each_group(CXM_MIX_THEME, r->themes, mix_tp_theme_add, &t);
	cxm_buf_release(&t.v);
}

/* Forgets the changes: all of them, or those of the open savepoint. */
static void mix_discard(struct cxm_store *s, bool savepoint_only)
{
	struct mix_pend *p = s->mix;

	if (!p)
		return;
	if (savepoint_only) {
		for (size_t i = 0; i < p->nj; i++) {
			struct cxm_mix_counts minus;
			for (int k = 0; k < MIX_NCOLS; k++)
				*mix_field(&minus, k) = -*mix_field(&p->j[i].c, k);
			mix_counts_add(&p->v[p->j[i].at].c, &minus);
		}
		p->nj = 0;
		return;
	}
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i].value);
	free(p->v);
	free(p->j);
	cxm_map_release(&p->index);
	cxm_buf_release(&p->key);
	free(p);
	s->mix = NULL;
}

static void mix_merge_savepoint(struct cxm_store *s)
{
	if (s->mix)
		s->mix->nj = 0;
}

#define MIX_ADD(f) f " = text_mix." f " + excluded." f

/* Writes the changes added up (before COMMIT, in the transaction). */
static int mix_flush(struct cxm_store *s)
{
	static const char sql[] =
		"INSERT INTO text_mix (tenant_id, dim, day, survey_id, value, " MIX_COLS ") VALUES"
		" (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		" ON CONFLICT (tenant_id, dim, day, survey_id, value) DO UPDATE SET " MIX_ADD("comments") ", "
		MIX_ADD("positive") ", " MIX_ADD("neutral") ", " MIX_ADD("negative") ", " MIX_ADD("joy") ", "
		MIX_ADD("trust") ", " MIX_ADD("surprise") ", " MIX_ADD("anger") ", " MIX_ADD("frustration") ", "
		MIX_ADD("disappointment") ", " MIX_ADD("worry") ", " MIX_ADD("sadness") ", " MIX_ADD("price") ", "
		MIX_ADD("speed") ", " MIX_ADD("convenience") ", " MIX_ADD("quality") ", " MIX_ADD("staff") ", "
		MIX_ADD("reliability") ", " MIX_ADD("information");
	static const struct cxm_mix_counts zero;
	struct mix_pend *p = s->mix;
	int ret = 0;

	for (size_t i = 0; p && i < p->n && !ret; i++) {
		struct mix_delta *d = &p->v[i];
		struct sqlval v[5 + MIX_NCOLS] = { SQLV_INT(d->tenant), SQLV_TEXT(mix_dims[d->by]), SQLV_INT(d->day),
						   SQLV_INT(d->survey), SQLV_TEXT(d->value) };
		if (!memcmp(&d->c, &zero, sizeof(zero)))
			continue; /* an analysis moved away and back again */
		for (int k = 0; k < MIX_NCOLS; k++)
			v[5 + k] = SQLV_INT(*mix_field(&d->c, k));
		ret = Q(s, sql, v, NULL, NULL, NULL);
	}
	mix_discard(s, false);
	return ret;
}

static int mix_backfill_row(const struct sqlrow *r, void *vctx)
{
	struct backfill *b = vctx;
	struct backfill_row *x = &b->v[b->n++];
	struct old_ctx c = { &x->r, &x->texts, false, true };

	/* ROLLUP_SRC_COLS and the analysis, as rollup_old reads them */
	old_row(r, &c);
	return 0;
}

struct id_list {
	int64_t *v;
	size_t n, cap;
};

static int id_list_row(const struct sqlrow *r, void *vctx)
{
	struct id_list *l = vctx;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = row_int(r, 0);
	return 0;
}

/* The responses after id of a tenant, as mix_backfill_row reads them; filter narrows them. */
#define WALK_SQL(filter)                                                                                  \
	"SELECT " ROLLUP_SRC_COLS ", text_label, themes, text_lang, text_emotions, text_reasons FROM responses" \
	" WHERE tenant_id = ? AND id > ?" filter " ORDER BY id LIMIT 500"

/*
 * Calls visit for every response of every tenant (only the analysed ones
 * when analysed_only), with its day in the tenant's zone, in the
 * migration's transaction: tenant by tenant and a chunk at a time (a range
 * of the primary key each: PostgreSQL would scan from the start for an OR
 * of tenants). Migrations 0013 and 0015 count the responses stored before
 * them so.
 */
static int responses_walk(struct cxm_store *s, bool analysed_only,
			  void (*visit)(struct cxm_store *s, int64_t tenant, const struct rollup_src *r, int64_t day))
{
	static const char tenants[] = "SELECT id FROM tenants ORDER BY id";
	static const char all[] = WALK_SQL(""), analysed[] = WALK_SQL(" AND text_lang IS NOT NULL");
	struct backfill *b = xcalloc(1, sizeof(*b));
	struct id_list t = { NULL, 0, 0 };
	const struct cxm_tz *tz;
	int ret = q(s, tenants, NULL, 0, id_list_row, &t, NULL);

	for (size_t k = 0; k < t.n && !ret; k++) {
		int64_t id = INT64_MIN;
		do {
			struct sqlval p[] = { SQLV_INT(t.v[k]), SQLV_INT(id) };
			b->n = 0;
			if (!(ret = Q(s, analysed_only ? analysed : all, p, mix_backfill_row, b, NULL)) && b->n)
				ret = tenant_tz(s, t.v[k], &tz);
			for (size_t i = 0; i < b->n; i++) {
				struct backfill_row *x = &b->v[i];
				if (!ret)
					visit(s, t.v[k], &x->r, cxm_tz_day(tz, x->r.ts));
				id = x->r.id;
				free(x->texts);
			}
		} while (!ret && b->n == ARRAY_SIZE(b->v));
	}
	free(t.v);
	free(b);
	return ret;
}

static void text_mix_visit(struct cxm_store *s, int64_t tenant, const struct rollup_src *r, int64_t day)
{
	mix_apply(s, tenant, r, 1, day);
}

/* Counts every analysed response into text_mix, written at the commit of
 * the migration's transaction. */
static int text_mix_backfill(struct cxm_store *s)
{
	return responses_walk(s, true, text_mix_visit);
}

static void journey_dims_visit(struct cxm_store *s, int64_t tenant, const struct rollup_src *r, int64_t day)
{
	struct cxm_score_counts c;

	cxm_score_counts_of(&c, r->nps, r->csat, r->ces);
	rollup_tpseg(s, tenant, r, day, cxm_bucket_start(CXM_BUCKET_MONTH, day), &c);
	mix_apply_journey(s, tenant, r, 1, day);
}

/* Migration 0015 (issue 7): counts every response into the journey map's
 * rollups (TPSEG_DIM in rollups; MIX_TPSEG, MIX_TPTHEME in text_mix) from
 * scratch: what migrations 0010 and 0013 counted just before, in the same
 * run, is written first and taken away with the rest. */
static int journey_dims_backfill(struct cxm_store *s)
{
	static const char del_rollups[] = "DELETE FROM rollups WHERE dim IN ('" TPSEG_DIM "', '" TPSEG_MONTH_DIM "')";
	static const char del_mix[] = "DELETE FROM text_mix WHERE dim IN ('touchpoint_segment', 'touchpoint_theme')";
	int ret;

	if ((ret = rollups_flush(s)) || (ret = q(s, del_rollups, NULL, 0, NULL, NULL, NULL)) ||
	    (ret = q(s, del_mix, NULL, 0, NULL, NULL, NULL)))
		return ret;
	return responses_walk(s, false, journey_dims_visit);
}

/* ---- reading ---- */

struct mix_group {
	char *value;
	struct cxm_mix_counts c;
};

/* The groups and the total of an answer, for both paths. */
struct mix_groups {
	struct cxm_map index; /* value -> position in v */
	struct mix_group *v;
	size_t n, cap;
	struct cxm_mix_counts total;
	const struct cxm_mix_counts *adding; /* what mix_group_add adds */
};

static void mix_group_add(const char *value, void *vctx)
{
	struct mix_groups *g = vctx;
	int64_t at;

	if (!cxm_map_get(&g->index, value, &at)) {
		if (g->n == g->cap) {
			g->cap = g->cap ? 2 * g->cap : 64;
			g->v = xrealloc(g->v, g->cap * sizeof(*g->v));
		}
		at = (int64_t)g->n++;
		g->v[at] = (struct mix_group){ .value = xstrdup(value) };
		cxm_map_put(&g->index, value, at);
	}
	mix_counts_add(&g->v[at].c, g->adding);
}

/* Hands the total, then the groups with comments, to cb; frees them. */
static int mix_groups_emit(struct mix_groups *g, int ret, cxm_mix_cb cb, void *ctx)
{
	if (!ret)
		ret = cb(NULL, &g->total, ctx);
	for (size_t i = 0; i < g->n; i++) {
		if (!ret && g->v[i].c.comments)
			ret = cb(g->v[i].value, &g->v[i].c, ctx);
		free(g->v[i].value);
	}
	free(g->v);
	cxm_map_release(&g->index);
	return ret;
}

/* The rollup: a row per value of a dim, its counters summed over the days. */
#define MIX_SUMS                                                                                               \
	"SUM(comments), SUM(positive), SUM(neutral), SUM(negative), SUM(joy), SUM(trust), SUM(surprise),"      \
	" SUM(anger), SUM(frustration), SUM(disappointment), SUM(worry), SUM(sadness), SUM(price), SUM(speed)," \
	" SUM(convenience), SUM(quality), SUM(staff), SUM(reliability), SUM(information)"
#define MIX_ROLLUP(survey)                                                                              \
	"SELECT value, " MIX_SUMS " FROM text_mix WHERE tenant_id = ? AND dim = ? AND day >= ? AND day < ?" \
	survey " GROUP BY value"

struct mix_read {
	struct mix_groups *g;
	bool groups, total; /* what the rows add to */
	/* the journey map's rows: only a segment's (MIX_TPSEG, value its
	 * touchpoint), or only those of a set of touchpoints (MIX_TPTHEME,
	 * value the theme; or the touchpoint rows themselves) */
	const char *segment;
	const char *const *tps;
	size_t ntps;
	bool tp_theme;
};

static bool in_list(const char *const *v, size_t n, const char *x, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(v[i]) == len && !memcmp(v[i], x, len))
			return true;
	return false;
}

static int mix_rollup_row(const struct sqlrow *r, void *vctx)
{
	struct mix_read *m = vctx;
	struct cxm_mix_counts c;
	const char *value = row_text(r, 0) ? row_text(r, 0) : "";

	if (m->segment) {
		size_t n = strlen(m->segment);
		if (strncmp(value, m->segment, n) || value[n] != TPSEG_SEP)
			return 0;
		value += n + 1;
	} else if (m->tps && m->tp_theme) {
		const char *sep = strrchr(value, TPSEG_SEP);
		if (!sep || !in_list(m->tps, m->ntps, value, (size_t)(sep - value)))
			return 0;
		value = sep + 1;
	} else if (m->tps && !in_list(m->tps, m->ntps, value, strlen(value))) {
		return 0;
	}
	for (int k = 0; k < MIX_NCOLS; k++)
		*mix_field(&c, k) = row_int(r, 1 + k);
	if (m->groups) {
		m->g->adding = &c;
		mix_group_add(value, m->g);
	}
	if (m->total)
		mix_counts_add(&m->g->total, &c);
	return 0;
}

static int mix_rollup(struct cxm_store *s, int64_t tenant, const struct cxm_mix_query *query, struct mix_groups *g)
{
	static const char *const sql[2] = { MIX_ROLLUP(""), MIX_ROLLUP(" AND survey_id = ?") };
	struct mix_read m = { g, true, query->by == CXM_MIX_TOUCHPOINT, query->segment };
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_TEXT(mix_dims[query->segment ? MIX_TPSEG : (int)query->by]),
			      SQLV_INT(query->from_day), SQLV_INT(query->to_day), SQLV_INT(query->survey) };
	int ret = q(s, sql[query->survey != 0], p, query->survey ? 5 : 4, mix_rollup_row, &m, NULL);

	/* a comment has one touchpoint: the touchpoint rows add up to the
	 * total (a comment with two themes counts once) */
	if (!ret && !m.total) {
		m = (struct mix_read){ g, false, true };
		p[1] = SQLV_TEXT(mix_dims[CXM_MIX_TOUCHPOINT]);
		ret = q(s, sql[query->survey != 0], p, query->survey ? 5 : 4, mix_rollup_row, &m, NULL);
	}
	return ret;
}

/* The scan: every analysed response of the range. Every survey of the
 * tenant when none is asked: the index on (tenant, survey, ts) then reads
 * only the range, survey by survey. */
#define MIX_WHERE(survey)                                                                           \
	" FROM responses WHERE tenant_id = ? AND survey_id" survey " AND ts >= ? AND ts < ?" \
	" AND text_lang IS NOT NULL"
#define MIX_ANY_SURVEY " IN (SELECT id FROM surveys WHERE tenant_id = ?)"
#define MIX_TAIL " text_label, text_emotions, text_reasons"
/* PostgreSQL counts each combination with a hash aggregate; SQLite's GROUP
 * BY sorts every row (seven times slower on a year of a million comments
 * than reading them), so there each row comes, with its unit and time for
 * a scoped caller, and is counted here */
#define MIX_GROUPED(col, survey) \
	"SELECT " col "," MIX_TAIL ", COUNT(*), 0, 0" MIX_WHERE(survey) " GROUP BY " col "," MIX_TAIL
#define MIX_ROWS(col, survey) "SELECT " col "," MIX_TAIL ", 1, org_unit_id, ts" MIX_WHERE(survey)
#define MIX_SQL(col)                                                                           \
	{ { MIX_GROUPED(col, MIX_ANY_SURVEY), MIX_GROUPED(col, " = ?") }, \
	  { MIX_ROWS(col, MIX_ANY_SURVEY), MIX_ROWS(col, " = ?") } }

struct mix_combo {
	char *v[4]; /* group, label, emotions, reasons */
	int64_t n;
};

/* The distinct stored combinations of the scanned rows (they are few). */
struct mix {
	const struct cxm_mix_query *q;
	const char *const *tps; /* only the rows at these touchpoints (column 7) */
	size_t ntps;
	struct cxm_map index; /* the four values joined -> position in v */
	struct cxm_buf key;
	struct mix_combo *v;
	size_t n, cap;
};

static int mix_row(const struct sqlrow *r, void *vctx)
{
	struct mix *m = vctx;
	const char *v[4];
	int64_t at;

	if (m->q->scoped && !cxm_spans_have(m->q->scope, m->q->nscope, row_int(r, 5), row_int(r, 6)))
		return 0;
	if (m->tps) {
		const char *tp = row_text(r, 7) ? row_text(r, 7) : "";
		if (!in_list(m->tps, m->ntps, tp, strlen(tp)))
			return 0;
	}
	cxm_buf_clear(&m->key);
	for (int i = 0; i < 4; i++) {
		v[i] = row_text(r, i) ? row_text(r, i) : "";
		if (i == 1 && !*v[i])
			v[i] = "neutral";
	}
	/* label, emotions and reasons are names (letters and spaces): with the
	 * group last, the key says where each value ends */
	for (int i = 1; i < 4; i++) {
		cxm_buf_addstr(&m->key, v[i]);
		cxm_buf_addch(&m->key, '|');
	}
	cxm_buf_addstr(&m->key, v[0]);
	if (!cxm_map_get(&m->index, cxm_buf_str(&m->key), &at)) {
		if (m->n == m->cap) {
			m->cap = m->cap ? 2 * m->cap : 64;
			m->v = xrealloc(m->v, m->cap * sizeof(*m->v));
		}
		at = (int64_t)m->n++;
		for (int i = 0; i < 4; i++)
			m->v[at].v[i] = xstrdup(v[i]);
		m->v[at].n = 0;
		cxm_map_put(&m->index, cxm_buf_str(&m->key), at);
	}
	m->v[at].n += row_int(r, 4);
	return 0;
}

/* a segment's comments by touchpoint; the themes of comments at a set of
 * touchpoints (mix_row keeps those whose column 7 is in the set) */
#define MIX_SEG(survey) MIX_ROWS("touchpoint", survey) " AND COALESCE(segment, '') = ?"
#define MIX_TPT(survey) "SELECT themes," MIX_TAIL ", 1, org_unit_id, ts, touchpoint" MIX_WHERE(survey)

static int mix_scan(struct cxm_store *s, int64_t tenant, const struct cxm_mix_query *query,
		    const struct cxm_tz *tz, struct mix_groups *g, const char *const *tps, size_t ntps)
{
	/* [by][rows][survey]: the statement caches key on the text's address */
	static const char *const sql[3][2][2] = { MIX_SQL("touchpoint"), MIX_SQL("channel"), MIX_SQL("themes") };
	static const char *const seg_sql[2] = { MIX_SEG(MIX_ANY_SURVEY), MIX_SEG(" = ?") };
	static const char *const tpt_sql[2] = { MIX_TPT(MIX_ANY_SURVEY), MIX_TPT(" = ?") };
	struct mix m = { .q = query, .tps = tps, .ntps = ntps };
	bool rows = query->scoped || !strcmp(s->ops->name, "sqlite");
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(query->survey ? query->survey : tenant),
			      SQLV_INT(cxm_tz_day_start(tz, query->from_day)), SQLV_INT(cxm_tz_day_start(tz, query->to_day)),
			      SQLV_TEXT(query->segment ? query->segment : "") };
	const char *text = sql[query->by][rows][query->survey != 0];
	int ret;

	if (tps)
		text = tpt_sql[query->survey != 0];
	else if (query->segment)
		text = seg_sql[query->survey != 0];
	cxm_map_init(&m.index);
	cxm_buf_init(&m.key, 0);
	ret = q(s, text, p, query->segment && !tps ? 5 : 4, mix_row, &m, NULL);
	for (size_t i = 0; i < m.n; i++) {
		struct mix_combo *c = &m.v[i];
		struct cxm_mix_counts counts;
		mix_counts_of(&counts, c->v[1], c->v[2], c->v[3], c->n);
		mix_counts_add(&g->total, &counts);
		g->adding = &counts;
		mix_each_group(query->by, c->v[0], mix_group_add, g);
		for (int k = 0; k < 4; k++)
			free(c->v[k]);
	}
	free(m.v);
	cxm_buf_release(&m.key);
	cxm_map_release(&m.index);
	return ret;
}

int cxm_store_text_mix(struct cxm_store *s, int64_t tenant, const struct cxm_mix_query *query, cxm_mix_cb cb,
		       void *ctx)
{
	struct mix_groups g = { .n = 0 };
	const struct cxm_tz *tz;
	int ret;

	/* days far outside any real date would overflow microseconds */
	if ((unsigned)query->by > CXM_MIX_THEME || query->from_day > query->to_day ||
	    query->from_day < -3000000 || query->to_day > 3000000 ||
	    (query->segment && query->by != CXM_MIX_TOUCHPOINT))
		return cxm_store_seterr(s, CXM_EINVAL, "%s", _(MSG_RU_BAD_QUERY));
	if ((ret = tenant_tz(s, tenant, &tz)))
		return ret;
	if (!query->scoped && !query->scan) {
		/* inside a transaction, what it changed so far counts too */
		if (s->in_sp && ((s->mix && s->mix->nj) || (s->ru && s->ru->nj)))
			BUG("the emotion mix read under a savepoint that changed it");
		if (s->in_tx && (s->ru || s->mix) && (ret = rollups_flush(s)))
			return ret;
	}
	cxm_map_init(&g.index);
	if (query->scoped || query->scan)
		ret = mix_scan(s, tenant, query, tz, &g, NULL, 0);
	else
		ret = mix_rollup(s, tenant, query, &g);
	return mix_groups_emit(&g, ret, cb, ctx);
}

int cxm_store_touchpoint_themes(struct cxm_store *s, int64_t tenant, const struct cxm_tp_themes_query *q_,
				cxm_mix_cb cb, void *ctx)
{
	static const char *const sql[2] = { MIX_ROLLUP(""), MIX_ROLLUP(" AND survey_id = ?") };
	struct cxm_mix_query query = { .from_day = q_->from_day, .to_day = q_->to_day, .survey = q_->survey,
				       .by = CXM_MIX_THEME, .scan = q_->scan };
	struct mix_groups g = { .n = 0 };
	const struct cxm_tz *tz;
	int ret;

	if (!q_->touchpoints_n || q_->touchpoints_n > CXM_TP_THEMES_MAX || query.from_day > query.to_day ||
	    query.from_day < -3000000 || query.to_day > 3000000)
		return cxm_store_seterr(s, CXM_EINVAL, "%s", _(MSG_RU_BAD_QUERY));
	for (size_t i = 0; i < q_->touchpoints_n; i++)
		if (!q_->touchpoints[i])
			return cxm_store_seterr(s, CXM_EINVAL, "%s", _(MSG_RU_BAD_QUERY));
	if ((ret = tenant_tz(s, tenant, &tz)))
		return ret;
	cxm_map_init(&g.index);
	if (query.scan) {
		ret = mix_scan(s, tenant, &query, tz, &g, q_->touchpoints, q_->touchpoints_n);
		return mix_groups_emit(&g, ret, cb, ctx);
	}
	if (s->in_sp && ((s->mix && s->mix->nj) || (s->ru && s->ru->nj)))
		BUG("the emotion mix read under a savepoint that changed it");
	if (s->in_tx && (s->ru || s->mix) && (ret = rollups_flush(s))) {
		cxm_map_release(&g.index);
		return ret;
	}
	/* the themes from the touchpoint x theme rows, the total from the
	 * touchpoint rows (a comment with two themes counts once) */
	struct mix_read m = { &g, true, false, NULL, q_->touchpoints, q_->touchpoints_n, true };
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_TEXT(mix_dims[MIX_TPTHEME]), SQLV_INT(query.from_day),
			      SQLV_INT(query.to_day), SQLV_INT(query.survey) };
	size_t np = query.survey ? 5 : 4;
	ret = q(s, sql[query.survey != 0], p, np, mix_rollup_row, &m, NULL);
	if (!ret) {
		m = (struct mix_read){ &g, false, true, NULL, q_->touchpoints, q_->touchpoints_n, false };
		p[1] = SQLV_TEXT(mix_dims[CXM_MIX_TOUCHPOINT]);
		ret = q(s, sql[query.survey != 0], p, np, mix_rollup_row, &m, NULL);
	}
	return mix_groups_emit(&g, ret, cb, ctx);
}

/* ---- a response's texts ------------------------------------------------------ */

/* A comment, or a string among the answers: SQLite keeps the canonical
 * JSON ("k":"v"), PostgreSQL's jsonb prints a space ("k": "v") */
#define MAY_HAVE_TEXT                                                                                                 \
	" ((comment IS NOT NULL AND comment <> '') OR CAST(answers AS TEXT) LIKE '%\":\"%'"                          \
	" OR CAST(answers AS TEXT) LIKE '%\": \"%')"

int cxm_store_response_texts(struct cxm_store *s, int64_t tenant, int64_t after_id, int limit, cxm_response_cb cb,
			     void *ctx)
{
	static const char sql[] = "SELECT " RESPONSE_COLS " FROM responses WHERE tenant_id = ? AND id > ? AND"
		MAY_HAVE_TEXT " ORDER BY id LIMIT ?";
	struct response_ctx c = { cb, ctx, 0 };
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(after_id), SQLV_INT(limit) };

	return Q(s, sql, p, response_row, &c, NULL);
}

int cxm_store_response_text_count(struct cxm_store *s, int64_t tenant, int64_t *n)
{
	static const char sql[] = "SELECT COUNT(*) FROM responses WHERE tenant_id = ? AND" MAY_HAVE_TEXT;
	struct sqlval p[] = { SQLV_INT(tenant) };

	*n = 0;
	return get_int(s, sql, p, 1, n);
}

/* ---- the backfill of texts never analysed (issue 6, docs/text.md) ---------------- */

int cxm_store_response_texts_unanalysed(struct cxm_store *s, int64_t tenant, int64_t after_id, int limit,
					cxm_response_cb cb, void *ctx)
{
	static const char sql[] = "SELECT " RESPONSE_COLS " FROM responses WHERE tenant_id = ? AND id > ?"
				  " AND text_lang IS NULL AND" MAY_HAVE_TEXT " ORDER BY id LIMIT ?";
	struct response_ctx c = { cb, ctx, 0 };
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(after_id), SQLV_INT(limit) };

	return Q(s, sql, p, response_row, &c, NULL);
}

/* ---- the helpers above, for the store's other files (store-internal.h) ---- */

int cxm_store_q(struct cxm_store *s, const char *sql, const struct sqlval *p, size_t np, row_fn fn, void *ctx,
		int64_t *changes)
{
	return q(s, sql, p, np, fn, ctx, changes);
}

int cxm_store_tx_begin(struct cxm_store *s, int *own)
{
	return tx_begin(s, own);
}

int cxm_store_tx_end(struct cxm_store *s, int own, int ret)
{
	return tx_end(s, own, ret);
}

int cxm_store_int_row(const struct sqlrow *r, void *ctx)
{
	int64_t *v = ctx;

	*v = row_int(r, 0);
	return 0;
}
