/* surveys.c - checking survey definitions and answers (surveys.h). */
#include "cxm/surveys.h"
#include "cxm/check.h"
#include "cxm/core.h"
#include "cxm/customers.h"
#include "cxm/i18n.h"

#include <ctype.h>
#include <math.h>

static const char *const type_names[] = { "nps", "csat", "ces", "rating", "single_choice", "multiple_choice",
					  "text" };

static bool id_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > CXM_QUESTION_ID_MAX || !islower((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

/* A text in every language of the survey: {"es": "...", "en": "..."}. */
static int check_text(const cJSON *t, const struct cxm_survey_def *d, const char *where, struct cxm_err *e)
{
	char f[128], why[160];

	if (!cJSON_IsObject(t))
		return cxm_fail(e, where, "%s", _(MSG_SV_WANT_OBJECT));
	for (size_t i = 0; i < d->nlanguages; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(t, d->languages[i]);
		snprintf(f, sizeof(f), "%s.%s", where, d->languages[i]);
		if (!cJSON_IsString(v) || !*v->valuestring)
			return cxm_fail(e, where, _(MSG_SV_MISSING_TEXT), d->languages[i]);
		if (strlen(v->valuestring) > CXM_SURVEY_TEXT_MAX)
			return cxm_fail(e, f, _(MSG_SV_TOO_LONG), CXM_SURVEY_TEXT_MAX);
		if (cxm_text_check(v->valuestring, CXM_SURVEY_TEXT_MAX, why, sizeof(why)))
			return cxm_fail(e, f, "%s", why);
	}
	for (const cJSON *it = t->child; it; it = it->next) {
		bool known = false;
		for (size_t i = 0; i < d->nlanguages && !known; i++)
			known = !strcmp(it->string, d->languages[i]);
		if (!known) {
			snprintf(f, sizeof(f), "%s.%s", where, it->string);
			return cxm_fail(e, f, _(MSG_SV_UNKNOWN_KEY), it->string);
		}
	}
	return 0;
}

static int int_field(const cJSON *q, const char *k, int dflt, int *out, const char *where, struct cxm_err *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(q, k);
	char f[96];

	*out = dflt;
	if (!v)
		return 0;
	snprintf(f, sizeof(f), "%s.%s", where, k);
	if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || fabs(v->valuedouble) > 1e6)
		return cxm_fail(e, f, "%s", _(MSG_SV_WANT_INT));
	*out = (int)v->valuedouble;
	return 0;
}

static enum cxm_nps_category category_of(const char *s)
{
	if (!strcmp(s, "detractor"))
		return CXM_NPS_DETRACTOR;
	if (!strcmp(s, "passive"))
		return CXM_NPS_PASSIVE;
	if (!strcmp(s, "promoter"))
		return CXM_NPS_PROMOTER;
	return CXM_NPS_NONE;
}

static int check_question(const cJSON *qj, size_t idx, struct cxm_survey_def *d, struct cxm_err *e)
{
	static const char *const keys[] = { "id",	"type",	   "text",    "labels", "required", "min",
					    "max",	"options", "show_if", "max_length", NULL };
	struct cxm_question *q = &d->questions[idx];
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(qj, "id"), *type = cJSON_GetObjectItemCaseSensitive(qj, "type");
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(qj, "required");
	char where[64], f[128];
	int ret;

	snprintf(where, sizeof(where), "questions[%zu]", idx);
	if (!cJSON_IsObject(qj))
		return cxm_fail(e, where, "%s", _(MSG_SV_WANT_OBJECT));
	if ((ret = cxm_only_keys(qj, keys, where, MSG_SV_UNKNOWN_KEY, e)))
		return ret;
	snprintf(f, sizeof(f), "%s.id", where);
	if (!cJSON_IsString(id))
		return cxm_fail(e, f, "%s", _(MSG_SV_REQUIRED));
	if (!id_ok(id->valuestring))
		return cxm_fail(e, f, _(MSG_SV_BAD_ID), id->valuestring);
	for (size_t i = 0; i < idx; i++)
		if (!strcmp(d->questions[i].id, id->valuestring))
			return cxm_fail(e, f, _(MSG_SV_DUP_ID), id->valuestring);
	q->id = id->valuestring;
	snprintf(f, sizeof(f), "%s.type", where);
	if (!cJSON_IsString(type))
		return cxm_fail(e, f, "%s", _(MSG_SV_REQUIRED));
	size_t t = 0;
	while (t < ARRAY_SIZE(type_names) && strcmp(type_names[t], type->valuestring))
		t++;
	if (t == ARRAY_SIZE(type_names))
		return cxm_fail(e, f, _(MSG_SV_BAD_TYPE), type->valuestring);
	q->type = (enum cxm_question_type)t;
	snprintf(f, sizeof(f), "%s.text", where);
	if ((ret = check_text(cJSON_GetObjectItemCaseSensitive(qj, "text"), d, f, e)))
		return ret;
	if (req && !cJSON_IsBool(req)) {
		snprintf(f, sizeof(f), "%s.required", where);
		return cxm_fail(e, f, "%s", _(MSG_SV_WANT_BOOL));
	}
	q->required = cJSON_IsTrue(req);

	/* score ranges: fixed for the standard scales, chosen for ratings */
	switch (q->type) {
	case CXM_Q_NPS:
		q->min = 0, q->max = 10;
		break;
	case CXM_Q_CSAT:
		q->min = 1, q->max = 5;
		break;
	case CXM_Q_CES:
		q->min = 1, q->max = 7;
		break;
	case CXM_Q_RATING:
		if ((ret = int_field(qj, "min", 1, &q->min, where, e)) || (ret = int_field(qj, "max", 5, &q->max, where, e)))
			return ret;
		if (q->min >= q->max || q->min < 0 || q->max > 100)
			return cxm_fail(e, where, "%s", _(MSG_SV_BAD_RANGE));
		break;
	default:
		break;
	}
	if (q->type != CXM_Q_RATING && (cJSON_GetObjectItemCaseSensitive(qj, "min") || cJSON_GetObjectItemCaseSensitive(qj, "max"))) {
		snprintf(f, sizeof(f), "%s.min", where);
		return cxm_fail(e, f, _(MSG_SV_UNKNOWN_KEY), "min");
	}
	/* end labels of a scale */
	const cJSON *labels = cJSON_GetObjectItemCaseSensitive(qj, "labels");
	if (labels) {
		static const char *const lk[] = { "low", "high", NULL };
		snprintf(f, sizeof(f), "%s.labels", where);
		if (q->type > CXM_Q_RATING)
			return cxm_fail(e, f, _(MSG_SV_UNKNOWN_KEY), "labels");
		if (!cJSON_IsObject(labels))
			return cxm_fail(e, f, "%s", _(MSG_SV_WANT_OBJECT));
		if ((ret = cxm_only_keys(labels, lk, f, MSG_SV_UNKNOWN_KEY, e)))
			return ret;
		for (const cJSON *l = labels->child; l; l = l->next) {
			char lf[160];
			snprintf(lf, sizeof(lf), "%s.%s", f, l->string);
			if ((ret = check_text(l, d, lf, e)))
				return ret;
		}
	}
	/* options of choice questions */
	const cJSON *opts = cJSON_GetObjectItemCaseSensitive(qj, "options");
	snprintf(f, sizeof(f), "%s.options", where);
	if (q->type == CXM_Q_SINGLE || q->type == CXM_Q_MULTIPLE) {
		int n = cJSON_GetArraySize(opts);
		if (!cJSON_IsArray(opts) || n == 0)
			return cxm_fail(e, f, "%s", _(MSG_SV_WANT_ARRAY));
		if (n > CXM_SURVEY_MAX_OPTIONS)
			return cxm_fail(e, f, _(MSG_SV_TOO_MANY), CXM_SURVEY_MAX_OPTIONS);
		int k = 0;
		for (const cJSON *o = opts->child; o; o = o->next, k++) {
			static const char *const ok[] = { "id", "text", NULL };
			const cJSON *oid = cJSON_GetObjectItemCaseSensitive(o, "id");
			char of[160];
			snprintf(of, sizeof(of), "%s[%d]", f, k);
			if (!cJSON_IsObject(o))
				return cxm_fail(e, of, "%s", _(MSG_SV_WANT_OBJECT));
			if ((ret = cxm_only_keys(o, ok, of, MSG_SV_UNKNOWN_KEY, e)))
				return ret;
			if (!cJSON_IsString(oid) || !id_ok(oid->valuestring))
				return cxm_fail(e, of, _(MSG_SV_BAD_ID), cJSON_IsString(oid) ? oid->valuestring : "");
			for (const cJSON *p = opts->child; p != o; p = p->next)
				if (!strcmp(cJSON_GetObjectItemCaseSensitive(p, "id")->valuestring, oid->valuestring))
					return cxm_fail(e, of, _(MSG_SV_DUP_ID), oid->valuestring);
			snprintf(of, sizeof(of), "%s[%d].text", f, k);
			if ((ret = check_text(cJSON_GetObjectItemCaseSensitive(o, "text"), d, of, e)))
				return ret;
		}
		q->options = opts;
	} else if (opts) {
		return cxm_fail(e, f, _(MSG_SV_UNKNOWN_KEY), "options");
	}
	/* free text */
	if ((ret = int_field(qj, "max_length", CXM_ANSWER_TEXT_DEFAULT, &q->max_length, where, e)))
		return ret;
	if (q->type != CXM_Q_TEXT && cJSON_GetObjectItemCaseSensitive(qj, "max_length")) {
		snprintf(f, sizeof(f), "%s.max_length", where);
		return cxm_fail(e, f, _(MSG_SV_UNKNOWN_KEY), "max_length");
	}
	if (q->max_length < 1 || q->max_length > CXM_ANSWER_TEXT_MAX) {
		snprintf(f, sizeof(f), "%s.max_length", where);
		return cxm_fail(e, f, _(MSG_SV_OUT_OF_RANGE), 1, CXM_ANSWER_TEXT_MAX);
	}
	/* follow-ups by NPS category of an earlier nps question */
	const cJSON *si = cJSON_GetObjectItemCaseSensitive(qj, "show_if");
	if (si) {
		const cJSON *sq = cJSON_GetObjectItemCaseSensitive(si, "question");
		const cJSON *sc = cJSON_GetObjectItemCaseSensitive(si, "category");
		bool ok = cJSON_IsObject(si) && cJSON_GetArraySize(si) == 2 && cJSON_IsString(sq) && cJSON_IsString(sc) &&
			  category_of(sc->valuestring) != CXM_NPS_NONE;
		size_t i = 0;
		while (ok && i < idx && strcmp(d->questions[i].id, sq->valuestring))
			i++;
		snprintf(f, sizeof(f), "%s.show_if", where);
		if (!ok || i == idx || d->questions[i].type != CXM_Q_NPS)
			return cxm_fail(e, f, "%s", _(MSG_SV_BAD_SHOW_IF));
		q->show_if_question = sq->valuestring;
		q->show_if_category = category_of(sc->valuestring);
	}
	return 0;
}

int cxm_survey_check(const cJSON *def, struct cxm_survey_def *d, char *field, size_t fieldlen, char *why,
		     size_t whylen)
{
	static const char *const keys[] = { "name", "languages", "questions", "anonymous", NULL };
	struct cxm_err e = { field, fieldlen, why, whylen };
	const cJSON *name, *langs, *qs, *anon;
	char norm[16], lwhy[160];
	int ret;

	memset(d, 0, sizeof(*d));
	if (!cJSON_IsObject(def))
		return cxm_fail(&e, "", "%s", _(MSG_SV_WANT_OBJECT));
	if ((ret = cxm_only_keys(def, keys, "", MSG_SV_UNKNOWN_KEY, &e)))
		return ret;
	name = cJSON_GetObjectItemCaseSensitive(def, "name");
	if (!cJSON_IsString(name) || !*name->valuestring)
		return cxm_fail(&e, "name", "%s", _(MSG_SV_REQUIRED));
	if (cxm_text_check(name->valuestring, CXM_SURVEY_NAME_MAX, lwhy, sizeof(lwhy)))
		return cxm_fail(&e, "name", "%s", lwhy);
	d->name = name->valuestring;
	anon = cJSON_GetObjectItemCaseSensitive(def, "anonymous");
	if (anon && !cJSON_IsBool(anon))
		return cxm_fail(&e, "anonymous", "%s", _(MSG_SV_WANT_BOOL));
	d->anonymous = cJSON_IsTrue(anon);
	langs = cJSON_GetObjectItemCaseSensitive(def, "languages");
	if (!cJSON_IsArray(langs) || cJSON_GetArraySize(langs) == 0)
		return cxm_fail(&e, "languages", "%s", _(MSG_SV_WANT_ARRAY));
	if (cJSON_GetArraySize(langs) > CXM_SURVEY_MAX_LANGUAGES)
		return cxm_fail(&e, "languages", _(MSG_SV_TOO_MANY), CXM_SURVEY_MAX_LANGUAGES);
	for (const cJSON *l = langs->child; l; l = l->next) {
		if (!cJSON_IsString(l) || cxm_language_normalize(l->valuestring, norm, sizeof(norm), lwhy, sizeof(lwhy)) ||
		    strcmp(norm, l->valuestring))
			return cxm_fail(&e, "languages", _(MSG_SV_BAD_LANGUAGE), cJSON_IsString(l) ? l->valuestring : "");
		for (size_t i = 0; i < d->nlanguages; i++)
			if (!strcmp(d->languages[i], l->valuestring))
				return cxm_fail(&e, "languages", _(MSG_SV_DUP_ID), l->valuestring);
		d->languages[d->nlanguages++] = l->valuestring;
	}
	qs = cJSON_GetObjectItemCaseSensitive(def, "questions");
	if (!cJSON_IsArray(qs) || cJSON_GetArraySize(qs) == 0)
		return cxm_fail(&e, "questions", "%s", _(MSG_SV_WANT_ARRAY));
	if (cJSON_GetArraySize(qs) > CXM_SURVEY_MAX_QUESTIONS)
		return cxm_fail(&e, "questions", _(MSG_SV_TOO_MANY), CXM_SURVEY_MAX_QUESTIONS);
	for (const cJSON *q = qs->child; q; q = q->next) {
		if ((ret = check_question(q, d->nquestions, d, &e)))
			return ret;
		d->nquestions++;
	}
	return 0;
}

enum cxm_nps_category cxm_nps_category(int score)
{
	if (score < 0 || score > 10)
		return CXM_NPS_NONE;
	return score <= 6 ? CXM_NPS_DETRACTOR : score <= 8 ? CXM_NPS_PASSIVE : CXM_NPS_PROMOTER;
}

const char *cxm_nps_category_name(enum cxm_nps_category c)
{
	static const char *const names[] = { "", "detractor", "passive", "promoter" };
	return names[c];
}

int cxm_survey_status_check(const char *status)
{
	return status && (!strcmp(status, "draft") || !strcmp(status, "live") || !strcmp(status, "closed"))
		       ? 0
		       : CXM_EINVAL;
}

static const struct cxm_question *question(const struct cxm_survey_def *d, const char *id)
{
	for (size_t i = 0; i < d->nquestions; i++)
		if (!strcmp(d->questions[i].id, id))
			return &d->questions[i];
	return NULL;
}

static bool has_option(const struct cxm_question *q, const char *id)
{
	for (const cJSON *o = q->options->child; o; o = o->next)
		if (!strcmp(cJSON_GetObjectItemCaseSensitive(o, "id")->valuestring, id))
			return true;
	return false;
}

/* Whether a follow-up applies, given the answers so far (-1: not answered). */
static int applies(const struct cxm_survey_def *d, const struct cxm_question *q, const cJSON *answers)
{
	const cJSON *a;

	if (!q->show_if_question)
		return 1;
	a = cJSON_GetObjectItemCaseSensitive(answers, q->show_if_question);
	if (!cJSON_IsNumber(a))
		return -1;
	(void)d;
	return cxm_nps_category((int)a->valuedouble) == q->show_if_category;
}

int cxm_survey_check_answers(const struct cxm_survey_def *d, const cJSON *answers, struct cxm_answer_summary *sum,
			     char *field, size_t fieldlen, char *why, size_t whylen)
{
	struct cxm_err e = { field, fieldlen, why, whylen };
	char f[96];

	sum->nps = sum->csat = sum->ces = -1;
	sum->complete = true;
	if (!cJSON_IsObject(answers))
		return cxm_fail(&e, "answers", "%s", _(MSG_SV_WANT_OBJECT));
	for (const cJSON *a = answers->child; a; a = a->next) {
		const struct cxm_question *q = question(d, a->string);
		snprintf(f, sizeof(f), "answers.%s", a->string);
		if (!q)
			return cxm_fail(&e, f, _(MSG_SV_NO_QUESTION), a->string);
		if (applies(d, q, answers) == 0)
			return cxm_fail(&e, f, _(MSG_SV_NOT_ASKED), cxm_nps_category_name(q->show_if_category));
		switch (q->type) {
		case CXM_Q_NPS:
		case CXM_Q_CSAT:
		case CXM_Q_CES:
		case CXM_Q_RATING:
			if (!cJSON_IsNumber(a) || a->valuedouble != floor(a->valuedouble) || a->valuedouble < q->min ||
			    a->valuedouble > q->max)
				return cxm_fail(&e, f, _(MSG_SV_OUT_OF_RANGE), q->min, q->max);
			if (q->type == CXM_Q_NPS && sum->nps < 0)
				sum->nps = (int)a->valuedouble;
			else if (q->type == CXM_Q_CSAT && sum->csat < 0)
				sum->csat = (int)a->valuedouble;
			else if (q->type == CXM_Q_CES && sum->ces < 0)
				sum->ces = (int)a->valuedouble;
			break;
		case CXM_Q_SINGLE:
			if (!cJSON_IsString(a))
				return cxm_fail(&e, f, "%s", _(MSG_SV_WANT_STRING));
			if (!has_option(q, a->valuestring))
				return cxm_fail(&e, f, _(MSG_SV_NO_OPTION), a->valuestring);
			break;
		case CXM_Q_MULTIPLE:
			if (!cJSON_IsArray(a))
				return cxm_fail(&e, f, "%s", _(MSG_SV_WANT_ARRAY));
			for (const cJSON *o = a->child; o; o = o->next) {
				if (!cJSON_IsString(o))
					return cxm_fail(&e, f, "%s", _(MSG_SV_WANT_STRING));
				if (!has_option(q, o->valuestring))
					return cxm_fail(&e, f, _(MSG_SV_NO_OPTION), o->valuestring);
				for (const cJSON *p = a->child; p != o; p = p->next)
					if (!strcmp(p->valuestring, o->valuestring))
						return cxm_fail(&e, f, _(MSG_SV_DUP_ID), o->valuestring);
			}
			break;
		case CXM_Q_TEXT:
			if (!cJSON_IsString(a))
				return cxm_fail(&e, f, "%s", _(MSG_SV_WANT_STRING));
			if (strlen(a->valuestring) > (size_t)q->max_length)
				return cxm_fail(&e, f, _(MSG_SV_TEXT_LIMIT), q->max_length);
			/* line breaks are allowed in comments; other controls are not */
			for (const char *c = a->valuestring; *c; c++)
				if ((unsigned char)*c < 0x20 && *c != '\n' && *c != '\r' && *c != '\t')
					return cxm_fail(&e, f, "%s", _(MSG_V_CONTROL));
			if (!cxm_utf8_valid(a->valuestring, strlen(a->valuestring)))
				return cxm_fail(&e, f, "%s", _(MSG_V_UTF8));
			break;
		}
	}
	for (size_t i = 0; i < d->nquestions; i++) {
		const struct cxm_question *q = &d->questions[i];
		if (q->required && applies(d, q, answers) != 0 && !cJSON_GetObjectItemCaseSensitive(answers, q->id))
			sum->complete = false;
	}
	return 0;
}

/* ---- the default NPS survey ---------------------------------------------- */

/* {"es": ..., "en": ...} from a catalogue entry */
static cJSON *both(enum cxm_msg id)
{
	cJSON *t = cJSON_CreateObject();

	cJSON_AddStringToObject(t, "es", cxm_msg_in(id, CXM_LANG_ES));
	cJSON_AddStringToObject(t, "en", cxm_msg_in(id, CXM_LANG_EN));
	return t;
}

static void follow_up(cJSON *qs, const char *id, const char *category, enum cxm_msg text)
{
	cJSON *q = cJSON_CreateObject(), *si = cJSON_CreateObject();

	cJSON_AddStringToObject(q, "id", id);
	cJSON_AddStringToObject(q, "type", "text");
	cJSON_AddStringToObject(si, "question", "nps");
	cJSON_AddStringToObject(si, "category", category);
	cJSON_AddItemToObject(q, "show_if", si);
	cJSON_AddItemToObject(q, "text", both(text));
	cJSON_AddItemToArray(qs, q);
}

cJSON *cxm_survey_default_nps(void)
{
	cJSON *def = cJSON_CreateObject(), *langs = cJSON_AddArrayToObject(def, "languages");
	cJSON *qs, *q = cJSON_CreateObject(), *labels = cJSON_CreateObject();

	cJSON_AddStringToObject(def, "name", cxm_msg_in(MSG_SV_DEFAULT_NAME, CXM_LANG_EN));
	cJSON_AddItemToArray(langs, cJSON_CreateString("es"));
	cJSON_AddItemToArray(langs, cJSON_CreateString("en"));
	qs = cJSON_AddArrayToObject(def, "questions");
	cJSON_AddStringToObject(q, "id", "nps");
	cJSON_AddStringToObject(q, "type", "nps");
	cJSON_AddBoolToObject(q, "required", 1);
	cJSON_AddItemToObject(q, "text", both(MSG_SV_DEFAULT_NPS_Q));
	cJSON_AddItemToObject(labels, "low", both(MSG_SV_DEFAULT_NPS_LOW));
	cJSON_AddItemToObject(labels, "high", both(MSG_SV_DEFAULT_NPS_HIGH));
	cJSON_AddItemToObject(q, "labels", labels);
	cJSON_AddItemToArray(qs, q);
	follow_up(qs, "what_went_wrong", "detractor", MSG_SV_DEFAULT_DETRACTOR_Q);
	follow_up(qs, "what_to_improve", "passive", MSG_SV_DEFAULT_PASSIVE_Q);
	follow_up(qs, "what_you_liked", "promoter", MSG_SV_DEFAULT_PROMOTER_Q);
	return def;
}

/* ---- contact fatigue ---------------------------------------------------------- */

int cxm_survey_settings_check(const cJSON *o, char *field, size_t fieldlen, char *why, size_t whylen)
{
	static const char *const keys[] = { "fatigue_days", "exclude", NULL };
	struct cxm_err e = { field, fieldlen, why, whylen };
	const cJSON *days, *ex;
	int ret, k = 0;

	if (!cJSON_IsObject(o))
		return cxm_fail(&e, "", "%s", _(MSG_SV_WANT_OBJECT));
	if ((ret = cxm_only_keys(o, keys, "", MSG_SV_UNKNOWN_KEY, &e)))
		return ret;
	days = cJSON_GetObjectItemCaseSensitive(o, "fatigue_days");
	if (days && (!cJSON_IsNumber(days) || days->valuedouble != floor(days->valuedouble) || days->valuedouble < 0 ||
		     days->valuedouble > 365))
		return cxm_fail(&e, "fatigue_days", _(MSG_SV_OUT_OF_RANGE), 0, 365);
	ex = cJSON_GetObjectItemCaseSensitive(o, "exclude");
	if (!ex)
		return 0;
	if (!cJSON_IsArray(ex))
		return cxm_fail(&e, "exclude", "%s", _(MSG_SV_WANT_ARRAY));
	if (cJSON_GetArraySize(ex) > 100)
		return cxm_fail(&e, "exclude", _(MSG_SV_TOO_MANY), 100);
	for (const cJSON *it = ex->child; it; it = it->next, k++) {
		static const char *const ik[] = { "attribute", "value", NULL };
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(it, "attribute");
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, "value");
		char f[48];
		snprintf(f, sizeof(f), "exclude[%d]", k);
		if (!cJSON_IsObject(it))
			return cxm_fail(&e, f, "%s", _(MSG_SV_WANT_OBJECT));
		if ((ret = cxm_only_keys(it, ik, f, MSG_SV_UNKNOWN_KEY, &e)))
			return ret;
		if (!cJSON_IsString(a) || !*a->valuestring || strlen(a->valuestring) > 64 || !cJSON_IsString(v) ||
		    strlen(v->valuestring) > 200)
			return cxm_fail(&e, f, "%s", _(MSG_SV_BAD_EXCLUDE));
	}
	return 0;
}

cJSON *cxm_survey_settings(const char *stored)
{
	cJSON *o = stored ? cJSON_Parse(stored) : NULL;

	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		o = cJSON_CreateObject();
	}
	if (!cJSON_GetObjectItemCaseSensitive(o, "fatigue_days"))
		cJSON_AddNumberToObject(o, "fatigue_days", CXM_FATIGUE_DAYS_DEFAULT);
	if (!cJSON_GetObjectItemCaseSensitive(o, "exclude"))
		cJSON_AddArrayToObject(o, "exclude");
	return o;
}

bool cxm_survey_excluded(const cJSON *settings, const char *attributes, char *which, size_t whichlen)
{
	const cJSON *ex = cJSON_GetObjectItemCaseSensitive(settings, "exclude");
	cJSON *attrs = attributes ? cJSON_Parse(attributes) : NULL;
	bool hit = false;

	for (const cJSON *it = ex ? ex->child : NULL; it && attrs && !hit; it = it->next) {
		const char *name = cJSON_GetObjectItemCaseSensitive(it, "attribute")->valuestring;
		const char *want = cJSON_GetObjectItemCaseSensitive(it, "value")->valuestring;
		const cJSON *have = cJSON_GetObjectItemCaseSensitive(attrs, name);
		char num[64];
		const char *text = NULL;
		if (cJSON_IsString(have)) {
			text = have->valuestring;
		} else if (cJSON_IsNumber(have)) {
			snprintf(num, sizeof(num), "%.15g", have->valuedouble);
			text = num;
		} else if (cJSON_IsBool(have)) {
			text = cJSON_IsTrue(have) ? "true" : "false";
		}
		if (text && !strcmp(text, want)) {
			snprintf(which, whichlen, "%s=%s", name, want);
			hit = true;
		}
	}
	cJSON_Delete(attrs);
	return hit;
}
