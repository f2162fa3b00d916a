/*
 * handlers.h: one handler per resource and method.  Each reads like the API
 * reference for its endpoint: parse, authorize, validate, call lib/, respond.
 */
#ifndef HARK_HANDLERS_H
#define HARK_HANDLERS_H

struct hark_app;
struct hark_json_schema;
struct hark_principal;
struct hark_req;
struct hark_resp;
struct json_object;

void	hark_handle_health(struct hark_app *, struct hark_req *,
	    struct hark_resp *);
void	hark_handle_feedback_create(struct hark_app *, struct hark_req *,
	    struct hark_resp *);
void	hark_handle_feedback_get(struct hark_app *, struct hark_req *,
	    struct hark_resp *);
void	hark_handle_feedback_list(struct hark_app *, struct hark_req *,
	    struct hark_resp *);
void	hark_handle_feedback_delete(struct hark_app *, struct hark_req *,
	    struct hark_resp *);

/* Maps a lib/db result to a response: 503 + Retry-After or 500. */
void	hark_respond_db_error(struct hark_app *, struct hark_resp *, int rc);

/*
 * The prologue of every key-authenticated endpoint: authentication, the
 * project's origin allowlist, rate limits (with RateLimit-* headers).
 * Returns 0 with *who filled, or -1 with resp holding the refusal.
 */
int	hark_api_begin(struct hark_app *, struct hark_req *, struct hark_resp *,
	    struct hark_principal *who);
/* Reads and strictly parses a JSON body; 0, or -1 with resp filled. */
int	hark_api_read_json(struct hark_app *, struct hark_req *,
	    struct hark_resp *, struct json_object **out);
/* Validates against a schema; 0, or -1 with the error and field in resp. */
int	hark_api_validate(struct hark_resp *, struct json_object *,
	    const struct hark_json_schema *);

#endif
