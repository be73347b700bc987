/*
 * events.h - the rules for interaction events: channels, types, amounts
 * and currencies. Pure functions; no I/O.
 */
#ifndef CXM_EVENTS_H
#define CXM_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#define CXM_EVENT_TYPE_MAX 64
#define CXM_SOURCE_ID_MAX 128
#define CXM_TOUCHPOINT_MAX 128

/* The channels cxm knows: web, app, email, sms, phone, store, chat, social, whatsapp, other. */
extern const char *const cxm_channels[];
extern const size_t cxm_channels_n;

/* Checks a channel (lower-cased into out, 16 bytes). */
int cxm_channel_normalize(const char *in, char *out, size_t outlen, char *why, size_t whylen);
/* Event types are an open set of snake_case words: [a-z][a-z0-9_]{0,63}. */
int cxm_event_type_check(const char *type, char *why, size_t whylen);
/* ISO 4217: three letters, upper-cased into out (4 bytes). */
int cxm_currency_normalize(const char *in, char *out, size_t outlen, char *why, size_t whylen);
/*
 * Parses a decimal amount ("1999", "19.99", "-5.5", up to 6 decimals) into
 * millionths of a unit. Thousands separators and exponents are refused.
 */
int cxm_amount_parse(const char *in, int64_t *micros, char *why, size_t whylen);
/* Shortest decimal form of an amount in millionths ("19.99"); out 32 bytes. */
char *cxm_amount_format(int64_t micros, char *out, size_t outlen);

#endif
