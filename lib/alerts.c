/*
 * alerts.c: Alertmanager's, Grafana's and Sentry's webhook payloads read
 * into struct hark_alert (alerts.h says why the parse is apart).
 *
 * Alertmanager's is documented as the webhook_config payload, version 4:
 * {version, groupKey, status, receiver, groupLabels, commonLabels,
 * commonAnnotations, externalURL, alerts: [{status, labels, annotations,
 * startsAt, endsAt, generatorURL, fingerprint}]}.  Grafana's alerting
 * webhook sends the same shape with extras (title, message, state; per
 * alert values, dashboardURL, panelURL, silenceURL).  Sentry sends one
 * resource per request, named by its Sentry-Hook-Resource header: an
 * issue ({action: created|resolved|unresolved|..., data: {issue}}), an
 * issue alert's event ({action: triggered, data: {event}}) or a metric
 * alert ({action: critical|warning|resolved, data: {metric_alert}}).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "alerts.h"
#include "json.h"

static const char *const source_names[] = { "alertmanager", "grafana",
    "sentry" };

int
hark_alert_source_parse(const char *name, enum hark_alert_source *out)
{
	size_t	 i;

	for (i = 0; i < sizeof(source_names) / sizeof(source_names[0]); i++)
		if (strcmp(name, source_names[i]) == 0) {
			*out = (enum hark_alert_source)i;
			return 0;
		}
	return -1;
}

const char *
hark_alert_source_name(enum hark_alert_source s)
{
	return source_names[s];
}

void
hark_alerts_clear(struct hark_alerts *a)
{
	size_t	 i;

	for (i = 0; i < a->n; i++) {
		free(a->v[i].text);
		free(a->v[i].metadata);
		free(a->v[i].page);
	}
	free(a->v);
	memset(a, 0, sizeof(*a));
}

static int	bad(struct hark_json_err *, const char *, const char *,
		    const char *, ...) __attribute__((format(printf, 4, 5)));

static int
bad(struct hark_json_err *err, const char *code, const char *field,
    const char *fmt, ...)
{
	va_list	 ap;

	err->code = code;
	snprintf(err->field, sizeof(err->field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}

/* The member's string, or NULL when absent, null or not a string. */
static const char *
str_of(struct json_object *o, const char *key, size_t *len)
{
	struct json_object	*v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	if (len != NULL)
		*len = (size_t)json_object_get_string_len(v);
	return json_object_get_string(v);
}

static char *
dup_n(const char *s, size_t n)
{
	char	*p;

	if ((p = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/*
 * The alert's text: summary, then a description that says more, cut at
 * HARK_ALERT_TEXT_MAX characters on a character boundary.  NULL when
 * memory runs out.
 */
static char *
alert_text(const char *head, size_t hlen, const char *more, size_t mlen,
    size_t *len)
{
	size_t	 n = hlen, i, chars;
	char	*t;

	if (more != NULL && mlen > 0 && (hlen != mlen ||
	    memcmp(head, more, hlen) != 0))
		n = hlen + 2 + mlen;
	if ((t = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(t, head, hlen);
	if (n > hlen) {
		memcpy(t + hlen, "\n\n", 2);
		memcpy(t + hlen + 2, more, mlen);
	}
	for (i = 0, chars = 0; i < n && chars < HARK_ALERT_TEXT_MAX; chars++) {
		i++;
		while (i < n && ((unsigned char)t[i] & 0xc0) == 0x80)
			i++;
	}
	t[i] = '\0';
	*len = i;
	return t;
}

/* SHA-256 of the sorted "name=value\n" labels, in hex: a stable identity. */
static int
labels_fingerprint(struct json_object *labels, char out[HARK_ALERT_FP_MAX + 1])
{
	const char	*keys[256];
	size_t		 n = 0, i, j;
	unsigned char	 md[32];
	unsigned int	 mdlen = 0;
	EVP_MD_CTX	*c;
	int		 ok;

	json_object_object_foreach(labels, k, v) {
		(void)v;
		if (n == sizeof(keys) / sizeof(keys[0]))
			return -1;
		keys[n++] = k;
	}
	for (i = 1; i < n; i++)		/* a few labels: insertion sort */
		for (j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0; j--) {
			const char	*t = keys[j];

			keys[j] = keys[j - 1];
			keys[j - 1] = t;
		}
	if ((c = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1;
	for (i = 0; ok && i < n; i++) {
		const char	*val = str_of(labels, keys[i], NULL);

		ok = EVP_DigestUpdate(c, keys[i], strlen(keys[i])) == 1 &&
		    EVP_DigestUpdate(c, "=", 1) == 1 &&
		    EVP_DigestUpdate(c, val ? val : "", val ? strlen(val) : 0) ==
		    1 &&
		    EVP_DigestUpdate(c, "\n", 1) == 1;
	}
	ok = ok && EVP_DigestFinal_ex(c, md, &mdlen) == 1;
	EVP_MD_CTX_free(c);
	if (!ok)
		return -1;
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

static bool
fingerprint_ok(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || len > HARK_ALERT_FP_MAX)
		return false;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

/* Adds an alert; its strings are copied.  -1 when memory runs out. */
static int
add_alert(struct hark_alerts *out, bool firing, const char *fp,
    const char *text, size_t tlen, const char *more, size_t mlen,
    struct json_object *meta, const char *page, size_t plen)
{
	struct hark_alert	*a;
	const char		*m;

	a = &out->v[out->n];
	memset(a, 0, sizeof(*a));
	a->firing = firing;
	snprintf(a->fingerprint, sizeof(a->fingerprint), "%s", fp);
	if ((a->text = alert_text(text, tlen, more, mlen, &a->text_len)) == NULL)
		return -1;
	m = json_object_to_json_string_ext(meta, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	a->metadata_len = strlen(m);
	if ((a->metadata = dup_n(m, a->metadata_len)) == NULL)
		goto nomem;
	if (page != NULL && plen > 0 && plen <= 2048 &&
	    (a->page = dup_n(page, plen)) == NULL)
		goto nomem;
	a->page_len = a->page != NULL ? plen : 0;
	out->n++;
	return 0;
nomem:
	free(a->text);
	free(a->metadata);
	return -1;
}

static void
meta_copy(struct json_object *meta, struct json_object *from, const char *key)
{
	struct json_object	*v;

	if (from != NULL && json_object_object_get_ex(from, key, &v) && v != NULL)
		json_object_object_add(meta, key, json_object_get(v));
}

/* One alert of an Alertmanager or Grafana payload. */
static int
am_alert(enum hark_alert_source src, struct json_object *top, size_t i,
    struct json_object *al, struct hark_alerts *out, struct hark_json_err *err)
{
	struct json_object	*labels = NULL, *ann = NULL, *meta;
	const char		*status, *head, *more, *fp, *page;
	size_t			 hlen = 0, mlen = 0, fplen = 0, plen = 0;
	char			 field[64], fpbuf[HARK_ALERT_FP_MAX + 1];
	int			 rc;

	snprintf(field, sizeof(field), "alerts[%zu]", i);
	if (!json_object_is_type(al, json_type_object))
		return bad(err, "wrong_type", field, "%s must be an object",
		    field);
	if ((status = str_of(al, "status", NULL)) == NULL ||
	    (strcmp(status, "firing") != 0 && strcmp(status, "resolved") != 0)) {
		snprintf(field, sizeof(field), "alerts[%zu].status", i);
		return bad(err, status == NULL ? "missing_field" :
		    "invalid_value", field, "%s must be firing or resolved",
		    field);
	}
	if (!json_object_object_get_ex(al, "labels", &labels) ||
	    !json_object_is_type(labels, json_type_object)) {
		snprintf(field, sizeof(field), "alerts[%zu].labels", i);
		return bad(err, labels == NULL ? "missing_field" : "wrong_type",
		    field, "%s must be an object of strings", field);
	}
	json_object_object_foreach(labels, lk, lv) {
		if (!json_object_is_type(lv, json_type_string)) {
			snprintf(field, sizeof(field), "alerts[%zu].labels.%.32s",
			    i, lk);
			return bad(err, "wrong_type", field, "%s must be a string",
			    field);
		}
	}
	if (json_object_object_get_ex(al, "annotations", &ann) && ann != NULL &&
	    !json_object_is_type(ann, json_type_object)) {
		snprintf(field, sizeof(field), "alerts[%zu].annotations", i);
		return bad(err, "wrong_type", field, "%s must be an object",
		    field);
	}
	head = str_of(ann, "summary", &hlen);
	more = str_of(ann, "description", &mlen);
	if (head == NULL || hlen == 0) {
		head = more, hlen = mlen;
		more = NULL, mlen = 0;
	}
	if (head == NULL || hlen == 0)
		head = str_of(labels, "alertname", &hlen);
	if ((head == NULL || hlen == 0) && src == HARK_ALERT_GRAFANA)
		head = str_of(top, "title", &hlen);
	if (head == NULL || hlen == 0) {
		snprintf(field, sizeof(field), "alerts[%zu].labels.alertname", i);
		return bad(err, "missing_field", field, "%s (or a summary or "
		    "description annotation) names the alert", field);
	}
	if ((fp = str_of(al, "fingerprint", &fplen)) != NULL) {
		if (!fingerprint_ok(fp, fplen)) {
			snprintf(field, sizeof(field), "alerts[%zu].fingerprint",
			    i);
			return bad(err, "invalid_value", field, "%s must be 1 to "
			    "128 printable characters", field);
		}
	} else {
		if (labels_fingerprint(labels, fpbuf) == -1) {
			snprintf(field, sizeof(field), "alerts[%zu].labels", i);
			return bad(err, "too_long", field, "%s has too many "
			    "labels", field);
		}
		fp = fpbuf;
	}
	page = str_of(al, "generatorURL", &plen);
	if ((meta = json_object_new_object()) == NULL)
		return bad(err, "out_of_memory", "", "%s", "out of memory");
	json_object_object_add(meta, "source",
	    json_object_new_string(hark_alert_source_name(src)));
	meta_copy(meta, al, "labels");
	meta_copy(meta, al, "annotations");
	meta_copy(meta, al, "startsAt");
	meta_copy(meta, al, "endsAt");
	meta_copy(meta, al, "generatorURL");
	meta_copy(meta, top, "externalURL");
	meta_copy(meta, top, "receiver");
	if (src == HARK_ALERT_GRAFANA) {
		meta_copy(meta, al, "dashboardURL");
		meta_copy(meta, al, "panelURL");
		meta_copy(meta, al, "silenceURL");
		meta_copy(meta, al, "valueString");
	}
	rc = add_alert(out, strcmp(status, "firing") == 0, fp, head, hlen, more,
	    mlen, meta, page, plen);
	json_object_put(meta);
	return rc == -1 ? bad(err, "out_of_memory", "", "%s", "out of memory") :
	    0;
}

static int
parse_alertmanager(enum hark_alert_source src, struct json_object *top,
    struct hark_alerts *out, struct hark_json_err *err)
{
	struct json_object	*alerts;
	size_t			 i, n;

	if (!json_object_object_get_ex(top, "alerts", &alerts))
		return bad(err, "missing_field", "alerts", "%s is required",
		    "alerts");
	if (!json_object_is_type(alerts, json_type_array))
		return bad(err, "wrong_type", "alerts", "%s must be an array",
		    "alerts");
	n = json_object_array_length(alerts);
	if (n > HARK_ALERTS_MAX)
		return bad(err, "too_long", "alerts", "%s holds at most 500 "
		    "alerts", "alerts");
	if (n > 0 && (out->v = calloc(n, sizeof(*out->v))) == NULL)
		return bad(err, "out_of_memory", "", "%s", "out of memory");
	for (i = 0; i < n; i++)
		if (am_alert(src, top, i, json_object_array_get_idx(alerts, i),
		    out, err) == -1)
			return -1;
	return 0;
}

/* An id that may come as a string or a number, as text. */
static const char *
id_of(struct json_object *o, const char *key, char *buf, size_t len)
{
	struct json_object	*v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) || v == NULL)
		return NULL;
	if (json_object_is_type(v, json_type_int)) {
		snprintf(buf, len, "%lld", (long long)json_object_get_int64(v));
		return buf;
	}
	if (json_object_is_type(v, json_type_string) &&
	    fingerprint_ok(json_object_get_string(v),
	    (size_t)json_object_get_string_len(v))) {
		snprintf(buf, len, "%s", json_object_get_string(v));
		return buf;
	}
	return NULL;
}

static int
parse_sentry(const char *resource, struct json_object *top,
    struct hark_alerts *out, struct hark_json_err *err)
{
	struct json_object	*data, *obj = NULL, *meta;
	const char		*action, *title, *more = NULL, *page;
	const char		*key, *idkey, *titlekey, *pagekey;
	size_t			 tlen = 0, mlen = 0, plen = 0;
	char			 idbuf[64], fp[HARK_ALERT_FP_MAX + 1], field[64];
	const char		*id;
	bool			 firing;
	int			 rc;

	if (resource == NULL)
		resource = "issue";
	if ((action = str_of(top, "action", NULL)) == NULL)
		return bad(err, "missing_field", "action", "%s is required",
		    "action");
	if (strcmp(resource, "issue") == 0) {
		key = "issue", idkey = "id", titlekey = "title",
		    pagekey = "permalink";
		if (strcmp(action, "created") == 0 ||
		    strcmp(action, "unresolved") == 0)
			firing = true;
		else if (strcmp(action, "resolved") == 0)
			firing = false;
		else
			goto ignored;	/* assigned, archived, ignored */
	} else if (strcmp(resource, "event_alert") == 0) {
		key = "event", idkey = "issue_id", titlekey = "title",
		    pagekey = "web_url";
		if (strcmp(action, "triggered") != 0)
			goto ignored;
		firing = true;
	} else if (strcmp(resource, "metric_alert") == 0) {
		key = "metric_alert", idkey = "id", titlekey = "title",
		    pagekey = NULL;
		if (strcmp(action, "critical") == 0 ||
		    strcmp(action, "warning") == 0)
			firing = true;
		else if (strcmp(action, "resolved") == 0)
			firing = false;
		else
			goto ignored;
	} else
		goto ignored;	/* installation, comment, error: not alerts */
	if (!json_object_object_get_ex(top, "data", &data) ||
	    !json_object_is_type(data, json_type_object))
		return bad(err, "missing_field", "data", "%s must be an object",
		    "data");
	snprintf(field, sizeof(field), "data.%s", key);
	if (!json_object_object_get_ex(data, key, &obj) ||
	    !json_object_is_type(obj, json_type_object))
		return bad(err, "missing_field", field, "%s must be an object",
		    field);
	if ((id = id_of(obj, idkey, idbuf, sizeof(idbuf))) == NULL) {
		snprintf(field, sizeof(field), "data.%s.%s", key, idkey);
		return bad(err, "missing_field", field, "%s (a string or a "
		    "number) is required", field);
	}
	title = str_of(obj, titlekey, &tlen);
	if (strcmp(resource, "metric_alert") == 0 && (title == NULL ||
	    tlen == 0))
		title = str_of(data, "description_title", &tlen);
	if (title == NULL || tlen == 0) {
		snprintf(field, sizeof(field), "data.%s.%s", key, titlekey);
		return bad(err, "missing_field", field, "%s names the alert",
		    field);
	}
	more = str_of(obj, "culprit", &mlen);
	if (strcmp(resource, "metric_alert") == 0)
		more = str_of(data, "description_text", &mlen);
	page = pagekey != NULL ? str_of(obj, pagekey, &plen) : NULL;
	/* One item per Sentry issue (or metric alert) while it is open. */
	snprintf(fp, sizeof(fp), "sentry:%s:%s", strcmp(resource,
	    "metric_alert") == 0 ? "metric" : "issue", id);
	if ((out->v = calloc(1, sizeof(*out->v))) == NULL ||
	    (meta = json_object_new_object()) == NULL)
		return bad(err, "out_of_memory", "", "%s", "out of memory");
	json_object_object_add(meta, "source", json_object_new_string("sentry"));
	json_object_object_add(meta, "resource",
	    json_object_new_string(resource));
	json_object_object_add(meta, "action", json_object_new_string(action));
	meta_copy(meta, obj, "shortId");
	meta_copy(meta, obj, "level");
	meta_copy(meta, obj, "culprit");
	meta_copy(meta, obj, "platform");
	meta_copy(meta, obj, pagekey != NULL ? pagekey : "id");
	meta_copy(meta, data, "triggered_rule");
	rc = add_alert(out, firing, fp, title, tlen, more, mlen, meta, page,
	    plen);
	json_object_put(meta);
	return rc == -1 ? bad(err, "out_of_memory", "", "%s", "out of memory") :
	    0;
ignored:
	out->ignored = true;
	return 0;
}

int
hark_alerts_parse(enum hark_alert_source source, const char *resource,
    const char *buf, size_t len, struct hark_alerts *out,
    struct hark_json_err *err)
{
	struct json_object	*top;
	int			 rc;

	memset(out, 0, sizeof(*out));
	if (hark_json_parse(buf, len, &top, err) == -1)
		return -1;
	if (source == HARK_ALERT_SENTRY)
		rc = parse_sentry(resource, top, out, err);
	else
		rc = parse_alertmanager(source, top, out, err);
	json_object_put(top);
	if (rc == -1)
		hark_alerts_clear(out);
	return rc;
}
