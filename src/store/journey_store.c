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
#include "cxm/map.h"
#include "cxm/time.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JOURNEY_VERSION_SETTING "journeys.version"

/* store.c's query helper (store-internal.h), by its short name here */
#define JQ CXM_STORE_Q

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
	/* the rows, and the customers with a tail and no row yet */
	static const char sql[] =
		"SELECT (SELECT COUNT(*) FROM customer_seq WHERE tenant_id = ?) + (SELECT COUNT(DISTINCT customer_id)"
		" FROM customer_seq_tail t WHERE tenant_id = ? AND NOT EXISTS (SELECT 1 FROM customer_seq q"
		" WHERE q.tenant_id = t.tenant_id AND q.customer_id = t.customer_id))";
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(tenant) };
	*n = 0;
	return JQ(s, sql, p, cxm_store_int_row, n, NULL);
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

/*
 * A new journey takes the lowest free slot. Another connection may take
 * the same slot (or name) meanwhile: the insert then changes nothing, and
 * unless the name is the one taken, the free slots are read again.
 */
int cxm_store_journey_create(struct cxm_store *s, int64_t tenant, const char *name, const char *definition,
			     int64_t now, int64_t *id)
{
	static const char slots[] = "SELECT slot FROM journeys WHERE tenant_id = ? AND status = 'active'";
	static const char sql[] = "INSERT INTO journeys (tenant_id, id, slot, name, status, version, built_version,"
				  " build_cursor, build_done, build_total, created_at, updated_at)"
				  " VALUES (?, ?, ?, ?, 'active', 1, 0, 0, 0, ?, ?, ?) ON CONFLICT DO NOTHING";
	static const char named[] = "SELECT COUNT(*) FROM journeys WHERE tenant_id = ? AND name = ? AND status = 'active'";
	int64_t nid = cxm_id_next(), total = 0, changes = 0;
	int own, ret;

	if ((ret = cxm_store_tx_begin(s, &own)))
		return ret;
	if ((ret = seq_count(s, tenant, &total)))
		goto out;
	for (int tries = 0; !changes; tries++) {
		unsigned char used[256] = { 0 };
		int slot = 0, n_active = 0;
		int64_t taken = 0;
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
		{
			struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(nid),	SQLV_INT(slot), SQLV_TEXT(name),
					      SQLV_INT(total),	SQLV_INT(now), SQLV_INT(now) };
			if ((ret = JQ(s, sql, p, NULL, NULL, &changes)))
				goto out;
		}
		if (changes)
			break;
		{
			struct sqlval p[] = { SQLV_INT(tenant), SQLV_TEXT(name) };
			if ((ret = JQ(s, named, p, cxm_store_int_row, &taken, NULL)))
				goto out;
		}
		if (taken || tries == 16) {
			ret = cxm_store_seterr(s, CXM_EEXIST, _(MSG_S_JOURNEY_EXISTS), name);
			goto out;
		}
	}
	if (!ret)
		ret = version_add(s, tenant, nid, 1, definition, now);
	if (!ret)
		ret = journey_bump(s, tenant);
out:
	ret = cxm_store_tx_end(s, own, ret);
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

	if ((ret = cxm_store_tx_begin(s, &own)))
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
	ret = cxm_store_tx_end(s, own, ret);
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

	if ((ret = cxm_store_tx_begin(s, &own)))
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
	return cxm_store_tx_end(s, own, ret);
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

/* ---- sequences ------------------------------------------------------------ */

/*
 * A customer's sequence row holds their events as entries (ts, class,
 * tags), sorted by (ts, class, tags) - content only, so that the order of
 * equal-time events never depends on the order they arrived in; an entry's
 * index in that order is the event id given to cxm_journey_state_add as
 * its tie-break. The text is printable varints: each character is '0' plus
 * six bits, five of data and 0x20 for "more follows"; an entry is the time
 * since the previous entry's (the first: zigzag of its time), the class,
 * the number of tags and the tags.
 */
struct seq {
	size_t n, cap;
	int64_t *ts;
	uint32_t *cls;
	uint32_t *tag0; /* index of the entry's first tag in tags */
	uint32_t *ntags;
	uint32_t *tags;
	size_t ntag, captag;
};

static void seq_clear(struct seq *q)
{
	q->n = 0;
	q->ntag = 0;
}

static void seq_release(struct seq *q)
{
	free(q->ts);
	free(q->cls);
	free(q->tag0);
	free(q->ntags);
	free(q->tags);
	memset(q, 0, sizeof(*q));
}

static void seq_push(struct seq *q, int64_t ts, uint32_t cls, const uint32_t *tags, uint32_t ntags)
{
	if (q->n == q->cap) {
		q->cap = q->cap ? 2 * q->cap : 8;
		q->ts = xrealloc(q->ts, q->cap * sizeof(*q->ts));
		q->cls = xrealloc(q->cls, q->cap * sizeof(*q->cls));
		q->tag0 = xrealloc(q->tag0, q->cap * sizeof(*q->tag0));
		q->ntags = xrealloc(q->ntags, q->cap * sizeof(*q->ntags));
	}
	if (q->ntag + ntags > q->captag) {
		while (q->ntag + ntags > q->captag)
			q->captag = q->captag ? 2 * q->captag : 8;
		q->tags = xrealloc(q->tags, q->captag * sizeof(*q->tags));
	}
	q->ts[q->n] = ts;
	q->cls[q->n] = cls;
	q->tag0[q->n] = (uint32_t)q->ntag;
	q->ntags[q->n] = ntags;
	if (ntags)
		memcpy(q->tags + q->ntag, tags, ntags * sizeof(*tags));
	q->ntag += ntags;
	q->n++;
}

static void put_varint(struct cxm_buf *b, uint64_t v)
{
	char tmp[16];
	size_t n = 0;

	do {
		unsigned d = (unsigned)(v & 31);
		v >>= 5;
		tmp[n++] = (char)('0' + (d | (v ? 32 : 0)));
	} while (v);
	cxm_buf_add(b, tmp, n);
}

static bool get_varint(const char **pp, uint64_t *v)
{
	const unsigned char *p = (const unsigned char *)*pp;
	uint64_t r = 0;
	int shift = 0;

	for (;;) {
		unsigned d = (unsigned)*p - '0';
		if (d > 63 || shift > 60)
			return false;
		p++;
		r |= (uint64_t)(d & 31) << shift;
		shift += 5;
		if (!(d & 32))
			break;
	}
	*v = r;
	*pp = (const char *)p;
	return true;
}

static void seq_encode(const struct seq *q, const size_t *order, struct cxm_buf *b)
{
	int64_t prev = 0;

	cxm_buf_clear(b);
	for (size_t k = 0; k < q->n; k++) {
		size_t i = order ? order[k] : k;
		if (k == 0)
			put_varint(b, ((uint64_t)q->ts[i] << 1) ^ (uint64_t)(q->ts[i] >> 63));
		else
			put_varint(b, (uint64_t)(q->ts[i] - prev));
		prev = q->ts[i];
		put_varint(b, q->cls[i]);
		put_varint(b, q->ntags[i]);
		for (uint32_t t = 0; t < q->ntags[i]; t++)
			put_varint(b, q->tags[q->tag0[i] + t]);
	}
}

/* Appends the entries of text to q; false when it is not a sequence. */
static bool seq_decode(struct seq *q, const char *text)
{
	uint32_t tags[CXM_JOURNEY_ACTIVE_MAX * 4];
	int64_t prev = 0;
	bool first = true;

	while (text && *text) {
		uint64_t d, cls, nt;
		if (!get_varint(&text, &d) || !get_varint(&text, &cls) || !get_varint(&text, &nt) ||
		    nt > ARRAY_SIZE(tags))
			return false;
		for (uint64_t t = 0; t < nt; t++) {
			uint64_t v;
			if (!get_varint(&text, &v))
				return false;
			tags[t] = (uint32_t)v;
		}
		prev = first ? (int64_t)(d >> 1) ^ -(int64_t)(d & 1) : prev + (int64_t)d;
		first = false;
		seq_push(q, prev, (uint32_t)cls, tags, (uint32_t)nt);
	}
	return true;
}

/*
 * SQLite's cxm_seq_join(data, last_ts, tail): a sequence row's data with
 * the entries of tail after it, tail's entries all later than last_ts (the
 * row's last entry's time). The tail is encoded on its own, its first
 * entry's time whole: only that becomes a time since last_ts, and the rest
 * is copied, so a fold need not decode the row. NULL data (no entries):
 * the tail as it is.
 */
static void seq_join_fn(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	const char *data = (const char *)sqlite3_value_text(argv[0]);
	const char *tail = (const char *)sqlite3_value_text(argv[2]), *rest = tail;
	int64_t last = sqlite3_value_int64(argv[1]);
	struct cxm_buf b = CXM_BUF_INIT;
	size_t len;
	uint64_t z;

	(void)argc;
	if (!tail || !get_varint(&rest, &z)) {
		sqlite3_result_error(cx, "cxm_seq_join: not a sequence", -1);
		return;
	}
	if (!data || !*data) {
		sqlite3_result_value(cx, argv[2]);
		return;
	}
	int64_t first = (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
	if (first <= last) {
		sqlite3_result_error(cx, "cxm_seq_join: the tail is not after the row", -1);
		return;
	}
	cxm_buf_add(&b, data, strlen(data));
	put_varint(&b, (uint64_t)(first - last));
	cxm_buf_add(&b, rest, strlen(rest));
	char *out = cxm_buf_detach(&b, &len);
	sqlite3_result_text(cx, out, (int)len, free);
}

int cxm_jstore_sqlite_functions(sqlite3 *db)
{
	return sqlite3_create_function(db, "cxm_seq_join", 3, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
				       seq_join_fn, NULL, NULL);
}

/* qsort has no context argument: the sequence being sorted, per thread */
static _Thread_local const struct seq *sort_q;

/* The order of entry a of qa and entry b of qb in a sequence. */
static int entry_cmp2(const struct seq *qa, size_t a, const struct seq *qb, size_t b)
{
	if (qa->ts[a] != qb->ts[b])
		return qa->ts[a] < qb->ts[b] ? -1 : 1;
	if (qa->cls[a] != qb->cls[b])
		return qa->cls[a] < qb->cls[b] ? -1 : 1;
	for (uint32_t t = 0; t < qa->ntags[a] && t < qb->ntags[b]; t++) {
		uint32_t x = qa->tags[qa->tag0[a] + t], y = qb->tags[qb->tag0[b] + t];
		if (x != y)
			return x < y ? -1 : 1;
	}
	return (qa->ntags[a] > qb->ntags[b]) - (qa->ntags[a] < qb->ntags[b]);
}

static int entry_cmp(const void *pa, const void *pb)
{
	return entry_cmp2(sort_q, *(const size_t *)pa, sort_q, *(const size_t *)pb);
}

/* Puts q's entries in sequence order (rewriting q; nothing to do when
 * they are, the usual case for a customer's tail). */
static void seq_sort(struct seq *q)
{
	size_t *order, run = 1;
	struct seq out = { 0 };

	while (run < q->n && entry_cmp2(q, run - 1, q, run) <= 0)
		run++;
	if (run >= q->n)
		return;
	order = xmalloc(q->n * sizeof(*order));
	for (size_t i = 0; i < q->n; i++)
		order[i] = i;
	sort_q = q;
	qsort(order, q->n, sizeof(*order), entry_cmp);
	for (size_t k = 0; k < q->n; k++)
		seq_push(&out, q->ts[order[k]], q->cls[order[k]], q->tags + q->tag0[order[k]], q->ntags[order[k]]);
	seq_release(q);
	*q = out;
	free(order);
}

static void seq_push_entry(struct seq *out, const struct seq *q, size_t i)
{
	seq_push(out, q->ts[i], q->cls[i], q->tags + q->tag0[i], q->ntags[i]);
}

/*
 * out = the sorted sequences a and b together, in order: a linear merge,
 * no sort. When every entry of b comes after a's last (events arriving in
 * order, the usual case), it is a's entries then b's; a late entry finds
 * its place by binary search.
 */
static void seq_merge(struct seq *out, const struct seq *a, const struct seq *b)
{
	size_t i = 0;

	seq_clear(out);
	for (size_t k = 0; k < b->n; k++) {
		/* a's entries up to b[k]: the first of a after it, by binary search */
		size_t lo = i, hi = a->n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (entry_cmp2(a, mid, b, k) <= 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; i < lo; i++)
			seq_push_entry(out, a, i);
		seq_push_entry(out, b, k);
	}
	for (; i < a->n; i++)
		seq_push_entry(out, a, i);
}

/* Keeps the newest max entries of q; whether any were dropped. */
static bool seq_cap(struct seq *q, size_t max)
{
	size_t from;
	uint32_t t0;

	if (q->n <= max)
		return false;
	from = q->n - max;
	t0 = from < q->n ? q->tag0[from] : (uint32_t)q->ntag;
	memmove(q->ts, q->ts + from, max * sizeof(*q->ts));
	memmove(q->cls, q->cls + from, max * sizeof(*q->cls));
	memmove(q->ntags, q->ntags + from, max * sizeof(*q->ntags));
	for (size_t i = 0; i < max; i++)
		q->tag0[i] = q->tag0[i + from] - t0;
	if (q->ntag > t0) /* tags NULL when no entry ever had one */
		memmove(q->tags, q->tags + t0, (q->ntag - t0) * sizeof(*q->tags));
	q->ntag -= t0;
	q->n = max;
	return true;
}

static void tags_sort(uint32_t *t, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++)
		for (uint32_t k = i; k > 0 && t[k - 1] > t[k]; k--) {
			uint32_t x = t[k];
			t[k] = t[k - 1];
			t[k - 1] = x;
		}
}

/* ---- the tenant's active journeys, compiled ------------------------------- */

struct jdef {
	int64_t id;
	int slot, version, built_version;
	int64_t cursor;        /* while building: customers up to it are built */
	bool needs_props;
	cJSON *tree;
	struct cxm_journey_def def;
};

/*
 * An open-addressing index over an array the caller keeps: each slot holds
 * the top half of an element's hash and its position + 1 (0: empty), at
 * least half the slots empty. The caller hashes its key and says whether
 * an element has that key; elements whose hash differs are never looked at
 * (each look is a likely cache miss).
 */
struct oindex {
	uint64_t *slot;
	size_t cap; /* a power of two, or 0 */
};

#define OINDEX_TAG(h) ((h) & ~(uint64_t)0xffffffffu)
#define OINDEX_AT(v) ((size_t)((v) & 0xffffffffu)) /* position + 1 */

typedef bool (*oindex_same)(const void *elems, size_t at, const void *key);
typedef uint64_t (*oindex_hash)(const void *elems, size_t at);

static uint64_t mix64(uint64_t h)
{
	h ^= h >> 31;
	h *= 0x9e3779b97f4a7c15u;
	return h ^ (h >> 29);
}

/* The slot of key: its element's, or the empty one where it goes. */
static uint64_t *oindex_slot(const struct oindex *x, uint64_t h, oindex_same same, const void *elems,
			     const void *key)
{
	size_t mask = x->cap - 1, i = (size_t)h & mask;

	while (x->slot[i] && (OINDEX_TAG(x->slot[i]) != OINDEX_TAG(h) || !same(elems, OINDEX_AT(x->slot[i]) - 1, key)))
		i = (i + 1) & mask;
	return &x->slot[i];
}

/* Makes room for an (n+1)th element: rehashes elems[0..n) when it grows. */
static void oindex_room(struct oindex *x, size_t n, oindex_hash hash, const void *elems)
{
	if (2 * (n + 1) <= x->cap)
		return;
	if (n + 1 > 0xffffffffu)
		BUG("journey store: an index of 2^32 elements");
	x->cap = x->cap ? 2 * x->cap : 1024;
	free(x->slot);
	x->slot = xcalloc(x->cap, sizeof(*x->slot));
	for (size_t at = 0; at < n; at++) {
		uint64_t h = hash(elems, at);
		size_t mask = x->cap - 1, i = (size_t)h & mask;
		while (x->slot[i])
			i = (i + 1) & mask;
		x->slot[i] = OINDEX_TAG(h) | (at + 1);
	}
}

/* key's position + 1 among elems[0..n), or 0 when it is not there; when
 * add, *put is then the empty slot where it goes (room made), for
 * oindex_put. */
static size_t oindex_get(struct oindex *x, size_t n, uint64_t h, oindex_same same, oindex_hash hash,
			 const void *elems, const void *key, bool add, uint64_t **put)
{
	uint64_t *slot = x->cap ? oindex_slot(x, h, same, elems, key) : NULL;

	if ((slot && *slot) || !add)
		return slot ? OINDEX_AT(*slot) : 0;
	oindex_room(x, n, hash, elems);
	*put = oindex_slot(x, h, same, elems, key);
	return 0;
}

/* Fills the slot oindex_get gave with the element at (position) of hash h. */
static void oindex_put(uint64_t *slot, uint64_t h, size_t at)
{
	*slot = OINDEX_TAG(h) | (at + 1);
}

static void oindex_clear(struct oindex *x)
{
	if (x->cap)
		memset(x->slot, 0, x->cap * sizeof(*x->slot));
}

struct jdelta {
	int64_t tenant, journey, day;
	int version, grain, node;
	char *value;
	bool in_sp; /* listed in jstore.spv */
	/* [0] the transaction's, [1] the open savepoint's */
	int64_t reached[2], converted[2];
	int64_t times[2][CXM_JOURNEY_BUCKETS];
};

/* Another tenant's compiled journeys, kept for when its events come again
 * (a handle serves every tenant in turn), valid while its version is. */
#define JS_TENANTS 16
struct jcached {
	bool full;
	int64_t tenant, version;
	uint64_t used; /* least recently used goes first */
	size_t n;
	struct jdef *j;
	int nbad;
	int64_t bad[CXM_JOURNEY_ACTIVE_MAX];
};

struct jstore {
	bool off;              /* CXM_JOURNEYS=off: a bench knob, no tracking */
	int64_t tenant, version;
	bool valid;
	size_t n;
	struct jdef j[CXM_JOURNEY_ACTIVE_MAX];
	/* active journeys waiting for a build whose stored definition does not
	 * check (left out of j): the build step marks them built, once */
	int64_t bad[CXM_JOURNEY_ACTIVE_MAX];
	int nbad;
	struct jcached cache[JS_TENANTS];
	uint64_t clock;
	/* event classes seen: "tenant\x1e" "type\x1f" "channel\x1f" "touchpoint"
	 * -> id, a cache of event_classes (emptied at rollback and when full) */
	struct cxm_map classes;
	int64_t classes_max; /* a tenant's classes; then CXM_CLASS_OTHER */
	size_t seq_max;      /* entries kept per customer: their newest */
	/* pending rollup changes */
	struct oindex index;
	struct jdelta *v;
	size_t nv, capv;
	/* the deltas the open savepoint changed: a savepoint's release or
	 * rollback visits only these, not every delta of the transaction */
	size_t *spv;
	size_t nspv, capspv;
	struct cxm_buf key;
	/* scratch */
	struct seq old, cur, add;
	struct cxm_buf text;
	/* a second connection for the sequence scan's other half, or NULL */
	struct cxm_store *helper;
	/* customer_seq_tail's entries (0016): known after a first read of the
	 * table, counted as they are appended; approximate (other processes,
	 * rollbacks); the fold empties the tail when it reaches tail_max */
	bool tail_known;
	int64_t tail_n, tail_max;
	/* SQLite: the tail by customer, in memory (struct mtail, "the tail in
	 * memory" below); mem_known: it is the table's, else built again */
	bool mem_known;
	struct oindex mem_index; /* mem by (tenant, customer) */
	struct mtail *mem;
	size_t nmem, capmem;
	size_t nmemalloc;     /* mem[0..nmemalloc) hold allocations kept for reuse */
	/* tail rows added by this ingest call, inserted at its end (tail_flush) */
	struct tpend {
		int64_t tenant, customer, n, id; /* id 0: the table's next */
		size_t data, segment, segs;      /* offsets in pbuf; SIZE_MAX: NULL */
	} *pend;
	size_t npend, cappend;
	struct cxm_buf pbuf;
	int64_t mem_next_id;  /* the id of the next tail row */
	int64_t data_version; /* PRAGMA data_version when the map was built */
	struct seq mdec;      /* scratch of the map's build */
	/* SQLite: which customers may have a customer_seq row (struct
	 * rowfilter, below); rows_version: data_version when it was built */
	struct rowfilter {
		uint64_t *bits;
		size_t nbits; /* a power of two; 0: not built */
		size_t keys;  /* added since built, with the rows it was built from */
	} rows;
	int64_t rows_version;
	size_t rows_min_bits;
};

/* The classes a tenant may have (CXM_CLASSES_MAX overrides it, for tests):
 * events of further new classes are stored and tagged as usual but their
 * sequence entries have class CXM_CLASS_OTHER, the row with empty type,
 * channel and touchpoint. */
#define JS_CLASSES_MAX 10000
#define CXM_CLASS_OTHER 0

/* The entries kept in a customer's sequence (CXM_SEQ_MAX overrides it):
 * their newest, so that one busy customer costs every write at most this
 * much; journeys, funnels and paths count only these (docs/journeys.md). */
#define JS_SEQ_MAX 10000

/* The tail's entries that make the commit reaching them fold it into
 * customer_seq (cxm_store_seq_tail_max sets another, for tests): each fold
 * writes every page of customer_seq that holds a tail customer once, in
 * key order, so a larger tail writes fewer pages per event and makes every
 * load of a customer and every scan read more tail (docs/journeys.md). */
#define JS_TAIL_MAX 100000

/* The row filter's least size in bits (struct rowfilter; CXM_ROWS_BITS,
 * a power of two from 64, sets a smaller one for tests). */
#define ROWS_MIN_BITS ((size_t)1 << 20)

/*
 * The tail in memory (SQLite). A server has one writing connection and
 * SQLite one writer at a time, so a handle's writes are the only ones to
 * the tail while its transaction runs: it keeps each tail customer's rows
 * decoded (their entries sorted, counts, the newest segment and segs, the
 * rows' ids) and reads a customer's sequence as their row, by key, plus
 * these, instead of looking the tail rows up. The map is built from the
 * table the first time a write transaction needs it, and dropped (built
 * again on next use) by anything that may change the table behind it: a
 * rollback or a savepoint's, another connection's commit (PRAGMA
 * data_version at each BEGIN), a change of the tail outside a transaction.
 * PostgreSQL (several nodes write) reads the table every time.
 */
struct mtail {
	int64_t tenant, customer;
	int64_t n;      /* the events the rows took in */
	int64_t tail_n; /* their entries */
	struct seq q;   /* the entries, sorted */
	bool bad;       /* a row did not decode */
	int64_t meta_id; /* the newest row with segs, or 0 */
	char *segment, *segs;
	struct mrow {
		int64_t id;
		bool meta; /* segs not NULL */
	} *rows;
	size_t nrows, caprows; /* 0: no tail (folded or written whole) */
};

static void mtail_empty(struct mtail *e)
{
	seq_clear(&e->q);
	free(e->segment);
	free(e->segs);
	e->segment = e->segs = NULL;
	e->n = e->tail_n = e->meta_id = 0;
	e->bad = false;
	e->nrows = 0;
}

/* Forgets the map: built again from the table on next use. The entries'
 * arrays stay for the next customers (a fold empties the map every
 * tail_max entries), unless one grew large. */
static void mem_drop(struct jstore *js)
{
	for (size_t i = 0; i < js->nmem; i++) {
		struct mtail *e = &js->mem[i];
		mtail_empty(e);
		if (e->q.cap > 64)
			seq_release(&e->q);
	}
	js->nmem = 0;
	oindex_clear(&js->mem_index);
	js->mem_known = false;
}

static struct jstore *js_get(struct cxm_store *s)
{
	if (!s->js) {
		struct jstore *js = s->js = xcalloc(1, sizeof(*js));
		const char *off = getenv("CXM_JOURNEYS");
		const char *cmax = getenv("CXM_CLASSES_MAX"), *smax = getenv("CXM_SEQ_MAX");
		const char *rbits = getenv("CXM_ROWS_BITS"); /* tests: a small row filter fills up */
		js->off = off && !strcmp(off, "off");
		js->classes_max = cmax && atoll(cmax) > 0 ? atoll(cmax) : JS_CLASSES_MAX;
		js->seq_max = smax && atoll(smax) > 0 ? (size_t)atoll(smax) : JS_SEQ_MAX;
		js->tail_max = JS_TAIL_MAX;
		js->rows_min_bits = ROWS_MIN_BITS;
		while (rbits && atoll(rbits) >= 64 && js->rows_min_bits > (size_t)atoll(rbits))
			js->rows_min_bits /= 2;
		cxm_map_init(&js->classes);
		cxm_buf_init(&js->pbuf, 0);
		cxm_buf_init(&js->key, 0);
		cxm_buf_init(&js->text, 0);
	}
	return s->js;
}

static void js_defs_free(struct jstore *js)
{
	for (size_t i = 0; i < js->n; i++)
		cJSON_Delete(js->j[i].tree);
	js->n = 0;
	js->nbad = 0;
	js->valid = false;
}

static void js_pend_free(struct jstore *js)
{
	for (size_t i = 0; i < js->nv; i++)
		free(js->v[i].value);
	js->nv = 0;
	js->nspv = 0;
	oindex_clear(&js->index);
}

static void cached_free(struct jcached *c)
{
	for (size_t i = 0; i < c->n; i++)
		cJSON_Delete(c->j[i].tree);
	free(c->j);
	memset(c, 0, sizeof(*c));
}

static void js_cache_clear(struct jstore *js)
{
	for (int i = 0; i < JS_TENANTS; i++)
		cached_free(&js->cache[i]);
}

/* Moves the loaded tenant's journeys into the cache (or frees them). */
static void js_stash(struct jstore *js)
{
	struct jcached *c = NULL;

	if (!js->valid) {
		js_defs_free(js);
		return;
	}
	for (int i = 0; i < JS_TENANTS && !c; i++)
		if (js->cache[i].full && js->cache[i].tenant == js->tenant)
			c = &js->cache[i];
	for (int i = 0; i < JS_TENANTS && !c; i++)
		if (!js->cache[i].full)
			c = &js->cache[i];
	if (!c) {
		c = &js->cache[0];
		for (int i = 1; i < JS_TENANTS; i++)
			if (js->cache[i].used < c->used)
				c = &js->cache[i];
	}
	cached_free(c);
	c->full = true;
	c->tenant = js->tenant;
	c->version = js->version;
	c->used = ++js->clock;
	c->n = js->n;
	c->j = xmalloc((js->n ? js->n : 1) * sizeof(*c->j));
	memcpy(c->j, js->j, js->n * sizeof(*c->j)); /* the trees move with them */
	c->nbad = js->nbad;
	memcpy(c->bad, js->bad, sizeof(c->bad));
	js->n = 0;
	js->nbad = 0;
	js->valid = false;
}

/* Takes the tenant's journeys from the cache when they are of version. */
static bool js_unstash(struct jstore *js, int64_t tenant, int64_t version)
{
	for (int i = 0; i < JS_TENANTS; i++) {
		struct jcached *c = &js->cache[i];
		if (!c->full || c->tenant != tenant)
			continue;
		if (c->version != version) {
			cached_free(c);
			return false;
		}
		memcpy(js->j, c->j, c->n * sizeof(*c->j));
		js->n = c->n;
		js->nbad = c->nbad;
		memcpy(js->bad, c->bad, sizeof(js->bad));
		js->tenant = tenant;
		js->version = version;
		js->valid = true;
		free(c->j);
		memset(c, 0, sizeof(*c));
		return true;
	}
	return false;
}

void cxm_jstore_free(struct cxm_store *s)
{
	struct jstore *js = s->js;

	if (!js)
		return;
	js_defs_free(js);
	js_cache_clear(js);
	js_pend_free(js);
	free(js->v);
	free(js->spv);
	cxm_map_release(&js->classes);
	free(js->index.slot);
	cxm_buf_release(&js->key);
	cxm_buf_release(&js->text);
	seq_release(&js->old);
	seq_release(&js->cur);
	seq_release(&js->add);
	mem_drop(js);
	for (size_t i = 0; i < js->nmemalloc; i++) {
		seq_release(&js->mem[i].q);
		free(js->mem[i].rows);
	}
	seq_release(&js->mdec);
	free(js->rows.bits);
	free(js->mem);
	free(js->mem_index.slot);
	free(js->pend);
	cxm_buf_release(&js->pbuf);
	if (js->helper)
		cxm_store_close(js->helper);
	free(js);
	s->js = NULL;
}

struct load_ctx {
	struct jstore *js;
	int bad;
};

static int def_row(const struct sqlrow *r, void *vctx)
{
	struct load_ctx *c = vctx;
	struct jstore *js = c->js;
	struct jdef *d;
	char field[128], why[256];

	if (js->n >= CXM_JOURNEY_ACTIVE_MAX)
		return 0;
	d = &js->j[js->n];
	memset(d, 0, sizeof(*d));
	d->id = row_int(r, 0);
	d->slot = (int)row_int(r, 1);
	d->version = (int)row_int(r, 2);
	d->built_version = (int)row_int(r, 3);
	d->cursor = row_int(r, 4);
	d->tree = cJSON_Parse(row_text(r, 5));
	if (!d->tree || cxm_journey_check(d->tree, &d->def, field, sizeof(field), why, sizeof(why))) {
		cJSON_Delete(d->tree);
		if (d->built_version < d->version && js->nbad < CXM_JOURNEY_ACTIVE_MAX)
			js->bad[js->nbad++] = d->id;
		c->bad++;
		return 0;
	}
	d->needs_props = cxm_journey_needs_properties(&d->def);
	js->n++;
	return 0;
}

/* Loads (when they changed) the tenant's active journeys. */
static int js_load(struct cxm_store *s, int64_t tenant)
{
	static const char defs[] =
		"SELECT j.id, j.slot, j.version, j.built_version, j.build_cursor, v.definition FROM journeys j"
		" JOIN journey_versions v ON v.tenant_id = j.tenant_id AND v.journey_id = j.id AND v.version = j.version"
		" WHERE j.tenant_id = ? AND j.status = 'active' ORDER BY j.id";
	struct jstore *js = js_get(s);
	int64_t version;
	int ret;

	if ((ret = cxm_store_journey_version(s, tenant, &version)))
		return ret;
	if (js->valid && js->tenant == tenant && js->version == version)
		return 0;
	if (js->valid && js->tenant != tenant)
		js_stash(js);
	else
		js_defs_free(js);
	if (js_unstash(js, tenant, version))
		return 0;
	{
		struct load_ctx c = { js, 0 };
		struct sqlval p[] = { SQLV_INT(tenant) };
		if ((ret = JQ(s, defs, p, def_row, &c, NULL))) {
			js_defs_free(js);
			return ret;
		}
	}
	js->tenant = tenant;
	js->version = version;
	js->valid = true;
	return 0;
}

/* ---- event classes -------------------------------------------------------- */

static void class_key(struct cxm_buf *b, int64_t tenant, const char *type, const char *channel,
		      const char *touchpoint)
{
	char head[24];

	cxm_buf_clear(b);
	cxm_buf_add(b, head, (size_t)snprintf(head, sizeof(head), "%lld\x1e", (long long)tenant));
	cxm_buf_addstr(b, type ? type : "");
	cxm_buf_addch(b, '\x1f');
	cxm_buf_addstr(b, channel ? channel : "");
	cxm_buf_addch(b, '\x1f');
	cxm_buf_addstr(b, touchpoint ? touchpoint : "");
}

/* Whether the number at ctx was found (it stays -1 otherwise). */
static int class_found_row(const struct sqlrow *r, void *ctx)
{
	*(int64_t *)ctx = row_int(r, 0);
	return 0;
}

/*
 * The id of an event's class, added when new. Other connections (another
 * process on the file, another node on PostgreSQL) add classes too, so a
 * new one takes MAX(id) + 1 as the database has it, and a clash (the id or
 * the key taken meanwhile) is not an error: the key is looked up again.
 */
static int class_id(struct cxm_store *s, int64_t tenant, const struct cxm_event *e, uint32_t *id)
{
	static const char find[] = "SELECT id FROM event_classes WHERE tenant_id = ? AND type = ? AND channel = ?"
				   " AND touchpoint = ?";
	static const char top[] = "SELECT COALESCE(MAX(id), 0) FROM event_classes WHERE tenant_id = ?";
	static const char add[] = "INSERT INTO event_classes (tenant_id, id, type, channel, touchpoint)"
				  " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";
	struct jstore *js = s->js;
	const char *type = e->type ? e->type : "", *channel = e->channel ? e->channel : "",
		   *tp = e->touchpoint ? e->touchpoint : "";
	int64_t v;
	int ret;

	class_key(&js->key, tenant, type, channel, tp);
	if (cxm_map_get(&js->classes, cxm_buf_str(&js->key), &v)) {
		*id = (uint32_t)v;
		return 0;
	}
	for (int tries = 0;; tries++) {
		int64_t max = 0;
		v = -1;
		{
			struct sqlval p[] = { SQLV_INT(tenant), SQLV_TEXT(type), SQLV_TEXT(channel), SQLV_TEXT(tp) };
			if ((ret = JQ(s, find, p, class_found_row, &v, NULL)))
				return ret;
		}
		if (v >= 0)
			break;
		if (tries == 16)
			return cxm_store_seterr(s, CXM_ECONFLICT, _(MSG_S_CLASS_BUSY));
		{
			struct sqlval p[] = { SQLV_INT(tenant) };
			if ((ret = JQ(s, top, p, cxm_store_int_row, &max, NULL)))
				return ret;
		}
		if (max >= js->classes_max)
			type = channel = tp = ""; /* the tenant's classes are full: "other" */
		{
			struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(type[0] ? max + 1 : CXM_CLASS_OTHER),
					      SQLV_TEXT(type), SQLV_TEXT(channel), SQLV_TEXT(tp) };
			if ((ret = JQ(s, add, p, NULL, NULL, NULL)))
				return ret;
		}
	}
	if (cxm_map_count(&js->classes) >= 65536)
		cxm_map_clear(&js->classes);
	class_key(&js->key, tenant, e->type, e->channel, e->touchpoint);
	cxm_map_put(&js->classes, cxm_buf_str(&js->key), v);
	*id = (uint32_t)v;
	return 0;
}

struct classes_ctx {
	cxm_event_class_cb cb;
	void *ctx;
};

static int classes_row(const struct sqlrow *r, void *vctx)
{
	struct classes_ctx *c = vctx;
	const char *tp = row_text(r, 3);
	struct cxm_event_class ec = {
		.id = (uint32_t)row_int(r, 0),
		.type = row_text(r, 1),
		.channel = row_text(r, 2),
		.touchpoint = tp && *tp ? tp : NULL,
	};
	return c->cb(&ec, c->ctx);
}

int cxm_store_event_classes(struct cxm_store *s, int64_t tenant, cxm_event_class_cb cb, void *ctx)
{
	static const char sql[] =
		"SELECT id, type, channel, touchpoint FROM event_classes WHERE tenant_id = ? ORDER BY id";
	struct classes_ctx c = { cb, ctx };
	struct sqlval p[] = { SQLV_INT(tenant) };
	return JQ(s, sql, p, classes_row, &c, NULL);
}

/* ---- rollup changes, kept until commit ------------------------------------ */

static uint64_t str_hash(const char *v)
{
	uint64_t h = 0xcbf29ce484222325u; /* FNV-1a */

	for (; *v; v++)
		h = (h ^ (unsigned char)*v) * 0x100000001b3u;
	return h;
}

static uint64_t delta_hash(int64_t tenant, int64_t journey, int version, int grain, int64_t day, int node,
			   const char *value)
{
	uint64_t h = mix64((uint64_t)tenant) ^ (uint64_t)journey;

	h = mix64(h) ^ ((uint64_t)version << 8 | (uint64_t)grain);
	h = mix64(h) ^ (uint64_t)day;
	h = mix64(h) ^ (uint64_t)node;
	return mix64(h ^ str_hash(value));
}

static uint64_t delta_hash_at(const void *elems, size_t at)
{
	const struct jdelta *x = (const struct jdelta *)elems + at;

	return delta_hash(x->tenant, x->journey, x->version, x->grain, x->day, x->node, x->value);
}

static bool delta_same(const void *elems, size_t at, const void *key)
{
	const struct jdelta *x = (const struct jdelta *)elems + at, *k = key;

	return x->tenant == k->tenant && x->journey == k->journey && x->version == k->version &&
	       x->grain == k->grain && x->day == k->day && x->node == k->node && !strcmp(x->value, k->value);
}

static struct jdelta *delta_at(struct cxm_store *s, int64_t tenant, int64_t journey, int version, int grain,
			       int64_t day, const char *value, int node)
{
	struct jstore *js = s->js;
	struct jdelta k = { .tenant = tenant, .journey = journey, .day = day, .version = version,
			    .grain = grain, .node = node, .value = (char *)value };
	uint64_t h = delta_hash(tenant, journey, version, grain, day, node, value), *put = NULL;
	size_t at = oindex_get(&js->index, js->nv, h, delta_same, delta_hash_at, js->v, &k, true, &put);

	if (at)
		return &js->v[at - 1];
	if (js->nv == js->capv) {
		js->capv = js->capv ? 2 * js->capv : 256;
		js->v = xrealloc(js->v, js->capv * sizeof(*js->v));
	}
	struct jdelta *x = &js->v[js->nv];
	memset(x, 0, sizeof(*x));
	x->tenant = tenant;
	x->journey = journey;
	x->version = version;
	x->grain = grain;
	x->day = day;
	x->node = node;
	x->value = xstrdup(value);
	oindex_put(put, h, js->nv++);
	return x;
}

/* Lists x among the deltas the open savepoint changed. */
static void sp_note(struct jstore *js, struct jdelta *x)
{
	if (js->nspv == js->capspv) {
		js->capspv = js->capspv ? 2 * js->capspv : 256;
		js->spv = xrealloc(js->spv, js->capspv * sizeof(*js->spv));
	}
	js->spv[js->nspv++] = (size_t)(x - js->v);
	x->in_sp = true;
}

/* Adds sign times the items of a contribution (skip[i]: left out). */
static int items_apply(struct cxm_store *s, int64_t tenant, const struct jdef *d, int version,
		       const struct cxm_journey_contrib *c, size_t n, const bool *skip, const char *segment, int sign)
{
	int sp = s->in_sp ? 1 : 0;

	for (size_t i = 0; i < n; i++) {
		int64_t day;
		if (skip && skip[i])
			continue;
		int ret = cxm_store_tenant_day(s, tenant, c[i].first, &day);
		if (ret)
			return ret;
		for (int grain = 0; grain < 2; grain++) {
			int64_t at = grain ? cxm_bucket_start(CXM_BUCKET_MONTH, day) : day;
			struct jdelta *x = delta_at(s, tenant, d->id, version, grain, at, segment, c[i].node);
			if (sp && !x->in_sp)
				sp_note(s->js, x);
			x->reached[sp] += sign;
			if (c[i].converted) {
				x->converted[sp] += sign;
				x->times[sp][cxm_journey_bucket(c[i].seconds)] += sign;
			}
		}
	}
	return 0;
}

/* Adds sign times a customer's contribution to journey d's rollups. */
static int contrib_apply(struct cxm_store *s, int64_t tenant, const struct jdef *d, int version,
			 const struct cxm_journey_state *st, const char *segment, int sign)
{
	struct cxm_journey_contrib c[CXM_JOURNEY_NODES_MAX];
	size_t n = cxm_journey_contrib_of(&d->def, st, c);

	return items_apply(s, tenant, d, version, c, n, NULL, segment, sign);
}

static bool same_item(const struct cxm_journey_contrib *a, const struct cxm_journey_contrib *b)
{
	return a->node == b->node && a->first == b->first && a->converted == b->converted &&
	       (!a->converted || a->seconds == b->seconds);
}

/* Moves the rollups from contribution a to b: only the items that differ
 * (a new event leaves most of a customer's nodes as they were). */
static int contrib_move(struct cxm_store *s, int64_t tenant, const struct jdef *d, int version,
			const struct cxm_journey_state *a, const struct cxm_journey_state *b, const char *segment)
{
	struct cxm_journey_contrib ca[CXM_JOURNEY_NODES_MAX], cb[CXM_JOURNEY_NODES_MAX];
	bool sa[CXM_JOURNEY_NODES_MAX] = { false }, sb[CXM_JOURNEY_NODES_MAX] = { false };
	size_t na = a ? cxm_journey_contrib_of(&d->def, a, ca) : 0, nb = cxm_journey_contrib_of(&d->def, b, cb);
	int ret;

	for (size_t i = 0; i < na; i++)
		for (size_t k = 0; k < nb; k++)
			if (!sb[k] && same_item(&ca[i], &cb[k])) {
				sa[i] = sb[k] = true;
				break;
			}
	if ((ret = items_apply(s, tenant, d, version, ca, na, sa, segment, -1)))
		return ret;
	return items_apply(s, tenant, d, version, cb, nb, sb, segment, 1);
}

static void delta_merge(struct jdelta *x)
{
	x->reached[0] += x->reached[1];
	x->converted[0] += x->converted[1];
	x->reached[1] = x->converted[1] = 0;
	for (int b = 0; b < CXM_JOURNEY_BUCKETS; b++) {
		x->times[0][b] += x->times[1][b];
		x->times[1][b] = 0;
	}
}

void cxm_jstore_discard(struct cxm_store *s, bool savepoint_only)
{
	struct jstore *js = s->js;

	if (!js)
		return;
	if (savepoint_only) {
		for (size_t i = 0; i < js->nspv; i++) {
			struct jdelta *x = &js->v[js->spv[i]];
			x->reached[1] = x->converted[1] = 0;
			memset(x->times[1], 0, sizeof(x->times[1]));
			x->in_sp = false;
		}
		js->nspv = 0;
	} else {
		js_pend_free(js);
	}
	/* classes (and build cursors) written under it are gone too, and the
	 * tail rows: counted again from the table */
	js->tail_known = false;
	mem_drop(js);
	cxm_map_clear(&js->classes);
	js_cache_clear(js);
	js->valid = false;
}

void cxm_jstore_merge_savepoint(struct cxm_store *s)
{
	struct jstore *js = s->js;

	if (!js)
		return;
	for (size_t i = 0; i < js->nspv; i++) {
		delta_merge(&js->v[js->spv[i]]);
		js->v[js->spv[i]].in_sp = false;
	}
	js->nspv = 0;
}

static int tail_fold(struct cxm_store *s);

int cxm_jstore_flush(struct cxm_store *s)
{
	static const char roll[] =
		"INSERT INTO journey_rollups (tenant_id, journey_id, version, grain, day, value, node, reached, converted)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, journey_id, version, grain, day, value, node)"
		" DO UPDATE SET reached = journey_rollups.reached + excluded.reached,"
		" converted = journey_rollups.converted + excluded.converted";
	static const char times[] =
		"INSERT INTO journey_times (tenant_id, journey_id, version, grain, day, value, node, bucket, n)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
		" ON CONFLICT (tenant_id, journey_id, version, grain, day, value, node, bucket)"
		" DO UPDATE SET n = journey_times.n + excluded.n";
	struct jstore *js = s->js;
	int ret = 0;

	for (size_t i = 0; js && i < js->nv && !ret; i++) {
		struct jdelta *x = &js->v[i];
		delta_merge(x);
		if (x->reached[0] || x->converted[0]) {
			struct sqlval p[] = { SQLV_INT(x->tenant),   SQLV_INT(x->journey), SQLV_INT(x->version),
					      SQLV_INT(x->grain),    SQLV_INT(x->day),	   SQLV_TEXT(x->value),
					      SQLV_INT(x->node),     SQLV_INT(x->reached[0]),
					      SQLV_INT(x->converted[0]) };
			ret = JQ(s, roll, p, NULL, NULL, NULL);
		}
		for (int b = 0; b < CXM_JOURNEY_BUCKETS && !ret; b++) {
			if (!x->times[0][b])
				continue;
			struct sqlval p[] = { SQLV_INT(x->tenant), SQLV_INT(x->journey), SQLV_INT(x->version),
					      SQLV_INT(x->grain),  SQLV_INT(x->day),	 SQLV_TEXT(x->value),
					      SQLV_INT(x->node),   SQLV_INT(b),		 SQLV_INT(x->times[0][b]) };
			ret = JQ(s, times, p, NULL, NULL, NULL);
		}
	}
	if (js)
		js_pend_free(js);
	if (!ret && js && js->tail_known && js->tail_n >= js->tail_max)
		ret = tail_fold(s);
	return ret;
}

/* ---- a customer's row ----------------------------------------------------- */

/*
 * A customer's sequence is their customer_seq row and their tail rows
 * (customer_seq_tail, migration 0016): the entries that came after the
 * row was written, one tail row per ingest call, until a fold or a write
 * of the whole row takes them in. A tail row that changed the customer's
 * segment or segs carries both (the newest such row wins over the row):
 * a new customer may have tail rows and no row yet. Loads and scans read
 * both.
 */
struct seqrow {
	bool found;
	int64_t n;     /* the events the row and tail took in: more than their entries when capped */
	char *segment; /* the customer's segment when the row was written */
	char *segs;    /* "slot:segment\n" per journey entered */
	bool bad;
	bool seg_fresh; /* segment is the customer's now: read from them in this call, or the
			 * row's or tail's (cxm_jstore_segment keeps those current) */
	bool dirty;     /* segment or segs changed: written with the entries */
	int64_t ntail;  /* tail rows read with the row */
	int64_t tail_n; /* their entries */
};

struct seqload {
	struct seqrow *row;
	struct seq *q;
	struct seq tail; /* the tail rows' entries, in arrival order */
	int64_t meta_id; /* the newest tail row with segment and segs, or 0 */
	char *segment, *segs;
};

/* One tail row of the customer being loaded. */
static void seqload_tail(struct seqload *l, int64_t id, int64_t n, const char *data, const char *segment,
			 const char *segs)
{
	struct seqrow *c = l->row;

	c->n += n;
	c->ntail++;
	c->tail_n += n;
	if (!seq_decode(&l->tail, data))
		c->bad = true;
	if (segs && id > l->meta_id) {
		l->meta_id = id;
		free(l->segment);
		free(l->segs);
		l->segment = segment ? xstrdup(segment) : NULL;
		l->segs = xstrdup(segs);
	}
}

/* A row of seq_load's statement, in any order: the customer's row (kind
 * 0) or a tail row. */
static int seqload_row(const struct sqlrow *r, void *ctx)
{
	struct seqload *l = ctx;
	struct seqrow *c = l->row;

	if (row_int(r, 0) == 0) {
		c->found = true;
		c->n += row_int(r, 5);
		c->segment = row_text(r, 2) ? xstrdup(row_text(r, 2)) : NULL;
		c->segs = xstrdup(row_text(r, 3) ? row_text(r, 3) : "");
		if (!seq_decode(l->q, row_text(r, 4)))
			c->bad = true;
		return 0;
	}
	seqload_tail(l, row_int(r, 1), row_int(r, 5), row_text(r, 4), row_text(r, 2), row_text(r, 3));
	return 0;
}

/* After the rows: the tail's segment and segs over the row's, and its
 * entries merged into q. */
static void seqload_finish(struct seqload *l)
{
	struct seqrow *row = l->row;

	if (l->meta_id) {
		free(row->segment);
		free(row->segs);
		row->segment = l->segment;
		row->segs = l->segs;
	}
	if (l->tail.n) {
		/* each tail row is in order, not the rows among themselves (late
		 * events, and rows come in any order) */
		struct seq m = { 0 };
		if (row->ntail > 1)
			seq_sort(&l->tail);
		seq_merge(&m, l->q, &l->tail);
		seq_release(l->q);
		*l->q = m;
	}
	seq_release(&l->tail);
}

/*
 * Locks a customer's row before it is read, changed and written back:
 * on PostgreSQL (read committed, several nodes) two transactions changing
 * one customer would each read the same row and the second write would
 * lose the first's event. The row is made when missing (n 0: no events
 * yet, seq_load reads it as new) and locked by the same statement, which
 * waits for another transaction holding it. SQLite's writer holds the
 * whole file (BEGIN IMMEDIATE): nothing to do. Callers lock customers in
 * increasing id order, so two transactions never wait for each other.
 */
static int seq_lock(struct cxm_store *s, int64_t tenant, int64_t customer)
{
	static const char sql[] =
		"INSERT INTO customer_seq (tenant_id, customer_id, n, first_ts, last_ts, segs, data)"
		" VALUES (?, ?, 0, 0, 0, '', '') ON CONFLICT (tenant_id, customer_id) DO UPDATE SET n = customer_seq.n";
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(customer) };

	if (!strcmp(s->ops->name, "sqlite"))
		return 0;
	return JQ(s, sql, p, NULL, NULL, NULL);
}

/* ---- the tail in memory (SQLite) ---- */

static const char seq_row_sql[] =
	"SELECT 0, 0, segment, segs, data, n FROM customer_seq WHERE tenant_id = ? AND customer_id = ?";

static uint64_t mem_hash(int64_t tenant, int64_t customer)
{
	return mix64(mix64((uint64_t)tenant) ^ (uint64_t)customer);
}

static uint64_t mem_hash_at(const void *elems, size_t at)
{
	const struct mtail *e = (const struct mtail *)elems + at;

	return mem_hash(e->tenant, e->customer);
}

static bool mem_same(const void *elems, size_t at, const void *key)
{
	const struct mtail *e = (const struct mtail *)elems + at, *k = key;

	return e->tenant == k->tenant && e->customer == k->customer;
}

static struct mtail *mem_find(struct jstore *js, int64_t tenant, int64_t customer, bool add)
{
	struct mtail k = { .tenant = tenant, .customer = customer };
	uint64_t h = mem_hash(tenant, customer), *put = NULL;
	size_t at = oindex_get(&js->mem_index, js->nmem, h, mem_same, mem_hash_at, js->mem, &k, add, &put);

	if (at || !add)
		return at ? &js->mem[at - 1] : NULL;
	if (js->nmem == js->capmem) {
		js->capmem = js->capmem ? 2 * js->capmem : 1024;
		js->mem = xrealloc(js->mem, js->capmem * sizeof(*js->mem));
	}
	struct mtail *e = &js->mem[js->nmem];
	if (js->nmem == js->nmemalloc) {
		memset(e, 0, sizeof(*e));
		js->nmemalloc++;
	}
	e->tenant = tenant;
	e->customer = customer;
	oindex_put(put, h, js->nmem++);
	return e;
}

/* One more tail row of e: its sorted entries q, with segment and segs
 * when segs is not NULL. */
static void mem_add(struct mtail *e, int64_t id, int64_t n, const struct seq *q, const char *segment,
		    const char *segs)
{
	if (e->nrows == e->caprows) {
		e->caprows = e->caprows ? 2 * e->caprows : 4;
		e->rows = xrealloc(e->rows, e->caprows * sizeof(*e->rows));
	}
	e->rows[e->nrows++] = (struct mrow){ id, segs != NULL };
	e->n += n;
	e->tail_n += n;
	if (segs && id > e->meta_id) {
		e->meta_id = id;
		free(e->segment);
		free(e->segs);
		e->segment = segment ? xstrdup(segment) : NULL;
		e->segs = xstrdup(segs);
	}
	if (!q->n)
		return;
	if (!e->q.n || entry_cmp2(&e->q, e->q.n - 1, q, 0) <= 0) {
		/* in order after the others: the usual case */
		for (size_t i = 0; i < q->n; i++)
			seq_push_entry(&e->q, q, i);
	} else {
		struct seq m = { 0 };
		seq_merge(&m, &e->q, q);
		seq_release(&e->q);
		e->q = m;
	}
}

static int mem_row(const struct sqlrow *r, void *ctx)
{
	struct jstore *js = ctx;
	struct mtail *e = mem_find(js, row_int(r, 0), row_int(r, 1), true);
	int64_t id = row_int(r, 2);

	seq_clear(&js->mdec);
	if (!seq_decode(&js->mdec, row_text(r, 4)))
		e->bad = true;
	seq_sort(&js->mdec);
	mem_add(e, id, row_int(r, 3), &js->mdec, row_text(r, 5), row_text(r, 6));
	js->tail_n += row_int(r, 3);
	if (id >= js->mem_next_id)
		js->mem_next_id = id + 1;
	return 0;
}

/*
 * Whether this call reads and changes the tail through the map: SQLite
 * in a (write) transaction, the map built first when unknown. Otherwise
 * the table is read and written as is; a change made so drops the map.
 */
static int mem_ready(struct cxm_store *s, bool *use)
{
	static const char all[] = "SELECT tenant_id, customer_id, id, n, data, segment, segs FROM customer_seq_tail"
				  " ORDER BY id";
	struct jstore *js;
	int ret;

	*use = !strcmp(s->ops->name, "sqlite") && s->in_tx;
	if (!*use)
		return 0;
	js = js_get(s); /* a handle's first journey call may be a read (progress) */
	if (js->mem_known)
		return 0;
	mem_drop(js);
	js->tail_n = 0;
	if ((ret = cxm_store_q(s, "PRAGMA data_version", NULL, 0, cxm_store_int_row, &js->data_version, NULL)) ||
	    (ret = cxm_store_q(s, all, NULL, 0, mem_row, js, NULL))) {
		mem_drop(js);
		js->tail_known = false;
		return ret;
	}
	js->tail_known = js->mem_known = true;
	if (js->mem_next_id < 1)
		js->mem_next_id = 1; /* ids from 1: tail_flush's 0 is "none" */
	return 0;
}

void cxm_jstore_begin(struct cxm_store *s)
{
	struct jstore *js = s->js;
	int64_t v = -1;

	/* another connection's commit may have changed the tail, or added
	 * sequence rows */
	if (!js || (!js->mem_known && !js->rows.nbits))
		return;
	if (cxm_store_q(s, "PRAGMA data_version", NULL, 0, cxm_store_int_row, &v, NULL))
		v = -1;
	if (js->mem_known && v != js->data_version) {
		mem_drop(js);
		js->tail_known = false;
	}
	if (js->rows.nbits && v != js->rows_version)
		js->rows.nbits = 0;
}

/* The customer's tail e over their row (read into row and q). */
static void mem_over(struct seqrow *row, struct seq *q, const struct mtail *e)
{
	row->n += e->n;
	row->ntail = (int64_t)e->nrows;
	row->tail_n = e->tail_n;
	row->bad |= e->bad;
	if (e->meta_id) {
		free(row->segment);
		free(row->segs);
		row->segment = e->segment ? xstrdup(e->segment) : NULL;
		row->segs = xstrdup(e->segs);
	}
	if (e->q.n) {
		struct seq m = { 0 };
		seq_merge(&m, q, &e->q);
		seq_release(q);
		*q = m;
	}
}

/*
 * Which customers have a customer_seq row, as a Bloom filter (SQLite's
 * writer): half of an ingest's customers have none yet (new to the
 * journeys, or only in the tail), and a filter that says so saves their
 * load a seek in customer_seq. It answers "may have one" for every
 * customer with a row, and so never hides one: it is built from the table
 * (all tenants) at a write's first need, every row this handle inserts is
 * added, and it is built again when another connection committed (PRAGMA
 * data_version at BEGIN) or when it holds more than one key per 8 bits.
 * A row rolled back or deleted stays in it: a seek that finds nothing.
 */
static uint64_t rows_hash(int64_t tenant, int64_t customer)
{
	return mix64(mix64((uint64_t)tenant) ^ (uint64_t)customer);
}

static void rows_add_hash(struct rowfilter *f, uint64_t h)
{
	uint64_t step = (h >> 32) | 1;

	if (!f->nbits)
		return;
	for (int k = 0; k < 3; k++, h += step)
		f->bits[(h & (f->nbits - 1)) >> 6] |= (uint64_t)1 << (h & 63);
	f->keys++;
}

static bool rows_maybe(const struct rowfilter *f, int64_t tenant, int64_t customer)
{
	uint64_t h = rows_hash(tenant, customer), step = (h >> 32) | 1;

	if (!f->nbits)
		return true;
	for (int k = 0; k < 3; k++, h += step)
		if (!(f->bits[(h & (f->nbits - 1)) >> 6] & ((uint64_t)1 << (h & 63))))
			return false;
	return true;
}

/* A customer who has a row now; counted only when a bit changes, so that
 * folding customers already in it does not fill it. */
static void rows_add(struct rowfilter *f, int64_t tenant, int64_t customer)
{
	if (f->nbits && !rows_maybe(f, tenant, customer))
		rows_add_hash(f, rows_hash(tenant, customer));
}

struct ids {
	int64_t *v;
	size_t n, cap;
};

static int ids_row(const struct sqlrow *r, void *ctx)
{
	struct ids *l = ctx;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 256;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = row_int(r, 0);
	return 0;
}

/* (tenant, customer) pairs, two ids a row */
static int pair_row(const struct sqlrow *r, void *ctx)
{
	struct ids *l = ctx;
	if (l->n + 2 > l->cap) {
		l->cap = l->cap ? 2 * l->cap : 256;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = row_int(r, 0);
	l->v[l->n++] = row_int(r, 1);
	return 0;
}

/* The filter, built when it is not or is full (in a write transaction
 * on SQLite), with room for four times the rows it starts from. */
static int rows_ready(struct cxm_store *s)
{
	static const char all[] = "SELECT tenant_id, customer_id FROM customer_seq";
	struct jstore *js = s->js;
	struct rowfilter *f = &js->rows;
	struct ids k = { 0 };
	size_t want = js->rows_min_bits;
	int ret;

	if (f->nbits && f->keys * 8 <= f->nbits)
		return 0;
	f->nbits = 0;
	if ((ret = cxm_store_q(s, "PRAGMA data_version", NULL, 0, cxm_store_int_row, &js->rows_version, NULL)) ||
	    (ret = cxm_store_q(s, all, NULL, 0, pair_row, &k, NULL))) {
		free(k.v);
		return ret;
	}
	while (want < k.n / 2 * 32)
		want *= 2;
	free(f->bits);
	f->bits = xcalloc(want / 64, sizeof(*f->bits));
	f->nbits = want;
	f->keys = 0;
	for (size_t i = 0; i + 1 < k.n; i += 2)
		rows_add_hash(f, rows_hash(k.v[i], k.v[i + 1]));
	free(k.v);
	return 0;
}

/* The customer's row and tail, read by one statement (one snapshot: a
 * fold committing meanwhile is seen whole or not at all), merged into q;
 * on SQLite in a transaction, the row and the map. */
static int seq_load(struct cxm_store *s, int64_t tenant, int64_t customer, struct seqrow *row, struct seq *q)
{
	static const char sql[] =
		"SELECT 0, 0, segment, segs, data, n FROM customer_seq WHERE tenant_id = ? AND customer_id = ?"
		" UNION ALL SELECT 1, id, segment, segs, data, n FROM customer_seq_tail WHERE tenant_id = ? AND customer_id = ?";
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(customer), SQLV_INT(tenant), SQLV_INT(customer) };
	struct seqload l = { row, q, { 0 }, 0, NULL, NULL };
	bool use;
	int ret;

	memset(row, 0, sizeof(*row));
	seq_clear(q);
	if ((ret = mem_ready(s, &use)))
		return ret;
	if (use) {
		const struct mtail *e = mem_find(s->js, tenant, customer, false);
		if ((ret = rows_ready(s)))
			return ret;
		if (rows_maybe(&s->js->rows, tenant, customer) &&
		    (ret = cxm_store_q(s, seq_row_sql, p, 2, seqload_row, &l, NULL)))
			return ret;
		if (e && e->nrows)
			mem_over(row, q, e);
		return 0;
	}
	ret = JQ(s, sql, p, seqload_row, &l, NULL);
	seqload_finish(&l);
	return ret;
}

static void seqrow_release(struct seqrow *row)
{
	free(row->segment);
	free(row->segs);
	memset(row, 0, sizeof(*row));
}

static int seq_store(struct cxm_store *s, int64_t tenant, int64_t customer, const struct seqrow *row,
		     const struct seq *q)
{
	static const char ins[] =
		"INSERT INTO customer_seq (tenant_id, customer_id, n, first_ts, last_ts, segment, segs, data)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
	static const char upd[] = "UPDATE customer_seq SET n = ?, first_ts = ?, last_ts = ?, segment = ?, segs = ?,"
				  " data = ? WHERE tenant_id = ? AND customer_id = ?";
	static const char del[] = "DELETE FROM customer_seq WHERE tenant_id = ? AND customer_id = ?";
	static const char drop[] = "DELETE FROM customer_seq_tail WHERE tenant_id = ? AND customer_id = ?";
	static const char drop_id[] = "DELETE FROM customer_seq_tail WHERE id = ?";
	struct jstore *js = s->js;

	if (row->ntail) {
		/* the whole sequence goes into the row: the tail rows read with it
		 * (on PostgreSQL, all of the customer's: the row lock keeps others
		 * from adding any since); from the map, by id */
		struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(customer) };
		struct mtail *e = NULL;
		bool use;
		int ret = mem_ready(s, &use);
		if (!ret && use && (e = mem_find(js, tenant, customer, false))) {
			for (size_t i = 0; i < e->nrows && !ret; i++) {
				struct sqlval pi[] = { SQLV_INT(e->rows[i].id) };
				ret = JQ(s, drop_id, pi, NULL, NULL, NULL);
			}
			mtail_empty(e);
		} else if (!ret) {
			ret = JQ(s, drop, p, NULL, NULL, NULL);
			mem_drop(js);
		}
		if (ret)
			return ret;
		js->tail_n = js->tail_n > row->tail_n ? js->tail_n - row->tail_n : 0;
	}
	if (!q->n) {
		struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(customer) };
		return JQ(s, del, p, NULL, NULL, NULL);
	}
	int64_t n = row->n > (int64_t)q->n ? row->n : (int64_t)q->n;

	seq_encode(q, NULL, &js->text);
	if (row->found) {
		struct sqlval p[] = { SQLV_INT(n),
				      SQLV_INT(q->ts[0]),
				      SQLV_INT(q->ts[q->n - 1]),
				      SQLV_TEXT(row->segment),
				      SQLV_TEXT(row->segs ? row->segs : ""),
				      SQLV_TEXT(cxm_buf_str(&js->text)),
				      SQLV_INT(tenant),
				      SQLV_INT(customer) };
		return JQ(s, upd, p, NULL, NULL, NULL);
	}
	struct sqlval p[] = { SQLV_INT(tenant),
			      SQLV_INT(customer),
			      SQLV_INT(n),
			      SQLV_INT(q->ts[0]),
			      SQLV_INT(q->ts[q->n - 1]),
			      SQLV_TEXT(row->segment),
			      SQLV_TEXT(row->segs ? row->segs : ""),
			      SQLV_TEXT(cxm_buf_str(&js->text)) };
	rows_add(&js->rows, tenant, customer); /* before: a failed insert only costs a seek */
	return JQ(s, ins, p, NULL, NULL, NULL);
}

/* The segment a journey (by slot) counts the customer under; NULL: none yet. */
static char *segs_get(const char *segs, int slot)
{
	char pre[8];
	size_t n = 0;

	/* "%d:" without snprintf: this runs for every journey an event moves */
	if (slot >= 100)
		pre[n++] = (char)('0' + slot / 100 % 10);
	if (slot >= 10)
		pre[n++] = (char)('0' + slot / 10 % 10);
	pre[n++] = (char)('0' + slot % 10);
	pre[n++] = ':';
	for (const char *p = segs; p && *p;) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len >= n && !memcmp(p, pre, n)) {
			char *v = xmalloc(len - n + 1);
			memcpy(v, p + n, len - n);
			v[len - n] = 0;
			return v;
		}
		p += len + (end ? 1 : 0);
	}
	return NULL;
}

/* segs with slot's entry set to value (NULL: removed); frees the old. */
static char *segs_set(char *segs, int slot, const char *value)
{
	struct cxm_buf b;
	char pre[8];
	size_t n = (size_t)snprintf(pre, sizeof(pre), "%d:", slot);

	cxm_buf_init(&b, 0);
	for (const char *p = segs; p && *p;) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (!(len >= n && !memcmp(p, pre, n))) {
			cxm_buf_add(&b, p, len);
			cxm_buf_addch(&b, '\n');
		}
		p += len + (end ? 1 : 0);
	}
	if (value) {
		cxm_buf_addstr(&b, pre);
		for (const char *v = value; *v; v++)
			cxm_buf_addch(&b, *v == '\n' ? ' ' : *v);
		cxm_buf_addch(&b, '\n');
	}
	free(segs);
	char *out = xstrdup(cxm_buf_str(&b));
	cxm_buf_release(&b);
	return out;
}

static int attrs_row(const struct sqlrow *r, void *ctx)
{
	char **seg = ctx;
	cJSON *a = row_text(r, 0) ? cJSON_Parse(row_text(r, 0)) : NULL;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(a, "segment");

	if (cJSON_IsString(v))
		*seg = xstrdup(v->valuestring);
	cJSON_Delete(a);
	return 0;
}

/* The customer's "segment" attribute now (NULL: none), owned. */
static int customer_segment_now(struct cxm_store *s, int64_t tenant, int64_t customer, char **seg)
{
	static const char sql[] = "SELECT attributes FROM customers WHERE tenant_id = ? AND id = ?";
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(customer) };

	*seg = NULL;
	return JQ(s, sql, p, attrs_row, seg, NULL);
}

/*
 * A customer's attributes changed: their row's segment follows (funnels
 * and paths group by it). The journeys' rollups keep the segment each
 * journey froze at their first entry (segs): a journey counts a customer
 * under one segment for good.
 */
int cxm_jstore_segment(struct cxm_store *s, int64_t tenant, int64_t customer, const char *attributes)
{
	static const char set[] = "UPDATE customer_seq SET segment = ? WHERE tenant_id = ? AND customer_id = ?"
				  " AND (segment IS NULL OR segment <> ?)";
	static const char unset[] = "UPDATE customer_seq SET segment = NULL WHERE tenant_id = ? AND customer_id = ?"
				    " AND segment IS NOT NULL";
	/* and the tail rows that carry a segment (the newest of them is it) */
	static const char tset[] = "UPDATE customer_seq_tail SET segment = ? WHERE tenant_id = ? AND customer_id = ?"
				   " AND segs IS NOT NULL AND (segment IS NULL OR segment <> ?)";
	static const char tunset[] = "UPDATE customer_seq_tail SET segment = NULL WHERE tenant_id = ? AND customer_id = ?"
				     " AND segs IS NOT NULL AND segment IS NOT NULL";
	/* the map's: its newest such row, which the loads and scans read */
	static const char mset[] = "UPDATE customer_seq_tail SET segment = ? WHERE id = ?";
	cJSON *a = attributes ? cJSON_Parse(attributes) : NULL;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(a, "segment");
	struct jstore *js = js_get(s);
	bool use;
	int ret;

	if (js->off) {
		cJSON_Delete(a);
		return 0;
	}
	if ((ret = mem_ready(s, &use))) {
		cJSON_Delete(a);
		return ret;
	}
	if (use) {
		const char *seg = cJSON_IsString(v) ? v->valuestring : NULL;
		struct mtail *e = mem_find(js, tenant, customer, false);
		if (seg) {
			struct sqlval p[] = { SQLV_TEXT(seg), SQLV_INT(tenant), SQLV_INT(customer), SQLV_TEXT(seg) };
			ret = JQ(s, set, p, NULL, NULL, NULL);
		} else {
			struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(customer) };
			ret = JQ(s, unset, p, NULL, NULL, NULL);
		}
		if (!ret && e && e->nrows && e->meta_id &&
		    (!seg != !e->segment || (seg && strcmp(seg, e->segment)))) {
			struct sqlval pm[] = { SQLV_TEXT(seg), SQLV_INT(e->meta_id) };
			if (!(ret = JQ(s, mset, pm, NULL, NULL, NULL))) {
				free(e->segment);
				e->segment = seg ? xstrdup(seg) : NULL;
			}
		}
		cJSON_Delete(a);
		return ret;
	}
	mem_drop(js);
	if (cJSON_IsString(v)) {
		struct sqlval p[] = { SQLV_TEXT(v->valuestring), SQLV_INT(tenant), SQLV_INT(customer),
				      SQLV_TEXT(v->valuestring) };
		if (!(ret = JQ(s, set, p, NULL, NULL, NULL)))
			ret = JQ(s, tset, p, NULL, NULL, NULL);
	} else {
		struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(customer) };
		if (!(ret = JQ(s, unset, p, NULL, NULL, NULL)))
			ret = JQ(s, tunset, p, NULL, NULL, NULL);
	}
	cJSON_Delete(a);
	return ret;
}

/* The customer's state in journey d from the tags of q. */
static void state_of(const struct jdef *d, const struct seq *q, struct cxm_journey_state *st, bool *any)
{
	cxm_journey_state_init(st);
	*any = false;
	for (size_t i = 0; i < q->n; i++)
		for (uint32_t t = 0; t < q->ntags[i]; t++) {
			uint32_t tag = q->tags[q->tag0[i] + t];
			if ((int)(tag >> 8) == d->slot && (int)(tag & 0xff) < d->def.n_tps) {
				cxm_journey_state_add(&d->def, st, (int)(tag & 0xff), q->ts[i], (int64_t)i);
				*any = true;
			}
		}
}

/* Whether the rollups of d's newest version count this customer now. */
static bool counted(const struct jdef *d, int64_t customer)
{
	return d->built_version >= d->version || customer <= d->cursor;
}

/* Moves d's rollups from the customer's old sequence to the new one. */
static int journey_move(struct cxm_store *s, int64_t tenant, const struct jdef *d, int64_t customer,
			struct seqrow *row, const struct seq *old, const struct seq *cur)
{
	struct cxm_journey_state a, b;
	bool any_a, any_b;
	char *seg = NULL;
	int ret = 0;

	state_of(d, old, &a, &any_a);
	state_of(d, cur, &b, &any_b);
	if (!any_b || !counted(d, customer))
		return 0;
	seg = segs_get(row->segs, d->slot);
	if (!seg) {
		/* first entry: the segment is frozen now */
		if (row->seg_fresh)
			seg = row->segment ? xstrdup(row->segment) : NULL;
		else if ((ret = customer_segment_now(s, tenant, customer, &seg)))
			return ret;
		free(row->segment);
		row->segment = seg ? xstrdup(seg) : NULL;
		row->seg_fresh = true;
		row->dirty = true;
		row->segs = segs_set(row->segs, d->slot, seg ? seg : "");
		if (!seg)
			seg = xstrdup("");
	}
	ret = contrib_move(s, tenant, d, d->version, any_a ? &a : NULL, &b, seg);
	free(seg);
	return ret;
}

/* The tags of an event for the tenant's active journeys; returns how many. */
static uint32_t event_tags(const struct jstore *js, const struct cxm_event *e, uint32_t *tags)
{
	uint32_t n = 0;

	for (size_t k = 0; k < js->n; k++) {
		const struct jdef *d = &js->j[k];
		int tp = cxm_journey_match_event(&d->def, e->type, e->channel, e->touchpoint,
						 d->needs_props ? e->properties : NULL);
		if (tp >= 0)
			tags[n++] = CXM_SEQ_TAG(d->slot, tp);
	}
	tags_sort(tags, n);
	return n;
}

/* ---- the ingest hook ------------------------------------------------------ */

static _Thread_local const struct cxm_event *cmp_ev;

static int by_customer(const void *pa, const void *pb)
{
	const struct cxm_event *a = &cmp_ev[*(const size_t *)pa], *b = &cmp_ev[*(const size_t *)pb];

	if (a->customer_id != b->customer_id)
		return a->customer_id < b->customer_id ? -1 : 1;
	return (*(const size_t *)pa > *(const size_t *)pb) - (*(const size_t *)pa < *(const size_t *)pb);
}

/* A string's offset in the pending rows' buffer (SIZE_MAX: NULL). */
static size_t pend_str(struct jstore *js, const char *v)
{
	size_t at = js->pbuf.len;

	if (!v)
		return SIZE_MAX;
	cxm_buf_add(&js->pbuf, v, strlen(v) + 1);
	return at;
}

/* Appends a customer's new entries q to the tail, with the row's segment
 * and segs when they changed: into the map now, into the table by
 * tail_flush at the end of the ingest call. */
static int tail_add(struct cxm_store *s, int64_t tenant, int64_t customer, const struct seq *q,
		    const struct seqrow *row)
{
	struct jstore *js = s->js;
	const char *segs = row->dirty ? (row->segs ? row->segs : "") : NULL;
	const char *segment = row->dirty ? row->segment : NULL;
	bool use;
	int ret;

	if ((ret = mem_ready(s, &use)))
		return ret;
	if (js->npend == js->cappend) {
		js->cappend = js->cappend ? 2 * js->cappend : 128;
		js->pend = xrealloc(js->pend, js->cappend * sizeof(*js->pend));
	}
	struct tpend *t = &js->pend[js->npend++];
	seq_encode(q, NULL, &js->text);
	t->tenant = tenant;
	t->customer = customer;
	t->n = (int64_t)q->n;
	t->data = pend_str(js, cxm_buf_str(&js->text));
	t->segment = pend_str(js, segment);
	t->segs = pend_str(js, segs);
	js->tail_n += (int64_t)q->n;
	if (!use) {
		t->id = 0;
		mem_drop(js);
		return 0;
	}
	/* the map's: its ids follow the table's (nobody else writes it) */
	t->id = js->mem_next_id++;
	mem_add(mem_find(js, tenant, customer, true), t->id, t->n, q, segment, segs);
	return 0;
}

/* Tail rows per multi-row INSERT: one statement step on SQLite, one round
 * trip on PostgreSQL. The texts are static, so the statement caches keep
 * them prepared. */
#define TAIL_BATCH 32
#define TAIL_COLS "INSERT INTO customer_seq_tail (tenant_id, customer_id, n, data, segment, segs"
#define TAIL_ROW "(?, ?, ?, ?, ?, ?)"
#define TAIL_ROWS4 TAIL_ROW ", " TAIL_ROW ", " TAIL_ROW ", " TAIL_ROW
#define TAIL_ROWS16 TAIL_ROWS4 ", " TAIL_ROWS4 ", " TAIL_ROWS4 ", " TAIL_ROWS4
#define TAIL_ROW_ID "(?, ?, ?, ?, ?, ?, ?)"
#define TAIL_ROWS4_ID TAIL_ROW_ID ", " TAIL_ROW_ID ", " TAIL_ROW_ID ", " TAIL_ROW_ID
#define TAIL_ROWS16_ID TAIL_ROWS4_ID ", " TAIL_ROWS4_ID ", " TAIL_ROWS4_ID ", " TAIL_ROWS4_ID

/* Inserts the rows tail_add kept (when ok; dropped either way). */
static int tail_flush(struct cxm_store *s, bool ok)
{
	static const char one[] = TAIL_COLS ") VALUES " TAIL_ROW;
	static const char many[] = TAIL_COLS ") VALUES " TAIL_ROWS16 ", " TAIL_ROWS16;
	static const char one_id[] = TAIL_COLS ", id) VALUES " TAIL_ROW_ID;
	static const char many_id[] = TAIL_COLS ", id) VALUES " TAIL_ROWS16_ID ", " TAIL_ROWS16_ID;
	struct jstore *js = s->js;
	struct sqlval p[TAIL_BATCH * 7];
	int ret = 0;

	for (size_t i = 0; ok && i < js->npend && !ret;) {
		bool id = js->pend[i].id != 0;
		size_t run = 1, k, np = 0;
		while (run < TAIL_BATCH && i + run < js->npend && (js->pend[i + run].id != 0) == id)
			run++;
		k = run == TAIL_BATCH ? TAIL_BATCH : 1;
		for (size_t j = i; j < i + k; j++) {
			const struct tpend *t = &js->pend[j];
			p[np++] = SQLV_INT(t->tenant);
			p[np++] = SQLV_INT(t->customer);
			p[np++] = SQLV_INT(t->n);
			p[np++] = SQLV_TEXT(js->pbuf.p + t->data);
			p[np++] = SQLV_TEXT(t->segment == SIZE_MAX ? NULL : js->pbuf.p + t->segment);
			p[np++] = SQLV_TEXT(t->segs == SIZE_MAX ? NULL : js->pbuf.p + t->segs);
			if (id)
				p[np++] = SQLV_INT(t->id);
		}
		ret = cxm_store_q(s, k == 1 ? (id ? one_id : one) : (id ? many_id : many), p, np, NULL, NULL, NULL);
		i += k;
	}
	js->npend = 0;
	cxm_buf_clear(&js->pbuf);
	return ret;
}

/*
 * One customer's new events ev[ix[0..n)]. Their new entries go to the
 * tail (with the segment and segs of a new customer or of a journey
 * entered for the first time), unless the whole row must be written: the
 * cap dropped entries, or the row did not decode.
 */
static int customer_add(struct cxm_store *s, int64_t tenant, int64_t customer, const struct cxm_event *ev,
			const size_t *ix, size_t n)
{
	struct jstore *js = s->js;
	struct seqrow row;
	unsigned touched[CXM_JOURNEY_ACTIVE_MAX] = { 0 };
	bool full;
	int ret;

	if ((ret = seq_lock(s, tenant, customer)) || (ret = seq_load(s, tenant, customer, &row, &js->old)))
		return ret;
	seq_clear(&js->add);
	full = row.bad;
	/* a known customer's row or tail has their segment as it is now: a
	 * journey entered for the first time freezes it without a lookup */
	row.seg_fresh = row.n > 0;
	if (!row.n) {
		/* a new customer: no row, or (PostgreSQL) seq_lock's empty one */
		if ((ret = customer_segment_now(s, tenant, customer, &row.segment)))
			goto out;
		row.seg_fresh = true;
		row.dirty = true;
	}
	for (size_t k = 0; k < n; k++) {
		const struct cxm_event *e = &ev[ix[k]];
		uint32_t tags[CXM_JOURNEY_ACTIVE_MAX], cls, nt;
		if ((ret = class_id(s, tenant, e, &cls)))
			goto out;
		nt = event_tags(js, e, tags);
		for (uint32_t t = 0; t < nt; t++)
			for (size_t j = 0; j < js->n; j++)
				if ((int)(tags[t] >> 8) == js->j[j].slot)
					touched[j] = 1;
		seq_push(&js->add, e->ts, cls, tags, nt);
	}
	if (js->add.n > 1)
		seq_sort(&js->add);
	seq_merge(&js->cur, &js->old, &js->add);
	if (seq_cap(&js->cur, js->seq_max)) {
		/* the oldest entries went: any journey may have lost some */
		for (size_t j = 0; j < js->n; j++)
			touched[j] = 1;
		full = true;
	}
	row.n = (row.n > (int64_t)js->old.n ? row.n : (int64_t)js->old.n) + (int64_t)n;
	for (size_t j = 0; j < js->n && !ret; j++)
		if (touched[j])
			ret = journey_move(s, tenant, &js->j[j], customer, &row, &js->old, &js->cur);
	if (!ret && full)
		ret = seq_store(s, tenant, customer, &row, &js->cur);
	else if (!ret)
		ret = tail_add(s, tenant, customer, &js->add, &row);
out:
	seqrow_release(&row);
	return ret;
}

static int cursor_row(const struct sqlrow *r, void *ctx)
{
	struct jstore *js = ctx;
	for (size_t i = 0; i < js->n; i++)
		if (js->j[i].id == row_int(r, 0))
			js->j[i].cursor = row_int(r, 1);
	return 0;
}

/* While a journey is being built, its cursor moves without a new version. */
static int js_cursors(struct cxm_store *s, int64_t tenant)
{
	static const char sql[] = "SELECT id, build_cursor FROM journeys WHERE tenant_id = ? AND status = 'active'"
				  " AND built_version < version";
	struct jstore *js = s->js;
	bool building = false;
	struct sqlval p[] = { SQLV_INT(tenant) };

	for (size_t i = 0; i < js->n; i++)
		building |= js->j[i].built_version < js->j[i].version;
	return building ? JQ(s, sql, p, cursor_row, js, NULL) : 0;
}

int cxm_jstore_ingest(struct cxm_store *s, int64_t tenant, const struct cxm_event *ev, size_t n,
		      const unsigned char *inserted)
{
	struct jstore *js = js_get(s);
	size_t *ix, m = 0;
	int ret;

	if (js->off || !n)
		return 0;
	if ((ret = js_load(s, tenant)) || (ret = js_cursors(s, tenant)))
		return ret;
	bool use;
	if ((ret = mem_ready(s, &use)))
		return ret;
	if (!js->tail_known) {
		static const char sql[] = "SELECT COALESCE(SUM(n), 0) FROM customer_seq_tail";
		if ((ret = cxm_store_q(s, sql, NULL, 0, cxm_store_int_row, &js->tail_n, NULL)))
			return ret;
		js->tail_known = true;
	}
	ix = xmalloc(n * sizeof(*ix));
	for (size_t i = 0; i < n; i++)
		if (inserted[i] && ev[i].customer_id)
			ix[m++] = i;
	cmp_ev = ev;
	qsort(ix, m, sizeof(*ix), by_customer);
	for (size_t i = 0; i < m && !ret;) {
		size_t k = i;
		while (k < m && ev[ix[k]].customer_id == ev[ix[i]].customer_id)
			k++;
		ret = customer_add(s, tenant, ev[ix[i]].customer_id, ev, ix + i, k - i);
		i = k;
	}
	free(ix);
	{
		int fret = tail_flush(s, !ret);
		ret = ret ? ret : fret;
	}
	/* a long transaction (an import) folds as it goes, so its tail stays
	 * small; the writer's requests (under a savepoint) leave it to the
	 * commit (cxm_jstore_flush) */
	if (!ret && !s->in_sp && js->tail_n >= js->tail_max)
		ret = tail_fold(s);
	return ret;
}

/* ---- merge of two customers ----------------------------------------------- */

int cxm_jstore_merge(struct cxm_store *s, int64_t tenant, int64_t survivor, int64_t merged)
{
	struct jstore *js = js_get(s);
	struct seqrow ra, rb;
	struct seq b = { 0 };
	int ret;

	if (js->off)
		return 0;
	if ((ret = js_load(s, tenant)) || (ret = js_cursors(s, tenant)))
		return ret;
	memset(&rb, 0, sizeof(rb));
	if ((ret = seq_lock(s, tenant, survivor < merged ? survivor : merged)) ||
	    (ret = seq_lock(s, tenant, survivor < merged ? merged : survivor)))
		return ret;
	if ((ret = seq_load(s, tenant, survivor, &ra, &js->old)))
		return ret;
	if ((ret = seq_load(s, tenant, merged, &rb, &b)) || (!rb.found && !rb.ntail))
		goto out;
	if (!ra.n) {
		/* the survivor has no events yet (no row, or PostgreSQL's empty
		 * one): the merged's segment */
		free(ra.segment);
		ra.segment = rb.segment ? xstrdup(rb.segment) : NULL;
	}
	seq_merge(&js->cur, &js->old, &b);
	seq_cap(&js->cur, js->seq_max);
	ra.n = (ra.n > (int64_t)js->old.n ? ra.n : (int64_t)js->old.n) + (rb.n > (int64_t)b.n ? rb.n : (int64_t)b.n);
	rb.n = 0;
	for (size_t k = 0; k < js->n && !ret; k++) {
		const struct jdef *d = &js->j[k];
		struct cxm_journey_state st;
		bool any;
		char *sa = segs_get(ra.segs, d->slot), *sb = segs_get(rb.segs, d->slot);
		/* -C(survivor) -C(merged) +C(both), each as the rollups count it */
		if (counted(d, survivor)) {
			state_of(d, &js->old, &st, &any);
			if (any && sa)
				ret = contrib_apply(s, tenant, d, d->version, &st, sa, -1);
		}
		if (!ret && counted(d, merged)) {
			state_of(d, &b, &st, &any);
			if (any && sb)
				ret = contrib_apply(s, tenant, d, d->version, &st, sb, -1);
		}
		if (!sa && sb)
			ra.segs = segs_set(ra.segs, d->slot, sb);
		if (!ret && counted(d, survivor)) {
			state_of(d, &js->cur, &st, &any);
			if (any && (sa || sb))
				ret = contrib_apply(s, tenant, d, d->version, &st, sa ? sa : sb, 1);
		}
		free(sa);
		free(sb);
	}
	if (!ret)
		ret = seq_store(s, tenant, survivor, &ra, &js->cur);
	seq_clear(&b);
	if (!ret)
		ret = seq_store(s, tenant, merged, &rb, &b);
out:
	seqrow_release(&ra);
	seqrow_release(&rb);
	seq_release(&b);
	return ret;
}

/* ---- building a journey for the customers already there ------------------- */


struct cls_names {
	struct cxm_event *ev; /* by class id: type, channel, touchpoint */
	size_t n;
};

static int cls_names_row(const struct sqlrow *r, void *ctx)
{
	struct cls_names *c = ctx;
	size_t id = (size_t)row_int(r, 0);
	if (id >= c->n) {
		size_t n = id + 64;
		c->ev = xrealloc(c->ev, n * sizeof(*c->ev));
		memset(c->ev + c->n, 0, (n - c->n) * sizeof(*c->ev));
		c->n = n;
	}
	c->ev[id].type = xstrdup(row_text(r, 1));
	c->ev[id].channel = xstrdup(row_text(r, 2));
	c->ev[id].touchpoint = row_text(r, 3) && *row_text(r, 3) ? xstrdup(row_text(r, 3)) : NULL;
	return 0;
}

static void cls_names_release(struct cls_names *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free((char *)c->ev[i].type);
		free((char *)c->ev[i].channel);
		free((char *)c->ev[i].touchpoint);
	}
	free(c->ev);
}

struct ev_copy {
	struct cxm_event *v;
	size_t n, cap;
};

static int ev_copy_row(const struct cxm_event *e, void *ctx)
{
	struct ev_copy *c = ctx;
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	c->v[c->n++] = (struct cxm_event){
		.customer_id = e->customer_id,
		.ts = e->ts,
		.type = xstrdup(e->type),
		.channel = xstrdup(e->channel ? e->channel : ""),
		.touchpoint = e->touchpoint ? xstrdup(e->touchpoint) : NULL,
		.properties = e->properties ? xstrdup(e->properties) : NULL,
	};
	return 0;
}

static void ev_copy_release(struct ev_copy *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free((char *)c->v[i].type);
		free((char *)c->v[i].channel);
		free((char *)c->v[i].touchpoint);
		free((char *)c->v[i].properties);
	}
	free(c->v);
}

/* The customer's sequence made anew from their stored events into q,
 * tagged for every active journey. */
static int seq_from_events(struct cxm_store *s, int64_t tenant, int64_t customer, struct seq *q)
{
	struct jstore *js = s->js;
	struct ev_copy c = { 0 };
	int ret = cxm_store_event_scan_customer(s, tenant, customer, ev_copy_row, &c);

	seq_clear(q);
	for (size_t i = 0; i < c.n && !ret; i++) {
		uint32_t tags[CXM_JOURNEY_ACTIVE_MAX], cls, nt;
		if ((ret = class_id(s, tenant, &c.v[i], &cls)))
			break;
		nt = event_tags(js, &c.v[i], tags);
		seq_push(q, c.v[i].ts, cls, tags, nt);
	}
	ev_copy_release(&c);
	seq_sort(q);
	seq_cap(q, js->seq_max);
	return ret;
}

/* Retags one customer's sequence for d and counts their contribution. */
static int build_customer(struct cxm_store *s, int64_t tenant, const struct jdef *d, bool fresh,
			  const struct cls_names *names, int64_t customer)
{
	struct jstore *js = s->js;
	struct seqrow row;
	int ret;

	if ((ret = seq_lock(s, tenant, customer)) || (ret = seq_load(s, tenant, customer, &row, &js->old)) ||
	    (!row.found && !row.ntail))
		goto out;
	seq_clear(&js->cur);
	if (d->needs_props) {
		/* the rule tests properties: the events themselves decide */
		if ((ret = seq_from_events(s, tenant, customer, &js->cur)))
			goto out;
	} else {
		for (size_t i = 0; i < js->old.n; i++) {
			uint32_t tags[CXM_JOURNEY_ACTIVE_MAX + 1], nt = 0, cls = js->old.cls[i];
			for (uint32_t t = 0; t < js->old.ntags[i]; t++)
				if ((int)(js->old.tags[js->old.tag0[i] + t] >> 8) != d->slot)
					tags[nt++] = js->old.tags[js->old.tag0[i] + t];
			if (cls < names->n && names->ev[cls].type) {
				const struct cxm_event *e = &names->ev[cls];
				int tp = cxm_journey_match_event(&d->def, e->type, e->channel, e->touchpoint, NULL);
				if (tp >= 0)
					tags[nt++] = CXM_SEQ_TAG(d->slot, tp);
			}
			tags_sort(tags, nt);
			seq_push(&js->cur, js->old.ts[i], cls, tags, nt);
		}
	}
	seq_sort(&js->cur);
	if (fresh)
		row.segs = segs_set(row.segs, d->slot, NULL);
	{
		struct cxm_journey_state st;
		bool any;
		state_of(d, &js->cur, &st, &any);
		if (any) {
			char *seg = segs_get(row.segs, d->slot);
			if (!seg) {
				if ((ret = customer_segment_now(s, tenant, customer, &seg)))
					goto out;
				row.segs = segs_set(row.segs, d->slot, seg ? seg : "");
				if (!seg)
					seg = xstrdup("");
			}
			ret = contrib_apply(s, tenant, d, d->version, &st, seg, 1);
			free(seg);
		}
	}
	if (!ret)
		ret = seq_store(s, tenant, customer, &row, &js->cur);
out:
	seqrow_release(&row);
	return ret;
}

int cxm_store_journey_build_step(struct cxm_store *s, int64_t tenant, int max_customers, bool *pending)
{
	static const char next[] = "SELECT customer_id FROM customer_seq WHERE tenant_id = ? AND customer_id > ?"
				   " UNION SELECT customer_id FROM customer_seq_tail WHERE tenant_id = ? AND customer_id > ?"
				   " ORDER BY 1 LIMIT ?";
	static const char names_sql[] = "SELECT id, type, channel, touchpoint FROM event_classes WHERE tenant_id = ?";
	static const char advance[] = "UPDATE journeys SET build_cursor = ?, build_done = build_done + ?"
				      " WHERE tenant_id = ? AND id = ?";
	static const char flip[] = "UPDATE journeys SET built_version = version, build_cursor = 0, build_done = 0,"
				   " build_total = 0 WHERE tenant_id = ? AND id = ?";
	static const char drop_r[] = "DELETE FROM journey_rollups WHERE tenant_id = ? AND journey_id = ? AND version < ?";
	static const char drop_t[] = "DELETE FROM journey_times WHERE tenant_id = ? AND journey_id = ? AND version < ?";
	static const char flip_bad[] = "UPDATE journeys SET built_version = version, build_cursor = 0, build_done = 0,"
				       " build_total = 0 WHERE tenant_id = ? AND id = ? AND built_version < version";
	struct jstore *js = js_get(s);
	struct cls_names names = { 0 };
	struct ids ids = { 0 };
	const struct jdef *d = NULL;
	int own, ret;

	*pending = false;
	if (js->off)
		return 0;
	if ((ret = cxm_store_tx_begin(s, &own)))
		return ret;
	if ((ret = js_load(s, tenant)) || (ret = js_cursors(s, tenant)))
		goto out;
	for (int i = 0; i < js->nbad; i++) {
		/* it can never be built: not retried at every tick */
		struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(js->bad[i]) };
		if ((ret = JQ(s, flip_bad, p, NULL, NULL, NULL)))
			goto out;
	}
	js->nbad = 0;
	for (size_t i = 0; i < js->n && !d; i++)
		if (js->j[i].built_version < js->j[i].version)
			d = &js->j[i];
	if (!d)
		goto out;
	{
		struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(d->cursor), SQLV_INT(tenant), SQLV_INT(d->cursor),
				      SQLV_INT(max_customers > 0 ? max_customers : 1) };
		if ((ret = JQ(s, next, p, ids_row, &ids, NULL)))
			goto out;
	}
	if (!d->needs_props) {
		struct sqlval p[] = { SQLV_INT(tenant) };
		if ((ret = JQ(s, names_sql, p, cls_names_row, &names, NULL)))
			goto out;
	}
	for (size_t i = 0; i < ids.n && !ret; i++)
		ret = build_customer(s, tenant, d, d->built_version == 0, &names, ids.v[i]);
	if (ret)
		goto out;
	if (ids.n) {
		struct sqlval p[] = { SQLV_INT(ids.v[ids.n - 1]), SQLV_INT((int64_t)ids.n), SQLV_INT(tenant),
				      SQLV_INT(d->id) };
		if ((ret = JQ(s, advance, p, NULL, NULL, NULL)))
			goto out;
		js->j[d - js->j].cursor = ids.v[ids.n - 1];
	}
	if (ids.n < (size_t)(max_customers > 0 ? max_customers : 1)) {
		/* every customer is built: the new version answers from now on */
		struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(d->id) };
		struct sqlval pv[] = { SQLV_INT(tenant), SQLV_INT(d->id), SQLV_INT(d->version) };
		if ((ret = JQ(s, flip, p, NULL, NULL, NULL)) || (ret = JQ(s, drop_r, pv, NULL, NULL, NULL)) ||
		    (ret = JQ(s, drop_t, pv, NULL, NULL, NULL)) || (ret = journey_bump(s, tenant)))
			goto out;
		for (size_t i = 0; i < js->n; i++)
			if (js->j[i].built_version < js->j[i].version && &js->j[i] != d)
				*pending = true;
	} else {
		*pending = true;
	}
out:
	cls_names_release(&names);
	free(ids.v);
	return cxm_store_tx_end(s, own, ret);
}

int cxm_store_journey_build_all(struct cxm_store *s, int64_t tenant)
{
	bool pending = true;
	int ret = 0;

	while (pending && !ret)
		ret = cxm_store_journey_build_step(s, tenant, 1000, &pending);
	return ret;
}

/* ---- reading -------------------------------------------------------------- */

struct slotdef {
	int found;
	int slot, version, built_version;
	char *definition;
};

static int slotdef_row(const struct sqlrow *r, void *ctx)
{
	struct slotdef *d = ctx;
	d->found = 1;
	d->slot = (int)row_int(r, 0);
	d->version = (int)row_int(r, 1);
	d->built_version = (int)row_int(r, 2);
	d->definition = xstrdup(row_text(r, 3));
	return 0;
}

int cxm_store_journey_progress(struct cxm_store *s, int64_t tenant, int64_t customer_id, int64_t journey_id,
			       struct cxm_journey_state *out)
{
	static const char sql[] =
		"SELECT j.slot, j.version, j.built_version, v.definition FROM journeys j JOIN journey_versions v"
		" ON v.tenant_id = j.tenant_id AND v.journey_id = j.id AND v.version = j.version"
		" WHERE j.tenant_id = ? AND j.id = ? AND j.status = 'active'";
	struct slotdef sd = { 0 };
	struct jdef d;
	struct seqrow row;
	struct seq q = { 0 };
	char field[128], why[256];
	bool any;
	int ret;

	memset(&row, 0, sizeof(row));
	memset(&d, 0, sizeof(d));
	{
		struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(journey_id) };
		if ((ret = JQ(s, sql, p, slotdef_row, &sd, NULL)))
			goto out;
	}
	if (!sd.found) {
		ret = cxm_store_seterr(s, CXM_ENOTFOUND, _(MSG_S_NO_JOURNEY), (long long)journey_id);
		goto out;
	}
	d.slot = sd.slot;
	d.tree = cJSON_Parse(sd.definition);
	if (!d.tree || cxm_journey_check(d.tree, &d.def, field, sizeof(field), why, sizeof(why))) {
		ret = cxm_store_seterr(s, CXM_ESTORE, _(MSG_S_JOURNEY_BAD_DEF), (long long)journey_id, why);
		goto out;
	}
	if ((ret = seq_load(s, tenant, customer_id, &row, &q)))
		goto out;
	state_of(&d, &q, out, &any);
	if (!any)
		ret = cxm_store_seterr(s, CXM_ENOTFOUND, _(MSG_S_NOT_IN_JOURNEY), (long long)customer_id,
				       (long long)journey_id);
out:
	cJSON_Delete(d.tree);
	free(sd.definition);
	seqrow_release(&row);
	seq_release(&q);
	return ret;
}

/* The active journeys, copied out of journey_row for progress_all. */
struct jrows {
	struct cxm_journey_row *v;
	size_t n;
};

static int jrows_keep(const struct cxm_journey_row *j, void *ctx)
{
	struct jrows *js = ctx;

	js->v = xrealloc(js->v, (js->n + 1) * sizeof(*js->v));
	js->v[js->n] = *j;
	js->v[js->n].name = xstrdup(j->name);
	js->v[js->n].status = xstrdup(j->status);
	js->v[js->n].definition = xstrdup(j->definition);
	js->n++;
	return 0;
}

int cxm_store_journey_progress_all(struct cxm_store *s, int64_t tenant, int64_t customer_id,
				   cxm_journey_progress_cb cb, void *ctx)
{
	struct jrows js = { NULL, 0 };
	struct cxm_journey_state *st = xcalloc(1, sizeof(*st));
	struct seqrow row;
	struct seq q = { 0 };
	int ret;

	memset(&row, 0, sizeof(row));
	/* the journeys first: a journey created meanwhile has no tags yet */
	if ((ret = cxm_store_journey_list(s, tenant, true, 0, 0, jrows_keep, &js)) ||
	    (js.n && (ret = seq_load(s, tenant, customer_id, &row, &q))))
		goto out;
	for (size_t i = 0; i < js.n && !ret; i++) {
		struct jdef d;
		char field[128], why[256];
		bool any;
		memset(&d, 0, sizeof(d));
		d.slot = js.v[i].slot;
		d.tree = cJSON_Parse(js.v[i].definition);
		/* the store keeps checked definitions; one that no longer checks
		 * (rules tightened since) is left out, as ingest leaves it */
		if (d.tree && !cxm_journey_check(d.tree, &d.def, field, sizeof(field), why, sizeof(why))) {
			state_of(&d, &q, st, &any);
			ret = cb(&js.v[i], &d.def, any ? st : NULL, ctx);
		}
		cJSON_Delete(d.tree);
	}
out:
	for (size_t i = 0; i < js.n; i++) {
		free((char *)js.v[i].name);
		free((char *)js.v[i].status);
		free((char *)js.v[i].definition);
	}
	free(js.v);
	free(st);
	seqrow_release(&row);
	seq_release(&q);
	return ret;
}

struct flow_ctx {
	struct cxm_journey_flow *f;
	bool mature;
};

static int flow_row(const struct sqlrow *r, void *ctx)
{
	struct flow_ctx *c = ctx;
	int64_t node = row_int(r, 0);

	if (node < 0 || node >= CXM_JOURNEY_NODES_MAX)
		return 0;
	if (c->mature) {
		c->f->mature_reached[node] += row_int(r, 1);
		c->f->mature_converted[node] += row_int(r, 2);
	} else {
		c->f->reached[node] += row_int(r, 1);
		c->f->converted[node] += row_int(r, 2);
	}
	return 0;
}

static int times_row(const struct sqlrow *r, void *ctx)
{
	struct flow_ctx *c = ctx;
	int64_t node = row_int(r, 0), b = row_int(r, 1);

	if (node >= 0 && node < CXM_JOURNEY_NODES_MAX && b >= 0 && b < CXM_JOURNEY_BUCKETS)
		c->f->times[node][b] += row_int(r, 2);
	return 0;
}

/* Adds the rows of days [from, to) to the flow: of one segment, or of
 * all of them (NULL). */
static int flow_rows(struct cxm_store *s, int64_t tenant, int64_t journey, int version, int grain,
		     const char *segment, int64_t from, int64_t to, struct flow_ctx *c)
{
	static const char roll_all[] = "SELECT node, SUM(reached), SUM(converted) FROM journey_rollups"
				       " WHERE tenant_id = ? AND journey_id = ? AND version = ?"
				       " AND grain = ? AND day >= ? AND day < ? GROUP BY node";
	static const char roll_seg[] = "SELECT node, SUM(reached), SUM(converted) FROM journey_rollups"
				       " WHERE tenant_id = ? AND journey_id = ? AND version = ?"
				       " AND grain = ? AND day >= ? AND day < ? AND value = ? GROUP BY node";
	static const char times_all[] = "SELECT node, bucket, SUM(n) FROM journey_times"
					" WHERE tenant_id = ? AND journey_id = ? AND version = ?"
					" AND grain = ? AND day >= ? AND day < ? GROUP BY node, bucket";
	static const char times_seg[] = "SELECT node, bucket, SUM(n) FROM journey_times"
					" WHERE tenant_id = ? AND journey_id = ? AND version = ?"
					" AND grain = ? AND day >= ? AND day < ? AND value = ? GROUP BY node, bucket";
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(journey), SQLV_INT(version), SQLV_INT(grain),
			      SQLV_INT(from),	SQLV_INT(to),	   SQLV_TEXT(segment) };
	size_t np = segment ? 7 : 6;
	int ret;

	if (from >= to)
		return 0;
	if ((ret = cxm_store_q(s, segment ? roll_seg : roll_all, p, np, flow_row, c, NULL)))
		return ret;
	return c->mature ? 0 : cxm_store_q(s, segment ? times_seg : times_all, p, np, times_row, c, NULL);
}

/* Days [from, to): whole months from the month rows, the edges by day. */
static int flow_range(struct cxm_store *s, int64_t tenant, int64_t journey, int version, const char *segment,
		      int64_t from, int64_t to, struct flow_ctx *c)
{
	int64_t m0 = cxm_bucket_start(CXM_BUCKET_MONTH, from), m1 = cxm_bucket_start(CXM_BUCKET_MONTH, to);
	int ret;

	if (m0 < from)
		m0 = cxm_bucket_start(CXM_BUCKET_MONTH, m0 + 31);
	if (m0 >= m1)
		return flow_rows(s, tenant, journey, version, 0, segment, from, to, c);
	if ((ret = flow_rows(s, tenant, journey, version, 0, segment, from, m0, c)) ||
	    (ret = flow_rows(s, tenant, journey, version, 1, segment, m0, m1, c)))
		return ret;
	return flow_rows(s, tenant, journey, version, 0, segment, m1, to, c);
}

int cxm_store_journey_flow(struct cxm_store *s, int64_t tenant, int64_t journey_id, int64_t from_day,
			   int64_t to_day, const char *segment, int64_t mature_day, struct cxm_journey_flow *out)
{
	static const char sql[] = "SELECT built_version FROM journeys WHERE tenant_id = ? AND id = ?";
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(journey_id) };
	int64_t built = -1;
	struct flow_ctx c = { out, false };
	int ret;

	memset(out, 0, sizeof(*out));
	if ((ret = JQ(s, sql, p, cxm_store_int_row, &built, NULL)))
		return ret;
	if (built < 0)
		return cxm_store_seterr(s, CXM_ENOTFOUND, _(MSG_S_NO_JOURNEY), (long long)journey_id);
	out->version = (int)built;
	if (!built)
		return 0;
	if ((ret = flow_range(s, tenant, journey_id, (int)built, segment, from_day, to_day, &c)))
		return ret;
	c.mature = true;
	return flow_range(s, tenant, journey_id, (int)built, segment, from_day,
			  mature_day < to_day ? mature_day : to_day, &c);
}

struct scan_half;

/* The tail of the customers a scan reads, by customer: their entries,
 * merged into their rows as the scan meets them (seen). */
struct scan_tail {
	size_t n, cap;
	int64_t *id; /* increasing */
	struct seq *q;
	bool *seen;
	/* the segment of the newest tail row with one (seg_set), else the row's */
	bool *seg_set;
	char **seg;
};

struct scan_ctx {
	int64_t from, to, until;
	cxm_seq_cb cb;
	void *ctx;
	struct cxm_seq_entry *e;
	size_t cap;
	uint32_t *tags;
	size_t tagcap;
	/* a half of a scan in two: rows go into a batch (e and tags from ne
	 * and ntag on), not straight to cb */
	struct scan_half *half;
	size_t ne, ntag;
	/* the tail, and scratch for a customer who has one */
	struct scan_tail *tail;
	struct seq row, both;
};

static int half_keep(struct scan_ctx *c, int64_t customer_id, const char *segment, size_t e0);

/* get_varint with the one-character case (classes, tag counts) inline */
static inline bool scan_varint(const char **pp, uint64_t *v)
{
	unsigned d = (unsigned)(unsigned char)**pp - '0';

	if (d < 32) {
		*v = d;
		(*pp)++;
		return true;
	}
	return get_varint(pp, v);
}

/* The customer whose entries scan_row or scan_merged put in c->e up to k
 * (their tags in c->tags up to ntag): to the callback, or the half's batch,
 * when one of them is in [from, to). */
static int scan_emit(struct scan_ctx *c, int64_t customer_id, const char *segment, size_t k, size_t ntag, bool in)
{
	if (!in)
		return 0;
	if (c->half) {
		size_t e0 = c->ne;
		c->ne = k;
		c->ntag = ntag;
		return half_keep(c, customer_id, segment, e0);
	}
	/* the tags were laid out entry after entry; c->tags is final now */
	ntag = 0;
	for (size_t i = 0; i < k; i++) {
		c->e[i].tags = c->e[i].ntags ? c->tags + ntag : NULL;
		ntag += c->e[i].ntags;
	}
	return c->cb(customer_id, segment, c->e, k, c->ctx);
}

/* A customer with tail entries t: their row's text (NULL: no row) and t
 * merged, then as scan_row. */
static int scan_merged(struct scan_ctx *c, int64_t customer_id, const char *segment, const char *data,
		       const struct seq *t)
{
	struct seq *q = &c->both;
	size_t k = c->ne, ntag = c->ntag;
	bool in = false;

	seq_clear(&c->row);
	if (!seq_decode(&c->row, data))
		seq_clear(&c->row); /* not a sequence: the tail alone */
	seq_merge(q, &c->row, t);
	for (size_t i = 0; i < q->n; i++) {
		if (q->ts[i] > c->until)
			break;
		if (q->ts[i] < c->from)
			continue;
		if (k == c->cap) {
			c->cap = c->cap ? 2 * c->cap : 256;
			c->e = xrealloc(c->e, c->cap * sizeof(*c->e));
		}
		if (ntag + q->ntags[i] > c->tagcap) {
			while (ntag + q->ntags[i] > c->tagcap)
				c->tagcap = c->tagcap ? 2 * c->tagcap : 256;
			c->tags = xrealloc(c->tags, c->tagcap * sizeof(*c->tags));
		}
		if (q->ntags[i])
			memcpy(c->tags + ntag, q->tags + q->tag0[i], q->ntags[i] * sizeof(*c->tags));
		ntag += q->ntags[i];
		in |= q->ts[i] < c->to;
		c->e[k++] = (struct cxm_seq_entry){ q->ts[i], q->cls[i], q->ntags[i], NULL };
	}
	return scan_emit(c, customer_id, segment, k, ntag, in);
}

/* The customer's index in the scan's tail, or -1. */
static ptrdiff_t tail_find(const struct scan_tail *t, int64_t customer_id)
{
	size_t lo = 0, hi = t ? t->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->id[mid] < customer_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return t && lo < t->n && t->id[lo] == customer_id ? (ptrdiff_t)lo : -1;
}

/*
 * A row's entries straight from its text into c->e (no struct seq): the
 * entries before `from` are read past, their tags not kept. A text that
 * is not a sequence skips the row, as seq_decode would have.
 */
static int scan_row(const struct sqlrow *r, void *vctx)
{
	struct scan_ctx *c = vctx;
	const char *p = row_text(r, 2);
	size_t k = c->ne, ntag = c->ntag;
	int64_t prev = 0;
	bool in = false, first = true;

	if (c->tail && c->tail->n) {
		ptrdiff_t t = tail_find(c->tail, row_int(r, 0));
		if (t >= 0) {
			c->tail->seen[t] = true;
			return scan_merged(c, row_int(r, 0), c->tail->seg_set[t] ? c->tail->seg[t] : row_text(r, 1), p,
					   &c->tail->q[t]);
		}
	}

	while (p && *p) {
		uint64_t d, cls, nt, v;
		if (!scan_varint(&p, &d) || !scan_varint(&p, &cls) || !scan_varint(&p, &nt) ||
		    nt > CXM_JOURNEY_ACTIVE_MAX * 4)
			return 0;
		prev = first ? (int64_t)(d >> 1) ^ -(int64_t)(d & 1) : prev + (int64_t)d;
		first = false;
		if (prev > c->until)
			break;
		if (prev < c->from) {
			for (uint64_t t = 0; t < nt; t++)
				if (!scan_varint(&p, &v))
					return 0;
			continue;
		}
		if (k == c->cap) {
			c->cap = c->cap ? 2 * c->cap : 256;
			c->e = xrealloc(c->e, c->cap * sizeof(*c->e));
		}
		if (ntag + nt > c->tagcap) {
			while (ntag + nt > c->tagcap)
				c->tagcap = c->tagcap ? 2 * c->tagcap : 256;
			c->tags = xrealloc(c->tags, c->tagcap * sizeof(*c->tags));
		}
		for (uint64_t t = 0; t < nt; t++) {
			if (!scan_varint(&p, &v))
				return 0;
			c->tags[ntag++] = (uint32_t)v;
		}
		in |= prev < c->to;
		c->e[k++] = (struct cxm_seq_entry){ prev, (uint32_t)cls, (uint32_t)nt, NULL };
	}
	return scan_emit(c, row_int(r, 0), row_text(r, 1), k, ntag, in);
}

static int tail_row(const struct sqlrow *r, void *ctx)
{
	struct scan_tail *t = ctx;
	int64_t id = row_int(r, 0);

	if (!t->n || t->id[t->n - 1] != id) {
		if (t->n == t->cap) {
			t->cap = t->cap ? 2 * t->cap : 256;
			t->id = xrealloc(t->id, t->cap * sizeof(*t->id));
			t->q = xrealloc(t->q, t->cap * sizeof(*t->q));
			t->seen = xrealloc(t->seen, t->cap * sizeof(*t->seen));
			t->seg_set = xrealloc(t->seg_set, t->cap * sizeof(*t->seg_set));
			t->seg = xrealloc(t->seg, t->cap * sizeof(*t->seg));
		}
		t->id[t->n] = id;
		memset(&t->q[t->n], 0, sizeof(t->q[0]));
		t->seen[t->n] = t->seg_set[t->n] = false;
		t->seg[t->n] = NULL;
		t->n++;
	}
	seq_decode(&t->q[t->n - 1], row_text(r, 1));
	if (row_text(r, 3)) {
		/* rows come in id order: the last one wins */
		free(t->seg[t->n - 1]);
		t->seg[t->n - 1] = row_text(r, 2) ? xstrdup(row_text(r, 2)) : NULL;
		t->seg_set[t->n - 1] = true;
	}
	return 0;
}

static void tail_release(struct scan_tail *t)
{
	for (size_t i = 0; i < t->n; i++) {
		seq_release(&t->q[i]);
		free(t->seg[i]);
	}
	free(t->id);
	free(t->q);
	free(t->seen);
	free(t->seg_set);
	free(t->seg);
	memset(t, 0, sizeof(*t));
}

struct missed_ctx {
	struct scan_ctx *c;
	const struct seq *t;
	bool seg_set;
	const char *seg;
	bool found;
};

static int missed_row(const struct sqlrow *r, void *ctx)
{
	struct missed_ctx *m = ctx;
	m->found = true;
	return scan_merged(m->c, row_int(r, 0), m->seg_set ? m->seg : row_text(r, 1), row_text(r, 2), m->t);
}

/*
 * One scan's rows of customers lo .. hi (ranged: else every customer) on
 * connection s, with their tail: the tail first, then the rows, each
 * merged with its customer's tail entries, then the customers with a tail
 * whose row the time filter left out (their row's first and last times
 * predate the tail), one by one. Outside a transaction, all of it in one
 * read transaction, so a fold committing meanwhile cannot take entries
 * from the tail read into rows read before it (on PostgreSQL inside a
 * caller's transaction, read committed, it could show them twice).
 */
static int scan_part(struct cxm_store *s, int64_t tenant, int64_t lo, int64_t hi, bool ranged, struct scan_ctx *c)
{
	static const char all[] = "SELECT customer_id, segment, data FROM customer_seq"
				  " WHERE tenant_id = ? AND last_ts >= ? AND first_ts < ?";
	static const char part[] = "SELECT customer_id, segment, data FROM customer_seq"
				   " WHERE tenant_id = ? AND customer_id >= ? AND customer_id <= ?"
				   " AND last_ts >= ? AND first_ts < ?";
	static const char tail_sql[] = "SELECT customer_id, data, segment, segs FROM customer_seq_tail"
				       " WHERE tenant_id = ? AND customer_id >= ? AND customer_id <= ?"
				       " ORDER BY customer_id, id";
	static const char one[] = "SELECT customer_id, segment, data FROM customer_seq"
				  " WHERE tenant_id = ? AND customer_id = ?";
	bool pg = strcmp(s->ops->name, "sqlite") != 0, own = !s->in_tx;
	struct scan_tail t = { 0 };
	int ret = 0;

	if (own && (ret = s->ops->exec(s, pg ? "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY" : "BEGIN")))
		return ret;
	{
		struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(ranged ? lo : INT64_MIN),
				      SQLV_INT(ranged ? hi : INT64_MAX) };
		ret = JQ(s, tail_sql, p, tail_row, &t, NULL);
	}
	for (size_t i = 0; i < t.n; i++)
		seq_sort(&t.q[i]);
	c->tail = &t;
	if (!ret && ranged) {
		struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(lo), SQLV_INT(hi), SQLV_INT(c->from), SQLV_INT(c->to) };
		ret = JQ(s, part, p, scan_row, c, NULL);
	} else if (!ret) {
		struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(c->from), SQLV_INT(c->to) };
		ret = JQ(s, all, p, scan_row, c, NULL);
	}
	for (size_t i = 0; i < t.n && !ret; i++) {
		bool in = false;
		/* the row the filter left out has no entry in [from, to): only
		 * the tail can bring the customer in */
		for (size_t k = 0; k < t.q[i].n && !in; k++)
			in = t.q[i].ts[k] >= c->from && t.q[i].ts[k] < c->to;
		if (t.seen[i] || !in)
			continue;
		struct missed_ctx m = { c, &t.q[i], t.seg_set[i], t.seg[i], false };
		struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(t.id[i]) };
		if (!(ret = JQ(s, one, p, missed_row, &m, NULL)) && !m.found)
			ret = scan_merged(c, t.id[i], t.seg[i], NULL, &t.q[i]); /* no row yet */
	}
	c->tail = NULL;
	tail_release(&t);
	seq_release(&c->row);
	seq_release(&c->both);
	if (own) {
		int end = s->ops->exec(s, ret ? "ROLLBACK" : "COMMIT");
		if (!ret)
			ret = end;
	}
	return ret;
}

int cxm_store_seq_scan(struct cxm_store *s, int64_t tenant, int64_t from_ts, int64_t to_ts, cxm_seq_cb cb,
		       void *ctx)
{
	struct scan_ctx c = { .from = from_ts, .to = to_ts, .until = INT64_MAX, .cb = cb, .ctx = ctx };
	int ret = scan_part(s, tenant, 0, 0, false, &c);

	free(c.e);
	free(c.tags);
	return ret;
}

/* ---- the sequences of events stored before migration 0014 ----------------- */

int cxm_jstore_backfill(struct cxm_store *s)
{
	static const char sql[] = "SELECT DISTINCT tenant_id, customer_id FROM events ORDER BY tenant_id, customer_id";
	struct jstore *js = js_get(s);
	struct ids l = { 0 };
	int ret = cxm_store_q(s, sql, NULL, 0, pair_row, &l, NULL);

	for (size_t i = 0; i + 1 < l.n && !ret; i += 2) {
		int64_t tenant = l.v[i], customer = l.v[i + 1];
		struct seqrow row = { 0 };
		if ((ret = js_load(s, tenant)) || (ret = customer_segment_now(s, tenant, customer, &row.segment)))
			break;
		ret = seq_from_events(s, tenant, customer, &js->cur);
		if (!ret)
			ret = seq_store(s, tenant, customer, &row, &js->cur);
		seqrow_release(&row);
	}
	free(l.v);
	js->valid = false;
	return ret;
}

/* ---- folding the tail into customer_seq ----------------------------------- */

static int mtail_cmp(const void *pa, const void *pb)
{
	const struct mtail *a = *(const struct mtail *const *)pa, *b = *(const struct mtail *const *)pb;

	if (a->tenant != b->tenant)
		return a->tenant < b->tenant ? -1 : 1;
	return (a->customer > b->customer) - (a->customer < b->customer);
}

/*
 * The common fold of one customer, in one statement: no row yet (their
 * row is their tail), or a row whose entries all come before the tail's,
 * which takes the tail's after its own (cxm_seq_join) without being read.
 * *done 0: neither (an event older than the row's newest): read and merge.
 */
static int fold_append(struct cxm_store *s, const struct mtail *e, int64_t *done)
{
	static const char sql[] =
		"INSERT INTO customer_seq (tenant_id, customer_id, n, first_ts, last_ts, segment, segs, data)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (tenant_id, customer_id) DO UPDATE SET"
		" n = customer_seq.n + excluded.n, last_ts = excluded.last_ts,"
		" segment = CASE WHEN ?9 THEN excluded.segment ELSE customer_seq.segment END,"
		" segs = CASE WHEN ?9 THEN excluded.segs ELSE customer_seq.segs END,"
		" data = cxm_seq_join(customer_seq.data, customer_seq.last_ts, excluded.data)"
		" WHERE customer_seq.last_ts < excluded.first_ts";
	struct jstore *js = s->js;

	*done = 0;
	if (e->bad || !e->q.n)
		return 0;
	seq_encode(&e->q, NULL, &js->text);
	struct sqlval p[] = { SQLV_INT(e->tenant),
			      SQLV_INT(e->customer),
			      SQLV_INT(e->n),
			      SQLV_INT(e->q.ts[0]),
			      SQLV_INT(e->q.ts[e->q.n - 1]),
			      SQLV_TEXT(e->meta_id ? e->segment : NULL),
			      SQLV_TEXT(e->meta_id ? e->segs : ""),
			      SQLV_TEXT(cxm_buf_str(&js->text)),
			      SQLV_INT(e->meta_id ? 1 : 0) };
	return JQ(s, sql, p, NULL, NULL, done);
}

/*
 * SQLite: the writer's transaction holds the whole database (BEGIN
 * IMMEDIATE), so nobody adds to the tail while it is folded: the tail is
 * the map's (mem_ready), each of its customers' rows read and written in key order,
 * and the tail emptied by one statement.
 */
static int tail_fold_sqlite(struct cxm_store *s)
{
	static const char empty[] = "DELETE FROM customer_seq_tail";
	struct jstore *js = s->js;
	struct mtail **order;
	size_t n = 0;
	int ret = 0;

	if ((ret = rows_ready(s)))
		return ret;
	order = xmalloc((js->nmem ? js->nmem : 1) * sizeof(*order));
	for (size_t i = 0; i < js->nmem; i++)
		if (js->mem[i].nrows)
			order[n++] = &js->mem[i];
	qsort(order, n, sizeof(*order), mtail_cmp);
	for (size_t i = 0; i < n && !ret; i++) {
		struct seqrow row;
		struct seqload l = { &row, &js->old, { 0 }, 0, NULL, NULL };
		struct sqlval p[] = { SQLV_INT(order[i]->tenant), SQLV_INT(order[i]->customer) };
		int64_t done = 0;
		/* the row may be new: in the filter before it can exist */
		rows_add(&js->rows, order[i]->tenant, order[i]->customer);
		if ((ret = fold_append(s, order[i], &done)) || done)
			continue;
		memset(&row, 0, sizeof(row));
		seq_clear(&js->old);
		if (!rows_maybe(&js->rows, order[i]->tenant, order[i]->customer) ||
		    !(ret = JQ(s, seq_row_sql, p, seqload_row, &l, NULL))) {
			mem_over(&row, &js->old, order[i]);
			row.ntail = 0; /* emptied below, at once */
			ret = seq_store(s, order[i]->tenant, order[i]->customer, &row, &js->old);
		}
		seqrow_release(&row);
	}
	free(order);
	if (!ret)
		ret = cxm_store_q(s, empty, NULL, 0, NULL, NULL, NULL);
	if (!ret) {
		/* the table is empty: so is the map, still known */
		int64_t next = js->mem_next_id;
		mem_drop(js);
		js->mem_known = true;
		js->mem_next_id = next;
	}
	return ret;
}

/*
 * Every customer with tail rows gets their whole sequence written into
 * their row, in (tenant, customer id) order, so the fold writes each page
 * of customer_seq it touches once. PostgreSQL (several nodes ingest at
 * once): customer by customer under the row lock, as ingest takes it and
 * in the same order, and seq_store deletes exactly that customer's tail
 * rows, which nobody can add to meanwhile (never "id <= the last read": a
 * lower id may commit later).
 */
static int tail_fold(struct cxm_store *s)
{
	static const char sql[] = "SELECT DISTINCT tenant_id, customer_id FROM customer_seq_tail"
				  " ORDER BY tenant_id, customer_id";
	struct jstore *js = s->js;
	struct ids l = { 0 };
	bool use;
	int ret;

	if ((ret = mem_ready(s, &use)))
		return ret;
	if (use) {
		ret = tail_fold_sqlite(s);
	} else {
		ret = cxm_store_q(s, sql, NULL, 0, pair_row, &l, NULL);
		for (size_t i = 0; i + 1 < l.n && !ret; i += 2) {
			struct seqrow row;
			if ((ret = seq_lock(s, l.v[i], l.v[i + 1])) ||
			    (ret = seq_load(s, l.v[i], l.v[i + 1], &row, &js->old)))
				break;
			if (row.ntail)
				ret = seq_store(s, l.v[i], l.v[i + 1], &row, &js->old);
			seqrow_release(&row);
		}
		free(l.v);
	}
	if (!ret)
		js->tail_n = 0;
	return ret;
}

int cxm_store_seq_tail_max(struct cxm_store *s, int64_t entries)
{
	js_get(s)->tail_max = entries > 0 ? entries : 1;
	return 0;
}

int cxm_store_seq_tail_fold(struct cxm_store *s)
{
	int own, ret;

	if (js_get(s)->off)
		return 0;
	if ((ret = cxm_store_tx_begin(s, &own)))
		return ret;
	ret = tail_fold(s);
	return cxm_store_tx_end(s, own, ret);
}

int cxm_store_journey_building(struct cxm_store *s, int64_t *tenant, bool *found)
{
	static const char sql[] = "SELECT tenant_id FROM journeys WHERE status = 'active' AND built_version < version"
				  " AND tenant_id > ? ORDER BY tenant_id LIMIT 1";
	int64_t t = INT64_MIN;
	int ret = 0;

	*found = false;
	if (js_get(s)->off)
		return 0;
	/* the next tenant after *tenant, then from the first again */
	for (int pass = 0; pass < 2 && !ret && t == INT64_MIN; pass++) {
		struct sqlval p[] = { SQLV_INT(pass ? INT64_MIN : *tenant) };
		ret = JQ(s, sql, p, cxm_store_int_row, &t, NULL);
	}
	*found = !ret && t != INT64_MIN;
	if (*found)
		*tenant = t;
	return ret;
}

/* ---- the sequence scan in two halves ------------------------------------- */

/*
 * Each half decodes its customers straight into a batch of its own (its
 * scan_ctx's entries, row after row) and hands the batch to the caller's
 * callback under a mutex, so the callbacks never run at once and the lock
 * is taken once per batch, not per customer.
 */
#define SCAN_BATCH_ENTRIES 65536

struct scan_shared {
	pthread_mutex_t mu;
	cxm_seq_cb cb;
	void *ctx;
	int ret; /* the first callback's refusal */
};

struct scan_cust {
	int64_t id;
	size_t e0, n;
	size_t seg; /* offset in segs, SIZE_MAX for none */
};

struct scan_half {
	struct scan_shared *sh;
	struct cxm_store *s;
	int64_t tenant, lo, hi; /* customer_id in [lo, hi] */
	struct scan_ctx c;
	struct scan_cust *cust;
	size_t ncust, capcust;
	struct cxm_buf segs;
	int ret;
};

/* The batch to the callback, under the lock. */
static int half_flush(struct scan_half *h)
{
	struct scan_shared *sh = h->sh;
	struct scan_ctx *c = &h->c;
	size_t t = 0;
	int ret;

	for (size_t i = 0; i < c->ne; i++) {
		c->e[i].tags = c->e[i].ntags ? c->tags + t : NULL;
		t += c->e[i].ntags;
	}
	pthread_mutex_lock(&sh->mu);
	for (size_t i = 0; i < h->ncust && !sh->ret; i++) {
		const struct scan_cust *k = &h->cust[i];
		sh->ret = sh->cb(k->id, k->seg == SIZE_MAX ? NULL : h->segs.p + k->seg, c->e + k->e0, k->n,
				 sh->ctx);
	}
	ret = sh->ret;
	pthread_mutex_unlock(&sh->mu);
	h->ncust = c->ne = c->ntag = 0;
	cxm_buf_clear(&h->segs);
	return ret;
}

/* scan_row in a half: the customer whose entries it put at e0 .. c->ne */
static int half_keep(struct scan_ctx *c, int64_t customer_id, const char *segment, size_t e0)
{
	struct scan_half *h = c->half;

	if (h->ncust == h->capcust) {
		h->capcust = h->capcust ? 2 * h->capcust : 1024;
		h->cust = xrealloc(h->cust, h->capcust * sizeof(*h->cust));
	}
	struct scan_cust *k = &h->cust[h->ncust++];
	k->id = customer_id;
	k->e0 = e0;
	k->n = c->ne - e0;
	k->seg = SIZE_MAX;
	if (segment) {
		k->seg = h->segs.len;
		cxm_buf_add(&h->segs, segment, strlen(segment) + 1);
	}
	return c->ne >= SCAN_BATCH_ENTRIES ? half_flush(h) : 0;
}

static void *half_run(void *arg)
{
	struct scan_half *h = arg;

	h->ret = scan_part(h->s, h->tenant, h->lo, h->hi, true, &h->c);
	if (!h->ret)
		h->ret = half_flush(h);
	return NULL;
}

static void half_release(struct scan_half *h)
{
	free(h->c.e);
	free(h->c.tags);
	free(h->cust);
	cxm_buf_release(&h->segs);
}

/* The second connection of a store, opened on first use and kept. */
static struct cxm_store *scan_helper(struct cxm_store *s)
{
	struct jstore *js = js_get(s);
	char err[256];

	/* an in-memory database is private to its connection */
	if (!s->url || strstr(s->url, ":memory:") || strstr(s->url, "mode=memory"))
		return NULL;
	if (!js->helper && cxm_store_open_raw(&js->helper, s->url, err, sizeof(err)))
		js->helper = NULL;
	return js->helper;
}

int cxm_store_seq_scan_until(struct cxm_store *s, int64_t tenant, int64_t from_ts, int64_t to_ts, int64_t until_ts,
			     bool any_order, cxm_seq_cb cb, void *ctx)
{
	/* the customers with a row or a tail */
	static const char lo_sql[] = "SELECT MIN(m) FROM (SELECT MIN(customer_id) AS m FROM customer_seq WHERE tenant_id = ?"
				     " UNION ALL SELECT MIN(customer_id) FROM customer_seq_tail WHERE tenant_id = ?) x";
	static const char hi_sql[] = "SELECT MAX(m) FROM (SELECT MAX(customer_id) AS m FROM customer_seq WHERE tenant_id = ?"
				     " UNION ALL SELECT MAX(customer_id) FROM customer_seq_tail WHERE tenant_id = ?) x";
	struct scan_ctx c = { .from = from_ts, .to = to_ts, .until = until_ts < to_ts ? to_ts : until_ts, .cb = cb,
			      .ctx = ctx };
	int64_t lo = INT64_MIN, hi = INT64_MIN;
	struct cxm_store *helper;
	int ret;

	if (!any_order || s->in_tx || !(helper = scan_helper(s))) {
		ret = scan_part(s, tenant, 0, 0, false, &c);
		free(c.e);
		free(c.tags);
		return ret;
	}
	struct sqlval pt[] = { SQLV_INT(tenant), SQLV_INT(tenant) };
	if ((ret = JQ(s, lo_sql, pt, cxm_store_int_row, &lo, NULL)) || (ret = JQ(s, hi_sql, pt, cxm_store_int_row, &hi, NULL)))
		return ret;
	if (lo == INT64_MIN || hi == INT64_MIN)
		return 0; /* no sequences */

	/* two halves of the id range; ids are spread by creation time */
	struct scan_shared sh = { .cb = cb, .ctx = ctx };
	struct scan_half h[2];
	int64_t mid = lo + (int64_t)(((uint64_t)hi - (uint64_t)lo) / 2);
	pthread_t th;

	pthread_mutex_init(&sh.mu, NULL);
	memset(h, 0, sizeof(h));
	for (int i = 0; i < 2; i++) {
		h[i].sh = &sh;
		h[i].tenant = tenant;
		h[i].c = c;
		h[i].c.half = &h[i];
		cxm_buf_init(&h[i].segs, 0);
	}
	h[0].s = s, h[0].lo = lo, h[0].hi = mid;
	h[1].s = helper, h[1].lo = mid + 1, h[1].hi = hi;
	if (mid == hi || pthread_create(&th, NULL, half_run, &h[1])) {
		/* one half only, or no thread: this one reads both */
		h[0].hi = hi;
		half_run(&h[0]);
	} else {
		half_run(&h[0]);
		pthread_join(th, NULL);
	}
	ret = h[0].ret;
	if (!ret && (ret = h[1].ret))
		cxm_store_seterr(s, ret, "%s", cxm_store_errmsg(helper));
	if (h[1].ret) {
		/* perhaps a broken connection: the next scan opens a new one */
		cxm_store_close(helper);
		js_get(s)->helper = NULL;
	}
	if (sh.ret)
		ret = sh.ret;
	for (int i = 0; i < 2; i++)
		half_release(&h[i]);
	pthread_mutex_destroy(&sh.mu);
	return ret;
}
