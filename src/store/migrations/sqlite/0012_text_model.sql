-- The tenant's learned text model (issue 6, "Learning from the tenant's
-- feedback"; src/text/train.c). One row per tenant, replaced by each
-- training. blob is the model (cxm_text_model_save) in lowercase hex, NULL
-- when the last training found too little data; labelled, npos and nneg
-- count the labelled comments it saw; cv_accuracy, auc and weight are in
-- millionths (0 without a model).
CREATE TABLE text_models (
	tenant_id INTEGER NOT NULL PRIMARY KEY,
	blob TEXT,
	trained_at INTEGER NOT NULL,
	labelled INTEGER NOT NULL,
	npos INTEGER NOT NULL,
	nneg INTEGER NOT NULL,
	cv_accuracy INTEGER NOT NULL,
	auc INTEGER NOT NULL,
	weight INTEGER NOT NULL
);
