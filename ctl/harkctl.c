/*
 * harkctl.c: hark's admin CLI.  `harkctl [-c CONFIG] COMMAND ...`: each
 * command is one row of ctl_cmds and one cmd_* function, which parses its own
 * options and returns the exit status (0 done, 1 failed, 2 bad usage).
 */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "migrate.h"
#include "store.h"

#include "ctl.h"

static int	cmd_migrate(struct ctl *, int, char **);
static int	cmd_version(struct ctl *, int, char **);
static int	cmd_help(struct ctl *, int, char **);

static const struct ctl_cmd ctl_cmds[] = {
	{ "migrate", "[--schema-dir DIR]",
	    "apply pending schema migrations", cmd_migrate },
	{ "project", "create NAME | list | rate-limit PROJECT N | "
	    "retention PROJECT DAYS",
	    "manage projects (N per minute, 0 = default; DAYS 0 = forever)",
	    ctl_cmd_project },
	{ "key", "create PROJECT [--name N] | list PROJECT | revoke KEY_ID",
	    "manage secret API keys", ctl_cmd_key },
	{ "origin", "add|remove PROJECT PATTERN | list PROJECT",
	    "manage a project's allowed browser origins", ctl_cmd_origin },
	{ "source", "create PROJECT --name NAME [--type widget|server] "
	    "[--origin PATTERN]... [--captcha hcaptcha|turnstile "
	    "--captcha-sitekey K --captcha-secret-file F | --no-captcha] "
	    "[--rate-limit N] [--dedup-window SECONDS] | list PROJECT | "
	    "show SOURCE_ID | update SOURCE_ID [create's options] "
	    "[--add-origin P]... [--remove-origin P]... [--no-origins] | "
	    "disable|enable|delete SOURCE_ID",
	    "manage widget and server sources (create prints the public key "
	    "pk_...)", ctl_cmd_source },
	{ "secret", "init [--rotate]",
	    "make the widget-token secret file ([widget] token_secret_file)",
	    ctl_cmd_secret },
	{ "audit", "[PROJECT] [--action A] [--since TIME] [--limit N]",
	    "print the audit trail, newest first (50 rows unless --limit)",
	    ctl_cmd_audit },
	{ "hook", "create PROJECT --kind alertmanager|grafana|sentry "
	    "[--secret-file F] [--url BASE] | list PROJECT | revoke HOOK_ID",
	    "manage inbound alert webhooks (create prints the hk_ secret, or "
	    "Sentry's URL)", ctl_cmd_hook },
	{ "doctor", "[--url URL]",
	    "check that this installation can take feedback: config, "
	    "database, schema, directories, libmagic, the web server at URL "
	    "(http://127.0.0.1), a test submission, hark-batch", ctl_cmd_doctor },
	{ "version", "", "print the version", cmd_version },
	{ "help", "", "print this help", cmd_help },
};

#define NCMDS	(sizeof(ctl_cmds) / sizeof(ctl_cmds[0]))

#define USAGE_WIDTH	78

/* Prints text from column 2, wrapped at spaces, continued from column 6. */
static void
usage_wrap(FILE *f, const char *text)
{
	size_t	 col = 2, w;

	fputs("  ", f);
	while (*text != '\0') {
		w = strcspn(text, " ");
		if (col > 6 && col + 1 + w > USAGE_WIDTH) {
			fputs("\n      ", f);
			col = 6;
		} else if (col > 2) {
			fputc(' ', f);
			col++;
		}
		fprintf(f, "%.*s", (int)w, text);
		col += w;
		text += w;
		text += strspn(text, " ");
	}
	fputc('\n', f);
}

void
ctl_usage(FILE *f)
{
	char	 left[1024];
	size_t	 i;

	fprintf(f, "usage: harkctl [-v] [-c CONFIG] COMMAND [ARGS]\n\n"
	    "commands:\n");
	for (i = 0; i < NCMDS; i++) {
		snprintf(left, sizeof(left), "%s %s", ctl_cmds[i].name,
		    ctl_cmds[i].synopsis);
		usage_wrap(f, left);
		fprintf(f, "      %s\n", ctl_cmds[i].summary);
	}
	fprintf(f, "\nCONFIG defaults to $HARK_CONFIG, else %s.\n",
	    SYSCONFDIR "/hark/hark.conf");
}

static const struct ctl_cmd *
ctl_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < NCMDS; i++)
		if (strcmp(ctl_cmds[i].name, name) == 0)
			return &ctl_cmds[i];
	return NULL;
}

/* Prepares getopt for a command's own argv (argv[0] is the command). */
void
ctl_getopt_reset(void)
{
#ifdef __GLIBC__
	optind = 0;
#else
	optind = 1;
#endif
}

/* Says what was wrong, then how to call harkctl; the exit status is 2. */
int
ctl_usage_error(const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "harkctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	ctl_usage(stderr);
	return CTL_USAGE;
}

/*
 * Loads the configuration and makes the (not yet connected) db handle.
 * Commands call it after parsing their arguments, so bad usage is reported
 * (status 2) before a missing config file (status 1).
 */
int
ctl_open(struct ctl *ctl)
{
	struct hark_conf_err	 err;
	const char		*path;

	path = ctl->config_path ? ctl->config_path : hark_conf_default_path();
	memset(&err, 0, sizeof(err));
	if (hark_conf_load(path, &ctl->conf, &err) == -1) {
		fprintf(stderr, "harkctl: %s\n", err.msg[0] ? err.msg : path);
		return CTL_FAIL;
	}
	ctl->conf_loaded = 1;
	/*
	 * A migration may rebuild a big table (002_search.sql's FULLTEXT
	 * index) and waits up to 30 s for the migration lock: the service's
	 * statement and read limits would cut it off midway.
	 */
	if (ctl->long_statements)
		ctl->conf.db_statement_timeout = ctl->conf.db_read_timeout =
		    ctl->conf.db_write_timeout = 3600;
	if (hark_store_library_init() == -1) {
		fprintf(stderr, "harkctl: cannot initialise the MariaDB "
		    "client library\n");
		return CTL_FAIL;
	}
	if ((ctl->db = hark_store_open(&ctl->conf)) == NULL) {
		fprintf(stderr, "harkctl: out of memory\n");
		return CTL_FAIL;
	}
	return CTL_OK;
}

static void
ctl_close(struct ctl *ctl)
{
	if (ctl->db != NULL) {
		hark_store_close(ctl->db);
		hark_store_library_end();
	}
	if (ctl->conf_loaded)
		hark_conf_free(&ctl->conf);
}

const char *
ctl_schema_dir(void)
{
	const char	*env = getenv("HARK_SCHEMA_DIR");

	return env != NULL && env[0] != '\0' ? env : PKGDATADIR "/schema";
}

static int
cmd_migrate(struct ctl *ctl, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "schema-dir", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	const char			*dir = ctl_schema_dir();
	char				 err[1024];
	int				 ch, applied, version;

	ctl_getopt_reset();
	while ((ch = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (ch != 's') {
			ctl_usage(stderr);
			return CTL_USAGE;
		}
		dir = optarg;
	}
	if (optind != argc)
		return ctl_usage_error("migrate: unexpected argument '%s'",
		    argv[optind]);
	ctl->long_statements = 1;
	if (ctl_open(ctl) != CTL_OK)
		return CTL_FAIL;
	if (hark_migrate_apply(ctl->db, dir, &applied, err, sizeof(err)) ==
	    -1) {
		fprintf(stderr, "harkctl: migrate: %s\n", err);
		return CTL_FAIL;
	}
	if (hark_migrate_current(ctl->db, &version) != HARK_STORE_OK) {
		fprintf(stderr, "harkctl: migrate: reading the schema "
		    "version: %s\n", hark_store_errmsg(ctl->db));
		return CTL_FAIL;
	}
	if (applied > 0)
		printf("applied %d migration(s), schema version %d\n", applied,
		    version);
	else
		printf("schema is up to date (version %d)\n", version);
	return CTL_OK;
}

static int
cmd_version(struct ctl *ctl, int argc, char **argv)
{
	if (argc > 1)
		return ctl_usage_error("version: unexpected argument '%s'",
		    argv[1]);
	printf("harkctl (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
	return CTL_OK;
}

static int
cmd_help(struct ctl *ctl, int argc, char **argv)
{
	ctl_usage(stdout);
	return CTL_OK;
}

int
main(int argc, char **argv)
{
	struct ctl		 ctl;
	const struct ctl_cmd	*cmd;
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int			 ch, rc;

	memset(&ctl, 0, sizeof(ctl));
	while ((ch = getopt_long(argc, argv, "+c:hv", opts, NULL)) != -1) {
		switch (ch) {
		case 'V':
			printf("harkctl (%s) %s\n", PACKAGE_NAME,
			    PACKAGE_VERSION);
			return CTL_OK;
		case 'c':
			ctl.config_path = optarg;
			break;
		case 'h':
			ctl_usage(stdout);
			return CTL_OK;
		case 'v':
			ctl.verbose = 1;
			break;
		default:
			ctl_usage(stderr);
			return CTL_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		fprintf(stderr, "harkctl: no command given\n");
		ctl_usage(stderr);
		return CTL_USAGE;
	}
	if ((cmd = ctl_find(argv[0])) == NULL)
		return ctl_usage_error("unknown command '%s'", argv[0]);
	hark_log_open("harkctl", NULL, ctl.verbose ? HARK_LOG_INFO :
	    HARK_LOG_WARN);
	rc = cmd->run(&ctl, argc, argv);
	ctl_close(&ctl);
	hark_log_close();
	return rc;
}
