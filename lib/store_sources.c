/* store_sources.c: widget sources made, read, changed and deleted whole (harkctl source, the widget flow). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cors.h"
#include "db.h"
#include "keys.h"
#include "store.h"
#include "store_int.h"

/*
 * The public key is stored as the lower-case hex of its SHA-256 (like a
 * secret key's hash, but as the column's text): printed once by harkctl
 * source create and never kept in clear, so a database dump hands out no
 * key.  Columns in source_fill's order.
 */
/* The single-source reads carry the secret; a listing never does. */
#define SOURCE_SELECT_ONE	"SELECT s.id, s.project_id, s.type, s.name, " \
	"CONCAT('sha256:', LEFT(s.public_key, 12)), s.require_captcha, " \
	"s.captcha_provider, s.captcha_sitekey, s.captcha_secret, s.rate_limit, " \
	"s.dedup_window, p.rate_limit, s.created_at, s.disabled_at " \
	"FROM sources s JOIN projects p ON p.id = s.project_id "
#define SOURCE_SELECT_LIST	"SELECT s.id, s.project_id, s.type, s.name, " \
	"CONCAT('sha256:', LEFT(s.public_key, 12)), s.require_captcha, " \
	"s.captcha_provider, s.captcha_sitekey, " \
	"IF(s.captcha_secret IS NULL, NULL, ''), s.rate_limit, " \
	"s.dedup_window, p.rate_limit, s.created_at, s.disabled_at " \
	"FROM sources s JOIN projects p ON p.id = s.project_id "

static const char *const captcha_names[] = {
	[HARK_CAPTCHA_HCAPTCHA] = "hcaptcha",
	[HARK_CAPTCHA_TURNSTILE] = "turnstile",
};

const char *
hark_captcha_provider_name(enum hark_captcha_provider p)
{
	if (p == HARK_CAPTCHA_HCAPTCHA || p == HARK_CAPTCHA_TURNSTILE)
		return captcha_names[p];
	return NULL;
}

int
hark_captcha_provider_parse(const char *name, enum hark_captcha_provider *out)
{
	if (name == NULL)
		return -1;
	if (strcmp(name, "hcaptcha") == 0)
		*out = HARK_CAPTCHA_HCAPTCHA;
	else if (strcmp(name, "turnstile") == 0)
		*out = HARK_CAPTCHA_TURNSTILE;
	else
		return -1;
	return 0;
}

static unsigned
col_uint(const char *v)
{
	return v != NULL ? (unsigned)strtoul(v, NULL, 10) : 0;
}

static int
source_fill(void *ctx, const struct hark_db_row *row)
{
	struct hark_source	*s = ctx;
	enum hark_captcha_provider p = HARK_CAPTCHA_NONE;

	memset(s, 0, sizeof(*s));
	store_copy_col(s->id, sizeof(s->id), row->vals[0]);
	store_copy_col(s->project_id, sizeof(s->project_id), row->vals[1]);
	store_copy_col(s->type, sizeof(s->type), row->vals[2]);
	store_copy_col(s->name, sizeof(s->name), row->vals[3]);
	store_copy_col(s->key_fingerprint, sizeof(s->key_fingerprint),
	    row->vals[4]);
	s->require_captcha = row->vals[5] != NULL && row->vals[5][0] == '1';
	if (hark_captcha_provider_parse(row->vals[6], &p) == 0)
		s->captcha_provider = p;
	store_copy_col(s->captcha_sitekey, sizeof(s->captcha_sitekey),
	    row->vals[7]);
	store_copy_col(s->captcha_secret, sizeof(s->captcha_secret),
	    row->vals[8]);
	s->rate_limit = col_uint(row->vals[9]);
	s->dedup_window = col_uint(row->vals[10]);
	s->project_rate_limit = col_uint(row->vals[11]);
	store_copy_col(s->created_at, sizeof(s->created_at), row->vals[12]);
	store_copy_col(s->disabled_at, sizeof(s->disabled_at), row->vals[13]);
	s->disabled = row->vals[13] != NULL;
	return 1;
}

static int
source_get(struct hark_db *db, const char *where, struct hark_db_val v,
    struct hark_source *out)
{
	char	 sql[STORE_SQL_MAX];
	int	 rc;

	snprintf(sql, sizeof(sql), "%s%s", SOURCE_SELECT_ONE, where);
	memset(out, 0, sizeof(*out));
	rc = store_query(db, sql, &v, 1, source_fill, out);
	if (rc == 1)
		return HARK_STORE_OK;
	return rc == HARK_STORE_OK ? HARK_STORE_NOT_FOUND : rc;
}

int
hark_store_source_get(struct hark_db *db, const char *id,
    struct hark_source *out)
{
	return source_get(db, "WHERE s.id = ?", HARK_DB_CSTR(id), out);
}

int
hark_store_source_get_by_key(struct hark_db *db,
    const unsigned char hash[HARK_KEY_HASH_LEN], struct hark_source *out)
{
	char	 hex[2 * HARK_KEY_HASH_LEN + 1];

	hark_hex_encode(hash, HARK_KEY_HASH_LEN, hex);
	return source_get(db, "WHERE s.public_key = ?",
	    HARK_DB_STR(hex, 2 * HARK_KEY_HASH_LEN), out);
}

/* NULL for "" and 0: the column's "not set" / "the configured default". */
static struct hark_db_val
opt_cstr(const char *s)
{
	return s != NULL && s[0] != '\0' ? HARK_DB_CSTR(s) : HARK_DB_NULLV;
}

static struct hark_db_val
opt_uint(unsigned v)
{
	return v != 0 ? HARK_DB_INT(v) : HARK_DB_NULLV;
}

struct source_tx {
	const struct hark_source	*src;
	const char			*key_hex;	/* insert only */
	const char *const		*origins;	/* NULL: keep them */
	size_t				 norigins;
};

static int
origins_replace(struct hark_db *db, const struct source_tx *t, bool clear)
{
	struct hark_db_val	 a[2] = { HARK_DB_CSTR(t->src->id) };
	size_t			 i;
	int			 rc;

	/* This process sees the new list at once, others within the TTL. */
	hark_cors_cache_forget(HARK_CORS_SOURCE, t->src->id);
	if (clear && (rc = hark_db_exec(db, "DELETE FROM source_origins "
	    "WHERE source_id = ?", a, 1, NULL)) != HARK_DB_OK)
		return rc;
	for (i = 0; i < t->norigins; i++) {
		a[1] = HARK_DB_CSTR(t->origins[i]);
		/* The same pattern twice in the list is one row. */
		rc = hark_db_exec(db, "INSERT IGNORE INTO source_origins "
		    "(source_id, pattern) VALUES (?, ?)", a, 2, NULL);
		if (rc != HARK_DB_OK)
			return rc;
	}
	return HARK_DB_OK;
}

static int
insert_tx(struct hark_db *db, void *ctx)
{
	const struct source_tx		*t = ctx;
	const struct hark_source	*s = t->src;
	struct hark_db_val		 a[] = {
		HARK_DB_CSTR(s->id), HARK_DB_CSTR(s->project_id),
		HARK_DB_CSTR(t->key_hex), HARK_DB_CSTR(s->type),
		HARK_DB_CSTR(s->name), HARK_DB_INT(s->require_captcha),
		opt_cstr(hark_captcha_provider_name(s->captcha_provider)),
		opt_cstr(s->captcha_sitekey), opt_cstr(s->captcha_secret),
		opt_uint(s->rate_limit), opt_uint(s->dedup_window)
	};
	int				 rc;

	rc = hark_db_exec(db, "INSERT INTO sources (id, project_id, public_key, "
	    "type, name, require_captcha, captcha_provider, captcha_sitekey, "
	    "captcha_secret, rate_limit, dedup_window) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", a, NARGS(a), NULL);
	if (rc != HARK_DB_OK)
		return rc;
	return origins_replace(db, t, false);
}

int
hark_store_source_insert(struct hark_db *db, const struct hark_source *src,
    const char *public_key, const char *const *origins, size_t norigins)
{
	unsigned char		 hash[HARK_KEY_HASH_LEN];
	char			 hex[2 * HARK_KEY_HASH_LEN + 1];
	struct source_tx	 t = { src, hex, origins, norigins };
	struct hark_source	 again;
	int			 rc;

	if (hark_key_hash(public_key, strlen(public_key), hash) == -1)
		return HARK_STORE_ERROR;
	hark_hex_encode(hash, sizeof(hash), hex);
	rc = store_rc(hark_db_tx(db, insert_tx, &t));
	/*
	 * A COMMIT whose answer was lost is retried whole and meets its own
	 * row: the id is random, so a row with it and this key is ours.
	 */
	if (rc == HARK_STORE_DUPLICATE &&
	    hark_store_source_get_by_key(db, hash, &again) == HARK_STORE_OK &&
	    strcmp(again.id, src->id) == 0)
		rc = HARK_STORE_OK;
	explicit_bzero(&again, sizeof(again));
	return rc;
}

static int
update_tx(struct hark_db *db, void *ctx)
{
	const struct source_tx		*t = ctx;
	const struct hark_source	*s = t->src;
	struct hark_db_val		 a[] = {
		HARK_DB_CSTR(s->type), HARK_DB_CSTR(s->name),
		HARK_DB_INT(s->require_captcha),
		opt_cstr(hark_captcha_provider_name(s->captcha_provider)),
		opt_cstr(s->captcha_sitekey), opt_cstr(s->captcha_secret),
		opt_uint(s->rate_limit), opt_uint(s->dedup_window),
		HARK_DB_CSTR(s->id)
	};
	unsigned long long		 affected = 0;
	int				 rc;

	/* Matched rows are counted (CLIENT_FOUND_ROWS): 0 is no source. */
	rc = hark_db_exec(db, "UPDATE sources SET type = ?, name = ?, "
	    "require_captcha = ?, captcha_provider = ?, captcha_sitekey = ?, "
	    "captcha_secret = ?, rate_limit = ?, dedup_window = ? "
	    "WHERE id = ?", a, NARGS(a), &affected);
	if (rc != HARK_DB_OK)
		return rc;
	if (affected == 0)
		return HARK_STORE_NOT_FOUND;
	return t->origins != NULL ? origins_replace(db, t, true) : HARK_DB_OK;
}

int
hark_store_source_update(struct hark_db *db, const struct hark_source *src,
    const char *const *origins, size_t norigins)
{
	struct source_tx	 t = { src, NULL, origins, norigins };

	return store_rc(hark_db_tx(db, update_tx, &t));
}

int
hark_store_source_set_disabled(struct hark_db *db, const char *id,
    bool disabled)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(id) };

	/* An already disabled source keeps the time it was disabled. */
	return store_exec_found(db, disabled ?
	    "UPDATE sources SET disabled_at = COALESCE(disabled_at, "
	    "UTC_TIMESTAMP(6)) WHERE id = ?" :
	    "UPDATE sources SET disabled_at = NULL WHERE id = ?", a, NARGS(a));
}

int
hark_store_source_delete(struct hark_db *db, const char *id)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(id) };

	return store_exec_found(db, "DELETE FROM sources WHERE id = ?", a,
	    NARGS(a));
}

struct each_ctx {
	hark_source_each_fn	 fn;
	void			*ctx;
	struct hark_source	 s;
};

static int
each_row(void *ctx, const struct hark_db_row *row)
{
	struct each_ctx	*ec = ctx;

	source_fill(&ec->s, row);
	return ec->fn(ec->ctx, &ec->s);
}

int
hark_store_source_each(struct hark_db *db, const char *project_id,
    hark_source_each_fn fn, void *ctx)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(project_id) };
	struct each_ctx		*ec;
	int			 rc;

	if ((ec = calloc(1, sizeof(*ec))) == NULL)
		return HARK_STORE_NOMEM;
	ec->fn = fn;
	ec->ctx = ctx;
	rc = store_query(db, SOURCE_SELECT_LIST "WHERE s.project_id = ? "
	    "ORDER BY s.created_at, s.id", a, NARGS(a), each_row, ec);
	free(ec);
	return rc;
}
