/*
 * webhooks.c: harkctl's webhook commands: a project's endpoints added,
 * listed, removed and given a new signing secret, and the delivery log.
 *
 * The signing secret (whsec_...) is printed once, by add and by
 * rotate-secret; list never shows it.  hark must keep the key itself (it
 * signs with it), so unlike an API key it is stored as it is.  add, remove
 * and rotate-secret are written to the audit log (never the secret nor
 * the URL, which may carry a token).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "ctl.h"
#include "ids.h"
#include "store.h"
#include "webhook.h"

#define ADD_USAGE	"webhook add PROJECT URL [--events EVENT[,EVENT]...]"
#define DELIVERIES_USAGE "webhook deliveries PROJECT|WEBHOOK_ID " \
	"[--status pending|delivered|failed] [--limit N]"
#define LIMIT_DEFAULT	50
#define LIMIT_MAX	1000

_Static_assert(HARK_STORE_WEBHOOK_URL_SIZE == HARK_WEBHOOK_URL_MAX + 1,
    "store.h and webhook.h disagree on a URL's size");
_Static_assert(HARK_STORE_WEBHOOK_SECRET_MAX == HARK_WEBHOOK_SECRET_MAX,
    "store.h and webhook.h disagree on a secret's size");
_Static_assert(HARK_STORE_WEBHOOK_EVENTS_SIZE >= HARK_WEBHOOK_EVENTS_SIZE,
    "store.h's event list is too small");

/* Writes the audit row; a failure is said but does not undo the change. */
static void
audit(struct ctl *ctl, const char *project_id, const char *action,
    const char *id, const char *events)
{
	char	 detail[256];
	int	 rc;

	snprintf(detail, sizeof(detail), "harkctl uid %lu: %s%s%s",
	    (unsigned long)getuid(), id, events != NULL ? " events " : "",
	    events != NULL ? events : "");
	rc = hark_store_audit(ctl->db, project_id, NULL, action, NULL, detail);
	if (rc != HARK_STORE_OK)
		fprintf(stderr, "harkctl: warning: cannot write the audit log: "
		    "%s\n", hark_store_errmsg(ctl->db));
}

/* The endpoint must exist: CTL_OK with *w filled (and its secret). */
static int
need_webhook(struct ctl *ctl, const char *id, struct hark_webhook *w)
{
	int	 rc;

	if (!hark_id_valid(HARK_ID_WEBHOOK, id)) {
		fprintf(stderr, "harkctl: '%s' is not a webhook id (whk_...)\n",
		    id);
		return CTL_FAIL;
	}
	if (ctl_open(ctl) != CTL_OK)
		return CTL_FAIL;
	rc = hark_store_webhook_get(ctl->db, id, w);
	if (rc == HARK_STORE_NOT_FOUND) {
		fprintf(stderr, "harkctl: no such webhook: %s\n", id);
		return CTL_FAIL;
	}
	return rc == HARK_STORE_OK ? CTL_OK : ctl_store_error(ctl, id, rc);
}

/* A new secret in w and its whsec_ text in text; CTL_OK or CTL_FAIL. */
static int
new_secret(struct hark_webhook *w, char text[HARK_WEBHOOK_WHSEC_SIZE])
{
	w->secret_len = HARK_WEBHOOK_SECRET_LEN;
	if (hark_webhook_secret_new(w->secret, w->secret_len) == -1 ||
	    hark_webhook_secret_encode(w->secret, w->secret_len, text,
	    HARK_WEBHOOK_WHSEC_SIZE) == -1) {
		fprintf(stderr, "harkctl: cannot make a signing secret\n");
		return CTL_FAIL;
	}
	return CTL_OK;
}

static int
webhook_add(struct ctl *ctl, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "events", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 }
	};
	struct hark_webhook_guard	 wg;
	struct hark_webhook		*w;
	const char			*events = NULL, *project, *url;
	char				 text[HARK_WEBHOOK_WHSEC_SIZE], err[320];
	int				 ch, ok, rc = CTL_FAIL;

	ctl_getopt_reset();
	opterr = 0;
	while ((ch = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		if (ch != 'e')
			return ctl_usage_error("webhook add: an unknown option, "
			    "or one without its value; %s", ADD_USAGE);
		events = optarg;
	}
	if (optind != argc - 3)
		return ctl_usage_error("%s", ADD_USAGE);
	project = argv[1 + optind];
	url = argv[2 + optind];
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		fprintf(stderr, "harkctl: out of memory\n");
		return CTL_FAIL;
	}
	if (hark_webhook_url_check(url, err, sizeof(err)) == -1) {
		rc = ctl_usage_error("%s", err);
		goto out;
	}
	if (hark_webhook_events_parse(events != NULL ? events :
	    "feedback.created,feedback.updated,feedback.resolved,"
	    "comment.created", w->events, sizeof(w->events), err,
	    sizeof(err)) == -1) {
		rc = ctl_usage_error("--events: %s", err);
		goto out;
	}
	if (ctl_open(ctl) != CTL_OK)
		goto out;
	/* hark-batch checks every delivery; refusing here what it would
	 * refuse saves finding out from a failed delivery. */
	if (hark_webhook_guard_init(&wg, &ctl->conf) == -1) {
		fprintf(stderr, "harkctl: out of memory\n");
		goto out;
	}
	ok = hark_webhook_url_allowed(url, &wg.g, err, sizeof(err));
	hark_webhook_guard_free(&wg);
	if (ok == -1) {
		rc = ctl_usage_error("%s (or set [webhook] allow_private or "
		    "allow_networks)", err);
		goto out;
	}
	if (ctl_need_project(ctl, project) != CTL_OK)
		goto out;
	snprintf(w->project_id, sizeof(w->project_id), "%s", project);
	snprintf(w->url, sizeof(w->url), "%s", url);
	if (hark_id_new(HARK_ID_WEBHOOK, w->id, sizeof(w->id)) == -1) {
		fprintf(stderr, "harkctl: cannot make an id\n");
		goto out;
	}
	if (new_secret(w, text) != CTL_OK)
		goto out;
	if ((rc = hark_store_webhook_insert(ctl->db, w)) != HARK_STORE_OK) {
		rc = ctl_store_error(ctl, "webhook add", rc);
		goto out;
	}
	audit(ctl, w->project_id, "webhook_add", w->id, w->events);
	printf("%s %s\n", w->id, text);
	fprintf(stderr, "harkctl: webhook %s added for %s; its signing secret "
	    "is shown only this once\n", w->id, w->events);
	rc = CTL_OK;
out:
	OPENSSL_cleanse(text, sizeof(text));
	OPENSSL_cleanse(w, sizeof(*w));
	free(w);
	return rc;
}

static int
webhook_row(void *ctx, const struct hark_webhook *w)
{
	(void)ctx;
	printf("%-30s %-19.19s %s %s\n", w->id, w->created_at, w->events,
	    w->url);
	return 0;
}

static int
webhook_list(struct ctl *ctl, int argc, char **argv)
{
	int	 rc;

	if (argc != 3)
		return ctl_usage_error("webhook list takes one PROJECT");
	if (ctl_open(ctl) != CTL_OK || ctl_need_project(ctl, argv[2]) != CTL_OK)
		return CTL_FAIL;
	printf("%-30s %-19s %s %s\n", "ID", "CREATED (UTC)", "EVENTS", "URL");
	rc = hark_store_webhook_each(ctl->db, argv[2], webhook_row, NULL);
	return rc == HARK_STORE_OK ? CTL_OK :
	    ctl_store_error(ctl, "webhook list", rc);
}

static int
webhook_remove(struct ctl *ctl, int argc, char **argv)
{
	struct hark_webhook	*w;
	int			 rc = CTL_FAIL;

	if (argc != 3)
		return ctl_usage_error("webhook remove takes one WEBHOOK_ID");
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		fprintf(stderr, "harkctl: out of memory\n");
		return CTL_FAIL;
	}
	if (need_webhook(ctl, argv[2], w) != CTL_OK)
		goto out;
	/* Its deliveries go with it (ON DELETE CASCADE); their jobs then
	 * find nothing to send. */
	rc = hark_store_webhook_delete(ctl->db, w->id);
	if (rc == HARK_STORE_NOT_FOUND) {
		fprintf(stderr, "harkctl: no such webhook: %s\n", w->id);
		rc = CTL_FAIL;
		goto out;
	}
	if (rc != HARK_STORE_OK) {
		rc = ctl_store_error(ctl, "webhook remove", rc);
		goto out;
	}
	audit(ctl, w->project_id, "webhook_remove", w->id, NULL);
	printf("removed %s\n", w->id);
	rc = CTL_OK;
out:
	OPENSSL_cleanse(w, sizeof(*w));
	free(w);
	return rc;
}

static int
webhook_rotate(struct ctl *ctl, int argc, char **argv)
{
	struct hark_webhook	*w;
	char			 text[HARK_WEBHOOK_WHSEC_SIZE];
	int			 rc = CTL_FAIL;

	if (argc != 3)
		return ctl_usage_error("webhook rotate-secret takes one "
		    "WEBHOOK_ID");
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		fprintf(stderr, "harkctl: out of memory\n");
		return CTL_FAIL;
	}
	if (need_webhook(ctl, argv[2], w) != CTL_OK ||
	    new_secret(w, text) != CTL_OK)
		goto out;
	rc = hark_store_webhook_set_secret(ctl->db, w->id, w->secret,
	    w->secret_len);
	if (rc == HARK_STORE_NOT_FOUND) {
		fprintf(stderr, "harkctl: no such webhook: %s\n", w->id);
		rc = CTL_FAIL;
		goto out;
	}
	if (rc != HARK_STORE_OK) {
		rc = ctl_store_error(ctl, "webhook rotate-secret", rc);
		goto out;
	}
	audit(ctl, w->project_id, "webhook_rotate_secret", w->id, NULL);
	printf("%s\n", text);
	fprintf(stderr, "harkctl: webhook %s has a new signing secret, shown "
	    "only this once; deliveries from now on are signed with it "
	    "alone\n", w->id);
	rc = CTL_OK;
out:
	OPENSSL_cleanse(text, sizeof(text));
	OPENSSL_cleanse(w, sizeof(*w));
	free(w);
	return rc;
}

static int
delivery_row(void *ctx, const struct hark_webhook_delivery *d)
{
	char	 http[16];

	(void)ctx;
	if (d->last_status > 0)
		snprintf(http, sizeof(http), "%d", d->last_status);
	else
		snprintf(http, sizeof(http), "-");
	printf("%-30s %-30s %-17s %-9s %8u %4s %-19.19s %-19.19s %s\n", d->id,
	    d->webhook_id, d->event, d->status, d->attempts, http,
	    d->created_at, d->delivered_at[0] != '\0' ? d->delivered_at :
	    d->updated_at, d->last_error[0] != '\0' ? d->last_error : "-");
	return 0;
}

static int
webhook_deliveries(struct ctl *ctl, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "status", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	struct hark_webhook		*w = NULL;
	const char			*status = NULL, *target;
	char				*end;
	long				 limit = LIMIT_DEFAULT;
	int				 ch, rc = CTL_FAIL;

	ctl_getopt_reset();
	opterr = 0;
	while ((ch = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (strcmp(optarg, "pending") != 0 &&
			    strcmp(optarg, "delivered") != 0 &&
			    strcmp(optarg, "failed") != 0)
				return ctl_usage_error("--status is pending, "
				    "delivered or failed, not '%s'", optarg);
			status = optarg;
			break;
		case 'l':
			errno = 0;
			limit = strtol(optarg, &end, 10);
			if (optarg[0] < '0' || optarg[0] > '9' || *end != '\0' ||
			    errno != 0 || limit < 1 || limit > LIMIT_MAX)
				return ctl_usage_error("--limit is 1 to %d",
				    LIMIT_MAX);
			break;
		default:
			return ctl_usage_error("webhook deliveries: an unknown "
			    "option, or one without its value; %s",
			    DELIVERIES_USAGE);
		}
	}
	if (optind != argc - 2)
		return ctl_usage_error("%s", DELIVERIES_USAGE);
	target = argv[1 + optind];
	if (strncmp(target, HARK_ID_WEBHOOK,
	    strlen(HARK_ID_WEBHOOK)) == 0) {
		if ((w = calloc(1, sizeof(*w))) == NULL) {
			fprintf(stderr, "harkctl: out of memory\n");
			return CTL_FAIL;
		}
		if (need_webhook(ctl, target, w) != CTL_OK)
			goto out;
	} else if (ctl_open(ctl) != CTL_OK ||
	    ctl_need_project(ctl, target) != CTL_OK)
		goto out;
	printf("%-30s %-30s %-17s %-9s %8s %4s %-19s %-19s %s\n", "ID",
	    "WEBHOOK", "EVENT", "STATUS", "ATTEMPTS", "HTTP", "CREATED (UTC)",
	    "LAST (UTC)", "LAST ERROR");
	rc = hark_store_webhook_delivery_each(ctl->db, w != NULL ? NULL :
	    target, w != NULL ? w->id : NULL, status, (unsigned)limit,
	    delivery_row, NULL);
	rc = rc == HARK_STORE_OK ? CTL_OK :
	    ctl_store_error(ctl, "webhook deliveries", rc);
out:
	if (w != NULL) {
		OPENSSL_cleanse(w, sizeof(*w));
		free(w);
	}
	return rc;
}

int
ctl_cmd_webhook(struct ctl *ctl, int argc, char **argv)
{
	if (argc < 2)
		return ctl_usage_error("webhook needs add, list, remove, "
		    "rotate-secret or deliveries");
	if (strcmp(argv[1], "add") == 0)
		return webhook_add(ctl, argc, argv);
	if (strcmp(argv[1], "list") == 0)
		return webhook_list(ctl, argc, argv);
	if (strcmp(argv[1], "remove") == 0)
		return webhook_remove(ctl, argc, argv);
	if (strcmp(argv[1], "rotate-secret") == 0)
		return webhook_rotate(ctl, argc, argv);
	if (strcmp(argv[1], "deliveries") == 0)
		return webhook_deliveries(ctl, argc, argv);
	return ctl_usage_error("unknown webhook command '%s'", argv[1]);
}
