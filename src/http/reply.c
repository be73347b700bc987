/* reply.c - answers: JSON, text, and RFC 9457 problem details. */
#include "http-internal.h"
#include "cxm/report.h"
#include "cxm/time.h"

void reply_json(struct req *r, int status, cJSON *body)
{
	char *text = cxm_json_print(body);

	cJSON_Delete(body);
	cxm_buf_clear(&r->out);
	cxm_buf_addstr(&r->out, text);
	free(text);
	r->status = status;
	r->content_type = "application/json";
}

void reply_text(struct req *r, int status, const char *content_type, const char *text, size_t len)
{
	cxm_buf_clear(&r->out);
	cxm_buf_add(&r->out, text, len);
	r->status = status;
	r->content_type = content_type;
}

void reply_empty(struct req *r, int status)
{
	cxm_buf_clear(&r->out);
	r->status = status;
	r->content_type = NULL;
}

cJSON *problem_new(struct req *r, int status, const char *slug, enum cxm_msg title, const char *detail)
{
	cJSON *p = cJSON_CreateObject();
	char type[96];

	snprintf(type, sizeof(type), "https://cxm.dev/problems/%s", slug);
	cJSON_AddStringToObject(p, "type", type);
	cJSON_AddStringToObject(p, "title", T(r, title));
	cJSON_AddNumberToObject(p, "status", status);
	if (detail && *detail)
		cJSON_AddStringToObject(p, "detail", detail);
	return p;
}

void problem_item(cJSON *p, long index, const char *field, const char *message)
{
	cJSON *errors = cJSON_GetObjectItemCaseSensitive(p, "errors");
	cJSON *e = cJSON_CreateObject();

	if (!errors)
		errors = cJSON_AddArrayToObject(p, "errors");
	if (index >= 0)
		cJSON_AddNumberToObject(e, "index", (double)index);
	if (field)
		cJSON_AddStringToObject(e, "field", field);
	cJSON_AddStringToObject(e, "message", message);
	cJSON_AddItemToArray(errors, e);
}

void reply_problem(struct req *r, cJSON *p)
{
	int status = cJSON_GetObjectItemCaseSensitive(p, "status")->valueint;

	reply_json(r, status, p);
	r->content_type = "application/problem+json";
}

void reply_error(struct req *r, int status, const char *slug, enum cxm_msg title, const char *detail)
{
	reply_problem(r, problem_new(r, status, slug, title, detail));
}

void reply_invalid(struct req *r, const char *field, const char *message)
{
	cJSON *p = problem_new(r, 422, "invalid", MSG_HTTP_INVALID, NULL);

	problem_item(p, -1, field, message);
	reply_problem(r, p);
}

void reply_store_error(struct req *r, int code, const char *message)
{
	switch (code) {
	case CXM_ENOTFOUND:
		reply_error(r, 404, "not-found", MSG_HTTP_NOT_FOUND, NULL);
		break;
	case CXM_EEXIST:
	case CXM_ECONFLICT:
		reply_error(r, 409, "conflict", MSG_HTTP_CONFLICT, message);
		break;
	case CXM_EINVAL:
		reply_error(r, 422, "invalid", MSG_HTTP_INVALID, message);
		break;
	case CXM_ETOOBIG:
		reply_error(r, 413, "too-large", MSG_HTTP_TOO_LARGE, message);
		break;
	case CXM_EBUSY:
	case CXM_EUNAVAIL:
		reply_error(r, 503, "unavailable", MSG_HTTP_UNAVAILABLE, message);
		req_add_header(r, "Retry-After", "1");
		break;
	default:
		/* the database said something unexpected: log it, don't show it */
		log_line(r->srv, "{\"event\":\"store_error\",\"code\":%d}", code);
		reply_error(r, 500, "internal", MSG_HTTP_INTERNAL, NULL);
	}
}

void reply_bad_query(struct req *r, const char *param, const char *message)
{
	cJSON *p = problem_new(r, 400, "bad-query", MSG_HTTP_BAD_QUERY, NULL);

	problem_item(p, -1, param, message);
	reply_problem(r, p);
}

int req_day_param(struct req *r, struct cxm_store *db, const char *name, int64_t dflt, int64_t *out)
{
	const char *v = req_query(r, name);

	*out = dflt;
	if (!v || !cxm_report_day(db, r->who.tenant, v, out))
		return 0;
	reply_bad_query(r, name, T(r, MSG_RP_WANT_DAY));
	return -1;
}

void json_add_words(cJSON *o, const char *name, const char *list)
{
	cJSON *a = cJSON_AddArrayToObject(o, name);
	char w[64];

	for (const char *t = list ? list : ""; *t;) {
		size_t n = strcspn(t, " ");
		if (n && n < sizeof(w)) {
			memcpy(w, t, n);
			w[n] = '\0';
			cJSON_AddItemToArray(a, cJSON_CreateString(w));
		}
		t += n;
		t += *t == ' ';
	}
}

int req_day_range(struct req *r, struct cxm_store *db, int64_t dflt_days, int64_t max_days, int64_t *from,
		  int64_t *to)
{
	int64_t today;
	int ret = cxm_store_tenant_day(db, r->who.tenant, cxm_now_us(), &today);
	char msg[160];

	if (ret) {
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return -1;
	}
	if (req_day_param(r, db, "to", today + 1, to) || req_day_param(r, db, "from", *to - dflt_days, from))
		return -1;
	if (*from >= *to) {
		reply_bad_query(r, "to", T(r, MSG_RP_INVERTED));
		return -1;
	}
	if (*to - *from > max_days) {
		snprintf(msg, sizeof(msg), T(r, MSG_RP_TOO_LONG), (int)max_days);
		reply_bad_query(r, "from", msg);
		return -1;
	}
	return 0;
}

void html_escape(struct cxm_buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': cxm_buf_addstr(b, "&lt;"); break;
		case '>': cxm_buf_addstr(b, "&gt;"); break;
		case '&': cxm_buf_addstr(b, "&amp;"); break;
		case '"': cxm_buf_addstr(b, "&quot;"); break;
		case '\'': cxm_buf_addstr(b, "&#39;"); break;
		default: cxm_buf_addch(b, *s);
		}
	}
}

void reply_batch_refused(struct req *r, cJSON *problem, size_t nbad)
{
	char detail[128];

	snprintf(detail, sizeof(detail), T(r, MSG_HTTP_BAD_ITEMS), nbad);
	cJSON_DeleteItemFromObjectCaseSensitive(problem, "detail");
	cJSON_AddStringToObject(problem, "detail", detail);
	reply_problem(r, problem);
}

void reply_batch_accepted(struct req *r, cJSON *answer, cJSON *problem, bool partial, size_t nbad)
{
	if (partial) {
		cJSON *errors = cJSON_DetachItemFromObjectCaseSensitive(problem, "errors");
		cJSON_AddNumberToObject(answer, "rejected", (double)nbad);
		cJSON_AddItemToObject(answer, "errors", errors ? errors : cJSON_CreateArray());
	}
	cJSON_Delete(problem);
	reply_json(r, 202, answer);
}
