/* webhook.c: Standard Webhooks secrets, signatures, event names and endpoint URLs (see webhook.h). */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "conf.h"
#include "keys.h"
#include "webhook.h"

#define WHSEC		"whsec_"
#define WHSEC_LEN	6

const char *const hark_webhook_events[HARK_WEBHOOK_NEVENTS] = {
	"feedback.created", "feedback.updated", "feedback.resolved",
	"comment.created"
};

int
hark_webhook_secret_new(unsigned char *key, size_t n)
{
	if (n == 0 || n > HARK_WEBHOOK_SECRET_MAX)
		return -1;
	return RAND_bytes(key, (int)n) == 1 ? 0 : -1;
}

int
hark_webhook_secret_encode(const unsigned char *key, size_t n, char *out,
    size_t outsize)
{
	if (n < HARK_WEBHOOK_SECRET_MIN || n > HARK_WEBHOOK_SECRET_MAX ||
	    outsize < WHSEC_LEN + 4 * ((n + 2) / 3) + 1)
		return -1;
	memcpy(out, WHSEC, WHSEC_LEN);
	/* EVP_EncodeBlock: standard alphabet, padded, NUL-terminated. */
	EVP_EncodeBlock((unsigned char *)out + WHSEC_LEN, key, (int)n);
	return 0;
}

int
hark_webhook_secret_decode(const char *s, unsigned char *key, size_t size,
    size_t *n)
{
	unsigned char	 tmp[3 * ((4 * ((HARK_WEBHOOK_SECRET_MAX + 2) / 3)) / 4)];
	size_t		 len, pad = 0, i;
	int		 got;

	if (strncmp(s, WHSEC, WHSEC_LEN) == 0)
		s += WHSEC_LEN;
	len = strlen(s);
	if (len == 0 || len % 4 != 0 || len > 4 * ((HARK_WEBHOOK_SECRET_MAX +
	    2) / 3))
		return -1;
	/* EVP_DecodeBlock takes white space and counts '=' as zero bytes. */
	for (i = 0; i < len; i++)
		if (!(s[i] >= 'A' && s[i] <= 'Z') && !(s[i] >= 'a' &&
		    s[i] <= 'z') && !(s[i] >= '0' && s[i] <= '9') &&
		    s[i] != '+' && s[i] != '/' &&
		    !(s[i] == '=' && i >= len - 2))
			return -1;
	if (s[len - 1] == '=')
		pad = s[len - 2] == '=' ? 2 : 1;
	else if (s[len - 2] == '=')
		return -1;
	got = EVP_DecodeBlock(tmp, (const unsigned char *)s, (int)len);
	if (got < 0 || (size_t)got < pad)
		return -1;
	len = (size_t)got - pad;
	if (len < HARK_WEBHOOK_SECRET_MIN || len > HARK_WEBHOOK_SECRET_MAX ||
	    len > size) {
		OPENSSL_cleanse(tmp, sizeof(tmp));
		return -1;
	}
	memcpy(key, tmp, len);
	*n = len;
	OPENSSL_cleanse(tmp, sizeof(tmp));
	return 0;
}

int
hark_webhook_sign(const unsigned char *key, size_t keylen, const char *id,
    long long timestamp, const char *body, size_t len, char *out,
    size_t outsize)
{
	unsigned char	 tag[HARK_HMAC_LEN];
	char		 ts[24];
	char		*msg;
	size_t		 idlen, tslen, total;
	int		 rc = -1;

	if (outsize < HARK_WEBHOOK_SIG_SIZE)
		return -1;
	idlen = strlen(id);
	tslen = (size_t)snprintf(ts, sizeof(ts), "%lld", timestamp);
	if (len > (size_t)-1 - idlen - tslen - 2)
		return -1;
	/* One buffer: what is signed is exactly these bytes, in order. */
	total = idlen + 1 + tslen + 1 + len;
	if ((msg = malloc(total)) == NULL)
		return -1;
	memcpy(msg, id, idlen);
	msg[idlen] = '.';
	memcpy(msg + idlen + 1, ts, tslen);
	msg[idlen + 1 + tslen] = '.';
	if (len > 0)
		memcpy(msg + idlen + tslen + 2, body, len);
	if (hark_hmac_sha256(key, keylen, msg, total, tag) == 0) {
		memcpy(out, "v1,", 3);
		EVP_EncodeBlock((unsigned char *)out + 3, tag, HARK_HMAC_LEN);
		rc = 0;
	}
	free(msg);
	OPENSSL_cleanse(tag, sizeof(tag));
	return rc;
}

static int
event_index(const char *name, size_t len)
{
	int	 i;

	for (i = 0; i < HARK_WEBHOOK_NEVENTS; i++)
		if (strlen(hark_webhook_events[i]) == len &&
		    memcmp(hark_webhook_events[i], name, len) == 0)
			return i;
	return -1;
}

bool
hark_webhook_event_valid(const char *event)
{
	return event != NULL && event_index(event, strlen(event)) != -1;
}

int
hark_webhook_events_parse(const char *list, char *out, size_t outsize,
    char *err, size_t errlen)
{
	const char	*p, *comma;
	unsigned	 mask = 0;
	size_t		 len, o = 0;
	int		 i;

	for (p = list;; p = comma + 1) {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (len == 0) {
			snprintf(err, errlen, "an empty event name");
			return -1;
		}
		if ((i = event_index(p, len)) == -1) {
			snprintf(err, errlen, "no event \"%.*s\" (events: "
			    "feedback.created, feedback.updated, "
			    "feedback.resolved, comment.created)",
			    len > 64 ? 64 : (int)len, p);
			return -1;
		}
		mask |= 1u << i;
		if (comma == NULL)
			break;
	}
	for (i = 0; i < HARK_WEBHOOK_NEVENTS; i++) {
		if (!(mask & (1u << i)))
			continue;
		len = strlen(hark_webhook_events[i]);
		if (o + (o > 0) + len + 1 > outsize) {
			snprintf(err, errlen, "the event list does not fit");
			return -1;
		}
		if (o > 0)
			out[o++] = ',';
		memcpy(out + o, hark_webhook_events[i], len);
		o += len;
	}
	out[o] = '\0';
	return 0;
}

int
hark_webhook_url_check(const char *url, char *err, size_t errlen)
{
	CURLU		*u;
	char		*scheme = NULL, *host = NULL;
	size_t		 i, len = strlen(url);
	int		 rc = -1;

	if (len == 0 || len > HARK_WEBHOOK_URL_MAX) {
		snprintf(err, errlen, "a webhook URL is 1 to %d bytes",
		    HARK_WEBHOOK_URL_MAX);
		return -1;
	}
	for (i = 0; i < len; i++)
		if ((unsigned char)url[i] <= ' ' || url[i] == 0x7f) {
			snprintf(err, errlen, "a webhook URL holds no white "
			    "space or control characters");
			return -1;
		}
	if ((u = curl_url()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) !=
	    CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
		snprintf(err, errlen, "'%.200s' is not a URL (http://host/... "
		    "or https://host/...)", url);
		goto out;
	}
	if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
		snprintf(err, errlen, "a webhook URL is http or https, not "
		    "%.32s", scheme);
		goto out;
	}
	/* curl reads "http:///x" as host x, as browsers do: refuse it, it
	 * is a typing slip more likely than that host. */
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    host[0] == '\0' ||
	    strncmp(url + strlen(scheme), ":///", 4) == 0) {
		snprintf(err, errlen, "'%.200s' names no host", url);
		goto out;
	}
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

int
hark_webhook_guard_init(struct hark_webhook_guard *wg,
    const struct hark_conf *conf)
{
	char	 why[160];

	memset(wg, 0, sizeof(*wg));
	if (hark_proxies_parse(conf->webhook_allow_networks != NULL ?
	    conf->webhook_allow_networks : "", &wg->allow, why,
	    sizeof(why)) == -1)
		return -1;
	if (hark_proxies_parse(conf->webhook_deny_networks != NULL ?
	    conf->webhook_deny_networks : "", &wg->deny, why,
	    sizeof(why)) == -1) {
		hark_proxies_free(&wg->allow);
		return -1;
	}
	wg->g.allow_private = conf->webhook_allow_private;
	wg->g.allow = &wg->allow;
	wg->g.deny = &wg->deny;
	return 0;
}

void
hark_webhook_guard_free(struct hark_webhook_guard *wg)
{
	hark_proxies_free(&wg->allow);
	hark_proxies_free(&wg->deny);
	memset(wg, 0, sizeof(*wg));
}

/* localhost, localhost., x.localhost, x.localhost. (any case). */
static int
loopback_name(const char *host)
{
	size_t	 n = strlen(host);

	if (n > 0 && host[n - 1] == '.')
		n--;
	if (n < 9 || strncasecmp(host + n - 9, "localhost", 9) != 0)
		return 0;
	return n == 9 || host[n - 10] == '.';
}

/*
 * The address that host (curl's form of a URL's host) stands for whatever
 * DNS says, in *ss: a literal one, or 127.0.0.1 for a loopback name.  0,
 * or -1 for a name to be resolved.  curl writes IPv4 dotted whatever the
 * URL's spelling (127.1, 0x7f000001) and IPv6 in brackets, its zone
 * apart.
 */
static int
host_address(const char *host, struct sockaddr_storage *ss)
{
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in	*s4 = (struct sockaddr_in *)ss;
	char			 lit[INET6_ADDRSTRLEN + 1];
	size_t			 n = strlen(host);

	memset(ss, 0, sizeof(*ss));
	if (n > 2 && host[0] == '[' && host[n - 1] == ']') {
		if (n - 2 >= sizeof(lit))
			return -1;
		memcpy(lit, host + 1, n - 2);
		lit[n - 2] = '\0';
		s6->sin6_family = AF_INET6;
		return inet_pton(AF_INET6, lit, &s6->sin6_addr) == 1 ? 0 : -1;
	}
	s4->sin_family = AF_INET;
	if (loopback_name(host)) {
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return 0;
	}
	if (n == 0 || n >= sizeof(lit))
		return -1;
	/* "127.0.0.1." is that address to the resolver. */
	memcpy(lit, host, n + 1);
	if (lit[n - 1] == '.')
		lit[n - 1] = '\0';
	return inet_pton(AF_INET, lit, &s4->sin_addr) == 1 ? 0 : -1;
}

int
hark_webhook_url_allowed(const char *url, const struct hark_web_guard *g,
    char *err, size_t errlen)
{
	struct sockaddr_storage	 ss;
	char			 why[128];
	char			*host = NULL;
	CURLU			*u;
	int			 rc = -1;

	if ((u = curl_url()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) !=
	    CURLUE_OK || curl_url_get(u, CURLUPART_HOST, &host, 0) !=
	    CURLUE_OK) {
		snprintf(err, errlen, "'%.200s' is not a URL", url);
		goto out;
	}
	if (host_address(host, &ss) == 0 && hark_web_guard_check(g,
	    (const struct sockaddr *)&ss, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "hark-batch would not deliver to %.64s: "
		    "%s", host, why);
		goto out;
	}
	rc = 0;
out:
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}
