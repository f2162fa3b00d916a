/* triage_strip.c: a feedback text without the markup of the form it was written in, for the triage. */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "triage.h"

/*
 * Issue trackers hand their users a template: headings ("### Describe the
 * bug", "## Feature request"), instructions in HTML comments, and code
 * blocks for logs.  They say what the form asked, not what the user said,
 * and they say it alike in every issue, so the learned model was trained
 * without them (tools/triage-train, issue_text()); the triage reads the
 * same text.  Left out, in this order, as the training does it:
 *  1. code blocks between ``` fences (an unclosed one runs to the end);
 *  2. HTML comments (an unclosed one runs to the end);
 *  3. lines that are Markdown headings: up to three spaces, one to six
 *     "#", then a blank or the line's end ("#1 app" and "#hashtag" stay).
 * A block or comment leaves a space behind, so the words on either side
 * stay apart.
 */

/* After a "```" or "<!--" at s: the offset past its closing mark, or len. */
static size_t
skip_block(const char *s, size_t len, size_t i, const char *open,
    const char *close)
{
	size_t		 olen = strlen(open), clen = strlen(close);
	const char	*p;

	for (i += olen; i + clen <= len; i = (size_t)(p - s) + 1) {
		if ((p = memchr(s + i, close[0], len - i - clen + 1)) == NULL)
			break;
		if (memcmp(p, close, clen) == 0)
			return (size_t)(p - s) + clen;
	}
	return len;
}

/*
 * One pass of dropping blocks between open and close from in[0..len) into
 * out (room for len bytes); returns the bytes written.
 */
static size_t
drop_blocks(const char *in, size_t len, char *out, const char *open,
    const char *close)
{
	size_t		 i = 0, n = 0, olen = strlen(open), k;
	const char	*p;

	while (i < len) {
		if ((p = memchr(in + i, open[0], len - i)) == NULL)
			break;
		k = (size_t)(p - in);
		if (len - k < olen || memcmp(p, open, olen) != 0) {
			memmove(out + n, in + i, k + 1 - i);
			n += k + 1 - i;
			i = k + 1;
			continue;
		}
		memmove(out + n, in + i, k - i);
		n += k - i;
		out[n++] = ' ';
		i = skip_block(in, len, k, open, close);
	}
	memmove(out + n, in + i, len - i);
	return n + (len - i);
}

/* The line s[0..len) is a Markdown heading. */
static bool
heading(const char *s, size_t len)
{
	size_t	 i = 0, h = 0;

	while (i < len && i < 3 && s[i] == ' ')
		i++;
	while (i < len && s[i] == '#' && h < 7) {
		i++;
		h++;
	}
	return h >= 1 && h <= 6 && (i == len || s[i] == ' ' || s[i] == '\t' ||
	    s[i] == '\r');
}

/* Drops the heading lines of buf[0..len) in place; returns the new length. */
static size_t
drop_headings(char *buf, size_t len)
{
	size_t		 i = 0, n = 0, e;
	const char	*p;

	while (i < len) {
		p = memchr(buf + i, '\n', len - i);
		e = p != NULL ? (size_t)(p - buf) + 1 : len;
		if (!heading(buf + i, e - i - (p != NULL))) {
			memmove(buf + n, buf + i, e - i);
			n += e - i;
		}
		i = e;
	}
	return n;
}

/* Only white space left. */
static bool
blank(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return false;
	return true;
}

/* Some line of s[0..len) is a heading. */
static bool
has_heading(const char *s, size_t len)
{
	const char	*p = s, *e = s + len, *nl;

	for (;;) {
		nl = memchr(p, '\n', (size_t)(e - p));
		if (heading(p, (size_t)((nl != NULL ? nl : e) - p)))
			return true;
		if (nl == NULL)
			return false;
		p = nl + 1;
	}
}

size_t
hark_triage_strip(const char *text, size_t len, char *out, size_t outsz)
{
	size_t	 n, k;

	if (text == NULL || outsz == 0)
		return HARK_TRIAGE_UNSTRIPPED;
	if (memchr(text, '`', len) == NULL && memchr(text, '<', len) == NULL &&
	    !has_heading(text, len))
		return HARK_TRIAGE_UNSTRIPPED;
	/* the rest of a text longer than out is not read by the triage */
	k = len < outsz ? len : outsz;
	memcpy(out, text, k);
	n = drop_blocks(out, k, out, "```", "```");
	n = drop_blocks(out, n, out, "<!--", "-->");
	n = drop_headings(out, n);
	/* what is left out always leaves fewer bytes behind */
	if (n == k || blank(out, n))
		return HARK_TRIAGE_UNSTRIPPED;	/* nothing, or all, was markup */
	return n;
}
