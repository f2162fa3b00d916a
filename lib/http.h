/*
 * http.h: hark's request and response, free of any FastCGI type.
 *
 * fcgi/server.c fills a struct hark_req from the FastCGI environment; unit
 * tests build one by hand.  Handlers read the body through a stream so that
 * limits are enforced while reading, and answer by filling a struct hark_resp.
 */
#ifndef HARK_HTTP_H
#define HARK_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

#define HARK_MAX_PARAMS		4
#define HARK_MAX_RESP_HEADERS	16
#define HARK_MAX_PATH		2048	/* longer paths are refused with 414 */

struct hark_header {
	char	*name;		/* request: lower case, '-' separated */
	char	*value;
};

/* Reads up to n bytes into buf: the count, 0 at the end, -1 on error. */
typedef ssize_t	(*hark_body_fn)(void *ctx, void *buf, size_t n);

struct hark_req {
	char			*method;
	char			*uri;		/* request target as sent */
	char			*path;		/* decoded, base_path removed */
	char			*query;		/* raw, without '?'; "" if none */
	char			*remote_addr;
	char			*content_type;	/* NULL if absent */
	long long		 content_length;/* -1 if absent */
	struct hark_header	*headers;
	size_t			 nheaders;

	hark_body_fn		 body_read;
	void			*body_ctx;
	size_t			 body_seen;	/* bytes read so far */

	/*
	 * Filled by the router from {name} segments of the matched pattern;
	 * names point into the pattern and end at '}'.
	 */
	const char		*param_names[HARK_MAX_PARAMS];
	char			*param_values[HARK_MAX_PARAMS];
	size_t			 nparams;
};

/* X-Request-Id: 1 to 64 of [A-Za-z0-9._-], else hark makes one. */
#define HARK_REQUEST_ID_MAX	64

struct hark_resp {
	int			 status;
	const char		*content_type;	/* static string */
	struct hark_header	 headers[HARK_MAX_RESP_HEADERS];
	size_t			 nheaders;
	struct hark_buf		 body;
	bool			 widget_errors;	/* add "success": false to errors */
	/*
	 * A file body (hark_resp_file) instead of body: file_len bytes of
	 * file_fd from file_off, which the server streams in fixed-size
	 * chunks (never the whole file in memory).  file_fd is -1 when the
	 * body is the memory one; hark_resp_free closes it.
	 */
	int			 file_fd;
	off_t			 file_off;
	off_t			 file_len;
	/*
	 * The web server sends the body (X-Sendfile, X-Accel-Redirect): the
	 * answer has no body and no Content-Length of its own.
	 */
	bool			 handoff;
	/*
	 * For the access log and the X-Request-Id header: the request's id
	 * (the web server's, or made), and the project the key or token
	 * named once authenticated ("" before).
	 */
	char			 request_id[HARK_REQUEST_ID_MAX + 1];
	char			 project_id[48];
};

/* Request lifecycle: hark_req_free releases every string the request owns. */
void		 hark_req_init(struct hark_req *);
void		 hark_req_free(struct hark_req *);
/* Adds a header, lower-casing the name; 0 or -1 (ENOMEM). */
int		 hark_req_add_header(struct hark_req *, const char *name,
		    const char *value);
/*
 * Adds the request headers of a CGI/FastCGI environment: HTTP_X_HARK_KEY=v
 * becomes the header x-hark-key.  A name that arrives twice (nginx before
 * 1.23 passes each repeated header line; X_Hark_Key and X-Hark-Key are one
 * name under CGI) is combined as a list ("a, b"), except for the headers
 * that carry credentials or the client's identity (x-hark-*, x-earshot-*,
 * authorization, cookie, origin, host, x-forwarded-for, forwarded): a proxy
 * in front may have checked or set one copy, hark might read the other.
 * Returns 0, -1 (ENOMEM), or -2 for such a duplicate, with its name (never
 * its value) copied to dup.
 */
int		 hark_req_add_env_headers(struct hark_req *, char **envp,
		    char *dup, size_t dupsz);
/* Case-insensitive; NULL when absent. */
const char	*hark_req_header(const struct hark_req *, const char *name);
const char	*hark_req_param(const struct hark_req *, const char *name);
/*
 * The decoded value of a query parameter, malloc'ed (caller frees), or NULL
 * when absent.  *bad is set when present but badly encoded.
 */
char		*hark_req_query_param(const struct hark_req *, const char *name,
		    bool *bad);
/* Media type of Content-Type without parameters, compared case-insensitively. */
/*
 * Whether the query has a parameter whose (undecoded) name is not in the
 * NULL-terminated list known; the first such name is copied to name,
 * truncated to namelen.  A misspelt filter must not silently match all.
 */
bool		 hark_req_query_unknown(const struct hark_req *req,
		    const char *const *known, char *name, size_t namelen);
bool		 hark_req_content_type_is(const struct hark_req *,
		    const char *type);
/*
 * Reads the whole body into out, refusing more than max bytes: returns 0,
 * -1 on a read error, -2 when the body exceeds max.
 */
int		 hark_req_read_body(struct hark_req *, size_t max,
		    struct hark_buf *out);
/*
 * Reads at most n bytes of the body, never past its Content-Length, and
 * counts them in body_seen: the count, 0 at the end, -1 on a read error.
 * For bodies streamed rather than held (multipart uploads).
 */
ssize_t		 hark_req_read_chunk(struct hark_req *, void *buf, size_t n);

/*
 * Splits req->uri into path (decoded, base_path removed) and query.  Returns
 * 0, or the HTTP status to refuse it with (400, 404, 414) and *why.
 */
int		 hark_req_parse_uri(struct hark_req *, const char *base_path,
		    const char **why);

/*
 * Percent-decodes a URL path into a new string and checks it: returns 0, or
 * -1 with *why set when it holds NUL, a bad escape, or a ".." or "." segment.
 */
int		 hark_path_decode(const char *raw, size_t len, char **out,
		    const char **why);

void		 hark_resp_init(struct hark_resp *);
void		 hark_resp_free(struct hark_resp *);
/*
 * Makes len bytes of fd from off the body, with status and content_type
 * (static, or living as long as resp), dropping any memory body.  resp
 * takes fd over: hark_resp_free (or the next hark_resp_file) closes it.
 */
void		 hark_resp_file(struct hark_resp *, int status,
		    const char *content_type, int fd, off_t off, off_t len);
/* The body's length in bytes: the file part's or the memory body's. */
unsigned long long hark_resp_body_len(const struct hark_resp *);
/* Sets (replacing) a response header. */
int		 hark_resp_header(struct hark_resp *, const char *name,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const char	*hark_resp_get_header(const struct hark_resp *, const char *name);
void		 hark_resp_unset_header(struct hark_resp *, const char *name);
/* Serialises a json-c object as the body (the caller keeps the object). */
struct json_object;
int		 hark_resp_json(struct hark_resp *, int status,
		    struct json_object *);
/*
 * The error format: {"error": {"code", "message", "field"?}}, plus
 * "success": false when widget_errors is set.  field may be NULL.
 */
int		 hark_resp_error(struct hark_resp *, int status,
		    const char *code, const char *field, const char *fmt, ...)
		    __attribute__((format(printf, 5, 6)));
const char	*hark_status_text(int status);

#endif
