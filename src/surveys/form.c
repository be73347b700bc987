/* form.c - the public survey page's form, decoded into answers (form.h). */
#include "cxm/form.h"
#include "cxm/core.h"

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

size_t cxm_form_decode(const char *s, size_t n, char *out)
{
	char *w = out;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			*w++ = ' ';
		} else if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			*w++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else {
			*w++ = s[i];
		}
	}
	*w = '\0';
	return (size_t)(w - out);
}

int cxm_form_parse(const char *body, size_t len, cxm_form_cb cb, void *ctx)
{
	const char *p = body, *end = body + len;
	int ret = 0;

	while (p < end && !ret) {
		const char *amp = memchr(p, '&', (size_t)(end - p)), *e = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(e - p));
		if (eq) {
			char *k = xmalloc((size_t)(eq - p) + 1), *v = xmalloc((size_t)(e - eq));
			cxm_form_decode(p, (size_t)(eq - p), k);
			cxm_form_decode(eq + 1, (size_t)(e - eq - 1), v);
			ret = cb(k, v, ctx);
			free(k);
			free(v);
		}
		p = amp ? amp + 1 : end;
	}
	return ret;
}

struct walk {
	const struct cxm_survey_def *d;
	struct cxm_form *f;
};

static int pair(const char *k, const char *v, void *ctx)
{
	struct walk *w = ctx;
	cJSON *posted = w->f->answers;
	const struct cxm_question *q = NULL;
	const char *qid = k + 2;

	if (!strcmp(k, "lang")) {
		if (strlen(v) < sizeof(w->f->lang))
			cxm_strlcpy(w->f->lang, v, sizeof(w->f->lang));
		return 0;
	}
	if (!strcmp(k, "n")) {
		if (strlen(v) < sizeof(w->f->nonce))
			cxm_strlcpy(w->f->nonce, v, sizeof(w->f->nonce));
		return 0;
	}
	if (strncmp(k, "q.", 2))
		return 0;
	for (size_t i = 0; i < w->d->nquestions && !q; i++)
		if (!strcmp(w->d->questions[i].id, qid))
			q = &w->d->questions[i];
	if (q && q->type == CXM_Q_MULTIPLE) {
		cJSON *arr = cJSON_GetObjectItemCaseSensitive(posted, qid);
		if (!arr)
			arr = cJSON_AddArrayToObject(posted, qid);
		if (cJSON_IsArray(arr))
			cJSON_AddItemToArray(arr, cJSON_CreateString(v));
		return 0;
	}
	if (cJSON_GetObjectItemCaseSensitive(posted, qid))
		return 0; /* the first value wins */
	if (!q) {
		/* unknown fields are left to the answer check */
		cJSON_AddStringToObject(posted, qid, v);
	} else if (q->type == CXM_Q_TEXT) {
		if (*v) /* an empty text is no answer */
			cJSON_AddStringToObject(posted, qid, v);
	} else if (q->type <= CXM_Q_RATING) {
		int64_t n;
		if (cxm_parse_i64(v, strlen(v), &n) || n < -1000000 || n > 1000000)
			cJSON_AddStringToObject(posted, qid, v);
		else
			cJSON_AddNumberToObject(posted, qid, (double)n);
	} else {
		cJSON_AddStringToObject(posted, qid, v);
	}
	return 0;
}

void cxm_form_answers(const struct cxm_survey_def *d, const cJSON *earlier, const char *body, size_t len,
		      struct cxm_form *out)
{
	struct walk w = { d, out };

	memset(out, 0, sizeof(*out));
	out->answers = cJSON_CreateObject();
	cxm_form_parse(body ? body : "", body ? len : 0, pair, &w);
	/* a score given just now opens its follow-ups: the response stays
	 * open until the page that asks them is sent */
	for (size_t i = 0; i < d->nquestions; i++) {
		const struct cxm_question *q = &d->questions[i];
		if (!q->show_if_question)
			continue;
		const cJSON *score = cJSON_GetObjectItemCaseSensitive(out->answers, q->show_if_question);
		bool had = earlier && cJSON_GetObjectItemCaseSensitive(earlier, q->show_if_question);
		if (cJSON_IsNumber(score) && !had && cxm_nps_category((int)score->valuedouble) == q->show_if_category &&
		    !cJSON_GetObjectItemCaseSensitive(out->answers, q->id))
			out->hold_open = true;
	}
}

void cxm_form_release(struct cxm_form *f)
{
	cJSON_Delete(f->answers);
	f->answers = NULL;
}
