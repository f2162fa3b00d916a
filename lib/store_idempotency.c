/*
 * store_idempotency.c: Idempotency-Key claims and the answers replayed to a
 * retry (schema/003_idempotency.sql).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "store.h"
#include "store_int.h"

void
hark_idem_row_clear(struct hark_idem_row *r)
{
	free(r->body);
	memset(r, 0, sizeof(*r));
}

static int
idem_row(void *ctx, const struct hark_db_row *row)
{
	struct hark_idem_row	*r = ctx;

	r->done = row->vals[0] != NULL && strcmp(row->vals[0], "done") == 0;
	r->same = row->vals[1] != NULL && strcmp(row->vals[1], "1") == 0;
	r->status = row->vals[2] != NULL ? atoi(row->vals[2]) : 0;
	store_copy_col(r->feedback_id, sizeof(r->feedback_id), row->vals[4]);
	if (row->vals[3] != NULL &&
	    (r->body = store_dup_col(row, 3, &r->body_len)) == NULL)
		return HARK_DB_ERROR;
	return 1;
}

int
hark_store_idem_claim(struct hark_db *db, const char *project_id,
    const char *key, const unsigned char hash[HARK_IDEM_HASH_LEN],
    const char *feedback_id, int ttl_s, int inflight_s,
    struct hark_idem_row *out)
{
	struct hark_db_val	 ins[] = {
		HARK_DB_CSTR(project_id), HARK_DB_CSTR(key),
		HARK_DB_STR((const char *)hash, HARK_IDEM_HASH_LEN),
		HARK_DB_CSTR(feedback_id), HARK_DB_INT(ttl_s)
	};
	struct hark_db_val	 pk[] = {
		HARK_DB_CSTR(project_id), HARK_DB_CSTR(key)
	};
	struct hark_db_val	 take[] = {
		HARK_DB_INT(ttl_s), HARK_DB_CSTR(project_id), HARK_DB_CSTR(key),
		HARK_DB_STR((const char *)hash, HARK_IDEM_HASH_LEN),
		HARK_DB_INT(inflight_s)
	};
	struct hark_db_val	 sel[] = {
		HARK_DB_STR((const char *)hash, HARK_IDEM_HASH_LEN),
		HARK_DB_CSTR(project_id), HARK_DB_CSTR(key)
	};
	unsigned long long	 n;
	int			 rc, tries;

	memset(out, 0, sizeof(*out));
	/* A row deleted between our INSERT and SELECT: claim again. */
	for (tries = 0; tries < 3; tries++) {
		rc = store_exec(db, "INSERT INTO idempotency_keys (project_id, "
		    "idem_key, request_hash, feedback_id, expires_at) VALUES "
		    "(?, ?, ?, ?, UTC_TIMESTAMP(6) + INTERVAL ? SECOND)",
		    ins, NARGS(ins), NULL);
		if (rc != HARK_STORE_DUPLICATE)
			return rc;
		/* Expired keys count as absent, swept or not. */
		rc = store_exec(db, "DELETE FROM idempotency_keys WHERE "
		    "project_id = ? AND idem_key = ? AND "
		    "expires_at <= UTC_TIMESTAMP(6)", pk, NARGS(pk), &n);
		if (rc != HARK_STORE_OK)
			return rc;
		if (n > 0)
			continue;
		/* A worker killed mid-request: its claim is taken over. */
		rc = store_exec(db, "UPDATE idempotency_keys SET "
		    "claimed_at = UTC_TIMESTAMP(6), expires_at = "
		    "UTC_TIMESTAMP(6) + INTERVAL ? SECOND WHERE project_id = ? "
		    "AND idem_key = ? AND state = 'in_flight' AND "
		    "request_hash = ? AND claimed_at < UTC_TIMESTAMP(6) - "
		    "INTERVAL ? SECOND", take, NARGS(take), &n);
		if (rc != HARK_STORE_OK)
			return rc;
		rc = store_query(db, "SELECT state, request_hash = ?, "
		    "response_status, response_body, feedback_id FROM "
		    "idempotency_keys WHERE project_id = ? AND idem_key = ?",
		    sel, NARGS(sel), idem_row, out);
		if (rc == HARK_STORE_OK)
			continue;	/* gone meanwhile */
		if (rc != 1) {
			hark_idem_row_clear(out);
			return rc;
		}
		if (n > 0) {
			out->taken_over = true;
			return HARK_STORE_OK;
		}
		return HARK_STORE_DUPLICATE;
	}
	return HARK_STORE_CONFLICT;
}

int
hark_store_idem_done(struct hark_db *db, const char *project_id,
    const char *key, int status, const char *body, size_t len)
{
	struct hark_db_val	 a[] = {
		HARK_DB_INT(status), HARK_DB_STR(body, len),
		HARK_DB_CSTR(project_id), HARK_DB_CSTR(key)
	};

	return store_exec(db, "UPDATE idempotency_keys SET state = 'done', "
	    "response_status = ?, response_body = ? WHERE project_id = ? AND "
	    "idem_key = ?", a, NARGS(a), NULL);
}

struct idem_tx {
	const struct hark_feedback	*fb;
	const char			*key;
	int				 status;
	const char			*body;
	size_t				 len;
};

static int
idem_tx_body(struct hark_db *db, void *ctx)
{
	struct idem_tx	*t = ctx;
	int		 rc;

	if ((rc = hark_store_feedback_insert(db, t->fb)) != HARK_STORE_OK)
		return rc;
	return hark_store_idem_done(db, t->fb->project_id, t->key, t->status,
	    t->body, t->len);
}

/*
 * The row and its recorded answer commit together: no crash can leave an
 * item without the record that makes a retry replay it.
 */
int
hark_store_feedback_insert_idem(struct hark_db *db,
    const struct hark_feedback *fb, const char *key, int status,
    const char *body, size_t len)
{
	struct idem_tx	 t = { fb, key, status, body, len };

	return store_rc(hark_db_tx(db, idem_tx_body, &t));
}

int
hark_store_idem_release(struct hark_db *db, const char *project_id,
    const char *key)
{
	struct hark_db_val	 a[] = {
		HARK_DB_CSTR(project_id), HARK_DB_CSTR(key)
	};

	return store_exec(db, "DELETE FROM idempotency_keys WHERE "
	    "project_id = ? AND idem_key = ? AND state = 'in_flight'",
	    a, NARGS(a), NULL);
}

int
hark_store_idem_sweep(struct hark_db *db, int limit, unsigned long long *n)
{
	struct hark_db_val	 a[] = { HARK_DB_INT(limit) };

	*n = 0;
	return store_exec(db, "DELETE FROM idempotency_keys WHERE "
	    "expires_at < UTC_TIMESTAMP(6) LIMIT ?", a, NARGS(a), n);
}
