/*
 * fuzz_rfc3339.c: libFuzzer harness for RFC 3339 parsing and formatting
 * (lib/timestamp.c), the one parser behind the JSON format check, the list
 * query's since/until and the store's DATETIME(6) literals.
 *
 * fuzz-sources: lib/timestamp.c
 *
 * Input: any bytes, taken as a date-time.  Beyond never crashing:
 * - bytes with a NUL inside are never valid; validity depends on the bytes
 *   only (a copy with a NUL after it agrees);
 * - what converts was valid, spelled a year from 1970, and converts into a
 *   well-formed DATETIME(6) literal of a year 1970..9999;
 * - a valid one in UTC ("Z") of a year 1971..9998 always converts, to the
 *   same date, hour, minute and microseconds it spelled;
 * - formatting the literal back and converting again gives the same second
 *   (the fraction is dropped by the format, as the API shows it).
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timestamp.h"

#define FZ_MAX	64

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
fz_digits(const char *s, size_t n)
{
	int	 v = 0;
	size_t	 i;

	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	 s[FZ_MAX + 1], db[HARK_TS_DB_SIZE], back[HARK_TS_DB_SIZE];
	char	 iso[HARK_RFC3339_SIZE + 8];
	bool	 valid;
	int	 rc, y;

	if (size > FZ_MAX)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	valid = hark_ts_valid_rfc3339((const char *)data, size);
	if (memchr(data, '\0', size) != NULL && valid)
		abort();
	if (hark_ts_valid_rfc3339(s, size) != valid)
		abort();
	/* The converter reads a C string: up to the first NUL. */
	size = strlen(s);
	valid = hark_ts_valid_rfc3339(s, size);
	rc = hark_ts_from_rfc3339(s, db);
	if (rc == 0) {
		if (!valid || !hark_ts_valid_db(db))
			abort();
		y = fz_digits(db, 4);
		if (y < 1970 || y > 9999 || fz_digits(s, 4) < 1970)
			abort();
		hark_ts_to_rfc3339(db, iso, sizeof(iso));
		if (strlen(iso) != HARK_RFC3339_SIZE - 1 ||
		    !hark_ts_valid_rfc3339(iso, strlen(iso)))
			abort();
		if (hark_ts_from_rfc3339(iso, back) != 0 ||
		    memcmp(back, db, 19) != 0 ||
		    strcmp(back + 19, ".000000") != 0)
			abort();
	}
	if (valid && (s[size - 1] == 'Z' || s[size - 1] == 'z')) {
		y = fz_digits(s, 4);
		if (y >= 1971 && y <= 9998 && s[17] != '6') {
			if (rc != 0)
				abort();
			/* Same calendar day, hour and minute as spelled. */
			if (memcmp(db, s, 10) != 0 || memcmp(db + 11, s + 11, 5) != 0)
				abort();
		}
	}
	return 0;
}
