/* time.c - RFC 3339 parsing and formatting over int64 UTC microseconds. */
#include "cxm/time.h"
#include "cxm/core.h"

#include <stdio.h>
#include <time.h>

int64_t cxm_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar. */
int64_t cxm_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void cxm_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

static int digits(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return 0;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
	static const unsigned char dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : dm[m - 1];
}

int cxm_time_parse(const char *s, size_t len, int64_t *out)
{
	unsigned y, mo, d, h = 0, mi = 0, se = 0;
	int64_t frac_us = 0, offset_s = 0;
	size_t i;

	if (len < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d))
		return CXM_EINVAL;
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return CXM_EINVAL;
	i = 10;
	if (len > 10) {
		if (len < 20 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
		    digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) ||
		    s[16] != ':' || digits(s + 17, 2, &se))
			return CXM_EINVAL;
		if (h > 23 || mi > 59 || se > 60)
			return CXM_EINVAL;
		if (se == 60) /* leap second: fold onto :59 */
			se = 59;
		i = 19;
		if (s[i] == '.') {
			size_t nd = 0;
			int64_t scale = 100000;
			i++;
			while (i < len && s[i] >= '0' && s[i] <= '9') {
				if (nd < 6) {
					frac_us += (s[i] - '0') * scale;
					scale /= 10;
				}
				nd++;
				i++;
			}
			if (nd == 0 || nd > 9)
				return CXM_EINVAL;
		}
		if (i >= len)
			return CXM_EINVAL; /* RFC 3339 requires a zone */
		if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == len) {
			i++;
		} else if ((s[i] == '+' || s[i] == '-') && len - i == 6 && s[i + 3] == ':') {
			unsigned oh, om;
			if (digits(s + i + 1, 2, &oh) || digits(s + i + 4, 2, &om) || oh > 23 || om > 59)
				return CXM_EINVAL;
			offset_s = (int64_t)(oh * 3600 + om * 60) * (s[i] == '+' ? 1 : -1);
			i += 6;
		} else {
			return CXM_EINVAL;
		}
	}
	if (i != len)
		return CXM_EINVAL;
	int64_t days = cxm_days_from_civil(y, mo, d);
	int64_t secs = days * 86400 + h * 3600 + mi * 60 + se - offset_s;
	/* an offset can push the instant out of years 1-9999, which could then
	 * not be written back as RFC 3339 */
	if (secs < cxm_days_from_civil(1, 1, 1) * 86400 || secs >= cxm_days_from_civil(10000, 1, 1) * 86400)
		return CXM_EINVAL;
	*out = secs * 1000000 + frac_us;
	return 0;
}

char *cxm_time_format(int64_t us, char *out)
{
	int64_t secs = us / 1000000, frac = us % 1000000;
	if (frac < 0) {
		frac += 1000000;
		secs--;
	}
	int64_t days = secs / 86400, rem = secs % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	int64_t y;
	unsigned m, d;
	cxm_civil_from_days(days, &y, &m, &d);
	int h = (int)(rem / 3600), mi = (int)(rem % 3600 / 60), se = (int)(rem % 60);
	if (frac == 0) {
		cxm_xsnprintf(out, CXM_TIME_BUFSZ, "%04lld-%02u-%02uT%02d:%02d:%02dZ",
			      (long long)y, m, d, h, mi, se);
	} else {
		char f[8];
		int n = 6;
		cxm_xsnprintf(f, sizeof(f), "%06lld", (long long)frac);
		while (n > 1 && f[n - 1] == '0')
			n--;
		f[n] = '\0';
		cxm_xsnprintf(out, CXM_TIME_BUFSZ, "%04lld-%02u-%02uT%02d:%02d:%02d.%sZ",
			      (long long)y, m, d, h, mi, se, f);
	}
	return out;
}
