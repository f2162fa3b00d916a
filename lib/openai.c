/*
 * openai.c: the client part the OpenAI-compatible backends share (see
 * openai.h for the status mapping and why).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "json.h"
#include "openai.h"

static void
wipe(char *s)
{
	volatile char	*v;

	for (v = s; v != NULL && *v != '\0'; v++)
		*v = 'x';
}

void
hark_openai_err(const struct hark_openai *c, struct hark_backend_err *err,
    const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (err == NULL)
		return;
	err->retry_after_s = 0;
	n = snprintf(err->msg, sizeof(err->msg), "%s: ", c->who);
	if (n < 0 || (size_t)n >= sizeof(err->msg))
		return;
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - (size_t)n, fmt, ap);
	va_end(ap);
}

int
hark_openai_init(struct hark_openai *c, const char *who, const char *base,
    const char *path, const char *key, int timeout_s,
    struct hark_backend_err *err)
{
	size_t	 blen;

	memset(c, 0, sizeof(*c));
	c->who = who;
	c->timeout_ms = (long)timeout_s * 1000;
	if (base == NULL || (strncmp(base, "http://", 7) != 0 &&
	    strncmp(base, "https://", 8) != 0)) {
		hark_openai_err(c, err, "the URL must be http:// or https://");
		return HARK_BACKEND_FAIL;
	}
	if (path == NULL || path[0] != '/') {
		hark_openai_err(c, err, "the path must start with '/'");
		return HARK_BACKEND_FAIL;
	}
	/* "http://host:8080/" and "/v1/..." make one slash, not two. */
	blen = strlen(base);
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	if (asprintf(&c->url, "%.*s%s", (int)blen, base, path) == -1) {
		c->url = NULL;
		goto nomem;
	}
	if (key != NULL && key[0] != '\0') {
		if (strpbrk(key, "\r\n") != NULL) {
			hark_openai_free(c);
			c->who = who;
			hark_openai_err(c, err, "the key holds a line break");
			return HARK_BACKEND_FAIL;
		}
		if (asprintf(&c->auth, "Authorization: Bearer %s", key) == -1) {
			c->auth = NULL;
			goto nomem;
		}
	}
	return HARK_BACKEND_OK;
nomem:
	hark_openai_free(c);
	c->who = who;
	hark_openai_err(c, err, "out of memory");
	return HARK_BACKEND_FAIL;
}

void
hark_openai_free(struct hark_openai *c)
{
	free(c->url);
	wipe(c->auth);
	free(c->auth);
	memset(c, 0, sizeof(*c));
}

/*
 * The error's code or type from an OpenAI error body
 * ({"error": {"code": "...", "type": "..."}}), as a short identifier; never
 * its message, which may quote the key ("Incorrect API key provided:
 * sk-ab***") or the input.
 */
static void
error_code(const struct hark_buf *body, char *out, size_t outlen)
{
	struct json_object	*top = NULL, *e;
	struct hark_json_err	 jerr;
	const char		*s = NULL;
	size_t			 i, n = 0;

	out[0] = '\0';
	if (body->len == 0 || hark_json_parse(body->data, body->len, &top,
	    &jerr) == -1)
		return;
	if (json_object_object_get_ex(top, "error", &e) &&
	    json_object_is_type(e, json_type_object) &&
	    (s = hark_json_str(e, "code", NULL)) == NULL)
		s = hark_json_str(e, "type", NULL);
	for (i = 0; s != NULL && s[i] != '\0' && n + 1 < outlen && n < 48; i++)
		if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '_' || s[i] == '-' || s[i] == '.')
			out[n++] = s[i];
	out[n] = '\0';
	json_object_put(top);
}

static int
status_rc(long status)
{
	if (status == 429 || status >= 500)
		return HARK_BACKEND_RETRY;
	switch (status) {
	case 401: case 403: case 404: case 408: case 409: case 425:
		return HARK_BACKEND_RETRY;
	default:
		return HARK_BACKEND_FAIL;
	}
}

int
hark_openai_post(const struct hark_openai *c, struct hark_web_req *r,
    size_t max_answer, long *status, struct hark_buf *out,
    struct hark_backend_err *err)
{
	const char	*headers[2] = { c->auth, NULL };
	char		 why[200], code[64];
	unsigned	 retry_after = 0;
	int		 rc;

	r->url = c->url;
	r->headers = headers;
	r->timeout_ms = c->timeout_ms;
	r->max_answer = max_answer;
	why[0] = '\0';
	switch (hark_web_request(r, status, out, &retry_after, why,
	    sizeof(why))) {
	case HARK_WEB_OK:
		break;
	case HARK_WEB_TIMEOUT:
		hark_openai_err(c, err, "no answer within %ld s", c->timeout_ms /
		    1000);
		return HARK_BACKEND_RETRY;
	case HARK_WEB_TOO_LARGE:
		hark_openai_err(c, err, "answer over %zu bytes", max_answer);
		return HARK_BACKEND_RETRY;
	case HARK_WEB_UNREACHABLE:
		hark_openai_err(c, err, "cannot reach the server: %s", why);
		return HARK_BACKEND_RETRY;
	default:
		hark_openai_err(c, err, "%s", why[0] != '\0' ? why :
		    "cannot make the request");
		return HARK_BACKEND_FAIL;
	}
	if (*status >= 200 && *status <= 299)
		return HARK_BACKEND_OK;
	rc = status_rc(*status);
	error_code(out, code, sizeof(code));
	hark_openai_err(c, err, "HTTP %ld%s%s%s", *status,
	    code[0] != '\0' ? " (" : "", code, code[0] != '\0' ? ")" : "");
	if (err != NULL && rc == HARK_BACKEND_RETRY)
		err->retry_after_s = retry_after;
	return rc;
}
