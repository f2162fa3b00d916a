/*
 * store.c: what every lib/store*.c file shares: the handle behind the
 * store's names, the result mapping, the row helpers, the bounded SQL
 * builder and the DATETIME(6) conversions.  The statements themselves live
 * with their tables: store_projects.c (projects, keys, sources, origins,
 * audit), store_feedback.c, store_schema.c (schema_migrations).
 *
 * Rows come back from lib/db as text; the store turns them into typed structs
 * so nobody else parses a column.  Writes that create rows use ids made by
 * hark before the INSERT: a transaction retried after a lost connection that
 * meets its own row has succeeded (see DESIGN.md, Galera).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "store.h"
#include "store_int.h"

/*
 * Maps an ENUM column value to the static string of the same name; fallback
 * (the column's schema default) if the value is unknown or NULL.
 */
const char *
store_intern(const char *s, const char *const *list, const char *fallback)
{
	for (; s != NULL && *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return *list;
	return fallback;
}

void
store_copy_col(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src != NULL ? src : "");
}

char *
store_dup_col(const struct hark_db_row *row, unsigned i, size_t *len)
{
	char	*p;

	*len = 0;
	if (row->vals[i] == NULL)
		return NULL;
	if ((p = malloc(row->lens[i] + 1)) == NULL)
		return NULL;
	memcpy(p, row->vals[i], row->lens[i]);
	p[row->lens[i]] = '\0';
	*len = row->lens[i];
	return p;
}

struct hark_db_val
store_opt_str(const char *s, size_t len)
{
	return s != NULL ? HARK_DB_STR(s, len) : HARK_DB_NULLV;
}

/* Formats a DATETIME(6) literal; years past 9999 are clamped (never met). */
static void
format_ts(const struct tm *tm, long usec, char out[HARK_STORE_TS_SIZE])
{
	char	 tmp[64];

	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d %02d:%02d:%02d.%06ld",
	    tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday, tm->tm_hour,
	    tm->tm_min, tm->tm_sec, usec);
	memcpy(out, tmp, HARK_STORE_TS_SIZE - 1);
	out[HARK_STORE_TS_SIZE - 1] = '\0';
}

void
hark_store_now(char out[HARK_STORE_TS_SIZE])
{
	struct timespec	 ts;
	struct tm	 tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	format_ts(&tm, ts.tv_nsec / 1000, out);
}

void
hark_store_ts_rfc3339(const char *ts, char *out, size_t outlen)
{
	/* "YYYY-MM-DD HH:MM:SS" is the first 19 bytes of a DATETIME(6). */
	snprintf(out, outlen, "%.10sT%.8sZ", ts, ts + (strlen(ts) > 11 ? 11 : 0));
}

static int
digits(const char *s, int n, int *out)
{
	int	 v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int
hark_store_ts_from_rfc3339(const char *s, char out[HARK_STORE_TS_SIZE])
{
	struct tm	 tm;
	const char	*p;
	long		 usec = 0, scale = 100000;
	int		 y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	time_t		 t;

	if (strlen(s) < 20 || digits(s, 4, &y) || s[4] != '-' ||
	    digits(s + 5, 2, &mo) || s[7] != '-' || digits(s + 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) ||
	    s[16] != ':' || digits(s + 17, 2, &sec))
		return -1;
	p = s + 19;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			usec += (*p - '0') * scale;
			scale /= 10;
		}
		if (p == s + 20)
			return -1;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om))
			return -1;
		p += 6;
	} else
		return -1;
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60 || oh > 23 || om > 59 || y < 1970)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec > 59 ? 59 : sec;
	t = timegm(&tm) - sign * (oh * 3600 + om * 60);
	if (gmtime_r(&t, &tm) == NULL)
		return -1;
	if (tm.tm_year + 1900 > 9999)
		return -1;
	format_ts(&tm, usec, out);
	return 0;
}

int
store_found_row(void *ctx, const struct hark_db_row *row)
{
	*(int *)ctx = 1;
	return 0;
}

/*
 * A write that must find its row.  Zero rows after a reconnect may mean the
 * lost attempt did the work: with the row gone (or changed) either way, that
 * is success, not "not found".
 */
int
store_exec_found(struct hark_db *db, const char *sql, const struct hark_db_val *a,
    size_t n)
{
	unsigned long long	 affected = 0;
	unsigned long		 gen = hark_db_generation(db);
	int			 rc;

	if ((rc = store_exec(db, sql, a, n, &affected)) != HARK_DB_OK)
		return rc;
	if (affected == 0 && hark_db_generation(db) != gen && gen != 0)
		return HARK_DB_OK;
	return affected > 0 ? HARK_DB_OK : HARK_STORE_NOTFOUND;
}

/* The db layer's own RETRY is, to the store's callers, a database that could
 * not take the statement now; every other value is shared (see db.h). */
int
store_rc(int rc)
{
	return rc == HARK_DB_RETRY ? HARK_STORE_UNAVAILABLE : rc;
}

int
store_query(struct hark_db *db, const char *sql, const struct hark_db_val *a,
    size_t n, hark_db_row_fn fn, void *ctx)
{
	return store_rc(hark_db_query(db, sql, a, n, fn, ctx));
}

int
store_exec(struct hark_db *db, const char *sql, const struct hark_db_val *a,
    size_t n, unsigned long long *affected)
{
	return store_rc(hark_db_exec(db, sql, a, n, affected));
}

/* ---- the handle: lib/db's, behind the store's names ---- */

int
hark_store_library_init(void)
{
	return hark_db_library_init();
}

void
hark_store_library_end(void)
{
	hark_db_library_end();
}

struct hark_db *
hark_store_open(const struct hark_conf *conf)
{
	return hark_db_new(conf);
}

void
hark_store_close(struct hark_db *db)
{
	hark_db_free(db);
}

void
hark_store_disconnect(struct hark_db *db)
{
	hark_db_disconnect(db);
}

int
hark_store_connect(struct hark_db *db)
{
	return store_rc(hark_db_connect(db));
}

int
hark_store_ping(struct hark_db *db)
{
	return store_rc(hark_db_ping(db));
}

unsigned long
hark_store_generation(const struct hark_db *db)
{
	return hark_db_generation(db);
}

const char *
hark_store_errmsg(const struct hark_db *db)
{
	return hark_db_errmsg(db);
}

unsigned int
hark_store_errno(const struct hark_db *db)
{
	return hark_db_errno(db);
}

/* ---- the SQL builder ---- */

void
store_sql_init(struct store_sql *b)
{
	b->text[0] = '\0';
	b->len = 0;
	b->nargs = 0;
	b->overflow = 0;
}

int
store_sql_add(struct store_sql *b, const char *fragment)
{
	size_t	 n = strlen(fragment);

	if (b->overflow || n >= sizeof(b->text) - b->len) {
		b->overflow = 1;
		return -1;
	}
	memcpy(b->text + b->len, fragment, n + 1);
	b->len += n;
	return 0;
}

int
store_sql_arg(struct store_sql *b, struct hark_db_val v)
{
	if (b->overflow || b->nargs >= STORE_SQL_MAXARGS) {
		b->overflow = 1;
		return -1;
	}
	b->args[b->nargs++] = v;
	return 0;
}

int
store_sql_filter(struct store_sql *b, const char *fragment,
    struct hark_db_val v)
{
	if (store_sql_add(b, fragment) == -1)
		return -1;
	return store_sql_arg(b, v);
}

int
store_sql_query(struct hark_db *db, const struct store_sql *b,
    hark_db_row_fn fn, void *ctx)
{
	if (b->overflow)
		return HARK_STORE_ERROR;
	return store_query(db, b->text, b->args, b->nargs, fn, ctx);
}

