/* test_store.c: what lib/store computes without a database (the bounded SQL builder, the search phrase), and lib/timestamp's conversions and lib/vocab's tables as the store uses them. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "vocab.h"
#include "store_int.h"

START_TEST(rfc3339_utc_to_datetime)
{
	char	 ts[HARK_STORE_TS_SIZE];

	ck_assert_int_eq(hark_ts_from_rfc3339("2026-04-09T10:30:00Z", ts), 0);
	ck_assert_str_eq(ts, "2026-04-09 10:30:00.000000");
}
END_TEST

START_TEST(rfc3339_offset_is_converted_to_utc)
{
	char	 ts[HARK_STORE_TS_SIZE];

	ck_assert_int_eq(hark_ts_from_rfc3339("2026-01-01T01:15:00+02:00",
	    ts), 0);
	ck_assert_str_eq(ts, "2025-12-31 23:15:00.000000");
	ck_assert_int_eq(hark_ts_from_rfc3339("2026-01-01T23:00:00-01:30",
	    ts), 0);
	ck_assert_str_eq(ts, "2026-01-02 00:30:00.000000");
}
END_TEST

START_TEST(rfc3339_keeps_microseconds)
{
	char	 ts[HARK_STORE_TS_SIZE];

	ck_assert_int_eq(hark_ts_from_rfc3339("2026-04-09T10:30:00.1234567Z",
	    ts), 0);
	ck_assert_str_eq(ts, "2026-04-09 10:30:00.123456");
	ck_assert_int_eq(hark_ts_from_rfc3339("2026-04-09t10:30:00.5z", ts),
	    0);
	ck_assert_str_eq(ts, "2026-04-09 10:30:00.500000");
}
END_TEST

START_TEST(rfc3339_rejects_malformed)
{
	static const char *const bad[] = {
		"", "yesterday", "2026-04-09", "2026-04-09T10:30Z",
		"2026-13-09T10:30:00Z", "2026-04-32T10:30:00Z",
		"2026-04-09T24:00:00Z", "2026-04-09T10:60:00Z",
		"2026-04-09T10:30:00", "2026-04-09T10:30:00.Z",
		"2026-04-09T10:30:00+0200", "2026-04-09T10:30:00Z junk",
		"1969-12-31T23:59:59Z", "2026-04-09T10:30:00+24:00",
		"20a6-04-09T10:30:00Z", NULL
	};
	char	 ts[HARK_STORE_TS_SIZE];
	size_t	 i;

	for (i = 0; bad[i] != NULL; i++)
		ck_assert_msg(hark_ts_from_rfc3339(bad[i], ts) == -1,
		    "accepted \"%s\"", bad[i]);
}
END_TEST

START_TEST(datetime_to_rfc3339_drops_fraction)
{
	char	 out[32];

	hark_ts_to_rfc3339("2026-04-09 10:30:00.123456", out, sizeof(out));
	ck_assert_str_eq(out, "2026-04-09T10:30:00Z");
}
END_TEST

START_TEST(now_is_a_datetime6_literal)
{
	char	 ts[HARK_STORE_TS_SIZE], back[HARK_STORE_TS_SIZE], iso[32];

	hark_ts_now(ts);
	ck_assert_uint_eq(strlen(ts), HARK_STORE_TS_SIZE - 1);
	ck_assert_uint_eq(strspn(ts, "0123456789-:. "), HARK_STORE_TS_SIZE - 1);
	hark_ts_to_rfc3339(ts, iso, sizeof(iso));
	ck_assert_int_eq(hark_ts_from_rfc3339(iso, back), 0);
	ck_assert_int_eq(strncmp(ts, back, 19), 0);
}
END_TEST

START_TEST(rfc3339_refuses_impossible_dates)
{
	static const char *const bad[] = {
		"2024-02-30T00:00:00Z", "2024-02-31T00:00:00Z",
		"2023-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
		"2026-04-09 10:30:00Z",
		/* 1969 in UTC: its own RFC 3339 form would not convert back. */
		"1970-01-01T00:30:00+01:00", NULL
	};
	char	 ts[HARK_STORE_TS_SIZE];
	size_t	 i;

	for (i = 0; bad[i] != NULL; i++)
		ck_assert_msg(hark_ts_from_rfc3339(bad[i], ts) == -1,
		    "accepted \"%s\"", bad[i]);
	ck_assert_int_eq(hark_ts_from_rfc3339("2024-02-29T00:00:00Z", ts), 0);
	ck_assert_str_eq(ts, "2024-02-29 00:00:00.000000");
}
END_TEST

START_TEST(db_literal_shape_is_checked)
{
	char	 ts[HARK_STORE_TS_SIZE];

	hark_ts_now(ts);
	ck_assert(hark_ts_valid_db(ts));
	ck_assert(hark_ts_valid_db("2026-04-09 10:30:00.123456"));
	ck_assert(!hark_ts_valid_db("2026-04-09 10:30:00.12345"));
	ck_assert(!hark_ts_valid_db("2026-04-09T10:30:00.123456"));
	ck_assert(!hark_ts_valid_db("2026-04-09 10:30:00.1234567"));
	ck_assert(!hark_ts_valid_db(""));
}
END_TEST

START_TEST(vocab_interns_and_joins)
{
	char	 msg[128];

	ck_assert_ptr_eq(hark_vocab_intern(hark_vocab_status, "done", "new"),
	    hark_vocab_status[3]);
	ck_assert_str_eq(hark_vocab_intern(hark_vocab_status, "Done", "new"),
	    "new");
	ck_assert_str_eq(hark_vocab_intern(hark_vocab_category, NULL, "other"),
	    "other");
	ck_assert_str_eq(hark_vocab_join(hark_vocab_status, msg, sizeof(msg)),
	    "new, triaged, in_progress, done, canceled");
	ck_assert_str_eq(hark_vocab_join(hark_vocab_sentiment, msg, 13),
	    "positive");
}
END_TEST

START_TEST(sql_builder_builds_text_and_args)
{
	struct store_sql	 b;

	store_sql_init(&b);
	ck_assert_int_eq(store_sql_add(&b, "SELECT 1 FROM t WHERE a = ?"), 0);
	ck_assert_int_eq(store_sql_arg(&b, HARK_DB_INT(7)), 0);
	ck_assert_int_eq(store_sql_filter(&b, " AND b = ?", HARK_DB_CSTR("x")), 0);
	ck_assert_str_eq(b.text, "SELECT 1 FROM t WHERE a = ? AND b = ?");
	ck_assert_uint_eq(b.len, strlen(b.text));
	ck_assert_uint_eq(b.nargs, 2);
	ck_assert_int_eq(b.args[0].i, 7);
	ck_assert_int_eq(b.overflow, 0);
}
END_TEST

START_TEST(sql_builder_reports_text_overflow)
{
	struct store_sql	 b;
	char			 frag[STORE_SQL_MAX / 4 + 1];
	size_t			 len;
	int			 i, rc = 0;

	memset(frag, 'x', sizeof(frag) - 1);
	frag[sizeof(frag) - 1] = '\0';
	store_sql_init(&b);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(store_sql_add(&b, frag), 0);
	len = b.len;
	/* The fourth would leave no room for the NUL: refused, whole. */
	ck_assert_int_eq(store_sql_add(&b, frag), -1);
	ck_assert_int_eq(b.overflow, 1);
	ck_assert_uint_eq(b.len, len);
	ck_assert_uint_eq(strlen(b.text), len);
	/* Once overflowed, nothing more is taken, not even what would fit. */
	ck_assert_int_eq(store_sql_add(&b, "y"), -1);
	ck_assert_int_eq(store_sql_arg(&b, HARK_DB_INT(1)), -1);
	/* And it is never run. */
	rc = store_sql_query(NULL, &b, NULL, NULL);
	ck_assert_int_eq(rc, HARK_STORE_ERROR);
}
END_TEST

START_TEST(sql_builder_reports_arg_overflow)
{
	struct store_sql	 b;
	int			 i;

	store_sql_init(&b);
	for (i = 0; i < STORE_SQL_MAXARGS; i++)
		ck_assert_int_eq(store_sql_filter(&b, " ?", HARK_DB_INT(i)), 0);
	ck_assert_int_eq(store_sql_arg(&b, HARK_DB_INT(99)), -1);
	ck_assert_int_eq(b.overflow, 1);
	ck_assert_uint_eq(b.nargs, STORE_SQL_MAXARGS);
	ck_assert_int_eq(store_sql_query(NULL, &b, NULL, NULL), HARK_STORE_ERROR);
}
END_TEST

START_TEST(sql_builder_takes_a_fragment_that_just_fits)
{
	struct store_sql	 b;
	char			 frag[STORE_SQL_MAX];

	memset(frag, 'x', sizeof(frag) - 1);
	frag[sizeof(frag) - 1] = '\0';
	store_sql_init(&b);
	ck_assert_int_eq(store_sql_add(&b, frag), 0);
	ck_assert_uint_eq(b.len, STORE_SQL_MAX - 1);
	ck_assert_int_eq(store_sql_add(&b, "y"), -1);
}
END_TEST

static int
phrase(const char *q, char *out)
{
	size_t	 len;

	return store_search_phrase(q, strlen(q), out, 256, &len);
}

START_TEST(search_phrase_quotes_q)
{
	char	 out[256];

	ck_assert_int_eq(phrase("item 3", out), 1);
	ck_assert_str_eq(out, "+\"item 3\"");
	ck_assert_int_eq(phrase("100%", out), 1);
	ck_assert_str_eq(out, "+\"100%\"");
	/* A '"' cannot end the phrase early, nor an operator escape it. */
	ck_assert_int_eq(phrase("say \"hi\" -x +y* (z)", out), 1);
	ck_assert_str_eq(out, "+\"say  hi  -x +y* (z)\"");
	ck_assert_int_eq(phrase("line\nbreak", out), 1);
	ck_assert_str_eq(out, "+\"line break\"");
}
END_TEST

START_TEST(search_phrase_needs_an_indexed_word)
{
	char	 out[256], longword[100];

	/* No ASCII word of 3: the index cannot serve it. */
	ck_assert_int_eq(phrase("ab", out), 0);
	ck_assert_int_eq(phrase("a b c 1 2", out), 0);
	ck_assert_int_eq(phrase("%_%", out), 0);
	ck_assert_int_eq(phrase("\xc3\xbc" "b", out), 0);	/* "üb" */
	ck_assert_int_eq(phrase("a_b", out), 1);
	/* A word longer than InnoDB keeps is not in the index either. */
	memset(longword, 'w', 85);
	longword[85] = '\0';
	ck_assert_int_eq(phrase(longword, out), 0);
	longword[84] = '\0';
	ck_assert_int_eq(phrase(longword, out), 1);
	/* Too small an output buffer is an error, not a cut phrase. */
	ck_assert_int_eq(store_search_phrase("dark mode", 9, out, 12, &(size_t){0}),
	    -1);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("store");
	TCase	*tc = tcase_create("time");
	SRunner	*sr;
	int	 nf;

	tcase_add_test(tc, rfc3339_utc_to_datetime);
	tcase_add_test(tc, rfc3339_offset_is_converted_to_utc);
	tcase_add_test(tc, rfc3339_keeps_microseconds);
	tcase_add_test(tc, rfc3339_rejects_malformed);
	tcase_add_test(tc, datetime_to_rfc3339_drops_fraction);
	tcase_add_test(tc, now_is_a_datetime6_literal);
	tcase_add_test(tc, rfc3339_refuses_impossible_dates);
	tcase_add_test(tc, db_literal_shape_is_checked);
	tcase_add_test(tc, vocab_interns_and_joins);
	suite_add_tcase(s, tc);
	tc = tcase_create("sql");
	tcase_add_test(tc, sql_builder_builds_text_and_args);
	tcase_add_test(tc, sql_builder_reports_text_overflow);
	tcase_add_test(tc, sql_builder_reports_arg_overflow);
	tcase_add_test(tc, sql_builder_takes_a_fragment_that_just_fits);
	tcase_add_test(tc, search_phrase_quotes_q);
	tcase_add_test(tc, search_phrase_needs_an_indexed_word);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
