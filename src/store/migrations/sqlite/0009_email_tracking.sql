-- E-mail delivery tracking (issue 4: email invitations). An invitation
-- keeps when its message was accepted by our SMTP server (sent_at), when
-- the provider reported it delivered (delivered_at), and why it failed
-- (failure: the last SMTP error, a bounce or a complaint). The outbox keeps
-- the link token its message is composed from at sending time (bodies are
-- then empty, so a bulk send stores small rows), when the provider reported
-- delivery, and the last report (bounced or complained, with the reason).
ALTER TABLE invitations ADD COLUMN sent_at INTEGER;
ALTER TABLE invitations ADD COLUMN delivered_at INTEGER;
ALTER TABLE invitations ADD COLUMN failure TEXT;
ALTER TABLE outbox ADD COLUMN link_token TEXT;
ALTER TABLE outbox ADD COLUMN delivered_at INTEGER;
ALTER TABLE outbox ADD COLUMN report TEXT;
