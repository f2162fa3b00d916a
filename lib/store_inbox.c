/*
 * store_inbox.c: working the inbox: an item's status, priority, resolution,
 * labels and a person's category changed in one transaction (PATCH), and
 * its comments.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "store.h"
#include "store_int.h"

struct patch_tx {
	const char			*project_id, *id;
	const struct hark_feedback_patch *p;
	const char			*if_match;	/* an updated_at, or NULL */
	int				 precondition_failed;
	int				 found;
	char				 status[32];
	char				 updated_at[HARK_STORE_TS_SIZE];
};

static int
current_row(void *ctx, const struct hark_db_row *row)
{
	struct patch_tx	*t = ctx;

	t->found = 1;
	store_copy_col(t->status, sizeof(t->status), row->vals[0]);
	store_copy_col(t->updated_at, sizeof(t->updated_at), row->vals[1]);
	return 0;
}

static int
resolved(const char *status)
{
	return strcmp(status, "done") == 0 || strcmp(status, "canceled") == 0;
}

static int
patch_labels(struct hark_db *db, const struct patch_tx *t)
{
	struct hark_db_val	 d[] = { HARK_DB_CSTR(t->id) };
	size_t			 i;
	int			 rc;

	rc = hark_db_exec(db, "DELETE FROM feedback_labels WHERE feedback_id = ?",
	    d, NARGS(d), NULL);
	for (i = 0; rc == HARK_DB_OK && i < t->p->nlabels; i++) {
		struct hark_db_val a[] = {
			HARK_DB_CSTR(t->id), HARK_DB_CSTR(t->p->labels[i])
		};

		/* IGNORE: the caller dropped duplicates; a retry meets its own. */
		rc = hark_db_exec(db, "INSERT IGNORE INTO feedback_labels "
		    "(feedback_id, label) VALUES (?, ?)", a, NARGS(a), NULL);
	}
	return rc;
}

/* What a PATCH changed, for its audit row: names and vocabulary, no text. */
static void
patch_detail(const struct patch_tx *t, char *out, size_t len)
{
	const struct hark_feedback_patch	*p = t->p;
	int					 n;

	n = snprintf(out, len, "%s:", t->id);
	if (n < 0 || (size_t)n >= len)
		return;
	if (p->status != NULL)
		n += snprintf(out + n, len - (size_t)n, " status=%s", p->status);
	if (p->priority_set && (size_t)n < len)
		n += snprintf(out + n, len - (size_t)n, " priority=%d",
		    p->priority);
	if (p->note_set && (size_t)n < len)
		n += snprintf(out + n, len - (size_t)n, " resolutionNote");
	if (p->labels_set && (size_t)n < len)
		n += snprintf(out + n, len - (size_t)n, " labels=%zu",
		    p->nlabels);
	if (p->category != NULL && (size_t)n < len)
		n += snprintf(out + n, len - (size_t)n, " category=%s",
		    p->category);
	if (p->quarantined >= 0 && (size_t)n < len)
		snprintf(out + n, len - (size_t)n, " quarantined=%s",
		    p->quarantined ? "true" : "false");
}

static int
patch_body(struct hark_db *db, void *ctx)
{
	struct patch_tx			*t = ctx;
	const struct hark_feedback_patch *p = t->p;
	struct hark_db_val		 k[] = {
		HARK_DB_CSTR(t->project_id), HARK_DB_CSTR(t->id)
	};
	const char			*status;
	int				 was, now, rc;

	t->found = 0;
	t->precondition_failed = 0;
	rc = hark_db_query(db, "SELECT status, updated_at FROM feedback WHERE "
	    "project_id = ? AND id = ? FOR UPDATE", k, NARGS(k), current_row, t);
	if (rc != HARK_DB_OK || !t->found)
		return rc;
	if (t->if_match != NULL && strcmp(t->if_match, t->updated_at) != 0) {
		t->precondition_failed = 1;
		return HARK_DB_OK;
	}
	status = p->status != NULL ? p->status : t->status;
	was = resolved(t->status);
	now = resolved(status);
	{
		struct hark_db_val a[] = {
			HARK_DB_CSTR(status),
			HARK_DB_INT(p->priority_set), p->priority >= 0 ?
			    HARK_DB_INT(p->priority) : HARK_DB_NULLV,
			/* Moving back out of done/canceled clears the note. */
			HARK_DB_INT(p->note_set || (was && !now)),
			p->note_set && p->note != NULL ?
			    HARK_DB_STR(p->note, p->note_len) : HARK_DB_NULLV,
			HARK_DB_INT(now && !was), HARK_DB_INT(!now),
			HARK_DB_INT(p->category != NULL),
			p->category != NULL ? HARK_DB_CSTR(p->category) :
			    HARK_DB_NULLV,
			HARK_DB_INT(p->category != NULL),
			HARK_DB_INT(p->quarantined >= 0),
			HARK_DB_INT(p->quarantined > 0),
			HARK_DB_CSTR(t->project_id), HARK_DB_CSTR(t->id)
		};

		rc = hark_db_exec(db, "UPDATE feedback SET status = ?, "
		    "priority = IF(?, ?, priority), "
		    "resolution_note = IF(?, ?, resolution_note), "
		    "resolved_at = IF(?, UTC_TIMESTAMP(6), IF(?, NULL, "
		    "resolved_at)), "
		    "category = IF(?, ?, category), "
		    "triaged_by = IF(?, 'human', triaged_by), "
		    "quarantined = IF(?, ?, quarantined), "
		    "updated_at = UTC_TIMESTAMP(6) "
		    "WHERE project_id = ? AND id = ?", a, NARGS(a), NULL);
	}
	if (rc == HARK_DB_OK && p->labels_set)
		rc = patch_labels(db, t);
	/* The events and the audit row go with the change, or nothing does. */
	if (rc == HARK_DB_OK) {
		char	 detail[256];

		patch_detail(t, detail, sizeof(detail));
		rc = store_audit_row(db, t->project_id, p->actor_key_id,
		    "feedback_update", p->actor_addr, detail);
	}
	if (rc == HARK_DB_OK)
		rc = store_notify_enqueue(db, t->project_id, t->id, NULL,
		    HARK_EVENT_UPDATED, false, false);
	if (rc == HARK_DB_OK && now && !was)
		rc = store_notify_enqueue(db, t->project_id, t->id, NULL,
		    HARK_EVENT_RESOLVED, false, false);
	return rc;
}

int
hark_store_feedback_patch(struct hark_db *db, const char *project_id,
    const char *id, const struct hark_feedback_patch *p, const char *if_match)
{
	struct patch_tx	 t;
	int		 rc;

	memset(&t, 0, sizeof(t));
	t.project_id = project_id;
	t.id = id;
	t.p = p;
	t.if_match = if_match;
	rc = store_rc(hark_db_tx(db, patch_body, &t));
	if (rc != HARK_STORE_OK)
		return rc;
	if (!t.found)
		return HARK_STORE_NOT_FOUND;
	return t.precondition_failed ? HARK_STORE_CONFLICT : HARK_STORE_OK;
}

/* ---- comments ---- */

struct comment_tx {
	const char			*project_id;
	const struct hark_comment	*c;
	bool				 notify_submitter, mirror;
	int				 found;
};

static int
comment_body(struct hark_db *db, void *ctx)
{
	struct comment_tx		*t = ctx;
	const struct hark_comment	*c = t->c;
	struct hark_db_val		 a[] = {
		HARK_DB_CSTR(c->id), HARK_DB_STR(c->body, c->body_len),
		HARK_DB_CSTR(c->author_type),
		store_opt_str(c->author_id, c->author_id_len),
		HARK_DB_CSTR(c->created_at), HARK_DB_CSTR(c->feedback_id),
		HARK_DB_CSTR(t->project_id)
	};
	unsigned long long		 n = 0;
	int				 rc;

	/* Only onto an item of the key's project: none inserted is 404. */
	rc = hark_db_exec(db, "INSERT INTO comments (id, feedback_id, body, "
	    "author_type, author_id, created_at) SELECT ?, f.id, ?, ?, ?, ? "
	    "FROM feedback f WHERE f.id = ? AND f.project_id = ?", a, NARGS(a),
	    &n);
	if (rc == HARK_DB_DUPLICATE) {
		/* Our own row, from a retried COMMIT: its event went with it. */
		t->found = 1;
		return HARK_DB_OK;
	}
	if (rc != HARK_DB_OK || (t->found = n == 1) == 0)
		return rc;
	{
		char	 detail[128];

		snprintf(detail, sizeof(detail), "%s: %s authorType=%s",
		    c->feedback_id, c->id, c->author_type);
		rc = store_audit_row(db, t->project_id, c->actor_key_id,
		    "comment_create", c->actor_addr, detail);
	}
	if (rc != HARK_DB_OK)
		return rc;
	return store_notify_enqueue(db, t->project_id, c->feedback_id, c->id,
	    HARK_EVENT_COMMENT, t->notify_submitter, t->mirror);
}

int
hark_store_comment_insert(struct hark_db *db, const char *project_id,
    const struct hark_comment *c, bool notify_submitter, bool mirror)
{
	struct comment_tx	 t = { project_id, c, notify_submitter, mirror, 0 };
	int			 rc;

	rc = store_rc(hark_db_tx(db, comment_body, &t));
	if (rc != HARK_STORE_OK)
		return rc;
	return t.found ? HARK_STORE_OK : HARK_STORE_NOT_FOUND;
}

struct comment_ctx {
	hark_comment_fn	 fn;
	void		*ctx;
	int		*seen;		/* counts rows, when not NULL */
};

static int
comment_row(void *ctx, const struct hark_db_row *row)
{
	struct comment_ctx	*cc = ctx;
	struct hark_comment	 c;

	if (cc->seen != NULL)
		(*cc->seen)++;
	memset(&c, 0, sizeof(c));
	store_copy_col(c.id, sizeof(c.id), row->vals[0]);
	store_copy_col(c.feedback_id, sizeof(c.feedback_id), row->vals[1]);
	c.body = row->vals[2] != NULL ? row->vals[2] : "";
	c.body_len = row->vals[2] != NULL ? row->lens[2] : 0;
	c.author_type = row->vals[3] != NULL ? row->vals[3] : "human";
	c.author_id = row->vals[4];
	c.author_id_len = row->vals[4] != NULL ? row->lens[4] : 0;
	store_copy_col(c.created_at, sizeof(c.created_at), row->vals[5]);
	return cc->fn(cc->ctx, &c);
}

int
hark_store_comment_list(struct hark_db *db, const char *project_id,
    const char *feedback_id, const char *after_id, unsigned limit,
    hark_comment_fn fn, void *ctx, bool *item_found)
{
	struct hark_db_val	 k[] = {
		HARK_DB_CSTR(project_id), HARK_DB_CSTR(feedback_id)
	};
	struct comment_ctx	 cc = { fn, ctx, NULL };
	struct store_sql	 b;
	int			 found = 0, rc;

	*item_found = false;
	rc = store_query(db, "SELECT 1 FROM feedback WHERE project_id = ? AND "
	    "id = ?", k, NARGS(k), store_found_row, &found);
	if (rc != HARK_STORE_OK)
		return rc;
	if (!found)
		return HARK_STORE_NOT_FOUND;
	*item_found = true;
	store_sql_init(&b);
	store_sql_add(&b, "SELECT c.id, c.feedback_id, c.body, c.author_type, "
	    "c.author_id, c.created_at FROM comments c WHERE c.feedback_id = ?");
	store_sql_arg(&b, HARK_DB_CSTR(feedback_id));
	if (after_id != NULL) {
		/* Keyset, oldest first: what comes after the cursor's comment. */
		store_sql_filter(&b, " AND (c.created_at, c.id) > (SELECT "
		    "created_at, id FROM comments WHERE id = ?", HARK_DB_CSTR(after_id));
		store_sql_filter(&b, " AND feedback_id = ?)",
		    HARK_DB_CSTR(feedback_id));
	}
	store_sql_filter(&b, " ORDER BY c.created_at, c.id LIMIT ?",
	    HARK_DB_INT(limit));
	return store_sql_query(db, &b, comment_row, &cc);
}

int
hark_store_comment_get(struct hark_db *db, const char *project_id,
    const char *comment_id, hark_comment_fn fn, void *ctx)
{
	struct hark_db_val	 k[] = {
		HARK_DB_CSTR(comment_id), HARK_DB_CSTR(project_id)
	};
	int			 n = 0, rc;
	struct comment_ctx	 cc = { fn, ctx, &n };

	rc = store_query(db, "SELECT c.id, c.feedback_id, c.body, "
	    "c.author_type, c.author_id, c.created_at FROM comments c JOIN "
	    "feedback f ON f.id = c.feedback_id WHERE c.id = ? AND "
	    "f.project_id = ?", k, NARGS(k), comment_row, &cc);
	if (rc != HARK_STORE_OK)
		return rc;
	return n > 0 ? HARK_STORE_OK : HARK_STORE_NOT_FOUND;
}
