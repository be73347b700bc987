/* arena.c - bump allocation in chained blocks. */
#include "cxm/arena.h"
#include "cxm/core.h"

struct cxm_arena_block {
	struct cxm_arena_block *next;
	size_t used, size;
	_Alignas(16) char data[];
};

void cxm_arena_init(struct cxm_arena *a, size_t block_size)
{
	a->head = NULL;
	a->block_size = block_size ? block_size : 64 * 1024;
}

void cxm_arena_release(struct cxm_arena *a)
{
	while (a->head) {
		struct cxm_arena_block *b = a->head;
		a->head = b->next;
		free(b);
	}
}

void cxm_arena_clear(struct cxm_arena *a)
{
	struct cxm_arena_block *last = NULL;

	while (a->head) {
		struct cxm_arena_block *b = a->head;
		a->head = b->next;
		if (last)
			free(last);
		last = b;
	}
	a->head = last;
	if (last) {
		last->next = NULL;
		last->used = 0;
	}
}

void *cxm_arena_alloc(struct cxm_arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (!a->head || a->head->size - a->head->used < n) {
		size_t size = n > a->block_size ? n : a->block_size;
		struct cxm_arena_block *b = xmalloc(sizeof(*b) + size);
		b->used = 0;
		b->size = size;
		b->next = a->head;
		a->head = b;
	}
	void *p = a->head->data + a->head->used;
	a->head->used += n;
	return p;
}

char *cxm_arena_strndup(struct cxm_arena *a, const char *s, size_t n)
{
	char *p = cxm_arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *cxm_arena_strdup(struct cxm_arena *a, const char *s)
{
	return cxm_arena_strndup(a, s, strlen(s));
}
