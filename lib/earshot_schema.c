/*
 * earshot_schema.c: the Earshot payload (and /v1/identify's body) declared
 * for the JSON schema engine, exactly as the second seed shows it (a
 * TypeScript shape validated by Zod on Earshot's side), and its read into
 * struct hark_earshot_payload.
 *
 * Where the seed is explicit it is followed: sessionId, transcript, context
 * and identity are required (identity may be null), audioDurationMs is
 * optional; the context's members are all required (dom and screenshotUrl
 * may be null) except annotationLayer, which Zod's unknown lets be absent;
 * console holds at most 50 entries, network at most 10; dom.format is
 * "rrweb-full-snapshot-v2" and dom.data (unknown) is kept as sent.
 *
 * Where the seed is silent (it names the members of identity, device, page
 * and the entries, not their types), these choices are made:
 *   - Members of identity, device, page and the entries may be absent or
 *     null, except what makes an entry an entry: a console entry's level
 *     and message, a network entry's url and method, and a viewport's width
 *     and height.  A browser that cannot tell its timezone should not cost
 *     a submission.
 *   - Lengths: transcript 20000 characters; userId and name 255
 *     characters (what feedback.user_id and user_name hold), email 254
 *     bytes and a valid address; urls (page url, referrer, screenshotUrl,
 *     a request's url) 8192 bytes; title 1000
 *     characters; userAgent 1024 bytes; platform 128, language and timezone
 *     64, level, method 16, initiator 64 characters; a console message
 *     10000 characters and its stack 16384 bytes.
 *   - Numbers: viewport width and height integers 0-100000;
 *     devicePixelRatio a number 0-100; a status an integer 0-999 (0 is what
 *     a browser reports for a failed or opaque request); durationMs a
 *     number 0-86400000; audioDurationMs an integer 0-86400000 (a day; the
 *     audio part's 10 MB limit ends far sooner).
 *   - An entry's timestamp is milliseconds since 1970 (Date.now(), what
 *     widgets record) or an RFC 3339 string; dom.capturedAt, like the
 *     context's capturedAt, is RFC 3339.
 *   - Free values, kept as sent: identity.traits and page.customAttrs
 *     (objects, 16 KiB each as JSON), annotationLayer (any value, 1 MiB),
 *     dom.data (any value, HARK_EARSHOT_DOM_MAX).
 *   - Unknown members are collected, never refused (issue 14 item 11): the
 *     top ones are kept in the report's extra, every one, nested too, is a
 *     warning naming its path.
 *   - Whether transcript may be empty depends on the audio part, which
 *     only the caller knows: the schema accepts "".
 */
#include "config.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include <json-c/json.h>

#include "earshot_schema.h"
#include "json.h"

#define URL_MAX		8192
#define FREE_OBJ_MAX	16384
#define ANNOTATION_MAX	(1024 * 1024)
#define DAY_MS		86400000LL

/* Milliseconds since 1970, or an RFC 3339 string. */
static int
check_timestamp(struct json_object *o, const char **why)
{
	static const char	 phrase[] = "must be milliseconds since 1970 or "
	    "an RFC 3339 timestamp such as 2024-05-01T12:30:00Z";
	double			 d;

	switch (json_object_get_type(o)) {
	case json_type_int:
		if (json_object_get_int64(o) >= 0)
			return 0;
		break;
	case json_type_double:
		d = json_object_get_double(o);
		if (isfinite(d) && d >= 0)
			return 0;
		break;
	case json_type_string:
		if (hark_json_is_rfc3339(json_object_get_string(o),
		    (size_t)json_object_get_string_len(o)))
			return 0;
		break;
	default:
		break;
	}
	*why = phrase;
	return -1;
}

#define TEXT(st, m)	.out = HARK_JSON_OUT_TEXT, .off = offsetof(st, m)
#define AS_JSON(st, m)	.out = HARK_JSON_OUT_JSON, .off = offsetof(st, m)
#define OPT		HARK_JSON_NULLABLE
#define REQ		HARK_JSON_REQUIRED

/* ---- identity ---- */

#define ID(m)	TEXT(struct hark_earshot_identity, m)
static const struct hark_json_field identity_fields[] = {
	{ .name = "userId", .type = HARK_JSON_STRING, .flags = OPT,
	  .max = 255, ID(user_id) },
	{ .name = "email", .type = HARK_JSON_STRING, .flags = OPT,
	  .max_bytes = 254, .check = hark_json_check_email, ID(email) },
	{ .name = "name", .type = HARK_JSON_STRING, .flags = OPT,
	  .max = 255, ID(name) },
	{ .name = "traits", .type = HARK_JSON_OBJECT, .flags = OPT,
	  .max_bytes = FREE_OBJ_MAX,
	  AS_JSON(struct hark_earshot_identity, traits) },
};
const struct hark_json_schema hark_earshot_identity_schema = {
	identity_fields, HARK_JSON_NFIELDS(identity_fields),
	HARK_JSON_UNKNOWN_REFUSE, sizeof(struct hark_earshot_identity)
};

/* ---- context.console[] and context.network[] ---- */

#define CON(m)	TEXT(struct hark_earshot_console, m)
static const struct hark_json_field console_fields[] = {
	{ .name = "level", .type = HARK_JSON_STRING, .flags = REQ,
	  .max = 16, CON(level) },
	{ .name = "message", .type = HARK_JSON_STRING, .flags = REQ,
	  .max = 10000, CON(message) },
	{ .name = "stack", .type = HARK_JSON_STRING, .flags = OPT,
	  .max_bytes = 16384, CON(stack) },
	{ .name = "timestamp", .type = HARK_JSON_ANY, .flags = OPT,
	  .check = check_timestamp,
	  AS_JSON(struct hark_earshot_console, timestamp) },
};
static const struct hark_json_schema console_schema = {
	console_fields, HARK_JSON_NFIELDS(console_fields),
	HARK_JSON_UNKNOWN_REFUSE, sizeof(struct hark_earshot_console)
};
const struct hark_json_field hark_earshot_console_item = {
	.type = HARK_JSON_OBJECT, .sub = &console_schema,
	.out = HARK_JSON_OUT_OBJECT, .off = 0
};

#define NET(m)	offsetof(struct hark_earshot_network, m)
static const struct hark_json_field network_fields[] = {
	{ .name = "url", .type = HARK_JSON_STRING, .flags = REQ,
	  .max_bytes = URL_MAX, .out = HARK_JSON_OUT_TEXT, .off = NET(url) },
	{ .name = "method", .type = HARK_JSON_STRING, .flags = REQ,
	  .max = 16, .out = HARK_JSON_OUT_TEXT, .off = NET(method) },
	{ .name = "status", .type = HARK_JSON_INT, .flags = OPT,
	  .imin = 0, .imax = 999, .out = HARK_JSON_OUT_INT, .off = NET(status) },
	{ .name = "durationMs", .type = HARK_JSON_NUMBER, .flags = OPT,
	  .imin = 0, .imax = DAY_MS, .out = HARK_JSON_OUT_NUMBER,
	  .off = NET(duration_ms) },
	{ .name = "initiator", .type = HARK_JSON_STRING, .flags = OPT,
	  .max = 64, .out = HARK_JSON_OUT_TEXT, .off = NET(initiator) },
	{ .name = "timestamp", .type = HARK_JSON_ANY, .flags = OPT,
	  .check = check_timestamp, .out = HARK_JSON_OUT_JSON,
	  .off = NET(timestamp) },
};
static const struct hark_json_schema network_schema = {
	network_fields, HARK_JSON_NFIELDS(network_fields),
	HARK_JSON_UNKNOWN_REFUSE, sizeof(struct hark_earshot_network)
};
const struct hark_json_field hark_earshot_network_item = {
	.type = HARK_JSON_OBJECT, .sub = &network_schema,
	.out = HARK_JSON_OUT_OBJECT, .off = 0
};

/* ---- context.device, context.page, context.dom ---- */

#define VP(m)	.out = HARK_JSON_OUT_INT, \
		.off = offsetof(struct hark_earshot_viewport, m)
static const struct hark_json_field viewport_fields[] = {
	{ .name = "width", .type = HARK_JSON_INT, .flags = REQ,
	  .imin = 0, .imax = 100000, VP(width) },
	{ .name = "height", .type = HARK_JSON_INT, .flags = REQ,
	  .imin = 0, .imax = 100000, VP(height) },
};
static const struct hark_json_schema viewport_schema = {
	viewport_fields, HARK_JSON_NFIELDS(viewport_fields),
	HARK_JSON_UNKNOWN_REFUSE, sizeof(struct hark_earshot_viewport)
};

#define DEV(m)	TEXT(struct hark_earshot_device, m)
static const struct hark_json_field device_fields[] = {
	{ .name = "userAgent", .type = HARK_JSON_STRING, .flags = OPT,
	  .max_bytes = 1024, DEV(user_agent) },
	{ .name = "platform", .type = HARK_JSON_STRING, .flags = OPT,
	  .max = 128, DEV(platform) },
	{ .name = "language", .type = HARK_JSON_STRING, .flags = OPT,
	  .max = 64, DEV(language) },
	{ .name = "viewport", .type = HARK_JSON_OBJECT, .flags = OPT,
	  .sub = &viewport_schema, .out = HARK_JSON_OUT_OBJECT,
	  .off = offsetof(struct hark_earshot_device, viewport) },
	{ .name = "devicePixelRatio", .type = HARK_JSON_NUMBER, .flags = OPT,
	  .imin = 0, .imax = 100, .out = HARK_JSON_OUT_NUMBER,
	  .off = offsetof(struct hark_earshot_device, device_pixel_ratio) },
	{ .name = "timezone", .type = HARK_JSON_STRING, .flags = OPT,
	  .max = 64, DEV(timezone) },
};
static const struct hark_json_schema device_schema = {
	device_fields, HARK_JSON_NFIELDS(device_fields),
	HARK_JSON_UNKNOWN_REFUSE, sizeof(struct hark_earshot_device)
};

#define PAGE(m)	TEXT(struct hark_earshot_page, m)
static const struct hark_json_field page_fields[] = {
	{ .name = "url", .type = HARK_JSON_STRING, .flags = OPT,
	  .max_bytes = URL_MAX, PAGE(url) },
	{ .name = "referrer", .type = HARK_JSON_STRING, .flags = OPT,
	  .max_bytes = URL_MAX, PAGE(referrer) },
	{ .name = "title", .type = HARK_JSON_STRING, .flags = OPT,
	  .max = 1000, PAGE(title) },
	{ .name = "customAttrs", .type = HARK_JSON_OBJECT, .flags = OPT,
	  .max_bytes = FREE_OBJ_MAX,
	  AS_JSON(struct hark_earshot_page, custom_attrs) },
};
static const struct hark_json_schema page_schema = {
	page_fields, HARK_JSON_NFIELDS(page_fields),
	HARK_JSON_UNKNOWN_REFUSE, sizeof(struct hark_earshot_page)
};

static const char *const dom_formats[] = { HARK_EARSHOT_DOM_FORMAT, NULL };
#define DOM(m)	TEXT(struct hark_earshot_dom, m)
static const struct hark_json_field dom_fields[] = {
	{ .name = "format", .type = HARK_JSON_STRING, .flags = REQ,
	  .one_of = dom_formats, DOM(format) },
	{ .name = "data", .type = HARK_JSON_ANY, .flags = OPT,
	  .max_bytes = HARK_EARSHOT_DOM_MAX,
	  AS_JSON(struct hark_earshot_dom, data) },
	{ .name = "capturedAt", .type = HARK_JSON_STRING, .flags = REQ,
	  .check = hark_json_check_rfc3339, DOM(captured_at) },
};
static const struct hark_json_schema dom_schema = {
	dom_fields, HARK_JSON_NFIELDS(dom_fields),
	HARK_JSON_UNKNOWN_REFUSE, sizeof(struct hark_earshot_dom)
};

/* ---- context ---- */

#define CTX(m)	offsetof(struct hark_earshot_context, m)
static const struct hark_json_field context_fields[] = {
	{ .name = "dom", .type = HARK_JSON_OBJECT, .flags = REQ | OPT,
	  .sub = &dom_schema, .out = HARK_JSON_OUT_OBJECT, .off = CTX(dom) },
	{ .name = "console", .type = HARK_JSON_ARRAY,
	  .flags = REQ | HARK_JSON_ITEM_PATH, .max = HARK_EARSHOT_CONSOLE_MAX,
	  .items = &hark_earshot_console_item, .out = HARK_JSON_OUT_ARRAY,
	  .off = CTX(console) },
	{ .name = "network", .type = HARK_JSON_ARRAY,
	  .flags = REQ | HARK_JSON_ITEM_PATH, .max = HARK_EARSHOT_NETWORK_MAX,
	  .items = &hark_earshot_network_item, .out = HARK_JSON_OUT_ARRAY,
	  .off = CTX(network) },
	{ .name = "device", .type = HARK_JSON_OBJECT, .flags = REQ,
	  .sub = &device_schema, .out = HARK_JSON_OUT_OBJECT,
	  .off = CTX(device) },
	{ .name = "page", .type = HARK_JSON_OBJECT, .flags = REQ,
	  .sub = &page_schema, .out = HARK_JSON_OUT_OBJECT, .off = CTX(page) },
	{ .name = "screenshotUrl", .type = HARK_JSON_STRING, .flags = REQ | OPT,
	  .max_bytes = URL_MAX, .out = HARK_JSON_OUT_TEXT,
	  .off = CTX(screenshot_url) },
	{ .name = "annotationLayer", .type = HARK_JSON_ANY, .flags = OPT,
	  .max_bytes = ANNOTATION_MAX, .out = HARK_JSON_OUT_JSON,
	  .off = CTX(annotation_layer) },
	{ .name = "capturedAt", .type = HARK_JSON_STRING, .flags = REQ,
	  .check = hark_json_check_rfc3339, .out = HARK_JSON_OUT_TEXT,
	  .off = CTX(captured_at) },
};
static const struct hark_json_schema context_schema = {
	context_fields, HARK_JSON_NFIELDS(context_fields),
	HARK_JSON_UNKNOWN_REFUSE, sizeof(struct hark_earshot_context)
};

/* ---- the payload ---- */

#define PL(m)	offsetof(struct hark_earshot_payload, m)
static const struct hark_json_field payload_fields[] = {
	{ .name = "sessionId", .type = HARK_JSON_STRING, .flags = REQ,
	  .check = hark_json_check_rfc9562_uuid, .out = HARK_JSON_OUT_TEXT,
	  .off = PL(session_id) },
	{ .name = "transcript", .type = HARK_JSON_STRING, .flags = REQ,
	  .max = HARK_EARSHOT_TRANSCRIPT_MAX, .out = HARK_JSON_OUT_TEXT,
	  .off = PL(transcript) },
	{ .name = "context", .type = HARK_JSON_OBJECT, .flags = REQ,
	  .sub = &context_schema, .out = HARK_JSON_OUT_OBJECT,
	  .off = PL(context) },
	{ .name = "identity", .type = HARK_JSON_OBJECT, .flags = REQ | OPT,
	  .sub = &hark_earshot_identity_schema, .out = HARK_JSON_OUT_OBJECT,
	  .off = PL(identity) },
	{ .name = "audioDurationMs", .type = HARK_JSON_INT,
	  .imin = 0, .imax = DAY_MS, .out = HARK_JSON_OUT_INT,
	  .off = PL(audio_duration_ms) },
};
const struct hark_json_schema hark_earshot_payload_schema = {
	payload_fields, HARK_JSON_NFIELDS(payload_fields),
	HARK_JSON_UNKNOWN_COLLECT, sizeof(struct hark_earshot_payload)
};

#define IDF(m)	offsetof(struct hark_earshot_identify, m)
static const struct hark_json_field identify_fields[] = {
	{ .name = "sessionId", .type = HARK_JSON_STRING, .flags = REQ,
	  .check = hark_json_check_rfc9562_uuid, .out = HARK_JSON_OUT_TEXT,
	  .off = IDF(session_id) },
	{ .name = "identity", .type = HARK_JSON_OBJECT, .flags = REQ | OPT,
	  .sub = &hark_earshot_identity_schema, .out = HARK_JSON_OUT_OBJECT,
	  .off = IDF(identity) },
};
const struct hark_json_schema hark_earshot_identify_schema = {
	identify_fields, HARK_JSON_NFIELDS(identify_fields),
	HARK_JSON_UNKNOWN_COLLECT, sizeof(struct hark_earshot_identify)
};

int
hark_earshot_payload_read(const char *buf, size_t len,
    struct json_object **tree, struct hark_earshot_payload *out,
    struct hark_json_report *rep, struct hark_json_err *err)
{
	memset(out, 0, sizeof(*out));
	out->audio_duration_ms = -1;
	if (hark_json_parse(buf, len, tree, err) == -1)
		return -1;
	if (hark_json_validate_report(*tree, &hark_earshot_payload_schema, rep,
	    err) == -1 ||
	    hark_json_fill(*tree, &hark_earshot_payload_schema, out, err) == -1)
		goto fail;
	return 0;
fail:
	hark_json_report_clear(rep);
	json_object_put(*tree);
	*tree = NULL;
	return -1;
}

int
hark_earshot_console_at(const struct hark_earshot_context *ctx, size_t i,
    struct hark_earshot_console *out, struct hark_json_err *err)
{
	memset(out, 0, sizeof(*out));
	return hark_json_fill_item(&ctx->console, i, &hark_earshot_console_item,
	    out, err);
}

int
hark_earshot_network_at(const struct hark_earshot_context *ctx, size_t i,
    struct hark_earshot_network *out, struct hark_json_err *err)
{
	memset(out, 0, sizeof(*out));
	out->status = -1;
	out->duration_ms = -1;
	return hark_json_fill_item(&ctx->network, i, &hark_earshot_network_item,
	    out, err);
}
