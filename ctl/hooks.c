/* hooks.c: harkctl hook: a project's inbound alert webhooks (issue 22). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "alerts.h"
#include "ids.h"
#include "keys.h"
#include "store.h"

#include "ctl.h"

#define HOOK_SECRET_CHARS	32	/* of base32: 160 bits */
#define CREATE_USAGE	"hook create PROJECT --kind alertmanager|grafana|" \
			"sentry [--secret-file F] [--url BASE]"

static int
hook_create(struct ctl *ctl, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "kind", required_argument, NULL, 'k' },
		{ "secret-file", required_argument, NULL, 'f' },
		{ "url", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 }
	};
	const char			*kind = NULL, *file = NULL;
	const char			*base = "https://feedback.example.com";
	char				 secret[3 + HOOK_SECRET_CHARS + 1];
	char				 detail[96], url[512];
	enum hark_alert_source		 src;
	struct hark_hook		 h;
	int				 ch, rc;

	ctl_getopt_reset();
	while ((ch = getopt_long(argc - 1, argv + 1, "k:f:u:", opts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'k':
			kind = optarg;
			break;
		case 'f':
			file = optarg;
			break;
		case 'u':
			base = optarg;
			break;
		default:
			return ctl_usage_error(CREATE_USAGE);
		}
	}
	if (optind != argc - 2)
		return ctl_usage_error("hook create takes one PROJECT");
	if (kind == NULL || hark_alert_source_parse(kind, &src) == -1)
		return ctl_usage_error("--kind is alertmanager, grafana or "
		    "sentry");
	if ((src == HARK_ALERT_SENTRY) != (file != NULL))
		return ctl_usage_error(src == HARK_ALERT_SENTRY ? "a sentry "
		    "hook takes --secret-file: the file holding the client "
		    "secret of Sentry's integration" : "--secret-file is for "
		    "sentry hooks only (hark makes the others' secret)");
	if (strncmp(base, "http://", 7) != 0 && strncmp(base, "https://", 8) != 0)
		return ctl_usage_error("--url is hark's base URL, http(s)://...");
	memset(&h, 0, sizeof(h));
	snprintf(h.project_id, sizeof(h.project_id), "%s", argv[1 + optind]);
	snprintf(h.kind, sizeof(h.kind), "%s", kind);
	if (hark_id_new(HARK_ID_HOOK, h.id, sizeof(h.id)) == -1)
		return CTL_FAIL;
	if (src == HARK_ALERT_SENTRY) {
		if (ctl_read_secret_file(file, "the Sentry client secret",
		    h.secret, sizeof(h.secret)) != CTL_OK)
			return CTL_FAIL;
		h.secret_len = strlen(h.secret);
	} else {
		memcpy(secret, "hk_", 3);
		if (hark_random_chars(HARK_ID_ALPHABET, secret + 3,
		    HOOK_SECRET_CHARS) == -1)
			return CTL_FAIL;
		secret[3 + HOOK_SECRET_CHARS] = '\0';
		if (hark_key_hash(secret, strlen(secret), h.secret_hash) == -1)
			return CTL_FAIL;
		h.has_hash = true;
	}
	if (ctl_open(ctl) != CTL_OK ||
	    ctl_need_project(ctl, h.project_id) != CTL_OK) {
		rc = CTL_FAIL;
		goto out;
	}
	if ((rc = hark_store_hook_create(ctl->db, &h)) != HARK_STORE_OK) {
		rc = ctl_store_error(ctl, "hook create", rc);
		goto out;
	}
	snprintf(detail, sizeof(detail), "%s %s", h.id, kind);
	(void)hark_store_audit(ctl->db, h.project_id, NULL, "hook_create", NULL,
	    detail);
	snprintf(url, sizeof(url), "%s", base);
	while (strlen(url) > 0 && url[strlen(url) - 1] == '/')
		url[strlen(url) - 1] = '\0';
	base = url;
	if (src == HARK_ALERT_SENTRY) {
		printf("%s/v1/hooks/sentry?hook=%s\n", base, h.id);
		fprintf(stderr, "harkctl: hook %s created: give Sentry's "
		    "integration the URL above\n", h.id);
	} else {
		printf("%s\n", secret);
		fprintf(stderr, "harkctl: hook %s created; the secret is shown "
		    "only this once.  URL: %s/v1/hooks/%s, with "
		    "Authorization: Bearer <the secret> (or as HTTP Basic's "
		    "password)\n", h.id, base, kind);
	}
	rc = CTL_OK;
out:
	OPENSSL_cleanse(secret, sizeof(secret));
	OPENSSL_cleanse(h.secret, sizeof(h.secret));
	return rc;
}

static int
hook_row(void *ctx, const struct hark_hook *h)
{
	(void)ctx;
	printf("%-34s %-13s %-26.26s %s\n", h->id, h->kind, h->created_at,
	    h->revoked ? "revoked" : "active");
	return 0;
}

static int
hook_list(struct ctl *ctl, int argc, char **argv)
{
	int	 rc;

	if (argc != 3)
		return ctl_usage_error("hook list takes one PROJECT");
	if (ctl_open(ctl) != CTL_OK || ctl_need_project(ctl, argv[2]) != CTL_OK)
		return CTL_FAIL;
	printf("%-34s %-13s %-26s %s\n", "ID", "KIND", "CREATED (UTC)", "STATE");
	rc = hark_store_hook_list(ctl->db, argv[2], hook_row, NULL);
	return rc == HARK_STORE_OK ? CTL_OK : ctl_store_error(ctl, "hook list",
	    rc);
}

static int
hook_revoke(struct ctl *ctl, int argc, char **argv)
{
	struct hark_hook	 h;
	int			 rc;

	if (argc != 3)
		return ctl_usage_error("hook revoke takes one HOOK_ID");
	if (!hark_id_valid(HARK_ID_HOOK, argv[2]))
		return ctl_usage_error("'%s' is not a hook id (hok_...)",
		    argv[2]);
	if (ctl_open(ctl) != CTL_OK)
		return CTL_FAIL;
	rc = hark_store_hook_get(ctl->db, argv[2], &h);
	OPENSSL_cleanse(h.secret, sizeof(h.secret));
	if (rc == HARK_STORE_OK)
		rc = hark_store_hook_revoke(ctl->db, argv[2]);
	if (rc == HARK_STORE_NOT_FOUND) {
		fprintf(stderr, "harkctl: no live hook %s\n", argv[2]);
		return CTL_FAIL;
	}
	if (rc != HARK_STORE_OK)
		return ctl_store_error(ctl, "hook revoke", rc);
	(void)hark_store_audit(ctl->db, h.project_id, NULL, "hook_revoke", NULL,
	    argv[2]);
	fprintf(stderr, "harkctl: hook %s revoked\n", argv[2]);
	return CTL_OK;
}

int
ctl_cmd_hook(struct ctl *ctl, int argc, char **argv)
{
	if (argc < 2)
		return ctl_usage_error("hook create|list|revoke ...");
	if (strcmp(argv[1], "create") == 0)
		return hook_create(ctl, argc, argv);
	if (strcmp(argv[1], "list") == 0)
		return hook_list(ctl, argc, argv);
	if (strcmp(argv[1], "revoke") == 0)
		return hook_revoke(ctl, argc, argv);
	return ctl_usage_error("unknown hook command '%s'", argv[1]);
}
