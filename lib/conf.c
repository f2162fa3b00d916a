/* conf.c: reads hark.conf; one table of keys drives parsing, defaults, checks. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "proxies.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR	"/etc"
#endif
#ifndef PKGDATADIR
#define PKGDATADIR	"/usr/local/share/hark"
#endif
#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR	"/var"
#endif
/* [transcribe]'s defaults, from configure. */
#ifndef HARK_FFMPEG
#define HARK_FFMPEG	"/usr/bin/ffmpeg"
#endif
#ifndef HARK_POCKETSPHINX_MODELDIR
#define HARK_POCKETSPHINX_MODELDIR	"/usr/share/pocketsphinx/model"
#endif

/* A secret file is a password or a token, never a document. */
#define SECRET_FILE_MAX	(64 * 1024)

enum conf_type {
	CONF_STRING,	/* char *, malloc'ed */
	CONF_SECRET,	/* char *, also settable as <key>_file; never echoed */
	CONF_INT,	/* int in [min, max] */
	CONF_LONG,	/* long in [min, max] */
	CONF_SIZE,	/* size_t bytes, optional K/M/G suffix, in [min, max] */
	CONF_SECONDS,	/* int seconds in [min, max] */
	CONF_BOOL,	/* int, 0 or 1 (min 0, max 1) */
	CONF_MODE,	/* int permission bits written in octal, <= max */
	CONF_LOGLEVEL	/* int HARK_LOG_* (min ERR, max DEBUG) */
};

/* Checks a string value beyond its type; returns what is wrong, or NULL. */
typedef const char *(*conf_check_fn)(const char *);

struct conf_key {
	const char	*section;
	const char	*key;
	enum conf_type	 type;
	size_t		 off;		/* into struct hark_conf */
	const char	*def;		/* as written in a file; NULL = none */
	long long	 min;
	long long	 max;
	int		 required;
	conf_check_fn	 check;
};

static const char	*check_base_path(const char *);
static const char	*check_abs_path(const char *);
static const char	*check_abs_or_empty(const char *);
static const char	*check_nonempty(const char *);
static const char	*check_sendfile(const char *);
static const char	*check_log_addresses(const char *);
static const char	*check_transcriber(const char *);
static const char	*check_enricher(const char *);
static const char	*check_http_url(const char *);
static const char	*check_url_path(const char *);
static const char	*check_http_url_or_empty(const char *);

/*
 * offsetof(), plus a compiler warning ("comparison of distinct pointer
 * types") when the member is not of type t, so the table cannot store an int
 * into a long or a size_t.  The comparison is never evaluated.
 */
#define FIELD(m, t)	(offsetof(struct hark_conf, m) + \
			    0 * sizeof(&((struct hark_conf *)0)->m == (t *)0))

#define KIB		1024LL
#define MIB		(1024LL * KIB)
#define GIB		(1024LL * MIB)

/* [email]'s checks (lib/mail.h says what a message may hold). */
static const char *
check_mail_backend(const char *s)
{
	return strcmp(s, "none") == 0 || strcmp(s, "smtp") == 0 ||
	    strcmp(s, "resend") == 0 ? NULL : "must be none, smtp or resend";
}

/* The form only; hark-batch checks the address fully (lib/mail.c). */
static const char *
check_mail_from(const char *s)
{
	const char	*at = strchr(s, '@');

	if (s[0] == '\0')
		return NULL;
	return at != NULL && at != s && at[1] != '\0' &&
	    strchr(at + 1, '@') == NULL && strpbrk(s, " \t\r\n<>\"(),;:") ==
	    NULL ? NULL : "must be an address (user@example.com), without a name";
}

/* Spaces- or comma-separated mailto: and https: URIs (RFC 2369, 8058). */
static const char *
check_mail_unsubscribe(const char *s)
{
	size_t	 n;

	for (;;) {
		s += strspn(s, " \t,");
		if (*s == '\0')
			return NULL;
		n = strcspn(s, " \t,");
		if (!(n > 7 && strncasecmp(s, "mailto:", 7) == 0) &&
		    !(n > 8 && strncasecmp(s, "https://", 8) == 0))
			return "each URI must be mailto: or https:";
		if (memchr(s, '<', n) != NULL || memchr(s, '>', n) != NULL ||
		    memchr(s, '"', n) != NULL)
			return "a URI holds '<', '>' or '\"'";
		s += n;
	}
}

static const char *
check_mail_item_url(const char *s)
{
	if (s[0] != '\0' && strncmp(s, "https://", 8) != 0 &&
	    strncmp(s, "http://", 7) != 0)
		return "must be empty or an http:// or https:// URL";
	return strpbrk(s, " \t\r\n\"<>") != NULL ?
	    "must be a URL without spaces, quotes or angle brackets" : NULL;
}

static const char *
check_mail_smtp_url(const char *s)
{
	return (strncmp(s, "smtp://", 7) == 0 && s[7] != '\0') ||
	    (strncmp(s, "smtps://", 8) == 0 && s[8] != '\0') ? NULL :
	    "must be an smtp:// or smtps:// URL";
}

static const char *
check_mail_starttls(const char *s)
{
	return strcmp(s, "no") == 0 || strcmp(s, "yes") == 0 ||
	    strcmp(s, "required") == 0 ? NULL : "must be no, yes or required";
}

/*
 * Every key hark knows.  conf/hark.conf.in and doc/hark.conf.5 document each
 * row; tests/unit/test_conf.c checks the example's defaults against this.
 */
static const struct conf_key conf_keys[] = {
	{ "server", "listen", CONF_STRING, FIELD(listen, char *),
	    "", 0, 0, 0, NULL },
	/* 8: measured (tests/bench/ingest, 2 cores): 4 -> 8 workers gave ingest
	 * +22%, 8 -> 16 only +5% more, at twice the connections. */
	{ "server", "workers", CONF_INT, FIELD(workers, int),
	    "8", 1, 256, 0, NULL },
	{ "server", "max_requests", CONF_LONG, FIELD(max_requests, long),
	    "10000", 0, LONG_MAX, 0, NULL },
	{ "server", "shutdown_timeout", CONF_SECONDS,
	    FIELD(shutdown_timeout, int), "30", 0, 3600, 0, NULL },
	/* php-fpm's request_terminate_timeout; 0 = off (fcgi/watchdog.h). */
	{ "server", "request_timeout", CONF_SECONDS,
	    FIELD(request_timeout, int), "60", 0, 86400, 0, NULL },
	/* The commit queue (issue 21): a writer shares commits (fcgi/writer.c). */
	{ "server", "commit_queue", CONF_BOOL, FIELD(commit_queue, int),
	    "on", 0, 1, 0, NULL },
	{ "server", "commit_queue_max_rows", CONF_INT,
	    FIELD(commit_queue_max_rows, int), "32", 1, 1000, 0, NULL },
	{ "server", "commit_queue_max_bytes", CONF_SIZE,
	    FIELD(commit_queue_max_bytes, size_t), "1M", 1 * KIB, 64 * MIB,
	    0, NULL },
	{ "server", "commit_queue_timeout", CONF_SECONDS,
	    FIELD(commit_queue_timeout, int), "15", 1, 3600, 0, NULL },
	{ "server", "commit_queue_writers", CONF_INT,
	    FIELD(commit_queue_writers, int), "2", 1, 16, 0, NULL },
	{ "server", "listen_mode", CONF_MODE, FIELD(listen_mode, int),
	    "0660", 0, 0777, 0, NULL },
	{ "server", "listen_owner", CONF_STRING, FIELD(listen_owner, char *),
	    "", 0, 0, 0, NULL },
	{ "server", "listen_group", CONF_STRING, FIELD(listen_group, char *),
	    "", 0, 0, 0, NULL },
	{ "server", "base_path", CONF_STRING, FIELD(base_path, char *),
	    "", 0, 0, 0, check_base_path },
	{ "server", "max_body", CONF_SIZE, FIELD(max_body, size_t),
	    "50M", 1 * KIB, 1 * GIB, 0, NULL },
	{ "server", "user", CONF_STRING, FIELD(user, char *),
	    "", 0, 0, 0, NULL },
	{ "server", "group", CONF_STRING, FIELD(group, char *),
	    "", 0, 0, 0, NULL },
	{ "server", "state_dir", CONF_STRING, FIELD(state_dir, char *),
	    LOCALSTATEDIR "/lib/hark", 0, 0, 0, check_abs_path },
	{ "server", "media_dir", CONF_STRING, FIELD(media_dir, char *),
	    LOCALSTATEDIR "/lib/hark/media", 0, 0, 0, check_abs_path },
	{ "server", "trusted_proxies", CONF_STRING,
	    FIELD(trusted_proxies, char *), "", 0, 0, 0, hark_proxies_check },
	/* Who may read GET /v1/status; "" = nobody (the endpoint is off). */
	{ "server", "status_allow", CONF_STRING,
	    FIELD(status_allow, char *), "127.0.0.1 ::1", 0, 0, 0,
	    hark_proxies_check },
	{ "server", "sendfile", CONF_STRING, FIELD(sendfile, char *),
	    "", 0, 0, 0, check_sendfile },
	{ "server", "sendfile_prefix", CONF_STRING,
	    FIELD(sendfile_prefix, char *), "/hark-media", 0, 0, 0,
	    check_base_path },

	{ "log", "file", CONF_STRING, FIELD(log_file, char *),
	    "", 0, 0, 0, check_abs_or_empty },
	{ "log", "level", CONF_LOGLEVEL, FIELD(log_level, int),
	    "info", HARK_LOG_ERR, HARK_LOG_DEBUG, 0, NULL },
	{ "log", "requests", CONF_BOOL, FIELD(log_requests, int),
	    "yes", 0, 1, 0, NULL },
	{ "log", "addresses", CONF_STRING, FIELD(log_addresses, char *),
	    "block", 0, 0, 0, check_log_addresses },
	{ "log", "slow_ms", CONF_INT, FIELD(log_slow_ms, int),
	    "0", 0, 3600000, 0, NULL },

	{ "database", "socket", CONF_STRING, FIELD(db_socket, char *),
	    "/run/mysqld/mysqld.sock", 0, 0, 0, check_abs_or_empty },
	{ "database", "host", CONF_STRING, FIELD(db_host, char *),
	    "", 0, 0, 0, NULL },
	{ "database", "port", CONF_INT, FIELD(db_port, int),
	    "3306", 1, 65535, 0, NULL },
	{ "database", "name", CONF_STRING, FIELD(db_name, char *),
	    NULL, 0, 0, 1, check_nonempty },
	{ "database", "user", CONF_STRING, FIELD(db_user, char *),
	    "hark", 0, 0, 0, check_nonempty },
	{ "database", "password", CONF_SECRET, FIELD(db_password, char *),
	    "", 0, 0, 0, NULL },
	{ "database", "connect_timeout", CONF_SECONDS,
	    FIELD(db_connect_timeout, int), "2", 1, 3600, 0, NULL },
	{ "database", "read_timeout", CONF_SECONDS,
	    FIELD(db_read_timeout, int), "10", 1, 3600, 0, NULL },
	{ "database", "write_timeout", CONF_SECONDS,
	    FIELD(db_write_timeout, int), "10", 1, 3600, 0, NULL },
	{ "database", "statement_timeout", CONF_SECONDS,
	    FIELD(db_statement_timeout, int), "8", 1, 3600, 0, NULL },
	{ "database", "retries", CONF_INT, FIELD(db_retries, int),
	    "3", 1, 10, 0, NULL },

	{ "limits", "max_json_body", CONF_SIZE, FIELD(max_json_body, size_t),
	    "64K", 1 * KIB, 16 * MIB, 0, NULL },
	{ "limits", "rate_limit", CONF_INT, FIELD(rate_limit, int),
	    "100", 1, 1000000, 0, NULL },
	{ "limits", "auth_failures", CONF_INT, FIELD(auth_failures, int),
	    "30", 1, 1000000, 0, NULL },
	{ "limits", "list_concurrency", CONF_INT, FIELD(list_concurrency, int),
	    "0", 0, 16, 0, NULL },
	/* The seed's limits: 10 MB per audio file, 5 MB per screenshot, 50 MB
	 * per submission. */
	{ "limits", "max_audio", CONF_SIZE, FIELD(max_audio, size_t),
	    "10M", 1 * KIB, 1 * GIB, 0, NULL },
	{ "limits", "max_screenshot", CONF_SIZE, FIELD(max_screenshot, size_t),
	    "5M", 1 * KIB, 1 * GIB, 0, NULL },
	{ "limits", "max_submission", CONF_SIZE, FIELD(max_submission, size_t),
	    "50M", 1 * KIB, 1 * GIB, 0, NULL },
	{ "limits", "max_payload", CONF_SIZE, FIELD(max_payload, size_t),
	    "5M", 1 * KIB, 64 * MIB, 0, NULL },
	{ "limits", "max_dom", CONF_SIZE, FIELD(max_dom, size_t),
	    "4M", 1 * KIB, 8 * MIB, 0, NULL },
	{ "limits", "session_ttl", CONF_SECONDS, FIELD(session_ttl, int),
	    "3600", 60, 604800, 0, NULL },

	{ "cors", "max_age", CONF_SECONDS, FIELD(cors_max_age, int),
	    "600", 0, 86400, 0, NULL },

	/* "" = state_dir's token.secret (conf_widget_paths). */
	{ "widget", "token_secret_file", CONF_STRING,
	    FIELD(widget_token_secret_file, char *), "", 0, 0, 0,
	    check_abs_or_empty },
	{ "widget", "token_previous_secret_file", CONF_STRING,
	    FIELD(widget_token_previous_secret_file, char *), "", 0, 0, 0,
	    check_abs_or_empty },
	/* The seed's 30 minutes. */
	{ "widget", "token_ttl", CONF_SECONDS, FIELD(widget_token_ttl, int),
	    "1800", 60, 86400, 0, NULL },
	{ "widget", "dedup_window", CONF_SECONDS,
	    FIELD(widget_dedup_window, int), "600", 1, 2592000, 0, NULL },
	{ "widget", "captcha_verify_url", CONF_STRING,
	    FIELD(widget_captcha_verify_url, char *),
	    "https://api.hcaptcha.com/siteverify", 0, 0, 0, check_http_url },
	{ "widget", "captcha_timeout", CONF_SECONDS,
	    FIELD(widget_captcha_timeout, int), "5", 1, 60, 0, NULL },

	/* hark-batch's runner (issue 16). */
	{ "batch", "lease", CONF_SECONDS, FIELD(batch_lease, int),
	    "300", 30, 86400, 0, NULL },
	{ "batch", "max_attempts", CONF_INT, FIELD(batch_max_attempts, int),
	    "5", 1, 100, 0, NULL },
	{ "transcribe", "backend", CONF_STRING, FIELD(transcribe_backend, char *),
#ifdef HAVE_POCKETSPHINX
	    "pocketsphinx",
#else
	    "none",
#endif
	    0, 0, 0, check_transcriber },
	{ "transcribe", "language", CONF_STRING,
	    FIELD(transcribe_language, char *), "en", 0, 0, 0, NULL },
	/* pocketsphinx (lib/transcribe_pocketsphinx.c). */
	{ "transcribe", "ffmpeg", CONF_STRING, FIELD(transcribe_ffmpeg, char *),
	    HARK_FFMPEG, 0, 0, 0, check_abs_path },
	{ "transcribe", "pocketsphinx_model", CONF_STRING,
	    FIELD(transcribe_pocketsphinx_model, char *),
	    HARK_POCKETSPHINX_MODELDIR "/en-us/en-us", 0, 0, 0, check_abs_path },
	{ "transcribe", "pocketsphinx_dict", CONF_STRING,
	    FIELD(transcribe_pocketsphinx_dict, char *),
	    HARK_POCKETSPHINX_MODELDIR "/en-us/cmudict-en-us.dict", 0, 0, 0,
	    check_abs_path },
	{ "transcribe", "pocketsphinx_lm", CONF_STRING,
	    FIELD(transcribe_pocketsphinx_lm, char *),
	    HARK_POCKETSPHINX_MODELDIR "/en-us/en-us.lm.bin", 0, 0, 0,
	    check_abs_path },
	{ "transcribe", "timeout", CONF_SECONDS, FIELD(transcribe_timeout, int),
	    "600", 1, 86400, 0, NULL },
	/*
	 * 20: tests/bench/transcribe, 10 minutes of LibriVox: WER 0.288 cut
	 * at pauses near every 20 s, 0.310 every 45 s (2 minutes: 0.285,
	 * 0.318 at 30 s, 0.313 at 45 s), and less memory.
	 */
	{ "transcribe", "max_utterance_seconds", CONF_SECONDS,
	    FIELD(transcribe_max_utterance_seconds, int), "20", 5, 600, 0,
	    NULL },
	{ "enrich", "backend", CONF_STRING, FIELD(enrich_backend, char *),
	    "builtin", 0, 0, 0, check_enricher },

	/* [enrich] backend = openai (lib/enrich_openai.c). */
	{ "enrich", "openai_url", CONF_STRING,
	    FIELD(enrich_openai_url, char *), "https://api.openai.com",
	    0, 0, 0, check_http_url },
	{ "enrich", "openai_path", CONF_STRING,
	    FIELD(enrich_openai_path, char *), "/v1/chat/completions",
	    0, 0, 0, check_url_path },
	{ "enrich", "openai_model", CONF_STRING,
	    FIELD(enrich_openai_model, char *), "gpt-4o-mini", 0, 0, 0,
	    check_nonempty },
	{ "enrich", "openai_key", CONF_SECRET,
	    FIELD(enrich_openai_key, char *), "", 0, 0, 0, NULL },
	{ "enrich", "openai_timeout", CONF_SECONDS,
	    FIELD(enrich_openai_timeout, int), "30", 1, 600, 0, NULL },
	{ "enrich", "prompt_file", CONF_STRING,
	    FIELD(enrich_prompt_file, char *),
	    PKGDATADIR "/enrich-openai.json", 0, 0, 0, check_abs_path },

	/* [triage]: the learned triage's weights (lib/triage_model.c). */
	{ "triage", "model_file", CONF_STRING,
	    FIELD(triage_model_file, char *),
	    PKGDATADIR "/triage.model", 0, 0, 0, check_abs_path },

	/* [transcribe] backend = openai (lib/transcribe_openai.c). */
	{ "transcribe", "openai_url", CONF_STRING,
	    FIELD(transcribe_openai_url, char *), "https://api.openai.com",
	    0, 0, 0, check_http_url },
	{ "transcribe", "openai_path", CONF_STRING,
	    FIELD(transcribe_openai_path, char *), "/v1/audio/transcriptions",
	    0, 0, 0, check_url_path },
	{ "transcribe", "openai_model", CONF_STRING,
	    FIELD(transcribe_openai_model, char *), "whisper-1", 0, 0, 0,
	    check_nonempty },
	{ "transcribe", "openai_key", CONF_SECRET,
	    FIELD(transcribe_openai_key, char *), "", 0, 0, 0, NULL },
	/* A 10 MB recording (max_audio) takes a hosted service well under
	 * a minute, a CPU-only whisper server several; below [batch] lease's
	 * 300 s, so a job times out before another runner may claim it. */
	{ "transcribe", "openai_timeout", CONF_SECONDS,
	    FIELD(transcribe_openai_timeout, int), "240", 1, 3600, 0, NULL },
	/* A receiver should answer at once and work later; 10 s is generous
	 * and keeps one slow endpoint from holding a run for long. */
	{ "webhook", "timeout", CONF_SECONDS, FIELD(webhook_timeout, int),
	    "10", 1, 120, 0, NULL },
	/* An endpoint is a project's choice, not the operator's: off, it
	 * cannot reach this host's loopback, the cloud's metadata service
	 * or the internal network (lib/webclient.h, the guard). */
	{ "webhook", "allow_private", CONF_BOOL,
	    FIELD(webhook_allow_private, int), "no", 0, 1, 0, NULL },
	{ "webhook", "allow_networks", CONF_STRING,
	    FIELD(webhook_allow_networks, char *), "", 0, 0, 0,
	    hark_proxies_check },
	{ "webhook", "deny_networks", CONF_STRING,
	    FIELD(webhook_deny_networks, char *), "", 0, 0, 0,
	    hark_proxies_check },

	/* [email]: mail to a submitter (batch/email.c, lib/mail.c). */
	{ "email", "backend", CONF_STRING, FIELD(email_backend, char *),
	    "none", 0, 0, 0, check_mail_backend },
	{ "email", "from", CONF_STRING, FIELD(email_from, char *),
	    "", 0, 0, 0, check_mail_from },
	{ "email", "from_name", CONF_STRING, FIELD(email_from_name, char *),
	    "", 0, 0, 0, NULL },
	{ "email", "unsubscribe", CONF_STRING,
	    FIELD(email_unsubscribe, char *), "", 0, 0, 0,
	    check_mail_unsubscribe },
	{ "email", "template_dir", CONF_STRING,
	    FIELD(email_template_dir, char *), PKGDATADIR, 0, 0, 0,
	    check_abs_path },
	{ "email", "item_url", CONF_STRING, FIELD(email_item_url, char *),
	    "", 0, 0, 0, check_mail_item_url },
	{ "email", "timeout", CONF_SECONDS, FIELD(email_timeout, int),
	    "30", 1, 600, 0, NULL },
	{ "email", "smtp_url", CONF_STRING, FIELD(email_smtp_url, char *),
	    "smtp://localhost", 0, 0, 0, check_mail_smtp_url },
	{ "email", "smtp_starttls", CONF_STRING,
	    FIELD(email_smtp_starttls, char *), "yes", 0, 0, 0,
	    check_mail_starttls },
	{ "email", "smtp_user", CONF_STRING, FIELD(email_smtp_user, char *),
	    "", 0, 0, 0, NULL },
	{ "email", "smtp_password", CONF_SECRET,
	    FIELD(email_smtp_password, char *), "", 0, 0, 0, NULL },
	{ "email", "resend_url", CONF_STRING, FIELD(email_resend_url, char *),
	    "https://api.resend.com", 0, 0, 0, check_http_url },
	{ "email", "resend_key", CONF_SECRET, FIELD(email_resend_key, char *),
	    "", 0, 0, 0, NULL },

	/* The Linear mirror (batch/linear.c); a project's team and key are
	 * harkctl linear set's.  public_url: where hark's API is reached
	 * from a ticket's media links; "" = relative links. */
	{ "linear", "api_url", CONF_STRING, FIELD(linear_api_url, char *),
	    "https://api.linear.app/graphql", 0, 0, 0, check_http_url },
	{ "linear", "timeout", CONF_SECONDS, FIELD(linear_timeout, int),
	    "10", 1, 300, 0, NULL },
	{ "linear", "public_url", CONF_STRING, FIELD(linear_public_url, char *),
	    "", 0, 0, 0, check_http_url_or_empty },
};

#define NKEYS		(sizeof(conf_keys) / sizeof(conf_keys[0]))

/* Keys renamed since a release: the old name still sets the new key. */
static const struct {
	const char	*section, *old, *key;
} conf_renamed[] = {
	{ "server", "socket_mode", "listen_mode" },	/* php-fpm's listen.mode */
};

struct conf_parser {
	const char		*path;
	unsigned long		 lineno;
	const char		*section;	/* from conf_keys, or NULL */
	unsigned long		 seen[NKEYS];	/* line set on, 0 = not */
	int			 via_file[NKEYS]; /* set as <key>_file */
	struct hark_conf	*conf;
	struct hark_conf_err	*err;
};

static void
conf_wipe(void *p, size_t n)
{
#ifdef HAVE_EXPLICIT_BZERO
	explicit_bzero(p, n);
#else
	volatile unsigned char	*v = p;

	while (n-- > 0)
		*v++ = 0;
#endif
}

static int	conf_fail(struct conf_parser *, unsigned long, const char *,
		    ...) __attribute__((format(printf, 3, 4)));

/* Fills err with "path:line: reason"; always returns -1. */
static int
conf_fail(struct conf_parser *p, unsigned long line, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (p->err == NULL)
		return -1;
	n = snprintf(p->err->msg, sizeof(p->err->msg), "%s:%lu: ", p->path,
	    line);
	if (n < 0 || (size_t)n >= sizeof(p->err->msg))
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err->msg + n, sizeof(p->err->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *
check_base_path(const char *s)
{
	size_t	 n = strlen(s);

	if (n == 0)
		return NULL;
	if (s[0] != '/' || s[n - 1] == '/')
		return "must be empty or start with '/' and not end with '/'";
	return NULL;
}

static const char *
check_abs_path(const char *s)
{
	return s[0] == '/' ? NULL : "must be an absolute path";
}

static const char *
check_abs_or_empty(const char *s)
{
	return s[0] == '\0' || s[0] == '/' ? NULL :
	    "must be empty or an absolute path";
}

static const char *
check_nonempty(const char *s)
{
	return s[0] != '\0' ? NULL : "must not be empty";
}

static const char *
check_http_url(const char *s)
{
	if ((strncmp(s, "https://", 8) == 0 && s[8] != '\0') ||
	    (strncmp(s, "http://", 7) == 0 && s[7] != '\0'))
		return NULL;
	return "must be an http:// or https:// URL";
}

static const char *
check_http_url_or_empty(const char *s)
{
	return s[0] == '\0' ? NULL : check_http_url(s);
}

/* The path part of a URL: "/v1/chat/completions". */
static const char *
check_url_path(const char *s)
{
	if (s[0] != '/')
		return "must start with '/'";
	if (strpbrk(s, " \t\r\n?#") != NULL)
		return "must be a path without spaces, '?' or '#'";
	return NULL;
}

/*
 * [widget] token_secret_file left empty (or out of the file) is state_dir's
 * token.secret, so the secret follows the state directory: the defaults
 * derive it from the default state_dir, a load again once the file has set
 * state_dir (force).  0, or -1 out of memory.
 */
static int
conf_widget_paths(struct hark_conf *conf, int force)
{
	char	*path;

	if (!force && conf->widget_token_secret_file[0] != '\0')
		return 0;
	if (asprintf(&path, "%s/token.secret", conf->state_dir) == -1)
		return -1;
	free(conf->widget_token_secret_file);
	conf->widget_token_secret_file = path;
	return 0;
}

/* The names of the backends a build may have; a build checks its own. */
static const char *
check_transcriber(const char *s)
{
	return strcmp(s, "none") == 0 || strcmp(s, "pocketsphinx") == 0 ||
	    strcmp(s, "openai") == 0 ? NULL :
	    "must be pocketsphinx, openai or none";
}

static const char *
check_enricher(const char *s)
{
	return strcmp(s, "builtin") == 0 || strcmp(s, "openai") == 0 ? NULL :
	    "must be builtin or openai";
}

static const char *
check_log_addresses(const char *s)
{
	return strcmp(s, "full") == 0 || strcmp(s, "block") == 0 ||
	    strcmp(s, "none") == 0 ? NULL : "must be full, block or none";
}

static const char *
check_sendfile(const char *s)
{
	return s[0] == '\0' || strcmp(s, "x-sendfile") == 0 ||
	    strcmp(s, "x-accel-redirect") == 0 ? NULL :
	    "must be empty, x-sendfile or x-accel-redirect";
}

static void *
conf_field(struct hark_conf *conf, const struct conf_key *k)
{
	return (char *)conf + k->off;
}

/* A whole decimal (or, with base 8, octal) number and nothing else. */
static int
conf_parse_ll(const char *s, int base, long long *out)
{
	char		*end;
	long long	 v;

	if (s[0] == '\0' || isspace((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoll(s, &end, base);
	if (errno != 0 || end == s || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

/* Digits with an optional K, M or G (1024-based) suffix. */
static int
conf_parse_size(const char *s, long long *out)
{
	char		 digits[32];
	size_t		 n = strlen(s);
	long long	 v, mult = 1;

	if (n == 0 || n >= sizeof(digits) || !isdigit((unsigned char)s[0]))
		return -1;
	switch (s[n - 1]) {
	case 'K': case 'k':
		mult = KIB;
		break;
	case 'M': case 'm':
		mult = MIB;
		break;
	case 'G': case 'g':
		mult = GIB;
		break;
	}
	memcpy(digits, s, n + 1);
	if (mult != 1)
		digits[n - 1] = '\0';
	if (conf_parse_ll(digits, 10, &v) == -1 || v > LLONG_MAX / mult)
		return -1;
	*out = v * mult;
	return 0;
}

static int
conf_parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t	 i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/* Octal digits only, as chmod(1) reads them: "660" and "0660" agree. */
static int
conf_parse_mode(const char *s, long long *out)
{
	size_t	 n = strspn(s, "01234567");

	if (n == 0 || n > 5 || s[n] != '\0')
		return -1;
	return conf_parse_ll(s, 8, out);
}

/* "64K" rather than "65536" in messages when the number allows it. */
static void
conf_fmt_size(char *buf, size_t sz, long long v)
{
	if (v != 0 && v % GIB == 0)
		snprintf(buf, sz, "%lldG", v / GIB);
	else if (v != 0 && v % MIB == 0)
		snprintf(buf, sz, "%lldM", v / MIB);
	else if (v != 0 && v % KIB == 0)
		snprintf(buf, sz, "%lldK", v / KIB);
	else
		snprintf(buf, sz, "%lld", v);
}

/* What a valid value of k looks like, for error messages. */
static void
conf_expected(const struct conf_key *k, char *buf, size_t sz)
{
	char	 lo[32], hi[32];

	switch (k->type) {
	case CONF_INT:
	case CONF_LONG:
		if (k->max == LONG_MAX)
			snprintf(buf, sz, "expected an integer of at least "
			    "%lld", k->min);
		else
			snprintf(buf, sz, "expected an integer from %lld "
			    "to %lld", k->min, k->max);
		break;
	case CONF_SECONDS:
		snprintf(buf, sz, "expected a number of seconds from %lld "
		    "to %lld", k->min, k->max);
		break;
	case CONF_SIZE:
		conf_fmt_size(lo, sizeof(lo), k->min);
		conf_fmt_size(hi, sizeof(hi), k->max);
		snprintf(buf, sz, "expected a size in bytes with an optional "
		    "K, M or G suffix, from %s to %s", lo, hi);
		break;
	case CONF_BOOL:
		snprintf(buf, sz, "expected yes, no, true, false, on, off, "
		    "1 or 0");
		break;
	case CONF_MODE:
		snprintf(buf, sz, "expected an octal mode from 0 to 0%llo",
		    (unsigned long long)k->max);
		break;
	case CONF_LOGLEVEL:
		snprintf(buf, sz, "expected error, warn, info or debug");
		break;
	case CONF_STRING:
	case CONF_SECRET:
		snprintf(buf, sz, "expected a string");
		break;
	}
}

/* Replaces a string field, wiping the old value when it was a secret. */
static int
conf_set_string(const struct conf_key *k, char **field, const char *val)
{
	char	*copy;

	if ((copy = strdup(val)) == NULL)
		return -1;
	if (*field != NULL && k->type == CONF_SECRET)
		conf_wipe(*field, strlen(*field));
	free(*field);
	*field = copy;
	return 0;
}

/* Reads a number-like value of k; -1 when it does not parse. */
static int
conf_parse_number(const struct conf_key *k, const char *val, long long *v)
{
	int	 b;

	switch (k->type) {
	case CONF_SIZE:
		return conf_parse_size(val, v);
	case CONF_MODE:
		return conf_parse_mode(val, v);
	case CONF_BOOL:
		if (conf_parse_bool(val, &b) == -1)
			return -1;
		*v = b;
		return 0;
	case CONF_LOGLEVEL:
		if ((b = hark_log_level_from_name(val)) == -1)
			return -1;
		*v = b;
		return 0;
	default:
		return conf_parse_ll(val, 10, v);
	}
}

/*
 * Converts val as k says and stores it in conf.  Returns NULL, or why val is
 * wrong (possibly written into why).
 */
static const char *
conf_store(struct hark_conf *conf, const struct conf_key *k, const char *val,
    char *why, size_t whysz)
{
	void		*field = conf_field(conf, k);
	const char	*bad;
	long long	 v;

	if (k->type == CONF_STRING || k->type == CONF_SECRET) {
		if (k->check != NULL && (bad = k->check(val)) != NULL)
			return bad;
		if (conf_set_string(k, field, val) == -1)
			return "out of memory";
		return NULL;
	}
	if (conf_parse_number(k, val, &v) == -1 || v < k->min || v > k->max) {
		conf_expected(k, why, whysz);
		return why;
	}
	switch (k->type) {
	case CONF_LONG:
		*(long *)field = (long)v;
		break;
	case CONF_SIZE:
		if ((unsigned long long)v > SIZE_MAX)
			return "too large for this machine";
		*(size_t *)field = (size_t)v;
		break;
	default:
		*(int *)field = (int)v;
		break;
	}
	return NULL;
}

static char *
trim(char *s)
{
	char	*e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/*
 * Strips the quotes of a "double-quoted" value in place; inside, \" is a
 * quote and \\ a backslash.  Unquoted values are taken as they are.
 */
static int
conf_unquote(struct conf_parser *p, char *val)
{
	char	*r, *w;

	if (val[0] != '"')
		return 0;
	for (r = val + 1, w = val; *r != '"'; r++) {
		if (*r == '\0')
			return conf_fail(p, p->lineno,
			    "unterminated quoted value");
		if (*r == '\\' && (r[1] == '"' || r[1] == '\\'))
			r++;
		*w++ = *r;
	}
	if (r[1] != '\0')
		return conf_fail(p, p->lineno,
		    "unexpected text after the closing quote");
	*w = '\0';
	return 0;
}

static int
conf_section(struct conf_parser *p, char *s)
{
	char	*end, *name;
	size_t	 i;

	if ((end = strchr(s, ']')) == NULL)
		return conf_fail(p, p->lineno, "unterminated section header");
	if (end[1] != '\0')
		return conf_fail(p, p->lineno,
		    "unexpected text after the section header");
	*end = '\0';
	name = trim(s + 1);
	for (i = 0; i < NKEYS; i++) {
		if (strcmp(conf_keys[i].section, name) == 0) {
			p->section = conf_keys[i].section;
			return 0;
		}
	}
	return conf_fail(p, p->lineno, "unknown section [%s]", name);
}

/* The row for key in the current section; *via_file set for "<key>_file". */
static const struct conf_key *
conf_find(const struct conf_parser *p, const char *key, int *via_file)
{
	size_t	 i, n, klen;

	for (i = 0; i < sizeof(conf_renamed) / sizeof(conf_renamed[0]); i++)
		if (strcmp(conf_renamed[i].section, p->section) == 0 &&
		    strcmp(conf_renamed[i].old, key) == 0)
			key = conf_renamed[i].key;
	klen = strlen(key);
	for (i = 0; i < NKEYS; i++) {
		if (strcmp(conf_keys[i].section, p->section) != 0)
			continue;
		if (strcmp(conf_keys[i].key, key) == 0) {
			*via_file = 0;
			return &conf_keys[i];
		}
		n = strlen(conf_keys[i].key);
		if (conf_keys[i].type == CONF_SECRET && klen == n + 5 &&
		    strncmp(conf_keys[i].key, key, n) == 0 &&
		    strcmp(key + n, "_file") == 0) {
			*via_file = 1;
			return &conf_keys[i];
		}
	}
	return NULL;
}

/* file, or file taken relative to the directory holding the config. */
static char *
conf_resolve(const char *confpath, const char *file)
{
	const char	*slash;
	char		*out;
	int		 dirlen;

	if (file[0] == '/' || (slash = strrchr(confpath, '/')) == NULL)
		return strdup(file);
	dirlen = (int)(slash - confpath);
	if (asprintf(&out, "%.*s/%s", dirlen, confpath, file) == -1)
		return NULL;
	return out;
}

/*
 * Reads a secret file into a malloc'ed string the caller owns, minus one
 * trailing newline.  Returns NULL with errno set (EFBIG: too large, EINVAL:
 * holds a NUL byte, ENODEV: not a regular file, which could block start-up).
 */
static char *
conf_read_secret(const char *file)
{
	struct stat	 st;
	char		*buf = NULL;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd, saved;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = ENODEV;
		goto fail;
	}
	if ((buf = malloc(SECRET_FILE_MAX + 1)) == NULL)
		goto fail;
	for (;;) {
		n = read(fd, buf + len, SECRET_FILE_MAX + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto fail;
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > SECRET_FILE_MAX) {
			errno = EFBIG;
			goto fail;
		}
	}
	if (memchr(buf, '\0', len) != NULL) {
		errno = EINVAL;
		goto fail;
	}
	/* One trailing newline, "\n" or "\r\n", ends the line, not the secret. */
	if (len > 0 && buf[len - 1] == '\n') {
		len--;
		if (len > 0 && buf[len - 1] == '\r')
			len--;
	}
	buf[len] = '\0';
	close(fd);
	return buf;
fail:
	saved = errno;
	if (buf != NULL) {
		conf_wipe(buf, len);
		free(buf);
	}
	close(fd);
	errno = saved;
	return NULL;
}

char *
hark_conf_read_secret(const char *file)
{
	return conf_read_secret(file);
}

static int
conf_secret_file(struct conf_parser *p, const struct conf_key *k,
    const char *file)
{
	char	*full, *secret;
	int	 rc;

	if (file[0] == '\0')
		return conf_fail(p, p->lineno, "%s_file must not be empty",
		    k->key);
	if ((full = conf_resolve(p->path, file)) == NULL)
		return conf_fail(p, p->lineno, "out of memory");
	if ((secret = conf_read_secret(full)) == NULL) {
		rc = conf_fail(p, p->lineno, "%s_file: cannot read %s: %s",
		    k->key, full, errno == EFBIG ? "larger than 64K" :
		    errno == EINVAL ? "holds a NUL byte" :
		    errno == ENODEV ? "not a regular file" : strerror(errno));
		free(full);
		return rc;
	}
	free(full);
	rc = conf_set_string(k, conf_field(p->conf, k), secret);
	conf_wipe(secret, strlen(secret));
	free(secret);
	if (rc == -1)
		return conf_fail(p, p->lineno, "out of memory");
	return 0;
}

static int
conf_assign(struct conf_parser *p, const char *key, const char *val)
{
	const struct conf_key	*k;
	const char		*bad;
	char			 why[160];
	size_t			 i;
	int			 via_file;

	if ((k = conf_find(p, key, &via_file)) == NULL)
		return conf_fail(p, p->lineno, "unknown key '%s' in [%s]", key,
		    p->section);
	i = (size_t)(k - conf_keys);
	if (p->seen[i] != 0 && p->via_file[i] != via_file)
		return conf_fail(p, p->lineno, "%s and %s_file are both set "
		    "(the other on line %lu)", k->key, k->key, p->seen[i]);
	if (p->seen[i] != 0)
		return conf_fail(p, p->lineno, "duplicate key '%s' in [%s] "
		    "(first set on line %lu)", key, p->section, p->seen[i]);
	p->seen[i] = p->lineno;
	p->via_file[i] = via_file;
	if (via_file)
		return conf_secret_file(p, k, val);
	if ((bad = conf_store(p->conf, k, val, why, sizeof(why))) == NULL)
		return 0;
	if (k->type == CONF_SECRET)
		return conf_fail(p, p->lineno, "bad value for %s: %s", key,
		    bad);
	return conf_fail(p, p->lineno, "bad value '%.80s' for %s: %s", val,
	    key, bad);
}

static int
conf_line(struct conf_parser *p, char *line)
{
	char	*s, *eq, *key, *val;

	s = trim(line);
	if (*s == '\0' || *s == '#' || *s == ';')
		return 0;
	if (*s == '[')
		return conf_section(p, s);
	if ((eq = strchr(s, '=')) == NULL)
		return conf_fail(p, p->lineno,
		    "expected 'key = value' or '[section]'");
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	if (*key == '\0')
		return conf_fail(p, p->lineno, "missing key before '='");
	if (p->section == NULL)
		return conf_fail(p, p->lineno,
		    "key '%s' outside of any [section]", key);
	if (conf_unquote(p, val) == -1)
		return -1;
	return conf_assign(p, key, val);
}

static int
conf_check_required(struct conf_parser *p)
{
	size_t	 i;

	for (i = 0; i < NKEYS; i++) {
		if (conf_keys[i].required && p->seen[i] == 0)
			return conf_fail(p, 0, "missing required key '%s' "
			    "in [%s]", conf_keys[i].key, conf_keys[i].section);
	}
	return 0;
}

static int
conf_read(struct conf_parser *p, FILE *fp)
{
	char	*line = NULL;
	size_t	 cap = 0;
	ssize_t	 n;
	int	 rc = -1;

	while ((n = getline(&line, &cap, fp)) != -1) {
		p->lineno++;
		if (memchr(line, '\0', (size_t)n) != NULL) {
			conf_fail(p, p->lineno, "NUL byte in line");
			goto out;
		}
		/* A UTF-8 byte order mark from an editor is not a key. */
		if (p->lineno == 1 && strncmp(line, "\xEF\xBB\xBF", 3) == 0)
			memmove(line, line + 3, (size_t)n - 2);
		if (conf_line(p, line) == -1)
			goto out;
	}
	if (ferror(fp)) {
		conf_fail(p, 0, "cannot read: %s", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	/* Lines may have held the database password. */
	if (line != NULL)
		conf_wipe(line, cap);
	free(line);
	return rc;
}

/* Whether the file set section.key. */
static int
conf_seen(const struct conf_parser *p, const char *section, const char *key)
{
	size_t	 i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(conf_keys[i].section, section) == 0 &&
		    strcmp(conf_keys[i].key, key) == 0)
			return p->seen[i] != 0;
	return 0;
}

int
hark_conf_load(const char *path, struct hark_conf *conf,
    struct hark_conf_err *err)
{
	struct conf_parser	 p;
	FILE			*fp;
	int			 rc = -1;

	memset(&p, 0, sizeof(p));
	p.path = path;
	p.conf = conf;
	p.err = err;
	if (err != NULL)
		err->msg[0] = '\0';
	if (hark_conf_defaults(conf) == -1)
		return conf_fail(&p, 0, "out of memory");
	if ((fp = fopen(path, "re")) == NULL) {
		conf_fail(&p, 0, "cannot open: %s", strerror(errno));
		goto out;
	}
	if (conf_read(&p, fp) == 0 && conf_check_required(&p) == 0) {
		rc = conf_widget_paths(conf, !conf_seen(&p, "widget",
		    "token_secret_file") ||
		    conf->widget_token_secret_file[0] == '\0');
		if (rc == -1)
			conf_fail(&p, 0, "out of memory");
	}
	fclose(fp);
out:
	if (rc == -1)
		hark_conf_free(conf);
	return rc;
}

int
hark_conf_defaults(struct hark_conf *conf)
{
	char	 why[160];
	size_t	 i;

	memset(conf, 0, sizeof(*conf));
	for (i = 0; i < NKEYS; i++) {
		if (conf_keys[i].def == NULL)
			continue;
		/* Only memory can fail here: the tests load every default. */
		if (conf_store(conf, &conf_keys[i], conf_keys[i].def, why,
		    sizeof(why)) != NULL) {
			hark_conf_free(conf);
			return -1;
		}
	}
	if (conf_widget_paths(conf, 0) == -1) {
		hark_conf_free(conf);
		return -1;
	}
	return 0;
}

void
hark_conf_free(struct hark_conf *conf)
{
	char	**field;
	size_t	  i;

	for (i = 0; i < NKEYS; i++) {
		if (conf_keys[i].type != CONF_STRING &&
		    conf_keys[i].type != CONF_SECRET)
			continue;
		field = conf_field(conf, &conf_keys[i]);
		if (*field != NULL && conf_keys[i].type == CONF_SECRET)
			conf_wipe(*field, strlen(*field));
		free(*field);
	}
	memset(conf, 0, sizeof(*conf));
}

const char *
hark_conf_default_path(void)
{
	const char	*env = getenv("HARK_CONFIG");

	if (env != NULL && env[0] != '\0')
		return env;
	return SYSCONFDIR "/hark/hark.conf";
}
