/* core.c - error names, the one out-of-memory exit, buffers, small parsers. */
#include "cxm/core.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *cxm_strerror(int code)
{
	switch (code) {
	case CXM_OK: return "ok";
	case CXM_EINVAL: return "invalid input";
	case CXM_ENOTFOUND: return "not found";
	case CXM_EEXIST: return "already exists";
	case CXM_ECONFLICT: return "conflict";
	case CXM_EIO: return "i/o error";
	case CXM_EBUSY: return "database busy";
	case CXM_EUNAVAIL: return "database unavailable";
	case CXM_EURL: return "bad database URL";
	case CXM_ETOOBIG: return "too big";
	case CXM_ESTORE: return "database error";
	case CXM_EAMBIGUOUS: return "ambiguous";
	}
	return "unknown error";
}

CXM_NORETURN static void die_oom(size_t n)
{
	fprintf(stderr, "cxm: out of memory (%zu bytes)\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die_oom(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		die_oom(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		die_oom(n);
	return q;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xasprintf(const char *fmt, ...)
{
	struct cxm_buf b;
	va_list ap;

	cxm_buf_init(&b, 0);
	va_start(ap, fmt);
	cxm_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	return cxm_buf_detach(&b, NULL);
}

void cxm_bug(const char *file, int line, const char *msg)
{
	fprintf(stderr, "cxm: BUG at %s:%d: %s\n", file, line, msg);
	abort();
}

void cxm_buf_init(struct cxm_buf *b, size_t max)
{
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max ? max : SIZE_MAX - 1;
}

void cxm_buf_release(struct cxm_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void cxm_buf_clear(struct cxm_buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

char *cxm_buf_detach(struct cxm_buf *b, size_t *len)
{
	char *p = b->p ? b->p : xstrdup("");
	if (len)
		*len = b->len;
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

static int grow(struct cxm_buf *b, size_t extra)
{
	size_t need, max = b->max ? b->max : SIZE_MAX - 1; /* CXM_BUF_INIT: no cap */

	if (extra > max - b->len)
		return CXM_ETOOBIG;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
	return 0;
}

int cxm_buf_add(struct cxm_buf *b, const void *data, size_t n)
{
	if (grow(b, n))
		return CXM_ETOOBIG;
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int cxm_buf_addstr(struct cxm_buf *b, const char *s)
{
	return cxm_buf_add(b, s, strlen(s));
}

int cxm_buf_addch(struct cxm_buf *b, char c)
{
	return cxm_buf_add(b, &c, 1);
}

int cxm_buf_vaddf(struct cxm_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		BUG("bad format");
	if (grow(b, (size_t)n))
		return CXM_ETOOBIG;
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int cxm_buf_addf(struct cxm_buf *b, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = cxm_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return ret;
}

const char *cxm_buf_str(const struct cxm_buf *b)
{
	return b->p ? b->p : "";
}

size_t cxm_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size) {
		size_t k = n < size - 1 ? n : size - 1;
		memcpy(dst, src, k);
		dst[k] = '\0';
	}
	return n;
}

void cxm_xsnprintf(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(dst, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		BUG("cxm_xsnprintf truncated");
}

int cxm_parse_i64(const char *s, size_t len, int64_t *out)
{
	size_t i = 0;
	bool neg = false;
	uint64_t v = 0, lim;

	if (len && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == len)
		return CXM_EINVAL;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < len; i++) {
		unsigned d = (unsigned char)s[i] - '0';
		if (d > 9)
			return CXM_EINVAL;
		if (v > (lim - d) / 10)
			return CXM_EINVAL;
		v = v * 10 + d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

bool cxm_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		unsigned c = *p;
		if (c < 0x80) {
			if (c == 0)
				return false;
			p++;
			continue;
		}
		size_t n;
		unsigned cp, min;
		if ((c & 0xE0) == 0xC0) {
			n = 1; cp = c & 0x1F; min = 0x80;
		} else if ((c & 0xF0) == 0xE0) {
			n = 2; cp = c & 0x0F; min = 0x800;
		} else if ((c & 0xF8) == 0xF0) {
			n = 3; cp = c & 0x07; min = 0x10000;
		} else {
			return false;
		}
		if ((size_t)(end - p) <= n)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((p[k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (p[k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		p += n + 1;
	}
	return true;
}
