/*
 * json_int.h: what the JSON parser (json.c), the schema engine
 * (json_schema.c) and the format checks (json_format.c) share, and nobody
 * else: the field path built while descending and the error setters.
 */
#ifndef HARK_JSON_INT_H
#define HARK_JSON_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "json.h"

/* Compact json-c output without escaped slashes: how sizes are measured. */
#define HARK_JSON_SERIAL_FLAGS	(JSON_C_TO_STRING_PLAIN | \
				    JSON_C_TO_STRING_NOSLASHESCAPE)

/*
 * A field path built while descending.  len is the logical length: segments
 * past the buffer are counted but dropped, so popping back by length stays
 * exact however deep or long the keys are.
 */
struct hark_json_path {
	char	 buf[HARK_JSON_FIELD_MAX];
	size_t	 len;
};

/* Each push returns the length to restore with path->len = saved. */
size_t	hark_json_path_key(struct hark_json_path *, const char *key, size_t n);
size_t	hark_json_path_index(struct hark_json_path *, size_t i);

/* An error about the body as a whole; field is path when given.  -1. */
int	hark_json_err_at(struct hark_json_err *, const char *code,
	    const struct hark_json_path *path, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));
/* An error about the field at path: the message starts with its name.  -1. */
int	hark_json_err_field(struct hark_json_err *, const char *code,
	    const struct hark_json_path *path, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));
int	hark_json_err_nomem(struct hark_json_err *);

/* Whether the len bytes at s equal an entry of the NULL-terminated list. */
bool	hark_json_in_list(const char *s, size_t len, const char *const *list);

#endif
