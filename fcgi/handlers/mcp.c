/*
 * mcp.c: POST /mcp, the Model Context Protocol's Streamable HTTP transport
 * for agents working the inbox (issue 22): JSON-RPC 2.0 answered with JSON
 * (no SSE stream: GET /mcp is 405, as the transport allows), stateless (no
 * Mcp-Session-Id: any worker of any host answers), with the tools
 *
 *   list_feedback    the filters of GET /v1/feedback, keyset cursor
 *   search_feedback  the list's q search
 *   get_feedback     an item with its comments, transcript and media
 *   update_feedback  PATCH's changes, etag as If-Match
 *   add_comment      a comment, by an agent unless told otherwise
 *   link_feedback    the external item it belongs to (url, title)
 *   triage_text      the built-in triage of a text
 *
 * The route takes a secret key, the project's origins and rate limits
 * (prologue.c); lib/mcp.c has the protocol's shapes, lib/ the services.
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "conf.h"
#include "feedback.h"
#include "handlers.h"
#include "ids.h"
#include "json.h"
#include "mcp.h"
#include "prologue.h"
#include "ratelimit.h"
#include "respond.h"
#include "store.h"
#include "timestamp.h"
#include "triage.h"
#include "vocab.h"

#define LIST_DEFAULT	20
#define LIST_MAX	100
#define Q_MAX_CHARS	200
#define NOTE_MAX	2000
#define COMMENT_MAX	8000
#define COMMENTS_SHOWN	100
#define TEXT_MAX	5000
#define ERR_MAX		1024

enum tool_rc {
	TOOL_OK = 0,
	TOOL_FAILED,		/* an isError result, why says what */
	TOOL_INTERNAL = -1	/* -32603: out of memory */
};

/* One tools/call as its tool sees it. */
struct mcp_ctx {
	const struct hark_call	*c;
	const char		*version;
	struct json_object	*args;	/* the arguments object (never NULL) */
	struct json_object	*meta;	/* params._meta, or NULL */
	char			 why[ERR_MAX];
};

typedef enum tool_rc	(*tool_fn)(struct mcp_ctx *, const void *in,
			    struct json_object **out);

/*
 * The annotations, truthfully: nothing erases (destructive false); a
 * repeated update or link leaves the item as it was but raises its
 * notifications again (webhooks, email), an effect outside hark, so only
 * the reads are idempotent.
 */
struct mcp_tool {
	const char			*name, *title, *description;
	bool				 read_only, destructive, idempotent;
	const char			*input_schema, *output_schema;
	const struct hark_json_schema	*args;
	tool_fn				 run;
};

static enum tool_rc
failed(struct mcp_ctx *x, const char *why)
{
	snprintf(x->why, sizeof(x->why), "%s", why);
	return TOOL_FAILED;
}

/* A store result as a tool's failure (the caller handled NOT_FOUND). */
static enum tool_rc
store_failed(struct mcp_ctx *x, int rc)
{
	switch (rc) {
	case HARK_STORE_NOMEM:
		return TOOL_INTERNAL;
	case HARK_STORE_UNAVAILABLE:
	case HARK_STORE_TIMEOUT:
		return failed(x, "the database is unavailable; retry in a few "
		    "seconds");
	case HARK_STORE_OUTCOME_UNKNOWN:
		return failed(x, "the database went away during the change, "
		    "which may have been made: read the item again");
	default:
		return failed(x, "internal error");
	}
}

static enum tool_rc
not_found(struct mcp_ctx *x, const char *id)
{
	snprintf(x->why, sizeof(x->why), "there is no feedback with id %s in "
	    "this project", id);
	return TOOL_FAILED;
}

/* Whether the arguments name a member (null counts): PATCH's rule. */
static bool
given(const struct mcp_ctx *x, const char *name)
{
	return json_object_object_get_ex(x->args, name, NULL);
}

/* An item's ETag value, its updated_at as 20 digits (inbox.c's). */
static void
etag_of(const struct hark_feedback *fb, char out[HARK_STORE_TS_SIZE])
{
	size_t	 i, n = 0;

	for (i = 0; fb->updated_at[i] != '\0' && n + 1 < HARK_STORE_TS_SIZE;
	    i++)
		if (isdigit((unsigned char)fb->updated_at[i]))
			out[n++] = fb->updated_at[i];
	out[n] = '\0';
}

/* The item's view with its media (one query) and its etag; NULL: nomem. */
static enum tool_rc
item_view(struct mcp_ctx *x, const char *id, struct json_object *out,
    struct hark_feedback *keep)
{
	const struct hark_call	*c = x->c;
	struct hark_feedback	 fb;
	struct json_object	*o;
	char			 etag[HARK_STORE_TS_SIZE];
	int			 rc;

	rc = hark_feedback_get(c->app->db, c->who.project_id, id, &fb);
	if (rc == HARK_STORE_NOT_FOUND)
		return not_found(x, id);
	if (rc != HARK_STORE_OK)
		return store_failed(x, rc);
	if ((o = hark_feedback_json(&fb)) == NULL) {
		hark_feedback_clear(&fb);
		return TOOL_INTERNAL;
	}
	rc = hark_feedback_media_json(c->app->db, c->who.project_id,
	    c->app->conf->base_path, &o, 1);
	if (rc != HARK_STORE_OK) {
		json_object_put(o);
		hark_feedback_clear(&fb);
		return store_failed(x, rc);
	}
	etag_of(&fb, etag);
	json_object_object_add(out, "item", o);
	json_object_object_add(out, "etag", json_object_new_string(etag));
	if (keep != NULL)
		*keep = fb;
	else
		hark_feedback_clear(&fb);
	return TOOL_OK;
}

static enum tool_rc
item_result(struct mcp_ctx *x, const char *id, struct json_object **out)
{
	enum tool_rc	 rc;

	if ((*out = json_object_new_object()) == NULL)
		return TOOL_INTERNAL;
	if ((rc = item_view(x, id, *out, NULL)) != TOOL_OK) {
		json_object_put(*out);
		*out = NULL;
	}
	return rc;
}

/* ---- the schemas the tools declare ---- */

#define STATUS_ENUM	"[\"new\",\"triaged\",\"in_progress\",\"done\"," \
			"\"canceled\"]"
#define CATEGORY_ENUM	"[\"bug\",\"feature_request\",\"improvement\"," \
			"\"question\",\"praise\",\"other\"]"
#define ID_PROP		"\"id\":{\"type\":\"string\",\"pattern\":" \
			"\"^fb_[0-9a-hjkmnp-tv-z]{26}$\",\"description\":" \
			"\"the item's id (fb_...)\"}"
#define ITEM_SCHEMA	"{\"type\":\"object\",\"required\":[\"id\",\"text\"," \
			"\"status\",\"category\",\"labels\",\"createdAt\"]," \
			"\"properties\":{\"id\":{\"type\":\"string\"}," \
			"\"text\":{\"type\":[\"string\",\"null\"]}," \
			"\"status\":{\"enum\":" STATUS_ENUM "}," \
			"\"category\":{\"enum\":" CATEGORY_ENUM "}," \
			"\"priority\":{\"type\":[\"integer\",\"null\"]}," \
			"\"labels\":{\"type\":\"array\",\"items\":" \
			"{\"type\":\"string\"}}," \
			"\"quarantined\":{\"type\":\"boolean\"}," \
			"\"link\":{\"type\":[\"object\",\"null\"]}," \
			"\"createdAt\":{\"type\":\"string\"}}}"
#define COMMENT_SCHEMA	"{\"type\":\"object\",\"required\":[\"id\",\"body\"," \
			"\"authorType\",\"authorId\",\"createdAt\"]," \
			"\"properties\":{\"id\":{\"type\":\"string\"}," \
			"\"body\":{\"type\":\"string\"},\"authorType\":" \
			"{\"enum\":[\"human\",\"agent\",\"submitter\"]}," \
			"\"authorId\":{\"type\":[\"string\",\"null\"]}," \
			"\"createdAt\":{\"type\":\"string\"}}}"
#define PAGE_SCHEMA	"{\"type\":\"object\",\"required\":[\"items\"," \
			"\"nextCursor\"],\"properties\":{\"items\":{\"type\":" \
			"\"array\",\"items\":" ITEM_SCHEMA "},\"nextCursor\":" \
			"{\"type\":[\"string\",\"null\"],\"description\":" \
			"\"the cursor argument for the next page; null on " \
			"the last\"}}}"
#define ITEM_RESULT	"{\"type\":\"object\",\"required\":[\"item\"," \
			"\"etag\"],\"properties\":{\"item\":" ITEM_SCHEMA "," \
			"\"etag\":{\"type\":\"string\",\"description\":" \
			"\"the item's version: update_feedback's etag\"}}}"
#define LIST_PROPS	"\"status\":{\"enum\":" STATUS_ENUM "}," \
			"\"category\":{\"enum\":" CATEGORY_ENUM "}," \
			"\"label\":{\"type\":\"string\",\"minLength\":1," \
			"\"maxLength\":64}," \
			"\"quarantined\":{\"enum\":[false,true,\"all\"]," \
			"\"description\":\"items held as spam: false (the " \
			"default) hides them, true shows only them, all " \
			"both\"}," \
			"\"since\":{\"type\":\"string\",\"format\":" \
			"\"date-time\"}," \
			"\"until\":{\"type\":\"string\",\"format\":" \
			"\"date-time\"}," \
			"\"limit\":{\"type\":\"integer\",\"minimum\":1," \
			"\"maximum\":100,\"default\":20}," \
			"\"cursor\":{\"type\":\"string\",\"description\":" \
			"\"nextCursor of the previous page\"}"
#define Q_PROP		"\"q\":{\"type\":\"string\",\"minLength\":1," \
			"\"maxLength\":200,\"description\":\"words of the " \
			"text (full-text search)\"}"

/* ---- list_feedback, search_feedback ---- */

struct list_in {
	struct hark_json_text	 status, category, label, quarantined, since,
				 until, q, cursor;
	long long		 limit;
};

#define LI(m)	.off = offsetof(struct list_in, m)

static int
check_quarantined(struct json_object *v, const char **why)
{
	if (json_object_is_type(v, json_type_boolean) ||
	    (json_object_is_type(v, json_type_string) &&
	    strcmp(json_object_get_string(v), "all") == 0))
		return 0;
	*why = "quarantined is false, true or \"all\"";
	return -1;
}

#define LIST_FIELDS(qflags) \
	{ .name = "status", .type = HARK_JSON_STRING, \
	  .one_of = hark_vocab_status, .out = HARK_JSON_OUT_TEXT, LI(status) }, \
	{ .name = "category", .type = HARK_JSON_STRING, \
	  .one_of = hark_vocab_category, .out = HARK_JSON_OUT_TEXT, \
	  LI(category) }, \
	{ .name = "label", .type = HARK_JSON_STRING, .min = 1, .max = 64, \
	  .out = HARK_JSON_OUT_TEXT, LI(label) }, \
	{ .name = "quarantined", .type = HARK_JSON_ANY, \
	  .check = check_quarantined, .out = HARK_JSON_OUT_JSON, \
	  LI(quarantined) }, \
	{ .name = "since", .type = HARK_JSON_STRING, \
	  .check = hark_json_check_rfc3339, .out = HARK_JSON_OUT_TEXT, \
	  LI(since) }, \
	{ .name = "until", .type = HARK_JSON_STRING, \
	  .check = hark_json_check_rfc3339, .out = HARK_JSON_OUT_TEXT, \
	  LI(until) }, \
	{ .name = "q", .type = HARK_JSON_STRING, .flags = (qflags), .min = 1, \
	  .max = Q_MAX_CHARS, .out = HARK_JSON_OUT_TEXT, LI(q) }, \
	{ .name = "limit", .type = HARK_JSON_INT, .imin = 1, .imax = LIST_MAX, \
	  .out = HARK_JSON_OUT_INT, LI(limit) }, \
	{ .name = "cursor", .type = HARK_JSON_STRING, .min = 1, \
	  .max = HARK_CURSOR_MAX, .out = HARK_JSON_OUT_TEXT, LI(cursor) }

static const struct hark_json_field list_fields[] = { LIST_FIELDS(0) };
static const struct hark_json_schema list_args = {
	list_fields, HARK_JSON_NFIELDS(list_fields), HARK_JSON_UNKNOWN_REFUSE,
	sizeof(struct list_in)
};
static const struct hark_json_field search_fields[] = {
	LIST_FIELDS(HARK_JSON_REQUIRED | HARK_JSON_TRIM_NONEMPTY)
};
static const struct hark_json_schema search_args = {
	search_fields, HARK_JSON_NFIELDS(search_fields),
	HARK_JSON_UNKNOWN_REFUSE, sizeof(struct list_in)
};

static enum tool_rc
run_list(struct mcp_ctx *x, const void *vin, struct json_object **out)
{
	const struct list_in		*in = vin;
	const struct hark_call		*c = x->c;
	struct hark_feedback_filter	 f;
	struct hark_feedback_cursor	 cur;
	struct hark_rl_ticket		 ticket;
	struct hark_feedback_page	 acc = { 0 };
	char				 since[HARK_TS_DB_SIZE];
	char				 until[HARK_TS_DB_SIZE];
	int				 rc;

	memset(&f, 0, sizeof(f));
	f.status = in->status.s != NULL ? hark_vocab_intern(hark_vocab_status,
	    in->status.s, NULL) : NULL;
	f.category = in->category.s != NULL ? hark_vocab_intern(
	    hark_vocab_category, in->category.s, NULL) : NULL;
	f.label = in->label.s;
	if (in->quarantined.s != NULL)
		f.quarantined = strcmp(in->quarantined.s, "true") == 0 ? 1 :
		    strcmp(in->quarantined.s, "false") == 0 ? 0 : -1;
	if (in->since.s != NULL) {
		if (hark_ts_from_rfc3339(in->since.s, since) == -1)
			return failed(x, "since: not an RFC 3339 date-time");
		f.since = since;
	}
	if (in->until.s != NULL) {
		if (hark_ts_from_rfc3339(in->until.s, until) == -1)
			return failed(x, "until: not an RFC 3339 date-time");
		f.until = until;
	}
	f.q = in->q.s;
	f.q_len = in->q.len;
	if (in->cursor.s != NULL) {
		if (hark_feedback_cursor_decode(&c->app->cursor_key,
		    c->who.project_id, in->cursor.s, &cur) == -1)
			return failed(x, "cursor: not a nextCursor of this "
			    "project's listing");
		f.cursor_ts = cur.ts;
		f.cursor_id = cur.id;
	}
	acc.key = &c->app->cursor_key;
	acc.project_id = c->who.project_id;
	acc.want = in->limit > 0 ? (unsigned)in->limit : LIST_DEFAULT;
	f.limit = acc.want + 1;
	if ((acc.items = json_object_new_array()) == NULL)
		return TOOL_INTERNAL;
	/*
	 * GET /v1/feedback's per-project cap on heavy reads holds here too.
	 * The gate answers its refusal as HTTP: that is undone, and the
	 * refusal is this tool's failure.
	 */
	if (hark_prologue_gate_enter(c->app, c->who.project_id, c->resp,
	    &ticket) == -1) {
		json_object_put(acc.items);
		hark_resp_unset_header(c->resp, "Retry-After");
		hark_buf_reset(&c->resp->body);
		c->resp->status = 200;
		return failed(x, "too many list or search requests of this "
		    "project are served at once; retry in a second");
	}
	rc = hark_feedback_list(c->app->db, c->who.project_id, &f,
	    hark_feedback_page_row, &acc);
	hark_prologue_gate_leave(c->app, &ticket);
	if (acc.failed || (rc == HARK_STORE_OK &&
	    (*out = json_object_new_object()) == NULL)) {
		json_object_put(acc.items);
		return TOOL_INTERNAL;
	}
	if (rc != HARK_STORE_OK) {
		json_object_put(acc.items);
		return store_failed(x, rc);
	}
	json_object_object_add(*out, "items", acc.items);
	json_object_object_add(*out, "nextCursor", acc.seen > acc.want ?
	    json_object_new_string(acc.next) : NULL);
	return TOOL_OK;
}

/* ---- get_feedback ---- */

struct id_in {
	struct hark_json_text	 id;
};

static int
check_feedback_id(struct json_object *v, const char **why)
{
	if (hark_id_valid(HARK_ID_FEEDBACK, json_object_get_string(v)))
		return 0;
	*why = "not a feedback id (fb_...)";
	return -1;
}

#define ID_FIELD(T) \
	{ .name = "id", .type = HARK_JSON_STRING, .flags = HARK_JSON_REQUIRED, \
	  .max = 64, .check = check_feedback_id, .out = HARK_JSON_OUT_TEXT, \
	  .off = offsetof(T, id) }

static const struct hark_json_field get_fields[] = { ID_FIELD(struct id_in) };
static const struct hark_json_schema get_args = {
	get_fields, HARK_JSON_NFIELDS(get_fields), HARK_JSON_UNKNOWN_REFUSE,
	sizeof(struct id_in)
};

struct comments_acc {
	struct json_object	*items;
	int			 failed;
};

static int
comment_row(void *ctx, const struct hark_comment *cm)
{
	struct comments_acc	*acc = ctx;
	struct json_object	*o;

	if ((o = hark_comment_json(cm)) == NULL) {
		acc->failed = 1;
		return 1;
	}
	json_object_array_add(acc->items, o);
	return 0;
}

static enum tool_rc
run_get(struct mcp_ctx *x, const void *vin, struct json_object **out)
{
	const struct id_in	*in = vin;
	const struct hark_call	*c = x->c;
	struct hark_feedback	 fb;
	struct comments_acc	 acc = { 0 };
	struct json_object	*item, *media = NULL;
	bool			 found;
	enum tool_rc		 trc;
	int			 rc;

	if ((*out = json_object_new_object()) == NULL)
		return TOOL_INTERNAL;
	if ((trc = item_view(x, in->id.s, *out, &fb)) != TOOL_OK)
		goto fail;
	/*
	 * A voice item's text is its transcript (hark-batch wrote it there):
	 * shown apart, so an agent knows it was spoken.
	 */
	json_object_object_add(*out, "transcript",
	    strcmp(fb.channel, "voice") == 0 && fb.text != NULL ?
	    json_object_new_string_len(fb.text, (int)fb.text_len) : NULL);
	hark_feedback_clear(&fb);
	if (json_object_object_get_ex(*out, "item", &item) &&
	    json_object_object_get_ex(item, "media", &media))
		json_object_object_add(*out, "media", json_object_get(media));
	else
		json_object_object_add(*out, "media", json_object_new_array());
	if ((acc.items = json_object_new_array()) == NULL) {
		trc = TOOL_INTERNAL;
		goto fail;
	}
	rc = hark_store_comment_list(c->app->db, c->who.project_id, in->id.s,
	    NULL, COMMENTS_SHOWN, comment_row, &acc, &found);
	if (acc.failed) {
		trc = TOOL_INTERNAL;
		goto fail;
	}
	if (rc == HARK_STORE_NOT_FOUND) {
		trc = not_found(x, in->id.s);
		goto fail;
	}
	if (rc != HARK_STORE_OK) {
		trc = store_failed(x, rc);
		goto fail;
	}
	json_object_object_add(*out, "comments", acc.items);
	return TOOL_OK;
fail:
	json_object_put(acc.items);
	json_object_put(*out);
	*out = NULL;
	return trc;
}

/* ---- update_feedback ---- */

struct update_in {
	struct hark_json_text	 id, etag, status, note, category;
	long long		 priority;
	struct hark_json_array	 labels;
	bool			 quarantined;
};

#define UI(m)	.off = offsetof(struct update_in, m)

static const struct hark_json_field label_item = {
	.type = HARK_JSON_STRING, .min = 1, .max = HARK_LABEL_MAX,
	.flags = HARK_JSON_TRIM_NONEMPTY, .out = HARK_JSON_OUT_TEXT
};

static const struct hark_json_field update_fields[] = {
	ID_FIELD(struct update_in),
	{ .name = "etag", .type = HARK_JSON_STRING, .min = 1, .max = 64,
	  .out = HARK_JSON_OUT_TEXT, UI(etag) },
	{ .name = "status", .type = HARK_JSON_STRING,
	  .one_of = hark_vocab_status, .out = HARK_JSON_OUT_TEXT, UI(status) },
	{ .name = "priority", .type = HARK_JSON_INT, .flags = HARK_JSON_NULLABLE,
	  .imin = 0, .imax = 4, .out = HARK_JSON_OUT_INT, UI(priority) },
	{ .name = "resolutionNote", .type = HARK_JSON_STRING,
	  .flags = HARK_JSON_NULLABLE, .max = NOTE_MAX, .out = HARK_JSON_OUT_TEXT,
	  UI(note) },
	{ .name = "labels", .type = HARK_JSON_ARRAY, .max = HARK_LABELS_MAX,
	  .items = &label_item, .out = HARK_JSON_OUT_ARRAY, UI(labels) },
	{ .name = "category", .type = HARK_JSON_STRING,
	  .one_of = hark_vocab_category, .out = HARK_JSON_OUT_TEXT,
	  UI(category) },
	{ .name = "quarantined", .type = HARK_JSON_BOOL,
	  .out = HARK_JSON_OUT_BOOL, UI(quarantined) },
};
static const struct hark_json_schema update_args = {
	update_fields, HARK_JSON_NFIELDS(update_fields),
	HARK_JSON_UNKNOWN_REFUSE, sizeof(struct update_in)
};

/*
 * A label as PATCH stores it (inbox.c): trimmed, ASCII lower case, no
 * control characters.  0, or -1 for a control character.
 */
static int
normalize_label(const char *s, size_t len, char *out, size_t outlen)
{
	size_t	 a = 0, b = len, k;

	while (a < b && isspace((unsigned char)s[a]))
		a++;
	while (b > a && isspace((unsigned char)s[b - 1]))
		b--;
	if (b - a >= outlen)
		b = a + outlen - 1;
	for (k = a; k < b; k++) {
		if ((unsigned char)s[k] < 0x20 || s[k] == 0x7f)
			return -1;
		out[k - a] = (char)tolower((unsigned char)s[k]);
	}
	out[b - a] = '\0';
	return 0;
}

/* The etag as get_feedback gives it, quoted as an ETag header or not. */
static int
etag_version(const struct hark_json_text *t, char *out, size_t len)
{
	const char	*s = t->s;
	size_t		 n = t->len;

	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		s++;
		n -= 2;
	}
	return hark_feedback_etag_decode(s, n, out, len) ? 0 : -1;
}

static enum tool_rc
run_update(struct mcp_ctx *x, const void *vin, struct json_object **out)
{
	const struct update_in		*in = vin;
	const struct hark_call		*c = x->c;
	struct hark_feedback_patch	 p;
	struct hark_json_text		 t;
	struct hark_json_err		 err;
	char				 labels[HARK_LABELS_MAX][4 * HARK_LABEL_MAX + 1];
	char				 version[HARK_STORE_TS_SIZE];
	size_t				 i, j;
	bool				 dup;
	int				 rc;

	memset(&p, 0, sizeof(p));
	if (in->etag.s != NULL && etag_version(&in->etag, version,
	    sizeof(version)) == -1)
		return failed(x, "etag names no version of this item: take "
		    "the etag get_feedback gives");
	if (in->status.s != NULL)
		p.status = hark_vocab_intern(hark_vocab_status, in->status.s,
		    NULL);
	if (given(x, "priority")) {
		p.priority_set = true;
		p.priority = json_object_is_type(json_object_object_get(
		    x->args, "priority"), json_type_null) ? -1 :
		    (int)in->priority;
	}
	if (given(x, "resolutionNote")) {
		p.note_set = true;
		p.note = in->note.s == NULL || in->note.len == 0 ? NULL :
		    in->note.s;
		p.note_len = in->note.len;
	}
	if (in->category.s != NULL)
		p.category = hark_vocab_intern(hark_vocab_category,
		    in->category.s, NULL);
	if (in->labels.arr != NULL) {
		p.labels_set = true;
		for (i = 0; i < in->labels.n; i++) {
			memset(&t, 0, sizeof(t));
			if (hark_json_fill_item(&in->labels, i, &label_item, &t,
			    &err) == -1)
				return TOOL_INTERNAL;
			if (normalize_label(t.s, t.len, labels[i],
			    sizeof(labels[i])) == -1)
				return failed(x, "labels: a label holds no "
				    "control characters");
			for (dup = false, j = 0; j < p.nlabels; j++)
				dup = dup || strcmp(p.labels[j], labels[i]) == 0;
			if (!dup)
				p.labels[p.nlabels++] = labels[i];
		}
	}
	p.quarantined = given(x, "quarantined") ? in->quarantined : -1;
	p.actor_key_id = c->who.key_id;
	p.actor_addr = c->req->remote_addr;
	rc = hark_store_feedback_patch(c->app->db, c->who.project_id, in->id.s,
	    &p, in->etag.s != NULL ? version : NULL);
	if (rc == HARK_STORE_NOT_FOUND)
		return not_found(x, in->id.s);
	if (rc == HARK_STORE_CONFLICT)
		return failed(x, "the item changed since this etag: "
		    "get_feedback it again");
	if (rc != HARK_STORE_OK)
		return store_failed(x, rc);
	return item_result(x, in->id.s, out);
}

/* ---- add_comment ---- */

static const char *const author_types[] = { "human", "agent", "submitter",
	NULL };

struct comment_in {
	struct hark_json_text	 id, body, author_type, author_id;
	bool			 notify_submitter, mirror_to_tracker;
};

#define CI(m)	.off = offsetof(struct comment_in, m)

static const struct hark_json_field comment_fields[] = {
	ID_FIELD(struct comment_in),
	{ .name = "body", .type = HARK_JSON_STRING,
	  .flags = HARK_JSON_REQUIRED | HARK_JSON_TRIM_NONEMPTY, .min = 1,
	  .max = COMMENT_MAX, .out = HARK_JSON_OUT_TEXT, CI(body) },
	{ .name = "authorType", .type = HARK_JSON_STRING,
	  .one_of = author_types, .out = HARK_JSON_OUT_TEXT, CI(author_type) },
	{ .name = "authorId", .type = HARK_JSON_STRING, .min = 1, .max = 255,
	  .out = HARK_JSON_OUT_TEXT, CI(author_id) },
	{ .name = "notifySubmitter", .type = HARK_JSON_BOOL,
	  .out = HARK_JSON_OUT_BOOL, CI(notify_submitter) },
	{ .name = "mirrorToTracker", .type = HARK_JSON_BOOL,
	  .out = HARK_JSON_OUT_BOOL, CI(mirror_to_tracker) },
};
static const struct hark_json_schema comment_args = {
	comment_fields, HARK_JSON_NFIELDS(comment_fields),
	HARK_JSON_UNKNOWN_REFUSE, sizeof(struct comment_in)
};

static enum tool_rc
run_comment(struct mcp_ctx *x, const void *vin, struct json_object **out)
{
	const struct comment_in	*in = vin;
	const struct hark_call	*c = x->c;
	struct hark_comment	 cm;
	struct json_object	*o;
	char			 author[256];
	int			 rc;

	memset(&cm, 0, sizeof(cm));
	if (hark_id_new(HARK_ID_COMMENT, cm.id, sizeof(cm.id)) == -1)
		return failed(x, "no randomness for an id");
	snprintf(cm.feedback_id, sizeof(cm.feedback_id), "%s", in->id.s);
	cm.body = in->body.s;
	cm.body_len = in->body.len;
	cm.author_type = in->author_type.s != NULL ? hark_vocab_intern(
	    author_types, in->author_type.s, "agent") : "agent";
	if (in->author_id.s != NULL) {
		cm.author_id = in->author_id.s;
		cm.author_id_len = in->author_id.len;
	} else {
		hark_mcp_author(x->meta, hark_req_header(c->req, "user-agent"),
		    author, sizeof(author));
		cm.author_id = author;
		cm.author_id_len = strlen(author);
	}
	hark_ts_now(cm.created_at);
	cm.actor_key_id = c->who.key_id;
	cm.actor_addr = c->req->remote_addr;
	rc = hark_store_comment_insert(c->app->db, c->who.project_id, &cm,
	    in->notify_submitter, in->mirror_to_tracker);
	if (rc == HARK_STORE_NOT_FOUND)
		return not_found(x, in->id.s);
	if (rc != HARK_STORE_OK)
		return store_failed(x, rc);
	if ((o = hark_comment_json(&cm)) == NULL ||
	    (*out = json_object_new_object()) == NULL) {
		json_object_put(o);
		return TOOL_INTERNAL;
	}
	json_object_object_add(o, "notifySubmitter",
	    json_object_new_boolean(in->notify_submitter));
	json_object_object_add(o, "mirrorToTracker",
	    json_object_new_boolean(in->mirror_to_tracker));
	json_object_object_add(*out, "comment", o);
	return TOOL_OK;
}

/* ---- link_feedback ---- */

struct link_in {
	struct hark_json_text	 id, url, title;
};

/* An absolute http(s) URL without white space or control characters. */
static int
check_url(struct json_object *v, const char **why)
{
	const char	*s = json_object_get_string(v);
	size_t		 i, n = (size_t)json_object_get_string_len(v);

	if ((strncmp(s, "https://", 8) == 0 && n > 8) ||
	    (strncmp(s, "http://", 7) == 0 && n > 7)) {
		for (i = 0; i < n; i++)
			if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
				break;
		if (i == n)
			return 0;
	}
	*why = "an absolute http or https URL, without spaces";
	return -1;
}

static const struct hark_json_field link_fields[] = {
	ID_FIELD(struct link_in),
	{ .name = "url", .type = HARK_JSON_STRING, .flags = HARK_JSON_REQUIRED,
	  .max_bytes = HARK_LINK_URL_MAX, .check = check_url,
	  .out = HARK_JSON_OUT_TEXT, .off = offsetof(struct link_in, url) },
	{ .name = "title", .type = HARK_JSON_STRING,
	  .flags = HARK_JSON_NULLABLE | HARK_JSON_TRIM_NONEMPTY,
	  .max = HARK_LINK_TITLE_MAX, .out = HARK_JSON_OUT_TEXT,
	  .off = offsetof(struct link_in, title) },
};
static const struct hark_json_schema link_args = {
	link_fields, HARK_JSON_NFIELDS(link_fields), HARK_JSON_UNKNOWN_REFUSE,
	sizeof(struct link_in)
};

static enum tool_rc
run_link(struct mcp_ctx *x, const void *vin, struct json_object **out)
{
	const struct link_in	*in = vin;
	const struct hark_call	*c = x->c;
	int			 rc;

	rc = hark_store_feedback_link(c->app->db, c->who.project_id, in->id.s,
	    in->url.s, in->url.len, in->title.s, in->title.len,
	    c->who.key_id, c->req->remote_addr);
	if (rc == HARK_STORE_NOT_FOUND)
		return not_found(x, in->id.s);
	if (rc != HARK_STORE_OK)
		return store_failed(x, rc);
	return item_result(x, in->id.s, out);
}

/* ---- triage_text ---- */

struct triage_in {
	struct hark_json_text	 text, page;
};

static const struct hark_json_field triage_fields[] = {
	{ .name = "text", .type = HARK_JSON_STRING,
	  .flags = HARK_JSON_REQUIRED | HARK_JSON_TRIM_NONEMPTY, .min = 1,
	  .max = TEXT_MAX, .out = HARK_JSON_OUT_TEXT,
	  .off = offsetof(struct triage_in, text) },
	{ .name = "page", .type = HARK_JSON_STRING, .max_bytes = 2048,
	  .out = HARK_JSON_OUT_TEXT, .off = offsetof(struct triage_in, page) },
};
static const struct hark_json_schema triage_args = {
	triage_fields, HARK_JSON_NFIELDS(triage_fields),
	HARK_JSON_UNKNOWN_REFUSE, sizeof(struct triage_in)
};

static enum tool_rc
run_triage(struct mcp_ctx *x, const void *vin, struct json_object **out)
{
	const struct triage_in	*in = vin;
	struct hark_triage	 t;

	(void)x;
	hark_triage_text(in->text.s, in->text.len, in->page.s, &t);
	if ((*out = json_object_new_object()) == NULL)
		return TOOL_INTERNAL;
	json_object_object_add(*out, "category",
	    json_object_new_string(hark_category_name(t.category)));
	json_object_object_add(*out, "sentiment",
	    json_object_new_string(hark_sentiment_name(t.sentiment)));
	json_object_object_add(*out, "sentimentScore",
	    json_object_new_double(t.sentiment_score));
	json_object_object_add(*out, "impactScore",
	    json_object_new_int(t.impact));
	return TOOL_OK;
}

/* ---- the tools ---- */

static const struct mcp_tool tools[] = {
	{ "list_feedback", "List feedback",
	  "The project's feedback, newest first, filtered as GET /v1/feedback "
	  "is (status, category, label, quarantined, since, until, q); one "
	  "page at a time: pass nextCursor back as cursor.",
	  true, false, true,
	  "{\"type\":\"object\",\"properties\":{" LIST_PROPS "," Q_PROP "},"
	  "\"additionalProperties\":false}",
	  PAGE_SCHEMA, &list_args, run_list },
	{ "search_feedback", "Search feedback",
	  "Full-text search of the project's feedback (the list's q), newest "
	  "first, with the list's filters and cursor.",
	  true, false, true,
	  "{\"type\":\"object\",\"required\":[\"q\"],\"properties\":{" Q_PROP
	  "," LIST_PROPS "},\"additionalProperties\":false}",
	  PAGE_SCHEMA, &search_args, run_list },
	{ "get_feedback", "Get one feedback item",
	  "One item with its comments (the first 100, oldest first), its "
	  "transcript (a voice item's) and its media URLs, and its etag.",
	  true, false, true,
	  "{\"type\":\"object\",\"required\":[\"id\"],\"properties\":{" ID_PROP
	  "},\"additionalProperties\":false}",
	  "{\"type\":\"object\",\"required\":[\"item\",\"etag\",\"comments\","
	  "\"transcript\",\"media\"],\"properties\":{\"item\":" ITEM_SCHEMA ","
	  "\"etag\":{\"type\":\"string\"},\"comments\":{\"type\":\"array\","
	  "\"items\":" COMMENT_SCHEMA "},\"transcript\":{\"type\":[\"string\","
	  "\"null\"]},"
	  "\"media\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
	  "\"required\":[\"kind\",\"url\"],\"properties\":{\"kind\":{\"type\":"
	  "\"string\"},\"url\":{\"type\":\"string\"}}}}}}",
	  &get_args, run_get },
	{ "update_feedback", "Update a feedback item",
	  "Changes an item's status, priority (0-4, null clears), labels (the "
	  "whole set), resolutionNote, category or quarantined, as PATCH "
	  "/v1/feedback/{id} does; with etag, only if the item is still that "
	  "version.  The same notifications follow.",
	  false, false, false,
	  "{\"type\":\"object\",\"required\":[\"id\"],\"properties\":{" ID_PROP
	  ",\"etag\":{\"type\":\"string\",\"description\":\"the etag of "
	  "get_feedback: refuse the change if the item changed since\"},"
	  "\"status\":{\"enum\":" STATUS_ENUM "},"
	  "\"priority\":{\"type\":[\"integer\",\"null\"],\"minimum\":0,"
	  "\"maximum\":4},"
	  "\"labels\":{\"type\":\"array\",\"maxItems\":20,\"items\":{\"type\":"
	  "\"string\",\"minLength\":1,\"maxLength\":64}},"
	  "\"resolutionNote\":{\"type\":[\"string\",\"null\"],\"maxLength\":"
	  "2000},"
	  "\"category\":{\"enum\":" CATEGORY_ENUM "},"
	  "\"quarantined\":{\"type\":\"boolean\"}},"
	  "\"additionalProperties\":false}",
	  ITEM_RESULT, &update_args, run_update },
	{ "add_comment", "Comment on a feedback item",
	  "Adds a comment to an item, by an agent unless authorType says "
	  "otherwise; authorId defaults to the client's _meta.clientInfo "
	  "(name/version), else its User-Agent.",
	  false, false, false,
	  "{\"type\":\"object\",\"required\":[\"id\",\"body\"],\"properties\":{"
	  ID_PROP ",\"body\":{\"type\":\"string\",\"minLength\":1,"
	  "\"maxLength\":8000},\"authorType\":{\"enum\":[\"agent\",\"human\","
	  "\"submitter\"],\"default\":\"agent\"},\"authorId\":{\"type\":"
	  "\"string\",\"minLength\":1,\"maxLength\":255},\"notifySubmitter\":"
	  "{\"type\":\"boolean\",\"default\":false},\"mirrorToTracker\":"
	  "{\"type\":\"boolean\",\"default\":false}},"
	  "\"additionalProperties\":false}",
	  "{\"type\":\"object\",\"required\":[\"comment\"],\"properties\":{"
	  "\"comment\":" COMMENT_SCHEMA "}}",
	  &comment_args, run_comment },
	{ "link_feedback", "Link a feedback item to an external item",
	  "Records the external item (a product idea, a tracker issue) this "
	  "feedback belongs to: its URL and title, shown as the item's link; "
	  "linking again replaces the link.",
	  false, false, false,
	  "{\"type\":\"object\",\"required\":[\"id\",\"url\"],\"properties\":{"
	  ID_PROP ",\"url\":{\"type\":\"string\",\"maxLength\":2048,"
	  "\"pattern\":\"^https?://[^\\\\s]+$\","
	  "\"description\":\"an absolute http or https URL\"},\"title\":"
	  "{\"type\":[\"string\",\"null\"],\"maxLength\":255}},"
	  "\"additionalProperties\":false}",
	  ITEM_RESULT, &link_args, run_link },
	{ "triage_text", "Triage a text",
	  "hark's built-in triage of a text (nothing is stored): category, "
	  "sentiment and impact, as a new item gets them; page is where it "
	  "was written, if known.",
	  true, false, true,
	  "{\"type\":\"object\",\"required\":[\"text\"],\"properties\":{"
	  "\"text\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":5000},"
	  "\"page\":{\"type\":\"string\"}},\"additionalProperties\":false}",
	  "{\"type\":\"object\",\"required\":[\"category\",\"sentiment\","
	  "\"sentimentScore\",\"impactScore\"],\"properties\":{\"category\":"
	  "{\"enum\":" CATEGORY_ENUM "},\"sentiment\":{\"enum\":[\"positive\","
	  "\"neutral\",\"negative\"]},\"sentimentScore\":{\"type\":\"number\","
	  "\"minimum\":-1,\"maximum\":1},\"impactScore\":{\"type\":\"integer\","
	  "\"minimum\":0,\"maximum\":14}}}",
	  &triage_args, run_triage },
};
#define NTOOLS	(sizeof(tools) / sizeof(tools[0]))

static struct json_object *
schema_json(const char *text)
{
	return json_tokener_parse(text);
}

static struct json_object *
tools_list(const char *version)
{
	struct json_object	*r, *arr, *t, *a;
	size_t			 i;

	if ((r = json_object_new_object()) == NULL ||
	    (arr = json_object_new_array()) == NULL) {
		json_object_put(r);
		return NULL;
	}
	json_object_object_add(r, "tools", arr);
	for (i = 0; i < NTOOLS; i++) {
		if ((t = json_object_new_object()) == NULL ||
		    (a = json_object_new_object()) == NULL) {
			json_object_put(t);
			json_object_put(r);
			return NULL;
		}
		json_object_object_add(t, "name",
		    json_object_new_string(tools[i].name));
		json_object_object_add(t, "title",
		    json_object_new_string(tools[i].title));
		json_object_object_add(t, "description",
		    json_object_new_string(tools[i].description));
		json_object_object_add(t, "inputSchema",
		    schema_json(tools[i].input_schema));
		if (hark_mcp_structured(version))
			json_object_object_add(t, "outputSchema",
			    schema_json(tools[i].output_schema));
		json_object_object_add(a, "title",
		    json_object_new_string(tools[i].title));
		json_object_object_add(a, "readOnlyHint",
		    json_object_new_boolean(tools[i].read_only));
		json_object_object_add(a, "destructiveHint",
		    json_object_new_boolean(tools[i].destructive));
		json_object_object_add(a, "idempotentHint",
		    json_object_new_boolean(tools[i].idempotent));
		/* The project's own inbox: a closed world. */
		json_object_object_add(a, "openWorldHint",
		    json_object_new_boolean(0));
		json_object_object_add(t, "annotations", a);
		json_object_array_add(arr, t);
	}
	return r;
}

/*
 * tools/call: the answer's result, or NULL with *code and why for a
 * protocol error.
 */
static struct json_object *
tools_call(const struct hark_call *c, const char *version,
    struct json_object *params, int *code, char *why, size_t whylen)
{
	const struct mcp_tool	*tool = NULL;
	struct mcp_ctx		 x;
	struct hark_json_report	 rep = { NULL, NULL };
	struct hark_json_err	 err;
	struct json_object	*args, *empty = NULL, *out = NULL, *r = NULL;
	const char		*name, *w;
	void			*in = NULL;
	enum tool_rc		 rc;
	size_t			 i;

	*code = HARK_MCP_INVALID_PARAMS;
	memset(&x, 0, sizeof(x));
	if (hark_mcp_call_params(params, &name, &args, &x.meta, &w) == -1) {
		snprintf(why, whylen, "%s", w);
		return NULL;
	}
	for (i = 0; i < NTOOLS && tool == NULL; i++)
		if (strcmp(tools[i].name, name) == 0)
			tool = &tools[i];
	if (tool == NULL) {
		snprintf(why, whylen, "Unknown tool: %s", name);
		return NULL;
	}
	if (args == NULL && (args = empty = json_object_new_object()) == NULL)
		goto nomem;
	x.c = c;
	x.version = version;
	x.args = args;
	if ((in = calloc(1, tool->args->size)) == NULL)
		goto nomem;
	if (hark_json_validate_report(args, tool->args, &rep, &err) == -1 ||
	    hark_json_fill(args, tool->args, in, &err) == -1) {
		if (strcmp(err.code, "out_of_memory") == 0)
			goto nomem;
		snprintf(x.why, sizeof(x.why), "invalid arguments: %s%s%s",
		    err.field[0] != '\0' ? err.field : "",
		    err.field[0] != '\0' ? ": " : "", err.message);
		if (!hark_mcp_args_tool_error(version)) {
			snprintf(why, whylen, "%s", x.why);
			goto out;
		}
		r = hark_mcp_tool_result(NULL, x.why, true, false);
		goto done;
	}
	rc = tool->run(&x, in, &out);
	if (rc == TOOL_INTERNAL)
		goto nomem;
	r = rc == TOOL_OK ? hark_mcp_tool_result(out, NULL, false,
	    hark_mcp_structured(version)) :
	    hark_mcp_tool_result(NULL, x.why, true, false);
	out = NULL;
done:
	if (r == NULL)
		goto nomem;
	goto out;
nomem:
	*code = HARK_MCP_INTERNAL_ERROR;
	snprintf(why, whylen, "out of memory");
	r = NULL;
out:
	json_object_put(out);
	hark_json_report_clear(&rep);
	free(in);
	json_object_put(empty);
	return r;
}

/* ---- the transport ---- */

#define INSTRUCTIONS \
	"hark's feedback inbox of the key's project.  list_feedback and " \
	"search_feedback page through items; get_feedback reads one with " \
	"its comments and gives its etag; update_feedback, add_comment and " \
	"link_feedback work it (each raises the inbox's notifications).  " \
	"A tool's failure is a result with isError."

/* One request's answer; NULL when memory runs out. */
static struct json_object *
answer(const struct hark_call *c, const struct hark_mcp_msg *m,
    const char *version, bool in_batch)
{
	struct json_object	*r = NULL;
	const char		*w = NULL, *asked;
	char			 why[ERR_MAX];
	int			 code = HARK_MCP_INVALID_PARAMS;

	why[0] = '\0';
	if (strcmp(m->method, "initialize") == 0) {
		/* 2025-03-26: "MUST NOT be part of a JSON-RPC batch". */
		if (in_batch)
			return hark_mcp_error(m->id, HARK_MCP_INVALID_REQUEST,
			    "initialize is never part of a batch", NULL);
		if (hark_mcp_initialize_params(m->params, &asked, &w) == -1)
			return hark_mcp_error(m->id, code, w, NULL);
		r = hark_mcp_initialize_result(hark_mcp_negotiate(asked),
		    PACKAGE_VERSION, INSTRUCTIONS);
	} else if (strcmp(m->method, "ping") == 0)
		r = json_object_new_object();
	else if (strcmp(m->method, "tools/list") == 0)
		r = tools_list(version);
	else if (strcmp(m->method, "tools/call") == 0) {
		if ((r = tools_call(c, version, m->params, &code, why,
		    sizeof(why))) == NULL)
			return hark_mcp_error(m->id, code, why, NULL);
	} else
		return hark_mcp_error(m->id, HARK_MCP_METHOD_NOT_FOUND,
		    "Method not found", json_object_new_string(m->method));
	return r != NULL ? hark_mcp_result(m->id, r) :
	    hark_mcp_error(m->id, HARK_MCP_INTERNAL_ERROR, "out of memory",
	    NULL);
}

/* A JSON-RPC error that is the whole HTTP answer (no id: none applies). */
static void
refuse(const struct hark_call *c, int status, int code, const char *message,
    struct json_object *data)
{
	struct json_object	*o = hark_mcp_error(NULL, code, message, data);

	if (o == NULL || hark_resp_json(c->resp, status, o) == -1)
		hark_resp_error(c->resp, 500, "internal", NULL, "out of memory");
	json_object_put(o);
}

static struct json_object *
versions_data(void)
{
	struct json_object	*d, *a;
	size_t			 i;

	if ((d = json_object_new_object()) == NULL)
		return NULL;
	if ((a = json_object_new_array()) != NULL)
		for (i = 0; hark_mcp_versions[i] != NULL; i++)
			json_object_array_add(a,
			    json_object_new_string(hark_mcp_versions[i]));
	json_object_object_add(d, "supported", a);
	return d;
}

static int
any_origin(void *ctx, const char *pattern)
{
	(void)pattern;
	*(bool *)ctx = true;
	return 1;
}

/*
 * The specification's DNS-rebinding rule: a request with Origin comes
 * from a browser, and must come from an origin the project lists.  The
 * prologue checked it against a list; a project without one has allowed
 * no browser, so here that is 403 too.  A client without Origin (an
 * agent's process) is not a browser and passes.
 */
static int
check_origin(const struct hark_call *c)
{
	bool	 listed = false;
	int	 rc;

	if (hark_req_header(c->req, "origin") == NULL)
		return 0;
	rc = hark_store_origin_list(c->app->db, c->who.project_id, any_origin,
	    &listed);
	if (listed)
		return 0;
	if (rc != HARK_STORE_OK)
		hark_respond_store(c->app, c->resp, rc);
	else
		hark_resp_error(c->resp, 403, "origin_not_allowed", "Origin",
		    "this origin is not in the project's allowed origins (a "
		    "project without any allows no browser on /mcp)");
	return -1;
}

/* Accept: a client must take application/json (the SSE type alone: 406). */
static bool
accepts_json(const char *h)
{
	return h == NULL || strstr(h, "application/json") != NULL ||
	    strstr(h, "*/*") != NULL || strstr(h, "application/*") != NULL;
}

void
hark_handle_mcp(const struct hark_call *c)
{
	struct hark_mcp_body	 b;
	struct hark_buf		 body = { 0 };
	struct json_object	*out = NULL, *one, *arr = NULL;
	const char		*hv, *version;
	char			 why[ERR_MAX], list[128];
	size_t			 i, nanswers = 0;
	int			 code, rc;
	bool			 lone_invalid;

	memset(&b, 0, sizeof(b));
	if (check_origin(c) == -1)
		return;
	if (!accepts_json(hark_req_header(c->req, "accept"))) {
		hark_resp_error(c->resp, 406, "not_acceptable", "Accept",
		    "/mcp answers application/json");
		return;
	}
	hv = hark_req_header(c->req, "mcp-protocol-version");
	if (hv != NULL && (version = hark_mcp_version_find(hv)) == NULL) {
		hark_mcp_versions_text(list, sizeof(list));
		snprintf(why, sizeof(why), "Unsupported MCP-Protocol-Version; "
		    "supported: %s", list);
		refuse(c, 400, HARK_MCP_INVALID_REQUEST, why, versions_data());
		return;
	}
	if (hv == NULL)
		version = HARK_MCP_ASSUMED;
	rc = hark_req_read_body(c->req, c->app->conf->max_json_body, &body);
	if (rc == -2) {
		hark_resp_error(c->resp, 413, "body_too_large", NULL,
		    "the JSON body is larger than %zu bytes",
		    c->app->conf->max_json_body);
		goto out;
	}
	if (rc == -1) {
		hark_resp_error(c->resp, 400, "bad_request", NULL,
		    "the request body could not be read");
		goto out;
	}
	if (hark_mcp_body_parse(body.data, body.len, &b, &code, why,
	    sizeof(why)) == -1) {
		refuse(c, code == HARK_MCP_INTERNAL_ERROR ? 500 : 400, code,
		    code == HARK_MCP_PARSE_ERROR ? "Parse error" : why,
		    json_object_new_string(why));
		goto out;
	}
	if (b.batch && !hark_mcp_batches(version)) {
		snprintf(why, sizeof(why), "revision %s has no JSON-RPC batches: "
		    "send one message per request", version);
		refuse(c, 400, HARK_MCP_INVALID_REQUEST, why, NULL);
		goto out;
	}
	if (b.batch && (arr = json_object_new_array()) == NULL)
		goto nomem;
	for (i = 0; i < b.n; i++) {
		const struct hark_mcp_msg	*m = &b.msgs[i];

		if (m->kind == HARK_MCP_NOTIFICATION ||
		    m->kind == HARK_MCP_RESPONSE)
			continue;	/* notifications/initialized, a reply */
		one = m->kind == HARK_MCP_INVALID ?
		    hark_mcp_error(m->id, HARK_MCP_INVALID_REQUEST,
		    "Invalid Request", json_object_new_string(m->why)) :
		    answer(c, m, version, b.batch);
		if (one == NULL)
			goto nomem;
		nanswers++;
		if (b.batch)
			json_object_array_add(arr, one);
		else
			out = one;
	}
	if (nanswers == 0) {
		/* Only notifications or replies: accepted, nothing to say. */
		c->resp->status = 202;
		hark_buf_reset(&c->resp->body);
		goto out;
	}
	lone_invalid = !b.batch && b.msgs[0].kind == HARK_MCP_INVALID;
	if (hark_resp_json(c->resp, lone_invalid ? 400 : 200, b.batch ? arr :
	    out) == -1)
		goto nomem;
	goto out;
nomem:
	hark_resp_error(c->resp, 500, "internal", NULL, "out of memory");
out:
	json_object_put(out);
	json_object_put(arr);
	hark_mcp_body_free(&b);
	hark_buf_free(&body);
}
