/*
 * form.h - the public survey page's form: application/x-www-form-urlencoded
 * bodies decoded, and their q.<id>=value pairs turned into answers for a
 * survey definition. Pure functions, no I/O; fuzzed by tests/fuzz/fuzz_form.c.
 */
#ifndef CXM_FORM_H
#define CXM_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "cxm/surveys.h"

/*
 * Decodes one form component of n bytes into out (n + 1 bytes, caller's):
 * '+' is a space, %XX a byte; a '%' not followed by two hex digits stays as
 * it is. out is NUL-terminated; returns the decoded length (a %00 decodes to
 * a NUL byte inside it: callers that want C strings see the value end there).
 */
size_t cxm_form_decode(const char *s, size_t n, char *out);

/* Called for each key=value pair, decoded and NUL-terminated (borrowed for
 * the call). A non-zero return stops the walk and is returned. */
typedef int (*cxm_form_cb)(const char *key, const char *value, void *ctx);
/* Walks every pair of a body of len bytes, in order; a pair without '='
 * is skipped. */
int cxm_form_parse(const char *body, size_t len, cxm_form_cb cb, void *ctx);

/* What a survey page's form says. */
struct cxm_form {
	cJSON *answers;    /* owned: {"question id": value}; unknown ids and values
			    * that are not numbers are kept as strings for the
			    * answer check to refuse with a reason */
	char lang[16];     /* the page's language ("lang"), or "" */
	char nonce[80];    /* the open link's form nonce ("n"), or "" */
	bool hold_open;    /* a score given now opens follow-ups not asked yet */
};

/*
 * Reads a survey page's form against a checked definition: q.<id>=value,
 * several values for a multiple choice, the first value for any other
 * question, numbers for scales, an empty text is no answer. earlier (may be
 * NULL) holds the answers given on an earlier page. Fills out (release with
 * cxm_form_release).
 */
void cxm_form_answers(const struct cxm_survey_def *d, const cJSON *earlier, const char *body, size_t len,
		      struct cxm_form *out);
void cxm_form_release(struct cxm_form *f);

#endif
