/* test_webhook.c: Standard Webhooks secrets (whsec_), signatures against known answers, event lists and endpoint URLs. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "webhook.h"

/*
 * The Standard Webhooks libraries' own test vector (their README and
 * test suites): the reference signer gives this signature, and python3's
 * hmac gives it too:
 *   base64(hmac.new(b64decode(SECRET), ID + "." + TS + "." + BODY,
 *       sha256).digest())
 */
#define KAT_SECRET	"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define KAT_ID		"msg_p5jXN8AQM9LWM0D4loKWxJek"
#define KAT_TS		1614265330LL
#define KAT_BODY	"{\"test\": 2432232314}"
#define KAT_SIG		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

/*
 * A second vector of hark's shape, computed with python3 (hmac, hashlib,
 * base64) for this test: 32 bytes 0x00..0x1f, a msg_ id, a feedback body.
 */
#define KAT2_SECRET	"whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define KAT2_ID		"msg_0123456789abcdefghjkmnpqrs"
#define KAT2_TS		1796300000LL
#define KAT2_BODY	"{\"type\":\"feedback.updated\",\"timestamp\":" \
	"\"2026-12-03T16:00:00Z\",\"data\":{\"feedback\":{\"id\":" \
	"\"fb_0123456789abcdefghjkmnpqrs\"}}}"
#define KAT2_SIG	"v1,7nelY7KMqsGbFw55LbEG6dZ95E7HcRluevlqLyFF5K8="

START_TEST(the_reference_vector_signs)
{
	unsigned char	 key[HARK_WEBHOOK_SECRET_MAX];
	char		 sig[HARK_WEBHOOK_SIG_SIZE];
	size_t		 n;

	ck_assert_int_eq(hark_webhook_secret_decode(KAT_SECRET, key,
	    sizeof(key), &n), 0);
	ck_assert_uint_eq(n, 24);
	ck_assert_int_eq(hark_webhook_sign(key, n, KAT_ID, KAT_TS, KAT_BODY,
	    strlen(KAT_BODY), sig, sizeof(sig)), 0);
	ck_assert_str_eq(sig, KAT_SIG);
}
END_TEST

START_TEST(hark_shaped_vector_signs)
{
	unsigned char	 key[HARK_WEBHOOK_SECRET_MAX], want[32];
	char		 sig[HARK_WEBHOOK_SIG_SIZE];
	size_t		 n, i;

	ck_assert_int_eq(hark_webhook_secret_decode(KAT2_SECRET, key,
	    sizeof(key), &n), 0);
	ck_assert_uint_eq(n, 32);
	for (i = 0; i < 32; i++)
		want[i] = (unsigned char)i;
	ck_assert_mem_eq(key, want, 32);
	ck_assert_int_eq(hark_webhook_sign(key, n, KAT2_ID, KAT2_TS,
	    KAT2_BODY, strlen(KAT2_BODY), sig, sizeof(sig)), 0);
	ck_assert_str_eq(sig, KAT2_SIG);
}
END_TEST

START_TEST(one_byte_changed_changes_the_signature)
{
	unsigned char	 key[HARK_WEBHOOK_SECRET_MAX];
	char		 a[HARK_WEBHOOK_SIG_SIZE], b[HARK_WEBHOOK_SIG_SIZE];
	size_t		 n;

	ck_assert_int_eq(hark_webhook_secret_decode(KAT_SECRET, key,
	    sizeof(key), &n), 0);
	ck_assert_int_eq(hark_webhook_sign(key, n, KAT_ID, KAT_TS, KAT_BODY,
	    strlen(KAT_BODY), a, sizeof(a)), 0);
	ck_assert_int_eq(hark_webhook_sign(key, n, KAT_ID, KAT_TS + 1,
	    KAT_BODY, strlen(KAT_BODY), b, sizeof(b)), 0);
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(hark_webhook_sign(key, n, "msg_other", KAT_TS,
	    KAT_BODY, strlen(KAT_BODY), b, sizeof(b)), 0);
	ck_assert_str_ne(a, b);
	key[0] ^= 1;
	ck_assert_int_eq(hark_webhook_sign(key, n, KAT_ID, KAT_TS, KAT_BODY,
	    strlen(KAT_BODY), b, sizeof(b)), 0);
	ck_assert_str_ne(a, b);
	/* Too small a buffer is refused, not cut. */
	ck_assert_int_eq(hark_webhook_sign(key, n, KAT_ID, KAT_TS, KAT_BODY,
	    strlen(KAT_BODY), b, HARK_WEBHOOK_SIG_SIZE - 1), -1);
}
END_TEST

START_TEST(a_new_secret_round_trips)
{
	unsigned char	 key[HARK_WEBHOOK_SECRET_LEN], back[HARK_WEBHOOK_SECRET_MAX];
	unsigned char	 other[HARK_WEBHOOK_SECRET_LEN];
	char		 text[HARK_WEBHOOK_WHSEC_SIZE];
	size_t		 n;

	ck_assert_int_eq(hark_webhook_secret_new(key, sizeof(key)), 0);
	ck_assert_int_eq(hark_webhook_secret_new(other, sizeof(other)), 0);
	ck_assert_mem_ne(key, other, sizeof(key));
	ck_assert_int_eq(hark_webhook_secret_encode(key, sizeof(key), text,
	    sizeof(text)), 0);
	ck_assert_int_eq(strncmp(text, "whsec_", 6), 0);
	ck_assert_uint_eq(strlen(text), 6 + 44);
	ck_assert_int_eq(hark_webhook_secret_decode(text, back, sizeof(back),
	    &n), 0);
	ck_assert_uint_eq(n, sizeof(key));
	ck_assert_mem_eq(back, key, n);
	/* Without the prefix too, as the libraries take it. */
	ck_assert_int_eq(hark_webhook_secret_decode(text + 6, back,
	    sizeof(back), &n), 0);
	ck_assert_mem_eq(back, key, n);
	/* The encoder refuses a buffer one byte short. */
	ck_assert_int_eq(hark_webhook_secret_encode(key, sizeof(key), text,
	    6 + 44), -1);
	/* And a key outside 24..64 bytes. */
	ck_assert_int_eq(hark_webhook_secret_encode(key, 16, text,
	    sizeof(text)), -1);
}
END_TEST

START_TEST(bad_secrets_are_refused)
{
	static const char *const bad[] = {
		"", "whsec_", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS",	/* not x4 */
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa-w",	/* base64url */
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa w",	/* a space */
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2La=aSw",	/* '=' inside */
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2La",		/* 21 bytes */
		"whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRY=",	/* 23 bytes */
		NULL
	};
	unsigned char	 key[HARK_WEBHOOK_SECRET_MAX];
	size_t		 i, n;

	for (i = 0; bad[i] != NULL; i++)
		ck_assert_msg(hark_webhook_secret_decode(bad[i], key,
		    sizeof(key), &n) == -1, "accepted %s", bad[i]);
	/* A good one that does not fit the caller's buffer. */
	ck_assert_int_eq(hark_webhook_secret_decode(KAT_SECRET, key, 23, &n),
	    -1);
}
END_TEST

START_TEST(event_lists_parse)
{
	char	 out[HARK_WEBHOOK_EVENTS_SIZE], err[256];

	ck_assert_int_eq(hark_webhook_events_parse("comment.created,"
	    "feedback.created,comment.created", out, sizeof(out), err,
	    sizeof(err)), 0);
	ck_assert_str_eq(out, "feedback.created,comment.created");
	ck_assert_int_eq(hark_webhook_events_parse("feedback.created,"
	    "feedback.updated,feedback.resolved,comment.created", out,
	    sizeof(out), err, sizeof(err)), 0);
	ck_assert_str_eq(out, "feedback.created,feedback.updated,"
	    "feedback.resolved,comment.created");
	ck_assert_int_eq(hark_webhook_events_parse("feedback.triaged", out,
	    sizeof(out), err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "feedback.triaged"));
	ck_assert_int_eq(hark_webhook_events_parse("feedback.created,", out,
	    sizeof(out), err, sizeof(err)), -1);
	ck_assert_int_eq(hark_webhook_events_parse("", out, sizeof(out), err,
	    sizeof(err)), -1);
	ck_assert_int_eq(hark_webhook_events_parse("Feedback.Created", out,
	    sizeof(out), err, sizeof(err)), -1);
	ck_assert(hark_webhook_event_valid("comment.created"));
	ck_assert(!hark_webhook_event_valid("feedback.triaged"));
	ck_assert(!hark_webhook_event_valid(NULL));
}
END_TEST

START_TEST(endpoint_urls_are_checked)
{
	static const char *const good[] = {
		"https://hooks.example.com/hark", "http://127.0.0.1:8080/in",
		"https://[::1]:9000/x?y=1", "HTTPS://Example.COM", NULL
	};
	static const char *const bad[] = {
		"", "example.com/hook", "ftp://example.com/x", "file:///etc/passwd",
		"https://", "http:///path", "https://exa mple.com/",
		"https://example.com/\n", "javascript:alert(1)",
		"gopher://example.com/", NULL
	};
	char	 err[256], *longurl;
	size_t	 i;

	for (i = 0; good[i] != NULL; i++)
		ck_assert_msg(hark_webhook_url_check(good[i], err,
		    sizeof(err)) == 0, "refused %s: %s", good[i], err);
	for (i = 0; bad[i] != NULL; i++)
		ck_assert_msg(hark_webhook_url_check(bad[i], err,
		    sizeof(err)) == -1, "accepted %s", bad[i]);
	ck_assert_int_eq(hark_webhook_url_check("ftp://example.com/x", err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "http or https"));
	longurl = malloc(HARK_WEBHOOK_URL_MAX + 2);
	ck_assert_ptr_nonnull(longurl);
	memcpy(longurl, "https://example.com/", 20);
	memset(longurl + 20, 'a', HARK_WEBHOOK_URL_MAX + 1 - 20);
	longurl[HARK_WEBHOOK_URL_MAX + 1] = '\0';
	ck_assert_int_eq(hark_webhook_url_check(longurl, err, sizeof(err)), -1);
	longurl[HARK_WEBHOOK_URL_MAX] = '\0';
	ck_assert_int_eq(hark_webhook_url_check(longurl, err, sizeof(err)), 0);
	free(longurl);
}
END_TEST

static Suite *
webhook_suite(void)
{
	Suite	*s = suite_create("webhook");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, the_reference_vector_signs);
	tcase_add_test(tc, hark_shaped_vector_signs);
	tcase_add_test(tc, one_byte_changed_changes_the_signature);
	tcase_add_test(tc, a_new_secret_round_trips);
	tcase_add_test(tc, bad_secrets_are_refused);
	tcase_add_test(tc, event_lists_parse);
	tcase_add_test(tc, endpoint_urls_are_checked);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(webhook_suite());
	int	 nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
