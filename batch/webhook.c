/*
 * webhook.c: placeholder for the webhook job kind while its sender is being
 * written (issue 18): a job waits, retried, and nothing is sent.
 */
#include "config.h"

#include "jobs.h"

enum hark_job_rc
hark_webhook_run(struct hark_job_ctx *ctx, const struct hark_job *job)
{
	(void)job;
	hark_job_why(ctx, "webhook: not in this build yet");
	return HARK_JOB_RETRY;
}

void
hark_webhook_failed(struct hark_job_ctx *ctx, const struct hark_job *job)
{
	(void)ctx;
	(void)job;
}
