/*
 * mail_send.c: the two ways a built message leaves hark (see mail.h): SMTP
 * through libcurl, and a Resend-compatible HTTP API through webclient.c.
 * Neither ever puts the address, the text or a key into why.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "buf.h"
#include "mail.h"
#include "webclient.h"

struct reader {
	const char	*p;
	size_t		 left;
};

static size_t
on_read(char *buf, size_t size, size_t n, void *arg)
{
	struct reader	*r = arg;
	size_t		 len = size * n;

	if (len > r->left)
		len = r->left;
	memcpy(buf, r->p, len);
	r->p += len;
	r->left -= len;
	return len;
}

enum hark_mail_rc
hark_mail_smtp_send(const struct hark_mail_smtp *s, const char *from,
    const char *to, const char *msg, size_t len, char *why, size_t whylen)
{
	struct curl_slist	*rcpt = NULL;
	struct reader		 r = { msg, len };
	char			 addr[300];
	enum hark_mail_rc	 rc = HARK_MAIL_RETRY;
	long			 code = 0;
	CURLcode		 c;
	CURL			*h;

	if ((h = curl_easy_init()) == NULL) {
		snprintf(why, whylen, "smtp: curl_easy_init failed");
		return HARK_MAIL_RETRY;
	}
	snprintf(addr, sizeof(addr), "<%s>", to);
	if ((rcpt = curl_slist_append(NULL, addr)) == NULL) {
		snprintf(why, whylen, "smtp: out of memory");
		goto out;
	}
	snprintf(addr, sizeof(addr), "<%s>", from);
	curl_easy_setopt(h, CURLOPT_URL, s->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, addr);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	/* smtps:// is TLS from the start whatever this says. */
	curl_easy_setopt(h, CURLOPT_USE_SSL,
	    s->starttls == HARK_MAIL_TLS_REQUIRED ? (long)CURLUSESSL_ALL :
	    s->starttls == HARK_MAIL_TLS_TRY ? (long)CURLUSESSL_TRY :
	    (long)CURLUSESSL_NONE);
	if (s->user != NULL && s->user[0] != '\0') {
		curl_easy_setopt(h, CURLOPT_USERNAME, s->user);
		curl_easy_setopt(h, CURLOPT_PASSWORD,
		    s->password != NULL ? s->password : "");
	}
	curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(h, CURLOPT_READDATA, &r);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, s->timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, s->timeout_ms);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	c = curl_easy_perform(h);
	if (c == CURLE_OK) {
		rc = HARK_MAIL_SENT;
		goto out;
	}
	/* The server's last reply: 5xx is for good (RFC 5321 4.2.1). */
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (code >= 500 && code <= 599)
		rc = HARK_MAIL_FAILED;
	/* curl_easy_strerror, not the error buffer: a server's reply text
	 * may quote the address. */
	if (code > 0)
		snprintf(why, whylen, "smtp: %s (reply %ld)",
		    curl_easy_strerror(c), code);
	else
		snprintf(why, whylen, "smtp: %s", curl_easy_strerror(c));
out:
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(h);
	return rc;
}

enum hark_mail_rc
hark_mail_resend_send(const struct hark_mail_resend *r, const char *json,
    size_t len, unsigned *retry_after, char *why, size_t whylen)
{
	struct hark_web_req	 q;
	struct hark_buf		 url = { 0 }, auth = { 0 }, idem = { 0 }, ans = { 0 };
	const char		*hdrs[3] = { NULL, NULL, NULL };
	enum hark_web_rc	 wrc;
	enum hark_mail_rc	 rc = HARK_MAIL_RETRY;
	size_t			 blen = strlen(r->base_url);
	long			 status = 0;
	char			 wwhy[256] = "";

	*retry_after = 0;
	while (blen > 0 && r->base_url[blen - 1] == '/')
		blen--;
	if (hark_buf_printf(&url, "%.*s/emails", (int)blen, r->base_url) == -1 ||
	    hark_buf_printf(&auth, "Authorization: Bearer %s", r->key) == -1 ||
	    (r->idempotency_key != NULL && hark_buf_printf(&idem,
	    "Idempotency-Key: %s", r->idempotency_key) == -1)) {
		snprintf(why, whylen, "resend: out of memory");
		goto out;
	}
	hdrs[0] = auth.data;
	hdrs[1] = idem.data;
	memset(&q, 0, sizeof(q));
	q.url = url.data;
	q.headers = hdrs;
	q.content_type = "application/json";
	q.body = json;
	q.len = len;
	q.timeout_ms = r->timeout_ms;
	q.max_answer = 64 * 1024;
	wrc = hark_web_request(&q, &status, &ans, retry_after, wwhy,
	    sizeof(wwhy));
	if (wrc == HARK_WEB_TOO_LARGE) {
		/* An answer too long to keep still answered. */
		snprintf(why, whylen, "resend: answer too large");
		goto out;
	}
	if (wrc != HARK_WEB_OK) {
		snprintf(why, whylen, "resend: %s", wwhy);
		goto out;
	}
	if (status >= 200 && status <= 299)
		rc = HARK_MAIL_SENT;
	else {
		rc = status == 429 || status >= 500 ? HARK_MAIL_RETRY :
		    HARK_MAIL_FAILED;
		snprintf(why, whylen, "resend: HTTP %ld", status);
	}
out:
	hark_buf_free(&url);
	/* The header held the key. */
	if (auth.data != NULL)
		explicit_bzero(auth.data, auth.len);
	hark_buf_free(&auth);
	hark_buf_free(&idem);
	hark_buf_free(&ans);
	return rc;
}
