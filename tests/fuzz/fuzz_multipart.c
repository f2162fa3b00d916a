/*
 * fuzz_multipart.c: libFuzzer harness for the streaming multipart/form-data
 * parser (lib/multipart.c).
 *
 * fuzz-sources: lib/multipart.c lib/utf8.c
 *
 * Input: the Content-Type value, a newline, then the body.  The body is
 * parsed three times: whole, one byte at a time, and in chunks of sizes
 * drawn from the input.  Beyond never crashing, it holds the parser to what
 * multipart.h promises:
 * - how the body is cut into chunks changes nothing: the same fault (code,
 *   part and message), the same parts with the same names, filenames,
 *   types and bytes;
 * - callbacks come in order (begin, data..., end), data pieces are never
 *   empty, a name is never empty, done comes once and only on success;
 * - no more parts than the limit, and no more part bytes than the body has;
 * - a fault always has a message.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "multipart.h"

#define FZ_CT_MAX	512

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct fz_run {
	uint64_t		 h;		/* FNV-1a over all events */
	size_t			 parts;
	size_t			 bytes;
	int			 done;
	bool			 open;
	enum hark_mp_code	 code;
	size_t			 err_part;
	char			 msg[256];
};

static void
fz_hash(struct fz_run *r, const void *d, size_t n)
{
	const unsigned char	*p = d;
	size_t			 i;

	for (i = 0; i < n; i++) {
		r->h ^= p[i];
		r->h *= 0x100000001b3ULL;
	}
}

static void
fz_hash_str(struct fz_run *r, const char *s)
{
	if (s == NULL)
		fz_hash(r, "\x01", 1);
	else
		fz_hash(r, s, strlen(s) + 1);
}

static int
fz_begin(void *arg, const struct hark_mp_part *p)
{
	struct fz_run	*r = arg;

	if (r->open || p->name == NULL || p->name[0] == '\0')
		abort();
	r->open = true;
	r->parts++;
	if (p->index != r->parts)
		abort();
	fz_hash(r, "B", 1);
	fz_hash_str(r, p->name);
	fz_hash_str(r, p->filename);
	fz_hash_str(r, p->content_type);
	return 0;
}

static int
fz_data(void *arg, const struct hark_mp_part *p, const void *d, size_t n)
{
	struct fz_run	*r = arg;

	(void)p;
	if (!r->open || n == 0)
		abort();
	r->bytes += n;
	fz_hash(r, d, n);
	return 0;
}

static int
fz_end(void *arg, const struct hark_mp_part *p)
{
	struct fz_run	*r = arg;

	(void)p;
	if (!r->open)
		abort();
	r->open = false;
	fz_hash(r, "E", 1);
	return 0;
}

static int
fz_done(void *arg, size_t nparts)
{
	struct fz_run	*r = arg;

	if (r->open || nparts != r->parts)
		abort();
	r->done++;
	return 0;
}

static const struct hark_mp_callbacks fz_cb = {
	fz_begin, fz_data, fz_end, fz_done
};

/* mode 0: whole; 1: byte by byte; 2: sizes from seed. */
static void
fz_parse(const char *ct, const uint8_t *b, size_t n, int mode,
    uint64_t seed, const struct hark_mp_limits *lim, struct fz_run *r)
{
	struct hark_mp		*mp;
	struct hark_mp_error	 err;
	size_t			 off = 0, k;
	int			 rc = 0;
	uint64_t		 x = seed | 1;

	memset(r, 0, sizeof(*r));
	r->h = 0xcbf29ce484222325ULL;
	mp = hark_mp_new(ct, lim, &fz_cb, r, &err);
	if (mp == NULL) {
		r->code = err.code;
		r->err_part = err.part;
		snprintf(r->msg, sizeof(r->msg), "%s", err.msg);
		return;
	}
	while (off < n && rc == 0) {
		if (mode == 0)
			k = n - off;
		else if (mode == 1)
			k = 1;
		else {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			k = 1 + (size_t)(x % 97);
		}
		if (k > n - off)
			k = n - off;
		rc = hark_mp_feed(mp, b + off, k);
		off += k;
	}
	if (rc == 0)
		(void)hark_mp_finish(mp);
	r->code = hark_mp_error(mp)->code;
	r->err_part = hark_mp_error(mp)->part;
	snprintf(r->msg, sizeof(r->msg), "%s", hark_mp_error(mp)->msg);
	hark_mp_free(mp);
}

static void
fz_same(const struct fz_run *a, const struct fz_run *b)
{
	if (a->code != b->code || a->err_part != b->err_part ||
	    strcmp(a->msg, b->msg) != 0 || a->done != b->done ||
	    a->parts != b->parts || a->bytes != b->bytes || a->h != b->h) {
		fprintf(stderr, "chunking changed the outcome: %s/%s vs %s/%s\n",
		    hark_mp_code_name(a->code), a->msg,
		    hark_mp_code_name(b->code), b->msg);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hark_mp_limits	 lim;
	struct fz_run		 whole, bytes, chunks;
	char			 ct[FZ_CT_MAX];
	const uint8_t		*nl;
	size_t			 ctlen, n;

	nl = memchr(data, '\n', size < FZ_CT_MAX ? size : FZ_CT_MAX);
	if (nl == NULL)
		return 0;
	ctlen = (size_t)(nl - data);
	memcpy(ct, data, ctlen);
	ct[ctlen] = '\0';
	if (strlen(ct) != ctlen)
		return 0;	/* a header value has no NUL */
	data = nl + 1;
	n = size - ctlen - 1;

	/* Small limits, so that inputs reach them. */
	hark_mp_limits_default(&lim);
	lim.max_parts = 4;
	lim.max_header_line = 200;
	lim.max_header_block = 400;
	lim.max_preamble = 64;
	lim.unique_names = (size & 1) == 0;

	fz_parse(ct, data, n, 0, 0, &lim, &whole);
	fz_parse(ct, data, n, 1, 0, &lim, &bytes);
	fz_parse(ct, data, n, 2, size * 2654435761u, &lim, &chunks);
	fz_same(&whole, &bytes);
	fz_same(&whole, &chunks);

	if ((whole.code == HARK_MP_OK) != (whole.done == 1))
		abort();
	if (whole.code != HARK_MP_OK && whole.msg[0] == '\0')
		abort();
	if (whole.parts > lim.max_parts || whole.bytes > n)
		abort();
	return 0;
}
