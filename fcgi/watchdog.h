/*
 * watchdog.h: [server] request_timeout, php-fpm's request_terminate_timeout.
 *
 * A worker's main thread may be stuck in a request it cannot leave (a
 * statement waiting on a lock, a peer that never answers), where no signal
 * it blocks could reach it.  A second thread of the worker keeps a deadline
 * per request; when it passes, and no byte of the answer has gone out, that
 * thread writes a 503 (request_timeout, Retry-After) on the request's
 * connection itself, as FastCGI records (or as a CGI answer on stdout),
 * logs the request, and ends the process with _exit: its master, the web
 * server or systemd starts another.  When the answer had already started
 * it only logs and exits, and the client sees a short answer.
 *
 * The main thread and the watchdog exclude each other around the first byte
 * of the answer (hark_watchdog_respond): either the watchdog's 503 goes out
 * or the handler's answer, never parts of both.
 */
#ifndef HARK_WATCHDOG_H
#define HARK_WATCHDOG_H

#include <stdbool.h>

/* What the watchdog writes its 503 as. */
enum hark_watchdog_wire {
	HARK_WATCHDOG_FCGI,	/* FCGI_STDOUT + FCGI_END_REQUEST records */
	HARK_WATCHDOG_CGI	/* a CGI answer (Status: header) */
};

/* The Retry-After of its 503, seconds: a fresh worker is there by then. */
#define HARK_WATCHDOG_RETRY_AFTER	"1"
/* The exit status of a worker the watchdog ended (EX_TEMPFAIL): the
 * master tells it from a crash, and replaces it without back-off. */
#define HARK_WATCHDOG_EXIT		75

/*
 * Starts the watchdog thread with every signal blocked (they stay the main
 * thread's).  timeout_s 0 starts nothing: every call below is then a no-op.
 * After fork (threads do not survive one).  Called again (a reload) it
 * sets the timeout the next request gets.  0, or -1 (logged: the worker
 * serves on without it, the master's kill is then the only bound).
 */
int	hark_watchdog_start(int timeout_s);

/*
 * A request began: fd is its connection (FastCGI: libfcgi's ipcFd and
 * request id; CGI: stdout and 0).  The deadline is timeout_s from now.
 */
void	hark_watchdog_arm(enum hark_watchdog_wire wire, int fd, int request_id);

/*
 * What the log line names, once known (before the handler runs): the
 * method, the path without its query string, the request id, and where
 * the project id will be written (resp->project_id: read when the deadline
 * passes, as it then stands); and where the route says whether its errors
 * carry the widget's "success": false (resp->widget_errors), read then
 * too.  Copied; project and widget may stay NULL.
 */
void	hark_watchdog_describe(const char *method, const char *uri,
	    const char *request_id, const char *project, const bool *widget);

/*
 * The answer is about to be written: from now on the watchdog only exits.
 * Blocks while the watchdog is writing its 503 (the process then ends).
 */
void	hark_watchdog_respond(void);

/*
 * The CORS decision as it stands (fcgi/app.c, prologue.c): the origin the
 * answer names in Access-Control-Allow-Origin, or NULL when it names none
 * (no Origin, a path without CORS, an origin the allowlist refused).  The
 * 503 then carries the same CORS headers an error answered at that moment
 * would, so that the page can read it.  Copied (the watchdog never reads
 * the request's headers, which the main thread may be changing).
 */
void	hark_watchdog_cors(const char *origin);

/*
 * Milliseconds until the request's deadline (0 once it passed), or -1 when
 * it has none (request_timeout = 0, no request armed): an Idempotency-Key
 * claim records it (lib/store_idempotency.c; hark_watchdog_start
 * registers it there).
 */
long	hark_watchdog_left_ms(void);

/* The request is answered: no deadline until the next hark_watchdog_arm. */
void	hark_watchdog_disarm(void);

#endif
