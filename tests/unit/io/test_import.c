/*
 * test_import.c - import and export over the real database.
 * Bad files are data: tests/data/import/bad/NAME.{csv,jsonl} with NAME.expect
 * holding the kind (customers|events|responses) and the text the error must
 * contain. Responses files are imported into a tenant holding the survey
 * tests/data/surveys/good/posventa.json (a draft: imports are historic).
 */
#include "testutil.h"

#include "cxm/io.h"
#include "cxm/json.h"
#include "cxm/surveys.h"
#include "cxm/time.h"

#include <dirent.h>

static char reasons[8192];


static const char *data_dir(void)
{
	const char *d = getenv("CXM_TEST_DATA");
	return d && *d ? d : "tests/data";
}

static void on_reject(const char *file, uint64_t line, const char *reason, void *ctx)
{
	size_t len = strlen(reasons);
	const char *base = strrchr(file, '/');
	(void)ctx;
	snprintf(reasons + len, sizeof(reasons) - len, "%s:%llu: %s\n", base ? base + 1 : file,
		 (unsigned long long)line, reason);
}

static int import(int64_t t, enum cxm_io_kind kind, const char *path, bool skip_bad, const char *rejects,
		  struct cxm_import_report *r, char *err, size_t errlen)
{
	struct cxm_import_opts o = { .kind = kind, .skip_bad = skip_bad, .reject_path = rejects,
				     .on_reject = on_reject };
	reasons[0] = '\0';
	return cxm_import_file(S, t, path, &o, r, err, errlen);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct cxm_buf b;
	char chunk[4096];
	size_t n;

	if (!f)
		fail_msg("cannot read %s", path);
	cxm_buf_init(&b, 0);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		cxm_buf_add(&b, chunk, n);
	fclose(f);
	return cxm_buf_detach(&b, NULL);
}

static void stats(int64_t t, struct cxm_stats *st)
{
	assert_int_equal(cxm_store_stats(S, t, st), 0);
}

/* Creates "NPS posventa" (a draft) in the tenant; returns its id. */
static int64_t create_posventa(int64_t t)
{
	char path[1024], why[300], field[96];
	struct cxm_survey_def d;
	int64_t id = 0;

	snprintf(path, sizeof(path), "%s/surveys/good/posventa.json", data_dir());
	char *text = slurp(path);
	cJSON *def = cxm_json_parse(text, strlen(text), why, sizeof(why));
	assert_non_null(def);
	assert_int_equal(cxm_survey_check(def, &d, field, sizeof(field), why, sizeof(why)), 0);
	cxm_json_sort(def);
	char *canon = cxm_json_print(def);
	assert_int_equal(cxm_store_survey_create(S, t, "NPS posventa", canon, false, &id), 0);
	free(canon);
	cJSON_Delete(def);
	free(text);
	return id;
}

/* The tenant's stored responses, newest first (at most 64). */
struct seen_responses {
	size_t n;
	struct {
		char source_id[64], channel[16], answers[512], comment[64];
		int64_t survey_id, customer_id, ts;
		int nps, csat, ces;
		bool complete;
	} r[64];
};

static int seen_response(const struct cxm_response *x, void *ctx)
{
	struct seen_responses *s = ctx;
	if (s->n == ARRAY_SIZE(s->r))
		return 0;
	cxm_strlcpy(s->r[s->n].source_id, x->source_id, sizeof(s->r[0].source_id));
	cxm_strlcpy(s->r[s->n].channel, x->channel, sizeof(s->r[0].channel));
	cxm_strlcpy(s->r[s->n].answers, x->answers ? x->answers : "", sizeof(s->r[0].answers));
	cxm_strlcpy(s->r[s->n].comment, x->comment ? x->comment : "(null)", sizeof(s->r[0].comment));
	s->r[s->n].survey_id = x->survey_id;
	s->r[s->n].customer_id = x->customer_id;
	s->r[s->n].ts = x->ts;
	s->r[s->n].nps = x->nps;
	s->r[s->n].csat = x->csat;
	s->r[s->n].ces = x->ces;
	s->r[s->n].complete = x->complete;
	s->n++;
	return 0;
}

static void responses_of(int64_t t, struct seen_responses *sr)
{
	memset(sr, 0, sizeof(*sr));
	assert_int_equal(cxm_store_response_page(S, t, 0, 0, CXM_TIME_MAX, CXM_TIME_MAX, INT64_MAX, 64, seen_response, sr),
			 0);
}

static void test_bad_files_import_nothing(void **state)
{
	char dir[512], path[1024], expect_path[1024], err[1024];
	struct dirent *de;
	DIR *d;
	int cases = 0;
	(void)state;

	snprintf(dir, sizeof(dir), "%s/import/bad", data_dir());
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d))) {
		char *dot = strrchr(de->d_name, '.');
		if (!dot || !strcmp(dot, ".expect") || de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		snprintf(expect_path, sizeof(expect_path), "%s/%.*s.expect", dir, (int)(dot - de->d_name), de->d_name);
		char *expect = slurp(expect_path);
		char *nl = strchr(expect, '\n');
		assert_non_null(nl);
		*nl = '\0';
		char *want = nl + 1;
		want[strcspn(want, "\n")] = '\0';
		enum cxm_io_kind kind = !strcmp(expect, "events")      ? CXM_IO_EVENTS
					: !strcmp(expect, "responses") ? CXM_IO_RESPONSES
								       : CXM_IO_CUSTOMERS;

		int64_t t = test_tenant(S);
		struct cxm_import_report r;
		struct cxm_stats st;
		struct seen_responses sr;
		if (kind == CXM_IO_RESPONSES)
			create_posventa(t);
		int ret = import(t, kind, path, false, NULL, &r, err, sizeof(err));
		if (ret == 0 || r.committed)
			fail_msg("%s imported although it is bad", de->d_name);
		if (!strstr(reasons, want) && !strstr(err, want))
			fail_msg("%s: wanted '%s' in the error, got '%s' / '%s'", de->d_name, want, err, reasons);
		stats(t, &st);
		responses_of(t, &sr);
		if (st.customers || st.events || st.org_units || sr.n)
			fail_msg("%s left data behind", de->d_name);
		free(expect);
		cases++;
	}
	closedir(d);
	assert_true(cases >= 10);
}

static void test_skip_bad_keeps_good_rows_and_writes_rejects(void **state)
{
	char path[1024], rej[1024], err[1024];
	struct cxm_import_report r;
	struct cxm_stats st;
	int64_t t = test_tenant(S);
	(void)state;

	snprintf(path, sizeof(path), "%s/import/bad/stray_quote.csv", data_dir());
	snprintf(rej, sizeof(rej), "%s/rejects.csv", test_tmpdir());
	assert_int_equal(import(t, CXM_IO_CUSTOMERS, path, true, rej, &r, err, sizeof(err)), 0);
	assert_true(r.committed);
	assert_int_equal(r.imported, 2);
	assert_int_equal(r.rejected, 1);
	stats(t, &st);
	assert_int_equal(st.customers, 2);
	char *text = slurp(rej);
	assert_string_equal(text, "external_id,first_name\nCRM-2,Lu\"is\n");
	free(text);

	/* a file that can't be read is an error, with its name */
	assert_int_equal(import(t, CXM_IO_CUSTOMERS, "/nonexistent/file.csv", true, NULL, &r, err, sizeof(err)),
			 CXM_ENOTFOUND);
	assert_non_null(strstr(err, "/nonexistent/file.csv"));
}

/* Imports the good files into a tenant. */
static int64_t load_good(void)
{
	static const struct {
		enum cxm_io_kind kind;
		const char *file;
		uint64_t imported;
	} files[] = {
		{ CXM_IO_CUSTOMERS, "customers.csv", 5 },
		{ CXM_IO_EVENTS, "events.csv", 7 },
		{ CXM_IO_EVENTS, "events.jsonl", 2 },
	};
	char path[1024], err[1024];
	struct cxm_import_report r;
	int64_t t = test_tenant(S);

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/import/good/%s", data_dir(), files[i].file);
		if (import(t, files[i].kind, path, false, NULL, &r, err, sizeof(err)))
			fail_msg("%s: %s %s", files[i].file, err, reasons);
		assert_int_equal(r.imported, files[i].imported);
		assert_int_equal(r.rejected, 0);
	}
	return t;
}

static char *export_to(int64_t t, enum cxm_io_kind kind, enum cxm_io_format f, const char *name)
{
	char path[1024], err[512];
	uint64_t n;
	snprintf(path, sizeof(path), "%s/%s", test_tmpdir(), name);
	FILE *out = fopen(path, "wb");
	assert_non_null(out);
	if (cxm_export(S, t, kind, f, out, &n, err, sizeof(err)))
		fail_msg("export: %s", err);
	fclose(out);
	return xstrdup(path);
}

static void test_import_twice_changes_nothing(void **state)
{
	char path[1024], err[1024];
	struct cxm_import_report r;
	struct cxm_stats a, b;
	int64_t t = load_good();
	(void)state;

	stats(t, &a);
	assert_int_equal(a.customers, 6); /* 5 + one named only by an event */
	assert_int_equal(a.events, 9);
	assert_int_equal(a.org_units, 2);
	snprintf(path, sizeof(path), "%s/import/good/events.csv", data_dir());
	assert_int_equal(import(t, CXM_IO_EVENTS, path, false, NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(r.imported, 0);
	assert_int_equal(r.duplicates, 7);
	assert_int_equal(r.new_customers, 0);
	snprintf(path, sizeof(path), "%s/import/good/customers.csv", data_dir());
	assert_int_equal(import(t, CXM_IO_CUSTOMERS, path, false, NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(r.duplicates, 5);
	assert_int_equal(r.updated, 0);
	stats(t, &b);
	assert_memory_equal(&a, &b, sizeof(a));
}

static void round_trip(enum cxm_io_format f, const char *ext)
{
	char name[64], err[1024];
	struct cxm_import_report r;
	int64_t t1 = load_good(), t2 = test_tenant(S);

	snprintf(name, sizeof(name), "c1.%s", ext);
	char *c1 = export_to(t1, CXM_IO_CUSTOMERS, f, name);
	snprintf(name, sizeof(name), "e1.%s", ext);
	char *e1 = export_to(t1, CXM_IO_EVENTS, f, name);
	assert_int_equal(import(t2, CXM_IO_CUSTOMERS, c1, false, NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(r.imported, 6);
	assert_int_equal(import(t2, CXM_IO_EVENTS, e1, false, NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(r.imported, 9);
	assert_int_equal(r.new_customers, 0);
	snprintf(name, sizeof(name), "c2.%s", ext);
	char *c2 = export_to(t2, CXM_IO_CUSTOMERS, f, name);
	snprintf(name, sizeof(name), "e2.%s", ext);
	char *e2 = export_to(t2, CXM_IO_EVENTS, f, name);
	char *a = slurp(c1), *b = slurp(c2), *x = slurp(e1), *y = slurp(e2);
	assert_string_equal(a, b);
	assert_string_equal(x, y);
	/* what went in is what comes out */
	assert_non_null(strstr(a, "CRM-0004,\"O'Brien, Jr.\",Seán,sean@example.ie,,en-GB,IE") ||
			strstr(a, "\"external_id\":\"CRM-0004\""));
	assert_non_null(strstr(x, "1299900") || strstr(x, "\"1299900\""));
	assert_non_null(strstr(x, "Soporte"));
	free(a), free(b), free(x), free(y);
	free(c1), free(c2), free(e1), free(e2);
}

static void test_round_trip_csv(void **state)
{
	(void)state;
	round_trip(CXM_FORMAT_CSV, "csv");
}

static void test_round_trip_jsonl(void **state)
{
	(void)state;
	round_trip(CXM_FORMAT_JSONL, "jsonl");
}

static char *write_file(const char *name, const char *text, size_t len)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", test_tmpdir(), name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
	return xstrdup(path);
}

static void test_identity_kinds_stay_apart(void **state)
{
	char err[1024];
	struct cxm_import_report r;
	struct cxm_stats st;
	int64_t t = test_tenant(S), a, b;
	(void)state;
	/* an external id that looks like another customer's email */
	static const char customers[] = "external_id,email\nC1,ana@x.co\n";
	static const char events[] = "id,external_id,email,type,channel,ts\n"
				     "e1,ana@x.co,,page_view,web,2026-01-01T00:00:00Z\n"
				     "e2,,ana@x.co,page_view,web,2026-01-01T00:00:00Z\n";
	char *c = write_file("kinds-c.csv", customers, sizeof(customers) - 1);
	char *e = write_file("kinds-e.csv", events, sizeof(events) - 1);
	assert_int_equal(import(t, CXM_IO_CUSTOMERS, c, false, NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(import(t, CXM_IO_EVENTS, e, false, NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(r.new_customers, 1);
	assert_int_equal(cxm_store_identity_resolve(S, t, "external_id", "ana@x.co", &a), 0);
	assert_int_equal(cxm_store_identity_resolve(S, t, "email", "ana@x.co", &b), 0);
	assert_true(a != b);
	stats(t, &st);
	assert_int_equal(st.customers, 2);
	free(c);
	free(e);
}

static void test_tabs_and_spaces_round_trip(void **state)
{
	char err[1024];
	struct cxm_import_report r;
	int64_t t1 = test_tenant(S), t2 = test_tenant(S);
	(void)state;
	static const char text[] = "external_id,first_name,attr.note\nT1,\" Ana \",\"\tlead, trail\t\"\n";
	char *in = write_file("tabs.csv", text, sizeof(text) - 1);
	assert_int_equal(import(t1, CXM_IO_CUSTOMERS, in, false, NULL, &r, err, sizeof(err)), 0);
	char *x = export_to(t1, CXM_IO_CUSTOMERS, CXM_FORMAT_CSV, "tabs1.csv");
	assert_int_equal(import(t2, CXM_IO_CUSTOMERS, x, false, NULL, &r, err, sizeof(err)), 0);
	char *y = export_to(t2, CXM_IO_CUSTOMERS, CXM_FORMAT_CSV, "tabs2.csv");
	char *a = slurp(x), *b = slurp(y);
	assert_string_equal(a, b);
	assert_non_null(strstr(a, "\" Ana \""));
	assert_non_null(strstr(a, "\"\tlead, trail\t\""));
	free(a), free(b), free(x), free(y), free(in);
}

static void test_bad_quotes_across_read_blocks(void **state)
{
	char err[1024], rej[1024];
	struct cxm_import_report r;
	struct cxm_buf b;
	int64_t t = test_tenant(S);
	(void)state;
	/* enough rows that the bad one straddles the 256 KiB read block */
	cxm_buf_init(&b, 0);
	cxm_buf_addstr(&b, "external_id,first_name\n");
	int i = 0;
	while (b.len < 256 * 1024 - 10)
		cxm_buf_addf(&b, "K%06d,Name\n", i++);
	cxm_buf_addstr(&b, "BAD,Lu\"is with a long tail that crosses the block edge\n");
	cxm_buf_addstr(&b, "K-last,Eva\n");
	char *path = write_file("blocks.csv", b.p, b.len);
	snprintf(rej, sizeof(rej), "%s/blocks.rejected", test_tmpdir());
	assert_int_equal(import(t, CXM_IO_CUSTOMERS, path, true, rej, &r, err, sizeof(err)), 0);
	assert_int_equal(r.rejected, 1);
	assert_int_equal(r.imported, (uint64_t)i + 1);
	char *text = slurp(rej);
	assert_non_null(strstr(text, "BAD,Lu\"is with a long tail that crosses the block edge\n"));
	free(text);
	free(path);
	cxm_buf_release(&b);
}

static int find_response(const struct seen_responses *sr, const char *source_id)
{
	for (size_t i = 0; i < sr->n; i++)
		if (!strcmp(sr->r[i].source_id, source_id))
			return (int)i;
	fail_msg("no stored response '%s'", source_id);
	return -1;
}

static void test_responses_import(void **state)
{
	char path[1024], err[1024];
	struct cxm_import_report r;
	struct seen_responses a, b;
	struct cxm_stats st1, st2;
	int64_t t = test_tenant(S), sid = create_posventa(t), c1;
	int i;
	(void)state;

	snprintf(path, sizeof(path), "%s/import/good/responses.csv", data_dir());
	if (import(t, CXM_IO_RESPONSES, path, false, NULL, &r, err, sizeof(err)))
		fail_msg("responses.csv: %s %s", err, reasons);
	assert_int_equal(r.imported, 4);
	assert_int_equal(r.new_customers, 4);
	snprintf(path, sizeof(path), "%s/import/good/responses.jsonl", data_dir());
	if (import(t, CXM_IO_RESPONSES, path, false, NULL, &r, err, sizeof(err)))
		fail_msg("responses.jsonl: %s %s", err, reasons);
	assert_int_equal(r.imported, 3);
	assert_int_equal(r.new_customers, 1); /* the phone; CRM-0001 is known */

	responses_of(t, &a);
	assert_int_equal(a.n, 7);
	/* the columns fill the survey's questions with the right types */
	i = find_response(&a, "r1");
	assert_int_equal(a.r[i].survey_id, sid);
	assert_int_equal(a.r[i].nps, 10);
	assert_int_equal(a.r[i].csat, 5);
	assert_int_equal(a.r[i].ces, 7);
	assert_string_equal(a.r[i].comment, "Muy bien, gracias");
	assert_string_equal(a.r[i].channel, "web");
	assert_non_null(strstr(a.r[i].answers, "\"liked\":[\"price\",\"staff\"]"));
	assert_non_null(strstr(a.r[i].answers, "\"delivery\":9"));
	assert_non_null(strstr(a.r[i].answers, "\"channel\":\"web\""));
	assert_true(a.r[i].complete);
	assert_int_equal(cxm_store_identity_resolve(S, t, "external_id", "CRM-0001", &c1), 0);
	assert_int_equal(a.r[i].customer_id, c1);
	i = find_response(&a, "r2");
	assert_int_equal(a.r[i].nps, 3);
	assert_int_equal(a.r[i].csat, -1);
	assert_non_null(strstr(a.r[i].answers, "\"why_bad\":\"Late, and broken\""));
	assert_string_equal(a.r[i].comment, "(null)");
	i = find_response(&a, "j1");
	assert_non_null(strstr(a.r[i].answers, "\"liked\":[\"staff\"]"));
	assert_string_equal(a.r[i].comment, "Rápido");
	assert_true(a.r[i].customer_id != 0);
	/* a row without survey went to the default NPS survey; one without a
	 * customer is anonymous */
	int to_default = 0, anonymous = 0;
	for (size_t k = 0; k < a.n; k++) {
		if (a.r[k].survey_id != sid)
			to_default++;
		if (!a.r[k].customer_id)
			anonymous++;
		if (!strncmp(a.r[k].source_id, "row:", 4))
			assert_int_equal(strlen(a.r[k].source_id), 36);
	}
	assert_int_equal(to_default, 2);
	assert_int_equal(anonymous, 1);

	/* importing both again changes nothing */
	stats(t, &st1);
	snprintf(path, sizeof(path), "%s/import/good/responses.csv", data_dir());
	assert_int_equal(import(t, CXM_IO_RESPONSES, path, false, NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(r.imported, 0);
	assert_int_equal(r.duplicates, 4);
	assert_int_equal(r.new_customers, 0);
	snprintf(path, sizeof(path), "%s/import/good/responses.jsonl", data_dir());
	assert_int_equal(import(t, CXM_IO_RESPONSES, path, false, NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(r.duplicates, 3);
	responses_of(t, &b);
	assert_int_equal(b.n, 7);
	stats(t, &st2);
	assert_memory_equal(&st1, &st2, sizeof(st1));
}

static void test_responses_skip_bad(void **state)
{
	char path[1024], rej[1024], err[1024];
	struct cxm_import_report r;
	struct seen_responses sr;
	struct cxm_stats st;
	int64_t t = test_tenant(S);
	(void)state;

	create_posventa(t);
	snprintf(path, sizeof(path), "%s/import/bad/responses-bad_option.csv", data_dir());
	snprintf(rej, sizeof(rej), "%s/responses.rejected", test_tmpdir());
	assert_int_equal(import(t, CXM_IO_RESPONSES, path, true, rej, &r, err, sizeof(err)), 0);
	assert_int_equal(r.imported, 1);
	assert_int_equal(r.rejected, 1);
	assert_int_equal(r.new_customers, 1);
	assert_non_null(strstr(reasons, "responses-bad_option.csv:3: q.liked: 'gold' is not an option"));
	char *text = slurp(rej);
	assert_string_equal(text, "id,survey,external_id,channel,ts,nps,comment,q.liked\n"
				  "a2,NPS posventa,C2,web,2026-01-01T00:00:00Z,10,,staff|gold\n");
	free(text);
	responses_of(t, &sr);
	assert_int_equal(sr.n, 1);
	assert_string_equal(sr.r[0].source_id, "a1");
	/* the refused row's customer is gone with it */
	stats(t, &st);
	assert_int_equal(st.customers, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_files_import_nothing),
		cmocka_unit_test(test_skip_bad_keeps_good_rows_and_writes_rejects),
		cmocka_unit_test(test_import_twice_changes_nothing),
		cmocka_unit_test(test_round_trip_csv),
		cmocka_unit_test(test_round_trip_jsonl),
		cmocka_unit_test(test_identity_kinds_stay_apart),
		cmocka_unit_test(test_tabs_and_spaces_round_trip),
		cmocka_unit_test(test_bad_quotes_across_read_blocks),
		cmocka_unit_test(test_responses_import),
		cmocka_unit_test(test_responses_skip_bad),
	};
	return cmocka_run_group_tests(tests, test_group_open, test_group_close);
}
