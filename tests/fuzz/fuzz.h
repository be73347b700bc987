/*
 * fuzz.h - a request as the HTTP layer sees it, without a connection, for
 * the libFuzzer harnesses: the parsers and checkers under test read only
 * the body, the arena, the language and the server's limits.
 */
#ifndef CXM_FUZZ_H
#define CXM_FUZZ_H

#include "http-internal.h"

static struct server fuzz_srv;

static inline void fuzz_req_init(struct req *r, const uint8_t *data, size_t size)
{
	memset(r, 0, sizeof(*r));
	cxm_server_opts_init(&fuzz_srv.o);
	fuzz_srv.o.max_batch = 100;
	fuzz_srv.o.max_depth = 8;
	fuzz_srv.o.max_string = 4096;
	r->srv = &fuzz_srv;
	r->lang = size && (data[0] & 0x80) ? CXM_LANG_ES : CXM_LANG_EN;
	cxm_arena_init(&r->arena, 4096);
	cxm_buf_init(&r->body, 1 << 20);
	cxm_buf_init(&r->out, 0);
	cxm_buf_add(&r->body, data, size);
}

static inline void fuzz_req_release(struct req *r)
{
	cJSON_Delete(r->json);
	cxm_buf_release(&r->body);
	cxm_buf_release(&r->out);
	cxm_arena_release(&r->arena);
}

#endif
