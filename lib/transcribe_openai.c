/*
 * transcribe_openai.c: the "openai" transcriber, a multipart POST of the
 * stored recording to an OpenAI-compatible /v1/audio/transcriptions.
 *
 * OpenAI's own API, whisper.cpp's server (run with --inference-path
 * /v1/audio/transcriptions), faster-whisper servers (speaches,
 * faster-whisper-server) and LocalAI all take the same form: file, model,
 * language and response_format=json, answering {"text": "..."} (some add
 * "language").  The file is streamed from disk by curl as it is sent
 * (lib/webclient), so a recording is never held whole in memory.
 *
 * Outcomes (the HTTP statuses as lib/openai.h maps them):
 *	{"text": string, "language"?: string}		OK
 *	a 2xx whose body is not that JSON		RETRY: a proxy's error
 *		page or a server half up; a wrong path gives 404 instead
 *	a file that cannot be read			FAIL
 * The language is the answer's when it is a BCP 47 tag of a 2 or 3 letter
 * language ("en", "pt-BR"), else the caller's hint, else "" (whisper's
 * verbose answers name languages, "english": not a tag hark stores).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "conf.h"
#include "json.h"
#include "openai.h"
#include "transcribe.h"

/* A transcript of a 10 MB recording is a few hundred kilobytes at most. */
#define ANSWER_MAX	(4 * 1024 * 1024)

struct state {
	struct hark_openai	 c;
	char			*model;
};

/* Names the backend in messages before its client exists. */
static const struct hark_openai who = { .who = "openai transcription" };

static int
openai_init(const struct hark_conf *conf, void **out,
    struct hark_backend_err *err)
{
	struct state	*st;
	int		 rc;

	if (conf == NULL) {
		hark_openai_err(&who, err, "no configuration");
		return HARK_BACKEND_FAIL;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->model = strdup(conf->transcribe_openai_model)) == NULL) {
		free(st);
		hark_openai_err(&who, err, "out of memory");
		return HARK_BACKEND_FAIL;
	}
	if ((rc = hark_openai_init(&st->c, "openai transcription",
	    conf->transcribe_openai_url, conf->transcribe_openai_path,
	    conf->transcribe_openai_key, conf->transcribe_openai_timeout,
	    err)) != HARK_BACKEND_OK) {
		free(st->model);
		free(st);
		return rc;
	}
	*out = st;
	return HARK_BACKEND_OK;
}

/*
 * The name the file is sent under: OpenAI tells the format by the
 * extension (flac, m4a, mp3, mp4, mpeg, mpga, oga, ogg, wav, webm), and
 * hark's stored files have none.
 */
static const char *
file_name(const char *mime)
{
	static const struct {
		const char	*mime, *name;
	} names[] = {
		{ "audio/webm", "audio.webm" }, { "video/webm", "audio.webm" },
		{ "audio/ogg", "audio.ogg" }, { "application/ogg", "audio.ogg" },
		{ "audio/mp4", "audio.m4a" }, { "video/mp4", "audio.mp4" },
		{ "audio/x-m4a", "audio.m4a" }, { "audio/mpeg", "audio.mp3" },
		{ "audio/wav", "audio.wav" }, { "audio/x-wav", "audio.wav" },
		{ "audio/vnd.wave", "audio.wav" }, { "audio/flac", "audio.flac" },
		{ "audio/x-flac", "audio.flac" },
	};
	size_t	 i;

	for (i = 0; mime != NULL && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(mime, names[i].mime) == 0)
			return names[i].name;
	return "audio.webm";	/* what browsers record */
}

/* Whether s is a tag hark keeps: BCP 47, a 2-3 letter language first. */
static int
usable_tag(const char *s, size_t len)
{
	size_t	 n = strcspn(s, "-");

	return len > 0 && len < sizeof(((struct hark_transcript *)0)->language)
	    && (n == 2 || n == 3) && hark_json_is_bcp47(s, len);
}

static int
openai_transcribe(void *arg, const char *path, const char *mime,
    const char *language, struct hark_transcript *out,
    struct hark_backend_err *err)
{
	struct state		*st = arg;
	struct hark_web_part	 parts[4];
	struct hark_web_req	 r;
	struct hark_buf		 body = { NULL, 0, 0 };
	struct hark_json_err	 jerr;
	struct json_object	*top = NULL, *v;
	const char		*lang;
	char			 hint[16];
	size_t			 n = 0, len, tlen;
	long			 status;
	int			 rc;

	if (access(path, R_OK) == -1) {
		hark_openai_err(&st->c, err, "cannot read the recording: %s",
		    strerror(errno));
		return HARK_BACKEND_FAIL;
	}
	memset(parts, 0, sizeof(parts));
	parts[n].name = "file";
	parts[n].file = path;
	parts[n].filename = file_name(mime);
	parts[n++].type = mime != NULL && mime[0] != '\0' ? mime : NULL;
	parts[n].name = "model";
	parts[n++].value = st->model;
	parts[n].name = "response_format";
	parts[n++].value = "json";
	/* The API takes ISO 639-1 ("en"): the tag's language subtag. */
	if (language[0] != '\0') {
		snprintf(hint, sizeof(hint), "%.*s", (int)strcspn(language,
		    "-_"), language);
		parts[n].name = "language";
		parts[n++].value = hint;
	}
	memset(&r, 0, sizeof(r));
	r.parts = parts;
	r.nparts = n;
	if ((rc = hark_openai_post(&st->c, &r, ANSWER_MAX, &status, &body,
	    err)) != HARK_BACKEND_OK)
		goto out;
	rc = HARK_BACKEND_RETRY;
	if (body.len == 0 || hark_json_parse(body.data, body.len, &top,
	    &jerr) == -1) {
		hark_openai_err(&st->c, err, "HTTP %ld: the answer is not "
		    "JSON (%s)", status, body.len == 0 ? "empty" : jerr.code);
		goto out;
	}
	if (!json_object_object_get_ex(top, "text", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		hark_openai_err(&st->c, err, "HTTP %ld: the answer has no "
		    "\"text\" string", status);
		goto out;
	}
	tlen = (size_t)json_object_get_string_len(v);
	if (memchr(json_object_get_string(v), '\0', tlen) != NULL) {
		hark_openai_err(&st->c, err, "the transcript holds a NUL byte");
		goto out;
	}
	/* whisper's text starts with a space; the API's may end in one. */
	{
		const char	*t = json_object_get_string(v);

		while (tlen > 0 && (*t == ' ' || *t == '\n' || *t == '\t')) {
			t++;
			tlen--;
		}
		while (tlen > 0 && (t[tlen - 1] == ' ' ||
		    t[tlen - 1] == '\n' || t[tlen - 1] == '\t'))
			tlen--;
		if ((out->text = strndup(t, tlen)) == NULL) {
			hark_openai_err(&st->c, err, "out of memory");
			goto out;
		}
		out->len = tlen;
	}
	lang = hark_json_str(top, "language", &len);
	if (lang != NULL && usable_tag(lang, len))
		memcpy(out->language, lang, len + 1);
	else if (usable_tag(language, strlen(language)))
		snprintf(out->language, sizeof(out->language), "%s", language);
	rc = HARK_BACKEND_OK;
out:
	if (top != NULL)
		json_object_put(top);
	hark_buf_free(&body);
	return rc;
}

static void
openai_free(void *arg)
{
	struct state	*st = arg;

	if (st == NULL)
		return;
	hark_openai_free(&st->c);
	free(st->model);
	free(st);
}

const struct hark_transcriber_ops hark_transcriber_openai = {
	.name = "openai",
	.init = openai_init,
	.transcribe = openai_transcribe,
	.free = openai_free,
};
