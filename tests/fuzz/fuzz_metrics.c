/* fuzz_metrics.c - the tenant's metrics settings and the key-driver
 * analysis. The first byte picks the target: even, the rest is settings
 * JSON (accepted bands must be in range and ordered); odd, the next byte
 * gives k (1-8) and the rest raw doubles, row after row (NaN, infinities
 * and huge values included): an accepted analysis must be all finite. */
#include "fuzz.h"
#include "cxm/metrics.h"

#include <math.h>

static void settings(const uint8_t *data, size_t size)
{
	char field[128], why[300];
	struct cxm_bands b;
	cJSON *o = cxm_json_parse((const char *)data, size, why, sizeof(why));

	if (o && !cxm_metrics_settings_check(o, &b, field, sizeof(field), why, sizeof(why))) {
		if (!(b.nps.amber >= -100 && b.nps.amber <= b.nps.green && b.nps.green <= 100) ||
		    !(b.csat.amber >= 0 && b.csat.amber <= b.csat.green && b.csat.green <= 100) ||
		    !(b.ces.amber >= 1 && b.ces.amber <= b.ces.green && b.ces.green <= 7))
			__builtin_trap();
	}
	cJSON_Delete(o);
}

static void drivers(const uint8_t *data, size_t size)
{
	static const struct cxm_driver_scale sc[8] = { { 0, 10 }, { 1, 5 }, { 1, 7 }, { 0, 1 },
						       { 1, 5 }, { 1, 5 }, { 1, 5 }, { 1, 5 } };
	char field[128], why[300];
	struct cxm_drivers d;
	size_t k, n;
	double *rows;

	if (size < 1)
		return;
	k = 1 + data[0] % 8;
	n = (size - 1) / sizeof(double) / (k + 1);
	rows = xmalloc((n ? n : 1) * (k + 1) * sizeof(double));
	memcpy(rows, data + 1, n * (k + 1) * sizeof(double));
	if (!cxm_drivers_analyse(rows, n, k, sc, &d, field, sizeof(field), why, sizeof(why))) {
		if (!isfinite(d.r2) || !isfinite(d.mean_importance) || !isfinite(d.mean_performance))
			__builtin_trap();
		for (size_t j = 0; j < k; j++)
			if (!isfinite(d.d[j].importance) || d.d[j].importance < 0 || !isfinite(d.d[j].share) ||
			    !isfinite(d.d[j].mean) || !(d.d[j].performance >= 0 && d.d[j].performance <= 100))
				__builtin_trap();
	}
	free(rows);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] % 2 == 0)
		settings(data + 1, size - 1);
	else
		drivers(data + 1, size - 1);
	return 0;
}
