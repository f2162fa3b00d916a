/* bench_triage.c: scores hark_triage_text on a labelled TSV and times it per call. */
#include "config.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "triage.h"

/*
 * Usage: bench_triage [-v] [-n iterations] file.tsv
 * The file has the header "lang category sentiment page text", tab
 * separated.  Prints per-category precision/recall/F1, accuracies, the
 * confusion matrix, per-language accuracy, then the time per call on
 * 200-character messages cut from the file.  -v lists every miss.
 */

#define MAXROWS	4096
#define LINEMAX	8192

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
	int		 tp, fp, fn, hi = 0;
	double		 pr, rc;
	struct hark_triage t;
	size_t		 i;

	for (i = 0; i < nrows; i++) {
		hark_triage_text(rows[i].text, strlen(rows[i].text),
		    rows[i].page, &t);
		conf[rows[i].cat][t.category]++;
		sconf[rows[i].sent][t.sentiment]++;
		cok += t.category == rows[i].cat;
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

/* 200-byte messages: each text repeated or cut to length at a char boundary. */
static void
timing(long iters)
{
	static char	 msg[64][201];
	struct hark_triage t;
	struct timespec	 a, b;
	size_t		 nmsg = 0, i, n, l;
	long		 it;
	double		 ns;
	volatile int	 sink = 0;

	for (i = 0; i < nrows && nmsg < 64; i += nrows / 64 + 1, nmsg++) {
		for (n = 0; n < 200;) {
			l = strlen(rows[i].text);
			if (l > 200 - n)
				l = 200 - n;
			memcpy(msg[nmsg] + n, rows[i].text, l);
			n += l;
			if (n < 200)
				msg[nmsg][n++] = ' ';
		}
		while (n > 0 && ((unsigned char)msg[nmsg][n - 1] & 0xC0) == 0x80)
			n--;
		if (n > 0 && (unsigned char)msg[nmsg][n - 1] >= 0xC0)
			n--;
		msg[nmsg][n] = '\0';
	}
	for (it = 0; it < 1000; it++) {		/* warm up */
		hark_triage_text(msg[it % nmsg], strlen(msg[it % nmsg]),
		    "/checkout", &t);
		sink += t.impact;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (it = 0; it < iters; it++) {
		hark_triage_text(msg[it % nmsg], strlen(msg[it % nmsg]),
		    "/checkout", &t);
		sink += t.impact;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	ns = ((double)(b.tv_sec - a.tv_sec) * 1e9 +
	    (double)(b.tv_nsec - a.tv_nsec)) / (double)iters;
	printf("\ntiming: %ld calls on %zu messages of ~200 bytes: %.0f ns per call\n",
	    iters, nmsg, ns);
	(void)sink;
}

int
main(int argc, char *argv[])
{
	long	 iters = 200000;
	int	 verbose = 0, i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-v") == 0)
			verbose = 1;
		else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			iters = strtol(argv[++i], NULL, 10);
		else
			errx(2, "usage: bench_triage [-v] [-n iterations] file.tsv");
	}
	if (i != argc - 1)
		errx(2, "usage: bench_triage [-v] [-n iterations] file.tsv");
	load(argv[i]);
	if (nrows == 0)
		errx(1, "%s: no rows", argv[i]);
	report(verbose);
	if (iters > 0)
		timing(iters);
	return 0;
}
