/* map.c - string -> int64 open-addressing hash map (FNV-1a, linear probing). */
#include "cxm/map.h"
#include "cxm/core.h"

struct cxm_map_slot {
	char *key;
	uint64_t hash;
	int64_t v;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

void cxm_map_init(struct cxm_map *m)
{
	m->slots = NULL;
	m->cap = m->n = 0;
}

void cxm_map_clear(struct cxm_map *m)
{
	for (size_t i = 0; i < m->cap; i++) {
		free(m->slots[i].key);
		m->slots[i].key = NULL;
	}
	m->n = 0;
}

void cxm_map_release(struct cxm_map *m)
{
	cxm_map_clear(m);
	free(m->slots);
	cxm_map_init(m);
}

static struct cxm_map_slot *find(const struct cxm_map *m, const char *key, uint64_t h)
{
	size_t i = (size_t)h & (m->cap - 1);
	for (; m->slots[i].key; i = (i + 1) & (m->cap - 1))
		if (m->slots[i].hash == h && !strcmp(m->slots[i].key, key))
			break;
	return &m->slots[i];
}

int cxm_map_get(const struct cxm_map *m, const char *key, int64_t *v)
{
	if (!m->n)
		return 0;
	struct cxm_map_slot *s = find(m, key, hash_str(key));
	if (!s->key)
		return 0;
	*v = s->v;
	return 1;
}

void cxm_map_put(struct cxm_map *m, const char *key, int64_t v)
{
	uint64_t h = hash_str(key);

	if ((m->n + 1) * 4 >= m->cap * 3) {
		struct cxm_map_slot *old = m->slots;
		size_t old_cap = m->cap;
		m->cap = old_cap ? old_cap * 2 : 64;
		m->slots = xcalloc(m->cap, sizeof(*m->slots));
		for (size_t i = 0; i < old_cap; i++)
			if (old[i].key)
				*find(m, old[i].key, old[i].hash) = old[i];
		free(old);
	}
	struct cxm_map_slot *s = find(m, key, h);
	if (!s->key) {
		s->key = xstrdup(key);
		s->hash = h;
		m->n++;
	}
	s->v = v;
}

size_t cxm_map_count(const struct cxm_map *m)
{
	return m->n;
}
