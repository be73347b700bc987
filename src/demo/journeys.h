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
 * outcome, and builds them while the tenant has no customers yet, so that
 * ingest tracks every event stored after.
 */
int demo_journeys_create(struct cxm_store *s, int64_t tenant, int64_t outcome_survey_id);

#endif
