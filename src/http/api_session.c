/*
 * api_session.c - people signing in and out of the dashboard, their saved
 * language, and the audit log. Failed logins are limited per account and
 * per client address; password hashing runs at most two at a time.
 */
#include "http-internal.h"
#include "cxm/auth.h"
#include "cxm/customers.h"
#include "cxm/id.h"
#include "cxm/time.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#define SESSION_HOURS 12
#define MAX_HASHING 2

struct login_user {
	int n;
	struct cxm_user u;
	int64_t tenant;
	char username[72], display_name[208], email[256], role[16], language[16];
	char hash[CXM_PASSWORD_HASH_BUFSZ];
	bool has_hash;
};

static int login_cb(const struct cxm_user *u, void *ctx)
{
	struct login_user *lu = ctx;

	if (lu->n++)
		return 0;
	lu->tenant = u->tenant_id;
	lu->u.id = u->id;
	cxm_strlcpy(lu->username, u->username, sizeof(lu->username));
	cxm_strlcpy(lu->display_name, u->display_name ? u->display_name : "", sizeof(lu->display_name));
	cxm_strlcpy(lu->email, u->email ? u->email : "", sizeof(lu->email));
	cxm_strlcpy(lu->role, u->role, sizeof(lu->role));
	cxm_strlcpy(lu->language, u->language ? u->language : "", sizeof(lu->language));
	lu->has_hash = u->password_hash != NULL;
	cxm_strlcpy(lu->hash, u->password_hash ? u->password_hash : "", sizeof(lu->hash));
	return 0;
}

static void client_addr(struct req *r, char *out, size_t outlen)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	cxm_strlcpy(out, "?", outlen);
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, (socklen_t)outlen);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
			  (socklen_t)outlen);
}

/*
 * Verifies under a cap on concurrent hashes (memory, and workers: never
 * all of them hashing, nor waiting to hash, so the others keep serving).
 * Returns 1 match, 0 no match, -1 too many at once (nothing was checked).
 */
static int verify_bounded(struct server *srv, const char *hash, const char *pw)
{
	bool ok;

	pthread_mutex_lock(&srv->hash_mu);
	if (srv->hashing >= MAX_HASHING || (unsigned)srv->hashing + 1 >= srv->o.threads) {
		pthread_mutex_unlock(&srv->hash_mu);
		return -1;
	}
	srv->hashing++;
	pthread_mutex_unlock(&srv->hash_mu);
	ok = cxm_auth_password_verify(hash, pw);
	pthread_mutex_lock(&srv->hash_mu);
	srv->hashing--;
	pthread_mutex_unlock(&srv->hash_mu);
	return ok ? 1 : 0;
}

static int too_many_attempts(struct req *r, int64_t wait)
{
	char secs[24], detail[160];

	snprintf(secs, sizeof(secs), "%lld", (long long)wait);
	snprintf(detail, sizeof(detail), T(r, MSG_HTTP_LOGIN_WAIT), (long long)wait);
	reply_error(r, 429, "too-many-logins", MSG_HTTP_TOO_MANY, detail);
	req_add_header(r, "Retry-After", secs);
	return H_DONE;
}

struct new_session {
	struct cxm_session ss;
	int64_t tenant;
	int64_t id;
};

static int session_run(struct cxm_store *db, struct wjob *j)
{
	struct new_session *ns = j->ctx;
	/* sessions that ran out are swept here, when someone signs in */
	int ret = cxm_store_session_purge_expired(db, ns->tenant, cxm_now_us(), NULL);
	return ret ? ret : cxm_store_session_add(db, ns->tenant, &ns->ss, &ns->id);
}

/* The body of POST and GET /api/v1/session. */
static cJSON *session_json(struct req *r, int64_t user_id, const char *username, const char *display_name,
			   const char *email, const char *role, const char *language, const char *csrf)
{
	cJSON *o = cJSON_CreateObject(), *u = cJSON_AddObjectToObject(o, "user");
	cJSON *t = cJSON_AddObjectToObject(o, "tenant");

	cJSON_AddStringToObject(u, "id", id_str(r, user_id));
	cJSON_AddStringToObject(u, "username", username);
	cJSON_AddStringToObject(u, "display_name", display_name);
	cJSON_AddStringToObject(u, "email", email);
	cJSON_AddStringToObject(u, "role", role);
	if (language && *language)
		cJSON_AddStringToObject(u, "language", language);
	else
		cJSON_AddNullToObject(u, "language");
	cJSON_AddStringToObject(t, "id", id_str(r, r->who.tenant));
	cJSON_AddStringToObject(t, "name", r->who.tenant_name);
	cJSON_AddStringToObject(t, "language", r->who.tenant_lang);
	cJSON_AddStringToObject(o, "csrf_token", csrf);
	return o;
}

static int tenant_name_cb(const struct cxm_tenant *t, void *ctx)
{
	struct principal *p = ctx;

	p->tenant = t->id;
	cxm_strlcpy(p->tenant_name, t->name, sizeof(p->tenant_name));
	cxm_strlcpy(p->tenant_lang, t->language ? t->language : "", sizeof(p->tenant_lang));
	return 0;
}

int api_login(struct req *r)
{
	static const char *const keys[] = { "login", "password", "tenant", NULL };
	struct cxm_store *db;
	cJSON *o = body_json(r), *p;
	const cJSON *login, *pw, *tenant;
	struct login_user lu;
	char addr[64], akey[96], ukey[400], token[CXM_TOKEN_BUFSZ], hash[CXM_SECRET_HASH_BUFSZ];
	char csrf[CXM_CSRF_BUFSZ], cookie[CXM_TOKEN_BUFSZ + 128];
	int64_t wait, now = cxm_now_us(), tid = 0;
	int ret;

	if (!o)
		return H_DONE;
	p = problem_new(r, 422, "invalid", MSG_HTTP_INVALID, NULL);
	if (!cJSON_IsObject(o)) {
		problem_item(p, -1, NULL, T(r, MSG_HTTP_WANT_OBJECT));
	} else {
		check_keys(o, keys, p, -1);
	}
	login = cJSON_GetObjectItemCaseSensitive(o, "login");
	pw = cJSON_GetObjectItemCaseSensitive(o, "password");
	tenant = cJSON_GetObjectItemCaseSensitive(o, "tenant");
	if (!cJSON_IsString(login) || !*login->valuestring)
		problem_item(p, -1, "login", T(r, MSG_HTTP_REQUIRED));
	if (!cJSON_IsString(pw) || !*pw->valuestring)
		problem_item(p, -1, "password", T(r, MSG_HTTP_REQUIRED));
	if (tenant && !cJSON_IsNull(tenant) && !cJSON_IsString(tenant))
		problem_item(p, -1, "tenant", T(r, MSG_HTTP_WANT_STRING));
	if (cJSON_GetObjectItemCaseSensitive(p, "errors")) {
		reply_problem(r, p);
		return H_DONE;
	}
	cJSON_Delete(p);
	if (!(db = req_db(r)))
		return H_DONE;

	client_addr(r, addr, sizeof(addr));
	snprintf(akey, sizeof(akey), "addr:%s", addr);
	/* one counter per login however it is spelt: case-folded, with or
	 * without a tenant */
	snprintf(ukey, sizeof(ukey), "acct:%s", login->valuestring);
	for (char *c = ukey; *c; c++)
		*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
	wait = cxm_ratelimit_check(r->srv->logins, akey, now);
	if (!wait)
		wait = cxm_ratelimit_check(r->srv->logins, ukey, now);
	if (wait)
		return too_many_attempts(r, wait);

	memset(&r->who, 0, sizeof(r->who));
	if (cJSON_IsString(tenant)) {
		ret = cxm_store_tenant_find(db, tenant->valuestring, tenant_name_cb, &r->who);
		if (ret && ret != CXM_ENOTFOUND) {
			reply_store_error(r, ret, cxm_store_errmsg(db));
			return H_DONE;
		}
		tid = r->who.tenant ? r->who.tenant : -1; /* -1: no such tenant, no user */
	}
	memset(&lu, 0, sizeof(lu));
	ret = tid < 0 ? 0 : cxm_store_user_find_login(db, tid, login->valuestring, login_cb, &lu, NULL);
	if (ret) {
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return H_DONE;
	}
	if (lu.n > 1) {
		/* counted like a failure, so it cannot be used to list logins */
		cxm_ratelimit_fail(r->srv->logins, akey, now);
		reply_invalid(r, "tenant", T(r, MSG_HTTP_NAME_TENANT));
		return H_DONE;
	}
	/* an unknown login costs as much as a wrong password */
	int match = verify_bounded(r->srv, lu.n && lu.has_hash ? lu.hash : NULL, pw->valuestring);
	if (match < 0) {
		reply_error(r, 503, "busy", MSG_HTTP_UNAVAILABLE, T(r, MSG_HTTP_BUSY_LOGINS));
		req_add_header(r, "Retry-After", "1");
		return H_DONE;
	}
	if (!match || !lu.n) {
		cxm_ratelimit_fail(r->srv->logins, akey, now);
		cxm_ratelimit_fail(r->srv->logins, ukey, now);
		reply_error(r, 401, "bad-login", MSG_HTTP_UNAUTHORIZED, T(r, MSG_HTTP_BAD_LOGIN));
		return H_DONE;
	}
	cxm_ratelimit_reset(r->srv->logins, ukey);
	if (!tid && (ret = cxm_store_tenant_get(db, lu.tenant, tenant_name_cb, &r->who))) {
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return H_DONE;
	}

	/* the session, committed before the cookie is handed out */
	struct new_session ns = { 0 };
	struct wjob job = { 0 };
	ns.tenant = lu.tenant;
	ns.ss.id = cxm_id_next();
	ns.ss.user_id = lu.u.id;
	ns.ss.expires_at = now + (int64_t)SESSION_HOURS * 3600 * 1000000;
	cxm_auth_token_new(CXM_TOKEN_SESSION, lu.tenant, ns.ss.id, token, hash, NULL);
	cxm_auth_csrf_new(csrf);
	ns.ss.secret_hash = hash;
	ns.ss.csrf_token = csrf;
	job.run = session_run;
	job.ctx = &ns;
	job.lang = r->lang;
	if ((ret = writer_run(r->srv->writer, &job))) {
		reply_store_error(r, ret, job.errmsg);
		return H_DONE;
	}
	reply_json(r, 200,
		   session_json(r, lu.u.id, lu.username, lu.display_name, lu.email, lu.role, lu.language, csrf));
	snprintf(cookie, sizeof(cookie), "cxm_session=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%d", token,
		 SESSION_HOURS * 3600);
	req_add_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
	return H_DONE;
}

struct me {
	struct req *r;
	cJSON *json;
};

static int me_cb(const struct cxm_user *u, void *ctx)
{
	struct me *m = ctx;

	m->json = session_json(m->r, u->id, u->username, u->display_name ? u->display_name : "",
			       u->email ? u->email : "", u->role, u->language, m->r->who.csrf);
	return 0;
}

static int reply_me(struct req *r, int status)
{
	struct cxm_store *db = req_db(r);
	struct me m = { r, NULL };
	int ret;

	if (!db)
		return H_DONE;
	ret = cxm_store_user_get(db, r->who.tenant, r->who.user_id, me_cb, &m);
	if (ret) {
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return H_DONE;
	}
	reply_json(r, status, m.json);
	return H_DONE;
}

int api_session_get(struct req *r)
{
	return reply_me(r, 200);
}

static int logout_run(struct cxm_store *db, struct wjob *j)
{
	struct req *r = j->ctx;
	int ret = cxm_store_session_delete(db, r->who.tenant, r->who.session_id);
	return ret == CXM_ENOTFOUND ? 0 : ret;
}

static int logout_finish(struct req *r)
{
	if (job_failed(r))
		return 0;
	reply_empty(r, 204);
	req_add_header(r, MHD_HTTP_HEADER_SET_COOKIE, "cxm_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
	return 0;
}

int api_logout(struct req *r)
{
	return req_write(r, logout_run, logout_finish);
}

static int language_run(struct cxm_store *db, struct wjob *j)
{
	struct req *r = j->ctx;
	return cxm_store_user_set_language(db, r->who.tenant, r->who.user_id, r->data);
}

static int language_finish(struct req *r)
{
	if (job_failed(r))
		return 0;
	cxm_strlcpy(r->who.language, r->data ? (const char *)r->data : "", sizeof(r->who.language));
	r->lang = r->who.language[0] == 'e' && r->who.language[1] == 's' ? CXM_LANG_ES : CXM_LANG_EN;
	return reply_me(r, 200);
}

int api_me_patch(struct req *r)
{
	static const char *const keys[] = { "language", NULL };
	cJSON *o = body_json(r), *p;
	const cJSON *lang;
	char norm[16], why[200];

	if (!o)
		return H_DONE;
	p = problem_new(r, 422, "invalid", MSG_HTTP_INVALID, NULL);
	if (!cJSON_IsObject(o)) {
		problem_item(p, -1, NULL, T(r, MSG_HTTP_WANT_OBJECT));
	} else {
		check_keys(o, keys, p, -1);
		lang = cJSON_GetObjectItemCaseSensitive(o, "language");
		if (cJSON_IsNull(lang)) {
			r->data = NULL;
		} else if (!cJSON_IsString(lang)) {
			problem_item(p, -1, "language", T(r, MSG_HTTP_WANT_STRING));
		} else if (cxm_language_normalize(lang->valuestring, norm, sizeof(norm), why, sizeof(why))) {
			problem_item(p, -1, "language", why);
		} else {
			r->data = cxm_arena_strdup(&r->arena, norm);
		}
	}
	if (cJSON_GetObjectItemCaseSensitive(p, "errors")) {
		reply_problem(r, p);
		return H_DONE;
	}
	cJSON_Delete(p);
	return req_write(r, language_run, language_finish);
}

/* ---- audit log ---------------------------------------------------------- */

struct audit_ctx {
	struct req *r;
	cJSON *items;
	int n;
	int64_t last;
};

static int audit_cb(const struct cxm_audit *a, void *ctx)
{
	struct audit_ctx *c = ctx;
	cJSON *o = cJSON_CreateObject(), *d;
	char t[CXM_TIME_BUFSZ], err[64];

	cJSON_AddStringToObject(o, "id", id_str(c->r, a->id));
	cJSON_AddStringToObject(o, "at", cxm_time_format(a->at, t));
	cJSON_AddStringToObject(o, "actor", a->actor ? a->actor : "");
	cJSON_AddStringToObject(o, "action", a->action);
	if (a->target)
		cJSON_AddStringToObject(o, "target", a->target);
	d = a->detail ? cxm_json_parse(a->detail, strlen(a->detail), err, sizeof(err)) : NULL;
	cJSON_AddItemToObject(o, "detail", d ? d : cJSON_CreateObject());
	cJSON_AddItemToArray(c->items, o);
	c->n++;
	c->last = a->id;
	return 0;
}

int api_audit_list(struct req *r)
{
	struct cxm_store *db = req_db(r);
	const char *cursor = req_query(r, "cursor");
	int limit = query_limit(r, 50, 500), ret;
	int64_t before = 0;
	cJSON *o;

	if (!db || limit < 0)
		return H_DONE;
	if (cursor && parse_id(cursor, &before)) {
		reply_bad_query(r, "cursor", T(r, MSG_HTTP_BAD_CURSOR));
		return H_DONE;
	}
	o = cJSON_CreateObject();
	struct audit_ctx c = { r, cJSON_AddArrayToObject(o, "items"), 0, 0 };
	ret = cxm_store_audit_list(db, r->who.tenant, before, limit, audit_cb, &c);
	if (ret) {
		cJSON_Delete(o);
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return H_DONE;
	}
	if (c.n == limit)
		cJSON_AddStringToObject(o, "next_cursor", id_str(r, c.last));
	reply_json(r, 200, o);
	return H_DONE;
}
