/* customers.c - checks and normal forms of customer fields. */
#include "cxm/customers.h"
#include "cxm/core.h"
#include "cxm/i18n.h"
#include "cxm/store.h"

#include <ctype.h>
#include <strings.h>

static int bad(char *why, size_t whylen, const char *fmt, const char *arg)
{
	snprintf(why, whylen, fmt, arg);
	return CXM_EINVAL;
}

int cxm_text_check(const char *s, size_t max, char *why, size_t whylen)
{
	size_t len = strlen(s);

	if (len > max) {
		snprintf(why, whylen, _(MSG_V_TOO_LONG), max);
		return CXM_EINVAL;
	}
	if (!cxm_utf8_valid(s, len))
		return bad(why, whylen, "%s", _(MSG_V_UTF8));
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return bad(why, whylen, "%s", _(MSG_V_CONTROL));
	return 0;
}

int cxm_email_normalize(const char *in, char *out, size_t outlen, char *why, size_t whylen)
{
	size_t len = strlen(in), at = len, dots = 0;

	if (len == 0 || len > CXM_EMAIL_MAX || len >= outlen)
		return bad(why, whylen, _(MSG_V_EMAIL), in);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c == '@') {
			if (at != len)
				return bad(why, whylen, _(MSG_V_EMAIL), in);
			at = i;
		} else if (c <= ' ' || c == 0x7f || c == ',' || c == ';' || c == '<' || c == '>' || c == '"' ||
			   c == '(' || c == ')' || c == '[' || c == ']' || c == '\\') {
			return bad(why, whylen, _(MSG_V_EMAIL), in);
		} else if (c == '.' && at != len) {
			if (i == at + 1 || i == len - 1 || in[i - 1] == '.')
				return bad(why, whylen, _(MSG_V_EMAIL), in);
			dots++;
		}
		out[i] = (char)tolower(c);
	}
	out[len] = '\0';
	if (at == len || at == 0 || at == len - 1 || dots == 0)
		return bad(why, whylen, _(MSG_V_EMAIL), in);
	if (!cxm_utf8_valid(in, len))
		return bad(why, whylen, "%s", _(MSG_V_UTF8));
	return 0;
}

int cxm_phone_normalize(const char *in, char *out, size_t outlen, char *why, size_t whylen)
{
	size_t n = 0, digits = 0;
	const char *p = in;

	while (*p == ' ')
		p++;
	if (p[0] == '0' && p[1] == '0') {
		p += 2;
		if (n + 1 < outlen)
			out[n++] = '+';
	} else if (*p == '+') {
		p++;
		if (n + 1 < outlen)
			out[n++] = '+';
	}
	for (; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			if (n + 1 >= outlen || digits >= 15)
				return bad(why, whylen, _(MSG_V_PHONE), in);
			out[n++] = *p;
			digits++;
		} else if (*p != ' ' && *p != '-' && *p != '.' && *p != '(' && *p != ')') {
			return bad(why, whylen, _(MSG_V_PHONE), in);
		}
	}
	out[n] = '\0';
	if (digits < 7)
		return bad(why, whylen, _(MSG_V_PHONE), in);
	return 0;
}

int cxm_language_normalize(const char *in, char *out, size_t outlen, char *why, size_t whylen)
{
	size_t len = strlen(in), i = 0;

	if (len < 2 || len >= outlen || len > 8)
		return bad(why, whylen, _(MSG_V_LANGUAGE), in);
	for (; i < len && isalpha((unsigned char)in[i]); i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	if (i < 2 || i > 3)
		return bad(why, whylen, _(MSG_V_LANGUAGE), in);
	if (i < len) {
		if ((in[i] != '-' && in[i] != '_') || len - i - 1 != 2 || !isalpha((unsigned char)in[i + 1]) ||
		    !isalpha((unsigned char)in[i + 2]))
			return bad(why, whylen, _(MSG_V_LANGUAGE), in);
		out[i] = '-';
		out[i + 1] = (char)toupper((unsigned char)in[i + 1]);
		out[i + 2] = (char)toupper((unsigned char)in[i + 2]);
	}
	out[len] = '\0';
	return 0;
}

int cxm_country_normalize(const char *in, char *out, size_t outlen, char *why, size_t whylen)
{
	if (strlen(in) != 2 || outlen < 3 || !isalpha((unsigned char)in[0]) || !isalpha((unsigned char)in[1]))
		return bad(why, whylen, _(MSG_V_COUNTRY), in);
	out[0] = (char)toupper((unsigned char)in[0]);
	out[1] = (char)toupper((unsigned char)in[1]);
	out[2] = '\0';
	return 0;
}

int cxm_consent_parse(const char *in, int *out, char *why, size_t whylen)
{
	static const char *yes[] = { "yes", "y", "true", "1", "granted", "si", "sí", "opt-in", "optin" };
	static const char *no[] = { "no", "n", "false", "0", "denied", "opt-out", "optout" };

	if (!*in) {
		*out = CXM_CONSENT_UNKNOWN;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++)
		if (!strcasecmp(in, yes[i])) {
			*out = CXM_CONSENT_GRANTED;
			return 0;
		}
	for (size_t i = 0; i < ARRAY_SIZE(no); i++)
		if (!strcasecmp(in, no[i])) {
			*out = CXM_CONSENT_DENIED;
			return 0;
		}
	return bad(why, whylen, _(MSG_V_CONSENT), in);
}

const char *cxm_consent_name(int consent)
{
	return consent == CXM_CONSENT_GRANTED ? "granted" : consent == CXM_CONSENT_DENIED ? "denied" : "";
}

int cxm_identity_kind_check(const char *kind, char *why, size_t whylen)
{
	size_t len = strlen(kind);

	if (len == 0 || len > 32 || !islower((unsigned char)kind[0]))
		return bad(why, whylen, _(MSG_V_IDENTITY_KIND), kind);
	for (size_t i = 1; i < len; i++)
		if (!islower((unsigned char)kind[i]) && !isdigit((unsigned char)kind[i]) && kind[i] != '_')
			return bad(why, whylen, _(MSG_V_IDENTITY_KIND), kind);
	return 0;
}
