/*
 * ratelimit.h: sliding-window rate limits shared by every hark process of a host.
 *
 * The table lives in one mmap'ed file in the state directory, so workers that
 * were never forked from one another (mod_fcgid starts each on its own) count
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
	size_t			 used;		/* buckets ever taken */
	unsigned long long	 evictions;	/* live buckets reused when full */
	unsigned long long	 recoveries;	/* locks taken over from dead processes */
};

/*
 * Opens the table at path, creating it when absent and replacing it when it
 * is not a valid table (short, corrupt, another version or ABI).  nbuckets
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
 * Counts one hit against key at time now (time(NULL) outside tests).  The
 * hit consumes a slot only when allowed.  Returns 0 with *out filled, or -1
 * with errno set (EINVAL for a bad window, key or now; others from the lock):
 * the caller then decides whether to fail open.
 */
int	hark_rl_hit(struct hark_rl *, const char *key, unsigned limit,
	    unsigned window_seconds, time_t now, struct hark_rl_result *out);

/*
 * All or nothing over n (1 .. HARK_RL_MAX_CHECKS) distinct checks: the hit
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

/* SipHash-2-4 with a 16-byte key; the table's hash, exposed for its test. */
uint64_t	hark_rl_siphash(const unsigned char key[16], const void *,
		    size_t);

/*
 * Test hook: takes the table lock and returns still holding it, so a test
 * can kill the holder and check that other processes recover.
 */
int	hark_rl_debug_hold_lock(struct hark_rl *);

#endif
