/*
 * store.c: hark's SQL, all of it prepared statements with bound parameters.
 *
 * Rows come back from lib/db as text; this file turns them into typed structs
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

static const char *const categories[] = { "bug", "feature_request",
    "improvement", "question", "praise", "other", NULL };
static const char *const sentiments[] = { "positive", "neutral", "negative",
    NULL };
static const char *const statuses[] = { "new", "triaged", "in_progress",
    "done", "canceled", NULL };
static const char *const channels[] = { "api", "widget", "voice", NULL };

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
	return hark_db_query(db, b->text, b->args, b->nargs, fn, ctx);
}

/* ---- projects ---- */

int
hark_store_project_create(struct hark_db *db, const char *id, const char *name)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(id), HARK_DB_CSTR(name) };

	return hark_db_exec(db, "INSERT INTO projects (id, name) VALUES (?, ?)",
	    a, NARGS(a), NULL);
}

int
store_found_row(void *ctx, const struct hark_db_row *row)
{
	*(int *)ctx = 1;
	return 0;
}

int
hark_store_project_exists(struct hark_db *db, const char *id)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(id) };
	int			 found = 0, rc;

	rc = hark_db_query(db, "SELECT 1 FROM projects WHERE id = ?", a,
	    NARGS(a), store_found_row, &found);
	if (rc != HARK_DB_OK)
		return rc;
	return found ? HARK_DB_OK : HARK_STORE_NOTFOUND;
}

struct project_ctx {
	hark_project_fn	 fn;
	void		*ctx;
};

static int
project_row(void *ctx, const struct hark_db_row *row)
{
	struct project_ctx	*pc = ctx;

	return pc->fn(pc->ctx, row->vals[0], row->vals[1], row->vals[2],
	    row->vals[3] ? atoll(row->vals[3]) : 0);
}

int
hark_store_project_list(struct hark_db *db, hark_project_fn fn, void *ctx)
{
	struct project_ctx	 pc = { fn, ctx };

	return hark_db_query(db,
	    "SELECT p.id, p.name, p.created_at, "
	    "(SELECT COUNT(*) FROM api_keys k WHERE k.project_id = p.id "
	    "AND k.revoked_at IS NULL) FROM projects p "
	    "ORDER BY p.created_at, p.id", NULL, 0, project_row, &pc);
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

	if ((rc = hark_db_exec(db, sql, a, n, &affected)) != HARK_DB_OK)
		return rc;
	if (affected == 0 && hark_db_generation(db) != gen && gen != 0)
		return HARK_DB_OK;
	return affected > 0 ? HARK_DB_OK : HARK_STORE_NOTFOUND;
}

int
hark_store_project_set_rate_limit(struct hark_db *db, const char *id,
    unsigned limit)
{
	struct hark_db_val	 a[] = {
		limit ? HARK_DB_INT(limit) : HARK_DB_NULLV, HARK_DB_CSTR(id) };
	int			 rc;

	/* affected is 0 when the value does not change: check existence. */
	if ((rc = hark_store_project_exists(db, id)) != HARK_DB_OK)
		return rc;
	return hark_db_exec(db, "UPDATE projects SET rate_limit = ? WHERE id = ?",
	    a, NARGS(a), NULL);
}

int
hark_store_origin_add(struct hark_db *db, const char *project_id,
    const char *pattern)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(project_id),
				    HARK_DB_CSTR(pattern) };

	int			 rc;

	/* No row inserted is a pattern already there. */
	rc = store_exec_found(db, "INSERT IGNORE INTO project_origins "
	    "(project_id, pattern) VALUES (?, ?)", a, NARGS(a));
	return rc == HARK_STORE_NOT_FOUND ? HARK_STORE_DUPLICATE : rc;
}

int
hark_store_origin_remove(struct hark_db *db, const char *project_id,
    const char *pattern)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(project_id),
				    HARK_DB_CSTR(pattern) };

	return store_exec_found(db, "DELETE FROM project_origins WHERE project_id = ? "
	    "AND pattern = ?", a, NARGS(a));
}

struct origin_ctx {
	hark_origin_fn	 fn;
	void		*ctx;
};

static int
origin_row(void *ctx, const struct hark_db_row *row)
{
	struct origin_ctx	*oc = ctx;

	return oc->fn(oc->ctx, row->vals[0]);
}

int
hark_store_origin_list(struct hark_db *db, const char *project_id,
    hark_origin_fn fn, void *ctx)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(project_id) };
	struct origin_ctx	 oc = { fn, ctx };

	return hark_db_query(db, "SELECT pattern FROM project_origins "
	    "WHERE project_id = ? ORDER BY pattern", a, NARGS(a), origin_row, &oc);
}

/* ---- keys ---- */

int
hark_store_key_create(struct hark_db *db, const char *id,
    const char *project_id, const char *name, const char *prefix,
    const unsigned char hash[HARK_KEY_HASH_LEN])
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(id), HARK_DB_CSTR(project_id),
				    HARK_DB_CSTR(name), HARK_DB_CSTR(prefix),
				    HARK_DB_STR((const char *)hash, HARK_KEY_HASH_LEN) };

	return hark_db_exec(db, "INSERT INTO api_keys "
	    "(id, project_id, name, prefix, key_hash) VALUES (?, ?, ?, ?, ?)",
	    a, NARGS(a), NULL);
}

static int
key_row(void *ctx, const struct hark_db_row *row)
{
	struct hark_key_info	*k = ctx;

	store_copy_col(k->id, sizeof(k->id), row->vals[0]);
	store_copy_col(k->project_id, sizeof(k->project_id), row->vals[1]);
	if (row->vals[2] != NULL && row->lens[2] == HARK_KEY_HASH_LEN)
		memcpy(k->hash, row->vals[2], HARK_KEY_HASH_LEN);
	k->revoked = row->vals[3] != NULL;
	k->last_used = row->vals[4] ? atoll(row->vals[4]) : 0;
	k->key_limit = row->vals[5] ? (unsigned)atol(row->vals[5]) : 0;
	k->project_limit = row->vals[6] ? (unsigned)atol(row->vals[6]) : 0;
	return 1;
}

int
hark_store_key_lookup(struct hark_db *db,
    const unsigned char hash[HARK_KEY_HASH_LEN], struct hark_key_info *out)
{
	struct hark_db_val	 a[] = {
		HARK_DB_STR((const char *)hash, HARK_KEY_HASH_LEN) };
	int			 rc;

	memset(out, 0, sizeof(*out));
	rc = hark_db_query(db,
	    "SELECT k.id, k.project_id, k.key_hash, k.revoked_at, "
	    "UNIX_TIMESTAMP(k.last_used_at), COALESCE(k.rate_limit, p.rate_limit), "
	    "p.rate_limit "
	    "FROM api_keys k JOIN projects p ON p.id = k.project_id "
	    "WHERE k.key_hash = ?", a, NARGS(a), key_row, out);
	if (rc == 1)
		return HARK_DB_OK;
	return rc == HARK_DB_OK ? HARK_STORE_NOTFOUND : rc;
}

int
hark_store_key_touch(struct hark_db *db, const char *key_id)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(key_id) };

	/* NOTFOUND when another worker stamped it first. */
	return store_exec_found(db, "UPDATE api_keys SET last_used_at = UTC_TIMESTAMP(6) "
	    "WHERE id = ? AND (last_used_at IS NULL OR "
	    "last_used_at < UTC_TIMESTAMP(6) - INTERVAL 1 MINUTE)",
	    a, NARGS(a));
}

int
hark_store_key_revoke(struct hark_db *db, const char *key_id)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(key_id) };

	return store_exec_found(db, "UPDATE api_keys SET revoked_at = UTC_TIMESTAMP(6) "
	    "WHERE id = ? AND revoked_at IS NULL", a, NARGS(a));
}

struct keylist_ctx {
	hark_key_fn	 fn;
	void		*ctx;
};

static int
keylist_row(void *ctx, const struct hark_db_row *row)
{
	struct keylist_ctx	*kc = ctx;

	return kc->fn(kc->ctx, row->vals[0], row->vals[1], row->vals[2],
	    row->vals[3], row->vals[4], row->vals[5]);
}

int
hark_store_key_list(struct hark_db *db, const char *project_id,
    hark_key_fn fn, void *ctx)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(project_id) };
	struct keylist_ctx	 kc = { fn, ctx };

	return hark_db_query(db, "SELECT id, name, prefix, created_at, "
	    "last_used_at, revoked_at FROM api_keys WHERE project_id = ? "
	    "ORDER BY created_at, id", a, NARGS(a), keylist_row, &kc);
}

/* ---- sources ---- */

int
hark_store_source_create(struct hark_db *db, const char *id,
    const char *project_id, const char *public_key, const char *name,
    bool require_captcha)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(id), HARK_DB_CSTR(project_id),
				    HARK_DB_CSTR(public_key), HARK_DB_CSTR(name),
				    HARK_DB_INT(require_captcha) };

	return hark_db_exec(db, "INSERT INTO sources (id, project_id, "
	    "public_key, name, require_captcha) VALUES (?, ?, ?, ?, ?)",
	    a, NARGS(a), NULL);
}

struct source_ctx {
	hark_source_fn	 fn;
	void		*ctx;
};

static int
source_row(void *ctx, const struct hark_db_row *row)
{
	struct source_ctx	*sc = ctx;

	return sc->fn(sc->ctx, row->vals[0], row->vals[1], row->vals[2],
	    row->vals[3], row->vals[4] != NULL && row->vals[4][0] == '1');
}

int
hark_store_source_list(struct hark_db *db, const char *project_id,
    hark_source_fn fn, void *ctx)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(project_id) };
	struct source_ctx	 sc = { fn, ctx };

	return hark_db_query(db, "SELECT id, public_key, name, created_at, "
	    "require_captcha FROM sources WHERE project_id = ? "
	    "ORDER BY created_at, id", a, NARGS(a), source_row, &sc);
}

int
hark_store_audit(struct hark_db *db, const char *project_id,
    const char *key_id, const char *action, const char *remote_addr,
    const char *detail)
{
	struct hark_db_val	 a[] = {
		project_id ? HARK_DB_CSTR(project_id) : HARK_DB_NULLV,
		key_id ? HARK_DB_CSTR(key_id) : HARK_DB_NULLV,
		HARK_DB_CSTR(action),
		remote_addr ? HARK_DB_STR(remote_addr, strnlen(remote_addr, 45)) :
		    HARK_DB_NULLV,
		detail ? HARK_DB_STR(detail, strnlen(detail, 1024)) : HARK_DB_NULLV
	};

	return hark_db_exec(db, "INSERT INTO audit_log (project_id, key_id, "
	    "action, remote_addr, detail, created_at) "
	    "VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(6))", a, NARGS(a), NULL);
}

/* ---- feedback ---- */

void
hark_feedback_clear(struct hark_feedback *fb)
{
	free(fb->text);
	free(fb->page);
	free(fb->user_email);
	free(fb->metadata);
	memset(fb, 0, sizeof(*fb));
}

/*
 * One row, one statement: an autocommit INSERT is the durable commit, with no
 * BEGIN/COMMIT round trips (ingest is bounded by commits; see the bench).
 */
int
hark_store_feedback_insert(struct hark_db *db, const struct hark_feedback *fb)
{
	char				 score[16];	/* DECIMAL(4,3) as text */
	struct hark_db_val		 a[] = {
		HARK_DB_CSTR(fb->id), HARK_DB_CSTR(fb->project_id),
		HARK_DB_CSTR(fb->channel),
		HARK_DB_STR(fb->text, fb->text_len),
		store_opt_str(fb->page, fb->page_len),
		store_opt_str(fb->user_email, fb->user_email_len),
		store_opt_str(fb->metadata, fb->metadata_len),
		HARK_DB_CSTR(fb->category), HARK_DB_CSTR(fb->sentiment),
		HARK_DB_STR(score, 0), HARK_DB_INT(fb->impact),
		HARK_DB_CSTR(fb->status), HARK_DB_CSTR(fb->created_at)
	};
	struct hark_db_val		 idv[] = { HARK_DB_CSTR(fb->id) };
	int				 rc, found = 0;

	/* a[9] points at score, filled only now. */
	a[9].len = (size_t)snprintf(score, sizeof(score), "%.3f",
	    fb->sentiment_score);
	rc = hark_db_exec(db, "INSERT INTO feedback (id, project_id, channel, "
	    "text, page, user_email, metadata, category, sentiment, "
	    "sentiment_score, impact_score, triaged_by, status, created_at, "
	    "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'builtin', ?, "
	    "?, UTC_TIMESTAMP(6))", a, NARGS(a), NULL);
	if (rc != HARK_DB_DUPLICATE)
		return rc;
	/* Our own row, committed before the connection dropped. */
	rc = hark_db_query(db, "SELECT 1 FROM feedback WHERE id = ?", idv,
	    NARGS(idv), store_found_row, &found);
	if (rc != HARK_DB_OK)
		return rc;
	return found ? HARK_DB_OK : HARK_DB_DUPLICATE;
}

#define FEEDBACK_COLUMNS \
	"SELECT id, project_id, text, page, user_email, metadata, channel, " \
	"category, sentiment, sentiment_score, impact_score, status, " \
	"priority, created_at FROM feedback "

/* Fills fb from a FEEDBACK_COLUMNS row; -1 when memory runs out. */
static int
feedback_from_row(const struct hark_db_row *row, struct hark_feedback *fb)
{
	memset(fb, 0, sizeof(*fb));
	store_copy_col(fb->id, sizeof(fb->id), row->vals[0]);
	store_copy_col(fb->project_id, sizeof(fb->project_id), row->vals[1]);
	if ((fb->text = store_dup_col(row, 2, &fb->text_len)) == NULL)
		return -1;
	fb->page = store_dup_col(row, 3, &fb->page_len);
	fb->user_email = store_dup_col(row, 4, &fb->user_email_len);
	fb->metadata = store_dup_col(row, 5, &fb->metadata_len);
	fb->channel = store_intern(row->vals[6], channels, "api");
	fb->category = store_intern(row->vals[7], categories, "other");
	fb->sentiment = store_intern(row->vals[8], sentiments, "neutral");
	fb->sentiment_score = row->vals[9] ? atof(row->vals[9]) : 0.0;
	fb->impact = row->vals[10] ? atoi(row->vals[10]) : 0;
	fb->status = store_intern(row->vals[11], statuses, "new");
	fb->priority = row->vals[12] ? atoi(row->vals[12]) : -1;
	store_copy_col(fb->created_at, sizeof(fb->created_at), row->vals[13]);
	return 0;
}

static int
get_row(void *ctx, const struct hark_db_row *row)
{
	return feedback_from_row(row, ctx) == -1 ? HARK_DB_ERROR : 1;
}

int
hark_store_feedback_get(struct hark_db *db, const char *project_id,
    const char *id, struct hark_feedback *out)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(project_id), HARK_DB_CSTR(id) };
	int			 rc;

	memset(out, 0, sizeof(*out));
	rc = hark_db_query(db, FEEDBACK_COLUMNS
	    "WHERE project_id = ? AND id = ?", a, NARGS(a), get_row, out);
	if (rc == 1)
		return HARK_DB_OK;
	hark_feedback_clear(out);
	return rc == HARK_DB_OK ? HARK_STORE_NOTFOUND : rc;
}

struct list_ctx {
	hark_feedback_fn	 fn;
	void			*ctx;
};

static int
list_row(void *ctx, const struct hark_db_row *row)
{
	struct list_ctx		*lc = ctx;
	struct hark_feedback	 fb;
	int			 rc;

	if (feedback_from_row(row, &fb) == -1) {
		hark_feedback_clear(&fb);
		return HARK_DB_ERROR;
	}
	rc = lc->fn(lc->ctx, &fb);
	hark_feedback_clear(&fb);
	return rc;
}

/* LIKE treats % _ and \ specially: escape them so q is a plain substring. */
static char *
like_pattern(const char *q, size_t len, size_t *outlen)
{
	char	*p, *o;
	size_t	 i;

	if ((p = malloc(len * 2 + 3)) == NULL)
		return NULL;
	o = p;
	*o++ = '%';
	for (i = 0; i < len; i++) {
		if (q[i] == '%' || q[i] == '_' || q[i] == '\\')
			*o++ = '\\';
		*o++ = q[i];
	}
	*o++ = '%';
	*o = '\0';
	*outlen = (size_t)(o - p);
	return p;
}

static int
word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

int
store_search_phrase(const char *q, size_t qlen, char *out, size_t outsize,
    size_t *outlen)
{
	size_t	 i, run = 0, chars = 0, o = 0;
	int	 served = 0;
	unsigned char c;

	if (outsize < qlen + 4)
		return -1;
	out[o++] = '+';
	out[o++] = '"';
	for (i = 0; i < qlen; i++) {
		c = (unsigned char)q[i];
		/* ASCII letters, digits, '_' are word bytes for InnoDB too. */
		run = word_byte(c) ? run + 1 : 0;
		if (run >= STORE_FT_MIN_WORD)
			served = 1;
		/* Characters of a word as InnoDB may see it (non-ASCII
		 * counted as letters: too long only errs towards the window). */
		if (word_byte(c) || c >= 0x80) {
			if ((c & 0xc0) != 0x80)
				chars++;
		} else
			chars = 0;
		if (chars > STORE_FT_MAX_WORD)
			return 0;
		out[o++] = c == '"' || c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	out[o++] = '"';
	out[o] = '\0';
	*outlen = o;
	return served;
}

/* The filters every listing shares, after "WHERE project_id = ?". */
static void
list_filters(struct store_sql *b, const char *project_id,
    const struct hark_feedback_filter *f)
{
	store_sql_arg(b, HARK_DB_CSTR(project_id));
	if (f->status != NULL)
		store_sql_filter(b, " AND status = ?", HARK_DB_CSTR(f->status));
	if (f->category != NULL)
		store_sql_filter(b, " AND category = ?",
		    HARK_DB_CSTR(f->category));
	if (f->since != NULL)
		store_sql_filter(b, " AND created_at >= ?",
		    HARK_DB_CSTR(f->since));
	if (f->until != NULL)
		store_sql_filter(b, " AND created_at < ?",
		    HARK_DB_CSTR(f->until));
	if (f->cursor_ts != NULL && f->cursor_id != NULL) {
		store_sql_filter(b, " AND (created_at < ? OR (created_at = ? "
		    "AND id < ?))", HARK_DB_CSTR(f->cursor_ts));
		store_sql_arg(b, HARK_DB_CSTR(f->cursor_ts));
		store_sql_arg(b, HARK_DB_CSTR(f->cursor_id));
	}
}

#define LIST_ORDER	" ORDER BY created_at DESC, id DESC"

/* The row STORE_SEARCH_WINDOW rows down the listing: where the window ends. */
struct edge {
	char	 ts[HARK_STORE_TS_SIZE];
	char	 id[HARK_ID_SIZE];
	int	 found;
};

static int
edge_row(void *ctx, const struct hark_db_row *row)
{
	struct edge	*e = ctx;

	store_copy_col(e->ts, sizeof(e->ts), row->vals[0]);
	store_copy_col(e->id, sizeof(e->id), row->vals[1]);
	e->found = 1;
	return 0;
}

struct search_ctx {
	hark_feedback_fn	 fn;
	void			*ctx;
	unsigned		 n;	/* rows handed on */
};

static int
search_row(void *ctx, const struct hark_db_row *row)
{
	struct search_ctx	*sc = ctx;
	struct list_ctx		 lc = { sc->fn, sc->ctx };

	sc->n++;
	return list_row(&lc, row);
}

/*
 * q in two bounded steps, newest first:
 *  1. the newest STORE_SEARCH_WINDOW rows that pass the other filters,
 *     tested with LIKE (an index range of at most that many rows): a common
 *     word fills the page here;
 *  2. when the page is not full and older rows exist, the FULLTEXT index of
 *     schema/002_search.sql for the rows past the window: q's words as a
 *     phrase, then q as written (LIKE) among the rows it finds; a rare word
 *     costs its few rows.  A q with no word the index holds stops at 1.
 * Every statement is bounded by [database] statement_timeout besides.
 */
static int
feedback_search(struct hark_db *db, const char *project_id,
    const struct hark_feedback_filter *f, hark_feedback_fn fn, void *ctx)
{
	struct store_sql	 b;
	struct edge		 e = { "", "", 0 };
	struct search_ctx	 sc = { fn, ctx, 0 };
	char			*like = NULL, *phrase = NULL;
	size_t			 likelen = 0, phraselen = 0;
	int			 rc, served;

	if ((like = like_pattern(f->q, f->q_len, &likelen)) == NULL ||
	    (phrase = malloc(f->q_len + 4)) == NULL) {
		rc = HARK_STORE_NOMEM;
		goto out;
	}
	served = store_search_phrase(f->q, f->q_len, phrase, f->q_len + 4,
	    &phraselen) == 1;

	store_sql_init(&b);
	store_sql_add(&b, "SELECT created_at, id FROM feedback "
	    "WHERE project_id = ?");
	list_filters(&b, project_id, f);
	store_sql_filter(&b, LIST_ORDER " LIMIT 1 OFFSET ?",
	    HARK_DB_INT(STORE_SEARCH_WINDOW - 1));
	if ((rc = store_sql_query(db, &b, edge_row, &e)) != HARK_DB_OK)
		goto out;

	store_sql_init(&b);
	store_sql_add(&b, FEEDBACK_COLUMNS "WHERE project_id = ?");
	list_filters(&b, project_id, f);
	if (e.found) {
		store_sql_filter(&b, " AND (created_at > ? OR (created_at = ? "
		    "AND id >= ?))", HARK_DB_CSTR(e.ts));
		store_sql_arg(&b, HARK_DB_CSTR(e.ts));
		store_sql_arg(&b, HARK_DB_CSTR(e.id));
	}
	store_sql_filter(&b, " AND text LIKE ?", HARK_DB_STR(like, likelen));
	store_sql_filter(&b, LIST_ORDER " LIMIT ?", HARK_DB_INT(f->limit));
	rc = store_sql_query(db, &b, search_row, &sc);
	if (rc != HARK_DB_OK || !e.found || !served || sc.n >= f->limit)
		goto out;

	store_sql_init(&b);
	store_sql_add(&b, FEEDBACK_COLUMNS "WHERE project_id = ?");
	list_filters(&b, project_id, f);
	store_sql_filter(&b, " AND (created_at < ? OR (created_at = ? "
	    "AND id < ?))", HARK_DB_CSTR(e.ts));
	store_sql_arg(&b, HARK_DB_CSTR(e.ts));
	store_sql_arg(&b, HARK_DB_CSTR(e.id));
	store_sql_filter(&b, " AND MATCH (text) AGAINST (? IN BOOLEAN MODE)",
	    HARK_DB_STR(phrase, phraselen));
	store_sql_filter(&b, " AND text LIKE ?", HARK_DB_STR(like, likelen));
	store_sql_filter(&b, LIST_ORDER " LIMIT ?",
	    HARK_DB_INT(f->limit - sc.n));
	rc = store_sql_query(db, &b, search_row, &sc);
out:
	free(like);
	free(phrase);
	return rc;
}

/*
 * Each filter adds a fixed fragment, so the statement cache holds at most
 * one statement per combination.
 */
int
hark_store_feedback_list(struct hark_db *db, const char *project_id,
    const struct hark_feedback_filter *f, hark_feedback_fn fn, void *ctx)
{
	struct store_sql	 b;
	struct list_ctx		 lc = { fn, ctx };

	if (f->q != NULL)
		return feedback_search(db, project_id, f, fn, ctx);
	store_sql_init(&b);
	store_sql_add(&b, FEEDBACK_COLUMNS "WHERE project_id = ?");
	list_filters(&b, project_id, f);
	store_sql_filter(&b, LIST_ORDER " LIMIT ?", HARK_DB_INT(f->limit));
	return store_sql_query(db, &b, list_row, &lc);
}

int
hark_store_feedback_delete(struct hark_db *db, const char *project_id,
    const char *id)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(project_id), HARK_DB_CSTR(id) };

	/* comments, labels, media rows and jobs go with it (ON DELETE CASCADE). */
	return store_exec_found(db, "DELETE FROM feedback WHERE project_id = ? AND id = ?",
	    a, NARGS(a));
}
