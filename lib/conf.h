/*
 * conf.h: hark's configuration, read from one INI file.
 *
 * Every key lives in one table in conf.c (name, type, default, bounds) and is
 * documented in conf/hark.conf.in and hark.conf(5).  An unknown section or key,
 * a bad value or a missing required key is an error naming file and line, so a
 * typo never silently runs with a default.
 */
#ifndef HARK_CONF_H
#define HARK_CONF_H

#include <stddef.h>

struct hark_conf {
	/* [server] */
	char	*listen;		/* standalone address; "" = from the web server */
	int	 workers;		/* pre-forked worker processes */
	long	 max_requests;		/* a worker retires after this many; 0 = never */
	int	 shutdown_timeout;	/* seconds in-flight requests get on stop */
	int	 request_timeout;	/* seconds before a request is ended; 0 = never */
	int	 commit_queue;		/* 1 = a writer process shares commits */
	int	 commit_queue_max_rows;	/* rows in one of its transactions */
	size_t	 commit_queue_max_bytes;	/* their bytes */
	int	 commit_queue_timeout;	/* seconds a worker waits for its answer */
	int	 commit_queue_writers;	/* writer processes sharing the socket */
	int	 listen_mode;		/* permissions of a unix listen socket */
	char	*listen_owner;		/* its owner; "" = user when root */
	char	*listen_group;		/* its group; "" = group when root */
	char	*base_path;		/* URL prefix hark is mounted under, "" = / */
	size_t	 max_body;		/* largest request body accepted, bytes */
	char	*user;			/* drop to this user after binding; "" = stay */
	char	*group;
	char	*state_dir;		/* rate-limit file, batch lock */
	char	*media_dir;		/* stored audio and screenshots */
	char	*trusted_proxies;	/* CIDRs whose X-Forwarded-For counts */
	char	*status_allow;		/* addresses, CIDRs that may GET /v1/status */
	char	*sendfile;		/* "", "x-sendfile" or "x-accel-redirect" */
	char	*sendfile_prefix;	/* X-Accel-Redirect's internal location */

	/* [log] */
	char	*log_file;		/* "" = stderr (the web server's error log) */
	int	 log_level;		/* HARK_LOG_* from log.h */
	int	 log_requests;		/* 1 = one info line per request */
	char	*log_addresses;		/* full, block (/24, /64) or none */
	int	 log_slow_ms;		/* a warn line above this; 0 = off */

	/* [database] */
	char	*db_socket;		/* unix socket; used when db_host is "" */
	char	*db_host;
	int	 db_port;
	char	*db_name;		/* required; NULL only from _defaults */
	char	*db_user;
	char	*db_password;		/* or password_file; "" = none */
	int	 db_connect_timeout;	/* seconds */
	int	 db_read_timeout;	/* seconds; above Galera's ~6 s freeze */
	int	 db_write_timeout;	/* seconds */
	int	 db_statement_timeout;	/* seconds; the server's max_statement_time */
	int	 db_retries;		/* retries after a lost connection or conflict */

	/* [limits] */
	size_t	 max_json_body;		/* largest JSON body, bytes */
	int	 rate_limit;		/* requests per minute per key and project */
	int	 auth_failures;		/* failed authentications per minute per address */
	int	 list_concurrency;	/* list/search requests per project at once; 0 = auto */
	size_t	 max_audio;		/* one audio part, bytes */
	size_t	 max_screenshot;	/* one screenshot part, bytes */
	size_t	 max_submission;	/* one multipart submission, bytes */
	size_t	 max_payload;		/* the payload part (JSON), bytes */
	size_t	 max_dom;		/* its context.dom snapshot, bytes */
	int	 session_ttl;		/* seconds a session's state is answered */

	/* [cors] */
	int	 cors_max_age;		/* seconds a preflight may be cached */

	/* [widget] */
	char	*widget_token_secret_file;	/* the token HMAC key; never "" once loaded */
	char	*widget_token_previous_secret_file; /* accepted during a rotation; "" = none */
	int	 widget_token_ttl;		/* seconds a bootstrap token lives */
	int	 widget_dedup_window;		/* seconds; a source's own wins */
	char	*widget_captcha_verify_url;	/* siteverify (hCaptcha or Turnstile) */
	int	 widget_captcha_timeout;	/* seconds siteverify may take */

	/* [batch] */
	int	 batch_lease;		/* seconds a claimed job is its runner's */
	int	 batch_max_attempts;	/* tries of a queued job before it fails */

	/* [transcribe], [enrich]: which backend (lib/transcribe, lib/enrich) */
	char	*transcribe_backend;
	char	*transcribe_language;	/* the hint, BCP 47; "" = none */
	char	*transcribe_ffmpeg;	/* decodes for pocketsphinx */
	char	*transcribe_pocketsphinx_model;	/* acoustic model directory */
	char	*transcribe_pocketsphinx_dict;	/* pronunciation dictionary */
	char	*transcribe_pocketsphinx_lm;	/* language model */
	int	 transcribe_timeout;	/* seconds per file */
	int	 transcribe_max_utterance_seconds; /* then cut at a pause */
	char	*enrich_backend;

	/* [enrich]: the openai backend's keys */
	char	*enrich_openai_url;		/* base URL of the chat API */
	char	*enrich_openai_path;		/* "/v1/chat/completions" */
	char	*enrich_openai_model;
	char	*enrich_openai_key;		/* or openai_key_file; "" = none */
	int	 enrich_openai_timeout;		/* seconds per request */
	char	*enrich_prompt_file;		/* prompt and schema (JSON) */

	/* [triage] */
	char	*triage_model_file;		/* weights, tools/triage-train */

	/* [transcribe]: the openai backend's keys */
	char	*transcribe_openai_url;		/* base URL of the audio API */
	char	*transcribe_openai_path;	/* "/v1/audio/transcriptions" */
	char	*transcribe_openai_model;	/* "whisper-1" */
	char	*transcribe_openai_key;		/* or openai_key_file; "" = none */
	int	 transcribe_openai_timeout;	/* seconds per request */

	/* [webhook]: the sender (batch/webhook.c) */
	int	 webhook_timeout;	/* seconds one delivery attempt may take */
	int	 webhook_allow_private;	/* deliver to loopback, private...? */
	char	*webhook_allow_networks; /* CIDRs delivered to all the same */
	char	*webhook_deny_networks;	/* CIDRs never delivered to */
	/* [email]: mail to a submitter (batch/email.c, lib/mail) */
	char	*email_backend;		/* "none", "smtp" or "resend" */
	char	*email_from;		/* the sender's address */
	char	*email_from_name;	/* its display name; "" = none */
	char	*email_unsubscribe;	/* List-Unsubscribe URIs; "" = mailto:from */
	char	*email_template_dir;	/* email-{resolved,comment}.{txt,html} */
	char	*email_item_url;	/* {{url}}: where an item is seen; "" = none */
	int	 email_timeout;		/* seconds per message */
	char	*email_smtp_url;	/* smtp://host:port or smtps:// */
	char	*email_smtp_starttls;	/* "no", "yes" (when offered), "required" */
	char	*email_smtp_user;	/* "" = no AUTH */
	char	*email_smtp_password;	/* or smtp_password_file */
	char	*email_resend_url;	/* base URL; POSTs {url}/emails */
	char	*email_resend_key;	/* or resend_key_file; "" = $RESEND_API_KEY */
	/* [linear] */
	char	*linear_api_url;		/* the GraphQL endpoint */
	int	 linear_timeout;		/* seconds per request */
	char	*linear_public_url;		/* prefix of media links; "" = relative */
};

/* "file:line: reason", filled when loading fails. */
struct hark_conf_err {
	char	 msg[512];
};

/*
 * Reads path into *conf (defaults first, then the file).  *conf is
 * overwritten, not freed: a reload loads into a second struct and swaps.
 * Returns 0, or -1 with err (which may be NULL) filled and *conf left zeroed
 * with nothing to free.  On success every string is malloc'ed and non-NULL
 * ("" when unset); the caller owns them and frees them with hark_conf_free.
 */
int		 hark_conf_load(const char *path, struct hark_conf *conf,
		    struct hark_conf_err *err);
/*
 * Fills *conf with every default, as if the file were empty; db_name, which
 * has none, stays NULL.  Returns 0, or -1 (out of memory) with *conf zeroed.
 * The caller frees with hark_conf_free.
 */
int		 hark_conf_defaults(struct hark_conf *conf);
/* Frees every string (wiping the password first) and zeroes *conf. */
void		 hark_conf_free(struct hark_conf *conf);
/*
 * Reads a secret file as a <key>_file setting does (at most 64K, no NUL
 * byte, a regular file, one trailing newline dropped) into a string the
 * caller wipes and frees; NULL with errno set (EFBIG, EINVAL, ENODEV).
 * For secrets named at run time (a project's Linear key file).
 */
char		*hark_conf_read_secret(const char *file);
/* $HARK_CONFIG when set and non-empty, else SYSCONFDIR "/hark/hark.conf". */
const char	*hark_conf_default_path(void);

#endif
