/*
 * db.c: the MariaDB layer: a lazy connection, prepared statements cached by
 * their SQL text, and the retry rules Galera asks for (see db.h).
 *
 * A lost connection is never reopened by the client library
 * (MYSQL_OPT_RECONNECT is off): we reopen it ourselves so that the statement
 * cache, which dies with the connection, is thrown away knowingly and an open
 * transaction is reported lost instead of silently continuing in autocommit.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

#include "buf.h"
#include "conf.h"
#include "db.h"
#include "log.h"

#define DB_CACHE_MAX		64	/* prepared statements per connection */
#define DB_COL_INIT		256	/* first buffer size of a result column */
#define DB_BACKOFF_MS		50	/* first pause before a retry */
#define DB_BACKOFF_MAX_MS	1000

/*
 * Session settings: timestamps are UTC whatever the server's zone, the SQL
 * mode is pinned so a server's my.cnf cannot make hark silently truncate,
 * and max_statement_time makes MariaDB end a statement that hark would give
 * up waiting for (it is otherwise left running, holding a server thread).
 */
#define DB_SESSION_SQL \
	"SET time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES," \
	"ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION,NO_ZERO_DATE," \
	"NO_ZERO_IN_DATE', max_statement_time = %u"

#define ER_STATEMENT_TIMEOUT_	1969	/* max_statement_time exceeded */

/* Internal outcomes of one attempt; never returned to callers. */
#define DB_LOST			(-100)	/* connection gone or unreachable */
#define DB_CONFLICT		(-101)	/* deadlock, lock wait, Galera */

struct db_stmt {
	char		*sql;
	uint32_t	 hash;
	MYSQL_STMT	*stmt;
	unsigned long	 used;		/* LRU clock value of the last use */
	int		 busy;		/* its rows are being handed out */
};

struct hark_db {
	MYSQL		*mysql;		/* NULL while not connected */
	int		 broken;	/* lost while rows were being fetched */
	int		 fetching;	/* depth of row callbacks running */
	int		 in_tx;
	int		 tx_lost;	/* the open transaction's connection died */
	unsigned long	 gen;		/* bumped by every new connection */
	unsigned long	 clock;
	unsigned long long insert_id;
	struct db_stmt	 cache[DB_CACHE_MAX];
	size_t		 ncache;

	char		*socket;
	char		*host;
	char		*name;
	char		*user;
	char		*password;
	unsigned int	 port;
	unsigned int	 connect_timeout;
	unsigned int	 read_timeout;
	unsigned int	 write_timeout;
	unsigned int	 statement_timeout;	/* seconds; 0 = none (scripts) */
	int		 retries;
	unsigned int	 rng;

	unsigned int	 err;
	char		 errmsg[512];
};

/* What one statement needs; also carries the callback's verdict out. */
struct db_op {
	const char			*sql;
	const struct hark_db_val	*args;
	size_t				 nargs;
	unsigned long long		*affected;
	hark_db_row_fn			 fn;
	void				*ctx;
	int				 fnrc;	/* non-zero: fn stopped the query */
	int				 ping;	/* a round trip, no statement */
	int				 sent;	/* the statement reached the wire */
};

/* A result column fetched as text into a buffer that grows as needed. */
struct db_col {
	char		*buf;
	unsigned long	 cap;		/* usable bytes; buf has cap + 1 */
	unsigned long	 len;
	my_bool		 isnull;
	my_bool		 error;
};

struct hark_db_val
hark_db_cstr(const char *s)
{
	if (s == NULL)
		return HARK_DB_NULLV;
	return HARK_DB_STR(s, strlen(s));
}

/* ---- errors ---------------------------------------------------------- */

/* Errors that mean the server cannot be reached or the connection died. */
static int
db_is_lost(unsigned int e)
{
	switch (e) {
	case CR_CONNECTION_ERROR:	/* 2002 */
	case CR_CONN_HOST_ERROR:	/* 2003 */
	case CR_SERVER_GONE_ERROR:	/* 2006 */
	case CR_SERVER_LOST:		/* 2013 */
	case CR_SERVER_LOST_EXTENDED:	/* 2055 */
	case CR_SOCKET_CREATE_ERROR:	/* 2001 */
	case CR_IPSOCK_ERROR:		/* 2004 */
	case CR_UNKNOWN_HOST:		/* 2005 */
	case ER_CON_COUNT_ERROR:	/* 1040: too many connections */
	case ER_SERVER_SHUTDOWN:	/* 1053 */
	case 1927:			/* ER_CONNECTION_KILLED */
	case 4031:			/* ER_CLIENT_INTERACTION_TIMEOUT */
		return 1;
	default:
		return 0;
	}
}

/* Errors after which the whole transaction must be run again. */
static int
db_is_conflict(unsigned int e)
{
	switch (e) {
	case ER_LOCK_DEADLOCK:		/* 1213, Galera certification too */
	case ER_LOCK_WAIT_TIMEOUT:	/* 1205 */
	case ER_ERROR_DURING_COMMIT:	/* 1180 */
	case ER_UNKNOWN_COM_ERROR:	/* 1047: Galera node not primary */
		return 1;
	default:
		return 0;
	}
}

/*
 * The server is up but cannot take the write now (disk full, out of memory,
 * read-only): the client should retry later (503), nothing was stored.
 */
static int
db_is_overloaded(unsigned int e)
{
	switch (e) {
	case ER_DISK_FULL:		/* 1021 */
	case ER_RECORD_FILE_FULL:	/* 1114: the table is full */
	case ER_OUTOFMEMORY:		/* 1037 */
	case ER_OUT_OF_RESOURCES:	/* 1041 */
	case ER_OPTION_PREVENTS_STATEMENT: /* 1290: --read-only */
		return 1;
	default:
		return 0;
	}
}

static int
db_is_duplicate(unsigned int e)
{
	return e == ER_DUP_ENTRY || e == ER_DUP_KEY ||
	    e == ER_DUP_ENTRY_WITH_KEY_NAME;
}

static int
db_classify(unsigned int e)
{
	/* 188 (HA_ERR_ABORTED_BY_USER) is how InnoDB's FULLTEXT search
	 * reports being stopped by max_statement_time; 1317 a KILL QUERY. */
	if (e == ER_STATEMENT_TIMEOUT_ || e == 188 || e == ER_QUERY_INTERRUPTED)
		return HARK_DB_TIMEOUT;
	if (db_is_lost(e))
		return DB_LOST;
	if (db_is_conflict(e))
		return DB_CONFLICT;
	if (db_is_duplicate(e))
		return HARK_DB_DUPLICATE;
	if (db_is_overloaded(e))
		return HARK_DB_UNAVAILABLE;
	return HARK_DB_ERROR;
}

/*
 * Server messages quote the offending value for some errors ("Duplicate
 * entry 'a@b.c' for key ...", "Incorrect string value: '\xF0' for column").
 * Values are user data, so the quoted span up to the last "' for " is cut.
 */
static void
db_scrub(char *msg, size_t size)
{
	static const char	*const marks[] = { "entry '", "value: '",
				    "value '" };
	char			 tmp[512];
	char			*open, *close, *p;
	size_t			 i;

	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		if ((open = strstr(msg, marks[i])) == NULL)
			continue;
		open += strlen(marks[i]);
		close = NULL;
		for (p = open; (p = strstr(p, "' for ")) != NULL; p++)
			close = p;
		snprintf(tmp, sizeof(tmp), "%.*s...%s", (int)(open - msg), msg,
		    close != NULL ? close : "'");
		snprintf(msg, size, "%s", tmp);
		return;
	}
}

static void
db_set_err(struct hark_db *db, unsigned int e, const char *prefix,
    const char *msg)
{
	db->err = e;
	snprintf(db->errmsg, sizeof(db->errmsg), "%s%s", prefix ? prefix : "",
	    msg ? msg : "unknown error");
	db_scrub(db->errmsg, sizeof(db->errmsg));
}

/* Records the connection's error and classifies it. */
static int
db_conn_fail(struct hark_db *db, MYSQL *m)
{
	db_set_err(db, mysql_errno(m), NULL, mysql_error(m));
	return db_classify(db->err);
}

static int
db_stmt_fail(struct hark_db *db, MYSQL_STMT *st)
{
	db_set_err(db, mysql_stmt_errno(st), NULL, mysql_stmt_error(st));
	return db_classify(db->err);
}

/* ---- connection ------------------------------------------------------ */

static void
db_cache_clear(struct hark_db *db)
{
	size_t	 i;

	for (i = 0; i < db->ncache; i++) {
		mysql_stmt_close(db->cache[i].stmt);
		free(db->cache[i].sql);
	}
	db->ncache = 0;
}

/*
 * Closes the connection first so the client library detaches every statement
 * from it (no network talk on a dead socket), then frees the statements.
 */
static void
db_close(struct hark_db *db)
{
	if (db->mysql != NULL)
		mysql_close(db->mysql);
	db->mysql = NULL;
	db->broken = 0;
	db_cache_clear(db);
}

/*
 * A connection found dead.  While row callbacks run, the statement handing
 * out rows still points at it, so closing waits until they finish.
 */
static void
db_lost(struct hark_db *db)
{
	if (db->in_tx)
		db->tx_lost = 1;
	if (db->fetching > 0) {
		db->broken = 1;
		return;
	}
	if (db->mysql != NULL)
		hark_log(HARK_LOG_WARN, "db: connection lost: %s", db->errmsg);
	db_close(db);
}

static void
db_set_options(struct hark_db *db, MYSQL *m)
{
	my_bool		 off = 0;
	unsigned int	 proto;

	proto = db->host[0] == '\0' ? MYSQL_PROTOCOL_SOCKET :
	    MYSQL_PROTOCOL_TCP;
	mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(m, MYSQL_OPT_PROTOCOL, &proto);
	mysql_options(m, MYSQL_OPT_RECONNECT, &off);
	mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &db->connect_timeout);
	mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &db->read_timeout);
	mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &db->write_timeout);
}

/*
 * Opens a connection.  A refused or unreachable server is DB_LOST (worth a
 * retry); a refusal that retrying cannot fix (bad password, unknown database)
 * is HARK_DB_UNAVAILABLE at once.
 */
static int
db_open(struct hark_db *db)
{
	MYSQL		*m;
	const char	*host, *sock;
	char		 session[sizeof(DB_SESSION_SQL) + 16];
	int		 rc;

	if ((m = mysql_init(NULL)) == NULL) {
		db_set_err(db, CR_OUT_OF_MEMORY, NULL, "out of memory");
		return HARK_DB_ERROR;
	}
	db_set_options(db, m);
	host = db->host[0] == '\0' ? "localhost" : db->host;
	sock = db->host[0] == '\0' && db->socket[0] != '\0' ? db->socket : NULL;
	if (mysql_real_connect(m, host, db->user, db->password, db->name,
	    db->port, sock, CLIENT_FOUND_ROWS) == NULL) {
		rc = db_conn_fail(db, m);
		mysql_close(m);
		return rc == DB_LOST ? DB_LOST : HARK_DB_UNAVAILABLE;
	}
	snprintf(session, sizeof(session), DB_SESSION_SQL, db->statement_timeout);
	if (mysql_real_query(m, session, strlen(session)) != 0) {
		rc = db_conn_fail(db, m);
		mysql_close(m);
		return rc == DB_LOST ? DB_LOST : HARK_DB_ERROR;
	}
	db->mysql = m;
	db->gen++;
	return HARK_DB_OK;
}

/*
 * Makes sure there is a usable connection, dropping a broken one first.  A
 * connection that broke under running row callbacks cannot be replaced
 * until they return, so statements from them fail.
 */
static int
db_ensure(struct hark_db *db)
{
	if (db->broken) {
		if (db->fetching > 0) {
			db_set_err(db, CR_SERVER_LOST, NULL,
			    "connection lost while fetching rows");
			return DB_LOST;
		}
		db_close(db);
	}
	if (db->mysql != NULL)
		return HARK_DB_OK;
	return db_open(db);
}

/* 50, 100, 200 ms ... capped, with jitter so retrying workers spread out. */
static void
db_backoff(struct hark_db *db, int attempt)
{
	struct timespec	 ts;
	long		 ms;

	ms = DB_BACKOFF_MS;
	while (attempt-- > 0 && ms < DB_BACKOFF_MAX_MS)
		ms *= 2;
	if (ms > DB_BACKOFF_MAX_MS)
		ms = DB_BACKOFF_MAX_MS;
	db->rng = db->rng * 1103515245u + 12345u;
	ms += (long)((db->rng >> 16) % (unsigned int)(ms / 4 + 1));
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* ---- statement cache ------------------------------------------------- */

static uint32_t
db_hash(const char *s)
{
	uint32_t	 h = 2166136261u;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static struct db_stmt *
db_cache_find(struct hark_db *db, const char *sql, uint32_t h)
{
	size_t	 i;

	for (i = 0; i < db->ncache; i++)
		if (db->cache[i].hash == h &&
		    strcmp(db->cache[i].sql, sql) == 0)
			return &db->cache[i];
	return NULL;
}

/* A slot for a new statement: a free one, else the least recently used. */
static struct db_stmt *
db_cache_slot(struct hark_db *db)
{
	struct db_stmt	*victim = NULL;
	size_t		 i;

	if (db->ncache < DB_CACHE_MAX)
		return &db->cache[db->ncache++];
	for (i = 0; i < db->ncache; i++)
		if (!db->cache[i].busy &&
		    (victim == NULL || db->cache[i].used < victim->used))
			victim = &db->cache[i];
	if (victim != NULL) {
		mysql_stmt_close(victim->stmt);
		free(victim->sql);
		victim->stmt = NULL;
		victim->sql = NULL;
	}
	return victim;
}

static int
db_prepare(struct hark_db *db, const char *sql, MYSQL_STMT **out)
{
	MYSQL_STMT	*st;
	int		 rc;

	if ((st = mysql_stmt_init(db->mysql)) == NULL) {
		db_set_err(db, CR_OUT_OF_MEMORY, NULL, "out of memory");
		return HARK_DB_ERROR;
	}
	if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
		rc = db_stmt_fail(db, st);
		mysql_stmt_close(st);
		return rc;
	}
	*out = st;
	return HARK_DB_OK;
}

/*
 * Finds or prepares the statement for sql.  *ent is its cache entry, or NULL
 * for a statement the caller must close itself: one prepared while the cached
 * copy is busy handing out rows (a query run from a row callback), or when
 * every slot is busy or out of memory.
 */
static int
db_stmt_get(struct hark_db *db, const char *sql, MYSQL_STMT **st,
    struct db_stmt **ent)
{
	struct db_stmt	*e;
	uint32_t	 h;
	char		*copy;
	int		 rc;

	h = db_hash(sql);
	*ent = NULL;
	e = db_cache_find(db, sql, h);
	if (e != NULL && !e->busy) {
		e->used = ++db->clock;
		*st = e->stmt;
		*ent = e;
		return HARK_DB_OK;
	}
	if ((rc = db_prepare(db, sql, st)) != HARK_DB_OK)
		return rc;
	if (e != NULL || (copy = strdup(sql)) == NULL)
		return HARK_DB_OK;
	if ((e = db_cache_slot(db)) == NULL) {
		free(copy);
		return HARK_DB_OK;
	}
	e->sql = copy;
	e->hash = h;
	e->stmt = *st;
	e->used = ++db->clock;
	e->busy = 0;
	*ent = e;
	return HARK_DB_OK;
}

/* A monotonic clock in seconds, to tell a timed-out read from a drop. */
static double
db_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * How long an attempt must have waited for its loss to count as the client
 * read timeout firing (a reset connection fails at once).  The library
 * rounds nothing, so a little under the timeout is enough.
 */
static double
db_timed_out(const struct hark_db *db)
{
	return (double)db->read_timeout * 0.9;
}

/* ---- running one statement ------------------------------------------- */

static int
db_bind_params(struct hark_db *db, MYSQL_STMT *st,
    const struct hark_db_val *args, size_t nargs, MYSQL_BIND *b,
    unsigned long *lens)
{
	size_t	 i;

	if (mysql_stmt_param_count(st) != nargs) {
		db_set_err(db, 0, NULL, "statement parameter count mismatch");
		return HARK_DB_ERROR;
	}
	if (nargs == 0)
		return HARK_DB_OK;
	memset(b, 0, nargs * sizeof(*b));
	for (i = 0; i < nargs; i++) {
		switch (args[i].type) {
		case HARK_DB_T_STR:
			lens[i] = (unsigned long)args[i].len;
			b[i].buffer_type = MYSQL_TYPE_STRING;
			b[i].buffer = (void *)(args[i].s ? args[i].s : "");
			b[i].buffer_length = lens[i];
			b[i].length = &lens[i];
			break;
		case HARK_DB_T_INT:
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = (void *)&args[i].i;
			break;
		default:
			b[i].buffer_type = MYSQL_TYPE_NULL;
			break;
		}
	}
	if (mysql_stmt_bind_param(st, b) != 0)
		return db_stmt_fail(db, st);
	return HARK_DB_OK;
}

static int
db_col_grow(struct db_col *c, unsigned long need)
{
	char	*p;

	if (need <= c->cap)
		return 0;
	if ((p = realloc(c->buf, (size_t)need + 1)) == NULL)
		return -1;
	c->buf = p;
	c->cap = need;
	return 0;
}

static void
db_bind_col(MYSQL_BIND *b, struct db_col *c)
{
	memset(b, 0, sizeof(*b));
	b->buffer_type = MYSQL_TYPE_STRING;
	b->buffer = c->buf;
	b->buffer_length = c->cap;
	b->length = &c->len;
	b->is_null = &c->isnull;
	b->error = &c->error;
}

/* Refetches every column that did not fit, into a buffer grown to fit it. */
static int
db_fetch_truncated(struct hark_db *db, MYSQL_STMT *st, MYSQL_BIND *b,
    struct db_col *cols, unsigned int ncols)
{
	unsigned int	 i;

	for (i = 0; i < ncols; i++) {
		if (!cols[i].error || cols[i].len <= cols[i].cap)
			continue;
		if (db_col_grow(&cols[i], cols[i].len) == -1) {
			db_set_err(db, CR_OUT_OF_MEMORY, NULL, "out of memory");
			return HARK_DB_ERROR;
		}
		db_bind_col(&b[i], &cols[i]);
		if (mysql_stmt_fetch_column(st, &b[i], i, 0) != 0)
			return db_stmt_fail(db, st);
	}
	return HARK_DB_OK;
}

/* Hands every stored row to op->fn until it says stop. */
static int
db_fetch_rows(struct hark_db *db, MYSQL_STMT *st, struct db_op *op,
    MYSQL_BIND *b, struct db_col *cols, unsigned int ncols)
{
	const char		**vals;
	unsigned long		 *lens;
	struct hark_db_row	  row;
	unsigned int		  i;
	int			  frc, rebind = 0, rc = HARK_DB_OK;

	vals = calloc(ncols, sizeof(*vals));
	lens = calloc(ncols, sizeof(*lens));
	if (vals == NULL || lens == NULL) {
		db_set_err(db, CR_OUT_OF_MEMORY, NULL, "out of memory");
		rc = HARK_DB_ERROR;
		goto out;
	}
	row.ncols = ncols;
	row.vals = vals;
	row.lens = lens;
	for (;;) {
		/*
		 * Grown buffers are bound only now, after the row was handed
		 * on: Connector/C 3.3.19 zeroes every *length in bind_result.
		 */
		if (rebind && mysql_stmt_bind_result(st, b) != 0) {
			rc = db_stmt_fail(db, st);
			break;
		}
		rebind = 0;
		frc = mysql_stmt_fetch(st);
		if (frc == MYSQL_NO_DATA)
			break;
		if (frc == 1) {
			rc = db_stmt_fail(db, st);
			break;
		}
		if (frc == MYSQL_DATA_TRUNCATED) {
			if ((rc = db_fetch_truncated(db, st, b, cols, ncols)) != 0)
				break;
			rebind = 1;
		}
		for (i = 0; i < ncols; i++) {
			lens[i] = cols[i].isnull ? 0 : cols[i].len;
			if (!cols[i].isnull)
				cols[i].buf[cols[i].len] = '\0';
			vals[i] = cols[i].isnull ? NULL : cols[i].buf;
		}
		if ((op->fnrc = op->fn(op->ctx, &row)) != 0)
			break;
	}
out:
	free(vals);
	free(lens);
	return rc;
}

/*
 * Stores the result client-side (so row callbacks may run statements of
 * their own), binds every column as text and fetches.
 */
static int
db_fetch(struct hark_db *db, MYSQL_STMT *st, struct db_op *op)
{
	MYSQL_BIND	*b = NULL;
	struct db_col	*cols = NULL;
	unsigned int	 ncols, i;
	int		 rc;

	if (mysql_stmt_store_result(st) != 0)
		return db_stmt_fail(db, st);
	ncols = mysql_stmt_field_count(st);
	b = calloc(ncols, sizeof(*b));
	cols = calloc(ncols, sizeof(*cols));
	if (b == NULL || cols == NULL)
		goto nomem;
	for (i = 0; i < ncols; i++) {
		if (db_col_grow(&cols[i], DB_COL_INIT) == -1)
			goto nomem;
		db_bind_col(&b[i], &cols[i]);
	}
	if (mysql_stmt_bind_result(st, b) != 0) {
		rc = db_stmt_fail(db, st);
		goto out;
	}
	db->fetching++;
	rc = db_fetch_rows(db, st, op, b, cols, ncols);
	db->fetching--;
	goto out;
nomem:
	db_set_err(db, CR_OUT_OF_MEMORY, NULL, "out of memory");
	rc = HARK_DB_ERROR;
out:
	mysql_stmt_free_result(st);
	if (cols != NULL)
		for (i = 0; i < ncols; i++)
			free(cols[i].buf);
	free(cols);
	free(b);
	return rc;
}

static int
db_execute(struct hark_db *db, MYSQL_STMT *st, struct db_op *op)
{
	MYSQL_BIND	*b = NULL;
	unsigned long	*lens = NULL;
	int		 rc;

	if (op->nargs > 0) {
		b = calloc(op->nargs, sizeof(*b));
		lens = calloc(op->nargs, sizeof(*lens));
		if (b == NULL || lens == NULL) {
			db_set_err(db, CR_OUT_OF_MEMORY, NULL, "out of memory");
			rc = HARK_DB_ERROR;
			goto out;
		}
	}
	rc = db_bind_params(db, st, op->args, op->nargs, b, lens);
	if (rc != HARK_DB_OK)
		goto out;
	op->sent = 1;
	if (mysql_stmt_execute(st) != 0) {
		rc = db_stmt_fail(db, st);
		goto out;
	}
	if (op->affected != NULL)
		*op->affected = mysql_stmt_affected_rows(st);
	db->insert_id = mysql_stmt_insert_id(st);
	if (mysql_stmt_field_count(st) == 0)
		goto out;
	if (op->fn != NULL)
		rc = db_fetch(db, st, op);
	else if (mysql_stmt_store_result(st) != 0)
		rc = db_stmt_fail(db, st);
	mysql_stmt_free_result(st);
out:
	free(b);
	free(lens);
	return rc;
}

/* One try: connect if needed, prepare (or reuse), bind, run, fetch. */
static int
db_attempt(struct hark_db *db, struct db_op *op)
{
	MYSQL_STMT	*st = NULL;
	struct db_stmt	*ent;
	int		 rc;

	if ((rc = db_ensure(db)) != HARK_DB_OK)
		return rc;
	if (op->ping)
		return mysql_ping(db->mysql) == 0 ? HARK_DB_OK :
		    db_conn_fail(db, db->mysql);
	if ((rc = db_stmt_get(db, op->sql, &st, &ent)) != HARK_DB_OK)
		return rc;
	if (ent != NULL)
		ent->busy = 1;
	rc = db_execute(db, st, op);
	if (ent != NULL)
		ent->busy = 0;
	else
		mysql_stmt_close(st);
	return rc;
}

/*
 * Runs op, retrying a lost connection or a conflict with back-off when no
 * transaction is open: outside one, every statement is its own transaction.
 * Inside one, a lost connection is HARK_DB_RETRY for hark_db_tx to handle.
 */
static int
db_run(struct hark_db *db, struct db_op *op)
{
	double	 t0;
	int	 attempt, rc, unknown = 0;

	if (db->in_tx && db->tx_lost) {
		db_set_err(db, CR_SERVER_LOST, NULL,
		    "connection lost inside the transaction");
		return HARK_DB_RETRY;
	}
	for (attempt = 0;; attempt++) {
		op->fnrc = 0;
		op->sent = 0;
		t0 = db_now();
		rc = db_attempt(db, op);
		if (op->fnrc != 0)
			return op->fnrc;
		if (rc == DB_LOST) {
			db_lost(db);
			/*
			 * Sent, then no answer within the read timeout: the
			 * server is stalled or the statement is slow.  Running
			 * it again would hold the caller that long once more,
			 * and a write's fate is unknown.
			 */
			if (op->sent && db_now() - t0 >= db_timed_out(db))
				return op->fn != NULL ? HARK_DB_TIMEOUT : HARK_DB_OUTCOME_UNKNOWN;
			if (op->sent && op->fn == NULL)
				unknown = 1;
			if (db->in_tx)
				return HARK_DB_RETRY;
			if (attempt >= db->retries || db->fetching > 0)
				return unknown ? HARK_DB_OUTCOME_UNKNOWN :
				    HARK_DB_UNAVAILABLE;
		} else if (rc == DB_CONFLICT) {
			if (db->in_tx || attempt >= db->retries ||
			    db->err == ER_LOCK_WAIT_TIMEOUT)
				return HARK_DB_RETRY;
		} else
			return rc;
		db_backoff(db, attempt);
	}
}

/* ---- public API ------------------------------------------------------ */

int
hark_db_library_init(void)
{
	return mysql_library_init(0, NULL, NULL) == 0 ? 0 : -1;
}

void
hark_db_library_end(void)
{
	mysql_library_end();
}

static char *
db_strdup(const char *s)
{
	return strdup(s != NULL ? s : "");
}

/* The handle copies what it needs from conf, which may be freed after. */
struct hark_db *
hark_db_new(const struct hark_conf *conf)
{
	struct hark_db	*db;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		return NULL;
	db->socket = db_strdup(conf->db_socket);
	db->host = db_strdup(conf->db_host);
	db->name = db_strdup(conf->db_name);
	db->user = db_strdup(conf->db_user);
	db->password = db_strdup(conf->db_password);
	if (db->socket == NULL || db->host == NULL || db->name == NULL ||
	    db->user == NULL || db->password == NULL) {
		hark_db_free(db);
		return NULL;
	}
	db->port = conf->db_port > 0 ? (unsigned int)conf->db_port : 0;
	db->connect_timeout = conf->db_connect_timeout > 0 ?
	    (unsigned int)conf->db_connect_timeout : 2;
	db->read_timeout = conf->db_read_timeout > 0 ?
	    (unsigned int)conf->db_read_timeout : 10;
	db->write_timeout = conf->db_write_timeout > 0 ?
	    (unsigned int)conf->db_write_timeout : 10;
	db->statement_timeout = conf->db_statement_timeout > 0 ?
	    (unsigned int)conf->db_statement_timeout : 8;
	db->retries = conf->db_retries > 0 ? conf->db_retries : 0;
	db->rng = (unsigned int)getpid() ^ (unsigned int)time(NULL);
	return db;
}

static void
db_wipe(char *s)
{
	if (s == NULL)
		return;
#ifdef HAVE_EXPLICIT_BZERO
	explicit_bzero(s, strlen(s));
#else
	{
		volatile char	*v = s;

		while (*v != '\0')
			*v++ = '\0';
	}
#endif
}

void
hark_db_free(struct hark_db *db)
{
	if (db == NULL)
		return;
	db->fetching = 0;
	db_close(db);
	db_wipe(db->password);
	free(db->password);
	free(db->socket);
	free(db->host);
	free(db->name);
	free(db->user);
	free(db);
}

void
hark_db_disconnect(struct hark_db *db)
{
	if (db->fetching > 0)
		return;
	db_close(db);
	db->in_tx = 0;
	db->tx_lost = 0;
}

int
hark_db_connect(struct hark_db *db)
{
	int	 attempt, rc;

	for (attempt = 0;; attempt++) {
		if ((rc = db_ensure(db)) != DB_LOST)
			return rc;
		db_lost(db);
		if (attempt >= db->retries || db->fetching > 0)
			return HARK_DB_UNAVAILABLE;
		db_backoff(db, attempt);
	}
}

int
hark_db_ping(struct hark_db *db)
{
	struct db_op	 op = { .ping = 1 };

	return db_run(db, &op);
}

int
hark_db_exec(struct hark_db *db, const char *sql,
    const struct hark_db_val *args, size_t nargs,
    unsigned long long *affected)
{
	struct db_op	 op = { .sql = sql, .args = args, .nargs = nargs,
			    .affected = affected };

	if (affected != NULL)
		*affected = 0;
	return db_run(db, &op);
}

int
hark_db_query(struct hark_db *db, const char *sql,
    const struct hark_db_val *args, size_t nargs,
    hark_db_row_fn fn, void *ctx)
{
	struct db_op	 op = { .sql = sql, .args = args, .nargs = nargs,
			    .fn = fn, .ctx = ctx };

	return db_run(db, &op);
}

/* A statement with no parameters and no rows, on the current connection. */
static int
db_simple(struct hark_db *db, const char *sql)
{
	if (db->mysql == NULL || db->broken)
		return DB_LOST;
	if (mysql_real_query(db->mysql, sql, strlen(sql)) != 0)
		return db_conn_fail(db, db->mysql);
	return HARK_DB_OK;
}

int
hark_db_begin(struct hark_db *db)
{
	int	 attempt, rc;

	if (db->in_tx) {
		db_set_err(db, 0, NULL, "a transaction is already open");
		return HARK_DB_ERROR;
	}
	for (attempt = 0;; attempt++) {
		if ((rc = db_ensure(db)) == HARK_DB_OK)
			rc = db_simple(db, "START TRANSACTION");
		if (rc == HARK_DB_OK) {
			db->in_tx = 1;
			db->tx_lost = 0;
			return HARK_DB_OK;
		}
		if (rc != DB_LOST && rc != DB_CONFLICT)
			return rc;
		if (rc == DB_LOST)
			db_lost(db);
		if (attempt >= db->retries || db->fetching > 0)
			return rc == DB_LOST ? HARK_DB_UNAVAILABLE :
			    HARK_DB_RETRY;
		db_backoff(db, attempt);
	}
}

/*
 * A failed COMMIT has rolled back on the server (HARK_DB_RETRY: run it all
 * again), or its outcome is unknown because the connection died after it
 * was sent (HARK_DB_OUTCOME_UNKNOWN).
 */
int
hark_db_commit(struct hark_db *db)
{
	int	 rc;

	if (!db->in_tx) {
		db_set_err(db, 0, NULL, "commit without a transaction");
		return HARK_DB_ERROR;
	}
	if (db->tx_lost) {
		db->in_tx = db->tx_lost = 0;
		return HARK_DB_RETRY;
	}
	if (db->mysql == NULL || db->broken) {
		db->in_tx = 0;
		db_lost(db);
		return HARK_DB_RETRY;	/* COMMIT never left: nothing kept */
	}
	rc = db_simple(db, "COMMIT");
	db->in_tx = 0;
	if (rc == HARK_DB_OK)
		return HARK_DB_OK;
	if (rc == DB_LOST) {
		db_lost(db);
		return HARK_DB_OUTCOME_UNKNOWN;
	}
	if (db_simple(db, "ROLLBACK") == DB_LOST)
		db_lost(db);
	return rc == DB_CONFLICT ? HARK_DB_RETRY : rc;
}

/* A transaction on a lost connection is already gone: that is success. */
int
hark_db_rollback(struct hark_db *db)
{
	int	 rc;

	if (!db->in_tx)
		return HARK_DB_OK;
	db->in_tx = 0;
	if (db->tx_lost) {
		db->tx_lost = 0;
		return HARK_DB_OK;
	}
	rc = db_simple(db, "ROLLBACK");
	if (rc == DB_LOST) {
		db_lost(db);
		return HARK_DB_OK;
	}
	return rc == DB_CONFLICT ? HARK_DB_RETRY : rc;
}

/*
 * A tx inside a tx joins the outer one: the body runs once and the outer
 * hark_db_tx decides about commit and retries.
 */
int
hark_db_tx(struct hark_db *db, hark_db_tx_fn fn, void *ctx)
{
	int	 attempt, rc, unknown = 0;

	if (db->in_tx)
		return fn(db, ctx);
	for (attempt = 0;; attempt++) {
		if ((rc = hark_db_begin(db)) != HARK_DB_OK)
			return unknown && (rc == HARK_DB_UNAVAILABLE ||
			    rc == HARK_DB_RETRY) ? HARK_DB_OUTCOME_UNKNOWN : rc;
		rc = fn(db, ctx);
		if (rc == HARK_DB_OK)
			rc = hark_db_commit(db);
		else
			hark_db_rollback(db);
		if (rc == HARK_DB_OUTCOME_UNKNOWN) {
			unknown = 1;
			rc = HARK_DB_RETRY;
		}
		if (rc != HARK_DB_RETRY || attempt >= db->retries)
			return unknown && rc == HARK_DB_RETRY ?
			    HARK_DB_OUTCOME_UNKNOWN : rc;
		hark_log(HARK_LOG_INFO, "db: transaction retried (%u)",
		    db->err);
		db_backoff(db, attempt);
	}
}

/* ---- migration scripts ----------------------------------------------- */

static int
db_line_blank(const char *p, const char *end)
{
	for (; p < end; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r')
			return 0;
	return 1;
}

/* True when the line's last non-blank byte is ';' (and strips it). */
static int
db_line_ends_stmt(const char *p, const char **end)
{
	const char	*e = *end;

	while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	if (e == p || e[-1] != ';')
		return 0;
	*end = e - 1;
	return 1;
}

static int
db_script_stmt(struct hark_db *db, struct hark_buf *b, size_t line)
{
	char		 where[32];
	MYSQL_RES	*res;
	int		 rc;

	if (b->len == 0 || db_line_blank(b->data, b->data + b->len)) {
		hark_buf_reset(b);
		return HARK_DB_OK;
	}
	if (mysql_real_query(db->mysql, b->data, b->len) != 0) {
		rc = db_classify(mysql_errno(db->mysql));
		snprintf(where, sizeof(where), "line %zu: ", line);
		db_set_err(db, mysql_errno(db->mysql), where,
		    mysql_error(db->mysql));
		if (rc == DB_LOST) {
			db_lost(db);
			return HARK_DB_UNAVAILABLE;
		}
		return rc == DB_CONFLICT ? HARK_DB_RETRY : rc;
	}
	if ((res = mysql_store_result(db->mysql)) != NULL)
		mysql_free_result(res);
	hark_buf_reset(b);
	return HARK_DB_OK;
}

/* Puts the statement limit back after a script (a lost one comes back with
 * the next connection). */
static void
db_limit_restore(struct hark_db *db)
{
	char	 sql[64];

	if (db->mysql == NULL || db->broken)
		return;
	snprintf(sql, sizeof(sql), "SET SESSION max_statement_time = %u",
	    db->statement_timeout);
	if (db_simple(db, sql) == DB_LOST)
		db_lost(db);
}

/*
 * Splits on ';' at the end of a line; whole-line "--" comments and blank
 * statements are skipped.  Text after the last ';' runs as a statement too.
 */
int
hark_db_exec_script(struct hark_db *db, const char *text)
{
	struct hark_buf	 b = { NULL, 0, 0 };
	const char	*p = text, *nl, *end, *q;
	size_t		 line = 0, first = 0;
	int		 rc, last;

	if ((rc = hark_db_connect(db)) != HARK_DB_OK)
		return rc;
	/* A migration may rebuild a big table: no statement limit for it. */
	if ((rc = db_simple(db, "SET SESSION max_statement_time = 0")) !=
	    HARK_DB_OK) {
		if (rc == DB_LOST)
			db_lost(db);
		return rc == DB_LOST ? HARK_DB_UNAVAILABLE : HARK_DB_ERROR;
	}
	for (; *p != '\0'; p = nl + (*nl != '\0')) {
		line++;
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		for (q = p; q < nl && (*q == ' ' || *q == '\t'); q++)
			;
		if (nl - q >= 2 && q[0] == '-' && q[1] == '-')
			continue;
		if (b.len == 0 && db_line_blank(p, nl))
			continue;
		if (b.len == 0)
			first = line;
		end = nl;
		last = db_line_ends_stmt(p, &end);
		if (hark_buf_append(&b, p, (size_t)(end - p)) == -1 ||
		    hark_buf_append(&b, "\n", 1) == -1)
			goto nomem;
		if (last && (rc = db_script_stmt(db, &b, first)) != HARK_DB_OK)
			goto out;
	}
	rc = db_script_stmt(db, &b, first);
	goto out;
nomem:
	db_set_err(db, CR_OUT_OF_MEMORY, NULL, "out of memory");
	rc = HARK_DB_ERROR;
out:
	hark_buf_free(&b);
	db_limit_restore(db);
	return rc;
}

/* ---- introspection --------------------------------------------------- */

const char *
hark_db_errmsg(const struct hark_db *db)
{
	return db->errmsg[0] != '\0' ? db->errmsg : "no error";
}

unsigned int
hark_db_errno(const struct hark_db *db)
{
	return db->err;
}

void
hark_db_set_error(struct hark_db *db, unsigned int err, const char *msg)
{
	db_set_err(db, err, NULL, msg);
}

unsigned long long
hark_db_insert_id(const struct hark_db *db)
{
	return db->insert_id;
}

unsigned long
hark_db_generation(const struct hark_db *db)
{
	return db->gen;
}
