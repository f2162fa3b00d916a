/*
 * writer.h: the commit queue's writer process (issue 21), kept by the
 * pre-fork master like a worker.
 *
 * Workers hand it validated submissions over a unix stream socket in
 * [server] state_dir (lib/commitq.h has the frames); it files what is
 * queued while its previous commit was in flight as one transaction and
 * answers each worker with its own row's outcome.  The master makes the
 * socket before the first fork, so a writer that is replaced finds the
 * connections queued meanwhile; workers that lose it file directly.
 */
#ifndef HARK_WRITER_H
#define HARK_WRITER_H

#include <sys/types.h>

struct hark_conf;
struct hark_writer;

/* [server] commit_queue_writers' bound. */
#define HARK_WRITERS_MAX	16

/*
 * The master's handle: the listening socket and the heartbeat shared with
 * the writer.  NULL when [server] commit_queue is off or the socket cannot
 * be made (said in the log): workers then file directly.
 */
struct hark_writer	*hark_writer_new(const struct hark_conf *conf);
/* Closes the socket and removes its file; the writer must be gone. */
void	hark_writer_free(struct hark_writer *);
/* Where workers connect. */
const char *hark_writer_path(const struct hark_writer *);
/*
 * The socket of the master master_pid: state_dir/hark-commitq.PID.sock
 * (masters may share state_dir).  snprintf's return.
 */
int	hark_writer_socket_path(char *buf, size_t sz, const char *state_dir,
	    pid_t master_pid);

/*
 * Starts each of the commit_queue_writers writers that is not running and
 * whose back-off has passed, and kills one that has not come round its
 * loop for longer than the workers wait (commit_queue_timeout): it hangs,
 * its workers have filed directly, and the next one starts.  In the child, child_setup runs first (the
 * master's own descriptors and handlers).
 */
void	hark_writer_maintain(struct hark_writer *, const struct hark_conf *conf,
	    void (*child_setup)(void));
/* 1 when pid was a writer (then it is recorded gone), else 0. */
int	hark_writer_reaped(struct hark_writer *, pid_t pid, int status);
/* Asks the writers to finish what they hold and exit (shutdown). */
void	hark_writer_stop(struct hark_writer *);
void	hark_writer_kill(struct hark_writer *);
/* A running writer's pid, 0 when none runs. */
pid_t	hark_writer_pid(const struct hark_writer *);

#endif
