/*
 * linear.c: the linear job kind: a project's feedback mirrored into Linear
 * (issue 18), one GraphQL request per job through lib/webclient, made and
 * read by lib/linear.  The job's payload says what to do:
 *	{"action": "create"}	issueCreate for the item, its id and URL
 *				stored on the row; an item that has an
 *				issue already is done (a repeat creates
 *				nothing), and a retry first looks for the
 *				issue an earlier attempt may have made
 *	{"action": "resolved"}	commentCreate on the item's issue with its
 *				status and resolution note
 *	{"action": "comment"}	commentCreate with the job's comment
 * An item without an issue, a project no longer linked, an item or a
 * comment erased meanwhile: done, nothing sent.  The API key is read from
 * the project's key file for each job, so a rotated key needs no restart.
 *
 * Outcomes: transport failures, 429, 5xx and GraphQL errors saying
 * RATELIMITED are retries; auth and validation errors are failures (every
 * attempt would be refused the same way); lib/linear.h has the table.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "conf.h"
#include "jobs.h"
#include "json.h"
#include "linear.h"
#include "log.h"
#include "store.h"
#include "webclient.h"

enum action {
	ACT_CREATE,
	ACT_RESOLVED,
	ACT_COMMENT
};

/* The payload's action; -1 when it names none. */
static int
action_of(const char *payload)
{
	struct json_object	*top = NULL;
	struct hark_json_err	 jerr;
	const char		*a;
	int			 rc = -1;

	if (payload == NULL || hark_json_parse(payload, strlen(payload), &top,
	    &jerr) == -1)
		return -1;
	if ((a = hark_json_str(top, "action", NULL)) != NULL) {
		if (strcmp(a, "create") == 0)
			rc = ACT_CREATE;
		else if (strcmp(a, "resolved") == 0)
			rc = ACT_RESOLVED;
		else if (strcmp(a, "comment") == 0)
			rc = ACT_COMMENT;
	}
	json_object_put(top);
	return rc;
}

/* A store result as the job's outcome; what says what could not be done. */
static enum hark_job_rc
store_outcome(struct hark_job_ctx *ctx, int rc, const char *what)
{
	if (rc == HARK_STORE_UNAVAILABLE)
		return HARK_JOB_UNAVAILABLE;
	hark_job_why(ctx, "linear: cannot %s", what);
	return HARK_JOB_RETRY;
}

/*
 * Sends body to the API with the link's key and reads the answer to op
 * into *ans.  The outcome, with why set on anything but DONE.
 */
static enum hark_job_rc
linear_send(struct hark_job_ctx *ctx, const struct hark_linear_link *link,
    const char *op, const struct hark_buf *body,
    struct hark_linear_answer *ans)
{
	const struct hark_conf	*c = ctx->conf;
	struct hark_web_req	 r;
	struct hark_buf		 out = { NULL, 0, 0 };
	const char		*headers[2] = { NULL, NULL };
	char			 auth[1100], why[160];
	char			*key;
	unsigned		 retry_after = 0;
	long			 status = 0;
	enum hark_web_rc	 wrc;
	enum hark_linear_rc	 lrc;
	enum hark_job_rc	 rc;

	if ((key = hark_conf_read_secret(link->key_file)) == NULL) {
		hark_job_why(ctx, "linear: cannot read the project's key file: "
		    "%s", errno == EFBIG ? "larger than 64K" : errno == EINVAL ?
		    "holds a NUL byte" : errno == ENODEV ? "not a regular file" :
		    strerror(errno));
		return HARK_JOB_RETRY;
	}
	if (hark_linear_auth_header(key, auth, sizeof(auth)) == -1) {
		explicit_bzero(key, strlen(key));
		free(key);
		hark_job_why(ctx, "linear: the project's key file holds no key "
		    "(one line of printable ASCII)");
		return HARK_JOB_RETRY;
	}
	explicit_bzero(key, strlen(key));
	free(key);
	headers[0] = auth;
	memset(&r, 0, sizeof(r));
	r.url = c->linear_api_url;
	r.headers = headers;
	r.content_type = "application/json";
	r.body = body->data;
	r.len = body->len;
	r.timeout_ms = (long)c->linear_timeout * 1000;
	r.max_answer = HARK_LINEAR_ANSWER_MAX;
	wrc = hark_web_request(&r, &status, &out, &retry_after, why,
	    sizeof(why));
	explicit_bzero(auth, sizeof(auth));
	if (wrc != HARK_WEB_OK) {
		hark_job_why(ctx, "linear: %s", why);
		rc = HARK_JOB_RETRY;
		goto out;
	}
	lrc = hark_linear_parse(op, status, out.data != NULL ? out.data : "",
	    out.len, ans);
	ctx->retry_after_s = retry_after;
	if (lrc != HARK_LINEAR_OK)
		hark_job_why(ctx, "%s", ans->why);
	rc = lrc == HARK_LINEAR_OK ? HARK_JOB_DONE : lrc == HARK_LINEAR_RETRY ?
	    HARK_JOB_RETRY : HARK_JOB_FAILED;
out:
	hark_buf_free(&out);
	return rc;
}

struct media_seen {
	bool	 audio;
	bool	 screenshot;
};

static int
media_row(void *ctx, const struct hark_media_row *m)
{
	struct media_seen	*s = ctx;

	if (strcmp(m->kind, "audio") == 0)
		s->audio = true;
	else if (strcmp(m->kind, "screenshot") == 0)
		s->screenshot = true;
	return 0;
}

/*
 * Whether Linear has the issue hark asked to be uuid: a create retried
 * after its answer was lost (a timeout, a run killed before it stored the
 * id) finds it here.  A look-up that fails for any reason says no: the
 * create that follows meets the same fault and reports it.
 */
static bool
find(struct hark_job_ctx *ctx, const struct hark_linear_link *link,
    const char *uuid, struct hark_linear_answer *ans)
{
	struct hark_buf	 q = { NULL, 0, 0 };
	bool		 found;

	found = hark_linear_issue_query(uuid, &q) == 0 &&
	    linear_send(ctx, link, "issue", &q, ans) == HARK_JOB_DONE;
	hark_buf_free(&q);
	ctx->why[0] = '\0';
	ctx->retry_after_s = 0;
	return found;
}

static enum hark_job_rc
create(struct hark_job_ctx *ctx, const struct hark_job *job,
    const struct hark_linear_link *link, const struct hark_feedback *fb)
{
	const struct hark_conf	*c = ctx->conf;
	struct hark_linear_item	 it;
	struct hark_linear_answer ans;
	struct media_seen	 ms = { false, false };
	struct hark_buf		 desc = { NULL, 0, 0 }, body = { NULL, 0, 0 };
	const char		*ids[1] = { fb->id };
	char			 title[HARK_LINEAR_TITLE_SIZE], fallback[64];
	char			 uuid[37];
	enum hark_job_rc	 rc;
	int			 src;

	if (fb->linear_issue_id[0] != '\0')
		return HARK_JOB_DONE;	/* made already: never a second one */
	if ((src = hark_store_media_list(ctx->db, fb->project_id, ids, 1,
	    media_row, &ms)) != HARK_STORE_OK)
		return store_outcome(ctx, src, "read the item's media");
	memset(&it, 0, sizeof(it));
	it.id = fb->id;
	it.text = fb->text;
	it.text_len = fb->text_len;
	it.page = fb->page;
	it.page_len = fb->page_len;
	it.user_name = fb->user_name;
	it.user_name_len = fb->user_name_len;
	it.user_email = fb->user_email;
	it.user_email_len = fb->user_email_len;
	it.user_id = fb->user_id;
	it.user_id_len = fb->user_id_len;
	it.category = fb->category;
	it.sentiment = fb->sentiment;
	it.impact = fb->impact;
	it.context = fb->context;
	it.context_len = fb->context_len;
	it.link_base = c->linear_public_url[0] != '\0' ? c->linear_public_url :
	    c->base_path;
	it.has_audio = ms.audio;
	it.has_screenshot = ms.screenshot;
	snprintf(fallback, sizeof(fallback), "Feedback %s", fb->id);
	hark_linear_title(fb->title, fb->title_len, fb->summary,
	    fb->summary_len, fb->text, fb->text_len, fallback, title,
	    sizeof(title));
	if (hark_linear_issue_uuid(fb->id, uuid) == -1) {
		hark_job_why(ctx, "linear: cannot make the issue id");
		return HARK_JOB_RETRY;
	}
	if (job->attempt > 1 && find(ctx, link, uuid, &ans)) {
		rc = HARK_JOB_DONE;
		goto save;
	}
	if (hark_linear_description(&it, &desc) == -1 ||
	    hark_linear_issue_request(link->team_id, uuid, title, desc.data,
	    &body) == -1) {
		hark_job_why(ctx, "linear: cannot make the request");
		rc = HARK_JOB_RETRY;
		goto out;
	}
	rc = linear_send(ctx, link, "issueCreate", &body, &ans);
	if (rc != HARK_JOB_DONE)
		goto out;
save:
	src = hark_store_linear_issue_save(ctx->db, fb->project_id, fb->id,
	    ans.id, ans.url);
	if (src == HARK_STORE_NOT_FOUND) {
		hark_log(HARK_LOG_WARN, "linear %s: issue %s made for %s, which "
		    "was erased meanwhile", job->id, ans.identifier, fb->id);
	} else if (src != HARK_STORE_OK) {
		/* The retry finds the issue by its id (find) rather than
		 * making a second. */
		rc = store_outcome(ctx, src, "store the issue on the item");
		goto out;
	} else
		hark_log(HARK_LOG_INFO, "linear %s: issue %s for %s", job->id,
		    ans.identifier[0] != '\0' ? ans.identifier : ans.id, fb->id);
out:
	hark_buf_free(&desc);
	hark_buf_free(&body);
	return rc;
}

struct comment_text {
	const char	*feedback_id;
	struct hark_buf	 body;
	int		 failed;
	bool		 seen;
};

static int
comment_row(void *ctx, const struct hark_comment *cm)
{
	struct comment_text	*ct = ctx;

	if (strcmp(cm->feedback_id, ct->feedback_id) != 0)
		return 0;	/* another item's: not this issue's */
	ct->seen = true;
	ct->failed = hark_linear_comment_body(cm->author_type, cm->author_id,
	    cm->author_id_len, cm->body, cm->body_len, &ct->body);
	return 0;
}

/* commentCreate on the item's issue, for ACT_RESOLVED or ACT_COMMENT. */
static enum hark_job_rc
comment(struct hark_job_ctx *ctx, const struct hark_job *job,
    const struct hark_linear_link *link, const struct hark_feedback *fb,
    int act)
{
	struct hark_linear_answer ans;
	struct comment_text	 ct = { fb->id, { NULL, 0, 0 }, 0, false };
	struct hark_buf		 req = { NULL, 0, 0 };
	enum hark_job_rc	 rc;
	int			 src;

	if (fb->linear_issue_id[0] == '\0')
		return HARK_JOB_DONE;	/* no issue to say it on */
	if (act == ACT_RESOLVED) {
		ct.failed = hark_linear_resolved_body(fb->status,
		    fb->resolution_note, fb->resolution_note_len, &ct.body);
	} else {
		if (job->comment_id == NULL) {
			hark_job_why(ctx, "linear: the job names no comment");
			return HARK_JOB_FAILED;
		}
		src = hark_store_comment_get(ctx->db, fb->project_id,
		    job->comment_id, comment_row, &ct);
		if (src == HARK_STORE_NOT_FOUND || (src == HARK_STORE_OK &&
		    !ct.seen))
			return HARK_JOB_DONE;	/* erased meanwhile */
		if (src != HARK_STORE_OK)
			return store_outcome(ctx, src, "read the comment");
	}
	if (ct.failed != 0 || hark_linear_comment_request(fb->linear_issue_id,
	    ct.body.data, &req) == -1) {
		hark_job_why(ctx, "linear: cannot make the request");
		rc = HARK_JOB_RETRY;
		goto out;
	}
	rc = linear_send(ctx, link, "commentCreate", &req, &ans);
	if (rc == HARK_JOB_DONE)
		hark_log(HARK_LOG_INFO, "linear %s: comment on the issue of %s",
		    job->id, fb->id);
out:
	hark_buf_free(&ct.body);
	hark_buf_free(&req);
	return rc;
}

enum hark_job_rc
hark_linear_run(struct hark_job_ctx *ctx, const struct hark_job *job)
{
	struct hark_linear_link	 link;
	struct hark_feedback	 fb;
	enum hark_job_rc	 out;
	int			 act, rc;

	if (job->project_id == NULL || job->feedback_id == NULL) {
		hark_job_why(ctx, "linear: the job names no item");
		return HARK_JOB_FAILED;
	}
	if ((act = action_of(job->payload)) == -1) {
		hark_job_why(ctx, "linear: the payload names no action "
		    "(create, resolved, comment)");
		return HARK_JOB_FAILED;
	}
	rc = hark_store_linear_get(ctx->db, job->project_id, &link);
	if (rc == HARK_STORE_NOT_FOUND)
		return HARK_JOB_DONE;	/* unlinked since it was queued */
	if (rc != HARK_STORE_OK)
		return store_outcome(ctx, rc, "read the project's link");
	rc = hark_store_feedback_get(ctx->db, job->project_id, job->feedback_id,
	    &fb);
	if (rc == HARK_STORE_NOT_FOUND)
		return HARK_JOB_DONE;	/* erased: nothing to mirror */
	if (rc != HARK_STORE_OK)
		return store_outcome(ctx, rc, "read the item");
	out = act == ACT_CREATE ? create(ctx, job, &link, &fb) :
	    comment(ctx, job, &link, &fb, act);
	hark_feedback_clear(&fb);
	return out;
}
