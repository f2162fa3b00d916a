/*
 * store_schema.c: schema_migrations and the migration lock, for lib/migrate
 * and the health check, so that neither talks to lib/db.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "store.h"
#include "store_int.h"

#define ER_NO_SUCH_TABLE_	1146
#define ER_NOT_SUPPORTED_YET_	1235		/* GET_LOCK on Galera */

/* Kept identical to its definition in schema/001_init.sql. */
static const char migrations_table_sql[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations (\n"
    "  version INT UNSIGNED NOT NULL,\n"
    "  name VARCHAR(255) NOT NULL,\n"
    "  applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),\n"
    "  PRIMARY KEY (version)\n"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;\n";

/* Row callback: copies the first column as a long; NULL leaves it. */
static int
long_row(void *ctx, const struct hark_db_row *row)
{
	long	*out = ctx;

	if (row->ncols > 0 && row->vals[0] != NULL)
		*out = strtol(row->vals[0], NULL, 10);
	return 0;
}

int
hark_store_schema_version(struct hark_db *db, int *version)
{
	long	 got = 0;
	int	 rc;

	*version = 0;
	rc = store_query(db, "SELECT COALESCE(MAX(version), 0) FROM "
	    "schema_migrations", NULL, 0, long_row, &got);
	if (rc != HARK_STORE_OK && hark_db_errno(db) == ER_NO_SUCH_TABLE_)
		return HARK_STORE_OK;
	if (rc == HARK_STORE_OK)
		*version = (int)got;
	return rc;
}

int
hark_store_migrations_table(struct hark_db *db)
{
	return store_rc(hark_db_exec_script(db, migrations_table_sql));
}

int
hark_store_migration_applied(struct hark_db *db, int version, bool *applied)
{
	struct hark_db_val	 arg = HARK_DB_INT(version);
	long			 got = -1;
	int			 rc;

	rc = store_query(db, "SELECT COUNT(*) FROM schema_migrations "
	    "WHERE version = ?", &arg, 1, long_row, &got);
	*applied = got > 0;
	return rc;
}

int
hark_store_migration_run(struct hark_db *db, const char *text)
{
	return store_rc(hark_db_exec_script(db, text));
}

int
hark_store_migration_record(struct hark_db *db, int version, const char *name)
{
	struct hark_db_val	 a[] = { HARK_DB_INT(version), HARK_DB_CSTR(name) };
	int			 rc;

	rc = store_exec(db, "INSERT INTO schema_migrations (version, name) "
	    "VALUES (?, ?)", a, NARGS(a), NULL);
	return rc == HARK_STORE_DUPLICATE ? HARK_STORE_OK : rc;
}

int
hark_store_lock(struct hark_db *db, const char *name, int wait, int *held)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(name), HARK_DB_INT(wait) };
	long			 got = -1;
	int			 rc;

	*held = 0;
	rc = store_query(db, "SELECT GET_LOCK(?, ?)", a, NARGS(a), long_row,
	    &got);
	if (rc != HARK_STORE_OK && hark_db_errno(db) == ER_NOT_SUPPORTED_YET_) {
		*held = -1;
		return HARK_STORE_OK;
	}
	if (rc == HARK_STORE_OK)
		*held = got == 1;
	return rc;
}

void
hark_store_unlock(struct hark_db *db, const char *name)
{
	struct hark_db_val	 arg = HARK_DB_CSTR(name);
	long			 got = -1;

	store_query(db, "SELECT RELEASE_LOCK(?)", &arg, 1, long_row, &got);
}
