/*
 * feedback.h: the feedback service, what a submission is, between the
 * handlers (JSON ingest today; widget ingest, multipart and batch
 * enrichment next) and lib/store:
 *   - a new item: its id (made before the INSERT), its triage, its row, and
 *     the jobs it enqueues;
 *   - reading, listing and erasing items of one project;
 *   - the list cursor: an opaque token, signed, bound to its project;
 *   - the API's JSON view of an item.
 * Functions that reach the store return its enum hark_store_rc.
 */
#ifndef HARK_FEEDBACK_H
#define HARK_FEEDBACK_H

#include <stdbool.h>
#include <stddef.h>

#include "json.h"
#include "store.h"

struct hark_db;
struct json_object;

/* A submission as the create body's schema fills it (all borrowed). */
struct hark_feedback_input {
	struct hark_json_text	 project_id;
	struct hark_json_text	 text;
	struct hark_json_text	 page;
	struct hark_json_text	 user_email;
	struct hark_json_text	 metadata;	/* compact JSON, "-0" kept */
	/* Unknown top-level members (compact JSON object), or none. */
	struct hark_json_text	 extra;
};

/*
 * Makes the row of a new item of project_id from in: id, synchronous
 * triage, status new, created now.  fb's strings are borrowed from in (so
 * from the request's tree): fb must not outlive it, and is never given to
 * hark_feedback_clear.  0, or -1 when the RNG fails (no id).
 */
int	hark_feedback_make(const char *project_id, const char *channel,
	    const struct hark_feedback_input *in, struct hark_feedback *fb);
/*
 * Stores the row hark_feedback_make made, with the jobs a new item
 * enqueues (none yet: enrichment and notifications come with their jobs).
 * HARK_STORE_OUTCOME_UNKNOWN means fb->id may be stored: tell the client.
 */
int	hark_feedback_submit(struct hark_db *, const struct hark_feedback *fb);

/* One item of the project; fb owns its strings (hark_feedback_clear). */
int	hark_feedback_get(struct hark_db *, const char *project_id,
	    const char *id, struct hark_feedback *fb);
int	hark_feedback_erase(struct hark_db *, const char *project_id,
	    const char *id);
int	hark_feedback_list(struct hark_db *, const char *project_id,
	    const struct hark_feedback_filter *, hark_feedback_fn, void *ctx);

/*
 * The list cursor: the position (created_at, id) of the last item served,
 * with an HMAC-SHA256 tag over it and the project under a key of the
 * installation, all base64url.  A cursor that was not made here for this
 * project, or was altered, does not decode.
 */
#define HARK_CURSOR_KEY_LEN	32
#define HARK_CURSOR_KEY_FILE	"cursor.key"
#define HARK_CURSOR_MAX		128	/* encoded, with its NUL */

struct hark_cursor_key {
	unsigned char	 k[HARK_CURSOR_KEY_LEN];
};

struct hark_feedback_cursor {
	bool	 set;
	char	 ts[HARK_STORE_TS_SIZE];	/* DATETIME(6) */
	char	 id[HARK_ID_SIZE];
};

/*
 * Reads the key from dir/HARK_CURSOR_KEY_FILE, making it (random, 0600,
 * linked into place so that racing workers agree) when there is none.
 * 0, or -1 with errno set; key is then random for this process only.
 */
int	hark_cursor_key_load(const char *dir, struct hark_cursor_key *key);
int	hark_feedback_cursor_encode(const struct hark_cursor_key *,
	    const char *project_id, const struct hark_feedback *last,
	    char *out, size_t outlen);
/* 0 with c filled, or -1: not a cursor of this key and project. */
int	hark_feedback_cursor_decode(const struct hark_cursor_key *,
	    const char *project_id, const char *s,
	    struct hark_feedback_cursor *c);

/*
 * A listing's page of item views, filled row by row by hark_feedback_page_row
 * (a hark_feedback_fn): want items, the look-ahead row only counted (seen >
 * want: there is a next page, and next is its cursor, made for key and
 * project_id).  failed when memory or the cursor ran out.
 */
struct hark_feedback_page {
	const struct hark_cursor_key	*key;
	const char			*project_id;
	struct json_object		*items;
	unsigned			 want, seen;
	char				 next[HARK_CURSOR_MAX];
	int				 failed;
};
int	hark_feedback_page_row(void *ctx, const struct hark_feedback *fb);

/* The API's view of an item; NULL when memory runs out.  Caller puts it. */
struct json_object	*hark_feedback_json(const struct hark_feedback *);
/* A comment as the API shows it; NULL when memory runs out. */
struct json_object	*hark_comment_json(const struct hark_comment *);
/*
 * Adds "media" to each of the n item views (hark_feedback_json's; their
 * "id" says which item): [{kind, contentType, bytes, durationMs (null when
 * unknown), url}], url being base_path + /v1/feedback/{id}/media/{kind},
 * [] for an item without media.  One query per HARK_MEDIA_LIST_MAX items,
 * never one per item.  A store result; the items may then be half done.
 */
int	hark_feedback_media_json(struct hark_db *, const char *project_id,
	    const char *base_path, struct json_object **items, size_t n);

/*
 * Files fb and records status/body as the answer to its Idempotency-Key
 * (claimed for fb's project) in one transaction.
 */
int	hark_feedback_submit_idem(struct hark_db *, const struct hark_feedback *,
	    const char *key, int status, const char *body, size_t len);
/*
 * Files a multipart submission's rows (lib/submission.c) in one
 * transaction: through the commit queue when there is one, as the two
 * above, else with hark_store_submission_insert.
 */
int	hark_feedback_submit_parts(struct hark_db *,
	    const struct hark_store_submission *);
/*
 * Idempotency-Key (issue 14 item 10): 1-255 printable ASCII characters
 * (0x20-0x7e), else false.  The request hash is the SHA-256 of the
 * validated content (each field length-prefixed, absent apart from empty),
 * so the same feedback re-serialised by a retrying client is the same
 * request.  0, or -1 when libcrypto fails.
 */
#define HARK_IDEM_KEY_MAX	255
#define HARK_IDEM_TTL_S		86400	/* a key is answered for 24 hours */
#define HARK_IDEM_INFLIGHT_S	60	/* then an in-flight claim is dead */
bool	hark_idem_key_valid(const char *key);
/*
 * The same hash over a row made to be filed (widget ingest): project,
 * text, page, email, a submitter's category, locale and extra.
 */
int	hark_feedback_row_hash(const struct hark_feedback *, unsigned char out[32]);
/*
 * One field of a request hash: "<len>:" and its bytes, or "-" when absent
 * (so absent and empty differ, and no two field lists hash alike).  Every
 * request hash (JSON, widget row, multipart) is made of these.  0 or -1.
 */
struct evp_md_ctx_st;
int	hark_hash_field(struct evp_md_ctx_st *md, const void *s, size_t len);
int	hark_feedback_input_hash(const char *project_id,
	    const struct hark_feedback_input *, unsigned char out[32]);

#endif
