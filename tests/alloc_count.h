/*
 * alloc_count.h: counts every allocation the process makes, for "no
 * allocation per call" checks (tests/unit/test_triage_model.c,
 * tests/bench/bench_triage.c).  Included once, by a program's main file:
 * its malloc, calloc, realloc and free stand in for the C library's (glibc
 * exports its own as __libc_*), so the library's allocations are seen too.
 * Not under a sanitizer, which brings its own allocator; ALLOC_COUNT says
 * whether counting is on.  Set counting, read nallocs.
 */
#ifndef HARK_ALLOC_COUNT_H
#define HARK_ALLOC_COUNT_H

#include <stdlib.h>	/* malloc's prototypes; defines __GLIBC__ */

#if defined(__SANITIZE_ADDRESS__)
#define NO_ALLOC_COUNT	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define NO_ALLOC_COUNT	1
#endif
#endif
#if defined(__GLIBC__) && !defined(NO_ALLOC_COUNT)
#define ALLOC_COUNT	1
void	*__libc_malloc(size_t);
void	*__libc_calloc(size_t, size_t);
void	*__libc_realloc(void *, size_t);
void	 __libc_free(void *);

static volatile int		counting;
static volatile unsigned long	nallocs;

void *
malloc(size_t n)
{
	if (counting)
		nallocs++;
	return __libc_malloc(n);
}

void *
calloc(size_t n, size_t size)
{
	if (counting)
		nallocs++;
	return __libc_calloc(n, size);
}

void *
realloc(void *p, size_t n)
{
	if (counting)
		nallocs++;
	return __libc_realloc(p, n);
}

void
free(void *p)
{
	if (counting && p != NULL)
		nallocs++;
	__libc_free(p);
}
#endif

#endif /* HARK_ALLOC_COUNT_H */
