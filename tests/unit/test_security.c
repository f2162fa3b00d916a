/* test_security.c: ids, keys and their crypto helpers, and CORS origin matching. */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cors.h"
#include "ids.h"
#include "timestamp.h"
#include "keys.h"

static const char *const all_prefixes[] = {
	HARK_ID_FEEDBACK, HARK_ID_PROJECT, HARK_ID_KEY, HARK_ID_SOURCE,
	HARK_ID_COMMENT, HARK_ID_MEDIA
};

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* ---- ids ---- */

START_TEST(id_has_prefix_and_length)
{
	char	 id[HARK_ID_SIZE];
	size_t	 i;

	for (i = 0; i < sizeof(all_prefixes) / sizeof(all_prefixes[0]); i++) {
		ck_assert_int_eq(hark_id_new(all_prefixes[i], id, sizeof(id)), 0);
		ck_assert_uint_eq(strlen(id),
		    strlen(all_prefixes[i]) + HARK_ID_BODY_LEN);
		ck_assert(strncmp(id, all_prefixes[i],
		    strlen(all_prefixes[i])) == 0);
		ck_assert(hark_id_valid(all_prefixes[i], id));
	}
}
END_TEST

START_TEST(ids_are_unique)
{
	enum { N = 20000 };
	char	(*ids)[HARK_ID_SIZE];
	size_t	 i;

	ids = calloc(N, sizeof(*ids));
	ck_assert_ptr_nonnull(ids);
	for (i = 0; i < N; i++)
		ck_assert_int_eq(hark_id_new("fb_", ids[i], sizeof(ids[i])), 0);
	qsort(ids, N, sizeof(*ids), cmp_str);
	for (i = 1; i < N; i++)
		ck_assert_str_ne(ids[i - 1], ids[i]);
	free(ids);
}
END_TEST

START_TEST(id_body_uses_whole_alphabet)
{
	char		 id[HARK_ID_SIZE];
	unsigned	 seen[256] = { 0 };
	const char	*a;
	size_t		 i;

	for (i = 0; i < 400; i++) {
		ck_assert_int_eq(hark_id_new("med_", id, sizeof(id)), 0);
		for (a = id + 4; *a != '\0'; a++)
			seen[(unsigned char)*a]++;
	}
	for (a = HARK_ID_ALPHABET; *a != '\0'; a++)
		ck_assert_uint_gt(seen[(unsigned char)*a], 0);
	for (i = 0; i < 256; i++)
		if (seen[i] > 0)
			ck_assert_ptr_nonnull(strchr(HARK_ID_ALPHABET, (int)i));
}
END_TEST

START_TEST(id_new_refuses_malformed_prefix)
{
	char	 id[HARK_ID_SIZE];

	ck_assert_int_eq(hark_id_new("fb", id, sizeof(id)), -1);
	ck_assert_str_eq(id, "");
	ck_assert_int_eq(hark_id_new("FB_", id, sizeof(id)), -1);
	ck_assert_int_eq(hark_id_new("_", id, sizeof(id)), -1);
	ck_assert_int_eq(hark_id_new("f-b_", id, sizeof(id)), -1);
	ck_assert_int_eq(hark_id_new("toolongp_", id, sizeof(id)), -1);
	ck_assert_int_eq(hark_id_new("fb__", id, sizeof(id)), -1);
	ck_assert_int_eq(hark_id_new("abcdefg_", id, sizeof(id)), 0);
}
END_TEST

/* Expected values from Python's hashlib, the bits read as the id's base32. */
START_TEST(id_derive_is_sha256_of_both)
{
	char	 id[HARK_ID_SIZE], again[HARK_ID_SIZE];

	ck_assert_int_eq(hark_id_derive("msg_", "job_abc", "webhook:whk_def",
	    id, sizeof(id)), 0);
	ck_assert_str_eq(id, "msg_yw6wg72z4wswsy43hr2r3t78db");
	ck_assert(hark_id_valid("msg_", id));
	ck_assert_int_eq(hark_id_derive("msg_", "job_abc", "webhook:whk_def",
	    again, sizeof(again)), 0);
	ck_assert_str_eq(id, again);
	/* The split between the two is part of the input. */
	ck_assert_int_eq(hark_id_derive("msg_", "job_ab", "cwebhook:whk_def",
	    id, sizeof(id)), 0);
	ck_assert_str_eq(id, "msg_r0q28z6v1mm91cs3zyw3am59sq");
	ck_assert_int_eq(hark_id_derive("MSG", "a", "b", id, sizeof(id)), -1);
	ck_assert_str_eq(id, "");
	ck_assert_int_eq(hark_id_derive("msg_", "a", "b", id, 10), -1);
}
END_TEST

START_TEST(id_new_refuses_short_buffer)
{
	char	 id[3 + HARK_ID_BODY_LEN + 1];

	ck_assert_int_eq(hark_id_new("fb_", id, sizeof(id) - 1), -1);
	ck_assert_int_eq(hark_id_new("fb_", id, sizeof(id)), 0);
	ck_assert_int_eq(hark_id_new("fb_", id, 0), -1);
}
END_TEST

START_TEST(id_valid_rejects_wrong_prefix)
{
	char	 id[HARK_ID_SIZE];

	ck_assert_int_eq(hark_id_new("prj_", id, sizeof(id)), 0);
	ck_assert(!hark_id_valid("fb_", id));
	ck_assert(!hark_id_valid("key_", id));
	ck_assert(!hark_id_valid("prj", id));
	ck_assert(!hark_id_valid("PRJ_", id));
}
END_TEST

START_TEST(id_valid_rejects_wrong_length)
{
	char	 id[HARK_ID_SIZE + 1];
	size_t	 len;

	ck_assert_int_eq(hark_id_new("fb_", id, sizeof(id)), 0);
	len = strlen(id);
	id[len] = 'a';
	id[len + 1] = '\0';
	ck_assert(!hark_id_valid("fb_", id));
	id[len - 1] = '\0';
	ck_assert(!hark_id_valid("fb_", id));
	ck_assert(!hark_id_valid("fb_", "fb_"));
}
END_TEST

START_TEST(id_valid_rejects_bad_characters)
{
	char		 id[HARK_ID_SIZE];
	const char	*bad = "ILOUiluo/.%-_ \n";
	size_t		 i;

	for (i = 0; bad[i] != '\0'; i++) {
		ck_assert_int_eq(hark_id_new("fb_", id, sizeof(id)), 0);
		id[10] = bad[i];
		ck_assert_msg(!hark_id_valid("fb_", id), "accepted '%c'", bad[i]);
	}
	ck_assert(!hark_id_valid("fb_", "fb_0123456789ABCDEFGHJKMNPQRS"));
}
END_TEST

START_TEST(id_valid_rejects_path_tricks)
{
	ck_assert(!hark_id_valid("fb_", "../"));
	ck_assert(!hark_id_valid("fb_", "fb_../../../../etc/passwd0000"));
	ck_assert(!hark_id_valid("fb_", "fb_.........................."));
	ck_assert(!hark_id_valid("fb_", "fb_0123456789abcdefghjkmnpqrs/"));
}
END_TEST

START_TEST(id_valid_rejects_empty_and_null)
{
	ck_assert(!hark_id_valid("fb_", ""));
	ck_assert(!hark_id_valid("fb_", NULL));
	ck_assert(!hark_id_valid(NULL, "fb_0123456789abcdefghjkmnpqrs"));
	ck_assert(hark_id_valid("fb_", "fb_0123456789abcdefghjkmnpqrs"));
}
END_TEST

/* ---- uuid v7 ---- */

START_TEST(uuid7_has_canonical_format)
{
	char	 u[HARK_UUID_LEN + 1];
	size_t	 i;

	ck_assert_int_eq(hark_uuid7(u), 0);
	ck_assert_uint_eq(strlen(u), HARK_UUID_LEN);
	for (i = 0; i < HARK_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			ck_assert_int_eq(u[i], '-');
		else
			ck_assert_ptr_nonnull(strchr("0123456789abcdef", u[i]));
	}
}
END_TEST

START_TEST(uuid7_has_version_and_variant)
{
	char	 u[HARK_UUID_LEN + 1];
	int	 i;

	for (i = 0; i < 100; i++) {
		ck_assert_int_eq(hark_uuid7(u), 0);
		ck_assert_int_eq(u[14], '7');
		ck_assert_ptr_nonnull(strchr("89ab", u[19]));
	}
}
END_TEST

START_TEST(uuid7_carries_current_milliseconds)
{
	char		 u[HARK_UUID_LEN + 1], hex[13];
	struct timespec	 ts;
	long long	 now, ms;

	clock_gettime(CLOCK_REALTIME, &ts);
	now = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	ck_assert_int_eq(hark_uuid7(u), 0);
	memcpy(hex, u, 8);
	memcpy(hex + 8, u + 9, 4);
	hex[12] = '\0';
	ms = strtoll(hex, NULL, 16);
	ck_assert_int_ge(ms, now);
	ck_assert_int_lt(ms, now + 2000);
}
END_TEST

START_TEST(uuid7_sorts_in_creation_order)
{
	char		 prev[HARK_UUID_LEN + 1], cur[HARK_UUID_LEN + 1];
	struct timespec	 pause = { 0, 2000000 };
	int		 i;

	ck_assert_int_eq(hark_uuid7(prev), 0);
	for (i = 0; i < 20000; i++) {
		if (i % 5000 == 0)
			nanosleep(&pause, NULL);
		ck_assert_int_eq(hark_uuid7(cur), 0);
		ck_assert_msg(strcmp(prev, cur) < 0, "%s !< %s", prev, cur);
		memcpy(prev, cur, sizeof(cur));
	}
}
END_TEST

/* ---- timestamps ---- */

START_TEST(rfc3339_is_utc_whole_seconds)
{
	struct timespec	 ts = { 1775730600, 999999999 };
	char		 out[HARK_RFC3339_SIZE];

	ck_assert_int_eq(hark_ts_format_rfc3339(ts, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "2026-04-09T10:30:00Z");
	ts.tv_sec = 0;
	ck_assert_int_eq(hark_ts_format_rfc3339(ts, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "1970-01-01T00:00:00Z");
}
END_TEST

START_TEST(rfc3339_refuses_short_buffer)
{
	struct timespec	 ts = { 1775730600, 0 };
	char		 out[HARK_RFC3339_SIZE];

	ck_assert_int_eq(hark_ts_format_rfc3339(ts, out, sizeof(out) - 1), -1);
	ck_assert_str_eq(out, "");
}
END_TEST

/* ---- keys ---- */

START_TEST(secret_key_has_format)
{
	char	 a[HARK_KEY_SIZE], b[HARK_KEY_SIZE];

	ck_assert_int_eq(hark_key_new_secret(a, sizeof(a)), 0);
	ck_assert_int_eq(hark_key_new_secret(b, sizeof(b)), 0);
	ck_assert_uint_eq(strlen(a), HARK_KEY_SECRET_LEN);
	ck_assert(strncmp(a, "sk_", 3) == 0);
	ck_assert(strspn(a + 3, HARK_KEY_ALPHABET) == HARK_KEY_SECRET_LEN - 3);
	ck_assert(hark_key_looks_secret(a));
	ck_assert(!hark_key_looks_public(a));
	ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(public_key_has_format)
{
	char	 a[HARK_KEY_SIZE];

	ck_assert_int_eq(hark_key_new_public(a, sizeof(a)), 0);
	ck_assert_uint_eq(strlen(a), HARK_KEY_PUBLIC_LEN);
	ck_assert(strncmp(a, "pk_", 3) == 0);
	ck_assert(hark_key_looks_public(a));
	ck_assert(!hark_key_looks_secret(a));
}
END_TEST

START_TEST(new_key_refuses_short_buffer)
{
	char	 a[HARK_KEY_SIZE];

	ck_assert_int_eq(hark_key_new_secret(a, HARK_KEY_SECRET_LEN), -1);
	ck_assert_str_eq(a, "");
	ck_assert_int_eq(hark_key_new_secret(a, HARK_KEY_SECRET_LEN + 1), 0);
}
END_TEST

START_TEST(looks_secret_rejects_malformed)
{
	char	 k[HARK_KEY_SIZE + 1];

	ck_assert_int_eq(hark_key_new_secret(k, sizeof(k)), 0);
	k[HARK_KEY_SECRET_LEN - 1] = '\0';
	ck_assert(!hark_key_looks_secret(k));
	k[HARK_KEY_SECRET_LEN - 1] = 'a';
	k[HARK_KEY_SECRET_LEN] = 'a';
	k[HARK_KEY_SECRET_LEN + 1] = '\0';
	ck_assert(!hark_key_looks_secret(k));
	k[HARK_KEY_SECRET_LEN] = '\0';
	ck_assert(hark_key_looks_secret(k));
	k[5] = '-';
	ck_assert(!hark_key_looks_secret(k));
	k[5] = 'a';
	k[0] = 'S';
	ck_assert(!hark_key_looks_secret(k));
	ck_assert(!hark_key_looks_secret(""));
	ck_assert(!hark_key_looks_secret(NULL));
}
END_TEST

START_TEST(key_hash_is_sha256)
{
	unsigned char	 h[HARK_KEY_HASH_LEN];
	char		 hex[2 * HARK_KEY_HASH_LEN + 1];

	ck_assert_int_eq(hark_key_hash("abc", 3, h), 0);
	hark_hex_encode(h, sizeof(h), hex);
	ck_assert_str_eq(hex,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
END_TEST

START_TEST(hash_equal_compares_every_byte)
{
	unsigned char	 a[HARK_KEY_HASH_LEN], b[HARK_KEY_HASH_LEN];

	ck_assert_int_eq(hark_key_hash("sk_one", 6, a), 0);
	memcpy(b, a, sizeof(a));
	ck_assert(hark_key_hash_equal(a, b));
	b[HARK_KEY_HASH_LEN - 1] ^= 1;
	ck_assert(!hark_key_hash_equal(a, b));
	b[HARK_KEY_HASH_LEN - 1] ^= 1;
	b[0] ^= 0x80;
	ck_assert(!hark_key_hash_equal(a, b));
	ck_assert_int_eq(hark_key_hash("sk_two", 6, b), 0);
	ck_assert(!hark_key_hash_equal(a, b));
}
END_TEST

START_TEST(display_prefix_shows_ten_characters)
{
	char	 out[HARK_KEY_DISPLAY_LEN + 1], small[5];

	hark_key_display_prefix("sk_abcdefghijklmnop", out, sizeof(out));
	ck_assert_str_eq(out, "sk_abcdefg");
	hark_key_display_prefix("sk_ab", out, sizeof(out));
	ck_assert_str_eq(out, "sk_ab");
	hark_key_display_prefix("sk_abcdefghijklmnop", small, sizeof(small));
	ck_assert_str_eq(small, "sk_a");
}
END_TEST

START_TEST(hmac_matches_rfc4231_case_2)
{
	const char	*msg = "what do ya want for nothing?";
	unsigned char	 mac[HARK_HMAC_LEN];
	char		 hex[2 * HARK_HMAC_LEN + 1];

	ck_assert_int_eq(hark_hmac_sha256("Jefe", 4, msg, strlen(msg), mac), 0);
	hark_hex_encode(mac, sizeof(mac), hex);
	ck_assert_str_eq(hex,
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}
END_TEST

START_TEST(hmac_accepts_empty_key_and_message)
{
	unsigned char	 mac[HARK_HMAC_LEN];
	char		 hex[2 * HARK_HMAC_LEN + 1];

	ck_assert_int_eq(hark_hmac_sha256(NULL, 0, NULL, 0, mac), 0);
	hark_hex_encode(mac, sizeof(mac), hex);
	ck_assert_str_eq(hex,
	    "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}
END_TEST

START_TEST(ct_equal_compares_bytes)
{
	ck_assert(hark_ct_equal("abcd", "abcd", 4));
	ck_assert(!hark_ct_equal("abcd", "abce", 4));
	ck_assert(hark_ct_equal("abcd", "abce", 3));
}
END_TEST

START_TEST(b64url_round_trips_every_length)
{
	unsigned char	 in[64], back[64];
	char		 enc[HARK_B64URL_LEN(64) + 1];
	size_t		 len, n, i;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 37 + 0xf9);
	for (len = 0; len <= sizeof(in); len++) {
		ck_assert_int_eq(hark_b64url_encode(in, len, enc, sizeof(enc)), 0);
		ck_assert_uint_eq(strlen(enc), HARK_B64URL_LEN(len));
		ck_assert_uint_eq(strcspn(enc, "+/="), strlen(enc));
		ck_assert_int_eq(hark_b64url_decode(enc, strlen(enc), back,
		    sizeof(back), &n), 0);
		ck_assert_uint_eq(n, len);
		ck_assert(memcmp(in, back, len) == 0);
	}
}
END_TEST

START_TEST(b64url_uses_url_alphabet)
{
	const unsigned char	 in[] = { 0xfb, 0xff };
	char			 enc[8];

	ck_assert_int_eq(hark_b64url_encode(in, sizeof(in), enc, sizeof(enc)), 0);
	ck_assert_str_eq(enc, "-_8");
	ck_assert_int_eq(hark_b64url_encode("hark", 4, enc, sizeof(enc)), 0);
	ck_assert_str_eq(enc, "aGFyaw");
}
END_TEST

START_TEST(b64url_decode_rejects_noncanonical)
{
	unsigned char	 out[16];
	size_t		 n;

	ck_assert_int_eq(hark_b64url_decode("YQ", 2, out, sizeof(out), &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(out[0], 'a');
	ck_assert_int_eq(hark_b64url_decode("YQ==", 4, out, sizeof(out), &n), -1);
	ck_assert_int_eq(hark_b64url_decode("YR", 2, out, sizeof(out), &n), -1);
	ck_assert_int_eq(hark_b64url_decode("Y", 1, out, sizeof(out), &n), -1);
	ck_assert_int_eq(hark_b64url_decode("ab+/", 4, out, sizeof(out), &n), -1);
	ck_assert_int_eq(hark_b64url_decode("ab c", 4, out, sizeof(out), &n), -1);
	ck_assert_int_eq(hark_b64url_decode("ab\0c", 4, out, sizeof(out), &n), -1);
}
END_TEST

START_TEST(b64url_refuses_short_buffers)
{
	unsigned char	 out[2];
	char		 enc[4];
	size_t		 n;

	ck_assert_int_eq(hark_b64url_decode("aGFyaw", 6, out, sizeof(out), &n), -1);
	ck_assert_int_eq(hark_b64url_encode("hark", 4, enc, sizeof(enc)), -1);
}
END_TEST

START_TEST(hex_encodes_lower_case)
{
	const unsigned char	 in[] = { 0x00, 0x9f, 0xa0, 0xff };
	char			 out[9];

	hark_hex_encode(in, sizeof(in), out);
	ck_assert_str_eq(out, "009fa0ff");
}
END_TEST

/* ---- cors ---- */

#define ALLOWED(o, ...) \
	hark_cors_origin_allowed((o), (const char *const []){ __VA_ARGS__ }, \
	    sizeof((const char *const []){ __VA_ARGS__ }) / sizeof(char *))

START_TEST(cors_allows_exact_origin)
{
	ck_assert(ALLOWED("https://app.example.com", "https://app.example.com"));
	ck_assert(ALLOWED("https://app.example.com", "https://other.test",
	    "https://app.example.com"));
	ck_assert(!ALLOWED("https://api.example.com", "https://app.example.com"));
}
END_TEST

START_TEST(cors_pattern_scheme_must_match)
{
	ck_assert(!ALLOWED("http://app.example.com", "https://app.example.com"));
	ck_assert(ALLOWED("capacitor://localhost", "capacitor://localhost"));
	ck_assert(!ALLOWED("capacitor://localhost", "localhost"));
}
END_TEST

START_TEST(cors_wildcard_matches_subdomains_at_any_depth)
{
	ck_assert(ALLOWED("https://a.example.com", "*.example.com"));
	ck_assert(ALLOWED("https://a.b.example.com", "*.example.com"));
	ck_assert(ALLOWED("http://a.example.com", "*.example.com"));
	ck_assert(ALLOWED("https://a.example.com", "https://*.example.com"));
	ck_assert(!ALLOWED("http://a.example.com", "https://*.example.com"));
}
END_TEST

START_TEST(cors_wildcard_refuses_apex_and_lookalikes)
{
	ck_assert(!ALLOWED("https://example.com", "*.example.com"));
	ck_assert(!ALLOWED("https://evilexample.com", "*.example.com"));
	ck_assert(!ALLOWED("https://a.evilexample.com", "*.example.com"));
	ck_assert(!ALLOWED("https://example.com.evil.test", "*.example.com"));
	ck_assert(!ALLOWED("https://a.example.com.evil.test", "*.example.com"));
}
END_TEST

START_TEST(cors_schemeless_pattern_allows_only_web_schemes)
{
	ck_assert(!ALLOWED("ws://a.example.com", "*.example.com"));
	ck_assert(!ALLOWED("chrome-extension://app.example.com",
	    "app.example.com"));
	ck_assert(ALLOWED("http://app.example.com", "app.example.com"));
}
END_TEST

START_TEST(cors_ignores_case)
{
	ck_assert(ALLOWED("HTTPS://App.Example.COM", "*.EXAMPLE.com"));
	ck_assert(ALLOWED("https://app.example.com", "HTTPS://APP.EXAMPLE.COM"));
}
END_TEST

START_TEST(cors_pattern_port_must_match)
{
	ck_assert(ALLOWED("https://a.example.com:8443", "*.example.com:8443"));
	ck_assert(!ALLOWED("https://a.example.com:9443", "*.example.com:8443"));
	ck_assert(!ALLOWED("https://a.example.com", "*.example.com:8443"));
	ck_assert(ALLOWED("https://a.example.com", "https://a.example.com:443"));
	ck_assert(!ALLOWED("http://a.example.com", "a.example.com:443"));
	ck_assert(ALLOWED("http://localhost:5173", "localhost:5173"));
}
END_TEST

START_TEST(cors_schemeless_portless_pattern_allows_any_port)
{
	ck_assert(ALLOWED("http://localhost:3000", "localhost"));
	ck_assert(ALLOWED("https://a.example.com:8443", "*.example.com"));
}
END_TEST

/* Issue 15: with a scheme a pattern names origins, and the port is theirs. */
START_TEST(cors_pattern_with_scheme_means_default_port)
{
	ck_assert(!ALLOWED("http://localhost:3000", "http://localhost"));
	ck_assert(ALLOWED("http://localhost", "http://localhost"));
	ck_assert(ALLOWED("http://localhost:80", "http://localhost"));
	ck_assert(!ALLOWED("https://app.example.com:8443",
	    "https://app.example.com"));
	ck_assert(!ALLOWED("https://a.example.com:8443", "https://*.example.com"));
	ck_assert(ALLOWED("https://a.example.com", "https://*.example.com:443"));
	ck_assert(!ALLOWED("http://app.example.com:443", "https://app.example.com"));
	ck_assert(!ALLOWED("capacitor://localhost:8080", "capacitor://localhost"));
}
END_TEST

/* The issue's list, against a source's wildcard. */
/* ---- the allowlist cache (cors.h): time passed in, no clock ---- */

/* Whether the cached list of owner at now allows origin; -1: no entry. */
static int
cached_allows(enum hark_cors_owner kind, const char *owner, long now,
    const char *origin)
{
	const char	*blob, *list[8];
	size_t		 n, i;

	if (!hark_cors_cache_get(kind, owner, now, &blob, &n))
		return -1;
	ck_assert_uint_le(n, 8);
	for (i = 0; i < n; i++, blob += strlen(blob) + 1)
		list[i] = blob;
	return n == 0 || hark_cors_origin_allowed(origin, list, n);
}

#define TWO	"https://a.example.com\0*.shop.example\0"

START_TEST(cors_cache_keeps_a_list_for_the_ttl)
{
	hark_cors_cache_forget(HARK_CORS_PROJECT, NULL);
	ck_assert_int_eq(cached_allows(HARK_CORS_PROJECT, "pr_1", 100,
	    "https://a.example.com"), -1);
	hark_cors_cache_put(HARK_CORS_PROJECT, "pr_1", 100, TWO, sizeof(TWO) - 1, 2);
	ck_assert_int_eq(cached_allows(HARK_CORS_PROJECT, "pr_1", 100,
	    "https://a.example.com"), 1);
	ck_assert_int_eq(cached_allows(HARK_CORS_PROJECT, "pr_1",
	    100 + HARK_CORS_CACHE_TTL - 1, "https://x.shop.example"), 1);
	/* Past the TTL the list is read again: a change made elsewhere is
	 * honoured by then. */
	ck_assert_int_eq(cached_allows(HARK_CORS_PROJECT, "pr_1",
	    100 + HARK_CORS_CACHE_TTL, "https://a.example.com"), -1);
	/* A clock that went back trusts nothing. */
	ck_assert_int_eq(cached_allows(HARK_CORS_PROJECT, "pr_1", 99,
	    "https://a.example.com"), -1);
}
END_TEST

/* A cached allowlist refuses what the list refuses. */
START_TEST(cors_cache_still_refuses_other_origins)
{
	hark_cors_cache_forget(HARK_CORS_PROJECT, NULL);
	hark_cors_cache_put(HARK_CORS_PROJECT, "pr_1", 100, TWO, sizeof(TWO) - 1, 2);
	ck_assert_int_eq(cached_allows(HARK_CORS_PROJECT, "pr_1", 101,
	    "https://evil.example.org"), 0);
	ck_assert_int_eq(cached_allows(HARK_CORS_PROJECT, "pr_1", 101,
	    "https://shop.example"), 0);
	ck_assert_int_eq(cached_allows(HARK_CORS_PROJECT, "pr_1", 101,
	    "null"), 0);
}
END_TEST

START_TEST(cors_cache_keeps_owners_and_kinds_apart)
{
	hark_cors_cache_forget(HARK_CORS_PROJECT, NULL);
	hark_cors_cache_put(HARK_CORS_PROJECT, "id_1", 100, TWO, sizeof(TWO) - 1, 2);
	/* A source with the same id string is another list. */
	ck_assert_int_eq(cached_allows(HARK_CORS_SOURCE, "id_1", 100,
	    "https://a.example.com"), -1);
	ck_assert_int_eq(cached_allows(HARK_CORS_PROJECT, "id_2", 100,
	    "https://a.example.com"), -1);
	/* An empty list is kept too: it allows every origin. */
	hark_cors_cache_put(HARK_CORS_SOURCE, "id_1", 100, NULL, 0, 0);
	ck_assert_int_eq(cached_allows(HARK_CORS_SOURCE, "id_1", 100,
	    "https://evil.example.org"), 1);
	ck_assert_int_eq(cached_allows(HARK_CORS_PROJECT, "id_1", 100,
	    "https://evil.example.org"), 0);
}
END_TEST

START_TEST(cors_cache_forget_and_limits)
{
	static char	 big[HARK_CORS_CACHE_BYTES + 2];

	hark_cors_cache_forget(HARK_CORS_PROJECT, NULL);
	hark_cors_cache_put(HARK_CORS_PROJECT, "pr_1", 100, TWO, sizeof(TWO) - 1, 2);
	hark_cors_cache_put(HARK_CORS_PROJECT, "pr_2", 100, TWO, sizeof(TWO) - 1, 2);
	/* The process that changed a list sees the change at once. */
	hark_cors_cache_forget(HARK_CORS_PROJECT, "pr_1");
	ck_assert_int_eq(cached_allows(HARK_CORS_PROJECT, "pr_1", 100,
	    "https://a.example.com"), -1);
	ck_assert_int_eq(cached_allows(HARK_CORS_PROJECT, "pr_2", 100,
	    "https://a.example.com"), 1);
	/* A list too long for the cache is not kept, and drops the old one. */
	memset(big, 'a', sizeof(big) - 1);
	hark_cors_cache_put(HARK_CORS_PROJECT, "pr_2", 100, big, sizeof(big), 1);
	ck_assert_int_eq(cached_allows(HARK_CORS_PROJECT, "pr_2", 100,
	    "https://a.example.com"), -1);
	/* An owner id too long to key an entry is never cached. */
	memset(big, 'p', 100);
	big[100] = '\0';
	hark_cors_cache_put(HARK_CORS_PROJECT, big, 100, TWO, sizeof(TWO) - 1, 2);
	ck_assert_int_eq(cached_allows(HARK_CORS_PROJECT, big, 100,
	    "https://a.example.com"), -1);
	hark_cors_cache_forget(HARK_CORS_PROJECT, NULL);
}
END_TEST

START_TEST(cors_issue15_wildcard_rules)
{
	ck_assert(ALLOWED("https://app.example.com", "https://*.example.com"));
	ck_assert(!ALLOWED("https://example.com", "https://*.example.com"));
	ck_assert(ALLOWED("https://example.com", "https://*.example.com",
	    "https://example.com"));
	ck_assert(!ALLOWED("https://evil-example.com", "https://*.example.com"));
	ck_assert(!ALLOWED("https://example.com.attacker.io",
	    "https://*.example.com"));
	ck_assert(!ALLOWED("https://evil.example.com.attacker.io",
	    "https://*.example.com"));
	ck_assert(!ALLOWED("http://app.example.com", "https://*.example.com"));
	ck_assert(!ALLOWED("https://app.example.com:444", "https://*.example.com"));
}
END_TEST

/* Upper case is folded; a raw IDN is refused, its xn-- form is a host. */
START_TEST(cors_idn_and_case)
{
	char	 out[HARK_CORS_PATTERN_SIZE];

	/* "\xc3\xbc" "cher": an escape would swallow the hex letters after. */
#define UUML	"\xc3\xbc"

	ck_assert(ALLOWED("https://APP.Example.COM", "https://*.example.com"));
	ck_assert(!hark_cors_origin_valid("https://b" UUML "cher.example"));
	ck_assert(!hark_cors_pattern_valid("https://b" UUML "cher.example"));
	ck_assert(!hark_cors_source_pattern("https://*.b" UUML "cher.example",
	    out, sizeof(out)));
	ck_assert(!ALLOWED("https://b" UUML "cher.example",
	    "https://b" UUML "cher.example"));
	ck_assert(ALLOWED("https://xn--bcher-kva.example",
	    "https://XN--BCHER-KVA.example"));
	/* Latin-1 bytes that some locales call letters. */
	ck_assert(!hark_cors_origin_valid("https://caf\xe9.example"));
#undef UUML
}
END_TEST

START_TEST(cors_source_pattern_canonical)
{
	static const struct { const char *in, *out; } ok[] = {
		{ "https://app.example.com", "https://app.example.com" },
		{ "HTTPS://App.Example.COM/", "https://app.example.com" },
		{ "https://app.example.com:443", "https://app.example.com" },
		{ "http://127.0.0.1:8080", "http://127.0.0.1:8080" },
		{ "http://localhost:8080", "http://localhost:8080" },
		{ "https://*.example.com", "https://*.example.com" },
		{ "https://*.Example.com:8443", "https://*.example.com:8443" },
		{ "http://[::1]:8080", "http://[::1]:8080" },
		{ "capacitor://localhost", "capacitor://localhost" },
	};
	static const char *const bad[] = { "*", "*.example.com",
	    "app.example.com", "localhost:3000", "https://*.com", "https://*",
	    "https://a.*.example.com", "https://*example.com",
	    "https://app.example.com/path", "https://u@app.example.com",
	    "https://app.example.com:0", "https://app.example.com:65536",
	    "https://app.example.com.", "ftp//app.example.com", "",
	    "https://app example.com", "https://*.0.0.1", "null" };
	char	 out[HARK_CORS_PATTERN_SIZE];
	size_t	 i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ck_assert_msg(hark_cors_source_pattern(ok[i].in, out,
		    sizeof(out)), "%s", ok[i].in);
		ck_assert_str_eq(out, ok[i].out);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!hark_cors_source_pattern(bad[i], out,
		    sizeof(out)), "%s", bad[i]);
	ck_assert(!hark_cors_source_pattern("https://app.example.com", out, 10));
}
END_TEST

/* What is stored matches exactly what the pattern typed would have. */
START_TEST(cors_source_pattern_matches_as_typed)
{
	char	 out[HARK_CORS_PATTERN_SIZE];
	const char *const o = out;

	ck_assert(hark_cors_source_pattern("HTTPS://*.Example.com:443/", out,
	    sizeof(out)));
	ck_assert(hark_cors_origin_allowed("https://a.example.com", &o, 1));
	ck_assert(!hark_cors_origin_allowed("https://a.example.com:8443", &o, 1));
	ck_assert(!hark_cors_origin_allowed("https://example.com", &o, 1));
}
END_TEST

START_TEST(cors_star_allows_any_wellformed_origin)
{
	ck_assert(ALLOWED("https://anything.test", "*"));
	ck_assert(ALLOWED("http://127.0.0.1:8080", "*"));
	ck_assert(!ALLOWED("null", "*"));
	ck_assert(!ALLOWED("https://anything.test/path", "*"));
}
END_TEST

START_TEST(cors_refuses_null_origin)
{
	ck_assert(!ALLOWED("null", "*.example.com", "null"));
	ck_assert(!ALLOWED("", "*"));
	ck_assert(!ALLOWED(NULL, "*"));
	ck_assert(!hark_cors_origin_valid("null"));
}
END_TEST

START_TEST(cors_refuses_trailing_dots)
{
	ck_assert(!ALLOWED("https://app.example.com.", "https://app.example.com"));
	ck_assert(!ALLOWED("https://a.example.com.", "*.example.com"));
	ck_assert(!ALLOWED("https://a..example.com", "*.example.com"));
	ck_assert(!ALLOWED("https://.example.com", "*.example.com"));
	ck_assert(!hark_cors_pattern_valid("*.example.com."));
}
END_TEST

START_TEST(cors_refuses_paths_userinfo_and_junk)
{
	ck_assert(!ALLOWED("https://app.example.com/", "*"));
	ck_assert(!ALLOWED("https://app.example.com/x", "*.example.com"));
	ck_assert(!ALLOWED("https://user@app.example.com", "*.example.com"));
	ck_assert(!ALLOWED("https://evil.test@app.example.com", "*.example.com"));
	ck_assert(!ALLOWED("https://app.example.com?x", "*.example.com"));
	ck_assert(!ALLOWED("https://app.example.com#x", "*.example.com"));
	ck_assert(!ALLOWED("https://app.example.com:", "*.example.com"));
	ck_assert(!ALLOWED("https://app.example.com:99999", "*.example.com"));
	ck_assert(!ALLOWED("https://app example.com", "*.example.com"));
	ck_assert(!ALLOWED("app.example.com", "*.example.com"));
	ck_assert(!ALLOWED("https://", "*"));
}
END_TEST

START_TEST(cors_matches_ip_literals_exactly)
{
	ck_assert(ALLOWED("http://127.0.0.1:8080", "http://127.0.0.1:8080"));
	ck_assert(ALLOWED("http://[::1]:8080", "http://[::1]:8080"));
	ck_assert(!ALLOWED("http://127.0.0.1", "*.0.0.1"));
	ck_assert(!hark_cors_pattern_valid("*.0.0.1"));
}
END_TEST

START_TEST(cors_malformed_patterns_match_nothing)
{
	const char	*bad[] = { "a.*.example.com", "*example.com", "https://*",
	    "*.", "", "https://app.example.com/path", "**.example.com",
	    "https://u@app.example.com" };
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(!hark_cors_pattern_valid(bad[i]), "%s", bad[i]);
		ck_assert_msg(!hark_cors_origin_allowed("https://app.example.com",
		    &bad[i], 1), "%s", bad[i]);
	}
	ck_assert(hark_cors_pattern_valid("https://app.example.com/"));
	/* A bare word names no site, unless it comes with a scheme. */
	ck_assert(!hark_cors_pattern_valid("notaurl"));
	ck_assert(!ALLOWED("https://notaurl", "notaurl"));	/* nor matches */
	ck_assert(hark_cors_pattern_valid("localhost:3000"));
	ck_assert(hark_cors_pattern_valid("http://intranet"));
	ck_assert(hark_cors_pattern_valid("app.example.com"));
	ck_assert(ALLOWED("https://app.example.com", "https://app.example.com/"));
}
END_TEST

START_TEST(cors_preflight_echoes_allowed_origin)
{
	const char			*pats[] = { "*.example.com" };
	const char			*origin = "https://App.example.com";
	struct hark_cors_preflight	 p;

	ck_assert(hark_cors_preflight(origin, pats, 1, &p));
	ck_assert_str_eq(p.allow_origin, origin);
	ck_assert_str_eq(p.allow_methods, "GET, POST, PATCH, DELETE, OPTIONS");
	ck_assert_ptr_nonnull(strstr(p.allow_headers, "x-earshot-key"));
	ck_assert_ptr_nonnull(strstr(p.allow_headers, "authorization"));
	ck_assert_str_eq(p.vary, "Origin");
}
END_TEST

START_TEST(cors_preflight_refused_has_no_origin)
{
	const char			*pats[] = { "*.example.com" };
	struct hark_cors_preflight	 p;

	ck_assert(!hark_cors_preflight("https://evil.test", pats, 1, &p));
	ck_assert_ptr_null(p.allow_origin);
	ck_assert_str_eq(p.vary, "Origin");
}
END_TEST

static Suite *
security_suite(void)
{
	Suite	*s = suite_create("security");
	TCase	*ids = tcase_create("ids");
	TCase	*keys = tcase_create("keys");
	TCase	*cors = tcase_create("cors");

	tcase_add_test(ids, id_has_prefix_and_length);
	tcase_add_test(ids, ids_are_unique);
	tcase_add_test(ids, id_body_uses_whole_alphabet);
	tcase_add_test(ids, id_new_refuses_malformed_prefix);
	tcase_add_test(ids, id_new_refuses_short_buffer);
	tcase_add_test(ids, id_derive_is_sha256_of_both);
	tcase_add_test(ids, id_valid_rejects_wrong_prefix);
	tcase_add_test(ids, id_valid_rejects_wrong_length);
	tcase_add_test(ids, id_valid_rejects_bad_characters);
	tcase_add_test(ids, id_valid_rejects_path_tricks);
	tcase_add_test(ids, id_valid_rejects_empty_and_null);
	tcase_add_test(ids, uuid7_has_canonical_format);
	tcase_add_test(ids, uuid7_has_version_and_variant);
	tcase_add_test(ids, uuid7_carries_current_milliseconds);
	tcase_add_test(ids, uuid7_sorts_in_creation_order);
	tcase_add_test(ids, rfc3339_is_utc_whole_seconds);
	tcase_add_test(ids, rfc3339_refuses_short_buffer);
	suite_add_tcase(s, ids);

	tcase_add_test(keys, secret_key_has_format);
	tcase_add_test(keys, public_key_has_format);
	tcase_add_test(keys, new_key_refuses_short_buffer);
	tcase_add_test(keys, looks_secret_rejects_malformed);
	tcase_add_test(keys, key_hash_is_sha256);
	tcase_add_test(keys, hash_equal_compares_every_byte);
	tcase_add_test(keys, display_prefix_shows_ten_characters);
	tcase_add_test(keys, hmac_matches_rfc4231_case_2);
	tcase_add_test(keys, hmac_accepts_empty_key_and_message);
	tcase_add_test(keys, ct_equal_compares_bytes);
	tcase_add_test(keys, b64url_round_trips_every_length);
	tcase_add_test(keys, b64url_uses_url_alphabet);
	tcase_add_test(keys, b64url_decode_rejects_noncanonical);
	tcase_add_test(keys, b64url_refuses_short_buffers);
	tcase_add_test(keys, hex_encodes_lower_case);
	suite_add_tcase(s, keys);

	tcase_add_test(cors, cors_allows_exact_origin);
	tcase_add_test(cors, cors_pattern_scheme_must_match);
	tcase_add_test(cors, cors_wildcard_matches_subdomains_at_any_depth);
	tcase_add_test(cors, cors_wildcard_refuses_apex_and_lookalikes);
	tcase_add_test(cors, cors_schemeless_pattern_allows_only_web_schemes);
	tcase_add_test(cors, cors_ignores_case);
	tcase_add_test(cors, cors_pattern_port_must_match);
	tcase_add_test(cors, cors_schemeless_portless_pattern_allows_any_port);
	tcase_add_test(cors, cors_pattern_with_scheme_means_default_port);
	tcase_add_test(cors, cors_issue15_wildcard_rules);
	tcase_add_test(cors, cors_cache_keeps_a_list_for_the_ttl);
	tcase_add_test(cors, cors_cache_still_refuses_other_origins);
	tcase_add_test(cors, cors_cache_keeps_owners_and_kinds_apart);
	tcase_add_test(cors, cors_cache_forget_and_limits);
	tcase_add_test(cors, cors_idn_and_case);
	tcase_add_test(cors, cors_source_pattern_canonical);
	tcase_add_test(cors, cors_source_pattern_matches_as_typed);
	tcase_add_test(cors, cors_star_allows_any_wellformed_origin);
	tcase_add_test(cors, cors_refuses_null_origin);
	tcase_add_test(cors, cors_refuses_trailing_dots);
	tcase_add_test(cors, cors_refuses_paths_userinfo_and_junk);
	tcase_add_test(cors, cors_matches_ip_literals_exactly);
	tcase_add_test(cors, cors_malformed_patterns_match_nothing);
	tcase_add_test(cors, cors_preflight_echoes_allowed_origin);
	tcase_add_test(cors, cors_preflight_refused_has_no_origin);
	suite_add_tcase(s, cors);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(security_suite());
	int	 nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
