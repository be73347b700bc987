-- The customer timeline without random writes on ingest (docs/architecture.md,
-- "The customer timeline"). An event is first in the recent tail
-- (timeline = 0: indexed by id, which grows as events arrive, so inserting
-- appends); flushing moves tails into the customer index in big batches,
-- so each index page is written once per flush instead of once per commit.
-- Rows stored before this migration are already in the index.
ALTER TABLE events ADD COLUMN timeline INTEGER NOT NULL DEFAULT 1;
DROP INDEX events_customer;
CREATE INDEX events_customer ON events (tenant_id, customer_id, ts) WHERE timeline = 1;
CREATE INDEX events_recent ON events (tenant_id, id) WHERE timeline = 0;
