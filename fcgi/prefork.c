/*
 * prefork.c: master/supervisor of the worker processes.
 *
 * Modelled on php-fpm's static process manager, smaller: signals only set
 * flags and write a byte to a self-pipe; all work happens in the loop, which
 * also wakes once a second for timers (back-off respawns, stop deadline).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "commitq.h"
#include "conf.h"
#include "feedback.h"
#include "log.h"
#include "prefork.h"
#include "sdnotify.h"
#include "server.h"
#include "signals.h"
#include "status.h"
#include "watchdog.h"
#include "writer.h"

#define MAX_WORKERS	256
#define BACKOFF_MAX	30	/* seconds between respawns of a crash-looping slot */
#define SHORT_LIFE	5	/* a worker dying younger than this is crash-looping */
/* Seconds past request_timeout before the master kills a worker whose
 * own watchdog (watchdog.h) did not end the request. */
#define STUCK_GRACE	5

struct worker {
	pid_t	 pid;		/* 0 = empty slot */
	unsigned gen;		/* configuration generation it was forked with */
	time_t	 started;
	time_t	 respawn_at;	/* when an empty slot may fork again */
	int	 backoff;	/* seconds */
	int	 retiring;	/* sent SIGTERM by the master */
	int	 stuck;		/* sent SIGKILL: one request too long */
	const char *why;	/* why it was retired, for the status */
};

struct master {
	int			 listen_fd;
	struct hark_conf	*conf;
	const char		*config_path;
	int			 workers;	/* --workers, 0 = the file's */
	unsigned		 gen;
	int			 nslots;	/* slots in use: conf->workers */
	struct worker		 w[MAX_WORKERS];
	int			 stopping;
	int			 ready;		/* READY=1 sent */
	time_t			 stop_deadline;
	struct hark_status_slot	*slots;		/* shared with the workers */
	struct hark_status	 st;		/* what --status shows */
	struct hark_rl		*rl;		/* for its statistics */
	time_t			 status_at;	/* last written, wall clock */
	struct hark_writer	*writer;	/* the commit queue's; NULL = off */
};

static volatile sig_atomic_t	sig_chld, sig_stop, sig_hup, sig_usr1;
static int			wake_pipe[2] = { -1, -1 };
static int			master_listen_fd = -1;

static time_t
now_mono(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void
on_signal(int sig)
{
	int	 saved = errno;
	char	 c = 0;

	switch (sig) {
	case SIGCHLD:
		sig_chld = 1;
		break;
	case SIGHUP:
		sig_hup = 1;
		break;
	case SIGUSR1:
		sig_usr1 = 1;
		break;
	default:
		sig_stop = 1;
		break;
	}
	(void)write(wake_pipe[1], &c, 1);
	errno = saved;
}

static int
setup_signals(void)
{
	struct sigaction	 sa;
	int			 i;

	if (pipe(wake_pipe) == -1)
		return -1;
	for (i = 0; i < 2; i++) {
		fcntl(wake_pipe[i], F_SETFL, O_NONBLOCK);
		fcntl(wake_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	hark_signals_worker_handle(on_signal, SA_RESTART);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	return 0;
}

/*
 * In the child, with the worker's signals still blocked: forget the
 * master's handlers, so a SIGTERM sent right after fork stays pending for
 * the worker's own handler instead of setting the master's flag.
 */
static void
worker_main(struct master *m, int slot, pid_t master_pid)
{
	struct sigaction	 sa;
	sigset_t		 set;

	/*
	 * A worker outliving its master would serve on, unsupervised and
	 * never replaced, while the web server or systemd waits for the
	 * socket to go quiet before it starts a new master: on the master's
	 * death the kernel sends HARK_SIG_ORPHAN (see signals.h), pending
	 * here until hark_server_run has its handler in place.  A master
	 * that died before prctl() is seen by getppid().  (A pipe from the
	 * master would tell the same, but only a worker waiting on it, not
	 * one in a request: the socket must be shut at once.)
	 */
	if (prctl(PR_SET_PDEATHSIG, HARK_SIG_ORPHAN) == -1 ||
	    getppid() != master_pid)
		_exit(0);
	close(wake_pipe[0]);
	close(wake_pipe[1]);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	hark_signals_worker_handle(SIG_DFL, 0);
	hark_signals_worker_set(&set);
	sigaddset(&set, HARK_SIG_ORPHAN);
	sigprocmask(SIG_SETMASK, &set, NULL);
	if (m->slots != NULL)
		hark_server_count_in(&m->slots[slot]);
	/* With a writer, rows go through the commit queue (issue 21). */
	if (m->writer != NULL)
		hark_feedback_use_queue(hark_cq_client_new(
		    hark_writer_path(m->writer),
		    m->conf->commit_queue_timeout * 1000));
	_exit(hark_server_run(m->listen_fd, m->conf, m->config_path, 0));
}

/* In the writer's child: the master's pipe and the FastCGI socket are not its. */
static void
writer_child_setup(void)
{
	struct sigaction	 sa;

	close(wake_pipe[0]);
	close(wake_pipe[1]);
	close(master_listen_fd);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	hark_signals_worker_handle(SIG_DFL, 0);
}

static void
spawn(struct master *m, int slot)
{
	struct worker	*w = &m->w[slot];
	sigset_t	 set, old;
	pid_t		 pid, self = getpid();

	hark_signals_worker_set(&set);
	sigaddset(&set, HARK_SIG_ORPHAN);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &old);
	if (m->slots != NULL) {
		m->slots[slot].served = 0;
		m->slots[slot].busy = 0;
	}
	if ((pid = fork()) == 0)
		worker_main(m, slot, self);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid == -1) {
		hark_log(HARK_LOG_ERR, "fork failed: %s", strerror(errno));
		w->respawn_at = now_mono() + 1;
		return;
	}
	w->pid = pid;
	w->gen = m->gen;
	w->started = now_mono();
	w->retiring = 0;
	w->stuck = 0;
	w->why = NULL;
	hark_log(HARK_LOG_DEBUG, "worker %ld started in slot %d",
	    (long)pid, slot);
}

static int
slot_of(const struct master *m, pid_t pid)
{
	int	 i;

	for (i = 0; i < MAX_WORKERS; i++)
		if (m->w[i].pid == pid)
			return i;
	return -1;
}

/* Why a worker is gone, in the words the status shows. */
static void
exit_cause(const struct master *m, const struct worker *w, int status,
    unsigned long served, char *buf, size_t sz)
{
	if (WIFSIGNALED(status) && w->stuck)
		snprintf(buf, sz, "killed: in one request past "
		    "request_timeout (%d s)", m->conf->request_timeout);
	else if (WIFSIGNALED(status))
		snprintf(buf, sz, "killed by signal %d (%s)", WTERMSIG(status),
		    strsignal(WTERMSIG(status)));
	else if (WEXITSTATUS(status) == HARK_WATCHDOG_EXIT)
		snprintf(buf, sz, "request_timeout (%d s) reached",
		    m->conf->request_timeout);
	else if (WEXITSTATUS(status) != 0)
		snprintf(buf, sz, "exited with status %d", WEXITSTATUS(status));
	else if (w->retiring && w->why != NULL)
		snprintf(buf, sz, "retired by the master (%s)", w->why);
	else if (m->conf->max_requests > 0 &&
	    served >= (unsigned long)m->conf->max_requests)
		snprintf(buf, sz, "max_requests (%ld) reached",
		    m->conf->max_requests);
	else
		snprintf(buf, sz, "exited");
}

/* Records one dead worker and schedules its replacement. */
static void
reap_one(struct master *m, pid_t pid, int status)
{
	struct worker	*w;
	time_t		 now = now_mono();
	unsigned long	 served = 0;
	int		 slot, clean;

	if ((slot = slot_of(m, pid)) == -1)
		return;
	w = &m->w[slot];
	if (m->slots != NULL) {
		served = m->slots[slot].served;
		m->st.served += served;
		m->slots[slot].served = 0;
		m->slots[slot].busy = 0;
	}
	if (!m->stopping) {
		m->st.restarts++;
		m->st.last_restart = time(NULL);
		m->st.last_restart_pid = (long)pid;
		exit_cause(m, w, status, served, m->st.last_cause,
		    sizeof(m->st.last_cause));
	}
	/* A worker ended by request_timeout was sound: replaced at once. */
	clean = WIFEXITED(status) && (WEXITSTATUS(status) == 0 ||
	    WEXITSTATUS(status) == HARK_WATCHDOG_EXIT);
	if (clean || w->retiring) {
		hark_log(HARK_LOG_INFO, "worker %ld exited", (long)pid);
		w->backoff = 0;
	} else {
		if (WIFSIGNALED(status))
			hark_log(HARK_LOG_WARN, "worker %ld killed by signal %d",
			    (long)pid, WTERMSIG(status));
		else
			hark_log(HARK_LOG_WARN, "worker %ld exited with status %d",
			    (long)pid, WEXITSTATUS(status));
		if (now - w->started < SHORT_LIFE)
			w->backoff = w->backoff == 0 ? 1 :
			    (w->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX :
			    w->backoff * 2);
		else
			w->backoff = 0;
	}
	w->pid = 0;
	w->retiring = 0;
	w->respawn_at = now + w->backoff;
}

static void
reap(struct master *m)
{
	pid_t	 pid;
	int	 status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		if (!hark_writer_reaped(m->writer, pid, status))
			reap_one(m, pid, status);
}

static int
alive(const struct master *m)
{
	int	 i, n = 0;

	for (i = 0; i < MAX_WORKERS; i++)
		n += m->w[i].pid != 0;
	return n;
}

/* Fills empty slots that are due; retires workers beyond the slot count. */
static void
maintain(struct master *m)
{
	time_t	 now = now_mono();
	int	 i, retiring = 0, stale = -1;

	/* First: the workers' socket exists, and they find it at once. */
	hark_writer_maintain(m->writer, m->conf, writer_child_setup);
	for (i = 0; i < MAX_WORKERS; i++) {
		struct worker *w = &m->w[i];

		if (w->pid == 0) {
			if (i < m->nslots && now >= w->respawn_at)
				spawn(m, i);
			continue;
		}
		if (i >= m->nslots && !w->retiring) {
			kill(w->pid, SIGTERM);
			w->retiring = 1;
			w->why = "fewer workers";
		}
		retiring += w->retiring;
		if (w->gen != m->gen && !w->retiring && stale == -1)
			stale = i;
	}
	/* After a reload: one old worker at a time, so capacity stays up. */
	if (retiring == 0 && stale != -1) {
		kill(m->w[stale].pid, SIGTERM);
		m->w[stale].retiring = 1;
		m->w[stale].why = "reload";
	}
}

/*
 * A worker in one request longer than request_timeout and a grace: its
 * watchdog should have ended it, so that thread is wedged too (or was never
 * made).  SIGKILL, as a worker that cannot leave its request cannot take
 * SIGTERM either.
 */
static void
kill_stuck(struct master *m)
{
	time_t	 now = now_mono(), busy_for;
	int	 i;

	if (m->slots == NULL || m->conf->request_timeout <= 0)
		return;
	for (i = 0; i < MAX_WORKERS; i++) {
		struct worker *w = &m->w[i];

		if (w->pid == 0 || w->stuck || !m->slots[i].busy)
			continue;
		busy_for = now - m->slots[i].since;
		if (busy_for <= m->conf->request_timeout + STUCK_GRACE)
			continue;
		hark_log(HARK_LOG_ERR, "worker %ld in one request for %ld s "
		    "(request_timeout %d s) and its watchdog did not end it; "
		    "killing it", (long)w->pid, (long)busy_for,
		    m->conf->request_timeout);
		kill(w->pid, SIGKILL);
		w->stuck = 1;
	}
}

static void
reload(struct master *m)
{
	struct hark_conf	*fresh;
	struct hark_conf_err	 err;

	/* systemctl reload waits for the READY=1 that follows. */
	hark_sd_notify("RELOADING=1");
	if ((fresh = calloc(1, sizeof(*fresh))) == NULL) {
		hark_sd_notify("READY=1");
		return;
	}
	if (hark_conf_load(m->config_path, fresh, &err) == -1) {
		hark_log(HARK_LOG_ERR, "reload refused, keeping the old "
		    "configuration: %s", err.msg);
		hark_sd_notify("READY=1\nSTATUS=reload refused: the old "
		    "configuration stays (see the log)");
		free(fresh);
		return;
	}
	if (strcmp(fresh->listen, m->conf->listen) != 0)
		hark_log(HARK_LOG_WARN, "listen changed; it takes effect on "
		    "restart, not on reload");
	if (m->workers > 0)
		fresh->workers = m->workers;	/* the command line still wins */
	hark_conf_free(m->conf);
	free(m->conf);
	m->conf = fresh;
	m->nslots = fresh->workers > MAX_WORKERS ? MAX_WORKERS : fresh->workers;
	m->gen++;
	m->st.reloads++;
	if (hark_log_open("hark-fcgi", fresh->log_file, fresh->log_level) == -1)
		hark_log(HARK_LOG_ERR, "cannot open log file %s",
		    fresh->log_file);
	hark_log(HARK_LOG_INFO, "configuration reloaded; replacing workers");
	hark_sd_notify("READY=1\nSTATUS=configuration reloaded");
}

static void
signal_workers(const struct master *m, int sig)
{
	int	 i;

	for (i = 0; i < MAX_WORKERS; i++)
		if (m->w[i].pid != 0)
			kill(m->w[i].pid, sig);
}

static void
begin_stop(struct master *m)
{
	m->stopping = 1;
	hark_sd_notify("STOPPING=1");
	m->stop_deadline = now_mono() + m->conf->shutdown_timeout;
	hark_log(HARK_LOG_INFO, "stopping: waiting up to %d s for requests "
	    "in flight", m->conf->shutdown_timeout);
	signal_workers(m, SIGTERM);
}

static void
kill_remaining(struct master *m)
{
	int	 i;

	for (i = 0; i < MAX_WORKERS; i++)
		if (m->w[i].pid != 0) {
			hark_log(HARK_LOG_WARN, "worker %ld still busy after "
			    "%d s; killing it", (long)m->w[i].pid,
			    m->conf->shutdown_timeout);
			kill(m->w[i].pid, SIGKILL);
		}
}

/*
 * Writes the status file when a second has passed since the last: cheap
 * enough for the loop, which wakes at least once a second.  A failure is
 * logged once, not every second.
 */
static void
write_status(struct master *m)
{
	static int		 warned;
	struct hark_status	 st;
	time_t			 now = time(NULL);
	int			 i;

	if (now == m->status_at)
		return;
	m->status_at = now;
	m->st.workers = m->nslots;
	m->st.alive = alive(m);
	m->st.busy = 0;
	for (i = 0; m->slots != NULL && i < MAX_WORKERS; i++)
		if (m->w[i].pid != 0 && m->slots[i].busy)
			m->st.busy++;
	m->st.has_rl = m->rl != NULL && hark_rl_stats(m->rl, &m->st.rl) == 0;
	/* Served so far: the gone workers' and the live ones' counts. */
	st = m->st;
	for (i = 0; m->slots != NULL && i < MAX_WORKERS; i++)
		if (m->w[i].pid != 0)
			st.served += m->slots[i].served;
	if (hark_status_write(m->conf->state_dir, &st) == -1) {
		if (!warned)
			hark_log(HARK_LOG_WARN, "cannot write the status file "
			    "in %s: %s", m->conf->state_dir, strerror(errno));
		warned = 1;
	} else
		warned = 0;
}

/* The rate-limit table, opened for its statistics only. */
static void
open_rl(struct master *m)
{
	char	 path[4096];

	snprintf(path, sizeof(path), "%s/%s", m->conf->state_dir,
	    HARK_RL_FILE_NAME);
	if (hark_rl_open(path, 0, &m->rl) == -1)
		m->rl = NULL;
}

/*
 * Whether the commit-queue socket named name in dir was left by a master
 * that is gone: its pid is not a process and nobody listens on it.  Both,
 * as a live master in another pid namespace may share state_dir, and one
 * between its bind() and listen() refuses connections too.
 */
static int
cq_socket_stale(const char *dir, const char *name)
{
	struct sockaddr_un	 sun;
	char			*end;
	long			 pid;
	int			 fd, n, live;

	if (strncmp(name, "hark-commitq.", 13) != 0)
		return 0;
	pid = strtol(name + 13, &end, 10);
	if (end == name + 13 || strcmp(end, ".sock") != 0 || pid <= 0 ||
	    pid == (long)getpid())
		return 0;
	if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
		return 0;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	n = hark_writer_socket_path(sun.sun_path, sizeof(sun.sun_path), dir,
	    (pid_t)pid);
	if (n < 0 || (size_t)n >= sizeof(sun.sun_path) ||
	    strcmp(strrchr(sun.sun_path, '/') + 1, name) != 0)
		return 0;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	live = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0 ||
	    errno != ECONNREFUSED;
	close(fd);
	return !live;
}

/*
 * Each master's writer has a socket of its own, named by the master's pid
 * (masters may share state_dir: lighttpd's max-procs > 1): this removes
 * the ones of masters that were killed before removing theirs, and no
 * other.
 */
static void
clean_cq_sockets(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[4096];

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (!cq_socket_stale(dir, de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path) == 0)
			hark_log(HARK_LOG_INFO, "commit queue: removed %s, "
			    "left by a master that is gone", path);
	}
	closedir(d);
}

/*
 * The writer, unless the queue is off or there is a single worker: one
 * worker waits for each answer before it sends again, so nothing could
 * share its commits and the writer would only add a hop.
 */
static struct hark_writer *
open_writer(const struct hark_conf *conf, int nslots)
{
	if (!conf->commit_queue)
		return NULL;
	clean_cq_sockets(conf->state_dir);
	if (nslots < 2) {
		hark_log(HARK_LOG_INFO, "commit queue off: one worker files "
		    "its own rows");
		return NULL;
	}
	return hark_writer_new(conf);
}

static void
drain_wake_pipe(void)
{
	char	 buf[64];

	while (read(wake_pipe[0], buf, sizeof(buf)) > 0)
		;
}

int
hark_prefork_run(int listen_fd, struct hark_conf *conf,
    const char *config_path, int workers)
{
	struct master	*m;
	struct pollfd	 pfd;
	int		 killed = 0;

	if ((m = calloc(1, sizeof(*m))) == NULL || setup_signals() == -1) {
		hark_log(HARK_LOG_ERR, "cannot set up the master process");
		free(m);
		return 1;
	}
	m->listen_fd = listen_fd;
	m->conf = conf;
	m->config_path = config_path;
	m->workers = workers;
	m->nslots = conf->workers > MAX_WORKERS ? MAX_WORKERS : conf->workers;
	if ((m->slots = hark_status_slots(MAX_WORKERS)) == NULL)
		hark_log(HARK_LOG_WARN, "no shared memory for the request "
		    "counts (%s); --status shows none", strerror(errno));
	m->st.pid = (long)getpid();
	m->st.started = time(NULL);
	open_rl(m);
	master_listen_fd = listen_fd;
	m->writer = open_writer(conf, m->nslots);
	hark_log(HARK_LOG_INFO, "master %ld starting %d workers",
	    (long)getpid(), m->nslots);
	for (;;) {
		if (sig_chld) {
			sig_chld = 0;
			reap(m);
		}
		if (sig_stop && !m->stopping)
			begin_stop(m);
		if (m->stopping) {
			/* The writer last: it files what the workers sent. */
			if (alive(m) == 0) {
				if (hark_writer_pid(m->writer) == 0)
					break;
				hark_writer_stop(m->writer);
			}
			if (!killed && now_mono() >= m->stop_deadline) {
				kill_remaining(m);
				hark_writer_kill(m->writer);
				killed = 1;
			}
		} else {
			if (sig_hup) {
				sig_hup = 0;
				reload(m);
			}
			if (sig_usr1) {
				sig_usr1 = 0;
				hark_log_reopen();
				signal_workers(m, SIGUSR1);
			}
			maintain(m);
			kill_stuck(m);
			/* Ready once the first workers are forked. */
			if (!m->ready) {
				m->ready = 1;
				hark_sd_notify("READY=1\nSTATUS=serving");
			}
		}
		write_status(m);
		pfd.fd = wake_pipe[0];
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 1000) > 0)
			drain_wake_pipe();
	}
	hark_log(HARK_LOG_INFO, "master %ld stopped", (long)getpid());
	hark_status_remove(m->conf->state_dir);
	hark_writer_free(m->writer);
	if (m->rl != NULL)
		hark_rl_close(m->rl);
	if (m->slots != NULL)
		munmap(m->slots, MAX_WORKERS * sizeof(*m->slots));
	hark_conf_free(m->conf);
	free(m->conf);
	free(m);
	return 0;
}
