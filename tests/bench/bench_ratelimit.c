/*
 * bench_ratelimit.c: how many key+project checks (or gate enter+leave pairs)
 * per second the shared table takes, from 1 to N processes hammering it at
 * once.
 *
 * usage: bench_ratelimit [processes [hits-per-process [distinct-keys [gate]]]]
 *
 * Measured on the 2-core development VM (issue 13), 1 to 8 processes:
 *   mmap + robust mutex (before):   1.5M to 2.3M checks/s, ~0.5 us a pair;
 *   pread/pwrite + fcntl lock:      0.13M to 0.16M checks/s, ~7 us a pair;
 *   gate enter + leave:             ~0.1M/s, ~10 us a pair.
 * Issue 21, the same VM (2 cores, load ~3), 200000 a process:
 *   pread/pwrite + fcntl lock:      0.10M (1 process) to 0.19M (8) checks/s,
 *                                   enter+leave 0.08M to 0.15M/s;
 *   mmap + lock word in the file,   1.8M (1) to 1.2M (8) checks/s,
 *   SIGBUS handler for truncation:  enter+leave 1.9M to 2.0M/s;
 * no system call for an uncontended check (futex only when contended).
 */
#include "config.h"

#include <sys/wait.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ratelimit.h"

static double
seconds(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One worker: its own handle, like a process mod_fcgid started. */
static int
worker(const char *path, long hits, long keys, unsigned seed, bool gate)
{
	struct hark_rl		*rl;
	struct hark_rl_check	 c[2];
	struct hark_rl_result	 r;
	struct hark_rl_ticket	 t;
	char			 kbuf[32], pbuf[32];
	long			 i, k;

	if (hark_rl_open(path, 0, &rl) == -1) {
		perror(path);
		return 1;
	}
	srandom(seed);
	c[0].key = kbuf;
	c[0].limit = 1000000;
	c[0].window_seconds = 60;
	c[1].key = pbuf;
	c[1].limit = 1000000;
	c[1].window_seconds = 60;
	for (i = 0; i < hits; i++) {
		k = random() % keys;
		snprintf(kbuf, sizeof(kbuf), "key:%ld", k);
		snprintf(pbuf, sizeof(pbuf), "project:%ld", k / 4);
		if (gate) {
			if (hark_rl_enter(rl, pbuf, HARK_RL_GATE_SLOTS, &t) == -1) {
				perror("hark_rl_enter");
				return 1;
			}
			hark_rl_leave(rl, &t);
			continue;
		}
		if (hark_rl_hit_all(rl, c, 2, hark_rl_now(), &r) == -1) {
			perror("hark_rl_hit_all");
			return 1;
		}
	}
	hark_rl_close(rl);
	return 0;
}

int
main(int argc, char *argv[])
{
	char	 path[] = "/tmp/hark-rl-bench-XXXXXX";
	long	 nproc = argc > 1 ? atol(argv[1]) : 8;
	long	 hits = argc > 2 ? atol(argv[2]) : 200000;
	long	 keys = argc > 3 ? atol(argv[3]) : 1000;
	bool	 gate = argc > 4 && strcmp(argv[4], "gate") == 0;
	long	 p, n;
	double	 t0, t;
	int	 fd, status, bad = 0;

	if (nproc < 1 || hits < 1 || keys < 1)
		return 2;
	if ((fd = mkstemp(path)) == -1)
		return 1;
	close(fd);
	unlink(path);
	for (n = 1; n <= nproc; n *= 2) {
		t0 = seconds();
		for (p = 0; p < n; p++)
			if (fork() == 0)
				_exit(worker(path, hits, keys, (unsigned)p, gate));
		for (p = 0; p < n; p++)
			if (wait(&status) == -1 || !WIFEXITED(status) ||
			    WEXITSTATUS(status) != 0)
				bad = 1;
		t = seconds() - t0;
		printf("%2ld processes: %9.0f %s/s (%ld x %ld in %.2fs)\n",
		    n, (double)(n * hits) / t, gate ? "enter+leave" : "checks",
		    n, hits, t);
	}
	unlink(path);
	return bad;
}
