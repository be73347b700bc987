/*
 * auth.c - password hashing (argon2id), API key and session tokens, CSRF
 * tokens and the failed-login limiter, over libsodium. See auth.h.
 */
#include "cxm/auth.h"
#include "cxm/core.h"
#include "cxm/i18n.h"

#include <pthread.h>
#include <sodium.h>

_Static_assert(CXM_PASSWORD_HASH_BUFSZ == crypto_pwhash_STRBYTES, "password hash buffer");
_Static_assert(CXM_SECRET_LEN + 1 == sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
	       "secret length");
_Static_assert(CXM_CSRF_BUFSZ == CXM_SECRET_LEN + 1, "csrf buffer");

#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define SECRET_BYTES 32

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;

static void sodium_setup(void)
{
	if (sodium_init() < 0)
		BUG("libsodium cannot be initialised");
}

static void need_sodium(void)
{
	pthread_once(&sodium_once, sodium_setup);
}

/* ---- passwords ---------------------------------------------------------- */

int cxm_auth_password_check(const char *pw, char *why, size_t whylen)
{
	size_t len = strlen(pw), chars = 0;

	if (len > CXM_PASSWORD_MAX) {
		snprintf(why, whylen, _(MSG_A_PASSWORD_LONG), CXM_PASSWORD_MAX);
		return CXM_EINVAL;
	}
	if (!cxm_utf8_valid(pw, len)) {
		snprintf(why, whylen, "%s", _(MSG_A_PASSWORD_UTF8));
		return CXM_EINVAL;
	}
	for (size_t i = 0; i < len; i++)
		chars += ((unsigned char)pw[i] & 0xC0) != 0x80;
	if (chars < CXM_PASSWORD_MIN) {
		snprintf(why, whylen, _(MSG_A_PASSWORD_SHORT), CXM_PASSWORD_MIN);
		return CXM_EINVAL;
	}
	return 0;
}

int cxm_auth_password_hash(const char *pw, char out[CXM_PASSWORD_HASH_BUFSZ], char *why, size_t whylen)
{
	int ret = cxm_auth_password_check(pw, why, whylen);

	if (ret)
		return ret;
	need_sodium();
	if (crypto_pwhash_str(out, pw, strlen(pw), CXM_PWHASH_OPSLIMIT, CXM_PWHASH_MEMLIMIT)) {
		snprintf(why, whylen, _(MSG_A_PASSWORD_NOMEM), CXM_PWHASH_MEMLIMIT >> 20);
		return CXM_ETOOBIG;
	}
	return 0;
}

static char dummy_hash[CXM_PASSWORD_HASH_BUFSZ];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_setup(void)
{
	static const char pw[] = "no user has this password";
	need_sodium();
	if (crypto_pwhash_str(dummy_hash, pw, sizeof(pw) - 1, CXM_PWHASH_OPSLIMIT, CXM_PWHASH_MEMLIMIT))
		dummy_hash[0] = '\0';
}

bool cxm_auth_password_verify(const char *hash, const char *pw)
{
	size_t len = strlen(pw);

	need_sodium();
	if (len > CXM_PASSWORD_MAX)
		return false;
	if (!hash) {
		pthread_once(&dummy_once, dummy_setup);
		if (dummy_hash[0])
			(void)!crypto_pwhash_str_verify(dummy_hash, pw, len);
		return false;
	}
	return crypto_pwhash_str_verify(hash, pw, len) == 0;
}

bool cxm_auth_password_needs_rehash(const char *hash)
{
	need_sodium();
	return crypto_pwhash_str_needs_rehash(hash, CXM_PWHASH_OPSLIMIT, CXM_PWHASH_MEMLIMIT) != 0;
}

/* ---- tokens --------------------------------------------------------------- */

static void random_b64(char out[CXM_SECRET_LEN + 1])
{
	unsigned char bin[SECRET_BYTES];

	need_sodium();
	randombytes_buf(bin, sizeof(bin));
	sodium_bin2base64(out, CXM_SECRET_LEN + 1, bin, sizeof(bin), B64);
	sodium_memzero(bin, sizeof(bin));
}

void cxm_auth_secret_hash(const char *secret, char hash[CXM_SECRET_HASH_BUFSZ])
{
	unsigned char h[32];

	need_sodium();
	crypto_generichash(h, sizeof(h), (const unsigned char *)secret, strlen(secret), NULL, 0);
	sodium_bin2hex(hash, CXM_SECRET_HASH_BUFSZ, h, sizeof(h));
}

bool cxm_auth_secret_verify(const char *secret, const char *stored_hash)
{
	char h[CXM_SECRET_HASH_BUFSZ];

	if (!secret || !stored_hash || strlen(stored_hash) != CXM_SECRET_HASH_BUFSZ - 1)
		return false;
	cxm_auth_secret_hash(secret, h);
	return sodium_memcmp(h, stored_hash, CXM_SECRET_HASH_BUFSZ - 1) == 0;
}

void cxm_auth_token_new(enum cxm_token_kind kind, int64_t tenant, int64_t id, char token[CXM_TOKEN_BUFSZ],
			char hash[CXM_SECRET_HASH_BUFSZ], char *last4)
{
	char secret[CXM_SECRET_LEN + 1];

	if (tenant <= 0 || id <= 0)
		BUG("token for a non-positive id");
	random_b64(secret);
	if (kind == CXM_TOKEN_KEY)
		cxm_xsnprintf(token, CXM_TOKEN_BUFSZ, "cxm_%lld_%lld_%s", (long long)tenant, (long long)id, secret);
	else
		cxm_xsnprintf(token, CXM_TOKEN_BUFSZ, "%lld.%lld.%s", (long long)tenant, (long long)id, secret);
	cxm_auth_secret_hash(secret, hash);
	if (last4)
		cxm_strlcpy(last4, secret + CXM_SECRET_LEN - 4, 5);
	sodium_memzero(secret, sizeof(secret));
}

/* A positive decimal id without leading zeros, ended by sep; *p moves past sep. */
static int parse_id(const char **p, const char *end, char sep, int64_t *out)
{
	const char *s = *p, *q = s;

	while (q < end && *q >= '0' && *q <= '9')
		q++;
	if (q == s || q - s > 19 || *s == '0' || q >= end || *q != sep)
		return CXM_EINVAL;
	if (cxm_parse_i64(s, (size_t)(q - s), out) || *out <= 0)
		return CXM_EINVAL;
	*p = q + 1;
	return 0;
}

int cxm_auth_token_parse(enum cxm_token_kind kind, const char *text, size_t len, struct cxm_token *out)
{
	const char *p = text, *end = text + len, *b64_end = NULL;
	char sep = kind == CXM_TOKEN_KEY ? '_' : '.';
	unsigned char bin[SECRET_BYTES];
	size_t binlen = 0;

	memset(out, 0, sizeof(*out));
	if (!text || len >= CXM_TOKEN_BUFSZ)
		return CXM_EINVAL;
	if (kind == CXM_TOKEN_KEY) {
		if (len < 4 || memcmp(p, "cxm_", 4))
			return CXM_EINVAL;
		p += 4;
	}
	if (parse_id(&p, end, sep, &out->tenant) || parse_id(&p, end, sep, &out->id))
		goto bad;
	/* exactly the 43 characters 32 bytes encode to: sodium refuses other
	 * characters, padding and stray low bits, so each secret has one spelling */
	if (end - p != CXM_SECRET_LEN)
		goto bad;
	need_sodium();
	if (sodium_base642bin(bin, sizeof(bin), p, CXM_SECRET_LEN, NULL, &binlen, &b64_end, B64) ||
	    binlen != SECRET_BYTES || b64_end != end)
		goto bad;
	sodium_memzero(bin, sizeof(bin));
	memcpy(out->secret, p, CXM_SECRET_LEN);
	out->secret[CXM_SECRET_LEN] = '\0';
	return 0;
bad:
	memset(out, 0, sizeof(*out));
	return CXM_EINVAL;
}

void cxm_auth_csrf_new(char out[CXM_CSRF_BUFSZ])
{
	random_b64(out);
}

bool cxm_auth_csrf_verify(const char *expected, const char *given)
{
	size_t n;

	if (!expected || !given || !*expected)
		return false;
	n = strlen(expected);
	/* the length of a CSRF token is no secret */
	if (strlen(given) != n)
		return false;
	return sodium_memcmp(expected, given, n) == 0;
}

/* ---- failed logins -------------------------------------------------------- */

struct rl_slot {
	unsigned char key[16]; /* keyed BLAKE2b of the key text */
	bool used;
	int failures;
	int64_t first_fail_us, last_fail_us, blocked_until_us;
};

struct cxm_ratelimit {
	pthread_mutex_t mu;
	unsigned char hkey[crypto_generichash_KEYBYTES]; /* random: nobody can aim collisions */
	size_t n;
	struct rl_slot *slot;
};

#define US 1000000LL

struct cxm_ratelimit *cxm_ratelimit_new(size_t slots)
{
	struct cxm_ratelimit *rl = xcalloc(1, sizeof(*rl));

	need_sodium();
	if (pthread_mutex_init(&rl->mu, NULL))
		BUG("pthread_mutex_init");
	randombytes_buf(rl->hkey, sizeof(rl->hkey));
	rl->n = slots ? slots : CXM_RL_DEFAULT_SLOTS;
	rl->slot = xcalloc(rl->n, sizeof(*rl->slot));
	return rl;
}

void cxm_ratelimit_free(struct cxm_ratelimit *rl)
{
	if (!rl)
		return;
	pthread_mutex_destroy(&rl->mu);
	free(rl->slot);
	free(rl);
}

static void digest(const struct cxm_ratelimit *rl, const char *key, unsigned char out[16])
{
	crypto_generichash(out, 16, (const unsigned char *)key, strlen(key), rl->hkey, sizeof(rl->hkey));
}

/*
 * A slot whose key the limiter may forget: no block running, and the
 * window over (counted from the first failure while under the limit, from
 * the last one once the key has been blocked, so backoff keeps growing).
 */
static bool stale(const struct rl_slot *s, int64_t now)
{
	int64_t since;

	if (!s->used)
		return true;
	if (now < s->blocked_until_us)
		return false;
	since = s->failures >= CXM_RL_MAX_FAILURES ? s->last_fail_us : s->first_fail_us;
	return now - since >= CXM_RL_WINDOW_S * US;
}

/* Linear scans: a table of a few thousand 48-byte slots is searched in
 * microseconds, and every login attempt already costs an argon2id hash. */
static struct rl_slot *find(struct cxm_ratelimit *rl, const unsigned char key[16])
{
	for (size_t i = 0; i < rl->n; i++)
		if (rl->slot[i].used && !memcmp(rl->slot[i].key, key, 16))
			return &rl->slot[i];
	return NULL;
}

/* A slot for a new key: a free or stale one, else the least recently failed
 * key that is not blocked, else the least recently failed of all. */
static struct rl_slot *take(struct cxm_ratelimit *rl, int64_t now)
{
	struct rl_slot *open = NULL, *any = NULL;

	for (size_t i = 0; i < rl->n; i++) {
		struct rl_slot *s = &rl->slot[i];
		if (stale(s, now))
			return s;
		if (now >= s->blocked_until_us && (!open || s->last_fail_us < open->last_fail_us))
			open = s;
		if (!any || s->last_fail_us < any->last_fail_us)
			any = s;
	}
	return open ? open : any;
}

static int64_t wait_s(const struct rl_slot *s, int64_t now)
{
	if (!s || now >= s->blocked_until_us)
		return 0;
	return (s->blocked_until_us - now + US - 1) / US;
}

int64_t cxm_ratelimit_check(struct cxm_ratelimit *rl, const char *key, int64_t now_us)
{
	unsigned char k[16];
	int64_t w;

	digest(rl, key, k);
	pthread_mutex_lock(&rl->mu);
	w = wait_s(find(rl, k), now_us);
	pthread_mutex_unlock(&rl->mu);
	return w;
}

int64_t cxm_ratelimit_fail(struct cxm_ratelimit *rl, const char *key, int64_t now_us)
{
	unsigned char k[16];
	struct rl_slot *s;
	int64_t w;

	digest(rl, key, k);
	pthread_mutex_lock(&rl->mu);
	s = find(rl, k);
	if (s && stale(s, now_us))
		s->used = false;
	if (!s || !s->used) {
		s = s ? s : take(rl, now_us);
		if (!s)
			BUG("rate limiter without slots");
		memset(s, 0, sizeof(*s));
		memcpy(s->key, k, 16);
		s->used = true;
		s->first_fail_us = now_us;
	}
	if (s->failures < 1000)
		s->failures++;
	s->last_fail_us = now_us;
	if (s->failures >= CXM_RL_MAX_FAILURES) {
		int shift = s->failures - CXM_RL_MAX_FAILURES;
		int64_t block = shift >= 20 ? CXM_RL_MAX_BLOCK_S : (int64_t)CXM_RL_BASE_BLOCK_S << shift;
		if (block > CXM_RL_MAX_BLOCK_S)
			block = CXM_RL_MAX_BLOCK_S;
		if (now_us + block * US > s->blocked_until_us)
			s->blocked_until_us = now_us + block * US;
	}
	w = wait_s(s, now_us);
	pthread_mutex_unlock(&rl->mu);
	return w;
}

void cxm_ratelimit_reset(struct cxm_ratelimit *rl, const char *key)
{
	unsigned char k[16];
	struct rl_slot *s;

	digest(rl, key, k);
	pthread_mutex_lock(&rl->mu);
	s = find(rl, k);
	if (s)
		s->used = false;
	pthread_mutex_unlock(&rl->mu);
}
