/*
 * web.h - the dashboard's static files, embedded into the binary at build
 * time by tools/embed-web.sh (every file under web/, plus ECharts at
 * /vendor/echarts.min.js). The HTTP server answers GET requests for them
 * from here; nothing is read from disk at run time.
 */
#ifndef CXM_WEB_H
#define CXM_WEB_H

#include <stddef.h>

struct cxm_web_asset {
	const char *path;         /* URL path: "/", "/app.js", "/vendor/echarts.min.js" */
	const char *content_type; /* "text/javascript; charset=utf-8" ... */
	const char *etag;         /* strong ETag with its quotes: "\"3f2a...\"" */
	const unsigned char *data;
	size_t len;
};

/*
 * The asset served at PATH (the URL path without query string), or NULL.
 * Borrows PATH; the answer is static and never freed.
 */
const struct cxm_web_asset *cxm_web_asset_find(const char *path);

/* The whole table, sorted by path (generated; for tests and listings). */
extern const struct cxm_web_asset cxm_web_assets[];
extern const size_t cxm_web_asset_count;

#endif
