/* test_webhook.c: Standard Webhooks secrets (whsec_), signatures against known answers, event lists, endpoint URLs and the guard on where they point. */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "proxies.h"
#include "webclient.h"
#include "webhook.h"

/*
 * The Standard Webhooks libraries' own test vector (their README and
 * test suites): the reference signer gives this signature, and python3's
 * hmac gives it too:
 *   base64(hmac.new(b64decode(SECRET), ID + "." + TS + "." + BODY,
 *       sha256).digest())
 */
#define KAT_SECRET	"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define KAT_ID		"msg_p5jXN8AQM9LWM0D4loKWxJek"
#define KAT_TS		1614265330LL
#define KAT_BODY	"{\"test\": 2432232314}"
#define KAT_SIG		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

/*
 * A second vector of hark's shape, computed with python3 (hmac, hashlib,
 * base64) for this test: 32 bytes 0x00..0x1f, a msg_ id, a feedback body.
 */
#define KAT2_SECRET	"whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define KAT2_ID		"msg_0123456789abcdefghjkmnpqrs"
#define KAT2_TS		1796300000LL
#define KAT2_BODY	"{\"type\":\"feedback.updated\",\"timestamp\":" \
	"\"2026-12-03T16:00:00Z\",\"data\":{\"feedback\":{\"id\":" \
	"\"fb_0123456789abcdefghjkmnpqrs\"}}}"
#define KAT2_SIG	"v1,7nelY7KMqsGbFw55LbEG6dZ95E7HcRluevlqLyFF5K8="

START_TEST(the_reference_vector_signs)
{
	unsigned char	 key[HARK_WEBHOOK_SECRET_MAX];
	char		 sig[HARK_WEBHOOK_SIG_SIZE];
	size_t		 n;

	ck_assert_int_eq(hark_webhook_secret_decode(KAT_SECRET, key,
	    sizeof(key), &n), 0);
	ck_assert_uint_eq(n, 24);
	ck_assert_int_eq(hark_webhook_sign(key, n, KAT_ID, KAT_TS, KAT_BODY,
	    strlen(KAT_BODY), sig, sizeof(sig)), 0);
	ck_assert_str_eq(sig, KAT_SIG);
}
END_TEST

START_TEST(hark_shaped_vector_signs)
{
	unsigned char	 key[HARK_WEBHOOK_SECRET_MAX], want[32];
	char		 sig[HARK_WEBHOOK_SIG_SIZE];
	size_t		 n, i;

	ck_assert_int_eq(hark_webhook_secret_decode(KAT2_SECRET, key,
	    sizeof(key), &n), 0);
	ck_assert_uint_eq(n, 32);
	for (i = 0; i < 32; i++)
		want[i] = (unsigned char)i;
	ck_assert_mem_eq(key, want, 32);
	ck_assert_int_eq(hark_webhook_sign(key, n, KAT2_ID, KAT2_TS,
	    KAT2_BODY, strlen(KAT2_BODY), sig, sizeof(sig)), 0);
	ck_assert_str_eq(sig, KAT2_SIG);
}
END_TEST

START_TEST(one_byte_changed_changes_the_signature)
{
	unsigned char	 key[HARK_WEBHOOK_SECRET_MAX];
	char		 a[HARK_WEBHOOK_SIG_SIZE], b[HARK_WEBHOOK_SIG_SIZE];
	size_t		 n;

	ck_assert_int_eq(hark_webhook_secret_decode(KAT_SECRET, key,
	    sizeof(key), &n), 0);
	ck_assert_int_eq(hark_webhook_sign(key, n, KAT_ID, KAT_TS, KAT_BODY,
	    strlen(KAT_BODY), a, sizeof(a)), 0);
	ck_assert_int_eq(hark_webhook_sign(key, n, KAT_ID, KAT_TS + 1,
	    KAT_BODY, strlen(KAT_BODY), b, sizeof(b)), 0);
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(hark_webhook_sign(key, n, "msg_other", KAT_TS,
	    KAT_BODY, strlen(KAT_BODY), b, sizeof(b)), 0);
	ck_assert_str_ne(a, b);
	key[0] ^= 1;
	ck_assert_int_eq(hark_webhook_sign(key, n, KAT_ID, KAT_TS, KAT_BODY,
	    strlen(KAT_BODY), b, sizeof(b)), 0);
	ck_assert_str_ne(a, b);
	/* Too small a buffer is refused, not cut. */
	ck_assert_int_eq(hark_webhook_sign(key, n, KAT_ID, KAT_TS, KAT_BODY,
	    strlen(KAT_BODY), b, HARK_WEBHOOK_SIG_SIZE - 1), -1);
}
END_TEST

START_TEST(a_new_secret_round_trips)
{
	unsigned char	 key[HARK_WEBHOOK_SECRET_LEN], back[HARK_WEBHOOK_SECRET_MAX];
	unsigned char	 other[HARK_WEBHOOK_SECRET_LEN];
	char		 text[HARK_WEBHOOK_WHSEC_SIZE];
	size_t		 n;

	ck_assert_int_eq(hark_webhook_secret_new(key, sizeof(key)), 0);
	ck_assert_int_eq(hark_webhook_secret_new(other, sizeof(other)), 0);
	ck_assert_mem_ne(key, other, sizeof(key));
	ck_assert_int_eq(hark_webhook_secret_encode(key, sizeof(key), text,
	    sizeof(text)), 0);
	ck_assert_int_eq(strncmp(text, "whsec_", 6), 0);
	ck_assert_uint_eq(strlen(text), 6 + 44);
	ck_assert_int_eq(hark_webhook_secret_decode(text, back, sizeof(back),
	    &n), 0);
	ck_assert_uint_eq(n, sizeof(key));
	ck_assert_mem_eq(back, key, n);
	/* Without the prefix too, as the libraries take it. */
	ck_assert_int_eq(hark_webhook_secret_decode(text + 6, back,
	    sizeof(back), &n), 0);
	ck_assert_mem_eq(back, key, n);
	/* The encoder refuses a buffer one byte short. */
	ck_assert_int_eq(hark_webhook_secret_encode(key, sizeof(key), text,
	    6 + 44), -1);
	/* And a key outside 24..64 bytes. */
	ck_assert_int_eq(hark_webhook_secret_encode(key, 16, text,
	    sizeof(text)), -1);
}
END_TEST

START_TEST(bad_secrets_are_refused)
{
	static const char *const bad[] = {
		"", "whsec_", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS",	/* not x4 */
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa-w",	/* base64url */
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa w",	/* a space */
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2La=aSw",	/* '=' inside */
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2La",		/* 21 bytes */
		"whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRY=",	/* 23 bytes */
		NULL
	};
	unsigned char	 key[HARK_WEBHOOK_SECRET_MAX];
	size_t		 i, n;

	for (i = 0; bad[i] != NULL; i++)
		ck_assert_msg(hark_webhook_secret_decode(bad[i], key,
		    sizeof(key), &n) == -1, "accepted %s", bad[i]);
	/* A good one that does not fit the caller's buffer. */
	ck_assert_int_eq(hark_webhook_secret_decode(KAT_SECRET, key, 23, &n),
	    -1);
}
END_TEST

START_TEST(event_lists_parse)
{
	char	 out[HARK_WEBHOOK_EVENTS_SIZE], err[256];

	ck_assert_int_eq(hark_webhook_events_parse("comment.created,"
	    "feedback.created,comment.created", out, sizeof(out), err,
	    sizeof(err)), 0);
	ck_assert_str_eq(out, "feedback.created,comment.created");
	ck_assert_int_eq(hark_webhook_events_parse("feedback.created,"
	    "feedback.updated,feedback.resolved,comment.created", out,
	    sizeof(out), err, sizeof(err)), 0);
	ck_assert_str_eq(out, "feedback.created,feedback.updated,"
	    "feedback.resolved,comment.created");
	ck_assert_int_eq(hark_webhook_events_parse("feedback.triaged", out,
	    sizeof(out), err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "feedback.triaged"));
	ck_assert_int_eq(hark_webhook_events_parse("feedback.created,", out,
	    sizeof(out), err, sizeof(err)), -1);
	ck_assert_int_eq(hark_webhook_events_parse("", out, sizeof(out), err,
	    sizeof(err)), -1);
	ck_assert_int_eq(hark_webhook_events_parse("Feedback.Created", out,
	    sizeof(out), err, sizeof(err)), -1);
	ck_assert(hark_webhook_event_valid("comment.created"));
	ck_assert(!hark_webhook_event_valid("feedback.triaged"));
	ck_assert(!hark_webhook_event_valid(NULL));
}
END_TEST

START_TEST(endpoint_urls_are_checked)
{
	static const char *const good[] = {
		"https://hooks.example.com/hark", "http://127.0.0.1:8080/in",
		"https://[::1]:9000/x?y=1", "HTTPS://Example.COM", NULL
	};
	static const char *const bad[] = {
		"", "example.com/hook", "ftp://example.com/x", "file:///etc/passwd",
		"https://", "http:///path", "https://exa mple.com/",
		"https://example.com/\n", "javascript:alert(1)",
		"gopher://example.com/", NULL
	};
	char	 err[256], *longurl;
	size_t	 i;

	for (i = 0; good[i] != NULL; i++)
		ck_assert_msg(hark_webhook_url_check(good[i], err,
		    sizeof(err)) == 0, "refused %s: %s", good[i], err);
	for (i = 0; bad[i] != NULL; i++)
		ck_assert_msg(hark_webhook_url_check(bad[i], err,
		    sizeof(err)) == -1, "accepted %s", bad[i]);
	ck_assert_int_eq(hark_webhook_url_check("ftp://example.com/x", err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "http or https"));
	longurl = malloc(HARK_WEBHOOK_URL_MAX + 2);
	ck_assert_ptr_nonnull(longurl);
	memcpy(longurl, "https://example.com/", 20);
	memset(longurl + 20, 'a', HARK_WEBHOOK_URL_MAX + 1 - 20);
	longurl[HARK_WEBHOOK_URL_MAX + 1] = '\0';
	ck_assert_int_eq(hark_webhook_url_check(longurl, err, sizeof(err)), -1);
	longurl[HARK_WEBHOOK_URL_MAX] = '\0';
	ck_assert_int_eq(hark_webhook_url_check(longurl, err, sizeof(err)), 0);
	free(longurl);
}
END_TEST

/* The class of an address in text, as the guard sees it. */
static const char *
class_of(const char *text)
{
	unsigned char	 a[16];

	if (inet_pton(AF_INET, text, a) == 1)
		return hark_web_ip_class(AF_INET, a);
	ck_assert_msg(inet_pton(AF_INET6, text, a) == 1, "not an address: %s",
	    text);
	return hark_web_ip_class(AF_INET6, a);
}

START_TEST(addresses_are_classed)
{
	static const struct {
		const char	*addr;
		const char	*want;		/* NULL: public */
	} t[] = {
		{ "127.0.0.1", "loopback" }, { "127.255.255.254", "loopback" },
		{ "10.0.0.1", "private" }, { "10.255.255.255", "private" },
		{ "172.16.0.1", "private" }, { "172.31.255.255", "private" },
		{ "172.15.255.255", NULL }, { "172.32.0.0", NULL },
		{ "192.168.1.1", "private" }, { "192.169.0.1", NULL },
		{ "169.254.169.254", "link-local" },
		{ "100.64.0.1", "shared (CGNAT)" },
		{ "100.127.255.255", "shared (CGNAT)" },
		{ "100.63.255.255", NULL }, { "100.128.0.0", NULL },
		{ "0.0.0.0", "unspecified" }, { "0.1.2.3", "unspecified" },
		{ "224.0.0.1", "multicast" }, { "239.255.255.250", "multicast" },
		{ "255.255.255.255", "reserved" }, { "240.0.0.1", "reserved" },
		{ "192.0.0.170", "reserved" }, { "192.0.2.1", "documentation" },
		{ "198.18.0.1", "benchmarking" },
		{ "8.8.8.8", NULL }, { "1.1.1.1", NULL }, { "93.184.216.34", NULL },
		{ "::", "unspecified" }, { "::1", "loopback" },
		{ "fc00::1", "unique local" }, { "fd12:3456::1", "unique local" },
		{ "fe80::1", "link-local" }, { "febf::1", "link-local" },
		{ "fec0::1", "site-local" }, { "ff02::1", "multicast" },
		{ "2001:db8::1", "documentation" }, { "100::1", "reserved" },
		{ "4000::1", "reserved" }, { "64:ff9b:1::1", "private" },
		{ "2606:4700:4700::1111", NULL }, { "2a00:1450::1", NULL },
	};
	const char	*got;
	size_t		 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		got = class_of(t[i].addr);
		ck_assert_msg(t[i].want == NULL ? got == NULL : got != NULL &&
		    strcmp(got, t[i].want) == 0, "%s: %s, not %s", t[i].addr,
		    got != NULL ? got : "public", t[i].want != NULL ? t[i].want :
		    "public");
	}
}
END_TEST

START_TEST(ipv6_forms_of_ipv4_are_judged_by_the_ipv4)
{
	/* IPv4-mapped, IPv4-compatible, NAT64 and 6to4. */
	ck_assert_str_eq(class_of("::ffff:127.0.0.1"), "loopback");
	ck_assert_str_eq(class_of("::ffff:169.254.169.254"), "link-local");
	ck_assert_str_eq(class_of("::ffff:10.1.2.3"), "private");
	ck_assert_ptr_null(class_of("::ffff:8.8.8.8"));
	ck_assert_str_eq(class_of("::127.0.0.1"), "loopback");
	ck_assert_str_eq(class_of("::8.8.8.8"), "reserved");
	ck_assert_str_eq(class_of("64:ff9b::192.168.0.1"), "private");
	ck_assert_str_eq(class_of("64:ff9b::7f00:1"), "loopback");
	ck_assert_ptr_null(class_of("64:ff9b::8.8.8.8"));
	ck_assert_str_eq(class_of("2002:a9fe:a9fe::1"), "link-local");
	ck_assert_str_eq(class_of("2002:7f00:1::"), "loopback");
	ck_assert_ptr_null(class_of("2002:808:808::1"));
}
END_TEST

/* hark_web_guard_check on an address in text. */
static int
guard_says(const struct hark_web_guard *g, const char *text, char *why,
    size_t whylen)
{
	struct sockaddr_in6	 s6;
	struct sockaddr_in	 s4;

	memset(&s4, 0, sizeof(s4));
	memset(&s6, 0, sizeof(s6));
	s4.sin_family = AF_INET;
	s6.sin6_family = AF_INET6;
	if (inet_pton(AF_INET, text, &s4.sin_addr) == 1)
		return hark_web_guard_check(g, (struct sockaddr *)&s4, why,
		    whylen);
	ck_assert_int_eq(inet_pton(AF_INET6, text, &s6.sin6_addr), 1);
	return hark_web_guard_check(g, (struct sockaddr *)&s6, why, whylen);
}

START_TEST(the_guard_refuses_private_addresses_unless_allowed)
{
	struct hark_web_guard	 g = { 0, NULL, NULL };
	char			 why[160];

	ck_assert_int_eq(guard_says(&g, "127.0.0.1", why, sizeof(why)), -1);
	ck_assert_str_eq(why, "the loopback address 127.0.0.1 ([webhook] "
	    "allow_private is off)");
	ck_assert_int_eq(guard_says(&g, "::ffff:169.254.169.254", why,
	    sizeof(why)), -1);
	ck_assert_msg(strstr(why, "link-local address 169.254.169.254") !=
	    NULL, "%s", why);
	ck_assert_int_eq(guard_says(&g, "::1", why, sizeof(why)), -1);
	ck_assert_int_eq(guard_says(&g, "8.8.8.8", why, sizeof(why)), 0);
	ck_assert_int_eq(guard_says(&g, "2606:4700:4700::1111", why,
	    sizeof(why)), 0);
	g.allow_private = 1;
	ck_assert_int_eq(guard_says(&g, "127.0.0.1", why, sizeof(why)), 0);
	ck_assert_int_eq(guard_says(&g, "fd00::1", why, sizeof(why)), 0);
}
END_TEST

START_TEST(the_guard_lists_come_before_the_class)
{
	struct hark_proxies	 allow, deny;
	struct hark_web_guard	 g = { 0, &allow, &deny };
	char			 why[160];

	ck_assert_int_eq(hark_proxies_parse("10.1.2.0/24, fd00:1::/32",
	    &allow, why, sizeof(why)), 0);
	ck_assert_int_eq(hark_proxies_parse("203.0.113.7 10.1.2.9 8.8.4.0/24",
	    &deny, why, sizeof(why)), 0);
	ck_assert_int_eq(guard_says(&g, "10.1.2.3", why, sizeof(why)), 0);
	ck_assert_int_eq(guard_says(&g, "::ffff:10.1.2.3", why, sizeof(why)),
	    0);
	ck_assert_int_eq(guard_says(&g, "fd00:1::5", why, sizeof(why)), 0);
	ck_assert_int_eq(guard_says(&g, "10.1.3.3", why, sizeof(why)), -1);
	/* deny wins over allow, and over allow_private. */
	ck_assert_int_eq(guard_says(&g, "10.1.2.9", why, sizeof(why)), -1);
	ck_assert_str_eq(why, "the address 10.1.2.9 is in [webhook] "
	    "deny_networks");
	g.allow_private = 1;
	ck_assert_int_eq(guard_says(&g, "8.8.4.4", why, sizeof(why)), -1);
	ck_assert_int_eq(guard_says(&g, "8.8.8.8", why, sizeof(why)), 0);
	hark_proxies_free(&allow);
	hark_proxies_free(&deny);
}
END_TEST

START_TEST(registration_refuses_urls_naming_private_hosts)
{
	static const char *const refused[] = {
		"http://127.0.0.1/", "http://[::1]/", "http://169.254.169.254/",
		"http://169.254.169.254/latest/meta-data/", "http://127.1:3306/",
		"http://2130706433/", "http://0x7f.1/", "http://0177.0.0.1/",
		"http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/",
		"http://[fe80::1%25eth0]/", "https://10.0.0.5/hook",
		"http://192.168.1.1/", "http://100.64.0.1/", "http://0.0.0.0/",
		"http://[fd00::1]/", "http://localhost/", "http://LocalHost.:80/",
		"http://api.localhost/", "http://127.0.0.1.:8080/",
		"http://user:pw@127.0.0.1/", "http://0/", NULL
	};
	static const char *const allowed[] = {
		"https://hooks.example.com/hark", "http://8.8.8.8/",
		"http://[2606:4700:4700::1111]/", "http://notlocalhost/",
		"http://localhost.example.com/", "http://my-localhost/", NULL
	};
	struct hark_web_guard	 g = { 0, NULL, NULL };
	char			 err[320];
	size_t			 i;

	for (i = 0; refused[i] != NULL; i++)
		ck_assert_msg(hark_webhook_url_allowed(refused[i], &g, err,
		    sizeof(err)) == -1, "took %s", refused[i]);
	ck_assert_int_eq(hark_webhook_url_allowed("http://localhost:8080/x",
	    &g, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "loopback") != NULL && strstr(err,
	    "allow_private") != NULL, "%s", err);
	for (i = 0; allowed[i] != NULL; i++)
		ck_assert_msg(hark_webhook_url_allowed(allowed[i], &g, err,
		    sizeof(err)) == 0, "refused %s: %s", allowed[i], err);
	g.allow_private = 1;
	for (i = 0; refused[i] != NULL; i++)
		ck_assert_msg(hark_webhook_url_allowed(refused[i], &g, err,
		    sizeof(err)) == 0, "allow_private, refused %s: %s",
		    refused[i], err);
}
END_TEST

/* A socket listening on 127.0.0.1 that never accepts; *port its port. */
static int
listener(int *port)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	int			 fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	ck_assert_int_eq(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	return fd;
}

/* Whether a connection waits on fd (accepted and closed). */
static int
was_connected(int fd)
{
	int	 c;

	if ((c = accept(fd, NULL, NULL)) == -1)
		return 0;
	close(c);
	return 1;
}

START_TEST(a_guarded_request_is_refused_before_it_connects)
{
	struct hark_web_guard	 g = { 0, NULL, NULL };
	struct hark_web_req	 r;
	struct hark_buf		 out = { 0 };
	char			 url[64], why[256];
	long			 status;
	int			 fd, port;

	fd = listener(&port);
	/* A name, resolved by curl: the check is on what it connects to. */
	snprintf(url, sizeof(url), "http://localhost:%d/hook", port);
	memset(&r, 0, sizeof(r));
	r.url = url;
	r.content_type = "application/json";
	r.body = "{}";
	r.len = 2;
	r.timeout_ms = 1000;
	r.max_answer = 1024;
	r.guard = &g;
	ck_assert_int_eq(hark_web_request(&r, &status, &out, NULL, why,
	    sizeof(why)), HARK_WEB_REFUSED);
	ck_assert_msg(strstr(why, "loopback address") != NULL && strstr(why,
	    "allow_private is off") != NULL, "%s", why);
	ck_assert_ptr_null(strstr(why, "/hook"));
	ck_assert_int_eq(was_connected(fd), 0);
	/* Allowed, it does connect (and times out: nobody answers). */
	g.allow_private = 1;
	r.timeout_ms = 300;
	ck_assert_int_eq(hark_web_request(&r, &status, &out, NULL, why,
	    sizeof(why)), HARK_WEB_TIMEOUT);
	ck_assert_int_eq(was_connected(fd), 1);
	/* Unguarded, as the operator's own URLs are, likewise. */
	r.guard = NULL;
	ck_assert_int_eq(hark_web_request(&r, &status, &out, NULL, why,
	    sizeof(why)), HARK_WEB_TIMEOUT);
	ck_assert_int_eq(was_connected(fd), 1);
	hark_buf_free(&out);
	close(fd);
}
END_TEST

static Suite *
webhook_suite(void)
{
	Suite	*s = suite_create("webhook");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, the_reference_vector_signs);
	tcase_add_test(tc, hark_shaped_vector_signs);
	tcase_add_test(tc, one_byte_changed_changes_the_signature);
	tcase_add_test(tc, a_new_secret_round_trips);
	tcase_add_test(tc, bad_secrets_are_refused);
	tcase_add_test(tc, event_lists_parse);
	tcase_add_test(tc, endpoint_urls_are_checked);
	tcase_add_test(tc, addresses_are_classed);
	tcase_add_test(tc, ipv6_forms_of_ipv4_are_judged_by_the_ipv4);
	tcase_add_test(tc, the_guard_refuses_private_addresses_unless_allowed);
	tcase_add_test(tc, the_guard_lists_come_before_the_class);
	tcase_add_test(tc, registration_refuses_urls_naming_private_hosts);
	tcase_add_test(tc, a_guarded_request_is_refused_before_it_connects);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(webhook_suite());
	int	 nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
