/* test_linear.c: lib/linear, a ticket's title and Markdown, the GraphQL requests and the reading of Linear's answers. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <json-c/json.h>

#include "buf.h"
#include "json.h"
#include "linear.h"
#include "utf8.h"

#define S(x)	x, strlen(x)

static size_t
first(const char *s)
{
	return hark_linear_first_sentence(s, strlen(s));
}

START_TEST(first_sentence_ends_at_punctuation_and_space)
{
	ck_assert_uint_eq(first("The button is broken. It does nothing."), 21);
	ck_assert_uint_eq(first("Why is this so slow? Really"), 20);
	ck_assert_uint_eq(first("Broken!"), 7);
	ck_assert_uint_eq(first("no end at all"), 13);
}
END_TEST

START_TEST(first_sentence_keeps_decimals_urls_and_abbreviations)
{
	ck_assert_uint_eq(first("Version 3.5 broke it. Yes"), 21);
	ck_assert_uint_eq(first("See https://x.example.com/a.b now. More"), 34);
	ck_assert_uint_eq(first("Things, e.g. the menu, fail. Also"), 28);
}
END_TEST

START_TEST(first_sentence_stops_at_a_line_break)
{
	ck_assert_uint_eq(first("Checkout fails\nwhen I press pay."), 14);
	ck_assert_uint_eq(first("\n\n  Leading lines. Then"), 18);
	ck_assert_uint_eq(first("Fin\xe3\x80\x82Next"), 6);
}
END_TEST

static const char *
title(const char *t, const char *sum, const char *text)
{
	static char	 out[HARK_LINEAR_TITLE_SIZE];

	hark_linear_title(t, t ? strlen(t) : 0, sum, sum ? strlen(sum) : 0,
	    text, text ? strlen(text) : 0, "Feedback fb_1", out, sizeof(out));
	return out;
}

START_TEST(title_prefers_triage_then_first_sentence)
{
	ck_assert_str_eq(title("Checkout button dead", "A summary.", "Text."),
	    "Checkout button dead");
	ck_assert_str_eq(title("  ", "The summary says it.", "Text."),
	    "The summary says it.");
	ck_assert_str_eq(title(NULL, NULL, "It crashed. Then it burned."),
	    "It crashed.");
	ck_assert_str_eq(title(NULL, NULL, " \n "), "Feedback fb_1");
}
END_TEST

START_TEST(title_collapses_white_space_and_controls)
{
	ck_assert_str_eq(title("  a\t\tb \x01 c\x7f ", NULL, NULL), "a b c");
	/* A C1 control (U+0085) is a space; a bad byte U+FFFD. */
	ck_assert_str_eq(title("x\xc2\x85y\xffz", NULL, NULL),
	    "x y\xef\xbf\xbdz");
}
END_TEST

START_TEST(title_cuts_long_text_on_a_word_boundary)
{
	const char	*long_text = "The checkout page keeps spinning forever "
	    "after I press the pay button on my phone and nothing else happens";
	const char	*t = title(NULL, NULL, long_text);

	/* "phone" would end at the 81st character. */
	ck_assert_str_eq(t, "The checkout page keeps spinning forever after I "
	    "press the pay button on my\xe2\x80\xa6");
	ck_assert_uint_le(hark_utf8_count(t, strlen(t)),
	    HARK_LINEAR_TITLE_MAX + 1);
}
END_TEST

START_TEST(title_cuts_one_long_word_at_the_limit)
{
	char	 w[200];
	const char *t;

	memset(w, 'a', 150);
	w[150] = '\0';
	t = title(w, NULL, NULL);
	ck_assert_uint_eq(strlen(t), HARK_LINEAR_TITLE_MAX + 3);
	ck_assert_str_eq(t + HARK_LINEAR_TITLE_MAX, "\xe2\x80\xa6");
}
END_TEST

START_TEST(title_never_splits_a_code_point)
{
	char	 w[400];
	size_t	 i;
	const char *t;

	for (i = 0; i < 100; i++)
		memcpy(w + 3 * i, "\xe2\x82\xac", 3);	/* € */
	w[300] = '\0';
	t = title(w, NULL, NULL);
	ck_assert(hark_utf8_valid(t, strlen(t)));
	ck_assert_uint_eq(hark_utf8_count(t, strlen(t)),
	    HARK_LINEAR_TITLE_MAX + 1);
}
END_TEST

static char *
describe(const struct hark_linear_item *it)
{
	struct hark_buf	 b = { NULL, 0, 0 };

	ck_assert_int_eq(hark_linear_description(it, &b), 0);
	return hark_buf_steal(&b);
}

START_TEST(description_has_every_part)
{
	struct hark_linear_item	 it;
	const char		*ctx = "{\"console\": ["
	    "{\"level\": \"log\", \"message\": \"hello\"},"
	    "{\"level\": \"error\", \"message\": \"TypeError: x is undefined\"},"
	    "{\"level\": \"warn\", \"message\": \"slow\"}]}";
	char			*d;

	memset(&it, 0, sizeof(it));
	it.id = "fb_123";
	it.text = "Pay fails.\nSecond line";
	it.text_len = strlen(it.text);
	it.page = "https://app.example.com/checkout";
	it.page_len = strlen(it.page);
	it.user_name = "Ada";
	it.user_name_len = 3;
	it.user_email = "ada@example.com";
	it.user_email_len = strlen(it.user_email);
	it.user_id = "u_1";
	it.user_id_len = 3;
	it.category = "bug";
	it.sentiment = "negative";
	it.impact = 7;
	it.context = ctx;
	it.context_len = strlen(ctx);
	it.link_base = "https://hark.example.com/";
	it.has_audio = it.has_screenshot = true;
	d = describe(&it);
	ck_assert_str_eq(d,
	    "> Pay fails\\.\n> Second line\n\n"
	    "- **Page:** https://app\\.example\\.com/checkout\n"
	    "- **Reporter:** Ada, ada@example\\.com, user id u\\_1\n"
	    "- **Triage:** bug, negative, impact 7\n"
	    "\n**Console errors** (1):\n\n```\nTypeError: x is undefined\n```\n"
	    "\n**Media:** [audio](<https://hark.example.com/v1/feedback/fb_123/"
	    "media/audio>) \xc2\xb7 [screenshot](<https://hark.example.com/v1/"
	    "feedback/fb_123/media/screenshot>)\n"
	    "\n*From hark, item `fb_123`.*\n");
	free(d);
}
END_TEST

START_TEST(description_escapes_what_the_submitter_wrote)
{
	struct hark_linear_item	 it;
	char			*d;

	memset(&it, 0, sizeof(it));
	it.id = "fb_1";
	it.text = "![x](https://evil.example/p.png) <img src=x> *b* # h\r\n"
	    "===";
	it.text_len = strlen(it.text);
	it.user_name = "Eve\n- **Triage:** fake";
	it.user_name_len = strlen(it.user_name);
	it.impact = -1;
	d = describe(&it);
	ck_assert_str_eq(d,
	    "> \\!\\[x\\]\\(https://evil\\.example/p\\.png\\) \\<img src\\=x\\> "
	    "\\*b\\* \\# h\n> \\=\\=\\=\n\n"
	    "- **Reporter:** Eve \\- \\*\\*Triage:\\*\\* fake\n"
	    "\n*From hark, item `fb_1`.*\n");
	free(d);
}
END_TEST

START_TEST(description_fence_outlasts_backticks_and_keeps_the_last_errors)
{
	struct hark_linear_item	 it;
	struct hark_buf		 ctx = { NULL, 0, 0 };
	char			*d;
	int			 i;

	ck_assert_int_eq(hark_buf_puts(&ctx, "{\"console\": ["), 0);
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(hark_buf_printf(&ctx, "%s{\"level\": \"error\", "
		    "\"message\": \"e%d ````\"}", i ? "," : "", i), 0);
	ck_assert_int_eq(hark_buf_puts(&ctx, "]}"), 0);
	memset(&it, 0, sizeof(it));
	it.id = "fb_1";
	it.impact = -1;
	it.context = ctx.data;
	it.context_len = ctx.len;
	d = describe(&it);
	ck_assert_ptr_nonnull(strstr(d, "(the last of 8):\n\n`````\n"
	    "e3 ````\ne4 ````\ne5 ````\ne6 ````\ne7 ````\n`````\n"));
	ck_assert_ptr_null(strstr(d, "e2 "));
	free(d);
	hark_buf_free(&ctx);
}
END_TEST

START_TEST(description_bounds_a_console_line_and_skips_bad_context)
{
	struct hark_linear_item	 it;
	struct hark_buf		 ctx = { NULL, 0, 0 };
	char			*d, *p;
	int			 i;

	ck_assert_int_eq(hark_buf_puts(&ctx, "{\"console\": [{\"level\": "
	    "\"ERROR\", \"message\": \""), 0);
	for (i = 0; i < 1000; i++)
		ck_assert_int_eq(hark_buf_puts(&ctx, "x"), 0);
	ck_assert_int_eq(hark_buf_puts(&ctx, "\"}, {\"level\": \"error\", "
	    "\"message\": 5}, \"junk\"]}"), 0);
	memset(&it, 0, sizeof(it));
	it.id = "fb_1";
	it.impact = -1;
	it.context = ctx.data;
	it.context_len = ctx.len;
	d = describe(&it);
	ck_assert_ptr_nonnull(p = strstr(d, "```\nxxx"));
	ck_assert_ptr_nonnull(strstr(p, "x\xe2\x80\xa6\n```"));
	ck_assert_uint_lt(strlen(d), HARK_LINEAR_CONSOLE_LINE + 200);
	free(d);
	it.context = "{not json";
	it.context_len = strlen(it.context);
	d = describe(&it);
	ck_assert_str_eq(d, "\n*From hark, item `fb_1`.*\n");
	free(d);
	hark_buf_free(&ctx);
}
END_TEST

START_TEST(description_links_are_relative_without_a_base)
{
	struct hark_linear_item	 it;
	char			*d;

	memset(&it, 0, sizeof(it));
	it.id = "fb_9";
	it.impact = -1;
	it.link_base = "";
	it.has_screenshot = true;
	d = describe(&it);
	ck_assert_ptr_nonnull(strstr(d, "**Media:** [screenshot]"
	    "(</v1/feedback/fb_9/media/screenshot>)\n"));
	free(d);
}
END_TEST

/*
 * Any bytes at all (NULs, bad UTF-8, controls, Markdown): the title and
 * the description are valid UTF-8 without a control character but '\n',
 * and the request carries them through JSON unchanged.
 */
START_TEST(arbitrary_bytes_make_clean_utf8_that_round_trips)
{
	static const char	 pool[] = "ab. \n\r\t`*_[]()<>!#\\\"\x00\x01\x7f"
	    "\xc3\xa9\xe2\x80\xa6\xf0\x9f\x98\x80\xff\xc0\xed\xa0\x80";
	struct hark_linear_item	 it;
	struct hark_buf		 d = { NULL, 0, 0 }, r = { NULL, 0, 0 };
	struct json_object	*top, *in;
	struct hark_json_err	 err;
	char			 text[600], t[HARK_LINEAR_TITLE_SIZE];
	unsigned		 seed = 12345, round;
	size_t			 i, n, bad;

	for (round = 0; round < 200; round++) {
		n = (seed = seed * 1103515245u + 12345u) % sizeof(text);
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			text[i] = pool[(seed >> 16) % (sizeof(pool) - 1)];
		}
		memset(&it, 0, sizeof(it));
		it.id = "fb_1";
		it.impact = -1;
		it.text = it.page = it.user_name = text;
		it.text_len = it.page_len = it.user_name_len = n;
		hark_linear_title(NULL, 0, NULL, 0, text, n, "F", t, sizeof(t));
		ck_assert(hark_utf8_valid(t, strlen(t)));
		hark_buf_reset(&d);
		hark_buf_reset(&r);
		ck_assert_int_eq(hark_linear_description(&it, &d), 0);
		ck_assert(hark_utf8_valid(d.data, d.len));
		ck_assert_uint_eq(strlen(d.data), d.len);
		for (i = bad = 0; i < d.len; i++)
			if (d.data[i] != '\n' && (unsigned char)d.data[i] < 0x20)
				bad++;
		ck_assert_uint_eq(bad, 0);
		ck_assert_int_eq(hark_linear_issue_request("team", NULL, t, d.data,
		    &r), 0);
		ck_assert_int_eq(hark_json_parse(r.data, r.len, &top, &err), 0);
		ck_assert(json_object_object_get_ex(top, "variables", &in));
		ck_assert(json_object_object_get_ex(in, "input", &in));
		ck_assert_str_eq(hark_json_str(in, "description", NULL), d.data);
		ck_assert_str_eq(hark_json_str(in, "title", NULL), t);
		json_object_put(top);
	}
	hark_buf_free(&d);
	hark_buf_free(&r);
}
END_TEST

START_TEST(comment_bodies)
{
	struct hark_buf	 b = { NULL, 0, 0 };

	ck_assert_int_eq(hark_linear_resolved_body("done", S("Fixed in 2.1")
	    , &b), 0);
	ck_assert_str_eq(b.data, "Resolved in hark as **done**.\n\n"
	    "> Fixed in 2\\.1\n\n");
	hark_buf_reset(&b);
	ck_assert_int_eq(hark_linear_resolved_body("in_progress", NULL, 0, &b),
	    0);
	ck_assert_str_eq(b.data, "Marked **in_progress** in hark.");
	hark_buf_reset(&b);
	ck_assert_int_eq(hark_linear_comment_body("agent", S("claude_x"),
	    S("Looked *into* it"), &b), 0);
	ck_assert_str_eq(b.data, "Comment in hark by agent (claude\\_x):\n\n"
	    "> Looked \\*into\\* it\n\n");
	hark_buf_free(&b);
}
END_TEST

START_TEST(requests_carry_values_as_variables)
{
	struct hark_buf		 b = { NULL, 0, 0 };
	struct json_object	*top, *in;
	struct hark_json_err	 err;
	const char		*q;

	ck_assert_int_eq(hark_linear_issue_request("team-1", "uuid-1",
	    "a \"title\"", "x\ny } mutation {", &b), 0);
	ck_assert_int_eq(hark_json_parse(b.data, b.len, &top, &err), 0);
	q = hark_json_str(top, "query", NULL);
	ck_assert_str_eq(q, "mutation HarkIssueCreate($input: "
	    "IssueCreateInput!) { issueCreate(input: $input) { success issue "
	    "{ id identifier url } } }");
	ck_assert(json_object_object_get_ex(top, "variables", &in));
	ck_assert(json_object_object_get_ex(in, "input", &in));
	ck_assert_str_eq(hark_json_str(in, "teamId", NULL), "team-1");
	ck_assert_str_eq(hark_json_str(in, "id", NULL), "uuid-1");
	ck_assert_str_eq(hark_json_str(in, "title", NULL), "a \"title\"");
	ck_assert_str_eq(hark_json_str(in, "description", NULL),
	    "x\ny } mutation {");
	json_object_put(top);
	hark_buf_reset(&b);
	ck_assert_int_eq(hark_linear_comment_request("iss-1", "hi/there", &b),
	    0);
	ck_assert_str_eq(b.data, "{\"query\":\"mutation HarkCommentCreate("
	    "$input: CommentCreateInput!) { commentCreate(input: $input) { "
	    "success comment { id } } }\",\"variables\":{\"input\":{\"issueId\":"
	    "\"iss-1\",\"body\":\"hi/there\"}}}");
	hark_buf_free(&b);
}
END_TEST

START_TEST(issue_lookup_by_id)
{
	struct hark_buf			 b = { NULL, 0, 0 };
	struct hark_linear_answer	 a;

	ck_assert_int_eq(hark_linear_issue_query("u-1", &b), 0);
	ck_assert_str_eq(b.data, "{\"query\":\"query HarkIssue($id: String!) "
	    "{ issue(id: $id) { id identifier url } }\",\"variables\":"
	    "{\"id\":\"u-1\"}}");
	hark_buf_free(&b);
	ck_assert_int_eq(hark_linear_parse("issue", 200, S("{\"data\": "
	    "{\"issue\": {\"id\": \"u-1\", \"identifier\": \"ENG-3\", "
	    "\"url\": \"https://linear.app/t/issue/ENG-3\"}}}"), &a),
	    HARK_LINEAR_OK);
	ck_assert_str_eq(a.identifier, "ENG-3");
	ck_assert_int_eq(hark_linear_parse("issue", 200, S("{\"data\": "
	    "{\"issue\": null}}"), &a), HARK_LINEAR_FAIL);
	ck_assert_int_eq(hark_linear_parse("issue", 200, S("{\"errors\": "
	    "[{\"message\": \"Entity not found: Issue\", \"extensions\": "
	    "{\"code\": \"INVALID_INPUT\"}}], \"data\": null}"), &a),
	    HARK_LINEAR_FAIL);
}
END_TEST

START_TEST(issue_uuid_is_stable_and_version_4)
{
	char	 a[37], b[37], c[37];

	ck_assert_int_eq(hark_linear_issue_uuid("fb_1", a), 0);
	ck_assert_int_eq(hark_linear_issue_uuid("fb_1", b), 0);
	ck_assert_int_eq(hark_linear_issue_uuid("fb_2", c), 0);
	ck_assert_str_eq(a, b);
	ck_assert_str_ne(a, c);
	ck_assert_uint_eq(strlen(a), 36);
	ck_assert_int_eq(a[14], '4');
	ck_assert_ptr_nonnull(strchr("89ab", a[19]));
}
END_TEST

START_TEST(auth_header_personal_key_or_bearer)
{
	char	 h[128];

	ck_assert_int_eq(hark_linear_auth_header("lin_api_abc", h, sizeof(h)),
	    0);
	ck_assert_str_eq(h, "Authorization: lin_api_abc");
	ck_assert_int_eq(hark_linear_auth_header("lin_oauth_xyz", h,
	    sizeof(h)), 0);
	ck_assert_str_eq(h, "Authorization: Bearer lin_oauth_xyz");
	ck_assert_int_eq(hark_linear_auth_header("Bearer tok", h, sizeof(h)),
	    0);
	ck_assert_str_eq(h, "Authorization: Bearer tok");
	ck_assert_int_eq(hark_linear_auth_header("", h, sizeof(h)), -1);
	ck_assert_int_eq(hark_linear_auth_header("lin_api_a\r\nX: y", h,
	    sizeof(h)), -1);
	ck_assert_int_eq(hark_linear_auth_header("lin_api_\xc3\xa9", h,
	    sizeof(h)), -1);
	ck_assert_int_eq(hark_linear_auth_header("lin_api_abcdefgh", h, 20),
	    -1);
}
END_TEST

static enum hark_linear_rc
parse(const char *op, long status, const char *body,
    struct hark_linear_answer *a)
{
	return hark_linear_parse(op, status, body, strlen(body), a);
}

START_TEST(parse_issue_created)
{
	struct hark_linear_answer	 a;

	ck_assert_int_eq(parse("issueCreate", 200, "{\"data\": {\"issueCreate\": "
	    "{\"success\": true, \"issue\": {\"id\": \"9cfb-1\", \"identifier\": "
	    "\"ENG-12\", \"url\": \"https://linear.app/t/issue/ENG-12/x\"}}}}",
	    &a), HARK_LINEAR_OK);
	ck_assert_str_eq(a.id, "9cfb-1");
	ck_assert_str_eq(a.identifier, "ENG-12");
	ck_assert_str_eq(a.url, "https://linear.app/t/issue/ENG-12/x");
	ck_assert_int_eq(parse("commentCreate", 200, "{\"data\": "
	    "{\"commentCreate\": {\"success\": true, \"comment\": {\"id\": "
	    "\"c-1\"}}}}", &a), HARK_LINEAR_OK);
	ck_assert_str_eq(a.id, "c-1");
}
END_TEST

START_TEST(parse_graphql_errors)
{
	struct hark_linear_answer	 a;

	ck_assert_int_eq(parse("issueCreate", 200, "{\"errors\": [{\"message\": "
	    "\"Argument Validation Error: secret text\", \"extensions\": "
	    "{\"code\": \"INVALID_INPUT\"}}], \"data\": null}", &a),
	    HARK_LINEAR_FAIL);
	ck_assert_str_eq(a.why, "linear: HTTP 200, GraphQL errors: INVALID_INPUT");
	ck_assert_ptr_null(strstr(a.why, "secret"));
	ck_assert_int_eq(parse("issueCreate", 400, "{\"errors\": [{\"message\": "
	    "\"x\", \"extensions\": {\"code\": \"AUTHENTICATION_ERROR\"}}]}", &a),
	    HARK_LINEAR_FAIL);
	ck_assert_str_eq(a.why,
	    "linear: HTTP 400, GraphQL errors: AUTHENTICATION_ERROR");
	ck_assert_int_eq(parse("issueCreate", 400, "{\"errors\": [{\"message\": "
	    "\"x\", \"extensions\": {\"code\": \"RATELIMITED\"}}]}", &a),
	    HARK_LINEAR_RETRY);
	ck_assert_int_eq(parse("issueCreate", 200, "{\"errors\": [{\"message\": "
	    "\"x\"}]}", &a), HARK_LINEAR_FAIL);
	ck_assert_str_eq(a.why, "linear: HTTP 200, GraphQL errors: no code");
	ck_assert_int_eq(parse("issueCreate", 503, "{\"errors\": [{\"message\": "
	    "\"x\", \"extensions\": {\"code\": \"bad\\n\\u0000code\"}}]}", &a),
	    HARK_LINEAR_RETRY);
	ck_assert_str_eq(a.why, "linear: HTTP 503, GraphQL errors: badcode");
}
END_TEST

START_TEST(parse_statuses_and_broken_answers)
{
	struct hark_linear_answer	 a;

	ck_assert_int_eq(parse("issueCreate", 429, "", &a), HARK_LINEAR_RETRY);
	ck_assert_int_eq(parse("issueCreate", 502, "<html>", &a),
	    HARK_LINEAR_RETRY);
	ck_assert_str_eq(a.why, "linear: HTTP 502");
	ck_assert_int_eq(parse("issueCreate", 401, "Unauthorized", &a),
	    HARK_LINEAR_FAIL);
	ck_assert_int_eq(parse("issueCreate", 200, "<html>", &a),
	    HARK_LINEAR_RETRY);
	ck_assert_int_eq(parse("issueCreate", 200, "{\"data\": {}}", &a),
	    HARK_LINEAR_FAIL);
	ck_assert_int_eq(parse("issueCreate", 200, "{\"data\": {\"issueCreate\": "
	    "{\"success\": false, \"issue\": null}}}", &a), HARK_LINEAR_FAIL);
	ck_assert_str_eq(a.why, "linear: issueCreate did not succeed");
	ck_assert_int_eq(parse("issueCreate", 200, "{\"data\": {\"issueCreate\": "
	    "{\"success\": true, \"issue\": {\"id\": \"has space\"}}}}", &a),
	    HARK_LINEAR_FAIL);
	ck_assert_int_eq(parse("issueCreate", 200, "[1]", &a),
	    HARK_LINEAR_RETRY);
	/* A url that is not https is left out; the issue stands. */
	ck_assert_int_eq(parse("issueCreate", 200, "{\"data\": {\"issueCreate\": "
	    "{\"success\": true, \"issue\": {\"id\": \"i\", \"url\": "
	    "\"javascript:alert(1)\"}}}}", &a), HARK_LINEAR_OK);
	ck_assert_str_eq(a.url, "");
}
END_TEST

static Suite *
linear_suite(void)
{
	Suite	*s = suite_create("linear");
	TCase	*tc = tcase_create("linear");

	tcase_add_test(tc, first_sentence_ends_at_punctuation_and_space);
	tcase_add_test(tc, first_sentence_keeps_decimals_urls_and_abbreviations);
	tcase_add_test(tc, first_sentence_stops_at_a_line_break);
	tcase_add_test(tc, title_prefers_triage_then_first_sentence);
	tcase_add_test(tc, title_collapses_white_space_and_controls);
	tcase_add_test(tc, title_cuts_long_text_on_a_word_boundary);
	tcase_add_test(tc, title_cuts_one_long_word_at_the_limit);
	tcase_add_test(tc, title_never_splits_a_code_point);
	tcase_add_test(tc, description_has_every_part);
	tcase_add_test(tc, description_escapes_what_the_submitter_wrote);
	tcase_add_test(tc,
	    description_fence_outlasts_backticks_and_keeps_the_last_errors);
	tcase_add_test(tc,
	    description_bounds_a_console_line_and_skips_bad_context);
	tcase_add_test(tc, description_links_are_relative_without_a_base);
	tcase_add_test(tc, arbitrary_bytes_make_clean_utf8_that_round_trips);
	tcase_add_test(tc, comment_bodies);
	tcase_add_test(tc, requests_carry_values_as_variables);
	tcase_add_test(tc, issue_lookup_by_id);
	tcase_add_test(tc, issue_uuid_is_stable_and_version_4);
	tcase_add_test(tc, auth_header_personal_key_or_bearer);
	tcase_add_test(tc, parse_issue_created);
	tcase_add_test(tc, parse_graphql_errors);
	tcase_add_test(tc, parse_statuses_and_broken_answers);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(linear_suite());
	int	 nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
