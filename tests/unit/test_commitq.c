/* test_commitq.c: the commit queue's frames (every bad one refused) and the worker's client against a fake writer. */
#include "config.h"

#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commitq.h"
#include "ids.h"
#include "store.h"
#include "vocab.h"

#define FB_ID	"fb_0123456789abcdefghjkmnpqrs"
#define PRJ	"prj_0123456789abcdefghjkmnpqrs"

static void
sample(struct hark_feedback *fb)
{
	static char	 text[] = "it broke\0 with a NUL";
	static char	 meta[] = "{\"plan\":\"pro\"}";

	memset(fb, 0, sizeof(*fb));
	snprintf(fb->id, sizeof(fb->id), FB_ID);
	snprintf(fb->project_id, sizeof(fb->project_id), PRJ);
	snprintf(fb->session_id, sizeof(fb->session_id), "sess-1");
	fb->text = text;
	fb->text_len = sizeof(text) - 1;
	fb->metadata = meta;
	fb->metadata_len = strlen(meta);
	fb->channel = "widget";
	fb->category = "bug";
	fb->sentiment = "negative";
	fb->triaged_by = "builtin";
	fb->status = "new";
	snprintf(fb->created_at, sizeof(fb->created_at),
	    "2026-12-03 18:00:00.123456");
	snprintf(fb->language, sizeof(fb->language), "en");
	fb->audio_duration_ms = -1;
	fb->spam = 0;
	fb->quarantined = false;
	fb->impact = 3;
	fb->sentiment_score = -0.625;
	fb->triage_confidence = 0.75;
	fb->has_content_hash = true;
	memset(fb->content_hash, 0xab, sizeof(fb->content_hash));
}

static int
decode(const struct hark_buf *b, struct hark_cq_sub *sub)
{
	long	 n = hark_cq_frame((const unsigned char *)b->data, b->len);

	ck_assert_int_eq(n, (long)b->len);
	return hark_cq_decode_submit((const unsigned char *)b->data + 4,
	    b->len - 4, sub);
}

START_TEST(a_submission_round_trips)
{
	struct hark_feedback	 fb;
	struct hark_cq_sub	 sub;
	struct hark_buf		 b = { 0 };

	sample(&fb);
	ck_assert_int_eq(hark_cq_encode_submit(&b, &fb, "key-1", 201,
	    "{\"id\":1}", 8, NULL), 0);
	ck_assert_int_eq(decode(&b, &sub), 0);
	ck_assert_str_eq(sub.fb.id, FB_ID);
	ck_assert_str_eq(sub.fb.project_id, PRJ);
	ck_assert_str_eq(sub.fb.source_id, "");
	ck_assert_str_eq(sub.fb.session_id, "sess-1");
	ck_assert_uint_eq(sub.fb.text_len, fb.text_len);
	ck_assert(memcmp(sub.fb.text, fb.text, fb.text_len) == 0);
	ck_assert_ptr_null(sub.fb.page);
	ck_assert_uint_eq(sub.fb.metadata_len, fb.metadata_len);
	/* The names are the static ones, as the store expects. */
	ck_assert_ptr_eq(sub.fb.channel, hark_vocab_intern(hark_vocab_channel,
	    "widget", NULL));
	ck_assert_str_eq(sub.fb.category, "bug");
	ck_assert_str_eq(sub.fb.created_at, fb.created_at);
	ck_assert_str_eq(sub.fb.language, "en");
	ck_assert(sub.fb.has_content_hash);
	ck_assert(memcmp(sub.fb.content_hash, fb.content_hash, 32) == 0);
	ck_assert(sub.fb.sentiment_score == -0.625);
	ck_assert(sub.fb.triage_confidence == 0.75);
	ck_assert_int_eq(sub.fb.impact, 3);
	ck_assert_int_eq(sub.fb.audio_duration_ms, -1);
	ck_assert_str_eq(sub.idem_key, "key-1");
	ck_assert_int_eq(sub.idem_status, 201);
	ck_assert_uint_eq(sub.idem_body_len, 8);

	/* Without a key: none decoded. */
	hark_buf_reset(&b);
	ck_assert_int_eq(hark_cq_encode_submit(&b, &fb, NULL, 0, NULL, 0, NULL), 0);
	ck_assert_int_eq(decode(&b, &sub), 0);
	ck_assert_str_eq(sub.idem_key, "");
	ck_assert_ptr_null(sub.idem_body);
	hark_buf_free(&b);
}
END_TEST

#define MED_ID	"med_0123456789abcdefghjkmnpqrs"
#define JOB_ID	"job_0123456789abcdefghjkmnpqrs"
#define RELPATH	PRJ "/2026/12/" MED_ID "-audio.webm"

static void
sample_parts(struct hark_store_submission *s, const struct hark_feedback *fb)
{
	static const unsigned char	 sha[32] = { 1, 2, 3, 4 };
	static const char		 identity[] = "{\"email\":\"a@b.c\"}";

	memset(s, 0, sizeof(*s));
	s->fb = fb;
	snprintf(s->media[0].id, sizeof(s->media[0].id), MED_ID);
	s->media[0].kind = "audio";
	s->media[0].relpath = RELPATH;
	s->media[0].mime = "audio/webm";
	s->media[0].bytes = 12345;
	s->media[0].sha256 = sha;
	s->media[0].duration_ms = 4200;
	s->nmedia = 1;
	snprintf(s->jobs[0].id, sizeof(s->jobs[0].id), JOB_ID);
	s->jobs[0].kind = "transcribe";
	s->njobs = 1;
	s->session_status = "processing";
	s->identity = identity;
	s->identity_len = strlen(identity);
	s->session_ttl = 86400;
}

START_TEST(a_multipart_submission_round_trips)
{
	struct hark_feedback		 fb;
	struct hark_store_submission	 parts;
	struct hark_cq_sub		 sub;
	struct hark_buf			 b = { 0 };

	sample(&fb);
	sample_parts(&parts, &fb);
	ck_assert_int_eq(hark_cq_encode_submit(&b, &fb, "key-2", 202,
	    "{}", 2, &parts), 0);
	ck_assert_int_eq(decode(&b, &sub), 0);
	ck_assert_int_eq(sub.has_parts, 1);
	ck_assert_ptr_eq(sub.parts.fb, &sub.fb);
	ck_assert_uint_eq(sub.parts.nmedia, 1);
	ck_assert_str_eq(sub.parts.media[0].id, MED_ID);
	ck_assert_str_eq(sub.parts.media[0].kind, "audio");
	ck_assert_str_eq(sub.parts.media[0].relpath, RELPATH);
	/* The static names the store and the media reader expect. */
	ck_assert_ptr_eq(sub.parts.media[0].mime,
	    hark_media_type_static("audio/webm"));
	ck_assert(sub.parts.media[0].bytes == 12345);
	ck_assert(memcmp(sub.parts.media[0].sha256, parts.media[0].sha256,
	    32) == 0);
	ck_assert_int_eq(sub.parts.media[0].duration_ms, 4200);
	ck_assert_uint_eq(sub.parts.njobs, 1);
	ck_assert_str_eq(sub.parts.jobs[0].id, JOB_ID);
	ck_assert_str_eq(sub.parts.jobs[0].kind, "transcribe");
	ck_assert_str_eq(sub.parts.session_status, "processing");
	ck_assert_uint_eq(sub.parts.identity_len, parts.identity_len);
	ck_assert(memcmp(sub.parts.identity, parts.identity,
	    parts.identity_len) == 0);
	ck_assert_int_eq(sub.parts.session_ttl, 86400);
	/* The key's answer is the submission's, for its direct-path retry. */
	ck_assert_str_eq(sub.parts.idem_key, "key-2");
	ck_assert_int_eq(sub.parts.idem_status, 202);
	ck_assert_uint_eq(sub.parts.idem_len, 2);

	/* Parts of another row are not sent. */
	hark_buf_reset(&b);
	{
		struct hark_feedback	 other = fb;

		ck_assert_int_eq(hark_cq_encode_submit(&b, &other, NULL, 0,
		    NULL, 0, &parts), -1);
	}
	hark_buf_free(&b);
}
END_TEST

/* Whether parts, as encoded with fb, decode. */
static int
parts_decode(const struct hark_feedback *fb,
    const struct hark_store_submission *parts)
{
	struct hark_cq_sub	 sub;
	struct hark_buf		 b = { 0 };
	int			 rc;

	ck_assert_int_eq(hark_cq_encode_submit(&b, fb, NULL, 0, NULL, 0,
	    parts), 0);
	rc = decode(&b, &sub);
	hark_buf_free(&b);
	return rc;
}

/* What a worker could never have made is refused, not stored. */
START_TEST(bad_parts_are_refused)
{
	static const char *const	 paths[] = {
		"../etc/passwd", "/abs/" MED_ID "-audio.webm",
		PRJ "/2026/13/" MED_ID "-audio.webm",
		PRJ "/2026/12/../" MED_ID "-audio.webm", NULL
	};
	struct hark_feedback		 fb;
	struct hark_store_submission	 parts;
	size_t				 i;

	sample(&fb);
	for (i = 0; paths[i] != NULL; i++) {
		sample_parts(&parts, &fb);
		parts.media[0].relpath = paths[i];
		ck_assert_msg(parts_decode(&fb, &parts) == -1, "%s", paths[i]);
	}
	sample_parts(&parts, &fb);
	parts.media[0].mime = "text/html";
	ck_assert_int_eq(parts_decode(&fb, &parts), -1);
	sample_parts(&parts, &fb);
	parts.jobs[0].kind = "shell";
	ck_assert_int_eq(parts_decode(&fb, &parts), -1);
	sample_parts(&parts, &fb);
	snprintf(parts.media[0].id, sizeof(parts.media[0].id), "%s", FB_ID);
	ck_assert_int_eq(parts_decode(&fb, &parts), -1);
	sample_parts(&parts, &fb);
	parts.session_status = "open";
	ck_assert_int_eq(parts_decode(&fb, &parts), -1);
	/* And the same parts as made are fine: the above failed for cause. */
	sample_parts(&parts, &fb);
	ck_assert_int_eq(parts_decode(&fb, &parts), 0);
}
END_TEST

START_TEST(an_answer_round_trips)
{
	struct hark_buf	 b = { 0 };
	char		 id[HARK_ID_SIZE], msg[64];
	unsigned int	 err;
	int		 rc;

	ck_assert_int_eq(hark_cq_encode_answer(&b, FB_ID,
	    HARK_STORE_UNAVAILABLE, 1290, "read-only"), 0);
	ck_assert_int_eq(hark_cq_frame((unsigned char *)b.data, b.len),
	    (long)b.len);
	ck_assert_int_eq(hark_cq_decode_answer((unsigned char *)b.data + 4,
	    b.len - 4, id, &rc, &err, msg, sizeof(msg)), 0);
	ck_assert_str_eq(id, FB_ID);
	ck_assert_int_eq(rc, HARK_STORE_UNAVAILABLE);
	ck_assert_uint_eq(err, 1290);
	ck_assert_str_eq(msg, "read-only");
	/* A message longer than the buffer is refused, not cut. */
	ck_assert_int_eq(hark_cq_decode_answer((unsigned char *)b.data + 4,
	    b.len - 4, id, &rc, &err, msg, 9), -1);
	/* An answer is not a submission, nor the other way round. */
	{
		struct hark_cq_sub sub;

		ck_assert_int_eq(hark_cq_decode_submit(
		    (unsigned char *)b.data + 4, b.len - 4, &sub), -1);
	}
	hark_buf_free(&b);
}
END_TEST

START_TEST(frames_are_bounded_and_wait_for_their_bytes)
{
	unsigned char	 h[8] = { 4, 0, 0, 0, 1, 2, 3, 4 };
	unsigned char	 big[4] = { 0xff, 0xff, 0xff, 0x7f };

	ck_assert_int_eq(hark_cq_frame(h, 0), 0);
	ck_assert_int_eq(hark_cq_frame(h, 3), 0);
	ck_assert_int_eq(hark_cq_frame(h, 7), 0);
	ck_assert_int_eq(hark_cq_frame(h, 8), 8);
	ck_assert_int_eq(hark_cq_frame(big, 4), -1);
}
END_TEST

/* Encodes the sample, lets mutate change it, and expects a refusal. */
static void
refused(void (*mutate)(struct hark_feedback *), const char *key,
    const char *body)
{
	struct hark_feedback	 fb;
	struct hark_cq_sub	 sub;
	struct hark_buf		 b = { 0 };

	sample(&fb);
	if (mutate != NULL)
		mutate(&fb);
	ck_assert_int_eq(hark_cq_encode_submit(&b, &fb, key, 201, body,
	    body != NULL ? strlen(body) : 0, NULL), 0);
	ck_assert_int_eq(decode(&b, &sub), -1);
	hark_buf_free(&b);
}

static void bad_id(struct hark_feedback *fb) { snprintf(fb->id, sizeof(fb->id), "xx_0123"); }
static void bad_category(struct hark_feedback *fb) { fb->category = "bugs"; }
static void bad_channel(struct hark_feedback *fb) { fb->channel = "fax"; }
static void bad_status(struct hark_feedback *fb) { fb->status = NULL; }
static void no_text(struct hark_feedback *fb) { fb->text = NULL; }
static void no_created(struct hark_feedback *fb) { fb->created_at[0] = '\0'; }
static void bad_spam(struct hark_feedback *fb) { fb->spam = 7; }

START_TEST(bad_submissions_are_refused)
{
	refused(bad_id, NULL, NULL);
	refused(bad_category, NULL, NULL);
	refused(bad_channel, NULL, NULL);
	refused(bad_status, NULL, NULL);
	refused(no_text, NULL, NULL);
	refused(no_created, NULL, NULL);
	refused(bad_spam, NULL, NULL);
	/* A key that is not one a request may carry, or without its answer. */
	refused(NULL, "bad\nkey", "{}");
	refused(NULL, "", "{}");
	refused(NULL, "key", NULL);
}
END_TEST

START_TEST(cut_grown_and_flipped_frames_are_refused)
{
	struct hark_feedback	 fb;
	struct hark_cq_sub	 sub;
	struct hark_buf		 b = { 0 };
	unsigned char		*p;
	size_t			 n, i;

	sample(&fb);
	ck_assert_int_eq(hark_cq_encode_submit(&b, &fb, NULL, 0, NULL, 0, NULL), 0);
	p = (unsigned char *)b.data + 4;
	n = b.len - 4;
	/* Every shorter payload is refused, whatever it stops in. */
	for (i = 0; i < n; i++)
		ck_assert_int_eq(hark_cq_decode_submit(p, i, &sub), -1);
	/* One trailing byte too. */
	ck_assert_int_eq(hark_cq_encode_answer(&b, FB_ID, 0, 0, NULL), 0);
	ck_assert_int_eq(hark_cq_decode_submit(p, n + 1, &sub), -1);
	/* A wrong magic, a wrong type. */
	p[0] ^= 1;
	ck_assert_int_eq(hark_cq_decode_submit(p, n, &sub), -1);
	p[0] ^= 1;
	p[4] = HARK_CQ_ANSWER;
	ck_assert_int_eq(hark_cq_decode_submit(p, n, &sub), -1);
	p[4] = HARK_CQ_SUBMIT;
	ck_assert_int_eq(hark_cq_decode_submit(p, n, &sub), 0);
	/* A string length that runs past the end. */
	p[5] = 0xfe;
	ck_assert_int_eq(hark_cq_decode_submit(p, n, &sub), -1);
	hark_buf_free(&b);
}
END_TEST

/* ---- the client against a fake writer ---- */

enum fake { FAKE_ANSWER, FAKE_CLOSE, FAKE_SILENT, FAKE_WRONG_ID, FAKE_JUNK };

static char	 sock_path[108];

/* A writer that accepts one connection and does what mode says. */
static pid_t
fake_writer(enum fake mode, int rc)
{
	struct sockaddr_un	 sun;
	struct hark_buf		 b = { 0 };
	unsigned char		 in[65536];
	size_t			 len = 0;
	ssize_t			 n;
	pid_t			 pid;
	int			 lfd, fd;

	snprintf(sock_path, sizeof(sock_path), "/tmp/hark-cq-test-%ld.sock",
	    (long)getpid());
	unlink(sock_path);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock_path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ne(lfd, -1);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_int_eq(listen(lfd, 4), 0);
	if ((pid = fork()) != 0) {
		close(lfd);
		return pid;
	}
	fd = accept(lfd, NULL, NULL);
	while (hark_cq_frame(in, len) == 0 &&
	    (n = read(fd, in + len, sizeof(in) - len)) > 0)
		len += (size_t)n;
	switch (mode) {
	case FAKE_ANSWER:
		hark_cq_encode_answer(&b, FB_ID, rc, rc != 0 ? 1290 : 0,
		    rc != 0 ? "read-only" : NULL);
		break;
	case FAKE_WRONG_ID:
		hark_cq_encode_answer(&b, "fb_zzzzzzzzzzzzzzzzzzzzzzzzzz", rc,
		    0, NULL);
		break;
	case FAKE_JUNK:
		hark_buf_append(&b, "\x03\0\0\0abc", 7);
		break;
	case FAKE_SILENT:
		pause();
		_exit(0);
	case FAKE_CLOSE:
		_exit(0);
	}
	(void)write(fd, b.data, b.len);
	sleep(1);
	_exit(0);
}

static int
submit_to(enum fake mode, int answer_rc, int timeout_ms, int *rc)
{
	struct hark_cq_client	*c;
	struct hark_feedback	 fb;
	pid_t			 pid = fake_writer(mode, answer_rc);
	int			 r;

	sample(&fb);
	c = hark_cq_client_new(sock_path, timeout_ms);
	ck_assert_ptr_nonnull(c);
	*rc = 12345;
	r = hark_cq_submit(c, &fb, NULL, 0, NULL, 0, NULL, rc);
	hark_cq_client_free(c);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	unlink(sock_path);
	return r;
}

START_TEST(the_writers_answer_is_the_rows_outcome)
{
	int	 rc;

	ck_assert_int_eq(submit_to(FAKE_ANSWER, HARK_STORE_OK, 5000, &rc), 0);
	ck_assert_int_eq(rc, HARK_STORE_OK);
	ck_assert_int_eq(submit_to(FAKE_ANSWER, HARK_STORE_UNAVAILABLE, 5000,
	    &rc), 0);
	ck_assert_int_eq(rc, HARK_STORE_UNAVAILABLE);
}
END_TEST

/* The writer's reason comes with its answer, for the worker's log line. */
START_TEST(a_refusal_carries_the_writers_reason)
{
	struct hark_cq_client	*c;
	struct hark_feedback	 fb;
	unsigned int		 err;
	pid_t			 pid = fake_writer(FAKE_ANSWER,
	    HARK_STORE_UNAVAILABLE);
	int			 rc;

	sample(&fb);
	c = hark_cq_client_new(sock_path, 5000);
	ck_assert_int_eq(hark_cq_submit(c, &fb, NULL, 0, NULL, 0, NULL, &rc), 0);
	ck_assert_int_eq(rc, HARK_STORE_UNAVAILABLE);
	ck_assert_str_eq(hark_cq_error(c, &err), "read-only");
	ck_assert_uint_eq(err, 1290);
	hark_cq_client_free(c);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	unlink(sock_path);
}
END_TEST

/* Never a success without the writer's word: each is "file it directly". */
START_TEST(no_definite_answer_is_no_answer)
{
	int	 rc;

	ck_assert_int_eq(submit_to(FAKE_CLOSE, 0, 5000, &rc), -1);
	ck_assert_int_eq(submit_to(FAKE_WRONG_ID, 0, 5000, &rc), -1);
	ck_assert_int_eq(submit_to(FAKE_JUNK, 0, 5000, &rc), -1);
	/* A writer that hangs: the wait is bounded (200 ms here). */
	ck_assert_int_eq(submit_to(FAKE_SILENT, 0, 200, &rc), -1);
}
END_TEST

START_TEST(no_writer_is_no_answer)
{
	struct hark_cq_client	*c;
	struct hark_feedback	 fb;
	int			 rc;

	sample(&fb);
	ck_assert_ptr_null(hark_cq_client_new(
	    "/tmp/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 100));
	c = hark_cq_client_new("/nonexistent/hark-commitq.sock", 100);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(hark_cq_submit(c, &fb, NULL, 0, NULL, 0, NULL, &rc), -1);
	hark_cq_client_free(c);
}
END_TEST

static Suite *
commitq_suite(void)
{
	Suite	*s = suite_create("commitq");
	TCase	*tc = tcase_create("commitq");

	tcase_add_test(tc, a_submission_round_trips);
	tcase_add_test(tc, a_multipart_submission_round_trips);
	tcase_add_test(tc, bad_parts_are_refused);
	tcase_add_test(tc, an_answer_round_trips);
	tcase_add_test(tc, frames_are_bounded_and_wait_for_their_bytes);
	tcase_add_test(tc, bad_submissions_are_refused);
	tcase_add_test(tc, cut_grown_and_flipped_frames_are_refused);
	tcase_add_test(tc, the_writers_answer_is_the_rows_outcome);
	tcase_add_test(tc, no_definite_answer_is_no_answer);
	tcase_add_test(tc, a_refusal_carries_the_writers_reason);
	tcase_add_test(tc, no_writer_is_no_answer);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(commitq_suite());
	int	 nf;

	signal(SIGPIPE, SIG_IGN);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
