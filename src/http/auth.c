/*
 * auth.c - who is calling: an API key (Authorization: Bearer) or a
 * session cookie, checked against the hashes in the store; the caller's
 * role; and for managers and agents, the part of the org tree they see.
 *
 * A scoped caller's unit is the one they belong to now; what they see of
 * a record depends on where the record's unit stood on the record's date:
 * the subtree is computed as spans (unit, from, to) over time from every
 * unit -> parent membership, so a store that moved to another region in
 * June counts for the old region's manager before June only.
 */
#include "http-internal.h"
#include "cxm/auth.h"
#include "cxm/org.h"
#include "cxm/time.h"

#include <strings.h>

#define SESSION_COOKIE "cxm_session"
#define MAX_SPANS 4096

bool principal_sees(const struct principal *p, int64_t unit, int64_t ts)
{
	return !p->scoped || cxm_spans_have(p->spans, p->nspans, unit, ts);
}

/* ---- scope -------------------------------------------------------------- */

struct mships {
	struct cxm_membership *v;
	size_t n, cap;
};

static int add_mship(const struct cxm_membership *m, void *ctx)
{
	struct mships *ms = ctx;

	if (ms->n == ms->cap) {
		ms->cap = ms->cap ? ms->cap * 2 : 64;
		ms->v = xrealloc(ms->v, ms->cap * sizeof(*ms->v));
	}
	ms->v[ms->n++] = *m;
	return 0;
}

int auth_load_scope(struct req *r, struct cxm_store *db)
{
	struct principal *p = &r->who;
	struct mships ms = { 0 };
	struct cxm_span *spans = NULL;
	size_t n = 0, cap = 0;
	int64_t unit = 0;
	int ret = 0;

	p->scoped = 1;
	p->nspans = 0;
	p->spans = NULL;
	if (!p->user_id)
		return 0; /* a key with a scoped role has no unit: it sees nothing */
	ret = cxm_store_org_unit_of(db, p->tenant, CXM_MEMBER_USER, p->user_id, cxm_now_us(), &unit);
	if (ret == CXM_ENOTFOUND)
		return 0; /* not in any unit today: nothing */
	if (ret)
		return ret;
	if ((ret = cxm_store_unit_memberships(db, p->tenant, add_mship, &ms)))
		goto out;
	cxm_org_subtree(ms.v, ms.n, unit, INT64_MIN, CXM_TIME_MAX, &spans, &n, &cap, MAX_SPANS);
	p->spans = cxm_arena_alloc(&r->arena, n * sizeof(*spans));
	memcpy(p->spans, spans, n * sizeof(*spans));
	p->nspans = n;
out:
	free(spans);
	free(ms.v);
	return ret;
}

#define SEEN 1

static int sees_event(const struct cxm_event *e, void *ctx)
{
	struct req *r = ctx;
	return principal_sees(&r->who, e->org_unit_id, e->ts) ? SEEN : 0;
}

int auth_sees_customer(struct req *r, struct cxm_store *db, int64_t customer_id, bool *visible)
{
	int ret;

	*visible = true;
	if (!r->who.scoped)
		return 0;
	ret = cxm_store_event_scan_customer(db, r->who.tenant, customer_id, sees_event, r);
	*visible = ret == SEEN;
	return ret == SEEN ? 0 : ret;
}

/* ---- credentials --------------------------------------------------------- */

struct key_ctx {
	struct cxm_api_key k;
	char role[16], hash[CXM_SECRET_HASH_BUFSZ];
};

static int key_cb(const struct cxm_api_key *k, void *ctx)
{
	struct key_ctx *c = ctx;

	c->k = *k;
	cxm_strlcpy(c->role, k->role, sizeof(c->role));
	cxm_strlcpy(c->hash, k->secret_hash ? k->secret_hash : "", sizeof(c->hash));
	return 0;
}

struct session_ctx {
	struct cxm_session ss;
	char hash[CXM_SECRET_HASH_BUFSZ], csrf[96];
};

static int session_cb(const struct cxm_session *ss, void *ctx)
{
	struct session_ctx *c = ctx;

	c->ss = *ss;
	cxm_strlcpy(c->hash, ss->secret_hash ? ss->secret_hash : "", sizeof(c->hash));
	cxm_strlcpy(c->csrf, ss->csrf_token ? ss->csrf_token : "", sizeof(c->csrf));
	return 0;
}

static int user_cb(const struct cxm_user *u, void *ctx)
{
	struct principal *p = ctx;

	p->role = role_bit(u->role);
	snprintf(p->actor, sizeof(p->actor), "user:%s", u->username);
	cxm_strlcpy(p->language, u->language ? u->language : "", sizeof(p->language));
	return 0;
}

static int tenant_cb(const struct cxm_tenant *t, void *ctx)
{
	struct principal *p = ctx;

	cxm_strlcpy(p->tenant_name, t->name, sizeof(p->tenant_name));
	cxm_strlcpy(p->tenant_lang, t->language ? t->language : "", sizeof(p->tenant_lang));
	return 0;
}

bool http_cookie_value(const char *header, const char *name, char *out, size_t outlen)
{
	size_t n = strlen(name);

	for (const char *p = header; p && *p;) {
		while (*p == ' ' || *p == ';')
			p++;
		const char *end = strchr(p, ';');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > n && !strncmp(p, name, n) && p[n] == '=') {
			size_t vlen = len - n - 1;
			if (vlen >= outlen)
				return false;
			memcpy(out, p + n + 1, vlen);
			out[vlen] = '\0';
			return true;
		}
		p = end;
	}
	return false;
}

static int unauthorized(struct req *r, enum cxm_msg detail)
{
	reply_error(r, 401, "unauthorized", MSG_HTTP_UNAUTHORIZED, T(r, detail));
	req_add_header(r, "WWW-Authenticate", "Bearer realm=\"cxm\"");
	return -1;
}

static int by_key(struct req *r, struct cxm_store *db, const char *token)
{
	struct cxm_token t;
	struct key_ctx kc;
	int ret;

	if (cxm_auth_token_parse(CXM_TOKEN_KEY, token, strlen(token), &t))
		return unauthorized(r, MSG_HTTP_BAD_KEY);
	memset(&kc, 0, sizeof(kc));
	ret = cxm_store_key_get(db, t.tenant, t.id, key_cb, &kc);
	if (ret == CXM_ENOTFOUND || (!ret && (kc.k.revoked_at || !cxm_auth_secret_verify(t.secret, kc.hash))))
		return unauthorized(r, MSG_HTTP_BAD_KEY);
	if (ret) {
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return -1;
	}
	r->who.tenant = t.tenant;
	r->who.key_id = t.id;
	r->who.role = role_bit(kc.role);
	snprintf(r->who.actor, sizeof(r->who.actor), "key:%lld", (long long)t.id);
	return 0;
}

static int by_session(struct req *r, struct cxm_store *db, const char *cookie)
{
	struct cxm_token t;
	struct session_ctx sc;
	int ret;

	if (cxm_auth_token_parse(CXM_TOKEN_SESSION, cookie, strlen(cookie), &t))
		return unauthorized(r, MSG_HTTP_BAD_SESSION);
	memset(&sc, 0, sizeof(sc));
	ret = cxm_store_session_get(db, t.tenant, t.id, session_cb, &sc);
	if (ret == CXM_ENOTFOUND ||
	    (!ret && (sc.ss.expires_at <= cxm_now_us() || !cxm_auth_secret_verify(t.secret, sc.hash))))
		return unauthorized(r, MSG_HTTP_BAD_SESSION);
	if (!ret)
		ret = cxm_store_user_get(db, t.tenant, sc.ss.user_id, user_cb, &r->who);
	if (ret == CXM_ENOTFOUND)
		return unauthorized(r, MSG_HTTP_BAD_SESSION);
	if (ret) {
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return -1;
	}
	r->who.tenant = t.tenant;
	r->who.session_id = t.id;
	r->who.user_id = sc.ss.user_id;
	cxm_strlcpy(r->who.csrf, sc.csrf, sizeof(r->who.csrf));
	return 0;
}

int auth_request(struct req *r)
{
	struct cxm_store *db = req_db(r);
	const char *authz = req_header(r, MHD_HTTP_HEADER_AUTHORIZATION);
	const char *cookies = req_header(r, MHD_HTTP_HEADER_COOKIE);
	char cookie[CXM_TOKEN_BUFSZ + 8];
	int ret;

	if (!db)
		return -1;
	memset(&r->who, 0, sizeof(r->who));
	if (authz) {
		if (strncasecmp(authz, "Bearer ", 7))
			return unauthorized(r, MSG_HTTP_BAD_KEY);
		ret = by_key(r, db, authz + 7);
	} else if (cookies && http_cookie_value(cookies, SESSION_COOKIE, cookie, sizeof(cookie))) {
		ret = by_session(r, db, cookie);
	} else {
		return unauthorized(r, MSG_HTTP_NO_CREDENTIALS);
	}
	if (ret)
		return ret;
	if (!r->who.role)
		return unauthorized(r, MSG_HTTP_BAD_KEY);
	ret = cxm_store_tenant_get(db, r->who.tenant, tenant_cb, &r->who);
	if (!ret && (r->who.role & ROLES_SCOPED))
		ret = auth_load_scope(r, db);
	if (ret == CXM_ENOTFOUND)
		return unauthorized(r, MSG_HTTP_BAD_SESSION);
	if (ret) {
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return -1;
	}
	r->authed = true;
	return 0;
}
