/*
 * cors.h: origin allowlists and the CORS headers hark answers with.
 *
 * An origin is parsed strictly: scheme "://" host [":" port], nothing else
 * (no path, no userinfo, no trailing dot, never the literal "null" that
 * sandboxed frames and file: pages send), compared case-insensitively.
 *
 * A pattern is [scheme "://"] host [":" port] [/], where host may be
 * "*.domain":
 * - "*" alone allows every well-formed origin;
 * - "*.example.com" allows a.example.com and a.b.example.com, never
 *   example.com itself, evilexample.com or an IP address;
 * - with a scheme, the origin's scheme must be that one; without, it must
 *   be http or https;
 * - with a port, the origin's port (its scheme's default when it names none)
 *   must be that one; with a scheme and no port, the origin's port must be
 *   the scheme's default (https://app.example.com is not
 *   https://app.example.com:8443, another origin); only a pattern without
 *   a scheme (app.example.com, *.example.com) names a site at any port;
 * - hosts are ASCII, compared in lower case: an IDN is written as its
 *   xn-- form (as browsers send it in Origin); raw UTF-8 is refused;
 * - a malformed pattern (a wildcard anywhere but a whole leftmost label, a
 *   path) matches nothing; hark_cors_pattern_valid lets harkctl refuse it,
 *   and also a pattern without a scheme whose host is one bare word other
 *   than localhost ("notaurl"), which names no site.
 */
#ifndef HARK_CORS_H
#define HARK_CORS_H

#include <stdbool.h>
#include <stddef.h>

/* Only what some route answers: PATCH comes with the inbox issue. */
#define HARK_CORS_ALLOW_METHODS	"GET, POST, PATCH, DELETE, OPTIONS"
#define HARK_CORS_ALLOW_HEADERS	"content-type, authorization, " \
	"x-hark-project, x-hark-key, x-hark-public-key, x-hark-token, " \
	"x-earshot-project, x-earshot-key, idempotency-key, if-match, " \
	"x-request-id, mcp-protocol-version, mcp-session-id"
#define HARK_CORS_MAX_AGE	"600"
#define HARK_CORS_VARY		"Origin"
/* What a page may read of an answer (Access-Control-Expose-Headers). */
#define HARK_CORS_EXPOSE_HEADERS	"Location, Retry-After, " \
	"RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, " \
	"Idempotent-Replayed, ETag, Content-Range, Accept-Ranges, " \
	"X-Request-Id, Mcp-Session-Id"
#define HARK_CORS_ORIGIN_MAX	512	/* longer origins are refused */

/* origin is the request's Origin header; NULL is never allowed. */
bool	hark_cors_origin_allowed(const char *origin,
	    const char *const *patterns, size_t n);
bool	hark_cors_origin_valid(const char *origin);
bool	hark_cors_pattern_valid(const char *pattern);
/*
 * A source's allowlist (harkctl source --origin) takes only patterns that
 * name whole origins, so that scheme and port always count:
 * scheme "://" host [":" port] or scheme "://" "*." domain [":" port], the
 * domain of two labels at least; never "*" nor a scheme-less form.  Writes
 * the canonical form (lower case, no default port, no trailing slash) to
 * out, which the source stores and which matches as the pattern did.
 * False when the pattern is not such, or out is too small.
 */
#define HARK_CORS_PATTERN_SIZE	(HARK_CORS_ORIGIN_MAX + 1)
bool	hark_cors_source_pattern(const char *pattern, char *out, size_t size);

/*
 * The header values of a preflight answer.  Strings are static, except
 * allow_origin, which is the request's origin echoed (it points into the
 * caller's string), or NULL when the origin is refused: then only vary is
 * to be sent.
 */
struct hark_cors_preflight {
	const char	*allow_origin;	/* Access-Control-Allow-Origin */
	const char	*allow_methods;	/* Access-Control-Allow-Methods */
	const char	*allow_headers;	/* Access-Control-Allow-Headers */
	const char	*max_age;	/* Access-Control-Max-Age */
	const char	*vary;		/* Vary */
};

/* Fills out and returns whether the origin is allowed. */
bool	hark_cors_preflight(const char *origin, const char *const *patterns,
	    size_t n, struct hark_cors_preflight *out);

/*
 * Each process keeps the allowlists it read for HARK_CORS_CACHE_TTL seconds,
 * as lib/auth.c keeps keys (KEY_CACHE_TTL): a browser request otherwise
 * costs a query for its project's list (and its source's).  A change made
 * by another process (harkctl origin add) takes effect within that time; one
 * made by this process at once (the store forgets its entry).  An empty list
 * is kept too: it is what most projects have.  A list longer than
 * HARK_CORS_CACHE_BYTES is read each time.  now is CLOCK_MONOTONIC seconds
 * (hark_cors_cache_now), passed in so that the tests need no clock.
 */
#define HARK_CORS_CACHE_TTL	2
#define HARK_CORS_CACHE_SLOTS	64
#define HARK_CORS_CACHE_BYTES	8192

enum hark_cors_owner { HARK_CORS_PROJECT, HARK_CORS_SOURCE };

long	hark_cors_cache_now(void);
/*
 * A fresh entry's patterns: *blob holds *n NUL-terminated strings back to
 * back, valid until the next call that puts or forgets.  False when there
 * is none.
 */
bool	hark_cors_cache_get(enum hark_cors_owner kind, const char *owner,
	    long now, const char **blob, size_t *n);
/* Keeps n patterns (blob as above, len bytes in all) for owner. */
void	hark_cors_cache_put(enum hark_cors_owner kind, const char *owner,
	    long now, const char *blob, size_t len, size_t n);
/* Drops owner's entry; owner NULL drops every entry. */
void	hark_cors_cache_forget(enum hark_cors_owner kind, const char *owner);

#endif
