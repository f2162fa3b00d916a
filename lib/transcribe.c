/*
 * transcribe.c: the transcriber registry and the calls around a backend
 * (see transcribe.h; the same shape as enrich.c).  Adding a backend is a
 * transcribe_<name>.c with its const struct hark_transcriber_ops, a line
 * in transcribers[] below and one in Makefile.am.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transcribe.h"

struct hark_transcriber {
	const struct hark_transcriber_ops	*ops;
	void					*state;
};

static int
none_transcribe(void *state, const char *path, const char *mime,
    const char *language, struct hark_transcript *out,
    struct hark_backend_err *err)
{
	(void)state;
	(void)path;
	(void)mime;
	(void)language;
	(void)out;
	snprintf(err->msg, sizeof(err->msg), "no transcription backend "
	    "([transcribe] backend = none)");
	return HARK_BACKEND_FAIL;
}

const struct hark_transcriber_ops hark_transcriber_none = {
	"none", NULL, none_transcribe, NULL
};

static const struct hark_transcriber_ops *const transcribers[] = {
	&hark_transcriber_none,
#ifdef HAVE_POCKETSPHINX
	&hark_transcriber_pocketsphinx,
#endif
	&hark_transcriber_openai,
};
#define NTRANSCRIBERS	(sizeof(transcribers) / sizeof(transcribers[0]))

static void	err_set(struct hark_backend_err *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
err_set(struct hark_backend_err *err, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	err->retry_after_s = 0;
}

const struct hark_transcriber_ops *
hark_transcriber_find(const char *name)
{
	size_t	 i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < NTRANSCRIBERS; i++)
		if (strcmp(transcribers[i]->name, name) == 0)
			return transcribers[i];
	return NULL;
}

const struct hark_transcriber_ops *
hark_transcriber_at(size_t i)
{
	return i < NTRANSCRIBERS ? transcribers[i] : NULL;
}

int
hark_transcriber_open(const char *name, const struct hark_conf *conf,
    struct hark_transcriber **out, struct hark_backend_err *err)
{
	const struct hark_transcriber_ops	*ops;
	struct hark_transcriber			*t;
	int					 rc;

	*out = NULL;
	if (err != NULL)
		memset(err, 0, sizeof(*err));
	if ((ops = hark_transcriber_find(name)) == NULL) {
		err_set(err, "no transcriber called \"%.64s\" (this build has: "
		    "see hark-batch --version)", name ? name : "");
		return HARK_BACKEND_FAIL;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		err_set(err, "%s: out of memory", ops->name);
		return HARK_BACKEND_FAIL;
	}
	t->ops = ops;
	if (ops->init != NULL &&
	    (rc = ops->init(conf, &t->state, err)) != HARK_BACKEND_OK) {
		if (err != NULL && err->msg[0] == '\0')
			err_set(err, "%s: cannot start", ops->name);
		free(t);
		return rc;
	}
	*out = t;
	return HARK_BACKEND_OK;
}

int
hark_transcriber_run(struct hark_transcriber *t, const char *path,
    const char *mime, const char *language, struct hark_transcript *out,
    struct hark_backend_err *err)
{
	struct hark_backend_err	 local;
	int			 rc;

	if (err == NULL)
		err = &local;
	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	rc = t->ops->transcribe(t->state, path, mime,
	    language != NULL ? language : "", out, err);
	if (rc != HARK_BACKEND_OK) {
		hark_transcript_free(out);
		if (err->msg[0] == '\0')
			err_set(err, "%s: transcription failed", t->ops->name);
		return rc;
	}
	if (out->text == NULL && (out->text = strdup("")) == NULL) {
		err_set(err, "%s: out of memory", t->ops->name);
		return HARK_BACKEND_RETRY;
	}
	return HARK_BACKEND_OK;
}

const char *
hark_transcriber_name(const struct hark_transcriber *t)
{
	return t->ops->name;
}

void
hark_transcriber_close(struct hark_transcriber *t)
{
	if (t == NULL)
		return;
	if (t->ops->free != NULL)
		t->ops->free(t->state);
	free(t);
}

void
hark_transcript_free(struct hark_transcript *out)
{
	free(out->text);
	memset(out, 0, sizeof(*out));
}
