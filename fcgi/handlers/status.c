/*
 * status.c: GET /v1/status, the pool's status (php-fpm's pm.status_path)
 * for the addresses of [server] status_allow; 404 for anyone else.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "conf.h"
#include "handlers.h"
#include "http.h"
#include "log.h"
#include "proxies.h"
#include "../status.h"

/*
 * The client as trusted_proxies makes it out (req->remote_addr), against
 * the list.  Parsed here, per call: a monitor's request now and then, and
 * the file's check already refused a bad list, so a failure here is memory
 * and means nobody (fail closed).
 */
static int
allowed(const struct hark_conf *conf, const char *addr)
{
	struct hark_proxies	 allow = { 0 };
	char			 why[128];
	int			 ok;

	if (conf->status_allow == NULL || conf->status_allow[0] == '\0' ||
	    addr == NULL || addr[0] == '\0')
		return 0;
	if (hark_proxies_parse(conf->status_allow, &allow, why,
	    sizeof(why)) == -1)
		return 0;
	ok = hark_proxies_trusted(&allow, addr);
	hark_proxies_free(&allow);
	return ok;
}

void
hark_handle_status(const struct hark_call *c)
{
	struct hark_resp	*resp = c->resp;
	const char		*m = c->req->method;
	struct json_object	*o;

	/* Every other method and client sees what a path without an
	 * endpoint gets (app.c): nothing says that this one exists. */
	if ((strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0) ||
	    !allowed(c->app->conf, c->req->remote_addr)) {
		hark_resp_error(resp, 404, "not_found", NULL,
		    "there is no endpoint at this path");
		return;
	}
	if ((o = hark_status_json(c->app->conf->state_dir)) == NULL) {
		if (errno != ENOENT)
			hark_log(HARK_LOG_WARN, "GET /v1/status: the status "
			    "file in %s: %s", c->app->conf->state_dir,
			    errno == EINVAL ? "not a status file" :
			    strerror(errno));
		hark_resp_error(resp, 503, "status_unavailable", NULL,
		    "no master process writes a status here (a single "
		    "process or CGI keeps none)");
		hark_resp_header(resp, "Retry-After", "1");
		return;
	}
	if (hark_resp_json(resp, 200, o) == -1)
		hark_resp_error(resp, 500, "internal", NULL, "out of memory");
	else
		hark_resp_header(resp, "Cache-Control", "no-store");
	json_object_put(o);
}
