/*
 * handlers.h: one handler per resource and method, and the schemas their
 * routes declare.  A handler runs after the prologue (auth, origin, rate
 * limit, body and query) and reads like the API reference for its
 * endpoint: typed input in, a call to a service, a response out.  It never
 * includes lib/db.h nor writes SQL.
 */
#ifndef HARK_HANDLERS_H
#define HARK_HANDLERS_H

#include <stdbool.h>
#include <stddef.h>

#include "router.h"

struct hark_json_schema;
struct hark_query_schema;

void	hark_handle_health(const struct hark_call *);
/* GET /v1/status for [server] status_allow (status.c). */
void	hark_handle_status(const struct hark_call *);
void	hark_handle_feedback_create(const struct hark_call *);
void	hark_handle_feedback_get(const struct hark_call *);
void	hark_handle_feedback_list(const struct hark_call *);
void	hark_handle_feedback_delete(const struct hark_call *);
/* The third seed's widget flow (widget.c). */
void	hark_handle_widget_bootstrap(const struct hark_call *);
void	hark_handle_widget_ingest(const struct hark_call *);
/* Inbound alert webhooks (hooks.c). */
#define HARK_HOOK_BODY_MAX	(1024 * 1024)
void	hark_handle_hook(const struct hark_call *);
extern const struct hark_query_schema	hark_hook_query;
extern const struct hark_query_schema	hark_widget_bootstrap_query;
extern const struct hark_json_schema	hark_widget_ingest_body;
/* The inbox (inbox.c). */
void	hark_handle_feedback_patch(const struct hark_call *);
void	hark_handle_comment_create(const struct hark_call *);
void	hark_handle_comment_list(const struct hark_call *);
extern const struct hark_json_schema	hark_feedback_patch_body;
extern const struct hark_json_schema	hark_comment_create_body;
extern const struct hark_query_schema	hark_comment_list_query;
struct hark_feedback;
struct hark_resp;
/* 200 (or status) with a read item's view, its media and its ETag. */
void	hark_respond_item(const struct hark_call *, int status,
	    const struct hark_feedback *);
/* An item's ETag header, and an If-Match value back to its version. */
void	hark_feedback_etag(struct hark_resp *, const struct hark_feedback *);
bool	hark_feedback_etag_decode(const char *s, size_t n, char *out,
	    size_t len);
/* POST /mcp, the Model Context Protocol's endpoint (mcp.c). */
void	hark_handle_mcp(const struct hark_call *);
/* POST /v1/feedback with multipart/form-data (upload.c). */
void	hark_handle_feedback_upload(const struct hark_call *);
void	hark_handle_session_state(const struct hark_call *);
/* POST /v1/identify's body: hark_earshot_identify_schema (earshot_schema.h). */
void	hark_handle_identify(const struct hark_call *);

void	hark_handle_media_get(const struct hark_call *);
/* POST /v1/reporters/erase (reporters.c): GDPR erasure by reporter. */
void	hark_handle_reporter_erase(const struct hark_call *);
extern const struct hark_json_schema	hark_reporter_erase_body;

/*
 * GET /v1/feedback/{id}/media/{kind}'s header rules (media.c), for tests.
 * hark_media_range reads a Range header against a file of len bytes: NONE
 * (absent, not one well-formed byte range: the whole file), ONE with
 * *first..*last (inclusive, clamped to the file), or UNSATISFIABLE (416).
 * hark_media_etag_listed: whether an If-None-Match value names etag (the
 * tag without its quotes; weak comparison, "*" names any).
 */
enum hark_range {
	HARK_RANGE_NONE = 0,
	HARK_RANGE_ONE,
	HARK_RANGE_UNSATISFIABLE
};
enum hark_range	hark_media_range(const char *h, unsigned long long len,
		    unsigned long long *first, unsigned long long *last);
bool		hark_media_etag_listed(const char *h, const char *etag);

/* POST /v1/feedback's body: struct hark_feedback_input (lib/feedback.h). */
extern const struct hark_json_schema	hark_feedback_create_body;
/* GET /v1/feedback's query. */
extern const struct hark_query_schema	hark_feedback_list_query;

/*
 * The request's Idempotency-Key (idem.c), when it has one: claims it for
 * the request's content hash and the id it will file (id, of idlen bytes,
 * becomes a dead request's id when its claim is taken over: *taken).
 * Returns 0 to go on (*key set when claimed, else NULL), or 1 when the
 * answer is made: 400 for a bad key, the replayed answer, 409, 422, 503.
 */
int	hark_idem_begin(const struct hark_call *, const unsigned char hash[32],
	    char *id, size_t idlen, const char **key, bool *taken);

#endif
