/*
 * idempotency.c - the stored answers of writes sent with an
 * Idempotency-Key (docs/api.md "Idempotency"; table idempotency_keys,
 * migration 0017), in portable SQL for both backends.
 */
#include "store-internal.h"

struct idem_read {
	cxm_idem_cb cb;
	void *ctx;
	bool found;
};

static int idem_row(const struct sqlrow *r, void *ctx)
{
	struct idem_read *rd = ctx;
	struct cxm_idem_answer a = {
		.method = row_text(r, 0),
		.path = row_text(r, 1),
		.request_hash = row_text(r, 2),
		.status = (int)row_int(r, 3),
		.content_type = row_text(r, 4),
		.location = row_text(r, 5),
		.body = row_text(r, 6),
		.created_at = row_int(r, 7),
	};

	rd->found = true;
	return rd->cb(&a, rd->ctx);
}

int cxm_store_idem_get(struct cxm_store *s, int64_t tenant, const char *principal, const char *key, int64_t since,
		       cxm_idem_cb cb, void *ctx)
{
	static const char sql[] = "SELECT method, path, request_hash, status, content_type, location, body, created_at"
				  " FROM idempotency_keys WHERE tenant_id = ? AND principal = ? AND idem_key = ?"
				  " AND created_at >= ?";
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_TEXT(principal), SQLV_TEXT(key), SQLV_INT(since) };
	struct idem_read rd = { cb, ctx, false };
	int ret = CXM_STORE_Q(s, sql, p, idem_row, &rd, NULL);

	if (!ret && !rd.found)
		return cxm_store_seterr(s, CXM_ENOTFOUND, "no stored answer for this idempotency key");
	return ret;
}

int cxm_store_idem_put(struct cxm_store *s, int64_t tenant, const char *principal, const char *key,
		       const struct cxm_idem_answer *a, int64_t since)
{
	/* an expired answer not purged yet gives way to the new one */
	static const char sql[] =
		"INSERT INTO idempotency_keys (tenant_id, principal, idem_key, method, path, request_hash, status,"
		" content_type, location, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		" ON CONFLICT (tenant_id, principal, idem_key) DO UPDATE SET method = excluded.method,"
		" path = excluded.path, request_hash = excluded.request_hash, status = excluded.status,"
		" content_type = excluded.content_type, location = excluded.location, body = excluded.body,"
		" created_at = excluded.created_at WHERE idempotency_keys.created_at < ?";
	struct sqlval p[] = { SQLV_INT(tenant),
			      SQLV_TEXT(principal),
			      SQLV_TEXT(key),
			      SQLV_TEXT(a->method),
			      SQLV_TEXT(a->path),
			      SQLV_TEXT(a->request_hash),
			      SQLV_INT(a->status),
			      SQLV_TEXT(a->content_type),
			      SQLV_TEXT(a->location),
			      SQLV_TEXT(a->body ? a->body : ""),
			      SQLV_INT(a->created_at),
			      SQLV_INT(since) };
	int64_t changes = 0;
	int ret = CXM_STORE_Q(s, sql, p, NULL, NULL, &changes);

	if (!ret && !changes)
		return cxm_store_seterr(s, CXM_ECONFLICT, "the idempotency key is in use");
	return ret;
}

int cxm_store_idem_purge(struct cxm_store *s, int64_t before, int limit, int64_t *n)
{
	/* one tenant at a time (no transaction spans tenants): the one
	 * with the oldest expired answer */
	static const char find[] = "SELECT tenant_id FROM idempotency_keys WHERE created_at < ?"
				   " ORDER BY created_at LIMIT 1";
	static const char del[] =
		"DELETE FROM idempotency_keys WHERE tenant_id = ? AND (tenant_id, principal, idem_key) IN"
		" (SELECT tenant_id, principal, idem_key FROM idempotency_keys WHERE tenant_id = ? AND created_at < ?"
		" LIMIT ?)";
	struct sqlval pf[] = { SQLV_INT(before) };
	int64_t tenant = INT64_MIN, changes = 0;
	int ret = CXM_STORE_Q(s, find, pf, cxm_store_int_row, &tenant, NULL);

	*n = 0;
	if (ret || tenant == INT64_MIN)
		return ret;
	struct sqlval pd[] = { SQLV_INT(tenant), SQLV_INT(tenant), SQLV_INT(before), SQLV_INT(limit) };
	ret = CXM_STORE_Q(s, del, pd, NULL, NULL, &changes);
	if (!ret)
		*n = changes;
	return ret;
}

int cxm_store_idem_oldest(struct cxm_store *s, int64_t *created_at)
{
	static const char sql[] = "SELECT created_at FROM idempotency_keys ORDER BY created_at LIMIT 1";
	struct sqlval p[] = { SQLV_NULL };

	*created_at = INT64_MAX;
	return cxm_store_q(s, sql, p, 0, cxm_store_int_row, created_at, NULL);
}
