/*
 * prologue.c: what runs once before every handler, as its route declares:
 * authentication (and the failed-auth lock-out), the project's origin
 * allowlist (and a public key's source's), the key's and the project's rate
 * limits (a public key's per client address and source; RateLimit-*
 * headers), the JSON body read, parsed strictly, validated and filled into
 * the route's typed struct, and the query parsed into its own.  A handler
 * runs only when all of it passed, and never re-reads the tree.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "app.h"
#include "auth.h"
#include "conf.h"
#include "cors.h"
#include "json.h"
#include "keys.h"
#include "log.h"
#include "prologue.h"
#include "proxies.h"
#include "query.h"
#include "ratelimit.h"
#include "respond.h"
#include "router.h"
#include "store.h"
#include "token.h"
#include "watchdog.h"

#define RL_WINDOW	60	/* seconds: limits are per minute */

struct origins {
	char	**list;
	size_t	 n;
	int	 nomem;		/* a pattern was lost: refuse, never allow */
};

static int
origin_row(void *ctx, const char *pattern)
{
	struct origins	*o = ctx;
	char		**l, *p;

	if ((p = strdup(pattern)) == NULL ||
	    (l = realloc(o->list, (o->n + 1) * sizeof(*l))) == NULL) {
		free(p);
		o->nomem = 1;
		return 1;
	}
	o->list = l;
	o->list[o->n++] = p;
	return 0;
}

/*
 * A browser request (it has Origin) from a project with an allowlist must
 * come from a listed origin; with a public key, from one its source lists
 * as well (a source without origins takes any the project allows).
 * Returns 0, or -1 with resp filled.
 */
static int
check_origin_list(struct hark_app *app, struct hark_req *req,
    struct hark_resp *resp, const char *owner_id, bool source)
{
	struct origins	 o = { NULL, 0, 0 };
	const char	*origin = hark_req_header(req, "origin");
	int		 rc, ok;
	size_t		 i;

	if (origin == NULL)
		return 0;
	rc = source ?
	    hark_store_source_origin_list(app->db, owner_id, origin_row, &o) :
	    hark_store_origin_list(app->db, owner_id, origin_row, &o);
	if (o.nomem) {
		hark_resp_error(resp, 500, "internal", NULL, "out of memory");
		ok = 0;
		goto out;
	}
	if (rc != HARK_STORE_OK) {
		hark_respond_store(app, resp, rc);
		ok = 0;
		goto out;
	}
	ok = o.n == 0 || hark_cors_origin_allowed(origin,
	    (const char *const *)o.list, o.n);
	if (!ok) {
		hark_resp_error(resp, 403, "origin_not_allowed", "Origin",
		    "this origin is not in the %s's allowed origins",
		    source ? "source" : "project");
		/* Not readable by the page that was refused. */
		hark_resp_unset_header(resp, "Access-Control-Allow-Origin");
		hark_watchdog_cors(NULL);
	}
out:
	for (i = 0; i < o.n; i++)
		free(o.list[i]);
	free(o.list);
	return ok ? 0 : -1;
}

static int
check_origin(struct hark_app *app, struct hark_req *req,
    struct hark_resp *resp, const struct hark_principal *who)
{
	if (check_origin_list(app, req, resp, who->project_id, false) == -1)
		return -1;
	if (who->public_key &&
	    check_origin_list(app, req, resp, who->source_id, true) == -1)
		return -1;
	return 0;
}

static void
ratelimit_headers(struct hark_resp *resp, const struct hark_rl_result *r)
{
	hark_resp_header(resp, "RateLimit-Limit", "%u", r->limit);
	hark_resp_header(resp, "RateLimit-Remaining", "%u", r->remaining);
	hark_resp_header(resp, "RateLimit-Reset", "%u", r->reset_seconds);
}

/*
 * A public key's layers, as multiples of its limit per (address, source):
 * the address's block (an IPv4 /24, an IPv6 /64: one client moving within
 * its allocation) and the source as a whole.  The project's limit still
 * bounds them all.
 */
#define RL_BLOCK_FACTOR		4
#define RL_SOURCE_FACTOR	20
/*
 * Polling a session's state is counted apart from submissions, at ten
 * times their limits, so widgets waiting for a transcript never push the
 * project's submissions into 429.
 */
#define RL_POLL_FACTOR		10

static unsigned
times(unsigned limit, unsigned factor)
{
	return limit > UINT32_MAX / factor ? UINT32_MAX : limit * factor;
}

/*
 * Counts the request against the key and the project, all or nothing.  A
 * public key is in every visitor's browser, so its count is per client
 * address (req->remote_addr, already resolved through trusted_proxies) and
 * source, per address block and source, and per source: one visitor's
 * flood stops that visitor, a block's stops the block, and the project's
 * limit still bounds them all.
 */
static int
check_rate_as(struct hark_app *app, struct hark_req *req,
    struct hark_resp *resp, const struct hark_principal *who, bool poll)
{
	struct hark_rl_check	 c[4];
	struct hark_rl_result	 r;
	char			 kkey[128], bkey[128], skey[64], pkey[64];
	char			 block[HARK_ADDR_MAX + 8];
	const char		*ns = poll ? "poll:" : "";
	unsigned		 f = poll ? RL_POLL_FACTOR : 1;
	unsigned		 def = times((unsigned)app->conf->rate_limit, f);
	unsigned		 klim = who->key_limit ?
				    times(who->key_limit, f) : def;
	size_t			 n = 0;

	if (app->rl == NULL)
		return 0;
	snprintf(pkey, sizeof(pkey), "%sproject:%s", ns, who->project_id);
	if (who->public_key) {
		snprintf(kkey, sizeof(kkey), "%ssrc:%s:%s", ns, who->source_id,
		    req->remote_addr);
		hark_addr_block(req->remote_addr, block, sizeof(block));
		snprintf(bkey, sizeof(bkey), "%ssrcnet:%s:%s", ns,
		    who->source_id, block);
		snprintf(skey, sizeof(skey), "%ssource:%s", ns, who->source_id);
		c[n++] = (struct hark_rl_check){ kkey, klim, RL_WINDOW };
		c[n++] = (struct hark_rl_check){ bkey,
		    times(klim, RL_BLOCK_FACTOR), RL_WINDOW };
		c[n++] = (struct hark_rl_check){ skey,
		    times(klim, RL_SOURCE_FACTOR), RL_WINDOW };
	} else {
		snprintf(kkey, sizeof(kkey), "%skey:%s", ns, who->key_id);
		c[n++] = (struct hark_rl_check){ kkey, klim, RL_WINDOW };
	}
	c[n++] = (struct hark_rl_check){ pkey,
	    who->project_limit ? times(who->project_limit, f) : def, RL_WINDOW };
	/*
	 * Fail closed: the table re-opens and rebuilds itself when its file
	 * is replaced, truncated or corrupt, so a failure here is one it could
	 * not recover from, and letting requests through would leave every
	 * key unlimited.
	 */
	if (hark_rl_hit_all(app->rl, c, n, hark_rl_now(), &r) == -1) {
		hark_log(HARK_LOG_ERR, "rate limiter failed: %s; request refused",
		    strerror(errno));
		hark_resp_error(resp, 503, "rate_limiter_unavailable", NULL,
		    "the rate limiter is unavailable; retry shortly");
		hark_resp_header(resp, "Retry-After", "1");
		return -1;
	}
	if (!r.allowed) {
		hark_resp_error(resp, 429, "rate_limited", NULL,
		    "too many requests: at most %u per minute; retry in %u s",
		    r.limit, r.retry_after);
		hark_resp_header(resp, "Retry-After", "%u",
		    r.retry_after ? r.retry_after : 1);
	}
	/* hark_resp_error keeps headers, so these go on the 429 as well. */
	ratelimit_headers(resp, &r);
	return r.allowed ? 0 : -1;
}

static int
check_rate(struct hark_app *app, struct hark_req *req, struct hark_resp *resp,
    const struct hark_principal *who)
{
	return check_rate_as(app, req, resp, who, false);
}

/*
 * Failed authentications are counted per client address; past the limit the
 * address's failed lookups are answered 429 and leave no audit row, so a
 * flood of bad keys cannot grow the audit log.
 */
static void
auth_failure_key(const struct hark_req *req, char *key, size_t len)
{
	snprintf(key, len, "authfail:%s", req->remote_addr);
}

static void
count_auth_failure(struct hark_app *app, struct hark_req *req)
{
	struct hark_rl_result	 r;
	char			 key[96];

	if (app->rl == NULL)
		return;
	auth_failure_key(req, key, sizeof(key));
	hark_rl_hit(app->rl, key, (unsigned)app->conf->auth_failures, RL_WINDOW,
	    hark_rl_now(), &r);
}

/* Whether the address is over its failure limit; r says until when. */
static bool
auth_locked(struct hark_app *app, struct hark_req *req,
    struct hark_rl_result *r)
{
	char	 key[96];

	if (app->rl == NULL)
		return false;
	auth_failure_key(req, key, sizeof(key));
	return hark_rl_peek(app->rl, key, (unsigned)app->conf->auth_failures,
	    RL_WINDOW, hark_rl_now(), r) == 0 && !r->allowed;
}

/*
 * The key is looked up even for a locked-out address: behind a NAT or a
 * load balancer one bad client must not lock out everyone with a valid
 * key.  What the lock-out saves is the audit row and the 401: a locked
 * address's failures answer 429 and are not counted again.
 */
static int
authenticate(struct hark_app *app, struct hark_req *req,
    struct hark_resp *resp, bool allow_public, struct hark_principal *who)
{
	struct hark_auth_err	 err;
	struct hark_rl_result	 r;
	bool			 locked = auth_locked(app, req, &r);

	if (hark_auth_key(app->db, req, !locked, allow_public, who,
	    &err) == -1) {
		if (err.failure && locked) {
			hark_resp_error(resp, 429, "too_many_failures", NULL,
			    "too many failed authentications from this "
			    "address; retry in %u s",
			    r.retry_after ? r.retry_after : 1);
			hark_resp_header(resp, "Retry-After", "%u",
			    r.retry_after ? r.retry_after : 1);
			return -1;
		}
		if (err.failure)
			count_auth_failure(app, req);
		hark_resp_error(resp, err.status, err.code, err.field, "%s",
		    err.message);
		if (err.status == 503)
			hark_resp_header(resp, "Retry-After", HARK_RETRY_AFTER_DB);
		else if (err.status == 401)
			hark_resp_header(resp, "WWW-Authenticate",
			    "Bearer realm=\"hark\"");
		return -1;
	}
	return 0;
}

/* Reads and strictly parses a JSON body; 0, or -1 with resp filled. */
static int
read_json(struct hark_app *app, struct hark_req *req, struct hark_resp *resp,
    struct json_object **out)
{
	struct hark_buf		 body = { 0 };
	struct hark_json_err	 err;
	size_t			 max = app->conf->max_json_body;
	int			 rc;

	*out = NULL;
	rc = hark_req_read_body(req, max, &body);
	if (rc == -2) {
		hark_resp_error(resp, 413, "body_too_large", NULL,
		    "the JSON body is larger than %zu bytes", max);
		goto out;
	}
	if (rc == -1) {
		hark_resp_error(resp, 400, "bad_request", NULL,
		    "the request body could not be read");
		goto out;
	}
	if (hark_json_parse(body.data, body.len, out, &err) == -1) {
		hark_resp_error(resp, strcmp(err.code, "out_of_memory") == 0 ?
		    500 : 400, err.code, err.field[0] != '\0' ? err.field : NULL,
		    "%s", err.message);
		rc = -1;
	}
out:
	hark_buf_free(&body);
	return rc == 0 ? 0 : -1;
}

/*
 * Validates the body and fills the typed struct; 0, or -1 with resp
 * filled.  A schema that collects unknown members leaves them in rep.
 */
static int
validate(struct hark_resp *resp, struct json_object *obj,
    const struct hark_json_schema *schema, void *in,
    struct hark_json_report *rep)
{
	struct hark_json_err	 err;

	if (hark_json_validate_report(obj, schema, rep, &err) == 0 &&
	    hark_json_fill(obj, schema, in, &err) == 0)
		return 0;
	hark_resp_error(resp, strcmp(err.code, "out_of_memory") == 0 ? 500 : 400,
	    err.code, err.field[0] != '\0' ? err.field :
	    NULL, "%s", err.message);
	return -1;
}

int
hark_prologue_check_origins(struct hark_app *app, struct hark_req *req,
    struct hark_resp *resp, const struct hark_principal *who)
{
	return check_origin(app, req, resp, who);
}

int
hark_prologue_check_rate(struct hark_app *app, struct hark_req *req,
    struct hark_resp *resp, const struct hark_principal *who)
{
	return check_rate(app, req, resp, who);
}

static int
any_row(void *ctx, const char *pattern)
{
	(void)pattern;
	*(bool *)ctx = true;
	return 1;
}

int
hark_prologue_source_has_origins(struct hark_app *app, const char *source_id,
    bool *listed)
{
	int	 rc;

	*listed = false;
	rc = hark_store_source_origin_list(app->db, source_id, any_row, listed);
	return *listed ? HARK_STORE_OK : rc;
}

unsigned
hark_prologue_gate_cap(const struct hark_app *app)
{
	int	 n = app->conf->list_concurrency;

	if (n <= 0)
		n = app->conf->workers / 2;
	if (n < 1)
		n = 1;
	return n > HARK_RL_GATE_SLOTS ? HARK_RL_GATE_SLOTS : (unsigned)n;
}

int
hark_prologue_gate_enter(struct hark_app *app, const char *project_id,
    struct hark_resp *resp, struct hark_rl_ticket *t)
{
	char		 key[64];
	unsigned	 cap = hark_prologue_gate_cap(app);

	memset(t, 0, sizeof(*t));
	if (app->rl == NULL)
		return 0;
	snprintf(key, sizeof(key), "list:%s", project_id);
	if (hark_rl_enter(app->rl, key, cap, t) == -1) {
		hark_log(HARK_LOG_ERR, "concurrency gate failed: %s; request "
		    "refused", strerror(errno));
		hark_resp_error(resp, 503, "rate_limiter_unavailable", NULL,
		    "the rate limiter is unavailable; retry shortly");
		hark_resp_header(resp, "Retry-After", "1");
		return -1;
	}
	if (!t->admitted) {
		hark_resp_error(resp, 429, "too_many_concurrent_requests", NULL,
		    "at most %u list or search requests of this project are "
		    "served at once; retry shortly", cap);
		hark_resp_header(resp, "Retry-After", "1");
		return -1;
	}
	return 0;
}

void
hark_prologue_gate_leave(struct hark_app *app, struct hark_rl_ticket *t)
{
	if (app->rl != NULL && t->admitted)
		hark_rl_leave(app->rl, t);
	t->admitted = false;
}

/*
 * A browser holding a widget token (X-Hark-Public-Key + X-Hark-Token, issue
 * 15 item 7) may submit on /v1 as its source's public key may: the token
 * must be the source's, for this request's Origin (none for a server), and
 * unexpired.  A bad one is a failed authentication, like a bad key.
 */
static int
token_auth(struct hark_call *c, const char *token)
{
	const char		*pk = hark_req_header(c->req, "x-hark-public-key");
	const char		*origin = hark_req_header(c->req, "origin");
	struct hark_source	 src;
	unsigned char		 hash[HARK_KEY_HASH_LEN];
	struct hark_rl_result	 r;
	int			 rc;

	if (pk == NULL) {
		hark_resp_error(c->resp, 400, "missing_header",
		    "X-Hark-Public-Key", "X-Hark-Token comes with "
		    "X-Hark-Public-Key, the source's public key");
		return -1;
	}
	rc = !hark_key_looks_public(pk) ||
	    hark_key_hash(pk, strlen(pk), hash) == -1 ? HARK_STORE_NOT_FOUND :
	    hark_store_source_get_by_key(c->app->db, hash, &src);
	if (rc == HARK_STORE_OK && !src.disabled &&
	    hark_token_verify(&c->app->token_keys, token, src.id,
	    origin != NULL ? origin : "", (long long)time(NULL), NULL) ==
	    HARK_TOKEN_OK) {
		memset(&c->who, 0, sizeof(c->who));
		snprintf(c->who.project_id, sizeof(c->who.project_id), "%s",
		    src.project_id);
		snprintf(c->who.key_id, sizeof(c->who.key_id), "%s", src.id);
		snprintf(c->who.source_id, sizeof(c->who.source_id), "%s",
		    src.id);
		c->who.public_key = true;
		c->who.key_limit = src.rate_limit;
		c->who.project_limit = src.project_rate_limit;
		OPENSSL_cleanse(src.captcha_secret, sizeof(src.captcha_secret));
		return 0;
	}
	if (rc == HARK_STORE_OK)
		OPENSSL_cleanse(src.captcha_secret, sizeof(src.captcha_secret));
	if (rc != HARK_STORE_OK && rc != HARK_STORE_NOT_FOUND) {
		hark_respond_store(c->app, c->resp, rc);
		return -1;
	}
	if (auth_locked(c->app, c->req, &r)) {
		hark_resp_error(c->resp, 429, "too_many_failures", NULL,
		    "too many failed authentications from this address; retry "
		    "in %u s", r.retry_after ? r.retry_after : 1);
		hark_resp_header(c->resp, "Retry-After", "%u",
		    r.retry_after ? r.retry_after : 1);
		return -1;
	}
	count_auth_failure(c->app, c->req);
	hark_resp_error(c->resp, 401, "invalid_token", "X-Hark-Token",
	    "the widget token is not valid for this source and origin: "
	    "bootstrap again");
	hark_resp_header(c->resp, "WWW-Authenticate", "Bearer realm=\"hark\"");
	return -1;
}

/*
 * Who is calling, as the route asks.  HARK_AUTH_SECRET takes a secret key
 * only (a public key is 401); HARK_AUTH_PUBLIC and HARK_AUTH_KEY_OR_TOKEN
 * take a secret key, a source's public key, or a widget token with its
 * public key (token_auth).
 */
static int
check_auth(struct hark_call *c)
{
	const char	*token = hark_req_header(c->req, "x-hark-token");

	if (c->route->auth == HARK_AUTH_NONE)
		return 0;
	if (token != NULL && c->route->auth != HARK_AUTH_SECRET) {
		if (token_auth(c, token) == -1)
			return -1;
	} else if (token != NULL) {
		hark_resp_error(c->resp, 401, "public_key_not_allowed",
		    "X-Hark-Token", "a widget token may only submit; this "
		    "needs a secret key");
		hark_resp_header(c->resp, "WWW-Authenticate",
		    "Bearer realm=\"hark\"");
		return -1;
	} else if (authenticate(c->app, c->req, c->resp,
	    c->route->auth != HARK_AUTH_SECRET, &c->who) == -1)
		return -1;
	/* For the access log: the request's project, once known. */
	snprintf(c->resp->project_id, sizeof(c->resp->project_id), "%s",
	    c->who.project_id);
	if (check_origin(c->app, c->req, c->resp, &c->who) == -1)
		return -1;
	return check_rate_as(c->app, c->req, c->resp, &c->who,
	    (c->route->flags & HARK_ROUTE_POLL) != 0);
}

static int
check_input(struct hark_call *c, struct json_object **body, void **in,
    void **query, struct hark_json_report *rep)
{
	const struct hark_route	*r = c->route;

	if (r->body != NULL) {
		if ((*in = calloc(1, r->body->size ? r->body->size : 1)) == NULL)
			goto nomem;
		if (read_json(c->app, c->req, c->resp, body) == -1 ||
		    validate(c->resp, *body, r->body, *in, rep) == -1)
			return -1;
		c->in = *in;
		c->report = rep;
		c->tree = *body;
	}
	if (r->query != NULL) {
		if ((*query = calloc(1, r->query->size)) == NULL)
			goto nomem;
		if (hark_query_parse(r->query, c->req, c->resp, *query, c) == -1)
			return -1;
		c->query = *query;
	}
	return 0;
nomem:
	hark_resp_error(c->resp, 500, "internal", NULL, "out of memory");
	return -1;
}

void
hark_prologue_run(struct hark_app *app, const struct hark_route *route,
    struct hark_req *req, struct hark_resp *resp)
{
	struct hark_call	 c;
	struct hark_rl_ticket	 ticket;
	struct json_object	*body = NULL;
	struct hark_json_report	 rep = { NULL, NULL };
	void			*in = NULL, *query = NULL;

	memset(&c, 0, sizeof(c));
	c.app = app;
	c.req = req;
	c.resp = resp;
	c.route = route;
	if (check_auth(&c) == 0 &&
	    check_input(&c, &body, &in, &query, &rep) == 0) {
		if (!(route->flags & HARK_ROUTE_GATED))
			route->handler(&c);
		else if (hark_prologue_gate_enter(app, c.who.project_id, resp,
		    &ticket) == 0) {
			route->handler(&c);
			hark_prologue_gate_leave(app, &ticket);
		}
	}
	if (query != NULL)
		hark_query_free(route->query, query);
	free(query);
	free(in);
	hark_json_report_clear(&rep);
	json_object_put(body);
}
