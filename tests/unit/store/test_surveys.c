/* test_surveys.c - surveys, their versions and the responses to them in the
 * store, run against SQLite and PostgreSQL alike (tests/run.sh DB_TESTS). */
#include "testutil.h"

#include "cxm/json.h"
#include "cxm/surveys.h"
#include "cxm/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POSVENTA "tests/data/surveys/good/posventa.json"

/* The file as a tree (owned), keys sorted: what a caller stores. */
static cJSON *load(const char *path)
{
	FILE *f = fopen(path, "rb");
	char buf[65536], err[128];
	size_t len;
	cJSON *root;

	if (!f)
		fail_msg("cannot open %s", path);
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	root = cxm_json_parse(buf, len, err, sizeof(err));
	if (!root)
		fail_msg("%s: %s", path, err);
	cxm_json_sort(root);
	return root;
}

/* The canonical text of a definition file (owned). */
static char *canonical(const char *path)
{
	cJSON *root = load(path);
	char *out = cxm_json_print(root);

	cJSON_Delete(root);
	return out;
}

/* The posventa definition renamed, with its last question's English text
 * changed (so two versions differ); canonical text, owned. */
static char *posventa_as(const char *name, const char *comment_en)
{
	cJSON *root = load(POSVENTA), *qs, *last;
	char *out;

	cJSON_ReplaceItemInObject(root, "name", cJSON_CreateString(name));
	qs = cJSON_GetObjectItem(root, "questions");
	last = cJSON_GetArrayItem(qs, cJSON_GetArraySize(qs) - 1);
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(last, "text"), "en", cJSON_CreateString(comment_en));
	cxm_json_sort(root);
	out = cxm_json_print(root);
	cJSON_Delete(root);
	return out;
}

/* What a survey callback saw (the struct it gets is borrowed). */
struct seen_sv {
	int n;
	int64_t id;
	char name[CXM_SURVEY_NAME_MAX + 1], status[16];
	int version, def_version;
	bool is_default;
	char *def; /* owned */
};

static int seen_survey(const struct cxm_survey *sv, void *ctx)
{
	struct seen_sv *s = ctx;

	s->n++;
	s->id = sv->id;
	cxm_strlcpy(s->name, sv->name, sizeof(s->name));
	cxm_strlcpy(s->status, sv->status, sizeof(s->status));
	s->version = sv->version;
	s->def_version = sv->def_version;
	s->is_default = sv->is_default;
	free(s->def);
	s->def = xstrdup(sv->definition);
	return 0;
}

static void seen_sv_reset(struct seen_sv *s)
{
	free(s->def);
	memset(s, 0, sizeof(*s));
}

/* Copies of what a response callback saw, up to 8 rows. */
struct seen_resp {
	int n;
	struct {
		int64_t id, survey_id, customer_id, event_id, org_unit_id, ts;
		int version, nps, csat, ces;
		bool complete, touchpoint_null, agent_null;
		char source_id[64], channel[32], answers[1024], comment[256];
	} r[8];
};

static int seen_response(const struct cxm_response *x, void *ctx)
{
	struct seen_resp *s = ctx;

	assert_true(s->n < 8);
	int i = s->n++;
	s->r[i].id = x->id;
	s->r[i].survey_id = x->survey_id;
	s->r[i].customer_id = x->customer_id;
	s->r[i].event_id = x->event_id;
	s->r[i].org_unit_id = x->org_unit_id;
	s->r[i].ts = x->ts;
	s->r[i].version = x->version;
	s->r[i].nps = x->nps;
	s->r[i].csat = x->csat;
	s->r[i].ces = x->ces;
	s->r[i].complete = x->complete;
	s->r[i].touchpoint_null = !x->touchpoint;
	s->r[i].agent_null = !x->agent;
	cxm_strlcpy(s->r[i].source_id, x->source_id, sizeof(s->r[i].source_id));
	cxm_strlcpy(s->r[i].channel, x->channel, sizeof(s->r[i].channel));
	cxm_strlcpy(s->r[i].answers, x->answers ? x->answers : "(null)", sizeof(s->r[i].answers));
	cxm_strlcpy(s->r[i].comment, x->comment ? x->comment : "(null)", sizeof(s->r[i].comment));
	return 0;
}

static int64_t create(int64_t t, const char *name, const char *def, bool is_default)
{
	int64_t id = 0;

	assert_int_equal(cxm_store_survey_create(S, t, name, def, is_default, &id), 0);
	assert_true(id > 0);
	return id;
}

static enum cxm_put_result put(int64_t t, struct cxm_response *r)
{
	enum cxm_put_result res = 0;

	assert_int_equal(cxm_store_response_put(S, t, r, &res), 0);
	return res;
}

static void test_create_get_find(void **state)
{
	int64_t t = test_tenant(S);
	char *def = canonical(POSVENTA);
	struct seen_sv sv = { 0 };
	(void)state;
	int64_t id = create(t, "NPS posventa", def, false);

	/* the definition comes back byte for byte, whatever the backend keeps */
	assert_int_equal(cxm_store_survey_get(S, t, id, 0, seen_survey, &sv), 0);
	assert_int_equal(sv.n, 1);
	assert_int_equal(sv.id, id);
	assert_string_equal(sv.name, "NPS posventa");
	assert_string_equal(sv.status, "draft");
	assert_int_equal(sv.version, 1);
	assert_int_equal(sv.def_version, 1);
	assert_false(sv.is_default);
	assert_string_equal(sv.def, def);
	/* asking for version 1 by number is the same */
	seen_sv_reset(&sv);
	assert_int_equal(cxm_store_survey_get(S, t, id, 1, seen_survey, &sv), 0);
	assert_string_equal(sv.def, def);
	assert_int_equal(cxm_store_survey_get(S, t, id, 2, seen_survey, &sv), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_survey_get(S, t, id + 1, 0, seen_survey, &sv), CXM_ENOTFOUND);

	seen_sv_reset(&sv);
	assert_int_equal(cxm_store_survey_find(S, t, "NPS posventa", seen_survey, &sv), 0);
	assert_int_equal(sv.n, 1);
	assert_int_equal(sv.id, id);
	assert_string_equal(sv.def, def);
	assert_int_equal(cxm_store_survey_find(S, t, "nps posventa", seen_survey, &sv), CXM_ENOTFOUND);

	/* a second survey of the same name is refused, and nothing is left of it */
	int64_t dup = 0;
	assert_int_equal(cxm_store_survey_create(S, t, "NPS posventa", def, false, &dup), CXM_EEXIST);
	assert_non_null(strstr(cxm_store_errmsg(S), "NPS posventa"));
	seen_sv_reset(&sv);
	assert_int_equal(cxm_store_survey_list(S, t, seen_survey, &sv), 0);
	assert_int_equal(sv.n, 1);

	/* list: newest first, each with its current definition */
	char *def2 = posventa_as("Tienda", "Anything more?");
	int64_t id2 = create(t, "Tienda", def2, false);
	seen_sv_reset(&sv);
	assert_int_equal(cxm_store_survey_list(S, t, seen_survey, &sv), 0);
	assert_int_equal(sv.n, 2);
	assert_int_equal(sv.id, id); /* the last one seen is the oldest */
	assert_true(id2 > id);
	seen_sv_reset(&sv);
	free(def);
	free(def2);
}

static void test_versions(void **state)
{
	int64_t t = test_tenant(S);
	char *v1 = canonical(POSVENTA), *draft = posventa_as("NPS posventa", "Anything more?");
	char *v2 = posventa_as("NPS posventa", "Something else?");
	struct seen_sv sv = { 0 };
	struct seen_resp rs = { 0 };
	int version = 0;
	(void)state;
	int64_t id = create(t, "NPS posventa", v1, false);
	int64_t other = create(t, "Otra", v1, false);

	/* a draft is edited in place: still version 1 */
	assert_int_equal(cxm_store_survey_update(S, t, id, "NPS posventa", draft, &version), 0);
	assert_int_equal(version, 1);
	assert_int_equal(cxm_store_survey_get(S, t, id, 0, seen_survey, &sv), 0);
	assert_int_equal(sv.version, 1);
	assert_string_equal(sv.def, draft);
	assert_int_equal(cxm_store_survey_get(S, t, id, 2, seen_survey, &sv), CXM_ENOTFOUND);

	/* taking another survey's name is refused and changes nothing */
	assert_int_equal(cxm_store_survey_update(S, t, id, "Otra", v2, &version), CXM_EEXIST);
	seen_sv_reset(&sv);
	assert_int_equal(cxm_store_survey_get(S, t, id, 0, seen_survey, &sv), 0);
	assert_string_equal(sv.name, "NPS posventa");
	assert_string_equal(sv.def, draft);

	/* live: an edit makes version 2, version 1 stays as answered */
	assert_int_equal(cxm_store_survey_set_status(S, t, id, "live"), 0);
	struct cxm_response r = { .source_id = "v-1", .survey_id = id, .version = 1, .channel = "web",
				  .ts = 1000, .nps = 9, .csat = -1, .ces = -1, .answers = "{\"nps\":9}",
				  .complete = true };
	assert_int_equal(put(t, &r), CXM_PUT_INSERTED);
	assert_int_equal(cxm_store_survey_update(S, t, id, "NPS posventa", v2, &version), 0);
	assert_int_equal(version, 2);
	seen_sv_reset(&sv);
	assert_int_equal(cxm_store_survey_get(S, t, id, 0, seen_survey, &sv), 0);
	assert_string_equal(sv.status, "live");
	assert_int_equal(sv.version, 2);
	assert_int_equal(sv.def_version, 2);
	assert_string_equal(sv.def, v2);
	seen_sv_reset(&sv);
	assert_int_equal(cxm_store_survey_get(S, t, id, 1, seen_survey, &sv), 0);
	assert_int_equal(sv.version, 2);
	assert_int_equal(sv.def_version, 1);
	assert_string_equal(sv.def, draft);
	seen_sv_reset(&sv);
	assert_int_equal(cxm_store_survey_find(S, t, "NPS posventa", seen_survey, &sv), 0);
	assert_int_equal(sv.def_version, 2);
	assert_string_equal(sv.def, v2);

	/* closed: the responses stay, and an edit still makes a new version */
	assert_int_equal(cxm_store_survey_set_status(S, t, id, "closed"), 0);
	assert_int_equal(cxm_store_response_page(S, t, id, 0, CXM_TIME_MAX, CXM_TIME_MAX, INT64_MAX, 10,
						 seen_response, &rs),
			 0);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.r[0].source_id, "v-1");
	assert_int_equal(rs.r[0].version, 1);
	assert_int_equal(cxm_store_survey_update(S, t, id, "NPS posventa", v1, &version), 0);
	assert_int_equal(version, 3);
	seen_sv_reset(&sv);
	assert_int_equal(cxm_store_survey_get(S, t, id, 0, seen_survey, &sv), 0);
	assert_string_equal(sv.status, "closed");

	/* a status the schema does not know is refused; unknown ids are not found */
	assert_int_not_equal(cxm_store_survey_set_status(S, t, id, "paused"), 0);
	assert_int_equal(cxm_store_survey_set_status(S, t, id + 12345, "live"), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_survey_update(S, t, id + 12345, "x", v1, &version), CXM_ENOTFOUND);
	seen_sv_reset(&sv);
	assert_int_equal(cxm_store_survey_get(S, t, other, 0, seen_survey, &sv), 0);
	assert_string_equal(sv.status, "draft");
	seen_sv_reset(&sv);
	free(v1);
	free(v2);
	free(draft);
}

static void test_default_survey(void **state)
{
	int64_t t = test_tenant(S);
	struct seen_sv sv = { 0 };
	char *def = canonical(POSVENTA);
	(void)state;

	assert_int_equal(cxm_store_survey_default(S, t, seen_survey, &sv), CXM_ENOTFOUND);
	assert_int_equal(sv.n, 0);
	create(t, "NPS posventa", def, false);
	assert_int_equal(cxm_store_survey_default(S, t, seen_survey, &sv), CXM_ENOTFOUND);

	cJSON *nps = cxm_survey_default_nps();
	char *ndef, field[64], why[256];
	struct cxm_survey_def d;
	cxm_json_sort(nps);
	assert_int_equal(cxm_survey_check(nps, &d, field, sizeof(field), why, sizeof(why)), 0);
	ndef = cxm_json_print(nps);
	int64_t id = create(t, d.name, ndef, true);
	assert_int_equal(cxm_store_survey_default(S, t, seen_survey, &sv), 0);
	assert_int_equal(sv.n, 1);
	assert_int_equal(sv.id, id);
	assert_true(sv.is_default);
	assert_string_equal(sv.def, ndef);
	/* another tenant still has none */
	seen_sv_reset(&sv);
	assert_int_equal(cxm_store_survey_default(S, test_tenant(S), seen_survey, &sv), CXM_ENOTFOUND);
	cJSON_Delete(nps);
	free(ndef);
	free(def);
}

static void test_response_partial_then_complete(void **state)
{
	int64_t t = test_tenant(S);
	char *def = canonical(POSVENTA);
	struct seen_resp rs = { 0 };
	(void)state;
	int64_t sid = create(t, "NPS posventa", def, false);
	struct cxm_response r = { .source_id = "link-42", .survey_id = sid, .version = 1, .customer_id = 7,
				  .channel = "email", .touchpoint = "delivery", .language = "es",
				  .ts = 1700000000000000, .nps = 3, .csat = -1, .ces = -1,
				  .answers = "{\"nps\":3}", .complete = false };
	int64_t first;

	assert_int_equal(put(t, &r), CXM_PUT_INSERTED);
	first = r.id;
	assert_true(first > 0);

	/* the same link answered further: the partial response takes it */
	r.answers = "{\"nps\":3,\"why_bad\":\"tarde\"}";
	r.comment = "tarde";
	assert_int_equal(put(t, &r), CXM_PUT_UPDATED);
	assert_int_equal(r.id, first);
	assert_int_equal(cxm_store_response_by_source(S, t, "link-42", seen_response, &rs), 0);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.r[0].answers, "{\"nps\":3,\"why_bad\":\"tarde\"}");
	assert_false(rs.r[0].complete);

	/* completed */
	r.answers = "{\"csat\":2,\"nps\":3,\"why_bad\":\"tarde\"}";
	r.csat = 2;
	r.complete = true;
	assert_int_equal(put(t, &r), CXM_PUT_UPDATED);
	assert_int_equal(r.id, first);

	/* a complete response is final: a later put is a duplicate */
	r.answers = "{\"nps\":10}";
	r.nps = 10;
	r.csat = -1;
	r.comment = NULL;
	assert_int_equal(put(t, &r), CXM_PUT_UNCHANGED);
	assert_int_equal(r.id, first);
	memset(&rs, 0, sizeof(rs));
	assert_int_equal(cxm_store_response_by_source(S, t, "link-42", seen_response, &rs), 0);
	assert_int_equal(rs.n, 1);
	assert_int_equal(rs.r[0].id, first);
	assert_string_equal(rs.r[0].answers, "{\"csat\":2,\"nps\":3,\"why_bad\":\"tarde\"}");
	assert_int_equal(rs.r[0].nps, 3);
	assert_int_equal(rs.r[0].csat, 2);
	assert_int_equal(rs.r[0].ces, -1);
	assert_string_equal(rs.r[0].comment, "tarde");
	assert_true(rs.r[0].complete);
	assert_int_equal(rs.r[0].customer_id, 7);
	assert_int_equal(rs.r[0].ts, 1700000000000000);
	assert_int_equal(cxm_store_response_by_source(S, t, "link-43", seen_response, &rs), CXM_ENOTFOUND);
	free(def);
}

static void test_response_anonymous_and_unanswered(void **state)
{
	int64_t t = test_tenant(S);
	char *def = canonical(POSVENTA);
	struct seen_resp rs = { 0 };
	(void)state;
	int64_t sid = create(t, "NPS posventa", def, false);
	struct cxm_response r = { .source_id = "anon-1", .survey_id = sid, .version = 1, .customer_id = 0,
				  .channel = "web", .ts = 5, .nps = -1, .csat = -1, .ces = -1, .answers = NULL,
				  .complete = false };
	struct cxm_response z = { .source_id = "zero-1", .survey_id = sid, .version = 1, .customer_id = 3,
				  .channel = "app", .event_id = 99, .org_unit_id = 4, .agent = "luis", .ts = 6,
				  .nps = 0, .csat = 1, .ces = 1, .answers = "{\"ces\":1,\"csat\":1,\"nps\":0}",
				  .complete = true };

	assert_int_equal(put(t, &r), CXM_PUT_INSERTED);
	assert_int_equal(cxm_store_response_by_source(S, t, "anon-1", seen_response, &rs), 0);
	assert_int_equal(rs.r[0].customer_id, 0);
	assert_int_equal(rs.r[0].event_id, 0);
	assert_int_equal(rs.r[0].org_unit_id, 0);
	assert_int_equal(rs.r[0].nps, -1);
	assert_int_equal(rs.r[0].csat, -1);
	assert_int_equal(rs.r[0].ces, -1);
	assert_true(rs.r[0].touchpoint_null);
	assert_true(rs.r[0].agent_null);
	assert_string_equal(rs.r[0].answers, "{}");
	assert_string_equal(rs.r[0].channel, "web");

	/* 0 is a score, not "unanswered" */
	assert_int_equal(put(t, &z), CXM_PUT_INSERTED);
	memset(&rs, 0, sizeof(rs));
	assert_int_equal(cxm_store_response_by_source(S, t, "zero-1", seen_response, &rs), 0);
	assert_int_equal(rs.r[0].nps, 0);
	assert_int_equal(rs.r[0].csat, 1);
	assert_int_equal(rs.r[0].ces, 1);
	assert_int_equal(rs.r[0].customer_id, 3);
	assert_int_equal(rs.r[0].event_id, 99);
	assert_int_equal(rs.r[0].org_unit_id, 4);
	assert_false(rs.r[0].agent_null);
	assert_string_equal(rs.r[0].answers, "{\"ces\":1,\"csat\":1,\"nps\":0}");
	free(def);
}

static void add_response(int64_t t, int64_t sid, const char *source, int64_t ts, int nps)
{
	struct cxm_response r = { .source_id = source, .survey_id = sid, .version = 1, .channel = "web",
				  .ts = ts, .nps = nps, .csat = -1, .ces = -1, .complete = true };
	assert_int_equal(put(t, &r), CXM_PUT_INSERTED);
}

static void test_response_page(void **state)
{
	int64_t t = test_tenant(S);
	char *def = canonical(POSVENTA);
	struct seen_resp rs = { 0 };
	(void)state;
	int64_t a = create(t, "A", def, false), b = create(t, "B", def, false);

	add_response(t, a, "a1", 100, 1);
	add_response(t, a, "a2", 200, 2);
	add_response(t, b, "b1", 250, 9);
	add_response(t, a, "a3", 300, 3);
	add_response(t, a, "a3bis", 300, 4); /* same time: the larger id first */
	add_response(t, a, "a4", 400, 5);

	/* one survey, newest first */
	assert_int_equal(cxm_store_response_page(S, t, a, 0, CXM_TIME_MAX, CXM_TIME_MAX, INT64_MAX, 10,
						 seen_response, &rs),
			 0);
	assert_int_equal(rs.n, 5);
	assert_string_equal(rs.r[0].source_id, "a4");
	assert_string_equal(rs.r[1].source_id, "a3bis");
	assert_string_equal(rs.r[2].source_id, "a3");
	assert_string_equal(rs.r[3].source_id, "a2");
	assert_string_equal(rs.r[4].source_id, "a1");
	assert_true(rs.r[1].id > rs.r[2].id);

	/* every survey */
	memset(&rs, 0, sizeof(rs));
	assert_int_equal(cxm_store_response_page(S, t, 0, 0, CXM_TIME_MAX, CXM_TIME_MAX, INT64_MAX, 10,
						 seen_response, &rs),
			 0);
	assert_int_equal(rs.n, 6);
	assert_string_equal(rs.r[3].source_id, "b1");

	/* from <= ts < to */
	memset(&rs, 0, sizeof(rs));
	assert_int_equal(cxm_store_response_page(S, t, a, 200, 400, CXM_TIME_MAX, INT64_MAX, 10, seen_response, &rs),
			 0);
	assert_int_equal(rs.n, 3);
	assert_string_equal(rs.r[0].source_id, "a3bis");
	assert_string_equal(rs.r[2].source_id, "a2");

	/* pages of two, each starting after the last row of the one before,
	 * through the two rows sharing a time */
	memset(&rs, 0, sizeof(rs));
	assert_int_equal(cxm_store_response_page(S, t, a, 0, CXM_TIME_MAX, CXM_TIME_MAX, INT64_MAX, 2,
						 seen_response, &rs),
			 0);
	assert_int_equal(rs.n, 2);
	assert_string_equal(rs.r[1].source_id, "a3bis");
	int64_t cts = rs.r[1].ts, cid = rs.r[1].id;
	memset(&rs, 0, sizeof(rs));
	assert_int_equal(cxm_store_response_page(S, t, a, 0, CXM_TIME_MAX, cts, cid, 2, seen_response, &rs), 0);
	assert_int_equal(rs.n, 2);
	assert_string_equal(rs.r[0].source_id, "a3");
	assert_string_equal(rs.r[1].source_id, "a2");
	cts = rs.r[1].ts, cid = rs.r[1].id;
	memset(&rs, 0, sizeof(rs));
	assert_int_equal(cxm_store_response_page(S, t, a, 0, CXM_TIME_MAX, cts, cid, 2, seen_response, &rs), 0);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.r[0].source_id, "a1");
	cts = rs.r[0].ts, cid = rs.r[0].id;
	memset(&rs, 0, sizeof(rs));
	assert_int_equal(cxm_store_response_page(S, t, a, 0, CXM_TIME_MAX, cts, cid, 2, seen_response, &rs), 0);
	assert_int_equal(rs.n, 0);
	free(def);
}

static void test_tenants_isolated(void **state)
{
	int64_t t = test_tenant(S), other = test_tenant(S);
	char *def = canonical(POSVENTA);
	struct seen_sv sv = { 0 };
	struct seen_resp rs = { 0 };
	int version = 0;
	enum cxm_put_result res;
	(void)state;
	int64_t id = create(t, "NPS posventa", def, false);

	add_response(t, id, "shared-source", 10, 8);
	assert_int_equal(cxm_store_survey_get(S, other, id, 0, seen_survey, &sv), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_survey_get(S, other, id, 1, seen_survey, &sv), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_survey_find(S, other, "NPS posventa", seen_survey, &sv), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_survey_list(S, other, seen_survey, &sv), 0);
	assert_int_equal(sv.n, 0);
	assert_int_equal(cxm_store_survey_update(S, other, id, "x", def, &version), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_survey_set_status(S, other, id, "live"), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_response_by_source(S, other, "shared-source", seen_response, &rs), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_response_page(S, other, id, 0, CXM_TIME_MAX, CXM_TIME_MAX, INT64_MAX, 10,
						 seen_response, &rs),
			 0);
	assert_int_equal(cxm_store_response_page(S, other, 0, 0, CXM_TIME_MAX, CXM_TIME_MAX, INT64_MAX, 10,
						 seen_response, &rs),
			 0);
	assert_int_equal(rs.n, 0);

	/* the same name and source id are free in the other tenant */
	int64_t oid = create(other, "NPS posventa", def, false);
	assert_true(oid != id);
	struct cxm_response r = { .source_id = "shared-source", .survey_id = oid, .version = 1, .channel = "web",
				  .ts = 10, .nps = 1, .csat = -1, .ces = -1, .complete = true };
	assert_int_equal(cxm_store_response_put(S, other, &r, &res), 0);
	assert_int_equal(res, CXM_PUT_INSERTED);
	assert_int_equal(cxm_store_response_by_source(S, t, "shared-source", seen_response, &rs), 0);
	assert_int_equal(rs.n, 1);
	assert_int_equal(rs.r[0].nps, 8);
	assert_int_equal(rs.r[0].survey_id, id);
	seen_sv_reset(&sv);
	assert_int_equal(cxm_store_survey_list(S, t, seen_survey, &sv), 0);
	assert_int_equal(sv.n, 1);
	assert_int_equal(sv.id, id);
	seen_sv_reset(&sv);
	free(def);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_get_find),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_default_survey),
		cmocka_unit_test(test_response_partial_then_complete),
		cmocka_unit_test(test_response_anonymous_and_unanswered),
		cmocka_unit_test(test_response_page),
		cmocka_unit_test(test_tenants_isolated),
	};
	return cmocka_run_group_tests(tests, test_group_open, test_group_close);
}
