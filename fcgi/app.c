/*
 * app.c: the application a worker holds (its database handle and its rate
 * limit table) and the way every request takes through it: size and path
 * checks, CORS headers, routing, 405 and preflight, the body's media type,
 * then the route's prologue and handler (prologue.c).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "app.h"
#include "conf.h"
#include "cors.h"
#include "store.h"
#include "log.h"
#include "media.h"
#include "prologue.h"
#include "ratelimit.h"
#include "router.h"
#include "watchdog.h"

struct hark_app *
hark_app_new(const struct hark_conf *conf)
{
	struct hark_app	*app;
	char		 path[4096], why[256];

	if ((app = calloc(1, sizeof(*app))) == NULL)
		return NULL;
	app->conf = conf;
	if ((app->db = hark_store_open(conf)) == NULL) {
		hark_log(HARK_LOG_ERR, "cannot make a database handle");
		free(app);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s", conf->state_dir,
	    HARK_RL_FILE_NAME);
	/* Without the table, limits are not enforced: loud, but serving. */
	if (hark_rl_open(path, 0, &app->rl) == -1)
		hark_log(HARK_LOG_ERR, "rate limits are OFF: cannot open %s: %s",
		    path, strerror(errno));
	/* One libmagic database per process, loaded once: uploads are typed
	 * by content.  Without it an upload answers 500, the rest serves. */
	if (hark_media_magic_open(why, sizeof(why)) == -1)
		hark_log(HARK_LOG_ERR, "uploads are OFF: %s", why);
	if (hark_token_keys_load(conf->widget_token_secret_file,
	    conf->widget_token_previous_secret_file, &app->token_keys, why,
	    sizeof(why)) == 0)
		app->tokens_ok = true;
	else
		hark_log(HARK_LOG_ERR, "widget tokens are OFF (harkctl secret "
		    "init makes the secret): %s", why);
	/* Shared by every worker of the state directory, so a cursor one
	 * worker gave out is good at the next. */
	if (hark_cursor_key_load(conf->state_dir, &app->cursor_key) == -1)
		hark_log(HARK_LOG_ERR, "cursors are good in this worker only: "
		    "cannot read or make %s/%s: %s", conf->state_dir,
		    HARK_CURSOR_KEY_FILE, strerror(errno));
	return app;
}

void
hark_app_free(struct hark_app *app)
{
	if (app == NULL)
		return;
	hark_store_close(app->db);
	if (app->rl != NULL)
		hark_rl_close(app->rl);
	OPENSSL_cleanse(&app->cursor_key, sizeof(app->cursor_key));
	hark_token_keys_wipe(&app->token_keys);
	free(app);
}

/*
 * CORS: any /v1, /feedback or /mcp response to a browser request names the
 * origin, so pages (and browser MCP clients) can read errors too; the
 * project's allowlist is enforced once the key tells which project it is
 * (prologue.c, and mcp.c's DNS-rebinding rule), since a preflight carries
 * no key.
 */
static void
cors_headers(struct hark_req *req, struct hark_resp *resp)
{
	const char	*origin = hark_req_header(req, "origin");

	if (origin == NULL || (strncmp(req->path, "/v1/", 4) != 0 &&
	    strncmp(req->path, "/feedback/", 10) != 0 &&
	    strcmp(req->path, "/mcp") != 0) ||
	    !hark_cors_origin_valid(origin))
		return;
	hark_resp_header(resp, "Access-Control-Allow-Origin", "%s", origin);
	hark_resp_header(resp, "Vary", "%s", HARK_CORS_VARY);
	hark_resp_header(resp, "Access-Control-Expose-Headers", "%s",
	    HARK_CORS_EXPOSE_HEADERS);
	/* A request its watchdog ends answers with these too. */
	hark_watchdog_cors(origin);
}

/* OPTIONS on a known path: the preflight answer, 204. */
static void
preflight(struct hark_app *app, struct hark_req *req, struct hark_resp *resp,
    const char *allow)
{
	const char	*origin = hark_req_header(req, "origin");

	if (origin != NULL && !hark_cors_origin_valid(origin)) {
		hark_resp_error(resp, 403, "origin_not_allowed", "Origin",
		    "the Origin header is not a valid origin");
		return;
	}
	resp->status = 204;
	hark_resp_header(resp, "Allow", "%s, OPTIONS", allow);
	if (origin == NULL)
		return;
	hark_resp_header(resp, "Access-Control-Allow-Methods", "%s",
	    HARK_CORS_ALLOW_METHODS);
	hark_resp_header(resp, "Access-Control-Allow-Headers", "%s",
	    HARK_CORS_ALLOW_HEADERS);
	hark_resp_header(resp, "Access-Control-Max-Age", "%d",
	    app->conf->cors_max_age);
}

/* Every body type route's method and path take, for a 415. */
static void
accepted_types(const struct hark_route *route, char *out, size_t len)
{
	size_t	 i;

	out[0] = '\0';
	for (i = 0; i < hark_nroutes; i++) {
		if (hark_routes[i].accepts == NULL ||
		    strcmp(hark_routes[i].method, route->method) != 0 ||
		    strcmp(hark_routes[i].pattern, route->pattern) != 0)
			continue;
		if (out[0] != '\0')
			strncat(out, " ", len - strlen(out) - 1);
		strncat(out, hark_routes[i].accepts, len - strlen(out) - 1);
	}
}

/* Checks what can be checked before the handler reads a byte of the body. */
static int
check_body(struct hark_app *app, const struct hark_route *route,
    struct hark_req *req, struct hark_resp *resp)
{
	size_t	 max = route->max_body ? route->max_body :
		    (route->flags & HARK_ROUTE_JSON_BODY) ?
		    app->conf->max_json_body : app->conf->max_body;
	char	 types[128];
	int	 has_body = req->content_length > 0 ||
		    (req->content_length < 0 && req->content_type != NULL);

	if (!has_body || route->accepts == NULL)
		return 0;
	if ((route->flags & HARK_ROUTE_UPLOAD) && app->conf->max_submission < max)
		max = app->conf->max_submission;
	if (!hark_router_accepts(route, req)) {
		accepted_types(route, types, sizeof(types));
		hark_resp_error(resp, 415, "unsupported_media_type",
		    "Content-Type", "Content-Type must be one of: %s", types);
		return -1;
	}
	if (req->content_length > 0 && (unsigned long long)req->content_length > max) {
		hark_resp_error(resp, 413, "body_too_large", NULL,
		    "the request body is larger than %zu bytes", max);
		return -1;
	}
	return 0;
}

void
hark_app_handle(struct hark_app *app, struct hark_req *req,
    struct hark_resp *resp)
{
	const struct hark_route	*route;
	const char		*why;
	char			 allow[128];
	int			 status;

	if (req->content_length > 0 &&
	    (unsigned long long)req->content_length > app->conf->max_body) {
		hark_resp_error(resp, 413, "body_too_large", NULL,
		    "the request body is larger than %zu bytes",
		    app->conf->max_body);
		return;
	}
	if (req->path == NULL &&
	    (status = hark_req_parse_uri(req, app->conf->base_path, &why)) != 0) {
		hark_resp_error(resp, status, status == 414 ? "uri_too_long" :
		    status == 404 ? "not_found" : "bad_path", NULL, "%s", why);
		return;
	}
	cors_headers(req, resp);
	switch (hark_router_match(hark_routes, hark_nroutes, req, &route,
	    allow, sizeof(allow))) {
	case HARK_ROUTE_FOUND:
		break;
	case HARK_ROUTE_NO_METHOD:
		if (strcmp(req->method, "OPTIONS") == 0) {
			preflight(app, req, resp, allow);
			return;
		}
		hark_resp_error(resp, 405, "method_not_allowed", NULL,
		    "this endpoint answers %s", allow);
		hark_resp_header(resp, "Allow", "%s, OPTIONS", allow);
		return;
	case HARK_ROUTE_NO_PATH:
		hark_resp_error(resp, 404, "not_found", NULL,
		    "there is no endpoint at this path");
		return;
	default:
		hark_resp_error(resp, 500, "internal", NULL, "out of memory");
		return;
	}
	if (route->flags & HARK_ROUTE_WIDGET)
		resp->widget_errors = true;
	if (check_body(app, route, req, resp) == -1)
		return;
	hark_prologue_run(app, route, req, resp);
}
