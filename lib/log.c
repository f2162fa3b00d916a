/* log.c: one line per event; one write(2) per line keeps workers' lines whole. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/*
 * Longer messages are cut.  The bound keeps a line within Linux's PIPE_BUF
 * (4096), so even when stderr is a pipe to the web server a line arrives
 * whole, and lets the line live on the stack.
 */
#define LOG_LINE_MAX	2048

static const char *const log_names[] = { "error", "warn", "info", "debug" };

/*
 * One per process.  Workers inherit it across fork(); O_APPEND makes their
 * writes to the shared file land at its end, each line intact.
 */
static struct {
	char	 prog[64];
	char	*path;		/* NULL: stderr */
	int	 fd;		/* -1: stderr */
	int	 level;
} log_st = { "hark", NULL, -1, HARK_LOG_INFO };

static int
log_clamp(int level)
{
	if (level < HARK_LOG_ERR)
		return HARK_LOG_ERR;
	if (level > HARK_LOG_DEBUG)
		return HARK_LOG_DEBUG;
	return level;
}

static int
log_open_file(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY,
	    0640);
}

static void
log_drop_file(void)
{
	if (log_st.fd != -1)
		close(log_st.fd);
	log_st.fd = -1;
	free(log_st.path);
	log_st.path = NULL;
}

/*
 * On failure the previous file (if any) is closed and logging goes to
 * stderr, where the caller can report the failure; errno says why.
 */
int
hark_log_open(const char *progname, const char *file, int level)
{
	char	*path;
	int	 fd, saved;

	if (progname != NULL)
		snprintf(log_st.prog, sizeof(log_st.prog), "%s", progname);
	hark_log_set_level(level);
	log_drop_file();
	if (file == NULL || file[0] == '\0')
		return 0;
	if ((path = strdup(file)) == NULL)
		return -1;
	if ((fd = log_open_file(path)) == -1) {
		saved = errno;
		free(path);
		errno = saved;
		return -1;
	}
	log_st.path = path;
	log_st.fd = fd;
	return 0;
}

/*
 * Not for a signal handler: the handler sets a flag and the main loop calls
 * this.  When the new file will not open, the old descriptor is kept (lines
 * keep going to the rotated file rather than nowhere) and that is logged.
 */
void
hark_log_reopen(void)
{
	int	 fd, saved;

	if (log_st.path == NULL)
		return;
	if ((fd = log_open_file(log_st.path)) == -1) {
		saved = errno;
		hark_log(HARK_LOG_ERR, "cannot reopen log file %s: %s",
		    log_st.path, strerror(saved));
		errno = saved;
		return;
	}
	close(log_st.fd);
	log_st.fd = fd;
}

void
hark_log_close(void)
{
	log_drop_file();
}

void
hark_log_set_level(int level)
{
	log_st.level = log_clamp(level);
}

int
hark_log_level_from_name(const char *name)
{
	int	 i;

	if (name == NULL)
		return -1;
	for (i = HARK_LOG_ERR; i <= HARK_LOG_DEBUG; i++)
		if (strcasecmp(name, log_names[i]) == 0)
			return i;
	return -1;
}

/* Control characters could forge extra log lines; show them as '?'. */
static void
log_sanitize(char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			s[i] = '?';
}

static void
log_write(const char *p, size_t n)
{
	ssize_t	 w;
	int	 fd = log_st.fd != -1 ? log_st.fd : STDERR_FILENO;

	while (n > 0) {
		w = write(fd, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/*
 * The pid in every line, asked once per process: getpid(2) was one of the
 * two system calls of each access-log line (tests/bench/ingest PROFILE).
 * A fork clears it (pthread_atfork), so a worker names itself, not the
 * master it was forked from.
 */
static long	log_pid;

static void
log_forked(void)
{
	log_pid = 0;
}

static long
log_getpid(void)
{
	static int	 registered;

	if (!registered) {
		/* Without the handler the pid is asked every time. */
		registered = pthread_atfork(NULL, NULL, log_forked) == 0 ? 1 : -1;
	}
	if (registered < 0)
		return (long)getpid();
	if (log_pid == 0)
		log_pid = (long)getpid();
	return log_pid;
}

/* "2026-11-23T10:00:00Z prog[pid]: level: "; returns its length. */
static size_t
log_head(char *buf, size_t sz, int level)
{
	struct tm	 tm;
	time_t		 now = time(NULL);
	size_t		 n = 0;
	int		 rc;

	if (gmtime_r(&now, &tm) != NULL)
		n = strftime(buf, sz, "%Y-%m-%dT%H:%M:%SZ", &tm);
	rc = snprintf(buf + n, sz - n, " %s[%ld]: %s: ", log_st.prog,
	    log_getpid(), log_names[level]);
	if (rc < 0)
		return n;
	return n + (size_t)rc < sz ? n + (size_t)rc : sz - 1;
}

/* errno is preserved, so callers may log and then still inspect it. */
void
hark_log(int level, const char *fmt, ...)
{
	char	 line[LOG_LINE_MAX];
	va_list	 ap;
	size_t	 head, len, room;
	int	 saved = errno, rc;

	if (level > log_st.level)
		return;
	level = log_clamp(level);
	head = log_head(line, sizeof(line), level);
	/* Keep one byte for the newline. */
	room = sizeof(line) - 1 - head;
	errno = saved;		/* for %m */
	va_start(ap, fmt);
	rc = vsnprintf(line + head, room, fmt, ap);
	va_end(ap);
	if (rc < 0)
		rc = 0;
	len = head + ((size_t)rc < room ? (size_t)rc : room - 1);
	if ((size_t)rc >= room && room > 4)
		memcpy(line + len - 3, "...", 3);
	log_sanitize(line + head, len - head);
	line[len++] = '\n';
	log_write(line, len);
	errno = saved;
}
