/*
 * transcribe.h: transcription of a stored recording by a backend chosen by
 * name ([transcribe] backend), the generic half of the transcriber family
 * (backend.h): a registry of implementations, one file each
 * (transcribe_pocketsphinx.c, transcribe_openai.c), and the open/run/close
 * API that is all hark-batch's transcribe job sees.
 *
 * "none" is always there: it transcribes nothing (HARK_BACKEND_FAIL, "no
 * transcription backend"), so a deployment without one ends its voice
 * sessions in error with that reason instead of leaving them processing.
 */
#ifndef HARK_TRANSCRIBE_H
#define HARK_TRANSCRIBE_H

#include <stddef.h>

#include "backend.h"

struct hark_conf;
struct hark_transcriber;	/* an open backend: its ops and its state */

extern const struct hark_transcriber_ops	hark_transcriber_none;
#ifdef HAVE_POCKETSPHINX
extern const struct hark_transcriber_ops	hark_transcriber_pocketsphinx;
#endif
/* An OpenAI-compatible /v1/audio/transcriptions (transcribe_openai.c). */
extern const struct hark_transcriber_ops	hark_transcriber_openai;

const struct hark_transcriber_ops *hark_transcriber_find(const char *name);
const struct hark_transcriber_ops *hark_transcriber_at(size_t i);

/*
 * Opens the backend called name with its settings from conf.  Returns
 * HARK_BACKEND_OK and *out (close with hark_transcriber_close), or
 * HARK_BACKEND_FAIL with err filled.
 */
int	hark_transcriber_open(const char *name, const struct hark_conf *conf,
	    struct hark_transcriber **out, struct hark_backend_err *err);
/*
 * Transcribes the file at path (of libmagic type mime; language a hint,
 * "" for none) into *out, which it clears first.  An enum hark_backend_rc;
 * on success the caller frees *out with hark_transcript_free.
 */
int	hark_transcriber_run(struct hark_transcriber *, const char *path,
	    const char *mime, const char *language, struct hark_transcript *out,
	    struct hark_backend_err *err);
const char *hark_transcriber_name(const struct hark_transcriber *);
void	hark_transcriber_close(struct hark_transcriber *);
void	hark_transcript_free(struct hark_transcript *);

#endif
