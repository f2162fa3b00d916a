/* store_reporters.c: erasure and export by reporter (GDPR Art. 15 and 17): every row of one submitter, found by email or user id, in bounded batches. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "store.h"
#include "store_int.h"

/*
 * How a reporter is matched, per table (doc: README "Erasure and export"):
 * - feedback.user_email by the column's own collation (utf8mb4_unicode_ci:
 *   the whole address case-insensitively), which the index
 *   feedback_reporter_email serves;
 * - feedback.user_id byte for byte: the index finds the candidates under
 *   the column's case-insensitive collation, the BINARY comparison keeps
 *   the exact ones (an app's "U1" and "u1" are two people);
 * - sessions.identity (email, userId) and comments.author_id of a
 *   submitter's comment likewise: the address in lower case, the id exact.
 * The email given is already in lower case (lib/reporter.c).
 */
#define FB_BY_EMAIL	"f.user_email = ?"
#define FB_BY_USER	"f.user_id = ? AND CAST(f.user_id AS BINARY) = " \
			"CAST(? AS BINARY)"
#define SS_BY_EMAIL	"LOWER(JSON_VALUE(s.identity, '$.email')) = ?"
#define SS_BY_USER	"CAST(JSON_VALUE(s.identity, '$.userId') AS BINARY) = " \
			"CAST(? AS BINARY)"
#define CM_BY_EMAIL	"LOWER(c.author_id) = ?"
#define CM_BY_USER	"CAST(c.author_id AS BINARY) = CAST(? AS BINARY)"

/* An IN list holds one of these many values (the last repeated): a few statements cached, not one per length. */
static const size_t in_sizes[] = { 1, 8, 32, HARK_REPORTER_BATCH };

#define VAL_SIZE	72	/* a feedback, comment or session id and its NUL */

/* The values of a batch: ids, or session ids. */
struct vals {
	char		 v[HARK_REPORTER_BATCH][VAL_SIZE];
	size_t		 n;
};

/* The reporter's bound values: 1 (email) or 2 (user id: two tests). */
static size_t
rep_args(const struct hark_reporter *r, struct hark_db_val *a, bool twice)
{
	if (r->email != NULL) {
		a[0] = HARK_DB_STR(r->email, r->email_len);
		return 1;
	}
	a[0] = HARK_DB_STR(r->user_id, r->user_id_len);
	if (!twice)
		return 1;
	a[1] = a[0];
	return 2;
}

/*
 * head, an IN list of vs's values padded to a size of in_sizes, tail; run
 * as a statement (fn NULL, *affected) or a query.  pre are the values
 * bound before the list's, post those after.  Returns a db rc.
 */
static int
in_run(struct hark_db *db, const char *head, const char *tail,
    const struct hark_db_val *pre, size_t npre, const struct vals *vs,
    const struct hark_db_val *post, size_t npost, hark_db_row_fn fn,
    void *ctx, unsigned long long *affected)
{
	struct hark_db_val	 a[4 + HARK_REPORTER_BATCH + 4];
	char			 sql[1024 + 3 * HARK_REPORTER_BATCH];
	size_t			 i, padded = 0, len, hl = strlen(head),
				 tl = strlen(tail);

	if (affected != NULL)
		*affected = 0;
	if (vs->n == 0)
		return HARK_DB_OK;
	for (i = 0; i < NARGS(in_sizes); i++)
		if (in_sizes[i] >= vs->n) {
			padded = in_sizes[i];
			break;
		}
	if (padded == 0 || npre > 4 || npost > 4 ||
	    hl + tl + 3 * padded + 1 > sizeof(sql))
		return HARK_DB_ERROR;
	memcpy(a, pre, npre * sizeof(*a));
	memcpy(sql, head, hl);
	len = hl;
	for (i = 0; i < padded; i++) {
		a[npre + i] = HARK_DB_CSTR(vs->v[i < vs->n ? i : vs->n - 1]);
		memcpy(sql + len, i == 0 ? "?" : ", ?", i == 0 ? 1 : 3);
		len += i == 0 ? 1 : 3;
	}
	memcpy(sql + len, tail, tl + 1);
	memcpy(a + npre + padded, post, npost * sizeof(*a));
	if (fn != NULL)
		return hark_db_query(db, sql, a, npre + padded + npost, fn, ctx);
	return hark_db_exec(db, sql, a, npre + padded + npost, affected);
}

/* A row's first column into a struct vals. */
static int
val_row(void *ctx, const struct hark_db_row *row)
{
	struct vals	*vs = ctx;

	if (vs->n == HARK_REPORTER_BATCH || row->vals[0] == NULL ||
	    row->lens[0] >= VAL_SIZE)
		return 0;
	memcpy(vs->v[vs->n], row->vals[0], row->lens[0] + 1);
	vs->n++;
	return 0;
}

/* ---- erasure ---- */

struct erase_tx {
	const char			*project_id;
	const struct hark_reporter	*rep;
	struct hark_reporter_counts	 c;	/* this batch's */
	struct vals			 ids;	/* feedback or comment ids */
	struct vals			 sids;	/* session ids */
	char				**paths;	/* media files, after commit */
	size_t				 npaths, pathcap;
	int				 phase;	/* the step found work in */
	bool				 oom;
};

static void
paths_clear(struct erase_tx *t)
{
	size_t	 i;

	for (i = 0; i < t->npaths; i++)
		free(t->paths[i]);
	t->npaths = 0;
}

static int
path_row(void *ctx, const struct hark_db_row *row)
{
	struct erase_tx	*t = ctx;
	char		**np;

	if (row->vals[0] == NULL)
		return 0;
	if (t->npaths == t->pathcap) {
		size_t	 cap = t->pathcap ? 2 * t->pathcap : 64;

		if ((np = realloc(t->paths, cap * sizeof(*np))) == NULL) {
			t->oom = true;
			return HARK_DB_ERROR;
		}
		t->paths = np;
		t->pathcap = cap;
	}
	if ((t->paths[t->npaths] = strdup(row->vals[0])) == NULL) {
		t->oom = true;
		return HARK_DB_ERROR;
	}
	t->npaths++;
	return 0;
}

/* A session's row value if not already in vs (session ids repeat). */
static int
sid_row(void *ctx, const struct hark_db_row *row)
{
	struct vals	*vs = ctx;
	size_t		 i;

	if (row->vals[0] == NULL || row->lens[0] == 0)
		return 0;
	for (i = 0; i < vs->n; i++)
		if (strcmp(vs->v[i], row->vals[0]) == 0)
			return 0;
	return val_row(ctx, row);
}

/*
 * What a session carries that is not a feedback row's: its media not yet
 * given to an item, its jobs not tied to an item, and the session row
 * itself (transcript, identity, context).
 */
static int
erase_sessions(struct hark_db *db, struct erase_tx *t)
{
	struct hark_db_val	 p[] = { HARK_DB_CSTR(t->project_id) };
	unsigned long long	 n;
	int			 rc;

	if ((rc = in_run(db, "SELECT path FROM media WHERE project_id = ? AND "
	    "feedback_id IS NULL AND session_id IN (", ")", p, 1, &t->sids,
	    NULL, 0, path_row, t, NULL)) != HARK_DB_OK)
		return rc;
	if ((rc = in_run(db, "DELETE FROM media WHERE project_id = ? AND "
	    "feedback_id IS NULL AND session_id IN (", ")", p, 1, &t->sids,
	    NULL, 0, NULL, NULL, &n)) != HARK_DB_OK)
		return rc;
	t->c.media += n;
	if ((rc = in_run(db, "DELETE FROM jobs WHERE project_id = ? AND "
	    "feedback_id IS NULL AND session_id IN (", ")", p, 1, &t->sids,
	    NULL, 0, NULL, NULL, &n)) != HARK_DB_OK)
		return rc;
	t->c.jobs += n;
	if ((rc = in_run(db, "DELETE FROM sessions WHERE project_id = ? AND "
	    "session_id IN (", ")", p, 1, &t->sids, NULL, 0, NULL, NULL,
	    &n)) != HARK_DB_OK)
		return rc;
	t->c.sessions += n;
	return HARK_DB_OK;
}

/* Phase 1: up to a batch of the reporter's feedback rows, whole. */
static int
erase_feedback(struct hark_db *db, struct erase_tx *t)
{
	struct hark_db_val	 a[4], p[] = { HARK_DB_CSTR(t->project_id) };
	unsigned long long	 n;
	size_t			 na;
	int			 rc;

	a[0] = HARK_DB_CSTR(t->project_id);
	na = 1 + rep_args(t->rep, a + 1, true);
	a[na++] = HARK_DB_INT(HARK_REPORTER_BATCH);
	/*
	 * The reporter's index, named: left to itself the optimizer may walk
	 * the project's rows from the start for each batch (a reporter of
	 * many rows among many others: quadratic); the index's entries of
	 * rows already erased are gone.  No ORDER BY: no sort of them all.
	 */
	if ((rc = hark_db_query(db, t->rep->email != NULL ?
	    "SELECT f.id FROM feedback f FORCE INDEX (feedback_reporter_email) "
	    "WHERE f.project_id = ? AND " FB_BY_EMAIL " LIMIT ?" :
	    "SELECT f.id FROM feedback f FORCE INDEX (feedback_reporter_user) "
	    "WHERE f.project_id = ? AND " FB_BY_USER " LIMIT ?", a, na, val_row,
	    &t->ids)) != HARK_DB_OK)
		return rc;
	if (t->ids.n == 0)
		return HARK_DB_OK;
	t->phase = 1;
	if ((rc = in_run(db, "SELECT session_id FROM feedback WHERE "
	    "project_id = ? AND session_id IS NOT NULL AND id IN (", ")", p, 1,
	    &t->ids, NULL, 0, sid_row, &t->sids, NULL)) != HARK_DB_OK)
		return rc;
	if ((rc = in_run(db, "SELECT path FROM media WHERE project_id = ? AND "
	    "feedback_id IN (", ")", p, 1, &t->ids, NULL, 0, path_row, t,
	    NULL)) != HARK_DB_OK)
		return rc;
	/* What would cascade, deleted first so that it is counted. */
	if ((rc = in_run(db, "DELETE FROM webhook_deliveries WHERE "
	    "feedback_id IN (", ")", NULL, 0, &t->ids, NULL, 0, NULL, NULL,
	    &n)) != HARK_DB_OK)
		return rc;
	t->c.webhook_deliveries += n;
	if ((rc = in_run(db, "DELETE FROM jobs WHERE feedback_id IN (", ")",
	    NULL, 0, &t->ids, NULL, 0, NULL, NULL, &n)) != HARK_DB_OK)
		return rc;
	t->c.jobs += n;
	if ((rc = in_run(db, "DELETE FROM comments WHERE feedback_id IN (", ")",
	    NULL, 0, &t->ids, NULL, 0, NULL, NULL, &n)) != HARK_DB_OK)
		return rc;
	t->c.comments += n;
	if ((rc = in_run(db, "DELETE FROM feedback_labels WHERE feedback_id "
	    "IN (", ")", NULL, 0, &t->ids, NULL, 0, NULL, NULL, &n)) !=
	    HARK_DB_OK)
		return rc;
	t->c.labels += n;
	if ((rc = in_run(db, "DELETE FROM media WHERE project_id = ? AND "
	    "feedback_id IN (", ")", p, 1, &t->ids, NULL, 0, NULL, NULL, &n)) !=
	    HARK_DB_OK)
		return rc;
	t->c.media += n;
	/* The stored answer of the submission names the item (and echoes it). */
	if ((rc = in_run(db, "DELETE FROM idempotency_keys WHERE project_id = ? "
	    "AND feedback_id IN (", ")", p, 1, &t->ids, NULL, 0, NULL, NULL,
	    &n)) != HARK_DB_OK)
		return rc;
	t->c.idempotency_keys += n;
	if ((rc = in_run(db, "DELETE FROM sessions WHERE project_id = ? AND "
	    "feedback_id IN (", ")", p, 1, &t->ids, NULL, 0, NULL, NULL, &n)) !=
	    HARK_DB_OK)
		return rc;
	t->c.sessions += n;
	if ((rc = erase_sessions(db, t)) != HARK_DB_OK)
		return rc;
	if ((rc = in_run(db, "DELETE FROM feedback WHERE project_id = ? AND "
	    "id IN (", ")", p, 1, &t->ids, NULL, 0, NULL, NULL, &n)) !=
	    HARK_DB_OK)
		return rc;
	t->c.feedback += n;
	return HARK_DB_OK;
}

/* Phase 2: sessions that carry the reporter's identity without an item. */
static int
erase_identity_sessions(struct hark_db *db, struct erase_tx *t)
{
	struct hark_db_val	 a[3];
	size_t			 na;
	int			 rc;

	a[0] = HARK_DB_CSTR(t->project_id);
	na = 1 + rep_args(t->rep, a + 1, false);
	a[na++] = HARK_DB_INT(HARK_REPORTER_BATCH);
	if ((rc = hark_db_query(db, t->rep->email != NULL ?
	    "SELECT s.session_id FROM sessions s WHERE s.project_id = ? AND "
	    SS_BY_EMAIL " LIMIT ?" :
	    "SELECT s.session_id FROM sessions s WHERE s.project_id = ? AND "
	    SS_BY_USER " LIMIT ?", a, na, val_row, &t->sids)) != HARK_DB_OK)
		return rc;
	if (t->sids.n == 0)
		return HARK_DB_OK;
	t->phase = 2;
	return erase_sessions(db, t);
}

/* Phase 3: what the reporter wrote as a submitter on other items. */
static int
erase_own_comments(struct hark_db *db, struct erase_tx *t)
{
	struct hark_db_val	 a[3];
	unsigned long long	 n;
	size_t			 na;
	int			 rc;

	a[0] = HARK_DB_CSTR(t->project_id);
	na = 1 + rep_args(t->rep, a + 1, false);
	a[na++] = HARK_DB_INT(HARK_REPORTER_BATCH);
	if ((rc = hark_db_query(db, t->rep->email != NULL ?
	    "SELECT c.id FROM comments c JOIN feedback f ON f.id = "
	    "c.feedback_id WHERE f.project_id = ? AND c.author_type = "
	    "'submitter' AND " CM_BY_EMAIL " LIMIT ?" :
	    "SELECT c.id FROM comments c JOIN feedback f ON f.id = "
	    "c.feedback_id WHERE f.project_id = ? AND c.author_type = "
	    "'submitter' AND " CM_BY_USER " LIMIT ?", a, na, val_row,
	    &t->ids)) != HARK_DB_OK)
		return rc;
	if (t->ids.n == 0)
		return HARK_DB_OK;
	t->phase = 3;
	if ((rc = in_run(db, "DELETE FROM webhook_deliveries WHERE comment_id "
	    "IN (", ")", NULL, 0, &t->ids, NULL, 0, NULL, NULL, &n)) !=
	    HARK_DB_OK)
		return rc;
	t->c.webhook_deliveries += n;
	if ((rc = in_run(db, "DELETE FROM jobs WHERE comment_id IN (", ")",
	    NULL, 0, &t->ids, NULL, 0, NULL, NULL, &n)) != HARK_DB_OK)
		return rc;
	t->c.jobs += n;
	if ((rc = in_run(db, "DELETE FROM comments WHERE id IN (", ")", NULL, 0,
	    &t->ids, NULL, 0, NULL, NULL, &n)) != HARK_DB_OK)
		return rc;
	t->c.comments += n;
	return HARK_DB_OK;
}

static int
erase_tx(struct hark_db *db, void *ctx)
{
	struct erase_tx	*t = ctx;
	int		 rc;

	/* A retried transaction starts over: nothing of the lost one counts. */
	memset(&t->c, 0, sizeof(t->c));
	t->ids.n = t->sids.n = 0;
	t->phase = 0;
	paths_clear(t);
	if ((rc = erase_feedback(db, t)) != HARK_DB_OK || t->phase != 0)
		return rc;
	if ((rc = erase_identity_sessions(db, t)) != HARK_DB_OK ||
	    t->phase != 0)
		return rc;
	return erase_own_comments(db, t);
}

int
hark_store_reporter_erase_step(struct hark_db *db, const char *project_id,
    const struct hark_reporter *rep, struct hark_reporter_counts *counts,
    hark_reporter_path_fn fn, void *ctx, bool *done)
{
	struct erase_tx	*t;
	size_t		 i;
	int		 rc;

	*done = false;
	if ((rep->email == NULL) == (rep->user_id == NULL))
		return HARK_STORE_ERROR;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return HARK_STORE_NOMEM;
	t->project_id = project_id;
	t->rep = rep;
	rc = store_rc(hark_db_tx(db, erase_tx, t));
	if (t->oom && rc != HARK_STORE_OK)
		rc = HARK_STORE_NOMEM;
	/* Rows found and none deleted would be found again: never loop. */
	if (rc == HARK_STORE_OK && t->phase != 0 && t->c.feedback +
	    t->c.sessions + t->c.comments == 0)
		rc = HARK_STORE_ERROR;
	if (rc == HARK_STORE_OK) {
		counts->feedback += t->c.feedback;
		counts->media += t->c.media;
		counts->comments += t->c.comments;
		counts->labels += t->c.labels;
		counts->sessions += t->c.sessions;
		counts->jobs += t->c.jobs;
		counts->webhook_deliveries += t->c.webhook_deliveries;
		counts->idempotency_keys += t->c.idempotency_keys;
		*done = t->phase == 0;
		/* The rows are gone for good: now their files. */
		for (i = 0; i < t->npaths && fn != NULL; i++)
			fn(ctx, t->paths[i]);
	}
	paths_clear(t);
	free(t->paths);
	free(t);
	return rc;
}

/* ---- export ---- */

struct id_page {
	hark_reporter_id_fn	 fn;
	void			*ctx;
};

static int
id_row(void *ctx, const struct hark_db_row *row)
{
	struct id_page	*p = ctx;

	return row->vals[0] == NULL ? 0 : p->fn(p->ctx, row->vals[0]);
}

int
hark_store_reporter_feedback_page(struct hark_db *db, const char *project_id,
    const struct hark_reporter *rep, const char *after_id, unsigned limit,
    hark_reporter_id_fn fn, void *ctx)
{
	struct hark_db_val	 a[5];
	struct id_page		 p = { fn, ctx };
	size_t			 na;

	if ((rep->email == NULL) == (rep->user_id == NULL))
		return HARK_STORE_ERROR;
	a[0] = HARK_DB_CSTR(project_id);
	na = 1 + rep_args(rep, a + 1, true);
	a[na++] = HARK_DB_CSTR(after_id != NULL ? after_id : "");
	a[na++] = HARK_DB_INT(limit);
	/* Keyset on the primary key: each page starts where the last ended. */
	return store_query(db, rep->email != NULL ?
	    "SELECT f.id FROM feedback f WHERE f.project_id = ? AND "
	    FB_BY_EMAIL " AND f.id > ? ORDER BY f.id LIMIT ?" :
	    "SELECT f.id FROM feedback f WHERE f.project_id = ? AND "
	    FB_BY_USER " AND f.id > ? ORDER BY f.id LIMIT ?", a, na, id_row, &p);
}

#define SESSION_COLS "SELECT s.session_id, s.status, s.feedback_id, " \
	"s.transcript, s.identity, s.created_at, s.expires_at FROM sessions s "

struct session_ctx {
	hark_reporter_session_fn	 fn;
	void				*ctx;
};

static int
session_row(void *ctx, const struct hark_db_row *row)
{
	struct session_ctx		*sc = ctx;
	struct hark_reporter_session	 s;

	memset(&s, 0, sizeof(s));
	store_copy_col(s.session_id, sizeof(s.session_id), row->vals[0]);
	store_copy_col(s.status, sizeof(s.status), row->vals[1]);
	store_copy_col(s.feedback_id, sizeof(s.feedback_id), row->vals[2]);
	s.transcript = row->vals[3];
	s.transcript_len = row->vals[3] != NULL ? row->lens[3] : 0;
	s.identity = row->vals[4];
	s.identity_len = row->vals[4] != NULL ? row->lens[4] : 0;
	store_copy_col(s.created_at, sizeof(s.created_at), row->vals[5]);
	store_copy_col(s.expires_at, sizeof(s.expires_at), row->vals[6]);
	return sc->fn(sc->ctx, &s);
}

int
hark_store_reporter_session_get(struct hark_db *db, const char *project_id,
    const char *session_id, hark_reporter_session_fn fn, void *ctx)
{
	struct hark_db_val	 a[] = {
		HARK_DB_CSTR(project_id), HARK_DB_CSTR(session_id)
	};
	struct session_ctx	 sc = { fn, ctx };

	return store_query(db, SESSION_COLS "WHERE s.project_id = ? AND "
	    "s.session_id = ?", a, NARGS(a), session_row, &sc);
}

int
hark_store_reporter_session_page(struct hark_db *db, const char *project_id,
    const struct hark_reporter *rep, const char *after, unsigned limit,
    hark_reporter_session_fn fn, void *ctx)
{
	struct hark_db_val	 a[7];
	struct session_ctx	 sc = { fn, ctx };
	size_t			 na, nr;

	if ((rep->email == NULL) == (rep->user_id == NULL))
		return HARK_STORE_ERROR;
	a[0] = HARK_DB_CSTR(project_id);
	na = 1 + rep_args(rep, a + 1, false);
	/* Not those of the reporter's items: their lines carry them. */
	nr = rep_args(rep, a + na, true);
	na += nr;
	a[na++] = HARK_DB_CSTR(after != NULL ? after : "");
	a[na++] = HARK_DB_INT(limit);
	return store_query(db, rep->email != NULL ?
	    SESSION_COLS "WHERE s.project_id = ? AND " SS_BY_EMAIL " AND NOT "
	    "EXISTS (SELECT 1 FROM feedback f WHERE f.project_id = "
	    "s.project_id AND f.session_id = s.session_id AND " FB_BY_EMAIL
	    ") AND s.session_id > ? ORDER BY s.session_id LIMIT ?" :
	    SESSION_COLS "WHERE s.project_id = ? AND " SS_BY_USER " AND NOT "
	    "EXISTS (SELECT 1 FROM feedback f WHERE f.project_id = "
	    "s.project_id AND f.session_id = s.session_id AND " FB_BY_USER
	    ") AND s.session_id > ? ORDER BY s.session_id LIMIT ?",
	    a, na, session_row, &sc);
}

struct comment_ctx {
	hark_comment_fn	 fn;
	void		*ctx;
};

static int
comment_row(void *ctx, const struct hark_db_row *row)
{
	struct comment_ctx	*cc = ctx;
	struct hark_comment	 cm;

	memset(&cm, 0, sizeof(cm));
	store_copy_col(cm.id, sizeof(cm.id), row->vals[0]);
	store_copy_col(cm.feedback_id, sizeof(cm.feedback_id), row->vals[1]);
	cm.body = row->vals[2] != NULL ? row->vals[2] : "";
	cm.body_len = row->vals[2] != NULL ? row->lens[2] : 0;
	cm.author_type = row->vals[3] != NULL ? row->vals[3] : "submitter";
	cm.author_id = row->vals[4];
	cm.author_id_len = row->vals[4] != NULL ? row->lens[4] : 0;
	store_copy_col(cm.created_at, sizeof(cm.created_at), row->vals[5]);
	return cc->fn(cc->ctx, &cm);
}

int
hark_store_reporter_comment_page(struct hark_db *db, const char *project_id,
    const struct hark_reporter *rep, const char *after_id, unsigned limit,
    hark_comment_fn fn, void *ctx)
{
	struct hark_db_val	 a[7];
	struct comment_ctx	 cc = { fn, ctx };
	size_t			 na;

	if ((rep->email == NULL) == (rep->user_id == NULL))
		return HARK_STORE_ERROR;
	a[0] = HARK_DB_CSTR(project_id);
	na = 1 + rep_args(rep, a + 1, false);
	na += rep_args(rep, a + na, true);
	a[na++] = HARK_DB_CSTR(after_id != NULL ? after_id : "");
	a[na++] = HARK_DB_INT(limit);
	/* Those on the reporter's own items are on the items' lines (a NULL
	 * comparison is no match: COALESCE). */
	return store_query(db, rep->email != NULL ?
	    "SELECT c.id, c.feedback_id, c.body, c.author_type, c.author_id, "
	    "c.created_at FROM comments c JOIN feedback f ON f.id = "
	    "c.feedback_id WHERE f.project_id = ? AND c.author_type = "
	    "'submitter' AND " CM_BY_EMAIL " AND NOT COALESCE(" FB_BY_EMAIL
	    ", 0) AND "
	    "c.id > ? ORDER BY c.id LIMIT ?" :
	    "SELECT c.id, c.feedback_id, c.body, c.author_type, c.author_id, "
	    "c.created_at FROM comments c JOIN feedback f ON f.id = "
	    "c.feedback_id WHERE f.project_id = ? AND c.author_type = "
	    "'submitter' AND " CM_BY_USER " AND NOT COALESCE(" FB_BY_USER
	    ", 0) AND c.id > ? ORDER BY c.id LIMIT ?",
	    a, na, comment_row, &cc);
}
