/*
 * triage.h: hark's built-in synchronous triage of a feedback message.
 *
 * One call gives a category, a sentiment (label and score) and an impact
 * score 0-14 for a text in English, Dutch, Spanish, German or French.  It is
 * rule based: the text is folded (lower case, no accents) and tokenised in
 * one pass on the stack, every token is looked up in a word table
 * (triage_lexicon.c), with German and Dutch compounds and inflected forms
 * read through their parts, and a set of rules (negation and its scope,
 * contrast after "but", wish phrases, questions, "too ..." and comparatives)
 * turn the hits into scores.  Nothing is allocated per call and the
 * function is safe to call from any thread (each keeps its own cache of
 * word look-ups, static thread-local memory).
 * doc/triage.md documents the rules and the impact formula.
 */
#ifndef HARK_TRIAGE_H
#define HARK_TRIAGE_H

#include <stddef.h>

enum hark_category {
	HARK_CAT_BUG = 0,
	HARK_CAT_FEATURE_REQUEST,
	HARK_CAT_IMPROVEMENT,
	HARK_CAT_QUESTION,
	HARK_CAT_PRAISE,
	HARK_CAT_OTHER
};
#define HARK_CAT_COUNT	6

enum hark_sentiment {
	HARK_SENT_POSITIVE = 0,
	HARK_SENT_NEUTRAL,
	HARK_SENT_NEGATIVE
};
#define HARK_SENT_COUNT	3

#define HARK_IMPACT_MAX	14

struct hark_triage {
	enum hark_category	category;
	enum hark_sentiment	sentiment;
	double			sentiment_score;	/* -1.0 (negative) .. 1.0 */
	int			impact;			/* 0 .. HARK_IMPACT_MAX */
	/*
	 * Set by the learned model (triage_model.h) when one is loaded, else
	 * confidence -1, language "" and spam -1 (the rules judge neither).
	 */
	double			confidence;		/* of the category, 0..1 */
	char			language[6];		/* en nl de es fr other */
	int			spam;			/* 1, 0, -1 not judged */
};

/*
 * Triages the len bytes of UTF-8 text (checked by the caller; invalid bytes
 * are skipped, not trusted).  With a learned model loaded
 * (hark_triage_model_load) the category, sentiment, language and spam are
 * the model's; severity, the page's weight and the impact formula stay the
 * rules'.  page is the page or URL the feedback was sent
 * from, or NULL; a critical page (login, checkout, payment...) raises the
 * impact of a bug.  Very long texts are judged on their first 1024 words.
 * An issue template's headings, HTML comments and code blocks are not
 * read (hark_triage_strip).
 */
void		 hark_triage_text(const char *text, size_t len, const char *page,
		    struct hark_triage *out);
/*
 * The same answer, the rules always run: hark_triage_text skips them when
 * the model is sure (0.8 or more) of a category that is neither a bug nor
 * negative, since they could change nothing then.  For the test that
 * proves it, and the bench.
 */
void		 hark_triage_text_eager(const char *text, size_t len,
		    const char *page, struct hark_triage *out);

/*
 * The text without Markdown headings, HTML comments and ``` code blocks
 * (lib/triage_strip.c says why), written to out (the first outsz bytes of
 * the text are read).  Returns its length, or HARK_TRIAGE_UNSTRIPPED when
 * there is nothing to leave out or nothing but markup: then read the text
 * itself.  No allocation.
 */
#define HARK_TRIAGE_UNSTRIPPED	((size_t)-1)
#define HARK_TRIAGE_STRIP_MAX	16384	/* what the triage reads of a text */
size_t		 hark_triage_strip(const char *text, size_t len, char *out,
		    size_t outsz);

/*
 * Forgets the calling thread's cache of word look-ups (kept across calls;
 * answers never depend on it): for the test that proves that, and for the
 * bench's figure without it.
 */
void		 hark_triage_cache_clear(void);

/* "bug", "feature_request", "improvement", "question", "praise", "other". */
const char	*hark_category_name(enum hark_category);
/* Returns 0 and sets *out for a known name, else -1 (*out untouched). */
int		 hark_category_from_name(const char *name, enum hark_category *out);

/* "positive", "neutral", "negative". */
const char	*hark_sentiment_name(enum hark_sentiment);
int		 hark_sentiment_from_name(const char *name, enum hark_sentiment *out);

#ifdef HARK_TRIAGE_INTERNAL
/*
 * Shared by triage.c and triage_lexicon.c only: the word table.  A word is
 * stored folded (lower-case ASCII, see hark_utf8_fold_cp); a stem matches
 * any word it begins.  The same word may appear once per language with
 * different meanings ("pas" is a French negator, Dutch "only").
 */
#include <stdint.h>

#define TL_EN	0x01
#define TL_NL	0x02
#define TL_ES	0x04
#define TL_DE	0x08
#define TL_FR	0x10
#define TL_ALL	0x1F

/* What a word signals; the rules in triage.c give each class its meaning. */
#define TC_NEG		(UINT64_C(1) << 0)	/* negator: not, niet, no, nicht, pas */
#define TC_BUG		(UINT64_C(1) << 1)	/* failure word: crash, fout, error */
#define TC_WORKV	(UINT64_C(1) << 2)	/* works/loads: broken when negated */
#define TC_ACT		(UINT64_C(1) << 3)	/* save/pay/upload: blocker when negated */
#define TC_FEAT		(UINT64_C(1) << 4)	/* add, option, feature, missing */
#define TC_MODAL	(UINT64_C(1) << 5)	/* would, zou, sería, wäre, serait */
#define TC_GOOD		(UINT64_C(1) << 6)	/* nice/handy: a wish after a modal */
#define TC_IMPR		(UINT64_C(1) << 7)	/* slow, confusing, cluttered */
#define TC_TOO		(UINT64_C(1) << 8)	/* too, te, demasiado, zu, trop */
#define TC_ADJQ		(UINT64_C(1) << 9)	/* long, small, many: after "too" */
#define TC_COMPAR	(UINT64_C(1) << 10)	/* better, faster, beter, mieux */
#define TC_SHOULD	(UINT64_C(1) << 11)	/* should, moet, debería, sollte */
#define TC_QWORD	(UINT64_C(1) << 12)	/* how, hoe, cómo, wie, comment */
#define TC_AUXQ		(UINT64_C(1) << 13)	/* can/does/kan/gibt: first in a question */
#define TC_PRON		(UINT64_C(1) << 14)	/* pronoun/article after an AUXQ */
#define TC_PRAISE	(UINT64_C(1) << 15)	/* great, geweldig, genial, toll */
#define TC_THANKS	(UINT64_C(1) << 16)
#define TC_OTHER	(UINT64_C(1) << 17)	/* test, agency, cancel, by mistake */
#define TC_GREET	(UINT64_C(1) << 18)
#define TC_LOGIN	(UINT64_C(1) << 19)	/* login, inloggen, sesión, password */
#define TC_LOGPART	(UINT64_C(1) << 20)	/* log/sign before in/on/out */
#define TC_INON		(UINT64_C(1) << 21)
#define TC_INTENS	(UINT64_C(1) << 22)	/* very, heel, muy, sehr, très */
#define TC_STOP		(UINT64_C(1) << 23)	/* frequent word: votes for a language */
#define TC_BUT		(UINT64_C(1) << 24)	/* but, maar, pero, aber, mais */
#define TC_PLEASE	(UINT64_C(1) << 25)
#define TC_WANT		(UINT64_C(1) << 26)	/* want, wish, wil, quiero, möchte */
#define TC_ABLE		(UINT64_C(1) << 27)	/* able, kunnen, poder, können */
#define TC_QNOUN	(UINT64_C(1) << 28)	/* question, vraag, pregunta, Frage */
#define TC_PRAISEV	(UINT64_C(1) << 29)	/* love/like verbs: a wish after "I'd" */
#define TC_NEGSENT	(UINT64_C(1) << 30)	/* terrible, slecht, pésimo, nul */
#define TC_BY		(UINT64_C(1) << 31)	/* by/par/por/per: "by mistake" */
#define TC_MORE		(UINT64_C(1) << 32)	/* more, meer, más, mehr, plus */
#define TC_ACCIDENT	(UINT64_C(1) << 33)	/* per ongeluk, sin querer, versehentlich */
#define TC_UNTIL	(UINT64_C(1) << 34)	/* still/anymore: persistent failure */
#define TC_COLOR	(UINT64_C(1) << 35)	/* white, black, blank: "white screen" */
#define TC_SCREEN	(UINT64_C(1) << 36)	/* screen, page, scherm, pantalla, écran */
#define TC_ACCOUNT	(UINT64_C(1) << 37)	/* account, subscription, abo, cuenta */
#define TC_ADMINV	(UINT64_C(1) << 38)	/* delete, cancel, opzeggen, kündigen */
#define TC_WRONG	(UINT64_C(1) << 39)	/* wrong, verkeerd, falsch, mauvais */
#define TC_MISCLICK	(UINT64_C(1) << 40)	/* button, chat, clicked: "wrong button" */
#define TC_FIND		(UINT64_C(1) << 41)	/* find, vinden, finden, trouver */
#define TC_ME		(UINT64_C(1) << 42)	/* I, ik, ich, je, yo: who cannot find */
#define TC_LESS		(UINT64_C(1) << 43)	/* less, minder, weniger, moins, menos */
#define TC_WHY		(UINT64_C(1) << 44)	/* why, waarom, warum, pourquoi */
#define TC_WAYN		(UINT64_C(1) << 45)	/* way, possibility: asked, a question */
#define TC_FUTURE	(UINT64_C(1) << 46)	/* plans, roadmap, soon, ooit, bientôt */
#define TC_JOBN		(UINT64_C(1) << 47)	/* job, werk, trabajo, Arbeit, travail */
#define TC_EVERY	(UINT64_C(1) << 48)	/* everything, alles, todo, tout */
#define TC_MSGN		(UINT64_C(1) << 49)	/* messages: "error messages" is a topic */
#define TC_COMPLAINT	(UINT64_C(1) << 50)	/* complaints, klachten: "no complaints" */
#define TC_FEATN	(UINT64_C(1) << 51)	/* feature, option, mode: a topic, not a wish */
#define TC_NUM		(UINT64_C(1) << 52)	/* two, twee, deux: "two times" */
#define TC_ART		(UINT64_C(1) << 53)	/* the, la, de, die: "the best" */
#define TC_TESTW	(UINT64_C(1) << 54)	/* test, prueba: "other" in a short text */
#define TC_CANQ		(UINT64_C(1) << 55)	/* can, could, kunnen, pourriez: "can you..." */
#define TC_YOU		(UINT64_C(1) << 56)	/* you, jullie, ihr, vous, ustedes */
#define TC_ASKV		(UINT64_C(1) << 57)	/* tell, explain, help: "can you tell me" asks */
#define TC_IF		(UINT64_C(1) << 58)	/* if, als, wenn, si: "would be X if" */
#define TC_HABIT	(UINT64_C(1) << 59)	/* daily, years, hours: "use it daily" */
#define TC_USEV		(UINT64_C(1) << 60)	/* use, saves: with a HABIT word, praise */
#define TC_ADDR		(UINT64_C(1) << 61)	/* address, company: admin topics */
#define TC_INVOICE	(UINT64_C(1) << 62)	/* invoice, factuur, Rechnung, facture */
#define TC_IMPV		(UINT64_C(1) << 63)	/* make, move, verplaats: change what exists */

/* Severity groups, see doc/triage.md. */
#define TS_DATALOSS	0x0001
#define TS_SECURITY	0x0002
#define TS_PAYMENT	0x0004
#define TS_CRASH	0x0008
#define TS_LOGIN	0x0010
#define TS_BLOCKER	0x0020
#define TS_NOTWORK	0x0040
#define TS_ERRCODE	0x0080
#define TS_URGENT	0x0100

/*
 * TLX_STEM: the entry matches every word it begins.  TLX_HEAD: it may also
 * end a German or Dutch compound ("Zahlungsfehler", "betaalfout"), so a word
 * that ends with it gets its classes too.
 */
#define TLX_STEM	0x01
#define TLX_HEAD	0x02

struct hark_lex {
	const char	*word;
	uint8_t		 lang;		/* TL_* bits */
	uint8_t		 stem;		/* TLX_* bits */
	int8_t		 weight;	/* strength of the category classes, 1-3 */
	int8_t		 pol;		/* sentiment, in quarters: -8 .. 8 */
	uint16_t	 sev;		/* TS_* bits */
	uint64_t	 cls;		/* TC_* bits */
};

extern const struct hark_lex	hark_triage_lexicon[];
extern const size_t		hark_triage_lexicon_len;
#endif /* HARK_TRIAGE_INTERNAL */

#endif
