/*
 * log.h: one line per event, to stderr (which the web server collects) or a file.
 *
 * Callers never pass secrets, keys or feedback text: log what happened and to
 * which id, not what the user wrote.
 */
#ifndef HARK_LOG_H
#define HARK_LOG_H

enum hark_log_level {
	HARK_LOG_ERR = 0,
	HARK_LOG_WARN,
	HARK_LOG_INFO,
	HARK_LOG_DEBUG
};

/* file NULL or "" logs to stderr.  Returns 0, or -1 when the file won't open. */
int	hark_log_open(const char *progname, const char *file, int level);
/* Reopens the file after log rotation; a no-op on stderr. */
void	hark_log_reopen(void);
void	hark_log_close(void);
void	hark_log_set_level(int level);
void	hark_log(int level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Parses "error", "warn", "info", "debug"; -1 when unknown. */
int	hark_log_level_from_name(const char *name);

#endif
