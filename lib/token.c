/*
 * token.c: signing and verifying widget tokens (see token.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <json-c/json.h>

#include "keys.h"
#include "token.h"

#define NONCE_LEN	16
#define CLAIMS_MAX	512	/* the JSON claims, with its NUL */

/* Reads a secret file into buf; its length, or -1 with err filled. */
static int
read_secret(const char *path, unsigned char *buf, size_t size, size_t *len,
    char *err, size_t errlen)
{
	unsigned char	 tmp[HARK_TOKEN_SECRET_MAX + 2];
	ssize_t		 n;
	size_t		 got = 0;
	int		 fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (got < sizeof(tmp)) {
		n = read(fd, tmp + got, sizeof(tmp) - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got > 0 && tmp[got - 1] == '\n')
		got--;
	if (got < HARK_TOKEN_SECRET_MIN || got > size) {
		snprintf(err, errlen, "%s: a secret is %d to %zu bytes "
		    "(harkctl secret init makes one)", path,
		    HARK_TOKEN_SECRET_MIN, size);
		goto out;
	}
	memcpy(buf, tmp, got);
	*len = got;
	rc = 0;
out:
	OPENSSL_cleanse(tmp, sizeof(tmp));
	close(fd);
	return rc;
}

void
hark_token_keys_wipe(struct hark_token_keys *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

int
hark_token_keys_load(const char *cur_path, const char *prev_path,
    struct hark_token_keys *k, char *err, size_t errlen)
{
	hark_token_keys_wipe(k);
	if (read_secret(cur_path, k->cur, sizeof(k->cur), &k->cur_len, err,
	    errlen) == -1)
		goto fail;
	/* A previous secret is only there after a rotation: none is fine. */
	if (prev_path != NULL && prev_path[0] != '\0' &&
	    access(prev_path, F_OK) == 0 &&
	    read_secret(prev_path, k->prev, sizeof(k->prev), &k->prev_len, err,
	    errlen) == -1)
		goto fail;
	return 0;
fail:
	hark_token_keys_wipe(k);
	return -1;
}

/* An origin as the claims may hold it: no character JSON would escape. */
static bool
plain_origin(const char *s)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f || s[i] == '"' || s[i] == '\\')
			return false;
	return i < HARK_TOKEN_ORIGIN_MAX;
}

int
hark_token_sign(const struct hark_token_keys *k, const char *source_id,
    const char *origin, long long now, long long ttl, char *out,
    size_t outlen, struct hark_token_claims *c)
{
	unsigned char	 nonce[NONCE_LEN], tag[HARK_HMAC_LEN];
	char		 nb[HARK_B64URL_LEN(NONCE_LEN) + 1], claims[CLAIMS_MAX];
	size_t		 pos;
	int		 n;

	if (origin == NULL)
		origin = "";
	if (k->cur_len == 0 || !plain_origin(origin) ||
	    !hark_id_valid(HARK_ID_SOURCE, source_id) ||
	    RAND_bytes(nonce, sizeof(nonce)) != 1 ||
	    hark_b64url_encode(nonce, sizeof(nonce), nb, sizeof(nb)) == -1)
		return -1;
	n = snprintf(claims, sizeof(claims), "{\"v\":1,\"src\":\"%s\","
	    "\"org\":\"%s\",\"iat\":%lld,\"exp\":%lld,\"n\":\"%s\"}",
	    source_id, origin, now, now + ttl, nb);
	if (n < 0 || (size_t)n >= sizeof(claims) ||
	    hark_b64url_encode(claims, (size_t)n, out, outlen) == -1)
		return -1;
	pos = strlen(out);
	if (hark_hmac_sha256(k->cur, k->cur_len, out, pos, tag) == -1 ||
	    pos + 1 >= outlen)
		return -1;
	out[pos++] = '.';
	if (hark_b64url_encode(tag, sizeof(tag), out + pos, outlen - pos) == -1)
		return -1;
	if (c != NULL) {
		snprintf(c->source_id, sizeof(c->source_id), "%s", source_id);
		snprintf(c->origin, sizeof(c->origin), "%s", origin);
		c->iat = now;
		c->exp = now + ttl;
	}
	return 0;
}

/* Whether tag is the HMAC of msg under key; constant time in the tag. */
static bool
tag_ok(const unsigned char *key, size_t keylen, const char *msg, size_t len,
    const unsigned char *tag)
{
	unsigned char	 want[HARK_HMAC_LEN];
	bool		 ok;

	if (keylen == 0 || hark_hmac_sha256(key, keylen, msg, len, want) == -1)
		return false;
	ok = hark_ct_equal(want, tag, sizeof(want));
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

static bool
claim_string(struct json_object *o, const char *name, char *out, size_t len)
{
	struct json_object	*v;
	const char		*s;

	if (!json_object_object_get_ex(o, name, &v) ||
	    !json_object_is_type(v, json_type_string))
		return false;
	s = json_object_get_string(v);
	return (size_t)snprintf(out, len, "%s", s) < len;
}

static bool
claim_int(struct json_object *o, const char *name, long long *out)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, name, &v) ||
	    !json_object_is_type(v, json_type_int))
		return false;
	*out = (long long)json_object_get_int64(v);
	return true;
}

/* Reads claims signed by us: still checked, as a key may sign anything. */
static bool
read_claims(const char *b64, size_t len, struct hark_token_claims *c)
{
	unsigned char		 raw[CLAIMS_MAX];
	struct json_object	*o;
	size_t			 n;
	long long		 v = 0;
	bool			 ok;

	if (hark_b64url_decode(b64, len, raw, sizeof(raw) - 1, &n) == -1)
		return false;
	raw[n] = '\0';
	if ((o = json_tokener_parse((const char *)raw)) == NULL)
		return false;
	ok = json_object_is_type(o, json_type_object) &&
	    claim_int(o, "v", &v) && v == 1 &&
	    claim_string(o, "src", c->source_id, sizeof(c->source_id)) &&
	    claim_string(o, "org", c->origin, sizeof(c->origin)) &&
	    claim_int(o, "iat", &c->iat) && claim_int(o, "exp", &c->exp);
	json_object_put(o);
	return ok;
}

enum hark_token_rc
hark_token_verify(const struct hark_token_keys *k, const char *token,
    const char *source_id, const char *origin, long long now,
    struct hark_token_claims *out)
{
	struct hark_token_claims	 c;
	unsigned char			 tag[HARK_HMAC_LEN + 1];
	const char			*dot;
	size_t				 len, taglen;

	memset(&c, 0, sizeof(c));
	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (k->cur_len == 0)
		return HARK_TOKEN_NO_SECRET;
	if (origin == NULL)
		origin = "";
	if (token == NULL || (len = strlen(token)) >= HARK_TOKEN_MAX ||
	    (dot = strchr(token, '.')) == NULL || dot == token ||
	    hark_b64url_decode(dot + 1, len - (size_t)(dot + 1 - token), tag,
	    sizeof(tag), &taglen) == -1 || taglen != HARK_HMAC_LEN)
		return HARK_TOKEN_MALFORMED;
	if (!tag_ok(k->cur, k->cur_len, token, (size_t)(dot - token), tag) &&
	    !tag_ok(k->prev, k->prev_len, token, (size_t)(dot - token), tag))
		return HARK_TOKEN_BAD_SIGNATURE;
	if (!read_claims(token, (size_t)(dot - token), &c))
		return HARK_TOKEN_MALFORMED;
	if (out != NULL)
		*out = c;
	if (now >= c.exp)
		return HARK_TOKEN_EXPIRED;
	if (source_id == NULL || strcmp(c.source_id, source_id) != 0)
		return HARK_TOKEN_WRONG_SOURCE;
	if (strcmp(c.origin, origin) != 0)
		return HARK_TOKEN_WRONG_ORIGIN;
	return HARK_TOKEN_OK;
}

const char *
hark_token_rc_name(enum hark_token_rc rc)
{
	switch (rc) {
	case HARK_TOKEN_OK:
		return "ok";
	case HARK_TOKEN_MALFORMED:
		return "token_malformed";
	case HARK_TOKEN_BAD_SIGNATURE:
		return "token_invalid";
	case HARK_TOKEN_EXPIRED:
		return "token_expired";
	case HARK_TOKEN_WRONG_SOURCE:
		return "token_wrong_source";
	case HARK_TOKEN_WRONG_ORIGIN:
		return "token_wrong_origin";
	case HARK_TOKEN_NO_SECRET:
		return "token_unavailable";
	}
	return "token_invalid";
}
