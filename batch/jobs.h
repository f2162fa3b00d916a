/*
 * jobs.h: hark-batch's job kinds and the runner that drives them.
 *
 * A job kind is one line of a const table (jobs.c): its name (as in
 * --jobs and in the jobs table's kind column), the function that does one
 * job, how it is scheduled, and its retry policy.  One file per kind
 * (housekeeping.c, later transcribe.c, enrich.c, notify.c) holds the run
 * function; main.c only chooses kinds and calls hark_jobs_run.
 *
 * Two schedules:
 *  - HARK_JOB_EACH_RUN: once per hark-batch run (housekeeping).  A retry is
 *    the next run, a minute later by cron.
 *  - HARK_JOB_QUEUED: one job per row of the jobs table, claimed with an
 *    owner and a lease; a retry is the row's run_after moved by
 *    hark_job_backoff().  The claim loop lands with the first queued kind
 *    (issue 16); until then the runner passes these kinds over.
 */
#ifndef HARK_JOBS_H
#define HARK_JOBS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct hark_conf;
struct hark_db;

/* What one job's run function says happened. */
enum hark_job_rc {
	HARK_JOB_DONE = 0,	/* finished: record success */
	HARK_JOB_RETRY,		/* failed this time: try again after back-off */
	HARK_JOB_FAILED,	/* will never succeed: no further attempt */
	HARK_JOB_UNAVAILABLE	/* the database is gone: end the run (exit 1) */
};

enum hark_job_sched {
	HARK_JOB_EACH_RUN = 0,
	HARK_JOB_QUEUED
};

struct hark_transcriber;
struct hark_enricher;

/* What every job of a run shares.  Set up by main.c, borrowed by the kinds. */
struct hark_job_ctx {
	const struct hark_conf	*conf;
	struct hark_db		*db;
	time_t			 deadline;	/* start + --max-seconds */
	int			 once;		/* --once: one pass, then exit */
	int			 verbose;	/* --verbose: a line per job */
	/* host:pid:start of this run; a claim's owner adds its number. */
	char			 owner[96];
	unsigned		 claims;
	/* The backends, opened by the first job that needs each (NULL
	 * until then); main.c closes them. */
	struct hark_transcriber	*transcriber;
	struct hark_enricher	*enricher;
	/* Why the job just run did not succeed, for the row's last_error
	 * and a session's error: short, never text, audio or a key. */
	char			 why[256];
	unsigned		 retry_after_s;	/* a server's, for the back-off */
};

/*
 * One unit of work.  For an EACH_RUN kind every pointer is NULL and
 * attempt is 1; for a QUEUED kind they are the claimed row's columns
 * (borrowed for the call; NULL where the row has NULL).
 */
struct hark_job {
	const char	*id;
	const char	*owner;		/* the claim's token; NULL for EACH_RUN */
	const char	*project_id;
	const char	*feedback_id;
	const char	*session_id;
	const char	*comment_id;
	const char	*payload;	/* JSON text */
	unsigned	 attempt;	/* this attempt, 1 = the first */
	unsigned	 max_attempts;
};

struct hark_job_kind {
	const char		*name;
	/*
	 * Does job; returns what happened.  It must not outlive
	 * ctx->deadline by more than one bounded step (one query, one
	 * backend call with its own timeout).
	 */
	enum hark_job_rc	(*run)(struct hark_job_ctx *ctx,
				    const struct hark_job *job);
	enum hark_job_sched	 sched;
	unsigned		 max_attempts;	/* written to a row when enqueued */
	unsigned		 backoff_base_s;	/* wait after the first failure */
	unsigned		 backoff_max_s;		/* no wait is longer */
	/*
	 * A QUEUED job that failed for good (its last attempt, or
	 * HARK_JOB_FAILED): what it leaves behind (a session in error).
	 * NULL for none.
	 */
	void			(*on_fail)(struct hark_job_ctx *ctx,
				    const struct hark_job *job);
};

/* The table, in the order a run goes through it. */
extern const struct hark_job_kind	hark_job_kinds[];
extern const size_t			hark_job_nkinds;

/* A selection of kinds: bit i is hark_job_kinds[i]. */
typedef uint32_t	hark_job_set;

/* Every kind in the table: what a run without --jobs does. */
hark_job_set	 hark_job_set_all(void);

/* The kind called name, or NULL. */
const struct hark_job_kind	*hark_job_kind_find(const char *name);

/*
 * Parses a comma-separated list of kind names (--jobs) into *set.  Returns
 * 0, or -1 with a message in err (an unknown or empty name) and *set
 * untouched.  A name listed twice counts once.
 */
int		 hark_job_set_parse(const char *list, hark_job_set *set,
		    char *err, size_t errlen);

/*
 * The wait before attempt + 1 after attempt (1, 2, ...) failed: exponential
 * from base_s, doubled per attempt and capped at max_s, with "equal
 * jitter": a value in [d/2, d] for the capped delay d, chosen by rnd.
 * Half the delay is fixed so that, below the cap, a later attempt never
 * waits less than the one before it (the lowest wait of attempt n + 1 is
 * the longest of attempt n); half is random, at the cap too, so that jobs
 * failed together, on one host or several, do not come back together.
 * Pure; 0 when base_s is 0.
 */
unsigned	 hark_backoff_s(unsigned base_s, unsigned max_s,
		    unsigned attempt, uint32_t rnd);
/* hark_backoff_s with the kind's policy and a random rnd. */
unsigned	 hark_job_backoff(const struct hark_job_kind *kind,
		    unsigned attempt);

/* What a run did, for its summary line. */
struct hark_job_stats {
	unsigned	 done;
	unsigned	 retried;
	unsigned	 failed;
};

/*
 * Runs the kinds in set, in table order, until they are done or
 * ctx->deadline passes, counting outcomes in *st.  Returns 0, or -1 when a
 * job found the database unavailable (the run should end with status 1).
 */
int		 hark_jobs_run(struct hark_job_ctx *ctx, hark_job_set set,
		    struct hark_job_stats *st);

/* The kinds' run functions, one file each. */
enum hark_job_rc	hark_housekeeping_run(struct hark_job_ctx *ctx,
			    const struct hark_job *job);
enum hark_job_rc	hark_transcribe_run(struct hark_job_ctx *ctx,
			    const struct hark_job *job);
void			hark_transcribe_failed(struct hark_job_ctx *ctx,
			    const struct hark_job *job);
enum hark_job_rc	hark_enrich_run(struct hark_job_ctx *ctx,
			    const struct hark_job *job);
enum hark_job_rc	hark_events_run(struct hark_job_ctx *ctx,
			    const struct hark_job *job);
enum hark_job_rc	hark_notify_run(struct hark_job_ctx *ctx,
			    const struct hark_job *job);
enum hark_job_rc	hark_webhook_run(struct hark_job_ctx *ctx,
			    const struct hark_job *job);
void			hark_webhook_failed(struct hark_job_ctx *ctx,
			    const struct hark_job *job);
enum hark_job_rc	hark_email_run(struct hark_job_ctx *ctx,
			    const struct hark_job *job);
enum hark_job_rc	hark_linear_run(struct hark_job_ctx *ctx,
			    const struct hark_job *job);

/* Sets ctx->why ("transcribe: ..."); the kinds' one way to say it. */
void	hark_job_why(struct hark_job_ctx *ctx, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
