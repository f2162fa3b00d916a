/* triage.c: rule-based category, sentiment and impact of a feedback text, no allocation. */
#include "config.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define HARK_TRIAGE_INTERNAL
#include "triage.h"
#include "utf8.h"

/*
 * How it works, in two passes over a token array on the stack:
 *  1. Decode, fold and split the text into words; look each word up in the
 *     sorted lexicon (binary search, longest stem wins); note sentence and
 *     clause boundaries, question marks, exclamation marks and emoji; count
 *     votes for the language.
 *  2. With the language known (it decides between false friends such as
 *     Dutch "te" and Spanish "te"), walk the words clause by clause and add
 *     up category evidence and polarity with a few rules: negation next to a
 *     "works" verb is a bug, a modal before "nice" is a wish, "too" before
 *     an adjective is an improvement, an auxiliary before a pronoun at the
 *     start of a clause is a question, and so on.
 * doc/triage.md has the rules and the impact formula in prose.
 */

#define MAXTOK		1024	/* words judged; the rest of a long text is ignored */
#define MAXWORD		40	/* longer "words" (URLs, hashes) are not looked up */
#define LEXMAX		2048
#define NOENT		UINT16_MAX

#define TF_CLAUSE	0x01	/* first word of a clause */
#define TF_HYPHEN	0x02	/* joined to the previous word by a hyphen */
#define TF_CAPS		0x04	/* written in capitals (shouting) */
#define TF_INQ		0x08	/* in a sentence that ends with "?" */

enum { LANG_EN, LANG_NL, LANG_ES, LANG_DE, LANG_FR, LANG_N };

struct tok {
	uint16_t	 first;		/* first lexicon entry, or NOENT */
	uint8_t		 nent;		/* entries sharing the word */
	uint8_t		 flags;
	uint16_t	 clause;
	uint16_t	 sent;
};

struct word {				/* a token resolved for one language */
	uint64_t	 cls;
	const char	*text;		/* the lexicon word, for a few exact checks */
	int		 weight;
	int		 pol;
	unsigned	 sev;
};

struct scan {
	struct tok	 tok[MAXTOK];
	size_t		 ntok;
	int		 votes[LANG_N];
	int		 qmarks;
	int		 excl;
	int		 emoji_pos;
	int		 emoji_neg;
	int		 please_emoji;
	size_t		 letters;
};

struct score {
	double		 cat[HARK_CAT_COUNT];
	double		 pol;
	unsigned	 sev;
	int		 greet;
	int		 content;	/* words that are not stop words or greetings */
	double		 compar;	/* "better", "faster": wish or praise, see decide() */
	bool		 modal;		/* a modal or "should" anywhere */
};

static struct hark_lex	lex[LEXMAX];
static size_t		nlex;
#define HSIZE		4096	/* hash slots: a power of two, 2 * LEXMAX */
static uint16_t		htab[HSIZE];	/* 1 + first entry of a spelling, 0 = free */
static uint8_t		lexlen[LEXMAX];
static uint8_t		runlen[LEXMAX];	/* entries sharing the first one's spelling */
static uint8_t		hasstem[LEXMAX];	/* one of them is a stem */
static atomic_int	lex_state;	/* 0 unsorted, 1 sorting, 2 ready */

static const char *const cat_names[HARK_CAT_COUNT] = {
	"bug", "feature_request", "improvement", "question", "praise", "other"
};
static const char *const sent_names[HARK_SENT_COUNT] = {
	"positive", "neutral", "negative"
};

static int
lex_cmp(const void *a, const void *b)
{
	const struct hark_lex	*x = a, *y = b;

	return strcmp(x->word, y->word);
}

static uint32_t	hash_step(uint32_t, unsigned char);
static size_t	slot_find(uint32_t, const char *, size_t);

/* Indexes each distinct spelling of the sorted table in htab. */
static void
lex_index(void)
{
	size_t		 i, j, n;
	uint32_t	 h;
	const char	*p;

	for (i = 0; i < nlex; i++)
		lexlen[i] = (uint8_t)strlen(lex[i].word);
	for (i = 0; i < nlex; i = j) {
		for (j = i; j < nlex && strcmp(lex[j].word, lex[i].word) == 0;
		    j++)
			hasstem[i] |= lex[j].stem;
		runlen[i] = (uint8_t)(j - i);
		h = 2166136261u;
		for (p = lex[i].word, n = 0; p[n] != '\0'; n++)
			h = hash_step(h, (unsigned char)p[n]);
		htab[slot_find(h, lex[i].word, n)] = (uint16_t)(i + 1);
	}
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

static size_t
slot_find(uint32_t h, const char *w, size_t n)
{
	size_t	 s = h & (HSIZE - 1);
	uint16_t e;

	while ((e = htab[s]) != 0) {
		e--;
		if (lexlen[e] == n && memcmp(lex[e].word, w, n) == 0)
			return s;
		s = (s + 1) & (HSIZE - 1);
	}
	return s;
}

/*
 * Finds the entries for the word w (length len): the word itself, else the
 * longest stem that begins it.  Sets *first and returns how many entries
 * share that spelling (0 when nothing matches).  One hash probe per prefix
 * length, longest first.
 */
static size_t
lex_lookup(const char *w, size_t len, uint16_t *first)
{
	uint32_t	 ph[MAXWORD + 1];
	size_t		 n, s;
	uint16_t	 e;

	ph[0] = 2166136261u;
	for (n = 0; n < len; n++)
		ph[n + 1] = hash_step(ph[n], (unsigned char)w[n]);
	for (n = len; n >= 2; n--) {
		s = slot_find(ph[n], w, n);
		if ((e = htab[s]) == 0)
			continue;
		e--;
		if (n == len || hasstem[e]) {
			*first = e;
			return runlen[e];
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
		return -1;
	case 0x1F60A: case 0x1F60B: case 0x1F60E: case 0x1F642:
	case 0x1F929: case 0x1F970: case 0x1F973: case 0x1F44D:
	case 0x1F44C: case 0x1F44F: case 0x1F64C: case 0x1F389:
	case 0x1F38A: case 0x1F680: case 0x2764: case 0x2B50:
	case 0x1F31F: case 0x1F4AF: case 0x1F525: case 0x263A:
	case 0x1F917: case 0x1F947: case 0x2728: case 0x1F4AA:
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

static void
end_word(struct scan *sc, char *w, size_t *wn, unsigned *flags,
    unsigned caps, uint16_t clause, uint16_t sent)
{
	struct tok	*t;
	size_t		 k;
	unsigned	 mask = 0, l;

	if (*wn == 0)
		return;
	if (sc->ntok < MAXTOK) {
		t = &sc->tok[sc->ntok++];
		t->first = NOENT;
		t->nent = 0;
		t->flags = (uint8_t)*flags;
		if (caps >= 3 && caps == *wn)
			t->flags |= TF_CAPS;
		t->clause = clause;
		t->sent = sent;
		if (*wn <= MAXWORD) {
			w[*wn] = '\0';
			k = lex_lookup(w, *wn, &t->first);
			t->nent = (uint8_t)(k > 255 ? 255 : k);
			for (k = 0; k < t->nent; k++)
				mask |= lex[t->first + k].lang;
			if (mask != TL_ALL)
				for (l = 0; l < LANG_N; l++)
					if (mask & (1u << l))
						sc->votes[l]++;
		}
	}
	*wn = 0;
	*flags = 0;
}

/* Pass 1: fold, split and look up. */
static void
scan_text(struct scan *sc, const char *s, size_t len)
{
	char		 w[MAXWORD + 2], f[2];
	size_t		 i, n, wn = 0, k, sent_first = 0, t;
	uint32_t	 cp;
	unsigned	 flags = TF_CLAUSE, caps = 0;
	uint16_t	 clause = 0, sent = 0;
	bool		 new_clause = false;
	char		 c, nx;
	int		 ep;

	for (i = 0; i < len && sc->ntok < MAXTOK; i += n) {
		if ((n = hark_utf8_decode(s + i, len - i, &cp)) == 0) {
			n = 1;
			cp = ' ';
		}
		k = hark_utf8_fold_cp(cp, f);
		if (k > 0 && (((f[0] >= 'a' && f[0] <= 'z') ||
		    (f[0] >= '0' && f[0] <= '9')))) {
			if (wn == 0 && new_clause) {
				flags |= TF_CLAUSE;
				new_clause = false;
			}
			if (cp >= 0x80)
				vote_letter(sc, cp);
			if ((cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp <= 0xDE))
				caps++;
			if (wn + k <= MAXWORD) {
				memcpy(w + wn, f, k);
				wn += k;
			} else
				wn = MAXWORD + 1;
			sc->letters++;
			continue;
		}
		c = k > 0 ? f[0] : '\0';
		nx = i + n < len ? s[i + n] : '\0';
		if (c == '\'' && wn > 0 && (nx == 't' || nx == 'T') &&
		    (i + n + 1 >= len || !((s[i + n + 1] | 0x20) >= 'a' &&
		    (s[i + n + 1] | 0x20) <= 'z')))
			continue;	/* can't -> cant */
		end_word(sc, w, &wn, &flags, caps, clause, sent);
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
		default:
			if ((ep = emoji_polarity(cp)) > 0)
				sc->emoji_pos++;
			else if (ep < 0)
				sc->emoji_neg++;
		}
	}
	end_word(sc, w, &wn, &flags, caps, clause, sent);
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

	memset(wd, 0, sizeof(*wd));
	if (t->first == NOENT)
		return;
	for (k = 0; k < t->nent; k++) {
		e = &lex[t->first + k];
		if ((e->lang & lang) == 0)
			continue;
		wd->cls |= e->cls;
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

static bool
has(const struct ctx *c, size_t i, uint64_t cls)
{
	return i < c->sc->ntok && (c->wd[i].cls & cls) != 0;
}

/* A negator up to three words before i, in the same clause. */
static bool
negated(const struct ctx *c, size_t i)
{
	size_t	 j;

	for (j = i; j > 0 && i - j < 3; j--) {
		if (c->sc->tok[j - 1].clause != c->sc->tok[i].clause)
			break;
		if (c->wd[j - 1].cls & TC_NEG)
			return true;
	}
	return false;
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

static void
score_word(struct ctx *c, size_t i, struct score *s, double *intens)
{
	const struct word	*w = &c->wd[i];
	const struct tok	*t = &c->sc->tok[i];
	uint64_t		 k = w->cls;
	double			 p = w->pol / 4.0, m = *intens;
	bool			 neg = negated(c, i), used = false;

	*intens = 1.0;
	if (k == 0 || k == TC_STOP) {
		if (k == 0 && w->text == NULL)
			s->content++;
		return;
	}
	if ((k & (TC_STOP | TC_GREET)) == 0)
		s->content++;
	if (t->flags & TF_CAPS)
		m *= 1.3;
	if (k & TC_INTENS && i + 1 < c->sc->ntok && c->wd[i + 1].pol != 0 &&
	    (c->wd[i + 1].cls & (TC_BUG | TC_ACT | TC_WORKV)) == 0) {
		*intens = 1.5;
		return;		/* "super slow": an intensifier, not praise */
	}
	if (k & TC_GREET)
		s->greet++;
	if (k & TC_BUG) {
		if (i > 0 && (c->wd[i - 1].cls & TC_BY))
			s->cat[HARK_CAT_OTHER] += 2;	/* "by mistake" */
		else {
			s->cat[HARK_CAT_BUG] += w->weight;
			s->pol += p * m;
		}
		used = true;
	}
	if (k & TC_ACCIDENT)
		s->cat[HARK_CAT_OTHER] += w->weight;
	if (k & TC_OTHER)
		s->cat[HARK_CAT_OTHER] += w->weight;
	if (k & TC_FEAT)
		s->cat[HARK_CAT_FEATURE_REQUEST] += w->weight;
	if (k & TC_WANT) {
		s->cat[HARK_CAT_FEATURE_REQUEST] += 0.5;
		if (near(c, i, 0, 4, TC_ABLE))
			s->cat[HARK_CAT_FEATURE_REQUEST] += 2.5;
		if (near(c, i, 3, 0, TC_MODAL))
			s->cat[HARK_CAT_FEATURE_REQUEST] += 2;
	}
	if (k & TC_PLEASE) {
		s->cat[HARK_CAT_FEATURE_REQUEST] += 0.5;
		if (near(c, i, 0, 3, TC_FEAT))
			s->cat[HARK_CAT_FEATURE_REQUEST] += 1;
	}
	if (k & TC_SHOULD) {
		s->cat[HARK_CAT_IMPROVEMENT] += 1.5;
		s->cat[HARK_CAT_FEATURE_REQUEST] += 0.5;
	}
	if ((k & (TC_GOOD | TC_PRAISEV)) && !neg &&
	    near(c, i, (k & TC_GOOD) ? 4 : 2, 0, TC_MODAL)) {
		/* "would be nice", "zou fijn zijn", "I'd love": a wish */
		s->cat[HARK_CAT_FEATURE_REQUEST] += 3;
		s->pol += 0.25;
		return;
	}
	if (k & TC_TOO) {
		if (near(c, i, 0, 2, TC_GOOD | TC_PRAISE)) {
			*intens = 1.5;	/* "trop bien" */
			return;
		}
		if (near(c, i, 0, 3, TC_ADJQ | TC_IMPR | TC_NEGSENT)) {
			s->cat[HARK_CAT_IMPROVEMENT] += 2;
			s->pol -= 1.25;
		}
	}
	if (k & TC_MORE) {
		if (near(c, i, 0, 2, TC_GOOD | TC_PRAISE | TC_ADJQ)) {
			s->cat[HARK_CAT_IMPROVEMENT] += 2;
			if (i + 1 < c->sc->ntok)
				c->wd[i + 1].cls &= ~(TC_PRAISE | TC_GOOD);
		}
	}
	if (k & TC_COMPAR) {
		s->compar += w->weight;
		used = true;
	}
	if (k & (TC_MODAL | TC_SHOULD | TC_TOO))
		s->modal = true;
	if ((k & TC_IMPR) && !used) {
		if (neg)
			s->pol -= p * 0.5;
		else {
			s->cat[HARK_CAT_IMPROVEMENT] += w->weight;
			s->pol += p * m;
		}
		used = true;
	}
	if (k & TC_NEGSENT && !used) {
		s->pol += neg ? -p * 0.5 : p * m;
		s->cat[HARK_CAT_IMPROVEMENT] += 0.5;
		used = true;
	}
	if (k & (TC_PRAISE | TC_THANKS) && !used) {
		if (neg) {
			s->cat[HARK_CAT_IMPROVEMENT] += 1.5;
			s->pol -= p * 0.75 * m;
		} else {
			s->cat[HARK_CAT_PRAISE] += w->weight;
			s->pol += p * m;
		}
		used = true;
	}
	if ((k & TC_QWORD) && w->weight > 0) {
		if (clause_start(c, i) && !(k & TC_PRAISE) &&
		    !(i + 1 < c->sc->ntok && (c->wd[i + 1].cls &
		    (TC_PRAISE | TC_GOOD | TC_INTENS))))
			s->cat[HARK_CAT_QUESTION] += w->weight;
		else if (t->flags & TF_INQ)
			s->cat[HARK_CAT_QUESTION] += w->weight * 0.5;
	}
	if ((k & TC_AUXQ) && clause_start(c, i) && i + 1 < c->sc->ntok &&
	    c->sc->tok[i + 1].clause == t->clause) {
		if (near(c, i, 0, 6, TC_FEAT))
			s->cat[HARK_CAT_FEATURE_REQUEST] += 1;	/* "can you add" */
		else if (c->wd[i + 1].cls & TC_PRON)
			s->cat[HARK_CAT_QUESTION] += 2;
		else if (c->lang == TL_ES)
			s->cat[HARK_CAT_QUESTION] += 1;
	}
	if ((k & TC_PRON) && (t->flags & TF_HYPHEN) && c->lang == TL_FR)
		s->cat[HARK_CAT_QUESTION] += 2;	/* "pouvez-vous", "est-ce" */
	if (k & TC_QNOUN)
		s->cat[HARK_CAT_QUESTION] += w->weight;
}

/* The clause's words together: negation next to a verb, failed log-ins. */
static void
score_clause(struct ctx *c, size_t a, size_t b, struct score *s)
{
	uint64_t	 any = 0;
	size_t		 i;
	bool		 login = false, out = false;

	for (i = a; i < b; i++) {
		any |= c->wd[i].cls;
		if ((c->wd[i].cls & TC_LOGPART) && has(c, i + 1, TC_INON)) {
			login = true;
			if (c->wd[i + 1].text != NULL &&
			    strcmp(c->wd[i + 1].text, "out") == 0)
				out = true;
		}
	}
	if (any & TC_LOGIN)
		login = true;
	if (out) {
		s->cat[HARK_CAT_BUG] += 2;
		s->pol -= 0.75;
		any |= TC_BUG;
	}
	if (!(any & TC_NEG)) {
		if (login && (any & TC_BUG))
			s->sev |= TS_LOGIN;
		return;
	}
	if (any & TC_WORKV) {
		s->cat[HARK_CAT_BUG] += 3;
		s->sev |= TS_NOTWORK;
		s->pol -= 1.5;
	} else if (any & TC_ACT) {
		s->cat[HARK_CAT_BUG] += 2;
		s->sev |= TS_BLOCKER;
		s->pol -= 1.0;
	}
	if (any & TC_UNTIL) {
		s->cat[HARK_CAT_BUG] += 2;	/* "not ... anymore": a regression */
		s->pol -= 0.5;
	}
	if (login && (any & (TC_WORKV | TC_ACT | TC_BUG | TC_LOGIN))) {
		s->sev |= TS_LOGIN;
		s->cat[HARK_CAT_BUG] += 1;
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
	for (i = 0; i < sc->ntok; i++) {
		s->sev |= c->wd[i].sev;
		score_word(c, i, s, &intens);
		if (i + 1 == sc->ntok || sc->tok[i + 1].clause !=
		    sc->tok[i].clause || (sc->tok[i + 1].flags & TF_CLAUSE)) {
			score_clause(c, a, i + 1, s);
			a = i + 1;
		}
	}
}

static enum hark_category
decide(const struct scan *sc, struct score *s)
{
	double	*cat = s->cat, best;
	int	 k, arg;

	if (sc->qmarks > 0)
		cat[HARK_CAT_QUESTION] += 2.5;
	/* "better"/"faster" wish for more unless the text is all praise */
	if (!s->modal && sc->qmarks == 0 &&
	    (cat[HARK_CAT_PRAISE] > 0 || sc->emoji_pos > 0))
		cat[HARK_CAT_PRAISE] += s->compar * 0.5;
	else
		cat[HARK_CAT_IMPROVEMENT] += s->compar;
	if (sc->please_emoji > 0)
		cat[HARK_CAT_FEATURE_REQUEST] += 0.5;
	if (sc->emoji_pos > 0)
		cat[HARK_CAT_PRAISE] += 1;
	/* A request or a fault put as a question is still that. */
	if (cat[HARK_CAT_FEATURE_REQUEST] > 1)
		cat[HARK_CAT_QUESTION] -= 1.25 *
		    (cat[HARK_CAT_FEATURE_REQUEST] - 1);
	cat[HARK_CAT_QUESTION] -= 0.5 * cat[HARK_CAT_BUG];
	/* Praise next to a request or complaint is politeness. */
	if (cat[HARK_CAT_BUG] >= 2 || cat[HARK_CAT_FEATURE_REQUEST] >= 2 ||
	    cat[HARK_CAT_IMPROVEMENT] >= 2)
		cat[HARK_CAT_PRAISE] *= 0.5;
	if (s->greet > 0 && s->content == 0)
		cat[HARK_CAT_OTHER] += 1.5;
	arg = HARK_CAT_OTHER;
	best = 1.49;
	for (k = 0; k < HARK_CAT_OTHER; k++)
		if (cat[k] > best) {
			best = cat[k];
			arg = k;
		}
	if (cat[HARK_CAT_OTHER] >= best)
		arg = HARK_CAT_OTHER;
	return (enum hark_category)arg;
}

static double
sentiment(const struct scan *sc, const struct score *s, enum hark_category cat)
{
	double	 p = s->pol, e;

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

void
hark_triage_text(const char *text, size_t len, const char *page,
    struct hark_triage *out)
{
	struct scan	 sc;
	struct ctx	 c;
	struct score	 s;
	double		 sc_sent;

	lex_init();
	sc.ntok = 0;
	memset(sc.votes, 0, sizeof(sc.votes));
	sc.qmarks = sc.excl = sc.emoji_pos = sc.emoji_neg = 0;
	sc.please_emoji = 0;
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
	out->impact = impact(out->category, out->sentiment, sc_sent, s.sev,
	    page);
}

const char *
hark_category_name(enum hark_category c)
{
	if ((unsigned)c >= HARK_CAT_COUNT)
		return "other";
	return cat_names[c];
}

int
hark_category_from_name(const char *name, enum hark_category *out)
{
	int	 k;

	if (name == NULL)
		return -1;
	for (k = 0; k < HARK_CAT_COUNT; k++)
		if (strcmp(name, cat_names[k]) == 0) {
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
	return sent_names[s];
}

int
hark_sentiment_from_name(const char *name, enum hark_sentiment *out)
{
	int	 k;

	if (name == NULL)
		return -1;
	for (k = 0; k < HARK_SENT_COUNT; k++)
		if (strcmp(name, sent_names[k]) == 0) {
			*out = (enum hark_sentiment)k;
			return 0;
		}
	return -1;
}
