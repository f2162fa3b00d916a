/*
 * main.c: hark-batch, the cron-driven batch processor.
 *
 * Runs from cron every minute: reads the options and the configuration,
 * takes a non-blocking lock on the state directory (a run still busy makes
 * the next one exit at once), connects to the database, takes the chosen
 * job kinds through one run within --max-seconds (jobs.c) and logs a
 * summary line.  What each kind does lives in its own file.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "enrich.h"
#include "jobs.h"
#include "log.h"
#include "store.h"
#include "transcribe.h"
#include "triage_model.h"

struct batch_opts {
	const char	*config_path;
	hark_job_set	 jobs;
	long		 max_seconds;
	int		 once;
	int		 verbose;
	int		 status;
};

static void
usage(FILE *f)
{
	size_t	 i;

	fprintf(f, "usage: hark-batch [-c config] [--jobs KIND,...] [--once] "
	    "[--max-seconds N] [--verbose]\n"
	    "       hark-batch [-c config] --status\n"
	    "       hark-batch --help | --version\n"
	    "job kinds:");
	for (i = 0; i < hark_job_nkinds; i++)
		fprintf(f, " %s", hark_job_kinds[i].name);
	fprintf(f, "\n");
}

/* Returns -1 to go on, else the exit status (0 for --help and --version). */
static int
parse_options(int argc, char *argv[], struct batch_opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "once", no_argument, NULL, 'o' },
		{ "max-seconds", required_argument, NULL, 'm' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "status", no_argument, NULL, 's' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char	 msg[128], *end;
	int	 ch;

	o->config_path = NULL;
	o->jobs = hark_job_set_all();
	o->max_seconds = 50;
	o->once = 0;
	o->verbose = 0;
	o->status = 0;
	while ((ch = getopt_long(argc, argv, "c:hv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->config_path = optarg;
			break;
		case 'j':
			if (hark_job_set_parse(optarg, &o->jobs, msg,
			    sizeof(msg)) == -1) {
				fprintf(stderr, "hark-batch: %s\n", msg);
				usage(stderr);
				return 2;
			}
			break;
		case 'o':
			o->once = 1;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 's':
			o->status = 1;
			break;
		case 'm':
			errno = 0;
			o->max_seconds = strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    o->max_seconds < 1 || o->max_seconds > 86400) {
				fprintf(stderr, "hark-batch: --max-seconds wants "
				    "1 to 86400\n");
				usage(stderr);
				return 2;
			}
			break;
		case 'V':
			printf("hark-batch %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (o->config_path == NULL)
		o->config_path = hark_conf_default_path();
	return -1;
}

/* Returns the lock fd, -2 when another run holds it, -1 on error (logged). */
static int
take_lock(const char *state_dir)
{
	char	 path[4096];
	int	 fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/batch.lock", state_dir) >=
	    sizeof(path)) {
		hark_log(HARK_LOG_ERR, "state_dir is too long for the lock file");
		return -1;
	}
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		hark_log(HARK_LOG_ERR, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK) {
			hark_log(HARK_LOG_INFO, "another run holds %s; "
			    "this one exits", path);
			close(fd);
			return -2;
		}
		hark_log(HARK_LOG_ERR, "%s: flock: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int
run(const struct hark_conf *conf, struct hark_db *db,
    const struct batch_opts *o)
{
	struct hark_job_ctx	 ctx;
	struct hark_job_stats	 st = { 0, 0, 0 };
	time_t			 start = time(NULL);
	char			 host[64];
	int			 rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.conf = conf;
	ctx.db = db;
	ctx.deadline = start + o->max_seconds;
	ctx.once = o->once;
	ctx.verbose = o->verbose;
	if (gethostname(host, sizeof(host)) == -1)
		snprintf(host, sizeof(host), "host");
	host[sizeof(host) - 1] = '\0';
	/* host:pid:start names this run's claims, whoever else is running. */
	snprintf(ctx.owner, sizeof(ctx.owner), "%.60s:%ld:%lld", host,
	    (long)getpid(), (long long)start);
	rc = hark_jobs_run(&ctx, o->jobs, &st);
	hark_transcriber_close(ctx.transcriber);
	hark_enricher_close(ctx.enricher);
	hark_log(HARK_LOG_INFO, "run: %u done, %u retried, %u failed, %lld s",
	    st.done, st.retried, st.failed, (long long)(time(NULL) - start));
	return rc == 0 ? 0 : 1;
}

static int
status_row(void *ctx, const char *kind, const char *status, long long n,
    long long oldest)
{
	int	*rows = ctx;

	if ((*rows)++ == 0)
		printf("%-14s %-8s %8s %s\n", "KIND", "STATE", "JOBS",
		    "OLDEST DUE (s)");
	if (oldest >= 0)
		printf("%-14s %-8s %8lld %lld\n", kind, status, n, oldest);
	else
		printf("%-14s %-8s %8lld -\n", kind, status, n);
	return 0;
}

/* --status: the queue by kind and state, for monitoring; exit 1 when the
 * database cannot answer. */
static int
status(struct hark_db *db)
{
	int	 rows = 0;

	if (hark_store_job_stats(db, status_row, &rows) != HARK_STORE_OK) {
		fprintf(stderr, "hark-batch: --status: %s\n",
		    hark_store_errmsg(db));
		return 1;
	}
	if (rows == 0)
		printf("no jobs\n");
	return 0;
}

int
main(int argc, char *argv[])
{
	struct batch_opts	 o;
	struct hark_conf	 conf;
	struct hark_conf_err	 err;
	struct hark_db		*db = NULL;
	char			 tm_err[512];
	int			 lock = -1, rc;

	if ((rc = parse_options(argc, argv, &o)) != -1)
		return rc;
	rc = 1;
	if (hark_conf_load(o.config_path, &conf, &err) == -1) {
		fprintf(stderr, "hark-batch: %s\n", err.msg);
		return 1;
	}
	if (hark_log_open("hark-batch", conf.log_file, conf.log_level) == -1) {
		fprintf(stderr, "hark-batch: cannot open log file %s\n",
		    conf.log_file);
		goto out;
	}
	if (o.status) {
		if (hark_store_library_init() != 0 ||
		    (db = hark_store_open(&conf)) == NULL)
			goto out;
		rc = status(db);
		goto out;
	}
	if (hark_triage_model_load(conf.triage_model_file, tm_err,
	    sizeof(tm_err)) == -1) {
		fprintf(stderr, "hark-batch: %s\n", tm_err);
		hark_log(HARK_LOG_ERR, "%s", tm_err);
		goto out;
	}
	if ((lock = take_lock(conf.state_dir)) == -2) {
		rc = 0;		/* the previous run is still busy: not an error */
		goto out;
	}
	if (lock == -1 || hark_store_library_init() != 0 ||
	    (db = hark_store_open(&conf)) == NULL)
		goto out;
	rc = run(&conf, db, &o);
out:
	if (db != NULL)
		hark_store_close(db);
	if (lock >= 0)
		close(lock);
	hark_triage_model_close(hark_triage_model_get());
	hark_conf_free(&conf);
	hark_log_close();
	return rc;
}
