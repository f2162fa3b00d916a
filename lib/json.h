/*
 * json.h: strict parsing of untrusted JSON bodies and declarative validation.
 *
 * A request body goes through two steps before a handler looks at it:
 *
 *   hark_json_parse     bytes -> json-c tree, refusing anything that is not
 *                       plain RFC 8259 JSON with an object on top (trailing
 *                       garbage, nesting deeper than HARK_JSON_MAX_DEPTH,
 *                       duplicate keys, invalid UTF-8, lone surrogates, raw
 *                       control characters, NaN/Infinity, leading zeros).
 *   hark_json_validate  tree -> ok, or the first field that breaks the
 *                       payload's schema: a table of fields with a type and
 *                       limits each, walked by one engine.  Objects nest
 *                       (a field's sub schema) and arrays hold items (an
 *                       item field), to any depth the parser allows.
 *   hark_json_fill      tree -> the caller's typed struct, nested objects
 *                       into nested structs, arrays as a borrowed array.
 *
 * The parser and the accessors are json.c, the schema engine json_schema.c,
 * the format checks json_format.c (its RFC 3339 is lib/timestamp's).
 *
 * Both report failures the same way, as the code, field path and message of
 * hark's error body, so a handler can answer with
 *     hark_resp_error(resp, 400, err.code, err.field[0] ? err.field : NULL,
 *         "%s", err.message);
 * (500 instead when err.code is "out_of_memory").
 */
#ifndef HARK_JSON_H
#define HARK_JSON_H

#include <stdbool.h>
#include <stddef.h>

struct json_object;

#define HARK_JSON_MAX_DEPTH	32	/* objects and arrays, the top one counts */
#define HARK_JSON_FIELD_MAX	256	/* longer paths are cut, ending in "..." */
#define HARK_JSON_MSG_MAX	512

struct hark_json_err {
	/*
	 * Static snake_case string, one of: invalid_json, trailing_garbage,
	 * too_deep, duplicate_key, invalid_utf8, not_an_object (parsing);
	 * missing_field, wrong_type, unknown_field, too_long, too_short,
	 * empty, out_of_range, invalid_value (validation); out_of_memory.
	 */
	const char	*code;
	/* "metadata.device.width", "console[3].level"; "" = the whole body. */
	char		 field[HARK_JSON_FIELD_MAX];
	/* A sentence naming the field and the limit, no trailing period. */
	char		 message[HARK_JSON_MSG_MAX];
};

enum hark_json_type {
	HARK_JSON_ANY = 0,	/* any value; max_bytes bounds its serialized size */
	HARK_JSON_STRING,
	HARK_JSON_INT,		/* an integer literal that fits in long long */
	HARK_JSON_NUMBER,	/* an integer or a decimal */
	HARK_JSON_BOOL,
	HARK_JSON_OBJECT,	/* checked against sub when set, else any object */
	HARK_JSON_ARRAY		/* each item checked against items when set */
};

/* Field flags. */
#define HARK_JSON_REQUIRED	0x01	/* absent is "missing_field" */
#define HARK_JSON_NULLABLE	0x02	/* null is accepted (and counts as present) */
#define HARK_JSON_TRIM_NONEMPTY	0x04	/* strings: "" or only white space is "empty" */
/*
 * Arrays: more than max items is reported at the first item past the limit,
 * "context.console[50]", rather than at the array ("context.console").
 */
#define HARK_JSON_ITEM_PATH	0x08

/*
 * What a schema does with members it does not name (hark_json_schema's
 * allow_unknown; false and true, as older tables write it, are the first
 * two).
 *   REFUSE   "unknown_field", the first one stops the validation
 *   ALLOW    accepted silently (free-form objects such as metadata)
 *   COLLECT  on the top schema: the whole walk collects, as below; on a
 *            nested schema it means REFUSE unless the walk collects
 *
 * COLLECT: unknown members are not refused.  Those of the top object are
 * collected in the report's extra object (kept verbatim, for the caller to
 * store); every unknown member, top or nested, is named in its warnings as
 * {"code": "unknown_field", "field": "context.device.foo"}.  A nested
 * unknown member stays where it was in the tree: a value filled as
 * HARK_JSON_OUT_JSON (or stored from its node) still carries it, typed
 * fills skip it.  Objects whose schema ALLOWs stay silent.
 */
#define HARK_JSON_UNKNOWN_REFUSE	0
#define HARK_JSON_UNKNOWN_ALLOW		1
#define HARK_JSON_UNKNOWN_COLLECT	2
/* At most this many warnings are listed; extra still holds every member. */
#define HARK_JSON_WARN_MAX		32

struct hark_json_schema;

/*
 * Where hark_json_fill writes a validated value in the caller's
 * typed struct (at the field's off):
 *   TEXT  struct hark_json_text of a string       NULL when absent or null
 *   JSON  struct hark_json_text of the value's    NULL when absent or null
 *         compact serialization (no escaped slashes): the value "as sent"
 *         (members in their order, numbers as written), without the
 *         white space, strings escaped the json-c way ("\u00e9" comes back
 *         as the UTF-8 bytes, a control character as \u00XX)
 *   INT   long long                               untouched when absent
 *   BOOL  bool                                    untouched when absent
 *   NUMBER double (an integer converted)          untouched when absent
 *   OBJECT a nested struct whose first member is  obj NULL, the rest
 *         struct json_object *obj (the object);   untouched, when absent
 *         sub's fields are filled into it at      or null
 *         their offs, which count from it
 *   ARRAY struct hark_json_array                  { NULL, 0 } when absent
 *                                                 or null
 * Every pointer is borrowed from the tree: it lives as long as the tree
 * does, and the caller frees nothing but the tree.  A field without an out
 * kind (NONE) is validated and left in the tree.
 */
enum hark_json_out {
	HARK_JSON_OUT_NONE = 0,
	HARK_JSON_OUT_TEXT,
	HARK_JSON_OUT_JSON,
	HARK_JSON_OUT_INT,
	HARK_JSON_OUT_BOOL,
	HARK_JSON_OUT_NUMBER,
	HARK_JSON_OUT_OBJECT,
	HARK_JSON_OUT_ARRAY
};

struct hark_json_text {
	const char	*s;	/* may hold NUL bytes: use len */
	size_t		 len;
};

/*
 * A validated array as filled: its items are read with
 * json_object_array_get_idx(arr, i), or into a typed struct with
 * hark_json_fill_item.
 */
struct hark_json_array {
	struct json_object	*arr;	/* borrowed; NULL when absent or null */
	size_t			 n;
};

/*
 * One field of an object, or (name unused) the item of an array.  Zero means
 * "no limit" for min, max and max_bytes, and imin == imax == 0 means no range.
 *
 *   type     min, max                   max_bytes            imin, imax
 *   STRING   characters (code points)   bytes                -
 *   INT      -                          -                    value bounds
 *   NUMBER   -                          -                    value bounds
 *   OBJECT   members                    bytes, serialized    -
 *   ARRAY    items                      bytes, serialized    -
 *   ANY      -                          bytes, serialized    -
 *
 * Serialized means compact json-c output without escaped slashes.
 */
struct hark_json_field {
	const char			*name;
	enum hark_json_type		 type;
	unsigned			 flags;
	size_t				 min, max;
	size_t				 max_bytes;
	long long			 imin, imax;
	const struct hark_json_schema	*sub;	/* OBJECT: its members */
	const struct hark_json_field	*items;	/* ARRAY: each item */
	const char *const		*one_of;/* STRING: NULL-terminated list */
	/* Last word on a value that passed every other test: 0, or -1 with
	 * *why set to a static phrase such as "must be a valid email address". */
	int				(*check)(struct json_object *,
					    const char **why);
	enum hark_json_out		 out;
	/* offsetof(typed struct, member): the top struct for the top schema's
	 * fields, the nested struct for a sub schema's, the item's struct for
	 * an array's item field (whose off is then 0). */
	size_t				 off;
};

struct hark_json_schema {
	const struct hark_json_field	*fields;
	size_t				 nfields;
	unsigned			 allow_unknown;	/* HARK_JSON_UNKNOWN_* */
	size_t				 size;	/* of the typed struct; 0 = none */
};

/*
 * What a validation in HARK_JSON_UNKNOWN_COLLECT mode let through.  Both
 * are NULL when nothing was unknown; the caller frees them with
 * hark_json_report_clear (extra holds references to the tree's values, so
 * it may outlive the tree).
 *   extra     {"usermail": "x@example.com", ...}, the top object's unknown
 *             members as sent, in body order
 *   warnings  [{"code": "unknown_field", "field": "usermail"}, ...], in the
 *             order the walk meets them (each object's own unknown members
 *             before its fields), at most HARK_JSON_WARN_MAX
 */
struct hark_json_report {
	struct json_object	*extra;
	struct json_object	*warnings;
};

#define HARK_JSON_NFIELDS(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Parses len bytes of an untrusted body (its size already checked by the
 * caller) into *out.  Returns 0 with *out set to a JSON object that the
 * caller frees with json_object_put, or -1 with *out NULL and err filled.
 * Strings keep embedded NUL bytes ("\u0000"): read them with
 * json_object_get_string_len; object keys may not hold one.  Integers that
 * fit in 64 bits become json_type_int (-0 too, serialized as "-0"), other
 * numbers json_type_double (serialized as written); a number too large for a double is "out_of_range".
 */
int		 hark_json_parse(const char *buf, size_t len,
		    struct json_object **out, struct hark_json_err *err);

/*
 * Checks obj (an object) against schema.  Returns 0, or -1 with err filled
 * for the first problem: unknown keys first, then the fields in table order.
 */
int		 hark_json_validate(struct json_object *obj,
		    const struct hark_json_schema *schema,
		    struct hark_json_err *err);

/*
 * hark_json_validate, and the report of what a HARK_JSON_UNKNOWN_COLLECT
 * schema let through (rep zeroed by the caller; left empty for other
 * schemas).  On -1 the report is cleared already: only a 0 leaves the
 * caller something to free.  hark_json_validate on a collecting schema
 * accepts the unknown members and drops the report.
 */
int		 hark_json_validate_report(struct json_object *obj,
		    const struct hark_json_schema *schema,
		    struct hark_json_report *rep, struct hark_json_err *err);
void		 hark_json_report_clear(struct hark_json_report *rep);

/*
 * Fills the typed struct in (schema->size bytes, zeroed by the caller) from
 * obj, which hark_json_validate accepted against schema: each field with an
 * out kind lands at its off, as conf.c's table fills struct hark_conf.
 * Returns 0, or -1 with err set to out_of_memory.
 */
int		 hark_json_fill(struct json_object *obj,
		    const struct hark_json_schema *schema, void *in,
		    struct hark_json_err *err);

/*
 * Fills item i of a validated array a (i < a->n) into out, as if items (the
 * array field's items) were a field at offset 0 of out: for an OBJECT item
 * with out HARK_JSON_OUT_OBJECT, out is the item's struct (zeroed by the
 * caller) and sub's fields land in it; a null item fills nothing.  Returns
 * 0, or -1 with err set (out_of_memory; invalid_value when i >= a->n).
 */
int		 hark_json_fill_item(const struct hark_json_array *a, size_t i,
		    const struct hark_json_field *items, void *out,
		    struct hark_json_err *err);

/*
 * The compact serialization of a value, as HARK_JSON_OUT_JSON fills it
 * (borrowed from obj, which owns the bytes until it changes or is freed).
 * Returns 0, or -1 with err set to out_of_memory.
 */
int		 hark_json_serialize(struct json_object *obj,
		    struct hark_json_text *out, struct hark_json_err *err);

/*
 * Ready-made checks for hark_json_field.check: each accepts only a string
 * (without NUL bytes) of the given form.
 *   email    one '@'; local part 1-64 of A-Z a-z 0-9 !#$%&'*+/=?^_`{|}~- and
 *            dots (not first, last or doubled); a domain of two or more
 *            labels of letters, digits and inner hyphens, 1-63 each, the last
 *            not all digits; 254 bytes in all.  No IP literals, no quoting.
 *   uuid     8-4-4-4-12 hex digits, any case, any version.
 *   rfc9562_uuid
 *            a uuid as RFC 9562 defines them: the variant bits 10 (the
 *            17th digit 8, 9, a or b) and a version 1-8 (the 13th digit;
 *            7 is what browsers' widgets make).  The Nil and Max UUIDs are
 *            refused: they name no one session, every client would share
 *            them.
 *   rfc3339  "2024-05-01T12:30:00Z", optional fraction, "Z" or "+hh:mm",
 *            with real calendar dates (leap years; second 60 allowed).
 */
int		 hark_json_check_email(struct json_object *, const char **why);
int		 hark_json_check_uuid(struct json_object *, const char **why);
int		 hark_json_check_rfc9562_uuid(struct json_object *,
		    const char **why);
int		 hark_json_check_rfc3339(struct json_object *, const char **why);
/* A BCP 47 language tag, well-formed (RFC 5646 2.1), 35 characters at most. */
int		 hark_json_check_bcp47(struct json_object *, const char **why);

/* The same tests on plain bytes, for values that do not come in JSON. */
bool		 hark_json_is_email(const char *s, size_t len);
bool		 hark_json_is_uuid(const char *s, size_t len);
bool		 hark_json_is_rfc9562_uuid(const char *s, size_t len);
bool		 hark_json_is_rfc3339(const char *s, size_t len);
bool		 hark_json_is_bcp47(const char *s, size_t len);
/* True when obj is a string equal to one entry of the NULL-terminated list. */
bool		 hark_json_one_of(struct json_object *obj,
		    const char *const *list);

/*
 * Accessors for validated trees.  hark_json_str returns the string member
 * key (owned by obj; *len set when len is not NULL), or NULL when it is
 * absent, null or not a string.  hark_json_has is true when key is present
 * and not null.  hark_json_int and hark_json_bool return def unless key is an
 * integer or a boolean.
 */
const char	*hark_json_str(struct json_object *obj, const char *key,
		    size_t *len);
bool		 hark_json_has(struct json_object *obj, const char *key);
long long	 hark_json_int(struct json_object *obj, const char *key,
		    long long def);
bool		 hark_json_bool(struct json_object *obj, const char *key,
		    bool def);

#endif
