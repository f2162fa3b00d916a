/*
 * store.h: every SQL statement hark runs against its data, behind typed
 * functions.  Services (lib/feedback) and harkctl call these and never see
 * SQL; lib/db does the talking.  fcgi/respond.c maps the results to HTTP.
 * All functions return an enum hark_store_rc value; "not found" is
 * HARK_STORE_NOT_FOUND, a positive value.
 */
#ifndef HARK_STORE_H
#define HARK_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "ids.h"
#include "keys.h"
#include "timestamp.h"

struct hark_db;

/*
 * What every store function returns.  The values that the db layer also has
 * coincide with enum hark_db_rc, so the two can be compared during the move
 * of every caller onto this enum (issue 12); callers name only these.
 */
enum hark_store_rc {
	HARK_STORE_OK = 0,
	HARK_STORE_NOT_FOUND = 1,		/* 404 */
	HARK_STORE_UNAVAILABLE = -1,		/* down, read-only, full: 503 */
	HARK_STORE_OUTCOME_UNKNOWN = -2,	/* a write that may have committed */
	HARK_STORE_DUPLICATE = -3,		/* a unique key already there */
	HARK_STORE_ERROR = -4,			/* a bug or a bad schema: 500 */
	HARK_STORE_CONFLICT = -5,		/* a precondition no longer holds */
	HARK_STORE_TIMEOUT = -6,		/* the statement time limit: 503 */
	HARK_STORE_NOMEM = -7
};
#define HARK_STORE_NOTFOUND	HARK_STORE_NOT_FOUND	/* old name, going away */
#define HARK_STORE_TS_SIZE	HARK_TS_DB_SIZE	/* "2026-04-09 10:30:00.123456" */
/* sessions.session_id is VARCHAR(64); a UUID is 36 characters. */
#define HARK_SESSION_ID_SIZE	65

/* A key as authentication needs it, joined with its project. */
struct hark_key_info {
	char		 id[HARK_ID_SIZE];
	char		 project_id[HARK_ID_SIZE];
	unsigned char	 hash[HARK_KEY_HASH_LEN];
	bool		 revoked;
	long long	 last_used;	/* unix time, 0 = never */
	unsigned	 key_limit;	/* per minute: the key's, else its project's; 0 = default */
	unsigned	 project_limit;	/* per minute: the project's; 0 = default */
};

/*
 * One feedback item.  Who owns its strings depends on who filled it:
 *   - hark_store_feedback_get and the rows given to a hark_feedback_fn:
 *     text, page, user_email, metadata, user_id, user_name, user_traits,
 *     context and extra are malloc'ed and owned by the
 *     struct; hark_feedback_clear frees them (a list row is cleared by the
 *     store after the callback returns, so copy what must outlive it);
 *   - hark_feedback_make and hark_submission_make (lib/feedback.h,
 *     lib/submission.h), for an insert: they are borrowed from the
 *     request's JSON tree and only read; never clear such a struct.
 * channel, category, sentiment and status always point at static names
 * (lib/vocab.h, triage.h); id, project_id and created_at are inline.
 */
struct hark_feedback {
	char		 id[HARK_ID_SIZE];
	char		 project_id[HARK_ID_SIZE];
	/* The widget source it came through (a public key); "" = none.
	 * Written by an insert, not read back yet. */
	char		 source_id[HARK_ID_SIZE];
	char		*text;		/* may hold NUL bytes: use text_len */
	size_t		 text_len;
	char		*page;		/* NULL when absent */
	size_t		 page_len;
	char		*user_email;	/* NULL when absent */
	size_t		 user_email_len;
	char		*metadata;	/* serialized JSON object or NULL */
	size_t		 metadata_len;
	/* The client's session (a multipart submission's sessionId); "" = none. */
	char		 session_id[HARK_SESSION_ID_SIZE];
	/* The submitter as identity gave it; each NULL when absent. */
	char		*user_id;
	size_t		 user_id_len;
	char		*user_name;
	size_t		 user_name_len;
	char		*user_traits;	/* JSON object or NULL */
	size_t		 user_traits_len;
	/* Captured browser context, JSON as sent; read back by
	 * hark_store_feedback_get only (a list leaves it NULL). */
	char		*context;
	size_t		 context_len;
	/* Unknown top-level members of the submission, kept verbatim (a
	 * JSON object) or NULL. */
	char		*extra;
	size_t		 extra_len;
	long long	 audio_duration_ms;	/* -1 = none */
	/* Read back only, what an enricher added (hark-batch): owned. */
	char		*summary;
	size_t		 summary_len;
	char		*title;
	size_t		 title_len;
	char		 language[36];	/* "" = not judged */
	int		 spam;		/* -1 = not judged */
	bool		 quarantined;	/* held as spam */
	double		 triage_confidence;	/* of the category; < 0 = none */
	/* Read back only, the inbox's work: owned. */
	char		*resolution_note;
	size_t		 resolution_note_len;
	char		 resolved_at[HARK_STORE_TS_SIZE];	/* "" = not */
	char		 updated_at[HARK_STORE_TS_SIZE];	/* the ETag */
	char		*labels;	/* "a\nb", sorted; NULL = none */
	size_t		 labels_len;
	/* Read back only: the Linear issue mirroring it; "" = none. */
	char		 linear_issue_id[65];
	char		 linear_issue_url[513];
	/* Read back only, the external item it is linked to (MCP
	 * link_feedback, schema/010_links.sql): owned, NULL = none. */
	char		*link_url;
	size_t		 link_url_len;
	char		*link_title;
	size_t		 link_title_len;
	/* Written by an insert only: the submitter's locale (BCP 47, ""
	 * = none), who set the category ("builtin" when NULL, "client"
	 * for a submitter's choice) and the dedup hash (lib/normalize). */
	char		 locale[36];
	const char	*triaged_by;	/* static; NULL = not triaged */
	bool		 has_content_hash;
	unsigned char	 content_hash[32];
	const char	*channel;	/* static: "api", "widget", "voice" */
	const char	*category;	/* static names from vocab.h */
	const char	*sentiment;	/* static */
	double		 sentiment_score;
	int		 impact;
	const char	*status;	/* static */
	int		 priority;	/* -1 = not set */
	char		 created_at[HARK_STORE_TS_SIZE];	/* UTC */
};

/* Listing filters; NULL/0 members do not filter. */
#define HARK_FILTER_STATUSES	5
struct hark_feedback_filter {
	const char	*status;
	const char	*category;
	const char	*since;		/* "YYYY-MM-DD HH:MM:SS.ffffff" UTC */
	const char	*until;
	const char	*label;		/* items that carry this label */
	int		 quarantined;	/* 0: not held (default), 1: held, -1: any */
	const char	*q;		/* substring of the text */
	size_t		 q_len;
	const char	*cursor_ts;	/* keyset: rows strictly before this */
	const char	*cursor_id;
	unsigned	 limit;
	/* Items in any of these statuses (static names) when nstatuses > 0,
	 * at most HARK_FILTER_STATUSES (harkctl's --status a,b). */
	const char	*statuses[HARK_FILTER_STATUSES];
	size_t		 nstatuses;
};

typedef int	(*hark_feedback_fn)(void *ctx, const struct hark_feedback *);

/*
 * The handle.  It is lib/db's struct hark_db, opened and watched through
 * these names so that nothing outside lib/db.c and lib/store*.c includes
 * db.h.  One per process; workers open theirs after fork.
 */
struct hark_conf;
/* Once per process, before fork. */
int		 hark_store_library_init(void);
void		 hark_store_library_end(void);
/* No connection is made until first use; NULL on ENOMEM. */
struct hark_db	*hark_store_open(const struct hark_conf *);
void		 hark_store_close(struct hark_db *);
/* Closes the connection now (before fork); the next call reconnects. */
void		 hark_store_disconnect(struct hark_db *);
int		 hark_store_connect(struct hark_db *);
/* A round trip to the server. */
int		 hark_store_ping(struct hark_db *);
/* Bumped by each new connection: session state (locks) was lost. */
unsigned long	 hark_store_generation(const struct hark_db *);
/* The last server error, for logs: never holds bound values. */
const char	*hark_store_errmsg(const struct hark_db *);
unsigned int	 hark_store_errno(const struct hark_db *);

/*
 * schema_migrations, for lib/migrate and the health check.  The version is
 * the highest applied, 0 when none is or the table does not exist yet.
 */
int	hark_store_schema_version(struct hark_db *, int *version);
/* Creates schema_migrations if missing (its definition is 001_init.sql's). */
int	hark_store_migrations_table(struct hark_db *);
/* *applied is true when version is recorded. */
int	hark_store_migration_applied(struct hark_db *, int version,
	    bool *applied);
/* Runs a migration file's statements (no statement time limit). */
int	hark_store_migration_run(struct hark_db *, const char *text);
/* Records version as applied; one recorded by a concurrent run is fine. */
int	hark_store_migration_record(struct hark_db *, int version,
	    const char *name);
/*
 * The server-wide lock name, waiting up to wait seconds: *held is 1 when
 * taken, 0 when another holder kept it, -1 when the server has no GET_LOCK
 * (older Galera nodes: error 1235).
 */
int	hark_store_lock(struct hark_db *, const char *name, int wait,
	    int *held);
void	hark_store_unlock(struct hark_db *, const char *name);

/* Frees what hark_store_feedback_get / list filled in (not fb itself). */
void	hark_feedback_clear(struct hark_feedback *fb);

/* Projects. */
int	hark_store_project_create(struct hark_db *, const char *id,
	    const char *name);
int	hark_store_project_exists(struct hark_db *, const char *id);
/* The project and everything in it (harkctl doctor's own, after its check). */
int	hark_store_project_delete(struct hark_db *, const char *id);
typedef int	(*hark_project_fn)(void *ctx, const char *id, const char *name,
		    const char *created_at, long long nkeys);
int	hark_store_project_list(struct hark_db *, hark_project_fn, void *ctx);
/* days 0 = kept forever (NULL); else hark-batch erases older feedback. */
int	hark_store_project_set_retention(struct hark_db *, const char *id,
	    unsigned days);
/* limit 0 = back to the configured default. */
int	hark_store_project_set_rate_limit(struct hark_db *, const char *id,
	    unsigned limit);
/* HARK_STORE_DUPLICATE when the project already has the pattern. */
int	hark_store_origin_add(struct hark_db *, const char *project_id,
	    const char *pattern);
int	hark_store_origin_remove(struct hark_db *, const char *project_id,
	    const char *pattern);
typedef int	(*hark_origin_fn)(void *ctx, const char *pattern);
int	hark_store_origin_list(struct hark_db *, const char *project_id,
	    hark_origin_fn, void *ctx);

/* API keys. */
int	hark_store_key_create(struct hark_db *, const char *id,
	    const char *project_id, const char *name, const char *prefix,
	    const unsigned char hash[HARK_KEY_HASH_LEN]);
int	hark_store_key_lookup(struct hark_db *,
	    const unsigned char hash[HARK_KEY_HASH_LEN], struct hark_key_info *);
/* Stamps last_used_at unless it is younger than a minute (then NOTFOUND). */
int	hark_store_key_touch(struct hark_db *, const char *key_id);
int	hark_store_key_revoke(struct hark_db *, const char *key_id);
typedef int	(*hark_key_fn)(void *ctx, const char *id, const char *name,
		    const char *prefix, const char *created_at,
		    const char *last_used_at, const char *revoked_at);
int	hark_store_key_list(struct hark_db *, const char *project_id,
	    hark_key_fn, void *ctx);

/*
 * Widget sources: a public key (pk_...) identifies one; its SHA-256 only is
 * stored (hex).  Managed whole by the block "Sources" below.
 */
/*
 * The source whose public key has this SHA-256, as a key: id is the
 * source's, revoked means disabled, key_limit is the source's per-(address,
 * source) limit (0 = default), project_limit the project's; last_used is 0.
 */
int	hark_store_source_lookup(struct hark_db *,
	    const unsigned char hash[HARK_KEY_HASH_LEN], struct hark_key_info *);
int	hark_store_source_origin_list(struct hark_db *, const char *source_id,
	    hark_origin_fn, void *ctx);

/*
 * Sources (lib/store_sources.c): what harkctl source manages and what the
 * widget flow reads.  A source's captcha_secret is the provider's secret: it
 * leaves the store only for the siteverify call, never for a screen or a log.
 */
#define HARK_SOURCE_NAME_MAX	200	/* bytes, as harkctl takes it */
#define HARK_SOURCE_TYPE_SIZE	16	/* "widget", "server" */
#define HARK_SOURCE_CAPTCHA_MAX	255	/* a site key or secret, bytes */
#define HARK_SOURCE_ORIGINS_MAX	100	/* patterns per source */

enum hark_captcha_provider {
	HARK_CAPTCHA_NONE = 0,		/* NULL: no provider set */
	HARK_CAPTCHA_HCAPTCHA,
	HARK_CAPTCHA_TURNSTILE
};

struct hark_source {
	char		 id[HARK_ID_SIZE];
	char		 project_id[HARK_ID_SIZE];
	char		 type[HARK_SOURCE_TYPE_SIZE];
	char		 name[4 * HARK_SOURCE_NAME_MAX + 1];
	/* "sha256:" and the first 12 hex digits of the key's hash. */
	char		 key_fingerprint[20];
	bool		 require_captcha;
	enum hark_captcha_provider captcha_provider;
	char		 captcha_sitekey[HARK_SOURCE_CAPTCHA_MAX + 1];
	char		 captcha_secret[HARK_SOURCE_CAPTCHA_MAX + 1];
	unsigned	 rate_limit;	/* per minute per (address, source); 0 = default */
	unsigned	 dedup_window;	/* seconds; 0 = [widget] dedup_window */
	unsigned	 project_rate_limit;	/* the project's; 0 = default */
	bool		 disabled;
	char		 created_at[HARK_STORE_TS_SIZE];
	char		 disabled_at[HARK_STORE_TS_SIZE];	/* "" = enabled */
};

/* "hcaptcha", "turnstile", or NULL for HARK_CAPTCHA_NONE. */
const char	*hark_captcha_provider_name(enum hark_captcha_provider);
/* -1 when name is neither provider. */
int		 hark_captcha_provider_parse(const char *name,
		    enum hark_captcha_provider *);

/*
 * Creates the source (id, project_id and every setting from src) with its
 * public key's hash and its origins, in one transaction.
 */
int	hark_store_source_insert(struct hark_db *, const struct hark_source *src,
	    const char *public_key, const char *const *origins, size_t norigins);
/* By id, or by the SHA-256 of its public key; NOT_FOUND when none. */
int	hark_store_source_get(struct hark_db *, const char *id,
	    struct hark_source *out);
int	hark_store_source_get_by_key(struct hark_db *,
	    const unsigned char hash[HARK_KEY_HASH_LEN], struct hark_source *out);
/*
 * Writes src's settings (name, type, captcha, limits) to the source src->id
 * and, when origins is not NULL, makes its origins exactly those (none when
 * norigins is 0); one transaction.  NOT_FOUND when there is no such source.
 */
int	hark_store_source_update(struct hark_db *, const struct hark_source *src,
	    const char *const *origins, size_t norigins);
/* Sets or clears disabled_at; NOT_FOUND when there is no such source. */
int	hark_store_source_set_disabled(struct hark_db *, const char *id,
	    bool disabled);
/*
 * Deletes the source: its origins go with it (ON DELETE CASCADE), its
 * feedback stays with source_id NULL (ON DELETE SET NULL).
 */
int	hark_store_source_delete(struct hark_db *, const char *id);
typedef int	(*hark_source_each_fn)(void *ctx, const struct hark_source *);
/* The project's sources, oldest first. */
int	hark_store_source_each(struct hark_db *, const char *project_id,
	    hark_source_each_fn, void *ctx);

/* The audit trail: what happened, to which project and key, from where. */
int	hark_store_audit(struct hark_db *, const char *project_id,
	    const char *key_id, const char *action, const char *remote_addr,
	    const char *detail);
/* Its rows, newest first (harkctl audit); NULL members are "any". */
struct hark_audit_filter {
	const char	*project_id;
	const char	*action;
	const char	*since;		/* DATETIME(6) */
	unsigned	 limit;
};
struct hark_audit_row {
	const char	*created_at, *project_id, *key_id, *action;
	const char	*remote_addr, *detail;
};
typedef int	(*hark_audit_fn)(void *ctx, const struct hark_audit_row *);
int	hark_store_audit_list(struct hark_db *,
	    const struct hark_audit_filter *, hark_audit_fn, void *ctx);

/* Feedback. */
int	hark_store_feedback_insert(struct hark_db *, const struct hark_feedback *);
int	hark_store_feedback_get(struct hark_db *, const char *project_id,
	    const char *id, struct hark_feedback *out);
int	hark_store_feedback_list(struct hark_db *, const char *project_id,
	    const struct hark_feedback_filter *, hark_feedback_fn, void *ctx);
int	hark_store_feedback_delete(struct hark_db *, const char *project_id,
	    const char *id);
/* The project of item id, whichever it is (harkctl feedback show). */
int	hark_store_feedback_project(struct hark_db *, const char *id,
	    char project_id[HARK_ID_SIZE]);
/*
 * The newest item of source_id with this content hash made within the
 * last window seconds: its id into id (HARK_ID_SIZE), or NOT_FOUND.
 */
int	hark_store_feedback_recent_duplicate(struct hark_db *,
	    const char *project_id, const char *source_id,
	    const unsigned char hash[32], unsigned window, char *id);

/*
 * Idempotency keys (store_idempotency.c, schema/003_idempotency.sql and
 * 012_idempotency_holder.sql).  A claim is the INSERT of (project, key) with
 * the request's SHA-256, the feedback id the request will file, its database
 * session and its deadline (the time its request_timeout leaves it, below).
 * hark_store_idem_claim
 * answers HARK_STORE_OK when this request holds the key (new, expired and
 * reclaimed, or an in-flight claim with the same hash taken over, because
 * its holder is past its deadline and its session gone, or because it is
 * older than inflight_s: then feedback_id is the one the dead request was
 * filing, so its row, if it committed, is found rather than filed twice),
 * or HARK_STORE_DUPLICATE with *out describing the row that is there.
 */
#define HARK_IDEM_HASH_LEN	32
struct hark_idem_row {
	bool		 done;		/* a recorded answer, else in flight */
	bool		 same;		/* the request hash matches */
	bool		 taken_over;	/* OK: a stale claim was taken over */
	int		 status;
	char		*body;		/* malloc'd, done only */
	size_t		 body_len;
	char		 feedback_id[HARK_ID_SIZE];
};
void	hark_idem_row_clear(struct hark_idem_row *);
int	hark_store_idem_claim(struct hark_db *, const char *project_id,
	    const char *key, const unsigned char hash[HARK_IDEM_HASH_LEN],
	    const char *feedback_id, int ttl_s, int inflight_s,
	    struct hark_idem_row *out);
/*
 * Where a claim learns its request's deadline: left_ms says how many
 * milliseconds the request has left, or -1 when it has no deadline.
 * fcgi/watchdog.c registers hark_watchdog_left_ms when it starts; without
 * one (the tests, harkctl) claims have none.
 */
void	hark_store_idem_set_clock(long (*left_ms)(void));
/* The 2xx answer, replayed until the key expires. */
int	hark_store_idem_done(struct hark_db *, const char *project_id,
	    const char *key, int status, const char *body, size_t len);
/* The feedback row and its key's answer in one transaction. */
int	hark_store_feedback_insert_idem(struct hark_db *,
	    const struct hark_feedback *, const char *key, int status,
	    const char *body, size_t len);
/*
 * Drops this session's in-flight claim (a 4xx/5xx answer: the client may
 * retry); a claim another request took over stays.
 */
int	hark_store_idem_release(struct hark_db *, const char *project_id,
	    const char *key);
/* Deletes up to limit expired keys; *n says how many. */
int	hark_store_idem_sweep(struct hark_db *, int limit,
	    unsigned long long *n);

/*
 * A multipart submission (store_submission.c): its feedback row, the rows
 * of its stored files, its session (made or moved on to this submission)
 * and the jobs it leaves for hark-batch, committed in one transaction,
 * with the answer to its Idempotency-Key when it has one.  All borrowed.
 */
#define HARK_STORE_MAX_MEDIA	2
#define HARK_STORE_MAX_JOBS	2
struct hark_store_media {
	char		 id[HARK_ID_SIZE];	/* med_... */
	const char	*kind;			/* "audio", "screenshot" */
	const char	*relpath;		/* under media_dir */
	const char	*mime;
	unsigned long long bytes;
	const unsigned char *sha256;		/* 32 bytes */
	long long	 duration_ms;		/* -1 = unknown */
};
struct hark_store_job {
	char		 id[HARK_ID_SIZE];	/* job_... */
	const char	*kind;			/* "transcribe", "enrich" */
};
struct hark_store_submission {
	const struct hark_feedback	*fb;	/* fb->session_id is the session */
	struct hark_store_media		 media[HARK_STORE_MAX_MEDIA];
	size_t				 nmedia;
	struct hark_store_job		 jobs[HARK_STORE_MAX_JOBS];
	size_t				 njobs;
	const char			*session_status; /* processing, done */
	const char			*identity;	/* JSON or NULL */
	size_t				 identity_len;
	int				 session_ttl;	/* seconds */
	/* The Idempotency-Key claimed for this request, or NULL. */
	const char			*idem_key;
	int				 idem_status;
	const char			*idem_body;
	size_t				 idem_len;
};
int	hark_store_submission_insert(struct hark_db *,
	    const struct hark_store_submission *);

/*
 * Sessions (store_sessions.c): a widget session's latest submission, as
 * GET /v1/feedback/session/{id}/state polls it, and POST /v1/identify.
 * session_id is a UUID as the client sent it: the rows stored with it as
 * sent or in lower case (lib/uuid.h's canonical form) are found.
 * source_id is a public key's
 * source, and then only that source's rows are seen or changed; NULL or ""
 * (a secret key) sees the whole project's.
 */
enum hark_session_status {
	HARK_SESSION_PROCESSING = 0,
	HARK_SESSION_DONE,
	HARK_SESSION_ERROR
};
struct hark_session_state {
	enum hark_session_status status;
	char		 feedback_id[HARK_ID_SIZE];	/* done */
	char		*transcript;	/* done: malloc'd, may be NULL */
	size_t		 transcript_len;
	char		*error;		/* error: malloc'd, may be NULL */
	size_t		 error_len;
};
void	hark_session_state_clear(struct hark_session_state *);
/*
 * HARK_STORE_NOT_FOUND when the project has no such session, when it has
 * expired (expires_at <= now), when it is another source's, and when it is
 * done but its feedback row has been deleted since.
 */
int	hark_store_session_state(struct hark_db *, const char *project_id,
	    const char *source_id, const char *session_id,
	    struct hark_session_state *out);

/* An identity to backfill; each member NULL when absent or null. */
struct hark_session_identity {
	const char	*user_id, *email, *name;
	size_t		 user_id_len, email_len, name_len;
	const char	*traits;	/* a JSON object, or NULL */
	size_t		 traits_len;
	const char	*json;		/* the whole identity, for the session */
	size_t		 json_len;
};
/*
 * In one transaction: sets the identity on each feedback row of the
 * session that is still anonymous (no user_id, user_email nor user_name),
 * and the session's identity (for submissions to come).  *updated is the
 * number of feedback rows filled; another project's session, or none,
 * fills 0 and is HARK_STORE_OK.
 */
int	hark_store_session_identify(struct hark_db *, const char *project_id,
	    const char *source_id, const char *session_id,
	    const struct hark_session_identity *, unsigned long long *updated);

/*
 * Media rows (store_media.c, the media table of schema/001_init.sql), as
 * the reading path needs them.  path is the row's, relative to [server]
 * media_dir and not yet checked for its shape (lib/media.h
 * hark_media_relpath_valid does that before anything opens it); one too
 * long for the buffer is given as "" (so it fails that check).  kind and
 * mime are as stored; sha256_hex is lower-case hex.
 */
#define HARK_MEDIA_PATH_MAX	520	/* the column's 512 and the NUL */
#define HARK_MEDIA_MIME_MAX	104	/* the column's 100 and the NUL */
struct hark_media_row {
	char			 id[HARK_ID_SIZE];
	char			 feedback_id[HARK_ID_SIZE];
	char			 kind[16];	/* "audio", "screenshot" */
	char			 path[HARK_MEDIA_PATH_MAX];
	char			 mime[HARK_MEDIA_MIME_MAX];
	unsigned long long	 bytes;
	char			 sha256_hex[65];
	long long		 duration_ms;	/* -1: unknown (NULL) */
};
/*
 * The media of kind of feedback id in project: HARK_STORE_OK with *out,
 * HARK_STORE_NOT_FOUND when the project has no such item (*item_found
 * false) or the item has no media of that kind (*item_found true).
 */
int	hark_store_media_get(struct hark_db *, const char *project_id,
	    const char *feedback_id, const char *kind, bool *item_found,
	    struct hark_media_row *out);
/*
 * Every media row of the n items ids of project, in one statement (a page
 * of a listing costs one query, not one per item), ordered by feedback id
 * then kind; fn's non-zero return stops the walk and is returned.  n is at
 * most HARK_MEDIA_LIST_MAX.
 */
#define HARK_MEDIA_LIST_MAX	128
typedef int	(*hark_media_row_fn)(void *ctx, const struct hark_media_row *);
int	hark_store_media_list(struct hark_db *, const char *project_id,
	    const char *const *ids, size_t n, hark_media_row_fn, void *ctx);

/*
 * hark-batch's queue (store_jobs.c, schema/007_batch.sql).  A claim takes
 * the oldest due job of the kinds (or one whose lease ran out) for owner,
 * a token unique to the claim, for lease_s seconds; HARK_STORE_NOT_FOUND
 * when none is due.  done, retry and fail apply only while owner still
 * holds the claim.
 */
struct hark_job_row {
	char		 id[HARK_ID_SIZE];
	char		 kind[32];
	char		 project_id[HARK_ID_SIZE];
	char		 feedback_id[HARK_ID_SIZE];
	char		 session_id[HARK_SESSION_ID_SIZE];
	char		 comment_id[HARK_ID_SIZE];
	char		*payload;	/* JSON or NULL; malloc'ed */
	size_t		 payload_len;
	unsigned	 attempts;	/* this one included */
	unsigned	 max_attempts;
};
void	hark_job_row_clear(struct hark_job_row *);
int	hark_store_job_claim(struct hark_db *, const char *owner,
	    const char *const *kinds, size_t nkinds, unsigned lease_s,
	    struct hark_job_row *out);
/* note: why a job done another way than asked (a fallback), or NULL. */
int	hark_store_job_done(struct hark_db *, const char *id, const char *owner,
	    const char *note);
int	hark_store_job_retry(struct hark_db *, const char *id,
	    const char *owner, unsigned delay_s, const char *why);
int	hark_store_job_fail(struct hark_db *, const char *id, const char *owner,
	    const char *why);
int	hark_store_job_enqueue(struct hark_db *, const char *id,
	    const char *kind, const char *project_id, const char *feedback_id,
	    const char *session_id, unsigned max_attempts);
/*
 * A transcript on its item, its session done with it, the enrich job that
 * follows and the transcribe job done, in one transaction.
 */
int	hark_store_transcript_save(struct hark_db *, const char *project_id,
	    const char *feedback_id, const char *text, size_t len,
	    const char *language, const char *enrich_job_id,
	    unsigned enrich_max_attempts, const char *job_id, const char *owner);
/* The item's session (while the item is its latest) in error, with why. */
int	hark_store_session_fail(struct hark_db *, const char *project_id,
	    const char *feedback_id, const char *reason);
struct hark_store_enrichment {
	const char	*category, *sentiment;	/* static names */
	double		 sentiment_score;
	int		 impact;
	const char	*by;			/* triaged_by */
	const char	*summary, *title;	/* NULL = none */
	const char	*language;		/* "" or NULL = keep */
	int		 spam;			/* -1 = not judged */
};
int	hark_store_enrichment_save(struct hark_db *, const char *project_id,
	    const char *feedback_id, const struct hark_store_enrichment *);
/* Per kind and state: the count and the oldest due job's age (-1: none). */
typedef int	(*hark_job_stats_fn)(void *ctx, const char *kind,
		    const char *status, long long n, long long oldest_due_s);
int	hark_store_job_stats(struct hark_db *, hark_job_stats_fn, void *ctx);

/*
 * Retention: up to limit feedback rows older than their project's
 * retention_days are deleted (what hangs off them with them); their media
 * files are then orphans the media sweep removes.  *n deleted.
 */
int	hark_store_retention_apply(struct hark_db *, int limit,
	    unsigned long long *n);
/*
 * Housekeeping: the queue's finished rows (done after a week, failed after
 * a month: long enough to read why) and the webhook delivery log after a
 * month, up to limit each; *n deleted.
 */
#define HARK_JOBS_KEEP_DONE_DAYS	7
#define HARK_JOBS_KEEP_FAILED_DAYS	30
#define HARK_DELIVERIES_KEEP_DAYS	30
int	hark_store_jobs_purge(struct hark_db *, int limit,
	    unsigned long long *n);
int	hark_store_deliveries_purge(struct hark_db *, int limit,
	    unsigned long long *n);
/* Housekeeping: sessions past their TTL, up to limit; *n deleted. */
int	hark_store_session_expire(struct hark_db *, int limit,
	    unsigned long long *n);
/* Whether a media row names relpath (*known true on any error). */
int	hark_store_media_path_known(struct hark_db *, const char *relpath,
	    bool *known);

/*
 * PATCH /v1/feedback/{id} (store_inbox.c): the changes given, in one
 * transaction; moving to done or canceled stamps resolved_at, moving back
 * clears it and the resolution note; a category given is a person's
 * (triaged_by human).  if_match, when not NULL, must be the row's
 * updated_at, else HARK_STORE_CONFLICT and nothing changes.
 */
#define HARK_LABELS_MAX		20
#define HARK_LABEL_MAX		64	/* characters */
struct hark_feedback_patch {
	const char	*status;	/* static name, or NULL: unchanged */
	bool		 priority_set;
	int		 priority;	/* -1: none (null) */
	bool		 note_set;
	const char	*note;		/* NULL: cleared */
	size_t		 note_len;
	const char	*category;	/* static name, or NULL */
	bool		 labels_set;
	const char	*labels[HARK_LABELS_MAX];	/* normalized, unique */
	size_t		 nlabels;
	int		 quarantined;	/* 0 releases, 1 holds, -1: unchanged */
	/* Who asked, for the audit row written with the change (or NULL). */
	const char	*actor_key_id, *actor_addr;
};
int	hark_store_feedback_patch(struct hark_db *, const char *project_id,
	    const char *id, const struct hark_feedback_patch *,
	    const char *if_match);

/*
 * The item's link to an external item (store_links.c): url and title (NULL:
 * none) replace any link it had, with its feedback.updated event and its
 * feedback_link audit row (who asked: the key and address, or NULL), in
 * one transaction.  NOT_FOUND when the project has no item id.
 */
#define HARK_LINK_URL_MAX	2048	/* bytes, the column's */
#define HARK_LINK_TITLE_MAX	255	/* characters */
int	hark_store_feedback_link(struct hark_db *, const char *project_id,
	    const char *id, const char *url, size_t url_len, const char *title,
	    size_t title_len, const char *actor_key_id, const char *actor_addr);

/* A comment; list rows' strings live for the callback only. */
struct hark_comment {
	char		 id[HARK_ID_SIZE];
	char		 feedback_id[HARK_ID_SIZE];
	const char	*body;
	size_t		 body_len;
	const char	*author_type;	/* human, agent, submitter */
	const char	*author_id;	/* NULL = none */
	size_t		 author_id_len;
	char		 created_at[HARK_STORE_TS_SIZE];
	/* On insert: who asked, for its audit row (or NULL); unset on reads. */
	const char	*actor_key_id, *actor_addr;
};
/*
 * NOT_FOUND when the project has no item feedback_id.  The comment's
 * comment.created event goes with it; notify_submitter and mirror are the
 * request's asks (an email, a tracker comment), which hark-batch honours.
 */
int	hark_store_comment_insert(struct hark_db *, const char *project_id,
	    const struct hark_comment *, bool notify_submitter, bool mirror);
typedef int	(*hark_comment_fn)(void *ctx, const struct hark_comment *);
/* Oldest first, after after_id (NULL: from the first), up to limit. */
int	hark_store_comment_list(struct hark_db *, const char *project_id,
	    const char *feedback_id, const char *after_id, unsigned limit,
	    hark_comment_fn, void *ctx, bool *item_found);
/* A project's name, malloc'ed, for an email (lib/store_mail.c); NOT_FOUND. */
int	hark_store_project_name(struct hark_db *, const char *id, char **name);

/* One comment of the project's item; NOT_FOUND when there is none. */
int	hark_store_comment_get(struct hark_db *, const char *project_id,
	    const char *comment_id, hark_comment_fn, void *ctx);

/*
 * Notifications (store_notify.c, schema/008_notify.sql).  A change to an
 * item (PATCH, a comment, enrichment) enqueues a notify job in its own
 * transaction; new rows are announced by hark-batch's scan instead, so
 * that ingest writes nothing more for them.  hark-batch fans a notify job
 * out into webhook deliveries and email / Linear jobs.
 */
#define HARK_EVENT_CREATED	"feedback.created"
#define HARK_EVENT_UPDATED	"feedback.updated"
#define HARK_EVENT_RESOLVED	"feedback.resolved"
#define HARK_EVENT_COMMENT	"comment.created"
#define HARK_EVENT_TRIAGED	"feedback.triaged"	/* internal: no webhook */
#define HARK_NOTIFY_MAX_ATTEMPTS	5
#define HARK_LINEAR_TRIGGER_SIZE	16		/* "created", "triaged" */

/* Projects with a target for new rows, and since when (DATETIME(6)). */
typedef int	(*hark_notify_project_fn)(void *ctx, const char *project_id,
		    const char *since);
int	hark_store_notify_projects(struct hark_db *, hark_notify_project_fn,
	    void *ctx);
/*
 * Up to limit rows of the project created at or after since and not yet
 * announced: each stamped and given its feedback.created notify job, in one
 * transaction.  *n announced (fewer than limit: none are left).
 */
int	hark_store_notify_announce(struct hark_db *, const char *project_id,
	    const char *since, unsigned limit, unsigned *n);

typedef int	(*hark_notify_target_fn)(void *ctx, const char *id);
/* The project's webhook endpoints subscribed to event. */
int	hark_store_webhook_targets(struct hark_db *, const char *project_id,
	    const char *event, hark_notify_target_fn, void *ctx);
/* The project's Linear trigger_on, or "" without a Linear link. */
int	hark_store_linear_trigger(struct hark_db *, const char *project_id,
	    char trigger[HARK_LINEAR_TRIGGER_SIZE]);

struct hark_notify_delivery {
	const char	*id;		/* msg_, derived from the notify job */
	const char	*webhook_id;
};
struct hark_notify_job {
	const char	*id;		/* derived from the notify job */
	const char	*kind;		/* webhook, email, linear */
	const char	*payload;	/* JSON */
	unsigned	 max_attempts;
};
/* What one event becomes; body is the webhook payload every delivery sends. */
struct hark_notify_fanout {
	const char				*project_id, *feedback_id;
	const char				*comment_id;	/* or NULL */
	const char				*event;
	const char				*body;
	size_t					 body_len;
	const struct hark_notify_delivery	*deliveries;
	size_t					 ndeliveries;
	const struct hark_notify_job		*jobs;
	size_t					 njobs;
};
/* All of it in one transaction; rows already there (a rerun) are kept. */
int	hark_store_notify_fanout(struct hark_db *,
	    const struct hark_notify_fanout *);

/*
 * Inbound alert hooks (store_hooks.c, schema/011_hooks.sql).  A hook is
 * found by the SHA-256 of its hk_ secret (Bearer, Basic), or by its id for
 * Sentry, whose client secret is kept whole to check its signature.
 */
struct hark_hook {
	char		 id[HARK_ID_SIZE];
	char		 project_id[HARK_ID_SIZE];
	char		 kind[16];		/* alertmanager, grafana, sentry */
	bool		 has_hash;
	unsigned char	 secret_hash[32];
	char		 secret[256];		/* Sentry's; not a C string */
	size_t		 secret_len;
	bool		 revoked;
	char		 created_at[HARK_STORE_TS_SIZE];
};
int	hark_store_hook_create(struct hark_db *, const struct hark_hook *);
int	hark_store_hook_by_hash(struct hark_db *, const unsigned char hash[32],
	    struct hark_hook *);
int	hark_store_hook_get(struct hark_db *, const char *id,
	    struct hark_hook *);
typedef int	(*hark_hook_fn)(void *ctx, const struct hark_hook *);
int	hark_store_hook_list(struct hark_db *, const char *project_id,
	    hark_hook_fn, void *ctx);
/* Revoked hooks stop authenticating; the row stays for the audit trail. */
int	hark_store_hook_revoke(struct hark_db *, const char *id);

/* One alert, with the item it files if it is new (made by the caller). */
struct hark_alert_item {
	bool				 firing;
	const char			*fingerprint;
	const struct hark_feedback	*fb;
};
struct hark_alert_batch {
	const char			*project_id;
	const char			*source;	/* alertmanager, ... */
	const char			*resolution_note;
	const struct hark_alert_item	*items;
	size_t				 n;
	/* The audit row written with it (no alert text), or NULL. */
	const char			*audit_detail, *remote_addr;
};
struct hark_alert_counts {
	unsigned	 created, repeated, resolved, ignored;
};
/* The batch in one transaction: all of it is applied, or none. */
int	hark_store_alerts_apply(struct hark_db *,
	    const struct hark_alert_batch *, struct hark_alert_counts *);

/*
 * Webhook endpoints and their delivery log (lib/store_webhooks.c; issue
 * 18).  An endpoint's secret is the raw key of its whsec_ text: read by
 * hark_store_webhook_get only (the sender, harkctl), never by a listing.
 */
#define HARK_STORE_WEBHOOK_URL_SIZE	2049	/* webhooks.url + NUL */
#define HARK_STORE_WEBHOOK_EVENTS_SIZE	96	/* every event, comma-joined */
#define HARK_STORE_WEBHOOK_SECRET_MAX	64	/* webhooks.secret */
struct hark_webhook {
	char		 id[HARK_ID_SIZE];
	char		 project_id[HARK_ID_SIZE];
	char		 url[HARK_STORE_WEBHOOK_URL_SIZE];
	char		 events[HARK_STORE_WEBHOOK_EVENTS_SIZE];	/* the SET */
	unsigned char	 secret[HARK_STORE_WEBHOOK_SECRET_MAX];
	size_t		 secret_len;	/* 0 in a listing */
	char		 created_at[HARK_STORE_TS_SIZE];
};
/* DUPLICATE on an id already there; the project must exist. */
int	hark_store_webhook_insert(struct hark_db *, const struct hark_webhook *);
/* NOT_FOUND when there is no such endpoint. */
int	hark_store_webhook_get(struct hark_db *, const char *id,
	    struct hark_webhook *);
typedef int	(*hark_webhook_fn)(void *ctx, const struct hark_webhook *);
/* A project's endpoints, oldest first, without their secrets. */
int	hark_store_webhook_each(struct hark_db *, const char *project_id,
	    hark_webhook_fn, void *ctx);
/* Deletes the endpoint and (ON DELETE CASCADE) its deliveries; NOT_FOUND. */
int	hark_store_webhook_delete(struct hark_db *, const char *id);
/* Replaces the secret; NOT_FOUND when there is no such endpoint. */
int	hark_store_webhook_set_secret(struct hark_db *, const char *id,
	    const unsigned char *secret, size_t len);

/*
 * One delivery.  payload is malloc'ed by hark_store_webhook_delivery_get
 * (hark_webhook_delivery_clear frees it) and NULL in a listing row.
 */
struct hark_webhook_delivery {
	char		 id[HARK_ID_SIZE + 8];	/* webhook_deliveries.id */
	char		 webhook_id[HARK_ID_SIZE];
	char		 project_id[HARK_ID_SIZE];
	char		 feedback_id[HARK_ID_SIZE];	/* "" = none */
	char		 event[33];
	char		 status[16];		/* pending, delivered, failed */
	unsigned	 attempts;
	int		 last_status;		/* HTTP status; 0 = none */
	char		 last_error[513];
	char		 created_at[HARK_STORE_TS_SIZE];
	char		 updated_at[HARK_STORE_TS_SIZE];
	char		 delivered_at[HARK_STORE_TS_SIZE];	/* "" = not */
	char		*payload;
	size_t		 payload_len;
};
int	hark_store_webhook_delivery_get(struct hark_db *, const char *id,
	    struct hark_webhook_delivery *);
void	hark_webhook_delivery_clear(struct hark_webhook_delivery *);
/*
 * Records one attempt: attempts + 1, its HTTP status (0: none came) and
 * error (NULL: none), and delivered (status delivered, delivered_at now)
 * or still pending.  A delivery no longer pending is left alone.
 */
int	hark_store_webhook_delivery_attempt(struct hark_db *, const char *id,
	    bool delivered, int http_status, const char *error);
/* No attempt left: a pending delivery becomes failed (error: why). */
int	hark_store_webhook_delivery_fail(struct hark_db *, const char *id,
	    const char *error);
typedef int	(*hark_webhook_delivery_fn)(void *ctx,
	    const struct hark_webhook_delivery *);
/*
 * The newest deliveries first, of a project or of one endpoint (one of
 * project_id, webhook_id is NULL), of one status (NULL: any), at most
 * limit.
 */
int	hark_store_webhook_delivery_each(struct hark_db *,
	    const char *project_id, const char *webhook_id, const char *status,
	    unsigned limit, hark_webhook_delivery_fn, void *ctx);

/*
 * A project's Linear mirror (store_linear.c, project_linear of
 * schema/008_notify.sql) and the issue stored on an item.  key_file names
 * the file holding the API key (read when a job runs, never stored).
 */
#define HARK_STORE_LINEAR_TEAM_MAX	64	/* the column's */
#define HARK_STORE_LINEAR_KEY_FILE_MAX	1024
struct hark_linear_link {
	char	 project_id[HARK_ID_SIZE];
	char	 team_id[HARK_STORE_LINEAR_TEAM_MAX + 1];
	char	 key_file[HARK_STORE_LINEAR_KEY_FILE_MAX + 1];
	char	 trigger_on[8];		/* "created" or "triaged" */
	char	 created_at[HARK_STORE_TS_SIZE];
	char	 updated_at[HARK_STORE_TS_SIZE];
};
/* NOT_FOUND when the project has no link. */
int	hark_store_linear_get(struct hark_db *, const char *project_id,
	    struct hark_linear_link *out);
/*
 * Makes or replaces the project's link, with an audit_log row
 * ("linear_set", its team and trigger) in the same transaction.
 */
int	hark_store_linear_set(struct hark_db *, const struct hark_linear_link *);
/* Removes it, audited ("linear_unset"); NOT_FOUND when there is none. */
int	hark_store_linear_unset(struct hark_db *, const char *project_id);
/*
 * Stores the issue on the item, unless one is stored already (the first
 * wins); NOT_FOUND when the project has no such item.
 */
int	hark_store_linear_issue_save(struct hark_db *, const char *project_id,
	    const char *feedback_id, const char *issue_id, const char *url);

/*
 * Erasure and export by reporter (store_reporters.c, GDPR Art. 15 and 17).
 * A reporter is exactly one of an email address (given in lower case;
 * feedback.user_email is matched by its collation, case-insensitively) or
 * a user id (matched byte for byte), within one project.
 */
struct hark_reporter {
	const char	*email;		/* NULL: by user id */
	size_t		 email_len;
	const char	*user_id;	/* NULL: by email */
	size_t		 user_id_len;
};
/* Rows deleted, per table. */
struct hark_reporter_counts {
	unsigned long long	 feedback, media, comments, labels, sessions,
				 jobs, webhook_deliveries, idempotency_keys;
};
#define HARK_REPORTER_BATCH	100	/* feedback rows per transaction */
typedef int	(*hark_reporter_path_fn)(void *ctx, const char *relpath);
/*
 * One bounded transaction of an erasure: up to HARK_REPORTER_BATCH of the
 * reporter's feedback rows with all that hangs off them (webhook
 * deliveries, jobs, comments, labels, media rows, idempotency keys, their
 * sessions); once none is left, up to that many sessions whose identity
 * is the reporter's; then up to that many comments the reporter wrote as a
 * submitter on other items.  Adds what it deleted to *counts; *done when
 * there was nothing left to delete.  After the commit, fn is called with
 * each deleted media row's path (unchecked: the caller checks its shape
 * and removes the file; a crash before leaves orphans the media sweep
 * removes).
 */
int	hark_store_reporter_erase_step(struct hark_db *, const char *project_id,
	    const struct hark_reporter *, struct hark_reporter_counts *counts,
	    hark_reporter_path_fn fn, void *ctx, bool *done);
typedef int	(*hark_reporter_id_fn)(void *ctx, const char *id);
/* The reporter's feedback ids after after_id (NULL: from the first), by id. */
int	hark_store_reporter_feedback_page(struct hark_db *,
	    const char *project_id, const struct hark_reporter *,
	    const char *after_id, unsigned limit, hark_reporter_id_fn, void *ctx);
/* A session as an export shows it; strings live for the callback only. */
struct hark_reporter_session {
	char		 session_id[HARK_SESSION_ID_SIZE];
	char		 status[16];
	char		 feedback_id[HARK_ID_SIZE];	/* "" = none */
	const char	*transcript;	/* NULL = none */
	size_t		 transcript_len;
	const char	*identity;	/* JSON or NULL */
	size_t		 identity_len;
	char		 created_at[HARK_STORE_TS_SIZE];
	char		 expires_at[HARK_STORE_TS_SIZE];
};
typedef int	(*hark_reporter_session_fn)(void *ctx,
		    const struct hark_reporter_session *);
/* The project's session session_id, if there is one (fn not called else). */
int	hark_store_reporter_session_get(struct hark_db *, const char *project_id,
	    const char *session_id, hark_reporter_session_fn, void *ctx);
/*
 * The sessions whose identity is the reporter's and that none of the
 * reporter's items names, after session id after (NULL: from the first).
 */
int	hark_store_reporter_session_page(struct hark_db *,
	    const char *project_id, const struct hark_reporter *,
	    const char *after, unsigned limit, hark_reporter_session_fn,
	    void *ctx);
/* The reporter's submitter comments on others' items, by id after after_id. */
int	hark_store_reporter_comment_page(struct hark_db *,
	    const char *project_id, const struct hark_reporter *,
	    const char *after_id, unsigned limit, hark_comment_fn, void *ctx);

/*
 * The commit queue's writer (fcgi/writer.c, issue 21): rows other workers
 * validated, each with its hark-made id, filed as multi-row INSERTs in one
 * transaction with the answers their Idempotency-Keys record (idem_key
 * NULL: none) and the other rows of multipart submissions (parts).  Each row's rc is its own outcome: a row the server refuses
 * sends the batch one row at a time, so it never fails its neighbours; a
 * conflict (1213/1180/1047) or a lost COMMIT (2013/2006) is retried whole,
 * and the retry meets the rows that did commit by their ids.  Returns
 * HARK_STORE_OK when the rows committed together.
 */
struct hark_store_batch_row {
	const struct hark_feedback	*fb;
	/* A multipart submission's other rows (parts->fb == fb), or NULL. */
	const struct hark_store_submission *parts;
	const char			*idem_key;
	int				 idem_status;
	const char			*idem_body;
	size_t				 idem_body_len;
	int				 rc;		/* out */
	unsigned int			 err;		/* out: the server's */
	char				 errmsg[256];	/* out: scrubbed */
};

int	hark_store_feedback_insert_batch(struct hark_db *,
	    struct hark_store_batch_row *rows, size_t n);
/*
 * The writer's error for a row it answered, recorded as this handle's, so
 * the worker's log line about its answer says why (hark_store_errmsg).
 */
void	hark_store_set_error(struct hark_db *, unsigned int err,
	    const char *msg);

#endif
