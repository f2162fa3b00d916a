/*
 * fuzz_normalize.c: libFuzzer harness for the dedup form of text
 * (lib/normalize.c: NFC, case folding, white space).
 *
 * fuzz-sources: lib/normalize.c lib/unicode_tables.c lib/utf8.c
 * fuzz-pkgs: libcrypto
 *
 * Any bytes: it must never crash; its output is valid UTF-8, no longer
 * than four times the input, has no white space at either end nor two
 * spaces in a row, and is a fixed point (normalizing it again changes
 * nothing), which is what makes equal content hash alike.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"
#include "utf8.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*a, *b;
	size_t	 alen, blen;

	if (hark_normalize_dedup((const char *)data, size, &a, &alen) != 0)
		return 0;
	if (!hark_utf8_valid(a, alen) || alen > size * 4 ||
	    (alen > 0 && (a[0] == ' ' || a[alen - 1] == ' ')) ||
	    strstr(a, "  ") != NULL)
		abort();
	if (hark_normalize_dedup(a, alen, &b, &blen) != 0)
		abort();
	if (blen != alen || memcmp(a, b, alen) != 0)
		abort();
	free(a);
	free(b);
	return 0;
}
