/* test_media_read.c: the reading side of media: Range and If-None-Match rules, the row path's shape check, the file body of a response. */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "handlers/handlers.h"
#include "http.h"
#include "media.h"

#define PRJ	"prj_0123456789abcdefghjkmnpqrs"
#define FB	"fb_0123456789abcdefghjkmnpqrs"

static enum hark_range
range(const char *h, unsigned long long len, unsigned long long *a,
    unsigned long long *b)
{
	*a = *b = 777;
	return hark_media_range(h, len, a, b);
}

START_TEST(one_range_in_each_form)
{
	unsigned long long	 a, b;

	ck_assert_int_eq(range("bytes=0-99", 1000, &a, &b), HARK_RANGE_ONE);
	ck_assert_uint_eq(a, 0);
	ck_assert_uint_eq(b, 99);
	ck_assert_int_eq(range("bytes=100-", 1000, &a, &b), HARK_RANGE_ONE);
	ck_assert_uint_eq(a, 100);
	ck_assert_uint_eq(b, 999);
	ck_assert_int_eq(range("bytes=-10", 1000, &a, &b), HARK_RANGE_ONE);
	ck_assert_uint_eq(a, 990);
	ck_assert_uint_eq(b, 999);
	/* Whitespace around the parts, the unit's case (RFC 9110 14.1). */
	ck_assert_int_eq(range(" Bytes = 5-5 ", 1000, &a, &b), HARK_RANGE_ONE);
	ck_assert_uint_eq(a, 5);
	ck_assert_uint_eq(b, 5);
}
END_TEST

START_TEST(ranges_past_the_end_are_cut_or_refused)
{
	unsigned long long	 a, b;

	ck_assert_int_eq(range("bytes=10-5000", 1000, &a, &b), HARK_RANGE_ONE);
	ck_assert_uint_eq(b, 999);
	ck_assert_int_eq(range("bytes=-5000", 1000, &a, &b), HARK_RANGE_ONE);
	ck_assert_uint_eq(a, 0);
	ck_assert_uint_eq(b, 999);
	ck_assert_int_eq(range("bytes=1000-", 1000, &a, &b),
	    HARK_RANGE_UNSATISFIABLE);
	ck_assert_int_eq(range("bytes=1000-2000", 1000, &a, &b),
	    HARK_RANGE_UNSATISFIABLE);
	ck_assert_int_eq(range("bytes=-0", 1000, &a, &b),
	    HARK_RANGE_UNSATISFIABLE);
	ck_assert_int_eq(range("bytes=0-0", 0, &a, &b),
	    HARK_RANGE_UNSATISFIABLE);
}
END_TEST

START_TEST(junk_is_no_range)
{
	static const char *const junk[] = {
		"bytes=5-2", "bytes=x", "bytes=", "bytes", "bytes=-", "bytes=1-x",
		"bytes=1--2", "bytes=--1", "items=0-1", "bytes=0-1,5-6",
		"bytes=0-1, 5-6", "bytes=99999999999999999999-", "bytes=+1-2",
		"bytes=1-2 3", "bytes0-1", "bytes=0x10-"
	};
	unsigned long long	 a, b;
	size_t			 i;

	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		ck_assert_msg(range(junk[i], 1000, &a, &b) == HARK_RANGE_NONE,
		    "%s", junk[i]);
	ck_assert_int_eq(range(NULL, 1000, &a, &b), HARK_RANGE_NONE);
}
END_TEST

START_TEST(if_none_match_lists)
{
	ck_assert(hark_media_etag_listed("\"abc\"", "abc"));
	ck_assert(hark_media_etag_listed("\"x\", \"abc\"", "abc"));
	ck_assert(hark_media_etag_listed("W/\"abc\"", "abc"));
	ck_assert(hark_media_etag_listed("*", "abc"));
	ck_assert(!hark_media_etag_listed("\"abcd\"", "abc"));
	ck_assert(!hark_media_etag_listed("\"ab\"", "abc"));
	ck_assert(!hark_media_etag_listed("abc", "abc"));
	ck_assert(!hark_media_etag_listed("\"abc", "abc"));
	ck_assert(!hark_media_etag_listed("", "abc"));
	ck_assert(!hark_media_etag_listed(NULL, "abc"));
}
END_TEST

START_TEST(row_paths_of_the_writers_shape_only)
{
	ck_assert(hark_media_relpath_valid(PRJ "/2026/12/" FB "-audio.webm"));
	ck_assert(hark_media_relpath_valid(PRJ "/2026/01/" FB "-screenshot.png"));
	ck_assert(!hark_media_relpath_valid("../../etc/passwd"));
	ck_assert(!hark_media_relpath_valid("/" PRJ "/2026/12/" FB "-audio.webm"));
	ck_assert(!hark_media_relpath_valid(PRJ "/2026/12/../" FB "-audio.webm"));
	ck_assert(!hark_media_relpath_valid(PRJ "/2026/13/" FB "-audio.webm"));
	ck_assert(!hark_media_relpath_valid(PRJ "/2026/12/" FB "-audio.png"));
	ck_assert(!hark_media_relpath_valid(PRJ "/2026/12/" FB "-audio.webm/x"));
	ck_assert(!hark_media_relpath_valid(PRJ "/2026/12/x/" FB "-audio.webm"));
	ck_assert(!hark_media_relpath_valid(""));
	ck_assert(!hark_media_relpath_valid(NULL));
	ck_assert_str_eq(hark_media_type_static("audio/webm"), "audio/webm");
	ck_assert_str_eq(hark_media_type_static("image/png"), "image/png");
	ck_assert_ptr_null(hark_media_type_static("text/html"));
	ck_assert_ptr_null(hark_media_type_static("audio/webm\r\nX-A: b"));
}
END_TEST

START_TEST(file_body_is_owned_and_closed)
{
	struct hark_resp	 resp;
	int			 fd;

	hark_resp_init(&resp);
	ck_assert_int_eq(resp.file_fd, -1);
	ck_assert_uint_eq(hark_resp_body_len(&resp), 0);
	fd = open("/dev/null", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	hark_resp_file(&resp, 206, "audio/webm", fd, 10, 90);
	ck_assert_int_eq(resp.status, 206);
	ck_assert_uint_eq(hark_resp_body_len(&resp), 90);
	/* An error after the file was chosen: the file goes, JSON comes. */
	hark_resp_error(&resp, 500, "internal", NULL, "x");
	ck_assert_int_eq(resp.file_fd, -1);
	ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
	ck_assert_uint_eq(hark_resp_body_len(&resp), resp.body.len);
	fd = open("/dev/null", O_RDONLY);
	hark_resp_file(&resp, 200, "audio/webm", fd, 0, 5);
	hark_resp_free(&resp);
	ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
	ck_assert_int_eq(resp.file_fd, -1);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("media_read");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 nf;

	tcase_add_test(tc, one_range_in_each_form);
	tcase_add_test(tc, ranges_past_the_end_are_cut_or_refused);
	tcase_add_test(tc, junk_is_no_range);
	tcase_add_test(tc, if_none_match_lists);
	tcase_add_test(tc, row_paths_of_the_writers_shape_only);
	tcase_add_test(tc, file_body_is_owned_and_closed);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
