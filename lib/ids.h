/*
 * ids.h: identifiers hark makes itself, before the INSERT, from OpenSSL's RNG.
 *
 * A resource id is a short type prefix and 26 characters of lower-case
 * base32 (130 random bits): lower case because MariaDB's default collations
 * compare case-insensitively, base32 without i, l, o and u so that an id read
 * aloud or retyped stays unambiguous.  Ids are made before the row is written
 * so that a retried write after a lost connection can find its own row.
 */
#ifndef HARK_IDS_H
#define HARK_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define HARK_ID_FEEDBACK	"fb_"
#define HARK_ID_PROJECT		"prj_"
#define HARK_ID_KEY		"key_"
#define HARK_ID_SOURCE		"src_"
#define HARK_ID_COMMENT		"cmt_"
#define HARK_ID_MEDIA		"med_"
#define HARK_ID_JOB		"job_"
#define HARK_ID_WEBHOOK		"whk_"
#define HARK_ID_DELIVERY	"msg_"
#define HARK_ID_HOOK		"hok_"

#define HARK_ID_ALPHABET	"0123456789abcdefghjkmnpqrstvwxyz"
#define HARK_ID_BODY_LEN	26
#define HARK_ID_PREFIX_MAX	8	/* "xxxxxxx_" */
/* A buffer that holds any id and its NUL. */
#define HARK_ID_SIZE		(HARK_ID_PREFIX_MAX + HARK_ID_BODY_LEN + 1)

#define HARK_UUID_LEN		36

/*
 * Writes prefix (1 to 7 lower-case letters and '_') and a random body to
 * out.  Returns 0, or -1 when the prefix is malformed, outlen is too small
 * or the RNG fails (out is then "").
 */
int	hark_id_new(const char *prefix, char *out, size_t outlen);

/*
 * An id of that prefix made from a and b rather than the RNG (SHA-256 of
 * both): the same pair gives the same id, so that work redone after a
 * crash (a job's fan-out run again) meets the rows it made the first time.
 * 0, or -1 as hark_id_new.
 */
int	hark_id_derive(const char *prefix, const char *a, const char *b,
	    char *out, size_t outlen);

/*
 * Whether s is an id of that prefix: the exact prefix, then exactly
 * HARK_ID_BODY_LEN characters of the alphabet.  For refusing junk taken from
 * a URL before it reaches a query.  NULL is never valid.
 */
bool	hark_id_valid(const char *prefix, const char *s);

/*
 * Fills out with n characters drawn uniformly from alphabet (2 to 256
 * characters), without a NUL.  0, or -1 when the RNG fails.
 */
int	hark_random_chars(const char *alphabet, char *out, size_t n);

/*
 * A UUID version 7 (RFC 9562), lower-case hex with dashes and a NUL.  The
 * 12 bits after the millisecond timestamp are a counter, so the UUIDs one
 * thread makes sort in the order it made them.  0, or -1 (RNG failure).
 */
int	hark_uuid7(char out[HARK_UUID_LEN + 1]);

#endif
