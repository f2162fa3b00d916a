/*
 * webclient.h: hark's outgoing HTTP requests (libcurl): captcha siteverify
 * today; webhooks, Linear and OpenAI-compatible APIs reuse it.
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

/* Appends "name=value" (value URL-encoded, "&" between pairs); 0 or -1. */
int	hark_web_form_add(struct hark_buf *out, const char *name,
	    const char *value);

#endif
