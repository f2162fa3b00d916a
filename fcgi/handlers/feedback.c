/*
 * feedback.c: /v1/feedback, the Fluister-shaped API.
 *
 *   POST   /v1/feedback        JSON {projectId?, text, page?, userEmail?,
 *                              metadata?} -> 201 with the synchronous triage;
 *                              an Idempotency-Key replays its first 2xx
 *   GET    /v1/feedback/{id}   one item of the key's project
 *   GET    /v1/feedback        newest first, filters, keyset pagination
 *   DELETE /v1/feedback/{id}   erases the row and what hangs off it
 *
 * Each route declares its secret-key auth, body and query (routes.c); the
 * prologue has checked them by the time a handler here runs.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "conf.h"
#include "feedback.h"
#include "handlers.h"
#include "ids.h"
#include "json.h"
#include "buf.h"
#include "query.h"
#include "respond.h"
#include "vocab.h"

#define LIST_DEFAULT	20
#define LIST_MAX	100
#define Q_MAX_CHARS	200

#define IN(m)	.out = HARK_JSON_OUT_TEXT, \
		.off = offsetof(struct hark_feedback_input, m)

static const struct hark_json_field create_fields[] = {
	{ .name = "projectId", .type = HARK_JSON_STRING, .flags = HARK_JSON_NULLABLE,
	  .max = 64, IN(project_id) },
	{ .name = "text", .type = HARK_JSON_STRING,
	  .flags = HARK_JSON_REQUIRED | HARK_JSON_TRIM_NONEMPTY,
	  .min = 1, .max = 5000, IN(text) },
	{ .name = "page", .type = HARK_JSON_STRING, .flags = HARK_JSON_NULLABLE,
	  .max_bytes = 2048, IN(page) },
	{ .name = "userEmail", .type = HARK_JSON_STRING,
	  .flags = HARK_JSON_NULLABLE, .max_bytes = 254,
	  .check = hark_json_check_email, IN(user_email) },
	{ .name = "metadata", .type = HARK_JSON_OBJECT,
	  .flags = HARK_JSON_NULLABLE, .max_bytes = 16384,
	  .out = HARK_JSON_OUT_JSON,
	  .off = offsetof(struct hark_feedback_input, metadata) },
};
/*
 * Unknown members never cost a submission (issue 14 item 11): they are kept
 * as the item's extra and named in the answer's warnings.
 */
const struct hark_json_schema hark_feedback_create_body = {
	create_fields, HARK_JSON_NFIELDS(create_fields),
	HARK_JSON_UNKNOWN_COLLECT, sizeof(struct hark_feedback_input)
};

/* The item, with the warnings of a collecting schema when there are any. */
static void
respond_feedback(struct hark_resp *resp, int status,
    const struct hark_feedback *fb, const struct hark_json_report *rep)
{
	struct json_object	*o;

	if ((o = hark_feedback_json(fb)) != NULL && rep != NULL &&
	    rep->warnings != NULL)
		json_object_object_add(o, "warnings",
		    json_object_get(rep->warnings));
	if (o == NULL || hark_resp_json(resp, status, o) == -1)
		hark_resp_error(resp, 500, "internal", NULL, "out of memory");
	json_object_put(o);
}

/*
 * A create holding its Idempotency-Key.  The answer is made first, so the
 * row and the record of that answer commit in one transaction.  A claim
 * taken over from a dead request may find that request's row committed (its
 * record then was not, as both go together only on this path; the row may
 * also be one a request filed while the record failed): that row is the
 * answer.  Only 2xx answers are recorded: any other frees the key.
 */
static void
create_idem(const struct hark_call *c, struct hark_feedback *fb,
    const char *key, bool taken)
{
	struct hark_feedback	 got;
	int			 rc;

	if (taken && hark_feedback_get(c->app->db, c->who.project_id, fb->id,
	    &got) == HARK_STORE_OK) {
		respond_feedback(c->resp, 201, &got, c->report);
		hark_feedback_clear(&got);
		rc = c->resp->status != 201 ? HARK_STORE_ERROR :
		    hark_store_idem_done(c->app->db, c->who.project_id, key,
		    201, c->resp->body.data, c->resp->body.len);
	} else {
		respond_feedback(c->resp, 201, fb, c->report);
		rc = c->resp->status != 201 ? HARK_STORE_ERROR :
		    hark_feedback_submit_idem(c->app->db, fb, key, 201,
		    c->resp->body.data, c->resp->body.len);
	}
	if (rc != HARK_STORE_OK) {
		if (c->resp->status == 201)
			hark_respond_store_write(c->app, c->resp, rc, fb->id);
		(void)hark_store_idem_release(c->app->db, c->who.project_id,
		    key);
		return;
	}
	hark_resp_header(c->resp, "Location", "%s/v1/feedback/%s",
	    c->app->conf->base_path, fb->id);
}

void
hark_handle_feedback_create(const struct hark_call *c)
{
	struct hark_feedback_input	 copy = *(const struct hark_feedback_input *)c->in;
	const struct hark_feedback_input *in = &copy;
	struct hark_feedback		 fb;
	struct hark_json_err		 jerr;
	unsigned char			 hash[HARK_IDEM_HASH_LEN];
	const char			*key = NULL;
	bool				 taken;
	int				 rc;

	if (c->report != NULL && c->report->extra != NULL &&
	    hark_json_serialize(c->report->extra, &copy.extra, &jerr) == -1) {
		hark_resp_error(c->resp, 500, "internal", NULL, "out of memory");
		return;
	}
	if (in->project_id.s != NULL &&
	    strcmp(in->project_id.s, c->who.project_id) != 0) {
		hark_resp_error(c->resp, 403, "wrong_project", "projectId",
		    "projectId is not the project of this API key");
		return;
	}
	/* A public key is a widget source's: the row says which. */
	if (hark_feedback_make(c->who.project_id, c->who.public_key ?
	    "widget" : "api", in, &fb) == -1) {
		hark_resp_error(c->resp, 500, "internal", NULL, "no randomness");
		return;
	}
	snprintf(fb.source_id, sizeof(fb.source_id), "%s", c->who.source_id);
	if (hark_feedback_input_hash(c->who.project_id, in, hash) == -1) {
		hark_resp_error(c->resp, 500, "internal", NULL, "no SHA-256");
		return;
	}
	if (hark_idem_begin(c, hash, fb.id, sizeof(fb.id), &key, &taken) != 0)
		return;
	if (key != NULL) {
		create_idem(c, &fb, key, taken);
		return;
	}
	if ((rc = hark_feedback_submit(c->app->db, &fb)) != HARK_STORE_OK) {
		hark_respond_store_write(c->app, c->resp, rc, fb.id);
		return;
	}
	respond_feedback(c->resp, 201, &fb, c->report);
	hark_resp_header(c->resp, "Location", "%s/v1/feedback/%s",
	    c->app->conf->base_path, fb.id);
}

/* A read item's view, with its media (issue 14 item 6) and its ETag. */
void
hark_respond_item(const struct hark_call *c, int status,
    const struct hark_feedback *fb)
{
	struct json_object	*o;
	int			 rc;

	if ((o = hark_feedback_json(fb)) == NULL) {
		hark_resp_error(c->resp, 500, "internal", NULL, "out of memory");
		return;
	}
	rc = hark_feedback_media_json(c->app->db, c->who.project_id,
	    c->app->conf->base_path, &o, 1);
	if (rc != HARK_STORE_OK)
		hark_respond_store(c->app, c->resp, rc);
	else if (hark_resp_json(c->resp, status, o) == -1)
		hark_resp_error(c->resp, 500, "internal", NULL, "out of memory");
	else
		hark_feedback_etag(c->resp, fb);
	json_object_put(o);
}

static int
not_found(const struct hark_call *c)
{
	hark_resp_error(c->resp, 404, "not_found", "id",
	    "there is no feedback with this id");
	return -1;
}

/* Checks the {id} parameter shape before any query; 0 or -1 with a 404. */
static int
feedback_id(const struct hark_call *c, const char **id)
{
	*id = hark_req_param(c->req, "id");
	if (*id == NULL || !hark_id_valid(HARK_ID_FEEDBACK, *id))
		return not_found(c);
	return 0;
}

void
hark_handle_feedback_get(const struct hark_call *c)
{
	struct hark_feedback	 fb;
	const char		*id;
	int			 rc;

	if (feedback_id(c, &id) == -1)
		return;
	rc = hark_feedback_get(c->app->db, c->who.project_id, id, &fb);
	if (rc == HARK_STORE_NOT_FOUND)
		not_found(c);
	else if (rc != HARK_STORE_OK)
		hark_respond_store(c->app, c->resp, rc);
	else
		hark_respond_item(c, 200, &fb);
	hark_feedback_clear(&fb);
}

void
hark_handle_feedback_delete(const struct hark_call *c)
{
	const char	*id;
	int		 rc;

	if (feedback_id(c, &id) == -1)
		return;
	rc = hark_feedback_erase(c->app->db, c->who.project_id, id);
	if (rc == HARK_STORE_NOT_FOUND)
		not_found(c);
	else if (rc != HARK_STORE_OK)
		hark_respond_store(c->app, c->resp, rc);
	else {
		/* After the commit: a lost audit row never keeps an item. */
		(void)hark_store_audit(c->app->db, c->who.project_id,
		    c->who.key_id, "feedback_delete", c->req->remote_addr, id);
		c->resp->status = 204;
		hark_buf_reset(&c->resp->body);
	}
}

/* ---- listing ---- */

/* The listing's query, typed by the schema below. */
struct list_query {
	const char			*status;	/* static, from vocab */
	const char			*category;
	char				*label;
	const char			*quarantined;
	struct hark_query_time		 since, until;
	char				*q;
	long long			 limit;
	struct hark_feedback_cursor	 cursor;
};

static int
list_cursor(const char *value, void *out, const void *ctx)
{
	const struct hark_call	*c = ctx;

	return hark_feedback_cursor_decode(&c->app->cursor_key,
	    c->who.project_id, value, out);
}

#define LQ(m)	offsetof(struct list_query, m)

/* Items held as spam are out of the inbox until asked for. */
static const char *const quarantine_values[] = { "false", "true", "all",
    NULL };

static const struct hark_query_param list_params[] = {
	{ .name = "status", .type = HARK_QUERY_ENUM, .off = LQ(status),
	  .one_of = hark_vocab_status },
	{ .name = "category", .type = HARK_QUERY_ENUM, .off = LQ(category),
	  .one_of = hark_vocab_category },
	{ .name = "label", .type = HARK_QUERY_STRING, .off = LQ(label), .min = 1,
	  .max = 64 },
	{ .name = "quarantined", .type = HARK_QUERY_ENUM, .off = LQ(quarantined),
	  .one_of = quarantine_values },
	{ .name = "since", .type = HARK_QUERY_RFC3339, .off = LQ(since) },
	{ .name = "until", .type = HARK_QUERY_RFC3339, .off = LQ(until) },
	{ .name = "q", .type = HARK_QUERY_STRING, .off = LQ(q), .min = 1,
	  .max = Q_MAX_CHARS },
	{ .name = "limit", .type = HARK_QUERY_INT, .off = LQ(limit), .min = 1,
	  .max = LIST_MAX, .def = LIST_DEFAULT },
	{ .name = "cursor", .type = HARK_QUERY_CURSOR, .off = LQ(cursor),
	  .decode = list_cursor },
};
const struct hark_query_schema hark_feedback_list_query = {
	list_params, HARK_QUERY_NPARAMS(list_params), sizeof(struct list_query),
	"status, category, label, quarantined, since, until, q, limit and cursor"
};

static void
list_filter(const struct list_query *lq, struct hark_feedback_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->status = lq->status;
	f->category = lq->category;
	f->label = lq->label;
	if (lq->quarantined != NULL)
		f->quarantined = strcmp(lq->quarantined, "all") == 0 ? -1 :
		    strcmp(lq->quarantined, "true") == 0;
	f->since = lq->since.set ? lq->since.db : NULL;
	f->until = lq->until.set ? lq->until.db : NULL;
	if ((f->q = lq->q) != NULL)
		f->q_len = strlen(lq->q);
	if (lq->cursor.set) {
		f->cursor_ts = lq->cursor.ts;
		f->cursor_id = lq->cursor.id;
	}
	/* One row more than the page: whether there is a next one. */
	f->limit = (unsigned)lq->limit + 1;
}

/* The page's media, one query for the page (issue 14 item 6). */
static int
list_media(const struct hark_call *c, struct json_object *items)
{
	struct json_object	*page[LIST_MAX];
	size_t			 i, n = json_object_array_length(items);

	for (i = 0; i < n && i < LIST_MAX; i++)
		page[i] = json_object_array_get_idx(items, i);
	return hark_feedback_media_json(c->app->db, c->who.project_id,
	    c->app->conf->base_path, page, i);
}

void
hark_handle_feedback_list(const struct hark_call *c)
{
	const struct list_query		*lq = c->query;
	struct hark_feedback_filter	 f;
	struct hark_feedback_page	 acc = { 0 };
	struct json_object		*o = NULL;
	int				 rc;

	acc.key = &c->app->cursor_key;
	acc.project_id = c->who.project_id;
	acc.want = (unsigned)lq->limit;
	list_filter(lq, &f);
	if ((acc.items = json_object_new_array()) == NULL)
		goto nomem;
	rc = hark_feedback_list(c->app->db, c->who.project_id, &f,
	    hark_feedback_page_row, &acc);
	if (rc != HARK_STORE_OK && !acc.failed) {
		hark_respond_store(c->app, c->resp, rc);
		goto out;
	}
	if (acc.failed || (o = json_object_new_object()) == NULL)
		goto nomem;
	if ((rc = list_media(c, acc.items)) != HARK_STORE_OK) {
		hark_respond_store(c->app, c->resp, rc);
		goto out;
	}
	json_object_object_add(o, "data", acc.items);
	acc.items = NULL;
	json_object_object_add(o, "nextCursor", acc.seen > acc.want ?
	    json_object_new_string(acc.next) : NULL);
	if (hark_resp_json(c->resp, 200, o) == -1)
		goto nomem;
	goto out;
nomem:
	hark_resp_error(c->resp, 500, "internal", NULL, "out of memory");
out:
	json_object_put(acc.items);
	json_object_put(o);
}
