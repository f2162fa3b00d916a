/*
 * router.h: the route table, method + path pattern with {param} segments.
 *
 * The table is data (routes.c); matching is one loop.  A path that matches
 * some route but not its method gets 405 with Allow; a route that takes a
 * body names the media types it accepts, anything else gets 415.
 */
#ifndef HARK_ROUTER_H
#define HARK_ROUTER_H

#include <stddef.h>

struct hark_app;
struct hark_req;
struct hark_resp;

typedef void	(*hark_handler_fn)(struct hark_app *, struct hark_req *,
		    struct hark_resp *);

#define HARK_ROUTE_WIDGET	0x01	/* errors carry "success": false */
#define HARK_ROUTE_JSON_BODY	0x02	/* body limit: [limits] max_json_body */

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
};

enum hark_route_rc {
	HARK_ROUTE_FOUND = 0,
	HARK_ROUTE_NO_PATH,		/* 404 */
	HARK_ROUTE_NO_METHOD,		/* 405, allow filled */
	HARK_ROUTE_NOMEM
};

/*
 * Finds the route for req, filling req's params.  On HARK_ROUTE_NO_METHOD,
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
