/*
 * signals.c: the worker signal set and its installation, shared by the
 * master (fcgi/prefork.c) and the worker loop (fcgi/server.c), so a signal
 * added to one is never missing from the other's mask or handlers.
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "signals.h"

static const int	worker_sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1 };

#define NSIGS	(sizeof(worker_sigs) / sizeof(worker_sigs[0]))

void
hark_signals_worker_set(sigset_t *set)
{
	size_t	 i;

	sigemptyset(set);
	for (i = 0; i < NSIGS; i++)
		sigaddset(set, worker_sigs[i]);
}

void
hark_signals_worker_unblock(sigset_t *mask)
{
	size_t	 i;

	for (i = 0; i < NSIGS; i++)
		sigdelset(mask, worker_sigs[i]);
}

void
hark_signals_worker_handle(void (*handler)(int), int flags)
{
	struct sigaction	 sa;
	size_t			 i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < NSIGS; i++)
		sigaction(worker_sigs[i], &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	sigaction(SIGPIPE, &sa, NULL);
}
