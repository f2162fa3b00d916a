/*
 * db_check.c: drives lib/db against a real MariaDB for test_db.sh.
 *
 * `db_check CONFIG` reads check names from stdin, one a line, runs each on
 * one long-lived handle and answers "ok NAME" or "FAIL NAME: why" per line.
 * The script stops and restarts the server between lines, which is how
 * "down" and "up" see the same handle lose and regain its server.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "db.h"
#include "log.h"
#include "migrate.h"

static struct hark_conf	 conf;
static struct hark_db	*db;
static char		 why[1024];

/* Sets why and returns -1, for `return fail(...)` in checks. */
static int	fail(const char *, ...) __attribute__((format(printf, 1, 2)));

static int
fail(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return -1;
}

static const char *
rcname(int rc)
{
	switch (rc) {
	case HARK_DB_OK:		return "OK";
	case HARK_DB_UNAVAILABLE:	return "UNAVAILABLE";
	case HARK_DB_RETRY:		return "RETRY";
	case HARK_DB_DUPLICATE:		return "DUPLICATE";
	case HARK_DB_ERROR:		return "ERROR";
	case HARK_DB_TIMEOUT:		return "TIMEOUT";
	case HARK_DB_OUTCOME_UNKNOWN:	return "OUTCOME_UNKNOWN";
	default:			return "other";
	}
}

#define EXPECT_RC(call, want) do {					\
	int	 rc_ = (call);						\
	if (rc_ != (want))						\
		return fail("%s:%d: %s gave %s (%d), want %s: %s",	\
		    __func__, __LINE__, #call, rcname(rc_), rc_,	\
		    rcname(want), hark_db_errmsg(db));			\
} while (0)

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- collecting rows ------------------------------------------------- */

#define MAXROWS	8
#define MAXCOLS	4

struct rows {
	size_t	 n;
	char	*val[MAXROWS][MAXCOLS];		/* NULL for SQL NULL */
	size_t	 len[MAXROWS][MAXCOLS];
	int	 stop_after;			/* >0: return 7 after that many */
};

static int
collect(void *ctx, const struct hark_db_row *row)
{
	struct rows	*r = ctx;
	unsigned int	 i;

	if (r->n >= MAXROWS)
		return 0;
	for (i = 0; i < row->ncols && i < MAXCOLS; i++) {
		r->len[r->n][i] = row->lens[i];
		r->val[r->n][i] = NULL;
		if (row->vals[i] == NULL)
			continue;
		if (row->vals[i][row->lens[i]] != '\0')
			abort();	/* db.h promises NUL termination */
		r->val[r->n][i] = malloc(row->lens[i] + 1);
		memcpy(r->val[r->n][i], row->vals[i], row->lens[i] + 1);
	}
	r->n++;
	if (r->stop_after > 0 && r->n >= (size_t)r->stop_after)
		return 7;
	return 0;
}

static void
rows_free(struct rows *r)
{
	size_t	 i, j;

	for (i = 0; i < MAXROWS; i++)
		for (j = 0; j < MAXCOLS; j++)
			free(r->val[i][j]);
	memset(r, 0, sizeof(*r));
}

/* Runs sql (no parameters) and returns the first column of the first row. */
static int
scalar(struct hark_db *h, const char *sql, char *out, size_t outlen)
{
	struct rows	 r;
	int		 rc;

	memset(&r, 0, sizeof(r));
	out[0] = '\0';
	rc = hark_db_query(h, sql, NULL, 0, collect, &r);
	if (rc == HARK_DB_OK && r.n > 0 && r.val[0][0] != NULL)
		snprintf(out, outlen, "%s", r.val[0][0]);
	else if (rc == HARK_DB_OK)
		snprintf(out, outlen, "(none)");
	rows_free(&r);
	return rc;
}

/* ---- checks ---------------------------------------------------------- */

static int
check_setup(void)
{
	EXPECT_RC(hark_db_exec_script(db,
	    "-- scratch tables for db_check\n"
	    "DROP TABLE IF EXISTS t_bytes;\n"
	    "CREATE TABLE t_bytes (\n"
	    "  id INT NOT NULL PRIMARY KEY,\n"
	    "  s MEDIUMTEXT NULL,\n"
	    "  b BINARY(32) NULL,\n"
	    "  n BIGINT NULL,\n"
	    "  u VARCHAR(64) NULL,\n"
	    "  UNIQUE KEY t_bytes_u (u),\n"
	    "  KEY t_bytes_b (b)\n"
	    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n"
	    "\n"
	    "DELETE FROM t_bytes;\n"), HARK_DB_OK);
	return 0;
}

static int
check_session(void)
{
	char	 v[64];

	EXPECT_RC(scalar(db, "SELECT @@session.time_zone", v, sizeof(v)),
	    HARK_DB_OK);
	if (strcmp(v, "+00:00") != 0)
		return fail("time_zone is %s", v);
	EXPECT_RC(scalar(db, "SELECT @@character_set_client", v, sizeof(v)),
	    HARK_DB_OK);
	if (strcmp(v, "utf8mb4") != 0)
		return fail("character_set_client is %s", v);
	EXPECT_RC(scalar(db, "SELECT NOW(6)", v, sizeof(v)), HARK_DB_OK);
	if (strlen(v) != 26 || v[4] != '-' || v[10] != ' ' || v[19] != '.')
		return fail("NOW(6) came back as '%s'", v);
	return 0;
}

/* Bytes that break naive quoting or C strings, and a multi-byte letter. */
static const char nasty[] = "a'b\"c\\d\0e;--f\n\r\t%s\xc3\xa9\xe2\x82\xac" "\0";
#define NASTY_LEN	(sizeof(nasty) - 1)

/* The body of check_roundtrip; it may return early, its caller frees. */
static int
roundtrip(char *big, size_t biglen, struct rows *rp)
{
	struct hark_db_val	 args[4];
	unsigned char		 hash[32];
	size_t			 i;
	unsigned long long	 aff;

	for (i = 0; i < sizeof(hash); i++)
		hash[i] = (unsigned char)(i * 37 + 0x80);	/* not UTF-8 */
	hash[5] = 0;
	for (i = 0; i < biglen; i++)
		big[i] = (char)('a' + i % 26);
	big[1000] = '\0';
	big[biglen - 1] = '\'';
	EXPECT_RC(hark_db_exec(db, "DELETE FROM t_bytes WHERE id IN (1, 2, 3)",
	    NULL, 0, NULL), HARK_DB_OK);

	args[0] = HARK_DB_INT(1);
	args[1] = HARK_DB_STR(nasty, NASTY_LEN);
	args[2] = HARK_DB_STR((const char *)hash, sizeof(hash));
	args[3] = HARK_DB_INT(-9007199254740993LL);
	EXPECT_RC(hark_db_exec(db, "INSERT INTO t_bytes (id, s, b, n) "
	    "VALUES (?, ?, ?, ?)", args, 4, &aff), HARK_DB_OK);
	if (aff != 1)
		return fail("insert affected %llu rows", aff);
	args[0] = HARK_DB_INT(2);
	args[1] = HARK_DB_STR(big, biglen);
	args[2] = HARK_DB_NULLV;
	args[3] = HARK_DB_NULLV;
	EXPECT_RC(hark_db_exec(db, "INSERT INTO t_bytes (id, s, b, n) "
	    "VALUES (?, ?, ?, ?)", args, 4, NULL), HARK_DB_OK);

	/* Look the first row up by its binary hash. */
	memset(rp, 0, sizeof(*rp));
	args[0] = HARK_DB_STR((const char *)hash, sizeof(hash));
	EXPECT_RC(hark_db_query(db, "SELECT id, s, b, n FROM t_bytes "
	    "WHERE b = ?", args, 1, collect, rp), HARK_DB_OK);
	if (rp->n != 1 || strcmp(rp->val[0][0], "1") != 0)
		return fail("lookup by binary hash found %zu rows", rp->n);
	if (rp->len[0][1] != NASTY_LEN || memcmp(rp->val[0][1], nasty,
	    NASTY_LEN) != 0)
		return fail("text came back as %zu bytes, not %zu identical",
		    rp->len[0][1], (size_t)NASTY_LEN);
	if (rp->len[0][2] != 32 || memcmp(rp->val[0][2], hash, 32) != 0)
		return fail("binary(32) came back changed (%zu bytes)",
		    rp->len[0][2]);
	if (strcmp(rp->val[0][3], "-9007199254740993") != 0)
		return fail("bigint came back as %s", rp->val[0][3]);
	rows_free(rp);

	/* A value far over the first column buffer, and NULLs. */
	args[0] = HARK_DB_INT(2);
	EXPECT_RC(hark_db_query(db, "SELECT s, b, n FROM t_bytes WHERE id = ?",
	    args, 1, collect, rp), HARK_DB_OK);
	if (rp->n != 1 || rp->len[0][0] != biglen ||
	    memcmp(rp->val[0][0], big, biglen) != 0)
		return fail("300000-byte value came back as %zu bytes",
		    rp->n ? rp->len[0][0] : 0);
	if (rp->val[0][1] != NULL || rp->val[0][2] != NULL)
		return fail("NULL came back as a value");
	rows_free(rp);

	/* Empty string is not NULL. */
	args[0] = HARK_DB_INT(3);
	args[1] = HARK_DB_STR(NULL, 0);
	EXPECT_RC(hark_db_exec(db, "INSERT INTO t_bytes (id, s) VALUES (?, ?)",
	    args, 2, NULL), HARK_DB_OK);
	EXPECT_RC(hark_db_query(db, "SELECT s FROM t_bytes WHERE id = 3",
	    NULL, 0, collect, rp), HARK_DB_OK);
	if (rp->n != 1 || rp->val[0][0] == NULL || rp->len[0][0] != 0)
		return fail("empty string did not come back empty");
	return 0;
}

static int
check_roundtrip(void)
{
	struct rows	 r;
	size_t		 biglen = 300000;
	char		*big;
	int		 rc;

	memset(&r, 0, sizeof(r));
	if ((big = malloc(biglen)) == NULL)
		return fail("out of memory");
	rc = roundtrip(big, biglen, &r);
	rows_free(&r);
	free(big);
	return rc;
}

static int
check_duplicate(void)
{
	struct hark_db_val	 args[2];

	args[0] = HARK_DB_INT(10);
	args[1] = HARK_DB_CSTR("secret-value-1234");
	EXPECT_RC(hark_db_exec(db, "INSERT INTO t_bytes (id, u) VALUES (?, ?)",
	    args, 2, NULL), HARK_DB_OK);
	args[0] = HARK_DB_INT(11);
	EXPECT_RC(hark_db_exec(db, "INSERT INTO t_bytes (id, u) VALUES (?, ?)",
	    args, 2, NULL), HARK_DB_DUPLICATE);
	if (hark_db_errno(db) != 1062)
		return fail("errno %u, want 1062", hark_db_errno(db));
	if (strstr(hark_db_errmsg(db), "secret") != NULL)
		return fail("errmsg leaks the value: %s", hark_db_errmsg(db));
	if (strstr(hark_db_errmsg(db), "t_bytes_u") == NULL)
		return fail("errmsg lost the key name: %s", hark_db_errmsg(db));
	return 0;
}

static int
check_errors(void)
{
	struct hark_db_val	 arg = HARK_DB_INT(1);

	EXPECT_RC(hark_db_exec(db, "SELEKT 1", NULL, 0, NULL), HARK_DB_ERROR);
	EXPECT_RC(hark_db_exec(db, "SELECT * FROM no_such_table", NULL, 0,
	    NULL), HARK_DB_ERROR);
	if (hark_db_errno(db) != 1146)
		return fail("errno %u, want 1146", hark_db_errno(db));
	EXPECT_RC(hark_db_exec(db, "SELECT ?, ?", &arg, 1, NULL),
	    HARK_DB_ERROR);
	EXPECT_RC(hark_db_exec_script(db, "SELECT 1;\nSELEKT 2;\n"),
	    HARK_DB_ERROR);
	if (strncmp(hark_db_errmsg(db), "line 2: ", 8) != 0)
		return fail("script error does not name its line: %s",
		    hark_db_errmsg(db));
	/* The handle still works after all that. */
	EXPECT_RC(hark_db_ping(db), HARK_DB_OK);
	return 0;
}

static int
check_callback(void)
{
	struct rows	 r;

	memset(&r, 0, sizeof(r));
	r.stop_after = 1;
	EXPECT_RC(hark_db_query(db, "SELECT id FROM t_bytes ORDER BY id",
	    NULL, 0, collect, &r), 7);
	if (r.n != 1)
		return fail("callback ran %zu times after asking to stop", r.n);
	rows_free(&r);
	/* The statement is usable again after a stopped query. */
	EXPECT_RC(hark_db_query(db, "SELECT id FROM t_bytes ORDER BY id",
	    NULL, 0, collect, &r), HARK_DB_OK);
	if (r.n < 3)
		return fail("second run saw %zu rows", r.n);
	rows_free(&r);
	return 0;
}

struct nest {
	int	 outer;
	int	 inner_total;
	int	 rc;
};

static int
nest_inner(void *ctx, const struct hark_db_row *row)
{
	struct nest	*n = ctx;

	n->inner_total++;
	return 0;
}

/* Runs the very same SQL from inside its own row callback. */
static int
nest_outer(void *ctx, const struct hark_db_row *row)
{
	struct nest	*n = ctx;
	int		 rc;

	n->outer++;
	rc = hark_db_query(db, "SELECT id FROM t_bytes ORDER BY id", NULL, 0,
	    nest_inner, n);
	if (rc != HARK_DB_OK)
		n->rc = rc;
	return 0;
}

static int
check_nested(void)
{
	struct nest	 n = { 0, 0, 0 };

	EXPECT_RC(hark_db_query(db, "SELECT id FROM t_bytes ORDER BY id",
	    NULL, 0, nest_outer, &n), HARK_DB_OK);
	if (n.rc != 0)
		return fail("inner query failed: %s", rcname(n.rc));
	if (n.outer < 3 || n.inner_total != n.outer * n.outer)
		return fail("outer saw %d rows, inner %d", n.outer,
		    n.inner_total);
	return 0;
}

/* More distinct statements than the cache holds, then the first again. */
static int
check_cache(void)
{
	char	 sql[64], v[32];
	int	 i;

	for (i = 0; i < 200; i++) {
		snprintf(sql, sizeof(sql), "SELECT %d", i);
		EXPECT_RC(scalar(db, sql, v, sizeof(v)), HARK_DB_OK);
		if (atoi(v) != i)
			return fail("'%s' gave %s", sql, v);
	}
	EXPECT_RC(scalar(db, "SELECT 0", v, sizeof(v)), HARK_DB_OK);
	return strcmp(v, "0") == 0 ? 0 : fail("SELECT 0 gave %s", v);
}

struct txc {
	int	 id;
	int	 calls;
	int	 fail_with;	/* returned by the body on its first call */
	int	 kill_first;	/* first call: kill our own connection */
};

static int	kill_conn(struct hark_db *);

static int
tx_body(struct hark_db *h, void *ctx)
{
	struct txc		*t = ctx;
	struct hark_db_val	 arg = HARK_DB_INT(t->id);
	int			 rc;

	t->calls++;
	rc = hark_db_exec(h, "INSERT INTO t_bytes (id) VALUES (?)", &arg, 1,
	    NULL);
	if (rc != HARK_DB_OK)
		return rc;
	if (t->calls == 1 && t->kill_first) {
		if (kill_conn(h) == -1)
			return HARK_DB_ERROR;
		return hark_db_exec(h, "INSERT INTO t_bytes (id) VALUES (?)",
		    &arg, 1, NULL);
	}
	if (t->calls == 1 && t->fail_with != 0)
		return t->fail_with;
	return HARK_DB_OK;
}

static int
count_id(int id)
{
	char	 sql[96], v[32];

	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM t_bytes WHERE id = %d",
	    id);
	if (scalar(db, sql, v, sizeof(v)) != HARK_DB_OK)
		return -1;
	return atoi(v);
}

static int
check_tx(void)
{
	struct txc	 t;

	memset(&t, 0, sizeof(t));
	t.id = 100;
	EXPECT_RC(hark_db_tx(db, tx_body, &t), HARK_DB_OK);
	if (count_id(100) != 1 || t.calls != 1)
		return fail("committed tx: %d rows, %d calls", count_id(100),
		    t.calls);

	memset(&t, 0, sizeof(t));
	t.id = 101;
	t.fail_with = HARK_DB_ERROR;
	EXPECT_RC(hark_db_tx(db, tx_body, &t), HARK_DB_ERROR);
	if (count_id(101) != 0)
		return fail("failed tx left its row behind");

	memset(&t, 0, sizeof(t));
	t.id = 102;
	t.fail_with = HARK_DB_RETRY;
	EXPECT_RC(hark_db_tx(db, tx_body, &t), HARK_DB_OK);
	if (count_id(102) != 1 || t.calls != 2)
		return fail("retried tx: %d rows, %d calls", count_id(102),
		    t.calls);

	/* A duplicate inside the body rolls everything back. */
	memset(&t, 0, sizeof(t));
	t.id = 100;
	EXPECT_RC(hark_db_tx(db, tx_body, &t), HARK_DB_DUPLICATE);

	/* begin/rollback by hand. */
	EXPECT_RC(hark_db_begin(db), HARK_DB_OK);
	EXPECT_RC(hark_db_begin(db), HARK_DB_ERROR);
	EXPECT_RC(hark_db_exec(db, "INSERT INTO t_bytes (id) VALUES (103)",
	    NULL, 0, NULL), HARK_DB_OK);
	EXPECT_RC(hark_db_rollback(db), HARK_DB_OK);
	if (count_id(103) != 0)
		return fail("rolled back row is there");
	EXPECT_RC(hark_db_commit(db), HARK_DB_ERROR);
	return 0;
}

/* Kills h's connection from a second handle, as a server restart would. */
static int
kill_conn(struct hark_db *h)
{
	struct hark_db	*other;
	char		 id[32], sql[64];
	int		 rc;

	if (scalar(h, "SELECT CONNECTION_ID()", id, sizeof(id)) != HARK_DB_OK)
		return fail("CONNECTION_ID: %s", hark_db_errmsg(h));
	if ((other = hark_db_new(&conf)) == NULL)
		return fail("out of memory");
	snprintf(sql, sizeof(sql), "KILL CONNECTION %s", id);
	rc = hark_db_exec_script(other, sql);
	if (rc != HARK_DB_OK)
		fail("KILL: %s", hark_db_errmsg(other));
	hark_db_free(other);
	return rc == HARK_DB_OK ? 0 : -1;
}

static int
check_killed(void)
{
	unsigned long	 gen;
	char		 v[32];

	EXPECT_RC(scalar(db, "SELECT 1", v, sizeof(v)), HARK_DB_OK);
	gen = hark_db_generation(db);
	if (kill_conn(db) == -1)
		return -1;
	EXPECT_RC(scalar(db, "SELECT 1", v, sizeof(v)), HARK_DB_OK);
	if (hark_db_generation(db) != gen + 1)
		return fail("generation %lu after a reconnect from %lu",
		    hark_db_generation(db), gen);
	/* Session settings are back on the new connection. */
	EXPECT_RC(scalar(db, "SELECT @@session.time_zone", v, sizeof(v)),
	    HARK_DB_OK);
	if (strcmp(v, "+00:00") != 0)
		return fail("time_zone after reconnect is %s", v);
	return 0;
}

static int
check_killed_in_tx(void)
{
	struct txc	 t;

	EXPECT_RC(hark_db_begin(db), HARK_DB_OK);
	EXPECT_RC(hark_db_exec(db, "INSERT INTO t_bytes (id) VALUES (200)",
	    NULL, 0, NULL), HARK_DB_OK);
	if (kill_conn(db) == -1)
		return -1;
	EXPECT_RC(hark_db_exec(db, "INSERT INTO t_bytes (id) VALUES (201)",
	    NULL, 0, NULL), HARK_DB_RETRY);
	/* Nothing may run in autocommit behind the caller's back. */
	EXPECT_RC(hark_db_exec(db, "INSERT INTO t_bytes (id) VALUES (202)",
	    NULL, 0, NULL), HARK_DB_RETRY);
	EXPECT_RC(hark_db_commit(db), HARK_DB_RETRY);
	if (count_id(200) + count_id(201) + count_id(202) != 0)
		return fail("rows of the killed transaction survived");

	/* hark_db_tx runs the body again on a new connection. */
	memset(&t, 0, sizeof(t));
	t.id = 210;
	t.kill_first = 1;
	EXPECT_RC(hark_db_tx(db, tx_body, &t), HARK_DB_OK);
	if (t.calls != 2 || count_id(210) != 1)
		return fail("tx after kill: %d calls, %d rows", t.calls,
		    count_id(210));
	return 0;
}

/* Kills the connection from a row callback, then queries from it. */
static int
lost_outer(void *ctx, const struct hark_db_row *row)
{
	struct nest	*n = ctx;
	char		 v[32];

	if (n->outer++ > 0)
		return 0;
	if (kill_conn(db) == -1) {
		n->rc = -1;
		return 0;
	}
	n->rc = scalar(db, "SELECT 1", v, sizeof(v));
	return 0;
}

static int
check_lost_in_callback(void)
{
	struct nest	 n = { 0, 0, 0 };
	char		 v[32];

	EXPECT_RC(hark_db_query(db, "SELECT id FROM t_bytes ORDER BY id",
	    NULL, 0, lost_outer, &n), HARK_DB_OK);
	if (n.rc != HARK_DB_UNAVAILABLE)
		return fail("query on a connection lost mid-fetch gave %s",
		    rcname(n.rc));
	if (n.outer < 3)
		return fail("outer query stopped after %d rows", n.outer);
	EXPECT_RC(scalar(db, "SELECT 1", v, sizeof(v)), HARK_DB_OK);
	return 0;
}

/* A row lock held by one handle makes another's write time out: RETRY. */
static int
check_lock_wait(void)
{
	struct hark_db	*other;
	int		 rc;

	if ((other = hark_db_new(&conf)) == NULL)
		return fail("out of memory");
	EXPECT_RC(hark_db_exec(db, "INSERT IGNORE INTO t_bytes (id) VALUES "
	    "(400)", NULL, 0, NULL), HARK_DB_OK);
	EXPECT_RC(hark_db_begin(db), HARK_DB_OK);
	EXPECT_RC(hark_db_exec(db, "UPDATE t_bytes SET n = 1 WHERE id = 400",
	    NULL, 0, NULL), HARK_DB_OK);
	rc = hark_db_exec(other, "SET SESSION innodb_lock_wait_timeout = 1",
	    NULL, 0, NULL);
	if (rc == HARK_DB_OK)
		rc = hark_db_exec(other, "UPDATE t_bytes SET n = 2 WHERE "
		    "id = 400", NULL, 0, NULL);
	if (rc != HARK_DB_RETRY || hark_db_errno(other) != 1205)
		fail("blocked update gave %s (%u), want RETRY (1205)",
		    rcname(rc), hark_db_errno(other));
	hark_db_free(other);
	EXPECT_RC(hark_db_rollback(db), HARK_DB_OK);
	return rc == HARK_DB_RETRY ? 0 : -1;
}

static int
check_cascade(void)
{
	char	 v[32];

	EXPECT_RC(hark_db_exec_script(db,
	    "DELETE FROM projects WHERE id = 'prj_dbcheck';\n"
	    "INSERT INTO projects (id, name) VALUES\n"
	    "  ('prj_dbcheck', 'db check');\n"
	    "INSERT INTO feedback (id, project_id, text) VALUES\n"
	    "  ('fb_dbcheck', 'prj_dbcheck', 'hello');\n"
	    "INSERT INTO comments (id, feedback_id, body) VALUES\n"
	    "  ('cm_dbcheck', 'fb_dbcheck', 'a comment');\n"
	    "INSERT INTO feedback_labels (feedback_id, label) VALUES\n"
	    "  ('fb_dbcheck', 'bug');\n"
	    "INSERT INTO media (id, project_id, feedback_id, kind, path,\n"
	    "  mime, bytes, sha256) VALUES ('md_dbcheck', 'prj_dbcheck',\n"
	    "  'fb_dbcheck', 'audio', 'prj_dbcheck/x-audio.webm',\n"
	    "  'audio/webm', 3, UNHEX(SHA2('abc', 256)));\n"), HARK_DB_OK);
	EXPECT_RC(hark_db_exec(db, "INSERT INTO comments (id, feedback_id, "
	    "body) VALUES ('cm_orphan', 'fb_nope', 'x')", NULL, 0, NULL),
	    HARK_DB_ERROR);
	EXPECT_RC(hark_db_exec(db, "UPDATE feedback SET priority = 5 "
	    "WHERE id = 'fb_dbcheck'", NULL, 0, NULL), HARK_DB_ERROR);
	EXPECT_RC(hark_db_exec(db, "DELETE FROM feedback WHERE id = "
	    "'fb_dbcheck'", NULL, 0, NULL), HARK_DB_OK);
	EXPECT_RC(scalar(db, "SELECT (SELECT COUNT(*) FROM comments WHERE "
	    "feedback_id = 'fb_dbcheck') + (SELECT COUNT(*) FROM "
	    "feedback_labels WHERE feedback_id = 'fb_dbcheck') + (SELECT "
	    "COUNT(*) FROM media WHERE feedback_id = 'fb_dbcheck')", v,
	    sizeof(v)), HARK_DB_OK);
	if (strcmp(v, "0") != 0)
		return fail("%s rows still hang off the erased feedback", v);
	EXPECT_RC(hark_db_exec(db, "DELETE FROM projects WHERE id = "
	    "'prj_dbcheck'", NULL, 0, NULL), HARK_DB_OK);
	return 0;
}

static int
check_version(void)
{
	int	 v = -1;

	EXPECT_RC(hark_migrate_current(db, &v), HARK_DB_OK);
	return v >= 1 ? 0 : fail("schema version %d", v);
}

/* The server is stopped: every call fails fast and nothing crashes. */
static int
check_down(void)
{
	struct txc	 t;
	struct rows	 r;
	double		 t0, dt;

	memset(&t, 0, sizeof(t));
	memset(&r, 0, sizeof(r));
	t.id = 300;
	t0 = now();
	EXPECT_RC(hark_db_query(db, "SELECT id FROM t_bytes", NULL, 0, collect,
	    &r), HARK_DB_UNAVAILABLE);
	EXPECT_RC(hark_db_exec(db, "INSERT INTO t_bytes (id) VALUES (300)",
	    NULL, 0, NULL), HARK_DB_UNAVAILABLE);
	EXPECT_RC(hark_db_ping(db), HARK_DB_UNAVAILABLE);
	EXPECT_RC(hark_db_connect(db), HARK_DB_UNAVAILABLE);
	EXPECT_RC(hark_db_tx(db, tx_body, &t), HARK_DB_UNAVAILABLE);
	EXPECT_RC(hark_db_exec_script(db, "SELECT 1;\n"), HARK_DB_UNAVAILABLE);
	dt = now() - t0;
	if (t.calls != 0)
		return fail("tx body ran without a server");
	if (r.n != 0)
		return fail("rows without a server");
	if (dt > 6.0)
		return fail("six calls took %.1f s", dt);
	snprintf(why, sizeof(why), "six calls took %.2f s", dt);
	return 0;
}

/* ---- time limits and outcomes ------------------------------------- */

/* A handle of its own with other limits, from a copy of the test's conf. */
static struct hark_db *
db_with(int statement_timeout, int read_timeout, int retries)
{
	struct hark_conf	 c = conf;

	c.db_statement_timeout = statement_timeout;
	c.db_read_timeout = read_timeout;
	c.db_retries = retries;
	return hark_db_new(&c);
}

static void
pause_s(double s)
{
	struct timespec	 ts;

	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) == -1)
		;
}

/*
 * The server ends a statement past [database] statement_timeout itself, and
 * hark does not run it again: one attempt, HARK_DB_TIMEOUT.
 */
static int
check_statement_timeout(void)
{
	struct hark_db	*h;
	char		 v[32];
	double		 t0, dt;
	int		 rc = -1;

	EXPECT_RC(scalar(db, "SELECT @@session.max_statement_time", v,
	    sizeof(v)), HARK_DB_OK);
	if (atof(v) != 8.0)
		return fail("default max_statement_time is %s, want 8", v);
	if ((h = db_with(1, 5, 3)) == NULL)
		return fail("out of memory");
	t0 = now();
	if ((rc = scalar(h, "SELECT SLEEP(3) FROM t_bytes LIMIT 1", v,
	    sizeof(v))) != HARK_DB_TIMEOUT) {
		fail("a 3 s statement under a 1 s limit gave %s (%u %s)",
		    rcname(rc), hark_db_errno(h), hark_db_errmsg(h));
		goto out;
	}
	dt = now() - t0;
	if (dt > 2.5) {
		fail("the timed-out statement held the caller %.1f s", dt);
		goto out;
	}
	if ((rc = scalar(h, "SELECT 1", v, sizeof(v))) != HARK_DB_OK) {
		fail("the handle is unusable after a timeout: %s", rcname(rc));
		goto out;
	}
	snprintf(why, sizeof(why), "ended after %.2f s, once", dt);
	rc = 0;
out:
	hark_db_free(h);
	return rc == 0 ? 0 : -1;
}

/*
 * No answer within read_timeout: a query is not run again (the 4 x 10 s of
 * the search repro), and a write reports that its outcome is unknown.
 */
static int
check_read_timeout(void)
{
	struct hark_db	*h;
	char		 v[32];
	double		 t0, dt;
	int		 rc, ret = -1, n;

	if ((h = db_with(30, 1, 3)) == NULL)
		return fail("out of memory");
	t0 = now();
	rc = scalar(h, "SELECT SLEEP(3)", v, sizeof(v));
	dt = now() - t0;
	if (rc != HARK_DB_TIMEOUT || dt > 2.0) {
		fail("a query past read_timeout gave %s after %.1f s (want "
		    "TIMEOUT after one attempt)", rcname(rc), dt);
		goto out;
	}
	t0 = now();
	rc = hark_db_exec(h, "INSERT INTO t_bytes (id) SELECT 500 FROM DUAL "
	    "WHERE SLEEP(2) = 0", NULL, 0, NULL);
	dt = now() - t0;
	if (rc != HARK_DB_OUTCOME_UNKNOWN || dt > 2.0) {
		fail("a write past read_timeout gave %s after %.1f s (want "
		    "OUTCOME_UNKNOWN after one attempt)", rcname(rc), dt);
		goto out;
	}
	pause_s(2.5);
	n = count_id(500);
	if (n > 1) {
		fail("the write ran %d times", n);
		goto out;
	}
	snprintf(why, sizeof(why), "the write of unknown outcome %s",
	    n == 1 ? "did commit" : "did not commit");
	ret = 0;
out:
	hark_db_free(h);
	return ret;
}

/* mariadbd's pid from test_db.sh, to freeze it as SIGSTOP does in the issue. */
static pid_t
mysqld_pid(void)
{
	const char	*p = getenv("HARK_TEST_MYSQLD_PID");

	return p != NULL ? (pid_t)atol(p) : 0;
}

/* Freezes the server; a child thaws it after `after` seconds whatever we do. */
/*
 * Whether every thread of pid is stopped: kill(SIGSTOP) returns before a
 * thread running on another CPU has stopped, and a COMMIT can slip through.
 */
static int
all_stopped(pid_t pid)
{
	char		 path[64], buf[512], *p;
	DIR		*d;
	struct dirent	*e;
	FILE		*f;
	int		 stopped = 1;

	snprintf(path, sizeof(path), "/proc/%ld/task", (long)pid);
	if ((d = opendir(path)) == NULL)
		return 1;
	while (stopped && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/task/%.16s/stat",
		    (long)pid, e->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		/* "tid (comm) S ...": the state follows the last ')'. */
		if (fgets(buf, sizeof(buf), f) != NULL &&
		    (p = strrchr(buf, ')')) != NULL && p[1] == ' ' &&
		    p[2] != 'T' && p[2] != 't')
			stopped = 0;
		fclose(f);
	}
	closedir(d);
	return stopped;
}

static pid_t
freeze(pid_t server, double after)
{
	pid_t	 guard;
	int	 i;

	if ((guard = fork()) == 0) {
		pause_s(after);
		kill(server, SIGCONT);
		_exit(0);
	}
	kill(server, SIGSTOP);
	for (i = 0; i < 200 && !all_stopped(server); i++)
		pause_s(0.01);
	return guard;
}

static void
thaw(pid_t server, pid_t guard)
{
	kill(server, SIGCONT);
	if (guard > 0) {
		kill(guard, SIGKILL);
		waitpid(guard, NULL, 0);
	}
}

static pid_t	 stop_server_pid;

/* A transaction body that freezes the server just before its COMMIT. */
static int
stop_body(struct hark_db *h, void *ctx)
{
	struct txc		*t = ctx;
	struct hark_db_val	 arg = HARK_DB_INT(t->id);
	int			 rc;

	t->calls++;
	rc = hark_db_exec(h, "INSERT INTO t_bytes (id) VALUES (?)", &arg, 1,
	    NULL);
	if (rc == HARK_DB_OK && t->calls == 1)
		t->kill_first = (int)freeze(stop_server_pid, 12.0);
	return rc;
}

/*
 * The server freezes (SIGSTOP) with a COMMIT on the wire: hark cannot know
 * whether it committed and says so, instead of "unavailable".
 */
static int
check_commit_stopped(void)
{
	struct hark_db	*h;
	struct txc	 t;
	pid_t		 server = mysqld_pid(), guard;
	int		 rc, ret = -1;

	if (server <= 0)
		return fail("HARK_TEST_MYSQLD_PID is not set");
	if ((h = db_with(8, 1, 1)) == NULL)
		return fail("out of memory");
	EXPECT_RC(hark_db_begin(h), HARK_DB_OK);
	EXPECT_RC(hark_db_exec(h, "INSERT INTO t_bytes (id) VALUES (600)",
	    NULL, 0, NULL), HARK_DB_OK);
	guard = freeze(server, 12.0);
	rc = hark_db_commit(h);
	thaw(server, guard);
	if (rc != HARK_DB_OUTCOME_UNKNOWN) {
		fail("COMMIT on a frozen server gave %s, want OUTCOME_UNKNOWN",
		    rcname(rc));
		goto out;
	}

	/* hark_db_tx: its retries cannot reach the frozen server either. */
	memset(&t, 0, sizeof(t));
	t.id = 601;
	stop_server_pid = server;
	rc = hark_db_tx(h, stop_body, &t);
	thaw(server, (pid_t)t.kill_first);
	if (rc != HARK_DB_OUTCOME_UNKNOWN || t.calls != 1) {
		fail("a tx whose COMMIT was lost gave %s after %d calls, want "
		    "OUTCOME_UNKNOWN after 1", rcname(rc), t.calls);
		goto out;
	}
	ret = 0;
out:
	hark_db_free(h);
	return ret;
}

static int
check_up(void)
{
	char	 v[32];

	EXPECT_RC(scalar(db, "SELECT COUNT(*) FROM t_bytes WHERE id = 1", v,
	    sizeof(v)), HARK_DB_OK);
	if (strcmp(v, "1") != 0)
		return fail("row 1 counted %s after restart", v);
	return 0;
}

static const struct {
	const char	*name;
	int		(*fn)(void);
} checks[] = {
	{ "setup", check_setup },
	{ "session", check_session },
	{ "roundtrip", check_roundtrip },
	{ "duplicate", check_duplicate },
	{ "errors", check_errors },
	{ "callback", check_callback },
	{ "nested", check_nested },
	{ "cache", check_cache },
	{ "tx", check_tx },
	{ "killed", check_killed },
	{ "killed_in_tx", check_killed_in_tx },
	{ "lost_in_callback", check_lost_in_callback },
	{ "lock_wait", check_lock_wait },
	{ "cascade", check_cascade },
	{ "version", check_version },
	{ "statement_timeout", check_statement_timeout },
	{ "read_timeout", check_read_timeout },
	{ "commit_stopped", check_commit_stopped },
	{ "down", check_down },
	{ "up", check_up },
};

int
main(int argc, char **argv)
{
	struct hark_conf_err	 err;
	char			 line[128];
	size_t			 i, n;
	int			 found;

	if (argc != 2) {
		fprintf(stderr, "usage: db_check CONFIG < checks\n");
		return 2;
	}
	if (hark_conf_load(argv[1], &conf, &err) == -1) {
		fprintf(stderr, "db_check: %s\n", err.msg);
		return 1;
	}
	hark_log_open("db_check", NULL, HARK_LOG_ERR);
	if (hark_db_library_init() == -1 || (db = hark_db_new(&conf)) == NULL) {
		fprintf(stderr, "db_check: cannot set up the db handle\n");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(line, sizeof(line), stdin) != NULL) {
		n = strcspn(line, "\r\n");
		line[n] = '\0';
		if (n == 0)
			continue;
		found = 0;
		for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
			if (strcmp(checks[i].name, line) != 0)
				continue;
			found = 1;
			why[0] = '\0';
			if (checks[i].fn() == 0)
				printf("ok %s%s%s%s\n", line,
				    why[0] ? " (" : "", why,
				    why[0] ? ")" : "");
			else
				printf("FAIL %s: %s\n", line, why);
		}
		if (!found)
			printf("FAIL %s: no such check\n", line);
	}
	hark_db_free(db);
	hark_db_library_end();
	hark_conf_free(&conf);
	return 0;
}
