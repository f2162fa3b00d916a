/*
 * store_linear.c: the SQL of the Linear mirror: a project's link
 * (project_linear), audited when it changes, the issue stored on an item
 * (feedback.linear_issue_id, linear_issue_url).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "store_int.h"

static int
link_row(void *ctx, const struct hark_db_row *row)
{
	struct hark_linear_link	*l = ctx;

	store_copy_col(l->project_id, sizeof(l->project_id), row->vals[0]);
	store_copy_col(l->team_id, sizeof(l->team_id), row->vals[1]);
	store_copy_col(l->key_file, sizeof(l->key_file), row->vals[2]);
	store_copy_col(l->trigger_on, sizeof(l->trigger_on), row->vals[3]);
	store_copy_col(l->created_at, sizeof(l->created_at), row->vals[4]);
	store_copy_col(l->updated_at, sizeof(l->updated_at), row->vals[5]);
	return 1;
}

int
hark_store_linear_get(struct hark_db *db, const char *project_id,
    struct hark_linear_link *out)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(project_id) };
	int			 rc;

	memset(out, 0, sizeof(*out));
	rc = store_query(db, "SELECT project_id, team_id, key_file, trigger_on, "
	    "created_at, updated_at FROM project_linear WHERE project_id = ?",
	    a, NARGS(a), link_row, out);
	if (rc == 1)
		return HARK_STORE_OK;
	return rc == HARK_STORE_OK ? HARK_STORE_NOT_FOUND : rc;
}

static int
set_tx(struct hark_db *db, void *ctx)
{
	const struct hark_linear_link	*l = ctx;
	struct hark_db_val		 a[] = {
		HARK_DB_CSTR(l->project_id), HARK_DB_CSTR(l->team_id),
		HARK_DB_CSTR(l->key_file), HARK_DB_CSTR(l->trigger_on)
	};
	char				 detail[128];
	int				 rc;

	rc = hark_db_exec(db, "INSERT INTO project_linear (project_id, team_id, "
	    "key_file, trigger_on) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
	    "team_id = VALUES(team_id), key_file = VALUES(key_file), "
	    "trigger_on = VALUES(trigger_on)", a, NARGS(a), NULL);
	if (rc != HARK_DB_OK)
		return rc;
	/* The team and the trigger; the key file's path is no one's
	 * business in an audit trail. */
	snprintf(detail, sizeof(detail), "team=%s on=%s", l->team_id,
	    l->trigger_on);
	return store_audit_row(db, l->project_id, NULL, "linear_set", NULL,
	    detail);
}

int
hark_store_linear_set(struct hark_db *db, const struct hark_linear_link *l)
{
	return store_rc(hark_db_tx(db, set_tx, (void *)l));
}

static int
unset_tx(struct hark_db *db, void *ctx)
{
	const char		*project_id = ctx;
	struct hark_db_val	 a[] = { HARK_DB_CSTR(project_id) };
	unsigned long long	 affected = 0;
	int			 rc;

	rc = hark_db_exec(db, "DELETE FROM project_linear WHERE project_id = ?",
	    a, NARGS(a), &affected);
	if (rc != HARK_DB_OK)
		return rc;
	if (affected == 0)
		return HARK_STORE_NOT_FOUND;
	return store_audit_row(db, project_id, NULL, "linear_unset", NULL,
	    NULL);
}

int
hark_store_linear_unset(struct hark_db *db, const char *project_id)
{
	return store_rc(hark_db_tx(db, unset_tx, (void *)project_id));
}

int
hark_store_linear_issue_save(struct hark_db *db, const char *project_id,
    const char *feedback_id, const char *issue_id, const char *url)
{
	struct hark_db_val	 a[] = {
		HARK_DB_CSTR(issue_id), url[0] != '\0' ? HARK_DB_CSTR(url) :
		    HARK_DB_NULLV,
		HARK_DB_CSTR(project_id), HARK_DB_CSTR(feedback_id)
	};
	unsigned long long	 affected = 0;
	int			 rc, found = 0;

	rc = store_exec(db, "UPDATE feedback SET linear_issue_id = ?, "
	    "linear_issue_url = ? WHERE project_id = ? AND id = ? AND "
	    "linear_issue_id IS NULL", a, NARGS(a), &affected);
	if (rc != HARK_STORE_OK || affected > 0)
		return rc;
	/* Nothing matched: an issue was there already, or no item is. */
	rc = store_query(db, "SELECT 1 FROM feedback WHERE project_id = ? AND "
	    "id = ?", a + 2, 2, store_found_row, &found);
	if (rc != HARK_STORE_OK)
		return rc;
	return found ? HARK_STORE_OK : HARK_STORE_NOT_FOUND;
}
