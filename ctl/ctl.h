/* ctl.h: what harkctl's command files share: the run's state and its helpers. */
#ifndef HARK_CTL_H
#define HARK_CTL_H

#include <stdio.h>

#include "conf.h"

#define CTL_OK		0
#define CTL_FAIL	1
#define CTL_USAGE	2

struct hark_db;

struct ctl {
	const char		*config_path;	/* -c, else the default */
	int			 verbose;
	struct hark_conf	 conf;
	int			 conf_loaded;
	int			 long_statements; /* migrate: no 8-10 s limits */
	struct hark_db		*db;
};

struct ctl_cmd {
	const char	*name;
	const char	*synopsis;		/* its arguments, for usage */
	const char	*summary;
	int		(*run)(struct ctl *, int, char **);
};

void	ctl_usage(FILE *);
int	ctl_usage_error(const char *, ...) __attribute__((format(printf, 1, 2)));
void	ctl_getopt_reset(void);
/* Loads the configuration and makes the db handle; CTL_OK or CTL_FAIL. */
int	ctl_open(struct ctl *);

/* projects.c */
int	ctl_cmd_project(struct ctl *, int, char **);
int	ctl_cmd_key(struct ctl *, int, char **);
int	ctl_cmd_origin(struct ctl *, int, char **);
/* Reports a store failure in words (what: the command); always CTL_FAIL. */
int	ctl_store_error(struct ctl *, const char *what, int rc);
/* The project must exist; CTL_OK or CTL_FAIL with a message. */
int	ctl_need_project(struct ctl *, const char *id);

/* sources.c */
int	ctl_cmd_source(struct ctl *, int, char **);
/* A secret from a file's first line; CTL_OK, or CTL_FAIL said. */
int	ctl_read_secret_file(const char *path, const char *what, char *out,
	    size_t outsize);

/* hooks.c */
int	ctl_cmd_hook(struct ctl *, int, char **);

/* Where harkctl migrate reads the schema files (HARK_SCHEMA_DIR). */
const char	*ctl_schema_dir(void);

/* doctor.c */
int	ctl_cmd_doctor(struct ctl *, int, char **);

/* audit.c */
int	ctl_cmd_audit(struct ctl *, int, char **);

/* secret.c */
int	ctl_cmd_secret(struct ctl *, int, char **);

#endif
