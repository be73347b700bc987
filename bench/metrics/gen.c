/* bench/metrics/gen.c - N survey responses over two years, deterministic.
 *
 *   gen N > responses.csv
 *
 * Writes CSV without a header, in time order, one response a line:
 *   id,ts,segment,channel,agent,unit,nps,csat,ces
 * ts is UTC "YYYY-MM-DD HH:MM:SS" from 2024-11-01 to 2026-10-31; segment
 * S01..S20, one of 9 channels, agent a001..a200, each agent in one of the
 * units U01..U20 (10 agents a unit). nps (0-10) is always there; csat (1-5)
 * on about 40% of the responses and ces (1-7) on about 30%, empty otherwise.
 *
 * The data is skewed the way real CX data is: daily volume follows a yearly
 * season, a weekly cycle and growth over the two years; channels and
 * segments have different volumes; some units and some agents inside each
 * unit are better than others, channels and segments shift scores too,
 * and scores drift a little with the season. The same N always gives the
 * same file (a fixed seed; no time, no locale).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846
#define DAYS 730      /* 2024-11-01 .. 2026-10-31 */
#define FIRST_DAY 20028/* 2024-11-01 as days since 1970-01-01 */
#define SEGMENTS 20
#define CHANNELS 9
#define AGENTS 200
#define UNITS 20

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

/* splitmix64: small, fast, good enough for synthetic data */
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* uniform in [0, 1) */
static double unif(void)
{
	return (double)(rnd() >> 11) * (1.0 / 9007199254740992.0);
}

/* roughly normal(0, 1): the sum of four uniforms, rescaled */
static double gauss(void)
{
	return (unif() + unif() + unif() + unif() - 2.0) * 1.7320508;
}

/* index drawn from cumulative weights cum[0..n-1] (cum[n-1] is the total) */
static int pick(const double *cum, int n)
{
	double x = unif() * cum[n - 1];
	int lo = 0, hi = n - 1;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (cum[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* civil date of a day number (days since 1970-01-01), Howard Hinnant's method */
static void civil(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int clampi(double x, int lo, int hi)
{
	long v = lround(x);
	return v < lo ? lo : v > hi ? hi : (int)v;
}

int main(int argc, char **argv)
{
	static const char *const channels[CHANNELS] = {"web",   "email", "app",   "sms",  "whatsapp",
						       "phone", "store", "chat", "other"};
	static const double chan_weight[CHANNELS] = {26, 20, 16, 8, 9, 10, 6, 4, 1};
	static const double chan_effect[CHANNELS] = {0.1, 0.0, 0.35, -0.3, 0.2, -0.45, 0.5, -0.15, -0.6};
	double chan_cum[CHANNELS], seg_cum[SEGMENTS], agent_cum[AGENTS];
	double seg_effect[SEGMENTS], agent_effect[AGENTS], unit_effect[UNITS];
	double day_weight[DAYS], total = 0;
	char day_text[DAYS][16];

	if (argc != 2 || atol(argv[1]) <= 0) {
		fprintf(stderr, "usage: gen N > responses.csv\n");
		return 2;
	}
	long n = atol(argv[1]);

	for (int i = 0; i < CHANNELS; i++)
		chan_cum[i] = (i ? chan_cum[i - 1] : 0) + chan_weight[i];
	for (int i = 0; i < SEGMENTS; i++) {
		/* a few big segments, a long tail of small ones */
		seg_cum[i] = (i ? seg_cum[i - 1] : 0) + 1.0 / (1.0 + 0.35 * i);
		seg_effect[i] = 0.4 * gauss();
	}
	for (int u = 0; u < UNITS; u++)
		unit_effect[u] = 0.45 * gauss();
	for (int a = 0; a < AGENTS; a++) {
		agent_effect[a] = unit_effect[a / (AGENTS / UNITS)] + 0.5 * gauss();
		/* busier agents and quieter ones */
		agent_cum[a] = (a ? agent_cum[a - 1] : 0) + 0.4 + unif();
	}
	for (int d = 0; d < DAYS; d++) {
		int y, m, dd;
		civil(FIRST_DAY + d, &y, &m, &dd);
		snprintf(day_text[d], sizeof day_text[d], "%04d-%02d-%02d", y, m, dd);
		/* d - 61 is the day of the year: most responses in June, fewest in December */
		double season = 1.0 + 0.3 * sin(2 * PI * (d - 61 - 80) / 365.25);
		double december = m == 12 ? 1.25 : 1.0;
		int wday = (int)((FIRST_DAY + d + 4) % 7); /* 0 = Sunday */
		double week = wday == 0 ? 0.55 : wday == 6 ? 0.75 : 1.0;
		double growth = 1.0 + 0.5 * d / DAYS;
		day_weight[d] = season * december * week * growth;
		total += day_weight[d];
	}

	static char buf[1 << 20];
	size_t len = 0;
	long id = 0;
	double carry = 0;
	for (int d = 0; d < DAYS; d++) {
		double want = n * day_weight[d] / total + carry;
		long count = d == DAYS - 1 ? n - id : (long)want;
		carry = want - (double)count;
		/* quality follows the season a little: best in April */
		double season_q = 0.05 * sin(2 * PI * (d - 61) / 365.25);
		for (long i = 0; i < count; i++) {
			long sec = (long)((i + unif()) * 86400.0 / (double)count);
			int seg = pick(seg_cum, SEGMENTS);
			int chan = pick(chan_cum, CHANNELS);
			int agent = pick(agent_cum, AGENTS);
			double latent = 7.7 + seg_effect[seg] + chan_effect[chan] + agent_effect[agent] + season_q +
					1.9 * gauss();
			int nps = clampi(latent, 0, 10);
			char csat[4] = "", ces[4] = "";
			if (unif() < 0.4)
				snprintf(csat, sizeof csat, "%d", clampi(1 + (latent + 0.5 * gauss()) * 0.42, 1, 5));
			if (unif() < 0.3)
				snprintf(ces, sizeof ces, "%d", clampi(8 - (latent + 0.6 * gauss()) * 0.6, 1, 7));
			id++;
			len += (size_t)snprintf(buf + len, sizeof buf - len,
						"%ld,%s %02ld:%02ld:%02ld,S%02d,%s,a%03d,U%02d,%d,%s,%s\n", id,
						day_text[d], sec / 3600, sec / 60 % 60, sec % 60, seg + 1,
						channels[chan], agent + 1, agent / (AGENTS / UNITS) + 1, nps, csat, ces);
			if (len > sizeof buf - 256) {
				if (fwrite(buf, 1, len, stdout) != len)
					return 1;
				len = 0;
			}
		}
	}
	if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0) {
		perror("gen");
		return 1;
	}
	return 0;
}
