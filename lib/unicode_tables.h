/*
 * unicode_tables.h: the generated tables of lib/unicode_tables.c (see
 * lib/gen-unicode.py), for lib/normalize.c only.
 */
#ifndef HARK_UNICODE_TABLES_H
#define HARK_UNICODE_TABLES_H

#include <stddef.h>

struct hark_uc_ccc {
	unsigned int	 cp;
	unsigned char	 ccc;	/* canonical combining class, > 0 */
};

/* A code point mapped to len code points of hark_uc_pool from off. */
struct hark_uc_map {
	unsigned int	 cp;
	unsigned short	 off;
	unsigned char	 len;
};

/* a followed by b composes to c (primary composites only). */
struct hark_uc_pair {
	unsigned int	 a, b, c;
};

extern const char			 hark_unicode_version[];
extern const struct hark_uc_ccc		 hark_uc_ccc[];
extern const size_t			 hark_uc_nccc;
extern const struct hark_uc_map		 hark_uc_decomp[];
extern const size_t			 hark_uc_ndecomp;
extern const struct hark_uc_map		 hark_uc_fold[];
extern const size_t			 hark_uc_nfold;
extern const unsigned int		 hark_uc_pool[];
extern const struct hark_uc_pair	 hark_uc_comp[];
extern const size_t			 hark_uc_ncomp;

#endif
