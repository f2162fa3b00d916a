/*
 * status.h: what an operator sees of the pool, like php-fpm's status page.
 *
 * The master keeps the counters and writes them, once a second at most,
 * to <state_dir>/HARK_STATUS_FILE_NAME (JSON, replaced atomically);
 * `hark-fcgi --status [--json]` and GET /v1/status read that file.
 * Workers count their requests in a slot of memory shared with the master
 * (an anonymous mapping made before the fork: no file under it that could
 * be truncated).
 */
#ifndef HARK_STATUS_H
#define HARK_STATUS_H

#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "ratelimit.h"

#define HARK_STATUS_FILE_NAME	"hark-fcgi.status"

/* One worker slot, written by its worker, read by the master. */
struct hark_status_slot {
	volatile unsigned long	 served;	/* by the slot's current worker */
	volatile sig_atomic_t	 busy;		/* 1 while answering a request */
	volatile time_t		 since;		/* CLOCK_MONOTONIC s the request began */
};

struct hark_status {
	long			 pid;		/* the master's */
	time_t			 started;	/* wall clock */
	int			 workers;	/* configured */
	int			 alive;
	int			 busy;
	unsigned long long	 served;	/* by every worker it ever had */
	unsigned long		 restarts;	/* workers replaced */
	unsigned long		 reloads;
	time_t			 last_restart;	/* 0: none yet */
	long			 last_restart_pid;
	char			 last_cause[96];
	int			 has_rl;	/* rl below is filled */
	struct hark_rl_stats	 rl;		/* the shared rate-limit table */
};

/* n zeroed slots shared with children forked later, or NULL (errno). */
struct hark_status_slot	*hark_status_slots(size_t n);

/* Writes st to dir's status file, atomically; 0 or -1 (errno). */
int	hark_status_write(const char *dir, const struct hark_status *st);
/* Removes dir's status file: the master stopped. */
void	hark_status_remove(const char *dir);

/*
 * `hark-fcgi --status`: prints dir's status file, as text or (json set) as
 * JSON, with whether its master still runs.  Returns the exit status: 0 a
 * master runs, 3 none does (no file, or a stale one), 1 the file is unreadable.
 */
int	hark_status_print(const char *dir, int json, FILE *out);

/*
 * The status file of dir as GET /v1/status answers it: the same members as
 * --status --json, "running" included; NULL (errno ENOENT: no master
 * writes one there, EINVAL: not a status file).  The caller puts it.
 */
struct json_object	*hark_status_json(const char *dir);

#endif
