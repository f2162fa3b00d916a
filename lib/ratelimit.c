/*
 * ratelimit.c: the host-wide rate-limit table, one file of buckets and gates.
 *
 * File layout: a header, then a power-of-two array of buckets, then one of
 * gates.  The header's first part (magic, version, sizes, hash seed, the boot
 * it was made in) is fixed when the file is made and covered by a checksum;
 * its second part (the lock word, the counters) changes with every section
 * and is not.  A bucket is a ring of HARK_RL_SLOTS per-slot hit counters for
 * one (key, window), found by linear probing from a keyed 64-bit hash; a
 * bucket whose hits have all left its window is expired and may be taken by
 * another key.  Buckets never become empty again once used, so a lookup may
 * stop at the first empty bucket.  A gate is a small array of (pid, start
 * time) holders for one key.  Each bucket and gate carries a check word over
 * its identity (hash, window), so garbage is told from data; the counters
 * are not checked.
 *
 * Why the file is mapped, and what a truncation does: every process maps the
 * whole file shared, so a request's checks are loads and stores, no system
 * call (issue 21: pread/pwrite and an fcntl lock cost 15 calls a request).
 * Anyone who can write the file can truncate it, and touching a mapped page
 * past its end raises SIGBUS.  The table's SIGBUS handler (installed by the
 * first hark_rl_open, chaining to the one before it for any other address)
 * maps a private zero page over the faulting page of a table and flags the
 * mapping; the section in progress reads zeros, finds the flag when it ends
 * and is treated as having found the file bad: rebuilt, as before.  Only the
 * faulting page is replaced, so a lock word that is still in the file stays
 * shared.  An application that installs its own SIGBUS handler after
 * hark_rl_open must chain to the one it replaces.
 *
 * Why a lock word in the file, and how a dead holder is found: a request
 * checks up to HARK_RL_MAX_CHECKS limits and must consume from all of them
 * or none, and claiming or evicting a bucket touches several words, so a
 * section holds one lock over the table.  The lock word holds its holder's
 * pid (and a count of acquisitions, so a waiter can tell one long hold from
 * many short ones); taking a free lock is one compare-and-swap, giving it
 * back one exchange, and a futex(2) call is made only by a waiter and by the
 * holder that a waiter marked.  A waiter sleeps in slices of RL_WAIT_MS; after
 * each it asks whether the holder is alive (kill(pid, 0), and a zombie is
 * dead), and takes the lock over from a dead one at once, and from anyone
 * who has held that one acquisition for RL_STALE_MS (a pid reused, or a lock
 * word an outside write left): no state of the file can wedge the others.
 * A writer stores its pid in the header before its first change and clears
 * it with its last, so the next locker can count a section left half done;
 * that can at worst lose or keep some counts of one key.  A change of a
 * bucket's or gate's identity is announced in the header first (its offset
 * and new identity) and redone by the next locker when its writer died in
 * the middle, so a kill never leaves a torn identity that would read as
 * damage.  The lock is per process: a forked child using its parent's
 * handle excludes its parent as any other process does.
 *
 * Why files are published by link(2)/rename(2): a file is complete (header,
 * size allocated) before any other process can open it, and its size is only
 * ever set there.  A bad file is replaced by a new inode, under an fcntl(2)
 * lock on the old one (taken only on this slow path, never per request), by
 * the first process that finds it bad; it then marks the old file retired,
 * and the others, at their next section, open the one at the path, so every
 * process counts in one table again.  A file removed or renamed over from
 * outside is noticed by an fstat(2) at most once a second (the boot clock's
 * second, read through the vDSO), so for up to a second after such a change
 * a process may go on counting in the file it has.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "ratelimit.h"
#include "hex.h"

#define RL_MAGIC	"HARKRL\r\n"
/*
 * A new layout needs a new version and a new file name (HARK_RL_FILE_NAME)
 * as well: old and new workers side by side in a rolling upgrade would
 * otherwise keep replacing each other's file.
 */
#define RL_VERSION	3
#define RL_HEADER_SIZE	256
#define RL_PROBE	32	/* buckets or gates looked at per key */
#define RL_TRIES	8	/* files one call may move through */
#define RL_MIN_GATES	16
#define RL_MAX_GATES	4096
#define RL_GATE_TWEAK	0x67617465ULL	/* "gate": its hashes differ from buckets' */
#define RL_OLD_BOOT	"left by an earlier boot"	/* not damage: a warning */
#define RL_SPINS	200	/* looks at a held lock before sleeping */
#define RL_WAIT_MS	10	/* a waiter's sleep between looks at the holder */
#define RL_STALE_MS	1000	/* one hold this long is taken over */
#define RL_PID_MASK	0x7fffffffULL	/* the lock word: holder's pid, */
#define RL_WAITERS	0x80000000ULL	/* someone sleeps on it, */
#define RL_SEQ_SHIFT	32		/* acquisitions above */
#define RL_MAX_MAPS	64	/* tables mapped at once by one process */

struct rl_header {
	/* Fixed when the file is made; covered by checksum. */
	char		 magic[8];
	uint32_t	 version;
	uint32_t	 header_size;
	uint32_t	 bucket_size;
	uint32_t	 gate_size;
	uint64_t	 nbuckets;
	uint64_t	 ngates;
	uint64_t	 file_size;
	uint64_t	 seed[2];
	unsigned char	 boot_id[16];
	uint64_t	 checksum;
	/* The lock word: atomics only, by anyone. */
	uint64_t	 lock;		/* pid | RL_WAITERS | seq << 32; 0 free */
	/* Changed by writers, under the lock. */
	uint64_t	 owner;		/* pid inside a write; 0: none */
	uint64_t	 mend_at;	/* offset of an identity being changed */
	uint64_t	 mend_id[2];	/* the identity (first 16 bytes) it gets */
	uint64_t	 used;
	uint64_t	 evictions;
	uint64_t	 recoveries;
	uint64_t	 retired;	/* replaced: go to the path */
};

#define RL_SUMMED	offsetof(struct rl_header, checksum)
#define RL_HOT		offsetof(struct rl_header, lock)
#define RL_DATA		offsetof(struct rl_header, owner)
#define RL_ID_SIZE	16	/* a bucket's or gate's identity */

/*
 * The first RL_ID_SIZE bytes (hash, window, check) are the identity: a
 * writer changes them only as mend_at announces (rl_put).
 */
struct rl_bucket {
	uint64_t	 hash;		/* 0: never used */
	uint32_t	 window;
	uint32_t	 check;		/* rl_bucket_check(hash, window) */
	int64_t		 head;		/* the latest time the ring moved to */
	uint64_t	 pad;
	uint32_t	 count[HARK_RL_SLOTS];	/* slot i at count[i % SLOTS] */
};

struct rl_holder {
	int32_t		 pid;		/* 0: free */
	uint32_t	 pad;
	uint64_t	 start;		/* the holder's start time, 0: unknown */
};

struct rl_gate {
	uint64_t	 hash;		/* 0: never used */
	uint32_t	 check;		/* rl_gate_check(hash) */
	uint32_t	 pad;
	struct rl_holder slot[HARK_RL_GATE_SLOTS];
};

_Static_assert(sizeof(struct rl_header) <= RL_HEADER_SIZE, "header size");
_Static_assert(RL_HOT % 8 == 0, "lock word alignment");
_Static_assert(offsetof(struct rl_bucket, head) == RL_ID_SIZE, "bucket id");
_Static_assert(offsetof(struct rl_gate, slot) == RL_ID_SIZE, "gate id");
_Static_assert(sizeof(struct rl_bucket) % 16 == 0, "bucket alignment");
_Static_assert(sizeof(struct rl_gate) % 16 == 0, "gate alignment");

/*
 * A mapped table, as the SIGBUS handler sees it: addr 0 is a free entry.
 * bus is set when a page of it was past the file's end.
 */
struct rl_region {
	uintptr_t		 addr;		/* __atomic: the handler reads it */
	size_t			 len;
	volatile sig_atomic_t	 bus;
};

/* One opened, validated, mapped table file. */
struct rl_file {
	int			 fd;
	uint64_t		 dev;
	uint64_t		 ino;
	struct rl_header	 hdr;		/* as validated: the fixed part */
	unsigned char		*map;		/* NULL: not mapped */
	int			 region;	/* in rl_regions, -1: none */
};

struct hark_rl {
	char			*path;
	size_t			 nbuckets;	/* for a file this handle makes */
	struct rl_file		 f;		/* fd -1: none at the moment */
	struct rl_header	 cur;		/* the counters, under the lock */
	time_t			 checked;	/* second of the last fstat */
	bool			 writing;	/* owner stored in the file */
	bool			 warned;	/* about a file it could not remake */
	const char		*why;		/* what the section found bad */
	unsigned long long	 rebuilds;
	unsigned long long	 reopens;
};

/* Where one check stands during hark_rl_hit_all: a copy of its bucket. */
struct rl_state {
	struct rl_bucket	 b;
	size_t			 idx;
	uint64_t		 hash;
	int64_t			 t;	/* effective time: now, or head if later */
	int64_t			 width;
	uint64_t		 count;
};

/* What a call under the lock found: RL_AGAIN means the file was bad. */
enum { RL_OK = 0, RL_AGAIN = 1 };

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

/* A 64-bit finaliser (splitmix64): enough to tell garbage from a check word. */
static uint64_t
rl_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint32_t
rl_bucket_check(const struct rl_header *h, uint64_t hash, uint32_t window)
{
	return (uint32_t)(rl_mix(hash ^ h->seed[1] ^ ((uint64_t)window << 17)) >>
	    32) | 1;
}

static uint32_t
rl_gate_check(const struct rl_header *h, uint64_t hash)
{
	return (uint32_t)(rl_mix(hash ^ h->seed[0] ^ RL_GATE_TWEAK) >> 32) | 1;
}

static uint64_t
rl_checksum(const struct rl_header *h)
{
	return rl_siphash(0x6861726b2d726c32ULL, 0x686561646572ULL,
	    (const unsigned char *)h, RL_SUMMED);
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

/* One gate per 8 buckets: far more keys are limited than are in flight. */
static size_t
rl_gates_for(size_t nbuckets)
{
	size_t	 g = nbuckets / 8;

	if (g < RL_MIN_GATES)
		return RL_MIN_GATES;
	return g > RL_MAX_GATES ? RL_MAX_GATES : g;
}

static uint64_t
rl_file_size(uint64_t nbuckets, uint64_t ngates)
{
	return RL_HEADER_SIZE + nbuckets * sizeof(struct rl_bucket) +
	    ngates * sizeof(struct rl_gate);
}

static off_t
rl_bucket_off(size_t i)
{
	return (off_t)(RL_HEADER_SIZE + i * sizeof(struct rl_bucket));
}

static off_t
rl_gate_off(const struct rl_header *h, size_t i)
{
	return (off_t)(RL_HEADER_SIZE + h->nbuckets * sizeof(struct rl_bucket) +
	    i * sizeof(struct rl_gate));
}

/*
 * This boot's id (Linux's random boot_id), read once per process: a table
 * holds times of one boot's clock, meaningless in the next.  All zeros when
 * the kernel does not say, which then matches only itself.
 */
static const unsigned char *
rl_boot_id(void)
{
	static unsigned char	 id[16];
	static bool		 done;
	char			 buf[64];
	ssize_t			 n;
	int			 fd, i, k = 0, hi, lo;

	if (done)
		return id;
	done = true;
	fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return id;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	for (i = 0; n > 0 && i + 1 < n && k < 16; i++) {
		if (buf[i] == '-')
			continue;
		if ((hi = hark_hex_value(buf[i])) == -1 ||
		    (lo = hark_hex_value(buf[i + 1])) == -1)
			break;
		id[k++] = (unsigned char)(hi << 4 | lo);
		i++;
	}
	if (k != 16)
		memset(id, 0, sizeof(id));
	return id;
}

/* Why h (n bytes read from a file st) is not a table of this boot, or NULL. */
static const char *
rl_invalid(const struct rl_header *h, ssize_t n, const struct stat *st)
{
	if (n < (ssize_t)sizeof(*h))
		return "shorter than its header";
	if (memcmp(h->magic, RL_MAGIC, sizeof(h->magic)) != 0)
		return "not a rate-limit table";
	if (h->version != RL_VERSION || h->header_size != RL_HEADER_SIZE ||
	    h->bucket_size != sizeof(struct rl_bucket) ||
	    h->gate_size != sizeof(struct rl_gate))
		return "another version of the table";
	if (h->checksum != rl_checksum(h))
		return "damaged header (checksum)";
	if (h->nbuckets < HARK_RL_MIN_BUCKETS ||
	    h->nbuckets > HARK_RL_MAX_BUCKETS ||
	    (h->nbuckets & (h->nbuckets - 1)) != 0 ||
	    h->ngates < RL_MIN_GATES || h->ngates > RL_MAX_GATES ||
	    (h->ngates & (h->ngates - 1)) != 0 ||
	    h->file_size != rl_file_size(h->nbuckets, h->ngates))
		return "damaged header (geometry)";
	if ((uint64_t)st->st_size != h->file_size)
		return "size differs from its header (truncated or extended)";
	if (memcmp(h->boot_id, rl_boot_id(), sizeof(h->boot_id)) != 0)
		return RL_OLD_BOOT;
	return NULL;
}

/* The table lock: the first byte, whatever the file's size. */
static int
rl_lockop(int fd, short type)
{
	struct flock	 fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = 0;
	fl.l_len = 1;
	while (fcntl(fd, type == F_UNLCK ? F_SETLK : F_SETLKW, &fl) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

static int
rl_lock(int fd)
{
	return rl_lockop(fd, F_WRLCK);
}

static void
rl_unlock(int fd)
{
	int	 saved = errno;

	rl_lockop(fd, F_UNLCK);
	errno = saved;
}

/* All n bytes at off: RL_OK, RL_AGAIN when the file ends first, -1. */
static int
rl_pread(int fd, void *p, size_t n, off_t off)
{
	ssize_t	 r;

	while ((r = pread(fd, p, n, off)) == -1 && errno == EINTR)
		;
	if (r == -1)
		return -1;
	return (size_t)r == n ? RL_OK : RL_AGAIN;
}

static int
rl_pwrite(int fd, const void *p, size_t n, off_t off)
{
	ssize_t	 r;

	while ((r = pwrite(fd, p, n, off)) == -1 && errno == EINTR)
		;
	if (r == -1)
		return -1;
	if ((size_t)r != n) {
		errno = EIO;
		return -1;
	}
	return 0;
}

/* ---- the mapping, and what a page past the file's end does ---- */

static struct rl_region		 rl_regions[RL_MAX_MAPS];
static pthread_mutex_t		 rl_regions_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sigaction		 rl_old_bus;
static uintptr_t		 rl_pagesize;

/*
 * A fault in a mapped table (the file was cut short under it): a private
 * zero page over the faulting one, the region flagged, and the access runs
 * again.  Anything else goes to the handler that was there before, or kills
 * as SIGBUS does.  Only async-signal-safe calls.
 */
static void
rl_on_sigbus(int sig, siginfo_t *si, void *uc)
{
	uintptr_t	 a = (uintptr_t)si->si_addr, base, page;
	int		 i, saved = errno;

	for (i = 0; i < RL_MAX_MAPS; i++) {
		base = __atomic_load_n(&rl_regions[i].addr, __ATOMIC_ACQUIRE);
		if (base == 0 || a < base || a - base >= rl_regions[i].len)
			continue;
		page = a & ~(rl_pagesize - 1);
		if (mmap((void *)page, rl_pagesize, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
		    MAP_FAILED)
			break;
		rl_regions[i].bus = 1;
		errno = saved;
		return;
	}
	errno = saved;
	if ((rl_old_bus.sa_flags & SA_SIGINFO) &&
	    rl_old_bus.sa_sigaction != NULL) {
		rl_old_bus.sa_sigaction(sig, si, uc);
		return;
	}
	if (!(rl_old_bus.sa_flags & SA_SIGINFO) &&
	    rl_old_bus.sa_handler != SIG_DFL &&
	    rl_old_bus.sa_handler != SIG_IGN) {
		rl_old_bus.sa_handler(sig);
		return;
	}
	/* The default action: when the access runs again, or now if sent. */
	signal(SIGBUS, SIG_DFL);
	if (si->si_code <= 0)
		raise(SIGBUS);
}

static void
rl_install_sigbus(void)
{
	struct sigaction	 sa;
	long			 ps = sysconf(_SC_PAGESIZE);

	rl_pagesize = ps > 0 ? (uintptr_t)ps : 4096;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = rl_on_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &rl_old_bus);
}

/* Maps f's whole file and registers it with the handler: 0, or -1. */
static int
rl_map(struct rl_file *f)
{
	void	*p;
	int	 i, slot = -1;

	pthread_mutex_lock(&rl_regions_lock);
	for (i = 0; i < RL_MAX_MAPS && slot == -1; i++)
		if (__atomic_load_n(&rl_regions[i].addr, __ATOMIC_RELAXED) == 0)
			slot = i;
	if (slot == -1) {
		pthread_mutex_unlock(&rl_regions_lock);
		errno = EMFILE;
		return -1;
	}
	p = mmap(NULL, (size_t)f->hdr.file_size, PROT_READ | PROT_WRITE,
	    MAP_SHARED, f->fd, 0);
	if (p == MAP_FAILED) {
		pthread_mutex_unlock(&rl_regions_lock);
		return -1;
	}
	rl_regions[slot].len = (size_t)f->hdr.file_size;
	rl_regions[slot].bus = 0;
	__atomic_store_n(&rl_regions[slot].addr, (uintptr_t)p,
	    __ATOMIC_RELEASE);
	pthread_mutex_unlock(&rl_regions_lock);
	f->map = p;
	f->region = slot;
	return 0;
}

/* Whether a page of f was past the file's end since it was mapped. */
static bool
rl_bus(const struct rl_file *f)
{
	return f->region != -1 && rl_regions[f->region].bus != 0;
}

static void
rl_close_file(struct rl_file *f)
{
	if (f->map != NULL) {
		pthread_mutex_lock(&rl_regions_lock);
		__atomic_store_n(&rl_regions[f->region].addr, 0,
		    __ATOMIC_RELEASE);
		pthread_mutex_unlock(&rl_regions_lock);
		munmap(f->map, (size_t)f->hdr.file_size);
	}
	f->map = NULL;
	f->region = -1;
	if (f->fd != -1)
		close(f->fd);	/* drops this process's fcntl lock on it too */
	f->fd = -1;
}

/*
 * The pid, asked of the kernel once per process: a fork resets it (the
 * handler is registered by the first hark_rl_open).
 */
static pid_t	 rl_pid;

static void
rl_forget_pid(void)
{
	rl_pid = 0;
}

static void
rl_register_atfork(void)
{
	pthread_atfork(NULL, NULL, rl_forget_pid);
	rl_install_sigbus();
}

static pid_t
rl_getpid(void)
{
	if (rl_pid == 0)
		rl_pid = getpid();
	return rl_pid;
}

static void
rl_seal(struct rl_header *h)
{
	h->checksum = rl_checksum(h);
}

/*
 * Makes a complete, unpublished table in a new file next to path: fills f
 * and returns 0 with the file's name in *tmp (caller frees, unlinks when not
 * publishing), or -1.  The file's blocks are allocated here, once: a full
 * disk fails this call, never a later write.
 */
static int
rl_make(const struct hark_rl *rl, struct rl_file *f, char **tmp)
{
	unsigned char		 buf[RL_HEADER_SIZE];
	struct rl_header	*h = &f->hdr;
	struct stat		 st;
	size_t			 len = strlen(rl->path) + 8;
	int			 fd = -1, rc, saved;

	if ((*tmp = malloc(len)) == NULL)
		return -1;
	snprintf(*tmp, len, "%s.XXXXXX", rl->path);
	if ((fd = mkostemp(*tmp, O_CLOEXEC)) == -1)
		goto fail;
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, RL_MAGIC, sizeof(h->magic));
	h->version = RL_VERSION;
	h->header_size = RL_HEADER_SIZE;
	h->bucket_size = sizeof(struct rl_bucket);
	h->gate_size = sizeof(struct rl_gate);
	h->nbuckets = rl->nbuckets;
	h->ngates = rl_gates_for(rl->nbuckets);
	h->file_size = rl_file_size(h->nbuckets, h->ngates);
	memcpy(h->boot_id, rl_boot_id(), sizeof(h->boot_id));
	if (getrandom(h->seed, sizeof(h->seed), 0) != sizeof(h->seed))
		goto fail;
	rl_seal(h);
	if ((rc = posix_fallocate(fd, 0, (off_t)h->file_size)) != 0) {
		errno = rc;
		goto fail;
	}
	memset(buf, 0, sizeof(buf));
	memcpy(buf, h, sizeof(*h));
	if (rl_pwrite(fd, buf, sizeof(buf), 0) == -1 || fstat(fd, &st) == -1)
		goto fail;
	f->fd = fd;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	if (rl_map(f) == -1) {
		f->fd = -1;
		goto fail;
	}
	return 0;
fail:
	saved = errno;
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
rl_unmake(struct rl_file *f, char *tmp)
{
	int	 saved = errno;

	unlink(tmp);
	free(tmp);
	rl_close_file(f);
	errno = saved;
}

/* No file at the path: publish a new one.  RL_OK, RL_AGAIN (beaten), -1. */
static int
rl_create(struct hark_rl *rl, struct rl_file *f)
{
	char	*tmp;

	if (rl_make(rl, f, &tmp) == -1)
		return -1;
	if (link(tmp, rl->path) == -1) {
		rl_unmake(f, tmp);
		return errno == EEXIST ? RL_AGAIN : -1;
	}
	unlink(tmp);
	free(tmp);
	return RL_OK;
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
 * badfd (locked, when a regular file) is a bad file, found at the path:
 * replace it with a new table, unless another process already did, and say
 * so in one line.  Closes badfd, which unlocks it: its waiters then find it
 * unlinked.  RL_OK with f filled, RL_AGAIN to look at the path again, -1.
 */
static int
rl_replace(struct hark_rl *rl, int badfd, const char *why, struct rl_file *f)
{
	char	*tmp;
	int	 rc = RL_AGAIN, saved;

	if (!rl_same_file(rl->path, badfd))
		goto out;
	if (rl_make(rl, f, &tmp) == -1) {
		rc = -1;
		goto out;
	}
	if (rename(tmp, rl->path) == -1) {
		rl_unmake(f, tmp);
		rc = -1;
		goto out;
	}
	free(tmp);
	rl->rebuilds++;
	hark_log(strcmp(why, RL_OLD_BOOT) == 0 ? HARK_LOG_WARN :
	    HARK_LOG_ERR, "rate-limit file %s: %s; replaced it with an empty "
	    "table", rl->path, why);
	rc = RL_OK;
out:
	saved = errno;
	close(badfd);
	errno = saved;
	return rc;
}

/* One look at the path: RL_OK with f filled, RL_AGAIN, -1. */
static int
rl_open_once(struct hark_rl *rl, struct rl_file *f)
{
	struct stat	 st;
	const char	*why;
	ssize_t		 n;
	int		 fd, saved;

	fd = open(rl->path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd == -1)
		return errno == ENOENT ? rl_create(rl, f) : -1;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode))
		return rl_replace(rl, fd, "not a regular file", f);
	if (rl_lock(fd) == -1 || fstat(fd, &st) == -1)
		goto fail;
	if (st.st_nlink == 0) {		/* replaced while we waited */
		close(fd);
		return RL_AGAIN;
	}
	while ((n = pread(fd, &f->hdr, sizeof(f->hdr), 0)) == -1 &&
	    errno == EINTR)
		;
	if (n == -1)
		goto fail;
	if ((why = rl_invalid(&f->hdr, n, &st)) == NULL && f->hdr.retired != 0)
		why = "marked replaced, yet at its path";
	if (why != NULL)
		return rl_replace(rl, fd, why, f);
	f->fd = fd;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	if (rl_map(f) == -1) {
		f->fd = -1;
		goto fail;
	}
	rl_unlock(fd);
	return RL_OK;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

static int
rl_open_path(struct hark_rl *rl, struct rl_file *f)
{
	int	 i, rc = RL_AGAIN;

	f->fd = -1;
	f->map = NULL;
	f->region = -1;
	for (i = 0; i < RL_TRIES && rc == RL_AGAIN; i++)
		rc = rl_open_once(rl, f);
	if (rc == RL_AGAIN)
		errno = EAGAIN;
	return rc == RL_OK ? 0 : -1;
}

int
hark_rl_open(const char *path, size_t nbuckets, struct hark_rl **out)
{
	static pthread_once_t	 once = PTHREAD_ONCE_INIT;
	struct hark_rl		*rl;
	int			 saved;

	*out = NULL;
	pthread_once(&once, rl_register_atfork);
	if ((rl = calloc(1, sizeof(*rl))) == NULL)
		return -1;
	rl->f.fd = -1;
	rl->f.region = -1;
	rl->nbuckets = rl_round_buckets(nbuckets);
	if ((rl->path = strdup(path)) == NULL ||
	    rl_open_path(rl, &rl->f) == -1) {
		saved = errno;
		free(rl->path);
		free(rl);
		errno = saved;
		return -1;
	}
	rl->checked = hark_rl_now();
	*out = rl;
	return 0;
}

void
hark_rl_close(struct hark_rl *rl)
{
	if (rl == NULL)
		return;
	rl_close_file(&rl->f);
	free(rl->path);
	free(rl);
}

enum rl_kind { RL_EMPTY, RL_VALID, RL_GARBAGE };

static enum rl_kind	 rl_bucket_kind(const struct rl_header *,
			    const struct rl_bucket *);
static enum rl_kind	 rl_gate_kind(const struct rl_header *,
			    const struct rl_gate *);

/* ---- the lock word ---- */

static struct rl_header *
rl_hdr(const struct hark_rl *rl)
{
	return (struct rl_header *)(void *)rl->f.map;
}

/* The futex is the lock word's half that holds the pid and RL_WAITERS. */
static uint32_t *
rl_futex_word(uint64_t *lock)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return (uint32_t *)(void *)lock + 1;
#else
	return (uint32_t *)(void *)lock;
#endif
}

static void
rl_futex(uint64_t *lock, int op, uint32_t val, const struct timespec *ts)
{
	int	 saved = errno;

	/* Shared (not FUTEX_PRIVATE_FLAG): other processes map the file. */
	(void)syscall(SYS_futex, rl_futex_word(lock), op, val, ts, NULL, 0);
	errno = saved;
}

static void
rl_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

/* Milliseconds on CLOCK_MONOTONIC (the vDSO: no system call). */
static int64_t
rl_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * pid's /proc/<pid>/stat read into buf, and where its third field (the
 * state) starts, past the command name, which may hold spaces and ')'.
 * NULL when it cannot be read or parsed; errno is ENOENT only when there
 * is no such process.
 */
static const char *
rl_proc_stat(pid_t pid, char *buf, size_t size)
{
	char	 path[64], *p;
	ssize_t	 n;
	int	 fd;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	n = read(fd, buf, size - 1);
	close(fd);
	errno = 0;
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ')
		return NULL;
	return p + 2;
}

/*
 * Whether pid is a process that has not exited.  kill(2) finds a zombie,
 * whose fcntl locks the kernel has dropped and which holds nothing: its
 * state in /proc tells.
 */
static bool
rl_running(pid_t pid)
{
	char		 buf[1024];
	const char	*state;

	if (pid <= 0)
		return false;
	if (kill(pid, 0) == -1 && errno == ESRCH)
		return false;
	if ((state = rl_proc_stat(pid, buf, sizeof(buf))) == NULL)
		return errno != ENOENT;
	return state[0] != 'Z' && state[0] != 'X';
}

/* The word that says this process holds the lock, after the word v. */
static uint64_t
rl_lock_word(uint64_t v)
{
	uint64_t	 seq = (v >> RL_SEQ_SHIFT) + 1;

	return (uint64_t)rl_getpid() | (v & RL_WAITERS) |
	    (seq << RL_SEQ_SHIFT);
}

/*
 * Takes the table's lock word: one compare-and-swap when it is free.  Held,
 * it looks a while, then marks the word RL_WAITERS and sleeps on the futex
 * in slices of RL_WAIT_MS; after a slice in which the word did not change it
 * takes the lock over from a holder that is not running, or that has held
 * that one acquisition for RL_STALE_MS.  Returns whether it took it over.
 */
static bool
rl_acquire(struct hark_rl *rl)
{
	struct timespec	 ts = { 0, RL_WAIT_MS * 1000000L };
	uint64_t	*lk = &rl_hdr(rl)->lock, v, seen = 0;
	int64_t		 since = 0;
	unsigned	 spins = 0;
	pid_t		 pid;

	for (;;) {
		v = __atomic_load_n(lk, __ATOMIC_RELAXED);
		if ((v & RL_PID_MASK) == 0) {
			if (__atomic_compare_exchange_n(lk, &v, rl_lock_word(v),
			    false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
				return false;
			continue;
		}
		if (spins < RL_SPINS) {
			spins++;
			rl_pause();
			continue;
		}
		if (!(v & RL_WAITERS)) {
			if (!__atomic_compare_exchange_n(lk, &v, v | RL_WAITERS,
			    false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
				continue;
			v |= RL_WAITERS;
		}
		rl_futex(lk, FUTEX_WAIT, (uint32_t)v, &ts);
		if (__atomic_load_n(lk, __ATOMIC_RELAXED) != v)
			continue;
		if (v != seen) {
			seen = v;
			since = rl_ms();
		}
		pid = (pid_t)(v & RL_PID_MASK);
		if (rl_running(pid) && rl_ms() - since < RL_STALE_MS)
			continue;
		if (__atomic_compare_exchange_n(lk, &v, rl_lock_word(v), false,
		    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
			if (rl_running(pid))
				hark_log(HARK_LOG_WARN, "rate-limit file %s: "
				    "pid %ld held its lock for %d ms; taken "
				    "over", rl->path, (long)pid, RL_STALE_MS);
			return true;
		}
	}
}

/* Gives the lock word back (keeping its count), waking any sleeper. */
static void
rl_release(struct hark_rl *rl)
{
	uint64_t	*lk = &rl_hdr(rl)->lock, old;

	old = __atomic_fetch_and(lk, ~(RL_PID_MASK | RL_WAITERS),
	    __ATOMIC_SEQ_CST);
	if (old & RL_WAITERS)
		rl_futex(lk, FUTEX_WAKE, INT_MAX, NULL);
}

/* ---- the locked section every call runs in ---- */

static void
rl_adopt(struct hark_rl *rl, struct rl_file *f)
{
	rl_close_file(&rl->f);
	rl->f = *f;
	rl->reopens++;
}

/*
 * The handle's file is bad (the handle does not hold its lock word):
 * replace it under its fcntl lock (or find who did), mark it retired for
 * the processes still in it, and move to the new one.  RL_AGAIN to start
 * over there, or -1.
 */
static int
rl_bad(struct hark_rl *rl, const char *why)
{
	struct rl_file	 old = rl->f, f;
	int		 rc;

	if (rl_lock(old.fd) == -1)
		return -1;
	rl->f.fd = -1;
	rl->f.map = NULL;
	rl->f.region = -1;
	f.fd = -1;
	f.map = NULL;
	f.region = -1;
	rc = rl_replace(rl, old.fd, why, &f);	/* closes old.fd */
	old.fd = -1;
	if (rc == RL_OK && !rl_bus(&old))
		__atomic_store_n(&((struct rl_header *)(void *)old.map)->retired,
		    1, __ATOMIC_RELEASE);
	rl_close_file(&old);
	if (rc == RL_AGAIN)
		rc = rl_open_path(rl, &f) == -1 ? -1 : RL_OK;
	if (rc == -1)
		return -1;
	rl->f = f;
	rl->reopens++;
	return RL_AGAIN;
}

/* Moves to the file at the path: RL_AGAIN, or -1. */
static int
rl_reopen(struct hark_rl *rl)
{
	struct rl_file	 f;

	if (rl_open_path(rl, &f) == -1)
		return -1;
	rl_adopt(rl, &f);
	return RL_AGAIN;
}

/*
 * The handle's file was removed (or renamed over) from outside: move to the
 * one at the path.  RL_AGAIN when moved, RL_OK when staying in the removed
 * one, which cannot be made again.
 */
static int
rl_moved(struct hark_rl *rl)
{
	if (rl_reopen(rl) == RL_AGAIN)
		return RL_AGAIN;
	if (!rl->warned)
		hark_log(HARK_LOG_ERR, "rate-limit file %s was removed and "
		    "cannot be made again (%s); counting in the removed one",
		    rl->path, strerror(errno));
	rl->warned = true;
	return RL_OK;
}

/*
 * The fixed part of the header changed in place.  A valid table of the same
 * size copied over it is taken; another size is opened afresh.  Called
 * holding the lock word; returns RL_OK still holding it, or (released)
 * RL_AGAIN or -1.
 */
static int
rl_changed(struct hark_rl *rl)
{
	struct rl_header	 h;
	struct stat		 st;
	const char		*why;

	memcpy(&h, rl->f.map, sizeof(h));
	if (fstat(rl->f.fd, &st) == -1) {
		rl_release(rl);
		return -1;
	}
	if ((why = rl_invalid(&h, sizeof(h), &st)) == NULL &&
	    h.file_size == rl->f.hdr.file_size) {
		memcpy(&rl->f.hdr, &h, RL_HOT);
		return RL_OK;
	}
	rl_release(rl);
	return why != NULL ? rl_bad(rl, why) : rl_reopen(rl);
}

/*
 * A writer died changing the identity at mend_at: give that bucket or gate
 * the announced identity, emptied (the counts or holders of one key lost).
 */
static void
rl_mend(struct hark_rl *rl)
{
	const struct rl_header	*fh = &rl->f.hdr;
	uint64_t		 off = rl->cur.mend_at;
	uint64_t		 body = RL_HEADER_SIZE;
	uint64_t		 gates = body + fh->nbuckets * sizeof(struct rl_bucket);
	struct rl_bucket	 b;
	struct rl_gate		 g;

	if (off >= body && off < gates &&
	    (off - body) % sizeof(struct rl_bucket) == 0) {
		memset(&b, 0, sizeof(b));
		memcpy(&b, rl->cur.mend_id, RL_ID_SIZE);
		if (rl_bucket_kind(fh, &b) == RL_VALID)
			memcpy(rl->f.map + off, &b, sizeof(b));
	} else if (off >= gates && off < fh->file_size &&
	    (off - gates) % sizeof(struct rl_gate) == 0) {
		memset(&g, 0, sizeof(g));
		memcpy(&g, rl->cur.mend_id, RL_ID_SIZE);
		if (rl_gate_kind(fh, &g) == RL_VALID)
			memcpy(rl->f.map + off, &g, sizeof(g));
	}
}

/* Before the section's first change: a death from here on is noticed. */
static void
rl_start_write(struct hark_rl *rl)
{
	if (rl->writing)
		return;
	__atomic_store_n(&rl_hdr(rl)->owner, (uint64_t)rl_getpid(),
	    __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	rl->writing = true;
}

/*
 * Takes the lock word and checks the file has not changed: its fixed
 * header, no page past its end, not retired; and, once a second, that it is
 * still linked and of its size.  RL_OK holding the lock with rl->cur read,
 * RL_AGAIN after moving to another file, -1.
 */
static int
rl_begin_once(struct hark_rl *rl)
{
	struct stat	 st;
	time_t		 now;
	int		 rc;

	if (rl->f.fd == -1) {
		if (rl_open_path(rl, &rl->f) == -1)
			return -1;
		rl->reopens++;
	}
	if ((now = hark_rl_now()) != rl->checked) {
		if (fstat(rl->f.fd, &st) == -1)
			return -1;
		rl->checked = now;
		if (st.st_nlink == 0 && rl_moved(rl) == RL_AGAIN)
			return RL_AGAIN;
		if ((uint64_t)st.st_size != rl->f.hdr.file_size)
			return rl_bad(rl, "size differs from its header "
			    "(truncated or extended)");
	}
	(void)rl_acquire(rl);
	if (rl_bus(&rl->f)) {
		rl_release(rl);
		return rl_bad(rl, "cut short under a running worker");
	}
	if (memcmp(rl->f.map, &rl->f.hdr, RL_HOT) != 0 &&
	    (rc = rl_changed(rl)) != RL_OK)
		return rc;
	memcpy((char *)&rl->cur + RL_DATA, rl->f.map + RL_DATA,
	    sizeof(rl->cur) - RL_DATA);
	if (rl->cur.retired != 0) {
		rl_release(rl);
		if (rl_same_file(rl->path, rl->f.fd))
			return rl_bad(rl, "marked replaced, yet at its path");
		return rl_reopen(rl);
	}
	rl->writing = false;
	if (rl->cur.owner != 0) {
		/* Its holder died in a write: count it, clear it at the end. */
		if (rl->cur.mend_at != 0)
			rl_mend(rl);
		rl->cur.recoveries++;
		rl_start_write(rl);
	}
	return RL_OK;
}

static int
rl_begin(struct hark_rl *rl)
{
	int	 i, rc = RL_AGAIN;

	for (i = 0; i < RL_TRIES && rc == RL_AGAIN; i++)
		rc = rl_begin_once(rl);
	if (rc == RL_AGAIN)
		errno = EAGAIN;
	return rc;
}

/*
 * Stores len bytes of src at off in the file.  An identity that changes is
 * announced first (mend_at, mend_id), so that a writer killed in the middle
 * leaves what the next locker redoes, never a torn identity that would read
 * as damage.
 */
static void
rl_put(struct hark_rl *rl, off_t off, const void *src, size_t len)
{
	struct rl_header	*h = rl_hdr(rl);
	unsigned char		*dst = rl->f.map + off;

	rl_start_write(rl);
	if (memcmp(dst, src, RL_ID_SIZE) == 0) {
		memcpy(dst + RL_ID_SIZE, (const unsigned char *)src +
		    RL_ID_SIZE, len - RL_ID_SIZE);
		return;
	}
	memcpy(h->mend_id, src, RL_ID_SIZE);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&h->mend_at, (uint64_t)off, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	memcpy(dst, src, len);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&h->mend_at, 0, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

/* Writes the counters back (clearing the owner) if written, and unlocks. */
static void
rl_end(struct hark_rl *rl)
{
	struct rl_header	*h = rl_hdr(rl);

	if (rl->writing) {
		h->used = rl->cur.used;
		h->evictions = rl->cur.evictions;
		h->recoveries = rl->cur.recoveries;
		h->mend_at = 0;
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		__atomic_store_n(&h->owner, 0, __ATOMIC_RELAXED);
	}
	rl->writing = false;
	rl_release(rl);
}

/*
 * Runs fn under the lock, starting over in the new file whenever fn finds
 * the file bad (RL_AGAIN, with rl->why): a page past the end of a file cut
 * short since the section began, a damaged bucket.  0 or -1.
 */
static int
rl_run(struct hark_rl *rl, int (*fn)(struct hark_rl *, void *), void *arg)
{
	int	 i, rc;

	for (i = 0; i < RL_TRIES; i++) {
		if ((rc = rl_begin(rl)) != RL_OK)
			return -1;
		rc = fn(rl, arg);
		if (rc == RL_OK && rl_bus(&rl->f)) {
			rl->why = "cut short under a running worker";
			rc = RL_AGAIN;
		}
		rl_end(rl);
		if (rc == RL_OK)
			return 0;
		if (rc == -1 || rl_bad(rl, rl->why) == -1)
			return -1;
	}
	errno = EAGAIN;
	return -1;
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

static enum rl_kind
rl_bucket_kind(const struct rl_header *h, const struct rl_bucket *b)
{
	if (b->hash == 0 && b->window == 0 && b->check == 0)
		return RL_EMPTY;
	if (b->hash != 0 && b->window >= 1 && b->window <= HARK_RL_MAX_WINDOW &&
	    b->check == rl_bucket_check(h, b->hash, b->window))
		return RL_VALID;
	return RL_GARBAGE;
}

static bool
rl_taken(const struct rl_state *st, size_t ntaken, size_t i)
{
	size_t	 k;

	for (k = 0; k < ntaken; k++)
		if (st[k].idx == i)
			return true;
	return false;
}

/* How a check came by its bucket, for the table's counters. */
enum rl_claim { RL_FOUND, RL_CLAIMED_EMPTY, RL_CLAIMED, RL_EVICTED };

/*
 * Reads into st the bucket for st->hash: found, or claimed (in st only,
 * until written) from an empty, expired or (when the probe range is full)
 * least recently moved bucket, never one of the buckets already taken by
 * this request.  RL_OK, RL_AGAIN (the file is bad), -1.
 */
static int
rl_find(struct hark_rl *rl, struct rl_state *st, const struct rl_state *taken,
    size_t ntaken, unsigned window, int64_t now, enum rl_claim *how)
{
	struct rl_bucket	 b;
	uint64_t		 mask = rl->f.hdr.nbuckets - 1;
	size_t			 i, p, freeb = SIZE_MAX, victim = SIZE_MAX;
	int64_t			 vhead = 0;

	*how = RL_CLAIMED;
	for (p = 0; p < RL_PROBE && p <= mask; p++) {
		i = (st->hash + p) & mask;
		if (rl_taken(taken, ntaken, i))
			continue;
		memcpy(&b, rl->f.map + rl_bucket_off(i), sizeof(b));
		if (rl_bus(&rl->f)) {
			rl->why = "cut short under a running worker";
			return RL_AGAIN;
		}
		switch (rl_bucket_kind(&rl->f.hdr, &b)) {
		case RL_GARBAGE:
			rl->why = "damaged bucket";
			return RL_AGAIN;
		case RL_EMPTY:
			if (freeb == SIZE_MAX) {
				freeb = i;
				*how = RL_CLAIMED_EMPTY;
			}
			goto claim;
		case RL_VALID:
			break;
		}
		if (b.hash == st->hash) {
			st->b = b;
			st->idx = i;
			*how = RL_FOUND;
			return RL_OK;
		}
		if (freeb == SIZE_MAX && rl_expired(&b, now))
			freeb = i;
		if (victim == SIZE_MAX || b.head < vhead) {
			victim = i;
			vhead = b.head;
		}
	}
claim:
	if (freeb == SIZE_MAX) {
		freeb = victim;
		*how = RL_EVICTED;
	}
	memset(&st->b, 0, sizeof(st->b));
	rl_reset(&st->b, window, now);
	st->b.hash = st->hash;
	st->b.check = rl_bucket_check(&rl->f.hdr, st->hash, window);
	st->idx = freeb;
	return RL_OK;
}

/*
 * Moves the ring to now and fills st with the count inside the window.
 * A clock that went back less than a window counts at the old head time;
 * further back, the old hits are dropped.  (hark_rl_now never goes back:
 * this is for callers that pass another clock.)
 */
static void
rl_advance(struct rl_state *st, unsigned window, int64_t now)
{
	struct rl_bucket	*b = &st->b;
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
		acc += st->b.count[i % HARK_RL_SLOTS];
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
	size_t	 i, j;

	if (n == 0 || n > HARK_RL_MAX_CHECKS || now < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (c[i].key == NULL || c[i].window_seconds == 0 ||
		    c[i].window_seconds > HARK_RL_MAX_WINDOW)
			return -1;
		for (j = 0; j < i; j++)
			if (c[j].window_seconds == c[i].window_seconds &&
			    strcmp(c[j].key, c[i].key) == 0)
				return -1;
	}
	return 0;
}

/* The window goes into the hash key, so each (key, window) has its bucket. */
static uint64_t
rl_hash(const struct hark_rl *rl, const struct hark_rl_check *c)
{
	uint64_t	 h;

	h = rl_siphash(rl->f.hdr.seed[0] ^ c->window_seconds,
	    rl->f.hdr.seed[1], (const unsigned char *)c->key, strlen(c->key));
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

/* Stores the request's buckets, and what claiming them did to the counters. */
static void
rl_store(struct hark_rl *rl, const struct rl_state *st,
    const enum rl_claim *how, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		rl_put(rl, rl_bucket_off(st[i].idx), &st[i].b,
		    sizeof(st[i].b));
		if (how[i] == RL_CLAIMED_EMPTY)
			rl->cur.used++;
		else if (how[i] == RL_EVICTED)
			rl->cur.evictions++;
	}
}

struct rl_call {
	const struct hark_rl_check	*c;
	size_t				 n;
	int64_t				 now;
	bool				 consume;
	struct hark_rl_result		*out;
};

/* hit_all and peek under the lock: one walk, consuming a slot or not. */
static int
rl_check_locked(struct hark_rl *rl, void *arg)
{
	struct rl_call		*a = arg;
	struct rl_state		 st[HARK_RL_MAX_CHECKS];
	struct hark_rl_result	 r[HARK_RL_MAX_CHECKS];
	enum rl_claim		 how[HARK_RL_MAX_CHECKS];
	size_t			 i;
	bool			 allowed = true;
	int			 rc;

	for (i = 0; i < a->n; i++) {
		st[i].hash = rl_hash(rl, &a->c[i]);
		rc = rl_find(rl, &st[i], st, i, a->c[i].window_seconds, a->now,
		    &how[i]);
		if (rc != RL_OK)
			return rc;
		rl_advance(&st[i], a->c[i].window_seconds, a->now);
		if (st[i].count >= a->c[i].limit)
			allowed = false;
	}
	/* Only a consumed hit is stored: moving a ring is redone by anyone. */
	if (a->consume && allowed) {
		for (i = 0; i < a->n; i++) {
			(*rl_slot(&st[i].b, st[i].t / st[i].width))++;
			st[i].count++;
		}
		rl_store(rl, st, how, a->n);
	}
	for (i = 0; i < a->n; i++)
		rl_result(&st[i], &a->c[i], allowed ||
		    st[i].count < a->c[i].limit, a->now, &r[i]);
	i = rl_binding(r, a->n, allowed);
	*a->out = r[i];
	a->out->allowed = allowed;
	a->out->binding = i;
	return RL_OK;
}

static int
rl_check_all(struct hark_rl *rl, const struct hark_rl_check *c, size_t n,
    time_t now, struct hark_rl_result *out, bool consume)
{
	struct rl_call	 a;

	if (rl_check_args(c, n, now) == -1) {
		errno = EINVAL;
		return -1;
	}
	a.c = c;
	a.n = n;
	a.now = now;
	a.consume = consume;
	a.out = out;
	return rl_run(rl, rl_check_locked, &a);
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

/* ---- concurrency gates ---- */

/*
 * A process's start time in clock ticks since boot (/proc/<pid>/stat, field
 * 22), which tells a holder from a later process given its pid; 0 when not
 * known.  The command name (field 2) may hold spaces and ')': skip past the
 * last ')'.
 */
static uint64_t
rl_start_time(pid_t pid)
{
	char			 buf[1024];
	const char		*p;
	unsigned long long	 v = 0;
	int			 field;

	if ((p = rl_proc_stat(pid, buf, sizeof(buf))) == NULL)
		return 0;
	/* Field 22 is 19 spaces after field 3. */
	for (field = 3; *p != '\0' && field < 22; p++)
		if (*p == ' ')
			field++;
	if (field != 22 || sscanf(p, "%llu", &v) != 1)
		return 0;
	return v;
}

static uint64_t
rl_own_start(void)
{
	static pid_t	 pid;
	static uint64_t	 start;

	if (pid != rl_getpid()) {
		pid = rl_getpid();
		start = rl_start_time(pid);
	}
	return start;
}

/* Whether a gate's holder is still the process that took the place. */
static bool
rl_alive(const struct rl_holder *h)
{
	uint64_t	 start;

	if (h->pid <= 0)
		return false;
	if (kill(h->pid, 0) == -1 && errno == ESRCH)
		return false;
	if (h->start != 0 && (start = rl_start_time(h->pid)) != 0 &&
	    start != h->start)
		return false;
	return true;
}

static unsigned
rl_holders(const struct rl_gate *g)
{
	unsigned	 i, n = 0;

	for (i = 0; i < HARK_RL_GATE_SLOTS; i++)
		if (g->slot[i].pid > 0)
			n++;
	return n;
}

/* Frees the places of holders that are gone: how many. */
static unsigned
rl_reap(struct rl_gate *g)
{
	unsigned	 i, n = 0;

	for (i = 0; i < HARK_RL_GATE_SLOTS; i++) {
		if (g->slot[i].pid == 0)
			continue;
		if (!rl_alive(&g->slot[i])) {
			memset(&g->slot[i], 0, sizeof(g->slot[i]));
			n++;
		}
	}
	return n;
}

static enum rl_kind
rl_gate_kind(const struct rl_header *h, const struct rl_gate *g)
{
	if (g->hash == 0 && g->check == 0)
		return RL_EMPTY;
	if (g->hash != 0 && g->check == rl_gate_check(h, g->hash))
		return RL_VALID;
	return RL_GARBAGE;
}

static int
rl_read_gate(struct hark_rl *rl, size_t i, struct rl_gate *g)
{
	memcpy(g, rl->f.map + rl_gate_off(&rl->f.hdr, i), sizeof(*g));
	if (rl_bus(&rl->f)) {
		rl->why = "cut short under a running worker";
		return RL_AGAIN;
	}
	if (rl_gate_kind(&rl->f.hdr, g) == RL_GARBAGE) {
		rl->why = "damaged gate";
		return RL_AGAIN;
	}
	return RL_OK;
}

static void
rl_gate_claim(const struct hark_rl *rl, struct rl_gate *g, uint64_t hash)
{
	memset(g, 0, sizeof(*g));
	g->hash = hash;
	g->check = rl_gate_check(&rl->f.hdr, hash);
}

/*
 * Reads into g the gate for hash: found, or claimed from one without
 * holders, dead holders freed when there is none.  *dirty when g differs
 * from the file.  RL_OK, RL_AGAIN, -1 (ENOSPC: every gate near is held).
 */
static int
rl_gate_find(struct hark_rl *rl, uint64_t hash, struct rl_gate *g,
    size_t *idx, bool *dirty)
{
	uint64_t	 mask = rl->f.hdr.ngates - 1;
	size_t		 i, p, freeg = SIZE_MAX;
	int		 rc, pass;

	*dirty = false;
	for (p = 0; p < RL_PROBE && p <= mask; p++) {
		i = (hash + p) & mask;
		if ((rc = rl_read_gate(rl, i, g)) != RL_OK)
			return rc;
		if (g->hash == hash) {
			*idx = i;
			return RL_OK;
		}
		if (freeg == SIZE_MAX && rl_holders(g) == 0)
			freeg = i;
		if (g->hash == 0)
			break;
	}
	for (pass = 0; freeg == SIZE_MAX && pass < RL_PROBE &&
	    (size_t)pass <= mask; pass++) {
		i = (hash + (size_t)pass) & mask;
		if ((rc = rl_read_gate(rl, i, g)) != RL_OK)
			return rc;
		if (rl_reap(g) > 0 && rl_holders(g) == 0)
			freeg = i;
	}
	if (freeg == SIZE_MAX) {
		errno = ENOSPC;
		return -1;
	}
	rl_gate_claim(rl, g, hash);
	*idx = freeg;
	*dirty = true;
	return RL_OK;
}

static void
rl_write_gate(struct hark_rl *rl, size_t i, const struct rl_gate *g)
{
	rl_put(rl, rl_gate_off(&rl->f.hdr, i), g, sizeof(*g));
}

struct rl_enter {
	const char		*key;
	unsigned		 max;
	struct hark_rl_ticket	*t;
};

static int
rl_enter_locked(struct hark_rl *rl, void *arg)
{
	struct rl_enter		*a = arg;
	struct hark_rl_ticket	*t = a->t;
	struct rl_gate		 g;
	uint64_t		 hash;
	size_t			 idx;
	unsigned		 n, s;
	bool			 dirty;
	int			 rc;

	hash = rl_siphash(rl->f.hdr.seed[0] ^ RL_GATE_TWEAK, rl->f.hdr.seed[1],
	    (const unsigned char *)a->key, strlen(a->key));
	if (hash == 0)
		hash = 1;
	if ((rc = rl_gate_find(rl, hash, &g, &idx, &dirty)) != RL_OK)
		return rc;
	if ((n = rl_holders(&g)) >= a->max && rl_reap(&g) > 0) {
		dirty = true;
		n = rl_holders(&g);
	}
	t->admitted = false;
	if (n < a->max) {
		for (s = 0; g.slot[s].pid > 0; s++)
			;
		g.slot[s].pid = (int32_t)rl_getpid();
		g.slot[s].start = rl_own_start();
		t->admitted = true;
		t->hash = hash;
		t->dev = rl->f.dev;
		t->ino = rl->f.ino;
		t->gate = idx;
		t->slot = s;
		t->pid = g.slot[s].pid;
		t->start = g.slot[s].start;
		dirty = true;
		n++;
	}
	t->in_flight = n;
	if (dirty)
		rl_write_gate(rl, idx, &g);
	return RL_OK;
}

int
hark_rl_enter(struct hark_rl *rl, const char *key, unsigned max,
    struct hark_rl_ticket *t)
{
	struct rl_enter	 a;

	memset(t, 0, sizeof(*t));
	if (key == NULL || max > HARK_RL_GATE_SLOTS) {
		errno = EINVAL;
		return -1;
	}
	if (max == 0)
		return 0;
	a.key = key;
	a.max = max;
	a.t = t;
	return rl_run(rl, rl_enter_locked, &a);
}

static int
rl_leave_locked(struct hark_rl *rl, void *arg)
{
	struct hark_rl_ticket	*t = arg;
	struct rl_gate		 g;
	struct rl_holder	*h;
	int			 rc;

	/* A file rebuilt since never held the place. */
	if (rl->f.dev != t->dev || rl->f.ino != t->ino ||
	    t->gate >= rl->f.hdr.ngates || t->slot >= HARK_RL_GATE_SLOTS)
		return RL_OK;
	if ((rc = rl_read_gate(rl, t->gate, &g)) != RL_OK)
		return rc;
	h = &g.slot[t->slot];
	if (g.hash != t->hash || h->pid != t->pid || h->start != t->start)
		return RL_OK;
	memset(h, 0, sizeof(*h));
	rl_write_gate(rl, t->gate, &g);
	return RL_OK;
}

void
hark_rl_leave(struct hark_rl *rl, struct hark_rl_ticket *t)
{
	int	 saved = errno;

	if (t->admitted)
		(void)rl_run(rl, rl_leave_locked, t);
	t->admitted = false;
	errno = saved;
}

/* ---- the rest ---- */

time_t
hark_rl_now(void)
{
	struct timespec	 ts;

#ifdef CLOCK_BOOTTIME
	if (clock_gettime(CLOCK_BOOTTIME, &ts) == 0)
		return ts.tv_sec;
#endif
	if (clock_gettime(CLOCK_MONOTONIC, &ts) == 0)
		return ts.tv_sec;
	return -1;
}

static int
rl_stats_locked(struct hark_rl *rl, void *arg)
{
	struct hark_rl_stats	*s = arg;

	s->nbuckets = rl->f.hdr.nbuckets;
	s->ngates = rl->f.hdr.ngates;
	s->used = rl->cur.used;
	s->evictions = rl->cur.evictions;
	s->recoveries = rl->cur.recoveries;
	return RL_OK;
}

int
hark_rl_stats(struct hark_rl *rl, struct hark_rl_stats *s)
{
	memset(s, 0, sizeof(*s));
	if (rl_run(rl, rl_stats_locked, s) == -1)
		return -1;
	s->rebuilds = rl->rebuilds;
	s->reopens = rl->reopens;
	return 0;
}

int
hark_rl_debug_hold_lock(struct hark_rl *rl)
{
	if (rl_begin(rl) != RL_OK)
		return -1;
	rl_start_write(rl);
	return 0;
}

int
hark_rl_debug_tear(struct hark_rl *rl, const char *key, unsigned window)
{
	struct hark_rl_check	 c;
	struct rl_state		 st;
	struct rl_header	*h;
	enum rl_claim		 how;
	off_t			 off;

	c.key = key;
	c.limit = 1;
	c.window_seconds = window;
	if (window == 0 || window > HARK_RL_MAX_WINDOW) {
		errno = EINVAL;
		return -1;
	}
	if (rl_begin(rl) != RL_OK)
		return -1;
	st.hash = rl_hash(rl, &c);
	if (rl_find(rl, &st, NULL, 0, window, hark_rl_now(), &how) != RL_OK ||
	    how == RL_FOUND) {
		rl_end(rl);
		errno = EEXIST;
		return -1;
	}
	rl_start_write(rl);
	h = rl_hdr(rl);
	off = rl_bucket_off(st.idx);
	memcpy(h->mend_id, &st.b, RL_ID_SIZE);
	h->mend_at = (uint64_t)off;
	memcpy(rl->f.map + off, &st.b.hash, sizeof(st.b.hash));
	return 0;
}

int
hark_rl_debug_age(const char *path)
{
	struct rl_header	 h;
	size_t			 i;
	int			 fd, rc = -1;

	if ((fd = open(path, O_RDWR | O_CLOEXEC)) == -1)
		return -1;
	if (rl_lock(fd) == 0 && rl_pread(fd, &h, sizeof(h), 0) == RL_OK) {
		for (i = 0; i < sizeof(h.boot_id); i++)
			h.boot_id[i] ^= 0x5a;
		rl_seal(&h);
		rc = rl_pwrite(fd, &h, RL_HOT, 0);
	}
	close(fd);
	return rc;
}
