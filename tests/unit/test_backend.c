/*
 * test_backend.c: the backend interface (lib/backend.h) through its first
 * family, the enrichers: the registry by name, and the builtin enricher
 * giving exactly what the synchronous triage gives.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enrich.h"
#include "triage.h"

/* Enriches text through the interface and triages it directly: same answer. */
static void
assert_builtin_matches_triage(struct hark_enricher *e, const char *text,
    const char *page)
{
	struct hark_enrichment	 got;
	struct hark_backend_err	 err;
	struct hark_triage	 want;

	hark_triage_text(text, strlen(text), page, &want);
	ck_assert_int_eq(hark_enricher_run(e, text, strlen(text), page, &got,
	    &err), HARK_BACKEND_OK);
	ck_assert_msg(got.category == want.category, "category of \"%s\"", text);
	ck_assert_msg(got.sentiment == want.sentiment, "sentiment of \"%s\"", text);
	/* Bit for bit: the same code ran, not an approximation of it. */
	ck_assert_msg(memcmp(&got.sentiment_score, &want.sentiment_score,
	    sizeof(double)) == 0, "score of \"%s\"", text);
	ck_assert_msg(got.impact == want.impact, "impact of \"%s\"", text);
	ck_assert_str_eq(got.by, "builtin");
	hark_enrichment_free(&got);
}

START_TEST(builtin_is_found_by_name)
{
	const struct hark_enricher_ops	*ops;

	ops = hark_enricher_find("builtin");
	ck_assert_ptr_nonnull(ops);
	ck_assert_ptr_eq(ops, &hark_enricher_builtin);
	ck_assert_str_eq(ops->name, "builtin");
	ck_assert_ptr_nonnull(ops->enrich);
}
END_TEST

START_TEST(unknown_enricher_is_not_found)
{
	ck_assert_ptr_null(hark_enricher_find("Builtin"));
	ck_assert_ptr_null(hark_enricher_find(""));
	ck_assert_ptr_null(hark_enricher_find(NULL));
	ck_assert_ptr_null(hark_enricher_find("OpenAI"));
	ck_assert_ptr_eq(hark_enricher_find("openai"), &hark_enricher_openai);
}
END_TEST

START_TEST(every_listed_enricher_is_found_by_its_name)
{
	const struct hark_enricher_ops	*ops;
	size_t				 i;

	for (i = 0; (ops = hark_enricher_at(i)) != NULL; i++) {
		ck_assert_ptr_eq(hark_enricher_find(ops->name), ops);
		ck_assert_ptr_nonnull(ops->enrich);
	}
	ck_assert_uint_ge(i, 1);
}
END_TEST

START_TEST(opening_an_unknown_enricher_fails_and_says_which)
{
	struct hark_enricher	*e = (struct hark_enricher *)1;
	struct hark_backend_err	 err;

	ck_assert_int_eq(hark_enricher_open("nope", NULL, &e, &err),
	    HARK_BACKEND_FAIL);
	ck_assert_ptr_null(e);
	ck_assert_ptr_nonnull(strstr(err.msg, "\"nope\""));
}
END_TEST

START_TEST(builtin_gives_what_triage_gives)
{
	static const struct { const char *text, *page; } cases[] = {
		{ "The app crashes every time I press save and I lose my work", NULL },
		{ "Payment fails at checkout with error 500", "/checkout" },
		{ "It would be great to have a dark mode", NULL },
		{ "Love it, thank you so much!", "https://example.com/home" },
		{ "Hoe kan ik mijn wachtwoord wijzigen?", NULL },
		{ "La página de inicio es demasiado lenta", NULL },
		{ "Ich kann mich nicht mehr einloggen", "/login" },
		{ "C'est trop compliqué de trouver les paramètres", NULL },
		{ "test", NULL },
		{ "", NULL },
	};
	struct hark_enricher	*e;
	struct hark_backend_err	 err;
	size_t			 i;

	ck_assert_int_eq(hark_enricher_open("builtin", NULL, &e, &err),
	    HARK_BACKEND_OK);
	ck_assert_str_eq(hark_enricher_name(e), "builtin");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_builtin_matches_triage(e, cases[i].text, cases[i].page);
	hark_enricher_close(e);
}
END_TEST

/* Every message of the independent eval set, with its page. */
START_TEST(builtin_gives_what_triage_gives_on_the_eval_set)
{
	struct hark_enricher	*e;
	struct hark_backend_err	 err;
	FILE			*f;
	char			 line[8192], *field[5], *p;
	size_t			 n = 0, k;

	ck_assert_int_eq(hark_enricher_open("builtin", NULL, &e, &err),
	    HARK_BACKEND_OK);
	f = fopen(TEST_SRCDIR "/tests/data/triage/eval.tsv", "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));	/* header */
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		for (k = 0, p = line; k < 5 && p != NULL; k++) {
			field[k] = p;
			if ((p = strchr(p, '\t')) != NULL)
				*p++ = '\0';
		}
		ck_assert_uint_eq(k, 5);
		assert_builtin_matches_triage(e, field[4],
		    field[3][0] != '\0' ? field[3] : NULL);
		n++;
	}
	fclose(f);
	ck_assert_uint_gt(n, 100);
	hark_enricher_close(e);
}
END_TEST

START_TEST(builtin_judges_no_summary_language_or_spam)
{
	struct hark_enricher	*e;
	struct hark_enrichment	 out;
	struct hark_backend_err	 err;
	const char		*text = "Export to CSV is broken";

	ck_assert_int_eq(hark_enricher_open("builtin", NULL, &e, &err),
	    HARK_BACKEND_OK);
	ck_assert_int_eq(hark_enricher_run(e, text, strlen(text), NULL, &out,
	    &err), HARK_BACKEND_OK);
	ck_assert_ptr_null(out.summary);
	ck_assert_ptr_null(out.title);
	ck_assert_str_eq(out.language, "");
	ck_assert_int_eq(out.spam, -1);
	hark_enrichment_free(&out);
	hark_enricher_close(e);
}
END_TEST

START_TEST(closing_null_is_a_no_op)
{
	hark_enricher_close(NULL);
}
END_TEST

static Suite *
backend_suite(void)
{
	Suite	*s = suite_create("backend");
	TCase	*tc = tcase_create("enricher");

	tcase_add_test(tc, builtin_is_found_by_name);
	tcase_add_test(tc, unknown_enricher_is_not_found);
	tcase_add_test(tc, every_listed_enricher_is_found_by_its_name);
	tcase_add_test(tc, opening_an_unknown_enricher_fails_and_says_which);
	tcase_add_test(tc, builtin_gives_what_triage_gives);
	tcase_add_test(tc, builtin_gives_what_triage_gives_on_the_eval_set);
	tcase_add_test(tc, builtin_judges_no_summary_language_or_spam);
	tcase_add_test(tc, closing_null_is_a_no_op);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(backend_suite());
	int	 nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
