/*
 * session.c: a widget session, the Earshot-shaped API's follow-ups to a
 * submission.
 *
 *   GET  /v1/feedback/session/{sessionId}/state
 *                        the latest submission's progress: processing, done
 *                        (with the item's id and transcript) or error (with
 *                        a short reason); 404 once [limits] session_ttl has
 *                        passed since it, for another project's session and,
 *                        with a public key, for another source's
 *   POST /v1/identify    {sessionId, identity}: the identity on every row of
 *                        the session still anonymous, {"ok": true,
 *                        "updated": N}; another project's session fills none
 *
 * Both take a secret key or a source's public key (routes.c); the prologue
 * has authenticated, counted and, for identify, validated the body
 * (hark_earshot_identify_schema) before these run.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "earshot_schema.h"
#include "handlers.h"
#include "json.h"
#include "respond.h"
#include "store.h"
#include "uuid.h"

/* What a failed session with no recorded reason says. */
#define SESSION_ERROR_DEFAULT	"processing failed"

/* A public key sees its own source's sessions only. */
static const char *
caller_source(const struct hark_call *c)
{
	return c->who.public_key ? c->who.source_id : NULL;
}

static struct json_object *
state_json(const struct hark_session_state *st)
{
	struct json_object	*o;
	int			 bad = 0;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	switch (st->status) {
	case HARK_SESSION_DONE:
		bad |= json_object_object_add(o, "status",
		    json_object_new_string("done"));
		bad |= json_object_object_add(o, "id",
		    json_object_new_string(st->feedback_id));
		bad |= json_object_object_add(o, "transcript",
		    json_object_new_string_len(st->transcript != NULL ?
		    st->transcript : "", (int)st->transcript_len));
		break;
	case HARK_SESSION_ERROR:
		bad |= json_object_object_add(o, "status",
		    json_object_new_string("error"));
		bad |= json_object_object_add(o, "error", st->error != NULL &&
		    st->error_len > 0 ? json_object_new_string_len(st->error,
		    (int)st->error_len) :
		    json_object_new_string(SESSION_ERROR_DEFAULT));
		break;
	case HARK_SESSION_PROCESSING:
	default:
		bad |= json_object_object_add(o, "status",
		    json_object_new_string("processing"));
		break;
	}
	if (bad) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

void
hark_handle_session_state(const struct hark_call *c)
{
	struct hark_session_state	 st;
	struct json_object		*o;
	const char			*sid;
	int				 rc;

	sid = hark_req_param(c->req, "sessionId");
	if (sid == NULL || !hark_uuid_valid(sid, strlen(sid))) {
		hark_resp_error(c->resp, 400, "invalid_value", "sessionId",
		    "sessionId must be a UUID (RFC 9562, such as a version 7 "
		    "one)");
		return;
	}
	rc = hark_store_session_state(c->app->db, c->who.project_id,
	    caller_source(c), sid, &st);
	if (rc == HARK_STORE_NOT_FOUND) {
		hark_resp_error(c->resp, 404, "not_found", "sessionId",
		    "no such session in this project, or it has expired");
		return;
	}
	if (rc != HARK_STORE_OK) {
		hark_respond_store(c->app, c->resp, rc);
		return;
	}
	/* A poll's answer changes under it: never from a cache. */
	if ((o = state_json(&st)) == NULL ||
	    hark_resp_json(c->resp, 200, o) == -1 ||
	    hark_resp_header(c->resp, "Cache-Control", "no-store") == -1)
		hark_resp_error(c->resp, 500, "internal", NULL, "out of memory");
	json_object_put(o);
	hark_session_state_clear(&st);
}

static void
identified(struct hark_resp *resp, unsigned long long n)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL ||
	    json_object_object_add(o, "ok", json_object_new_boolean(1)) ||
	    json_object_object_add(o, "updated",
	    json_object_new_int64((int64_t)n)) ||
	    hark_resp_json(resp, 200, o) == -1)
		hark_resp_error(resp, 500, "internal", NULL, "out of memory");
	json_object_put(o);
}

void
hark_handle_identify(const struct hark_call *c)
{
	const struct hark_earshot_identify	*in = c->in;
	const struct hark_earshot_identity	*who = &in->identity;
	struct hark_session_identity		 id;
	struct hark_json_text			 whole;
	struct hark_json_err			 err;
	unsigned long long			 n = 0;
	int					 rc;

	/*
	 * null, or an identity naming no one (traits alone), fills nothing:
	 * a row it filled would still count as anonymous.
	 */
	if (who->obj == NULL || (who->user_id.s == NULL &&
	    who->email.s == NULL && who->name.s == NULL)) {
		identified(c->resp, 0);
		return;
	}
	if (hark_json_serialize(who->obj, &whole, &err) == -1) {
		hark_resp_error(c->resp, 500, "internal", NULL, "out of memory");
		return;
	}
	memset(&id, 0, sizeof(id));
	id.user_id = who->user_id.s;
	id.user_id_len = who->user_id.len;
	id.email = who->email.s;
	id.email_len = who->email.len;
	id.name = who->name.s;
	id.name_len = who->name.len;
	id.traits = who->traits.s;
	id.traits_len = who->traits.len;
	id.json = whole.s;
	id.json_len = whole.len;
	/* A UUID (the schema's check): NUL-terminated, no NUL inside. */
	rc = hark_store_session_identify(c->app->db, c->who.project_id,
	    caller_source(c), in->session_id.s, &id, &n);
	if (rc != HARK_STORE_OK) {
		hark_respond_store(c->app, c->resp, rc);
		return;
	}
	identified(c->resp, n);
}
