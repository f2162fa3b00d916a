/*
 * captcha.c: hCaptcha / Turnstile siteverify through lib/webclient.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "captcha.h"
#include "webclient.h"

#define ANSWER_MAX	16384	/* siteverify answers are a few hundred bytes */

/* The "error-codes" array as one line, for the log. */
static void
error_codes(struct json_object *o, char *why, size_t whylen)
{
	struct json_object	*codes, *c;
	size_t			 i, n, used = 0;
	int			 k;

	if (why == NULL || whylen == 0)
		return;
	snprintf(why, whylen, "refused by the provider");
	if (!json_object_object_get_ex(o, "error-codes", &codes) ||
	    !json_object_is_type(codes, json_type_array))
		return;
	n = json_object_array_length(codes);
	for (i = 0; i < n && used < whylen; i++) {
		c = json_object_array_get_idx(codes, i);
		if (!json_object_is_type(c, json_type_string))
			continue;
		k = snprintf(why + used, whylen - used, "%s%.64s",
		    used ? ", " : "refused by the provider: ",
		    json_object_get_string(c));
		if (k < 0)
			break;
		used += (size_t)k;
	}
}

static enum hark_captcha_rc
read_answer(long status, const struct hark_buf *answer, char *why,
    size_t whylen)
{
	struct json_object	*o, *ok;
	enum hark_captcha_rc	 rc = HARK_CAPTCHA_UNAVAILABLE;

	if (status != 200) {
		if (why != NULL)
			snprintf(why, whylen, "siteverify answered HTTP %ld",
			    status);
		return rc;
	}
	if (answer->data == NULL ||
	    (o = json_tokener_parse(answer->data)) == NULL) {
		if (why != NULL)
			snprintf(why, whylen, "siteverify answered no JSON");
		return rc;
	}
	if (!json_object_object_get_ex(o, "success", &ok) ||
	    !json_object_is_type(ok, json_type_boolean)) {
		if (why != NULL)
			snprintf(why, whylen, "siteverify answered no success");
	} else if (json_object_get_boolean(ok)) {
		rc = HARK_CAPTCHA_PASS;
	} else {
		rc = HARK_CAPTCHA_FAIL;
		error_codes(o, why, whylen);
	}
	json_object_put(o);
	return rc;
}

enum hark_captcha_rc
hark_captcha_verify(const struct hark_captcha_req *r, char *why,
    size_t whylen)
{
	struct hark_buf		 form = { 0 }, answer = { 0 };
	enum hark_captcha_rc	 rc = HARK_CAPTCHA_UNAVAILABLE;
	long			 status = 0;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (hark_web_form_add(&form, "secret", r->secret) == -1 ||
	    hark_web_form_add(&form, "response", r->response) == -1 ||
	    (r->remoteip != NULL &&
	    hark_web_form_add(&form, "remoteip", r->remoteip) == -1) ||
	    (r->sitekey != NULL &&
	    hark_web_form_add(&form, "sitekey", r->sitekey) == -1)) {
		if (why != NULL)
			snprintf(why, whylen, "out of memory");
		goto out;
	}
	if (hark_web_post(r->verify_url, "application/x-www-form-urlencoded",
	    form.data, form.len, r->timeout_ms, ANSWER_MAX, &status, &answer,
	    why, whylen) != HARK_WEB_OK)
		goto out;
	rc = read_answer(status, &answer, why, whylen);
out:
	/* The form holds the secret. */
	if (form.data != NULL)
		memset(form.data, 0, form.len);
	hark_buf_free(&form);
	hark_buf_free(&answer);
	return rc;
}
