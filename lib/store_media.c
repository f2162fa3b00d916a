/* store_media.c: the media table as the reading path sees it: one item's file of a kind, and a page's files in one query. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "store.h"
#include "store_int.h"

#define MEDIA_COLUMNS \
	"m.id, m.feedback_id, m.kind, m.path, m.mime, m.bytes, " \
	"LOWER(HEX(m.sha256)), m.duration_ms"

/*
 * The IN list of a page is padded to one of these sizes (repeating the
 * last id), so the statement cache holds a handful of statements, not one
 * per page length.
 */
static const size_t media_list_sizes[] = { 1, 8, 32, HARK_MEDIA_LIST_MAX };

/* Fills out from MEDIA_COLUMNS starting at column c. */
static void
media_from_row(const struct hark_db_row *row, unsigned c,
    struct hark_media_row *out)
{
	memset(out, 0, sizeof(*out));
	store_copy_col(out->id, sizeof(out->id), row->vals[c]);
	store_copy_col(out->feedback_id, sizeof(out->feedback_id),
	    row->vals[c + 1]);
	store_copy_col(out->kind, sizeof(out->kind), row->vals[c + 2]);
	/* A path that does not fit is no path: its shape check fails. */
	if (row->vals[c + 3] != NULL && row->lens[c + 3] < sizeof(out->path))
		store_copy_col(out->path, sizeof(out->path), row->vals[c + 3]);
	store_copy_col(out->mime, sizeof(out->mime), row->vals[c + 4]);
	out->bytes = row->vals[c + 5] != NULL ?
	    strtoull(row->vals[c + 5], NULL, 10) : 0;
	store_copy_col(out->sha256_hex, sizeof(out->sha256_hex),
	    row->vals[c + 6]);
	out->duration_ms = row->vals[c + 7] != NULL ?
	    strtoll(row->vals[c + 7], NULL, 10) : -1;
}

struct get_ctx {
	bool			*item_found;
	bool			 media_found;
	struct hark_media_row	*out;
};

static int
get_row(void *ctx, const struct hark_db_row *row)
{
	struct get_ctx	*g = ctx;

	*g->item_found = true;
	if (row->vals[1] != NULL) {
		media_from_row(row, 1, g->out);
		g->media_found = true;
	}
	return 0;
}

/*
 * One statement tells the three cases apart: no item (no row), an item
 * without that media (a row of NULLs past the first column), the media.
 */
int
hark_store_media_get(struct hark_db *db, const char *project_id,
    const char *feedback_id, const char *kind, bool *item_found,
    struct hark_media_row *out)
{
	struct hark_db_val	 a[] = {
		HARK_DB_CSTR(kind), HARK_DB_CSTR(project_id),
		HARK_DB_CSTR(feedback_id)
	};
	struct get_ctx		 g = { item_found, false, out };
	int			 rc;

	*item_found = false;
	memset(out, 0, sizeof(*out));
	rc = store_query(db, "SELECT f.id, " MEDIA_COLUMNS " FROM feedback f "
	    "LEFT JOIN media m ON m.feedback_id = f.id AND "
	    "m.project_id = f.project_id AND m.kind = ? "
	    "WHERE f.project_id = ? AND f.id = ?", a, NARGS(a), get_row, &g);
	if (rc != HARK_STORE_OK)
		return rc;
	return g.media_found ? HARK_STORE_OK : HARK_STORE_NOT_FOUND;
}

struct list_ctx {
	hark_media_row_fn	 fn;
	void			*ctx;
};

static int
list_row(void *ctx, const struct hark_db_row *row)
{
	struct list_ctx		*lc = ctx;
	struct hark_media_row	 m;

	media_from_row(row, 0, &m);
	return lc->fn(lc->ctx, &m);
}

int
hark_store_media_list(struct hark_db *db, const char *project_id,
    const char *const *ids, size_t n, hark_media_row_fn fn, void *ctx)
{
	static const char	 head[] = "SELECT " MEDIA_COLUMNS " FROM media m "
	    "WHERE m.project_id = ? AND m.feedback_id IN (";
	static const char	 tail[] = ") ORDER BY m.feedback_id, m.kind";
	struct hark_db_val	 a[1 + HARK_MEDIA_LIST_MAX];
	struct list_ctx		 lc = { fn, ctx };
	char			 sql[sizeof(head) + 3 * HARK_MEDIA_LIST_MAX +
				     sizeof(tail)];
	size_t			 i, padded = 0, len;

	if (n == 0)
		return HARK_STORE_OK;
	for (i = 0; i < NARGS(media_list_sizes); i++)
		if (media_list_sizes[i] >= n) {
			padded = media_list_sizes[i];
			break;
		}
	if (padded == 0)
		return HARK_STORE_ERROR;
	a[0] = HARK_DB_CSTR(project_id);
	memcpy(sql, head, sizeof(head) - 1);
	len = sizeof(head) - 1;
	for (i = 0; i < padded; i++) {
		a[1 + i] = HARK_DB_CSTR(ids[i < n ? i : n - 1]);
		memcpy(sql + len, i == 0 ? "?" : ", ?", i == 0 ? 1 : 3);
		len += i == 0 ? 1 : 3;
	}
	memcpy(sql + len, tail, sizeof(tail));
	return store_query(db, sql, a, 1 + padded, list_row, &lc);
}
