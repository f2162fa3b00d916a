/* test_token.c: widget tokens: sign, verify, every way a token goes bad, rotation, secret files. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keys.h"
#include "token.h"

#define SRC	"src_0123456789abcdefghjkmnpqrs"
#define SRC2	"src_zzzzzzzzzzzzzzzzzzzzzzzzzz"
#define ORIGIN	"https://shop.example.com"
#define NOW	1764750000LL

static void
keys(struct hark_token_keys *k, const char *cur, const char *prev)
{
	memset(k, 0, sizeof(*k));
	k->cur_len = strlen(cur);
	memcpy(k->cur, cur, k->cur_len);
	if (prev != NULL) {
		k->prev_len = strlen(prev);
		memcpy(k->prev, prev, k->prev_len);
	}
}

#define SECRET_A	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SECRET_B	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static void
signed_token(const struct hark_token_keys *k, const char *origin, char *t)
{
	ck_assert_int_eq(hark_token_sign(k, SRC, origin, NOW, 1800, t,
	    HARK_TOKEN_MAX, NULL), 0);
}

START_TEST(a_signed_token_verifies)
{
	struct hark_token_keys		 k;
	struct hark_token_claims	 c;
	char				 t[HARK_TOKEN_MAX];

	keys(&k, SECRET_A, NULL);
	signed_token(&k, ORIGIN, t);
	ck_assert_msg(strncmp(t, "eyJ", 3) == 0, "claims are JSON: %s", t);
	ck_assert_ptr_nonnull(strchr(t, '.'));
	ck_assert_int_eq(hark_token_verify(&k, t, SRC, ORIGIN, NOW + 10, &c),
	    HARK_TOKEN_OK);
	ck_assert_str_eq(c.source_id, SRC);
	ck_assert_str_eq(c.origin, ORIGIN);
	ck_assert_int_eq(c.iat, NOW);
	ck_assert_int_eq(c.exp, NOW + 1800);
}
END_TEST

START_TEST(two_tokens_differ_by_their_nonce)
{
	struct hark_token_keys	 k;
	char			 a[HARK_TOKEN_MAX], b[HARK_TOKEN_MAX];

	keys(&k, SECRET_A, NULL);
	signed_token(&k, ORIGIN, a);
	signed_token(&k, ORIGIN, b);
	ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(every_flipped_byte_is_refused)
{
	struct hark_token_keys	 k;
	char			 t[HARK_TOKEN_MAX], bad[HARK_TOKEN_MAX];
	size_t			 i, n;
	enum hark_token_rc	 rc;

	keys(&k, SECRET_A, NULL);
	signed_token(&k, ORIGIN, t);
	n = strlen(t);
	for (i = 0; i < n; i++) {
		memcpy(bad, t, n + 1);
		if (bad[i] == '.')
			continue;
		bad[i] = bad[i] == 'A' ? 'B' : 'A';
		rc = hark_token_verify(&k, bad, SRC, ORIGIN, NOW, NULL);
		ck_assert_msg(rc == HARK_TOKEN_BAD_SIGNATURE ||
		    rc == HARK_TOKEN_MALFORMED, "byte %zu: %d", i, rc);
	}
}
END_TEST

START_TEST(expiry_source_and_origin_are_bound)
{
	struct hark_token_keys	 k;
	char			 t[HARK_TOKEN_MAX];

	keys(&k, SECRET_A, NULL);
	signed_token(&k, ORIGIN, t);
	ck_assert_int_eq(hark_token_verify(&k, t, SRC, ORIGIN, NOW + 1799,
	    NULL), HARK_TOKEN_OK);
	ck_assert_int_eq(hark_token_verify(&k, t, SRC, ORIGIN, NOW + 1800,
	    NULL), HARK_TOKEN_EXPIRED);
	ck_assert_int_eq(hark_token_verify(&k, t, SRC2, ORIGIN, NOW, NULL),
	    HARK_TOKEN_WRONG_SOURCE);
	ck_assert_int_eq(hark_token_verify(&k, t, SRC, "https://evil.example",
	    NOW, NULL), HARK_TOKEN_WRONG_ORIGIN);
	ck_assert_int_eq(hark_token_verify(&k, t, SRC, NULL, NOW, NULL),
	    HARK_TOKEN_WRONG_ORIGIN);
}
END_TEST

START_TEST(a_token_without_origin_is_only_good_without_one)
{
	struct hark_token_keys	 k;
	char			 t[HARK_TOKEN_MAX];

	keys(&k, SECRET_A, NULL);
	signed_token(&k, NULL, t);
	ck_assert_int_eq(hark_token_verify(&k, t, SRC, "", NOW, NULL),
	    HARK_TOKEN_OK);
	ck_assert_int_eq(hark_token_verify(&k, t, SRC, ORIGIN, NOW, NULL),
	    HARK_TOKEN_WRONG_ORIGIN);
}
END_TEST

START_TEST(rotation_keeps_the_previous_secret_good)
{
	struct hark_token_keys	 old, rotated, retired;
	char			 t[HARK_TOKEN_MAX];

	keys(&old, SECRET_A, NULL);
	signed_token(&old, ORIGIN, t);
	keys(&rotated, SECRET_B, SECRET_A);
	ck_assert_int_eq(hark_token_verify(&rotated, t, SRC, ORIGIN, NOW, NULL),
	    HARK_TOKEN_OK);
	keys(&retired, SECRET_B, NULL);
	ck_assert_int_eq(hark_token_verify(&retired, t, SRC, ORIGIN, NOW, NULL),
	    HARK_TOKEN_BAD_SIGNATURE);
	/* A new token is signed with the new secret only. */
	signed_token(&rotated, ORIGIN, t);
	ck_assert_int_eq(hark_token_verify(&retired, t, SRC, ORIGIN, NOW, NULL),
	    HARK_TOKEN_OK);
}
END_TEST

START_TEST(junk_is_malformed)
{
	struct hark_token_keys	 k;
	const char		*junk[] = { "", ".", "abc", "abc.", ".abc",
				    "eyJ.!!!", "a.b.c", "eyJ9.AAAA" };
	char			 longt[HARK_TOKEN_MAX + 10];
	size_t			 i;
	enum hark_token_rc	 rc;

	keys(&k, SECRET_A, NULL);
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		rc = hark_token_verify(&k, junk[i], SRC, ORIGIN, NOW, NULL);
		ck_assert_msg(rc == HARK_TOKEN_MALFORMED ||
		    rc == HARK_TOKEN_BAD_SIGNATURE, "%s: %d", junk[i], rc);
	}
	ck_assert_int_eq(hark_token_verify(&k, NULL, SRC, ORIGIN, NOW, NULL),
	    HARK_TOKEN_MALFORMED);
	memset(longt, 'A', sizeof(longt) - 1);
	longt[sizeof(longt) - 1] = '\0';
	ck_assert_int_eq(hark_token_verify(&k, longt, SRC, ORIGIN, NOW, NULL),
	    HARK_TOKEN_MALFORMED);
}
END_TEST

/* Claims signed with the right key but not ours in shape are refused. */
START_TEST(well_signed_junk_claims_are_malformed)
{
	struct hark_token_keys	 k;
	const char		*claims[] = { "[]", "{\"v\":2,\"src\":\"" SRC
				    "\",\"org\":\"\",\"iat\":1,\"exp\":9999999999}",
				    "{\"v\":1,\"src\":5,\"org\":\"\",\"iat\":1,"
				    "\"exp\":9999999999}", "not json" };
	unsigned char		 tag[HARK_HMAC_LEN];
	char			 t[HARK_TOKEN_MAX];
	size_t			 i, pos;

	keys(&k, SECRET_A, NULL);
	for (i = 0; i < sizeof(claims) / sizeof(claims[0]); i++) {
		ck_assert_int_eq(hark_b64url_encode(claims[i], strlen(claims[i]),
		    t, sizeof(t)), 0);
		pos = strlen(t);
		ck_assert_int_eq(hark_hmac_sha256(k.cur, k.cur_len, t, pos,
		    tag), 0);
		t[pos++] = '.';
		ck_assert_int_eq(hark_b64url_encode(tag, sizeof(tag), t + pos,
		    sizeof(t) - pos), 0);
		ck_assert_int_eq(hark_token_verify(&k, t, SRC, "", 2, NULL),
		    HARK_TOKEN_MALFORMED);
	}
}
END_TEST

START_TEST(signing_needs_a_secret_and_a_plain_origin)
{
	struct hark_token_keys	 k;
	char			 t[HARK_TOKEN_MAX];

	memset(&k, 0, sizeof(k));
	ck_assert_int_eq(hark_token_sign(&k, SRC, ORIGIN, NOW, 60, t,
	    sizeof(t), NULL), -1);
	ck_assert_int_eq(hark_token_verify(&k, "a.b", SRC, ORIGIN, NOW, NULL),
	    HARK_TOKEN_NO_SECRET);
	keys(&k, SECRET_A, NULL);
	ck_assert_int_eq(hark_token_sign(&k, SRC, "https://a\".example", NOW,
	    60, t, sizeof(t), NULL), -1);
	ck_assert_int_eq(hark_token_sign(&k, "prj_x", ORIGIN, NOW, 60, t,
	    sizeof(t), NULL), -1);
	ck_assert_int_eq(hark_token_sign(&k, SRC, ORIGIN, NOW, 60, t, 20,
	    NULL), -1);
}
END_TEST

static void
write_file(const char *path, const char *s)
{
	FILE	*f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(s, f);
	fclose(f);
}

START_TEST(secret_files_load_without_their_newline)
{
	struct hark_token_keys	 k, direct;
	char			 dir[] = "/tmp/hark-token-XXXXXX", cur[64], prev[64];
	char			 err[256], t[HARK_TOKEN_MAX];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cur, sizeof(cur), "%s/cur", dir);
	snprintf(prev, sizeof(prev), "%s/prev", dir);
	write_file(cur, SECRET_B "\n");
	write_file(prev, SECRET_A);
	ck_assert_int_eq(hark_token_keys_load(cur, prev, &k, err, sizeof(err)),
	    0);
	ck_assert_uint_eq(k.cur_len, strlen(SECRET_B));
	ck_assert_uint_eq(k.prev_len, strlen(SECRET_A));
	keys(&direct, SECRET_A, NULL);
	signed_token(&direct, ORIGIN, t);
	ck_assert_int_eq(hark_token_verify(&k, t, SRC, ORIGIN, NOW, NULL),
	    HARK_TOKEN_OK);

	write_file(prev, "short");
	ck_assert_int_eq(hark_token_keys_load(cur, prev, &k, err, sizeof(err)),
	    -1);
	ck_assert_msg(strstr(err, "short") == NULL, "no secret in: %s", err);
	ck_assert_uint_eq(k.cur_len, 0);
	unlink(prev);
	/* Before any rotation there is no previous secret: fine. */
	ck_assert_int_eq(hark_token_keys_load(cur, prev, &k, err, sizeof(err)),
	    0);
	ck_assert_uint_eq(k.prev_len, 0);
	unlink(cur);
	ck_assert_int_eq(hark_token_keys_load(cur, prev, &k, err, sizeof(err)),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "cur"));
	write_file(cur, SECRET_B "\n");
	ck_assert_int_eq(hark_token_keys_load(cur, "", &k, err, sizeof(err)),
	    0);
	ck_assert_uint_eq(k.prev_len, 0);
	hark_token_keys_wipe(&k);
	unlink(cur);
	rmdir(dir);
}
END_TEST

static Suite *
token_suite(void)
{
	Suite	*s = suite_create("token");
	TCase	*tc = tcase_create("token");

	tcase_add_test(tc, a_signed_token_verifies);
	tcase_add_test(tc, two_tokens_differ_by_their_nonce);
	tcase_add_test(tc, every_flipped_byte_is_refused);
	tcase_add_test(tc, expiry_source_and_origin_are_bound);
	tcase_add_test(tc, a_token_without_origin_is_only_good_without_one);
	tcase_add_test(tc, rotation_keeps_the_previous_secret_good);
	tcase_add_test(tc, junk_is_malformed);
	tcase_add_test(tc, well_signed_junk_claims_are_malformed);
	tcase_add_test(tc, signing_needs_a_secret_and_a_plain_origin);
	tcase_add_test(tc, secret_files_load_without_their_newline);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(token_suite());
	int	 nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
