/* bench/metrics/peer.c - the SQLite and PostgreSQL peers of the metrics
 * benchmark: plain SQL over a plain responses table.
 *
 *   peer sqlite-load DB CSV
 *       creates the table in a new SQLite file, inserts the rows of gen.c's
 *       CSV (empty fields as NULL) in one transaction, then the index on ts
 *       and ANALYZE; prints the seconds it took.
 *   peer sqlite DB QUERIES REPS BUDGET RESULTS
 *   peer pg URL QUERIES REPS BUDGET RESULTS
 *       runs each query of QUERIES (queries.sql with @MONTH@ replaced) twice
 *       to warm up, then REPS times or until BUDGET seconds have gone by
 *       (at least 3 times); prints "name p50_ms p95_ms runs" a query, and
 *       writes the rows of each query's first run to RESULTS (integers as
 *       they are, other numbers with 4 decimals) so that engines can be
 *       compared with diff.
 */
#define _POSIX_C_SOURCE 200809L
#include "timing.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_QUERIES 16

struct query {
	char name[64];
	char *sql;
};

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "peer: %s: %s\n", what, detail ? detail : "");
	exit(1);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		die("cannot open", path);
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	rewind(f);
	char *text = malloc((size_t)size + 1);
	if (!text || fread(text, 1, (size_t)size, f) != (size_t)size)
		die("cannot read", path);
	text[size] = '\0';
	fclose(f);
	return text;
}

/* Splits the text of queries.sql at its lines starting "-- name: X". */
static int parse_queries(char *text, struct query *q)
{
	static const char mark[] = "\n-- name: ";
	int n = 0;
	for (char *p = strstr(text, mark); p; n++) {
		if (n == MAX_QUERIES)
			die("too many queries", NULL);
		char *next = strstr(p + 1, mark);
		p += sizeof mark - 1;
		size_t len = strcspn(p, "\n");
		if (len == 0 || len >= sizeof q[n].name)
			die("bad query name", NULL);
		memcpy(q[n].name, p, len);
		q[n].name[len] = '\0';
		q[n].sql = p + len;
		if (next)
			*next = '\0'; /* ends this query; the next one is found from here */
		p = next;
	}
	return n;
}

/* A number as results print it: integers unchanged, others with 4 decimals. */
static void print_value(FILE *out, const char *text, int integer)
{
	if (!text)
		fputs("NULL", out);
	else if (integer)
		fputs(text, out);
	else {
		char *end;
		double v = strtod(text, &end);
		if (*text && *end == '\0')
			fprintf(out, "%.4f", v);
		else
			fputs(text, out);
	}
}

/* ---- SQLite ------------------------------------------------------------- */

static sqlite3 *sqlite_open(const char *path, int flags)
{
	sqlite3 *db;
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK)
		die("sqlite open", sqlite3_errmsg(db));
	return db;
}

static void sqlite_exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		die(sql, err);
}

static int sqlite_load(const char *path, const char *csv)
{
	double t0 = now();
	remove(path);
	sqlite3 *db = sqlite_open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	sqlite_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;"
			"CREATE TABLE responses (id INTEGER PRIMARY KEY, ts TEXT NOT NULL,"
			" segment TEXT NOT NULL, channel TEXT NOT NULL, agent TEXT NOT NULL, unit TEXT NOT NULL,"
			" nps INTEGER NOT NULL, csat INTEGER, ces INTEGER); BEGIN");
	sqlite3_stmt *ins;
	if (sqlite3_prepare_v2(db, "INSERT INTO responses VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", -1, &ins,
			       NULL) != SQLITE_OK)
		die("prepare", sqlite3_errmsg(db));
	FILE *f = fopen(csv, "r");
	if (!f)
		die("cannot open", csv);
	char line[256];
	long rows = 0;
	while (fgets(line, sizeof line, f)) {
		char *field[9];
		int nf = 0;
		char *p = line;
		line[strcspn(line, "\n")] = '\0';
		while (nf < 9) {
			field[nf++] = p;
			p = strchr(p, ',');
			if (!p)
				break;
			*p++ = '\0';
		}
		if (nf != 9)
			die("short line", line);
		for (int i = 0; i < 9; i++) {
			if (*field[i] == '\0')
				sqlite3_bind_null(ins, i + 1);
			else if (i == 0 || i >= 6)
				sqlite3_bind_int64(ins, i + 1, atoll(field[i]));
			else
				sqlite3_bind_text(ins, i + 1, field[i], -1, SQLITE_TRANSIENT);
		}
		if (sqlite3_step(ins) != SQLITE_DONE)
			die("insert", sqlite3_errmsg(db));
		sqlite3_reset(ins);
		rows++;
	}
	fclose(f);
	sqlite3_finalize(ins);
	sqlite_exec(db, "COMMIT; CREATE INDEX responses_ts ON responses (ts); ANALYZE;"
			"PRAGMA wal_checkpoint(TRUNCATE)");
	sqlite3_close(db);
	fprintf(stderr, "sqlite: %ld rows loaded\n", rows);
	printf("%.1f\n", now() - t0);
	return 0;
}

static void sqlite_run(sqlite3 *db, const struct query *q, FILE *results)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, q->sql, -1, &st, NULL) != SQLITE_OK)
		die(q->name, sqlite3_errmsg(db));
	if (results)
		fprintf(results, "-- %s\n", q->name);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!results)
			continue;
		int cols = sqlite3_column_count(st);
		for (int i = 0; i < cols; i++) {
			int type = sqlite3_column_type(st, i);
			if (i)
				fputc(',', results);
			print_value(results, (const char *)sqlite3_column_text(st, i), type == SQLITE_INTEGER);
		}
		fputc('\n', results);
	}
	if (rc != SQLITE_DONE)
		die(q->name, sqlite3_errmsg(db));
	sqlite3_finalize(st);
}

/* ---- PostgreSQL --------------------------------------------------------- */

static void pg_run(PGconn *pg, const struct query *q, FILE *results)
{
	PGresult *r = PQexec(pg, q->sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		die(q->name, PQresultErrorMessage(r));
	if (results) {
		fprintf(results, "-- %s\n", q->name);
		for (int row = 0; row < PQntuples(r); row++) {
			for (int i = 0; i < PQnfields(r); i++) {
				Oid type = PQftype(r, i);
				if (i)
					fputc(',', results);
				/* int8, int2, int4 */
				print_value(results, PQgetisnull(r, row, i) ? NULL : PQgetvalue(r, row, i),
					    type == 20 || type == 21 || type == 23);
			}
			fputc('\n', results);
		}
	}
	PQclear(r);
}

/* ---- timing ------------------------------------------------------------- */

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "sqlite-load") == 0)
		return sqlite_load(argv[2], argv[3]);
	if (argc != 7 || (strcmp(argv[1], "sqlite") && strcmp(argv[1], "pg"))) {
		fprintf(stderr, "usage: peer sqlite-load DB CSV\n"
				"       peer sqlite|pg DB|URL QUERIES REPS BUDGET RESULTS\n");
		return 2;
	}
	int is_pg = strcmp(argv[1], "pg") == 0;
	int reps = atoi(argv[4]);
	double budget = atof(argv[5]);
	struct query q[MAX_QUERIES];
	int nq = parse_queries(slurp(argv[3]), q);
	FILE *results = fopen(argv[6], "w");
	if (!results || nq == 0 || reps < MIN_RUNS)
		die("bad arguments", argv[6]);

	sqlite3 *db = NULL;
	PGconn *pg = NULL;
	if (is_pg) {
		pg = PQconnectdb(argv[2]);
		if (PQstatus(pg) != CONNECTION_OK)
			die("pg connect", PQerrorMessage(pg));
	} else {
		db = sqlite_open(argv[2], SQLITE_OPEN_READONLY);
		sqlite_exec(db, "PRAGMA cache_size=-262144; PRAGMA mmap_size=4294967296");
	}
	double *ms = malloc(sizeof *ms * (size_t)reps);
	if (!ms)
		die("out of memory", NULL);
	for (int i = 0; i < nq; i++) {
		int runs = 0;
		/* the first warm-up run writes the results */
		for (int w = 0; w < WARMUP; w++)
			is_pg ? pg_run(pg, &q[i], w ? NULL : results) : sqlite_run(db, &q[i], w ? NULL : results);
		double start = now();
		while (more_runs(runs, reps, start, budget)) {
			double t0 = now();
			is_pg ? pg_run(pg, &q[i], NULL) : sqlite_run(db, &q[i], NULL);
			ms[runs++] = (now() - t0) * 1000.0;
		}
		report_runs(q[i].name, ms, runs);
	}
	fclose(results);
	if (pg)
		PQfinish(pg);
	if (db)
		sqlite3_close(db);
	return 0;
}
