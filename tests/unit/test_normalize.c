/* test_normalize.c: the dedup form of text: NFC, case folding, white space; against Python's unicodedata vectors. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"

static void
expect(const char *in, const char *want)
{
	char	*out;
	size_t	 len;

	ck_assert_int_eq(hark_normalize_dedup(in, strlen(in), &out, &len), 0);
	ck_assert_msg(strcmp(out, want) == 0, "\"%s\" -> \"%s\", want \"%s\"",
	    in, out, want);
	ck_assert_uint_eq(len, strlen(want));
	free(out);
}

START_TEST(the_issue_cases)
{
	expect("  The  Export\tbutton\n crashes  ", "the export button crashes");
	expect("Cafe\xcc\x81", "caf\xc3\xa9");		/* e + U+0301 -> é */
	expect("CAF\xc3\x89", "caf\xc3\xa9");		/* É */
	expect("Stra\xc3\x9f" "e", "strasse");		/* full folding of ß */
	expect("\xe2\x84\xab", "\xc3\xa5");		/* U+212B ANGSTROM -> å */
	expect("\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab", "\xed\x95\x9c");	/* jamo -> 한 */
	expect("\xce\xa3\xce\x91\xce\xa3", "\xcf\x83\xce\xb1\xcf\x83");	/* ΣΑΣ */
	expect("\xc2\xa0\xe3\x80\x80x\xe2\x80\x83y\xe2\x80\xa8", "x y");
	expect("", "");
	expect(" \t\n ", "");
}
END_TEST

START_TEST(equal_content_hashes_alike)
{
	unsigned char	 a[32], b[32], c[32];
	const char	*x = "The registration form does not validate emails";
	const char	*y = "the REGISTRATION form  does not\nvalidate emails ";
	const char	*z = "the registration form does validate emails";

	ck_assert_int_eq(hark_normalize_dedup_hash(x, strlen(x), a), 0);
	ck_assert_int_eq(hark_normalize_dedup_hash(y, strlen(y), b), 0);
	ck_assert_int_eq(hark_normalize_dedup_hash(z, strlen(z), c), 0);
	ck_assert_int_eq(memcmp(a, b, 32), 0);
	ck_assert_int_ne(memcmp(a, c, 32), 0);
}
END_TEST

START_TEST(invalid_utf8_is_replacement_characters)
{
	expect("a\xff" "b", "a\xef\xbf\xbd" "b");
}
END_TEST

static size_t
unhex(const char *h, size_t n, char *out)
{
	size_t	 i;
	unsigned int v;

	for (i = 0; i + 1 < n + 1 && i * 2 < n; i++) {
		sscanf(h + 2 * i, "%2x", &v);
		out[i] = (char)v;
	}
	out[i] = '\0';
	return i;
}

START_TEST(python_unicodedata_vectors)
{
	char	 line[1024], in[256], want[512], *sp, *out;
	size_t	 inlen, len, n = 0;
	FILE	*f;

	f = fopen(TEST_SRCDIR "/tests/data/normalize.txt", "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#')
			continue;
		line[strcspn(line, "\n")] = '\0';
		ck_assert_ptr_nonnull(sp = strchr(line, ' '));
		*sp = '\0';
		inlen = unhex(line, strlen(line), in);
		unhex(sp + 1, strlen(sp + 1), want);
		ck_assert_int_eq(hark_normalize_dedup(in, inlen, &out, &len), 0);
		ck_assert_msg(strcmp(out, want) == 0, "vector %zu: %s", n, line);
		free(out);
		n++;
	}
	fclose(f);
	ck_assert_uint_ge(n, 3000);
}
END_TEST

static Suite *
normalize_suite(void)
{
	Suite	*s = suite_create("normalize");
	TCase	*tc = tcase_create("dedup");

	tcase_add_test(tc, the_issue_cases);
	tcase_add_test(tc, equal_content_hashes_alike);
	tcase_add_test(tc, invalid_utf8_is_replacement_characters);
	tcase_add_test(tc, python_unicodedata_vectors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(normalize_suite());
	int	 nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
