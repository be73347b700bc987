-- The outbox of e-mails to send (issue 4: email invitations). A message is
-- due while next_attempt_at is set and has passed; a sender claims it by
-- moving next_attempt_at forward (a lease), then marks it sent (sent_at,
-- next_attempt_at NULL) or failed (last_error, the next attempt, or NULL
-- when it gives up).
CREATE TABLE outbox (
	tenant_id BIGINT NOT NULL,
	id BIGINT NOT NULL,
	invitation_id BIGINT,
	to_address TEXT NOT NULL,
	subject TEXT NOT NULL,
	body_text TEXT NOT NULL,
	body_html TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at BIGINT,
	last_error TEXT,
	sent_at BIGINT,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, id)
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX outbox_invitation ON outbox (tenant_id, invitation_id);
