/* test_schema.c: the schema engine's nested fills, item paths and collected unknown members, and the Earshot payload schema. */
#include "config.h"

#include <check.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "earshot_schema.h"
#include "json.h"

static struct hark_json_err	 err;

static struct json_object *
must_parse(const char *s)
{
	struct json_object	*o = NULL;

	memset(&err, 0, sizeof(err));
	ck_assert_msg(hark_json_parse(s, strlen(s), &o, &err) == 0, "%s: %s %s",
	    s, err.code, err.message);
	return o;
}

/* ---- a small nested schema for the engine ---- */

struct pt {
	struct json_object	*obj;
	long long		 x;
	double			 y;
};
struct tag {
	struct json_object	*obj;
	struct hark_json_text	 name;
};
struct top {
	struct hark_json_text	 id;
	struct pt		 at;
	struct hark_json_array	 tags;
	struct hark_json_text	 blob;
};

static const struct hark_json_field pt_fields[] = {
	{ .name = "x", .type = HARK_JSON_INT, .flags = HARK_JSON_REQUIRED,
	  .out = HARK_JSON_OUT_INT, .off = offsetof(struct pt, x) },
	{ .name = "y", .type = HARK_JSON_NUMBER,
	  .out = HARK_JSON_OUT_NUMBER, .off = offsetof(struct pt, y) },
};
static const struct hark_json_schema pt_schema = {
	pt_fields, HARK_JSON_NFIELDS(pt_fields), false, sizeof(struct pt)
};
static const struct hark_json_field tag_fields[] = {
	{ .name = "name", .type = HARK_JSON_STRING, .max = 8,
	  .out = HARK_JSON_OUT_TEXT, .off = offsetof(struct tag, name) },
};
static const struct hark_json_schema tag_schema = {
	tag_fields, HARK_JSON_NFIELDS(tag_fields), false, sizeof(struct tag)
};
static const struct hark_json_field tag_item = {
	.type = HARK_JSON_OBJECT, .flags = HARK_JSON_NULLABLE,
	.sub = &tag_schema, .out = HARK_JSON_OUT_OBJECT
};
static const struct hark_json_schema free_schema = {
	NULL, 0, HARK_JSON_UNKNOWN_ALLOW, 0
};

#define TOP_FIELDS(unknown_mode)					\
static const struct hark_json_field top_fields_##unknown_mode[] = {	\
	{ .name = "id", .type = HARK_JSON_STRING,			\
	  .out = HARK_JSON_OUT_TEXT, .off = offsetof(struct top, id) },	\
	{ .name = "at", .type = HARK_JSON_OBJECT,			\
	  .flags = HARK_JSON_NULLABLE, .sub = &pt_schema,		\
	  .out = HARK_JSON_OUT_OBJECT, .off = offsetof(struct top, at) }, \
	{ .name = "tags", .type = HARK_JSON_ARRAY,			\
	  .flags = HARK_JSON_NULLABLE | HARK_JSON_ITEM_PATH, .max = 3,	\
	  .items = &tag_item, .out = HARK_JSON_OUT_ARRAY,		\
	  .off = offsetof(struct top, tags) },				\
	{ .name = "blob", .type = HARK_JSON_OBJECT, .sub = &free_schema, \
	  .out = HARK_JSON_OUT_JSON, .off = offsetof(struct top, blob) }, \
};									\
static const struct hark_json_schema top_##unknown_mode = {		\
	top_fields_##unknown_mode,					\
	HARK_JSON_NFIELDS(top_fields_##unknown_mode),			\
	HARK_JSON_UNKNOWN_##unknown_mode, sizeof(struct top)		\
}
TOP_FIELDS(REFUSE);
TOP_FIELDS(COLLECT);

/* Validates s against schema: 0, or -1 with err set. */
static int
check(const char *s, const struct hark_json_schema *schema)
{
	struct json_object	*o = must_parse(s);
	int			 rc;

	rc = hark_json_validate(o, schema, &err);
	json_object_put(o);
	return rc;
}

static void
fails(const char *s, const struct hark_json_schema *schema, const char *code,
    const char *field, const char *message)
{
	ck_assert_msg(check(s, schema) == -1, "accepted %s", s);
	ck_assert_str_eq(err.code, code);
	ck_assert_str_eq(err.field, field);
	if (message != NULL)
		ck_assert_str_eq(err.message, message);
}

START_TEST(fills_nested_struct_and_array)
{
	struct json_object	*o = must_parse("{\"id\":\"a\",\"at\":{\"x\":3,"
	    "\"y\":2.5},\"tags\":[{\"name\":\"n1\"},null,{}],"
	    "\"blob\":{\"k\":[1,\"/\"]}}");
	struct top		 t;
	struct tag		 tg;

	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(hark_json_validate(o, &top_REFUSE, &err), 0);
	ck_assert_int_eq(hark_json_fill(o, &top_REFUSE, &t, &err), 0);
	ck_assert_str_eq(t.id.s, "a");
	ck_assert_ptr_nonnull(t.at.obj);
	ck_assert_int_eq(t.at.x, 3);
	ck_assert(t.at.y == 2.5);
	ck_assert_ptr_nonnull(t.tags.arr);
	ck_assert_uint_eq(t.tags.n, 3);
	ck_assert_str_eq(t.blob.s, "{\"k\":[1,\"/\"]}");

	memset(&tg, 0, sizeof(tg));
	ck_assert_int_eq(hark_json_fill_item(&t.tags, 0, &tag_item, &tg, &err),
	    0);
	ck_assert_ptr_nonnull(tg.obj);
	ck_assert_uint_eq(tg.name.len, 2);
	ck_assert_str_eq(tg.name.s, "n1");
	memset(&tg, 0, sizeof(tg));
	ck_assert_int_eq(hark_json_fill_item(&t.tags, 1, &tag_item, &tg, &err),
	    0);
	ck_assert_ptr_null(tg.obj);	/* null item: nothing filled */
	ck_assert_int_eq(hark_json_fill_item(&t.tags, 2, &tag_item, &tg, &err),
	    0);
	ck_assert_ptr_nonnull(tg.obj);
	ck_assert_ptr_null(tg.name.s);
	ck_assert_int_eq(hark_json_fill_item(&t.tags, 3, &tag_item, &tg, &err),
	    -1);
	ck_assert_str_eq(err.code, "invalid_value");
	json_object_put(o);
}
END_TEST

START_TEST(absent_or_null_nested_values_fill_nothing)
{
	struct json_object	*o = must_parse("{\"at\":null,\"tags\":null}");
	struct top		 t;

	memset(&t, 0, sizeof(t));
	t.at.x = 42;
	ck_assert_int_eq(hark_json_validate(o, &top_REFUSE, &err), 0);
	ck_assert_int_eq(hark_json_fill(o, &top_REFUSE, &t, &err), 0);
	ck_assert_ptr_null(t.id.s);
	ck_assert_ptr_null(t.at.obj);
	ck_assert_int_eq(t.at.x, 42);
	ck_assert_ptr_null(t.tags.arr);
	ck_assert_uint_eq(t.tags.n, 0);
	ck_assert_ptr_null(t.blob.s);
	json_object_put(o);
}
END_TEST

START_TEST(nested_errors_name_the_exact_path)
{
	fails("{\"at\":{\"x\":\"1\"}}", &top_REFUSE, "wrong_type", "at.x",
	    "at.x must be an integer");
	fails("{\"at\":{}}", &top_REFUSE, "missing_field", "at.x",
	    "at.x is required");
	fails("{\"tags\":[{},{\"name\":7}]}", &top_REFUSE, "wrong_type",
	    "tags[1].name", "tags[1].name must be a string");
	fails("{\"tags\":[{},{},{},{}]}", &top_REFUSE, "too_long", "tags[3]",
	    "tags[3] is past the limit of 3 items");
	ck_assert_int_eq(check("{\"tags\":[{},{},{}]}", &top_REFUSE), 0);
	/* The count is checked before the items: the 4th is never read. */
	fails("{\"tags\":[1,2,3,4]}", &top_REFUSE, "too_long", "tags[3]", NULL);
	fails("{\"tags\":[1]}", &top_REFUSE, "wrong_type", "tags[0]",
	    "tags[0] must be an object");
}
END_TEST

START_TEST(refuse_mode_is_unchanged)
{
	fails("{\"id\":\"a\",\"usermail\":1}", &top_REFUSE, "unknown_field",
	    "usermail", "usermail is not a known field");
	fails("{\"at\":{\"x\":1,\"z\":2}}", &top_REFUSE, "unknown_field", "at.z",
	    "at.z is not a known field");
	/* An ALLOW schema stays silent. */
	ck_assert_int_eq(check("{\"blob\":{\"any\":1}}", &top_REFUSE), 0);
}
END_TEST

START_TEST(collect_keeps_top_unknown_members_and_warns)
{
	struct json_object	*o = must_parse("{\"usermail\":\"a@b.example\","
	    "\"id\":\"a\",\"at\":{\"x\":1,\"z\":{\"deep\":[1]}},"
	    "\"tags\":[{\"name\":\"t\",\"colour\":\"red\"}],"
	    "\"blob\":{\"free\":1},\"n\":null,\"big\":1.50}");
	struct hark_json_report	 rep = { NULL, NULL };
	struct top		 t;

	ck_assert_int_eq(hark_json_validate_report(o, &top_COLLECT, &rep, &err),
	    0);
	ck_assert_ptr_nonnull(rep.extra);
	ck_assert_str_eq(json_object_to_json_string_ext(rep.extra,
	    JSON_C_TO_STRING_PLAIN),
	    "{\"usermail\":\"a@b.example\",\"n\":null,\"big\":1.50}");
	ck_assert_str_eq(json_object_to_json_string_ext(rep.warnings,
	    JSON_C_TO_STRING_PLAIN),
	    "[{\"code\":\"unknown_field\",\"field\":\"usermail\"},"
	    "{\"code\":\"unknown_field\",\"field\":\"n\"},"
	    "{\"code\":\"unknown_field\",\"field\":\"big\"},"
	    "{\"code\":\"unknown_field\",\"field\":\"at.z\"},"
	    "{\"code\":\"unknown_field\",\"field\":\"tags[0].colour\"}]");
	/* The typed fill skips them; the unknown ones stay in the tree. */
	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(hark_json_fill(o, &top_COLLECT, &t, &err), 0);
	ck_assert_int_eq(t.at.x, 1);
	ck_assert_str_eq(t.blob.s, "{\"free\":1}");
	/* extra holds references: it outlives the tree. */
	json_object_put(o);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(
	    rep.extra, "usermail")), "a@b.example");
	hark_json_report_clear(&rep);
	ck_assert_ptr_null(rep.extra);
	ck_assert_ptr_null(rep.warnings);
}
END_TEST

START_TEST(collect_still_refuses_bad_values)
{
	struct json_object	*o = must_parse("{\"usermail\":1,\"id\":7}");
	struct hark_json_report	 rep = { NULL, NULL };

	ck_assert_int_eq(hark_json_validate_report(o, &top_COLLECT, &rep, &err),
	    -1);
	ck_assert_str_eq(err.code, "wrong_type");
	ck_assert_str_eq(err.field, "id");
	/* Cleared on failure: nothing to free. */
	ck_assert_ptr_null(rep.extra);
	ck_assert_ptr_null(rep.warnings);
	json_object_put(o);
	/* Without a report the unknown members pass silently. */
	ck_assert_int_eq(check("{\"usermail\":1}", &top_COLLECT), 0);
}
END_TEST

START_TEST(collect_with_nothing_unknown_reports_nothing)
{
	struct json_object	*o = must_parse("{\"id\":\"a\"}");
	struct hark_json_report	 rep = { NULL, NULL };

	ck_assert_int_eq(hark_json_validate_report(o, &top_COLLECT, &rep, &err),
	    0);
	ck_assert_ptr_null(rep.extra);
	ck_assert_ptr_null(rep.warnings);
	json_object_put(o);
	/* A refusing schema never fills a report. */
	o = must_parse("{\"id\":\"a\"}");
	ck_assert_int_eq(hark_json_validate_report(o, &top_REFUSE, &rep, &err),
	    0);
	ck_assert_ptr_null(rep.extra);
	json_object_put(o);
}
END_TEST

START_TEST(collect_caps_warnings_not_extra)
{
	struct hark_buf		 b;
	struct json_object	*o;
	struct hark_json_report	 rep = { NULL, NULL };
	int			 i;

	memset(&b, 0, sizeof(b));
	hark_buf_append(&b, "{", 1);
	for (i = 0; i < 100; i++)
		hark_buf_printf(&b, "%s\"k%d\":%d", i > 0 ? "," : "", i, i);
	hark_buf_puts(&b, "}");
	o = must_parse(b.data);
	ck_assert_int_eq(hark_json_validate_report(o, &top_COLLECT, &rep, &err),
	    0);
	ck_assert_uint_eq(json_object_array_length(rep.warnings),
	    HARK_JSON_WARN_MAX);
	ck_assert_int_eq(json_object_object_length(rep.extra), 100);
	hark_json_report_clear(&rep);
	json_object_put(o);
	hark_buf_free(&b);
}
END_TEST

START_TEST(serialize_is_compact_without_escaped_slashes)
{
	struct json_object	*o = must_parse("{ \"u\" : \"a/b\", \"n\" : [ 1.50 ] }");
	struct hark_json_text	 t;

	ck_assert_int_eq(hark_json_serialize(o, &t, &err), 0);
	ck_assert_str_eq(t.s, "{\"u\":\"a/b\",\"n\":[1.50]}");
	ck_assert_uint_eq(t.len, strlen(t.s));
	json_object_put(o);
	o = must_parse("{\"e\":\"\\u00e9\\u0001\\/\"}");
	ck_assert_int_eq(hark_json_serialize(o, &t, &err), 0);
	ck_assert_str_eq(t.s, "{\"e\":\"\xc3\xa9\\u0001/\"}");
	json_object_put(o);
}
END_TEST

START_TEST(rfc9562_uuid_checks)
{
	static const char *const good[] = {
		"0190a6b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b",	/* v7 */
		"0190A6B2-7C3D-7E4F-BA9B-0C1D2E3F4A5B",	/* v7, upper case */
		"123e4567-e89b-12d3-a456-426614174000",	/* v1 */
		"f47ac10b-58cc-4372-9567-0e02b2c3d479",	/* v4 */
		"1ec9414c-232a-6b00-b3c8-9e6bdeced846",	/* v6 */
		"320c3d4d-cc00-875b-8ec9-32d5f69181c0",	/* v8 */
		NULL
	};
	static const char *const bad[] = {
		"00000000-0000-0000-0000-000000000000",	/* Nil */
		"ffffffff-ffff-ffff-ffff-ffffffffffff",	/* Max */
		"0190a6b2-7c3d-0e4f-8a9b-0c1d2e3f4a5b",	/* version 0 */
		"0190a6b2-7c3d-9e4f-8a9b-0c1d2e3f4a5b",	/* version 9 */
		"0190a6b2-7c3d-7e4f-ca9b-0c1d2e3f4a5b",	/* variant 110 */
		"0190a6b2-7c3d-7e4f-7a9b-0c1d2e3f4a5b",	/* variant 0 (NCS) */
		"0190a6b27c3d7e4f8a9b0c1d2e3f4a5b",
		"{0190a6b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b}",
		"0190a6b2-7c3d-7e4f-8a9b-0c1d2e3f4a5g",
		"",
		NULL
	};
	size_t	 i;

	for (i = 0; good[i] != NULL; i++)
		ck_assert_msg(hark_json_is_rfc9562_uuid(good[i],
		    strlen(good[i])), "rejected %s", good[i]);
	for (i = 0; bad[i] != NULL; i++)
		ck_assert_msg(!hark_json_is_rfc9562_uuid(bad[i], strlen(bad[i])),
		    "accepted %s", bad[i]);
}
END_TEST

/* ---- the Earshot payload ---- */

#define SID	"0190a6b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b"

/*
 * The seed's shapes put together: the payload schema with the captured
 * context, and the identity of its /v1/identify example.
 */
static const char seed_payload[] =
    "{\"sessionId\":\"" SID "\","
    "\"transcript\":\"The save button does nothing on the settings page\","
    "\"context\":{"
    "\"dom\":{\"format\":\"rrweb-full-snapshot-v2\","
    "\"data\":{\"type\":2,\"node\":{\"id\":1,\"childNodes\":[]},"
    "\"ratio\":1.50,\"url\":\"https://app.example/settings\"},"
    "\"capturedAt\":\"2026-12-03T10:15:30.123Z\"},"
    "\"console\":[{\"level\":\"error\",\"message\":\"TypeError: x is undefined\","
    "\"stack\":\"at save (app.js:10:5)\",\"timestamp\":1764756930000},"
    "{\"level\":\"log\",\"message\":\"saving\",\"stack\":null,"
    "\"timestamp\":\"2026-12-03T10:15:29Z\"}],"
    "\"network\":[{\"url\":\"https://api.example/v1/settings\","
    "\"method\":\"PUT\",\"status\":500,\"durationMs\":123.4,"
    "\"initiator\":\"fetch\",\"timestamp\":1764756929000}],"
    "\"device\":{\"userAgent\":\"Mozilla/5.0 (X11; Linux x86_64)\","
    "\"platform\":\"Linux x86_64\",\"language\":\"en-GB\","
    "\"viewport\":{\"width\":1280,\"height\":720},"
    "\"devicePixelRatio\":2,\"timezone\":\"Europe/Amsterdam\"},"
    "\"page\":{\"url\":\"https://app.example/settings\","
    "\"referrer\":\"https://app.example/\",\"title\":\"Settings\","
    "\"customAttrs\":{\"build\":\"1.4.2\"}},"
    "\"screenshotUrl\":null,"
    "\"annotationLayer\":{\"shapes\":[{\"kind\":\"arrow\",\"x\":10}]},"
    "\"capturedAt\":\"2026-12-03T10:15:30Z\"},"
    "\"identity\":{\"userId\":\"u_123\",\"email\":\"user@host.com\","
    "\"name\":\"Pat User\",\"traits\":{\"plan\":\"pro\"}},"
    "\"audioDurationMs\":4200}";

static struct json_object		*tree;
static struct hark_earshot_payload	 pl;
static struct hark_json_report		 rep;

static int
read_payload(const char *s, size_t len)
{
	memset(&err, 0, sizeof(err));
	hark_json_report_clear(&rep);
	json_object_put(tree);
	tree = NULL;
	return hark_earshot_payload_read(s, len, &tree, &pl, &rep, &err);
}

static void
teardown(void)
{
	json_object_put(tree);
	tree = NULL;
	hark_json_report_clear(&rep);
}

/* The seed payload with the first occurrence of from replaced by to. */
static char *
variant(const char *from, const char *to)
{
	const char	*at = strstr(seed_payload, from);
	char		*s;
	size_t		 pre;

	ck_assert_ptr_nonnull(at);
	pre = (size_t)(at - seed_payload);
	s = malloc(sizeof(seed_payload) + strlen(to));
	ck_assert_ptr_nonnull(s);
	memcpy(s, seed_payload, pre);
	strcpy(s + pre, to);
	strcat(s, at + strlen(from));
	return s;
}

/* Reads the seed payload with from replaced by to; expects it to fail. */
static void
variant_fails(const char *from, const char *to, const char *code,
    const char *field, const char *message)
{
	char	*s = variant(from, to);

	ck_assert_msg(read_payload(s, strlen(s)) == -1, "accepted %s", s);
	ck_assert_ptr_null(tree);
	ck_assert_ptr_null(rep.extra);
	ck_assert_str_eq(err.code, code);
	ck_assert_str_eq(err.field, field);
	if (message != NULL)
		ck_assert_str_eq(err.message, message);
	free(s);
}

static void
variant_passes(const char *from, const char *to)
{
	char	*s = variant(from, to);

	ck_assert_msg(read_payload(s, strlen(s)) == 0, "%s: %s %s", s,
	    err.code, err.message);
	free(s);
}

START_TEST(seed_payload_validates_and_fills)
{
	struct hark_earshot_console	 con;
	struct hark_earshot_network	 net;
	const struct hark_earshot_context *c = &pl.context;

	ck_assert_int_eq(read_payload(seed_payload, sizeof(seed_payload) - 1),
	    0);
	ck_assert_ptr_null(rep.extra);
	ck_assert_ptr_null(rep.warnings);
	ck_assert_str_eq(pl.session_id.s, SID);
	ck_assert_uint_eq(pl.transcript.len, 49);
	ck_assert_int_eq(pl.audio_duration_ms, 4200);

	ck_assert_ptr_nonnull(pl.identity.obj);
	ck_assert_str_eq(pl.identity.user_id.s, "u_123");
	ck_assert_str_eq(pl.identity.email.s, "user@host.com");
	ck_assert_str_eq(pl.identity.name.s, "Pat User");
	ck_assert_str_eq(pl.identity.traits.s, "{\"plan\":\"pro\"}");

	ck_assert_ptr_nonnull(c->obj);
	ck_assert_str_eq(c->captured_at.s, "2026-12-03T10:15:30Z");
	ck_assert_ptr_null(c->screenshot_url.s);
	ck_assert_str_eq(c->annotation_layer.s,
	    "{\"shapes\":[{\"kind\":\"arrow\",\"x\":10}]}");
	ck_assert_str_eq(c->device.user_agent.s,
	    "Mozilla/5.0 (X11; Linux x86_64)");
	ck_assert_str_eq(c->device.language.s, "en-GB");
	ck_assert_str_eq(c->device.timezone.s, "Europe/Amsterdam");
	ck_assert_ptr_nonnull(c->device.viewport.obj);
	ck_assert_int_eq(c->device.viewport.width, 1280);
	ck_assert_int_eq(c->device.viewport.height, 720);
	ck_assert(c->device.device_pixel_ratio == 2.0);
	ck_assert_str_eq(c->page.title.s, "Settings");
	ck_assert_str_eq(c->page.custom_attrs.s, "{\"build\":\"1.4.2\"}");
	/* The dom snapshot is kept as sent: numbers as written, no "\/". */
	ck_assert_str_eq(c->dom.format.s, "rrweb-full-snapshot-v2");
	ck_assert_str_eq(c->dom.data.s, "{\"type\":2,\"node\":{\"id\":1,"
	    "\"childNodes\":[]},\"ratio\":1.50,"
	    "\"url\":\"https://app.example/settings\"}");
	ck_assert_str_eq(c->dom.captured_at.s, "2026-12-03T10:15:30.123Z");

	ck_assert_uint_eq(c->console.n, 2);
	ck_assert_int_eq(hark_earshot_console_at(c, 0, &con, &err), 0);
	ck_assert_str_eq(con.level.s, "error");
	ck_assert_str_eq(con.stack.s, "at save (app.js:10:5)");
	ck_assert_str_eq(con.timestamp.s, "1764756930000");
	ck_assert_int_eq(hark_earshot_console_at(c, 1, &con, &err), 0);
	ck_assert_str_eq(con.message.s, "saving");
	ck_assert_ptr_null(con.stack.s);
	ck_assert_str_eq(con.timestamp.s, "\"2026-12-03T10:15:29Z\"");
	ck_assert_int_eq(hark_earshot_console_at(c, 2, &con, &err), -1);

	ck_assert_uint_eq(c->network.n, 1);
	ck_assert_int_eq(hark_earshot_network_at(c, 0, &net, &err), 0);
	ck_assert_str_eq(net.method.s, "PUT");
	ck_assert_int_eq(net.status, 500);
	ck_assert(net.duration_ms == 123.4);
	ck_assert_str_eq(net.initiator.s, "fetch");
	/* The whole context, to store as sent. */
	ck_assert_ptr_nonnull(strstr(json_object_to_json_string_ext(c->obj,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
	    "\"capturedAt\":\"2026-12-03T10:15:30Z\"}"));
}
END_TEST

START_TEST(seed_minimal_payload_fills_defaults)
{
	static const char	 s[] = "{\"sessionId\":\"" SID "\","
	    "\"transcript\":\"\",\"identity\":null,\"context\":{\"dom\":null,"
	    "\"console\":[],\"network\":[],\"device\":{},\"page\":{},"
	    "\"screenshotUrl\":null,\"capturedAt\":\"2026-12-03T10:15:30Z\"}}";
	struct hark_earshot_network	 net;

	ck_assert_int_eq(read_payload(s, sizeof(s) - 1), 0);
	ck_assert_uint_eq(pl.transcript.len, 0);	/* the caller decides */
	ck_assert_ptr_null(pl.identity.obj);
	ck_assert_ptr_null(pl.identity.email.s);
	ck_assert_int_eq(pl.audio_duration_ms, -1);
	ck_assert_ptr_null(pl.context.dom.obj);
	ck_assert_ptr_null(pl.context.annotation_layer.s);
	ck_assert_ptr_nonnull(pl.context.console.arr);
	ck_assert_uint_eq(pl.context.console.n, 0);
	ck_assert_ptr_null(pl.context.device.viewport.obj);
	ck_assert_int_eq(hark_earshot_network_at(&pl.context, 0, &net, &err),
	    -1);
	ck_assert_int_eq(net.status, -1);
}
END_TEST

/* A console (or network) array of n copies of entry. */
static char *
entries(const char *entry, int n)
{
	struct hark_buf	 b;
	int		 i;

	memset(&b, 0, sizeof(b));
	hark_buf_append(&b, "[", 1);
	for (i = 0; i < n; i++)
		hark_buf_printf(&b, "%s%s", i > 0 ? "," : "", entry);
	hark_buf_puts(&b, "]");
	return b.data;
}

#define CONSOLE_ENTRY	"{\"level\":\"log\",\"message\":\"m\"}"
#define NETWORK_ENTRY	"{\"url\":\"/a\",\"method\":\"GET\"}"
#define SEED_CONSOLE_AT	"\"console\":["
#define SEED_NETWORK_AT	"\"network\":["

static void
with_entries(const char *key, const char *entry, int n, bool ok,
    const char *field)
{
	const char	*from = strstr(seed_payload, key);
	char		*list = entries(entry, n), *from_s, *to;
	size_t		 flen;

	/* Replaces the whole seed array, up to its closing "],". */
	flen = (size_t)(strstr(from, "}],") + 2 - from);
	from_s = strndup(from, flen);
	to = malloc(strlen(key) + strlen(list) + 2);
	sprintf(to, "\"%.*s\":%s", (int)(strchr(key + 1, '"') - key - 1),
	    key + 1, list);
	if (ok)
		variant_passes(from_s, to);
	else
		variant_fails(from_s, to, "too_long", field, NULL);
	free(from_s);
	free(to);
	free(list);
}

START_TEST(console_51_entries_named_at_the_51st)
{
	with_entries(SEED_CONSOLE_AT, CONSOLE_ENTRY, 50, true, NULL);
	ck_assert_uint_eq(pl.context.console.n, 50);
	with_entries(SEED_CONSOLE_AT, CONSOLE_ENTRY, 51, false,
	    "context.console[50]");
	ck_assert_str_eq(err.message,
	    "context.console[50] is past the limit of 50 items");
}
END_TEST

START_TEST(network_11_entries_named_at_the_11th)
{
	with_entries(SEED_NETWORK_AT, NETWORK_ENTRY, 10, true, NULL);
	with_entries(SEED_NETWORK_AT, NETWORK_ENTRY, 11, false,
	    "context.network[10]");
	ck_assert_str_eq(err.message,
	    "context.network[10] is past the limit of 10 items");
}
END_TEST

START_TEST(identity_with_non_string_email)
{
	variant_fails("\"email\":\"user@host.com\"", "\"email\":42",
	    "wrong_type", "identity.email", "identity.email must be a string");
	variant_fails("\"email\":\"user@host.com\"", "\"email\":[\"a@b.c\"]",
	    "wrong_type", "identity.email", NULL);
	variant_fails("\"email\":\"user@host.com\"", "\"email\":\"nope\"",
	    "invalid_value", "identity.email",
	    "identity.email must be a valid email address");
	variant_fails("\"identity\":{", "\"identity\":[],\"x\":{",
	    "wrong_type", "identity", "identity must be an object");
	variant_fails("\"traits\":{\"plan\":\"pro\"}", "\"traits\":\"pro\"",
	    "wrong_type", "identity.traits", NULL);
	variant_passes("\"email\":\"user@host.com\"", "\"email\":null");
	ck_assert_ptr_nonnull(pl.identity.obj);
	ck_assert_ptr_null(pl.identity.email.s);
}
END_TEST

START_TEST(identity_null_or_object_and_required)
{
	char	*s;
	size_t	 n;

	variant_passes("\"identity\":{\"userId\":\"u_123\",\"email\":"
	    "\"user@host.com\",\"name\":\"Pat User\",\"traits\":{\"plan\":"
	    "\"pro\"}}", "\"identity\":null");
	ck_assert_ptr_null(pl.identity.obj);
	/* Absent is not null: the seed's shape has no "?" on identity. */
	s = variant(",\"identity\":{\"userId\":\"u_123\",\"email\":"
	    "\"user@host.com\",\"name\":\"Pat User\",\"traits\":{\"plan\":"
	    "\"pro\"}}", "");
	n = strlen(s);
	ck_assert_int_eq(read_payload(s, n), -1);
	ck_assert_str_eq(err.code, "missing_field");
	ck_assert_str_eq(err.field, "identity");
	free(s);
}
END_TEST

START_TEST(session_id_not_a_uuid)
{
	variant_fails(SID, "not-a-uuid", "invalid_value", "sessionId",
	    "sessionId must be a UUID (RFC 9562, such as a version 7 one)");
	variant_fails(SID, "00000000-0000-0000-0000-000000000000",
	    "invalid_value", "sessionId", NULL);
	variant_fails("\"" SID "\"", "12345", "wrong_type", "sessionId",
	    "sessionId must be a string");
	variant_fails("\"sessionId\":\"" SID "\",", "", "missing_field",
	    "sessionId", "sessionId is required");
	/* Any RFC 9562 version is accepted, v4 as well as v7. */
	variant_passes(SID, "f47ac10b-58cc-4372-9567-0e02b2c3d479");
}
END_TEST

START_TEST(payload_that_is_not_json)
{
	static const char *const bad[] = {
		"", "sessionId=x&transcript=y", "{\"sessionId\":", "[]",
		"{\"a\":1} trailing", "\xff\xfe{}", NULL
	};
	size_t	 i;

	for (i = 0; bad[i] != NULL; i++) {
		ck_assert_int_eq(read_payload(bad[i], strlen(bad[i])), -1);
		ck_assert_ptr_null(tree);
		ck_assert_ptr_nonnull(err.code);
		ck_assert_msg(strcmp(err.code, "invalid_json") == 0 ||
		    strcmp(err.code, "not_an_object") == 0 ||
		    strcmp(err.code, "trailing_garbage") == 0 ||
		    strcmp(err.code, "invalid_utf8") == 0, "%s: %s", bad[i],
		    err.code);
	}
	ck_assert_int_eq(read_payload("not json", 8), -1);
	ck_assert_str_eq(err.code, "invalid_json");
	ck_assert_str_eq(err.field, "");
}
END_TEST

START_TEST(viewport_width_wrong_type)
{
	variant_fails("\"width\":1280", "\"width\":\"1280\"", "wrong_type",
	    "context.device.viewport.width",
	    "context.device.viewport.width must be an integer");
	variant_fails("\"width\":1280", "\"width\":1280.5", "wrong_type",
	    "context.device.viewport.width", NULL);
	variant_fails("\"width\":1280", "\"width\":-1", "out_of_range",
	    "context.device.viewport.width",
	    "context.device.viewport.width must be between 0 and 100000");
	variant_fails("\"width\":1280,", "", "missing_field",
	    "context.device.viewport.width", NULL);
	variant_fails("\"devicePixelRatio\":2", "\"devicePixelRatio\":true",
	    "wrong_type", "context.device.devicePixelRatio",
	    "context.device.devicePixelRatio must be a number");
}
END_TEST

START_TEST(context_members_checked)
{
	variant_fails("\"format\":\"rrweb-full-snapshot-v2\"",
	    "\"format\":\"rrweb-full-snapshot-v1\"", "invalid_value",
	    "context.dom.format",
	    "context.dom.format must be one of: rrweb-full-snapshot-v2");
	variant_fails("\"capturedAt\":\"2026-12-03T10:15:30Z\"",
	    "\"capturedAt\":\"yesterday\"", "invalid_value",
	    "context.capturedAt", NULL);
	variant_fails("\"capturedAt\":\"2026-12-03T10:15:30.123Z\"",
	    "\"capturedAt\":\"2026-02-30T10:15:30Z\"", "invalid_value",
	    "context.dom.capturedAt", NULL);
	variant_fails(",\"capturedAt\":\"2026-12-03T10:15:30Z\"}", "}",
	    "missing_field", "context.capturedAt", NULL);
	variant_fails("\"level\":\"error\",", "", "missing_field",
	    "context.console[0].level", "context.console[0].level is required");
	variant_fails("\"timestamp\":1764756930000", "\"timestamp\":-5",
	    "invalid_value", "context.console[0].timestamp", NULL);
	variant_fails("\"timestamp\":1764756930000", "\"timestamp\":true",
	    "invalid_value", "context.console[0].timestamp", NULL);
	variant_fails("\"status\":500", "\"status\":1000", "out_of_range",
	    "context.network[0].status", NULL);
	variant_fails("\"method\":\"PUT\",", "", "missing_field",
	    "context.network[0].method", NULL);
	variant_fails("\"screenshotUrl\":null,", "", "missing_field",
	    "context.screenshotUrl", NULL);
	variant_fails("\"console\":[", "\"console\":\"x\",\"c2\":[",
	    "wrong_type", "context.console", "context.console must be an array");
	variant_fails("\"transcript\":\"The", "\"transcript\":null,\"x\":\"",
	    "wrong_type", "transcript", "transcript must be a string, not null");
	/* annotationLayer is unknown | null in the seed: it may go. */
	variant_passes("\"annotationLayer\":{\"shapes\":[{\"kind\":\"arrow\","
	    "\"x\":10}]},", "");
	ck_assert_ptr_null(pl.context.annotation_layer.s);
	variant_passes("\"annotationLayer\":{\"shapes\":[{\"kind\":\"arrow\","
	    "\"x\":10}]}", "\"annotationLayer\":[1, \"two\", null]");
	ck_assert_str_eq(pl.context.annotation_layer.s, "[1,\"two\",null]");
}
END_TEST

START_TEST(audio_duration_non_negative_integer)
{
	variant_fails("\"audioDurationMs\":4200", "\"audioDurationMs\":-1",
	    "out_of_range", "audioDurationMs",
	    "audioDurationMs must be between 0 and 86400000");
	variant_fails("\"audioDurationMs\":4200", "\"audioDurationMs\":42.5",
	    "wrong_type", "audioDurationMs", "audioDurationMs must be an integer");
	variant_fails("\"audioDurationMs\":4200", "\"audioDurationMs\":\"4200\"",
	    "wrong_type", "audioDurationMs", NULL);
	variant_passes("\"audioDurationMs\":4200", "\"audioDurationMs\":0");
	ck_assert_int_eq(pl.audio_duration_ms, 0);
	variant_passes(",\"audioDurationMs\":4200", "");
	ck_assert_int_eq(pl.audio_duration_ms, -1);
}
END_TEST

START_TEST(unknown_fields_never_cost_a_submission)
{
	variant_passes("{\"sessionId\"", "{\"usermail\":\"pat@host.com\","
	    "\"build\":{\"v\":[1,2]},\"sessionId\"");
	ck_assert_str_eq(json_object_to_json_string_ext(rep.extra,
	    JSON_C_TO_STRING_PLAIN),
	    "{\"usermail\":\"pat@host.com\",\"build\":{\"v\":[1,2]}}");
	ck_assert_str_eq(json_object_to_json_string_ext(rep.warnings,
	    JSON_C_TO_STRING_PLAIN),
	    "[{\"code\":\"unknown_field\",\"field\":\"usermail\"},"
	    "{\"code\":\"unknown_field\",\"field\":\"build\"}]");
	ck_assert_str_eq(pl.session_id.s, SID);
	/* Nested: a warning with its path, kept in place, not in extra. */
	variant_passes("\"width\":1280", "\"width\":1280,\"depth\":3");
	ck_assert_ptr_null(rep.extra);
	ck_assert_str_eq(json_object_to_json_string_ext(rep.warnings,
	    JSON_C_TO_STRING_PLAIN),
	    "[{\"code\":\"unknown_field\","
	    "\"field\":\"context.device.viewport.depth\"}]");
	ck_assert_int_eq(pl.context.device.viewport.width, 1280);
	variant_passes("\"level\":\"error\"", "\"level\":\"error\",\"args\":[]");
	ck_assert_str_eq(json_object_get_string(json_object_object_get(
	    json_object_array_get_idx(rep.warnings, 0), "field")),
	    "context.console[0].args");
	/* Free objects stay silent. */
	variant_passes("\"plan\":\"pro\"", "\"plan\":\"pro\",\"seats\":3");
	ck_assert_ptr_null(rep.warnings);
	/* Bad values stay refused, unknown members or not. */
	variant_fails("\"audioDurationMs\":4200", "\"usermail\":1,"
	    "\"audioDurationMs\":-3", "out_of_range", "audioDurationMs", NULL);
}
END_TEST

START_TEST(dom_snapshot_limit)
{
	struct hark_buf	 b;
	char		*big;
	size_t		 n = HARK_EARSHOT_DOM_MAX;

	/* A snapshot string one byte over the limit once quoted. */
	big = malloc(n);
	ck_assert_ptr_nonnull(big);
	memset(big, 'a', n - 2);
	big[n - 2] = '\0';
	memset(&b, 0, sizeof(b));
	hark_buf_printf(&b, "\"data\":\"%s\"", big);
	variant_passes("\"data\":{\"type\":2,\"node\":{\"id\":1,"
	    "\"childNodes\":[]},\"ratio\":1.50,"
	    "\"url\":\"https://app.example/settings\"}", b.data);
	ck_assert_uint_eq(pl.context.dom.data.len, n);
	hark_buf_reset(&b);
	big[n - 3] = 'a';
	big[n - 2] = 'a';
	big[n - 1] = '\0';
	hark_buf_printf(&b, "\"data\":\"%s\"", big);
	variant_fails("\"data\":{\"type\":2,\"node\":{\"id\":1,"
	    "\"childNodes\":[]},\"ratio\":1.50,"
	    "\"url\":\"https://app.example/settings\"}", b.data, "too_long",
	    "context.dom.data", NULL);
	hark_buf_free(&b);
	free(big);
}
END_TEST

static int
identify(const char *s, struct hark_earshot_identify *in)
{
	struct json_object	*o = must_parse(s);
	int			 rc;

	hark_json_report_clear(&rep);
	memset(in, 0, sizeof(*in));
	rc = hark_json_validate_report(o, &hark_earshot_identify_schema, &rep,
	    &err);
	if (rc == 0)
		ck_assert_int_eq(hark_json_fill(o, &hark_earshot_identify_schema,
		    in, &err), 0);
	json_object_put(tree);
	tree = o;	/* freed by the next call or the teardown */
	return rc;
}

START_TEST(identify_body)
{
	struct hark_earshot_identify	 in;

	/* The seed's example. */
	ck_assert_int_eq(identify("{\"sessionId\":\"" SID "\",\"identity\":{"
	    "\"userId\":\"u_123\",\"email\":\"user@host.com\",\"name\":"
	    "\"Pat User\",\"traits\":{\"plan\":\"pro\"}}}", &in), 0);
	ck_assert_str_eq(in.session_id.s, SID);
	ck_assert_str_eq(in.identity.email.s, "user@host.com");
	ck_assert_str_eq(in.identity.traits.s, "{\"plan\":\"pro\"}");
	ck_assert_ptr_null(rep.warnings);
	ck_assert_int_eq(identify("{\"sessionId\":\"" SID "\",\"identity\":{"
	    "\"mail\":\"x\"},\"v\":2}", &in), 0);
	ck_assert_str_eq(json_object_to_json_string_ext(rep.warnings,
	    JSON_C_TO_STRING_PLAIN),
	    "[{\"code\":\"unknown_field\",\"field\":\"v\"},"
	    "{\"code\":\"unknown_field\",\"field\":\"identity.mail\"}]");
	/* null identifies no one: accepted, and filled as no object. */
	ck_assert_int_eq(identify("{\"sessionId\":\"" SID "\",\"identity\":"
	    "null}", &in), 0);
	ck_assert_ptr_null(in.identity.obj);
	ck_assert_int_eq(identify("{\"sessionId\":\"" SID "\",\"identity\":"
	    "[]}", &in), -1);
	ck_assert_str_eq(err.code, "wrong_type");
	ck_assert_str_eq(err.field, "identity");
	ck_assert_int_eq(identify("{\"sessionId\":\"" SID "\"}", &in), -1);
	ck_assert_str_eq(err.code, "missing_field");
	ck_assert_str_eq(err.field, "identity");
	ck_assert_int_eq(identify("{\"sessionId\":\"" SID "\",\"identity\":"
	    "{\"email\":false}}", &in), -1);
	ck_assert_str_eq(err.field, "identity.email");
	ck_assert_int_eq(identify("{\"sessionId\":\"x\",\"identity\":{}}",
	    &in), -1);
	ck_assert_str_eq(err.field, "sessionId");
	ck_assert_int_eq(identify("{\"identity\":{}}", &in), -1);
	ck_assert_str_eq(err.code, "missing_field");
}
END_TEST

static Suite *
schema_suite(void)
{
	Suite	*s = suite_create("schema");
	TCase	*e = tcase_create("engine");
	TCase	*p = tcase_create("earshot");

	tcase_add_test(e, fills_nested_struct_and_array);
	tcase_add_test(e, absent_or_null_nested_values_fill_nothing);
	tcase_add_test(e, nested_errors_name_the_exact_path);
	tcase_add_test(e, refuse_mode_is_unchanged);
	tcase_add_test(e, collect_keeps_top_unknown_members_and_warns);
	tcase_add_test(e, collect_still_refuses_bad_values);
	tcase_add_test(e, collect_with_nothing_unknown_reports_nothing);
	tcase_add_test(e, collect_caps_warnings_not_extra);
	tcase_add_test(e, serialize_is_compact_without_escaped_slashes);
	tcase_add_test(e, rfc9562_uuid_checks);
	suite_add_tcase(s, e);

	tcase_add_checked_fixture(p, NULL, teardown);
	tcase_add_test(p, seed_payload_validates_and_fills);
	tcase_add_test(p, seed_minimal_payload_fills_defaults);
	tcase_add_test(p, console_51_entries_named_at_the_51st);
	tcase_add_test(p, network_11_entries_named_at_the_11th);
	tcase_add_test(p, identity_with_non_string_email);
	tcase_add_test(p, identity_null_or_object_and_required);
	tcase_add_test(p, session_id_not_a_uuid);
	tcase_add_test(p, payload_that_is_not_json);
	tcase_add_test(p, viewport_width_wrong_type);
	tcase_add_test(p, context_members_checked);
	tcase_add_test(p, audio_duration_non_negative_integer);
	tcase_add_test(p, unknown_fields_never_cost_a_submission);
	tcase_add_test(p, dom_snapshot_limit);
	tcase_add_test(p, identify_body);
	suite_add_tcase(s, p);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(schema_suite());
	int	 nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
