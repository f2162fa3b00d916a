/*
 * main.c: hark-batch, the cron-driven batch processor.
 *
 * Runs from cron every minute.  A non-blocking lock on the state directory
 * makes overlapping runs on one host exit at once.  Job kinds (transcribe,
 * enrich, notify, housekeeping) plug into run_jobs() as they land; this
 * version sets up the run (configuration, lock, database) and reports.
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
#include "db.h"
#include "log.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: hark-batch [-c config] [--max-seconds N] [--version]\n");
}

/* Returns the lock fd, -2 when another run holds it, -1 on error. */
static int
take_lock(const char *state_dir)
{
	char	 path[4096];
	int	 fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/batch.lock", state_dir) >=
	    sizeof(path))
		return -1;
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		fprintf(stderr, "hark-batch: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		close(fd);
		return errno == EWOULDBLOCK ? -2 : -1;
	}
	return fd;
}

/* The job loop: no job kind is implemented yet, so there is nothing to claim. */
static int
run_jobs(struct hark_db *db, time_t deadline)
{
	int	 rc;

	(void)deadline;
	if ((rc = hark_db_ping(db)) != HARK_DB_OK) {
		hark_log(HARK_LOG_WARN, "database unavailable; will retry next run");
		return 1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "max-seconds", required_argument, NULL, 'm' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct hark_conf	 conf;
	struct hark_conf_err	 err;
	struct hark_db		*db = NULL;
	const char		*config_path = NULL;
	char			*end;
	long			 max_seconds = 50;
	int			 ch, lock = -1, rc = 1;

	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			config_path = optarg;
			break;
		case 'm':
			max_seconds = strtol(optarg, &end, 10);
			if (*end != '\0' || max_seconds < 1 || max_seconds > 86400) {
				fprintf(stderr, "hark-batch: --max-seconds wants "
				    "1 to 86400\n");
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
	if (config_path == NULL)
		config_path = hark_conf_default_path();
	if (hark_conf_load(config_path, &conf, &err) == -1) {
		fprintf(stderr, "hark-batch: %s\n", err.msg);
		return 1;
	}
	if (hark_log_open("hark-batch", conf.log_file, conf.log_level) == -1) {
		fprintf(stderr, "hark-batch: cannot open log file %s\n",
		    conf.log_file);
		goto out;
	}
	if ((lock = take_lock(conf.state_dir)) == -2) {
		rc = 0;		/* the previous run is still busy: not an error */
		goto out;
	}
	if (lock == -1 || hark_db_library_init() != 0 ||
	    (db = hark_db_new(&conf)) == NULL)
		goto out;
	rc = run_jobs(db, time(NULL) + max_seconds);
out:
	if (db != NULL)
		hark_db_free(db);
	if (lock >= 0)
		close(lock);
	hark_conf_free(&conf);
	hark_log_close();
	return rc;
}
