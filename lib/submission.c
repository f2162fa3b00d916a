/*
 * submission.c: a multipart submission's rows, made from its payload and
 * files and committed together (see submission.h).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include <json-c/json.h>

#include "earshot_schema.h"
#include "feedback.h"
#include "ids.h"
#include "json.h"
#include "media.h"
#include "store.h"
#include "submission.h"
#include "timestamp.h"
#include "triage.h"
#include "uuid.h"

/* The store's row type is shared with rows it owns; these are borrowed. */
static char *
borrow(const struct hark_json_text *t, size_t *len)
{
	*len = t->s != NULL ? t->len : 0;
	return (char *)(uintptr_t)t->s;
}

static int
serialize(struct json_object *obj, struct hark_json_text *out,
    struct hark_json_err *err)
{
	out->s = NULL;
	out->len = 0;
	if (obj == NULL)
		return 0;
	return hark_json_serialize(obj, out, err);
}

static void
fill_identity(struct hark_submission *sub,
    const struct hark_earshot_identity *id)
{
	struct hark_feedback	*fb = &sub->fb;

	fb->user_id = borrow(&id->user_id, &fb->user_id_len);
	fb->user_email = borrow(&id->email, &fb->user_email_len);
	fb->user_name = borrow(&id->name, &fb->user_name_len);
	fb->user_traits = borrow(&id->traits, &fb->user_traits_len);
}

/* The synchronous triage of what the user wrote; audio waits for batch. */
static void
triage(struct hark_feedback *fb)
{
	struct hark_triage	 t;

	if (fb->text_len > 0) {
		hark_triage_text(fb->text, fb->text_len, fb->page, &t);
		fb->category = hark_category_name(t.category);
		fb->sentiment = hark_sentiment_name(t.sentiment);
		fb->sentiment_score = t.sentiment_score;
		fb->impact = t.impact;
		/* The learned model's; a spam verdict holds the item. */
		fb->triage_confidence = t.confidence;
		snprintf(fb->language, sizeof(fb->language), "%s",
		    t.language);
		fb->spam = t.spam;
		fb->quarantined = t.spam == 1;
	} else {
		fb->category = "other";
		fb->sentiment = "neutral";
	}
}

static int
no_id(struct hark_json_err *err)
{
	err->code = "internal";
	snprintf(err->message, sizeof(err->message), "no randomness for an id");
	err->field[0] = '\0';
	return -1;
}

int
hark_submission_make(const char *project_id, const char *source_id,
    bool public_key, const struct hark_earshot_payload *pl,
    const struct hark_json_report *rep, bool has_audio, int session_ttl,
    struct hark_submission *sub, struct hark_json_err *err)
{
	struct hark_feedback		*fb = &sub->fb;
	struct hark_store_submission	*rows = &sub->rows;

	memset(sub, 0, sizeof(*sub));
	sub->has_audio = has_audio;
	if (serialize(pl->context.obj, &sub->context, err) == -1 ||
	    serialize(rep != NULL ? rep->extra : NULL, &sub->extra, err) == -1 ||
	    serialize(pl->identity.obj, &sub->identity, err) == -1)
		return -1;
	snprintf(fb->project_id, sizeof(fb->project_id), "%s", project_id);
	snprintf(fb->source_id, sizeof(fb->source_id), "%s", source_id);
	/* Lower case, the one form sessions are stored and found by. */
	if (!hark_uuid_canon(pl->session_id.s, pl->session_id.len,
	    fb->session_id))
		snprintf(fb->session_id, sizeof(fb->session_id), "%.*s",
		    (int)pl->session_id.len, pl->session_id.s);
	fb->text = borrow(&pl->transcript, &fb->text_len);
	if (fb->text == NULL)
		fb->text = (char *)(uintptr_t)"";
	fb->page = borrow(&pl->context.page.url, &fb->page_len);
	fill_identity(sub, &pl->identity);
	fb->context = borrow(&sub->context, &fb->context_len);
	fb->extra = borrow(&sub->extra, &fb->extra_len);
	fb->audio_duration_ms = pl->audio_duration_ms;
	fb->spam = -1;
	fb->triage_confidence = -1.0;
	fb->triaged_by = "builtin";
	fb->channel = has_audio ? "voice" : public_key ? "widget" : "api";
	fb->status = "new";
	fb->priority = -1;
	triage(fb);
	hark_ts_now(fb->created_at);
	if (hark_id_new(HARK_ID_FEEDBACK, fb->id, sizeof(fb->id)) == -1)
		return no_id(err);

	rows->fb = fb;
	rows->session_status = has_audio ? "processing" : "done";
	rows->identity = sub->identity.s;
	rows->identity_len = sub->identity.len;
	rows->session_ttl = session_ttl;
	rows->jobs[0].kind = has_audio ? "transcribe" : "enrich";
	if (hark_id_new(HARK_ID_JOB, rows->jobs[0].id,
	    sizeof(rows->jobs[0].id)) == -1)
		return no_id(err);
	rows->njobs = 1;
	return 0;
}

void
hark_submission_add_media(struct hark_submission *sub,
    enum hark_media_kind kind, const char *media_id,
    const struct hark_media_file *file, long long duration_ms)
{
	struct hark_store_media	*m;

	if (sub->rows.nmedia >= HARK_STORE_MAX_MEDIA)
		return;
	m = &sub->rows.media[sub->rows.nmedia++];
	snprintf(m->id, sizeof(m->id), "%s", media_id);
	m->kind = hark_media_kind_name(kind);
	m->relpath = file->relpath;
	m->mime = file->content_type;
	m->bytes = file->bytes;
	m->sha256 = file->sha256;
	m->duration_ms = duration_ms;
}

int
hark_submission_commit(struct hark_db *db, struct hark_submission *sub,
    const char *key, int status, const char *body, size_t len)
{
	sub->rows.idem_key = key;
	sub->rows.idem_status = status;
	sub->rows.idem_body = body;
	sub->rows.idem_len = len;
	return hark_feedback_submit_parts(db, &sub->rows);
}

int
hark_submission_hash(const char *project_id, const char *payload,
    size_t payload_len, const unsigned char *audio_sha256,
    const unsigned char *screenshot_sha256, unsigned char out[32])
{
	EVP_MD_CTX	*md;
	unsigned int	 len = 0;
	int		 rc = -1;

	if ((md = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    hark_hash_field(md, "hark-upload-1", 13) == -1 ||
	    hark_hash_field(md, project_id, strlen(project_id)) == -1 ||
	    hark_hash_field(md, payload, payload_len) == -1 ||
	    hark_hash_field(md, audio_sha256, 32) == -1 ||
	    hark_hash_field(md, screenshot_sha256, 32) == -1 ||
	    EVP_DigestFinal_ex(md, out, &len) != 1 || len != 32)
		goto cleanup;
	rc = 0;
cleanup:
	EVP_MD_CTX_free(md);
	return rc;
}
