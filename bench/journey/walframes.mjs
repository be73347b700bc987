// bench/journey/walframes.mjs - which tables a load's page writes went to.
// Reads a copy of a SQLite WAL file (taken while the server still runs,
// under a load with checkpoints off, so it holds every frame the load
// wrote) and the database's page map (`sqlite3 DB "SELECT name, pageno
// FROM dbstat"` after the load), and prints per table the WAL frames
// (pages written) and the distinct pages among them, and the commits.
// cxm has no knob for checkpoints: for a measurement, run a build with
// `PRAGMA wal_autocheckpoint=0` added to src/store/sqlite.c's open, and
// copy DB-wal before stopping the server (it checkpoints at close).
// Usage: node bench/journey/walframes.mjs WAL MAP
import { openSync, readFileSync, readSync } from 'node:fs';

const [wal, map] = process.argv.slice(2);
if (!wal || !map) {
	console.error('usage: node bench/journey/walframes.mjs WAL MAP');
	process.exit(2);
}
const table = new Map();
for (const line of readFileSync(map, 'utf8').split('\n')) {
	const at = line.lastIndexOf('|');
	if (at > 0)
		table.set(Number(line.slice(at + 1)), line.slice(0, at));
}
const fd = openSync(wal, 'r');
const head = Buffer.alloc(32);
if (readSync(fd, head, 0, 32, 0) !== 32 || (head.readUInt32BE(0) & ~1) !== 0x377f0682)
	throw new Error(`${wal}: not a WAL file`);
const pageSize = head.readUInt32BE(8);
const frame = Buffer.alloc(24);
const frames = new Map(), pages = new Map();
let commits = 0, total = 0;
for (let at = 32; readSync(fd, frame, 0, 24, at) === 24; at += 24 + pageSize) {
	const name = table.get(frame.readUInt32BE(0)) ?? '?';
	frames.set(name, (frames.get(name) ?? 0) + 1);
	if (!pages.has(name))
		pages.set(name, new Set());
	pages.get(name).add(frame.readUInt32BE(0));
	if (frame.readUInt32BE(4))
		commits++;
	total++;
}
console.log(`${total} frames, ${commits} commits`);
for (const [name, n] of [...frames].sort((a, b) => b[1] - a[1]))
	console.log(`${name.padEnd(36)} ${String(n).padStart(9)} frames ${String(pages.get(name).size).padStart(7)} pages`);
