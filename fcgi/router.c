/* router.c: matches a request against the route table, segment by segment. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "router.h"

/*
 * Matches path against pattern; on success stores up to HARK_MAX_PARAMS
 * {name} captures into names/values (values malloc'ed, caller frees them).
 * Returns 1 on a match, 0 on none, -1 on ENOMEM.
 */
static int
pattern_match(const char *pattern, const char *path, const char **names,
    char **values, size_t *n)
{
	const char	*p = pattern, *s = path, *pe, *se;
	size_t		 k = 0;

	while (*p != '\0' && *s != '\0') {
		if (*p != '/' || *s != '/')
			goto nomatch;
		p++, s++;
		pe = strchr(p, '/');
		pe = pe ? pe : p + strlen(p);
		se = strchr(s, '/');
		se = se ? se : s + strlen(s);
		if (*p == '{') {
			/* A parameter is a whole, non-empty segment. */
			if (se == s || k == HARK_MAX_PARAMS)
				goto nomatch;
			names[k] = p + 1;
			if ((values[k] = strndup(s, (size_t)(se - s))) == NULL)
				goto nomem;
			k++;
		} else if (pe - p != se - s || strncmp(p, s, (size_t)(pe - p)) != 0)
			goto nomatch;
		p = pe, s = se;
	}
	if (*p != '\0' || *s != '\0')
		goto nomatch;
	*n = k;
	return 1;
nomatch:
	while (k > 0)
		free(values[--k]);
	return 0;
nomem:
	while (k > 0)
		free(values[--k]);
	return -1;
}

static int
method_is(const char *route_method, const char *method)
{
	if (strcmp(route_method, method) == 0)
		return 1;
	/* HEAD is GET without a body; server.c drops the body. */
	return strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0;
}

static void
allow_add(char *allow, size_t allowlen, const char *method)
{
	if (strstr(allow, method) != NULL)
		return;
	if (allow[0] != '\0')
		strncat(allow, ", ", allowlen - strlen(allow) - 1);
	strncat(allow, method, allowlen - strlen(allow) - 1);
}

/*
 * Of the routes with route i's method and pattern, the first whose body
 * types take req's Content-Type; i when none does (its 415 then names
 * them all, see app.c).
 */
static size_t
by_content_type(const struct hark_route *routes, size_t nroutes, size_t i,
    const struct hark_req *req)
{
	size_t	 j;

	if (req->content_type == NULL || routes[i].accepts == NULL ||
	    hark_router_accepts(&routes[i], req))
		return i;
	for (j = i + 1; j < nroutes; j++)
		if (strcmp(routes[j].method, routes[i].method) == 0 &&
		    strcmp(routes[j].pattern, routes[i].pattern) == 0 &&
		    hark_router_accepts(&routes[j], req))
			return j;
	return i;
}

enum hark_route_rc
hark_router_match(const struct hark_route *routes, size_t nroutes,
    struct hark_req *req, const struct hark_route **found, char *allow,
    size_t allowlen)
{
	const char	*names[HARK_MAX_PARAMS];
	char		*values[HARK_MAX_PARAMS];
	size_t		 i, n;
	int		 m, path_seen = 0;

	*found = NULL;
	if (allowlen > 0)
		allow[0] = '\0';
	for (i = 0; i < nroutes; i++) {
		m = pattern_match(routes[i].pattern, req->path, names, values, &n);
		if (m == -1)
			return HARK_ROUTE_NOMEM;
		if (m == 0)
			continue;
		if (!method_is(routes[i].method, req->method)) {
			path_seen = 1;
			allow_add(allow, allowlen, routes[i].method);
			if (strcmp(routes[i].method, "GET") == 0)
				allow_add(allow, allowlen, "HEAD");
			while (n > 0)
				free(values[--n]);
			continue;
		}
		i = by_content_type(routes, nroutes, i, req);
		memcpy(req->param_names, names, n * sizeof(names[0]));
		memcpy(req->param_values, values, n * sizeof(values[0]));
		req->nparams = n;
		*found = &routes[i];
		return HARK_ROUTE_FOUND;
	}
	return path_seen ? HARK_ROUTE_NO_METHOD : HARK_ROUTE_NO_PATH;
}

int
hark_router_accepts(const struct hark_route *route, const struct hark_req *req)
{
	const char	*a, *end;
	char		 type[64];
	size_t		 len;

	if (route->accepts == NULL)
		return 0;
	for (a = route->accepts; *a != '\0'; a = *end ? end + 1 : end) {
		end = strchr(a, ' ');
		end = end ? end : a + strlen(a);
		len = (size_t)(end - a);
		if (len == 0 || len >= sizeof(type))
			continue;
		memcpy(type, a, len);
		type[len] = '\0';
		if (hark_req_content_type_is(req, type))
			return 1;
	}
	return 0;
}
