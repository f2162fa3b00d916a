/*
 * transcribe.c: the transcribe job kind: a voice submission's stored audio
 * through the configured transcriber ([transcribe] backend, lib/transcribe),
 * its transcript on the item and its session done with it, and the enrich
 * job that follows, in one transaction.  After the last attempt (or a
 * failure no retry can mend: no backend, a file that cannot be decoded)
 * the session ends in error with a short reason; the item is kept.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "ids.h"
#include "jobs.h"
#include "log.h"
#include "media.h"
#include "store.h"
#include "transcribe.h"

/* The run's transcriber, opened by its first job; NULL with why set. */
static struct hark_transcriber *
transcriber(struct hark_job_ctx *ctx)
{
	struct hark_backend_err	 err;

	if (ctx->transcriber != NULL)
		return ctx->transcriber;
	if (hark_transcriber_open(ctx->conf->transcribe_backend, ctx->conf,
	    &ctx->transcriber, &err) != HARK_BACKEND_OK) {
		hark_job_why(ctx, "%s", err.msg);
		ctx->transcriber = NULL;
	}
	return ctx->transcriber;
}

/* Where the item's audio is; 0, or an outcome with why set. */
static int
audio_of(struct hark_job_ctx *ctx, const struct hark_job *job, char *path,
    size_t pathlen, struct hark_media_row *m)
{
	bool	 item = false;
	int	 rc;

	rc = hark_store_media_get(ctx->db, job->project_id, job->feedback_id,
	    "audio", &item, m);
	if (rc == HARK_STORE_UNAVAILABLE)
		return HARK_JOB_UNAVAILABLE;
	if (rc == HARK_STORE_NOT_FOUND) {
		hark_job_why(ctx, "transcribe: %s", item ? "the item has no "
		    "audio" : "the item is gone");
		return HARK_JOB_FAILED;
	}
	if (rc != HARK_STORE_OK) {
		hark_job_why(ctx, "transcribe: cannot read the media row");
		return HARK_JOB_RETRY;
	}
	if (!hark_media_relpath_valid(m->path) ||
	    (size_t)snprintf(path, pathlen, "%s/%s", ctx->conf->media_dir,
	    m->path) >= pathlen) {
		hark_job_why(ctx, "transcribe: the media row's path is not "
		    "one hark makes");
		return HARK_JOB_FAILED;
	}
	return 0;
}

enum hark_job_rc
hark_transcribe_run(struct hark_job_ctx *ctx, const struct hark_job *job)
{
	struct hark_media_row	 m;
	struct hark_transcript	 tr;
	struct hark_backend_err	 err;
	struct hark_transcriber	*t;
	char			 path[4096], enrich_id[HARK_ID_SIZE];
	int			 rc;

	if (job->project_id == NULL || job->feedback_id == NULL) {
		hark_job_why(ctx, "transcribe: the job names no item");
		return HARK_JOB_FAILED;
	}
	if ((rc = audio_of(ctx, job, path, sizeof(path), &m)) != 0)
		return (enum hark_job_rc)rc;
	if ((t = transcriber(ctx)) == NULL)
		return HARK_JOB_FAILED;
	rc = hark_transcriber_run(t, path, m.mime, ctx->conf->transcribe_language,
	    &tr, &err);
	if (rc != HARK_BACKEND_OK) {
		hark_job_why(ctx, "%s", err.msg);
		ctx->retry_after_s = err.retry_after_s;
		return rc == HARK_BACKEND_RETRY ? HARK_JOB_RETRY :
		    HARK_JOB_FAILED;
	}
	if (hark_id_new(HARK_ID_JOB, enrich_id, sizeof(enrich_id)) == -1) {
		hark_transcript_free(&tr);
		hark_job_why(ctx, "transcribe: no randomness for an id");
		return HARK_JOB_RETRY;
	}
	rc = hark_store_transcript_save(ctx->db, job->project_id,
	    job->feedback_id, tr.text, tr.len, tr.language, enrich_id,
	    (unsigned)ctx->conf->batch_max_attempts, job->id, job->owner);
	if (ctx->verbose)
		hark_log(HARK_LOG_INFO, "transcribe %s: %zu bytes of transcript "
		    "by %s", job->id, tr.len, hark_transcriber_name(t));
	hark_transcript_free(&tr);
	if (rc == HARK_STORE_UNAVAILABLE)
		return HARK_JOB_UNAVAILABLE;
	if (rc != HARK_STORE_OK) {
		hark_job_why(ctx, "transcribe: the transcript could not be "
		    "stored");
		return HARK_JOB_RETRY;
	}
	return HARK_JOB_DONE;
}

void
hark_transcribe_failed(struct hark_job_ctx *ctx, const struct hark_job *job)
{
	char	 reason[256];

	if (job->project_id == NULL || job->feedback_id == NULL)
		return;
	/* The seed's shape: {"status": "error", "error": "transcribe failed"}. */
	snprintf(reason, sizeof(reason), "transcribe failed: %.200s", ctx->why);
	if (hark_store_session_fail(ctx->db, job->project_id, job->feedback_id,
	    reason) != HARK_STORE_OK)
		hark_log(HARK_LOG_WARN, "transcribe %s: cannot put its session "
		    "in error", job->id);
}
