/*
 * query.h: the query string as a declared table, like a body schema: each
 * parameter has a type, its limits and the offset of its typed member, and
 * one engine refuses what does not fit (400 naming the parameter) before
 * the handler runs.  A parameter that is not in the table is 400
 * unknown_parameter, so a misspelt filter never silently matches all.
 */
#ifndef HARK_QUERY_H
#define HARK_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include "timestamp.h"

struct hark_req;
struct hark_resp;

enum hark_query_type {
	/* char *, malloc'ed (freed by hark_query_free); min/max characters
	 * (0 = no bound) of valid UTF-8. */
	HARK_QUERY_STRING,
	/* const char *: the entry of one_of equal to the value (static). */
	HARK_QUERY_ENUM,
	/* long long, def when absent; min..max. */
	HARK_QUERY_INT,
	/* struct hark_query_time: an RFC 3339 date-time as a DATETIME(6). */
	HARK_QUERY_RFC3339,
	/* Whatever decode fills at off (ctx: the caller's, such as the
	 * struct hark_call): 0, or -1 to refuse the value. */
	HARK_QUERY_CURSOR
};

struct hark_query_time {
	bool	 set;
	char	 db[HARK_TS_DB_SIZE];	/* UTC, as the store compares it */
};

struct hark_query_param {
	const char		*name;
	enum hark_query_type	 type;
	size_t			 off;	/* offsetof(typed struct, member) */
	const char *const	*one_of;	/* ENUM: NULL-terminated */
	long long		 min, max;
	long long		 def;		/* INT */
	int			(*decode)(const char *value, void *out,
				    const void *ctx);
};

struct hark_query_schema {
	const struct hark_query_param	*params;
	size_t				 nparams;
	size_t				 size;	/* of the typed struct */
	/* For the unknown_parameter message: "a, b and c". */
	const char			*takes;
};

#define HARK_QUERY_NPARAMS(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Fills in (schema->size bytes) from req's query; ctx goes to decoders.  Returns 0, or -1 with a
 * 400 (or a 500 when memory runs out) in resp; in is to be given to
 * hark_query_free either way.
 */
int	hark_query_parse(const struct hark_query_schema *,
	    const struct hark_req *, struct hark_resp *, void *in,
	    const void *ctx);
/* Frees what hark_query_parse allocated in in (not in itself). */
void	hark_query_free(const struct hark_query_schema *, void *in);

#endif
