/*
 * store_notify.c: the events the inbox raises (notify jobs), the scan that
 * announces new rows, and the fan-out of one event into its deliveries
 * (webhook, email, Linear jobs), all idempotent.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "ids.h"
#include "store.h"
#include "store_int.h"

/* A notify job's payload: the event and its two flags. */
static int
notify_payload(char *out, size_t outlen, const char *type,
    bool notify_submitter, bool mirror)
{
	int	 n;

	/* type is one of the static names: nothing to escape. */
	n = snprintf(out, outlen, "{\"type\":\"%s\",\"notifySubmitter\":%s,"
	    "\"mirrorToTracker\":%s}", type, notify_submitter ? "true" : "false",
	    mirror ? "true" : "false");
	return n < 0 || (size_t)n >= outlen ? -1 : n;
}

int
store_notify_enqueue(struct hark_db *db, const char *project_id,
    const char *feedback_id, const char *comment_id, const char *type,
    bool notify_submitter, bool mirror)
{
	char	 id[HARK_ID_SIZE], payload[128];
	int	 n;

	if (hark_id_new(HARK_ID_JOB, id, sizeof(id)) == -1 ||
	    (n = notify_payload(payload, sizeof(payload), type,
	    notify_submitter, mirror)) == -1)
		return HARK_DB_ERROR;
	{
		struct hark_db_val a[] = {
			HARK_DB_CSTR(id), HARK_DB_CSTR(project_id),
			HARK_DB_CSTR(feedback_id),
			comment_id != NULL ? HARK_DB_CSTR(comment_id) :
			    HARK_DB_NULLV,
			HARK_DB_STR(payload, (size_t)n),
			HARK_DB_INT(HARK_NOTIFY_MAX_ATTEMPTS)
		};

		return hark_db_exec(db, "INSERT INTO jobs (id, kind, "
		    "project_id, feedback_id, comment_id, payload, "
		    "max_attempts, status, run_after, created_at) VALUES "
		    "(?, 'notify', ?, ?, ?, ?, ?, 'pending', UTC_TIMESTAMP(6), "
		    "UTC_TIMESTAMP(6))", a, NARGS(a), NULL);
	}
}

int
store_notify_triaged(struct hark_db *db, const char *project_id,
    const char *feedback_id)
{
	char	 id[HARK_ID_SIZE], payload[128];
	int	 n;

	if (hark_id_new(HARK_ID_JOB, id, sizeof(id)) == -1 ||
	    (n = notify_payload(payload, sizeof(payload),
	    HARK_EVENT_TRIAGED, false, false)) == -1)
		return HARK_DB_ERROR;
	{
		struct hark_db_val a[] = {
			HARK_DB_CSTR(id), HARK_DB_CSTR(project_id),
			HARK_DB_CSTR(feedback_id),
			HARK_DB_STR(payload, (size_t)n),
			HARK_DB_INT(HARK_NOTIFY_MAX_ATTEMPTS),
			HARK_DB_CSTR(project_id)
		};

		/* Only a project whose tracker waits for the triage hears it. */
		return hark_db_exec(db, "INSERT INTO jobs (id, kind, "
		    "project_id, feedback_id, payload, max_attempts, status, "
		    "run_after, created_at) SELECT ?, 'notify', ?, ?, ?, ?, "
		    "'pending', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) FROM "
		    "project_linear WHERE project_id = ? AND "
		    "trigger_on = 'triaged'", a, NARGS(a), NULL);
	}
}

/* ---- the created scan ---- */

struct projects_ctx {
	hark_notify_project_fn	 fn;
	void			*ctx;
};

static int
project_row(void *ctx, const struct hark_db_row *row)
{
	struct projects_ctx	*pc = ctx;

	if (row->vals[0] == NULL || row->vals[1] == NULL)
		return 0;
	return pc->fn(pc->ctx, row->vals[0], row->vals[1]);
}

int
hark_store_notify_projects(struct hark_db *db, hark_notify_project_fn fn,
    void *ctx)
{
	struct projects_ctx	 pc = { fn, ctx };

	/*
	 * A project hears of new rows from the time it got its first target
	 * for them: adding a webhook does not replay the project's history.
	 */
	return store_query(db, "SELECT p.project_id, MIN(p.since) FROM ("
	    "SELECT project_id, created_at AS since FROM webhooks WHERE "
	    "FIND_IN_SET('feedback.created', events) > 0 UNION ALL "
	    "SELECT project_id, created_at FROM project_linear) p "
	    "GROUP BY p.project_id ORDER BY p.project_id", NULL, 0,
	    project_row, &pc);
}

struct announce_tx {
	const char	*project_id, *since;
	unsigned	 limit;
	char		(*ids)[HARK_ID_SIZE];
	size_t		 nids;
	unsigned	 n;
};

static int
unannounced_row(void *ctx, const struct hark_db_row *row)
{
	struct announce_tx	*t = ctx;

	if (t->nids < t->limit && row->vals[0] != NULL)
		store_copy_col(t->ids[t->nids++], HARK_ID_SIZE, row->vals[0]);
	return 0;
}

static int
announce_body(struct hark_db *db, void *ctx)
{
	struct announce_tx	*t = ctx;
	struct hark_db_val	 k[] = {
		HARK_DB_CSTR(t->project_id), HARK_DB_CSTR(t->since),
		HARK_DB_INT(t->limit)
	};
	size_t			 i;
	int			 rc;

	t->nids = 0;
	t->n = 0;
	rc = hark_db_query(db, "SELECT id FROM feedback WHERE project_id = ? "
	    "AND notified_at IS NULL AND created_at >= ? ORDER BY created_at, "
	    "id LIMIT ?", k, NARGS(k), unannounced_row, t);
	for (i = 0; rc == HARK_DB_OK && i < t->nids; i++) {
		struct hark_db_val	 a[] = { HARK_DB_CSTR(t->ids[i]) };
		unsigned long long	 n = 0;

		/* updated_at kept: announcing an item is no change to it. */
		rc = hark_db_exec(db, "UPDATE feedback SET notified_at = "
		    "UTC_TIMESTAMP(6), updated_at = updated_at WHERE id = ? "
		    "AND notified_at IS NULL", a, NARGS(a), &n);
		if (rc != HARK_DB_OK || n == 0)
			continue;	/* another runner's */
		rc = store_notify_enqueue(db, t->project_id, t->ids[i], NULL,
		    HARK_EVENT_CREATED, false, false);
		t->n++;
	}
	return rc;
}

int
hark_store_notify_announce(struct hark_db *db, const char *project_id,
    const char *since, unsigned limit, unsigned *n)
{
	struct announce_tx	 t;
	int			 rc;

	*n = 0;
	if (limit == 0)
		return HARK_STORE_OK;
	memset(&t, 0, sizeof(t));
	t.project_id = project_id;
	t.since = since;
	t.limit = limit;
	if ((t.ids = calloc(limit, sizeof(*t.ids))) == NULL)
		return HARK_STORE_ERROR;
	rc = store_rc(hark_db_tx(db, announce_body, &t));
	if (rc == HARK_STORE_OK)
		*n = t.n;
	free(t.ids);
	return rc;
}

/* ---- the fan-out ---- */

struct target_ctx {
	hark_notify_target_fn	 fn;
	void			*ctx;
};

static int
target_row(void *ctx, const struct hark_db_row *row)
{
	struct target_ctx	*tc = ctx;

	return row->vals[0] != NULL ? tc->fn(tc->ctx, row->vals[0]) : 0;
}

int
hark_store_webhook_targets(struct hark_db *db, const char *project_id,
    const char *event, hark_notify_target_fn fn, void *ctx)
{
	struct hark_db_val	 a[] = {
		HARK_DB_CSTR(project_id), HARK_DB_CSTR(event)
	};
	struct target_ctx	 tc = { fn, ctx };

	return store_query(db, "SELECT id FROM webhooks WHERE project_id = ? "
	    "AND FIND_IN_SET(?, events) > 0 ORDER BY id", a, NARGS(a),
	    target_row, &tc);
}

static int
trigger_row(void *ctx, const struct hark_db_row *row)
{
	store_copy_col(ctx, HARK_LINEAR_TRIGGER_SIZE, row->vals[0]);
	return 0;
}

int
hark_store_linear_trigger(struct hark_db *db, const char *project_id,
    char trigger[HARK_LINEAR_TRIGGER_SIZE])
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(project_id) };

	trigger[0] = '\0';
	return store_query(db, "SELECT trigger_on FROM project_linear WHERE "
	    "project_id = ?", a, NARGS(a), trigger_row, trigger);
}

static int
fanout_body(struct hark_db *db, void *ctx)
{
	const struct hark_notify_fanout	*f = ctx;
	size_t				 i;
	int				 rc = HARK_DB_OK;

	/* IGNORE: a fan-out run again (its job's claim lapsed) meets its rows. */
	for (i = 0; rc == HARK_DB_OK && i < f->ndeliveries; i++) {
		struct hark_db_val a[] = {
			HARK_DB_CSTR(f->deliveries[i].id),
			HARK_DB_CSTR(f->deliveries[i].webhook_id),
			HARK_DB_CSTR(f->project_id),
			HARK_DB_CSTR(f->feedback_id),
			f->comment_id != NULL ? HARK_DB_CSTR(f->comment_id) :
			    HARK_DB_NULLV,
			HARK_DB_CSTR(f->event),
			HARK_DB_STR(f->body, f->body_len)
		};

		rc = hark_db_exec(db, "INSERT IGNORE INTO webhook_deliveries "
		    "(id, webhook_id, project_id, feedback_id, comment_id, "
		    "event, payload, status, created_at) VALUES (?, ?, ?, ?, "
		    "?, ?, ?, 'pending', UTC_TIMESTAMP(6))", a, NARGS(a), NULL);
	}
	for (i = 0; rc == HARK_DB_OK && i < f->njobs; i++) {
		const struct hark_notify_job	*j = &f->jobs[i];
		struct hark_db_val		 a[] = {
			HARK_DB_CSTR(j->id), HARK_DB_CSTR(j->kind),
			HARK_DB_CSTR(f->project_id),
			HARK_DB_CSTR(f->feedback_id),
			f->comment_id != NULL ? HARK_DB_CSTR(f->comment_id) :
			    HARK_DB_NULLV,
			HARK_DB_CSTR(j->payload), HARK_DB_INT(j->max_attempts)
		};

		rc = hark_db_exec(db, "INSERT IGNORE INTO jobs (id, kind, "
		    "project_id, feedback_id, comment_id, payload, "
		    "max_attempts, status, run_after, created_at) VALUES "
		    "(?, ?, ?, ?, ?, ?, ?, 'pending', UTC_TIMESTAMP(6), "
		    "UTC_TIMESTAMP(6))", a, NARGS(a), NULL);
	}
	return rc;
}

int
hark_store_notify_fanout(struct hark_db *db,
    const struct hark_notify_fanout *f)
{
	if (f->ndeliveries == 0 && f->njobs == 0)
		return HARK_STORE_OK;
	return store_rc(hark_db_tx(db, fanout_body, (void *)(uintptr_t)f));
}
