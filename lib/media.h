/*
 * media.h: uploaded audio and screenshots, typed by libmagic and put on disk whole or not at all.
 *
 * Typing.  A part's type is what libmagic (MAGIC_MIME_TYPE, the system's
 * default database) finds in its first HARK_MEDIA_SNIFF_LEN bytes, never
 * the Content-Type or filename the client sent.  What each kind accepts,
 * with the name Debian 12's libmagic (file 5.44) gives it, and the
 * canonical type and extension hark stores:
 *
 *   audio       video/webm, audio/webm        -> audio/webm  webm
 *               audio/ogg, application/ogg    -> audio/ogg   ogg
 *               audio/x-m4a, audio/mp4,
 *               video/mp4                     -> audio/mp4   m4a
 *               audio/mpeg                    -> audio/mpeg  mp3
 *               audio/x-wav, audio/wav,
 *               audio/vnd.wave                -> audio/wav   wav
 *               audio/flac, audio/x-flac      -> audio/flac  flac
 *   screenshot  image/png                     -> image/png   png
 *               image/jpeg                    -> image/jpeg  jpg
 *               image/webp                    -> image/webp  webp
 *
 * libmagic has no rule for audio-only WebM: Chrome's and Firefox's
 * MediaRecorder recordings (WebM/Opus) are "video/webm", so the audio part
 * accepts video/webm.  Likewise an AAC recording in an MP4 whose brand is
 * not "M4A " (ffmpeg's mp4 muxer, fragmented "iso5" recordings) is
 * "video/mp4".
 * libmagic does not look at the tracks, so a WebM or MP4 with a video track
 * (or Ogg with Vorbis rather than Opus) passes as audio too: it is stored
 * as sent and the transcriber only reads its audio.  Anything else, an
 * empty part ("application/x-empty") included, is refused with the type
 * libmagic detected, for a 415 that names the part and that type.
 *
 * Writing.  hark_media_writer_begin, _write (any number of times, any chunk
 * size) and then _finish or _abort.  The bytes go to a temp file in
 * <media_dir>/.tmp/ (the same filesystem, so the final step is a link, not
 * a copy), are counted against a limit and hashed (SHA-256) as they
 * arrive, and typed once the first HARK_MEDIA_SNIFF_LEN bytes are in (or
 * at _finish, for a shorter part), so a wrong type is refused early.
 * _finish fsyncs the file, links it to
 *
 *   <media_dir>/<project>/<yyyy>/<mm>/<id>-<kind>.<ext>
 *
 * (directories made 0750 as needed, the file 0640 less the umask; never
 * replacing a file already there) and fsyncs the directory, so a finished
 * file survives a power cut.  The path is made only from the server's own
 * ids, checked for their shape (prj_..., fb_... or med_...), the kind and
 * the detected extension; nothing the client sent is part of it.  The
 * caller then commits the rows; if that fails, hark_media_remove deletes
 * the file again.
 *
 * What a crash can leave behind, for the batch sweeper:
 *   - Nothing in .tmp/ where the filesystem has O_TMPFILE (ext4, xfs,
 *     btrfs, tmpfs) and /proc is mounted: the temp file has no name until
 *     it is linked in place, and the kernel frees it when the worker dies.
 *   - Elsewhere (HARK_MEDIA_NAMED_TEMP, a filesystem that refuses
 *     O_TMPFILE, no /proc), files named <media_dir>/.tmp/up-<16 base32
 *     characters> that no process has open.  An upload in progress writes
 *     to its file as the body arrives, and the request timeouts bound how
 *     long that takes, so a temp file whose mtime is older than the longest
 *     request (say an hour) is an orphan and can be removed.
 *   - A committed file with no media row: the worker died, or the database
 *     commit failed and the removal did too, between _finish and COMMIT.
 *     Such a file is <project>/<yyyy>/<mm>/<id>-<kind>.<ext> under the
 *     media directory whose <id> has no feedback row (or whose row has no
 *     media row of that kind); sweep it only once it is older than the
 *     longest transaction (a minute or more), since a request may still be
 *     on its way to COMMIT.
 *
 * One libmagic handle per process, not thread-safe: hark's workers are
 * single-threaded.  A writer belongs to one request.
 */
#ifndef HARK_MEDIA_H
#define HARK_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* How much of a part is typed: libmagic needs far less for these formats. */
#define HARK_MEDIA_SNIFF_LEN	8192
/* A detected MIME type, as libmagic names it, with its NUL. */
#define HARK_MEDIA_TYPE_MAX	128
/* <project>/<yyyy>/<mm>/<id>-<kind>.<ext> and its NUL. */
#define HARK_MEDIA_RELPATH_MAX	96
#define HARK_MEDIA_SHA256_LEN	32
/* The directory of temp files, under the media directory. */
#define HARK_MEDIA_TMPDIR	".tmp"

enum hark_media_kind {
	HARK_MEDIA_AUDIO = 0,
	HARK_MEDIA_SCREENSHOT
};

/*
 * What went wrong, each with the answer the caller gives: the HTTP path
 * maps these, this module knows nothing of HTTP.
 */
enum hark_media_status {
	HARK_MEDIA_OK = 0,
	HARK_MEDIA_WRONG_TYPE,	/* 415; the error holds the detected type */
	HARK_MEDIA_TOO_LARGE,	/* 413; more bytes than the limit */
	HARK_MEDIA_NO_SPACE,	/* 507; ENOSPC or EDQUOT */
	HARK_MEDIA_UNWRITABLE,	/* 503; EACCES, EPERM, EROFS, ENOTDIR, ENOENT... */
	HARK_MEDIA_IO,		/* 503; EIO and any other system error */
	HARK_MEDIA_NO_MAGIC,	/* 500; hark_media_magic_open not called or failed */
	HARK_MEDIA_BAD_NAME,	/* 500; an id, kind or path not of the server's shape */
	HARK_MEDIA_NOMEM	/* 503 */
};

struct hark_media_error {
	enum hark_media_status	 status;
	int			 sys_errno;	/* for the system errors, else 0 */
	char			 detected[HARK_MEDIA_TYPE_MAX];	/* WRONG_TYPE */
	char			 msg[192];	/* what failed, for the log */
};

/* An accepted type; both strings are static. */
struct hark_media_type {
	const char	*content_type;	/* canonical, as in the table above */
	const char	*ext;		/* without the dot */
};

/* What a finished file is, for its media row. */
struct hark_media_file {
	char			 relpath[HARK_MEDIA_RELPATH_MAX]; /* under media_dir */
	const char		*content_type;
	const char		*ext;
	uint64_t		 bytes;
	unsigned char		 sha256[HARK_MEDIA_SHA256_LEN];
	char			 sha256_hex[2 * HARK_MEDIA_SHA256_LEN + 1];
};

struct hark_media_writer;

/* Writer flags. */
#define HARK_MEDIA_NAMED_TEMP	0x1	/* a named temp file, never O_TMPFILE */

/*
 * Loads libmagic's default database (or the one $MAGIC names) once per
 * process; later calls do nothing.  0, or -1 with a message in err (which
 * may be NULL) saying why, e.g. a missing /usr/share/misc/magic.mgc.
 */
int	hark_media_magic_open(char *err, size_t errlen);
void	hark_media_magic_close(void);

/* A status's short name for logs ("wrong_type", "no_space", ...). */
const char *hark_media_status_name(enum hark_media_status);

/* "audio" or "screenshot" (the part names and the file name's kind). */
const char *hark_media_kind_name(enum hark_media_kind);

/*
 * Types len bytes (only the first HARK_MEDIA_SNIFF_LEN are looked at; len
 * 0 is an empty part) for kind.  HARK_MEDIA_OK with *out filled, or
 * WRONG_TYPE with err->detected, or NO_MAGIC.  err may be NULL.
 */
enum hark_media_status hark_media_classify(enum hark_media_kind kind,
	    const void *buf, size_t len, struct hark_media_type *out,
	    struct hark_media_error *err);

/*
 * Starts a file for project (prj_...) and id (fb_... or med_...) of kind,
 * to be filed under when's UTC year and month, refused past limit bytes
 * (at least 1).  media_dir is an absolute path that exists; .tmp/ is made
 * in it when missing.  Sets *out (freed by _finish or _abort) and returns
 * HARK_MEDIA_OK, or another status with err filled (err may be NULL) and
 * *out NULL.
 */
enum hark_media_status hark_media_writer_begin(struct hark_media_writer **out,
	    const char *media_dir, const char *project, const char *id,
	    enum hark_media_kind kind, time_t when, uint64_t limit,
	    unsigned flags, struct hark_media_error *err);

/*
 * Appends len bytes.  After any status but OK the writer refuses every
 * further write with that same status, and the caller calls _abort.
 */
enum hark_media_status hark_media_writer_write(struct hark_media_writer *,
	    const void *buf, size_t len, struct hark_media_error *err);

/*
 * Ends the part: types it if fewer than HARK_MEDIA_SNIFF_LEN bytes came,
 * fsyncs, links it in place and fsyncs its directory.  HARK_MEDIA_OK with
 * *out filled, or another status with err filled and no file left behind.
 * Frees the writer either way.
 */
enum hark_media_status hark_media_writer_finish(struct hark_media_writer *,
	    struct hark_media_file *out, struct hark_media_error *err);

/* Drops the part: removes its temp file and frees the writer.  NULL is fine. */
void	hark_media_writer_abort(struct hark_media_writer *);

/*
 * Deletes a finished file (relpath as _finish gave it, checked for its
 * shape) and fsyncs its directory: for a database commit that failed.
 * The empty directories are left for the next upload.  HARK_MEDIA_OK
 * (also when the file is already gone), or another status with err filled.
 */
enum hark_media_status hark_media_remove(const char *media_dir,
	    const char *relpath, struct hark_media_error *err);

/*
 * Whether relpath has the shape _finish makes,
 * <prj_...>/<yyyy>/<mm>/<id>-<kind>.<ext>, with an extension its kind
 * stores: no "..", no leading '/', nothing a client chose.  The reading
 * path (GET .../media/{kind}) checks a row's path with it before joining it
 * to media_dir.
 */
bool	hark_media_relpath_valid(const char *relpath);
/*
 * The canonical type of the table above that equals mime, as a static
 * string (for a response's Content-Type), or NULL for any other.
 */
const char *hark_media_type_static(const char *mime);

#endif
