/*
 * main.c: hark-fcgi, the FastCGI application.
 *
 * It finds out how it was started and serves accordingly: spawned by a web
 * server (fd 0 is a listening socket), as a plain CGI program (one request),
 * or standalone with --listen (it binds and runs a master with workers).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf.h"
#include "store.h"
#include "log.h"
#include "prefork.h"
#include "triage_model.h"
#include "ratelimit.h"
#include "server.h"
#include "status.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: hark-fcgi [-c config] [--listen unix:PATH|HOST:PORT] "
	    "[--workers N]\n"
	    "                 [--pid-file FILE] [--check-config] [--status [--json]]\n"
	    "                 [--version]\n");
}

/* A listening stream socket on fd 0 means a web server spawned us. */
static int
fd0_is_listener(void)
{
	struct stat	 st;
	int		 acc = 0;
	socklen_t	 len = sizeof(acc);

	if (fstat(STDIN_FILENO, &st) == -1 || !S_ISSOCK(st.st_mode))
		return 0;
	if (getsockopt(STDIN_FILENO, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) == -1)
		return 1;	/* old kernels: a socket on fd 0 is enough */
	return acc;
}

/* systemd socket activation: the socket arrives as fd 3 (sd_listen_fds(3)). */
static int
systemd_listener(void)
{
	const char	*pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");

	if (pid == NULL || fds == NULL || strtol(pid, NULL, 10) != (long)getpid() ||
	    strtol(fds, NULL, 10) < 1)
		return -1;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return 3;
}

/* The unix socket this process bound, so it removes only its own. */
static struct stat	bound_sock;

/* Whether a server answers on the unix socket at sun. */
static int
unix_socket_live(const struct sockaddr_un *sun)
{
	int	 fd, live;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	live = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0;
	close(fd);
	return live;
}

/*
 * The owner and group for the unix socket (php-fpm's listen.owner and
 * listen.group): as configured, or, started as root, the user and group the
 * workers become, so that whoever may talk to the workers may connect.
 * (uid_t)-1 and (gid_t)-1 leave one as the socket was made.
 */
static int
listen_ids(const struct hark_conf *conf, uid_t *uid, gid_t *gid)
{
	const char	*owner = conf->listen_owner, *group = conf->listen_group;
	struct passwd	*pw;
	struct group	*gr;

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (geteuid() == 0) {
		if (owner[0] == '\0')
			owner = conf->user;
		if (group[0] == '\0')
			group = conf->group;
	}
	if (owner[0] != '\0') {
		if ((pw = getpwnam(owner)) == NULL) {
			fprintf(stderr, "hark-fcgi: listen_owner: no such "
			    "user: %s\n", owner);
			return -1;
		}
		*uid = pw->pw_uid;
		/* A user without a group named: its own, as the drop does. */
		if (group[0] == '\0' && conf->listen_group[0] == '\0')
			*gid = pw->pw_gid;
	}
	if (group[0] != '\0') {
		if ((gr = getgrnam(group)) == NULL) {
			fprintf(stderr, "hark-fcgi: listen_group: no such "
			    "group: %s\n", group);
			return -1;
		}
		*gid = gr->gr_gid;
	}
	return 0;
}

static int
listen_unix(const char *path, const struct hark_conf *conf)
{
	struct sockaddr_un	 sun;
	uid_t			 uid;
	gid_t			 gid;
	int			 fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "hark-fcgi: socket path too long: %s\n", path);
		return -1;
	}
	if (listen_ids(conf, &uid, &gid) == -1)
		return -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	if (unix_socket_live(&sun)) {
		fprintf(stderr, "hark-fcgi: %s is in use by a running server\n",
		    path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		goto fail;
	/* A stale socket from a killed run would make bind fail. */
	unlink(path);
	/* Owner and mode are set before listen(): nobody connects early. */
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    ((uid != (uid_t)-1 || gid != (gid_t)-1) &&
	    chown(path, uid, gid) == -1) ||
	    chmod(path, (mode_t)conf->listen_mode) == -1 ||
	    listen(fd, 1024) == -1 || stat(path, &bound_sock) == -1)
		goto fail;
	return fd;
fail:
	fprintf(stderr, "hark-fcgi: cannot listen on %s: %s\n", path,
	    strerror(errno));
	if (fd != -1) {
		close(fd);
		unlink(path);
	}
	return -1;
}

static int
listen_tcp(const char *spec)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	char		 host[256];
	const char	*colon = strrchr(spec, ':');
	size_t		 hlen;
	int		 fd = -1, one = 1, rc;

	if (colon == NULL || (hlen = (size_t)(colon - spec)) >= sizeof(host)) {
		fprintf(stderr, "hark-fcgi: bad listen address %s "
		    "(want unix:PATH or HOST:PORT)\n", spec);
		return -1;
	}
	memcpy(host, spec, hlen);
	host[hlen] = '\0';
	if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
		memmove(host, host + 1, hlen - 2);
		host[hlen - 2] = '\0';
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if ((rc = getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &res)) != 0) {
		fprintf(stderr, "hark-fcgi: %s: %s\n", spec, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd == -1)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, 1024) == 0)
			break;
		close(fd);
		fd = -1;
	}
	if (fd == -1)
		fprintf(stderr, "hark-fcgi: cannot listen on %s: %s\n", spec,
		    strerror(errno));
	freeaddrinfo(res);
	return fd;
}

/* Binds the standalone socket; *unix_path is set for a unix socket. */
static int
open_listener(const char *spec, const struct hark_conf *conf,
    const char **unix_path)
{
	*unix_path = NULL;
	if (strncmp(spec, "unix:", 5) == 0) {
		*unix_path = spec + 5;
		return listen_unix(spec + 5, conf);
	}
	return listen_tcp(spec);
}

/* Removes the unix socket on the way out, unless another server now owns it. */
static void
unlink_own_socket(const char *path)
{
	struct stat	 st;

	if (path != NULL && stat(path, &st) == 0 && st.st_ino == bound_sock.st_ino &&
	    st.st_dev == bound_sock.st_dev)
		unlink(path);
}

/* The user's uid, gid and supplementary groups, for good. */
static int
become_user(const struct passwd *pw, gid_t gid)
{
	/* initgroups: a reload must still read a root:hark 0640 secret. */
	if (initgroups(pw->pw_name, gid) == -1 || setgid(gid) == -1 ||
	    setuid(pw->pw_uid) == -1) {
		fprintf(stderr, "hark-fcgi: cannot become %s: %s\n",
		    pw->pw_name, strerror(errno));
		return -1;
	}
	return 0;
}

/* The configured user and its group; -1 (said) when either is unknown. */
static int
lookup_user(const struct hark_conf *conf, struct passwd **pw, gid_t *gid)
{
	struct group	*gr;

	if ((*pw = getpwnam(conf->user)) == NULL) {
		fprintf(stderr, "hark-fcgi: no such user: %s\n", conf->user);
		return -1;
	}
	*gid = (*pw)->pw_gid;
	if (conf->group[0] != '\0') {
		if ((gr = getgrnam(conf->group)) == NULL) {
			fprintf(stderr, "hark-fcgi: no such group: %s\n",
			    conf->group);
			return -1;
		}
		*gid = gr->gr_gid;
	}
	return 0;
}

/* Gives up root after binding, when the configuration names a user. */
static int
drop_privileges(const struct hark_conf *conf)
{
	struct passwd	*pw;
	struct stat	 st;
	gid_t		 gid;

	if (conf->user[0] == '\0' || geteuid() != 0)
		return 0;
	if (lookup_user(conf, &pw, &gid) == -1)
		return -1;
	/*
	 * The log file was opened (made, often) as root: give a root-owned one
	 * to the user, who reopens it on reload and SIGUSR1; as root's it
	 * would send every line after the first reload to stderr.
	 */
	if (conf->log_file[0] != '\0' && stat(conf->log_file, &st) == 0 &&
	    S_ISREG(st.st_mode) && st.st_uid == 0 &&
	    chown(conf->log_file, pw->pw_uid, gid) == -1) {
		fprintf(stderr, "hark-fcgi: cannot give %s to %s: %s\n",
		    conf->log_file, conf->user, strerror(errno));
		return -1;
	}
	return become_user(pw, gid);
}

/*
 * A limiter that cannot work would leave every key unlimited and the
 * failed-authentication throttle off, so it stops start-up instead of
 * being logged by each worker (run as the user the workers run as).
 */
static int
check_ratelimit(const struct hark_conf *conf)
{
	struct hark_rl	*rl;
	char		 path[4096];

	snprintf(path, sizeof(path), "%s/%s", conf->state_dir,
	    HARK_RL_FILE_NAME);
	if (hark_rl_open(path, 0, &rl) == -1) {
		fprintf(stderr, "hark-fcgi: %s: %s (the rate-limit table; "
		    "[server] state_dir must exist and be writable)\n", path,
		    strerror(errno));
		return -1;
	}
	hark_rl_close(rl);
	return 0;
}

/* --check-config: what start-up would trip over, one line each. */
/* A directory hark must write in; 1 (said) when it cannot. */
static int
check_dir(const char *key, const char *path)
{
	if (access(path, W_OK | X_OK) == 0)
		return 0;
	printf("%s %s: %s\n", key, path, strerror(errno));
	return 1;
}

/* The log file, or the directory it will be made in. */
static int
check_log(const char *path)
{
	char	*dir, *slash;
	int	 bad;

	if (path[0] == '\0' || access(path, W_OK) == 0)
		return 0;
	if (errno != ENOENT) {
		printf("log file %s: %s\n", path, strerror(errno));
		return 1;
	}
	if ((dir = strdup(path)) == NULL)
		return 1;
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	bad = check_dir("log file's directory", slash == dir ? "/" : dir);
	free(dir);
	return bad;
}

static int
check_paths(const struct hark_conf *conf)
{
	return check_dir("state_dir", conf->state_dir) |
	    check_dir("media_dir", conf->media_dir) | check_log(conf->log_file);
}

/*
 * As root with [server] user, the paths are checked as that user (in a
 * child that becomes it): root's own access says nothing about hark's.
 */
static int
check_paths_as_user(const struct hark_conf *conf)
{
	struct passwd	*pw;
	gid_t		 gid;
	pid_t		 pid;
	int		 status;

	if (conf->user[0] == '\0' || geteuid() != 0)
		return check_paths(conf);
	if (lookup_user(conf, &pw, &gid) == -1)
		return 1;
	fflush(stdout);
	if ((pid = fork()) == -1) {
		printf("cannot fork to check as %s: %s\n", conf->user,
		    strerror(errno));
		return 1;
	}
	if (pid == 0) {
		if (become_user(pw, gid) == -1)
			_exit(1);
		status = check_paths(conf);
		fflush(stdout);
		_exit(status);
	}
	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status))
		return 1;
	return WEXITSTATUS(status) != 0;
}

static int
check_environment(const struct hark_conf *conf)
{
	struct hark_triage_model *m;
	struct hark_db	*db;
	char		 tm_err[512];
	int		 bad;

	bad = check_paths_as_user(conf);
	if ((m = hark_triage_model_open(conf->triage_model_file, tm_err,
	    sizeof(tm_err))) == NULL) {
		printf("%s\n", tm_err);
		bad = 1;
	}
	hark_triage_model_close(m);
	if (hark_store_library_init() != 0 || (db = hark_store_open(conf)) == NULL) {
		printf("database: cannot initialise the MariaDB library\n");
		return -1;
	}
	if (hark_store_ping(db) != HARK_STORE_OK) {
		printf("database: %s\n", hark_store_errmsg(db));
		bad = 1;
	}
	hark_store_close(db);
	hark_store_library_end();
	return bad ? -1 : 0;
}

static int
write_pid_file(const char *path)
{
	FILE	*f;

	if ((f = fopen(path, "w")) == NULL) {
		fprintf(stderr, "hark-fcgi: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f, "%ld\n", (long)getpid());
	return fclose(f) == 0 ? 0 : -1;
}

/* Start-up stopped before a server took conf over: the exit status. */
static int
start_failed(struct hark_conf *conf)
{
	hark_conf_free(conf);
	free(conf);
	hark_store_library_end();
	hark_log_close();
	return 1;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "workers", required_argument, NULL, 'w' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "status", no_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'J' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct hark_conf	*conf;
	struct hark_conf_err	 err;
	const char		*config_path = NULL, *listen_spec = NULL;
	const char		*pid_file = NULL, *unix_path = NULL;
	char			*end, tm_err[512];
	long			 workers = 0;
	int			 ch, check_only = 0, fd, rc, sd_fd;
	int			 status_only = 0, json = 0;

	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			config_path = optarg;
			break;
		case 'l':
			listen_spec = optarg;
			break;
		case 'w':
			workers = strtol(optarg, &end, 10);
			if (*end != '\0' || workers < 1 || workers > 256) {
				fprintf(stderr, "hark-fcgi: --workers wants "
				    "1 to 256\n");
				return 2;
			}
			break;
		case 'p':
			pid_file = optarg;
			break;
		case 'C':
			check_only = 1;
			break;
		case 'S':
			status_only = 1;
			break;
		case 'J':
			json = 1;
			break;
		case 'V':
			printf("hark-fcgi %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || (json && !status_only)) {
		usage(stderr);
		return 2;
	}
	if (config_path == NULL)
		config_path = hark_conf_default_path();
	if ((conf = calloc(1, sizeof(*conf))) == NULL)
		return 1;
	if (hark_conf_load(config_path, conf, &err) == -1) {
		fprintf(stderr, "hark-fcgi: %s\n", err.msg);
		free(conf);
		return 1;
	}
	if (status_only) {
		rc = hark_status_print(conf->state_dir, json, stdout);
		hark_conf_free(conf);
		free(conf);
		return rc;
	}
	if (check_only) {
		rc = check_environment(conf);
		printf("%s: %s\n", config_path, rc == 0 ? "ok" : "not ready");
		hark_conf_free(conf);
		free(conf);
		return rc == 0 ? 0 : 1;
	}
	if (workers > 0)
		conf->workers = (int)workers;
	/*
	 * A socket systemd passes wins over --listen: hark-fcgi.service names
	 * the path for a start without hark-fcgi.socket, and the same unit
	 * serves both ways.
	 */
	if ((sd_fd = systemd_listener()) != -1)
		listen_spec = NULL;
	if (listen_spec == NULL && sd_fd == -1 && !fd0_is_listener() &&
	    conf->listen[0] != '\0' && getenv("GATEWAY_INTERFACE") == NULL)
		listen_spec = conf->listen;
	if (hark_log_open("hark-fcgi", conf->log_file, conf->log_level) == -1) {
		fprintf(stderr, "hark-fcgi: cannot open log file %s: %s\n",
		    conf->log_file, strerror(errno));
		return start_failed(conf);
	}
	if (hark_store_library_init() != 0) {
		hark_log(HARK_LOG_ERR, "cannot initialise the MariaDB library");
		return start_failed(conf);
	}
	/* Mapped once here, before workers fork: they share its pages. */
	if (hark_triage_model_load(conf->triage_model_file, tm_err,
	    sizeof(tm_err)) == -1) {
		fprintf(stderr, "hark-fcgi: %s\n", tm_err);
		hark_log(HARK_LOG_ERR, "%s", tm_err);
		return start_failed(conf);
	}

	if (listen_spec != NULL || sd_fd != -1) {
		if (sd_fd != -1) {
			fd = sd_fd;
			hark_server_socket_shared();
		} else if ((fd = open_listener(listen_spec, conf,
		    &unix_path)) == -1)
			return start_failed(conf);
		/* The pid file is written while still root, as the
		 * directories init systems give it (/run) want. */
		if ((pid_file != NULL && write_pid_file(pid_file) == -1) ||
		    drop_privileges(conf) == -1 || check_ratelimit(conf) == -1) {
			unlink_own_socket(unix_path);
			return start_failed(conf);
		}
		rc = hark_prefork_run(fd, conf, config_path, (int)workers);
		unlink_own_socket(unix_path);
	} else if (fd0_is_listener()) {
		if ((pid_file != NULL && write_pid_file(pid_file) == -1) ||
		    drop_privileges(conf) == -1 || check_ratelimit(conf) == -1)
			return start_failed(conf);
		if (conf->workers > 1)
			rc = hark_prefork_run(STDIN_FILENO, conf, config_path,
			    (int)workers);
		else {
			rc = hark_server_run(STDIN_FILENO, conf, config_path, 1);
			hark_conf_free(conf);
			free(conf);
		}
	} else if (getenv("GATEWAY_INTERFACE") != NULL) {
		rc = hark_server_cgi(conf);
		hark_conf_free(conf);
		free(conf);
	} else {
		fprintf(stderr, "hark-fcgi: not started by a web server; "
		    "use --listen unix:PATH or HOST:PORT (see hark-fcgi(8))\n");
		usage(stderr);
		rc = 2;
		hark_conf_free(conf);
		free(conf);
	}
	hark_store_library_end();
	hark_log_close();
	return rc;

}
