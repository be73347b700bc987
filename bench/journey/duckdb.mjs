// bench/journey/duckdb.mjs - the DuckDB peer of the journey benchmark
// (npm @duckdb/node-api, DuckDB embedded in this node process). The
// protocol is bench/metrics/duckdb.mjs's; the tables are the journey's.
//
//   node duckdb.mjs load DB EVENTS CUSTOMERS
//       loads gen.c's two CSV files into a new DuckDB file (plain tables,
//       no index: DuckDB keeps min/max per row group); prints the seconds.
//   node duckdb.mjs query DB QUERIES REPS BUDGET RESULTS
//       two warm-up runs of each query (the first writes its rows to
//       RESULTS), then REPS runs or until BUDGET seconds have gone by (at
//       least 3); prints "name p50_ms p95_ms runs" a query.
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

const WARMUP = 2;
const MIN_RUNS = 3;

const now = () => Number(process.hrtime.bigint()) / 1e6; // ms
const quote = (s) => `'${s.replaceAll("'", "''")}'`;

async function open(path) {
	const instance = await DuckDBInstance.create(path);
	return instance.connect();
}

async function load(path, events, customers) {
	const t0 = now();
	rmSync(path, { force: true });
	rmSync(`${path}.wal`, { force: true });
	const con = await open(path);
	await con.run(`CREATE TABLE events AS SELECT * FROM read_csv(${quote(events)},
		header = false, auto_detect = false, columns = {
			'id': 'BIGINT', 'customer_id': 'BIGINT', 'ts': 'BIGINT', 'type': 'VARCHAR',
			'channel': 'VARCHAR', 'touchpoint': 'VARCHAR'})`);
	await con.run(`CREATE TABLE customers AS SELECT * FROM read_csv(${quote(customers)},
		header = false, auto_detect = false, columns = {'id': 'BIGINT', 'segment': 'VARCHAR'})`);
	await con.run('CHECKPOINT');
	const rows = (await con.runAndReadAll('SELECT COUNT(*) FROM events')).getRows()[0][0];
	console.error(`duckdb: ${rows} events loaded`);
	console.log(((now() - t0) / 1000).toFixed(1));
	con.closeSync();
}

// Integers as they are (DuckDB gives BIGINT as BigInt), other numbers with 4 decimals.
function cell(v) {
	if (v === null) return 'NULL';
	if (typeof v === 'bigint') return String(v);
	if (typeof v === 'number') return v.toFixed(4);
	return String(v);
}

function queries(text) {
	return text.split(/\n-- name: /).slice(1).map((part) => {
		const nl = part.indexOf('\n');
		return { name: part.slice(0, nl), sql: part.slice(nl) };
	});
}

async function query(path, file, reps, budget, resultsPath) {
	const con = await open(path);
	let results = '';
	for (const q of queries(readFileSync(file, 'utf8'))) {
		for (let w = 0; w < WARMUP; w++) {
			const r = await con.runAndReadAll(q.sql);
			if (w === 0)
				results += `-- ${q.name}\n` + r.getRows().map((row) => row.map(cell).join(',') + '\n').join('');
		}
		const ms = [];
		const start = now();
		while (ms.length < reps && (ms.length < MIN_RUNS || now() - start < budget * 1000)) {
			const t0 = now();
			(await con.runAndReadAll(q.sql)).getRows();
			ms.push(now() - t0);
		}
		ms.sort((a, b) => a - b);
		const pct = (p) => ms[Math.max(0, Math.ceil((p / 100) * ms.length) - 1)];
		console.log(`${q.name} ${pct(50).toFixed(2)} ${pct(95).toFixed(2)} ${ms.length}`);
	}
	writeFileSync(resultsPath, results);
	con.closeSync();
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'load' && args.length === 3) await load(...args);
else if (mode === 'query' && args.length === 5) await query(args[0], args[1], Number(args[2]), Number(args[3]), args[4]);
else {
	console.error('usage: node duckdb.mjs load DB EVENTS CUSTOMERS | query DB QUERIES REPS BUDGET RESULTS');
	process.exit(2);
}
