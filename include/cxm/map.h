/*
 * map.h - a string -> int64 hash map (open addressing, keys copied), for
 * caches that turn names and identities into ids during import and export.
 */
#ifndef CXM_MAP_H
#define CXM_MAP_H

#include <stddef.h>
#include <stdint.h>

struct cxm_map {
	struct cxm_map_slot *slots;
	size_t cap, n;
};

void cxm_map_init(struct cxm_map *m);
/* Frees the keys and the table. */
void cxm_map_release(struct cxm_map *m);
/* Empties the map, keeping the table. */
void cxm_map_clear(struct cxm_map *m);
/* 1 and *v set when found, else 0. */
int cxm_map_get(const struct cxm_map *m, const char *key, int64_t *v);
/* Inserts or replaces; the key is copied. */
void cxm_map_put(struct cxm_map *m, const char *key, int64_t v);
size_t cxm_map_count(const struct cxm_map *m);

#endif
