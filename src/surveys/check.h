/*
 * check.h - what the definition checks of src/surveys/ share (survey
 * definitions in surveys.c, trigger definitions in triggers.c): where a
 * refusal goes (the field and the reason), and the refusal of unknown keys.
 * Internal to src/surveys/.
 */
#ifndef CXM_SURVEYS_CHECK_H
#define CXM_SURVEYS_CHECK_H

#include "cxm/core.h"
#include "cxm/i18n.h"

#include <cjson/cJSON.h>

/* The caller's buffers for the offending field and the reason. */
struct err {
	char *field;
	size_t fieldlen;
	char *why;
	size_t whylen;
};

/* Writes field and the formatted reason into e; returns CXM_EINVAL. */
int sv_fail(struct err *e, const char *field, const char *fmt, ...) CXM_PRINTF(3, 4);
/*
 * Refuses a member of object o whose name is not in keys (NULL-ended):
 * the field is "where.name" ("name" when where is empty), the reason the
 * message `unknown` with the name. 0 when every member is known.
 */
int sv_only_keys(const cJSON *o, const char *const *keys, const char *where, enum cxm_msg unknown, struct err *e);

#endif
