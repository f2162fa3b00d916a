/* store_webhooks.c: webhook endpoints made, listed, removed and re-keyed, and their delivery log (harkctl webhook, hark-batch's webhook job). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "db.h"
#include "store.h"
#include "store_int.h"

static int
webhook_fill(struct hark_webhook *w, const struct hark_db_row *row,
    int with_secret)
{
	memset(w, 0, sizeof(*w));
	store_copy_col(w->id, sizeof(w->id), row->vals[0]);
	store_copy_col(w->project_id, sizeof(w->project_id), row->vals[1]);
	store_copy_col(w->url, sizeof(w->url), row->vals[2]);
	store_copy_col(w->events, sizeof(w->events), row->vals[3]);
	store_copy_col(w->created_at, sizeof(w->created_at), row->vals[4]);
	if (with_secret && row->vals[5] != NULL) {
		if (row->lens[5] > sizeof(w->secret))
			return -1;
		memcpy(w->secret, row->vals[5], row->lens[5]);
		w->secret_len = row->lens[5];
	}
	return 0;
}

int
hark_store_webhook_insert(struct hark_db *db, const struct hark_webhook *w)
{
	struct hark_db_val	 a[] = {
		HARK_DB_CSTR(w->id), HARK_DB_CSTR(w->project_id),
		HARK_DB_CSTR(w->url), HARK_DB_CSTR(w->events),
		HARK_DB_STR((const char *)w->secret, w->secret_len)
	};

	return store_exec(db, "INSERT INTO webhooks (id, project_id, url, "
	    "events, secret, created_at, updated_at) VALUES (?, ?, ?, ?, ?, "
	    "UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))", a, NARGS(a), NULL);
}

static int
get_row(void *ctx, const struct hark_db_row *row)
{
	return webhook_fill(ctx, row, 1) == 0 ? 1 : HARK_STORE_ERROR;
}

int
hark_store_webhook_get(struct hark_db *db, const char *id,
    struct hark_webhook *out)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(id) };
	int			 rc;

	memset(out, 0, sizeof(*out));
	rc = store_query(db, "SELECT id, project_id, url, events, created_at, "
	    "secret FROM webhooks WHERE id = ?", a, NARGS(a), get_row, out);
	if (rc == 1)
		return HARK_STORE_OK;
	if (rc != HARK_STORE_OK)
		OPENSSL_cleanse(out, sizeof(*out));
	return rc == HARK_STORE_OK ? HARK_STORE_NOT_FOUND : rc;
}

struct each_ctx {
	hark_webhook_fn		 fn;
	void			*ctx;
	struct hark_webhook	 w;
};

static int
each_row(void *ctx, const struct hark_db_row *row)
{
	struct each_ctx	*e = ctx;

	webhook_fill(&e->w, row, 0);
	return e->fn(e->ctx, &e->w);
}

int
hark_store_webhook_each(struct hark_db *db, const char *project_id,
    hark_webhook_fn fn, void *ctx)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(project_id) };
	struct each_ctx		*e;
	int			 rc;

	/* A URL is up to 2 kB: the row is not for the stack. */
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return HARK_STORE_NOMEM;
	e->fn = fn;
	e->ctx = ctx;
	rc = store_query(db, "SELECT id, project_id, url, events, created_at "
	    "FROM webhooks WHERE project_id = ? ORDER BY created_at, id", a,
	    NARGS(a), each_row, e);
	free(e);
	return rc;
}

int
hark_store_webhook_delete(struct hark_db *db, const char *id)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(id) };

	return store_exec_found(db, "DELETE FROM webhooks WHERE id = ?", a,
	    NARGS(a));
}

int
hark_store_webhook_set_secret(struct hark_db *db, const char *id,
    const unsigned char *secret, size_t len)
{
	struct hark_db_val	 a[] = {
		HARK_DB_STR((const char *)secret, len), HARK_DB_CSTR(id)
	};

	return store_exec_found(db, "UPDATE webhooks SET secret = ?, "
	    "updated_at = UTC_TIMESTAMP(6) WHERE id = ?", a, NARGS(a));
}

/* Columns in delivery_fill's order; payload last, for the get only. */
#define DELIVERY_COLS	"id, webhook_id, project_id, feedback_id, event, " \
	"status, attempts, last_status, last_error, created_at, updated_at, " \
	"delivered_at"

static void
delivery_fill(struct hark_webhook_delivery *d, const struct hark_db_row *row)
{
	memset(d, 0, sizeof(*d));
	store_copy_col(d->id, sizeof(d->id), row->vals[0]);
	store_copy_col(d->webhook_id, sizeof(d->webhook_id), row->vals[1]);
	store_copy_col(d->project_id, sizeof(d->project_id), row->vals[2]);
	store_copy_col(d->feedback_id, sizeof(d->feedback_id), row->vals[3]);
	store_copy_col(d->event, sizeof(d->event), row->vals[4]);
	store_copy_col(d->status, sizeof(d->status), row->vals[5]);
	d->attempts = row->vals[6] != NULL ?
	    (unsigned)strtoul(row->vals[6], NULL, 10) : 0;
	d->last_status = row->vals[7] != NULL ? atoi(row->vals[7]) : 0;
	store_copy_col(d->last_error, sizeof(d->last_error), row->vals[8]);
	store_copy_col(d->created_at, sizeof(d->created_at), row->vals[9]);
	store_copy_col(d->updated_at, sizeof(d->updated_at), row->vals[10]);
	store_copy_col(d->delivered_at, sizeof(d->delivered_at), row->vals[11]);
}

static int
delivery_row(void *ctx, const struct hark_db_row *row)
{
	struct hark_webhook_delivery	*d = ctx;

	delivery_fill(d, row);
	if ((d->payload = store_dup_col(row, 12, &d->payload_len)) == NULL)
		return HARK_STORE_NOMEM;
	return 1;
}

int
hark_store_webhook_delivery_get(struct hark_db *db, const char *id,
    struct hark_webhook_delivery *out)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(id) };
	int			 rc;

	memset(out, 0, sizeof(*out));
	rc = store_query(db, "SELECT " DELIVERY_COLS ", payload FROM "
	    "webhook_deliveries WHERE id = ?", a, NARGS(a), delivery_row, out);
	if (rc == 1)
		return HARK_STORE_OK;
	hark_webhook_delivery_clear(out);
	return rc == HARK_STORE_OK ? HARK_STORE_NOT_FOUND : rc;
}

void
hark_webhook_delivery_clear(struct hark_webhook_delivery *d)
{
	free(d->payload);
	d->payload = NULL;
	d->payload_len = 0;
}

int
hark_store_webhook_delivery_attempt(struct hark_db *db, const char *id,
    bool delivered, int http_status, const char *error)
{
	struct hark_db_val	 a[] = {
		HARK_DB_INT(delivered ? 1 : 0), HARK_DB_INT(delivered ? 1 : 0),
		http_status > 0 ? HARK_DB_INT(http_status) : HARK_DB_NULLV,
		error != NULL ? HARK_DB_STR(error, strnlen(error, 512)) :
		    HARK_DB_NULLV,
		HARK_DB_CSTR(id)
	};

	/* A retried UPDATE after a lost connection may find nothing pending:
	 * store_exec_found takes that as done. */
	return store_exec_found(db, "UPDATE webhook_deliveries SET "
	    "status = IF(? = 1, 'delivered', status), "
	    "delivered_at = IF(? = 1, UTC_TIMESTAMP(6), delivered_at), "
	    "attempts = LEAST(attempts + 1, 65535), last_status = ?, "
	    "last_error = ?, updated_at = UTC_TIMESTAMP(6) "
	    "WHERE id = ? AND status = 'pending'", a, NARGS(a));
}

int
hark_store_webhook_delivery_fail(struct hark_db *db, const char *id,
    const char *error)
{
	struct hark_db_val	 a[] = {
		error != NULL ? HARK_DB_STR(error, strnlen(error, 512)) :
		    HARK_DB_NULLV,
		HARK_DB_CSTR(id)
	};

	return store_exec_found(db, "UPDATE webhook_deliveries SET "
	    "status = 'failed', last_error = COALESCE(last_error, ?), "
	    "updated_at = UTC_TIMESTAMP(6) "
	    "WHERE id = ? AND status = 'pending'", a, NARGS(a));
}

struct delivery_each {
	hark_webhook_delivery_fn	 fn;
	void				*ctx;
};

static int
delivery_each_row(void *ctx, const struct hark_db_row *row)
{
	struct delivery_each		*e = ctx;
	struct hark_webhook_delivery	 d;

	delivery_fill(&d, row);
	return e->fn(e->ctx, &d);
}

int
hark_store_webhook_delivery_each(struct hark_db *db, const char *project_id,
    const char *webhook_id, const char *status, unsigned limit,
    hark_webhook_delivery_fn fn, void *ctx)
{
	struct delivery_each	 e = { fn, ctx };
	struct store_sql	 b;

	if ((project_id == NULL) == (webhook_id == NULL))
		return HARK_STORE_ERROR;
	store_sql_init(&b);
	store_sql_add(&b, "SELECT " DELIVERY_COLS " FROM webhook_deliveries ");
	if (project_id != NULL)
		store_sql_filter(&b, "WHERE project_id = ?",
		    HARK_DB_CSTR(project_id));
	else
		store_sql_filter(&b, "WHERE webhook_id = ?",
		    HARK_DB_CSTR(webhook_id));
	if (status != NULL)
		store_sql_filter(&b, " AND status = ?", HARK_DB_CSTR(status));
	store_sql_filter(&b, " ORDER BY created_at DESC, id DESC LIMIT ?",
	    HARK_DB_INT(limit));
	return store_sql_query(db, &b, delivery_each_row, &e);
}
