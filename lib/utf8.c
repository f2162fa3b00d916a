/* utf8.c: strict UTF-8 decoding, validation, counting and Latin folding for matching. */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "utf8.h"

/*
 * Base letters of U+00C0..U+00FF and U+0100..U+017F, one byte each.  '*'
 * marks a code point that is not a letter (the multiplication and division
 * signs); '2' marks a letter that folds to two bytes, resolved by
 * fold_digraph().
 */
static const char latin1_base[64] =
	"aaaa2a2ceeeeiiiidnoooo2*ouuu2y22aaaa2a2ceeeeiiiidnoooo2*ouuu2y2y";
static const char latin_ext_a_base[128] =
	"aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii22jjkkk"
	"llllllllllnnnnnnnnnoooooo22rrrrrrsssssssstttttt"
	"uuuuuuuuuuuuwwyyyzzzzzzs";

static size_t
fold_digraph(uint32_t cp, char out[2])
{
	const char	*d;

	switch (cp) {
	case 0xC4: case 0xE4:		/* Ä ä: German transliteration */
		d = "ae";
		break;
	case 0xD6: case 0xF6:		/* Ö ö */
		d = "oe";
		break;
	case 0xDC: case 0xFC:		/* Ü ü */
		d = "ue";
		break;
	case 0xC6: case 0xE6:		/* Æ æ */
		d = "ae";
		break;
	case 0xDE: case 0xFE:		/* Þ þ */
		d = "th";
		break;
	case 0xDF: case 0x1E9E:		/* ß ẞ */
		d = "ss";
		break;
	case 0x132: case 0x133:		/* Ĳ ĳ */
		d = "ij";
		break;
	case 0x152: case 0x153:		/* Œ œ */
		d = "oe";
		break;
	default:
		return 0;
	}
	out[0] = d[0];
	out[1] = d[1];
	return 2;
}

size_t
hark_utf8_decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 c, min;
	size_t			 n, i;

	*cp = 0xFFFD;
	if (len == 0)
		return 0;
	c = p[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		c &= 0x1F;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		c &= 0x0F;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		return 0;	/* continuation byte, C0/C1 or F5-FF */
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

bool
hark_utf8_valid(const char *s, size_t len)
{
	uint32_t	 cp;
	size_t		 i, n;

	for (i = 0; i < len; i += n) {
		/* ASCII runs dominate real feedback; skip them without decoding. */
		if ((unsigned char)s[i] < 0x80) {
			n = 1;
			continue;
		}
		if ((n = hark_utf8_decode(s + i, len - i, &cp)) == 0)
			return false;
	}
	return true;
}

size_t
hark_utf8_count(const char *s, size_t len)
{
	uint32_t	 cp;
	size_t		 i, n, count = 0;

	for (i = 0; i < len; i += n, count++) {
		if ((unsigned char)s[i] < 0x80) {
			n = 1;
			continue;
		}
		if ((n = hark_utf8_decode(s + i, len - i, &cp)) == 0)
			n = 1;
	}
	return count;
}

size_t
hark_utf8_fold_cp(uint32_t cp, char out[2])
{
	char	 b;

	if (cp < 0x80) {
		out[0] = (cp >= 'A' && cp <= 'Z') ? (char)(cp + 32) : (char)cp;
		return 1;
	}
	if (cp == 0x2018 || cp == 0x2019 || cp == 0x02BC || cp == 0x00B4) {
		out[0] = '\'';
		return 1;
	}
	if (cp >= 0xC0 && cp <= 0xFF)
		b = latin1_base[cp - 0xC0];
	else if (cp >= 0x100 && cp <= 0x17F)
		b = latin_ext_a_base[cp - 0x100];
	else if (cp == 0x1E9E)
		b = '2';
	else
		return 0;
	if (b == '*')
		return 0;
	if (b == '2')
		return fold_digraph(cp, out);
	out[0] = b;
	return 1;
}

size_t
hark_utf8_fold(const char *s, size_t len, char *out, size_t cap)
{
	static const char	 repl[] = "\xEF\xBF\xBD";
	uint32_t		 cp;
	size_t			 i, n, o = 0, k;
	char			 f[2];
	const char		*src;

	for (i = 0; i < len; i += n) {
		if ((n = hark_utf8_decode(s + i, len - i, &cp)) == 0) {
			n = 1;
			src = repl;
			k = 3;
		} else if ((k = hark_utf8_fold_cp(cp, f)) > 0)
			src = f;
		else {
			src = s + i;
			k = n;
		}
		if (o + k >= cap)
			break;
		memcpy(out + o, src, k);
		o += k;
	}
	out[o] = '\0';
	return o;
}
