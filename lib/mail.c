/* mail.c: an email's templates, headers and MIME text, built without I/O (see mail.h). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>

#include "buf.h"
#include "json.h"
#include "mail.h"
#include "utf8.h"

/* ---- templates ---- */

static int
is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

static int
escape_append(struct hark_buf *out, const char *s, size_t len,
    enum hark_mail_escape esc)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const char		*rep;
	size_t			 i, start = 0;
	unsigned char		 c;
	char			 pct[3];

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		rep = NULL;
		if (c == '\0')
			rep = "";	/* a stored text may hold NUL: drop it */
		else if (esc == HARK_MAIL_HTML)
			rep = c == '&' ? "&amp;" : c == '<' ? "&lt;" :
			    c == '>' ? "&gt;" : c == '"' ? "&quot;" :
			    c == '\'' ? "&#39;" : NULL;
		else if (esc == HARK_MAIL_URL && !(is_name_char((char)c) ||
		    c == '-' || c == '.' || c == '~')) {
			pct[0] = '%';
			pct[1] = hex[c >> 4];
			pct[2] = hex[c & 15];
			if (hark_buf_append(out, s + start, i - start) == -1 ||
			    hark_buf_append(out, pct, 3) == -1)
				return -1;
			start = i + 1;
			continue;
		}
		if (rep == NULL)
			continue;
		if (hark_buf_append(out, s + start, i - start) == -1 ||
		    hark_buf_puts(out, rep) == -1)
			return -1;
		start = i + 1;
	}
	return hark_buf_append(out, s + start, len - start);
}

int
hark_mail_render(const char *tmpl, size_t len,
    const struct hark_mail_var *vars, size_t nvars,
    enum hark_mail_escape esc, struct hark_buf *out)
{
	const char	*p = tmpl, *end = tmpl + len, *open, *close, *n, *ne;
	size_t		 i, nl;

	while (p < end) {
		open = memmem(p, (size_t)(end - p), "{{", 2);
		if (open == NULL)
			break;
		if (hark_buf_append(out, p, (size_t)(open - p)) == -1)
			return -1;
		close = memmem(open + 2, (size_t)(end - open - 2), "}}", 2);
		if (close == NULL) {
			p = open;
			break;
		}
		for (n = open + 2; n < close && *n == ' '; n++)
			;
		for (ne = n; ne < close && is_name_char(*ne); ne++)
			;
		nl = (size_t)(ne - n);
		while (ne < close && *ne == ' ')
			ne++;
		p = close + 2;
		/* Not a placeholder, or not one we know: kept as written. */
		if (ne != close || nl == 0)
			goto verbatim;
		for (i = 0; i < nvars; i++)
			if (strlen(vars[i].name) == nl &&
			    memcmp(vars[i].name, n, nl) == 0)
				break;
		if (i == nvars)
			goto verbatim;
		if (vars[i].value != NULL && escape_append(out, vars[i].value,
		    vars[i].len, esc) == -1)
			return -1;
		continue;
verbatim:
		if (hark_buf_append(out, open, (size_t)(p - open)) == -1)
			return -1;
	}
	return hark_buf_append(out, p, (size_t)(end - p));
}

void
hark_mail_split_subject(const char *tmpl, size_t len, const char **subj,
    size_t *subj_len, const char **body, size_t *body_len)
{
	const char	*nl, *s, *b;

	*subj = NULL;
	*subj_len = 0;
	*body = tmpl;
	*body_len = len;
	if (len < 8 || strncasecmp(tmpl, "Subject:", 8) != 0)
		return;
	nl = memchr(tmpl, '\n', len);
	b = nl != NULL ? nl + 1 : tmpl + len;
	for (s = tmpl + 8; s < b && (*s == ' ' || *s == '\t'); s++)
		;
	*subj = s;
	*subj_len = (size_t)((nl != NULL ? nl : tmpl + len) - s);
	if (*subj_len > 0 && s[*subj_len - 1] == '\r')
		(*subj_len)--;
	/* One blank line between the subject and the body. */
	if (b < tmpl + len && *b == '\n')
		b++;
	else if (b + 1 < tmpl + len && b[0] == '\r' && b[1] == '\n')
		b += 2;
	*body = b;
	*body_len = (size_t)(tmpl + len - b);
}

/* ---- header values ---- */

int
hark_mail_header_text(const char *s, size_t len, size_t max,
    struct hark_buf *out)
{
	const size_t	 start = out->len;
	size_t		 i = 0, n, kept;
	uint32_t	 cp;
	int		 space = 0, bad;

	while (i < len) {
		n = hark_utf8_decode(s + i, len - i, &cp);
		if ((bad = n == 0))
			n = 1;	/* cp is U+FFFD */
		i += n;
		/* C0, DEL, C1 and the Unicode line and paragraph separators. */
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
		    cp == 0x2028 || cp == 0x2029 || cp == ' ') {
			space = out->len > start;
			continue;
		}
		kept = out->len;
		if (space && hark_buf_append(out, " ", 1) == -1)
			return -1;
		space = 0;
		if (bad) {
			if (hark_buf_puts(out, "\xef\xbf\xbd") == -1)
				return -1;
		} else if (hark_buf_append(out, s + i - n, n) == -1)
			return -1;
		if (out->len - start > max) {
			out->len = kept;
			out->data[out->len] = '\0';
			return hark_buf_puts(out, "...");
		}
	}
	return 0;
}

static int
printable_ascii(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return 0;
	return 1;
}

static int
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			return 1;
	return 0;
}

static const char	b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int
base64_append(struct hark_buf *out, const unsigned char *p, size_t len)
{
	char		 q[4];
	uint32_t	 v;
	size_t		 i;

	for (i = 0; i < len; i += 3) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		q[0] = b64[v >> 18];
		q[1] = b64[(v >> 12) & 63];
		q[2] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		q[3] = i + 2 < len ? b64[v & 63] : '=';
		if (hark_buf_append(out, q, 4) == -1)
			return -1;
	}
	return 0;
}

/* 45 bytes make 60 of base64: with "=?UTF-8?B?" and "?=", 72 <= 75. */
#define EW_RAW	45

int
hark_mail_encode_header(const char *s, size_t len, struct hark_buf *out)
{
	size_t		 i = 0, j, n;
	uint32_t	 cp;

	if (printable_ascii(s, len))
		return hark_buf_append(out, s, len);
	while (i < len) {
		/* Whole characters only: a word never splits one. */
		for (j = i; j < len; j += n) {
			if ((n = hark_utf8_decode(s + j, len - j, &cp)) == 0)
				n = 1;
			if (j + n - i > EW_RAW)
				break;
		}
		if (j == i)
			j = i + 1;	/* cannot happen: a character is <= 4 */
		if ((i > 0 && hark_buf_puts(out, "\r\n ") == -1) ||
		    hark_buf_puts(out, "=?UTF-8?B?") == -1 ||
		    base64_append(out, (const unsigned char *)s + i, j - i) == -1 ||
		    hark_buf_puts(out, "?=") == -1)
			return -1;
		i = j;
	}
	return 0;
}

/* ---- bodies ---- */

int
hark_mail_qp(const char *s, size_t len, struct hark_buf *out)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 i, col = 0, w;
	unsigned char		 c;
	char			 e[3];
	int			 eol;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '\n' || (c == '\r' && i + 1 < len && s[i + 1] == '\n')) {
			if (c == '\r')
				i++;
			if (hark_buf_puts(out, "\r\n") == -1)
				return -1;
			col = 0;
			continue;
		}
		eol = i + 1 == len || s[i + 1] == '\n' ||
		    (s[i + 1] == '\r' && i + 2 < len && s[i + 2] == '\n');
		if ((c >= 33 && c <= 126 && c != '=' &&
		    !(col == 0 && (c == '.' || c == 'F'))) ||
		    ((c == ' ' || c == '\t') && !eol))
			w = 1;
		else
			w = 3;
		/* Room for the character and, unless the line ends, a "=". */
		if (col + w > (eol ? 76u : 75u)) {
			if (hark_buf_puts(out, "=\r\n") == -1)
				return -1;
			col = 0;
			if (c == '.' || c == 'F')
				w = 3;
		}
		if (w == 1) {
			if (hark_buf_append(out, s + i, 1) == -1)
				return -1;
		} else {
			e[0] = '=';
			e[1] = hex[c >> 4];
			e[2] = hex[c & 15];
			if (hark_buf_append(out, e, 3) == -1)
				return -1;
		}
		col += w;
	}
	return 0;
}

void
hark_mail_date(time_t t, char out[40])
{
	static const char *const	 days[] = { "Sun", "Mon", "Tue",
	    "Wed", "Thu", "Fri", "Sat" };
	static const char *const	 months[] = { "Jan", "Feb", "Mar",
	    "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm			 tm;

	/* By hand: strftime's names follow the locale. */
	gmtime_r(&t, &tm);
	snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d +0000",
	    days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* ---- List-Unsubscribe ---- */

static int
uri_char_ok(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '<' && c != '>' && c != '"' &&
	    c != ',';
}

/* One URI of the list, checked; 0, -1 or -2. */
static int
unsub_one(const char *uri, size_t len, bool *https, const char **why)
{
	size_t	 i;

	if (len > 7 && strncasecmp(uri, "mailto:", 7) == 0)
		*https = false;
	else if (len > 8 && strncasecmp(uri, "https://", 8) == 0)
		*https = true;
	else {
		*why = "unsubscribe: each URI must be mailto: or https:";
		return -2;
	}
	for (i = 0; i < len; i++)
		if (!uri_char_ok((unsigned char)uri[i])) {
			*why = "unsubscribe: a URI holds a character that "
			    "cannot be in a header";
			return -2;
		}
	return 0;
}

int
hark_mail_unsubscribe(const char *list, const char *from,
    const struct hark_mail_var *vars, size_t nvars, struct hark_buf *out,
    bool *one_click, const char **why)
{
	struct hark_buf	 uri = { 0 };
	const char	*p = list, *e;
	size_t		 start = out->len, n = 0;
	bool		 https;
	int		 rc = -1;

	*one_click = false;
	*why = NULL;
	for (;;) {
		p += strspn(p, " \t,");
		if (*p == '\0')
			break;
		e = p + strcspn(p, " \t,");
		hark_buf_reset(&uri);
		if (hark_mail_render(p, (size_t)(e - p), vars, nvars,
		    HARK_MAIL_URL, &uri) == -1 || uri.data == NULL)
			goto out;
		if ((rc = unsub_one(uri.data, uri.len, &https, why)) != 0)
			goto out;
		rc = -1;
		if (hark_buf_printf(out, "%s<%s>", n++ > 0 ? ", " : "",
		    uri.data) == -1)
			goto out;
		if (https)
			*one_click = true;
		p = e;
	}
	if (n == 0) {
		if (!hark_json_is_email(from, strlen(from))) {
			*why = "unsubscribe: no list and no from address";
			rc = -2;
			goto out;
		}
		if (hark_buf_printf(out, "<mailto:%s?subject=unsubscribe>",
		    from) == -1)
			goto out;
	}
	rc = 0;
out:
	if (rc != 0 && out->data != NULL) {
		out->len = start;
		out->data[start] = '\0';
	}
	hark_buf_free(&uri);
	return rc;
}

const char *
hark_mail_unsubscribe_check(const char *list)
{
	struct hark_buf	 out = { 0 };
	const char	*why = NULL;
	bool		 oc;
	int		 rc;

	/* The variables' values are URL-encoded: none can break a URI. */
	rc = hark_mail_unsubscribe(list, "a@example.com", NULL, 0, &out, &oc,
	    &why);
	hark_buf_free(&out);
	return rc == -1 ? "out of memory" : why;
}

/* ---- the message ---- */

static int
atext_phrase(const char *s)
{
	for (; *s != '\0'; s++)
		if (!is_name_char(*s) && strchr(" !#$%&'*+/=?^`{|}~-", *s) == NULL)
			return 0;
	return 1;
}

/* The display name, header-safe; "" when none. */
static int
clean_name(const char *name, struct hark_buf *out)
{
	if (name == NULL)
		return 0;
	return hark_mail_header_text(name, strlen(name), 128, out);
}

int
hark_mail_from_header(const char *from, const char *from_name,
    struct hark_buf *out)
{
	struct hark_buf	 name = { 0 };
	const char	*p;
	int		 rc = -1;

	if (clean_name(from_name, &name) == -1)
		goto out;
	if (name.len == 0) {
		rc = hark_buf_puts(out, from);
		goto out;
	}
	if (atext_phrase(name.data)) {
		if (hark_buf_puts(out, name.data) == -1)
			goto out;
	} else if (printable_ascii(name.data, name.len)) {
		if (hark_buf_puts(out, "\"") == -1)
			goto out;
		for (p = name.data; *p != '\0'; p++)
			if ((*p == '"' || *p == '\\') &&
			    hark_buf_puts(out, "\\") == -1)
				goto out;
			else if (hark_buf_append(out, p, 1) == -1)
				goto out;
		if (hark_buf_puts(out, "\"") == -1)
			goto out;
	} else if (hark_mail_encode_header(name.data, name.len, out) == -1)
		goto out;
	rc = hark_buf_printf(out, " <%s>", from);
out:
	hark_buf_free(&name);
	return rc;
}

static int
msg_check(const struct hark_mail_msg *m)
{
	if (m->from == NULL || !hark_json_is_email(m->from, strlen(m->from)) ||
	    m->to == NULL || !hark_json_is_email(m->to, strlen(m->to)))
		return -2;
	if (m->subject == NULL || has_control(m->subject) ||
	    (m->unsubscribe != NULL && has_control(m->unsubscribe)) ||
	    m->message_id == NULL || has_control(m->message_id) ||
	    m->boundary == NULL || has_control(m->boundary) ||
	    strncmp(m->boundary, "=_", 2) != 0 || strlen(m->boundary) > 68 ||
	    strchr(m->boundary, '"') != NULL)
		return -2;
	return 0;
}

static int
part(struct hark_buf *out, const char *boundary, const char *type,
    const char *body, size_t len)
{
	if (hark_buf_printf(out, "--%s\r\nContent-Type: %s; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n", boundary,
	    type) == -1 || hark_mail_qp(body, len, out) == -1)
		return -1;
	/* The delimiter's CRLF belongs to it, so the body ends on its own. */
	return hark_buf_puts(out, "\r\n");
}

int
hark_mail_build(const struct hark_mail_msg *m, struct hark_buf *out)
{
	char	 date[40];

	if (msg_check(m) != 0)
		return -2;
	hark_mail_date(m->date, date);
	if (hark_buf_printf(out, "Date: %s\r\nFrom: ", date) == -1 ||
	    hark_mail_from_header(m->from, m->from_name, out) == -1 ||
	    hark_buf_printf(out, "\r\nTo: <%s>\r\nSubject: ", m->to) == -1 ||
	    hark_mail_encode_header(m->subject, strlen(m->subject), out) == -1 ||
	    hark_buf_printf(out, "\r\nMessage-ID: %s\r\nMIME-Version: 1.0\r\n",
	    m->message_id) == -1)
		return -1;
	if (m->unsubscribe != NULL && (hark_buf_printf(out,
	    "List-Unsubscribe: %s\r\n", m->unsubscribe) == -1 ||
	    (m->one_click && hark_buf_puts(out, "List-Unsubscribe-Post: "
	    "List-Unsubscribe=One-Click\r\n") == -1)))
		return -1;
	/* RFC 3834: no vacation auto-reply should answer a notification. */
	if (hark_buf_printf(out, "Auto-Submitted: auto-generated\r\n"
	    "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n",
	    m->boundary) == -1 ||
	    part(out, m->boundary, "text/plain", m->text, m->text_len) == -1 ||
	    part(out, m->boundary, "text/html", m->html, m->html_len) == -1 ||
	    hark_buf_printf(out, "--%s--\r\n", m->boundary) == -1)
		return -1;
	return 0;
}

/* ---- the Resend API's body ---- */

static int
add_str(struct json_object *o, const char *key, const char *s, size_t len)
{
	struct json_object	*v;

	if ((v = json_object_new_string_len(s, (int)len)) == NULL)
		return -1;
	if (json_object_object_add(o, key, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

int
hark_mail_resend_json(const struct hark_mail_msg *m, struct hark_buf *out)
{
	struct json_object	*o = NULL, *to = NULL, *h = NULL, *v;
	struct hark_buf		 from = { 0 }, name = { 0 };
	const char		*s;
	int			 rc = -1;

	if (msg_check(m) != 0)
		return -2;
	if (m->text_len > INT32_MAX || m->html_len > INT32_MAX)
		return -1;
	/* JSON carries UTF-8: the name needs quoting only, no encoding. */
	if (clean_name(m->from_name, &name) == -1)
		goto out;
	if (name.len == 0 ? hark_buf_puts(&from, m->from) == -1 :
	    atext_phrase(name.data) ? hark_buf_printf(&from, "%s <%s>",
	    name.data, m->from) == -1 : 0)
		goto out;
	if (name.len > 0 && !atext_phrase(name.data)) {
		if (hark_buf_puts(&from, "\"") == -1)
			goto out;
		for (s = name.data; *s != '\0'; s++)
			if (((*s == '"' || *s == '\\') &&
			    hark_buf_puts(&from, "\\") == -1) ||
			    hark_buf_append(&from, s, 1) == -1)
				goto out;
		if (hark_buf_printf(&from, "\" <%s>", m->from) == -1)
			goto out;
	}
	if ((o = json_object_new_object()) == NULL ||
	    add_str(o, "from", from.data, from.len) == -1)
		goto out;
	if ((to = json_object_new_array()) == NULL ||
	    (v = json_object_new_string(m->to)) == NULL)
		goto out;
	if (json_object_array_add(to, v) != 0) {
		json_object_put(v);
		goto out;
	}
	json_object_object_add(o, "to", to);
	to = NULL;
	if (add_str(o, "subject", m->subject, strlen(m->subject)) == -1 ||
	    add_str(o, "html", m->html, m->html_len) == -1 ||
	    add_str(o, "text", m->text, m->text_len) == -1)
		goto out;
	if (m->unsubscribe != NULL) {
		if ((h = json_object_new_object()) == NULL ||
		    add_str(h, "List-Unsubscribe", m->unsubscribe,
		    strlen(m->unsubscribe)) == -1 ||
		    (m->one_click && add_str(h, "List-Unsubscribe-Post",
		    "List-Unsubscribe=One-Click", 26) == -1))
			goto out;
		json_object_object_add(o, "headers", h);
		h = NULL;
	}
	if ((s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE)) == NULL)
		goto out;
	rc = hark_buf_puts(out, s);
out:
	json_object_put(o);
	json_object_put(to);
	json_object_put(h);
	hark_buf_free(&from);
	hark_buf_free(&name);
	return rc;
}
