/* fuzz_customer.c - POST /api/v1/customers bodies: strict JSON, limits, and
 * the field checks. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct req r;
	char why[256];
	cJSON *j;

	fuzz_req_init(&r, data, size);
	j = cxm_json_parse((const char *)data, size, why, sizeof(why));
	if (j && !json_limits(j, r.srv->o.max_depth, r.srv->o.max_string, why, sizeof(why))) {
		cJSON *problem = cJSON_CreateObject();
		customer_check(&r, j, problem);
		cJSON_Delete(problem);
	}
	cJSON_Delete(j);
	fuzz_req_release(&r);
	return 0;
}
