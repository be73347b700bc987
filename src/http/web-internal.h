/*
 * web-internal.h - the pure checks of api_web.c (the web snippet's API),
 * apart so that unit tests and fuzzers reach them.
 */
#ifndef CXM_WEB_INTERNAL_H
#define CXM_WEB_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

/* The tenant a site key names by its form (48 lower-case hex digits, the
 * first 16 the tenant id); CXM_ENOTFOUND when it has not that form. The
 * secret part is left to the caller to compare. */
int web_site_key_tenant(const char *key, int64_t *tenant);
/* An anonymous id: 8 to 64 of [A-Za-z0-9_-] (what the snippet makes; nothing to escape). */
bool web_anon_ok(const char *s);
/* An origin as browsers send it: http(s)://host[:port], lower case, no path. */
bool web_origin_ok(const char *s);
/* Whether hash (hex, any case) is HMAC-SHA-256 of external_id keyed by the
 * characters of secret_hex. All borrowed. */
bool web_identify_ok(const char *secret_hex, const char *external_id, const char *hash);

#endif
