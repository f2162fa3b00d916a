/* respond.c: store results to HTTP answers, in one table of cases. */
#include "config.h"

#include <json-c/json.h>

#include "app.h"
#include "http.h"
#include "log.h"
#include "respond.h"
#include "store.h"

/* {"error": {"code": "outcome_unknown", "message": ..., "id": ...}} */
static void
outcome_unknown(struct hark_resp *resp, const char *id)
{
	struct json_object	*root, *err;

	root = json_object_new_object();
	err = json_object_new_object();
	if (root == NULL || err == NULL) {
		json_object_put(err);
		goto nomem;
	}
	if (resp->widget_errors)
		json_object_object_add(root, "success",
		    json_object_new_boolean(0));
	json_object_object_add(root, "error", err);
	json_object_object_add(err, "code",
	    json_object_new_string("outcome_unknown"));
	json_object_object_add(err, "message", json_object_new_string(
	    "the database went away while storing this item, which may have "
	    "been stored; GET it by this id before sending it again"));
	json_object_object_add(err, "id", json_object_new_string(id));
	if (hark_resp_json(resp, 503, root) == -1)
		goto nomem;
	json_object_put(root);
	hark_resp_header(resp, "Retry-After", HARK_RETRY_AFTER_DB);
	return;
nomem:
	json_object_put(root);
	hark_resp_error(resp, 500, "internal", NULL, "out of memory");
}

/* A 503 the client should retry: logged with the db layer's reason. */
static void
retry_later(struct hark_app *app, struct hark_resp *resp, const char *what,
    const char *code, const char *message)
{
	hark_log(HARK_LOG_WARN, "%s: %s", what, hark_store_errmsg(app->db));
	hark_resp_error(resp, 503, code, NULL, "%s", message);
	hark_resp_header(resp, "Retry-After", HARK_RETRY_AFTER_DB);
}

void
hark_respond_store_write(struct hark_app *app, struct hark_resp *resp, int rc,
    const char *id)
{
	switch (rc) {
	case HARK_STORE_NOT_FOUND:
		hark_resp_error(resp, 404, "not_found", NULL,
		    "there is no such item");
		return;
	case HARK_STORE_OUTCOME_UNKNOWN:
		if (id != NULL && id[0] != '\0') {
			hark_log(HARK_LOG_WARN, "outcome of the write of %s "
			    "unknown: %s", id, hark_store_errmsg(app->db));
			outcome_unknown(resp, id);
			return;
		}
		/* FALLTHROUGH */
	case HARK_STORE_UNAVAILABLE:
		/* Say why (a full disk, a lost server) once per refusal: the
		 * message never holds user data (lib/db scrubs it). */
		retry_later(app, resp, "database unavailable",
		    "database_unavailable",
		    "the database is unavailable; retry shortly");
		return;
	case HARK_STORE_TIMEOUT:
		retry_later(app, resp, "database statement timed out",
		    "database_timeout",
		    "the database did not answer in time; retry shortly");
		return;
	case HARK_STORE_NOMEM:
		hark_resp_error(resp, 500, "internal", NULL, "out of memory");
		return;
	default:
		hark_log(HARK_LOG_ERR, "database error %u: %s",
		    hark_store_errno(app->db), hark_store_errmsg(app->db));
		hark_resp_error(resp, 500, "internal", NULL,
		    "an internal error occurred; it has been logged");
		return;
	}
}

void
hark_respond_store(struct hark_app *app, struct hark_resp *resp, int rc)
{
	hark_respond_store_write(app, resp, rc, NULL);
}
