/*
 * reporters.c: POST /v1/reporters/erase {email | userId}, GDPR Article 17:
 * every row of one reporter in the key's project, with their media files
 * (lib/reporter.c).  Secret keys only (routes.c); answers 200 with what
 * was deleted, table by table, 0s when nothing matched.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "app.h"
#include "conf.h"
#include "handlers.h"
#include "json.h"
#include "reporter.h"
#include "respond.h"
#include "store.h"

struct erase_in {
	struct hark_json_text	 email, user_id;
};

#define EI(m)	.out = HARK_JSON_OUT_TEXT, .off = offsetof(struct erase_in, m)

static const struct hark_json_field erase_fields[] = {
	{ .name = "email", .type = HARK_JSON_STRING,
	  .max_bytes = HARK_REPORTER_EMAIL_MAX, .check = hark_json_check_email,
	  EI(email) },
	{ .name = "userId", .type = HARK_JSON_STRING, .min = 1,
	  .max = HARK_REPORTER_USER_ID_MAX, EI(user_id) },
};
/* An erasure is an instruction: a misspelt member must not pass unseen. */
const struct hark_json_schema hark_reporter_erase_body = {
	erase_fields, HARK_JSON_NFIELDS(erase_fields), HARK_JSON_UNKNOWN_REFUSE,
	sizeof(struct erase_in)
};

void
hark_handle_reporter_erase(const struct hark_call *c)
{
	const struct erase_in		*in = c->in;
	struct hark_reporter_id		 id;
	struct hark_reporter_counts	 counts;
	struct json_object		*o, *n;
	enum hark_reporter_check	 chk;
	unsigned long long		 files;
	int				 rc;

	chk = hark_reporter_make(&id, in->email.s, in->email.len,
	    in->user_id.s, in->user_id.len);
	if (chk != HARK_REPORTER_OK) {
		hark_resp_error(c->resp, 400, chk == HARK_REPORTER_NEITHER ?
		    "missing_field" : "invalid_value",
		    chk == HARK_REPORTER_BOTH || chk == HARK_REPORTER_BAD_USER_ID ?
		    "userId" : "email", "%s", hark_reporter_check_message(chk));
		return;
	}
	rc = hark_reporter_erase(c->app->db, c->app->conf->media_dir,
	    c->who.project_id, &id, c->who.key_id, c->req->remote_addr,
	    &counts, &files);
	if (rc != HARK_STORE_OK) {
		/* What was erased stays erased: a retry finishes the rest. */
		hark_respond_store(c->app, c->resp, rc);
		return;
	}
	if ((o = json_object_new_object()) == NULL ||
	    (n = hark_reporter_counts_json(&counts, files)) == NULL) {
		json_object_put(o);
		hark_resp_error(c->resp, 500, "internal", NULL, "out of memory");
		return;
	}
	json_object_object_add(o, "erased", n);
	hark_resp_json(c->resp, 200, o);
	json_object_put(o);
}
