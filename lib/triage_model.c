/*
 * triage_model.c: the learned triage, a linear model over hashed n-grams
 * read from an mmap'ed, checksummed weights file (tools/triage-train),
 * its table copied once into a transparent huge page.
 *
 * The features must stay byte for byte those of tools/triage-train
 * (tests/unit/test_triage_model.c compares them on a committed fixture):
 * ASCII folded to lower case, digits to '0', bytes >= 0x80 kept as letters
 * (so UTF-8 words stay whole without decoding), '?' and '!' words of their
 * own, at most 1024 words of at most 32 bytes; per word its unigram, its
 * character 4-grams with '<' and '>' at its ends, and the bigram
 * with the word before ("^" before the first).  Each is FNV-1a hashed with a
 * namespace byte and masked to the table.  A row of the table holds the
 * int8 weights of all outputs, so one feature costs one 16-byte load.
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "triage_model.h"

#define TM_MAGIC	"HARKTRI"	/* and its NUL: 8 bytes */
#define TM_VERSION	1
#define TM_NOUT		14
#define TM_ROW		16
#define TM_NHEADS	3
#define TM_HEAD_LEN	28		/* magic + 5 u32 */
#define TM_TABLE_OFF	(TM_HEAD_LEN + 4 + 8 * TM_NOUT)
#define TM_SHA_LEN	32
#define TM_MAX_WORDS	1024
#define TM_MAX_WORD	32
/*
 * Character 4-grams only: 3-, 4- and 5-grams are 2.3 times the features,
 * and each feature costs a cache miss in the table (tests/bench/triage).
 */
#define TM_NGRAM	4


#define FNV_BASIS	2166136261u
#define FNV_PRIME	16777619u

/* Offsets of the heads in a row. */
#define O_CAT	0
#define O_SENT	HARK_CAT_COUNT
#define O_LANG	(HARK_CAT_COUNT + HARK_SENT_COUNT)

struct hark_triage_model {
	const unsigned char	*map;
	size_t			 size;
	void			*huge;		/* the table's copy, or NULL */
	size_t			 hugelen;
	unsigned		 bits;
	float			 scale[TM_NOUT];
	float			 bias[TM_NOUT];
	const int8_t		*table;
};

static const char *const tm_langs[HARK_TM_NLANG] = {
	"en", "nl", "de", "es", "fr"
};

static struct hark_triage_model	*tm_current;

static uint32_t
rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static float
rdf(const unsigned char *p)
{
	uint32_t	 u = rd32(p);
	float		 f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

/*
 * Every feature reads one row at random in the 2 MB table: through the
 * file's 4 KB pages that is a TLB miss for most of them, and the misses
 * evict the rules' entries too.  So the table is copied, once at load and
 * before any fork (the workers share the copy's pages, never written),
 * into anonymous memory aligned to 2 MB and asked for as a transparent
 * huge page: one TLB entry for all of it.  Without that (no THP, no
 * memory) the file's mapping is read as before; the bytes are the same.
 */
#define TM_HUGE		((size_t)2 << 20)

static void
table_to_huge_page(struct hark_triage_model *m, size_t len)
{
#ifdef MADV_HUGEPAGE
	unsigned char	*raw, *a;
	size_t		 rawlen = len + TM_HUGE, lead;

	if (len < TM_HUGE / 2)
		return;		/* small tables gain nothing */
	raw = mmap(NULL, rawlen, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return;
	lead = (TM_HUGE - ((uintptr_t)raw & (TM_HUGE - 1))) & (TM_HUGE - 1);
	a = raw + lead;
	if (lead > 0)
		munmap(raw, lead);
	if (rawlen - lead > len)
		munmap(a + len, rawlen - lead - len);
	(void)madvise(a, len, MADV_HUGEPAGE);	/* a hint: may be refused */
	memcpy(a, m->table, len);
	if (mprotect(a, len, PROT_READ) == -1) {
		munmap(a, len);
		return;
	}
	m->huge = a;
	m->hugelen = len;
	m->table = (const int8_t *)a;
#else
	(void)m;
	(void)len;
#endif
}

struct hark_triage_model *
hark_triage_model_open(const char *path, char *err, size_t errlen)
{
	static const unsigned char heads[TM_NHEADS] = {
		HARK_CAT_COUNT, HARK_SENT_COUNT, HARK_TM_NLANG
	};
	struct hark_triage_model	*m = NULL;
	unsigned char			 md[EVP_MAX_MD_SIZE];
	unsigned int			 mdlen = 0;
	struct stat			 st;
	void				*map = MAP_FAILED;
	const unsigned char		*p;
	size_t				 size = 0;
	unsigned			 bits, i;
	int				 fd = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "triage model %s: %s", path,
		    strerror(errno));
		goto fail;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "triage model %s: not a regular file",
		    path);
		goto fail;
	}
	size = (size_t)st.st_size;
	if (size < TM_TABLE_OFF + TM_SHA_LEN) {
		snprintf(err, errlen, "triage model %s: truncated (%zu bytes)",
		    path, size);
		goto fail;
	}
	map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		snprintf(err, errlen, "triage model %s: mmap: %s", path,
		    strerror(errno));
		goto fail;
	}
	p = map;
	if (memcmp(p, TM_MAGIC, 8) != 0) {
		snprintf(err, errlen, "triage model %s: not a hark triage "
		    "model (bad magic)", path);
		goto fail;
	}
	if (rd32(p + 8) != TM_VERSION) {
		snprintf(err, errlen, "triage model %s: version %u, this hark "
		    "reads version %d", path, (unsigned)rd32(p + 8), TM_VERSION);
		goto fail;
	}
	bits = rd32(p + 12);
	if (bits < 8 || bits > 24 || rd32(p + 16) != TM_NOUT ||
	    rd32(p + 20) != TM_ROW || rd32(p + 24) != TM_NHEADS ||
	    memcmp(p + TM_HEAD_LEN, heads, TM_NHEADS) != 0) {
		snprintf(err, errlen, "triage model %s: unexpected layout",
		    path);
		goto fail;
	}
	if (size != TM_TABLE_OFF + ((size_t)1 << bits) * TM_ROW +
	    TM_SHA_LEN) {
		snprintf(err, errlen, "triage model %s: truncated or padded "
		    "(%zu bytes for %u hash bits)", path, size, bits);
		goto fail;
	}
	if (EVP_Digest(p, size - TM_SHA_LEN, md, &mdlen, EVP_sha256(),
	    NULL) != 1 || mdlen != TM_SHA_LEN ||
	    memcmp(md, p + size - TM_SHA_LEN, TM_SHA_LEN) != 0) {
		snprintf(err, errlen, "triage model %s: checksum mismatch "
		    "(corrupt file)", path);
		goto fail;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		snprintf(err, errlen, "triage model %s: out of memory", path);
		goto fail;
	}
	m->map = p;
	m->size = size;
	m->bits = bits;
	for (i = 0; i < TM_NOUT; i++) {
		m->scale[i] = rdf(p + TM_HEAD_LEN + 4 + 4 * i);
		m->bias[i] = rdf(p + TM_HEAD_LEN + 4 + 4 * TM_NOUT + 4 * i);
	}
	m->table = (const int8_t *)(p + TM_TABLE_OFF);
	table_to_huge_page(m, ((size_t)1 << bits) * TM_ROW);
	close(fd);
	return m;
fail:
	if (map != MAP_FAILED)
		munmap(map, size);
	if (fd != -1)
		close(fd);
	return NULL;
}

void
hark_triage_model_close(struct hark_triage_model *m)
{
	if (m == NULL)
		return;
	if (tm_current == m)
		tm_current = NULL;
	munmap((void *)m->map, m->size);
	if (m->huge != NULL)
		munmap(m->huge, m->hugelen);
	free(m);
}

void
hark_triage_model_set(struct hark_triage_model *m)
{
	tm_current = m;
}

struct hark_triage_model *
hark_triage_model_get(void)
{
	return tm_current;
}

int
hark_triage_model_load(const char *path, char *err, size_t errlen)
{
	struct hark_triage_model	*m;

	if ((m = hark_triage_model_open(path, err, errlen)) == NULL)
		return -1;
	hark_triage_model_close(tm_current);
	tm_current = m;
	return 0;
}

size_t
hark_triage_model_size(const struct hark_triage_model *m)
{
	return m->size;
}

/* -- features ------------------------------------------------------------ */

/*
 * A byte as it enters a word: ASCII letters folded to lower case, digits to
 * '0', bytes >= 0x80 kept; 0 for a separator.  One load per byte instead of
 * the range tests.
 */
static const unsigned char tm_fold[256] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
	0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
	0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f,
	0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f,
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
	0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
	0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf,
	0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf,
	0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xef,
	0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff,
};

/* FNV-1a states after the namespace byte: the start of every feature. */
#define HU0	((FNV_BASIS ^ 'U') * FNV_PRIME)
#define HC0	((FNV_BASIS ^ 'C') * FNV_PRIME)
#define HB0	((FNV_BASIS ^ 'B') * FNV_PRIME)
#define STEP(h, c)	(((h) ^ (c)) * FNV_PRIME)

/* Rows asked for (prefetched) ahead of being added: the loads overlap. */
#define TM_AHEAD	24
#define TM_RING		64		/* > TM_AHEAD + a word's features */
/* int16 partial sums take this many rows of int8 before overflowing */
#define TM_SPILL	128

/*
 * The row sums: two int16 vectors (even and odd outputs of a row, so no
 * byte shuffle is needed: a row read as eight int16 gives the even bytes
 * sign-extended by (x << 8) >> 8 and the odd ones by x >> 8), added into
 * int32 every TM_SPILL rows.  GCC and clang vector extensions compile to
 * SSE2 on x86-64 and to NEON on arm64; elsewhere the scalar loop.
 */
#if (defined(__GNUC__) || defined(__clang__)) && \
    defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && \
    !defined(TM_SCALAR)		/* -DTM_SCALAR tries the fallback */
#define TM_VECTOR	1
typedef int16_t		tm_v16 __attribute__((vector_size(16)));
typedef uint16_t	tm_u16 __attribute__((vector_size(16)));
#endif

#if defined(__GNUC__) || defined(__clang__)
#define TM_PREFETCH(p)	__builtin_prefetch(p)
#else
#define TM_PREFETCH(p)	((void)0)
#endif

#if defined(__GNUC__) || defined(__clang__)
#define TM_INLINE	static inline __attribute__((always_inline))
#else
#define TM_INLINE	static inline
#endif

struct feats {
	uint32_t		 mask;
	size_t			 n;		/* features emitted */
	/* either sum the rows of table into acc, or store in out */
	const int8_t		*table;
	int32_t			 acc[TM_ROW];
	uint32_t		*out;
	size_t			 max;
	/* spam signals */
	unsigned		 words, vowelless, seo;
	/* links and the script, counted on the way; valid when whole */
	unsigned		 links;
	bool			 foreign;
	bool			 whole;
};

/* "casino", "viagra", ...: SEO and spam vocabulary (3 to 9 bytes). */
static bool
seo_word(const unsigned char *w, size_t n)
{
#define IS(s)	(n == sizeof(s) - 1 && memcmp(w, s, sizeof(s) - 1) == 0)
	switch (w[0]) {
	case 'b':
		return IS("bitcoin") || IS("backlink") || IS("backlinks") ||
		    IS("betting");
	case 'c':
		return IS("casino") || IS("cialis") || IS("crypto");
	case 'e':
		return IS("escort") || IS("escorts");
	case 'f':
		return IS("forex") || IS("followers");
	case 'l':
		return IS("loans");
	case 'p':
		return IS("porn") || IS("pills") || IS("payday");
	case 'r':
		return IS("replica");
	case 's':
		return IS("seo");
	case 'v':
		return IS("viagra");
	case 'x':
		return IS("xxx");
	}
	return false;
#undef IS
}

/* A vowel, for keyboard mash: a e i o u y, or any byte >= 0x80. */
static bool
vowel(unsigned b)
{
	return b >= 0x80 || (b >= 'a' && (UINT32_C(0x1104111) >> (b - 'a') & 1));
}

/* Whether the word's last bytes, before text[e], begin a link. */
static bool
ends_link(const unsigned char *t, size_t len, size_t s, size_t e)
{
	size_t	 l = e - s;

	if (e < len && t[e] == '.')
		return l >= 3 && (t[e - 3] | 0x20) == 'w' &&
		    (t[e - 2] | 0x20) == 'w' && (t[e - 1] | 0x20) == 'w';
	if (e + 3 > len || t[e] != ':' || t[e + 1] != '/' || t[e + 2] != '/')
		return false;
	if (l >= 5 && (t[e - 1] | 0x20) == 's')
		e--, l--;
	return l >= 4 && (t[e - 4] | 0x20) == 'h' &&
	    (t[e - 3] | 0x20) == 't' && (t[e - 2] | 0x20) == 't' &&
	    (t[e - 1] | 0x20) == 'p';
}

/*
 * One pass over the bytes: each word's bytes are folded once and run into
 * the unigram's, the bigram's and the next bigram's hashes together; the
 * 4-grams are hashed from the word buffer.  With sum, each feature's row is
 * prefetched when its hash is known and added TM_AHEAD features later (the
 * misses overlap), into sums kept in registers; else the features are
 * stored in f->out, in order.  The links and the script are counted on the
 * way (for a text cut by the word limit, the caller counts them again).
 */
TM_INLINE void
scan_impl(struct feats *f, const unsigned char *t, size_t len, const bool sum)
{
	const int8_t	*table = f->table, *r;
	uint32_t	 ring[TM_RING], mask = f->mask, hu, hb, hn, hprev, h;
	unsigned char	 p[TM_MAX_WORD + 2];
	size_t		 i = 0, s, n, k, nw = 0, nf = 0, added = 0;
	size_t		 latin = 0, other = 0;
	unsigned	 b, c, words = 0, vowelless = 0, seo = 0, links = 0;
	unsigned	 and_b, or_b;
#ifdef TM_VECTOR
	tm_v16		 even = { 0 }, odd = { 0 }, x;
	unsigned	 rows = 0;
#else
	int32_t		 acc[TM_ROW] = { 0 };
#endif

#define EMIT(hash) do {							\
	h = (hash) & mask;						\
	if (sum) {							\
		TM_PREFETCH(table + (size_t)h * TM_ROW);		\
		ring[nf % TM_RING] = h;					\
	} else if (nf < f->max)						\
		f->out[nf] = h;						\
	nf++;								\
} while (0)
#ifdef TM_VECTOR
#define ADD_ROW() do {							\
	r = table + (size_t)ring[added++ % TM_RING] * TM_ROW;		\
	memcpy(&x, r, sizeof(x));					\
	even += (tm_v16)((tm_u16)x << 8) >> 8;				\
	odd += x >> 8;							\
	rows++;								\
} while (0)
	/* A word adds at most TM_AHEAD + 33 rows before the test. */
#define SPILL() do {							\
	for (k = 0; k < TM_ROW / 2; k++) {				\
		f->acc[2 * k] += even[k];				\
		f->acc[2 * k + 1] += odd[k];				\
	}								\
	even = odd = (tm_v16){ 0 };					\
	rows = 0;							\
} while (0)
#define CATCH_UP(ahead) do {						\
	while (nf - added > (ahead))					\
		ADD_ROW();						\
	if (rows >= TM_SPILL)						\
		SPILL();						\
} while (0)
#else
#define CATCH_UP(ahead) do {						\
	while (nf - added > (ahead)) {					\
		r = table + (size_t)ring[added++ % TM_RING] * TM_ROW;	\
		for (k = 0; k < TM_ROW; k++)				\
			acc[k] += r[k];					\
	}								\
} while (0)
#endif

	/* the bigram's start with "^", the word before the first */
	hprev = STEP(STEP(HB0, '^'), ' ');
	p[0] = '<';
	while (i < len && nw < TM_MAX_WORDS) {
		c = t[i];
		if ((b = tm_fold[c]) == 0) {
			i++;
			if (c != '?' && c != '!')
				continue;
			/* '?' and '!' are words: no 4-gram in "<?>" */
			EMIT(STEP(HU0, c));
			EMIT(STEP(hprev, c));
			if (sum)
				CATCH_UP(TM_AHEAD);
			words++;
			hprev = STEP(STEP(HB0, c), ' ');
			nw++;
			continue;
		}
		s = i;
		n = 0;
		hu = HU0;
		hb = hprev;
		hn = HB0;
		and_b = 0xFF;
		or_b = 0;
		do {
			if (n < TM_MAX_WORD) {
				p[++n] = (unsigned char)b;
				hu = STEP(hu, b);
				hb = STEP(hb, b);
				hn = STEP(hn, b);
			}
			/* a digit ('0') clears 0x40, a byte >= 0x80 sets 0x80 */
			and_b &= b;
			or_b |= b;
			if (++i == len)
				break;
			c = t[i];
		} while ((b = tm_fold[c]) != 0);
		/* the script: ASCII letters, Latin-1 and Extended-A lead bytes
		 * are Latin; other lead bytes count for two */
		if (!(or_b & 0x80) && (and_b & 0x40))
			latin += i - s;		/* ASCII letters only */
		else
			for (k = s; k < i; k++) {
				c = t[k];
				if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
					latin++;
				else if (c >= 0xC3 && c <= 0xC5)
					latin++;
				else if ((c >= 0xC6 && c <= 0xE1) ||
				    (c >= 0xE3 && c <= 0xEF))
					other += 2;
			}
		p[n + 1] = '>';

		EMIT(hu);
		for (k = 0; k + TM_NGRAM <= n + 2; k++)
			EMIT(STEP(STEP(STEP(STEP(HC0, p[k]), p[k + 1]),
			    p[k + 2]), p[k + 3]));
		EMIT(hb);
		if (sum)
			CATCH_UP(TM_AHEAD);

		words++;
		if (n >= 5 && p[1] != '0') {
			for (k = 1; k <= n && !vowel(p[k]); k++)
				;
			if (k > n)
				vowelless++;
		}
		if (n >= 3 && n <= 9 && seo_word(p + 1, n))
			seo++;
		if (i < len && (t[i] == '.' || t[i] == ':') && i - s >= 3 &&
		    ends_link(t, len, s, i))
			links++;
		hprev = STEP(hn, ' ');
		nw++;
	}
	if (sum) {
		CATCH_UP(0);
#ifdef TM_VECTOR
		SPILL();
#else
		for (k = 0; k < TM_ROW; k++)
			f->acc[k] += acc[k];
#endif
	}
#undef EMIT
#undef ADD_ROW
#undef SPILL
#undef CATCH_UP
	f->n = nf;
	f->words = words;
	f->vowelless = vowelless;
	f->seo = seo;
	f->links = links;
	f->foreign = other > latin;
	f->whole = nw < TM_MAX_WORDS;
}

static void
scan_sum(struct feats *f, const unsigned char *t, size_t len)
{
	scan_impl(f, t, len, true);
}

static void
scan_features(struct feats *f, const unsigned char *t, size_t len)
{
	scan_impl(f, t, len, false);
}

size_t
hark_triage_model_features(const char *text, size_t len, unsigned bits,
    uint32_t *out, size_t max)
{
	struct feats	 f;

	memset(&f, 0, sizeof(f));
	f.mask = ((uint32_t)1 << bits) - 1;
	f.out = out;
	f.max = max;
	scan_features(&f, (const unsigned char *)text, len);
	return f.n;
}

/* -- scoring ------------------------------------------------------------- */

/*
 * e^x of each z[0..k) for the softmax without libm: 2^(x log2 e), a power
 * of two times a polynomial; |error| < 1e-7 relative, plenty for a
 * probability.  The lanes go through the polynomial together (its
 * divisions overlap) and the power of two is put in the exponent, which is
 * exact: the same bits as multiplying by 2 or 1/2 k times.
 */
static void
tm_exps(double *z, int k)
{
	double	 t, fr[TM_NOUT], p[TM_NOUT];
	long	 e[TM_NOUT];
	uint64_t u;
	int	 i, j;

	for (j = 0; j < k; j++) {
		if (z[j] > 700)
			z[j] = 700;
		t = z[j] * 1.4426950408889634;
		e[j] = (long)t;
		if (t < (double)e[j])
			e[j]--;
		fr[j] = (t - (double)e[j]) * 0.6931471805599453;
		p[j] = 1.0;
	}
	for (i = 12; i >= 1; i--)
		for (j = 0; j < k; j++)
			p[j] = 1.0 + p[j] * fr[j] / i;
	for (j = 0; j < k; j++) {
		if (z[j] < -700) {
			z[j] = 0.0;
			continue;
		}
		/* |e| <= 1010: a normal power of two, a normal product */
		u = (uint64_t)(e[j] + 1023) << 52;
		memcpy(&t, &u, sizeof(t));
		z[j] = p[j] * t;
	}
}

/* 1/sqrt(n) for n >= 1, by Newton's method (no libm). */
static double
inv_sqrt(size_t n)
{
	double	 x = 1.0, v = (double)n;
	int	 i;

	/* Start under the root (x*x*v in (1/4, 1]): Newton then converges;
	 * from above 3 it would overshoot below zero. */
	while (x * x * v > 1.0)
		x *= 0.5;
	for (i = 0; i < 6; i++)
		x = x * (1.5 - 0.5 * v * x * x);
	return x;
}

/* Softmax over out[0..k) in place; returns the index of the largest. */
static int
softmax(double *z, int k)
{
	double	 mx = z[0], sum = 0;
	int	 i, best = 0;

	for (i = 1; i < k; i++)
		if (z[i] > mx) {
			mx = z[i];
			best = i;
		}
	for (i = 0; i < k; i++)
		z[i] -= mx;
	tm_exps(z, k);
	for (i = 0; i < k; i++)
		sum += z[i];
	for (i = 0; i < k; i++)
		z[i] /= sum;
	return best;
}

/* Most letters in a script the five languages do not write in. */
static bool
foreign_script(const char *text, size_t len)
{
	size_t		 i, latin = 0, other = 0;
	unsigned char	 b;

	for (i = 0; i < len; i++) {
		b = (unsigned char)text[i];
		if ((b | 0x20) >= 'a' && (b | 0x20) <= 'z')
			latin++;
		else if (b >= 0xC3 && b <= 0xC5)
			latin++;		/* Latin-1, Latin Extended-A */
		else if ((b >= 0xC6 && b <= 0xE1) || (b >= 0xE3 && b <= 0xEF))
			other += 2;		/* a lead byte: its letter */
	}
	return other > latin;
}

/* "http://", "https://" and "www." in the text, case folded. */
static unsigned
count_links(const char *text, size_t len)
{
	const unsigned char	*t = (const unsigned char *)text;
	unsigned		 n = 0;
	size_t			 i;

	for (i = 0; i + 4 <= len; i++) {
		if ((t[i] | 0x20) == 'w') {
			if ((t[i + 1] | 0x20) == 'w' && (t[i + 2] | 0x20) == 'w' &&
			    t[i + 3] == '.')
				n++;
		} else if ((t[i] | 0x20) == 'h' && i + 7 <= len &&
		    (t[i + 1] | 0x20) == 't' && (t[i + 2] | 0x20) == 't' &&
		    (t[i + 3] | 0x20) == 'p') {
			if ((t[i + 4] | 0x20) == 's' && i + 8 <= len &&
			    memcmp(t + i + 5, "://", 3) == 0)
				n++;
			else if (memcmp(t + i + 4, "://", 3) == 0)
				n++;
		}
	}
	return n;
}

void
hark_triage_model_score(const struct hark_triage_model *m, const char *text,
    size_t len, struct hark_triage_scores *out)
{
	struct feats	 f;
	double		 z[TM_NOUT], s;
	unsigned	 links = 0;
	bool		 foreign = false;
	int		 k, c;

	memset(&f, 0, sizeof(f));
	f.mask = ((uint32_t)1 << m->bits) - 1;
	f.table = m->table;
	if (text != NULL) {
		scan_sum(&f, (const unsigned char *)text, len);
		/* a text cut by the word limit: count its tail too */
		links = f.whole ? f.links : count_links(text, len);
		foreign = f.whole ? f.foreign : foreign_script(text, len);
	}
	s = f.n > 0 ? inv_sqrt(f.n) : 0.0;
	for (k = 0; k < TM_NOUT; k++)
		z[k] = (double)f.acc[k] * m->scale[k] * s + m->bias[k];

	c = softmax(z + O_CAT, HARK_CAT_COUNT);
	out->category = (enum hark_category)c;
	out->category_p = z[O_CAT + c];
	for (k = 0; k < HARK_CAT_COUNT; k++)
		out->p[k] = z[O_CAT + k];
	c = softmax(z + O_SENT, HARK_SENT_COUNT);
	out->sentiment = (enum hark_sentiment)c;
	out->sentiment_p = z[O_SENT + c];
	out->sentiment_score = z[O_SENT + HARK_SENT_POSITIVE] -
	    z[O_SENT + HARK_SENT_NEGATIVE];
	c = softmax(z + O_LANG, HARK_TM_NLANG);
	out->language_p = z[O_LANG + c];
	/* An unsure guess, or another script, is "other", not a wrong tag. */
	out->language = f.words == 0 || out->language_p < 0.4 || foreign ?
	    "other" : tm_langs[c];

	/*
	 * Spam, by rules: no labelled spam was found to learn from (see
	 * doc/triage.md).  Link farms, SEO vocabulary, and keyboard mash
	 * (most long words without a vowel).  A spam verdict only
	 * quarantines the item; nothing is dropped.
	 */
	out->spam = links >= 3 || (links >= 1 && f.seo >= 1) || f.seo >= 3 ||
	    (f.words >= 4 && f.vowelless * 2 >= f.words);
}
