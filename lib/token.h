/*
 * token.h: widget tokens, the third seed's short-lived signed tokens that
 * GET /feedback/widget/bootstrap hands a page and its submissions carry.
 *
 * A token is base64url(claims) "." base64url(HMAC-SHA256(secret, the first
 * part as sent)).  The claims are a small JSON object (so a token starts
 * "eyJ", as the seed's example does):
 *
 *   {"v":1,"src":"src_...","org":"https://shop.example","iat":N,"exp":N,
 *    "n":"<16 random bytes, base64url>"}
 *
 * bound to the source, the Origin the bootstrap came from ("" for a
 * server without one) and the expiry (Unix seconds); the nonce makes every
 * token unique.  Verification checks the tag in constant time against the
 * current secret and then the previous one (a rotation: tokens signed
 * before it stay good until they expire), then the expiry, the source and
 * the origin.  Only a token that passes all of it is read further.
 *
 * Secrets are files (harkctl secret init): their bytes, less one trailing
 * newline, are the HMAC key; at least HARK_TOKEN_SECRET_MIN bytes.
 */
#ifndef HARK_TOKEN_H
#define HARK_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#include "ids.h"

#define HARK_TOKEN_SECRET_MIN	32
#define HARK_TOKEN_SECRET_MAX	256
#define HARK_TOKEN_ORIGIN_MAX	256	/* an origin, with its NUL */
#define HARK_TOKEN_MAX		768	/* a token, with its NUL */

struct hark_token_keys {
	unsigned char	 cur[HARK_TOKEN_SECRET_MAX];
	size_t		 cur_len;	/* 0: no secret, nothing signs */
	unsigned char	 prev[HARK_TOKEN_SECRET_MAX];
	size_t		 prev_len;	/* 0: no previous secret */
};

struct hark_token_claims {
	char		 source_id[HARK_ID_SIZE];
	char		 origin[HARK_TOKEN_ORIGIN_MAX];	/* "" = none */
	long long	 iat, exp;			/* Unix seconds */
};

enum hark_token_rc {
	HARK_TOKEN_OK = 0,
	HARK_TOKEN_MALFORMED,	/* not two base64url parts, claims unreadable */
	HARK_TOKEN_BAD_SIGNATURE,/* no secret made this tag */
	HARK_TOKEN_EXPIRED,
	HARK_TOKEN_WRONG_SOURCE,
	HARK_TOKEN_WRONG_ORIGIN,
	HARK_TOKEN_NO_SECRET	/* the keys hold no current secret */
};

/*
 * Reads the current secret from cur_path and, when prev_path is not empty
 * and such a file exists (it does after a rotation), the previous one.  0, or -1 with a reason (never a secret's bytes) in
 * err: missing, unreadable, too short or too long.  keys is wiped first.
 */
int	hark_token_keys_load(const char *cur_path, const char *prev_path,
	    struct hark_token_keys *keys, char *err, size_t errlen);
void	hark_token_keys_wipe(struct hark_token_keys *);

/*
 * Signs a token for source_id and origin ("" or NULL for none), issued at
 * now and good for ttl seconds, into out (HARK_TOKEN_MAX).  The claims
 * signed are copied to c when not NULL.  0, or -1: no secret, an origin
 * that is not a plain origin, or no randomness.
 */
int	hark_token_sign(const struct hark_token_keys *, const char *source_id,
	    const char *origin, long long now, long long ttl, char *out,
	    size_t outlen, struct hark_token_claims *c);

/*
 * Verifies token for source_id and origin ("" or NULL for a request
 * without one) at now.  Fills c (when not NULL) from a token whose tag is
 * good, even when it then fails on expiry, source or origin.
 */
enum hark_token_rc hark_token_verify(const struct hark_token_keys *,
	    const char *token, const char *source_id, const char *origin,
	    long long now, struct hark_token_claims *c);

/* A short stable name for a result ("token_expired"), for API errors. */
const char *hark_token_rc_name(enum hark_token_rc);

#endif
