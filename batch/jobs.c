/*
 * jobs.c: the job-kind table, its look-ups, the retry back-off and the
 * runner that takes a run through the chosen kinds.
 *
 * Adding a kind: a file with its run function (declared in jobs.h), a line
 * in hark_job_kinds[] and the file in Makefile.am; --jobs, the runner and
 * hark-batch(8)'s list then know it.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "jobs.h"
#include "log.h"

/*
 * Housekeeping is cheap and must run even when the queue is long, so it
 * comes first.  It is tried once per run; cron's next minute is its retry.
 */
const struct hark_job_kind hark_job_kinds[] = {
	{ "housekeeping", hark_housekeeping_run, HARK_JOB_EACH_RUN, 1, 0, 0 },
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

int
hark_jobs_run(struct hark_job_ctx *ctx, hark_job_set set,
    struct hark_job_stats *st)
{
	const struct hark_job_kind	*k;
	size_t				 i;

	for (i = 0; i < hark_job_nkinds; i++) {
		k = &hark_job_kinds[i];
		if ((set & ((hark_job_set)1 << i)) == 0)
			continue;
		if (time(NULL) >= ctx->deadline) {
			hark_log(HARK_LOG_INFO, "time budget spent before %s",
			    k->name);
			break;
		}
		/* QUEUED kinds: the claim loop comes with the first (issue 16). */
		if (k->sched != HARK_JOB_EACH_RUN)
			continue;
		if (run_each_run(ctx, k, st) == HARK_JOB_UNAVAILABLE)
			return -1;
	}
	return 0;
}
