/*
 * ratelimit.h: sliding-window rate limits and concurrency gates shared by
 * every hark process of a host.
 *
 * The table lives in one file in the state directory, so workers that were
 * never forked from one another (mod_fcgid starts each on its own) count
 * against the same limits.  Each limit is keyed by a string the caller makes
 * up ("key:<key_id>", "project:<prj_id>", "ip:<addr>:<source>") together with
 * its window, so one key may carry a per-minute and a per-hour limit at once.
 *
 * Counting is exact to the second for windows of up to HARK_RL_SLOTS seconds:
 * a hit is allowed when fewer than `limit` hits were allowed in the last
 * window_seconds seconds (the current second included).  Longer windows are
 * counted in slots of ceil((window - 2) / (HARK_RL_SLOTS - 2)) seconds and err
 * on the strict side: never more than `limit` in any window, but a slot may
 * free a few seconds late.
 *
 * Time is the caller's `now`, which must be hark_rl_now(): a clock shared by
 * every process of one boot that never steps (the wall clock does: stepping
 * it back would count old hits as new, stepping it forward and back would
 * start the windows afresh).  A table left by an earlier boot is reset.
 *
 * The file is mapped by every process, and a call that finds its limits
 * uncontended makes no system call (the clock is read through the vDSO).
 * The file survives what is done to it from outside: truncated or
 * overwritten under running workers, it is noticed on the next call;
 * removed or renamed over, within a second; it is then rebuilt (one log
 * line, by one process) or re-opened at its path, so every process counts
 * in one table again.  A truncation never raises SIGBUS in the caller: the
 * table's own SIGBUS handler (installed by the first hark_rl_open, chaining
 * to the one it replaces for any other fault) takes the fault as the sign
 * of a file cut short.  A rebuild forgets the counts it held.  A process
 * killed at any point, holding the table's lock or not, wedges no other: the
 * next one takes the lock over (within RL_WAIT_MS, ratelimit.c) and redoes
 * the change it left half done.
 *
 * Failure contract (fail closed): every call that returns int returns 0, or
 * -1 with errno set when the limiter cannot work (the state directory is gone
 * or unwritable, an I/O error, a bad argument: EINVAL).  The caller must then
 * refuse the request with 503 (`rate_limiter_unavailable`, Retry-After), never
 * let it through: a limiter that fails open turns every limit and the
 * failed-authentication lock-out off.  hark_rl_open failing at start-up stops
 * the start-up, naming the path and errno.
 *
 * A handle is used by one thread at a time; a forked child may go on using
 * its parent's handle (the lock is per process).  Every process that shares
 * a table must see the others' pids (one pid namespace).
 */
#ifndef HARK_RATELIMIT_H
#define HARK_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define HARK_RL_SLOTS		64	/* counters per bucket */
#define HARK_RL_DEFAULT_BUCKETS	8192	/* about 2.3 MB of file */
#define HARK_RL_MIN_BUCKETS	16
#define HARK_RL_MAX_BUCKETS	262144	/* about 73 MB of file */
#define HARK_RL_MAX_CHECKS	8	/* limits one hark_rl_hit_all may take */
#define HARK_RL_MAX_WINDOW	(86400U * 366U)
#define HARK_RL_GATE_SLOTS	16	/* most holders one gate counts */
/* The table's file in the state directory; a new layout gets a new name. */
#define HARK_RL_FILE_NAME	"ratelimit3.db"

struct hark_rl;

struct hark_rl_result {
	bool		 allowed;
	unsigned	 limit;
	unsigned	 remaining;	/* after this hit */
	unsigned	 reset_seconds;	/* until the oldest counted hit leaves */
	unsigned	 retry_after;	/* seconds until a hit would pass; 0 if allowed */
	size_t		 binding;	/* which check these numbers describe */
};

struct hark_rl_check {
	const char	*key;
	unsigned	 limit;		/* 0 refuses every hit */
	unsigned	 window_seconds;/* 1 .. HARK_RL_MAX_WINDOW */
};

struct hark_rl_stats {
	size_t			 nbuckets;
	size_t			 ngates;
	size_t			 used;		/* buckets ever taken */
	unsigned long long	 evictions;	/* live buckets reused when full */
	unsigned long long	 recoveries;	/* sections a dead process left */
	/* This handle's own: */
	unsigned long long	 rebuilds;	/* bad files it replaced */
	unsigned long long	 reopens;	/* moves to the file at the path */
};

/*
 * A place in a concurrency gate, from hark_rl_enter to hark_rl_leave.  Only
 * admitted and in_flight are for the caller.
 */
struct hark_rl_ticket {
	bool		 admitted;
	unsigned	 in_flight;	/* holders of the gate, this one included */
	uint64_t	 hash;
	uint64_t	 dev;
	uint64_t	 ino;
	uint64_t	 start;
	size_t		 gate;
	unsigned	 slot;
	int		 pid;
};

/*
 * Opens the table at path (normally <state_dir>/HARK_RL_FILE_NAME), creating
 * it when absent and replacing it when it is not a valid table (short,
 * corrupt, another version or ABI, an earlier boot).  nbuckets
 * (0: HARK_RL_DEFAULT_BUCKETS, rounded up to a power of two) only applies when
 * this call creates the file; an existing valid file keeps its size, so
 * processes that disagree never fight over it (remove the file to resize).
 * Safe against any number of processes opening at the same moment.  The
 * handle belongs to the caller (hark_rl_close); a forked child may go on using
 * its parent's handle.  Returns 0, or -1 with errno set.
 */
int	hark_rl_open(const char *path, size_t nbuckets, struct hark_rl **out);
void	hark_rl_close(struct hark_rl *);

/*
 * Seconds on CLOCK_BOOTTIME (CLOCK_MONOTONIC where there is none): the `now`
 * to pass below.  Every process of a boot reads the same clock; it never goes
 * back and, unlike CLOCK_MONOTONIC, goes on counting while the host sleeps,
 * so a window spent suspended has passed.
 */
time_t	hark_rl_now(void);

/*
 * Counts one hit against key at time now (hark_rl_now() outside tests).  The
 * hit consumes a slot only when allowed.  Returns 0 with *out filled, or -1
 * with errno set (EINVAL for a bad window, key or now; others from the file):
 * the caller then answers 503, see the failure contract above.
 */
int	hark_rl_hit(struct hark_rl *, const char *key, unsigned limit,
	    unsigned window_seconds, time_t now, struct hark_rl_result *out);

/*
 * All or nothing over n (1 .. HARK_RL_MAX_CHECKS) distinct checks (no two
 * with the same key and window: EINVAL): the hit
 * is allowed, and consumes a slot from every check, only when every check
 * has room.  *out describes the binding check: when refused, the one whose
 * retry_after is longest; when allowed, the one with the least remaining.
 */
int	hark_rl_hit_all(struct hark_rl *, const struct hark_rl_check *,
	    size_t n, time_t now, struct hark_rl_result *out);

/*
 * Whether a hit on key would pass now, consuming nothing: for limits counted
 * only when something fails (authentication), checked before the work.
 */
int	hark_rl_peek(struct hark_rl *, const char *key, unsigned limit,
	    unsigned window_seconds, time_t now, struct hark_rl_result *out);

int	hark_rl_stats(struct hark_rl *, struct hark_rl_stats *);

/*
 * A concurrency gate: at most max (0 .. HARK_RL_GATE_SLOTS) holders of key at
 * once across every process of the host, for "at most N list/search requests
 * of one project at a time".  Returns 0 with t->admitted saying whether the
 * caller got a place (then it must call hark_rl_leave when done), or -1 with
 * errno (EINVAL; ENOSPC when every gate near the key's is held).  Each place
 * records its holder's pid and start time, so places of a process that died
 * holding them are taken back when the gate is full; a rebuilt file forgets
 * its holders, letting up to max more in while theirs finish.
 */
int	hark_rl_enter(struct hark_rl *, const char *key, unsigned max,
	    struct hark_rl_ticket *t);
/* Gives the place back; a no-op for a ticket not admitted.  Never fails: a
 * place it cannot give back is taken back when its holder has exited. */
void	hark_rl_leave(struct hark_rl *, struct hark_rl_ticket *t);

/* SipHash-2-4 with a 16-byte key; the table's hash, exposed for its test. */
uint64_t	hark_rl_siphash(const unsigned char key[16], const void *,
		    size_t);

/*
 * Test hooks.  hold_lock takes the table lock, marks the table as being
 * written and returns still holding it, so a test can kill the holder and
 * check that other processes recover.  tear does the same in the middle of
 * claiming a bucket for (key, window), its identity half written (EEXIST if
 * the key has a bucket).  age rewrites the table at path, with a valid
 * header, as if it had been written during another boot.
 */
int	hark_rl_debug_hold_lock(struct hark_rl *);
int	hark_rl_debug_tear(struct hark_rl *, const char *key,
	    unsigned window);
int	hark_rl_debug_age(const char *path);

#endif
