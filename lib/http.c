/* http.c: the request/response model shared by the FastCGI adaptor, handlers and tests. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <json-c/json.h>

#include "http.h"
#include "hex.h"

void
hark_req_init(struct hark_req *req)
{
	memset(req, 0, sizeof(*req));
	req->content_length = -1;
}

void
hark_req_free(struct hark_req *req)
{
	size_t	 i;

	free(req->method);
	free(req->uri);
	free(req->path);
	free(req->query);
	free(req->remote_addr);
	free(req->content_type);
	for (i = 0; i < req->nheaders; i++) {
		free(req->headers[i].name);
		free(req->headers[i].value);
	}
	free(req->headers);
	for (i = 0; i < req->nparams; i++)
		free(req->param_values[i]);
	hark_req_init(req);
}

int
hark_req_add_header(struct hark_req *req, const char *name, const char *value)
{
	struct hark_header	*h;
	char			*n, *v, *p;

	h = realloc(req->headers, (req->nheaders + 1) * sizeof(*h));
	if (h == NULL)
		return -1;
	req->headers = h;
	if ((n = strdup(name)) == NULL)
		return -1;
	if ((v = strdup(value)) == NULL) {
		free(n);
		return -1;
	}
	for (p = n; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	h[req->nheaders].name = n;
	h[req->nheaders].value = v;
	req->nheaders++;
	return 0;
}

/*
 * Headers that say who the client is or what it may do.  A second copy of
 * one is refused, never merged: under CGI X_Hark_Key and X-Hark-Key are one
 * name, so a proxy in front that checked or set one spelling can be passed
 * with the other, and which copy hark would read is the web server's order.
 */
static int
header_is_single(const char *name)
{
	static const char *const single[] = {
		"authorization", "proxy-authorization", "cookie", "origin",
		"x-forwarded-for", "forwarded", "host"
	};
	size_t	 i;

	if (strncasecmp(name, "x-hark-", 7) == 0 ||
	    strncasecmp(name, "x-earshot-", 10) == 0)
		return 1;
	for (i = 0; i < sizeof(single) / sizeof(single[0]); i++)
		if (strcasecmp(name, single[i]) == 0)
			return 1;
	return 0;
}

/* Appends ", value" to header h, as RFC 9110 (5.3) combines a list. */
static int
header_append(struct hark_header *h, const char *value)
{
	char	*v;

	if (asprintf(&v, "%s, %s", h->value, value) == -1)
		return -1;
	free(h->value);
	h->value = v;
	return 0;
}

int
hark_req_add_env_headers(struct hark_req *req, char **envp, char *dup,
    size_t dupsz)
{
	char		 name[256];
	const char	*eq;
	size_t		 i, n;

	if (dupsz > 0)
		dup[0] = '\0';
	for (; envp != NULL && *envp != NULL; envp++) {
		if (strncmp(*envp, "HTTP_", 5) != 0 ||
		    (eq = strchr(*envp, '=')) == NULL)
			continue;
		n = (size_t)(eq - *envp) - 5;
		if (n == 0 || n >= sizeof(name))
			continue;
		for (i = 0; i < n; i++)
			name[i] = (char)tolower((unsigned char)((*envp)[5 + i] ==
			    '_' ? '-' : (*envp)[5 + i]));
		name[n] = '\0';
		for (i = 0; i < req->nheaders; i++)
			if (strcmp(req->headers[i].name, name) == 0)
				break;
		if (i == req->nheaders) {
			if (hark_req_add_header(req, name, eq + 1) == -1)
				return -1;
			continue;
		}
		if (header_is_single(name)) {
			snprintf(dup, dupsz, "%s", name);
			return -2;
		}
		if (header_append(&req->headers[i], eq + 1) == -1)
			return -1;
	}
	return 0;
}

const char *
hark_req_header(const struct hark_req *req, const char *name)
{
	size_t	 i;

	for (i = 0; i < req->nheaders; i++)
		if (strcasecmp(req->headers[i].name, name) == 0)
			return req->headers[i].value;
	return NULL;
}

const char *
hark_req_param(const struct hark_req *req, const char *name)
{
	size_t	 i, n = strlen(name);

	/* Names point into the route pattern and end at '}'. */
	for (i = 0; i < req->nparams; i++)
		if (strncmp(req->param_names[i], name, n) == 0 &&
		    (req->param_names[i][n] == '}' ||
		    req->param_names[i][n] == '\0'))
			return req->param_values[i];
	return NULL;
}

/*
 * Percent-decodes [s, s+len) into a new string; plus_space turns '+' into ' '
 * (form encoding).  Returns NULL on a bad escape, an encoded NUL, or ENOMEM.
 */
static char *
percent_decode(const char *s, size_t len, int plus_space)
{
	char	*out, *o;
	size_t	 i;
	int	 hi, lo;

	if ((out = malloc(len + 1)) == NULL)
		return NULL;
	for (i = 0, o = out; i < len; i++) {
		if (s[i] == '%') {
			if (i + 2 >= len)
				goto bad;
			hi = hark_hex_value((unsigned char)s[i + 1]);
			lo = hark_hex_value((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				goto bad;
			*o++ = (char)(hi << 4 | lo);
			i += 2;
		} else if (s[i] == '+' && plus_space) {
			*o++ = ' ';
		} else if (s[i] == '\0') {
			goto bad;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

char *
hark_req_query_param(const struct hark_req *req, const char *name,
    bool *bad)
{
	const char	*p, *amp, *eq;
	size_t		 nlen = strlen(name);

	*bad = false;
	if (req->query == NULL)
		return NULL;
	for (p = req->query; *p != '\0'; p = *amp ? amp + 1 : amp) {
		amp = strchr(p, '&');
		if (amp == NULL)
			amp = p + strlen(p);
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq == NULL)
			eq = amp;
		if ((size_t)(eq - p) != nlen || strncmp(p, name, nlen) != 0)
			continue;
		if (eq == amp)
			return strdup("");
		p = eq + 1;
		{
			char *v = percent_decode(p, (size_t)(amp - p), 1);

			if (v == NULL)
				*bad = true;
			return v;
		}
	}
	return NULL;
}

bool
hark_req_query_unknown(const struct hark_req *req, const char *const *known,
    char *name, size_t namelen)
{
	const char	*p, *amp, *eq;
	size_t		 i, n;

	if (req->query == NULL)
		return false;
	for (p = req->query; *p != '\0'; p = *amp ? amp + 1 : amp) {
		amp = p + strcspn(p, "&");
		eq = memchr(p, '=', (size_t)(amp - p));
		n = (size_t)((eq != NULL ? eq : amp) - p);
		if (n == 0 && amp == p)
			continue;	/* "a=1&&b=2": an empty pair names nothing */
		for (i = 0; known[i] != NULL; i++)
			if (strlen(known[i]) == n && strncmp(p, known[i], n) == 0)
				break;
		if (known[i] == NULL) {
			snprintf(name, namelen, "%.*s", (int)n, p);
			return true;
		}
	}
	return false;
}

bool
hark_req_content_type_is(const struct hark_req *req, const char *type)
{
	const char	*ct = req->content_type;
	size_t		 n = strlen(type);

	if (ct == NULL)
		return false;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, type, n) != 0)
		return false;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

ssize_t
hark_req_read_chunk(struct hark_req *req, void *buf, size_t n)
{
	ssize_t	 got;

	if (req->body_read == NULL)
		return 0;
	/* CGI promises CONTENT_LENGTH bytes, not an end of file. */
	if (req->content_length >= 0) {
		if (req->body_seen >= (unsigned long long)req->content_length)
			return 0;
		if ((unsigned long long)req->content_length - req->body_seen < n)
			n = (size_t)((unsigned long long)req->content_length -
			    req->body_seen);
	}
	if ((got = req->body_read(req->body_ctx, buf, n)) > 0)
		req->body_seen += (size_t)got;
	return got;
}

int
hark_req_read_body(struct hark_req *req, size_t max, struct hark_buf *out)
{
	char	 chunk[16384];
	ssize_t	 n;

	if (req->content_length > 0 && (unsigned long long)req->content_length > max)
		return -2;
	if (req->body_read == NULL)
		return 0;
	for (;;) {
		n = hark_req_read_chunk(req, chunk, sizeof(chunk));
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		if (out->len + (size_t)n > max)
			return -2;
		if (hark_buf_append(out, chunk, (size_t)n) == -1)
			return -1;
	}
	if (out->data == NULL && hark_buf_append(out, "", 0) == -1)
		return -1;
	return 0;
}

/*
 * Decoding happens once, here, so that every later check (router, ids) sees
 * the path as the application means it; ".." is refused rather than resolved
 * because no hark URL ever needs it.
 */
static int
has_encoded_slash(const char *raw, size_t len)
{
	size_t	 i;

	for (i = 0; i + 2 < len; i++)
		if (raw[i] == '%' && raw[i + 1] == '2' &&
		    (raw[i + 2] == 'F' || raw[i + 2] == 'f'))
			return 1;
	return 0;
}

int
hark_path_decode(const char *raw, size_t len, char **out, const char **why)
{
	char		*p;
	const char	*seg, *end;
	size_t		 slen;

	*out = NULL;
	if (len == 0 || raw[0] != '/') {
		*why = "the path must start with '/'";
		return -1;
	}
	if (len > HARK_MAX_PATH) {
		*why = "the path is too long";
		return -1;
	}
	/*
	 * An encoded slash would let "/v1%2Fhealth" reach a route its front
	 * proxy saw as one segment, so it is refused before decoding, as
	 * Apache does by default (AllowEncodedSlashes Off).
	 */
	if (has_encoded_slash(raw, len)) {
		*why = "the path has an encoded slash (%2F)";
		return -1;
	}
	if ((p = percent_decode(raw, len, 0)) == NULL) {
		*why = "the path has a bad or NUL percent-escape";
		return -1;
	}
	for (seg = p + 1; ; seg = end + 1) {
		end = strchr(seg, '/');
		slen = end ? (size_t)(end - seg) : strlen(seg);
		if ((slen == 1 && seg[0] == '.') ||
		    (slen == 2 && seg[0] == '.' && seg[1] == '.')) {
			free(p);
			*why = "the path has a '.' or '..' segment";
			return -1;
		}
		if (end == NULL)
			break;
	}
	*out = p;
	return 0;
}

int
hark_req_parse_uri(struct hark_req *req, const char *base_path,
    const char **why)
{
	const char	*uri = req->uri ? req->uri : "", *q;
	char		*path;
	size_t		 plen, blen = base_path ? strlen(base_path) : 0;

	q = strchr(uri, '?');
	plen = q ? (size_t)(q - uri) : strlen(uri);
	if (plen > HARK_MAX_PATH) {
		*why = "the path is longer than 2048 bytes";
		return 414;
	}
	if (hark_path_decode(uri, plen, &path, why) == -1)
		return 400;
	if (blen > 0) {
		if (strncmp(path, base_path, blen) != 0 ||
		    (path[blen] != '/' && path[blen] != '\0')) {
			free(path);
			*why = "the path is outside this server's base path";
			return 404;
		}
		memmove(path, path + blen, strlen(path + blen) + 1);
		if (path[0] == '\0') {
			path[0] = '/';
			path[1] = '\0';
		}
	}
	free(req->query);
	req->query = strdup(q ? q + 1 : "");
	free(req->path);
	req->path = path;
	if (req->query == NULL) {
		*why = "out of memory";
		return 500;
	}
	return 0;
}

void
hark_resp_init(struct hark_resp *resp)
{
	memset(resp, 0, sizeof(*resp));
	resp->status = 200;
	resp->content_type = "application/json; charset=utf-8";
	resp->file_fd = -1;
}

/* Back to a memory body (an error after a file was chosen, say). */
static void
resp_drop_file(struct hark_resp *resp)
{
	if (resp->file_fd != -1)
		close(resp->file_fd);
	resp->file_fd = -1;
	resp->file_off = resp->file_len = 0;
}

void
hark_resp_free(struct hark_resp *resp)
{
	size_t	 i;

	for (i = 0; i < resp->nheaders; i++) {
		free(resp->headers[i].name);
		free(resp->headers[i].value);
	}
	hark_buf_free(&resp->body);
	resp_drop_file(resp);
	hark_resp_init(resp);
}

void
hark_resp_file(struct hark_resp *resp, int status, const char *content_type,
    int fd, off_t off, off_t len)
{
	resp_drop_file(resp);
	hark_buf_reset(&resp->body);
	resp->status = status;
	resp->content_type = content_type;
	resp->file_fd = fd;
	resp->file_off = off;
	resp->file_len = len;
}

unsigned long long
hark_resp_body_len(const struct hark_resp *resp)
{
	if (resp->file_fd != -1)
		return (unsigned long long)resp->file_len;
	return resp->body.len;
}

int
hark_resp_header(struct hark_resp *resp, const char *name, const char *fmt, ...)
{
	struct hark_buf	 v = { 0 };
	va_list		 ap;
	size_t		 i;
	int		 rc;

	va_start(ap, fmt);
	rc = hark_buf_vprintf(&v, fmt, ap);
	va_end(ap);
	if (rc == -1)
		return -1;
	for (i = 0; i < resp->nheaders; i++)
		if (strcasecmp(resp->headers[i].name, name) == 0) {
			free(resp->headers[i].value);
			resp->headers[i].value = hark_buf_steal(&v);
			return 0;
		}
	if (resp->nheaders == HARK_MAX_RESP_HEADERS ||
	    (resp->headers[i].name = strdup(name)) == NULL) {
		hark_buf_free(&v);
		return -1;
	}
	resp->headers[i].value = hark_buf_steal(&v);
	resp->nheaders++;
	return 0;
}

const char *
hark_resp_get_header(const struct hark_resp *resp, const char *name)
{
	size_t	 i;

	for (i = 0; i < resp->nheaders; i++)
		if (strcasecmp(resp->headers[i].name, name) == 0)
			return resp->headers[i].value;
	return NULL;
}

void
hark_resp_unset_header(struct hark_resp *resp, const char *name)
{
	size_t	 i;

	for (i = 0; i < resp->nheaders; i++)
		if (strcasecmp(resp->headers[i].name, name) == 0) {
			free(resp->headers[i].name);
			free(resp->headers[i].value);
			resp->headers[i] = resp->headers[--resp->nheaders];
			return;
		}
}

int
hark_resp_json(struct hark_resp *resp, int status, struct json_object *obj)
{
	const char	*s;
	size_t		 len;

	s = json_object_to_json_string_length(obj,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (s == NULL)
		return -1;
	resp_drop_file(resp);
	resp->handoff = false;
	hark_buf_reset(&resp->body);
	if (hark_buf_append(&resp->body, s, len) == -1)
		return -1;
	resp->status = status;
	resp->content_type = "application/json; charset=utf-8";
	return 0;
}

int
hark_resp_error(struct hark_resp *resp, int status, const char *code,
    const char *field, const char *fmt, ...)
{
	struct json_object	*root, *err;
	struct hark_buf		 msg = { 0 };
	va_list			 ap;
	int			 rc = -1;

	va_start(ap, fmt);
	if (hark_buf_vprintf(&msg, fmt, ap) == -1) {
		va_end(ap);
		return -1;
	}
	va_end(ap);
	root = json_object_new_object();
	err = json_object_new_object();
	if (root == NULL || err == NULL) {
		json_object_put(err);
		goto out;
	}
	if (resp->widget_errors)
		json_object_object_add(root, "success",
		    json_object_new_boolean(0));
	json_object_object_add(root, "error", err);
	json_object_object_add(err, "code", json_object_new_string(code));
	json_object_object_add(err, "message",
	    json_object_new_string_len(msg.data, (int)msg.len));
	if (field != NULL)
		json_object_object_add(err, "field",
		    json_object_new_string(field));
	rc = hark_resp_json(resp, status, root);
out:
	json_object_put(root);
	hark_buf_free(&msg);
	return rc;
}

const char *
hark_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 206: return "Partial Content";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 416: return "Range Not Satisfiable";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default:  return "Unknown";
	}
}
