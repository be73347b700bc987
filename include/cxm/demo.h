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

#define CXM_DEMO_MAX_CUSTOMERS 10000000LL

struct cxm_demo_opts {
	int64_t customers;  /* how many customers (default 2000 when 0) */
	uint64_t seed;      /* same seed, same data (default 42 when 0) */
	/* The histories end here (UTC us); 0: 2026-10-31T23:59:59Z. Every
	 * event lies in [end_us - 365 days, end_us). */
	int64_t end_us;
	/* Called now and then with customers done so far, and once with
	 * done == total at the end (may be NULL). */
	void (*progress)(int64_t done, int64_t total, void *ctx);
	void *progress_ctx;
};

struct cxm_demo_report {
	/* what this call added to the tenant */
	int64_t customers, identities, events, users, org_units, memberships, purchases;
	/* survey responses and e-mail invitations of the three surveys that follow
	 * events (a delivery, a call or chat, a store purchase) */
	int64_t responses, invitations;
	/*
	 * Sum of the purchase amounts converted to EUR at the demo's fixed
	 * rates: 1 EUR = 4500 COP = 20 MXN = 1.08 USD = 0.85 GBP. Each event
	 * keeps its own currency (COP, EUR, MXN, USD, GBP by the customer's
	 * country); this total only says how big the demo business is.
	 */
	int64_t revenue_micros;
	const char *currency; /* "EUR"; static */
	/* the fourth survey, "NPS relacional" (quarterly by e-mail, no event):
	 * its responses and invitations, not counted above */
	int64_t relational_responses, relational_invitations;
};

/*
 * Fills an existing, empty tenant with demo data (four live surveys with
 * their invitations and responses, the journeys "Compra online" and
 * "Atención al cliente" tracked from the events) in one transaction: the
 * caller's if one is open on s (then the caller commits or rolls back),
 * else its own. Users and org units that already exist by name are
 * reused as they are. The same seed gives the same data, except for the ids
 * and bookkeeping times the store assigns. r may be NULL.
 * CXM_ENOTFOUND if there is no such tenant, CXM_ECONFLICT if it already
 * has customers, CXM_EINVAL for a negative count or an end_us before 1971,
 * CXM_ETOOBIG above 10 million customers, or the store's error (its own
 * transaction is then rolled back).
 */
int cxm_demo_generate(struct cxm_store *s, int64_t tenant, const struct cxm_demo_opts *o,
		      struct cxm_demo_report *r);

#endif
