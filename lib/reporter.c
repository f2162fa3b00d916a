/* reporter.c: erasure and export by reporter (GDPR Art. 15 and 17), over lib/store_reporters.c; the files go after their rows' commit. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "feedback.h"
#include "json.h"
#include "log.h"
#include "media.h"
#include "reporter.h"
#include "store.h"
#include "timestamp.h"
#include "utf8.h"

#define EXPORT_PAGE	100	/* ids per query while exporting */
#define COMMENT_PAGE	100

/* ---- who ---- */

static int
reporter_hash(const char *tag, const char *s, size_t len, char hex[65])
{
	unsigned char	 d[EVP_MAX_MD_SIZE];
	unsigned int	 dl = 0, i;
	EVP_MD_CTX	*md;
	int		 ok;

	if ((md = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(md, tag, strlen(tag)) == 1 &&
	    EVP_DigestUpdate(md, s, len) == 1 &&
	    EVP_DigestFinal_ex(md, d, &dl) == 1 && dl == 32;
	EVP_MD_CTX_free(md);
	if (!ok)
		return -1;
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	return 0;
}

enum hark_reporter_check
hark_reporter_make(struct hark_reporter_id *id, const char *email,
    size_t email_len, const char *user_id, size_t user_id_len)
{
	size_t	 i;

	memset(id, 0, sizeof(*id));
	if (email == NULL && user_id == NULL)
		return HARK_REPORTER_NEITHER;
	if (email != NULL && user_id != NULL)
		return HARK_REPORTER_BOTH;
	if (email != NULL) {
		if (email_len > HARK_REPORTER_EMAIL_MAX ||
		    memchr(email, '\0', email_len) != NULL ||
		    !hark_json_is_email(email, email_len))
			return HARK_REPORTER_BAD_EMAIL;
		/* Mail systems treat an address case-insensitively in practice:
		 * an erasure errs toward the same person's every row. */
		for (i = 0; i < email_len; i++)
			id->buf[i] = (char)tolower((unsigned char)email[i]);
		id->r.email = id->buf;
		id->r.email_len = email_len;
		if (reporter_hash("email:", id->buf, email_len, id->hash) == -1)
			return HARK_REPORTER_BAD_EMAIL;
		return HARK_REPORTER_OK;
	}
	if (user_id_len == 0 || user_id_len >= sizeof(id->buf) ||
	    memchr(user_id, '\0', user_id_len) != NULL ||
	    !hark_utf8_valid(user_id, user_id_len) ||
	    hark_utf8_count(user_id, user_id_len) > HARK_REPORTER_USER_ID_MAX)
		return HARK_REPORTER_BAD_USER_ID;
	memcpy(id->buf, user_id, user_id_len);
	id->r.user_id = id->buf;
	id->r.user_id_len = user_id_len;
	if (reporter_hash("userId:", id->buf, user_id_len, id->hash) == -1)
		return HARK_REPORTER_BAD_USER_ID;
	return HARK_REPORTER_OK;
}

const char *
hark_reporter_check_message(enum hark_reporter_check c)
{
	switch (c) {
	case HARK_REPORTER_OK:
		return "ok";
	case HARK_REPORTER_NEITHER:
		return "give one of email and userId";
	case HARK_REPORTER_BOTH:
		return "give only one of email and userId";
	case HARK_REPORTER_BAD_EMAIL:
		return "must be a valid email address";
	case HARK_REPORTER_BAD_USER_ID:
		return "must be 1 to 255 characters of UTF-8";
	}
	return "invalid";
}

/* ---- erasure ---- */

struct files_ctx {
	const char		*media_dir;
	unsigned long long	 removed;
};

static int
remove_file(void *ctx, const char *relpath)
{
	struct files_ctx	*fc = ctx;
	struct hark_media_error	 err;

	/* A path of another shape is none of hark's: never opened. */
	if (!hark_media_relpath_valid(relpath)) {
		hark_log(HARK_LOG_WARN, "reporter erase: a media row's path has "
		    "not hark's shape; left alone");
		return 0;
	}
	if (hark_media_remove(fc->media_dir, relpath, &err) == HARK_MEDIA_OK)
		fc->removed++;
	else	/* The sweep removes it later: its row is gone. */
		hark_log(HARK_LOG_WARN, "reporter erase: cannot remove %s: %s",
		    relpath, err.msg);
	return 0;
}

int
hark_reporter_erase(struct hark_db *db, const char *media_dir,
    const char *project_id, const struct hark_reporter_id *id,
    const char *key_id, const char *remote_addr,
    struct hark_reporter_counts *counts, unsigned long long *files)
{
	struct files_ctx	 fc = { media_dir, 0 };
	char			 detail[512];
	bool			 done = false;
	int			 rc = HARK_STORE_OK;

	memset(counts, 0, sizeof(*counts));
	while (!done && rc == HARK_STORE_OK)
		rc = hark_store_reporter_erase_step(db, project_id, &id->r,
		    counts, remove_file, &fc, &done);
	*files = fc.removed;
	snprintf(detail, sizeof(detail), "reporter sha256:%s by %s: feedback %llu "
	    "media %llu comments %llu labels %llu sessions %llu jobs %llu "
	    "webhook_deliveries %llu idempotency_keys %llu files %llu",
	    id->hash, id->r.email != NULL ? "email" : "userId",
	    counts->feedback, counts->media, counts->comments, counts->labels,
	    counts->sessions, counts->jobs, counts->webhook_deliveries,
	    counts->idempotency_keys, fc.removed);
	if (hark_store_audit(db, project_id, key_id, rc == HARK_STORE_OK ?
	    "reporter_erased" : "reporter_erase_incomplete", remote_addr,
	    detail) != HARK_STORE_OK)
		hark_log(HARK_LOG_WARN, "cannot write the audit log: %s",
		    hark_store_errmsg(db));
	hark_log(HARK_LOG_INFO, "%s %s", rc == HARK_STORE_OK ? "erased" :
	    "erasure incomplete:", detail);
	return rc;
}

static struct json_object *
count(unsigned long long n)
{
	return json_object_new_int64((int64_t)n);
}

struct json_object *
hark_reporter_counts_json(const struct hark_reporter_counts *c,
    unsigned long long files)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "feedback", count(c->feedback));
	json_object_object_add(o, "media", count(c->media));
	json_object_object_add(o, "comments", count(c->comments));
	json_object_object_add(o, "labels", count(c->labels));
	json_object_object_add(o, "sessions", count(c->sessions));
	json_object_object_add(o, "jobs", count(c->jobs));
	json_object_object_add(o, "webhookDeliveries",
	    count(c->webhook_deliveries));
	json_object_object_add(o, "idempotencyKeys",
	    count(c->idempotency_keys));
	json_object_object_add(o, "files", count(files));
	return o;
}

/* ---- export ---- */

static struct json_object *
text_or_null(const char *s, size_t len)
{
	return s != NULL ? json_object_new_string_len(s, (int)len) : NULL;
}

/* Stored JSON as a value (a text that does not parse stays a string). */
static struct json_object *
stored_json(const char *s, size_t len)
{
	struct json_object	*v;

	if (s == NULL)
		return NULL;
	if ((v = json_tokener_parse(s)) == NULL)
		return json_object_new_string_len(s, (int)len);
	return v;
}

static struct json_object *
ts_json(const char *db, bool ms)
{
	char	 ts[40];

	if (db == NULL || db[0] == '\0')
		return NULL;
	if (ms)
		hark_ts_to_rfc3339_ms(db, ts, sizeof(ts));
	else
		hark_ts_to_rfc3339(db, ts, sizeof(ts));
	return json_object_new_string(ts);
}

/* As GET /v1/feedback/{id}/comments shows a comment, and what it is. */
static struct json_object *
comment_json(const struct hark_comment *cm, bool object)
{
	struct json_object	*o;

	if ((o = hark_comment_json(cm)) != NULL && object)
		json_object_object_add(o, "object",
		    json_object_new_string("comment"));
	return o;
}

static struct json_object *
session_json(const struct hark_reporter_session *s, bool object)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (object)
		json_object_object_add(o, "object",
		    json_object_new_string("session"));
	json_object_object_add(o, "sessionId",
	    json_object_new_string(s->session_id));
	json_object_object_add(o, "status", json_object_new_string(s->status));
	json_object_object_add(o, "feedbackId", s->feedback_id[0] != '\0' ?
	    json_object_new_string(s->feedback_id) : NULL);
	json_object_object_add(o, "transcript",
	    text_or_null(s->transcript, s->transcript_len));
	json_object_object_add(o, "identity",
	    stored_json(s->identity, s->identity_len));
	json_object_object_add(o, "createdAt", ts_json(s->created_at, true));
	json_object_object_add(o, "expiresAt", ts_json(s->expires_at, true));
	return o;
}

struct export {
	struct hark_db			*db;
	const char			*project_id;
	const struct hark_reporter_id	*id;
	FILE				*out;
	unsigned long long		 lines;
	char				 ids[EXPORT_PAGE][HARK_SESSION_ID_SIZE];
	size_t				 n;
	char				 last[HARK_SESSION_ID_SIZE];
	struct json_object		*arr;	/* being filled */
	bool				 failed;	/* memory or output */
	int				 err;		/* errno of output */
};

static int
put_line(struct export *x, struct json_object *o)
{
	const char	*s;

	if (o == NULL) {
		x->failed = true;
		return -1;
	}
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s == NULL || fputs(s, x->out) == EOF || putc('\n', x->out) == EOF) {
		x->err = s == NULL ? ENOMEM : errno;
		x->failed = true;
		json_object_put(o);
		return -1;
	}
	x->lines++;
	json_object_put(o);
	return 0;
}

static int
page_id(void *ctx, const char *id)
{
	struct export	*x = ctx;

	if (x->n < EXPORT_PAGE && strlen(id) < sizeof(x->ids[0]))
		snprintf(x->ids[x->n++], sizeof(x->ids[0]), "%s", id);
	return 0;
}

static int
media_row(void *ctx, const struct hark_media_row *m)
{
	struct export		*x = ctx;
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL) {
		x->failed = true;
		return 1;
	}
	json_object_object_add(o, "kind", json_object_new_string(m->kind));
	json_object_object_add(o, "path", json_object_new_string(m->path));
	json_object_object_add(o, "contentType", json_object_new_string(m->mime));
	json_object_object_add(o, "bytes", count(m->bytes));
	json_object_object_add(o, "sha256",
	    json_object_new_string(m->sha256_hex));
	json_object_object_add(o, "durationMs", m->duration_ms >= 0 ?
	    json_object_new_int64(m->duration_ms) : NULL);
	json_object_array_add(x->arr, o);
	return 0;
}

static int
item_comment(void *ctx, const struct hark_comment *cm)
{
	struct export		*x = ctx;
	struct json_object	*o;

	if ((o = comment_json(cm, false)) == NULL) {
		x->failed = true;
		return 1;
	}
	json_object_array_add(x->arr, o);
	snprintf(x->last, sizeof(x->last), "%s", cm->id);
	return 0;
}

static int
item_session(void *ctx, const struct hark_reporter_session *s)
{
	struct json_object	**out = ctx;

	*out = session_json(s, false);
	return 0;
}

/* One item's line: its view with its media, comments and session. */
static int
export_item(struct export *x, const char *fid)
{
	struct hark_feedback	 fb;
	struct json_object	*view = NULL, *line = NULL, *sess = NULL;
	size_t			 before;
	bool			 found;
	int			 rc;

	rc = hark_store_feedback_get(x->db, x->project_id, fid, &fb);
	if (rc == HARK_STORE_NOT_FOUND)
		return HARK_STORE_OK;	/* erased since the page was read */
	if (rc != HARK_STORE_OK)
		return rc;
	view = hark_feedback_json(&fb);
	line = json_object_new_object();
	if (view == NULL || line == NULL)
		goto oom;
	json_object_object_add(line, "object", json_object_new_string("feedback"));
	json_object_object_foreach(view, k, v)
		json_object_object_add(line, k, json_object_get(v));
	if ((x->arr = json_object_new_array()) == NULL)
		goto oom;
	json_object_object_add(line, "media", x->arr);
	rc = hark_store_media_list(x->db, x->project_id, &fid, 1, media_row, x);
	if (rc != HARK_STORE_OK && !x->failed)
		goto out;
	if ((x->arr = json_object_new_array()) == NULL)
		goto oom;
	json_object_object_add(line, "comments", x->arr);
	x->last[0] = '\0';
	do {
		before = json_object_array_length(x->arr);
		rc = hark_store_comment_list(x->db, x->project_id, fid,
		    x->last[0] != '\0' ? x->last : NULL, COMMENT_PAGE,
		    item_comment, x, &found);
		if (rc == HARK_STORE_NOT_FOUND)
			rc = HARK_STORE_OK;
	} while (rc == HARK_STORE_OK && !x->failed &&
	    json_object_array_length(x->arr) - before == COMMENT_PAGE);
	if (rc != HARK_STORE_OK)
		goto out;
	if (fb.session_id[0] != '\0' && (rc = hark_store_reporter_session_get(
	    x->db, x->project_id, fb.session_id, item_session, &sess)) !=
	    HARK_STORE_OK)
		goto out;
	json_object_object_add(line, "session", sess);
	if (x->failed)
		goto oom;
	rc = put_line(x, line) == 0 ? HARK_STORE_OK : HARK_STORE_ERROR;
	line = NULL;
	goto out;
oom:
	x->failed = true;
	rc = x->err != 0 ? HARK_STORE_ERROR : HARK_STORE_NOMEM;
out:
	json_object_put(view);
	json_object_put(line);
	hark_feedback_clear(&fb);
	return rc;
}

static int
export_session(void *ctx, const struct hark_reporter_session *s)
{
	struct export	*x = ctx;

	snprintf(x->last, sizeof(x->last), "%s", s->session_id);
	x->n++;
	return put_line(x, session_json(s, true)) == 0 ? 0 : 1;
}

static int
export_comment(void *ctx, const struct hark_comment *cm)
{
	struct export	*x = ctx;

	snprintf(x->last, sizeof(x->last), "%s", cm->id);
	x->n++;
	return put_line(x, comment_json(cm, true)) == 0 ? 0 : 1;
}

static int
export_all(struct export *x)
{
	size_t	 i;
	int	 rc;

	/* The items, a page of ids at a time (keyset: after the last). */
	x->last[0] = '\0';
	do {
		x->n = 0;
		rc = hark_store_reporter_feedback_page(x->db, x->project_id,
		    &x->id->r, x->last, EXPORT_PAGE, page_id, x);
		for (i = 0; i < x->n && rc == HARK_STORE_OK; i++)
			rc = export_item(x, x->ids[i]);
		if (x->n > 0)
			snprintf(x->last, sizeof(x->last), "%s", x->ids[x->n - 1]);
	} while (rc == HARK_STORE_OK && x->n == EXPORT_PAGE);
	if (rc != HARK_STORE_OK)
		return rc;
	x->last[0] = '\0';
	do {
		x->n = 0;
		rc = hark_store_reporter_session_page(x->db, x->project_id,
		    &x->id->r, x->last, EXPORT_PAGE, export_session, x);
	} while (rc == HARK_STORE_OK && x->n == EXPORT_PAGE);
	if (rc != HARK_STORE_OK)
		return rc == 1 ? HARK_STORE_ERROR : rc;
	x->last[0] = '\0';
	do {
		x->n = 0;
		rc = hark_store_reporter_comment_page(x->db, x->project_id,
		    &x->id->r, x->last, EXPORT_PAGE, export_comment, x);
	} while (rc == HARK_STORE_OK && x->n == EXPORT_PAGE);
	return rc == 1 ? HARK_STORE_ERROR : rc;
}

int
hark_reporter_export(struct hark_db *db, const char *project_id,
    const struct hark_reporter_id *id, FILE *out, unsigned long long *lines)
{
	struct export	*x;
	char		 detail[160];
	int		 rc;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return HARK_STORE_NOMEM;
	x->db = db;
	x->project_id = project_id;
	x->id = id;
	x->out = out;
	rc = export_all(x);
	if (rc == HARK_STORE_OK && fflush(out) == EOF) {
		x->err = errno;
		rc = HARK_STORE_ERROR;
	}
	*lines = x->lines;
	snprintf(detail, sizeof(detail), "reporter sha256:%s by %s: %llu lines",
	    id->hash, id->r.email != NULL ? "email" : "userId", x->lines);
	if (hark_store_audit(db, project_id, NULL, "reporter_exported", NULL,
	    detail) != HARK_STORE_OK)
		hark_log(HARK_LOG_WARN, "cannot write the audit log: %s",
		    hark_store_errmsg(db));
	if (x->err != 0)
		errno = x->err;
	free(x);
	return rc;
}
