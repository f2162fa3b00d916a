/*
 * fuzz_mail.c: libFuzzer harness for an email's header safety and
 * encodings (lib/mail.c).
 *
 * fuzz-sources: lib/mail.c lib/buf.c lib/utf8.c lib/json_format.c lib/timestamp.c
 * fuzz-pkgs: json-c
 *
 * Any bytes, as the submitter's text that a Subject and both bodies are
 * made of: it must never crash; hark_mail_header_text gives valid UTF-8
 * without a control character; the built message is 7-bit, CRLF only, no
 * line over 998 bytes, and its header holds exactly the header fields
 * hark writes (a continuation line starts with a space), so no input
 * adds one; the quoted-printable bodies have no line over 76.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mail.h"
#include "utf8.h"

/* Date From To Subject Message-ID MIME-Version List-Unsubscribe
 * List-Unsubscribe-Post Auto-Submitted Content-Type */
#define NFIELDS	10

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hark_buf		 subj = { 0 }, html = { 0 }, msg = { 0 };
	const struct hark_mail_var v[] = { { "t", (const char *)data, size } };
	struct hark_mail_msg	 m;
	const char		*p, *line, *end;
	size_t			 fields = 0, i;
	int			 in_header = 1;

	if (hark_mail_header_text((const char *)data, size, 200, &subj) != 0 ||
	    hark_buf_puts(&subj, "") != 0)
		abort();
	if (!hark_utf8_valid(subj.data, subj.len))
		abort();
	for (i = 0; i < subj.len; i++)
		if ((unsigned char)subj.data[i] < 0x20 ||
		    (unsigned char)subj.data[i] == 0x7f)
			abort();
	if (hark_mail_render("<p>{{t}}</p>", 12, v, 1, HARK_MAIL_HTML,
	    &html) != 0)
		abort();
	/* Between the template's own "<p>" and "</p>", no markup. */
	if (html.len < 7 || memchr(html.data + 1, '<', html.len - 5) != NULL ||
	    memchr(html.data + 3, '>', html.len - 7) != NULL)
		abort();
	memset(&m, 0, sizeof(m));
	m.from = "noreply@example.com";
	m.from_name = subj.data;
	m.to = "pat@example.org";
	m.subject = subj.data;
	m.text = (const char *)data;
	m.text_len = size;
	m.html = html.data;
	m.html_len = html.len;
	m.unsubscribe = "<https://example.com/u>";
	m.one_click = true;
	m.date = 0;
	m.message_id = "<a@example.com>";
	m.boundary = "=_hark_fuzz";
	if (hark_mail_build(&m, &msg) != 0)
		abort();
	end = msg.data + msg.len;
	for (line = p = msg.data; p < end; p++) {
		if ((unsigned char)*p >= 0x80 || *p == '\0')
			abort();
		if (*p == '\r' && (p + 1 == end || p[1] != '\n'))
			abort();
		if (*p != '\n')
			continue;
		if (p == msg.data || p[-1] != '\r' || p - line > 999)
			abort();
		if (in_header) {
			if (p - line == 1)
				in_header = 0;
			else if (*line != ' ')
				fields++;
		} else if (p - line > 78)
			abort();	/* QP's 76, its CRLF, the boundaries */
		line = p + 1;
	}
	if (in_header || fields != NFIELDS)
		abort();
	hark_buf_free(&subj);
	hark_buf_free(&html);
	hark_buf_free(&msg);
	return 0;
}
