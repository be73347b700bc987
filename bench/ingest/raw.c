/*
 * raw.c - the raw SQLite insert rate of the rows the ingest benchmark
 * sends: the same events table and indexes (a copy of a cxm-created
 * database with its customers), the same INSERT cxm's store runs, every
 * parameter bound, committed every BATCH rows with synchronous=FULL in WAL
 * mode and cxm's 32 MB page cache. That is what cxm's group commit would
 * do at best with BATCH events per commit: no HTTP, no JSON, no customer
 * lookup (customers are resolved before the clock starts).
 *
 * Usage: raw DB ROWS BATCH SECONDS. A ring of RING rows is built in
 * memory first (not timed); the timed loop only gives each row its unique
 * source id and binds it. Inserting stops after ROWS rows or SECONDS
 * seconds, whichever comes first. Prints "rows seconds rows_per_second commits". Extra
 * PRAGMAs to try (e.g. "PRAGMA wal_autocheckpoint=16384") may be given in
 * $RAW_PRAGMAS; run.sh leaves it empty, so the rate is cxm's settings'.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RING 65536

struct row {
	char source_id[32];
	int64_t customer_id;
	const char *type, *channel, *touchpoint;
	char agent[16];
	int64_t ts, amount; /* amount < 0: none */
	char props[224];
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int die(sqlite3 *db, const char *what)
{
	fprintf(stderr, "raw: %s: %s\n", what, db ? sqlite3_errmsg(db) : "out of memory");
	return 1;
}

/* One event of the kinds bench/ingest/events.lua sends, of about the same
 * size once stored (properties printed the way cxm stores them: keys
 * sorted, no spaces). */
static void make_row(struct row *r, const int64_t *cust, long ncust)
{
	static const char *const dev[] = { "desktop", "mobile", "tablet" };
	int k = rand() % 8;

	r->customer_id = cust[rand() % ncust];
	/* 2026-03-01 .. 2026-03-28, microseconds */
	r->ts = (1772323200LL + (int64_t)(rand() % (28 * 86400))) * 1000000;
	r->amount = -1;
	r->agent[0] = '\0';
	if (k < 3) {
		r->type = "page_view", r->channel = k == 1 ? "app" : "web", r->touchpoint = "product_page";
		snprintf(r->props, sizeof(r->props),
			 "{\"device\":\"%s\",\"referrer\":\"https://www.instagram.com/\",\"session_id\":\"s-%08x\","
			 "\"url\":\"/product_page/item-%d?ref=home\",\"utm_campaign\":\"spring_sale\"}",
			 dev[rand() % 3], (unsigned)rand(), 1 + rand() % 5000);
	} else if (k == 3) {
		r->type = "purchase", r->channel = rand() % 2 ? "web" : "store", r->touchpoint = "checkout";
		r->amount = (int64_t)(20000 + rand() % 900000) * 1000000 + (rand() % 100) * 10000;
		snprintf(r->props, sizeof(r->props),
			 "{\"coupon\":\"SPRING10\",\"payment\":\"card\",\"quantity\":%d,\"sku\":\"SKU-%d\","
			 "\"store_id\":\"BOG-%03d\"}",
			 1 + rand() % 4, 1 + rand() % 500, 1 + rand() % 60);
	} else if (k == 4) {
		r->type = "call", r->channel = "phone", r->touchpoint = "help_line";
		snprintf(r->agent, sizeof(r->agent), "agent%d", 1 + rand() % 40);
		snprintf(r->props, sizeof(r->props),
			 "{\"duration_s\":%d,\"queue\":\"billing\",\"reason\":\"invoice_question\",\"resolved\":true,"
			 "\"wait_s\":%d}",
			 30 + rand() % 870, rand() % 300);
	} else if (k == 5) {
		r->type = "email_open", r->channel = "email", r->touchpoint = "newsletter";
		snprintf(r->props, sizeof(r->props),
			 "{\"campaign\":\"march_newsletter\",\"client\":\"gmail\",\"list\":\"customers-es\","
			 "\"message_id\":\"m-%08x%08x\",\"subject_variant\":\"A\"}",
			 (unsigned)rand(), (unsigned)rand());
	} else if (k == 6) {
		r->type = "delivery", r->channel = "store", r->touchpoint = "shipping_notice";
		snprintf(r->props, sizeof(r->props),
			 "{\"carrier\":\"servientrega\",\"city\":\"Bogot\xc3\xa1\",\"days_late\":%d,"
			 "\"order_id\":\"o-%09d\",\"status\":\"delivered\"}",
			 rand() % 4, rand() % 1000000000);
	} else {
		r->type = "chat", r->channel = "chat", r->touchpoint = "help_widget";
		snprintf(r->props, sizeof(r->props),
			 "{\"bot_handoff\":false,\"conversation_id\":\"c-%08x\",\"language\":\"es\",\"messages\":%d,"
			 "\"topic\":\"where_is_my_order\"}",
			 (unsigned)rand(), 2 + rand() % 29);
	}
}

int main(int argc, char **argv)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t tenant = 0, id;
	int64_t *cust = NULL;
	long ncust = 0, cap = 0, rows, batch, done = 0, commits = 0;
	double limit, t0, t1;
	struct row *rw;

	if (argc != 5 || (rows = atol(argv[2])) <= 0 || (batch = atol(argv[3])) <= 0 || (limit = atof(argv[4])) <= 0)
		return fprintf(stderr, "usage: raw DB ROWS BATCH SECONDS\n"), 2;
	if (sqlite3_open(argv[1], &db) ||
	    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-32768", 0, 0, 0))
		return die(db, "open");
	if (getenv("RAW_PRAGMAS") && sqlite3_exec(db, getenv("RAW_PRAGMAS"), 0, 0, 0))
		return die(db, "RAW_PRAGMAS");
	/* the customers, resolved up front */
	if (sqlite3_prepare_v2(db, "SELECT tenant_id, customer_id FROM identities WHERE kind = 'external_id'", -1,
			       &st, 0))
		return die(db, "prepare");
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (ncust == cap && !(cust = realloc(cust, (size_t)(cap = cap ? cap * 2 : 1024) * sizeof(*cust))))
			return die(NULL, "customers");
		tenant = sqlite3_column_int64(st, 0);
		cust[ncust++] = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (!ncust)
		return fprintf(stderr, "raw: no customers in %s\n", argv[1]), 1;
	if (sqlite3_prepare_v2(db, "SELECT COALESCE(MAX(id), 0) + 1 FROM events", -1, &st, 0) ||
	    sqlite3_step(st) != SQLITE_ROW)
		return die(db, "max id");
	id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);

	srand(42);
	if (!(rw = malloc(RING * sizeof(*rw))))
		return die(NULL, "rows");
	for (long i = 0; i < RING; i++)
		make_row(&rw[i], cust, ncust);

	/* the statement of cxm_store_events_put_rows() */
	if (sqlite3_prepare_v3(db,
			       "INSERT INTO events (tenant_id, id, source_id, customer_id, type, channel, touchpoint, agent,"
			       " org_unit_id, ts, amount_micros, currency, properties)"
			       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
			       " ON CONFLICT (tenant_id, source_id) DO NOTHING",
			       -1, SQLITE_PREPARE_PERSISTENT, &st, 0))
		return die(db, "prepare insert");
	t0 = now();
	while (done < rows && now() - t0 < limit) {
		long end = done + batch < rows ? done + batch : rows;
		if (sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, 0))
			return die(db, "begin");
		for (; done < end; done++) {
			struct row *r = &rw[done % RING];
			/* ids grow in arrival order, as the benchmark's do */
			snprintf(r->source_id, sizeof(r->source_id), "r1-%09ld-00", done);
			sqlite3_bind_int64(st, 1, tenant);
			sqlite3_bind_int64(st, 2, id++);
			sqlite3_bind_text(st, 3, r->source_id, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 4, r->customer_id);
			sqlite3_bind_text(st, 5, r->type, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 6, r->channel, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 7, r->touchpoint, -1, SQLITE_STATIC);
			if (r->agent[0])
				sqlite3_bind_text(st, 8, r->agent, -1, SQLITE_STATIC);
			else
				sqlite3_bind_null(st, 8);
			sqlite3_bind_null(st, 9);
			sqlite3_bind_int64(st, 10, r->ts);
			if (r->amount >= 0) {
				sqlite3_bind_int64(st, 11, r->amount);
				sqlite3_bind_text(st, 12, "COP", -1, SQLITE_STATIC);
			} else {
				sqlite3_bind_null(st, 11);
				sqlite3_bind_null(st, 12);
			}
			sqlite3_bind_text(st, 13, r->props, -1, SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_DONE)
				return die(db, "insert");
			sqlite3_reset(st);
		}
		if (sqlite3_exec(db, "COMMIT", 0, 0, 0))
			return die(db, "commit");
		commits++;
	}
	t1 = now();
	printf("%ld %.3f %.0f %ld\n", done, t1 - t0, (double)done / (t1 - t0), commits);
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(rw);
	free(cust);
	return 0;
}
