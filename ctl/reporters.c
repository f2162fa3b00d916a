/*
 * reporters.c: harkctl's reporter commands, GDPR Articles 15 and 17 for
 * one submitter of a project, named by --email or --user-id:
 *   erase   deletes every row of theirs and their media files (lib/reporter.c,
 *           as POST /v1/reporters/erase) and prints what was deleted, as
 *           that endpoint answers it;
 *   export  writes everything of theirs as JSON Lines, to stdout or to a
 *           new file (--output, made 0600: it holds personal data).
 * Both are audit-logged with the reporter's hash, never the address.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ctl.h"
#include "reporter.h"
#include "store.h"

#define ERASE_USAGE	"reporter erase PROJECT --email E | --user-id U"
#define EXPORT_USAGE	"reporter export PROJECT --email E | --user-id U " \
			"[--output FILE]"

struct reporter_opts {
	const char	*project;
	const char	*email, *user_id, *output;
	struct hark_reporter_id	 id;
};

static int
parse_opts(int argc, char **argv, bool export, struct reporter_opts *o)
{
	static const struct option	 opts[] = {
		{ "email", required_argument, NULL, 'e' },
		{ "user-id", required_argument, NULL, 'u' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	const char			*usage = export ? EXPORT_USAGE : ERASE_USAGE;
	enum hark_reporter_check	 chk;
	int				 ch;

	memset(o, 0, sizeof(*o));
	ctl_getopt_reset();
	opterr = 0;
	while ((ch = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'e':
			if (o->email != NULL)
				return ctl_usage_error("--email is given once");
			o->email = optarg;
			break;
		case 'u':
			if (o->user_id != NULL)
				return ctl_usage_error("--user-id is given once");
			o->user_id = optarg;
			break;
		case 'o':
			if (!export)
				return ctl_usage_error("usage: %s", usage);
			o->output = optarg;
			break;
		default:
			return ctl_usage_error("usage: %s", usage);
		}
	}
	if (argc - 1 - optind != 1)
		return ctl_usage_error("usage: %s", usage);
	o->project = argv[1 + optind];
	chk = hark_reporter_make(&o->id, o->email,
	    o->email ? strlen(o->email) : 0, o->user_id,
	    o->user_id ? strlen(o->user_id) : 0);
	if (chk == HARK_REPORTER_NEITHER || chk == HARK_REPORTER_BOTH)
		return ctl_usage_error("give exactly one of --email and --user-id");
	if (chk == HARK_REPORTER_BAD_EMAIL)
		return ctl_usage_error("--email '%s' is not an email address",
		    o->email);
	if (chk != HARK_REPORTER_OK)
		return ctl_usage_error("--user-id %s", hark_reporter_check_message(chk));
	return CTL_OK;
}

static int
reporter_erase(struct ctl *ctl, int argc, char **argv)
{
	struct reporter_opts		 o;
	struct hark_reporter_counts	 counts;
	struct json_object		*out, *n;
	unsigned long long		 files;
	int				 rc;

	if ((rc = parse_opts(argc, argv, false, &o)) != CTL_OK)
		return rc;
	if (ctl_open(ctl) != CTL_OK || ctl_need_project(ctl, o.project) != CTL_OK)
		return CTL_FAIL;
	rc = hark_reporter_erase(ctl->db, ctl->conf.media_dir, o.project, &o.id,
	    NULL, NULL, &counts, &files);
	if (rc != HARK_STORE_OK) {
		fprintf(stderr, "harkctl: reporter erase stopped after %llu items "
		    "(run it again to finish)\n", counts.feedback);
		return ctl_store_error(ctl, "reporter erase", rc);
	}
	if ((out = json_object_new_object()) == NULL ||
	    (n = hark_reporter_counts_json(&counts, files)) == NULL) {
		json_object_put(out);
		fprintf(stderr, "harkctl: out of memory\n");
		return CTL_FAIL;
	}
	json_object_object_add(out, "erased", n);
	printf("%s\n", json_object_to_json_string_ext(out,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(out);
	return CTL_OK;
}

static int
reporter_export(struct ctl *ctl, int argc, char **argv)
{
	struct reporter_opts	 o;
	unsigned long long	 lines = 0;
	FILE			*f = stdout;
	int			 rc, fd;

	if ((rc = parse_opts(argc, argv, true, &o)) != CTL_OK)
		return rc;
	if (ctl_open(ctl) != CTL_OK || ctl_need_project(ctl, o.project) != CTL_OK)
		return CTL_FAIL;
	if (o.output != NULL) {
		/* A new file only: an export never overwrites what is there. */
		if ((fd = open(o.output, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0600)) == -1 || (f = fdopen(fd, "w")) == NULL) {
			fprintf(stderr, "harkctl: %s: %s\n", o.output,
			    strerror(errno));
			if (fd != -1) {
				close(fd);
				unlink(o.output);
			}
			return CTL_FAIL;
		}
	}
	rc = hark_reporter_export(ctl->db, o.project, &o.id, f, &lines);
	if (rc == HARK_STORE_ERROR && errno != 0 && f != stdout)
		fprintf(stderr, "harkctl: %s: %s\n", o.output, strerror(errno));
	if (f != stdout && fclose(f) == EOF && rc == HARK_STORE_OK) {
		fprintf(stderr, "harkctl: %s: %s\n", o.output, strerror(errno));
		rc = HARK_STORE_ERROR;
	}
	if (rc != HARK_STORE_OK) {
		if (o.output != NULL)
			unlink(o.output);	/* half an export is no export */
		return ctl_store_error(ctl, "reporter export", rc);
	}
	if (o.output != NULL)
		fprintf(stderr, "harkctl: %llu lines written to %s\n", lines,
		    o.output);
	return CTL_OK;
}

int
ctl_cmd_reporter(struct ctl *ctl, int argc, char **argv)
{
	if (argc < 2)
		return ctl_usage_error("reporter needs erase or export");
	if (strcmp(argv[1], "erase") == 0)
		return reporter_erase(ctl, argc, argv);
	if (strcmp(argv[1], "export") == 0)
		return reporter_export(ctl, argc, argv);
	return ctl_usage_error("unknown reporter command '%s'", argv[1]);
}
