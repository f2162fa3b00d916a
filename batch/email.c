/*
 * email.c: placeholder for the email job kind while its sender is being
 * written (issue 18): a job waits, retried, and nothing is sent.
 */
#include "config.h"

#include "jobs.h"

enum hark_job_rc
hark_email_run(struct hark_job_ctx *ctx, const struct hark_job *job)
{
	(void)job;
	hark_job_why(ctx, "email: not in this build yet");
	return HARK_JOB_RETRY;
}
