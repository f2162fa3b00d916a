/*
 * fuzz_ratelimit.c: libFuzzer harness for the rate-limit file's open and
 * validation (lib/ratelimit.c) with mutated files.
 *
 * fuzz-sources: lib/log.c
 *
 * The library is included whole, so that a mutated header can be resealed
 * (its checksum made right again) and the paths behind the checksum reached.
 * Input: a mode byte, a flags byte, then the mode's data:
 *   mode 0  the rest is the whole file, opened and hit;
 *   mode 1  patches applied to a fresh valid table before it is opened;
 *   mode 2  patches (and a truncation) applied while two handles have it
 *           open and have counted in it;
 *   mode 3  as 2, with concurrency gates held across the damage.
 * Patches: (offset u16, length u8, bytes) records.  Flags: bit 0 reseals
 * the header, bit 1 truncates to the u16 after the flags.
 * Whatever the file holds, nothing may crash and, once it has been seen, a
 * fresh key with a limit of 5 passes exactly 5 times of 10, counted in both
 * handles together (one table, enforced).
 */
#include "ratelimit.c"

#include <stdint.h>

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	 fz_dir[64];
static char	 fz_path[96];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(fz_dir, sizeof(fz_dir), "%s/hark-fuzz-rl-XXXXXX",
	    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(fz_dir) == NULL)
		abort();
	snprintf(fz_path, sizeof(fz_path), "%s/rl.db", fz_dir);
	/* The rebuilds' log lines are expected here: keep them quiet. */
	hark_log_open("fuzz", "/dev/null", HARK_LOG_ERR);
	return 0;
}

static void
fz_write_all(const uint8_t *p, size_t n)
{
	int	 fd;

	unlink(fz_path);
	if ((fd = open(fz_path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		abort();
	if (n > 0 && write(fd, p, n) != (ssize_t)n)
		abort();
	close(fd);
}

static void
fz_reseal(void)
{
	struct rl_header	 h;
	int			 fd;

	if ((fd = open(fz_path, O_RDWR)) == -1)
		return;
	if (pread(fd, &h, sizeof(h), 0) == (ssize_t)sizeof(h)) {
		rl_seal(&h);
		if (pwrite(fd, &h, RL_HOT, 0) != (ssize_t)RL_HOT)
			abort();
	}
	close(fd);
}

/* Applies the patch records in p; returns nothing, ignores a short tail. */
static void
fz_patch(const uint8_t *p, size_t n)
{
	struct stat	 st;
	size_t		 len;
	off_t		 off;
	int		 fd;

	if ((fd = open(fz_path, O_RDWR)) == -1)
		return;
	if (fstat(fd, &st) == -1 || st.st_size == 0) {
		close(fd);
		return;
	}
	while (n >= 3) {
		off = (off_t)((p[0] | p[1] << 8) % st.st_size);
		len = p[2];
		p += 3;
		n -= 3;
		if (len > n)
			len = n;
		if (pwrite(fd, p, len, off) != (ssize_t)len)
			abort();
		p += len;
		n -= len;
	}
	close(fd);
}

static void
fz_hit(struct hark_rl *rl, const char *key)
{
	struct hark_rl_result	 r;

	if (hark_rl_hit(rl, key, 1000, 60, 1000, &r) == -1)
		abort();
}

/* The invariant: exactly 5 of 10 pass, alternating between handles. */
static void
fz_enforced(struct hark_rl *a, struct hark_rl *b)
{
	struct hark_rl_result	 r;
	unsigned		 i, n = 0;

	for (i = 0; i < 10; i++) {
		if (hark_rl_hit(i % 2 ? b : a, "fz:fresh", 5, 60, 1000,
		    &r) == -1)
			abort();
		n += r.allowed;
	}
	if (n != 5)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hark_rl		*a = NULL, *b = NULL;
	struct hark_rl_ticket	 t[2];
	struct hark_rl_stats	 st;
	unsigned		 mode, flags;
	size_t			 i;
	off_t			 cut = 0;

	if (size < 2)
		return 0;
	mode = data[0] % 4;
	flags = data[1];
	data += 2;
	size -= 2;
	if ((flags & 2) && size >= 2) {
		cut = (off_t)(data[0] | data[1] << 8);
		data += 2;
		size -= 2;
	}
	unlink(fz_path);
	if (mode == 0) {
		fz_write_all(data, size);
	} else {
		if (hark_rl_open(fz_path, HARK_RL_MIN_BUCKETS, &a) == -1)
			abort();
		if (mode >= 2) {
			if (hark_rl_open(fz_path, 0, &b) == -1)
				abort();
			fz_hit(a, "fz:a");
			fz_hit(b, "fz:b");
			if (mode == 3 && (hark_rl_enter(a, "fz:g", 2, &t[0]) ==
			    -1 || hark_rl_enter(b, "fz:g", 2, &t[1]) == -1))
				abort();
		} else {
			hark_rl_close(a);
			a = NULL;
		}
		fz_patch(data, size);
		if (flags & 1)
			fz_reseal();
		if ((flags & 2) && truncate(fz_path, cut) == -1)
			abort();
	}
	if (a == NULL && hark_rl_open(fz_path, 0, &a) == -1)
		abort();
	if (b == NULL && hark_rl_open(fz_path, 0, &b) == -1)
		abort();
	for (i = 0; i < 4; i++)
		fz_hit(i % 2 ? a : b, i < 2 ? "fz:a" : "fz:c");
	fz_enforced(a, b);
	if (mode == 3) {
		/* A patched holder pid may be a live process: no assertion. */
		hark_rl_leave(a, &t[0]);
		hark_rl_leave(b, &t[1]);
		if (hark_rl_enter(a, "fz:g", 1, &t[0]) == -1 && errno != ENOSPC)
			abort();
		hark_rl_leave(a, &t[0]);
	}
	if (hark_rl_stats(a, &st) == -1 || hark_rl_stats(b, &st) == -1)
		abort();
	hark_rl_close(a);
	hark_rl_close(b);
	return 0;
}
