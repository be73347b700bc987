/*
 * json.h - strict JSON in front of cJSON. cJSON 1.7.15 accepts invalid
 * UTF-8, trailing bytes, cuts strings at \u0000 and turns integers above
 * 2^53 into doubles; these wrappers refuse all four so nothing is silently
 * changed on the way into the database.
 */
#ifndef CXM_JSON_H
#define CXM_JSON_H

#include <stddef.h>

#include <cjson/cJSON.h>

#define CXM_JSON_MAX_DEPTH 32

/*
 * Parses text[0..len) strictly. Returns the tree (owned; cJSON_Delete it) or
 * NULL with a reason in err (errlen bytes).
 */
cJSON *cxm_json_parse(const char *text, size_t len, char *err, size_t errlen);

/* Sorts object members by key, recursively, so equal values print equally. */
void cxm_json_sort(cJSON *item);

/* Canonical text (sorted keys, no spaces) of a JSON object given as text;
 * NULL or "" gives "{}". Returns malloc'd text or NULL with err set
 * (also when the value is not an object). */
char *cxm_json_canonical_object(const char *text, char *err, size_t errlen);

/* Prints compactly (owned, free() it); aborts on out of memory. */
char *cxm_json_print(const cJSON *item);

/*
 * Adds v rounded to `places` decimals (0-4) as a JSON number written
 * without trailing zeros and never as -0 ("4.9", "100", "-0.25"): a raw
 * item (cJSON_IsRaw, its text in valuestring). cJSON prints a double with
 * "%1.15g" and reads it back with sscanf, which dominated the time of a
 * 200-group metrics report; this writes the digits directly. A value that
 * is not finite or too large for that falls back to cJSON's own number.
 */
cJSON *cxm_json_add_fixed(cJSON *object, const char *name, double v, int places);

#endif
