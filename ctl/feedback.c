/*
 * feedback.c: harkctl's feedback commands, the inbox from a shell: list
 * (filtered, as a table, JSON or CSV), show one item in full, and export a
 * project as JSON Lines or CSV.
 *
 * Every listing walks the project in keyset pages (lib/feedback's
 * hark_feedback_list, newest first, the cursor being the last row's
 * created_at and id), so an export of any size holds one page in memory.
 * The JSON is the API's view of an item (hark_feedback_json) with its
 * media, as GET /v1/feedback serves it.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ctl.h"
#include "feedback.h"
#include "ids.h"
#include "store.h"
#include "timestamp.h"
#include "vocab.h"

#define FB_PAGE_ROWS	500	/* rows per keyset page: what memory holds */
#define FB_LIST_DEFAULT	50
#define FB_LIST_MAX	1000000000UL
#define FB_TEXT_CHARS	50	/* the table's excerpt of the text */
#define FB_LABEL_CHARS	20
#define FB_COMMENT_PAGE	100

enum fb_format { FMT_NONE, FMT_TABLE, FMT_JSON, FMT_CSV, FMT_JSONL, FMT_TEXT };

struct fb_opts {
	const char		*statuses[HARK_FILTER_STATUSES];
	size_t			 nstatuses;
	const char		*category;
	char			 label[4 * HARK_LABEL_MAX + 1];
	bool			 label_set;
	char			 since[HARK_TS_DB_SIZE];
	bool			 since_set;
	int			 quarantined;	/* 0 not held, 1 held, -1 any */
	unsigned long		 limit;		/* 0: every row */
	enum fb_format		 format;
	const char		*output;
	const char		*project;
};

/* ---- safe text ---- */

/*
 * The length of the UTF-8 sequence at s (of n bytes) and its code point,
 * or 0 when it is not a well-formed one.
 */
static size_t
utf8_next(const unsigned char *s, size_t n, unsigned long *cp)
{
	size_t	 len, i;
	unsigned long c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, c = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (len == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	*cp = c;
	return len;
}

/*
 * What a terminal would act on rather than show: C0 and C1 controls, DEL,
 * and the bidirectional overrides and isolates that reorder what follows
 * (a "Trojan Source" text).
 */
static bool
unsafe_cp(unsigned long c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) ||
	    (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/*
 * Writes up to max characters (0: all) of s made safe for a terminal:
 * newlines kept when multiline (then indented by indent), else each of
 * \n \r \t a space; any other unsafe character or broken UTF-8 byte a '?'.
 * Returns the characters written and sets *cut when some were left.
 */
static size_t
put_safe(FILE *f, const char *s, size_t n, size_t max, bool multiline,
    const char *indent, bool *cut)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, chars = 0, len;
	unsigned long		 c;

	if (cut != NULL)
		*cut = false;
	while (i < n) {
		if (max > 0 && chars == max) {
			if (cut != NULL)
				*cut = true;
			break;
		}
		if ((len = utf8_next(p + i, n - i, &c)) == 0) {
			fputc('?', f);
			i++;
		} else if (multiline && c == '\n') {
			fputc('\n', f);
			fputs(indent, f);
			i++;
		} else if (c == '\n' || c == '\r' || c == '\t') {
			fputc(' ', f);
			i++;
		} else if (unsafe_cp(c)) {
			fputc('?', f);
			i += len;
		} else {
			fwrite(p + i, 1, len, f);
			i += len;
		}
		chars++;
	}
	return chars;
}

/* The characters put_safe would write for all of s. */
static size_t
safe_chars(const char *s, size_t n)
{
	unsigned long	 c;
	size_t		 i = 0, len, chars = 0;

	while (i < n) {
		len = utf8_next((const unsigned char *)s + i, n - i, &c);
		i += len > 0 ? len : 1;
		chars++;
	}
	return chars;
}

/*
 * A table cell: s in width characters, "..." ending it when it is longer,
 * padded to width unless it is the last of the line.
 */
static void
put_cell(FILE *f, const char *s, size_t n, size_t width, bool last)
{
	size_t	 w;

	if (safe_chars(s, n) <= width)
		w = put_safe(f, s, n, width, false, "", NULL);
	else {
		w = put_safe(f, s, n, width - 3, false, "", NULL);
		fputs("...", f);
		w += 3;
	}
	if (!last)
		for (; w < width; w++)
			fputc(' ', f);
}

/* ---- options ---- */

static int
opt_status(struct fb_opts *o, const char *arg)
{
	char		 list[128], buf[64];
	const char	*p = arg, *st;
	size_t		 n, i;

	while (*p != '\0') {
		n = strcspn(p, ",");
		if (n == 0 || n >= sizeof(buf))
			goto bad;
		memcpy(buf, p, n);
		buf[n] = '\0';
		if ((st = hark_vocab_intern(hark_vocab_status, buf, NULL)) ==
		    NULL)
			goto bad;
		for (i = 0; i < o->nstatuses && o->statuses[i] != st; i++)
			;
		if (i == o->nstatuses)
			o->statuses[o->nstatuses++] = st;
		p += n;
		if (*p == ',' && *++p == '\0')
			goto bad;
	}
	if (o->nstatuses > 0)
		return CTL_OK;
bad:
	return ctl_usage_error("--status: '%s' is not a list of statuses (%s)",
	    arg, hark_vocab_join(hark_vocab_status, list, sizeof(list)));
}

/* Trimmed and lower case, as PATCH stores labels. */
static int
opt_label(struct fb_opts *o, const char *arg)
{
	size_t	 a = 0, b = strlen(arg), k;

	while (a < b && isspace((unsigned char)arg[a]))
		a++;
	while (b > a && isspace((unsigned char)arg[b - 1]))
		b--;
	if (b == a || b - a >= sizeof(o->label) ||
	    safe_chars(arg + a, b - a) > HARK_LABEL_MAX)
		return ctl_usage_error("--label: a label is 1 to %d characters",
		    HARK_LABEL_MAX);
	for (k = a; k < b; k++) {
		if ((unsigned char)arg[k] < 0x20 || arg[k] == 0x7f)
			return ctl_usage_error("--label: a label holds no "
			    "control characters");
		o->label[k - a] = (char)tolower((unsigned char)arg[k]);
	}
	o->label[b - a] = '\0';
	o->label_set = true;
	return CTL_OK;
}

/*
 * --since: an RFC 3339 date-time, a date YYYY-MM-DD (midnight UTC), or a
 * time ago: N followed by d (days) or h (hours).
 */
static int
opt_since(struct fb_opts *o, const char *arg)
{
	char		 rfc[64], *end;
	size_t		 len = strlen(arg);
	unsigned long	 n;
	struct timespec	 now;

	if (len > 1 && isdigit((unsigned char)arg[0]) &&
	    (arg[len - 1] == 'd' || arg[len - 1] == 'h') &&
	    strspn(arg, "0123456789") == len - 1) {
		errno = 0;
		n = strtoul(arg, &end, 10);
		if (errno != 0 || n > 36500UL * 24)
			goto bad;
		if (arg[len - 1] == 'd' && n > 36500)
			goto bad;
		clock_gettime(CLOCK_REALTIME, &now);
		now.tv_sec -= (time_t)n * (arg[len - 1] == 'd' ? 86400 : 3600);
		now.tv_nsec = 0;
		if (now.tv_sec < 0 ||
		    hark_ts_format_rfc3339(now, rfc, sizeof(rfc)) == -1)
			goto bad;
	} else if (len == 10)
		snprintf(rfc, sizeof(rfc), "%sT00:00:00Z", arg);
	else if (len < sizeof(rfc))
		snprintf(rfc, sizeof(rfc), "%s", arg);
	else
		goto bad;
	if (!hark_ts_valid_rfc3339(rfc, strlen(rfc)) ||
	    hark_ts_from_rfc3339(rfc, o->since) == -1)
		goto bad;
	o->since_set = true;
	return CTL_OK;
bad:
	return ctl_usage_error("--since: '%s' is not a time: an RFC 3339 "
	    "date-time (2026-04-09T10:30:00Z), a date (2026-04-09) or a time "
	    "ago (7d, 24h)", arg);
}

static int
opt_format(struct fb_opts *o, const char *arg, const char *const *allowed)
{
	static const struct {
		const char	*name;
		enum fb_format	 f;
	} names[] = {
		{ "table", FMT_TABLE }, { "json", FMT_JSON }, { "csv", FMT_CSV },
		{ "jsonl", FMT_JSONL }, { "text", FMT_TEXT },
	};
	char	 list[64];
	size_t	 i, k;

	for (k = 0; allowed[k] != NULL; k++)
		if (strcmp(arg, allowed[k]) == 0)
			for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
				if (strcmp(arg, names[i].name) == 0) {
					o->format = names[i].f;
					return CTL_OK;
				}
	return ctl_usage_error("--format: '%s' is not one of %s", arg,
	    hark_vocab_join(allowed, list, sizeof(list)));
}

enum { OPT_STATUS = 256, OPT_CATEGORY, OPT_LABEL, OPT_SINCE,
	OPT_QUARANTINED, OPT_LIMIT, OPT_FORMAT, OPT_OUTPUT };

/*
 * The options of list, show and export (argv[1] is the subcommand), each
 * taking those its flags allow, and at most one operand into *operand.
 */
#define FB_FILTERS	0x1
#define FB_LIMIT	0x2
#define FB_OUTPUT	0x4

static int
parse_opts(int argc, char **argv, unsigned allow, const char *const *formats,
    struct fb_opts *o, const char **operand, const char *usage)
{
	static const struct option	 opts[] = {
		{ "status", required_argument, NULL, OPT_STATUS },
		{ "category", required_argument, NULL, OPT_CATEGORY },
		{ "label", required_argument, NULL, OPT_LABEL },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "quarantined", required_argument, NULL, OPT_QUARANTINED },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "output", required_argument, NULL, OPT_OUTPUT },
		{ NULL, 0, NULL, 0 }
	};
	char				 list[128], *end;
	int				 ch, rc, li;

	*operand = NULL;
	ctl_getopt_reset();
	opterr = 0;
	/* argv + 1: the subcommand is getopt's argv[0]. */
	while ((ch = getopt_long(argc - 1, argv + 1, ":", opts, &li)) != -1) {
		rc = CTL_OK;
		if ((ch >= OPT_STATUS && ch <= OPT_QUARANTINED &&
		    !(allow & FB_FILTERS)) ||
		    (ch == OPT_LIMIT && !(allow & FB_LIMIT)) ||
		    (ch == OPT_OUTPUT && !(allow & FB_OUTPUT)))
			return ctl_usage_error("%s takes no --%s", usage,
			    opts[li].name);
		switch (ch) {
		case OPT_STATUS:
			rc = opt_status(o, optarg);
			break;
		case OPT_CATEGORY:
			o->category = hark_vocab_intern(hark_vocab_category,
			    optarg, NULL);
			if (o->category == NULL)
				return ctl_usage_error("--category: '%s' is not "
				    "one of %s", optarg, hark_vocab_join(
				    hark_vocab_category, list, sizeof(list)));
			break;
		case OPT_LABEL:
			rc = opt_label(o, optarg);
			break;
		case OPT_SINCE:
			rc = opt_since(o, optarg);
			break;
		case OPT_QUARANTINED:
			/* The API's ?quarantined=: items held as spam. */
			if (strcmp(optarg, "false") == 0)
				o->quarantined = 0;
			else if (strcmp(optarg, "true") == 0)
				o->quarantined = 1;
			else if (strcmp(optarg, "all") == 0)
				o->quarantined = -1;
			else
				return ctl_usage_error("--quarantined: '%s' is "
				    "not one of false, true, all", optarg);
			break;
		case OPT_LIMIT:
			errno = 0;
			o->limit = strtoul(optarg, &end, 10);
			if (!isdigit((unsigned char)optarg[0]) || *end != '\0' ||
			    errno != 0 || o->limit < 1 || o->limit > FB_LIST_MAX)
				return ctl_usage_error("--limit: '%s' is not a "
				    "number of items (1 to %lu)", optarg,
				    FB_LIST_MAX);
			break;
		case OPT_FORMAT:
			rc = opt_format(o, optarg, formats);
			break;
		case OPT_OUTPUT:
			if (optarg[0] == '\0')
				return ctl_usage_error("--output: a file name");
			o->output = optarg;
			break;
		case ':':
			return ctl_usage_error("%s: %s needs a value", usage,
			    argv[optind]);
		default:
			/* getopt has stepped past it: argv[optind] in ours. */
			return ctl_usage_error("%s: unknown option '%s'", usage,
			    argv[optind]);
		}
		if (rc != CTL_OK)
			return rc;
	}
	if (optind < argc - 1)
		*operand = argv[1 + optind];
	if (optind + 1 < argc - 1)
		return ctl_usage_error("%s: unexpected argument '%s'", usage,
		    argv[2 + optind]);
	return CTL_OK;
}

/* ---- walking a project in pages ---- */

struct walk {
	struct ctl		*ctl;
	const char		*project;
	struct hark_feedback_filter f;
	enum fb_format		 format;
	FILE			*out;
	unsigned long		 want;		/* 0: every row */
	unsigned long		 seen;
	unsigned		 in_page;
	char			 last_ts[HARK_STORE_TS_SIZE];
	char			 last_id[HARK_ID_SIZE];
	struct json_object	*page[FB_PAGE_ROWS];
	size_t			 npage;
	int			 failed;	/* out of memory */
};

static void
put_labels_joined(FILE *f, const struct hark_feedback *fb, const char *sep)
{
	const char	*p, *end, *nl;

	if (fb->labels == NULL)
		return;
	for (p = fb->labels, end = p + fb->labels_len; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (p != fb->labels)
			fputs(sep, f);
		fwrite(p, 1, (size_t)(nl - p), f);
	}
}

#define TABLE_FMT	"%-29s  %-16s  %-11s  %3s  %-15s  %6s  "

static void
table_header(FILE *f)
{
	fprintf(f, TABLE_FMT "%-*s  %s\n", "ID", "CREATED (UTC)", "STATUS",
	    "PRI", "CATEGORY", "IMPACT", FB_LABEL_CHARS, "LABELS", "TEXT");
}

static void
table_row(FILE *f, const struct hark_feedback *fb)
{
	char	 pri[16], impact[16], created[17];
	char	*labels = NULL;
	size_t	 len = 0;
	FILE	*m;

	if (fb->priority >= 0)
		snprintf(pri, sizeof(pri), "%d", fb->priority);
	else
		snprintf(pri, sizeof(pri), "-");
	snprintf(impact, sizeof(impact), "%d", fb->impact);
	snprintf(created, sizeof(created), "%.16s", fb->created_at);
	fprintf(f, TABLE_FMT, fb->id, created, fb->status, pri, fb->category,
	    impact);
	if ((m = open_memstream(&labels, &len)) != NULL) {
		put_labels_joined(m, fb, ",");
		fclose(m);
	}
	put_cell(f, labels != NULL ? labels : "", len, FB_LABEL_CHARS, false);
	free(labels);
	fputs("  ", f);
	put_cell(f, fb->text != NULL ? fb->text : "", fb->text_len,
	    FB_TEXT_CHARS, true);
	fputc('\n', f);
}

/* ---- CSV (RFC 4180) ---- */

static const char *const csv_columns[] = {
	"id", "createdAt", "status", "priority", "category", "triagedBy",
	"sentiment", "sentimentScore", "impactScore", "channel", "quarantined",
	"labels",
	"page", "userEmail", "userId", "userName", "summary", "title",
	"language", "resolvedAt", "resolutionNote", "text", NULL
};

/*
 * One quoted field.  A cell that a spreadsheet would read as a formula
 * (starting with = + - @, or a tab or carriage return that hides one) gets
 * a leading ' (OWASP's CSV injection advice); numbers hark formats itself
 * are written as they are.  A NUL byte (the text may hold one) is written
 * as U+FFFD, which CSV readers take.
 */
static void
csv_field(FILE *f, const char *s, size_t n, bool number, bool first)
{
	size_t	 i;

	if (!first)
		fputc(',', f);
	fputc('"', f);
	if (!number && n > 0 && s[0] != '\0' &&
	    strchr("=+-@\t\r", s[0]) != NULL)
		fputc('\'', f);
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			fputs("\"\"", f);
		else if (s[i] == '\0')
			fputs("\xef\xbf\xbd", f);
		else
			fputc(s[i], f);
	}
	fputc('"', f);
}

static void
csv_str(FILE *f, const char *s, size_t n)
{
	csv_field(f, s != NULL ? s : "", s != NULL ? n : 0, false, false);
}

static void
csv_cstr(FILE *f, const char *s)
{
	csv_str(f, s, s != NULL ? strlen(s) : 0);
}

static void
csv_header(FILE *f)
{
	size_t	 i;

	for (i = 0; csv_columns[i] != NULL; i++)
		csv_field(f, csv_columns[i], strlen(csv_columns[i]), false,
		    i == 0);
	fputs("\r\n", f);
}

static void
csv_row(FILE *f, const struct hark_feedback *fb)
{
	char	 ts[40], num[32];
	char	*labels = NULL;
	size_t	 len = 0;
	FILE	*m;

	hark_ts_to_rfc3339(fb->created_at, ts, sizeof(ts));
	csv_field(f, fb->id, strlen(fb->id), false, true);
	csv_cstr(f, ts);
	csv_cstr(f, fb->status);
	if (fb->priority >= 0)
		snprintf(num, sizeof(num), "%d", fb->priority);
	else
		num[0] = '\0';
	csv_field(f, num, strlen(num), true, false);
	csv_cstr(f, fb->category);
	csv_cstr(f, fb->triaged_by);
	csv_cstr(f, fb->sentiment);
	snprintf(num, sizeof(num), "%.3f", fb->sentiment_score);
	csv_field(f, num, strlen(num), true, false);
	snprintf(num, sizeof(num), "%d", fb->impact);
	csv_field(f, num, strlen(num), true, false);
	csv_cstr(f, fb->channel);
	csv_cstr(f, fb->quarantined ? "true" : "false");
	/* One label a line, as the store keeps them: a label has no newline. */
	if ((m = open_memstream(&labels, &len)) != NULL) {
		put_labels_joined(m, fb, "\n");
		fclose(m);
	}
	csv_str(f, labels != NULL ? labels : "", len);
	free(labels);
	csv_str(f, fb->page, fb->page_len);
	csv_str(f, fb->user_email, fb->user_email_len);
	csv_str(f, fb->user_id, fb->user_id_len);
	csv_str(f, fb->user_name, fb->user_name_len);
	csv_str(f, fb->summary, fb->summary_len);
	csv_str(f, fb->title, fb->title_len);
	csv_cstr(f, fb->language);
	if (fb->resolved_at[0] != '\0')
		hark_ts_to_rfc3339(fb->resolved_at, ts, sizeof(ts));
	else
		ts[0] = '\0';
	csv_cstr(f, ts);
	csv_str(f, fb->resolution_note, fb->resolution_note_len);
	csv_str(f, fb->text, fb->text_len);
	fputs("\r\n", f);
}

/* ---- the walk ---- */

static void
put_json(FILE *f, struct json_object *o)
{
	const char	*s;
	size_t		 len;

	s = json_object_to_json_string_length(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (s != NULL)
		fwrite(s, 1, len, f);
}

static int
walk_row(void *ctx, const struct hark_feedback *fb)
{
	struct walk		*w = ctx;
	struct json_object	*o;

	w->in_page++;
	w->seen++;
	snprintf(w->last_ts, sizeof(w->last_ts), "%s", fb->created_at);
	snprintf(w->last_id, sizeof(w->last_id), "%s", fb->id);
	switch (w->format) {
	case FMT_TABLE:
		table_row(w->out, fb);
		break;
	case FMT_CSV:
		csv_row(w->out, fb);
		break;
	default:
		if (w->npage == FB_PAGE_ROWS ||
		    (o = hark_feedback_json(fb)) == NULL) {
			w->failed = 1;
			return 1;
		}
		w->page[w->npage++] = o;
		break;
	}
	return 0;
}

/* The page's JSON views with their media, written and freed. */
static int
walk_flush(struct walk *w)
{
	size_t	 i;
	int	 rc = HARK_STORE_OK;

	if (w->npage > 0)
		rc = hark_feedback_media_json(w->ctl->db, w->project,
		    w->ctl->conf.base_path, w->page, w->npage);
	for (i = 0; i < w->npage; i++) {
		if (rc == HARK_STORE_OK) {
			if (w->format == FMT_JSON)
				fputs(w->seen - w->npage + i == 0 ? "\n" :
				    ",\n", w->out);
			put_json(w->out, w->page[i]);
			if (w->format == FMT_JSONL)
				fputc('\n', w->out);
		}
		json_object_put(w->page[i]);
	}
	w->npage = 0;
	return rc;
}

/* Every row of w's filter, up to w->want, page after page. */
static int
walk_all(struct walk *w)
{
	unsigned	 page;
	int		 rc, frc;

	if (w->format == FMT_TABLE)
		table_header(w->out);
	else if (w->format == FMT_CSV)
		csv_header(w->out);
	else if (w->format == FMT_JSON)
		fputc('[', w->out);
	for (;;) {
		page = FB_PAGE_ROWS;
		if (w->want > 0 && w->want - w->seen < page)
			page = (unsigned)(w->want - w->seen);
		w->f.limit = page;
		w->in_page = 0;
		rc = hark_feedback_list(w->ctl->db, w->project, &w->f, walk_row,
		    w);
		frc = walk_flush(w);
		if (w->failed)
			return HARK_STORE_NOMEM;
		if (rc != HARK_STORE_OK)
			return rc;
		if (frc != HARK_STORE_OK)
			return frc;
		if (ferror(w->out))
			return HARK_STORE_OK;	/* the caller reports it */
		if (w->in_page < page || (w->want > 0 && w->seen >= w->want))
			break;
		/* Keyset: the rows strictly before the last one served. */
		w->f.cursor_ts = w->last_ts;
		w->f.cursor_id = w->last_id;
	}
	if (w->format == FMT_JSON)
		fputs(w->seen > 0 ? "\n]\n" : "]\n", w->out);
	return HARK_STORE_OK;
}

static void
walk_init(struct walk *w, struct ctl *ctl, const struct fb_opts *o, FILE *out)
{
	size_t	 i;

	memset(w, 0, sizeof(*w));
	w->ctl = ctl;
	w->project = o->project;
	w->format = o->format;
	w->out = out;
	w->want = o->limit;
	for (i = 0; i < o->nstatuses; i++)
		w->f.statuses[i] = o->statuses[i];
	/* One status is the index's (feedback_status) plain equality. */
	if (o->nstatuses == 1)
		w->f.status = o->statuses[0];
	else
		w->f.nstatuses = o->nstatuses;
	w->f.category = o->category;
	w->f.label = o->label_set ? o->label : NULL;
	w->f.since = o->since_set ? o->since : NULL;
	w->f.quarantined = o->quarantined;
}

/* ---- list ---- */

struct one_project {
	char	 id[HARK_ID_SIZE];
	long	 n;
};

static int
count_project(void *ctx, const char *id, const char *name,
    const char *created_at, long long nkeys)
{
	struct one_project	*op = ctx;

	if (op->n++ == 0)
		snprintf(op->id, sizeof(op->id), "%s", id);
	return 0;
}

/*
 * PROJECT may be left out when the database has one project (the common
 * case of a team with one product); with several, naming none is a usage
 * error rather than a listing of them all mixed.
 */
static int
default_project(struct ctl *ctl, struct fb_opts *o, char id[HARK_ID_SIZE])
{
	struct one_project	 op = { "", 0 };
	int			 rc;

	rc = hark_store_project_list(ctl->db, count_project, &op);
	if (rc != HARK_STORE_OK)
		return ctl_store_error(ctl, "feedback list", rc);
	if (op.n == 0) {
		fprintf(stderr, "harkctl: feedback list: there is no project "
		    "yet (harkctl project create NAME)\n");
		return CTL_FAIL;
	}
	if (op.n > 1)
		return ctl_usage_error("feedback list: the database has %ld "
		    "projects: name one (harkctl project list)", op.n);
	memcpy(id, op.id, HARK_ID_SIZE);
	o->project = id;
	return CTL_OK;
}

/* A store result in words; NOMEM is ours, not the server's. */
static int
fb_store_error(struct ctl *ctl, const char *what, int rc)
{
	if (rc == HARK_STORE_NOMEM) {
		fprintf(stderr, "harkctl: %s: out of memory\n", what);
		return CTL_FAIL;
	}
	return ctl_store_error(ctl, what, rc);
}

static int
output_error(const char *what, const char *path)
{
	fprintf(stderr, "harkctl: %s: writing %s: %s\n", what,
	    path != NULL ? path : "standard output", strerror(errno));
	return CTL_FAIL;
}

static int
feedback_list(struct ctl *ctl, int argc, char **argv)
{
	static const char *const formats[] = { "table", "json", "csv", NULL };
	struct fb_opts	 o;
	struct walk	*w;
	char		 id[HARK_ID_SIZE];
	int		 rc;

	memset(&o, 0, sizeof(o));
	o.limit = FB_LIST_DEFAULT;
	o.format = FMT_TABLE;
	if ((rc = parse_opts(argc, argv, FB_FILTERS | FB_LIMIT, formats, &o,
	    &o.project, "feedback list")) != CTL_OK)
		return rc;
	if (ctl_open(ctl) != CTL_OK)
		return CTL_FAIL;
	if (o.project == NULL) {
		if ((rc = default_project(ctl, &o, id)) != CTL_OK)
			return rc;
	} else if (ctl_need_project(ctl, o.project) != CTL_OK)
		return CTL_FAIL;
	if ((w = malloc(sizeof(*w))) == NULL) {
		fprintf(stderr, "harkctl: out of memory\n");
		return CTL_FAIL;
	}
	walk_init(w, ctl, &o, stdout);
	rc = walk_all(w);
	free(w);
	if (rc != HARK_STORE_OK)
		return fb_store_error(ctl, "feedback list", rc);
	if (fflush(stdout) == EOF || ferror(stdout))
		return output_error("feedback list", NULL);
	return CTL_OK;
}

/* ---- export ---- */

static int
feedback_export(struct ctl *ctl, int argc, char **argv)
{
	static const char *const formats[] = { "jsonl", "csv", NULL };
	struct fb_opts	 o;
	struct walk	*w = NULL;
	FILE		*out = stdout;
	char		 detail[64];
	int		 rc, fd, status = CTL_FAIL;

	memset(&o, 0, sizeof(o));
	o.format = FMT_JSONL;
	o.quarantined = -1;	/* every row, held ones too */
	if ((rc = parse_opts(argc, argv, FB_FILTERS | FB_OUTPUT, formats, &o,
	    &o.project, "feedback export")) != CTL_OK)
		return rc;
	if (o.project == NULL)
		return ctl_usage_error("feedback export needs a PROJECT");
	if (ctl_open(ctl) != CTL_OK || ctl_need_project(ctl, o.project) !=
	    CTL_OK)
		return CTL_FAIL;
	if (o.output != NULL) {
		/* Reporters' addresses are in it: the owner's alone. */
		fd = open(o.output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
		    O_NOCTTY, 0600);
		if (fd == -1 || (out = fdopen(fd, "w")) == NULL) {
			fprintf(stderr, "harkctl: feedback export: %s: %s\n",
			    o.output, strerror(errno));
			if (fd != -1)
				close(fd);
			return CTL_FAIL;
		}
	}
	if ((w = malloc(sizeof(*w))) == NULL) {
		fprintf(stderr, "harkctl: out of memory\n");
		goto out;
	}
	walk_init(w, ctl, &o, out);
	if ((rc = walk_all(w)) != HARK_STORE_OK) {
		fb_store_error(ctl, "feedback export", rc);
		goto out;
	}
	if (fflush(out) == EOF || ferror(out)) {
		output_error("feedback export", o.output);
		goto out;
	}
	if (o.output != NULL)
		fprintf(stderr, "harkctl: exported %lu item(s) to %s\n", w->seen,
		    o.output);
	/* A project's reporters, in bulk, leaving the database: on record. */
	snprintf(detail, sizeof(detail), "format=%s rows=%lu",
	    o.format == FMT_CSV ? "csv" : "jsonl", w->seen);
	if ((rc = hark_store_audit(ctl->db, o.project, NULL, "feedback_export",
	    NULL, detail)) != HARK_STORE_OK)
		fprintf(stderr, "harkctl: feedback export: warning: not "
		    "recorded in the audit trail: %s\n",
		    hark_store_errmsg(ctl->db));
	status = CTL_OK;
out:
	free(w);
	if (out != stdout && fclose(out) == EOF && status == CTL_OK)
		status = output_error("feedback export", o.output);
	/* A half export must not pass for a whole one. */
	if (out != stdout && status != CTL_OK)
		unlink(o.output);
	return status;
}

/* ---- show ---- */

struct comments_acc {
	struct json_object	*arr;
	char			 last[HARK_ID_SIZE];
	unsigned		 n;
	int			 failed;
};

static int
comment_row(void *ctx, const struct hark_comment *cm)
{
	struct comments_acc	*acc = ctx;
	struct json_object	*o;

	if ((o = hark_comment_json(cm)) == NULL) {
		acc->failed = 1;
		return 1;
	}
	json_object_array_add(acc->arr, o);
	snprintf(acc->last, sizeof(acc->last), "%s", cm->id);
	acc->n++;
	return 0;
}

/* Every comment of the item, oldest first, into arr. */
static int
all_comments(struct ctl *ctl, const char *project, const char *id,
    struct json_object *arr)
{
	struct comments_acc	 acc = { arr, "", 0, 0 };
	bool			 found;
	int			 rc;

	do {
		acc.n = 0;
		rc = hark_store_comment_list(ctl->db, project, id,
		    acc.last[0] != '\0' ? acc.last : NULL, FB_COMMENT_PAGE,
		    comment_row, &acc, &found);
		if (acc.failed)
			return HARK_STORE_NOMEM;
		if (rc != HARK_STORE_OK)
			return rc;
	} while (acc.n == FB_COMMENT_PAGE);
	return HARK_STORE_OK;
}

static const char *
jstr(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return NULL;
	return json_object_get_string(v);
}

/* "name    value", the value made safe; nothing when value is NULL. */
static void
show_line(FILE *f, const char *name, const char *value, size_t len)
{
	if (value == NULL)
		return;
	fprintf(f, "%-12s", name);
	put_safe(f, value, len, 0, true, "            ", NULL);
	fputc('\n', f);
}

static void
show_cstr(FILE *f, const char *name, const char *value)
{
	if (value != NULL && value[0] != '\0')
		show_line(f, name, value, strlen(value));
}

static void
show_text(FILE *f, const struct hark_feedback *fb, struct json_object *view)
{
	struct json_object	*arr, *m;
	char			 buf[256];
	size_t			 i, n;

	fprintf(f, "%s\n", fb->id);
	show_cstr(f, "project", fb->project_id);
	show_cstr(f, "created", jstr(view, "createdAt"));
	if (fb->updated_at[0] != '\0') {
		hark_ts_to_rfc3339(fb->updated_at, buf, sizeof(buf));
		show_cstr(f, "updated", buf);
	}
	show_cstr(f, "status", fb->status);
	if (fb->priority >= 0)
		snprintf(buf, sizeof(buf), "%d", fb->priority);
	else
		snprintf(buf, sizeof(buf), "-");
	show_cstr(f, "priority", buf);
	snprintf(buf, sizeof(buf), "%s (triaged by %s)", fb->category,
	    fb->triaged_by != NULL ? fb->triaged_by : "nobody yet");
	show_cstr(f, "category", buf);
	snprintf(buf, sizeof(buf), "%s (%.3f)", fb->sentiment,
	    fb->sentiment_score);
	show_cstr(f, "sentiment", buf);
	snprintf(buf, sizeof(buf), "%d", fb->impact);
	show_cstr(f, "impact", buf);
	show_cstr(f, "channel", fb->channel);
	if (fb->spam >= 0)
		show_cstr(f, "spam", fb->spam ? "yes" : "no");
	if (fb->quarantined)
		show_cstr(f, "quarantined", "yes (held as spam)");
	show_line(f, "page", fb->page, fb->page_len);
	show_line(f, "email", fb->user_email, fb->user_email_len);
	show_line(f, "user id", fb->user_id, fb->user_id_len);
	show_line(f, "user name", fb->user_name, fb->user_name_len);
	show_line(f, "user traits", fb->user_traits, fb->user_traits_len);
	show_cstr(f, "session", fb->session_id);
	show_cstr(f, "locale", fb->locale);
	show_cstr(f, "language", fb->language);
	if (fb->labels != NULL) {
		char	*labels = NULL;
		size_t	 len = 0;
		FILE	*mf;

		if ((mf = open_memstream(&labels, &len)) != NULL) {
			put_labels_joined(mf, fb, ", ");
			fclose(mf);
			show_line(f, "labels", labels, len);
		}
		free(labels);
	}
	show_cstr(f, "resolved", jstr(view, "resolvedAt"));
	show_line(f, "resolution", fb->resolution_note,
	    fb->resolution_note_len);
	show_line(f, "title", fb->title, fb->title_len);
	show_line(f, "summary", fb->summary, fb->summary_len);
	show_line(f, "metadata", fb->metadata, fb->metadata_len);
	show_line(f, "extra", fb->extra, fb->extra_len);
	if (fb->context != NULL)
		fprintf(f, "%-12s%zu bytes (--format json shows it)\n",
		    "context", fb->context_len);
	fputs("text\n    ", f);
	put_safe(f, fb->text != NULL ? fb->text : "", fb->text_len, 0, true,
	    "    ", NULL);
	fputc('\n', f);
	if (json_object_object_get_ex(view, "comments", &arr) &&
	    (n = json_object_array_length(arr)) > 0) {
		fprintf(f, "comments (%zu)\n", n);
		for (i = 0; i < n; i++) {
			struct json_object	*body;
			const char		*aid;

			m = json_object_array_get_idx(arr, i);
			fprintf(f, "  %s  %s", jstr(m, "createdAt"),
			    jstr(m, "authorType"));
			if ((aid = jstr(m, "authorId")) != NULL) {
				fputs(" (", f);
				put_safe(f, aid, strlen(aid), 0, false, "", NULL);
				fputc(')', f);
			}
			fputs("\n    ", f);
			if (json_object_object_get_ex(m, "body", &body))
				put_safe(f, json_object_get_string(body),
				    (size_t)json_object_get_string_len(body), 0,
				    true, "    ", NULL);
			fputc('\n', f);
		}
	}
	if (json_object_object_get_ex(view, "media", &arr) &&
	    (n = json_object_array_length(arr)) > 0) {
		fprintf(f, "media (%zu)\n", n);
		for (i = 0; i < n; i++) {
			m = json_object_array_get_idx(arr, i);
			fprintf(f, "  %-10s  %-24s  %10s bytes  %s%s  %s\n",
			    jstr(m, "kind"), jstr(m, "contentType"),
			    jstr(m, "bytes"),
			    jstr(m, "durationMs") != NULL ?
			    jstr(m, "durationMs") : "-",
			    jstr(m, "durationMs") != NULL ? " ms" : "",
			    jstr(m, "url"));
		}
	}
}

static int
feedback_show(struct ctl *ctl, int argc, char **argv)
{
	static const char *const formats[] = { "text", "json", NULL };
	struct fb_opts		 o;
	struct hark_feedback	 fb;
	struct json_object	*view = NULL, *comments;
	char			 project[HARK_ID_SIZE];
	const char		*id;
	int			 rc, status = CTL_FAIL;

	memset(&o, 0, sizeof(o));
	memset(&fb, 0, sizeof(fb));
	o.format = FMT_TEXT;
	if ((rc = parse_opts(argc, argv, 0, formats, &o, &id,
	    "feedback show")) != CTL_OK)
		return rc;
	if (id == NULL)
		return ctl_usage_error("feedback show needs an ID (fb_...)");
	if (ctl_open(ctl) != CTL_OK)
		return CTL_FAIL;
	if (!hark_id_valid(HARK_ID_FEEDBACK, id)) {
		fprintf(stderr, "harkctl: '%s' is not a feedback id (fb_...)\n",
		    id);
		return CTL_FAIL;
	}
	rc = hark_store_feedback_project(ctl->db, id, project);
	if (rc == HARK_STORE_OK)
		rc = hark_feedback_get(ctl->db, project, id, &fb);
	if (rc == HARK_STORE_NOT_FOUND) {
		fprintf(stderr, "harkctl: no such feedback item: %s\n", id);
		return CTL_FAIL;
	}
	if (rc != HARK_STORE_OK)
		return ctl_store_error(ctl, "feedback show", rc);
	if ((view = hark_feedback_json(&fb)) == NULL ||
	    (comments = json_object_new_array()) == NULL) {
		rc = HARK_STORE_NOMEM;
		goto fail;
	}
	json_object_object_add(view, "comments", comments);
	if ((rc = hark_feedback_media_json(ctl->db, project,
	    ctl->conf.base_path, &view, 1)) != HARK_STORE_OK ||
	    (rc = all_comments(ctl, project, id, comments)) != HARK_STORE_OK)
		goto fail;
	if (o.format == FMT_JSON) {
		put_json(stdout, view);
		fputc('\n', stdout);
	} else
		show_text(stdout, &fb, view);
	if (fflush(stdout) == EOF || ferror(stdout))
		status = output_error("feedback show", NULL);
	else
		status = CTL_OK;
	goto out;
fail:
	status = fb_store_error(ctl, "feedback show", rc);
out:
	json_object_put(view);
	hark_feedback_clear(&fb);
	return status;
}

int
ctl_cmd_feedback(struct ctl *ctl, int argc, char **argv)
{
	if (argc < 2)
		return ctl_usage_error("feedback needs list, show or export");
	if (strcmp(argv[1], "list") == 0)
		return feedback_list(ctl, argc, argv);
	if (strcmp(argv[1], "show") == 0)
		return feedback_show(ctl, argc, argv);
	if (strcmp(argv[1], "export") == 0)
		return feedback_export(ctl, argc, argv);
	return ctl_usage_error("unknown feedback command '%s'", argv[1]);
}
