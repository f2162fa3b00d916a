/* keys.c: API key generation, hashing and the HMAC/base64url helpers. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "ids.h"
#include "keys.h"

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int
key_new(const char *prefix, size_t len, char *out, size_t outlen)
{
	size_t	 plen = strlen(prefix);

	if (outlen > 0)
		out[0] = '\0';
	if (outlen < len + 1)
		return -1;
	if (hark_random_chars(HARK_KEY_ALPHABET, out + plen, len - plen) == -1)
		return -1;
	memcpy(out, prefix, plen);
	out[len] = '\0';
	return 0;
}

int
hark_key_new_secret(char *out, size_t outlen)
{
	return key_new(HARK_KEY_SECRET_PREFIX, HARK_KEY_SECRET_LEN, out,
	    outlen);
}

int
hark_key_new_public(char *out, size_t outlen)
{
	return key_new(HARK_KEY_PUBLIC_PREFIX, HARK_KEY_PUBLIC_LEN, out,
	    outlen);
}

int
hark_key_hash(const char *key, size_t len,
    unsigned char out[HARK_KEY_HASH_LEN])
{
	unsigned int	 n = 0;

	if (EVP_Digest(key, len, out, &n, EVP_sha256(), NULL) != 1 ||
	    n != HARK_KEY_HASH_LEN)
		return -1;
	return 0;
}

bool
hark_key_hash_equal(const unsigned char a[HARK_KEY_HASH_LEN],
    const unsigned char b[HARK_KEY_HASH_LEN])
{
	return CRYPTO_memcmp(a, b, HARK_KEY_HASH_LEN) == 0;
}

bool
hark_ct_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

void
hark_key_display_prefix(const char *key, char *out, size_t outlen)
{
	size_t	 n;

	if (outlen == 0)
		return;
	n = strnlen(key, HARK_KEY_DISPLAY_LEN);
	if (n > outlen - 1)
		n = outlen - 1;
	memcpy(out, key, n);
	out[n] = '\0';
}

static bool
key_looks(const char *s, const char *prefix, size_t len)
{
	size_t	 plen = strlen(prefix), i;

	if (s == NULL || strncmp(s, prefix, plen) != 0)
		return false;
	for (i = plen; i < len; i++)
		if (s[i] == '\0' || strchr(HARK_KEY_ALPHABET, s[i]) == NULL)
			return false;
	return s[len] == '\0';
}

bool
hark_key_looks_secret(const char *s)
{
	return key_looks(s, HARK_KEY_SECRET_PREFIX, HARK_KEY_SECRET_LEN);
}

bool
hark_key_looks_public(const char *s)
{
	return key_looks(s, HARK_KEY_PUBLIC_PREFIX, HARK_KEY_PUBLIC_LEN);
}

int
hark_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t len,
    unsigned char out[HARK_HMAC_LEN])
{
	static const unsigned char	 empty[1];
	unsigned int			 n = 0;

	if (keylen > INT32_MAX)
		return -1;
	if (HMAC(EVP_sha256(), keylen ? key : empty, (int)keylen,
	    len ? msg : empty, len, out, &n) == NULL || n != HARK_HMAC_LEN)
		return -1;
	return 0;
}

int
hark_b64url_encode(const void *in, size_t len, char *out, size_t outsize)
{
	const unsigned char	*p = in;
	size_t			 i, o = 0;
	uint32_t		 v;

	if (len > (SIZE_MAX - 1) / 4 * 3 || outsize < HARK_B64URL_LEN(len) + 1)
		return -1;
	for (i = 0; i + 3 <= len; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[o++] = b64url[v >> 18];
		out[o++] = b64url[(v >> 12) & 63];
		out[o++] = b64url[(v >> 6) & 63];
		out[o++] = b64url[v & 63];
	}
	if (len - i == 1) {
		out[o++] = b64url[p[i] >> 2];
		out[o++] = b64url[(p[i] & 3) << 4];
	} else if (len - i == 2) {
		v = (uint32_t)p[i] << 8 | p[i + 1];
		out[o++] = b64url[v >> 10];
		out[o++] = b64url[(v >> 4) & 63];
		out[o++] = b64url[(v & 15) << 2];
	}
	out[o] = '\0';
	return 0;
}

static int
b64url_value(char c)
{
	const char	*p;

	if (c == '\0' || (p = strchr(b64url, c)) == NULL)
		return -1;
	return (int)(p - b64url);
}

int
hark_b64url_decode(const char *in, size_t len, unsigned char *out,
    size_t outsize, size_t *outlen)
{
	uint32_t	 acc = 0;
	size_t		 i, o = 0;
	int		 v, bits = 0;

	if (len % 4 == 1 || len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0) > outsize)
		return -1;
	for (i = 0; i < len; i++) {
		if ((v = b64url_value(in[i])) == -1)
			return -1;
		acc = (acc << 6 | (uint32_t)v) & 0xffffff;
		if ((bits += 6) >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	if ((acc & ((1U << bits) - 1)) != 0)
		return -1;
	*outlen = o;
	return 0;
}

void
hark_hex_encode(const void *in, size_t n, char *out)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*p = in;
	size_t			 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
	out[2 * n] = '\0';
}
