/*
 * org.h - rules for tenants, users and org units: which roles, unit kinds,
 * time zones and names are accepted. Pure functions.
 */
#ifndef CXM_ORG_H
#define CXM_ORG_H

#include <stddef.h>

extern const char *const cxm_roles[];
extern const size_t cxm_roles_n;
extern const char *const cxm_unit_kinds[];
extern const size_t cxm_unit_kinds_n;

/* owner, admin, analyst, manager, agent, viewer (what each may do: docs/api.md,
 * "Roles"). */
int cxm_role_check(const char *role, char *why, size_t whylen);
/* company, region, store, call_centre, team, department, other. */
int cxm_unit_kind_check(const char *kind, char *why, size_t whylen);
/* An IANA zone known to this system's tz database, or "UTC". */
int cxm_time_zone_check(const char *tz, char *why, size_t whylen);
/* Tenant names: 1-64 of [A-Za-z0-9._-], starting with a letter or digit. */
int cxm_tenant_name_check(const char *name, char *why, size_t whylen);
/* Usernames: 1-64 of [a-z0-9._@-] (agent codes, logins). */
int cxm_username_check(const char *name, char *why, size_t whylen);

#endif
