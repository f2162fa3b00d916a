/*
 * sources.c: harkctl's source commands: widget and server sources made,
 * listed, shown, changed, disabled, enabled and deleted.
 *
 * A source's public key (pk_...) is printed once, alone on stdout, by
 * create; only its SHA-256 is stored.  Its captcha secret is read from a
 * file (never an argument, which ps and shell histories show) and is never
 * printed: show says "set" or "not set".
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cors.h"
#include "ctl.h"
#include "ids.h"
#include "keys.h"
#include "store.h"

#define RATE_LIMIT_MAX		1000000		/* per minute, as project rate-limit */
#define DEDUP_WINDOW_MAX	2592000		/* 30 days */
#define SECRET_FILE_READ	4096		/* more than any provider's secret */

#define CREATE_USAGE "source create PROJECT --name NAME [--type widget|server] " \
	"[--origin PATTERN]... [--captcha hcaptcha|turnstile --captcha-sitekey K " \
	"--captcha-secret-file F | --no-captcha] [--rate-limit N] " \
	"[--dedup-window SECONDS]"
#define UPDATE_USAGE "source update SOURCE_ID [--name NAME] " \
	"[--type widget|server] [--origin PATTERN]... [--add-origin PATTERN]... " \
	"[--remove-origin PATTERN]... [--no-origins] [--captcha hcaptcha|turnstile] " \
	"[--captcha-sitekey K] [--captcha-secret-file F] [--no-captcha] " \
	"[--rate-limit N] [--dedup-window SECONDS]"

/* What the options of create and update said; NULL / -1 = not given. */
struct source_opts {
	const char	*name;
	const char	*type;
	char		 origins[HARK_SOURCE_ORIGINS_MAX][HARK_CORS_PATTERN_SIZE];
	size_t		 norigins;		/* --origin */
	char		 add[HARK_SOURCE_ORIGINS_MAX][HARK_CORS_PATTERN_SIZE];
	size_t		 nadd;			/* --add-origin */
	char		 remove[HARK_SOURCE_ORIGINS_MAX][HARK_CORS_PATTERN_SIZE];
	size_t		 nremove;		/* --remove-origin */
	bool		 no_origins;
	bool		 captcha_given;
	enum hark_captcha_provider captcha;
	const char	*sitekey;
	const char	*secret_file;
	bool		 no_captcha;
	long		 rate_limit;
	long		 dedup_window;
};

/* A non-negative decimal of at most max; -1 when it is not one. */
static long
parse_count(const char *s, long max)
{
	char	*end;
	long	 v;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	return v;
}

/* Printable ASCII without spaces: what site keys and secrets are made of. */
static bool
token_text(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || len > HARK_SOURCE_CAPTCHA_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return false;
	return true;
}

/* Appends pattern's canonical form to list; a usage error when it is bad. */
static int
add_pattern(char list[][HARK_CORS_PATTERN_SIZE], size_t *n, const char *opt,
    const char *pattern)
{
	if (*n == HARK_SOURCE_ORIGINS_MAX)
		return ctl_usage_error("a source has at most %d origins",
		    HARK_SOURCE_ORIGINS_MAX);
	if (!hark_cors_source_pattern(pattern, list[*n],
	    HARK_CORS_PATTERN_SIZE))
		return ctl_usage_error("%s '%s' is not an origin pattern "
		    "(scheme://host[:port] or scheme://*.example.com[:port])",
		    opt, pattern);
	(*n)++;
	return CTL_OK;
}

/*
 * Parses the options after argv[1] ("create" or "update") into o; the one
 * operand (PROJECT or SOURCE_ID) into *operand.  CTL_OK or CTL_USAGE.
 */
static int
parse_opts(int argc, char **argv, bool update, struct source_opts *o,
    const char **operand)
{
	static const struct option	 opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "type", required_argument, NULL, 't' },
		{ "origin", required_argument, NULL, 'o' },
		{ "add-origin", required_argument, NULL, 'A' },
		{ "remove-origin", required_argument, NULL, 'R' },
		{ "no-origins", no_argument, NULL, 'O' },
		{ "captcha", required_argument, NULL, 'c' },
		{ "captcha-sitekey", required_argument, NULL, 'k' },
		{ "captcha-secret-file", required_argument, NULL, 'f' },
		{ "no-captcha", no_argument, NULL, 'C' },
		{ "rate-limit", required_argument, NULL, 'r' },
		{ "dedup-window", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 }
	};
	const char			*usage = update ? UPDATE_USAGE : CREATE_USAGE;
	size_t				 len;
	int				 ch, rc;

	memset(o, 0, sizeof(*o));
	o->rate_limit = o->dedup_window = -1;
	ctl_getopt_reset();
	opterr = 0;
	while ((ch = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		if (!update && (ch == 'A' || ch == 'R' || ch == 'O'))
			return ctl_usage_error("source create takes --origin, not "
			    "--add-origin, --remove-origin or --no-origins");
		switch (ch) {
		case 'n':
			len = strlen(optarg);
			if (len == 0 || len > HARK_SOURCE_NAME_MAX)
				return ctl_usage_error("a source name is 1 to %d "
				    "bytes", HARK_SOURCE_NAME_MAX);
			o->name = optarg;
			break;
		case 't':
			if (strcmp(optarg, "widget") != 0 &&
			    strcmp(optarg, "server") != 0)
				return ctl_usage_error("--type is widget or "
				    "server, not '%s'", optarg);
			o->type = optarg;
			break;
		case 'o':
			if ((rc = add_pattern(o->origins, &o->norigins,
			    "--origin", optarg)) != CTL_OK)
				return rc;
			break;
		case 'A':
			if ((rc = add_pattern(o->add, &o->nadd, "--add-origin",
			    optarg)) != CTL_OK)
				return rc;
			break;
		case 'R':
			/* The canonical form is what is stored, so compared. */
			if ((rc = add_pattern(o->remove, &o->nremove,
			    "--remove-origin", optarg)) != CTL_OK)
				return rc;
			break;
		case 'O':
			o->no_origins = true;
			break;
		case 'c':
			if (hark_captcha_provider_parse(optarg, &o->captcha) == -1)
				return ctl_usage_error("--captcha is hcaptcha or "
				    "turnstile, not '%s'", optarg);
			o->captcha_given = true;
			break;
		case 'k':
			if (!token_text(optarg, strlen(optarg)))
				return ctl_usage_error("--captcha-sitekey is 1 to "
				    "%d printable characters without spaces",
				    HARK_SOURCE_CAPTCHA_MAX);
			o->sitekey = optarg;
			break;
		case 'f':
			if (optarg[0] == '\0')
				return ctl_usage_error("--captcha-secret-file "
				    "needs a file name");
			o->secret_file = optarg;
			break;
		case 'C':
			o->no_captcha = true;
			break;
		case 'r':
			if ((o->rate_limit = parse_count(optarg,
			    RATE_LIMIT_MAX)) == -1)
				return ctl_usage_error("--rate-limit is requests "
				    "per minute per client address, 0 to %d "
				    "(0 = the configured default)",
				    RATE_LIMIT_MAX);
			break;
		case 'd':
			if ((o->dedup_window = parse_count(optarg,
			    DEDUP_WINDOW_MAX)) == -1)
				return ctl_usage_error("--dedup-window is seconds, "
				    "0 to %d (0 = [widget] dedup_window)",
				    DEDUP_WINDOW_MAX);
			break;
		default:
			return ctl_usage_error("%s: an unknown option, or one "
			    "without its value; %s", update ? "source update" :
			    "source create", usage);
		}
	}
	if (optind != argc - 2)
		return ctl_usage_error("%s", usage);
	*operand = argv[1 + optind];
	if (o->no_captcha && (o->captcha_given || o->sitekey != NULL ||
	    o->secret_file != NULL))
		return ctl_usage_error("--no-captcha takes no --captcha, "
		    "--captcha-sitekey or --captcha-secret-file");
	/* On create a provider comes whole; update may change one half. */
	if ((o->captcha_given || !update) &&
	    (o->captcha_given || o->sitekey != NULL || o->secret_file != NULL) &&
	    (!o->captcha_given || o->sitekey == NULL || o->secret_file == NULL))
		return ctl_usage_error("--captcha, --captcha-sitekey and "
		    "--captcha-secret-file go together");
	if (o->no_origins && o->norigins > 0)
		return ctl_usage_error("--no-origins and --origin contradict "
		    "each other");
	if (!update && o->name == NULL)
		return ctl_usage_error("source create needs --name NAME");
	return CTL_OK;
}

/*
 * Reads a secret from path into out (outsize bytes): its first line,
 * without trailing white space, 1 to outsize - 1 printable characters.
 * what names it in messages ("the captcha secret"), which never hold the
 * file's content.  CTL_OK, or CTL_FAIL said.
 */
int
ctl_read_secret_file(const char *path, const char *what, char *out,
    size_t outsize)
{
	char	 buf[SECRET_FILE_READ + 1];
	FILE	*fp;
	size_t	 n;
	int	 rc = CTL_FAIL;

	if ((fp = fopen(path, "re")) == NULL) {
		fprintf(stderr, "harkctl: cannot read %s file %s: %s\n", what,
		    path, strerror(errno));
		return CTL_FAIL;
	}
	n = fread(buf, 1, SECRET_FILE_READ, fp);
	if (ferror(fp)) {
		fprintf(stderr, "harkctl: cannot read %s file %s: %s\n", what,
		    path, strerror(errno));
		goto out;
	}
	buf[n] = '\0';
	n = strcspn(buf, "\r\n");
	while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		n--;
	if (n >= outsize || !token_text(buf, n)) {
		fprintf(stderr, "harkctl: %s file %s must hold it on its first "
		    "line: 1 to %zu printable characters without spaces\n",
		    what, path, outsize - 1);
		goto out;
	}
	memcpy(out, buf, n);
	out[n] = '\0';
	rc = CTL_OK;
out:
	explicit_bzero(buf, sizeof(buf));
	fclose(fp);
	return rc;
}

/* The source must exist: CTL_OK with *s filled, or CTL_FAIL said. */
static int
need_source(struct ctl *ctl, const char *id, struct hark_source *s)
{
	int	 rc;

	if (!hark_id_valid(HARK_ID_SOURCE, id)) {
		fprintf(stderr, "harkctl: '%s' is not a source id (src_...)\n",
		    id);
		return CTL_FAIL;
	}
	if (ctl_open(ctl) != CTL_OK)
		return CTL_FAIL;
	rc = hark_store_source_get(ctl->db, id, s);
	if (rc == HARK_STORE_NOT_FOUND) {
		fprintf(stderr, "harkctl: no such source: %s\n", id);
		return CTL_FAIL;
	}
	return rc == HARK_STORE_OK ? CTL_OK : ctl_store_error(ctl, id, rc);
}

/* Says so when a source asks for a captcha nobody can answer. */
static void
warn_captcha(const struct hark_source *s)
{
	if (s->require_captcha && s->captcha_provider == HARK_CAPTCHA_NONE)
		fprintf(stderr, "harkctl: warning: source %s requires a captcha "
		    "but has no provider: give it one (source update %s "
		    "--captcha hcaptcha|turnstile --captcha-sitekey K "
		    "--captcha-secret-file F) or --no-captcha\n", s->id, s->id);
}

/* Applies the captcha options to s (the secret read from its file). */
static int
apply_captcha(const struct source_opts *o, struct hark_source *s)
{
	if (o->no_captcha) {
		s->require_captcha = false;
		s->captcha_provider = HARK_CAPTCHA_NONE;
		s->captcha_sitekey[0] = '\0';
		explicit_bzero(s->captcha_secret, sizeof(s->captcha_secret));
		return CTL_OK;
	}
	if (o->captcha_given) {
		s->require_captcha = true;
		s->captcha_provider = o->captcha;
	}
	if ((o->sitekey != NULL || o->secret_file != NULL) &&
	    s->captcha_provider == HARK_CAPTCHA_NONE) {
		fprintf(stderr, "harkctl: source %s has no captcha provider: "
		    "give --captcha hcaptcha|turnstile with its site key and "
		    "secret file\n", s->id);
		return CTL_FAIL;
	}
	if (o->sitekey != NULL)
		snprintf(s->captcha_sitekey, sizeof(s->captcha_sitekey), "%s",
		    o->sitekey);
	if (o->secret_file != NULL &&
	    ctl_read_secret_file(o->secret_file, "the captcha secret",
	    s->captcha_secret, sizeof(s->captcha_secret)) != CTL_OK)
		return CTL_FAIL;
	return CTL_OK;
}

static void
apply_settings(const struct source_opts *o, struct hark_source *s)
{
	if (o->name != NULL)
		snprintf(s->name, sizeof(s->name), "%s", o->name);
	if (o->type != NULL)
		snprintf(s->type, sizeof(s->type), "%s", o->type);
	if (o->rate_limit != -1)
		s->rate_limit = (unsigned)o->rate_limit;
	if (o->dedup_window != -1)
		s->dedup_window = (unsigned)o->dedup_window;
}

/* Pointers into a pattern array, for the store. */
static void
pattern_ptrs(char list[][HARK_CORS_PATTERN_SIZE], size_t n,
    const char **out)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		out[i] = list[i];
}

static int
source_create(struct ctl *ctl, int argc, char **argv)
{
	struct source_opts	*o;
	struct hark_source	*s = NULL;
	const char		*project, *ptrs[HARK_SOURCE_ORIGINS_MAX];
	char			 pk[HARK_KEY_SIZE];
	int			 rc;

	if ((o = malloc(sizeof(*o))) == NULL ||
	    (s = calloc(1, sizeof(*s))) == NULL) {
		free(o);
		fprintf(stderr, "harkctl: out of memory\n");
		return CTL_FAIL;
	}
	if ((rc = parse_opts(argc, argv, false, o, &project)) != CTL_OK)
		goto out;
	rc = CTL_FAIL;
	snprintf(s->type, sizeof(s->type), "widget");
	s->require_captcha = true;	/* the seed: on by default */
	apply_settings(o, s);
	if (apply_captcha(o, s) != CTL_OK)
		goto out;
	if (ctl_open(ctl) != CTL_OK || ctl_need_project(ctl, project) != CTL_OK)
		goto out;
	snprintf(s->project_id, sizeof(s->project_id), "%s", project);
	if (hark_id_new(HARK_ID_SOURCE, s->id, sizeof(s->id)) == -1 ||
	    hark_key_new_public(pk, sizeof(pk)) == -1) {
		fprintf(stderr, "harkctl: cannot make a public key\n");
		goto out;
	}
	pattern_ptrs(o->origins, o->norigins, ptrs);
	rc = hark_store_source_insert(ctl->db, s, pk, ptrs, o->norigins);
	if (rc != HARK_STORE_OK) {
		rc = ctl_store_error(ctl, "source create", rc);
		goto out;
	}
	printf("%s\n", pk);
	fprintf(stderr, "harkctl: source %s created\n", s->id);
	warn_captcha(s);
	rc = CTL_OK;
out:
	explicit_bzero(pk, sizeof(pk));
	if (s != NULL)
		explicit_bzero(s, sizeof(*s));
	free(s);
	free(o);
	return rc;
}

struct origin_set {
	char	(*list)[HARK_CORS_PATTERN_SIZE];
	size_t	 n;
	int	 overflow;
};

static int
origin_collect(void *ctx, const char *pattern)
{
	struct origin_set	*os = ctx;

	if (os->n == HARK_SOURCE_ORIGINS_MAX) {
		os->overflow = 1;
		return 0;
	}
	snprintf(os->list[os->n++], HARK_CORS_PATTERN_SIZE, "%s", pattern);
	return 0;
}

static bool
origin_in(char list[][HARK_CORS_PATTERN_SIZE], size_t n, const char *p)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], p) == 0)
			return true;
	return false;
}

/*
 * The origins the update leaves: --no-origins or --origin start afresh
 * (else from the stored ones), then --add-origin, then --remove-origin,
 * each of which must be there.  CTL_OK or CTL_FAIL said.
 */
static int
update_origins(struct ctl *ctl, const struct hark_source *s,
    struct source_opts *o, struct origin_set *os)
{
	size_t	 i, j;
	int	 rc;

	os->n = 0;
	if (o->no_origins || o->norigins > 0) {
		for (i = 0; i < o->norigins; i++)
			if (!origin_in(os->list, os->n, o->origins[i]))
				origin_collect(os, o->origins[i]);
	} else {
		rc = hark_store_source_origin_list(ctl->db, s->id,
		    origin_collect, os);
		if (rc != HARK_STORE_OK)
			return ctl_store_error(ctl, "source update", rc);
	}
	for (i = 0; i < o->nadd; i++)
		if (!origin_in(os->list, os->n, o->add[i]))
			origin_collect(os, o->add[i]);
	if (os->overflow) {
		fprintf(stderr, "harkctl: a source has at most %d origins\n",
		    HARK_SOURCE_ORIGINS_MAX);
		return CTL_FAIL;
	}
	for (i = 0; i < o->nremove; i++) {
		for (j = 0; j < os->n; j++)
			if (strcmp(os->list[j], o->remove[i]) == 0)
				break;
		if (j == os->n) {
			fprintf(stderr, "harkctl: source %s has no origin %s\n",
			    s->id, o->remove[i]);
			return CTL_FAIL;
		}
		memmove(os->list[j], os->list[j + 1],
		    (os->n - j - 1) * sizeof(os->list[0]));
		os->n--;
	}
	return CTL_OK;
}

static int
source_update(struct ctl *ctl, int argc, char **argv)
{
	struct source_opts	*o;
	struct hark_source	*s = NULL;
	struct origin_set	 os = { NULL, 0, 0 };
	const char		*id, *ptrs[HARK_SOURCE_ORIGINS_MAX];
	bool			 origins;
	int			 rc;

	if ((o = malloc(sizeof(*o))) == NULL ||
	    (s = calloc(1, sizeof(*s))) == NULL ||
	    (os.list = calloc(HARK_SOURCE_ORIGINS_MAX,
	    sizeof(os.list[0]))) == NULL) {
		free(o);
		free(s);
		fprintf(stderr, "harkctl: out of memory\n");
		return CTL_FAIL;
	}
	if ((rc = parse_opts(argc, argv, true, o, &id)) != CTL_OK)
		goto out;
	rc = CTL_FAIL;
	if (need_source(ctl, id, s) != CTL_OK)
		goto out;
	apply_settings(o, s);
	if (apply_captcha(o, s) != CTL_OK)
		goto out;
	origins = o->no_origins || o->norigins > 0 || o->nadd > 0 ||
	    o->nremove > 0;
	if (origins && update_origins(ctl, s, o, &os) != CTL_OK)
		goto out;
	pattern_ptrs(os.list, os.n, ptrs);
	rc = hark_store_source_update(ctl->db, s, origins ? ptrs : NULL, os.n);
	if (rc == HARK_STORE_NOT_FOUND) {
		fprintf(stderr, "harkctl: no such source: %s\n", id);
		rc = CTL_FAIL;
		goto out;
	}
	if (rc != HARK_STORE_OK) {
		rc = ctl_store_error(ctl, "source update", rc);
		goto out;
	}
	printf("updated %s\n", s->id);
	warn_captcha(s);
	rc = CTL_OK;
out:
	if (s != NULL)
		explicit_bzero(s, sizeof(*s));
	free(s);
	free(o);
	free(os.list);
	return rc;
}

static const char *
captcha_word(const struct hark_source *s)
{
	if (!s->require_captcha)
		return "off";
	if (s->captcha_provider == HARK_CAPTCHA_NONE)
		return "unset";
	return hark_captcha_provider_name(s->captcha_provider);
}

static int
source_row(void *ctx, const struct hark_source *s)
{
	printf("%-34s %-19s %-19.19s %-6s %-9s %-8s %s\n", s->id,
	    s->key_fingerprint, s->created_at, s->type, captcha_word(s),
	    s->disabled ? "disabled" : "enabled", s->name);
	return 0;
}

static int
source_list(struct ctl *ctl, int argc, char **argv)
{
	int	 rc;

	if (argc != 3)
		return ctl_usage_error("source list takes one PROJECT");
	if (ctl_open(ctl) != CTL_OK || ctl_need_project(ctl, argv[2]) != CTL_OK)
		return CTL_FAIL;
	printf("%-34s %-19s %-19s %-6s %-9s %-8s %s\n", "ID", "KEY",
	    "CREATED (UTC)", "TYPE", "CAPTCHA", "STATE", "NAME");
	rc = hark_store_source_each(ctl->db, argv[2], source_row, NULL);
	return rc == HARK_STORE_OK ? CTL_OK :
	    ctl_store_error(ctl, "source list", rc);
}

static int
origin_print(void *ctx, const char *pattern)
{
	int	*n = ctx;

	printf("origin:         %s\n", pattern);
	(*n)++;
	return 0;
}

static int
source_show(struct ctl *ctl, int argc, char **argv)
{
	struct hark_source	 s;
	int			 rc, n = 0;

	if (argc != 3)
		return ctl_usage_error("source show takes one SOURCE_ID");
	if (need_source(ctl, argv[2], &s) != CTL_OK)
		return CTL_FAIL;
	printf("id:             %s\n", s.id);
	printf("project:        %s\n", s.project_id);
	printf("name:           %s\n", s.name);
	printf("type:           %s\n", s.type);
	printf("public key:     %s (the key itself is shown only by create)\n",
	    s.key_fingerprint);
	printf("created:        %.19s UTC\n", s.created_at);
	if (s.disabled)
		printf("state:          disabled since %.19s UTC\n",
		    s.disabled_at);
	else
		printf("state:          enabled\n");
	printf("captcha:        %s\n", !s.require_captcha ? "off" :
	    s.captcha_provider == HARK_CAPTCHA_NONE ?
	    "required, no provider set" :
	    hark_captcha_provider_name(s.captcha_provider));
	printf("captcha sitekey: %s\n", s.captcha_sitekey[0] != '\0' ?
	    s.captcha_sitekey : "not set");
	printf("captcha secret: %s\n", s.captcha_secret[0] != '\0' ? "set" :
	    "not set");
	explicit_bzero(s.captcha_secret, sizeof(s.captcha_secret));
	if (s.rate_limit != 0)
		printf("rate limit:     %u per minute per client address\n",
		    s.rate_limit);
	else
		printf("rate limit:     default (%d per minute per client "
		    "address)\n", ctl->conf.rate_limit);
	if (s.dedup_window != 0)
		printf("dedup window:   %u seconds\n", s.dedup_window);
	else
		printf("dedup window:   default (%d seconds)\n",
		    ctl->conf.widget_dedup_window);
	rc = hark_store_source_origin_list(ctl->db, s.id, origin_print, &n);
	if (rc != HARK_STORE_OK)
		return ctl_store_error(ctl, "source show", rc);
	if (n == 0)
		printf("origins:        any (no allowlist; requests without "
		    "Origin too)\n");
	return CTL_OK;
}

/* disable, enable, delete: one SOURCE_ID, one store call. */
static int
source_state(struct ctl *ctl, int argc, char **argv)
{
	const char	*cmd = argv[1], *id;
	int		 rc;

	if (argc != 3)
		return ctl_usage_error("source %s takes one SOURCE_ID", cmd);
	id = argv[2];
	if (!hark_id_valid(HARK_ID_SOURCE, id)) {
		fprintf(stderr, "harkctl: '%s' is not a source id (src_...)\n",
		    id);
		return CTL_FAIL;
	}
	if (ctl_open(ctl) != CTL_OK)
		return CTL_FAIL;
	if (strcmp(cmd, "delete") == 0)
		rc = hark_store_source_delete(ctl->db, id);
	else
		rc = hark_store_source_set_disabled(ctl->db, id,
		    strcmp(cmd, "disable") == 0);
	if (rc == HARK_STORE_NOT_FOUND) {
		fprintf(stderr, "harkctl: no such source: %s\n", id);
		return CTL_FAIL;
	}
	if (rc != HARK_STORE_OK)
		return ctl_store_error(ctl, cmd, rc);
	printf("%s %s\n", strcmp(cmd, "delete") == 0 ? "deleted" :
	    strcmp(cmd, "disable") == 0 ? "disabled" : "enabled", id);
	return CTL_OK;
}

int
ctl_cmd_source(struct ctl *ctl, int argc, char **argv)
{
	if (argc < 2)
		return ctl_usage_error("source needs create, list, show, update, "
		    "disable, enable or delete");
	if (strcmp(argv[1], "create") == 0)
		return source_create(ctl, argc, argv);
	if (strcmp(argv[1], "list") == 0)
		return source_list(ctl, argc, argv);
	if (strcmp(argv[1], "show") == 0)
		return source_show(ctl, argc, argv);
	if (strcmp(argv[1], "update") == 0)
		return source_update(ctl, argc, argv);
	if (strcmp(argv[1], "disable") == 0 || strcmp(argv[1], "enable") == 0 ||
	    strcmp(argv[1], "delete") == 0)
		return source_state(ctl, argc, argv);
	return ctl_usage_error("unknown source command '%s'", argv[1]);
}
