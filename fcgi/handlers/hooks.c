/*
 * hooks.c: inbound alert webhooks (issue 22): monitors as sources.
 *
 *   POST /v1/hooks/alertmanager   Alertmanager's webhook_config payload
 *   POST /v1/hooks/grafana        Grafana alerting's webhook
 *   POST /v1/hooks/sentry?hook=   Sentry's issue and alert webhooks
 *
 * A hook is a project's, made by harkctl hook create.  Alertmanager and
 * Grafana send its hk_ secret as a Bearer token or as the password of HTTP
 * Basic (Alertmanager's http_config); Sentry signs the body with its
 * integration's client secret (Sentry-Hook-Signature, HMAC-SHA256 in hex),
 * and the URL names the hook.  Each firing alert is one item (category
 * bug, channel alert) while it fires; a repeat only counts; a resolved one
 * moves its item to done.  The payload is read whole before anything is
 * stored (lib/alerts): one bad alert is a 400 naming it, and nothing of
 * that payload is kept.
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "alerts.h"
#include "app.h"
#include "buf.h"
#include "handlers.h"
#include "ids.h"
#include "keys.h"
#include "prologue.h"
#include "query.h"
#include "respond.h"
#include "store.h"
#include "timestamp.h"
#include "triage.h"

struct hook_query {
	char	*hook;
};

static const struct hark_query_param hook_params[] = {
	{ .name = "hook", .type = HARK_QUERY_STRING,
	  .off = offsetof(struct hook_query, hook), .min = 1,
	  .max = HARK_ID_SIZE - 1 },
};
const struct hark_query_schema hark_hook_query = {
	hook_params, HARK_QUERY_NPARAMS(hook_params), sizeof(struct hook_query),
	"hook"
};

static void
unauthorized(const struct hark_call *c, const char *field, const char *why)
{
	hark_resp_error(c->resp, 401, "unauthorized", field, "%s", why);
	hark_resp_header(c->resp, "WWW-Authenticate",
	    "Bearer realm=\"hark\", Basic realm=\"hark\"");
}

/* The hk_ secret of "Bearer hk_..." or of Basic's password; or NULL. */
static const char *
presented_secret(const char *auth, char *buf, size_t len)
{
	unsigned char	 dec[256];
	const char	*colon;
	size_t		 n;
	int		 out;

	if (auth == NULL)
		return NULL;
	if (strncasecmp(auth, "Bearer ", 7) == 0) {
		snprintf(buf, len, "%s", auth + 7);
		return buf;
	}
	if (strncasecmp(auth, "Basic ", 6) != 0)
		return NULL;
	auth += 6;
	n = strlen(auth);
	if (n == 0 || n > 4 * ((sizeof(dec) - 1) / 3) || n % 4 != 0)
		return NULL;
	if ((out = EVP_DecodeBlock(dec, (const unsigned char *)auth,
	    (int)n)) < 0)
		return NULL;
	/* DecodeBlock counts the padding as bytes: take them off. */
	while (n > 0 && auth[n - 1] == '=') {
		n--;
		out--;
	}
	dec[out] = '\0';
	if ((colon = memchr(dec, ':', (size_t)out)) == NULL)
		return NULL;
	snprintf(buf, len, "%s", colon + 1);
	return buf;
}

static int
auth_secret(const struct hark_call *c, const char *kind, struct hark_hook *h)
{
	char		 buf[128];
	const char	*s;
	unsigned char	 hash[HARK_KEY_HASH_LEN];
	int		 rc;

	s = presented_secret(hark_req_header(c->req, "authorization"), buf,
	    sizeof(buf));
	if (s == NULL || strncmp(s, "hk_", 3) != 0) {
		unauthorized(c, "Authorization", "this hook needs its hk_ "
		    "secret: Authorization: Bearer hk_... (or as HTTP Basic's "
		    "password)");
		OPENSSL_cleanse(buf, sizeof(buf));
		return -1;
	}
	rc = hark_key_hash(s, strlen(s), hash) == -1 ? HARK_STORE_ERROR :
	    hark_store_hook_by_hash(c->app->db, hash, h);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (rc == HARK_STORE_OK && !h->revoked && strcmp(h->kind, kind) == 0)
		return 0;
	if (rc != HARK_STORE_OK && rc != HARK_STORE_NOT_FOUND) {
		hark_respond_store(c->app, c->resp, rc);
		return -1;
	}
	unauthorized(c, "Authorization", "the secret is not a live hook of "
	    "this kind");
	return -1;
}

/* Sentry-Hook-Signature: hex HMAC-SHA256 of the body under the secret. */
static int
auth_sentry(const struct hark_call *c, const struct hook_query *q,
    const struct hark_buf *body, struct hark_hook *h)
{
	const char	*sig = hark_req_header(c->req, "sentry-hook-signature");
	unsigned char	 mac[32];
	unsigned int	 maclen = 0;
	char		 hex[65], got[65];
	size_t		 i;
	int		 rc;

	if (q->hook == NULL || !hark_id_valid(HARK_ID_HOOK, q->hook)) {
		unauthorized(c, "hook", "a Sentry hook's URL names it: "
		    "/v1/hooks/sentry?hook=hok_... (harkctl hook create "
		    "prints it)");
		return -1;
	}
	if (sig == NULL || strlen(sig) != 64) {
		unauthorized(c, "Sentry-Hook-Signature", "Sentry signs each "
		    "request: Sentry-Hook-Signature is missing or malformed");
		return -1;
	}
	rc = hark_store_hook_get(c->app->db, q->hook, h);
	if (rc != HARK_STORE_OK && rc != HARK_STORE_NOT_FOUND) {
		hark_respond_store(c->app, c->resp, rc);
		return -1;
	}
	if (rc == HARK_STORE_OK && !h->revoked && strcmp(h->kind, "sentry") == 0 &&
	    h->secret_len > 0 && HMAC(EVP_sha256(), h->secret,
	    (int)h->secret_len, (const unsigned char *)(body->data ? body->data :
	    ""), body->len, mac, &maclen) != NULL) {
		for (i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", mac[i]);
		/* Hex is case-blind; the comparison takes constant time. */
		for (i = 0; i < 64; i++)
			got[i] = (char)tolower((unsigned char)sig[i]);
		got[64] = '\0';
		if (CRYPTO_memcmp(hex, got, 64) == 0) {
			OPENSSL_cleanse(h->secret, sizeof(h->secret));
			return 0;
		}
	}
	OPENSSL_cleanse(h->secret, sizeof(h->secret));
	unauthorized(c, "Sentry-Hook-Signature", "the signature does not match "
	    "this hook's client secret");
	return -1;
}

/* The item a new firing alert files: the alert's words, category bug. */
static int
alert_item(const struct hark_call *c, const char *project_id,
    const struct hark_alert *a, struct hark_feedback *fb)
{
	struct hark_triage	 t;

	memset(fb, 0, sizeof(*fb));
	snprintf(fb->project_id, sizeof(fb->project_id), "%s", project_id);
	fb->text = a->text;
	fb->text_len = a->text_len;
	fb->page = a->page;
	fb->page_len = a->page_len;
	fb->metadata = a->metadata;
	fb->metadata_len = a->metadata_len;
	fb->audio_duration_ms = -1;
	fb->spam = -1;
	hark_triage_text(a->text, a->text_len, a->page, &t);
	fb->channel = "alert";
	/* The monitor says what it is: no enricher overwrites it. */
	fb->category = "bug";
	fb->triaged_by = "client";
	fb->sentiment = hark_sentiment_name(t.sentiment);
	fb->sentiment_score = t.sentiment_score;
	fb->impact = t.impact;
	fb->status = "new";
	fb->priority = -1;
	hark_ts_now(fb->created_at);
	(void)c;
	return hark_id_new(HARK_ID_FEEDBACK, fb->id, sizeof(fb->id));
}

static void
answer(const struct hark_call *c, const struct hark_alert_counts *n,
    size_t received, bool ignored)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL) {
		hark_resp_error(c->resp, 500, "internal", NULL, "out of memory");
		return;
	}
	json_object_object_add(o, "received", json_object_new_int64(
	    (int64_t)received));
	json_object_object_add(o, "created", json_object_new_int(
	    (int)n->created));
	json_object_object_add(o, "repeated", json_object_new_int(
	    (int)n->repeated));
	json_object_object_add(o, "resolved", json_object_new_int(
	    (int)n->resolved));
	json_object_object_add(o, "ignored", json_object_new_int(
	    (int)n->ignored + (ignored ? 1 : 0)));
	if (hark_resp_json(c->resp, 200, o) == -1)
		hark_resp_error(c->resp, 500, "internal", NULL, "out of memory");
	json_object_put(o);
}

static void
apply(const struct hark_call *c, const struct hark_hook *h,
    enum hark_alert_source src, const struct hark_alerts *al)
{
	struct hark_alert_item		*items = NULL;
	struct hark_feedback		*fbs = NULL;
	struct hark_alert_counts	 n;
	struct hark_alert_batch		 b;
	char				 note[96], now[40], detail[128];
	size_t				 i;
	int				 rc;

	memset(&n, 0, sizeof(n));
	if (al->n == 0) {
		answer(c, &n, 0, al->ignored);
		return;
	}
	items = calloc(al->n, sizeof(*items));
	fbs = calloc(al->n, sizeof(*fbs));
	if (items == NULL || fbs == NULL)
		goto nomem;
	for (i = 0; i < al->n; i++) {
		if (alert_item(c, h->project_id, &al->v[i], &fbs[i]) == -1)
			goto nomem;
		items[i].firing = al->v[i].firing;
		items[i].fingerprint = al->v[i].fingerprint;
		items[i].fb = &fbs[i];
	}
	hark_ts_to_rfc3339(fbs[0].created_at, now, sizeof(now));
	snprintf(note, sizeof(note), "Resolved by %s at %s",
	    hark_alert_source_name(src), now);
	snprintf(detail, sizeof(detail), "%s %s: %zu alerts", h->id,
	    hark_alert_source_name(src), al->n);
	memset(&b, 0, sizeof(b));
	b.project_id = h->project_id;
	b.source = hark_alert_source_name(src);
	b.resolution_note = note;
	b.items = items;
	b.n = al->n;
	b.audit_detail = detail;
	b.remote_addr = c->req->remote_addr;
	rc = hark_store_alerts_apply(c->app->db, &b, &n);
	if (rc != HARK_STORE_OK)
		hark_respond_store_write(c->app, c->resp, rc, NULL);
	else
		answer(c, &n, al->n, false);
	free(items);
	free(fbs);
	return;
nomem:
	free(items);
	free(fbs);
	hark_resp_error(c->resp, 500, "internal", NULL, "out of memory");
}

void
hark_handle_hook(const struct hark_call *c)
{
	const struct hook_query	*q = c->query;
	const char		*kind = hark_req_param(c->req, "kind");
	enum hark_alert_source	 src;
	struct hark_principal	 who;
	struct hark_alerts	 al;
	struct hark_json_err	 err;
	struct hark_hook	 h;
	struct hark_buf		 body = { NULL, 0, 0 };
	int			 rc;

	if (kind == NULL || hark_alert_source_parse(kind, &src) == -1) {
		hark_resp_error(c->resp, 404, "not_found", "kind", "hooks are "
		    "alertmanager, grafana and sentry");
		return;
	}
	rc = hark_req_read_body(c->req, HARK_HOOK_BODY_MAX, &body);
	if (rc == -2) {
		hark_resp_error(c->resp, 413, "body_too_large", NULL, "the "
		    "payload is larger than %d bytes", HARK_HOOK_BODY_MAX);
		goto out;
	}
	if (rc != 0) {
		hark_resp_error(c->resp, 400, "bad_request", NULL, "the body "
		    "could not be read");
		goto out;
	}
	if ((src == HARK_ALERT_SENTRY ? auth_sentry(c, q, &body, &h) :
	    auth_secret(c, kind, &h)) == -1)
		goto out;
	snprintf(c->resp->project_id, sizeof(c->resp->project_id), "%s",
	    h.project_id);
	memset(&who, 0, sizeof(who));
	snprintf(who.project_id, sizeof(who.project_id), "%s", h.project_id);
	snprintf(who.key_id, sizeof(who.key_id), "%s", h.id);
	if (hark_prologue_check_rate(c->app, c->req, c->resp, &who) == -1)
		goto out;
	if (hark_alerts_parse(src, hark_req_header(c->req,
	    "sentry-hook-resource"), body.data ? body.data : "", body.len, &al,
	    &err) == -1) {
		hark_resp_error(c->resp, 400, err.code, err.field[0] ? err.field :
		    NULL, "%s", err.message);
		goto out;
	}
	apply(c, &h, src, &al);
	hark_alerts_clear(&al);
out:
	hark_buf_free(&body);
}
