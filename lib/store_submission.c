/*
 * store_submission.c: a multipart submission's rows, all or none: the
 * feedback row, its media rows, its session and its jobs (and the answer
 * to its Idempotency-Key) in one transaction.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "store.h"
#include "store_int.h"

#define SHA256_LEN	32

static int
insert_media(struct hark_db *db, const struct hark_store_submission *s,
    const struct hark_store_media *m)
{
	const struct hark_feedback	*fb = s->fb;
	struct hark_db_val		 a[] = {
		HARK_DB_CSTR(m->id), HARK_DB_CSTR(fb->project_id),
		HARK_DB_CSTR(fb->id),
		fb->session_id[0] != '\0' ? HARK_DB_CSTR(fb->session_id) :
		    HARK_DB_NULLV,
		HARK_DB_CSTR(m->kind), HARK_DB_CSTR(m->relpath),
		HARK_DB_CSTR(m->mime), HARK_DB_INT((long long)m->bytes),
		HARK_DB_STR((const char *)m->sha256, SHA256_LEN),
		m->duration_ms >= 0 ? HARK_DB_INT(m->duration_ms) :
		    HARK_DB_NULLV
	};

	return hark_db_exec(db, "INSERT INTO media (id, project_id, "
	    "feedback_id, session_id, kind, path, mime, bytes, sha256, "
	    "duration_ms, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
	    "UTC_TIMESTAMP(6))", a, NARGS(a), NULL);
}

static int
insert_job(struct hark_db *db, const struct hark_store_submission *s,
    const struct hark_store_job *j)
{
	const struct hark_feedback	*fb = s->fb;
	struct hark_db_val		 a[] = {
		HARK_DB_CSTR(j->id), HARK_DB_CSTR(j->kind),
		HARK_DB_CSTR(fb->project_id), HARK_DB_CSTR(fb->id),
		fb->session_id[0] != '\0' ? HARK_DB_CSTR(fb->session_id) :
		    HARK_DB_NULLV
	};

	return hark_db_exec(db, "INSERT INTO jobs (id, kind, project_id, "
	    "feedback_id, session_id, status, run_after, created_at) VALUES "
	    "(?, ?, ?, ?, ?, 'pending', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
	    a, NARGS(a), NULL);
}

/*
 * A session holds every submission made with its id; its row describes the
 * latest (what the state endpoint answers) and lives session_ttl from it.
 * An identity given before is kept when this submission has none.
 */
static int
upsert_session(struct hark_db *db, const struct hark_store_submission *s)
{
	const struct hark_feedback	*fb = s->fb;
	bool				 done = strcmp(s->session_status,
					    "done") == 0;
	struct hark_db_val		 a[] = {
		HARK_DB_CSTR(fb->project_id), HARK_DB_CSTR(fb->session_id),
		fb->source_id[0] != '\0' ? HARK_DB_CSTR(fb->source_id) :
		    HARK_DB_NULLV,
		HARK_DB_CSTR(s->session_status), HARK_DB_CSTR(fb->id),
		done ? HARK_DB_STR(fb->text, fb->text_len) : HARK_DB_NULLV,
		store_opt_str(s->identity, s->identity_len),
		fb->audio_duration_ms >= 0 ?
		    HARK_DB_INT(fb->audio_duration_ms) : HARK_DB_NULLV,
		HARK_DB_INT(s->session_ttl)
	};

	return hark_db_exec(db, "INSERT INTO sessions (project_id, session_id, "
	    "source_id, status, feedback_id, error, transcript, identity, "
	    "audio_duration_ms, expires_at, created_at) VALUES (?, ?, ?, ?, "
	    "?, NULL, ?, ?, ?, UTC_TIMESTAMP(6) + INTERVAL ? SECOND, "
	    "UTC_TIMESTAMP(6)) ON DUPLICATE KEY UPDATE "
	    "source_id = VALUES(source_id), status = VALUES(status), "
	    "feedback_id = VALUES(feedback_id), error = NULL, "
	    "transcript = VALUES(transcript), "
	    "identity = COALESCE(VALUES(identity), identity), "
	    "audio_duration_ms = VALUES(audio_duration_ms), "
	    "expires_at = VALUES(expires_at)", a, NARGS(a), NULL);
}

int
store_submission_parts(struct hark_db *db,
    const struct hark_store_submission *s)
{
	size_t	 i;
	int	 rc;

	for (i = 0; i < s->nmedia; i++)
		if ((rc = insert_media(db, s, &s->media[i])) != HARK_DB_OK)
			return rc;
	for (i = 0; i < s->njobs; i++)
		if ((rc = insert_job(db, s, &s->jobs[i])) != HARK_DB_OK)
			return rc;
	if (s->fb->session_id[0] != '\0')
		return upsert_session(db, s);
	return HARK_DB_OK;
}

static int
submission_tx(struct hark_db *db, void *ctx)
{
	const struct hark_store_submission	*s = ctx;
	struct hark_db_val			 idv[] = {
		HARK_DB_CSTR(s->fb->id), HARK_DB_CSTR(s->fb->id)
	};
	int					 rc, found = 0;

	if ((rc = hark_store_feedback_insert(db, s->fb)) != HARK_DB_OK)
		return rc;
	/*
	 * A COMMIT whose outcome was lost and is run again finds its own
	 * feedback row (the insert answers OK for it): everything else
	 * committed with it.
	 */
	rc = hark_db_query(db, "SELECT 1 FROM media WHERE feedback_id = ? "
	    "UNION ALL SELECT 1 FROM jobs WHERE feedback_id = ? LIMIT 1",
	    idv, NARGS(idv), store_found_row, &found);
	if (rc != HARK_DB_OK || found)
		return rc;
	if ((rc = store_submission_parts(db, s)) != HARK_DB_OK)
		return rc;
	if (s->idem_key != NULL)
		rc = hark_store_idem_done(db, s->fb->project_id, s->idem_key,
		    s->idem_status, s->idem_body, s->idem_len);
	return rc;
}

int
hark_store_submission_insert(struct hark_db *db,
    const struct hark_store_submission *s)
{
	return store_rc(hark_db_tx(db, submission_tx, (void *)(uintptr_t)s));
}
