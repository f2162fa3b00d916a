/*
 * json_format.c: the format checks a schema field may name (email, UUID,
 * RFC 9562 UUID, RFC 3339), each as a test on bytes and as a
 * hark_json_field.check.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include <json-c/json.h>

#include "json.h"
#include "timestamp.h"

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

/*
 * RFC 9562 section 4: the version in the high nibble of octet 6 (the 13th
 * hex digit), the variant in the top bits of octet 8 (the 17th).
 */
bool
hark_json_is_rfc9562_uuid(const char *s, size_t len)
{
	unsigned char	 version, variant;

	if (!hark_json_is_uuid(s, len))
		return false;
	version = (unsigned char)s[14];
	variant = (unsigned char)(s[19] | 0x20);
	if (version < '1' || version > '8')
		return false;	/* also the Nil (0) and Max (f) UUIDs */
	return variant == '8' || variant == '9' || variant == 'a' ||
	    variant == 'b';
}

/* The time module's parser: one definition of RFC 3339 for all of hark. */
bool
hark_json_is_rfc3339(const char *s, size_t len)
{
	return hark_ts_valid_rfc3339(s, len);
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


int
hark_json_check_rfc9562_uuid(struct json_object *obj, const char **why)
{
	return check_str(obj, hark_json_is_rfc9562_uuid,
	    "must be a UUID (RFC 9562, such as a version 7 one)", why);
}

/* ---- BCP 47 (RFC 5646 section 2.1), well-formedness only ---- */

static bool
all_of(const char *s, size_t n, int (*cls)(int))
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (!cls((unsigned char)s[i]))
			return false;
	return true;
}

static int
is_alpha_c(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit_c(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alnum_c(int c)
{
	return is_alpha_c(c) || is_digit_c(c);
}

/*
 * language ["-" script] ["-" region] *("-" variant) *("-" extension)
 * ["-" privateuse], or privateuse alone ("x-whatever").  Subtags are
 * checked for their shape and order, not against the IANA registry, so a
 * new language or region is never refused.  At most 35 characters (what
 * hark stores); "_" is not a separator (en_US is POSIX, not BCP 47).
 */
bool
hark_json_is_bcp47(const char *s, size_t len)
{
	const char	*p = s, *end = s + len, *q;
	size_t		 n;
	int		 stage = 0;	/* 1 language, 2 extlang, 3 script,
					 * 4 region, 5 variant, 6 extension */
	bool		 ext_open = false;

	if (len == 0 || len > 35)
		return false;
	while (p < end) {
		q = memchr(p, '-', (size_t)(end - p));
		n = (size_t)((q != NULL ? q : end) - p);
		if (n == 0 || n > 8 || !all_of(p, n, is_alnum_c))
			return false;
		if (n == 1 && (*p == 'x' || *p == 'X')) {
			/* privateuse: the rest is 1-8 alphanumerics each */
			if (q == NULL)
				return false;
			for (p = q + 1; p < end; p = q + 1) {
				q = memchr(p, '-', (size_t)(end - p));
				n = (size_t)((q != NULL ? q : end) - p);
				if (n == 0 || n > 8 || !all_of(p, n, is_alnum_c))
					return false;
				if (q == NULL)
					return true;
			}
			return false;
		}
		if (stage == 0) {
			if (n < 2 || n == 4 || !all_of(p, n, is_alpha_c))
				return false;
			stage = n <= 3 ? 1 : 2;
		} else if (n == 1) {
			if (ext_open)
				return false;	/* a singleton needs a subtag */
			stage = 6;
			ext_open = true;
		} else if (stage == 6) {
			if (n < 2)
				return false;
			ext_open = false;
		} else if (stage == 1 && n == 3 && all_of(p, n, is_alpha_c)) {
			stage = 1;	/* extlang (up to three: not counted) */
		} else if (stage <= 2 && n == 4 && all_of(p, n, is_alpha_c)) {
			stage = 3;
		} else if (stage <= 3 && ((n == 2 && all_of(p, n, is_alpha_c)) ||
		    (n == 3 && all_of(p, n, is_digit_c)))) {
			stage = 4;
		} else if (n >= 5 || (n == 4 && is_digit_c((unsigned char)*p))) {
			stage = 5;
		} else
			return false;
		if (q == NULL)
			break;
		p = q + 1;
		if (p == end)
			return false;	/* a trailing "-" */
	}
	return !ext_open;
}

int
hark_json_check_bcp47(struct json_object *obj, const char **why)
{
	return check_str(obj, hark_json_is_bcp47,
	    "must be a BCP 47 language tag such as en, pt-BR or zh-Hant-TW", why);
}
