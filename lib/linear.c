/*
 * linear.c: Linear's GraphQL requests and answers, and the Markdown of a
 * ticket (see linear.h).  Pure: batch/linear.c sends what this makes.
 *
 * Why escape everything the submitter wrote: a ticket is read by the team
 * in Linear, where Markdown renders; a message holding ![x](https://...)
 * would load an image from anywhere when the ticket is opened, a [link]
 * would hide its target.  A backslash before ASCII punctuation is
 * CommonMark's way of saying "this character, literally", so the text
 * reads as sent.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "json.h"
#include "linear.h"
#include "utf8.h"

#define MD_PUNCT	"\\`*_{}[]()#+-.!|<>~&="
#define REPLACEMENT	"\xef\xbf\xbd"
#define ELLIPSIS	"\xe2\x80\xa6"

#define T_ESCAPE	1	/* backslash Markdown punctuation */
#define T_LINES		2	/* keep line breaks (else a space) */
#define T_QUOTE		4	/* and start each new line with "> " */

static const char ISSUE_CREATE[] =
    "mutation HarkIssueCreate($input: IssueCreateInput!) { "
    "issueCreate(input: $input) { success issue { id identifier url } } }";
static const char ISSUE_GET[] =
    "query HarkIssue($id: String!) { issue(id: $id) { id identifier url } }";
static const char COMMENT_CREATE[] =
    "mutation HarkCommentCreate($input: CommentCreateInput!) { "
    "commentCreate(input: $input) { success comment { id } } }";

/*
 * Appends len bytes of untrusted text as how says; a control character is
 * a space, a byte that is not UTF-8 is U+FFFD.  0 or -1.
 */
static int
put_text(struct hark_buf *b, const char *s, size_t len, int how)
{
	size_t		 i = 0, n;
	uint32_t	 cp;
	unsigned char	 c;
	int		 rc = 0;

	while (i < len && rc == 0) {
		c = (unsigned char)s[i];
		if (c == '\r' && i + 1 < len && s[i + 1] == '\n') {
			i++;
			continue;
		}
		if (c == '\n' || c == '\r') {
			rc = hark_buf_puts(b, !(how & T_LINES) ? " " :
			    (how & T_QUOTE) ? "\n> " : "\n");
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			rc = hark_buf_puts(b, " ");
			i++;
		} else if (c < 0x80) {
			if ((how & T_ESCAPE) && strchr(MD_PUNCT, c) != NULL)
				rc = hark_buf_puts(b, "\\");
			if (rc == 0)
				rc = hark_buf_append(b, &s[i], 1);
			i++;
		} else if ((n = hark_utf8_decode(s + i, len - i, &cp)) == 0) {
			rc = hark_buf_puts(b, REPLACEMENT);
			i++;
		} else {
			/* C1 controls are controls too. */
			rc = cp < 0xa0 ? hark_buf_puts(b, " ") :
			    hark_buf_append(b, s + i, n);
			i += n;
		}
	}
	return rc;
}

/* The length of the longest valid UTF-8 prefix of s of at most max bytes. */
static size_t
utf8_cut(const char *s, size_t len, size_t max)
{
	size_t	 i = 0, n;
	uint32_t cp;

	while (i < len) {
		n = hark_utf8_decode(s + i, len - i, &cp);
		if (n == 0)
			n = 1;
		if (i + n > max)
			break;
		i += n;
	}
	return i;
}

static bool
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

/* Whether the word ending at s[end] (exclusive) is an abbreviation. */
static bool
abbreviation(const char *s, size_t end)
{
	static const char *const abbr[] = { "e.g", "i.e", "etc", "vs", "mr",
	    "mrs", "ms", "dr", "approx", "cf" };
	size_t	 start = end, i;

	while (start > 0 && !is_space((unsigned char)s[start - 1]))
		start--;
	for (i = 0; i < sizeof(abbr) / sizeof(abbr[0]); i++)
		if (end - start == strlen(abbr[i]) &&
		    strncasecmp(s + start, abbr[i], end - start) == 0)
			return true;
	return false;
}

size_t
hark_linear_first_sentence(const char *s, size_t len)
{
	size_t	 i = 0;

	while (i < len && is_space((unsigned char)s[i]))
		i++;
	for (; i < len; i++) {
		if (s[i] == '\n' || s[i] == '\r')
			return i;
		if ((s[i] == '.' || s[i] == '!' || s[i] == '?') &&
		    (i + 1 == len || is_space((unsigned char)s[i + 1])) &&
		    !(s[i] == '.' && abbreviation(s, i)))
			return i + 1;
		if (i + 3 <= len && (memcmp(s + i, ELLIPSIS, 3) == 0 ||
		    memcmp(s + i, "\xe3\x80\x82", 3) == 0) &&	/* U+3002 */
		    (i + 3 == len || is_space((unsigned char)s[i + 3]) ||
		    s[i] == '\xe3'))
			return i + 3;
	}
	return len;
}

/* Whether s holds anything but white space. */
static bool
has_words(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; s != NULL && i < len; i++)
		if (!is_space((unsigned char)s[i]) && s[i] != '\0')
			return true;
	return false;
}

/*
 * Copies s into out (outsize bytes) with white space and controls made
 * single spaces, none leading or trailing, invalid bytes U+FFFD; stops
 * before a sequence that does not fit.  Returns the bytes written.
 */
static size_t
collapse(const char *s, size_t len, char *out, size_t outsize)
{
	size_t		 i = 0, o = 0, n;
	uint32_t	 cp;
	unsigned char	 c;
	bool		 space = false;

	while (i < len) {
		c = (unsigned char)s[i];
		if (c < 0x20 || c == ' ' || c == 0x7f) {
			space = o > 0;
			i++;
			continue;
		}
		n = c < 0x80 ? 1 : hark_utf8_decode(s + i, len - i, &cp);
		if (n > 1 && cp < 0xa0) {
			space = o > 0;
			i += n;
			continue;
		}
		if (o + (space ? 1 : 0) + (n == 0 ? 3 : n) + 1 > outsize)
			break;
		if (space)
			out[o++] = ' ';
		space = false;
		if (n == 0) {
			memcpy(out + o, REPLACEMENT, 3);
			o += 3;
			i++;
		} else {
			memcpy(out + o, s + i, n);
			o += n;
			i += n;
		}
	}
	out[o] = '\0';
	return o;
}

void
hark_linear_title(const char *title, size_t title_len, const char *summary,
    size_t summary_len, const char *text, size_t text_len,
    const char *fallback, char *out, size_t outsize)
{
	char		 buf[HARK_LINEAR_TITLE_SIZE * 2];
	const char	*src = fallback;
	size_t		 len = strlen(fallback), o, i, cps, cut, space_at;
	size_t		 space_cps;
	uint32_t	 cp;

	if (has_words(title, title_len)) {
		src = title;
		len = title_len;
	} else if (has_words(summary, summary_len)) {
		src = summary;
		len = summary_len;
	} else if (has_words(text, text_len)) {
		src = text;
		len = hark_linear_first_sentence(text, text_len);
	}
	o = collapse(src, len, buf, sizeof(buf));
	/* cut: where the HARK_LINEAR_TITLE_MAX-th code point ends; the last
	 * space before it.  Collapsed text is valid UTF-8. */
	cut = space_at = space_cps = 0;
	for (i = 0, cps = 0; i < o && cps < HARK_LINEAR_TITLE_MAX; cps++) {
		if (buf[i] == ' ') {
			space_at = i;
			space_cps = cps;
		}
		i += hark_utf8_decode(buf + i, o - i, &cp);
	}
	if (i >= o) {
		snprintf(out, outsize, "%s", buf);
		return;
	}
	cut = i;
	/* Unless the limit falls on a word's end, back to the last space. */
	if (buf[i] != ' ' && space_cps >= HARK_LINEAR_TITLE_MAX / 2)
		cut = space_at;
	while (cut > 0 && strchr(" ,;:-", buf[cut - 1]) != NULL)
		cut--;
	snprintf(out, outsize, "%.*s" ELLIPSIS, (int)cut, buf);
}

/* "> " and text quoted, each line of it; a blank line after. */
static int
put_quote(struct hark_buf *b, const char *s, size_t len)
{
	size_t	 n = utf8_cut(s, len, HARK_LINEAR_TEXT_MAX);

	if (hark_buf_puts(b, "> ") == -1 ||
	    put_text(b, s, n, T_ESCAPE | T_LINES | T_QUOTE) == -1)
		return -1;
	if (n < len && hark_buf_puts(b, "\n>\n> *(cut)*") == -1)
		return -1;
	return hark_buf_puts(b, "\n\n");
}

static int
put_field(struct hark_buf *b, const char *label, const char *s, size_t len)
{
	if (hark_buf_printf(b, "- **%s:** ", label) == -1 ||
	    put_text(b, s, len, T_ESCAPE) == -1)
		return -1;
	return hark_buf_puts(b, "\n");
}

static int
put_reporter(struct hark_buf *b, const struct hark_linear_item *it)
{
	const char	*sep = "";

	if (!has_words(it->user_name, it->user_name_len) &&
	    !has_words(it->user_email, it->user_email_len) &&
	    !has_words(it->user_id, it->user_id_len))
		return 0;
	if (hark_buf_puts(b, "- **Reporter:** ") == -1)
		return -1;
	if (has_words(it->user_name, it->user_name_len)) {
		if (put_text(b, it->user_name, it->user_name_len, T_ESCAPE) == -1)
			return -1;
		sep = ", ";
	}
	if (has_words(it->user_email, it->user_email_len)) {
		if (hark_buf_puts(b, sep) == -1 || put_text(b, it->user_email,
		    it->user_email_len, T_ESCAPE) == -1)
			return -1;
		sep = ", ";
	}
	if (has_words(it->user_id, it->user_id_len) &&
	    (hark_buf_printf(b, "%suser id ", sep) == -1 ||
	    put_text(b, it->user_id, it->user_id_len, T_ESCAPE) == -1))
		return -1;
	return hark_buf_puts(b, "\n");
}

static bool
console_error(struct json_object *e)
{
	const char	*level;

	return json_object_is_type(e, json_type_object) &&
	    (level = hark_json_str(e, "level", NULL)) != NULL &&
	    strcasecmp(level, "error") == 0 &&
	    hark_json_str(e, "message", NULL) != NULL;
}

/* The longest run of '`' in s. */
static size_t
backtick_run(const char *s, size_t len)
{
	size_t	 i, run = 0, best = 0;

	for (i = 0; i < len; i++) {
		run = s[i] == '`' ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}

/* The last console errors of the context, in a fenced block. */
static int
put_console(struct hark_buf *b, const struct hark_linear_item *it)
{
	struct json_object	*top = NULL, *con, *e;
	struct hark_json_err	 jerr;
	struct hark_buf		 x = { NULL, 0, 0 };
	const char		*msg;
	size_t			 n, i, nerr = 0, shown = 0, mlen, cut, fence;
	int			 rc = -1;

	if (it->context == NULL || it->context_len == 0)
		return 0;
	if (hark_json_parse(it->context, it->context_len, &top, &jerr) == -1)
		return 0;	/* not ours to judge here: left out */
	if (!json_object_object_get_ex(top, "console", &con) ||
	    !json_object_is_type(con, json_type_array)) {
		rc = 0;
		goto out;
	}
	n = json_object_array_length(con);
	for (i = 0; i < n; i++)
		if (console_error(json_object_array_get_idx(con, i)))
			nerr++;
	if (nerr == 0) {
		rc = 0;
		goto out;
	}
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(con, i);
		if (!console_error(e) || nerr - shown++ > HARK_LINEAR_CONSOLE_LINES)
			continue;
		msg = hark_json_str(e, "message", &mlen);
		cut = utf8_cut(msg, mlen, HARK_LINEAR_CONSOLE_LINE);
		if (put_text(&x, msg, cut, 0) == -1 ||
		    (cut < mlen && hark_buf_puts(&x, ELLIPSIS) == -1) ||
		    hark_buf_puts(&x, "\n") == -1)
			goto out;
	}
	fence = backtick_run(x.data, x.len) + 1;
	if (fence < 3)
		fence = 3;
	if (hark_buf_printf(b, "\n**Console errors** (%s%zu):\n\n",
	    nerr > HARK_LINEAR_CONSOLE_LINES ? "the last of " : "", nerr) == -1)
		goto out;
	for (i = 0; i < fence; i++)
		if (hark_buf_puts(b, "`") == -1)
			goto out;
	if (hark_buf_puts(b, "\n") == -1 || hark_buf_append(b, x.data,
	    x.len) == -1)
		goto out;
	for (i = 0; i < fence; i++)
		if (hark_buf_puts(b, "`") == -1)
			goto out;
	rc = hark_buf_puts(b, "\n");
out:
	hark_buf_free(&x);
	json_object_put(top);
	return rc;
}

static int
put_media(struct hark_buf *b, const struct hark_linear_item *it)
{
	const char	*base = it->link_base != NULL ? it->link_base : "";
	int		 blen = (int)strlen(base);

	if (!it->has_audio && !it->has_screenshot)
		return 0;
	if (blen > 0 && base[blen - 1] == '/')
		blen--;
	if (hark_buf_puts(b, "\n**Media:**") == -1)
		return -1;
	if (it->has_audio && hark_buf_printf(b, " [audio](<%.*s/v1/feedback/%s/"
	    "media/audio>)", blen, base, it->id) == -1)
		return -1;
	if (it->has_screenshot && hark_buf_printf(b, "%s [screenshot](<%.*s/v1/"
	    "feedback/%s/media/screenshot>)", it->has_audio ? " ·" : "", blen,
	    base, it->id) == -1)
		return -1;
	return hark_buf_puts(b, "\n");
}

int
hark_linear_description(const struct hark_linear_item *it,
    struct hark_buf *out)
{
	if (has_words(it->text, it->text_len) &&
	    put_quote(out, it->text, it->text_len) == -1)
		return -1;
	if (has_words(it->page, it->page_len) &&
	    put_field(out, "Page", it->page, it->page_len) == -1)
		return -1;
	if (put_reporter(out, it) == -1)
		return -1;
	if (it->category != NULL && (hark_buf_printf(out, "- **Triage:** %s",
	    it->category) == -1 || (it->sentiment != NULL &&
	    hark_buf_printf(out, ", %s", it->sentiment) == -1) ||
	    (it->impact >= 0 && hark_buf_printf(out, ", impact %d",
	    it->impact) == -1) || hark_buf_puts(out, "\n") == -1))
		return -1;
	if (put_console(out, it) == -1 || put_media(out, it) == -1)
		return -1;
	return hark_buf_printf(out, "\n*From hark, item `%s`.*\n", it->id);
}

int
hark_linear_resolved_body(const char *status, const char *note,
    size_t note_len, struct hark_buf *out)
{
	bool	 resolved = strcmp(status, "done") == 0 ||
		    strcmp(status, "canceled") == 0;

	if (hark_buf_printf(out, resolved ? "Resolved in hark as **%s**." :
	    "Marked **%s** in hark.", status) == -1)
		return -1;
	if (has_words(note, note_len) && (hark_buf_puts(out, "\n\n") == -1 ||
	    put_quote(out, note, note_len) == -1))
		return -1;
	return 0;
}

int
hark_linear_comment_body(const char *author_type, const char *author_id,
    size_t author_id_len, const char *body, size_t body_len,
    struct hark_buf *out)
{
	if (hark_buf_printf(out, "Comment in hark by %s", author_type) == -1)
		return -1;
	if (has_words(author_id, author_id_len) && (hark_buf_puts(out,
	    " (") == -1 || put_text(out, author_id, author_id_len,
	    T_ESCAPE) == -1 || hark_buf_puts(out, ")") == -1))
		return -1;
	if (hark_buf_puts(out, ":\n\n") == -1)
		return -1;
	return put_quote(out, body, body_len);
}

int
hark_linear_issue_uuid(const char *feedback_id, char out[37])
{
	static const char	 prefix[] = "hark linear issue\n";
	unsigned char		 md[32];
	unsigned int		 mdlen = 0;
	EVP_MD_CTX		*c;
	int			 ok;

	if ((c = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(c, prefix, sizeof(prefix) - 1) == 1 &&
	    EVP_DigestUpdate(c, feedback_id, strlen(feedback_id)) == 1 &&
	    EVP_DigestFinal_ex(c, md, &mdlen) == 1;
	EVP_MD_CTX_free(c);
	if (!ok)
		return -1;
	md[6] = (unsigned char)((md[6] & 0x0f) | 0x40);	/* version 4 */
	md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);	/* variant 10 */
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", md[0], md[1], md[2], md[3], md[4],
	    md[5], md[6], md[7], md[8], md[9], md[10], md[11], md[12], md[13],
	    md[14], md[15]);
	return 0;
}

/* {"query": query, "variables": {"input": input}} into out; input is put. */
static int
request(const char *query, struct json_object *input, struct hark_buf *out)
{
	struct json_object	*top = NULL, *vars = NULL;
	const char		*s;
	int			 rc = -1;

	if (input == NULL || (top = json_object_new_object()) == NULL ||
	    (vars = json_object_new_object()) == NULL) {
		json_object_put(input);
		goto out;
	}
	json_object_object_add(vars, "input", input);
	json_object_object_add(top, "query", json_object_new_string(query));
	json_object_object_add(top, "variables", vars);
	vars = NULL;
	s = json_object_to_json_string_ext(top, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	rc = s != NULL ? hark_buf_puts(out, s) : -1;
out:
	json_object_put(vars);
	json_object_put(top);
	return rc;
}

int
hark_linear_issue_request(const char *team_id, const char *issue_uuid,
    const char *title, const char *description, struct hark_buf *out)
{
	struct json_object	*in;

	if ((in = json_object_new_object()) == NULL)
		return -1;
	if (issue_uuid != NULL)
		json_object_object_add(in, "id",
		    json_object_new_string(issue_uuid));
	json_object_object_add(in, "teamId", json_object_new_string(team_id));
	json_object_object_add(in, "title", json_object_new_string(title));
	json_object_object_add(in, "description",
	    json_object_new_string(description));
	return request(ISSUE_CREATE, in, out);
}

int
hark_linear_issue_query(const char *issue_uuid, struct hark_buf *out)
{
	struct json_object	*top, *vars;
	const char		*s;
	int			 rc = -1;

	if ((top = json_object_new_object()) == NULL)
		return -1;
	if ((vars = json_object_new_object()) == NULL)
		goto out;
	json_object_object_add(vars, "id", json_object_new_string(issue_uuid));
	json_object_object_add(top, "query", json_object_new_string(ISSUE_GET));
	json_object_object_add(top, "variables", vars);
	s = json_object_to_json_string_ext(top, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	rc = s != NULL ? hark_buf_puts(out, s) : -1;
out:
	json_object_put(top);
	return rc;
}

int
hark_linear_comment_request(const char *issue_id, const char *body,
    struct hark_buf *out)
{
	struct json_object	*in;

	if ((in = json_object_new_object()) == NULL)
		return -1;
	json_object_object_add(in, "issueId", json_object_new_string(issue_id));
	json_object_object_add(in, "body", json_object_new_string(body));
	return request(COMMENT_CREATE, in, out);
}

int
hark_linear_auth_header(const char *key, char *out, size_t outsize)
{
	const char	*bearer = "Bearer ";
	size_t		 i;
	int		 n;

	if (key[0] == '\0')
		return -1;
	for (i = 0; key[i] != '\0'; i++)
		if (key[i] < ' ' || key[i] > '~')
			return -1;
	if (strncmp(key, "lin_api_", 8) == 0 || strncmp(key, bearer, 7) == 0)
		bearer = "";
	n = snprintf(out, outsize, "Authorization: %s%s", bearer, key);
	if (n < 0 || (size_t)n >= outsize) {
		explicit_bzero(out, outsize);
		return -1;
	}
	return 0;
}

/* Copies s into out when it is 1 to outsize - 1 printable ASCII bytes. */
static bool
copy_token(char *out, size_t outsize, const char *s, size_t len)
{
	size_t	 i;

	if (s == NULL || len == 0 || len >= outsize)
		return false;
	for (i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return false;
	memcpy(out, s, len);
	out[len] = '\0';
	return true;
}

/*
 * The codes of the answer's "errors" ("RATELIMITED,INVALID_INPUT") into
 * out, at most three; *retry when one says try later.  False when there
 * are no errors.
 */
static bool
error_codes(struct json_object *top, char *out, size_t outsize, bool *retry)
{
	struct json_object	*errs, *e, *ext;
	const char		*code;
	size_t			 i, n, o = 0, clen, j;

	out[0] = '\0';
	*retry = false;
	if (!json_object_object_get_ex(top, "errors", &errs) ||
	    !json_object_is_type(errs, json_type_array) ||
	    (n = json_object_array_length(errs)) == 0)
		return false;
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(errs, i);
		code = NULL;
		clen = 0;
		if (json_object_is_type(e, json_type_object) &&
		    json_object_object_get_ex(e, "extensions", &ext) &&
		    json_object_is_type(ext, json_type_object))
			code = hark_json_str(ext, "code", &clen);
		if (code == NULL) {
			code = "no code";
			clen = 7;
		}
		if (strcmp(code, "RATELIMITED") == 0 ||
		    strcmp(code, "INTERNAL_SERVER_ERROR") == 0)
			*retry = true;
		if (i >= 3)
			continue;
		/* A code is an identifier; anything else in it is dropped. */
		if (i > 0 && o + 1 < outsize)
			out[o++] = ',';
		for (j = 0; j < clen && j < 40 && o + 1 < outsize; j++)
			if ((code[j] >= 'A' && code[j] <= 'Z') ||
			    (code[j] >= 'a' && code[j] <= 'z') ||
			    (code[j] >= '0' && code[j] <= '9') ||
			    code[j] == '_' || code[j] == ' ')
				out[o++] = code[j];
		out[o] = '\0';
	}
	return true;
}

enum hark_linear_rc
hark_linear_parse(const char *op, long status, const char *body, size_t len,
    struct hark_linear_answer *out)
{
	struct json_object	*top = NULL, *data, *res, *obj;
	struct hark_json_err	 jerr;
	const char		*what = strcmp(op, "commentCreate") == 0 ?
				    "comment" : "issue", *s;
	bool			 get = strcmp(op, "issue") == 0;
	char			 codes[128];
	bool			 retry;
	size_t			 slen;
	enum hark_linear_rc	 rc;

	memset(out, 0, sizeof(*out));
	if (len > 0 && hark_json_parse(body, len, &top, &jerr) == -1)
		top = NULL;
	if (top != NULL && !json_object_is_type(top, json_type_object)) {
		json_object_put(top);
		top = NULL;
	}
	if (top != NULL && error_codes(top, codes, sizeof(codes), &retry)) {
		snprintf(out->why, sizeof(out->why), "linear: HTTP %ld, GraphQL "
		    "errors: %s", status, codes);
		rc = retry || status == 429 || status >= 500 ?
		    HARK_LINEAR_RETRY : HARK_LINEAR_FAIL;
		goto out;
	}
	snprintf(out->why, sizeof(out->why), "linear: HTTP %ld", status);
	if (status == 429 || status >= 500) {
		rc = HARK_LINEAR_RETRY;
		goto out;
	}
	if (status < 200 || status > 299) {
		rc = HARK_LINEAR_FAIL;
		goto out;
	}
	if (top == NULL) {
		snprintf(out->why, sizeof(out->why), "linear: HTTP %ld, the "
		    "answer is not JSON", status);
		rc = HARK_LINEAR_RETRY;
		goto out;
	}
	rc = HARK_LINEAR_FAIL;
	if (!json_object_object_get_ex(top, "data", &data) ||
	    !json_object_object_get_ex(data, op, &res) ||
	    !json_object_is_type(res, json_type_object)) {
		snprintf(out->why, sizeof(out->why), "linear: the answer has no "
		    "%s", op);
		goto out;
	}
	if (!get && !hark_json_bool(res, "success", false)) {
		snprintf(out->why, sizeof(out->why), "linear: %s did not "
		    "succeed", op);
		goto out;
	}
	obj = res;
	if ((!get && !json_object_object_get_ex(res, what, &obj)) ||
	    !json_object_is_type(obj, json_type_object) ||
	    (s = hark_json_str(obj, "id", &slen)) == NULL ||
	    !copy_token(out->id, sizeof(out->id), s, slen)) {
		snprintf(out->why, sizeof(out->why), "linear: the answer has no "
		    "%s id", what);
		goto out;
	}
	if ((s = hark_json_str(obj, "identifier", &slen)) != NULL)
		copy_token(out->identifier, sizeof(out->identifier), s, slen);
	if ((s = hark_json_str(obj, "url", &slen)) != NULL &&
	    slen > 8 && strncmp(s, "https://", 8) == 0)
		copy_token(out->url, sizeof(out->url), s, slen);
	out->why[0] = '\0';
	rc = HARK_LINEAR_OK;
out:
	json_object_put(top);
	return rc;
}
