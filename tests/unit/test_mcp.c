/* test_mcp.c: lib/mcp, the Model Context Protocol's revisions, messages and answers. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <json-c/json.h>

#include "mcp.h"

START_TEST(versions_negotiated)
{
	ck_assert_str_eq(hark_mcp_negotiate("2025-06-18"), "2025-06-18");
	ck_assert_str_eq(hark_mcp_negotiate("2025-11-25"), "2025-11-25");
	ck_assert_str_eq(hark_mcp_negotiate("2025-03-26"), "2025-03-26");
	/* Unknown, older (HTTP+SSE) or not a revision: hark's latest. */
	ck_assert_str_eq(hark_mcp_negotiate("2024-11-05"), HARK_MCP_LATEST);
	ck_assert_str_eq(hark_mcp_negotiate("2099-01-01"), HARK_MCP_LATEST);
	ck_assert_str_eq(hark_mcp_negotiate(""), HARK_MCP_LATEST);
	ck_assert_str_eq(hark_mcp_negotiate(NULL), HARK_MCP_LATEST);
	ck_assert_ptr_null(hark_mcp_version_find("2025-06-18 "));
	ck_assert_ptr_null(hark_mcp_version_find("2026-07-28"));
	ck_assert_ptr_nonnull(hark_mcp_version_find(HARK_MCP_ASSUMED));
}
END_TEST

START_TEST(what_each_revision_allows)
{
	ck_assert(hark_mcp_batches("2025-03-26"));
	ck_assert(!hark_mcp_batches("2025-06-18"));
	ck_assert(!hark_mcp_batches("2025-11-25"));
	ck_assert(!hark_mcp_structured("2025-03-26"));
	ck_assert(hark_mcp_structured("2025-06-18"));
	ck_assert(hark_mcp_structured("2025-11-25"));
	ck_assert(!hark_mcp_args_tool_error("2025-06-18"));
	ck_assert(hark_mcp_args_tool_error("2025-11-25"));
}
END_TEST

START_TEST(versions_text)
{
	char	 buf[128], small[12];

	hark_mcp_versions_text(buf, sizeof(buf));
	ck_assert_str_eq(buf, "2025-11-25, 2025-06-18, 2025-03-26");
	hark_mcp_versions_text(small, sizeof(small));
	ck_assert_uint_lt(strlen(small), sizeof(small));
}
END_TEST

static struct hark_mcp_body
parse_ok(const char *s)
{
	struct hark_mcp_body	 b;
	char			 why[256];
	int			 code;

	ck_assert_msg(hark_mcp_body_parse(s, strlen(s), &b, &code, why,
	    sizeof(why)) == 0, "%s: %s", s, why);
	return b;
}

static int
parse_code(const char *s)
{
	struct hark_mcp_body	 b;
	char			 why[256];
	int			 code = 0;

	ck_assert_int_eq(hark_mcp_body_parse(s, strlen(s), &b, &code, why,
	    sizeof(why)), -1);
	ck_assert_ptr_null(b.tree);
	ck_assert(why[0] != '\0');
	return code;
}

START_TEST(messages_classified)
{
	struct hark_mcp_body	 b;

	b = parse_ok("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}");
	ck_assert(!b.batch);
	ck_assert_uint_eq(b.n, 1);
	ck_assert_int_eq(b.msgs[0].kind, HARK_MCP_REQUEST);
	ck_assert_str_eq(b.msgs[0].method, "ping");
	ck_assert_int_eq(json_object_get_int(b.msgs[0].id), 1);
	ck_assert_ptr_null(b.msgs[0].params);
	hark_mcp_body_free(&b);

	b = parse_ok("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/"
	    "initialized\"}");
	ck_assert_int_eq(b.msgs[0].kind, HARK_MCP_NOTIFICATION);
	hark_mcp_body_free(&b);

	b = parse_ok("{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"result\":{}}");
	ck_assert_int_eq(b.msgs[0].kind, HARK_MCP_RESPONSE);
	hark_mcp_body_free(&b);

	b = parse_ok("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"tools/"
	    "call\",\"params\":{\"name\":\"x\"}}");
	ck_assert_int_eq(b.msgs[0].kind, HARK_MCP_REQUEST);
	ck_assert_str_eq(json_object_get_string(b.msgs[0].id), "a");
	ck_assert_ptr_nonnull(b.msgs[0].params);
	hark_mcp_body_free(&b);
}
END_TEST

/* Each bad message is INVALID, keeping a usable id for the answer. */
START_TEST(invalid_messages)
{
	static const struct {
		const char	*body;
		bool		 id_kept;
	} bad[] = {
		{ "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}", true },
		{ "{\"id\":1,\"method\":\"ping\"}", true },
		{ "{\"jsonrpc\":2.0,\"id\":1,\"method\":\"ping\"}", true },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}", true },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1}", true },
		{ "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}", false },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}", false },
		{ "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}", false },
		{ "{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"ping\"}", false },
		{ "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\","
		  "\"params\":5}", true },
		{ "{\"jsonrpc\":\"2.0\",\"result\":{}}", false },
	};
	struct hark_mcp_body	 b;
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b = parse_ok(bad[i].body);
		ck_assert_msg(b.msgs[0].kind == HARK_MCP_INVALID, "%s",
		    bad[i].body);
		ck_assert_ptr_nonnull(b.msgs[0].why);
		ck_assert_msg((b.msgs[0].id != NULL) == bad[i].id_kept, "%s",
		    bad[i].body);
		hark_mcp_body_free(&b);
	}
}
END_TEST

START_TEST(batches)
{
	struct hark_mcp_body	 b;

	b = parse_ok(" [{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}, 3,"
	    "{\"jsonrpc\":\"2.0\",\"method\":\"n\"}]");
	ck_assert(b.batch);
	ck_assert_uint_eq(b.n, 3);
	ck_assert_int_eq(b.msgs[0].kind, HARK_MCP_REQUEST);
	ck_assert_int_eq(b.msgs[1].kind, HARK_MCP_INVALID);
	ck_assert_int_eq(b.msgs[2].kind, HARK_MCP_NOTIFICATION);
	hark_mcp_body_free(&b);
	ck_assert_int_eq(parse_code("[]"), HARK_MCP_INVALID_REQUEST);
	ck_assert_int_eq(parse_code(" [ ] "), HARK_MCP_INVALID_REQUEST);
}
END_TEST

START_TEST(parse_errors)
{
	ck_assert_int_eq(parse_code(""), HARK_MCP_PARSE_ERROR);
	ck_assert_int_eq(parse_code("{"), HARK_MCP_PARSE_ERROR);
	ck_assert_int_eq(parse_code("{\"jsonrpc\":\"2.0\"} x"),
	    HARK_MCP_PARSE_ERROR);
	ck_assert_int_eq(parse_code("[1,"), HARK_MCP_PARSE_ERROR);
	ck_assert_int_eq(parse_code("[1]]"), HARK_MCP_PARSE_ERROR);
	ck_assert_int_eq(parse_code("[1] {}"), HARK_MCP_PARSE_ERROR);
	ck_assert_int_eq(parse_code("\"ping\""), HARK_MCP_PARSE_ERROR);
	ck_assert_int_eq(parse_code("{\"a\":1,\"a\":2}"), HARK_MCP_PARSE_ERROR);
	ck_assert_int_eq(parse_code("{\"a\":\"\xff\"}"), HARK_MCP_PARSE_ERROR);
}
END_TEST

START_TEST(answers_shaped)
{
	struct json_object	*id = json_object_new_int(7), *o, *v;

	o = hark_mcp_result(id, json_object_new_object());
	ck_assert_str_eq(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN), "{\"jsonrpc\":\"2.0\",\"id\":7,"
	    "\"result\":{}}");
	json_object_put(o);
	o = hark_mcp_error(NULL, HARK_MCP_PARSE_ERROR, "Parse error", NULL);
	ck_assert_str_eq(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN), "{\"jsonrpc\":\"2.0\",\"id\":null,"
	    "\"error\":{\"code\":-32700,\"message\":\"Parse error\"}}");
	json_object_put(o);
	o = hark_mcp_initialize_result("2025-06-18", "1.2", "hi");
	ck_assert(json_object_object_get_ex(o, "protocolVersion", &v));
	ck_assert_str_eq(json_object_get_string(v), "2025-06-18");
	ck_assert(json_object_object_get_ex(o, "capabilities", &v));
	ck_assert(json_object_object_get_ex(v, "tools", NULL));
	json_object_put(o);
	json_object_put(id);
}
END_TEST

START_TEST(tool_results)
{
	struct json_object	*s, *o, *v;

	s = json_object_new_object();
	json_object_object_add(s, "a", json_object_new_string("x/y"));
	o = hark_mcp_tool_result(s, NULL, false, true);
	ck_assert(json_object_object_get_ex(o, "structuredContent", &v));
	ck_assert(json_object_object_get_ex(o, "content", &v));
	v = json_object_array_get_idx(v, 0);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(v,
	    "type")), "text");
	/* The text block is the same JSON, slashes unescaped. */
	ck_assert_str_eq(json_object_get_string(json_object_object_get(v,
	    "text")), "{\"a\":\"x/y\"}");
	ck_assert(!json_object_get_boolean(json_object_object_get(o,
	    "isError")));
	json_object_put(o);
	s = json_object_new_object();
	o = hark_mcp_tool_result(s, NULL, false, false);
	ck_assert(!json_object_object_get_ex(o, "structuredContent", NULL));
	json_object_put(o);
	o = hark_mcp_tool_result(NULL, "no such item", true, true);
	ck_assert(json_object_get_boolean(json_object_object_get(o,
	    "isError")));
	ck_assert(!json_object_object_get_ex(o, "structuredContent", NULL));
	json_object_put(o);
}
END_TEST

static struct json_object *
parse(const char *s)
{
	return json_tokener_parse(s);
}

START_TEST(call_params)
{
	struct json_object	*p, *args, *meta;
	const char		*name, *why;

	p = parse("{\"name\":\"get_feedback\",\"arguments\":{\"id\":\"x\"},"
	    "\"_meta\":{\"clientInfo\":{\"name\":\"a\"}}}");
	ck_assert_int_eq(hark_mcp_call_params(p, &name, &args, &meta, &why), 0);
	ck_assert_str_eq(name, "get_feedback");
	ck_assert_ptr_nonnull(args);
	ck_assert_ptr_nonnull(meta);
	json_object_put(p);
	p = parse("{\"name\":\"x\"}");
	ck_assert_int_eq(hark_mcp_call_params(p, &name, &args, &meta, &why), 0);
	ck_assert_ptr_null(args);
	json_object_put(p);
	p = parse("{\"name\":1}");
	ck_assert_int_eq(hark_mcp_call_params(p, &name, &args, &meta, &why), -1);
	json_object_put(p);
	p = parse("{\"name\":\"x\",\"arguments\":[1]}");
	ck_assert_int_eq(hark_mcp_call_params(p, &name, &args, &meta, &why), -1);
	json_object_put(p);
	ck_assert_int_eq(hark_mcp_call_params(NULL, &name, &args, &meta, &why),
	    -1);
	p = parse("{}");
	ck_assert_int_eq(hark_mcp_initialize_params(p, &name, &why), -1);
	json_object_put(p);
	p = parse("{\"protocolVersion\":\"2025-06-18\"}");
	ck_assert_int_eq(hark_mcp_initialize_params(p, &name, &why), 0);
	ck_assert_str_eq(name, "2025-06-18");
	json_object_put(p);
}
END_TEST

START_TEST(author)
{
	struct json_object	*m;
	char			 out[256], small[8];

	m = parse("{\"clientInfo\":{\"name\":\"claude-code\",\"version\":"
	    "\"2.1\"}}");
	hark_mcp_author(m, "curl/8", out, sizeof(out));
	ck_assert_str_eq(out, "claude-code/2.1");
	json_object_put(m);
	m = parse("{\"clientInfo\":{\"name\":\"bot\"}}");
	hark_mcp_author(m, NULL, out, sizeof(out));
	ck_assert_str_eq(out, "bot");
	json_object_put(m);
	/* No name: the User-Agent, control characters dropped. */
	m = parse("{\"clientInfo\":{\"version\":\"1\"}}");
	hark_mcp_author(m, "agent\n/1", out, sizeof(out));
	ck_assert_str_eq(out, "agent/1");
	json_object_put(m);
	hark_mcp_author(NULL, NULL, out, sizeof(out));
	ck_assert_str_eq(out, "mcp-client");
	hark_mcp_author(NULL, "\x01\x02", out, sizeof(out));
	ck_assert_str_eq(out, "mcp-client");
	hark_mcp_author(NULL, "a-very-long-agent", small, sizeof(small));
	ck_assert_str_eq(small, "a-very-");
}
END_TEST

static Suite *
mcp_suite(void)
{
	Suite	*s = suite_create("mcp");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, versions_negotiated);
	tcase_add_test(tc, what_each_revision_allows);
	tcase_add_test(tc, versions_text);
	tcase_add_test(tc, messages_classified);
	tcase_add_test(tc, invalid_messages);
	tcase_add_test(tc, batches);
	tcase_add_test(tc, parse_errors);
	tcase_add_test(tc, answers_shaped);
	tcase_add_test(tc, tool_results);
	tcase_add_test(tc, call_params);
	tcase_add_test(tc, author);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(mcp_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
