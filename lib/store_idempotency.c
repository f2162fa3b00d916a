/*
 * store_idempotency.c: Idempotency-Key claims and the answers replayed to a
 * retry (schema/003_idempotency.sql, 012_idempotency_holder.sql).
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

/*
 * Who holds a claim (holder_conn, holder_deadline: schema/
 * 012_idempotency_holder.sql).  A request that its worker's watchdog ended
 * leaves its claim in flight, and the client's retry, which the 503's
 * Retry-After invites, must not wait out inflight_s for it.  Nor may it
 * run beside a request that can still commit: the process has gone by
 * then (it exits right after the 503), but a statement it had sent runs on
 * in its server session (a COMMIT waiting on the disk, an INSERT waiting
 * on a lock), which ends only when the server notices the client gone.
 * So the claim names its session (CONNECTION_ID()), which holds the user
 * lock HOLDER_LOCK for as long as it lives, and the moment its request's
 * request_timeout ends (the watchdog's deadline, as time left on this
 * side, so that the clocks of two hosts never meet); once both the
 * deadline has passed and the lock is free, the holder can commit nothing
 * more and its claim is taken over.  A user lock is the server's own
 * record of the session, seen by every user (PROCESSLIST shows other
 * users' sessions only with PROCESS, which hark's user lacks); a session
 * id reused after a restart of the server keeps a claim longer, never
 * shorter.
 */
#define HOLDER_LOCK	"CONCAT('hark-idem-', CONNECTION_ID())"

static long	(*idem_clock)(void);	/* ms the request has left, or -1 */

void
hark_store_idem_set_clock(long (*left_ms)(void))
{
	idem_clock = left_ms;
}

/* This session takes its holder lock, once: GET_LOCK counts repeats. */
static int
holder_lock(struct hark_db *db)
{
	return store_exec(db, "DO IF(IS_USED_LOCK(" HOLDER_LOCK ") <=> "
	    "CONNECTION_ID(), 1, GET_LOCK(" HOLDER_LOCK ", 0))", NULL, 0,
	    NULL);
}

/*
 * The claim was written by another session than the one that took the
 * lock (the connection was reopened between, which drops user locks): it
 * is pointed at this one, which takes the lock.
 */
static int
holder_moved(struct hark_db *db, const char *project_id, const char *key,
    unsigned long gen)
{
	struct hark_db_val	 a[] = {
		HARK_DB_CSTR(project_id), HARK_DB_CSTR(key)
	};
	int			 rc;

	while (hark_db_generation(db) != gen) {
		gen = hark_db_generation(db);
		if ((rc = holder_lock(db)) != HARK_STORE_OK ||
		    (rc = store_exec(db, "UPDATE idempotency_keys SET "
		    "holder_conn = CONNECTION_ID() WHERE project_id = ? AND "
		    "idem_key = ? AND state = 'in_flight'", a, NARGS(a),
		    NULL)) != HARK_STORE_OK)
			return rc;
	}
	return HARK_STORE_OK;
}

/* The row that is there, and whether its claim may be taken over. */
struct idem_found {
	struct hark_idem_row	*row;
	bool			 takeable;
	bool			 has_holder;
	unsigned long long	 holder;
	char			 claimed_at[32];
};

static int
idem_row(void *ctx, const struct hark_db_row *row)
{
	struct idem_found	*f = ctx;
	struct hark_idem_row	*r = f->row;

	r->done = row->vals[0] != NULL && strcmp(row->vals[0], "done") == 0;
	r->same = row->vals[1] != NULL && strcmp(row->vals[1], "1") == 0;
	r->status = row->vals[2] != NULL ? atoi(row->vals[2]) : 0;
	store_copy_col(r->feedback_id, sizeof(r->feedback_id), row->vals[4]);
	f->has_holder = row->vals[5] != NULL;
	f->holder = row->vals[5] != NULL ? strtoull(row->vals[5], NULL, 10) : 0;
	store_copy_col(f->claimed_at, sizeof(f->claimed_at), row->vals[6]);
	f->takeable = row->vals[7] != NULL && strcmp(row->vals[7], "1") == 0;
	if (row->vals[3] != NULL &&
	    (r->body = store_dup_col(row, 3, &r->body_len)) == NULL)
		return HARK_DB_ERROR;
	return 1;
}

/*
 * A claim in flight with the same content is taken over when its holder
 * is past its deadline and its session is gone (see HOLDER_LOCK), or,
 * whoever holds it, once it is older than inflight_s (a claim made before
 * holders were recorded, or under request_timeout = 0).
 */
#define IDEM_SELECT \
	"SELECT state, request_hash = ?, response_status, response_body, " \
	"feedback_id, holder_conn, claimed_at, state = 'in_flight' AND " \
	"request_hash = ? AND (claimed_at < UTC_TIMESTAMP(6) - INTERVAL ? " \
	"SECOND OR (holder_deadline <= UTC_TIMESTAMP(6) AND " \
	"IS_FREE_LOCK(CONCAT('hark-idem-', holder_conn)))) " \
	"FROM idempotency_keys WHERE project_id = ? AND idem_key = ?"

int
hark_store_idem_claim(struct hark_db *db, const char *project_id,
    const char *key, const unsigned char hash[HARK_IDEM_HASH_LEN],
    const char *feedback_id, int ttl_s, int inflight_s,
    struct hark_idem_row *out)
{
	long			 left = idem_clock != NULL ? idem_clock() : -1;
	/* The deadline as this server's time: NULL + INTERVAL is NULL. */
	struct hark_db_val	 until = left >= 0 ?
				    HARK_DB_INT((long long)left * 1000) :
				    HARK_DB_NULLV;
	struct hark_db_val	 ins[] = {
		HARK_DB_CSTR(project_id), HARK_DB_CSTR(key),
		HARK_DB_STR((const char *)hash, HARK_IDEM_HASH_LEN),
		HARK_DB_CSTR(feedback_id), HARK_DB_INT(ttl_s), until
	};
	struct hark_db_val	 pk[] = {
		HARK_DB_CSTR(project_id), HARK_DB_CSTR(key)
	};
	struct hark_db_val	 sel[] = {
		HARK_DB_STR((const char *)hash, HARK_IDEM_HASH_LEN),
		HARK_DB_STR((const char *)hash, HARK_IDEM_HASH_LEN),
		HARK_DB_INT(inflight_s),
		HARK_DB_CSTR(project_id), HARK_DB_CSTR(key)
	};
	struct hark_db_val	 take[] = {
		HARK_DB_INT(ttl_s), until, HARK_DB_CSTR(project_id),
		HARK_DB_CSTR(key),
		HARK_DB_STR((const char *)hash, HARK_IDEM_HASH_LEN),
		HARK_DB_NULLV, HARK_DB_NULLV
	};
	struct idem_found	 f;
	unsigned long long	 n;
	unsigned long		 gen;
	int			 rc, tries;

	memset(out, 0, sizeof(*out));
	gen = hark_db_generation(db);
	if ((rc = holder_lock(db)) != HARK_STORE_OK)
		return rc;
	/* A row deleted between our INSERT and SELECT: claim again. */
	for (tries = 0; tries < 3; tries++) {
		rc = store_exec(db, "INSERT INTO idempotency_keys (project_id, "
		    "idem_key, request_hash, feedback_id, expires_at, "
		    "holder_conn, holder_deadline) VALUES (?, ?, ?, ?, "
		    "UTC_TIMESTAMP(6) + INTERVAL ? SECOND, CONNECTION_ID(), "
		    "UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND)",
		    ins, NARGS(ins), NULL);
		if (rc == HARK_STORE_OK)
			return holder_moved(db, project_id, key, gen);
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
		hark_idem_row_clear(out);
		memset(&f, 0, sizeof(f));
		f.row = out;
		rc = store_query(db, IDEM_SELECT, sel, NARGS(sel), idem_row,
		    &f);
		if (rc == HARK_STORE_OK)
			continue;	/* gone meanwhile */
		if (rc != 1) {
			hark_idem_row_clear(out);
			return rc;
		}
		/* Our own INSERT, retried after a lost connection: the
		 * feedback id is this request's (hark-made ids). */
		if (!out->done && out->same &&
		    strcmp(out->feedback_id, feedback_id) == 0) {
			hark_idem_row_clear(out);
			return holder_moved(db, project_id, key, gen);
		}
		if (!f.takeable)
			return HARK_STORE_DUPLICATE;
		/*
		 * Taken over only as it was seen: another retry that took it
		 * first made it its own, and is then the live holder.
		 */
		take[5] = f.has_holder ? HARK_DB_INT((long long)f.holder) :
		    HARK_DB_NULLV;
		take[6] = HARK_DB_CSTR(f.claimed_at);
		rc = store_exec(db, "UPDATE idempotency_keys SET "
		    "claimed_at = UTC_TIMESTAMP(6), expires_at = "
		    "UTC_TIMESTAMP(6) + INTERVAL ? SECOND, holder_conn = "
		    "CONNECTION_ID(), holder_deadline = UTC_TIMESTAMP(6) + "
		    "INTERVAL ? MICROSECOND WHERE project_id = ? AND "
		    "idem_key = ? AND state = 'in_flight' AND request_hash = ? "
		    "AND holder_conn <=> ? AND claimed_at = ?", take,
		    NARGS(take), &n);
		if (rc != HARK_STORE_OK) {
			hark_idem_row_clear(out);
			return rc;
		}
		if (n == 0)
			continue;
		out->taken_over = true;
		if ((rc = holder_moved(db, project_id, key, gen)) !=
		    HARK_STORE_OK)
			hark_idem_row_clear(out);
		return rc;
	}
	hark_idem_row_clear(out);
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

	/* Only our own: a request slow enough to have had its claim taken
	 * over must not free the claim of the retry that holds it now. */
	return store_exec(db, "DELETE FROM idempotency_keys WHERE "
	    "project_id = ? AND idem_key = ? AND state = 'in_flight' AND "
	    "(holder_conn IS NULL OR holder_conn = CONNECTION_ID())",
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
