/* test_uuid.c: lib/uuid, the check and the canonical case of a client's UUID. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "json.h"
#include "uuid.h"

static const char *const good[] = {
	"0190a6b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b",	/* v7 */
	"0190A6B2-7C3D-7E4F-BA9B-0C1D2E3F4A5B",	/* v7, upper case */
	"0190a6b2-7C3D-7e4f-Ba9b-0c1d2E3F4a5b",	/* mixed case */
	"123e4567-e89b-12d3-a456-426614174000",	/* v1 */
	"f47ac10b-58cc-4372-9567-0e02b2c3d479",	/* v4 */
	"1ec9414c-232a-6b00-b3c8-9e6bdeced846",	/* v6 */
	"320c3d4d-cc00-875b-8ec9-32d5f69181c0",	/* v8 */
	NULL
};

static const char *const bad[] = {
	"00000000-0000-0000-0000-000000000000",	/* Nil */
	"ffffffff-ffff-ffff-ffff-ffffffffffff",	/* Max */
	"0190a6b2-7c3d-0e4f-8a9b-0c1d2e3f4a5b",	/* version 0 */
	"0190a6b2-7c3d-9e4f-8a9b-0c1d2e3f4a5b",	/* version 9 */
	"0190a6b2-7c3d-7e4f-ca9b-0c1d2e3f4a5b",	/* variant 110 (Microsoft) */
	"0190a6b2-7c3d-7e4f-7a9b-0c1d2e3f4a5b",	/* variant 0 (NCS) */
	"0190a6b27c3d7e4f8a9b0c1d2e3f4a5b",	/* no dashes */
	"{0190a6b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b}",	/* braces */
	"urn:uuid:0190a6b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b",
	"0190a6b2-7c3d-7e4f-8a9b-0c1d2e3f4a5g",	/* not hex */
	"0190a6b2-7c3d-7e4f-8a9b-0c1d2e3f4a5",	/* one short */
	"0190a6b2-7c3d-7e4f-8a9b-0c1d2e3f4a5bb",	/* one long */
	"0190a6b27-c3d-7e4f-8a9b-0c1d2e3f4a5b",	/* dash moved */
	" 0190a6b2-7c3d-7e4f-8a9b-0c1d2e3f4a5",	/* leading space */
	"not-a-uuid",
	"",
	NULL
};

START_TEST(valid_is_rfc9562)
{
	size_t	 i;

	for (i = 0; good[i] != NULL; i++)
		ck_assert_msg(hark_uuid_valid(good[i], strlen(good[i])),
		    "rejected %s", good[i]);
	for (i = 0; bad[i] != NULL; i++)
		ck_assert_msg(!hark_uuid_valid(bad[i], strlen(bad[i])),
		    "accepted %s", bad[i]);
	ck_assert(!hark_uuid_valid(NULL, 0));
}
END_TEST

/* One definition: a path segment and a JSON member are judged alike. */
START_TEST(valid_agrees_with_the_json_check)
{
	size_t	 i;

	for (i = 0; good[i] != NULL; i++)
		ck_assert(hark_json_is_rfc9562_uuid(good[i], strlen(good[i])));
	for (i = 0; bad[i] != NULL; i++)
		ck_assert(!hark_json_is_rfc9562_uuid(bad[i], strlen(bad[i])));
}
END_TEST

START_TEST(a_nul_byte_inside_is_refused)
{
	static const char	 s[] = "0190a6b2-7c3d-7e4f-8a9b-0c1d2e3f4a5\0";

	ck_assert(!hark_uuid_valid(s, 36));
}
END_TEST

START_TEST(canon_lowers_the_case)
{
	char	 out[HARK_UUID_LEN + 1];

	ck_assert(hark_uuid_canon(good[1], strlen(good[1]), out));
	ck_assert_str_eq(out, "0190a6b2-7c3d-7e4f-ba9b-0c1d2e3f4a5b");
	ck_assert(hark_uuid_canon(good[2], strlen(good[2]), out));
	ck_assert_str_eq(out, "0190a6b2-7c3d-7e4f-ba9b-0c1d2e3f4a5b");
	ck_assert(hark_uuid_canon(good[0], strlen(good[0]), out));
	ck_assert_str_eq(out, good[0]);
}
END_TEST

START_TEST(canon_refuses_and_empties)
{
	char	 out[HARK_UUID_LEN + 1];
	size_t	 i;

	for (i = 0; bad[i] != NULL; i++) {
		memset(out, 'x', sizeof(out));
		ck_assert(!hark_uuid_canon(bad[i], strlen(bad[i]), out));
		ck_assert_str_eq(out, "");
	}
}
END_TEST

/* What hark makes itself passes its own check. */
START_TEST(our_uuid7_is_valid)
{
	char	 u[HARK_UUID_LEN + 1];
	int	 i;

	for (i = 0; i < 100; i++) {
		ck_assert_int_eq(hark_uuid7(u), 0);
		ck_assert_msg(hark_uuid_valid(u, strlen(u)), "rejected %s", u);
	}
}
END_TEST

static Suite *
uuid_suite(void)
{
	Suite	*s = suite_create("uuid");
	TCase	*tc = tcase_create("uuid");

	tcase_add_test(tc, valid_is_rfc9562);
	tcase_add_test(tc, valid_agrees_with_the_json_check);
	tcase_add_test(tc, a_nul_byte_inside_is_refused);
	tcase_add_test(tc, canon_lowers_the_case);
	tcase_add_test(tc, canon_refuses_and_empties);
	tcase_add_test(tc, our_uuid7_is_valid);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(uuid_suite());
	int	 nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
