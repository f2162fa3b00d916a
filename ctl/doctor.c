/*
 * doctor.c: harkctl doctor: whether this installation can take feedback,
 * checked part by part, each with ok, warn or fail and what to do.
 *
 * The checks follow a submission's way: the configuration, the database
 * and its schema, the state and media directories, libmagic, the web
 * server in front, a real submission through it (into a project made for
 * the check and erased with it, so that no team's webhook or tracker hears
 * of it), and the batch processor that works what submissions leave.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "buf.h"
#include "ids.h"
#include "keys.h"
#include "media.h"
#include "migrate.h"
#include "store.h"
#include "webclient.h"

#include "ctl.h"

#define DOCTOR_TIMEOUT_MS	10000
#define DOCTOR_MIN_FREE		(1024LL * 1024 * 1024)	/* warn below 1 GiB */
#define DOCTOR_BATCH_STALE_S	600	/* cron runs it every minute */
#define DOCTOR_LOCK_FILE	"batch.lock"	/* hark-batch's, in state_dir */

struct doctor {
	struct ctl	*ctl;
	const char	*url;		/* the web server's base URL */
	unsigned	 fails, warns;
	int		 db_ok;
};

static void
say(struct doctor *d, const char *level, const char *what, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static void
say(struct doctor *d, const char *level, const char *what, const char *fmt,
    ...)
{
	va_list	 ap;

	if (strcmp(level, "fail") == 0)
		d->fails++;
	else if (strcmp(level, "warn") == 0)
		d->warns++;
	printf("%-4s %-10s ", level, what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void
check_config(struct doctor *d)
{
	say(d, "ok", "config", "%s parses and every key is known",
	    d->ctl->config_path != NULL ? d->ctl->config_path :
	    hark_conf_default_path());
}

/* The highest version among the schema files harkctl migrate would apply. */
static int
schema_files_version(const char *dir)
{
	struct dirent	*e;
	DIR		*dp;
	int		 v, max = -1;

	if ((dp = opendir(dir)) == NULL)
		return -1;
	while ((e = readdir(dp)) != NULL) {
		size_t	 n = strlen(e->d_name);

		if (n > 4 && strcmp(e->d_name + n - 4, ".sql") == 0 &&
		    sscanf(e->d_name, "%d_", &v) == 1 && v > max)
			max = v;
	}
	closedir(dp);
	return max;
}

static void
check_database(struct doctor *d)
{
	struct ctl	*ctl = d->ctl;
	int		 have = 0, want;

	if (hark_store_ping(ctl->db) != HARK_STORE_OK) {
		say(d, "fail", "database", "cannot reach it: %s (check "
		    "[database] and that MariaDB runs)",
		    hark_store_errmsg(ctl->db));
		return;
	}
	d->db_ok = 1;
	if (hark_migrate_current(ctl->db, &have) != HARK_STORE_OK) {
		say(d, "fail", "schema", "cannot read schema_migrations: %s",
		    hark_store_errmsg(ctl->db));
		return;
	}
	want = schema_files_version(ctl_schema_dir());
	say(d, "ok", "database", "answers");
	if (have == 0)
		say(d, "fail", "schema", "no schema: run harkctl migrate");
	else if (want > have)
		say(d, "warn", "schema", "version %d, the files in %s go to "
		    "%d: run harkctl migrate", have, ctl_schema_dir(), want);
	else if (want == -1)
		say(d, "warn", "schema", "version %d; no schema files in %s to "
		    "compare with", have, ctl_schema_dir());
	else
		say(d, "ok", "schema", "version %d, up to date", have);
}

/* A directory hark writes: there, a directory, writable, with room. */
static void
check_dir(struct doctor *d, const char *what, const char *path)
{
	struct statvfs	 fs;
	struct stat	 st;
	long long	 avail;

	if (stat(path, &st) == -1) {
		say(d, "fail", what, "%s: %s (create it, owned by the user "
		    "hark-fcgi runs as)", path, strerror(errno));
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		say(d, "fail", what, "%s is not a directory", path);
		return;
	}
	if (access(path, W_OK | X_OK) == -1) {
		say(d, "fail", what, "%s is not writable here: %s", path,
		    strerror(errno));
		return;
	}
	if (statvfs(path, &fs) == -1) {
		say(d, "warn", what, "%s: cannot read the free space: %s",
		    path, strerror(errno));
		return;
	}
	avail = (long long)fs.f_bavail * (long long)fs.f_frsize;
	if (avail < DOCTOR_MIN_FREE)
		say(d, "warn", what, "%s: only %lld MiB free", path,
		    avail / (1024 * 1024));
	else
		say(d, "ok", what, "%s, %lld MiB free", path,
		    avail / (1024 * 1024));
}

static void
check_magic(struct doctor *d)
{
	char		 err[256];

	if (hark_media_magic_open(err, sizeof(err)) == -1) {
		say(d, "fail", "libmagic", "%s (install libmagic1 and "
		    "libmagic-mgc)", err);
		return;
	}
	hark_media_magic_close();
	say(d, "ok", "libmagic", "its database loads");
}

static enum hark_web_rc
web(const char *method, const char *url, const char *const *headers,
    const char *body, long *status, struct hark_buf *out, char *why,
    size_t whylen)
{
	struct hark_web_req	 r;

	memset(&r, 0, sizeof(r));
	r.method = method;
	r.url = url;
	r.headers = headers;
	r.content_type = body != NULL ? "application/json" : NULL;
	r.body = body != NULL ? body : "";
	r.len = body != NULL ? strlen(body) : 0;
	r.timeout_ms = DOCTOR_TIMEOUT_MS;
	r.max_answer = 65536;
	return hark_web_request(&r, status, out, NULL, why, whylen);
}

static int
check_health(struct doctor *d)
{
	struct hark_buf	 out = { NULL, 0, 0 };
	char		 url[1024], why[256] = "";
	long		 status = 0;
	int		 ok = 0;

	snprintf(url, sizeof(url), "%s/v1/health", d->url);
	if (web("GET", url, NULL, NULL, &status, &out, why, sizeof(why)) !=
	    HARK_WEB_OK)
		say(d, "fail", "web", "%s: %s (is the web server up, and does "
		    "it pass /v1/ to hark-fcgi?  --url names it)", url, why);
	else if (status != 200)
		say(d, "fail", "web", "%s answers %ld: %.*s", url, status,
		    (int)(out.len > 120 ? 120 : out.len), out.data ? out.data : "");
	else {
		say(d, "ok", "web", "%s answers 200", url);
		ok = 1;
	}
	hark_buf_free(&out);
	return ok;
}

/* The id of a 201's body, or "". */
static void
answer_id(const struct hark_buf *out, char *id, size_t len)
{
	struct json_object	*o, *v;

	id[0] = '\0';
	if (out->data == NULL || (o = json_tokener_parse(out->data)) == NULL)
		return;
	if (json_object_object_get_ex(o, "id", &v) &&
	    json_object_is_type(v, json_type_string))
		snprintf(id, len, "%s", json_object_get_string(v));
	json_object_put(o);
}

/*
 * A submission through the web server with a key of a project made for it;
 * the project goes afterwards with everything in it (ON DELETE CASCADE).
 */
static void
check_round_trip(struct doctor *d)
{
	struct ctl	*ctl = d->ctl;
	char		 project[HARK_ID_SIZE], key_id[HARK_ID_SIZE];
	char		 key[HARK_KEY_SIZE], prefix[HARK_KEY_DISPLAY_LEN + 1];
	char		 auth[HARK_KEY_SIZE + 32], url[1024], why[256] = "";
	char		 fb_id[64];
	unsigned char	 hash[HARK_KEY_HASH_LEN];
	const char	*headers[2] = { auth, NULL };
	struct hark_buf	 out = { NULL, 0, 0 };
	long		 status = 0;
	int		 rc;

	if (hark_id_new(HARK_ID_PROJECT, project, sizeof(project)) == -1 ||
	    hark_id_new(HARK_ID_KEY, key_id, sizeof(key_id)) == -1 ||
	    hark_key_new_secret(key, sizeof(key)) == -1 ||
	    hark_key_hash(key, strlen(key), hash) == -1) {
		say(d, "fail", "submit", "cannot make a key");
		return;
	}
	hark_key_display_prefix(key, prefix, sizeof(prefix));
	if ((rc = hark_store_project_create(ctl->db, project,
	    "harkctl doctor")) != HARK_STORE_OK || (rc = hark_store_key_create(
	    ctl->db, key_id, project, "harkctl doctor", prefix, hash)) !=
	    HARK_STORE_OK) {
		say(d, "fail", "submit", "cannot make the check's project: %s",
		    hark_store_errmsg(ctl->db));
		goto out;
	}
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
	snprintf(url, sizeof(url), "%s/v1/feedback", d->url);
	if (web("POST", url, headers, "{\"text\":\"harkctl doctor: a test "
	    "submission, erased at once\"}", &status, &out, why, sizeof(why)) !=
	    HARK_WEB_OK)
		say(d, "fail", "submit", "POST %s: %s", url, why);
	else if (status != 201)
		say(d, "fail", "submit", "POST %s answers %ld: %.*s", url,
		    status, (int)(out.len > 160 ? 160 : out.len),
		    out.data ? out.data : "");
	else {
		answer_id(&out, fb_id, sizeof(fb_id));
		say(d, "ok", "submit", "a submission through %s is stored "
		    "(%s) and erased", d->url, fb_id[0] ? fb_id : "?");
	}
out:
	explicit_bzero(key, sizeof(key));
	explicit_bzero(auth, sizeof(auth));
	if (hark_store_project_delete(ctl->db, project) != HARK_STORE_OK &&
	    hark_store_project_exists(ctl->db, project) == HARK_STORE_OK)
		say(d, "warn", "submit", "could not erase the check's project "
		    "%s: harkctl cannot, erase it in MariaDB", project);
	hark_buf_free(&out);
}

/*
 * hark-batch takes its lock file each run: its age says whether cron (or
 * the timer) runs it.  The schedule's files say how it is meant to run.
 */
static void
check_batch(struct doctor *d)
{
	const struct hark_conf	*conf = &d->ctl->conf;
	char			 path[1024];
	struct stat		 st;
	const char		*how;
	long long		 age;

	how = access("/etc/cron.d/hark", R_OK) == 0 ? "/etc/cron.d/hark" :
	    access("/etc/systemd/system/timers.target.wants/hark-batch.timer",
	    F_OK) == 0 ? "hark-batch.timer" : NULL;
	snprintf(path, sizeof(path), "%s/%s", conf->state_dir,
	    DOCTOR_LOCK_FILE);
	if (stat(path, &st) == -1) {
		say(d, "fail", "batch", "hark-batch has never run with this "
		    "state_dir%s%s (install conf/hark.cron as /etc/cron.d/hark, "
		    "or enable hark-batch.timer)", how ? "; schedule: " : "",
		    how ? how : "");
		return;
	}
	age = (long long)(time(NULL) - st.st_mtime);
	if (age > DOCTOR_BATCH_STALE_S)
		say(d, "warn", "batch", "hark-batch last ran %lld s ago%s%s: "
		    "is cron (or the timer) running it every minute?", age,
		    how ? "; schedule: " : "; no schedule found", how ? how : "");
	else
		say(d, "ok", "batch", "hark-batch ran %lld s ago%s%s%s", age,
		    how ? " (" : "", how ? how : "", how ? ")" : "");
}

int
ctl_cmd_doctor(struct ctl *ctl, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "url", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 }
	};
	struct doctor			 d;
	int				 ch;

	memset(&d, 0, sizeof(d));
	d.ctl = ctl;
	d.url = "http://127.0.0.1";
	ctl_getopt_reset();
	while ((ch = getopt_long(argc, argv, "u:", opts, NULL)) != -1) {
		if (ch != 'u')
			return ctl_usage_error("doctor [--url URL]");
		d.url = optarg;
	}
	if (optind != argc)
		return ctl_usage_error("doctor takes no operand (--url URL)");
	if (strncmp(d.url, "http://", 7) != 0 &&
	    strncmp(d.url, "https://", 8) != 0)
		return ctl_usage_error("--url takes an http:// or https:// URL");
	if (ctl_open(ctl) != CTL_OK) {
		printf("fail config     %s does not load (the line above says "
		    "why)\n", ctl->config_path != NULL ? ctl->config_path :
		    hark_conf_default_path());
		return CTL_FAIL;
	}
	check_config(&d);
	check_database(&d);
	check_dir(&d, "state_dir", ctl->conf.state_dir);
	check_dir(&d, "media_dir", ctl->conf.media_dir);
	check_magic(&d);
	if (check_health(&d) && d.db_ok)
		check_round_trip(&d);
	check_batch(&d);
	printf("%u failed, %u warnings\n", d.fails, d.warns);
	return d.fails > 0 ? CTL_FAIL : CTL_OK;
}
