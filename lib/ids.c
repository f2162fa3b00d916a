/* ids.c: random resource ids and UUID v7. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "ids.h"

#define RAND_CHUNK	64

static bool
id_prefix_ok(const char *prefix, size_t *len)
{
	size_t	 n = 0;

	while (prefix[n] >= 'a' && prefix[n] <= 'z')
		n++;
	if (n == 0 || n >= HARK_ID_PREFIX_MAX || prefix[n] != '_' ||
	    prefix[n + 1] != '\0')
		return false;
	*len = n + 1;
	return true;
}

/*
 * Rejection sampling: bytes at or above the largest multiple of the alphabet
 * size are dropped, so every character is equally likely.
 */
int
hark_random_chars(const char *alphabet, char *out, size_t n)
{
	unsigned char	 r[RAND_CHUNK];
	size_t		 alen = strlen(alphabet), done = 0, i;
	unsigned	 cut;

	if (alen < 2 || alen > 256)
		return -1;
	cut = 256 - 256 % (unsigned)alen;
	while (done < n) {
		if (RAND_bytes(r, sizeof(r)) != 1)
			return -1;
		for (i = 0; i < sizeof(r) && done < n; i++)
			if (r[i] < cut)
				out[done++] = alphabet[r[i] % alen];
	}
	return 0;
}

int
hark_id_new(const char *prefix, char *out, size_t outlen)
{
	size_t	 plen;

	if (outlen > 0)
		out[0] = '\0';
	if (!id_prefix_ok(prefix, &plen) || outlen < plen + HARK_ID_BODY_LEN + 1)
		return -1;
	if (hark_random_chars(HARK_ID_ALPHABET, out + plen,
	    HARK_ID_BODY_LEN) == -1)
		return -1;
	memcpy(out, prefix, plen);
	out[plen + HARK_ID_BODY_LEN] = '\0';
	return 0;
}

int
hark_id_derive(const char *prefix, const char *a, const char *b,
    char *out, size_t outlen)
{
	unsigned char	 md[32];
	unsigned int	 mdlen = 0;
	EVP_MD_CTX	*c;
	size_t		 plen, i;
	int		 ok;

	if (outlen > 0)
		out[0] = '\0';
	if (!id_prefix_ok(prefix, &plen) || outlen < plen + HARK_ID_BODY_LEN + 1)
		return -1;
	if ((c = EVP_MD_CTX_new()) == NULL)
		return -1;
	/* The NUL after a keeps ("ab", "c") apart from ("a", "bc"). */
	ok = EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(c, a, strlen(a) + 1) == 1 &&
	    EVP_DigestUpdate(c, b, strlen(b)) == 1 &&
	    EVP_DigestFinal_ex(c, md, &mdlen) == 1;
	EVP_MD_CTX_free(c);
	if (!ok)
		return -1;
	/* 26 characters of 5 bits: the first 130 bits of the digest. */
	for (i = 0; i < HARK_ID_BODY_LEN; i++) {
		size_t	 bit = i * 5, byte = bit / 8, shift = bit % 8;
		unsigned v = (unsigned)md[byte] << 8 | md[byte + 1];

		out[plen + i] = HARK_ID_ALPHABET[(v >> (11 - shift)) & 31];
	}
	memcpy(out, prefix, plen);
	out[plen + HARK_ID_BODY_LEN] = '\0';
	return 0;
}

bool
hark_id_valid(const char *prefix, const char *s)
{
	size_t	 plen, i;

	if (prefix == NULL || s == NULL || !id_prefix_ok(prefix, &plen))
		return false;
	if (strncmp(s, prefix, plen) != 0)
		return false;
	for (i = 0; i < HARK_ID_BODY_LEN; i++)
		if (s[plen + i] == '\0' ||
		    strchr(HARK_ID_ALPHABET, s[plen + i]) == NULL)
			return false;
	return s[plen + i] == '\0';
}

/*
 * The millisecond and counter of the next UUID: a counter that starts at a
 * random value below 2048 in each new millisecond, and borrows the next
 * millisecond when it overflows, keeps one thread's UUIDs strictly rising
 * even when the clock stands still or steps back.
 */
static void
uuid7_clock(uint64_t now_ms, uint16_t seed, uint64_t *ms, uint16_t *seq)
{
	static _Thread_local uint64_t	 last_ms;
	static _Thread_local uint16_t	 last_seq;

	if (now_ms > last_ms) {
		last_ms = now_ms;
		last_seq = seed & 0x7ff;
	} else if (++last_seq > 0xfff) {
		last_ms++;
		last_seq = seed & 0x7ff;
	}
	*ms = last_ms;
	*seq = last_seq;
}

int
hark_uuid7(char out[HARK_UUID_LEN + 1])
{
	unsigned char	 b[16];
	struct timespec	 ts;
	uint64_t	 ms;
	uint16_t	 seq;
	int		 i;

	if (RAND_bytes(b, sizeof(b)) != 1)
		return -1;
	clock_gettime(CLOCK_REALTIME, &ts);
	uuid7_clock((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000,
	    (uint16_t)(b[6] << 8 | b[7]), &ms, &seq);
	for (i = 0; i < 6; i++)
		b[i] = (unsigned char)(ms >> (40 - 8 * i));
	b[6] = (unsigned char)(0x70 | (seq >> 8));
	b[7] = (unsigned char)seq;
	b[8] = (unsigned char)(0x80 | (b[8] & 0x3f));
	snprintf(out, HARK_UUID_LEN + 1,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x",
	    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
	    b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	return 0;
}
