/*
 * alerts.h: the inbound alert webhooks' payloads (issue 22), read into one
 * shape: Alertmanager's webhook (version 4), Grafana's (the same shape,
 * with its own extras) and Sentry's issue and alert webhooks.
 *
 * Parsing is apart from acting: hark_alerts_parse turns bytes into a list
 * of struct hark_alert or a field-path error, and the handler stores only
 * a list that parsed whole (nothing is stored from a payload with one bad
 * alert).
 */
#ifndef HARK_ALERTS_H
#define HARK_ALERTS_H

#include <stdbool.h>
#include <stddef.h>

#include "json.h"

enum hark_alert_source {
	HARK_ALERT_ALERTMANAGER = 0,
	HARK_ALERT_GRAFANA,
	HARK_ALERT_SENTRY
};

#define HARK_ALERTS_MAX		500	/* alerts in one payload */
#define HARK_ALERT_FP_MAX	128	/* a fingerprint, bytes */
#define HARK_ALERT_TEXT_MAX	5000	/* characters, as feedback text */

struct hark_alert {
	bool	 firing;		/* else resolved */
	/* The alert's identity while it fires: the tool's fingerprint, or
	 * a SHA-256 of its sorted labels when it gives none. */
	char	 fingerprint[HARK_ALERT_FP_MAX + 1];
	char	*text;			/* summary / description / title */
	size_t	 text_len;
	char	*metadata;		/* compact JSON: labels, annotations, links */
	size_t	 metadata_len;
	char	*page;			/* generatorURL, permalink; or NULL */
	size_t	 page_len;
};

struct hark_alerts {
	struct hark_alert	*v;
	size_t			 n;
	/* A payload that is about nothing hark files (a Sentry "assigned"). */
	bool			 ignored;
};

/* "alertmanager", "grafana", "sentry" to the source; -1 for another. */
int	hark_alert_source_parse(const char *name, enum hark_alert_source *out);
const char *hark_alert_source_name(enum hark_alert_source);

/*
 * Reads len bytes of source's payload.  resource is Sentry's
 * Sentry-Hook-Resource header (NULL for the others).  0 with *out filled
 * (hark_alerts_clear frees it), or -1 with err naming the field
 * ("alerts[2].labels") and *out empty.
 */
int	hark_alerts_parse(enum hark_alert_source source, const char *resource,
	    const char *buf, size_t len, struct hark_alerts *out,
	    struct hark_json_err *err);
void	hark_alerts_clear(struct hark_alerts *);

#endif
