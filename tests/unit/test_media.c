/* test_media.c: uploads typed by libmagic, and files on disk whole or not at all (lib/media). */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "media.h"

#define FIXTURES	TEST_SRCDIR "/tests/data/media/"
#define PROJECT		"prj_0123456789abcdefghjkmnpqrs"
#define FEEDBACK	"fb_abcdefghjkmnpqrstvwxyz0123"
#define FEEDBACK2	"fb_zzzzzzzzzzzzzzzzzzzzzzzzzz"
/* 2026-03-14 15:09:26 UTC: files go to <project>/2026/03/. */
#define WHEN		((time_t)1773500966)
#define MONTH_DIR	PROJECT "/2026/03"
#define NOBODY		65534

static char	 top[64];		/* this test's own directory */
static char	 media_dir[128];	/* top/media */
static char	 mount_point[128];	/* top/mnt, when a test mounts */

/* --------------------------------------------------------------- helpers */

static unsigned char *
read_fixture(const char *name, size_t *len)
{
	char		 path[512];
	unsigned char	*buf;
	struct stat	 st;
	FILE		*f;

	snprintf(path, sizeof(path), "%s%s", FIXTURES, name);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fstat(fileno(f), &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	ck_assert_ptr_nonnull(buf);
	*len = fread(buf, 1, (size_t)st.st_size, f);
	ck_assert_uint_eq(*len, (size_t)st.st_size);
	fclose(f);
	return buf;
}

static unsigned char *
read_path(const char *path, size_t *len)
{
	unsigned char	*buf;
	struct stat	 st;
	int		 fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		return NULL;
	ck_assert_int_eq(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(read(fd, buf, (size_t)st.st_size), st.st_size);
	*len = (size_t)st.st_size;
	close(fd);
	return buf;
}

static void
sha256_hex(const void *buf, size_t len, char out[65])
{
	unsigned char	 md[32];
	unsigned int	 n;
	int		 i;

	ck_assert_int_eq(EVP_Digest(buf, len, md, &n, EVP_sha256(), NULL), 1);
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static int	 nfiles;

static int
count_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)path;
	(void)st;
	(void)ftw;
	if (flag == FTW_F || flag == FTW_SL)
		nfiles++;
	return 0;
}

/* Every file that is not a directory under dir. */
static int
count_files(const char *dir)
{
	nfiles = 0;
	ck_assert_int_eq(nftw(dir, count_one, 16, FTW_PHYS), 0);
	return nfiles;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	chmod(path, 0700);
	remove(path);
	return 0;
}

static void
make_dir(const char *path, mode_t mode)
{
	ck_assert_msg(mkdir(path, mode) == 0, "mkdir %s: %s", path,
	    strerror(errno));
}

static void
setup(void)
{
	char	 err[256] = "";

	umask(022);
	snprintf(top, sizeof(top), "/tmp/hark-test-media-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(top));
	/* Open to others, so a test that drops to nobody can reach it. */
	ck_assert_int_eq(chmod(top, 0755), 0);
	snprintf(media_dir, sizeof(media_dir), "%s/media", top);
	snprintf(mount_point, sizeof(mount_point), "%s/mnt", top);
	make_dir(media_dir, 0750);
	ck_assert_msg(hark_media_magic_open(err, sizeof(err)) == 0, "%s", err);
}

static void
teardown(void)
{
	umount2(mount_point, MNT_DETACH);
	nftw(top, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	hark_media_magic_close();
}

/* Streams buf in chunks of step bytes; the first status that is not OK. */
static enum hark_media_status
stream(struct hark_media_writer *w, const unsigned char *buf, size_t len,
    size_t step, struct hark_media_error *err)
{
	enum hark_media_status	 st;
	size_t			 off, n;

	for (off = 0; off < len; off += n) {
		n = len - off < step ? len - off : step;
		if ((st = hark_media_writer_write(w, buf + off, n, err)) !=
		    HARK_MEDIA_OK)
			return st;
	}
	return HARK_MEDIA_OK;
}

/* begin, stream, finish: the status of the first step that failed. */
static enum hark_media_status
store(const char *dir, const char *id, enum hark_media_kind kind,
    const unsigned char *buf, size_t len, uint64_t limit, unsigned flags,
    struct hark_media_file *out, struct hark_media_error *err)
{
	struct hark_media_writer *w;
	enum hark_media_status	 st;

	st = hark_media_writer_begin(&w, dir, PROJECT, id, kind, WHEN, limit,
	    flags, err);
	if (st != HARK_MEDIA_OK) {
		ck_assert_ptr_null(w);
		return st;
	}
	if ((st = stream(w, buf, len, 4096, err)) != HARK_MEDIA_OK) {
		hark_media_writer_abort(w);
		return st;
	}
	return hark_media_writer_finish(w, out, err);
}

/*
 * Mounts a tmpfs at mount_point in a mount namespace of this test's own
 * (Check runs each test in a child), so nothing is left mounted if the
 * test fails.  false, with why filled, where this machine will not.
 */
static bool
mount_tmpfs(const char *opts, unsigned long flags, char *why, size_t whylen)
{
	if (geteuid() != 0) {
		snprintf(why, whylen, "not root");
		return false;
	}
	if (unshare(CLONE_NEWNS) == -1 ||
	    mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == -1) {
		snprintf(why, whylen, "no mount namespace: %s",
		    strerror(errno));
		return false;
	}
	make_dir(mount_point, 0755);
	if (mount("tmpfs", mount_point, "tmpfs", flags, opts) == -1) {
		snprintf(why, whylen, "cannot mount a tmpfs: %s",
		    strerror(errno));
		return false;
	}
	return true;
}

/* ---------------------------------------------------------------- typing */

struct accepted {
	enum hark_media_kind	 kind;
	const char		*fixture;
	const char		*content_type;
	const char		*ext;
};

static const struct accepted accepted[] = {
	{ HARK_MEDIA_AUDIO, "voice.webm", "audio/webm", "webm" },
	{ HARK_MEDIA_AUDIO, "voice-live.webm", "audio/webm", "webm" },
	{ HARK_MEDIA_AUDIO, "voice.ogg", "audio/ogg", "ogg" },
	{ HARK_MEDIA_AUDIO, "voice.m4a", "audio/mp4", "m4a" },
	{ HARK_MEDIA_AUDIO, "voice.mp4", "audio/mp4", "m4a" },
	{ HARK_MEDIA_AUDIO, "voice-frag.mp4", "audio/mp4", "m4a" },
	{ HARK_MEDIA_AUDIO, "voice.mp3", "audio/mpeg", "mp3" },
	{ HARK_MEDIA_AUDIO, "voice-noid3.mp3", "audio/mpeg", "mp3" },
	{ HARK_MEDIA_AUDIO, "voice.wav", "audio/wav", "wav" },
	{ HARK_MEDIA_AUDIO, "voice.flac", "audio/flac", "flac" },
	{ HARK_MEDIA_SCREENSHOT, "shot.png", "image/png", "png" },
	{ HARK_MEDIA_SCREENSHOT, "shot.jpg", "image/jpeg", "jpg" },
	{ HARK_MEDIA_SCREENSHOT, "shot.webp", "image/webp", "webp" },
};
#define NACCEPTED	((int)(sizeof(accepted) / sizeof(accepted[0])))

START_TEST(accepts_each_format_for_its_part)
{
	const struct accepted	*a = &accepted[_i];
	struct hark_media_type	 t = { 0 };
	struct hark_media_error	 e;
	unsigned char		*buf;
	size_t			 len;

	buf = read_fixture(a->fixture, &len);
	ck_assert_msg(hark_media_classify(a->kind, buf, len, &t, &e) ==
	    HARK_MEDIA_OK, "%s refused: %s", a->fixture, e.msg);
	ck_assert_str_eq(t.content_type, a->content_type);
	ck_assert_str_eq(t.ext, a->ext);
	free(buf);
}
END_TEST

/* Each audio fixture sent as a screenshot and each image sent as audio. */
START_TEST(refuses_each_format_for_the_other_part)
{
	const struct accepted	*a = &accepted[_i];
	struct hark_media_type	 t = { 0 };
	struct hark_media_error	 e;
	enum hark_media_kind	 other;
	unsigned char		*buf;
	size_t			 len;

	other = a->kind == HARK_MEDIA_AUDIO ? HARK_MEDIA_SCREENSHOT :
	    HARK_MEDIA_AUDIO;
	buf = read_fixture(a->fixture, &len);
	ck_assert_int_eq(hark_media_classify(other, buf, len, &t, &e),
	    HARK_MEDIA_WRONG_TYPE);
	ck_assert_int_eq(e.status, HARK_MEDIA_WRONG_TYPE);
	ck_assert_str_ne(e.detected, "");
	free(buf);
}
END_TEST

static void
assert_refused(enum hark_media_kind kind, const void *buf, size_t len,
    const char *detected)
{
	struct hark_media_type	 t = { 0 };
	struct hark_media_error	 e;

	ck_assert_int_eq(hark_media_classify(kind, buf, len, &t, &e),
	    HARK_MEDIA_WRONG_TYPE);
	ck_assert_str_eq(e.detected, detected);
	ck_assert_ptr_null(t.content_type);
	/* The message names the part and the type, for the 415's log. */
	ck_assert_ptr_nonnull(strstr(e.msg, hark_media_kind_name(kind)));
	ck_assert_ptr_nonnull(strstr(e.msg, detected));
}

START_TEST(refuses_png_sent_as_audio)
{
	unsigned char	*buf;
	size_t		 len;

	buf = read_fixture("shot.png", &len);
	assert_refused(HARK_MEDIA_AUDIO, buf, len, "image/png");
	free(buf);
}
END_TEST

/* The client's filename and Content-Type never reach the typing at all. */
START_TEST(refuses_text_file_named_shot_png)
{
	static const char text[] =
	    "This is not a screenshot, whatever its name says.\n";

	assert_refused(HARK_MEDIA_SCREENSHOT, text, sizeof(text) - 1,
	    "text/plain");
}
END_TEST

START_TEST(refuses_html)
{
	static const char html[] = "<!DOCTYPE html>\n<html><head><title>x"
	    "</title></head><body><script>alert(1)</script></body></html>\n";

	assert_refused(HARK_MEDIA_SCREENSHOT, html, sizeof(html) - 1,
	    "text/html");
	assert_refused(HARK_MEDIA_AUDIO, html, sizeof(html) - 1, "text/html");
}
END_TEST

/* This very test program is the ELF binary. */
START_TEST(refuses_elf_binary)
{
	struct hark_media_type	 t = { 0 };
	struct hark_media_error	 e;
	unsigned char		 buf[HARK_MEDIA_SNIFF_LEN];
	ssize_t			 n;
	int			 fd;

	ck_assert_int_ne(fd = open("/proc/self/exe", O_RDONLY), -1);
	ck_assert_int_gt(n = read(fd, buf, sizeof(buf)), 64);
	close(fd);
	ck_assert_int_eq(memcmp(buf, "\177ELF", 4), 0);
	ck_assert_int_eq(hark_media_classify(HARK_MEDIA_AUDIO, buf,
	    (size_t)n, &t, &e), HARK_MEDIA_WRONG_TYPE);
	ck_assert_msg(strncmp(e.detected, "application/x-", 14) == 0,
	    "an ELF binary detected as %s", e.detected);
	ck_assert_int_eq(hark_media_classify(HARK_MEDIA_SCREENSHOT, buf,
	    (size_t)n, &t, &e), HARK_MEDIA_WRONG_TYPE);
}
END_TEST

START_TEST(refuses_empty_part)
{
	assert_refused(HARK_MEDIA_AUDIO, NULL, 0, "application/x-empty");
	assert_refused(HARK_MEDIA_SCREENSHOT, "", 0, "application/x-empty");
}
END_TEST

/* A PNG signature and then junk: libmagic reads the head, and so do we. */
START_TEST(types_only_the_first_bytes)
{
	struct hark_media_type	 t = { 0 };
	unsigned char		*buf, *big;
	size_t			 len;

	buf = read_fixture("shot.png", &len);
	big = calloc(1, 3 * HARK_MEDIA_SNIFF_LEN);
	ck_assert_ptr_nonnull(big);
	memcpy(big, buf, len);
	memset(big + HARK_MEDIA_SNIFF_LEN, 'A', 2 * HARK_MEDIA_SNIFF_LEN);
	ck_assert_int_eq(hark_media_classify(HARK_MEDIA_SCREENSHOT, big,
	    3 * HARK_MEDIA_SNIFF_LEN, &t, NULL), HARK_MEDIA_OK);
	ck_assert_str_eq(t.content_type, "image/png");
	free(big);
	free(buf);
}
END_TEST

START_TEST(classify_without_libmagic_is_no_magic)
{
	struct hark_media_type		 t = { 0 };
	struct hark_media_writer	*w = (void *)1;
	struct hark_media_error		 e;

	hark_media_magic_close();
	ck_assert_int_eq(hark_media_classify(HARK_MEDIA_SCREENSHOT, "x", 1,
	    &t, &e), HARK_MEDIA_NO_MAGIC);
	/* Nothing untyped is ever stored: the writer will not start. */
	ck_assert_int_eq(hark_media_writer_begin(&w, media_dir, PROJECT,
	    FEEDBACK, HARK_MEDIA_AUDIO, WHEN, 100, 0, &e),
	    HARK_MEDIA_NO_MAGIC);
	ck_assert_ptr_null(w);
	ck_assert_int_eq(count_files(media_dir), 0);
}
END_TEST

START_TEST(magic_open_says_why_the_database_will_not_load)
{
	char	 err[256] = "";

	hark_media_magic_close();
	setenv("MAGIC", "/nonexistent/hark-magic.mgc", 1);
	ck_assert_int_eq(hark_media_magic_open(err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "libmagic cannot load") != NULL, "%s", err);
	unsetenv("MAGIC");
	ck_assert_int_eq(hark_media_magic_open(err, sizeof(err)), 0);
	/* Once loaded, another open is a no-op. */
	ck_assert_int_eq(hark_media_magic_open(NULL, 0), 0);
}
END_TEST

/* --------------------------------------------------------------- writing */

/* _i: 0 with O_TMPFILE where it works, 1 with a named temp file. */
#define FLAGS(i)	((i) == 0 ? 0u : HARK_MEDIA_NAMED_TEMP)

static void
assert_stored(const struct hark_media_file *f, const char *relpath,
    const unsigned char *buf, size_t len)
{
	char		 path[512], hex[65];
	unsigned char	*disk;
	struct stat	 st;
	size_t		 dlen;

	ck_assert_str_eq(f->relpath, relpath);
	ck_assert_uint_eq(f->bytes, len);
	sha256_hex(buf, len, hex);
	ck_assert_str_eq(f->sha256_hex, hex);
	snprintf(path, sizeof(path), "%s/%s", media_dir, relpath);
	disk = read_path(path, &dlen);
	ck_assert_msg(disk != NULL, "%s is missing", path);
	ck_assert_uint_eq(dlen, len);
	ck_assert_int_eq(memcmp(disk, buf, len), 0);
	free(disk);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0640);
	snprintf(path, sizeof(path), "%s/%s", media_dir, MONTH_DIR);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0750);
}

START_TEST(streams_small_chunks_to_a_byte_exact_file)
{
	struct hark_media_writer *w;
	struct hark_media_file	 f;
	struct hark_media_error	 e;
	unsigned char		*buf;
	size_t			 len;

	buf = read_fixture("voice.flac", &len);
	ck_assert_uint_gt(len, HARK_MEDIA_SNIFF_LEN);
	ck_assert_int_eq(hark_media_writer_begin(&w, media_dir, PROJECT,
	    FEEDBACK, HARK_MEDIA_AUDIO, WHEN, 10 * 1024 * 1024, FLAGS(_i), &e),
	    HARK_MEDIA_OK);
	/* 7 bytes at a time: no chunk lines up with the 8 KiB that is typed. */
	ck_assert_int_eq(stream(w, buf, len, 7, &e), HARK_MEDIA_OK);
	ck_assert_int_eq(hark_media_writer_finish(w, &f, &e), HARK_MEDIA_OK);
	assert_stored(&f, MONTH_DIR "/" FEEDBACK "-audio.flac", buf, len);
	ck_assert_str_eq(f.content_type, "audio/flac");
	ck_assert_str_eq(f.ext, "flac");
	/* The only file is the stored one: no temp file stays in .tmp/. */
	ck_assert_int_eq(count_files(media_dir), 1);
	free(buf);
}
END_TEST

START_TEST(stores_each_format_under_its_extension)
{
	const struct accepted	*a = &accepted[_i];
	struct hark_media_file	 f;
	struct hark_media_error	 e;
	unsigned char		*buf;
	size_t			 len;
	char			 rel[HARK_MEDIA_RELPATH_MAX];

	buf = read_fixture(a->fixture, &len);
	ck_assert_msg(store(media_dir, FEEDBACK, a->kind, buf, len, 1 << 20,
	    0, &f, &e) == HARK_MEDIA_OK, "%s: %s", a->fixture, e.msg);
	snprintf(rel, sizeof(rel), "%s/%s-%s.%s", MONTH_DIR, FEEDBACK,
	    hark_media_kind_name(a->kind), a->ext);
	assert_stored(&f, rel, buf, len);
	ck_assert_str_eq(f.content_type, a->content_type);
	free(buf);
}
END_TEST

START_TEST(a_part_of_exactly_the_limit_is_stored)
{
	struct hark_media_file	 f;
	struct hark_media_error	 e;
	unsigned char		*buf;
	size_t			 len;

	buf = read_fixture("voice.wav", &len);
	ck_assert_int_eq(store(media_dir, FEEDBACK, HARK_MEDIA_AUDIO, buf, len,
	    len, FLAGS(_i), &f, &e), HARK_MEDIA_OK);
	assert_stored(&f, MONTH_DIR "/" FEEDBACK "-audio.wav", buf, len);
	free(buf);
}
END_TEST

START_TEST(over_the_limit_is_too_large_and_leaves_no_file)
{
	struct hark_media_writer *w;
	struct hark_media_file	 f;
	struct hark_media_error	 e;
	unsigned char		*buf;
	size_t			 len;

	buf = read_fixture("voice.wav", &len);
	ck_assert_int_eq(hark_media_writer_begin(&w, media_dir, PROJECT,
	    FEEDBACK, HARK_MEDIA_AUDIO, WHEN, len - 1, FLAGS(_i), &e),
	    HARK_MEDIA_OK);
	ck_assert_int_eq(stream(w, buf, len, 1000, &e), HARK_MEDIA_TOO_LARGE);
	ck_assert_int_eq(e.status, HARK_MEDIA_TOO_LARGE);
	ck_assert_ptr_nonnull(strstr(e.msg, "audio"));
	/* It stays refused, and finishing it stores nothing. */
	ck_assert_int_eq(hark_media_writer_write(w, "x", 1, &e),
	    HARK_MEDIA_TOO_LARGE);
	ck_assert_int_eq(hark_media_writer_finish(w, &f, &e),
	    HARK_MEDIA_TOO_LARGE);
	ck_assert_str_eq(f.relpath, "");
	ck_assert_int_eq(count_files(media_dir), 0);
	free(buf);
}
END_TEST

START_TEST(abort_leaves_no_file)
{
	struct hark_media_writer *w;
	struct hark_media_error	 e;
	unsigned char		*buf;
	size_t			 len;

	buf = read_fixture("voice.wav", &len);
	ck_assert_int_eq(hark_media_writer_begin(&w, media_dir, PROJECT,
	    FEEDBACK, HARK_MEDIA_AUDIO, WHEN, 1 << 20, FLAGS(_i), &e),
	    HARK_MEDIA_OK);
	ck_assert_int_eq(stream(w, buf, len, 512, &e), HARK_MEDIA_OK);
	/* A named temp file is there while the part streams... */
	ck_assert_int_eq(count_files(media_dir), _i == 0 ? 0 : 1);
	hark_media_writer_abort(w);
	/* ...and gone with the abort. */
	ck_assert_int_eq(count_files(media_dir), 0);
	hark_media_writer_abort(NULL);
	free(buf);
}
END_TEST

/* A long text part is refused at the write that completes the typed head. */
START_TEST(wrong_type_is_refused_as_it_arrives)
{
	struct hark_media_writer *w;
	struct hark_media_file	 f;
	struct hark_media_error	 e;
	unsigned char		 text[3 * HARK_MEDIA_SNIFF_LEN];
	size_t			 i;

	for (i = 0; i < sizeof(text); i++)
		text[i] = "lorem ipsum dolor\n"[i % 18];
	ck_assert_int_eq(hark_media_writer_begin(&w, media_dir, PROJECT,
	    FEEDBACK, HARK_MEDIA_AUDIO, WHEN, 1 << 20, FLAGS(_i), &e),
	    HARK_MEDIA_OK);
	ck_assert_int_eq(hark_media_writer_write(w, text, 5000, &e),
	    HARK_MEDIA_OK);
	ck_assert_int_eq(hark_media_writer_write(w, text + 5000, 5000, &e),
	    HARK_MEDIA_WRONG_TYPE);
	ck_assert_str_eq(e.detected, "text/plain");
	ck_assert_int_eq(hark_media_writer_finish(w, &f, &e),
	    HARK_MEDIA_WRONG_TYPE);
	ck_assert_str_eq(e.detected, "text/plain");
	ck_assert_int_eq(count_files(media_dir), 0);
}
END_TEST

/* A part shorter than the typed head is typed when it ends. */
START_TEST(short_part_of_wrong_type_is_refused_at_finish)
{
	struct hark_media_file	 f;
	struct hark_media_error	 e;
	unsigned char		*buf;
	size_t			 len;

	buf = read_fixture("shot.png", &len);
	ck_assert_int_eq(store(media_dir, FEEDBACK, HARK_MEDIA_AUDIO, buf, len,
	    1 << 20, FLAGS(_i), &f, &e), HARK_MEDIA_WRONG_TYPE);
	ck_assert_str_eq(e.detected, "image/png");
	ck_assert_int_eq(count_files(media_dir), 0);
	free(buf);
}
END_TEST

START_TEST(empty_part_is_refused_at_finish)
{
	struct hark_media_file	 f;
	struct hark_media_error	 e;

	ck_assert_int_eq(store(media_dir, FEEDBACK, HARK_MEDIA_SCREENSHOT,
	    NULL, 0, 1 << 20, FLAGS(_i), &f, &e), HARK_MEDIA_WRONG_TYPE);
	ck_assert_str_eq(e.detected, "application/x-empty");
	ck_assert_int_eq(count_files(media_dir), 0);
}
END_TEST

START_TEST(refuses_names_not_of_the_servers_shape)
{
	static const char *const projects[] = {
		"../etc", "prj_../../../../etc/passwd", "prj_0123456789ABCDEFGHJKMNPQRS",
		"prj_0123456789abcdefghjkmnpqr", "prj_0123456789abcdefghjkmnpqrs/",
		"fb_abcdefghjkmnpqrstvwxyz0123", "", NULL
	};
	static const char *const ids[] = {
		"../../etc/passwd", "fb_abcdefghjkmnpqrstvwxyz012/",
		"fb_abcdefghjkmnpqrstvwxyz01234", "fb_abcdefghjkmnpqrstvwxyz012.",
		"shot.png", PROJECT, "", NULL
	};
	struct hark_media_writer *w;
	struct hark_media_error	 e;
	struct stat		 st;
	char			 path[256];
	size_t			 i;

	for (i = 0; i < sizeof(projects) / sizeof(projects[0]); i++) {
		ck_assert_int_eq(hark_media_writer_begin(&w, media_dir,
		    projects[i], FEEDBACK, HARK_MEDIA_AUDIO, WHEN, 100, 0, &e),
		    HARK_MEDIA_BAD_NAME);
		ck_assert_ptr_null(w);
	}
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		ck_assert_int_eq(hark_media_writer_begin(&w, media_dir,
		    PROJECT, ids[i], HARK_MEDIA_AUDIO, WHEN, 100, 0, &e),
		    HARK_MEDIA_BAD_NAME);
	ck_assert_int_eq(hark_media_writer_begin(&w, media_dir, PROJECT,
	    FEEDBACK, (enum hark_media_kind)7, WHEN, 100, 0, &e),
	    HARK_MEDIA_BAD_NAME);
	ck_assert_int_eq(hark_media_writer_begin(&w, "media", PROJECT,
	    FEEDBACK, HARK_MEDIA_AUDIO, WHEN, 100, 0, &e), HARK_MEDIA_BAD_NAME);
	ck_assert_int_eq(hark_media_writer_begin(&w, media_dir, PROJECT,
	    FEEDBACK, HARK_MEDIA_AUDIO, WHEN, 0, 0, &e), HARK_MEDIA_BAD_NAME);
	/* Refused before anything was touched: not even .tmp/ was made. */
	snprintf(path, sizeof(path), "%s/" HARK_MEDIA_TMPDIR, media_dir);
	ck_assert_int_eq(stat(path, &st), -1);
	ck_assert_int_eq(errno, ENOENT);
	/* A media id names a file as well as a feedback id does. */
	ck_assert_int_eq(hark_media_writer_begin(&w, media_dir, PROJECT,
	    "med_abcdefghjkmnpqrstvwxyz0123", HARK_MEDIA_AUDIO, WHEN, 100, 0,
	    &e), HARK_MEDIA_OK);
	hark_media_writer_abort(w);
	ck_assert_int_eq(count_files(media_dir), 0);
}
END_TEST

START_TEST(never_replaces_a_stored_file)
{
	struct hark_media_file	 f, g;
	struct hark_media_error	 e;
	unsigned char		*png, *webp;
	size_t			 plen, wlen;

	png = read_fixture("shot.png", &plen);
	webp = read_fixture("shot.webp", &wlen);
	ck_assert_int_eq(store(media_dir, FEEDBACK, HARK_MEDIA_SCREENSHOT, png,
	    plen, 1 << 20, FLAGS(_i), &f, &e), HARK_MEDIA_OK);
	/* Another PNG under the same id: refused, the first one intact. */
	ck_assert_int_eq(store(media_dir, FEEDBACK, HARK_MEDIA_SCREENSHOT, png,
	    plen - 1, 1 << 20, FLAGS(_i), &g, &e), HARK_MEDIA_IO);
	ck_assert_int_eq(e.sys_errno, EEXIST);
	assert_stored(&f, MONTH_DIR "/" FEEDBACK "-screenshot.png", png, plen);
	ck_assert_int_eq(count_files(media_dir), 1);
	/* The same id with another extension is another file. */
	ck_assert_int_eq(store(media_dir, FEEDBACK, HARK_MEDIA_SCREENSHOT, webp,
	    wlen, 1 << 20, FLAGS(_i), &g, &e), HARK_MEDIA_OK);
	ck_assert_int_eq(count_files(media_dir), 2);
	free(png);
	free(webp);
}
END_TEST

START_TEST(remove_deletes_a_stored_file)
{
	struct hark_media_file	 f;
	struct hark_media_error	 e;
	unsigned char		*buf;
	size_t			 len;

	buf = read_fixture("voice.ogg", &len);
	ck_assert_int_eq(store(media_dir, FEEDBACK, HARK_MEDIA_AUDIO, buf, len,
	    1 << 20, 0, &f, &e), HARK_MEDIA_OK);
	ck_assert_int_eq(count_files(media_dir), 1);
	ck_assert_int_eq(hark_media_remove(media_dir, f.relpath, &e),
	    HARK_MEDIA_OK);
	ck_assert_int_eq(count_files(media_dir), 0);
	/* Gone already is done. */
	ck_assert_int_eq(hark_media_remove(media_dir, f.relpath, &e),
	    HARK_MEDIA_OK);
	ck_assert_int_eq(hark_media_remove(media_dir, PROJECT
	    "/1999/12/" FEEDBACK2 "-audio.ogg", &e), HARK_MEDIA_OK);
	free(buf);
}
END_TEST

START_TEST(remove_refuses_paths_it_did_not_make)
{
	static const char *const bad[] = {
		"../media/" MONTH_DIR "/" FEEDBACK "-audio.ogg",
		MONTH_DIR "/../../../" FEEDBACK "-audio.ogg",
		"/" MONTH_DIR "/" FEEDBACK "-audio.ogg",
		MONTH_DIR "/" FEEDBACK "-audio.ogg/",
		MONTH_DIR "/" FEEDBACK "-audio.png",
		MONTH_DIR "/" FEEDBACK "-video.webm",
		MONTH_DIR "/" FEEDBACK "-audio.ogg.sh",
		MONTH_DIR "/" FEEDBACK,
		PROJECT "/2026/13/" FEEDBACK "-audio.ogg",
		PROJECT "/26/03/" FEEDBACK "-audio.ogg",
		PROJECT "//03/" FEEDBACK "-audio.ogg",
		PROJECT "/2026/03/x/" FEEDBACK "-audio.ogg",
		".tmp/up-0123456789abcdef",
		"", NULL
	};
	struct hark_media_file	 f;
	struct hark_media_error	 e;
	unsigned char		*buf;
	size_t			 len, i;

	buf = read_fixture("voice.ogg", &len);
	ck_assert_int_eq(store(media_dir, FEEDBACK, HARK_MEDIA_AUDIO, buf, len,
	    1 << 20, 0, &f, &e), HARK_MEDIA_OK);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(hark_media_remove(media_dir, bad[i], &e) ==
		    HARK_MEDIA_BAD_NAME, "removed %s", bad[i] ? bad[i] : "NULL");
	ck_assert_int_eq(count_files(media_dir), 1);
	free(buf);
}
END_TEST

/* --------------------------------------------------------------- faults */

START_TEST(missing_media_directory_is_unwritable)
{
	struct hark_media_file	 f;
	struct hark_media_error	 e;
	char			 dir[256];

	snprintf(dir, sizeof(dir), "%s/nonexistent", top);
	ck_assert_int_eq(store(dir, FEEDBACK, HARK_MEDIA_SCREENSHOT,
	    (const unsigned char *)"x", 1, 100, 0, &f, &e),
	    HARK_MEDIA_UNWRITABLE);
	ck_assert_int_eq(e.sys_errno, ENOENT);
	ck_assert_ptr_nonnull(strstr(e.msg, dir));
}
END_TEST

/* Root passes mode bits; a file where a directory belongs stops anyone. */
START_TEST(a_file_where_tmp_belongs_is_unwritable)
{
	struct hark_media_file	 f;
	struct hark_media_error	 e;
	char			 path[256];
	int			 fd;

	snprintf(path, sizeof(path), "%s/" HARK_MEDIA_TMPDIR, media_dir);
	ck_assert_int_ne(fd = open(path, O_CREAT | O_WRONLY, 0644), -1);
	close(fd);
	ck_assert_int_eq(store(media_dir, FEEDBACK, HARK_MEDIA_SCREENSHOT,
	    (const unsigned char *)"x", 1, 100, FLAGS(_i), &f, &e),
	    HARK_MEDIA_UNWRITABLE);
	ck_assert_int_eq(e.sys_errno, ENOTDIR);
	ck_assert_int_eq(count_files(media_dir), 1);
}
END_TEST

/* Refused at the last step, after the whole part came: the temp file goes. */
START_TEST(a_file_where_the_project_directory_belongs_is_unwritable)
{
	struct hark_media_file	 f;
	struct hark_media_error	 e;
	unsigned char		*buf;
	char			 path[256];
	size_t			 len;
	int			 fd;

	snprintf(path, sizeof(path), "%s/" PROJECT, media_dir);
	ck_assert_int_ne(fd = open(path, O_CREAT | O_WRONLY, 0644), -1);
	close(fd);
	buf = read_fixture("voice.wav", &len);
	ck_assert_int_eq(store(media_dir, FEEDBACK, HARK_MEDIA_AUDIO, buf, len,
	    1 << 20, FLAGS(_i), &f, &e), HARK_MEDIA_UNWRITABLE);
	ck_assert_int_eq(e.sys_errno, ENOTDIR);
	ck_assert_str_eq(f.relpath, "");
	ck_assert_int_eq(count_files(media_dir), 1);
	free(buf);
}
END_TEST

/*
 * The directory 0500: as root, in a child that became nobody, since root
 * passes mode bits.  The child's exit status is the writer's status.
 */
static int
store_as_nobody(unsigned flags)
{
	struct hark_media_file	 f;
	struct hark_media_error	 e;
	unsigned char		*buf;
	size_t			 len;
	pid_t			 pid;
	int			 status;

	buf = read_fixture("voice.wav", &len);
	if (geteuid() != 0) {
		status = store(media_dir, FEEDBACK, HARK_MEDIA_AUDIO, buf, len,
		    1 << 20, flags, &f, &e);
		free(buf);
		return status;
	}
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		if (setgid(NOBODY) == -1 || setuid(NOBODY) == -1)
			_exit(100);
		_exit(store(media_dir, FEEDBACK, HARK_MEDIA_AUDIO, buf, len,
		    1 << 20, flags, &f, &e));
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	free(buf);
	return WEXITSTATUS(status);
}

static void
own_dir(const char *path, mode_t mode)
{
	if (geteuid() == 0)
		ck_assert_int_eq(chown(path, NOBODY, NOBODY), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
}

START_TEST(read_only_media_directory_is_unwritable)
{
	own_dir(media_dir, 0500);
	ck_assert_int_eq(store_as_nobody(FLAGS(_i)), HARK_MEDIA_UNWRITABLE);
	ck_assert_int_eq(count_files(media_dir), 0);
}
END_TEST

/* .tmp/ writable, the media directory not: refused at finish, nothing left. */
START_TEST(read_only_month_directory_is_unwritable_at_finish)
{
	char	 path[256];

	snprintf(path, sizeof(path), "%s/" HARK_MEDIA_TMPDIR, media_dir);
	make_dir(path, 0700);
	own_dir(path, 0700);
	own_dir(media_dir, 0500);
	ck_assert_int_eq(store_as_nobody(FLAGS(_i)), HARK_MEDIA_UNWRITABLE);
	ck_assert_int_eq(count_files(media_dir), 0);
}
END_TEST

START_TEST(read_only_filesystem_is_unwritable)
{
	struct hark_media_file	 f;
	struct hark_media_error	 e;
	char			 why[128];

	if (!mount_tmpfs("size=1m", MS_RDONLY, why, sizeof(why))) {
		fprintf(stderr, "test_media: skipped the read-only "
		    "filesystem test: %s\n", why);
		return;
	}
	ck_assert_int_eq(store(mount_point, FEEDBACK, HARK_MEDIA_SCREENSHOT,
	    (const unsigned char *)"x", 1, 100, FLAGS(_i), &f, &e),
	    HARK_MEDIA_UNWRITABLE);
	ck_assert_int_eq(e.sys_errno, EROFS);
	ck_assert_int_eq(umount2(mount_point, 0), 0);
}
END_TEST

/* A 1 MiB tmpfs and a 2 MiB WAV: 507's status, and the space comes back. */
START_TEST(full_filesystem_is_no_space_and_leaves_no_file)
{
	struct hark_media_writer *w;
	struct statvfs		 before, after;
	struct hark_media_error	 e;
	unsigned char		*buf, *big;
	size_t			 len, biglen = 2 << 20;
	char			 why[128], tmp[256];

	if (!mount_tmpfs("size=1m,mode=0755", 0, why, sizeof(why))) {
		fprintf(stderr, "test_media: skipped the full filesystem "
		    "test: %s\n", why);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%s/" HARK_MEDIA_TMPDIR, mount_point);
	make_dir(tmp, 0750);
	ck_assert_int_eq(statvfs(mount_point, &before), 0);
	buf = read_fixture("voice.wav", &len);
	big = calloc(1, biglen);
	ck_assert_ptr_nonnull(big);
	memcpy(big, buf, len);
	ck_assert_int_eq(hark_media_writer_begin(&w, mount_point, PROJECT,
	    FEEDBACK, HARK_MEDIA_AUDIO, WHEN, 10 << 20, FLAGS(_i), &e),
	    HARK_MEDIA_OK);
	ck_assert_int_eq(stream(w, big, biglen, 65536, &e),
	    HARK_MEDIA_NO_SPACE);
	ck_assert_int_eq(e.sys_errno, ENOSPC);
	hark_media_writer_abort(w);
	ck_assert_int_eq(count_files(mount_point), 0);
	ck_assert_int_eq(statvfs(mount_point, &after), 0);
	ck_assert_uint_eq(after.f_bfree, before.f_bfree);
	ck_assert_int_eq(umount2(mount_point, 0), 0);
	free(big);
	free(buf);
}
END_TEST

/*
 * A worker killed mid-upload: with O_TMPFILE the kernel frees its file
 * (the space comes back, .tmp/ stays empty); a named temp file is the
 * orphan media.h tells the sweeper about.
 */
START_TEST(a_killed_writer_leaves_only_what_media_h_says)
{
	struct hark_media_writer *w;
	struct statvfs		 before, after;
	unsigned char		*buf, *big;
	size_t			 len, biglen = 512 << 10;
	char			 why[128], tmp[256];
	pid_t			 pid;
	int			 status;

	if (!mount_tmpfs("size=1m,mode=0755", 0, why, sizeof(why))) {
		fprintf(stderr, "test_media: skipped the killed writer "
		    "test: %s\n", why);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%s/" HARK_MEDIA_TMPDIR, mount_point);
	make_dir(tmp, 0750);
	ck_assert_int_eq(statvfs(mount_point, &before), 0);
	buf = read_fixture("voice.wav", &len);
	big = calloc(1, biglen);
	ck_assert_ptr_nonnull(big);
	memcpy(big, buf, len);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		if (hark_media_writer_begin(&w, mount_point, PROJECT, FEEDBACK,
		    HARK_MEDIA_AUDIO, WHEN, 10 << 20, FLAGS(_i), NULL) !=
		    HARK_MEDIA_OK || stream(w, big, biglen, 65536, NULL) !=
		    HARK_MEDIA_OK)
			_exit(1);
		raise(SIGKILL);
		_exit(2);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	ck_assert_int_eq(statvfs(mount_point, &after), 0);
	if (_i == 0) {
		ck_assert_int_eq(count_files(mount_point), 0);
		ck_assert_uint_eq(after.f_bfree, before.f_bfree);
	} else {
		ck_assert_int_eq(count_files(tmp), 1);
		ck_assert_uint_lt(after.f_bfree, before.f_bfree);
	}
	ck_assert_int_eq(umount2(mount_point, MNT_DETACH), 0);
	free(big);
	free(buf);
}
END_TEST

START_TEST(every_status_has_a_name)
{
	int	 st;

	for (st = HARK_MEDIA_OK; st <= HARK_MEDIA_NOMEM; st++)
		ck_assert_str_ne(hark_media_status_name(
		    (enum hark_media_status)st), "unknown");
	ck_assert_str_eq(hark_media_status_name(HARK_MEDIA_NO_SPACE),
	    "no_space");
	ck_assert_str_eq(hark_media_status_name((enum hark_media_status)99),
	    "unknown");
}
END_TEST

static Suite *
media_suite(void)
{
	Suite	*s = suite_create("media");
	TCase	*t;

	t = tcase_create("typing");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_loop_test(t, accepts_each_format_for_its_part, 0, NACCEPTED);
	tcase_add_loop_test(t, refuses_each_format_for_the_other_part, 0,
	    NACCEPTED);
	tcase_add_test(t, refuses_png_sent_as_audio);
	tcase_add_test(t, refuses_text_file_named_shot_png);
	tcase_add_test(t, refuses_html);
	tcase_add_test(t, refuses_elf_binary);
	tcase_add_test(t, refuses_empty_part);
	tcase_add_test(t, types_only_the_first_bytes);
	tcase_add_test(t, classify_without_libmagic_is_no_magic);
	tcase_add_test(t, magic_open_says_why_the_database_will_not_load);
	tcase_add_test(t, every_status_has_a_name);
	suite_add_tcase(s, t);

	t = tcase_create("writing");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_loop_test(t, streams_small_chunks_to_a_byte_exact_file, 0, 2);
	tcase_add_loop_test(t, stores_each_format_under_its_extension, 0,
	    NACCEPTED);
	tcase_add_loop_test(t, a_part_of_exactly_the_limit_is_stored, 0, 2);
	tcase_add_loop_test(t, over_the_limit_is_too_large_and_leaves_no_file,
	    0, 2);
	tcase_add_loop_test(t, abort_leaves_no_file, 0, 2);
	tcase_add_loop_test(t, wrong_type_is_refused_as_it_arrives, 0, 2);
	tcase_add_loop_test(t, short_part_of_wrong_type_is_refused_at_finish,
	    0, 2);
	tcase_add_loop_test(t, empty_part_is_refused_at_finish, 0, 2);
	tcase_add_test(t, refuses_names_not_of_the_servers_shape);
	tcase_add_loop_test(t, never_replaces_a_stored_file, 0, 2);
	tcase_add_test(t, remove_deletes_a_stored_file);
	tcase_add_test(t, remove_refuses_paths_it_did_not_make);
	suite_add_tcase(s, t);

	t = tcase_create("faults");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, missing_media_directory_is_unwritable);
	tcase_add_loop_test(t, a_file_where_tmp_belongs_is_unwritable, 0, 2);
	tcase_add_loop_test(t,
	    a_file_where_the_project_directory_belongs_is_unwritable, 0, 2);
	tcase_add_loop_test(t, read_only_media_directory_is_unwritable, 0, 2);
	tcase_add_loop_test(t, read_only_month_directory_is_unwritable_at_finish,
	    0, 2);
	tcase_add_loop_test(t, read_only_filesystem_is_unwritable, 0, 2);
	tcase_add_loop_test(t, full_filesystem_is_no_space_and_leaves_no_file,
	    0, 2);
	tcase_add_loop_test(t, a_killed_writer_leaves_only_what_media_h_says,
	    0, 2);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(media_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
