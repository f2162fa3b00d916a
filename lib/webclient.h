/*
 * webclient.h: hark's outgoing HTTP requests (libcurl): captcha siteverify,
 * the OpenAI-compatible backends (lib/openai.c); webhooks and Linear later.
 *
 * One request at a time, bounded in time and in the size of the answer,
 * TLS verified, redirects not followed (a siteverify URL that redirects is
 * a misconfiguration, not something to chase), no proxy from the
 * environment unless the operator sets one in the config later.
 *
 * A request to a URL that someone other than the operator chose (a
 * project's webhook endpoint) carries a guard: every address curl is about
 * to connect to, after its own DNS look-up, is checked before the socket
 * is opened, so neither a literal private address nor a name that
 * resolves to one (today, or after a DNS change: rebinding) reaches the
 * host's loopback, the cloud's metadata service or the internal network.
 * The operator's own URLs (OpenAI, Linear, SMTP, captcha) go unguarded.
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
	HARK_WEB_ERROR,		/* a bad URL, out of memory */
	HARK_WEB_REFUSED	/* the guard refused every address; why says why */
};

struct hark_proxies;
struct sockaddr;

/*
 * Where a guarded request may connect.  An address in deny is refused;
 * else one in allow is let through; else one that hark_web_ip_class names
 * (loopback, private, link-local...) is refused unless allow_private.
 * Webhooks are the only guarded requests, so the reasons name [webhook]'s
 * keys.
 */
struct hark_web_guard {
	int				 allow_private;
	const struct hark_proxies	*allow;		/* NULL: none */
	const struct hark_proxies	*deny;		/* NULL: none */
};

/*
 * The kind of address that addr is when it is not a public unicast one:
 * "loopback", "private", "link-local", "shared (CGNAT)", "unspecified",
 * "multicast", "documentation", "benchmarking", "reserved", "unique local"
 * or "site-local"; NULL for a public address.  family is AF_INET (addr 4
 * bytes) or AF_INET6 (16 bytes), network order.  An IPv6 address that
 * carries an IPv4 one (IPv4-mapped ::ffff:0:0/96, IPv4-compatible ::/96,
 * NAT64 64:ff9b::/96, 6to4 2002::/16) is judged by the IPv4 address.
 */
const char	*hark_web_ip_class(int family, const unsigned char *addr);

/*
 * Whether g lets a request connect to sa (AF_INET or AF_INET6; any other
 * family is refused).  0, or -1 with why ("the loopback address
 * 127.0.0.1 ([webhook] allow_private is off)", never the URL) filled.
 */
int	hark_web_guard_check(const struct hark_web_guard *g,
	    const struct sockaddr *sa, char *why, size_t whylen);

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
	/* NULL: any address (the operator's URLs); else checked on each
	 * address before connecting, and no proxy is used. */
	const struct hark_web_guard	*guard;
};

/*
 * Sends r.  On HARK_WEB_OK, *status is the HTTP status, out holds the
 * answer's body and *retry_after (may be NULL) the seconds of its
 * Retry-After header (a number or an HTTP date; 0 when absent).  A file
 * part that cannot be read is HARK_WEB_ERROR.  When r->guard refused
 * every address curl tried, HARK_WEB_REFUSED, with the guard's reason in
 * why.  why as for hark_web_post.
 */
enum hark_web_rc hark_web_request(const struct hark_web_req *r, long *status,
	    struct hark_buf *out, unsigned *retry_after, char *why,
	    size_t whylen);

/* Appends "name=value" (value URL-encoded, "&" between pairs); 0 or -1. */
int	hark_web_form_add(struct hark_buf *out, const char *name,
	    const char *value);

#endif
