/*
 * enrich_builtin.c: the builtin enricher, lib/triage behind the enricher
 * interface (backend.h).
 *
 * It is the same call the synchronous ingest path makes, so re-enriching a
 * row with it gives the row what ingest gave it, and it is what the openai
 * enricher falls back to.  Offline and stateless: the learned model
 * (triage_model.c, loaded by hark-batch at start-up) gives category,
 * sentiment, language and spam; it writes no summary.
 */
#include "config.h"

#include <stdio.h>

#include "enrich.h"

static int
builtin_enrich(void *state, const char *text, size_t len, const char *page,
    struct hark_enrichment *out, struct hark_backend_err *err)
{
	struct hark_triage	 t;

	(void)state;
	(void)err;
	hark_triage_text(text, len, page, &t);
	out->category = t.category;
	out->sentiment = t.sentiment;
	out->sentiment_score = t.sentiment_score;
	out->impact = t.impact;
	/* Judged by the learned model when one is loaded, else left out. */
	snprintf(out->language, sizeof(out->language), "%s", t.language);
	out->spam = t.spam;
	return HARK_BACKEND_OK;
}

const struct hark_enricher_ops hark_enricher_builtin = {
	.name = "builtin",
	.init = NULL,		/* no state, no settings */
	.enrich = builtin_enrich,
	.free = NULL,
};
