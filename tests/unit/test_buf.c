/* test_buf.c: the growable byte buffer: append, printf, growth, steal, reset. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

START_TEST(append_copies_bytes_and_terminates)
{
	struct hark_buf	 b = { 0 };

	ck_assert_int_eq(hark_buf_append(&b, "abc", 3), 0);
	ck_assert_int_eq(hark_buf_append(&b, "defXXX", 3), 0);
	ck_assert_uint_eq(b.len, 6);
	ck_assert_str_eq(b.data, "abcdef");
	hark_buf_free(&b);
}
END_TEST

START_TEST(append_keeps_embedded_nul_bytes)
{
	struct hark_buf	 b = { 0 };

	ck_assert_int_eq(hark_buf_append(&b, "a\0b", 3), 0);
	ck_assert_uint_eq(b.len, 3);
	ck_assert_int_eq(memcmp(b.data, "a\0b\0", 4), 0);
	hark_buf_free(&b);
}
END_TEST

START_TEST(append_of_nothing_gives_empty_string)
{
	struct hark_buf	 b = { 0 };

	ck_assert_int_eq(hark_buf_append(&b, NULL, 0), 0);
	ck_assert_ptr_nonnull(b.data);
	ck_assert_str_eq(b.data, "");
	ck_assert_uint_eq(b.len, 0);
	hark_buf_free(&b);
}
END_TEST

START_TEST(puts_appends_a_string)
{
	struct hark_buf	 b = { 0 };

	ck_assert_int_eq(hark_buf_puts(&b, "hello, "), 0);
	ck_assert_int_eq(hark_buf_puts(&b, "world"), 0);
	ck_assert_str_eq(b.data, "hello, world");
	ck_assert_uint_eq(b.len, 12);
	hark_buf_free(&b);
}
END_TEST

START_TEST(printf_appends_formatted_text)
{
	struct hark_buf	 b = { 0 };

	ck_assert_int_eq(hark_buf_puts(&b, "id="), 0);
	ck_assert_int_eq(hark_buf_printf(&b, "%d/%s", 42, "x"), 0);
	ck_assert_str_eq(b.data, "id=42/x");
	ck_assert_uint_eq(b.len, 7);
	hark_buf_free(&b);
}
END_TEST

START_TEST(printf_grows_past_64_bytes)
{
	struct hark_buf	 b = { 0 };
	char		 want[400];
	size_t		 off = 0;
	int		 i;

	for (i = 0; i < 30; i++) {
		ck_assert_int_eq(hark_buf_printf(&b, "%02d:%s;", i, "abcdefg"),
		    0);
		off += (size_t)snprintf(want + off, sizeof(want) - off,
		    "%02d:%s;", i, "abcdefg");
	}
	ck_assert_uint_eq(b.len, 330);
	ck_assert_uint_gt(b.cap, 330);
	ck_assert_uint_eq(strlen(b.data), 330);
	ck_assert_str_eq(b.data, want);
	hark_buf_free(&b);
}
END_TEST

START_TEST(one_printf_longer_than_initial_capacity)
{
	struct hark_buf	 b = { 0 };
	char		 big[200];

	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(hark_buf_printf(&b, "<%s>", big), 0);
	ck_assert_uint_eq(b.len, 201);
	ck_assert_int_eq(b.data[0], '<');
	ck_assert_int_eq(b.data[200], '>');
	ck_assert_int_eq(b.data[201], '\0');
	hark_buf_free(&b);
}
END_TEST

START_TEST(steal_hands_over_the_bytes_and_empties_the_buffer)
{
	struct hark_buf	 b = { 0 };
	char		*s;

	ck_assert_int_eq(hark_buf_puts(&b, "mine"), 0);
	s = hark_buf_steal(&b);
	ck_assert_str_eq(s, "mine");
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.cap, 0);
	free(s);
}
END_TEST

START_TEST(steal_of_empty_buffer_gives_empty_string)
{
	struct hark_buf	 b = { 0 };
	char		*s;

	s = hark_buf_steal(&b);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

START_TEST(buffer_is_reusable_after_steal)
{
	struct hark_buf	 b = { 0 };
	char		*s;

	ck_assert_int_eq(hark_buf_puts(&b, "first"), 0);
	s = hark_buf_steal(&b);
	ck_assert_int_eq(hark_buf_puts(&b, "second"), 0);
	ck_assert_str_eq(b.data, "second");
	ck_assert_str_eq(s, "first");
	free(s);
	hark_buf_free(&b);
}
END_TEST

START_TEST(reset_empties_but_keeps_capacity)
{
	struct hark_buf	 b = { 0 };
	size_t		 cap;

	ck_assert_int_eq(hark_buf_printf(&b, "%0100d", 7), 0);
	cap = b.cap;
	hark_buf_reset(&b);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(b.data, "");
	ck_assert_uint_eq(b.cap, cap);
	ck_assert_int_eq(hark_buf_puts(&b, "again"), 0);
	ck_assert_str_eq(b.data, "again");
	hark_buf_free(&b);
}
END_TEST

START_TEST(reset_of_unused_buffer_is_harmless)
{
	struct hark_buf	 b = { 0 };

	hark_buf_reset(&b);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
}
END_TEST

START_TEST(free_leaves_buffer_empty_and_reusable)
{
	struct hark_buf	 b = { 0 };

	ck_assert_int_eq(hark_buf_puts(&b, "x"), 0);
	hark_buf_free(&b);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.cap, 0);
	hark_buf_free(&b);
	ck_assert_int_eq(hark_buf_puts(&b, "y"), 0);
	ck_assert_str_eq(b.data, "y");
	hark_buf_free(&b);
}
END_TEST

START_TEST(refuses_append_that_would_overflow_size)
{
	struct hark_buf	 b = { 0 };

	ck_assert_int_eq(hark_buf_puts(&b, "keep"), 0);
	ck_assert_int_eq(hark_buf_append(&b, "", (size_t)-1), -1);
	ck_assert_str_eq(b.data, "keep");
	ck_assert_uint_eq(b.len, 4);
	hark_buf_free(&b);
}
END_TEST

static Suite *
buf_suite(void)
{
	Suite	*s = suite_create("buf");
	TCase	*tc = tcase_create("buf");

	tcase_add_test(tc, append_copies_bytes_and_terminates);
	tcase_add_test(tc, append_keeps_embedded_nul_bytes);
	tcase_add_test(tc, append_of_nothing_gives_empty_string);
	tcase_add_test(tc, puts_appends_a_string);
	tcase_add_test(tc, printf_appends_formatted_text);
	tcase_add_test(tc, printf_grows_past_64_bytes);
	tcase_add_test(tc, one_printf_longer_than_initial_capacity);
	tcase_add_test(tc, steal_hands_over_the_bytes_and_empties_the_buffer);
	tcase_add_test(tc, steal_of_empty_buffer_gives_empty_string);
	tcase_add_test(tc, buffer_is_reusable_after_steal);
	tcase_add_test(tc, reset_empties_but_keeps_capacity);
	tcase_add_test(tc, reset_of_unused_buffer_is_harmless);
	tcase_add_test(tc, free_leaves_buffer_empty_and_reusable);
	tcase_add_test(tc, refuses_append_that_would_overflow_size);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(buf_suite());
	int	 nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
