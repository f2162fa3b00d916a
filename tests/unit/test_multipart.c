/* test_multipart.c: the streaming multipart/form-data parser, fed as real clients build bodies. */
#include "config.h"

#include <check.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "multipart.h"

#define MAXP	40

/* ---- what the callbacks saw ---- */

struct seen_part {
	char		 name[256];
	char		 filename[512];
	char		 ctype[256];
	bool		 has_filename, has_ctype, ended;
	unsigned char	*data;
	size_t		 len, cap;
	EVP_MD_CTX	*md;
	unsigned char	 sha[32];
};

struct seen {
	struct seen_part p[MAXP];
	size_t		 n;
	int		 done;
	size_t		 done_parts;
	bool		 bad_order;	/* data or end outside a part */
	bool		 empty_piece;	/* part_data with n == 0 */
	bool		 keep;		/* keep the bytes (else only hash) */
	int		 abort_at;	/* part_begin of this index fails */
	enum hark_mp_code code;
	char		 msg[256];
	size_t		 err_part;
};

static int
on_begin(void *arg, const struct hark_mp_part *mp)
{
	struct seen		*s = arg;
	struct seen_part	*p;

	if (s->n > 0 && !s->p[s->n - 1].ended)
		s->bad_order = true;
	if (s->n == MAXP)
		return 1;
	p = &s->p[s->n++];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", mp->name);
	if (mp->filename != NULL) {
		p->has_filename = true;
		snprintf(p->filename, sizeof(p->filename), "%s", mp->filename);
	}
	if (mp->content_type != NULL) {
		p->has_ctype = true;
		snprintf(p->ctype, sizeof(p->ctype), "%s", mp->content_type);
	}
	p->md = EVP_MD_CTX_new();
	ck_assert_ptr_nonnull(p->md);
	ck_assert_int_eq(EVP_DigestInit_ex(p->md, EVP_sha256(), NULL), 1);
	if (mp->index != s->n)
		s->bad_order = true;
	return s->abort_at != 0 && (size_t)s->abort_at == s->n;
}

static int
on_data(void *arg, const struct hark_mp_part *mp, const void *d, size_t n)
{
	struct seen		*s = arg;
	struct seen_part	*p;

	(void)mp;
	if (s->n == 0 || s->p[s->n - 1].ended) {
		s->bad_order = true;
		return 0;
	}
	if (n == 0)
		s->empty_piece = true;
	p = &s->p[s->n - 1];
	EVP_DigestUpdate(p->md, d, n);
	if (s->keep) {
		if (p->len + n > p->cap) {
			p->cap = (p->len + n) * 2;
			p->data = realloc(p->data, p->cap);
			ck_assert_ptr_nonnull(p->data);
		}
		memcpy(p->data + p->len, d, n);
	}
	p->len += n;
	return 0;
}

static int
on_end(void *arg, const struct hark_mp_part *mp)
{
	struct seen		*s = arg;
	struct seen_part	*p;

	(void)mp;
	if (s->n == 0 || s->p[s->n - 1].ended) {
		s->bad_order = true;
		return 0;
	}
	p = &s->p[s->n - 1];
	p->ended = true;
	EVP_DigestFinal_ex(p->md, p->sha, NULL);
	EVP_MD_CTX_free(p->md);
	p->md = NULL;
	return 0;
}

static int
on_done(void *arg, size_t nparts)
{
	struct seen	*s = arg;

	s->done++;
	s->done_parts = nparts;
	return 0;
}

static const struct hark_mp_callbacks cbs = {
	on_begin, on_data, on_end, on_done
};

static void
seen_free(struct seen *s)
{
	size_t	 i;

	for (i = 0; i < s->n; i++) {
		free(s->p[i].data);
		if (s->p[i].md != NULL)
			EVP_MD_CTX_free(s->p[i].md);
	}
	s->n = 0;
}

/* ---- feeding ---- */

static uint64_t
next_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/*
 * Parses body with ct, fed in chunks: chunk > 0 is a fixed size, 0 the
 * whole body at once, < 0 random sizes (1 to -chunk) from seed.  Returns
 * the code; *s holds what the callbacks saw.
 */
static enum hark_mp_code
parse_with(const char *ct, const void *body, size_t len, long chunk,
    uint64_t seed, const struct hark_mp_limits *lim, struct seen *s)
{
	struct hark_mp		*mp;
	struct hark_mp_error	 err;
	const unsigned char	*b = body;
	size_t			 off = 0, k;
	int			 rc = 0;
	uint64_t		 x = seed | 1;

	mp = hark_mp_new(ct, lim, &cbs, s, &err);
	if (mp == NULL) {
		s->code = err.code;
		snprintf(s->msg, sizeof(s->msg), "%s", err.msg);
		s->err_part = err.part;
		return err.code;
	}
	while (off < len && rc == 0) {
		if (chunk == 0)
			k = len - off;
		else if (chunk > 0)
			k = (size_t)chunk;
		else
			k = 1 + (size_t)(next_rand(&x) % (uint64_t)(-chunk));
		if (k > len - off)
			k = len - off;
		rc = hark_mp_feed(mp, b + off, k);
		off += k;
	}
	if (rc == 0)
		hark_mp_finish(mp);
	s->code = hark_mp_error(mp)->code;
	s->err_part = hark_mp_error(mp)->part;
	snprintf(s->msg, sizeof(s->msg), "%s", hark_mp_error(mp)->msg);
	hark_mp_free(mp);
	return s->code;
}

static struct seen	S;

static enum hark_mp_code
parse(const char *ct, const char *body)
{
	seen_free(&S);
	memset(&S, 0, sizeof(S));
	S.keep = true;
	return parse_with(ct, body, strlen(body), 0, 0, NULL, &S);
}

static enum hark_mp_code
parse_lim(const char *ct, const char *body, const struct hark_mp_limits *l)
{
	seen_free(&S);
	memset(&S, 0, sizeof(S));
	S.keep = true;
	return parse_with(ct, body, strlen(body), 0, 0, l, &S);
}

static void
teardown(void)
{
	seen_free(&S);
}

#define CT	"multipart/form-data; boundary=XyZ"

static void
assert_ok(enum hark_mp_code c)
{
	ck_assert_msg(c == HARK_MP_OK, "%s: %s", hark_mp_code_name(c), S.msg);
	ck_assert_int_eq(S.done, 1);
	ck_assert(!S.bad_order);
	ck_assert(!S.empty_piece);
}

static void
assert_fault(enum hark_mp_code c, enum hark_mp_code want)
{
	ck_assert_msg(c == want, "want %s, got %s: %s",
	    hark_mp_code_name(want), hark_mp_code_name(c), S.msg);
	ck_assert_int_eq(S.done, 0);
	ck_assert(S.msg[0] != '\0');
}

static void
assert_part(size_t i, const char *name, const char *data)
{
	ck_assert_uint_gt(S.n, i);
	ck_assert_str_eq(S.p[i].name, name);
	ck_assert(S.p[i].ended);
	ck_assert_uint_eq(S.p[i].len, strlen(data));
	ck_assert(S.p[i].len == 0 ||
	    memcmp(S.p[i].data, data, S.p[i].len) == 0);
}

/* ---- bodies as clients build them ---- */

struct gpart {
	const char		*name;
	const char		*filename;	/* NULL: none */
	const char		*ctype;		/* NULL: none */
	const unsigned char	*data;
	size_t			 len;
};

struct body {
	unsigned char	*b;
	size_t		 len, cap;
};

static void
put(struct body *o, const void *d, size_t n)
{
	if (o->len + n > o->cap) {
		o->cap = (o->len + n) * 2 + 256;
		o->b = realloc(o->b, o->cap);
		ck_assert_ptr_nonnull(o->b);
	}
	memcpy(o->b + o->len, d, n);
	o->len += n;
}

static void
puts_(struct body *o, const char *s)
{
	put(o, s, strlen(s));
}

/*
 * The layout curl -F, Python requests (urllib3), undici (Node's fetch) and
 * Chromium all send: "--B" CRLF, Content-Disposition (name, then filename),
 * Content-Type when there is one, a blank line, the data, CRLF before each
 * next delimiter, "--B--" CRLF at the end.  Only the boundary differs, and
 * undici and Chromium give a Blob appended without a name filename="blob".
 */
static void
build(struct body *o, const char *boundary, const struct gpart *p, size_t n)
{
	size_t	 i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < n; i++) {
		puts_(o, "--");
		puts_(o, boundary);
		puts_(o, "\r\nContent-Disposition: form-data; name=\"");
		puts_(o, p[i].name);
		puts_(o, "\"");
		if (p[i].filename != NULL) {
			puts_(o, "; filename=\"");
			puts_(o, p[i].filename);
			puts_(o, "\"");
		}
		puts_(o, "\r\n");
		if (p[i].ctype != NULL) {
			puts_(o, "Content-Type: ");
			puts_(o, p[i].ctype);
			puts_(o, "\r\n");
		}
		puts_(o, "\r\n");
		put(o, p[i].data, p[i].len);
		puts_(o, "\r\n");
	}
	puts_(o, "--");
	puts_(o, boundary);
	puts_(o, "--\r\n");
}

/* The originals the captured fixtures were made from (see check_fixture). */
static unsigned char *
original(size_t n, unsigned seed)
{
	unsigned char	*b = malloc(n ? n : 1);
	size_t		 i;

	ck_assert_ptr_nonnull(b);
	for (i = 0; i < n; i++)
		b[i] = (unsigned char)(((i * 31 + seed) ^ (i >> 8)) & 0xff);
	return b;
}

/* Random bytes salted with near-misses of "CRLF--boundary". */
static unsigned char *
nasty(size_t n, const char *boundary, uint64_t seed)
{
	unsigned char	*b = malloc(n);
	char		 d[128];
	size_t		 i, dl, k;
	uint64_t	 x = seed | 1;

	ck_assert_ptr_nonnull(b);
	dl = (size_t)snprintf(d, sizeof(d), "\r\n--%s", boundary);
	for (i = 0; i < n; i++)
		b[i] = (unsigned char)next_rand(&x);
	for (i = 0; i + dl + 2 < n; i += 50 + next_rand(&x) % 400) {
		switch (next_rand(&x) % 4) {
		case 0:		/* a prefix of the delimiter */
			k = 1 + next_rand(&x) % (dl - 1);
			memcpy(b + i, d, k);
			break;
		case 1:		/* the whole delimiter, then a letter */
			memcpy(b + i, d, dl);
			b[i + dl] = (unsigned char)('A' + next_rand(&x) % 26);
			break;
		case 2:		/* "--boundary" with no CRLF before it */
			b[i] = 'x';
			memcpy(b + i + 1, d + 2, dl - 2);
			b[i + dl - 1] = '\r';
			b[i + dl] = '\n';
			break;
		default:	/* CR CR LF, CRLF CRLF */
			memcpy(b + i, "\r\r\n\r\n-", 6);
			break;
		}
	}
	return b;
}

static void
sha256(const void *d, size_t n, unsigned char out[32])
{
	ck_assert_int_eq(EVP_Digest(d, n, out, NULL, EVP_sha256(), NULL), 1);
}

/* Parses a generated body in random chunks; each part's SHA-256 must match. */
static void
check_client_body(const char *ct, const char *boundary, struct gpart *p,
    size_t n, uint64_t seed)
{
	struct body	 o;
	unsigned char	 want[32];
	size_t		 i;
	long		 chunks[] = { 0, 1, 7, 4096, -3, -100, -70000 };
	size_t		 c;

	build(&o, boundary, p, n);
	for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		seen_free(&S);
		memset(&S, 0, sizeof(S));
		/* One byte at a time through a big body takes long under ASan. */
		if (chunks[c] == 1 && o.len > 100000)
			continue;
		ck_assert_msg(parse_with(ct, o.b, o.len, chunks[c], seed + c,
		    NULL, &S) == HARK_MP_OK, "chunk %ld seed %llu: %s",
		    chunks[c], (unsigned long long)(seed + c), S.msg);
		ck_assert_int_eq(S.done, 1);
		ck_assert(!S.bad_order && !S.empty_piece);
		ck_assert_uint_eq(S.n, n);
		for (i = 0; i < n; i++) {
			ck_assert_str_eq(S.p[i].name, p[i].name);
			ck_assert_int_eq(S.p[i].has_filename,
			    p[i].filename != NULL);
			if (p[i].filename != NULL)
				ck_assert_str_eq(S.p[i].filename,
				    p[i].filename);
			if (p[i].ctype != NULL)
				ck_assert_str_eq(S.p[i].ctype, p[i].ctype);
			ck_assert_uint_eq(S.p[i].len, p[i].len);
			sha256(p[i].data, p[i].len, want);
			ck_assert_msg(memcmp(S.p[i].sha, want, 32) == 0,
			    "part %zu SHA-256 differs (chunk %ld)", i + 1,
			    chunks[c]);
		}
	}
	free(o.b);
}

static const char payload[] =
    "{\"sessionId\":\"0190a3c2-7b1e-7cc0-8d3e-5f2a9b1c4d6e\","
    "\"transcript\":\"\",\"context\":{},\"identity\":null}";

static void
check_client(const char *boundary, bool blob_named, uint64_t seed)
{
	char		 ct[160];
	unsigned char	*audio = nasty(300000, boundary, seed);
	unsigned char	*shot = nasty(70001, boundary, seed + 1);
	struct gpart	 p[3] = {
		{ "payload", blob_named ? "blob" : NULL, "application/json",
		    (const unsigned char *)payload, sizeof(payload) - 1 },
		{ "audio", "recording.webm", "audio/webm", audio, 300000 },
		{ "screenshot", "screenshot.png", "image/png", shot, 70001 },
	};

	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", boundary);
	check_client_body(ct, boundary, p, 3, seed);
	free(audio);
	free(shot);
}

START_TEST(reads_what_curl_f_sends)
{
	check_client("------------------------abc123def4567890", false, 11);
}
END_TEST

START_TEST(reads_what_python_requests_sends)
{
	check_client("821f0c6b921003b7c70d4e5b94cc5113", false, 12);
}
END_TEST

START_TEST(reads_what_node_fetch_with_formdata_sends)
{
	check_client("----formdata-undici-012345678901", true, 13);
}
END_TEST

START_TEST(reads_what_chromium_formdata_sends)
{
	check_client("----WebKitFormBoundaryXyZ7aB3cD9eF1gH2", true, 14);
}
END_TEST

/* A captured body: "Content-Type value\n" then the raw body. */
static unsigned char *
load_fixture(const char *name, size_t *len, char *ct, size_t ctsz)
{
	char		 path[1024];
	FILE		*f;
	unsigned char	*b;
	long		 n;
	unsigned char	*nl;

	snprintf(path, sizeof(path), "%s/tests/fuzz/corpus/multipart/%s",
	    TEST_SRCDIR, name);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "%s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = malloc((size_t)n);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	nl = memchr(b, '\n', (size_t)n);
	ck_assert_ptr_nonnull(nl);
	ck_assert_uint_lt((size_t)(nl - b), ctsz);
	memcpy(ct, b, (size_t)(nl - b));
	ct[nl - b] = '\0';
	*len = (size_t)n - (size_t)(nl - b) - 1;
	memmove(b, nl + 1, *len);
	return b;
}

/*
 * Bodies captured from the real clients (curl 7.88 -F, requests 2.32, Node
 * 20's fetch, Chromium 156's fetch with FormData), made from original(3000, 7) as audio.webm, original(1500,
 * 11) as shot.png and a JSON payload: every split point and random chunks.
 */
static void
check_fixture(const char *file, const char *payload_filename)
{
	char		 ct[256];
	size_t		 len, s;
	unsigned char	*body = load_fixture(file, &len, ct, sizeof(ct));
	unsigned char	*audio = original(3000, 7), *shot = original(1500, 11);
	unsigned char	 wa[32], ws[32];

	sha256(audio, 3000, wa);
	sha256(shot, 1500, ws);
	for (s = 0; s <= 64; s++) {
		seen_free(&S);
		memset(&S, 0, sizeof(S));
		S.keep = true;
		ck_assert_msg(parse_with(ct, body, len, s == 0 ? 0 : -(long)s,
		    s, NULL, &S) == HARK_MP_OK, "%s: %s", file, S.msg);
		ck_assert_uint_eq(S.n, 3);
		ck_assert_str_eq(S.p[0].name, "payload");
		ck_assert_int_eq(S.p[0].has_filename, payload_filename != NULL);
		if (payload_filename != NULL)
			ck_assert_str_eq(S.p[0].filename, payload_filename);
		ck_assert_str_eq(S.p[0].ctype, "application/json");
		ck_assert(S.p[0].len > 10 && S.p[0].data[0] == '{');
		ck_assert_str_eq(S.p[1].name, "audio");
		ck_assert_str_eq(S.p[1].filename, "audio.webm");
		ck_assert_str_eq(S.p[1].ctype, "audio/webm");
		ck_assert_uint_eq(S.p[1].len, 3000);
		ck_assert(memcmp(S.p[1].sha, wa, 32) == 0);
		ck_assert_str_eq(S.p[2].name, "screenshot");
		ck_assert_str_eq(S.p[2].filename, "shot.png");
		ck_assert_str_eq(S.p[2].ctype, "image/png");
		ck_assert_uint_eq(S.p[2].len, 1500);
		ck_assert(memcmp(S.p[2].sha, ws, 32) == 0);
	}
	free(body);
	free(audio);
	free(shot);
}

START_TEST(reads_a_body_captured_from_curl)
{
	check_fixture("curl_f", NULL);
}
END_TEST

START_TEST(reads_a_body_captured_from_python_requests)
{
	check_fixture("python_requests", NULL);
}
END_TEST

START_TEST(reads_a_body_captured_from_node_fetch)
{
	check_fixture("node_fetch", "blob");
}
END_TEST

/* Chromium 156 headless, fetch() with FormData, Blob and File. */
START_TEST(reads_a_body_captured_from_chromium)
{
	check_fixture("chromium_formdata", "blob");
}
END_TEST

/*
 * Chromium, for the name 'we"ird\nname' and the file 'a"b\nc\\d\u20ac.png':
 * '"' and newlines percent-encoded, a backslash and UTF-8 sent raw.  The
 * parser passes that text on; it never decodes it.
 */
START_TEST(passes_on_chromiums_percent_encoded_names_as_sent)
{
	char		 ct[256];
	size_t		 len;
	unsigned char	*body = load_fixture("chromium_names", &len, ct,
			    sizeof(ct));

	seen_free(&S);
	memset(&S, 0, sizeof(S));
	S.keep = true;
	ck_assert_int_eq(parse_with(ct, body, len, -5, 3, NULL, &S),
	    HARK_MP_OK);
	ck_assert_uint_eq(S.n, 1);
	ck_assert_str_eq(S.p[0].name, "we%22ird%0D%0Aname");
	ck_assert_str_eq(S.p[0].filename, "a%22b%0Ac\\d\xe2\x82\xac.png");
	ck_assert_str_eq(S.p[0].ctype, "image/png");
	ck_assert_uint_eq(S.p[0].len, 1);
	free(body);
}
END_TEST

/* ---- split points ---- */

static const char small_body[] =
    "preamble\r\n"
    "--XyZ \t\r\n"
    "Content-Disposition: form-data; name=\"a\"\r\n"
    "\r\n"
    "one\r\n--XyZA\r\n--Xy\r--XyZ\r\n"
    "--XyZ\r\n"
    "content-disposition: form-data; name=b; filename=\"b.bin\"\r\n"
    "Content-Type: application/octet-stream\r\n"
    "\r\n"
    "\r\n\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"c\"\r\n"
    "\r\n"
    "\r\n"
    "--XyZ-- \r\n"
    "epilogue --XyZ\r\n";

static void
assert_small_body(void)
{
	ck_assert_uint_eq(S.n, 3);
	assert_part(0, "a", "one\r\n--XyZA\r\n--Xy\r--XyZ");
	assert_part(1, "b", "\r\n");
	ck_assert_str_eq(S.p[1].filename, "b.bin");
	ck_assert_str_eq(S.p[1].ctype, "application/octet-stream");
	assert_part(2, "c", "");
}

START_TEST(every_split_point_gives_the_same_parts)
{
	size_t		 len = sizeof(small_body) - 1, s, t;
	struct hark_mp	*mp;
	struct hark_mp_error err;

	for (s = 0; s <= len; s++)
		for (t = s; t <= len; t++) {
			seen_free(&S);
			memset(&S, 0, sizeof(S));
			S.keep = true;
			mp = hark_mp_new(CT, NULL, &cbs, &S, &err);
			ck_assert_ptr_nonnull(mp);
			ck_assert_int_eq(hark_mp_feed(mp, small_body, s), 0);
			ck_assert_int_eq(hark_mp_feed(mp, small_body + s,
			    t - s), 0);
			ck_assert_int_eq(hark_mp_feed(mp, small_body + t,
			    len - t), 0);
			ck_assert_msg(hark_mp_finish(mp) == 0, "split %zu %zu: %s",
			    s, t, hark_mp_error(mp)->msg);
			hark_mp_free(mp);
			ck_assert(!S.bad_order && !S.empty_piece);
			ck_assert_int_eq(S.done, 1);
			assert_small_body();
		}
}
END_TEST

START_TEST(one_byte_at_a_time_gives_the_same_parts)
{
	seen_free(&S);
	memset(&S, 0, sizeof(S));
	S.keep = true;
	ck_assert_int_eq(parse_with(CT, small_body, sizeof(small_body) - 1, 1,
	    0, NULL, &S), HARK_MP_OK);
	assert_small_body();
}
END_TEST

START_TEST(big_parts_in_random_chunks_keep_their_sha256)
{
	unsigned char	*d = nasty(1 << 20, "XyZ", 99);
	struct gpart	 p[2] = {
		{ "audio", "a.ogg", "audio/ogg", d, 1 << 20 },
		{ "screenshot", "s.png", "image/png", d + 1000, 5000 },
	};

	check_client_body(CT, "XyZ", p, 2, 1234);
	free(d);
}
END_TEST

START_TEST(part_data_is_handed_on_during_the_feed_that_carried_it)
{
	static const char	 head[] = "--XyZ\r\nContent-Disposition: "
	    "form-data; name=\"audio\"; filename=\"a.webm\"\r\n\r\n";
	struct hark_mp		*mp;
	struct hark_mp_error	 err;
	unsigned char		*chunk = nasty(1 << 20, "XyZ", 5);
	int			 i;

	seen_free(&S);
	memset(&S, 0, sizeof(S));
	mp = hark_mp_new(CT, NULL, &cbs, &S, &err);
	ck_assert_ptr_nonnull(mp);
	ck_assert_int_eq(hark_mp_feed(mp, head, sizeof(head) - 1), 0);
	/* 8 MiB through: nothing kept but a delimiter's worth at a time. */
	for (i = 0; i < 8; i++) {
		chunk[(1 << 20) - 1] = 'x';	/* no held match at the end */
		ck_assert_int_eq(hark_mp_feed(mp, chunk, 1 << 20), 0);
		ck_assert_uint_eq(S.p[0].len, (size_t)(i + 1) << 20);
		ck_assert(!S.p[0].ended);
	}
	/* A chunk ending in "CRLF--X" holds those bytes, no more. */
	ck_assert_int_eq(hark_mp_feed(mp, "ab\r\n--X", 7), 0);
	ck_assert_uint_eq(S.p[0].len, (8u << 20) + 2);
	ck_assert_int_eq(hark_mp_feed(mp, "q", 1), 0);
	ck_assert_uint_eq(S.p[0].len, (8u << 20) + 8);
	ck_assert_int_eq(hark_mp_feed(mp, "\r\n--XyZ--\r\n", 13), 0);
	ck_assert(S.p[0].ended);
	ck_assert_int_eq(hark_mp_finish(mp), 0);
	hark_mp_free(mp);
	free(chunk);
}
END_TEST

/* ---- RFC 7578 / 2046 edge cases ---- */

START_TEST(boundary_like_text_inside_data_is_data)
{
	assert_ok(parse(CT,
	    "--XyZ\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\n"
	    "a--XyZ\r\nb\r\n--XyZX\r\n-XyZ\r\n--xyz"
	    "\r\n--XyZ--\r\n"));
	ck_assert_uint_eq(S.n, 1);
	assert_part(0, "t", "a--XyZ\r\nb\r\n--XyZX\r\n-XyZ\r\n--xyz");
}
END_TEST

START_TEST(a_part_whose_data_starts_with_the_boundary_is_empty)
{
	/* "headers CRLF CRLF --B": the grammar's body-part without a body. */
	assert_ok(parse(CT,
	    "--XyZ\r\nContent-Disposition: form-data; name=\"e\"\r\n\r\n"
	    "--XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n"
	    "x\r\n--XyZ--"));
	ck_assert_uint_eq(S.n, 2);
	assert_part(0, "e", "");
	assert_part(1, "f", "x");
}
END_TEST

START_TEST(empty_parts_and_a_crlf_that_is_data)
{
	assert_ok(parse(CT,
	    "--XyZ\r\nContent-Disposition: form-data; name=\"empty\"\r\n\r\n"
	    "\r\n--XyZ\r\nContent-Disposition: form-data; name=\"crlf\"\r\n\r\n"
	    "line\r\n\r\n--XyZ\r\nContent-Disposition: form-data; name=\"f\"; "
	    "filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n"
	    "\r\n--XyZ--\r\n"));
	ck_assert_uint_eq(S.n, 3);
	assert_part(0, "empty", "");
	assert_part(1, "crlf", "line\r\n");
	assert_part(2, "f", "");
	ck_assert(S.p[2].has_filename);
	ck_assert_str_eq(S.p[2].filename, "");
}
END_TEST

START_TEST(skips_a_preamble_and_an_epilogue)
{
	assert_ok(parse(CT,
	    "This is the preamble.  It is to be ignored.\r\n"
	    "--XyZ\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\n"
	    "v\r\n--XyZ--\r\nThis is the epilogue.\r\n--XyZ\r\njunk"));
	ck_assert_uint_eq(S.n, 1);
	assert_part(0, "p", "v");
}
END_TEST

START_TEST(a_preamble_ending_at_a_boundary_without_a_crlf_is_data_of_no_one)
{
	/* "junk--XyZ" is not a delimiter: the first one comes later. */
	assert_ok(parse(CT,
	    "junk--XyZ\r\n\r\n--XyZ\r\nContent-Disposition: form-data; "
	    "name=\"p\"\r\n\r\nv\r\n--XyZ--"));
	ck_assert_uint_eq(S.n, 1);
	assert_part(0, "p", "v");
}
END_TEST

START_TEST(takes_transport_padding_after_boundaries)
{
	assert_ok(parse(CT,
	    "--XyZ  \t \r\nContent-Disposition: form-data; name=\"p\"\r\n\r\n"
	    "v\r\n--XyZ\t\r\nContent-Disposition: form-data; name=\"q\"\r\n\r\n"
	    "w\r\n--XyZ--  \r\n"));
	ck_assert_uint_eq(S.n, 2);
	assert_part(0, "p", "v");
	assert_part(1, "q", "w");
}
END_TEST

START_TEST(a_close_delimiter_without_a_final_crlf_ends_the_body)
{
	assert_ok(parse(CT,
	    "--XyZ\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\n"
	    "v\r\n--XyZ--"));
	assert_part(0, "p", "v");
}
END_TEST

START_TEST(a_body_of_only_the_close_delimiter_has_no_parts)
{
	assert_ok(parse(CT, "--XyZ--\r\n"));
	ck_assert_uint_eq(S.n, 0);
	ck_assert_uint_eq(S.done_parts, 0);
}
END_TEST

START_TEST(reads_quoted_boundaries_with_rfc2046_characters)
{
	assert_ok(parse("multipart/form-data; boundary=\"simple boundary\"",
	    "--simple boundary\r\nContent-Disposition: form-data; "
	    "name=\"x\"\r\n\r\n1\r\n--simple boundary--\r\n"));
	assert_part(0, "x", "1");
	assert_ok(parse("Multipart/Form-Data;charset=utf-8;BOUNDARY=\"'()+_,-./:=?\"",
	    "--'()+_,-./:=?\r\nContent-Disposition: form-data; "
	    "name=\"x\"\r\n\r\n2\r\n--'()+_,-./:=?--\r\n"));
	assert_part(0, "x", "2");
	assert_ok(parse("multipart/form-data ; boundary=gc0p4Jq0M2Yt08j34c0p ; x=y",
	    "--gc0p4Jq0M2Yt08j34c0p\r\nContent-Disposition: form-data; "
	    "name=\"x\"\r\n\r\n3\r\n--gc0p4Jq0M2Yt08j34c0p--\r\n"));
	assert_part(0, "x", "3");
}
END_TEST

START_TEST(a_boundary_of_70_characters_is_taken)
{
	char	 ct[200], body[400];
	char	 b[71];

	memset(b, 'b', 70);
	b[70] = '\0';
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", b);
	snprintf(body, sizeof(body), "--%s\r\nContent-Disposition: form-data; "
	    "name=\"x\"\r\n\r\nv\r\n--%s--\r\n", b, b);
	assert_ok(parse(ct, body));
	assert_part(0, "x", "v");
}
END_TEST

START_TEST(other_part_headers_are_ignored_and_binary_encoding_is_taken)
{
	assert_ok(parse(CT,
	    "--XyZ\r\nX-Custom: 1\r\nContent-Transfer-Encoding: BINARY\r\n"
	    "Content-Disposition: form-data; name=\"p\"\r\n"
	    "Content-Length: 1\r\n\r\nv\r\n--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"q\"\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\nw\r\n--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"r\"\r\n"
	    "Content-Transfer-Encoding: 7bit\r\n\r\nx\r\n--XyZ--\r\n"));
	ck_assert_uint_eq(S.n, 3);
}
END_TEST

/* Go's mime/multipart issue 10616: an inner boundary the outer one prefixes. */
START_TEST(a_nested_boundary_that_extends_the_outer_one_is_data)
{
	assert_ok(parse("multipart/form-data; boundary=\"----=_Part_4c2f\"",
	    "------=_Part_4c2f\r\n"
	    "Content-Disposition: form-data; name=\"m\"\r\n"
	    "Content-Type: multipart/mixed; boundary=\"----=_Part_4c2f_alt\"\r\n"
	    "\r\n"
	    "------=_Part_4c2f_alt\r\nContent-Type: text/plain\r\n\r\nplain\r\n"
	    "------=_Part_4c2f_alt\r\nContent-Type: text/html\r\n\r\n<p>\r\n"
	    "------=_Part_4c2f_alt--\r\n"
	    "------=_Part_4c2f--\r\n"));
	ck_assert_uint_eq(S.n, 1);
	assert_part(0, "m",
	    "------=_Part_4c2f_alt\r\nContent-Type: text/plain\r\n\r\nplain\r\n"
	    "------=_Part_4c2f_alt\r\nContent-Type: text/html\r\n\r\n<p>\r\n"
	    "------=_Part_4c2f_alt--");
	ck_assert_str_eq(S.p[0].ctype,
	    "multipart/mixed; boundary=\"----=_Part_4c2f_alt\"");
}
END_TEST

/* Header-like text and lone CR, LF, CRLF as whole values are data. */
START_TEST(cr_lf_and_header_like_values_are_data)
{
	assert_ok(parse(CT,
	    "--XyZ\r\nContent-Disposition:form-data;name=lf\r\n\r\n\n\r\n"
	    "--XyZ\r\nContent-Disposition: form-data; name=\"cr\"\r\n\r\n\r\r\n"
	    "--XyZ\r\nContent-Disposition: form-data; name=\"crlf\"\r\n\r\n"
	    "\r\n\r\n"
	    "--XyZ\r\nContent-Disposition: form-data; name=\"hdr\"\r\n\r\n"
	    "Content-Type: image/png\r\nContent-Disposition: form-data; "
	    "name=\"x\"\r\n\r\n\r\n--XyZ--"));
	ck_assert_uint_eq(S.n, 4);
	assert_part(0, "lf", "\n");
	assert_part(1, "cr", "\r");
	assert_part(2, "crlf", "\r\n");
	assert_part(3, "hdr", "Content-Type: image/png\r\nContent-Disposition: "
	    "form-data; name=\"x\"\r\n\r\n");
}
END_TEST

/*
 * Every part size from 0 to 600 in 64-byte chunks (Go's TestParseAllSizes
 * and its "safeCount off by one"): the delimiter lands at every offset of
 * a chunk, split at every point of itself.
 */
START_TEST(every_part_size_across_chunk_edges)
{
	struct gpart	 p[2];
	struct body	 o;
	unsigned char	 a[600];
	size_t		 size;
	const char	*b = "08b84578eabc563dcba967a945cdf0d9f613864a8f4a716f0e81caa71a74";
	char		 ct[128];

	memset(a, 'A', sizeof(a));
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", b);
	for (size = 0; size <= sizeof(a); size++) {
		p[0] = (struct gpart){ "myfile", "my-file.txt",
		    "application/octet-stream", a, size };
		p[1] = (struct gpart){ "key", NULL, NULL,
		    (const unsigned char *)"val", 3 };
		build(&o, b, p, 2);
		seen_free(&S);
		memset(&S, 0, sizeof(S));
		S.keep = true;
		ck_assert_msg(parse_with(ct, o.b, o.len, 64, 0, NULL, &S) ==
		    HARK_MP_OK, "size %zu: %s", size, S.msg);
		ck_assert_uint_eq(S.n, 2);
		ck_assert_uint_eq(S.p[0].len, size);
		assert_part(1, "key", "val");
		free(o.b);
	}
}
END_TEST

START_TEST(one_character_boundaries_work)
{
	assert_ok(parse("multipart/form-data; boundary=-",
	    "---\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n"
	    "x\r\n---y\r\n--- \r\nContent-Disposition: form-data; "
	    "name=\"b\"\r\n\r\n-\r\n-----\r\n"));
	ck_assert_uint_eq(S.n, 2);
	assert_part(0, "a", "x\r\n---y");
	assert_part(1, "b", "-");
}
END_TEST

/* ---- names and filenames ---- */

START_TEST(filenames_are_passed_on_as_sent_never_as_paths)
{
	assert_ok(parse(CT,
	    "--XyZ\r\nContent-Disposition: form-data; name=\"audio\"; "
	    "filename=\"../../etc/passwd\"\r\n\r\nx\r\n--XyZ--\r\n"));
	ck_assert_str_eq(S.p[0].filename, "../../etc/passwd");
}
END_TEST

START_TEST(filename_star_is_decoded_and_wins_over_filename)
{
	assert_ok(parse(CT,
	    "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; "
	    "filename=\"EURO rates.txt\"; "
	    "filename*=UTF-8''%e2%82%ac%20rates.txt\r\n\r\nx\r\n"
	    "--XyZ\r\nContent-Disposition: form-data; name=\"g\"; "
	    "filename*=iso-8859-1'en'%A3%20rates.txt\r\n\r\ny\r\n--XyZ--\r\n"));
	ck_assert_str_eq(S.p[0].filename, "\xe2\x82\xac rates.txt");
	ck_assert_str_eq(S.p[1].filename, "\xc2\xa3 rates.txt");
}
END_TEST

START_TEST(reads_escapes_unquoted_values_and_raw_utf8)
{
	assert_ok(parse(CT,
	    "--XyZ\r\nContent-Disposition: form-data; name=plain; "
	    "filename=\"a\\\"b\\\\c\\d.txt\"\r\n\r\nx\r\n"
	    "--XyZ\r\nContent-Disposition: FORM-DATA;NAME=\"caf\xc3\xa9\";"
	    "filename = \"\xe5\x9b\xbe.png\";\r\n\r\ny\r\n--XyZ--\r\n"));
	ck_assert_str_eq(S.p[0].name, "plain");
	ck_assert_str_eq(S.p[0].filename, "a\"b\\c\\d.txt");
	ck_assert_str_eq(S.p[1].name, "caf\xc3\xa9");
	ck_assert_str_eq(S.p[1].filename, "\xe5\x9b\xbe.png");
}
END_TEST

START_TEST(invalid_utf8_in_a_filename_is_shown_as_question_marks)
{
	assert_ok(parse(CT,
	    "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; "
	    "filename=\"a\xff\xfe.txt\"\r\n\r\nx\r\n--XyZ--\r\n"));
	ck_assert_str_eq(S.p[0].filename, "a??.txt");
}
END_TEST

START_TEST(duplicate_names_are_allowed_when_the_caller_does_not_ask)
{
	struct hark_mp_limits	 l;

	hark_mp_limits_default(&l);
	l.unique_names = false;
	assert_ok(parse_lim(CT,
	    "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
	    "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n2\r\n"
	    "--XyZ--\r\n", &l));
	ck_assert_uint_eq(S.n, 2);
}
END_TEST

/* ---- faults: each its own code ---- */

START_TEST(refuses_a_content_type_that_is_not_multipart_form_data)
{
	assert_fault(parse("application/json", "{}"), HARK_MP_E_NOT_MULTIPART);
	assert_fault(parse("multipart/mixed; boundary=x", "--x--"),
	    HARK_MP_E_NOT_MULTIPART);
	assert_fault(parse("multipart/form-datax; boundary=x", "--x--"),
	    HARK_MP_E_NOT_MULTIPART);
}
END_TEST

START_TEST(refuses_multipart_without_a_boundary)
{
	assert_fault(parse("multipart/form-data", "--x--"),
	    HARK_MP_E_NO_BOUNDARY);
	assert_fault(parse("multipart/form-data; charset=utf-8", "--x--"),
	    HARK_MP_E_NO_BOUNDARY);
	assert_fault(parse("multipart/form-data; boundar=x", "--x--"),
	    HARK_MP_E_NO_BOUNDARY);
}
END_TEST

START_TEST(refuses_bad_boundaries)
{
	char	 ct[200];

	assert_fault(parse("multipart/form-data; boundary=\"\"", "--"),
	    HARK_MP_E_BAD_BOUNDARY);
	assert_fault(parse("multipart/form-data; boundary=", "--"),
	    HARK_MP_E_BAD_BOUNDARY);
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s",
	    "12345678901234567890123456789012345678901234567890123456789012345678901");
	assert_fault(parse(ct, "--"), HARK_MP_E_BAD_BOUNDARY);
	ck_assert(strstr(S.msg, "70") != NULL);
	assert_fault(parse("multipart/form-data; boundary=a@b", "--"),
	    HARK_MP_E_BAD_BOUNDARY);
	assert_fault(parse("multipart/form-data; boundary=\"a\r\nb\"", "--"),
	    HARK_MP_E_BAD_BOUNDARY);
	assert_fault(parse("multipart/form-data; boundary=\"ab \"", "--"),
	    HARK_MP_E_BAD_BOUNDARY);
	assert_fault(parse("multipart/form-data; boundary=\"ab", "--"),
	    HARK_MP_E_BAD_BOUNDARY);
	assert_fault(parse("multipart/form-data; boundary=a; boundary=b", "--"),
	    HARK_MP_E_BAD_BOUNDARY);
}
END_TEST

START_TEST(refuses_a_truncated_body_naming_the_part)
{
	static const char full[] =
	    "--XyZ\r\nContent-Disposition: form-data; name=\"audio\"\r\n\r\n"
	    "0123456789\r\n--XyZ--\r\n";
	char	 cut[sizeof(full)];
	size_t	 n, closing = strlen(full) - strlen("--\r\n");

	/* Every cut before the close-delimiter's "--" is truncated. */
	for (n = strlen("--XyZ") + 1; n < closing; n++) {
		memcpy(cut, full, n);
		cut[n] = '\0';
		assert_fault(parse(CT, cut), HARK_MP_E_TRUNCATED);
	}
	memcpy(cut, full, 60);
	cut[60] = '\0';
	assert_fault(parse(CT, cut), HARK_MP_E_TRUNCATED);
	ck_assert_uint_eq(S.err_part, 1);
	ck_assert_msg(strstr(S.msg, "part 1 (\"audio\")") != NULL, "%s", S.msg);
	ck_assert_msg(strstr(S.msg, "final boundary") != NULL, "%s", S.msg);
}
END_TEST

START_TEST(refuses_a_body_that_never_has_the_boundary)
{
	assert_fault(parse(CT, "hello"), HARK_MP_E_NO_DELIMITER);
	assert_fault(parse(CT, ""), HARK_MP_E_NO_DELIMITER);
	assert_fault(parse(CT, "--XyZX\r\n"), HARK_MP_E_NO_DELIMITER);
}
END_TEST

START_TEST(refuses_a_preamble_over_its_limit)
{
	struct hark_mp_limits	 l;
	char			 body[300];

	hark_mp_limits_default(&l);
	l.max_preamble = 10;
	assert_ok(parse_lim(CT, "0123456789\r\n--XyZ--\r\n", &l));
	assert_fault(parse_lim(CT, "0123456789X\r\n--XyZ--\r\n", &l),
	    HARK_MP_E_PREAMBLE);
	l.max_preamble = 0;
	assert_ok(parse_lim(CT, "--XyZ--\r\n", &l));
	/* "CRLF--B" opening the body is an empty preamble, then CRLF. */
	assert_ok(parse_lim(CT, "\r\n--XyZ--\r\n", &l));
	assert_fault(parse_lim(CT, "x\r\n--XyZ--\r\n", &l), HARK_MP_E_PREAMBLE);
	memset(body, '\r', sizeof(body) - 1);
	body[sizeof(body) - 1] = '\0';
	l.max_preamble = 100;
	assert_fault(parse_lim(CT, body, &l), HARK_MP_E_PREAMBLE);
}
END_TEST

START_TEST(refuses_junk_after_the_close_delimiter_but_not_an_epilogue)
{
	assert_fault(parse(CT, "--XyZ--garbage\r\n"), HARK_MP_E_AFTER_CLOSE);
	assert_fault(parse(CT,
	    "--XyZ\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\n"
	    "v\r\n--XyZ-- x\r\n"), HARK_MP_E_AFTER_CLOSE);
	assert_fault(parse(CT, "--XyZ--\rx"), HARK_MP_E_AFTER_CLOSE);
	assert_fault(parse(CT, "--XyZ--\r"), HARK_MP_E_AFTER_CLOSE);
	assert_ok(parse(CT, "--XyZ--\r\ngarbage is an epilogue"));
}
END_TEST

START_TEST(refuses_junk_after_a_boundary)
{
	assert_fault(parse(CT, "--XyZ x\r\n"), HARK_MP_E_BAD_DELIMITER);
	assert_fault(parse(CT, "--XyZ-x\r\n"), HARK_MP_E_BAD_DELIMITER);
	assert_fault(parse(CT, "--XyZ\rx"), HARK_MP_E_BAD_DELIMITER);
	assert_fault(parse(CT,
	    "--XyZ\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\n"
	    "v\r\n--XyZ -\r\n"), HARK_MP_E_BAD_DELIMITER);
	ck_assert_msg(strstr(S.msg, "part 1 (\"p\")") != NULL, "%s", S.msg);
}
END_TEST

START_TEST(refuses_bare_lf_line_ends)
{
	assert_fault(parse(CT, "--XyZ\n"), HARK_MP_E_BARE_LF);
	assert_fault(parse(CT, "--XyZ \n"), HARK_MP_E_BARE_LF);
	assert_fault(parse(CT,
	    "--XyZ\r\nContent-Disposition: form-data; name=\"p\"\n\n"
	    "v\r\n--XyZ--\r\n"), HARK_MP_E_BARE_LF);
	assert_fault(parse(CT,
	    "--XyZ\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\n"
	    "v\r\n--XyZ--\n"), HARK_MP_E_BARE_LF);
	/* In data, "LF--B" is data: the body then never closes. */
	assert_fault(parse(CT,
	    "--XyZ\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\n"
	    "v\n--XyZ--\n"), HARK_MP_E_TRUNCATED);
}
END_TEST

START_TEST(refuses_a_part_without_a_name)
{
	assert_fault(parse(CT,
	    "--XyZ\r\nContent-Type: text/plain\r\n\r\nv\r\n--XyZ--\r\n"),
	    HARK_MP_E_NO_NAME);
	ck_assert_uint_eq(S.err_part, 1);
	assert_fault(parse(CT,
	    "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
	    "--XyZ\r\nContent-Disposition: form-data; filename=\"x\"\r\n\r\n"
	    "v\r\n--XyZ--\r\n"), HARK_MP_E_NO_NAME);
	ck_assert_uint_eq(S.err_part, 2);
	ck_assert_msg(strstr(S.msg, "part 2") != NULL, "%s", S.msg);
	assert_fault(parse(CT,
	    "--XyZ\r\nContent-Disposition: form-data; name=\"\"\r\n\r\n"
	    "v\r\n--XyZ--\r\n"), HARK_MP_E_NO_NAME);
	assert_fault(parse(CT, "--XyZ\r\n\r\nv\r\n--XyZ--\r\n"),
	    HARK_MP_E_NO_NAME);
}
END_TEST

START_TEST(refuses_a_duplicate_part_name)
{
	assert_fault(parse(CT,
	    "--XyZ\r\nContent-Disposition: form-data; name=\"payload\"\r\n\r\n"
	    "{}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"audio\"\r\n"
	    "\r\n1\r\n--XyZ\r\nContent-Disposition: form-data; name=\"audio\"\r\n"
	    "\r\n2\r\n--XyZ--\r\n"), HARK_MP_E_DUPLICATE_NAME);
	ck_assert_uint_eq(S.err_part, 3);
	ck_assert_msg(strstr(S.msg, "part 3 (\"audio\")") != NULL, "%s", S.msg);
	ck_assert_uint_eq(S.n, 2);
}
END_TEST

START_TEST(refuses_more_parts_than_the_limit)
{
	struct hark_mp_limits	 l;
	static const char	 two[] =
	    "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
	    "--XyZ\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\n2\r\n"
	    "--XyZ--\r\n";
	static const char	 three[] =
	    "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
	    "--XyZ\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\n2\r\n"
	    "--XyZ\r\nContent-Disposition: form-data; name=\"c\"\r\n\r\n3\r\n"
	    "--XyZ--\r\n";

	hark_mp_limits_default(&l);
	l.max_parts = 2;
	assert_ok(parse_lim(CT, two, &l));
	assert_fault(parse_lim(CT, three, &l), HARK_MP_E_TOO_MANY_PARTS);
	ck_assert_uint_eq(S.err_part, 3);
	ck_assert_uint_eq(S.n, 2);
}
END_TEST

START_TEST(refuses_a_100_kib_part_header_line)
{
	size_t	 n = 100 * 1024;
	char	*body = malloc(n + 200);
	size_t	 k;

	ck_assert_ptr_nonnull(body);
	k = (size_t)sprintf(body, "--XyZ\r\nContent-Disposition: form-data; "
	    "name=\"a\"; filename=\"");
	memset(body + k, 'a', n);
	strcpy(body + k + n, "\"\r\n\r\nv\r\n--XyZ--\r\n");
	assert_fault(parse(CT, body), HARK_MP_E_HEADER_LINE);
	ck_assert_uint_eq(S.err_part, 1);
	free(body);
}
END_TEST

START_TEST(a_header_line_at_the_limit_is_taken)
{
	struct hark_mp_limits	 l;
	char			 body[300];
	/* "Content-Disposition: form-data; name=\"a\"" is 40 bytes. */
	hark_mp_limits_default(&l);
	l.max_header_line = 40;
	snprintf(body, sizeof(body), "--XyZ\r\nContent-Disposition: "
	    "form-data; name=\"a\"\r\n\r\nv\r\n--XyZ--\r\n");
	assert_ok(parse_lim(CT, body, &l));
	l.max_header_line = 39;
	assert_fault(parse_lim(CT, body, &l), HARK_MP_E_HEADER_LINE);
}
END_TEST

START_TEST(refuses_a_header_block_over_the_limit)
{
	struct hark_mp_limits	 l;
	char			 body[4000];
	size_t			 k, i;

	hark_mp_limits_default(&l);
	l.max_header_block = 200;
	k = (size_t)sprintf(body, "--XyZ\r\n");
	for (i = 0; i < 20; i++)
		k += (size_t)sprintf(body + k, "X-Pad-%02zu: 0123456789\r\n", i);
	sprintf(body + k, "Content-Disposition: form-data; name=\"a\"\r\n\r\n"
	    "v\r\n--XyZ--\r\n");
	assert_fault(parse_lim(CT, body, &l), HARK_MP_E_HEADER_BLOCK);
	ck_assert_uint_eq(S.err_part, 1);
	l.max_header_block = 2000;
	assert_ok(parse_lim(CT, body, &l));
}
END_TEST

START_TEST(refuses_malformed_part_headers)
{
	assert_fault(parse(CT,
	    "--XyZ\r\nContent-Disposition form-data; name=\"a\"\r\n\r\n"
	    "v\r\n--XyZ--\r\n"), HARK_MP_E_BAD_HEADER);
	assert_fault(parse(CT,
	    "--XyZ\r\nContent-Disposition: form-data;\r\n name=\"a\"\r\n\r\n"
	    "v\r\n--XyZ--\r\n"), HARK_MP_E_BAD_HEADER);
	assert_fault(parse(CT,
	    "--XyZ\r\nContent-Disposition : form-data; name=\"a\"\r\n\r\n"
	    "v\r\n--XyZ--\r\n"), HARK_MP_E_BAD_HEADER);
	assert_fault(parse(CT,
	    "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n"
	    "Content-Type: a/b\r\nContent-Type: c/d\r\n\r\nv\r\n--XyZ--\r\n"),
	    HARK_MP_E_BAD_HEADER);
	assert_fault(parse(CT,
	    "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n"
	    "X: a\rb\r\n\r\nv\r\n--XyZ--\r\n"), HARK_MP_E_BAD_HEADER);
	{
		static const char nul[] =
		    "--XyZ\r\nContent-Disposition: form-data; name=\"a\0\"\r\n"
		    "\r\nv\r\n--XyZ--\r\n";

		seen_free(&S);
		memset(&S, 0, sizeof(S));
		assert_fault(parse_with(CT, nul, sizeof(nul) - 1, 0, 0, NULL,
		    &S), HARK_MP_E_BAD_HEADER);
	}
}
END_TEST

START_TEST(refuses_a_malformed_content_disposition)
{
	static const char *bad[] = {
		"attachment; name=\"a\"",
		"form-data; name=\"a",
		"form-data; name=\"a\"; name=\"b\"",
		"form-data; name=\"a\" x",
		"form-data; name",
		"form-data; =\"a\"",
		"form-data; name=",
		"form-data; name=a\"b",
		"form-data; name=\"\xff\"",
		"form-data; name=\"a\"; filename=\"x\"; filename=\"y\"",
		"form-data; name=\"a\"; filename*=UTF-16''%00a",
		"form-data; name=\"a\"; filename*=UTF-8''%zz",
		"form-data; name=\"a\"; filename*=UTF-8''%0d%0aFake: log",
		"form-data; name=\"a\"; filename*=UTF-8''%ff",
		"form-data; name=\"a\"; filename*=a.txt",
		"form-data; name=\"a\"; filename*=UTF-8'a.txt",
	};
	char	 body[400];
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(body, sizeof(body), "--XyZ\r\nContent-Disposition: "
		    "%s\r\n\r\nv\r\n--XyZ--\r\n", bad[i]);
		ck_assert_msg(parse(CT, body) == HARK_MP_E_DISPOSITION,
		    "%s: %s", bad[i], hark_mp_code_name(S.code));
		ck_assert_int_eq(S.done, 0);
	}
	assert_fault(parse(CT,
	    "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n"
	    "Content-Disposition: form-data; name=\"b\"\r\n\r\nv\r\n--XyZ--\r\n"),
	    HARK_MP_E_DISPOSITION);
}
END_TEST

START_TEST(refuses_a_content_transfer_encoding_other_than_identity)
{
	assert_fault(parse(CT,
	    "--XyZ\r\nContent-Disposition: form-data; name=\"audio\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\nAAAA\r\n--XyZ--\r\n"),
	    HARK_MP_E_TRANSFER_ENCODING);
	ck_assert_msg(strstr(S.msg, "part 1 (\"audio\")") != NULL, "%s", S.msg);
	assert_fault(parse(CT,
	    "--XyZ\r\nContent-Transfer-Encoding: quoted-printable\r\n"
	    "Content-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--XyZ--\r\n"),
	    HARK_MP_E_TRANSFER_ENCODING);
}
END_TEST

START_TEST(a_callback_can_stop_the_parse)
{
	seen_free(&S);
	memset(&S, 0, sizeof(S));
	S.abort_at = 1;
	assert_fault(parse_with(CT, small_body, sizeof(small_body) - 1, 0, 0,
	    NULL, &S), HARK_MP_E_ABORTED);
}
END_TEST

START_TEST(feeding_after_the_end_is_a_usage_error)
{
	struct hark_mp		*mp;
	struct hark_mp_error	 err;

	seen_free(&S);
	memset(&S, 0, sizeof(S));
	mp = hark_mp_new(CT, NULL, &cbs, &S, &err);
	ck_assert_ptr_nonnull(mp);
	ck_assert_int_eq(hark_mp_feed(mp, "--XyZ--", 7), 0);
	ck_assert_int_eq(hark_mp_finish(mp), 0);
	ck_assert_int_eq(hark_mp_feed(mp, "x", 1), -1);
	ck_assert_int_eq(hark_mp_error(mp)->code, HARK_MP_E_USAGE);
	hark_mp_free(mp);
	ck_assert_int_eq(S.done, 1);
}
END_TEST

START_TEST(a_fault_is_sticky)
{
	struct hark_mp		*mp;
	struct hark_mp_error	 err;

	mp = hark_mp_new(CT, NULL, NULL, NULL, &err);
	ck_assert_ptr_nonnull(mp);
	ck_assert_int_eq(hark_mp_feed(mp, "--XyZ\n", 6), -1);
	ck_assert_int_eq(hark_mp_feed(mp, "--XyZ--\r\n", 9), -1);
	ck_assert_int_eq(hark_mp_finish(mp), -1);
	ck_assert_int_eq(hark_mp_error(mp)->code, HARK_MP_E_BARE_LF);
	hark_mp_free(mp);
}
END_TEST

START_TEST(every_code_has_a_distinct_name)
{
	int	 i, j;

	for (i = HARK_MP_OK; i <= HARK_MP_E_USAGE; i++)
		for (j = i + 1; j <= HARK_MP_E_USAGE; j++)
			ck_assert_str_ne(hark_mp_code_name(i),
			    hark_mp_code_name(j));
}
END_TEST

static Suite *
multipart_suite(void)
{
	Suite	*s = suite_create("multipart");
	TCase	*tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, reads_what_curl_f_sends);
	tcase_add_test(tc, reads_what_python_requests_sends);
	tcase_add_test(tc, reads_what_node_fetch_with_formdata_sends);
	tcase_add_test(tc, reads_what_chromium_formdata_sends);
	tcase_add_test(tc, reads_a_body_captured_from_curl);
	tcase_add_test(tc, reads_a_body_captured_from_python_requests);
	tcase_add_test(tc, reads_a_body_captured_from_node_fetch);
	tcase_add_test(tc, reads_a_body_captured_from_chromium);
	tcase_add_test(tc, passes_on_chromiums_percent_encoded_names_as_sent);
	tcase_add_test(tc, every_split_point_gives_the_same_parts);
	tcase_add_test(tc, one_byte_at_a_time_gives_the_same_parts);
	tcase_add_test(tc, big_parts_in_random_chunks_keep_their_sha256);
	tcase_add_test(tc, part_data_is_handed_on_during_the_feed_that_carried_it);
	tcase_add_test(tc, boundary_like_text_inside_data_is_data);
	tcase_add_test(tc, a_part_whose_data_starts_with_the_boundary_is_empty);
	tcase_add_test(tc, empty_parts_and_a_crlf_that_is_data);
	tcase_add_test(tc, skips_a_preamble_and_an_epilogue);
	tcase_add_test(tc, a_preamble_ending_at_a_boundary_without_a_crlf_is_data_of_no_one);
	tcase_add_test(tc, takes_transport_padding_after_boundaries);
	tcase_add_test(tc, a_close_delimiter_without_a_final_crlf_ends_the_body);
	tcase_add_test(tc, a_body_of_only_the_close_delimiter_has_no_parts);
	tcase_add_test(tc, reads_quoted_boundaries_with_rfc2046_characters);
	tcase_add_test(tc, a_boundary_of_70_characters_is_taken);
	tcase_add_test(tc, a_nested_boundary_that_extends_the_outer_one_is_data);
	tcase_add_test(tc, cr_lf_and_header_like_values_are_data);
	tcase_add_test(tc, every_part_size_across_chunk_edges);
	tcase_add_test(tc, one_character_boundaries_work);
	tcase_add_test(tc, other_part_headers_are_ignored_and_binary_encoding_is_taken);
	tcase_add_test(tc, filenames_are_passed_on_as_sent_never_as_paths);
	tcase_add_test(tc, filename_star_is_decoded_and_wins_over_filename);
	tcase_add_test(tc, reads_escapes_unquoted_values_and_raw_utf8);
	tcase_add_test(tc, invalid_utf8_in_a_filename_is_shown_as_question_marks);
	tcase_add_test(tc, duplicate_names_are_allowed_when_the_caller_does_not_ask);
	tcase_add_test(tc, refuses_a_content_type_that_is_not_multipart_form_data);
	tcase_add_test(tc, refuses_multipart_without_a_boundary);
	tcase_add_test(tc, refuses_bad_boundaries);
	tcase_add_test(tc, refuses_a_truncated_body_naming_the_part);
	tcase_add_test(tc, refuses_a_body_that_never_has_the_boundary);
	tcase_add_test(tc, refuses_a_preamble_over_its_limit);
	tcase_add_test(tc, refuses_junk_after_the_close_delimiter_but_not_an_epilogue);
	tcase_add_test(tc, refuses_junk_after_a_boundary);
	tcase_add_test(tc, refuses_bare_lf_line_ends);
	tcase_add_test(tc, refuses_a_part_without_a_name);
	tcase_add_test(tc, refuses_a_duplicate_part_name);
	tcase_add_test(tc, refuses_more_parts_than_the_limit);
	tcase_add_test(tc, refuses_a_100_kib_part_header_line);
	tcase_add_test(tc, a_header_line_at_the_limit_is_taken);
	tcase_add_test(tc, refuses_a_header_block_over_the_limit);
	tcase_add_test(tc, refuses_malformed_part_headers);
	tcase_add_test(tc, refuses_a_malformed_content_disposition);
	tcase_add_test(tc, refuses_a_content_transfer_encoding_other_than_identity);
	tcase_add_test(tc, a_callback_can_stop_the_parse);
	tcase_add_test(tc, feeding_after_the_end_is_a_usage_error);
	tcase_add_test(tc, a_fault_is_sticky);
	tcase_add_test(tc, every_code_has_a_distinct_name);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(multipart_suite());
	int	 nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
