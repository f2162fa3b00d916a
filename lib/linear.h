/*
 * linear.h: what hark sends to Linear's GraphQL API and how it reads the
 * answer (batch/linear.c does the sending): a ticket's title and Markdown
 * description made from an item, the bodies of mirrored comments, the
 * request bodies of issueCreate and commentCreate, the Authorization
 * header, and the mapping of an answer onto done / retry / failed.
 *
 * Everything here is pure (no network, no database), so the unit tests
 * hold it to the exact bytes.  Request bodies are JSON made by json-c:
 * the query is a constant and every value travels in "variables", never
 * spliced into the query text.
 */
#ifndef HARK_LINEAR_H
#define HARK_LINEAR_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define HARK_LINEAR_TITLE_MAX	80	/* code points, before the "…" */
#define HARK_LINEAR_TITLE_SIZE	(HARK_LINEAR_TITLE_MAX * 4 + 4)
#define HARK_LINEAR_TEXT_MAX	16384	/* bytes of a message quoted */
#define HARK_LINEAR_CONSOLE_LINES 5	/* console errors shown, the last ones */
#define HARK_LINEAR_CONSOLE_LINE 300	/* bytes of one console message */
#define HARK_LINEAR_ANSWER_MAX	(64 * 1024)	/* bytes of an answer read */

/*
 * The length in bytes of the first sentence of s: up to and including the
 * first '.', '!', '?' or '…' that is followed by white space or the end,
 * or up to the first line break, whichever comes first (all of s when it
 * has neither).
 */
size_t	hark_linear_first_sentence(const char *s, size_t len);

/*
 * A ticket's title: the triage's title if it has one, else its summary,
 * else the first sentence of text, else fallback.  White space and control
 * characters are collapsed into single spaces; longer than
 * HARK_LINEAR_TITLE_MAX code points, it is cut at the last space before
 * the limit (mid-word only when a word runs past half of it) and ends with
 * "…".  Bytes that are not UTF-8 become U+FFFD.  out (outsize at least
 * HARK_LINEAR_TITLE_SIZE) is NUL-terminated.
 */
void	hark_linear_title(const char *title, size_t title_len,
	    const char *summary, size_t summary_len, const char *text,
	    size_t text_len, const char *fallback, char *out, size_t outsize);

/* What a ticket's description is made of; NULL / 0 members are left out. */
struct hark_linear_item {
	const char	*id;		/* hark's fb_... */
	const char	*text;
	size_t		 text_len;
	const char	*page;
	size_t		 page_len;
	const char	*user_name;
	size_t		 user_name_len;
	const char	*user_email;
	size_t		 user_email_len;
	const char	*user_id;
	size_t		 user_id_len;
	const char	*category;
	const char	*sentiment;
	int		 impact;	/* -1 = not judged */
	const char	*context;	/* the captured context, JSON text */
	size_t		 context_len;
	/* Prefix of the media links ([linear] public_url, else [server]
	 * base_path): "" gives /v1/feedback/{id}/media/{kind}. */
	const char	*link_base;
	bool		 has_audio;
	bool		 has_screenshot;
};

/*
 * The description, Markdown: the message quoted (cut at
 * HARK_LINEAR_TEXT_MAX bytes), page, reporter, triage, the last
 * HARK_LINEAR_CONSOLE_LINES console errors of the context in a code block,
 * the media links and hark's item id.  What the submitter wrote is escaped
 * (every Markdown punctuation character backslashed, so no link, image or
 * HTML of theirs renders); the code block's fence is longer than any run
 * of backticks inside it.  0, or -1 out of memory.
 */
int	hark_linear_description(const struct hark_linear_item *,
	    struct hark_buf *out);

/* A resolution, as a comment: "Resolved in hark as **done**." and the note. */
int	hark_linear_resolved_body(const char *status, const char *note,
	    size_t note_len, struct hark_buf *out);
/* A mirrored comment: who (author type and id) and the body, quoted. */
int	hark_linear_comment_body(const char *author_type,
	    const char *author_id, size_t author_id_len, const char *body,
	    size_t body_len, struct hark_buf *out);

/*
 * The issue id hark asks Linear to use for feedback_id's ticket: a UUID
 * (version 4 form) from SHA-256 of the item id, so that a create retried
 * after its answer was lost cannot open a second issue.  0, or -1 when
 * libcrypto fails.
 */
int	hark_linear_issue_uuid(const char *feedback_id, char out[37]);

/*
 * Request bodies, JSON {"query": ..., "variables": {"input": {...}}}.
 * issue_uuid may be NULL (Linear then chooses).  0, or -1 out of memory.
 */
int	hark_linear_issue_request(const char *team_id, const char *issue_uuid,
	    const char *title, const char *description, struct hark_buf *out);
int	hark_linear_comment_request(const char *issue_id, const char *body,
	    struct hark_buf *out);
/*
 * The look-up of the issue hark asked to be issue_uuid: {"query": "query
 * HarkIssue($id: String!) { issue(id: $id) {...} }", "variables": {"id"}}.
 * A create retried finds with it the issue its lost answer made.
 */
int	hark_linear_issue_query(const char *issue_uuid, struct hark_buf *out);

/*
 * The Authorization header line for key.  Linear takes a personal API key
 * (lin_api_...) as the header's whole value and an OAuth access token
 * after "Bearer ": a key starting "lin_api_" is sent as it is, one that
 * already starts "Bearer " too, anything else (lin_oauth_..., older
 * tokens) with "Bearer " put before it.  -1 when key is empty, too long
 * for out or holds a byte outside printable ASCII (a header cannot carry
 * it).
 */
int	hark_linear_auth_header(const char *key, char *out, size_t outsize);

enum hark_linear_rc {
	HARK_LINEAR_OK = 0,
	HARK_LINEAR_RETRY,	/* transient: rate-limited, 5xx, Linear's own fault */
	HARK_LINEAR_FAIL	/* never accepted as it is: auth, validation */
};

/* What an answer said. */
struct hark_linear_answer {
	char		 id[65];		/* the issue's or comment's */
	char		 identifier[33];	/* ENG-123; issueCreate only */
	char		 url[513];
	/* For the job's last_error: the status and the errors' codes, never
	 * their messages (which may quote the input). */
	char		 why[160];
};

/*
 * Reads the answer (HTTP status, body) to op ("issueCreate",
 * "commentCreate" or "issue", the look-up):
 *	200, data.<op>.success and the object's id	OK (id, identifier, url)
 *	("issue": data.issue with its id; null is FAIL)
 *	"errors" with extensions.code RATELIMITED,
 *	INTERNAL_SERVER_ERROR or a 429 or 5xx status	RETRY
 *	any other "errors" (auth, validation...)	FAIL
 *	a 2xx without the object or with success false	FAIL
 *	429, 5xx without errors; a 2xx body that is not JSON	RETRY
 *	any other status					FAIL
 */
enum hark_linear_rc hark_linear_parse(const char *op, long status,
	    const char *body, size_t len, struct hark_linear_answer *out);

#endif
