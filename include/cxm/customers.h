/*
 * customers.h - the rules for customer fields: how an email, a phone, a
 * language, a country and a consent value are checked and normalised
 * before they reach the store. Pure functions; no I/O.
 *
 * Each normaliser writes the normal form into out (outlen bytes) and
 * returns 0, or returns CXM_EINVAL with a reason in why (whylen bytes).
 */
#ifndef CXM_CUSTOMERS_H
#define CXM_CUSTOMERS_H

#include <stddef.h>

#define CXM_NAME_MAX 200       /* first / last name, in bytes */
#define CXM_EXTERNAL_ID_MAX 128
#define CXM_EMAIL_MAX 254
#define CXM_PHONE_MAX 20
#define CXM_IDENTITY_MAX 256

/* Lower-cases and checks local@domain.tld. */
int cxm_email_normalize(const char *in, char *out, size_t outlen, char *why, size_t whylen);
/* Keeps '+' and digits, drops spaces, dots, dashes and parentheses; needs
 * 7 to 15 digits. "00" prefixes become '+'. */
int cxm_phone_normalize(const char *in, char *out, size_t outlen, char *why, size_t whylen);
/* "es", "en", "pt-BR" ... (BCP 47 language with optional region): lower-case
 * language, upper-case region. */
int cxm_language_normalize(const char *in, char *out, size_t outlen, char *why, size_t whylen);
/* ISO 3166-1 alpha-2, upper-cased. */
int cxm_country_normalize(const char *in, char *out, size_t outlen, char *why, size_t whylen);
/* yes/no/true/false/1/0/granted/denied/si/sí/opt-in/opt-out, or "" (unknown).
 * *out gets an enum cxm_consent value. */
int cxm_consent_parse(const char *in, int *out, char *why, size_t whylen);
/* "granted", "denied" or "" for export. */
const char *cxm_consent_name(int consent);
/* Identity kinds: [a-z][a-z0-9_]{0,31}. */
int cxm_identity_kind_check(const char *kind, char *why, size_t whylen);
/* Names and ids: valid UTF-8, no control characters, at most max bytes. */
int cxm_text_check(const char *s, size_t max, char *why, size_t whylen);

#endif
