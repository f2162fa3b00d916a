/* test_ratelimit.c: the shared rate-limit table, in one process and across many. */
#include "config.h"

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ratelimit.h"

#define T0		1775730600	/* an arbitrary "now" */
#define NPROC		8

static char	 dir[64];
static char	 path[128];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/hark-rl-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ratelimit.db", dir);
}

static void
teardown(void)
{
	struct dirent	*e;
	DIR		*d;
	char		 p[512];

	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

static struct hark_rl *
open_table(size_t nbuckets)
{
	struct hark_rl	*rl;

	ck_assert_int_eq(hark_rl_open(path, nbuckets, &rl), 0);
	ck_assert_ptr_nonnull(rl);
	return rl;
}

static bool
hit(struct hark_rl *rl, const char *key, unsigned limit, unsigned window,
    time_t now)
{
	struct hark_rl_result	 r;

	ck_assert_int_eq(hark_rl_hit(rl, key, limit, window, now, &r), 0);
	return r.allowed;
}

static size_t
files_in_dir(void)
{
	struct dirent	*e;
	DIR		*d;
	size_t		 n = 0;

	ck_assert_ptr_nonnull(d = opendir(dir));
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/*
 * Waits for the boot clock's next second: a handle looks at its file's
 * link count and size at most once a second, so a change made from outside
 * is seen by every handle after it.
 */
static void
next_second(void)
{
	time_t	 t = hark_rl_now();

	while (hark_rl_now() == t)
		usleep(10000);
}

static int64_t
ms_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- one process ---- */

START_TEST(allows_exactly_limit_in_one_window)
{
	struct hark_rl		*rl = open_table(0);
	struct hark_rl_result	 r;
	unsigned		 i, allowed = 0;

	for (i = 0; i < 800; i++) {
		ck_assert_int_eq(hark_rl_hit(rl, "key:a", 100, 60,
		    T0 + i / 200, &r), 0);
		if (r.allowed) {
			ck_assert_uint_eq(r.remaining, 100 - allowed - 1);
			allowed++;
		}
		ck_assert_uint_eq(r.limit, 100);
	}
	ck_assert_uint_eq(allowed, 100);
	hark_rl_close(rl);
}
END_TEST

START_TEST(peek_consumes_nothing)
{
	struct hark_rl		*rl = open_table(0);
	struct hark_rl_result	 r;
	unsigned		 i;

	for (i = 0; i < 50; i++) {
		ck_assert_int_eq(hark_rl_peek(rl, "authfail:ip", 3, 60, T0, &r), 0);
		ck_assert(r.allowed);
		ck_assert_uint_eq(r.remaining, 3);
	}
	for (i = 0; i < 3; i++)
		ck_assert(hit(rl, "authfail:ip", 3, 60, T0));
	ck_assert_int_eq(hark_rl_peek(rl, "authfail:ip", 3, 60, T0, &r), 0);
	ck_assert(!r.allowed);
	ck_assert_uint_eq(r.remaining, 0);
	ck_assert_uint_gt(r.retry_after, 0);
	hark_rl_close(rl);
}
END_TEST

START_TEST(window_slides_by_the_second)
{
	struct hark_rl	*rl = open_table(0);

	ck_assert(hit(rl, "k", 3, 10, T0));
	ck_assert(hit(rl, "k", 3, 10, T0 + 1));
	ck_assert(hit(rl, "k", 3, 10, T0 + 2));
	ck_assert(!hit(rl, "k", 3, 10, T0 + 5));
	ck_assert(!hit(rl, "k", 3, 10, T0 + 9));
	ck_assert(hit(rl, "k", 3, 10, T0 + 10));	/* T0 has left */
	ck_assert(!hit(rl, "k", 3, 10, T0 + 10));
	ck_assert(hit(rl, "k", 3, 10, T0 + 11));
	ck_assert(!hit(rl, "k", 3, 10, T0 + 11));
	ck_assert(hit(rl, "k", 3, 10, T0 + 100));
	hark_rl_close(rl);
}
END_TEST

START_TEST(reports_reset_and_retry_after)
{
	struct hark_rl		*rl = open_table(0);
	struct hark_rl_result	 r;

	ck_assert_int_eq(hark_rl_hit(rl, "k", 2, 60, T0, &r), 0);
	ck_assert(r.allowed);
	ck_assert_uint_eq(r.remaining, 1);
	ck_assert_uint_eq(r.reset_seconds, 60);
	ck_assert_uint_eq(r.retry_after, 0);
	ck_assert_int_eq(hark_rl_hit(rl, "k", 2, 60, T0 + 30, &r), 0);
	ck_assert(r.allowed);
	ck_assert_uint_eq(r.remaining, 0);
	ck_assert_uint_eq(r.reset_seconds, 30);
	ck_assert_int_eq(hark_rl_hit(rl, "k", 2, 60, T0 + 40, &r), 0);
	ck_assert(!r.allowed);
	ck_assert_uint_eq(r.remaining, 0);
	ck_assert_uint_eq(r.retry_after, 20);
	ck_assert_uint_eq(r.reset_seconds, 20);
	/* Retry-After is honest: one second early fails, on time passes. */
	ck_assert(!hit(rl, "k", 2, 60, T0 + 59));
	ck_assert(hit(rl, "k", 2, 60, T0 + 60));
	hark_rl_close(rl);
}
END_TEST

START_TEST(retry_after_waits_for_enough_hits_to_leave)
{
	struct hark_rl		*rl = open_table(0);
	struct hark_rl_result	 r;

	ck_assert(hit(rl, "k", 3, 60, T0));
	ck_assert(hit(rl, "k", 3, 60, T0 + 10));
	ck_assert(hit(rl, "k", 3, 60, T0 + 20));
	/* The limit was lowered to 1: all three hits must leave first. */
	ck_assert_int_eq(hark_rl_hit(rl, "k", 1, 60, T0 + 30, &r), 0);
	ck_assert(!r.allowed);
	ck_assert_uint_eq(r.retry_after, 50);
	ck_assert_uint_eq(r.reset_seconds, 30);
	hark_rl_close(rl);
}
END_TEST

START_TEST(long_window_never_exceeds_limit)
{
	struct hark_rl	*rl = open_table(0);
	time_t		 allowed[4096], t;
	size_t		 n = 0, i, j, in;

	srandom(7);
	for (t = T0; t < T0 + 4 * 3600 && n < 4096; t += random() % 90) {
		if (!hit(rl, "k", 10, 3600, t))
			continue;
		allowed[n++] = t;
	}
	ck_assert_uint_gt(n, 30);
	for (i = 0; i < n; i++) {
		for (in = 0, j = 0; j <= i; j++)
			if (allowed[j] > allowed[i] - 3600)
				in++;
		ck_assert_uint_le(in, 10);
	}
	hark_rl_close(rl);
}
END_TEST

START_TEST(long_window_frees_within_a_slot)
{
	struct hark_rl		*rl = open_table(0);
	struct hark_rl_result	 r;

	ck_assert(hit(rl, "k", 1, 3600, T0));
	ck_assert_int_eq(hark_rl_hit(rl, "k", 1, 3600, T0 + 1, &r), 0);
	ck_assert(!r.allowed);
	ck_assert_uint_ge(r.retry_after, 3599);
	ck_assert_uint_le(r.retry_after, 3599 + 59);
	ck_assert(!hit(rl, "k", 1, 3600, T0 + 1 + r.retry_after - 1));
	ck_assert(hit(rl, "k", 1, 3600, T0 + 1 + r.retry_after));
	hark_rl_close(rl);
}
END_TEST

START_TEST(keys_are_independent)
{
	struct hark_rl	*rl = open_table(0);
	int		 i;

	for (i = 0; i < 5; i++)
		ck_assert(hit(rl, "key:a", 5, 60, T0));
	ck_assert(!hit(rl, "key:a", 5, 60, T0));
	ck_assert(hit(rl, "key:b", 5, 60, T0));
	ck_assert(hit(rl, "project:a", 5, 60, T0));
	hark_rl_close(rl);
}
END_TEST

START_TEST(windows_of_one_key_are_independent)
{
	struct hark_rl	*rl = open_table(0);

	ck_assert(hit(rl, "key:a", 1, 60, T0));
	ck_assert(!hit(rl, "key:a", 1, 60, T0));
	ck_assert(hit(rl, "key:a", 1, 3600, T0));
	ck_assert(!hit(rl, "key:a", 1, 3600, T0));
	hark_rl_close(rl);
}
END_TEST

START_TEST(pair_consumes_nothing_when_project_refuses)
{
	struct hark_rl		*rl = open_table(0);
	struct hark_rl_check	 c[2] = {
		{ "key:k1", 10, 60 }, { "project:p1", 2, 60 }
	};
	struct hark_rl_result	 r;

	ck_assert_int_eq(hark_rl_hit_all(rl, c, 2, T0, &r), 0);
	ck_assert(r.allowed);
	ck_assert_int_eq(hark_rl_hit_all(rl, c, 2, T0, &r), 0);
	ck_assert(r.allowed);
	ck_assert_uint_eq(r.binding, 1);	/* the project has less room */
	ck_assert_uint_eq(r.remaining, 0);
	ck_assert_int_eq(hark_rl_hit_all(rl, c, 2, T0 + 1, &r), 0);
	ck_assert(!r.allowed);
	ck_assert_uint_eq(r.binding, 1);
	ck_assert_uint_eq(r.limit, 2);
	ck_assert_uint_eq(r.retry_after, 59);
	/* The refused pair left the key at 2 hits: 3 fit under a limit of 3. */
	ck_assert(hit(rl, "key:k1", 3, 60, T0 + 1));
	ck_assert(!hit(rl, "key:k1", 3, 60, T0 + 1));
	hark_rl_close(rl);
}
END_TEST

START_TEST(pair_consumes_nothing_when_key_refuses)
{
	struct hark_rl		*rl = open_table(0);
	struct hark_rl_check	 c[2] = {
		{ "key:k1", 1, 60 }, { "project:p1", 5, 60 }
	};
	struct hark_rl_result	 r;

	ck_assert_int_eq(hark_rl_hit_all(rl, c, 2, T0, &r), 0);
	ck_assert(r.allowed);
	ck_assert_uint_eq(r.binding, 0);
	ck_assert_int_eq(hark_rl_hit_all(rl, c, 2, T0, &r), 0);
	ck_assert(!r.allowed);
	ck_assert_uint_eq(r.binding, 0);
	ck_assert_int_eq(hark_rl_hit(rl, "project:p1", 5, 60, T0, &r), 0);
	ck_assert_uint_eq(r.remaining, 3);
	hark_rl_close(rl);
}
END_TEST

START_TEST(refuses_bad_arguments)
{
	struct hark_rl		*rl = open_table(0);
	struct hark_rl_check	 c[HARK_RL_MAX_CHECKS + 1];
	struct hark_rl_result	 r;
	size_t			 i;

	ck_assert_int_eq(hark_rl_hit(rl, "k", 1, 0, T0, &r), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(hark_rl_hit(rl, "k", 1, HARK_RL_MAX_WINDOW + 1, T0,
	    &r), -1);
	ck_assert_int_eq(hark_rl_hit(rl, NULL, 1, 60, T0, &r), -1);
	ck_assert_int_eq(hark_rl_hit(rl, "k", 1, 60, -1, &r), -1);
	for (i = 0; i < HARK_RL_MAX_CHECKS + 1; i++) {
		c[i].key = "k";
		c[i].limit = 1;
		c[i].window_seconds = 60;
	}
	ck_assert_int_eq(hark_rl_hit_all(rl, c, 0, T0, &r), -1);
	ck_assert_int_eq(hark_rl_hit_all(rl, c, HARK_RL_MAX_CHECKS + 1, T0,
	    &r), -1);
	hark_rl_close(rl);
}
END_TEST

START_TEST(limit_zero_refuses_everything)
{
	struct hark_rl		*rl = open_table(0);
	struct hark_rl_result	 r;

	ck_assert_int_eq(hark_rl_hit(rl, "k", 0, 60, T0, &r), 0);
	ck_assert(!r.allowed);
	ck_assert_uint_eq(r.retry_after, 60);
	hark_rl_close(rl);
}
END_TEST

START_TEST(clock_stepping_back_keeps_or_drops_counts)
{
	struct hark_rl	*rl = open_table(0);

	ck_assert(hit(rl, "k", 1, 60, T0));
	ck_assert(!hit(rl, "k", 1, 60, T0 - 10));	/* counted at T0 */
	ck_assert(hit(rl, "k", 1, 60, T0 - 3600));	/* too far: start over */
	hark_rl_close(rl);
}
END_TEST

START_TEST(full_table_evicts_least_recent)
{
	struct hark_rl		*rl = open_table(HARK_RL_MIN_BUCKETS);
	struct hark_rl_stats	 st;
	char			 key[32];
	int			 i;

	for (i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "ip:10.0.0.%d", i);
		ck_assert(hit(rl, key, 1, 60, T0 + i / 10));
	}
	ck_assert_int_eq(hark_rl_stats(rl, &st), 0);
	ck_assert_uint_eq(st.nbuckets, HARK_RL_MIN_BUCKETS);
	ck_assert_uint_eq(st.used, HARK_RL_MIN_BUCKETS);
	ck_assert_uint_eq(st.evictions, 100 - HARK_RL_MIN_BUCKETS);
	/* The newest keys are still counted. */
	ck_assert(!hit(rl, "ip:10.0.0.99", 1, 60, T0 + 9));
	hark_rl_close(rl);
}
END_TEST

START_TEST(expired_buckets_are_reused_without_eviction)
{
	struct hark_rl		*rl = open_table(HARK_RL_MIN_BUCKETS);
	struct hark_rl_stats	 st;
	char			 key[32];
	int			 i;

	for (i = 0; i < HARK_RL_MIN_BUCKETS; i++) {
		snprintf(key, sizeof(key), "old:%d", i);
		ck_assert(hit(rl, key, 1, 60, T0));
	}
	for (i = 0; i < HARK_RL_MIN_BUCKETS; i++) {
		snprintf(key, sizeof(key), "new:%d", i);
		ck_assert(hit(rl, key, 1, 60, T0 + 600));
	}
	ck_assert_int_eq(hark_rl_stats(rl, &st), 0);
	ck_assert_uint_eq(st.evictions, 0);
	hark_rl_close(rl);
}
END_TEST

START_TEST(siphash_matches_reference_vectors)
{
	unsigned char	 key[16], msg[15];
	int		 i;

	for (i = 0; i < 16; i++)
		key[i] = (unsigned char)i;
	for (i = 0; i < 15; i++)
		msg[i] = (unsigned char)i;
	ck_assert(hark_rl_siphash(key, msg, 0) == 0x726fdb47dd0e0e31ULL);
	ck_assert(hark_rl_siphash(key, msg, 15) == 0xa129ca6149be45e5ULL);
}
END_TEST

/* ---- the file ---- */

static void
write_file(const void *p, size_t n)
{
	int	 fd;

	ck_assert_int_ne(fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600), -1);
	ck_assert_int_eq(write(fd, p, n), (ssize_t)n);
	close(fd);
}

static off_t
file_size(void)
{
	struct stat	 st;

	ck_assert_int_eq(stat(path, &st), 0);
	return st.st_size;
}

START_TEST(creates_file_of_fixed_size)
{
	struct hark_rl	*rl = open_table(HARK_RL_MIN_BUCKETS);
	off_t		 size = file_size();

	ck_assert(hit(rl, "k", 1, 60, T0));
	ck_assert_int_eq(file_size(), size);
	ck_assert_uint_eq(files_in_dir(), 1);
	hark_rl_close(rl);
}
END_TEST

START_TEST(replaces_short_or_corrupt_file)
{
	static const char	 junk[] = "this is not a rate-limit table";
	struct hark_rl		*rl;

	write_file(junk, sizeof(junk));
	rl = open_table(HARK_RL_MIN_BUCKETS);
	ck_assert(hit(rl, "k", 1, 60, T0));
	ck_assert(!hit(rl, "k", 1, 60, T0));
	ck_assert_int_gt(file_size(), (off_t)sizeof(junk));
	hark_rl_close(rl);
	write_file("", 0);
	rl = open_table(HARK_RL_MIN_BUCKETS);
	ck_assert(hit(rl, "k", 1, 60, T0));
	hark_rl_close(rl);
	ck_assert_uint_eq(files_in_dir(), 1);
}
END_TEST

/* Damages one byte of a valid table at off and checks it is replaced. */
static void
check_damage_at(off_t off)
{
	struct hark_rl	*rl = open_table(HARK_RL_MIN_BUCKETS);
	unsigned char	 c;
	int		 fd;

	ck_assert(hit(rl, "k", 1, 60, T0));
	hark_rl_close(rl);
	ck_assert_int_ne(fd = open(path, O_RDWR), -1);
	ck_assert_int_eq(pread(fd, &c, 1, off), 1);
	c ^= 0x5a;
	ck_assert_int_eq(pwrite(fd, &c, 1, off), 1);
	close(fd);
	rl = open_table(HARK_RL_MIN_BUCKETS);
	ck_assert(hit(rl, "k", 1, 60, T0));	/* a fresh table */
	hark_rl_close(rl);
}

START_TEST(replaces_file_with_bad_magic)
{
	check_damage_at(0);
}
END_TEST

START_TEST(replaces_file_with_bad_version)
{
	check_damage_at(8);
}
END_TEST

START_TEST(replaces_truncated_table)
{
	struct hark_rl	*rl = open_table(HARK_RL_MIN_BUCKETS);
	off_t		 size = file_size();

	hark_rl_close(rl);
	ck_assert_int_eq(truncate(path, size - 100), 0);
	rl = open_table(HARK_RL_MIN_BUCKETS);
	ck_assert_int_eq(file_size(), size);
	ck_assert(hit(rl, "k", 1, 60, T0));
	hark_rl_close(rl);
}
END_TEST

START_TEST(existing_table_keeps_its_size)
{
	struct hark_rl		*a = open_table(HARK_RL_MIN_BUCKETS);
	struct hark_rl		*b = open_table(4096);
	struct hark_rl_stats	 st;

	ck_assert_int_eq(hark_rl_stats(b, &st), 0);
	ck_assert_uint_eq(st.nbuckets, HARK_RL_MIN_BUCKETS);
	ck_assert(hit(a, "k", 1, 60, T0));
	ck_assert(!hit(b, "k", 1, 60, T0));
	hark_rl_close(a);
	hark_rl_close(b);
}
END_TEST

/* ---- many processes ---- */

/*
 * Runs NPROC children that wait for one signal to start, then each make
 * `tries` hits on one key at the same `now`, opening the table themselves
 * (or using *shared when given), and returns how many were allowed in all.
 */
static unsigned
race(struct hark_rl *shared, unsigned limit, unsigned tries)
{
	int		 go[2], res[2], i, status;
	unsigned	 total = 0, n;
	pid_t		 pid[NPROC];
	char		 c;

	ck_assert_int_eq(pipe(go), 0);
	ck_assert_int_eq(pipe(res), 0);
	for (i = 0; i < NPROC; i++) {
		ck_assert_int_ne(pid[i] = fork(), -1);
		if (pid[i] == 0) {
			struct hark_rl		*rl = shared;
			struct hark_rl_result	 r;
			unsigned		 k, ok = 0;

			close(go[1]);
			close(res[0]);
			if (read(go[0], &c, 1) != 0)
				_exit(2);
			if (rl == NULL && hark_rl_open(path, 0, &rl) == -1)
				_exit(3);
			for (k = 0; k < tries; k++) {
				if (hark_rl_hit(rl, "project:race", limit, 60,
				    T0, &r) == -1)
					_exit(4);
				ok += r.allowed;
			}
			if (write(res[1], &ok, sizeof(ok)) != sizeof(ok))
				_exit(5);
			_exit(0);
		}
	}
	close(go[0]);
	close(res[1]);
	close(go[1]);		/* every child starts now */
	for (i = 0; i < NPROC; i++) {
		ck_assert_int_eq(read(res[0], &n, sizeof(n)), sizeof(n));
		total += n;
	}
	for (i = 0; i < NPROC; i++) {
		ck_assert_int_eq(waitpid(pid[i], &status, 0), pid[i]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	close(res[0]);
	return total;
}

START_TEST(independent_processes_share_one_limit)
{
	struct hark_rl	*rl = open_table(0);

	ck_assert_uint_eq(race(NULL, 100, 500), 100);
	ck_assert(!hit(rl, "project:race", 100, 60, T0));
	hark_rl_close(rl);
}
END_TEST

START_TEST(forked_children_share_parent_handle)
{
	struct hark_rl	*rl = open_table(0);

	ck_assert_uint_eq(race(rl, 100, 500), 100);
	hark_rl_close(rl);
}
END_TEST

START_TEST(processes_creating_file_at_once_share_it)
{
	struct hark_rl	*rl;
	int		 round;

	for (round = 0; round < 10; round++) {
		teardown();
		setup();
		ck_assert_uint_eq(race(NULL, 37, 20), 37);
		ck_assert_uint_eq(files_in_dir(), 1);	/* no temporary left */
	}
	rl = open_table(0);
	ck_assert(!hit(rl, "project:race", 37, 60, T0));
	hark_rl_close(rl);
}
END_TEST

START_TEST(processes_replacing_corrupt_file_at_once_share_it)
{
	int	 round;

	for (round = 0; round < 10; round++) {
		teardown();
		setup();
		write_file("junk", 4);
		ck_assert_uint_eq(race(NULL, 37, 20), 37);
		ck_assert_uint_eq(files_in_dir(), 1);
	}
}
END_TEST

/*
 * A child that opens the table and takes something with take(): its pid,
 * once it holds it.  Then it waits to be killed (linger), or exits holding
 * it.
 */
static pid_t
hold_in_child(int (*take)(struct hark_rl *), bool linger)
{
	int		 ready[2];
	pid_t		 pid;
	char		 c = 'x';

	ck_assert_int_eq(pipe(ready), 0);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		struct hark_rl	*own;

		if (hark_rl_open(path, 0, &own) == -1 || take(own) == -1)
			_exit(1);
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		while (linger)
			pause();
		_exit(0);
	}
	close(ready[1]);
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	close(ready[0]);
	return pid;
}

/* The child dies holding what take() took, by signal or by exit. */
static void
die_holding(bool by_signal, int (*take)(struct hark_rl *))
{
	pid_t	 pid = hold_in_child(take, by_signal);
	int	 status;

	if (by_signal)
		kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
}

static void
die_holding_lock(bool by_signal)
{
	die_holding(by_signal, hark_rl_debug_hold_lock);
}

START_TEST(killed_lock_holder_does_not_block_others)
{
	struct hark_rl		*rl = open_table(0);
	struct hark_rl_stats	 st;

	die_holding_lock(true);
	ck_assert(hit(rl, "k", 2, 60, T0));		/* would hang without recovery */
	ck_assert(hit(rl, "k", 2, 60, T0));
	ck_assert(!hit(rl, "k", 2, 60, T0));
	ck_assert_int_eq(hark_rl_stats(rl, &st), 0);
	ck_assert_uint_eq(st.recoveries, 1);
	hark_rl_close(rl);
}
END_TEST

START_TEST(exited_lock_holder_does_not_block_others)
{
	struct hark_rl	*rl = open_table(0);

	die_holding_lock(false);
	ck_assert_uint_eq(race(NULL, 50, 20), 50);
	hark_rl_close(rl);
}
END_TEST

START_TEST(killed_holder_not_yet_reaped_does_not_block_others)
{
	struct hark_rl	*rl = open_table(0);
	pid_t		 pid = hold_in_child(hark_rl_debug_hold_lock, true);
	int64_t		 t0;
	int		 status;

	kill(pid, SIGKILL);
	usleep(50000);			/* a zombie now: kill(pid, 0) works */
	t0 = ms_now();
	ck_assert(hit(rl, "k", 2, 60, T0));
	/* Found dead in a slice or two, not taken over as stuck after 1 s. */
	ck_assert_int_lt(ms_now() - t0, 500);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	hark_rl_close(rl);
}
END_TEST

START_TEST(lock_held_by_a_stuck_process_is_taken_over)
{
	struct hark_rl	*rl = open_table(0);
	pid_t		 pid = hold_in_child(hark_rl_debug_hold_lock, true);
	int64_t		 t0 = ms_now(), dt;
	int		 status;

	/* The holder lives but never lets go: the others go on after 1 s. */
	ck_assert(hit(rl, "k", 2, 60, T0));
	dt = ms_now() - t0;
	ck_assert_int_ge(dt, 900);
	ck_assert_int_lt(dt, 5000);
	ck_assert(hit(rl, "k", 2, 60, T0));
	ck_assert(!hit(rl, "k", 2, 60, T0));
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	hark_rl_close(rl);
}
END_TEST

static int
tear_key(struct hark_rl *rl)
{
	return hark_rl_debug_tear(rl, "key:torn", 60);
}

START_TEST(killed_while_claiming_a_bucket_leaves_no_damage)
{
	struct hark_rl		*rl = open_table(0);
	struct hark_rl_stats	 st;

	ck_assert(hit(rl, "key:other", 2, 60, T0));
	die_holding(true, tear_key);
	/* Its half-written identity is redone, not read as damage. */
	ck_assert(hit(rl, "key:torn", 3, 60, T0));
	ck_assert(hit(rl, "key:torn", 3, 60, T0));
	ck_assert(hit(rl, "key:torn", 3, 60, T0));
	ck_assert(!hit(rl, "key:torn", 3, 60, T0));
	ck_assert(hit(rl, "key:other", 2, 60, T0));
	ck_assert(!hit(rl, "key:other", 2, 60, T0));	/* counts kept */
	ck_assert_int_eq(hark_rl_stats(rl, &st), 0);
	ck_assert_uint_eq(st.rebuilds, 0);
	ck_assert_uint_eq(st.recoveries, 1);
	hark_rl_close(rl);
}
END_TEST

/*
 * A seccomp filter under which any system call but write, exit and
 * clock_gettime kills the process (SIGSYS).  clock_gettime is the vDSO's
 * in hark-fcgi, but this program interposes it with the system call (the
 * clock tests below).  Not strict mode: that also turns off rdtsc, which the
 * vDSO needs.
 */
static int
allow_only_write_exit_and_clock(void)
{
	struct sock_filter	 f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clock_gettime, 4, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_write, 3, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_exit, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_exit_group, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog	 prog = { sizeof(f) / sizeof(f[0]), f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/*
 * In a child where any system call but write and exit kills: uncontended
 * checks, peeks and gates, many of them.  The handle looks at its file once
 * a second (an fstat): the calls start just after a second begins, and take
 * a few milliseconds.
 */
START_TEST(uncontended_calls_make_no_system_call)
{
	struct hark_rl		*rl = open_table(0);
	struct hark_rl_check	 c[2] = { { "key:s", 1000000, 60 },
				    { "project:s", 1000000, 60 } };
	struct hark_rl_result	 r;
	struct hark_rl_ticket	 t;
	pid_t			 pid;
	int			 done[2], status, i;
	char			 ok = 0;

	ck_assert_int_eq(hark_rl_hit_all(rl, c, 2, hark_rl_now(), &r), 0);
	ck_assert_int_eq(pipe(done), 0);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		close(done[0]);
		next_second();
		/* Once a process: its pid, its start time (for gates). */
		if (hark_rl_hit_all(rl, c, 2, hark_rl_now(), &r) == -1 ||
		    hark_rl_enter(rl, "list:s", 2, &t) == -1)
			_exit(2);
		hark_rl_leave(rl, &t);
		if (allow_only_write_exit_and_clock() == -1)
			_exit(3);
		for (i = 0; i < 1000; i++) {
			if (hark_rl_hit_all(rl, c, 2, hark_rl_now(), &r) == -1 ||
			    !r.allowed ||
			    hark_rl_peek(rl, "authfail:s", 10, 60,
			    hark_rl_now(), &r) == -1 ||
			    hark_rl_enter(rl, "list:s", 2, &t) == -1 ||
			    !t.admitted)
				_exit(4);
			hark_rl_leave(rl, &t);
		}
		/* Said before _exit, which a sanitizer's runtime may make calls in. */
		ok = 'y';
		(void)write(done[1], &ok, 1);
		_exit(0);
	}
	close(done[1]);
	(void)read(done[0], &ok, 1);
	close(done[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(ok == 'y', "the child did not finish: %s %d",
	    WIFSIGNALED(status) ? "signal (31: a system call)" : "exit",
	    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	/* What the child counted is in the table. */
	ck_assert_int_eq(hark_rl_hit_all(rl, c, 2, hark_rl_now(), &r), 0);
	ck_assert_uint_eq(r.remaining, 1000000 - 1003);
	hark_rl_close(rl);
}
END_TEST


/* ---- the file, changed under running workers (issue 13, item 3) ---- */

/* How many of tries hits on a fresh key pass a limit of limit, at T0. */
static unsigned
passes(struct hark_rl *rl, const char *key, unsigned limit, unsigned tries)
{
	unsigned	 i, n = 0;

	for (i = 0; i < tries; i++)
		n += hit(rl, key, limit, 60, T0);
	return n;
}

/* The same at the boot clock's now, which is what callers pass. */
static unsigned
passes_at(struct hark_rl *rl, unsigned limit, unsigned tries)
{
	struct hark_rl_result	 r;
	unsigned		 i, n = 0;

	for (i = 0; i < tries; i++) {
		ck_assert_int_eq(hark_rl_hit(rl, "key:clock", limit, 120,
		    hark_rl_now(), &r), 0);
		n += r.allowed;
	}
	return n;
}

/* Hits many keys, so that buckets all over the file are touched. */
static void
hit_many(struct hark_rl *rl, const char *prefix, int nkeys)
{
	char	 key[64];
	int	 i;

	for (i = 0; i < nkeys; i++) {
		snprintf(key, sizeof(key), "%s:%d", prefix, i);
		(void)hit(rl, key, 1000, 60, T0);
	}
}

static void
overwrite(off_t off, size_t n)
{
	unsigned char	 buf[8192];
	size_t		 k;
	int		 fd;

	ck_assert_int_ne(fd = open(path, O_WRONLY), -1);
	while (n > 0) {
		k = n < sizeof(buf) ? n : sizeof(buf);
		ck_assert_int_eq(getrandom(buf, k, 0), (ssize_t)k);
		ck_assert_int_eq(pwrite(fd, buf, k, off), (ssize_t)k);
		off += (off_t)k;
		n -= k;
	}
	close(fd);
}

/*
 * Runs fn in a child, with its stderr (where hark_log writes) in a file, and
 * checks that it exited normally (no SIGBUS) with status 0: returns the
 * number of log lines that name the rate-limit file.
 */
static unsigned
in_child(void (*fn)(void))
{
	char	 logpath[160], line[512];
	FILE	*fp;
	pid_t	 pid;
	int	 status, fd;
	unsigned n = 0;

	snprintf(logpath, sizeof(logpath), "%s.log", dir);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd == -1 || dup2(fd, STDERR_FILENO) == -1)
			_exit(99);
		fn();
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status), "child killed by signal %d",
	    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_ptr_nonnull(fp = fopen(logpath, "r"));
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strstr(line, "rate-limit file") != NULL)
			n++;
	fclose(fp);
	unlink(logpath);
	return n;
}

/* In a child: _exit(1) rather than a Check failure, which needs no fork. */
#define CHILD_ASSERT(c)	do { if (!(c)) _exit(1); } while (0)

static void
child_passes(struct hark_rl *rl, const char *key, unsigned limit,
    unsigned tries, unsigned want)
{
	struct hark_rl_result	 r;
	unsigned		 i, n = 0;

	for (i = 0; i < tries; i++) {
		CHILD_ASSERT(hark_rl_hit(rl, key, limit, 60, T0, &r) == 0);
		n += r.allowed;
	}
	CHILD_ASSERT(n == want);
}

static void
truncate_to(off_t size)
{
	struct hark_rl		*a, *b;
	struct hark_rl_stats	 sa, sb;

	CHILD_ASSERT(hark_rl_open(path, 0, &a) == 0);
	CHILD_ASSERT(hark_rl_open(path, 0, &b) == 0);
	hit_many(a, "before", 300);
	CHILD_ASSERT(truncate(path, size) == 0);
	hit_many(a, "after", 300);	/* SIGBUS here when mapped */
	hit_many(b, "after", 300);
	child_passes(a, "key:n", 10, 15, 10);
	child_passes(b, "key:n", 10, 15, 0);	/* one table again */
	CHILD_ASSERT(hark_rl_stats(a, &sa) == 0 && hark_rl_stats(b, &sb) == 0);
	CHILD_ASSERT(sa.rebuilds + sb.rebuilds == 1);
	hark_rl_close(a);
	hark_rl_close(b);
}

static void
truncate_to_zero(void)
{
	truncate_to(0);
}

static void
truncate_to_half(void)
{
	struct stat	 st;

	CHILD_ASSERT(stat(path, &st) == 0);
	truncate_to(st.st_size / 2);
}

START_TEST(truncated_to_zero_while_open_is_rebuilt_without_sigbus)
{
	hark_rl_close(open_table(0));
	ck_assert_uint_eq(in_child(truncate_to_zero), 1);
	ck_assert_uint_eq(files_in_dir(), 1);
}
END_TEST

/*
 * The table's SIGBUS handler takes only faults in a table: a file of the
 * program's own cut short under its mapping, or a SIGBUS sent, still kills.
 */
static void
die_by_sigbus(bool sent)
{
	struct hark_rl	*rl;
	char		 other[160], *p;
	pid_t		 pid;
	int		 status, fd;

	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		if (hark_rl_open(path, 0, &rl) == -1)
			_exit(3);
		if (sent) {
			raise(SIGBUS);
			_exit(2);
		}
		snprintf(other, sizeof(other), "%s/mine", dir);
		if ((fd = open(other, O_RDWR | O_CREAT, 0600)) == -1 ||
		    ftruncate(fd, 8192) == -1 ||
		    (p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED,
		    fd, 0)) == MAP_FAILED || ftruncate(fd, 0) == -1)
			_exit(3);
		p[4096] = 1;
		_exit(2);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	/* Killed, or ended by the handler before ours (a sanitizer's). */
	ck_assert_msg((WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS) ||
	    (WIFEXITED(status) && WEXITSTATUS(status) != 0 &&
	    WEXITSTATUS(status) != 2 && WEXITSTATUS(status) != 3),
	    "status %d", status);
}

START_TEST(sigbus_outside_the_table_still_kills)
{
	hark_rl_close(open_table(0));
	die_by_sigbus(false);
	die_by_sigbus(true);
}
END_TEST

START_TEST(truncated_to_half_while_open_is_rebuilt_without_sigbus)
{
	hark_rl_close(open_table(0));
	ck_assert_uint_eq(in_child(truncate_to_half), 1);
}
END_TEST

/* Random bytes over [off, off + n) while two handles have the table open. */
static off_t	 damage_off;
static size_t	 damage_len;

static void
damage_while_open(void)
{
	struct hark_rl		*a, *b;
	struct hark_rl_stats	 sa, sb;
	int			 round;

	CHILD_ASSERT(hark_rl_open(path, 0, &a) == 0);
	CHILD_ASSERT(hark_rl_open(path, 0, &b) == 0);
	child_passes(a, "key:old", 100, 150, 100);
	hit_many(a, "spread", 500);
	overwrite(damage_off, damage_len);
	/* Every key of the rebuilt table, in both handles, gets exactly N. */
	for (round = 0; round < 3; round++) {
		char	 key[32];

		snprintf(key, sizeof(key), "key:new%d", round);
		child_passes(round % 2 ? a : b, key, 100, 200, 100);
		child_passes(round % 2 ? b : a, key, 100, 200, 0);
	}
	hit_many(a, "spread", 500);
	hit_many(b, "spread", 500);
	CHILD_ASSERT(hark_rl_stats(a, &sa) == 0 && hark_rl_stats(b, &sb) == 0);
	CHILD_ASSERT(sa.rebuilds + sb.rebuilds == 1);
	hark_rl_close(a);
	hark_rl_close(b);
}

START_TEST(random_bytes_in_header_rebuild_once_and_limits_hold)
{
	hark_rl_close(open_table(0));
	damage_off = 0;
	damage_len = 4096;
	ck_assert_uint_eq(in_child(damage_while_open), 1);
	ck_assert_uint_eq(files_in_dir(), 1);
}
END_TEST

START_TEST(random_bytes_in_body_rebuild_once_and_limits_hold)
{
	hark_rl_close(open_table(0));
	damage_off = 4096;
	damage_len = (size_t)file_size() - 4096;
	ck_assert_uint_eq(in_child(damage_while_open), 1);
}
END_TEST

START_TEST(random_file_of_the_right_size_is_rebuilt)
{
	struct hark_rl	*rl;

	hark_rl_close(open_table(0));
	overwrite(0, (size_t)file_size());
	rl = open_table(0);
	ck_assert_uint_eq(passes(rl, "key:a", 100, 400), 100);
	hark_rl_close(rl);
}
END_TEST

START_TEST(removed_file_is_noticed_and_all_share_the_new_one)
{
	struct hark_rl		*a = open_table(0), *b;
	struct hark_rl_stats	 st;
	unsigned		 i, n = 0;

	ck_assert(hit(a, "key:x", 100, 60, T0));
	ck_assert_int_eq(unlink(path), 0);
	b = open_table(0);			/* a new worker: a new file */
	next_second();
	for (i = 0; i < 200; i++)
		n += hit(i % 2 ? a : b, "key:n", 100, 60, T0);
	ck_assert_uint_eq(n, 100);
	ck_assert_int_eq(hark_rl_stats(a, &st), 0);
	ck_assert_uint_ge(st.reopens, 1);
	ck_assert_uint_eq(files_in_dir(), 1);
	hark_rl_close(a);
	hark_rl_close(b);
}
END_TEST

START_TEST(removed_file_is_made_again_by_the_next_hit)
{
	struct hark_rl	*a = open_table(0), *b = open_table(0);

	ck_assert_int_eq(unlink(path), 0);
	next_second();
	ck_assert_uint_eq(passes(a, "key:n", 5, 3), 3);	/* makes it again */
	ck_assert_uint_eq(files_in_dir(), 1);
	ck_assert_uint_eq(passes(b, "key:n", 5, 10), 2);
	hark_rl_close(a);
	hark_rl_close(b);
}
END_TEST

START_TEST(file_replaced_by_rename_is_followed)
{
	struct hark_rl	*a = open_table(0), *b;
	char		 other[160];

	ck_assert_uint_eq(passes(a, "key:n", 5, 5), 5);
	snprintf(other, sizeof(other), "%s/other.db", dir);
	ck_assert_int_eq(hark_rl_open(other, 0, &b), 0);
	ck_assert_int_eq(rename(other, path), 0);
	next_second();
	/* a moves to b's table, where the key is new. */
	ck_assert_uint_eq(passes(a, "key:n", 5, 3), 3);
	ck_assert_uint_eq(passes(b, "key:n", 5, 5), 2);
	hark_rl_close(a);
	hark_rl_close(b);
}
END_TEST

START_TEST(table_from_an_earlier_boot_is_reset)
{
	struct hark_rl		*rl = open_table(0);
	struct hark_rl_stats	 st;

	ck_assert_uint_eq(passes(rl, "key:n", 5, 10), 5);
	hark_rl_close(rl);
	ck_assert_int_eq(hark_rl_debug_age(path), 0);
	rl = open_table(0);
	ck_assert_int_eq(hark_rl_stats(rl, &st), 0);
	ck_assert_uint_eq(st.rebuilds, 1);
	ck_assert_uint_eq(passes(rl, "key:n", 5, 10), 5);
	hark_rl_close(rl);
}
END_TEST

START_TEST(duplicate_checks_in_one_call_are_refused)
{
	struct hark_rl		*rl = open_table(0);
	struct hark_rl_check	 c[2] = { { "k", 5, 60 }, { "k", 5, 60 } };
	struct hark_rl_result	 r;

	ck_assert_int_eq(hark_rl_hit_all(rl, c, 2, T0, &r), -1);
	ck_assert_int_eq(errno, EINVAL);
	c[1].window_seconds = 3600;	/* another window: another limit */
	ck_assert_int_eq(hark_rl_hit_all(rl, c, 2, T0, &r), 0);
	hark_rl_close(rl);
}
END_TEST

START_TEST(missing_directory_fails_with_errno)
{
	struct hark_rl	*rl;

	snprintf(path, sizeof(path), "%s/no/such/dir/rl.db", dir);
	ck_assert_int_eq(hark_rl_open(path, 0, &rl), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_ptr_null(rl);
}
END_TEST

/* ---- the clock ---- */

/*
 * The wall clock as this program sees it, steppable: time() and
 * CLOCK_REALTIME are interposed, so a library that read the wall clock
 * would see the steps.  Other clocks pass through to the kernel.
 */
static time_t	 wall_step;

time_t
time(time_t *t)
{
	struct timespec	 ts;
	time_t		 v;

	syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts);
	v = ts.tv_sec + wall_step;
	if (t != NULL)
		*t = v;
	return v;
}

int
clock_gettime(clockid_t id, struct timespec *ts)
{
	if (syscall(SYS_clock_gettime, id, ts) == -1)
		return -1;
	if (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE)
		ts->tv_sec += wall_step;
	return 0;
}

START_TEST(now_is_the_boot_clock_not_the_wall_clock)
{
	struct timespec	 ts;
	time_t		 a, b, prev = 0;
	int		 i;

	ck_assert_int_eq(syscall(SYS_clock_gettime, CLOCK_BOOTTIME, &ts), 0);
	a = hark_rl_now();
	ck_assert_int_ge(a, ts.tv_sec);
	ck_assert_int_le(a, ts.tv_sec + 2);
	/* Up for less than 40 years: nowhere near the wall clock. */
	ck_assert_int_lt(a, time(NULL) - 40L * 365 * 86400);
	for (i = 0; i < 1000; i++) {
		b = hark_rl_now();
		ck_assert_int_ge(b, prev);
		prev = b;
	}
}
END_TEST

START_TEST(wall_clock_steps_let_no_quota_through)
{
	struct hark_rl	*rl = open_table(0);
	time_t		 steps[] = { -120, 366L * 86400, 0, -3600 };
	size_t		 i;

	ck_assert_uint_eq(passes_at(rl, 100, 100), 100);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		wall_step = steps[i];
		ck_assert_uint_eq(passes_at(rl, 100, 100), 0);
	}
	wall_step = 0;
	hark_rl_close(rl);
}
END_TEST

/* ---- concurrency gates ---- */

START_TEST(gate_admits_at_most_max)
{
	struct hark_rl		*rl = open_table(0);
	struct hark_rl_ticket	 t[4];
	int			 i;

	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(hark_rl_enter(rl, "project:p", 3, &t[i]), 0);
		ck_assert(t[i].admitted);
		ck_assert_uint_eq(t[i].in_flight, (unsigned)i + 1);
	}
	ck_assert_int_eq(hark_rl_enter(rl, "project:p", 3, &t[3]), 0);
	ck_assert(!t[3].admitted);
	ck_assert_uint_eq(t[3].in_flight, 3);
	hark_rl_leave(rl, &t[3]);		/* not admitted: a no-op */
	hark_rl_leave(rl, &t[1]);
	ck_assert(!t[1].admitted);
	hark_rl_leave(rl, &t[1]);		/* twice: a no-op */
	ck_assert_int_eq(hark_rl_enter(rl, "project:p", 3, &t[3]), 0);
	ck_assert(t[3].admitted);
	ck_assert_int_eq(hark_rl_enter(rl, "project:p", 3, &t[1]), 0);
	ck_assert(!t[1].admitted);
	hark_rl_leave(rl, &t[0]);
	hark_rl_leave(rl, &t[2]);
	hark_rl_leave(rl, &t[3]);
	hark_rl_close(rl);
}
END_TEST

START_TEST(gates_of_keys_are_independent)
{
	struct hark_rl		*rl = open_table(0);
	struct hark_rl_ticket	 a, b, c;

	ck_assert_int_eq(hark_rl_enter(rl, "project:a", 1, &a), 0);
	ck_assert(a.admitted);
	ck_assert_int_eq(hark_rl_enter(rl, "project:b", 1, &b), 0);
	ck_assert(b.admitted);
	ck_assert_int_eq(hark_rl_enter(rl, "project:a", 1, &c), 0);
	ck_assert(!c.admitted);
	/* Rate-limit keys and gate keys do not meet. */
	ck_assert(hit(rl, "project:a", 1, 60, T0));
	hark_rl_leave(rl, &a);
	hark_rl_leave(rl, &b);
	hark_rl_close(rl);
}
END_TEST

START_TEST(gate_refuses_bad_arguments)
{
	struct hark_rl		*rl = open_table(0);
	struct hark_rl_ticket	 t;

	ck_assert_int_eq(hark_rl_enter(rl, "k", HARK_RL_GATE_SLOTS + 1, &t), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(hark_rl_enter(rl, NULL, 1, &t), -1);
	ck_assert_int_eq(hark_rl_enter(rl, "k", 0, &t), 0);
	ck_assert(!t.admitted);
	hark_rl_close(rl);
}
END_TEST

/* A child takes a place in the gate and dies holding it. */
static int
take_place(struct hark_rl *own)
{
	struct hark_rl_ticket	 t;

	if (hark_rl_enter(own, "project:p", 2, &t) == -1 || !t.admitted)
		return -1;
	return 0;
}

static void
die_holding_place(bool by_signal)
{
	die_holding(by_signal, take_place);
}

START_TEST(places_of_dead_holders_are_taken_back)
{
	struct hark_rl		*rl = open_table(0);
	struct hark_rl_ticket	 t[3];

	die_holding_place(true);
	die_holding_place(false);
	ck_assert_int_eq(hark_rl_enter(rl, "project:p", 2, &t[0]), 0);
	ck_assert(t[0].admitted);
	ck_assert_int_eq(hark_rl_enter(rl, "project:p", 2, &t[1]), 0);
	ck_assert(t[1].admitted);
	ck_assert_int_eq(hark_rl_enter(rl, "project:p", 2, &t[2]), 0);
	ck_assert(!t[2].admitted);
	hark_rl_leave(rl, &t[0]);
	hark_rl_leave(rl, &t[1]);
	hark_rl_close(rl);
}
END_TEST

START_TEST(live_holders_in_other_processes_count)
{
	struct hark_rl		*rl = open_table(0);
	struct hark_rl_ticket	 t;
	int			 go[2], res[2], i, status;
	pid_t			 pid[NPROC];
	unsigned		 total = 0;
	char			 c;

	ck_assert_int_eq(pipe(go), 0);
	ck_assert_int_eq(pipe(res), 0);
	for (i = 0; i < NPROC; i++) {
		ck_assert_int_ne(pid[i] = fork(), -1);
		if (pid[i] == 0) {
			struct hark_rl		*own;
			struct hark_rl_ticket	 mine;

			close(go[1]);
			if (hark_rl_open(path, 0, &own) == -1 ||
			    hark_rl_enter(own, "project:p", 3, &mine) == -1)
				_exit(1);
			c = mine.admitted ? 'y' : 'n';
			if (write(res[1], &c, 1) != 1)
				_exit(1);
			if (read(go[0], &c, 1) != 0)	/* hold until told */
				_exit(1);
			hark_rl_leave(own, &mine);
			_exit(0);
		}
	}
	close(go[0]);
	close(res[1]);
	for (i = 0; i < NPROC; i++) {
		ck_assert_int_eq(read(res[0], &c, 1), 1);
		total += c == 'y';
	}
	ck_assert_uint_eq(total, 3);
	ck_assert_int_eq(hark_rl_enter(rl, "project:p", 3, &t), 0);
	ck_assert(!t.admitted);
	close(go[1]);			/* every holder leaves and exits */
	for (i = 0; i < NPROC; i++) {
		ck_assert_int_eq(waitpid(pid[i], &status, 0), pid[i]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	close(res[0]);
	ck_assert_int_eq(hark_rl_enter(rl, "project:p", 3, &t), 0);
	ck_assert(t.admitted);
	ck_assert_uint_eq(t.in_flight, 1);	/* they left: nothing to reap */
	hark_rl_leave(rl, &t);
	hark_rl_close(rl);
}
END_TEST

START_TEST(leaving_after_a_rebuild_is_harmless)
{
	struct hark_rl		*rl = open_table(0);
	struct hark_rl_ticket	 t, u;

	ck_assert_int_eq(hark_rl_enter(rl, "project:p", 1, &t), 0);
	ck_assert(t.admitted);
	ck_assert_int_eq(truncate(path, 0), 0);
	hark_rl_leave(rl, &t);			/* rebuilds; nothing to give back */
	ck_assert_int_eq(hark_rl_enter(rl, "project:p", 1, &u), 0);
	ck_assert(u.admitted);
	hark_rl_leave(rl, &u);
	hark_rl_close(rl);
}
END_TEST

static Suite *
ratelimit_suite(void)
{
	Suite	*s = suite_create("ratelimit");
	TCase	*one = tcase_create("one process");
	TCase	*file = tcase_create("file");
	TCase	*many = tcase_create("many processes");
	TCase	*damage = tcase_create("file changed under workers");
	TCase	*clock = tcase_create("clock");
	TCase	*gate = tcase_create("gates");

	tcase_add_checked_fixture(one, setup, teardown);
	tcase_add_test(one, allows_exactly_limit_in_one_window);
	tcase_add_test(one, peek_consumes_nothing);
	tcase_add_test(one, window_slides_by_the_second);
	tcase_add_test(one, reports_reset_and_retry_after);
	tcase_add_test(one, retry_after_waits_for_enough_hits_to_leave);
	tcase_add_test(one, long_window_never_exceeds_limit);
	tcase_add_test(one, long_window_frees_within_a_slot);
	tcase_add_test(one, keys_are_independent);
	tcase_add_test(one, windows_of_one_key_are_independent);
	tcase_add_test(one, pair_consumes_nothing_when_project_refuses);
	tcase_add_test(one, pair_consumes_nothing_when_key_refuses);
	tcase_add_test(one, refuses_bad_arguments);
	tcase_add_test(one, limit_zero_refuses_everything);
	tcase_add_test(one, clock_stepping_back_keeps_or_drops_counts);
	tcase_add_test(one, full_table_evicts_least_recent);
	tcase_add_test(one, expired_buckets_are_reused_without_eviction);
	tcase_add_test(one, siphash_matches_reference_vectors);
	suite_add_tcase(s, one);

	tcase_add_checked_fixture(file, setup, teardown);
	tcase_add_test(file, creates_file_of_fixed_size);
	tcase_add_test(file, replaces_short_or_corrupt_file);
	tcase_add_test(file, replaces_file_with_bad_magic);
	tcase_add_test(file, replaces_file_with_bad_version);
	tcase_add_test(file, replaces_truncated_table);
	tcase_add_test(file, existing_table_keeps_its_size);
	suite_add_tcase(s, file);

	tcase_add_checked_fixture(many, setup, teardown);
	tcase_set_timeout(many, 20);
	tcase_add_test(many, independent_processes_share_one_limit);
	tcase_add_test(many, forked_children_share_parent_handle);
	tcase_add_test(many, processes_creating_file_at_once_share_it);
	tcase_add_test(many, processes_replacing_corrupt_file_at_once_share_it);
	tcase_add_test(many, killed_lock_holder_does_not_block_others);
	tcase_add_test(many, exited_lock_holder_does_not_block_others);
	tcase_add_test(many, killed_holder_not_yet_reaped_does_not_block_others);
	tcase_add_test(many, lock_held_by_a_stuck_process_is_taken_over);
	tcase_add_test(many, killed_while_claiming_a_bucket_leaves_no_damage);
	tcase_add_test(many, uncontended_calls_make_no_system_call);
	suite_add_tcase(s, many);

	tcase_add_checked_fixture(damage, setup, teardown);
	tcase_set_timeout(damage, 30);
	tcase_add_test(damage, truncated_to_zero_while_open_is_rebuilt_without_sigbus);
	tcase_add_test(damage, truncated_to_half_while_open_is_rebuilt_without_sigbus);
	tcase_add_test(damage, sigbus_outside_the_table_still_kills);
	tcase_add_test(damage, random_bytes_in_header_rebuild_once_and_limits_hold);
	tcase_add_test(damage, random_bytes_in_body_rebuild_once_and_limits_hold);
	tcase_add_test(damage, random_file_of_the_right_size_is_rebuilt);
	tcase_add_test(damage, removed_file_is_noticed_and_all_share_the_new_one);
	tcase_add_test(damage, removed_file_is_made_again_by_the_next_hit);
	tcase_add_test(damage, file_replaced_by_rename_is_followed);
	tcase_add_test(damage, table_from_an_earlier_boot_is_reset);
	tcase_add_test(damage, duplicate_checks_in_one_call_are_refused);
	tcase_add_test(damage, missing_directory_fails_with_errno);
	suite_add_tcase(s, damage);

	tcase_add_checked_fixture(clock, setup, teardown);
	tcase_add_test(clock, now_is_the_boot_clock_not_the_wall_clock);
	tcase_add_test(clock, wall_clock_steps_let_no_quota_through);
	suite_add_tcase(s, clock);

	tcase_add_checked_fixture(gate, setup, teardown);
	tcase_set_timeout(gate, 20);
	tcase_add_test(gate, gate_admits_at_most_max);
	tcase_add_test(gate, gates_of_keys_are_independent);
	tcase_add_test(gate, gate_refuses_bad_arguments);
	tcase_add_test(gate, places_of_dead_holders_are_taken_back);
	tcase_add_test(gate, live_holders_in_other_processes_count);
	tcase_add_test(gate, leaving_after_a_rebuild_is_harmless);
	suite_add_tcase(s, gate);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(ratelimit_suite());
	int	 nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
