/* hex.h: the value of one hexadecimal digit, for the decoders that need it (percent-escapes, RFC 5987, the rate-limit file's key). */
#ifndef HARK_HEX_H
#define HARK_HEX_H

/* 0-15, or -1 when c is not a hex digit (either case). */
static inline int
hark_hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
