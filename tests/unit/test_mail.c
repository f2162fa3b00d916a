/* test_mail.c: lib/mail: templates, header safety, RFC 2047, quoted-printable, the MIME message, Resend's JSON. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <json-c/json.h>

#include "buf.h"
#include "mail.h"
#include "utf8.h"

#define V(n, s)	{ (n), (s), strlen(s) }

static struct hark_buf	 out;

static void
setup(void)
{
	memset(&out, 0, sizeof(out));
}

static void
teardown(void)
{
	hark_buf_free(&out);
}

static const char *
render(const char *tmpl, enum hark_mail_escape esc)
{
	const struct hark_mail_var	 vars[] = {
		V("id", "fb_1"), V("name", "<b>Ann & \"Bo\"</b>'"),
		V("loop", "{{id}}"), V("email", "a+b@x.org"),
		{ "none", NULL, 0 },
	};

	hark_buf_reset(&out);
	ck_assert_int_eq(hark_mail_render(tmpl, strlen(tmpl), vars,
	    sizeof(vars) / sizeof(vars[0]), esc, &out), 0);
	return out.data != NULL ? out.data : "";
}

START_TEST(render_replaces_and_keeps_unknown)
{
	ck_assert_str_eq(render("id {{id}}, {{ id }}.", HARK_MAIL_TEXT),
	    "id fb_1, fb_1.");
	ck_assert_str_eq(render("{{nope}} {{id", HARK_MAIL_TEXT),
	    "{{nope}} {{id");
	ck_assert_str_eq(render("{{}}{{a b}}{{none}}!", HARK_MAIL_TEXT),
	    "{{}}{{a b}}!");
	/* A value is never itself a template. */
	ck_assert_str_eq(render("{{loop}}", HARK_MAIL_TEXT), "{{id}}");
	ck_assert_str_eq(render("", HARK_MAIL_TEXT), "");
}
END_TEST

START_TEST(render_escapes_html_and_url)
{
	ck_assert_str_eq(render("<p>{{name}}</p>", HARK_MAIL_HTML),
	    "<p>&lt;b&gt;Ann &amp; &quot;Bo&quot;&lt;/b&gt;&#39;</p>");
	ck_assert_str_eq(render("<p>{{name}}</p>", HARK_MAIL_TEXT),
	    "<p><b>Ann & \"Bo\"</b>'</p>");
	ck_assert_str_eq(render("https://x/u?e={{email}}", HARK_MAIL_URL),
	    "https://x/u?e=a%2Bb%40x.org");
}
END_TEST

START_TEST(render_drops_nul_bytes)
{
	const struct hark_mail_var	 v[] = { { "t", "a\0b", 3 } };

	ck_assert_int_eq(hark_mail_render("[{{t}}]", 7, v, 1, HARK_MAIL_HTML,
	    &out), 0);
	ck_assert_uint_eq(out.len, 4);
	ck_assert_str_eq(out.data, "[ab]");
}
END_TEST

START_TEST(split_subject_line)
{
	const char	*t = "Subject: Done: {{id}}\r\n\r\nBody\n", *s, *b;
	size_t		 sl, bl;

	hark_mail_split_subject(t, strlen(t), &s, &sl, &b, &bl);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(sl, strlen("Done: {{id}}"));
	ck_assert_int_eq(memcmp(s, "Done: {{id}}", sl), 0);
	ck_assert_uint_eq(bl, 5);
	ck_assert_int_eq(memcmp(b, "Body\n", 5), 0);
	t = "Hello\nSubject: no\n";
	hark_mail_split_subject(t, strlen(t), &s, &sl, &b, &bl);
	ck_assert_ptr_null(s);
	ck_assert_ptr_eq(b, t);
	ck_assert_uint_eq(bl, strlen(t));
}
END_TEST

static const char *
header_text(const char *s, size_t len, size_t max)
{
	hark_buf_reset(&out);
	ck_assert_int_eq(hark_mail_header_text(s, len, max, &out), 0);
	return out.data != NULL ? out.data : "";
}

START_TEST(header_text_refuses_line_breaks)
{
	const char	*inj = "Hi\r\nBcc: evil@example.com\r\n\r\nbody";

	ck_assert_str_eq(header_text(inj, strlen(inj), 200),
	    "Hi Bcc: evil@example.com body");
	ck_assert_str_eq(header_text("a\tb\x01\x7f" "c\n", 7, 200), "a b c");
	/* U+0085 (NEL), U+2028: line breaks to some readers. */
	ck_assert_str_eq(header_text("a\xc2\x85" "b\xe2\x80\xa8" "c", 8, 200),
	    "a b c");
	ck_assert_str_eq(header_text("  \r\n ", 5, 200), "");
	ck_assert_str_eq(header_text("x\0y", 3, 200), "x y");
}
END_TEST

START_TEST(header_text_repairs_and_cuts)
{
	ck_assert_str_eq(header_text("a\xff" "b", 3, 200), "a\xef\xbf\xbd" "b");
	/* Cut between characters, never inside one. */
	ck_assert_str_eq(header_text("ab\xc3\xa9\xc3\xa9", 6, 4), "ab\xc3\xa9...");
	ck_assert_str_eq(header_text("abcdef", 6, 6), "abcdef");
	ck_assert_str_eq(header_text("abcdefg", 7, 6), "abcdef...");
}
END_TEST

/* Base64 to bytes (for the test only); the count, or -1. */
static int
unbase64(unsigned char *dst, const char *src, size_t len)
{
	static const char	 a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned		 v = 0, bits = 0;
	const char		*c;
	int			 n = 0;
	size_t			 i;

	for (i = 0; i < len && src[i] != '='; i++) {
		if ((c = strchr(a, src[i])) == NULL || src[i] == '\0')
			return -1;
		v = (v << 6) | (unsigned)(c - a);
		if ((bits += 6) >= 8) {
			bits -= 8;
			dst[n++] = (unsigned char)(v >> bits);
			v &= (1u << bits) - 1;
		}
	}
	return n;
}

/* Decodes every =?UTF-8?B?...?= of s, checking each word's size. */
static char *
decode_words(const char *s)
{
	static char	 dec[1024];
	const char	*p = s, *e;
	size_t		 n = 0;
	unsigned char	 tmp[256];
	int		 k;

	while ((p = strstr(p, "=?UTF-8?B?")) != NULL) {
		e = strstr(p + 10, "?=");
		ck_assert_ptr_nonnull(e);
		ck_assert_int_le(e + 2 - p, 75);
		k = unbase64(tmp, p + 10, (size_t)(e - p - 10));
		ck_assert_int_ge(k, 0);
		/* Each word alone is whole UTF-8 (RFC 2047 5). */
		ck_assert(hark_utf8_valid((const char *)tmp, (size_t)k));
		memcpy(dec + n, tmp, (size_t)k);
		n += (size_t)k;
		p = e + 2;
	}
	dec[n] = '\0';
	return dec;
}

static const char *
encode(const char *s)
{
	hark_buf_reset(&out);
	ck_assert_int_eq(hark_mail_encode_header(s, strlen(s), &out), 0);
	return out.data != NULL ? out.data : "";
}

START_TEST(encode_ascii_as_is)
{
	ck_assert_str_eq(encode("Resolved: the login button"),
	    "Resolved: the login button");
}
END_TEST

START_TEST(encode_non_ascii_rfc2047)
{
	const char	*subj = "R\xc3\xa9solu : \xc3\xa7" "a marche \xe2\x9c\x93";
	const char	*enc;

	enc = encode(subj);
	ck_assert_str_eq(enc, "=?UTF-8?B?UsOpc29sdSA6IMOnYSBtYXJjaGUg4pyT?=");
	ck_assert_str_eq(decode_words(enc), subj);
}
END_TEST

START_TEST(encode_long_splits_between_characters)
{
	char		 subj[400] = "";
	const char	*enc, *p;
	int		 i;

	/* 3-byte characters: 45 bytes is 15 of them, so none is cut. */
	for (i = 0; i < 40; i++)
		strcat(subj, "\xe6\x97\xa5x");
	enc = encode(subj);
	ck_assert_ptr_nonnull(strstr(enc, "?=\r\n =?UTF-8?B?"));
	ck_assert_str_eq(decode_words(enc), subj);
	/* Folded: no bare CR or LF, no line over 78. */
	for (p = enc; *p != '\0'; p++) {
		if (*p == '\r')
			ck_assert(p[1] == '\n' && p[2] == ' ');
		if (*p == '\n')
			ck_assert(p > enc && p[-1] == '\r');
	}
}
END_TEST

static const char *
qp(const char *s)
{
	hark_buf_reset(&out);
	ck_assert_int_eq(hark_mail_qp(s, strlen(s), &out), 0);
	return out.data != NULL ? out.data : "";
}

START_TEST(qp_encodes)
{
	ck_assert_str_eq(qp("a=b \xc3\xa9"), "a=3Db =C3=A9");
	ck_assert_str_eq(qp("end \nline\t\r\nx"), "end=20\r\nline=09\r\nx");
	ck_assert_str_eq(qp("a\n.\nFrom me\nb."), "a\r\n=2E\r\n=46rom me\r\nb.");
	ck_assert_str_eq(qp("lone\rcr"), "lone=0Dcr");
	ck_assert_str_eq(qp("trailing "), "trailing=20");
}
END_TEST

START_TEST(qp_lines_fit_76)
{
	char		 s[1000];
	const char	*p, *l;
	size_t		 i;

	for (i = 0; i < 300; i++)
		s[i] = i % 7 == 0 ? '=' : 'a';
	memcpy(s + 300, "\xc3\xa9\xc3\xa9\xc3\xa9", 6);
	s[306] = '\0';
	qp(s);
	for (l = p = out.data;; p++) {
		if (*p == '\r' || *p == '\0') {
			ck_assert_int_le(p - l, 76);
			if (*p == '\0')
				break;
			ck_assert(p[1] == '\n');
			l = p + 2;
		}
	}
	/* Soft breaks only: no =XX split across them. */
	for (p = out.data; (p = strchr(p, '=')) != NULL; p++)
		ck_assert(p[1] == '\r' || (strchr("0123456789ABCDEF", p[1]) &&
		    strchr("0123456789ABCDEF", p[2])));
}
END_TEST

START_TEST(date_is_rfc5322)
{
	char	 d[40];

	hark_mail_date(0, d);
	ck_assert_str_eq(d, "Thu, 01 Jan 1970 00:00:00 +0000");
	hark_mail_date(1796312478, d);
	ck_assert_str_eq(d, "Thu, 03 Dec 2026 15:41:18 +0000");
}
END_TEST

static int
unsub(const char *list, bool *oc, const char **why)
{
	const struct hark_mail_var	 v[] = { V("email", "a+b@x.org"),
	    V("id", "fb_1") };

	hark_buf_reset(&out);
	return hark_mail_unsubscribe(list, "noreply@example.com", v, 2, &out,
	    oc, why);
}

START_TEST(unsubscribe_lists)
{
	const char	*why;
	bool		 oc;

	ck_assert_int_eq(unsub("", &oc, &why), 0);
	ck_assert_str_eq(out.data, "<mailto:noreply@example.com?subject=unsubscribe>");
	ck_assert(!oc);
	ck_assert_int_eq(unsub("mailto:u@example.com, https://example.com/u?e={{email}}&i={{id}}",
	    &oc, &why), 0);
	ck_assert_str_eq(out.data, "<mailto:u@example.com>, "
	    "<https://example.com/u?e=a%2Bb%40x.org&i=fb_1>");
	ck_assert(oc);
	ck_assert_int_eq(unsub("https://example.com/u", &oc, &why), 0);
	ck_assert(oc);
	ck_assert_int_eq(unsub("http://example.com/u", &oc, &why), -2);
	ck_assert_ptr_nonnull(why);
	ck_assert_int_eq(unsub("javascript:alert(1)", &oc, &why), -2);
	ck_assert_int_eq(unsub("https://example.com/\r\nBcc:x@y", &oc, &why), -2);
	ck_assert_int_eq(unsub("https://example.com/<x>", &oc, &why), -2);
	ck_assert_ptr_null(hark_mail_unsubscribe_check("mailto:a@b.c"));
	ck_assert_ptr_nonnull(hark_mail_unsubscribe_check("ftp://a"));
}
END_TEST

static struct hark_mail_msg
msg(void)
{
	struct hark_mail_msg	 m;

	memset(&m, 0, sizeof(m));
	m.from = "noreply@example.com";
	m.from_name = "Hark Feedback";
	m.to = "pat@example.org";
	m.subject = "R\xc3\xa9solu";
	m.text = "Hello,\nit is fixed.\n";
	m.text_len = strlen(m.text);
	m.html = "<p>Hello &amp; \xc3\xa9</p>\n";
	m.html_len = strlen(m.html);
	m.unsubscribe = "<mailto:noreply@example.com?subject=unsubscribe>, <https://example.com/u>";
	m.one_click = true;
	m.date = 1796312478;
	m.message_id = "<abc.fb_1@example.com>";
	m.boundary = "=_hark_abc";
	return m;
}

START_TEST(build_message)
{
	struct hark_mail_msg	 m = msg();
	const char		*p, *l, *body;

	ck_assert_int_eq(hark_mail_build(&m, &out), 0);
	body = strstr(out.data, "\r\n\r\n");
	ck_assert_ptr_nonnull(body);
	ck_assert(strncmp(out.data, "Date: Thu, 03 Dec 2026 15:41:18 +0000\r\n", 39) == 0);
	ck_assert_ptr_nonnull(strstr(out.data, "\r\nFrom: Hark Feedback <noreply@example.com>\r\n"));
	ck_assert_ptr_nonnull(strstr(out.data, "\r\nTo: <pat@example.org>\r\n"));
	ck_assert_ptr_nonnull(strstr(out.data, "\r\nSubject: =?UTF-8?B?UsOpc29sdQ==?=\r\n"));
	ck_assert_ptr_nonnull(strstr(out.data, "\r\nMessage-ID: <abc.fb_1@example.com>\r\n"));
	ck_assert_ptr_nonnull(strstr(out.data, "\r\nMIME-Version: 1.0\r\n"));
	ck_assert_ptr_nonnull(strstr(out.data, "\r\nList-Unsubscribe: <mailto:noreply@example.com?subject=unsubscribe>, <https://example.com/u>\r\n"));
	ck_assert_ptr_nonnull(strstr(out.data, "\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
	ck_assert_ptr_nonnull(strstr(out.data, "Content-Type: multipart/alternative; boundary=\"=_hark_abc\"\r\n"));
	ck_assert_ptr_nonnull(strstr(body, "\r\n--=_hark_abc\r\nContent-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\nHello,\r\nit is fixed.\r\n\r\n--=_hark_abc\r\n"));
	ck_assert_ptr_nonnull(strstr(body, "Content-Type: text/html; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n<p>Hello &amp; =C3=A9</p>\r\n\r\n--=_hark_abc--\r\n"));
	/* CRLF everywhere, short lines, 7-bit. */
	for (l = p = out.data; *p != '\0'; p++) {
		ck_assert((unsigned char)*p < 0x80);
		if (*p == '\n') {
			ck_assert(p > out.data && p[-1] == '\r');
			ck_assert_int_le(p - l, 999);
			l = p + 1;
		} else if (*p == '\r')
			ck_assert(p[1] == '\n');
	}
	/* No one-click without an https: URI. */
	m.one_click = false;
	hark_buf_reset(&out);
	ck_assert_int_eq(hark_mail_build(&m, &out), 0);
	ck_assert_ptr_null(strstr(out.data, "List-Unsubscribe-Post"));
}
END_TEST

START_TEST(build_refuses_header_injection)
{
	struct hark_mail_msg	 m = msg();

	m.to = "pat@example.org\r\nBcc: evil@example.com";
	ck_assert_int_eq(hark_mail_build(&m, &out), -2);
	m = msg();
	m.to = "Pat <pat@example.org>";
	ck_assert_int_eq(hark_mail_build(&m, &out), -2);
	m = msg();
	m.from = "noreply@example.com>\r\nX: y";
	ck_assert_int_eq(hark_mail_build(&m, &out), -2);
	m = msg();
	m.subject = "Hi\r\nBcc: evil@example.com";
	ck_assert_int_eq(hark_mail_build(&m, &out), -2);
	m = msg();
	m.unsubscribe = "<https://x>\r\nBcc: evil@example.com";
	ck_assert_int_eq(hark_mail_build(&m, &out), -2);
	m = msg();
	m.boundary = "plain";
	ck_assert_int_eq(hark_mail_build(&m, &out), -2);
	ck_assert_int_eq(hark_mail_resend_json(&m, &out), -2);
	ck_assert_uint_eq(out.len, 0);
}
END_TEST

/* A subject made of a submitter's words, the way batch/email.c makes it. */
START_TEST(subject_from_untrusted_text)
{
	const char		*note = "ok\r\nBcc: evil@example.com\r\n\r\n<b>";
	const struct hark_mail_var v[] = { V("resolution_note", note) };
	struct hark_buf		 raw = { 0 }, subj = { 0 };
	struct hark_mail_msg	 m = msg();
	const char		*t = "Re: {{resolution_note}}";

	ck_assert_int_eq(hark_mail_render(t, strlen(t), v, 1, HARK_MAIL_TEXT,
	    &raw), 0);
	ck_assert_int_eq(hark_mail_header_text(raw.data, raw.len, 200, &subj), 0);
	m.subject = subj.data;
	ck_assert_int_eq(hark_mail_build(&m, &out), 0);
	ck_assert_ptr_nonnull(strstr(out.data, "\r\nSubject: Re: ok Bcc: evil@example.com <b>\r\n"));
	ck_assert_ptr_null(strstr(out.data, "\r\nBcc:"));
	hark_buf_free(&raw);
	hark_buf_free(&subj);
}
END_TEST

START_TEST(from_header_names)
{
	ck_assert_int_eq(hark_mail_from_header("a@b.c", "", &out), 0);
	ck_assert_str_eq(out.data, "a@b.c");
	hark_buf_reset(&out);
	ck_assert_int_eq(hark_mail_from_header("a@b.c", "Acme, \"Support\"", &out), 0);
	ck_assert_str_eq(out.data, "\"Acme, \\\"Support\\\"\" <a@b.c>");
	hark_buf_reset(&out);
	ck_assert_int_eq(hark_mail_from_header("a@b.c", "Caf\xc3\xa9\r\nBcc: x", &out), 0);
	ck_assert_str_eq(out.data, "=?UTF-8?B?Q2Fmw6kgQmNjOiB4?= <a@b.c>");
}
END_TEST

START_TEST(resend_json_fields)
{
	struct hark_mail_msg	 m = msg();
	struct json_object	*o, *v, *h;

	ck_assert_int_eq(hark_mail_resend_json(&m, &out), 0);
	ck_assert_ptr_nonnull(o = json_tokener_parse(out.data));
	ck_assert(json_object_object_get_ex(o, "from", &v));
	ck_assert_str_eq(json_object_get_string(v), "Hark Feedback <noreply@example.com>");
	ck_assert(json_object_object_get_ex(o, "to", &v));
	ck_assert_int_eq((int)json_object_array_length(v), 1);
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(v, 0)),
	    "pat@example.org");
	ck_assert(json_object_object_get_ex(o, "subject", &v));
	ck_assert_str_eq(json_object_get_string(v), "R\xc3\xa9solu");
	ck_assert(json_object_object_get_ex(o, "text", &v));
	ck_assert_str_eq(json_object_get_string(v), m.text);
	ck_assert(json_object_object_get_ex(o, "html", &v));
	ck_assert_str_eq(json_object_get_string(v), m.html);
	ck_assert(json_object_object_get_ex(o, "headers", &h));
	ck_assert(json_object_object_get_ex(h, "List-Unsubscribe", &v));
	ck_assert_str_eq(json_object_get_string(v), m.unsubscribe);
	ck_assert(json_object_object_get_ex(h, "List-Unsubscribe-Post", &v));
	ck_assert_str_eq(json_object_get_string(v), "List-Unsubscribe=One-Click");
	json_object_put(o);
}
END_TEST

static Suite *
mail_suite(void)
{
	Suite	*s = suite_create("mail");
	TCase	*tc = tcase_create("mail");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, render_replaces_and_keeps_unknown);
	tcase_add_test(tc, render_escapes_html_and_url);
	tcase_add_test(tc, render_drops_nul_bytes);
	tcase_add_test(tc, split_subject_line);
	tcase_add_test(tc, header_text_refuses_line_breaks);
	tcase_add_test(tc, header_text_repairs_and_cuts);
	tcase_add_test(tc, encode_ascii_as_is);
	tcase_add_test(tc, encode_non_ascii_rfc2047);
	tcase_add_test(tc, encode_long_splits_between_characters);
	tcase_add_test(tc, qp_encodes);
	tcase_add_test(tc, qp_lines_fit_76);
	tcase_add_test(tc, date_is_rfc5322);
	tcase_add_test(tc, unsubscribe_lists);
	tcase_add_test(tc, build_message);
	tcase_add_test(tc, build_refuses_header_injection);
	tcase_add_test(tc, subject_from_untrusted_text);
	tcase_add_test(tc, from_header_names);
	tcase_add_test(tc, resend_json_fields);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(mail_suite());
	int	 nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
