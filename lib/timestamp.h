/*
 * timestamp.h: hark's one time module.  RFC 3339 as the API speaks it, and
 * DATETIME(6) literals in UTC as the store keeps them ("2026-04-09
 * 10:30:00.123456").  Every other file converts through these.
 */
#ifndef HARK_TIMESTAMP_H
#define HARK_TIMESTAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define HARK_TS_DB_SIZE		27	/* "2026-04-09 10:30:00.123456" and NUL */
#define HARK_RFC3339_SIZE	21	/* "2026-04-09T10:30:00Z" and NUL */

/*
 * Whether the len bytes at s are an RFC 3339 date-time:
 * "2024-05-01T12:30:00Z", an optional fraction, "Z" or "+hh:mm", with real
 * calendar dates (leap years; second 60 allowed).  'T' and 'Z' in any case.
 */
bool	hark_ts_valid_rfc3339(const char *s, size_t len);

/*
 * An RFC 3339 date-time (as hark_ts_valid_rfc3339 accepts, NUL-terminated)
 * -> a DATETIME(6) literal in UTC, the offset applied, the fraction cut to
 * microseconds.  0, or -1 when s is not one, spells a year before 1970, or
 * falls outside 1970..9999 once in UTC (so that every literal made here
 * converts back from its own RFC 3339 form).
 */
int	hark_ts_from_rfc3339(const char *s, char out[HARK_TS_DB_SIZE]);

/* A DATETIME(6) literal -> "2026-04-09T10:30:00Z" (the fraction dropped). */
void	hark_ts_to_rfc3339(const char *db, char *out, size_t outlen);

/* The same with milliseconds, "2026-04-09T10:30:00.123Z" (the third seed's). */
void	hark_ts_to_rfc3339_ms(const char *db, char *out, size_t outlen);

/* Whether s is a DATETIME(6) literal in the shape hark writes. */
bool	hark_ts_valid_db(const char *s);

/* Now as a DATETIME(6) literal in UTC: what every created_at stores. */
void	hark_ts_now(char out[HARK_TS_DB_SIZE]);

/* "2026-04-09T10:30:00Z" (UTC, whole seconds).  0, or -1 if out is short. */
int	hark_ts_format_rfc3339(struct timespec, char *out, size_t outlen);

#endif
