/*
 * vocab.h: the names hark's API, store and messages share, one table each:
 * statuses, categories, sentiments and channels.  The order of categories
 * and sentiments is that of enum hark_category / hark_sentiment (triage.h),
 * and the SQL ENUMs in schema/ list the same words.
 */
#ifndef HARK_VOCAB_H
#define HARK_VOCAB_H

#include <stddef.h>

/* NULL-terminated lists of static strings. */
extern const char *const hark_vocab_status[];	/* new, triaged, ... */
extern const char *const hark_vocab_category[];	/* bug, feature_request, ... */
extern const char *const hark_vocab_sentiment[];	/* positive, neutral, negative */
extern const char *const hark_vocab_channel[];	/* api, widget, voice */
/* Who set an item's category: builtin, openai (enrichers), client, human. */
extern const char *const hark_vocab_triaged_by[];

/*
 * The entry of list equal to s (the static string, so callers may keep it),
 * or fallback when s is NULL or not in the list.
 */
const char	*hark_vocab_intern(const char *const *list, const char *s,
		    const char *fallback);

/*
 * Writes the list as a phrase for messages: "a, b, c" (sep ", ").  Returns
 * out; cut to fit outlen.
 */
char		*hark_vocab_join(const char *const *list, char *out,
		    size_t outlen);

#endif
