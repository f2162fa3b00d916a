/*
 * test_transcribe.c: the pocketsphinx transcriber on pocketsphinx-testdata's
 * LibriVox recordings (encoded here to WebM/Opus and MP4/AAC, as browsers
 * upload them), its word error rate against their reference transcripts,
 * and every way a file, ffmpeg or a model can fail; and [transcribe].
 *
 * Without HAVE_POCKETSPHINX only the configuration tests run, and the test
 * exits 77 (automake's SKIP); test.sh builds with --with-pocketsphinx.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf.h"
#include "transcribe.h"

extern char	**environ;

#define LIBRIVOX	"/usr/share/pocketsphinx/test/data/librivox"
/*
 * Measured with Debian's en-us model (tests/bench/transcribe): 20 errors in
 * 71 words, 0.282, for WAV, WebM/Opus 32 kbit/s and MP4/AAC 64 kbit/s
 * alike.  The bound leaves 0.05 for another ffmpeg's decoder.
 */
#define WER_MEASURED	0.282
#define WER_BOUND	(WER_MEASURED + 0.05)

static char		 dir[] = "/tmp/hark-test-transcribe.XXXXXX";
static struct hark_conf	 conf;

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(hark_conf_defaults(&conf), 0);
}

static void
teardown(void)
{
	char	*argv[] = { "rm", "-rf", dir, NULL };
	pid_t	 pid;
	int	 st;

	hark_conf_free(&conf);
	if (posix_spawnp(&pid, "rm", NULL, NULL, argv, environ) == 0)
		(void)waitpid(pid, &st, 0);
}

static void
write_file(const char *path, const char *data, size_t len, mode_t mode)
{
	int	 fd;

	ck_assert_int_ne(fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode),
	    -1);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

#ifdef HAVE_POCKETSPHINX
/* Runs ffmpeg with args (after "-v error -y"); asserts it succeeded. */
static void
ffmpeg(const char *const *args)
{
	char	*argv[32];
	size_t	 n = 0;
	pid_t	 pid;
	int	 st;

	argv[n++] = (char *)HARK_FFMPEG;
	argv[n++] = "-nostdin";
	argv[n++] = "-v";
	argv[n++] = "error";
	argv[n++] = "-y";
	while (*args != NULL && n < 31)
		argv[n++] = (char *)*args++;
	argv[n] = NULL;
	ck_assert_int_eq(posix_spawn(&pid, HARK_FFMPEG, NULL, NULL, argv,
	    environ), 0);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "ffmpeg failed");
}
#endif

/* ------------------------------------------------------------ the config */

static void
load(const char *text, int want)
{
	char			 path[256];
	struct hark_conf	 c;
	struct hark_conf_err	 e;
	int			 rc;

	snprintf(path, sizeof(path), "%s/hark.conf", dir);
	write_file(path, text, strlen(text), 0600);
	rc = hark_conf_load(path, &c, &e);
	ck_assert_msg(rc == want, "%s: %s", text, rc == 0 ? "loaded" : e.msg);
	if (rc == 0)
		hark_conf_free(&c);
}

#define DB	"[database]\nname = hark\n"

START_TEST(conf_defaults)
{
#ifdef HAVE_POCKETSPHINX
	ck_assert_str_eq(conf.transcribe_backend, "pocketsphinx");
#else
	ck_assert_str_eq(conf.transcribe_backend, "none");
#endif
	ck_assert_str_eq(conf.transcribe_language, "en");
	ck_assert_str_eq(conf.transcribe_ffmpeg, HARK_FFMPEG);
	ck_assert_str_eq(conf.transcribe_pocketsphinx_model,
	    HARK_POCKETSPHINX_MODELDIR "/en-us/en-us");
	ck_assert_str_eq(conf.transcribe_pocketsphinx_dict,
	    HARK_POCKETSPHINX_MODELDIR "/en-us/cmudict-en-us.dict");
	ck_assert_str_eq(conf.transcribe_pocketsphinx_lm,
	    HARK_POCKETSPHINX_MODELDIR "/en-us/en-us.lm.bin");
	ck_assert_int_eq(conf.transcribe_timeout, 600);
	ck_assert_int_eq(conf.transcribe_max_utterance_seconds, 20);
}
END_TEST

START_TEST(conf_accepts_and_rejects)
{
	load(DB "[transcribe]\nbackend = pocketsphinx\n", 0);
	load(DB "[transcribe]\nbackend = openai\nlanguage = de\n", 0);
	load(DB "[transcribe]\nbackend = none\n", 0);
	load(DB "[transcribe]\nbackend = whisper\n", -1);
	load(DB "[transcribe]\nbackend =\n", -1);
	load(DB "[transcribe]\nffmpeg = ffmpeg\n", -1);
	load(DB "[transcribe]\npocketsphinx_model = model\n", -1);
	load(DB "[transcribe]\npocketsphinx_dict = a.dict\n", -1);
	load(DB "[transcribe]\npocketsphinx_lm = a.lm\n", -1);
	load(DB "[transcribe]\ntimeout = 0\n", -1);
	load(DB "[transcribe]\ntimeout = 86401\n", -1);
	load(DB "[transcribe]\nmax_utterance_seconds = 4\n", -1);
	load(DB "[transcribe]\nmax_utterance_seconds = 601\n", -1);
	load(DB "[transcribe]\nmax_utterance_seconds = 5\ntimeout = 86400\n",
	    0);
	load(DB "[transcribe]\nmodel = x\n", -1);
}
END_TEST

/* The example's "#key = value" lines of [transcribe] are the defaults. */
START_TEST(conf_shipped_example)
{
	FILE			*fp;
	char			 line[1024], path[256];
	char			*text = NULL;
	size_t			 len = 0;
	FILE			*mem;
	int			 in = 0, n = 0;
	struct hark_conf	 c;
	struct hark_conf_err	 e;

	ck_assert_ptr_nonnull(fp = fopen(TEST_SRCDIR "/conf/hark.conf.in",
	    "r"));
	ck_assert_ptr_nonnull(mem = open_memstream(&text, &len));
	fputs(DB, mem);
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (line[0] == '[')
			in = strcmp(line, "[transcribe]\n") == 0;
		if (!in)
			continue;
		if (line[0] == '#' && line[1] >= 'a' && line[1] <= 'z') {
			fputs(line + 1, mem);
			n++;
		} else
			fputs(line, mem);
	}
	fclose(fp);
	fclose(mem);
	/* pocketsphinx's 8 (and openai's). */
	ck_assert_int_ge(n, 8);
	snprintf(path, sizeof(path), "%s/hark.conf", dir);
	write_file(path, text, len, 0600);
	free(text);
	ck_assert_msg(hark_conf_load(path, &c, &e) == 0, "%s", e.msg);
#ifdef HAVE_POCKETSPHINX
	ck_assert_str_eq(c.transcribe_backend, conf.transcribe_backend);
#endif
	ck_assert_str_eq(c.transcribe_language, conf.transcribe_language);
	if (strcmp(HARK_FFMPEG, "/usr/bin/ffmpeg") == 0)
		ck_assert_str_eq(c.transcribe_ffmpeg, conf.transcribe_ffmpeg);
	ck_assert_str_eq(c.transcribe_pocketsphinx_model,
	    conf.transcribe_pocketsphinx_model);
	ck_assert_str_eq(c.transcribe_pocketsphinx_dict,
	    conf.transcribe_pocketsphinx_dict);
	ck_assert_str_eq(c.transcribe_pocketsphinx_lm,
	    conf.transcribe_pocketsphinx_lm);
	ck_assert_int_eq(c.transcribe_timeout, conf.transcribe_timeout);
	ck_assert_int_eq(c.transcribe_max_utterance_seconds,
	    conf.transcribe_max_utterance_seconds);
	hark_conf_free(&c);
}
END_TEST

#ifdef HAVE_POCKETSPHINX

/* ------------------------------------------------------------ recognition */

static size_t
split(char *s, char **w, size_t max)
{
	size_t	 n = 0;
	char	*tok, *save;

	for (tok = strtok_r(s, " \t\n", &save); tok != NULL && n < max;
	    tok = strtok_r(NULL, " \t\n", &save))
		w[n++] = tok;
	return n;
}

/* Word-level Levenshtein distance; *nref = the reference's words. */
static size_t
word_errors(const char *ref, const char *hyp, size_t *nref)
{
	char	*rw[128], *hw[128], *r = strdup(ref), *h = strdup(hyp);
	size_t	 d[129][129], nr, nh, i, j, v;

	nr = split(r, rw, 128);
	nh = split(h, hw, 128);
	for (i = 0; i <= nr; i++)
		d[i][0] = i;
	for (j = 0; j <= nh; j++)
		d[0][j] = j;
	for (i = 1; i <= nr; i++)
		for (j = 1; j <= nh; j++) {
			v = d[i - 1][j - 1] + (strcmp(rw[i - 1], hw[j - 1]) != 0);
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			d[i][j] = v;
		}
	free(r);
	free(h);
	*nref = nr;
	return d[nr][nh];
}

/*
 * Encodes every clip with codec into ext, transcribes it, and returns the
 * word error rate over all five against pocketsphinx-testdata's
 * transcription file ("<s> words </s> (id)" lines).
 */
static double
wer_of(const char *codec, const char *bitrate, const char *ext)
{
	struct hark_transcriber	*t;
	struct hark_transcript	 out;
	struct hark_backend_err	 err;
	FILE			*fp;
	char			 line[1024], wav[512], enc[512], *id, *end;
	size_t			 words = 0, errors = 0, n, e;
	int			 clips = 0;

	ck_assert_int_eq(hark_transcriber_open("pocketsphinx", &conf, &t,
	    &err), HARK_BACKEND_OK);
	ck_assert_ptr_nonnull(fp = fopen(LIBRIVOX "/transcription", "r"));
	while (fgets(line, sizeof(line), fp) != NULL) {
		ck_assert_ptr_nonnull(id = strrchr(line, '('));
		ck_assert_ptr_nonnull(end = strchr(id, ')'));
		*end = '\0';
		*id++ = '\0';
		ck_assert_ptr_nonnull(end = strstr(line, "</s>"));
		*end = '\0';
		snprintf(wav, sizeof(wav), LIBRIVOX "/%s.wav", id);
		snprintf(enc, sizeof(enc), "%s/%s.%s", dir, id, ext);
		{
			const char *const args[] = { "-i", wav, "-c:a", codec,
			    "-b:a", bitrate, enc, NULL };

			ffmpeg(args);
		}
		ck_assert_msg(hark_transcriber_run(t, enc, "", "en", &out,
		    &err) == HARK_BACKEND_OK, "%s: %s", enc, err.msg);
		ck_assert_str_eq(out.language, "en");
		ck_assert_uint_eq(out.len, strlen(out.text));
		e = word_errors(line + 3, out.text, &n);
		fprintf(stderr, "%s.%s: %zu/%zu: %s\n", id, ext, e, n,
		    out.text);
		words += n;
		errors += e;
		clips++;
		hark_transcript_free(&out);
	}
	fclose(fp);
	hark_transcriber_close(t);
	ck_assert_int_eq(clips, 5);
	ck_assert_uint_eq(words, 71);
	return (double)errors / (double)words;
}

START_TEST(librivox_webm_opus)
{
	double	 wer = wer_of("libopus", "32k", "webm");

	fprintf(stderr, "WebM/Opus: WER %.3f (bound %.3f)\n", wer, WER_BOUND);
	ck_assert_double_le(wer, WER_BOUND);
}
END_TEST

START_TEST(librivox_mp4_aac)
{
	double	 wer = wer_of("aac", "64k", "mp4");

	fprintf(stderr, "MP4/AAC: WER %.3f (bound %.3f)\n", wer, WER_BOUND);
	ck_assert_double_le(wer, WER_BOUND);
}
END_TEST

/*
 * A recording longer than max_utterance_seconds is cut into utterances:
 * two clips back to back (10 s) with a 5 s bound still give the words of
 * both.
 */
START_TEST(long_recording_is_segmented)
{
	struct hark_transcriber	*t;
	struct hark_transcript	 out;
	struct hark_backend_err	 err;
	char			 list[512], enc[512], body[1024];
	size_t			 n, e;

	snprintf(list, sizeof(list), "%s/list.txt", dir);
	snprintf(body, sizeof(body),
	    "file '" LIBRIVOX "/sense_and_sensibility_01_austen_64kb-0920.wav'\n"
	    "file '" LIBRIVOX "/sense_and_sensibility_01_austen_64kb-0930.wav'\n");
	write_file(list, body, strlen(body), 0600);
	snprintf(enc, sizeof(enc), "%s/two.webm", dir);
	{
		const char *const args[] = { "-f", "concat", "-safe", "0",
		    "-i", list, "-c:a", "libopus", "-b:a", "32k", enc, NULL };

		ffmpeg(args);
	}
	conf.transcribe_max_utterance_seconds = 5;
	ck_assert_int_eq(hark_transcriber_open("pocketsphinx", &conf, &t,
	    &err), HARK_BACKEND_OK);
	ck_assert_msg(hark_transcriber_run(t, enc, "", "", &out, &err) ==
	    HARK_BACKEND_OK, "%s", err.msg);
	e = word_errors("had he married a more a amiable woman he might have "
	    "been made still more respectable than he was he might even have "
	    "been made amiable himself", out.text, &n);
	fprintf(stderr, "two clips, 5 s utterances: %zu/%zu: %s\n", e, n,
	    out.text);
	ck_assert_uint_le(e, n / 2);
	hark_transcript_free(&out);
	hark_transcriber_close(t);
}
END_TEST

/* ------------------------------------------------------------ bad input */

static struct hark_transcriber *
open_ok(void)
{
	struct hark_transcriber	*t;
	struct hark_backend_err	 err;

	ck_assert_msg(hark_transcriber_open("pocketsphinx", &conf, &t, &err) ==
	    HARK_BACKEND_OK, "%s", err.msg);
	return t;
}

/* What ffmpeg cannot decode fails for good, saying so, without the path. */
START_TEST(text_file_is_fail)
{
	struct hark_transcriber	*t = open_ok();
	struct hark_transcript	 out;
	struct hark_backend_err	 err;
	char			 path[512];
	const char		*text = "this is not audio, only text\n";

	snprintf(path, sizeof(path), "%s/notes.webm", dir);
	write_file(path, text, strlen(text), 0600);
	ck_assert_int_eq(hark_transcriber_run(t, path, "text/plain", "en",
	    &out, &err), HARK_BACKEND_FAIL);
	ck_assert_msg(strstr(err.msg, "pocketsphinx: ffmpeg cannot decode "
	    "the recording") == err.msg, "%s", err.msg);
	ck_assert_msg(strstr(err.msg, dir) == NULL, "%s", err.msg);
	ck_assert_ptr_null(out.text);
	/* The child was reaped: no zombie, no other child. */
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
	hark_transcriber_close(t);
}
END_TEST

START_TEST(missing_file_is_fail)
{
	struct hark_transcriber	*t = open_ok();
	struct hark_transcript	 out;
	struct hark_backend_err	 err;
	char			 path[512];

	snprintf(path, sizeof(path), "%s/gone.webm", dir);
	ck_assert_int_eq(hark_transcriber_run(t, path, "", "en", &out, &err),
	    HARK_BACKEND_FAIL);
	ck_assert_str_eq(err.msg, "pocketsphinx: cannot open the recording: "
	    "No such file or directory");
	hark_transcriber_close(t);
}
END_TEST

/* A name that looks like an option or a URL is still a file's name. */
START_TEST(odd_file_name_is_a_file)
{
	struct hark_transcriber	*t = open_ok();
	struct hark_transcript	 out;
	struct hark_backend_err	 err;
	char			 path[512];

	ck_assert_int_eq(chdir(dir), 0);
	/* Were it an option, ffmpeg would print its version and exit 0. */
	write_file("-version", "not audio", 9, 0600);
	ck_assert_int_eq(hark_transcriber_run(t, "-version", "", "en", &out,
	    &err), HARK_BACKEND_FAIL);
	write_file("-h", "not audio", 9, 0600);
	ck_assert_int_eq(hark_transcriber_run(t, "-h", "", "en", &out, &err),
	    HARK_BACKEND_FAIL);
	snprintf(path, sizeof(path), "http:x");
	write_file(path, "not audio", 9, 0600);
	ck_assert_int_eq(hark_transcriber_run(t, path, "", "en", &out, &err),
	    HARK_BACKEND_FAIL);
	ck_assert_msg(strstr(err.msg, "ffmpeg cannot decode") != NULL, "%s",
	    err.msg);
	hark_transcriber_close(t);
}
END_TEST

START_TEST(empty_file_is_empty_transcript)
{
	struct hark_transcriber	*t = open_ok();
	struct hark_transcript	 out;
	struct hark_backend_err	 err;
	char			 path[512];

	snprintf(path, sizeof(path), "%s/empty.webm", dir);
	write_file(path, "", 0, 0600);
	ck_assert_int_eq(hark_transcriber_run(t, path, "", "en", &out, &err),
	    HARK_BACKEND_OK);
	ck_assert_str_eq(out.text, "");
	ck_assert_uint_eq(out.len, 0);
	ck_assert_str_eq(out.language, "en");
	hark_transcript_free(&out);
	hark_transcriber_close(t);
}
END_TEST

START_TEST(silence_is_empty_transcript)
{
	struct hark_transcriber	*t = open_ok();
	struct hark_transcript	 out;
	struct hark_backend_err	 err;
	char			 path[512];
	const char *const	 args[] = { "-f", "lavfi", "-i",
	    "anullsrc=r=48000:cl=mono", "-t", "3", "-c:a", "libopus", NULL,
	    NULL };
	const char		*a[10];

	snprintf(path, sizeof(path), "%s/silence.webm", dir);
	memcpy(a, args, sizeof(args));
	a[8] = path;
	ffmpeg(a);
	ck_assert_msg(hark_transcriber_run(t, path, "", "en", &out, &err) ==
	    HARK_BACKEND_OK, "%s", err.msg);
	ck_assert_str_eq(out.text, "");
	hark_transcript_free(&out);
	hark_transcriber_close(t);
}
END_TEST

/* A stand-in for ffmpeg: a shell script (the test's, not the backend's). */
static void
fake_ffmpeg(const char *body)
{
	char	 path[512], text[512];

	snprintf(path, sizeof(path), "%s/ffmpeg", dir);
	snprintf(text, sizeof(text), "#!/bin/sh\n%s\n", body);
	write_file(path, text, strlen(text), 0700);
	free(conf.transcribe_ffmpeg);
	ck_assert_ptr_nonnull(conf.transcribe_ffmpeg = strdup(path));
}

static int
run_on_clip(struct hark_transcriber *t, struct hark_backend_err *err)
{
	struct hark_transcript	 out;
	int			 rc;

	rc = hark_transcriber_run(t, LIBRIVOX
	    "/sense_and_sensibility_01_austen_64kb-0880.wav", "", "en", &out,
	    err);
	if (rc == HARK_BACKEND_OK)
		hark_transcript_free(&out);
	return rc;
}

/* An ffmpeg that hangs is killed at the timeout, reaped, and retried. */
START_TEST(hung_ffmpeg_is_killed_at_timeout)
{
	struct hark_transcriber	*t;
	struct hark_backend_err	 err;

	fake_ffmpeg("exec sleep 60");
	conf.transcribe_timeout = 1;
	t = open_ok();
	ck_assert_int_eq(run_on_clip(t, &err), HARK_BACKEND_RETRY);
	ck_assert_str_eq(err.msg, "pocketsphinx: decoding took longer than "
	    "1 s ([transcribe] timeout)");
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
	hark_transcriber_close(t);
}
END_TEST

/* An ffmpeg killed by a signal (the OOM killer) is a retry. */
START_TEST(killed_ffmpeg_is_retry)
{
	struct hark_transcriber	*t;
	struct hark_backend_err	 err;

	fake_ffmpeg("kill -KILL $$");
	t = open_ok();
	ck_assert_int_eq(run_on_clip(t, &err), HARK_BACKEND_RETRY);
	ck_assert_str_eq(err.msg, "pocketsphinx: ffmpeg was killed (signal 9)");
	hark_transcriber_close(t);
}
END_TEST

/* Output that stops in the middle of a sample still decodes. */
START_TEST(odd_byte_count_is_ok)
{
	struct hark_transcriber	*t;
	struct hark_backend_err	 err;
	char			 body[512];

	snprintf(body, sizeof(body), "head -c 47999 " LIBRIVOX
	    "/sense_and_sensibility_01_austen_64kb-0880.wav");
	fake_ffmpeg(body);
	t = open_ok();
	ck_assert_int_eq(run_on_clip(t, &err), HARK_BACKEND_OK);
	hark_transcriber_close(t);
}
END_TEST

/* Less PCM than a frame is nothing said, not a failure to retry. */
START_TEST(tiny_output_is_empty_transcript)
{
	struct hark_transcriber	*t;
	struct hark_transcript	 out;
	struct hark_backend_err	 err;

	fake_ffmpeg("printf abc");
	t = open_ok();
	ck_assert_int_eq(hark_transcriber_run(t, LIBRIVOX
	    "/sense_and_sensibility_01_austen_64kb-0880.wav", "", "en", &out,
	    &err), HARK_BACKEND_OK);
	ck_assert_str_eq(out.text, "");
	hark_transcript_free(&out);
	hark_transcriber_close(t);
}
END_TEST

/* No file descriptors left for the pipes: a retry, not a failure. */
START_TEST(no_pipes_is_retry)
{
	struct hark_transcriber	*t = open_ok();
	struct hark_backend_err	 err;
	struct rlimit		 rl, old;
	int			 fd;

	ck_assert_int_ne(fd = dup(0), -1);
	close(fd);
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
	rl.rlim_cur = (rlim_t)fd;
	rl.rlim_max = old.rlim_max;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	ck_assert_int_eq(run_on_clip(t, &err), HARK_BACKEND_RETRY);
	ck_assert_msg(strstr(err.msg, "pocketsphinx: cannot make ffmpeg's "
	    "pipes: ") == err.msg, "%s", err.msg);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	hark_transcriber_close(t);
}
END_TEST

/* ------------------------------------------------------------ setup errors */

static void
open_fails(const char *want)
{
	struct hark_transcriber	*t = NULL;
	struct hark_backend_err	 err;

	ck_assert_int_eq(hark_transcriber_open("pocketsphinx", &conf, &t,
	    &err), HARK_BACKEND_FAIL);
	ck_assert_ptr_null(t);
	fprintf(stderr, "open: %s\n", err.msg);
	ck_assert_msg(strstr(err.msg, want) == err.msg, "\"%s\" is not \"%s\"",
	    err.msg, want);
}

static void
set(char **field, const char *value)
{
	free(*field);
	ck_assert_ptr_nonnull(*field = strdup(value));
}

START_TEST(missing_model_is_fail_at_init)
{
	set(&conf.transcribe_pocketsphinx_model, "/nonexistent/en-us");
	open_fails("pocketsphinx: cannot read model /nonexistent/en-us: "
	    "No such file or directory");
}
END_TEST

START_TEST(directory_without_model_is_fail_at_init)
{
	set(&conf.transcribe_pocketsphinx_model, dir);
	open_fails("pocketsphinx: cannot read model ");
}
END_TEST

START_TEST(missing_dict_is_fail_at_init)
{
	set(&conf.transcribe_pocketsphinx_dict, "/nonexistent.dict");
	open_fails("pocketsphinx: cannot read dictionary /nonexistent.dict");
}
END_TEST

START_TEST(missing_lm_is_fail_at_init)
{
	set(&conf.transcribe_pocketsphinx_lm, "/nonexistent.lm.bin");
	open_fails("pocketsphinx: cannot read language model "
	    "/nonexistent.lm.bin");
}
END_TEST

START_TEST(bad_lm_is_fail_at_init)
{
	char	 path[512];

	snprintf(path, sizeof(path), "%s/bad.lm.bin", dir);
	write_file(path, "not a language model\n", 21, 0600);
	set(&conf.transcribe_pocketsphinx_lm, path);
	open_fails("pocketsphinx: cannot load the model: Wrong magic header");
}
END_TEST

START_TEST(bad_model_is_fail_at_init)
{
	char	 path[512];

	snprintf(path, sizeof(path), "%s/mdef", dir);
	write_file(path, "not a model definition\n", 23, 0600);
	set(&conf.transcribe_pocketsphinx_model, dir);
	/* sphinxbase's E_FATAL: the probe child, not this process, ends. */
	open_fails("pocketsphinx: cannot load the model: Version error");
}
END_TEST

START_TEST(missing_ffmpeg_is_fail_at_init)
{
	set(&conf.transcribe_ffmpeg, "/nonexistent/ffmpeg");
	open_fails("pocketsphinx: cannot run ffmpeg /nonexistent/ffmpeg");
}
END_TEST

START_TEST(pocketsphinx_is_registered)
{
	ck_assert_ptr_eq(hark_transcriber_find("pocketsphinx"),
	    &hark_transcriber_pocketsphinx);
}
END_TEST

#endif /* HAVE_POCKETSPHINX */

static Suite *
transcribe_suite(void)
{
	Suite	*s = suite_create("transcribe");
	TCase	*tc;

	tc = tcase_create("conf");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, conf_defaults);
	tcase_add_test(tc, conf_accepts_and_rejects);
	tcase_add_test(tc, conf_shipped_example);
	suite_add_tcase(s, tc);
#ifdef HAVE_POCKETSPHINX
	tc = tcase_create("librivox");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, librivox_webm_opus);
	tcase_add_test(tc, librivox_mp4_aac);
	tcase_add_test(tc, long_recording_is_segmented);
	suite_add_tcase(s, tc);

	tc = tcase_create("bad input");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, text_file_is_fail);
	tcase_add_test(tc, missing_file_is_fail);
	tcase_add_test(tc, odd_file_name_is_a_file);
	tcase_add_test(tc, empty_file_is_empty_transcript);
	tcase_add_test(tc, silence_is_empty_transcript);
	tcase_add_test(tc, hung_ffmpeg_is_killed_at_timeout);
	tcase_add_test(tc, killed_ffmpeg_is_retry);
	tcase_add_test(tc, odd_byte_count_is_ok);
	tcase_add_test(tc, tiny_output_is_empty_transcript);
	tcase_add_test(tc, no_pipes_is_retry);
	suite_add_tcase(s, tc);

	tc = tcase_create("setup");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, missing_model_is_fail_at_init);
	tcase_add_test(tc, directory_without_model_is_fail_at_init);
	tcase_add_test(tc, missing_dict_is_fail_at_init);
	tcase_add_test(tc, missing_lm_is_fail_at_init);
	tcase_add_test(tc, bad_lm_is_fail_at_init);
	tcase_add_test(tc, bad_model_is_fail_at_init);
	tcase_add_test(tc, missing_ffmpeg_is_fail_at_init);
	tcase_add_test(tc, pocketsphinx_is_registered);
	suite_add_tcase(s, tc);
#endif
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(transcribe_suite());
	int	 nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
#ifndef HAVE_POCKETSPHINX
	if (nf == 0) {
		puts("SKIP: built without pocketsphinx (--without-pocketsphinx "
		    "or no libpocketsphinx-dev)");
		return 77;
	}
#endif
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
