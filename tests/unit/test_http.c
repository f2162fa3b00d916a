/* test_http.c: the request/response model: paths, queries, headers, bodies, errors. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

struct membody {
	const char	*p;
	size_t		 left;
};

static ssize_t
mem_read(void *ctx, void *buf, size_t n)
{
	struct membody	*m = ctx;

	if (n > m->left)
		n = m->left;
	memcpy(buf, m->p, n);
	m->p += n;
	m->left -= n;
	return (ssize_t)n;
}

static int
parse(const char *uri, const char *base, struct hark_req *req, const char **why)
{
	hark_req_init(req);
	req->uri = strdup(uri);
	return hark_req_parse_uri(req, base, why);
}

START_TEST(decodes_path_and_splits_query)
{
	struct hark_req	 req;
	const char	*why;

	ck_assert_int_eq(parse("/v1/feed%62ack?x=1&y=%41", "", &req, &why), 0);
	ck_assert_str_eq(req.path, "/v1/feedback");
	ck_assert_str_eq(req.query, "x=1&y=%41");
	hark_req_free(&req);
}
END_TEST

START_TEST(rejects_encoded_nul)
{
	struct hark_req	 req;
	const char	*why;

	ck_assert_int_eq(parse("/v1/health%00.json", "", &req, &why), 400);
	ck_assert_ptr_null(req.path);
	hark_req_free(&req);
}
END_TEST

START_TEST(rejects_encoded_slash_in_either_case)
{
	struct hark_req	 req;
	const char	*why;

	ck_assert_int_eq(parse("/v1%2Fhealth", "", &req, &why), 400);
	ck_assert_ptr_null(req.path);
	hark_req_free(&req);
	ck_assert_int_eq(parse("/v1/feedback/fb_x%2fy", "", &req, &why), 400);
	hark_req_free(&req);
	/* In the query string it is data, not structure. */
	ck_assert_int_eq(parse("/v1/health?page=%2Fdocs", "", &req, &why), 0);
	ck_assert_str_eq(req.path, "/v1/health");
	hark_req_free(&req);
}
END_TEST

START_TEST(rejects_dot_dot_segments_even_encoded)
{
	struct hark_req	 req;
	const char	*why;

	ck_assert_int_eq(parse("/v1/../etc/passwd", "", &req, &why), 400);
	hark_req_free(&req);
	ck_assert_int_eq(parse("/v1/%2e%2e/x", "", &req, &why), 400);
	hark_req_free(&req);
	ck_assert_int_eq(parse("/v1/./health", "", &req, &why), 400);
	hark_req_free(&req);
	/* Dots inside a segment are ordinary characters. */
	ck_assert_int_eq(parse("/v1/a..b", "", &req, &why), 0);
	hark_req_free(&req);
}
END_TEST

START_TEST(rejects_bad_escapes)
{
	struct hark_req	 req;
	const char	*why;

	ck_assert_int_eq(parse("/v1/%zz", "", &req, &why), 400);
	hark_req_free(&req);
	ck_assert_int_eq(parse("/v1/%4", "", &req, &why), 400);
	hark_req_free(&req);
	ck_assert_int_eq(parse("/v1/%", "", &req, &why), 400);
	hark_req_free(&req);
}
END_TEST

START_TEST(refuses_paths_over_2048_bytes_with_414)
{
	struct hark_req	 req;
	const char	*why;
	char		*uri = malloc(3001);

	uri[0] = '/';
	memset(uri + 1, 'a', 2999);
	uri[3000] = '\0';
	ck_assert_int_eq(parse(uri, "", &req, &why), 414);
	hark_req_free(&req);
	free(uri);
}
END_TEST

START_TEST(strips_base_path)
{
	struct hark_req	 req;
	const char	*why;

	ck_assert_int_eq(parse("/hark/v1/health", "/hark", &req, &why), 0);
	ck_assert_str_eq(req.path, "/v1/health");
	hark_req_free(&req);
	ck_assert_int_eq(parse("/harkx/v1/health", "/hark", &req, &why), 404);
	hark_req_free(&req);
	ck_assert_int_eq(parse("/hark", "/hark", &req, &why), 0);
	ck_assert_str_eq(req.path, "/");
	hark_req_free(&req);
}
END_TEST

START_TEST(query_params_decode_and_flag_bad_ones)
{
	struct hark_req	 req;
	const char	*why;
	char		*v;
	bool		 bad;

	ck_assert_int_eq(parse("/x?publicKey=pk_a%2Bb&q=hello+world&e=&n=%00", "",
	    &req, &why), 0);
	v = hark_req_query_param(&req, "publicKey", &bad);
	ck_assert_str_eq(v, "pk_a+b");
	free(v);
	v = hark_req_query_param(&req, "q", &bad);
	ck_assert_str_eq(v, "hello world");
	free(v);
	v = hark_req_query_param(&req, "e", &bad);
	ck_assert_str_eq(v, "");
	free(v);
	ck_assert_ptr_null(hark_req_query_param(&req, "missing", &bad));
	ck_assert(!bad);
	ck_assert_ptr_null(hark_req_query_param(&req, "n", &bad));
	ck_assert(bad);
	ck_assert_ptr_null(hark_req_query_param(&req, "publicKe", &bad));
	hark_req_free(&req);
}
END_TEST

START_TEST(query_names_outside_the_list_are_found)
{
	static const char *const known[] = { "limit", "q", NULL };
	struct hark_req	 req;
	const char	*why;
	char		 name[8];

	ck_assert_int_eq(parse("/v1/x?limit=1&q=a&&limit", "", &req, &why), 0);
	ck_assert(!hark_req_query_unknown(&req, known, name, sizeof(name)));
	hark_req_free(&req);
	ck_assert_int_eq(parse("/v1/x?limit=1&per_page=5&x=1", "", &req, &why), 0);
	ck_assert(hark_req_query_unknown(&req, known, name, sizeof(name)));
	ck_assert_str_eq(name, "per_pag");	/* the first, truncated */
	hark_req_free(&req);
	ck_assert_int_eq(parse("/v1/x?lim", "", &req, &why), 0);
	ck_assert(hark_req_query_unknown(&req, known, name, sizeof(name)));
	ck_assert_str_eq(name, "lim");
	hark_req_free(&req);
}
END_TEST

START_TEST(headers_are_case_insensitive)
{
	struct hark_req	 req;

	hark_req_init(&req);
	ck_assert_int_eq(hark_req_add_header(&req, "X-Hark-Key", "sk_1"), 0);
	ck_assert_str_eq(req.headers[0].name, "x-hark-key");
	ck_assert_str_eq(hark_req_header(&req, "X-HARK-KEY"), "sk_1");
	ck_assert_ptr_null(hark_req_header(&req, "authorization"));
	hark_req_free(&req);
}
END_TEST

START_TEST(env_headers_become_lower_case_dashed_names)
{
	char		*env[] = { "REQUEST_METHOD=GET", "HTTP_X_HARK_KEY=sk_1",
	    "HTTP_ACCEPT=*/*", "HTTP_=x", "HTTPS=on", NULL };
	char		 dup[64];
	struct hark_req	 req;

	hark_req_init(&req);
	ck_assert_int_eq(hark_req_add_env_headers(&req, env, dup, sizeof(dup)),
	    0);
	ck_assert_uint_eq(req.nheaders, 2);
	ck_assert_str_eq(req.headers[0].name, "x-hark-key");
	ck_assert_str_eq(hark_req_header(&req, "accept"), "*/*");
	ck_assert_str_eq(dup, "");
	hark_req_free(&req);
}
END_TEST

/* X_Hark_Key and X-Hark-Key: one checked by a proxy, the other read here. */
START_TEST(refuses_a_credential_header_carried_twice)
{
	static const char *const names[] = {
		"HTTP_X_HARK_KEY", "HTTP_X_HARK_PROJECT", "HTTP_X_EARSHOT_KEY",
		"HTTP_AUTHORIZATION", "HTTP_ORIGIN", "HTTP_X_FORWARDED_FOR",
		"HTTP_FORWARDED", "HTTP_COOKIE", "HTTP_HOST",
	};
	char		 a[64], b[64], want[64], dup[64];
	char		*env[] = { a, "HTTP_ACCEPT=*/*", b, NULL };
	struct hark_req	 req;
	size_t		 i, k;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(a, sizeof(a), "%s=checked", names[i]);
		snprintf(b, sizeof(b), "%s=smuggled", names[i]);
		for (k = 0; names[i][5 + k] != '\0'; k++)
			want[k] = names[i][5 + k] == '_' ? '-' :
			    (char)(names[i][5 + k] - 'A' + 'a');
		want[k] = '\0';
		hark_req_init(&req);
		ck_assert_int_eq(hark_req_add_env_headers(&req, env, dup,
		    sizeof(dup)), -2);
		ck_assert_str_eq(dup, want);
		ck_assert_ptr_null(strstr(dup, "smuggled"));
		hark_req_free(&req);
	}
}
END_TEST

/* nginx before 1.23 passes each repeated line: a list, as RFC 9110 combines. */
START_TEST(combines_any_other_header_carried_twice)
{
	char		*env[] = { "HTTP_ACCEPT_LANGUAGE=en",
	    "HTTP_ACCEPT=*/*", "HTTP_ACCEPT_LANGUAGE=de;q=0.5", NULL };
	char		 dup[64];
	struct hark_req	 req;

	hark_req_init(&req);
	ck_assert_int_eq(hark_req_add_env_headers(&req, env, dup, sizeof(dup)),
	    0);
	ck_assert_uint_eq(req.nheaders, 2);
	ck_assert_str_eq(hark_req_header(&req, "accept-language"),
	    "en, de;q=0.5");
	hark_req_free(&req);
}
END_TEST

START_TEST(content_type_ignores_parameters_and_case)
{
	struct hark_req	 req;

	hark_req_init(&req);
	req.content_type = strdup("Application/JSON; charset=utf-8");
	ck_assert(hark_req_content_type_is(&req, "application/json"));
	ck_assert(!hark_req_content_type_is(&req, "application/js"));
	free(req.content_type);
	req.content_type = strdup("application/jsonx");
	ck_assert(!hark_req_content_type_is(&req, "application/json"));
	hark_req_free(&req);
}
END_TEST

START_TEST(read_body_enforces_limit_while_reading)
{
	struct hark_req	 req;
	struct hark_buf	 out = { 0 };
	struct membody	 m = { "0123456789", 10 };

	hark_req_init(&req);
	req.body_read = mem_read;
	req.body_ctx = &m;
	/* No Content-Length: the limit must still hold. */
	ck_assert_int_eq(hark_req_read_body(&req, 5, &out), -2);
	hark_buf_free(&out);

	m.p = "0123456789";
	m.left = 10;
	req.body_seen = 0;
	ck_assert_int_eq(hark_req_read_body(&req, 10, &out), 0);
	ck_assert_uint_eq(out.len, 10);
	ck_assert_str_eq(out.data, "0123456789");
	hark_buf_free(&out);

	req.content_length = 11;
	ck_assert_int_eq(hark_req_read_body(&req, 10, &out), -2);
	hark_buf_free(&out);
	hark_req_free(&req);
}
END_TEST

START_TEST(error_format_has_code_message_field)
{
	struct hark_resp	 resp;

	hark_resp_init(&resp);
	ck_assert_int_eq(hark_resp_error(&resp, 400, "too_long", "text",
	    "text must be at most %d characters", 5000), 0);
	ck_assert_int_eq(resp.status, 400);
	ck_assert_str_eq(resp.body.data, "{\"error\":{\"code\":\"too_long\","
	    "\"message\":\"text must be at most 5000 characters\","
	    "\"field\":\"text\"}}");
	ck_assert_str_eq(resp.content_type, "application/json; charset=utf-8");
	hark_resp_free(&resp);
}
END_TEST

START_TEST(widget_errors_carry_success_false)
{
	struct hark_resp	 resp;

	hark_resp_init(&resp);
	resp.widget_errors = true;
	hark_resp_error(&resp, 401, "invalid_token", NULL, "expired");
	ck_assert_str_eq(resp.body.data, "{\"success\":false,\"error\":"
	    "{\"code\":\"invalid_token\",\"message\":\"expired\"}}");
	hark_resp_free(&resp);
}
END_TEST

START_TEST(response_headers_replace_by_name)
{
	struct hark_resp	 resp;

	hark_resp_init(&resp);
	hark_resp_header(&resp, "Retry-After", "%d", 5);
	hark_resp_header(&resp, "retry-after", "%d", 7);
	ck_assert_uint_eq(resp.nheaders, 1);
	ck_assert_str_eq(hark_resp_get_header(&resp, "RETRY-AFTER"), "7");
	hark_resp_free(&resp);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("http");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 nf;

	tcase_add_test(tc, decodes_path_and_splits_query);
	tcase_add_test(tc, rejects_encoded_nul);
	tcase_add_test(tc, query_names_outside_the_list_are_found);
	tcase_add_test(tc, rejects_encoded_slash_in_either_case);
	tcase_add_test(tc, rejects_dot_dot_segments_even_encoded);
	tcase_add_test(tc, rejects_bad_escapes);
	tcase_add_test(tc, refuses_paths_over_2048_bytes_with_414);
	tcase_add_test(tc, strips_base_path);
	tcase_add_test(tc, query_params_decode_and_flag_bad_ones);
	tcase_add_test(tc, headers_are_case_insensitive);
	tcase_add_test(tc, env_headers_become_lower_case_dashed_names);
	tcase_add_test(tc, refuses_a_credential_header_carried_twice);
	tcase_add_test(tc, combines_any_other_header_carried_twice);
	tcase_add_test(tc, content_type_ignores_parameters_and_case);
	tcase_add_test(tc, read_body_enforces_limit_while_reading);
	tcase_add_test(tc, error_format_has_code_message_field);
	tcase_add_test(tc, widget_errors_carry_success_false);
	tcase_add_test(tc, response_headers_replace_by_name);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
