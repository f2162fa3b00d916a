/*
 * json_schema.c: the schema engine.  Validation walks a table of fields
 * (json.h) and stops at the first problem, naming it by its path; filling
 * copies each validated value into the caller's typed struct at the offset
 * its field names, so handlers read in->text, never the tree.
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
		if (find_field(schema, key) == NULL) {
			hark_json_path_key(&v->path, key, strlen(key));
			return hark_json_err_field(v->err, "unknown_field", &v->path,
			    "is not a known field");
		}
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

	if (!schema->allow_unknown && check_unknown(v, schema, obj) == -1)
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
	return 0;
}

static int
check_array(struct validator *v, const struct hark_json_field *f,
    struct json_object *arr)
{
	size_t	 i, n = json_object_array_length(arr), saved;

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

int
hark_json_validate(struct json_object *obj,
    const struct hark_json_schema *schema, struct hark_json_err *err)
{
	struct validator	 v;

	memset(&v, 0, sizeof(v));
	v.err = err;
	if (!json_object_is_type(obj, json_type_object))
		return hark_json_err_at(err, "not_an_object", NULL,
		    "the body must be a JSON object");
	return check_object(&v, schema, obj);
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

static int
fill_one(const struct hark_json_field *f, struct json_object *v, char *at)
{
	struct hark_json_text	*t = (struct hark_json_text *)(void *)at;
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
	default:
		return 0;
	}
}

int
hark_json_fill(struct json_object *obj, const struct hark_json_schema *schema,
    void *in, struct hark_json_err *err)
{
	struct json_object	*v;
	size_t			 i;

	for (i = 0; i < schema->nfields; i++) {
		const struct hark_json_field *f = &schema->fields[i];

		if (f->out == HARK_JSON_OUT_NONE ||
		    !json_object_object_get_ex(obj, f->name, &v) || v == NULL)
			continue;
		if (fill_one(f, v, (char *)in + f->off) == -1)
			return hark_json_err_nomem(err);
	}
	return 0;
}
