/*
 * fuzz_cursor.c: libFuzzer harness for the list cursor codec
 * (lib/feedback.c: hark_feedback_cursor_encode / _decode).
 *
 * fuzz-sources: lib/feedback.c lib/keys.c lib/ids.c lib/timestamp.c lib/json.c lib/json_schema.c lib/json_format.c lib/utf8.c lib/buf.c lib/triage.c lib/triage_strip.c lib/triage_lexicon.c lib/triage_model.c lib/vocab.c lib/commitq.c lib/log.c lib/media.c
 * fuzz-pkgs: json-c libcrypto libmagic
 *
 * Input: the first byte picks a mode, the rest is data.
 *   even  the data is a cursor as a client sends it: it must never crash,
 *         and one that decodes is exactly what the encoder writes for the
 *         position it decodes to (a cursor has one spelling, so nothing but
 *         the server's own output gets through);
 *   odd   the data makes a position (its bytes mapped onto a DATETIME(6)
 *         literal and an id), which must round-trip; the same cursor must be
 *         refused under another project, under another key, with the byte
 *         the data names changed, and cut short.
 * The store is not linked: its functions below are stubs the codec never
 * calls.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feedback.h"
#include "ids.h"
#include "store.h"

#define FZ_MAX	512

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char	fz_proj[] = "prj_0123456789abcdefghjkmnpqrs";
static const char	fz_other[] = "prj_0123456789abcdefghjkmnpqrt";

/* ---- the store, not linked ---- */
int hark_store_feedback_insert(struct hark_db *db, const struct hark_feedback *fb)
{ (void)db; (void)fb; abort(); }
int hark_store_feedback_get(struct hark_db *db, const char *p, const char *id,
    struct hark_feedback *fb)
{ (void)db; (void)p; (void)id; (void)fb; abort(); }
int hark_store_feedback_delete(struct hark_db *db, const char *p, const char *id)
{ (void)db; (void)p; (void)id; abort(); }
int hark_store_feedback_insert_idem(struct hark_db *db,
    const struct hark_feedback *fb, const char *key, int status,
    const char *body, size_t len)
{ (void)db; (void)fb; (void)key; (void)status; (void)body; (void)len; abort(); }
int hark_store_feedback_list(struct hark_db *db, const char *p,
    const struct hark_feedback_filter *f, hark_feedback_fn fn, void *ctx)
{ (void)db; (void)p; (void)f; (void)fn; (void)ctx; abort(); }
int hark_store_media_list(struct hark_db *db, const char *p,
    const char *const *ids, size_t n, hark_media_row_fn fn, void *ctx)
{ (void)db; (void)p; (void)ids; (void)n; (void)fn; (void)ctx; abort(); }
void hark_store_set_error(struct hark_db *db, unsigned int err, const char *msg)
{ (void)db; (void)err; (void)msg; abort(); }
int hark_store_submission_insert(struct hark_db *db,
    const struct hark_store_submission *s)
{ (void)db; (void)s; abort(); }

static void
fz_key(struct hark_cursor_key *k, unsigned char fill)
{
	memset(k->k, fill, sizeof(k->k));
}

static void
fz_decoded_is_canonical(const struct hark_cursor_key *key, const char *s)
{
	struct hark_feedback_cursor	 c;
	struct hark_feedback		 fb;
	char				 again[HARK_CURSOR_MAX];

	if (hark_feedback_cursor_decode(key, fz_proj, s, &c) == -1) {
		if (c.set)
			abort();
		return;
	}
	memset(&fb, 0, sizeof(fb));
	memcpy(fb.created_at, c.ts, sizeof(fb.created_at));
	memcpy(fb.id, c.id, sizeof(fb.id));
	if (hark_feedback_cursor_encode(key, fz_proj, &fb, again,
	    sizeof(again)) == -1 || strcmp(again, s) != 0)
		abort();
}

/* A DATETIME(6) literal and an id made of the data's bytes. */
static void
fz_position(const uint8_t *d, size_t n, struct hark_feedback *fb)
{
	static const char	 shape[] = "dddd-dd-dd dd:dd:dd.dddddd";
	size_t			 i, k = 0;

	memset(fb, 0, sizeof(*fb));
	for (i = 0; shape[i] != '\0'; i++)
		fb->created_at[i] = shape[i] == 'd' ?
		    (char)('0' + (n ? d[k++ % n] : 0) % 10) : shape[i];
	memcpy(fb->id, HARK_ID_FEEDBACK, strlen(HARK_ID_FEEDBACK));
	for (i = 0; i < HARK_ID_BODY_LEN; i++)
		fb->id[strlen(HARK_ID_FEEDBACK) + i] =
		    HARK_ID_ALPHABET[(n ? d[k++ % n] : 0) % 32];
}

static void
fz_round_trip(const struct hark_cursor_key *key, const uint8_t *d, size_t n)
{
	struct hark_cursor_key		 other;
	struct hark_feedback_cursor	 c;
	struct hark_feedback		 fb;
	char				 s[HARK_CURSOR_MAX], t[HARK_CURSOR_MAX];
	size_t				 len, at;

	fz_position(d, n, &fb);
	if (hark_feedback_cursor_encode(key, fz_proj, &fb, s, sizeof(s)) == -1)
		abort();
	if (hark_feedback_cursor_decode(key, fz_proj, s, &c) == -1 ||
	    strcmp(c.ts, fb.created_at) != 0 || strcmp(c.id, fb.id) != 0)
		abort();
	if (hark_feedback_cursor_decode(key, fz_other, s, &c) != -1)
		abort();
	fz_key(&other, 0x5b);
	if (hark_feedback_cursor_decode(&other, fz_proj, s, &c) != -1)
		abort();
	len = strlen(s);
	at = n ? d[0] % len : 0;
	memcpy(t, s, len + 1);
	t[at] = t[at] == 'A' ? 'B' : 'A';
	if (hark_feedback_cursor_decode(key, fz_proj, t, &c) != -1)
		abort();
	t[at] = s[at];
	t[at] = '\0';
	if (hark_feedback_cursor_decode(key, fz_proj, t, &c) != -1)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hark_cursor_key	 key;
	char			 s[FZ_MAX + 1];

	if (size < 1 || size > FZ_MAX)
		return 0;
	fz_key(&key, 0xa5);
	if (data[0] % 2 == 0) {
		memcpy(s, data + 1, size - 1);
		s[size - 1] = '\0';
		fz_decoded_is_canonical(&key, s);
	} else
		fz_round_trip(&key, data + 1, size - 1);
	return 0;
}
