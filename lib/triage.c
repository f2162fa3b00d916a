/* triage.c: rule-based category, sentiment and impact of a feedback text, no allocation. */
#include "config.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HARK_TRIAGE_INTERNAL
#include "triage.h"
#include "triage_model.h"
#include "vocab.h"
#include "utf8.h"

/* SSE2 (every x86-64) scans runs of ASCII letters 16 bytes at a time. */
#if defined(__SSE2__) && (defined(__GNUC__) || defined(__clang__)) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && !defined(TRIAGE_SCALAR)
#define TRIAGE_SSE2
#include <emmintrin.h>
#endif

/*
 * How it works, in two passes over a token array on the stack:
 *  1. Decode, fold and split the text into words; look each word up in the
 *     lexicon's hash table (the word itself, else its longest stem) and give
 *     it a second reading where one applies: the head of a German or Dutch
 *     compound ("Zahlungs|fehler"), another language's stem behind a whole
 *     word ("adore" in French), or the base of an inflection ("lisibles").
 *     Note sentence and clause boundaries, question marks, exclamation marks
 *     and emoji; count votes for the language.
 *  2. With the language known (it decides between false friends such as
 *     Dutch "te" and Spanish "te"), walk the words clause by clause and add
 *     up category evidence and polarity with a few rules: negation next to a
 *     "works" verb is a bug, a modal before "nice" is a wish, "too" before
 *     an adjective is an improvement, an auxiliary before a pronoun at the
 *     start of a clause is a question, "but" shifts the weight to what
 *     follows, and so on.
 * doc/triage.md has the rules and the impact formula in prose.
 */

#define MAXTOK		1024	/* words judged; the rest of a long text is ignored */
#define MAXWORD		40	/* longer "words" (URLs, hashes) are not looked up */
#define LEXMAX		4096
#define HEADMIN		4	/* shortest head a compound may end with */
#define NOENT		UINT16_MAX
#define FALLBACK_BUG	3	/* content words that make a plain statement a report */
#define MODEL_SURE	0.8	/* the model's category is not overruled from here */

#define TF_CLAUSE	0x01	/* first word of a clause */
#define TF_HYPHEN	0x02	/* joined to the previous word by a hyphen */
#define TF_CAPS		0x04	/* written in capitals (shouting) */
#define TF_INQ		0x08	/* in a sentence that ends with "?" */
#define TF_QLIKE	0x10	/* in a sentence that is a question, "?" or not */
#define TF_ALT		0x20	/* tok.head holds another reading, not a head */
#define TF_ER		0x40	/* unknown word ending in -er: maybe a comparative */

enum { LANG_EN, LANG_NL, LANG_ES, LANG_DE, LANG_FR, LANG_N };

struct tok {
	uint16_t	 first;		/* first lexicon entry, or NOENT */
	uint16_t	 head;		/* compound head or other reading, or NOENT */
	uint8_t		 nent;		/* entries sharing the word */
	uint8_t		 nhead;
	uint8_t		 flags;
	uint16_t	 clause;
	uint16_t	 sent;
};

struct word {				/* a token resolved for one language */
	uint64_t	 cls;
	bool		 negdone;	/* a negator already spent on a word */
	const char	*text;		/* the lexicon word, for a few exact checks */
	int		 weight;
	int		 pol;
	unsigned	 sev;
};

/*
 * What lookup_word found for a spelling, kept from call to call: texts
 * repeat their words ("the", "app", "it", "crash") and so do the texts a
 * worker sees, and a hit costs one compare instead of the probes for the
 * word, its stems, endings and head.  The answer for a spelling never
 * changes (the word table is fixed), so a kept one is always right.  One
 * cache per thread (no locks); 4,096 slots held about 70% of eval.tsv's
 * words after the other sets had been read, 256 per call about 17%.
 */
#define WCACHE		4096	/* direct mapped, a power of two */
#define WCHUNK		(MAXWORD / 8)	/* 8-byte pieces of a spelling */
struct wcache {
	uint64_t	 w[WCHUNK];	/* the spelling, zero padded */
	uint32_t	 h;		/* FNV-1a of the spelling */
	uint16_t	 first, head;
	uint8_t		 nent, nhead;
	uint8_t		 flags;		/* TF_ALT, TF_ER */
};

static _Thread_local struct wcache	wcache[WCACHE];
static _Thread_local uint8_t		wcache_n[WCACHE];	/* length, 0 free */

/* The text without its template's markup, when it has some (per thread). */
static _Thread_local char		strip_buf[HARK_TRIAGE_STRIP_MAX];

struct scan {
	struct tok	 tok[MAXTOK];
	size_t		 ntok;
	int		 votes[LANG_N];
	int		 qmarks;
	int		 excl;
	int		 emoji_pos;
	int		 emoji_neg;
	int		 please_emoji;
	int		 emoji_bug;	/* the bug emoji */
	int		 emoji_think;	/* the thinking face */
	size_t		 letters;
};

struct score {
	double		 cat[HARK_CAT_COUNT];
	double		 pol;
	unsigned	 sev;
	int		 greet;
	int		 content;	/* words that are not stop words or greetings */
	double		 compar;	/* "better", "faster": wish or praise, see decide() */
	double		 featn;		/* feature nouns: requested only next to a wish */
	double		 testw;		/* "test": other in a short text only */
	bool		 modal;		/* a modal or "should" anywhere */
	bool		 wish;		/* want, would, please, should, add... */
	bool		 feat;		/* add, feature, missing: a new thing named */
	bool		 when;		/* a clause opens with "when", "wann", "quand" */
	bool		 why;		/* a clause opens with "why" */
	bool		 butc;		/* the current clause opens with "but" */
	bool		 qlike;		/* some clause opens like a question */
	bool		 adjq;		/* long, small, many: said of something */
	double		 fpol;		/* polarity of fault words: facts, not feelings */
};

static struct hark_lex	lex[LEXMAX];
static size_t		nlex;
#define HSIZE		8192	/* hash slots: a power of two, 2 * LEXMAX */
/*
 * A slot holds what a probe reads in 16 bytes, in one cache line: the
 * whole hash, the length and the spelling's first 8 bytes (most are that
 * short), compared at once; the lexicon's strings are read only past them.
 */
static struct hslot {
	uint32_t	 h;		/* its whole hash */
	uint16_t	 e;		/* 1 + first entry of a spelling, 0 = free */
	uint8_t		 len;
	uint64_t	 w8;		/* its first 8 bytes, zero padded */
} htab[HSIZE];
static uint64_t		pmask[9];	/* the first k bytes of 8, in memory order */
static uint8_t		stemtri[26 * 26 * 26 / 8];	/* first three letters of a stem */
static uint8_t		lexlen[LEXMAX];
static uint8_t		runlen[LEXMAX];	/* entries sharing the first one's spelling */
static uint8_t		hasstem[LEXMAX];	/* TLX_* bits of any of them */
static uint8_t		runlang[LEXMAX];	/* TL_* bits of any of them */
static uint8_t		headbi[26][26];	/* first two letters of some head */
static uint16_t		altstem[LEXMAX];	/* stem that begins a spelling, or NOENT */
/*
 * One bit per spelling, set at the bit its hash picks: most probes are for
 * prefixes and endings that are no spelling at all, and one load from this
 * 8 KB map answers them without walking htab.
 */
#define FILTER_BITS	16
static uint64_t		hfilter[(1u << FILTER_BITS) / 64];
static atomic_int	lex_state;	/* 0 unsorted, 1 sorting, 2 ready */


static int
lex_cmp(const void *a, const void *b)
{
	const struct hark_lex	*x = a, *y = b;

	return strcmp(x->word, y->word);
}

static uint32_t	hash_step(uint32_t, unsigned char);
static size_t	slot_find(uint32_t, const char *, size_t);
static uint32_t	filter_bit(uint32_t);
static uint16_t	stem_of(const char *, size_t);
static inline int tri_index(const char *);

/* Indexes each distinct spelling of the sorted table in htab. */
static void
lex_index(void)
{
	char		 pad[8];	/* a spelling's first 8 bytes, zero padded */
	size_t		 i, j, n, s;
	uint32_t	 h;
	const char	*p;
	int		 t;

	for (i = 0; i <= 8; i++) {
		memset(pad, 0, 8);
		memset(pad, 0xFF, i);
		memcpy(&pmask[i], pad, 8);
	}
	for (i = 0; i < nlex; i++)
		lexlen[i] = (uint8_t)strlen(lex[i].word);
	for (i = 0; i < nlex; i = j) {
		for (j = i; j < nlex && strcmp(lex[j].word, lex[i].word) == 0;
		    j++) {
			hasstem[i] |= lex[j].stem;
			runlang[i] |= lex[j].lang;
		}
		runlen[i] = (uint8_t)(j - i);
		p = lex[i].word;
		if ((hasstem[i] & TLX_HEAD) && lexlen[i] >= HEADMIN &&
		    p[0] >= 'a' && p[0] <= 'z' && p[1] >= 'a' && p[1] <= 'z')
			headbi[p[0] - 'a'][p[1] - 'a'] = 1;
		h = 2166136261u;
		for (p = lex[i].word, n = 0; p[n] != '\0'; n++)
			h = hash_step(h, (unsigned char)p[n]);
		memset(pad, 0, sizeof(pad));
		memcpy(pad, lex[i].word, n < sizeof(pad) ? n : sizeof(pad));
		s = slot_find(h, n < sizeof(pad) ? pad : lex[i].word, n);
		htab[s].e = (uint16_t)(i + 1);
		htab[s].h = h;
		htab[s].len = (uint8_t)n;
		memcpy(&htab[s].w8, pad, 8);
		hfilter[filter_bit(h) / 64] |= UINT64_C(1) << (filter_bit(h) % 64);
		if ((hasstem[i] & TLX_STEM) && (t = tri_index(p)) >= 0)
			stemtri[t >> 3] |= (uint8_t)(1u << (t & 7));
	}
	for (i = 0; i < nlex; i += runlen[i])
		altstem[i] = stem_of(lex[i].word, lexlen[i]);
}

/* Sorts a copy of the table once; concurrent first callers wait for it. */
static void
lex_init(void)
{
	int	 expect = 0;

	if (atomic_load_explicit(&lex_state, memory_order_acquire) == 2)
		return;
	if (atomic_compare_exchange_strong(&lex_state, &expect, 1)) {
		nlex = hark_triage_lexicon_len < LEXMAX ?
		    hark_triage_lexicon_len : LEXMAX;
		memcpy(lex, hark_triage_lexicon, nlex * sizeof(lex[0]));
		qsort(lex, nlex, sizeof(lex[0]), lex_cmp);
		lex_index();
		atomic_store_explicit(&lex_state, 2, memory_order_release);
		return;
	}
	while (atomic_load_explicit(&lex_state, memory_order_acquire) != 2)
		;
}

static uint32_t
hash_step(uint32_t h, unsigned char c)
{
	return (h ^ c) * 16777619u;	/* FNV-1a */
}

/*
 * The slot of the spelling w (n bytes, hash h), or the free slot where it
 * would go.  8 bytes at w are read whatever n (scan_text's word buffer is
 * zero padded past the word; lex_index and stem_of pad short words).
 */
static size_t
slot_find(uint32_t h, const char *w, size_t n)
{
	const struct hslot *t;
	size_t		 s = h & (HSIZE - 1);
	uint64_t	 v;
	uint16_t	 e;

	memcpy(&v, w, sizeof(v));
	v &= pmask[n < 8 ? n : 8];
	while ((e = (t = &htab[s])->e) != 0) {
		if (t->h == h && t->len == n && t->w8 == v &&
		    (n <= 8 || memcmp(lex[e - 1].word + 8, w + 8, n - 8) == 0))
			return s;
		s = (s + 1) & (HSIZE - 1);
	}
	return s;
}

/* The bit of hfilter for hash h: other bits of it than htab's slot. */
static uint32_t
filter_bit(uint32_t h)
{
	return (h * 0x9E3779B1u) >> (32 - FILTER_BITS);
}

/* 1 + the first entry of the spelling w (n bytes, hash h), or 0. */
static inline uint16_t
lex_find(uint32_t h, const char *w, size_t n)
{
	uint32_t	 b = filter_bit(h);

	if (!(hfilter[b / 64] >> (b % 64) & 1))
		return 0;
	return htab[slot_find(h, w, n)].e;
}

/* Index of the first three letters of w in stemtri, or -1. */
static inline int
tri_index(const char *w)
{
	if (w[0] < 'a' || w[0] > 'z' || w[1] < 'a' || w[1] > 'z' ||
	    w[2] < 'a' || w[2] > 'z')
		return -1;
	return ((w[0] - 'a') * 26 + (w[1] - 'a')) * 26 + (w[2] - 'a');
}

/*
 * The longest stem that begins the spelling w and is shorter than it, or
 * NOENT.  The English "adore" must not hide the French stem "ador", so a
 * word found whole also carries this reading for the other languages.
 */
static uint16_t
stem_of(const char *word, size_t len)
{
	char		 pad[8];	/* a short word, zero padded */
	const char	*w = word;	/* slot_find reads 8 bytes at w */
	size_t		 n, k;
	uint32_t	 h;
	uint16_t	 e;

	if (len < sizeof(pad)) {
		memset(pad, 0, sizeof(pad));
		memcpy(pad, word, len);
		w = pad;
	}
	for (n = len - 1; n >= 3; n--) {
		h = 2166136261u;
		for (k = 0; k < n; k++)
			h = hash_step(h, (unsigned char)w[k]);
		if ((e = htab[slot_find(h, w, n)].e) != 0 &&
		    (hasstem[e - 1] & TLX_STEM))
			return (uint16_t)(e - 1);
	}
	return NOENT;
}

/*
 * Finds the entries for the word w (length len): the word itself, else the
 * longest stem that begins it.  Sets *first and returns how many entries
 * share that spelling (0 when nothing matches).  One hash probe per prefix
 * length, longest first; ph[n] is the hash of the first n bytes.
 */
static size_t
lex_lookup(const char *w, size_t len, const uint32_t *ph, uint16_t *first)
{
	size_t		 n, lo;
	uint16_t	 e;
	int		 t;

	/* every stem has three letters or more */
	t = len >= 3 ? tri_index(w) : -1;
	lo = t >= 0 && (stemtri[t >> 3] & (1u << (t & 7))) ? 3 : len;
	for (n = len; n >= lo && n >= 1; n--) {
		if ((e = lex_find(ph[n], w, n)) == 0)
			continue;
		e--;
		if (n == len || (hasstem[e] & TLX_STEM)) {
			*first = e;
			return runlen[e];
		}
	}
	return 0;
}

/*
 * Reads an unknown word as an inflection of a listed one: "lisibles" is
 * "lisible", "lesbare" "lesbar", "voegen" "voeg".  Sets first (and second,
 * for a reading in another language) and returns how many entries share the
 * first; what is left must keep 4 letters, so "notes" never becomes "not".
 */
static size_t
inflect_lookup(const char *w, size_t len, const uint32_t *ph, uint16_t *first,
    uint16_t *second)
{
	size_t		 cut[2], nc = 0, i, n, nfirst = 0;
	uint16_t	 e;

	*second = NOENT;
	if (len < 5)
		return 0;
	/*
	 * The endings -s -e -n -es -en -er -em -nt, tried in that order; a
	 * word ends with two of them at most (-s and -es, -n and -en).
	 */
	switch (w[len - 1]) {
	case 's':
	case 'n':
		cut[nc++] = 1;
		if (w[len - 2] == 'e')
			cut[nc++] = 2;
		break;
	case 'e':
		cut[nc++] = 1;
		break;
	case 'r':
	case 'm':
		if (w[len - 2] == 'e')
			cut[nc++] = 2;
		break;
	case 't':
		if (w[len - 2] == 'n')
			cut[nc++] = 2;
		break;
	}
	for (i = 0; i < nc; i++) {
		if (len < cut[i] + 4)
			continue;
		n = len - cut[i];
		if ((e = lex_find(ph[n], w, n)) == 0)
			continue;
		e--;
		if (nfirst == 0) {
			*first = e;
			nfirst = runlen[e];
		} else if (e != *first) {
			*second = e;
			break;
		}
	}
	return nfirst;
}

/*
 * Finds the longest head (TLX_HEAD) that ends the word w, so the German
 * "Zahlungsfehler" is also a "Fehler" and the Dutch "betaalfout" a "fout".
 * The head starts 3 letters in at least; its first two letters are checked
 * against headbi before any hashing, which keeps this cheap.  A stem head
 * may be followed by an ending ("Anmeldefehlern").
 */
static size_t
head_lookup(const char *w, size_t len, uint16_t *first)
{
	uint32_t	 hh[MAXWORD + 1];
	size_t		 p, n;
	uint16_t	 e;
	unsigned char	 a, b;

	for (p = 3; p + HEADMIN <= len; p++) {
		a = (unsigned char)w[p];
		b = (unsigned char)w[p + 1];
		if (a < 'a' || a > 'z' || b < 'a' || b > 'z' ||
		    !headbi[a - 'a'][b - 'a'])
			continue;
		/* the hashes of every length from p, in one run */
		hh[0] = 2166136261u;
		for (n = 0; n < len - p; n++)
			hh[n + 1] = hash_step(hh[n], (unsigned char)w[p + n]);
		for (n = len - p; n >= HEADMIN; n--) {
			if ((e = lex_find(hh[n], w + p, n)) == 0)
				continue;
			e--;
			if ((hasstem[e] & TLX_HEAD) && (n == len - p ||
			    (hasstem[e] & TLX_STEM))) {
				*first = e;
				return runlen[e];
			}
		}
	}
	return 0;
}

static int
emoji_polarity(uint32_t cp)
{
	switch (cp) {
	case 0x1F620: case 0x1F621: case 0x1F624: case 0x1F62D:
	case 0x1F622: case 0x1F61E: case 0x1F61F: case 0x1F623:
	case 0x1F625: case 0x1F626: case 0x1F627: case 0x1F628:
	case 0x1F629: case 0x1F62B: case 0x1F630: case 0x1F631:
	case 0x1F612: case 0x1F615: case 0x1F616: case 0x1F614:
	case 0x1F641: case 0x2639: case 0x1F44E: case 0x1F92C:
	case 0x1F4A9: case 0x1F644: case 0x1F635: case 0x1F62C:
	case 0x1F926: case 0x274C: case 0x1F494: case 0x1F92F:
	case 0x1F92E: case 0x26A0: case 0x1F6A8:
		return -1;
	case 0x1F60A: case 0x1F60B: case 0x1F60E: case 0x1F642:
	case 0x1F929: case 0x1F970: case 0x1F973: case 0x1F44D:
	case 0x1F44C: case 0x1F44F: case 0x1F64C: case 0x1F389:
	case 0x1F38A: case 0x1F680: case 0x2764: case 0x2B50:
	case 0x1F31F: case 0x1F4AF: case 0x1F525: case 0x263A:
	case 0x1F917: case 0x1F947: case 0x2728: case 0x1F4AA:
	case 0x2705: case 0x1F3C6: case 0x1F91D: case 0x1F90D:
	case 0x1F9E1:
		return 1;
	}
	if ((cp >= 0x1F600 && cp <= 0x1F60D) ||
	    (cp >= 0x1F617 && cp <= 0x1F61D) ||
	    (cp >= 0x1F495 && cp <= 0x1F49F))
		return 1;
	return 0;
}

/* A letter's hint at the language, before folding loses it. */
static void
vote_letter(struct scan *sc, uint32_t cp)
{
	switch (cp) {
	case 0xF1: case 0xD1: case 0xBF: case 0xA1:	/* ñ ¿ ¡ */
	case 0xE1: case 0xED: case 0xF3: case 0xFA:	/* á í ó ú */
		sc->votes[LANG_ES] += 2;
		break;
	case 0xDF: case 0xE4: case 0xF6: case 0xFC:	/* ß ä ö ü */
	case 0xC4: case 0xD6: case 0xDC:
		sc->votes[LANG_DE] += 2;
		break;
	case 0xE7: case 0xE8: case 0xEA: case 0xE0:	/* ç è ê à */
	case 0xE2: case 0xEE: case 0xF4: case 0xFB:	/* â î ô û */
	case 0x153:
		sc->votes[LANG_FR] += 2;
		break;
	case 0xE9: case 0xC9:				/* é */
		sc->votes[LANG_FR]++;
		sc->votes[LANG_ES]++;
		break;
	case 0xEB: case 0xEF:				/* ë ï */
		sc->votes[LANG_NL]++;
		sc->votes[LANG_FR]++;
		break;
	}
}

/*
 * Resolves the spelling w into t: the word or its longest stem, then a
 * second reading in tok.head: a compound's head ("Zahlungs|fehler"), a stem
 * of other languages behind a whole word, or an inflection's base.  ph[k]
 * is the hash of w's first k bytes.
 */
static void
lookup_word(struct tok *t, const char *w, size_t n, const uint32_t *ph)
{
	size_t		 k;
	uint16_t	 alt;

	k = lex_lookup(w, n, ph, &t->first);
	if (k == 0)
		k = inflect_lookup(w, n, ph, &t->first, &alt);
	else
		alt = lexlen[t->first] == n ? altstem[t->first] : NOENT;
	t->nent = (uint8_t)(k > 255 ? 255 : k);
	if (n >= 3 + HEADMIN && (k == 0 || lexlen[t->first] < n))
		t->nhead = (uint8_t)head_lookup(w, n, &t->head);
	if (t->nhead == 0 && alt != NOENT) {
		t->head = alt;
		t->nhead = runlen[alt];
		t->flags |= TF_ALT;
	}
}

/* The first m 8-byte pieces of a and of the bytes at b are the same. */
static inline bool
same_pieces(const uint64_t *a, const char *b, size_t m)
{
	uint64_t	 v;
	size_t		 k;

	for (k = 0; k < m; k++) {
		memcpy(&v, b + 8 * k, sizeof(v));
		if (a[k] != v)
			return false;
	}
	return true;
}

/*
 * Ends the word w (*wn bytes; ph[k] is the hash of its first k, kept by
 * scan_text as the word grew): a token, its lookup, its language votes.
 */
static void
end_word(struct scan *sc, char *w, const uint32_t *ph, size_t *wn,
    unsigned *flags, unsigned caps, uint16_t clause, uint16_t sent)
{
	struct tok	*t;
	struct wcache	*c;
	size_t		 n, slot;
	unsigned	 mask;

	if (*wn == 0)
		return;
	if (sc->ntok < MAXTOK) {
		t = &sc->tok[sc->ntok++];
		t->first = t->head = NOENT;
		t->nent = t->nhead = 0;
		t->flags = (uint8_t)*flags;
		if (caps >= 3 && caps == *wn)
			t->flags |= TF_CAPS;
		t->clause = clause;
		t->sent = sent;
		if ((n = *wn) <= MAXWORD) {
			/* zero padded to whole pieces: compared, copied
			 * and read by the probes as such, without calls */
			memset(w + n, 0, 8);
			slot = (ph[n] ^ ph[n] >> 16) & (WCACHE - 1);
			c = &wcache[slot];
			if (wcache_n[slot] == n && c->h == ph[n] &&
			    same_pieces(c->w, w, (n + 7) / 8)) {
				t->first = c->first;
				t->head = c->head;
				t->nent = c->nent;
				t->nhead = c->nhead;
				t->flags |= c->flags;
			} else {
				lookup_word(t, w, n, ph);
				if (t->nent == 0 && t->nhead == 0 && n >= 6 &&
				    w[n - 2] == 'e' && w[n - 1] == 'r')
					t->flags |= TF_ER;
				c->h = ph[n];
				c->first = t->first;
				c->head = t->head;
				c->nent = t->nent;
				c->nhead = t->nhead;
				c->flags = t->flags & (TF_ALT | TF_ER);
				memcpy(c->w, w, sizeof(c->w));
				wcache_n[slot] = (uint8_t)n;
			}
			/* the languages of its entries (nent is their run) */
			mask = t->nent > 0 ? runlang[t->first] : 0;
			if (mask != TL_ALL && mask != 0) {
				sc->votes[LANG_EN] += (int)(mask & 1);
				sc->votes[LANG_NL] += (int)(mask >> 1 & 1);
				sc->votes[LANG_ES] += (int)(mask >> 2 & 1);
				sc->votes[LANG_DE] += (int)(mask >> 3 & 1);
				sc->votes[LANG_FR] += (int)(mask >> 4 & 1);
			}
		}
	}
	*wn = 0;
	*flags = 0;
}

/*
 * ASCII letters and digits, the bytes that make words without decoding,
 * folded to lower case; 0 for any other byte (>= 0x80 is decoded).
 */
static const unsigned char ascii_alnum[256] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
	0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
	0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x00, 0x00, 0x00, 0x00, 0x00,
};

#ifdef TRIAGE_SSE2
/*
 * The run of ASCII letters and digits that starts s (16 bytes readable),
 * folded into w (16 bytes writable) and hashed into ph[1..] (ph[0] is the
 * hash so far), as scan_text's byte loop does, in one go: the classes by
 * vector compares, the length by the first byte outside them.  Bytes past
 * the run are written too (garbage the caller overwrites or never reads).
 * Returns the run's length, 1..16; adds its capitals to *upper.
 */
static inline size_t
ascii_run16(const char *s, char *w, uint32_t *ph, unsigned *upper)
{
	static const char	 pos[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
	    11, 12, 13, 14, 15 };
	__m128i		 v, lo, al, dg, up, f, in, cnt;
	uint64_t	 half;
	uint32_t	 h = ph[0];
	unsigned	 m;
	size_t		 n, off;

	v = _mm_loadu_si128((const __m128i *)(const void *)s);
	lo = _mm_or_si128(v, _mm_set1_epi8(0x20));
	/* signed compares: bytes >= 0x80 are below every bound */
	al = _mm_and_si128(_mm_cmpgt_epi8(lo, _mm_set1_epi8('a' - 1)),
	    _mm_cmplt_epi8(lo, _mm_set1_epi8('z' + 1)));
	dg = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
	    _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
	up = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)),
	    _mm_cmplt_epi8(v, _mm_set1_epi8('Z' + 1)));
	m = (unsigned)_mm_movemask_epi8(_mm_or_si128(al, dg));
	n = (size_t)__builtin_ctz(~m | 0x10000u);
	f = _mm_or_si128(v, _mm_and_si128(up, _mm_set1_epi8(0x20)));
	_mm_storeu_si128((__m128i *)(void *)w, f);
	/* the capitals among the run's n bytes */
	in = _mm_cmplt_epi8(_mm_loadu_si128((const __m128i *)(const void *)pos),
	    _mm_set1_epi8((char)n));
	cnt = _mm_sad_epu8(_mm_and_si128(_mm_and_si128(up, in),
	    _mm_set1_epi8(1)), _mm_setzero_si128());
	*upper += (unsigned)_mm_cvtsi128_si32(cnt) +
	    (unsigned)_mm_cvtsi128_si32(_mm_srli_si128(cnt, 8));
	/*
	 * The prefixes' hashes, 8 at a time: a fixed count (no loop exit to
	 * predict per word), the second 8 only for a longer run.
	 */
	memcpy(&half, w, sizeof(half));
#define RUN_STEP(k)	do {						\
		h = hash_step(h, (unsigned char)(half >> (8 * (k))));	\
		ph[(k) + 1 + off] = h;					\
	} while (0)
	off = 0;
	for (;;) {
		RUN_STEP(0); RUN_STEP(1); RUN_STEP(2); RUN_STEP(3);
		RUN_STEP(4); RUN_STEP(5); RUN_STEP(6); RUN_STEP(7);
		if (off > 0 || n <= 8)
			break;
		off = 8;
		memcpy(&half, w + 8, sizeof(half));
	}
#undef RUN_STEP
	return n;
}
#endif

/* Pass 1: fold, split and look up. */
static void
scan_text(struct scan *sc, const char *s, size_t len)
{
	char		 w[MAXWORD + 8], f[2];	/* + end_word's padding */
	uint32_t	 ph[MAXWORD + 3];	/* ph[k]: hash of w[0..k) */
	size_t		 i, n, wn = 0, k, sent_first = 0, t, run;
	uint32_t	 cp, h;
	unsigned	 flags = TF_CLAUSE, caps = 0, upper, lc;
	uint16_t	 clause = 0, sent = 0;
	bool		 new_clause = false, nc;
	char		 c, nx;
	int		 ep;

	ph[0] = 2166136261u;

	for (i = 0; i < len && sc->ntok < MAXTOK; i += n) {
		cp = (unsigned char)s[i];
		if (ascii_alnum[cp] != 0) {
			/* a run of ASCII letters and digits, most of any text:
			 * what the loop below does for each, without the tests */
			/* a word opening a clause (without a branch: it is
			 * taken about one word in four, unpredictably) */
			nc = wn == 0 && new_clause;
			flags |= nc ? TF_CLAUSE : 0;
			new_clause = new_clause && !nc;
			/* (in locals: end_word has wn's and caps' address) */
			run = wn;
			upper = caps;
#ifdef TRIAGE_SSE2
			if (i + 16 <= len && run + 16 <= MAXWORD) {
				/* most words: at once, no branch per byte */
				k = ascii_run16(s + i, w + run, ph + run, &upper);
				run += k;
				i += k;
				if (k < 16)
					goto run_done;
			}
#endif
			h = ph[run];
			while (i < len && (lc = ascii_alnum[cp =
			    (unsigned char)s[i]]) != 0) {
				upper += lc != cp;	/* folded: a capital */
				/* the prefixes' hashes as the word grows; w and
				 * ph have room for one past MAXWORD: no test */
				h = hash_step(h, (unsigned char)lc);
				w[run] = (char)lc;
				ph[run + 1] = h;
				run = run < MAXWORD ? run + 1 : MAXWORD + 1;
				i++;
			}
#ifdef TRIAGE_SSE2
run_done:
#endif
			wn = run;
			caps = upper;
			n = 0;
			continue;
		}
		if (cp == ' ') {
			/* the commonest separator: what the tests below do
			 * for it, no more (no apostrophe, hyphen or mark) */
			end_word(sc, w, ph, &wn, &flags, caps, clause, sent);
			caps = 0;
			n = 1;
			continue;
		}
		if ((unsigned char)s[i] < 0x80) {
			/* ASCII, most of any text: no decoding, no call */
			n = 1;
			cp = (unsigned char)s[i];
			f[0] = (cp >= 'A' && cp <= 'Z') ? (char)(cp + 32) :
			    (char)cp;
			k = 1;
		} else {
			if ((n = hark_utf8_decode(s + i, len - i, &cp)) == 0) {
				n = 1;
				cp = ' ';
			}
			k = hark_utf8_fold_cp(cp, f);
		}
		if (k > 0 && (((f[0] >= 'a' && f[0] <= 'z') ||
		    (f[0] >= '0' && f[0] <= '9')))) {
			nc = wn == 0 && new_clause;
			flags |= nc ? TF_CLAUSE : 0;
			new_clause = new_clause && !nc;
			if (cp >= 0x80)
				vote_letter(sc, cp);
			if ((cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp <= 0xDE))
				caps++;
			if (wn + k <= MAXWORD) {
				ph[wn + 1] = hash_step(ph[wn], (unsigned char)f[0]);
				w[wn++] = f[0];
				if (k > 1) {
					ph[wn + 1] = hash_step(ph[wn],
					    (unsigned char)f[1]);
					w[wn++] = f[1];
				}
			} else {
				wn = MAXWORD + 1;
				ph[wn] = 0;	/* not looked up: any value */
			}
			sc->letters++;
			continue;
		}
		c = k > 0 ? f[0] : '\0';
		nx = i + n < len ? s[i + n] : '\0';
		if (c == '\'' && wn > 0 && (nx == 't' || nx == 'T') &&
		    (i + n + 1 >= len || !((s[i + n + 1] | 0x20) >= 'a' &&
		    (s[i + n + 1] | 0x20) <= 'z')))
			continue;	/* can't -> cant */
		end_word(sc, w, ph, &wn, &flags, caps, clause, sent);
		caps = 0;
		if (cp >= 0x80)
			vote_letter(sc, cp);
		if (c == '-' && i > 0 && s[i - 1] != ' ' && nx != ' ') {
			flags |= TF_HYPHEN;
			continue;
		}
		switch (cp) {
		case '?': case 0xBF: case 0xFF1F:
			sc->qmarks++;
			for (t = sent_first; t < sc->ntok; t++)
				sc->tok[t].flags |= TF_INQ;
			/* FALLTHROUGH */
		case '!': case 0xA1: case '\n': case 0x2026: case ';':
			if (cp == '!' || cp == 0xA1)
				sc->excl++;
			if (sc->ntok > sent_first) {
				sent++;
				clause++;
				sent_first = sc->ntok;
				new_clause = true;
			}
			break;
		case '.':
			if (nx == ' ' || nx == '\0' || nx == '\n' || nx == '\r') {
				sent++;
				clause++;
				sent_first = sc->ntok;
				new_clause = true;
			}
			break;
		case ',': case ':': case '(': case ')': case '"':
		case 0x2013: case 0x2014: case '-':
			if (cp == ':' && (nx == ')' || nx == 'D'))
				sc->emoji_pos++;
			else if (cp == ':' && nx == '(')
				sc->emoji_neg++;
			clause++;
			new_clause = true;
			break;
		case 0x1F64F:
			sc->please_emoji++;
			break;
		case 0x1F41B:
			sc->emoji_bug++;
			break;
		case 0x1F914: case 0x2753: case 0x2754:
			sc->emoji_think++;
			break;
		default:
			if (cp < 0x2600)
				break;	/* no emoji below: spaces, letters */
			if ((ep = emoji_polarity(cp)) > 0)
				sc->emoji_pos++;
			else if (ep < 0)
				sc->emoji_neg++;
		}
	}
	end_word(sc, w, ph, &wn, &flags, caps, clause, sent);
}

static unsigned
pick_lang(const struct scan *sc)
{
	int	 best = 0, l, second = 0;

	for (l = 1; l < LANG_N; l++)
		if (sc->votes[l] > sc->votes[best])
			best = l;
	for (l = 0; l < LANG_N; l++)
		if (l != best && sc->votes[l] > second)
			second = sc->votes[l];
	if (sc->votes[best] == 0 || sc->votes[best] == second)
		return TL_ALL;	/* unknown: every meaning counts */
	return 1u << best;
}

/* Merges the token's entries that belong to the language. */
static void
resolve(const struct tok *t, unsigned lang, struct word *wd)
{
	const struct hark_lex	*e;
	size_t			 k;
	unsigned		 primask = 0;

	memset(wd, 0, sizeof(*wd));
	if (t->nent > 0)	/* the entries are the spelling's whole run */
		primask = runlang[t->first];
	for (k = 0; k < (size_t)t->nent + t->nhead; k++) {
		e = k < t->nent ? &lex[t->first + k] :
		    &lex[t->head + (k - t->nent)];
		if ((e->lang & lang) == 0)
			continue;
		if (k >= t->nent && ((t->flags & TF_ALT) ?
		    (e->lang & primask) != 0 : !(e->stem & TLX_HEAD)))
			continue;
		wd->cls |= e->cls;
		if (k < t->nent || wd->text == NULL)
			wd->text = e->word;
		if (e->weight > wd->weight)
			wd->weight = e->weight;
		if (abs(e->pol) > abs(wd->pol))
			wd->pol = e->pol;
		wd->sev |= e->sev;
	}
}

struct ctx {
	const struct scan	*sc;
	struct word		 wd[MAXTOK];
	unsigned		 lang;
};

/* Token i is the lexicon word w (for the few rules that need one word). */
static bool
is_word(const struct ctx *c, size_t i, const char *w)
{
	return i < c->sc->ntok && c->wd[i].text != NULL &&
	    strcmp(c->wd[i].text, w) == 0;
}

/*
 * The negator up to three words before i, in the same clause, as its index
 * plus one, or 0.
 */
static size_t
negator(const struct ctx *c, size_t i)
{
	size_t	 j;

	for (j = i; j > 0 && i - j < 3; j--) {
		if (c->sc->tok[j - 1].clause != c->sc->tok[i].clause)
			break;
		if (c->wd[j - 1].cls & TC_NEG)
			return j;
	}
	return 0;
}

/* The first word of its clause, not counting greetings before it. */
static bool
clause_start(const struct ctx *c, size_t i)
{
	size_t	 j;

	for (j = i; j > 0; j--) {
		if (c->sc->tok[j].flags & TF_CLAUSE)
			return true;
		if (c->sc->tok[j - 1].clause != c->sc->tok[i].clause)
			return true;
		if ((c->wd[j - 1].cls & (TC_GREET | TC_QNOUN)) == 0)
			return false;
	}
	return true;
}

/* Any word with one of cls within [i - back, i + fwd] in i's sentence. */
static bool
near(const struct ctx *c, size_t i, size_t back, size_t fwd, uint64_t cls)
{
	size_t	 j, lo = i > back ? i - back : 0;

	for (j = lo; j <= i + fwd && j < c->sc->ntok; j++)
		if (j != i && c->sc->tok[j].sent == c->sc->tok[i].sent &&
		    (c->wd[j].cls & cls))
			return true;
	return false;
}

/* A word with cls and at least weight wt within fwd words after i. */
static bool
near_strong(const struct ctx *c, size_t i, size_t fwd, uint64_t cls, int wt)
{
	size_t	 j;

	for (j = i + 1; j <= i + fwd && j < c->sc->ntok; j++)
		if (c->sc->tok[j].sent == c->sc->tok[i].sent &&
		    (c->wd[j].cls & cls) && c->wd[j].weight >= wt)
			return true;
	return false;
}

/* Token i is the last of its sentence. */
static bool
sentence_end(const struct ctx *c, size_t i)
{
	return i + 1 >= c->sc->ntok ||
	    c->sc->tok[i + 1].sent != c->sc->tok[i].sent;
}

/* The classes of the word after i in the same sentence, or 0. */
static uint64_t
next_cls(const struct ctx *c, size_t i)
{
	if (i + 1 >= c->sc->ntok ||
	    c->sc->tok[i + 1].sent != c->sc->tok[i].sent)
		return 0;
	return c->wd[i + 1].cls;
}

/* "merci de votre aide", "merci d'avoir...": thanks for, not please. */
static bool
thanks_for(const struct ctx *c, size_t i)
{
	static const char *const w[] = { "votre", "vos", "ton", "ta", "tes",
	    "avoir", "cette", "ce", "l", "la", "le", "les", NULL };
	size_t	 k;

	for (k = 0; w[k] != NULL; k++)
		if (is_word(c, i, w[k]))
			return true;
	return false;
}

/*
 * Words that only mean something next to another: "very long", "wrong
 * button", "error messages", "great job".  Returns true when the word has
 * been fully accounted for.
 */
static bool
score_pair(struct ctx *c, size_t i, struct score *s)
{
	uint64_t	 k = c->wd[i].cls, nk = next_cls(c, i);

	if ((k & TC_THANKS) && c->lang == TL_FR &&
	    (is_word(c, i + 1, "de") || is_word(c, i + 1, "d")) &&
	    !thanks_for(c, i + 2)) {
		/* "merci de résilier...": please, not thanks */
		c->wd[i].cls = TC_PLEASE;
		c->wd[i].pol = 0;
		return false;
	}
	if ((k & (TC_GOOD | TC_PRAISE)) && (nk & TC_GREET)) {
		s->greet++;	/* "good morning", "schöne Grüße" */
		return true;
	}
	if ((k & TC_WRONG) && near(c, i, 1, 2, TC_MISCLICK)) {
		s->cat[HARK_CAT_OTHER] += 3;	/* "wrong button", "falsch geklickt" */
		return true;
	}
	if ((k & TC_BUG) && ((nk & TC_MSGN) ||
	    ((c->lang & (TL_ES | TL_FR)) && near(c, i, 2, 0, TC_MSGN)))) {
		/* "error messages are vague": the messages are the topic */
		s->cat[HARK_CAT_IMPROVEMENT] += 1.5;
		s->cat[HARK_CAT_BUG] += 0.5;
		s->content++;
		return true;
	}
	if ((k & TC_INTENS) && (nk & TC_ADJQ) &&
	    !(nk & (TC_GOOD | TC_PRAISE)) &&
	    !near(c, i + 1, 0, 1, TC_COMPAR | TC_GOOD | TC_PRAISE)) {
		s->cat[HARK_CAT_IMPROVEMENT] += 1.5;	/* "very long" */
		s->pol -= 0.5;
		return true;
	}
	if ((k & TC_COMPAR) && i > 0 && (c->wd[i - 1].cls & TC_ART) &&
	    c->sc->tok[i - 1].clause == c->sc->tok[i].clause) {
		s->cat[HARK_CAT_PRAISE] += 2;	/* "the best", "la mejor" */
		s->pol += 1.5;
		s->content++;
		return true;
	}
	return false;
}

/* Wishes: add, option, want, would, please, plans. */
static void
score_wish(struct ctx *c, size_t i, struct score *s, bool q, bool neg)
{
	const struct word	*w = &c->wd[i];
	uint64_t		 k = w->cls;
	double			*fr = &s->cat[HARK_CAT_FEATURE_REQUEST];

	if (k & TC_FEATN)
		s->featn += w->weight;
	else if (k & TC_FEAT) {
		*fr += w->weight;
		s->wish = s->feat = true;
	}
	if ((k & TC_WAYN) && !(next_cls(c, i) & TC_TOO)) {
		/* "is there a way to" asks; "would it be possible" wishes */
		if (!q)
			*fr += w->weight;
		else if (near(c, i, 3, 0, TC_MODAL))
			*fr += 2;
		else
			s->cat[HARK_CAT_QUESTION] += 1;
	}
	if ((k & TC_FUTURE) && (is_word(c, i, "plans") ||
	    is_word(c, i, "plannen")) && i > 0 &&
	    c->sc->tok[i - 1].clause == c->sc->tok[i].clause &&
	    !(c->wd[i - 1].cls & (TC_STOP | TC_NEG | TC_PRON | TC_YOU)))
		k &= ~TC_FUTURE;	/* "the pro and team plans": a price list */
	if (k & TC_FUTURE) {
		/* "any plans for", "komt er ooit"; "van a..." only when asked */
		*fr += q ? 3 : 0.5 * w->weight;
		s->wish |= q;
	}
	if ((k & TC_ABLE) && clause_start(c, i) &&
	    !(next_cls(c, i) & TC_PRON)) {
		*fr += 2;		/* "pouvoir enregistrer...", "poder..." */
		s->wish = true;
	}
	if (k & TC_WANT) {
		*fr += near(c, i, 2, 0, TC_ME) ? 1 : 0.5;
		if (near(c, i, 0, 4, TC_ABLE))
			*fr += 2.5;
		if (near(c, i, 3, 0, TC_MODAL))
			*fr += 2;
		s->wish = s->modal = true;
	}
	if ((k & TC_MODAL) && w->weight == 0 && !q && !neg &&
	    near_strong(c, i, 2, TC_WORKV | TC_ACT | TC_ASKV, 0))
		s->cat[HARK_CAT_IMPROVEMENT] += 1.5;	/* "could show" */
	if ((k & TC_MODAL) && w->weight > 0 && !q && !neg &&
	    !near(c, i, 0, 4, TC_COMPAR)) {
		/* "it would...", "zou", "wäre"; "would be faster" improves */
		*fr += 1;
		/* "would be dope if", "wär cool wenn", "estaría chido poder" */
		if (near(c, i, 0, 4, TC_IF | TC_ABLE))
			*fr += 1.5;
		s->wish = true;
	}
	if (k & TC_PLEASE) {
		*fr += 1;
		if (near(c, i, 0, 3, TC_FEAT))
			*fr += 1;
		s->wish = s->modal = true;
	}
	if ((k & TC_SHOULD) && !q) {	/* "moet ik...?" asks */
		/* not a wish: "should remember my settings" is about what exists */
		s->cat[HARK_CAT_IMPROVEMENT] += 1.5;
		*fr += 0.5;
	}
}

/*
 * An imperative that changes something that exists, opening a clause or
 * after "please": "move the button", "maak de letters groter".  Unless a
 * new thing is named: "make it possible to export".
 */
static void
score_change(const struct ctx *c, size_t i, struct score *s, bool q)
{
	if (!(c->wd[i].cls & TC_IMPV) || q)
		return;
	if (!clause_start(c, i) && !(i > 0 &&
	    (c->wd[i - 1].cls & TC_PLEASE) &&
	    c->sc->tok[i - 1].clause == c->sc->tok[i].clause))
		return;
	if (near(c, i, 0, 4, TC_FEAT | TC_WAYN | TC_ABLE))
		return;
	s->cat[HARK_CAT_IMPROVEMENT] += 2;
}

/* "too long", "trop d'étapes", "demasiados pasos", "more/less intuitive". */
static bool
score_amount(struct ctx *c, size_t i, struct score *s, double *intens)
{
	const struct word	*w = &c->wd[i];
	uint64_t		 k = w->cls;
	size_t			 j;

	if (k & TC_TOO) {
		if (near(c, i, 0, 2, TC_GOOD | TC_PRAISE)) {
			*intens = 1.5;	/* "trop bien" */
			return true;
		}
		if (near(c, i, 0, 3, TC_ADJQ | TC_IMPR | TC_NEGSENT) ||
		    w->weight >= 2 || (c->lang == TL_FR &&
		    (is_word(c, i + 1, "de") || is_word(c, i + 1, "d")))) {
			s->cat[HARK_CAT_IMPROVEMENT] += 2;
			s->pol -= 1.25;
		}
	}
	if ((k & TC_MORE) && c->lang == TL_FR && clause_start(c, i) &&
	    (is_word(c, i + 1, "de") || is_word(c, i + 1, "d"))) {
		s->cat[HARK_CAT_BUG] += 2;	/* "plus de connexion": none left */
		s->pol -= 1;
		return false;
	}
	if ((k & TC_MORE) && near(c, i, 3, 0, TC_MODAL | TC_SHOULD) &&
	    i + 1 < c->sc->ntok && c->wd[i + 1].text == NULL) {
		s->compar += 2;	/* "podría ser más detallada" */
		return false;
	}
	if ((k & TC_LESS) && (next_cls(c, i) & TC_MORE))
		return false;	/* "un poco más", "wat meer": a bit more */
	if ((k & (TC_MORE | TC_LESS)) &&
	    near(c, i, 0, 2, TC_GOOD | TC_PRAISE | TC_ADJQ | TC_COMPAR)) {
		if (k & TC_LESS) {
			s->cat[HARK_CAT_IMPROVEMENT] += 2;
			s->pol -= 1;	/* "less intuitive", "minder duidelijk" */
		} else
			s->compar += 2;	/* "more intuitive": like "better" */
		for (j = i + 1; j < i + 3 && j < c->sc->ntok; j++)
			c->wd[j].cls &= ~(TC_PRAISE | TC_GOOD | TC_COMPAR);
	}
	return false;
}

/*
 * A negator spent on a feeling ("pas très clair") no longer negates the
 * clause's verbs, unless a verb stands between them ("doesn't work well").
 */
static void
spend_negator(struct ctx *c, size_t n, size_t i)
{
	size_t	 j;

	for (j = n; j < i; j++)
		if (c->wd[j].cls & (TC_WORKV | TC_ACT | TC_FIND))
			return;
	c->wd[n - 1].negdone = true;
}

/* Praise, thanks, complaints and plain polarity words; n is negator(c, i). */
static void
score_feeling(struct ctx *c, size_t i, struct score *s, double m, bool used,
    size_t n)
{
	const struct word	*w = &c->wd[i];
	uint64_t		 k = w->cls;
	double			 p = w->pol / 4.0;

	if (n > 0 && (k & (TC_IMPR | TC_COMPLAINT | TC_NEGSENT | TC_PRAISE |
	    TC_THANKS)) && !used)
		spend_negator(c, n, i);
	if ((k & TC_IMPR) && !used) {
		if (n > 0)
			s->pol -= p * 0.5;
		else {
			s->cat[HARK_CAT_IMPROVEMENT] += w->weight;
			s->pol += p * m;
		}
		used = true;
	}
	if ((k & TC_COMPLAINT) && !used) {
		if (n > 0) {
			s->cat[HARK_CAT_PRAISE] += 2;	/* "no complaints" */
			s->pol += 1.5;
		} else
			s->pol += p * m;
		used = true;
	}
	if ((k & TC_NEGSENT) && !used) {
		if (n > 0) {
			s->pol -= p * 0.5;
			s->cat[HARK_CAT_PRAISE] += 1;	/* "not bad at all" */
		} else {
			s->pol += p * m;
			s->cat[HARK_CAT_IMPROVEMENT] += 0.5;
		}
		used = true;
	}
	if ((k & TC_GOOD) && !(k & (TC_PRAISE | TC_THANKS)) && !used &&
	    n == 0) {
		s->cat[HARK_CAT_PRAISE] += 0.75;	/* "really handy": mild praise */
		s->pol += p * m;
	}
	if ((k & (TC_PRAISE | TC_THANKS)) && !used) {
		if (n > 0) {
			s->cat[HARK_CAT_IMPROVEMENT] += 1.5;
			s->pol -= p * 0.75 * m;
		} else {
			/* "very handy" praises more than "handy" */
			s->cat[HARK_CAT_PRAISE] += m > 1 ? w->weight * 1.5 :
			    w->weight;
			if (near(c, i, 0, 2, TC_JOBN))
				s->cat[HARK_CAT_PRAISE] += 2;	/* "great job" */
			if (near(c, i, 2, 0, TC_WORKV))
				s->cat[HARK_CAT_PRAISE] += 1;	/* "funciona bien" */
			s->pol += p * m;
		}
	}
}

/* "What a great app", "wat een handige app", "qué buena onda". */
static bool
exclamative(const struct ctx *c, size_t i)
{
	size_t	 j = i + 1;

	if (!clause_start(c, i) || (c->sc->tok[i].flags & TF_INQ))
		return false;
	if (j < c->sc->ntok && (c->wd[j].cls & (TC_STOP | TC_PRON)) &&
	    !(c->wd[j].cls & (TC_PRAISE | TC_GOOD)))
		j++;		/* the article: "what a", "wat een" */
	return j > i + 1 && j < c->sc->ntok &&
	    c->sc->tok[j].sent == c->sc->tok[i].sent &&
	    (c->wd[j].cls & (TC_PRAISE | TC_GOOD)) &&
	    !(c->wd[j].cls & TC_QWORD);
}

/*
 * "Can we get / kunnen we ... krijgen / können wir ... haben": users asking
 * for something on behalf of all users.
 */
static bool
asks_to_get(const struct ctx *c, size_t i)
{
	static const char *const we[] = { "we", "wij", "wir", "nous", NULL };
	static const char *const get[] = { "get", "have", "krijgen", "hebben",
	    "bekommen", "haben", "tener", "avoir", NULL };
	size_t	 j, k;
	bool	 ok = false;

	for (k = 0; we[k] != NULL; k++)
		ok |= is_word(c, i + 1, we[k]);
	if (!ok)
		return false;
	for (j = i + 2; j < i + 6 && j < c->sc->ntok; j++)
		for (k = 0; get[k] != NULL; k++)
			if (is_word(c, j, get[k]))
				return true;
	return false;
}

/* "When", in any language, in a question. */
static bool
is_when(const struct ctx *c, size_t i)
{
	static const char *const w[] = { "when", "wanneer", "wann", "cuando",
	    "quand", NULL };
	size_t	 k;

	for (k = 0; w[k] != NULL; k++)
		if (is_word(c, i, w[k]))
			return true;
	return false;
}

/* Interrogatives, auxiliaries before a pronoun, "question". */
static void
score_question(struct ctx *c, size_t i, struct score *s)
{
	const struct word	*w = &c->wd[i];
	const struct tok	*t = &c->sc->tok[i];
	uint64_t		 k = w->cls;

	if ((k & TC_QWORD) && is_word(c, i, "how") &&
	    is_word(c, i + 1, "about") && clause_start(c, i)) {
		s->cat[HARK_CAT_FEATURE_REQUEST] += 3;	/* "how about a widget?" */
		s->wish = true;
		return;
	}
	if ((k & TC_QWORD) && (t->flags & TF_INQ) && is_when(c, i))
		s->when = true;
	if ((k & TC_QWORD) && w->weight > 0 && exclamative(c, i)) {
		s->cat[HARK_CAT_PRAISE] += 1;	/* "what a handy app" */
		return;
	}
	if ((k & TC_QWORD) && w->weight > 0) {
		if (clause_start(c, i) && !(k & TC_PRAISE) &&
		    !(next_cls(c, i) & (TC_PRAISE | TC_GOOD | TC_INTENS))) {
			s->cat[HARK_CAT_QUESTION] += w->weight;
			s->qlike = true;
			if (k & TC_WHY)
				s->why = true;
		} else if (t->flags & TF_INQ)
			s->cat[HARK_CAT_QUESTION] += w->weight * 0.5;
	}
	if ((k & TC_AUXQ) && clause_start(c, i) && i + 1 < c->sc->ntok &&
	    c->sc->tok[i + 1].clause == t->clause) {
		if (near_strong(c, i, 6, TC_FEAT, 2))
			s->cat[HARK_CAT_FEATURE_REQUEST] += 1;	/* "can you add" */
		else if (near_strong(c, i, 6, TC_COMPAR | TC_IMPR, 1))
			s->cat[HARK_CAT_IMPROVEMENT] += 1;	/* "could it be faster" */
		else if ((k & TC_CANQ) && ((k | c->wd[i + 1].cls) & TC_YOU) &&
		    !near(c, i, 0, 4, TC_QNOUN | TC_ASKV)) {
			/* "kunnen jullie ... maken?": asked of the makers */
			s->cat[HARK_CAT_FEATURE_REQUEST] += 2;
			s->wish = true;
		} else if ((k & TC_CANQ) && asks_to_get(c, i)) {
			s->cat[HARK_CAT_FEATURE_REQUEST] += 2;	/* "can we get..." */
			s->wish = true;
		} else if (c->wd[i + 1].cls & TC_PRON)
			s->cat[HARK_CAT_QUESTION] += 2;
		else if (c->lang == TL_ES)
			s->cat[HARK_CAT_QUESTION] += 1;
	}
	if ((k & TC_PRON) && (t->flags & TF_HYPHEN) && c->lang == TL_FR)
		s->cat[HARK_CAT_QUESTION] += 2;	/* "pouvez-vous", "est-ce" */
	if (k & TC_QNOUN)
		s->cat[HARK_CAT_QUESTION] += w->weight;
}

/*
 * Failure words; "by mistake" and "two times" change their weight.  negi is
 * negator(c, i).
 */
static void
score_bug(struct ctx *c, size_t i, struct score *s, double m, size_t negi)
{
	const struct word	*w = &c->wd[i];

	if (i > 0 && (c->wd[i - 1].cls & TC_BY) && !is_word(c, i, "itself")) {
		s->cat[HARK_CAT_OTHER] += 2;	/* "by mistake", "par erreur" */
		return;
	}
	if (negi > 0 && !(w->cls & TC_NEG)) {
		/* "never failed me", "keine Probleme": the opposite of a fault */
		s->cat[HARK_CAT_PRAISE] += 1.5;
		s->pol += 0.5;
		return;
	}
	if ((w->cls & TC_NEG) && near(c, i, 0, 3, TC_FIND))
		return;		/* "impossible de trouver": hard to find */
	s->cat[HARK_CAT_BUG] += w->weight;
	if (i > 0 && (c->wd[i - 1].cls & TC_NUM))
		s->cat[HARK_CAT_BUG] += 1;	/* "twee keer", "deux fois" */
	if (c->lang == TL_ES && (w->sev & TS_CRASH) && is_word(c, i - 1, "se"))
		s->cat[HARK_CAT_BUG] += 1;	/* "se cierra": by itself */
	s->fpol += w->pol / 4.0 * m;
}

/* Whether a wish word ("would", "wäre") is within reach of the good word i. */
static bool
wish_modal(const struct ctx *c, size_t i)
{
	uint64_t	 k = c->wd[i].cls;
	size_t		 j;

	if (near(c, i, (k & TC_GOOD) ? 4 : 2, 0, TC_MODAL))
		return true;
	if (!(k & TC_GOOD) || !(c->lang & (TL_DE | TL_NL)))
		return false;
	/* "Schön wäre...", "Toll fände ich...", "Fijn zou zijn..." */
	for (j = i + 1; j <= i + 2 && j < c->sc->ntok; j++)
		if (c->sc->tok[j].clause == c->sc->tok[i].clause &&
		    (c->wd[j].cls & TC_MODAL))
			return true;
	return false;
}

/*
 * A word the table does not know is content; a German or Dutch one ending
 * in -er after a modal is most likely a comparative ("könnte ausführlicher
 * sein", "mag uitgebreider.").
 */
static void
score_unknown(const struct ctx *c, size_t i, struct score *s)
{
	s->content++;
	if ((c->sc->tok[i].flags & TF_ER) && (c->lang & (TL_DE | TL_NL)) &&
	    near(c, i, 3, 0, TC_MODAL | TC_SHOULD) &&
	    (sentence_end(c, i) || is_word(c, i + 1, "sein") ||
	    is_word(c, i + 1, "zijn") || is_word(c, i + 1, "werden") ||
	    is_word(c, i + 1, "worden")))
		s->compar += 1.5;
}

static void
score_word(struct ctx *c, size_t i, struct score *s, double *intens)
{
	const struct word	*w = &c->wd[i];
	const struct tok	*t = &c->sc->tok[i];
	uint64_t		 k = w->cls;
	double			 m = *intens;
	size_t			 negi;
	bool			 neg, used = false;
	bool			 q = (t->flags & (TF_INQ | TF_QLIKE)) != 0;

	*intens = 1.0;
	if ((w->sev & TS_PAYMENT) && !(k & TC_BUG) && i > 0 &&
	    (c->wd[i - 1].cls & TC_NUM))
		s->cat[HARK_CAT_BUG] += 1.5;	/* "dos cargos", "two charges" */
	if (k == 0 || k == TC_STOP) {
		if (k == 0 && w->text == NULL)
			score_unknown(c, i, s);
		return;
	}
	/* nothing before i changes while i is scored: one negator() will do,
	 * and only for the words that have a class */
	negi = negator(c, i);
	neg = negi > 0;
	if (score_pair(c, i, s))
		return;
	k = w->cls;		/* score_pair may have reread the word */
	if ((k & (TC_STOP | TC_GREET)) == 0)
		s->content++;
	if (t->flags & TF_CAPS)
		m *= 1.3;
	if (((k & TC_INTENS) || ((k & (TC_GOOD | TC_PRAISE)) &&
	    (next_cls(c, i) & (TC_IMPR | TC_NEGSENT)))) &&
	    i + 1 < c->sc->ntok && c->wd[i + 1].pol != 0 &&
	    (c->wd[i + 1].cls & (TC_BUG | TC_ACT | TC_WORKV)) == 0) {
		*intens = 1.5;
		return;	/* "super slow", "bien lenta": an intensifier, not praise */
	}
	if ((k & (TC_WANT | TC_MODAL)) && near(c, i, 0, 3, TC_QNOUN)) {
		s->cat[HARK_CAT_QUESTION] += 1.5;	/* "quería saber" */
		return;
	}
	if (k & TC_GREET)
		s->greet++;
	if (k & TC_BUG) {
		score_bug(c, i, s, m, negi);
		used = true;
	}
	if (k & (TC_ACCIDENT | TC_OTHER))
		s->cat[HARK_CAT_OTHER] += w->weight;
	if (k & TC_TESTW)
		s->testw += w->weight;
	score_wish(c, i, s, q, neg);
	score_change(c, i, s, q);
	if ((k & (TC_GOOD | TC_PRAISEV)) && !neg && wish_modal(c, i)) {
		/* "would be nice", "zou fijn zijn", "I'd love": a wish */
		s->cat[HARK_CAT_FEATURE_REQUEST] += 3;
		s->wish = true;
		s->pol += 0.25;
		return;
	}
	if ((k & TC_USEV) && !neg && near(c, i, 0, 5, TC_HABIT)) {
		/* "my kids use it every day", "saves me hours" */
		s->cat[HARK_CAT_PRAISE] += 2;
		s->pol += 1.5;
	}
	if (score_amount(c, i, s, intens))
		return;
	if ((k & TC_ADJQ) && !(k & (TC_GOOD | TC_PRAISE)))
		s->adjq = true;
	if ((k & TC_ADJQ) && s->butc)
		s->cat[HARK_CAT_IMPROVEMENT] += 1.5;	/* "...but it's small" */
	if (k & TC_COMPAR) {
		s->compar += w->weight;
		used = true;
	}
	if (k & (TC_MODAL | TC_SHOULD | TC_TOO))
		s->modal = true;
	score_feeling(c, i, s, m, used, negi);
	score_question(c, i, s);
}

/* Log in / sign in / log me out, in the clause [a, b). */
static void
find_login(const struct ctx *c, size_t a, size_t b, bool *login, bool *out)
{
	size_t	 i, j;

	for (i = a; i < b; i++) {
		if (!(c->wd[i].cls & TC_LOGPART))
			continue;
		j = i + 1;
		if (j < b && (c->wd[j].cls & (TC_PRON | TC_STOP)) &&
		    !(c->wd[j].cls & TC_INON))
			j++;		/* "logs me out", "kicked me out" */
		if (j < b && (c->wd[j].cls & TC_INON)) {
			*login = true;
			if (is_word(c, j, "out"))
				*out = true;
		}
	}
}

/* The clause's words together: negation next to a verb, failed log-ins. */
static void
score_clause(struct ctx *c, size_t a, size_t b, struct score *s)
{
	uint64_t	 any = 0;
	size_t		 i;
	bool		 login = false, out = false, q = false;

	for (i = a; i < b; i++) {
		any |= c->wd[i].cls & ~TC_NEG;
		if ((c->wd[i].cls & TC_NEG) && !c->wd[i].negdone)
			any |= TC_NEG;
		q |= (c->sc->tok[i].flags & (TF_INQ | TF_QLIKE)) != 0;
	}
	s->qlike |= q;
	/* an English "too" ending a clause means "also": "sync with outlook too" */
	if ((c->wd[b - 1].cls & TC_TOO) && b - a > 2 && c->lang != TL_EN &&
	    !(c->wd[b - 2].cls & TC_TOO)) {
		s->cat[HARK_CAT_IMPROVEMENT] += 1.5;	/* "se ressemblent trop" */
		s->pol -= 0.75;
	}
	if (any & TC_LOGPART)	/* (else find_login finds nothing) */
		find_login(c, a, b, &login, &out);
	if (any & TC_LOGIN)
		login = true;
	if (out) {
		s->cat[HARK_CAT_BUG] += 2;
		s->fpol -= 0.75;
		any |= TC_BUG;
	}
	if ((any & TC_COLOR) && (any & TC_SCREEN)) {
		s->cat[HARK_CAT_BUG] += 2.5;	/* "white screen", "page blanche" */
		s->fpol -= 1;
		any |= TC_BUG;
	}
	if ((any & TC_ACCOUNT) && (any & TC_ADMINV) && !q && !(any & TC_NEG))
		s->cat[HARK_CAT_OTHER] += 4;	/* "please delete my account" */
	else if ((any & TC_ADDR) && (any & TC_ADMINV) && !q &&
	    !(any & (TC_NEG | TC_BUG | TC_SHOULD | TC_MODAL | TC_FIND |
	    TC_TOO | TC_IMPR)))
		s->cat[HARK_CAT_OTHER] += 4;	/* "please change my address" */
	if ((any & TC_INVOICE) && (any & TC_ADDR) &&
	    !(any & (TC_NEG | TC_BUG | TC_WRONG)))
		s->cat[HARK_CAT_OTHER] += 3;	/* an invoice in the company's name */
	if ((any & TC_EVERY) && (any & TC_WORKV) && !q &&
	    !(any & (TC_NEG | TC_BUG | TC_IMPR | TC_NEGSENT))) {
		s->cat[HARK_CAT_PRAISE] += 2;	/* "it just works", "alles klopt" */
		s->pol += 1;
	}
	if ((any & TC_FIND) && (any & TC_IMPR) && !(any & TC_NEG))
		s->cat[HARK_CAT_IMPROVEMENT] += 2;	/* "hard to find", "schwer zu finden" */
	if (!(any & TC_NEG)) {
		if (login && (any & TC_BUG)) {
			/* "logs me out again", "opnieuw inloggen" */
			s->sev |= TS_LOGIN;
			s->cat[HARK_CAT_BUG] += 1.5;
		}
		return;
	}
	if (any & TC_FIND) {
		if (any & TC_ME) {
			/* "I can't find the settings": hard to find */
			s->cat[HARK_CAT_IMPROVEMENT] += 2;
			s->pol -= 0.75;
		} else
			any |= TC_WORKV;	/* "search finds nothing" */
	}
	if (any & TC_WORKV) {
		s->cat[HARK_CAT_BUG] += 3;
		s->sev |= TS_NOTWORK;
		s->fpol -= 1.5;
	} else if (any & TC_ACT) {
		s->cat[HARK_CAT_BUG] += 2;
		s->sev |= TS_BLOCKER;
		s->fpol -= 1.0;
	}
	if ((any & TC_UNTIL) && !(any & TC_PLEASE)) {
		s->cat[HARK_CAT_BUG] += 2;	/* "not ... anymore": a regression */
		s->fpol -= 0.5;
	}
	if (login && (any & (TC_WORKV | TC_ACT | TC_BUG | TC_LOGIN))) {
		s->sev |= TS_LOGIN;
		s->cat[HARK_CAT_BUG] += 1;
	}
}

/*
 * Marks the sentences that are questions without a question mark: they
 * open with an interrogative ("how do I") or an auxiliary before a pronoun
 * ("is there", "kan ik", "gibt es").  The French "où" loses its accent when
 * folded, so "ou" opening a sentence is read as "where", not "or".
 */
/* "bezorgen jullie ook...", "liefert ihr auch...": the verb comes first. */
static bool
verb_first(const struct ctx *c, size_t f, size_t j)
{
	return (c->lang & (TL_NL | TL_DE)) && f + 1 < j &&
	    (c->wd[f].cls & ~(TC_ACT | TC_WORKV | TC_STOP)) == 0 &&
	    (c->wd[f + 1].cls & TC_YOU) && !is_word(c, f + 1, "sie");
}

static void
mark_questions(struct ctx *c)
{
	struct scan	*sc = (struct scan *)c->sc;
	size_t		 i, j, f, k;
	uint64_t	 fc;

	for (i = 0; i < sc->ntok; i = j) {
		for (j = i; j < sc->ntok && sc->tok[j].sent == sc->tok[i].sent;
		    j++)
			;
		for (f = i; f < j && (c->wd[f].cls & (TC_GREET | TC_QNOUN));
		    f++)
			;
		if (f == j)
			continue;
		if (c->lang == TL_FR && is_word(c, f, "ou"))
			c->wd[f].weight = 2;
		fc = c->wd[f].cls;
		if (((fc & TC_QWORD) && c->wd[f].weight >= 2) ||
		    ((fc & TC_AUXQ) && f + 1 < j &&
		    (c->wd[f + 1].cls & TC_PRON)) || verb_first(c, f, j))
			for (k = i; k < j; k++)
				sc->tok[k].flags |= TF_QLIKE;
	}
}

static void
score_all(struct ctx *c, struct score *s)
{
	const struct scan	*sc = c->sc;
	size_t			 i, a = 0;
	double			 intens = 1.0;

	for (i = 0; i < sc->ntok; i++) {
		resolve(&sc->tok[i], c->lang, &c->wd[i]);
		/* "but" and its kin start a clause of their own */
		if (i > 0 && (c->wd[i].cls & TC_BUT) &&
		    sc->tok[i - 1].clause == sc->tok[i].clause)
			((struct scan *)sc)->tok[i].flags |= TF_CLAUSE;
	}
	mark_questions(c);
	for (i = 0; i < sc->ntok; i++) {
		if (i == a)
			s->butc = (c->wd[i].cls & TC_BUT) != 0;
		/* "great app but it crashes": what follows "but" counts more */
		if (i > 0 && (c->wd[i].cls & TC_BUT)) {
			s->pol *= 0.5;
			s->cat[HARK_CAT_PRAISE] *= 0.5;
		}
		s->sev |= c->wd[i].sev;
		score_word(c, i, s, &intens);
		if (i + 1 == sc->ntok || sc->tok[i + 1].clause !=
		    sc->tok[i].clause || (sc->tok[i + 1].flags & TF_CLAUSE)) {
			score_clause(c, a, i + 1, s);
			a = i + 1;
		}
	}
}

/*
 * Nothing reached the bar and nothing says "other" (no greeting alone, no
 * test, no admin, no spam): real feedback is rarely off-topic, so weak
 * evidence decides.  The strongest weak category first, then the shape of
 * the text: a question, a feeling, a wish; a plain statement about the
 * product most often reports something that behaves wrongly.
 */
static enum hark_category
fallback(const struct scan *sc, const struct score *s)
{
	const double	*cat = s->cat;
	double		 best = 0.49;
	int		 k, arg = -1;

	for (k = 0; k < HARK_CAT_OTHER; k++)
		if (cat[k] > best) {
			best = cat[k];
			arg = k;
		}
	if (arg >= 0)
		return (enum hark_category)arg;
	if (s->greet > 0 && s->content <= 3)
		return HARK_CAT_OTHER;	/* "switching tools, bye" */
	if (s->qlike || sc->qmarks > 0)
		return HARK_CAT_QUESTION;
	if (s->pol >= 0.5 || sc->emoji_pos > sc->emoji_neg)
		return HARK_CAT_PRAISE;
	if (s->pol <= -0.5 || sc->emoji_neg > 0)
		return HARK_CAT_BUG;
	if (s->wish)
		return HARK_CAT_FEATURE_REQUEST;
	if (s->adjq)
		return HARK_CAT_IMPROVEMENT;	/* "the tour is a bit long" */
	if (s->content >= FALLBACK_BUG)
		return HARK_CAT_BUG;
	return HARK_CAT_OTHER;
}

/* The strongest evidence for a category other than "other". */
static double
best_weak(const double *cat)
{
	double	 best = 0;
	int	 k;

	for (k = 0; k < HARK_CAT_OTHER; k++)
		if (cat[k] > best)
			best = cat[k];
	return best;
}

static enum hark_category
decide(const struct scan *sc, struct score *s)
{
	double	*cat = s->cat, best;
	int	 k, arg;

	if (sc->qmarks > 0)
		cat[HARK_CAT_QUESTION] += 2.5;
	cat[HARK_CAT_QUESTION] += sc->emoji_think;
	cat[HARK_CAT_BUG] += 2 * sc->emoji_bug;
	/* "feature", "option": requested only when something wishes */
	/* "great features", "the new feature is handy": praised, not asked */
	if (s->wish)
		cat[HARK_CAT_FEATURE_REQUEST] += s->featn;
	else if (cat[HARK_CAT_PRAISE] <= 0)
		cat[HARK_CAT_FEATURE_REQUEST] += s->featn * 0.5;
	/* "when will the tablet version come?": asking for it */
	if (s->when && s->featn > 0 && cat[HARK_CAT_BUG] < 1) {
		cat[HARK_CAT_FEATURE_REQUEST] += 3;
		s->wish = true;
	}
	/* "would be nice if the buttons were bigger": more of what exists */
	if (s->wish && s->compar > 0 && !s->feat && s->featn <= 0 &&
	    cat[HARK_CAT_FEATURE_REQUEST] > cat[HARK_CAT_IMPROVEMENT]) {
		cat[HARK_CAT_IMPROVEMENT] += cat[HARK_CAT_FEATURE_REQUEST] * 0.5;
		cat[HARK_CAT_FEATURE_REQUEST] *= 0.5;
	}
	/* "better"/"faster" wish for more unless the text is all praise */
	if (!s->modal && sc->qmarks == 0 &&
	    (cat[HARK_CAT_PRAISE] > 0 || sc->emoji_pos > 0))
		cat[HARK_CAT_PRAISE] += s->compar * 0.5;
	else
		cat[HARK_CAT_IMPROVEMENT] += s->compar;
	if (sc->please_emoji > 0)
		cat[HARK_CAT_FEATURE_REQUEST] += 0.5;
	if (sc->emoji_pos > 0)
		cat[HARK_CAT_PRAISE] += sc->emoji_neg == 0 ? 1.5 : 1;
	/* A request, a fault or a complaint put as a question is still that. */
	if (cat[HARK_CAT_FEATURE_REQUEST] > 1)
		cat[HARK_CAT_QUESTION] -= 1.25 *
		    (cat[HARK_CAT_FEATURE_REQUEST] - 1);
	cat[HARK_CAT_QUESTION] -= 0.75 * cat[HARK_CAT_BUG] +
	    0.5 * (cat[HARK_CAT_IMPROVEMENT] + cat[HARK_CAT_OTHER]);
	if (s->why)	/* "why does it log me out??" complains */
		cat[HARK_CAT_QUESTION] -= cat[HARK_CAT_BUG] +
		    cat[HARK_CAT_IMPROVEMENT];
	/* Praise next to a request or complaint is politeness. */
	if (cat[HARK_CAT_BUG] >= 2 || cat[HARK_CAT_FEATURE_REQUEST] >= 2 ||
	    cat[HARK_CAT_IMPROVEMENT] >= 2)
		cat[HARK_CAT_PRAISE] *= 0.5;
	if (s->greet > 0 && s->content == 0)
		cat[HARK_CAT_OTHER] += 3;
	/* "test", "just testing": a test message is short */
	cat[HARK_CAT_OTHER] += s->content <= 4 ? s->testw : s->testw * 0.25;
	arg = HARK_CAT_OTHER;
	best = 1.49;
	for (k = 0; k < HARK_CAT_OTHER; k++)
		if (cat[k] > best) {
			best = cat[k];
			arg = k;
		}
	if (cat[HARK_CAT_OTHER] >= best)
		arg = HARK_CAT_OTHER;
	/* weak "other" ("form" in a long text) loses to stronger weak evidence */
	if (arg == HARK_CAT_OTHER && s->content > 0 &&
	    (cat[HARK_CAT_OTHER] <= 0 || cat[HARK_CAT_OTHER] < best_weak(cat)))
		return fallback(sc, s);
	return (enum hark_category)arg;
}

static double
sentiment(const struct scan *sc, const struct score *s, enum hark_category cat)
{
	double	 p = s->pol + s->fpol, e;

	/*
	 * A fault told calmly (no feeling word, no "!", no angry emoji; the
	 * failure words themselves are in fpol) is often meant as a neutral
	 * report; money, data and security are never calm.
	 */
	if (cat == HARK_CAT_BUG && s->pol > -0.25 && sc->excl == 0 &&
	    sc->emoji_neg == 0 &&
	    !(s->sev & (TS_PAYMENT | TS_DATALOSS | TS_SECURITY)))
		p += 0.25;

	if (cat == HARK_CAT_OTHER)
		p *= 0.3;	/* greetings, sales pitches: words rarely meant */
	e = (sc->emoji_pos > 2 ? 2 : sc->emoji_pos) -
	    (sc->emoji_neg > 2 ? 2 : sc->emoji_neg);
	p += 1.5 * e;
	switch (cat) {
	case HARK_CAT_BUG:
		p -= 0.75;
		break;
	case HARK_CAT_QUESTION:
		p *= 0.6;
		break;
	case HARK_CAT_PRAISE:
		p += 0.5;
		break;
	case HARK_CAT_IMPROVEMENT:
		p -= 0.5;
		break;
	default:
		break;
	}
	p *= 1.0 + 0.1 * (sc->excl > 4 ? 4 : sc->excl);
	/* squashed into -1..1 without libm */
	return p / ((p < 0 ? -p : p) + 2.0);
}

/* Weight of the gravest severity group, plus one when several apply. */
static int
severity_points(unsigned sev)
{
	static const struct { unsigned bit; int pts; } g[] = {
		{ TS_DATALOSS, 4 }, { TS_SECURITY, 4 }, { TS_PAYMENT, 3 },
		{ TS_CRASH, 3 }, { TS_LOGIN, 3 }, { TS_BLOCKER, 2 },
		{ TS_NOTWORK, 1 }, { TS_ERRCODE, 1 }, { TS_URGENT, 1 },
	};
	size_t	 i;
	int	 best = 0, n = 0;

	for (i = 0; i < sizeof(g) / sizeof(g[0]); i++)
		if (sev & g[i].bit) {
			n++;
			if (g[i].pts > best)
				best = g[i].pts;
		}
	if (n >= 2)
		best++;
	return best > 5 ? 5 : best;
}

static bool
word_in(const char *w, size_t n, const char *const *list, bool stem)
{
	size_t	 l;

	for (; *list != NULL; list++) {
		l = strlen(*list);
		if ((l == n || (stem && l < n)) && memcmp(w, *list, l) == 0)
			return true;
	}
	return false;
}

/* 3 for pages where money moves, 2 for sign-in and account pages, else 0. */
static int
page_points(const char *page)
{
	static const char *const money[] = { "checkout", "payment", "pay",
	    "billing", "cart", "basket", "order", "orders", "purchase",
	    "subscribe", "subscription", "invoice", "invoices", "wallet",
	    "kassa", "afrekenen", "betalen", "betaling", "winkelwagen",
	    "pago", "pagar", "carrito", "caja", "kasse", "bezahlen",
	    "warenkorb", "zahlung", "paiement", "panier", "commande",
	    "facturation", "abonnement", "plans", "upgrade", NULL };
	static const char *const auth[] = { "login", "logon", "signin",
	    "signup", "register", "registration", "auth", "password",
	    "reset", "account", "accounts", "2fa", "mfa", "verify", "sso",
	    "inloggen", "registreren", "wachtwoord", "cuenta", "registro",
	    "acceso", "anmelden", "registrieren", "konto", "connexion",
	    "inscription", "compte", "session", "sesion", "profile", NULL };
	char		 w[32], prev[32] = "";
	const char	*p, *q;
	size_t		 n;
	int		 best = 0;

	if (page == NULL)
		return 0;
	if ((q = strstr(page, "://")) != NULL)
		page = (p = strchr(q + 3, '/')) != NULL ? p : "";
	for (p = page; *p != '\0' && *p != '?' && *p != '#';) {
		for (n = 0; ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') ||
		    (*p >= '0' && *p <= '9'); p++)
			if (n < sizeof(w) - 1)
				w[n++] = (char)(*p | ((*p >= 'A' && *p <= 'Z') ?
				    0x20 : 0));
		w[n] = '\0';
		if (n > 0) {
			if (word_in(w, n, money, false) ||
			    (n > 6 && word_in(w, n, money, true)))
				best = 3;
			else if (best < 2 && (word_in(w, n, auth, false) ||
			    (n > 6 && word_in(w, n, auth, true)) ||
			    ((strcmp(prev, "sign") == 0 ||
			    strcmp(prev, "log") == 0) &&
			    (strcmp(w, "in") == 0 || strcmp(w, "up") == 0))))
				best = 2;
			memcpy(prev, w, n + 1);
		}
		if (*p != '\0' && *p != '?' && *p != '#')
			p++;
	}
	return best;
}

static int
impact(enum hark_category cat, enum hark_sentiment sent, double score,
    unsigned sev, const char *page)
{
	static const int base[HARK_CAT_COUNT] = { 4, 2, 2, 1, 0, 0 };
	int		 total = base[cat];
	bool		 grave;

	if (sent == HARK_SENT_NEGATIVE)
		total += score <= -0.6 ? 2 : 1;
	grave = cat == HARK_CAT_BUG || sent == HARK_SENT_NEGATIVE;
	if (grave)
		total += severity_points(sev);
	if (grave || cat == HARK_CAT_IMPROVEMENT)
		total += page_points(page);
	if (total < 0)
		total = 0;
	return total > HARK_IMPACT_MAX ? HARK_IMPACT_MAX : total;
}

/*
 * The model's verdict when the rules could change nothing: a sure category
 * (no override below) that is neither a bug nor negative (no severity in
 * the impact).  Then the rules are not run: they cost more than the model.
 */
static void
model_alone(const struct hark_triage_scores *ms, const char *page,
    struct hark_triage *out)
{
	out->category = ms->category;
	out->confidence = ms->category_p;
	out->sentiment = ms->sentiment;
	out->sentiment_score = ms->sentiment_score;
	snprintf(out->language, sizeof(out->language), "%s", ms->language);
	out->spam = ms->spam;
	out->impact = impact(out->category, out->sentiment,
	    out->sentiment_score, 0, page);
}

/*
 * Whether the rules' category stands over an unsure model's.  Measured on
 * public sets the model was not trained on (doc/triage.md): the rules'
 * questions (no question mark needed), praise and feature requests, and
 * their bugs backed by a severity group (a failure word, a negated
 * "works", an error code), lift the mean macro-F1; their improvements and
 * "other" do not.  A question about an error is still a question: the
 * error words do not make it a report.
 */
static bool
rules_decide(const struct hark_triage_scores *ms, enum hark_category rules,
    unsigned sev)
{
	if (rules == ms->category)
		return false;
	switch (rules) {
	case HARK_CAT_QUESTION:
	case HARK_CAT_PRAISE:
	case HARK_CAT_FEATURE_REQUEST:
		return true;
	case HARK_CAT_BUG:
		return (sev & ~(unsigned)TS_URGENT) != 0 &&
		    ms->category != HARK_CAT_QUESTION;
	default:
		return false;
	}
}

static void
triage_text(const char *text, size_t len, const char *page,
    struct hark_triage *out, bool eager)
{
	struct scan	 sc;
	struct ctx	 c;
	struct score	 s;
	struct hark_triage_scores ms;
	const struct hark_triage_model *m;
	double		 sc_sent;
	size_t		 n;

	if ((n = hark_triage_strip(text, len, strip_buf, sizeof(strip_buf))) !=
	    HARK_TRIAGE_UNSTRIPPED) {
		text = strip_buf;
		len = n;
	}
	if ((m = hark_triage_model_get()) != NULL) {
		hark_triage_model_score(m, text, text != NULL ? len : 0, &ms);
		if (!eager && ms.category != HARK_CAT_BUG &&
		    ms.category_p >= MODEL_SURE &&
		    ms.sentiment != HARK_SENT_NEGATIVE) {
			model_alone(&ms, page, out);
			return;
		}
	}
	lex_init();
	sc.ntok = 0;
	memset(sc.votes, 0, sizeof(sc.votes));
	sc.qmarks = sc.excl = sc.emoji_pos = sc.emoji_neg = 0;
	sc.please_emoji = sc.emoji_bug = sc.emoji_think = 0;
	sc.letters = 0;
	memset(&s, 0, sizeof(s));
	if (text != NULL)
		scan_text(&sc, text, len);
	c.sc = &sc;
	c.lang = pick_lang(&sc);
	score_all(&c, &s);
	out->category = decide(&sc, &s);
	sc_sent = sentiment(&sc, &s, out->category);
	out->sentiment_score = sc_sent;
	if (sc_sent >= 0.3)
		out->sentiment = HARK_SENT_POSITIVE;
	else if (sc_sent <= -0.3)
		out->sentiment = HARK_SENT_NEGATIVE;
	else
		out->sentiment = HARK_SENT_NEUTRAL;
	out->confidence = -1.0;
	out->language[0] = '\0';
	out->spam = -1;
	if (m != NULL) {
		if (ms.category_p < MODEL_SURE &&
		    rules_decide(&ms, out->category, s.sev)) {
			ms.category = out->category;
			ms.category_p = ms.p[out->category];
		}
		model_alone(&ms, page, out);
		out->impact = impact(out->category, out->sentiment,
		    out->sentiment_score, s.sev, page);
		return;
	}
	out->impact = impact(out->category, out->sentiment, sc_sent, s.sev,
	    page);
}

void
hark_triage_text(const char *text, size_t len, const char *page,
    struct hark_triage *out)
{
	triage_text(text, len, page, out, false);
}

void
hark_triage_text_eager(const char *text, size_t len, const char *page,
    struct hark_triage *out)
{
	triage_text(text, len, page, out, true);
}

void
hark_triage_cache_clear(void)
{
	memset(wcache_n, 0, sizeof(wcache_n));
}

const char *
hark_category_name(enum hark_category c)
{
	if ((unsigned)c >= HARK_CAT_COUNT)
		return "other";
	return hark_vocab_category[c];
}

int
hark_category_from_name(const char *name, enum hark_category *out)
{
	int	 k;

	if (name == NULL)
		return -1;
	for (k = 0; k < HARK_CAT_COUNT; k++)
		if (strcmp(name, hark_vocab_category[k]) == 0) {
			*out = (enum hark_category)k;
			return 0;
		}
	return -1;
}

const char *
hark_sentiment_name(enum hark_sentiment s)
{
	if ((unsigned)s >= HARK_SENT_COUNT)
		return "neutral";
	return hark_vocab_sentiment[s];
}

int
hark_sentiment_from_name(const char *name, enum hark_sentiment *out)
{
	int	 k;

	if (name == NULL)
		return -1;
	for (k = 0; k < HARK_SENT_COUNT; k++)
		if (strcmp(name, hark_vocab_sentiment[k]) == 0) {
			*out = (enum hark_sentiment)k;
			return 0;
		}
	return -1;
}
