/*
 * uuid.h: the client's UUIDs (a widget's sessionId), checked and put in the
 * one form hark stores and looks them up by.
 *
 * A valid one is what RFC 9562 defines, as lib/json_format.c's
 * hark_json_is_rfc9562_uuid tests it for JSON bodies (one definition for
 * a path segment and a body member alike): 8-4-4-4-12 hex digits in either
 * case, the variant bits 10 and a version 1-8 (7 is what widgets make); the
 * Nil and Max UUIDs are refused, as every client would share them.
 */
#ifndef HARK_UUID_H
#define HARK_UUID_H

#include <stdbool.h>
#include <stddef.h>

#include "ids.h"	/* HARK_UUID_LEN */

/* Whether the len bytes at s are such a UUID (s may hold NULs). */
bool	hark_uuid_valid(const char *s, size_t len);

/*
 * The canonical form, lower case: sessions are stored and compared byte
 * for byte, so "0190...-ABCD" and "0190...-abcd" name one session only once
 * both are written this way.  Returns false (out "") when s is not valid.
 */
bool	hark_uuid_canon(const char *s, size_t len,
	    char out[HARK_UUID_LEN + 1]);

#endif
