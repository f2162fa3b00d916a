/*
 * store_int.h: what the lib/store*.c files share and nobody else sees: the
 * bounded SQL builder, the row helpers and the mapping of db results onto
 * enum hark_store_rc.
 */
#ifndef HARK_STORE_INT_H
#define HARK_STORE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "db.h"
#include "store.h"

#define NARGS(a)		(sizeof(a) / sizeof((a)[0]))

#define STORE_SQL_MAX		1536	/* the longest statement built */
#define STORE_SQL_MAXARGS	16

/*
 * A statement assembled from fixed fragments and its bound values.  A
 * fragment or value that does not fit sets overflow and is dropped: the
 * statement is then never run (store_sql_run answers HARK_STORE_ERROR), so
 * a filter added later cannot be cut off silently.
 */
struct store_sql {
	char			 text[STORE_SQL_MAX];
	size_t			 len;
	struct hark_db_val	 args[STORE_SQL_MAXARGS];
	size_t			 nargs;
	int			 overflow;
};

void	store_sql_init(struct store_sql *);
/* Appends a fragment; returns -1 (and sets overflow) when it does not fit. */
int	store_sql_add(struct store_sql *, const char *fragment);
/* Binds the next '?'; -1 and overflow when the array is full. */
int	store_sql_arg(struct store_sql *, struct hark_db_val);
/* Both at once: " AND status = ?" with its value. */
int	store_sql_filter(struct store_sql *, const char *fragment,
	    struct hark_db_val);
/* Runs it as a query (HARK_STORE_ERROR without running on overflow). */
int	store_sql_query(struct hark_db *, const struct store_sql *,
	    hark_db_row_fn, void *ctx);

/* A db result as a store result: the shared values pass, RETRY is 503. */
int	store_rc(int db_rc);
/* hark_db_query / hark_db_exec with their result through store_rc. */
int	store_query(struct hark_db *, const char *sql,
	    const struct hark_db_val *, size_t, hark_db_row_fn, void *ctx);
int	store_exec(struct hark_db *, const char *sql,
	    const struct hark_db_val *, size_t, unsigned long long *affected);

/* Row helpers: the column as a C string / a malloc'd copy (NULL stays NULL). */
void	store_copy_col(char *dst, size_t size, const char *src);
char	*store_dup_col(const struct hark_db_row *, unsigned i, size_t *len);
struct hark_db_val store_opt_str(const char *s, size_t len);
/* A row callback that records that a row came. */
int	store_found_row(void *ctx, const struct hark_db_row *);
/* A write that must find its row (see lib/store.c). */
int	store_exec_found(struct hark_db *, const char *sql,
	    const struct hark_db_val *, size_t);

/*
 * The FULLTEXT phrase for q: '+"words"' with q's '"' and control bytes made
 * spaces, or 0 when q holds no word the index can serve (none of 3 or more
 * ASCII letters, digits or '_'; or a word longer than the index keeps), in
 * which case the store searches the newest rows only.  -1 when out is too
 * small.
 */
int	store_search_phrase(const char *q, size_t qlen, char *out,
	    size_t outsize, size_t *outlen);

/* Inside a transaction: an audit_log row (hark_store_audit's). */
int	store_audit_row(struct hark_db *, const char *project_id,
	    const char *key_id, const char *action, const char *remote_addr,
	    const char *detail);

/*
 * Inside a transaction: a notify job for the event type (HARK_EVENT_*) of
 * the item (and comment), which hark-batch fans out (store_notify.c).
 */
int	store_notify_enqueue(struct hark_db *, const char *project_id,
	    const char *feedback_id, const char *comment_id, const char *type,
	    bool notify_submitter, bool mirror);
/* Inside a transaction: feedback.triaged, when the project's Linear waits. */
int	store_notify_triaged(struct hark_db *, const char *project_id,
	    const char *feedback_id);

/*
 * Inside a transaction: a multipart submission's rows besides its feedback
 * row (media, jobs, its session), a db result (store_submission.c).
 */
int	store_submission_parts(struct hark_db *,
	    const struct hark_store_submission *);

#define STORE_SEARCH_WINDOW	5000	/* newest rows a word-less q scans */
#define STORE_FT_MIN_WORD	3	/* innodb_ft_min_token_size */
#define STORE_FT_MAX_WORD	84	/* innodb_ft_max_token_size */

#endif
