/*
 * surveys.h - the rules of surveys and answers: what a survey definition
 * may say, which answers a version accepts, NPS/CSAT/CES categories.
 * Pure functions over cJSON trees; no I/O.
 *
 * A definition is the JSON a survey is imported from and exported as:
 *
 *   {"name": "NPS posventa", "languages": ["es", "en"],
 *    "questions": [
 *      {"id": "nps", "type": "nps", "required": true,
 *       "text": {"es": "¿Qué tan probable es ...?", "en": "How likely ...?"},
 *       "labels": {"low": {"es": "Nada probable", "en": "Not at all likely"},
 *                  "high": {"es": "Muy probable", "en": "Extremely likely"}}},
 *      {"id": "why_bad", "type": "text", "show_if": {"question": "nps", "category": "detractor"},
 *       "text": {"es": "¿Qué salió mal?", "en": "What went wrong?"}},
 *      {"id": "staff", "type": "single_choice",
 *       "options": [{"id": "kind", "text": {"es": "Amable", "en": "Kind"}}, ...], ...}]}
 *
 * Question types: nps (0-10), csat (1-5), ces (1-7), rating (min..max,
 * default 1..5), single_choice, multiple_choice, text (max_length, default
 * 2000 bytes). Every text is given in every language of the survey.
 * show_if asks a question only of an NPS category (detractor 0-6, passive
 * 7-8, promoter 9-10) of an earlier nps question.
 *
 * "anonymous": true (optional, default false) makes an anonymous survey:
 * its responses name no customer, invitations may not name one, and it is
 * answered through one open link whose respondents get a receipt code
 * (docs/surveys.md, "Anonymous surveys").
 */
#ifndef CXM_SURVEYS_H
#define CXM_SURVEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define CXM_SURVEY_NAME_MAX 120
#define CXM_SURVEY_MAX_QUESTIONS 50
#define CXM_SURVEY_MAX_OPTIONS 30
#define CXM_SURVEY_MAX_LANGUAGES 8
#define CXM_QUESTION_ID_MAX 40
#define CXM_SURVEY_TEXT_MAX 1000       /* a question's or option's text, in bytes */
#define CXM_ANSWER_TEXT_DEFAULT 2000   /* a free-text answer, unless max_length says */
#define CXM_ANSWER_TEXT_MAX 10000

enum cxm_question_type {
	CXM_Q_NPS,
	CXM_Q_CSAT,
	CXM_Q_CES,
	CXM_Q_RATING,
	CXM_Q_SINGLE,
	CXM_Q_MULTIPLE,
	CXM_Q_TEXT,
};

enum cxm_nps_category { CXM_NPS_NONE = 0, CXM_NPS_DETRACTOR, CXM_NPS_PASSIVE, CXM_NPS_PROMOTER };

struct cxm_question {
	const char *id;          /* borrowed from the definition tree */
	enum cxm_question_type type;
	int min, max;            /* score range for nps, csat, ces, rating */
	int max_length;          /* text */
	bool required;
	const cJSON *options;    /* choice questions: the array of {id, text} */
	const char *show_if_question;
	enum cxm_nps_category show_if_category;
};

/* A checked definition: borrows from the tree it was made from. */
struct cxm_survey_def {
	const char *name;
	bool anonymous;          /* "anonymous": true */
	const char *languages[CXM_SURVEY_MAX_LANGUAGES];
	size_t nlanguages;
	struct cxm_question questions[CXM_SURVEY_MAX_QUESTIONS];
	size_t nquestions;
};

/*
 * Checks a definition. On success fills d (borrowing from def) and returns
 * 0; else CXM_EINVAL with the offending field ("questions[2].text.en") in
 * field and the reason in why.
 */
int cxm_survey_check(const cJSON *def, struct cxm_survey_def *d, char *field, size_t fieldlen, char *why,
		     size_t whylen);

/* What a set of answers says, for the response's own columns. */
struct cxm_answer_summary {
	int nps, csat, ces;    /* -1 when not answered */
	bool complete;         /* every required question that applies is answered */
};

/*
 * Checks answers ({"question id": value, ...}) against a definition:
 * unknown questions, values of the wrong type or out of range, unknown
 * options, texts over their limit, answers to follow-ups whose condition
 * does not hold. Returns 0 and fills sum, or CXM_EINVAL with field
 * ("answers.nps") and why.
 */
int cxm_survey_check_answers(const struct cxm_survey_def *d, const cJSON *answers, struct cxm_answer_summary *sum,
			     char *field, size_t fieldlen, char *why, size_t whylen);

enum cxm_nps_category cxm_nps_category(int score);
/* "detractor", "passive", "promoter" or "". */
const char *cxm_nps_category_name(enum cxm_nps_category c);
/* "draft", "live" or "closed": 0, or CXM_EINVAL. */
int cxm_survey_status_check(const char *status);

/*
 * The definition of the tenant's default NPS survey (used when a response
 * names no survey): an NPS question and follow-ups in Spanish and English.
 * Owned by the caller (cJSON_Delete).
 */
cJSON *cxm_survey_default_nps(void);

/* ---- contact fatigue --------------------------------------------------------
 *
 * The tenant's survey settings, a JSON object stored as the setting
 * "surveys": {"fatigue_days": 30, "exclude": [{"attribute": "segment",
 * "value": "vip"}]}. fatigue_days (0-365, 0: off) is the least time between
 * two invitations of one customer on any channel; a customer whose
 * attribute equals one of the excluded values is never invited.
 */
#define CXM_FATIGUE_DAYS_DEFAULT 30

/* Checks settings; 0, or CXM_EINVAL with field and why. */
int cxm_survey_settings_check(const cJSON *o, char *field, size_t fieldlen, char *why, size_t whylen);
/* The settings in force: the stored text (may be NULL) with the defaults
 * filled in. Owned by the caller. */
cJSON *cxm_survey_settings(const char *stored);
/* The exclusion a customer's attributes (JSON object text) fall under, as
 * "attribute=value" in which; false when none. */
bool cxm_survey_excluded(const cJSON *settings, const char *attributes, char *which, size_t whichlen);

/* ---- submitting a response (submit.c: uses the store) ------------------ */

struct cxm_store;

/* A response as a channel hands it in, before cxm resolves anything. */
struct cxm_response_in {
	const char *source_id;      /* the sender's id (required; callers make one when missing) */
	int64_t survey_id;          /* 0: by name, else the tenant's default NPS survey */
	const char *survey_name;
	/* the customer: an id, or an identity kind + value; neither: anonymous */
	int64_t customer_id;
	const char *customer_kind;  /* external_id, email, phone, cookie_id, ... (value normalised) */
	const char *customer_value;
	const char *channel;        /* normalised */
	const char *touchpoint;
	int64_t event_id;
	const char *agent;
	int64_t ts;
	const char *language;       /* normalised, or NULL */
	const cJSON *answers;       /* object; NULL = none */
	const char *comment;        /* a free comment outside the questions, or NULL */
	bool historic;              /* an import: closed and draft surveys take it too */
	bool hold_open;             /* keep it partial: more questions are still to be shown */
};

struct cxm_response_out {
	int64_t response_id;
	int64_t survey_id;
	int version;
	int64_t customer_id;
	int64_t org_unit_id;
	int result;                 /* enum cxm_put_result */
	bool complete;
	bool new_customer;
};

/*
 * Checks and stores one response inside the caller's transaction (or its
 * own): finds the survey (the default NPS survey is created on first use),
 * refuses closed and draft surveys unless historic, resolves or creates the
 * customer, maps the agent to their unit at ts, merges a partial response
 * given earlier under the same source_id (its version is kept) and checks
 * every answer against the version. CXM_EINVAL / CXM_ENOTFOUND /
 * CXM_ECONFLICT with field and why for what the sender must fix; other
 * codes are store errors (cxm_store_errmsg).
 */
int cxm_response_submit(struct cxm_store *s, int64_t tenant, const struct cxm_response_in *in,
			struct cxm_response_out *out, char *field, size_t fieldlen, char *why, size_t whylen);

#endif
