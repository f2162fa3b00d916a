/* test_conf.c: hark.conf: the shipped example, defaults, every type, every error. */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"

#ifndef TEST_SRCDIR
#define TEST_SRCDIR	"."
#endif

static char			 tmpdir[PATH_MAX];
static char			 conf_path[PATH_MAX];
static struct hark_conf		 conf;
static struct hark_conf_err	 err;

static void	fmt(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* snprintf that fails the test rather than truncate. */
static void
fmt(char *buf, size_t sz, const char *f, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, f);
	n = vsnprintf(buf, sz, f, ap);
	va_end(ap);
	ck_assert_msg(n >= 0 && (size_t)n < sz, "path too long");
}

/* Runs in each test's own process (CK_FORK): a fresh directory per test. */
static void
setup(void)
{
	const char	*base = getenv("TMPDIR");

	fmt(tmpdir, sizeof(tmpdir), "%s/hark-conf-XXXXXX",
	    base != NULL && base[0] != '\0' ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	fmt(conf_path, sizeof(conf_path), "%s/hark.conf", tmpdir);
	memset(&conf, 0, sizeof(conf));
	memset(&err, 0, sizeof(err));
}

static void
teardown(void)
{
	DIR		*d;
	struct dirent	*e;
	char		 p[PATH_MAX];

	hark_conf_free(&conf);
	if ((d = opendir(tmpdir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		fmt(p, sizeof(p), "%s/%s", tmpdir, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(tmpdir);
}

static void
write_file(const char *path, const char *text, size_t len)
{
	FILE	*fp;

	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	ck_assert_uint_eq(fwrite(text, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
}

/* Writes text as the config file and loads it into conf. */
static int
load(const char *text)
{
	write_file(conf_path, text, strlen(text));
	return hark_conf_load(conf_path, &conf, &err);
}

/* Loads text, which must be valid. */
static void
load_ok(const char *text)
{
	int	 rc = load(text);

	ck_assert_msg(rc == 0, "load failed: %s", err.msg);
}

static int
conf_is_zero(const struct hark_conf *c)
{
	static const struct hark_conf	 zero;

	return memcmp(c, &zero, sizeof(zero)) == 0;
}

/* Loading text fails with "conf_path:line: ...phrase..." and conf empty. */
static void
load_fails(const char *text, unsigned long line, const char *phrase)
{
	char	 prefix[PATH_MAX + 32];
	size_t	 n;

	ck_assert_int_eq(load(text), -1);
	fmt(prefix, sizeof(prefix), "%s:%lu: ", conf_path, line);
	n = strlen(prefix);
	ck_assert_msg(strncmp(err.msg, prefix, n) == 0,
	    "expected \"%s...\", got \"%s\"", prefix, err.msg);
	ck_assert_msg(strstr(err.msg + n, phrase) != NULL,
	    "expected \"%s\" in \"%s\"", phrase, err.msg);
	ck_assert(conf_is_zero(&conf));
}

#define DB	"[database]\nname = hark\n"

/* The shipped example ------------------------------------------------- */

START_TEST(loads_shipped_example)
{
	ck_assert_msg(hark_conf_load(TEST_SRCDIR "/conf/hark.conf.in", &conf,
	    &err) == 0, "%s", err.msg);
	ck_assert_str_eq(conf.db_name, "hark");
	ck_assert_int_eq(conf.workers, 8);
}
END_TEST

/*
 * Every "#key = value" line of the example shows a default.  Uncommented,
 * they must still load and give exactly the defaults of the code.
 */
START_TEST(shipped_example_shows_the_real_defaults)
{
	struct hark_conf	 def;
	FILE			*fp;
	char			 line[1024], *out = NULL;
	size_t			 outlen = 0;
	FILE			*mem;
	int			 uncommented = 0;

	ck_assert_ptr_nonnull(fp = fopen(TEST_SRCDIR "/conf/hark.conf.in",
	    "r"));
	ck_assert_ptr_nonnull(mem = open_memstream(&out, &outlen));
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (line[0] == '#' && line[1] >= 'a' && line[1] <= 'z') {
			fputs(line + 1, mem);
			uncommented++;
		} else
			fputs(line, mem);
	}
	fclose(fp);
	fclose(mem);
	ck_assert_int_ge(uncommented, 24);
	write_file(conf_path, out, outlen);
	free(out);
	ck_assert_msg(hark_conf_load(conf_path, &conf, &err) == 0, "%s",
	    err.msg);

	ck_assert_int_eq(hark_conf_defaults(&def), 0);
	ck_assert_str_eq(conf.listen, def.listen);
	ck_assert_int_eq(conf.workers, def.workers);
	ck_assert_int_eq(conf.max_requests, def.max_requests);
	ck_assert_int_eq(conf.shutdown_timeout, def.shutdown_timeout);
	ck_assert_int_eq(conf.commit_queue, def.commit_queue);
	ck_assert_int_eq(conf.commit_queue_max_rows, def.commit_queue_max_rows);
	ck_assert_uint_eq(conf.commit_queue_max_bytes,
	    def.commit_queue_max_bytes);
	ck_assert_int_eq(conf.commit_queue_timeout, def.commit_queue_timeout);
	ck_assert_int_eq(conf.commit_queue_writers, def.commit_queue_writers);
	ck_assert_int_eq(conf.listen_mode, def.listen_mode);
	ck_assert_str_eq(conf.listen_owner, def.listen_owner);
	ck_assert_str_eq(conf.listen_group, def.listen_group);
	ck_assert_str_eq(conf.trusted_proxies, def.trusted_proxies);
	ck_assert_str_eq(conf.base_path, def.base_path);
	ck_assert_uint_eq(conf.max_body, def.max_body);
	ck_assert_str_eq(conf.user, def.user);
	ck_assert_str_eq(conf.group, def.group);
	ck_assert_str_eq(conf.log_file, def.log_file);
	ck_assert_int_eq(conf.log_level, def.log_level);
	ck_assert_int_eq(conf.log_requests, def.log_requests);
	ck_assert_str_eq(conf.db_socket, def.db_socket);
	ck_assert_str_eq(conf.db_host, def.db_host);
	ck_assert_int_eq(conf.db_port, def.db_port);
	ck_assert_str_eq(conf.db_user, def.db_user);
	ck_assert_str_eq(conf.db_password, def.db_password);
	ck_assert_int_eq(conf.db_connect_timeout, def.db_connect_timeout);
	ck_assert_int_eq(conf.db_read_timeout, def.db_read_timeout);
	ck_assert_int_eq(conf.db_write_timeout, def.db_write_timeout);
	ck_assert_int_eq(conf.db_retries, def.db_retries);
	ck_assert_uint_eq(conf.max_json_body, def.max_json_body);
	ck_assert_int_eq(conf.rate_limit, def.rate_limit);
	ck_assert_int_eq(conf.auth_failures, def.auth_failures);
	ck_assert_int_eq(conf.cors_max_age, def.cors_max_age);
	ck_assert_int_eq(conf.webhook_allow_private, def.webhook_allow_private);
	ck_assert_str_eq(conf.webhook_allow_networks,
	    def.webhook_allow_networks);
	ck_assert_str_eq(conf.webhook_deny_networks, def.webhook_deny_networks);
	ck_assert_str_eq(conf.widget_token_secret_file,
	    def.widget_token_secret_file);
	ck_assert_str_eq(conf.widget_token_previous_secret_file,
	    def.widget_token_previous_secret_file);
	ck_assert_int_eq(conf.widget_token_ttl, def.widget_token_ttl);
	ck_assert_int_eq(conf.widget_dedup_window, def.widget_dedup_window);
	ck_assert_str_eq(conf.widget_captcha_verify_url,
	    def.widget_captcha_verify_url);
	ck_assert_int_eq(conf.widget_captcha_timeout, def.widget_captcha_timeout);
	ck_assert_str_eq(conf.enrich_backend, def.enrich_backend);
	ck_assert_str_eq(conf.enrich_openai_url, def.enrich_openai_url);
	ck_assert_str_eq(conf.enrich_openai_path, def.enrich_openai_path);
	ck_assert_str_eq(conf.enrich_openai_model, def.enrich_openai_model);
	ck_assert_str_eq(conf.enrich_openai_key, def.enrich_openai_key);
	ck_assert_int_eq(conf.enrich_openai_timeout, def.enrich_openai_timeout);
	ck_assert_str_eq(conf.enrich_prompt_file, def.enrich_prompt_file);
	ck_assert_str_eq(conf.transcribe_openai_url, def.transcribe_openai_url);
	ck_assert_str_eq(conf.transcribe_openai_path,
	    def.transcribe_openai_path);
	ck_assert_str_eq(conf.transcribe_openai_model,
	    def.transcribe_openai_model);
	ck_assert_str_eq(conf.transcribe_openai_key, def.transcribe_openai_key);
	ck_assert_int_eq(conf.transcribe_openai_timeout,
	    def.transcribe_openai_timeout);
	hark_conf_free(&def);
}
END_TEST

/* The openai backends' keys ([enrich], [transcribe] openai_*). */
START_TEST(openai_keys_defaults_and_checks)
{
	ck_assert_int_eq(hark_conf_defaults(&conf), 0);
	ck_assert_str_eq(conf.enrich_backend, "builtin");
	ck_assert_str_eq(conf.enrich_openai_path, "/v1/chat/completions");
	ck_assert_str_eq(conf.enrich_prompt_file,
	    PKGDATADIR "/enrich-openai.json");
	ck_assert_str_eq(conf.transcribe_openai_path,
	    "/v1/audio/transcriptions");
	ck_assert_str_eq(conf.transcribe_openai_model, "whisper-1");
	hark_conf_free(&conf);

	load_ok(DB "[enrich]\nbackend = openai\nopenai_url = "
	    "http://127.0.0.1:8080\nopenai_timeout = 5\n");
	ck_assert_str_eq(conf.enrich_backend, "openai");
	ck_assert_str_eq(conf.enrich_openai_url, "http://127.0.0.1:8080");
	ck_assert_int_eq(conf.enrich_openai_timeout, 5);
	hark_conf_free(&conf);

	load_fails(DB "[enrich]\nbackend = gpt\n", 4, "must be builtin or "
	    "openai");
	load_fails(DB "[enrich]\nopenai_path = v1/chat\n", 4,
	    "must start with '/'");
	load_fails(DB "[transcribe]\nopenai_url = api.openai.com\n", 4,
	    "http:// or https://");
	load_fails(DB "[transcribe]\nopenai_timeout = 0\n", 4, "1 to 3600");
	load_fails(DB "[enrich]\nprompt_file = enrich.json\n", 4,
	    "absolute path");
}
END_TEST

/* [email] (batch/email.c): defaults, every value, every bad one. */
START_TEST(email_keys_defaults_and_checks)
{
	ck_assert_int_eq(hark_conf_defaults(&conf), 0);
	ck_assert_str_eq(conf.email_backend, "none");
	ck_assert_str_eq(conf.email_from, "");
	ck_assert_str_eq(conf.email_unsubscribe, "");
	ck_assert_str_eq(conf.email_template_dir, PKGDATADIR);
	ck_assert_str_eq(conf.email_smtp_url, "smtp://localhost");
	ck_assert_str_eq(conf.email_smtp_starttls, "yes");
	ck_assert_str_eq(conf.email_resend_url, "https://api.resend.com");
	ck_assert_str_eq(conf.email_resend_key, "");
	ck_assert_int_eq(conf.email_timeout, 30);
	hark_conf_free(&conf);

	load_ok(DB "[email]\nbackend = smtp\nfrom = fb@example.com\n"
	    "from_name = Example \"Feedback\"\nunsubscribe = "
	    "mailto:u@example.com, https://example.com/u?e={{email}}\n"
	    "smtp_url = smtps://mail.example.com:465\nsmtp_starttls = "
	    "required\nsmtp_user = hark\nsmtp_password = pw\n"
	    "item_url = https://inbox.example.com/{{id}}\ntimeout = 10\n"
	    "template_dir = /etc/hark/mail\n");
	ck_assert_str_eq(conf.email_backend, "smtp");
	ck_assert_str_eq(conf.email_from, "fb@example.com");
	ck_assert_str_eq(conf.email_smtp_url, "smtps://mail.example.com:465");
	ck_assert_str_eq(conf.email_smtp_starttls, "required");
	ck_assert_str_eq(conf.email_smtp_password, "pw");
	ck_assert_str_eq(conf.email_item_url, "https://inbox.example.com/{{id}}");
	ck_assert_int_eq(conf.email_timeout, 10);
	hark_conf_free(&conf);

	load_fails(DB "[email]\nbackend = sendmail\n", 4,
	    "must be none, smtp or resend");
	load_fails(DB "[email]\nfrom = Feedback <fb@example.com>\n", 4,
	    "must be an address");
	load_fails(DB "[email]\nfrom = fb@a@example.com\n", 4,
	    "must be an address");
	load_fails(DB "[email]\nunsubscribe = http://example.com/u\n", 4,
	    "mailto: or https:");
	load_fails(DB "[email]\nunsubscribe = <https://example.com/u>\n", 4,
	    "mailto: or https:");
	load_fails(DB "[email]\nunsubscribe = https://example.com/<u>\n", 4,
	    "'<'");
	load_fails(DB "[email]\nsmtp_url = http://mail.example.com\n", 4,
	    "smtp:// or smtps://");
	load_fails(DB "[email]\nsmtp_starttls = maybe\n", 4,
	    "no, yes or required");
	load_fails(DB "[email]\nitem_url = ftp://example.com\n", 4,
	    "http:// or https://");
	load_fails(DB "[email]\ntemplate_dir = mail\n", 4, "absolute path");
	load_fails(DB "[email]\ntimeout = 0\n", 4, "1 to 600");
	load_fails(DB "[email]\nresend_url = api.resend.com\n", 4,
	    "http:// or https://");
}
END_TEST

/* A key is set from its file, and never echoed when it is wrong. */
START_TEST(openai_key_file_is_read_and_never_echoed)
{
	char	 keyfile[PATH_MAX + 32], text[PATH_MAX + 128];

	snprintf(keyfile, sizeof(keyfile), "%s.key", conf_path);
	write_file(keyfile, "sk-from-file\n", 13);
	snprintf(text, sizeof(text), DB "[transcribe]\nopenai_key_file = %s\n"
	    "[enrich]\nopenai_key = sk-inline\n", keyfile);
	load_ok(text);
	ck_assert_str_eq(conf.transcribe_openai_key, "sk-from-file");
	ck_assert_str_eq(conf.enrich_openai_key, "sk-inline");
	hark_conf_free(&conf);
	snprintf(text, sizeof(text), DB "[enrich]\nopenai_key = sk-inline\n"
	    "openai_key_file = %s\n", keyfile);
	load_fails(text, 5, "openai_key and openai_key_file are both set");
	ck_assert_ptr_null(strstr(err.msg, "sk-inline"));
	unlink(keyfile);
}
END_TEST

/* Defaults ------------------------------------------------------------ */

START_TEST(defaults_fill_every_field)
{
	ck_assert_int_eq(hark_conf_defaults(&conf), 0);
	ck_assert_str_eq(conf.listen, "");
	ck_assert_int_eq(conf.workers, 8);
	ck_assert_int_eq(conf.max_requests, 10000);
	ck_assert_int_eq(conf.shutdown_timeout, 30);
	ck_assert_int_eq(conf.listen_mode, 0660);
	ck_assert_str_eq(conf.base_path, "");
	ck_assert_uint_eq(conf.max_body, 50 * 1024 * 1024);
	ck_assert_str_eq(conf.user, "");
	ck_assert_str_eq(conf.group, "");
	ck_assert_str_eq(conf.state_dir, LOCALSTATEDIR "/lib/hark");
	ck_assert_str_eq(conf.media_dir, LOCALSTATEDIR "/lib/hark/media");
	ck_assert_str_eq(conf.log_file, "");
	ck_assert_int_eq(conf.log_level, HARK_LOG_INFO);
	ck_assert_int_eq(conf.log_requests, 1);
	ck_assert_str_eq(conf.db_socket, "/run/mysqld/mysqld.sock");
	ck_assert_str_eq(conf.db_host, "");
	ck_assert_int_eq(conf.db_port, 3306);
	ck_assert_ptr_null(conf.db_name);
	ck_assert_str_eq(conf.db_user, "hark");
	ck_assert_str_eq(conf.db_password, "");
	ck_assert_int_eq(conf.db_connect_timeout, 2);
	ck_assert_int_eq(conf.db_read_timeout, 10);
	ck_assert_int_eq(conf.db_write_timeout, 10);
	ck_assert_int_eq(conf.db_retries, 3);
	ck_assert_uint_eq(conf.max_json_body, 64 * 1024);
	ck_assert_int_eq(conf.rate_limit, 100);
	ck_assert_int_eq(conf.auth_failures, 30);
	ck_assert_int_eq(conf.cors_max_age, 600);
}
END_TEST

START_TEST(minimal_file_gets_defaults)
{
	load_ok(DB);
	ck_assert_str_eq(conf.db_name, "hark");
	ck_assert_int_eq(conf.workers, 8);
	ck_assert_uint_eq(conf.max_json_body, 64 * 1024);
	ck_assert_str_eq(conf.state_dir, LOCALSTATEDIR "/lib/hark");
	ck_assert_ptr_nonnull(conf.listen);
	ck_assert_ptr_nonnull(conf.user);
	ck_assert_ptr_nonnull(conf.db_host);
	ck_assert_ptr_nonnull(conf.db_password);
}
END_TEST

START_TEST(reads_a_value_for_every_key)
{
	load_ok("[server]\n"
	    "listen = unix:/run/hark/hark.sock\n"
	    "workers = 16\n"
	    "max_requests = 0\n"
	    "shutdown_timeout = 5\n"
	    "socket_mode = 0600\n"
	    "base_path = /feedback\n"
	    "max_body = 10M\n"
	    "user = www-data\n"
	    "group = www-data\n"
	    "state_dir = /srv/hark\n"
	    "media_dir = /srv/hark/media\n"
	    "[log]\n"
	    "file = /var/log/hark.log\n"
	    "level = debug\n"
	    "requests = yes\n"
	    "[database]\n"
	    "socket = \n"
	    "host = db1.internal\n"
	    "port = 3307\n"
	    "name = feedback\n"
	    "user = fb\n"
	    "password = pw\n"
	    "connect_timeout = 3\n"
	    "read_timeout = 20\n"
	    "write_timeout = 30\n"
	    "retries = 5\n"
	    "[limits]\n"
	    "max_json_body = 128K\n"
	    "rate_limit = 1000\n"
	    "[cors]\n"
	    "max_age = 0\n");
	ck_assert_str_eq(conf.listen, "unix:/run/hark/hark.sock");
	ck_assert_int_eq(conf.workers, 16);
	ck_assert_int_eq(conf.max_requests, 0);
	ck_assert_int_eq(conf.shutdown_timeout, 5);
	ck_assert_int_eq(conf.listen_mode, 0600);
	ck_assert_str_eq(conf.base_path, "/feedback");
	ck_assert_uint_eq(conf.max_body, 10 * 1024 * 1024);
	ck_assert_str_eq(conf.user, "www-data");
	ck_assert_str_eq(conf.group, "www-data");
	ck_assert_str_eq(conf.state_dir, "/srv/hark");
	ck_assert_str_eq(conf.media_dir, "/srv/hark/media");
	ck_assert_str_eq(conf.log_file, "/var/log/hark.log");
	ck_assert_int_eq(conf.log_level, HARK_LOG_DEBUG);
	ck_assert_int_eq(conf.log_requests, 1);
	ck_assert_str_eq(conf.db_socket, "");
	ck_assert_str_eq(conf.db_host, "db1.internal");
	ck_assert_int_eq(conf.db_port, 3307);
	ck_assert_str_eq(conf.db_name, "feedback");
	ck_assert_str_eq(conf.db_user, "fb");
	ck_assert_str_eq(conf.db_password, "pw");
	ck_assert_int_eq(conf.db_connect_timeout, 3);
	ck_assert_int_eq(conf.db_read_timeout, 20);
	ck_assert_int_eq(conf.db_write_timeout, 30);
	ck_assert_int_eq(conf.db_retries, 5);
	ck_assert_uint_eq(conf.max_json_body, 128 * 1024);
	ck_assert_int_eq(conf.rate_limit, 1000);
	ck_assert_int_eq(conf.cors_max_age, 0);
}
END_TEST

START_TEST(default_path_follows_hark_config)
{
	setenv("HARK_CONFIG", "/tmp/other.conf", 1);
	ck_assert_str_eq(hark_conf_default_path(), "/tmp/other.conf");
}
END_TEST

START_TEST(default_path_ignores_empty_hark_config)
{
	setenv("HARK_CONFIG", "", 1);
	ck_assert_str_eq(hark_conf_default_path(),
	    SYSCONFDIR "/hark/hark.conf");
	unsetenv("HARK_CONFIG");
	ck_assert_str_eq(hark_conf_default_path(),
	    SYSCONFDIR "/hark/hark.conf");
}
END_TEST

/* File-level errors (line 0) -------------------------------------------- */

START_TEST(rejects_missing_file)
{
	ck_assert_int_eq(hark_conf_load(TEST_SRCDIR "/no/such/hark.conf",
	    &conf, &err), -1);
	ck_assert_str_eq(err.msg, TEST_SRCDIR "/no/such/hark.conf:0: "
	    "cannot open: No such file or directory");
	ck_assert(conf_is_zero(&conf));
}
END_TEST

START_TEST(rejects_directory_as_file)
{
	char	 prefix[PATH_MAX + 8];

	ck_assert_int_eq(hark_conf_load(tmpdir, &conf, &err), -1);
	fmt(prefix, sizeof(prefix), "%s:0: ", tmpdir);
	ck_assert_msg(strncmp(err.msg, prefix, strlen(prefix)) == 0, "%s",
	    err.msg);
}
END_TEST

START_TEST(rejects_missing_database_name)
{
	load_fails("[server]\nworkers = 2\n", 0,
	    "missing required key 'name' in [database]");
}
END_TEST

START_TEST(rejects_empty_file_for_missing_name)
{
	load_fails("", 0, "missing required key 'name'");
}
END_TEST

START_TEST(failure_without_err_still_returns_minus_one)
{
	write_file(conf_path, "[nope]\n", 7);
	ck_assert_int_eq(hark_conf_load(conf_path, &conf, NULL), -1);
	ck_assert(conf_is_zero(&conf));
}
END_TEST

/* Syntax ------------------------------------------------------------------ */

START_TEST(rejects_line_without_equals)
{
	load_fails(DB "[server]\nworkers 4\n", 4, "expected 'key = value'");
}
END_TEST

START_TEST(rejects_unterminated_section_header)
{
	load_fails(DB "\n[server\nworkers = 4\n", 4,
	    "unterminated section header");
}
END_TEST

START_TEST(rejects_text_after_section_header)
{
	load_fails(DB "[server] # main\n", 3,
	    "unexpected text after the section header");
}
END_TEST

START_TEST(rejects_key_before_any_section)
{
	load_fails("workers = 4\n" DB, 1, "outside of any [section]");
}
END_TEST

START_TEST(rejects_missing_key_before_equals)
{
	load_fails(DB " = hark\n", 3, "missing key");
}
END_TEST

START_TEST(rejects_nul_byte)
{
	write_file(conf_path, DB "user = a\0b\n", sizeof(DB "user = a\0b\n") - 1);
	ck_assert_int_eq(hark_conf_load(conf_path, &conf, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, ":3: NUL byte"));
}
END_TEST

START_TEST(ignores_comments_and_blank_lines)
{
	load_ok("# a comment\n"
	    "; another\n"
	    "\n"
	    "   \t\n"
	    "[server]\n"
	    "   # indented comment\n"
	    "\t; indented too\n"
	    "#workers = 99\n"
	    "workers = 8\n"
	    DB);
	ck_assert_int_eq(conf.workers, 8);
}
END_TEST

START_TEST(trims_whitespace_around_keys_values_and_headers)
{
	load_ok("  [ server ]  \n\tworkers\t=\t  8  \n" DB "  user   =  fb \n");
	ck_assert_int_eq(conf.workers, 8);
	ck_assert_str_eq(conf.db_user, "fb");
}
END_TEST

START_TEST(hash_after_a_value_is_part_of_it)
{
	load_ok(DB "password = pa#ss ;word\n");
	ck_assert_str_eq(conf.db_password, "pa#ss ;word");
}
END_TEST

START_TEST(accepts_crlf_line_endings)
{
	load_ok("[server]\r\nworkers = 7\r\n[database]\r\nname = hark\r\n");
	ck_assert_int_eq(conf.workers, 7);
	ck_assert_str_eq(conf.db_name, "hark");
}
END_TEST

START_TEST(accepts_utf8_byte_order_mark)
{
	load_ok("\xEF\xBB\xBF" DB);
	ck_assert_str_eq(conf.db_name, "hark");
}
END_TEST

START_TEST(value_may_contain_equals_sign)
{
	load_ok(DB "password = a=b=c\n");
	ck_assert_str_eq(conf.db_password, "a=b=c");
}
END_TEST

/* Quoting ----------------------------------------------------------------- */

START_TEST(quoted_value_keeps_spaces_and_comment_chars)
{
	load_ok(DB "password = \"  # not a comment ; \"\n");
	ck_assert_str_eq(conf.db_password, "  # not a comment ; ");
}
END_TEST

START_TEST(quoted_value_unescapes_quote_and_backslash)
{
	load_ok(DB "password = \"a\\\"b\\\\c\\d\"\n");
	ck_assert_str_eq(conf.db_password, "a\"b\\c\\d");
}
END_TEST

START_TEST(quoted_number_is_a_number)
{
	load_ok("[server]\nworkers = \"12\"\n" DB);
	ck_assert_int_eq(conf.workers, 12);
}
END_TEST

START_TEST(quoted_empty_value_is_empty)
{
	load_ok(DB "host = \"\"\n");
	ck_assert_str_eq(conf.db_host, "");
}
END_TEST

START_TEST(rejects_unterminated_quote)
{
	load_fails(DB "password = \"abc\n", 3, "unterminated quoted value");
}
END_TEST

START_TEST(rejects_text_after_closing_quote)
{
	load_fails(DB "user = \"hark\" # the user\n", 3,
	    "unexpected text after the closing quote");
}
END_TEST

/* Unknown and duplicate --------------------------------------------------- */

START_TEST(rejects_unknown_section)
{
	load_fails(DB "\n[serverr]\nworkers = 4\n", 4,
	    "unknown section [serverr]");
}
END_TEST

START_TEST(rejects_unknown_key)
{
	load_fails("[server]\nworker = 4\n" DB, 2,
	    "unknown key 'worker' in [server]");
}
END_TEST

START_TEST(rejects_key_of_another_section)
{
	load_fails(DB "workers = 4\n", 3, "unknown key 'workers' in [database]");
}
END_TEST

START_TEST(rejects_keys_in_upper_case)
{
	load_fails("[server]\nWorkers = 4\n" DB, 2, "unknown key 'Workers'");
}
END_TEST

START_TEST(rejects_file_form_of_a_non_secret)
{
	load_fails(DB "user_file = /etc/passwd\n", 3,
	    "unknown key 'user_file' in [database]");
}
END_TEST

START_TEST(rejects_duplicate_key)
{
	load_fails("[server]\nworkers = 4\nmax_body = 1M\nworkers = 5\n" DB, 4,
	    "duplicate key 'workers' in [server] (first set on line 2)");
}
END_TEST

START_TEST(rejects_duplicate_key_in_reopened_section)
{
	load_fails("[server]\nworkers = 4\n" DB "[server]\nworkers = 4\n", 6,
	    "duplicate key 'workers' in [server] (first set on line 2)");
}
END_TEST

START_TEST(allows_reopened_section_with_other_keys)
{
	load_ok("[server]\nworkers = 4\n" DB "[server]\nmax_body = 1M\n");
	ck_assert_int_eq(conf.workers, 4);
	ck_assert_uint_eq(conf.max_body, 1024 * 1024);
}
END_TEST

START_TEST(same_key_name_in_two_sections_is_no_duplicate)
{
	load_ok("[server]\nuser = www-data\n[database]\nuser = fb\nname = x\n");
	ck_assert_str_eq(conf.user, "www-data");
	ck_assert_str_eq(conf.db_user, "fb");
}
END_TEST

/* Integers and bounds ----------------------------------------------------- */

START_TEST(rejects_non_numeric_integer)
{
	load_fails("[server]\nworkers = four\n" DB, 2,
	    "bad value 'four' for workers: expected an integer from 1 to 256");
}
END_TEST

START_TEST(rejects_integer_with_trailing_text)
{
	load_fails("[server]\nworkers = 4x\n" DB, 2, "bad value '4x'");
}
END_TEST

START_TEST(rejects_empty_integer)
{
	load_fails("[server]\nworkers =\n" DB, 2, "bad value '' for workers");
}
END_TEST

START_TEST(workers_bounds_are_inclusive)
{
	load_ok("[server]\nworkers = 256\n" DB);
	ck_assert_int_eq(conf.workers, 256);
	hark_conf_free(&conf);
	load_ok("[server]\nworkers = 1\n" DB);
	ck_assert_int_eq(conf.workers, 1);
}
END_TEST

START_TEST(rejects_zero_workers)
{
	load_fails("[server]\nworkers = 0\n" DB, 2, "from 1 to 256");
}
END_TEST

START_TEST(rejects_workers_above_256)
{
	load_fails("[server]\nworkers = 257\n" DB, 2, "from 1 to 256");
}
END_TEST

START_TEST(rejects_integer_overflow)
{
	load_fails("[server]\nmax_requests = 99999999999999999999999\n" DB, 2,
	    "bad value '99999999999999999999999' for max_requests");
}
END_TEST

START_TEST(rejects_negative_max_requests)
{
	load_fails("[server]\nmax_requests = -1\n" DB, 2, "expected an integer");
}
END_TEST

START_TEST(rejects_retries_above_10)
{
	load_fails(DB "retries = 11\n", 3, "from 1 to 10");
}
END_TEST

START_TEST(rejects_zero_rate_limit)
{
	load_fails("[limits]\nrate_limit = 0\n" DB, 2, "from 1 to 1000000");
}
END_TEST

START_TEST(rejects_port_out_of_range)
{
	load_fails(DB "port = 65536\n", 3, "from 1 to 65535");
}
END_TEST

START_TEST(rejects_zero_read_timeout)
{
	load_fails(DB "read_timeout = 0\n", 3,
	    "expected a number of seconds from 1 to 3600");
}
END_TEST

START_TEST(rejects_hex_integer)
{
	load_fails("[server]\nworkers = 0x10\n" DB, 2, "bad value '0x10'");
}
END_TEST

/* Sizes -------------------------------------------------------------------- */

START_TEST(parses_size_in_kilobytes)
{
	load_ok("[limits]\nmax_json_body = 100K\n" DB);
	ck_assert_uint_eq(conf.max_json_body, 100 * 1024);
}
END_TEST

START_TEST(parses_size_in_megabytes)
{
	load_ok("[limits]\nmax_json_body = 3M\n" DB);
	ck_assert_uint_eq(conf.max_json_body, 3 * 1024 * 1024);
}
END_TEST

START_TEST(parses_size_in_gigabytes)
{
	load_ok("[server]\nmax_body = 1G\n" DB);
	ck_assert_uint_eq(conf.max_body, 1024UL * 1024 * 1024);
}
END_TEST

START_TEST(parses_lower_case_size_suffix)
{
	load_ok("[server]\nmax_body = 5m\n" DB);
	ck_assert_uint_eq(conf.max_body, 5 * 1024 * 1024);
}
END_TEST

START_TEST(parses_size_in_plain_bytes)
{
	load_ok("[limits]\nmax_json_body = 5000\n" DB);
	ck_assert_uint_eq(conf.max_json_body, 5000);
}
END_TEST

START_TEST(rejects_unknown_size_suffix)
{
	load_fails("[server]\nmax_body = 10T\n" DB, 2,
	    "bad value '10T' for max_body: expected a size in bytes");
}
END_TEST

START_TEST(rejects_size_suffix_with_unit_b)
{
	load_fails("[server]\nmax_body = 10MB\n" DB, 2, "bad value '10MB'");
}
END_TEST

START_TEST(rejects_bare_size_suffix)
{
	load_fails("[server]\nmax_body = M\n" DB, 2, "bad value 'M'");
}
END_TEST

START_TEST(rejects_negative_size)
{
	load_fails("[server]\nmax_body = -1M\n" DB, 2, "bad value '-1M'");
}
END_TEST

START_TEST(rejects_size_above_maximum)
{
	load_fails("[server]\nmax_body = 2G\n" DB, 2, "from 1K to 1G");
}
END_TEST

START_TEST(rejects_size_below_minimum)
{
	load_fails("[limits]\nmax_json_body = 1023\n" DB, 2, "from 1K to 16M");
}
END_TEST

START_TEST(rejects_size_that_overflows)
{
	load_fails("[server]\nmax_body = 9999999999999999G\n" DB, 2,
	    "bad value '9999999999999999G'");
}
END_TEST

/* Booleans, modes, log levels --------------------------------------------- */

START_TEST(accepts_every_boolean_form)
{
	static const struct {
		const char	*s;
		int		 v;
	} forms[] = {
		{ "yes", 1 }, { "true", 1 }, { "on", 1 }, { "1", 1 },
		{ "no", 0 }, { "false", 0 }, { "off", 0 }, { "0", 0 },
		{ "YES", 1 }, { "Off", 0 }, { "TRUE", 1 },
	};
	char	 text[128];
	size_t	 i;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		fmt(text, sizeof(text), "[log]\nrequests = %s\n" DB,
		    forms[i].s);
		load_ok(text);
		ck_assert_msg(conf.log_requests == forms[i].v, "%s -> %d",
		    forms[i].s, conf.log_requests);
		hark_conf_free(&conf);
	}
}
END_TEST

START_TEST(rejects_bad_boolean)
{
	load_fails("[log]\nrequests = maybe\n" DB, 2,
	    "bad value 'maybe' for requests: expected yes, no");
}
END_TEST

START_TEST(parses_octal_socket_mode)
{
	load_ok("[server]\nsocket_mode = 0640\n" DB);
	ck_assert_int_eq(conf.listen_mode, 0640);
}
END_TEST

START_TEST(parses_socket_mode_without_leading_zero_as_octal)
{
	load_ok("[server]\nsocket_mode = 600\n" DB);
	ck_assert_int_eq(conf.listen_mode, 0600);
}
END_TEST

START_TEST(rejects_non_octal_mode)
{
	load_fails("[server]\nsocket_mode = 0689\n" DB, 2,
	    "bad value '0689' for socket_mode: expected an octal mode");
}
END_TEST

START_TEST(rejects_mode_with_special_bits)
{
	load_fails("[server]\nsocket_mode = 4755\n" DB, 2, "from 0 to 0777");
}
END_TEST

START_TEST(parses_listen_mode_owner_and_group)
{
	load_ok("[server]\nlisten_mode = 0640\nlisten_owner = hark\n"
	    "listen_group = www-data\n" DB);
	ck_assert_int_eq(conf.listen_mode, 0640);
	ck_assert_str_eq(conf.listen_owner, "hark");
	ck_assert_str_eq(conf.listen_group, "www-data");
}
END_TEST

START_TEST(listen_mode_and_its_old_name_socket_mode_are_one_key)
{
	load_fails("[server]\nlisten_mode = 0640\nsocket_mode = 0600\n" DB,
	    3, "duplicate key 'socket_mode'");
}
END_TEST

START_TEST(parses_trusted_proxies)
{
	load_ok("[server]\ntrusted_proxies = 10.0.0.0/8, ::1 192.0.2.1\n" DB);
	ck_assert_str_eq(conf.trusted_proxies, "10.0.0.0/8, ::1 192.0.2.1");
}
END_TEST

START_TEST(rejects_a_bad_trusted_proxy_naming_key_and_entry)
{
	load_fails("[server]\ntrusted_proxies = 10.0.0.0/8, 10.0.0.0/33\n" DB,
	    2, "for trusted_proxies: '10.0.0.0/33' is not an IPv4 or IPv6");
	load_fails("[server]\ntrusted_proxies = proxy.example.com\n" DB,
	    2, "for trusted_proxies: 'proxy.example.com'");
}
END_TEST

START_TEST(parses_every_log_level)
{
	static const struct {
		const char	*s;
		int		 v;
	} levels[] = {
		{ "error", HARK_LOG_ERR }, { "warn", HARK_LOG_WARN },
		{ "info", HARK_LOG_INFO }, { "debug", HARK_LOG_DEBUG },
	};
	char	 text[128];
	size_t	 i;

	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		fmt(text, sizeof(text), "[log]\nlevel = %s\n" DB,
		    levels[i].s);
		load_ok(text);
		ck_assert_int_eq(conf.log_level, levels[i].v);
		hark_conf_free(&conf);
	}
}
END_TEST

START_TEST(rejects_unknown_log_level)
{
	load_fails("[log]\nlevel = verbose\n" DB, 2,
	    "expected error, warn, info or debug");
}
END_TEST

/* String checks ------------------------------------------------------------ */

START_TEST(accepts_base_path_with_leading_slash)
{
	load_ok("[server]\nbase_path = /api/feedback\n" DB);
	ck_assert_str_eq(conf.base_path, "/api/feedback");
}
END_TEST

START_TEST(rejects_base_path_with_trailing_slash)
{
	load_fails("[server]\nbase_path = /feedback/\n" DB, 2,
	    "must be empty or start with '/' and not end with '/'");
}
END_TEST

START_TEST(rejects_base_path_of_a_lone_slash)
{
	load_fails("[server]\nbase_path = /\n" DB, 2, "not end with '/'");
}
END_TEST

START_TEST(rejects_relative_base_path)
{
	load_fails("[server]\nbase_path = feedback\n" DB, 2,
	    "start with '/'");
}
END_TEST

START_TEST(rejects_relative_state_dir)
{
	load_fails("[server]\nstate_dir = var/hark\n" DB, 2,
	    "must be an absolute path");
}
END_TEST

START_TEST(rejects_relative_log_file)
{
	load_fails("[log]\nfile = hark.log\n" DB, 2,
	    "must be empty or an absolute path");
}
END_TEST

START_TEST(rejects_empty_database_name)
{
	load_fails("[database]\nname =\n", 2, "must not be empty");
}
END_TEST

/* Secrets ------------------------------------------------------------------ */

static void
secret_file(const char *name, const char *text, char *path, size_t sz)
{
	fmt(path, sz, "%s/%s", tmpdir, name);
	write_file(path, text, strlen(text));
}

START_TEST(reads_password_file_and_strips_one_newline)
{
	char	 pw[PATH_MAX], text[PATH_MAX + 64];

	secret_file("db.pw", "s3cret\n\n", pw, sizeof(pw));
	fmt(text, sizeof(text), DB "password_file = %s\n", pw);
	load_ok(text);
	ck_assert_str_eq(conf.db_password, "s3cret\n");
}
END_TEST

START_TEST(reads_password_file_without_newline)
{
	char	 pw[PATH_MAX], text[PATH_MAX + 64];

	secret_file("db.pw", " s3cret ", pw, sizeof(pw));
	fmt(text, sizeof(text), DB "password_file = %s\n", pw);
	load_ok(text);
	ck_assert_str_eq(conf.db_password, " s3cret ");
}
END_TEST

START_TEST(strips_crlf_from_password_file)
{
	char	 pw[PATH_MAX], text[PATH_MAX + 64];

	secret_file("db.pw", "s3cret\r\n", pw, sizeof(pw));
	fmt(text, sizeof(text), DB "password_file = %s\n", pw);
	load_ok(text);
	ck_assert_str_eq(conf.db_password, "s3cret");
}
END_TEST

START_TEST(reads_empty_password_file_as_no_password)
{
	char	 pw[PATH_MAX], text[PATH_MAX + 64];

	secret_file("db.pw", "", pw, sizeof(pw));
	fmt(text, sizeof(text), DB "password_file = %s\n", pw);
	load_ok(text);
	ck_assert_str_eq(conf.db_password, "");
}
END_TEST

START_TEST(takes_relative_password_file_from_config_dir)
{
	char	 pw[PATH_MAX];

	secret_file("db.pw", "rel\n", pw, sizeof(pw));
	load_ok(DB "password_file = db.pw\n");
	ck_assert_str_eq(conf.db_password, "rel");
}
END_TEST

/* A FIFO (or a tty, or /dev/zero) would hang or flood start-up. */
START_TEST(rejects_password_file_that_is_not_a_regular_file)
{
	load_fails(DB "password_file = /dev/zero\n", 3, "not a regular file");
}
END_TEST

START_TEST(rejects_password_then_password_file)
{
	char	 pw[PATH_MAX], text[PATH_MAX + 64];

	secret_file("db.pw", "a\n", pw, sizeof(pw));
	fmt(text, sizeof(text), DB "password = b\npassword_file = %s\n",
	    pw);
	load_fails(text, 4, "password and password_file are both set "
	    "(the other on line 3)");
}
END_TEST

START_TEST(rejects_password_file_then_password)
{
	char	 pw[PATH_MAX], text[PATH_MAX + 64];

	secret_file("db.pw", "a\n", pw, sizeof(pw));
	fmt(text, sizeof(text), DB "password_file = %s\npassword = b\n",
	    pw);
	load_fails(text, 4, "password and password_file are both set");
}
END_TEST

START_TEST(rejects_password_file_twice)
{
	char	 pw[PATH_MAX], text[2 * PATH_MAX + 64];

	secret_file("db.pw", "a\n", pw, sizeof(pw));
	fmt(text, sizeof(text),
	    DB "password_file = %s\npassword_file = %s\n", pw, pw);
	load_fails(text, 4, "duplicate key 'password_file'");
}
END_TEST

START_TEST(rejects_unreadable_password_file_naming_it)
{
	char	 text[PATH_MAX + 64], phrase[PATH_MAX + 64];

	fmt(text, sizeof(text), DB "password_file = %s/missing.pw\n",
	    tmpdir);
	fmt(phrase, sizeof(phrase), "password_file: cannot read "
	    "%s/missing.pw: No such file or directory", tmpdir);
	load_fails(text, 3, phrase);
}
END_TEST

START_TEST(rejects_empty_password_file_path)
{
	load_fails(DB "password_file =\n", 3, "password_file must not be empty");
}
END_TEST

START_TEST(rejects_password_file_with_nul_byte)
{
	char	 pw[PATH_MAX], text[PATH_MAX + 64];

	fmt(pw, sizeof(pw), "%s/db.pw", tmpdir);
	write_file(pw, "a\0b", 3);
	fmt(text, sizeof(text), DB "password_file = %s\n", pw);
	load_fails(text, 3, "holds a NUL byte");
}
END_TEST

START_TEST(rejects_oversized_password_file)
{
	char	 pw[PATH_MAX], text[PATH_MAX + 64], *big;
	size_t	 n = 64 * 1024 + 1;

	ck_assert_ptr_nonnull(big = malloc(n));
	memset(big, 'x', n);
	fmt(pw, sizeof(pw), "%s/db.pw", tmpdir);
	write_file(pw, big, n);
	free(big);
	fmt(text, sizeof(text), DB "password_file = %s\n", pw);
	load_fails(text, 3, "larger than 64K");
}
END_TEST

/* Reloading --------------------------------------------------------------- */

START_TEST(loads_twice_into_separate_structs)
{
	struct hark_conf	 second;

	load_ok("[server]\nworkers = 2\n" DB);
	ck_assert_int_eq(hark_conf_load(conf_path, &second, &err), 0);
	ck_assert_int_eq(second.workers, 2);
	ck_assert_ptr_ne(second.db_name, conf.db_name);
	hark_conf_free(&second);
	ck_assert(conf_is_zero(&second));
}
END_TEST

/* [widget] (issue 15) ------------------------------------------------ */

START_TEST(widget_defaults)
{
	load_ok(DB);
	ck_assert_str_eq(conf.widget_token_secret_file,
	    LOCALSTATEDIR "/lib/hark/token.secret");
	ck_assert_str_eq(conf.widget_token_previous_secret_file, "");
	ck_assert_int_eq(conf.widget_token_ttl, 1800);
	ck_assert_int_eq(conf.widget_dedup_window, 600);
	ck_assert_str_eq(conf.widget_captcha_verify_url,
	    "https://api.hcaptcha.com/siteverify");
	ck_assert_int_eq(conf.widget_captcha_timeout, 5);
}
END_TEST

/* The secret follows the state directory unless it is named. */
START_TEST(widget_secret_follows_state_dir)
{
	load_ok("[server]\nstate_dir = /srv/hark\n" DB);
	ck_assert_str_eq(conf.widget_token_secret_file, "/srv/hark/token.secret");
	hark_conf_free(&conf);
	load_ok("[server]\nstate_dir = /srv/hark\n" DB "[widget]\n"
	    "token_secret_file = /etc/hark/token.secret\n"
	    "token_previous_secret_file = /etc/hark/token.secret.old\n"
	    "token_ttl = 600\ndedup_window = 60\n"
	    "captcha_verify_url = http://127.0.0.1:9/siteverify\n"
	    "captcha_timeout = 2\n");
	ck_assert_str_eq(conf.widget_token_secret_file, "/etc/hark/token.secret");
	ck_assert_str_eq(conf.widget_token_previous_secret_file,
	    "/etc/hark/token.secret.old");
	ck_assert_int_eq(conf.widget_token_ttl, 600);
	ck_assert_int_eq(conf.widget_dedup_window, 60);
	ck_assert_str_eq(conf.widget_captcha_verify_url,
	    "http://127.0.0.1:9/siteverify");
	ck_assert_int_eq(conf.widget_captcha_timeout, 2);
}
END_TEST

START_TEST(widget_bad_values)
{
	load_fails(DB "[widget]\ntoken_secret_file = token.secret\n", 4,
	    "absolute path");
	load_fails(DB "[widget]\ntoken_previous_secret_file = old\n", 4,
	    "absolute path");
	load_fails(DB "[widget]\ncaptcha_verify_url = ftp://x/\n", 4,
	    "http:// or https://");
	load_fails(DB "[widget]\ncaptcha_verify_url = \n", 4,
	    "http:// or https://");
	load_fails(DB "[widget]\ncaptcha_verify_url = https://\n", 4,
	    "http:// or https://");
	load_fails(DB "[widget]\ntoken_ttl = 59\n", 4, "token_ttl");
	load_fails(DB "[widget]\ndedup_window = 0\n", 4, "dedup_window");
	load_fails(DB "[widget]\ncaptcha_timeout = 61\n", 4, "captcha_timeout");
	load_fails(DB "[widget]\ntoken_secret = x\n", 4, "unknown key");
}
END_TEST

static Suite *
conf_suite(void)
{
	Suite	*s = suite_create("conf");
	TCase	*tc;

	tc = tcase_create("widget");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, widget_defaults);
	tcase_add_test(tc, widget_secret_follows_state_dir);
	tcase_add_test(tc, widget_bad_values);
	suite_add_tcase(s, tc);

	tc = tcase_create("example");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, loads_shipped_example);
	tcase_add_test(tc, shipped_example_shows_the_real_defaults);
	suite_add_tcase(s, tc);

	tc = tcase_create("defaults");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, defaults_fill_every_field);
	tcase_add_test(tc, openai_keys_defaults_and_checks);
	tcase_add_test(tc, email_keys_defaults_and_checks);
	tcase_add_test(tc, openai_key_file_is_read_and_never_echoed);
	tcase_add_test(tc, minimal_file_gets_defaults);
	tcase_add_test(tc, reads_a_value_for_every_key);
	tcase_add_test(tc, default_path_follows_hark_config);
	tcase_add_test(tc, default_path_ignores_empty_hark_config);
	tcase_add_test(tc, loads_twice_into_separate_structs);
	suite_add_tcase(s, tc);

	tc = tcase_create("file");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, rejects_missing_file);
	tcase_add_test(tc, rejects_directory_as_file);
	tcase_add_test(tc, rejects_missing_database_name);
	tcase_add_test(tc, rejects_empty_file_for_missing_name);
	tcase_add_test(tc, failure_without_err_still_returns_minus_one);
	suite_add_tcase(s, tc);

	tc = tcase_create("syntax");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, rejects_line_without_equals);
	tcase_add_test(tc, rejects_unterminated_section_header);
	tcase_add_test(tc, rejects_text_after_section_header);
	tcase_add_test(tc, rejects_key_before_any_section);
	tcase_add_test(tc, rejects_missing_key_before_equals);
	tcase_add_test(tc, rejects_nul_byte);
	tcase_add_test(tc, ignores_comments_and_blank_lines);
	tcase_add_test(tc, trims_whitespace_around_keys_values_and_headers);
	tcase_add_test(tc, hash_after_a_value_is_part_of_it);
	tcase_add_test(tc, accepts_crlf_line_endings);
	tcase_add_test(tc, accepts_utf8_byte_order_mark);
	tcase_add_test(tc, value_may_contain_equals_sign);
	suite_add_tcase(s, tc);

	tc = tcase_create("quoting");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, quoted_value_keeps_spaces_and_comment_chars);
	tcase_add_test(tc, quoted_value_unescapes_quote_and_backslash);
	tcase_add_test(tc, quoted_number_is_a_number);
	tcase_add_test(tc, quoted_empty_value_is_empty);
	tcase_add_test(tc, rejects_unterminated_quote);
	tcase_add_test(tc, rejects_text_after_closing_quote);
	suite_add_tcase(s, tc);

	tc = tcase_create("keys");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, rejects_unknown_section);
	tcase_add_test(tc, rejects_unknown_key);
	tcase_add_test(tc, rejects_key_of_another_section);
	tcase_add_test(tc, rejects_keys_in_upper_case);
	tcase_add_test(tc, rejects_file_form_of_a_non_secret);
	tcase_add_test(tc, rejects_duplicate_key);
	tcase_add_test(tc, rejects_duplicate_key_in_reopened_section);
	tcase_add_test(tc, allows_reopened_section_with_other_keys);
	tcase_add_test(tc, same_key_name_in_two_sections_is_no_duplicate);
	suite_add_tcase(s, tc);

	tc = tcase_create("integers");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, rejects_non_numeric_integer);
	tcase_add_test(tc, rejects_integer_with_trailing_text);
	tcase_add_test(tc, rejects_empty_integer);
	tcase_add_test(tc, workers_bounds_are_inclusive);
	tcase_add_test(tc, rejects_zero_workers);
	tcase_add_test(tc, rejects_workers_above_256);
	tcase_add_test(tc, rejects_integer_overflow);
	tcase_add_test(tc, rejects_negative_max_requests);
	tcase_add_test(tc, rejects_retries_above_10);
	tcase_add_test(tc, rejects_zero_rate_limit);
	tcase_add_test(tc, rejects_port_out_of_range);
	tcase_add_test(tc, rejects_zero_read_timeout);
	tcase_add_test(tc, rejects_hex_integer);
	suite_add_tcase(s, tc);

	tc = tcase_create("sizes");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, parses_size_in_kilobytes);
	tcase_add_test(tc, parses_size_in_megabytes);
	tcase_add_test(tc, parses_size_in_gigabytes);
	tcase_add_test(tc, parses_lower_case_size_suffix);
	tcase_add_test(tc, parses_size_in_plain_bytes);
	tcase_add_test(tc, rejects_unknown_size_suffix);
	tcase_add_test(tc, rejects_size_suffix_with_unit_b);
	tcase_add_test(tc, rejects_bare_size_suffix);
	tcase_add_test(tc, rejects_negative_size);
	tcase_add_test(tc, rejects_size_above_maximum);
	tcase_add_test(tc, rejects_size_below_minimum);
	tcase_add_test(tc, rejects_size_that_overflows);
	suite_add_tcase(s, tc);

	tc = tcase_create("types");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, accepts_every_boolean_form);
	tcase_add_test(tc, rejects_bad_boolean);
	tcase_add_test(tc, parses_octal_socket_mode);
	tcase_add_test(tc, parses_listen_mode_owner_and_group);
	tcase_add_test(tc, listen_mode_and_its_old_name_socket_mode_are_one_key);
	tcase_add_test(tc, parses_trusted_proxies);
	tcase_add_test(tc, rejects_a_bad_trusted_proxy_naming_key_and_entry);
	tcase_add_test(tc, parses_socket_mode_without_leading_zero_as_octal);
	tcase_add_test(tc, rejects_non_octal_mode);
	tcase_add_test(tc, rejects_mode_with_special_bits);
	tcase_add_test(tc, parses_every_log_level);
	tcase_add_test(tc, rejects_unknown_log_level);
	tcase_add_test(tc, accepts_base_path_with_leading_slash);
	tcase_add_test(tc, rejects_base_path_with_trailing_slash);
	tcase_add_test(tc, rejects_base_path_of_a_lone_slash);
	tcase_add_test(tc, rejects_relative_base_path);
	tcase_add_test(tc, rejects_relative_state_dir);
	tcase_add_test(tc, rejects_relative_log_file);
	tcase_add_test(tc, rejects_empty_database_name);
	suite_add_tcase(s, tc);

	tc = tcase_create("secrets");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, reads_password_file_and_strips_one_newline);
	tcase_add_test(tc, reads_password_file_without_newline);
	tcase_add_test(tc, strips_crlf_from_password_file);
	tcase_add_test(tc, reads_empty_password_file_as_no_password);
	tcase_add_test(tc, takes_relative_password_file_from_config_dir);
	tcase_add_test(tc, rejects_password_file_that_is_not_a_regular_file);
	tcase_add_test(tc, rejects_password_then_password_file);
	tcase_add_test(tc, rejects_password_file_then_password);
	tcase_add_test(tc, rejects_password_file_twice);
	tcase_add_test(tc, rejects_unreadable_password_file_naming_it);
	tcase_add_test(tc, rejects_empty_password_file_path);
	tcase_add_test(tc, rejects_password_file_with_nul_byte);
	tcase_add_test(tc, rejects_oversized_password_file);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(conf_suite());
	int	 nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
