/*
 * store_projects.c: the tenant tables: projects, their secret keys, widget
 * sources, CORS origins and the audit trail.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cors.h"
#include "db.h"
#include "keys.h"
#include "store.h"
#include "store_int.h"

/* ---- projects ---- */

int
hark_store_project_create(struct hark_db *db, const char *id, const char *name)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(id), HARK_DB_CSTR(name) };

	return store_exec(db, "INSERT INTO projects (id, name) VALUES (?, ?)",
	    a, NARGS(a), NULL);
}

int
hark_store_project_delete(struct hark_db *db, const char *id)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(id) };

	/* Keys, sources, feedback and what hangs off them: ON DELETE CASCADE. */
	return store_exec_found(db, "DELETE FROM projects WHERE id = ?", a,
	    NARGS(a));
}

int
hark_store_project_exists(struct hark_db *db, const char *id)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(id) };
	int			 found = 0, rc;

	rc = store_query(db, "SELECT 1 FROM projects WHERE id = ?", a,
	    NARGS(a), store_found_row, &found);
	if (rc != HARK_DB_OK)
		return rc;
	return found ? HARK_DB_OK : HARK_STORE_NOTFOUND;
}

struct project_ctx {
	hark_project_fn	 fn;
	void		*ctx;
};

static int
project_row(void *ctx, const struct hark_db_row *row)
{
	struct project_ctx	*pc = ctx;

	return pc->fn(pc->ctx, row->vals[0], row->vals[1], row->vals[2],
	    row->vals[3] ? atoll(row->vals[3]) : 0);
}

int
hark_store_project_list(struct hark_db *db, hark_project_fn fn, void *ctx)
{
	struct project_ctx	 pc = { fn, ctx };

	return store_query(db,
	    "SELECT p.id, p.name, p.created_at, "
	    "(SELECT COUNT(*) FROM api_keys k WHERE k.project_id = p.id "
	    "AND k.revoked_at IS NULL) FROM projects p "
	    "ORDER BY p.created_at, p.id", NULL, 0, project_row, &pc);
}

int
hark_store_project_set_retention(struct hark_db *db, const char *id,
    unsigned days)
{
	struct hark_db_val	 a[] = {
		days ? HARK_DB_INT(days) : HARK_DB_NULLV, HARK_DB_CSTR(id) };
	int			 rc;

	if ((rc = hark_store_project_exists(db, id)) != HARK_DB_OK)
		return rc;
	return store_exec(db, "UPDATE projects SET retention_days = ? WHERE "
	    "id = ?", a, NARGS(a), NULL);
}

int
hark_store_project_set_rate_limit(struct hark_db *db, const char *id,
    unsigned limit)
{
	struct hark_db_val	 a[] = {
		limit ? HARK_DB_INT(limit) : HARK_DB_NULLV, HARK_DB_CSTR(id) };
	int			 rc;

	/* affected is 0 when the value does not change: check existence. */
	if ((rc = hark_store_project_exists(db, id)) != HARK_DB_OK)
		return rc;
	return store_exec(db, "UPDATE projects SET rate_limit = ? WHERE id = ?",
	    a, NARGS(a), NULL);
}

int
hark_store_origin_add(struct hark_db *db, const char *project_id,
    const char *pattern)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(project_id),
				    HARK_DB_CSTR(pattern) };

	int			 rc;

	/* No row inserted is a pattern already there. */
	rc = store_exec_found(db, "INSERT IGNORE INTO project_origins "
	    "(project_id, pattern) VALUES (?, ?)", a, NARGS(a));
	hark_cors_cache_forget(HARK_CORS_PROJECT, project_id);
	return rc == HARK_STORE_NOT_FOUND ? HARK_STORE_DUPLICATE : rc;
}

int
hark_store_origin_remove(struct hark_db *db, const char *project_id,
    const char *pattern)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(project_id),
				    HARK_DB_CSTR(pattern) };

	hark_cors_cache_forget(HARK_CORS_PROJECT, project_id);
	return store_exec_found(db, "DELETE FROM project_origins WHERE project_id = ? "
	    "AND pattern = ?", a, NARGS(a));
}

/* The rows of one allowlist, NUL-terminated back to back. */
struct origin_rows {
	struct hark_buf	 blob;
	size_t		 n;
	int		 nomem;
};

static int
origin_row(void *ctx, const struct hark_db_row *row)
{
	struct origin_rows	*o = ctx;

	if (hark_buf_append(&o->blob, row->vals[0], strlen(row->vals[0]) + 1) ==
	    -1) {
		o->nomem = 1;
		return 1;
	}
	o->n++;
	return 0;
}

/*
 * An allowlist, from this process's cache when it is fresh (cors.h: a
 * browser request would otherwise cost a query each), else read and kept.
 * fn sees every pattern in order, from either.
 */
static int
origin_list(struct hark_db *db, enum hark_cors_owner kind, const char *sql,
    const char *owner, hark_origin_fn fn, void *ctx)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(owner) };
	struct origin_rows	 o = { { NULL, 0, 0 }, 0, 0 };
	const char		*p;
	size_t			 i, n;
	long			 now = hark_cors_cache_now();
	int			 rc = HARK_STORE_OK;

	if (!hark_cors_cache_get(kind, owner, now, &p, &n)) {
		rc = store_query(db, sql, a, NARGS(a), origin_row, &o);
		if (o.nomem)
			rc = HARK_STORE_NOMEM;
		if (rc != HARK_STORE_OK)
			goto out;
		hark_cors_cache_put(kind, owner, now, o.blob.data, o.blob.len,
		    o.n);
		p = o.blob.data;
		n = o.n;
	}
	for (i = 0; i < n; i++, p += strlen(p) + 1)
		if (fn(ctx, p) != 0)
			break;
out:
	hark_buf_free(&o.blob);
	return rc;
}

int
hark_store_origin_list(struct hark_db *db, const char *project_id,
    hark_origin_fn fn, void *ctx)
{
	return origin_list(db, HARK_CORS_PROJECT, "SELECT pattern FROM "
	    "project_origins WHERE project_id = ? ORDER BY pattern",
	    project_id, fn, ctx);
}

/* ---- keys ---- */

int
hark_store_key_create(struct hark_db *db, const char *id,
    const char *project_id, const char *name, const char *prefix,
    const unsigned char hash[HARK_KEY_HASH_LEN])
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(id), HARK_DB_CSTR(project_id),
				    HARK_DB_CSTR(name), HARK_DB_CSTR(prefix),
				    HARK_DB_STR((const char *)hash, HARK_KEY_HASH_LEN) };

	return store_exec(db, "INSERT INTO api_keys "
	    "(id, project_id, name, prefix, key_hash) VALUES (?, ?, ?, ?, ?)",
	    a, NARGS(a), NULL);
}

static int
key_row(void *ctx, const struct hark_db_row *row)
{
	struct hark_key_info	*k = ctx;

	store_copy_col(k->id, sizeof(k->id), row->vals[0]);
	store_copy_col(k->project_id, sizeof(k->project_id), row->vals[1]);
	if (row->vals[2] != NULL && row->lens[2] == HARK_KEY_HASH_LEN)
		memcpy(k->hash, row->vals[2], HARK_KEY_HASH_LEN);
	k->revoked = row->vals[3] != NULL;
	k->last_used = row->vals[4] ? atoll(row->vals[4]) : 0;
	k->key_limit = row->vals[5] ? (unsigned)atol(row->vals[5]) : 0;
	k->project_limit = row->vals[6] ? (unsigned)atol(row->vals[6]) : 0;
	return 1;
}

int
hark_store_key_lookup(struct hark_db *db,
    const unsigned char hash[HARK_KEY_HASH_LEN], struct hark_key_info *out)
{
	struct hark_db_val	 a[] = {
		HARK_DB_STR((const char *)hash, HARK_KEY_HASH_LEN) };
	int			 rc;

	memset(out, 0, sizeof(*out));
	rc = store_query(db,
	    "SELECT k.id, k.project_id, k.key_hash, k.revoked_at, "
	    "UNIX_TIMESTAMP(k.last_used_at), COALESCE(k.rate_limit, p.rate_limit), "
	    "p.rate_limit "
	    "FROM api_keys k JOIN projects p ON p.id = k.project_id "
	    "WHERE k.key_hash = ?", a, NARGS(a), key_row, out);
	if (rc == 1)
		return HARK_DB_OK;
	return rc == HARK_DB_OK ? HARK_STORE_NOTFOUND : rc;
}

int
hark_store_key_touch(struct hark_db *db, const char *key_id)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(key_id) };

	/* NOTFOUND when another worker stamped it first. */
	return store_exec_found(db, "UPDATE api_keys SET last_used_at = UTC_TIMESTAMP(6) "
	    "WHERE id = ? AND (last_used_at IS NULL OR "
	    "last_used_at < UTC_TIMESTAMP(6) - INTERVAL 1 MINUTE)",
	    a, NARGS(a));
}

int
hark_store_key_revoke(struct hark_db *db, const char *key_id)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(key_id) };

	return store_exec_found(db, "UPDATE api_keys SET revoked_at = UTC_TIMESTAMP(6) "
	    "WHERE id = ? AND revoked_at IS NULL", a, NARGS(a));
}

struct keylist_ctx {
	hark_key_fn	 fn;
	void		*ctx;
};

static int
keylist_row(void *ctx, const struct hark_db_row *row)
{
	struct keylist_ctx	*kc = ctx;

	return kc->fn(kc->ctx, row->vals[0], row->vals[1], row->vals[2],
	    row->vals[3], row->vals[4], row->vals[5]);
}

int
hark_store_key_list(struct hark_db *db, const char *project_id,
    hark_key_fn fn, void *ctx)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(project_id) };
	struct keylist_ctx	 kc = { fn, ctx };

	return store_query(db, "SELECT id, name, prefix, created_at, "
	    "last_used_at, revoked_at FROM api_keys WHERE project_id = ? "
	    "ORDER BY created_at, id", a, NARGS(a), keylist_row, &kc);
}

/* ---- sources ---- */

/*
 * A source's public key is stored as the lower-case hex of its SHA-256 (see
 * lib/store_sources.c, which makes and manages sources); auth looks it up.
 */
static int
source_key_row(void *ctx, const struct hark_db_row *row)
{
	struct hark_key_info	*k = ctx;
	size_t			 i;
	unsigned		 byte;

	store_copy_col(k->id, sizeof(k->id), row->vals[0]);
	store_copy_col(k->project_id, sizeof(k->project_id), row->vals[1]);
	/* A malformed column leaves the hash zero: it matches no key. */
	if (row->vals[2] != NULL && row->lens[2] == 2 * HARK_KEY_HASH_LEN)
		for (i = 0; i < HARK_KEY_HASH_LEN; i++) {
			if (sscanf(row->vals[2] + 2 * i, "%2x", &byte) != 1) {
				memset(k->hash, 0, sizeof(k->hash));
				break;
			}
			k->hash[i] = (unsigned char)byte;
		}
	k->revoked = row->vals[3] != NULL;
	k->key_limit = row->vals[4] ? (unsigned)atol(row->vals[4]) : 0;
	k->project_limit = row->vals[5] ? (unsigned)atol(row->vals[5]) : 0;
	return 1;
}

int
hark_store_source_lookup(struct hark_db *db,
    const unsigned char hash[HARK_KEY_HASH_LEN], struct hark_key_info *out)
{
	char			 hex[2 * HARK_KEY_HASH_LEN + 1];
	struct hark_db_val	 a[] = { HARK_DB_STR(hex, 2 * HARK_KEY_HASH_LEN) };
	int			 rc;

	memset(out, 0, sizeof(*out));
	hark_hex_encode(hash, HARK_KEY_HASH_LEN, hex);
	rc = store_query(db,
	    "SELECT s.id, s.project_id, s.public_key, s.disabled_at, "
	    "s.rate_limit, p.rate_limit "
	    "FROM sources s JOIN projects p ON p.id = s.project_id "
	    "WHERE s.public_key = ?", a, NARGS(a), source_key_row, out);
	if (rc == 1)
		return HARK_DB_OK;
	return rc == HARK_DB_OK ? HARK_STORE_NOTFOUND : rc;
}

int
hark_store_source_origin_list(struct hark_db *db, const char *source_id,
    hark_origin_fn fn, void *ctx)
{
	return origin_list(db, HARK_CORS_SOURCE, "SELECT pattern FROM "
	    "source_origins WHERE source_id = ? ORDER BY pattern", source_id,
	    fn, ctx);
}

int
store_audit_row(struct hark_db *db, const char *project_id,
    const char *key_id, const char *action, const char *remote_addr,
    const char *detail)
{
	struct hark_db_val	 a[] = {
		project_id ? HARK_DB_CSTR(project_id) : HARK_DB_NULLV,
		key_id ? HARK_DB_CSTR(key_id) : HARK_DB_NULLV,
		HARK_DB_CSTR(action),
		remote_addr ? HARK_DB_STR(remote_addr, strnlen(remote_addr, 45)) :
		    HARK_DB_NULLV,
		detail ? HARK_DB_STR(detail, strnlen(detail, 1024)) : HARK_DB_NULLV
	};

	return hark_db_exec(db, "INSERT INTO audit_log (project_id, key_id, "
	    "action, remote_addr, detail, created_at) "
	    "VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(6))", a, NARGS(a), NULL);
}

int
hark_store_audit(struct hark_db *db, const char *project_id,
    const char *key_id, const char *action, const char *remote_addr,
    const char *detail)
{
	return store_rc(store_audit_row(db, project_id, key_id, action,
	    remote_addr, detail));
}

struct audit_ctx {
	hark_audit_fn	 fn;
	void		*ctx;
};

static int
audit_row(void *ctx, const struct hark_db_row *row)
{
	struct audit_ctx	*ac = ctx;
	struct hark_audit_row	 r = {
		row->vals[0] ? row->vals[0] : "", row->vals[1], row->vals[2],
		row->vals[3] ? row->vals[3] : "", row->vals[4], row->vals[5]
	};

	return ac->fn(ac->ctx, &r);
}

int
hark_store_audit_list(struct hark_db *db, const struct hark_audit_filter *f,
    hark_audit_fn fn, void *ctx)
{
	struct audit_ctx	 ac = { fn, ctx };
	struct store_sql	 b;

	store_sql_init(&b);
	store_sql_add(&b, "SELECT created_at, project_id, key_id, action, "
	    "remote_addr, detail FROM audit_log WHERE 1 = 1");
	if (f->project_id != NULL)
		store_sql_filter(&b, " AND project_id = ?",
		    HARK_DB_CSTR(f->project_id));
	if (f->action != NULL)
		store_sql_filter(&b, " AND action = ?", HARK_DB_CSTR(f->action));
	if (f->since != NULL)
		store_sql_filter(&b, " AND created_at >= ?",
		    HARK_DB_CSTR(f->since));
	store_sql_filter(&b, " ORDER BY created_at DESC, id DESC LIMIT ?",
	    HARK_DB_INT(f->limit));
	return store_sql_query(db, &b, audit_row, &ac);
}
