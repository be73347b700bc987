/*
 * journey_versions.c - the stored definitions of a journey's versions
 * (journey_versions), for reports that describe the built version while a
 * newer one rebuilds (src/journey/map_report.c).
 */
#include "store-internal.h"
#include "cxm/i18n.h"

#include <stdlib.h>
#include <string.h>

static int definition_row(const struct sqlrow *r, void *ctx)
{
	char **out = ctx;

	free(*out);
	*out = xstrdup(row_text(r, 0));
	return 0;
}

int cxm_store_journey_definition(struct cxm_store *s, int64_t tenant, int64_t journey_id, int version,
				 char **definition)
{
	static const char sql[] =
		"SELECT definition FROM journey_versions WHERE tenant_id = ? AND journey_id = ? AND version = ?";
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(journey_id), SQLV_INT(version) };
	int ret;

	*definition = NULL;
	if (s->in_query)
		BUG("a store query was started from inside a row callback");
	s->in_query = 1;
	ret = s->ops->query(s, sql, p, ARRAY_SIZE(p), definition_row, definition, NULL);
	s->in_query = 0;
	if (!ret && !*definition)
		ret = cxm_store_seterr(s, CXM_ENOTFOUND, _(MSG_S_NO_JOURNEY), (long long)journey_id);
	return ret;
}
