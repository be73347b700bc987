/*
 * journeys.h - the demo tenant's two journeys (journeys.c): "Compra online"
 * and "Atención al cliente". Internal to src/demo/.
 */
#ifndef CXM_DEMO_JOURNEYS_H
#define CXM_DEMO_JOURNEYS_H

#include <stdint.h>

struct cxm_store;

/*
 * Checks both journeys (cxm_journey_check: a failure is a bug of the demo)
 * and creates them in the tenant, with the relational survey as their
 * outcome, before any event is stored so that ingest tracks them.
 */
int demo_journeys_create(struct cxm_store *s, int64_t tenant, int64_t outcome_survey_id);

#endif
