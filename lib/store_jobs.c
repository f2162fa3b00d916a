/*
 * store_jobs.c: hark-batch's work queue (the jobs table) and what its jobs
 * write back: claims with an owner and a lease, success, retry with a
 * later run_after, failure; a transcript with its session and the enrich
 * job that follows; an enrichment; a session's error.
 *
 * A claim is one conditional UPDATE ... LIMIT 1 that names a fresh owner
 * token, then a SELECT by that token: correct with several hosts on one
 * Galera cluster, where SELECT ... FOR UPDATE SKIP LOCKED locks nothing on
 * the other nodes (two nodes' UPDATEs of one row conflict at certification
 * and one is retried).  Every later write names the owner too, so a runner
 * whose lease ran out and whose job another runner took cannot record
 * over it.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "store.h"
#include "store_int.h"

void
hark_job_row_clear(struct hark_job_row *j)
{
	free(j->payload);
	memset(j, 0, sizeof(*j));
}

/* Adds " AND kind IN (?, ...)" for the kinds; -1 when they do not fit. */
static int
kinds_filter(struct store_sql *b, const char *const *kinds, size_t n)
{
	size_t	 i;

	if (n == 0)
		return 0;
	store_sql_add(b, " AND kind IN (");
	for (i = 0; i < n; i++) {
		store_sql_add(b, i == 0 ? "?" : ", ?");
		store_sql_arg(b, HARK_DB_CSTR(kinds[i]));
	}
	return store_sql_add(b, ")");
}

static int
claimed_row(void *ctx, const struct hark_db_row *row)
{
	struct hark_job_row	*j = ctx;

	store_copy_col(j->id, sizeof(j->id), row->vals[0]);
	store_copy_col(j->kind, sizeof(j->kind), row->vals[1]);
	store_copy_col(j->project_id, sizeof(j->project_id), row->vals[2]);
	store_copy_col(j->feedback_id, sizeof(j->feedback_id), row->vals[3]);
	store_copy_col(j->session_id, sizeof(j->session_id), row->vals[4]);
	store_copy_col(j->comment_id, sizeof(j->comment_id), row->vals[5]);
	j->payload = store_dup_col(row, 6, &j->payload_len);
	j->attempts = row->vals[7] ? (unsigned)atoi(row->vals[7]) : 1;
	j->max_attempts = row->vals[8] ? (unsigned)atoi(row->vals[8]) : 1;
	if (row->vals[6] != NULL && j->payload == NULL)
		return HARK_DB_ERROR;
	return 1;
}

/*
 * One claim statement: the due pending jobs by jobs_due (status,
 * run_after), or the running ones whose lease ran out by jobs_lease
 * (status, lease_until).  Each is an index range in its order, so a claim
 * costs the same with ten jobs queued or a million.  *n rows claimed.
 */
static int
claim_one(struct hark_db *db, const char *owner, const char *const *kinds,
    size_t nkinds, unsigned lease_s, bool expired, unsigned long long *n)
{
	struct store_sql	 b;

	store_sql_init(&b);
	store_sql_add(&b, "UPDATE jobs SET owner = ?, status = 'running', "
	    "claimed_at = UTC_TIMESTAMP(6), lease_until = UTC_TIMESTAMP(6) + "
	    "INTERVAL ? SECOND, attempts = attempts + 1 WHERE ");
	store_sql_arg(&b, HARK_DB_CSTR(owner));
	store_sql_arg(&b, HARK_DB_INT(lease_s));
	store_sql_add(&b, expired ? "status = 'running' AND lease_until < "
	    "UTC_TIMESTAMP(6)" : "status = 'pending' AND run_after <= "
	    "UTC_TIMESTAMP(6) AND owner IS NULL");
	kinds_filter(&b, kinds, nkinds);
	store_sql_add(&b, expired ? " ORDER BY lease_until LIMIT 1" :
	    " ORDER BY run_after LIMIT 1");
	if (b.overflow)
		return HARK_STORE_ERROR;
	return store_exec(db, b.text, b.args, b.nargs, n);
}

int
hark_store_job_claim(struct hark_db *db, const char *owner,
    const char *const *kinds, size_t nkinds, unsigned lease_s,
    struct hark_job_row *out)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(owner) };
	unsigned long long	 n = 0;
	int			 rc;

	memset(out, 0, sizeof(*out));
	/* A dead runner's job first: it has waited longest. */
	rc = claim_one(db, owner, kinds, nkinds, lease_s, true, &n);
	if (rc == HARK_STORE_OK && n == 0)
		rc = claim_one(db, owner, kinds, nkinds, lease_s, false, &n);
	if (rc != HARK_STORE_OK)
		return rc;
	if (n == 0)
		return HARK_STORE_NOT_FOUND;
	rc = store_query(db, "SELECT id, kind, project_id, feedback_id, "
	    "session_id, comment_id, payload, attempts, max_attempts FROM jobs "
	    "WHERE owner = ? AND status = 'running'", a, NARGS(a), claimed_row,
	    out);
	if (rc == 1)
		return HARK_STORE_OK;
	hark_job_row_clear(out);
	return rc == HARK_STORE_OK ? HARK_STORE_NOT_FOUND : rc;
}

int
hark_store_job_done(struct hark_db *db, const char *id, const char *owner,
    const char *note)
{
	struct hark_db_val	 a[] = {
		note != NULL && note[0] != '\0' ? HARK_DB_CSTR(note) :
		    HARK_DB_NULLV,
		HARK_DB_CSTR(id), HARK_DB_CSTR(owner)
	};

	return store_exec(db, "UPDATE jobs SET status = 'done', owner = NULL, "
	    "lease_until = NULL, last_error = LEFT(?, 512), finished_at = "
	    "UTC_TIMESTAMP(6) WHERE id = ? AND owner = ?", a, NARGS(a), NULL);
}

int
hark_store_job_retry(struct hark_db *db, const char *id, const char *owner,
    unsigned delay_s, const char *why)
{
	struct hark_db_val	 a[] = {
		HARK_DB_INT(delay_s), HARK_DB_CSTR(why), HARK_DB_CSTR(id),
		HARK_DB_CSTR(owner)
	};

	return store_exec(db, "UPDATE jobs SET status = 'pending', owner = "
	    "NULL, claimed_at = NULL, lease_until = NULL, run_after = "
	    "UTC_TIMESTAMP(6) + INTERVAL ? SECOND, last_error = LEFT(?, 512) "
	    "WHERE id = ? AND owner = ?", a, NARGS(a), NULL);
}

int
hark_store_job_fail(struct hark_db *db, const char *id, const char *owner,
    const char *why)
{
	struct hark_db_val	 a[] = {
		HARK_DB_CSTR(why), HARK_DB_CSTR(id), HARK_DB_CSTR(owner)
	};

	return store_exec(db, "UPDATE jobs SET status = 'failed', owner = NULL, "
	    "lease_until = NULL, last_error = LEFT(?, 512), finished_at = "
	    "UTC_TIMESTAMP(6) WHERE id = ? AND owner = ?", a, NARGS(a), NULL);
}

int
hark_store_job_enqueue(struct hark_db *db, const char *id, const char *kind,
    const char *project_id, const char *feedback_id, const char *session_id,
    unsigned max_attempts)
{
	struct hark_db_val	 a[] = {
		HARK_DB_CSTR(id), HARK_DB_CSTR(kind), HARK_DB_CSTR(project_id),
		feedback_id != NULL && feedback_id[0] != '\0' ?
		    HARK_DB_CSTR(feedback_id) : HARK_DB_NULLV,
		session_id != NULL && session_id[0] != '\0' ?
		    HARK_DB_CSTR(session_id) : HARK_DB_NULLV,
		HARK_DB_INT(max_attempts)
	};

	return store_exec(db, "INSERT INTO jobs (id, kind, project_id, "
	    "feedback_id, session_id, max_attempts, status, run_after, "
	    "created_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', "
	    "UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))", a, NARGS(a), NULL);
}

/* ---- what jobs write back ---- */

struct transcript_tx {
	const char	*project_id, *feedback_id, *text, *language;
	size_t		 len;
	const char	*enrich_id;
	unsigned	 enrich_attempts;
	const char	*job_id, *owner;
};

static int
transcript_body(struct hark_db *db, void *ctx)
{
	const struct transcript_tx	*t = ctx;
	struct hark_db_val		 fa[] = {
		HARK_DB_STR(t->text, t->len),
		t->language[0] != '\0' ? HARK_DB_CSTR(t->language) :
		    HARK_DB_NULLV,
		HARK_DB_CSTR(t->feedback_id), HARK_DB_CSTR(t->project_id)
	};
	struct hark_db_val		 sa[] = {
		HARK_DB_STR(t->text, t->len), HARK_DB_CSTR(t->project_id),
		HARK_DB_CSTR(t->feedback_id)
	};
	struct hark_db_val		 ja[] = {
		HARK_DB_CSTR(t->enrich_id), HARK_DB_CSTR(t->project_id),
		HARK_DB_CSTR(t->feedback_id), HARK_DB_INT(t->enrich_attempts)
	};
	struct hark_db_val		 da[] = {
		HARK_DB_CSTR(t->job_id), HARK_DB_CSTR(t->owner)
	};
	unsigned long long		 n = 0;
	int				 rc;

	rc = hark_db_exec(db, "UPDATE feedback SET text = ?, language = "
	    "COALESCE(?, language) WHERE id = ? AND project_id = ?", fa,
	    NARGS(fa), NULL);
	if (rc != HARK_DB_OK)
		return rc;
	rc = hark_db_exec(db, "UPDATE sessions SET status = 'done', "
	    "transcript = ?, error = NULL WHERE project_id = ? AND "
	    "feedback_id = ?", sa, NARGS(sa), NULL);
	if (rc != HARK_DB_OK)
		return rc;
	/* INSERT IGNORE: a COMMIT retried after its outcome was lost. */
	rc = hark_db_exec(db, "INSERT IGNORE INTO jobs (id, kind, project_id, "
	    "feedback_id, max_attempts, status, run_after, created_at) VALUES "
	    "(?, 'enrich', ?, ?, ?, 'pending', UTC_TIMESTAMP(6), "
	    "UTC_TIMESTAMP(6))", ja, NARGS(ja), NULL);
	if (rc != HARK_DB_OK)
		return rc;
	return hark_db_exec(db, "UPDATE jobs SET status = 'done', owner = NULL, "
	    "lease_until = NULL, last_error = NULL, finished_at = "
	    "UTC_TIMESTAMP(6) WHERE id = ? AND owner = ?", da, NARGS(da), &n);
}

int
hark_store_transcript_save(struct hark_db *db, const char *project_id,
    const char *feedback_id, const char *text, size_t len,
    const char *language, const char *enrich_job_id,
    unsigned enrich_max_attempts, const char *job_id, const char *owner)
{
	struct transcript_tx	 t = {
		project_id, feedback_id, text, language != NULL ? language : "",
		len, enrich_job_id, enrich_max_attempts, job_id, owner
	};

	return store_rc(hark_db_tx(db, transcript_body, &t));
}

int
hark_store_session_fail(struct hark_db *db, const char *project_id,
    const char *feedback_id, const char *reason)
{
	struct hark_db_val	 a[] = {
		HARK_DB_CSTR(reason), HARK_DB_CSTR(project_id),
		HARK_DB_CSTR(feedback_id)
	};

	/* The row is the latest of its session only while it points here. */
	return store_exec(db, "UPDATE sessions SET status = 'error', error = "
	    "LEFT(?, 255) WHERE project_id = ? AND feedback_id = ?", a,
	    NARGS(a), NULL);
}

struct enrichment_tx {
	const char				*project_id, *feedback_id;
	const struct hark_store_enrichment	*e;
};

static int
enrichment_body(struct hark_db *db, void *ctx)
{
	const struct enrichment_tx		*t = ctx;
	const struct hark_store_enrichment	*e = t->e;
	char					 score[16];
	struct hark_db_val			 a[] = {
		HARK_DB_CSTR(e->category), HARK_DB_CSTR(e->sentiment),
		HARK_DB_STR(score, 0), HARK_DB_INT(e->impact),
		HARK_DB_CSTR(e->by),
		store_opt_str(e->summary, e->summary ? strlen(e->summary) : 0),
		store_opt_str(e->title, e->title ? strlen(e->title) : 0),
		e->language != NULL && e->language[0] != '\0' ?
		    HARK_DB_CSTR(e->language) : HARK_DB_NULLV,
		e->spam >= 0 ? HARK_DB_INT(e->spam) : HARK_DB_NULLV,
		HARK_DB_INT(e->spam == 1),
		HARK_DB_CSTR(t->feedback_id), HARK_DB_CSTR(t->project_id)
	};
	int					 rc;

	a[2].len = (size_t)snprintf(score, sizeof(score), "%.3f",
	    e->sentiment_score);
	/*
	 * A category a person (or the submitter) chose is never overwritten:
	 * triaged_by says who set it, and only a machine's is replaced.  Spam
	 * is held (quarantined) unless a person has triaged the item.
	 */
	rc = hark_db_exec(db, "UPDATE feedback SET "
	    "category = IF(triaged_by IN ('client', 'human'), category, ?), "
	    "sentiment = ?, sentiment_score = ?, impact_score = ?, "
	    "triaged_by = IF(triaged_by IN ('client', 'human'), triaged_by, ?), "
	    "summary = ?, title = LEFT(?, 255), language = COALESCE(?, language), "
	    "spam = ?, quarantined = IF(? AND triaged_by IS NOT NULL AND "
	    "triaged_by <> 'human', 1, quarantined) "
	    "WHERE id = ? AND project_id = ?", a, NARGS(a), NULL);
	if (rc == HARK_DB_OK)
		rc = store_notify_triaged(db, t->project_id, t->feedback_id);
	return rc;
}

int
hark_store_enrichment_save(struct hark_db *db, const char *project_id,
    const char *feedback_id, const struct hark_store_enrichment *e)
{
	struct enrichment_tx	 t = { project_id, feedback_id, e };

	return store_rc(hark_db_tx(db, enrichment_body, &t));
}

/* ---- monitoring ---- */

struct stats_ctx {
	hark_job_stats_fn	 fn;
	void			*ctx;
};

static int
stats_row(void *ctx, const struct hark_db_row *row)
{
	struct stats_ctx	*s = ctx;

	return s->fn(s->ctx, row->vals[0] ? row->vals[0] : "",
	    row->vals[1] ? row->vals[1] : "",
	    row->vals[2] ? atoll(row->vals[2]) : 0,
	    row->vals[3] ? atoll(row->vals[3]) : -1);
}

int
hark_store_job_stats(struct hark_db *db, hark_job_stats_fn fn, void *ctx)
{
	struct stats_ctx	 s = { fn, ctx };

	/* The oldest due job's age: how far behind the runners are. */
	return store_query(db, "SELECT kind, status, COUNT(*), "
	    "TIMESTAMPDIFF(SECOND, MIN(IF(status = 'pending' AND run_after <= "
	    "UTC_TIMESTAMP(6), run_after, NULL)), UTC_TIMESTAMP(6)) FROM jobs "
	    "GROUP BY kind, status ORDER BY kind, status", NULL, 0, stats_row,
	    &s);
}

/* ---- housekeeping ---- */

int
hark_store_session_expire(struct hark_db *db, int limit,
    unsigned long long *n)
{
	struct hark_db_val	 a[] = { HARK_DB_INT(limit) };

	*n = 0;
	return store_exec(db, "DELETE FROM sessions WHERE expires_at < "
	    "UTC_TIMESTAMP(6) LIMIT ?", a, NARGS(a), n);
}

int
hark_store_jobs_purge(struct hark_db *db, int limit, unsigned long long *n)
{
	struct hark_db_val	 a[] = {
		HARK_DB_INT(HARK_JOBS_KEEP_DONE_DAYS),
		HARK_DB_INT(HARK_JOBS_KEEP_DONE_DAYS),
		HARK_DB_INT(HARK_JOBS_KEEP_FAILED_DAYS),
		HARK_DB_INT(HARK_JOBS_KEEP_FAILED_DAYS),
		HARK_DB_INT(limit)
	};

	/*
	 * run_after comes no later than finished_at, so the jobs_due range
	 * (status, run_after) finds the old rows without a scan of the rest.
	 */
	*n = 0;
	return store_exec(db, "DELETE FROM jobs WHERE (status = 'done' AND "
	    "run_after < UTC_TIMESTAMP(6) - INTERVAL ? DAY AND finished_at < "
	    "UTC_TIMESTAMP(6) - INTERVAL ? DAY) OR (status = 'failed' AND "
	    "run_after < UTC_TIMESTAMP(6) - INTERVAL ? DAY AND finished_at < "
	    "UTC_TIMESTAMP(6) - INTERVAL ? DAY) LIMIT ?", a, NARGS(a), n);
}

int
hark_store_deliveries_purge(struct hark_db *db, int limit,
    unsigned long long *n)
{
	struct hark_db_val	 a[] = {
		HARK_DB_INT(HARK_DELIVERIES_KEEP_DAYS), HARK_DB_INT(limit)
	};

	*n = 0;
	return store_exec(db, "DELETE FROM webhook_deliveries WHERE created_at "
	    "< UTC_TIMESTAMP(6) - INTERVAL ? DAY AND status <> 'pending' "
	    "ORDER BY created_at LIMIT ?", a, NARGS(a), n);
}

int
hark_store_retention_apply(struct hark_db *db, int limit,
    unsigned long long *n)
{
	struct hark_db_val	 a[] = { HARK_DB_INT(limit) };

	*n = 0;
	/* The derived table: MariaDB takes no LIMIT in a multi-table DELETE. */
	return store_exec(db, "DELETE FROM feedback WHERE id IN (SELECT id "
	    "FROM (SELECT f.id FROM feedback f JOIN projects p ON p.id = "
	    "f.project_id WHERE p.retention_days IS NOT NULL AND f.created_at "
	    "< UTC_TIMESTAMP(6) - INTERVAL p.retention_days DAY LIMIT ?) old)",
	    a, NARGS(a), n);
}

int
hark_store_media_path_known(struct hark_db *db, const char *relpath,
    bool *known)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(relpath) };
	int			 found = 0, rc;

	*known = true;	/* on any doubt a file is kept */
	rc = store_query(db, "SELECT 1 FROM media WHERE path = ?", a, NARGS(a),
	    store_found_row, &found);
	if (rc == HARK_STORE_OK)
		*known = found != 0;
	return rc;
}
