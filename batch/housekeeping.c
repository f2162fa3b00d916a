/*
 * housekeeping.c: the job kind that keeps the store and the media
 * directory tidy, once per hark-batch run.
 *
 * It is a list of steps run in order, each one function.  A step that
 * finds the database gone ends the run (cron tries again in a minute); a
 * step that fails otherwise is logged and the next step still runs, as the
 * steps do not depend on each other.  Steps to come, each in steps[] in
 * this order:
 *  - expire sessions past their TTL (issues 14 and 16; a store call);
 *  - sweep orphan media files (no row, older than an hour) and stale temp
 *    files under [server] media_dir (issue 16);
 *  - apply each project's retention period, off by default (issue 16).
 * Each of them bounds its work per run (a LIMIT per statement, a number of
 * files), so a long backlog is worked off over several runs, not in one.
 */
#include "config.h"

#include "jobs.h"
#include "log.h"
#include "store.h"

struct hk_step {
	const char		*name;
	enum hark_job_rc	(*run)(struct hark_job_ctx *ctx);
};

/* The others need a database; checking it first names the fault once. */
static enum hark_job_rc
hk_check_database(struct hark_job_ctx *ctx)
{
	/* store: switch at merge */
	if (hark_store_ping(ctx->db) != HARK_STORE_OK) {
		hark_log(HARK_LOG_WARN, "database unavailable; will retry next run");
		return HARK_JOB_UNAVAILABLE;
	}
	return HARK_JOB_DONE;
}

#define HK_IDEM_SWEEP_LIMIT	10000	/* expired keys deleted per run */

/*
 * Idempotency keys past their 24 hours (issue 14 item 10).  The service
 * already treats an expired key as absent; this only keeps the table small.
 */
static enum hark_job_rc
hk_sweep_idempotency_keys(struct hark_job_ctx *ctx)
{
	unsigned long long	 n = 0;
	int			 rc;

	rc = hark_store_idem_sweep(ctx->db, HK_IDEM_SWEEP_LIMIT, &n);
	if (rc == HARK_STORE_UNAVAILABLE)
		return HARK_JOB_UNAVAILABLE;
	if (rc != HARK_STORE_OK)
		return HARK_JOB_RETRY;
	if (n > 0)
		hark_log(HARK_LOG_INFO, "housekeeping: %llu expired "
		    "idempotency keys deleted", n);
	return HARK_JOB_DONE;
}

static const struct hk_step hk_steps[] = {
	{ "check database", hk_check_database },
	{ "expire idempotency keys", hk_sweep_idempotency_keys },
};

enum hark_job_rc
hark_housekeeping_run(struct hark_job_ctx *ctx, const struct hark_job *job)
{
	enum hark_job_rc	 rc, worst = HARK_JOB_DONE;
	size_t			 i;

	(void)job;
	for (i = 0; i < sizeof(hk_steps) / sizeof(hk_steps[0]); i++) {
		rc = hk_steps[i].run(ctx);
		if (rc == HARK_JOB_UNAVAILABLE)
			return rc;
		if (rc != HARK_JOB_DONE) {
			hark_log(HARK_LOG_WARN, "housekeeping: %s did not finish",
			    hk_steps[i].name);
			worst = HARK_JOB_RETRY;
		}
	}
	return worst;
}
