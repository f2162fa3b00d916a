/*
 * webclient.c: bounded outgoing HTTP POSTs with libcurl (see webclient.h):
 * plain bodies and multipart uploads streamed from disk.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "buf.h"
#include "webclient.h"

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

static void
set_why(char *why, size_t whylen, const char *s)
{
	if (why != NULL && whylen > 0)
		snprintf(why, whylen, "%s", s);
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
	char			 ct[128], errbuf[CURL_ERROR_SIZE] = "";
	curl_mime		*mime = NULL;
	curl_off_t		 ra = 0;
	enum hark_web_rc	 rc = HARK_WEB_ERROR;
	size_t			 i;
	CURLcode		 c;
	CURL			*h;

	*status = 0;
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
	c = curl_easy_perform(h);
	rc = map_curl(c, &s);
	if (rc == HARK_WEB_OK) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
		/* Seconds, whether the header gave seconds or a date. */
		if (retry_after != NULL &&
		    curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK &&
		    ra > 0)
			*retry_after = ra > 86400 ? 86400 : (unsigned)ra;
	} else
		set_why(why, whylen, s.too_large ? "answer too large" :
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
