/*
 * multipart.c: the streaming multipart/form-data parser (see multipart.h).
 *
 * One state machine over the bytes.  Part data is searched for the
 * delimiter "CRLF--boundary" with memchr for the CR and a compare there; a
 * match that runs off the end of a chunk is held as a count of matched
 * bytes, not as bytes, since what was matched is the delimiter itself.
 * CR occurs in the delimiter only at its start (boundary characters never
 * include it), so when a held match fails, no delimiter can begin inside
 * it: the held bytes are data, and the search goes on from the byte that
 * failed.  No back-tracking buffer is needed and nothing is copied.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "multipart.h"
#include "hex.h"
#include "utf8.h"

#define DEFAULT_MAX_PARTS	16
#define DEFAULT_HEADER_LINE	1024
#define DEFAULT_HEADER_BLOCK	4096
#define DEFAULT_PREAMBLE	1024

enum state {
	S_PREAMBLE,	/* before the first delimiter: skipped */
	S_DATA,		/* a part's data */
	S_AFTER,	/* a delimiter just matched: what follows it */
	S_LWSP,		/* transport padding after a boundary */
	S_CR,		/* CR ending a delimiter line */
	S_DASH,		/* one '-' after a boundary: the close needs two */
	S_CLOSE,	/* after the close-delimiter: padding, then CRLF */
	S_CLOSE_CR,	/* CR after the close-delimiter */
	S_EPILOGUE,	/* after the close-delimiter's line: skipped */
	S_HDR,		/* a part header line */
	S_HDR_CR	/* CR ending a part header line */
};

struct hark_mp {
	struct hark_mp_limits	 lim;
	struct hark_mp_callbacks cb;
	void			*arg;
	char			 delim[4 + HARK_MP_BOUNDARY_MAX + 1];
	size_t			 dlen;
	enum state		 state;
	size_t			 match;		/* delimiter bytes held */
	bool			 virt;		/* held bytes start with the
						   CRLF assumed before the body */
	size_t			 preamble;
	size_t			 lwsp;
	size_t			 nparts;
	bool			 in_part;
	bool			 finished;

	/* The current part's headers. */
	char			*line;		/* max_header_line + 1 */
	size_t			 line_len;
	size_t			 block_len;
	char			*name;		/* max_header_line + 1 */
	char			*fname;		/* max_header_line + 1 */
	char			*fname_ext;	/* 2 * max_header_line + 1 */
	char			*ctype;		/* max_header_line + 1 */
	char			*val;		/* max_header_line + 1: scratch */
	bool			 has_cd, has_name, has_fname, has_fname_ext;
	bool			 has_ct, has_cte;
	struct hark_mp_part	 part;

	char			**seen;		/* names, for unique_names */
	size_t			 nseen;

	struct hark_mp_error	 err;
};

void
hark_mp_limits_default(struct hark_mp_limits *l)
{
	l->max_parts = DEFAULT_MAX_PARTS;
	l->max_header_line = DEFAULT_HEADER_LINE;
	l->max_header_block = DEFAULT_HEADER_BLOCK;
	l->max_preamble = DEFAULT_PREAMBLE;
	l->unique_names = true;
}

const char *
hark_mp_code_name(enum hark_mp_code c)
{
	switch (c) {
	case HARK_MP_OK:			return "ok";
	case HARK_MP_E_NOT_MULTIPART:		return "not_multipart";
	case HARK_MP_E_NO_BOUNDARY:		return "multipart_no_boundary";
	case HARK_MP_E_BAD_BOUNDARY:		return "multipart_bad_boundary";
	case HARK_MP_E_PREAMBLE:		return "multipart_preamble_too_long";
	case HARK_MP_E_NO_DELIMITER:		return "multipart_no_delimiter";
	case HARK_MP_E_TRUNCATED:		return "multipart_truncated";
	case HARK_MP_E_BAD_DELIMITER:		return "multipart_bad_delimiter";
	case HARK_MP_E_BARE_LF:			return "multipart_bare_lf";
	case HARK_MP_E_AFTER_CLOSE:		return "multipart_after_close";
	case HARK_MP_E_TOO_MANY_PARTS:		return "multipart_too_many_parts";
	case HARK_MP_E_HEADER_LINE:		return "multipart_header_line_too_long";
	case HARK_MP_E_HEADER_BLOCK:		return "multipart_headers_too_long";
	case HARK_MP_E_BAD_HEADER:		return "multipart_bad_header";
	case HARK_MP_E_DISPOSITION:		return "multipart_bad_disposition";
	case HARK_MP_E_NO_NAME:			return "multipart_unnamed_part";
	case HARK_MP_E_DUPLICATE_NAME:		return "multipart_duplicate_part";
	case HARK_MP_E_TRANSFER_ENCODING:	return "multipart_transfer_encoding";
	case HARK_MP_E_ABORTED:			return "multipart_aborted";
	case HARK_MP_E_NOMEM:			return "out_of_memory";
	case HARK_MP_E_USAGE:			return "multipart_usage";
	}
	return "multipart_unknown";
}

/* name made printable and short enough for a log line or an API error. */
static void
copy_shown(char *dst, size_t cap, const char *src)
{
	size_t	 i;

	for (i = 0; src[i] != '\0' && i + 1 < cap; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = (c < 0x20 || c == 0x7f || c == '"' || c == '\\') ?
		    '?' : (char)c;
	}
	dst[i] = '\0';
}

/* Fills err: "part N (\"name\"): what" when a part is named. */
static void
seterr(struct hark_mp_error *e, enum hark_mp_code code, size_t part,
    const char *name, const char *fmt, ...)
{
	va_list	 ap;
	int	 k = 0;

	memset(e, 0, sizeof(*e));
	e->code = code;
	e->part = part;
	if (name != NULL)
		copy_shown(e->name, sizeof(e->name), name);
	if (part > 0 && name != NULL)
		k = snprintf(e->msg, sizeof(e->msg), "part %zu (\"%s\"): ",
		    part, e->name);
	else if (part > 0)
		k = snprintf(e->msg, sizeof(e->msg), "part %zu: ", part);
	if (k < 0 || (size_t)k >= sizeof(e->msg))
		k = 0;
	va_start(ap, fmt);
	vsnprintf(e->msg + k, sizeof(e->msg) - (size_t)k, fmt, ap);
	va_end(ap);
}

/* A fault in the current part (or before any): sets the sticky error. */
static int
fail(struct hark_mp *mp, enum hark_mp_code code, const char *fmt, ...)
{
	va_list	 ap;
	char	 what[192];

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	/* After the close-delimiter, or before the first, no part is at fault. */
	if (mp->state == S_PREAMBLE || mp->state == S_CLOSE ||
	    mp->state == S_CLOSE_CR || mp->state == S_EPILOGUE)
		seterr(&mp->err, code, 0, NULL, "%s", what);
	else
		seterr(&mp->err, code, mp->nparts,
		    mp->has_name ? mp->name : NULL, "%s", what);
	return -1;
}

/* ---- the Content-Type header ---- */

static bool
is_ows(int c)
{
	return c == ' ' || c == '\t';
}

/* RFC 7230 tchar. */
static bool
is_tchar(int c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* RFC 2046 bchars. */
static bool
is_bchar(int c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("'()+_,-./:=? ", c) != NULL;
}

static const char *
skip_ows(const char *p)
{
	while (is_ows((unsigned char)*p))
		p++;
	return p;
}

/*
 * Reads a parameter value at *pp (a quoted-string or a run of characters
 * up to ';' or white space) into out (cap bytes).  Returns its length, or
 * -1 when malformed or, with *toolong set, when it does not fit.
 */
static long
param_value(const char **pp, char *out, size_t cap, bool *toolong)
{
	const char	*p = *pp;
	size_t		 n = 0;

	*toolong = false;
	if (*p == '"') {
		for (p++; *p != '"'; p++) {
			if (*p == '\0')
				return -1;
			/* \" and \\ are escapes; a lone backslash is kept. */
			if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
				p++;
			if (n + 1 >= cap) {
				*toolong = true;
				return -1;
			}
			out[n++] = *p;
		}
		p++;
	} else {
		for (; *p != '\0' && *p != ';' && !is_ows((unsigned char)*p);
		    p++) {
			if (*p == '"')
				return -1;
			if (n + 1 >= cap) {
				*toolong = true;
				return -1;
			}
			out[n++] = *p;
		}
		if (n == 0)
			return -1;
	}
	out[n] = '\0';
	*pp = p;
	return (long)n;
}

int
hark_mp_boundary(const char *ct, char *out, struct hark_mp_error *err)
{
	static const char	 type[] = "multipart/form-data";
	const char		*p = skip_ows(ct);
	char			 pname[32], val[HARK_MP_BOUNDARY_MAX + 1];
	bool			 found = false, toolong;
	long			 n;
	size_t			 k;

	if (strncasecmp(p, type, sizeof(type) - 1) != 0 ||
	    (p[sizeof(type) - 1] != '\0' && p[sizeof(type) - 1] != ';' &&
	    !is_ows((unsigned char)p[sizeof(type) - 1]))) {
		seterr(err, HARK_MP_E_NOT_MULTIPART, 0, NULL,
		    "Content-Type is not multipart/form-data");
		return -1;
	}
	p += sizeof(type) - 1;
	for (;;) {
		p = skip_ows(p);
		if (*p == '\0')
			break;
		if (*p != ';')
			goto malformed;
		p = skip_ows(p + 1);
		if (*p == '\0' || *p == ';')
			continue;
		for (k = 0; is_tchar((unsigned char)*p); p++)
			if (k + 1 < sizeof(pname))
				pname[k++] = *p;
		pname[k] = '\0';
		if (k == 0 || *p != '=')
			goto malformed;
		p++;
		n = param_value(&p, val, sizeof(val), &toolong);
		if (strcasecmp(pname, "boundary") != 0) {
			if (n < 0 && !toolong)
				goto malformed;
			if (n < 0) {
				/* A long foreign parameter: skip it whole. */
				char	 big[1024];

				n = param_value(&p, big, sizeof(big), &toolong);
				if (n < 0)
					goto malformed;
			}
			continue;
		}
		if (found) {
			seterr(err, HARK_MP_E_BAD_BOUNDARY, 0, NULL,
			    "boundary parameter given twice");
			return -1;
		}
		if (n < 0 && toolong) {
			seterr(err, HARK_MP_E_BAD_BOUNDARY, 0, NULL,
			    "boundary over %d characters", HARK_MP_BOUNDARY_MAX);
			return -1;
		}
		if (n < 0 && *p == '"') {
			seterr(err, HARK_MP_E_BAD_BOUNDARY, 0, NULL,
			    "boundary's quoted string is not closed");
			return -1;
		}
		if (n < 0) {
			seterr(err, HARK_MP_E_BAD_BOUNDARY, 0, NULL,
			    "boundary is empty");
			return -1;
		}
		found = true;
		memcpy(out, val, (size_t)n + 1);
	}
	if (!found) {
		seterr(err, HARK_MP_E_NO_BOUNDARY, 0, NULL,
		    "multipart/form-data without a boundary parameter");
		return -1;
	}
	if (out[0] == '\0') {
		seterr(err, HARK_MP_E_BAD_BOUNDARY, 0, NULL, "boundary is empty");
		return -1;
	}
	for (k = 0; out[k] != '\0'; k++)
		if (!is_bchar((unsigned char)out[k])) {
			seterr(err, HARK_MP_E_BAD_BOUNDARY, 0, NULL,
			    "boundary has a character RFC 2046 does not allow "
			    "(0x%02x at %zu)", (unsigned char)out[k], k + 1);
			return -1;
		}
	if (out[k - 1] == ' ') {
		seterr(err, HARK_MP_E_BAD_BOUNDARY, 0, NULL,
		    "boundary ends in a space");
		return -1;
	}
	return 0;
malformed:
	seterr(err, found ? HARK_MP_E_BAD_BOUNDARY : HARK_MP_E_NO_BOUNDARY, 0,
	    NULL, "malformed Content-Type parameters");
	return -1;
}

/* ---- construction ---- */

struct hark_mp *
hark_mp_new(const char *ct, const struct hark_mp_limits *lim,
    const struct hark_mp_callbacks *cb, void *arg, struct hark_mp_error *err)
{
	struct hark_mp	*mp;
	char		 b[HARK_MP_BOUNDARY_MAX + 1];
	size_t		 L;

	if (hark_mp_boundary(ct, b, err) == -1)
		return NULL;
	if ((mp = calloc(1, sizeof(*mp))) == NULL)
		goto nomem;
	if (lim != NULL)
		mp->lim = *lim;
	else
		hark_mp_limits_default(&mp->lim);
	if (mp->lim.max_parts == 0)
		mp->lim.max_parts = 1;
	if (mp->lim.max_header_line == 0)
		mp->lim.max_header_line = 1;
	if (cb != NULL)
		mp->cb = *cb;
	mp->arg = arg;
	mp->dlen = (size_t)snprintf(mp->delim, sizeof(mp->delim), "\r\n--%s", b);
	/* The first delimiter may open the body: as if a CRLF came before. */
	mp->state = S_PREAMBLE;
	mp->match = 2;
	mp->virt = true;
	L = mp->lim.max_header_line;
	mp->line = malloc(L + 1);
	mp->name = malloc(L + 1);
	mp->fname = malloc(L + 1);
	mp->fname_ext = malloc(2 * L + 1);
	mp->ctype = malloc(L + 1);
	mp->val = malloc(L + 1);
	if (mp->lim.unique_names)
		mp->seen = calloc(mp->lim.max_parts, sizeof(*mp->seen));
	if (mp->line == NULL || mp->name == NULL || mp->fname == NULL ||
	    mp->fname_ext == NULL || mp->ctype == NULL || mp->val == NULL ||
	    (mp->lim.unique_names && mp->seen == NULL)) {
		hark_mp_free(mp);
		goto nomem;
	}
	return mp;
nomem:
	seterr(err, HARK_MP_E_NOMEM, 0, NULL, "out of memory");
	return NULL;
}

void
hark_mp_free(struct hark_mp *mp)
{
	size_t	 i;

	if (mp == NULL)
		return;
	for (i = 0; i < mp->nseen; i++)
		free(mp->seen[i]);
	free(mp->seen);
	free(mp->line);
	free(mp->name);
	free(mp->fname);
	free(mp->fname_ext);
	free(mp->ctype);
	free(mp->val);
	free(mp);
}

const struct hark_mp_error *
hark_mp_error(const struct hark_mp *mp)
{
	return &mp->err;
}

/* ---- part headers ---- */

/*
 * RFC 5987 ext-value (charset'language'pct-encoded) into out as UTF-8;
 * out has 2 * strlen(v) + 1 bytes.  0, or -1 with mp's error set.
 */
static int
decode_ext_value(struct hark_mp *mp, const char *v, char *out)
{
	const char	*q, *cs = v;
	size_t		 cslen, n = 0;
	bool		 latin1;
	int		 c, hi, lo;

	if ((q = strchr(v, '\'')) == NULL)
		return fail(mp, HARK_MP_E_DISPOSITION,
		    "filename* is not charset'language'value");
	cslen = (size_t)(q - cs);
	if (cslen == 5 && strncasecmp(cs, "UTF-8", 5) == 0)
		latin1 = false;
	else if (cslen == 10 && strncasecmp(cs, "ISO-8859-1", 10) == 0)
		latin1 = true;
	else
		return fail(mp, HARK_MP_E_DISPOSITION,
		    "filename* charset is not UTF-8 or ISO-8859-1");
	if ((q = strchr(q + 1, '\'')) == NULL)
		return fail(mp, HARK_MP_E_DISPOSITION,
		    "filename* is not charset'language'value");
	for (q++; *q != '\0'; q++) {
		c = (unsigned char)*q;
		if (c == '%') {
			if ((hi = hark_hex_value((unsigned char)q[1])) < 0 ||
			    (lo = hark_hex_value((unsigned char)q[2])) < 0)
				return fail(mp, HARK_MP_E_DISPOSITION,
				    "filename* has a bad %%-escape");
			c = hi * 16 + lo;
			q += 2;
		} else if (c <= 0x20 || c >= 0x7f || c == '\'')
			return fail(mp, HARK_MP_E_DISPOSITION,
			    "filename* has a character RFC 5987 does not allow");
		/* A filename with a control character is an attack on logs. */
		if (c < 0x20 || c == 0x7f)
			return fail(mp, HARK_MP_E_DISPOSITION,
			    "filename* decodes to a control character");
		if (latin1 && c >= 0x80) {
			out[n++] = (char)(0xc0 | (c >> 6));
			out[n++] = (char)(0x80 | (c & 0x3f));
		} else
			out[n++] = (char)c;
	}
	out[n] = '\0';
	if (!latin1 && !hark_utf8_valid(out, n))
		return fail(mp, HARK_MP_E_DISPOSITION,
		    "filename* is not valid UTF-8");
	return 0;
}

/* Invalid UTF-8 in a plain filename becomes '?': it is only ever shown. */
static void
scrub_utf8(char *s)
{
	size_t		 len = strlen(s), i = 0, k;
	uint32_t	 cp;

	while (i < len) {
		if ((k = hark_utf8_decode(s + i, len - i, &cp)) == 0) {
			s[i++] = '?';
			continue;
		}
		i += k;
	}
}

/* Content-Disposition: form-data; name="..."; filename="..."; filename*=... */
static int
parse_disposition(struct hark_mp *mp, const char *v)
{
	const char	*p = v;
	char		 pname[32], *dst;
	size_t		 k, cap = mp->lim.max_header_line + 1;
	bool		*seen, toolong;
	long		 n;

	for (k = 0; is_tchar((unsigned char)*p); p++)
		if (k + 1 < sizeof(pname))
			pname[k++] = *p;
	pname[k] = '\0';
	if (strcasecmp(pname, "form-data") != 0)
		return fail(mp, HARK_MP_E_DISPOSITION,
		    "Content-Disposition is not form-data");
	for (;;) {
		p = skip_ows(p);
		if (*p == '\0')
			break;
		if (*p != ';')
			return fail(mp, HARK_MP_E_DISPOSITION,
			    "Content-Disposition: ';' expected");
		p = skip_ows(p + 1);
		if (*p == '\0' || *p == ';')
			continue;
		for (k = 0; is_tchar((unsigned char)*p); p++)
			if (k + 1 < sizeof(pname))
				pname[k++] = *p;
		pname[k] = '\0';
		p = skip_ows(p);
		if (k == 0 || *p != '=')
			return fail(mp, HARK_MP_E_DISPOSITION,
			    "Content-Disposition: malformed parameter");
		p = skip_ows(p + 1);
		if (strcasecmp(pname, "name") == 0) {
			dst = mp->name;
			seen = &mp->has_name;
		} else if (strcasecmp(pname, "filename") == 0) {
			dst = mp->fname;
			seen = &mp->has_fname;
		} else if (strcasecmp(pname, "filename*") == 0) {
			dst = NULL;
			seen = &mp->has_fname_ext;
		} else {
			dst = NULL;
			seen = NULL;
		}
		if (seen != NULL && *seen)
			return fail(mp, HARK_MP_E_DISPOSITION,
			    "Content-Disposition gives %s twice", pname);
		if (dst == NULL) {
			/* filename* (decoded from val) or a foreign parameter. */
			n = param_value(&p, mp->val, cap, &toolong);
			if (n < 0)
				return fail(mp, HARK_MP_E_DISPOSITION,
				    "Content-Disposition: malformed %s value",
				    pname);
			if (seen != NULL) {
				if (decode_ext_value(mp, mp->val,
				    mp->fname_ext) == -1)
					return -1;
				*seen = true;
			}
			continue;
		}
		n = param_value(&p, dst, cap, &toolong);
		if (n < 0)
			return fail(mp, HARK_MP_E_DISPOSITION,
			    "Content-Disposition: malformed %s value", pname);
		*seen = true;
		if (dst == mp->name && !hark_utf8_valid(dst, (size_t)n)) {
			mp->has_name = false;
			return fail(mp, HARK_MP_E_DISPOSITION,
			    "part name is not valid UTF-8");
		}
		if (dst == mp->fname)
			scrub_utf8(dst);
	}
	return 0;
}

static bool
value_is(const char *v, const char *want)
{
	return strcasecmp(v, want) == 0;
}

/* One complete header line in mp->line (line_len bytes, no CRLF). */
static int
header_line(struct hark_mp *mp)
{
	char	*l = mp->line, *v, *end;
	size_t	 i, flen;

	l[mp->line_len] = '\0';
	if (is_ows((unsigned char)l[0]))
		return fail(mp, HARK_MP_E_BAD_HEADER,
		    "folded header line (obsolete, refused)");
	for (i = 0; i < mp->line_len; i++) {
		unsigned char c = (unsigned char)l[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return fail(mp, HARK_MP_E_BAD_HEADER,
			    "control character 0x%02x in a header line", c);
	}
	for (flen = 0; is_tchar((unsigned char)l[flen]); flen++)
		;
	if (flen == 0 || l[flen] != ':')
		return fail(mp, HARK_MP_E_BAD_HEADER,
		    "header line is not \"Name: value\"");
	l[flen] = '\0';
	v = (char *)skip_ows(l + flen + 1);
	end = l + mp->line_len;
	while (end > v && is_ows((unsigned char)end[-1]))
		end--;
	*end = '\0';

	if (strcasecmp(l, "Content-Disposition") == 0) {
		if (mp->has_cd)
			return fail(mp, HARK_MP_E_DISPOSITION,
			    "two Content-Disposition headers");
		mp->has_cd = true;
		return parse_disposition(mp, v);
	}
	if (strcasecmp(l, "Content-Type") == 0) {
		if (mp->has_ct)
			return fail(mp, HARK_MP_E_BAD_HEADER,
			    "two Content-Type headers");
		mp->has_ct = true;
		memcpy(mp->ctype, v, (size_t)(end - v) + 1);
		return 0;
	}
	if (strcasecmp(l, "Content-Transfer-Encoding") == 0) {
		if (mp->has_cte)
			return fail(mp, HARK_MP_E_BAD_HEADER,
			    "two Content-Transfer-Encoding headers");
		mp->has_cte = true;
		/* RFC 7578 4.7: senders must not use it; identity is harmless. */
		if (!value_is(v, "binary") && !value_is(v, "8bit") &&
		    !value_is(v, "7bit"))
			return fail(mp, HARK_MP_E_TRANSFER_ENCODING,
			    "Content-Transfer-Encoding is not binary, 8bit or "
			    "7bit");
		return 0;
	}
	return 0;	/* another header: not ours to judge */
}

/* The blank line after a part's headers: the part begins. */
static int
headers_done(struct hark_mp *mp)
{
	size_t	 i;

	if (!mp->has_cd)
		return fail(mp, HARK_MP_E_NO_NAME, "no Content-Disposition");
	if (!mp->has_name)
		return fail(mp, HARK_MP_E_NO_NAME,
		    "Content-Disposition without a name");
	if (mp->name[0] == '\0')
		return fail(mp, HARK_MP_E_NO_NAME, "empty part name");
	if (mp->lim.unique_names) {
		for (i = 0; i < mp->nseen; i++)
			if (strcmp(mp->seen[i], mp->name) == 0)
				return fail(mp, HARK_MP_E_DUPLICATE_NAME,
				    "a second part with this name");
		if ((mp->seen[mp->nseen] = strdup(mp->name)) == NULL)
			return fail(mp, HARK_MP_E_NOMEM, "out of memory");
		mp->nseen++;
	}
	mp->part.index = mp->nparts;
	mp->part.name = mp->name;
	mp->part.filename = mp->has_fname_ext ? mp->fname_ext :
	    mp->has_fname ? mp->fname : NULL;
	mp->part.content_type = mp->has_ct && mp->ctype[0] != '\0' ?
	    mp->ctype : NULL;
	mp->in_part = true;
	mp->state = S_DATA;
	/*
	 * Data that opens with "--boundary" is a part without a body (RFC
	 * 2046's body-part is headers [CRLF *OCTET]; Go reads it so too): the
	 * headers' last CRLF serves as the delimiter's.
	 */
	mp->match = 2;
	mp->virt = true;
	if (mp->cb.part_begin != NULL &&
	    mp->cb.part_begin(mp->arg, &mp->part) != 0)
		return fail(mp, HARK_MP_E_ABORTED, "refused by the caller");
	return 0;
}

/* ---- the body ---- */

/* Bytes before a delimiter: skipped in the preamble, else part data. */
static int
emit(struct hark_mp *mp, const void *p, size_t n)
{
	if (n == 0)
		return 0;
	if (mp->state == S_PREAMBLE) {
		mp->preamble += n;
		if (mp->preamble > mp->lim.max_preamble)
			return fail(mp, HARK_MP_E_PREAMBLE,
			    "over %zu bytes before the first boundary",
			    mp->lim.max_preamble);
		return 0;
	}
	if (mp->cb.part_data != NULL &&
	    mp->cb.part_data(mp->arg, &mp->part, p, n) != 0)
		return fail(mp, HARK_MP_E_ABORTED, "refused by the caller");
	return 0;
}

/* A held partial match turned out to be data: hand its k bytes on. */
static int
flush_held(struct hark_mp *mp, size_t k)
{
	size_t	 skip = mp->virt ? 2 : 0;

	mp->virt = false;
	mp->match = 0;
	return emit(mp, mp->delim + skip, k - skip);
}

/* The byte after "CRLF--boundary" that makes it a delimiter (Go's rule). */
static bool
decides(unsigned char c)
{
	return c == '-' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A delimiter line is complete: the part before ends, the next begins. */
static int
delimiter_line(struct hark_mp *mp)
{
	if (mp->in_part) {
		mp->in_part = false;
		if (mp->cb.part_end != NULL &&
		    mp->cb.part_end(mp->arg, &mp->part) != 0)
			return fail(mp, HARK_MP_E_ABORTED,
			    "refused by the caller");
	}
	if (mp->nparts >= mp->lim.max_parts) {
		mp->nparts++;
		mp->has_name = false;
		return fail(mp, HARK_MP_E_TOO_MANY_PARTS,
		    "more than %zu parts", mp->lim.max_parts);
	}
	mp->nparts++;
	mp->state = S_HDR;
	mp->line_len = 0;
	mp->block_len = 0;
	mp->has_cd = mp->has_name = mp->has_fname = mp->has_fname_ext = false;
	mp->has_ct = mp->has_cte = false;
	return 0;
}

/*
 * Part data or preamble from p[i]: everything up to the next delimiter is
 * emitted.  Returns the index after what was used, or -1.
 */
static long
scan(struct hark_mp *mp, const unsigned char *p, size_t i, size_t n)
{
	const unsigned char	*q;
	size_t			 start = i, j, m;

	for (;;) {
		q = memchr(p + i, '\r', n - i);
		if (q == NULL) {
			if (emit(mp, p + start, n - start) == -1)
				return -1;
			return (long)n;
		}
		j = (size_t)(q - p);
		m = n - j < mp->dlen ? n - j : mp->dlen;
		if (memcmp(q, mp->delim, m) != 0) {
			i = j + 1;
			continue;
		}
		if (m < mp->dlen || j + m == n) {
			/* The chunk ends inside a possible delimiter: hold. */
			if (emit(mp, p + start, j - start) == -1)
				return -1;
			mp->match = m;
			return (long)n;
		}
		if (!decides(q[m])) {
			i = j + 1;
			continue;
		}
		if (emit(mp, p + start, j - start) == -1)
			return -1;
		mp->state = S_AFTER;
		return (long)(j + m);
	}
}

/* Continues a match held from earlier chunks.  Returns the new i, or -1. */
static long
resume(struct hark_mp *mp, const unsigned char *p, size_t i, size_t n)
{
	while (mp->match < mp->dlen && i < n &&
	    p[i] == (unsigned char)mp->delim[mp->match]) {
		mp->match++;
		i++;
	}
	if (i == n)
		return (long)n;		/* still held */
	if (mp->match == mp->dlen && decides(p[i])) {
		mp->match = 0;
		mp->virt = false;
		mp->state = S_AFTER;
		return (long)i;
	}
	if (flush_held(mp, mp->match) == -1)
		return -1;
	return (long)i;
}

int
hark_mp_feed(struct hark_mp *mp, const void *data, size_t n)
{
	const unsigned char	*p = data;
	size_t			 i = 0;
	long			 r;
	unsigned char		 c;

	if (mp->err.code != HARK_MP_OK)
		return -1;
	if (mp->finished) {
		seterr(&mp->err, HARK_MP_E_USAGE, 0, NULL,
		    "fed after the end of the body");
		return -1;
	}
	while (i < n) {
		c = p[i];
		switch (mp->state) {
		case S_PREAMBLE:
		case S_DATA:
			r = mp->match > 0 ? resume(mp, p, i, n) :
			    scan(mp, p, i, n);
			if (r < 0)
				return -1;
			i = (size_t)r;
			break;
		case S_AFTER:
			mp->lwsp = 0;
			if (c == '-') {
				mp->state = S_DASH;
				i++;
			} else if (c == '\r') {
				mp->state = S_CR;
				i++;
			} else if (c == '\n') {
				return fail(mp, HARK_MP_E_BARE_LF,
				    "boundary line ends in LF without CR");
			} else
				mp->state = S_LWSP;
			break;
		case S_LWSP:
			if (is_ows(c)) {
				if (++mp->lwsp > mp->lim.max_header_line)
					return fail(mp, HARK_MP_E_BAD_DELIMITER,
					    "transport padding over %zu bytes",
					    mp->lim.max_header_line);
				i++;
			} else if (c == '\r') {
				mp->state = S_CR;
				i++;
			} else if (c == '\n') {
				return fail(mp, HARK_MP_E_BARE_LF,
				    "boundary line ends in LF without CR");
			} else
				return fail(mp, HARK_MP_E_BAD_DELIMITER,
				    "boundary followed by 0x%02x", c);
			break;
		case S_CR:
			if (c != '\n')
				return fail(mp, HARK_MP_E_BAD_DELIMITER,
				    "CR without LF after the boundary");
			i++;
			if (delimiter_line(mp) == -1)
				return -1;
			break;
		case S_DASH:
			if (c != '-')
				return fail(mp, HARK_MP_E_BAD_DELIMITER,
				    "boundary followed by a single '-'");
			i++;
			mp->state = S_CLOSE;
			mp->lwsp = 0;
			if (mp->in_part) {
				mp->in_part = false;
				if (mp->cb.part_end != NULL &&
				    mp->cb.part_end(mp->arg, &mp->part) != 0)
					return fail(mp, HARK_MP_E_ABORTED,
					    "refused by the caller");
			}
			break;
		case S_CLOSE:
			if (is_ows(c)) {
				if (++mp->lwsp > mp->lim.max_header_line)
					return fail(mp, HARK_MP_E_AFTER_CLOSE,
					    "transport padding over %zu bytes",
					    mp->lim.max_header_line);
				i++;
			} else if (c == '\r') {
				mp->state = S_CLOSE_CR;
				i++;
			} else if (c == '\n') {
				return fail(mp, HARK_MP_E_BARE_LF,
				    "close-delimiter ends in LF without CR");
			} else
				return fail(mp, HARK_MP_E_AFTER_CLOSE,
				    "0x%02x after the close-delimiter", c);
			break;
		case S_CLOSE_CR:
			if (c != '\n')
				return fail(mp, HARK_MP_E_AFTER_CLOSE,
				    "CR without LF after the close-delimiter");
			i++;
			mp->state = S_EPILOGUE;
			break;
		case S_EPILOGUE:
			return 0;	/* RFC 2046: to be ignored */
		case S_HDR:
			if (c == '\r') {
				mp->state = S_HDR_CR;
			} else if (c == '\n') {
				return fail(mp, HARK_MP_E_BARE_LF,
				    "header line ends in LF without CR");
			} else {
				if (mp->line_len >= mp->lim.max_header_line)
					return fail(mp, HARK_MP_E_HEADER_LINE,
					    "header line over %zu bytes",
					    mp->lim.max_header_line);
				if (mp->block_len + mp->line_len + 1 >
				    mp->lim.max_header_block)
					return fail(mp, HARK_MP_E_HEADER_BLOCK,
					    "headers over %zu bytes",
					    mp->lim.max_header_block);
				mp->line[mp->line_len++] = (char)c;
			}
			i++;
			break;
		case S_HDR_CR:
			if (c != '\n')
				return fail(mp, HARK_MP_E_BAD_HEADER,
				    "CR without LF in the part's headers");
			i++;
			mp->block_len += mp->line_len + 2;
			if (mp->block_len > mp->lim.max_header_block)
				return fail(mp, HARK_MP_E_HEADER_BLOCK,
				    "headers over %zu bytes",
				    mp->lim.max_header_block);
			if (mp->line_len == 0) {
				if (headers_done(mp) == -1)
					return -1;
				break;
			}
			if (header_line(mp) == -1)
				return -1;
			mp->line_len = 0;
			mp->state = S_HDR;
			break;
		}
	}
	return 0;
}

int
hark_mp_finish(struct hark_mp *mp)
{
	if (mp->err.code != HARK_MP_OK)
		return -1;
	if (mp->finished) {
		seterr(&mp->err, HARK_MP_E_USAGE, 0, NULL, "finished twice");
		return -1;
	}
	mp->finished = true;
	switch (mp->state) {
	case S_CLOSE:
	case S_EPILOGUE:
		if (mp->cb.done != NULL && mp->cb.done(mp->arg,
		    mp->nparts) != 0)
			return fail(mp, HARK_MP_E_ABORTED,
			    "refused by the caller");
		return 0;
	case S_CLOSE_CR:
		return fail(mp, HARK_MP_E_AFTER_CLOSE,
		    "CR without LF after the close-delimiter");
	case S_PREAMBLE:
		seterr(&mp->err, HARK_MP_E_NO_DELIMITER, 0, NULL,
		    "the body has no boundary line");
		return -1;
	default:
		break;
	}
	if (mp->in_part)
		return fail(mp, HARK_MP_E_TRUNCATED,
		    "the body ends before the final boundary");
	seterr(&mp->err, HARK_MP_E_TRUNCATED, mp->nparts,
	    mp->has_name ? mp->name : NULL,
	    "the body ends before the final boundary");
	return -1;
}
