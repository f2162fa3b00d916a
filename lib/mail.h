/*
 * mail.h: an email to a submitter: its templates, its RFC 5322 / MIME text
 * and the two ways hark sends it (SMTP through libcurl, a Resend-compatible
 * HTTP API).
 *
 * Everything up to hark_mail_smtp_send is pure (no I/O, no clock, no
 * randomness: the caller passes the date, the Message-ID and the MIME
 * boundary), so the unit tests pin every byte.  Whatever comes from a
 * submitter or a comment (the item's text, a resolution note, a comment
 * body) is data: HTML-escaped in the HTML part, and never able to add a
 * header line (CR, LF and every other control character become spaces in a
 * header, and a non-ASCII Subject is RFC 2047 encoded).
 */
#ifndef HARK_MAIL_H
#define HARK_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"

/* One {{name}} of a template and what it stands for (len bytes). */
struct hark_mail_var {
	const char	*name;
	const char	*value;		/* NULL renders as nothing */
	size_t		 len;
};

enum hark_mail_escape {
	HARK_MAIL_TEXT = 0,	/* as it is */
	HARK_MAIL_HTML,		/* & < > " ' as entities */
	HARK_MAIL_URL		/* percent-encoded but for A-Z a-z 0-9 -._~ */
};

/*
 * Appends tmpl (len bytes) to out with every {{name}} (name: letters,
 * digits and '_', optional spaces inside the braces) replaced by its
 * variable's value, escaped as esc says.  A {{name}} with no variable is
 * kept as written, so a template's typo shows in the mail instead of
 * vanishing.  Values are never themselves expanded.  0, or -1 out of memory.
 */
int	hark_mail_render(const char *tmpl, size_t len,
	    const struct hark_mail_var *vars, size_t nvars,
	    enum hark_mail_escape esc, struct hark_buf *out);

/*
 * Splits a text template: a first line "Subject: ..." is the subject's
 * template (*subj, *subj_len, without the line end) and what follows the
 * line (and one blank line after it) the body's.  Without such a line
 * *subj is NULL and the body is the whole template.
 */
void	hark_mail_split_subject(const char *tmpl, size_t len,
	    const char **subj, size_t *subj_len, const char **body,
	    size_t *body_len);

/*
 * Appends s as one header-safe line of UTF-8: every control character (CR
 * and LF among them) and every run of white space becomes one space,
 * leading and trailing space dropped, invalid UTF-8 replaced by U+FFFD, and
 * cut (at a character boundary) to max bytes with "..." after it.  0 or -1.
 */
int	hark_mail_header_text(const char *s, size_t len, size_t max,
	    struct hark_buf *out);

/*
 * Appends s (already header-safe: no control characters) as a header
 * field's value: as it is when it is printable ASCII, else as RFC 2047
 * encoded-words ("=?UTF-8?B?...?=", 75 characters at most each, split
 * between characters, folded onto continuation lines).  0 or -1.
 */
int	hark_mail_encode_header(const char *s, size_t len, struct hark_buf *out);

/*
 * Appends len bytes as quoted-printable (RFC 2045 6.7): lines end in CRLF
 * (LF or CRLF in the input is a line break, a lone CR is encoded), no line
 * is longer than 76 characters, a space or tab before a line end and a '.'
 * or 'F' that starts a line are encoded (SMTP's dot and mbox's "From ").
 * 0 or -1.
 */
int	hark_mail_qp(const char *s, size_t len, struct hark_buf *out);

/* RFC 5322's date-time for t, in UTC: "Thu, 03 Dec 2026 15:41:18 +0000". */
void	hark_mail_date(time_t t, char out[40]);

/*
 * The List-Unsubscribe value: each of the spaces- or comma-separated URIs
 * of list (a mailto: or an https: URI, {{name}} variables expanded
 * URL-encoded) in angle brackets, comma-separated; an empty list is
 * "<mailto:FROM?subject=unsubscribe>".  *one_click is true when one of them
 * is https: (then List-Unsubscribe-Post goes with it, RFC 8058).  Returns 0,
 * -1 out of memory, or -2 when a URI is neither mailto: nor https: or
 * holds a character that cannot be in a header (why says which).
 */
int	hark_mail_unsubscribe(const char *list, const char *from,
	    const struct hark_mail_var *vars, size_t nvars,
	    struct hark_buf *out, bool *one_click, const char **why);

/* Whether s is a list hark_mail_unsubscribe accepts; for the config. */
const char	*hark_mail_unsubscribe_check(const char *list);

/* The parts of one message.  Strings are NUL-terminated but for the bodies. */
struct hark_mail_msg {
	const char	*from;		/* an address */
	const char	*from_name;	/* a display name; NULL or "" = none */
	const char	*to;		/* an address */
	const char	*subject;	/* header-safe (hark_mail_header_text) */
	const char	*text;		/* the text/plain part, UTF-8 */
	size_t		 text_len;
	const char	*html;		/* the text/html part, UTF-8 */
	size_t		 html_len;
	const char	*unsubscribe;	/* List-Unsubscribe's value; NULL = none */
	bool		 one_click;	/* add List-Unsubscribe-Post */
	time_t		 date;
	const char	*message_id;	/* "<...@...>" */
	const char	*boundary;	/* must start with "=_": never in QP text */
};

/*
 * Appends the whole message (headers, a multipart/alternative body of the
 * text and the HTML part, each quoted-printable UTF-8), CRLF line ends.
 * Returns 0, -1 out of memory, or -2 when from or to is no address
 * (hark_json_is_email) or a header holds a control character.
 */
int	hark_mail_build(const struct hark_mail_msg *m, struct hark_buf *out);

/* The From header's value: "Name <addr>" (the name RFC 2047 encoded or
 * quoted as needed), or the bare address.  0 or -1. */
int	hark_mail_from_header(const char *from, const char *from_name,
	    struct hark_buf *out);

/*
 * The JSON a Resend-compatible API takes for m: {from, to: [to], subject,
 * html, text, headers: {List-Unsubscribe, List-Unsubscribe-Post}}.  0, -1
 * out of memory, -2 as hark_mail_build.
 */
int	hark_mail_resend_json(const struct hark_mail_msg *m,
	    struct hark_buf *out);

/* What a send came to. */
enum hark_mail_rc {
	HARK_MAIL_SENT = 0,	/* accepted by the server */
	HARK_MAIL_RETRY,	/* not now: a transport error, 4xx SMTP, 429/5xx */
	HARK_MAIL_FAILED	/* never: a permanent refusal (5xx SMTP, 4xx HTTP) */
};

enum hark_mail_tls {
	HARK_MAIL_TLS_NO = 0,	/* never STARTTLS */
	HARK_MAIL_TLS_TRY,	/* STARTTLS when the server offers it */
	HARK_MAIL_TLS_REQUIRED	/* STARTTLS or nothing is sent */
};

struct hark_mail_smtp {
	const char		*url;		/* smtp://host:port, smtps://... */
	enum hark_mail_tls	 starttls;
	const char		*user;		/* "" = no AUTH */
	const char		*password;
	long			 timeout_ms;
};

/*
 * Sends msg (len bytes, CRLF lines) from from to to over SMTP.  why (never
 * the address nor the text) says what went wrong.
 */
enum hark_mail_rc	hark_mail_smtp_send(const struct hark_mail_smtp *s,
			    const char *from, const char *to, const char *msg,
			    size_t len, char *why, size_t whylen);

struct hark_mail_resend {
	const char	*base_url;	/* https://api.resend.com */
	const char	*key;		/* the API key */
	const char	*idempotency_key; /* the same on every retry; NULL = none */
	long		 timeout_ms;
};

/*
 * POSTs json (hark_mail_resend_json) to base_url/emails.  *retry_after is a
 * 429's or 503's Retry-After (seconds, 0 = none).
 */
enum hark_mail_rc	hark_mail_resend_send(const struct hark_mail_resend *r,
			    const char *json, size_t len,
			    unsigned *retry_after, char *why, size_t whylen);

#endif
