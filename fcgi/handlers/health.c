/* health.c: GET /v1/health, liveness plus a real round trip to the database. */
#include "config.h"

#include <json-c/json.h>

#include "app.h"
#include "handlers.h"
#include "migrate.h"
#include "respond.h"

/*
 * Reading the schema version is the database check: it proves the server
 * answers, the credentials work and the schema is there, for one cheap query.
 */
void
hark_handle_health(const struct hark_call *c)
{
	struct hark_resp	*resp = c->resp;
	struct json_object	*o;
	int			 version = 0, up;

	up = hark_migrate_current(c->app->db, &version) == 0;
	if ((o = json_object_new_object()) == NULL) {
		hark_resp_error(resp, 500, "internal", NULL, "out of memory");
		return;
	}
	json_object_object_add(o, "status",
	    json_object_new_string(up ? "ok" : "unavailable"));
	json_object_object_add(o, "database",
	    json_object_new_string(up ? "ok" : "unavailable"));
	json_object_object_add(o, "version",
	    json_object_new_string(PACKAGE_VERSION));
	json_object_object_add(o, "schema", json_object_new_int(version));
	if (hark_resp_json(resp, up ? 200 : 503, o) == -1)
		hark_resp_error(resp, 500, "internal", NULL, "out of memory");
	else if (!up)
		hark_resp_header(resp, "Retry-After", HARK_RETRY_AFTER_DB);
	json_object_put(o);
}
