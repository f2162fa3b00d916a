/*
 * test_batch.c: hark-batch's job-kind table, --jobs parsing, the retry
 * back-off and the runner's time budget (batch/jobs.c).
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jobs.h"

START_TEST(housekeeping_is_a_kind_run_every_run)
{
	const struct hark_job_kind	*k;

	k = hark_job_kind_find("housekeeping");
	ck_assert_ptr_nonnull(k);
	ck_assert_ptr_eq(k, &hark_job_kinds[0]);
	ck_assert_ptr_eq(k->run, hark_housekeeping_run);
	ck_assert_int_eq(k->sched, HARK_JOB_EACH_RUN);
	ck_assert_uint_ge(k->max_attempts, 1);
}
END_TEST

START_TEST(unknown_kind_is_not_found)
{
	ck_assert_ptr_null(hark_job_kind_find("Housekeeping"));
	ck_assert_ptr_null(hark_job_kind_find("housekeepin"));
	ck_assert_ptr_null(hark_job_kind_find("housekeepings"));
	ck_assert_ptr_null(hark_job_kind_find(""));
	ck_assert_ptr_null(hark_job_kind_find(NULL));
}
END_TEST

START_TEST(every_kind_has_a_unique_name_a_run_and_a_sane_policy)
{
	size_t	 i, j;

	ck_assert_uint_ge(hark_job_nkinds, 1);
	for (i = 0; i < hark_job_nkinds; i++) {
		ck_assert_ptr_nonnull(hark_job_kinds[i].run);
		ck_assert_uint_ge(hark_job_kinds[i].max_attempts, 1);
		ck_assert_uint_le(hark_job_kinds[i].backoff_base_s,
		    hark_job_kinds[i].backoff_max_s);
		ck_assert_ptr_eq(hark_job_kind_find(hark_job_kinds[i].name),
		    &hark_job_kinds[i]);
		for (j = i + 1; j < hark_job_nkinds; j++)
			ck_assert_str_ne(hark_job_kinds[i].name,
			    hark_job_kinds[j].name);
	}
}
END_TEST

START_TEST(jobs_list_names_kinds)
{
	hark_job_set	 s = 0;
	char		 err[128];

	ck_assert_int_eq(hark_job_set_parse("housekeeping", &s, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(s, 1);
	s = 0;
	ck_assert_int_eq(hark_job_set_parse("housekeeping,housekeeping", &s,
	    err, sizeof(err)), 0);
	ck_assert_uint_eq(s, 1);
	ck_assert_uint_eq(hark_job_set_all(),
	    ((uint64_t)1 << hark_job_nkinds) - 1);
}
END_TEST

START_TEST(jobs_list_with_an_unknown_kind_is_refused_by_name)
{
	hark_job_set	 s = 42;
	char		 err[128];

	ck_assert_int_eq(hark_job_set_parse("housekeeping,transcribes", &s,
	    err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "\"transcribes\""));
	ck_assert_uint_eq(s, 42);
	ck_assert_int_eq(hark_job_set_parse("HOUSEKEEPING", &s, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(hark_job_set_parse("housekeeping ", &s, err,
	    sizeof(err)), -1);
	ck_assert_uint_eq(s, 42);
}
END_TEST

START_TEST(jobs_list_with_an_empty_name_is_refused)
{
	static const char *const bad[] = {
		"", ",", "housekeeping,", ",housekeeping",
		"housekeeping,,housekeeping",
	};
	hark_job_set	 s = 42;
	char		 err[128];
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(hark_job_set_parse(bad[i], &s, err,
		    sizeof(err)) == -1, "\"%s\" accepted", bad[i]);
		ck_assert_ptr_nonnull(strstr(err, "empty"));
	}
	ck_assert_uint_eq(s, 42);
}
END_TEST

START_TEST(backoff_doubles_per_attempt)
{
	/* rnd 0 gives the lower bound d/2, rnd = d/2 the upper bound d. */
	ck_assert_uint_eq(hark_backoff_s(10, 3600, 1, 0), 5);
	ck_assert_uint_eq(hark_backoff_s(10, 3600, 1, 5), 10);
	ck_assert_uint_eq(hark_backoff_s(10, 3600, 2, 0), 10);
	ck_assert_uint_eq(hark_backoff_s(10, 3600, 2, 10), 20);
	ck_assert_uint_eq(hark_backoff_s(10, 3600, 3, 0), 20);
	ck_assert_uint_eq(hark_backoff_s(10, 3600, 4, 40), 80);
}
END_TEST

START_TEST(backoff_below_the_cap_never_waits_less_than_the_attempt_before)
{
	unsigned	 a, v, hi;
	uint32_t	 rnd;

	/*
	 * 30 s doubled reaches 15360 s at attempt 10; attempt 11 is capped.
	 * rnd 0..20000 reaches every value the jitter can take (<= 7681).
	 */
	for (a = 1; a < 10; a++) {
		for (hi = 0, rnd = 0; rnd <= 20000; rnd++)
			if ((v = hark_backoff_s(30, 21600, a, rnd)) > hi)
				hi = v;
		ck_assert_uint_ge(hark_backoff_s(30, 21600, a + 1, 0), hi);
	}
}
END_TEST

START_TEST(backoff_is_bounded_by_its_max_however_many_attempts)
{
	uint32_t	 rnd;
	unsigned	 a, v;

	for (a = 1; a < 5000; a += 7)
		for (rnd = 0; rnd < 4000000000u; rnd += 123456789u) {
			v = hark_backoff_s(30, 3600, a, rnd);
			ck_assert_uint_le(v, 3600);
		}
	ck_assert_uint_le(hark_backoff_s(1, UINT32_MAX, UINT32_MAX, UINT32_MAX),
	    UINT32_MAX);
	ck_assert_uint_ge(hark_backoff_s(1, UINT32_MAX, UINT32_MAX, 0),
	    UINT32_MAX / 2);
	/* A cap below the base is the base. */
	ck_assert_uint_le(hark_backoff_s(60, 10, 1, UINT32_MAX), 60);
	ck_assert_uint_ge(hark_backoff_s(60, 10, 9, 0), 30);
	/* At the cap the wait keeps its jitter: [max/2, max]. */
	ck_assert_uint_eq(hark_backoff_s(30, 3600, 30, 0), 1800);
	ck_assert_uint_eq(hark_backoff_s(30, 3600, 30, 1800), 3600);
}
END_TEST

START_TEST(backoff_jitter_spans_the_upper_half_of_the_delay)
{
	unsigned	 seen[61] = { 0 }, v, i;
	uint32_t	 rnd;

	/* Attempt 3 from 15 s: d = 60, every value of [30, 60] and no other. */
	for (rnd = 0; rnd < 100000; rnd++) {
		v = hark_backoff_s(15, 3600, 3, rnd * 2654435761u);
		ck_assert_uint_ge(v, 30);
		ck_assert_uint_le(v, 60);
		seen[v]++;
	}
	for (i = 30; i <= 60; i++)
		ck_assert_msg(seen[i] > 0, "%u s never drawn", i);
}
END_TEST

START_TEST(backoff_of_a_kind_without_one_is_zero)
{
	ck_assert_uint_eq(hark_backoff_s(0, 3600, 5, 12345), 0);
	ck_assert_uint_eq(hark_job_backoff(hark_job_kind_find("housekeeping"),
	    3), 0);
}
END_TEST

START_TEST(random_backoff_of_a_kind_keeps_its_range)
{
	static const struct hark_job_kind k = {
		"test", NULL, HARK_JOB_QUEUED, 5, 20, 600
	};
	unsigned	 i, v;

	for (i = 0; i < 1000; i++) {
		v = hark_job_backoff(&k, 2);
		ck_assert_uint_ge(v, 20);
		ck_assert_uint_le(v, 40);
	}
}
END_TEST

START_TEST(runner_starts_no_kind_after_the_deadline)
{
	struct hark_job_ctx	 ctx = { NULL, NULL, 0, 1 };
	struct hark_job_stats	 st = { 0, 0, 0 };

	/* Had housekeeping run, it would have pinged a NULL database. */
	ctx.deadline = time(NULL) - 1;
	ck_assert_int_eq(hark_jobs_run(&ctx, hark_job_set_all(), &st), 0);
	ck_assert_uint_eq(st.done + st.retried + st.failed, 0);
}
END_TEST

START_TEST(runner_runs_no_kind_outside_the_set)
{
	struct hark_job_ctx	 ctx = { NULL, NULL, 0, 1 };
	struct hark_job_stats	 st = { 0, 0, 0 };

	ctx.deadline = time(NULL) + 60;
	ck_assert_int_eq(hark_jobs_run(&ctx, 0, &st), 0);
	ck_assert_uint_eq(st.done + st.retried + st.failed, 0);
}
END_TEST

static Suite *
batch_suite(void)
{
	Suite	*s = suite_create("batch");
	TCase	*tk = tcase_create("kinds");
	TCase	*tb = tcase_create("backoff");
	TCase	*tr = tcase_create("runner");

	tcase_add_test(tk, housekeeping_is_a_kind_run_every_run);
	tcase_add_test(tk, unknown_kind_is_not_found);
	tcase_add_test(tk, every_kind_has_a_unique_name_a_run_and_a_sane_policy);
	tcase_add_test(tk, jobs_list_names_kinds);
	tcase_add_test(tk, jobs_list_with_an_unknown_kind_is_refused_by_name);
	tcase_add_test(tk, jobs_list_with_an_empty_name_is_refused);
	tcase_add_test(tb, backoff_doubles_per_attempt);
	tcase_add_test(tb, backoff_below_the_cap_never_waits_less_than_the_attempt_before);
	tcase_add_test(tb, backoff_is_bounded_by_its_max_however_many_attempts);
	tcase_add_test(tb, backoff_jitter_spans_the_upper_half_of_the_delay);
	tcase_add_test(tb, backoff_of_a_kind_without_one_is_zero);
	tcase_add_test(tb, random_backoff_of_a_kind_keeps_its_range);
	tcase_add_test(tr, runner_starts_no_kind_after_the_deadline);
	tcase_add_test(tr, runner_runs_no_kind_outside_the_set);
	suite_add_tcase(s, tk);
	suite_add_tcase(s, tb);
	suite_add_tcase(s, tr);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(batch_suite());
	int	 nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
