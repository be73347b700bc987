/* id.c - time-ordered 64-bit ids (layout in include/cxm/id.h). */
#include "cxm/id.h"
#include "cxm/core.h"
#include "cxm/time.h"

#include <pthread.h>
#include <stdio.h>
#include <sys/random.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t last_ms = -1;
static unsigned seq;
static unsigned salt = 0x400; /* > 10 bits: not drawn yet */

int64_t cxm_id_next(void)
{
	int64_t ms, id;

	pthread_mutex_lock(&lock);
	if (salt > 0x3FF) {
		const char *env = getenv("CXM_NODE_ID");
		int64_t node;
		unsigned r = 0;
		if (env && !cxm_parse_i64(env, strlen(env), &node) && node >= 0 && node <= 0x3FF) {
			r = (unsigned)node;
		} else if (getrandom(&r, sizeof(r), 0) != sizeof(r)) {
			r = (unsigned)getpid() ^ (unsigned)cxm_now_us();
		}
		salt = r & 0x3FF;
	}
	ms = cxm_now_us() / 1000 - CXM_ID_EPOCH_MS;
	if (ms <= last_ms) {
		ms = last_ms;
		if (++seq > 0xFFF) {
			ms++;
			seq = 0;
		}
	} else {
		seq = 0;
	}
	last_ms = ms;
	id = (ms << 22) | ((int64_t)salt << 12) | seq;
	pthread_mutex_unlock(&lock);
	return id;
}

void cxm_id_set_node(unsigned node)
{
	pthread_mutex_lock(&lock);
	salt = node & 0x3FF;
	/* a lower node number must not make the next id smaller than the
	 * last: move on to the next millisecond */
	if (last_ms >= 0) {
		last_ms++;
		seq = 0;
	}
	pthread_mutex_unlock(&lock);
}

int64_t cxm_id_time_ms(int64_t id)
{
	return (id >> 22) + CXM_ID_EPOCH_MS;
}

char *cxm_id_format(int64_t id, char *out)
{
	cxm_xsnprintf(out, CXM_ID_BUFSZ, "%lld", (long long)id);
	return out;
}
