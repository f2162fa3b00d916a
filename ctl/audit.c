/* audit.c: harkctl audit: the audit trail, newest first, for a shell. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "timestamp.h"

#include "ctl.h"

#define AUDIT_DEFAULT_LIMIT	50
#define AUDIT_MAX_LIMIT		10000

static int
audit_row(void *ctx, const struct hark_audit_row *r)
{
	(void)ctx;
	/* detail never holds feedback text or keys (its writers see to it). */
	printf("%-26.26s %-34s %-22s %-34s %-15s %s\n", r->created_at,
	    r->project_id ? r->project_id : "-", r->action,
	    r->key_id ? r->key_id : "-", r->remote_addr ? r->remote_addr : "-",
	    r->detail ? r->detail : "");
	return 0;
}

int
ctl_cmd_audit(struct ctl *ctl, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "action", required_argument, NULL, 'a' },
		{ "since", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	struct hark_audit_filter	 f;
	char				 since[HARK_TS_DB_SIZE], *end;
	long				 n;
	int				 ch, rc;

	memset(&f, 0, sizeof(f));
	f.limit = AUDIT_DEFAULT_LIMIT;
	ctl_getopt_reset();
	while ((ch = getopt_long(argc, argv, "a:s:l:", opts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			f.action = optarg;
			break;
		case 's':
			if (hark_ts_from_rfc3339(optarg, since) == -1)
				return ctl_usage_error("--since takes an RFC "
				    "3339 time, such as 2026-12-01T00:00:00Z");
			f.since = since;
			break;
		case 'l':
			n = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || n < 1 ||
			    n > AUDIT_MAX_LIMIT)
				return ctl_usage_error("--limit takes 1 to %d",
				    AUDIT_MAX_LIMIT);
			f.limit = (unsigned)n;
			break;
		default:
			return ctl_usage_error("audit [PROJECT] [--action A] "
			    "[--since TIME] [--limit N]");
		}
	}
	if (optind < argc - 1)
		return ctl_usage_error("audit takes at most one PROJECT");
	if (optind == argc - 1)
		f.project_id = argv[optind];
	if (ctl_open(ctl) != CTL_OK || (f.project_id != NULL &&
	    ctl_need_project(ctl, f.project_id) != CTL_OK))
		return CTL_FAIL;
	printf("%-26s %-34s %-22s %-34s %-15s %s\n", "TIME (UTC)", "PROJECT",
	    "ACTION", "KEY", "ADDRESS", "DETAIL");
	rc = hark_store_audit_list(ctl->db, &f, audit_row, NULL);
	return rc == HARK_STORE_OK ? CTL_OK : ctl_store_error(ctl, "audit", rc);
}
