/*
 * enrich.c: the enricher registry and the calls around a backend.
 *
 * Like Redis' ae.c in front of ae_epoll.c, this file is the only one that
 * knows which enrichers exist: adding one is a new enrich_<name>.c with
 * its const struct hark_enricher_ops, a line in enrichers[] below and one
 * in Makefile.am.  What every backend would otherwise repeat (clearing the
 * result, naming who produced it, a message for an error a backend left
 * blank) is done here once.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enrich.h"

struct hark_enricher {
	const struct hark_enricher_ops	*ops;
	void				*state;	/* the backend's own */
};

static const struct hark_enricher_ops *const enrichers[] = {
	&hark_enricher_builtin,
	&hark_enricher_openai,
};
#define NENRICHERS	(sizeof(enrichers) / sizeof(enrichers[0]))

static void	err_set(struct hark_backend_err *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
err_set(struct hark_backend_err *err, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	err->retry_after_s = 0;
}

static void
err_clear(struct hark_backend_err *err)
{
	if (err != NULL)
		memset(err, 0, sizeof(*err));
}

const struct hark_enricher_ops *
hark_enricher_find(const char *name)
{
	size_t	 i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < NENRICHERS; i++)
		if (strcmp(enrichers[i]->name, name) == 0)
			return enrichers[i];
	return NULL;
}

const struct hark_enricher_ops *
hark_enricher_at(size_t i)
{
	return i < NENRICHERS ? enrichers[i] : NULL;
}

int
hark_enricher_open(const char *name, const struct hark_conf *conf,
    struct hark_enricher **out, struct hark_backend_err *err)
{
	const struct hark_enricher_ops	*ops;
	struct hark_enricher		*e;
	int				 rc;

	*out = NULL;
	err_clear(err);
	if ((ops = hark_enricher_find(name)) == NULL) {
		err_set(err, "no enricher called \"%.64s\"", name ? name : "");
		return HARK_BACKEND_FAIL;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL) {
		err_set(err, "%s: out of memory", ops->name);
		return HARK_BACKEND_FAIL;
	}
	e->ops = ops;
	if (ops->init != NULL &&
	    (rc = ops->init(conf, &e->state, err)) != HARK_BACKEND_OK) {
		if (err != NULL && err->msg[0] == '\0')
			err_set(err, "%s: cannot start", ops->name);
		free(e);
		return rc;
	}
	*out = e;
	return HARK_BACKEND_OK;
}

int
hark_enricher_run(struct hark_enricher *e, const char *text, size_t len,
    const char *page, struct hark_enrichment *out,
    struct hark_backend_err *err)
{
	int	 rc;

	memset(out, 0, sizeof(*out));
	out->spam = -1;
	err_clear(err);
	rc = e->ops->enrich(e->state, text, len, page, out, err);
	if (rc != HARK_BACKEND_OK) {
		hark_enrichment_free(out);
		if (err != NULL && err->msg[0] == '\0')
			err_set(err, "%s: enrichment failed", e->ops->name);
		return rc;
	}
	out->by = e->ops->name;
	return HARK_BACKEND_OK;
}

const char *
hark_enricher_name(const struct hark_enricher *e)
{
	return e->ops->name;
}

void
hark_enricher_close(struct hark_enricher *e)
{
	if (e == NULL)
		return;
	if (e->ops->free != NULL)
		e->ops->free(e->state);
	free(e);
}

void
hark_enrichment_free(struct hark_enrichment *out)
{
	free(out->summary);
	free(out->title);
	memset(out, 0, sizeof(*out));
	out->spam = -1;
}
