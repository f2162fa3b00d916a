/* test_json.c: strict parsing of request bodies and the declarative schema engine. */
#include "config.h"

#include <check.h>
#include <stddef.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "json.h"

/* ---- a schema shaped like hark's payloads ---- */

static const char *const categories[] = {
	"bug", "feature_request", "improvement", "question", "praise", "other",
	NULL
};
static const char *const levels[] = { "log", "info", "warn", "error", NULL };

static const struct hark_json_field viewport_fields[] = {
	{ .name = "width", .type = HARK_JSON_INT, .imin = 0, .imax = 100000 },
	{ .name = "height", .type = HARK_JSON_INT, .imin = 0, .imax = 100000 },
};
static const struct hark_json_schema viewport_schema = {
	viewport_fields, HARK_JSON_NFIELDS(viewport_fields), false, 0
};
static const struct hark_json_field device_fields[] = {
	{ .name = "viewport", .type = HARK_JSON_OBJECT,
	  .sub = &viewport_schema },
	{ .name = "touch", .type = HARK_JSON_BOOL },
};
static const struct hark_json_schema device_schema = {
	device_fields, HARK_JSON_NFIELDS(device_fields), false, 0
};
static const struct hark_json_field metadata_fields[] = {
	{ .name = "device", .type = HARK_JSON_OBJECT, .sub = &device_schema },
};
static const struct hark_json_schema metadata_schema = {
	metadata_fields, HARK_JSON_NFIELDS(metadata_fields), true, 0
};
static const struct hark_json_field console_fields[] = {
	{ .name = "level", .type = HARK_JSON_STRING,
	  .flags = HARK_JSON_REQUIRED, .one_of = levels },
	{ .name = "message", .type = HARK_JSON_STRING, .max = 1000 },
};
static const struct hark_json_schema console_schema = {
	console_fields, HARK_JSON_NFIELDS(console_fields), false, 0
};
static const struct hark_json_field console_item = {
	.type = HARK_JSON_OBJECT, .sub = &console_schema
};
static const struct hark_json_field label_item = {
	.type = HARK_JSON_STRING, .min = 1, .max = 32
};
static const struct hark_json_field feedback_fields[] = {
	{ .name = "text", .type = HARK_JSON_STRING,
	  .flags = HARK_JSON_REQUIRED | HARK_JSON_TRIM_NONEMPTY,
	  .min = 1, .max = 5000 },
	{ .name = "userEmail", .type = HARK_JSON_STRING,
	  .flags = HARK_JSON_NULLABLE, .check = hark_json_check_email },
	{ .name = "sessionId", .type = HARK_JSON_STRING,
	  .check = hark_json_check_uuid },
	{ .name = "category", .type = HARK_JSON_STRING, .one_of = categories },
	{ .name = "priority", .type = HARK_JSON_INT, .imin = 0, .imax = 4 },
	{ .name = "score", .type = HARK_JSON_NUMBER, .imin = -1, .imax = 1 },
	{ .name = "public", .type = HARK_JSON_BOOL },
	{ .name = "code", .type = HARK_JSON_STRING, .max_bytes = 8 },
	{ .name = "metadata", .type = HARK_JSON_OBJECT, .max_bytes = 16384,
	  .sub = &metadata_schema },
	{ .name = "context", .type = HARK_JSON_OBJECT, .max = 3 },
	{ .name = "console", .type = HARK_JSON_ARRAY, .max = 50,
	  .items = &console_item },
	{ .name = "labels", .type = HARK_JSON_ARRAY, .min = 1, .max = 3,
	  .items = &label_item },
	{ .name = "extra", .type = HARK_JSON_ANY, .max_bytes = 16 },
	{ .name = "at", .type = HARK_JSON_STRING,
	  .check = hark_json_check_rfc3339 },
};
static const struct hark_json_schema feedback_schema = {
	feedback_fields, HARK_JSON_NFIELDS(feedback_fields), false, 0
};

/* ---- helpers ---- */

static struct hark_json_err	 err;

static int
parse_len(const char *s, size_t len, struct json_object **out)
{
	memset(&err, 0, sizeof(err));
	return hark_json_parse(s, len, out, &err);
}

/* Parses s (must succeed) and returns the tree. */
static struct json_object *
must_parse(const char *s)
{
	struct json_object	*o = NULL;

	ck_assert_msg(parse_len(s, strlen(s), &o) == 0, "%s: %s %s", s,
	    err.code, err.message);
	ck_assert_ptr_nonnull(o);
	return o;
}

/* Expects parsing s to fail with code. */
static void
parse_fails(const char *s, size_t len, const char *code)
{
	struct json_object	*o = (struct json_object *)&o;

	ck_assert_msg(parse_len(s, len, &o) == -1, "accepted: %.*s",
	    (int)len, s);
	ck_assert_ptr_null(o);
	ck_assert_ptr_nonnull(err.code);
	ck_assert_msg(strcmp(err.code, code) == 0, "%.*s: got %s (%s), want %s",
	    (int)len, s, err.code, err.message, code);
	ck_assert(err.message[0] != '\0');
}

#define PARSE_FAILS(lit, code)	parse_fails(lit, sizeof(lit) - 1, code)

/* Parses and validates s against feedback_schema: the return code. */
static int
validate(const char *s)
{
	struct json_object	*o = must_parse(s);
	int			 rc;

	memset(&err, 0, sizeof(err));
	rc = hark_json_validate(o, &feedback_schema, &err);
	json_object_put(o);
	return rc;
}

static void
validate_fails(const char *s, const char *code, const char *field)
{
	ck_assert_msg(validate(s) == -1, "accepted: %s", s);
	ck_assert_msg(strcmp(err.code, code) == 0, "%s: got %s (%s), want %s",
	    s, err.code, err.message, code);
	ck_assert_str_eq(err.field, field);
}

/* A body whose text field is n copies of the UTF-8 sequence unit. */
static char *
text_body(const char *unit, size_t n)
{
	size_t	 ul = strlen(unit), i;
	char	*s = malloc(n * ul + 64), *p;

	ck_assert_ptr_nonnull(s);
	p = s + sprintf(s, "{\"text\":\"");
	for (i = 0; i < n; i++, p += ul)
		memcpy(p, unit, ul);
	strcpy(p, "\"}");
	return s;
}

/* {"a": followed by n nested arrays: n + 1 levels deep. */
static char *
nested_body(int n)
{
	char	*s = malloc((size_t)n * 2 + 16), *p;
	int	 i;

	ck_assert_ptr_nonnull(s);
	p = s + sprintf(s, "{\"a\":");
	for (i = 0; i < n; i++)
		*p++ = '[';
	for (i = 0; i < n; i++)
		*p++ = ']';
	strcpy(p, "}");
	return s;
}

/* ---- parsing ---- */

START_TEST(accepts_plain_object)
{
	struct json_object	*o;

	o = must_parse(" {\"text\": \"hello\", \"n\": [1, 2.5, true, false, "
	    "null, {}], \"o\": {\"k\": \"v\"}}\r\n\t");
	ck_assert_str_eq(hark_json_str(o, "text", NULL), "hello");
	ck_assert_int_eq(json_object_array_length(
	    json_object_object_get(o, "n")), 6);
	json_object_put(o);
}
END_TEST

START_TEST(rejects_trailing_garbage)
{
	PARSE_FAILS("{} x", "trailing_garbage");
	PARSE_FAILS("{\"a\":1}}", "trailing_garbage");
	PARSE_FAILS("{}{}", "trailing_garbage");
	PARSE_FAILS("{}\n\0", "trailing_garbage");
	json_object_put(must_parse("{}  \n\r\t "));
}
END_TEST

START_TEST(rejects_nesting_33_deep_accepts_32)
{
	struct json_object	*o;
	char			*ok = nested_body(HARK_JSON_MAX_DEPTH - 1);
	char			*deep = nested_body(HARK_JSON_MAX_DEPTH);

	o = must_parse(ok);
	json_object_put(o);
	parse_fails(deep, strlen(deep), "too_deep");
	ck_assert(strncmp(err.field, "a[0][0]", 7) == 0);
	free(ok);
	free(deep);
}
END_TEST

START_TEST(rejects_duplicate_keys_top_level)
{
	PARSE_FAILS("{\"text\":\"a\",\"text\":\"b\"}", "duplicate_key");
	ck_assert_str_eq(err.field, "text");
	ck_assert_str_eq(err.message, "text appears more than once in its "
	    "object");
}
END_TEST

START_TEST(rejects_duplicate_keys_nested)
{
	PARSE_FAILS("{\"metadata\":{\"device\":{\"w\":1,\"h\":2,\"w\":3}}}",
	    "duplicate_key");
	ck_assert_str_eq(err.field, "metadata.device.w");
	PARSE_FAILS("{\"console\":[{},{\"level\":1,\"level\":1}]}",
	    "duplicate_key");
	ck_assert_str_eq(err.field, "console[1].level");
}
END_TEST

START_TEST(duplicate_check_sees_escaped_keys)
{
	PARSE_FAILS("{\"ab\":1,\"a\\u0062\":2}", "duplicate_key");
	ck_assert_str_eq(err.field, "ab");
}
END_TEST

START_TEST(rejects_lone_surrogate_escape)
{
	PARSE_FAILS("{\"text\":\"\\ud800\"}", "invalid_utf8");
	ck_assert_str_eq(err.field, "text");
	PARSE_FAILS("{\"text\":\"\\uDC00x\"}", "invalid_utf8");
	PARSE_FAILS("{\"text\":\"\\ud800\\u0041\"}", "invalid_utf8");
	PARSE_FAILS("{\"text\":\"\\ud800\\ud800\"}", "invalid_utf8");
	PARSE_FAILS("{\"a\":[\"ok\",\"\\udbff\"]}", "invalid_utf8");
	ck_assert_str_eq(err.field, "a[1]");
}
END_TEST

START_TEST(decodes_surrogate_pair_escape)
{
	struct json_object	*o = must_parse("{\"e\":\"\\ud83d\\ude00\"}");
	size_t			 len;
	const char		*s = hark_json_str(o, "e", &len);

	ck_assert_uint_eq(len, 4);
	ck_assert(memcmp(s, "\xF0\x9F\x98\x80", 4) == 0);
	json_object_put(o);
}
END_TEST

START_TEST(rejects_invalid_utf8_bytes)
{
	PARSE_FAILS("{\"t\":\"\xff\"}", "invalid_utf8");
	ck_assert_str_eq(err.field, "t");
	PARSE_FAILS("{\"t\":\"\xc0\xaf\"}", "invalid_utf8");	/* overlong */
	PARSE_FAILS("{\"t\":\"\xed\xa0\x80\"}", "invalid_utf8");/* surrogate */
	PARSE_FAILS("{\"t\":\"\xe2\x82\"}", "invalid_utf8");	/* cut short */
	PARSE_FAILS("{\"t\":\"\xf4\x90\x80\x80\"}", "invalid_utf8");
	PARSE_FAILS("{\"m\":{\"k\xff\":1}}", "invalid_utf8");	/* in a key */
	ck_assert_str_eq(err.field, "m");
}
END_TEST

START_TEST(accepts_multibyte_utf8)
{
	struct json_object	*o = must_parse("{\"t\":\"h\xc3\xa9 \xe2\x82\xac "
	    "\xf0\x9f\x98\x80\"}");

	ck_assert_str_eq(hark_json_str(o, "t", NULL),
	    "h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	json_object_put(o);
}
END_TEST

START_TEST(keeps_escaped_nul_byte_exact)
{
	struct json_object	*o = must_parse("{\"t\":\"a\\u0000b\\u0000\"}");
	size_t			 len = 0;
	const char		*s = hark_json_str(o, "t", &len);

	ck_assert_uint_eq(len, 4);
	ck_assert(memcmp(s, "a\0b\0", 4) == 0);
	ck_assert_str_eq(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN), "{\"t\":\"a\\u0000b\\u0000\"}");
	json_object_put(o);
}
END_TEST

START_TEST(rejects_raw_nul_byte)
{
	PARSE_FAILS("\0{}", "invalid_json");
	PARSE_FAILS("{\"a\":\0}", "invalid_json");
	PARSE_FAILS("{\0\"a\":1}", "invalid_json");
	PARSE_FAILS("{\"a\":\"x\0y\"}", "invalid_json");
}
END_TEST

START_TEST(rejects_nul_in_object_key)
{
	PARSE_FAILS("{\"a\\u0000b\":1}", "invalid_json");
}
END_TEST

START_TEST(rejects_raw_control_character_in_string)
{
	PARSE_FAILS("{\"a\":\"line\nbreak\"}", "invalid_json");
	PARSE_FAILS("{\"a\":\"tab\there\"}", "invalid_json");
}
END_TEST

START_TEST(decodes_every_escape)
{
	struct json_object	*o = must_parse("{\"e\":\"\\\"\\\\\\/\\b\\f\\n\\r"
	    "\\t\\u00e9\\u20AC\"}");

	ck_assert_str_eq(hark_json_str(o, "e", NULL),
	    "\"\\/\b\f\n\r\t\xc3\xa9\xe2\x82\xac");
	json_object_put(o);
}
END_TEST

START_TEST(rejects_bad_escapes)
{
	PARSE_FAILS("{\"e\":\"\\x41\"}", "invalid_json");
	PARSE_FAILS("{\"e\":\"\\u12G4\"}", "invalid_json");
	PARSE_FAILS("{\"e\":\"\\u12\"}", "invalid_json");
	PARSE_FAILS("{\"e\":\"\\", "invalid_json");
	PARSE_FAILS("{\"e\":\"\\'\"}", "invalid_json");
}
END_TEST

START_TEST(rejects_malformed_json)
{
	PARSE_FAILS("", "invalid_json");
	PARSE_FAILS(" \n ", "invalid_json");
	PARSE_FAILS("{", "invalid_json");
	PARSE_FAILS("{\"a\":1", "invalid_json");
	PARSE_FAILS("{a:1}", "invalid_json");
	PARSE_FAILS("{'a':1}", "invalid_json");
	PARSE_FAILS("{\"a\":1,}", "invalid_json");
	PARSE_FAILS("{\"a\":[1,]}", "invalid_json");
	PARSE_FAILS("{\"a\" 1}", "invalid_json");
	PARSE_FAILS("{\"a\":tru}", "invalid_json");
	PARSE_FAILS("{\"a\":True}", "invalid_json");
	PARSE_FAILS("{\"a\":\"open}", "invalid_json");
	PARSE_FAILS("\xef\xbb\xbf{}", "invalid_json");	/* a BOM */
	PARSE_FAILS("{\"a\":1 /* c */}", "invalid_json");
}
END_TEST

START_TEST(reports_byte_offset_of_syntax_error)
{
	PARSE_FAILS("{\"a\":1 \"b\":2}", "invalid_json");
	ck_assert_str_eq(err.message,
	    "invalid JSON at byte 7: '\"' where ',' or '}' in an object was "
	    "expected");
	ck_assert_str_eq(err.field, "");
}
END_TEST

START_TEST(rejects_non_rfc8259_numbers)
{
	PARSE_FAILS("{\"n\":01}", "invalid_json");
	PARSE_FAILS("{\"n\":-01}", "invalid_json");
	PARSE_FAILS("{\"n\":1.}", "invalid_json");
	PARSE_FAILS("{\"n\":.5}", "invalid_json");
	PARSE_FAILS("{\"n\":+1}", "invalid_json");
	PARSE_FAILS("{\"n\":0x10}", "invalid_json");
	PARSE_FAILS("{\"n\":NaN}", "invalid_json");
	PARSE_FAILS("{\"n\":Infinity}", "invalid_json");
	PARSE_FAILS("{\"n\":-Infinity}", "invalid_json");
	PARSE_FAILS("{\"n\":1e}", "invalid_json");
	PARSE_FAILS("{\"n\":1e+}", "invalid_json");
	PARSE_FAILS("{\"n\":--1}", "invalid_json");
	PARSE_FAILS("{\"n\":-}", "invalid_json");
}
END_TEST

START_TEST(parses_numbers_exactly)
{
	struct json_object	*o = must_parse("{\"a\":0,\"b\":-0,\"c\":-12,"
	    "\"d\":1.5,\"e\":-1.25e-3,\"f\":1E10,"
	    "\"g\":9223372036854775807,\"h\":-9223372036854775808,"
	    "\"i\":9223372036854775808}");

	ck_assert(json_object_is_type(json_object_object_get(o, "a"),
	    json_type_int));
	ck_assert_int_eq(hark_json_int(o, "c", 0), -12);
	ck_assert_int_eq(hark_json_int(o, "g", 0), LLONG_MAX);
	ck_assert_int_eq(hark_json_int(o, "h", 0), LLONG_MIN);
	ck_assert(json_object_is_type(json_object_object_get(o, "d"),
	    json_type_double));
	ck_assert(json_object_get_double(json_object_object_get(o, "e")) ==
	    -1.25e-3);
	/* Too big for 64 bits: a double that still prints as written. */
	ck_assert(json_object_is_type(json_object_object_get(o, "i"),
	    json_type_double));
	ck_assert_str_eq(json_object_to_json_string(json_object_object_get(o,
	    "i")), "9223372036854775808");
	ck_assert_str_eq(json_object_to_json_string(json_object_object_get(o,
	    "e")), "-1.25e-3");
	json_object_put(o);
}
END_TEST

START_TEST(keeps_minus_zero_as_written)
{
	struct json_object	*o = must_parse("{\"z\":-0,\"p\":0,\"a\":[-0]}");
	struct json_object	*z = json_object_object_get(o, "z");

	/* Still the integer 0 to a schema, but "-0" once serialized. */
	ck_assert(json_object_is_type(z, json_type_int));
	ck_assert_int_eq(hark_json_int(o, "z", 7), 0);
	ck_assert_str_eq(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN), "{\"z\":-0,\"p\":0,\"a\":[-0]}");
	json_object_put(o);
}
END_TEST

START_TEST(rejects_number_beyond_double)
{
	PARSE_FAILS("{\"n\":1e400}", "out_of_range");
	ck_assert_str_eq(err.field, "n");
	PARSE_FAILS("{\"n\":-1e400}", "out_of_range");
}
END_TEST

START_TEST(not_an_object)
{
	PARSE_FAILS("[]", "not_an_object");
	PARSE_FAILS("[{\"a\":1}]", "not_an_object");
	PARSE_FAILS("\"text\"", "not_an_object");
	PARSE_FAILS("42", "not_an_object");
	PARSE_FAILS("-1.5", "not_an_object");
	PARSE_FAILS("null", "not_an_object");
	PARSE_FAILS("true", "not_an_object");
	ck_assert_str_eq(err.message, "the body must be a JSON object");
}
END_TEST

START_TEST(accepts_empty_key_and_empty_string)
{
	struct json_object	*o = must_parse("{\"\":\"\"}");
	size_t			 len = 99;

	ck_assert_str_eq(hark_json_str(o, "", &len), "");
	ck_assert_uint_eq(len, 0);
	json_object_put(o);
}
END_TEST

/* ---- validation ---- */

START_TEST(accepts_full_valid_payload)
{
	ck_assert_int_eq(validate("{\"text\":\"It crashed\","
	    "\"userEmail\":\"a.b+tag@example.co.uk\","
	    "\"sessionId\":\"123e4567-e89b-12d3-a456-426614174000\","
	    "\"category\":\"bug\",\"priority\":4,\"score\":-0.5,"
	    "\"public\":false,\"code\":\"12345678\","
	    "\"metadata\":{\"device\":{\"viewport\":{\"width\":1280,"
	    "\"height\":720},\"touch\":true},\"anything\":[1,{\"x\":null}]},"
	    "\"context\":{\"a\":1,\"b\":2,\"c\":3},"
	    "\"console\":[{\"level\":\"error\",\"message\":\"boom\"}],"
	    "\"labels\":[\"ui\",\"login\"],\"extra\":[1,2,3],"
	    "\"at\":\"2024-02-29T23:59:60.123+05:30\"}"), 0);
}
END_TEST

START_TEST(missing_required_field)
{
	validate_fails("{\"category\":\"bug\"}", "missing_field", "text");
	ck_assert_str_eq(err.message, "text is required");
	validate_fails("{\"text\":\"x\",\"console\":[{\"message\":\"m\"}]}",
	    "missing_field", "console[0].level");
}
END_TEST

START_TEST(optional_fields_may_be_absent)
{
	ck_assert_int_eq(validate("{\"text\":\"only text\"}"), 0);
}
END_TEST

START_TEST(wrong_type_names_field_path)
{
	validate_fails("{\"text\":\"x\",\"metadata\":{\"device\":{\"viewport\":"
	    "{\"width\":\"1280\"}}}}", "wrong_type",
	    "metadata.device.viewport.width");
	ck_assert_str_eq(err.message,
	    "metadata.device.viewport.width must be an integer");
	validate_fails("{\"text\":5}", "wrong_type", "text");
	ck_assert_str_eq(err.message, "text must be a string");
	validate_fails("{\"text\":\"x\",\"public\":\"yes\"}", "wrong_type",
	    "public");
	validate_fails("{\"text\":\"x\",\"metadata\":[]}", "wrong_type",
	    "metadata");
	validate_fails("{\"text\":\"x\",\"labels\":\"ui\"}", "wrong_type",
	    "labels");
	validate_fails("{\"text\":\"x\",\"score\":\"1\"}", "wrong_type",
	    "score");
}
END_TEST

START_TEST(null_rejected_unless_nullable)
{
	validate_fails("{\"text\":null}", "wrong_type", "text");
	ck_assert_str_eq(err.message, "text must be a string, not null");
	ck_assert_int_eq(validate("{\"text\":\"x\",\"userEmail\":null}"), 0);
}
END_TEST

START_TEST(unknown_field_rejected_when_not_allowed)
{
	validate_fails("{\"txt\":\"typo\"}", "unknown_field", "txt");
	ck_assert_str_eq(err.message, "txt is not a known field");
	validate_fails("{\"text\":\"x\",\"metadata\":{\"device\":{\"gps\":1}}}",
	    "unknown_field", "metadata.device.gps");
}
END_TEST

START_TEST(unknown_field_allowed_when_schema_allows)
{
	ck_assert_int_eq(validate("{\"text\":\"x\",\"metadata\":{\"whatever\":"
	    "{\"deep\":[1,2]}}}"), 0);
}
END_TEST

START_TEST(counts_characters_not_bytes)
{
	char	*ok = text_body("\xc3\xa9", 5000);	/* 10000 bytes */
	char	*over = text_body("\xe2\x82\xac", 5001);

	ck_assert_int_eq(validate(ok), 0);
	validate_fails(over, "too_long", "text");
	ck_assert_str_eq(err.message, "text must be at most 5000 characters");
	free(ok);
	free(over);
}
END_TEST

START_TEST(counts_astral_characters_once)
{
	char	*ok = text_body("\\ud83d\\ude00", 5000);

	ck_assert_int_eq(validate(ok), 0);
	free(ok);
}
END_TEST

START_TEST(rejects_whitespace_only_text)
{
	validate_fails("{\"text\":\"   \\t\\n \"}", "empty", "text");
	ck_assert_str_eq(err.message, "text must not be empty");
	validate_fails("{\"text\":\"\"}", "empty", "text");
	validate_fails("{\"text\":\"\\u00a0\\u3000\\u200b\\ufeff\"}", "empty",
	    "text");
	ck_assert_int_eq(validate("{\"text\":\"  a  \"}"), 0);
}
END_TEST

START_TEST(enforces_min_characters)
{
	validate_fails("{\"text\":\"x\",\"labels\":[\"\"]}", "too_short",
	    "labels[0]");
	ck_assert_str_eq(err.message, "labels[0] must be at least 1 character");
}
END_TEST

START_TEST(enforces_max_bytes_of_string)
{
	ck_assert_int_eq(validate("{\"text\":\"x\",\"code\":\"abcdefgh\"}"), 0);
	validate_fails("{\"text\":\"x\",\"code\":\"abcdefg\xc3\xa9\"}",
	    "too_long", "code");
	ck_assert_str_eq(err.message, "code must be at most 8 bytes");
}
END_TEST

START_TEST(metadata_object_over_16k_rejected)
{
	/* {"text":"x","metadata":{"k":"<n bytes>"}}: metadata is n + 8 bytes. */
	char	*s = malloc(20000), *p;

	ck_assert_ptr_nonnull(s);
	p = s + sprintf(s, "{\"text\":\"x\",\"metadata\":{\"k\":\"");
	memset(p, 'a', 16384 - 8);
	strcpy(p + 16384 - 8, "\"}}");
	ck_assert_int_eq(validate(s), 0);
	p[0] = '/';	/* counted as sent, not as "\/" */
	ck_assert_int_eq(validate(s), 0);
	memset(p, 'a', 16384 - 7);
	strcpy(p + 16384 - 7, "\"}}");
	validate_fails(s, "too_long", "metadata");
	ck_assert_str_eq(err.message,
	    "metadata must be at most 16384 bytes as JSON");
	free(s);
}
END_TEST

START_TEST(limits_object_members)
{
	validate_fails("{\"text\":\"x\",\"context\":{\"a\":1,\"b\":2,\"c\":3,"
	    "\"d\":4}}", "too_long", "context");
	ck_assert_str_eq(err.message, "context must have at most 3 members");
}
END_TEST

START_TEST(limits_any_value_size)
{
	ck_assert_int_eq(validate("{\"text\":\"x\",\"extra\":\"12345678901234\"}"),
	    0);
	validate_fails("{\"text\":\"x\",\"extra\":\"123456789012345\"}",
	    "too_long", "extra");
}
END_TEST

START_TEST(int_range_enforced)
{
	ck_assert_int_eq(validate("{\"text\":\"x\",\"priority\":0}"), 0);
	validate_fails("{\"text\":\"x\",\"priority\":5}", "out_of_range",
	    "priority");
	ck_assert_str_eq(err.message, "priority must be between 0 and 4");
	validate_fails("{\"text\":\"x\",\"priority\":-1}", "out_of_range",
	    "priority");
	validate_fails("{\"text\":\"x\",\"priority\":99999999999999999999}",
	    "out_of_range", "priority");
	validate_fails("{\"text\":\"x\",\"priority\":1.5}", "wrong_type",
	    "priority");
	validate_fails("{\"text\":\"x\",\"priority\":1e0}", "wrong_type",
	    "priority");
}
END_TEST

START_TEST(number_accepts_integers_and_decimals)
{
	ck_assert_int_eq(validate("{\"text\":\"x\",\"score\":1}"), 0);
	ck_assert_int_eq(validate("{\"text\":\"x\",\"score\":-0.25}"), 0);
	validate_fails("{\"text\":\"x\",\"score\":1.01}", "out_of_range",
	    "score");
}
END_TEST

START_TEST(one_of_lists_allowed_values)
{
	validate_fails("{\"text\":\"x\",\"category\":\"Bug\"}", "invalid_value",
	    "category");
	ck_assert_str_eq(err.message, "category must be one of: bug, "
	    "feature_request, improvement, question, praise, other");
	validate_fails("{\"text\":\"x\",\"category\":\"bug\\u0000\"}",
	    "invalid_value", "category");
}
END_TEST

START_TEST(array_item_path_in_error)
{
	validate_fails("{\"text\":\"x\",\"console\":[{\"level\":\"log\"},"
	    "{\"level\":\"info\"},{\"level\":\"warn\"},{\"level\":\"debug\"}]}",
	    "invalid_value", "console[3].level");
	validate_fails("{\"text\":\"x\",\"console\":[{\"level\":\"log\"},7]}",
	    "wrong_type", "console[1]");
	validate_fails("{\"text\":\"x\",\"labels\":[\"ok\",\"" 
	    "123456789012345678901234567890123\"]}", "too_long", "labels[1]");
}
END_TEST

START_TEST(array_item_count_enforced)
{
	validate_fails("{\"text\":\"x\",\"labels\":[]}", "too_short", "labels");
	ck_assert_str_eq(err.message, "labels must have at least 1 item");
	validate_fails("{\"text\":\"x\",\"labels\":[\"a\",\"b\",\"c\",\"d\"]}",
	    "too_long", "labels");
	ck_assert_str_eq(err.message, "labels must have at most 3 items");
}
END_TEST

START_TEST(check_function_message_names_field)
{
	validate_fails("{\"text\":\"x\",\"userEmail\":\"not an email\"}",
	    "invalid_value", "userEmail");
	ck_assert_str_eq(err.message,
	    "userEmail must be a valid email address");
	validate_fails("{\"text\":\"x\",\"sessionId\":\"123\"}",
	    "invalid_value", "sessionId");
	validate_fails("{\"text\":\"x\",\"at\":\"yesterday\"}",
	    "invalid_value", "at");
}
END_TEST

START_TEST(unknown_field_reported_before_missing)
{
	validate_fails("{\"txt\":\"x\"}", "unknown_field", "txt");
}
END_TEST

START_TEST(validate_refuses_non_object)
{
	struct json_object	*a = json_object_new_array();

	ck_assert_int_eq(hark_json_validate(a, &feedback_schema, &err), -1);
	ck_assert_str_eq(err.code, "not_an_object");
	ck_assert_int_eq(hark_json_validate(NULL, &feedback_schema, &err), -1);
	json_object_put(a);
}
END_TEST

START_TEST(long_field_path_is_cut_cleanly)
{
	char	 key[400], *s;

	/* An "é" at bytes 251-252 straddles the cut after byte 252. */
	memset(key, 'k', sizeof(key) - 1);
	memcpy(key + 251, "\xc3\xa9", 2);
	key[sizeof(key) - 1] = '\0';
	ck_assert_ptr_nonnull(s = malloc(1000));
	snprintf(s, 1000, "{\"%s\":1}", key);
	ck_assert_int_eq(validate(s), -1);
	ck_assert_str_eq(err.code, "unknown_field");
	ck_assert_uint_eq(strlen(err.field), 251 + 3);
	ck_assert(err.field[250] == 'k');
	ck_assert_str_eq(err.field + 251, "...");
	ck_assert_uint_lt(strlen(err.message), HARK_JSON_MSG_MAX);
	free(s);
}
END_TEST

/* ---- ready-made checks ---- */

START_TEST(email_checks)
{
	static const char *const good[] = {
		"a@b.co", "first.last@example.com", "x+tag@sub.example.org",
		"o'brien@example.ie", "UPPER@EXAMPLE.COM", "a_b-c@my-host.io",
		"1234@example.com", "u@xn--bcher-kva.example",
		"!#$%&'*+/=?^_`{|}~-@example.com", NULL
	};
	static const char *const bad[] = {
		"", "plain", "@example.com", "a@", "a@b", "a@@b.com",
		"a@b@c.com", "a b@example.com", "a@exa mple.com",
		".a@example.com", "a.@example.com", "a..b@example.com",
		"a@-example.com", "a@example-.com", "a@example..com",
		"a@.example.com", "a@example.com.", "a@1.2.3.4",
		"a@[127.0.0.1]", "\"q\"@example.com", "a\t@example.com",
		"a@example.com\n", "j\xc3\xb6rg@example.com",
		"a@b\xc3\xbc.com", "a(b)@example.com", NULL
	};
	char		 local[80], domain[300], addr[400];
	size_t		 i;

	for (i = 0; good[i] != NULL; i++)
		ck_assert_msg(hark_json_is_email(good[i], strlen(good[i])),
		    "rejected %s", good[i]);
	for (i = 0; bad[i] != NULL; i++)
		ck_assert_msg(!hark_json_is_email(bad[i], strlen(bad[i])),
		    "accepted %s", bad[i]);
	ck_assert(!hark_json_is_email("a\0b@example.com", 15));

	memset(local, 'l', 64);
	local[64] = '\0';
	snprintf(addr, sizeof(addr), "%s@example.com", local);
	ck_assert(hark_json_is_email(addr, strlen(addr)));
	snprintf(addr, sizeof(addr), "%sl@example.com", local);
	ck_assert(!hark_json_is_email(addr, strlen(addr)));

	/* 254 bytes in all is the most: 64 + 1 + 189. */
	memset(domain, 'd', 189);
	domain[189] = '\0';
	for (i = 60; i < 185; i += 61)
		domain[i] = '.';
	memcpy(domain + 185, ".com", 4);
	snprintf(addr, sizeof(addr), "%s@%s", local, domain);
	ck_assert_uint_eq(strlen(addr), 254);
	ck_assert(hark_json_is_email(addr, strlen(addr)));
	snprintf(addr, sizeof(addr), "%s@d%s", local, domain);
	ck_assert(!hark_json_is_email(addr, strlen(addr)));
	/* A label of 64 characters is one too many. */
	memset(domain, 'd', 64);
	strcpy(domain + 64, ".com");
	snprintf(addr, sizeof(addr), "a@%s", domain);
	ck_assert(!hark_json_is_email(addr, strlen(addr)));
}
END_TEST

START_TEST(uuid_checks)
{
	ck_assert(hark_json_is_uuid("123e4567-e89b-12d3-a456-426614174000", 36));
	ck_assert(hark_json_is_uuid("00000000-0000-0000-0000-000000000000", 36));
	ck_assert(hark_json_is_uuid("0190A6B2-7C3D-7E4F-8A9B-0C1D2E3F4A5B", 36));
	ck_assert(!hark_json_is_uuid("123e4567e89b12d3a456426614174000", 32));
	ck_assert(!hark_json_is_uuid("123e4567-e89b-12d3-a456-42661417400", 35));
	ck_assert(!hark_json_is_uuid("123e4567-e89b-12d3-a456-4266141740000",
	    37));
	ck_assert(!hark_json_is_uuid("g23e4567-e89b-12d3-a456-426614174000", 36));
	ck_assert(!hark_json_is_uuid("123e4567-e89b-12d3-a456_426614174000", 36));
	ck_assert(!hark_json_is_uuid("{23e4567-e89b-12d3-a456-426614174000}",
	    38));
}
END_TEST

START_TEST(bcp47_checks)
{
	static const char *const good[] = {
		"en", "EN", "pt-BR", "zh-Hant-TW", "sr-Latn-RS", "de-CH-1901",
		"es-419", "zh-yue", "en-US-x-twain", "x-private", "de-DE-u-co-phonebk",
		"sl-rozaj-biske", "haw", "tlh", "gsw-u-sd-chzh", NULL
	};
	static const char *const bad[] = {
		"", "e", "en_US", "en-", "-en", "en--US", "english-is-fine-x",
		"123", "en-US-", "de-DE-u", "x", "x-", "en-toolongsubtag",
		"en US", "a-DE", "abcd", "en-US-x-abcdefghi",
		"en-aaaaaaaaa-bbbbbbbb-cccccccc-dddddddd", NULL
	};
	size_t	 i;

	for (i = 0; good[i] != NULL; i++)
		ck_assert_msg(hark_json_is_bcp47(good[i], strlen(good[i])),
		    "%s should be BCP 47", good[i]);
	for (i = 0; bad[i] != NULL; i++)
		ck_assert_msg(!hark_json_is_bcp47(bad[i], strlen(bad[i])),
		    "%s should not be BCP 47", bad[i]);
}
END_TEST

START_TEST(rfc3339_checks)
{
	static const char *const good[] = {
		"2024-05-01T12:30:00Z", "2024-05-01t12:30:00z",
		"2024-05-01T12:30:00.5Z", "2024-05-01T12:30:00.123456789+02:00",
		"2024-02-29T00:00:00-05:30", "2000-02-29T00:00:00Z",
		"2016-12-31T23:59:60Z", NULL
	};
	static const char *const bad[] = {
		"", "2024-05-01", "2024-05-01T12:30:00", "2024-05-01 12:30:00Z",
		"2024-13-01T00:00:00Z", "2024-00-01T00:00:00Z",
		"2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z",
		"2024-04-31T00:00:00Z", "2024-05-01T24:00:00Z",
		"2024-05-01T12:60:00Z", "2024-05-01T12:30:61Z",
		"2024-05-01T12:30:00.Z", "2024-05-01T12:30:00+0200",
		"2024-05-01T12:30:00+24:00", "2024-05-01T12:30:00Zjunk",
		"24-05-01T12:30:00Z", "2024-5-1T12:30:00Z", NULL
	};
	size_t		 i;

	for (i = 0; good[i] != NULL; i++)
		ck_assert_msg(hark_json_is_rfc3339(good[i], strlen(good[i])),
		    "rejected %s", good[i]);
	for (i = 0; bad[i] != NULL; i++)
		ck_assert_msg(!hark_json_is_rfc3339(bad[i], strlen(bad[i])),
		    "accepted %s", bad[i]);
}
END_TEST

START_TEST(one_of_helper)
{
	struct json_object	*s = json_object_new_string("praise");
	struct json_object	*n = json_object_new_int(1);

	ck_assert(hark_json_one_of(s, categories));
	ck_assert(!hark_json_one_of(s, levels));
	ck_assert(!hark_json_one_of(n, categories));
	json_object_put(s);
	json_object_put(n);
}
END_TEST

START_TEST(accessors_read_members)
{
	struct json_object	*o = must_parse("{\"s\":\"v\",\"n\":null,\"i\":7,"
	    "\"b\":true,\"d\":1.5}");
	size_t			 len = 0;

	ck_assert_str_eq(hark_json_str(o, "s", &len), "v");
	ck_assert_uint_eq(len, 1);
	ck_assert_ptr_null(hark_json_str(o, "n", &len));
	ck_assert_ptr_null(hark_json_str(o, "absent", NULL));
	ck_assert_ptr_null(hark_json_str(o, "i", NULL));
	ck_assert(hark_json_has(o, "s"));
	ck_assert(!hark_json_has(o, "n"));
	ck_assert(!hark_json_has(o, "absent"));
	ck_assert_int_eq(hark_json_int(o, "i", -1), 7);
	ck_assert_int_eq(hark_json_int(o, "d", -1), -1);
	ck_assert(hark_json_bool(o, "b", false));
	ck_assert(hark_json_bool(o, "s", true));
	ck_assert_ptr_null(hark_json_str(NULL, "s", NULL));
	json_object_put(o);
}
END_TEST

/* The typed struct a schema fills, as a handler reads it. */
struct typed_in {
	struct hark_json_text	 name, meta;
	long long		 count;
	bool			 on;
};

static const struct hark_json_field typed_fields[] = {
	{ .name = "name", .type = HARK_JSON_STRING, .flags = HARK_JSON_NULLABLE,
	  .out = HARK_JSON_OUT_TEXT, .off = offsetof(struct typed_in, name) },
	{ .name = "meta", .type = HARK_JSON_OBJECT,
	  .out = HARK_JSON_OUT_JSON, .off = offsetof(struct typed_in, meta) },
	{ .name = "count", .type = HARK_JSON_INT,
	  .out = HARK_JSON_OUT_INT, .off = offsetof(struct typed_in, count) },
	{ .name = "on", .type = HARK_JSON_BOOL,
	  .out = HARK_JSON_OUT_BOOL, .off = offsetof(struct typed_in, on) },
};
static const struct hark_json_schema typed_schema = {
	typed_fields, HARK_JSON_NFIELDS(typed_fields), false,
	sizeof(struct typed_in)
};

START_TEST(fill_puts_values_at_their_offsets)
{
	struct json_object	*o = must_parse("{\"name\":\"a\\u0000b\","
	    "\"meta\":{\"z\":-0,\"u\":\"/x\"},\"count\":-7,\"on\":true}");
	struct typed_in		 in = { { NULL, 0 }, { NULL, 0 }, 0, false };

	ck_assert_int_eq(hark_json_validate(o, &typed_schema, &err), 0);
	ck_assert_int_eq(hark_json_fill(o, &typed_schema, &in, &err), 0);
	ck_assert_uint_eq(in.name.len, 3);
	ck_assert_mem_eq(in.name.s, "a\0b", 3);
	ck_assert_str_eq(in.meta.s, "{\"z\":-0,\"u\":\"/x\"}");
	ck_assert_uint_eq(in.meta.len, strlen(in.meta.s));
	ck_assert_int_eq(in.count, -7);
	ck_assert(in.on);
	json_object_put(o);
}
END_TEST

START_TEST(fill_leaves_absent_and_null_empty)
{
	struct json_object	*o = must_parse("{\"name\":null}");
	struct typed_in		 in = { { NULL, 0 }, { NULL, 0 }, 42, false };

	ck_assert_int_eq(hark_json_validate(o, &typed_schema, &err), 0);
	ck_assert_int_eq(hark_json_fill(o, &typed_schema, &in, &err), 0);
	ck_assert_ptr_null(in.name.s);
	ck_assert_ptr_null(in.meta.s);
	ck_assert_int_eq(in.count, 42);
	json_object_put(o);
}
END_TEST

static Suite *
json_suite(void)
{
	Suite	*s = suite_create("json");
	TCase	*p = tcase_create("parse");
	TCase	*v = tcase_create("validate");
	TCase	*c = tcase_create("checks");

	tcase_add_test(p, accepts_plain_object);
	tcase_add_test(p, rejects_trailing_garbage);
	tcase_add_test(p, rejects_nesting_33_deep_accepts_32);
	tcase_add_test(p, rejects_duplicate_keys_top_level);
	tcase_add_test(p, rejects_duplicate_keys_nested);
	tcase_add_test(p, duplicate_check_sees_escaped_keys);
	tcase_add_test(p, rejects_lone_surrogate_escape);
	tcase_add_test(p, decodes_surrogate_pair_escape);
	tcase_add_test(p, rejects_invalid_utf8_bytes);
	tcase_add_test(p, accepts_multibyte_utf8);
	tcase_add_test(p, keeps_escaped_nul_byte_exact);
	tcase_add_test(p, rejects_raw_nul_byte);
	tcase_add_test(p, rejects_nul_in_object_key);
	tcase_add_test(p, rejects_raw_control_character_in_string);
	tcase_add_test(p, decodes_every_escape);
	tcase_add_test(p, rejects_bad_escapes);
	tcase_add_test(p, rejects_malformed_json);
	tcase_add_test(p, reports_byte_offset_of_syntax_error);
	tcase_add_test(p, rejects_non_rfc8259_numbers);
	tcase_add_test(p, parses_numbers_exactly);
	tcase_add_test(p, keeps_minus_zero_as_written);
	tcase_add_test(p, rejects_number_beyond_double);
	tcase_add_test(p, not_an_object);
	tcase_add_test(p, accepts_empty_key_and_empty_string);
	suite_add_tcase(s, p);

	tcase_add_test(v, accepts_full_valid_payload);
	tcase_add_test(v, missing_required_field);
	tcase_add_test(v, optional_fields_may_be_absent);
	tcase_add_test(v, wrong_type_names_field_path);
	tcase_add_test(v, null_rejected_unless_nullable);
	tcase_add_test(v, bcp47_checks);
	tcase_add_test(v, unknown_field_rejected_when_not_allowed);
	tcase_add_test(v, unknown_field_allowed_when_schema_allows);
	tcase_add_test(v, counts_characters_not_bytes);
	tcase_add_test(v, counts_astral_characters_once);
	tcase_add_test(v, rejects_whitespace_only_text);
	tcase_add_test(v, enforces_min_characters);
	tcase_add_test(v, enforces_max_bytes_of_string);
	tcase_add_test(v, metadata_object_over_16k_rejected);
	tcase_add_test(v, limits_object_members);
	tcase_add_test(v, limits_any_value_size);
	tcase_add_test(v, int_range_enforced);
	tcase_add_test(v, number_accepts_integers_and_decimals);
	tcase_add_test(v, one_of_lists_allowed_values);
	tcase_add_test(v, array_item_path_in_error);
	tcase_add_test(v, array_item_count_enforced);
	tcase_add_test(v, check_function_message_names_field);
	tcase_add_test(v, unknown_field_reported_before_missing);
	tcase_add_test(v, validate_refuses_non_object);
	tcase_add_test(v, long_field_path_is_cut_cleanly);
	tcase_add_test(v, fill_puts_values_at_their_offsets);
	tcase_add_test(v, fill_leaves_absent_and_null_empty);
	suite_add_tcase(s, v);

	tcase_add_test(c, email_checks);
	tcase_add_test(c, uuid_checks);
	tcase_add_test(c, rfc3339_checks);
	tcase_add_test(c, one_of_helper);
	tcase_add_test(c, accessors_read_members);
	suite_add_tcase(s, c);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(json_suite());
	int	 nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
