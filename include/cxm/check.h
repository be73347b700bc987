/*
 * check.h - what the checks of definitions and settings share (surveys,
 * triggers, metrics settings, driver data): where a refusal goes (the
 * offending field and the reason, in the caller's buffers) and the
 * refusal of unknown keys.
 */
#ifndef CXM_CHECK_H
#define CXM_CHECK_H

#include "cxm/core.h"
#include "cxm/i18n.h"

#include <cjson/cJSON.h>

/* The caller's buffers for the offending field and the reason. */
struct cxm_err {
	char *field;
	size_t fieldlen;
	char *why;
	size_t whylen;
};

/* Writes field and the formatted reason into e; returns CXM_EINVAL. */
int cxm_fail(struct cxm_err *e, const char *field, const char *fmt, ...) CXM_PRINTF(3, 4);
/*
 * Refuses a member of object o whose name is not in keys (NULL-ended):
 * the field is "where.name" ("name" when where is empty), the reason the
 * message `unknown` with the name. 0 when every member is known.
 */
int cxm_only_keys(const cJSON *o, const char *const *keys, const char *where, enum cxm_msg unknown,
		  struct cxm_err *e);

#endif
