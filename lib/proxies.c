/*
 * proxies.c: [server] trusted_proxies and the client address behind them.
 *
 * Both forwarding headers are read from the right: each proxy appends the
 * peer it saw, so only the entries added by proxies we trust are true, and
 * the first entry from the right that is not a trusted proxy is the client.
 * Everything left of it was written by the client and is not looked at.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "proxies.h"

/* Hops kept from the right end of a header; more is an attack, not a path. */
#define MAX_HOPS	64
/* Longest entry (an IPv6 CIDR is at most 43 characters). */
#define ENTRY_MAX	64

struct hop {
	struct hark_cidr	 a;
	int			 ok;		/* 0: unreadable */
};

static const unsigned char v4_mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* An address with nothing around it, as inet_pton reads it; 0 or -1. */
static int
addr_parse(const char *s, size_t n, struct hark_cidr *a)
{
	char	 buf[ENTRY_MAX];

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, buf, a->addr) == 1) {
		a->family = AF_INET;
		a->bits = 32;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, a->addr) != 1)
		return -1;
	a->family = AF_INET6;
	a->bits = 128;
	/* ::ffff:192.0.2.1 is how a dual-stack socket shows an IPv4 peer. */
	if (memcmp(a->addr, v4_mapped, sizeof(v4_mapped)) == 0) {
		memmove(a->addr, a->addr + 12, 4);
		memset(a->addr + 4, 0, 12);
		a->family = AF_INET;
		a->bits = 32;
	}
	return 0;
}

static void
cidr_mask(struct hark_cidr *c)
{
	int	 i, len = c->family == AF_INET ? 4 : 16;

	for (i = 0; i < len; i++) {
		if (c->bits >= (i + 1) * 8)
			continue;
		if (c->bits <= i * 8)
			c->addr[i] = 0;
		else
			c->addr[i] &= (unsigned char)(0xff << (8 - (c->bits - i * 8)));
	}
}

/* "192.0.2.0/24", "2001:db8::/32" or an address alone; 0 or -1. */
static int
cidr_parse(const char *s, size_t n, struct hark_cidr *c)
{
	const char	*slash = memchr(s, '/', n);
	size_t		 i, alen = slash ? (size_t)(slash - s) : n;
	int		 bits = 0, max;

	if (addr_parse(s, alen, c) == -1)
		return -1;
	if (slash == NULL)
		return 0;
	/* A mapped IPv4 address with an IPv6 prefix is a confusion, refuse. */
	if (c->family == AF_INET && memchr(s, ':', alen) != NULL)
		return -1;
	max = c->family == AF_INET ? 32 : 128;
	if (n - alen < 2 || n - alen > 4)
		return -1;
	for (i = alen + 1; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		bits = bits * 10 + (s[i] - '0');
	}
	if (bits > max || (s[alen + 1] == '0' && n - alen > 2))
		return -1;
	c->bits = bits;
	cidr_mask(c);
	return 0;
}

static int
cidr_contains(const struct hark_cidr *c, const struct hark_cidr *a)
{
	int		 full = c->bits / 8, rest = c->bits % 8;
	unsigned char	 m;

	if (c->family != a->family)
		return 0;
	if (memcmp(c->addr, a->addr, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	m = (unsigned char)(0xff << (8 - rest));
	return (c->addr[full] & m) == (a->addr[full] & m);
}

static int
is_sep(char ch)
{
	return ch == ',' || ch == ' ' || ch == '\t';
}

int
hark_proxies_parse(const char *spec, struct hark_proxies *out, char *why,
    size_t whysz)
{
	struct hark_cidr	*v = NULL, *nv;
	size_t			 n = 0, len;
	const char		*s = spec;

	out->v = NULL;
	out->n = 0;
	for (;;) {
		while (is_sep(*s))
			s++;
		if (*s == '\0')
			break;
		for (len = 0; s[len] != '\0' && !is_sep(s[len]); len++)
			;
		if ((nv = realloc(v, (n + 1) * sizeof(*v))) == NULL) {
			snprintf(why, whysz, "out of memory");
			goto fail;
		}
		v = nv;
		if (cidr_parse(s, len, &v[n]) == -1) {
			snprintf(why, whysz, "'%.*s' is not an IPv4 or IPv6 "
			    "address or CIDR", (int)(len > 50 ? 50 : len), s);
			goto fail;
		}
		n++;
		s += len;
	}
	out->v = v;
	out->n = n;
	return 0;
fail:
	free(v);
	return -1;
}

void
hark_proxies_free(struct hark_proxies *p)
{
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

const char *
hark_proxies_check(const char *spec)
{
	static char		 why[128];
	struct hark_proxies	 p;

	if (hark_proxies_parse(spec, &p, why, sizeof(why)) == -1)
		return why;
	hark_proxies_free(&p);
	return NULL;
}

static int
trusted(const struct hark_proxies *p, const struct hark_cidr *a)
{
	size_t	 i;

	for (i = 0; i < p->n; i++)
		if (cidr_contains(&p->v[i], a))
			return 1;
	return 0;
}

int
hark_proxies_trusted(const struct hark_proxies *p, const char *addr)
{
	struct hark_cidr	 a;

	if (addr == NULL || addr_parse(addr, strlen(addr), &a) == -1)
		return 0;
	return trusted(p, &a);
}

/*
 * One hop as a header writes it: "192.0.2.1", "192.0.2.1:8080",
 * "[2001:db8::1]", "[2001:db8::1]:8080" or "2001:db8::1".
 */
static int
hop_parse(const char *s, size_t n, struct hark_cidr *a)
{
	const char	*end, *colon;

	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n > 0 && s[0] == '[') {
		if ((end = memchr(s, ']', n)) == NULL)
			return -1;
		if ((size_t)(end - s) + 1 != n && end[1] != ':')
			return -1;
		return addr_parse(s + 1, (size_t)(end - s) - 1, a);
	}
	/* One colon: IPv4 with a port; more: a bare IPv6 address. */
	colon = memchr(s, ':', n);
	if (colon != NULL && memchr(colon + 1, ':', n - (size_t)(colon - s) - 1) == NULL)
		n = (size_t)(colon - s);
	return addr_parse(s, n, a);
}

/* Appends a hop, keeping the right-most MAX_HOPS. */
static void
hops_push(struct hop *h, size_t *n, const struct hop *one)
{
	if (*n == MAX_HOPS) {
		memmove(h, h + 1, (MAX_HOPS - 1) * sizeof(*h));
		(*n)--;
	}
	h[(*n)++] = *one;
}

static size_t
xff_hops(const char *xff, struct hop *h)
{
	struct hop	 one;
	size_t		 n = 0, len;

	for (;;) {
		len = strcspn(xff, ",");
		one.ok = hop_parse(xff, len, &one.a) == 0;
		hops_push(h, &n, &one);
		if (xff[len] == '\0')
			break;
		xff += len + 1;
	}
	return n;
}

/*
 * The for= value of one Forwarded element (s, n), unquoted into buf;
 * -1 when it has none.  Pairs are separated by ';', values may be
 * quoted strings with \-escapes (RFC 7239, section 4).
 */
static int
fwd_for(const char *s, size_t n, char *buf, size_t bufsz)
{
	size_t	 i = 0, k, w;
	int	 is_for;

	while (i < n) {
		while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == ';'))
			i++;
		k = i;
		while (i < n && s[i] != '=' && s[i] != ';')
			i++;
		is_for = i - k == 3 && strncasecmp(s + k, "for", 3) == 0;
		if (i >= n || s[i] != '=')
			continue;
		i++;
		w = 0;
		if (i < n && s[i] == '"') {
			for (i++; i < n && s[i] != '"'; i++) {
				if (s[i] == '\\' && i + 1 < n)
					i++;
				if (w + 1 < bufsz)
					buf[w++] = s[i];
			}
			i++;
		} else
			for (; i < n && s[i] != ';'; i++)
				if (w + 1 < bufsz)
					buf[w++] = s[i];
		if (is_for) {
			buf[w] = '\0';
			while (w > 0 && (buf[w - 1] == ' ' || buf[w - 1] == '\t'))
				buf[--w] = '\0';
			return 0;
		}
	}
	return -1;
}

static size_t
fwd_hops(const char *fwd, struct hop *h)
{
	struct hop	 one;
	char		 val[ENTRY_MAX];
	size_t		 n = 0, i, start = 0;
	int		 quoted = 0;

	for (i = 0;; i++) {
		if (fwd[i] == '"')
			quoted = !quoted;
		else if (fwd[i] == '\\' && quoted && fwd[i + 1] != '\0')
			i++;
		else if ((fwd[i] == ',' && !quoted) || fwd[i] == '\0') {
			one.ok = fwd_for(fwd + start, i - start, val,
			    sizeof(val)) == 0 &&
			    hop_parse(val, strlen(val), &one.a) == 0;
			hops_push(h, &n, &one);
			if (fwd[i] == '\0')
				break;
			start = i + 1;
		}
	}
	return n;
}

/* The right-most untrusted hop, walking left from the (trusted) peer. */
static void
walk(const struct hark_proxies *p, const struct hop *h, size_t n,
    const struct hark_cidr *peer, struct hark_cidr *out)
{
	*out = *peer;
	while (n-- > 0) {
		if (!h[n].ok)
			return;
		*out = h[n].a;
		if (!trusted(p, out))
			return;
	}
}

static void
addr_text(const struct hark_cidr *a, char *out, size_t outsz)
{
	if (inet_ntop(a->family, a->addr, out, (socklen_t)outsz) == NULL &&
	    outsz > 0)
		out[0] = '\0';
}

int
hark_proxies_client(const struct hark_proxies *p, const char *peer,
    const char *xff, const char *fwd, char *out, size_t outsz)
{
	struct hop		 h[MAX_HOPS];
	struct hark_cidr	 pa, x, f;
	int			 has_x = xff != NULL && *xff != '\0';
	int			 has_f = fwd != NULL && *fwd != '\0';

	if (peer == NULL)
		peer = "";
	if (p->n == 0 || (!has_x && !has_f) ||
	    addr_parse(peer, strlen(peer), &pa) == -1 || !trusted(p, &pa)) {
		snprintf(out, outsz, "%s", peer);
		return 1;
	}
	if (has_x)
		walk(p, h, xff_hops(xff, h), &pa, &x);
	if (has_f)
		walk(p, h, fwd_hops(fwd, h), &pa, &f);
	if (has_x && has_f && (x.family != f.family ||
	    memcmp(x.addr, f.addr, sizeof(x.addr)) != 0)) {
		snprintf(out, outsz, "%s", peer);
		return 1;
	}
	addr_text(has_x ? &x : &f, out, outsz);
	return 0;
}

void
hark_addr_block(const char *addr, char *out, size_t outlen)
{
	unsigned char	 a[16];
	char		 t[INET6_ADDRSTRLEN];

	if (inet_pton(AF_INET, addr, a) == 1) {
		snprintf(out, outlen, "%u.%u.%u.0/24", a[0], a[1], a[2]);
		return;
	}
	if (inet_pton(AF_INET6, addr, a) == 1) {
		/* ::ffff:a.b.c.d is an IPv4 client. */
		if (memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0) {
			snprintf(out, outlen, "%u.%u.%u.0/24", a[12], a[13],
			    a[14]);
			return;
		}
		memset(a + 8, 0, 8);
		if (inet_ntop(AF_INET6, a, t, sizeof(t)) != NULL) {
			snprintf(out, outlen, "%s/64", t);
			return;
		}
	}
	snprintf(out, outlen, "%s", addr);
}
