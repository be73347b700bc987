/* check.c - the shared pieces of the checks (cxm/check.h). */
#include "cxm/check.h"

#include <stdarg.h>

int cxm_fail(struct cxm_err *e, const char *field, const char *fmt, ...)
{
	va_list ap;

	cxm_strlcpy(e->field, field, e->fieldlen);
	va_start(ap, fmt);
	vsnprintf(e->why, e->whylen, fmt, ap);
	va_end(ap);
	return CXM_EINVAL;
}

int cxm_only_keys(const cJSON *o, const char *const *keys, const char *where, enum cxm_msg unknown,
		  struct cxm_err *e)
{
	for (const cJSON *it = o->child; it; it = it->next) {
		bool ok = false;
		for (const char *const *k = keys; *k && !ok; k++)
			ok = !strcmp(*k, it->string);
		if (!ok) {
			char f[96];
			snprintf(f, sizeof(f), "%s%s%.64s", where, *where ? "." : "", it->string);
			return cxm_fail(e, f, _(unknown), it->string);
		}
	}
	return 0;
}
