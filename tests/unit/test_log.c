/* test_log.c: the log: line format, level filter, rotation, whole lines from many processes. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"

static char	 tmpdir[PATH_MAX];
static char	 log_path[PATH_MAX];

static void	fmt(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* snprintf that fails the test rather than truncate. */
static void
fmt(char *buf, size_t sz, const char *f, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, f);
	n = vsnprintf(buf, sz, f, ap);
	va_end(ap);
	ck_assert_msg(n >= 0 && (size_t)n < sz, "path too long");
}

static void
setup(void)
{
	ck_assert_ptr_nonnull(strcpy(tmpdir, "/tmp/hark-log-XXXXXX"));
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	fmt(log_path, sizeof(log_path), "%s/hark.log", tmpdir);
}

static void
teardown(void)
{
	char	 p[PATH_MAX];

	hark_log_close();
	unlink(log_path);
	fmt(p, sizeof(p), "%s.1", log_path);
	unlink(p);
	fmt(p, sizeof(p), "%s/stderr", tmpdir);
	unlink(p);
	rmdir(tmpdir);
}

/* The whole file as a string the caller frees. */
static char *
slurp(const char *path)
{
	struct hark_buf	 b = { 0 };
	char		 chunk[4096];
	ssize_t		 n;
	int		 fd;

	ck_assert_int_ne(fd = open(path, O_RDONLY), -1);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		ck_assert_int_eq(hark_buf_append(&b, chunk, (size_t)n), 0);
	close(fd);
	return hark_buf_steal(&b);
}

static void
assert_matches(const char *s, const char *re)
{
	regex_t	 r;

	ck_assert_int_eq(regcomp(&r, re, REG_EXTENDED | REG_NOSUB), 0);
	ck_assert_msg(regexec(&r, s, 0, NULL, 0) == 0, "\"%s\" !~ /%s/", s,
	    re);
	regfree(&r);
}

static size_t
count_lines(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (*s == '\n')
			n++;
	return n;
}

START_TEST(writes_one_line_in_the_documented_format)
{
	char	*s, re[256];

	ck_assert_int_eq(hark_log_open("hark-test", log_path, HARK_LOG_INFO),
	    0);
	hark_log(HARK_LOG_WARN, "disk %d%% full", 91);
	s = slurp(log_path);
	fmt(re, sizeof(re), "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:"
	    "[0-9]{2}Z hark-test\\[%ld\\]: warn: disk 91%% full\n$",
	    (long)getpid());
	assert_matches(s, re);
	free(s);
}
END_TEST

START_TEST(names_every_level)
{
	char	*s;

	ck_assert_int_eq(hark_log_open("t", log_path, HARK_LOG_DEBUG), 0);
	hark_log(HARK_LOG_ERR, "a");
	hark_log(HARK_LOG_WARN, "b");
	hark_log(HARK_LOG_INFO, "c");
	hark_log(HARK_LOG_DEBUG, "d");
	s = slurp(log_path);
	assert_matches(s, "error: a\n.*warn: b\n.*info: c\n.*debug: d\n$");
	free(s);
}
END_TEST

START_TEST(drops_events_below_the_level)
{
	char	*s;

	ck_assert_int_eq(hark_log_open("t", log_path, HARK_LOG_WARN), 0);
	hark_log(HARK_LOG_INFO, "quiet");
	hark_log(HARK_LOG_DEBUG, "quieter");
	hark_log(HARK_LOG_ERR, "loud");
	s = slurp(log_path);
	ck_assert_uint_eq(count_lines(s), 1);
	ck_assert_ptr_nonnull(strstr(s, "error: loud\n"));
	free(s);
}
END_TEST

START_TEST(set_level_changes_the_filter)
{
	char	*s;

	ck_assert_int_eq(hark_log_open("t", log_path, HARK_LOG_ERR), 0);
	hark_log(HARK_LOG_DEBUG, "before");
	hark_log_set_level(HARK_LOG_DEBUG);
	hark_log(HARK_LOG_DEBUG, "after");
	s = slurp(log_path);
	ck_assert_ptr_null(strstr(s, "before"));
	ck_assert_ptr_nonnull(strstr(s, "debug: after\n"));
	free(s);
}
END_TEST

START_TEST(appends_to_an_existing_file)
{
	char	*s;
	int	 fd;

	ck_assert_int_ne(fd = open(log_path, O_WRONLY | O_CREAT, 0600), -1);
	ck_assert_int_eq(write(fd, "old line\n", 9), 9);
	close(fd);
	ck_assert_int_eq(hark_log_open("t", log_path, HARK_LOG_INFO), 0);
	hark_log(HARK_LOG_INFO, "new");
	s = slurp(log_path);
	ck_assert_int_eq(strncmp(s, "old line\n", 9), 0);
	ck_assert_uint_eq(count_lines(s), 2);
	free(s);
}
END_TEST

START_TEST(reopen_follows_log_rotation)
{
	char	 rotated[PATH_MAX], *old, *cur;

	fmt(rotated, sizeof(rotated), "%s.1", log_path);
	ck_assert_int_eq(hark_log_open("t", log_path, HARK_LOG_INFO), 0);
	hark_log(HARK_LOG_INFO, "before rotation");
	ck_assert_int_eq(rename(log_path, rotated), 0);
	hark_log(HARK_LOG_INFO, "still the old file");
	hark_log_reopen();
	hark_log(HARK_LOG_INFO, "after rotation");
	old = slurp(rotated);
	cur = slurp(log_path);
	ck_assert_uint_eq(count_lines(old), 2);
	ck_assert_ptr_nonnull(strstr(old, "still the old file"));
	ck_assert_uint_eq(count_lines(cur), 1);
	ck_assert_ptr_nonnull(strstr(cur, "info: after rotation\n"));
	free(old);
	free(cur);
}
END_TEST

START_TEST(control_characters_cannot_forge_lines)
{
	char	*s;

	ck_assert_int_eq(hark_log_open("t", log_path, HARK_LOG_INFO), 0);
	hark_log(HARK_LOG_INFO, "path %s", "/x\nZ t[1]: error: forged\r\t");
	s = slurp(log_path);
	ck_assert_uint_eq(count_lines(s), 1);
	ck_assert_ptr_nonnull(strstr(s, "info: path /x?Z t[1]: error: "
	    "forged??\n"));
	free(s);
}
END_TEST

START_TEST(long_message_is_cut_to_one_line)
{
	char	*big, *s;
	size_t	 n = 10000;

	ck_assert_ptr_nonnull(big = malloc(n + 1));
	memset(big, 'x', n);
	big[n] = '\0';
	ck_assert_int_eq(hark_log_open("t", log_path, HARK_LOG_INFO), 0);
	hark_log(HARK_LOG_INFO, "%s", big);
	free(big);
	s = slurp(log_path);
	ck_assert_uint_eq(count_lines(s), 1);
	ck_assert_uint_le(strlen(s), 2048);
	ck_assert_uint_gt(strlen(s), 1024);
	ck_assert_str_eq(s + strlen(s) - 5, "x...\n");
	free(s);
}
END_TEST

START_TEST(preserves_errno)
{
	ck_assert_int_eq(hark_log_open("t", log_path, HARK_LOG_INFO), 0);
	errno = ENOSPC;
	hark_log(HARK_LOG_ERR, "write failed: %s", strerror(errno));
	ck_assert_int_eq(errno, ENOSPC);
}
END_TEST

START_TEST(writes_to_stderr_without_a_file)
{
	char	 path[PATH_MAX], *s;
	int	 fd, saved;

	fmt(path, sizeof(path), "%s/stderr", tmpdir);
	ck_assert_int_ne(fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600),
	    -1);
	ck_assert_int_ne(saved = dup(STDERR_FILENO), -1);
	ck_assert_int_ne(dup2(fd, STDERR_FILENO), -1);
	close(fd);
	ck_assert_int_eq(hark_log_open("t", "", HARK_LOG_INFO), 0);
	hark_log(HARK_LOG_INFO, "to stderr");
	dup2(saved, STDERR_FILENO);
	close(saved);
	s = slurp(path);
	ck_assert_ptr_nonnull(strstr(s, "info: to stderr\n"));
	free(s);
}
END_TEST

START_TEST(open_of_unwritable_path_fails)
{
	ck_assert_int_eq(hark_log_open("t", "/nonexistent/dir/hark.log",
	    HARK_LOG_INFO), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(parses_level_names)
{
	ck_assert_int_eq(hark_log_level_from_name("error"), HARK_LOG_ERR);
	ck_assert_int_eq(hark_log_level_from_name("warn"), HARK_LOG_WARN);
	ck_assert_int_eq(hark_log_level_from_name("info"), HARK_LOG_INFO);
	ck_assert_int_eq(hark_log_level_from_name("debug"), HARK_LOG_DEBUG);
}
END_TEST

START_TEST(rejects_unknown_level_names)
{
	ck_assert_int_eq(hark_log_level_from_name("verbose"), -1);
	ck_assert_int_eq(hark_log_level_from_name(""), -1);
	ck_assert_int_eq(hark_log_level_from_name(NULL), -1);
}
END_TEST

/*
 * Workers share the file; O_APPEND plus one write(2) per line must keep
 * every line whole however their writes race.
 */
/* The pid is asked once per process, and a forked child names itself. */
START_TEST(a_forked_child_logs_its_own_pid)
{
	char	*s, re[256];
	pid_t	 child;
	int	 status;

	ck_assert_int_eq(hark_log_open("t", log_path, HARK_LOG_INFO), 0);
	hark_log(HARK_LOG_INFO, "parent before");
	ck_assert_int_ne(child = fork(), -1);
	if (child == 0) {
		hark_log(HARK_LOG_INFO, "child");
		_exit(0);
	}
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	hark_log(HARK_LOG_INFO, "parent after");
	s = slurp(log_path);
	fmt(re, sizeof(re), "^[0-9TZ:-]+ t\\[%ld\\]: info: parent before\n"
	    "[0-9TZ:-]+ t\\[%ld\\]: info: child\n"
	    "[0-9TZ:-]+ t\\[%ld\\]: info: parent after\n$",
	    (long)getpid(), (long)child, (long)getpid());
	assert_matches(s, re);
	free(s);
}
END_TEST

START_TEST(concurrent_processes_write_whole_lines)
{
	enum { NPROC = 4, NLINES = 500 };
	char	 pad[301], *s, *line, *save;
	regex_t	 re;
	size_t	 n = 0;
	pid_t	 pids[NPROC];
	int	 i, j, status;

	memset(pad, 'p', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	ck_assert_int_eq(hark_log_open("t", log_path, HARK_LOG_INFO), 0);
	for (i = 0; i < NPROC; i++) {
		ck_assert_int_ne(pids[i] = fork(), -1);
		if (pids[i] == 0) {
			for (j = 0; j < NLINES; j++)
				hark_log(HARK_LOG_INFO, "w%d n%d %s end", i, j,
				    pad);
			_exit(0);
		}
	}
	for (i = 0; i < NPROC; i++) {
		ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	/* One compiled pattern for 2000 lines: under ASan on a loaded
	 * machine, compiling it per line outran Check's timeout. */
	ck_assert_int_eq(regcomp(&re, "^[0-9TZ:-]+ t\\[[0-9]+\\]: info: "
	    "w[0-3] n[0-9]+ p{300} end$", REG_EXTENDED | REG_NOSUB), 0);
	s = slurp(log_path);
	for (line = strtok_r(s, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save), n++)
		ck_assert_msg(regexec(&re, line, 0, NULL, 0) == 0,
		    "torn or foreign line: \"%s\"", line);
	regfree(&re);
	ck_assert_uint_eq(n, NPROC * NLINES);
	free(s);
}
END_TEST

static Suite *
log_suite(void)
{
	Suite	*s = suite_create("log");
	TCase	*tc = tcase_create("log");

	/* Forked writers under ASan on a shared 2-core machine. */
	tcase_set_timeout(tc, 60);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, writes_one_line_in_the_documented_format);
	tcase_add_test(tc, a_forked_child_logs_its_own_pid);
	tcase_add_test(tc, names_every_level);
	tcase_add_test(tc, drops_events_below_the_level);
	tcase_add_test(tc, set_level_changes_the_filter);
	tcase_add_test(tc, appends_to_an_existing_file);
	tcase_add_test(tc, reopen_follows_log_rotation);
	tcase_add_test(tc, control_characters_cannot_forge_lines);
	tcase_add_test(tc, long_message_is_cut_to_one_line);
	tcase_add_test(tc, preserves_errno);
	tcase_add_test(tc, writes_to_stderr_without_a_file);
	tcase_add_test(tc, open_of_unwritable_path_fails);
	tcase_add_test(tc, parses_level_names);
	tcase_add_test(tc, rejects_unknown_level_names);
	tcase_add_test(tc, concurrent_processes_write_whole_lines);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(log_suite());
	int	 nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
