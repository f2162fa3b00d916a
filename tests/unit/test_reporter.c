/* test_reporter.c: lib/reporter's reporter (one of email and user id, normalized, hashed) and the erase body's schema. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <json-c/json.h>

#include "handlers/handlers.h"
#include "json.h"
#include "reporter.h"

static enum hark_reporter_check
by_email(struct hark_reporter_id *id, const char *s)
{
	return hark_reporter_make(id, s, strlen(s), NULL, 0);
}

static enum hark_reporter_check
by_user(struct hark_reporter_id *id, const char *s, size_t n)
{
	return hark_reporter_make(id, NULL, 0, s, n);
}

START_TEST(exactly_one)
{
	struct hark_reporter_id	 id;

	ck_assert_int_eq(hark_reporter_make(&id, NULL, 0, NULL, 0),
	    HARK_REPORTER_NEITHER);
	ck_assert_int_eq(hark_reporter_make(&id, "a@example.com", 13, "u", 1),
	    HARK_REPORTER_BOTH);
}
END_TEST

START_TEST(an_address_is_lowered_and_hashed)
{
	struct hark_reporter_id	 a, b;

	ck_assert_int_eq(by_email(&a, "Pat.Doe@Example.COM"), HARK_REPORTER_OK);
	ck_assert_ptr_null(a.r.user_id);
	ck_assert_int_eq(a.r.email_len, 19);
	ck_assert_mem_eq(a.r.email, "pat.doe@example.com", 19);
	/* sha256("email:pat.doe@example.com") */
	ck_assert_str_eq(a.hash,
	    "f3461a5070e7fa2d3616008257714d50a0a761e133442a693925a41ae27e6f63");
	ck_assert_int_eq(by_email(&b, "pat.doe@example.com"), HARK_REPORTER_OK);
	ck_assert_str_eq(a.hash, b.hash);
}
END_TEST

START_TEST(a_bad_address_is_refused)
{
	static const char *const bad[] = {
		"", "pat", "pat@", "@example.com", "pat@localhost",
		"pat doe@example.com", "pat@@example.com", " pat@example.com",
		"pat@example.com ", "pät@example.com", NULL
	};
	struct hark_reporter_id	 id;
	char			 longest[300];
	size_t			 i;

	for (i = 0; bad[i] != NULL; i++)
		ck_assert_msg(by_email(&id, bad[i]) == HARK_REPORTER_BAD_EMAIL,
		    "took %s", bad[i]);
	ck_assert_int_eq(hark_reporter_make(&id, "a@example.com\0x", 15, NULL,
	    0), HARK_REPORTER_BAD_EMAIL);
	memset(longest, 'a', sizeof(longest));
	memcpy(longest + 255 - 12, "@example.com", 13);	/* 255 bytes */
	ck_assert_int_eq(by_email(&id, longest), HARK_REPORTER_BAD_EMAIL);
}
END_TEST

START_TEST(a_user_id_is_kept_as_given)
{
	struct hark_reporter_id	 a, b;
	char			 s[4 * 256 + 1];
	size_t			 i;

	ck_assert_int_eq(by_user(&a, "U-Case", 6), HARK_REPORTER_OK);
	ck_assert_ptr_null(a.r.email);
	ck_assert_mem_eq(a.r.user_id, "U-Case", 6);
	ck_assert_str_eq(a.hash,
	    "027c7a579019bc1c776d97dfd0a6e469939ccf549aa77a5fd7c09e6083ddb3db");
	ck_assert_int_eq(by_user(&b, "u-case", 6), HARK_REPORTER_OK);
	ck_assert_str_ne(a.hash, b.hash);
	/* An address and a user id of the same text are two reporters. */
	ck_assert_int_eq(by_user(&a, "pat.doe@example.com", 19),
	    HARK_REPORTER_OK);
	ck_assert_int_eq(by_email(&b, "pat.doe@example.com"), HARK_REPORTER_OK);
	ck_assert_str_ne(a.hash, b.hash);
	/* 255 characters of 4 bytes each fit; 256 do not. */
	for (i = 0; i < 256; i++)
		memcpy(s + 4 * i, "\xf0\x9f\x98\x80", 4);
	ck_assert_int_eq(by_user(&a, s, 4 * 255), HARK_REPORTER_OK);
	ck_assert_int_eq(by_user(&a, s, 4 * 256), HARK_REPORTER_BAD_USER_ID);
}
END_TEST

START_TEST(a_bad_user_id_is_refused)
{
	struct hark_reporter_id	 id;

	ck_assert_int_eq(by_user(&id, "", 0), HARK_REPORTER_BAD_USER_ID);
	ck_assert_int_eq(by_user(&id, "a\0b", 3), HARK_REPORTER_BAD_USER_ID);
	ck_assert_int_eq(by_user(&id, "\xc3\x28", 2), HARK_REPORTER_BAD_USER_ID);
	ck_assert_int_eq(by_user(&id, "\xed\xa0\x80", 3),
	    HARK_REPORTER_BAD_USER_ID);	/* a surrogate */
}
END_TEST

/* The body POST /v1/reporters/erase declares: each refusal names its field. */
static void
refused(const char *body, const char *field)
{
	struct hark_json_err	 err;
	struct json_object	*o;

	ck_assert_int_eq(hark_json_parse(body, strlen(body), &o, &err), 0);
	ck_assert_msg(hark_json_validate(o, &hark_reporter_erase_body, &err) ==
	    -1, "took %s", body);
	ck_assert_str_eq(err.field, field);
	json_object_put(o);
}

START_TEST(the_erase_body)
{
	struct hark_json_err	 err;
	struct json_object	*o;

	refused("{\"email\": \"pat@\"}", "email");
	refused("{\"email\": 1}", "email");
	refused("{\"email\": null}", "email");
	refused("{\"userId\": \"\"}", "userId");
	refused("{\"userId\": [\"u\"]}", "userId");
	refused("{\"mail\": \"pat@example.com\"}", "mail");
	ck_assert_int_eq(hark_json_parse("{\"userId\": \"u\"}", 15, &o, &err), 0);
	ck_assert_int_eq(hark_json_validate(o, &hark_reporter_erase_body, &err),
	    0);
	json_object_put(o);
}
END_TEST

START_TEST(the_counts)
{
	struct hark_reporter_counts	 c = { .feedback = 3, .media = 2,
		.webhook_deliveries = 1 };
	struct json_object		*o;

	ck_assert_ptr_nonnull(o = hark_reporter_counts_json(&c, 2));
	ck_assert_str_eq(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN), "{\"feedback\":3,\"media\":2,"
	    "\"comments\":0,\"labels\":0,\"sessions\":0,\"jobs\":0,"
	    "\"webhookDeliveries\":1,\"idempotencyKeys\":0,\"files\":2}");
	json_object_put(o);
}
END_TEST

static Suite *
reporter_suite(void)
{
	Suite	*s = suite_create("reporter");
	TCase	*tc = tcase_create("reporter");

	tcase_add_test(tc, exactly_one);
	tcase_add_test(tc, an_address_is_lowered_and_hashed);
	tcase_add_test(tc, a_bad_address_is_refused);
	tcase_add_test(tc, a_user_id_is_kept_as_given);
	tcase_add_test(tc, a_bad_user_id_is_refused);
	tcase_add_test(tc, the_erase_body);
	tcase_add_test(tc, the_counts);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(reporter_suite());
	int	 nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
