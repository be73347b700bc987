/* events.c - checks and normal forms of event fields. */
#include "cxm/events.h"
#include "cxm/core.h"
#include "cxm/i18n.h"

#include <ctype.h>

const char *const cxm_channels[] = { "web", "app", "email", "sms", "phone", "store", "chat", "social", "whatsapp", "other" };
const size_t cxm_channels_n = ARRAY_SIZE(cxm_channels);

int cxm_channel_normalize(const char *in, char *out, size_t outlen, char *why, size_t whylen)
{
	size_t len = strlen(in);

	if (len < outlen) {
		for (size_t i = 0; i <= len; i++)
			out[i] = (char)tolower((unsigned char)in[i]);
		for (size_t i = 0; i < cxm_channels_n; i++)
			if (!strcmp(out, cxm_channels[i]))
				return 0;
	}
	snprintf(why, whylen, _(MSG_V_CHANNEL), in);
	return CXM_EINVAL;
}

int cxm_event_type_check(const char *type, char *why, size_t whylen)
{
	size_t len = strlen(type);
	bool ok = len > 0 && len <= CXM_EVENT_TYPE_MAX && islower((unsigned char)type[0]);

	for (size_t i = 1; ok && i < len; i++)
		ok = islower((unsigned char)type[i]) || isdigit((unsigned char)type[i]) || type[i] == '_';
	if (!ok) {
		snprintf(why, whylen, _(MSG_V_EVENT_TYPE), type);
		return CXM_EINVAL;
	}
	return 0;
}

int cxm_currency_normalize(const char *in, char *out, size_t outlen, char *why, size_t whylen)
{
	if (strlen(in) != 3 || outlen < 4 || !isalpha((unsigned char)in[0]) || !isalpha((unsigned char)in[1]) ||
	    !isalpha((unsigned char)in[2])) {
		snprintf(why, whylen, _(MSG_V_CURRENCY), in);
		return CXM_EINVAL;
	}
	for (int i = 0; i < 3; i++)
		out[i] = (char)toupper((unsigned char)in[i]);
	out[3] = '\0';
	return 0;
}

int cxm_amount_parse(const char *in, int64_t *micros, char *why, size_t whylen)
{
	const char *p = in;
	bool neg = false;
	uint64_t whole = 0, frac = 0;
	int nwhole = 0, nfrac = 0;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	for (; *p >= '0' && *p <= '9'; p++, nwhole++) {
		if (whole > (uint64_t)(INT64_MAX / 1000000 - 9) / 10)
			goto bad;
		whole = whole * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, nfrac++) {
			if (nfrac >= 6)
				goto bad;
			frac = frac * 10 + (uint64_t)(*p - '0');
		}
		if (nfrac == 0)
			goto bad;
	}
	if (*p || nwhole == 0)
		goto bad;
	for (int i = nfrac; i < 6; i++)
		frac *= 10;
	*micros = (int64_t)(whole * 1000000 + frac) * (neg ? -1 : 1);
	return 0;
bad:
	snprintf(why, whylen, _(MSG_V_AMOUNT), in);
	return CXM_EINVAL;
}

char *cxm_amount_format(int64_t micros, char *out, size_t outlen)
{
	uint64_t v = micros < 0 ? 0 - (uint64_t)micros : (uint64_t)micros;
	uint64_t whole = v / 1000000, frac = v % 1000000;

	if (!frac) {
		snprintf(out, outlen, "%s%llu", micros < 0 ? "-" : "", (unsigned long long)whole);
		return out;
	}
	char f[8];
	int n = 6;
	snprintf(f, sizeof(f), "%06llu", (unsigned long long)frac);
	while (f[n - 1] == '0')
		n--;
	f[n] = '\0';
	snprintf(out, outlen, "%s%llu.%s", micros < 0 ? "-" : "", (unsigned long long)whole, f);
	return out;
}
