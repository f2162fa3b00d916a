/*
 * fuzz_commitq.c: libFuzzer harness for the commit queue's frames
 * (lib/commitq.c: hark_cq_frame, hark_cq_decode_submit / _answer).
 *
 * fuzz-sources: lib/commitq.c lib/buf.c lib/vocab.c lib/ids.c lib/log.c lib/media.c
 * fuzz-pkgs: libcrypto libmagic
 *
 * Input: a frame's payload as a worker would send it to the writer.  It
 * must never crash; one that decodes is exactly what the encoder writes for
 * what it decodes to (a submission has one spelling), and the encoder's
 * frame announces its own length.  The same for an answer.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "commitq.h"
#include "ids.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
same(const struct hark_buf *b, const uint8_t *data, size_t size)
{
	if (hark_cq_frame((const unsigned char *)b->data, b->len) !=
	    (long)b->len || b->len != size + 4 ||
	    memcmp(b->data + 4, data, size) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hark_cq_sub	 sub;
	struct hark_buf		 b = { 0 };
	char			 id[HARK_ID_SIZE], msg[512];
	unsigned int		 err;
	int			 rc;

	(void)hark_cq_frame(data, size);
	if (hark_cq_decode_submit(data, size, &sub) == 0) {
		if (hark_cq_encode_submit(&b, &sub.fb,
		    sub.idem_key[0] != '\0' ? sub.idem_key : NULL,
		    sub.idem_status, sub.idem_body, sub.idem_body_len,
		    sub.has_parts ? &sub.parts : NULL) == -1)
			abort();
		same(&b, data, size);
		hark_buf_reset(&b);
	}
	if (hark_cq_decode_answer(data, size, id, &rc, &err, msg,
	    sizeof(msg)) == 0) {
		if (hark_cq_encode_answer(&b, id, rc, err,
		    msg[0] != '\0' ? msg : NULL) == -1)
			abort();
		same(&b, data, size);
	}
	hark_buf_free(&b);
	return 0;
}
