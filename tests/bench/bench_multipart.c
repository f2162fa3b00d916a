/*
 * bench_multipart.c: the streaming multipart parser's throughput on a 50 MB
 * body, against memcpy of the same bytes.
 *
 * usage: make tests/bench/bench_multipart && tests/bench/bench_multipart [MB [chunk-KiB [rounds]]]
 *
 * The body is one payload part and one file part of random bytes (what
 * compressed audio looks like: a CR every 256 bytes on average), fed in
 * chunks of the size a FastCGI read hands over (default 64 KiB).  Three
 * figures, best of the rounds:
 *   memcpy    the body copied chunk by chunk into a 64 KiB buffer;
 *   parse     the parser, its data callback doing nothing;
 *   parse+cp  the parser, its data callback copying into the buffer (what a
 *             caller writing a file does before write(2));
 * and a worst case: a file part of "\r\n--" near-misses of the boundary
 * (every CR starts a compare).
 *
 * Measured on the 2-core development VM (issue 14), 50 MB, 64 KiB chunks,
 * -O2 without sanitizers, load average 3-4 from other builds, best of 5-7:
 *   memcpy 7.5 to 9.1 GB/s; parse 3.8 to 5.0 GB/s; parse+cp 3.8 to 4.3
 *   GB/s (0.5x memcpy); all near-misses 2.2 to 2.8 GB/s.
 * With 8 KiB chunks the same within noise.  A parser at half of memcpy is
 * a thousand times what a FastCGI upload delivers: it is never the cost.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "multipart.h"

#define BOUNDARY	"----formdata-undici-012345678901"

static unsigned char	 sink[64 * 1024];
static size_t		 sunk;

static double
seconds(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cb_nothing(void *arg, const struct hark_mp_part *p, const void *d, size_t n)
{
	(void)arg;
	(void)p;
	(void)d;
	sunk += n;
	return 0;
}

static int
cb_copy(void *arg, const struct hark_mp_part *p, const void *d, size_t n)
{
	const unsigned char	*s = d;
	size_t			 k;

	(void)arg;
	(void)p;
	while (n > 0) {
		k = n < sizeof(sink) ? n : sizeof(sink);
		memcpy(sink, s, k);
		s += k;
		n -= k;
		sunk += k;
	}
	return 0;
}

/* A body with a file part of len bytes; worst: near-misses instead of noise. */
static unsigned char *
make_body(size_t len, int worst, size_t *blen)
{
	static const char	 head[] =
	    "--" BOUNDARY "\r\n"
	    "Content-Disposition: form-data; name=\"payload\"; filename=\"blob\"\r\n"
	    "Content-Type: application/json\r\n\r\n"
	    "{\"transcript\":\"\"}\r\n"
	    "--" BOUNDARY "\r\n"
	    "Content-Disposition: form-data; name=\"audio\"; filename=\"a.webm\"\r\n"
	    "Content-Type: audio/webm\r\n\r\n";
	static const char	 tail[] = "\r\n--" BOUNDARY "--\r\n";
	static const char	 miss[] = "\r\n--" BOUNDARY "X";
	unsigned char		*b;
	size_t			 i, off;
	uint64_t		 x = 88172645463325252ULL;

	*blen = sizeof(head) - 1 + len + sizeof(tail) - 1;
	if ((b = malloc(*blen)) == NULL) {
		perror("malloc");
		exit(1);
	}
	memcpy(b, head, sizeof(head) - 1);
	off = sizeof(head) - 1;
	for (i = 0; i < len; i++) {
		if (worst) {
			b[off + i] = (unsigned char)miss[i % (sizeof(miss) - 1)];
			continue;
		}
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		b[off + i] = (unsigned char)x;
	}
	memcpy(b + off + len, tail, sizeof(tail) - 1);
	return b;
}

static double
run_memcpy(const unsigned char *b, size_t n, size_t chunk)
{
	double	 t = seconds();
	size_t	 off, k;

	for (off = 0; off < n; off += k) {
		k = n - off < chunk ? n - off : chunk;
		cb_copy(NULL, NULL, b + off, k);
	}
	return seconds() - t;
}

static double
run_parse(const unsigned char *b, size_t n, size_t chunk,
    int (*data)(void *, const struct hark_mp_part *, const void *, size_t))
{
	struct hark_mp_callbacks cb = { NULL, data, NULL, NULL };
	struct hark_mp_error	 err;
	struct hark_mp		*mp;
	double			 t;
	size_t			 off, k;

	mp = hark_mp_new("multipart/form-data; boundary=" BOUNDARY, NULL, &cb,
	    NULL, &err);
	if (mp == NULL) {
		fprintf(stderr, "%s\n", err.msg);
		exit(1);
	}
	t = seconds();
	for (off = 0; off < n; off += k) {
		k = n - off < chunk ? n - off : chunk;
		if (hark_mp_feed(mp, b + off, k) == -1)
			break;
	}
	if (hark_mp_finish(mp) == -1) {
		fprintf(stderr, "parse failed: %s\n", hark_mp_error(mp)->msg);
		exit(1);
	}
	t = seconds() - t;
	hark_mp_free(mp);
	return t;
}

static void
report(const char *what, double best, size_t n)
{
	printf("%-28s %8.1f MB/s  (%.3f s best)\n", what,
	    (double)n / 1e6 / best, best);
}

int
main(int argc, char **argv)
{
	size_t		 mb = argc > 1 ? strtoul(argv[1], NULL, 10) : 50;
	size_t		 chunk = (argc > 2 ? strtoul(argv[2], NULL, 10) : 64) *
			    1024;
	int		 rounds = argc > 3 ? atoi(argv[3]) : 5;
	unsigned char	*body;
	size_t		 n, want;
	double		 bm = 1e9, bp = 1e9, bpc = 1e9, bw = 1e9, t;
	int		 r, worst;

	for (worst = 0; worst <= 1; worst++) {
		body = make_body(mb * 1000 * 1000, worst, &n);
		want = mb * 1000 * 1000 + sizeof("{\"transcript\":\"\"}") - 1;
		for (r = 0; r < rounds; r++) {
			if (!worst) {
				if ((t = run_memcpy(body, n, chunk)) < bm)
					bm = t;
				sunk = 0;
				if ((t = run_parse(body, n, chunk, cb_nothing)) < bp)
					bp = t;
				if (sunk != want) {
					fprintf(stderr, "parsed %zu bytes, want %zu\n",
					    sunk, want);
					return 1;
				}
				if ((t = run_parse(body, n, chunk, cb_copy)) < bpc)
					bpc = t;
			} else if ((t = run_parse(body, n, chunk, cb_copy)) < bw)
				bw = t;
		}
		free(body);
	}
	printf("body %zu MB, chunks of %zu KiB, best of %d\n", mb,
	    chunk / 1024, rounds);
	report("memcpy", bm, n);
	report("parse", bp, n);
	report("parse+cp", bpc, n);
	report("parse+cp, all near-misses", bw, n);
	printf("parse+cp / memcpy: %.2f\n", bm / bpc);
	return 0;
}
