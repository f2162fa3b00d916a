/*
 * fuzz_cors.c: libFuzzer harness for the CORS origin parser and matcher
 * (lib/cors.c).
 *
 * fuzz-sources: lib/cors.c
 *
 * Input: lines; the first is the origin, the others (up to 8) patterns.
 * Beyond never crashing, it holds the matcher to what cors.h promises:
 * - an allowed origin is a valid one, and is allowed by one valid pattern
 *   alone (a list is the union of its patterns), case aside;
 * - "null", and origins with a path, query, userinfo or space, are invalid;
 * - a valid "*.domain" pattern never allows the bare domain nor a host that
 *   only ends with the domain's text ("evildomain"), and does allow
 *   "a.domain" with its scheme and port;
 * - an exact pattern allows only its own host, compared without case;
 * - a preflight echoes the origin exactly when it is allowed;
 * - a source pattern (hark_cors_source_pattern) is a valid pattern with a
 *   scheme, its canonical form is one too and its own canonical form, and
 *   allows exactly the origins the pattern as typed allows.
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cors.h"

#define FZ_MAX_PATTERNS	8
#define FZ_LINE_MAX	(HARK_CORS_ORIGIN_MAX + 64)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A pattern taken apart as cors.h describes it (for valid patterns). */
struct fz_pattern {
	char	 scheme[64];	/* "" when not given */
	char	 host[FZ_LINE_MAX];
	char	 port[16];	/* "" when not given */
	bool	 wildcard;	/* host is the part after "*." */
};

static bool
fz_split_pattern(const char *p, struct fz_pattern *out)
{
	const char	*sep, *colon;
	size_t		 len;

	memset(out, 0, sizeof(*out));
	if ((sep = strstr(p, "://")) != NULL) {
		if ((size_t)(sep - p) >= sizeof(out->scheme))
			return false;
		memcpy(out->scheme, p, (size_t)(sep - p));
		p = sep + 3;
	}
	len = strlen(p);
	if (len > 0 && p[len - 1] == '/')
		len--;
	if (len == 0 || p[0] == '[')
		return false;
	colon = memchr(p, ':', len);
	if (colon != NULL) {
		if ((size_t)(p + len - colon) >= sizeof(out->port))
			return false;
		memcpy(out->port, colon, (size_t)(p + len - colon));
		len = (size_t)(colon - p);
	}
	if (len > 2 && p[0] == '*' && p[1] == '.') {
		out->wildcard = true;
		p += 2;
		len -= 2;
	}
	if (len >= sizeof(out->host))
		return false;
	memcpy(out->host, p, len);
	return true;
}

/* The host of a valid origin, as it was written. */
static void
fz_origin_host(const char *o, char *host, size_t size)
{
	const char	*h = strstr(o, "://") + 3;
	size_t		 len;

	len = h[0] == '[' ? strcspn(h, "]") + 1 : strcspn(h, ":");
	if (len >= size)
		len = size - 1;
	memcpy(host, h, len);
	host[len] = '\0';
}

static bool
fz_allowed1(const char *origin, const char *pattern)
{
	const char	*p[1] = { pattern };

	return hark_cors_origin_allowed(origin, p, 1);
}

static void
fz_upper(const char *s, char *out, size_t size)
{
	size_t	 i;

	for (i = 0; s[i] != '\0' && i + 1 < size; i++)
		out[i] = (char)toupper((unsigned char)s[i]);
	out[i] = '\0';
}

static void
fz_check_wildcard(const char *pattern, const struct fz_pattern *fp)
{
	const char	*scheme = fp->scheme[0] != '\0' ? fp->scheme : "https";
	char		 o[3 * FZ_LINE_MAX];

	snprintf(o, sizeof(o), "%s://%s%s", scheme, fp->host, fp->port);
	if (fz_allowed1(o, pattern))
		abort();			/* the bare domain */
	snprintf(o, sizeof(o), "%s://evil%s%s", scheme, fp->host, fp->port);
	if (fz_allowed1(o, pattern))
		abort();			/* a suffix trick */
	snprintf(o, sizeof(o), "%s://a.%s%s", scheme, fp->host, fp->port);
	if (hark_cors_origin_valid(o) && !fz_allowed1(o, pattern))
		abort();			/* a subdomain */
}

static void
fz_check_origin(const char *origin, const char *const *pat, size_t n)
{
	struct hark_cors_preflight	 pf;
	struct fz_pattern		 fp;
	char				 up[FZ_LINE_MAX], host[FZ_LINE_MAX];
	const char			*rest;
	bool				 valid, all, any = false;
	size_t				 i;

	valid = hark_cors_origin_valid(origin);
	all = hark_cors_origin_allowed(origin, pat, n);
	if (all && !valid)
		abort();
	if (valid && (strcmp(origin, "null") == 0 ||
	    (rest = strstr(origin, "://")) == NULL ||
	    strpbrk(rest + 3, "/?#@\\ \t\r\n") != NULL))
		abort();
	fz_upper(origin, up, sizeof(up));
	if (hark_cors_origin_allowed(up, pat, n) != all)
		abort();
	for (i = 0; i < n; i++) {
		if (!fz_allowed1(origin, pat[i]))
			continue;
		any = true;
		if (!hark_cors_pattern_valid(pat[i]))
			abort();
		if (strcmp(pat[i], "*") == 0 || !fz_split_pattern(pat[i], &fp))
			continue;
		fz_origin_host(origin, host, sizeof(host));
		if (!fp.wildcard && strcasecmp(host, fp.host) != 0)
			abort();
		if (fp.wildcard && (strlen(host) <= strlen(fp.host) + 1 ||
		    strcasecmp(host + strlen(host) - strlen(fp.host),
		    fp.host) != 0 ||
		    host[strlen(host) - strlen(fp.host) - 1] != '.'))
			abort();
	}
	if (any != all)
		abort();
	if (hark_cors_preflight(origin, pat, n, &pf) != all ||
	    (all ? pf.allow_origin != origin : pf.allow_origin != NULL))
		abort();
}

static void
fz_check_source_pattern(const char *origin, const char *pattern)
{
	char	 canon[HARK_CORS_PATTERN_SIZE], again[HARK_CORS_PATTERN_SIZE];

	if (!hark_cors_source_pattern(pattern, canon, sizeof(canon)))
		return;
	if (!hark_cors_pattern_valid(pattern) || strstr(pattern, "://") == NULL)
		abort();
	if (!hark_cors_source_pattern(canon, again, sizeof(again)) ||
	    strcmp(canon, again) != 0)
		abort();
	if (fz_allowed1(origin, pattern) != fz_allowed1(origin, canon))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char			 lines[1 + FZ_MAX_PATTERNS][FZ_LINE_MAX];
	const char		*pat[FZ_MAX_PATTERNS];
	struct fz_pattern	 fp;
	size_t			 i, n = 0, len;

	while (n < 1 + FZ_MAX_PATTERNS && size > 0) {
		const uint8_t	*nl = memchr(data, '\n', size);

		len = nl != NULL ? (size_t)(nl - data) : size;
		if (len >= FZ_LINE_MAX)
			len = FZ_LINE_MAX - 1;
		memcpy(lines[n], data, len);
		lines[n][len] = '\0';	/* a NUL inside ends the line early */
		n++;
		if (nl == NULL)
			break;
		size -= (size_t)(nl - data) + 1;
		data = nl + 1;
	}
	if (n == 0)
		return 0;
	for (i = 1; i < n; i++) {
		pat[i - 1] = lines[i];
		if (hark_cors_pattern_valid(lines[i]) &&
		    fz_split_pattern(lines[i], &fp) && fp.wildcard)
			fz_check_wildcard(lines[i], &fp);
		fz_check_source_pattern(lines[0], lines[i]);
	}
	fz_check_origin(lines[0], pat, n - 1);
	(void)hark_cors_origin_valid(NULL);
	if (hark_cors_origin_allowed(NULL, pat, n - 1))
		abort();
	return 0;
}
