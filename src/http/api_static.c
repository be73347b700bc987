/*
 * api_static.c - the dashboard's files, embedded in the binary (web.h).
 * Paths that are not files get index.html, so the single-page app can
 * handle its own routes (/customers/123 reloads into the app). Strong
 * ETags let browsers revalidate cheaply; the CSP allows only our own
 * scripts, styles and API.
 */
#include "http-internal.h"
#include "cxm/web.h"

#define CSP "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

int api_static(struct req *r)
{
	const struct cxm_web_asset *a = cxm_web_asset_find(r->path);
	const char *inm;

	/* an extension-less path is an app route: serve the app */
	if (!a && !strchr(strrchr(r->path, '/'), '.'))
		a = cxm_web_asset_find("/");
	if (!a) {
		reply_error(r, 404, "not-found", MSG_HTTP_NOT_FOUND, NULL);
		return H_DONE;
	}
	req_add_header(r, "Content-Security-Policy", CSP);
	req_add_header(r, MHD_HTTP_HEADER_ETAG, a->etag);
	req_add_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	inm = req_header(r, MHD_HTTP_HEADER_IF_NONE_MATCH);
	if (inm && !strcmp(inm, a->etag)) {
		reply_empty(r, 304);
		return H_DONE;
	}
	r->static_body = a->data;
	r->static_len = a->len;
	r->status = 200;
	r->content_type = a->content_type;
	return H_DONE;
}
