/* fuzz_tokens.c - what arrives in headers and the URL: the Cookie header,
 * API key and session tokens, the request path (routing), times and ids
 * from query strings. */
#include "fuzz.h"
#include "cxm/auth.h"
#include "cxm/time.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size), out[256];
	struct cxm_token t;
	struct cxm_str params[MAX_PARAMS];
	bool ok;
	int64_t v;

	http_cookie_value(s, "cxm_session", out, sizeof(out));
	if (!cxm_auth_token_parse(CXM_TOKEN_KEY, (const char *)data, size, &t) && (t.tenant <= 0 || t.id <= 0))
		__builtin_trap();
	if (!cxm_auth_token_parse(CXM_TOKEN_SESSION, (const char *)data, size, &t) && (t.tenant <= 0 || t.id <= 0))
		__builtin_trap();
	const struct route *rt = route_match("GET", s, params, &ok);
	for (int i = 0; rt && i < MAX_PARAMS; i++)
		if (params[i].p && (params[i].p < s || params[i].p + params[i].len > s + strlen(s)))
			__builtin_trap();
	cxm_time_parse((const char *)data, size, &v);
	parse_id(s, &v);
	free(s);
	return 0;
}
