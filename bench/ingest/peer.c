/*
 * peer.c - the HTTP+JSON ceiling for the ingest benchmark: a minimal
 * libmicrohttpd server with cxm serve's daemon flags (internal polling
 * thread + thread pool, epoll, suspend/resume allowed, 64 KiB per
 * connection, same pool size) that collects each request body, parses it
 * with cJSON and throws it away, answering 202 with a body the size of
 * cxm's ({"accepted":N,"duplicates":0,"new_customers":0}). No routing, no
 * authentication, no checks, no database: whatever cxm does on top of
 * this costs the difference.
 *
 * Usage: peer HOST:PORT THREADS (port 0: any free port). Prints the port
 * it listens on to stderr, then runs until SIGTERM or SIGINT.
 */
#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define MAX_BODY (5 * 1000 * 1000)

struct body {
	char *p;
	size_t len, cap;
	int too_big;
};

static enum MHD_Result answer(struct MHD_Connection *conn, unsigned status, const char *text)
{
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				 const char *version, const char *data, size_t *size, void **con_cls)
{
	struct body *b = *con_cls;
	char text[96];
	cJSON *root;
	int n;
	(void)cls, (void)url, (void)method, (void)version;

	if (!b) {
		if (!(b = calloc(1, sizeof(*b))))
			return MHD_NO;
		*con_cls = b;
		return MHD_YES;
	}
	if (*size) {
		if (b->len + *size > MAX_BODY) {
			b->too_big = 1;
		} else {
			if (b->len + *size + 1 > b->cap) {
				size_t cap = (b->len + *size + 1) * 2;
				char *p = realloc(b->p, cap);
				if (!p)
					return MHD_NO;
				b->p = p, b->cap = cap;
			}
			memcpy(b->p + b->len, data, *size);
			b->len += *size;
		}
		*size = 0;
		return MHD_YES;
	}
	if (b->too_big)
		return answer(conn, 413, "{\"status\":413}");
	root = cJSON_ParseWithLength(b->p ? b->p : "", b->len);
	if (!root)
		return answer(conn, 400, "{\"status\":400}");
	n = cJSON_IsArray(root) ? cJSON_GetArraySize(root) : 1;
	cJSON_Delete(root);
	snprintf(text, sizeof(text), "{\"accepted\":%d,\"duplicates\":0,\"new_customers\":0}", n);
	return answer(conn, 202, text);
}

static void completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct body *b = *con_cls;
	(void)cls, (void)conn, (void)toe;

	if (b) {
		free(b->p);
		free(b);
		*con_cls = NULL;
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct MHD_Daemon *d;
	char host[64];
	const char *colon;
	sigset_t sigs;
	int sig;

	if (argc != 3 || !(colon = strrchr(argv[1], ':')) || (size_t)(colon - argv[1]) >= sizeof(host))
		return fprintf(stderr, "usage: peer HOST:PORT THREADS\n"), 2;
	memcpy(host, argv[1], (size_t)(colon - argv[1]));
	host[colon - argv[1]] = '\0';
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return fprintf(stderr, "peer: bad address %s\n", host), 2;
	sa.sin_port = htons((unsigned short)atoi(colon + 1));
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
				     MHD_USE_ERROR_LOG,
			     0, NULL, NULL, access_cb, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
			     MHD_OPTION_THREAD_POOL_SIZE, (unsigned)atoi(argv[2]), MHD_OPTION_CONNECTION_TIMEOUT, 30u,
			     MHD_OPTION_NOTIFY_COMPLETED, completed_cb, NULL, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
			     (size_t)64 * 1024, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_END);
	if (!d)
		return fprintf(stderr, "peer: cannot listen on %s\n", argv[1]), 1;
	{
		const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
		fprintf(stderr, "peer: listening on http://%s:%u\n", host, info ? (unsigned)info->port : 0);
	}
	while (sigwait(&sigs, &sig) != 0 || (sig != SIGTERM && sig != SIGINT))
		;
	MHD_stop_daemon(d);
	return 0;
}
