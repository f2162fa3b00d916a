/* watchdog.c: ends a request stuck past [server] request_timeout (see watchdog.h). */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cors.h"
#include "log.h"
#include "store.h"
#include "watchdog.h"

/* FastCGI 1.0's record types and header (the specification, section 3.3). */
#define FCGI_VERSION_1		1
#define FCGI_END_REQUEST	3
#define FCGI_STDOUT		6
#define FCGI_REQUEST_COMPLETE	0

static struct {
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	int			 timeout_s;	/* 0: off */
	int			 thread;	/* the thread runs */
	int			 armed;
	int			 responding;	/* the main thread writes its answer */
	struct timespec		 t0, deadline;	/* CLOCK_MONOTONIC */
	enum hark_watchdog_wire	 wire;
	int			 fd;
	int			 request_id;
	char			 method[16];
	char			 path[201];
	char			 rid[72];
	char			 origin[HARK_CORS_ORIGIN_MAX + 1]; /* "": none */
	const char		*project;	/* resp->project_id, or NULL */
	const volatile bool	*widget;	/* resp->widget_errors, or NULL */
} wd = { .mu = PTHREAD_MUTEX_INITIALIZER, .fd = -1 };

static int
write_all(int fd, const void *p, size_t n)
{
	const char	*c = p;
	ssize_t		 w;

	while (n > 0) {
		if ((w = write(fd, c, n)) == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static void
fcgi_header(unsigned char *h, int type, int id, size_t len)
{
	h[0] = FCGI_VERSION_1;
	h[1] = (unsigned char)type;
	h[2] = (unsigned char)((id >> 8) & 0xff);
	h[3] = (unsigned char)(id & 0xff);
	h[4] = (unsigned char)((len >> 8) & 0xff);
	h[5] = (unsigned char)(len & 0xff);
	h[6] = 0;	/* padding */
	h[7] = 0;
}

/*
 * The 503 in hark's error format, on the request's connection: as FastCGI
 * records the web server turns into the HTTP answer (the stream's content,
 * its end, then the end of the request), or as a CGI answer.
 */
static void
write_503(void)
{
	char		 body[512], cors[HARK_CORS_ORIGIN_MAX + 256], out[2048];
	unsigned char	 rec[8], end[8];
	int		 nb, nc, no;

	/* The widget's routes have their envelope (app.c sets the flag). */
	nb = snprintf(body, sizeof(body), "{%s\"error\":{\"code\":"
	    "\"request_timeout\",\"message\":\"the request was still being "
	    "answered after %d s and was ended; retry it (a submission with "
	    "the same Idempotency-Key is stored once)\"}}",
	    wd.widget != NULL && *wd.widget ? "\"success\":false," : "",
	    wd.timeout_s);
	if (nb < 0 || (size_t)nb >= sizeof(body))
		return;
	/* Readable by the page, as any other answer to it would be. */
	nc = wd.origin[0] == '\0' ? snprintf(cors, sizeof(cors), "%s", "") :
	    snprintf(cors, sizeof(cors), "Access-Control-Allow-Origin: %s\r\n"
	    "Vary: " HARK_CORS_VARY "\r\nAccess-Control-Expose-Headers: "
	    HARK_CORS_EXPOSE_HEADERS "\r\n", wd.origin);
	if (nc < 0 || (size_t)nc >= sizeof(cors))
		return;
	no = snprintf(out, sizeof(out), "Status: 503 Service Unavailable\r\n"
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Content-Length: %d\r\nRetry-After: %s\r\n"
	    "Cache-Control: no-store\r\n%s%s%s%s\r\n%s", nb,
	    HARK_WATCHDOG_RETRY_AFTER, wd.rid[0] ? "X-Request-Id: " : "",
	    wd.rid, wd.rid[0] ? "\r\n" : "", cors, body);
	if (no < 0 || (size_t)no >= sizeof(out))
		return;
	if (wd.wire == HARK_WATCHDOG_CGI) {
		(void)write_all(wd.fd, out, (size_t)no);
		return;
	}
	fcgi_header(rec, FCGI_STDOUT, wd.request_id, (size_t)no);
	if (write_all(wd.fd, rec, sizeof(rec)) == -1 ||
	    write_all(wd.fd, out, (size_t)no) == -1)
		return;
	/* An empty FCGI_STDOUT closes the stream. */
	fcgi_header(rec, FCGI_STDOUT, wd.request_id, 0);
	if (write_all(wd.fd, rec, sizeof(rec)) == -1)
		return;
	fcgi_header(rec, FCGI_END_REQUEST, wd.request_id, 8);
	memset(end, 0, sizeof(end));
	end[4] = FCGI_REQUEST_COMPLETE;
	(void)write_all(wd.fd, rec, sizeof(rec));
	(void)write_all(wd.fd, end, sizeof(end));
}

/*
 * The project id as the handler left it: read while the main thread is
 * stuck elsewhere, and copied only as far as it looks like an id.
 */
static void
project_of(char *buf, size_t sz)
{
	size_t	 i;
	char	 c;

	buf[0] = '\0';
	for (i = 0; wd.project != NULL && i + 1 < sz; i++) {
		c = wd.project[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-'))
			break;
		buf[i] = c;
		buf[i + 1] = '\0';
	}
}

/* The deadline passed, with wd.mu held: the process ends here. */
static void
fire(void)
{
	struct timespec	 now;
	char		 project[48];
	double		 ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (double)(now.tv_sec - wd.t0.tv_sec) * 1e3 +
	    (double)(now.tv_nsec - wd.t0.tv_nsec) / 1e6;
	project_of(project, sizeof(project));
	/*
	 * Logged before the 503 goes out, so that the process ends right
	 * after it: the main thread runs on meanwhile, and the client's retry
	 * (lib/store_idempotency.c takes its Idempotency-Key over once this
	 * process and its database session are gone) should not find it
	 * still alive because a log write was slow.
	 */
	hark_log(HARK_LOG_ERR, "request_timeout: %s %s id=%s project=%s "
	    "still running after %.1fms (request_timeout %d s); %s, and "
	    "worker %ld exits", wd.method[0] ? wd.method : "-",
	    wd.path[0] ? wd.path : "-", wd.rid[0] ? wd.rid : "-",
	    project[0] ? project : "-", ms, wd.timeout_s, wd.responding ?
	    "its answer was cut short" : "answered 503", (long)getpid());
	if (!wd.responding)
		write_503();
	_exit(HARK_WATCHDOG_EXIT);
}

static int
passed(const struct timespec *deadline)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline->tv_sec || (now.tv_sec ==
	    deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

/*
 * Arming does not wake this thread (a wake-up is a futex call or two per
 * request): it is never asleep past timeout_s from when it went to sleep,
 * so a deadline armed meanwhile, timeout_s from its arming, is never
 * passed unseen.  Idle, it comes round once every timeout_s.
 */
static void *
watch(void *arg)
{
	struct timespec	 wake;

	(void)arg;
	pthread_mutex_lock(&wd.mu);
	for (;;) {
		if (wd.timeout_s == 0) {
			pthread_cond_wait(&wd.cv, &wd.mu);
			continue;
		}
		if (wd.armed && passed(&wd.deadline))
			fire();
		if (wd.armed)
			wake = wd.deadline;
		else {
			clock_gettime(CLOCK_MONOTONIC, &wake);
			wake.tv_sec += wd.timeout_s;
		}
		(void)pthread_cond_timedwait(&wd.cv, &wd.mu, &wake);
	}
	return NULL;
}

int
hark_watchdog_start(int timeout_s)
{
	pthread_condattr_t	 ca;
	pthread_t		 th;
	sigset_t		 all, old;
	int			 rc;

	if (wd.thread) {
		/* A reload: the next request has the new deadline. */
		pthread_mutex_lock(&wd.mu);
		wd.timeout_s = timeout_s > 0 ? timeout_s : 0;
		wd.armed = 0;
		/* Its sleep may be longer than the new timeout allows. */
		pthread_cond_signal(&wd.cv);
		pthread_mutex_unlock(&wd.mu);
		return 0;
	}
	if (timeout_s <= 0)
		return 0;
	if (pthread_condattr_init(&ca) != 0)
		return -1;
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	rc = pthread_cond_init(&wd.cv, &ca);
	pthread_condattr_destroy(&ca);
	if (rc != 0) {
		hark_log(HARK_LOG_ERR, "request_timeout: no watchdog: %s",
		    strerror(rc));
		return -1;
	}
	/* Before the thread runs: with 0 it would wait to be woken. */
	wd.timeout_s = timeout_s;
	/* The thread inherits this mask: signals stay the main thread's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&th, NULL, watch, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		wd.timeout_s = 0;
		hark_log(HARK_LOG_ERR, "request_timeout: no watchdog thread: "
		    "%s", strerror(rc));
		return -1;
	}
	pthread_detach(th);
	wd.thread = 1;
	/* Idempotency-Key claims record the deadline (store_idempotency.c). */
	hark_store_idem_set_clock(hark_watchdog_left_ms);
	return 0;
}

void
hark_watchdog_arm(enum hark_watchdog_wire wire, int fd, int request_id)
{
	if (wd.timeout_s == 0)
		return;
	pthread_mutex_lock(&wd.mu);
	clock_gettime(CLOCK_MONOTONIC, &wd.t0);
	wd.deadline = wd.t0;
	wd.deadline.tv_sec += wd.timeout_s;
	wd.wire = wire;
	wd.fd = fd;
	wd.request_id = request_id;
	wd.method[0] = wd.path[0] = wd.rid[0] = wd.origin[0] = '\0';
	wd.project = NULL;
	wd.widget = NULL;
	wd.responding = 0;
	wd.armed = 1;
	pthread_mutex_unlock(&wd.mu);
}

void
hark_watchdog_describe(const char *method, const char *uri,
    const char *request_id, const char *project, const bool *widget)
{
	size_t	 n;

	if (wd.timeout_s == 0)
		return;
	pthread_mutex_lock(&wd.mu);
	snprintf(wd.method, sizeof(wd.method), "%s", method ? method : "");
	/* Without the query string: it may carry search terms or keys. */
	n = uri ? strcspn(uri, "?") : 0;
	if (n >= sizeof(wd.path))
		n = sizeof(wd.path) - 1;
	memcpy(wd.path, uri ? uri : "", n);
	wd.path[n] = '\0';
	snprintf(wd.rid, sizeof(wd.rid), "%s", request_id ? request_id : "");
	wd.project = project;
	wd.widget = widget;
	pthread_mutex_unlock(&wd.mu);
}

void
hark_watchdog_respond(void)
{
	if (wd.timeout_s == 0)
		return;
	pthread_mutex_lock(&wd.mu);
	wd.responding = 1;
	pthread_mutex_unlock(&wd.mu);
}

void
hark_watchdog_disarm(void)
{
	if (wd.timeout_s == 0)
		return;
	pthread_mutex_lock(&wd.mu);
	wd.armed = 0;
	wd.responding = 0;
	wd.project = NULL;
	wd.widget = NULL;
	pthread_mutex_unlock(&wd.mu);
}

void
hark_watchdog_cors(const char *origin)
{
	size_t	 n;

	if (wd.timeout_s == 0)
		return;
	n = origin != NULL ? strlen(origin) : 0;
	pthread_mutex_lock(&wd.mu);
	/* Longer ones are never valid (hark_cors_origin_valid): none. */
	if (n >= sizeof(wd.origin) || strpbrk(origin ? origin : "", "\r\n"))
		n = 0;
	memcpy(wd.origin, origin ? origin : "", n);
	wd.origin[n] = '\0';
	pthread_mutex_unlock(&wd.mu);
}

long
hark_watchdog_left_ms(void)
{
	struct timespec	 now;
	long		 ms = -1;

	if (wd.timeout_s == 0)
		return -1;
	pthread_mutex_lock(&wd.mu);
	if (wd.armed) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (long)(wd.deadline.tv_sec - now.tv_sec) * 1000 +
		    (wd.deadline.tv_nsec - now.tv_nsec) / 1000000;
		if (ms < 0)
			ms = 0;
	}
	pthread_mutex_unlock(&wd.mu);
	return ms;
}
