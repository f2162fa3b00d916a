/* test_triage_model.c: the learned triage's weights file, its features and its scores. */
#include "config.h"

#include <check.h>
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
#define DEV_FLOOR	0.80	/* measured 0.854 */
#define HOLDOUT_FLOOR	0.68	/* measured 0.728 */
#define EVAL_FLOOR	0.80	/* measured 0.819 */

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
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	free(buf);
	return failed == 0 ? 0 : 1;
}
