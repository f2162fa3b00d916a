/*
 * utf8.h: UTF-8 validation, code point counting and Latin case/accent folding.
 *
 * Validation follows RFC 3629 strictly: overlong forms, surrogates (U+D800 to
 * U+DFFF), code points above U+10FFFF, stray continuation bytes and sequences
 * cut short are all invalid.  Folding maps Latin letters (ASCII, Latin-1,
 * Latin Extended-A and a few more) to lower-case ASCII without accents, so
 * "ÉCHEC", "échec" and "echec" compare equal.  The German umlauts fold to
 * their standard transliteration ("ä" -> "ae", "ö" -> "oe", "ü" -> "ue"), so
 * "schön" stays apart from "schon" and matches "schoen".  Folding is meant
 * for matching and normalising, never for showing text back to a person.
 */
#ifndef HARK_UTF8_H
#define HARK_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when the len bytes at s are well-formed UTF-8 (NUL bytes are allowed). */
bool	hark_utf8_valid(const char *s, size_t len);

/*
 * The number of code points in the len bytes at s.  Meant for valid input;
 * on invalid input every byte that does not start a well-formed sequence
 * counts as one.
 */
size_t	hark_utf8_count(const char *s, size_t len);

/*
 * Decodes the sequence at the start of s (len > 0) into *cp and returns its
 * length in bytes (1-4), or 0 when it is not well-formed (*cp is then
 * U+FFFD).
 */
size_t	hark_utf8_decode(const char *s, size_t len, uint32_t *cp);

/*
 * Folds one code point for matching: writes 1 or 2 lower-case ASCII bytes to
 * out and returns how many.  Latin letters lose case and accents ("É" -> "e",
 * "ß" -> "ss", "Œ" -> "oe", "Ü" -> "ue"), typographic apostrophes become "'" and ASCII is
 * lower-cased.  Returns 0 for any other code point (out untouched).
 */
size_t	hark_utf8_fold_cp(uint32_t cp, char out[2]);

/*
 * Folds the len bytes of valid UTF-8 at s into out (cap bytes, cap > 0):
 * what hark_utf8_fold_cp folds is folded, any other code point is copied as
 * it is.  Stops before a code point that would not fit, always NUL-terminates
 * and returns the number of bytes written (without the NUL).  Invalid
 * sequences are written as U+FFFD.
 */
size_t	hark_utf8_fold(const char *s, size_t len, char *out, size_t cap);

#endif
