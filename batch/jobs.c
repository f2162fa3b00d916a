/*
 * jobs.c: the job-kind table, its look-ups, the retry back-off and the
 * runner that takes a run through the chosen kinds.
 *
 * Adding a kind: a file with its run function (declared in jobs.h), a line
 * in hark_job_kinds[] and the file in Makefile.am; --jobs, the runner and
 * hark-batch(8)'s list then know it.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "jobs.h"
#include "log.h"
#include "store.h"

/*
 * Housekeeping is cheap and must run even when the queue is long, so it
 * comes first.  It is tried once per run; cron's next minute is its retry.
 */
const struct hark_job_kind hark_job_kinds[] = {
	{ "housekeeping", hark_housekeeping_run, HARK_JOB_EACH_RUN, 1, 0, 0,
	  NULL },
	/* A transcription waits on a decoder or a service: start at 30 s. */
	{ "transcribe", hark_transcribe_run, HARK_JOB_QUEUED, 5, 30, 3600,
	  hark_transcribe_failed },
	{ "enrich", hark_enrich_run, HARK_JOB_QUEUED, 5, 30, 3600, NULL },
	/* New rows announced, then every event fanned out (notify.c). */
	{ "events", hark_events_run, HARK_JOB_EACH_RUN, 1, 0, 0, NULL },
	{ "notify", hark_notify_run, HARK_JOB_QUEUED, HARK_NOTIFY_MAX_ATTEMPTS,
	  10, 600, NULL },
	/*
	 * A receiver down for a while still gets its events: eight attempts,
	 * the waits doubling from a minute, over about two hours.
	 */
	{ "webhook", hark_webhook_run, HARK_JOB_QUEUED, 8, 60, 6 * 3600,
	  hark_webhook_failed },
	{ "email", hark_email_run, HARK_JOB_QUEUED, 6, 60, 3600, NULL },
	{ "linear", hark_linear_run, HARK_JOB_QUEUED, 6, 60, 3600, NULL },
};
const size_t hark_job_nkinds = sizeof(hark_job_kinds) / sizeof(hark_job_kinds[0]);

/* A set is a bit per kind. */
_Static_assert(sizeof(hark_job_kinds) / sizeof(hark_job_kinds[0]) <
    sizeof(hark_job_set) * 8, "more job kinds than bits in hark_job_set");

hark_job_set
hark_job_set_all(void)
{
	return (hark_job_set)((UINT64_C(1) << hark_job_nkinds) - 1);
}

static const struct hark_job_kind *
kind_find_n(const char *name, size_t len, size_t *index)
{
	size_t	 i;

	for (i = 0; i < hark_job_nkinds; i++)
		if (strlen(hark_job_kinds[i].name) == len &&
		    memcmp(hark_job_kinds[i].name, name, len) == 0) {
			if (index != NULL)
				*index = i;
			return &hark_job_kinds[i];
		}
	return NULL;
}

const struct hark_job_kind *
hark_job_kind_find(const char *name)
{
	if (name == NULL)
		return NULL;
	return kind_find_n(name, strlen(name), NULL);
}

int
hark_job_set_parse(const char *list, hark_job_set *set, char *err,
    size_t errlen)
{
	hark_job_set	 s = 0;
	const char	*p, *comma;
	size_t		 len, i;

	for (p = list;; p = comma + 1) {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (len == 0) {
			snprintf(err, errlen, "--jobs: an empty kind name");
			return -1;
		}
		if (kind_find_n(p, len, &i) == NULL) {
			snprintf(err, errlen, "--jobs: no job kind \"%.*s\"",
			    len > 64 ? 64 : (int)len, p);
			return -1;
		}
		s |= (hark_job_set)1 << i;
		if (comma == NULL)
			break;
	}
	*set = s;
	return 0;
}

unsigned
hark_backoff_s(unsigned base_s, unsigned max_s, unsigned attempt,
    uint32_t rnd)
{
	unsigned long long	 d = base_s;
	unsigned		 half;

	if (base_s == 0)
		return 0;
	if (max_s < base_s)
		max_s = base_s;
	/* Doubling stops at the cap, so d never overflows. */
	while (attempt > 1 && d < max_s) {
		d *= 2;
		attempt--;
	}
	if (d > max_s)
		d = max_s;
	half = (unsigned)(d / 2);
	return half + (unsigned)(rnd % ((unsigned)d - half + 1));
}

unsigned
hark_job_backoff(const struct hark_job_kind *kind, unsigned attempt)
{
	uint32_t	 rnd;

	/* Jitter needs spread, not secrecy: fall back to time and pid. */
	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd))
		rnd = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16);
	return hark_backoff_s(kind->backoff_base_s, kind->backoff_max_s,
	    attempt, rnd);
}

/* One job of an EACH_RUN kind: the run is the job. */
static enum hark_job_rc
run_each_run(struct hark_job_ctx *ctx, const struct hark_job_kind *k,
    struct hark_job_stats *st)
{
	struct hark_job		 job = { .attempt = 1, .max_attempts = 1 };
	enum hark_job_rc	 rc;

	rc = k->run(ctx, &job);
	switch (rc) {
	case HARK_JOB_DONE:
		st->done++;
		hark_log(HARK_LOG_DEBUG, "%s: done", k->name);
		break;
	case HARK_JOB_RETRY:
		st->retried++;
		hark_log(HARK_LOG_INFO, "%s: not finished; again next run",
		    k->name);
		break;
	case HARK_JOB_FAILED:
	case HARK_JOB_UNAVAILABLE:
		st->failed++;
		break;
	}
	return rc;
}

void
hark_job_why(struct hark_job_ctx *ctx, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(ctx->why, sizeof(ctx->why), fmt, ap);
	va_end(ap);
}

static const struct hark_job_kind *
kind_of_row(const char *name)
{
	return hark_job_kind_find(name);
}

/* What a job's outcome does to its row; -1 when the database is gone. */
static int
record(struct hark_job_ctx *ctx, const struct hark_job_kind *k,
    const struct hark_job *job, enum hark_job_rc rc, struct hark_job_stats *st)
{
	unsigned	 delay;
	int		 src = HARK_STORE_OK;
	const char	*why = ctx->why[0] != '\0' ? ctx->why : "failed";

	if (rc == HARK_JOB_RETRY && job->attempt >= job->max_attempts)
		rc = HARK_JOB_FAILED;
	switch (rc) {
	case HARK_JOB_DONE:
		st->done++;
		/* A reason left on a job done is a fallback's: keep it. */
		src = hark_store_job_done(ctx->db, job->id, job->owner,
		    ctx->why);
		if (ctx->verbose)
			hark_log(HARK_LOG_INFO, "%s %s: done (attempt %u)",
			    k->name, job->id, job->attempt);
		break;
	case HARK_JOB_RETRY:
		st->retried++;
		delay = hark_job_backoff(k, job->attempt);
		if (ctx->retry_after_s > delay)
			delay = ctx->retry_after_s;
		src = hark_store_job_retry(ctx->db, job->id, job->owner, delay,
		    why);
		hark_log(ctx->verbose ? HARK_LOG_INFO : HARK_LOG_DEBUG,
		    "%s %s: attempt %u of %u failed (%s); again in %u s",
		    k->name, job->id, job->attempt, job->max_attempts, why,
		    delay);
		break;
	case HARK_JOB_FAILED:
		st->failed++;
		src = hark_store_job_fail(ctx->db, job->id, job->owner, why);
		if (k->on_fail != NULL)
			k->on_fail(ctx, job);
		hark_log(HARK_LOG_WARN, "%s %s: failed after %u attempt%s: %s",
		    k->name, job->id, job->attempt, job->attempt == 1 ? "" : "s",
		    why);
		break;
	case HARK_JOB_UNAVAILABLE:
		return -1;
	}
	return src == HARK_STORE_UNAVAILABLE ? -1 : 0;
}

/*
 * The queued kinds of set: claim the oldest due job, run it, record the
 * outcome, until none is due or the time budget is spent.
 */
static int
run_queued(struct hark_job_ctx *ctx, hark_job_set set,
    struct hark_job_stats *st)
{
	const char		*names[sizeof(hark_job_set) * 8];
	const struct hark_job_kind *k;
	struct hark_job_row	 row;
	struct hark_job		 job;
	char			 owner[128];
	size_t			 i, n = 0;
	int			 rc;

	for (i = 0; i < hark_job_nkinds; i++)
		if ((set & ((hark_job_set)1 << i)) &&
		    hark_job_kinds[i].sched == HARK_JOB_QUEUED)
			names[n++] = hark_job_kinds[i].name;
	if (n == 0)
		return 0;
	while (time(NULL) < ctx->deadline) {
		snprintf(owner, sizeof(owner), "%s:%u", ctx->owner,
		    ++ctx->claims);
		rc = hark_store_job_claim(ctx->db, owner, names, n,
		    (unsigned)ctx->conf->batch_lease, &row);
		if (rc == HARK_STORE_NOT_FOUND)
			return 0;
		if (rc != HARK_STORE_OK) {
			hark_log(HARK_LOG_WARN, "cannot claim a job: %s",
			    hark_store_errmsg(ctx->db));
			return rc == HARK_STORE_UNAVAILABLE ? -1 : 0;
		}
		if ((k = kind_of_row(row.kind)) == NULL) {
			hark_job_row_clear(&row);
			continue;	/* filtered by kind: cannot happen */
		}
		memset(&job, 0, sizeof(job));
		job.id = row.id;
		job.owner = owner;
		job.project_id = row.project_id[0] ? row.project_id : NULL;
		job.feedback_id = row.feedback_id[0] ? row.feedback_id : NULL;
		job.session_id = row.session_id[0] ? row.session_id : NULL;
		job.comment_id = row.comment_id[0] ? row.comment_id : NULL;
		job.payload = row.payload;
		job.attempt = row.attempts;
		job.max_attempts = row.max_attempts;
		ctx->why[0] = '\0';
		ctx->retry_after_s = 0;
		rc = record(ctx, k, &job, k->run(ctx, &job), st);
		hark_job_row_clear(&row);
		if (rc == -1)
			return -1;
	}
	hark_log(HARK_LOG_INFO, "time budget spent; due jobs wait for the "
	    "next run");
	return 0;
}

int
hark_jobs_run(struct hark_job_ctx *ctx, hark_job_set set,
    struct hark_job_stats *st)
{
	const struct hark_job_kind	*k;
	size_t				 i;

	for (i = 0; i < hark_job_nkinds; i++) {
		k = &hark_job_kinds[i];
		if ((set & ((hark_job_set)1 << i)) == 0 ||
		    k->sched != HARK_JOB_EACH_RUN)
			continue;
		if (time(NULL) >= ctx->deadline) {
			hark_log(HARK_LOG_INFO, "time budget spent before %s",
			    k->name);
			return 0;
		}
		if (run_each_run(ctx, k, st) == HARK_JOB_UNAVAILABLE)
			return -1;
	}
	return run_queued(ctx, set, st);
}
