/*
 * floor.c - the floor under any SQLite importer on cxm's schema: rows
 * already parsed and resolved, loaded into memory first (not timed), then
 * bound and inserted with one prepared statement in one transaction, the
 * way cxm does. Usage: floor DB PEER.csv (the peer file of run.sh, whose
 * columns are the events table's). Prints seconds for the inserts.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NCOL 13

int main(int argc, char **argv)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	FILE *f;
	char *line = NULL, **rows = NULL;
	size_t cap = 0, n = 0, rcap = 0;
	struct timespec a, b;

	if (argc != 3 || !(f = fopen(argv[2], "r")))
		return fprintf(stderr, "usage: floor DB PEER.csv\n"), 2;
	while (getline(&line, &cap, f) > 0) {
		if (n == rcap)
			rows = realloc(rows, (rcap = rcap ? rcap * 2 : 1024) * sizeof(*rows));
		rows[n++] = strdup(line);
	}
	fclose(f);
	if (sqlite3_open(argv[1], &db) ||
	    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-32768", 0, 0, 0) ||
	    sqlite3_prepare_v2(db,
			       "INSERT INTO events (id, tenant_id, source_id, customer_id, type, channel, touchpoint,"
			       " agent, org_unit_id, ts, amount_micros, currency, properties)"
			       " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (tenant_id, source_id) DO NOTHING",
			       -1, &st, 0))
		return fprintf(stderr, "%s\n", sqlite3_errmsg(db)), 1;
	/* split every row into its columns now, so the timed loop only binds */
	char *(*cols)[NCOL] = malloc(n * sizeof(*cols));
	for (size_t i = 0; i < n; i++) {
		char *p = rows[i];
		p[strcspn(p, "\n")] = '\0';
		for (int c = 0; c < NCOL; c++) {
			cols[i][c] = p;
			if (c == NCOL - 1)
				break;
			p = strchr(p, ',');
			*p++ = '\0';
		}
		/* the properties column is CSV-quoted JSON: unquote it */
		char *q = cols[i][NCOL - 1], *w = q;
		if (*q == '"') {
			for (q++; *q; q++) {
				if (*q == '"' && q[1] == '"')
					q++;
				else if (*q == '"')
					break;
				*w++ = *q;
			}
			*w = '\0';
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, 0);
	for (size_t i = 0; i < n; i++) {
		for (int c = 0; c < NCOL; c++) {
			const char *v = cols[i][c];
			int is_int = c == 0 || c == 1 || c == 3 || c == 8 || c == 9 || c == 10;
			if (!*v)
				sqlite3_bind_null(st, c + 1);
			else if (is_int)
				sqlite3_bind_int64(st, c + 1, strtoll(v, NULL, 10));
			else
				sqlite3_bind_text(st, c + 1, v, -1, SQLITE_STATIC);
		}
		if (sqlite3_step(st) != SQLITE_DONE)
			return fprintf(stderr, "%s\n", sqlite3_errmsg(db)), 1;
		sqlite3_reset(st);
	}
	sqlite3_exec(db, "COMMIT", 0, 0, 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.2f\n", (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
	return 0;
}
