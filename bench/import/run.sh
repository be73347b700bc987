#!/bin/sh
# bench/import/run.sh - `cxm import events` of N events (default 1,000,000)
# from CSV, side by side with each database's own bulk loader on the same
# schema and the same rows: sqlite3's .import and PostgreSQL's COPY.
# The peers load rows already resolved to cxm's columns (no checks, no
# customer lookup, no deduplication logic of their own beyond the schema's
# indexes), so the ratio is what cxm's checks and resolution cost.
# Writes the table into docs/benchmarks.md. PostgreSQL runs on 127.0.0.1 only.
set -eu
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
N=${N:-1000000}
C=${C:-100000}
OUT=$ROOT/bench/out
CXM=$ROOT/cxm
mkdir -p "$OUT"
PGDIR=""
trap '[ -n "$PGDIR" ] && sh tests/pg.sh stop "$PGDIR" >/dev/null 2>&1 || true' EXIT

[ -s "$OUT/customers-$C.csv" ] || awk -v what=customers -v n="$C" -f bench/import/gen.awk >"$OUT/customers-$C.csv"
[ -s "$OUT/events-$N.csv" ] || awk -v what=events -v n="$N" -v customers="$C" -f bench/import/gen.awk >"$OUT/events-$N.csv"
EVENTS=$OUT/events-$N.csv
MB=$(du -m "$EVENTS" | cut -f1)

# timed LABEL CMD...: runs CMD under GNU time; sets SECS and RSS_MB.
timed() {
	label=$1
	shift
	/usr/bin/time -f '%e %M' -o "$OUT/time" "$@" >"$OUT/$label.log" 2>&1 || { cat "$OUT/$label.log"; exit 1; }
	SECS=$(cut -d' ' -f1 "$OUT/time")
	RSS_MB=$(awk '{printf "%.0f", $2 / 1024}' "$OUT/time")
	echo "$label: ${SECS}s, ${RSS_MB} MB RSS" >&2
}

rate() { awk -v n="$N" -v s="$1" 'BEGIN { printf "%.0f", n / s }'; }

# peer_csv TENANT MAP OUT IDFIRST: the events file in the table's own
# column order (SQLite's events table starts with id, PostgreSQL's with
# tenant_id), resolved with the customer ids of the peer's database.
peer_csv() {
	tenant=$1 map=$2 out=$3 idfirst=$4
	awk -F, -v OFS=, -v tenant="$tenant" -v map="$map" -v idfirst="$idfirst" '
	function days(y, m, d,   era, yoe, doy) {
		y -= (m <= 2); era = int((y >= 0 ? y : y - 399) / 400); yoe = y - era * 400
		doy = int((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
		return era * 146097 + yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy - 719468
	}
	BEGIN { while ((getline line < map) > 0) { split(line, p, "|"); id[p[1]] = p[2] } }
	NR == 1 { next }
	{
		ts = (days(substr($5, 1, 4), substr($5, 6, 2) + 0, substr($5, 9, 2) + 0) * 86400 + substr($5, 12, 2) * 3600 + substr($5, 15, 2) * 60 + substr($5, 18, 2)) "000000"
		amount = ""
		if ($8 != "") { split($8, a, "."); amount = a[1] sprintf("%02d", a[2]) "0000" }
		props = $10 == "" ? "{}" : "\"{\"\"sku\"\":\"\"" $10 "\"\"}\""
		if (idfirst) print NR - 1, tenant, $1, id[$2], $3, $4, $6, $7, "", ts, amount, ($9 == "" ? "" : $9), props
		else print tenant, NR - 1, $1, id[$2], $3, $4, $6, $7, "", ts, amount, ($9 == "" ? "" : $9), props
	}' "$EVENTS" >"$out"
}

echo "== SQLite" >&2
rm -f "$OUT"/cxm.db* "$OUT"/peer.db* "$OUT"/floor*.db*
for db in cxm peer; do
	"$CXM" tenant create bench --db "sqlite:$OUT/$db.db" 2>/dev/null
	"$CXM" import customers "$OUT/customers-$C.csv" --db "sqlite:$OUT/$db.db" 2>/dev/null
done
sqlite3 "$OUT/peer.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp "$OUT/peer.db" "$OUT/floor.db"
cp "$OUT/peer.db" "$OUT/floor-noidx.db"
sqlite3 "$OUT/floor-noidx.db" "DROP INDEX events_customer"
cc -O2 -o "$OUT/floor" bench/import/floor.c -lsqlite3
timed cxm-sqlite "$CXM" import events "$EVENTS" --db "sqlite:$OUT/cxm.db"
S_CXM=$SECS R_CXM=$RSS_MB
tenant=$(sqlite3 "$OUT/peer.db" "SELECT id FROM tenants")
sqlite3 "$OUT/peer.db" "SELECT value, customer_id FROM identities WHERE kind = 'external_id'" >"$OUT/map"
peer_csv "$tenant" "$OUT/map" "$OUT/peer-sqlite.csv" 1
timed sqlite-import sqlite3 "$OUT/peer.db" -cmd "PRAGMA synchronous=FULL" -cmd "PRAGMA cache_size=-32768" \
	-cmd ".mode csv" ".import $OUT/peer-sqlite.csv events"
S_PEER=$SECS R_PEER=$RSS_MB
F_ALL=$("$OUT/floor" "$OUT/floor.db" "$OUT/peer-sqlite.csv")
F_NOIDX=$("$OUT/floor" "$OUT/floor-noidx.db" "$OUT/peer-sqlite.csv")
echo "floor: ${F_ALL}s, without the customer index ${F_NOIDX}s" >&2
n1=$(sqlite3 "$OUT/cxm.db" "SELECT COUNT(*) FROM events")
n2=$(sqlite3 "$OUT/peer.db" "SELECT COUNT(*) FROM events")
[ "$n1" = "$N" ] && [ "$n2" = "$N" ] || { echo "row counts differ: cxm $n1, sqlite3 $n2" >&2; exit 1; }

echo "== PostgreSQL" >&2
PGDIR=$(mktemp -d /tmp/cxm-bench-pg-XXXXXX)
chmod 755 "$PGDIR"
url=$(sh tests/pg.sh start "$PGDIR")
base=${url%/cxm}
for db in bench_cxm bench_peer; do
	psql -q "$url" -c "CREATE DATABASE $db" >/dev/null
	"$CXM" tenant create bench --db "$base/$db" 2>/dev/null
	"$CXM" import customers "$OUT/customers-$C.csv" --db "$base/$db" 2>/dev/null
done
timed cxm-pg "$CXM" import events "$EVENTS" --db "$base/bench_cxm"
P_CXM=$SECS PR_CXM=$RSS_MB
tenant=$(psql -At "$base/bench_peer" -c "SELECT id FROM tenants")
psql -At -F'|' "$base/bench_peer" -c "SELECT value, customer_id FROM identities WHERE kind = 'external_id'" >"$OUT/map"
peer_csv "$tenant" "$OUT/map" "$OUT/peer-pg.csv" 0
timed pg-copy psql -q "$base/bench_peer" -c "\\copy events FROM '$OUT/peer-pg.csv' WITH (FORMAT csv)"
P_PEER=$SECS
n1=$(psql -At "$base/bench_cxm" -c "SELECT COUNT(*) FROM events")
n2=$(psql -At "$base/bench_peer" -c "SELECT COUNT(*) FROM events")
[ "$n1" = "$N" ] && [ "$n2" = "$N" ] || { echo "row counts differ: cxm $n1, COPY $n2" >&2; exit 1; }

# the table
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
{
	echo "<!-- import:begin (written by bench/import/run.sh) -->"
	echo "### Import: $N events from CSV ($MB MB, $C customers), one run on $(date -u +%Y-%m-%d)"
	echo
	echo "| database | loader | seconds | events/s | time vs. peer | peak RSS |"
	echo "| --- | --- | ---: | ---: | ---: | ---: |"
	echo "| SQLite | \`cxm import events\` | $S_CXM | $(rate "$S_CXM") | $(ratio "$S_CXM" "$S_PEER")× | $R_CXM MB |"
	echo "| SQLite | sqlite3 \`.import\` (peer) | $S_PEER | $(rate "$S_PEER") | 1.00× | $R_PEER MB |"
	echo "| SQLite | bare C insert loop, rows pre-parsed (floor) | $F_ALL | $(rate "$F_ALL") | $(ratio "$F_ALL" "$S_PEER")× | — |"
	echo "| SQLite | the same without the customer-timeline index | $F_NOIDX | $(rate "$F_NOIDX") | $(ratio "$F_NOIDX" "$S_PEER")× | — |"
	echo "| PostgreSQL 15 | \`cxm import events\` | $P_CXM | $(rate "$P_CXM") | $(ratio "$P_CXM" "$P_PEER")× | $PR_CXM MB |"
	echo "| PostgreSQL 15 | \`COPY\` via psql (peer) | $P_PEER | $(rate "$P_PEER") | 1.00× | — |"
	echo
	echo "Same schema and rows on both sides (\`events\` with its unique source-id index and its"
	echo "customer-timeline index). The peers load rows already resolved to the table's columns; cxm"
	echo "parses the CSV, checks every field, resolves each customer by external_id, and skips"
	echo "duplicates. SQLite: WAL, synchronous=FULL, 32 MB page cache on both sides. PostgreSQL: a"
	echo "throw-away server with fsync off, the same for both. 2 cores; the machine is shared, so"
	echo "compare the ratios of one run rather than absolute numbers across runs."
	echo
	echo "The floor rows time only SQLite's own work on this schema (\`bench/import/floor.c\`: rows parsed"
	echo "and resolved beforehand, then bound and inserted as cxm does). The index on"
	echo "\`(tenant_id, customer_id, ts)\` that serves the customer timeline and merges takes random"
	echo "keys on every insert and costs SQLite itself more than half of its time; with it, no"
	echo "importer reaches 300,000 events/s on this machine."
	echo "<!-- import:end -->"
} >"$OUT/table.md"

DOC=docs/benchmarks.md
if [ -f "$DOC" ] && grep -q 'import:begin' "$DOC"; then
	awk -v tbl="$OUT/table.md" '
		/import:begin/ { while ((getline l < tbl) > 0) print l; skip = 1; next }
		/import:end/ { skip = 0; next }
		!skip { print }' "$DOC" >"$DOC.tmp" && mv "$DOC.tmp" "$DOC"
else
	{ echo "# Benchmarks"; echo; echo "Run with \`make bench\`."; echo; cat "$OUT/table.md"; } >"$DOC"
fi
cat "$OUT/table.md"
