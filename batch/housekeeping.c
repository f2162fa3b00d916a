/*
 * housekeeping.c: the job kind that keeps the store and the media
 * directory tidy, once per hark-batch run.
 *
 * It is a list of steps run in order, each one function.  A step that
 * finds the database gone ends the run (cron tries again in a minute); a
 * step that fails otherwise is logged and the next step still runs, as the
 * steps do not depend on each other.  The steps, in steps[] in this order:
 *  - expire idempotency keys past their 24 hours and sessions past their
 *    TTL (store calls);
 *  - sweep the media directory (lib/media.h says what a crash may leave):
 *    temp files in .tmp/ older than an hour (a request takes minutes at
 *    most), and placed files <project>/<yyyy>/<mm>/<med_id>-<kind>.<ext>
 *    older than an hour that no media row names (a commit that never
 *    happened).  Only names of hark's own shape are ever removed;
 *  - finished jobs (done after a week, failed after a month) and the
 *    webhook delivery log after a month;
 *  - before the sweep, each project's retention period (off by default):
 *    the rows go, their files become the sweep's orphans.
 * Each of them bounds its work per run (a LIMIT per statement, a number of
 * files), so a long backlog is worked off over several runs, not in one.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "ids.h"
#include "jobs.h"
#include "log.h"
#include "media.h"
#include "store.h"

struct hk_step {
	const char		*name;
	enum hark_job_rc	(*run)(struct hark_job_ctx *ctx);
};

/* The others need a database; checking it first names the fault once. */
static enum hark_job_rc
hk_check_database(struct hark_job_ctx *ctx)
{
	if (hark_store_ping(ctx->db) != HARK_STORE_OK) {
		hark_log(HARK_LOG_WARN, "database unavailable; will retry next run");
		return HARK_JOB_UNAVAILABLE;
	}
	return HARK_JOB_DONE;
}

/*
 * A step that is one bounded store call deleting what has expired: the
 * database gone ends the run, another failure is a retry next run, and
 * what was deleted is logged as what.
 */
static enum hark_job_rc
hk_delete(struct hark_job_ctx *ctx, int (*fn)(struct hark_db *, int,
    unsigned long long *), int limit, const char *what)
{
	unsigned long long	 n = 0;
	int			 rc;

	rc = fn(ctx->db, limit, &n);
	if (rc == HARK_STORE_UNAVAILABLE)
		return HARK_JOB_UNAVAILABLE;
	if (rc != HARK_STORE_OK)
		return HARK_JOB_RETRY;
	if (n > 0)
		hark_log(HARK_LOG_INFO, "housekeeping: %llu %s", n, what);
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
	return hk_delete(ctx, hark_store_idem_sweep, HK_IDEM_SWEEP_LIMIT,
	    "expired idempotency keys deleted");
}

#define HK_SESSION_LIMIT	10000	/* expired sessions deleted per run */

static enum hark_job_rc
hk_expire_sessions(struct hark_job_ctx *ctx)
{
	return hk_delete(ctx, hark_store_session_expire, HK_SESSION_LIMIT,
	    "expired sessions deleted");
}

#define HK_PURGE_LIMIT		10000	/* finished jobs, deliveries per run */

/* The queue's finished rows and the delivery log, once they are history. */
static enum hark_job_rc
hk_purge_jobs(struct hark_job_ctx *ctx)
{
	return hk_delete(ctx, hark_store_jobs_purge, HK_PURGE_LIMIT,
	    "finished jobs deleted");
}

static enum hark_job_rc
hk_purge_deliveries(struct hark_job_ctx *ctx)
{
	return hk_delete(ctx, hark_store_deliveries_purge, HK_PURGE_LIMIT,
	    "webhook deliveries deleted from the log");
}

#define HK_ORPHAN_AGE_S		3600	/* older than any request or commit */
#define HK_FILES_MAX		20000	/* files looked at per run */

struct sweep {
	struct hark_job_ctx	*ctx;
	time_t			 before;	/* mtime older than this */
	unsigned		 seen, removed;
	int			 rc;
};

static bool
old_file(int dirfd, const char *name, time_t before)
{
	struct stat	 st;

	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode) && st.st_mtime < before;
}

/* .tmp/up-*: a named temp file no upload is writing any more. */
static void
sweep_tmp(struct sweep *sw, int mediafd)
{
	struct dirent	*d;
	DIR		*dir;
	int		 fd;

	if ((fd = openat(mediafd, HARK_MEDIA_TMPDIR, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) == -1 || (dir = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return;
	}
	while ((d = readdir(dir)) != NULL && sw->seen < HK_FILES_MAX) {
		if (strncmp(d->d_name, "up-", 3) != 0)
			continue;
		sw->seen++;
		if (old_file(fd, d->d_name, sw->before) &&
		    unlinkat(fd, d->d_name, 0) == 0)
			sw->removed++;
	}
	closedir(dir);
}

/* A month directory's placed files without a media row. */
static void
sweep_month(struct sweep *sw, int fd, const char *rel)
{
	struct dirent	*d;
	DIR		*dir;
	char		 path[HARK_MEDIA_RELPATH_MAX + 8];
	bool		 known;
	int		 dfd;

	if ((dfd = dup(fd)) == -1 || (dir = fdopendir(dfd)) == NULL) {
		if (dfd != -1)
			close(dfd);
		return;
	}
	while ((d = readdir(dir)) != NULL && sw->seen < HK_FILES_MAX &&
	    sw->rc == HARK_STORE_OK) {
		if (d->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", rel,
		    d->d_name) >= sizeof(path) || !hark_media_relpath_valid(path))
			continue;
		sw->seen++;
		if (!old_file(fd, d->d_name, sw->before))
			continue;
		sw->rc = hark_store_media_path_known(sw->ctx->db, path, &known);
		if (sw->rc == HARK_STORE_OK && !known &&
		    unlinkat(fd, d->d_name, 0) == 0) {
			sw->removed++;
			hark_log(HARK_LOG_INFO, "housekeeping: removed %s (no "
			    "media row)", path);
		}
	}
	closedir(dir);
}

/* Walks <project>/<yyyy>/<mm>/, each level checked for hark's shape. */
static void
sweep_level(struct sweep *sw, int fd, const char *rel, int depth)
{
	struct dirent	*d;
	DIR		*dir;
	char		 sub[128];
	int		 dfd, cfd;

	if ((dfd = dup(fd)) == -1 || (dir = fdopendir(dfd)) == NULL) {
		if (dfd != -1)
			close(dfd);
		return;
	}
	while ((d = readdir(dir)) != NULL && sw->seen < HK_FILES_MAX &&
	    sw->rc == HARK_STORE_OK) {
		if (depth == 0 ? !hark_id_valid(HARK_ID_PROJECT, d->d_name) :
		    strspn(d->d_name, "0123456789") != strlen(d->d_name) ||
		    strlen(d->d_name) != (depth == 1 ? 4u : 2u))
			continue;
		if ((cfd = openat(fd, d->d_name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC)) == -1)
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "",
		    d->d_name);
		if (depth == 2)
			sweep_month(sw, cfd, sub);
		else
			sweep_level(sw, cfd, sub, depth + 1);
		close(cfd);
	}
	closedir(dir);
}

static enum hark_job_rc
hk_sweep_media(struct hark_job_ctx *ctx)
{
	struct sweep	 sw = { ctx, time(NULL) - HK_ORPHAN_AGE_S, 0, 0,
			    HARK_STORE_OK };
	int		 fd;

	if ((fd = open(ctx->conf->media_dir, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return HARK_JOB_DONE;	/* nothing uploaded yet */
		hark_log(HARK_LOG_WARN, "housekeeping: %s: %s",
		    ctx->conf->media_dir, strerror(errno));
		return HARK_JOB_RETRY;
	}
	sweep_tmp(&sw, fd);
	sweep_level(&sw, fd, "", 0);
	close(fd);
	if (sw.rc == HARK_STORE_UNAVAILABLE)
		return HARK_JOB_UNAVAILABLE;
	if (sw.removed > 0)
		hark_log(HARK_LOG_INFO, "housekeeping: %u orphan media files "
		    "removed of %u looked at", sw.removed, sw.seen);
	return sw.rc == HARK_STORE_OK ? HARK_JOB_DONE : HARK_JOB_RETRY;
}

#define HK_RETENTION_LIMIT	5000	/* items erased per run */

/*
 * Each project's retention period (harkctl project retention; off by
 * default): the rows go, with their labels, comments, media rows and jobs
 * (ON DELETE CASCADE); their files are older than the sweep's hour, so
 * the media sweep that follows removes them.
 */
static enum hark_job_rc
hk_retention(struct hark_job_ctx *ctx)
{
	return hk_delete(ctx, hark_store_retention_apply, HK_RETENTION_LIMIT,
	    "items past their project's retention erased");
}

static const struct hk_step hk_steps[] = {
	{ "check database", hk_check_database },
	{ "expire idempotency keys", hk_sweep_idempotency_keys },
	{ "expire sessions", hk_expire_sessions },
	{ "purge finished jobs", hk_purge_jobs },
	{ "purge the delivery log", hk_purge_deliveries },
	{ "apply retention", hk_retention },
	{ "sweep media", hk_sweep_media },
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
