/*
 * time.h - timestamps. cxm stores time as int64 microseconds since the Unix
 * epoch, UTC, and speaks RFC 3339 at its edges.
 */
#ifndef CXM_TIME_H
#define CXM_TIME_H

#include <stddef.h>
#include <stdint.h>

#define CXM_TIME_MAX INT64_MAX /* "open-ended" (no valid_to) */
#define CXM_TIME_BUFSZ 40

/* Current time in microseconds since the epoch. */
int64_t cxm_now_us(void);

/*
 * Parses an RFC 3339 timestamp ("2026-03-01T10:15:00Z",
 * "2026-03-01T10:15:00.25-05:00"; 'T' may be a space) or a plain date
 * ("2026-03-01", taken as midnight UTC) into UTC microseconds.
 * Returns 0 or CXM_EINVAL.
 */
int cxm_time_parse(const char *s, size_t len, int64_t *out);

/* Formats UTC microseconds as RFC 3339 with 'Z' into out (CXM_TIME_BUFSZ);
 * the fraction is printed only when non-zero. Returns out. */
char *cxm_time_format(int64_t us, char *out);

/* Days since 1970-01-01 for a proleptic Gregorian civil date. */
int64_t cxm_days_from_civil(int64_t y, unsigned m, unsigned d);
void cxm_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

#endif
