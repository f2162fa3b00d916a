/*
 * feedback.c: /v1/feedback, the Fluister-shaped API.
 *
 *   POST   /v1/feedback        JSON {projectId?, text, page?, userEmail?,
 *                              metadata?} -> 201 with the synchronous triage
 *   GET    /v1/feedback/{id}   one item of the key's project
 *   GET    /v1/feedback        newest first, filters, keyset pagination
 *   DELETE /v1/feedback/{id}   erases the row and what hangs off it
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "auth.h"
#include "conf.h"
#include "db.h"
#include "handlers.h"
#include "ids.h"
#include "json.h"
#include "keys.h"
#include "store.h"
#include "triage.h"
#include "utf8.h"

#define LIST_DEFAULT	20
#define LIST_MAX	100
#define Q_MAX_CHARS	200

static const struct hark_json_field create_fields[] = {
	{ .name = "projectId", .type = HARK_JSON_STRING, .flags = HARK_JSON_NULLABLE,
	  .max = 64 },
	{ .name = "text", .type = HARK_JSON_STRING,
	  .flags = HARK_JSON_REQUIRED | HARK_JSON_TRIM_NONEMPTY,
	  .min = 1, .max = 5000 },
	{ .name = "page", .type = HARK_JSON_STRING, .flags = HARK_JSON_NULLABLE,
	  .max_bytes = 2048 },
	{ .name = "userEmail", .type = HARK_JSON_STRING,
	  .flags = HARK_JSON_NULLABLE, .max_bytes = 254,
	  .check = hark_json_check_email },
	{ .name = "metadata", .type = HARK_JSON_OBJECT,
	  .flags = HARK_JSON_NULLABLE, .max_bytes = 16384 },
};
static const struct hark_json_schema create_schema = {
	create_fields, HARK_JSON_NFIELDS(create_fields), false
};

static const char *const statuses[] = { "new", "triaged", "in_progress",
    "done", "canceled", NULL };

static struct json_object *
opt_string(const char *s, size_t len)
{
	return s != NULL ? json_object_new_string_len(s, (int)len) : NULL;
}

/* The API's view of a row; NULL when memory runs out. */
static struct json_object *
feedback_json(const struct hark_feedback *fb)
{
	struct json_object	*o, *meta = NULL;
	struct hark_json_err	 jerr;
	char			 ts[32], score[16];

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	hark_ts_to_rfc3339(fb->created_at, ts, sizeof(ts));
	/* Our own parser: it keeps numbers json-c would saturate as written. */
	if (fb->metadata != NULL &&
	    hark_json_parse(fb->metadata, fb->metadata_len, &meta, &jerr) == -1)
		meta = NULL;
	json_object_object_add(o, "id", json_object_new_string(fb->id));
	json_object_object_add(o, "projectId",
	    json_object_new_string(fb->project_id));
	json_object_object_add(o, "text", opt_string(fb->text, fb->text_len));
	json_object_object_add(o, "page", opt_string(fb->page, fb->page_len));
	json_object_object_add(o, "userEmail",
	    opt_string(fb->user_email, fb->user_email_len));
	json_object_object_add(o, "metadata", meta);
	json_object_object_add(o, "category",
	    json_object_new_string(fb->category));
	json_object_object_add(o, "sentiment",
	    json_object_new_string(fb->sentiment));
	/* Three decimals, as stored (DECIMAL(4,3)), on every path. */
	snprintf(score, sizeof(score), "%.3f", fb->sentiment_score);
	json_object_object_add(o, "sentimentScore",
	    json_object_new_double_s(atof(score), score));
	json_object_object_add(o, "impactScore", json_object_new_int(fb->impact));
	json_object_object_add(o, "status", json_object_new_string(fb->status));
	json_object_object_add(o, "priority", fb->priority >= 0 ?
	    json_object_new_int(fb->priority) : NULL);
	json_object_object_add(o, "createdAt", json_object_new_string(ts));
	return o;
}

static void
respond_feedback(struct hark_resp *resp, int status,
    const struct hark_feedback *fb)
{
	struct json_object	*o;

	if ((o = feedback_json(fb)) == NULL ||
	    hark_resp_json(resp, status, o) == -1)
		hark_resp_error(resp, 500, "internal", NULL, "out of memory");
	json_object_put(o);
}

/* Fills fb (borrowing strings from body) from a validated create body. */
static void
feedback_from_body(struct json_object *body, const char *project_id,
    struct hark_feedback *fb)
{
	struct json_object	*meta;
	struct hark_triage	 t;
	size_t			 len;

	memset(fb, 0, sizeof(*fb));
	snprintf(fb->project_id, sizeof(fb->project_id), "%s", project_id);
	fb->text = (char *)hark_json_str(body, "text", &fb->text_len);
	fb->page = (char *)hark_json_str(body, "page", &fb->page_len);
	fb->user_email = (char *)hark_json_str(body, "userEmail",
	    &fb->user_email_len);
	if (json_object_object_get_ex(body, "metadata", &meta) && meta != NULL) {
		fb->metadata = (char *)json_object_to_json_string_length(meta,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
		fb->metadata_len = len;
	}
	hark_triage_text(fb->text, fb->text_len, fb->page, &t);
	fb->channel = "api";
	fb->category = hark_category_name(t.category);
	fb->sentiment = hark_sentiment_name(t.sentiment);
	fb->sentiment_score = t.sentiment_score;
	fb->impact = t.impact;
	fb->status = "new";
	fb->priority = -1;
	hark_ts_now(fb->created_at);
}

void
hark_handle_feedback_create(struct hark_app *app, struct hark_req *req,
    struct hark_resp *resp)
{
	struct hark_principal	 who;
	struct hark_feedback	 fb;
	struct json_object	*body = NULL;
	const char		*pid;
	int			 rc;

	if (hark_api_begin(app, req, resp, &who) == -1 ||
	    hark_api_read_json(app, req, resp, &body) == -1 ||
	    hark_api_validate(resp, body, &create_schema) == -1)
		goto out;
	pid = hark_json_str(body, "projectId", NULL);
	if (pid != NULL && strcmp(pid, who.project_id) != 0) {
		hark_resp_error(resp, 403, "wrong_project", "projectId",
		    "projectId is not the project of this API key");
		goto out;
	}
	feedback_from_body(body, who.project_id, &fb);
	if (hark_id_new(HARK_ID_FEEDBACK, fb.id, sizeof(fb.id)) == -1) {
		hark_resp_error(resp, 500, "internal", NULL, "no randomness");
		goto out;
	}
	if ((rc = hark_store_feedback_insert(app->db, &fb)) != HARK_DB_OK) {
		hark_respond_db_error(app, resp, rc);
		goto out;
	}
	respond_feedback(resp, 201, &fb);
	hark_resp_header(resp, "Location", "%s/v1/feedback/%s",
	    app->conf->base_path, fb.id);
out:
	json_object_put(body);
}

/* Checks the {id} parameter shape before any query; 0 or -1 with a 404. */
static int
feedback_id(struct hark_req *req, struct hark_resp *resp, const char **id)
{
	*id = hark_req_param(req, "id");
	if (*id == NULL || !hark_id_valid(HARK_ID_FEEDBACK, *id)) {
		hark_resp_error(resp, 404, "not_found", "id",
		    "there is no feedback with this id");
		return -1;
	}
	return 0;
}

void
hark_handle_feedback_get(struct hark_app *app, struct hark_req *req,
    struct hark_resp *resp)
{
	struct hark_principal	 who;
	struct hark_feedback	 fb;
	const char		*id;
	int			 rc;

	if (hark_api_begin(app, req, resp, &who) == -1 ||
	    feedback_id(req, resp, &id) == -1)
		return;
	rc = hark_store_feedback_get(app->db, who.project_id, id, &fb);
	if (rc == HARK_STORE_NOTFOUND)
		hark_resp_error(resp, 404, "not_found", "id",
		    "there is no feedback with this id");
	else if (rc != HARK_DB_OK)
		hark_respond_db_error(app, resp, rc);
	else
		respond_feedback(resp, 200, &fb);
	hark_feedback_clear(&fb);
}

void
hark_handle_feedback_delete(struct hark_app *app, struct hark_req *req,
    struct hark_resp *resp)
{
	struct hark_principal	 who;
	const char		*id;
	int			 rc;

	if (hark_api_begin(app, req, resp, &who) == -1 ||
	    feedback_id(req, resp, &id) == -1)
		return;
	rc = hark_store_feedback_delete(app->db, who.project_id, id);
	if (rc == HARK_STORE_NOTFOUND)
		hark_resp_error(resp, 404, "not_found", "id",
		    "there is no feedback with this id");
	else if (rc != HARK_DB_OK)
		hark_respond_db_error(app, resp, rc);
	else {
		resp->status = 204;
		hark_buf_reset(&resp->body);
	}
}

/* ---- listing ---- */

/* The query parameters of a listing, decoded; all owned here. */
struct list_query {
	char	*status, *category, *since, *until, *q, *limit, *cursor;
	char	 since_ts[HARK_STORE_TS_SIZE], until_ts[HARK_STORE_TS_SIZE];
	char	 cursor_ts[HARK_STORE_TS_SIZE], cursor_id[HARK_ID_SIZE];
};

static void
list_query_free(struct list_query *lq)
{
	free(lq->status);
	free(lq->category);
	free(lq->since);
	free(lq->until);
	free(lq->q);
	free(lq->limit);
	free(lq->cursor);
}

static int
bad_param(struct hark_resp *resp, const char *field, const char *msg)
{
	hark_resp_error(resp, 400, "invalid_value", field, "%s", msg);
	return -1;
}

/* A cursor is base64url("<created_at>|<id>") of the last row served. */
static int
decode_cursor(const char *s, struct list_query *lq)
{
	unsigned char	 raw[HARK_STORE_TS_SIZE + HARK_ID_SIZE + 1];
	size_t		 n;
	char		*bar;

	if (hark_b64url_decode(s, strlen(s), raw, sizeof(raw) - 1, &n) == -1)
		return -1;
	raw[n] = '\0';
	if ((bar = strchr((char *)raw, '|')) == NULL ||
	    bar - (char *)raw != HARK_STORE_TS_SIZE - 1)
		return -1;
	*bar = '\0';
	memcpy(lq->cursor_ts, raw, HARK_STORE_TS_SIZE);
	if (!hark_id_valid(HARK_ID_FEEDBACK, bar + 1) ||
	    strspn(lq->cursor_ts, "0123456789-:. ") != HARK_STORE_TS_SIZE - 1)
		return -1;
	snprintf(lq->cursor_id, sizeof(lq->cursor_id), "%s", bar + 1);
	return 0;
}

static int
encode_cursor(const struct hark_feedback *fb, char *out, size_t outlen)
{
	char	 raw[HARK_STORE_TS_SIZE + HARK_ID_SIZE + 1];
	int	 n;

	n = snprintf(raw, sizeof(raw), "%s|%s", fb->created_at, fb->id);
	return hark_b64url_encode(raw, (size_t)n, out, outlen);
}

static int
query_param(struct hark_req *req, struct hark_resp *resp, const char *name,
    char **out)
{
	bool	 bad;

	*out = hark_req_query_param(req, name, &bad);
	if (bad)
		return bad_param(resp, name, "the value is not validly encoded");
	return 0;
}

/* Parses and checks the listing's query; 0, or -1 with a 400 in resp. */
static int
parse_list_query(struct hark_req *req, struct hark_resp *resp,
    struct list_query *lq, struct hark_feedback_filter *f)
{
	static const char *const known[] = { "status", "category", "since",
	    "until", "q", "limit", "cursor", NULL };
	char	*end, unknown[64];
	long	 limit;

	memset(f, 0, sizeof(*f));
	if (hark_req_query_unknown(req, known, unknown, sizeof(unknown))) {
		hark_resp_error(resp, 400, "unknown_parameter", unknown,
		    "unknown query parameter '%s'; this endpoint takes status, "
		    "category, since, until, q, limit and cursor", unknown);
		return -1;
	}
	if (query_param(req, resp, "status", &lq->status) == -1 ||
	    query_param(req, resp, "category", &lq->category) == -1 ||
	    query_param(req, resp, "since", &lq->since) == -1 ||
	    query_param(req, resp, "until", &lq->until) == -1 ||
	    query_param(req, resp, "q", &lq->q) == -1 ||
	    query_param(req, resp, "limit", &lq->limit) == -1 ||
	    query_param(req, resp, "cursor", &lq->cursor) == -1)
		return -1;
	if ((f->status = lq->status) != NULL) {
		size_t i;

		for (i = 0; statuses[i] != NULL; i++)
			if (strcmp(statuses[i], lq->status) == 0)
				break;
		if (statuses[i] == NULL)
			return bad_param(resp, "status", "status must be one of "
			    "new, triaged, in_progress, done, canceled");
	}
	if ((f->category = lq->category) != NULL) {
		enum hark_category c;

		if (hark_category_from_name(lq->category, &c) == -1)
			return bad_param(resp, "category", "category must be one "
			    "of bug, feature_request, improvement, question, "
			    "praise, other");
	}
	if (lq->since != NULL) {
		if (!hark_json_is_rfc3339(lq->since, strlen(lq->since)) ||
		    hark_ts_from_rfc3339(lq->since, lq->since_ts) == -1)
			return bad_param(resp, "since",
			    "since must be an RFC 3339 timestamp");
		f->since = lq->since_ts;
	}
	if (lq->until != NULL) {
		if (!hark_json_is_rfc3339(lq->until, strlen(lq->until)) ||
		    hark_ts_from_rfc3339(lq->until, lq->until_ts) == -1)
			return bad_param(resp, "until",
			    "until must be an RFC 3339 timestamp");
		f->until = lq->until_ts;
	}
	if (lq->q != NULL) {
		f->q = lq->q;
		f->q_len = strlen(lq->q);
		if (!hark_utf8_valid(f->q, f->q_len))
			return bad_param(resp, "q", "q must be valid UTF-8");
		if (f->q_len == 0 || hark_utf8_count(f->q, f->q_len) > Q_MAX_CHARS)
			return bad_param(resp, "q", "q must be 1 to 200 characters");
	}
	f->limit = LIST_DEFAULT;
	if (lq->limit != NULL) {
		limit = strtol(lq->limit, &end, 10);
		if (*lq->limit == '\0' || *end != '\0' || limit < 1 ||
		    limit > LIST_MAX)
			return bad_param(resp, "limit",
			    "limit must be an integer from 1 to 100");
		f->limit = (unsigned)limit;
	}
	if (lq->cursor != NULL) {
		if (decode_cursor(lq->cursor, lq) == -1)
			return bad_param(resp, "cursor", "cursor is not one this "
			    "server gave out");
		f->cursor_ts = lq->cursor_ts;
		f->cursor_id = lq->cursor_id;
	}
	return 0;
}

struct list_acc {
	struct json_object	*items;
	unsigned		 want;	/* the page size; one more row is fetched */
	unsigned		 seen;
	char			 next[128];
	int			 failed;
};

static int
list_row(void *ctx, const struct hark_feedback *fb)
{
	struct list_acc		*acc = ctx;
	struct json_object	*o;

	if (++acc->seen > acc->want)
		return 0;	/* the look-ahead row: there is a next page */
	if ((o = feedback_json(fb)) == NULL) {
		acc->failed = 1;
		return 1;
	}
	json_object_array_add(acc->items, o);
	if (acc->seen == acc->want && encode_cursor(fb, acc->next,
	    sizeof(acc->next)) == -1)
		acc->failed = 1;
	return 0;
}

void
hark_handle_feedback_list(struct hark_app *app, struct hark_req *req,
    struct hark_resp *resp)
{
	struct hark_principal		 who;
	struct hark_feedback_filter	 f;
	struct list_query		 lq = { 0 };
	struct list_acc			 acc = { 0 };
	struct json_object		*o = NULL;
	int				 rc;

	if (hark_api_begin(app, req, resp, &who) == -1 ||
	    parse_list_query(req, resp, &lq, &f) == -1)
		goto out;
	acc.want = f.limit;
	f.limit++;
	if ((acc.items = json_object_new_array()) == NULL)
		goto nomem;
	rc = hark_store_feedback_list(app->db, who.project_id, &f, list_row, &acc);
	if (rc != HARK_DB_OK && !acc.failed) {
		hark_respond_db_error(app, resp, rc);
		goto out;
	}
	if (acc.failed || (o = json_object_new_object()) == NULL)
		goto nomem;
	json_object_object_add(o, "data", acc.items);
	acc.items = NULL;
	json_object_object_add(o, "nextCursor", acc.seen > acc.want ?
	    json_object_new_string(acc.next) : NULL);
	if (hark_resp_json(resp, 200, o) == -1)
		goto nomem;
	goto out;
nomem:
	hark_resp_error(resp, 500, "internal", NULL, "out of memory");
out:
	json_object_put(acc.items);
	json_object_put(o);
	list_query_free(&lq);
}
