-- Receipts of anonymous responses (anonymous surveys, open links): only a
-- hash of the code the respondent was shown, and the response it opens.
CREATE TABLE receipts (
	tenant_id BIGINT NOT NULL,
	code_hash TEXT NOT NULL,
	survey_id BIGINT NOT NULL,
	response_id BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, code_hash)
);
CREATE INDEX receipts_response ON receipts (tenant_id, response_id);
