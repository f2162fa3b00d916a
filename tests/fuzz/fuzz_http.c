/*
 * fuzz_http.c: libFuzzer harness for the request-target parser of lib/http.
 *
 * fuzz-sources: lib/http.c lib/buf.c
 * fuzz-pkgs: json-c
 *
 * The input is a request target as a web server passes it (REQUEST_URI).
 * Besides never crashing or leaking, it checks what the router relies on: an
 * accepted path starts with '/', holds no NUL and no "." or ".." segment.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_path(const char *p)
{
	const char	*seg, *end;
	size_t		 n;

	if (p[0] != '/')
		abort();
	for (seg = p + 1;; seg = end + 1) {
		end = strchr(seg, '/');
		n = end ? (size_t)(end - seg) : strlen(seg);
		if ((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' &&
		    seg[1] == '.'))
			abort();
		if (end == NULL)
			break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "publicKey", "q", "cursor", "" };
	struct hark_req	 req;
	const char	*why;
	char		*v;
	bool		 bad;
	size_t		 i;

	hark_req_init(&req);
	if ((req.uri = malloc(size + 1)) == NULL)
		return 0;
	memcpy(req.uri, data, size);
	req.uri[size] = '\0';
	if (hark_req_parse_uri(&req, size % 2 ? "/hark" : "", &why) == 0) {
		check_path(req.path);
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			v = hark_req_query_param(&req, names[i], &bad);
			if (v != NULL && bad)
				abort();
			free(v);
		}
	}
	hark_req_free(&req);
	return 0;
}
