/*
 * notify.c: the two job kinds that turn the inbox's events into
 * deliveries.
 *
 *  - events (each run): new rows of projects that have a target for
 *    feedback.created (a webhook subscribed to it, a Linear link) are
 *    stamped and given their notify job, from the time the project got its
 *    target; ingest itself writes nothing for them.
 *  - notify (queued, one per event): the event's item (and comment) read
 *    once, and in one transaction a webhook_deliveries row and webhook job
 *    per subscribed endpoint, the submitter's email job, the Linear job.
 *    Their ids are derived from the notify job's, so a fan-out run again
 *    (its claim lapsed before it was recorded done) adds nothing twice.
 *    The webhook payload is made here, once: every endpoint and every
 *    attempt sends the same bytes, signed as they are stored.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "conf.h"
#include "feedback.h"
#include "ids.h"
#include "jobs.h"
#include "store.h"
#include "timestamp.h"

#define EVENTS_BATCH		200	/* rows announced per transaction */
#define EVENTS_PROJECTS_MAX	4096	/* projects with targets, per run */
#define NOTIFY_WEBHOOKS_MAX	32	/* endpoints of one project */
#define NOTIFY_JOBS_MAX		(NOTIFY_WEBHOOKS_MAX + 2)

/* ---- events ---- */

struct project_list {
	char	(*ids)[HARK_ID_SIZE];
	char	(*since)[HARK_STORE_TS_SIZE];
	size_t	 n;
};

static int
project_seen(void *ctx, const char *project_id, const char *since)
{
	struct project_list	*pl = ctx;

	if (pl->n == EVENTS_PROJECTS_MAX)
		return 0;
	snprintf(pl->ids[pl->n], HARK_ID_SIZE, "%s", project_id);
	snprintf(pl->since[pl->n], HARK_STORE_TS_SIZE, "%s", since);
	pl->n++;
	return 0;
}

static enum hark_job_rc
announce(struct hark_job_ctx *ctx, const char *project_id, const char *since)
{
	unsigned	 n;
	int		 rc;

	do {
		rc = hark_store_notify_announce(ctx->db, project_id, since,
		    EVENTS_BATCH, &n);
		if (rc == HARK_STORE_UNAVAILABLE)
			return HARK_JOB_UNAVAILABLE;
		if (rc != HARK_STORE_OK) {
			hark_job_why(ctx, "events: cannot announce new items");
			return HARK_JOB_RETRY;
		}
	} while (n == EVENTS_BATCH && time(NULL) < ctx->deadline);
	return HARK_JOB_DONE;
}

enum hark_job_rc
hark_events_run(struct hark_job_ctx *ctx, const struct hark_job *job)
{
	struct project_list	 pl;
	enum hark_job_rc	 out = HARK_JOB_DONE, r;
	size_t			 i;
	int			 rc;

	(void)job;
	memset(&pl, 0, sizeof(pl));
	pl.ids = calloc(EVENTS_PROJECTS_MAX, sizeof(*pl.ids));
	pl.since = calloc(EVENTS_PROJECTS_MAX, sizeof(*pl.since));
	if (pl.ids == NULL || pl.since == NULL) {
		hark_job_why(ctx, "events: out of memory");
		out = HARK_JOB_RETRY;
		goto done;
	}
	/* The list first: each project's announcing is its own transaction. */
	rc = hark_store_notify_projects(ctx->db, project_seen, &pl);
	if (rc == HARK_STORE_UNAVAILABLE) {
		out = HARK_JOB_UNAVAILABLE;
		goto done;
	}
	if (rc != HARK_STORE_OK) {
		hark_job_why(ctx, "events: cannot list the projects");
		out = HARK_JOB_RETRY;
		goto done;
	}
	for (i = 0; i < pl.n && time(NULL) < ctx->deadline; i++) {
		r = announce(ctx, pl.ids[i], pl.since[i]);
		if (r == HARK_JOB_UNAVAILABLE) {
			out = r;
			break;
		}
		if (r != HARK_JOB_DONE)
			out = r;	/* the other projects still go */
	}
done:
	free(pl.ids);
	free(pl.since);
	return out;
}

/* ---- notify ---- */

struct event {
	char	 type[32];
	bool	 notify_submitter, mirror;
};

static bool
webhook_event(const char *type)
{
	return strcmp(type, HARK_EVENT_CREATED) == 0 ||
	    strcmp(type, HARK_EVENT_UPDATED) == 0 ||
	    strcmp(type, HARK_EVENT_RESOLVED) == 0 ||
	    strcmp(type, HARK_EVENT_COMMENT) == 0;
}

static int
event_parse(const char *payload, struct event *ev)
{
	struct json_object	*o, *v;
	const char		*type;
	int			 rc = -1;

	memset(ev, 0, sizeof(*ev));
	if (payload == NULL || (o = json_tokener_parse(payload)) == NULL)
		return -1;
	if (!json_object_object_get_ex(o, "type", &v) ||
	    !json_object_is_type(v, json_type_string))
		goto out;
	type = json_object_get_string(v);
	if (!webhook_event(type) && strcmp(type, HARK_EVENT_TRIAGED) != 0)
		goto out;
	snprintf(ev->type, sizeof(ev->type), "%s", type);
	if (json_object_object_get_ex(o, "notifySubmitter", &v))
		ev->notify_submitter = json_object_get_boolean(v);
	if (json_object_object_get_ex(o, "mirrorToTracker", &v))
		ev->mirror = json_object_get_boolean(v);
	rc = 0;
out:
	json_object_put(o);
	return rc;
}

struct fanout {
	struct hark_job_ctx		*ctx;
	const struct hark_job		*job;
	char				 webhooks[NOTIFY_WEBHOOKS_MAX][HARK_ID_SIZE];
	size_t				 nwebhooks;
	struct hark_notify_delivery	 deliveries[NOTIFY_WEBHOOKS_MAX];
	char				 delivery_ids[NOTIFY_WEBHOOKS_MAX][HARK_ID_SIZE];
	struct hark_notify_job		 jobs[NOTIFY_JOBS_MAX];
	char				 job_ids[NOTIFY_JOBS_MAX][HARK_ID_SIZE];
	char				 payloads[NOTIFY_JOBS_MAX][64];
	size_t				 njobs;
};

static int
webhook_seen(void *ctx, const char *id)
{
	struct fanout	*f = ctx;

	if (f->nwebhooks < NOTIFY_WEBHOOKS_MAX)
		snprintf(f->webhooks[f->nwebhooks++], HARK_ID_SIZE, "%s", id);
	return 0;
}

static unsigned
kind_attempts(const char *kind)
{
	const struct hark_job_kind	*k = hark_job_kind_find(kind);

	return k != NULL ? k->max_attempts : 5;
}

/* A job of kind, its id made from the notify job's and target. */
static int
add_job(struct fanout *f, const char *kind, const char *target,
    const char *payload)
{
	size_t	 i = f->njobs;
	char	 seed[64];

	if (i == NOTIFY_JOBS_MAX)
		return -1;
	snprintf(seed, sizeof(seed), "%s:%s", kind, target);
	if (hark_id_derive(HARK_ID_JOB, f->job->id, seed, f->job_ids[i],
	    HARK_ID_SIZE) == -1)
		return -1;
	snprintf(f->payloads[i], sizeof(f->payloads[i]), "%s", payload);
	f->jobs[i].id = f->job_ids[i];
	f->jobs[i].kind = kind;
	f->jobs[i].payload = f->payloads[i];
	f->jobs[i].max_attempts = kind_attempts(kind);
	f->njobs++;
	return 0;
}

static int
add_webhooks(struct fanout *f, struct hark_notify_fanout *out)
{
	char	 payload[64];
	size_t	 i;

	for (i = 0; i < f->nwebhooks; i++) {
		if (hark_id_derive(HARK_ID_DELIVERY, f->job->id, f->webhooks[i],
		    f->delivery_ids[i], HARK_ID_SIZE) == -1)
			return -1;
		f->deliveries[i].id = f->delivery_ids[i];
		f->deliveries[i].webhook_id = f->webhooks[i];
		snprintf(payload, sizeof(payload), "{\"delivery\":\"%s\"}",
		    f->delivery_ids[i]);
		if (add_job(f, "webhook", f->webhooks[i], payload) == -1)
			return -1;
	}
	out->deliveries = f->deliveries;
	out->ndeliveries = f->nwebhooks;
	return 0;
}

/*
 * The Linear job the event asks for, or NULL.  A project that waits for
 * the triage has it at once for rows triaged as they arrived (JSON and
 * widget ingest); a voice row waits for its enrichment's feedback.triaged.
 */
static const char *
linear_action(const char *type, const char *trigger,
    const struct hark_feedback *fb, const struct event *ev)
{
	bool	 created = strcmp(type, HARK_EVENT_CREATED) == 0;

	if (trigger[0] == '\0')
		return NULL;
	if (created && strcmp(trigger, "created") == 0)
		return "create";
	if (created && strcmp(fb->channel, "voice") != 0)
		return "create";
	if (strcmp(type, HARK_EVENT_TRIAGED) == 0 &&
	    strcmp(trigger, "triaged") == 0)
		return "create";
	if (strcmp(type, HARK_EVENT_RESOLVED) == 0)
		return "resolved";
	if (strcmp(type, HARK_EVENT_COMMENT) == 0 && ev->mirror)
		return "comment";
	return NULL;
}

static int
comment_seen(void *ctx, const struct hark_comment *cm)
{
	struct json_object	**o = ctx;

	if (*o == NULL)
		*o = hark_comment_json(cm);
	return 0;
}

/*
 * The payload every endpoint gets, in the Standard Webhooks shape:
 * {type, timestamp, data: {feedback, comment?}}.  A store result.
 */
static int
webhook_body(struct hark_job_ctx *ctx, const struct hark_job *job,
    const struct event *ev, const struct hark_feedback *fb, char **body,
    size_t *len)
{
	struct json_object	*o = NULL, *data, *item, *cm = NULL;
	struct timespec		 ts;
	char			 now[40];
	const char		*s;
	size_t			 n;
	int			 rc;

	*body = NULL;
	if ((item = hark_feedback_json(fb)) == NULL)
		return HARK_STORE_ERROR;
	rc = hark_feedback_media_json(ctx->db, job->project_id,
	    ctx->conf->base_path, &item, 1);
	if (rc == HARK_STORE_OK && job->comment_id != NULL) {
		rc = hark_store_comment_get(ctx->db, job->project_id,
		    job->comment_id, comment_seen, &cm);
		if (rc == HARK_STORE_OK && cm == NULL)
			rc = HARK_STORE_ERROR;
	}
	if (rc != HARK_STORE_OK)
		goto out;
	rc = HARK_STORE_ERROR;
	if ((o = json_object_new_object()) == NULL ||
	    (data = json_object_new_object()) == NULL)
		goto out;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (hark_ts_format_rfc3339(ts, now, sizeof(now)) == -1)
		goto out;
	json_object_object_add(o, "type", json_object_new_string(ev->type));
	json_object_object_add(o, "timestamp", json_object_new_string(now));
	json_object_object_add(o, "data", data);
	json_object_object_add(data, "feedback", item);
	item = NULL;
	if (cm != NULL) {
		json_object_object_add(data, "comment", cm);
		cm = NULL;
	}
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	n = strlen(s);
	if ((*body = malloc(n + 1)) == NULL)
		goto out;
	memcpy(*body, s, n + 1);
	*len = n;
	rc = HARK_STORE_OK;
out:
	json_object_put(item);
	json_object_put(cm);
	json_object_put(o);
	return rc;
}

static enum hark_job_rc
store_result(struct hark_job_ctx *ctx, int rc, const char *what)
{
	if (rc == HARK_STORE_OK)
		return HARK_JOB_DONE;
	if (rc == HARK_STORE_UNAVAILABLE)
		return HARK_JOB_UNAVAILABLE;
	hark_job_why(ctx, "notify: %s", what);
	return HARK_JOB_RETRY;
}

/* The targets of the event: the endpoints and the email and Linear jobs. */
static int
fanout_plan(struct fanout *f, const struct event *ev,
    const struct hark_feedback *fb, struct hark_notify_fanout *out)
{
	struct hark_job_ctx	*ctx = f->ctx;
	const struct hark_job	*job = f->job;
	char			 trigger[HARK_LINEAR_TRIGGER_SIZE], payload[64];
	const char		*action;
	int			 rc;

	if (webhook_event(ev->type)) {
		rc = hark_store_webhook_targets(ctx->db, job->project_id,
		    ev->type, webhook_seen, f);
		if (rc != HARK_STORE_OK)
			return rc;
	}
	if (add_webhooks(f, out) == -1)
		return HARK_STORE_ERROR;
	if (strcmp(ev->type, HARK_EVENT_RESOLVED) == 0 &&
	    add_job(f, "email", "resolved", "{\"reason\":\"resolved\"}") == -1)
		return HARK_STORE_ERROR;
	if (strcmp(ev->type, HARK_EVENT_COMMENT) == 0 && ev->notify_submitter &&
	    add_job(f, "email", "comment", "{\"reason\":\"comment\"}") == -1)
		return HARK_STORE_ERROR;
	rc = hark_store_linear_trigger(ctx->db, job->project_id, trigger);
	if (rc != HARK_STORE_OK)
		return rc;
	if ((action = linear_action(ev->type, trigger, fb, ev)) != NULL) {
		snprintf(payload, sizeof(payload), "{\"action\":\"%s\"}",
		    action);
		if (add_job(f, "linear", action, payload) == -1)
			return HARK_STORE_ERROR;
	}
	out->jobs = f->jobs;
	out->njobs = f->njobs;
	return HARK_STORE_OK;
}

enum hark_job_rc
hark_notify_run(struct hark_job_ctx *ctx, const struct hark_job *job)
{
	struct hark_notify_fanout	 out;
	struct hark_feedback		 fb;
	struct fanout			*f;
	struct event			 ev;
	char				*body = NULL;
	size_t				 len = 0;
	enum hark_job_rc		 r;
	int				 rc;

	if (job->project_id == NULL || job->feedback_id == NULL ||
	    event_parse(job->payload, &ev) == -1) {
		hark_job_why(ctx, "notify: the job names no item or event");
		return HARK_JOB_FAILED;
	}
	rc = hark_store_feedback_get(ctx->db, job->project_id, job->feedback_id,
	    &fb);
	if (rc == HARK_STORE_NOT_FOUND)
		return HARK_JOB_DONE;	/* erased since: nobody to tell */
	if (rc != HARK_STORE_OK)
		return store_result(ctx, rc, "cannot read the item");
	if ((f = calloc(1, sizeof(*f))) == NULL) {
		hark_feedback_clear(&fb);
		hark_job_why(ctx, "notify: out of memory");
		return HARK_JOB_RETRY;
	}
	f->ctx = ctx;
	f->job = job;
	memset(&out, 0, sizeof(out));
	rc = fanout_plan(f, &ev, &fb, &out);
	if (rc == HARK_STORE_OK && out.ndeliveries > 0)
		rc = webhook_body(ctx, job, &ev, &fb, &body, &len);
	if (rc == HARK_STORE_NOT_FOUND) {
		r = HARK_JOB_DONE;	/* the comment is gone with its item */
		goto out;
	}
	if (rc != HARK_STORE_OK) {
		r = store_result(ctx, rc, "cannot plan the deliveries");
		goto out;
	}
	out.project_id = job->project_id;
	out.feedback_id = job->feedback_id;
	out.comment_id = job->comment_id;
	out.event = ev.type;
	out.body = body != NULL ? body : "";
	out.body_len = len;
	r = store_result(ctx, hark_store_notify_fanout(ctx->db, &out),
	    "cannot store the deliveries");
out:
	free(body);
	free(f);
	hark_feedback_clear(&fb);
	return r;
}
