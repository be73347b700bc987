-- A customer's sequence (customer_seq, 0014) is its row plus the entries
-- in customer_seq_tail: each ingest call appends the new entries of each
-- customer it touches as one tail row (data: the same varint text as
-- customer_seq.data, n: its entries) instead of writing the customer's
-- row, so a commit writes the table's last pages, not a random half of
-- customer_seq's. When the call changed the row's segment or segs (a new
-- customer, a journey entered for the first time) the tail row carries
-- both, as the row would (segs NULL: unchanged). The tail is folded into
-- customer_seq, in customer id order, every JS_TAIL_MAX entries
-- (journey_store.c, docs/journeys.md); a customer may have no row yet.
-- ids in arrival order: inserts go to the last page. No index by
-- customer: the writing connection keeps the tail by customer in memory
-- (journey_store.c, "the tail in memory"); other readers scan the table,
-- which stays small (the fold empties it).
CREATE TABLE customer_seq_tail (
	id INTEGER PRIMARY KEY,
	tenant_id INTEGER NOT NULL,
	customer_id INTEGER NOT NULL,
	n INTEGER NOT NULL,
	data TEXT NOT NULL,
	segment TEXT,
	segs TEXT
);
