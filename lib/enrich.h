/*
 * enrich.h: enrichment of a feedback text by a backend chosen by name.
 *
 * The generic half of the enricher family (backend.h): a registry of the
 * implementations, one file each (enrich_builtin.c, later enrich_openai.c),
 * and an open/run/close API that is all hark-batch's enrich job sees.  The
 * synchronous ingest path calls lib/triage directly; the builtin enricher
 * runs that same code, so a re-run gives what ingest gave.
 */
#ifndef HARK_ENRICH_H
#define HARK_ENRICH_H

#include <stddef.h>

#include "backend.h"

struct hark_conf;
struct hark_enricher;		/* an open backend: its ops and its state */

/* The builtin enricher: lib/triage, the same rules as ingest. */
extern const struct hark_enricher_ops	hark_enricher_builtin;
/* An OpenAI-compatible /v1/chat/completions (enrich_openai.c). */
extern const struct hark_enricher_ops	hark_enricher_openai;

/* The implementation called name, or NULL when there is none. */
const struct hark_enricher_ops	*hark_enricher_find(const char *name);
/* The i-th implementation, NULL past the last: for listing them. */
const struct hark_enricher_ops	*hark_enricher_at(size_t i);

/*
 * Opens the backend called name with its settings from conf (which may be
 * NULL for a backend that reads none).  Returns HARK_BACKEND_OK and *out,
 * which the caller closes with hark_enricher_close; or HARK_BACKEND_FAIL
 * with err filled (an unknown name, a bad setting, no memory).
 */
int		 hark_enricher_open(const char *name, const struct hark_conf *conf,
		    struct hark_enricher **out, struct hark_backend_err *err);
/*
 * Enriches the len bytes of UTF-8 text sent from page (or NULL) into
 * *out, which it clears first; out->by names the backend.  Returns an
 * enum hark_backend_rc; on failure err says why and *out holds nothing to
 * free.  On success the caller frees *out with hark_enrichment_free.
 */
int		 hark_enricher_run(struct hark_enricher *e, const char *text,
		    size_t len, const char *page, struct hark_enrichment *out,
		    struct hark_backend_err *err);
/* The backend's name ("builtin"). */
const char	*hark_enricher_name(const struct hark_enricher *e);
/* Frees the backend's state and e; NULL is a no-op. */
void		 hark_enricher_close(struct hark_enricher *e);

/* Frees what a backend allocated in *out (summary, title); clears *out. */
void		 hark_enrichment_free(struct hark_enrichment *out);

#endif
