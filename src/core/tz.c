/*
 * tz.c - TZif reader and POSIX TZ rules (tz.h). Only what a civil day
 * needs: the UTC offset at an instant. Leap seconds are ignored (cxm's
 * clock is POSIX time).
 */
#include "cxm/tz.h"
#include "cxm/core.h"
#include "cxm/time.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZONE_NAME_MAX 64
#define ZONES_MAX 256
#define TZFILE_MAX (1 << 20)

/* One half of a POSIX rule: day of year by Mm.w.d, at secs local time. */
struct rule_date {
	int month, week, wday;
	int32_t secs;
};

struct cxm_tz {
	char name[ZONE_NAME_MAX];
	size_t n;                 /* transitions */
	int64_t *at;              /* transition instants, seconds UTC */
	int32_t *off;             /* offset from at[i] on */
	int32_t before;           /* offset before the first transition */
	/* the footer rule, for instants after the last transition */
	bool has_rule, has_dst;
	int32_t std_off, dst_off;
	struct rule_date start, end;
};

static pthread_mutex_t zones_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cxm_tz *zones[ZONES_MAX];
static size_t nzones;

static int64_t be(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	if (n == 4)
		return (int32_t)(uint32_t)v;
	return (int64_t)v;
}

/* ---- POSIX TZ strings ("CET-1CEST,M3.5.0,M10.5.0/3") ---------------------- */

static const char *skip_name(const char *p)
{
	if (*p == '<') {
		while (*p && *p != '>')
			p++;
		return *p ? p + 1 : NULL;
	}
	const char *s = p;
	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
		p++;
	return p - s >= 3 ? p : NULL;
}

/* [+-]hh[:mm[:ss]] into seconds; NULL on a malformed one. */
static const char *parse_hms(const char *p, int32_t *out)
{
	int sign = 1, part[3] = { 0, 0, 0 };

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	for (int i = 0; i < 3; i++) {
		if (*p < '0' || *p > '9')
			return NULL;
		while (*p >= '0' && *p <= '9')
			part[i] = part[i] * 10 + (*p++ - '0');
		if (i == 2 || *p != ':')
			break;
		p++;
	}
	*out = sign * (part[0] * 3600 + part[1] * 60 + part[2]);
	return p;
}

static const char *parse_date(const char *p, struct rule_date *d)
{
	if (*p != 'M' || sscanf(p, "M%d.%d.%d", &d->month, &d->week, &d->wday) != 3)
		return NULL; /* Jn and n forms: no zone in use today has them */
	if (d->month < 1 || d->month > 12 || d->week < 1 || d->week > 5 || d->wday < 0 || d->wday > 6)
		return NULL;
	p++;
	while ((*p >= '0' && *p <= '9') || *p == '.')
		p++;
	d->secs = 7200;
	if (*p == '/')
		p = parse_hms(p + 1, &d->secs);
	return p;
}

static bool parse_rule(struct cxm_tz *z, const char *p)
{
	int32_t v;

	if (!(p = skip_name(p)) || !(p = parse_hms(p, &v)))
		return false;
	z->std_off = -v; /* POSIX counts west of Greenwich */
	if (!*p) {
		z->has_rule = true;
		return true;
	}
	if (!(p = skip_name(p)))
		return false;
	z->dst_off = z->std_off + 3600;
	if (*p && *p != ',') {
		if (!(p = parse_hms(p, &v)))
			return false;
		z->dst_off = -v;
	}
	if (*p++ != ',' || !(p = parse_date(p, &z->start)) || *p++ != ',' || !(p = parse_date(p, &z->end)) || *p)
		return false;
	z->has_rule = z->has_dst = true;
	return true;
}

static unsigned month_days(int64_t y, int m)
{
	return (unsigned)(cxm_days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : (unsigned)m + 1, 1) -
			  cxm_days_from_civil(y, (unsigned)m, 1));
}

/* The UTC second a rule date of year y happens, given the offset in force
 * just before it. */
static int64_t rule_at(const struct rule_date *d, int64_t y, int32_t off_before)
{
	int64_t first = cxm_days_from_civil(y, (unsigned)d->month, 1);
	int wd_first = (int)(((first + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
	int64_t day = first + (d->wday - wd_first + 7) % 7 + (int64_t)(d->week - 1) * 7;

	while (day >= first + month_days(y, d->month))
		day -= 7;
	return day * 86400 + d->secs - off_before;
}

static int32_t rule_offset(const struct cxm_tz *z, int64_t t)
{
	int64_t y, lday = (t + z->std_off) / 86400 - ((t + z->std_off) % 86400 < 0);
	unsigned m, d;

	if (!z->has_dst)
		return z->std_off;
	cxm_civil_from_days(lday, &y, &m, &d);
	int64_t start = rule_at(&z->start, y, z->std_off), end = rule_at(&z->end, y, z->dst_off);
	bool dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
	return dst ? z->dst_off : z->std_off;
}

/* ---- TZif files ---------------------------------------------------------- */

static bool parse_tzif(struct cxm_tz *z, const unsigned char *b, size_t len)
{
	size_t cnt[6], v1, hdr = 44;

	if (len < hdr || memcmp(b, "TZif", 4))
		return false;
	for (int i = 0; i < 6; i++)
		cnt[i] = (size_t)be(b + 20 + 4 * i, 4);
	/* isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt */
	v1 = cnt[3] * 5 + cnt[4] * 6 + cnt[5] + cnt[2] * 8 + cnt[1] + cnt[0];
	if (b[4] < '2' || len < hdr * 2 + v1)
		return false; /* every tzdata of this century ships version 2+ */
	b += hdr + v1;
	len -= hdr + v1;
	for (int i = 0; i < 6; i++)
		cnt[i] = (size_t)be(b + 20 + 4 * i, 4);
	size_t need = cnt[3] * 9 + cnt[4] * 6 + cnt[5] + cnt[2] * 12 + cnt[1] + cnt[0];
	if (memcmp(b, "TZif", 4) || len < hdr + need || cnt[4] == 0)
		return false;
	const unsigned char *times = b + hdr, *idx = times + cnt[3] * 8, *types = idx + cnt[3];
	z->n = cnt[3];
	z->at = xmalloc((z->n ? z->n : 1) * sizeof(*z->at));
	z->off = xmalloc((z->n ? z->n : 1) * sizeof(*z->off));
	for (size_t i = 0; i < z->n; i++) {
		if (idx[i] >= cnt[4])
			return false;
		z->at[i] = be(times + 8 * i, 8);
		z->off[i] = (int32_t)be(types + 6 * idx[i], 4);
	}
	z->before = (int32_t)be(types, 4);
	/* the footer: "\n<POSIX TZ>\n" */
	const char *foot = (const char *)b + hdr + need, *end = (const char *)b + len;
	if (foot < end && *foot == '\n') {
		const char *nl = memchr(foot + 1, '\n', (size_t)(end - foot - 1));
		if (nl && nl > foot + 1) {
			char rule[128];
			size_t n = (size_t)(nl - foot - 1);
			if (n < sizeof(rule)) {
				memcpy(rule, foot + 1, n);
				rule[n] = '\0';
				if (!parse_rule(z, rule))
					return false;
			}
		}
	}
	return true;
}

static struct cxm_tz *load(const char *name)
{
	struct cxm_tz *z = xcalloc(1, sizeof(*z));
	char path[ZONE_NAME_MAX + 32];
	unsigned char *buf = NULL;
	size_t len = 0;
	FILE *f = NULL;

	cxm_strlcpy(z->name, name, sizeof(z->name));
	if (!strcmp(name, "UTC")) {
		z->has_rule = true;
		return z;
	}
	/* names come from the tenants table, checked by cxm_time_zone_check;
	 * still refuse anything that could leave the zoneinfo tree */
	if (name[0] == '/' || strstr(name, ".."))
		goto fail;
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", name);
	if (!(f = fopen(path, "rb")))
		goto fail;
	buf = xmalloc(TZFILE_MAX);
	len = fread(buf, 1, TZFILE_MAX, f);
	fclose(f);
	if (!parse_tzif(z, buf, len))
		goto fail;
	free(buf);
	return z;
fail:
	free(buf);
	free(z->at);
	free(z->off);
	free(z);
	return NULL;
}

const struct cxm_tz *cxm_tz_get(const char *name)
{
	struct cxm_tz *z = NULL;

	if (!name || strlen(name) >= ZONE_NAME_MAX)
		return NULL;
	pthread_mutex_lock(&zones_lock);
	for (size_t i = 0; i < nzones; i++)
		if (!strcmp(zones[i]->name, name)) {
			z = zones[i];
			goto out;
		}
	z = load(name);
	if (z && nzones < ZONES_MAX)
		zones[nzones++] = z;
	/* more zones than ZONES_MAX in one process does not happen; the extra
	 * one is then leaked, not freed under a caller */
out:
	pthread_mutex_unlock(&zones_lock);
	return z;
}

int32_t cxm_tz_offset(const struct cxm_tz *z, int64_t us)
{
	int64_t t = us / 1000000 - (us % 1000000 < 0);
	size_t lo = 0, hi = z->n;

	if (z->n == 0 || t >= z->at[z->n - 1]) {
		if (z->has_rule)
			return rule_offset(z, t);
		return z->n ? z->off[z->n - 1] : z->before;
	}
	if (t < z->at[0])
		return z->before;
	/* the last transition at or before t */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (z->at[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return z->off[lo];
}

int64_t cxm_tz_day(const struct cxm_tz *z, int64_t us)
{
	int64_t t = us / 1000000 - (us % 1000000 < 0) + cxm_tz_offset(z, us);
	return t / 86400 - (t % 86400 < 0);
}

/* Local days follow time forward and a day starts within 26 hours of its
 * UTC midnight: a binary search over that span. */
int64_t cxm_tz_day_start(const struct cxm_tz *z, int64_t day)
{
	const int64_t hour = INT64_C(3600000000);
	int64_t lo = day * 24 * hour - 26 * hour, hi = lo + 52 * hour;

	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;
		if (cxm_tz_day(z, mid) >= day)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}
