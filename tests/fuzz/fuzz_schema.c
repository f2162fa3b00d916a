/*
 * fuzz_schema.c: libFuzzer harness for the nested schema engine and the Earshot payload (lib/earshot_schema).
 *
 * fuzz-sources: lib/earshot_schema.c lib/json.c lib/json_schema.c lib/json_format.c lib/timestamp.c lib/utf8.c lib/buf.c
 * fuzz-pkgs: json-c
 *
 * Each input is read as an Earshot payload (parse, validate collecting
 * unknown members, fill, every console and network entry filled) and
 * checked against a small nested schema in both unknown-member modes.
 * Beyond "never crash, never leak" it checks these properties:
 *   - a read payload keeps the schema's word: a 36-byte sessionId, at most
 *     50 console and 10 network entries, each of them fillable, at most
 *     HARK_JSON_WARN_MAX warnings, extra holding no known member;
 *   - a failed read leaves no tree and an empty report;
 *   - refusing and collecting agree: a body the refusing schema accepts is
 *     accepted by the collecting one without a warning, and a body the
 *     collecting one accepts without a warning is accepted by the refusing
 *     one; hark_json_validate and hark_json_validate_report agree.
 * Built and run by tests/fuzz/run.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "earshot_schema.h"
#include "json.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct leaf {
	struct json_object	*obj;
	long long		 n;
	struct hark_json_text	 s;
};
struct root {
	struct leaf		 one;
	struct hark_json_array	 list;
	struct hark_json_text	 any;
	double			 d;
};

static const struct hark_json_field leaf_fields[] = {
	{ .name = "n", .type = HARK_JSON_INT, .imin = 0, .imax = 9,
	  .out = HARK_JSON_OUT_INT, .off = offsetof(struct leaf, n) },
	{ .name = "s", .type = HARK_JSON_STRING, .flags = HARK_JSON_NULLABLE,
	  .max = 4, .out = HARK_JSON_OUT_TEXT, .off = offsetof(struct leaf, s) },
};
static const struct hark_json_schema leaf_schema = {
	leaf_fields, HARK_JSON_NFIELDS(leaf_fields), false, sizeof(struct leaf)
};
static const struct hark_json_field leaf_item = {
	.type = HARK_JSON_OBJECT, .flags = HARK_JSON_NULLABLE,
	.sub = &leaf_schema, .out = HARK_JSON_OUT_OBJECT
};

#define ROOT(mode)							\
static const struct hark_json_field root_fields_##mode[] = {		\
	{ .name = "one", .type = HARK_JSON_OBJECT,			\
	  .flags = HARK_JSON_NULLABLE, .sub = &leaf_schema,		\
	  .out = HARK_JSON_OUT_OBJECT, .off = offsetof(struct root, one) }, \
	{ .name = "list", .type = HARK_JSON_ARRAY,			\
	  .flags = HARK_JSON_ITEM_PATH, .max = 3, .items = &leaf_item,	\
	  .out = HARK_JSON_OUT_ARRAY, .off = offsetof(struct root, list) }, \
	{ .name = "any", .type = HARK_JSON_ANY, .max_bytes = 64,	\
	  .out = HARK_JSON_OUT_JSON, .off = offsetof(struct root, any) }, \
	{ .name = "d", .type = HARK_JSON_NUMBER, .imin = -5, .imax = 5,	\
	  .out = HARK_JSON_OUT_NUMBER, .off = offsetof(struct root, d) }, \
};									\
static const struct hark_json_schema root_##mode = {			\
	root_fields_##mode, HARK_JSON_NFIELDS(root_fields_##mode),	\
	HARK_JSON_UNKNOWN_##mode, sizeof(struct root)			\
}
ROOT(REFUSE);
ROOT(COLLECT);

static void
check_err(const struct hark_json_err *err)
{
	if (err->code == NULL || err->message[0] == '\0' ||
	    strlen(err->field) >= HARK_JSON_FIELD_MAX ||
	    strlen(err->message) >= HARK_JSON_MSG_MAX)
		abort();
}

static void
check_report(const struct hark_json_report *rep,
    const struct hark_json_schema *schema)
{
	struct json_object	*w, *f;
	size_t			 i, n;

	if (rep->warnings != NULL) {
		n = json_object_array_length(rep->warnings);
		if (n == 0 || n > HARK_JSON_WARN_MAX)
			abort();
		for (i = 0; i < n; i++) {
			w = json_object_array_get_idx(rep->warnings, i);
			if (!json_object_object_get_ex(w, "field", &f) ||
			    json_object_get_string_len(f) >= HARK_JSON_FIELD_MAX)
				abort();
		}
	}
	if (rep->extra == NULL)
		return;
	if (rep->warnings == NULL)
		abort();	/* every extra member is warned about */
	for (i = 0; i < schema->nfields; i++)
		if (json_object_object_get_ex(rep->extra,
		    schema->fields[i].name, NULL))
			abort();
}

static void
earshot(const uint8_t *data, size_t size)
{
	struct json_object		*tree = (struct json_object *)&tree;
	struct hark_earshot_payload	 pl;
	struct hark_earshot_console	 con;
	struct hark_earshot_network	 net;
	struct hark_json_report		 rep = { NULL, NULL };
	struct hark_json_err		 err;
	size_t				 i;

	if (hark_earshot_payload_read((const char *)data, size, &tree, &pl,
	    &rep, &err) == -1) {
		check_err(&err);
		if (tree != NULL || rep.extra != NULL || rep.warnings != NULL)
			abort();
		return;
	}
	if (pl.session_id.len != 36 || pl.context.obj == NULL ||
	    pl.context.console.n > HARK_EARSHOT_CONSOLE_MAX ||
	    pl.context.network.n > HARK_EARSHOT_NETWORK_MAX ||
	    pl.audio_duration_ms < -1)
		abort();
	for (i = 0; i < pl.context.console.n; i++)
		if (hark_earshot_console_at(&pl.context, i, &con, &err) == -1 ||
		    con.level.s == NULL || con.message.s == NULL)
			abort();
	for (i = 0; i < pl.context.network.n; i++)
		if (hark_earshot_network_at(&pl.context, i, &net, &err) == -1 ||
		    net.url.s == NULL || net.method.s == NULL)
			abort();
	check_report(&rep, &hark_earshot_payload_schema);
	hark_json_report_clear(&rep);
	json_object_put(tree);
}

static void
modes(struct json_object *obj)
{
	struct hark_json_report	 rep = { NULL, NULL };
	struct hark_json_err	 err;
	struct root		 r;
	struct leaf		 l;
	int			 refused, collected, plain;
	size_t			 i;

	refused = hark_json_validate(obj, &root_REFUSE, &err);
	if (refused == -1)
		check_err(&err);
	plain = hark_json_validate(obj, &root_COLLECT, &err);
	collected = hark_json_validate_report(obj, &root_COLLECT, &rep, &err);
	if (plain != collected)
		abort();
	if (collected == -1) {
		check_err(&err);
		if (refused == 0 || rep.extra != NULL || rep.warnings != NULL)
			abort();
		return;
	}
	check_report(&rep, &root_COLLECT);
	if ((refused == 0) != (rep.warnings == NULL))
		abort();
	memset(&r, 0, sizeof(r));
	if (hark_json_fill(obj, &root_COLLECT, &r, &err) == -1)
		abort();
	if (r.list.n > 3 || (r.list.n > 0 && r.list.arr == NULL))
		abort();
	for (i = 0; i < r.list.n; i++) {
		memset(&l, 0, sizeof(l));
		if (hark_json_fill_item(&r.list, i, &leaf_item, &l, &err) == -1 ||
		    l.n < 0 || l.n > 9)
			abort();
	}
	hark_json_report_clear(&rep);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object	*obj;
	struct hark_json_err	 err;

	(void)hark_json_is_rfc9562_uuid((const char *)data, size);
	earshot(data, size);
	if (hark_json_parse((const char *)data, size, &obj, &err) == -1)
		return 0;
	modes(obj);
	json_object_put(obj);
	return 0;
}
