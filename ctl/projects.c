/*
 * projects.c: harkctl's project, key and origin commands (sources are
 * ctl/sources.c).
 *
 * A secret key is printed once, alone on stdout so scripts can capture it;
 * only its SHA-256 and a short display prefix are stored.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cors.h"
#include "ctl.h"
#include "ids.h"
#include "keys.h"
#include "store.h"

#define NAME_MAX_BYTES	200

/* Reports a store failure in words; always CTL_FAIL. */
int
ctl_store_error(struct ctl *ctl, const char *what, int rc)
{
	if (rc == HARK_STORE_UNAVAILABLE)
		fprintf(stderr, "harkctl: %s: the database is unavailable: %s\n",
		    what, hark_store_errmsg(ctl->db));
	else
		fprintf(stderr, "harkctl: %s: %s\n", what,
		    hark_store_errmsg(ctl->db));
	return CTL_FAIL;
}

/* The project must exist; CTL_OK or CTL_FAIL with a message. */
int
ctl_need_project(struct ctl *ctl, const char *id)
{
	int	 rc;

	if (!hark_id_valid(HARK_ID_PROJECT, id)) {
		fprintf(stderr, "harkctl: '%s' is not a project id (prj_...)\n",
		    id);
		return CTL_FAIL;
	}
	rc = hark_store_project_exists(ctl->db, id);
	if (rc == HARK_STORE_NOTFOUND) {
		fprintf(stderr, "harkctl: no such project: %s\n", id);
		return CTL_FAIL;
	}
	return rc == HARK_STORE_OK ? CTL_OK : ctl_store_error(ctl, id, rc);
}

static int
project_create(struct ctl *ctl, int argc, char **argv)
{
	char	 id[HARK_ID_SIZE];
	size_t	 len;
	int	 rc;

	if (argc != 3)
		return ctl_usage_error("project create takes one NAME");
	len = strlen(argv[2]);
	if (len == 0 || len > NAME_MAX_BYTES)
		return ctl_usage_error("a project name is 1 to %d bytes",
		    NAME_MAX_BYTES);
	if (ctl_open(ctl) != CTL_OK)
		return CTL_FAIL;
	if (hark_id_new(HARK_ID_PROJECT, id, sizeof(id)) == -1) {
		fprintf(stderr, "harkctl: no randomness for an id\n");
		return CTL_FAIL;
	}
	if ((rc = hark_store_project_create(ctl->db, id, argv[2])) != HARK_STORE_OK)
		return ctl_store_error(ctl, "project create", rc);
	printf("%s\n", id);
	return CTL_OK;
}

static int
project_row(void *ctx, const char *id, const char *name,
    const char *created_at, long long nkeys)
{
	printf("%-34s %-19.19s %5lld  %s\n", id, created_at, nkeys, name);
	return 0;
}

static int
project_list(struct ctl *ctl, int argc, char **argv)
{
	int	 rc;

	if (argc != 2)
		return ctl_usage_error("project list takes no arguments");
	if (ctl_open(ctl) != CTL_OK)
		return CTL_FAIL;
	printf("%-34s %-19s %5s  %s\n", "ID", "CREATED (UTC)", "KEYS", "NAME");
	rc = hark_store_project_list(ctl->db, project_row, NULL);
	return rc == HARK_STORE_OK ? CTL_OK : ctl_store_error(ctl, "project list", rc);
}

static int
project_rate_limit(struct ctl *ctl, int argc, char **argv)
{
	char	*end;
	long	 n;
	int	 rc;

	if (argc != 4)
		return ctl_usage_error("project rate-limit takes PROJECT N");
	n = strtol(argv[3], &end, 10);
	if (*argv[3] == '\0' || *end != '\0' || n < 0 || n > 1000000)
		return ctl_usage_error("N is requests per minute, 0 to 1000000 "
		    "(0 = the configured default)");
	if (ctl_open(ctl) != CTL_OK || ctl_need_project(ctl, argv[2]) != CTL_OK)
		return CTL_FAIL;
	rc = hark_store_project_set_rate_limit(ctl->db, argv[2], (unsigned)n);
	if (rc != HARK_STORE_OK)
		return ctl_store_error(ctl, "rate-limit", rc);
	if (n == 0)
		printf("%s: rate limit is the configured default\n", argv[2]);
	else
		printf("%s: rate limit %ld requests per minute\n", argv[2], n);
	return CTL_OK;
}

/* Feedback older than DAYS is erased by hark-batch; 0 keeps it forever. */
static int
project_retention(struct ctl *ctl, int argc, char **argv)
{
	char	*end;
	long	 n;
	int	 rc;

	if (argc != 4)
		return ctl_usage_error("project retention takes PROJECT DAYS");
	n = strtol(argv[3], &end, 10);
	if (*argv[3] == '\0' || *end != '\0' || n < 0 || n > 36500)
		return ctl_usage_error("DAYS is 1 to 36500, or 0 to keep "
		    "feedback forever");
	if (ctl_open(ctl) != CTL_OK || ctl_need_project(ctl, argv[2]) != CTL_OK)
		return CTL_FAIL;
	rc = hark_store_project_set_retention(ctl->db, argv[2], (unsigned)n);
	if (rc != HARK_STORE_OK)
		return ctl_store_error(ctl, "retention", rc);
	if (n == 0)
		printf("%s: feedback is kept forever\n", argv[2]);
	else
		printf("%s: feedback older than %ld days is erased by "
		    "hark-batch\n", argv[2], n);
	return CTL_OK;
}

int
ctl_cmd_project(struct ctl *ctl, int argc, char **argv)
{
	if (argc < 2)
		return ctl_usage_error("project needs create, list, rate-limit "
		    "or retention");
	if (strcmp(argv[1], "retention") == 0)
		return project_retention(ctl, argc, argv);
	if (strcmp(argv[1], "create") == 0)
		return project_create(ctl, argc, argv);
	if (strcmp(argv[1], "list") == 0)
		return project_list(ctl, argc, argv);
	if (strcmp(argv[1], "rate-limit") == 0)
		return project_rate_limit(ctl, argc, argv);
	return ctl_usage_error("unknown project command '%s'", argv[1]);
}

static int
key_create(struct ctl *ctl, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	char				 id[HARK_ID_SIZE], key[HARK_KEY_SIZE];
	char				 prefix[HARK_KEY_DISPLAY_LEN + 1];
	unsigned char			 hash[HARK_KEY_HASH_LEN];
	const char			*name = "", *project;
	int				 ch, rc;

	/* argv[1] is "create"; options may come before or after PROJECT. */
	ctl_getopt_reset();
	while ((ch = getopt_long(argc - 1, argv + 1, "n:", opts, NULL)) != -1) {
		if (ch != 'n')
			return ctl_usage_error("key create PROJECT [--name N]");
		name = optarg;
	}
	if (optind != argc - 2)
		return ctl_usage_error("key create takes one PROJECT");
	project = argv[1 + optind];
	if (strlen(name) > NAME_MAX_BYTES)
		return ctl_usage_error("a key name is at most %d bytes",
		    NAME_MAX_BYTES);
	if (ctl_open(ctl) != CTL_OK || ctl_need_project(ctl, project) != CTL_OK)
		return CTL_FAIL;
	if (hark_id_new(HARK_ID_KEY, id, sizeof(id)) == -1 ||
	    hark_key_new_secret(key, sizeof(key)) == -1 ||
	    hark_key_hash(key, strlen(key), hash) == -1) {
		fprintf(stderr, "harkctl: cannot make a key\n");
		return CTL_FAIL;
	}
	hark_key_display_prefix(key, prefix, sizeof(prefix));
	rc = hark_store_key_create(ctl->db, id, project, name, prefix, hash);
	if (rc != HARK_STORE_OK) {
		explicit_bzero(key, sizeof(key));
		return ctl_store_error(ctl, "key create", rc);
	}
	printf("%s\n", key);
	fprintf(stderr, "harkctl: key %s created; it is shown only this once\n",
	    id);
	explicit_bzero(key, sizeof(key));
	return CTL_OK;
}

static int
key_row(void *ctx, const char *id, const char *name, const char *prefix,
    const char *created_at, const char *last_used_at, const char *revoked_at)
{
	printf("%-34s %-10s %-19.19s %-19.19s %-8s %s\n", id, prefix,
	    created_at, last_used_at ? last_used_at : "never",
	    revoked_at ? "revoked" : "active", name);
	return 0;
}

static int
key_list(struct ctl *ctl, int argc, char **argv)
{
	int	 rc;

	if (argc != 3)
		return ctl_usage_error("key list takes one PROJECT");
	if (ctl_open(ctl) != CTL_OK || ctl_need_project(ctl, argv[2]) != CTL_OK)
		return CTL_FAIL;
	printf("%-34s %-10s %-19s %-19s %-8s %s\n", "ID", "PREFIX",
	    "CREATED (UTC)", "LAST USED (UTC)", "STATE", "NAME");
	rc = hark_store_key_list(ctl->db, argv[2], key_row, NULL);
	return rc == HARK_STORE_OK ? CTL_OK : ctl_store_error(ctl, "key list", rc);
}

static int
key_revoke(struct ctl *ctl, int argc, char **argv)
{
	int	 rc;

	if (argc != 3)
		return ctl_usage_error("key revoke takes one KEY_ID");
	if (!hark_id_valid(HARK_ID_KEY, argv[2])) {
		fprintf(stderr, "harkctl: '%s' is not a key id (key_...)\n",
		    argv[2]);
		return CTL_FAIL;
	}
	if (ctl_open(ctl) != CTL_OK)
		return CTL_FAIL;
	rc = hark_store_key_revoke(ctl->db, argv[2]);
	if (rc == HARK_STORE_NOTFOUND) {
		fprintf(stderr, "harkctl: no active key %s\n", argv[2]);
		return CTL_FAIL;
	}
	if (rc != HARK_STORE_OK)
		return ctl_store_error(ctl, "key revoke", rc);
	printf("revoked %s\n", argv[2]);
	return CTL_OK;
}

int
ctl_cmd_key(struct ctl *ctl, int argc, char **argv)
{
	if (argc < 2)
		return ctl_usage_error("key needs create, list or revoke");
	if (strcmp(argv[1], "create") == 0)
		return key_create(ctl, argc, argv);
	if (strcmp(argv[1], "list") == 0)
		return key_list(ctl, argc, argv);
	if (strcmp(argv[1], "revoke") == 0)
		return key_revoke(ctl, argc, argv);
	return ctl_usage_error("unknown key command '%s'", argv[1]);
}

static int
origin_row(void *ctx, const char *pattern)
{
	printf("%s\n", pattern);
	return 0;
}

int
ctl_cmd_origin(struct ctl *ctl, int argc, char **argv)
{
	int	 add, rc;

	if (argc == 3 && strcmp(argv[1], "list") == 0) {
		if (ctl_open(ctl) != CTL_OK || ctl_need_project(ctl, argv[2]) != CTL_OK)
			return CTL_FAIL;
		rc = hark_store_origin_list(ctl->db, argv[2], origin_row, NULL);
		return rc == HARK_STORE_OK ? CTL_OK : ctl_store_error(ctl, "origin", rc);
	}
	if (argc != 4 || (strcmp(argv[1], "add") != 0 &&
	    strcmp(argv[1], "remove") != 0))
		return ctl_usage_error("origin add|remove PROJECT PATTERN, or "
		    "origin list PROJECT");
	add = strcmp(argv[1], "add") == 0;
	if (add && !hark_cors_pattern_valid(argv[3]))
		return ctl_usage_error("'%s' is not an origin pattern "
		    "(https://app.example.com, *.example.com or *)", argv[3]);
	if (ctl_open(ctl) != CTL_OK || ctl_need_project(ctl, argv[2]) != CTL_OK)
		return CTL_FAIL;
	rc = add ? hark_store_origin_add(ctl->db, argv[2], argv[3]) :
	    hark_store_origin_remove(ctl->db, argv[2], argv[3]);
	if (rc == HARK_STORE_NOTFOUND) {
		fprintf(stderr, "harkctl: %s has no origin %s\n", argv[2],
		    argv[3]);
		return CTL_FAIL;
	}
	if (rc == HARK_STORE_DUPLICATE) {
		fprintf(stderr, "harkctl: %s already allows %s\n", argv[2],
		    argv[3]);
		return CTL_FAIL;
	}
	if (rc != HARK_STORE_OK)
		return ctl_store_error(ctl, "origin", rc);
	printf("%s: %s origin %s\n", argv[2], add ? "added" : "removed",
	    argv[3]);
	return CTL_OK;
}
