/*
 * demo.h - a realistic, deterministic demo tenant: customers with Spanish
 * and English names, identities, an org tree of stores and call-centre
 * teams with agents (some moving between teams during the year), and 12
 * months of multi-channel customer histories.
 */
#ifndef CXM_DEMO_H
#define CXM_DEMO_H

#include <stdint.h>

struct cxm_store;

struct cxm_demo_opts {
	int64_t customers;  /* how many customers (default 2000) */
	uint64_t seed;      /* same seed, same data (default 42) */
	int64_t end_us;     /* the histories end here (UTC us); 0: a fixed date */
	/* Called now and then with work done so far (may be NULL). */
	void (*progress)(int64_t done, int64_t total, void *ctx);
	void *progress_ctx;
};

struct cxm_demo_report {
	int64_t customers, identities, events, users, org_units, memberships, purchases;
	int64_t revenue_micros; /* sum of purchase amounts, in the tenant's currency */
	const char *currency;
};

/*
 * Fills an existing, empty tenant with demo data in one transaction.
 * CXM_ECONFLICT if the tenant already has customers.
 */
int cxm_demo_generate(struct cxm_store *s, int64_t tenant, const struct cxm_demo_opts *o,
		      struct cxm_demo_report *r);

#endif
