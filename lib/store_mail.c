/* store_mail.c: what an email to a submitter reads besides its item and comment: the project's name. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "store.h"
#include "store_int.h"

struct dup_ctx {
	char	*s;
	size_t	 len;
	int	 found;
	int	 nomem;
};

static int
dup_row(void *ctx, const struct hark_db_row *row)
{
	struct dup_ctx	*d = ctx;

	d->found = 1;
	if (row->vals[0] == NULL)
		return 0;
	if ((d->s = store_dup_col(row, 0, &d->len)) == NULL)
		d->nomem = 1;
	return 0;
}

static int
dup_query(struct hark_db *db, const char *sql, struct hark_db_val *a,
    size_t n, char **out, size_t *len)
{
	struct dup_ctx	 d = { NULL, 0, 0, 0 };
	int		 rc;

	*out = NULL;
	if (len != NULL)
		*len = 0;
	rc = store_query(db, sql, a, n, dup_row, &d);
	if (rc != HARK_STORE_OK || d.nomem) {
		free(d.s);
		return rc != HARK_STORE_OK ? rc : HARK_STORE_ERROR;
	}
	if (!d.found)
		return HARK_STORE_NOT_FOUND;
	*out = d.s;
	if (len != NULL)
		*len = d.len;
	return HARK_STORE_OK;
}

int
hark_store_project_name(struct hark_db *db, const char *id, char **name)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(id) };

	return dup_query(db, "SELECT name FROM projects WHERE id = ?", a,
	    NARGS(a), name, NULL);
}
