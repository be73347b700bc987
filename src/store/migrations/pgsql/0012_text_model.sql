-- The tenant's learned text model (issue 6, "Learning from the tenant's
-- feedback"; src/text/train.c). One row per tenant, replaced by each
-- training. blob is the model (cxm_text_model_save) in lowercase hex, NULL
-- when the last training found too little data; labelled, npos and nneg
-- count the labelled comments it saw; cv_accuracy, auc and weight are in
-- millionths (0 without a model).
CREATE TABLE text_models (
	tenant_id BIGINT NOT NULL PRIMARY KEY,
	blob TEXT,
	trained_at BIGINT NOT NULL,
	labelled BIGINT NOT NULL,
	npos BIGINT NOT NULL,
	nneg BIGINT NOT NULL,
	cv_accuracy BIGINT NOT NULL,
	auc BIGINT NOT NULL,
	weight BIGINT NOT NULL
);
