/*
 * org.h - rules for tenants, users and org units: which roles, unit kinds,
 * time zones and names are accepted. Pure functions.
 */
#ifndef CXM_ORG_H
#define CXM_ORG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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


/* ---- subtrees over time ---------------------------------------------------- */

struct cxm_membership;

/* A unit that was inside a subtree from `from` (inclusive) to `to`. */
struct cxm_span {
	int64_t unit, from, to;
};

/*
 * The units of root's subtree over time, from the tenant's unit -> parent
 * memberships (cxm_store_unit_memberships): root itself for [from, to),
 * then breadth first each span's children, clipped to the span's time, so
 * a unit that moved counts under its old parent only before the move.
 * Appends to *spans (grown with xrealloc; owned by the caller; *n its
 * length, *cap its room), at most max spans in all.
 */
void cxm_org_subtree(const struct cxm_membership *ms, size_t nms, int64_t root, int64_t from, int64_t to,
		     struct cxm_span **spans, size_t *n, size_t *cap, size_t max);
/* Whether unit was in one of the spans at ts. */
bool cxm_spans_have(const struct cxm_span *spans, size_t n, int64_t unit, int64_t ts);

#endif
