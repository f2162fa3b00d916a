/*
 * fuzz_path.c: libFuzzer harness for path decoding and the router.
 *
 * fuzz-sources: fcgi/router.c lib/http.c lib/buf.c
 * fuzz-pkgs: json-c
 *
 * Input: one byte choosing the method, one choosing the base path, then the
 * request target (REQUEST_URI).  Besides never crashing or leaking, it
 * checks what routing relies on:
 *  - hark_path_decode makes no slash that was not a literal '/' (so
 *    "%2F" can never split or join segments), and no NUL;
 *  - a FOUND route has the request's method (HEAD answering as GET), and
 *    its pattern with the captured values put back is the path itself:
 *    every {param} is one whole, non-empty segment;
 *  - 405 names only methods of the table, and 404 none.
 * Its own table, with the shapes of fcgi/routes.c, keeps it independent of
 * the application's handlers.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "router.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct hark_route routes[] = {
	{ .method = "GET", .pattern = "/v1/health" },
	{ .method = "POST", .pattern = "/v1/feedback",
	    .accepts = "application/json" },
	{ .method = "GET", .pattern = "/v1/feedback" },
	{ .method = "GET", .pattern = "/v1/feedback/{id}" },
	{ .method = "DELETE", .pattern = "/v1/feedback/{id}" },
	{ .method = "PATCH", .pattern = "/v1/feedback/{id}/comments/{cid}" },
	{ .method = "GET", .pattern = "/v1/projects/{p}/keys/{k}/uses" },
	{ .method = "GET", .pattern = "/{a}/{b}/{c}/{d}" },
	{ .method = "PUT", .pattern = "/{a}/{b}/{c}/{d}/{e}" },	/* > MAX_PARAMS */
};
#define NROUTES	(sizeof(routes) / sizeof(routes[0]))

static const char *const methods[] = {
	"GET", "HEAD", "POST", "DELETE", "PATCH", "PUT", "OPTIONS", "get", ""
};
static const char *const bases[] = { "", "/hark", "/v1" };

static size_t
count_slashes(const char *s, size_t n)
{
	size_t	 i, k = 0;

	for (i = 0; i < n; i++)
		k += s[i] == '/';
	return k;
}

/* The pattern with the captured values in place of its {param} segments. */
static void
check_found(const struct hark_route *r, const struct hark_req *req)
{
	char		 rebuilt[HARK_MAX_PATH * 2 + 64];
	const char	*p = r->pattern, *end;
	size_t		 len = 0, k = 0, n;

	if (strcmp(r->method, req->method) != 0 &&
	    !(strcmp(req->method, "HEAD") == 0 && strcmp(r->method, "GET") == 0))
		abort();
	while (*p != '\0') {
		if (*p == '{') {
			end = strchr(p, '}');
			if (k >= req->nparams || req->param_values[k][0] == '\0' ||
			    strchr(req->param_values[k], '/') != NULL ||
			    strncmp(req->param_names[k], p + 1,
			    (size_t)(end - p - 1)) != 0)
				abort();
			n = strlen(req->param_values[k]);
			if (len + n >= sizeof(rebuilt))
				abort();
			memcpy(rebuilt + len, req->param_values[k], n);
			len += n;
			k++;
			p = end + 1;
		} else {
			if (len + 1 >= sizeof(rebuilt))
				abort();
			rebuilt[len++] = *p++;
		}
	}
	rebuilt[len] = '\0';
	if (k != req->nparams || strcmp(rebuilt, req->path) != 0)
		abort();
}

static void
check_allow(const char *allow)
{
	char		 copy[128], *tok, *save = NULL;
	size_t		 i;
	int		 known;

	if (allow[0] == '\0')
		abort();
	snprintf(copy, sizeof(copy), "%s", allow);
	for (tok = strtok_r(copy, ", ", &save); tok != NULL;
	    tok = strtok_r(NULL, ", ", &save)) {
		known = strcmp(tok, "HEAD") == 0;
		for (i = 0; i < NROUTES; i++)
			known |= strcmp(routes[i].method, tok) == 0;
		if (!known)
			abort();
	}
}

/* hark_path_decode on the raw bytes, NULs included. */
static void
check_decode(const uint8_t *data, size_t size)
{
	const char	*why;
	char		*out;

	if (hark_path_decode((const char *)data, size, &out, &why) == -1)
		return;
	if (out[0] != '/' || strlen(out) > size ||
	    count_slashes(out, strlen(out)) !=
	    count_slashes((const char *)data, size))
		abort();
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct hark_route	*found;
	struct hark_req		 req;
	const char		*why;
	char			 allow[128];

	if (size < 2)
		return 0;
	check_decode(data + 2, size - 2);
	hark_req_init(&req);
	if ((req.method = strdup(methods[data[0] % (sizeof(methods) /
	    sizeof(methods[0]))])) == NULL ||
	    (req.uri = malloc(size - 1)) == NULL)
		goto out;
	memcpy(req.uri, data + 2, size - 2);
	req.uri[size - 2] = '\0';
	if (hark_req_parse_uri(&req, bases[data[1] % (sizeof(bases) /
	    sizeof(bases[0]))], &why) != 0)
		goto out;
	switch (hark_router_match(routes, NROUTES, &req, &found, allow,
	    sizeof(allow))) {
	case HARK_ROUTE_FOUND:
		check_found(found, &req);
		/* The Content-Type check never reads past what it is given. */
		if ((req.content_type = strndup(req.query, 80)) == NULL)
			goto out;
		(void)hark_router_accepts(found, &req);
		break;
	case HARK_ROUTE_NO_METHOD:
		check_allow(allow);
		break;
	case HARK_ROUTE_NO_PATH:
		if (allow[0] != '\0')
			abort();
		break;
	case HARK_ROUTE_NOMEM:
		break;
	}
out:
	hark_req_free(&req);
	return 0;
}
