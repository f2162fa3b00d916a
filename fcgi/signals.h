/*
 * signals.h: the signals a hark-fcgi process handles, named in one place.
 *
 * A worker handles SIGTERM and SIGINT (stop after the request in hand),
 * SIGHUP (reload, when it has no master) and SIGUSR1 (reopen the log); the
 * master handles the same set plus SIGCHLD.  Workers keep the set blocked
 * while they answer a request and unblock it only while they wait, so a
 * signal never interrupts a request half-way.
 */
#ifndef HARK_SIGNALS_H
#define HARK_SIGNALS_H

#include <signal.h>

/*
 * What the kernel sends a worker when its master dies (PR_SET_PDEATHSIG).
 * Unlike the worker set it is never blocked: the worker shuts the listening
 * socket at once, even in the middle of a request, so the web server that
 * spawned the master sees it refuse connections and spawns a new one
 * (lighttpd tests the socket first and never respawns a backend whose
 * socket still accepts); the request in hand is then finished.
 */
#define HARK_SIG_ORPHAN	SIGUSR2

/* Fills set with the worker's signals (SIGTERM, SIGINT, SIGHUP, SIGUSR1). */
void	hark_signals_worker_set(sigset_t *set);

/* Removes the worker's signals from mask: the mask to wait with. */
void	hark_signals_worker_unblock(sigset_t *mask);

/*
 * Installs handler (a function, SIG_DFL or SIG_IGN) for every signal of the
 * worker set with sa_flags flags, and ignores SIGPIPE: a web server that
 * hangs up is seen as a write error, not a death.
 */
void	hark_signals_worker_handle(void (*handler)(int), int flags);

#endif
