/* auth.c: API key authentication (secret and public keys), with its audit trail. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth.h"
#include "http.h"
#include "keys.h"
#include "log.h"
#include "store.h"

static int
fail(struct hark_auth_err *err, int status, const char *code,
    const char *field, const char *message)
{
	err->status = status;
	err->code = code;
	err->field = field;
	err->message = message;
	err->failure = status == 401;
	return -1;
}

/* Records a refusal; the audit row names the reason, never the key. */
static void
audit_failure(bool audit, struct hark_db *db, const struct hark_req *req,
    const char *project_id, const char *reason)
{
	if (!audit)
		return;
	if (hark_store_audit(db, project_id, NULL, "auth_failed",
	    req->remote_addr, reason) != HARK_STORE_OK)
		hark_log(HARK_LOG_WARN, "cannot write the audit log: %s",
		    hark_store_errmsg(db));
}

static const char *
header_alias(const struct hark_req *req, const char *name, const char *alias)
{
	const char	*v = hark_req_header(req, name);

	return v != NULL ? v : hark_req_header(req, alias);
}

/*
 * Finds the key the request presents.  Returns 0 with *key and *project
 * (NULL when no project header) set, or -1 with err filled.
 */
static int
credentials(const struct hark_req *req, const char **key,
    const char **project, struct hark_auth_err *err)
{
	const char	*authz = hark_req_header(req, "authorization");

	*project = header_alias(req, "x-hark-project", "x-earshot-project");
	*key = header_alias(req, "x-hark-key", "x-earshot-key");
	if (authz != NULL && strncasecmp(authz, "Bearer ", 7) == 0) {
		for (authz += 7; *authz == ' '; authz++)
			;
		*key = authz;
		return 0;
	}
	/* Another scheme (a proxy's Basic auth) leaves the header pair usable. */
	if (*key == NULL && authz != NULL)
		return fail(err, 401, "unauthorized", "Authorization",
		    "Authorization must be \"Bearer <secret key>\"");
	if (*key == NULL)
		return fail(err, 401, "unauthorized", NULL,
		    "an API key is required: Authorization: Bearer sk_... or "
		    "X-Hark-Project and X-Hark-Key");
	if (*project == NULL)
		return fail(err, 400, "missing_project", "X-Hark-Project",
		    "X-Hark-Key needs X-Hark-Project naming the key's project");
	return 0;
}

/*
 * Each worker trusts a key it looked up for KEY_CACHE_TTL seconds: the lookup
 * was half of the database work of every API request (see tests/bench/ingest),
 * and a revocation or a new rate limit then takes effect within that time.
 * Only keys that passed are kept; slots are chosen by the SHA-256, so an
 * entry is found by comparing whole hashes in constant time.
 */
#define KEY_CACHE_SLOTS	64
#define KEY_CACHE_TTL	2

struct key_cache_entry {
	struct hark_key_info	 info;
	time_t			 fetched;	/* CLOCK_MONOTONIC seconds */
	int			 used;
};

/* Secret keys and sources' public keys are cached apart: a hash found in
 * one table never stands for an entry of the other. */
static struct key_cache_entry	secret_cache[KEY_CACHE_SLOTS];
static struct key_cache_entry	public_cache[KEY_CACHE_SLOTS];

static time_t
mono_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static struct key_cache_entry *
key_cache_slot(struct key_cache_entry *cache,
    const unsigned char hash[HARK_KEY_HASH_LEN])
{
	return &cache[hash[0] % KEY_CACHE_SLOTS];
}

/* Fills *k from a fresh cache entry for hash; 0, or -1 when there is none. */
static int
key_cache_get(struct key_cache_entry *cache,
    const unsigned char hash[HARK_KEY_HASH_LEN], struct hark_key_info *k)
{
	struct key_cache_entry	*e = key_cache_slot(cache, hash);

	if (!e->used || !hark_key_hash_equal(hash, e->info.hash) ||
	    mono_now() - e->fetched >= KEY_CACHE_TTL)
		return -1;
	*k = e->info;
	return 0;
}

static void
key_cache_put(struct key_cache_entry *cache, const struct hark_key_info *k)
{
	struct key_cache_entry	*e = key_cache_slot(cache, k->hash);

	e->info = *k;
	e->fetched = mono_now();
	e->used = 1;
}

/* Looks the key up, in the cache or the database; a store result code. */
static int
key_lookup(struct hark_db *db, bool public,
    const unsigned char hash[HARK_KEY_HASH_LEN], struct hark_key_info *k)
{
	struct key_cache_entry	*cache = public ? public_cache : secret_cache;
	int			 rc;

	if (key_cache_get(cache, hash, k) == 0)
		return HARK_STORE_OK;
	rc = public ? hark_store_source_lookup(db, hash, k) :
	    hark_store_key_lookup(db, hash, k);
	if (rc == HARK_STORE_OK && !k->revoked &&
	    hark_key_hash_equal(hash, k->hash))
		key_cache_put(cache, k);
	return rc;
}

int
hark_auth_key(struct hark_db *db, const struct hark_req *req, bool audit,
    bool allow_public, struct hark_principal *who, struct hark_auth_err *err)
{
	struct hark_key_info	 k;
	unsigned char		 hash[HARK_KEY_HASH_LEN];
	const char		*key, *project;
	bool			 public;
	int			 rc;

	memset(who, 0, sizeof(*who));
	if (credentials(req, &key, &project, err) == -1)
		return -1;
	public = hark_key_looks_public(key);
	/*
	 * A public key is in every page that embeds the widget: it may
	 * submit, never read, change or erase.  Refused before any lookup,
	 * and not a failed authentication (the key may well be valid).
	 */
	if (public && !allow_public) {
		fail(err, 401, "public_key_not_allowed", NULL,
		    "a public key (pk_...) may only submit feedback; this "
		    "request needs a secret key (sk_...)");
		err->failure = false;
		return -1;
	}
	if (!public && !hark_key_looks_secret(key)) {
		audit_failure(audit, db, req, NULL, "malformed key");
		return fail(err, 401, "invalid_key", NULL,
		    "the API key is invalid or revoked");
	}
	if (hark_key_hash(key, strlen(key), hash) == -1)
		return fail(err, 503, "unavailable", NULL,
		    "cannot check the key now; retry shortly");
	rc = key_lookup(db, public, hash, &k);
	if (rc == HARK_STORE_UNAVAILABLE ||
	    rc == HARK_STORE_TIMEOUT || rc == HARK_STORE_OUTCOME_UNKNOWN)
		return fail(err, 503, "database_unavailable", NULL,
		    "the database is unavailable; retry shortly");
	if (rc != HARK_STORE_OK && rc != HARK_STORE_NOTFOUND) {
		hark_log(HARK_LOG_ERR, "key lookup: %s", hark_store_errmsg(db));
		return fail(err, 500, "internal", NULL,
		    "an internal error occurred; it has been logged");
	}
	/* The index found it by hash; comparing again costs nothing and
	 * keeps the decision itself constant-time. */
	if (rc == HARK_STORE_NOTFOUND || !hark_key_hash_equal(hash, k.hash)) {
		audit_failure(audit, db, req, NULL, public ?
		    "unknown public key" : "unknown key");
		return fail(err, 401, "invalid_key", NULL,
		    "the API key is invalid or revoked");
	}
	if (k.revoked) {
		audit_failure(audit, db, req, k.project_id, public ?
		    "disabled source" : "revoked key");
		return fail(err, 401, "invalid_key", NULL,
		    "the API key is invalid or revoked");
	}
	if (project != NULL && strcmp(project, k.project_id) != 0) {
		audit_failure(audit, db, req, k.project_id, "project header mismatch");
		return fail(err, 401, "invalid_key", "X-Hark-Project",
		    "the API key does not belong to this project");
	}
	snprintf(who->project_id, sizeof(who->project_id), "%s", k.project_id);
	snprintf(who->key_id, sizeof(who->key_id), "%s", k.id);
	who->key_limit = k.key_limit;
	who->project_limit = k.project_limit;
	if (public) {
		/* No last_used_at nor key_used row: a widget's every submission
		 * would write one, and the feedback row names its source. */
		who->public_key = true;
		snprintf(who->source_id, sizeof(who->source_id), "%s", k.id);
		return 0;
	}
	/* last_used_at and the key-use audit row at most once a minute. */
	if (time(NULL) - k.last_used >= 60) {
		k.last_used = time(NULL);
		key_cache_put(secret_cache, &k);
		if (hark_store_key_touch(db, k.id) == HARK_STORE_OK)
			hark_store_audit(db, k.project_id, k.id, "key_used",
			    req->remote_addr, NULL);
	}
	return 0;
}

int
hark_auth_secret(struct hark_db *db, const struct hark_req *req,
    bool audit, struct hark_principal *who, struct hark_auth_err *err)
{
	return hark_auth_key(db, req, audit, false, who, err);
}
