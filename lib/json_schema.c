/*
 * json_schema.c: the schema engine.  Validation walks a table of fields
 * (json.h) and stops at the first problem, naming it by its path; filling
 * copies each validated value into the caller's typed struct at the offset
 * its field names, so handlers read in->text, never the tree.  Nested
 * objects fill nested structs the same way; arrays are handed over as the
 * borrowed array and its length, an item filled on demand.
 *
 * A schema with HARK_JSON_UNKNOWN_COLLECT turns unknown members from an
 * error into a report: the top object's kept verbatim in extra, each one
 * (nested too) named in the warnings, so a typo never costs a submission
 * and the sender still learns about it.
 */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "json.h"
#include "json_int.h"
#include "utf8.h"

struct validator {
	struct hark_json_path	 path;
	struct hark_json_err	*err;
	bool			 collect;	/* the top schema's flag */
	struct hark_json_report	*rep;		/* NULL: collect silently */
	size_t			 depth;		/* objects entered, top = 1 */
};

/* ---- the schema engine ---- */

static int	check_value(struct validator *, const struct hark_json_field *,
		    struct json_object *);

static const char *
type_phrase(enum hark_json_type t)
{
	switch (t) {
	case HARK_JSON_STRING:
		return "a string";
	case HARK_JSON_INT:
		return "an integer";
	case HARK_JSON_NUMBER:
		return "a number";
	case HARK_JSON_BOOL:
		return "true or false";
	case HARK_JSON_OBJECT:
		return "an object";
	case HARK_JSON_ARRAY:
		return "an array";
	default:
		return "a value";
	}
}

static const char *
plural(size_t n)
{
	return n == 1 ? "" : "s";
}

static int
wrong_type(struct validator *v, const struct hark_json_field *f)
{
	return hark_json_err_field(v->err, "wrong_type", &v->path, "must be %s",
	    type_phrase(f->type));
}

/*
 * White space, controls and zero-width characters: what leaves a text
 * looking empty.
 */
static bool
is_blank_cp(uint32_t c)
{
	if (c <= 0x20 || (c >= 0x7F && c <= 0xA0))
		return true;
	if (c >= 0x2000 && c <= 0x200F)
		return true;
	switch (c) {
	case 0x1680: case 0x180E: case 0x2028: case 0x2029: case 0x202F:
	case 0x205F: case 0x2060: case 0x3000: case 0xFEFF:
		return true;
	default:
		return false;
	}
}

static bool
is_blank(const char *s, size_t len)
{
	uint32_t	 cp;
	size_t		 i, n;

	for (i = 0; i < len; i += n) {
		if ((n = hark_utf8_decode(s + i, len - i, &cp)) == 0)
			return false;
		if (!is_blank_cp(cp))
			return false;
	}
	return true;
}

bool
hark_json_in_list(const char *s, size_t len, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strlen(*list) == len && memcmp(*list, s, len) == 0)
			return true;
	return false;
}

static int
not_one_of(struct validator *v, const char *const *list)
{
	char	 all[HARK_JSON_MSG_MAX];
	size_t	 n = 0;
	int	 r;

	all[0] = '\0';
	for (; *list != NULL && n < sizeof(all); list++) {
		r = snprintf(all + n, sizeof(all) - n, "%s%s",
		    n > 0 ? ", " : "", *list);
		n += r < 0 ? 0 : (size_t)r;
	}
	return hark_json_err_field(v->err, "invalid_value", &v->path,
	    "must be one of: %s", all);
}

static int
check_string(struct validator *v, const struct hark_json_field *f,
    struct json_object *o)
{
	const char	*s = json_object_get_string(o);
	size_t		 len = (size_t)json_object_get_string_len(o), chars;

	if (f->max_bytes > 0 && len > f->max_bytes)
		return hark_json_err_field(v->err, "too_long", &v->path,
		    "must be at most %zu byte%s", f->max_bytes,
		    plural(f->max_bytes));
	chars = hark_utf8_count(s, len);
	if (f->max > 0 && chars > f->max)
		return hark_json_err_field(v->err, "too_long", &v->path,
		    "must be at most %zu character%s", f->max, plural(f->max));
	if ((f->flags & HARK_JSON_TRIM_NONEMPTY) && is_blank(s, len))
		return hark_json_err_field(v->err, "empty", &v->path,
		    "must not be empty");
	if (f->min > 0 && chars < f->min)
		return hark_json_err_field(v->err, "too_short", &v->path,
		    "must be at least %zu character%s", f->min, plural(f->min));
	if (f->one_of != NULL && !hark_json_in_list(s, len, f->one_of))
		return not_one_of(v, f->one_of);
	return 0;
}

static bool
has_range(const struct hark_json_field *f)
{
	return f->imin != 0 || f->imax != 0;
}

static int
out_of_range(struct validator *v, const struct hark_json_field *f)
{
	if (!has_range(f))
		return hark_json_err_field(v->err, "out_of_range", &v->path,
		    "is too large");
	if (f->imax == LLONG_MAX)
		return hark_json_err_field(v->err, "out_of_range", &v->path,
		    "must be at least %lld", f->imin);
	if (f->imin == LLONG_MIN)
		return hark_json_err_field(v->err, "out_of_range", &v->path,
		    "must be at most %lld", f->imax);
	return hark_json_err_field(v->err, "out_of_range", &v->path,
	    "must be between %lld and %lld", f->imin, f->imax);
}

/* An integer literal our parser kept as a double because it overflowed. */
static bool
is_big_integer(struct json_object *o)
{
	const char	*s;

	if (!json_object_is_type(o, json_type_double))
		return false;
	s = json_object_get_string(o);
	if (*s == '-')
		s++;
	return *s != '\0' && strspn(s, "0123456789") == strlen(s);
}

static int
check_int(struct validator *v, const struct hark_json_field *f,
    struct json_object *o)
{
	long long	 n;

	if (is_big_integer(o))
		return out_of_range(v, f);
	if (!json_object_is_type(o, json_type_int))
		return wrong_type(v, f);
	n = (long long)json_object_get_int64(o);
	if (has_range(f) && (n < f->imin || n > f->imax))
		return out_of_range(v, f);
	return 0;
}

static int
check_number(struct validator *v, const struct hark_json_field *f,
    struct json_object *o)
{
	long long	 n;
	double		 d;

	if (json_object_is_type(o, json_type_int)) {
		n = (long long)json_object_get_int64(o);
		if (has_range(f) && (n < f->imin || n > f->imax))
			return out_of_range(v, f);
		return 0;
	}
	if (!json_object_is_type(o, json_type_double))
		return wrong_type(v, f);
	d = json_object_get_double(o);
	if (!isfinite(d))
		return out_of_range(v, f);
	if (has_range(f) && (d < (double)f->imin || d > (double)f->imax))
		return out_of_range(v, f);
	return 0;
}

static int
check_bytes(struct validator *v, const struct hark_json_field *f,
    struct json_object *o)
{
	size_t	 n;

	if (f->max_bytes == 0)
		return 0;
	if (json_object_to_json_string_length(o, HARK_JSON_SERIAL_FLAGS, &n) == NULL)
		return hark_json_err_nomem(v->err);
	if (n > f->max_bytes)
		return hark_json_err_field(v->err, "too_long", &v->path,
		    "must be at most %zu byte%s as JSON", f->max_bytes,
		    plural(f->max_bytes));
	return 0;
}

static int
check_count(struct validator *v, const struct hark_json_field *f, size_t n,
    const char *unit)
{
	if (f->max > 0 && n > f->max)
		return hark_json_err_field(v->err, "too_long", &v->path,
		    "must have at most %zu %s%s", f->max, unit, plural(f->max));
	if (f->min > 0 && n < f->min)
		return hark_json_err_field(v->err, "too_short", &v->path,
		    "must have at least %zu %s%s", f->min, unit,
		    plural(f->min));
	return 0;
}

static const struct hark_json_field *
find_field(const struct hark_json_schema *schema, const char *name)
{
	size_t	 i;

	for (i = 0; i < schema->nfields; i++)
		if (strcmp(schema->fields[i].name, name) == 0)
			return &schema->fields[i];
	return NULL;
}

/* obj[key] = a new string; -1 when memory runs out. */
static int
add_string(struct json_object *obj, const char *key, const char *value)
{
	struct json_object	*s;

	if ((s = json_object_new_string(value)) == NULL)
		return -1;
	if (json_object_object_add(obj, key, s) != 0) {
		json_object_put(s);
		return -1;
	}
	return 0;
}

/* {"code": "unknown_field", "field": path}, appended to the warnings. */
static int
add_warning(struct validator *v)
{
	struct hark_json_report	*rep = v->rep;
	struct hark_json_err	 named;
	struct json_object	*w = NULL;

	if (rep->warnings == NULL &&
	    (rep->warnings = json_object_new_array()) == NULL)
		return hark_json_err_nomem(v->err);
	if (json_object_array_length(rep->warnings) >= HARK_JSON_WARN_MAX)
		return 0;
	/* The error setter names the path as an error would, cut alike. */
	hark_json_err_field(&named, "unknown_field", &v->path, "unknown");
	if ((w = json_object_new_object()) == NULL ||
	    add_string(w, "code", "unknown_field") == -1 ||
	    add_string(w, "field", named.field) == -1 ||
	    json_object_array_add(rep->warnings, w) != 0) {
		json_object_put(w);
		return hark_json_err_nomem(v->err);
	}
	return 0;
}

/* An unknown member in collecting mode: warned about, kept if on top. */
static int
collect_unknown(struct validator *v, const char *key, struct json_object *val)
{
	struct hark_json_report	*rep = v->rep;
	size_t			 saved;
	int			 rc = 0;

	if (rep == NULL)
		return 0;
	saved = hark_json_path_key(&v->path, key, strlen(key));
	if (add_warning(v) == -1)
		rc = -1;
	else if (v->depth == 1) {
		if (rep->extra == NULL &&
		    (rep->extra = json_object_new_object()) == NULL)
			rc = hark_json_err_nomem(v->err);
		else if (json_object_object_add(rep->extra, key,
		    json_object_get(val)) != 0) {
			json_object_put(val);
			rc = hark_json_err_nomem(v->err);
		}
	}
	v->path.len = saved;
	return rc;
}

static int
check_unknown(struct validator *v, const struct hark_json_schema *schema,
    struct json_object *obj)
{
	struct json_object_iterator	 it, end;
	const char			*key;

	it = json_object_iter_begin(obj);
	end = json_object_iter_end(obj);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		key = json_object_iter_peek_name(&it);
		if (find_field(schema, key) != NULL)
			continue;
		if (v->collect) {
			if (collect_unknown(v, key,
			    json_object_iter_peek_value(&it)) == -1)
				return -1;
			continue;
		}
		hark_json_path_key(&v->path, key, strlen(key));
		return hark_json_err_field(v->err, "unknown_field", &v->path,
		    "is not a known field");
	}
	return 0;
}

static int
check_object(struct validator *v, const struct hark_json_schema *schema,
    struct json_object *obj)
{
	const struct hark_json_field	*f;
	struct json_object		*val;
	size_t				 i, saved;

	v->depth++;
	if (schema->allow_unknown != HARK_JSON_UNKNOWN_ALLOW &&
	    check_unknown(v, schema, obj) == -1)
		return -1;
	for (i = 0; i < schema->nfields; i++) {
		f = &schema->fields[i];
		saved = hark_json_path_key(&v->path, f->name, strlen(f->name));
		if (!json_object_object_get_ex(obj, f->name, &val)) {
			if (f->flags & HARK_JSON_REQUIRED)
				return hark_json_err_field(v->err, "missing_field",
				    &v->path, "is required");
		} else if (check_value(v, f, val) == -1)
			return -1;
		v->path.len = saved;
	}
	v->depth--;
	return 0;
}

/* More items than max, named by the first one past it: "console[50]". */
static int
too_many_items(struct validator *v, const struct hark_json_field *f)
{
	hark_json_path_index(&v->path, f->max);
	return hark_json_err_field(v->err, "too_long", &v->path,
	    "is past the limit of %zu item%s", f->max, plural(f->max));
}

static int
check_array(struct validator *v, const struct hark_json_field *f,
    struct json_object *arr)
{
	size_t	 i, n = json_object_array_length(arr), saved;

	if ((f->flags & HARK_JSON_ITEM_PATH) && f->max > 0 && n > f->max)
		return too_many_items(v, f);
	if (check_count(v, f, n, "item") == -1 || check_bytes(v, f, arr) == -1)
		return -1;
	if (f->items == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		saved = hark_json_path_index(&v->path, i);
		if (check_value(v, f->items,
		    json_object_array_get_idx(arr, i)) == -1)
			return -1;
		v->path.len = saved;
	}
	return 0;
}

static int
check_typed(struct validator *v, const struct hark_json_field *f,
    struct json_object *o)
{
	switch (f->type) {
	case HARK_JSON_STRING:
		if (!json_object_is_type(o, json_type_string))
			return wrong_type(v, f);
		return check_string(v, f, o);
	case HARK_JSON_INT:
		return check_int(v, f, o);
	case HARK_JSON_NUMBER:
		return check_number(v, f, o);
	case HARK_JSON_BOOL:
		if (!json_object_is_type(o, json_type_boolean))
			return wrong_type(v, f);
		return 0;
	case HARK_JSON_OBJECT:
		if (!json_object_is_type(o, json_type_object))
			return wrong_type(v, f);
		if (check_count(v, f, (size_t)json_object_object_length(o),
		    "member") == -1 || check_bytes(v, f, o) == -1)
			return -1;
		return f->sub != NULL ? check_object(v, f->sub, o) : 0;
	case HARK_JSON_ARRAY:
		if (!json_object_is_type(o, json_type_array))
			return wrong_type(v, f);
		return check_array(v, f, o);
	default:
		return check_bytes(v, f, o);
	}
}

/* One value against its field; o is NULL for JSON null. */
static int
check_value(struct validator *v, const struct hark_json_field *f,
    struct json_object *o)
{
	const char	*why = NULL;

	if (o == NULL) {
		if (f->flags & HARK_JSON_NULLABLE)
			return 0;
		return hark_json_err_field(v->err, "wrong_type", &v->path,
		    "must be %s, not null", type_phrase(f->type));
	}
	if (check_typed(v, f, o) == -1)
		return -1;
	if (f->check != NULL && f->check(o, &why) == -1)
		return hark_json_err_field(v->err, "invalid_value", &v->path, "%s",
		    why != NULL ? why : "is not valid");
	return 0;
}

static int
validate(struct json_object *obj, const struct hark_json_schema *schema,
    struct hark_json_report *rep, struct hark_json_err *err)
{
	struct validator	 v;

	memset(&v, 0, sizeof(v));
	v.err = err;
	v.collect = schema->allow_unknown == HARK_JSON_UNKNOWN_COLLECT;
	v.rep = v.collect ? rep : NULL;
	if (!json_object_is_type(obj, json_type_object))
		return hark_json_err_at(err, "not_an_object", NULL,
		    "the body must be a JSON object");
	return check_object(&v, schema, obj);
}

int
hark_json_validate(struct json_object *obj,
    const struct hark_json_schema *schema, struct hark_json_err *err)
{
	return validate(obj, schema, NULL, err);
}

int
hark_json_validate_report(struct json_object *obj,
    const struct hark_json_schema *schema, struct hark_json_report *rep,
    struct hark_json_err *err)
{
	if (validate(obj, schema, rep, err) == -1) {
		hark_json_report_clear(rep);
		return -1;
	}
	return 0;
}

void
hark_json_report_clear(struct hark_json_report *rep)
{
	json_object_put(rep->extra);
	json_object_put(rep->warnings);
	rep->extra = rep->warnings = NULL;
}

bool
hark_json_one_of(struct json_object *obj, const char *const *list)
{
	if (!json_object_is_type(obj, json_type_string))
		return false;
	return hark_json_in_list(json_object_get_string(obj),
	    (size_t)json_object_get_string_len(obj), list);
}


/* ---- filling the typed struct ---- */

static int	fill_fields(struct json_object *, const struct hark_json_schema *,
		    char *);

static int
fill_one(const struct hark_json_field *f, struct json_object *v, char *at)
{
	struct hark_json_text	*t = (struct hark_json_text *)(void *)at;
	struct hark_json_array	*a = (struct hark_json_array *)(void *)at;
	size_t			 len;

	switch (f->out) {
	case HARK_JSON_OUT_TEXT:
		t->s = json_object_get_string(v);
		t->len = (size_t)json_object_get_string_len(v);
		return 0;
	case HARK_JSON_OUT_JSON:
		t->s = json_object_to_json_string_length(v,
		    HARK_JSON_SERIAL_FLAGS, &len);
		t->len = len;
		return t->s != NULL ? 0 : -1;
	case HARK_JSON_OUT_INT:
		*(long long *)(void *)at = (long long)json_object_get_int64(v);
		return 0;
	case HARK_JSON_OUT_BOOL:
		*(bool *)(void *)at = json_object_get_boolean(v) != 0;
		return 0;
	case HARK_JSON_OUT_NUMBER:
		*(double *)(void *)at = json_object_get_double(v);
		return 0;
	case HARK_JSON_OUT_OBJECT:
		/* A field typed ANY may hold something else: left alone. */
		if (!json_object_is_type(v, json_type_object))
			return 0;
		*(struct json_object **)(void *)at = v;
		return f->sub != NULL ? fill_fields(v, f->sub, at) : 0;
	case HARK_JSON_OUT_ARRAY:
		if (!json_object_is_type(v, json_type_array))
			return 0;
		a->arr = v;
		a->n = json_object_array_length(v);
		return 0;
	default:
		return 0;
	}
}

/* Each field of schema present in obj, at base + its off. */
static int
fill_fields(struct json_object *obj, const struct hark_json_schema *schema,
    char *base)
{
	struct json_object	*v;
	size_t			 i;

	for (i = 0; i < schema->nfields; i++) {
		const struct hark_json_field *f = &schema->fields[i];

		if (f->out == HARK_JSON_OUT_NONE ||
		    !json_object_object_get_ex(obj, f->name, &v) || v == NULL)
			continue;
		if (fill_one(f, v, base + f->off) == -1)
			return -1;
	}
	return 0;
}

int
hark_json_fill(struct json_object *obj, const struct hark_json_schema *schema,
    void *in, struct hark_json_err *err)
{
	if (fill_fields(obj, schema, in) == -1)
		return hark_json_err_nomem(err);
	return 0;
}

int
hark_json_fill_item(const struct hark_json_array *a, size_t i,
    const struct hark_json_field *items, void *out, struct hark_json_err *err)
{
	struct json_object	*v;

	if (a->arr == NULL || i >= a->n)
		return hark_json_err_at(err, "invalid_value", NULL,
		    "item %zu is past the end of the array", i);
	if ((v = json_object_array_get_idx(a->arr, i)) == NULL)
		return 0;	/* a null item fills nothing */
	if (fill_one(items, v, (char *)out + items->off) == -1)
		return hark_json_err_nomem(err);
	return 0;
}

int
hark_json_serialize(struct json_object *obj, struct hark_json_text *out,
    struct hark_json_err *err)
{
	size_t	 len;

	if ((out->s = json_object_to_json_string_length(obj,
	    HARK_JSON_SERIAL_FLAGS, &len)) == NULL) {
		out->len = 0;
		return hark_json_err_nomem(err);
	}
	out->len = len;
	return 0;
}
