/*
 * router.h: the route table, method + path pattern with {param} segments.
 *
 * The table is data (routes.c); matching is one loop.  A path that matches
 * some route but not its method gets 405 with Allow; a route that takes a
 * body names the media types it accepts, anything else gets 415.
 *
 * A route is a declaration: besides method, path and handler it names the
 * authentication it needs, the schema of its JSON body and of its query.
 * The application's prologue (app.c, prologue.c) does all of that once,
 * before the handler, which gets the typed result in a struct hark_call.
 */
#ifndef HARK_ROUTER_H
#define HARK_ROUTER_H

#include <stddef.h>

#include "auth.h"

struct hark_app;
struct hark_json_report;
struct json_object;
struct hark_json_schema;
struct hark_query_schema;
struct hark_req;
struct hark_resp;
struct hark_route;

/* What a route's caller must prove before its handler runs. */
enum hark_route_auth {
	HARK_AUTH_NONE = 0,	/* anyone (health, preflight) */
	HARK_AUTH_SECRET,	/* a secret key (sk_...): read, change, erase */
	HARK_AUTH_PUBLIC,	/* a source's public key or widget token (a
				 * secret key is taken too) */
	HARK_AUTH_KEY_OR_TOKEN	/* either: the submission paths; a public key
				 * gets who.public_key and who.source_id */
};

/*
 * One request as its handler sees it, after the prologue: who is calling
 * (when the route asks for auth), the body filled into the route's typed
 * struct, the query into its own.  in and query are NULL for a route
 * without that schema; both are freed after the handler returns.
 */
struct hark_call {
	struct hark_app		*app;
	struct hark_req		*req;
	struct hark_resp	*resp;
	const struct hark_route	*route;
	struct hark_principal	 who;
	const void		*in;
	const void		*query;
	/* What a collecting body schema let through (unknown members), or
	 * NULL; its members are NULL when nothing was unknown. */
	const struct hark_json_report	*report;
	/* The parsed body the typed struct was filled from (NULL without
	 * a body schema): for telling a member that is null from one that
	 * is absent, which the typed struct cannot. */
	const struct json_object	*tree;
};

typedef void	(*hark_handler_fn)(const struct hark_call *);

#define HARK_ROUTE_WIDGET	0x01	/* errors carry "success": false */
#define HARK_ROUTE_JSON_BODY	0x02	/* body limit: [limits] max_json_body */
#define HARK_ROUTE_GATED	0x04	/* a heavy read: per-project concurrency cap */
#define HARK_ROUTE_UPLOAD	0x08	/* body limit: [limits] max_submission */
#define HARK_ROUTE_POLL		0x10	/* counted apart, at 10x: a widget polls */

struct hark_route {
	const char	*method;
	const char	*pattern;
	hark_handler_fn	 handler;
	/* Space-separated media types a body may have; NULL = no body. */
	const char	*accepts;
	/* Largest body for this route, 0 = the server's max_body (or the
	 * JSON limit with HARK_ROUTE_JSON_BODY). */
	size_t		 max_body;
	unsigned	 flags;
	enum hark_route_auth		 auth;
	/* The JSON body, validated and filled into a struct of its size. */
	const struct hark_json_schema	*body;
	/* The query string, parsed into a struct of its size. */
	const struct hark_query_schema	*query;
};

enum hark_route_rc {
	HARK_ROUTE_FOUND = 0,
	HARK_ROUTE_NO_PATH,		/* 404 */
	HARK_ROUTE_NO_METHOD,		/* 405, allow filled */
	HARK_ROUTE_NOMEM
};

/*
 * Finds the route for req, filling req's params.  Routes of one method and
 * path that take different bodies (JSON, multipart) are told apart by the
 * request's Content-Type: the first that accepts it, else the first.  On HARK_ROUTE_NO_METHOD,
 * allow receives the methods the path does answer ("GET, POST").
 */
enum hark_route_rc hark_router_match(const struct hark_route *routes,
		    size_t nroutes, struct hark_req *req,
		    const struct hark_route **found, char *allow, size_t allowlen);

/* Whether req's Content-Type is one of route->accepts. */
int		 hark_router_accepts(const struct hark_route *route,
		    const struct hark_req *req);

/* The application's table, in routes.c. */
extern const struct hark_route	hark_routes[];
extern const size_t		hark_nroutes;

#endif
