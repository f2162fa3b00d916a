/* uuid.c: checks a client's UUID and writes it in its canonical case. */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>

#include "json.h"
#include "uuid.h"

bool
hark_uuid_valid(const char *s, size_t len)
{
	return s != NULL && hark_json_is_rfc9562_uuid(s, len);
}

bool
hark_uuid_canon(const char *s, size_t len, char out[HARK_UUID_LEN + 1])
{
	size_t	 i;

	out[0] = '\0';
	if (!hark_uuid_valid(s, len))
		return false;
	for (i = 0; i < HARK_UUID_LEN; i++)
		out[i] = (s[i] >= 'A' && s[i] <= 'F') ? (char)(s[i] | 0x20) :
		    s[i];
	out[HARK_UUID_LEN] = '\0';
	return true;
}
