/*
 * feedback.c: the feedback service.  Everything that makes an item what it
 * is lives here, so every way in (JSON, widget, multipart, batch) files the
 * same row: the id made before the INSERT (a retry after a lost connection
 * finds its own row), the synchronous triage, the jobs, the cursor and the
 * JSON view.  Nothing here knows HTTP or SQL.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <json-c/json.h>

#include "commitq.h"
#include "feedback.h"
#include "ids.h"
#include "json.h"
#include "keys.h"
#include "store.h"
#include "timestamp.h"
#include "triage.h"

#define CURSOR_TAG_LEN	16	/* bytes of the HMAC kept: 128 bits */
#define CURSOR_RAW_MAX	(HARK_STORE_TS_SIZE + HARK_ID_SIZE + CURSOR_TAG_LEN)

/* ---- a new item ---- */

static char *
text_or_null(const struct hark_json_text *t, size_t *len)
{
	*len = t->s != NULL ? t->len : 0;
	/* The store's row type is shared with rows it owns; these are
	 * borrowed and only read (see struct hark_feedback, store.h). */
	return (char *)(uintptr_t)t->s;
}

int
hark_feedback_make(const char *project_id, const char *channel,
    const struct hark_feedback_input *in, struct hark_feedback *fb)
{
	struct hark_triage	 t;

	memset(fb, 0, sizeof(*fb));
	snprintf(fb->project_id, sizeof(fb->project_id), "%s", project_id);
	fb->text = text_or_null(&in->text, &fb->text_len);
	fb->page = text_or_null(&in->page, &fb->page_len);
	fb->user_email = text_or_null(&in->user_email, &fb->user_email_len);
	fb->metadata = text_or_null(&in->metadata, &fb->metadata_len);
	fb->extra = text_or_null(&in->extra, &fb->extra_len);
	fb->audio_duration_ms = -1;
	fb->spam = -1;
	fb->triaged_by = "builtin";
	hark_triage_text(fb->text, fb->text_len, fb->page, &t);
	fb->channel = channel;
	fb->category = hark_category_name(t.category);
	fb->sentiment = hark_sentiment_name(t.sentiment);
	fb->sentiment_score = t.sentiment_score;
	fb->impact = t.impact;
	/* The learned model's, when one is loaded; spam is held, not lost. */
	fb->triage_confidence = t.confidence;
	snprintf(fb->language, sizeof(fb->language), "%s", t.language);
	fb->spam = t.spam;
	fb->quarantined = t.spam == 1;
	fb->status = "new";
	fb->priority = -1;
	hark_ts_now(fb->created_at);
	return hark_id_new(HARK_ID_FEEDBACK, fb->id, sizeof(fb->id));
}

/* The writer's queue (fcgi/writer.c), when this process has one. */
static struct hark_cq_client	*queue;

void
hark_feedback_use_queue(struct hark_cq_client *q)
{
	hark_cq_client_free(queue);
	queue = q;
}

/*
 * Through the commit queue when there is one: its answer is the outcome of
 * the row's own commit.  No answer (no writer, it died or hangs) or an
 * outcome it could not settle: the row is filed here, where its id meets
 * it should the writer have committed it after all.
 */
static int
submit(struct hark_db *db, const struct hark_feedback *fb, const char *key,
    int status, const char *body, size_t len,
    const struct hark_store_submission *parts)
{
	unsigned int	 err;
	const char	*msg;
	int		 rc;

	if (queue != NULL && hark_cq_submit(queue, fb, key, status, body, len,
	    parts, &rc) == 0 && rc != HARK_STORE_OUTCOME_UNKNOWN) {
		/* The log line about the answer says what the writer met. */
		if (rc != HARK_STORE_OK) {
			msg = hark_cq_error(queue, &err);
			hark_store_set_error(db, err, msg);
		}
		return rc;
	}
	if (parts != NULL)
		return hark_store_submission_insert(db, parts);
	if (key != NULL)
		return hark_store_feedback_insert_idem(db, fb, key, status,
		    body, len);
	return hark_store_feedback_insert(db, fb);
}

int
hark_feedback_submit(struct hark_db *db, const struct hark_feedback *fb)
{
	return submit(db, fb, NULL, 0, NULL, 0, NULL);
}

int
hark_feedback_submit_idem(struct hark_db *db, const struct hark_feedback *fb,
    const char *key, int status, const char *body, size_t len)
{
	return submit(db, fb, key, status, body, len, NULL);
}

int
hark_feedback_submit_parts(struct hark_db *db,
    const struct hark_store_submission *s)
{
	return submit(db, s->fb, s->idem_key, s->idem_status, s->idem_body,
	    s->idem_len, s);
}

int
hark_feedback_get(struct hark_db *db, const char *project_id, const char *id,
    struct hark_feedback *fb)
{
	return hark_store_feedback_get(db, project_id, id, fb);
}

int
hark_feedback_erase(struct hark_db *db, const char *project_id,
    const char *id)
{
	return hark_store_feedback_delete(db, project_id, id);
}

int
hark_feedback_list(struct hark_db *db, const char *project_id,
    const struct hark_feedback_filter *f, hark_feedback_fn fn, void *ctx)
{
	return hark_store_feedback_list(db, project_id, f, fn, ctx);
}

/* ---- idempotency ---- */

bool
hark_idem_key_valid(const char *key)
{
	size_t	 i;

	if (key == NULL || key[0] == '\0')
		return false;
	for (i = 0; key[i] != '\0'; i++)
		if (i >= HARK_IDEM_KEY_MAX || key[i] < 0x20 || key[i] > 0x7e)
			return false;
	return true;
}

int
hark_hash_field(EVP_MD_CTX *md, const void *s, size_t len)
{
	char	 n[32];
	int	 k;

	if (s == NULL)
		return EVP_DigestUpdate(md, "-", 1) == 1 ? 0 : -1;
	k = snprintf(n, sizeof(n), "%zu:", len);
	return EVP_DigestUpdate(md, n, (size_t)k) == 1 &&
	    EVP_DigestUpdate(md, s, len) == 1 ? 0 : -1;
}

int
hark_feedback_input_hash(const char *project_id,
    const struct hark_feedback_input *in, unsigned char out[32])
{
	EVP_MD_CTX	*md;
	unsigned int	 len = 0;
	int		 rc = -1;

	if ((md = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    hark_hash_field(md, "hark-feedback-1", 15) == -1 ||
	    hark_hash_field(md, project_id, strlen(project_id)) == -1 ||
	    hark_hash_field(md, in->text.s, in->text.len) == -1 ||
	    hark_hash_field(md, in->page.s, in->page.len) == -1 ||
	    hark_hash_field(md, in->user_email.s, in->user_email.len) == -1 ||
	    hark_hash_field(md, in->metadata.s, in->metadata.len) == -1 ||
	    hark_hash_field(md, in->extra.s, in->extra.len) == -1 ||
	    EVP_DigestFinal_ex(md, out, &len) != 1 || len != 32)
		goto cleanup;
	rc = 0;
cleanup:
	EVP_MD_CTX_free(md);
	return rc;
}

int
hark_feedback_row_hash(const struct hark_feedback *fb, unsigned char out[32])
{
	EVP_MD_CTX	*md;
	unsigned int	 len = 0;
	const char	*cat = fb->triaged_by != NULL &&
			    strcmp(fb->triaged_by, "client") == 0 ?
			    fb->category : NULL;
	int		 rc = -1;

	if ((md = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    hark_hash_field(md, "hark-row-1", 10) == -1 ||
	    hark_hash_field(md, fb->project_id, strlen(fb->project_id)) == -1 ||
	    hark_hash_field(md, fb->text, fb->text_len) == -1 ||
	    hark_hash_field(md, fb->page, fb->page_len) == -1 ||
	    hark_hash_field(md, fb->user_email, fb->user_email_len) == -1 ||
	    hark_hash_field(md, cat, cat != NULL ? strlen(cat) : 0) == -1 ||
	    hark_hash_field(md, fb->locale, strlen(fb->locale)) == -1 ||
	    hark_hash_field(md, fb->extra, fb->extra_len) == -1 ||
	    EVP_DigestFinal_ex(md, out, &len) != 1 || len != 32)
		goto cleanup;
	rc = 0;
cleanup:
	EVP_MD_CTX_free(md);
	return rc;
}

/* ---- the cursor ---- */

static int
read_key(const char *path, struct hark_cursor_key *key)
{
	ssize_t	 n;
	int	 fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, key->k, sizeof(key->k));
	saved = errno;
	close(fd);
	if (n != (ssize_t)sizeof(key->k)) {
		errno = n == -1 ? saved : EINVAL;
		return -1;
	}
	return 0;
}

/* A new key written whole under a temporary name, then linked into place. */
static int
make_key(const char *dir, const char *path, struct hark_cursor_key *key)
{
	char	 tmp[4096];
	int	 fd, rc = -1, saved;

	if (RAND_bytes(key->k, sizeof(key->k)) != 1) {
		errno = EIO;
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s/.%s.%ld", dir, HARK_CURSOR_KEY_FILE,
	    (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1)
		return -1;
	if (write(fd, key->k, sizeof(key->k)) == (ssize_t)sizeof(key->k) &&
	    fsync(fd) == 0)
		rc = link(tmp, path);
	saved = errno;
	close(fd);
	unlink(tmp);
	errno = saved;
	/* Another process was first: its key is the one. */
	if (rc == -1 && errno == EEXIST)
		return read_key(path, key);
	return rc;
}

int
hark_cursor_key_load(const char *dir, struct hark_cursor_key *key)
{
	char	 path[4096];
	int	 saved;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
	    HARK_CURSOR_KEY_FILE) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		goto random;
	}
	if (read_key(path, key) == 0)
		return 0;
	if (errno == ENOENT && make_key(dir, path, key) == 0)
		return 0;
random:
	saved = errno;
	if (RAND_bytes(key->k, sizeof(key->k)) != 1)
		memset(key->k, 0, sizeof(key->k));
	errno = saved;
	return -1;
}

/* The tag over "hark-cursor-1|<project>|<position>". */
static int
cursor_tag(const struct hark_cursor_key *key, const char *project_id,
    const unsigned char *raw, size_t len, unsigned char tag[HARK_HMAC_LEN])
{
	char	 msg[64 + CURSOR_RAW_MAX];
	int	 n;

	n = snprintf(msg, sizeof(msg), "hark-cursor-1|%s|%.*s", project_id,
	    (int)len, (const char *)raw);
	if (n < 0 || (size_t)n >= sizeof(msg))
		return -1;
	return hark_hmac_sha256(key->k, sizeof(key->k), msg, (size_t)n, tag);
}

int
hark_feedback_cursor_encode(const struct hark_cursor_key *key,
    const char *project_id, const struct hark_feedback *last, char *out,
    size_t outlen)
{
	unsigned char	 raw[CURSOR_RAW_MAX], tag[HARK_HMAC_LEN];
	int		 n;

	n = snprintf((char *)raw, sizeof(raw), "%s|%s", last->created_at,
	    last->id);
	if (n < 0 || (size_t)n + CURSOR_TAG_LEN > sizeof(raw) ||
	    cursor_tag(key, project_id, raw, (size_t)n, tag) == -1)
		return -1;
	memcpy(raw + n, tag, CURSOR_TAG_LEN);
	return hark_b64url_encode(raw, (size_t)n + CURSOR_TAG_LEN, out, outlen);
}

int
hark_feedback_cursor_decode(const struct hark_cursor_key *key,
    const char *project_id, const char *s, struct hark_feedback_cursor *c)
{
	unsigned char	 raw[CURSOR_RAW_MAX + 1], tag[HARK_HMAC_LEN];
	size_t		 n, len = strlen(s);
	char		*bar;

	memset(c, 0, sizeof(*c));
	if (len > HARK_B64URL_LEN(CURSOR_RAW_MAX) ||
	    hark_b64url_decode(s, len, raw, sizeof(raw) - 1, &n) == -1 ||
	    n <= CURSOR_TAG_LEN)
		return -1;
	n -= CURSOR_TAG_LEN;
	if (cursor_tag(key, project_id, raw, n, tag) == -1 ||
	    !hark_ct_equal(tag, raw + n, CURSOR_TAG_LEN))
		return -1;
	/* Signed by us, so well formed; checked anyway, cheaply. */
	raw[n] = '\0';
	if ((bar = memchr(raw, '|', n)) == NULL ||
	    bar - (char *)raw != HARK_STORE_TS_SIZE - 1)
		return -1;
	*bar = '\0';
	if (!hark_ts_valid_db((char *)raw) ||
	    !hark_id_valid(HARK_ID_FEEDBACK, bar + 1))
		return -1;
	memcpy(c->ts, raw, HARK_STORE_TS_SIZE);
	snprintf(c->id, sizeof(c->id), "%s", bar + 1);
	c->set = true;
	return 0;
}

/* ---- the JSON view ---- */

static struct json_object *
opt_string(const char *s, size_t len)
{
	return s != NULL ? json_object_new_string_len(s, (int)len) : NULL;
}

/* A stored JSON column as a value; NULL when absent or unreadable. */
static struct json_object *
opt_json(const char *s, size_t len)
{
	struct json_object	*o = NULL;
	struct hark_json_err	 jerr;

	/* Our own parser: it keeps numbers json-c would saturate as written. */
	if (s != NULL && hark_json_parse(s, len, &o, &jerr) == -1)
		o = NULL;
	return o;
}

/* identity as the seed has it, or null for an anonymous item. */
static struct json_object *
identity_json(const struct hark_feedback *fb)
{
	struct json_object	*o;

	if (fb->user_id == NULL && fb->user_email == NULL &&
	    fb->user_name == NULL && fb->user_traits == NULL)
		return NULL;
	if ((o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "userId",
	    opt_string(fb->user_id, fb->user_id_len));
	json_object_object_add(o, "email",
	    opt_string(fb->user_email, fb->user_email_len));
	json_object_object_add(o, "name",
	    opt_string(fb->user_name, fb->user_name_len));
	json_object_object_add(o, "traits",
	    opt_json(fb->user_traits, fb->user_traits_len));
	return o;
}

/* The labels, one per line as the store reads them, as an array. */
static struct json_object *
labels_json(const struct hark_feedback *fb)
{
	struct json_object	*a;
	const char		*p, *end, *nl;

	if ((a = json_object_new_array()) == NULL || fb->labels == NULL)
		return a;
	for (p = fb->labels, end = fb->labels + fb->labels_len; p < end;
	    p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (nl > p)
			json_object_array_add(a,
			    json_object_new_string_len(p, (int)(nl - p)));
	}
	return a;
}

/* The issue mirroring it (batch/linear.c): {provider, id, url}, or null. */
static struct json_object *
tracker_json(const struct hark_feedback *fb)
{
	struct json_object	*t;

	if (fb->linear_issue_id[0] == '\0' ||
	    (t = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(t, "provider", json_object_new_string("linear"));
	json_object_object_add(t, "id",
	    json_object_new_string(fb->linear_issue_id));
	json_object_object_add(t, "url", fb->linear_issue_url[0] != '\0' ?
	    json_object_new_string(fb->linear_issue_url) : NULL);
	return t;
}

/* The external item it is linked to (MCP link_feedback), or null. */
static struct json_object *
link_json(const struct hark_feedback *fb)
{
	struct json_object	*o;

	if (fb->link_url == NULL || (o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "url", opt_string(fb->link_url,
	    fb->link_url_len));
	json_object_object_add(o, "title", opt_string(fb->link_title,
	    fb->link_title_len));
	return o;
}

struct json_object *
hark_feedback_json(const struct hark_feedback *fb)
{
	struct json_object	*o;
	char			 ts[32], score[16];

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	hark_ts_to_rfc3339(fb->created_at, ts, sizeof(ts));
	json_object_object_add(o, "id", json_object_new_string(fb->id));
	json_object_object_add(o, "projectId",
	    json_object_new_string(fb->project_id));
	json_object_object_add(o, "text", opt_string(fb->text, fb->text_len));
	json_object_object_add(o, "page", opt_string(fb->page, fb->page_len));
	json_object_object_add(o, "userEmail",
	    opt_string(fb->user_email, fb->user_email_len));
	json_object_object_add(o, "metadata",
	    opt_json(fb->metadata, fb->metadata_len));
	json_object_object_add(o, "category",
	    json_object_new_string(fb->category));
	json_object_object_add(o, "sentiment",
	    json_object_new_string(fb->sentiment));
	/* Three decimals, as stored (DECIMAL(4,3)), on every path. */
	snprintf(score, sizeof(score), "%.3f", fb->sentiment_score);
	json_object_object_add(o, "sentimentScore",
	    json_object_new_double_s(atof(score), score));
	json_object_object_add(o, "impactScore", json_object_new_int(fb->impact));
	/* Three decimals, as stored; null when the rules alone triaged it. */
	if (fb->triage_confidence > 0) {
		snprintf(score, sizeof(score), "%.3f", fb->triage_confidence);
		json_object_object_add(o, "triageConfidence",
		    json_object_new_double_s(atof(score), score));
	} else
		json_object_object_add(o, "triageConfidence", NULL);
	json_object_object_add(o, "status", json_object_new_string(fb->status));
	json_object_object_add(o, "priority", fb->priority >= 0 ?
	    json_object_new_int(fb->priority) : NULL);
	json_object_object_add(o, "channel", json_object_new_string(fb->channel));
	json_object_object_add(o, "sessionId", fb->session_id[0] != '\0' ?
	    json_object_new_string(fb->session_id) : NULL);
	json_object_object_add(o, "identity", identity_json(fb));
	json_object_object_add(o, "audioDurationMs", fb->audio_duration_ms >= 0 ?
	    json_object_new_int64(fb->audio_duration_ms) : NULL);
	json_object_object_add(o, "extra", opt_json(fb->extra, fb->extra_len));
	json_object_object_add(o, "triagedBy", fb->triaged_by != NULL ?
	    json_object_new_string(fb->triaged_by) : NULL);
	json_object_object_add(o, "locale", fb->locale[0] != '\0' ?
	    json_object_new_string(fb->locale) : NULL);
	json_object_object_add(o, "summary",
	    opt_string(fb->summary, fb->summary_len));
	json_object_object_add(o, "title", opt_string(fb->title, fb->title_len));
	json_object_object_add(o, "language", fb->language[0] != '\0' ?
	    json_object_new_string(fb->language) : NULL);
	json_object_object_add(o, "spam", fb->spam >= 0 ?
	    json_object_new_boolean(fb->spam) : NULL);
	json_object_object_add(o, "quarantined",
	    json_object_new_boolean(fb->quarantined));
	json_object_object_add(o, "labels", labels_json(fb));
	json_object_object_add(o, "resolutionNote",
	    opt_string(fb->resolution_note, fb->resolution_note_len));
	json_object_object_add(o, "link", link_json(fb));
	if (fb->resolved_at[0] != '\0') {
		char	 rts[32];

		hark_ts_to_rfc3339(fb->resolved_at, rts, sizeof(rts));
		json_object_object_add(o, "resolvedAt",
		    json_object_new_string(rts));
	} else
		json_object_object_add(o, "resolvedAt", NULL);
	json_object_object_add(o, "tracker", tracker_json(fb));
	/* Only one item read by id carries its context (see store.h). */
	if (fb->context != NULL)
		json_object_object_add(o, "context",
		    opt_json(fb->context, fb->context_len));
	json_object_object_add(o, "createdAt", json_object_new_string(ts));
	return o;
}

/* ---- an item's media, in its view ---- */

struct media_json_ctx {
	const char		 *base_path;
	struct json_object	**items;
	size_t			  n;
	int			  failed;
};

static int
media_json_row(void *ctx, const struct hark_media_row *m)
{
	struct media_json_ctx	*mc = ctx;
	struct json_object	*id, *arr, *o;
	char			 url[512];
	size_t			 i;

	for (i = 0; i < mc->n; i++)
		if (json_object_object_get_ex(mc->items[i], "id", &id) &&
		    strcmp(json_object_get_string(id), m->feedback_id) == 0)
			break;
	if (i == mc->n ||
	    !json_object_object_get_ex(mc->items[i], "media", &arr))
		return 0;
	snprintf(url, sizeof(url), "%s/v1/feedback/%s/media/%s",
	    mc->base_path, m->feedback_id, m->kind);
	if ((o = json_object_new_object()) == NULL) {
		mc->failed = 1;
		return HARK_STORE_NOMEM;
	}
	json_object_object_add(o, "kind", json_object_new_string(m->kind));
	json_object_object_add(o, "contentType",
	    json_object_new_string(m->mime));
	json_object_object_add(o, "bytes",
	    json_object_new_int64((int64_t)m->bytes));
	json_object_object_add(o, "durationMs", m->duration_ms >= 0 ?
	    json_object_new_int64(m->duration_ms) : NULL);
	json_object_object_add(o, "url", json_object_new_string(url));
	json_object_array_add(arr, o);
	return 0;
}

int
hark_feedback_media_json(struct hark_db *db, const char *project_id,
    const char *base_path, struct json_object **items, size_t n)
{
	struct media_json_ctx	 mc = { base_path ? base_path : "", items, n, 0 };
	const char		*ids[HARK_MEDIA_LIST_MAX];
	struct json_object	*id, *arr;
	size_t			 i, k, m;
	int			 rc;

	for (i = 0; i < n; i++) {
		if ((arr = json_object_new_array()) == NULL)
			return HARK_STORE_NOMEM;
		json_object_object_add(items[i], "media", arr);
	}
	for (i = 0; i < n; i += m) {
		m = n - i < HARK_MEDIA_LIST_MAX ? n - i : HARK_MEDIA_LIST_MAX;
		for (k = 0; k < m; k++)
			ids[k] = json_object_object_get_ex(items[i + k], "id",
			    &id) ? json_object_get_string(id) : "";
		rc = hark_store_media_list(db, project_id, ids, m,
		    media_json_row, &mc);
		if (mc.failed)
			return HARK_STORE_NOMEM;
		if (rc != HARK_STORE_OK)
			return rc;
	}
	return HARK_STORE_OK;
}

int
hark_feedback_page_row(void *ctx, const struct hark_feedback *fb)
{
	struct hark_feedback_page	*pg = ctx;
	struct json_object		*o;

	if (++pg->seen > pg->want)
		return 0;	/* the look-ahead row: there is a next page */
	if ((o = hark_feedback_json(fb)) == NULL) {
		pg->failed = 1;
		return 1;
	}
	json_object_array_add(pg->items, o);
	if (pg->seen == pg->want && hark_feedback_cursor_encode(pg->key,
	    pg->project_id, fb, pg->next, sizeof(pg->next)) == -1)
		pg->failed = 1;
	return 0;
}

/* ---- comments ---- */

struct json_object *
hark_comment_json(const struct hark_comment *cm)
{
	struct json_object	*o;
	char			 ts[40];

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	hark_ts_to_rfc3339_ms(cm->created_at, ts, sizeof(ts));
	json_object_object_add(o, "id", json_object_new_string(cm->id));
	json_object_object_add(o, "feedbackId",
	    json_object_new_string(cm->feedback_id));
	json_object_object_add(o, "body",
	    json_object_new_string_len(cm->body, (int)cm->body_len));
	json_object_object_add(o, "authorType",
	    json_object_new_string(cm->author_type));
	json_object_object_add(o, "authorId", cm->author_id != NULL ?
	    json_object_new_string_len(cm->author_id, (int)cm->author_id_len) :
	    NULL);
	json_object_object_add(o, "createdAt", json_object_new_string(ts));
	return o;
}
