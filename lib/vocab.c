/* vocab.c: the shared tables of status, category, sentiment and channel names. */
#include "config.h"

#include <string.h>

#include "vocab.h"

const char *const hark_vocab_status[] = { "new", "triaged", "in_progress",
    "done", "canceled", NULL };
const char *const hark_vocab_category[] = { "bug", "feature_request",
    "improvement", "question", "praise", "other", NULL };
const char *const hark_vocab_sentiment[] = { "positive", "neutral",
    "negative", NULL };
const char *const hark_vocab_channel[] = { "api", "widget", "voice", "alert",
    NULL };
const char *const hark_vocab_triaged_by[] = { "builtin", "openai", "client",
	"human", NULL };

const char *
hark_vocab_intern(const char *const *list, const char *s, const char *fallback)
{
	for (; s != NULL && *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return *list;
	return fallback;
}

char *
hark_vocab_join(const char *const *list, char *out, size_t outlen)
{
	size_t	 n = 0, len;

	if (outlen == 0)
		return out;
	out[0] = '\0';
	for (; *list != NULL; list++) {
		len = strlen(*list) + (n > 0 ? 2 : 0);
		if (n + len >= outlen)
			break;
		if (n > 0)
			memcpy(out + n, ", ", 2);
		memcpy(out + n + (n > 0 ? 2 : 0), *list, strlen(*list) + 1);
		n += len;
	}
	return out;
}
