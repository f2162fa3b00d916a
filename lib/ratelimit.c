/*
 * ratelimit.c: the host-wide rate-limit table, one mmap'ed file of buckets.
 *
 * File layout: a header (magic, version, sizes, hash seed, counters, the
 * lock) then a power-of-two array of buckets.  A bucket is a ring of
 * HARK_RL_SLOTS per-slot hit counters for one (key, window), found by linear
 * probing from a keyed 64-bit hash; a bucket whose hits have all left its
 * window is expired and may be taken by another key.  Buckets never become
 * empty again once used, so a lookup may stop at the first empty bucket.
 *
 * Why one process-shared robust mutex and not per-bucket atomics: a request
 * checks up to HARK_RL_MAX_CHECKS limits and must consume from all of them or
 * none, and claiming or evicting a bucket touches several words; atomics
 * would need a multi-word compare-and-swap.  The critical section is a few
 * dozen loads and stores, far shorter than the request that precedes it, so
 * one lock does not limit throughput.  The mutex is robust because a worker
 * may be SIGKILLed (max_requests, OOM, an operator) while holding it: the
 * next locker gets EOWNERDEAD and takes it over.  A bucket the dead process
 * was half way through updating can at worst lose or keep some counts of one
 * key, which only ever costs that key a few slots of one window.
 *
 * Why files are published by link(2)/rename(2): a file is complete (header,
 * mutex, magic) before any other process can open it, so nobody ever maps a
 * half-initialised table, and a corrupt file is replaced by a new inode
 * instead of being truncated under processes that still map it (that would
 * be SIGBUS).  Replacement is serialised by flock(2) on the bad file.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "ratelimit.h"

#define RL_MAGIC	"HARKRL\r\n"
/*
 * A new layout needs a new version and a new file name as well: old and new
 * workers side by side in a rolling upgrade would otherwise keep replacing
 * each other's file.
 */
#define RL_VERSION	1
#define RL_PROBE	32	/* buckets looked at per key */
#define RL_OPEN_TRIES	8

struct rl_bucket {
	uint64_t	 hash;		/* 0: never used */
	int64_t		 head;		/* the latest time the ring moved to */
	uint32_t	 window;
	uint32_t	 pad;
	uint32_t	 count[HARK_RL_SLOTS];	/* slot i at count[i % SLOTS] */
};

struct rl_header {
	char		 magic[8];
	uint32_t	 version;
	uint32_t	 header_size;
	uint32_t	 bucket_size;
	uint32_t	 mutex_size;
	uint64_t	 nbuckets;
	uint64_t	 file_size;
	uint64_t	 seed[2];
	uint64_t	 used;
	uint64_t	 evictions;
	uint64_t	 recoveries;
	pthread_mutex_t	 lock;
};

#define RL_HEADER_SIZE	((sizeof(struct rl_header) + 63) & ~(size_t)63)

struct hark_rl {
	struct rl_header	*hdr;
	struct rl_bucket	*buckets;
	size_t			 map_size;
	uint64_t		 mask;
	/* What was mapped, to notice the file at path being replaced,
	 * deleted, truncated or overwritten (rl_fresh). */
	char			*path;
	size_t			 nbuckets;
	int			 fd;	/* the mapped file, for fstat(2) */
	dev_t			 dev;
	ino_t			 ino;
};

/* Where one check stands during hark_rl_hit_all. */
struct rl_state {
	struct rl_bucket	*b;
	uint64_t		 hash;
	int64_t			 t;	/* effective time: now, or head if later */
	int64_t			 width;
	uint64_t		 count;
};

static uint64_t
rl_rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

static void
rl_sipround(uint64_t v[4])
{
	v[0] += v[1]; v[1] = rl_rotl(v[1], 13); v[1] ^= v[0];
	v[0] = rl_rotl(v[0], 32);
	v[2] += v[3]; v[3] = rl_rotl(v[3], 16); v[3] ^= v[2];
	v[0] += v[3]; v[3] = rl_rotl(v[3], 21); v[3] ^= v[0];
	v[2] += v[1]; v[1] = rl_rotl(v[1], 17); v[1] ^= v[2];
	v[2] = rl_rotl(v[2], 32);
}

static uint64_t
rl_le64(const unsigned char *p, size_t n)
{
	uint64_t	 x = 0;
	size_t		 i;

	for (i = 0; i < n; i++)
		x |= (uint64_t)p[i] << (8 * i);
	return x;
}

static uint64_t
rl_siphash(uint64_t k0, uint64_t k1, const unsigned char *p, size_t len)
{
	uint64_t	 v[4], m;
	size_t		 off;

	v[0] = k0 ^ 0x736f6d6570736575ULL;
	v[1] = k1 ^ 0x646f72616e646f6dULL;
	v[2] = k0 ^ 0x6c7967656e657261ULL;
	v[3] = k1 ^ 0x7465646279746573ULL;
	for (off = 0; off + 8 <= len; off += 8) {
		m = rl_le64(p + off, 8);
		v[3] ^= m;
		rl_sipround(v);
		rl_sipround(v);
		v[0] ^= m;
	}
	m = rl_le64(p + off, len - off) | ((uint64_t)len << 56);
	v[3] ^= m;
	rl_sipround(v);
	rl_sipround(v);
	v[0] ^= m;
	v[2] ^= 0xff;
	rl_sipround(v);
	rl_sipround(v);
	rl_sipround(v);
	rl_sipround(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

uint64_t
hark_rl_siphash(const unsigned char key[16], const void *p, size_t len)
{
	return rl_siphash(rl_le64(key, 8), rl_le64(key + 8, 8), p, len);
}

static size_t
rl_round_buckets(size_t n)
{
	size_t	 p = HARK_RL_MIN_BUCKETS;

	if (n == 0)
		n = HARK_RL_DEFAULT_BUCKETS;
	if (n > HARK_RL_MAX_BUCKETS)
		n = HARK_RL_MAX_BUCKETS;
	while (p < n)
		p <<= 1;
	return p;
}

static size_t
rl_file_size(uint64_t nbuckets)
{
	return RL_HEADER_SIZE + (size_t)nbuckets * sizeof(struct rl_bucket);
}

/* Checks everything a process relies on before touching the table. */
static bool
rl_header_valid(const struct rl_header *h, size_t st_size)
{
	if (memcmp(h->magic, RL_MAGIC, sizeof(h->magic)) != 0)
		return false;
	if (h->version != RL_VERSION || h->header_size != RL_HEADER_SIZE ||
	    h->bucket_size != sizeof(struct rl_bucket) ||
	    h->mutex_size != sizeof(pthread_mutex_t))
		return false;
	if (h->nbuckets < HARK_RL_MIN_BUCKETS ||
	    h->nbuckets > HARK_RL_MAX_BUCKETS ||
	    (h->nbuckets & (h->nbuckets - 1)) != 0)
		return false;
	return h->file_size == rl_file_size(h->nbuckets) &&
	    h->file_size == st_size;
}

static int
rl_attach(struct hark_rl *rl, void *map, size_t size, int fd,
    const struct stat *st)
{
	int	 keep;

	if ((keep = fcntl(fd, F_DUPFD_CLOEXEC, 3)) == -1)
		return -1;
	if (rl->fd > 0)
		close(rl->fd);
	rl->fd = keep;
	rl->dev = st->st_dev;
	rl->ino = st->st_ino;
	rl->hdr = map;
	rl->buckets = (struct rl_bucket *)((char *)map + RL_HEADER_SIZE);
	rl->map_size = size;
	rl->mask = rl->hdr->nbuckets - 1;
	return 0;
}

/*
 * Maps an opened file: 0 when it is a valid table (rl attached), 1 when it
 * is not one, -1 on a system error.
 */
static int
rl_map(int fd, struct hark_rl *rl)
{
	struct stat	 st;
	void		*map;

	if (fstat(fd, &st) == -1)
		return -1;
	if (!S_ISREG(st.st_mode) || st.st_size < (off_t)RL_HEADER_SIZE ||
	    st.st_size > (off_t)rl_file_size(HARK_RL_MAX_BUCKETS))
		return 1;
	map = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return -1;
	if (!rl_header_valid(map, (size_t)st.st_size)) {
		munmap(map, (size_t)st.st_size);
		return 1;
	}
	if (rl_attach(rl, map, (size_t)st.st_size, fd, &st) == -1) {
		munmap(map, (size_t)st.st_size);
		return -1;
	}
	return 0;
}

static int
rl_init_lock(pthread_mutex_t *m)
{
	pthread_mutexattr_t	 a;
	int			 rc;

	if ((rc = pthread_mutexattr_init(&a)) != 0)
		goto out;
	if ((rc = pthread_mutexattr_setpshared(&a,
	    PTHREAD_PROCESS_SHARED)) == 0 &&
	    (rc = pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST)) == 0)
		rc = pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
out:
	if (rc != 0)
		errno = rc;
	return rc == 0 ? 0 : -1;
}

/*
 * Makes a complete, unpublished table in a new file next to path: returns
 * its descriptor with rl attached and the file's name in tmp (caller frees,
 * unlinks when not publishing), or -1.
 */
static int
rl_make(const char *path, size_t nbuckets, struct hark_rl *rl, char **tmp)
{
	struct rl_header	*h;
	struct stat		 st;
	size_t			 size = rl_file_size(nbuckets);
	void			*map = MAP_FAILED;
	int			 fd = -1, saved;

	if ((*tmp = malloc(strlen(path) + 8)) == NULL)
		return -1;
	snprintf(*tmp, strlen(path) + 8, "%s.XXXXXX", path);
	if ((fd = mkostemp(*tmp, O_CLOEXEC)) == -1)
		goto fail;
	if (ftruncate(fd, (off_t)size) == -1 || fstat(fd, &st) == -1)
		goto fail;
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		goto fail;
	h = map;
	h->version = RL_VERSION;
	h->header_size = RL_HEADER_SIZE;
	h->bucket_size = sizeof(struct rl_bucket);
	h->mutex_size = sizeof(pthread_mutex_t);
	h->nbuckets = nbuckets;
	h->file_size = size;
	if (getrandom(h->seed, sizeof(h->seed), 0) != sizeof(h->seed))
		goto fail;
	if (rl_init_lock(&h->lock) == -1)
		goto fail;
	memcpy(h->magic, RL_MAGIC, sizeof(h->magic));
	if (rl_attach(rl, map, size, fd, &st) == -1)
		goto fail;
	return fd;
fail:
	saved = errno;
	if (map != MAP_FAILED)
		munmap(map, size);
	if (fd != -1) {
		unlink(*tmp);
		close(fd);
	}
	free(*tmp);
	*tmp = NULL;
	errno = saved;
	return -1;
}

static void
rl_unmake(struct hark_rl *rl, int fd, char *tmp)
{
	unlink(tmp);
	free(tmp);
	close(fd);
	munmap(rl->hdr, rl->map_size);
	rl->hdr = NULL;
}

/* No file at path: publish a new one.  0 done, 1 someone beat us, -1. */
static int
rl_create(const char *path, size_t nbuckets, struct hark_rl *rl)
{
	char	*tmp;
	int	 fd, saved;

	if ((fd = rl_make(path, nbuckets, rl, &tmp)) == -1)
		return -1;
	if (link(tmp, path) == -1) {
		saved = errno;
		rl_unmake(rl, fd, tmp);
		errno = saved;
		return saved == EEXIST ? 1 : -1;
	}
	unlink(tmp);
	free(tmp);
	close(fd);
	return 0;
}

static bool
rl_same_file(const char *path, int fd)
{
	struct stat	 a, b;

	if (stat(path, &a) == -1 || fstat(fd, &b) == -1)
		return false;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * fd is an invalid file at path: replace it with a new table, unless another
 * process already did.  0 done, 1 look again, -1.
 */
static int
rl_replace(const char *path, int badfd, size_t nbuckets, struct hark_rl *rl)
{
	char	*tmp;
	int	 fd, rc = -1, saved;

	if (flock(badfd, LOCK_EX) == -1)
		return -1;
	if (!rl_same_file(path, badfd)) {
		rc = 1;
		goto out;
	}
	if ((fd = rl_make(path, nbuckets, rl, &tmp)) == -1)
		goto out;
	if (rename(tmp, path) == -1) {
		saved = errno;
		rl_unmake(rl, fd, tmp);
		errno = saved;
		goto out;
	}
	free(tmp);
	close(fd);
	rc = 0;
out:
	saved = errno;
	flock(badfd, LOCK_UN);
	errno = saved;
	return rc;
}

/* One attempt at opening: 0 done, 1 the file changed under us, -1. */
static int
rl_open_once(const char *path, size_t nbuckets, struct hark_rl *rl)
{
	int	 fd, rc, saved;

	fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd == -1)
		return errno == ENOENT ? rl_create(path, nbuckets, rl) : -1;
	if ((rc = rl_map(fd, rl)) == 1)
		rc = rl_replace(path, fd, nbuckets, rl);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

int
hark_rl_open(const char *path, size_t nbuckets, struct hark_rl **out)
{
	struct hark_rl	*rl;
	int		 i, rc = 1;

	*out = NULL;
	if ((rl = calloc(1, sizeof(*rl))) == NULL)
		return -1;
	rl->fd = -1;
	if ((rl->path = strdup(path)) == NULL) {
		free(rl);
		return -1;
	}
	rl->nbuckets = nbuckets = rl_round_buckets(nbuckets);
	for (i = 0; i < RL_OPEN_TRIES && rc == 1; i++)
		rc = rl_open_once(path, nbuckets, rl);
	if (rc != 0) {
		if (rc == 1)
			errno = EAGAIN;
		if (rl->fd != -1)
			close(rl->fd);
		free(rl->path);
		free(rl);
		return -1;
	}
	*out = rl;
	return 0;
}

void
hark_rl_close(struct hark_rl *rl)
{
	if (rl == NULL)
		return;
	if (rl->hdr != NULL)
		munmap(rl->hdr, rl->map_size);
	if (rl->fd != -1)
		close(rl->fd);
	free(rl->path);
	free(rl);
}

/* Drops the mapping and maps whatever table is at the path now. */
static int
rl_reopen(struct hark_rl *rl, const char *why)
{
	int	 i, rc = 1;

	hark_log(HARK_LOG_WARN, "rate-limit table %s %s; opening it again",
	    rl->path, why);
	if (rl->hdr != NULL)
		munmap(rl->hdr, rl->map_size);
	rl->hdr = NULL;
	for (i = 0; i < RL_OPEN_TRIES && rc == 1; i++)
		rc = rl_open_once(rl->path, rl->nbuckets, rl);
	if (rc == 1)
		errno = EAGAIN;
	return rc == 0 ? 0 : -1;
}

/*
 * Before each use: the table must still be the file at the path, whole and
 * valid, or every process would count in its own copy (a deleted file), read
 * past the end of a truncated one (SIGBUS) or trust garbage.  One fstat(2)
 * of the mapped file (a path lookup per request cost 10 times more): a file
 * deleted or renamed over has no links left, and the size is compared before
 * a byte of the header is read.  A truncation
 * between this check and the access below remains possible: only someone
 * able to write the state directory can do it, and the next request maps
 * the replaced file.
 */
static int
rl_fresh(struct hark_rl *rl)
{
	struct stat	 st;

	if (rl->hdr == NULL)
		return rl_reopen(rl, "was lost");
	if (fstat(rl->fd, &st) == -1)
		return -1;
	if (st.st_nlink == 0)
		return rl_reopen(rl, "was deleted or replaced");
	if ((size_t)st.st_size != rl->map_size)
		return rl_reopen(rl, "changed size");
	if (!rl_header_valid(rl->hdr, rl->map_size))
		return rl_reopen(rl, "has a corrupt header");
	return 0;
}

static int
rl_lock(struct hark_rl *rl)
{
	struct timespec	 until;
	int		 rc;

	/*
	 * Bounded: the critical section is microseconds, so a lock held for
	 * seconds is garbage written over the mutex, which would otherwise
	 * hang every worker (the caller rebuilds the table).
	 */
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 2;
	rc = pthread_mutex_timedlock(&rl->hdr->lock, &until);
	if (rc == EOWNERDEAD) {
		rl->hdr->recoveries++;
		rc = pthread_mutex_consistent(&rl->hdr->lock);
		if (rc != 0)
			pthread_mutex_unlock(&rl->hdr->lock);
	}
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	return 0;
}

static void
rl_unlock(struct hark_rl *rl)
{
	pthread_mutex_unlock(&rl->hdr->lock);
}

int
hark_rl_debug_hold_lock(struct hark_rl *rl)
{
	return rl_lock(rl);
}

/* Seconds per slot: 1 while the whole window fits in the ring. */
static int64_t
rl_width(unsigned window)
{
	if (window <= HARK_RL_SLOTS)
		return 1;
	return (window - 2 + HARK_RL_SLOTS - 3) / (HARK_RL_SLOTS - 2);
}

/* The time at which the hits of slot i stop counting. */
static int64_t
rl_frees_at(int64_t i, int64_t width, unsigned window)
{
	return (i + 1) * width + window - 1;
}

/* The oldest slot still inside the window ending at t. */
static int64_t
rl_first_slot(int64_t t, int64_t width, unsigned window)
{
	int64_t	 s = t / width, lo = s - HARK_RL_SLOTS + 1, x, l2;

	x = t - (int64_t)window + 2;
	if (x > 0) {
		l2 = (x + width - 1) / width - 1;
		if (l2 > lo)
			lo = l2;
	}
	return lo < 0 ? 0 : lo;
}

static uint32_t *
rl_slot(struct rl_bucket *b, int64_t i)
{
	return &b->count[i % HARK_RL_SLOTS];
}

static void
rl_reset(struct rl_bucket *b, unsigned window, int64_t now)
{
	memset(b->count, 0, sizeof(b->count));
	b->window = window;
	b->head = now;
}

/* True when none of the bucket's hits can count any more. */
static bool
rl_expired(const struct rl_bucket *b, int64_t now)
{
	if (b->head < 0 || b->window == 0)
		return true;
	if (b->head > now)
		return false;
	return now - b->head >= (int64_t)b->window + rl_width(b->window);
}

static bool
rl_taken(const size_t *taken, size_t ntaken, size_t i)
{
	size_t	 k;

	for (k = 0; k < ntaken; k++)
		if (taken[k] == i)
			return true;
	return false;
}

/*
 * The bucket for hash: found, or claimed from an empty, expired or (when
 * the probe range is full) least recently moved bucket, never one of the
 * buckets already taken by this request.
 */
static size_t
rl_find(struct hark_rl *rl, uint64_t hash, unsigned window, int64_t now,
    const size_t *taken, size_t ntaken)
{
	struct rl_bucket	*b;
	size_t			 i, p, freeb = SIZE_MAX, victim = SIZE_MAX;

	for (p = 0; p < RL_PROBE && p <= rl->mask; p++) {
		i = (hash + p) & rl->mask;
		b = &rl->buckets[i];
		if (b->hash == hash)
			return i;
		if (b->hash == 0) {
			if (freeb == SIZE_MAX)
				freeb = i;
			break;
		}
		if (rl_taken(taken, ntaken, i))
			continue;
		if (freeb == SIZE_MAX && rl_expired(b, now))
			freeb = i;
		if (victim == SIZE_MAX || b->head < rl->buckets[victim].head)
			victim = i;
	}
	if (freeb == SIZE_MAX) {
		freeb = victim;
		rl->hdr->evictions++;
	}
	b = &rl->buckets[freeb];
	if (b->hash == 0)
		rl->hdr->used++;
	/* The hash goes last: a half-claimed bucket still belongs to the old key. */
	rl_reset(b, window, now);
	b->hash = hash;
	return freeb;
}

/*
 * Moves the ring to now and fills st with the count inside the window.
 * A clock that went back less than a window counts at the old head time;
 * further back, the old hits are dropped.
 */
static void
rl_advance(struct rl_state *st, unsigned window, int64_t now)
{
	struct rl_bucket	*b = st->b;
	int64_t			 head, s, i, lo;

	st->width = rl_width(window);
	if (b->window != window || b->head < 0 ||
	    (b->head > now && b->head - now >= (int64_t)window + st->width))
		rl_reset(b, window, now);
	head = b->head / st->width;
	s = now / st->width;
	if (s > head) {
		i = s - head >= HARK_RL_SLOTS ? s - HARK_RL_SLOTS + 1 : head + 1;
		for (; i <= s; i++)
			*rl_slot(b, i) = 0;
	}
	if (now > b->head)
		b->head = now;
	st->t = b->head;
	st->count = 0;
	lo = rl_first_slot(st->t, st->width, window);
	for (i = lo; i <= st->t / st->width; i++)
		st->count += *rl_slot(b, i);
}

/* Seconds until `need` of the counted hits have left the window. */
static unsigned
rl_wait(const struct rl_state *st, unsigned window, int64_t now,
    uint64_t need)
{
	int64_t		 i, s = st->t / st->width;
	uint64_t	 acc = 0;

	for (i = rl_first_slot(st->t, st->width, window); i <= s; i++) {
		acc += *rl_slot(st->b, i);
		if (acc >= need && acc > 0)
			return (unsigned)(rl_frees_at(i, st->width, window) -
			    now);
	}
	return window;
}

static void
rl_result(const struct rl_state *st, const struct hark_rl_check *c,
    bool allowed, int64_t now, struct hark_rl_result *r)
{
	r->allowed = allowed;
	r->limit = c->limit;
	r->remaining = st->count >= c->limit ? 0 :
	    (unsigned)(c->limit - st->count);
	r->reset_seconds = rl_wait(st, c->window_seconds, now, 1);
	r->retry_after = 0;
	if (!allowed && c->limit == 0)
		r->retry_after = c->window_seconds;
	else if (!allowed && st->count >= c->limit)
		r->retry_after = rl_wait(st, c->window_seconds, now,
		    st->count - c->limit + 1);
}

static int
rl_check_args(const struct hark_rl_check *c, size_t n, time_t now)
{
	size_t	 i;

	if (n == 0 || n > HARK_RL_MAX_CHECKS || now < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (c[i].key == NULL || c[i].window_seconds == 0 ||
		    c[i].window_seconds > HARK_RL_MAX_WINDOW)
			return -1;
	return 0;
}

/* The window goes into the hash key, so each (key, window) has its bucket. */
static uint64_t
rl_hash(const struct hark_rl *rl, const struct hark_rl_check *c)
{
	uint64_t	 h;

	h = rl_siphash(rl->hdr->seed[0] ^ c->window_seconds, rl->hdr->seed[1],
	    (const unsigned char *)c->key, strlen(c->key));
	return h == 0 ? 1 : h;
}

/* The result to report: the longest wait if refused, else the least room. */
static size_t
rl_binding(const struct hark_rl_result *r, size_t n, bool allowed)
{
	size_t	 i, best = 0;

	for (i = 1; i < n; i++) {
		if (!allowed && (r[best].allowed ||
		    (!r[i].allowed && r[i].retry_after > r[best].retry_after)))
			best = i;
		else if (allowed && r[i].remaining < r[best].remaining)
			best = i;
	}
	return best;
}

/*
 * A lock that cannot be taken (garbage over the mutex) is a corrupt table:
 * it is unlinked, loudly, and a new one made; the other processes see the
 * path's new inode at their next rl_fresh and follow.
 */
static int
rl_lock_or_rebuild(struct hark_rl *rl)
{
	struct stat	 st;

	if (rl_lock(rl) == 0)
		return 0;
	if (stat(rl->path, &st) == 0 && st.st_dev == rl->dev &&
	    st.st_ino == rl->ino)
		unlink(rl->path);
	if (rl_reopen(rl, "has a lock that cannot be taken") == -1)
		return -1;
	return rl_lock(rl);
}

/* hit_all and peek: one walk, consuming a slot or not. */
static int
rl_check_all(struct hark_rl *rl, const struct hark_rl_check *c, size_t n,
    time_t now, struct hark_rl_result *out, bool consume)
{
	struct rl_state		 st[HARK_RL_MAX_CHECKS];
	struct hark_rl_result	 r[HARK_RL_MAX_CHECKS];
	size_t			 idx[HARK_RL_MAX_CHECKS], i;
	bool			 allowed = true;

	if (rl_check_args(c, n, now) == -1) {
		errno = EINVAL;
		return -1;
	}
	if (rl_fresh(rl) == -1 || rl_lock_or_rebuild(rl) == -1)
		return -1;
	for (i = 0; i < n; i++)
		st[i].hash = rl_hash(rl, &c[i]);
	for (i = 0; i < n; i++) {
		idx[i] = rl_find(rl, st[i].hash, c[i].window_seconds, now,
		    idx, i);
		st[i].b = &rl->buckets[idx[i]];
		rl_advance(&st[i], c[i].window_seconds, now);
		if (st[i].count >= c[i].limit)
			allowed = false;
	}
	for (i = 0; consume && allowed && i < n; i++) {
		(*rl_slot(st[i].b, st[i].t / st[i].width))++;
		st[i].count++;
	}
	for (i = 0; i < n; i++)
		rl_result(&st[i], &c[i], allowed || st[i].count < c[i].limit,
		    now, &r[i]);
	rl_unlock(rl);
	i = rl_binding(r, n, allowed);
	*out = r[i];
	out->allowed = allowed;
	out->binding = i;
	return 0;
}

int
hark_rl_hit_all(struct hark_rl *rl, const struct hark_rl_check *c, size_t n,
    time_t now, struct hark_rl_result *out)
{
	return rl_check_all(rl, c, n, now, out, true);
}

int
hark_rl_peek(struct hark_rl *rl, const char *key, unsigned limit,
    unsigned window_seconds, time_t now, struct hark_rl_result *out)
{
	struct hark_rl_check	 c;

	c.key = key;
	c.limit = limit;
	c.window_seconds = window_seconds;
	return rl_check_all(rl, &c, 1, now, out, false);
}

int
hark_rl_hit(struct hark_rl *rl, const char *key, unsigned limit,
    unsigned window_seconds, time_t now, struct hark_rl_result *out)
{
	struct hark_rl_check	 c;

	c.key = key;
	c.limit = limit;
	c.window_seconds = window_seconds;
	return hark_rl_hit_all(rl, &c, 1, now, out);
}

int
hark_rl_stats(struct hark_rl *rl, struct hark_rl_stats *s)
{
	if (rl_fresh(rl) == -1 || rl_lock(rl) == -1)
		return -1;
	s->nbuckets = rl->hdr->nbuckets;
	s->used = rl->hdr->used;
	s->evictions = rl->hdr->evictions;
	s->recoveries = rl->hdr->recoveries;
	rl_unlock(rl);
	return 0;
}
