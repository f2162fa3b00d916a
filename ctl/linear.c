/*
 * linear.c: harkctl's linear commands: a project linked to a Linear team
 * (set), shown (show) and unlinked (unset); each change is audit-logged
 * (lib/store_linear.c).
 *
 * The API key stays in its file: harkctl stores the file's absolute path
 * and hark-batch reads it for each job, so a rotated key is the file
 * rewritten.  set checks that the file exists and, when harkctl may read
 * it, that it holds a key; hark-batch's user may be the only one who can.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf.h"
#include "ctl.h"
#include "linear.h"
#include "store.h"

#define SET_USAGE "linear set PROJECT --team-id ID --key-file PATH " \
	"[--on created|triaged]"

/* A team id: 1-64 printable ASCII characters without spaces (a UUID). */
static int
team_id_valid(const char *s)
{
	size_t	 i, len = strlen(s);

	if (len == 0 || len > HARK_STORE_LINEAR_TEAM_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return 0;
	return 1;
}

/*
 * The key file as an absolute path into out; CTL_OK, or CTL_FAIL said.
 * Its content is never printed.
 */
static int
check_key_file(const char *path, char out[PATH_MAX])
{
	struct stat	 st;
	char		 hdr[1100];
	char		*key;

	if (realpath(path, out) == NULL) {
		fprintf(stderr, "harkctl: the key file %s: %s\n", path,
		    strerror(errno));
		return CTL_FAIL;
	}
	if (strlen(out) > HARK_STORE_LINEAR_KEY_FILE_MAX) {
		fprintf(stderr, "harkctl: the key file's path is over %d "
		    "bytes\n", HARK_STORE_LINEAR_KEY_FILE_MAX);
		return CTL_FAIL;
	}
	if (stat(out, &st) == -1 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "harkctl: the key file %s is not a regular "
		    "file\n", out);
		return CTL_FAIL;
	}
	if ((key = hark_conf_read_secret(out)) == NULL) {
		if (errno != EACCES) {
			fprintf(stderr, "harkctl: cannot read the key file %s: "
			    "%s\n", out, errno == EFBIG ? "larger than 64K" :
			    errno == EINVAL ? "holds a NUL byte" :
			    strerror(errno));
			return CTL_FAIL;
		}
		fprintf(stderr, "harkctl: warning: cannot read %s myself; "
		    "hark-batch's user must be able to\n", out);
		return CTL_OK;
	}
	if (hark_linear_auth_header(key, hdr, sizeof(hdr)) == -1) {
		explicit_bzero(key, strlen(key));
		free(key);
		fprintf(stderr, "harkctl: the key file %s must hold the API key "
		    "alone, on one line of printable characters\n", out);
		return CTL_FAIL;
	}
	explicit_bzero(hdr, sizeof(hdr));
	explicit_bzero(key, strlen(key));
	free(key);
	if ((st.st_mode & S_IROTH) != 0)
		fprintf(stderr, "harkctl: warning: everyone may read the key "
		    "file %s (chmod o-r)\n", out);
	return CTL_OK;
}

static int
linear_set(struct ctl *ctl, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "team-id", required_argument, NULL, 't' },
		{ "key-file", required_argument, NULL, 'k' },
		{ "on", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	struct hark_linear_link		 l, old;
	const char			*team = NULL, *file = NULL, *on = NULL;
	char				 abs[PATH_MAX];
	int				 ch, rc;

	ctl_getopt_reset();
	opterr = 0;
	while ((ch = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		switch (ch) {
		case 't':
			if (!team_id_valid(optarg))
				return ctl_usage_error("--team-id is 1 to %d "
				    "printable characters without spaces (the "
				    "team's id, a UUID)",
				    HARK_STORE_LINEAR_TEAM_MAX);
			team = optarg;
			break;
		case 'k':
			if (optarg[0] == '\0')
				return ctl_usage_error("--key-file needs a file "
				    "name");
			file = optarg;
			break;
		case 'o':
			if (strcmp(optarg, "created") != 0 &&
			    strcmp(optarg, "triaged") != 0)
				return ctl_usage_error("--on is created or "
				    "triaged, not '%s'", optarg);
			on = optarg;
			break;
		default:
			return ctl_usage_error("linear set: an unknown option, "
			    "or one without its value; %s", SET_USAGE);
		}
	}
	if (optind != argc - 2)
		return ctl_usage_error("%s", SET_USAGE);
	if (team == NULL || file == NULL)
		return ctl_usage_error("linear set needs --team-id and "
		    "--key-file; %s", SET_USAGE);
	if (check_key_file(file, abs) != CTL_OK)
		return CTL_FAIL;
	memset(&l, 0, sizeof(l));
	snprintf(l.project_id, sizeof(l.project_id), "%s", argv[1 + optind]);
	snprintf(l.team_id, sizeof(l.team_id), "%s", team);
	snprintf(l.key_file, sizeof(l.key_file), "%s", abs);
	if (ctl_open(ctl) != CTL_OK || ctl_need_project(ctl, l.project_id) !=
	    CTL_OK)
		return CTL_FAIL;
	/* A link changed without --on keeps its trigger. */
	rc = hark_store_linear_get(ctl->db, l.project_id, &old);
	if (rc != HARK_STORE_OK && rc != HARK_STORE_NOT_FOUND)
		return ctl_store_error(ctl, "linear set", rc);
	snprintf(l.trigger_on, sizeof(l.trigger_on), "%s", on != NULL ? on :
	    rc == HARK_STORE_OK ? old.trigger_on : "created");
	if ((rc = hark_store_linear_set(ctl->db, &l)) != HARK_STORE_OK)
		return ctl_store_error(ctl, "linear set", rc);
	printf("%s: linked to Linear team %s, an issue when feedback is %s\n",
	    l.project_id, l.team_id, l.trigger_on);
	return CTL_OK;
}

static int
linear_show(struct ctl *ctl, int argc, char **argv)
{
	struct hark_linear_link	 l;
	int			 rc;

	if (argc != 3)
		return ctl_usage_error("linear show takes one PROJECT");
	if (ctl_open(ctl) != CTL_OK || ctl_need_project(ctl, argv[2]) != CTL_OK)
		return CTL_FAIL;
	rc = hark_store_linear_get(ctl->db, argv[2], &l);
	if (rc == HARK_STORE_NOT_FOUND) {
		fprintf(stderr, "harkctl: %s is not linked to Linear\n",
		    argv[2]);
		return CTL_FAIL;
	}
	if (rc != HARK_STORE_OK)
		return ctl_store_error(ctl, "linear show", rc);
	printf("project:  %s\n", l.project_id);
	printf("team id:  %s\n", l.team_id);
	printf("key file: %s\n", l.key_file);
	printf("on:       %s\n", l.trigger_on);
	printf("created:  %.19s UTC\n", l.created_at);
	printf("updated:  %.19s UTC\n", l.updated_at);
	return CTL_OK;
}

static int
linear_unset(struct ctl *ctl, int argc, char **argv)
{
	int	 rc;

	if (argc != 3)
		return ctl_usage_error("linear unset takes one PROJECT");
	if (ctl_open(ctl) != CTL_OK || ctl_need_project(ctl, argv[2]) != CTL_OK)
		return CTL_FAIL;
	rc = hark_store_linear_unset(ctl->db, argv[2]);
	if (rc == HARK_STORE_NOT_FOUND) {
		fprintf(stderr, "harkctl: %s is not linked to Linear\n",
		    argv[2]);
		return CTL_FAIL;
	}
	if (rc != HARK_STORE_OK)
		return ctl_store_error(ctl, "linear unset", rc);
	printf("%s: unlinked from Linear (issues made stay in Linear)\n",
	    argv[2]);
	return CTL_OK;
}

int
ctl_cmd_linear(struct ctl *ctl, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "set") == 0)
		return linear_set(ctl, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "show") == 0)
		return linear_show(ctl, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "unset") == 0)
		return linear_unset(ctl, argc, argv);
	return ctl_usage_error("%s | linear show PROJECT | linear unset PROJECT",
	    SET_USAGE);
}
