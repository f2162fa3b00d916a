/* test_feedback.c: the feedback service's cursor codec and new rows, and how store results become HTTP answers (no database needed). */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "conf.h"
#include "feedback.h"
#include "http.h"
#include "keys.h"
#include "prologue.h"
#include "respond.h"
#include "store.h"

static struct hark_cursor_key	key_a, key_b;
static const char		proj_a[] = "prj_0123456789abcdefghjkmnpqrs";
static const char		proj_b[] = "prj_zzzzzzzzzzzzzzzzzzzzzzzzzz";

static void
keys_setup(void)
{
	memset(key_a.k, 'a', sizeof(key_a.k));
	memset(key_b.k, 'b', sizeof(key_b.k));
}

static void
last_row(struct hark_feedback *fb)
{
	memset(fb, 0, sizeof(*fb));
	snprintf(fb->id, sizeof(fb->id), "fb_0123456789abcdefghjkmnpqrs");
	snprintf(fb->created_at, sizeof(fb->created_at),
	    "2026-04-09 10:30:00.123456");
}

START_TEST(cursor_round_trips)
{
	struct hark_feedback		 fb;
	struct hark_feedback_cursor	 c;
	char				 s[HARK_CURSOR_MAX];

	last_row(&fb);
	ck_assert_int_eq(hark_feedback_cursor_encode(&key_a, proj_a, &fb, s,
	    sizeof(s)), 0);
	ck_assert_int_eq(hark_feedback_cursor_decode(&key_a, proj_a, s, &c), 0);
	ck_assert(c.set);
	ck_assert_str_eq(c.ts, fb.created_at);
	ck_assert_str_eq(c.id, fb.id);
}
END_TEST

START_TEST(cursor_with_any_byte_altered_is_refused)
{
	struct hark_feedback		 fb;
	struct hark_feedback_cursor	 c;
	char				 s[HARK_CURSOR_MAX], t[HARK_CURSOR_MAX];
	const char			*alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t				 i, len;

	last_row(&fb);
	ck_assert_int_eq(hark_feedback_cursor_encode(&key_a, proj_a, &fb, s,
	    sizeof(s)), 0);
	len = strlen(s);
	for (i = 0; i < len; i++) {
		memcpy(t, s, len + 1);
		t[i] = strchr(alpha, s[i])[1] != '\0' ?
		    strchr(alpha, s[i])[1] : 'A';
		ck_assert_msg(hark_feedback_cursor_decode(&key_a, proj_a, t,
		    &c) == -1, "accepted with byte %zu changed", i);
		ck_assert(!c.set);
	}
	t[len - 1] = '\0';
	ck_assert_int_eq(hark_feedback_cursor_decode(&key_a, proj_a, t, &c), -1);
}
END_TEST

START_TEST(cursor_of_another_project_or_key_is_refused)
{
	struct hark_feedback		 fb;
	struct hark_feedback_cursor	 c;
	char				 s[HARK_CURSOR_MAX];

	last_row(&fb);
	ck_assert_int_eq(hark_feedback_cursor_encode(&key_a, proj_a, &fb, s,
	    sizeof(s)), 0);
	ck_assert_int_eq(hark_feedback_cursor_decode(&key_a, proj_b, s, &c), -1);
	ck_assert_int_eq(hark_feedback_cursor_decode(&key_b, proj_a, s, &c), -1);
}
END_TEST

/* What the server gave out before cursors were signed, and forgeries of it. */
START_TEST(unsigned_cursor_is_refused)
{
	static const char	 raw[] =
	    "2030-01-01 00:00:00.000000|fb_0123456789abcdefghjkmnpqrs";
	struct hark_feedback_cursor	 c;
	char			 s[HARK_CURSOR_MAX];

	ck_assert_int_eq(hark_b64url_encode(raw, strlen(raw), s, sizeof(s)), 0);
	ck_assert_int_eq(hark_feedback_cursor_decode(&key_a, proj_a, s, &c), -1);
	ck_assert_int_eq(hark_feedback_cursor_decode(&key_a, proj_a, "", &c), -1);
	ck_assert_int_eq(hark_feedback_cursor_decode(&key_a, proj_a, "bm9wZQ",
	    &c), -1);
}
END_TEST

START_TEST(cursor_key_is_made_once_and_shared)
{
	struct hark_cursor_key	 k1, k2;
	char			 dir[] = "/tmp/hark-test-cursor-XXXXXX", path[256];
	struct stat		 st;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(hark_cursor_key_load(dir, &k1), 0);
	ck_assert_int_eq(hark_cursor_key_load(dir, &k2), 0);
	ck_assert_mem_eq(k1.k, k2.k, sizeof(k1.k));
	snprintf(path, sizeof(path), "%s/%s", dir, HARK_CURSOR_KEY_FILE);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(st.st_size, HARK_CURSOR_KEY_LEN);
	unlink(path);
	rmdir(dir);
	/* No such directory: a key for this process, and the caller told. */
	ck_assert_int_eq(hark_cursor_key_load("/nonexistent/hark", &k1), -1);
}
END_TEST

START_TEST(new_row_borrows_input_and_is_triaged)
{
	struct hark_feedback_input	 in;
	struct hark_feedback		 fb;

	memset(&in, 0, sizeof(in));
	in.text.s = "the app crashes when I upload a photo";
	in.text.len = strlen(in.text.s);
	in.metadata.s = "{\"z\":-0}";
	in.metadata.len = strlen(in.metadata.s);
	ck_assert_int_eq(hark_feedback_make(proj_a, "api", &in, &fb), 0);
	ck_assert(hark_id_valid(HARK_ID_FEEDBACK, fb.id));
	ck_assert_str_eq(fb.project_id, proj_a);
	ck_assert_ptr_eq(fb.text, in.text.s);
	ck_assert_ptr_null(fb.page);
	ck_assert_ptr_eq(fb.metadata, in.metadata.s);
	ck_assert_str_eq(fb.category, "bug");
	ck_assert_str_eq(fb.status, "new");
	ck_assert_int_eq(fb.priority, -1);
	ck_assert(hark_ts_valid_db(fb.created_at));
}
END_TEST

/* ---- store results to HTTP ---- */

#include "app_fixture.h"

static void
app_fixture_tune(struct hark_conf *c)
{
	(void)c;
}

static int
answer(int rc, const char *id, struct hark_resp *resp)
{
	hark_resp_init(resp);
	hark_respond_store_write(app, resp, rc, id);
	return resp->status;
}

START_TEST(outcome_unknown_on_create_names_the_id)
{
	struct hark_resp	 resp;

	ck_assert_int_eq(answer(HARK_STORE_OUTCOME_UNKNOWN,
	    "fb_0123456789abcdefghjkmnpqrs", &resp), 503);
	ck_assert_str_eq(hark_resp_get_header(&resp, "Retry-After"), "5");
	ck_assert_ptr_nonnull(strstr(resp.body.data,
	    "{\"error\":{\"code\":\"outcome_unknown\",\"message\":\""));
	ck_assert_ptr_nonnull(strstr(resp.body.data,
	    "\"id\":\"fb_0123456789abcdefghjkmnpqrs\"}}"));
	hark_resp_free(&resp);
}
END_TEST

START_TEST(outcome_unknown_without_id_is_unavailable)
{
	struct hark_resp	 resp;

	ck_assert_int_eq(answer(HARK_STORE_OUTCOME_UNKNOWN, NULL, &resp), 503);
	ck_assert_ptr_nonnull(strstr(resp.body.data,
	    "\"code\":\"database_unavailable\""));
	ck_assert_str_eq(hark_resp_get_header(&resp, "Retry-After"), "5");
	hark_resp_free(&resp);
}
END_TEST

START_TEST(unavailable_and_timeout_are_503_with_retry_after)
{
	struct hark_resp	 resp;

	ck_assert_int_eq(answer(HARK_STORE_UNAVAILABLE, "fb_x", &resp), 503);
	ck_assert_ptr_nonnull(strstr(resp.body.data,
	    "\"code\":\"database_unavailable\""));
	ck_assert_str_eq(hark_resp_get_header(&resp, "Retry-After"), "5");
	hark_resp_free(&resp);
	ck_assert_int_eq(answer(HARK_STORE_TIMEOUT, NULL, &resp), 503);
	ck_assert_ptr_nonnull(strstr(resp.body.data,
	    "\"code\":\"database_timeout\""));
	ck_assert_str_eq(hark_resp_get_header(&resp, "Retry-After"), "5");
	hark_resp_free(&resp);
}
END_TEST

START_TEST(other_results_are_404_or_500_without_retry_after)
{
	struct hark_resp	 resp;
	static const int	 rcs[] = { HARK_STORE_DUPLICATE,
	    HARK_STORE_ERROR, HARK_STORE_CONFLICT, HARK_STORE_NOMEM, -99 };
	size_t			 i;

	ck_assert_int_eq(answer(HARK_STORE_NOT_FOUND, NULL, &resp), 404);
	hark_resp_free(&resp);
	for (i = 0; i < sizeof(rcs) / sizeof(rcs[0]); i++) {
		ck_assert_int_eq(answer(rcs[i], "fb_x", &resp), 500);
		ck_assert_ptr_nonnull(strstr(resp.body.data,
		    "\"code\":\"internal\""));
		ck_assert_ptr_null(hark_resp_get_header(&resp, "Retry-After"));
		hark_resp_free(&resp);
	}
}
END_TEST

/* ---- the per-project concurrency gate of list and search ---- */

static char	gate_dir[] = "/tmp/hark-test-gate-XXXXXX";

static void
gate_setup(void)
{
	ck_assert_int_eq(hark_conf_defaults(&conf), 0);
	ck_assert_ptr_nonnull(mkdtemp(gate_dir));
	free(conf.state_dir);
	conf.state_dir = strdup(gate_dir);
	conf.workers = 8;
	conf.list_concurrency = 1;
	app = hark_app_new(&conf);
	ck_assert_ptr_nonnull(app);
	ck_assert_ptr_nonnull(app->rl);
}

static void
gate_teardown(void)
{
	char	 cmd[128];

	hark_app_free(app);
	hark_conf_free(&conf);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", gate_dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(gate_with_cap_1_refuses_a_second_request_of_the_project)
{
	struct hark_rl_ticket	 t1, t2, t3;
	struct hark_resp	 resp;

	hark_resp_init(&resp);
	ck_assert_int_eq(hark_prologue_gate_enter(app, proj_a, &resp, &t1), 0);
	ck_assert(t1.admitted);
	ck_assert_int_eq(hark_prologue_gate_enter(app, proj_a, &resp, &t2), -1);
	ck_assert_int_eq(resp.status, 429);
	ck_assert_ptr_nonnull(strstr(resp.body.data,
	    "\"code\":\"too_many_concurrent_requests\""));
	ck_assert_str_eq(hark_resp_get_header(&resp, "Retry-After"), "1");
	hark_resp_free(&resp);
	/* Another project is not held up by the first one's reads. */
	hark_resp_init(&resp);
	ck_assert_int_eq(hark_prologue_gate_enter(app, proj_b, &resp, &t3), 0);
	hark_prologue_gate_leave(app, &t3);
	/* Once the first is done, the next one of the project gets in. */
	hark_prologue_gate_leave(app, &t1);
	ck_assert_int_eq(hark_prologue_gate_enter(app, proj_a, &resp, &t2), 0);
	hark_prologue_gate_leave(app, &t2);
	hark_resp_free(&resp);
}
END_TEST

START_TEST(gate_cap_defaults_to_half_the_workers)
{
	conf.list_concurrency = 0;
	conf.workers = 8;
	ck_assert_uint_eq(hark_prologue_gate_cap(app), 4);
	conf.workers = 1;
	ck_assert_uint_eq(hark_prologue_gate_cap(app), 1);
	conf.workers = 64;
	ck_assert_uint_eq(hark_prologue_gate_cap(app), HARK_RL_GATE_SLOTS);
	conf.list_concurrency = 3;
	ck_assert_uint_eq(hark_prologue_gate_cap(app), 3);
}
END_TEST

START_TEST(idempotency_key_shapes)
{
	char	 k[300];

	ck_assert(hark_idem_key_valid("a"));
	ck_assert(hark_idem_key_valid("8e0f2c1a-4d6b-4f3e-9a7c-2b1d0e5f6a7b"));
	ck_assert(hark_idem_key_valid(" !~ spaces and punctuation: ok"));
	ck_assert(!hark_idem_key_valid(NULL));
	ck_assert(!hark_idem_key_valid(""));
	ck_assert(!hark_idem_key_valid("a\tb"));
	ck_assert(!hark_idem_key_valid("a\x7f"));
	ck_assert(!hark_idem_key_valid("\x1b[31m"));
	ck_assert(!hark_idem_key_valid("caf\xc3\xa9"));
	memset(k, 'k', sizeof(k));
	k[255] = '\0';
	ck_assert(hark_idem_key_valid(k));
	k[255] = 'k';
	k[256] = '\0';
	ck_assert(!hark_idem_key_valid(k));
}
END_TEST

START_TEST(input_hash_tells_content_apart)
{
	struct hark_feedback_input	 a, b;
	unsigned char			 ha[32], hb[32];

	memset(&a, 0, sizeof(a));
	a.text.s = "hello";
	a.text.len = 5;
	b = a;
	ck_assert_int_eq(hark_feedback_input_hash("prj_a", &a, ha), 0);
	ck_assert_int_eq(hark_feedback_input_hash("prj_a", &b, hb), 0);
	ck_assert(memcmp(ha, hb, 32) == 0);
	/* Another project, an empty page against none, a shifted border. */
	ck_assert_int_eq(hark_feedback_input_hash("prj_b", &b, hb), 0);
	ck_assert(memcmp(ha, hb, 32) != 0);
	b.page.s = "";
	ck_assert_int_eq(hark_feedback_input_hash("prj_a", &b, hb), 0);
	ck_assert(memcmp(ha, hb, 32) != 0);
	b = a;
	b.text.len = 4;
	b.page.s = "o";
	b.page.len = 1;
	ck_assert_int_eq(hark_feedback_input_hash("prj_a", &b, hb), 0);
	ck_assert(memcmp(ha, hb, 32) != 0);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("feedback");
	TCase	*tc = tcase_create("service"), *tr = tcase_create("respond");
	TCase	*tg = tcase_create("gate");
	SRunner	*sr;
	int	 nf;

	tcase_add_checked_fixture(tc, keys_setup, NULL);
	tcase_add_test(tc, cursor_round_trips);
	tcase_add_test(tc, cursor_with_any_byte_altered_is_refused);
	tcase_add_test(tc, cursor_of_another_project_or_key_is_refused);
	tcase_add_test(tc, unsigned_cursor_is_refused);
	tcase_add_test(tc, cursor_key_is_made_once_and_shared);
	tcase_add_test(tc, new_row_borrows_input_and_is_triaged);
	tcase_add_test(tc, idempotency_key_shapes);
	tcase_add_test(tc, input_hash_tells_content_apart);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tr, app_setup, app_teardown);
	tcase_add_test(tr, outcome_unknown_on_create_names_the_id);
	tcase_add_test(tr, outcome_unknown_without_id_is_unavailable);
	tcase_add_test(tr, unavailable_and_timeout_are_503_with_retry_after);
	tcase_add_test(tr, other_results_are_404_or_500_without_retry_after);
	suite_add_tcase(s, tr);
	tcase_add_checked_fixture(tg, gate_setup, gate_teardown);
	tcase_add_test(tg, gate_with_cap_1_refuses_a_second_request_of_the_project);
	tcase_add_test(tg, gate_cap_defaults_to_half_the_workers);
	suite_add_tcase(s, tg);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
