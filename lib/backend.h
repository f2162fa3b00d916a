/*
 * backend.h: the interfaces behind which hark's interchangeable backends
 * live: enrichers, transcribers and notifiers.
 *
 * The pattern is Redis' event loop (ae.c with ae_epoll.c, ae_kqueue.c...):
 * one small interface, one file per implementation, and a generic module
 * that chooses an implementation and is all that callers see.  Here the
 * choice is made at run time by name, from the configuration ("[enrich]
 * backend = builtin"), because which one an operator wants (offline or a
 * service, which service) is a matter of deployment, not of the platform.
 *
 *	family		generic module		implementations
 *	enricher	lib/enrich.c		lib/enrich_builtin.c (openai: issue 16)
 *	transcriber	lib/transcribe.c	pocketsphinx, openai (issue 16)
 *	notifier	lib/notify.c		email, webhook, linear (later)
 *
 * An implementation is one const struct of operations, named
 * hark_<family>_<name> (hark_enricher_builtin), listed in its family's
 * table in the generic module; it keeps its state behind a void pointer
 * that only it looks into.  Every operation returns enum hark_backend_rc
 * and, when it fails, fills a struct hark_backend_err, so hark-batch can
 * tell a retry from a failure without knowing the backend.
 *
 * Only the enricher family has a generic module and an implementation yet;
 * the transcriber and notifier interfaces are declared here so that the
 * first of each lands in the same shape.
 */
#ifndef HARK_BACKEND_H
#define HARK_BACKEND_H

#include <stddef.h>

#include "triage.h"

struct hark_conf;

enum hark_backend_rc {
	HARK_BACKEND_OK = 0,
	/*
	 * This attempt failed, another may not: a timeout, a refused
	 * connection, a 5xx or 429, an answer that did not validate; for a
	 * service, also 401/403/404 (a key, model or path the operator can
	 * still fix, so queued jobs wait rather than fail).  The
	 * job is tried again after its back-off (or err->retry_after_s).
	 */
	HARK_BACKEND_RETRY = -1,
	/*
	 * No attempt with this backend will succeed: a file it cannot
	 * decode, any other 4xx, a setup error.  The job fails (or
	 * falls back to another backend where its kind allows that).
	 */
	HARK_BACKEND_FAIL = -2
};

/*
 * Why an operation failed, for hark's log and a job's last_error.  msg
 * never holds the text, audio or address being worked on, nor a key: it
 * says what failed ("openai: HTTP 503", "pocketsphinx: cannot open model").
 */
struct hark_backend_err {
	char		 msg[256];
	unsigned	 retry_after_s;	/* the server's Retry-After; 0 = none */
};

/* ------------------------------------------------------------ enricher */

/*
 * What an enricher says about one text.  category, sentiment,
 * sentiment_score and impact are always set on success, with the meanings
 * and ranges of struct hark_triage (triage.h).  A backend that gives more
 * (an LLM: summary, title, language, spam) sets those too.
 */
struct hark_enrichment {
	enum hark_category	 category;
	enum hark_sentiment	 sentiment;
	double			 sentiment_score;	/* -1.0 .. 1.0 */
	int			 impact;		/* 0 .. HARK_IMPACT_MAX */
	char			*summary;	/* malloc'ed or NULL; see hark_enrichment_free */
	char			*title;		/* malloc'ed or NULL */
	char			 language[16];	/* BCP 47 tag; "" = not judged */
	int			 spam;		/* 1 spam, 0 not, -1 not judged */
	/*
	 * The backend's name ("builtin"), set by hark_enricher_run, not by
	 * the backend: it is what the API shows as triagedBy.  Static.
	 */
	const char		*by;
};

struct hark_enricher_ops {
	const char	*name;		/* as in the configuration */
	/*
	 * Makes the backend's state from the configuration (*state may be
	 * left NULL by a backend that needs none).  Called once per run,
	 * before any enrich.
	 */
	int		(*init)(const struct hark_conf *conf, void **state,
			    struct hark_backend_err *err);
	/*
	 * Enriches the len bytes of UTF-8 text sent from page (NULL when
	 * unknown) into *out, which the caller has cleared.  On failure *out
	 * holds nothing to free.
	 */
	int		(*enrich)(void *state, const char *text, size_t len,
			    const char *page, struct hark_enrichment *out,
			    struct hark_backend_err *err);
	/* Frees what init made; state may be NULL. */
	void		(*free)(void *state);
};

/* ------------------------------------------------------------ transcriber */

/* What a transcriber heard.  Owned by the caller after success. */
struct hark_transcript {
	char		*text;		/* malloc'ed UTF-8, NUL-terminated */
	size_t		 len;
	char		 language[16];	/* BCP 47 tag; "" = not known */
};

struct hark_transcriber_ops {
	const char	*name;
	int		(*init)(const struct hark_conf *conf, void **state,
			    struct hark_backend_err *err);
	/*
	 * Transcribes the stored file at path (its type as libmagic gave
	 * it in mime); language is a hint ("" = let the backend judge).
	 * A long recording is streamed, never held whole in memory.
	 */
	int		(*transcribe)(void *state, const char *path,
			    const char *mime, const char *language,
			    struct hark_transcript *out,
			    struct hark_backend_err *err);
	void		(*free)(void *state);
};

/* ------------------------------------------------------------ notifier */

/* One event to tell someone about; every field is borrowed for the call. */
struct hark_notification {
	const char	*event;		/* "feedback.created", "comment.created" */
	const char	*project_id;
	const char	*feedback_id;
	const char	*target;	/* address, URL or team, per backend */
	const char	*payload;	/* JSON the event carries */
	size_t		 payload_len;
};

struct hark_notifier_ops {
	const char	*name;
	int		(*init)(const struct hark_conf *conf, void **state,
			    struct hark_backend_err *err);
	/* Delivers n to n->target. */
	int		(*notify)(void *state, const struct hark_notification *n,
			    struct hark_backend_err *err);
	void		(*free)(void *state);
};

#endif
