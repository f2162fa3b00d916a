/*
 * webhook.h: Standard Webhooks (standardwebhooks.com) for hark's outgoing
 * events: the whsec_ signing secret made, written and read back, the v1
 * signature, the event names, the endpoint URL check and the guard on
 * where an endpoint may be.
 *
 * The secret is random bytes; its text form is "whsec_" and their standard
 * base64 (padded), which every Standard Webhooks library accepts as it is.
 * The signature of one attempt is
 *   v1,base64(HMAC-SHA256(secret, id "." timestamp "." body))
 * with id the webhook-id header (the delivery's id, the same on every
 * attempt) and timestamp the webhook-timestamp header (unix seconds of the
 * attempt).  HMAC and base64 are libcrypto's.
 */
#ifndef HARK_WEBHOOK_H
#define HARK_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>

#include "proxies.h"
#include "webclient.h"

/* The spec asks for 24 to 64 bytes; hark makes 32. */
#define HARK_WEBHOOK_SECRET_LEN		32
#define HARK_WEBHOOK_SECRET_MIN		24
#define HARK_WEBHOOK_SECRET_MAX		64	/* webhooks.secret VARBINARY(64) */
/* "whsec_" + padded base64 of the longest secret + NUL. */
#define HARK_WEBHOOK_WHSEC_SIZE		(6 + 4 * ((HARK_WEBHOOK_SECRET_MAX + 2) / 3) + 1)
/* "v1," + base64 of 32 bytes (44) + NUL. */
#define HARK_WEBHOOK_SIG_SIZE		48

#define HARK_WEBHOOK_URL_MAX		2048	/* webhooks.url VARCHAR(2048) */

/* The events a project's endpoint may subscribe to, in the SET's order. */
#define HARK_WEBHOOK_NEVENTS		4
extern const char *const hark_webhook_events[HARK_WEBHOOK_NEVENTS];
/* "feedback.created,feedback.updated,..." (every event) + NUL fits here. */
#define HARK_WEBHOOK_EVENTS_SIZE	96

/* Fills key with n random bytes (OpenSSL's RNG).  0, or -1. */
int	hark_webhook_secret_new(unsigned char *key, size_t n);

/*
 * Writes "whsec_<base64(key)>" to out.  0, or -1 when n is outside
 * HARK_WEBHOOK_SECRET_MIN..MAX or out is too small.
 */
int	hark_webhook_secret_encode(const unsigned char *key, size_t n,
	    char *out, size_t outsize);

/*
 * Reads a whsec_ secret (the prefix optional, as the libraries take it)
 * into key (size bytes); *n its length.  0, or -1 when it is not padded
 * base64 of 24 to 64 bytes or does not fit.
 */
int	hark_webhook_secret_decode(const char *s, unsigned char *key,
	    size_t size, size_t *n);

/*
 * Writes the webhook-signature value "v1,<base64>" of body (len bytes)
 * sent as id at timestamp (unix seconds) under key (keylen bytes).  0, or
 * -1 (out too small, out of memory, libcrypto failed).
 */
int	hark_webhook_sign(const unsigned char *key, size_t keylen,
	    const char *id, long long timestamp, const char *body, size_t len,
	    char *out, size_t outsize);

/*
 * Parses a comma-separated list of event names into their SET form (the
 * known names, each once, in hark_webhook_events' order) in out.  0, or -1
 * with err naming the first bad name (an unknown or empty one).
 */
int	hark_webhook_events_parse(const char *list, char *out, size_t outsize,
	    char *err, size_t errlen);

/* Whether event (an internal one, feedback.triaged, is not) can be sent. */
bool	hark_webhook_event_valid(const char *event);

/*
 * Whether url can be an endpoint: http or https, a host, at most
 * HARK_WEBHOOK_URL_MAX bytes, no white space or control bytes.  0, or -1
 * with the reason in err.  Where it points is hark_webhook_url_allowed's.
 */
int	hark_webhook_url_check(const char *url, char *err, size_t errlen);

struct hark_conf;

/*
 * [webhook] allow_private, allow_networks and deny_networks as the guard
 * of a delivery (lib/webclient.h): g points into the lists here.
 */
struct hark_webhook_guard {
	struct hark_web_guard	 g;
	struct hark_proxies	 allow;
	struct hark_proxies	 deny;
};

/*
 * Fills wg from conf; hark_webhook_guard_free frees it.  0, or -1 (out of
 * memory, or a list that does not parse: conf checked both when loaded).
 */
int	hark_webhook_guard_init(struct hark_webhook_guard *wg,
	    const struct hark_conf *conf);
void	hark_webhook_guard_free(struct hark_webhook_guard *wg);

/*
 * Whether g lets url (one that hark_webhook_url_check took) be an
 * endpoint, as far as the URL itself tells: its host as a literal address
 * ("127.1" and "[::ffff:10.0.0.1]" as curl reads them), and localhost or a
 * name under .localhost (RFC 6761: the loopback, whatever DNS says) as
 * 127.0.0.1.  Other names are not resolved here: what they resolve to is
 * checked at each delivery, where it counts.  0, or -1 with the reason in
 * err.
 */
int	hark_webhook_url_allowed(const char *url,
	    const struct hark_web_guard *g, char *err, size_t errlen);

#endif
