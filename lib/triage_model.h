/*
 * triage_model.h: the learned part of hark's triage, a linear model over
 * hashed word and character n-grams whose weights file (data/triage.model,
 * written by tools/triage-train) is mmap'ed read-only, its table copied
 * once into a huge page, and shared by every worker.  doc/triage.md describes the features and the file format.
 */
#ifndef HARK_TRIAGE_MODEL_H
#define HARK_TRIAGE_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "triage.h"

/* Outputs of the shipped layout: 6 categories, 3 sentiments, 5 languages. */
#define HARK_TM_NLANG	5

struct hark_triage_model;

/*
 * Maps and checks path (magic, version, layout, size, SHA-256).  Returns
 * NULL on failure with a message naming the file in err (errlen bytes).
 */
struct hark_triage_model *hark_triage_model_open(const char *path,
		    char *err, size_t errlen);
void		 hark_triage_model_close(struct hark_triage_model *);

/*
 * The model hark_triage_text uses; NULL (the default) leaves the rules
 * alone.  Set once at start-up, before workers fork or threads start.
 */
void		 hark_triage_model_set(struct hark_triage_model *);
struct hark_triage_model *hark_triage_model_get(void);

/*
 * Opens path and makes it the model hark_triage_text uses; 0, or -1 with
 * the message in err.  For programs: hark-fcgi and hark-batch at start-up.
 */
int		 hark_triage_model_load(const char *path, char *err,
		    size_t errlen);

struct hark_triage_scores {
	enum hark_category	category;
	double			category_p;	/* its probability */
	double			p[HARK_CAT_COUNT];	/* every category's */
	enum hark_sentiment	sentiment;
	double			sentiment_p;
	double			sentiment_score;	/* p(pos) - p(neg) */
	const char		*language;	/* "en".."fr" or "other" */
	double			language_p;
	int			spam;		/* 1 spam, 0 not */
};

/* Scores len bytes of text with m; no allocation, any thread. */
void		 hark_triage_model_score(const struct hark_triage_model *m,
		    const char *text, size_t len,
		    struct hark_triage_scores *out);

/*
 * The feature indexes the text gives, in order, at most max of them;
 * returns how many there are.  For the test that C and tools/triage-train
 * agree.
 */
size_t		 hark_triage_model_features(const char *text, size_t len,
		    unsigned hash_bits, uint32_t *out, size_t max);

/* Bytes of the mapped file, for the bench. */
size_t		 hark_triage_model_size(const struct hark_triage_model *);

#endif
