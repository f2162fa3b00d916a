/*
 * prefork.h: the master process of hark-fcgi.  It owns the listening socket,
 * forks the workers and keeps their number right: a dead worker is replaced
 * (with back-off when they keep dying), SIGHUP reloads the configuration and
 * replaces workers one at a time, SIGTERM/SIGINT stops them gracefully.
 */
#ifndef HARK_PREFORK_H
#define HARK_PREFORK_H

struct hark_conf;

/*
 * Runs the master until stopped.  conf is owned by the master from here on
 * (replaced on reload, freed on return).  workers > 0 is the command line's
 * count, which a reload keeps.  Returns the process exit status.
 */
int	hark_prefork_run(int listen_fd, struct hark_conf *conf,
	    const char *config_path, int workers);

#endif
