/*
 * migrate.h: applies the numbered schema files (schema/NNN_name.sql) that the
 * database has not seen yet, recording each in schema_migrations.
 */
#ifndef HARK_MIGRATE_H
#define HARK_MIGRATE_H

#include <stddef.h>

struct hark_db;

/*
 * Applies, in numeric order, every NNN_name.sql file of schema_dir whose
 * version is not in schema_migrations, under the server lock 'hark_migrate'
 * so two hosts never migrate at once.  Safe to run again: a second run
 * applies nothing.  Returns 0 with *applied (may be NULL) set to the number
 * of files applied, or -1 with err filled ("001_init.sql: line 12: ...").
 * Files applied before a failure stay applied and recorded.
 */
int	hark_migrate_apply(struct hark_db *db, const char *schema_dir,
	    int *applied, char *err, size_t errlen);

/*
 * Sets *version to the highest applied version, 0 when none is (or the
 * schema_migrations table does not exist yet).  Returns HARK_STORE_OK or an
 * enum hark_store_rc error (hark_store_schema_version, kept for callers).
 */
int	hark_migrate_current(struct hark_db *db, int *version);

#endif
