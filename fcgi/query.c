/* query.c: the query-string engine: a declared table in, a typed struct or a 400 out. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "query.h"
#include "utf8.h"
#include "vocab.h"

#define NAMES_MAX	16	/* parameters one endpoint takes */

static int
refuse(struct hark_resp *resp, const struct hark_query_param *p,
    const char *fmt_tail)
{
	hark_resp_error(resp, 400, "invalid_value", p->name, "%s %s", p->name,
	    fmt_tail);
	return -1;
}

static int
check_string(const struct hark_query_param *p, char *v, struct hark_resp *resp,
    void *at)
{
	size_t	 len = strlen(v), n;
	char	 msg[64];

	if (!hark_utf8_valid(v, len))
		return refuse(resp, p, "must be valid UTF-8");
	n = hark_utf8_count(v, len);
	if ((p->min > 0 && n < (size_t)p->min) ||
	    (p->max > 0 && n > (size_t)p->max)) {
		snprintf(msg, sizeof(msg), "must be %lld to %lld characters",
		    p->min, p->max);
		return refuse(resp, p, msg);
	}
	*(char **)at = v;
	return 1;	/* kept: the struct owns v now */
}

static int
check_enum(const struct hark_query_param *p, const char *v,
    struct hark_resp *resp, void *at)
{
	const char	*hit = hark_vocab_intern(p->one_of, v, NULL);
	char		 all[256], msg[300];

	if (hit == NULL) {
		snprintf(msg, sizeof(msg), "must be one of %s",
		    hark_vocab_join(p->one_of, all, sizeof(all)));
		return refuse(resp, p, msg);
	}
	*(const char **)at = hit;
	return 0;
}

static int
check_int(const struct hark_query_param *p, const char *v,
    struct hark_resp *resp, void *at)
{
	char	*end, msg[96];
	long	 n;

	n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || n < p->min || n > p->max) {
		snprintf(msg, sizeof(msg), "must be an integer from %lld to %lld",
		    p->min, p->max);
		return refuse(resp, p, msg);
	}
	*(long long *)at = n;
	return 0;
}

static int
check_time(const struct hark_query_param *p, const char *v,
    struct hark_resp *resp, void *at)
{
	struct hark_query_time	*t = at;

	if (hark_ts_from_rfc3339(v, t->db) == -1)
		return refuse(resp, p, "must be an RFC 3339 timestamp");
	t->set = true;
	return 0;
}

/* 0 (v still the caller's), 1 (v kept in the struct) or -1 (refused). */
static int
check_one(const struct hark_query_param *p, char *v, struct hark_resp *resp,
    void *in, const void *ctx)
{
	void	*at = (char *)in + p->off;

	switch (p->type) {
	case HARK_QUERY_STRING:
		return check_string(p, v, resp, at);
	case HARK_QUERY_ENUM:
		return check_enum(p, v, resp, at);
	case HARK_QUERY_INT:
		return check_int(p, v, resp, at);
	case HARK_QUERY_RFC3339:
		return check_time(p, v, resp, at);
	case HARK_QUERY_CURSOR:
		if (p->decode(v, at, ctx) == -1)
			return refuse(resp, p, "is not one this server gave out");
		return 0;
	}
	return refuse(resp, p, "is not understood");
}

int
hark_query_parse(const struct hark_query_schema *qs,
    const struct hark_req *req, struct hark_resp *resp, void *in,
    const void *ctx)
{
	const char	*known[NAMES_MAX + 1];
	char		*vals[NAMES_MAX] = { NULL }, unknown[64];
	size_t		 i, n = qs->nparams < NAMES_MAX ? qs->nparams : NAMES_MAX;
	bool		 bad;
	int		 rc = -1, k;

	memset(in, 0, qs->size);
	for (i = 0; i < n; i++) {
		known[i] = qs->params[i].name;
		if (qs->params[i].type == HARK_QUERY_INT)
			*(long long *)(void *)((char *)in + qs->params[i].off) =
			    qs->params[i].def;
	}
	known[n] = NULL;
	if (hark_req_query_unknown(req, known, unknown, sizeof(unknown))) {
		hark_resp_error(resp, 400, "unknown_parameter", unknown,
		    "unknown query parameter '%s'; this endpoint takes %s",
		    unknown, qs->takes);
		return -1;
	}
	/* Every value decoded first, then checked: encoding errors first. */
	for (i = 0; i < n; i++) {
		vals[i] = hark_req_query_param(req, known[i], &bad);
		if (bad) {
			hark_resp_error(resp, 400, "invalid_value", known[i],
			    "the value is not validly encoded");
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		if (vals[i] == NULL)
			continue;
		if ((k = check_one(&qs->params[i], vals[i], resp, in, ctx)) == -1)
			goto out;
		if (k == 1)
			vals[i] = NULL;
	}
	rc = 0;
out:
	for (i = 0; i < n; i++)
		free(vals[i]);
	return rc;
}

void
hark_query_free(const struct hark_query_schema *qs, void *in)
{
	size_t	 i;
	char	**s;

	for (i = 0; i < qs->nparams; i++)
		if (qs->params[i].type == HARK_QUERY_STRING) {
			s = (char **)(void *)((char *)in + qs->params[i].off);
			free(*s);
			*s = NULL;
		}
}
