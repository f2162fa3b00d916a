/*
 * email.c: the email job kind: one mail to an item's submitter when the item
 * is resolved (payload {"reason": "resolved"}) or a comment is posted with
 * notifySubmitter ({"reason": "comment"}, the job's comment_id), rendered
 * from [email] template_dir's email-REASON.txt and .html and sent by the
 * [email] backend (smtp or resend, lib/mail.h).
 *
 * The fan-out enqueues it whatever the item holds, so no address (the
 * identity's email is the row's user_email: lib/submission.c), backend
 * none, an item held as spam (its address may be anyone's), or an item or
 * comment erased since, is a job done with a note, not a failure.
 * ctx->why never holds the address nor any text.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "buf.h"
#include "conf.h"
#include "jobs.h"
#include "json.h"
#include "mail.h"
#include "store.h"

/* A template is a page of text, not a document. */
#define TEMPLATE_MAX	(64 * 1024)
#define SUBJECT_MAX	200	/* bytes of the subject, before encoding */
#define EXCERPT_MAX	200	/* bytes of the item's text quoted */
#define SUMMARY_MAX	60

/* Reads dir/name into out; 0, or -1 with ctx->why set. */
static int
read_template(struct hark_job_ctx *ctx, const char *dir, const char *name,
    struct hark_buf *out)
{
	char		 path[4096], chunk[4096];
	ssize_t		 n;
	int		 fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		hark_job_why(ctx, "email: cannot open the template %s: %s",
		    name, strerror(errno));
		return -1;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		if (out->len + (size_t)n > TEMPLATE_MAX) {
			hark_job_why(ctx, "email: the template %s is over "
			    "64 KiB", name);
			close(fd);
			return -1;
		}
		if (hark_buf_append(out, chunk, (size_t)n) == -1) {
			hark_job_why(ctx, "email: out of memory");
			close(fd);
			return -1;
		}
	}
	close(fd);
	if (n == -1) {
		hark_job_why(ctx, "email: cannot read the template %s", name);
		return -1;
	}
	if (out->data == NULL && hark_buf_puts(out, "") == -1)
		return -1;
	return 0;
}

/* The payload's reason: "resolved", "comment", or NULL. */
static const char *
payload_reason(const char *payload)
{
	struct json_object	*o;
	const char		*r, *out = NULL;

	if (payload == NULL || (o = json_tokener_parse(payload)) == NULL)
		return NULL;
	if (json_object_is_type(o, json_type_object) &&
	    (r = hark_json_str(o, "reason", NULL)) != NULL)
		out = strcmp(r, "resolved") == 0 ? "resolved" :
		    strcmp(r, "comment") == 0 ? "comment" : NULL;
	json_object_put(o);
	return out;
}

static void
random_hex(char *out, size_t nbytes)
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 r[32];
	size_t			 i;

	if (nbytes > sizeof(r))
		nbytes = sizeof(r);
	/* Uniqueness, not secrecy: time and pid when getrandom cannot. */
	if (getrandom(r, nbytes, GRND_NONBLOCK) != (ssize_t)nbytes)
		for (i = 0; i < nbytes; i++)
			r[i] = (unsigned char)(((unsigned)time(NULL) >> (i % 4 * 8)) ^
			    ((unsigned)getpid() * (i + 1)));
	for (i = 0; i < nbytes; i++) {
		out[2 * i] = hex[r[i] >> 4];
		out[2 * i + 1] = hex[r[i] & 15];
	}
	out[2 * nbytes] = '\0';
}

/* What a send came to, as the runner takes it. */
static enum hark_job_rc
outcome(struct hark_job_ctx *ctx, enum hark_mail_rc rc, const char *why)
{
	if (rc == HARK_MAIL_SENT)
		return HARK_JOB_DONE;
	hark_job_why(ctx, "email: %s", why[0] != '\0' ? why : "not sent");
	return rc == HARK_MAIL_FAILED ? HARK_JOB_FAILED : HARK_JOB_RETRY;
}

static enum hark_job_rc
deliver(struct hark_job_ctx *ctx, const struct hark_job *job,
    const struct hark_mail_msg *m)
{
	const struct hark_conf	*c = ctx->conf;
	struct hark_buf		 out = { 0 };
	enum hark_mail_rc	 rc;
	char			 why[256] = "";
	unsigned		 ra = 0;
	int			 b;

	if (strcmp(c->email_backend, "smtp") == 0) {
		struct hark_mail_smtp	 s = {
			.url = c->email_smtp_url,
			.starttls = strcmp(c->email_smtp_starttls, "no") == 0 ?
			    HARK_MAIL_TLS_NO :
			    strcmp(c->email_smtp_starttls, "required") == 0 ?
			    HARK_MAIL_TLS_REQUIRED : HARK_MAIL_TLS_TRY,
			.user = c->email_smtp_user,
			.password = c->email_smtp_password,
			.timeout_ms = c->email_timeout * 1000L,
		};

		if ((b = hark_mail_build(m, &out)) != 0) {
			hark_job_why(ctx, b == -1 ? "email: out of memory" :
			    "email: the message could not be built");
			hark_buf_free(&out);
			return b == -1 ? HARK_JOB_RETRY : HARK_JOB_FAILED;
		}
		rc = hark_mail_smtp_send(&s, m->from, m->to, out.data, out.len,
		    why, sizeof(why));
	} else {
		const char		*env = getenv("RESEND_API_KEY");
		struct hark_mail_resend	 r = {
			.base_url = c->email_resend_url,
			.key = c->email_resend_key[0] != '\0' ?
			    c->email_resend_key : env,
			/* A retry after a lost answer sends nothing twice. */
			.idempotency_key = job->id,
			.timeout_ms = c->email_timeout * 1000L,
		};

		if (r.key == NULL || r.key[0] == '\0') {
			hark_job_why(ctx, "email: resend: no API key "
			    "([email] resend_key_file or RESEND_API_KEY)");
			return HARK_JOB_RETRY;
		}
		if ((b = hark_mail_resend_json(m, &out)) != 0) {
			hark_job_why(ctx, b == -1 ? "email: out of memory" :
			    "email: the message could not be built");
			hark_buf_free(&out);
			return b == -1 ? HARK_JOB_RETRY : HARK_JOB_FAILED;
		}
		rc = hark_mail_resend_send(&r, out.data, out.len, &ra, why,
		    sizeof(why));
		ctx->retry_after_s = ra;
	}
	if (out.data != NULL)
		explicit_bzero(out.data, out.len);	/* personal data */
	hark_buf_free(&out);
	return outcome(ctx, rc, why);
}

struct email {
	struct hark_feedback	 fb;
	char			*comment;
	size_t			 comment_len;
	char			*project;
	struct hark_buf		 txt_t, html_t;		/* the templates */
	struct hark_buf		 excerpt, summary, url, subject, text, html,
				 unsub;
};

static void
email_free(struct email *e)
{
	hark_feedback_clear(&e->fb);
	free(e->comment);
	free(e->project);
	hark_buf_free(&e->txt_t);
	hark_buf_free(&e->html_t);
	hark_buf_free(&e->excerpt);
	hark_buf_free(&e->summary);
	hark_buf_free(&e->url);
	hark_buf_free(&e->subject);
	hark_buf_free(&e->text);
	hark_buf_free(&e->html);
	hark_buf_free(&e->unsub);
}

/* The comment's body, copied: the row lives for the callback only. */
static int
comment_row(void *arg, const struct hark_comment *c)
{
	struct email	*e = arg;

	free(e->comment);
	if ((e->comment = malloc(c->body_len + 1)) == NULL)
		return 0;
	memcpy(e->comment, c->body, c->body_len);
	e->comment[c->body_len] = '\0';
	e->comment_len = c->body_len;
	return 0;
}

#define VAR(n, s, l)	{ (n), (s), (s) != NULL ? (l) : 0 }
#define CVAR(n, s)	{ (n), (s), (s) != NULL ? strlen(s) : 0 }

/* The variables made from the item: excerpt, summary, url; 0 or -1. */
static int
derive(const struct hark_conf *c, const struct hark_mail_var *uvars,
    size_t nuvars, struct email *e)
{
	const struct hark_feedback *fb = &e->fb;
	int			 rc;

	if (hark_mail_header_text(fb->text, fb->text_len, EXCERPT_MAX,
	    &e->excerpt) == -1 || hark_buf_puts(&e->excerpt, "") == -1)
		return -1;
	/* An enricher's title reads better than a cut sentence. */
	if (fb->title != NULL && fb->title_len > 0)
		rc = hark_mail_header_text(fb->title, fb->title_len,
		    SUMMARY_MAX, &e->summary);
	else
		rc = hark_mail_header_text(fb->text, fb->text_len, SUMMARY_MAX,
		    &e->summary);
	if (rc == -1 || hark_buf_puts(&e->summary, "") == -1 ||
	    hark_mail_render(c->email_item_url, strlen(c->email_item_url),
	    uvars, nuvars, HARK_MAIL_URL, &e->url) == -1 ||
	    hark_buf_puts(&e->url, "") == -1)
		return -1;
	return 0;
}

/* The subject line: its template rendered, then made header-safe. */
static int
subject(const char *sub, size_t sub_len, const struct hark_mail_var *vars,
    size_t nvars, struct hark_buf *out)
{
	struct hark_buf	 raw = { 0 };
	int		 rc;

	if (sub == NULL) {
		sub = "Your feedback: {{summary}}";
		sub_len = strlen(sub);
	}
	rc = hark_mail_render(sub, sub_len, vars, nvars, HARK_MAIL_TEXT, &raw);
	if (rc == 0)
		rc = hark_mail_header_text(raw.data != NULL ? raw.data : "",
		    raw.len, SUBJECT_MAX, out);
	hark_buf_free(&raw);
	if (rc == 0)
		rc = hark_buf_puts(out, "");
	return rc;
}

/*
 * Renders the templates and List-Unsubscribe into e (*one_click: with
 * List-Unsubscribe-Post).  HARK_JOB_DONE to go on, else what the job came
 * to, ctx->why set.
 */
static enum hark_job_rc
render(struct hark_job_ctx *ctx, const struct hark_job *job,
    const char *reason, struct email *e, bool *one_click)
{
	const struct hark_conf	*c = ctx->conf;
	const struct hark_feedback *fb = &e->fb;
	/* What a URL may hold: ids and the address, URL-encoded. */
	const struct hark_mail_var uvars[] = {
		CVAR("id", fb->id), CVAR("project_id", job->project_id),
		VAR("email", fb->user_email, fb->user_email_len),
	};
	const struct hark_mail_var vars[] = {
		CVAR("id", fb->id),
		CVAR("project_id", job->project_id),
		CVAR("project", e->project),
		VAR("excerpt", e->excerpt.data, e->excerpt.len),
		VAR("summary", e->summary.data, e->summary.len),
		CVAR("status", fb->status),
		VAR("resolution_note", fb->resolution_note,
		    fb->resolution_note_len),
		VAR("comment", e->comment, e->comment_len),
		VAR("page", fb->page, fb->page_len),
		VAR("url", e->url.data, e->url.len),
	};
	const size_t		 nvars = HARK_JSON_NFIELDS(vars);
	char			 name[64];
	const char		*sub, *body, *why;
	size_t			 sub_len, body_len;
	int			 rc;

	snprintf(name, sizeof(name), "email-%s.txt", reason);
	if (read_template(ctx, c->email_template_dir, name, &e->txt_t) == -1)
		return HARK_JOB_RETRY;
	snprintf(name, sizeof(name), "email-%s.html", reason);
	if (read_template(ctx, c->email_template_dir, name, &e->html_t) == -1)
		return HARK_JOB_RETRY;
	hark_mail_split_subject(e->txt_t.data, e->txt_t.len, &sub, &sub_len,
	    &body, &body_len);
	if (subject(sub, sub_len, vars, nvars, &e->subject) == -1 ||
	    hark_mail_render(body, body_len, vars, nvars, HARK_MAIL_TEXT,
	    &e->text) == -1 || hark_buf_puts(&e->text, "") == -1 ||
	    hark_mail_render(e->html_t.data, e->html_t.len, vars, nvars,
	    HARK_MAIL_HTML, &e->html) == -1 || hark_buf_puts(&e->html, "") == -1)
		goto nomem;
	rc = hark_mail_unsubscribe(c->email_unsubscribe, c->email_from, uvars,
	    HARK_JSON_NFIELDS(uvars), &e->unsub, one_click, &why);
	if (rc == -1)
		goto nomem;
	if (rc == -2) {
		hark_job_why(ctx, "email: [email] %s", why);
		return HARK_JOB_RETRY;
	}
	return HARK_JOB_DONE;
nomem:
	hark_job_why(ctx, "email: out of memory");
	return HARK_JOB_RETRY;
}

enum hark_job_rc
hark_email_run(struct hark_job_ctx *ctx, const struct hark_job *job)
{
	const struct hark_conf	*c = ctx->conf;
	struct email		 e;
	struct hark_mail_msg	 m;
	const char		*reason;
	char			 rnd[33], msgid[320], boundary[48];
	const char		*domain;
	enum hark_job_rc	 out = HARK_JOB_DONE;
	bool			 one_click = false;
	int			 rc;

	memset(&e, 0, sizeof(e));
	if ((reason = payload_reason(job->payload)) == NULL) {
		hark_job_why(ctx, "email: the payload names no reason");
		return HARK_JOB_FAILED;
	}
	if (job->project_id == NULL || job->feedback_id == NULL ||
	    (strcmp(reason, "comment") == 0 && job->comment_id == NULL)) {
		hark_job_why(ctx, "email: the job names no item");
		return HARK_JOB_FAILED;
	}
	if (strcmp(c->email_backend, "none") == 0) {
		/* Done, with the note kept on the row. */
		hark_job_why(ctx, "email: not sent ([email] backend = none)");
		return HARK_JOB_DONE;
	}
	if (!hark_json_is_email(c->email_from, strlen(c->email_from))) {
		hark_job_why(ctx, "email: [email] from is not an address");
		return HARK_JOB_RETRY;
	}
	rc = hark_store_feedback_get(ctx->db, job->project_id, job->feedback_id,
	    &e.fb);
	if (rc == HARK_STORE_UNAVAILABLE)
		return HARK_JOB_UNAVAILABLE;
	if (rc == HARK_STORE_NOT_FOUND) {
		hark_job_why(ctx, "email: not sent (the item is gone)");
		return HARK_JOB_DONE;
	}
	if (rc != HARK_STORE_OK) {
		hark_job_why(ctx, "email: cannot read the item");
		return HARK_JOB_RETRY;
	}
	if (e.fb.user_email == NULL || e.fb.user_email_len == 0) {
		hark_job_why(ctx, "email: not sent (the item has no address)");
		goto out;
	}
	/* Spam's address may be anyone's: no mail to a third party. */
	if (e.fb.quarantined) {
		hark_job_why(ctx, "email: not sent (the item is held as spam)");
		goto out;
	}
	if (!hark_json_is_email(e.fb.user_email, e.fb.user_email_len)) {
		hark_job_why(ctx, "email: not sent (the item's address is not "
		    "one to send to)");
		goto out;
	}
	if (strcmp(reason, "comment") == 0) {
		rc = hark_store_comment_get(ctx->db, job->project_id,
		    job->comment_id, comment_row, &e);
		if (rc == HARK_STORE_OK && e.comment == NULL)
			rc = HARK_STORE_ERROR;	/* out of memory */
		if (rc == HARK_STORE_NOT_FOUND) {
			hark_job_why(ctx, "email: not sent (the comment is "
			    "gone)");
			goto out;
		}
		if (rc != HARK_STORE_OK)
			goto store_failed;
	}
	rc = hark_store_project_name(ctx->db, job->project_id, &e.project);
	if (rc != HARK_STORE_OK && rc != HARK_STORE_NOT_FOUND)
		goto store_failed;
	{
		const struct hark_mail_var uvars[] = {
			CVAR("id", e.fb.id), CVAR("project_id", job->project_id),
		};

		if (derive(c, uvars, HARK_JSON_NFIELDS(uvars), &e) == -1) {
			hark_job_why(ctx, "email: out of memory");
			out = HARK_JOB_RETRY;
			goto out;
		}
	}
	if ((out = render(ctx, job, reason, &e, &one_click)) != HARK_JOB_DONE)
		goto out;
	random_hex(rnd, 16);
	domain = strchr(c->email_from, '@') + 1;
	snprintf(msgid, sizeof(msgid), "<%s.%s@%s>", rnd, e.fb.id, domain);
	snprintf(boundary, sizeof(boundary), "=_hark_%s", rnd);
	memset(&m, 0, sizeof(m));
	m.from = c->email_from;
	m.from_name = c->email_from_name;
	m.to = e.fb.user_email;
	m.subject = e.subject.data;
	m.text = e.text.data;
	m.text_len = e.text.len;
	m.html = e.html.data;
	m.html_len = e.html.len;
	m.unsubscribe = e.unsub.data;
	m.one_click = one_click;
	m.date = time(NULL);
	m.message_id = msgid;
	m.boundary = boundary;
	out = deliver(ctx, job, &m);
	goto out;
store_failed:
	if (rc == HARK_STORE_UNAVAILABLE)
		out = HARK_JOB_UNAVAILABLE;
	else {
		hark_job_why(ctx, "email: cannot read the item's comment or "
		    "project");
		out = HARK_JOB_RETRY;
	}
out:
	email_free(&e);
	return out;
}
