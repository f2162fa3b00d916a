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
