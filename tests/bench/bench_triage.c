/* bench_triage.c: scores hark_triage_text on a labelled TSV and times it per call. */
#include "config.h"

#include <err.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "triage.h"
#include "triage_model.h"

/*
 * Usage: bench_triage [-v] [-n iterations] [-m triage.model] file.tsv
 * With -m the learned model decides (its size and load time are printed);
 * without, the rules alone.
 * The file has the header "lang category sentiment page text", tab
 * separated.  Prints per-category precision/recall/F1, accuracies, the
 * confusion matrix, per-language accuracy, then the time per call on
 * messages of 200 and 2,000 bytes joined from the file's texts
 * (iterations calls of each per run, a tenth of them for 2,000 bytes):
 * hark_triage_text, the same with the rules always run, the model's part
 * and the rules alone, then hark_triage_text and the rules alone with the
 * word cache cleared before every call, and the allocations counted over
 * all those calls.
 * -n 0 skips the timing.  -v lists every miss.
 *
 * -w other.tsv (repeatable) adds the figure closest to real traffic: the
 * file's texts joined in order into 2,000-byte messages, each timed once a
 * run (a message new to the CPU's caches and to the word cache), after
 * every text of the -w files was triaged (the word cache holds what a
 * worker has read before); the median of 21 runs.
 */

#define MAXROWS	16384
#define LINEMAX	65536

struct row {
	char			 lang[4];
	enum hark_category	 cat;
	enum hark_sentiment	 sent;
	char			*page;		/* NULL when empty */
	char			*text;
};

static struct row	rows[MAXROWS];
static size_t		nrows;

static char *
field(char **p)
{
	char	*s = *p, *t;

	if (s == NULL)
		return NULL;
	if ((t = strchr(s, '\t')) != NULL) {
		*t = '\0';
		*p = t + 1;
	} else
		*p = NULL;
	return s;
}

/* The four classes scored across sources; "other" is outside them. */
static const char *const four_name[4] = { "bug", "feature_request",
    "question", "praise" };

static int
four(enum hark_category c)
{
	switch (c) {
	case HARK_CAT_BUG:
		return 0;
	case HARK_CAT_FEATURE_REQUEST:
	case HARK_CAT_IMPROVEMENT:
		return 1;
	case HARK_CAT_QUESTION:
		return 2;
	case HARK_CAT_PRAISE:
		return 3;
	default:
		return 4;	/* other: a miss for any of the four */
	}
}

/* F1 of class k of the four in a 5x5 confusion (the fifth is "other"). */
static double
f1_of(int c4[5][5], int k)
{
	int	 tp = c4[k][k], fp = 0, fn = 0, j;
	double	 pr, rc;

	for (j = 0; j < 5; j++)
		if (j != k) {
			fp += c4[j][k];
			fn += c4[k][j];
		}
	pr = tp + fp ? (double)tp / (tp + fp) : 0;
	rc = tp + fn ? (double)tp / (tp + fn) : 0;
	return pr + rc > 0 ? 2 * pr * rc / (pr + rc) : 0;
}

/* The mean F1 over the classes of the four the set has. */
static double
macro_f1(int c4[5][5])
{
	double	 mf = 0;
	int	 k, j, n, nk = 0;

	for (k = 0; k < 4; k++) {
		for (n = 0, j = 0; j < 5; j++)
			n += c4[k][j];
		if (n > 0) {
			mf += f1_of(c4, k);
			nk++;
		}
	}
	return nk > 0 ? mf / nk : 0;
}

/*
 * A TSV row cannot hold a line break or a tab: "\n", "\t" and "\\" in
 * the text stand for them, so a multi-line text (an issue with its
 * template) is scored as it was sent.
 */
static void
unescape(char *s)
{
	char	*d = s;

	for (; *s != '\0'; s++) {
		if (*s == '\\' && (s[1] == 'n' || s[1] == 't' || s[1] == '\\')) {
			s++;
			*d++ = *s == 'n' ? '\n' : *s == 't' ? '\t' : '\\';
		} else
			*d++ = *s;
	}
	*d = '\0';
}

static void
load(const char *path)
{
	FILE	*f;
	char	 line[LINEMAX], *p, *lang, *cat, *sent, *page, *text;
	size_t	 lineno = 0, n;

	if ((f = fopen(path, "r")) == NULL)
		err(1, "%s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if ((n = strlen(line)) > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (lineno == 1 || n == 0)
			continue;
		if (nrows == MAXROWS)
			errx(1, "%s: more than %d rows", path, MAXROWS);
		p = line;
		lang = field(&p);
		cat = field(&p);
		sent = field(&p);
		page = field(&p);
		text = field(&p);
		if (text == NULL)
			errx(1, "%s:%zu: expected 5 fields", path, lineno);
		if (hark_category_from_name(cat, &rows[nrows].cat) == -1 ||
		    hark_sentiment_from_name(sent, &rows[nrows].sent) == -1)
			errx(1, "%s:%zu: bad label", path, lineno);
		snprintf(rows[nrows].lang, sizeof(rows[nrows].lang), "%s", lang);
		rows[nrows].page = *page ? strdup(page) : NULL;
		unescape(text);
		if ((rows[nrows].text = strdup(text)) == NULL)
			err(1, NULL);
		nrows++;
	}
	fclose(f);
}

static void
report(int verbose)
{
	static const char *const langs[] = { "en", "nl", "es", "de", "fr" };
	int		 conf[HARK_CAT_COUNT][HARK_CAT_COUNT] = {{0}};
	int		 sconf[HARK_SENT_COUNT][HARK_SENT_COUNT] = {{0}};
	int		 lok[5] = {0}, ln[5] = {0}, cok = 0, sok = 0, k, j, l;
	int		 tp, fp, fn, hi = 0, langok = 0;
	int		 c4[5][5] = {{0}}, m4[5][5] = {{0}};
	double		 pr, rc;
	struct hark_triage t;
	struct hark_triage_scores ms;
	const struct hark_triage_model *m = hark_triage_model_get();
	size_t		 i;

	for (i = 0; i < nrows; i++) {
		hark_triage_text(rows[i].text, strlen(rows[i].text),
		    rows[i].page, &t);
		conf[rows[i].cat][t.category]++;
		sconf[rows[i].sent][t.sentiment]++;
		cok += t.category == rows[i].cat;
		langok += strcmp(t.language, rows[i].lang) == 0;
		c4[four(rows[i].cat)][four(t.category)]++;
		if (m != NULL) {
			hark_triage_model_score(m, rows[i].text,
			    strlen(rows[i].text), &ms);
			m4[four(rows[i].cat)][four(ms.category)]++;
		}
		sok += t.sentiment == rows[i].sent;
		if (t.impact >= 8)
			hi++;
		for (l = 0; l < 5; l++)
			if (strcmp(rows[i].lang, langs[l]) == 0) {
				ln[l]++;
				lok[l] += t.category == rows[i].cat;
			}
		if (verbose && (t.category != rows[i].cat ||
		    t.sentiment != rows[i].sent))
			printf("MISS %s %s/%s -> %s/%s (%.2f, impact %d): %s\n",
			    rows[i].lang, hark_category_name(rows[i].cat),
			    hark_sentiment_name(rows[i].sent),
			    hark_category_name(t.category),
			    hark_sentiment_name(t.sentiment),
			    t.sentiment_score, t.impact, rows[i].text);
	}
	printf("%zu messages\n\n%-16s %9s %9s %9s %7s\n", nrows, "category",
	    "precision", "recall", "F1", "count");
	for (k = 0; k < HARK_CAT_COUNT; k++) {
		tp = conf[k][k];
		fp = fn = 0;
		for (j = 0; j < HARK_CAT_COUNT; j++)
			if (j != k) {
				fp += conf[j][k];
				fn += conf[k][j];
			}
		pr = tp + fp ? (double)tp / (tp + fp) : 0;
		rc = tp + fn ? (double)tp / (tp + fn) : 0;
		printf("%-16s %9.3f %9.3f %9.3f %7d\n",
		    hark_category_name((enum hark_category)k), pr, rc,
		    pr + rc > 0 ? 2 * pr * rc / (pr + rc) : 0, tp + fn);
	}
	printf("\ncategory accuracy:  %.3f (%d/%zu)\n", (double)cok / nrows,
	    cok, nrows);
	printf("sentiment accuracy: %.3f (%d/%zu)\n", (double)sok / nrows,
	    sok, nrows);
	printf("impact >= 8:        %d\n", hi);
	for (k = 0; k < 4; k++)
		printf("  4-class %-16s F1 %.3f\n", four_name[k], f1_of(c4, k));
	printf("macro-F1 (bug, feature+improvement, question, praise): %.3f\n",
	    macro_f1(c4));
	if (m != NULL)
		printf("  the model alone, without the rules' override: %.3f\n",
		    macro_f1(m4));
	printf("language accuracy:  %.3f\n", (double)langok / nrows);
	for (l = 0; l < 5; l++)
		if (ln[l] > 0)
			printf("  %s category accuracy %.3f (%d)\n", langs[l],
			    (double)lok[l] / ln[l], ln[l]);
	printf("\nconfusion (rows = labelled, columns = predicted)\n%-16s",
	    "");
	for (k = 0; k < HARK_CAT_COUNT; k++)
		printf(" %5.5s", hark_category_name((enum hark_category)k));
	printf("\n");
	for (k = 0; k < HARK_CAT_COUNT; k++) {
		printf("%-16s", hark_category_name((enum hark_category)k));
		for (j = 0; j < HARK_CAT_COUNT; j++)
			printf(" %5d", conf[k][j]);
		printf("\n");
	}
	printf("\nsentiment confusion\n%-16s", "");
	for (k = 0; k < HARK_SENT_COUNT; k++)
		printf(" %8s", hark_sentiment_name((enum hark_sentiment)k));
	printf("\n");
	for (k = 0; k < HARK_SENT_COUNT; k++) {
		printf("%-16s", hark_sentiment_name((enum hark_sentiment)k));
		for (j = 0; j < HARK_SENT_COUNT; j++)
			printf(" %8d", sconf[k][j]);
		printf("\n");
	}
}

#include "../alloc_count.h"	/* malloc & co. counted */

#define RUNS	7		/* the median of these is printed */
#define NMSG	64

/*
 * The word cache is kept from call to call, and these messages repeat: after
 * the first pass every word is a hit, more than real traffic gives (about
 * 70% on eval.tsv after the other sets, doc/triage.md).  The "cold" paths
 * clear it before every call: no word cached across calls, the other end.
 */
enum path { P_TEXT, P_EAGER, P_MODEL, P_RULES, P_TEXT_COLD, P_RULES_COLD,
    P_COUNT };

static const char *const path_name[P_COUNT] = {
	"hark_triage_text",
	"  with the rules always run",
	"  the model's part alone",
	"the rules alone (no model)",
	"hark_triage_text, cache cold",
	"the rules alone, cache cold",
};

static char	 msg[NMSG][2001];
static size_t	 msglen[NMSG];
static size_t	 nmsg;

static double
ns_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e9 +
	    (double)(b->tv_nsec - a->tv_nsec);
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* iters calls of one path; CPU and wall ns per call. */
static void
run(enum path p, long iters, double *cpu, double *wall)
{
	struct hark_triage_model	*m = hark_triage_model_get();
	struct hark_triage		 t;
	struct hark_triage_scores	 ms;
	struct timespec			 a, b, ca, cb;
	volatile int			 sink = 0;
	long				 it;
	size_t				 k;

	if (p == P_RULES || p == P_RULES_COLD)
		hark_triage_model_set(NULL);
	clock_gettime(CLOCK_MONOTONIC, &a);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ca);
	for (it = 0; it < iters; it++) {
		k = (size_t)it % nmsg;
		switch (p) {
		case P_TEXT_COLD:
		case P_RULES_COLD:
			hark_triage_cache_clear();
			/* FALLTHROUGH */
		case P_TEXT:
		case P_RULES:
			hark_triage_text(msg[k], msglen[k], "/checkout", &t);
			sink += t.impact;
			break;
		case P_EAGER:
			hark_triage_text_eager(msg[k], msglen[k], "/checkout",
			    &t);
			sink += t.impact;
			break;
		default:
			hark_triage_model_score(m, msg[k], msglen[k], &ms);
			sink += ms.spam;
		}
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cb);
	clock_gettime(CLOCK_MONOTONIC, &b);
	hark_triage_model_set(m);
	*cpu = ns_between(&ca, &cb) / (double)iters;
	*wall = ns_between(&a, &b) / (double)iters;
	(void)sink;
}

/*
 * size-byte messages (texts joined or cut to length at a char boundary),
 * each path timed RUNS times in turn: the median CPU time per call (the
 * machine is shared, so CPU time is the figure; wall time beside it), and
 * the allocations counted over every call.
 */
static void
timing(long iters, size_t size)
{
	double		 cpu[P_COUNT][RUNS], wall[P_COUNT][RUNS];
	struct hark_triage t;
	unsigned long	 calls = 0;
	size_t		 i, n, l;
	double		 load[3] = { 0 };
	FILE		*f;
	int		 r, p, np;

	for (nmsg = 0, i = 0; i < nrows && nmsg < NMSG;
	    i += nrows / NMSG + 1, nmsg++) {
		for (n = 0; n < size;) {
			l = strlen(rows[(i + n) % nrows].text);
			if (l > size - n)
				l = size - n;
			memcpy(msg[nmsg] + n, rows[(i + n) % nrows].text, l);
			n += l;
			if (n < size)
				msg[nmsg][n++] = ' ';
		}
		while (n > 0 && ((unsigned char)msg[nmsg][n - 1] & 0xC0) == 0x80)
			n--;
		if (n > 0 && (unsigned char)msg[nmsg][n - 1] >= 0xC0)
			n--;
		msg[nmsg][n] = '\0';
		msglen[nmsg] = n;
	}
	for (i = 0; i < 1000; i++)		/* warm up */
		hark_triage_text_eager(msg[i % nmsg], msglen[i % nmsg],
		    "/checkout", &t);
	np = hark_triage_model_get() != NULL ? P_COUNT : P_EAGER;
#ifdef ALLOC_COUNT
	nallocs = 0;
	counting = 1;
#endif
	for (r = 0; r < RUNS; r++)
		for (p = 0; p < P_COUNT; p++) {
			if (np == P_EAGER && p != P_TEXT && p != P_TEXT_COLD)
				continue;	/* no model: the rules alone */
			run((enum path)p, iters, &cpu[p][r], &wall[p][r]);
			calls += (unsigned long)iters;
		}
#ifdef ALLOC_COUNT
	counting = 0;
#endif
	if ((f = fopen("/proc/loadavg", "r")) != NULL) {
		if (fscanf(f, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3)
			load[0] = load[1] = load[2] = 0;
		fclose(f);
	}
	printf("\nspeed: %zu messages of ~%zu bytes, median of %d runs of %ld "
	    "calls (load average %.2f %.2f %.2f)\n", nmsg, size, RUNS, iters,
	    load[0], load[1], load[2]);
	printf("  %-30s %12s %12s %12s\n", "per call", "CPU median",
	    "CPU min", "wall median");
	for (p = 0; p < P_COUNT; p++) {
		if (np == P_EAGER && p != P_TEXT && p != P_TEXT_COLD)
			continue;
		qsort(cpu[p], RUNS, sizeof(double), cmp_double);
		qsort(wall[p], RUNS, sizeof(double), cmp_double);
		printf("  %-30s %9.2f us %9.2f us %9.2f us\n",
		    np != P_EAGER ? path_name[p] : p == P_TEXT ?
		    path_name[P_RULES] : path_name[P_RULES_COLD],
		    cpu[p][RUNS / 2] / 1e3, cpu[p][0] / 1e3,
		    wall[p][RUNS / 2] / 1e3);
	}
#ifdef ALLOC_COUNT
	printf("  allocations per call: %.4f (%lu in %lu calls)\n",
	    (double)nallocs / (double)calls, nallocs, calls);
#else
	printf("  allocations: not counted (sanitizer or not glibc)\n");
#endif
}

/*
 * The -w figure: rows [0, nmain) joined in order into 2,000-byte messages,
 * rows [nmain, nrows) read first every run.
 */
#define ONCE_RUNS	21

static double
once_run(size_t nmain, size_t nm, bool rules)
{
	struct hark_triage_model	*m = hark_triage_model_get();
	struct hark_triage		 t;
	struct timespec			 a, b;
	double				 ns = 0;
	size_t				 i;

	if (rules)
		hark_triage_model_set(NULL);
	hark_triage_cache_clear();
	for (i = nmain; i < nrows; i++)
		hark_triage_text(rows[i].text, strlen(rows[i].text),
		    rows[i].page, &t);
	for (i = 0; i < nm; i++) {
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
		hark_triage_text(msg[i], msglen[i], "/checkout", &t);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
		ns += ns_between(&a, &b);
	}
	hark_triage_model_set(m);
	return ns / (double)nm;
}

static void
timing_once(size_t nmain)
{
	double		 text[ONCE_RUNS], rules[ONCE_RUNS];
	size_t		 i, n, l, nm;
	int		 r;

	for (nm = 0, i = 0; i < nmain && nm < NMSG; nm++) {
		for (n = 0; n < 2000 && i < nmain; i++) {
			l = strlen(rows[i].text);
			if (l > 2000 - n)
				l = 2000 - n;
			memcpy(msg[nm] + n, rows[i].text, l);
			n += l;
			if (n < 2000)
				msg[nm][n++] = ' ';
		}
		while (n > 0 && ((unsigned char)msg[nm][n - 1] & 0xC0) == 0x80)
			n--;
		if (n > 0 && (unsigned char)msg[nm][n - 1] >= 0xC0)
			n--;
		msg[nm][n] = '\0';
		msglen[nm] = n;
	}
	for (r = 0; r < ONCE_RUNS; r++) {
		text[r] = once_run(nmain, nm, false);
		rules[r] = once_run(nmain, nm, true);
	}
	qsort(text, ONCE_RUNS, sizeof(double), cmp_double);
	qsort(rules, ONCE_RUNS, sizeof(double), cmp_double);
	printf("\nonce: %zu messages of ~2000 bytes in the file's order, each "
	    "timed once a run after %zu other texts, median of %d runs\n",
	    nm, nrows - nmain, ONCE_RUNS);
	if (hark_triage_model_get() != NULL)
		printf("  %-30s %9.2f us\n", path_name[P_TEXT],
		    text[ONCE_RUNS / 2] / 1e3);
	printf("  %-30s %9.2f us\n", path_name[P_RULES],
	    rules[ONCE_RUNS / 2] / 1e3);
}

int
main(int argc, char *argv[])
{
	const char *warm[16];
	long	 iters = 20000;
	size_t	 nwarm = 0, nmain, k;
	int	 verbose = 0, i, r;
	const char *model = NULL;
	char	 e[512];
	struct timespec a, b;
	double	 ms[RUNS], first;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-v") == 0)
			verbose = 1;
		else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			iters = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-m") == 0 && i + 1 < argc)
			model = argv[++i];
		else if (strcmp(argv[i], "-w") == 0 && i + 1 < argc &&
		    nwarm < sizeof(warm) / sizeof(warm[0]))
			warm[nwarm++] = argv[++i];
		else
			errx(2, "usage: bench_triage [-v] [-n iterations] "
			    "[-m model] [-w other.tsv ...] file.tsv");
	}
	if (i != argc - 1)
		errx(2, "usage: bench_triage [-v] [-n iterations] [-m model] "
		    "[-w other.tsv ...] file.tsv");
	if (model != NULL) {
		/* mapped and checked (SHA-256 included) RUNS times */
		for (r = 0; r < RUNS; r++) {
			clock_gettime(CLOCK_MONOTONIC, &a);
			if (hark_triage_model_load(model, e, sizeof(e)) == -1)
				errx(1, "%s", e);
			clock_gettime(CLOCK_MONOTONIC, &b);
			ms[r] = ns_between(&a, &b) / 1e6;
		}
		first = ms[0];
		qsort(ms, RUNS, sizeof(double), cmp_double);
		printf("model %s: %zu bytes, loaded and checked in %.1f ms "
		    "(median of %d; the first %.1f ms)\n", model,
		    hark_triage_model_size(hark_triage_model_get()),
		    ms[RUNS / 2], RUNS, first);
	}
	load(argv[i]);
	if (nrows == 0)
		errx(1, "%s: no rows", argv[i]);
	report(verbose);
	if (iters > 0) {
		timing(iters, 200);
		timing(iters / 10 > 0 ? iters / 10 : 1, 2000);
	}
	if (nwarm > 0) {
		nmain = nrows;
		for (k = 0; k < nwarm; k++)
			load(warm[k]);
		timing_once(nmain);
	}
	return 0;
}
