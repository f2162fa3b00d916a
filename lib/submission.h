/*
 * submission.h: a multipart submission (the second seed's POST
 * /v1/feedback: a payload, an audio and a screenshot part) from its
 * validated parts to its committed rows.  The HTTP side (fcgi/handlers/
 * upload.c) streams the parts and puts the files in place (lib/media);
 * this makes the feedback row from the payload, and commits it with its
 * media, session and jobs in one transaction (lib/store).
 *
 * What a submission leaves for hark-batch: a "transcribe" job when it has
 * audio (the session stays "processing" until the transcript is in), an
 * "enrich" job otherwise (its transcript, or text, was triaged now and the
 * session is "done" at once).
 */
#ifndef HARK_SUBMISSION_H
#define HARK_SUBMISSION_H

#include <stdbool.h>
#include <stddef.h>

#include "earshot_schema.h"
#include "json.h"
#include "media.h"
#include "store.h"

struct hark_db;

struct hark_submission {
	struct hark_feedback		 fb;	/* strings borrowed (store.h) */
	struct hark_store_submission	 rows;
	bool				 has_audio;
	struct hark_json_text		 context, extra, traits, identity;
};

/*
 * Makes the rows of a submission to project_id (through source_id, "" for
 * a secret key) from a read payload and the report of its unknown members
 * (rep may be NULL): the feedback id, triage of a non-empty transcript,
 * the session's status and the job.  sub's strings are borrowed from the
 * payload's tree and rep: sub must not outlive them.  0, or -1 with err
 * filled (out_of_memory, or no randomness for an id).
 */
int	hark_submission_make(const char *project_id, const char *source_id,
	    bool public_key, const struct hark_earshot_payload *pl,
	    const struct hark_json_report *rep, bool has_audio,
	    int session_ttl, struct hark_submission *sub,
	    struct hark_json_err *err);

/*
 * Adds a stored file (as lib/media finished it, named with media_id) to
 * the rows; file must outlive sub.  duration_ms -1 when unknown.
 */
void	hark_submission_add_media(struct hark_submission *,
	    enum hark_media_kind, const char *media_id,
	    const struct hark_media_file *file, long long duration_ms);

/*
 * Commits every row in one transaction, with the answer to an
 * Idempotency-Key when key is not NULL.  An enum hark_store_rc;
 * HARK_STORE_OUTCOME_UNKNOWN means the rows may be stored.
 */
int	hark_submission_commit(struct hark_db *, struct hark_submission *,
	    const char *key, int status, const char *body, size_t len);

/*
 * The Idempotency-Key request hash of a multipart submission: the payload
 * part as sent and the SHA-256 of each file (NULL when there is none).
 * A retry sends the same bytes.  0, or -1 when libcrypto fails.
 */
int	hark_submission_hash(const char *project_id, const char *payload,
	    size_t payload_len, const unsigned char *audio_sha256,
	    const unsigned char *screenshot_sha256, unsigned char out[32]);

#endif
