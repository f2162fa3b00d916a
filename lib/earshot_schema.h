/*
 * earshot_schema.h: the Earshot widget's payload (the second seed's
 * "Payload schema" and "Captured context"), declared for the JSON schema
 * engine, and the typed struct it fills.
 *
 * Every pointer and text below is borrowed from the parsed tree: it lives
 * as long as the tree that hark_earshot_payload_read hands back, and the
 * caller frees only that tree (json_object_put) and the report
 * (hark_json_report_clear).  A nested struct's obj is NULL when the member
 * was absent or null; its other members are then zero.
 */
#ifndef HARK_EARSHOT_SCHEMA_H
#define HARK_EARSHOT_SCHEMA_H

#include <stddef.h>

#include "json.h"

/* Limits the seed sets, and those it leaves open (chosen here). */
#define HARK_EARSHOT_CONSOLE_MAX	50	/* seed: max 50 */
#define HARK_EARSHOT_NETWORK_MAX	10	/* seed: max 10 */
#define HARK_EARSHOT_TRANSCRIPT_MAX	20000	/* characters */
/*
 * The dom snapshot's ceiling as JSON.  The deployment's own (smaller)
 * limit is the config's, checked by the caller on the payload part before
 * parsing; this one keeps the schema bounded on its own.
 */
#define HARK_EARSHOT_DOM_MAX		(8u * 1024 * 1024)
#define HARK_EARSHOT_DOM_FORMAT		"rrweb-full-snapshot-v2"

struct hark_earshot_identity {
	struct json_object	*obj;
	struct hark_json_text	 user_id, email, name;
	struct hark_json_text	 traits;	/* JSON as sent, or NULL */
};

struct hark_earshot_viewport {
	struct json_object	*obj;
	long long		 width, height;
};

struct hark_earshot_device {
	struct json_object		*obj;
	struct hark_json_text		 user_agent, platform, language;
	struct hark_json_text		 timezone;
	struct hark_earshot_viewport	 viewport;
	double				 device_pixel_ratio;	/* 0: absent */
};

struct hark_earshot_page {
	struct json_object	*obj;
	struct hark_json_text	 url, referrer, title;
	struct hark_json_text	 custom_attrs;	/* JSON as sent, or NULL */
};

struct hark_earshot_dom {
	struct json_object	*obj;
	struct hark_json_text	 format;	/* HARK_EARSHOT_DOM_FORMAT */
	struct hark_json_text	 data;		/* the snapshot, JSON as sent */
	struct hark_json_text	 captured_at;
};

/* One console entry, filled by hark_json_fill_item(&ctx.console, i, ...). */
struct hark_earshot_console {
	struct json_object	*obj;
	struct hark_json_text	 level, message, stack;
	struct hark_json_text	 timestamp;	/* JSON: a number or a string */
};

/* One network entry, filled by hark_json_fill_item(&ctx.network, i, ...). */
struct hark_earshot_network {
	struct json_object	*obj;
	struct hark_json_text	 url, method, initiator;
	long long		 status;	/* -1 when absent or null */
	double			 duration_ms;	/* -1 when absent or null */
	struct hark_json_text	 timestamp;	/* JSON: a number or a string */
};

struct hark_earshot_context {
	struct json_object	*obj;	/* the whole context, to store as sent */
	struct hark_json_array	 console, network;
	struct hark_earshot_device device;
	struct hark_earshot_page page;
	struct hark_earshot_dom	 dom;
	struct hark_json_text	 screenshot_url;
	struct hark_json_text	 annotation_layer;	/* JSON as sent, or NULL */
	struct hark_json_text	 captured_at;
};

struct hark_earshot_payload {
	struct hark_json_text		 session_id, transcript;
	struct hark_earshot_context	 context;
	struct hark_earshot_identity	 identity;
	long long			 audio_duration_ms;	/* -1: absent */
};

/* POST /v1/identify's body, {sessionId, identity}. */
struct hark_earshot_identify {
	struct hark_json_text		 session_id;
	struct hark_earshot_identity	 identity;
};

extern const struct hark_json_schema	hark_earshot_payload_schema;
extern const struct hark_json_schema	hark_earshot_identity_schema;
/*
 * Both members required, identity an object or null (null identifies no
 * one: the caller fills nothing); unknown members collected like the
 * payload's.  Filled by hark_json_fill
 * into struct hark_earshot_identify (zeroed by the caller).
 */
extern const struct hark_json_schema	hark_earshot_identify_schema;
/* The array item fields, for hark_json_fill_item. */
extern const struct hark_json_field	hark_earshot_console_item;
extern const struct hark_json_field	hark_earshot_network_item;

/*
 * Parses, validates and fills a payload part of len bytes (its size checked
 * by the caller).  Unknown members never fail it: the top ones land in
 * rep->extra, all of them in rep->warnings.  Returns 0 with *tree, *out and
 * *rep set (rep zeroed by the caller; free *tree and *rep), or -1 with
 * err filled, *tree NULL and *rep empty.
 */
int	hark_earshot_payload_read(const char *buf, size_t len,
	    struct json_object **tree, struct hark_earshot_payload *out,
	    struct hark_json_report *rep, struct hark_json_err *err);

/* Fills console or network entry i (i < the array's n) of a read payload. */
int	hark_earshot_console_at(const struct hark_earshot_context *, size_t i,
	    struct hark_earshot_console *out, struct hark_json_err *err);
int	hark_earshot_network_at(const struct hark_earshot_context *, size_t i,
	    struct hark_earshot_network *out, struct hark_json_err *err);

#endif
