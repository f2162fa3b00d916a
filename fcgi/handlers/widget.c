/*
 * widget.c: the third seed's widget flow, on its own paths and with its
 * {success, data | error} envelope:
 *
 *   GET  /feedback/widget/bootstrap?publicKey=pk_...
 *        the source's public configuration and a signed token bound to
 *        the source, the page's Origin and an expiry (lib/token)
 *   POST /feedback/ingest
 *        {publicKey, token, message, category?, email?, pageUrl?, locale?,
 *        captchaToken?}: 201 {success, data: {id, status, createdAt}};
 *        captcha (lib/captcha), duplicates (lib/normalize) and the layered
 *        rate limits of a public key first
 *
 * Neither route takes a key in a header: the public key is in the query or
 * the body, so the prologue only parses them; this file does the rest, in
 * the seed's order of refusals (404 source, 403 origin, 401 token, 429,
 * 400 captcha, 409 duplicate).
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "app.h"
#include "captcha.h"
#include "conf.h"
#include "cors.h"
#include "feedback.h"
#include "handlers.h"
#include "ids.h"
#include "json.h"
#include "keys.h"
#include "log.h"
#include "normalize.h"
#include "prologue.h"
#include "query.h"
#include "respond.h"
#include "store.h"
#include "timestamp.h"
#include "token.h"
#include "triage.h"
#include "vocab.h"

/* ---- what both share ---- */

static void
source_not_found(const struct hark_call *c)
{
	hark_resp_error(c->resp, 404, "source_not_found", "publicKey",
	    "there is no feedback source with this publicKey");
}

/*
 * The enabled source of a public key; 0, or -1 with the answer made (404
 * for an unknown, malformed or disabled key: which one is nobody's
 * business, 503 when the store is down).
 */
static int
find_source(const struct hark_call *c, const char *public_key,
    struct hark_source *src)
{
	unsigned char	 hash[HARK_KEY_HASH_LEN];
	int		 rc;

	if (public_key == NULL || !hark_key_looks_public(public_key) ||
	    hark_key_hash(public_key, strlen(public_key), hash) == -1) {
		source_not_found(c);
		return -1;
	}
	rc = hark_store_source_get_by_key(c->app->db, hash, src);
	if (rc == HARK_STORE_NOT_FOUND || (rc == HARK_STORE_OK && src->disabled)) {
		source_not_found(c);
		return -1;
	}
	if (rc != HARK_STORE_OK) {
		hark_respond_store(c->app, c->resp, rc);
		return -1;
	}
	return 0;
}

/* The caller as the prologue's origin and rate checks know a public key. */
static void
principal_of(const struct hark_source *src, struct hark_principal *who)
{
	memset(who, 0, sizeof(*who));
	snprintf(who->project_id, sizeof(who->project_id), "%s",
	    src->project_id);
	snprintf(who->key_id, sizeof(who->key_id), "%s", src->id);
	snprintf(who->source_id, sizeof(who->source_id), "%s", src->id);
	who->public_key = true;
	who->key_limit = src->rate_limit;
	who->project_limit = src->project_rate_limit;
}

/* The request's Origin, "" when it has none (a server). */
static const char *
origin_of(const struct hark_call *c)
{
	const char	*o = hark_req_header(c->req, "origin");

	return o != NULL ? o : "";
}

/*
 * The seed's server-to-server rule: a request without Origin comes from a
 * server, allowed only for a source with no allowlist; with one, the
 * project's and the source's lists decide (prologue.c).
 */
static int
check_origin(const struct hark_call *c, const struct hark_principal *who)
{
	bool	 listed;
	int	 rc;

	if (hark_req_header(c->req, "origin") == NULL) {
		rc = hark_prologue_source_has_origins(c->app, who->source_id,
		    &listed);
		if (rc != HARK_STORE_OK) {
			hark_respond_store(c->app, c->resp, rc);
			return -1;
		}
		if (listed) {
			hark_resp_error(c->resp, 403, "origin_not_allowed",
			    "Origin", "this source takes requests from its "
			    "allowed origins only, and this one has no Origin");
			return -1;
		}
		return 0;
	}
	return hark_prologue_check_origins(c->app, c->req, c->resp, who);
}

/*
 * A browser leaves Origin out of a same-origin GET, so a widget on a page
 * served from hark's own host would bootstrap as a server (and a source
 * with an allowlist would refuse it).  Sec-Fetch-Site, which page scripts
 * cannot set, says the request is same-origin; the Referer's scheme and
 * authority are then that origin, and it is checked and bound into the
 * token like any other (the page's POST to ingest does send Origin).  No
 * Referer (referrerpolicy="no-referrer") leaves the request as it came.
 */
static void
same_origin_fill(const struct hark_call *c)
{
	const char	*site = hark_req_header(c->req, "sec-fetch-site");
	const char	*ref = hark_req_header(c->req, "referer");
	const char	*p;
	char		 origin[HARK_CORS_ORIGIN_MAX + 1];
	size_t		 n;

	if (hark_req_header(c->req, "origin") != NULL || site == NULL ||
	    strcmp(site, "same-origin") != 0 || ref == NULL ||
	    (p = strstr(ref, "://")) == NULL)
		return;
	n = (size_t)(p + 3 - ref) + strcspn(p + 3, "/?#");
	if (n > HARK_CORS_ORIGIN_MAX)
		return;
	memcpy(origin, ref, n);
	origin[n] = '\0';
	if (hark_cors_origin_valid(origin))
		(void)hark_req_add_header(c->req, "origin", origin);
}

/* ---- GET /feedback/widget/bootstrap ---- */

struct bootstrap_query {
	char	*public_key;
};

static const struct hark_query_param bootstrap_params[] = {
	{ .name = "publicKey", .type = HARK_QUERY_STRING,
	  .off = offsetof(struct bootstrap_query, public_key), .min = 1,
	  .max = 128 },
};
const struct hark_query_schema hark_widget_bootstrap_query = {
	bootstrap_params, HARK_QUERY_NPARAMS(bootstrap_params),
	sizeof(struct bootstrap_query), "publicKey"
};

static struct json_object *
bootstrap_config(const struct hark_source *src)
{
	struct json_object	*cfg;
	const char		*provider;

	if ((cfg = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(cfg, "requireCaptcha",
	    json_object_new_boolean(src->require_captcha));
	provider = hark_captcha_provider_name(src->captcha_provider);
	if (src->require_captcha && provider != NULL) {
		json_object_object_add(cfg, "captchaProvider",
		    json_object_new_string(provider));
		if (src->captcha_sitekey[0] != '\0')
			json_object_object_add(cfg, "siteKey",
			    json_object_new_string(src->captcha_sitekey));
	}
	return cfg;
}

static int
bootstrap_answer(const struct hark_call *c, const struct hark_source *src,
    const char *public_key, const char *token, long long expires)
{
	struct json_object	*o, *data, *s;
	int			 rc = -1;

	o = json_object_new_object();
	data = json_object_new_object();
	s = json_object_new_object();
	if (o == NULL || data == NULL || s == NULL) {
		json_object_put(o);
		json_object_put(data);
		json_object_put(s);
		return -1;
	}
	json_object_object_add(s, "publicKey",
	    json_object_new_string(public_key));
	json_object_object_add(s, "type", json_object_new_string(src->type));
	json_object_object_add(s, "name", json_object_new_string(src->name));
	json_object_object_add(data, "source", s);
	json_object_object_add(data, "token", json_object_new_string(token));
	json_object_object_add(data, "expiresAt",
	    json_object_new_int64(expires));
	json_object_object_add(data, "config", bootstrap_config(src));
	json_object_object_add(o, "success", json_object_new_boolean(1));
	json_object_object_add(o, "data", data);
	rc = hark_resp_json(c->resp, 200, o);
	json_object_put(o);
	return rc;
}

void
hark_handle_widget_bootstrap(const struct hark_call *c)
{
	const struct bootstrap_query	*q = c->query;
	struct hark_source		 src;
	struct hark_principal		 who;
	struct hark_token_claims	 claims;
	char				 token[HARK_TOKEN_MAX];
	const char			*origin;

	same_origin_fill(c);
	origin = origin_of(c);
	if (q->public_key == NULL) {
		hark_resp_error(c->resp, 400, "missing_field", "publicKey",
		    "publicKey is required");
		return;
	}
	if (find_source(c, q->public_key, &src) == -1)
		return;
	principal_of(&src, &who);
	snprintf(c->resp->project_id, sizeof(c->resp->project_id), "%s",
	    who.project_id);
	if (check_origin(c, &who) == -1 ||
	    hark_prologue_check_rate(c->app, c->req, c->resp, &who) == -1)
		goto out;
	if (!c->app->tokens_ok || hark_token_sign(&c->app->token_keys, src.id,
	    origin, (long long)time(NULL), c->app->conf->widget_token_ttl,
	    token, sizeof(token), &claims) == -1) {
		hark_log(HARK_LOG_ERR, "cannot sign a widget token (is [widget] "
		    "token_secret_file there? harkctl secret init makes it)");
		hark_resp_error(c->resp, 503, "token_unavailable", NULL,
		    "widget tokens cannot be made now; retry later");
		hark_resp_header(c->resp, "Retry-After", "30");
		goto out;
	}
	if (bootstrap_answer(c, &src, q->public_key, token, claims.exp) == -1)
		hark_resp_error(c->resp, 500, "internal", NULL, "out of memory");
out:
	memset(src.captcha_secret, 0, sizeof(src.captcha_secret));
}

/* ---- POST /feedback/ingest ---- */

struct ingest_input {
	struct hark_json_text	 public_key, token, message, email;
	struct hark_json_text	 page_url, locale, captcha_token;
	struct hark_json_text	 category_text;	/* one of hark_vocab_category */
};

#define IN(m)	.out = HARK_JSON_OUT_TEXT, .off = offsetof(struct ingest_input, m)

static const struct hark_json_field ingest_fields[] = {
	{ .name = "publicKey", .type = HARK_JSON_STRING,
	  .flags = HARK_JSON_REQUIRED, .min = 1, .max = 128, IN(public_key) },
	{ .name = "token", .type = HARK_JSON_STRING,
	  .flags = HARK_JSON_REQUIRED, .min = 1, .max = HARK_TOKEN_MAX - 1,
	  IN(token) },
	{ .name = "message", .type = HARK_JSON_STRING,
	  .flags = HARK_JSON_REQUIRED | HARK_JSON_TRIM_NONEMPTY,
	  .min = 1, .max = 5000, IN(message) },
	{ .name = "category", .type = HARK_JSON_STRING,
	  .flags = HARK_JSON_NULLABLE, .one_of = hark_vocab_category,
	  IN(category_text) },
	{ .name = "email", .type = HARK_JSON_STRING, .flags = HARK_JSON_NULLABLE,
	  .max_bytes = 254, .check = hark_json_check_email, IN(email) },
	{ .name = "pageUrl", .type = HARK_JSON_STRING,
	  .flags = HARK_JSON_NULLABLE, .max_bytes = 2048, IN(page_url) },
	{ .name = "locale", .type = HARK_JSON_STRING,
	  .flags = HARK_JSON_NULLABLE, .check = hark_json_check_bcp47,
	  IN(locale) },
	{ .name = "captchaToken", .type = HARK_JSON_STRING,
	  .flags = HARK_JSON_NULLABLE, .max_bytes = 8192, IN(captcha_token) },
};
const struct hark_json_schema hark_widget_ingest_body = {
	ingest_fields, HARK_JSON_NFIELDS(ingest_fields),
	HARK_JSON_UNKNOWN_COLLECT, sizeof(struct ingest_input)
};

/* 401 for a token that is not good for this source and page. */
static int
check_token(const struct hark_call *c, const struct ingest_input *in,
    const struct hark_source *src)
{
	enum hark_token_rc	 rc;

	if (!c->app->tokens_ok) {
		hark_resp_error(c->resp, 503, "token_unavailable", NULL,
		    "widget tokens cannot be checked now; retry later");
		hark_resp_header(c->resp, "Retry-After", "30");
		return -1;
	}
	rc = hark_token_verify(&c->app->token_keys, in->token.s, src->id,
	    origin_of(c), (long long)time(NULL), NULL);
	if (rc == HARK_TOKEN_OK)
		return 0;
	hark_resp_error(c->resp, 401, rc == HARK_TOKEN_EXPIRED ?
	    "token_expired" : "invalid_token", "token", rc ==
	    HARK_TOKEN_EXPIRED ? "the widget token has expired: bootstrap "
	    "again" : "the widget token is not valid for this source and "
	    "origin: bootstrap again");
	return -1;
}

/* 400 without a passing captcha when the source asks for one. */
static int
check_captcha(const struct hark_call *c, const struct ingest_input *in,
    const struct hark_source *src)
{
	struct hark_captcha_req	 r;
	char			 why[256];

	if (!src->require_captcha)
		return 0;
	if (in->captcha_token.s == NULL || in->captcha_token.len == 0) {
		hark_resp_error(c->resp, 400, "captcha_required",
		    "captchaToken", "this source requires a captcha: send "
		    "captchaToken");
		return -1;
	}
	if (src->captcha_provider == HARK_CAPTCHA_NONE ||
	    src->captcha_secret[0] == '\0') {
		hark_log(HARK_LOG_ERR, "source %s requires a captcha but has no "
		    "provider secret (harkctl source update --captcha)",
		    src->id);
		hark_resp_error(c->resp, 503, "captcha_unavailable", NULL,
		    "the captcha cannot be checked now");
		hark_resp_header(c->resp, "Retry-After", "30");
		return -1;
	}
	r.verify_url = c->app->conf->widget_captcha_verify_url;
	r.timeout_ms = c->app->conf->widget_captcha_timeout * 1000L;
	r.secret = src->captcha_secret;
	r.response = in->captcha_token.s;
	r.remoteip = c->req->remote_addr;
	r.sitekey = src->captcha_sitekey[0] != '\0' ? src->captcha_sitekey :
	    NULL;
	switch (hark_captcha_verify(&r, why, sizeof(why))) {
	case HARK_CAPTCHA_PASS:
		return 0;
	case HARK_CAPTCHA_FAIL:
		hark_resp_error(c->resp, 400, "captcha_invalid", "captchaToken",
		    "the captcha was not solved");
		return -1;
	default:
		hark_log(HARK_LOG_WARN, "captcha siteverify: %s", why);
		hark_resp_error(c->resp, 503, "captcha_unavailable", NULL,
		    "the captcha cannot be checked now; retry shortly");
		hark_resp_header(c->resp, "Retry-After", "5");
		return -1;
	}
}

/* The row an ingest files: the submitter's category wins over triage. */
static int
make_row(const struct hark_call *c, const struct ingest_input *in,
    const struct hark_source *src, struct hark_feedback *fb)
{
	struct hark_feedback_input	 fi;
	struct hark_json_err		 jerr;

	memset(&fi, 0, sizeof(fi));
	fi.text = in->message;
	fi.page = in->page_url;
	fi.user_email = in->email;
	if (c->report != NULL && c->report->extra != NULL &&
	    hark_json_serialize(c->report->extra, &fi.extra, &jerr) == -1)
		return -1;
	if (hark_feedback_make(src->project_id, "widget", &fi, fb) == -1)
		return -1;
	snprintf(fb->source_id, sizeof(fb->source_id), "%s", src->id);
	if (in->locale.s != NULL)
		snprintf(fb->locale, sizeof(fb->locale), "%.*s",
		    (int)in->locale.len, in->locale.s);
	if (in->category_text.s != NULL) {
		fb->category = hark_vocab_intern(hark_vocab_category,
		    in->category_text.s, fb->category);
		fb->triaged_by = "client";
	}
	if (hark_normalize_dedup_hash(in->message.s, in->message.len,
	    fb->content_hash) == -1)
		return -1;
	fb->has_content_hash = true;
	return 0;
}

/*
 * The seed's 409, with the item already there: {"success": false,
 * "error": {"code": "duplicate", "message", "field": "message", "id"}}.
 */
static void
duplicate_answer(const struct hark_call *c, const char *id, unsigned window)
{
	struct json_object	*root, *err;
	char			 msg[128];

	root = json_object_new_object();
	err = json_object_new_object();
	if (root == NULL || err == NULL) {
		json_object_put(root);
		json_object_put(err);
		hark_resp_error(c->resp, 500, "internal", NULL, "out of memory");
		return;
	}
	snprintf(msg, sizeof(msg), "the same feedback came from this source "
	    "in the last %u seconds", window);
	json_object_object_add(err, "code", json_object_new_string("duplicate"));
	json_object_object_add(err, "message", json_object_new_string(msg));
	json_object_object_add(err, "field", json_object_new_string("message"));
	json_object_object_add(err, "id", json_object_new_string(id));
	json_object_object_add(root, "success", json_object_new_boolean(0));
	json_object_object_add(root, "error", err);
	if (hark_resp_json(c->resp, 409, root) == -1)
		hark_resp_error(c->resp, 500, "internal", NULL, "out of memory");
	json_object_put(root);
}

/* 409 for the same content from this source within its window. */
static int
check_duplicate(const struct hark_call *c, const struct hark_source *src,
    const struct hark_feedback *fb)
{
	char		 id[HARK_ID_SIZE];
	unsigned	 window = src->dedup_window ? src->dedup_window :
			    (unsigned)c->app->conf->widget_dedup_window;
	int		 rc;

	rc = hark_store_feedback_recent_duplicate(c->app->db, src->project_id,
	    src->id, fb->content_hash, window, id);
	if (rc == HARK_STORE_NOT_FOUND)
		return 0;
	if (rc != HARK_STORE_OK) {
		hark_respond_store(c->app, c->resp, rc);
		return -1;
	}
	duplicate_answer(c, id, window);
	return -1;
}

/* The seed's 201: {success, data: {id, status, createdAt}}. */
static void
ingest_answer(const struct hark_call *c, const struct hark_feedback *fb)
{
	struct json_object	*o, *data;
	char			 ts[40];

	hark_ts_to_rfc3339_ms(fb->created_at, ts, sizeof(ts));
	o = json_object_new_object();
	data = json_object_new_object();
	if (o == NULL || data == NULL) {
		json_object_put(o);
		json_object_put(data);
		hark_resp_error(c->resp, 500, "internal", NULL, "out of memory");
		return;
	}
	json_object_object_add(data, "id", json_object_new_string(fb->id));
	json_object_object_add(data, "status", json_object_new_string("new"));
	json_object_object_add(data, "createdAt", json_object_new_string(ts));
	json_object_object_add(o, "success", json_object_new_boolean(1));
	json_object_object_add(o, "data", data);
	if (c->report != NULL && c->report->warnings != NULL)
		json_object_object_add(o, "warnings",
		    json_object_get(c->report->warnings));
	if (hark_resp_json(c->resp, 201, o) == -1)
		hark_resp_error(c->resp, 500, "internal", NULL, "out of memory");
	json_object_put(o);
}

/*
 * Files fb, with its Idempotency-Key's answer when the request has one.
 * The key is claimed before the duplicate check, so a retry of a filed
 * ingest is its replay, not a 409.
 */
static void
file_row(const struct hark_call *c, const struct hark_source *src,
    struct hark_feedback *fb)
{
	unsigned char	 hash[HARK_IDEM_HASH_LEN];
	const char	*key = NULL;
	bool		 taken = false;
	int		 rc;

	if (hark_feedback_row_hash(fb, hash) == -1) {
		hark_resp_error(c->resp, 500, "internal", NULL, "no SHA-256");
		return;
	}
	if (hark_idem_begin(c, hash, fb->id, sizeof(fb->id), &key, &taken) != 0)
		return;
	if (check_duplicate(c, src, fb) == -1) {
		rc = HARK_STORE_OK;	/* answered */
		goto release;
	}
	ingest_answer(c, fb);
	if (c->resp->status != 201)
		rc = HARK_STORE_NOMEM;
	else if (key != NULL)
		rc = hark_feedback_submit_idem(c->app->db, fb, key, 201,
		    c->resp->body.data, c->resp->body.len);
	else
		rc = hark_feedback_submit(c->app->db, fb);
	if (rc == HARK_STORE_OK)
		return;
	hark_respond_store_write(c->app, c->resp, rc, fb->id);
release:
	if (key != NULL)
		(void)hark_store_idem_release(c->app->db, fb->project_id, key);
}

void
hark_handle_widget_ingest(const struct hark_call *c)
{
	const struct ingest_input	*in = c->in;
	struct hark_source		 src;
	struct hark_principal		 who;
	struct hark_feedback		 fb;
	struct hark_call		 call;

	if (find_source(c, in->public_key.s, &src) == -1)
		return;
	principal_of(&src, &who);
	snprintf(c->resp->project_id, sizeof(c->resp->project_id), "%s",
	    who.project_id);
	if (check_origin(c, &who) == -1 || check_token(c, in, &src) == -1 ||
	    hark_prologue_check_rate(c->app, c->req, c->resp, &who) == -1 ||
	    check_captcha(c, in, &src) == -1)
		goto out;
	if (make_row(c, in, &src, &fb) == -1) {
		hark_resp_error(c->resp, 500, "internal", NULL, "out of memory");
		goto out;
	}
	/* The Idempotency-Key is the source's project's, as on /v1. */
	call = *c;
	call.who = who;
	file_row(&call, &src, &fb);
out:
	memset(src.captcha_secret, 0, sizeof(src.captcha_secret));
}
