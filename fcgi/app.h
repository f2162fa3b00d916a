/*
 * app.h: what one worker process holds for its whole life and lends to every
 * request: the configuration, its own database connection, its handle on
 * the host's shared rate-limit table and the key list cursors are signed
 * with.  Made after fork.
 */
#ifndef HARK_APP_H
#define HARK_APP_H

#include <stdbool.h>

#include "feedback.h"
#include "http.h"
#include "token.h"

struct hark_conf;
struct hark_db;
struct hark_rl;

struct hark_app {
	const struct hark_conf	*conf;
	struct hark_db		*db;
	struct hark_rl		*rl;	/* NULL when the state dir is unusable */
	struct hark_cursor_key	 cursor_key;	/* signs list cursors */
	/* Widget tokens ([widget] token_secret_file): without them bootstrap
	 * and ingest answer 503, the rest serves. */
	struct hark_token_keys	 token_keys;
	bool			 tokens_ok;
};

/* Makes a worker's resources; NULL on failure (logged). */
struct hark_app	*hark_app_new(const struct hark_conf *conf);
void		 hark_app_free(struct hark_app *app);

/*
 * Answers one request: limits checked before the body is read, then routing,
 * then the handler.  Always leaves a complete response in resp.
 */
void		 hark_app_handle(struct hark_app *app, struct hark_req *req,
		    struct hark_resp *resp);

#endif
