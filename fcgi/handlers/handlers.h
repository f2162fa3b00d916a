/* handlers.h: one handler per resource and method; each parses, authorizes, validates, calls lib/, responds. */
#ifndef HARK_HANDLERS_H
#define HARK_HANDLERS_H

struct hark_app;
struct hark_req;
struct hark_resp;

void	hark_handle_health(struct hark_app *, struct hark_req *,
	    struct hark_resp *);

/* Maps a lib/db result to a response: 503 + Retry-After or 500. */
void	hark_respond_db_error(struct hark_app *, struct hark_resp *, int rc);

#endif
