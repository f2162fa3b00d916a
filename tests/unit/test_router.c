/* test_router.c: route matching, params, 404/405/413/415 through the application pipeline. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "conf.h"
#include "http.h"
#include "router.h"

static int	handled;

static void
h_ok(const struct hark_call *c)
{
	handled++;
	c->resp->status = 200;
}

static const struct hark_route table[] = {
	{ "GET", "/v1/feedback", h_ok, NULL, 0, 0, HARK_AUTH_NONE, NULL, NULL },
	{ "POST", "/v1/feedback", h_ok, "application/json multipart/form-data", 0, 0, HARK_AUTH_NONE, NULL, NULL },
	{ "GET", "/v1/feedback/{id}", h_ok, NULL, 0, 0, HARK_AUTH_NONE, NULL, NULL },
	{ "DELETE", "/v1/feedback/{id}", h_ok, NULL, 0, 0, HARK_AUTH_NONE, NULL, NULL },
	{ "GET", "/v1/feedback/{id}/media/{kind}", h_ok, NULL, 0, 0, HARK_AUTH_NONE, NULL, NULL },
};
#define NTABLE	(sizeof(table) / sizeof(table[0]))

static void
mkreq(struct hark_req *req, const char *method, const char *path)
{
	hark_req_init(req);
	req->method = strdup(method);
	req->path = strdup(path);
}

START_TEST(matches_static_path)
{
	struct hark_req		 req;
	const struct hark_route	*r;
	char			 allow[64];

	mkreq(&req, "POST", "/v1/feedback");
	ck_assert_int_eq(hark_router_match(table, NTABLE, &req, &r, allow,
	    sizeof(allow)), HARK_ROUTE_FOUND);
	ck_assert_ptr_eq(r, &table[1]);
	hark_req_free(&req);
}
END_TEST

START_TEST(captures_params)
{
	struct hark_req		 req;
	const struct hark_route	*r;
	char			 allow[64];

	mkreq(&req, "GET", "/v1/feedback/fb_123/media/audio");
	ck_assert_int_eq(hark_router_match(table, NTABLE, &req, &r, allow,
	    sizeof(allow)), HARK_ROUTE_FOUND);
	ck_assert_str_eq(hark_req_param(&req, "id"), "fb_123");
	ck_assert_str_eq(hark_req_param(&req, "kind"), "audio");
	ck_assert_ptr_null(hark_req_param(&req, "i"));
	hark_req_free(&req);
}
END_TEST

START_TEST(empty_segment_is_not_a_param)
{
	struct hark_req		 req;
	const struct hark_route	*r;
	char			 allow[64];

	mkreq(&req, "GET", "/v1/feedback/");
	ck_assert_int_eq(hark_router_match(table, NTABLE, &req, &r, allow,
	    sizeof(allow)), HARK_ROUTE_NO_PATH);
	hark_req_free(&req);
	mkreq(&req, "GET", "/v1/feedback//media/audio");
	ck_assert_int_eq(hark_router_match(table, NTABLE, &req, &r, allow,
	    sizeof(allow)), HARK_ROUTE_NO_PATH);
	hark_req_free(&req);
}
END_TEST

START_TEST(wrong_method_lists_allowed_ones)
{
	struct hark_req		 req;
	const struct hark_route	*r;
	char			 allow[64];

	mkreq(&req, "PUT", "/v1/feedback/fb_1");
	ck_assert_int_eq(hark_router_match(table, NTABLE, &req, &r, allow,
	    sizeof(allow)), HARK_ROUTE_NO_METHOD);
	ck_assert_str_eq(allow, "GET, HEAD, DELETE");
	ck_assert_uint_eq(req.nparams, 0);
	hark_req_free(&req);
}
END_TEST

START_TEST(head_matches_get_routes)
{
	struct hark_req		 req;
	const struct hark_route	*r;
	char			 allow[64];

	mkreq(&req, "HEAD", "/v1/feedback");
	ck_assert_int_eq(hark_router_match(table, NTABLE, &req, &r, allow,
	    sizeof(allow)), HARK_ROUTE_FOUND);
	ck_assert_ptr_eq(r, &table[0]);
	hark_req_free(&req);
}
END_TEST

START_TEST(unknown_path_and_prefixes_do_not_match)
{
	struct hark_req		 req;
	const struct hark_route	*r;
	char			 allow[64];

	mkreq(&req, "GET", "/v1/feedbacks");
	ck_assert_int_eq(hark_router_match(table, NTABLE, &req, &r, allow,
	    sizeof(allow)), HARK_ROUTE_NO_PATH);
	hark_req_free(&req);
	mkreq(&req, "GET", "/v1");
	ck_assert_int_eq(hark_router_match(table, NTABLE, &req, &r, allow,
	    sizeof(allow)), HARK_ROUTE_NO_PATH);
	hark_req_free(&req);
}
END_TEST

START_TEST(accepts_listed_media_types_only)
{
	struct hark_req	 req;

	mkreq(&req, "POST", "/v1/feedback");
	req.content_type = strdup("multipart/form-data; boundary=x");
	ck_assert(hark_router_accepts(&table[1], &req));
	free(req.content_type);
	req.content_type = strdup("text/plain");
	ck_assert(!hark_router_accepts(&table[1], &req));
	ck_assert(!hark_router_accepts(&table[0], &req));
	hark_req_free(&req);
}
END_TEST

/* The real pipeline, with the real route table and default configuration. */
#include "app_fixture.h"

static void
app_fixture_tune(struct hark_conf *c)
{
	c->max_body = 1000;
}

static int
run(const char *method, const char *uri, long long clen, const char *ctype,
    struct hark_resp *resp)
{
	struct hark_req	 req;

	hark_req_init(&req);
	req.method = strdup(method);
	req.uri = strdup(uri);
	req.content_length = clen;
	if (ctype != NULL)
		req.content_type = strdup(ctype);
	hark_resp_init(resp);
	hark_app_handle(app, &req, resp);
	hark_req_free(&req);
	return resp->status;
}

START_TEST(unknown_path_is_404_json)
{
	struct hark_resp	 resp;

	ck_assert_int_eq(run("GET", "/nope", -1, NULL, &resp), 404);
	ck_assert_ptr_nonnull(strstr(resp.body.data, "\"code\":\"not_found\""));
	hark_resp_free(&resp);
}
END_TEST

START_TEST(wrong_method_on_health_is_405_with_allow)
{
	struct hark_resp	 resp;

	ck_assert_int_eq(run("DELETE", "/v1/health", -1, NULL, &resp), 405);
	ck_assert_str_eq(hark_resp_get_header(&resp, "Allow"),
	    "GET, HEAD, OPTIONS");
	hark_resp_free(&resp);
}
END_TEST

START_TEST(oversized_content_length_is_413_before_routing)
{
	struct hark_resp	 resp;

	ck_assert_int_eq(run("POST", "/anything", 1001, "application/json",
	    &resp), 413);
	ck_assert_ptr_nonnull(strstr(resp.body.data, "body_too_large"));
	hark_resp_free(&resp);
}
END_TEST

START_TEST(nul_in_path_is_400)
{
	struct hark_resp	 resp;

	ck_assert_int_eq(run("GET", "/v1/health%00", -1, NULL, &resp), 400);
	ck_assert_ptr_nonnull(strstr(resp.body.data, "bad_path"));
	hark_resp_free(&resp);
}
END_TEST

/*
 * A public key may only submit, poll its submission's state and identify
 * its session (issue 14 item 2): every route that takes one is named here,
 * so a new route cannot let pk_ keys read or change by a slip of its table
 * line.
 */
START_TEST(only_feedback_create_takes_public_keys)
{
	static const char *const allowed[][2] = {
		{ "POST", "/v1/feedback" },
		{ "GET", "/v1/feedback/session/{sessionId}/state" },
		{ "POST", "/v1/identify" },
	};
	size_t	 i, j;
	bool	 ok;

	for (i = 0; i < hark_nroutes; i++) {
		const struct hark_route	*r = &hark_routes[i];

		if (r->auth == HARK_AUTH_NONE || r->auth == HARK_AUTH_SECRET)
			continue;
		ok = false;
		for (j = 0; j < sizeof(allowed) / sizeof(allowed[0]); j++)
			ok |= strcmp(r->method, allowed[j][0]) == 0 &&
			    strcmp(r->pattern, allowed[j][1]) == 0;
		ck_assert_msg(ok, "%s %s takes public keys", r->method,
		    r->pattern);
	}
}
END_TEST

static int
run_with_key(const char *method, const char *uri, const char *key,
    struct hark_resp *resp)
{
	struct hark_req	 req;

	hark_req_init(&req);
	req.method = strdup(method);
	req.uri = strdup(uri);
	req.content_length = -1;
	req.remote_addr = strdup("192.0.2.1");
	ck_assert_int_eq(hark_req_add_header(&req, "x-earshot-project",
	    "prj_0123456789abcdefghjkmnpqrs"), 0);
	ck_assert_int_eq(hark_req_add_header(&req, "x-earshot-key", key), 0);
	hark_resp_init(resp);
	hark_app_handle(app, &req, resp);
	hark_req_free(&req);
	return resp->status;
}

/* Refused before any lookup: this app's database is never reached. */
START_TEST(public_key_on_a_secret_route_is_401)
{
	static const char *const	 calls[][2] = {
		{ "GET", "/v1/feedback" },
		{ "GET", "/v1/feedback/fb_0123456789abcdefghjkmnpqrs" },
		{ "DELETE", "/v1/feedback/fb_0123456789abcdefghjkmnpqrs" },
	};
	struct hark_resp		 resp;
	size_t				 i;

	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		ck_assert_int_eq(run_with_key(calls[i][0], calls[i][1],
		    "pk_0123456789ABCDEFGHIJKLMNOPQRSTUV", &resp), 401);
		ck_assert_ptr_nonnull(strstr(resp.body.data,
		    "\"code\":\"public_key_not_allowed\""));
		ck_assert_ptr_nonnull(hark_resp_get_header(&resp,
		    "WWW-Authenticate"));
		hark_resp_free(&resp);
	}
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("router");
	TCase	*tc = tcase_create("match"), *tp = tcase_create("pipeline");
	SRunner	*sr;
	int	 nf;

	tcase_add_test(tc, matches_static_path);
	tcase_add_test(tc, captures_params);
	tcase_add_test(tc, empty_segment_is_not_a_param);
	tcase_add_test(tc, wrong_method_lists_allowed_ones);
	tcase_add_test(tc, head_matches_get_routes);
	tcase_add_test(tc, unknown_path_and_prefixes_do_not_match);
	tcase_add_test(tc, accepts_listed_media_types_only);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tp, app_setup, app_teardown);
	tcase_add_test(tp, unknown_path_is_404_json);
	tcase_add_test(tp, wrong_method_on_health_is_405_with_allow);
	tcase_add_test(tp, oversized_content_length_is_413_before_routing);
	tcase_add_test(tp, nul_in_path_is_400);
	tcase_add_test(tp, only_feedback_create_takes_public_keys);
	tcase_add_test(tp, public_key_on_a_secret_route_is_401);
	suite_add_tcase(s, tp);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
