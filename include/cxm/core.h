/*
 * core.h - error codes, allocation, growable buffers and string views.
 * Every other module includes this; it has no dependencies beyond libc.
 */
#ifndef CXM_CORE_H
#define CXM_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CXM_VERSION "0.1.0"

/* Error codes: functions that can fail return 0 or one of these. */
enum {
	CXM_OK = 0,
	CXM_EINVAL = -1,     /* bad input: a field, a value, a format */
	CXM_ENOTFOUND = -2,  /* no such tenant, customer, unit, file ... */
	CXM_EEXIST = -3,     /* already exists */
	CXM_ECONFLICT = -4,  /* conflicts with stored data (overlap, merge of self) */
	CXM_EIO = -5,        /* reading or writing a file failed */
	CXM_EBUSY = -6,      /* database locked by another writer */
	CXM_EUNAVAIL = -7,   /* database unreachable */
	CXM_EURL = -8,       /* bad database URL */
	CXM_ETOOBIG = -9,    /* a size limit was hit */
	CXM_ESTORE = -10,    /* any other database error */
	CXM_EAMBIGUOUS = -11 /* more than one candidate (e.g. tenant not named) */
};

/* Names an error code; never NULL. */
const char *cxm_strerror(int code);

#if defined(__GNUC__)
#define CXM_NORETURN __attribute__((noreturn))
#define CXM_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CXM_NORETURN
#define CXM_PRINTF(f, a)
#endif

/* Allocation never fails: out of memory aborts here, in one place. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a malloc'd formatted string (owned by the caller). */
char *xasprintf(const char *fmt, ...) CXM_PRINTF(1, 2);

CXM_NORETURN void cxm_bug(const char *file, int line, const char *msg);
#define BUG(msg) cxm_bug(__FILE__, __LINE__, (msg))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A borrowed view of bytes; not NUL-terminated in general. */
struct cxm_str {
	const char *p;
	size_t len;
};

/*
 * A growable, always NUL-terminated buffer with a hard cap (max bytes of
 * content; 0 means SIZE_MAX). Appends past the cap fail with CXM_ETOOBIG and
 * leave the buffer as it was, so no input can grow memory without bound.
 */
struct cxm_buf {
	char *p;
	size_t len;
	size_t cap;
	size_t max;
};

/* An empty buffer without a cap (same as cxm_buf_init(b, 0)). */
#define CXM_BUF_INIT { NULL, 0, 0, 0 }

void cxm_buf_init(struct cxm_buf *b, size_t max);
/* Frees what the buffer holds; it can be used again after cxm_buf_init. */
void cxm_buf_release(struct cxm_buf *b);
/* Empties for reuse, keeping the allocation. */
void cxm_buf_clear(struct cxm_buf *b);
/* Hands the NUL-terminated content to the caller (owned) and empties b. */
char *cxm_buf_detach(struct cxm_buf *b, size_t *len);
int cxm_buf_add(struct cxm_buf *b, const void *data, size_t n);
int cxm_buf_addstr(struct cxm_buf *b, const char *s);
int cxm_buf_addch(struct cxm_buf *b, char c);
int cxm_buf_addf(struct cxm_buf *b, const char *fmt, ...) CXM_PRINTF(2, 3);
int cxm_buf_vaddf(struct cxm_buf *b, const char *fmt, va_list ap);
/* Returns the content (never NULL; "" when empty). */
const char *cxm_buf_str(const struct cxm_buf *b);

/* Copies at most size-1 bytes of src into dst and NUL-terminates it. */
size_t cxm_strlcpy(char *dst, const char *src, size_t size);
/* snprintf into a fixed array that must not truncate (BUG otherwise). */
void cxm_xsnprintf(char *dst, size_t size, const char *fmt, ...) CXM_PRINTF(3, 4);

/* Parses a whole base-10 int64; CXM_EINVAL on junk or overflow. */
int cxm_parse_i64(const char *s, size_t len, int64_t *out);

/* true when s is valid UTF-8 with no NUL byte. */
bool cxm_utf8_valid(const char *s, size_t len);

/* Last, so the system headers above are declared before the bans. */
#include "cxm/banned.h"

#endif
