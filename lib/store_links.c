/*
 * store_links.c: an item's external link (schema/010_links.sql), set by the
 * MCP tool link_feedback, with the feedback.updated event a change to an
 * item raises, in one transaction.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "db.h"
#include "store.h"
#include "store_int.h"

struct link_tx {
	const char	*project_id, *id;
	const char	*url, *title;
	size_t		 url_len, title_len;
	const char	*actor_key_id, *actor_addr;
	int		 found;
};

static int
link_body(struct hark_db *db, void *ctx)
{
	struct link_tx		*t = ctx;
	struct hark_db_val	 k[] = {
		HARK_DB_CSTR(t->project_id), HARK_DB_CSTR(t->id)
	};
	struct hark_db_val	 a[] = {
		HARK_DB_STR(t->url, t->url_len),
		store_opt_str(t->title, t->title_len),
		HARK_DB_CSTR(t->project_id), HARK_DB_CSTR(t->id)
	};
	int			 rc;

	t->found = 0;
	rc = hark_db_query(db, "SELECT id FROM feedback WHERE project_id = ? "
	    "AND id = ? FOR UPDATE", k, NARGS(k), store_found_row, &t->found);
	if (rc != HARK_DB_OK || !t->found)
		return rc;
	rc = hark_db_exec(db, "UPDATE feedback SET link_url = ?, link_title = "
	    "?, updated_at = UTC_TIMESTAMP(6) WHERE project_id = ? AND id = ?",
	    a, NARGS(a), NULL);
	/*
	 * As a PATCH: the audit row (what changed, not the URL or title it
	 * carried) and the event go with the change, or nothing does.
	 */
	if (rc == HARK_DB_OK) {
		char	 detail[96];

		snprintf(detail, sizeof(detail), "%s: link%s", t->id,
		    t->title != NULL ? " title" : "");
		rc = store_audit_row(db, t->project_id, t->actor_key_id,
		    "feedback_link", t->actor_addr, detail);
	}
	if (rc == HARK_DB_OK)
		rc = store_notify_enqueue(db, t->project_id, t->id, NULL,
		    HARK_EVENT_UPDATED, false, false);
	return rc;
}

int
hark_store_feedback_link(struct hark_db *db, const char *project_id,
    const char *id, const char *url, size_t url_len, const char *title,
    size_t title_len, const char *actor_key_id, const char *actor_addr)
{
	struct link_tx	 t;
	int		 rc;

	memset(&t, 0, sizeof(t));
	t.project_id = project_id;
	t.id = id;
	t.url = url;
	t.url_len = url_len;
	t.title = title;
	t.title_len = title_len;
	t.actor_key_id = actor_key_id;
	t.actor_addr = actor_addr;
	rc = store_rc(hark_db_tx(db, link_body, &t));
	if (rc != HARK_STORE_OK)
		return rc;
	return t.found ? HARK_STORE_OK : HARK_STORE_NOT_FOUND;
}
