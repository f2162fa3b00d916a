/*
 * secret.c: harkctl secret init [--rotate]: the key that signs widget tokens.
 *
 * The file ([widget] token_secret_file) holds 32 bytes from RAND_bytes as 64
 * lower-case hex digits and a newline, mode 0600, owned by [server] user
 * when run as root.  It is never overwritten in place: --rotate first copies
 * the current key to [widget] token_previous_secret_file (whose tokens
 * hark-fcgi keeps accepting until they expire), then renames the new one
 * over it, so at no moment is there no current key.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "ctl.h"
#include "keys.h"

#define SECRET_BYTES	32
#define SECRET_READ_MAX	4096

/* The owner the files get when harkctl runs as root; -1 = leave it. */
struct owner {
	uid_t	 uid;
	gid_t	 gid;
};

static int
secret_owner(const struct hark_conf *conf, struct owner *o)
{
	struct passwd	*pw;
	struct group	*gr;

	o->uid = (uid_t)-1;
	o->gid = (gid_t)-1;
	if (geteuid() != 0 || conf->user[0] == '\0')
		return 0;
	if ((pw = getpwnam(conf->user)) == NULL) {
		fprintf(stderr, "harkctl: secret init: no such user: %s "
		    "([server] user)\n", conf->user);
		return -1;
	}
	o->uid = pw->pw_uid;
	o->gid = pw->pw_gid;
	if (conf->group[0] != '\0') {
		if ((gr = getgrnam(conf->group)) == NULL) {
			fprintf(stderr, "harkctl: secret init: no such group: "
			    "%s ([server] group)\n", conf->group);
			return -1;
		}
		o->gid = gr->gr_gid;
	}
	return 0;
}

/*
 * Writes len bytes to a new file beside path (mode 0600, owned as o says),
 * synced, and renames it to path.  0, or -1 said.
 */
static int
write_beside(const char *path, const char *text, size_t len,
    const struct owner *o)
{
	char	 tmp[4096];
	int	 fd, n;

	n = snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		fprintf(stderr, "harkctl: secret init: path too long: %s\n",
		    path);
		return -1;
	}
	if ((fd = mkstemp(tmp)) == -1) {
		fprintf(stderr, "harkctl: secret init: cannot create a file "
		    "beside %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fchmod(fd, 0600) == -1 ||
	    (o->uid != (uid_t)-1 && fchown(fd, o->uid, o->gid) == -1) ||
	    write(fd, text, len) != (ssize_t)len || fsync(fd) == -1) {
		fprintf(stderr, "harkctl: secret init: cannot write %s: %s\n",
		    tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		fprintf(stderr, "harkctl: secret init: cannot put %s in place: "
		    "%s\n", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Reads the current key file whole (at most SECRET_READ_MAX bytes). */
static int
read_current(const char *path, char *buf, size_t *len)
{
	FILE	*fp;

	if ((fp = fopen(path, "re")) == NULL) {
		fprintf(stderr, "harkctl: secret init: cannot read %s: %s\n",
		    path, strerror(errno));
		return -1;
	}
	*len = fread(buf, 1, SECRET_READ_MAX, fp);
	if (ferror(fp) || *len == 0) {
		fprintf(stderr, "harkctl: secret init: cannot read %s%s\n",
		    path, *len == 0 ? ": it is empty" : "");
		fclose(fp);
		return -1;
	}
	fclose(fp);
	return 0;
}

static int
secret_init(struct ctl *ctl, bool rotate)
{
	const char	*path, *prev;
	unsigned char	 raw[SECRET_BYTES];
	char		 text[2 * SECRET_BYTES + 2], old[SECRET_READ_MAX];
	size_t		 oldlen = 0;
	struct owner	 o;
	struct stat	 st;
	int		 rc = CTL_FAIL;

	if (ctl_open(ctl) != CTL_OK)
		return CTL_FAIL;
	path = ctl->conf.widget_token_secret_file;
	prev = ctl->conf.widget_token_previous_secret_file;
	if (secret_owner(&ctl->conf, &o) == -1)
		return CTL_FAIL;
	if (lstat(path, &st) == 0) {
		if (!rotate) {
			fprintf(stderr, "harkctl: secret init: %s exists; "
			    "--rotate replaces it and keeps it as the previous "
			    "secret\n", path);
			return CTL_FAIL;
		}
	} else if (errno != ENOENT) {
		fprintf(stderr, "harkctl: secret init: %s: %s\n", path,
		    strerror(errno));
		return CTL_FAIL;
	} else if (rotate) {
		fprintf(stderr, "harkctl: secret init --rotate: there is no "
		    "secret at %s to rotate: run secret init\n", path);
		return CTL_FAIL;
	}
	if (rotate && prev[0] == '\0') {
		fprintf(stderr, "harkctl: secret init --rotate: set [widget] "
		    "token_previous_secret_file first, so that tokens signed "
		    "with the current secret stay valid until they expire\n");
		return CTL_FAIL;
	}
	if (rotate && strcmp(prev, path) == 0) {
		fprintf(stderr, "harkctl: secret init --rotate: "
		    "token_previous_secret_file is token_secret_file\n");
		return CTL_FAIL;
	}
	if (RAND_bytes(raw, sizeof(raw)) != 1) {
		fprintf(stderr, "harkctl: secret init: no randomness\n");
		return CTL_FAIL;
	}
	hark_hex_encode(raw, sizeof(raw), text);
	strcat(text, "\n");
	if (rotate && (read_current(path, old, &oldlen) == -1 ||
	    write_beside(prev, old, oldlen, &o) == -1))
		goto out;
	if (write_beside(path, text, strlen(text), &o) == -1)
		goto out;
	if (rotate)
		printf("moved the previous secret to %s\n", prev);
	printf("wrote a new token secret to %s\n", path);
	rc = CTL_OK;
out:
	explicit_bzero(raw, sizeof(raw));
	explicit_bzero(text, sizeof(text));
	explicit_bzero(old, sizeof(old));
	return rc;
}

int
ctl_cmd_secret(struct ctl *ctl, int argc, char **argv)
{
	bool	 rotate = false;

	if (argc < 2 || strcmp(argv[1], "init") != 0)
		return ctl_usage_error("secret init [--rotate]");
	if (argc == 3 && strcmp(argv[2], "--rotate") == 0)
		rotate = true;
	else if (argc != 2)
		return ctl_usage_error("secret init takes only --rotate");
	return secret_init(ctl, rotate);
}
