/*
 * server.h: the FastCGI (and plain CGI) side of hark-fcgi.  The only code
 * that sees libfcgi types: it turns each request into a struct hark_req,
 * lets the application answer, and writes the struct hark_resp back.
 */
#ifndef HARK_SERVER_H
#define HARK_SERVER_H

struct hark_conf;
struct hark_status_slot;

/*
 * A worker: answers FastCGI requests on listen_fd until SIGTERM/SIGINT or
 * after conf->max_requests.  With reload set, SIGHUP re-reads config_path
 * between requests (a single process spawned by a web server, no master).
 * Returns the process exit status.
 */
int	hark_server_run(int listen_fd, struct hark_conf *conf,
	    const char *config_path, int reload);

/*
 * The listening socket belongs to whoever passed it and serves the next
 * master too (systemd socket activation): a worker whose master died must
 * not shut it down, only stop.  Called before hark_prefork_run.
 */
void	hark_server_socket_shared(void);

/*
 * Counts the requests this worker answers, and whether it is answering
 * one, in slot (memory shared with the master; see status.h).
 */
void	hark_server_count_in(struct hark_status_slot *slot);

/* Answers the one request of a plain CGI invocation; the exit status. */
int	hark_server_cgi(const struct hark_conf *conf);

#endif
