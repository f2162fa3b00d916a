/*
 * proxies.h: the client address behind trusted reverse proxies.
 *
 * REMOTE_ADDR is the web server's peer.  When that peer is a proxy named in
 * [server] trusted_proxies, the address it reports (X-Forwarded-For, or the
 * RFC 7239 Forwarded header) is believed, hop by hop from the right, up to
 * the first address that is not itself a trusted proxy: that is the client.
 * A header from any other peer is ignored, so a client cannot choose the
 * address its failed keys are counted against.
 */
#ifndef HARK_PROXIES_H
#define HARK_PROXIES_H

#include <stddef.h>

/* Longest address text hark_proxies_client writes, NUL included. */
#define HARK_ADDR_MAX	46

struct hark_cidr {
	int		 family;	/* AF_INET or AF_INET6 */
	unsigned char	 addr[16];	/* network order; 4 bytes for AF_INET */
	int		 bits;		/* prefix length */
};

struct hark_proxies {
	struct hark_cidr	*v;	/* owned; NULL when n is 0 */
	size_t			 n;
};

/*
 * Parses a comma- or space-separated list of addresses and CIDRs (IPv4 and
 * IPv6; an address alone is a /32 or /128) into *out, which the caller frees
 * with hark_proxies_free.  "" is the empty list.  Returns 0, or -1 with why
 * (naming the bad entry) filled and *out empty.
 */
int	hark_proxies_parse(const char *spec, struct hark_proxies *out,
	    char *why, size_t whysz);
void	hark_proxies_free(struct hark_proxies *);

/*
 * The configuration table's checker: NULL when spec parses, else what is
 * wrong (a static buffer, valid until the next call).
 */
const char *hark_proxies_check(const char *spec);

/*
 * The block an address belongs to, for limits that one client cannot dodge
 * by moving within its own allocation: an IPv4 address's /24
 * ("203.0.113.0/24"), an IPv6 address's /64 ("2001:db8:1:2::/64"; an
 * IPv4-mapped one as IPv4).  Anything else is copied as it is.  out holds
 * at least HARK_ADDR_MAX + 4 bytes.
 */
void	hark_addr_block(const char *addr, char *out, size_t outlen);

/* Whether the address text addr lies in one of the list's ranges. */
int	hark_proxies_trusted(const struct hark_proxies *, const char *addr);

/*
 * Writes the client address of a request into out (at least HARK_ADDR_MAX
 * bytes): peer itself unless it is trusted; then the right-most address of
 * X-Forwarded-For (xff) or Forwarded (fwd) that is not trusted (either may
 * be NULL).  When both headers are present and name different clients,
 * neither is believed and the peer is the client: a trusted proxy sets one
 * of them, and a client could have sent the other.  A hop that cannot be
 * read ("unknown", a hidden name, junk) ends the walk at the last address
 * that could.  Returns 0 when out is a header's address, 1 when it is the
 * peer (copied as given, possibly cut to fit).
 */
int	hark_proxies_client(const struct hark_proxies *, const char *peer,
	    const char *xff, const char *fwd, char *out, size_t outsz);

#endif
