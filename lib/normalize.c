/*
 * normalize.c: text normalized for duplicate detection (see normalize.h):
 * Unicode NFC (UAX #15: canonical decomposition, canonical ordering,
 * canonical composition, Hangul by arithmetic), full case folding
 * (CaseFolding.txt C+F), NFC again (folding can decompose: "İ"), white
 * space collapsed and trimmed.  Tables: unicode_tables.c.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "normalize.h"
#include "unicode_tables.h"
#include "utf8.h"

#define SBASE	0xAC00
#define LBASE	0x1100
#define VBASE	0x1161
#define TBASE	0x11A7
#define LCOUNT	19
#define VCOUNT	21
#define TCOUNT	28
#define NCOUNT	(VCOUNT * TCOUNT)
#define SCOUNT	(LCOUNT * NCOUNT)

/* The longest canonical decomposition and case folding (Unicode 14). */
#define GROW	4

struct cps {
	uint32_t	*v;
	size_t		 n, cap;
};

static int
cmp_map(const void *k, const void *e)
{
	uint32_t	 cp = *(const uint32_t *)k;
	unsigned int	 c = ((const struct hark_uc_map *)e)->cp;

	return cp < c ? -1 : cp > c;
}

static int
cmp_ccc(const void *k, const void *e)
{
	uint32_t	 cp = *(const uint32_t *)k;
	unsigned int	 c = ((const struct hark_uc_ccc *)e)->cp;

	return cp < c ? -1 : cp > c;
}

static int
cmp_pair(const void *k, const void *e)
{
	const uint32_t			*ab = k;
	const struct hark_uc_pair	*p = e;

	if (ab[0] != p->a)
		return ab[0] < p->a ? -1 : 1;
	return ab[1] < p->b ? -1 : ab[1] > p->b;
}

static unsigned
ccc_of(uint32_t cp)
{
	const struct hark_uc_ccc	*e;

	if (cp < 0x300)
		return 0;
	e = bsearch(&cp, hark_uc_ccc, hark_uc_nccc, sizeof(*e), cmp_ccc);
	return e != NULL ? e->ccc : 0;
}

static const struct hark_uc_map *
lookup(const struct hark_uc_map *t, size_t n, uint32_t cp)
{
	return bsearch(&cp, t, n, sizeof(*t), cmp_map);
}

static int
push(struct cps *o, uint32_t cp)
{
	uint32_t	*v;
	size_t		 cap;

	if (o->n == o->cap) {
		cap = o->cap ? o->cap * 2 : 64;
		if ((v = realloc(o->v, cap * sizeof(*v))) == NULL)
			return -1;
		o->v = v;
		o->cap = cap;
	}
	o->v[o->n++] = cp;
	return 0;
}

/* Appends cp's full canonical decomposition (or cp) to o. */
static int
decompose(uint32_t cp, struct cps *o)
{
	const struct hark_uc_map	*m;
	uint32_t			 s, t;
	unsigned			 i;

	/* Nothing below U+00C0 decomposes: the common case, without a search. */
	if (cp < 0xC0)
		return push(o, cp);
	if (cp >= SBASE && cp < SBASE + SCOUNT) {
		s = cp - SBASE;
		t = s % TCOUNT;
		if (push(o, LBASE + s / NCOUNT) == -1 ||
		    push(o, VBASE + (s % NCOUNT) / TCOUNT) == -1)
			return -1;
		return t != 0 ? push(o, TBASE + t) : 0;
	}
	if ((m = lookup(hark_uc_decomp, hark_uc_ndecomp, cp)) == NULL)
		return push(o, cp);
	for (i = 0; i < m->len; i++)
		if (push(o, hark_uc_pool[m->off + i]) == -1)
			return -1;
	return 0;
}

/* Canonical ordering: a stable sort of each run of non-starters by class. */
static void
reorder(struct cps *a)
{
	size_t		 i, j;
	uint32_t	 cp;
	unsigned	 k;

	for (i = 1; i < a->n; i++) {
		cp = a->v[i];
		if ((k = ccc_of(cp)) == 0)
			continue;
		for (j = i; j > 0 && ccc_of(a->v[j - 1]) > k; j--)
			a->v[j] = a->v[j - 1];
		a->v[j] = cp;
	}
}

static uint32_t
compose_pair(uint32_t a, uint32_t b)
{
	const struct hark_uc_pair	*p;
	uint32_t			 ab[2] = { a, b };

	/* Every second character of a composition is U+0300 or above. */
	if (b < 0x300)
		return 0;
	if (a >= LBASE && a < LBASE + LCOUNT && b >= VBASE &&
	    b < VBASE + VCOUNT)
		return SBASE + ((a - LBASE) * VCOUNT + (b - VBASE)) * TCOUNT;
	if (a >= SBASE && a < SBASE + SCOUNT && (a - SBASE) % TCOUNT == 0 &&
	    b > TBASE && b < TBASE + TCOUNT)
		return a + (b - TBASE);
	p = bsearch(ab, hark_uc_comp, hark_uc_ncomp, sizeof(*p), cmp_pair);
	return p != NULL ? p->c : 0;
}

/* Canonical composition in place (UAX #15, D117). */
static void
compose(struct cps *a)
{
	size_t		 i, out, starter = 0;
	unsigned	 last = 0, k;
	uint32_t	 c;
	int		 have = 0;

	for (i = 0, out = 0; i < a->n; i++) {
		k = ccc_of(a->v[i]);
		if (have && (last < k || (last == 0 && out == starter + 1)) &&
		    (c = compose_pair(a->v[starter], a->v[i])) != 0) {
			a->v[starter] = c;
			continue;
		}
		if (k == 0) {
			starter = out;
			have = 1;
		}
		last = k;
		a->v[out++] = a->v[i];
	}
	a->n = out;
}

static int
nfc(const struct cps *in, struct cps *out)
{
	size_t	 i;

	out->n = 0;
	for (i = 0; i < in->n; i++)
		if (decompose(in->v[i], out) == -1)
			return -1;
	reorder(out);
	compose(out);
	return 0;
}

static int
casefold(const struct cps *in, struct cps *out)
{
	const struct hark_uc_map	*m;
	size_t				 i;
	unsigned			 j;

	out->n = 0;
	for (i = 0; i < in->n; i++) {
		if (in->v[i] < 0x80) {
			if (push(out, in->v[i] >= 'A' && in->v[i] <= 'Z' ?
			    in->v[i] + 32 : in->v[i]) == -1)
				return -1;
			continue;
		}
		if ((m = lookup(hark_uc_fold, hark_uc_nfold, in->v[i])) == NULL) {
			if (push(out, in->v[i]) == -1)
				return -1;
			continue;
		}
		for (j = 0; j < m->len; j++)
			if (push(out, hark_uc_pool[m->off + j]) == -1)
				return -1;
	}
	return 0;
}

/* Unicode's White_Space property. */
static int
is_space(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 ||
	    c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
	    c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
	    c == 0x3000;
}

static size_t
utf8_put(uint32_t c, char *o)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xC0 | (c >> 6));
		o[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xE0 | (c >> 12));
		o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		o[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (c >> 18));
	o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	o[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* White space runs as one space, none at either end; as UTF-8. */
static char *
squeeze(const struct cps *a, size_t *outlen)
{
	char	*o;
	size_t	 i, n = 0;
	int	 space = 0;

	if ((o = malloc(a->n * 4 + 1)) == NULL)
		return NULL;
	for (i = 0; i < a->n; i++) {
		if (is_space(a->v[i])) {
			space = n > 0;
			continue;
		}
		if (space)
			o[n++] = ' ';
		space = 0;
		n += utf8_put(a->v[i], o + n);
	}
	o[n] = '\0';
	*outlen = n;
	return o;
}

int
hark_normalize_dedup(const char *s, size_t len, char **out, size_t *outlen)
{
	struct cps	 a = { 0 }, b = { 0 };
	uint32_t	 cp;
	size_t		 i, k;
	int		 rc = -1;

	*out = NULL;
	*outlen = 0;
	for (i = 0; i < len; i += k ? k : 1) {
		k = hark_utf8_decode(s + i, len - i, &cp);
		if (push(&a, cp) == -1)
			goto out;
	}
	if (nfc(&a, &b) == -1 || casefold(&b, &a) == -1 || nfc(&a, &b) == -1)
		goto out;
	if ((*out = squeeze(&b, outlen)) != NULL)
		rc = 0;
out:
	free(a.v);
	free(b.v);
	return rc;
}

int
hark_normalize_dedup_hash(const char *s, size_t len, unsigned char out[32])
{
	char		*n;
	size_t		 nlen;
	unsigned int	 hl = 0;
	int		 rc;

	if (hark_normalize_dedup(s, len, &n, &nlen) == -1)
		return -1;
	rc = EVP_Digest(n, nlen, out, &hl, EVP_sha256(), NULL) == 1 &&
	    hl == 32 ? 0 : -1;
	free(n);
	return rc;
}
