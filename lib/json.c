/*
 * json.c: a strict JSON parser for untrusted bodies, the error paths it
 * shares with the schema engine (json_schema.c), and the tree accessors.
 *
 * json-c's own tokener is lenient where a request body must not be (it keeps
 * the last of two equal keys, accepts NaN and raw control characters, and
 * passes invalid UTF-8 through), so this file holds a small recursive-descent
 * parser that builds json-c objects itself.  Recursion is bounded by
 * HARK_JSON_MAX_DEPTH.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "json.h"
#include "json_int.h"
#include "utf8.h"

#define NUM_MAX		128	/* longest number literal accepted, bytes */

struct parser {
	const unsigned char	*start, *p, *end;
	const unsigned char	*str_at;	/* opening quote of that string */
	int			 depth;
	struct hark_json_path	 path;
	struct hark_buf		 str;	/* the string being decoded, reused */
	struct hark_json_err	*err;
};

/* ---- paths and errors ---- */

static void
path_append(struct hark_json_path *p, const char *s, size_t n)
{
	size_t	 room;

	if (p->len < sizeof(p->buf) - 1) {
		room = sizeof(p->buf) - 1 - p->len;
		memcpy(p->buf + p->len, s, n < room ? n : room);
	}
	p->len += n;
}

/* Each push returns the length to restore with path->len = saved. */
size_t
hark_json_path_key(struct hark_json_path *p, const char *key, size_t n)
{
	size_t	 saved = p->len;

	if (p->len > 0)
		path_append(p, ".", 1);
	path_append(p, key, n);
	return saved;
}

size_t
hark_json_path_index(struct hark_json_path *p, size_t i)
{
	char	 tmp[32];
	size_t	 saved = p->len;
	int	 n;

	n = snprintf(tmp, sizeof(tmp), "[%zu]", i);
	path_append(p, tmp, (size_t)n);
	return saved;
}

/* Length of s[0..n) without a UTF-8 sequence that truncation cut in two. */
static size_t
utf8_whole(const char *s, size_t n)
{
	size_t		 i = n, need;
	unsigned char	 lead;

	while (i > 0 && n - i < 3 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0)
		return n;
	lead = (unsigned char)s[i - 1];
	if (lead < 0xC0)
		return n;
	need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
	return n - (i - 1) < need ? i - 1 : n;
}

static void
path_copy(char *dst, const struct hark_json_path *p)
{
	size_t	 n;

	if (p->len < HARK_JSON_FIELD_MAX) {
		memcpy(dst, p->buf, p->len);
		dst[p->len] = '\0';
		return;
	}
	n = utf8_whole(p->buf, HARK_JSON_FIELD_MAX - 4);
	memcpy(dst, p->buf, n);
	memcpy(dst + n, "...", 4);
}

static void __attribute__((format(printf, 5, 0)))
err_vset(struct hark_json_err *err, const char *code,
    const struct hark_json_path *path, const char *prefix, const char *fmt,
    va_list ap)
{
	size_t	 n;
	int	 r;

	err->code = code;
	if (path != NULL)
		path_copy(err->field, path);
	else
		err->field[0] = '\0';
	n = 0;
	if (prefix != NULL) {
		r = snprintf(err->message, sizeof(err->message), "%s ", prefix);
		n = r < 0 ? 0 : (size_t)r;
	}
	if (n < sizeof(err->message)) {
		r = vsnprintf(err->message + n, sizeof(err->message) - n, fmt,
		    ap);
		n += r < 0 ? 0 : (size_t)r;
	}
	if (n >= sizeof(err->message))
		err->message[utf8_whole(err->message,
		    sizeof(err->message) - 1)] = '\0';
}

/* An error about the body as a whole; field is path when given. */
int
hark_json_err_at(struct hark_json_err *err, const char *code,
    const struct hark_json_path *path, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	err_vset(err, code, path, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

/* An error about the field at path: the message starts with its name. */
int
hark_json_err_field(struct hark_json_err *err, const char *code,
    const struct hark_json_path *path, const char *fmt, ...)
{
	char	 name[HARK_JSON_FIELD_MAX];
	va_list	 ap;

	path_copy(name, path);
	va_start(ap, fmt);
	err_vset(err, code, path, name[0] != '\0' ? name : "the body", fmt,
	    ap);
	va_end(ap);
	return -1;
}

int
hark_json_err_nomem(struct hark_json_err *err)
{
	return hark_json_err_at(err, "out_of_memory", NULL, "out of memory");
}

/* ---- the parser ---- */

static int	parse_value(struct parser *, struct json_object **);

static size_t
offset(const struct parser *p)
{
	return (size_t)(p->p - p->start);
}

static void
skip_ws(struct parser *p)
{
	while (p->p < p->end && (*p->p == ' ' || *p->p == '\t' ||
	    *p->p == '\n' || *p->p == '\r'))
		p->p++;
}

static int
syntax(struct parser *p, const char *what)
{
	return hark_json_err_at(p->err, "invalid_json", NULL,
	    "invalid JSON at byte %zu: %s", offset(p), what);
}

/* A syntax error at p->p, saying what was found instead of what. */
static int
unexpected(struct parser *p, const char *what)
{
	unsigned char	 c;

	if (p->p == p->end)
		return hark_json_err_at(p->err, "invalid_json", NULL,
		    "invalid JSON: the body ends where %s was expected", what);
	c = *p->p;
	if (c == '\0')
		return hark_json_err_at(p->err, "invalid_json", NULL,
		    "invalid JSON at byte %zu: a NUL byte where %s was "
		    "expected", offset(p), what);
	if (c > 0x20 && c < 0x7F)
		return hark_json_err_at(p->err, "invalid_json", NULL,
		    "invalid JSON at byte %zu: '%c' where %s was expected",
		    offset(p), c, what);
	return hark_json_err_at(p->err, "invalid_json", NULL,
	    "invalid JSON at byte %zu: byte 0x%02X where %s was expected",
	    offset(p), c, what);
}

static int
expect(struct parser *p, char c, const char *what)
{
	skip_ws(p);
	if (p->p == p->end || *p->p != (unsigned char)c)
		return unexpected(p, what);
	p->p++;
	return 0;
}

static int
enter(struct parser *p)
{
	if (++p->depth > HARK_JSON_MAX_DEPTH)
		return hark_json_err_at(p->err, "too_deep", &p->path,
		    "the body nests objects and arrays more than %d deep",
		    HARK_JSON_MAX_DEPTH);
	p->p++;
	return 0;
}

static int
hex4(struct parser *p, unsigned *out)
{
	unsigned	 v = 0, d;
	int		 i;

	if (p->end - p->p < 4)
		return syntax(p, "\\u needs four hex digits");
	for (i = 0; i < 4; i++) {
		d = p->p[i];
		if (d >= '0' && d <= '9')
			d -= '0';
		else if ((d | 0x20) >= 'a' && (d | 0x20) <= 'f')
			d = (d | 0x20) - 'a' + 10;
		else
			return syntax(p, "\\u needs four hex digits");
		v = v << 4 | d;
	}
	p->p += 4;
	*out = v;
	return 0;
}

static size_t
utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

static int
bad_utf8(struct parser *p, bool key, const char *what)
{
	if (key)
		return hark_json_err_at(p->err, "invalid_utf8", &p->path,
		    "the object key at byte %zu is not valid UTF-8%s",
		    (size_t)(p->str_at - p->start), what);
	return hark_json_err_field(p->err, "invalid_utf8", &p->path,
	    "is not valid UTF-8%s", what);
}

/* \uXXXX, with p->p after the 'u'; surrogates must come in pairs. */
static int
parse_u_escape(struct parser *p, bool key)
{
	unsigned	 hi, lo;
	char		 out[4];

	if (hex4(p, &hi) == -1)
		return -1;
	if (hi >= 0xDC00 && hi <= 0xDFFF)
		return bad_utf8(p, key, " (a lone low surrogate escape)");
	if (hi >= 0xD800 && hi <= 0xDBFF) {
		if (p->end - p->p < 2 || p->p[0] != '\\' || p->p[1] != 'u')
			return bad_utf8(p, key,
			    " (a lone high surrogate escape)");
		p->p += 2;
		if (hex4(p, &lo) == -1)
			return -1;
		if (lo < 0xDC00 || lo > 0xDFFF)
			return bad_utf8(p, key,
			    " (a lone high surrogate escape)");
		hi = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
	}
	if (hark_buf_append(&p->str, out, utf8_encode(hi, out)) == -1)
		return hark_json_err_nomem(p->err);
	return 0;
}

/* One escape sequence, with p->p at the backslash. */
static int
parse_escape(struct parser *p, bool key)
{
	char	 c;

	if (p->end - p->p < 2) {
		p->p = p->end;
		return unexpected(p, "an escape sequence");
	}
	p->p++;
	switch (*p->p++) {
	case '"':
		c = '"';
		break;
	case '\\':
		c = '\\';
		break;
	case '/':
		c = '/';
		break;
	case 'b':
		c = '\b';
		break;
	case 'f':
		c = '\f';
		break;
	case 'n':
		c = '\n';
		break;
	case 'r':
		c = '\r';
		break;
	case 't':
		c = '\t';
		break;
	case 'u':
		return parse_u_escape(p, key);
	default:
		p->p -= 2;
		return syntax(p, "an unknown escape sequence");
	}
	if (hark_buf_append(&p->str, &c, 1) == -1)
		return hark_json_err_nomem(p->err);
	return 0;
}

/*
 * Decodes the string at p->p (its opening quote) into p->str.  Raw bytes
 * are copied in runs and the whole result is checked as UTF-8 at the end;
 * escapes can only produce well-formed sequences.
 */
static int
parse_string(struct parser *p, bool key)
{
	const unsigned char	*run;

	p->str_at = p->p;
	hark_buf_reset(&p->str);
	p->p++;
	for (;;) {
		run = p->p;
		while (p->p < p->end && *p->p != '"' && *p->p != '\\' &&
		    *p->p >= 0x20)
			p->p++;
		if (p->p > run && hark_buf_append(&p->str, run,
		    (size_t)(p->p - run)) == -1)
			return hark_json_err_nomem(p->err);
		if (p->p == p->end)
			return unexpected(p, "'\"' to end the string");
		if (*p->p == '"')
			break;
		if (*p->p < 0x20)
			return syntax(p, *p->p == '\0' ?
			    "a raw NUL byte in a string (write \\u0000)" :
			    "a raw control character in a string");
		if (parse_escape(p, key) == -1)
			return -1;
	}
	p->p++;
	if (p->str.len > INT_MAX) {
		p->p = p->str_at;
		return syntax(p, "a string longer than 2 GB");
	}
	if (!hark_utf8_valid(p->str.data, p->str.len))
		return bad_utf8(p, key, "");
	return 0;
}

static const char *
str_data(const struct parser *p)
{
	return p->str.data != NULL ? p->str.data : "";
}

static bool
is_digit(const struct parser *p)
{
	return p->p < p->end && *p->p >= '0' && *p->p <= '9';
}

static void
skip_digits(struct parser *p)
{
	while (is_digit(p))
		p->p++;
}

/* RFC 8259 number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int
scan_number(struct parser *p, bool *integer)
{
	*integer = true;
	if (p->p < p->end && *p->p == '-')
		p->p++;
	if (!is_digit(p))
		return unexpected(p, "a digit");
	if (*p->p++ == '0' && is_digit(p))
		return syntax(p, "a number with a leading zero");
	skip_digits(p);
	if (p->p < p->end && *p->p == '.') {
		*integer = false;
		p->p++;
		if (!is_digit(p))
			return unexpected(p, "a digit after '.'");
		skip_digits(p);
	}
	if (p->p < p->end && (*p->p == 'e' || *p->p == 'E')) {
		*integer = false;
		p->p++;
		if (p->p < p->end && (*p->p == '+' || *p->p == '-'))
			p->p++;
		if (!is_digit(p))
			return unexpected(p, "a digit in the exponent");
		skip_digits(p);
	}
	return 0;
}

/* Makes o serialize as text (json-c frees the copy with o). */
static int
keep_text(struct json_object *o, const char *text)
{
	char	*copy;

	if ((copy = strdup(text)) == NULL) {
		json_object_put(o);
		return -1;
	}
	json_object_set_serializer(o, json_object_userdata_to_json_string, copy,
	    json_object_free_userdata);
	return 0;
}

static int
parse_number(struct parser *p, struct json_object **out)
{
	const unsigned char	*first = p->p;
	char			 tmp[NUM_MAX + 1];
	long long		 ll;
	double			 d;
	size_t			 n;
	bool			 integer;

	if (scan_number(p, &integer) == -1)
		return -1;
	n = (size_t)(p->p - first);
	if (n > NUM_MAX) {
		p->p = first;
		return hark_json_err_field(p->err, "out_of_range", &p->path,
		    "is a number written with more than %d characters",
		    NUM_MAX);
	}
	memcpy(tmp, first, n);
	tmp[n] = '\0';
	if (integer) {
		errno = 0;
		ll = strtoll(tmp, NULL, 10);
		if (errno != ERANGE) {
			if ((*out = json_object_new_int64(ll)) == NULL)
				return hark_json_err_nomem(p->err);
			/* "-0" is an integer 0 that must be kept as written. */
			if (ll == 0 && tmp[0] == '-' && keep_text(*out, tmp) == -1)
				return hark_json_err_nomem(p->err);
			return 0;
		}
	}
	/* strtod follows LC_NUMERIC; hark never leaves the "C" locale. */
	d = strtod(tmp, NULL);
	if (!isfinite(d)) {
		p->p = first;
		return hark_json_err_field(p->err, "out_of_range", &p->path,
		    "is a number too large to represent");
	}
	/* Keeping the text serializes the number exactly as it came. */
	if ((*out = json_object_new_double_s(d, tmp)) == NULL)
		return hark_json_err_nomem(p->err);
	return 0;
}

static int
parse_literal(struct parser *p, const char *word, struct json_object **out)
{
	size_t	 n = strlen(word);

	if ((size_t)(p->end - p->p) < n || memcmp(p->p, word, n) != 0)
		return unexpected(p, "a JSON value");
	p->p += n;
	*out = NULL;
	if (word[0] == 't' || word[0] == 'f') {
		if ((*out = json_object_new_boolean(word[0] == 't')) == NULL)
			return hark_json_err_nomem(p->err);
	}
	return 0;
}

/* Reads "key": into a new string (caller frees), checking for duplicates. */
static int
parse_key(struct parser *p, struct json_object *obj, char **key,
    size_t *saved)
{
	skip_ws(p);
	if (p->p == p->end || *p->p != '"')
		return unexpected(p, "a string key");
	if (parse_string(p, true) == -1)
		return -1;
	if (memchr(str_data(p), '\0', p->str.len) != NULL)
		return syntax(p, "an object key holding a NUL byte");
	*saved = hark_json_path_key(&p->path, str_data(p), p->str.len);
	if (json_object_object_get_ex(obj, str_data(p), NULL))
		return hark_json_err_field(p->err, "duplicate_key", &p->path,
		    "appears more than once in its object");
	if (expect(p, ':', "':' after an object key") == -1)
		return -1;
	if ((*key = strdup(str_data(p))) == NULL)
		return hark_json_err_nomem(p->err);
	return 0;
}

static int
parse_object(struct parser *p, struct json_object **out)
{
	struct json_object	*obj, *val;
	char			*key = NULL;
	size_t			 saved = 0;
	int			 rc;

	if (enter(p) == -1)
		return -1;
	if ((obj = json_object_new_object()) == NULL)
		return hark_json_err_nomem(p->err);
	skip_ws(p);
	if (p->p < p->end && *p->p == '}') {
		p->p++;
		goto done;
	}
	for (;;) {
		if (parse_key(p, obj, &key, &saved) == -1)
			goto fail;
		rc = parse_value(p, &val);
		if (rc == 0 && json_object_object_add_ex(obj, key, val,
		    JSON_C_OBJECT_ADD_KEY_IS_NEW) != 0) {
			json_object_put(val);
			rc = hark_json_err_nomem(p->err);
		}
		free(key);
		if (rc == -1)
			goto fail;
		p->path.len = saved;
		skip_ws(p);
		if (p->p < p->end && *p->p == ',') {
			p->p++;
			continue;
		}
		if (expect(p, '}', "',' or '}' in an object") == -1)
			goto fail;
		break;
	}
done:
	p->depth--;
	*out = obj;
	return 0;
fail:
	json_object_put(obj);
	return -1;
}

static int
parse_array(struct parser *p, struct json_object **out)
{
	struct json_object	*arr, *val;
	size_t			 i, saved;

	if (enter(p) == -1)
		return -1;
	if ((arr = json_object_new_array()) == NULL)
		return hark_json_err_nomem(p->err);
	skip_ws(p);
	if (p->p < p->end && *p->p == ']') {
		p->p++;
		goto done;
	}
	for (i = 0;; i++) {
		saved = hark_json_path_index(&p->path, i);
		if (parse_value(p, &val) == -1)
			goto fail;
		if (json_object_array_add(arr, val) != 0) {
			json_object_put(val);
			hark_json_err_nomem(p->err);
			goto fail;
		}
		p->path.len = saved;
		skip_ws(p);
		if (p->p < p->end && *p->p == ',') {
			p->p++;
			continue;
		}
		if (expect(p, ']', "',' or ']' in an array") == -1)
			goto fail;
		break;
	}
done:
	p->depth--;
	*out = arr;
	return 0;
fail:
	json_object_put(arr);
	return -1;
}

/* Any value; *out is NULL for JSON null. */
static int
parse_value(struct parser *p, struct json_object **out)
{
	*out = NULL;
	skip_ws(p);
	if (p->p == p->end)
		return unexpected(p, "a JSON value");
	switch (*p->p) {
	case '{':
		return parse_object(p, out);
	case '[':
		return parse_array(p, out);
	case '"':
		if (parse_string(p, false) == -1)
			return -1;
		if ((*out = json_object_new_string_len(str_data(p),
		    (int)p->str.len)) == NULL)
			return hark_json_err_nomem(p->err);
		return 0;
	case 't':
		return parse_literal(p, "true", out);
	case 'f':
		return parse_literal(p, "false", out);
	case 'n':
		return parse_literal(p, "null", out);
	default:
		if (*p->p == '-' || (*p->p >= '0' && *p->p <= '9'))
			return parse_number(p, out);
		return unexpected(p, "a JSON value");
	}
}

int
hark_json_parse(const char *buf, size_t len, struct json_object **out,
    struct hark_json_err *err)
{
	struct parser		 p;
	struct json_object	*v = NULL;
	int			 rc = -1;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	p.start = p.p = (const unsigned char *)(buf != NULL ? buf : "");
	p.end = p.start + (buf != NULL ? len : 0);
	p.err = err;
	skip_ws(&p);
	if (p.p == p.end) {
		hark_json_err_at(err, "invalid_json", NULL, "the body is empty");
		goto out;
	}
	if (parse_value(&p, &v) == -1)
		goto out;
	skip_ws(&p);
	if (p.p != p.end) {
		hark_json_err_at(err, "trailing_garbage", NULL,
		    "unexpected data at byte %zu after the JSON value",
		    offset(&p));
		goto out;
	}
	if (!json_object_is_type(v, json_type_object)) {
		hark_json_err_at(err, "not_an_object", NULL,
		    "the body must be a JSON object");
		goto out;
	}
	*out = v;
	v = NULL;
	rc = 0;
out:
	json_object_put(v);
	hark_buf_free(&p.str);
	return rc;
}

/* ---- accessors ---- */

const char *
hark_json_str(struct json_object *obj, const char *key, size_t *len)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	if (len != NULL)
		*len = (size_t)json_object_get_string_len(v);
	return json_object_get_string(v);
}

bool
hark_json_has(struct json_object *obj, const char *key)
{
	struct json_object	*v;

	return json_object_object_get_ex(obj, key, &v) && v != NULL;
}

long long
hark_json_int(struct json_object *obj, const char *key, long long def)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return def;
	return (long long)json_object_get_int64(v);
}

bool
hark_json_bool(struct json_object *obj, const char *key, bool def)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_boolean))
		return def;
	return json_object_get_boolean(v) != 0;
}

