/*
 * idem.c: a submission's Idempotency-Key (issue 14 item 10), for the JSON
 * and the multipart POST /v1/feedback alike: the claim, the replay of a
 * recorded answer, 409 while the first is in flight, 422 for other content.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>

#include "app.h"
#include "conf.h"
#include "feedback.h"
#include "handlers.h"
#include "respond.h"
#include "store.h"

/* The recorded answer again, as the first request had it. */
static void
replay(const struct hark_call *c, const struct hark_idem_row *r)
{
	hark_buf_reset(&c->resp->body);
	if (hark_buf_append(&c->resp->body, r->body, r->body_len) == -1) {
		hark_resp_error(c->resp, 500, "internal", NULL, "out of memory");
		return;
	}
	c->resp->status = r->status;
	c->resp->content_type = "application/json; charset=utf-8";
	hark_resp_header(c->resp, "Idempotent-Replayed", "true");
	if (r->feedback_id[0] != '\0')
		hark_resp_header(c->resp, "Location", "%s/v1/feedback/%s",
		    c->app->conf->base_path, r->feedback_id);
}

/*
 * Claims the Idempotency-Key, if the request has one: 0 to go on (*key set
 * when claimed, id then the claim's), 1 when the answer is made.
 */
int
hark_idem_begin(const struct hark_call *c,
    const unsigned char hash[HARK_IDEM_HASH_LEN], char *id, size_t idlen,
    const char **key, bool *taken)
{
	struct hark_idem_row	 r;
	const char		*k;
	int			 rc;

	*key = NULL;
	*taken = false;
	if ((k = hark_req_header(c->req, "idempotency-key")) == NULL)
		return 0;
	if (!hark_idem_key_valid(k)) {
		hark_resp_error(c->resp, 400, "invalid_header",
		    "Idempotency-Key", "Idempotency-Key must be 1 to %d "
		    "printable ASCII characters", HARK_IDEM_KEY_MAX);
		return 1;
	}
	rc = hark_store_idem_claim(c->app->db, c->who.project_id, k, hash,
	    id, HARK_IDEM_TTL_S, HARK_IDEM_INFLIGHT_S, &r);
	if (rc == HARK_STORE_OK) {
		/* A dead request's claim: file its id, found if it committed. */
		if (r.taken_over && r.feedback_id[0] != '\0') {
			snprintf(id, idlen, "%s", r.feedback_id);
			*taken = true;
		}
		*key = k;
	} else if (rc != HARK_STORE_DUPLICATE) {
		hark_respond_store(c->app, c->resp, rc);
	} else if (!r.same) {
		hark_resp_error(c->resp, 422, "idempotency_key_reused",
		    "Idempotency-Key", "this Idempotency-Key was used with "
		    "another request");
	} else if (!r.done) {
		hark_resp_error(c->resp, 409, "idempotency_key_in_flight",
		    "Idempotency-Key", "a request with this Idempotency-Key "
		    "is still being processed");
		hark_resp_header(c->resp, "Retry-After", "1");
	} else {
		replay(c, &r);
	}
	hark_idem_row_clear(&r);
	return *key != NULL ? 0 : 1;
}

