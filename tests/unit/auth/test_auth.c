/* test_auth.c - passwords, tokens, CSRF and the failed-login limiter. */
#include "testutil.h"

#include "cxm/auth.h"
#include "cxm/i18n.h"

#include <pthread.h>

static void test_password_rules(void **state)
{
	char why[256], big[CXM_PASSWORD_MAX + 2];
	(void)state;
	cxm_i18n_set("en");
	assert_int_equal(cxm_auth_password_check("123456789", why, sizeof(why)), CXM_EINVAL);
	assert_non_null(strstr(why, "at least 10 characters"));
	assert_int_equal(cxm_auth_password_check("1234567890", why, sizeof(why)), 0);
	/* characters, not bytes: nine accented letters are 18 bytes but too few */
	assert_int_equal(cxm_auth_password_check("ñññññññññ", why, sizeof(why)), CXM_EINVAL);
	assert_int_equal(cxm_auth_password_check("ññññññññññ", why, sizeof(why)), 0);
	assert_int_equal(cxm_auth_password_check("abcdefghij\xff", why, sizeof(why)), CXM_EINVAL);
	assert_non_null(strstr(why, "UTF-8"));
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(cxm_auth_password_check(big, why, sizeof(why)), CXM_EINVAL);
	big[CXM_PASSWORD_MAX] = '\0';
	assert_int_equal(cxm_auth_password_check(big, why, sizeof(why)), 0);
	cxm_i18n_set("es");
	assert_int_equal(cxm_auth_password_check("corta", why, sizeof(why)), CXM_EINVAL);
	assert_non_null(strstr(why, "al menos 10 caracteres"));
	cxm_i18n_set("en");
}

static void test_password_hash_and_verify(void **state)
{
	char h1[CXM_PASSWORD_HASH_BUFSZ], h2[CXM_PASSWORD_HASH_BUFSZ], why[256];
	(void)state;
	assert_int_equal(cxm_auth_password_hash("casavoltia-demo", h1, why, sizeof(why)), 0);
	assert_int_equal(cxm_auth_password_hash("casavoltia-demo", h2, why, sizeof(why)), 0);
	assert_int_equal(strncmp(h1, "$argon2id$", 10), 0);
	assert_non_null(strstr(h1, "m=32768,t=8,p=1"));
	assert_string_not_equal(h1, h2); /* salted */
	assert_true(cxm_auth_password_verify(h1, "casavoltia-demo"));
	assert_true(cxm_auth_password_verify(h2, "casavoltia-demo"));
	assert_false(cxm_auth_password_verify(h1, "casavoltia-demO"));
	assert_false(cxm_auth_password_verify(h1, ""));
	assert_false(cxm_auth_password_verify("not a hash", "casavoltia-demo"));
	/* no user: a dummy hash is checked, and the answer is no */
	assert_false(cxm_auth_password_verify(NULL, "casavoltia-demo"));
	assert_false(cxm_auth_password_needs_rehash(h1));
	assert_true(cxm_auth_password_needs_rehash(
		"$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$eTK7y6A2C4cHn6cHcKqvY2E2l7k2s0bRk0cGk0g0aBc"));
	/* a short password is refused before any hashing */
	assert_int_equal(cxm_auth_password_hash("short", h1, why, sizeof(why)), CXM_EINVAL);
}

static void test_key_tokens(void **state)
{
	char tok[CXM_TOKEN_BUFSZ], hash[CXM_SECRET_HASH_BUFSZ], last4[5], again[CXM_SECRET_HASH_BUFSZ];
	struct cxm_token t;
	(void)state;

	cxm_auth_token_new(CXM_TOKEN_KEY, 1234567, 9223372036854775807LL, tok, hash, last4);
	assert_int_equal(strncmp(tok, "cxm_1234567_9223372036854775807_", 32), 0);
	assert_int_equal(strlen(tok), 32 + CXM_SECRET_LEN);
	assert_int_equal(strlen(hash), 64);
	assert_string_equal(last4, tok + strlen(tok) - 4);
	assert_int_equal(cxm_auth_token_parse(CXM_TOKEN_KEY, tok, strlen(tok), &t), 0);
	assert_int_equal(t.tenant, 1234567);
	assert_int_equal(t.id, 9223372036854775807LL);
	assert_string_equal(t.secret, tok + 32);
	cxm_auth_secret_hash(t.secret, again);
	assert_string_equal(again, hash);
	assert_true(cxm_auth_secret_verify(t.secret, hash));
	/* one changed character of the secret, or of the hash, fails */
	t.secret[5] = t.secret[5] == 'A' ? 'B' : 'A';
	assert_false(cxm_auth_secret_verify(t.secret, hash));
	assert_false(cxm_auth_secret_verify("x", "abc"));
	assert_false(cxm_auth_secret_verify(NULL, hash));
	/* a key token is not a session token and vice versa */
	assert_int_equal(cxm_auth_token_parse(CXM_TOKEN_SESSION, tok, strlen(tok), &t), CXM_EINVAL);
	/* two tokens differ */
	char tok2[CXM_TOKEN_BUFSZ], hash2[CXM_SECRET_HASH_BUFSZ];
	cxm_auth_token_new(CXM_TOKEN_KEY, 1234567, 1, tok2, hash2, NULL);
	assert_string_not_equal(hash, hash2);
}

static void test_token_parse_is_strict(void **state)
{
	char tok[CXM_TOKEN_BUFSZ], hash[CXM_SECRET_HASH_BUFSZ], buf[200];
	struct cxm_token t;
	(void)state;

	cxm_auth_token_new(CXM_TOKEN_KEY, 42, 7, tok, hash, NULL);
	const char *secret = tok + strlen("cxm_42_7_");
	static const char *const bad_ids[] = {
		"cxm__7_", "cxm_42__", "cxm_042_7_", "cxm_42_07_", "cxm_0_7_", "cxm_-42_7_", "cxm_+42_7_",
		"cxm_42 _7_", "CXM_42_7_", "cx_42_7_", "cxm_42-7_", "cxm_99999999999999999999_7_",
		"cxm_9223372036854775808_7_", "cxm_42_7__", "cxm_42.7.", "",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad_ids); i++) {
		snprintf(buf, sizeof(buf), "%s%s", bad_ids[i], secret);
		if (cxm_auth_token_parse(CXM_TOKEN_KEY, buf, strlen(buf), &t) != CXM_EINVAL)
			fail_msg("accepted '%s'", buf);
		assert_int_equal(t.tenant, 0);
	}
	/* the secret: too short, too long, padded, outside the alphabet, stray low bits */
	snprintf(buf, sizeof(buf), "cxm_42_7_%.*s", CXM_SECRET_LEN - 1, secret);
	assert_int_equal(cxm_auth_token_parse(CXM_TOKEN_KEY, buf, strlen(buf), &t), CXM_EINVAL);
	snprintf(buf, sizeof(buf), "cxm_42_7_%sA", secret);
	assert_int_equal(cxm_auth_token_parse(CXM_TOKEN_KEY, buf, strlen(buf), &t), CXM_EINVAL);
	snprintf(buf, sizeof(buf), "cxm_42_7_%s=", secret);
	assert_int_equal(cxm_auth_token_parse(CXM_TOKEN_KEY, buf, strlen(buf), &t), CXM_EINVAL);
	snprintf(buf, sizeof(buf), "cxm_42_7_%s", secret);
	buf[12] = '+';
	assert_int_equal(cxm_auth_token_parse(CXM_TOKEN_KEY, buf, strlen(buf), &t), CXM_EINVAL);
	buf[12] = '\0';
	assert_int_equal(cxm_auth_token_parse(CXM_TOKEN_KEY, buf, strlen(tok), &t), CXM_EINVAL);
	/* 43 characters carry 258 bits for 256: 'B' sets one of the 2 spare bits, 'A' does not */
	snprintf(buf, sizeof(buf), "cxm_42_7_%.*sB", CXM_SECRET_LEN - 1, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	assert_int_equal(cxm_auth_token_parse(CXM_TOKEN_KEY, buf, strlen(buf), &t), CXM_EINVAL);
	snprintf(buf, sizeof(buf), "cxm_42_7_%.*sA", CXM_SECRET_LEN - 1, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	assert_int_equal(cxm_auth_token_parse(CXM_TOKEN_KEY, buf, strlen(buf), &t), 0);
	/* length is what counts, not a NUL: bytes after the token are refused */
	snprintf(buf, sizeof(buf), "%s", tok);
	assert_int_equal(cxm_auth_token_parse(CXM_TOKEN_KEY, buf, strlen(buf) + 1, &t), CXM_EINVAL);
	assert_int_equal(cxm_auth_token_parse(CXM_TOKEN_KEY, buf, strlen(buf), &t), 0);
	/* a secret may hold '_' and '-': ids end at the first '_' after digits */
	snprintf(buf, sizeof(buf), "cxm_1_2__-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_A");
	assert_int_equal(cxm_auth_token_parse(CXM_TOKEN_KEY, buf, strlen(buf), &t), CXM_EINVAL); /* 44: one too many */
	snprintf(buf, sizeof(buf), "cxm_1_2_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_A");
	assert_int_equal(cxm_auth_token_parse(CXM_TOKEN_KEY, buf, strlen(buf), &t), 0);
	assert_int_equal(t.tenant, 1);
	assert_int_equal(t.id, 2);
	assert_int_equal(cxm_auth_token_parse(CXM_TOKEN_KEY, NULL, 0, &t), CXM_EINVAL);
}

static void test_session_tokens_and_csrf(void **state)
{
	char tok[CXM_TOKEN_BUFSZ], hash[CXM_SECRET_HASH_BUFSZ], c1[CXM_CSRF_BUFSZ], c2[CXM_CSRF_BUFSZ], buf[200];
	struct cxm_token t;
	(void)state;

	cxm_auth_token_new(CXM_TOKEN_SESSION, 5, 6, tok, hash, NULL);
	assert_int_equal(strncmp(tok, "5.6.", 4), 0);
	assert_int_equal(cxm_auth_token_parse(CXM_TOKEN_SESSION, tok, strlen(tok), &t), 0);
	assert_int_equal(t.tenant, 5);
	assert_int_equal(t.id, 6);
	assert_true(cxm_auth_secret_verify(t.secret, hash));
	assert_int_equal(cxm_auth_token_parse(CXM_TOKEN_KEY, tok, strlen(tok), &t), CXM_EINVAL);
	snprintf(buf, sizeof(buf), "5.6.%s", tok + 4);
	assert_int_equal(cxm_auth_token_parse(CXM_TOKEN_SESSION, buf, strlen(buf), &t), 0);
	snprintf(buf, sizeof(buf), "5..6.%s", tok + 4);
	assert_int_equal(cxm_auth_token_parse(CXM_TOKEN_SESSION, buf, strlen(buf), &t), CXM_EINVAL);
	snprintf(buf, sizeof(buf), "5_6_%s", tok + 4);
	assert_int_equal(cxm_auth_token_parse(CXM_TOKEN_SESSION, buf, strlen(buf), &t), CXM_EINVAL);

	cxm_auth_csrf_new(c1);
	cxm_auth_csrf_new(c2);
	assert_int_equal(strlen(c1), CXM_CSRF_BUFSZ - 1);
	assert_string_not_equal(c1, c2);
	assert_true(cxm_auth_csrf_verify(c1, c1));
	assert_false(cxm_auth_csrf_verify(c1, c2));
	assert_false(cxm_auth_csrf_verify(c1, ""));
	assert_false(cxm_auth_csrf_verify(c1, NULL));
	assert_false(cxm_auth_csrf_verify("", ""));
	snprintf(buf, sizeof(buf), "%sx", c1);
	assert_false(cxm_auth_csrf_verify(c1, buf));
}

#define S_ 1000000LL /* a second in microseconds */

static void test_ratelimit_blocks_with_backoff(void **state)
{
	struct cxm_ratelimit *rl = cxm_ratelimit_new(0);
	const char *k = "acct:1:ana";
	int64_t t0 = 1700000000LL * S_;
	(void)state;

	for (int i = 0; i < CXM_RL_MAX_FAILURES - 1; i++) {
		assert_int_equal(cxm_ratelimit_check(rl, k, t0 + i * S_), 0);
		assert_int_equal(cxm_ratelimit_fail(rl, k, t0 + i * S_), 0);
	}
	/* the 5th failure blocks: 30 s, counted down */
	assert_int_equal(cxm_ratelimit_fail(rl, k, t0 + 4 * S_), CXM_RL_BASE_BLOCK_S);
	assert_int_equal(cxm_ratelimit_check(rl, k, t0 + 4 * S_), 30);
	assert_int_equal(cxm_ratelimit_check(rl, k, t0 + 4 * S_ + 1), 30); /* rounded up */
	assert_int_equal(cxm_ratelimit_check(rl, k, t0 + 14 * S_), 20);
	assert_int_equal(cxm_ratelimit_check(rl, k, t0 + 34 * S_ - 1), 1);
	assert_int_equal(cxm_ratelimit_check(rl, k, t0 + 34 * S_), 0);
	/* other keys are not affected */
	assert_int_equal(cxm_ratelimit_check(rl, "acct:1:eva", t0 + 5 * S_), 0);
	assert_int_equal(cxm_ratelimit_check(rl, "acct:2:ana", t0 + 5 * S_), 0);
	/* each further failure doubles the wait */
	assert_int_equal(cxm_ratelimit_fail(rl, k, t0 + 40 * S_), 60);
	assert_int_equal(cxm_ratelimit_fail(rl, k, t0 + 100 * S_), 120);
	assert_int_equal(cxm_ratelimit_fail(rl, k, t0 + 220 * S_), 240);
	/* ... up to an hour */
	int64_t t = t0 + 500 * S_;
	for (int i = 0; i < 20; i++)
		cxm_ratelimit_fail(rl, k, t);
	assert_int_equal(cxm_ratelimit_check(rl, k, t), CXM_RL_MAX_BLOCK_S);
	/* a success resets the key */
	cxm_ratelimit_reset(rl, k);
	assert_int_equal(cxm_ratelimit_check(rl, k, t), 0);
	assert_int_equal(cxm_ratelimit_fail(rl, k, t), 0);
	cxm_ratelimit_free(rl);
}

static void test_ratelimit_window(void **state)
{
	struct cxm_ratelimit *rl = cxm_ratelimit_new(0);
	const char *k = "addr:192.0.2.7";
	int64_t t0 = 1000 * S_;
	(void)state;

	/* four failures, then a quarter of an hour of quiet: forgotten */
	for (int i = 0; i < 4; i++)
		cxm_ratelimit_fail(rl, k, t0 + i * S_);
	assert_int_equal(cxm_ratelimit_fail(rl, k, t0 + CXM_RL_WINDOW_S * S_), 0);
	for (int i = 1; i < 4; i++)
		assert_int_equal(cxm_ratelimit_fail(rl, k, t0 + (CXM_RL_WINDOW_S + i) * S_), 0);
	assert_int_equal(cxm_ratelimit_fail(rl, k, t0 + (CXM_RL_WINDOW_S + 4) * S_), 30);
	/* once blocked, the window runs from the last failure: a failure right
	 * after the block keeps escalating... */
	int64_t t = t0 + (CXM_RL_WINDOW_S + 40) * S_;
	assert_int_equal(cxm_ratelimit_fail(rl, k, t), 60);
	/* ... and a quiet window after the block forgets it */
	t += (60 + CXM_RL_WINDOW_S) * S_;
	assert_int_equal(cxm_ratelimit_check(rl, k, t), 0);
	assert_int_equal(cxm_ratelimit_fail(rl, k, t), 0);
	cxm_ratelimit_free(rl);
}

static void test_ratelimit_bounded_memory(void **state)
{
	struct cxm_ratelimit *rl = cxm_ratelimit_new(3);
	int64_t t = 50 * S_;
	char key[32];
	(void)state;

	/* block "victim", then flood the table with other keys */
	for (int i = 0; i < CXM_RL_MAX_FAILURES; i++)
		cxm_ratelimit_fail(rl, "acct:1:victim", t);
	for (int i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "addr:10.0.0.%d", i);
		cxm_ratelimit_fail(rl, key, t + (i + 1) * 1000);
	}
	/* the blocked key kept its slot; the newest flood keys are there too */
	assert_int_equal(cxm_ratelimit_check(rl, "acct:1:victim", t + S_), 29);
	for (int i = 0; i < 5; i++)
		cxm_ratelimit_fail(rl, "addr:10.0.0.99", t + S_);
	assert_true(cxm_ratelimit_check(rl, "addr:10.0.0.99", t + S_) > 0);
	/* when every slot is blocked, the oldest gives way */
	for (int i = 0; i < 5; i++)
		cxm_ratelimit_fail(rl, "addr:10.0.0.98", t + 2 * S_);
	for (int i = 0; i < 5; i++)
		cxm_ratelimit_fail(rl, "new", t + 3 * S_);
	assert_true(cxm_ratelimit_check(rl, "new", t + 3 * S_) > 0);
	assert_int_equal(cxm_ratelimit_check(rl, "acct:1:victim", t + 3 * S_), 0);
	cxm_ratelimit_free(rl);
}

struct hammer {
	struct cxm_ratelimit *rl;
	int64_t t;
};

static void *hammer(void *arg)
{
	struct hammer *h = arg;
	char key[32];
	for (int i = 0; i < 200; i++) {
		snprintf(key, sizeof(key), "addr:%d", i % 7);
		cxm_ratelimit_fail(h->rl, key, h->t);
		cxm_ratelimit_fail(h->rl, "acct:1:shared", h->t);
		cxm_ratelimit_check(h->rl, key, h->t);
	}
	return NULL;
}

static void test_ratelimit_threads(void **state)
{
	struct hammer h = { cxm_ratelimit_new(16), 10 * S_ };
	pthread_t th[4];
	(void)state;

	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, hammer, &h), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	/* 800 failures of one key, none lost: blocked for the longest time */
	assert_int_equal(cxm_ratelimit_check(h.rl, "acct:1:shared", h.t), CXM_RL_MAX_BLOCK_S);
	/* the 16-slot table held all 8 keys: each addr key is blocked too */
	assert_true(cxm_ratelimit_check(h.rl, "addr:3", h.t) > 0);
	cxm_ratelimit_free(h.rl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_password_rules),
		cmocka_unit_test(test_password_hash_and_verify),
		cmocka_unit_test(test_key_tokens),
		cmocka_unit_test(test_token_parse_is_strict),
		cmocka_unit_test(test_session_tokens_and_csrf),
		cmocka_unit_test(test_ratelimit_blocks_with_backoff),
		cmocka_unit_test(test_ratelimit_window),
		cmocka_unit_test(test_ratelimit_bounded_memory),
		cmocka_unit_test(test_ratelimit_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
