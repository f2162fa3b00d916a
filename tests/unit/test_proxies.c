/* test_proxies.c: trusted_proxies parsing and the client address behind them. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxies.h"

static struct hark_proxies	p;
static char			out[HARK_ADDR_MAX];

static void
use(const char *spec)
{
	char	 why[128];

	ck_assert_msg(hark_proxies_parse(spec, &p, why, sizeof(why)) == 0,
	    "%s: %s", spec, why);
}

static void
teardown(void)
{
	hark_proxies_free(&p);
}

/* The client of a request from peer with the two headers (NULL = absent). */
static const char *
client(const char *peer, const char *xff, const char *fwd)
{
	hark_proxies_client(&p, peer, xff, fwd, out, sizeof(out));
	return out;
}

START_TEST(parses_ipv4_and_ipv6_cidrs_separated_by_commas_or_spaces)
{
	use("10.0.0.0/8, 192.0.2.1  2001:db8::/32,::1");
	ck_assert_uint_eq(p.n, 4);
	ck_assert(hark_proxies_trusted(&p, "10.200.3.4"));
	ck_assert(hark_proxies_trusted(&p, "192.0.2.1"));
	ck_assert(!hark_proxies_trusted(&p, "192.0.2.2"));
	ck_assert(hark_proxies_trusted(&p, "2001:db8:ffff::1"));
	ck_assert(!hark_proxies_trusted(&p, "2001:db9::1"));
	ck_assert(hark_proxies_trusted(&p, "::1"));
}
END_TEST

START_TEST(empty_list_trusts_nobody)
{
	use("");
	ck_assert_uint_eq(p.n, 0);
	ck_assert(!hark_proxies_trusted(&p, "127.0.0.1"));
}
END_TEST

START_TEST(a_prefix_that_is_not_on_a_byte_boundary_matches_exactly)
{
	use("192.0.2.64/26");
	ck_assert(hark_proxies_trusted(&p, "192.0.2.64"));
	ck_assert(hark_proxies_trusted(&p, "192.0.2.127"));
	ck_assert(!hark_proxies_trusted(&p, "192.0.2.63"));
	ck_assert(!hark_proxies_trusted(&p, "192.0.2.128"));
}
END_TEST

START_TEST(host_bits_of_a_cidr_are_ignored)
{
	use("10.1.2.3/8");
	ck_assert(hark_proxies_trusted(&p, "10.9.9.9"));
}
END_TEST

START_TEST(zero_prefix_trusts_the_whole_family)
{
	use("0.0.0.0/0");
	ck_assert(hark_proxies_trusted(&p, "203.0.113.9"));
	ck_assert(!hark_proxies_trusted(&p, "2001:db8::1"));
}
END_TEST

START_TEST(an_ipv4_mapped_peer_matches_its_ipv4_range)
{
	use("127.0.0.0/8");
	ck_assert(hark_proxies_trusted(&p, "::ffff:127.0.0.1"));
}
END_TEST

START_TEST(refuses_bad_entries_naming_them)
{
	static const char *const bad[] = {
		"10.0.0.0/33", "10.0.0/8", "10.0.0.0/", "10.0.0.0/-1",
		"10.0.0.0/08", "2001:db8::/129", "localhost", "10.0.0.0/8x",
		"1.2.3.4.5", "[::1]", "::ffff:10.0.0.0/104", "10.0.0.0/8;",
	};
	char	 why[128];
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(hark_proxies_parse(bad[i], &p, why,
		    sizeof(why)) == -1, "%s accepted", bad[i]);
		ck_assert_ptr_null(p.v);
		ck_assert_msg(strstr(why, bad[i]) != NULL, "%s: %s", bad[i],
		    why);
	}
	ck_assert_ptr_nonnull(hark_proxies_check("10.0.0.0/8, nonsense"));
	ck_assert_ptr_nonnull(strstr(hark_proxies_check("10.0.0.0/8 x/1"),
	    "'x/1'"));
	ck_assert_ptr_null(hark_proxies_check("10.0.0.0/8 ::1"));
}
END_TEST

START_TEST(header_from_an_untrusted_peer_is_ignored)
{
	use("10.0.0.0/8");
	ck_assert_str_eq(client("203.0.113.5", "198.51.100.7", NULL),
	    "203.0.113.5");
	ck_assert_str_eq(client("203.0.113.5", NULL, "for=198.51.100.7"),
	    "203.0.113.5");
}
END_TEST

START_TEST(without_trusted_proxies_the_peer_is_the_client)
{
	use("");
	ck_assert_str_eq(client("127.0.0.1", "198.51.100.7", NULL),
	    "127.0.0.1");
}
END_TEST

START_TEST(trusted_peer_without_a_header_is_the_client)
{
	use("10.0.0.0/8");
	ck_assert_str_eq(client("10.0.0.1", NULL, NULL), "10.0.0.1");
	ck_assert_str_eq(client("10.0.0.1", "", ""), "10.0.0.1");
}
END_TEST

START_TEST(takes_the_right_most_untrusted_address)
{
	use("10.0.0.0/8");
	/* The client wrote 1.1.1.1 itself; 198.51.100.7 is what 10.0.0.2 saw. */
	ck_assert_str_eq(client("10.0.0.1",
	    "1.1.1.1, 198.51.100.7, 10.0.0.2", NULL), "198.51.100.7");
}
END_TEST

START_TEST(when_every_hop_is_trusted_the_left_most_is_the_client)
{
	use("10.0.0.0/8");
	ck_assert_str_eq(client("10.0.0.1", "10.0.0.3,10.0.0.2", NULL),
	    "10.0.0.3");
}
END_TEST

START_TEST(an_unreadable_hop_stops_at_the_last_readable_one)
{
	use("10.0.0.0/8");
	ck_assert_str_eq(client("10.0.0.1", "198.51.100.7, junk, 10.0.0.2",
	    NULL), "10.0.0.2");
	ck_assert_str_eq(client("10.0.0.1", "junk", NULL), "10.0.0.1");
	ck_assert_str_eq(client("10.0.0.1", NULL, "for=unknown"), "10.0.0.1");
	ck_assert_str_eq(client("10.0.0.1", NULL, "for=_hidden"), "10.0.0.1");
	ck_assert_str_eq(client("10.0.0.1", ",", NULL), "10.0.0.1");
}
END_TEST

START_TEST(reads_ports_and_bracketed_ipv6_in_x_forwarded_for)
{
	use("10.0.0.0/8");
	ck_assert_str_eq(client("10.0.0.1", "198.51.100.7:4711", NULL),
	    "198.51.100.7");
	ck_assert_str_eq(client("10.0.0.1", "[2001:db8::17]:4711", NULL),
	    "2001:db8::17");
	ck_assert_str_eq(client("10.0.0.1", " 2001:DB8::17 ", NULL),
	    "2001:db8::17");
}
END_TEST

START_TEST(reads_rfc7239_forwarded_elements)
{
	use("10.0.0.0/8, 2001:db8:cafe::/48");
	ck_assert_str_eq(client("10.0.0.1", NULL,
	    "for=192.0.2.60;proto=http;by=203.0.113.43"), "192.0.2.60");
	ck_assert_str_eq(client("10.0.0.1", NULL,
	    "for=192.0.2.43, for=\"[2001:db8:cafe::17]:4711\""),
	    "192.0.2.43");
	ck_assert_str_eq(client("10.0.0.1", NULL,
	    "proto=https; For=\"198.51.100.9\""), "198.51.100.9");
	/* A quoted comma does not split elements. */
	ck_assert_str_eq(client("10.0.0.1", NULL,
	    "for=198.51.100.9;x=\"a,b\""), "198.51.100.9");
	ck_assert_str_eq(client("10.0.0.1", NULL, "by=10.0.0.1"), "10.0.0.1");
}
END_TEST

START_TEST(two_headers_that_disagree_are_both_ignored)
{
	use("10.0.0.0/8");
	ck_assert_str_eq(client("10.0.0.1", "198.51.100.7",
	    "for=203.0.113.66"), "10.0.0.1");
	ck_assert_str_eq(client("10.0.0.1", "198.51.100.7",
	    "for=198.51.100.7"), "198.51.100.7");
}
END_TEST

START_TEST(an_ipv4_mapped_peer_is_trusted_and_the_result_is_plain_ipv4)
{
	use("127.0.0.1");
	ck_assert_str_eq(client("::ffff:127.0.0.1", "::ffff:198.51.100.7",
	    NULL), "198.51.100.7");
}
END_TEST

START_TEST(a_very_long_chain_keeps_its_right_end)
{
	char	*xff;
	size_t	 i, len = 0;

	use("10.0.0.0/8");
	ck_assert_ptr_nonnull(xff = malloc(200 * 16 + 64));
	for (i = 0; i < 200; i++)
		len += (size_t)sprintf(xff + len, "10.0.%zu.%zu, ", i / 250,
		    i % 250 + 1);
	sprintf(xff + len, "198.51.100.7, 10.9.9.9");
	ck_assert_str_eq(client("10.0.0.1", xff, NULL), "198.51.100.7");
	free(xff);
}
END_TEST

START_TEST(a_peer_that_is_not_an_address_is_passed_through)
{
	use("10.0.0.0/8");
	ck_assert_str_eq(client("", "198.51.100.7", NULL), "");
	ck_assert_str_eq(client(NULL, "198.51.100.7", NULL), "");
}
END_TEST

START_TEST(address_blocks_are_an_ipv4_24_and_an_ipv6_64)
{
	char	 b[HARK_ADDR_MAX + 8];

	hark_addr_block("203.0.113.77", b, sizeof(b));
	ck_assert_str_eq(b, "203.0.113.0/24");
	hark_addr_block("2001:db8:1:2:3:4:5:6", b, sizeof(b));
	ck_assert_str_eq(b, "2001:db8:1:2::/64");
	hark_addr_block("2001:db8:1:2::", b, sizeof(b));
	ck_assert_str_eq(b, "2001:db8:1:2::/64");
	hark_addr_block("::ffff:198.51.100.9", b, sizeof(b));
	ck_assert_str_eq(b, "198.51.100.0/24");
	hark_addr_block("::1", b, sizeof(b));
	ck_assert_str_eq(b, "::/64");
	hark_addr_block("not an address", b, sizeof(b));
	ck_assert_str_eq(b, "not an address");
}
END_TEST

static Suite *
proxies_suite(void)
{
	Suite	*s = suite_create("proxies");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, parses_ipv4_and_ipv6_cidrs_separated_by_commas_or_spaces);
	tcase_add_test(tc, empty_list_trusts_nobody);
	tcase_add_test(tc, a_prefix_that_is_not_on_a_byte_boundary_matches_exactly);
	tcase_add_test(tc, host_bits_of_a_cidr_are_ignored);
	tcase_add_test(tc, zero_prefix_trusts_the_whole_family);
	tcase_add_test(tc, an_ipv4_mapped_peer_matches_its_ipv4_range);
	tcase_add_test(tc, refuses_bad_entries_naming_them);
	tcase_add_test(tc, header_from_an_untrusted_peer_is_ignored);
	tcase_add_test(tc, without_trusted_proxies_the_peer_is_the_client);
	tcase_add_test(tc, trusted_peer_without_a_header_is_the_client);
	tcase_add_test(tc, takes_the_right_most_untrusted_address);
	tcase_add_test(tc, when_every_hop_is_trusted_the_left_most_is_the_client);
	tcase_add_test(tc, an_unreadable_hop_stops_at_the_last_readable_one);
	tcase_add_test(tc, reads_ports_and_bracketed_ipv6_in_x_forwarded_for);
	tcase_add_test(tc, reads_rfc7239_forwarded_elements);
	tcase_add_test(tc, two_headers_that_disagree_are_both_ignored);
	tcase_add_test(tc, an_ipv4_mapped_peer_is_trusted_and_the_result_is_plain_ipv4);
	tcase_add_test(tc, a_very_long_chain_keeps_its_right_end);
	tcase_add_test(tc, a_peer_that_is_not_an_address_is_passed_through);
	tcase_add_test(tc, address_blocks_are_an_ipv4_24_and_an_ipv6_64);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(proxies_suite());
	int	 nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
