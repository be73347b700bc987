/*
 * journey_store.c - the journeys' storage (store.h "journeys (issue 7)",
 * docs/architecture.md): journey definitions and their versions, the
 * customers' compact event sequences kept on ingest, and the journeys'
 * rollups, moved by contrib(new) - contrib(old) whenever a customer's
 * state changes and flushed at commit like the response rollups.
 */
#include "store-internal.h"
#include "cxm/i18n.h"
#include "cxm/id.h"
#include "cxm/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JOURNEY_VERSION_SETTING "journeys.version"

static int jq(struct cxm_store *s, const char *sql, const struct sqlval *p, size_t np, row_fn fn, void *ctx,
	      int64_t *changes)
{
	int ret;

	if (s->in_query)
		BUG("a store query was started from inside a row callback");
	s->in_query = 1;
	ret = s->ops->query(s, sql, p, np, fn, ctx, changes);
	s->in_query = 0;
	return ret;
}

#define JQ(s, sql, params, fn, ctx, changes) jq(s, sql, params, ARRAY_SIZE(params), fn, ctx, changes)

static int int_row(const struct sqlrow *r, void *ctx)
{
	int64_t *v = ctx;
	*v = row_int(r, 0);
	return 0;
}

static int jtx_begin(struct cxm_store *s, int *own)
{
	*own = !s->in_tx;
	return *own ? cxm_store_begin(s) : 0;
}

static int jtx_end(struct cxm_store *s, int own, int ret)
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

/* ---- definitions ---------------------------------------------------------- */

/* Every change of a tenant's journeys gives them a new version, in the same
 * transaction, so caches of them (the ingest hook's) know when to reload. */
static int journey_bump(struct cxm_store *s, int64_t tenant)
{
	char v[24];

	snprintf(v, sizeof(v), "%lld", (long long)cxm_id_next());
	return cxm_store_setting_set(s, tenant, JOURNEY_VERSION_SETTING, v);
}

int cxm_store_journey_version(struct cxm_store *s, int64_t tenant, int64_t *version)
{
	char *v = NULL;
	int ret = cxm_store_setting_get(s, tenant, JOURNEY_VERSION_SETTING, &v);

	*version = 0;
	if (!ret && v && cxm_parse_i64(v, strlen(v), version))
		*version = -1;
	free(v);
	return ret;
}

static int seq_count(struct cxm_store *s, int64_t tenant, int64_t *n)
{
	static const char sql[] = "SELECT COUNT(*) FROM customer_seq WHERE tenant_id = ?";
	struct sqlval p[] = { SQLV_INT(tenant) };
	*n = 0;
	return JQ(s, sql, p, int_row, n, NULL);
}

static int version_add(struct cxm_store *s, int64_t tenant, int64_t id, int version, const char *def, int64_t now)
{
	static const char sql[] = "INSERT INTO journey_versions (tenant_id, journey_id, version, definition,"
				  " created_at) VALUES (?, ?, ?, ?, ?)";
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(id), SQLV_INT(version), SQLV_TEXT(def), SQLV_INT(now) };
	return JQ(s, sql, p, NULL, NULL, NULL);
}

static int slot_row(const struct sqlrow *r, void *ctx)
{
	unsigned char *used = ctx;
	int64_t slot = row_int(r, 0);
	if (slot >= 0 && slot < 256)
		used[slot] = 1;
	return 0;
}

int cxm_store_journey_create(struct cxm_store *s, int64_t tenant, const char *name, const char *definition,
			     int64_t now, int64_t *id)
{
	static const char slots[] = "SELECT slot FROM journeys WHERE tenant_id = ? AND status = 'active'";
	static const char sql[] = "INSERT INTO journeys (tenant_id, id, slot, name, status, version, built_version,"
				  " build_cursor, build_done, build_total, created_at, updated_at)"
				  " VALUES (?, ?, ?, ?, 'active', 1, 0, 0, 0, ?, ?, ?)";
	unsigned char used[256] = { 0 };
	int64_t nid = cxm_id_next(), total = 0;
	int own, ret, slot = 0, n_active = 0;

	if ((ret = jtx_begin(s, &own)))
		return ret;
	{
		struct sqlval p[] = { SQLV_INT(tenant) };
		if ((ret = JQ(s, slots, p, slot_row, used, NULL)))
			goto out;
	}
	for (int i = 0; i < 256; i++)
		n_active += used[i];
	if (n_active >= CXM_JOURNEY_ACTIVE_MAX) {
		ret = cxm_store_seterr(s, CXM_ETOOBIG, _(MSG_S_JOURNEYS_FULL), CXM_JOURNEY_ACTIVE_MAX);
		goto out;
	}
	while (used[slot])
		slot++;
	if ((ret = seq_count(s, tenant, &total)))
		goto out;
	{
		struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(nid),	SQLV_INT(slot), SQLV_TEXT(name),
				      SQLV_INT(total),	SQLV_INT(now), SQLV_INT(now) };
		ret = JQ(s, sql, p, NULL, NULL, NULL);
	}
	if (ret == CXM_EEXIST)
		ret = cxm_store_seterr(s, ret, _(MSG_S_JOURNEY_EXISTS), name);
	if (!ret)
		ret = version_add(s, tenant, nid, 1, definition, now);
	if (!ret)
		ret = journey_bump(s, tenant);
out:
	ret = jtx_end(s, own, ret);
	if (!ret && id)
		*id = nid;
	return ret;
}

struct jstatus {
	int found;
	int version;
	char status[16];
};

static int jstatus_row(const struct sqlrow *r, void *ctx)
{
	struct jstatus *j = ctx;
	j->found = 1;
	j->version = (int)row_int(r, 0);
	snprintf(j->status, sizeof(j->status), "%s", row_text(r, 1));
	return 0;
}

static int journey_status(struct cxm_store *s, int64_t tenant, int64_t id, struct jstatus *j)
{
	static const char sql[] = "SELECT version, status FROM journeys WHERE tenant_id = ? AND id = ?";
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(id) };
	int ret;

	memset(j, 0, sizeof(*j));
	if ((ret = JQ(s, sql, p, jstatus_row, j, NULL)))
		return ret;
	if (!j->found)
		return cxm_store_seterr(s, CXM_ENOTFOUND, _(MSG_S_NO_JOURNEY), (long long)id);
	if (strcmp(j->status, "active"))
		return cxm_store_seterr(s, CXM_ECONFLICT, _(MSG_S_JOURNEY_ARCHIVED), (long long)id);
	return 0;
}

int cxm_store_journey_update(struct cxm_store *s, int64_t tenant, int64_t id, const char *name,
			     const char *definition, int64_t now, int *version)
{
	static const char sql[] = "UPDATE journeys SET name = ?, version = ?, build_cursor = 0, build_done = 0,"
				  " build_total = ?, updated_at = ? WHERE tenant_id = ? AND id = ?";
	struct jstatus j;
	int64_t total = 0;
	int own, ret;

	if ((ret = jtx_begin(s, &own)))
		return ret;
	if ((ret = journey_status(s, tenant, id, &j)) || (ret = seq_count(s, tenant, &total)))
		goto out;
	{
		struct sqlval p[] = { SQLV_TEXT(name), SQLV_INT(j.version + 1), SQLV_INT(total),
				      SQLV_INT(now),   SQLV_INT(tenant),	SQLV_INT(id) };
		ret = JQ(s, sql, p, NULL, NULL, NULL);
	}
	if (ret == CXM_EEXIST)
		ret = cxm_store_seterr(s, ret, _(MSG_S_JOURNEY_EXISTS), name);
	if (!ret)
		ret = version_add(s, tenant, id, j.version + 1, definition, now);
	if (!ret)
		ret = journey_bump(s, tenant);
out:
	ret = jtx_end(s, own, ret);
	if (!ret && version)
		*version = j.version + 1;
	return ret;
}

int cxm_store_journey_archive(struct cxm_store *s, int64_t tenant, int64_t id, int64_t now)
{
	static const char sql[] = "UPDATE journeys SET status = 'archived', updated_at = ? WHERE tenant_id = ? AND id = ?";
	static const char drop_r[] = "DELETE FROM journey_rollups WHERE tenant_id = ? AND journey_id = ?";
	static const char drop_t[] = "DELETE FROM journey_times WHERE tenant_id = ? AND journey_id = ?";
	struct jstatus j;
	int own, ret;

	if ((ret = jtx_begin(s, &own)))
		return ret;
	if ((ret = journey_status(s, tenant, id, &j)))
		goto out;
	{
		struct sqlval p[] = { SQLV_INT(now), SQLV_INT(tenant), SQLV_INT(id) };
		if ((ret = JQ(s, sql, p, NULL, NULL, NULL)))
			goto out;
	}
	{
		struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(id) };
		if ((ret = JQ(s, drop_r, p, NULL, NULL, NULL)) || (ret = JQ(s, drop_t, p, NULL, NULL, NULL)))
			goto out;
	}
	ret = journey_bump(s, tenant);
out:
	return jtx_end(s, own, ret);
}

#define JOURNEY_COLS                                                                                          \
	"j.id, j.slot, j.name, j.status, j.version, j.built_version, j.build_done, j.build_total, v.definition," \
	" j.created_at, j.updated_at FROM journeys j JOIN journey_versions v ON v.tenant_id = j.tenant_id"       \
	" AND v.journey_id = j.id AND v.version = j.version"

struct journey_ctx {
	cxm_journey_cb cb;
	void *ctx;
	int n;
};

static int journey_row(const struct sqlrow *r, void *vctx)
{
	struct journey_ctx *c = vctx;
	int64_t done = row_int(r, 6), total = row_int(r, 7);
	struct cxm_journey_row j = {
		.id = row_int(r, 0),
		.slot = (int)row_int(r, 1),
		.name = row_text(r, 2),
		.status = row_text(r, 3),
		.version = (int)row_int(r, 4),
		.built_version = (int)row_int(r, 5),
		.definition = row_text(r, 8),
		.created_at = row_int(r, 9),
		.updated_at = row_int(r, 10),
	};

	if (j.built_version >= j.version || total <= 0)
		j.rebuilt = j.built_version >= j.version ? 1.0 : 0.0;
	else
		j.rebuilt = done >= total ? 0.99 : (double)done / (double)total;
	c->n++;
	return c->cb(&j, c->ctx);
}

int cxm_store_journey_get(struct cxm_store *s, int64_t tenant, int64_t id, cxm_journey_cb cb, void *ctx)
{
	static const char sql[] = "SELECT " JOURNEY_COLS " WHERE j.tenant_id = ? AND j.id = ?";
	struct journey_ctx c = { cb, ctx, 0 };
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(id) };
	int ret = JQ(s, sql, p, journey_row, &c, NULL);

	if (!ret && !c.n)
		ret = cxm_store_seterr(s, CXM_ENOTFOUND, _(MSG_S_NO_JOURNEY), (long long)id);
	return ret;
}

int cxm_store_journey_list(struct cxm_store *s, int64_t tenant, bool active_only, int64_t after_id, int limit,
			   cxm_journey_cb cb, void *ctx)
{
	static const char sql[] = "SELECT " JOURNEY_COLS " WHERE j.tenant_id = ? AND j.id > ?"
				  " AND (? = 0 OR j.status = 'active') ORDER BY j.id LIMIT ?";
	struct journey_ctx c = { cb, ctx, 0 };
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(after_id), SQLV_INT(active_only ? 1 : 0),
			      SQLV_INT(limit > 0 ? limit : INT64_MAX) };
	return JQ(s, sql, p, journey_row, &c, NULL);
}
