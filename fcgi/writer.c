/*
 * writer.c: the commit queue's writer process and the master's handle on
 * it (see writer.h).
 *
 * One loop, one connection to MariaDB: what workers sent while the last
 * batch was being committed waits in the kernel's socket buffers and is
 * the next batch, so a lone submission is written at once and batches
 * grow only with the load.  Bounded by commit_queue_max_rows and _bytes.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "commitq.h"
#include "conf.h"
#include "log.h"
#include "signals.h"
#include "store.h"
#include "writer.h"

#define MAX_CLIENTS	1024	/* workers connect once each; 256 at most */
#define BACKOFF_MAX	30	/* seconds between respawns of a crash loop */
#define SHORT_LIFE	5

/*
 * Written by the writer, read by the master: the hang check.  The loop
 * comes round at least once a second when idle, and once per batch.
 */
struct beat {
	volatile time_t	 alive_at;	/* monotonic s */
};

/* One writer process: a slot of the master's handle. */
struct slot {
	struct beat	*beat;		/* in the handle's shared page */
	pid_t		 pid;
	time_t		 started, respawn_at;
	int		 backoff;
};

/*
 * The writers share the listening socket: a worker's connection goes to
 * whichever accepts it, so each batches the rows of the workers it holds,
 * and while one waits on its COMMIT another's statement runs.
 */
struct hark_writer {
	int		 fd;		/* the listening socket */
	char		 path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct beat	*beats;		/* nslots, shared with the writers */
	struct slot	 slots[HARK_WRITERS_MAX];
	int		 nslots;
	int		 stopping;
};

static time_t
mono(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* ---- the writer process ---- */

struct client {
	int		 fd;
	unsigned char	*in;
	size_t		 len, cap;
	long		 frame;		/* bytes of the queued frame; 0 none */
	unsigned long	 seq;		/* arrival order of the queued one */
	struct hark_cq_sub sub;
};

static volatile sig_atomic_t	writer_stop;
static int			replay;

static void
on_stop(int sig)
{
	(void)sig;
	writer_stop = 1;
}

static void
client_drop(struct client *c)
{
	close(c->fd);
	free(c->in);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static void
accept_all(int lfd, struct client *cl, size_t *ncl)
{
	size_t	 i;
	int	 fd;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) !=
	    -1) {
		for (i = 0; i < *ncl && cl[i].fd != -1; i++)
			;
		if (i == *ncl) {
			if (*ncl == MAX_CLIENTS) {
				close(fd);
				continue;
			}
			(*ncl)++;
		}
		memset(&cl[i], 0, sizeof(cl[i]));
		cl[i].fd = fd;
	}
}

/* Reads what c has sent; queues a whole frame.  -1: drop the client. */
static int
client_read(struct client *c, unsigned long *seq)
{
	unsigned char	*p;
	ssize_t		 n;
	long		 whole;

	for (;;) {
		if ((whole = hark_cq_frame(c->in, c->len)) == -1)
			return -1;
		if (whole > 0) {
			if (hark_cq_decode_submit(c->in + 4, (size_t)whole - 4,
			    &c->sub) == -1) {
				hark_log(HARK_LOG_ERR, "commit queue: a worker "
				    "sent a frame that does not decode");
				return -1;
			}
			c->frame = whole;
			c->seq = ++*seq;
			return 0;
		}
		if (c->cap - c->len < 4096) {
			if ((p = realloc(c->in, c->cap + 65536)) == NULL)
				return -1;
			c->in = p;
			c->cap += 65536;
		}
		n = recv(c->fd, c->in + c->len, c->cap - c->len, 0);
		if (n > 0) {
			c->len += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		return -1;	/* closed: the worker is gone or gave up */
	}
}

static int
by_seq(const void *a, const void *b)
{
	const struct client *const *x = a, *const *y = b;

	return (*x)->seq < (*y)->seq ? -1 : (*x)->seq > (*y)->seq;
}

static void
answer(struct client *c, const struct hark_store_batch_row *r)
{
	struct hark_buf	 b = { 0 };

	if (hark_cq_encode_answer(&b, c->sub.fb.id, r->rc, r->err,
	    r->rc != HARK_STORE_OK && r->errmsg[0] != '\0' ? r->errmsg :
	    NULL) == -1 ||
	    send(c->fd, b.data, b.len, MSG_NOSIGNAL | MSG_DONTWAIT) !=
	    (ssize_t)b.len) {
		/* It stopped waiting: it filed the row directly, or died. */
		hark_buf_free(&b);
		client_drop(c);
		return;
	}
	hark_buf_free(&b);
	c->len -= (size_t)c->frame;
	memmove(c->in, c->in + c->frame, c->len);
	c->frame = 0;
}

/* Commits one batch of the queued submissions, oldest first. */
static void
commit_batch(const struct hark_conf *conf, struct hark_db *db,
    struct beat *beat, struct client **q, size_t nq)
{
	struct hark_store_batch_row	 rows[1000];
	size_t				 i, n, bytes = 0;

	qsort(q, nq, sizeof(*q), by_seq);
	for (n = 0; n < nq && n < (size_t)conf->commit_queue_max_rows &&
	    n < sizeof(rows) / sizeof(rows[0]); n++) {
		if (n > 0 && bytes + (size_t)q[n]->frame >
		    conf->commit_queue_max_bytes)
			break;
		bytes += (size_t)q[n]->frame;
		memset(&rows[n], 0, sizeof(rows[n]));
		rows[n].fb = &q[n]->sub.fb;
		if (q[n]->sub.has_parts)
			rows[n].parts = &q[n]->sub.parts;
		if (q[n]->sub.idem_key[0] != '\0') {
			rows[n].idem_key = q[n]->sub.idem_key;
			rows[n].idem_status = q[n]->sub.idem_status;
			rows[n].idem_body = q[n]->sub.idem_body;
			rows[n].idem_body_len = q[n]->sub.idem_body_len;
		}
	}
	beat->alive_at = mono();
	(void)hark_store_feedback_insert_batch(db, rows, n);
	/*
	 * HARK_TEST_WRITER_REPLAY (tests only): file the batch again, as the
	 * retry after a COMMIT whose answer was lost (2013/2006) does; the
	 * second outcome, met by the rows' ids, is the one answered.
	 */
	if (replay)
		(void)hark_store_feedback_insert_batch(db, rows, n);
	beat->alive_at = mono();
	hark_log(HARK_LOG_DEBUG, "commit queue: %zu rows, %zu bytes", n,
	    bytes);
	for (i = 0; i < n; i++) {
		/* The worker's own handle has no error to tell: say it here. */
		if (rows[i].rc != HARK_STORE_OK)
			hark_log(HARK_LOG_WARN, "commit queue: %s not filed "
			    "(%d): %s", rows[i].fb->id, rows[i].rc,
			    rows[i].errmsg);
		answer(q[i], &rows[i]);
	}
}

static int
writer_run(int lfd, const struct hark_conf *conf, struct beat *beat)
{
	static struct client	 cl[MAX_CLIENTS];
	static struct pollfd	 pfd[MAX_CLIENTS + 1];
	static struct client	*q[MAX_CLIENTS];
	struct hark_db		*db;
	unsigned long		 seq = 0;
	size_t			 i, ncl = 0, np, nq;
	int			 rc;

	if ((db = hark_store_open(conf)) == NULL) {
		hark_log(HARK_LOG_ERR, "commit queue: writer out of memory");
		return 1;
	}
	hark_log(HARK_LOG_INFO, "commit queue: writer %ld ready",
	    (long)getpid());
	replay = getenv("HARK_TEST_WRITER_REPLAY") != NULL;
	for (;;) {
		beat->alive_at = mono();
		nq = 0;
		for (i = 0; i < ncl; i++)
			if (cl[i].fd != -1 && cl[i].frame > 0)
				q[nq++] = &cl[i];
		if (nq > 0) {
			commit_batch(conf, db, beat, q, nq);
			continue;
		}
		/* Stopping: the workers are gone; what they sent is filed. */
		if (writer_stop)
			break;
		np = 0;
		pfd[np].fd = lfd;
		pfd[np++].events = POLLIN;
		for (i = 0; i < ncl; i++)
			if (cl[i].fd != -1) {
				pfd[np].fd = cl[i].fd;
				pfd[np++].events = POLLIN;
			}
		rc = poll(pfd, np, 1000);
		if (rc == -1 && errno != EINTR)
			break;
		if (rc <= 0)
			continue;
		if (pfd[0].revents & POLLIN)
			accept_all(lfd, cl, &ncl);
		/* Every ready worker's frame joins the next batch. */
		for (i = 0; i < ncl; i++)
			if (cl[i].fd != -1 && cl[i].frame == 0 &&
			    client_read(&cl[i], &seq) == -1)
				client_drop(&cl[i]);
	}
	hark_log(HARK_LOG_INFO, "commit queue: writer %ld stopped",
	    (long)getpid());
	hark_store_close(db);
	return 0;
}

/* ---- the master's side ---- */

struct hark_writer *
hark_writer_new(const struct hark_conf *conf)
{
	struct hark_writer	*w;
	struct sockaddr_un	 sun;
	int			 n;

	if (!conf->commit_queue)
		return NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->fd = -1;
	w->nslots = conf->commit_queue_writers < 1 ? 1 :
	    conf->commit_queue_writers > HARK_WRITERS_MAX ? HARK_WRITERS_MAX :
	    conf->commit_queue_writers;
	n = hark_writer_socket_path(w->path, sizeof(w->path), conf->state_dir,
	    getpid());
	if (n < 0 || (size_t)n >= sizeof(w->path)) {
		hark_log(HARK_LOG_WARN, "commit queue off: the socket path "
		    "under %s is too long", conf->state_dir);
		goto fail;
	}
	w->beats = mmap(NULL, sizeof(*w->beats) * HARK_WRITERS_MAX,
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (w->beats == MAP_FAILED) {
		w->beats = NULL;
		goto syserr;
	}
	for (n = 0; n < HARK_WRITERS_MAX; n++)
		w->slots[n].beat = &w->beats[n];
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, w->path, strlen(w->path));
	if ((w->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		goto syserr;
	/* A killed master whose pid was ours left its socket behind. */
	(void)unlink(w->path);
	/* Only this user's processes may file rows. */
	if (fchmod(w->fd, 0600) == -1 ||
	    bind(w->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(w->path, 0600) == -1 || listen(w->fd, 512) == -1)
		goto syserr;
	hark_log(HARK_LOG_INFO, "commit queue on: %s, %d writer%s", w->path,
	    w->nslots, w->nslots == 1 ? "" : "s");
	return w;
syserr:
	hark_log(HARK_LOG_WARN, "commit queue off: %s: %s", w->path,
	    strerror(errno));
fail:
	if (w->fd != -1)
		close(w->fd);
	if (w->beats != NULL)
		munmap(w->beats, sizeof(*w->beats) * HARK_WRITERS_MAX);
	free(w);
	return NULL;
}

void
hark_writer_free(struct hark_writer *w)
{
	if (w == NULL)
		return;
	close(w->fd);
	(void)unlink(w->path);
	munmap(w->beats, sizeof(*w->beats) * HARK_WRITERS_MAX);
	free(w);
}

/*
 * One name per master: lighttpd with max-procs > 1 runs masters side by
 * side on one state_dir, and a shared name would let each unlink and
 * replace the other's socket.
 */
int
hark_writer_socket_path(char *buf, size_t sz, const char *state_dir,
    pid_t master)
{
	return snprintf(buf, sz, "%s/hark-commitq.%ld.sock", state_dir,
	    (long)master);
}

const char *
hark_writer_path(const struct hark_writer *w)
{
	return w->path;
}

pid_t
hark_writer_pid(const struct hark_writer *w)
{
	int	 i;

	if (w == NULL)
		return 0;
	for (i = 0; i < w->nslots; i++)
		if (w->slots[i].pid != 0)
			return w->slots[i].pid;
	return 0;
}

static void
writer_child(struct hark_writer *w, struct slot *sl,
    const struct hark_conf *conf, pid_t master)
{
	struct sigaction	 sa;
	sigset_t		 set;

	/* Outliving the master: finish the batch held, then go. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1 || getppid() != master)
		_exit(0);
	/* What ps and the tests tell it from the workers by. */
	(void)prctl(PR_SET_NAME, "hark-writer");
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);	/* the master replaces it on reload */
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(HARK_SIG_ORPHAN, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
	_exit(writer_run(w->fd, conf, sl->beat));
}

/* Kills a writer that hangs, or starts one in an empty slot. */
static void
slot_maintain(struct hark_writer *w, struct slot *sl,
    const struct hark_conf *conf, void (*child_setup)(void))
{
	sigset_t	 set, old;
	time_t		 now = mono(), at;
	pid_t		 pid, self = getpid();

	if (sl->pid != 0) {
		at = sl->beat->alive_at;
		if (now - at > conf->commit_queue_timeout) {
			hark_log(HARK_LOG_ERR, "commit queue: writer %ld has "
			    "not come round for %ld s; killing it",
			    (long)sl->pid, (long)(now - at));
			kill(sl->pid, SIGKILL);
			sl->beat->alive_at = now;
		}
		return;
	}
	if (now < sl->respawn_at)
		return;
	hark_signals_worker_set(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, HARK_SIG_ORPHAN);
	sigprocmask(SIG_BLOCK, &set, &old);
	sl->beat->alive_at = now;
	if ((pid = fork()) == 0) {
		if (child_setup != NULL)
			child_setup();
		writer_child(w, sl, conf, self);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid == -1) {
		hark_log(HARK_LOG_ERR, "commit queue: fork failed: %s",
		    strerror(errno));
		sl->respawn_at = now + 1;
		return;
	}
	sl->pid = pid;
	sl->started = now;
}

void
hark_writer_maintain(struct hark_writer *w, const struct hark_conf *conf,
    void (*child_setup)(void))
{
	int	 i;

	if (w == NULL || w->stopping)
		return;
	for (i = 0; i < w->nslots; i++)
		slot_maintain(w, &w->slots[i], conf, child_setup);
}

int
hark_writer_reaped(struct hark_writer *w, pid_t pid, int status)
{
	struct slot	*sl = NULL;
	time_t		 now = mono();
	int		 i;

	if (w == NULL || pid == 0)
		return 0;
	for (i = 0; i < w->nslots && sl == NULL; i++)
		if (w->slots[i].pid == pid)
			sl = &w->slots[i];
	if (sl == NULL)
		return 0;
	sl->pid = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		hark_log(HARK_LOG_INFO, "commit queue: writer %ld exited",
		    (long)pid);
		sl->backoff = 0;
	} else {
		hark_log(HARK_LOG_WARN, "commit queue: writer %ld %s %d; "
		    "starting another", (long)pid, WIFSIGNALED(status) ?
		    "killed by signal" : "exited with status",
		    WIFSIGNALED(status) ? WTERMSIG(status) :
		    WEXITSTATUS(status));
		/* Its workers file directly meanwhile: a short pause is cheap. */
		if (now - sl->started < SHORT_LIFE)
			sl->backoff = sl->backoff == 0 ? 1 :
			    (sl->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX :
			    sl->backoff * 2);
		else
			sl->backoff = 0;
	}
	sl->respawn_at = now + sl->backoff;
	return 1;
}

void
hark_writer_stop(struct hark_writer *w)
{
	int	 i;

	if (w == NULL || w->stopping)
		return;
	w->stopping = 1;
	for (i = 0; i < w->nslots; i++)
		if (w->slots[i].pid != 0)
			kill(w->slots[i].pid, SIGTERM);
}

void
hark_writer_kill(struct hark_writer *w)
{
	int	 i;

	for (i = 0; w != NULL && i < w->nslots; i++)
		if (w->slots[i].pid != 0)
			kill(w->slots[i].pid, SIGKILL);
}
