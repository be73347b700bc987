-- Idempotency keys (docs/api.md "Idempotency"): the answer to a write sent
-- with an Idempotency-Key header, per tenant and per credential
-- ("k<key id>" or "u<user id>"), replayed to a repeat of the same request
-- for 24 hours (cxm serve --idempotency-ttl-s); the scheduler deletes what
-- expired. request_hash: BLAKE2b of method, path, query and body.
CREATE TABLE idempotency_keys (
	tenant_id BIGINT NOT NULL,
	principal TEXT NOT NULL,
	idem_key TEXT NOT NULL,
	method TEXT NOT NULL,
	path TEXT NOT NULL,
	request_hash TEXT NOT NULL,
	status INTEGER NOT NULL,
	content_type TEXT,
	location TEXT,
	body TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, principal, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at, tenant_id);
