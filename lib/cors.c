/* cors.c: parses origins and allowlist patterns and matches one against the other. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cors.h"

#define CORS_SCHEME_MAX	32
#define CORS_HOST_MAX	254

/*
 * ASCII classes, whatever the locale: under a UTF-8 locale <ctype.h> may
 * call bytes of a non-ASCII host letters.  Origins are ASCII (a browser
 * sends an IDN as its xn-- form), so a raw IDN is refused, never mapped.
 */
static bool
a_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool
a_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
a_alnum(int c)
{
	return a_alpha(c) || a_digit(c);
}

static bool
a_xdigit(int c)
{
	return a_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static char
a_lower(int c)
{
	return (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
}

/* An origin, or a pattern once parsed; everything lower case. */
struct cors_url {
	char	 scheme[CORS_SCHEME_MAX];	/* "" in a pattern without one */
	char	 host[CORS_HOST_MAX];		/* a wildcard's suffix, without "*." */
	long	 port;				/* -1 when not given */
	bool	 any;				/* the pattern "*" */
	bool	 wildcard;
	bool	 ip;				/* a literal address */
};

static bool
cors_scheme(const char *s, size_t len, struct cors_url *u)
{
	size_t	 i;

	if (len == 0 || len >= CORS_SCHEME_MAX || !a_alpha(s[0]))
		return false;
	for (i = 0; i < len; i++) {
		if (!a_alnum(s[i]) && s[i] != '+' &&
		    s[i] != '-' && s[i] != '.')
			return false;
		u->scheme[i] = a_lower(s[i]);
	}
	u->scheme[len] = '\0';
	return true;
}

/* ":" and 1 to 5 digits, 1 to 65535. */
static bool
cors_port(const char *s, size_t len, struct cors_url *u)
{
	size_t	 i;
	long	 v = 0;

	if (len < 2 || len > 6 || s[0] != ':')
		return false;
	for (i = 1; i < len; i++) {
		if (!a_digit(s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return false;
	u->port = v;
	return true;
}

/* Dot-separated labels of letters, digits, '-' and '_', none empty. */
static bool
cors_hostname(const char *s, size_t len, struct cors_url *u)
{
	size_t	 i, label = 0;
	bool	 numeric = true;

	if (len == 0 || len >= CORS_HOST_MAX)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (a_alnum(s[i]) || s[i] == '-' ||
		    s[i] == '_') {
			if (++label > 63)
				return false;
			if (!a_digit(s[i]))
				numeric = false;
		} else
			return false;
		u->host[i] = a_lower(s[i]);
	}
	u->host[len] = '\0';
	u->ip = numeric;
	return label > 0;
}

/* "[" hex digits, ':' and '.' "]". */
static bool
cors_ipv6(const char *s, size_t len, struct cors_url *u)
{
	size_t	 i;

	if (len < 3 || len >= CORS_HOST_MAX || s[len - 1] != ']')
		return false;
	for (i = 1; i < len - 1; i++)
		if (!a_xdigit(s[i]) && s[i] != ':' && s[i] != '.')
			return false;
	for (i = 0; i < len; i++)
		u->host[i] = a_lower(s[i]);
	u->host[len] = '\0';
	u->ip = true;
	return true;
}

/* host [":" port], the part after "scheme://". */
static bool
cors_authority(const char *s, size_t len, bool pattern, struct cors_url *u)
{
	const char	*colon;
	size_t		 hlen;

	if (s[0] == '[') {
		colon = memchr(s, ']', len);
		hlen = colon == NULL ? len : (size_t)(colon - s) + 1;
	} else {
		colon = memchr(s, ':', len);
		hlen = colon == NULL ? len : (size_t)(colon - s);
	}
	if (hlen < len && !cors_port(s + hlen, len - hlen, u))
		return false;
	if (s[0] == '[')
		return cors_ipv6(s, hlen, u);
	if (pattern && hlen > 2 && s[0] == '*' && s[1] == '.') {
		u->wildcard = true;
		return cors_hostname(s + 2, hlen - 2, u) && !u->ip;
	}
	return cors_hostname(s, hlen, u);
}

static bool
cors_parse(const char *s, bool pattern, struct cors_url *u)
{
	const char	*sep;
	size_t		 len;

	memset(u, 0, sizeof(*u));
	u->port = -1;
	if (s == NULL || (len = strlen(s)) == 0 || len > HARK_CORS_ORIGIN_MAX)
		return false;
	if (pattern && strcmp(s, "*") == 0) {
		u->any = true;
		return true;
	}
	if ((sep = strstr(s, "://")) != NULL) {
		if (!cors_scheme(s, (size_t)(sep - s), u))
			return false;
		s = sep + 3;
	} else if (!pattern)
		return false;
	len = strlen(s);
	if (pattern && len > 0 && s[len - 1] == '/')
		len--;
	if (len == 0 || strcspn(s, "/?#@\\") < len)
		return false;
	return cors_authority(s, len, pattern, u);
}

static long
cors_default_port(const char *scheme)
{
	if (strcmp(scheme, "http") == 0)
		return 80;
	if (strcmp(scheme, "https") == 0)
		return 443;
	return -1;
}

static bool
cors_host_match(const struct cors_url *o, const struct cors_url *p)
{
	size_t	 olen, plen;

	if (!p->wildcard)
		return strcmp(o->host, p->host) == 0;
	olen = strlen(o->host);
	plen = strlen(p->host);
	return !o->ip && olen > plen + 1 && o->host[olen - plen - 1] == '.' &&
	    strcmp(o->host + olen - plen, p->host) == 0;
}

static bool
cors_match(const struct cors_url *o, const struct cors_url *p)
{
	long	 port;

	if (p->any)
		return true;
	if (p->scheme[0] != '\0' ? strcmp(o->scheme, p->scheme) != 0 :
	    cors_default_port(o->scheme) == -1)
		return false;
	/*
	 * A pattern that names its scheme names origins, and an origin's port
	 * is part of it: without a port it means the scheme's default one.
	 * Only a scheme-less pattern ("app.example.com") names a site at any
	 * of its ports.
	 */
	if (p->port != -1 || p->scheme[0] != '\0') {
		port = o->port != -1 ? o->port : cors_default_port(o->scheme);
		if (port != (p->port != -1 ? p->port :
		    cors_default_port(p->scheme)))
			return false;
	}
	return cors_host_match(o, p);
}

bool
hark_cors_origin_valid(const char *origin)
{
	struct cors_url	 o;

	return cors_parse(origin, false, &o);
}

/*
 * A pattern without a scheme must name a site: a host with a dot, an
 * address or localhost.  "notaurl" parses as a host, but an operator who
 * typed it meant something else; such a pattern matches nothing, so what
 * harkctl refuses and what the matcher ignores are one rule.
 */
static bool
cors_parse_pattern(const char *pattern, struct cors_url *p)
{
	if (!cors_parse(pattern, true, p))
		return false;
	return p->any || p->scheme[0] != '\0' || p->wildcard || p->ip ||
	    strchr(p->host, '.') != NULL || strcmp(p->host, "localhost") == 0;
}

bool
hark_cors_pattern_valid(const char *pattern)
{
	struct cors_url	 p;

	return cors_parse_pattern(pattern, &p);
}

bool
hark_cors_source_pattern(const char *pattern, char *out, size_t size)
{
	struct cors_url	 p;
	long		 def;
	int		 n;

	if (!cors_parse_pattern(pattern, &p) || p.any || p.scheme[0] == '\0')
		return false;
	/* "*.com" would hand a whole top-level domain to the widget. */
	if (p.wildcard && strchr(p.host, '.') == NULL)
		return false;
	def = cors_default_port(p.scheme);
	if (p.port != -1 && p.port != def)
		n = snprintf(out, size, "%s://%s%s:%ld", p.scheme,
		    p.wildcard ? "*." : "", p.host, p.port);
	else
		n = snprintf(out, size, "%s://%s%s", p.scheme,
		    p.wildcard ? "*." : "", p.host);
	return n > 0 && (size_t)n < size;
}

bool
hark_cors_origin_allowed(const char *origin, const char *const *patterns,
    size_t n)
{
	struct cors_url	 o, p;
	size_t		 i;

	if (!cors_parse(origin, false, &o))
		return false;
	for (i = 0; i < n; i++)
		if (cors_parse_pattern(patterns[i], &p) && cors_match(&o, &p))
			return true;
	return false;
}

bool
hark_cors_preflight(const char *origin, const char *const *patterns,
    size_t n, struct hark_cors_preflight *out)
{
	bool	 ok = hark_cors_origin_allowed(origin, patterns, n);

	out->allow_origin = ok ? origin : NULL;
	out->allow_methods = HARK_CORS_ALLOW_METHODS;
	out->allow_headers = HARK_CORS_ALLOW_HEADERS;
	out->max_age = HARK_CORS_MAX_AGE;
	out->vary = HARK_CORS_VARY;
	return ok;
}

/* ---- the allowlist cache (see cors.h) ---- */

#define CORS_OWNER_MAX	64	/* ids are 40 at most */

struct cors_cache_entry {
	char	 owner[CORS_OWNER_MAX];
	int	 kind;
	char	*blob;		/* n NUL-terminated patterns */
	size_t	 n;
	long	 fetched;
	bool	 used;
};

static struct cors_cache_entry	cors_cache[HARK_CORS_CACHE_SLOTS];

long
hark_cors_cache_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec;
}

static struct cors_cache_entry *
cors_cache_slot(enum hark_cors_owner kind, const char *owner)
{
	unsigned int	 h = 2166136261u ^ (unsigned int)kind;

	for (; *owner != '\0'; owner++)
		h = (h ^ (unsigned char)*owner) * 16777619u;
	return &cors_cache[h % HARK_CORS_CACHE_SLOTS];
}

static void
cors_cache_clear(struct cors_cache_entry *e)
{
	free(e->blob);
	memset(e, 0, sizeof(*e));
}

bool
hark_cors_cache_get(enum hark_cors_owner kind, const char *owner, long now,
    const char **blob, size_t *n)
{
	struct cors_cache_entry	*e;

	if (owner == NULL || strlen(owner) >= CORS_OWNER_MAX)
		return false;
	e = cors_cache_slot(kind, owner);
	/* A clock that went back is no reason to trust an old entry. */
	if (!e->used || e->kind != (int)kind || strcmp(e->owner, owner) != 0 ||
	    now < e->fetched || now - e->fetched >= HARK_CORS_CACHE_TTL)
		return false;
	*blob = e->blob != NULL ? e->blob : "";
	*n = e->n;
	return true;
}

void
hark_cors_cache_put(enum hark_cors_owner kind, const char *owner, long now,
    const char *blob, size_t len, size_t n)
{
	struct cors_cache_entry	*e;
	char			*copy = NULL;

	if (owner == NULL || strlen(owner) >= CORS_OWNER_MAX)
		return;
	e = cors_cache_slot(kind, owner);
	cors_cache_clear(e);
	if (len > HARK_CORS_CACHE_BYTES)
		return;
	/* Without memory the list is simply read again next time. */
	if (len > 0 && (copy = malloc(len)) == NULL)
		return;
	if (len > 0)
		memcpy(copy, blob, len);
	snprintf(e->owner, sizeof(e->owner), "%s", owner);
	e->kind = (int)kind;
	e->blob = copy;
	e->n = len > 0 ? n : 0;
	e->fetched = now;
	e->used = true;
}

void
hark_cors_cache_forget(enum hark_cors_owner kind, const char *owner)
{
	struct cors_cache_entry	*e;
	size_t			 i;

	if (owner == NULL) {
		for (i = 0; i < HARK_CORS_CACHE_SLOTS; i++)
			cors_cache_clear(&cors_cache[i]);
		return;
	}
	e = cors_cache_slot(kind, owner);
	if (e->used && e->kind == (int)kind && strcmp(e->owner, owner) == 0)
		cors_cache_clear(e);
}
