/*
 * store_sessions.c: a widget session's state (the sessions row of its
 * latest submission, schema/001_init.sql) and identify's backfill of its
 * anonymous feedback rows.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "store.h"
#include "store_int.h"
#include "uuid.h"

void
hark_session_state_clear(struct hark_session_state *s)
{
	free(s->transcript);
	free(s->error);
	memset(s, 0, sizeof(*s));
}

/*
 * The session's id as sent and in lower case: sessions and feedback keep
 * the id as the uploader stored it, which is either (a widget sends the
 * same string each time; lower case is the canonical form, lib/uuid.h).
 * false when it is no UUID.
 */
static bool
session_ids(const char *session_id, char canon[HARK_UUID_LEN + 1])
{
	return hark_uuid_canon(session_id, strlen(session_id), canon);
}

/* A public key's source, or NULL (bound as SQL NULL: any source). */
static struct hark_db_val
source_val(const char *source_id)
{
	return source_id != NULL && source_id[0] != '\0' ?
	    HARK_DB_CSTR(source_id) : HARK_DB_NULLV;
}

struct state_ctx {
	struct hark_session_state	*out;
	int				 found;
	int				 nomem;
};

/* status, feedback_id, transcript, error, whether the feedback row is there */
static int
state_row(void *ctx, const struct hark_db_row *row)
{
	struct state_ctx		*c = ctx;
	struct hark_session_state	*s = c->out;
	const char			*st = row->vals[0];

	if (st == NULL)
		return HARK_DB_ERROR;
	if (strcmp(st, "done") == 0) {
		/* Its item was deleted since: nothing is left to show. */
		if (row->vals[1] == NULL || row->vals[4] == NULL ||
		    strcmp(row->vals[4], "1") != 0)
			return 1;
		s->status = HARK_SESSION_DONE;
		store_copy_col(s->feedback_id, sizeof(s->feedback_id),
		    row->vals[1]);
		if (row->vals[2] != NULL && (s->transcript =
		    store_dup_col(row, 2, &s->transcript_len)) == NULL)
			goto nomem;
	} else if (strcmp(st, "error") == 0) {
		s->status = HARK_SESSION_ERROR;
		if (row->vals[3] != NULL &&
		    (s->error = store_dup_col(row, 3, &s->error_len)) == NULL)
			goto nomem;
	} else if (strcmp(st, "processing") == 0) {
		s->status = HARK_SESSION_PROCESSING;
	} else
		return HARK_DB_ERROR;	/* the ENUM grew: a schema ahead */
	c->found = 1;
	return 1;
nomem:
	c->nomem = 1;
	return 1;
}

int
hark_store_session_state(struct hark_db *db, const char *project_id,
    const char *source_id, const char *session_id,
    struct hark_session_state *out)
{
	char			 canon[HARK_UUID_LEN + 1];
	struct hark_db_val	 a[5];
	struct state_ctx	 c = { out, 0, 0 };
	int			 rc;

	memset(out, 0, sizeof(*out));
	if (!session_ids(session_id, canon))
		return HARK_STORE_NOT_FOUND;
	/* Bound once canon is written: a string value takes its length. */
	a[0] = HARK_DB_CSTR(project_id);
	a[1] = HARK_DB_CSTR(session_id);
	a[2] = HARK_DB_CSTR(canon);
	a[3] = source_val(source_id);
	a[4] = source_val(source_id);
	/*
	 * The transcript is the session's own when the uploader kept it, else
	 * the text of the item it filed.  An expired row is absent, swept by
	 * hark-batch or not.  Of two rows (the id stored in both cases), the
	 * one written last.
	 */
	rc = store_query(db, "SELECT s.status, s.feedback_id, "
	    "COALESCE(s.transcript, f.text), s.error, f.id IS NOT NULL "
	    "FROM sessions s LEFT JOIN feedback f ON f.id = s.feedback_id "
	    "AND f.project_id = s.project_id WHERE s.project_id = ? AND "
	    "s.session_id IN (?, ?) AND s.expires_at > UTC_TIMESTAMP(6) AND "
	    "(? IS NULL OR s.source_id = ?) ORDER BY s.updated_at DESC "
	    "LIMIT 1", a, NARGS(a), state_row, &c);
	if (rc == 1)
		rc = HARK_STORE_OK;
	if (rc == HARK_STORE_OK && c.nomem)
		rc = HARK_STORE_NOMEM;
	else if (rc == HARK_STORE_OK && !c.found)
		rc = HARK_STORE_NOT_FOUND;
	if (rc != HARK_STORE_OK)
		hark_session_state_clear(out);
	return rc;
}

struct identify_tx {
	const char				*project_id;
	const char				*source_id;
	const char				*session_id;
	const char				*canon;
	const struct hark_session_identity	*id;
	unsigned long long			 updated;
};

/*
 * hark_db_exec rather than store_exec: a conflict must reach hark_db_tx as
 * HARK_DB_RETRY, which reruns the whole body.
 */
static int
identify_tx_body(struct hark_db *db, void *ctx)
{
	struct identify_tx			*t = ctx;
	const struct hark_session_identity	*id = t->id;
	struct hark_db_val			 fb[] = {
		store_opt_str(id->user_id, id->user_id_len),
		store_opt_str(id->email, id->email_len),
		store_opt_str(id->name, id->name_len),
		store_opt_str(id->traits, id->traits_len),
		HARK_DB_CSTR(t->project_id), HARK_DB_CSTR(t->session_id),
		HARK_DB_CSTR(t->canon), source_val(t->source_id),
		source_val(t->source_id)
	};
	struct hark_db_val			 se[] = {
		store_opt_str(id->json, id->json_len),
		HARK_DB_CSTR(t->project_id), HARK_DB_CSTR(t->session_id),
		HARK_DB_CSTR(t->canon), source_val(t->source_id),
		source_val(t->source_id)
	};
	int					 rc;

	t->updated = 0;
	/* Matched rows are counted (CLIENT_FOUND_ROWS): each one is filled. */
	rc = hark_db_exec(db, "UPDATE feedback SET user_id = ?, "
	    "user_email = ?, user_name = ?, user_traits = ? WHERE "
	    "project_id = ? AND session_id IN (?, ?) AND user_id IS NULL AND "
	    "user_email IS NULL AND user_name IS NULL AND "
	    "(? IS NULL OR source_id = ?)", fb, NARGS(fb), &t->updated);
	if (rc != HARK_DB_OK)
		return rc;
	return hark_db_exec(db, "UPDATE sessions SET identity = ? WHERE "
	    "project_id = ? AND session_id IN (?, ?) AND "
	    "(? IS NULL OR source_id = ?)", se, NARGS(se), NULL);
}

/*
 * A commit whose outcome was unknown is run again by hark_db_tx: if the
 * first one did commit, the rerun finds no anonymous row left and reports
 * 0.  The count may then fall short; the rows are filled once either way.
 */
int
hark_store_session_identify(struct hark_db *db, const char *project_id,
    const char *source_id, const char *session_id,
    const struct hark_session_identity *id, unsigned long long *updated)
{
	char			 canon[HARK_UUID_LEN + 1];
	struct identify_tx	 t = {
		project_id, source_id, session_id, canon, id, 0
	};
	int			 rc;

	*updated = 0;
	if (!session_ids(session_id, canon))
		return HARK_STORE_OK;	/* no UUID names no row */
	rc = store_rc(hark_db_tx(db, identify_tx_body, &t));
	if (rc == HARK_STORE_OK)
		*updated = t.updated;
	return rc;
}
