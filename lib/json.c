/*
 * json.c: a strict JSON parser for untrusted bodies and the schema engine.
 *
 * json-c's own tokener is lenient where a request body must not be (it keeps
 * the last of two equal keys, accepts NaN and raw control characters, and
 * passes invalid UTF-8 through), so this file holds a small recursive-descent
 * parser that builds json-c objects itself.  Recursion is bounded by
 * HARK_JSON_MAX_DEPTH.  Validation walks a table of fields (json.h) and stops
 * at the first problem, naming it by its path.
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
#include "utf8.h"

#define NUM_MAX		128	/* longest number literal accepted, bytes */
#define SERIAL_FLAGS	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/*
 * A field path built while descending.  len is the logical length: segments
 * past the buffer are counted but dropped, so popping back by length stays
 * exact however deep or long the keys are.
 */
struct json_path {
	char	 buf[HARK_JSON_FIELD_MAX];
	size_t	 len;
};

struct parser {
	const unsigned char	*start, *p, *end;
	const unsigned char	*str_at;	/* opening quote of that string */
	int			 depth;
	struct json_path	 path;
	struct hark_buf		 str;	/* the string being decoded, reused */
	struct hark_json_err	*err;
};

struct validator {
	struct json_path	 path;
	struct hark_json_err	*err;
};

/* ---- paths and errors ---- */

static void
path_append(struct json_path *p, const char *s, size_t n)
{
	size_t	 room;

	if (p->len < sizeof(p->buf) - 1) {
		room = sizeof(p->buf) - 1 - p->len;
		memcpy(p->buf + p->len, s, n < room ? n : room);
	}
	p->len += n;
}

/* Each push returns the length to restore with path->len = saved. */
static size_t
path_push_key(struct json_path *p, const char *key, size_t n)
{
	size_t	 saved = p->len;

	if (p->len > 0)
		path_append(p, ".", 1);
	path_append(p, key, n);
	return saved;
}

static size_t
path_push_index(struct json_path *p, size_t i)
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
path_copy(char *dst, const struct json_path *p)
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
    const struct json_path *path, const char *prefix, const char *fmt,
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
static int __attribute__((format(printf, 4, 5)))
err_plain(struct hark_json_err *err, const char *code,
    const struct json_path *path, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	err_vset(err, code, path, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

/* An error about the field at path: the message starts with its name. */
static int __attribute__((format(printf, 4, 5)))
err_field(struct hark_json_err *err, const char *code,
    const struct json_path *path, const char *fmt, ...)
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

static int
err_nomem(struct hark_json_err *err)
{
	return err_plain(err, "out_of_memory", NULL, "out of memory");
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
	return err_plain(p->err, "invalid_json", NULL,
	    "invalid JSON at byte %zu: %s", offset(p), what);
}

/* A syntax error at p->p, saying what was found instead of what. */
static int
unexpected(struct parser *p, const char *what)
{
	unsigned char	 c;

	if (p->p == p->end)
		return err_plain(p->err, "invalid_json", NULL,
		    "invalid JSON: the body ends where %s was expected", what);
	c = *p->p;
	if (c == '\0')
		return err_plain(p->err, "invalid_json", NULL,
		    "invalid JSON at byte %zu: a NUL byte where %s was "
		    "expected", offset(p), what);
	if (c > 0x20 && c < 0x7F)
		return err_plain(p->err, "invalid_json", NULL,
		    "invalid JSON at byte %zu: '%c' where %s was expected",
		    offset(p), c, what);
	return err_plain(p->err, "invalid_json", NULL,
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
		return err_plain(p->err, "too_deep", &p->path,
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
		return err_plain(p->err, "invalid_utf8", &p->path,
		    "the object key at byte %zu is not valid UTF-8%s",
		    (size_t)(p->str_at - p->start), what);
	return err_field(p->err, "invalid_utf8", &p->path,
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
		return err_nomem(p->err);
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
		return err_nomem(p->err);
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
			return err_nomem(p->err);
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
		return err_field(p->err, "out_of_range", &p->path,
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
				return err_nomem(p->err);
			return 0;
		}
	}
	/* strtod follows LC_NUMERIC; hark never leaves the "C" locale. */
	d = strtod(tmp, NULL);
	if (!isfinite(d)) {
		p->p = first;
		return err_field(p->err, "out_of_range", &p->path,
		    "is a number too large to represent");
	}
	/* Keeping the text serializes the number exactly as it came. */
	if ((*out = json_object_new_double_s(d, tmp)) == NULL)
		return err_nomem(p->err);
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
			return err_nomem(p->err);
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
	*saved = path_push_key(&p->path, str_data(p), p->str.len);
	if (json_object_object_get_ex(obj, str_data(p), NULL))
		return err_field(p->err, "duplicate_key", &p->path,
		    "appears more than once in its object");
	if (expect(p, ':', "':' after an object key") == -1)
		return -1;
	if ((*key = strdup(str_data(p))) == NULL)
		return err_nomem(p->err);
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
		return err_nomem(p->err);
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
			rc = err_nomem(p->err);
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
		return err_nomem(p->err);
	skip_ws(p);
	if (p->p < p->end && *p->p == ']') {
		p->p++;
		goto done;
	}
	for (i = 0;; i++) {
		saved = path_push_index(&p->path, i);
		if (parse_value(p, &val) == -1)
			goto fail;
		if (json_object_array_add(arr, val) != 0) {
			json_object_put(val);
			err_nomem(p->err);
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
			return err_nomem(p->err);
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
		err_plain(err, "invalid_json", NULL, "the body is empty");
		goto out;
	}
	if (parse_value(&p, &v) == -1)
		goto out;
	skip_ws(&p);
	if (p.p != p.end) {
		err_plain(err, "trailing_garbage", NULL,
		    "unexpected data at byte %zu after the JSON value",
		    offset(&p));
		goto out;
	}
	if (!json_object_is_type(v, json_type_object)) {
		err_plain(err, "not_an_object", NULL,
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
	return err_field(v->err, "wrong_type", &v->path, "must be %s",
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

static bool
in_list(const char *s, size_t len, const char *const *list)
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
	return err_field(v->err, "invalid_value", &v->path,
	    "must be one of: %s", all);
}

static int
check_string(struct validator *v, const struct hark_json_field *f,
    struct json_object *o)
{
	const char	*s = json_object_get_string(o);
	size_t		 len = (size_t)json_object_get_string_len(o), chars;

	if (f->max_bytes > 0 && len > f->max_bytes)
		return err_field(v->err, "too_long", &v->path,
		    "must be at most %zu byte%s", f->max_bytes,
		    plural(f->max_bytes));
	chars = hark_utf8_count(s, len);
	if (f->max > 0 && chars > f->max)
		return err_field(v->err, "too_long", &v->path,
		    "must be at most %zu character%s", f->max, plural(f->max));
	if ((f->flags & HARK_JSON_TRIM_NONEMPTY) && is_blank(s, len))
		return err_field(v->err, "empty", &v->path,
		    "must not be empty");
	if (f->min > 0 && chars < f->min)
		return err_field(v->err, "too_short", &v->path,
		    "must be at least %zu character%s", f->min, plural(f->min));
	if (f->one_of != NULL && !in_list(s, len, f->one_of))
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
		return err_field(v->err, "out_of_range", &v->path,
		    "is too large");
	if (f->imax == LLONG_MAX)
		return err_field(v->err, "out_of_range", &v->path,
		    "must be at least %lld", f->imin);
	if (f->imin == LLONG_MIN)
		return err_field(v->err, "out_of_range", &v->path,
		    "must be at most %lld", f->imax);
	return err_field(v->err, "out_of_range", &v->path,
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
	if (json_object_to_json_string_length(o, SERIAL_FLAGS, &n) == NULL)
		return err_nomem(v->err);
	if (n > f->max_bytes)
		return err_field(v->err, "too_long", &v->path,
		    "must be at most %zu byte%s as JSON", f->max_bytes,
		    plural(f->max_bytes));
	return 0;
}

static int
check_count(struct validator *v, const struct hark_json_field *f, size_t n,
    const char *unit)
{
	if (f->max > 0 && n > f->max)
		return err_field(v->err, "too_long", &v->path,
		    "must have at most %zu %s%s", f->max, unit, plural(f->max));
	if (f->min > 0 && n < f->min)
		return err_field(v->err, "too_short", &v->path,
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
			path_push_key(&v->path, key, strlen(key));
			return err_field(v->err, "unknown_field", &v->path,
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
		saved = path_push_key(&v->path, f->name, strlen(f->name));
		if (!json_object_object_get_ex(obj, f->name, &val)) {
			if (f->flags & HARK_JSON_REQUIRED)
				return err_field(v->err, "missing_field",
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
		saved = path_push_index(&v->path, i);
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
		return err_field(v->err, "wrong_type", &v->path,
		    "must be %s, not null", type_phrase(f->type));
	}
	if (check_typed(v, f, o) == -1)
		return -1;
	if (f->check != NULL && f->check(o, &why) == -1)
		return err_field(v->err, "invalid_value", &v->path, "%s",
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
		return err_plain(err, "not_an_object", NULL,
		    "the body must be a JSON object");
	return check_object(&v, schema, obj);
}

/* ---- ready-made checks ---- */

static bool
is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z');
}

static bool
is_atext(unsigned char c)
{
	static const char	 extra[] = "!#$%&'*+/=?^_`{|}~-";

	return is_alnum(c) || (c != '\0' && memchr(extra, c,
	    sizeof(extra) - 1) != NULL);
}

/* Dot-atom: atext runs joined by single dots. */
static bool
is_local_part(const char *s, size_t len)
{
	size_t	 i;

	if (len < 1 || len > 64 || s[0] == '.' || s[len - 1] == '.')
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (s[i - 1] == '.')
				return false;
		} else if (!is_atext((unsigned char)s[i]))
			return false;
	}
	return true;
}

static bool
is_label(const char *s, size_t len)
{
	size_t	 i;

	if (len < 1 || len > 63 || s[0] == '-' || s[len - 1] == '-')
		return false;
	for (i = 0; i < len; i++)
		if (!is_alnum((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

static bool
all_digits(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool
is_domain(const char *s, size_t len)
{
	const char	*dot, *label = s, *end = s + len;
	size_t		 nlabels = 0, n;

	for (;;) {
		dot = memchr(label, '.', (size_t)(end - label));
		n = (size_t)((dot != NULL ? dot : end) - label);
		if (!is_label(label, n))
			return false;
		nlabels++;
		if (dot == NULL)
			break;
		label = dot + 1;
	}
	/* A numeric top-level label is an IP address, not a domain. */
	return nlabels >= 2 && !all_digits(label, n);
}

bool
hark_json_is_email(const char *s, size_t len)
{
	const char	*at;

	if (len > 254 || (at = memchr(s, '@', len)) == NULL)
		return false;
	return is_local_part(s, (size_t)(at - s)) &&
	    is_domain(at + 1, len - (size_t)(at - s) - 1);
}

static bool
is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

bool
hark_json_is_uuid(const char *s, size_t len)
{
	size_t	 i;

	if (len != 36)
		return false;
	for (i = 0; i < len; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!is_hex((unsigned char)s[i]))
			return false;
	}
	return true;
}

/* The n decimal digits at s as a number, or -1. */
static int
digits(const char *s, size_t n)
{
	int	 v = 0;
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int
days_in_month(int y, int m)
{
	static const int	 days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31};

	if (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return 29;
	return days[m - 1];
}

/* "+hh:mm", "-hh:mm", "Z" or "z": all of the len bytes at s. */
static bool
is_offset(const char *s, size_t len)
{
	int	 h, m;

	if (len == 1)
		return s[0] == 'Z' || s[0] == 'z';
	if (len != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':')
		return false;
	h = digits(s + 1, 2);
	m = digits(s + 4, 2);
	return h >= 0 && h <= 23 && m >= 0 && m <= 59;
}

bool
hark_json_is_rfc3339(const char *s, size_t len)
{
	int	 y, mo, d, h, mi, sec;
	size_t	 i;

	/* 0123456789012345678 */
	/* YYYY-MM-DDTHH:MM:SS */
	if (len < 20 || s[4] != '-' || s[7] != '-' || s[13] != ':' ||
	    s[16] != ':' || (s[10] != 'T' && s[10] != 't'))
		return false;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	sec = digits(s + 17, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
	    h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60)
		return false;
	i = 19;
	if (s[i] == '.') {
		i++;
		if (i >= len || s[i] < '0' || s[i] > '9')
			return false;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	return i < len && is_offset(s + i, len - i);
}

bool
hark_json_one_of(struct json_object *obj, const char *const *list)
{
	if (!json_object_is_type(obj, json_type_string))
		return false;
	return in_list(json_object_get_string(obj),
	    (size_t)json_object_get_string_len(obj), list);
}

/* Runs test on a string value, or fails when obj is not a string. */
static int
check_str(struct json_object *obj, bool (*test)(const char *, size_t),
    const char *phrase, const char **why)
{
	if (!json_object_is_type(obj, json_type_string) ||
	    !test(json_object_get_string(obj),
	    (size_t)json_object_get_string_len(obj))) {
		*why = phrase;
		return -1;
	}
	return 0;
}

int
hark_json_check_email(struct json_object *obj, const char **why)
{
	return check_str(obj, hark_json_is_email,
	    "must be a valid email address", why);
}

int
hark_json_check_uuid(struct json_object *obj, const char **why)
{
	return check_str(obj, hark_json_is_uuid, "must be a UUID", why);
}

int
hark_json_check_rfc3339(struct json_object *obj, const char **why)
{
	return check_str(obj, hark_json_is_rfc3339,
	    "must be an RFC 3339 timestamp such as 2024-05-01T12:30:00Z", why);
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
