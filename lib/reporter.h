/*
 * reporter.h: erasure and export of one reporter's data (GDPR Articles 15
 * and 17), the service that POST /v1/reporters/erase and harkctl reporter
 * share.  A reporter is an email address or a user id within a project
 * (store.h, struct hark_reporter, says how each is matched).  Functions
 * that reach the store return its enum hark_store_rc.
 */
#ifndef HARK_REPORTER_H
#define HARK_REPORTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "store.h"

struct hark_db;
struct json_object;

#define HARK_REPORTER_EMAIL_MAX		254	/* bytes, as identity takes it */
#define HARK_REPORTER_USER_ID_MAX	255	/* characters, the column's */

/* A reporter as given, normalized, with the hash the audit log names. */
struct hark_reporter_id {
	struct hark_reporter	 r;	/* points into buf */
	char			 buf[4 * HARK_REPORTER_USER_ID_MAX + 1];
	/*
	 * Lower-case hex SHA-256 of "email:" and the address in lower case,
	 * or of "userId:" and the id as given: the same reporter always
	 * hashes alike, and the log never holds the address.
	 */
	char			 hash[65];
};

enum hark_reporter_check {
	HARK_REPORTER_OK = 0,
	HARK_REPORTER_NEITHER,		/* no email nor user id */
	HARK_REPORTER_BOTH,		/* both given */
	HARK_REPORTER_BAD_EMAIL,	/* not an address (hark_json_is_email) */
	HARK_REPORTER_BAD_USER_ID	/* empty, too long, not UTF-8, a NUL */
};

/*
 * Fills id from exactly one of email and user_id (the other NULL).  The
 * address is kept in lower case (ASCII: hark_json_is_email takes no
 * other); the user id as given.
 */
enum hark_reporter_check hark_reporter_make(struct hark_reporter_id *id,
	    const char *email, size_t email_len, const char *user_id,
	    size_t user_id_len);
/* A message for a check that failed, fit for an error body. */
const char	*hark_reporter_check_message(enum hark_reporter_check);

/*
 * Erases every row of the reporter in project_id, in transactions of at
 * most HARK_REPORTER_BATCH feedback rows, and each media file after the
 * commit of its rows (under media_dir; *files says how many were removed).
 * The audit log gets one row ("reporter_erased", or
 * "reporter_erase_incomplete" when a batch failed) with key_id,
 * remote_addr (each may be NULL), the hash and the counts.  *counts holds
 * what was deleted, also when a later batch failed.
 */
int	hark_reporter_erase(struct hark_db *, const char *media_dir,
	    const char *project_id, const struct hark_reporter_id *,
	    const char *key_id, const char *remote_addr,
	    struct hark_reporter_counts *counts, unsigned long long *files);
/*
 * {"feedback": n, "media": n, "comments": n, "labels": n, "sessions": n,
 * "jobs": n, "webhookDeliveries": n, "idempotencyKeys": n, "files": n};
 * NULL when memory runs out.
 */
struct json_object *hark_reporter_counts_json(
	    const struct hark_reporter_counts *, unsigned long long files);

/*
 * Writes the reporter's data to out as JSON Lines, page by page (keyset on
 * ids: memory holds one item at a time, never the set):
 *   {"object": "feedback", <the API's view of the item, with its context>,
 *    "media": [{kind, path, contentType, bytes, sha256, durationMs}],
 *    "comments": [...], "session": {...} or null}   one per item, by id;
 *   {"object": "session", ...}   each session holding the reporter's
 *                                identity that none of their items names;
 *   {"object": "comment", ...}   each comment they wrote as a submitter on
 *                                an item not theirs.
 * *lines counts the lines written.  HARK_STORE_ERROR with errno set when
 * writing fails; the audit log gets a "reporter_exported" row.
 */
int	hark_reporter_export(struct hark_db *, const char *project_id,
	    const struct hark_reporter_id *, FILE *out,
	    unsigned long long *lines);

#endif
