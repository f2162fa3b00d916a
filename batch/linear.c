/*
 * linear.c: placeholder for the linear job kind while its sender is being
 * written (issue 18): a job waits, retried, and nothing is sent.
 */
#include "config.h"

#include "jobs.h"

enum hark_job_rc
hark_linear_run(struct hark_job_ctx *ctx, const struct hark_job *job)
{
	(void)job;
	hark_job_why(ctx, "linear: not in this build yet");
	return HARK_JOB_RETRY;
}
