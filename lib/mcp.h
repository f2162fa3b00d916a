/*
 * mcp.h: the Model Context Protocol's JSON-RPC side, free of HTTP and of
 * the store: which revisions hark speaks and what each allows, a POST
 * body read into its messages (one, or a batch where the revision has
 * them), and the answers' shapes (results, errors, initialize, a tool's
 * result).  fcgi/handlers/mcp.c serves POST /mcp with it.
 *
 * hark is stateless: no Mcp-Session-Id is issued, so any worker of any
 * host answers any request, and a request's revision is its
 * MCP-Protocol-Version header (the specification's rule after initialize).
 */
#ifndef HARK_MCP_H
#define HARK_MCP_H

#include <stdbool.h>
#include <stddef.h>

struct json_object;

/* The newest first; NULL-terminated.  What @modelcontextprotocol/sdk
 * 1.32 speaks over Streamable HTTP (2024-11-05 was HTTP+SSE). */
extern const char *const hark_mcp_versions[];
#define HARK_MCP_LATEST		"2025-11-25"
/* A request without MCP-Protocol-Version: the specification says to
 * assume this revision (2025-06-18, "Protocol Version Header"). */
#define HARK_MCP_ASSUMED	"2025-03-26"

/* The static name of a supported revision, or NULL. */
const char	*hark_mcp_version_find(const char *v);
/* initialize: the client's revision when hark speaks it, else the latest
 * (the client then decides whether to go on). */
const char	*hark_mcp_negotiate(const char *requested);
/* JSON-RPC batches: 2025-03-26 only (2025-06-18 removed them). */
bool		 hark_mcp_batches(const char *version);
/* outputSchema and structuredContent: 2025-06-18 on. */
bool		 hark_mcp_structured(const char *version);
/* A tool's arguments that fail its inputSchema: a tool error (isError)
 * from 2025-11-25 on (SEP-1303), before that -32602. */
bool		 hark_mcp_args_tool_error(const char *version);
/* The list as JSON text for a 400: "2025-11-25, 2025-06-18, ...". */
void		 hark_mcp_versions_text(char *out, size_t len);

/* JSON-RPC 2.0's codes. */
#define HARK_MCP_PARSE_ERROR		-32700
#define HARK_MCP_INVALID_REQUEST	-32600
#define HARK_MCP_METHOD_NOT_FOUND	-32601
#define HARK_MCP_INVALID_PARAMS		-32602
#define HARK_MCP_INTERNAL_ERROR		-32603

enum hark_mcp_kind {
	HARK_MCP_REQUEST = 0,	/* method and id: answered */
	HARK_MCP_NOTIFICATION,	/* method, no id: never answered */
	HARK_MCP_RESPONSE,	/* a client's answer (result/error): taken */
	HARK_MCP_INVALID	/* answered -32600 with id (or null) */
};

struct hark_mcp_msg {
	enum hark_mcp_kind	 kind;
	struct json_object	*id;	/* borrowed; NULL: none or unusable */
	const char		*method;
	struct json_object	*params;	/* borrowed; NULL when absent */
	const char		*why;	/* INVALID: what is wrong (static) */
};

struct hark_mcp_body {
	struct json_object	*tree;	/* owned */
	bool			 batch;
	struct hark_mcp_msg	*msgs;
	size_t			 n;
};

/*
 * Reads a POST body: one message or an array of them (whether a batch is
 * allowed is the caller's, by revision).  0, or -1 with *code set
 * (-32700 not JSON, -32600 an empty batch) and why filled.  Each message
 * is classified; a bad one is INVALID and the rest still count.
 */
int	hark_mcp_body_parse(const char *buf, size_t len,
	    struct hark_mcp_body *out, int *code, char *why, size_t whylen);
void	hark_mcp_body_free(struct hark_mcp_body *);

/* {"jsonrpc": "2.0", "id": id, "result": result}; result is taken. */
struct json_object	*hark_mcp_result(struct json_object *id,
			    struct json_object *result);
/* The error answer; id NULL is null; data (taken) may be NULL. */
struct json_object	*hark_mcp_error(struct json_object *id, int code,
			    const char *message, struct json_object *data);

/*
 * initialize's params: the client's protocolVersion (required, a string)
 * into *version.  0, or -1 with why (a -32602).
 */
int	hark_mcp_initialize_params(struct json_object *params,
	    const char **version, const char **why);
/* initialize's result for the negotiated revision. */
struct json_object	*hark_mcp_initialize_result(const char *version,
			    const char *server_version,
			    const char *instructions);

/*
 * tools/call's params: the tool's name, its arguments (NULL when absent:
 * none) and the caller's name from _meta (see hark_mcp_author).  0, or -1
 * with why (a -32602).
 */
int	hark_mcp_call_params(struct json_object *params, const char **name,
	    struct json_object **arguments, struct json_object **meta,
	    const char **why);
/*
 * Who an agent's comment is by when the call names nobody, in a stateless
 * server that never keeps initialize's clientInfo: the call's
 * _meta.clientInfo ("name/version", as initialize's is), else the HTTP
 * User-Agent, else "mcp-client".  out is at most len - 1 bytes.
 */
void	hark_mcp_author(struct json_object *meta, const char *user_agent,
	    char *out, size_t len);

/*
 * A tool's result: content holds one text block, the JSON of structured
 * (or text when given), structuredContent the object itself when the
 * revision has it.  structured is taken; NULL with text for an error.
 */
struct json_object	*hark_mcp_tool_result(struct json_object *structured,
			    const char *text, bool is_error,
			    bool with_structured);

#endif
