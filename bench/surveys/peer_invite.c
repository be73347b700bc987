/*
 * peer_invite.c - the ceiling for queuing e-mail invitations: raw SQLite,
 * on a copy of the same database (same schema, indexes and customers, the
 * same pragmas as cxm: WAL, synchronous=FULL), writing the same rows cxm
 * writes for a bulk send: per customer one invitations row and one outbox
 * row with a link token of the same length, in one transaction per chunk
 * of CHUNK customers read in id order (cxm's commit pattern). No checks,
 * no HMAC, no HTTP: only the reads and writes the result needs.
 * Usage: peer_invite DB TENANT SURVEY CHUNK TOKEN_LEN; prints the rows queued.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

static void check(sqlite3 *db, int rc, const char *what)
{
	if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
		fprintf(stderr, "peer_invite: %s: %s\n", what, sqlite3_errmsg(db));
		exit(1);
	}
}

static int64_t now_us(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

int main(int argc, char **argv)
{
	sqlite3 *db;
	sqlite3_stmt *sel, *inv, *out;
	int64_t tenant, survey, after = 0, queued = 0, id;
	int chunk, toklen, got;
	char token[256];

	if (argc != 6) {
		fprintf(stderr, "usage: peer_invite DB TENANT SURVEY CHUNK TOKEN_LEN\n");
		return 2;
	}
	tenant = atoll(argv[2]);
	survey = atoll(argv[3]);
	chunk = atoi(argv[4]);
	toklen = atoi(argv[5]);
	if (toklen <= 0 || toklen >= (int)sizeof(token))
		return 2;
	check(NULL, sqlite3_open(argv[1], &db) == SQLITE_OK ? SQLITE_OK : SQLITE_ERROR, "open");
	check(db, sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-32768", 0, 0, 0),
	      "pragmas");
	check(db, sqlite3_prepare_v2(db, "SELECT id, email FROM customers WHERE tenant_id = ? AND id > ?"
					 " AND merged_into IS NULL ORDER BY id LIMIT ?", -1, &sel, NULL), "select");
	check(db, sqlite3_prepare_v2(db, "INSERT INTO invitations (tenant_id, id, survey_id, customer_id, channel, status,"
					 " created_at, expires_at) VALUES (?, ?, ?, ?, 'email', 'created', ?, ?)", -1, &inv, NULL),
	      "insert invitation");
	check(db, sqlite3_prepare_v2(db, "INSERT INTO outbox (tenant_id, id, invitation_id, to_address, subject, body_text,"
					 " body_html, attempts, next_attempt_at, created_at, link_token)"
					 " VALUES (?, ?, ?, ?, '', '', '', 0, ?, ?, ?)", -1, &out, NULL),
	      "insert outbox");
	memset(token, 'a', (size_t)toklen);
	token[toklen] = '\0';
	id = now_us() << 12; /* time-ordered like cxm's ids, above any it made */
	do {
		got = 0;
		check(db, sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, 0), "begin");
		sqlite3_bind_int64(sel, 1, tenant);
		sqlite3_bind_int64(sel, 2, after);
		sqlite3_bind_int(sel, 3, chunk);
		while (sqlite3_step(sel) == SQLITE_ROW) {
			int64_t cust = sqlite3_column_int64(sel, 0), t = now_us(), inv_id = ++id;
			const char *email = (const char *)sqlite3_column_text(sel, 1);
			after = cust;
			got++;
			if (!email)
				continue;
			snprintf(token, sizeof(token), "%lld.%lld.%lld.", (long long)tenant, (long long)inv_id, (long long)(t / 1000000));
			memset(token + strlen(token), 'f', (size_t)toklen - strlen(token));
			token[toklen] = '\0';
			sqlite3_bind_int64(inv, 1, tenant);
			sqlite3_bind_int64(inv, 2, inv_id);
			sqlite3_bind_int64(inv, 3, survey);
			sqlite3_bind_int64(inv, 4, cust);
			sqlite3_bind_int64(inv, 5, t);
			sqlite3_bind_int64(inv, 6, t + (int64_t)30 * 86400 * 1000000);
			check(db, sqlite3_step(inv), "invitation");
			sqlite3_reset(inv);
			sqlite3_bind_int64(out, 1, tenant);
			sqlite3_bind_int64(out, 2, ++id);
			sqlite3_bind_int64(out, 3, inv_id);
			sqlite3_bind_text(out, 4, email, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(out, 5, t);
			sqlite3_bind_int64(out, 6, t);
			sqlite3_bind_text(out, 7, token, -1, SQLITE_STATIC);
			check(db, sqlite3_step(out), "outbox");
			sqlite3_reset(out);
			queued++;
		}
		sqlite3_reset(sel);
		check(db, sqlite3_exec(db, "COMMIT", 0, 0, 0), "commit");
	} while (got == chunk);
	sqlite3_finalize(sel);
	sqlite3_finalize(inv);
	sqlite3_finalize(out);
	sqlite3_close(db);
	printf("%lld\n", (long long)queued);
	return 0;
}
