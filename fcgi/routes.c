/* routes.c: hark's route table and the path every request takes through the application. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "conf.h"
#include "cors.h"
#include "db.h"
#include "handlers/handlers.h"
#include "log.h"
#include "ratelimit.h"
#include "router.h"

#define JSON	"application/json"

const struct hark_route hark_routes[] = {
	{ "GET", "/v1/health", hark_handle_health, NULL, 0, 0 },
	{ "POST", "/v1/feedback", hark_handle_feedback_create, JSON, 0,
	  HARK_ROUTE_JSON_BODY },
	{ "GET", "/v1/feedback", hark_handle_feedback_list, NULL, 0, 0 },
	{ "GET", "/v1/feedback/{id}", hark_handle_feedback_get, NULL, 0, 0 },
	{ "DELETE", "/v1/feedback/{id}", hark_handle_feedback_delete, NULL, 0, 0 },
};
const size_t hark_nroutes = sizeof(hark_routes) / sizeof(hark_routes[0]);

struct hark_app *
hark_app_new(const struct hark_conf *conf)
{
	struct hark_app	*app;
	char		 path[4096];

	if ((app = calloc(1, sizeof(*app))) == NULL)
		return NULL;
	app->conf = conf;
	if ((app->db = hark_db_new(conf)) == NULL) {
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
	return app;
}

void
hark_app_free(struct hark_app *app)
{
	if (app == NULL)
		return;
	hark_db_free(app->db);
	if (app->rl != NULL)
		hark_rl_close(app->rl);
	free(app);
}

void
hark_respond_db_error(struct hark_app *app, struct hark_resp *resp, int rc)
{
	if (rc == HARK_DB_UNAVAILABLE || rc == HARK_DB_RETRY ||
	    rc == HARK_DB_TIMEOUT || rc == HARK_DB_OUTCOME_UNKNOWN) {
		/* Say why (a full disk, a lost server) once per refusal: the
		 * message never holds user data (lib/db scrubs it). */
		hark_log(HARK_LOG_WARN, "database unavailable: %s",
		    hark_db_errmsg(app->db));
		hark_resp_error(resp, 503, "database_unavailable", NULL,
		    "the database is unavailable; retry shortly");
		hark_resp_header(resp, "Retry-After", "5");
		return;
	}
	hark_log(HARK_LOG_ERR, "database error %u: %s", hark_db_errno(app->db),
	    hark_db_errmsg(app->db));
	hark_resp_error(resp, 500, "internal", NULL,
	    "an internal error occurred; it has been logged");
}

/*
 * CORS: any /v1 response to a browser request names the origin, so pages can
 * read errors too; the project's allowlist is enforced once the key tells
 * which project it is (handlers/api.c), since a preflight carries no key.
 */
static void
cors_headers(struct hark_req *req, struct hark_resp *resp)
{
	const char	*origin = hark_req_header(req, "origin");

	if (origin == NULL || strncmp(req->path, "/v1/", 4) != 0 ||
	    !hark_cors_origin_valid(origin))
		return;
	hark_resp_header(resp, "Access-Control-Allow-Origin", "%s", origin);
	hark_resp_header(resp, "Vary", "Origin");
	hark_resp_header(resp, "Access-Control-Expose-Headers",
	    "Location, Retry-After, RateLimit-Limit, RateLimit-Remaining, "
	    "RateLimit-Reset");
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

/* Checks what can be checked before the handler reads a byte of the body. */
static int
check_body(struct hark_app *app, const struct hark_route *route,
    struct hark_req *req, struct hark_resp *resp)
{
	size_t	 max = route->max_body ? route->max_body :
		    (route->flags & HARK_ROUTE_JSON_BODY) ?
		    app->conf->max_json_body : app->conf->max_body;
	int	 has_body = req->content_length > 0 ||
		    (req->content_length < 0 && req->content_type != NULL);

	if (!has_body || route->accepts == NULL)
		return 0;
	if (!hark_router_accepts(route, req)) {
		hark_resp_error(resp, 415, "unsupported_media_type",
		    "Content-Type", "Content-Type must be one of: %s",
		    route->accepts);
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
		hark_resp_header(resp, "Allow", "%s", allow);
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
	route->handler(app, req, resp);
}
