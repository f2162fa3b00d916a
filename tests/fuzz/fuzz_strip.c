/*
 * fuzz_strip.c: libFuzzer harness for the triage's markup stripper
 * (lib/triage_strip.c: code fences, HTML comments, Markdown headings).
 *
 * fuzz-sources: lib/triage_strip.c
 *
 * Any bytes, read through a buffer smaller than some inputs: it must never
 * crash or write past the buffer; what it returns is shorter than what it
 * read, holds no fence, no comment opening and no heading line, and is a
 * fixed point (stripping it again leaves it as it is).
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "triage.h"

#define OUTSZ	4096

/* Some line of s[0..n) is a Markdown heading (the stripper's rule). */
static bool
any_heading(const char *s, size_t n)
{
	size_t	 i = 0, j, h;

	while (i < n) {
		for (j = i; j < n && j - i < 3 && s[j] == ' '; j++)
			;
		for (h = 0; j < n && s[j] == '#' && h < 7; j++)
			h++;
		if (h >= 1 && h <= 6 && (j == n || s[j] == ' ' ||
		    s[j] == '\t' || s[j] == '\r' || s[j] == '\n'))
			return true;
		while (i < n && s[i] != '\n')
			i++;
		i++;
	}
	return false;
}

static bool
has(const char *s, size_t n, const char *m)
{
	size_t	 k = strlen(m), i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(s + i, m, k) == 0)
			return true;
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*out, *again;
	size_t	 n, m, read = size < OUTSZ ? size : OUTSZ;

	/* exact-size heap buffers: ASan sees a byte written past them */
	if ((out = malloc(OUTSZ)) == NULL || (again = malloc(OUTSZ)) == NULL)
		abort();
	n = hark_triage_strip((const char *)data, size, out, OUTSZ);
	if (n != HARK_TRIAGE_UNSTRIPPED) {
		if (n >= read || has(out, n, "```") || has(out, n, "<!--") ||
		    any_heading(out, n))
			abort();
		m = hark_triage_strip(out, n, again, OUTSZ);
		if (m != HARK_TRIAGE_UNSTRIPPED)
			abort();
	}
	free(out);
	free(again);
	return 0;
}
