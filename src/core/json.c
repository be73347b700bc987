/* json.c - strict parsing and canonical printing over cJSON. */
#include "cxm/json.h"
#include "cxm/i18n.h"
#include "cxm/core.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void set_hooks(void)
{
	cJSON_Hooks h = { xmalloc, free };
	cJSON_InitHooks(&h);
}

/* Once per process, whichever thread parses first. */
static void init_hooks(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, set_hooks);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A key that appears twice among an object's members, or NULL. Sorting
 * keeps it O(n log n), so a huge object cannot make it slow. */
static const char *duplicate_key(const cJSON *obj)
{
	size_t n = 0, i = 0;
	const char **keys, *dup = NULL;

	for (const cJSON *c = obj->child; c; c = c->next)
		n++;
	if (n < 2)
		return NULL;
	keys = xmalloc(n * sizeof(*keys));
	for (const cJSON *c = obj->child; c; c = c->next)
		keys[i++] = c->string;
	qsort(keys, n, sizeof(*keys), cmp_str);
	for (i = 1; i < n && !dup; i++)
		if (!strcmp(keys[i - 1], keys[i]))
			dup = keys[i];
	free(keys);
	return dup;
}

static int check_tree(const cJSON *it, int depth, char *err, size_t errlen)
{
	if (depth > CXM_JSON_MAX_DEPTH) {
		snprintf(err, errlen, _(MSG_JSON_TOO_DEEP), CXM_JSON_MAX_DEPTH);
		return -1;
	}
	for (; it; it = it->next) {
		/* a key given twice: cJSON keeps both, PostgreSQL's jsonb the
		 * last, readers the first; refuse it rather than guess */
		const char *dup = cJSON_IsObject(it) ? duplicate_key(it) : NULL;
		if (dup) {
			snprintf(err, errlen, _(MSG_JSON_DUP_KEY), dup);
			return -1;
		}
		if (cJSON_IsNumber(it)) {
			double v = it->valuedouble;
			if (!isfinite(v) || (v == floor(v) && fabs(v) >= 9007199254740992.0)) {
				snprintf(err, errlen, _(MSG_JSON_BIG_NUMBER),
					 it->string ? it->string : "");
				return -1;
			}
		}
		if (it->child && check_tree(it->child, depth + 1, err, errlen))
			return -1;
	}
	return 0;
}

static bool has_nul_escape(const char *s, size_t len)
{
	for (size_t i = 0; i + 5 < len; i++) {
		if (s[i] == '\\' && s[i + 1] == 'u' && s[i + 2] == '0' && s[i + 3] == '0' && s[i + 4] == '0' &&
		    s[i + 5] == '0') {
			/* an escaped backslash before it makes it plain text */
			size_t k = i, bs = 0;
			while (k > 0 && s[k - 1] == '\\') {
				k--;
				bs++;
			}
			if (bs % 2 == 0)
				return true;
		}
	}
	return false;
}

cJSON *cxm_json_parse(const char *text, size_t len, char *err, size_t errlen)
{
	const char *end = NULL;
	cJSON *root;

	init_hooks();
	if (!cxm_utf8_valid(text, len)) {
		snprintf(err, errlen, "%s", _(MSG_V_UTF8));
		return NULL;
	}
	if (has_nul_escape(text, len)) {
		snprintf(err, errlen, "%s", _(MSG_JSON_NUL));
		return NULL;
	}
	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!root) {
		size_t at = end && end >= text ? (size_t)(end - text) : 0;
		snprintf(err, errlen, _(MSG_JSON_MALFORMED), at + 1);
		return NULL;
	}
	while (end && (size_t)(end - text) < len && (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
		end++;
	if (end && (size_t)(end - text) < len) {
		snprintf(err, errlen, _(MSG_JSON_TRAILING), (size_t)(end - text) + 1);
		cJSON_Delete(root);
		return NULL;
	}
	if (check_tree(root, 0, err, errlen)) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

/* Stable merge sort of a sibling list by key. */
static cJSON *sort_list(cJSON *head)
{
	if (!head || !head->next)
		return head;
	cJSON *slow = head, *fast = head->next;
	while (fast && fast->next) {
		slow = slow->next;
		fast = fast->next->next;
	}
	cJSON *b = slow->next;
	slow->next = NULL;
	cJSON *a = sort_list(head);
	b = sort_list(b);
	cJSON out = { 0 }, *tail = &out;
	while (a && b) {
		if (strcmp(a->string, b->string) <= 0) {
			tail->next = a;
			a = a->next;
		} else {
			tail->next = b;
			b = b->next;
		}
		tail = tail->next;
	}
	tail->next = a ? a : b;
	return out.next;
}

void cxm_json_sort(cJSON *item)
{
	if (!item)
		return;
	if (cJSON_IsObject(item) && item->child) {
		item->child = sort_list(item->child);
		cJSON *prev = NULL;
		for (cJSON *c = item->child; c; c = c->next) {
			c->prev = prev;
			prev = c;
		}
		/* cJSON keeps the last element in child->prev */
		item->child->prev = prev;
	}
	for (cJSON *c = item->child; c; c = c->next)
		cxm_json_sort(c);
}

char *cxm_json_print(const cJSON *item)
{
	init_hooks();
	char *p = cJSON_PrintUnformatted(item);
	if (!p)
		BUG("cJSON_PrintUnformatted failed");
	return p;
}

char *cxm_json_canonical_object(const char *text, char *err, size_t errlen)
{
	if (!text || !*text)
		return xstrdup("{}");
	cJSON *root = cxm_json_parse(text, strlen(text), err, errlen);
	if (!root)
		return NULL;
	if (!cJSON_IsObject(root)) {
		snprintf(err, errlen, "%s", _(MSG_JSON_NOT_OBJECT));
		cJSON_Delete(root);
		return NULL;
	}
	cxm_json_sort(root);
	char *out = cxm_json_print(root);
	cJSON_Delete(root);
	return out;
}

cJSON *cxm_json_add_fixed(cJSON *object, const char *name, double v, int places)
{
	static const double scale[] = { 1, 10, 100, 1000, 10000 };
	char buf[32], *p = buf + sizeof(buf);

	if (places < 0 || places > 4)
		BUG("cxm_json_add_fixed: places out of 0-4");
	if (!isfinite(v) || fabs(v) >= 1e15)
		return cJSON_AddNumberToObject(object, name, v);
	long long k = llround(v * scale[places]);
	unsigned long long u = k < 0 ? 0ull - (unsigned long long)k : (unsigned long long)k;
	int frac = places;

	while (frac > 0 && u % 10 == 0) {
		u /= 10;
		frac--;
	}
	*--p = '\0';
	for (int i = 0; i < frac; i++, u /= 10)
		*--p = (char)('0' + u % 10);
	if (frac)
		*--p = '.';
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (k < 0)
		*--p = '-';
	init_hooks();
	return cJSON_AddRawToObject(object, name, p);
}
