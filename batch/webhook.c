/*
 * webhook.c: the webhook job kind: one delivery (a webhook_deliveries row
 * that the notify fan-out wrote, payload and all) POSTed to its endpoint,
 * signed per Standard Webhooks (lib/webhook.h), and the attempt recorded
 * in the delivery log.
 *
 * A 2xx answer delivers it; any other answer, or none, is retried by the
 * runner with its back-off (longer when the receiver sent a Retry-After,
 * up to WEBHOOK_RETRY_AFTER_MAX); after the last attempt
 * hark_webhook_failed marks it failed.  Every attempt carries the same
 * webhook-id, so a receiver that got an earlier one (its answer lost) can
 * drop the repeat, and a fresh webhook-timestamp and signature, as the
 * spec asks.  Redirects are not followed and the receiver's body is not
 * read beyond WEBHOOK_ANSWER_MAX bytes.
 *
 * The endpoint is the project's choice, so the request carries the guard
 * of [webhook] allow_private, allow_networks and deny_networks: each
 * address the URL resolves to is checked as curl connects.  A delivery
 * whose every address is refused fails at once, its reason in the log:
 * no retry can change what the configuration forbids.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "buf.h"
#include "conf.h"
#include "jobs.h"
#include "json.h"
#include "log.h"
#include "store.h"
#include "webclient.h"
#include "webhook.h"

#define WEBHOOK_ANSWER_MAX	65536	/* a receiver's body, unread */
#define WEBHOOK_RETRY_AFTER_MAX	3600	/* the kind's back-off cap */

/* The delivery id of the job's payload {"delivery": "msg_..."}, or -1. */
static int
delivery_id(const struct hark_job *job, char *out, size_t size)
{
	struct json_object	*obj = NULL;
	struct hark_json_err	 err;
	const char		*id;
	size_t			 len;
	int			 rc = -1;

	if (job->payload == NULL || hark_json_parse(job->payload,
	    strlen(job->payload), &obj, &err) == -1)
		return -1;
	id = hark_json_str(obj, "delivery", &len);
	if (id != NULL && len > 0 && len < size && memchr(id, '\0', len) ==
	    NULL) {
		memcpy(out, id, len + 1);
		rc = 0;
	}
	json_object_put(obj);
	return rc;
}

/* Records the attempt; the job's outcome when the store failed, else -1. */
static int
record(struct hark_job_ctx *ctx, const char *id, bool delivered, long status,
    const char *error)
{
	int	 rc;

	rc = hark_store_webhook_delivery_attempt(ctx->db, id, delivered,
	    (int)status, error);
	if (rc == HARK_STORE_OK || rc == HARK_STORE_NOT_FOUND)
		return -1;	/* NOT_FOUND: no longer pending, or gone */
	if (rc == HARK_STORE_UNAVAILABLE)
		return HARK_JOB_UNAVAILABLE;
	/* The POST went (or not) but its outcome is not written: for a
	 * delivered one, a retry sends it again, which webhook-id allows. */
	hark_job_why(ctx, "webhook: the attempt could not be recorded");
	return HARK_JOB_RETRY;
}

/* Sends d to w once; what the job should answer. */
static enum hark_job_rc
send_one(struct hark_job_ctx *ctx, const struct hark_webhook_delivery *d,
    const struct hark_webhook *w)
{
	struct hark_webhook_guard wg;
	struct hark_web_req	 r;
	struct hark_buf		 answer = { 0 };
	const char		*hdrs[4];
	char			 h_id[64 + sizeof(d->id)], h_ts[48], h_sig[80];
	char			 sig[HARK_WEBHOOK_SIG_SIZE], err[320], why[256];
	long long		 ts = (long long)time(NULL);
	long			 status = 0;
	unsigned		 retry_after = 0;
	enum hark_web_rc	 wrc;
	enum hark_job_rc	 out;
	int			 rc;

	if (hark_webhook_sign(w->secret, w->secret_len, d->id, ts, d->payload,
	    d->payload_len, sig, sizeof(sig)) == -1) {
		hark_job_why(ctx, "webhook: cannot sign the delivery");
		return HARK_JOB_RETRY;
	}
	if (hark_webhook_guard_init(&wg, ctx->conf) == -1) {
		hark_job_why(ctx, "webhook: out of memory");
		return HARK_JOB_RETRY;
	}
	snprintf(h_id, sizeof(h_id), "webhook-id: %s", d->id);
	snprintf(h_ts, sizeof(h_ts), "webhook-timestamp: %lld", ts);
	snprintf(h_sig, sizeof(h_sig), "webhook-signature: %s", sig);
	hdrs[0] = h_id;
	hdrs[1] = h_ts;
	hdrs[2] = h_sig;
	hdrs[3] = NULL;
	memset(&r, 0, sizeof(r));
	r.url = w->url;
	r.headers = hdrs;
	r.content_type = "application/json";
	r.body = d->payload;
	r.len = d->payload_len;
	r.timeout_ms = (long)ctx->conf->webhook_timeout * 1000;
	r.max_answer = WEBHOOK_ANSWER_MAX;
	r.guard = &wg.g;
	why[0] = '\0';
	wrc = hark_web_request(&r, &status, &answer, &retry_after, why,
	    sizeof(why));
	hark_buf_free(&answer);
	hark_webhook_guard_free(&wg);
	if (wrc == HARK_WEB_REFUSED) {
		/* why names an address and the setting, never the URL. */
		snprintf(err, sizeof(err), "refused: %s", why);
		hark_job_why(ctx, "webhook: refused: %s", why);
		rc = record(ctx, d->id, false, 0, err);
		return rc == -1 ? HARK_JOB_FAILED : (enum hark_job_rc)rc;
	}
	if (wrc == HARK_WEB_OK && status >= 200 && status <= 299) {
		rc = record(ctx, d->id, true, status, NULL);
		return rc == -1 ? HARK_JOB_DONE : (enum hark_job_rc)rc;
	}
	if (wrc == HARK_WEB_OK) {
		snprintf(err, sizeof(err), "HTTP %ld", status);
		hark_job_why(ctx, "webhook: the endpoint answered %ld", status);
		ctx->retry_after_s = retry_after > WEBHOOK_RETRY_AFTER_MAX ?
		    WEBHOOK_RETRY_AFTER_MAX : retry_after;
	} else {
		/* The log gets curl's words; ctx->why a class only. */
		snprintf(err, sizeof(err), "%s: %s",
		    wrc == HARK_WEB_TIMEOUT ? "timeout" :
		    wrc == HARK_WEB_TOO_LARGE ? "answer too large" :
		    wrc == HARK_WEB_UNREACHABLE ? "unreachable" : "error", why);
		hark_job_why(ctx, "webhook: %s", wrc == HARK_WEB_TIMEOUT ?
		    "no answer in time" : wrc == HARK_WEB_TOO_LARGE ?
		    "the answer was too large" : wrc == HARK_WEB_UNREACHABLE ?
		    "the endpoint is unreachable" : "the request failed");
	}
	rc = record(ctx, d->id, false, status, err);
	out = rc == -1 ? HARK_JOB_RETRY : (enum hark_job_rc)rc;
	return out;
}

enum hark_job_rc
hark_webhook_run(struct hark_job_ctx *ctx, const struct hark_job *job)
{
	struct hark_webhook_delivery	 d;
	struct hark_webhook		*w = NULL;
	char				 id[sizeof(d.id)];
	enum hark_job_rc		 out = HARK_JOB_DONE;
	int				 rc;

	memset(&d, 0, sizeof(d));
	if (delivery_id(job, id, sizeof(id)) == -1) {
		hark_job_why(ctx, "webhook: the job names no delivery");
		return HARK_JOB_FAILED;
	}
	rc = hark_store_webhook_delivery_get(ctx->db, id, &d);
	if (rc == HARK_STORE_UNAVAILABLE)
		return HARK_JOB_UNAVAILABLE;
	if (rc == HARK_STORE_NOT_FOUND) {
		/* Its endpoint removed (the rows cascade) or its item
		 * erased: nothing to send. */
		hark_job_why(ctx, "webhook: the delivery is gone");
		return HARK_JOB_DONE;
	}
	if (rc != HARK_STORE_OK) {
		hark_job_why(ctx, "webhook: cannot read the delivery");
		return HARK_JOB_RETRY;
	}
	if (strcmp(d.status, "pending") != 0)
		goto out;	/* a claim run again after a crash: sent */
	if ((w = malloc(sizeof(*w))) == NULL) {
		hark_job_why(ctx, "webhook: out of memory");
		out = HARK_JOB_RETRY;
		goto out;
	}
	rc = hark_store_webhook_get(ctx->db, d.webhook_id, w);
	if (rc == HARK_STORE_UNAVAILABLE) {
		out = HARK_JOB_UNAVAILABLE;
		goto out;
	}
	if (rc == HARK_STORE_NOT_FOUND) {
		hark_job_why(ctx, "webhook: the endpoint was removed");
		goto out;
	}
	if (rc != HARK_STORE_OK || w->secret_len == 0) {
		hark_job_why(ctx, "webhook: cannot read the endpoint");
		out = HARK_JOB_RETRY;
		goto out;
	}
	out = send_one(ctx, &d, w);
	if (ctx->verbose)
		hark_log(HARK_LOG_INFO, "webhook %s: %s to %s (attempt %u)",
		    d.id, d.event, w->id, job->attempt);
out:
	if (w != NULL) {
		OPENSSL_cleanse(w, sizeof(*w));
		free(w);
	}
	hark_webhook_delivery_clear(&d);
	return out;
}

void
hark_webhook_failed(struct hark_job_ctx *ctx, const struct hark_job *job)
{
	char	 id[HARK_ID_SIZE + 8];
	int	 rc;

	if (delivery_id(job, id, sizeof(id)) == -1)
		return;
	rc = hark_store_webhook_delivery_fail(ctx->db, id,
	    ctx->why[0] != '\0' ? ctx->why : "failed");
	if (rc != HARK_STORE_OK && rc != HARK_STORE_NOT_FOUND)
		hark_log(HARK_LOG_WARN, "webhook %s: cannot mark the delivery "
		    "failed: %s", id, hark_store_errmsg(ctx->db));
}
