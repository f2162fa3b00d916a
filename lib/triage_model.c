/*
 * triage_model.c: the learned triage, a linear model over hashed n-grams
 * read from an mmap'ed, checksummed weights file (tools/triage-train).
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

#define TM_BATCH	32		/* rows prefetched before they are added */

#define FNV_BASIS	2166136261u
#define FNV_PRIME	16777619u

/* Offsets of the heads in a row. */
#define O_CAT	0
#define O_SENT	HARK_CAT_COUNT
#define O_LANG	(HARK_CAT_COUNT + HARK_SENT_COUNT)

struct hark_triage_model {
	const unsigned char	*map;
	size_t			 size;
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

struct feats {
	uint32_t		 mask;
	size_t			 n;		/* features emitted */
	/* either accumulate into acc (m set) or store in out */
	const int8_t		*table;
	int32_t			 acc[TM_ROW];
	/* rows asked for (prefetched) and not yet added: the loads overlap */
	uint32_t		 pend[TM_BATCH];
	size_t			 npend;
	uint32_t		*out;
	size_t			 max;
	/* spam signals */
	unsigned		 words, vowelless, seo;
};

static uint32_t
fnv(uint32_t h, const unsigned char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		h = (h ^ s[i]) * FNV_PRIME;
	return h;
}

/*
 * Adds the pending rows: in 16-bit lanes first (TM_BATCH * 127 fits), a
 * loop of known length that compilers vectorise, then into acc.
 */
static void
flush(struct feats *f)
{
	const int8_t	*r;
	int16_t		 sum[TM_ROW] = { 0 };
	size_t		 i;
	int		 k;

	for (i = 0; i < f->npend; i++) {
		r = f->table + (size_t)f->pend[i] * TM_ROW;
		for (k = 0; k < TM_ROW; k++)
			sum[k] = (int16_t)(sum[k] + r[k]);
	}
	for (k = 0; k < TM_ROW; k++)
		f->acc[k] += sum[k];
	f->npend = 0;
}

static void
emit(struct feats *f, uint32_t h)
{
	h &= f->mask;
	if (f->table != NULL) {
		/* A row is a cache miss: ask for it now, add it later. */
		__builtin_prefetch(f->table + (size_t)h * TM_ROW);
		f->pend[f->npend++] = h;
		if (f->npend == TM_BATCH)
			flush(f);
	} else if (f->n < f->max)
		f->out[f->n] = h;
	f->n++;
}

static bool
seo_word(const unsigned char *w, size_t n)
{
	static const char *const list[] = { "casino", "viagra", "cialis",
	    "bitcoin", "crypto", "forex", "backlink", "backlinks", "seo",
	    "porn", "xxx", "escort", "escorts", "betting", "replica",
	    "pills", "loans", "payday", "followers", NULL };
	const char *const	*l;

	if (n < 3 || n > 9 || strchr("cvbfsprxelp", w[0]) == NULL)
		return false;		/* the cheap test first: most words */
	for (l = list; *l != NULL; l++)
		if ((*l)[0] == w[0] && strlen(*l) == n && memcmp(*l, w, n) == 0)
			return true;
	return false;
}

/* One word's features; prev/pn the word before it. */
static void
word_features(struct feats *f, const unsigned char *w, size_t n,
    const unsigned char *prev, size_t pn)
{
	static const uint32_t	 hu = FNV_BASIS ^ 'U';
	unsigned char		 p[TM_MAX_WORD + 2];
	uint32_t		 hc, hb;
	size_t			 i, g, pl = n + 2;
	bool			 vowel = false;

	emit(f, fnv(hu * FNV_PRIME, w, n));
	p[0] = '<';
	memcpy(p + 1, w, n);
	p[n + 1] = '>';
	hc = (FNV_BASIS ^ 'C') * FNV_PRIME;
	g = TM_NGRAM;
	for (i = 0; i + g <= pl; i++)
		emit(f, fnv(hc, p + i, g));
	hb = fnv((FNV_BASIS ^ 'B') * FNV_PRIME, prev, pn);
	hb = (hb ^ ' ') * FNV_PRIME;
	emit(f, fnv(hb, w, n));

	f->words++;
	if (n >= 5 && w[0] != '0') {
		for (i = 0; i < n && !vowel; i++)
			vowel = w[i] >= 0x80 || (w[i] >= 'a' &&
			    (UINT32_C(0x1104111) >> (w[i] - 'a') & 1));
		if (!vowel)
			f->vowelless++;
	}
	if (seo_word(w, n))
		f->seo++;
}

static void
scan(struct feats *f, const char *text, size_t len)
{
	unsigned char		 w[2][TM_MAX_WORD];
	size_t			 wn = 0, pn = 1, nw = 0, i;
	int			 cur = 0;
	unsigned char		 b, punct[1];

	w[1][0] = '^';
	for (i = 0; i <= len && nw < TM_MAX_WORDS; i++) {
		b = i < len ? (unsigned char)text[i] : ' ';
		if (b >= 'A' && b <= 'Z')
			b = (unsigned char)(b + 32);
		if ((b >= 'a' && b <= 'z') || b >= 0x80 ||
		    (b >= '0' && b <= '9')) {
			if (wn < TM_MAX_WORD)
				w[cur][wn++] = b >= '0' && b <= '9' ? '0' : b;
			continue;
		}
		if (wn > 0) {
			word_features(f, w[cur], wn, w[cur ^ 1], pn);
			pn = wn;
			cur ^= 1;
			wn = 0;
			if (++nw >= TM_MAX_WORDS)
				break;
		}
		if (b == '?' || b == '!') {
			punct[0] = b;
			word_features(f, punct, 1, w[cur ^ 1], pn);
			w[cur][0] = b;
			pn = 1;
			cur ^= 1;
			nw++;
		}
	}
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
	scan(&f, text, len);
	return f.n;
}

/* -- scoring ------------------------------------------------------------- */

/* e^x for the softmax without libm: 2^(x log2 e), a power of two times a
 * polynomial; |error| < 1e-7 relative, plenty for a probability. */
static double
tm_exp(double x)
{
	double	 t, fr, p;
	long	 k;
	int	 i;

	if (x < -700)
		return 0.0;
	if (x > 700)
		x = 700;
	t = x * 1.4426950408889634;
	k = (long)t;
	if (t < (double)k)
		k--;
	fr = (t - (double)k) * 0.6931471805599453;
	p = 1.0;
	for (i = 12; i >= 1; i--)
		p = 1.0 + p * fr / i;
	for (; k > 0; k--)
		p *= 2.0;
	for (; k < 0; k++)
		p *= 0.5;
	return p;
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
		sum += (z[i] = tm_exp(z[i] - mx));
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
	unsigned	 links;
	int		 k, c;

	memset(&f, 0, sizeof(f));
	f.mask = ((uint32_t)1 << m->bits) - 1;
	f.table = m->table;
	if (text != NULL)
		scan(&f, text, len);
	flush(&f);
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
	out->language = f.words == 0 || out->language_p < 0.4 ||
	    (text != NULL && foreign_script(text, len)) ? "other" :
	    tm_langs[c];

	/*
	 * Spam, by rules: no labelled spam was found to learn from (see
	 * doc/triage.md).  Link farms, SEO vocabulary, and keyboard mash
	 * (most long words without a vowel).  A spam verdict only
	 * quarantines the item; nothing is dropped.
	 */
	links = text != NULL ? count_links(text, len) : 0;
	out->spam = links >= 3 || (links >= 1 && f.seo >= 1) || f.seo >= 3 ||
	    (f.words >= 4 && f.vowelless * 2 >= f.words);
}
