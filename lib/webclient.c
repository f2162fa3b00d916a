/*
 * webclient.c: bounded outgoing HTTP POSTs with libcurl (see webclient.h).
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

enum hark_web_rc
hark_web_post(const char *url, const char *content_type, const char *body,
    size_t len, long timeout_ms, size_t max_answer, long *status,
    struct hark_buf *out, char *why, size_t whylen)
{
	struct curl_slist	*hdrs = NULL;
	struct sink		 s = { out, max_answer, 0 };
	char			 ct[128], errbuf[CURL_ERROR_SIZE] = "";
	enum hark_web_rc	 rc;
	CURLcode		 c;
	CURL			*h;

	*status = 0;
	if ((h = curl_easy_init()) == NULL) {
		if (why != NULL)
			snprintf(why, whylen, "curl_easy_init failed");
		return HARK_WEB_ERROR;
	}
	snprintf(ct, sizeof(ct), "Content-Type: %s", content_type);
	if ((hdrs = curl_slist_append(NULL, ct)) == NULL) {
		curl_easy_cleanup(h);
		return HARK_WEB_ERROR;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	/* Single-threaded workers: no signal-based DNS timeouts. */
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "hark/" PACKAGE_VERSION);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	c = curl_easy_perform(h);
	rc = map_curl(c, &s);
	if (rc == HARK_WEB_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	else if (why != NULL)
		snprintf(why, whylen, "%s", s.too_large ? "answer too large" :
		    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(c));
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	return rc;
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
