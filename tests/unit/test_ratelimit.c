/* test_ratelimit.c: the shared rate-limit table, in one process and across many. */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* A child takes the lock and dies holding it, by signal or by exit. */
static void
die_holding_lock(bool by_signal)
{
	int		 ready[2], status;
	pid_t		 pid;
	char		 c = 'x';

	ck_assert_int_eq(pipe(ready), 0);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		struct hark_rl	*own;

		if (hark_rl_open(path, 0, &own) == -1 ||
		    hark_rl_debug_hold_lock(own) == -1)
			_exit(1);
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		if (by_signal)
			pause();
		_exit(0);
	}
	close(ready[1]);
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	close(ready[0]);
	if (by_signal)
		kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
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

/* Exactly limit hits of a fresh key get through, then none. */
static void
assert_enforced(struct hark_rl *rl, const char *key, unsigned limit)
{
	unsigned	 i, n = 0;

	for (i = 0; i < limit + 5; i++)
		n += hit(rl, key, limit, 60, T0);
	ck_assert_uint_eq(n, limit);
}

/* Runs the check in a child: a SIGBUS there fails the test, not the run. */
START_TEST(table_truncated_while_mapped_is_reopened_not_sigbus)
{
	struct hark_rl	*rl = open_table(0);
	int		 status;
	pid_t		 pid;

	ck_assert(hit(rl, "before", 5, 60, T0));
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		if (truncate(path, 0) == -1)
			_exit(2);
		assert_enforced(rl, "after-zero", 3);
		if (truncate(path, 4096) == -1)
			_exit(2);
		assert_enforced(rl, "after-half", 3);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "child status %d (signal %d)", status,
	    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	hark_rl_close(rl);
}
END_TEST

START_TEST(random_bytes_over_the_header_rebuild_the_table_once)
{
	struct hark_rl	*rl = open_table(0);
	unsigned char	 junk[512];
	size_t		 i;
	int		 fd;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 131 + 7);
	ck_assert_int_ne(fd = open(path, O_WRONLY), -1);
	ck_assert_int_eq(pwrite(fd, junk, sizeof(junk), 0), (ssize_t)sizeof(junk));
	close(fd);
	/* Limits hold at once, not "let through". */
	assert_enforced(rl, "k", 4);
	hark_rl_close(rl);
	rl = open_table(0);
	ck_assert(!hit(rl, "k", 4, 60, T0));	/* the rebuilt table is the file */
	hark_rl_close(rl);
}
END_TEST

START_TEST(deleted_table_is_shared_again_after_the_next_hit)
{
	struct hark_rl	*old = open_table(0), *fresh;

	ck_assert(hit(old, "k", 4, 60, T0));
	ck_assert_int_eq(unlink(path), 0);
	fresh = open_table(0);		/* a new worker creates another file */
	ck_assert(hit(fresh, "k", 4, 60, T0));
	ck_assert(hit(old, "k", 4, 60, T0));	/* old notices and follows */
	ck_assert(hit(fresh, "k", 4, 60, T0));
	ck_assert(hit(old, "k", 4, 60, T0));
	/* Four hits in one table: both handles now refuse the fifth. */
	ck_assert(!hit(fresh, "k", 4, 60, T0));
	ck_assert(!hit(old, "k", 4, 60, T0));
	hark_rl_close(old);
	hark_rl_close(fresh);
}
END_TEST


static Suite *
ratelimit_suite(void)
{
	Suite	*s = suite_create("ratelimit");
	TCase	*one = tcase_create("one process");
	TCase	*file = tcase_create("file");
	TCase	*many = tcase_create("many processes");

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
	tcase_add_test(file, table_truncated_while_mapped_is_reopened_not_sigbus);
	tcase_add_test(file, random_bytes_over_the_header_rebuild_the_table_once);
	tcase_add_test(file, deleted_table_is_shared_again_after_the_next_hit);
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
	suite_add_tcase(s, many);
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
