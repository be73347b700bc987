/*
 * text-internal.h - what the files of src/text/ share: UTF-8 decoding,
 * character classes and the generated emoji table.
 */
#ifndef CXM_TEXT_INTERNAL_H
#define CXM_TEXT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Generated from emoji-test.txt (tools/gen-emoji.c), sorted ranges. */
extern const uint32_t cxm_emoji_pres[][2];
extern const size_t cxm_emoji_pres_n;
extern const uint32_t cxm_emoji_text[][2];
extern const size_t cxm_emoji_text_n;

/*
 * The code point at s[i] of valid UTF-8 (s has len bytes, i < len); *n gets
 * its length in bytes. Bytes that are not valid UTF-8 read as U+FFFD, one
 * byte each, so callers never loop forever on bad input.
 */
static inline int32_t text_decode(const char *str, size_t len, size_t i, size_t *n)
{
	const unsigned char *s = (const unsigned char *)str + i;
	size_t left = len - i;
	unsigned c = s[0];

	if (c < 0x80) {
		*n = 1;
		return (int32_t)c;
	}
	if ((c & 0xE0) == 0xC0 && left >= 2 && (s[1] & 0xC0) == 0x80) {
		*n = 2;
		return (int32_t)(((c & 0x1F) << 6) | (s[1] & 0x3F));
	}
	if ((c & 0xF0) == 0xE0 && left >= 3 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
		*n = 3;
		return (int32_t)(((c & 0x0F) << 12) | ((s[1] & 0x3F) << 6) | (s[2] & 0x3F));
	}
	if ((c & 0xF8) == 0xF0 && left >= 4 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80 &&
	    (s[3] & 0xC0) == 0x80) {
		*n = 4;
		return (int32_t)(((c & 0x07) << 18) | ((s[1] & 0x3F) << 12) | ((s[2] & 0x3F) << 6) | (s[3] & 0x3F));
	}
	*n = 1;
	return 0xFFFD;
}

/* Writes cp as UTF-8 at out (room for 4 bytes); returns the bytes written. */
static inline size_t text_encode(int32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;

	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/* One comparison each (a hot path of the tokenizer): setting bit 5 makes a
 * capital small, and anything below the range wraps around to a large value. */
static inline bool ascii_alpha(int c)
{
	return (unsigned)((c | 0x20) - 'a') < 26u;
}

static inline bool ascii_digit(int c)
{
	return (unsigned)(c - '0') < 10u;
}

static inline bool ascii_alnum(int c)
{
	return ascii_alpha(c) || ascii_digit(c);
}

static inline int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static inline int ascii_upper(int c)
{
	return c >= 'a' && c <= 'z' ? c - 32 : c;
}

/*
 * E-mail addresses, one rule for the tokenizer and personal data (pii.c):
 * local@domain.tld, ASCII, a dot in the domain, a TLD of 2+ letters.
 * text_email_local: a byte an address's local part may hold;
 * text_maybe_email: whether the letters and digits at i are followed by
 * what an address needs next (a cheap filter); text_scan_email: the
 * address's length at i, or 0.
 */
bool text_email_local(unsigned char c);
bool text_maybe_email(const char *s, size_t len, size_t i);
size_t text_scan_email(const char *s, size_t len, size_t i);

#endif
