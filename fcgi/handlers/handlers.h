/*
 * handlers.h: one handler per resource and method, and the schemas their
 * routes declare.  A handler runs after the prologue (auth, origin, rate
 * limit, body and query) and reads like the API reference for its
 * endpoint: typed input in, a call to a service, a response out.  It never
 * includes lib/db.h nor writes SQL.
 */
#ifndef HARK_HANDLERS_H
#define HARK_HANDLERS_H

#include "router.h"

struct hark_json_schema;
struct hark_query_schema;

void	hark_handle_health(const struct hark_call *);
void	hark_handle_feedback_create(const struct hark_call *);
void	hark_handle_feedback_get(const struct hark_call *);
void	hark_handle_feedback_list(const struct hark_call *);
void	hark_handle_feedback_delete(const struct hark_call *);
void	hark_handle_session_state(const struct hark_call *);
/* POST /v1/identify's body: hark_earshot_identify_schema (earshot_schema.h). */
void	hark_handle_identify(const struct hark_call *);

/* POST /v1/feedback's body: struct hark_feedback_input (lib/feedback.h). */
extern const struct hark_json_schema	hark_feedback_create_body;
/* GET /v1/feedback's query. */
extern const struct hark_query_schema	hark_feedback_list_query;

#endif
