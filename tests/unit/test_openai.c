/*
 * test_openai.c: the openai enricher and transcriber against a local
 * server speaking both APIs (tests/integration/openai_server.py): good
 * answers, 500, 429 with Retry-After, a timeout, a refused connection,
 * junk, schema-violating JSON, a server without json_schema, a bad key,
 * and what hark sent (model, key, response_format, the file's bytes).
 */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "conf.h"
#include "enrich.h"
#include "transcribe.h"

#define KEY		"sk-test-0123456789"
#define TEXT		"The checkout button does nothing when I press it."
#define PAGE		"https://shop.example.com/cart"

static char		 dir[] = "/tmp/hark-openai-XXXXXX";
static pid_t		 server_pid = -1;
static int		 port;
static struct hark_conf	 conf;

/* ------------------------------------------------------------ the server */

static char *
path_in(const char *name)
{
	static char	 p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static void
server_start(void)
{
	FILE	*fp;
	int	 i;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	if ((server_pid = fork()) == 0) {
		execl("/usr/bin/python3", "python3", TEST_SRCDIR
		    "/tests/integration/openai_server.py", dir, KEY,
		    (char *)NULL);
		_exit(127);
	}
	/* The server writes its port once it listens. */
	for (i = 0; i < 200; i++) {
		if ((fp = fopen(path_in("port"), "r")) != NULL) {
			if (fscanf(fp, "%d", &port) != 1)
				port = 0;
			fclose(fp);
			if (port > 0)
				return;
		}
		usleep(50 * 1000);
	}
	fprintf(stderr, "openai_server.py did not start\n");
	exit(1);
}

static void
server_stop(void)
{
	if (server_pid > 0) {
		kill(server_pid, SIGTERM);
		waitpid(server_pid, NULL, 0);
	}
	unlink(path_in("port"));
	unlink(path_in("log.jsonl"));
	unlink(path_in("upload.bin"));
	unlink(path_in("audio"));
	unlink(path_in("prompt.json"));
	rmdir(dir);
}

/* The requests the server logged since the last call, oldest first. */
static struct json_object *
requests(void)
{
	struct json_object	*arr = json_object_new_array(), *o;
	char			 line[1 << 16];
	FILE			*fp;

	if ((fp = fopen(path_in("log.jsonl"), "r")) != NULL) {
		while (fgets(line, sizeof(line), fp) != NULL)
			if ((o = json_tokener_parse(line)) != NULL)
				json_object_array_add(arr, o);
		fclose(fp);
		unlink(path_in("log.jsonl"));
	}
	return arr;
}

/* How many requests the server logged since the last call. */
static size_t
nrequests(void)
{
	struct json_object	*reqs = requests();
	size_t			 n = json_object_array_length(reqs);

	json_object_put(reqs);
	return n;
}

static const char *
str_at(struct json_object *o, const char *path)
{
	struct json_object	*v = o;
	char			 buf[128], *k, *save;

	snprintf(buf, sizeof(buf), "%s", path);
	for (k = strtok_r(buf, ".", &save); k != NULL && v != NULL;
	    k = strtok_r(NULL, ".", &save)) {
		if (json_object_is_type(v, json_type_array))
			v = json_object_array_get_idx(v, atoi(k));
		else if (!json_object_object_get_ex(v, k, &v))
			v = NULL;
	}
	return v != NULL ? json_object_get_string(v) : NULL;
}

/* ------------------------------------------------------------ config */

static void
set(char **field, const char *value)
{
	free(*field);
	*field = strdup(value);
	ck_assert_ptr_nonnull(*field);
}

static void
setup(void)
{
	char	 url[64];

	ck_assert_int_eq(hark_conf_defaults(&conf), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
	set(&conf.enrich_openai_url, url);
	set(&conf.enrich_openai_key, KEY);
	set(&conf.enrich_prompt_file, TEST_SRCDIR "/conf/enrich-openai.json");
	conf.enrich_openai_timeout = 2;	/* "slow" sleeps 3 s; the rest must fit under load */
	set(&conf.transcribe_openai_url, url);
	set(&conf.transcribe_openai_key, KEY);
	conf.transcribe_openai_timeout = 2;
	json_object_put(requests());
}

static void
teardown(void)
{
	hark_conf_free(&conf);
}

/* ------------------------------------------------------------ enricher */

/* Opens the openai enricher for model and enriches TEXT from PAGE. */
static int
enrich_with(const char *model, struct hark_enrichment *out,
    struct hark_backend_err *err)
{
	struct hark_enricher	*e;
	int			 rc;

	set(&conf.enrich_openai_model, model);
	ck_assert_int_eq(hark_enricher_open("openai", &conf, &e, err),
	    HARK_BACKEND_OK);
	rc = hark_enricher_run(e, TEXT, strlen(TEXT), PAGE, out, err);
	hark_enricher_close(e);
	return rc;
}

START_TEST(enrich_good_answer_fills_every_field)
{
	struct hark_enrichment	 out;
	struct hark_backend_err	 err;

	ck_assert_int_eq(enrich_with("ok", &out, &err), HARK_BACKEND_OK);
	ck_assert_int_eq(out.category, HARK_CAT_BUG);
	ck_assert_int_eq(out.sentiment, HARK_SENT_NEGATIVE);
	ck_assert(out.sentiment_score < -0.3);
	ck_assert_int_eq(out.impact, 9);
	ck_assert_str_eq(out.summary,
	    "The checkout button does nothing when pressed.");
	ck_assert_str_eq(out.title, "Checkout button does nothing");
	ck_assert_str_eq(out.language, "en");
	ck_assert_int_eq(out.spam, 0);
	ck_assert_str_eq(out.by, "openai");
	hark_enrichment_free(&out);
}
END_TEST

START_TEST(enrich_request_is_the_apis)
{
	struct hark_enrichment	 out;
	struct hark_backend_err	 err;
	struct json_object	*reqs, *r, *sys;
	const char		*user;

	ck_assert_int_eq(enrich_with("ok", &out, &err), HARK_BACKEND_OK);
	hark_enrichment_free(&out);
	reqs = requests();
	ck_assert_uint_eq(json_object_array_length(reqs), 1);
	r = json_object_array_get_idx(reqs, 0);
	ck_assert_str_eq(str_at(r, "path"), "/v1/chat/completions");
	ck_assert_str_eq(str_at(r, "authorization"), "Bearer " KEY);
	ck_assert_str_eq(str_at(r, "content_type"), "application/json");
	ck_assert_str_eq(str_at(r, "json.model"), "ok");
	ck_assert_str_eq(str_at(r, "json.response_format.type"),
	    "json_schema");
	ck_assert_str_eq(str_at(r, "json.response_format.json_schema.name"),
	    "hark_enrichment");
	ck_assert_str_eq(str_at(r, "json.response_format.json_schema.strict"),
	    "true");
	ck_assert_str_eq(str_at(r, "json.response_format.json_schema.schema."
	    "properties.impactScore.maximum"), "14");
	ck_assert_str_eq(str_at(r, "json.messages.0.role"), "system");
	sys = json_object_array_get_idx(json_object_object_get(
	    json_object_object_get(r, "json"), "messages"), 0);
	ck_assert_ptr_nonnull(strstr(str_at(sys, "content"),
	    "You triage user feedback"));
	ck_assert_str_eq(str_at(r, "json.messages.1.role"), "user");
	user = str_at(r, "json.messages.1.content");
	ck_assert_str_eq(user, "Page: " PAGE "\n\nFeedback:\n" TEXT);
	json_object_put(reqs);
}
END_TEST

/* Answers the server gives that hark must retry, and what err says. */
static void
enrich_retries(const char *model, const char *says)
{
	struct hark_enrichment	 out;
	struct hark_backend_err	 err;

	ck_assert_int_eq(enrich_with(model, &out, &err), HARK_BACKEND_RETRY);
	ck_assert_msg(strstr(err.msg, says) != NULL, "%s: \"%s\" lacks \"%s\"",
	    model, err.msg, says);
	ck_assert_msg(strncmp(err.msg, "openai enrichment: ", 19) == 0, "%s",
	    err.msg);
	ck_assert_ptr_null(out.summary);
	ck_assert_ptr_null(out.title);
	ck_assert_ptr_null(strstr(err.msg, KEY));
	ck_assert_ptr_null(strstr(err.msg, TEXT));
}

START_TEST(enrich_server_error_is_a_retry)
{
	enrich_retries("e500", "HTTP 500 (server_error)");
}
END_TEST

START_TEST(enrich_timeout_is_a_retry)
{
	enrich_retries("slow", "no answer within 2 s");
}
END_TEST

START_TEST(enrich_junk_is_a_retry)
{
	enrich_retries("junk", "the answer is not JSON");
}
END_TEST

START_TEST(enrich_prose_is_a_retry)
{
	enrich_retries("prose", "the content is not a JSON object");
}
END_TEST

START_TEST(enrich_cut_answer_is_a_retry)
{
	enrich_retries("cut", "cut at the token limit");
}
END_TEST

START_TEST(enrich_unknown_category_is_a_retry)
{
	enrich_retries("badcat", "category");
}
END_TEST

START_TEST(enrich_impact_out_of_range_is_a_retry)
{
	enrich_retries("badimpact", "impactScore");
}
END_TEST

START_TEST(enrich_bad_language_is_a_retry)
{
	enrich_retries("badlang", "language");
	/* Well-formed BCP 47 by the grammar, but a name, not a tag. */
	enrich_retries("langname", "must be a BCP 47 tag such as en");
}
END_TEST

START_TEST(enrich_missing_fields_is_a_retry)
{
	enrich_retries("missing", "title");
}
END_TEST

START_TEST(enrich_extra_field_is_a_retry)
{
	enrich_retries("extra", "mood");
}
END_TEST

START_TEST(enrich_429_is_a_retry_after_its_seconds)
{
	struct hark_enrichment	 out;
	struct hark_backend_err	 err;

	ck_assert_int_eq(enrich_with("r429", &out, &err), HARK_BACKEND_RETRY);
	ck_assert_uint_eq(err.retry_after_s, 7);
	ck_assert_ptr_nonnull(strstr(err.msg, "HTTP 429 (rate_limit_exceeded)"));
}
END_TEST

START_TEST(enrich_500_has_no_retry_after)
{
	struct hark_enrichment	 out;
	struct hark_backend_err	 err;

	ck_assert_int_eq(enrich_with("e500", &out, &err), HARK_BACKEND_RETRY);
	ck_assert_uint_eq(err.retry_after_s, 0);
}
END_TEST

START_TEST(enrich_bad_key_is_a_retry_that_never_shows_it)
{
	struct hark_enrichment	 out;
	struct hark_backend_err	 err;
	struct json_object	*reqs;

	set(&conf.enrich_openai_key, "sk-wrong-key-42");
	ck_assert_int_eq(enrich_with("ok", &out, &err), HARK_BACKEND_RETRY);
	ck_assert_ptr_nonnull(strstr(err.msg, "HTTP 401 (invalid_api_key)"));
	ck_assert_ptr_null(strstr(err.msg, "wrong"));
	ck_assert_ptr_null(strstr(err.msg, "sk-"));
	reqs = requests();
	ck_assert_str_eq(str_at(reqs, "0.authorization"),
	    "Bearer sk-wrong-key-42");
	json_object_put(reqs);
}
END_TEST

START_TEST(enrich_no_key_sends_no_authorization)
{
	struct hark_enrichment	 out;
	struct hark_backend_err	 err;
	struct json_object	*reqs;

	set(&conf.enrich_openai_key, "");
	ck_assert_int_eq(enrich_with("ok", &out, &err), HARK_BACKEND_RETRY);
	reqs = requests();
	ck_assert_ptr_null(str_at(reqs, "0.authorization"));
	json_object_put(reqs);
}
END_TEST

START_TEST(enrich_other_4xx_is_a_failure)
{
	struct hark_enrichment	 out;
	struct hark_backend_err	 err;

	ck_assert_int_eq(enrich_with("e400", &out, &err), HARK_BACKEND_FAIL);
	ck_assert_ptr_nonnull(strstr(err.msg,
	    "HTTP 400 (context_length_exceeded)"));
	ck_assert_uint_eq(nrequests(), 1);
}
END_TEST

START_TEST(enrich_falls_back_to_json_object_once_per_run)
{
	struct hark_enricher	*e;
	struct hark_enrichment	 out;
	struct hark_backend_err	 err;
	struct json_object	*reqs;

	set(&conf.enrich_openai_model, "noschema");
	ck_assert_int_eq(hark_enricher_open("openai", &conf, &e, &err),
	    HARK_BACKEND_OK);
	ck_assert_int_eq(hark_enricher_run(e, TEXT, strlen(TEXT), NULL, &out,
	    &err), HARK_BACKEND_OK);
	ck_assert_int_eq(out.category, HARK_CAT_BUG);
	ck_assert_int_eq(out.impact, 9);
	hark_enrichment_free(&out);
	reqs = requests();
	ck_assert_uint_eq(json_object_array_length(reqs), 2);
	ck_assert_str_eq(str_at(reqs, "0.json.response_format.type"),
	    "json_schema");
	ck_assert_str_eq(str_at(reqs, "1.json.response_format.type"),
	    "json_object");
	ck_assert_ptr_null(str_at(reqs, "1.json.response_format.json_schema"));
	/* json_object has no schema: the system prompt carries it. */
	ck_assert_ptr_nonnull(strstr(str_at(reqs, "1.json.messages.0.content"),
	    "\"additionalProperties\":false"));
	/* No page: the user message is the text alone. */
	ck_assert_str_eq(str_at(reqs, "1.json.messages.1.content"), TEXT);
	json_object_put(reqs);

	ck_assert_int_eq(hark_enricher_run(e, TEXT, strlen(TEXT), NULL, &out,
	    &err), HARK_BACKEND_OK);
	hark_enrichment_free(&out);
	reqs = requests();
	ck_assert_uint_eq(json_object_array_length(reqs), 1);
	ck_assert_str_eq(str_at(reqs, "0.json.response_format.type"),
	    "json_object");
	json_object_put(reqs);
	hark_enricher_close(e);
}
END_TEST

START_TEST(enrich_refused_connection_is_a_retry)
{
	set(&conf.enrich_openai_url, "http://127.0.0.1:1");
	enrich_retries("ok", "cannot reach the server");
}
END_TEST

static void
write_file(const char *path, const void *data, size_t len)
{
	int	 fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void
write_str(const char *path, const char *s)
{
	write_file(path, s, strlen(s));
}

static void
open_fails(const char *says)
{
	struct hark_enricher	*e;
	struct hark_backend_err	 err;

	ck_assert_int_eq(hark_enricher_open("openai", &conf, &e, &err),
	    HARK_BACKEND_FAIL);
	ck_assert_ptr_null(e);
	ck_assert_msg(strstr(err.msg, says) != NULL, "\"%s\" lacks \"%s\"",
	    err.msg, says);
}

START_TEST(enrich_prompt_file_is_checked_at_open)
{
	set(&conf.enrich_prompt_file, path_in("none.json"));
	open_fails("cannot read the prompt file");
	set(&conf.enrich_prompt_file, path_in("prompt.json"));
	write_str(path_in("prompt.json"), "{\"system\": \"x\"}");
	open_fails("schema");
	write_str(path_in("prompt.json"), "{\"system\": \"x\", \"schema\": {}, "
	    "\"temperature\": 0}");
	open_fails("temperature");
	write_str(path_in("prompt.json"), "{\"system\": \"x\"");
	open_fails("prompt file");
	set(&conf.enrich_prompt_file, dir);
	open_fails("not a regular file");
}
END_TEST

START_TEST(enrich_bad_settings_fail_at_open)
{
	set(&conf.enrich_openai_path, "v1/chat");
	open_fails("the path must start with '/'");
	set(&conf.enrich_openai_path, "/v1/chat/completions");
	set(&conf.enrich_openai_key, "sk-1\nX-Evil: 1");
	open_fails("line break");
	ck_assert_int_eq(hark_enricher_open("openai", NULL,
	    &(struct hark_enricher *){ NULL }, &(struct hark_backend_err){ "",
	    0 }), HARK_BACKEND_FAIL);
}
END_TEST

/* ------------------------------------------------------------ transcriber */

/* Bytes no text filter would pass unchanged: NULs, CRLF, high bytes. */
static void
make_audio(unsigned char *buf, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)((i * 7919u) >> 3);
	memcpy(buf, "\x1a\x45\xdf\xa3\r\n\r\n--\0", 11);
}

static int
transcribe_with(const char *model, const char *language,
    struct hark_transcript *out, struct hark_backend_err *err)
{
	static unsigned char	 audio[300 * 1024];
	struct hark_transcriber	*t;
	int			 rc;

	make_audio(audio, sizeof(audio));
	write_file(path_in("audio"), audio, sizeof(audio));
	set(&conf.transcribe_openai_model, model);
	ck_assert_int_eq(hark_transcriber_open("openai", &conf, &t, err),
	    HARK_BACKEND_OK);
	rc = hark_transcriber_run(t, path_in("audio"), "audio/webm", language,
	    out, err);
	hark_transcriber_close(t);
	return rc;
}

START_TEST(transcribe_good_answer_and_the_request)
{
	static unsigned char	 want[300 * 1024];
	struct hark_transcript	 out;
	struct hark_backend_err	 err;
	struct json_object	*reqs;
	struct stat		 st;
	unsigned char		*got;
	FILE			*fp;

	set(&conf.transcribe_openai_model, "whisper-1");
	ck_assert_int_eq(transcribe_with("whisper-1", "en-US", &out, &err),
	    HARK_BACKEND_OK);
	ck_assert_str_eq(out.text, "the quick brown fox");
	ck_assert_uint_eq(out.len, 19);
	/* No language in the answer: the hint's. */
	ck_assert_str_eq(out.language, "en-US");
	hark_transcript_free(&out);

	reqs = requests();
	ck_assert_uint_eq(json_object_array_length(reqs), 1);
	ck_assert_str_eq(str_at(reqs, "0.path"), "/v1/audio/transcriptions");
	ck_assert_str_eq(str_at(reqs, "0.authorization"), "Bearer " KEY);
	ck_assert_ptr_nonnull(strstr(str_at(reqs, "0.content_type"),
	    "multipart/form-data; boundary="));
	ck_assert_str_eq(str_at(reqs, "0.fields.model"), "whisper-1");
	ck_assert_str_eq(str_at(reqs, "0.fields.response_format"), "json");
	ck_assert_str_eq(str_at(reqs, "0.fields.language"), "en");
	ck_assert_str_eq(str_at(reqs, "0.filename"), "audio.webm");
	ck_assert_str_eq(str_at(reqs, "0.file_type"), "audio/webm");
	ck_assert_str_eq(str_at(reqs, "0.file_len"), "307200");
	json_object_put(reqs);

	make_audio(want, sizeof(want));
	ck_assert_int_eq(stat(path_in("upload.bin"), &st), 0);
	ck_assert_int_eq(st.st_size, (off_t)sizeof(want));
	ck_assert_ptr_nonnull(got = malloc(sizeof(want)));
	ck_assert_ptr_nonnull(fp = fopen(path_in("upload.bin"), "rb"));
	ck_assert_uint_eq(fread(got, 1, sizeof(want), fp), sizeof(want));
	fclose(fp);
	ck_assert(memcmp(got, want, sizeof(want)) == 0);
	free(got);
}
END_TEST

START_TEST(transcribe_language_is_the_answers_when_a_tag)
{
	struct hark_transcript	 out;
	struct hark_backend_err	 err;
	struct json_object	*reqs;

	ck_assert_int_eq(transcribe_with("lang", "", &out, &err),
	    HARK_BACKEND_OK);
	ck_assert_str_eq(out.language, "de");
	hark_transcript_free(&out);
	/* No hint: no language field. */
	reqs = requests();
	ck_assert_ptr_null(str_at(reqs, "0.fields.language"));
	json_object_put(reqs);

	ck_assert_int_eq(transcribe_with("english", "", &out, &err),
	    HARK_BACKEND_OK);
	ck_assert_str_eq(out.language, "");
	hark_transcript_free(&out);
	ck_assert_int_eq(transcribe_with("english", "fr", &out, &err),
	    HARK_BACKEND_OK);
	ck_assert_str_eq(out.language, "fr");
	hark_transcript_free(&out);
}
END_TEST

static void
transcribe_gives(const char *model, int rc, const char *says)
{
	struct hark_transcript	 out;
	struct hark_backend_err	 err;

	ck_assert_int_eq(transcribe_with(model, "en", &out, &err), rc);
	ck_assert_msg(strstr(err.msg, says) != NULL, "%s: \"%s\" lacks \"%s\"",
	    model, err.msg, says);
	ck_assert_ptr_null(out.text);
	ck_assert_ptr_null(strstr(err.msg, KEY));
}

START_TEST(transcribe_failures_map_to_retry_or_fail)
{
	transcribe_gives("e500", HARK_BACKEND_RETRY, "HTTP 500 (server_error)");
	transcribe_gives("slow", HARK_BACKEND_RETRY, "no answer within 2 s");
	transcribe_gives("junk", HARK_BACKEND_RETRY, "the answer is not JSON");
	transcribe_gives("notext", HARK_BACKEND_RETRY, "no \"text\" string");
	transcribe_gives("e400", HARK_BACKEND_FAIL, "HTTP 400");
}
END_TEST

START_TEST(transcribe_429_is_a_retry_after_its_seconds)
{
	struct hark_transcript	 out;
	struct hark_backend_err	 err;

	ck_assert_int_eq(transcribe_with("r429", "", &out, &err),
	    HARK_BACKEND_RETRY);
	ck_assert_uint_eq(err.retry_after_s, 7);
}
END_TEST

/* Retry-After may be a date: 30 s on, give or take the clock's second. */
START_TEST(transcribe_503_retry_after_as_a_date)
{
	struct hark_transcript	 out;
	struct hark_backend_err	 err;

	ck_assert_int_eq(transcribe_with("e503date", "", &out, &err),
	    HARK_BACKEND_RETRY);
	ck_assert_ptr_nonnull(strstr(err.msg, "HTTP 503 (server_error)"));
	ck_assert_uint_ge(err.retry_after_s, 28);
	ck_assert_uint_le(err.retry_after_s, 31);
}
END_TEST

START_TEST(transcribe_bad_key_and_wrong_path_are_retries)
{
	set(&conf.transcribe_openai_key, "sk-nope");
	transcribe_gives("whisper-1", HARK_BACKEND_RETRY,
	    "HTTP 401 (invalid_api_key)");
	set(&conf.transcribe_openai_key, KEY);
	set(&conf.transcribe_openai_path, "/inference");
	transcribe_gives("whisper-1", HARK_BACKEND_RETRY, "HTTP 404");
}
END_TEST

START_TEST(transcribe_refused_connection_is_a_retry)
{
	set(&conf.transcribe_openai_url, "http://127.0.0.1:1");
	transcribe_gives("whisper-1", HARK_BACKEND_RETRY,
	    "cannot reach the server");
}
END_TEST

START_TEST(transcribe_unreadable_file_is_a_failure)
{
	struct hark_transcriber	*t;
	struct hark_transcript	 out;
	struct hark_backend_err	 err;

	ck_assert_int_eq(hark_transcriber_open("openai", &conf, &t, &err),
	    HARK_BACKEND_OK);
	ck_assert_int_eq(hark_transcriber_run(t, path_in("missing"),
	    "audio/webm", "", &out, &err), HARK_BACKEND_FAIL);
	ck_assert_ptr_nonnull(strstr(err.msg, "cannot read the recording"));
	ck_assert_uint_eq(nrequests(), 0);
	hark_transcriber_close(t);
}
END_TEST

static Suite *
openai_suite(void)
{
	Suite	*s = suite_create("openai");
	TCase	*tc;

	tc = tcase_create("enricher");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, enrich_good_answer_fills_every_field);
	tcase_add_test(tc, enrich_request_is_the_apis);
	tcase_add_test(tc, enrich_server_error_is_a_retry);
	tcase_add_test(tc, enrich_timeout_is_a_retry);
	tcase_add_test(tc, enrich_junk_is_a_retry);
	tcase_add_test(tc, enrich_prose_is_a_retry);
	tcase_add_test(tc, enrich_cut_answer_is_a_retry);
	tcase_add_test(tc, enrich_unknown_category_is_a_retry);
	tcase_add_test(tc, enrich_impact_out_of_range_is_a_retry);
	tcase_add_test(tc, enrich_bad_language_is_a_retry);
	tcase_add_test(tc, enrich_missing_fields_is_a_retry);
	tcase_add_test(tc, enrich_extra_field_is_a_retry);
	tcase_add_test(tc, enrich_429_is_a_retry_after_its_seconds);
	tcase_add_test(tc, enrich_500_has_no_retry_after);
	tcase_add_test(tc, enrich_bad_key_is_a_retry_that_never_shows_it);
	tcase_add_test(tc, enrich_no_key_sends_no_authorization);
	tcase_add_test(tc, enrich_other_4xx_is_a_failure);
	tcase_add_test(tc, enrich_falls_back_to_json_object_once_per_run);
	tcase_add_test(tc, enrich_refused_connection_is_a_retry);
	tcase_add_test(tc, enrich_prompt_file_is_checked_at_open);
	tcase_add_test(tc, enrich_bad_settings_fail_at_open);
	suite_add_tcase(s, tc);

	tc = tcase_create("transcriber");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, transcribe_good_answer_and_the_request);
	tcase_add_test(tc, transcribe_language_is_the_answers_when_a_tag);
	tcase_add_test(tc, transcribe_failures_map_to_retry_or_fail);
	tcase_add_test(tc, transcribe_429_is_a_retry_after_its_seconds);
	tcase_add_test(tc, transcribe_503_retry_after_as_a_date);
	tcase_add_test(tc, transcribe_bad_key_and_wrong_path_are_retries);
	tcase_add_test(tc, transcribe_refused_connection_is_a_retry);
	tcase_add_test(tc, transcribe_unreadable_file_is_a_failure);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 nf;

	server_start();
	sr = srunner_create(openai_suite());
	/* One test at a time against the one server and its one log. */
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	server_stop();
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
