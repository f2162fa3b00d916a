/* test_triage_model.c: the learned triage's weights file, its features and its scores. */
#include "config.h"

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "triage.h"
#include "triage_model.h"

#define MODEL		TEST_SRCDIR "/data/triage.model"
#define DATA		TEST_SRCDIR "/tests/data/triage/"
#define MAXROWS		1024
#define MAXFEAT		200000
/* Floors for macro-F1 (bug, feature, question, praise); see doc/triage.md. */
#define DEV_FLOOR	0.90	/* measured 0.930 */
#define HOLDOUT_FLOOR	0.82	/* measured 0.854 */
#define EVAL_FLOOR	0.83	/* measured 0.872 */

#include "../alloc_count.h"	/* malloc & co. counted */

struct row {
	char	*cat;
	char	*sent;
	char	*lang;
	char	*page;
	char	*text;
};

static char	*buf;
static struct row rows[MAXROWS];
static size_t	 nrows;

/* Reads a lang/category/sentiment/page/text TSV (its header skipped). */
static void
read_tsv(const char *path)
{
	FILE	*f;
	long	 n;
	char	*p, *nl, *fld[5];
	int	 i;

	ck_assert_ptr_nonnull(f = fopen(path, "rb"));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	free(buf);
	ck_assert_ptr_nonnull(buf = malloc((size_t)n + 1));
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	nrows = 0;
	p = strchr(buf, '\n') + 1;		/* the header */
	for (; *p != '\0' && nrows < MAXROWS; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		*nl = '\0';
		for (i = 0; i < 5; i++) {
			fld[i] = p;
			if (i < 4) {
				ck_assert_ptr_nonnull(p = strchr(p, '\t'));
				*p++ = '\0';
			}
		}
		rows[nrows].lang = fld[0];
		rows[nrows].cat = fld[1];
		rows[nrows].sent = fld[2];
		rows[nrows].page = fld[3];
		rows[nrows].text = fld[4];
		nrows++;
	}
}

static uint32_t
fnv_u32s(const uint32_t *v, size_t n)
{
	uint32_t	 h = 2166136261u;
	size_t		 i;
	int		 k;

	for (i = 0; i < n; i++)
		for (k = 0; k < 4; k++)
			h = (h ^ ((v[i] >> (8 * k)) & 0xff)) * 16777619u;
	return h;
}

/* The fixture's "count<TAB>hash" lines come from tools/triage-train --hashes. */
static void
same_features(const char *tsv, const char *hashes)
{
	static uint32_t	 feat[MAXFEAT];
	FILE		*f;
	unsigned long	 want_n;
	unsigned	 want_h;
	size_t		 i, n;

	read_tsv(tsv);
	ck_assert_ptr_nonnull(f = fopen(hashes, "r"));
	for (i = 0; i < nrows; i++) {
		ck_assert_int_eq(fscanf(f, "%lu %x", &want_n, &want_h), 2);
		n = hark_triage_model_features(rows[i].text,
		    strlen(rows[i].text), 17, feat, MAXFEAT);
		ck_assert_msg(n == want_n && fnv_u32s(feat, n) == want_h,
		    "%s row %zu: %zu features %08x, python %lu %08x", tsv,
		    i + 1, n, fnv_u32s(feat, n), want_n, want_h);
	}
	ck_assert_int_eq(fscanf(f, "%lu %x", &want_n, &want_h), EOF);
	fclose(f);
}

START_TEST(features_match_the_training_script)
{
	same_features(DATA "dev.tsv", DATA "dev.hashes");
	same_features(DATA "features.tsv", DATA "features.hashes");
}
END_TEST

START_TEST(shipped_weights_load)
{
	struct hark_triage_model	*m;
	struct hark_triage_scores	 s;
	char				 err[512] = "";

	m = hark_triage_model_open(MODEL, err, sizeof(err));
	ck_assert_msg(m != NULL, "%s", err);
	ck_assert_uint_le(hark_triage_model_size(m), 16u << 20);
	hark_triage_model_score(m, "", 0, &s);
	ck_assert_str_eq(s.language, "other");
	hark_triage_model_score(m, "The app crashes every time I open it",
	    36, &s);
	ck_assert_int_eq(s.category, HARK_CAT_BUG);
	ck_assert(s.category_p > 1.0 / HARK_CAT_COUNT && s.category_p <= 1.0);
	ck_assert_str_eq(s.language, "en");
	hark_triage_model_close(m);
}
END_TEST

/*
 * -- the reference: the first, plain implementation of the scoring --------
 *
 * lib/triage_model.c was rewritten for speed (one pass, hashes run
 * together, prefetched rows, vector sums, interleaved exponentials).  This
 * is the code it replaced, reading the weights file on its own, so the test
 * below can prove the fast path gives the same bits on every text.
 */
#define R_NOUT		14
#define R_ROW		16
#define R_TABLE		144
#define R_MAX_WORDS	1024
#define R_MAX_WORD	32
#define R_BASIS		2166136261u
#define R_PRIME		16777619u

struct ref_model {
	unsigned char	*file;
	unsigned	 bits;
	float		 scale[R_NOUT], bias[R_NOUT];
	const int8_t	*table;
};

struct ref_feats {
	const struct ref_model *m;
	int32_t		 acc[R_ROW];
	size_t		 n;
	unsigned	 words, vowelless, seo;
};

static uint32_t
ref_rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static void
ref_open(struct ref_model *m, const char *path)
{
	FILE		*f;
	long		 n;
	uint32_t	 u;
	int		 i;

	ck_assert_ptr_nonnull(f = fopen(path, "rb"));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	ck_assert_ptr_nonnull(m->file = malloc((size_t)n));
	ck_assert_int_eq(fread(m->file, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	m->bits = ref_rd32(m->file + 12);
	for (i = 0; i < R_NOUT; i++) {
		u = ref_rd32(m->file + 32 + 4 * i);
		memcpy(&m->scale[i], &u, 4);
		u = ref_rd32(m->file + 88 + 4 * i);
		memcpy(&m->bias[i], &u, 4);
	}
	m->table = (const int8_t *)(m->file + R_TABLE);
}

static uint32_t
ref_fnv(uint32_t h, const unsigned char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		h = (h ^ s[i]) * R_PRIME;
	return h;
}

static void
ref_emit(struct ref_feats *f, uint32_t h)
{
	const int8_t	*r;
	int		 k;

	h &= ((uint32_t)1 << f->m->bits) - 1;
	r = f->m->table + (size_t)h * R_ROW;
	for (k = 0; k < R_ROW; k++)
		f->acc[k] += r[k];
	f->n++;
}

static bool
ref_seo_word(const unsigned char *w, size_t n)
{
	static const char *const list[] = { "casino", "viagra", "cialis",
	    "bitcoin", "crypto", "forex", "backlink", "backlinks", "seo",
	    "porn", "xxx", "escort", "escorts", "betting", "replica",
	    "pills", "loans", "payday", "followers", NULL };
	const char *const	*l;

	for (l = list; *l != NULL; l++)
		if (strlen(*l) == n && memcmp(*l, w, n) == 0)
			return true;
	return false;
}

static void
ref_word(struct ref_feats *f, const unsigned char *w, size_t n,
    const unsigned char *prev, size_t pn)
{
	unsigned char	 p[R_MAX_WORD + 2];
	uint32_t	 hb;
	size_t		 i;
	bool		 vowel = false;

	ref_emit(f, ref_fnv((R_BASIS ^ 'U') * R_PRIME, w, n));
	p[0] = '<';
	memcpy(p + 1, w, n);
	p[n + 1] = '>';
	for (i = 0; i + 4 <= n + 2; i++)
		ref_emit(f, ref_fnv((R_BASIS ^ 'C') * R_PRIME, p + i, 4));
	hb = ref_fnv((R_BASIS ^ 'B') * R_PRIME, prev, pn);
	hb = (hb ^ ' ') * R_PRIME;
	ref_emit(f, ref_fnv(hb, w, n));
	f->words++;
	if (n >= 5 && w[0] != '0') {
		for (i = 0; i < n && !vowel; i++)
			vowel = w[i] >= 0x80 || (w[i] >= 'a' &&
			    (UINT32_C(0x1104111) >> (w[i] - 'a') & 1));
		if (!vowel)
			f->vowelless++;
	}
	if (ref_seo_word(w, n))
		f->seo++;
}

static void
ref_scan(struct ref_feats *f, const char *text, size_t len)
{
	unsigned char	 w[2][R_MAX_WORD], b, punct[1];
	size_t		 wn = 0, pn = 1, nw = 0, i;
	int		 cur = 0;

	w[1][0] = '^';
	for (i = 0; i <= len && nw < R_MAX_WORDS; i++) {
		b = i < len ? (unsigned char)text[i] : ' ';
		if (b >= 'A' && b <= 'Z')
			b = (unsigned char)(b + 32);
		if ((b >= 'a' && b <= 'z') || b >= 0x80 ||
		    (b >= '0' && b <= '9')) {
			if (wn < R_MAX_WORD)
				w[cur][wn++] = b >= '0' && b <= '9' ? '0' : b;
			continue;
		}
		if (wn > 0) {
			ref_word(f, w[cur], wn, w[cur ^ 1], pn);
			pn = wn;
			cur ^= 1;
			wn = 0;
			if (++nw >= R_MAX_WORDS)
				break;
		}
		if (b == '?' || b == '!') {
			punct[0] = b;
			ref_word(f, punct, 1, w[cur ^ 1], pn);
			w[cur][0] = b;
			pn = 1;
			cur ^= 1;
			nw++;
		}
	}
}

static double
ref_exp(double x)
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

static double
ref_inv_sqrt(size_t n)
{
	double	 x = 1.0, v = (double)n;
	int	 i;

	while (x * x * v > 1.0)
		x *= 0.5;
	for (i = 0; i < 6; i++)
		x = x * (1.5 - 0.5 * v * x * x);
	return x;
}

static int
ref_softmax(double *z, int k)
{
	double	 mx = z[0], sum = 0;
	int	 i, best = 0;

	for (i = 1; i < k; i++)
		if (z[i] > mx) {
			mx = z[i];
			best = i;
		}
	for (i = 0; i < k; i++)
		sum += (z[i] = ref_exp(z[i] - mx));
	for (i = 0; i < k; i++)
		z[i] /= sum;
	return best;
}

static bool
ref_foreign(const char *text, size_t len)
{
	size_t		 i, latin = 0, other = 0;
	unsigned char	 b;

	for (i = 0; i < len; i++) {
		b = (unsigned char)text[i];
		if ((b | 0x20) >= 'a' && (b | 0x20) <= 'z')
			latin++;
		else if (b >= 0xC3 && b <= 0xC5)
			latin++;
		else if ((b >= 0xC6 && b <= 0xE1) || (b >= 0xE3 && b <= 0xEF))
			other += 2;
	}
	return other > latin;
}

static unsigned
ref_links(const char *text, size_t len)
{
	const unsigned char	*t = (const unsigned char *)text;
	unsigned		 n = 0;
	size_t			 i;

	for (i = 0; i + 4 <= len; i++) {
		if ((t[i] | 0x20) == 'w') {
			if ((t[i + 1] | 0x20) == 'w' &&
			    (t[i + 2] | 0x20) == 'w' && t[i + 3] == '.')
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

static void
ref_score(const struct ref_model *m, const char *text, size_t len,
    struct hark_triage_scores *out)
{
	static const char *const langs[] = { "en", "nl", "de", "es", "fr" };
	struct ref_feats f;
	double		 z[R_NOUT], s;
	unsigned	 links;
	int		 k, c;

	memset(&f, 0, sizeof(f));
	f.m = m;
	ref_scan(&f, text, len);
	s = f.n > 0 ? ref_inv_sqrt(f.n) : 0.0;
	for (k = 0; k < R_NOUT; k++)
		z[k] = (double)f.acc[k] * m->scale[k] * s + m->bias[k];
	c = ref_softmax(z, HARK_CAT_COUNT);
	out->category = (enum hark_category)c;
	out->category_p = z[c];
	for (k = 0; k < HARK_CAT_COUNT; k++)
		out->p[k] = z[k];
	c = ref_softmax(z + 6, HARK_SENT_COUNT);
	out->sentiment = (enum hark_sentiment)c;
	out->sentiment_p = z[6 + c];
	out->sentiment_score = z[6 + HARK_SENT_POSITIVE] -
	    z[6 + HARK_SENT_NEGATIVE];
	c = ref_softmax(z + 9, HARK_TM_NLANG);
	out->language_p = z[9 + c];
	out->language = f.words == 0 || out->language_p < 0.4 ||
	    ref_foreign(text, len) ? "other" : langs[c];
	links = ref_links(text, len);
	out->spam = links >= 3 || (links >= 1 && f.seo >= 1) || f.seo >= 3 ||
	    (f.words >= 4 && f.vowelless * 2 >= f.words);
}

/* The same bits: a double compared as its representation. */
static bool
same_bits(double a, double b)
{
	return memcmp(&a, &b, sizeof(a)) == 0;
}

/*
 * Texts for the comparisons: every row of the project's sets, the rows
 * joined into messages of 200, 2,000 and 9,000 bytes (past the word
 * limit), and pseudo-random bytes, mixes of punctuation, links and UTF-8.
 */
#define NTEXTS		6000
#define TEXTMAX		9000

static char	*texts[NTEXTS];
static size_t	 tlen[NTEXTS];
static size_t	 ntexts;

static void
add_text(const char *t, size_t n)
{
	ck_assert_uint_lt(ntexts, NTEXTS);
	ck_assert_ptr_nonnull(texts[ntexts] = malloc(n + 1));
	memcpy(texts[ntexts], t, n);
	texts[ntexts][n] = '\0';
	tlen[ntexts++] = n;
}

static void
make_texts(void)
{
	static const char *const sets[] = { "dev", "holdout", "eval",
	    "train2", "train3", "train4", "features" };
	static const char mix[] = "aeiouyxzqAEZ?!.,:;-'\" \n\t09 www.http://"
	    "https://WWW.HTTP://casino seo ";
	static const size_t sizes[] = { 200, 2000, TEXTMAX };
	static char	 m[TEXTMAX];
	char		 path[512];
	size_t		 base, i, j, n, l, z;
	uint64_t	 seed = 20261203;

	if (ntexts > 0)
		return;
	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		snprintf(path, sizeof(path), DATA "%s.tsv", sets[i]);
		read_tsv(path);
		for (j = 0; j < nrows; j++)
			add_text(rows[j].text, strlen(rows[j].text));
	}
	base = ntexts;
	for (z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++)
		for (i = 0; i < base; i += 7) {
			for (n = 0, j = i; n < sizes[z]; j++) {
				l = tlen[j % base];
				if (l > sizes[z] - n)
					l = sizes[z] - n;
				memcpy(m + n, texts[j % base], l);
				n += l;
				if (n < sizes[z])
					m[n++] = ' ';
			}
			add_text(m, n);
		}
	for (i = 0; i < 600; i++) {
		seed = seed * 6364136223846793005u + 1442695040888963407u;
		n = (size_t)(seed >> 33) % 3000;
		for (j = 0; j < n; j++) {
			seed = seed * 6364136223846793005u +
			    1442695040888963407u;
			l = (size_t)(seed >> 40);
			m[j] = i % 3 == 0 ? (char)l : i % 3 == 1 ||
			    (l & 7) != 0 ? mix[l % (sizeof(mix) - 1)] :
			    (char)(0x80 | (l >> 8));
		}
		add_text(m, n);
	}
}

START_TEST(the_fast_path_gives_the_reference_bits)
{
	struct hark_triage_model	*m;
	struct hark_triage_scores	 got, want;
	struct ref_model		 ref;
	char				 err[512] = "";
	size_t				 i;
	int				 k;

	make_texts();
	ref_open(&ref, MODEL);
	m = hark_triage_model_open(MODEL, err, sizeof(err));
	ck_assert_msg(m != NULL, "%s", err);
	for (i = 0; i < ntexts; i++) {
		hark_triage_model_score(m, texts[i], tlen[i], &got);
		ref_score(&ref, texts[i], tlen[i], &want);
		ck_assert_msg(got.category == want.category &&
		    same_bits(got.category_p, want.category_p) &&
		    got.sentiment == want.sentiment &&
		    same_bits(got.sentiment_p, want.sentiment_p) &&
		    same_bits(got.sentiment_score, want.sentiment_score) &&
		    strcmp(got.language, want.language) == 0 &&
		    same_bits(got.language_p, want.language_p) &&
		    got.spam == want.spam, "text %zu (%zu bytes): %d %.17g "
		    "%d %s %d, reference %d %.17g %d %s %d", i, tlen[i],
		    got.category, got.category_p, got.sentiment, got.language,
		    got.spam, want.category, want.category_p, want.sentiment,
		    want.language, want.spam);
		for (k = 0; k < HARK_CAT_COUNT; k++)
			ck_assert(same_bits(got.p[k], want.p[k]));
	}
	hark_triage_model_close(m);
	free(ref.file);
}
END_TEST

/* Skipping the rules when the model is sure changes nothing. */
START_TEST(skipping_the_rules_changes_nothing)
{
	struct hark_triage	 lazy, eager;
	char			 err[512] = "";
	size_t			 i;
	const char		*page;

	make_texts();
	ck_assert_msg(hark_triage_model_load(MODEL, err, sizeof(err)) == 0,
	    "%s", err);
	for (i = 0; i < ntexts; i++) {
		page = i % 3 == 0 ? "/checkout" : i % 3 == 1 ? "/login" : NULL;
		hark_triage_text(texts[i], tlen[i], page, &lazy);
		hark_triage_text_eager(texts[i], tlen[i], page, &eager);
		ck_assert_msg(lazy.category == eager.category &&
		    lazy.sentiment == eager.sentiment &&
		    same_bits(lazy.sentiment_score, eager.sentiment_score) &&
		    lazy.impact == eager.impact &&
		    same_bits(lazy.confidence, eager.confidence) &&
		    strcmp(lazy.language, eager.language) == 0 &&
		    lazy.spam == eager.spam, "text %zu: impact %d, eager %d",
		    i, lazy.impact, eager.impact);
	}
	hark_triage_model_close(hark_triage_model_get());
}
END_TEST

/*
 * hark_triage_text's whole answer with the model, every field to the bit,
 * on every text above under three pages, folded into one FNV-1a digest:
 * the rules decide severity and can overrule an unsure model, so a faster
 * rule engine must leave this unchanged.  Recorded anew when what is
 * decided changes (a new model, rules_decide() in lib/triage.c).
 */
#define ANSWERS_DIGEST	0xbac819d0u

static uint32_t
digest_bytes(uint32_t h, const void *v, size_t n)
{
	const unsigned char	*p = v;
	size_t			 i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static uint32_t
digest_int(uint32_t h, int64_t v)
{
	unsigned char	 b[8];
	int		 i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)((uint64_t)v >> (8 * i));
	return digest_bytes(h, b, 8);
}

START_TEST(answers_with_the_model_as_recorded)
{
	static const char *const pages[] = { NULL, "/checkout", "/login" };
	struct hark_triage	 t;
	char			 err[512] = "";
	uint32_t		 h = 2166136261u;
	uint64_t		 bits;
	size_t			 i, j;

	make_texts();
	ck_assert_msg(hark_triage_model_load(MODEL, err, sizeof(err)) == 0,
	    "%s", err);
	for (i = 0; i < ntexts; i++)
		for (j = 0; j < 3; j++) {
			hark_triage_text(texts[i], tlen[i], pages[j], &t);
			h = digest_int(h, t.category);
			h = digest_int(h, t.sentiment);
			memcpy(&bits, &t.sentiment_score, sizeof(bits));
			h = digest_int(h, (int64_t)bits);
			h = digest_int(h, t.impact);
			memcpy(&bits, &t.confidence, sizeof(bits));
			h = digest_int(h, (int64_t)bits);
			h = digest_bytes(h, t.language, strlen(t.language) + 1);
			h = digest_int(h, t.spam);
		}
	hark_triage_model_close(hark_triage_model_get());
	ck_assert_msg(h == ANSWERS_DIGEST, "the answers changed: digest "
	    "0x%08xu, recorded 0x%08xu", h, ANSWERS_DIGEST);
}
END_TEST

/*
 * No allocation per call (issue 17): after the model is loaded and the
 * word table sorted (the first call), thousands of calls, with and
 * without the model, short, long and malformed texts, allocate nothing.
 */
START_TEST(no_allocation_per_call)
{
#ifdef ALLOC_COUNT
	struct hark_triage		 t;
	struct hark_triage_scores	 sc;
	char				 err[512] = "";
	void *volatile			 p;
	size_t				 i;

	make_texts();
	ck_assert_msg(hark_triage_model_load(MODEL, err, sizeof(err)) == 0,
	    "%s", err);
	hark_triage_text_eager(texts[0], tlen[0], NULL, &t);
	nallocs = 0;
	counting = 1;
	for (i = 0; i < ntexts; i++) {
		hark_triage_text(texts[i], tlen[i], "/checkout", &t);
		hark_triage_text_eager(texts[i], tlen[i], NULL, &t);
		hark_triage_model_score(hark_triage_model_get(), texts[i],
		    tlen[i], &sc);
	}
	hark_triage_text(NULL, 0, NULL, &t);
	counting = 0;
	ck_assert_uint_eq(nallocs, 0);
	hark_triage_model_close(hark_triage_model_get());
	counting = 1;
	for (i = 0; i < ntexts; i++)		/* the rules alone */
		hark_triage_text(texts[i], tlen[i], "/login", &t);
	counting = 0;
	ck_assert_uint_eq(nallocs, 0);
	/* and the count is live */
	counting = 1;
	p = malloc(16);
	free(p);
	counting = 0;
	ck_assert_uint_eq(nallocs, 2);
#else
	fprintf(stderr, "no_allocation_per_call: not counted here (needs "
	    "glibc, no sanitizer)\n");
#endif
}
END_TEST

/* A copy of the shipped file, changed by edit, must be refused by name. */
static void
refused(void (*edit)(unsigned char *, size_t *), const char *why)
{
	char		 path[] = "/tmp/hark-triage-model-XXXXXX", err[512] = "";
	FILE		*f;
	unsigned char	*b;
	size_t		 n;
	long		 len;
	int		 fd;

	ck_assert_ptr_nonnull(f = fopen(MODEL, "rb"));
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	ck_assert_ptr_nonnull(b = malloc((size_t)len));
	ck_assert_int_eq(fread(b, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	n = (size_t)len;
	edit(b, &n);
	ck_assert_int_ne(fd = mkstemp(path), -1);
	ck_assert_int_eq(write(fd, b, n), (ssize_t)n);
	close(fd);
	free(b);
	ck_assert_ptr_null(hark_triage_model_open(path, err, sizeof(err)));
	ck_assert_msg(strstr(err, path) != NULL && strstr(err, why) != NULL,
	    "%s", err);
	ck_assert_int_eq(hark_triage_model_load(path, err, sizeof(err)), -1);
	unlink(path);
}

static void flip_weight(unsigned char *b, size_t *n) { b[*n / 2] ^= 0x01; }
static void flip_sum(unsigned char *b, size_t *n) { b[*n - 1] ^= 0x80; }
static void truncate_it(unsigned char *b, size_t *n) { (void)b; *n -= 4096; }
static void tiny(unsigned char *b, size_t *n) { (void)b; *n = 20; }
static void magic(unsigned char *b, size_t *n) { (void)n; b[0] = 'X'; }
static void version(unsigned char *b, size_t *n) { (void)n; b[8] = 9; }

START_TEST(a_bad_file_is_refused_by_name)
{
	char	 err[512] = "";

	refused(flip_weight, "checksum");
	refused(flip_sum, "checksum");
	refused(truncate_it, "truncated");
	refused(tiny, "truncated");
	refused(magic, "magic");
	refused(version, "version");
	ck_assert_ptr_null(hark_triage_model_open("/nonexistent/triage.model",
	    err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/triage.model"));
}
END_TEST

/*
 * The project's own sets through hark_triage_text with the model loaded:
 * macro-F1 over bug / feature (improvement counted with it) / question /
 * praise stays above the floors doc/triage.md records (a little under
 * what was measured, so a retrained model may move a little).
 */
static double
macro_f1(const char *set)
{
	static const char *const four[] = { "bug", "feature_request",
	    "question", "praise" };
	struct hark_triage	 t;
	const char		*g, *p;
	double			 sum = 0, pr, rc;
	size_t			 i;
	int			 k, tp[4] = { 0 }, fp[4] = { 0 }, fn[4] = { 0 };

	read_tsv(set);
	for (i = 0; i < nrows; i++) {
		hark_triage_text(rows[i].text, strlen(rows[i].text),
		    rows[i].page[0] ? rows[i].page : NULL, &t);
		g = strcmp(rows[i].cat, "improvement") == 0 ?
		    "feature_request" : rows[i].cat;
		p = t.category == HARK_CAT_IMPROVEMENT ? "feature_request" :
		    hark_category_name(t.category);
		for (k = 0; k < 4; k++) {
			if (strcmp(g, four[k]) == 0 && strcmp(p, four[k]) == 0)
				tp[k]++;
			else if (strcmp(p, four[k]) == 0)
				fp[k]++;
			else if (strcmp(g, four[k]) == 0)
				fn[k]++;
		}
	}
	for (k = 0; k < 4; k++) {
		pr = tp[k] + fp[k] ? (double)tp[k] / (tp[k] + fp[k]) : 0;
		rc = tp[k] + fn[k] ? (double)tp[k] / (tp[k] + fn[k]) : 0;
		sum += pr + rc > 0 ? 2 * pr * rc / (pr + rc) : 0;
	}
	return sum / 4;
}

START_TEST(regression_sets_above_their_floors)
{
	char	 err[512] = "";
	double	 f;

	ck_assert_msg(hark_triage_model_load(MODEL, err, sizeof(err)) == 0,
	    "%s", err);
	f = macro_f1(DATA "dev.tsv");
	ck_assert_msg(f >= DEV_FLOOR, "dev.tsv macro-F1 %.3f", f);
	f = macro_f1(DATA "holdout.tsv");
	ck_assert_msg(f >= HOLDOUT_FLOOR, "holdout.tsv macro-F1 %.3f", f);
	f = macro_f1(DATA "eval.tsv");
	ck_assert_msg(f >= EVAL_FLOOR, "eval.tsv macro-F1 %.3f", f);
	hark_triage_model_close(hark_triage_model_get());
	ck_assert_ptr_null(hark_triage_model_get());
}
END_TEST

/* With the model: language, confidence and spam are judged. */
START_TEST(the_model_judges_language_and_spam)
{
	static const struct { const char *text, *lang; } l[] = {
		{ "The export button does nothing when I click it", "en" },
		{ "De app crasht elke keer als ik een foto wil uploaden", "nl" },
		{ "Die App stürzt jedes Mal ab, wenn ich ein Foto hochlade",
		    "de" },
		{ "La aplicación se cierra cada vez que subo una foto", "es" },
		{ "L'application plante chaque fois que j'envoie une photo",
		    "fr" },
		{ "Приложение падает каждый раз, когда я загружаю фото",
		    "other" },
	};
	struct hark_triage	 t;
	char			 err[512] = "";
	const char		*spam = "Best casino bonus here "
	    "http://a.example http://b.example http://c.example";
	size_t			 i;

	ck_assert_msg(hark_triage_model_load(MODEL, err, sizeof(err)) == 0,
	    "%s", err);
	for (i = 0; i < sizeof(l) / sizeof(l[0]); i++) {
		hark_triage_text(l[i].text, strlen(l[i].text), NULL, &t);
		ck_assert_msg(strcmp(t.language, l[i].lang) == 0,
		    "%s: %s", l[i].text, t.language);
		ck_assert(t.confidence > 0 && t.confidence <= 1);
		ck_assert_int_eq(t.spam, 0);
	}
	hark_triage_text(spam, strlen(spam), NULL, &t);
	ck_assert_int_eq(t.spam, 1);
	hark_triage_text("asdfgh qwrtzp xcvbnm lkjhgf", 27, NULL, &t);
	ck_assert_int_eq(t.spam, 1);
	hark_triage_model_close(hark_triage_model_get());
	/* Without it the rules judge neither. */
	hark_triage_text(l[0].text, strlen(l[0].text), NULL, &t);
	ck_assert_int_eq(t.spam, -1);
	ck_assert_str_eq(t.language, "");
	ck_assert(t.confidence < 0);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("triage_model");
	TCase	*tc = tcase_create("model");
	SRunner	*sr;
	int	 failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, features_match_the_training_script);
	tcase_add_test(tc, shipped_weights_load);
	tcase_add_test(tc, a_bad_file_is_refused_by_name);
	tcase_add_test(tc, regression_sets_above_their_floors);
	tcase_add_test(tc, the_model_judges_language_and_spam);
	tcase_add_test(tc, the_fast_path_gives_the_reference_bits);
	tcase_add_test(tc, skipping_the_rules_changes_nothing);
	tcase_add_test(tc, answers_with_the_model_as_recorded);
	tcase_add_test(tc, no_allocation_per_call);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	free(buf);
	return failed == 0 ? 0 : 1;
}
