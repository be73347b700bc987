/* test_accounts.c - users signing in, API keys, sessions and the audit log
 * in the store, run against SQLite and PostgreSQL alike. */
#include "testutil.h"

#include "cxm/time.h"

/* Copies of what a callback saw (the structs it gets are borrowed). */
struct seen {
	int n;
	int64_t id, tenant, t1, t2;
	char a[256], b[256], c[256];
	int b_null;
};

static void keep(char *dst, const char *src)
{
	cxm_strlcpy(dst, src ? src : "(null)", 256);
}

static int seen_user(const struct cxm_user *u, void *ctx)
{
	struct seen *s = ctx;
	s->n++;
	s->id = u->id;
	s->tenant = u->tenant_id;
	keep(s->a, u->username);
	keep(s->b, u->password_hash);
	keep(s->c, u->language);
	return 0;
}

static int64_t add_user(int64_t t, const char *username, const char *email)
{
	int64_t id;
	struct cxm_user u = { .username = username, .email = email, .role = "analyst" };
	assert_int_equal(cxm_store_user_add(S, t, &u, &id), 0);
	return id;
}

static void test_user_password_and_language(void **state)
{
	int64_t t = test_tenant(S), other = test_tenant(S);
	struct seen sn = { 0 };
	(void)state;
	int64_t id = add_user(t, "ana", "ana@x.co");
	struct cxm_user withpw = { .username = "luis", .role = "owner", .password_hash = "$argon2id$fake",
				   .language = "en" };
	int64_t luis;

	/* a new user has no password and the tenant's language */
	assert_int_equal(cxm_store_user_get(S, t, id, seen_user, &sn), 0);
	assert_int_equal(sn.n, 1);
	assert_string_equal(sn.a, "ana");
	assert_string_equal(sn.b, "(null)");
	assert_string_equal(sn.c, "(null)");
	assert_int_equal(sn.tenant, t);
	/* another tenant's id is not found */
	assert_int_equal(cxm_store_user_get(S, other, id, seen_user, &sn), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_user_set_password(S, other, id, "$argon2id$x"), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_user_set_language(S, other, id, "en"), CXM_ENOTFOUND);

	assert_int_equal(cxm_store_user_set_password(S, t, id, "$argon2id$x"), 0);
	assert_int_equal(cxm_store_user_set_language(S, t, id, "en"), 0);
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(cxm_store_user_find(S, t, "ana", seen_user, &sn), 0);
	assert_string_equal(sn.b, "$argon2id$x");
	assert_string_equal(sn.c, "en");
	/* NULL takes the password away again */
	assert_int_equal(cxm_store_user_set_password(S, t, id, NULL), 0);
	assert_int_equal(cxm_store_user_set_language(S, t, id, NULL), 0);
	assert_int_equal(cxm_store_user_get(S, t, id, seen_user, &sn), 0);
	assert_string_equal(sn.b, "(null)");
	assert_string_equal(sn.c, "(null)");

	/* user_add stores a hash and a language given with the user */
	assert_int_equal(cxm_store_user_add(S, t, &withpw, &luis), 0);
	assert_int_equal(cxm_store_user_get(S, t, luis, seen_user, &sn), 0);
	assert_string_equal(sn.b, "$argon2id$fake");
	assert_string_equal(sn.c, "en");
}

static void test_find_login(void **state)
{
	int64_t t1 = test_tenant(S), t2 = test_tenant(S);
	char name[64], email[96], upper[96];
	struct seen sn = { 0 };
	int n = -1;
	(void)state;

	/* names unique to this run: PostgreSQL keeps earlier runs' users */
	snprintf(name, sizeof(name), "u%lld", (long long)t1);
	snprintf(email, sizeof(email), "u%lld@casa.example", (long long)t1);
	snprintf(upper, sizeof(upper), "U%lld@Casa.EXAMPLE", (long long)t1);
	int64_t a = add_user(t1, name, email);

	assert_int_equal(cxm_store_user_find_login(S, t1, name, seen_user, &sn, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(sn.id, a);
	assert_int_equal(sn.tenant, t1);
	memset(&sn, 0, sizeof(sn));
	/* by email, in any case */
	assert_int_equal(cxm_store_user_find_login(S, t1, upper, seen_user, &sn, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(sn.id, a);
	/* usernames are compared as they are */
	char uname[64];
	snprintf(uname, sizeof(uname), "U%lld", (long long)t1);
	assert_int_equal(cxm_store_user_find_login(S, t1, uname, seen_user, &sn, &n), 0);
	assert_int_equal(n, 0);
	/* the wrong tenant finds nothing, and that is not an error */
	assert_int_equal(cxm_store_user_find_login(S, t2, email, seen_user, &sn, &n), 0);
	assert_int_equal(n, 0);
	/* tenant 0: every tenant; the same email in two tenants gives two */
	int64_t b = add_user(t2, "someone", email);
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(cxm_store_user_find_login(S, 0, email, seen_user, &sn, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(sn.id, b); /* in tenant order: t2 was created after t1 */
	assert_int_equal(sn.tenant, t2);
	assert_int_equal(cxm_store_user_find_login(S, 0, name, seen_user, &sn, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(cxm_store_user_find_login(S, 0, "nobody-at-all@nowhere.example", seen_user, NULL, &n), 0);
	assert_int_equal(n, 0);
}

static int seen_key(const struct cxm_api_key *k, void *ctx)
{
	struct seen *s = ctx;
	s->n++;
	s->id = k->id;
	s->t1 = k->created_at;
	s->t2 = k->revoked_at;
	keep(s->a, k->name);
	keep(s->b, k->role);
	snprintf(s->c, sizeof(s->c), "%s|%s|%s", k->secret_hash, k->last4, k->created_by ? k->created_by : "-");
	return 0;
}

static void test_api_keys(void **state)
{
	int64_t t = test_tenant(S), other = test_tenant(S);
	int64_t want = cxm_id_next(), id = 0, id2 = 0;
	struct cxm_api_key k = { .id = want, .name = "etl", .role = "analyst", .secret_hash = "abcd", .last4 = "wxyz",
				 .created_by = "cli:test" };
	struct cxm_api_key k2 = { .role = "viewer", .secret_hash = "ef01", .last4 = "1234" };
	struct seen sn = { 0 };
	int64_t before = cxm_now_us();
	(void)state;

	assert_int_equal(cxm_store_key_add(S, t, &k, &id), 0);
	assert_int_equal(id, want); /* the id the token names is kept */
	assert_int_equal(cxm_store_key_add(S, t, &k2, &id2), 0);
	assert_true(id2 != 0 && id2 != id);
	assert_int_equal(cxm_store_key_add(S, t, &k, NULL), CXM_EEXIST);

	assert_int_equal(cxm_store_key_get(S, t, id, seen_key, &sn), 0);
	assert_int_equal(sn.n, 1);
	assert_string_equal(sn.a, "etl");
	assert_string_equal(sn.b, "analyst");
	assert_string_equal(sn.c, "abcd|wxyz|cli:test");
	assert_true(sn.t1 >= before - 1000000);
	assert_int_equal(sn.t2, 0);
	assert_int_equal(cxm_store_key_get(S, other, id, seen_key, &sn), CXM_ENOTFOUND);
	assert_non_null(strstr(cxm_store_errmsg(S), "API key"));

	memset(&sn, 0, sizeof(sn));
	assert_int_equal(cxm_store_key_list(S, t, seen_key, &sn), 0);
	assert_int_equal(sn.n, 2);
	assert_int_equal(sn.id, id2); /* oldest first: the second comes last */
	assert_string_equal(sn.a, "(null)");
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(cxm_store_key_list(S, other, seen_key, &sn), 0);
	assert_int_equal(sn.n, 0);

	/* revoke: once, again (kept), unknown, other tenant's */
	assert_int_equal(cxm_store_key_revoke(S, other, id), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_key_revoke(S, t, id), 0);
	assert_int_equal(cxm_store_key_get(S, t, id, seen_key, &sn), 0);
	int64_t revoked = sn.t2;
	assert_true(revoked >= before - 1000000);
	assert_int_equal(cxm_store_key_revoke(S, t, id), 0);
	assert_int_equal(cxm_store_key_get(S, t, id, seen_key, &sn), 0);
	assert_int_equal(sn.t2, revoked);
	assert_int_equal(cxm_store_key_revoke(S, t, 12345), CXM_ENOTFOUND);
	assert_non_null(strstr(cxm_store_errmsg(S), "12345"));
	/* the other key is untouched */
	assert_int_equal(cxm_store_key_get(S, t, id2, seen_key, &sn), 0);
	assert_int_equal(sn.t2, 0);
}

static int seen_session(const struct cxm_session *ss, void *ctx)
{
	struct seen *s = ctx;
	s->n++;
	s->id = ss->id;
	s->tenant = ss->user_id;
	s->t1 = ss->created_at;
	s->t2 = ss->expires_at;
	keep(s->a, ss->secret_hash);
	keep(s->b, ss->csrf_token);
	return 0;
}

static void test_sessions(void **state)
{
	int64_t t = test_tenant(S), other = test_tenant(S);
	int64_t u = add_user(t, "ana", NULL), v = add_user(t, "eva", NULL), id, id2, id3, n = -1;
	struct cxm_session ss = { .user_id = u, .secret_hash = "h1", .csrf_token = "c1", .created_at = 1000,
				  .expires_at = 5000 };
	struct cxm_session later = { .id = cxm_id_next(), .user_id = u, .secret_hash = "h2", .csrf_token = "c2",
				     .expires_at = 9000 };
	struct cxm_session eva = { .user_id = v, .secret_hash = "h3", .csrf_token = "c3", .expires_at = 9000 };
	struct cxm_session ghost = { .user_id = 777, .secret_hash = "h", .csrf_token = "c", .expires_at = 9000 };
	struct seen sn = { 0 };
	(void)state;

	assert_int_equal(cxm_store_session_add(S, t, &ss, &id), 0);
	assert_int_equal(cxm_store_session_add(S, t, &later, &id2), 0);
	assert_int_equal(id2, later.id);
	assert_int_equal(cxm_store_session_add(S, t, &eva, &id3), 0);
	/* no such user, or the user of another tenant */
	assert_int_equal(cxm_store_session_add(S, t, &ghost, NULL), CXM_ENOTFOUND);
	ghost.user_id = u;
	assert_int_equal(cxm_store_session_add(S, other, &ghost, NULL), CXM_ENOTFOUND);

	assert_int_equal(cxm_store_session_get(S, t, id, seen_session, &sn), 0);
	assert_int_equal(sn.n, 1);
	assert_int_equal(sn.tenant, u);
	assert_int_equal(sn.t1, 1000);
	assert_int_equal(sn.t2, 5000);
	assert_string_equal(sn.a, "h1");
	assert_string_equal(sn.b, "c1");
	assert_int_equal(cxm_store_session_get(S, other, id, seen_session, &sn), CXM_ENOTFOUND);

	/* purge: only what expired, only in this tenant */
	assert_int_equal(cxm_store_session_purge_expired(S, other, 100000, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(cxm_store_session_purge_expired(S, t, 4999, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(cxm_store_session_purge_expired(S, t, 5000, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(cxm_store_session_get(S, t, id, seen_session, &sn), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_session_get(S, t, id2, seen_session, &sn), 0);

	/* log out */
	assert_int_equal(cxm_store_session_delete(S, other, id2), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_session_delete(S, t, id2), 0);
	assert_int_equal(cxm_store_session_delete(S, t, id2), CXM_ENOTFOUND);

	/* a new password signs the user out everywhere, and only that user */
	assert_int_equal(cxm_store_session_add(S, t, &ss, &id), 0);
	assert_int_equal(cxm_store_user_set_password(S, t, u, "$argon2id$new"), 0);
	assert_int_equal(cxm_store_session_get(S, t, id, seen_session, &sn), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_session_get(S, t, id3, seen_session, &sn), 0);
}

struct audit_rows {
	int n;
	int64_t id[16];
	char line[16][300];
};

static int seen_audit(const struct cxm_audit *a, void *ctx)
{
	struct audit_rows *r = ctx;
	if (r->n < 16) {
		r->id[r->n] = a->id;
		snprintf(r->line[r->n], sizeof(r->line[0]), "%s %s %s %s", a->actor, a->action,
			 a->target ? a->target : "-", a->detail);
	}
	r->n++;
	return 0;
}

static void test_audit_log(void **state)
{
	int64_t t = test_tenant(S), other = test_tenant(S), ids[5];
	struct audit_rows r = { 0 };
	int64_t before = cxm_now_us();
	(void)state;

	for (int i = 0; i < 5; i++) {
		char target[16];
		snprintf(target, sizeof(target), "k%d", i);
		assert_int_equal(cxm_store_audit_add(S, t, "cli:ana", "key.create", target,
						     "{ \"role\": \"viewer\", \"name\": \"n\" }", &ids[i]),
				 0);
	}
	assert_int_equal(cxm_store_audit_add(S, other, "cli", "user.add", NULL, NULL, NULL), 0);
	assert_int_equal(cxm_store_audit_add(S, t, "cli", "x", NULL, "[1]", NULL), CXM_EINVAL);
	assert_int_equal(cxm_store_audit_add(S, t, "cli", "x", NULL, "{bad", NULL), CXM_EINVAL);
	assert_non_null(strstr(cxm_store_errmsg(S), "audit detail"));

	/* newest first, detail canonical on both backends */
	assert_int_equal(cxm_store_audit_list(S, t, 0, 0, seen_audit, &r), 0);
	assert_int_equal(r.n, 5);
	assert_int_equal(r.id[0], ids[4]);
	assert_int_equal(r.id[4], ids[0]);
	assert_string_equal(r.line[0], "cli:ana key.create k4 {\"name\":\"n\",\"role\":\"viewer\"}");
	/* pages of two */
	memset(&r, 0, sizeof(r));
	assert_int_equal(cxm_store_audit_list(S, t, 0, 2, seen_audit, &r), 0);
	assert_int_equal(r.n, 2);
	int64_t cursor = r.id[1];
	memset(&r, 0, sizeof(r));
	assert_int_equal(cxm_store_audit_list(S, t, cursor, 2, seen_audit, &r), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.id[0], ids[2]);
	assert_int_equal(r.id[1], ids[1]);
	memset(&r, 0, sizeof(r));
	assert_int_equal(cxm_store_audit_list(S, t, ids[0], 2, seen_audit, &r), 0);
	assert_int_equal(r.n, 0);
	/* the other tenant sees only its own row */
	memset(&r, 0, sizeof(r));
	assert_int_equal(cxm_store_audit_list(S, other, 0, 10, seen_audit, &r), 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.line[0], "cli user.add - {}");

	/* an audit row inside a rolled-back transaction is gone with it */
	assert_int_equal(cxm_store_begin(S), 0);
	assert_int_equal(cxm_store_audit_add(S, other, "cli", "key.revoke", "1", NULL, NULL), 0);
	assert_int_equal(cxm_store_rollback(S), 0);
	memset(&r, 0, sizeof(r));
	assert_int_equal(cxm_store_audit_list(S, other, 0, 10, seen_audit, &r), 0);
	assert_int_equal(r.n, 1);
	(void)before;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user_password_and_language),
		cmocka_unit_test(test_find_login),
		cmocka_unit_test(test_api_keys),
		cmocka_unit_test(test_sessions),
		cmocka_unit_test(test_audit_log),
	};
	return cmocka_run_group_tests(tests, test_group_open, test_group_close);
}
