/*
 * tz.h - civil days in a tenant's time zone, read from the system's tz
 * database (TZif files under /usr/share/zoneinfo, with their POSIX rule
 * for times after the last listed transition). Thread-safe; a zone is
 * loaded once and kept for the life of the process.
 */
#ifndef CXM_TZ_H
#define CXM_TZ_H

#include <stdint.h>

struct cxm_tz;

/* The zone named (IANA name or "UTC"); NULL when the system does not know
 * it. Owned by the module, valid until exit. */
const struct cxm_tz *cxm_tz_get(const char *name);
/* Seconds east of UTC in force at the UTC instant us (microseconds). */
int32_t cxm_tz_offset(const struct cxm_tz *z, int64_t us);
/* The local civil day (days since 1970-01-01) of the UTC instant us. */
int64_t cxm_tz_day(const struct cxm_tz *z, int64_t us);
/* The first UTC instant (microseconds) of local day `day` in zone z:
 * exact across DST, also where midnight is skipped (the day starts at 01:00). */
int64_t cxm_tz_day_start(const struct cxm_tz *z, int64_t day);

#endif
