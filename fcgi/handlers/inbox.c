/*
 * inbox.c: working the inbox, the second seed's shapes:
 *
 *   PATCH /v1/feedback/{id}           {status?, priority?, resolutionNote?,
 *                                     labels?, category?}: the item again,
 *                                     with its ETag; If-Match honoured (412)
 *   GET   /v1/feedback/{id}/comments  oldest first, paginated
 *   POST  /v1/feedback/{id}/comments  {body, authorType?, authorId?,
 *                                     notifySubmitter?, mirrorToTracker?}
 *
 * Secret keys only (routes.c).  Notifications (the submitter's email, the
 * tracker mirror) are hark-batch's jobs and come with their issue; the
 * flags are taken and answered back so a client written for the seed works.
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "conf.h"
#include "feedback.h"
#include "handlers.h"
#include "ids.h"
#include "json.h"
#include "query.h"
#include "respond.h"
#include "store.h"
#include "timestamp.h"
#include "utf8.h"
#include "vocab.h"

#define NOTE_MAX	2000
#define COMMENT_MAX	8000
#define COMMENTS_DEFAULT 50
#define COMMENTS_MAX	100

static const char *const author_types[] = { "human", "agent", "submitter",
	NULL };

static int
item_id(const struct hark_call *c, const char **id)
{
	*id = hark_req_param(c->req, "id");
	if (*id == NULL || !hark_id_valid(HARK_ID_FEEDBACK, *id)) {
		hark_resp_error(c->resp, 404, "not_found", "id",
		    "there is no feedback with this id");
		return -1;
	}
	return 0;
}

/* ---- versions ---- */

/*
 * An item's ETag is its updated_at as digits, "20261203134512123456": it
 * changes with every PATCH (microseconds), and If-Match names it back.
 */
void
hark_feedback_etag(struct hark_resp *resp, const struct hark_feedback *fb)
{
	char	 v[HARK_STORE_TS_SIZE];
	size_t	 i, n = 0;

	for (i = 0; fb->updated_at[i] != '\0' && n + 1 < sizeof(v); i++)
		if (isdigit((unsigned char)fb->updated_at[i]))
			v[n++] = fb->updated_at[i];
	v[n] = '\0';
	if (n == 20)
		hark_resp_header(resp, "ETag", "\"%s\"", v);
}

bool
hark_feedback_etag_decode(const char *s, size_t n, char *out, size_t len)
{
	size_t	 i;

	if (n != 20 || len < HARK_STORE_TS_SIZE)
		return false;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	snprintf(out, len, "%.4s-%.2s-%.2s %.2s:%.2s:%.2s.%.6s", s, s + 4,
	    s + 6, s + 8, s + 10, s + 12, s + 14);
	return true;
}

/* ---- PATCH ---- */

struct patch_in {
	struct hark_json_text	 status, note, category;
	long long		 priority;
	struct hark_json_array	 labels;
	bool			 quarantined;
};

#define PI(m)	offsetof(struct patch_in, m)

static const struct hark_json_field label_item = {
	.type = HARK_JSON_STRING, .min = 1, .max = HARK_LABEL_MAX,
	.flags = HARK_JSON_TRIM_NONEMPTY, .out = HARK_JSON_OUT_TEXT
};

static const struct hark_json_field patch_fields[] = {
	{ .name = "status", .type = HARK_JSON_STRING,
	  .one_of = hark_vocab_status, .out = HARK_JSON_OUT_TEXT,
	  .off = PI(status) },
	{ .name = "priority", .type = HARK_JSON_INT, .flags = HARK_JSON_NULLABLE,
	  .imin = 0, .imax = 4, .out = HARK_JSON_OUT_INT, .off = PI(priority) },
	{ .name = "resolutionNote", .type = HARK_JSON_STRING,
	  .flags = HARK_JSON_NULLABLE, .max = NOTE_MAX, .out = HARK_JSON_OUT_TEXT,
	  .off = PI(note) },
	{ .name = "labels", .type = HARK_JSON_ARRAY, .max = HARK_LABELS_MAX,
	  .items = &label_item, .out = HARK_JSON_OUT_ARRAY, .off = PI(labels) },
	{ .name = "category", .type = HARK_JSON_STRING,
	  .one_of = hark_vocab_category, .out = HARK_JSON_OUT_TEXT,
	  .off = PI(category) },
	{ .name = "quarantined", .type = HARK_JSON_BOOL,
	  .out = HARK_JSON_OUT_BOOL, .off = PI(quarantined) },
};
/* A PATCH is an instruction: a misspelt member must not pass unseen. */
const struct hark_json_schema hark_feedback_patch_body = {
	patch_fields, HARK_JSON_NFIELDS(patch_fields), HARK_JSON_UNKNOWN_REFUSE,
	sizeof(struct patch_in)
};

static bool
member(const struct hark_call *c, const char *name, bool *null)
{
	struct json_object	*v;

	*null = false;
	if (!json_object_object_get_ex((struct json_object *)(uintptr_t)c->tree,
	    name, &v))
		return false;
	*null = v == NULL;
	return true;
}

/*
 * A label as stored: trimmed, lower case (ASCII: labels are tags such as
 * "bug" or "auth"), no control characters.  0, or -1 with resp filled.
 */
static int
normalize_label(const struct hark_call *c, size_t i, const char *s,
    size_t len, char *out, size_t outlen)
{
	size_t	 a = 0, b = len, k;

	while (a < b && isspace((unsigned char)s[a]))
		a++;
	while (b > a && isspace((unsigned char)s[b - 1]))
		b--;
	if (b - a >= outlen)
		b = a + outlen - 1;
	for (k = a; k < b; k++) {
		if ((unsigned char)s[k] < 0x20 || s[k] == 0x7f) {
			char	 field[32];

			snprintf(field, sizeof(field), "labels[%zu]", i);
			hark_resp_error(c->resp, 400, "invalid_value", field,
			    "a label holds no control characters");
			return -1;
		}
		out[k - a] = (char)tolower((unsigned char)s[k]);
	}
	out[b - a] = '\0';
	return 0;
}

static int
patch_labels(const struct hark_call *c, const struct patch_in *in,
    struct hark_feedback_patch *p, char store[][4 * HARK_LABEL_MAX + 1])
{
	struct hark_json_text	 t;
	struct hark_json_err	 err;
	size_t			 i, j;
	bool			 dup;

	p->labels_set = true;
	for (i = 0; i < in->labels.n; i++) {
		memset(&t, 0, sizeof(t));
		if (hark_json_fill_item(&in->labels, i, &label_item, &t,
		    &err) == -1 || normalize_label(c, i, t.s, t.len, store[i],
		    4 * HARK_LABEL_MAX + 1) == -1) {
			if (c->resp->status < 400)
				hark_resp_error(c->resp, 500, "internal", NULL,
				    "out of memory");
			return -1;
		}
		for (dup = false, j = 0; j < p->nlabels; j++)
			dup = dup || strcmp(p->labels[j], store[i]) == 0;
		if (!dup)
			p->labels[p->nlabels++] = store[i];
	}
	return 0;
}

static void
respond_item(const struct hark_call *c, int status, const char *id)
{
	struct hark_feedback	 fb;
	int			 rc;

	rc = hark_feedback_get(c->app->db, c->who.project_id, id, &fb);
	if (rc == HARK_STORE_NOT_FOUND)
		hark_resp_error(c->resp, 404, "not_found", "id",
		    "there is no feedback with this id");
	else if (rc != HARK_STORE_OK)
		hark_respond_store(c->app, c->resp, rc);
	else
		hark_respond_item(c, status, &fb);
	hark_feedback_clear(&fb);
}

/* If-Match: the strong ETag of a GET or PATCH answer ("<updated_at>"). */
static int
if_match(const struct hark_call *c, char *out, size_t len)
{
	const char	*h = hark_req_header(c->req, "if-match");
	size_t		 n;

	out[0] = '\0';
	if (h == NULL)
		return 0;
	n = strlen(h);
	if (n < 3 || h[0] != '"' || h[n - 1] != '"' || n - 2 >= len ||
	    !hark_feedback_etag_decode(h + 1, n - 2, out, len)) {
		hark_resp_error(c->resp, 412, "precondition_failed", "If-Match",
		    "If-Match names no version of this item");
		return -1;
	}
	return 1;
}

void
hark_handle_feedback_patch(const struct hark_call *c)
{
	const struct patch_in		*in = c->in;
	struct hark_feedback_patch	 p;
	char				 labels[HARK_LABELS_MAX][4 * HARK_LABEL_MAX + 1];
	char				 version[HARK_STORE_TS_SIZE];
	const char			*id;
	bool				 null;
	int				 rc, im;

	if (item_id(c, &id) == -1 || (im = if_match(c, version,
	    sizeof(version))) == -1)
		return;
	memset(&p, 0, sizeof(p));
	if (in->status.s != NULL)
		p.status = hark_vocab_intern(hark_vocab_status, in->status.s,
		    NULL);
	if (member(c, "priority", &null)) {
		p.priority_set = true;
		p.priority = null ? -1 : (int)in->priority;
	}
	if (member(c, "resolutionNote", &null)) {
		p.note_set = true;
		p.note = null || in->note.len == 0 ? NULL : in->note.s;
		p.note_len = in->note.len;
	}
	if (in->category.s != NULL)
		p.category = hark_vocab_intern(hark_vocab_category,
		    in->category.s, NULL);
	if (in->labels.arr != NULL && patch_labels(c, in, &p, labels) == -1)
		return;
	p.quarantined = member(c, "quarantined", &null) ? in->quarantined : -1;
	p.actor_key_id = c->who.key_id;
	p.actor_addr = c->req->remote_addr;
	rc = hark_store_feedback_patch(c->app->db, c->who.project_id, id, &p,
	    im ? version : NULL);
	if (rc == HARK_STORE_NOT_FOUND)
		hark_resp_error(c->resp, 404, "not_found", "id",
		    "there is no feedback with this id");
	else if (rc == HARK_STORE_CONFLICT)
		hark_resp_error(c->resp, 412, "precondition_failed", "If-Match",
		    "the item changed since this version: GET it again");
	else if (rc != HARK_STORE_OK)
		hark_respond_store(c->app, c->resp, rc);
	else
		respond_item(c, 200, id);
}

/* ---- comments ---- */

struct comment_in {
	struct hark_json_text	 body, author_type, author_id;
	bool			 notify_submitter, mirror_to_tracker;
};

#define CI(m)	offsetof(struct comment_in, m)

static const struct hark_json_field comment_fields[] = {
	{ .name = "body", .type = HARK_JSON_STRING,
	  .flags = HARK_JSON_REQUIRED | HARK_JSON_TRIM_NONEMPTY, .min = 1,
	  .max = COMMENT_MAX, .out = HARK_JSON_OUT_TEXT, .off = CI(body) },
	{ .name = "authorType", .type = HARK_JSON_STRING,
	  .one_of = author_types, .out = HARK_JSON_OUT_TEXT,
	  .off = CI(author_type) },
	{ .name = "authorId", .type = HARK_JSON_STRING,
	  .flags = HARK_JSON_NULLABLE, .max = 255, .out = HARK_JSON_OUT_TEXT,
	  .off = CI(author_id) },
	{ .name = "notifySubmitter", .type = HARK_JSON_BOOL,
	  .out = HARK_JSON_OUT_BOOL, .off = CI(notify_submitter) },
	{ .name = "mirrorToTracker", .type = HARK_JSON_BOOL,
	  .out = HARK_JSON_OUT_BOOL, .off = CI(mirror_to_tracker) },
};
const struct hark_json_schema hark_comment_create_body = {
	comment_fields, HARK_JSON_NFIELDS(comment_fields),
	HARK_JSON_UNKNOWN_REFUSE, sizeof(struct comment_in)
};

void
hark_handle_comment_create(const struct hark_call *c)
{
	const struct comment_in	*in = c->in;
	struct hark_comment	 cm;
	struct json_object	*o;
	const char		*id;
	int			 rc;

	if (item_id(c, &id) == -1)
		return;
	memset(&cm, 0, sizeof(cm));
	if (hark_id_new(HARK_ID_COMMENT, cm.id, sizeof(cm.id)) == -1) {
		hark_resp_error(c->resp, 500, "internal", NULL, "no randomness");
		return;
	}
	snprintf(cm.feedback_id, sizeof(cm.feedback_id), "%s", id);
	cm.body = in->body.s;
	cm.body_len = in->body.len;
	cm.author_type = in->author_type.s != NULL ? hark_vocab_intern(
	    author_types, in->author_type.s, "human") : "human";
	cm.author_id = in->author_id.s;
	cm.author_id_len = in->author_id.len;
	hark_ts_now(cm.created_at);
	cm.actor_key_id = c->who.key_id;
	cm.actor_addr = c->req->remote_addr;
	rc = hark_store_comment_insert(c->app->db, c->who.project_id, &cm,
	    in->notify_submitter, in->mirror_to_tracker);
	if (rc == HARK_STORE_NOT_FOUND) {
		hark_resp_error(c->resp, 404, "not_found", "id",
		    "there is no feedback with this id");
		return;
	}
	if (rc != HARK_STORE_OK) {
		hark_respond_store_write(c->app, c->resp, rc, NULL);
		return;
	}
	if ((o = hark_comment_json(&cm)) == NULL) {
		hark_resp_error(c->resp, 500, "internal", NULL, "out of memory");
		return;
	}
	json_object_object_add(o, "notifySubmitter",
	    json_object_new_boolean(in->notify_submitter));
	json_object_object_add(o, "mirrorToTracker",
	    json_object_new_boolean(in->mirror_to_tracker));
	if (hark_resp_json(c->resp, 201, o) == -1)
		hark_resp_error(c->resp, 500, "internal", NULL, "out of memory");
	json_object_put(o);
}

struct comments_query {
	long long	 limit;
	char		*cursor;
};

static const struct hark_query_param comments_params[] = {
	{ .name = "limit", .type = HARK_QUERY_INT,
	  .off = offsetof(struct comments_query, limit), .min = 1,
	  .max = COMMENTS_MAX, .def = COMMENTS_DEFAULT },
	{ .name = "cursor", .type = HARK_QUERY_STRING,
	  .off = offsetof(struct comments_query, cursor), .min = 1, .max = 64 },
};
const struct hark_query_schema hark_comment_list_query = {
	comments_params, HARK_QUERY_NPARAMS(comments_params),
	sizeof(struct comments_query), "limit and cursor"
};

struct comments_acc {
	struct json_object	*items;
	unsigned		 want, seen;
	char			 last[HARK_ID_SIZE];
	int			 failed;
};

static int
comment_row(void *ctx, const struct hark_comment *cm)
{
	struct comments_acc	*acc = ctx;
	struct json_object	*o;

	if (++acc->seen > acc->want)
		return 0;	/* the look-ahead row */
	if ((o = hark_comment_json(cm)) == NULL) {
		acc->failed = 1;
		return 1;
	}
	json_object_array_add(acc->items, o);
	snprintf(acc->last, sizeof(acc->last), "%s", cm->id);
	return 0;
}

void
hark_handle_comment_list(const struct hark_call *c)
{
	const struct comments_query	*q = c->query;
	struct comments_acc		 acc = { 0 };
	struct json_object		*o = NULL;
	const char			*id;
	bool				 found;
	int				 rc;

	if (item_id(c, &id) == -1)
		return;
	if (q->cursor != NULL && !hark_id_valid(HARK_ID_COMMENT, q->cursor)) {
		hark_resp_error(c->resp, 400, "invalid_value", "cursor",
		    "cursor is the nextCursor of the previous page");
		return;
	}
	acc.want = (unsigned)q->limit;
	if ((acc.items = json_object_new_array()) == NULL)
		goto nomem;
	rc = hark_store_comment_list(c->app->db, c->who.project_id, id,
	    q->cursor, acc.want + 1, comment_row, &acc, &found);
	if (rc == HARK_STORE_NOT_FOUND) {
		hark_resp_error(c->resp, 404, "not_found", "id",
		    "there is no feedback with this id");
		goto out;
	}
	if (rc != HARK_STORE_OK && !acc.failed) {
		hark_respond_store(c->app, c->resp, rc);
		goto out;
	}
	if (acc.failed || (o = json_object_new_object()) == NULL)
		goto nomem;
	json_object_object_add(o, "data", acc.items);
	acc.items = NULL;
	json_object_object_add(o, "nextCursor", acc.seen > acc.want ?
	    json_object_new_string(acc.last) : NULL);
	if (hark_resp_json(c->resp, 200, o) == -1)
		goto nomem;
	goto out;
nomem:
	hark_resp_error(c->resp, 500, "internal", NULL, "out of memory");
out:
	json_object_put(acc.items);
	json_object_put(o);
}
