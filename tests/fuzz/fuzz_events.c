/* fuzz_events.c - POST /api/v1/events bodies: JSON or NDJSON (chosen by the
 * first byte), under the limits, then every item checked. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct req r;
	cJSON **items, *problem;
	size_t n;

	fuzz_req_init(&r, data, size);
	if (!body_items_parse(&r, size && (data[0] & 1), &items, &n)) {
		problem = cJSON_CreateObject();
		size_t bad = events_check(&r, items, n, problem);
		if (bad > n)
			__builtin_trap();
		cJSON_Delete(problem);
	} else if (!r.status || !r.out.len) {
		__builtin_trap(); /* a refusal always comes with an answer */
	}
	fuzz_req_release(&r);
	return 0;
}
