/*
 * fuzz_alerts.c: libFuzzer harness for the alert webhooks' payloads
 * (lib/alerts.c).
 *
 * fuzz-sources: lib/alerts.c lib/json.c lib/json_schema.c lib/json_format.c lib/timestamp.c lib/utf8.c lib/buf.c
 * fuzz-pkgs: json-c libcrypto
 *
 * The first byte picks the source (and, for Sentry, the resource); the
 * rest is the body.  Beyond never crashing or leaking: a payload either
 * parses into at most HARK_ALERTS_MAX alerts, each with a fingerprint of
 * 1 to 128 printable bytes, a non-empty text of at most 5000 characters
 * and metadata that is a JSON object, or fails with a code.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "alerts.h"

static const char *const resources[] = { "issue", "event_alert",
    "metric_alert", NULL };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hark_alerts	 a;
	struct hark_json_err	 err;
	enum hark_alert_source	 src;
	const char		*res = NULL;
	size_t			 i, chars, k;

	if (size < 1)
		return 0;
	src = (enum hark_alert_source)(data[0] % 3);
	if (src == HARK_ALERT_SENTRY)
		res = resources[(data[0] / 3) % 4];
	if (hark_alerts_parse(src, res, (const char *)data + 1, size - 1, &a,
	    &err) == -1) {
		if (err.code == NULL || a.n != 0 || a.v != NULL)
			abort();
		return 0;
	}
	if (a.n > HARK_ALERTS_MAX)
		abort();
	for (i = 0; i < a.n; i++) {
		struct json_object	*m;
		size_t			 fl = strlen(a.v[i].fingerprint);

		if (fl == 0 || fl > HARK_ALERT_FP_MAX || a.v[i].text_len == 0)
			abort();
		for (k = 0, chars = 0; k < a.v[i].text_len; k++)
			if (((unsigned char)a.v[i].text[k] & 0xc0) != 0x80)
				chars++;
		if (chars > HARK_ALERT_TEXT_MAX)
			abort();
		m = json_tokener_parse(a.v[i].metadata);
		if (m == NULL || !json_object_is_type(m, json_type_object))
			abort();
		json_object_put(m);
	}
	hark_alerts_clear(&a);
	return 0;
}
