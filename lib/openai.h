/*
 * openai.h: what the OpenAI-compatible backends share (transcribe_openai.c,
 * enrich_openai.c): the endpoint and key, one bounded POST through
 * lib/webclient, and the mapping of transport failures and HTTP statuses
 * to enum hark_backend_rc.
 *
 * The mapping, the same for both backends:
 *	transport: timeout, refused, reset, TLS, answer too large	RETRY
 *	a bad URL, a file that cannot be read, no memory		FAIL
 *	2xx								the caller parses
 *	429, 5xx (Retry-After into err->retry_after_s)			RETRY
 *	401, 403, 404, 408, 409, 425					RETRY
 *	any other 4xx (400, 413, 415, 422...)				FAIL
 * 401/403/404 are a key, a model or a path the operator has wrong: every
 * job would fail the same way, so they are retries, which keep the jobs
 * (and their sessions) until the operator has fixed the configuration,
 * rather than failures that end every session queued meanwhile in error.
 * The rest of 4xx say this request will never be accepted (a file the
 * server cannot decode, a text over the model's context): a failure.
 */
#ifndef HARK_OPENAI_H
#define HARK_OPENAI_H

#include <stddef.h>

#include "backend.h"
#include "buf.h"
#include "webclient.h"

struct hark_openai {
	char		*url;		/* base URL and path, joined */
	char		*auth;		/* "Authorization: Bearer ..."; NULL = no key */
	long		 timeout_ms;
	const char	*who;		/* "openai transcription": message prefix */
};

/*
 * Sets up c for base (an http(s) URL, trailing '/' allowed) and path
 * (starting with '/'); key "" sends no Authorization header.  Returns
 * HARK_BACKEND_OK, or HARK_BACKEND_FAIL with err filled.
 */
int	hark_openai_init(struct hark_openai *c, const char *who,
	    const char *base, const char *path, const char *key,
	    int timeout_s, struct hark_backend_err *err);
/* Frees and wipes what init made; c may be zeroed. */
void	hark_openai_free(struct hark_openai *c);

/*
 * Sends r (its url, headers and timeout are c's) and reads the answer into
 * out (at most max_answer bytes).  Returns HARK_BACKEND_OK for a 2xx with
 * *status set; otherwise the rc of the table above with err filled
 * ("openai transcription: HTTP 503 (server_error)"), *status set when an
 * answer came (out then holds its body, for the caller to look into).
 */
int	hark_openai_post(const struct hark_openai *c, struct hark_web_req *r,
	    size_t max_answer, long *status, struct hark_buf *out,
	    struct hark_backend_err *err);

/* Fills err with "<who>: <fmt...>" and clears retry_after_s. */
void	hark_openai_err(const struct hark_openai *c,
	    struct hark_backend_err *err, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
