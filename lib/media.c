/* media.c: libmagic typing and the temp-file, fsync, link, fsync path that puts an upload on disk (see media.h). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <magic.h>
#include <openssl/evp.h>

#include "ids.h"
#include "media.h"

#define MEDIA_TEMP_PREFIX	"up-"
#define MEDIA_TEMP_RANDOM	16
#define MEDIA_TEMP_TRIES	8
#define MEDIA_DIR_MODE		0750
#define MEDIA_FILE_MODE		0640
#define MEDIA_NAME_MAX		64	/* <id>-<kind>.<ext> and its NUL */

struct media_accept {
	const char	*detected;	/* as libmagic names it */
	const char	*content_type;
	const char	*ext;
};

/* The table in media.h, in the same order. */
static const struct media_accept media_audio[] = {
	{ "video/webm",		"audio/webm",	"webm" },
	{ "audio/webm",		"audio/webm",	"webm" },
	{ "audio/ogg",		"audio/ogg",	"ogg" },
	{ "application/ogg",	"audio/ogg",	"ogg" },
	{ "audio/x-m4a",	"audio/mp4",	"m4a" },
	{ "audio/mp4",		"audio/mp4",	"m4a" },
	{ "video/mp4",		"audio/mp4",	"m4a" },
	{ "audio/mpeg",		"audio/mpeg",	"mp3" },
	{ "audio/x-wav",	"audio/wav",	"wav" },
	{ "audio/wav",		"audio/wav",	"wav" },
	{ "audio/vnd.wave",	"audio/wav",	"wav" },
	{ "audio/flac",		"audio/flac",	"flac" },
	{ "audio/x-flac",	"audio/flac",	"flac" },
	{ NULL, NULL, NULL }
};

static const struct media_accept media_screenshot[] = {
	{ "image/png",		"image/png",	"png" },
	{ "image/jpeg",		"image/jpeg",	"jpg" },
	{ "image/webp",		"image/webp",	"webp" },
	{ NULL, NULL, NULL }
};

struct hark_media_writer {
	int			 dirfd;		/* the media directory */
	int			 tmpdirfd;	/* its .tmp/ */
	int			 fd;		/* the temp file */
	bool			 anonymous;	/* O_TMPFILE: no name to remove */
	char			 tmpname[sizeof(MEDIA_TEMP_PREFIX) + MEDIA_TEMP_RANDOM];
	char			 project[HARK_ID_SIZE];
	char			 id[HARK_ID_SIZE];
	enum hark_media_kind	 kind;
	int			 year, month;
	uint64_t		 limit, bytes;
	EVP_MD_CTX		*sha;
	bool			 typed;
	struct hark_media_type	 type;
	struct hark_media_error	 failed;	/* status OK while all is well */
	size_t			 sniff_len;
	unsigned char		 sniff[HARK_MEDIA_SNIFF_LEN];
};

static magic_t	 media_magic;

static enum hark_media_status
media_fail(struct hark_media_error *err, enum hark_media_status status,
    int sys_errno, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static enum hark_media_status
media_fail(struct hark_media_error *err, enum hark_media_status status,
    int sys_errno, const char *fmt, ...)
{
	va_list	 ap;
	size_t	 n;

	if (err == NULL)
		return status;
	err->status = status;
	err->sys_errno = sys_errno;
	if (status != HARK_MEDIA_WRONG_TYPE)
		err->detected[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	if (sys_errno != 0 && n < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - n, ": %s",
		    strerror(sys_errno));
	return status;
}

static void
media_ok(struct hark_media_error *err)
{
	if (err != NULL)
		memset(err, 0, sizeof(*err));
}

/* Which answer a system error gets: full is 507, the rest is 503. */
static enum hark_media_status
media_errno_status(int e)
{
	switch (e) {
	case ENOSPC:
	case EDQUOT:
		return HARK_MEDIA_NO_SPACE;
	case EACCES:
	case EPERM:
	case EROFS:
	case ENOTDIR:
	case ENOENT:
	case ELOOP:
	case EISDIR:
		return HARK_MEDIA_UNWRITABLE;
	case ENOMEM:
		return HARK_MEDIA_NOMEM;
	default:
		return HARK_MEDIA_IO;
	}
}

static enum hark_media_status
media_sys(struct hark_media_error *err, const char *what, const char *name)
{
	int	 e = errno;

	return media_fail(err, media_errno_status(e), e, "%s %s", what, name);
}

int
hark_media_magic_open(char *err, size_t errlen)
{
	magic_t	 m;
	int	 flags;

	if (media_magic != NULL)
		return 0;
	/*
	 * No decompression: a gzip'd WAV is not a WAV, and the decompressors
	 * are code hark has no need to run on a stranger's bytes.
	 */
	flags = MAGIC_MIME_TYPE | MAGIC_ERROR | MAGIC_NO_CHECK_COMPRESS |
	    MAGIC_NO_CHECK_TAR;
	if ((m = magic_open(flags)) == NULL) {
		if (err != NULL)
			snprintf(err, errlen, "libmagic: magic_open: %s",
			    strerror(errno));
		return -1;
	}
	if (magic_load(m, NULL) == -1) {
		if (err != NULL)
			snprintf(err, errlen,
			    "libmagic cannot load its default database "
			    "(/usr/share/misc/magic.mgc, or $MAGIC): %s",
			    magic_error(m) != NULL ? magic_error(m) :
			    "unknown error");
		magic_close(m);
		return -1;
	}
	media_magic = m;
	return 0;
}

void
hark_media_magic_close(void)
{
	if (media_magic != NULL)
		magic_close(media_magic);
	media_magic = NULL;
}

const char *
hark_media_status_name(enum hark_media_status st)
{
	switch (st) {
	case HARK_MEDIA_OK:
		return "ok";
	case HARK_MEDIA_WRONG_TYPE:
		return "wrong_type";
	case HARK_MEDIA_TOO_LARGE:
		return "too_large";
	case HARK_MEDIA_NO_SPACE:
		return "no_space";
	case HARK_MEDIA_UNWRITABLE:
		return "unwritable";
	case HARK_MEDIA_IO:
		return "io_error";
	case HARK_MEDIA_NO_MAGIC:
		return "no_magic";
	case HARK_MEDIA_BAD_NAME:
		return "bad_name";
	case HARK_MEDIA_NOMEM:
		return "out_of_memory";
	}
	return "unknown";
}

const char *
hark_media_kind_name(enum hark_media_kind kind)
{
	switch (kind) {
	case HARK_MEDIA_AUDIO:
		return "audio";
	case HARK_MEDIA_SCREENSHOT:
		return "screenshot";
	}
	return NULL;
}

static const struct media_accept *
media_table(enum hark_media_kind kind)
{
	switch (kind) {
	case HARK_MEDIA_AUDIO:
		return media_audio;
	case HARK_MEDIA_SCREENSHOT:
		return media_screenshot;
	}
	return NULL;
}

enum hark_media_status
hark_media_classify(enum hark_media_kind kind, const void *buf, size_t len,
    struct hark_media_type *out, struct hark_media_error *err)
{
	static const char	 empty[1];
	const struct media_accept *a, *table;
	const char		*detected;

	if ((table = media_table(kind)) == NULL)
		return media_fail(err, HARK_MEDIA_BAD_NAME, 0,
		    "no such media kind %d", (int)kind);
	if (media_magic == NULL)
		return media_fail(err, HARK_MEDIA_NO_MAGIC, 0,
		    "libmagic is not loaded");
	if (len > HARK_MEDIA_SNIFF_LEN)
		len = HARK_MEDIA_SNIFF_LEN;
	detected = magic_buffer(media_magic, len > 0 ? buf : empty, len);
	if (detected == NULL)
		return media_fail(err, HARK_MEDIA_IO, 0, "libmagic: %s",
		    magic_error(media_magic) != NULL ?
		    magic_error(media_magic) : "unknown error");
	for (a = table; a->detected != NULL; a++)
		if (strcasecmp(a->detected, detected) == 0) {
			out->content_type = a->content_type;
			out->ext = a->ext;
			media_ok(err);
			return HARK_MEDIA_OK;
		}
	if (err != NULL)
		snprintf(err->detected, sizeof(err->detected), "%s", detected);
	return media_fail(err, HARK_MEDIA_WRONG_TYPE, 0,
	    "%s part is %s, not an accepted type", hark_media_kind_name(kind),
	    detected);
}

static bool
media_id_ok(const char *id)
{
	return hark_id_valid(HARK_ID_FEEDBACK, id) ||
	    hark_id_valid(HARK_ID_MEDIA, id);
}

/* Makes (0750) or opens a directory below parent, never through a symlink. */
static int
media_subdir(int parent, const char *name, bool *created)
{
	*created = false;
	if (mkdirat(parent, name, MEDIA_DIR_MODE) == 0)
		*created = true;
	else if (errno != EEXIST)
		return -1;
	return openat(parent, name,
	    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

static int
media_write_all(int fd, const unsigned char *p, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static enum hark_media_status
media_open_temp(struct hark_media_writer *w, unsigned flags,
    struct hark_media_error *err)
{
	int	 i;

	/*
	 * An O_TMPFILE file has no name until it is linked in place, so a
	 * worker killed mid-upload leaves nothing: the kernel frees it.  Its
	 * link goes through /proc/self/fd (AT_EMPTY_PATH needs a capability).
	 */
	if (!(flags & HARK_MEDIA_NAMED_TEMP) &&
	    access("/proc/self/fd", X_OK) == 0) {
		w->fd = openat(w->tmpdirfd, ".",
		    O_TMPFILE | O_WRONLY | O_CLOEXEC, MEDIA_FILE_MODE);
		if (w->fd != -1) {
			w->anonymous = true;
			return HARK_MEDIA_OK;
		}
		/* A filesystem without it says so in one of these. */
		if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
			return media_sys(err, "cannot create a temp file in",
			    HARK_MEDIA_TMPDIR);
	}
	memcpy(w->tmpname, MEDIA_TEMP_PREFIX, sizeof(MEDIA_TEMP_PREFIX) - 1);
	for (i = 0; i < MEDIA_TEMP_TRIES; i++) {
		if (hark_random_chars(HARK_ID_ALPHABET,
		    w->tmpname + sizeof(MEDIA_TEMP_PREFIX) - 1,
		    MEDIA_TEMP_RANDOM) == -1)
			return media_fail(err, HARK_MEDIA_IO, 0,
			    "the random number generator failed");
		w->tmpname[sizeof(w->tmpname) - 1] = '\0';
		w->fd = openat(w->tmpdirfd, w->tmpname, O_WRONLY | O_CREAT |
		    O_EXCL | O_NOFOLLOW | O_CLOEXEC, MEDIA_FILE_MODE);
		if (w->fd != -1)
			return HARK_MEDIA_OK;
		if (errno != EEXIST)
			break;
	}
	w->tmpname[0] = '\0';
	return media_sys(err, "cannot create a temp file in",
	    HARK_MEDIA_TMPDIR);
}

static void
media_writer_free(struct hark_media_writer *w)
{
	if (w->fd != -1)
		close(w->fd);
	if (w->tmpname[0] != '\0' && w->tmpdirfd != -1)
		unlinkat(w->tmpdirfd, w->tmpname, 0);
	if (w->tmpdirfd != -1)
		close(w->tmpdirfd);
	if (w->dirfd != -1)
		close(w->dirfd);
	EVP_MD_CTX_free(w->sha);
	free(w);
}

enum hark_media_status
hark_media_writer_begin(struct hark_media_writer **out, const char *media_dir,
    const char *project, const char *id, enum hark_media_kind kind,
    time_t when, uint64_t limit, unsigned flags, struct hark_media_error *err)
{
	struct hark_media_writer *w;
	struct tm		 tm;
	enum hark_media_status	 st;
	bool			 created;

	*out = NULL;
	if (media_dir == NULL || media_dir[0] != '/')
		return media_fail(err, HARK_MEDIA_BAD_NAME, 0,
		    "the media directory is not an absolute path");
	if (!hark_id_valid(HARK_ID_PROJECT, project) || !media_id_ok(id) ||
	    media_table(kind) == NULL)
		return media_fail(err, HARK_MEDIA_BAD_NAME, 0,
		    "a media file is named only by a project id, a "
		    "feedback or media id and a kind");
	if (gmtime_r(&when, &tm) == NULL || tm.tm_year + 1900 < 1970 ||
	    tm.tm_year + 1900 > 9999)
		return media_fail(err, HARK_MEDIA_BAD_NAME, 0,
		    "a media file's date is outside the years 1970 to 9999");
	if (limit == 0)
		return media_fail(err, HARK_MEDIA_BAD_NAME, 0,
		    "a media limit of 0 bytes");
	if (media_magic == NULL)
		return media_fail(err, HARK_MEDIA_NO_MAGIC, 0,
		    "libmagic is not loaded");
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return media_fail(err, HARK_MEDIA_NOMEM, ENOMEM,
		    "a media writer");
	w->dirfd = w->tmpdirfd = w->fd = -1;
	snprintf(w->project, sizeof(w->project), "%s", project);
	snprintf(w->id, sizeof(w->id), "%s", id);
	w->kind = kind;
	w->year = tm.tm_year + 1900;
	w->month = tm.tm_mon + 1;
	w->limit = limit;

	if ((w->dirfd = open(media_dir,
	    O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		st = media_sys(err, "cannot open the media directory",
		    media_dir);
		goto fail;
	}
	if ((w->tmpdirfd = media_subdir(w->dirfd, HARK_MEDIA_TMPDIR,
	    &created)) == -1) {
		st = media_sys(err, "cannot make or open", HARK_MEDIA_TMPDIR
		    " in the media directory");
		goto fail;
	}
	if ((st = media_open_temp(w, flags, err)) != HARK_MEDIA_OK)
		goto fail;
	if ((w->sha = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(w->sha, EVP_sha256(), NULL) != 1) {
		st = media_fail(err, HARK_MEDIA_NOMEM, 0, "SHA-256 context");
		goto fail;
	}
	*out = w;
	media_ok(err);
	return HARK_MEDIA_OK;
fail:
	media_writer_free(w);
	return st;
}

/* Remembers the first failure, so every later call answers with it. */
static enum hark_media_status
media_writer_failed(struct hark_media_writer *w, struct hark_media_error *err,
    const struct hark_media_error *e)
{
	w->failed = *e;
	if (err != NULL)
		*err = *e;
	return e->status;
}

static enum hark_media_status
media_writer_type(struct hark_media_writer *w, struct hark_media_error *err)
{
	struct hark_media_error	 e;

	if (hark_media_classify(w->kind, w->sniff, w->sniff_len, &w->type,
	    &e) != HARK_MEDIA_OK)
		return media_writer_failed(w, err, &e);
	w->typed = true;
	return HARK_MEDIA_OK;
}

enum hark_media_status
hark_media_writer_write(struct hark_media_writer *w, const void *buf,
    size_t len, struct hark_media_error *err)
{
	struct hark_media_error	 e;
	size_t			 take;

	if (w->failed.status != HARK_MEDIA_OK) {
		if (err != NULL)
			*err = w->failed;
		return w->failed.status;
	}
	if (len == 0) {
		media_ok(err);
		return HARK_MEDIA_OK;
	}
	if (len > w->limit - w->bytes) {
		media_fail(&e, HARK_MEDIA_TOO_LARGE, 0,
		    "%s part is over its limit of %llu bytes",
		    hark_media_kind_name(w->kind),
		    (unsigned long long)w->limit);
		return media_writer_failed(w, err, &e);
	}
	if (!w->typed) {
		take = HARK_MEDIA_SNIFF_LEN - w->sniff_len;
		if (take > len)
			take = len;
		memcpy(w->sniff + w->sniff_len, buf, take);
		w->sniff_len += take;
		if (w->sniff_len == HARK_MEDIA_SNIFF_LEN &&
		    media_writer_type(w, err) != HARK_MEDIA_OK)
			return w->failed.status;
	}
	if (media_write_all(w->fd, buf, len) == -1) {
		media_sys(&e, "cannot write a temp file in", HARK_MEDIA_TMPDIR);
		return media_writer_failed(w, err, &e);
	}
	if (EVP_DigestUpdate(w->sha, buf, len) != 1) {
		media_fail(&e, HARK_MEDIA_IO, 0, "SHA-256 update");
		return media_writer_failed(w, err, &e);
	}
	w->bytes += len;
	media_ok(err);
	return HARK_MEDIA_OK;
}

/*
 * Opens <project>/<yyyy>/<mm>, making what is missing; a directory made is
 * made durable by an fsync of its parent.
 */
static int
media_month_dir(struct hark_media_writer *w, struct hark_media_error *err,
    char *rel, size_t rellen)
{
	char	 year[8], month[4];
	const char *names[3];
	int	 fd, next, i;
	bool	 created;

	snprintf(year, sizeof(year), "%04d", w->year);
	snprintf(month, sizeof(month), "%02d", w->month);
	names[0] = w->project;
	names[1] = year;
	names[2] = month;
	snprintf(rel, rellen, "%s/%s/%s", w->project, year, month);
	fd = w->dirfd;
	for (i = 0; i < 3; i++) {
		next = media_subdir(fd, names[i], &created);
		if (next == -1 || (created && fsync(fd) == -1)) {
			media_sys(err, "cannot make or open the directory", rel);
			if (next != -1)
				close(next);
			if (fd != w->dirfd)
				close(fd);
			return -1;
		}
		if (fd != w->dirfd)
			close(fd);
		fd = next;
	}
	return fd;
}

/* Gives the temp file its name in dirfd, never replacing a file there. */
static int
media_link(struct hark_media_writer *w, int dirfd, const char *name)
{
	char	 proc[32];

	if (w->anonymous) {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", w->fd);
		return linkat(AT_FDCWD, proc, dirfd, name, AT_SYMLINK_FOLLOW);
	}
	if (renameat2(w->tmpdirfd, w->tmpname, dirfd, name,
	    RENAME_NOREPLACE) == 0) {
		w->tmpname[0] = '\0';
		return 0;
	}
	if (errno != EINVAL)
		return -1;
	/* A filesystem without RENAME_NOREPLACE: link refuses EEXIST too. */
	if (linkat(w->tmpdirfd, w->tmpname, dirfd, name, 0) == -1)
		return -1;
	unlinkat(w->tmpdirfd, w->tmpname, 0);
	w->tmpname[0] = '\0';
	return 0;
}

enum hark_media_status
hark_media_writer_finish(struct hark_media_writer *w,
    struct hark_media_file *out, struct hark_media_error *err)
{
	struct hark_media_error	 e;
	enum hark_media_status	 st;
	char			 name[MEDIA_NAME_MAX], rel[HARK_MEDIA_RELPATH_MAX];
	unsigned int		 mdlen;
	int			 mdir = -1, i;

	memset(out, 0, sizeof(*out));
	if (w->failed.status != HARK_MEDIA_OK) {
		st = w->failed.status;
		if (err != NULL)
			*err = w->failed;
		goto done;
	}
	if (!w->typed && (st = media_writer_type(w, err)) != HARK_MEDIA_OK)
		goto done;
	if (EVP_DigestFinal_ex(w->sha, out->sha256, &mdlen) != 1 ||
	    mdlen != HARK_MEDIA_SHA256_LEN) {
		st = media_fail(err, HARK_MEDIA_IO, 0, "SHA-256 final");
		goto done;
	}
	if (fsync(w->fd) == -1) {
		st = media_sys(err, "cannot fsync a temp file in",
		    HARK_MEDIA_TMPDIR);
		goto done;
	}
	if ((mdir = media_month_dir(w, &e, rel, sizeof(rel))) == -1) {
		st = e.status;
		if (err != NULL)
			*err = e;
		goto done;
	}
	snprintf(name, sizeof(name), "%s-%s.%s", w->id,
	    hark_media_kind_name(w->kind), w->type.ext);
	if ((size_t)snprintf(out->relpath, sizeof(out->relpath), "%s/%s", rel,
	    name) >= sizeof(out->relpath)) {
		st = media_fail(err, HARK_MEDIA_BAD_NAME, 0,
		    "a media path over %d bytes", HARK_MEDIA_RELPATH_MAX - 1);
		goto done;
	}
	if (media_link(w, mdir, name) == -1) {
		if (errno == EEXIST)
			st = media_fail(err, HARK_MEDIA_IO, EEXIST,
			    "will not replace %s/%s", rel, name);
		else
			st = media_sys(err, "cannot link the file into", rel);
		goto done;
	}
	/* Without the directory's fsync the name could vanish at a crash. */
	if (fsync(mdir) == -1) {
		st = media_sys(err, "cannot fsync the directory", rel);
		unlinkat(mdir, name, 0);
		goto done;
	}
	out->content_type = w->type.content_type;
	out->ext = w->type.ext;
	out->bytes = w->bytes;
	for (i = 0; i < HARK_MEDIA_SHA256_LEN; i++)
		snprintf(out->sha256_hex + 2 * i, 3, "%02x", out->sha256[i]);
	media_ok(err);
	st = HARK_MEDIA_OK;
done:
	if (st != HARK_MEDIA_OK)
		memset(out, 0, sizeof(*out));
	if (mdir != -1)
		close(mdir);
	media_writer_free(w);
	return st;
}

void
hark_media_writer_abort(struct hark_media_writer *w)
{
	if (w != NULL)
		media_writer_free(w);
}

static bool
media_digits(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return s[n] == '\0';
}

/* Whether name is <id>-<kind>.<ext> with an extension that kind stores. */
static bool
media_name_ok(const char *name)
{
	const struct media_accept *a;
	char		 id[HARK_ID_SIZE];
	const char	*dash, *dot, *kname;
	size_t		 idlen;
	int		 k;

	if ((dash = strchr(name, '-')) == NULL ||
	    (idlen = (size_t)(dash - name)) >= sizeof(id))
		return false;
	memcpy(id, name, idlen);
	id[idlen] = '\0';
	if (!media_id_ok(id) || (dot = strchr(dash, '.')) == NULL)
		return false;
	for (k = HARK_MEDIA_AUDIO; k <= HARK_MEDIA_SCREENSHOT; k++) {
		kname = hark_media_kind_name((enum hark_media_kind)k);
		if ((size_t)(dot - dash - 1) != strlen(kname) ||
		    strncmp(dash + 1, kname, strlen(kname)) != 0)
			continue;
		for (a = media_table((enum hark_media_kind)k);
		    a->detected != NULL; a++)
			if (strcmp(dot + 1, a->ext) == 0)
				return true;
	}
	return false;
}

/* Splits relpath into its four parts if it has the shape _finish makes. */
static bool
media_relpath_ok(const char *relpath, char parts[4][MEDIA_NAME_MAX])
{
	const char	*p = relpath, *slash;
	size_t		 n;
	int		 i;

	for (i = 0; i < 4; i++) {
		slash = strchr(p, '/');
		n = i < 3 ? (slash == NULL ? 0 : (size_t)(slash - p)) :
		    strlen(p);
		if ((i < 3 && slash == NULL) || (i == 3 && slash != NULL) ||
		    n == 0 || n >= MEDIA_NAME_MAX)
			return false;
		memcpy(parts[i], p, n);
		parts[i][n] = '\0';
		p += n + 1;
	}
	return hark_id_valid(HARK_ID_PROJECT, parts[0]) &&
	    media_digits(parts[1], 4) && media_digits(parts[2], 2) &&
	    strcmp(parts[2], "01") >= 0 && strcmp(parts[2], "12") <= 0 &&
	    media_name_ok(parts[3]);
}

bool
hark_media_relpath_valid(const char *relpath)
{
	char	 parts[4][MEDIA_NAME_MAX];

	return relpath != NULL && media_relpath_ok(relpath, parts);
}

const char *
hark_media_type_static(const char *mime)
{
	const struct media_accept *a;
	int	 k;

	for (k = HARK_MEDIA_AUDIO; k <= HARK_MEDIA_SCREENSHOT; k++)
		for (a = media_table((enum hark_media_kind)k);
		    a->detected != NULL; a++)
			if (mime != NULL && strcmp(mime, a->content_type) == 0)
				return a->content_type;
	return NULL;
}

enum hark_media_status
hark_media_remove(const char *media_dir, const char *relpath,
    struct hark_media_error *err)
{
	char			 parts[4][MEDIA_NAME_MAX];
	enum hark_media_status	 st;
	int			 fd, next, i;

	if (media_dir == NULL || media_dir[0] != '/' || relpath == NULL ||
	    !media_relpath_ok(relpath, parts))
		return media_fail(err, HARK_MEDIA_BAD_NAME, 0,
		    "not a media file's path");
	if ((fd = open(media_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return media_sys(err, "cannot open the media directory",
		    media_dir);
	for (i = 0; i < 3; i++) {
		next = openat(fd, parts[i],
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		if (next == -1) {
			if (errno == ENOENT)
				goto gone;
			return media_sys(err, "cannot open the directory of",
			    relpath);
		}
		fd = next;
	}
	if (unlinkat(fd, parts[3], 0) == -1) {
		if (errno == ENOENT) {
			close(fd);
			goto gone;
		}
		st = media_sys(err, "cannot remove", relpath);
		close(fd);
		return st;
	}
	if (fsync(fd) == -1) {
		st = media_sys(err, "cannot fsync the directory of", relpath);
		close(fd);
		return st;
	}
	close(fd);
gone:
	media_ok(err);
	return HARK_MEDIA_OK;
}
