/*
 * enrich.c: the enrich job kind: an item's text through the configured
 * enricher ([enrich] backend, lib/enrich), its category, sentiment, impact
 * (and an LLM's summary, title, language and spam) stored with the
 * backend's name as triagedBy.  A category a person or the submitter chose
 * is kept (lib/store_jobs.c).  When a service backend has failed the last
 * attempt, the builtin enricher does the job instead, recorded as builtin
 * with the reason in the job's last_error: an item is never left
 * unenriched because a service was down.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "enrich.h"
#include "jobs.h"
#include "log.h"
#include "store.h"
#include "triage.h"

static struct hark_enricher *
enricher(struct hark_job_ctx *ctx)
{
	struct hark_backend_err	 err;

	if (ctx->enricher != NULL)
		return ctx->enricher;
	if (hark_enricher_open(ctx->conf->enrich_backend, ctx->conf,
	    &ctx->enricher, &err) != HARK_BACKEND_OK) {
		hark_job_why(ctx, "%s", err.msg);
		ctx->enricher = NULL;
	}
	return ctx->enricher;
}

static int
save(struct hark_job_ctx *ctx, const struct hark_job *job,
    const struct hark_enrichment *e)
{
	struct hark_store_enrichment	 s;

	memset(&s, 0, sizeof(s));
	s.category = hark_category_name(e->category);
	s.sentiment = hark_sentiment_name(e->sentiment);
	s.sentiment_score = e->sentiment_score;
	s.impact = e->impact;
	s.by = e->by;
	s.summary = e->summary;
	s.title = e->title;
	s.language = e->language;
	s.spam = e->spam;
	return hark_store_enrichment_save(ctx->db, job->project_id,
	    job->feedback_id, &s);
}

/* The builtin enricher, for the fallback. */
static int
builtin(const struct hark_feedback *fb, struct hark_enrichment *out,
    struct hark_backend_err *err)
{
	struct hark_enricher	*b = NULL;
	int			 rc;

	if ((rc = hark_enricher_open("builtin", NULL, &b, err)) != HARK_BACKEND_OK)
		return rc;
	rc = hark_enricher_run(b, fb->text, fb->text_len, fb->page, out, err);
	hark_enricher_close(b);
	return rc;
}

enum hark_job_rc
hark_enrich_run(struct hark_job_ctx *ctx, const struct hark_job *job)
{
	struct hark_feedback	 fb;
	struct hark_enrichment	 e;
	struct hark_backend_err	 err;
	struct hark_enricher	*en;
	int			 rc, brc;
	enum hark_job_rc	 out = HARK_JOB_DONE;

	if (job->project_id == NULL || job->feedback_id == NULL) {
		hark_job_why(ctx, "enrich: the job names no item");
		return HARK_JOB_FAILED;
	}
	rc = hark_store_feedback_get(ctx->db, job->project_id, job->feedback_id,
	    &fb);
	if (rc == HARK_STORE_UNAVAILABLE)
		return HARK_JOB_UNAVAILABLE;
	if (rc == HARK_STORE_NOT_FOUND) {
		hark_job_why(ctx, "enrich: the item is gone");
		return HARK_JOB_FAILED;
	}
	if (rc != HARK_STORE_OK) {
		hark_job_why(ctx, "enrich: cannot read the item");
		return HARK_JOB_RETRY;
	}
	if (fb.text_len == 0)
		goto out;	/* nothing said: nothing to judge */
	en = enricher(ctx);
	rc = en != NULL ? hark_enricher_run(en, fb.text, fb.text_len, fb.page,
	    &e, &err) : HARK_BACKEND_FAIL;
	if (en != NULL && rc != HARK_BACKEND_OK) {
		hark_job_why(ctx, "%s", err.msg);
		ctx->retry_after_s = err.retry_after_s;
	}
	if (rc == HARK_BACKEND_RETRY && job->attempt < job->max_attempts) {
		out = HARK_JOB_RETRY;
		goto out;
	}
	if (rc != HARK_BACKEND_OK) {
		/* The last attempt, or a backend that cannot work: builtin. */
		if ((brc = builtin(&fb, &e, &err)) != HARK_BACKEND_OK) {
			hark_job_why(ctx, "%s", err.msg);
			out = HARK_JOB_FAILED;
			goto out;
		}
		hark_log(HARK_LOG_WARN, "enrich %s: %s; enriched by builtin "
		    "instead", job->id, ctx->why);
	}
	rc = save(ctx, job, &e);
	hark_enrichment_free(&e);
	if (rc == HARK_STORE_UNAVAILABLE)
		out = HARK_JOB_UNAVAILABLE;
	else if (rc != HARK_STORE_OK) {
		hark_job_why(ctx, "enrich: the result could not be stored");
		out = HARK_JOB_RETRY;
	}
out:
	hark_feedback_clear(&fb);
	return out;
}
