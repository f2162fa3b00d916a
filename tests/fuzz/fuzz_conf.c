/*
 * fuzz_conf.c: libFuzzer harness for the configuration parser (lib/conf).
 *
 * fuzz-sources: lib/conf.c lib/log.c lib/buf.c lib/proxies.c
 * fuzz-pkgs: json-c
 *
 * The input is a whole hark.conf, handed over through a memfd so the parser
 * reads it the way it reads a real file.  A refusal must say where
 * ("path:line: reason"); an acceptance must leave every string set.
 */
#define _GNU_SOURCE
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "conf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hark_conf	 conf;
	struct hark_conf_err	 err;
	char			 path[64];
	int			 fd;

	if ((fd = memfd_create("hark.conf", MFD_CLOEXEC)) == -1)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (hark_conf_load(path, &conf, &err) == 0) {
		if (conf.db_name == NULL || conf.listen == NULL ||
		    conf.state_dir == NULL || conf.db_password == NULL)
			abort();
		hark_conf_free(&conf);
	} else if (strncmp(err.msg, path, strlen(path)) != 0 ||
	    err.msg[strlen(path)] != ':')
		abort();
	close(fd);
	return 0;
}
