/*
 * api_text_model.c - the tenant's learned text model over HTTP (issue 6,
 * docs/text.md "Learning from the tenant's feedback"): its status for
 * every role (GET /api/v1/text/model) and a training now for owners and
 * admins (POST /api/v1/text/model/train).
 */
#include "http-internal.h"
#include "cxm/json.h"
#include "cxm/textstore.h"
#include "cxm/time.h"

#include <math.h>

static void add_features(cJSON *o, const char *name, const struct cxm_text_model *m, bool positive)
{
	cJSON *arr = cJSON_AddArrayToObject(o, name);
	const struct cxm_text_model_feature *f;
	size_t n = 0;

	if (!m)
		return;
	f = cxm_text_model_explain(m, positive, &n);
	for (size_t i = 0; i < n; i++) {
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "feature", f[i].text);
		cxm_json_add_fixed(e, "weight", isfinite(f[i].weight) ? f[i].weight : 0, 4);
		cJSON_AddItemToArray(arr, e);
	}
}

/* The status of the tenant's model as the answer. */
static int model_status(struct req *r)
{
	struct cxm_store *db = req_db(r);
	struct cxm_text_model_row row;
	struct cxm_model_ref *ref = NULL;
	char t[CXM_TIME_BUFSZ], reason[300];
	bool found;
	int ret;

	if (!db)
		return H_DONE;
	if ((ret = cxm_store_text_model_get(db, r->who.tenant, &row, &found)) ||
	    (ret = cxm_text_model_get(db, r->who.tenant, &ref))) {
		cxm_text_model_row_free(&row);
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return H_DONE;
	}
	const struct cxm_text_model *m = row.blob ? cxm_text_model_of(ref) : NULL;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "trained", m != NULL);
	if (found)
		cJSON_AddStringToObject(o, "trained_at", cxm_time_format(row.trained_at, t));
	else
		cJSON_AddNullToObject(o, "trained_at");
	cJSON_AddNumberToObject(o, "labelled", (double)row.labelled);
	cJSON_AddNumberToObject(o, "promoters", (double)row.npos);
	cJSON_AddNumberToObject(o, "detractors", (double)row.nneg);
	if (m) {
		cJSON_AddNumberToObject(o, "trained_on", (double)cxm_text_model_stats(m)->n);
		cxm_json_add_fixed(o, "cv_accuracy", (double)row.cv_accuracy / 1e6, 4);
		cxm_json_add_fixed(o, "auc", (double)row.auc / 1e6, 4);
		cxm_json_add_fixed(o, "blend_weight", (double)row.weight / 1e6, 4);
		cJSON *f = cJSON_AddObjectToObject(o, "features");
		add_features(f, "positive", m, true);
		add_features(f, "negative", m, false);
	} else {
		if (found)
			snprintf(reason, sizeof(reason), T(r, MSG_TM_NOT_TRAINED), (long long)row.labelled,
				 (long long)row.npos, (long long)row.nneg, CXM_TEXT_MODEL_MIN_DOCS,
				 CXM_TEXT_MODEL_MIN_PER_CLASS);
		else
			snprintf(reason, sizeof(reason), T(r, MSG_TM_NEVER), CXM_TEXT_MODEL_MIN_DOCS,
				 CXM_TEXT_MODEL_MIN_PER_CLASS);
		cJSON_AddStringToObject(o, "reason", reason);
	}
	cxm_text_model_put(ref);
	cxm_text_model_row_free(&row);
	reply_json(r, 200, o);
	return H_DONE;
}

int api_text_model_get(struct req *r)
{
	return model_status(r);
}

/*
 * A training now: the fit takes seconds on a large tenant, so it runs on a
 * thread of its own with a read handle while the connection waits; only
 * storing the model (and the audit) is a writer job, so submits are never
 * queued behind the fit. One training per tenant at a time (a second
 * request meanwhile is refused with 409), and the thread waits for a fit
 * slot (CXM_TEXT_FITS_MAX over all tenants) before it takes a handle.
 */
struct train_state {
	struct cxm_text_fit fit;
};

static int train_run(struct cxm_store *db, struct wjob *j)
{
	struct req *r = j->ctx;
	struct train_state *t = r->data;
	int ret = cxm_text_train_save(db, r->who.tenant, &t->fit);

	if (!ret)
		ret = cxm_store_audit_add(db, r->who.tenant, r->who.actor, "text.model.train", NULL, NULL, NULL);
	return ret;
}

static void train_done(struct wjob *j)
{
	struct req *r = j->ctx;

	cxm_text_train_unclaim(r->who.tenant, true);
	MHD_resume_connection(r->conn);
}

static void *train_thread(void *arg)
{
	struct req *r = arg;
	struct train_state *t = r->data;
	char err[512]; /* may name hosts and paths: not for the answer */
	struct cxm_store *db;
	int ret;

	/* a background fit of the tenant under way: after it, on the latest data */
	cxm_text_train_wait(r->who.tenant);
	cxm_text_fit_slot_take();
	db = pool_get(r->srv, err, sizeof(err));
	ret = db ? cxm_text_train_fit(db, r->who.tenant, &t->fit) : CXM_EUNAVAIL;
	if (ret && db)
		cxm_strlcpy(r->job.errmsg, cxm_store_errmsg(db), sizeof(r->job.errmsg));
	pool_put(r->srv, db);
	cxm_text_fit_slot_give();
	if (ret) {
		/* nothing to store: answer the error (train_finish) */
		r->job.rc = ret;
		cxm_text_train_unclaim(r->who.tenant, true);
		MHD_resume_connection(r->conn);
		return NULL;
	}
	r->job.run = train_run;
	r->job.done = train_done;
	r->job.ctx = r;
	r->job.lang = r->lang;
	writer_submit(r->srv->writer, &r->job);
	return NULL;
}

static int train_finish(struct req *r)
{
	struct train_state *t = r->data;

	cxm_text_fit_release(&t->fit);
	if (job_failed(r))
		return 0;
	return model_status(r);
}

int api_text_model_train(struct req *r)
{
	struct train_state *t = cxm_arena_alloc(&r->arena, sizeof(*t));
	pthread_attr_t attr;
	pthread_t th;

	memset(t, 0, sizeof(*t));
	if (!cxm_text_train_claim(r->who.tenant, true)) {
		reply_error(r, 409, "training-running", MSG_TF_TRAINING_TITLE, T(r, MSG_TF_TRAINING_RUNNING));
		return H_DONE;
	}
	/* the thread takes a read handle of its own */
	pool_put(r->srv, r->db);
	r->db = NULL;
	memset(&r->job, 0, sizeof(r->job));
	r->data = t;
	r->finish = train_finish;
	r->state = RS_WAITING;
	/* suspend first: the thread may finish before we return */
	MHD_suspend_connection(r->conn);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &attr, train_thread, r))
		BUG("cannot start a training thread");
	pthread_attr_destroy(&attr);
	return H_SUSPEND;
}
