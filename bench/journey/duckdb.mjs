// bench/journey/duckdb.mjs - the DuckDB peer of the journey benchmark
// (bench/lib/duckdb.mjs: DuckDB embedded in this node process, the
// protocol of the other peers; the tables are the journey's).
//
//   node duckdb.mjs load DB EVENTS CUSTOMERS
//       loads gen.c's two CSV files into a new DuckDB file (plain tables,
//       no index: DuckDB keeps min/max per row group); prints the seconds.
//   node duckdb.mjs query DB QUERIES REPS BUDGET RESULTS
//       two warm-up runs of each query (the first writes its rows to
//       RESULTS), then REPS runs or until BUDGET seconds have gone by (at
//       least 3); prints "name p50_ms p95_ms runs" a query.
import { load, main, quote } from '../lib/duckdb.mjs';

await main(['EVENTS', 'CUSTOMERS'], (path, events, customers) => load(path, [
	`CREATE TABLE events AS SELECT * FROM read_csv(${quote(events)},
		header = false, auto_detect = false, columns = {
			'id': 'BIGINT', 'customer_id': 'BIGINT', 'ts': 'BIGINT', 'type': 'VARCHAR',
			'channel': 'VARCHAR', 'touchpoint': 'VARCHAR'})`,
	`CREATE TABLE customers AS SELECT * FROM read_csv(${quote(customers)},
		header = false, auto_detect = false, columns = {'id': 'BIGINT', 'segment': 'VARCHAR'})`,
], 'SELECT COUNT(*) FROM events', 'events'));
