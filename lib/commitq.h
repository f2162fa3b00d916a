/*
 * commitq.h: the per-host commit queue's wire format and its worker side.
 *
 * A worker hands a fully validated submission (its hark-made id already
 * assigned) to the writer process (fcgi/writer.c) over a local stream
 * socket and blocks for its own answer; the writer commits what is queued
 * in shared transactions (hark_store_feedback_insert_batch).  Each message
 * is a frame: a 4-byte little-endian length, then that many bytes, which
 * start with HARK_CQ_MAGIC and a type.  Strings are a 4-byte length and the
 * bytes (0xffffffff: NULL); integers are little-endian.  Nothing here knows
 * FastCGI: the writer's loop lives in fcgi/, the SQL in lib/store*.c.
 */
#ifndef HARK_COMMITQ_H
#define HARK_COMMITQ_H

#include <stddef.h>

#include "buf.h"
#include "feedback.h"
#include "media.h"
#include "store.h"

#define HARK_CQ_MAGIC		0x31514348u	/* "HCQ1" */
#define HARK_CQ_SUBMIT		1
#define HARK_CQ_ANSWER		2
/* A frame's bound: well above the largest submission max_json_body lets in. */
#define HARK_CQ_FRAME_MAX	(8u * 1024 * 1024)

/*
 * One submission as the writer sees it: fb's strings point into the frame
 * it was decoded from (borrowed, as for an insert: never clear it), the
 * inline members are copies.  idem_key[0] == '\0': no Idempotency-Key;
 * else the key's recorded answer (idem_status, idem_body) commits with the
 * row, as hark_store_feedback_insert_idem does.
 */
struct hark_cq_sub {
	struct hark_feedback	 fb;
	char			 idem_key[HARK_IDEM_KEY_MAX + 1];
	int			 idem_status;
	const char		*idem_body;
	size_t			 idem_body_len;
	/*
	 * A multipart submission's other rows (its files, session and jobs:
	 * lib/submission.c), has_parts 0 for a lone feedback row.  parts.fb
	 * points at fb above and its media at the copies below, so a decoded
	 * sub is used where it was decoded, never copied.
	 */
	int			 has_parts;
	struct hark_store_submission parts;
	char			 relpath[HARK_STORE_MAX_MEDIA]
				    [HARK_MEDIA_RELPATH_MAX];
	unsigned char		 sha256[HARK_STORE_MAX_MEDIA][32];
};

/*
 * Appends one SUBMIT frame for fb (and its key's answer when key is not
 * NULL) to out; 0, or -1 when memory runs out or a string is too long.
 * parts: a multipart submission's other rows (parts->fb is fb; its own
 * idem_ members are not read: key, status and body are), or NULL.
 */
int	hark_cq_encode_submit(struct hark_buf *out, const struct hark_feedback *fb,
	    const char *key, int status, const char *body, size_t body_len,
	    const struct hark_store_submission *parts);
/*
 * Appends one ANSWER frame: the store result rc for the submission id, and
 * when it failed the server's error number and message (msg NULL: none).
 */
int	hark_cq_encode_answer(struct hark_buf *out, const char *id, int rc,
	    unsigned int err, const char *msg);

/*
 * Whether buf starts with a whole frame: its length with the header (>0),
 * 0 when more bytes are needed, -1 when the header is bad (too long).
 */
long	hark_cq_frame(const unsigned char *buf, size_t len);
/*
 * Decodes a whole frame's payload (after the 4-byte length).  0 and *out,
 * or -1: a bad magic or type, a short or overlong field, an id or a
 * name that is not one hark makes, trailing bytes.
 */
int	hark_cq_decode_submit(const unsigned char *p, size_t len,
	    struct hark_cq_sub *out);
/* 0 with *rc, id (HARK_ID_SIZE bytes), *err and msg (msgsize bytes), or -1. */
int	hark_cq_decode_answer(const unsigned char *p, size_t len, char *id,
	    int *rc, unsigned int *err, char *msg, size_t msgsize);

/*
 * The worker's side: a connection to the writer's socket, opened at first
 * use and again after a failure.  hark_cq_submit sends the submission and
 * waits up to timeout_ms for its answer: 0 with *rc (the store result of
 * that row's commit), or -1 when there was no definite answer (no writer,
 * it died or did not answer in time): the caller then files the row on
 * its direct path, which meets the row instead of filing it twice should
 * the writer have committed it after all (the id is hark-made).
 */
struct hark_cq_client;

struct hark_cq_client	*hark_cq_client_new(const char *path, int timeout_ms);
void	hark_cq_client_free(struct hark_cq_client *);
int	hark_cq_submit(struct hark_cq_client *, const struct hark_feedback *fb,
	    const char *key, int status, const char *body, size_t body_len,
	    const struct hark_store_submission *parts, int *rc);
/* The writer's error with the last answer that was not a success. */
const char *hark_cq_error(const struct hark_cq_client *, unsigned int *err);

/*
 * Makes hark_feedback_submit, _submit_idem and _submit_parts
 * (lib/feedback.c) go through q (owned from now on; NULL: the direct path
 * again).  The pre-fork master
 * sets it in each worker it forks while a writer is kept.
 */
void	hark_feedback_use_queue(struct hark_cq_client *q);

#endif
