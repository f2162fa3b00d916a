/*
 * webclient.c: bounded outgoing HTTP POSTs with libcurl (see webclient.h):
 * plain bodies and multipart uploads streamed from disk, and the guard on
 * where a request chosen by a project may connect.
 *
 * The guard sits in curl's open-socket callback: curl calls it with each
 * address it has resolved, just before connecting, and a refusal there
 * means no packet leaves for that address (a check after connecting, such
 * as CURLINFO_PRIMARY_IP, would already have probed the port).  Each
 * request is its own easy handle, so no connection is reused from an
 * unchecked one, and redirects are not followed, so there is no second hop
 * to check.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "buf.h"
#include "proxies.h"
#include "webclient.h"

/* What the open-socket callback saw of one request. */
struct guard_state {
	const struct hark_web_guard	*g;
	unsigned			 tried;
	unsigned			 refused;
	char				 why[128];	/* the first refusal */
};

static void set_why(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* The reason a request failed, for the caller's log, if it wants one. */
static void
set_why(char *why, size_t whylen, const char *fmt, ...)
{
	va_list	 ap;

	if (why == NULL || whylen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

struct sink {
	struct hark_buf	*out;
	size_t		 max;
	int		 too_large;
};

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct sink	*s = arg;
	size_t		 len = size * n;

	if (s->out->len + len > s->max) {
		s->too_large = 1;
		return 0;	/* curl stops with CURLE_WRITE_ERROR */
	}
	if (hark_buf_append(s->out, p, len) == -1)
		return 0;
	return len;
}

static const char *
ip4_class(const unsigned char *a)
{
	if (a[0] == 0)
		return "unspecified";		/* 0.0.0.0/8, "this network" */
	if (a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
	    (a[0] == 192 && a[1] == 168))
		return "private";		/* RFC 1918 */
	if (a[0] == 100 && (a[1] & 0xc0) == 64)
		return "shared (CGNAT)";	/* 100.64.0.0/10, RFC 6598 */
	if (a[0] == 127)
		return "loopback";
	if (a[0] == 169 && a[1] == 254)
		return "link-local";		/* and cloud metadata */
	if (a[0] == 192 && a[1] == 0 && a[2] == 0)
		return "reserved";		/* IETF protocol assignments */
	if ((a[0] == 192 && a[1] == 0 && a[2] == 2) ||
	    (a[0] == 198 && a[1] == 51 && a[2] == 100) ||
	    (a[0] == 203 && a[1] == 0 && a[2] == 113))
		return "documentation";		/* TEST-NET-1, 2, 3 */
	if (a[0] == 198 && (a[1] & 0xfe) == 18)
		return "benchmarking";		/* 198.18.0.0/15 */
	if (a[0] >= 224 && a[0] <= 239)
		return "multicast";
	if (a[0] >= 240)
		return "reserved";		/* 240/4 and the broadcast */
	return NULL;
}

const char *
hark_web_ip_class(int family, const unsigned char *a)
{
	static const unsigned char	 zero[12];
	static const unsigned char	 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0,
					    0, 0, 0xff, 0xff };
	static const unsigned char	 nat64[12] = { 0, 0x64, 0xff, 0x9b };

	if (family == AF_INET)
		return ip4_class(a);
	if (family != AF_INET6)
		return "reserved";
	if (memcmp(a, zero, 12) == 0) {
		/* ::, ::1, then the deprecated IPv4-compatible ::a.b.c.d. */
		if (memcmp(a + 12, zero, 3) == 0 && a[15] <= 1)
			return a[15] == 0 ? "unspecified" : "loopback";
		return ip4_class(a + 12) != NULL ? ip4_class(a + 12) :
		    "reserved";
	}
	/* The kernel connects to ::ffff:a.b.c.d as to a.b.c.d, and a
	 * NAT64 gateway translates 64:ff9b::a.b.c.d to it. */
	if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0)
		return ip4_class(a + 12);
	if (a[0] == 0x20 && a[1] == 0x02)
		return ip4_class(a + 2);	/* 6to4 2002:a.b.c.d::/48 */
	if (a[0] == 0 && a[1] == 0x64 && a[2] == 0xff && a[3] == 0x9b &&
	    a[4] == 0 && a[5] == 1)
		return "private";		/* local NAT64 64:ff9b:1::/48 */
	if ((a[0] & 0xfe) == 0xfc)
		return "unique local";		/* fc00::/7 */
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return "link-local";		/* fe80::/10 */
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0)
		return "site-local";		/* fec0::/10, deprecated */
	if (a[0] == 0xff)
		return "multicast";
	if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8)
		return "documentation";		/* 2001:db8::/32 */
	/* Only 2000::/3 is global unicast; the rest (::/8 with 100::/64
	 * discard-only among them) is unassigned or special. */
	if ((a[0] & 0xe0) != 0x20)
		return "reserved";
	return NULL;
}

int
hark_web_guard_check(const struct hark_web_guard *g,
    const struct sockaddr *sa, char *why, size_t whylen)
{
	const unsigned char	*a;
	const char		*what;
	char			 text[INET6_ADDRSTRLEN];
	int			 family;

	if (sa->sa_family == AF_INET) {
		family = AF_INET;
		a = (const unsigned char *)
		    &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	} else if (sa->sa_family == AF_INET6) {
		family = AF_INET6;
		a = ((const struct sockaddr_in6 *)(const void *)sa)->
		    sin6_addr.s6_addr;
		/* An IPv4-mapped address is that IPv4 address, lists too. */
		if (IN6_IS_ADDR_V4MAPPED(
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr)) {
			family = AF_INET;
			a += 12;
		}
	} else {
		set_why(why, whylen, "not an IP address");
		return -1;
	}
	if (inet_ntop(family, a, text, sizeof(text)) == NULL)
		snprintf(text, sizeof(text), "?");
	if (g->deny != NULL && hark_proxies_trusted(g->deny, text)) {
		set_why(why, whylen, "the address %s is in [webhook] "
		    "deny_networks", text);
		return -1;
	}
	if (g->allow != NULL && hark_proxies_trusted(g->allow, text))
		return 0;
	/* The class of the address as the peer would see it: a mapped one
	 * was turned into its IPv4 form above. */
	if (g->allow_private || (what = hark_web_ip_class(family, a)) == NULL)
		return 0;
	set_why(why, whylen, "the %s address %s ([webhook] allow_private is "
	    "off)", what, text);
	return -1;
}

/*
 * CURLOPT_OPENSOCKETFUNCTION: the socket for one address curl resolved,
 * or CURL_SOCKET_BAD (curl tries the next address, then fails with
 * CURLE_COULDNT_CONNECT) when the guard refuses it.
 */
static curl_socket_t
guard_open(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct guard_state	*st = arg;
	char			 why[sizeof(st->why)];
	int			 type = addr->socktype;

	(void)purpose;
	st->tried++;
	if (hark_web_guard_check(st->g, &addr->addr, why, sizeof(why)) == -1) {
		if (st->refused++ == 0)
			memcpy(st->why, why, sizeof(why));
		return CURL_SOCKET_BAD;
	}
#ifdef SOCK_CLOEXEC
	type |= SOCK_CLOEXEC;
#endif
	return socket(addr->family, type, addr->protocol);
}

static enum hark_web_rc
map_curl(CURLcode c, const struct sink *s)
{
	if (s->too_large)
		return HARK_WEB_TOO_LARGE;
	switch (c) {
	case CURLE_OK:
		return HARK_WEB_OK;
	case CURLE_OPERATION_TIMEDOUT:
		return HARK_WEB_TIMEOUT;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_OUT_OF_MEMORY:
		return HARK_WEB_ERROR;
	default:
		return HARK_WEB_UNREACHABLE;
	}
}

/* Header lines may hold a key: wiped before curl frees them. */
static void
free_headers(struct curl_slist *hdrs)
{
	struct curl_slist	*l;
	volatile char		*v;

	for (l = hdrs; l != NULL; l = l->next)
		for (v = l->data; v != NULL && *v != '\0'; v++)
			*v = 'x';
	curl_slist_free_all(hdrs);
}

/* The multipart body of r, or NULL with why set. */
static curl_mime *
make_mime(CURL *h, const struct hark_web_req *r, char *why, size_t whylen)
{
	curl_mimepart	*part;
	curl_mime	*mime;
	size_t		 i;
	CURLcode	 c;

	if ((mime = curl_mime_init(h)) == NULL) {
		set_why(why, whylen, "out of memory");
		return NULL;
	}
	for (i = 0; i < r->nparts; i++) {
		const struct hark_web_part *p = &r->parts[i];

		if ((part = curl_mime_addpart(mime)) == NULL ||
		    curl_mime_name(part, p->name) != CURLE_OK)
			goto nomem;
		if (p->value != NULL) {
			if (curl_mime_data(part, p->value,
			    CURL_ZERO_TERMINATED) != CURLE_OK)
				goto nomem;
			continue;
		}
		/* curl reads the file as it sends it: nothing held whole. */
		if ((c = curl_mime_filedata(part, p->file)) != CURLE_OK) {
			set_why(why, whylen, c == CURLE_OUT_OF_MEMORY ?
			    "out of memory" : "cannot read the file to send");
			curl_mime_free(mime);
			return NULL;
		}
		if ((p->filename != NULL &&
		    curl_mime_filename(part, p->filename) != CURLE_OK) ||
		    (p->type != NULL &&
		    curl_mime_type(part, p->type) != CURLE_OK))
			goto nomem;
	}
	return mime;
nomem:
	set_why(why, whylen, "out of memory");
	curl_mime_free(mime);
	return NULL;
}

enum hark_web_rc
hark_web_request(const struct hark_web_req *r, long *status,
    struct hark_buf *out, unsigned *retry_after, char *why, size_t whylen)
{
	struct curl_slist	*hdrs = NULL, *l;
	struct sink		 s = { out, r->max_answer, 0 };
	struct guard_state	 gs;
	char			 ct[128], errbuf[CURL_ERROR_SIZE] = "";
	curl_mime		*mime = NULL;
	curl_off_t		 ra = 0;
	enum hark_web_rc	 rc = HARK_WEB_ERROR;
	size_t			 i;
	CURLcode		 c;
	CURL			*h;

	*status = 0;
	memset(&gs, 0, sizeof(gs));
	gs.g = r->guard;
	if (retry_after != NULL)
		*retry_after = 0;
	if ((h = curl_easy_init()) == NULL) {
		set_why(why, whylen, "curl_easy_init failed");
		return HARK_WEB_ERROR;
	}
	if (r->nparts == 0 && r->content_type != NULL) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", r->content_type);
		if ((hdrs = curl_slist_append(NULL, ct)) == NULL)
			goto nomem;
	}
	for (i = 0; r->headers != NULL && r->headers[i] != NULL; i++) {
		if ((l = curl_slist_append(hdrs, r->headers[i])) == NULL)
			goto nomem;
		hdrs = l;
	}
	/* No "Expect: 100-continue" wait before an upload's body. */
	if ((l = curl_slist_append(hdrs, "Expect:")) == NULL)
		goto nomem;
	hdrs = l;
	curl_easy_setopt(h, CURLOPT_URL, r->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	if (r->nparts > 0) {
		if ((mime = make_mime(h, r, why, whylen)) == NULL)
			goto out;
		curl_easy_setopt(h, CURLOPT_MIMEPOST, mime);
	} else if (r->method != NULL && strcmp(r->method, "GET") == 0) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)r->len);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, r->timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, r->timeout_ms);
	/* Single-threaded workers: no signal-based DNS timeouts. */
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "hark/" PACKAGE_VERSION);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	if (r->guard != NULL) {
		curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, guard_open);
		curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &gs);
		/* Through a proxy the socket's address would be the proxy's,
		 * and the proxy would reach what the guard refuses. */
		curl_easy_setopt(h, CURLOPT_PROXY, "");
	}
	c = curl_easy_perform(h);
	rc = map_curl(c, &s);
	if (rc != HARK_WEB_OK && gs.refused > 0 && gs.refused == gs.tried) {
		/* Every address was refused: not a network failure, and no
		 * retry will change it unless the configuration does. */
		set_why(why, whylen, "%s", gs.why);
		rc = HARK_WEB_REFUSED;
		goto out;
	}
	if (rc == HARK_WEB_OK) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
		/* Seconds, whether the header gave seconds or a date. */
		if (retry_after != NULL &&
		    curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK &&
		    ra > 0)
			*retry_after = ra > 86400 ? 86400 : (unsigned)ra;
	} else
		set_why(why, whylen, "%s", s.too_large ? "answer too large" :
		    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(c));
	goto out;
nomem:
	set_why(why, whylen, "out of memory");
out:
	free_headers(hdrs);
	curl_easy_cleanup(h);
	curl_mime_free(mime);
	return rc;
}

enum hark_web_rc
hark_web_post(const char *url, const char *content_type, const char *body,
    size_t len, long timeout_ms, size_t max_answer, long *status,
    struct hark_buf *out, char *why, size_t whylen)
{
	struct hark_web_req	 r;

	memset(&r, 0, sizeof(r));
	r.url = url;
	r.content_type = content_type;
	r.body = body;
	r.len = len;
	r.timeout_ms = timeout_ms;
	r.max_answer = max_answer;
	return hark_web_request(&r, status, out, NULL, why, whylen);
}

int
hark_web_form_add(struct hark_buf *out, const char *name, const char *value)
{
	char	*e;
	int	 rc;

	if ((e = curl_easy_escape(NULL, value, 0)) == NULL)
		return -1;
	rc = hark_buf_printf(out, "%s%s=%s", out->len > 0 ? "&" : "", name, e);
	curl_free(e);
	return rc;
}
