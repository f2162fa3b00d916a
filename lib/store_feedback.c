/*
 * store_feedback.c: the inbox: one feedback row per submission, read one by
 * one or listed with filters, keyset cursors and the bounded search.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "log.h"
#include "store.h"
#include "store_int.h"
#include "vocab.h"


/* ---- feedback ---- */

void
hark_feedback_clear(struct hark_feedback *fb)
{
	free(fb->text);
	free(fb->page);
	free(fb->user_email);
	free(fb->metadata);
	free(fb->user_id);
	free(fb->user_name);
	free(fb->user_traits);
	free(fb->context);
	free(fb->extra);
	free(fb->summary);
	free(fb->title);
	free(fb->resolution_note);
	free(fb->labels);
	free(fb->link_url);
	free(fb->link_title);
	memset(fb, 0, sizeof(*fb));
}

#define FEEDBACK_NCOLS	28	/* bound per row; updated_at is the server's */
#define FEEDBACK_INSERT	"INSERT INTO feedback (id, project_id, channel, " \
	"text, source_id, session_id, page, user_email, user_id, " \
	"user_name, user_traits, metadata, context, extra, " \
	"audio_duration_ms, locale, content_hash, category, sentiment, " \
	"sentiment_score, impact_score, triaged_by, status, created_at, " \
	"language, spam, quarantined, triage_confidence, " \
	"updated_at) VALUES "
#define FEEDBACK_ROW	"(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, " \
	"?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6))"

/* The decimals a row binds as text (DECIMAL(4,3)). */
struct feedback_nums {
	char	 score[16];
	char	 conf[16];
};

/* Fills a[FEEDBACK_NCOLS] with fb's values; they point into fb and num. */
static void
feedback_vals(const struct hark_feedback *fb, struct feedback_nums *num,
    struct hark_db_val *a)
{
	const struct hark_db_val	 v[FEEDBACK_NCOLS] = {
		HARK_DB_CSTR(fb->id), HARK_DB_CSTR(fb->project_id),
		HARK_DB_CSTR(fb->channel),
		HARK_DB_STR(fb->text, fb->text_len),
		fb->source_id[0] != '\0' ? HARK_DB_CSTR(fb->source_id) :
		    HARK_DB_NULLV,
		fb->session_id[0] != '\0' ? HARK_DB_CSTR(fb->session_id) :
		    HARK_DB_NULLV,
		store_opt_str(fb->page, fb->page_len),
		store_opt_str(fb->user_email, fb->user_email_len),
		store_opt_str(fb->user_id, fb->user_id_len),
		store_opt_str(fb->user_name, fb->user_name_len),
		store_opt_str(fb->user_traits, fb->user_traits_len),
		store_opt_str(fb->metadata, fb->metadata_len),
		store_opt_str(fb->context, fb->context_len),
		store_opt_str(fb->extra, fb->extra_len),
		fb->audio_duration_ms >= 0 ?
		    HARK_DB_INT(fb->audio_duration_ms) : HARK_DB_NULLV,
		fb->locale[0] != '\0' ? HARK_DB_CSTR(fb->locale) :
		    HARK_DB_NULLV,
		fb->has_content_hash ?
		    HARK_DB_STR((const char *)fb->content_hash, 32) :
		    HARK_DB_NULLV,
		HARK_DB_CSTR(fb->category), HARK_DB_CSTR(fb->sentiment),
		HARK_DB_STR(num->score, 0), HARK_DB_INT(fb->impact),
		HARK_DB_CSTR(fb->triaged_by != NULL ? fb->triaged_by :
		    "builtin"),
		HARK_DB_CSTR(fb->status), HARK_DB_CSTR(fb->created_at),
		fb->language[0] != '\0' ? HARK_DB_CSTR(fb->language) :
		    HARK_DB_NULLV,
		fb->spam >= 0 ? HARK_DB_INT(fb->spam) : HARK_DB_NULLV,
		HARK_DB_INT(fb->quarantined),
		fb->triage_confidence > 0 ? HARK_DB_STR(num->conf, 0) :
		    HARK_DB_NULLV
	};

	memcpy(a, v, sizeof(v));
	/* a[19] points at score. */
	a[19].len = (size_t)snprintf(num->score, sizeof(num->score), "%.3f",
	    fb->sentiment_score);
	/* a[27] at conf: the learned triage's confidence, when it gave one. */
	if (fb->triage_confidence > 0)
		a[27].len = (size_t)snprintf(num->conf, sizeof(num->conf),
		    "%.3f", fb->triage_confidence > 1 ? 1.0 :
		    fb->triage_confidence);
}

/*
 * One row, one statement: an autocommit INSERT is the durable commit, with no
 * BEGIN/COMMIT round trips (ingest is bounded by commits; see the bench).
 */
int
hark_store_feedback_insert(struct hark_db *db, const struct hark_feedback *fb)
{
	struct feedback_nums		 num;
	struct hark_db_val		 a[FEEDBACK_NCOLS];
	struct hark_db_val		 idv[] = { HARK_DB_CSTR(fb->id) };
	int				 rc, found = 0;

	feedback_vals(fb, &num, a);
	rc = store_exec(db, FEEDBACK_INSERT FEEDBACK_ROW, a, NARGS(a), NULL);
	if (rc != HARK_DB_DUPLICATE)
		return rc;
	/* Our own row, committed before the connection dropped. */
	rc = store_query(db, "SELECT 1 FROM feedback WHERE id = ?", idv,
	    NARGS(idv), store_found_row, &found);
	if (rc != HARK_DB_OK)
		return rc;
	return found ? HARK_DB_OK : HARK_DB_DUPLICATE;
}

/*
 * The columns of a row; context only where one item is read (a listing's
 * page of rows each with a dom snapshot would be megabytes).
 */
#define FEEDBACK_COLS \
	"SELECT id, project_id, text, page, user_email, metadata, channel, " \
	"category, sentiment, sentiment_score, impact_score, status, " \
	"priority, created_at, session_id, user_id, user_name, user_traits, " \
	"extra, audio_duration_ms, triaged_by, summary, title, language, " \
	"spam, locale, resolution_note, resolved_at, updated_at, " \
	"(SELECT GROUP_CONCAT(l.label ORDER BY l.label SEPARATOR '\\n') " \
	"FROM feedback_labels l WHERE l.feedback_id = feedback.id), "
#define FEEDBACK_TAIL	"quarantined, linear_issue_id, linear_issue_url, link_url, " \
	"link_title, triage_confidence FROM feedback "
#define FEEDBACK_COLUMNS	FEEDBACK_COLS "NULL, " FEEDBACK_TAIL
#define FEEDBACK_ONE		FEEDBACK_COLS "context, " FEEDBACK_TAIL
/*
 * A page after a cursor: MariaDB 10.11, seeing ORDER BY ... LIMIT, reads
 * the index by its equalities alone (project_id, a status, a category) from
 * the newest row and filters out every row before the cursor, so page k
 * cost k pages (an export of 100,000 rows: 50 s); told the index, it takes
 * the range that starts at the cursor.  Each index ends in created_at, and
 * InnoDB adds the primary key, id: the listing's order.
 */
#define FEEDBACK_FROM_LIST	FEEDBACK_COLS \
	"NULL, " FEEDBACK_TAIL "FORCE INDEX (feedback_list) "
#define FEEDBACK_FROM_STATUS	FEEDBACK_COLS \
	"NULL, " FEEDBACK_TAIL "FORCE INDEX (feedback_status) "
#define FEEDBACK_FROM_CATEGORY	FEEDBACK_COLS \
	"NULL, " FEEDBACK_TAIL "FORCE INDEX (feedback_category) "

/* Fills fb from a FEEDBACK_COLUMNS row; -1 when memory runs out. */
static int
feedback_from_row(const struct hark_db_row *row, struct hark_feedback *fb)
{
	memset(fb, 0, sizeof(*fb));
	store_copy_col(fb->id, sizeof(fb->id), row->vals[0]);
	store_copy_col(fb->project_id, sizeof(fb->project_id), row->vals[1]);
	if ((fb->text = store_dup_col(row, 2, &fb->text_len)) == NULL)
		return -1;
	fb->page = store_dup_col(row, 3, &fb->page_len);
	fb->user_email = store_dup_col(row, 4, &fb->user_email_len);
	fb->metadata = store_dup_col(row, 5, &fb->metadata_len);
	fb->channel = hark_vocab_intern(hark_vocab_channel, row->vals[6], "api");
	fb->category = hark_vocab_intern(hark_vocab_category, row->vals[7],
	    "other");
	fb->sentiment = hark_vocab_intern(hark_vocab_sentiment, row->vals[8],
	    "neutral");
	fb->sentiment_score = row->vals[9] ? atof(row->vals[9]) : 0.0;
	fb->impact = row->vals[10] ? atoi(row->vals[10]) : 0;
	fb->status = hark_vocab_intern(hark_vocab_status, row->vals[11], "new");
	fb->priority = row->vals[12] ? atoi(row->vals[12]) : -1;
	store_copy_col(fb->created_at, sizeof(fb->created_at), row->vals[13]);
	store_copy_col(fb->session_id, sizeof(fb->session_id), row->vals[14]);
	fb->user_id = store_dup_col(row, 15, &fb->user_id_len);
	fb->user_name = store_dup_col(row, 16, &fb->user_name_len);
	fb->user_traits = store_dup_col(row, 17, &fb->user_traits_len);
	fb->extra = store_dup_col(row, 18, &fb->extra_len);
	fb->audio_duration_ms = row->vals[19] ? atoll(row->vals[19]) : -1;
	fb->triaged_by = row->vals[20] == NULL ? NULL :
	    hark_vocab_intern(hark_vocab_triaged_by, row->vals[20], "builtin");
	fb->summary = store_dup_col(row, 21, &fb->summary_len);
	fb->title = store_dup_col(row, 22, &fb->title_len);
	store_copy_col(fb->language, sizeof(fb->language), row->vals[23]);
	fb->spam = row->vals[24] != NULL ? atoi(row->vals[24]) != 0 : -1;
	store_copy_col(fb->locale, sizeof(fb->locale), row->vals[25]);
	fb->resolution_note = store_dup_col(row, 26, &fb->resolution_note_len);
	store_copy_col(fb->resolved_at, sizeof(fb->resolved_at), row->vals[27]);
	store_copy_col(fb->updated_at, sizeof(fb->updated_at), row->vals[28]);
	fb->labels = store_dup_col(row, 29, &fb->labels_len);
	fb->context = store_dup_col(row, 30, &fb->context_len);
	fb->quarantined = row->vals[31] != NULL && atoi(row->vals[31]) != 0;
	store_copy_col(fb->linear_issue_id, sizeof(fb->linear_issue_id),
	    row->vals[32]);
	store_copy_col(fb->linear_issue_url, sizeof(fb->linear_issue_url),
	    row->vals[33]);
	fb->link_url = store_dup_col(row, 34, &fb->link_url_len);
	fb->link_title = store_dup_col(row, 35, &fb->link_title_len);
	fb->triage_confidence = row->vals[36] != NULL ? atof(row->vals[36]) :
	    -1.0;
	/* A NULL column stays NULL; a copy that failed is out of memory. */
	if ((row->vals[3] && !fb->page) || (row->vals[4] && !fb->user_email) ||
	    (row->vals[5] && !fb->metadata) || (row->vals[15] && !fb->user_id) ||
	    (row->vals[16] && !fb->user_name) ||
	    (row->vals[17] && !fb->user_traits) ||
	    (row->vals[18] && !fb->extra) || (row->vals[21] && !fb->summary) ||
	    (row->vals[22] && !fb->title) || (row->vals[26] &&
	    !fb->resolution_note) || (row->vals[29] && !fb->labels) ||
	    (row->vals[30] && !fb->context) || (row->vals[34] &&
	    !fb->link_url) || (row->vals[35] && !fb->link_title))
		return -1;
	return 0;
}

static int
get_row(void *ctx, const struct hark_db_row *row)
{
	return feedback_from_row(row, ctx) == -1 ? HARK_DB_ERROR : 1;
}

int
hark_store_feedback_get(struct hark_db *db, const char *project_id,
    const char *id, struct hark_feedback *out)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(project_id), HARK_DB_CSTR(id) };
	int			 rc;

	memset(out, 0, sizeof(*out));
	rc = store_query(db, FEEDBACK_ONE
	    "WHERE project_id = ? AND id = ?", a, NARGS(a), get_row, out);
	if (rc == 1)
		return HARK_DB_OK;
	hark_feedback_clear(out);
	return rc == HARK_DB_OK ? HARK_STORE_NOTFOUND : rc;
}

struct list_ctx {
	hark_feedback_fn	 fn;
	void			*ctx;
};

static int
list_row(void *ctx, const struct hark_db_row *row)
{
	struct list_ctx		*lc = ctx;
	struct hark_feedback	 fb;
	int			 rc;

	if (feedback_from_row(row, &fb) == -1) {
		hark_feedback_clear(&fb);
		return HARK_DB_ERROR;
	}
	rc = lc->fn(lc->ctx, &fb);
	hark_feedback_clear(&fb);
	return rc;
}

/* LIKE treats % _ and \ specially: escape them so q is a plain substring. */
static char *
like_pattern(const char *q, size_t len, size_t *outlen)
{
	char	*p, *o;
	size_t	 i;

	if ((p = malloc(len * 2 + 3)) == NULL)
		return NULL;
	o = p;
	*o++ = '%';
	for (i = 0; i < len; i++) {
		if (q[i] == '%' || q[i] == '_' || q[i] == '\\')
			*o++ = '\\';
		*o++ = q[i];
	}
	*o++ = '%';
	*o = '\0';
	*outlen = (size_t)(o - p);
	return p;
}

static int
word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

int
store_search_phrase(const char *q, size_t qlen, char *out, size_t outsize,
    size_t *outlen)
{
	size_t	 i, run = 0, chars = 0, o = 0;
	int	 served = 0;
	unsigned char c;

	if (outsize < qlen + 4)
		return -1;
	out[o++] = '+';
	out[o++] = '"';
	for (i = 0; i < qlen; i++) {
		c = (unsigned char)q[i];
		/* ASCII letters, digits, '_' are word bytes for InnoDB too. */
		run = word_byte(c) ? run + 1 : 0;
		if (run >= STORE_FT_MIN_WORD)
			served = 1;
		/* Characters of a word as InnoDB may see it (non-ASCII
		 * counted as letters: too long only errs towards the window). */
		if (word_byte(c) || c >= 0x80) {
			if ((c & 0xc0) != 0x80)
				chars++;
		} else
			chars = 0;
		if (chars > STORE_FT_MAX_WORD)
			return 0;
		out[o++] = c == '"' || c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	out[o++] = '"';
	out[o] = '\0';
	*outlen = o;
	return served;
}

/* The filters every listing shares, after "WHERE project_id = ?". */
static void
list_filters(struct store_sql *b, const char *project_id,
    const struct hark_feedback_filter *f)
{
	store_sql_arg(b, HARK_DB_CSTR(project_id));
	if (f->status != NULL)
		store_sql_filter(b, " AND status = ?", HARK_DB_CSTR(f->status));
	if (f->nstatuses > HARK_FILTER_STATUSES)
		b->overflow = 1;	/* never run, never cut short */
	else if (f->nstatuses > 0) {
		size_t	 i;

		/* One statement per count: five at most. */
		store_sql_filter(b, " AND status IN (?",
		    HARK_DB_CSTR(f->statuses[0]));
		for (i = 1; i < f->nstatuses; i++)
			store_sql_filter(b, ", ?", HARK_DB_CSTR(f->statuses[i]));
		store_sql_add(b, ")");
	}
	if (f->category != NULL)
		store_sql_filter(b, " AND category = ?",
		    HARK_DB_CSTR(f->category));
	if (f->label != NULL)
		store_sql_filter(b, " AND id IN (SELECT feedback_id FROM "
		    "feedback_labels WHERE label = ?)", HARK_DB_CSTR(f->label));
	if (f->quarantined >= 0)
		store_sql_filter(b, " AND quarantined = ?",
		    HARK_DB_INT(f->quarantined > 0));
	if (f->since != NULL)
		store_sql_filter(b, " AND created_at >= ?",
		    HARK_DB_CSTR(f->since));
	if (f->until != NULL)
		store_sql_filter(b, " AND created_at < ?",
		    HARK_DB_CSTR(f->until));
	if (f->cursor_ts != NULL && f->cursor_id != NULL) {
		store_sql_filter(b, " AND (created_at < ? OR (created_at = ? "
		    "AND id < ?))", HARK_DB_CSTR(f->cursor_ts));
		store_sql_arg(b, HARK_DB_CSTR(f->cursor_ts));
		store_sql_arg(b, HARK_DB_CSTR(f->cursor_id));
	}
}

#define LIST_ORDER	" ORDER BY created_at DESC, id DESC"

/* The row STORE_SEARCH_WINDOW rows down the listing: where the window ends. */
struct edge {
	char	 ts[HARK_STORE_TS_SIZE];
	char	 id[HARK_ID_SIZE];
	int	 found;
};

static int
edge_row(void *ctx, const struct hark_db_row *row)
{
	struct edge	*e = ctx;

	store_copy_col(e->ts, sizeof(e->ts), row->vals[0]);
	store_copy_col(e->id, sizeof(e->id), row->vals[1]);
	e->found = 1;
	return 0;
}

struct search_ctx {
	hark_feedback_fn	 fn;
	void			*ctx;
	unsigned		 n;	/* rows handed on */
};

static int
search_row(void *ctx, const struct hark_db_row *row)
{
	struct search_ctx	*sc = ctx;
	struct list_ctx		 lc = { sc->fn, sc->ctx };

	sc->n++;
	return list_row(&lc, row);
}

/*
 * q in two bounded steps, newest first:
 *  1. the newest STORE_SEARCH_WINDOW rows that pass the other filters,
 *     tested with LIKE (an index range of at most that many rows): a common
 *     word fills the page here;
 *  2. when the page is not full and older rows exist, the FULLTEXT index of
 *     schema/002_search.sql for the rows past the window: q's words as a
 *     phrase, then q as written (LIKE) among the rows it finds; a rare word
 *     costs its few rows.  A q with no word the index holds stops at 1.
 * Every statement is bounded by [database] statement_timeout besides.
 */
static int
feedback_search(struct hark_db *db, const char *project_id,
    const struct hark_feedback_filter *f, hark_feedback_fn fn, void *ctx)
{
	struct store_sql	 b;
	struct edge		 e = { "", "", 0 };
	struct search_ctx	 sc = { fn, ctx, 0 };
	char			*like = NULL, *phrase = NULL;
	size_t			 likelen = 0, phraselen = 0;
	int			 rc, served;

	if ((like = like_pattern(f->q, f->q_len, &likelen)) == NULL ||
	    (phrase = malloc(f->q_len + 4)) == NULL) {
		rc = HARK_STORE_NOMEM;
		goto out;
	}
	served = store_search_phrase(f->q, f->q_len, phrase, f->q_len + 4,
	    &phraselen) == 1;

	store_sql_init(&b);
	store_sql_add(&b, "SELECT created_at, id FROM feedback "
	    "WHERE project_id = ?");
	list_filters(&b, project_id, f);
	store_sql_filter(&b, LIST_ORDER " LIMIT 1 OFFSET ?",
	    HARK_DB_INT(STORE_SEARCH_WINDOW - 1));
	if ((rc = store_sql_query(db, &b, edge_row, &e)) != HARK_DB_OK)
		goto out;

	store_sql_init(&b);
	store_sql_add(&b, FEEDBACK_COLUMNS "WHERE project_id = ?");
	list_filters(&b, project_id, f);
	if (e.found) {
		store_sql_filter(&b, " AND (created_at > ? OR (created_at = ? "
		    "AND id >= ?))", HARK_DB_CSTR(e.ts));
		store_sql_arg(&b, HARK_DB_CSTR(e.ts));
		store_sql_arg(&b, HARK_DB_CSTR(e.id));
	}
	store_sql_filter(&b, " AND text LIKE ?", HARK_DB_STR(like, likelen));
	store_sql_filter(&b, LIST_ORDER " LIMIT ?", HARK_DB_INT(f->limit));
	rc = store_sql_query(db, &b, search_row, &sc);
	if (rc != HARK_DB_OK || !e.found || !served || sc.n >= f->limit)
		goto out;

	store_sql_init(&b);
	store_sql_add(&b, FEEDBACK_COLUMNS "WHERE project_id = ?");
	list_filters(&b, project_id, f);
	store_sql_filter(&b, " AND (created_at < ? OR (created_at = ? "
	    "AND id < ?))", HARK_DB_CSTR(e.ts));
	store_sql_arg(&b, HARK_DB_CSTR(e.ts));
	store_sql_arg(&b, HARK_DB_CSTR(e.id));
	store_sql_filter(&b, " AND MATCH (text) AGAINST (? IN BOOLEAN MODE)",
	    HARK_DB_STR(phrase, phraselen));
	store_sql_filter(&b, " AND text LIKE ?", HARK_DB_STR(like, likelen));
	store_sql_filter(&b, LIST_ORDER " LIMIT ?",
	    HARK_DB_INT(f->limit - sc.n));
	rc = store_sql_query(db, &b, search_row, &sc);
out:
	free(like);
	free(phrase);
	return rc;
}

/*
 * Each filter adds a fixed fragment, so the statement cache holds at most
 * one statement per combination.
 */
int
hark_store_feedback_list(struct hark_db *db, const char *project_id,
    const struct hark_feedback_filter *f, hark_feedback_fn fn, void *ctx)
{
	struct store_sql	 b;
	struct list_ctx		 lc = { fn, ctx };
	const char		*from;

	if (f->q != NULL)
		return feedback_search(db, project_id, f, fn, ctx);
	store_sql_init(&b);
	/*
	 * The newest rows: any plan, except for several statuses, whose
	 * ranges of feedback_status would be merged and sorted whole.
	 */
	if (f->cursor_ts == NULL && f->nstatuses == 0)
		from = FEEDBACK_COLUMNS;
	else if (f->status != NULL)
		from = FEEDBACK_FROM_STATUS;
	else if (f->category != NULL)
		from = FEEDBACK_FROM_CATEGORY;
	else
		from = FEEDBACK_FROM_LIST;	/* several statuses, a label */
	store_sql_add(&b, from);
	store_sql_add(&b, "WHERE project_id = ?");
	list_filters(&b, project_id, f);
	store_sql_filter(&b, LIST_ORDER " LIMIT ?", HARK_DB_INT(f->limit));
	return store_sql_query(db, &b, list_row, &lc);
}

static int
dup_row(void *ctx, const struct hark_db_row *row)
{
	store_copy_col(ctx, HARK_ID_SIZE, row->vals[0]);
	return 1;
}

int
hark_store_feedback_recent_duplicate(struct hark_db *db,
    const char *project_id, const char *source_id,
    const unsigned char hash[32], unsigned window, char *id)
{
	struct hark_db_val	 a[] = {
		HARK_DB_CSTR(project_id), HARK_DB_STR((const char *)hash, 32),
		HARK_DB_CSTR(source_id), HARK_DB_INT(window)
	};
	int			 rc;

	id[0] = '\0';
	/* feedback_dedup (project_id, content_hash, created_at) finds it. */
	rc = store_query(db, "SELECT id FROM feedback WHERE project_id = ? "
	    "AND content_hash = ? AND source_id = ? AND created_at >= "
	    "UTC_TIMESTAMP(6) - INTERVAL ? SECOND ORDER BY created_at DESC "
	    "LIMIT 1", a, NARGS(a), dup_row, id);
	if (rc == 1)
		return HARK_STORE_OK;
	return rc == HARK_STORE_OK ? HARK_STORE_NOT_FOUND : rc;
}

int
hark_store_feedback_delete(struct hark_db *db, const char *project_id,
    const char *id)
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(project_id), HARK_DB_CSTR(id) };

	/* comments, labels, media rows and jobs go with it (ON DELETE CASCADE). */
	return store_exec_found(db, "DELETE FROM feedback WHERE project_id = ? AND id = ?",
	    a, NARGS(a));
}

int
hark_store_feedback_project(struct hark_db *db, const char *id,
    char project_id[HARK_ID_SIZE])
{
	struct hark_db_val	 a[] = { HARK_DB_CSTR(id) };
	int			 rc;

	project_id[0] = '\0';
	rc = store_query(db, "SELECT project_id FROM feedback WHERE id = ?", a,
	    NARGS(a), dup_row, project_id);
	if (rc == 1)
		return HARK_STORE_OK;
	return rc == HARK_STORE_OK ? HARK_STORE_NOT_FOUND : rc;
}

/* ---- the commit queue's batches ---- */

struct batch_tx {
	struct hark_store_batch_row	*rows;
	size_t				 n;
	bool				*there;	/* met in the table this attempt */
	struct hark_db_val		*a;
	struct feedback_nums		*num;
	struct hark_buf			 sql;
};

static int
batch_found(void *ctx, const struct hark_db_row *row)
{
	struct batch_tx	*t = ctx;
	size_t		 i;

	for (i = 0; i < t->n; i++)
		if (row->vals[0] != NULL &&
		    strcmp(row->vals[0], t->rows[i].fb->id) == 0)
			t->there[i] = true;
	return 0;
}

/*
 * Which of the rows are in the table already: those an attempt whose COMMIT
 * was lost did write (2013/2006: its outcome was unknown), or that their
 * worker filed itself after giving up on the writer.
 */
static int
batch_lookup(struct hark_db *db, struct batch_tx *t)
{
	size_t	 i, k = 0;

	hark_buf_reset(&t->sql);
	if (hark_buf_puts(&t->sql, "SELECT id FROM feedback WHERE id IN (") ==
	    -1)
		return HARK_DB_ERROR;
	for (i = 0; i < t->n; i++) {
		if (hark_buf_puts(&t->sql, i == 0 ? "?" : ", ?") == -1)
			return HARK_DB_ERROR;
		t->a[k++] = HARK_DB_CSTR(t->rows[i].fb->id);
	}
	if (hark_buf_puts(&t->sql, ")") == -1)
		return HARK_DB_ERROR;
	return hark_db_query(db, t->sql.data, t->a, k, batch_found, t);
}

/* One multi-row INSERT of the rows not there; how many it had in *nrows. */
static int
batch_insert(struct hark_db *db, struct batch_tx *t, size_t *nrows)
{
	size_t	 i, k = 0;

	*nrows = 0;
	hark_buf_reset(&t->sql);
	if (hark_buf_puts(&t->sql, FEEDBACK_INSERT) == -1)
		return HARK_DB_ERROR;
	for (i = 0; i < t->n; i++) {
		if (t->there[i])
			continue;
		if (hark_buf_puts(&t->sql, *nrows == 0 ? FEEDBACK_ROW :
		    ", " FEEDBACK_ROW) == -1)
			return HARK_DB_ERROR;
		feedback_vals(t->rows[i].fb, &t->num[i], t->a + k);
		k += FEEDBACK_NCOLS;
		(*nrows)++;
	}
	if (*nrows == 0)
		return HARK_DB_OK;
	return hark_db_exec(db, t->sql.data, t->a, k, NULL);
}

/* hark_store_idem_done's UPDATE, its db result kept for hark_db_tx. */
static int
batch_idem_done(struct hark_db *db, const struct hark_store_batch_row *r)
{
	struct hark_db_val	 a[] = {
		HARK_DB_INT(r->idem_status),
		HARK_DB_STR(r->idem_body, r->idem_body_len),
		HARK_DB_CSTR(r->fb->project_id), HARK_DB_CSTR(r->idem_key)
	};

	return hark_db_exec(db, "UPDATE idempotency_keys SET state = 'done', "
	    "response_status = ?, response_body = ? WHERE project_id = ? AND "
	    "idem_key = ?", a, NARGS(a), NULL);
}

/*
 * The body runs on hark_db_exec / _query, not the store_ wrappers: their
 * HARK_DB_RETRY (a conflict, a lost connection) must reach hark_db_tx,
 * which retries the whole batch; store_rc would make it a 503.
 */
static int
batch_body(struct hark_db *db, void *ctx)
{
	struct batch_tx	*t = ctx;
	size_t		 i, nrows;
	int		 rc;

	/* A retried attempt starts over: the rolled back one left nothing. */
	memset(t->there, 0, t->n * sizeof(*t->there));
	if ((rc = batch_insert(db, t, &nrows)) == HARK_DB_DUPLICATE) {
		/* Our own rows, or a row another writes with the same id. */
		if ((rc = batch_lookup(db, t)) != HARK_DB_OK)
			return rc;
		rc = batch_insert(db, t, &nrows);
	}
	if (rc != HARK_DB_OK)
		return rc;
	/*
	 * A row met by its id committed with its parts (the transaction
	 * that filed it, here or on a worker's direct path, filed them all).
	 */
	for (i = 0; i < t->n; i++)
		if (!t->there[i] && t->rows[i].parts != NULL &&
		    (rc = store_submission_parts(db, t->rows[i].parts)) !=
		    HARK_DB_OK)
			return rc;
	for (i = 0; i < t->n; i++)
		if (!t->there[i] && t->rows[i].idem_key != NULL &&
		    (rc = batch_idem_done(db, &t->rows[i])) != HARK_DB_OK)
			return rc;
	return HARK_DB_OK;
}

/* What the server said about a row that was not filed. */
static void
batch_err(struct hark_db *db, struct hark_store_batch_row *r, int rc)
{
	r->rc = rc;
	if (rc == HARK_STORE_OK)
		return;
	r->err = hark_db_errno(db);
	snprintf(r->errmsg, sizeof(r->errmsg), "%s", hark_db_errmsg(db));
}

/* One row on its own, as the direct path files it. */
static void
batch_one(struct hark_db *db, struct hark_store_batch_row *r)
{
	if (r->parts != NULL)
		batch_err(db, r, hark_store_submission_insert(db, r->parts));
	else if (r->idem_key != NULL)
		batch_err(db, r, hark_store_feedback_insert_idem(db, r->fb,
		    r->idem_key, r->idem_status, r->idem_body,
		    r->idem_body_len));
	else
		batch_err(db, r, hark_store_feedback_insert(db, r->fb));
}

void
hark_store_set_error(struct hark_db *db, unsigned int err, const char *msg)
{
	hark_db_set_error(db, err, msg);
}

int
hark_store_feedback_insert_batch(struct hark_db *db,
    struct hark_store_batch_row *rows, size_t n)
{
	struct batch_tx	 t = { .rows = rows, .n = n };
	size_t		 i;
	int		 rc;

	if (n == 0)
		return HARK_STORE_OK;
	/* A lone row is one autocommit statement: no BEGIN/COMMIT trips. */
	if (n == 1) {
		batch_one(db, &rows[0]);
		return rows[0].rc == HARK_STORE_OK ? HARK_STORE_OK :
		    HARK_STORE_ERROR;
	}
	t.there = calloc(n, sizeof(*t.there));
	t.a = calloc(n * FEEDBACK_NCOLS, sizeof(*t.a));
	t.num = calloc(n, sizeof(*t.num));
	if (t.there == NULL || t.a == NULL || t.num == NULL)
		rc = HARK_STORE_NOMEM;
	else {
		/*
		 * Without Idempotency-Keys or the other rows of multipart
		 * submissions the batch is one statement, and an autocommit
		 * statement is atomic: one round trip and one commit, no
		 * BEGIN/COMMIT.  What it cannot settle (a row met
		 * by its id after a lost answer, a conflict the retries did
		 * not get past) goes on to the transaction below.
		 */
		for (i = 0; i < n && rows[i].idem_key == NULL &&
		    rows[i].parts == NULL; i++)
			;
		rc = HARK_DB_RETRY;
		if (i == n) {
			size_t	 nrows;

			rc = batch_insert(db, &t, &nrows);
		}
		if (rc == HARK_DB_RETRY || rc == HARK_DB_DUPLICATE ||
		    rc == HARK_DB_OUTCOME_UNKNOWN)
			/* 1213/1180/1047, a lost COMMIT: retried whole. */
			rc = hark_db_tx(db, batch_body, &t);
		rc = store_rc(rc);
	}
	free(t.there);
	free(t.a);
	free(t.num);
	hark_buf_free(&t.sql);
	switch (rc) {
	case HARK_STORE_OK:
		for (i = 0; i < n; i++)
			rows[i].rc = HARK_STORE_OK;
		return HARK_STORE_OK;
	case HARK_STORE_UNAVAILABLE:
	case HARK_STORE_NOMEM:
		/* The server is gone (after the retries): so is each row's. */
		for (i = 0; i < n; i++)
			batch_err(db, &rows[i], rc);
		return rc;
	default:
		break;
	}
	/*
	 * A row the server refused, a statement too slow, or a COMMIT whose
	 * outcome stayed unknown: one by one, each row has its own outcome
	 * and one bad row never costs its neighbours theirs.  A row already
	 * committed is met by its id, never filed twice.
	 */
	hark_log(HARK_LOG_WARN, "commit queue: a batch of %zu rows failed "
	    "(%s); filing them one by one", n, hark_db_errmsg(db));
	for (i = 0; i < n; i++)
		batch_one(db, &rows[i]);
	return HARK_STORE_ERROR;
}
