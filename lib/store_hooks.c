/*
 * store_hooks.c: inbound alert hooks (schema/011_hooks.sql): the hooks of
 * a project, and one payload's alerts applied in one transaction: a new
 * firing alert files an item, a repeat while it is open counts, a resolved
 * one moves its item to done with the usual events.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "db.h"
#include "store.h"
#include "store_int.h"

int
hark_store_hook_create(struct hark_db *db, const struct hark_hook *h)
{
	struct hark_db_val	 a[] = {
		HARK_DB_CSTR(h->id), HARK_DB_CSTR(h->project_id),
		HARK_DB_CSTR(h->kind),
		h->has_hash ? HARK_DB_STR((const char *)h->secret_hash, 32) :
		    HARK_DB_NULLV,
		h->secret_len > 0 ? HARK_DB_STR(h->secret, h->secret_len) :
		    HARK_DB_NULLV
	};

	return store_exec(db, "INSERT INTO hooks (id, project_id, kind, "
	    "secret_hash, secret, created_at) VALUES (?, ?, ?, ?, ?, "
	    "UTC_TIMESTAMP(6))", a, NARGS(a), NULL);
}

static int
hook_row(void *ctx, const struct hark_db_row *row)
{
	struct hark_hook	*h = ctx;

	memset(h, 0, sizeof(*h));
	store_copy_col(h->id, sizeof(h->id), row->vals[0]);
	store_copy_col(h->project_id, sizeof(h->project_id), row->vals[1]);
	store_copy_col(h->kind, sizeof(h->kind), row->vals[2]);
	if (row->vals[3] != NULL && row->lens[3] <= sizeof(h->secret)) {
		memcpy(h->secret, row->vals[3], row->lens[3]);
		h->secret_len = row->lens[3];
	}
	h->revoked = row->vals[4] != NULL;
	store_copy_col(h->created_at, sizeof(h->created_at), row->vals[5]);
	return 1;
}

#define HOOK_COLS	"SELECT id, project_id, kind, secret, revoked_at, " \
			"created_at FROM hooks "

int
hark_store_hook_by_hash(struct hark_db *db, const unsigned char hash[32],
    struct hark_hook *out)
{
	struct hark_db_val	 a[] = { HARK_DB_STR((const char *)hash, 32) };
	int			 rc;

	rc = store_query(db, HOOK_COLS "WHERE secret_hash = ?", a, NARGS(a),
	    hook_row, out);
	if (rc == 1)
		return HARK_STORE_OK;
	return rc == HARK_STORE_OK ? HARK_STORE_NOT_FOUND : rc;
}

int
hark_store_hook_get(struct hark_db *db, const char *id, struct hark_hook *out)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(id) };
	int			 rc;

	rc = store_query(db, HOOK_COLS "WHERE id = ?", a, NARGS(a), hook_row,
	    out);
	if (rc == 1)
		return HARK_STORE_OK;
	return rc == HARK_STORE_OK ? HARK_STORE_NOT_FOUND : rc;
}

struct hook_list_ctx {
	hark_hook_fn	 fn;
	void		*ctx;
};

static int
hook_list_row(void *ctx, const struct hark_db_row *row)
{
	struct hook_list_ctx	*lc = ctx;
	struct hark_hook	 h;
	int			 rc;

	hook_row(&h, row);
	rc = lc->fn(lc->ctx, &h);
	OPENSSL_cleanse(h.secret, sizeof(h.secret));
	return rc;
}

int
hark_store_hook_list(struct hark_db *db, const char *project_id,
    hark_hook_fn fn, void *ctx)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(project_id) };
	struct hook_list_ctx	 lc = { fn, ctx };

	return store_query(db, HOOK_COLS "WHERE project_id = ? ORDER BY "
	    "created_at, id", a, NARGS(a), hook_list_row, &lc);
}

int
hark_store_hook_revoke(struct hark_db *db, const char *id)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(id) };

	return store_exec_found(db, "UPDATE hooks SET revoked_at = "
	    "UTC_TIMESTAMP(6), secret = NULL WHERE id = ? AND revoked_at IS "
	    "NULL", a, NARGS(a));
}

/* ---- alerts ---- */

struct alert_tx {
	const struct hark_alert_batch	*b;
	struct hark_alert_counts	*counts;
	/* The current alert's mapping, read FOR UPDATE. */
	int				 found;
	char				 feedback_id[HARK_ID_SIZE];
	char				 status[32];
};

static int
mapping_row(void *ctx, const struct hark_db_row *row)
{
	struct alert_tx	*t = ctx;

	t->found = 1;
	store_copy_col(t->feedback_id, sizeof(t->feedback_id), row->vals[0]);
	store_copy_col(t->status, sizeof(t->status), row->vals[1]);
	return 0;
}

static int
item_open(const char *status)
{
	return strcmp(status, "done") != 0 && strcmp(status, "canceled") != 0;
}

static int
fire_new(struct hark_db *db, struct alert_tx *t,
    const struct hark_alert_item *it)
{
	struct hark_db_val	 a[] = {
		HARK_DB_CSTR(t->b->project_id), HARK_DB_CSTR(it->fingerprint),
		HARK_DB_CSTR(it->fb->id), HARK_DB_CSTR(t->b->source)
	};
	int			 rc;

	if ((rc = hark_store_feedback_insert(db, it->fb)) != HARK_DB_OK)
		return rc;
	t->counts->created++;
	/* A fingerprint that fired into an item closed since starts anew. */
	return hark_db_exec(db, "INSERT INTO alerts (project_id, fingerprint, "
	    "feedback_id, source, fired, first_seen, last_seen) VALUES "
	    "(?, ?, ?, ?, 1, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6)) ON DUPLICATE "
	    "KEY UPDATE feedback_id = VALUES(feedback_id), source = "
	    "VALUES(source), fired = 1, first_seen = VALUES(first_seen), "
	    "last_seen = VALUES(last_seen), resolved_at = NULL", a, NARGS(a),
	    NULL);
}

static int
resolve(struct hark_db *db, struct alert_tx *t)
{
	struct hark_db_val	 a[] = {
		HARK_DB_CSTR(t->b->resolution_note),
		HARK_DB_CSTR(t->feedback_id), HARK_DB_CSTR(t->b->project_id)
	};
	struct hark_db_val	 k[] = {
		HARK_DB_CSTR(t->b->project_id), HARK_DB_CSTR(t->feedback_id)
	};
	int			 rc;

	rc = hark_db_exec(db, "UPDATE feedback SET status = 'done', "
	    "resolution_note = ?, resolved_at = UTC_TIMESTAMP(6), updated_at = "
	    "UTC_TIMESTAMP(6) WHERE id = ? AND project_id = ?", a, NARGS(a),
	    NULL);
	if (rc == HARK_DB_OK)
		rc = hark_db_exec(db, "UPDATE alerts SET resolved_at = "
		    "UTC_TIMESTAMP(6) WHERE project_id = ? AND feedback_id = ?",
		    k, NARGS(k), NULL);
	/* As a PATCH to done would: the submitter's tools hear of it. */
	if (rc == HARK_DB_OK)
		rc = store_notify_enqueue(db, t->b->project_id, t->feedback_id,
		    NULL, HARK_EVENT_UPDATED, false, false);
	if (rc == HARK_DB_OK)
		rc = store_notify_enqueue(db, t->b->project_id, t->feedback_id,
		    NULL, HARK_EVENT_RESOLVED, false, false);
	if (rc == HARK_DB_OK)
		t->counts->resolved++;
	return rc;
}

static int
apply_one(struct hark_db *db, struct alert_tx *t,
    const struct hark_alert_item *it)
{
	struct hark_db_val	 k[] = {
		HARK_DB_CSTR(t->b->project_id), HARK_DB_CSTR(it->fingerprint)
	};
	int			 rc;

	t->found = 0;
	/* FOR UPDATE: a second worker with the same alert waits, then counts. */
	rc = hark_db_query(db, "SELECT a.feedback_id, f.status FROM alerts a "
	    "JOIN feedback f ON f.id = a.feedback_id WHERE a.project_id = ? "
	    "AND a.fingerprint = ? FOR UPDATE", k, NARGS(k), mapping_row, t);
	if (rc != HARK_DB_OK)
		return rc;
	if (!it->firing) {
		if (t->found && item_open(t->status))
			return resolve(db, t);
		t->counts->ignored++;	/* never seen firing, or closed */
		return HARK_DB_OK;
	}
	if (t->found && item_open(t->status)) {
		t->counts->repeated++;
		return hark_db_exec(db, "UPDATE alerts SET fired = fired + 1, "
		    "last_seen = UTC_TIMESTAMP(6) WHERE project_id = ? AND "
		    "fingerprint = ?", k, NARGS(k), NULL);
	}
	return fire_new(db, t, it);
}

static int
alerts_body(struct hark_db *db, void *ctx)
{
	struct alert_tx	*t = ctx;
	size_t		 i;
	int		 rc = HARK_DB_OK;

	memset(t->counts, 0, sizeof(*t->counts));
	for (i = 0; rc == HARK_DB_OK && i < t->b->n; i++)
		rc = apply_one(db, t, &t->b->items[i]);
	if (rc == HARK_DB_OK && t->b->audit_detail != NULL)
		rc = store_audit_row(db, t->b->project_id, NULL, "hook_received",
		    t->b->remote_addr, t->b->audit_detail);
	return rc;
}

int
hark_store_alerts_apply(struct hark_db *db, const struct hark_alert_batch *b,
    struct hark_alert_counts *counts)
{
	struct alert_tx	 t;

	memset(&t, 0, sizeof(t));
	t.b = b;
	t.counts = counts;
	return store_rc(hark_db_tx(db, alerts_body, &t));
}
