/*
 * migrate.c: schema migrations.  The files of the schema directory named
 * NNN_name.sql are applied in numeric order, each once: its version goes into
 * schema_migrations after its statements ran.  Migrations use CREATE ... IF
 * NOT EXISTS and the like, so a file cut short by a crash can run again.
 */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <stdbool.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "migrate.h"
#include "store.h"

#define MIGRATE_LOCK		"hark_migrate"
#define MIGRATE_LOCK_WAIT	30		/* seconds */
#define MIGRATE_MAX_FILES	1000
#define MIGRATE_MAX_SIZE	(8L * 1024 * 1024)
#define MIGRATE_MAX_VERSION	999999999

struct migration {
	int	 version;
	char	*file;		/* name within the schema directory */
};

struct migration_list {
	struct migration	*v;
	size_t			 n;
	size_t			 cap;
};

static int
migrate_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
migrate_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* "NNN_name.sql" -> NNN, or -1 for any other file name. */
static int
migrate_version(const char *name)
{
	const char	*p = name, *dot;
	long		 v = 0;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (*p - '0');
		if (v > MIGRATE_MAX_VERSION)
			return -1;
	}
	if (*p++ != '_' || (dot = strrchr(p, '.')) == NULL ||
	    strcmp(dot, ".sql") != 0 || dot == p)
		return -1;
	for (; p < dot; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			return -1;
	return (int)v;
}

static int
migrate_cmp(const void *a, const void *b)
{
	const struct migration	*x = a, *y = b;

	return (x->version > y->version) - (x->version < y->version);
}

static void
migrate_list_free(struct migration_list *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].file);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int
migrate_list_add(struct migration_list *l, int version, const char *file)
{
	struct migration	*v;
	size_t			 cap;

	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 16;
		if ((v = realloc(l->v, cap * sizeof(*v))) == NULL)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	if ((l->v[l->n].file = strdup(file)) == NULL)
		return -1;
	l->v[l->n++].version = version;
	return 0;
}

/* Fills l with the migration files of dir, sorted by version. */
static int
migrate_list(const char *dir, struct migration_list *l, char *err,
    size_t errlen)
{
	DIR		*d;
	struct dirent	*de;
	size_t		 i;
	int		 v, rc = -1;

	if ((d = opendir(dir)) == NULL)
		return migrate_fail(err, errlen, "%s: %s", dir,
		    strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if ((v = migrate_version(de->d_name)) < 0)
			continue;
		if (l->n >= MIGRATE_MAX_FILES) {
			migrate_fail(err, errlen, "%s: too many files", dir);
			goto out;
		}
		if (migrate_list_add(l, v, de->d_name) == -1) {
			migrate_fail(err, errlen, "out of memory");
			goto out;
		}
	}
	if (l->n == 0) {
		migrate_fail(err, errlen, "%s: no NNN_name.sql files", dir);
		goto out;
	}
	qsort(l->v, l->n, sizeof(*l->v), migrate_cmp);
	for (i = 1; i < l->n; i++)
		if (l->v[i].version == l->v[i - 1].version) {
			migrate_fail(err, errlen, "%s: %s and %s share version "
			    "%d", dir, l->v[i - 1].file, l->v[i].file,
			    l->v[i].version);
			goto out;
		}
	rc = 0;
out:
	closedir(d);
	return rc;
}

/* Reads a whole file; the caller frees the NUL-terminated result. */
static char *
migrate_read(const char *path, char *err, size_t errlen)
{
	FILE		*f;
	struct stat	 st;
	char		*text = NULL;
	size_t		 n;

	if ((f = fopen(path, "r")) == NULL) {
		migrate_fail(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > MIGRATE_MAX_SIZE) {
		migrate_fail(err, errlen, "%s: not a regular file of at most "
		    "%ld bytes", path, MIGRATE_MAX_SIZE);
		goto out;
	}
	if ((text = malloc((size_t)st.st_size + 1)) == NULL) {
		migrate_fail(err, errlen, "out of memory");
		goto out;
	}
	n = fread(text, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		migrate_fail(err, errlen, "%s: %s", path, strerror(errno));
		free(text);
		text = NULL;
		goto out;
	}
	text[n] = '\0';
out:
	fclose(f);
	return text;
}

/*
 * Takes the server-wide migration lock.  Older Galera nodes refuse GET_LOCK
 * (error 1235); there DDL is cluster-wide anyway and every step tolerates a
 * concurrent run, so hark goes ahead without it.  *locked says whether it
 * is held.
 */
static int
migrate_lock(struct hark_db *db, int *locked, char *err, size_t errlen)
{
	int	 held;

	*locked = 0;
	if (hark_store_lock(db, MIGRATE_LOCK, MIGRATE_LOCK_WAIT, &held) !=
	    HARK_STORE_OK)
		return migrate_fail(err, errlen, "taking the migration lock: "
		    "%s", hark_store_errmsg(db));
	if (held == -1) {
		hark_log(HARK_LOG_WARN, "migrate: no GET_LOCK on this server; "
		    "going ahead without the lock");
		return 0;
	}
	if (held != 1)
		return migrate_fail(err, errlen, "another migration has held "
		    "the lock '%s' for %d seconds", MIGRATE_LOCK,
		    MIGRATE_LOCK_WAIT);
	*locked = 1;
	return 0;
}

/* Runs one file and records it; a concurrent run recording it first is fine. */
static int
migrate_one(struct hark_db *db, const char *dir, const struct migration *m,
    char *err, size_t errlen)
{
	char			 path[4096];
	char			*text;
	int			 rc;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, m->file) >=
	    sizeof(path))
		return migrate_fail(err, errlen, "%s: path too long", dir);
	if ((text = migrate_read(path, err, errlen)) == NULL)
		return -1;
	rc = hark_store_migration_run(db, text);
	free(text);
	if (rc != HARK_STORE_OK)
		return migrate_fail(err, errlen, "%s: %s", m->file,
		    hark_store_errmsg(db));
	rc = hark_store_migration_record(db, m->version, m->file);
	if (rc != HARK_STORE_OK)
		return migrate_fail(err, errlen, "recording %s: %s", m->file,
		    hark_store_errmsg(db));
	hark_log(HARK_LOG_INFO, "migrate: applied %s", m->file);
	return 0;
}

/*
 * The lock lives on the connection: if it was reopened midway, another
 * migrator may be running, so stop rather than race it.
 */
static int
migrate_pending(struct hark_db *db, const char *dir,
    const struct migration_list *l, int *applied, char *err, size_t errlen)
{
	unsigned long	 gen;
	size_t		 i;
	bool		 done;

	gen = hark_store_generation(db);
	for (i = 0; i < l->n; i++) {
		if (hark_store_migration_applied(db, l->v[i].version, &done) !=
		    HARK_STORE_OK)
			return migrate_fail(err, errlen, "reading "
			    "schema_migrations: %s", hark_store_errmsg(db));
		if (done)
			continue;
		if (hark_store_generation(db) != gen)
			return migrate_fail(err, errlen, "the database "
			    "connection was reopened and the migration lock "
			    "lost; run again");
		if (migrate_one(db, dir, &l->v[i], err, errlen) == -1)
			return -1;
		(*applied)++;
	}
	return 0;
}

int
hark_migrate_apply(struct hark_db *db, const char *schema_dir, int *applied,
    char *err, size_t errlen)
{
	struct migration_list	 l = { NULL, 0, 0 };
	int			 locked = 0, n = 0, rc = -1;

	if (applied != NULL)
		*applied = 0;
	if (migrate_list(schema_dir, &l, err, errlen) == -1)
		goto out;
	if (hark_store_connect(db) != HARK_STORE_OK) {
		migrate_fail(err, errlen, "cannot connect to the database: %s",
		    hark_store_errmsg(db));
		goto out;
	}
	if (migrate_lock(db, &locked, err, errlen) == -1)
		goto out;
	if (hark_store_migrations_table(db) != HARK_STORE_OK) {
		migrate_fail(err, errlen, "creating schema_migrations: %s",
		    hark_store_errmsg(db));
		goto out;
	}
	rc = migrate_pending(db, schema_dir, &l, &n, err, errlen);
out:
	if (locked)
		hark_store_unlock(db, MIGRATE_LOCK);
	if (applied != NULL)
		*applied = n;
	migrate_list_free(&l);
	return rc;
}

int
hark_migrate_current(struct hark_db *db, int *version)
{
	return hark_store_schema_version(db, version);
}
