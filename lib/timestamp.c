/*
 * timestamp.c: RFC 3339 parsing and formatting, and the DATETIME(6) literals
 * the store keeps.  One strict parser serves the JSON format check, the list
 * query and the store, so "2024-02-31" is refused the same way everywhere.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "timestamp.h"

/* The n decimal digits at s as a number, or -1. */
static int
digits(const char *s, size_t n)
{
	int	 v = 0;
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int
days_in_month(int y, int m)
{
	static const int	 days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31};

	if (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return 29;
	return days[m - 1];
}

/* "+hh:mm", "-hh:mm", "Z" or "z": all of the len bytes at s. */
static bool
is_offset(const char *s, size_t len)
{
	int	 h, m;

	if (len == 1)
		return s[0] == 'Z' || s[0] == 'z';
	if (len != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':')
		return false;
	h = digits(s + 1, 2);
	m = digits(s + 4, 2);
	return h >= 0 && h <= 23 && m >= 0 && m <= 59;
}

bool
hark_ts_valid_rfc3339(const char *s, size_t len)
{
	int	 y, mo, d, h, mi, sec;
	size_t	 i;

	/* 0123456789012345678 */
	/* YYYY-MM-DDTHH:MM:SS */
	if (len < 20 || s[4] != '-' || s[7] != '-' || s[13] != ':' ||
	    s[16] != ':' || (s[10] != 'T' && s[10] != 't'))
		return false;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	sec = digits(s + 17, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
	    h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60)
		return false;
	i = 19;
	if (s[i] == '.') {
		i++;
		if (i >= len || s[i] < '0' || s[i] > '9')
			return false;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	return i < len && is_offset(s + i, len - i);
}

/* Formats a DATETIME(6) literal; years past 9999 are clamped (never met). */
static void
format_db(const struct tm *tm, long usec, char out[HARK_TS_DB_SIZE])
{
	char	 tmp[64];

	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d %02d:%02d:%02d.%06ld",
	    tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday, tm->tm_hour,
	    tm->tm_min, tm->tm_sec, usec);
	memcpy(out, tmp, HARK_TS_DB_SIZE - 1);
	out[HARK_TS_DB_SIZE - 1] = '\0';
}

int
hark_ts_from_rfc3339(const char *s, char out[HARK_TS_DB_SIZE])
{
	struct tm	 tm;
	const char	*p;
	long		 usec = 0, scale = 100000;
	int		 sign = 0, oh = 0, om = 0, sec;
	time_t		 t;

	if (!hark_ts_valid_rfc3339(s, strlen(s)) || digits(s, 4) < 1970)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = digits(s, 4) - 1900;
	tm.tm_mon = digits(s + 5, 2) - 1;
	tm.tm_mday = digits(s + 8, 2);
	tm.tm_hour = digits(s + 11, 2);
	tm.tm_min = digits(s + 14, 2);
	sec = digits(s + 17, 2);
	tm.tm_sec = sec > 59 ? 59 : sec;
	p = s + 19;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++) {
			usec += (*p - '0') * scale;
			scale /= 10;
		}
	if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		oh = digits(p + 1, 2);
		om = digits(p + 4, 2);
	}
	t = timegm(&tm) - sign * (oh * 3600 + om * 60);
	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 < 1970 ||
	    tm.tm_year + 1900 > 9999)
		return -1;
	format_db(&tm, usec, out);
	return 0;
}

void
hark_ts_to_rfc3339(const char *db, char *out, size_t outlen)
{
	/* "YYYY-MM-DD HH:MM:SS" is the first 19 bytes of a DATETIME(6). */
	snprintf(out, outlen, "%.10sT%.8sZ", db, db + (strlen(db) > 11 ? 11 : 0));
}

void
hark_ts_to_rfc3339_ms(const char *db, char *out, size_t outlen)
{
	/* "YYYY-MM-DD HH:MM:SS.ffffff": the fraction's first three digits. */
	if (!hark_ts_valid_db(db)) {
		hark_ts_to_rfc3339(db, out, outlen);
		return;
	}
	snprintf(out, outlen, "%.10sT%.8s.%.3sZ", db, db + 11, db + 20);
}

bool
hark_ts_valid_db(const char *s)
{
	static const char	 shape[] = "dddd-dd-dd dd:dd:dd.dddddd";
	size_t			 i;

	for (i = 0; shape[i] != '\0'; i++)
		if (shape[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != shape[i])
			return false;
	return s[i] == '\0';
}

void
hark_ts_now(char out[HARK_TS_DB_SIZE])
{
	struct timespec	 ts;
	struct tm	 tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	format_db(&tm, ts.tv_nsec / 1000, out);
}

int
hark_ts_format_rfc3339(struct timespec ts, char *out, size_t outlen)
{
	struct tm	 tm;

	if (outlen > 0)
		out[0] = '\0';
	if (gmtime_r(&ts.tv_sec, &tm) == NULL)
		return -1;
	if (strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		if (outlen > 0)
			out[0] = '\0';
		return -1;
	}
	return 0;
}
