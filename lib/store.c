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

