/*
 * arena.h - a bump allocator freed in one step: per-request and per-batch
 * memory (strings of an import batch, later the parsed parts of an HTTP
 * request). Pointers stay valid until cxm_arena_clear or _release.
 */
#ifndef CXM_ARENA_H
#define CXM_ARENA_H

#include <stddef.h>

struct cxm_arena {
	struct cxm_arena_block *head;
	size_t block_size;
};

void cxm_arena_init(struct cxm_arena *a, size_t block_size);
void cxm_arena_release(struct cxm_arena *a);
/* Frees everything but the first block, for reuse. */
void cxm_arena_clear(struct cxm_arena *a);
void *cxm_arena_alloc(struct cxm_arena *a, size_t n);
char *cxm_arena_strndup(struct cxm_arena *a, const char *s, size_t n);
char *cxm_arena_strdup(struct cxm_arena *a, const char *s);

#endif
