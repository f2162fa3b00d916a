/*
 * fuzz_mcp.c: libFuzzer harness for lib/mcp (a POST /mcp body read into
 * its JSON-RPC messages, and the answers made from them).
 *
 * fuzz-sources: lib/mcp.c lib/json.c lib/json_schema.c lib/json_format.c lib/timestamp.c lib/utf8.c lib/buf.c
 * fuzz-pkgs: json-c
 *
 * Beyond "never crash, never leak" it checks what the handler relies on:
 * a body either parses into at least one message or fails with -32700 or
 * -32600; a request has a method and an id that is a string or an integer;
 * an answer (result or error) serializes; tools/call's params and the
 * author taken from _meta and a User-Agent stay within their buffer and
 * printable.  Built and run by tests/fuzz/run.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "mcp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_author(struct json_object *meta, const char *ua)
{
	char	 out[64];
	size_t	 i, n;

	hark_mcp_author(meta, ua, out, sizeof(out));
	n = strlen(out);
	if (n == 0 || n >= sizeof(out))
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] >= 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hark_mcp_body	 b;
	struct json_object	*o, *args, *meta;
	const char		*name, *why, *v;
	char			 msg[256], ua[65];
	size_t			 i;
	int			 code;

	if (hark_mcp_body_parse((const char *)data, size, &b, &code, msg,
	    sizeof(msg)) == -1) {
		if ((code != HARK_MCP_PARSE_ERROR &&
		    code != HARK_MCP_INVALID_REQUEST &&
		    code != HARK_MCP_INTERNAL_ERROR) || b.tree != NULL ||
		    msg[0] == '\0')
			abort();
		return 0;
	}
	if (b.n == 0 || (!b.batch && b.n != 1))
		abort();
	/* The input's first bytes, as a User-Agent would come. */
	memcpy(ua, data, size < sizeof(ua) - 1 ? size : sizeof(ua) - 1);
	ua[size < sizeof(ua) - 1 ? size : sizeof(ua) - 1] = '\0';
	for (i = 0; i < b.n; i++) {
		const struct hark_mcp_msg	*m = &b.msgs[i];

		switch (m->kind) {
		case HARK_MCP_REQUEST:
			if (m->method == NULL || m->id == NULL ||
			    (!json_object_is_type(m->id, json_type_string) &&
			    !json_object_is_type(m->id, json_type_int)))
				abort();
			if (hark_mcp_call_params(m->params, &name, &args, &meta,
			    &why) == 0) {
				if (name == NULL)
					abort();
				check_author(meta, ua);
			}
			(void)hark_mcp_initialize_params(m->params, &v, &why);
			o = hark_mcp_result(m->id, json_object_new_object());
			break;
		case HARK_MCP_NOTIFICATION:
			if (m->method == NULL || m->id != NULL)
				abort();
			o = NULL;
			break;
		case HARK_MCP_RESPONSE:
			o = NULL;
			break;
		default:
			if (m->why == NULL)
				abort();
			o = hark_mcp_error(m->id, HARK_MCP_INVALID_REQUEST,
			    "Invalid Request", json_object_new_string(m->why));
			break;
		}
		if (o != NULL && json_object_to_json_string_ext(o,
		    JSON_C_TO_STRING_PLAIN) == NULL)
			abort();
		json_object_put(o);
	}
	hark_mcp_body_free(&b);
	return 0;
}
