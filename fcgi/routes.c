/*
 * routes.c: hark's route table, one line per endpoint: method, path, handler,
 * accepted body types, body limit, flags, the auth it needs, its body and
 * query schemas (declared beside their handlers).  doc/HACKING says how to
 * add one.
 */
#include "config.h"

#include <stddef.h>

#include "earshot_schema.h"
#include "handlers/handlers.h"
#include "router.h"

#define JSON	"application/json"
#define MULTIPART	"multipart/form-data"

const struct hark_route hark_routes[] = {
	{ "GET", "/v1/health", hark_handle_health, NULL, 0, 0,
	  HARK_AUTH_NONE, NULL, NULL },
	/* The pool's status, for [server] status_allow only: every method is
	 * the handler's, so that to anyone else the path answers 404 like
	 * one without an endpoint, never 405 with an Allow naming GET. */
	{ "GET", "/v1/status", hark_handle_status, NULL, 0, 0,
	  HARK_AUTH_NONE, NULL, NULL },
	{ "POST", "/v1/status", hark_handle_status, NULL, 0, 0,
	  HARK_AUTH_NONE, NULL, NULL },
	{ "PUT", "/v1/status", hark_handle_status, NULL, 0, 0,
	  HARK_AUTH_NONE, NULL, NULL },
	{ "PATCH", "/v1/status", hark_handle_status, NULL, 0, 0,
	  HARK_AUTH_NONE, NULL, NULL },
	{ "DELETE", "/v1/status", hark_handle_status, NULL, 0, 0,
	  HARK_AUTH_NONE, NULL, NULL },
	{ "OPTIONS", "/v1/status", hark_handle_status, NULL, 0, 0,
	  HARK_AUTH_NONE, NULL, NULL },
	{ "POST", "/v1/feedback", hark_handle_feedback_create, JSON, 0,
	  HARK_ROUTE_JSON_BODY, HARK_AUTH_KEY_OR_TOKEN, &hark_feedback_create_body,
	  NULL },
	/* The same path with a multipart body: the router picks by type. */
	{ "POST", "/v1/feedback", hark_handle_feedback_upload, MULTIPART, 0,
	  HARK_ROUTE_UPLOAD, HARK_AUTH_KEY_OR_TOKEN, NULL, NULL },
	{ "GET", "/v1/feedback", hark_handle_feedback_list, NULL, 0,
	  HARK_ROUTE_GATED, HARK_AUTH_SECRET, NULL, &hark_feedback_list_query },
	{ "GET", "/v1/feedback/{id}", hark_handle_feedback_get, NULL, 0, 0,
	  HARK_AUTH_SECRET, NULL, NULL },
	{ "DELETE", "/v1/feedback/{id}", hark_handle_feedback_delete, NULL, 0, 0,
	  HARK_AUTH_SECRET, NULL, NULL },
	{ "PATCH", "/v1/feedback/{id}", hark_handle_feedback_patch, JSON, 0,
	  HARK_ROUTE_JSON_BODY, HARK_AUTH_SECRET, &hark_feedback_patch_body,
	  NULL },
	{ "GET", "/v1/feedback/{id}/comments", hark_handle_comment_list, NULL, 0,
	  0, HARK_AUTH_SECRET, NULL, &hark_comment_list_query },
	{ "POST", "/v1/feedback/{id}/comments", hark_handle_comment_create, JSON,
	  0, HARK_ROUTE_JSON_BODY, HARK_AUTH_SECRET, &hark_comment_create_body,
	  NULL },
	{ "GET", "/v1/feedback/{id}/media/{kind}", hark_handle_media_get, NULL,
	  0, 0, HARK_AUTH_SECRET, NULL, NULL },
	{ "GET", "/v1/feedback/session/{sessionId}/state",
	  hark_handle_session_state, NULL, 0, HARK_ROUTE_POLL,
	  HARK_AUTH_KEY_OR_TOKEN, NULL, NULL },
	{ "POST", "/v1/identify", hark_handle_identify, JSON, 0,
	  HARK_ROUTE_JSON_BODY, HARK_AUTH_KEY_OR_TOKEN,
	  &hark_earshot_identify_schema, NULL },
	{ "POST", "/v1/reporters/erase", hark_handle_reporter_erase, JSON, 0,
	  HARK_ROUTE_JSON_BODY, HARK_AUTH_SECRET, &hark_reporter_erase_body, NULL },
	/* The Model Context Protocol (Streamable HTTP): the handler reads
	 * the JSON-RPC body itself, since a parse error is -32700, not 400. */
	{ "POST", "/mcp", hark_handle_mcp, JSON, 0, HARK_ROUTE_JSON_BODY,
	  HARK_AUTH_SECRET, NULL, NULL },
	/* The widget flow: the public key is in the query or body. */
	{ "GET", "/feedback/widget/bootstrap", hark_handle_widget_bootstrap,
	  NULL, 0, HARK_ROUTE_WIDGET, HARK_AUTH_NONE, NULL,
	  &hark_widget_bootstrap_query },
	{ "POST", "/feedback/ingest", hark_handle_widget_ingest, JSON, 0,
	  HARK_ROUTE_WIDGET | HARK_ROUTE_JSON_BODY, HARK_AUTH_NONE,
	  &hark_widget_ingest_body, NULL },
	/* Monitors: the hook's secret or Sentry's signature, in the handler. */
	{ "POST", "/v1/hooks/{kind}", hark_handle_hook, JSON,
	  HARK_HOOK_BODY_MAX, 0, HARK_AUTH_NONE, NULL, &hark_hook_query },
};
const size_t hark_nroutes = sizeof(hark_routes) / sizeof(hark_routes[0]);
