// bench/lib/duckdb.mjs - what the benchmarks' DuckDB peers share
// (bench/metrics/duckdb.mjs, bench/journey/duckdb.mjs; npm @duckdb/node-api,
// DuckDB embedded in the node process): loading CSV into a new DuckDB file
// and the query protocol of every peer: two warm-up runs of each query (the
// first writes its rows to RESULTS), then REPS runs or until BUDGET seconds
// have gone by (at least 3); "name p50_ms p95_ms runs" a query on stdout.
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

const WARMUP = 2;
const MIN_RUNS = 3;

const now = () => Number(process.hrtime.bigint()) / 1e6; // ms

/** S quoted as an SQL string. */
export const quote = (s) => `'${s.replaceAll("'", "''")}'`;

async function open(path) {
	const instance = await DuckDBInstance.create(path);
	return instance.connect();
}

/**
 * A new DuckDB file PATH made by STATEMENTS (CREATE TABLE ... AS SELECT
 * FROM read_csv(...)); says how many rows COUNT_SQL counts (of WHAT) on
 * stderr and prints the seconds it took.
 */
export async function load(path, statements, countSql, what) {
	const t0 = now();
	rmSync(path, { force: true });
	rmSync(`${path}.wal`, { force: true });
	const con = await open(path);
	for (const sql of statements) await con.run(sql);
	await con.run('CHECKPOINT');
	const rows = (await con.runAndReadAll(countSql)).getRows()[0][0];
	console.error(`duckdb: ${rows} ${what} loaded`);
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
			// read every row, as the C peers do
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

/**
 * The command line of a peer: `load DB ARGS...` (LOAD_ARGS names them for
 * the usage; LOAD_FN(db, ...args) loads) or `query DB QUERIES REPS BUDGET RESULTS`.
 */
export async function main(loadArgs, loadFn) {
	const [mode, ...args] = process.argv.slice(2);
	if (mode === 'load' && args.length === 1 + loadArgs.length) await loadFn(...args);
	else if (mode === 'query' && args.length === 5) await query(args[0], args[1], Number(args[2]), Number(args[3]), args[4]);
	else {
		console.error(`usage: node duckdb.mjs load DB ${loadArgs.join(' ')} | query DB QUERIES REPS BUDGET RESULTS`);
		process.exit(2);
	}
}
