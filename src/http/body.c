/*
 * body.c - reading request bodies and query strings under the server's
 * limits: content type, size (checked while reading, in server.c), JSON
 * syntax with the position of an error, nesting depth, string length,
 * items per batch, unknown keys.
 */
#include "http-internal.h"
#include "cxm/customers.h"
#include "cxm/time.h"

#include <strings.h>

/* true when the Content-Type's media type is `want` (parameters ignored). */
static bool media_type_is(const char *ct, const char *want)
{
	size_t n = strlen(want);

	while (ct && *ct == ' ')
		ct++;
	return ct && !strncasecmp(ct, want, n) && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* it and its siblings sit inside depth - 1 containers */
static int limits_walk(const cJSON *it, int depth, int max_depth, size_t max_string, char *why, size_t whylen)
{
	for (; it; it = it->next) {
		if ((cJSON_IsObject(it) || cJSON_IsArray(it)) && depth > max_depth) {
			snprintf(why, whylen, _(MSG_JSON_TOO_DEEP), max_depth);
			return -1;
		}
		if ((it->string && strlen(it->string) > max_string) ||
		    (cJSON_IsString(it) && strlen(it->valuestring) > max_string)) {
			snprintf(why, whylen, _(MSG_HTTP_STRING_LIMIT), max_string);
			return -1;
		}
		if (it->child && limits_walk(it->child, depth + 1, max_depth, max_string, why, whylen))
			return -1;
	}
	return 0;
}

int json_limits(const cJSON *root, int max_depth, size_t max_string, char *why, size_t whylen)
{
	return limits_walk(root, 1, max_depth, max_string, why, whylen);
}

static cJSON *parse_one(struct req *r, const char *text, size_t len, long line)
{
	char why[256], detail[300];
	cJSON *root = cxm_json_parse(text, len, why, sizeof(why));

	if (!root) {
		if (line > 0)
			snprintf(detail, sizeof(detail), T(r, MSG_HTTP_AT_LINE), line, why);
		else
			cxm_strlcpy(detail, why, sizeof(detail));
		reply_error(r, 400, "malformed-json", MSG_HTTP_MALFORMED, detail);
		return NULL;
	}
	if (json_limits(root, r->srv->o.max_depth, r->srv->o.max_string, why, sizeof(why))) {
		cJSON_Delete(root);
		if (line > 0)
			snprintf(detail, sizeof(detail), T(r, MSG_HTTP_AT_LINE), line, why);
		else
			cxm_strlcpy(detail, why, sizeof(detail));
		reply_error(r, 413, "too-large", MSG_HTTP_TOO_LARGE, detail);
		return NULL;
	}
	return root;
}

cJSON *body_json(struct req *r)
{
	if (!media_type_is(req_header(r, MHD_HTTP_HEADER_CONTENT_TYPE), "application/json")) {
		reply_error(r, 415, "media-type", MSG_HTTP_MEDIA_TYPE, T(r, MSG_HTTP_WANT_JSON));
		return NULL;
	}
	r->json = parse_one(r, r->body.p ? r->body.p : "", r->body.len, 0);
	return r->json;
}

static int too_many(struct req *r)
{
	char detail[128];

	snprintf(detail, sizeof(detail), T(r, MSG_HTTP_BATCH_LIMIT), r->srv->o.max_batch);
	reply_error(r, 413, "too-large", MSG_HTTP_TOO_LARGE, detail);
	return -1;
}

int body_items_parse(struct req *r, bool ndjson, cJSON ***items, size_t *n)
{
	size_t count = 0;

	if (ndjson) {
		const char *p = r->body.p ? r->body.p : "", *end = p + r->body.len;
		long line = 0;
		r->json = cJSON_CreateArray();
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *e = nl ? nl : end;
			size_t len = (size_t)(e - p);
			line++;
			if (len && p[len - 1] == '\r')
				len--;
			bool blank = true;
			for (size_t i = 0; i < len && blank; i++)
				blank = p[i] == ' ' || p[i] == '\t';
			if (!blank) {
				cJSON *it;
				if (++count > r->srv->o.max_batch)
					return too_many(r);
				if (!(it = parse_one(r, p, len, line)))
					return -1;
				cJSON_AddItemToArray(r->json, it);
			}
			p = nl ? nl + 1 : end;
		}
	} else {
		r->json = parse_one(r, r->body.p ? r->body.p : "", r->body.len, 0);
		if (!r->json)
			return -1;
		if (cJSON_IsArray(r->json)) {
			count = (size_t)cJSON_GetArraySize(r->json);
			if (count > r->srv->o.max_batch)
				return too_many(r);
		} else {
			cJSON *arr = cJSON_CreateArray();
			cJSON_AddItemToArray(arr, r->json);
			r->json = arr;
			count = 1;
		}
	}
	if (count == 0) {
		reply_error(r, 422, "invalid", MSG_HTTP_INVALID, T(r, MSG_HTTP_EMPTY_BATCH));
		return -1;
	}
	*items = cxm_arena_alloc(&r->arena, count * sizeof(**items));
	*n = 0;
	for (cJSON *it = r->json->child; it; it = it->next)
		(*items)[(*n)++] = it;
	return 0;
}

int body_items(struct req *r, cJSON ***items, size_t *n)
{
	const char *ct = req_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);

	if (media_type_is(ct, "application/x-ndjson"))
		return body_items_parse(r, true, items, n);
	if (media_type_is(ct, "application/json"))
		return body_items_parse(r, false, items, n);
	reply_error(r, 415, "media-type", MSG_HTTP_MEDIA_TYPE, T(r, MSG_HTTP_WANT_JSON_OR_NDJSON));
	return -1;
}

int check_keys(const cJSON *obj, const char *const *allowed, cJSON *problem, long index)
{
	int unknown = 0;

	for (const cJSON *it = obj->child; it; it = it->next) {
		bool ok = false;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = !strcmp(*a, it->string);
		if (!ok) {
			char msg[160];
			snprintf(msg, sizeof(msg), _(MSG_HTTP_UNKNOWN_FIELD), it->string);
			problem_item(problem, index, it->string, msg);
			unknown++;
		}
	}
	return unknown;
}

int parse_id(const char *s, int64_t *out)
{
	if (!s || !*s || cxm_parse_i64(s, strlen(s), out) || *out <= 0)
		return CXM_EINVAL;
	return 0;
}

int query_limit(struct req *r, int dflt, int max)
{
	const char *v = req_query(r, "limit");
	int64_t n;

	if (!v)
		return dflt;
	if (cxm_parse_i64(v, strlen(v), &n) || n < 1 || n > max) {
		char msg[128];
		snprintf(msg, sizeof(msg), T(r, MSG_HTTP_BAD_LIMIT), max);
		reply_bad_query(r, "limit", msg);
		return -1;
	}
	return (int)n;
}

int query_time(struct req *r, const char *name, int64_t dflt, int64_t *out)
{
	const char *v = req_query(r, name);

	*out = dflt;
	if (v && cxm_time_parse(v, strlen(v), out)) {
		reply_bad_query(r, name, T(r, MSG_HTTP_WANT_TIME));
		return -1;
	}
	return 0;
}

const char *item_str(struct req *r, const cJSON *o, const char *k, cJSON *problem, long idx, bool *bad)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!v || cJSON_IsNull(v))
		return NULL;
	if (!cJSON_IsString(v)) {
		problem_item(problem, idx, k, T(r, MSG_HTTP_WANT_STRING));
		*bad = true;
		return NULL;
	}
	return v->valuestring;
}

void item_error(cJSON *problem, long idx, const char *field, const char *msg, bool *bad)
{
	problem_item(problem, idx, field, msg);
	*bad = true;
}

const char *item_text(struct req *r, const cJSON *o, const char *k, size_t max, cJSON *problem, long idx, bool *bad)
{
	const char *s = item_str(r, o, k, problem, idx, bad);
	char why[200];

	if (s && cxm_text_check(s, max, why, sizeof(why))) {
		item_error(problem, idx, k, why, bad);
		return NULL;
	}
	return s;
}

int query_cursor2(struct req *r, int64_t *a, int64_t *b)
{
	const char *cursor = req_query(r, "cursor"), *dot;

	if (!cursor)
		return 0;
	dot = strchr(cursor, '.');
	if (!dot || cxm_parse_i64(cursor, (size_t)(dot - cursor), a) || cxm_parse_i64(dot + 1, strlen(dot + 1), b)) {
		reply_bad_query(r, "cursor", T(r, MSG_HTTP_BAD_CURSOR));
		return -1;
	}
	return 0;
}

void add_cursor2(cJSON *o, int64_t a, int64_t b)
{
	char c[48];

	snprintf(c, sizeof(c), "%lld.%lld", (long long)a, (long long)b);
	cJSON_AddStringToObject(o, "next_cursor", c);
}
