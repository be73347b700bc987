/* fuzz_journey.c - journey definitions: the input is parsed strictly and
 * checked; a journey that holds must come back unchanged from its
 * canonical form, find every node by key, and take every touchpoint's own
 * event into a state whose contribution stays within the journey. */
#include "fuzz.h"
#include "cxm/journey.h"

static void trap_unless(bool ok)
{
	if (!ok)
		__builtin_trap();
}

static void exercise(const struct cxm_journey_def *d)
{
	struct cxm_journey_state st;
	struct cxm_journey_contrib c[CXM_JOURNEY_NODES_MAX];
	size_t n;

	cxm_journey_state_init(&st);
	for (int t = 0; t < d->n_tps; t++) {
		const struct cxm_journey_match *m = &d->tps[t].match;
		char key[2 * CXM_JOURNEY_KEY_MAX + 2];
		int hit;
		/* an event of the rule's class with no properties reaches it unless it tests some */
		hit = cxm_journey_match_event(d, m->type, m->channel[0] ? m->channel : "web",
					      m->touchpoints_n ? m->touchpoints[0] : NULL, NULL);
		trap_unless(m->properties ? hit == -1 : hit == t);
		snprintf(key, sizeof(key), "%s.%s", d->stages[d->tps[t].stage].key, d->tps[t].key);
		trap_unless(cxm_journey_node_find(d, key) == cxm_journey_tp_node(t));
		trap_unless(cxm_journey_node_stage(d, cxm_journey_tp_node(t)) == d->tps[t].stage);
		cxm_journey_state_add(d, &st, t, (int64_t)t * 7919 * 1000000, t);
	}
	n = cxm_journey_contrib_of(d, &st, c);
	trap_unless(n == (size_t)(d->n_stages + d->n_tps));
	for (size_t i = 0; i < n; i++)
		trap_unless(!c[i].converted || (c[i].seconds >= 0 && c[i].seconds <= d->window_s));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char field[160], why[600], *a = NULL, *b = NULL;
	struct cxm_journey_def *d = malloc(sizeof(*d)), *d2 = malloc(sizeof(*d2));
	cJSON *j, *c = NULL, *c2 = NULL;

	cxm_i18n_set(size && (data[0] & 0x80) ? "es" : "en");
	j = cxm_json_parse((const char *)data, size, why, sizeof(why));
	if (j && !cxm_journey_check(j, d, field, sizeof(field), why, sizeof(why))) {
		exercise(d);
		c = cxm_journey_to_json(d);
		trap_unless(!cxm_journey_check(c, d2, field, sizeof(field), why, sizeof(why)));
		c2 = cxm_journey_to_json(d2);
		a = cJSON_PrintUnformatted(c);
		b = cJSON_PrintUnformatted(c2);
		trap_unless(a && b && !strcmp(a, b));
	}
	free(a);
	free(b);
	cJSON_Delete(c2);
	cJSON_Delete(c);
	cJSON_Delete(j);
	free(d2);
	free(d);
	return 0;
}
