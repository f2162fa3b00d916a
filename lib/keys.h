/*
 * keys.h: API keys and the small crypto helpers around them (libcrypto).
 *
 * Secret keys (sk_ and 43 base62 characters, 256 bits) authenticate servers
 * and are stored only as their SHA-256, compared in constant time.  Public
 * keys (pk_ and 32 base62 characters) name a widget source and are not
 * secret.  HMAC-SHA256 and base64url are for the widget tokens.
 */
#ifndef HARK_KEYS_H
#define HARK_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#define HARK_KEY_SECRET_PREFIX	"sk_"
#define HARK_KEY_PUBLIC_PREFIX	"pk_"
#define HARK_KEY_ALPHABET \
	"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
#define HARK_KEY_SECRET_LEN	46	/* "sk_" + 43 */
#define HARK_KEY_PUBLIC_LEN	35	/* "pk_" + 32 */
#define HARK_KEY_SIZE		48	/* a buffer for either key and its NUL */
#define HARK_KEY_HASH_LEN	32
#define HARK_KEY_DISPLAY_LEN	10	/* "sk_" and 7 characters, for listings */
#define HARK_HMAC_LEN		32

/* Encoded length of n bytes in unpadded base64url (without the NUL). */
#define HARK_B64URL_LEN(n)	(((n) / 3) * 4 + ((n) % 3 ? (n) % 3 + 1 : 0))

/* A new key and its NUL in out.  0, or -1 when outlen is short or the RNG fails. */
int	hark_key_new_secret(char *out, size_t outlen);
int	hark_key_new_public(char *out, size_t outlen);

/* SHA-256 of the key's bytes, the form keys are stored in.  0, or -1. */
int	hark_key_hash(const char *key, size_t len,
	    unsigned char out[HARK_KEY_HASH_LEN]);
/* Constant time, so a timing probe learns nothing about a stored hash. */
bool	hark_key_hash_equal(const unsigned char a[HARK_KEY_HASH_LEN],
	    const unsigned char b[HARK_KEY_HASH_LEN]);
/* Constant-time equality of n bytes (HMAC tags and the like). */
bool	hark_ct_equal(const void *a, const void *b, size_t n);

/*
 * The first HARK_KEY_DISPLAY_LEN characters of key (fewer if it is shorter,
 * truncated to outlen - 1), so a listing can tell keys apart without
 * showing them.
 */
void	hark_key_display_prefix(const char *key, char *out, size_t outlen);

/* Format checks only (prefix, length, alphabet): no lookup, no timing care. */
bool	hark_key_looks_secret(const char *);
bool	hark_key_looks_public(const char *);

/* HMAC-SHA256 of msg under key (keylen may be 0).  0, or -1. */
int	hark_hmac_sha256(const void *key, size_t keylen, const void *msg,
	    size_t len, unsigned char out[HARK_HMAC_LEN]);

/*
 * Unpadded base64url (RFC 4648 section 5).  Encode writes
 * HARK_B64URL_LEN(len) characters and a NUL: 0, or -1 if outsize is short.
 * Decode accepts only the canonical encoding (no padding, no whitespace,
 * unused low bits zero), so one token has one spelling: 0 with *outlen set,
 * or -1 on bad input or a short out.
 */
int	hark_b64url_encode(const void *, size_t len, char *out,
	    size_t outsize);
int	hark_b64url_decode(const char *, size_t len, unsigned char *out,
	    size_t outsize, size_t *outlen);

/* Lower-case hex of n bytes into out, which holds 2n + 1. */
void	hark_hex_encode(const void *, size_t n, char *out);

#endif
