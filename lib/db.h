/*
 * db.h: hark's only door to MariaDB.
 *
 * One struct hark_db per process (workers open theirs after fork).  Every
 * statement is a prepared statement, cached per connection by its SQL text.
 * A lost connection is reopened with bounded retries; a transaction that
 * fails at commit with a certification conflict (Galera 1213, 1180, 1047) or a
 * lost connection is retried whole by hark_db_tx, so callers make their ids
 * before the INSERT and treat meeting their own row as success.
 */
#ifndef HARK_DB_H
#define HARK_DB_H

#include <stddef.h>

struct hark_conf;
struct hark_db;

/*
 * The values shared with enum hark_store_rc (lib/store.h) are equal, so the
 * store hands them on unchanged; HARK_DB_RETRY is the db layer's own and the
 * store turns it into HARK_STORE_UNAVAILABLE.
 */
enum hark_db_rc {
	HARK_DB_OK = 0,
	HARK_DB_UNAVAILABLE = -1,	/* cannot reach the server: answer 503 */
	HARK_DB_OUTCOME_UNKNOWN = -2,	/* a write sent, then the connection
					 * died: it may have committed */
	HARK_DB_DUPLICATE = -3,		/* unique key violated (1062) */
	HARK_DB_ERROR = -4,		/* anything else: a bug or a bad schema */
	HARK_DB_TIMEOUT = -6,		/* ran into [database] statement_timeout
					 * or read_timeout: never run again */
	HARK_DB_RETRY = -10		/* conflict, or a transaction's
					 * connection lost before COMMIT */
};

enum hark_db_type {
	HARK_DB_T_NULL = 0,
	HARK_DB_T_STR,			/* bytes, not necessarily NUL-terminated */
	HARK_DB_T_INT			/* long long */
};

/* One bound parameter.  Strings are borrowed for the call only. */
struct hark_db_val {
	enum hark_db_type	 type;
	const char		*s;
	size_t			 len;
	long long		 i;
};

#define HARK_DB_NULLV		((struct hark_db_val){ .type = HARK_DB_T_NULL })
#define HARK_DB_STR(p, n)	((struct hark_db_val){ .type = HARK_DB_T_STR, .s = (p), .len = (n) })
#define HARK_DB_CSTR(p)		hark_db_cstr(p)
#define HARK_DB_INT(v)		((struct hark_db_val){ .type = HARK_DB_T_INT, .i = (v) })

/*
 * One result row as text, as MariaDB renders each column.  vals[i] is NULL for
 * SQL NULL, else NUL-terminated with lens[i] bytes (which may hold NULs).
 * Valid only during the callback.
 */
struct hark_db_row {
	unsigned int		 ncols;
	const char *const	*vals;
	const unsigned long	*lens;
};

/* Returns 0 to continue, non-zero to stop the query (that value is returned). */
typedef int	(*hark_db_row_fn)(void *ctx, const struct hark_db_row *row);
/* The body of a transaction; returns HARK_DB_OK or an error code. */
typedef int	(*hark_db_tx_fn)(struct hark_db *db, void *ctx);

/* Once per process, before fork: mysql_library_init / mysql_library_end. */
int		 hark_db_library_init(void);
void		 hark_db_library_end(void);

/* Makes a handle; no connection is made until first use.  NULL on ENOMEM. */
struct hark_db	*hark_db_new(const struct hark_conf *conf);
void		 hark_db_free(struct hark_db *db);

/* Connects now if not connected. */
int		 hark_db_connect(struct hark_db *db);
/* Round trip to the server (reconnecting if needed). */
int		 hark_db_ping(struct hark_db *db);

/*
 * Runs a statement that returns no rows; *affected may be NULL.  Outside a
 * transaction the statement is its own (autocommit: one round trip) and is
 * retried after a lost connection or a conflict; as the outcome of the lost
 * attempt is unknown, a retried INSERT may meet its own row
 * (HARK_DB_DUPLICATE) and a retried DELETE may find nothing left: callers
 * with hark-made ids check for that.
 */
int		 hark_db_exec(struct hark_db *db, const char *sql,
		    const struct hark_db_val *args, size_t nargs,
		    unsigned long long *affected);
/* Runs a query, calling fn for each row. */
int		 hark_db_query(struct hark_db *db, const char *sql,
		    const struct hark_db_val *args, size_t nargs,
		    hark_db_row_fn fn, void *ctx);

int		 hark_db_begin(struct hark_db *db);
int		 hark_db_commit(struct hark_db *db);
int		 hark_db_rollback(struct hark_db *db);
/*
 * BEGIN, fn, COMMIT; the whole of it retried on HARK_DB_RETRY and on a COMMIT
 * whose outcome is unknown (callers make their ids first), bounded.  When
 * the retries run out after such a COMMIT: HARK_DB_OUTCOME_UNKNOWN.
 */
int		 hark_db_tx(struct hark_db *db, hark_db_tx_fn fn, void *ctx);

/* Runs a migration file's statements in order (admin use only: no params). */
int		 hark_db_exec_script(struct hark_db *db, const char *text);

/* The last server error, for logs: never holds bound values. */
const char	*hark_db_errmsg(const struct hark_db *db);
unsigned int	 hark_db_errno(const struct hark_db *db);
/* Records another process's error (the commit queue's writer) as this one's. */
void		 hark_db_set_error(struct hark_db *db, unsigned int err,
		    const char *msg);

/*
 * Notes on the functions above:
 * - Outside a transaction a lost connection or a conflict is retried
 *   conf->db_retries times after the first attempt (50, 100, 200 ms ...
 *   apart); a server that stays unreachable gives HARK_DB_UNAVAILABLE.
 * - Every statement runs under the server's max_statement_time, set from
 *   [database] statement_timeout on each connection: a statement that runs
 *   into it fails with HARK_DB_TIMEOUT (MariaDB has stopped it) and is not
 *   run again.  A statement whose answer does not come within read_timeout
 *   is not run again either: a query gives HARK_DB_TIMEOUT, a write
 *   HARK_DB_OUTCOME_UNKNOWN.  hark_db_commit on a connection that dies
 *   gives HARK_DB_OUTCOME_UNKNOWN; so does hark_db_exec when an attempt was
 *   sent and lost and no retry could reach the server.
 * - Affected rows count matched rows (CLIENT_FOUND_ROWS): an UPDATE that
 *   finds its row but changes nothing reports 1.
 * - Every column arrives as text; DATETIME(6) as "YYYY-MM-DD hh:mm:ss.ffffff"
 *   in UTC (the session time zone is +00:00).
 * - Rows are buffered before the first callback, so a callback may run other
 *   statements (even the same SQL) on the same handle.
 * - hark_db_errmsg keeps the last error until another one replaces it; quoted
 *   values in server messages (duplicate entries...) are cut out.
 */

/* Closes the connection now (e.g. before fork); the next call reconnects. */
void		 hark_db_disconnect(struct hark_db *db);
/* The AUTO_INCREMENT id made by the last successful hark_db_exec, or 0. */
unsigned long long hark_db_insert_id(const struct hark_db *db);
/*
 * Counts connections made by this handle: a change between two calls means
 * the connection was reopened and session state (GET_LOCK, variables) lost.
 */
unsigned long	 hark_db_generation(const struct hark_db *db);

struct hark_db_val hark_db_cstr(const char *s);

#endif
