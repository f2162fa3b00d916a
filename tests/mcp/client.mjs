// client.mjs: the official MCP client (@modelcontextprotocol/sdk, its
// Streamable HTTP transport) working hark's inbox, for
// tests/integration/test_mcp.sh, which checks what it did in MariaDB and
// through the REST API.  Prints one JSON document of what it saw.
//
//	node client.mjs work URL KEY ID	connect, list the tools, call each
//	node client.mjs other URL KEY ID	another project's key: sees nothing
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import Ajv from "ajv";
import addFormats from "ajv-formats";

const [mode, url, key, id] = process.argv.slice(2);
const out = {};

const transport = new StreamableHTTPClientTransport(new URL(url), {
  requestInit: {
    headers: { Authorization: `Bearer ${key}`, "User-Agent": "hark-mcp-test/1" },
  },
});
const client = new Client({ name: "hark-test-agent", version: "0.9" });

// Each tool's schemas, compiled strictly as a client would (a schema hark
// declares wrongly fails here), and whether each call's arguments agree
// with the inputSchema: what hark takes, the schema must allow, and what
// it refuses the schema must not (out.schemaDisagrees lists any).
const ajv = new Ajv({ strict: true, allErrors: true, strictTypes: false });
addFormats(ajv);
const inputs = {};
out.schemaDisagrees = [];

// A call's outcome as the test compares it: the structured result, or the
// error's text, or the protocol error's code.
async function call(name, args, extra = {}) {
  const r = await callTool(name, args, extra);
  const check = inputs[name];
  if (check && r.protocolError === undefined) {
    const allowed = check(args);
    // A failure past validation (no such item, a stale etag) says nothing.
    const refused = r.isError && /^invalid arguments/.test(r.text ?? "");
    if (allowed === refused) out.schemaDisagrees.push({ name, args, text: r.text });
  }
  return r;
}

async function callTool(name, args, extra) {
  try {
    const r = await client.callTool({ name, arguments: args, ...extra });
    return {
      isError: r.isError === true,
      structured: r.structuredContent ?? null,
      text: r.content?.[0]?.type === "text" ? r.content[0].text : null,
      textIsJson: (() => {
        try { JSON.parse(r.content[0].text); return true; } catch { return false; }
      })(),
    };
  } catch (e) {
    return { protocolError: e.code ?? String(e), message: String(e.message) };
  }
}

await client.connect(transport);
out.protocolVersion = transport.protocolVersion ?? null;
out.sessionId = transport.sessionId ?? null;
out.server = client.getServerVersion();
out.capabilities = client.getServerCapabilities();
out.ping = await client.ping();

if (mode === "work") {
  const tools = (await client.listTools()).tools;
  out.tools = Object.fromEntries(tools.map((t) => {
    let compiles = true;
    try {
      inputs[t.name] = ajv.compile(t.inputSchema);
      ajv.compile(t.outputSchema);
    } catch (e) {
      compiles = String(e.message);
    }
    return [t.name, {
      annotations: t.annotations,
      hasInput: t.inputSchema?.type === "object",
      hasOutput: t.outputSchema?.type === "object",
      compiles,
    }];
  }));
  out.list = await call("list_feedback", { limit: 1 });
  const next = out.list.structured?.nextCursor;
  out.list2 = next ? await call("list_feedback", { limit: 1, cursor: next }) : null;
  out.search = await call("search_feedback", { q: "Safari" });
  out.searchNone = await call("search_feedback", { q: "xylophone" });
  out.get = await call("get_feedback", { id });
  const etag = out.get.structured?.etag;
  out.update = await call("update_feedback", {
    id, etag, status: "triaged", priority: 2, labels: [" Auth ", "mcp"],
    resolutionNote: null,
  });
  out.stale = await call("update_feedback", { id, etag, status: "done" });
  out.labelFilter = await call("list_feedback", { label: "mcp" });
  out.comment = await call("add_comment", { id, body: "Looked at by an agent" },
    { _meta: { clientInfo: { name: "hark-test-agent", version: "0.9" } } });
  out.commentUa = await call("add_comment", { id, body: "Second look" });
  out.commentHuman = await call("add_comment", {
    id, body: "On behalf of Pat", authorType: "human", authorId: "pat",
  });
  out.link = await call("link_feedback", {
    id, url: "https://ideas.example.com/items/42", title: "Safari login",
  });
  out.triage = await call("triage_text", {
    text: "The checkout page crashes every time I pay, this is terrible",
    page: "/checkout",
  });
  out.getAfter = await call("get_feedback", { id });
  out.unknownTool = await call("no_such_tool", {});
  out.badArgs = await call("update_feedback", { id, status: "finished" });
  out.unknownArg = await call("list_feedback", { colour: "red" });
  out.badCursor = await call("list_feedback", { cursor: "nope" });
  out.badUrl = await call("link_feedback", { id, url: "javascript:alert(1)" });
  out.missing = await call("get_feedback", { id: "fb_00000000000000000000000000" });
} else {
  out.list = await call("list_feedback", {});
  out.search = await call("search_feedback", { q: "Safari" });
  out.get = await call("get_feedback", { id });
  out.update = await call("update_feedback", { id, status: "canceled" });
  out.comment = await call("add_comment", { id, body: "not mine" });
  out.link = await call("link_feedback", { id, url: "https://evil.example/" });
}
await client.close();
process.stdout.write(JSON.stringify(out) + "\n");
