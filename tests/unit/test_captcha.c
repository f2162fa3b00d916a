/* test_captcha.c: siteverify against a local server that speaks its protocol: pass, fail, down, slow, junk. */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "captcha.h"

struct server {
	pid_t	 pid;
	int	 port;
	int	 got;		/* read end: the request body the server saw */
};

/* Reads one request and answers it with status/body after delay ms. */
static void
serve_one(int ls, int out, int status, const char *body, int delay_ms)
{
	char	 buf[8192], resp[1024];
	size_t	 have = 0;
	ssize_t	 n;
	char	*end, *cl;
	long	 want = 0;
	int	 fd;

	if ((fd = accept(ls, NULL, NULL)) == -1)
		_exit(1);
	while (have < sizeof(buf) - 1 &&
	    (n = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0) {
		have += (size_t)n;
		buf[have] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) == NULL)
			continue;
		if ((cl = strcasestr(buf, "content-length:")) != NULL)
			want = strtol(cl + 15, NULL, 10);
		if ((long)(have - (size_t)(end + 4 - buf)) >= want)
			break;
	}
	if ((end = strstr(buf, "\r\n\r\n")) != NULL)
		(void)!write(out, end + 4, strlen(end + 4));
	close(out);
	usleep((useconds_t)delay_ms * 1000);
	snprintf(resp, sizeof(resp), "HTTP/1.1 %d X\r\nContent-Type: "
	    "application/json\r\nContent-Length: %zu\r\nConnection: close\r\n"
	    "\r\n%s", status, strlen(body), body);
	(void)!write(fd, resp, strlen(resp));
	close(fd);
	_exit(0);
}

static void
start(struct server *s, int status, const char *body, int delay_ms)
{
	struct sockaddr_in	 a;
	socklen_t		 len = sizeof(a);
	int			 ls, p[2];

	ck_assert_int_eq(pipe(p), 0);
	ls = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(ls, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(ls, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(ls, 1), 0);
	ck_assert_int_eq(getsockname(ls, (struct sockaddr *)&a, &len), 0);
	s->port = ntohs(a.sin_port);
	if ((s->pid = fork()) == 0) {
		close(p[0]);
		serve_one(ls, p[1], status, body, delay_ms);
	}
	close(ls);
	close(p[1]);
	s->got = p[0];
}

static void
stop(struct server *s, char *got, size_t len)
{
	ssize_t	 n;

	n = read(s->got, got, len - 1);
	got[n > 0 ? n : 0] = '\0';
	close(s->got);
	kill(s->pid, SIGKILL);
	waitpid(s->pid, NULL, 0);
}

static enum hark_captcha_rc
ask(const struct server *s, long timeout_ms, char *why, size_t whylen)
{
	char			 url[64];
	struct hark_captcha_req	 r = { url, timeout_ms, "0xSECRET",
				    "tok-en&=1", "203.0.113.7", "site-key" };

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/siteverify", s->port);
	return hark_captcha_verify(&r, why, whylen);
}

START_TEST(a_good_token_passes_and_the_form_is_the_providers)
{
	struct server	 s;
	char		 got[1024], why[256];

	start(&s, 200, "{\"success\":true,\"challenge_ts\":\"x\"}", 0);
	ck_assert_int_eq(ask(&s, 2000, why, sizeof(why)), HARK_CAPTCHA_PASS);
	stop(&s, got, sizeof(got));
	ck_assert_str_eq(got, "secret=0xSECRET&response=tok-en%26%3D1"
	    "&remoteip=203.0.113.7&sitekey=site-key");
}
END_TEST

START_TEST(a_refused_token_fails_with_its_codes)
{
	struct server	 s;
	char		 got[1024], why[256];

	start(&s, 200, "{\"success\":false,\"error-codes\":"
	    "[\"invalid-input-response\"]}", 0);
	ck_assert_int_eq(ask(&s, 2000, why, sizeof(why)), HARK_CAPTCHA_FAIL);
	stop(&s, got, sizeof(got));
	ck_assert_ptr_nonnull(strstr(why, "invalid-input-response"));
	ck_assert_ptr_null(strstr(why, "0xSECRET"));
}
END_TEST

START_TEST(a_provider_error_is_no_pass)
{
	struct server	 s;
	char		 got[1024], why[256];

	start(&s, 500, "{\"success\":true}", 0);
	ck_assert_int_eq(ask(&s, 2000, why, sizeof(why)),
	    HARK_CAPTCHA_UNAVAILABLE);
	stop(&s, got, sizeof(got));
	start(&s, 200, "<html>maintenance</html>", 0);
	ck_assert_int_eq(ask(&s, 2000, why, sizeof(why)),
	    HARK_CAPTCHA_UNAVAILABLE);
	stop(&s, got, sizeof(got));
	start(&s, 200, "{\"success\":\"yes\"}", 0);
	ck_assert_int_eq(ask(&s, 2000, why, sizeof(why)),
	    HARK_CAPTCHA_UNAVAILABLE);
	stop(&s, got, sizeof(got));
}
END_TEST

START_TEST(a_slow_provider_times_out_as_no_pass)
{
	struct server	 s;
	char		 got[1024], why[256];

	start(&s, 200, "{\"success\":true}", 1500);
	ck_assert_int_eq(ask(&s, 300, why, sizeof(why)),
	    HARK_CAPTCHA_UNAVAILABLE);
	stop(&s, got, sizeof(got));
}
END_TEST

START_TEST(an_unreachable_provider_is_no_pass)
{
	struct server	 s;
	char		 got[1024], why[256];

	/* A port that was just free: nothing listens on it any more. */
	start(&s, 200, "{\"success\":true}", 0);
	kill(s.pid, SIGKILL);
	waitpid(s.pid, NULL, 0);
	close(s.got);
	ck_assert_int_eq(ask(&s, 1000, why, sizeof(why)),
	    HARK_CAPTCHA_UNAVAILABLE);
	ck_assert_str_ne(why, "");
}
END_TEST

static Suite *
captcha_suite(void)
{
	Suite	*s = suite_create("captcha");
	TCase	*tc = tcase_create("siteverify");

	tcase_add_test(tc, a_good_token_passes_and_the_form_is_the_providers);
	tcase_add_test(tc, a_refused_token_fails_with_its_codes);
	tcase_add_test(tc, a_provider_error_is_no_pass);
	tcase_add_test(tc, a_slow_provider_times_out_as_no_pass);
	tcase_add_test(tc, an_unreachable_provider_is_no_pass);
	tcase_set_timeout(tc, 20);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(captcha_suite());
	int	 nf;

	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
