/*
 * media.c: GET /v1/feedback/{id}/media/{audio|screenshot}, an item's stored file.
 *
 * The answer is the file of the item's media row, typed as libmagic typed
 * it on upload: Content-Type, Content-Length, a strong ETag (the file's
 * SHA-256 in hex, quoted), Accept-Ranges: bytes, Cache-Control: private.
 * If-None-Match that names the ETag (or *) is 304.  One byte range
 * (bytes=a-b, a-, -n) is 206 with Content-Range; one beyond the end is 416
 * with Content-Range: bytes * /len.  A Range that is not one well-formed
 * byte range (bytes=5-2, bytes=x, another unit, several ranges) is ignored,
 * as RFC 9110 14.2 lets a server: the whole file, 200.  If-Range that is
 * not this ETag (a date, a weak or another tag) means the whole file too.
 * HEAD is GET without the body (the router's rule), and ignores Range.
 *
 * With [server] sendfile the web server sends the file: x-sendfile answers
 * X-Sendfile with the absolute path, x-accel-redirect answers
 * X-Accel-Redirect: <sendfile_prefix>/<path>, each without a body; hark
 * still answers 404s and If-None-Match itself, the web server answers Range.
 * lighttpd keeps hark's headers (ETag included); nginx keeps Content-Type
 * and Cache-Control but puts its own ETag (mtime and size) and
 * Accept-Ranges in, and answers If-None-Match with its ETag itself.
 *
 * The file is opened by media_dir + "/" + the row's path, and only once
 * that path has the shape hark's writer makes (lib/media.h): a row cannot
 * point outside the media directory.  A row whose file is gone is 404
 * media_missing (retrying will not bring it back; the operator sees a log
 * line naming the ids), a file hark cannot read or whose size is not the
 * row's is 500 media_unreadable.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "conf.h"
#include "handlers.h"
#include "http.h"
#include "ids.h"
#include "log.h"
#include "media.h"
#include "respond.h"
#include "store.h"

static const char *
ows(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* A decimal of up to 18 digits (no overflow); the end, or NULL. */
static const char *
digits(const char *s, unsigned long long *v)
{
	const char	*p = s;

	*v = 0;
	while (*p >= '0' && *p <= '9' && p - s < 18)
		*v = *v * 10 + (unsigned long long)(*p++ - '0');
	return p == s || (*p >= '0' && *p <= '9') ? NULL : p;
}

enum hark_range
hark_media_range(const char *h, unsigned long long len,
    unsigned long long *first, unsigned long long *last)
{
	unsigned long long	 a, b;
	const char		*p;

	if (h == NULL)
		return HARK_RANGE_NONE;
	h = ows(h);
	if (strncasecmp(h, "bytes", 5) != 0)
		return HARK_RANGE_NONE;		/* another unit */
	h = ows(h + 5);
	if (*h != '=' || strchr(h, ',') != NULL)
		return HARK_RANGE_NONE;		/* junk, or several ranges */
	h = ows(h + 1);
	if (*h == '-') {			/* -n: the last n bytes */
		if ((p = digits(h + 1, &b)) == NULL || *ows(p) != '\0')
			return HARK_RANGE_NONE;
		if (b == 0 || len == 0)
			return HARK_RANGE_UNSATISFIABLE;
		*first = b >= len ? 0 : len - b;
		*last = len - 1;
		return HARK_RANGE_ONE;
	}
	if ((p = digits(h, &a)) == NULL || *p != '-')
		return HARK_RANGE_NONE;
	p++;
	if (*ows(p) == '\0') {			/* a-: from a to the end */
		b = len > 0 ? len - 1 : 0;
	} else {
		if ((p = digits(p, &b)) == NULL || *ows(p) != '\0' || b < a)
			return HARK_RANGE_NONE;
		if (len > 0 && b >= len)
			b = len - 1;
	}
	if (a >= len)
		return HARK_RANGE_UNSATISFIABLE;
	*first = a;
	*last = b;
	return HARK_RANGE_ONE;
}

bool
hark_media_etag_listed(const char *h, const char *etag)
{
	const char	*p = h, *q;
	size_t		 n = strlen(etag);

	if (h == NULL)
		return false;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			return false;
		if (*p == '*')
			return true;
		/* If-None-Match compares weakly (RFC 9110 13.1.2). */
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		if (*p != '"' || (q = strchr(p + 1, '"')) == NULL)
			return false;
		if ((size_t)(q - p - 1) == n && strncmp(p + 1, etag, n) == 0)
			return true;
		p = q + 1;
	}
}

static void
item_not_found(const struct hark_call *c)
{
	hark_resp_error(c->resp, 404, "not_found", "id",
	    "there is no feedback with this id");
}

/*
 * Opens the row's file: its fd, or -1 with the answer made.  *st holds
 * what fstat found.
 */
static int
media_open(const struct hark_call *c, const struct hark_media_row *m,
    const char *project_id, char *path, size_t pathlen, struct stat *st)
{
	int	 fd, e;

	if (!hark_media_relpath_valid(m->path)) {
		hark_log(HARK_LOG_ERR, "media %s of %s (%s): its row's path "
		    "is not a media file's path; not opened", m->id,
		    m->feedback_id, project_id);
		goto unreadable;
	}
	if ((size_t)snprintf(path, pathlen, "%s/%s", c->app->conf->media_dir,
	    m->path) >= pathlen) {
		hark_log(HARK_LOG_ERR, "media %s of %s (%s): the media "
		    "directory's name is too long", m->id, m->feedback_id,
		    project_id);
		goto unreadable;
	}
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		e = errno;
		if (e == ENOENT || e == ENOTDIR) {
			hark_log(HARK_LOG_WARN, "media %s of %s (%s): its file "
			    "is missing from the media directory", m->id,
			    m->feedback_id, project_id);
			hark_resp_error(c->resp, 404, "media_missing", NULL,
			    "this item's %s is no longer stored", m->kind);
			return -1;
		}
		hark_log(HARK_LOG_ERR, "media %s of %s (%s): cannot open its "
		    "file: %s", m->id, m->feedback_id, project_id,
		    strerror(e));
		goto unreadable;
	}
	if (fstat(fd, st) == -1 || !S_ISREG(st->st_mode) ||
	    (unsigned long long)st->st_size != m->bytes) {
		hark_log(HARK_LOG_ERR, "media %s of %s (%s): its file is not "
		    "a regular file of the row's %llu bytes", m->id,
		    m->feedback_id, project_id, m->bytes);
		close(fd);
		goto unreadable;
	}
	return fd;
unreadable:
	hark_resp_error(c->resp, 500, "media_unreadable", NULL,
	    "this item's %s cannot be read; it has been logged", m->kind);
	return -1;
}

/* The answer's headers a 200, 206 and 304 share. */
static void
media_headers(const struct hark_call *c, const char *etag)
{
	hark_resp_header(c->resp, "ETag", "\"%s\"", etag);
	hark_resp_header(c->resp, "Cache-Control", "private");
	hark_resp_header(c->resp, "Accept-Ranges", "bytes");
}

void
hark_handle_media_get(const struct hark_call *c)
{
	struct hark_media_row	 m;
	struct stat		 st;
	const char		*id = hark_req_param(c->req, "id");
	const char		*kind = hark_req_param(c->req, "kind");
	const char		*sendfile = c->app->conf->sendfile;
	const char		*type, *ir;
	char			 path[4096];
	unsigned long long	 len, first = 0, last = 0;
	enum hark_range		 r = HARK_RANGE_NONE;
	bool			 item;
	int			 fd, rc;

	if (id == NULL || !hark_id_valid(HARK_ID_FEEDBACK, id)) {
		item_not_found(c);
		return;
	}
	if (kind == NULL || (strcmp(kind, "audio") != 0 &&
	    strcmp(kind, "screenshot") != 0)) {
		hark_resp_error(c->resp, 404, "not_found", "kind",
		    "media are audio or screenshot");
		return;
	}
	rc = hark_store_media_get(c->app->db, c->who.project_id, id, kind,
	    &item, &m);
	if (rc == HARK_STORE_NOT_FOUND && !item) {
		item_not_found(c);
		return;
	}
	if (rc == HARK_STORE_NOT_FOUND) {
		hark_resp_error(c->resp, 404, "media_not_found", "kind",
		    "this item has no %s", kind);
		return;
	}
	if (rc != HARK_STORE_OK) {
		hark_respond_store(c->app, c->resp, rc);
		return;
	}
	if ((fd = media_open(c, &m, c->who.project_id, path, sizeof(path),
	    &st)) == -1)
		return;
	/* Never a stored string in a header: the canonical type, or bytes. */
	if ((type = hark_media_type_static(m.mime)) == NULL)
		type = "application/octet-stream";
	len = m.bytes;
	media_headers(c, m.sha256_hex);
	if (hark_media_etag_listed(hark_req_header(c->req, "if-none-match"),
	    m.sha256_hex)) {
		close(fd);
		c->resp->status = 304;
		return;
	}
	if (strcmp(sendfile, "x-sendfile") == 0 ||
	    strcmp(sendfile, "x-accel-redirect") == 0) {
		close(fd);
		if (sendfile[2] == 's')
			hark_resp_header(c->resp, "X-Sendfile", "%s", path);
		else {
			hark_resp_header(c->resp, "X-Accel-Redirect", "%s/%s",
			    c->app->conf->sendfile_prefix, m.path);
			/* nginx adds its own (and its own ETag, for hark's). */
			hark_resp_unset_header(c->resp, "Accept-Ranges");
		}
		hark_resp_file(c->resp, 200, type, -1, 0, 0);
		c->resp->handoff = true;
		return;
	}
	if (strcmp(c->req->method, "GET") == 0) {
		r = hark_media_range(hark_req_header(c->req, "range"), len,
		    &first, &last);
		/* If-Range: the range only while the file is this one. */
		ir = hark_req_header(c->req, "if-range");
		if (r != HARK_RANGE_NONE && ir != NULL) {
			ir = ows(ir);
			if (ir[0] != '"' || strlen(ir) != strlen(m.sha256_hex) +
			    2 || strncmp(ir + 1, m.sha256_hex,
			    strlen(m.sha256_hex)) != 0 ||
			    ir[strlen(ir) - 1] != '"')
				r = HARK_RANGE_NONE;
		}
	}
	switch (r) {
	case HARK_RANGE_UNSATISFIABLE:
		close(fd);
		hark_resp_error(c->resp, 416, "range_not_satisfiable", "Range",
		    "the range is outside the file's %llu bytes", len);
		hark_resp_header(c->resp, "Content-Range", "bytes */%llu", len);
		return;
	case HARK_RANGE_ONE:
		hark_resp_file(c->resp, 206, type, fd, (off_t)first,
		    (off_t)(last - first + 1));
		hark_resp_header(c->resp, "Content-Range", "bytes %llu-%llu/%llu",
		    first, last, len);
		return;
	case HARK_RANGE_NONE:
		hark_resp_file(c->resp, 200, type, fd, 0, (off_t)len);
		return;
	}
}
