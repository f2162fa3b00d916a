/*
 * fuzz_json.c: libFuzzer harness for lib/json (the strict parser and the schema engine).
 *
 * fuzz-sources: lib/json.c lib/json_schema.c lib/json_format.c lib/timestamp.c lib/utf8.c lib/buf.c
 * fuzz-pkgs: json-c
 *
 * Beyond "never crash, never leak" it checks one property: whatever the
 * parser accepts, json-c serializes into text the parser accepts again,
 * giving the same serialization (escapes, surrogate pairs, embedded NULs and
 * numbers all survive the round trip).  Built and run by tests/fuzz/run.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "json.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const kinds[] = { "bug", "idea", "other", NULL };

static const struct hark_json_field point_fields[] = {
	{ .name = "x", .type = HARK_JSON_INT, .imin = -1000, .imax = 1000 },
	{ .name = "y", .type = HARK_JSON_NUMBER, .imin = -1, .imax = 1 },
};
static const struct hark_json_schema point_schema = {
	point_fields, HARK_JSON_NFIELDS(point_fields), false
};
static const struct hark_json_field inner_fields[] = {
	{ .name = "point", .type = HARK_JSON_OBJECT, .sub = &point_schema },
	{ .name = "on", .type = HARK_JSON_BOOL, .flags = HARK_JSON_NULLABLE },
	{ .name = "any", .type = HARK_JSON_ANY, .max_bytes = 64 },
};
static const struct hark_json_schema inner_schema = {
	inner_fields, HARK_JSON_NFIELDS(inner_fields), true
};
static const struct hark_json_field entry_fields[] = {
	{ .name = "level", .type = HARK_JSON_STRING,
	  .flags = HARK_JSON_REQUIRED, .one_of = kinds },
	{ .name = "msg", .type = HARK_JSON_STRING,
	  .flags = HARK_JSON_TRIM_NONEMPTY, .min = 1, .max = 20 },
	{ .name = "at", .type = HARK_JSON_STRING,
	  .check = hark_json_check_rfc3339 },
};
static const struct hark_json_schema entry_schema = {
	entry_fields, HARK_JSON_NFIELDS(entry_fields), false
};
static const struct hark_json_field entry_item = {
	.type = HARK_JSON_OBJECT, .sub = &entry_schema
};
static const struct hark_json_field email_item = {
	.type = HARK_JSON_STRING, .check = hark_json_check_email
};
static const struct hark_json_field nested_item = {
	.type = HARK_JSON_ARRAY, .max = 4, .items = &email_item
};
static const struct hark_json_field top_fields[] = {
	{ .name = "text", .type = HARK_JSON_STRING,
	  .flags = HARK_JSON_REQUIRED | HARK_JSON_TRIM_NONEMPTY,
	  .min = 1, .max = 50, .max_bytes = 120 },
	{ .name = "email", .type = HARK_JSON_STRING,
	  .flags = HARK_JSON_NULLABLE, .check = hark_json_check_email },
	{ .name = "id", .type = HARK_JSON_STRING, .check = hark_json_check_uuid },
	{ .name = "meta", .type = HARK_JSON_OBJECT, .max = 8, .max_bytes = 256,
	  .sub = &inner_schema },
	{ .name = "blob", .type = HARK_JSON_OBJECT, .max_bytes = 128 },
	{ .name = "log", .type = HARK_JSON_ARRAY, .max = 5,
	  .items = &entry_item },
	{ .name = "cc", .type = HARK_JSON_ARRAY, .items = &nested_item },
	{ .name = "n", .type = HARK_JSON_INT },
};
static const struct hark_json_schema top_schema = {
	top_fields, HARK_JSON_NFIELDS(top_fields), false
};

static void
check_err(const struct hark_json_err *err)
{
	if (err->code == NULL || err->message[0] == '\0' ||
	    strlen(err->field) >= HARK_JSON_FIELD_MAX ||
	    strlen(err->message) >= HARK_JSON_MSG_MAX)
		abort();
}

static void
round_trip(struct json_object *obj)
{
	struct json_object	*again;
	struct hark_json_err	 err;
	const char		*s1, *s2;
	size_t			 n1, n2;

	s1 = json_object_to_json_string_length(obj, JSON_C_TO_STRING_PLAIN,
	    &n1);
	if (s1 == NULL)
		return;
	if (hark_json_parse(s1, n1, &again, &err) == -1) {
		fprintf(stderr, "re-parse failed: %s %s\n%s\n", err.code,
		    err.message, s1);
		abort();
	}
	s2 = json_object_to_json_string_length(again, JSON_C_TO_STRING_PLAIN,
	    &n2);
	if (s2 == NULL || n1 != n2 || memcmp(s1, s2, n1) != 0) {
		fprintf(stderr, "round trip differs:\n%s\n%s\n", s1,
		    s2 != NULL ? s2 : "(null)");
		abort();
	}
	json_object_put(again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object	*obj;
	struct hark_json_err	 err;
	size_t			 len;

	/* The string checks take raw bytes too; they must not read past size. */
	(void)hark_json_is_email((const char *)data, size);
	(void)hark_json_is_uuid((const char *)data, size);
	(void)hark_json_is_rfc3339((const char *)data, size);

	if (hark_json_parse((const char *)data, size, &obj, &err) == -1) {
		check_err(&err);
		return 0;
	}
	if (hark_json_validate(obj, &top_schema, &err) == -1)
		check_err(&err);
	if (hark_json_has(obj, "text"))
		(void)hark_json_str(obj, "text", &len);
	(void)hark_json_int(obj, "n", 0);
	round_trip(obj);
	json_object_put(obj);
	return 0;
}
