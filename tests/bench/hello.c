/* hello.c: the smallest libfcgi responder, the baseline hark-fcgi is benchmarked against. */
/*
 * It answers every request with the body hark's GET /v1/health gives, so the
 * two differ only in what hark does per request (routing, validation, the
 * database round trip, the log line), not in bytes on the wire.
 *
 *	hello [-s PATH|HOST:PORT] [-n WORKERS]
 *
 * With -s it binds the socket itself (mode 0666 for a unix path), else it
 * serves the listening socket on fd 0 as a web server or spawn-fcgi hands it
 * over.  -n forks that many processes accepting on the one socket, like
 * hark-fcgi's workers.
 */
#define _POSIX_C_SOURCE 200809L

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#define HELLO_MAX_WORKERS	256

static const char hello_body[] =
    "{\"status\":\"ok\",\"database\":\"ok\",\"version\":\"0.1.0\",\"schema\":1}";

static volatile sig_atomic_t	hello_stop;

static void
hello_on_signal(int sig)
{
	(void)sig;
	hello_stop = 1;
}

static void
hello_serve(int fd)
{
	FCGX_Request	req;
	char		head[160];
	int		n;

	if (FCGX_InitRequest(&req, fd, 0) != 0)
		_exit(1);
	n = snprintf(head, sizeof(head), "Status: 200 OK\r\n"
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Content-Length: %zu\r\n\r\n", sizeof(hello_body) - 1);
	while (FCGX_Accept_r(&req) >= 0) {
		FCGX_PutStr(head, n, req.out);
		FCGX_PutStr(hello_body, (int)sizeof(hello_body) - 1, req.out);
		FCGX_Finish_r(&req);
	}
	_exit(0);
}

static int
hello_listen(const char *addr)
{
	int	fd;

	fd = FCGX_OpenSocket(addr, 128);
	if (fd < 0) {
		fprintf(stderr, "hello: cannot listen on %s\n", addr);
		return -1;
	}
	if (strchr(addr, ':') == NULL && chmod(addr, 0666) != 0) {
		fprintf(stderr, "hello: chmod %s: %s\n", addr, strerror(errno));
		return -1;
	}
	return fd;
}

/* Forks n servers on fd, waits for them, stops them all on SIGTERM/SIGINT. */
static int
hello_supervise(int fd, int n)
{
	pid_t	pids[HELLO_MAX_WORKERS];
	int	i, status;

	for (i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] == -1) {
			perror("hello: fork");
			n = i;
			hello_stop = 1;
			break;
		}
		if (pids[i] == 0) {
			signal(SIGTERM, SIG_DFL);
			signal(SIGINT, SIG_DFL);
			hello_serve(fd);
		}
	}
	while (!hello_stop && waitpid(-1, &status, 0) > 0)
		continue;
	for (i = 0; i < n; i++)
		kill(pids[i], SIGTERM);
	while (waitpid(-1, &status, 0) > 0)
		continue;
	return 0;
}

int
main(int argc, char *argv[])
{
	struct sigaction	 sa;
	const char		*addr = NULL;
	int			 c, fd = 0, n = 1;

	while ((c = getopt(argc, argv, "n:s:")) != -1) {
		switch (c) {
		case 'n':
			n = atoi(optarg);
			break;
		case 's':
			addr = optarg;
			break;
		default:
			fprintf(stderr, "usage: hello [-s PATH|HOST:PORT] "
			    "[-n WORKERS]\n");
			return 2;
		}
	}
	if (n < 1 || n > HELLO_MAX_WORKERS) {
		fprintf(stderr, "hello: -n must be 1..%d\n", HELLO_MAX_WORKERS);
		return 2;
	}
	if (FCGX_Init() != 0)
		return 1;
	if (addr != NULL && (fd = hello_listen(addr)) < 0)
		return 1;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = hello_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	return hello_supervise(fd, n);
}
