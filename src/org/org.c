/* org.c - checks for tenants, users, roles and org unit kinds. */
#include "cxm/org.h"
#include "cxm/core.h"
#include "cxm/i18n.h"

#include <ctype.h>
#include <sys/stat.h>

const char *const cxm_roles[] = { "owner", "admin", "analyst", "manager", "agent", "viewer" };
const size_t cxm_roles_n = ARRAY_SIZE(cxm_roles);
const char *const cxm_unit_kinds[] = { "company", "region", "store", "call_centre", "team", "department", "other" };
const size_t cxm_unit_kinds_n = ARRAY_SIZE(cxm_unit_kinds);

static int one_of(const char *v, const char *const *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v, set[i]))
			return 1;
	return 0;
}

int cxm_role_check(const char *role, char *why, size_t whylen)
{
	if (one_of(role, cxm_roles, cxm_roles_n))
		return 0;
	snprintf(why, whylen, _(MSG_V_ROLE), role);
	return CXM_EINVAL;
}

int cxm_unit_kind_check(const char *kind, char *why, size_t whylen)
{
	if (one_of(kind, cxm_unit_kinds, cxm_unit_kinds_n))
		return 0;
	snprintf(why, whylen,
		 _(MSG_V_UNIT_KIND), kind);
	return CXM_EINVAL;
}

int cxm_time_zone_check(const char *tz, char *why, size_t whylen)
{
	struct stat st;
	char path[300];
	size_t len = strlen(tz);
	bool ok = len > 0 && len < 64 && tz[0] != '/' && !strstr(tz, "..");

	for (size_t i = 0; ok && i < len; i++)
		ok = isalnum((unsigned char)tz[i]) || tz[i] == '/' || tz[i] == '_' || tz[i] == '-' || tz[i] == '+';
	if (ok && !strcmp(tz, "UTC"))
		return 0;
	if (ok) {
		snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", tz);
		ok = !stat(path, &st) && S_ISREG(st.st_mode);
	}
	if (!ok) {
		snprintf(why, whylen, _(MSG_V_TIME_ZONE), tz);
		return CXM_EINVAL;
	}
	return 0;
}

static int name_check(const char *name, const char *extra, int lower_only, char *why, size_t whylen,
		      enum cxm_msg msg)
{
	size_t len = strlen(name);
	bool ok = len > 0 && len <= 64 && isalnum((unsigned char)name[0]);

	for (size_t i = 0; ok && i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		ok = (isalnum(c) && (!lower_only || !isupper(c))) || strchr(extra, c);
	}
	if (!ok) {
		snprintf(why, whylen, _(msg), name);
		return CXM_EINVAL;
	}
	return 0;
}

int cxm_tenant_name_check(const char *name, char *why, size_t whylen)
{
	return name_check(name, "._-", 0, why, whylen, MSG_V_TENANT_NAME);
}

int cxm_username_check(const char *name, char *why, size_t whylen)
{
	return name_check(name, "._@-", 1, why, whylen, MSG_V_USERNAME);
}
