/*
 * server.c: FastCGI <-> hark_req/hark_resp adaptor and the worker's accept loop.
 *
 * Signals are blocked while a request is being answered and unblocked only
 * while waiting (epoll_pwait or ppoll), so SIGTERM never interrupts a request
 * half-way: the worker finishes it, then leaves the loop.  On Linux the
 * workers wait with EPOLLEXCLUSIVE so a new connection wakes one of them, not
 * all (the thundering herd cost a context switch per worker per request).
 * The listening socket is non-blocking anyway: a woken worker may still find
 * that another took the connection.  A request that outlives [server]
 * request_timeout is ended by the worker's watchdog thread (watchdog.h),
 * not by a signal: the main thread may be anywhere in it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/epoll.h>
#endif

#include <fcgiapp.h>

#include "app.h"
#include "buf.h"
#include "conf.h"
#include "http.h"
#include "ids.h"
#include "log.h"
#include "proxies.h"
#include "server.h"
#include "signals.h"
#include "status.h"
#include "watchdog.h"

/* Bytes of an unread body discarded so the web server sees our answer. */
#define DRAIN_MAX	(8u * 1024 * 1024)
/* A file body goes out in chunks of this size: a worker never holds more. */
#define FILE_CHUNK	65536

static volatile sig_atomic_t	got_stop;
static volatile sig_atomic_t	got_reload;
static volatile sig_atomic_t	got_reopen;
static int			log_requests = 1;
static char			log_addresses[8] = "block";
static int			log_slow_ms;
static int			listen_epfd = -1;	/* -1: use ppoll */
static struct hark_proxies	proxies;		/* [server] trusted_proxies */
/* The listening socket to shut when the master dies; -1: none. */
static volatile sig_atomic_t	orphan_fd = -1;
static int			orphan_shuts = 1;	/* 0: systemd's socket */
static struct hark_status_slot	*count_slot;		/* the master's counter */

extern char **environ;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		got_reload = 1;
	else if (sig == SIGUSR1)
		got_reopen = 1;
	else
		got_stop = 1;
}

/*
 * The master is dead.  shutdown() acts on the socket, not on this process's
 * descriptor: the first worker here makes every worker's copy refuse new
 * connections, so the web server sees a dead backend and spawns a new one,
 * while requests in hand finish.  Async-signal-safe, as a handler must be.
 */
static void
on_orphan(int sig)
{
	int	 saved = errno;

	(void)sig;
	got_stop = 1;
	if (orphan_fd >= 0)
		shutdown(orphan_fd, SHUT_RDWR);
	errno = saved;
}

/*
 * Installs handlers without SA_RESTART: ppoll must return on a signal.  A
 * worker with a master also takes HARK_SIG_ORPHAN, never blocked, with
 * SA_RESTART so the request it may interrupt goes on.
 */
static void
install_signals(sigset_t *waitmask, int listen_fd, int has_master)
{
	struct sigaction	 sa;
	sigset_t		 block, orphan;

	hark_signals_worker_handle(on_signal, 0);
	hark_signals_worker_set(&block);
	sigprocmask(SIG_BLOCK, &block, waitmask);
	hark_signals_worker_unblock(waitmask);
	if (!has_master)
		return;
	orphan_fd = orphan_shuts ? listen_fd : -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_orphan;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(HARK_SIG_ORPHAN, &sa, NULL);
	sigemptyset(&orphan);
	sigaddset(&orphan, HARK_SIG_ORPHAN);
	sigdelset(waitmask, HARK_SIG_ORPHAN);
	sigprocmask(SIG_UNBLOCK, &orphan, NULL);
}

void
hark_server_count_in(struct hark_status_slot *slot)
{
	count_slot = slot;
}

void
hark_server_socket_shared(void)
{
	orphan_shuts = 0;
}

static const char *
env_get(char **envp, const char *name)
{
	size_t	 n = strlen(name);

	for (; envp != NULL && *envp != NULL; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

static int
dup_or_empty(char **dst, const char *src)
{
	*dst = strdup(src != NULL ? src : "");
	return *dst == NULL ? -1 : 0;
}

/* Strict decimal: the web server computed it, anything else is a bad request. */
static int
parse_length(const char *s, long long *out)
{
	long long	 v = 0;

	if (s == NULL || *s == '\0') {
		*out = -1;
		return 0;
	}
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > (LLONG_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return 0;
}

/*
 * The client's address: REMOTE_ADDR, or behind a trusted proxy the address
 * it forwarded, so the failed-key lock-out and the audit count the client.
 */
static int
client_addr(struct hark_req *req, char **envp)
{
	char	 addr[HARK_ADDR_MAX];

	hark_proxies_client(&proxies, env_get(envp, "REMOTE_ADDR"),
	    env_get(envp, "HTTP_X_FORWARDED_FOR"),
	    env_get(envp, "HTTP_FORWARDED"), addr, sizeof(addr));
	return dup_or_empty(&req->remote_addr, addr);
}

/*
 * Fills req from a CGI/FastCGI environment.  Returns 0, -1 on ENOMEM, 400
 * when the environment describes a malformed request, or 409 (answered as
 * 400 ambiguous_header) with the header's name in dup.
 */
static int
req_from_env(struct hark_req *req, char **envp, char *dup, size_t dupsz)
{
	const char	*uri, *qs;
	struct hark_buf	 b = { 0 };
	int		 rc;

	if (dup_or_empty(&req->method, env_get(envp, "REQUEST_METHOD")) == -1)
		return -1;
	if ((uri = env_get(envp, "REQUEST_URI")) != NULL && *uri != '\0') {
		if ((req->uri = strdup(uri)) == NULL)
			return -1;
	} else {
		/* Plain CGI servers without REQUEST_URI: rebuild it. */
		qs = env_get(envp, "QUERY_STRING");
		if (hark_buf_printf(&b, "%s%s%s%s",
		    env_get(envp, "SCRIPT_NAME") ? env_get(envp, "SCRIPT_NAME") : "",
		    env_get(envp, "PATH_INFO") ? env_get(envp, "PATH_INFO") : "",
		    qs && *qs ? "?" : "", qs && *qs ? qs : "") == -1)
			return -1;
		req->uri = hark_buf_steal(&b);
		if (req->uri == NULL)
			return -1;
	}
	if (env_get(envp, "CONTENT_TYPE") != NULL && *env_get(envp, "CONTENT_TYPE") &&
	    (req->content_type = strdup(env_get(envp, "CONTENT_TYPE"))) == NULL)
		return -1;
	if ((rc = hark_req_add_env_headers(req, envp, dup, dupsz)) == -2)
		return 409;
	if (rc == -1)
		return -1;
	/* After the headers: a doubled X-Forwarded-For is refused above. */
	if (client_addr(req, envp) == -1)
		return -1;
	if (parse_length(env_get(envp, "CONTENT_LENGTH"), &req->content_length) == -1)
		return 400;
	return 0;
}

/*
 * What the request path reads from the configuration on each load.  The
 * list parsed when the file was loaded, so only memory can fail here, and
 * then nobody is trusted (the peer is the client: fail closed).
 */
static void
apply_conf(const struct hark_conf *conf)
{
	char	 why[128];

	log_requests = conf->log_requests;
	snprintf(log_addresses, sizeof(log_addresses), "%s",
	    conf->log_addresses);
	log_slow_ms = conf->log_slow_ms;
	hark_proxies_free(&proxies);
	if (hark_proxies_parse(conf->trusted_proxies, &proxies, why,
	    sizeof(why)) == -1)
		hark_log(HARK_LOG_ERR, "trusted_proxies: %s; trusting none",
		    why);
}

static ssize_t
fcgx_body_read(void *ctx, void *buf, size_t n)
{
	FCGX_Stream	*in = ctx;
	int		 got;

	got = FCGX_GetStr(buf, n > 65536 ? 65536 : (int)n, in);
	if (got < 0 || FCGX_GetError(in) != 0)
		return -1;
	return got;
}

static ssize_t
fd_body_read(void *ctx, void *buf, size_t n)
{
	int	 fd = *(int *)ctx;
	ssize_t	 got;

	do
		got = read(fd, buf, n);
	while (got == -1 && errno == EINTR);
	return got;
}

/* Reads and drops what the handler left unread, up to DRAIN_MAX. */
static void
drain_body(struct hark_req *req)
{
	char	 junk[16384];
	ssize_t	 n;

	if (req->body_read == NULL || req->content_length <= 0 ||
	    (unsigned long long)req->content_length > DRAIN_MAX)
		return;
	while (req->body_seen < (size_t)req->content_length) {
		n = req->body_read(req->body_ctx, junk, sizeof(junk));
		if (n <= 0)
			break;
		req->body_seen += (size_t)n;
	}
}

/* Renders status line and headers as CGI response headers. */
static int
format_head(const struct hark_resp *resp, struct hark_buf *out)
{
	size_t	 i;

	if (hark_buf_printf(out, "Status: %d %s\r\n", resp->status,
	    hark_status_text(resp->status)) == -1)
		return -1;
	/*
	 * A 204 has no body, so neither a type nor a length (RFC 9110
	 * 15.3.5); a 304 neither (its headers are those of the 200 it stands
	 * for, and a length there would be the file's, 15.4.5).  A body the
	 * web server sends (X-Sendfile) gets its length from it.
	 */
	if (resp->status != 204 && resp->status != 304 && hark_buf_printf(out,
	    "Content-Type: %s\r\n", resp->content_type) == -1)
		return -1;
	if (resp->status != 204 && resp->status != 304 && !resp->handoff &&
	    hark_buf_printf(out, "Content-Length: %llu\r\n",
	    hark_resp_body_len(resp)) == -1)
		return -1;
	for (i = 0; i < resp->nheaders; i++)
		if (hark_buf_printf(out, "%s: %s\r\n", resp->headers[i].name,
		    resp->headers[i].value) == -1)
			return -1;
	if (resp->request_id[0] != '\0' && hark_buf_printf(out,
	    "X-Request-Id: %s\r\n", resp->request_id) == -1)
		return -1;
	return hark_buf_puts(out, "\r\n");
}

static time_t
mono_seconds(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static double
ms_since(const struct timespec *t0)
{
	struct timespec	 t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/*
 * The request's id: the one the web server (or a proxy in front) sent, so
 * that its log and hark's name the same request, when it is a plain token;
 * else one made here.
 */
static void
request_id(const struct hark_req *req, struct hark_resp *resp)
{
	const char	*h = hark_req_header(req, "x-request-id");
	size_t		 n;

	if (h != NULL && (n = strlen(h)) > 0 && n <= HARK_REQUEST_ID_MAX &&
	    strspn(h, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._-") == n) {
		memcpy(resp->request_id, h, n + 1);
		return;
	}
	if (hark_random_chars(HARK_ID_ALPHABET, resp->request_id, 20) == -1)
		resp->request_id[0] = '\0';
	else
		resp->request_id[20] = '\0';
}

/* The client's address as [log] addresses says: whole, its block, or "-". */
static const char *
log_addr(const struct hark_req *req, char *buf, size_t len)
{
	if (req->remote_addr == NULL || req->remote_addr[0] == '\0' ||
	    strcmp(log_addresses, "none") == 0)
		return "-";
	if (strcmp(log_addresses, "full") == 0)
		return req->remote_addr;
	hark_addr_block(req->remote_addr, buf, len);
	return buf;
}

/*
 * The access log: method, path without the query string (it may carry
 * search terms or keys), status, time, body bytes, the request id, the
 * client's address (by default its /24 or /64 block: an address is
 * personal data) and the project.  Nothing else.  A request slower than
 * [log] slow_ms is logged again as a warning.
 */
static void
log_request(const struct hark_req *req, const struct hark_resp *resp,
    const struct timespec *t0)
{
	const char	*path = req->path;
	char		 raw[256], addr[64];
	double		 ms = ms_since(t0);
	size_t		 n;

	if (!log_requests && (log_slow_ms == 0 || ms < log_slow_ms))
		return;
	if (path == NULL) {
		/* Refused before decoding: log the raw path, cut at '?'. */
		n = req->uri ? strcspn(req->uri, "?") : 0;
		if (n >= sizeof(raw))
			n = sizeof(raw) - 1;
		memcpy(raw, req->uri ? req->uri : "", n);
		raw[n] = '\0';
		path = raw;
	}
	hark_log(log_slow_ms > 0 && ms >= log_slow_ms ? HARK_LOG_WARN :
	    HARK_LOG_INFO, "%s%s %.200s %d %.1fms %lluB id=%s addr=%s "
	    "project=%s", log_slow_ms > 0 && ms >= log_slow_ms ? "slow: " : "",
	    req->method ? req->method : "-", path, resp->status, ms,
	    hark_resp_body_len(resp), resp->request_id[0] ? resp->request_id :
	    "-", log_addr(req, addr, sizeof(addr)),
	    resp->project_id[0] ? resp->project_id : "-");
}

/* Builds the request, lets the application answer it; never fails. */
static void
answer(struct hark_app *app, struct hark_req *req, struct hark_resp *resp,
    char **envp)
{
	char	 dup[128];
	int	 rc;

	rc = req_from_env(req, envp, dup, sizeof(dup));
	request_id(req, resp);
	hark_watchdog_describe(req->method, req->uri, resp->request_id,
	    resp->project_id, &resp->widget_errors);
	if (rc == 409)
		hark_resp_error(resp, 400, "ambiguous_header", dup,
		    "the header %s arrived twice (under CGI X_A and X-A are "
		    "one name); send it once, spelt with dashes", dup);
	else if (rc == 400)
		hark_resp_error(resp, 400, "bad_request", "Content-Length",
		    "Content-Length is not a number");
	else if (rc != 0)
		hark_resp_error(resp, 500, "internal", NULL, "out of memory");
	else
		hark_app_handle(app, req, resp);
}

/*
 * Sends a file body through put in FILE_CHUNK pieces read with pread, so a
 * 10 MiB file costs a worker no more memory than a 10 KiB one.  The
 * headers are out already, with the length: a file that ends early (cut
 * while being served) or a failed write leaves the answer short, which the
 * web server reports as an upstream error.  0, or -1 (logged).
 */
static int
send_file_body(const struct hark_resp *resp,
    int (*put)(void *ctx, const char *p, size_t n), void *ctx)
{
	static char	 chunk[FILE_CHUNK];
	off_t		 off = resp->file_off, end = resp->file_off + resp->file_len;
	size_t		 want;
	ssize_t		 n;

	while (off < end) {
		want = end - off < (off_t)sizeof(chunk) ? (size_t)(end - off) :
		    sizeof(chunk);
		n = pread(resp->file_fd, chunk, want, off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			hark_log(HARK_LOG_ERR, "a file body ended %lld bytes "
			    "early: %s", (long long)(end - off),
			    n == 0 ? "the file is shorter" : strerror(errno));
			return -1;
		}
		if (put(ctx, chunk, (size_t)n) == -1)
			return -1;
		off += n;
	}
	return 0;
}

static int
fcgx_put(void *ctx, const char *p, size_t n)
{
	return FCGX_PutStr(p, (int)n, ctx) == (int)n ? 0 : -1;
}

static int
fd_put(void *ctx, const char *p, size_t n)
{
	int	 fd = *(int *)ctx;
	ssize_t	 w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void
serve_fcgi(struct hark_app *app, FCGX_Request *rq)
{
	struct hark_req		 req;
	struct hark_resp	 resp;
	struct hark_buf		 head = { 0 };
	struct timespec		 t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	hark_req_init(&req);
	hark_resp_init(&resp);
	req.body_read = fcgx_body_read;
	req.body_ctx = rq->in;
	hark_watchdog_arm(HARK_WATCHDOG_FCGI, rq->ipcFd, rq->requestId);
	answer(app, &req, &resp, rq->envp);
	drain_body(&req);
	hark_watchdog_respond();
	if (format_head(&resp, &head) == 0) {
		FCGX_PutStr(head.data, (int)head.len, rq->out);
		if (strcmp(req.method ? req.method : "", "HEAD") == 0 ||
		    resp.handoff || resp.status == 304)
			;	/* no body */
		else if (resp.file_fd != -1)
			(void)send_file_body(&resp, fcgx_put, rq->out);
		else if (resp.body.len > 0)
			FCGX_PutStr(resp.body.data, (int)resp.body.len, rq->out);
	}
	FCGX_Finish_r(rq);
	hark_watchdog_disarm();
	log_request(&req, &resp, &t0);
	hark_buf_free(&head);
	hark_resp_free(&resp);
	hark_req_free(&req);
}

/* SIGHUP without a master: re-read the file, keep the old one on error. */
static void
reload_in_place(struct hark_app **app, struct hark_conf *conf,
    const char *config_path)
{
	struct hark_conf	 fresh;
	struct hark_conf_err	 err;
	struct hark_app		*napp;

	if (hark_conf_load(config_path, &fresh, &err) == -1) {
		hark_log(HARK_LOG_ERR, "reload refused, keeping the old "
		    "configuration: %s", err.msg);
		return;
	}
	hark_app_free(*app);
	*app = NULL;
	hark_conf_free(conf);
	*conf = fresh;
	hark_log_set_level(conf->log_level);
	apply_conf(conf);
	(void)hark_watchdog_start(conf->request_timeout);
	if ((napp = hark_app_new(conf)) == NULL)
		return;
	*app = napp;
	hark_log(HARK_LOG_INFO, "configuration reloaded");
}

static int
set_nonblocking(int fd)
{
	int	 fl = fcntl(fd, F_GETFL);

	return fl == -1 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* One epoll set per worker, made after fork; on failure ppoll serves. */
static void
open_listen_epoll(int listen_fd)
{
#ifdef __linux__
	struct epoll_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	if ((listen_epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return;
	if (epoll_ctl(listen_epfd, EPOLL_CTL_ADD, listen_fd, &ev) == -1) {
		close(listen_epfd);
		listen_epfd = -1;
	}
#else
	(void)listen_fd;
#endif
}

/*
 * Waits until a request may be accepted: on the listening socket, or on the
 * connection libfcgi keeps open when the web server asked it to.  Returns 1
 * when there is something to accept, 0 when a signal came, -1 on error.
 */
static int
wait_ready(int listen_fd, const FCGX_Request *rq, const sigset_t *waitmask)
{
	struct pollfd	 pfd;

#ifdef __linux__
	struct epoll_event	 ev;

	if (rq->ipcFd < 0 && listen_epfd >= 0) {
		if (epoll_pwait(listen_epfd, &ev, 1, -1, waitmask) == -1)
			return errno == EINTR ? 0 : -1;
		return 1;
	}
#endif
	pfd.fd = rq->ipcFd >= 0 ? rq->ipcFd : listen_fd;
	pfd.events = POLLIN;
	if (ppoll(&pfd, 1, NULL, waitmask) == -1)
		return errno == EINTR ? 0 : -1;
	return 1;
}

int
hark_server_run(int listen_fd, struct hark_conf *conf,
    const char *config_path, int reload)
{
	FCGX_Request	 rq;
	struct hark_app	*app;
	sigset_t	 waitmask;
	long		 served = 0;
	int		 rc, status = 0;

	install_signals(&waitmask, listen_fd, !reload);
	apply_conf(conf);
	if (FCGX_Init() != 0 || FCGX_InitRequest(&rq, listen_fd,
	    FCGI_FAIL_ACCEPT_ON_INTR) != 0 || set_nonblocking(listen_fd) == -1) {
		hark_log(HARK_LOG_ERR, "cannot set up FastCGI on fd %d", listen_fd);
		return 1;
	}
	if ((app = hark_app_new(conf)) == NULL)
		return 1;
	open_listen_epoll(listen_fd);
	/* After fork, as threads do not survive one; failing, the master's
	 * kill (prefork.c) still bounds a stuck request. */
	(void)hark_watchdog_start(conf->request_timeout);
	while (!got_stop) {
		if (conf->max_requests > 0 && served >= conf->max_requests) {
			hark_log(HARK_LOG_INFO, "retiring after %ld requests",
			    served);
			break;
		}
		if (got_reopen) {
			got_reopen = 0;
			hark_log_reopen();
		}
		if (got_reload) {
			got_reload = 0;
			if (reload)
				reload_in_place(&app, conf, config_path);
			if (app == NULL) {
				status = 1;
				break;
			}
		}
		if ((rc = wait_ready(listen_fd, &rq, &waitmask)) <= 0) {
			if (rc == 0)
				continue;
			hark_log(HARK_LOG_ERR, "poll on the FastCGI socket: %s",
			    strerror(errno));
			status = 1;
			break;
		}
		if ((rc = FCGX_Accept_r(&rq)) < 0) {
			/* Another worker took it, or the kept connection closed. */
			if (rc == -EAGAIN || rc == -EWOULDBLOCK || rc == -EINTR ||
			    rc == -ECONNABORTED)
				continue;
			/* Out of descriptors or buffers: passing, and every
			 * worker exiting would only make a respawn storm. */
			if (rc == -EMFILE || rc == -ENFILE || rc == -ENOBUFS ||
			    rc == -ENOMEM) {
				hark_log(HARK_LOG_WARN, "FastCGI accept: %s; "
				    "pausing", strerror(-rc));
				usleep(100000);
				continue;
			}
			hark_log(HARK_LOG_ERR, "FastCGI accept failed (%d)", rc);
			status = 1;
			break;
		}
		if (count_slot != NULL) {
			count_slot->since = mono_seconds();
			count_slot->busy = 1;
		}
		serve_fcgi(app, &rq);
		served++;
		if (count_slot != NULL) {
			count_slot->served++;
			count_slot->busy = 0;
		}
	}
	FCGX_Free(&rq, 1);
	hark_app_free(app);
	if (listen_epfd >= 0)
		close(listen_epfd);
	return status;
}

int
hark_server_cgi(const struct hark_conf *conf)
{
	struct hark_app		*app;
	struct hark_req		 req;
	struct hark_resp	 resp;
	struct hark_buf		 out = { 0 };
	struct timespec		 t0;
	int			 fd = STDIN_FILENO, outfd = STDOUT_FILENO;
	bool			 nobody;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	apply_conf(conf);
	/* One request, so one deadline from the start: the database
	 * connection made for it counts. */
	if (hark_watchdog_start(conf->request_timeout) == 0)
		hark_watchdog_arm(HARK_WATCHDOG_CGI, outfd, 0);
	if ((app = hark_app_new(conf)) == NULL)
		return 1;
	hark_req_init(&req);
	hark_resp_init(&resp);
	req.body_read = fd_body_read;
	req.body_ctx = &fd;
	answer(app, &req, &resp, environ);
	hark_watchdog_respond();
	nobody = strcmp(req.method ? req.method : "", "HEAD") == 0 ||
	    resp.handoff || resp.status == 304;
	if (format_head(&resp, &out) == 0 &&
	    (nobody || resp.file_fd != -1 ||
	    hark_buf_append(&out, resp.body.data, resp.body.len) == 0) &&
	    fd_put(&outfd, out.data, out.len) == 0 && !nobody &&
	    resp.file_fd != -1)
		(void)send_file_body(&resp, fd_put, &outfd);
	log_request(&req, &resp, &t0);
	hark_buf_free(&out);
	hark_resp_free(&resp);
	hark_req_free(&req);
	hark_app_free(app);
	return 0;
}
