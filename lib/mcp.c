/*
 * mcp.c: the Model Context Protocol's JSON-RPC side (mcp.h): revisions,
 * messages, and the shapes of the answers.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "json.h"
#include "mcp.h"

const char *const hark_mcp_versions[] = {
	"2025-11-25", "2025-06-18", "2025-03-26", NULL
};

const char *
hark_mcp_version_find(const char *v)
{
	size_t	 i;

	for (i = 0; v != NULL && hark_mcp_versions[i] != NULL; i++)
		if (strcmp(v, hark_mcp_versions[i]) == 0)
			return hark_mcp_versions[i];
	return NULL;
}

const char *
hark_mcp_negotiate(const char *requested)
{
	const char	*v = hark_mcp_version_find(requested);

	return v != NULL ? v : HARK_MCP_LATEST;
}

bool
hark_mcp_batches(const char *version)
{
	return version != NULL && strcmp(version, "2025-03-26") == 0;
}

/* Revisions are dates: later ones sort later. */
bool
hark_mcp_structured(const char *version)
{
	return version != NULL && strcmp(version, "2025-06-18") >= 0;
}

bool
hark_mcp_args_tool_error(const char *version)
{
	return version != NULL && strcmp(version, "2025-11-25") >= 0;
}

void
hark_mcp_versions_text(char *out, size_t len)
{
	size_t	 i, n = 0;

	if (len == 0)
		return;
	out[0] = '\0';
	for (i = 0; hark_mcp_versions[i] != NULL && n < len; i++)
		n += (size_t)snprintf(out + n, len - n, "%s%s", i ? ", " : "",
		    hark_mcp_versions[i]);
}

/* ---- messages ---- */

/* MCP's ids are strings or integers, never null (JSON-RPC's is looser). */
static bool
id_usable(struct json_object *id)
{
	return id != NULL && (json_object_is_type(id, json_type_string) ||
	    json_object_is_type(id, json_type_int));
}

static void
classify(struct json_object *m, struct hark_mcp_msg *msg)
{
	struct json_object	*v, *id = NULL, *method = NULL;
	bool			 has_id;

	memset(msg, 0, sizeof(*msg));
	msg->kind = HARK_MCP_INVALID;
	if (!json_object_is_type(m, json_type_object)) {
		msg->why = "a message is a JSON object";
		return;
	}
	has_id = json_object_object_get_ex(m, "id", &id);
	if (id_usable(id))
		msg->id = id;
	if (!json_object_object_get_ex(m, "jsonrpc", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), "2.0") != 0) {
		msg->why = "jsonrpc must be \"2.0\"";
		return;
	}
	if (!json_object_object_get_ex(m, "method", &method)) {
		/* A client's answer to a server request (hark makes none). */
		if (msg->id != NULL && (json_object_object_get_ex(m, "result",
		    NULL) || json_object_object_get_ex(m, "error", NULL))) {
			msg->kind = HARK_MCP_RESPONSE;
			return;
		}
		msg->why = "a request has a method";
		return;
	}
	if (!json_object_is_type(method, json_type_string)) {
		msg->why = "method is a string";
		return;
	}
	if (has_id && msg->id == NULL) {
		msg->why = "id is a string or an integer";
		return;
	}
	if (json_object_object_get_ex(m, "params", &v) && v != NULL &&
	    !json_object_is_type(v, json_type_object) &&
	    !json_object_is_type(v, json_type_array)) {
		msg->why = "params is an object";
		return;
	}
	msg->method = json_object_get_string(method);
	msg->params = v;
	if (!json_object_object_get_ex(m, "params", NULL))
		msg->params = NULL;
	msg->kind = has_id ? HARK_MCP_REQUEST : HARK_MCP_NOTIFICATION;
}

int
hark_mcp_body_parse(const char *buf, size_t len, struct hark_mcp_body *out,
    int *code, char *why, size_t whylen)
{
	struct hark_json_err	 err;
	struct hark_buf		 wrap = { 0 };
	struct json_object	*top = NULL;
	size_t			 i = 0, n;
	int			 rc = -1;

	memset(out, 0, sizeof(*out));
	*code = HARK_MCP_PARSE_ERROR;
	while (i < len && strchr(" \t\r\n", buf[i]) != NULL)
		i++;
	/*
	 * The strict parser (lib/json.c) takes an object only: a batch is
	 * read as the member of one, so both get its checks (depth,
	 * duplicate members, numbers, UTF-8).
	 */
	if (i < len && buf[i] == '[') {
		out->batch = true;
		if (hark_buf_append(&wrap, "{\"batch\":", 9) == -1 ||
		    hark_buf_append(&wrap, buf + i, len - i) == -1 ||
		    hark_buf_append(&wrap, "}", 1) == -1) {
			snprintf(why, whylen, "out of memory");
			*code = HARK_MCP_INTERNAL_ERROR;
			goto out;
		}
		buf = wrap.data;
		len = wrap.len;
	}
	if (hark_json_parse(buf, len, &out->tree, &err) == -1) {
		snprintf(why, whylen, "%s", out->batch ?
		    "the body is not one JSON array" : err.message);
		goto out;
	}
	top = out->tree;
	if (out->batch) {
		(void)json_object_object_get_ex(out->tree, "batch", &top);
		if (!json_object_is_type(top, json_type_array)) {
			snprintf(why, whylen, "the body is not one JSON array");
			goto out;
		}
		if ((n = json_object_array_length(top)) == 0) {
			*code = HARK_MCP_INVALID_REQUEST;
			snprintf(why, whylen, "an empty batch");
			goto out;
		}
	} else
		n = 1;
	if ((out->msgs = calloc(n, sizeof(*out->msgs))) == NULL) {
		snprintf(why, whylen, "out of memory");
		*code = HARK_MCP_INTERNAL_ERROR;
		goto out;
	}
	out->n = n;
	for (i = 0; i < n; i++)
		classify(out->batch ? json_object_array_get_idx(top, i) : top,
		    &out->msgs[i]);
	rc = 0;
out:
	hark_buf_free(&wrap);
	if (rc == -1)
		hark_mcp_body_free(out);
	return rc;
}

void
hark_mcp_body_free(struct hark_mcp_body *b)
{
	json_object_put(b->tree);
	free(b->msgs);
	memset(b, 0, sizeof(*b));
}

/* ---- answers ---- */

static struct json_object *
envelope(struct json_object *id)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(o, "id", id != NULL ? json_object_get(id) :
	    NULL);
	return o;
}

struct json_object *
hark_mcp_result(struct json_object *id, struct json_object *result)
{
	struct json_object	*o;

	if (result == NULL || (o = envelope(id)) == NULL) {
		json_object_put(result);
		return NULL;
	}
	json_object_object_add(o, "result", result);
	return o;
}

struct json_object *
hark_mcp_error(struct json_object *id, int code, const char *message,
    struct json_object *data)
{
	struct json_object	*o, *e;

	if ((o = envelope(id)) == NULL || (e = json_object_new_object()) ==
	    NULL) {
		json_object_put(o);
		json_object_put(data);
		return NULL;
	}
	json_object_object_add(e, "code", json_object_new_int(code));
	json_object_object_add(e, "message", json_object_new_string(message));
	if (data != NULL)
		json_object_object_add(e, "data", data);
	json_object_object_add(o, "error", e);
	return o;
}

int
hark_mcp_initialize_params(struct json_object *params, const char **version,
    const char **why)
{
	struct json_object	*v;

	*version = NULL;
	if (params == NULL || !json_object_is_type(params, json_type_object) ||
	    !json_object_object_get_ex(params, "protocolVersion", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		*why = "initialize needs params.protocolVersion, a string";
		return -1;
	}
	*version = json_object_get_string(v);
	return 0;
}

struct json_object *
hark_mcp_initialize_result(const char *version, const char *server_version,
    const char *instructions)
{
	struct json_object	*r, *caps, *tools, *info;

	if ((r = json_object_new_object()) == NULL)
		return NULL;
	caps = json_object_new_object();
	tools = json_object_new_object();
	info = json_object_new_object();
	if (caps == NULL || tools == NULL || info == NULL) {
		json_object_put(caps);
		json_object_put(tools);
		json_object_put(info);
		json_object_put(r);
		return NULL;
	}
	/* The tool list is fixed: it never changes under a client. */
	json_object_object_add(tools, "listChanged",
	    json_object_new_boolean(0));
	json_object_object_add(caps, "tools", tools);
	json_object_object_add(info, "name", json_object_new_string("hark"));
	json_object_object_add(info, "title",
	    json_object_new_string("hark feedback inbox"));
	json_object_object_add(info, "version",
	    json_object_new_string(server_version));
	json_object_object_add(r, "protocolVersion",
	    json_object_new_string(version));
	json_object_object_add(r, "capabilities", caps);
	json_object_object_add(r, "serverInfo", info);
	if (instructions != NULL)
		json_object_object_add(r, "instructions",
		    json_object_new_string(instructions));
	return r;
}

int
hark_mcp_call_params(struct json_object *params, const char **name,
    struct json_object **arguments, struct json_object **meta,
    const char **why)
{
	struct json_object	*v;

	*name = NULL;
	*arguments = *meta = NULL;
	if (params == NULL || !json_object_is_type(params, json_type_object) ||
	    !json_object_object_get_ex(params, "name", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		*why = "tools/call needs params.name, a string";
		return -1;
	}
	*name = json_object_get_string(v);
	if (json_object_object_get_ex(params, "arguments", &v) && v != NULL) {
		if (!json_object_is_type(v, json_type_object)) {
			*why = "params.arguments is an object";
			return -1;
		}
		*arguments = v;
	}
	if (json_object_object_get_ex(params, "_meta", &v) &&
	    json_object_is_type(v, json_type_object))
		*meta = v;
	return 0;
}

/* A name for a column of 255: printable ASCII kept, the rest dropped. */
static void
copy_printable(const char *s, char *out, size_t len)
{
	size_t	 n = 0;

	for (; *s != '\0' && n + 1 < len && n < 255; s++)
		if ((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f)
			out[n++] = *s;
	out[n] = '\0';
}

void
hark_mcp_author(struct json_object *meta, const char *user_agent, char *out,
    size_t len)
{
	struct json_object	*ci, *name, *ver;
	char			 buf[512];

	if (len == 0)
		return;
	out[0] = '\0';
	if (meta != NULL && json_object_object_get_ex(meta, "clientInfo", &ci) &&
	    json_object_is_type(ci, json_type_object) &&
	    json_object_object_get_ex(ci, "name", &name) &&
	    json_object_is_type(name, json_type_string) &&
	    json_object_get_string_len(name) > 0) {
		if (json_object_object_get_ex(ci, "version", &ver) &&
		    json_object_is_type(ver, json_type_string) &&
		    json_object_get_string_len(ver) > 0)
			snprintf(buf, sizeof(buf), "%s/%s",
			    json_object_get_string(name),
			    json_object_get_string(ver));
		else
			snprintf(buf, sizeof(buf), "%s",
			    json_object_get_string(name));
		copy_printable(buf, out, len);
	}
	if (out[0] == '\0' && user_agent != NULL)
		copy_printable(user_agent, out, len);
	if (out[0] == '\0')
		snprintf(out, len, "mcp-client");
}

struct json_object *
hark_mcp_tool_result(struct json_object *structured, const char *text,
    bool is_error, bool with_structured)
{
	struct json_object	*r, *content, *block;
	const char		*t = text;

	r = json_object_new_object();
	content = json_object_new_array();
	block = json_object_new_object();
	if (r == NULL || content == NULL || block == NULL) {
		json_object_put(r);
		json_object_put(content);
		json_object_put(block);
		json_object_put(structured);
		return NULL;
	}
	if (t == NULL && structured != NULL)
		t = json_object_to_json_string_ext(structured,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	json_object_object_add(block, "type", json_object_new_string("text"));
	json_object_object_add(block, "text", json_object_new_string(
	    t != NULL ? t : ""));
	json_object_array_add(content, block);
	json_object_object_add(r, "content", content);
	if (structured != NULL && with_structured)
		json_object_object_add(r, "structuredContent", structured);
	else
		json_object_put(structured);
	json_object_object_add(r, "isError", json_object_new_boolean(is_error));
	return r;
}
