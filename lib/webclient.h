/*
 * webclient.h: hark's outgoing HTTP requests (libcurl): captcha siteverify,
 * the OpenAI-compatible backends (lib/openai.c); webhooks and Linear later.
 *
 * One request at a time, bounded in time and in the size of the answer,
 * TLS verified, redirects not followed (a siteverify URL that redirects is
 * a misconfiguration, not something to chase), no proxy from the
 * environment unless the operator sets one in the config later.
 */
#ifndef HARK_WEBCLIENT_H
#define HARK_WEBCLIENT_H

#include <stddef.h>

#include "buf.h"

enum hark_web_rc {
	HARK_WEB_OK = 0,	/* an answer came; its status is in *status */
	HARK_WEB_TIMEOUT,	/* no whole answer within the time allowed */
	HARK_WEB_UNREACHABLE,	/* DNS, connect, TLS or transfer failure */
	HARK_WEB_TOO_LARGE,	/* the answer is over max_answer bytes */
	HARK_WEB_ERROR		/* a bad URL, out of memory */
};

/*
 * POSTs body (len bytes, of content_type) to url, allowing timeout_ms for
 * the whole exchange.  On HARK_WEB_OK, *status is the HTTP status and out
 * holds the answer's body (at most max_answer bytes).  why (may be NULL)
 * gets a line for the log that never holds the body.
 */
enum hark_web_rc hark_web_post(const char *url, const char *content_type,
	    const char *body, size_t len, long timeout_ms, size_t max_answer,
	    long *status, struct hark_buf *out, char *why, size_t whylen);

/*
 * One part of a multipart/form-data body: a field (value) or a file (file,
 * a path streamed from disk while the request goes out, never read whole
 * into memory; filename is what the server is told, type its
 * Content-Type, both optional).
 */
struct hark_web_part {
	const char	*name;
	const char	*value;		/* a field, or NULL for a file */
	const char	*file;		/* a path, when value is NULL */
	const char	*filename;	/* NULL: the file's basename */
	const char	*type;		/* NULL: curl's guess */
};

/*
 * A POST, in full: a plain body (content_type, body, len) or, when nparts
 * is not 0, a multipart/form-data body of parts; headers are extra
 * "Name: value" lines (NULL-terminated list, or NULL), such as
 * "Authorization: Bearer ...", which are wiped from memory afterwards and
 * never reach why.
 */
struct hark_web_req {
	const char			*method;	/* NULL: POST; or GET */
	const char			*url;
	const char *const		*headers;
	const char			*content_type;
	const char			*body;
	size_t				 len;
	const struct hark_web_part	*parts;
	size_t				 nparts;
	long				 timeout_ms;	/* the whole exchange */
	size_t				 max_answer;	/* bytes of the body kept */
};

/*
 * Sends r.  On HARK_WEB_OK, *status is the HTTP status, out holds the
 * answer's body and *retry_after (may be NULL) the seconds of its
 * Retry-After header (a number or an HTTP date; 0 when absent).  A file
 * part that cannot be read is HARK_WEB_ERROR.  why as for hark_web_post.
 */
enum hark_web_rc hark_web_request(const struct hark_web_req *r, long *status,
	    struct hark_buf *out, unsigned *retry_after, char *why,
	    size_t whylen);

/* Appends "name=value" (value URL-encoded, "&" between pairs); 0 or -1. */
int	hark_web_form_add(struct hark_buf *out, const char *name,
	    const char *value);

#endif
