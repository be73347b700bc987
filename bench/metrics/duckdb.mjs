// bench/metrics/duckdb.mjs - the DuckDB peer of the metrics benchmark
// (bench/lib/duckdb.mjs: DuckDB embedded in this node process).
//
//   node duckdb.mjs load DB CSV
//       loads gen.c's CSV into a new DuckDB file (a plain table, no index:
//       DuckDB keeps min/max per row group); prints the seconds it took.
//   node duckdb.mjs query DB QUERIES REPS BUDGET RESULTS
//       the same protocol as peer.c: two warm-up runs (the first writes the
//       rows to RESULTS), then REPS runs or until BUDGET seconds have gone by
//       (at least 3); prints "name p50_ms p95_ms runs" a query.
import { load, main, quote } from '../lib/duckdb.mjs';

await main(['CSV'], (path, csv) => load(path, [`CREATE TABLE responses AS SELECT * FROM read_csv(${quote(csv)},
		header = false, auto_detect = false, columns = {
			'id': 'BIGINT', 'ts': 'TIMESTAMP', 'segment': 'VARCHAR', 'channel': 'VARCHAR',
			'agent': 'VARCHAR', 'unit': 'VARCHAR', 'nps': 'SMALLINT', 'csat': 'SMALLINT', 'ces': 'SMALLINT'})`],
	'SELECT COUNT(*) FROM responses', 'rows'));
