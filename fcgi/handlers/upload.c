/*
 * upload.c: POST /v1/feedback with multipart/form-data, the second seed's
 * submission: a payload part (JSON), an optional audio and an optional
 * screenshot part.
 *
 * The body is read in fixed chunks and pushed through the streaming
 * parser (lib/multipart); a file part's bytes go straight to its temp file
 * in the media directory (lib/media), typed by libmagic from its first
 * bytes, so a worker holds no file in memory whatever its size.  Only the
 * payload is kept, up to [limits] max_payload.  Once the body is whole and
 * the payload valid, the files are put in place, then the feedback, media
 * and session rows and the jobs commit in one transaction (lib/submission);
 * any failure after a file was placed removes it, so a refused submission
 * leaves no row and no file.  202 {"sessionId", "status", "id"} answers it.
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "app.h"
#include "buf.h"
#include "conf.h"
#include "earshot_schema.h"
#include "feedback.h"
#include "handlers.h"
#include "ids.h"
#include "json.h"
#include "log.h"
#include "media.h"
#include "multipart.h"
#include "respond.h"
#include "submission.h"

#define UPLOAD_CHUNK	65536
#define NFILES		2	/* indexed by enum hark_media_kind */

enum part {
	PART_NONE = 0,
	PART_PAYLOAD,
	PART_AUDIO,
	PART_SCREENSHOT
};

struct upload {
	const struct hark_call		*c;
	const struct hark_conf		*conf;
	time_t				 now;
	struct hark_buf			 payload;
	bool				 seen_payload;
	struct hark_media_writer	*w[NFILES];
	char				 media_id[NFILES][HARK_ID_SIZE];
	struct hark_media_file		 file[NFILES];
	bool				 placed[NFILES];
	/* The first fault found; answered once the parser has stopped. */
	int				 status;
	const char			*code;
	char				 field[80];
	char				 msg[320];
};

static void	fault(struct upload *, int, const char *, const char *,
		    const char *, ...) __attribute__((format(printf, 5, 6)));

static void
fault(struct upload *u, int status, const char *code, const char *field,
    const char *fmt, ...)
{
	va_list	 ap;

	if (u->status != 0)
		return;
	u->status = status;
	u->code = code;
	snprintf(u->field, sizeof(u->field), "%s", field != NULL ? field : "");
	va_start(ap, fmt);
	vsnprintf(u->msg, sizeof(u->msg), fmt, ap);
	va_end(ap);
}

static enum part
part_of(const char *name)
{
	if (strcmp(name, "payload") == 0)
		return PART_PAYLOAD;
	if (strcmp(name, "audio") == 0)
		return PART_AUDIO;
	if (strcmp(name, "screenshot") == 0)
		return PART_SCREENSHOT;
	return PART_NONE;
}

static enum hark_media_kind
kind_of(enum part p)
{
	return p == PART_AUDIO ? HARK_MEDIA_AUDIO : HARK_MEDIA_SCREENSHOT;
}

static size_t
limit_of(const struct upload *u, enum hark_media_kind k)
{
	return k == HARK_MEDIA_AUDIO ? u->conf->max_audio :
	    u->conf->max_screenshot;
}

static const char *
accepted(enum hark_media_kind k)
{
	return k == HARK_MEDIA_AUDIO ? "WebM, Ogg, MP4/M4A, MPEG audio, WAV, "
	    "FLAC" : "PNG, JPEG, WebP";
}

/* A media fault as its answer; the log gets the system's reason. */
static void
media_fault(struct upload *u, enum hark_media_kind k,
    const struct hark_media_error *err)
{
	const char	*part = hark_media_kind_name(k);

	switch (err->status) {
	case HARK_MEDIA_WRONG_TYPE:
		fault(u, 415, "unsupported_media_type", part, "the %s part is "
		    "%s (by its content); accepted: %s", part, err->detected,
		    accepted(k));
		return;
	case HARK_MEDIA_TOO_LARGE:
		fault(u, 413, "part_too_large", part, "the %s part is larger "
		    "than %zu bytes", part, limit_of(u, k));
		return;
	case HARK_MEDIA_NO_SPACE:
		hark_log(HARK_LOG_ERR, "media directory full: %s", err->msg);
		fault(u, 507, "insufficient_storage", part, "there is no room "
		    "to store the %s part; retry later", part);
		return;
	case HARK_MEDIA_UNWRITABLE:
	case HARK_MEDIA_IO:
	case HARK_MEDIA_NOMEM:
		hark_log(HARK_LOG_ERR, "cannot store a %s part: %s", part,
		    err->msg);
		fault(u, 503, "media_unavailable", part, "the %s part cannot "
		    "be stored now; retry later", part);
		return;
	default:
		hark_log(HARK_LOG_ERR, "cannot store a %s part: %s", part,
		    err->msg);
		fault(u, 500, "internal", part, "the %s part could not be "
		    "stored", part);
		return;
	}
}

static int
on_part_begin(void *arg, const struct hark_mp_part *p)
{
	struct upload		*u = arg;
	struct hark_media_error	 err;
	enum part		 which = part_of(p->name);
	enum hark_media_kind	 k;

	if (which == PART_NONE) {
		fault(u, 400, "unknown_part", p->name, "unknown part \"%s\": "
		    "the parts are payload, audio and screenshot", p->name);
		return 1;
	}
	/*
	 * A filename is never used (files get server-made names), but one
	 * with a path in it is no browser's: refused, not guessed at.
	 */
	if (p->filename != NULL && strpbrk(p->filename, "/\\") != NULL) {
		fault(u, 400, "invalid_filename", p->name, "the %s part's "
		    "filename holds a path", p->name);
		return 1;
	}
	if (which == PART_PAYLOAD) {
		u->seen_payload = true;
		return 0;
	}
	k = kind_of(which);
	if (hark_id_new(HARK_ID_MEDIA, u->media_id[k],
	    sizeof(u->media_id[k])) == -1) {
		fault(u, 500, "internal", NULL, "no randomness for an id");
		return 1;
	}
	if (hark_media_writer_begin(&u->w[k], u->conf->media_dir,
	    u->c->who.project_id, u->media_id[k], k, u->now, limit_of(u, k),
	    0, &err) != HARK_MEDIA_OK) {
		media_fault(u, k, &err);
		return 1;
	}
	return 0;
}

static int
on_part_data(void *arg, const struct hark_mp_part *p, const void *data,
    size_t n)
{
	struct upload		*u = arg;
	struct hark_media_error	 err;
	enum part		 which = part_of(p->name);
	enum hark_media_kind	 k;

	if (which == PART_PAYLOAD) {
		if (u->payload.len + n > u->conf->max_payload) {
			fault(u, 413, "part_too_large", "payload", "the payload "
			    "part is larger than %zu bytes",
			    u->conf->max_payload);
			return 1;
		}
		if (hark_buf_append(&u->payload, data, n) == -1) {
			fault(u, 500, "internal", NULL, "out of memory");
			return 1;
		}
		return 0;
	}
	k = kind_of(which);
	if (hark_media_writer_write(u->w[k], data, n, &err) != HARK_MEDIA_OK) {
		media_fault(u, k, &err);
		return 1;
	}
	return 0;
}

/* A parser fault: 400 with its stable name, the part when known. */
static void
parser_fault(struct upload *u, const struct hark_mp_error *e)
{
	if (e->code == HARK_MP_E_ABORTED)
		return;		/* ours, already said */
	if (e->code == HARK_MP_E_NOMEM) {
		fault(u, 500, "internal", NULL, "out of memory");
		return;
	}
	fault(u, 400, hark_mp_code_name(e->code), e->name[0] != '\0' ?
	    e->name : NULL, "%s", e->msg);
}

static size_t
max_submission(const struct hark_conf *conf)
{
	return conf->max_submission < conf->max_body ? conf->max_submission :
	    conf->max_body;
}

/* Streams the body through the parser; 0 when it was whole and right. */
static int
stream_body(struct upload *u)
{
	static const struct hark_mp_callbacks cb = {
		on_part_begin, on_part_data, NULL, NULL
	};
	struct hark_mp_error	 err;
	struct hark_mp_limits	 lim;
	struct hark_mp		*mp;
	struct hark_req		*req = u->c->req;
	char			 buf[UPLOAD_CHUNK];
	size_t			 total = 0, max = max_submission(u->conf);
	ssize_t			 n;
	int			 rc = -1;

	hark_mp_limits_default(&lim);
	if ((mp = hark_mp_new(req->content_type, &lim, &cb, u, &err)) == NULL) {
		parser_fault(u, &err);
		return -1;
	}
	for (;;) {
		if ((n = hark_req_read_chunk(req, buf, sizeof(buf))) < 0) {
			fault(u, 400, "bad_request", NULL, "the request body "
			    "could not be read");
			goto out;
		}
		if (n == 0)
			break;
		if ((total += (size_t)n) > max) {
			fault(u, 413, "body_too_large", NULL, "the submission is "
			    "larger than %zu bytes", max);
			goto out;
		}
		if (hark_mp_feed(mp, buf, (size_t)n) == -1) {
			parser_fault(u, hark_mp_error(mp));
			goto out;
		}
	}
	if (hark_mp_finish(mp) == -1) {
		parser_fault(u, hark_mp_error(mp));
		goto out;
	}
	rc = 0;
out:
	hark_mp_free(mp);
	return rc;
}

/* Puts the received files in place (typing a short one only now). */
static int
place_files(struct upload *u)
{
	struct hark_media_error	 err;
	struct hark_media_writer *w;
	int			 k;

	for (k = 0; k < NFILES; k++) {
		if ((w = u->w[k]) == NULL)
			continue;
		u->w[k] = NULL;
		if (hark_media_writer_finish(w, &u->file[k], &err) !=
		    HARK_MEDIA_OK) {
			media_fault(u, (enum hark_media_kind)k, &err);
			return -1;
		}
		u->placed[k] = true;
	}
	return 0;
}

/* Whatever was written goes again: temp files and placed files alike. */
static void
drop_files(struct upload *u)
{
	struct hark_media_error	 err;
	int			 k;

	for (k = 0; k < NFILES; k++) {
		hark_media_writer_abort(u->w[k]);
		u->w[k] = NULL;
		if (u->placed[k] && hark_media_remove(u->conf->media_dir,
		    u->file[k].relpath, &err) != HARK_MEDIA_OK)
			hark_log(HARK_LOG_ERR, "cannot remove %s: %s",
			    u->file[k].relpath, err.msg);
		u->placed[k] = false;
	}
}

/* The payload part read and checked against what only this path knows. */
static int
read_payload(struct upload *u, struct json_object **tree,
    struct hark_earshot_payload *pl, struct hark_json_report *rep)
{
	struct hark_json_err	 err;

	if (!u->seen_payload) {
		fault(u, 400, "missing_part", "payload", "the payload part "
		    "is required");
		return -1;
	}
	if (hark_earshot_payload_read(u->payload.data != NULL ?
	    u->payload.data : "", u->payload.len, tree, pl, rep, &err) == -1) {
		fault(u, strcmp(err.code, "out_of_memory") == 0 ? 500 : 400,
		    err.code, err.field[0] != '\0' ? err.field : "payload",
		    "payload: %s", err.message);
		return -1;
	}
	if (pl->context.dom.data.s != NULL &&
	    pl->context.dom.data.len > u->conf->max_dom) {
		fault(u, 413, "too_large", "context.dom.data", "the dom "
		    "snapshot is larger than %zu bytes", u->conf->max_dom);
		return -1;
	}
	if (pl->transcript.len == 0 && u->w[HARK_MEDIA_AUDIO] == NULL) {
		fault(u, 400, "empty", "transcript", "transcript may be empty "
		    "only when an audio part is sent");
		return -1;
	}
	return 0;
}

/* The 202 answer: the seed's {sessionId, status}, the id and warnings. */
static int
accepted_body(const struct hark_submission *sub,
    const struct hark_json_report *rep, struct hark_buf *out)
{
	struct json_object	*o;
	const char		*s;
	int			 rc = -1;

	if ((o = json_object_new_object()) == NULL)
		return -1;
	json_object_object_add(o, "sessionId",
	    json_object_new_string(sub->fb.session_id));
	json_object_object_add(o, "status",
	    json_object_new_string(sub->rows.session_status));
	json_object_object_add(o, "id", json_object_new_string(sub->fb.id));
	if (rep->warnings != NULL)
		json_object_object_add(o, "warnings",
		    json_object_get(rep->warnings));
	if ((s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN)) !=
	    NULL && hark_buf_append(out, s, strlen(s)) == 0)
		rc = 0;
	json_object_put(o);
	return rc;
}

static void
respond_accepted(const struct hark_call *c, const char *id,
    const struct hark_buf *body)
{
	hark_buf_reset(&c->resp->body);
	if (hark_buf_append(&c->resp->body, body->data, body->len) == -1) {
		hark_resp_error(c->resp, 500, "internal", NULL, "out of memory");
		return;
	}
	c->resp->status = 202;
	c->resp->content_type = "application/json; charset=utf-8";
	hark_resp_header(c->resp, "Location", "%s/v1/feedback/%s",
	    c->app->conf->base_path, id);
}

/*
 * The rows, with the Idempotency-Key's answer when there is one.  A claim
 * taken over from a dead request whose row committed answers with that
 * row; the files of this request then go.  0 when committed.
 */
static int
commit(struct upload *u, struct hark_submission *sub,
    const struct hark_json_report *rep)
{
	const struct hark_call	*c = u->c;
	struct hark_feedback	 got;
	struct hark_buf		 body = { 0 };
	unsigned char		 hash[HARK_IDEM_HASH_LEN];
	const char		*key = NULL;
	bool			 taken = false;
	int			 k, rc = HARK_STORE_ERROR;

	if (hark_submission_hash(c->who.project_id, u->payload.data,
	    u->payload.len, u->placed[0] ? u->file[0].sha256 : NULL,
	    u->placed[1] ? u->file[1].sha256 : NULL, hash) == -1) {
		fault(u, 500, "internal", NULL, "no SHA-256");
		return -1;
	}
	if (hark_idem_begin(c, hash, sub->fb.id, sizeof(sub->fb.id), &key,
	    &taken) != 0) {
		drop_files(u);
		return 1;	/* answered: a replay, 409, 422, 503 */
	}
	if (taken && hark_feedback_get(c->app->db, c->who.project_id,
	    sub->fb.id, &got) == HARK_STORE_OK) {
		hark_feedback_clear(&got);
		drop_files(u);
		if (accepted_body(sub, rep, &body) == 0 &&
		    hark_store_idem_done(c->app->db, c->who.project_id, key, 202,
		    body.data, body.len) == HARK_STORE_OK) {
			respond_accepted(c, sub->fb.id, &body);
			hark_buf_free(&body);
			return 0;
		}
		goto failed;
	}
	for (k = 0; k < NFILES; k++)
		if (u->placed[k])
			hark_submission_add_media(sub, (enum hark_media_kind)k,
			    u->media_id[k], &u->file[k], k == HARK_MEDIA_AUDIO ?
			    sub->fb.audio_duration_ms : -1);
	if (accepted_body(sub, rep, &body) == -1) {
		rc = HARK_STORE_NOMEM;
		goto failed;
	}
	rc = hark_submission_commit(c->app->db, sub, key, 202, body.data,
	    body.len);
	if (rc == HARK_STORE_OK) {
		respond_accepted(c, sub->fb.id, &body);
		hark_buf_free(&body);
		return 0;
	}
failed:
	hark_buf_free(&body);
	if (key != NULL)
		(void)hark_store_idem_release(c->app->db, c->who.project_id, key);
	/* An outcome unknown may have committed: its files must stay. */
	if (rc != HARK_STORE_OUTCOME_UNKNOWN)
		drop_files(u);
	hark_respond_store_write(c->app, c->resp, rc, sub->fb.id);
	return 1;
}

static void
answer_fault(const struct upload *u)
{
	hark_resp_error(u->c->resp, u->status, u->code,
	    u->field[0] != '\0' ? u->field : NULL, "%s", u->msg);
	if (u->status == 503 || u->status == 507)
		hark_resp_header(u->c->resp, "Retry-After", "30");
}

void
hark_handle_feedback_upload(const struct hark_call *c)
{
	struct upload			 u;
	struct hark_submission		 sub;
	struct hark_earshot_payload	 pl;
	struct hark_json_report		 rep = { NULL, NULL };
	struct hark_json_err		 jerr;
	struct json_object		*tree = NULL;
	const char			*k;

	memset(&u, 0, sizeof(u));
	u.c = c;
	u.conf = c->app->conf;
	u.now = time(NULL);
	/* A bad key is refused before a byte of the body is read. */
	if ((k = hark_req_header(c->req, "idempotency-key")) != NULL &&
	    !hark_idem_key_valid(k)) {
		hark_resp_error(c->resp, 400, "invalid_header",
		    "Idempotency-Key", "Idempotency-Key must be 1 to %d "
		    "printable ASCII characters", HARK_IDEM_KEY_MAX);
		return;
	}
	if (stream_body(&u) == -1 || read_payload(&u, &tree, &pl, &rep) == -1 ||
	    place_files(&u) == -1)
		goto refused;
	if (hark_submission_make(c->who.project_id, c->who.source_id,
	    c->who.public_key, &pl, &rep, u.placed[HARK_MEDIA_AUDIO],
	    u.conf->session_ttl, &sub, &jerr) == -1) {
		fault(&u, 500, "internal", NULL, "%s", jerr.message);
		goto refused;
	}
	if (commit(&u, &sub, &rep) == -1 && u.status != 0)
		goto refused;
	goto out;
refused:
	drop_files(&u);
	answer_fault(&u);
out:
	hark_json_report_clear(&rep);
	json_object_put(tree);
	hark_buf_free(&u.payload);
}
