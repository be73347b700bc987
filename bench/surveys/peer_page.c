/*
 * peer_page.c - the ceiling for the public survey page: a minimal
 * libmicrohttpd server (the same flags as cxm serve: internal thread pool,
 * epoll) answering every GET with a fixed HTML page of the same size as
 * cxm's. Usage: peer_page PORT THREADS BYTES (PORT 0: any free port, printed)
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *page;
static size_t page_len;

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			      const char *version, const char *data, size_t *size, void **state)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	(void)cls, (void)url, (void)method, (void)version, (void)data, (void)size, (void)state;

	r = MHD_create_response_from_buffer(page_len, page, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
	ret = MHD_queue_response(c, 200, r);
	MHD_destroy_response(r);
	return ret;
}

int main(int argc, char **argv)
{
	struct MHD_Daemon *d;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	sigset_t s;
	int sig;

	if (argc != 4)
		return fprintf(stderr, "usage: peer_page PORT THREADS BYTES\n"), 2;
	page_len = strtoul(argv[3], NULL, 10);
	page = malloc(page_len + 1);
	memset(page, 'x', page_len);
	/* loopback only */
	sa.sin_port = htons((unsigned short)atoi(argv[1]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL, answer, NULL,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE,
			     (unsigned)atoi(argv[2]), MHD_OPTION_END);
	if (!d)
		return perror("MHD_start_daemon"), 1;
	/* port 0: the system picks one; say which, as cxm serve does */
	fprintf(stderr, "listening on http://127.0.0.1:%u\n",
		(unsigned)MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port);
	sigemptyset(&s);
	sigaddset(&s, SIGTERM);
	sigaddset(&s, SIGINT);
	sigprocmask(SIG_BLOCK, &s, NULL);
	sigwait(&s, &sig);
	MHD_stop_daemon(d);
	free(page);
	return 0;
}
