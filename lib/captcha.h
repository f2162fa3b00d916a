/*
 * captcha.h: checking a captcha token with its provider's siteverify
 * endpoint: hCaptcha's, or Cloudflare Turnstile's (the same shape: a form
 * POST of secret, response, remoteip and sitekey, a JSON answer with
 * "success").  The URL is configuration ([widget] captcha_verify_url), so
 * tests point it at a local server that speaks the protocol.
 *
 * A provider that cannot be reached, is slow past the timeout or answers
 * anything but a 200 with a JSON "success" is UNAVAILABLE: never a pass.
 */
#ifndef HARK_CAPTCHA_H
#define HARK_CAPTCHA_H

#include <stddef.h>

enum hark_captcha_rc {
	HARK_CAPTCHA_PASS = 0,
	HARK_CAPTCHA_FAIL,		/* the provider said no */
	HARK_CAPTCHA_UNAVAILABLE	/* no usable answer: 503 */
};

struct hark_captcha_req {
	const char	*verify_url;
	long		 timeout_ms;
	const char	*secret;
	const char	*response;	/* the token the page got */
	const char	*remoteip;	/* NULL: not sent */
	const char	*sitekey;	/* NULL: not sent */
};

/*
 * Asks the provider.  why (may be NULL) gets the provider's error codes or
 * the failure, for the log (never the secret or the token).
 */
enum hark_captcha_rc hark_captcha_verify(const struct hark_captcha_req *,
	    char *why, size_t whylen);

#endif
