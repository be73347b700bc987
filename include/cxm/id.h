/*
 * id.h - application-generated 64-bit ids, ordered by creation time.
 *
 * Layout (bit 63 always 0, so ids are positive in every database):
 *   62..22  milliseconds since 2020-01-01T00:00:00Z (41 bits, ~69 years)
 *   21..12  a 10-bit node number: $CXM_NODE_ID (0-1023) when set, else
 *           drawn at random once per process. Processes that write to one
 *           database at the same time should each get their own
 *           CXM_NODE_ID; random numbers collide 1 time in 1024.
 *   11..0   a sequence within the millisecond (4096 ids/ms per process)
 * When the sequence runs out, or the clock steps back, the generator moves
 * its own millisecond forward, so ids from one process strictly increase.
 */
#ifndef CXM_ID_H
#define CXM_ID_H

#include <stdint.h>

#define CXM_ID_EPOCH_MS 1577836800000LL
#define CXM_ID_BUFSZ 24

/* Sets the node number (0-1023) for the ids that follow. */
void cxm_id_set_node(unsigned node);
/* Returns a fresh id (thread-safe). */
int64_t cxm_id_next(void);
/* Milliseconds since the Unix epoch at which the id was made. */
int64_t cxm_id_time_ms(int64_t id);
/* Writes the decimal form into out (CXM_ID_BUFSZ); returns out. */
char *cxm_id_format(int64_t id, char *out);

#endif
