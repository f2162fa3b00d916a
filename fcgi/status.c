/*
 * status.c: the pool's status file, written by the master and read by
 * `hark-fcgi --status` and GET /v1/status.  JSON, so scripts and monitoring read it as it is
 * (--json), and the text view is made from the same fields.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "status.h"

#define STATUS_MAX	(64 * 1024)	/* larger is not a status file */

struct hark_status_slot *
hark_status_slots(size_t n)
{
	void	*p;

	p = mmap(NULL, n * sizeof(struct hark_status_slot),
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static void
rfc3339(time_t t, char *buf, size_t sz)
{
	struct tm	 tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, sz, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, sz, "%lld", (long long)t);
}

static void
add_time(json_object *o, const char *key, time_t t)
{
	char	 buf[32];

	rfc3339(t, buf, sizeof(buf));
	json_object_object_add(o, key, json_object_new_string(buf));
}

static json_object *
status_json(const struct hark_status *st, time_t now)
{
	json_object	*o, *w, *r, *rl;

	o = json_object_new_object();
	json_object_object_add(o, "pid", json_object_new_int64(st->pid));
	add_time(o, "started_at", st->started);
	json_object_object_add(o, "uptime_seconds",
	    json_object_new_int64((int64_t)(now - st->started)));
	add_time(o, "updated_at", now);
	w = json_object_new_object();
	json_object_object_add(w, "configured", json_object_new_int(st->workers));
	json_object_object_add(w, "alive", json_object_new_int(st->alive));
	json_object_object_add(w, "busy", json_object_new_int(st->busy));
	json_object_object_add(w, "idle",
	    json_object_new_int(st->alive - st->busy));
	json_object_object_add(o, "workers", w);
	json_object_object_add(o, "requests_served",
	    json_object_new_int64((int64_t)st->served));
	json_object_object_add(o, "restarts",
	    json_object_new_int64((int64_t)st->restarts));
	if (st->last_restart != 0) {
		r = json_object_new_object();
		add_time(r, "at", st->last_restart);
		json_object_object_add(r, "pid",
		    json_object_new_int64(st->last_restart_pid));
		json_object_object_add(r, "cause",
		    json_object_new_string(st->last_cause));
		json_object_object_add(o, "last_restart", r);
	} else
		json_object_object_add(o, "last_restart", NULL);
	json_object_object_add(o, "reloads",
	    json_object_new_int64((int64_t)st->reloads));
	if (st->has_rl) {
		rl = json_object_new_object();
		json_object_object_add(rl, "buckets",
		    json_object_new_int64((int64_t)st->rl.nbuckets));
		json_object_object_add(rl, "buckets_used",
		    json_object_new_int64((int64_t)st->rl.used));
		json_object_object_add(rl, "gates",
		    json_object_new_int64((int64_t)st->rl.ngates));
		json_object_object_add(rl, "evictions",
		    json_object_new_int64((int64_t)st->rl.evictions));
		json_object_object_add(rl, "recoveries",
		    json_object_new_int64((int64_t)st->rl.recoveries));
		json_object_object_add(o, "rate_limit_table", rl);
	} else
		json_object_object_add(o, "rate_limit_table", NULL);
	return o;
}

static int
status_path(const char *dir, const char *suffix, char *buf, size_t sz)
{
	int	 n = snprintf(buf, sz, "%s/%s%s", dir, HARK_STATUS_FILE_NAME,
		    suffix);

	if (n < 0 || (size_t)n >= sz) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int
hark_status_write(const char *dir, const struct hark_status *st)
{
	char		 path[4096], tmp[4096];
	json_object	*o;
	const char	*text;
	size_t		 len, off = 0;
	ssize_t		 n;
	int		 fd, rc = -1, saved;

	if (status_path(dir, "", path, sizeof(path)) == -1 ||
	    status_path(dir, ".tmp", tmp, sizeof(tmp)) == -1)
		return -1;
	o = status_json(st, time(NULL));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_SPACED);
	len = strlen(text);
	/* No secrets in it: operators read it without being hark. */
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0644)) == -1)
		goto out;
	while (off < len) {
		if ((n = write(fd, text + off, len - off)) <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			close(fd);
			goto out;
		}
		off += (size_t)n;
	}
	if (write(fd, "\n", 1) != 1 || close(fd) == -1 ||
	    rename(tmp, path) == -1)
		goto out;
	rc = 0;
out:
	saved = errno;
	if (rc == -1)
		unlink(tmp);
	json_object_put(o);
	errno = saved;
	return rc;
}

void
hark_status_remove(const char *dir)
{
	char	 path[4096];

	if (status_path(dir, "", path, sizeof(path)) == 0)
		unlink(path);
}

static json_object *
status_read(const char *path)
{
	json_object	*o;
	char		*buf;
	size_t		 len;
	FILE		*f;

	if ((f = fopen(path, "re")) == NULL)
		return NULL;
	if ((buf = malloc(STATUS_MAX + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	len = fread(buf, 1, STATUS_MAX + 1, f);
	fclose(f);
	buf[len > STATUS_MAX ? STATUS_MAX : len] = '\0';
	o = len > STATUS_MAX ? NULL : json_tokener_parse(buf);
	free(buf);
	if (o != NULL && !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	if (o == NULL)
		errno = EINVAL;
	return o;
}

static const char *
str_at(json_object *o, const char *a, const char *b)
{
	json_object	*v;

	if (!json_object_object_get_ex(o, a, &v))
		return "-";
	if (b != NULL && (v == NULL || !json_object_object_get_ex(v, b, &v)))
		return "-";
	return v == NULL ? "-" : json_object_get_string(v);
}

static void
print_text(json_object *o, int running, FILE *out)
{
	json_object	*r;

	fprintf(out, "pid:               %s%s\n", str_at(o, "pid", NULL),
	    running ? "" : " (not running: the status is stale)");
	fprintf(out, "started at:        %s\n", str_at(o, "started_at", NULL));
	fprintf(out, "uptime:            %s s\n",
	    str_at(o, "uptime_seconds", NULL));
	fprintf(out, "workers:           %s alive of %s (%s busy, %s idle)\n",
	    str_at(o, "workers", "alive"), str_at(o, "workers", "configured"),
	    str_at(o, "workers", "busy"), str_at(o, "workers", "idle"));
	fprintf(out, "requests served:   %s\n",
	    str_at(o, "requests_served", NULL));
	fprintf(out, "restarts:          %s\n", str_at(o, "restarts", NULL));
	if (json_object_object_get_ex(o, "last_restart", &r) && r != NULL)
		fprintf(out, "last restart:      %s, worker %s: %s\n",
		    str_at(r, "at", NULL), str_at(r, "pid", NULL),
		    str_at(r, "cause", NULL));
	else
		fprintf(out, "last restart:      none\n");
	fprintf(out, "reloads:           %s\n", str_at(o, "reloads", NULL));
	if (json_object_object_get_ex(o, "rate_limit_table", &r) && r != NULL)
		fprintf(out, "rate-limit table:  %s of %s buckets used, "
		    "%s evictions, %s recoveries, %s gates\n",
		    str_at(r, "buckets_used", NULL), str_at(r, "buckets", NULL),
		    str_at(r, "evictions", NULL), str_at(r, "recoveries", NULL),
		    str_at(r, "gates", NULL));
	fprintf(out, "updated at:        %s\n", str_at(o, "updated_at", NULL));
}

/* Whether the master the status names still runs. */
static int
master_runs(json_object *o)
{
	json_object	*pid;
	long		 p = 0;

	if (json_object_object_get_ex(o, "pid", &pid))
		p = (long)json_object_get_int64(pid);
	/* EPERM: alive, under another user. */
	return p > 0 && (kill((pid_t)p, 0) == 0 || errno == EPERM);
}

json_object *
hark_status_json(const char *dir)
{
	char		 path[4096];
	json_object	*o;

	if (status_path(dir, "", path, sizeof(path)) == -1 ||
	    (o = status_read(path)) == NULL)
		return NULL;
	json_object_object_add(o, "running",
	    json_object_new_boolean(master_runs(o)));
	return o;
}

int
hark_status_print(const char *dir, int json, FILE *out)
{
	char		 path[4096];
	json_object	*o;
	int		 running;

	if (status_path(dir, "", path, sizeof(path)) == -1)
		return 1;
	if ((o = status_read(path)) == NULL) {
		if (errno == ENOENT) {
			fprintf(json ? stderr : out, "hark-fcgi: no master "
			    "running (%s does not exist)\n", path);
			return 3;
		}
		fprintf(stderr, "hark-fcgi: %s: %s\n", path,
		    errno == EINVAL ? "not a status file" : strerror(errno));
		return 1;
	}
	running = master_runs(o);
	if (json) {
		json_object_object_add(o, "running",
		    json_object_new_boolean(running));
		fprintf(out, "%s\n", json_object_to_json_string_ext(o,
		    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
	} else
		print_text(o, running, out);
	json_object_put(o);
	return running ? 0 : 3;
}
