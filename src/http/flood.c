/*
 * flood.c - request-rate limits for the public endpoints (the survey page):
 * a token bucket per key ("addr:1.2.3.4", "link:TOKEN-ID") in a fixed
 * table, so a flood from one address, or on one link, is slowed down with
 * 429 while everyone else is served. Memory is bounded: when the table is
 * full the stalest bucket makes room.
 */
#include "http-internal.h"

#include <sodium.h>

#define SLOTS 4096

struct bucket {
	uint64_t key;     /* hash of the key; 0: free */
	double tokens;
	int64_t last_us;
};

struct flood {
	pthread_mutex_t mu;
	struct bucket b[SLOTS];
	double rate;      /* tokens per second */
	double burst;
};

struct flood *flood_new(double per_minute, double burst)
{
	struct flood *f = xcalloc(1, sizeof(*f));

	pthread_mutex_init(&f->mu, NULL);
	f->rate = per_minute / 60.0;
	f->burst = burst;
	return f;
}

void flood_free(struct flood *f)
{
	if (!f)
		return;
	pthread_mutex_destroy(&f->mu);
	free(f);
}

static uint64_t hash(const char *key)
{
	uint64_t h;
	static const unsigned char k[crypto_shorthash_KEYBYTES] = "cxm-flood-table!";

	crypto_shorthash((unsigned char *)&h, (const unsigned char *)key, strlen(key), k);
	return h ? h : 1;
}

int64_t flood_take(struct flood *f, const char *key, int64_t now_us)
{
	uint64_t h = hash(key);
	size_t i = h % SLOTS, victim = i;
	int64_t wait = 0;

	pthread_mutex_lock(&f->mu);
	/* a short probe: the key's slot, or the stalest of the few looked at */
	for (size_t n = 0; n < 8; n++) {
		size_t j = (h + n) % SLOTS;
		if (f->b[j].key == h || !f->b[j].key) {
			victim = j;
			break;
		}
		if (f->b[j].last_us < f->b[victim].last_us)
			victim = j;
	}
	struct bucket *b = &f->b[victim];
	if (b->key != h) {
		b->key = h;
		b->tokens = f->burst;
		b->last_us = now_us;
	}
	b->tokens += (double)(now_us - b->last_us) / 1e6 * f->rate;
	if (b->tokens > f->burst)
		b->tokens = f->burst;
	b->last_us = now_us;
	if (b->tokens >= 1.0)
		b->tokens -= 1.0;
	else
		wait = (int64_t)((1.0 - b->tokens) / f->rate) + 1;
	pthread_mutex_unlock(&f->mu);
	(void)i;
	return wait;
}

int64_t flood_wait(struct flood *f, const char *key, int64_t now_us)
{
	uint64_t h = hash(key);
	int64_t wait = 0;

	pthread_mutex_lock(&f->mu);
	for (size_t n = 0; n < 8; n++) {
		const struct bucket *b = &f->b[(h + n) % SLOTS];
		if (!b->key)
			break;
		if (b->key == h) {
			double tokens = b->tokens + (double)(now_us - b->last_us) / 1e6 * f->rate;
			if (tokens < 1.0)
				wait = (int64_t)((1.0 - tokens) / f->rate) + 1;
			break;
		}
	}
	pthread_mutex_unlock(&f->mu);
	return wait;
}
