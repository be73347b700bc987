/* fuzz_web.c - what a page sends the web snippet's API besides JSON: site
 * keys, anonymous ids, origins, identify hashes (web-internal.h). */
#include "fuzz.h"
#include "web-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	int64_t t;

	if (!web_site_key_tenant(s, &t) && (t <= 0 || strlen(s) != 48))
		__builtin_trap();
	if (web_anon_ok(s) && (strlen(s) < 8 || strlen(s) > 64 || strpbrk(s, "\"'<>&\\ ")))
		__builtin_trap();
	if (web_origin_ok(s) && (strchr(s + 8, '/') || strpbrk(s, "\"'<> ")))
		__builtin_trap();
	web_identify_ok("0123456789abcdef", s, s);
	free(s);
	return 0;
}
