/*
 * auth.h - who is asking: password hashes, API key and session tokens,
 * CSRF tokens, and a limiter for failed logins. Pure functions over
 * libsodium (plus one mutex in the limiter); no SQL, no HTTP. The store
 * keeps only hashes (store.h, "accounts"); the server (src/http) decides
 * what to do with a verified token.
 *
 * Every function here is thread-safe.
 */
#ifndef CXM_AUTH_H
#define CXM_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- passwords ---------------------------------------------------------- */

#define CXM_PASSWORD_MIN 10      /* characters (UTF-8 code points) */
#define CXM_PASSWORD_MAX 1024    /* bytes: bounds the work one login asks for */
#define CXM_PASSWORD_HASH_BUFSZ 128 /* crypto_pwhash_STRBYTES */

/*
 * argon2id cost. Measured on the 2-core machine cxm is sized for, t=8
 * passes over 32 MiB take ~0.12 s: slow enough that a stolen hash costs an
 * attacker dearly, fast enough for a login, and 32 MiB per concurrent
 * login keeps a burst of sign-ins from exhausting memory (the server
 * should also cap concurrent hashing). The parameters are part of each
 * stored hash, so raising them later only affects new hashes
 * (cxm_auth_password_needs_rehash says which to renew at next login).
 */
#define CXM_PWHASH_OPSLIMIT 8ULL
#define CXM_PWHASH_MEMLIMIT (32u * 1024u * 1024u)

/* Checks a new password: valid UTF-8, at least CXM_PASSWORD_MIN characters,
 * at most CXM_PASSWORD_MAX bytes. 0, or CXM_EINVAL with a reason in why. */
int cxm_auth_password_check(const char *pw, char *why, size_t whylen);
/*
 * Checks pw (as above) and writes its argon2id hash, a NUL-terminated
 * "$argon2id$..." string, into out. CXM_EINVAL (reason in why) for a
 * password the check refuses; CXM_ETOOBIG if memory for the hash could
 * not be had (reason in why).
 */
int cxm_auth_password_hash(const char *pw, char out[CXM_PASSWORD_HASH_BUFSZ], char *why, size_t whylen);
/*
 * true when pw matches the stored hash. With hash NULL (no such user, or a
 * user without a password) a dummy hash is checked and false returned, so
 * that an unknown login takes as long as a wrong password.
 */
bool cxm_auth_password_verify(const char *hash, const char *pw);
/* true when the hash was made with other parameters than today's. */
bool cxm_auth_password_needs_rehash(const char *hash);

/* ---- tokens ---------------------------------------------------------------
 *
 * An API key reads "cxm_<tenant id>_<key id>_<secret>", a session cookie
 * "<tenant id>.<session id>.<secret>": ids in decimal, the secret 32 random
 * bytes in unpadded base64url (43 characters). The ids say where to look;
 * the store holds only cxm_auth_secret_hash(secret), compared in constant
 * time. Parsing is strict: anything not exactly of that form is refused.
 */

#define CXM_SECRET_LEN 43         /* base64url characters of a secret */
#define CXM_TOKEN_BUFSZ 96        /* "cxm_" + 19 + "_" + 19 + "_" + 43 + NUL, rounded up */
#define CXM_SECRET_HASH_BUFSZ 65  /* 32-byte BLAKE2b in hex + NUL */
#define CXM_CSRF_BUFSZ 44         /* 32 random bytes in base64url + NUL */

enum cxm_token_kind { CXM_TOKEN_KEY, CXM_TOKEN_SESSION };

struct cxm_token {
	int64_t tenant;
	int64_t id;                          /* key id or session id */
	char secret[CXM_SECRET_LEN + 1];
};

/*
 * Makes a new token of `kind` for (tenant, id), both > 0: token gets the
 * text to hand out (once), hash what to store (cxm_auth_secret_hash of the
 * secret) and last4 (may be NULL; 5 bytes) the token's last 4 characters.
 */
void cxm_auth_token_new(enum cxm_token_kind kind, int64_t tenant, int64_t id, char token[CXM_TOKEN_BUFSZ],
			char hash[CXM_SECRET_HASH_BUFSZ], char *last4);
/* Parses text[0..len) as a token of `kind` into out. 0 or CXM_EINVAL. */
int cxm_auth_token_parse(enum cxm_token_kind kind, const char *text, size_t len, struct cxm_token *out);
/* The hex BLAKE2b-256 of a secret (NUL-terminated). */
void cxm_auth_secret_hash(const char *secret, char hash[CXM_SECRET_HASH_BUFSZ]);
/* true when secret hashes to stored_hash; constant time in the hash. */
bool cxm_auth_secret_verify(const char *secret, const char *stored_hash);

/* A fresh random CSRF token (base64url, 43 characters). */
void cxm_auth_csrf_new(char out[CXM_CSRF_BUFSZ]);
/* true when given equals expected; constant time; false if either is NULL. */
bool cxm_auth_csrf_verify(const char *expected, const char *given);

/* ---- failed logins ---------------------------------------------------------
 *
 * struct cxm_ratelimit counts failures per key (the server uses
 * "acct:<tenant>:<login>" and "addr:<ip>"). After CXM_RL_MAX_FAILURES
 * failures within CXM_RL_WINDOW_S a key is blocked for CXM_RL_BASE_BLOCK_S,
 * doubling with each further failure up to CXM_RL_MAX_BLOCK_S; a key is
 * forgotten CXM_RL_WINDOW_S after its last failure once no block is
 * running. Memory is a fixed table: when it is full, the least recently
 * failed key that is not blocked makes room (else the oldest one). Keys
 * are kept as 16-byte hashes, so their length costs nothing. Time comes in
 * from the caller (microseconds), so tests need no clock.
 */

#define CXM_RL_MAX_FAILURES 5
#define CXM_RL_WINDOW_S (15 * 60)
#define CXM_RL_BASE_BLOCK_S 30
#define CXM_RL_MAX_BLOCK_S (60 * 60)
#define CXM_RL_DEFAULT_SLOTS 4096

struct cxm_ratelimit;

/* A limiter with room for `slots` keys (0: CXM_RL_DEFAULT_SLOTS). Owned by
 * the caller; free with cxm_ratelimit_free. */
struct cxm_ratelimit *cxm_ratelimit_new(size_t slots);
void cxm_ratelimit_free(struct cxm_ratelimit *rl);
/* 0 when key may try now, else the seconds to wait (for Retry-After, >= 1). */
int64_t cxm_ratelimit_check(struct cxm_ratelimit *rl, const char *key, int64_t now_us);
/* Records a failed attempt; returns what cxm_ratelimit_check would now. */
int64_t cxm_ratelimit_fail(struct cxm_ratelimit *rl, const char *key, int64_t now_us);
/* Forgets key (a successful login resets its account key). */
void cxm_ratelimit_reset(struct cxm_ratelimit *rl, const char *key);

#endif
