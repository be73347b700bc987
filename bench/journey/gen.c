/* bench/journey/gen.c - customers and their events for the journey
 * benchmark, deterministic (a fixed seed; no time, no locale).
 *
 *   gen OUTDIR        writes OUTDIR/events.csv and OUTDIR/customers.csv
 *
 * customers.csv: id,segment (S01..S12, a few big segments and a tail).
 * events.csv, no header: id,customer_id,ts,type,channel,touchpoint
 * (ts in UTC microseconds, touchpoint empty when the event has none; id is
 * the order of arrival). Events span 2025-01-01 .. 2025-12-31. Each
 * customer has a budget of events: 5% are heavy (100-400 events), the rest
 * about 8, so about 20 on average. Events come in visits shaped like the
 * demo's online purchase (an ad or a newsletter, the landing page, search,
 * category and product pages, the cart, checkout, shipping and delivery,
 * sometimes a call or a chat after), each step fewer customers than the one
 * before, mixed with everyday noise (app opens, email opens, home page
 * views, reviews). About 2% of the events arrive late: they are written
 * after all the others, 1-10 days after their ts.
 *
 * Knobs (environment): CUSTOMERS (default 1000000).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEGMENTS 12
#define YEAR_START INT64_C(1735689600)   /* 2025-01-01T00:00:00Z */
#define YEAR_S INT64_C(31536000)
#define US INT64_C(1000000)

static uint64_t rng_state = 0x2545f4914f6cdd1du;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static double unif(void)
{
	return (double)(rnd() >> 11) * (1.0 / 9007199254740992.0);
}

static int64_t range(int64_t lo, int64_t hi)   /* [lo, hi] */
{
	return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1));
}

struct kind {
	const char *type, *channel, *touchpoint;
};

/* the purchase funnel, step by step: (kind, chance to go on, gap in seconds) */
static const struct step {
	struct kind k;
	double p;
	int64_t gap_lo, gap_hi;
} funnel[] = {
	{{"page_view", "web", "landing_page"}, 0.85, 5, 600},
	{{"page_view", "web", "search"}, 0.70, 5, 1800},
	{{"page_view", "web", "category_page"}, 0.75, 5, 3600},
	{{"page_view", "web", "product_page"}, 0.80, 5, 86400},
	{{"page_view", "web", "cart"}, 0.55, 30, 3 * 86400},
	{{"purchase", "web", "checkout"}, 0.65, 30, 7 * 86400},
	{{"delivery", "email", "shipping_notice"}, 0.95, 3600, 3 * 86400},
	{{"delivery", "email", "delivered"}, 0.90, 86400, 6 * 86400},
	{{"call", "phone", "support"}, 0.25, 3600, 20 * 86400},
};
#define FUNNEL_N (sizeof(funnel) / sizeof(funnel[0]))

static const struct kind entries[] = {
	{"ad_click", "social", NULL}, {"ad_click", "web", NULL}, {"email_click", "email", "newsletter"},
};
static const struct kind noise[] = {
	{"app_open", "app", NULL},        {"email_open", "email", "newsletter"}, {"page_view", "web", "home"},
	{"page_view", "app", "product_page"}, {"review", "web", "product_page"}, {"chat", "web", "support"},
	{"page_view", "web", "search"},   {"ad_click", "social", NULL},
};
#define NOISE_N (sizeof(noise) / sizeof(noise[0]))

struct ev {
	int64_t ts;
	const struct kind *k;
};

static char out_buf[1 << 20];
static size_t out_len;
static FILE *out;

static void flush_out(void)
{
	if (fwrite(out_buf, 1, out_len, out) != out_len) {
		perror("gen");
		exit(1);
	}
	out_len = 0;
}

static int64_t next_id = 1;

static void write_event(FILE *late, long customer, const struct ev *e)
{
	const struct kind *k = e->k;
	if (late && unif() < 0.02) {
		/* arrives 1-10 days after it happened: written at the end */
		fprintf(late, "%ld,%lld,%s,%s,%s\n", customer, (long long)e->ts, k->type, k->channel,
			k->touchpoint ? k->touchpoint : "");
		return;
	}
	out_len += (size_t)snprintf(out_buf + out_len, sizeof(out_buf) - out_len, "%lld,%ld,%lld,%s,%s,%s\n",
				    (long long)next_id++, customer, (long long)e->ts, k->type, k->channel,
				    k->touchpoint ? k->touchpoint : "");
	if (out_len > sizeof(out_buf) - 512)
		flush_out();
}

static int by_ts(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;
	return (x->ts > y->ts) - (x->ts < y->ts);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen OUTDIR\n");
		return 2;
	}
	long customers = getenv("CUSTOMERS") ? atol(getenv("CUSTOMERS")) : 1000000;
	if (customers <= 0) {
		fprintf(stderr, "gen: bad CUSTOMERS\n");
		return 2;
	}
	char path[4096];
	snprintf(path, sizeof(path), "%s/customers.csv", argv[1]);
	FILE *cf = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/events.csv", argv[1]);
	out = fopen(path, "w");
	FILE *late = tmpfile();
	if (!cf || !out || !late) {
		perror("gen");
		return 1;
	}
	double seg_cum[SEGMENTS];
	for (int i = 0; i < SEGMENTS; i++)
		seg_cum[i] = (i ? seg_cum[i - 1] : 0) + 1.0 / (1.0 + 0.5 * i);

	struct ev *evs = malloc(sizeof(*evs) * 1024);
	if (!evs)
		return 1;
	for (long c = 1; c <= customers; c++) {
		double x = unif() * seg_cum[SEGMENTS - 1];
		int seg = 0;
		while (seg < SEGMENTS - 1 && seg_cum[seg] <= x)
			seg++;
		fprintf(cf, "%ld,S%02d\n", c, seg + 1);
		/* later segments buy a little less */
		double keen = 1.0 - 0.02 * seg;

		int budget = unif() < 0.05 ? (int)range(100, 400) : (int)range(1, 15);
		int n = 0;
		while (n < budget) {
			int64_t t = (YEAR_START + range(0, YEAR_S - 1)) * US + range(0, 999999);
			if (unif() < 0.45) {
				/* a visit down the funnel */
				evs[n].ts = t;
				evs[n++].k = &entries[rnd() % 3];
				for (size_t s = 0; s < FUNNEL_N && n < budget; s++) {
					if (unif() > funnel[s].p * keen)
						break;
					t += range(funnel[s].gap_lo, funnel[s].gap_hi) * US + range(0, 999999);
					evs[n].ts = t;
					evs[n++].k = &funnel[s].k;
				}
			} else {
				evs[n].ts = t;
				evs[n++].k = &noise[rnd() % NOISE_N];
			}
		}
		/* in time order, as a customer's events mostly arrive */
		qsort(evs, (size_t)n, sizeof(*evs), by_ts);
		for (int i = 0; i < n; i++)
			write_event(late, c, &evs[i]);
	}
	/* the late ones, with their ids in order of arrival */
	rewind(late);
	char line[256];
	while (fgets(line, sizeof(line), late)) {
		out_len += (size_t)snprintf(out_buf + out_len, sizeof(out_buf) - out_len, "%lld,%s",
					    (long long)next_id++, line);
		if (out_len > sizeof(out_buf) - 512)
			flush_out();
	}
	flush_out();
	if (fclose(out) != 0 || fclose(cf) != 0) {
		perror("gen");
		return 1;
	}
	fprintf(stderr, "gen: %ld customers, %lld events\n", customers, (long long)(next_id - 1));
	return 0;
}
