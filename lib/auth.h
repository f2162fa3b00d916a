/*
 * auth.h: who is calling.  Secret keys arrive as "Authorization: Bearer
 * sk_..." or as the header pair X-Hark-Project + X-Hark-Key (the earshot
 * seed's x-earshot-project / x-earshot-key are the same pair).  Keys are
 * looked up by their SHA-256 and compared in constant time; failures and key
 * use go to the audit log, never the key itself.
 */
#ifndef HARK_AUTH_H
#define HARK_AUTH_H

#include <stdbool.h>

#include "ids.h"

struct hark_db;
struct hark_req;

struct hark_principal {
	char		 project_id[HARK_ID_SIZE];
	char		 key_id[HARK_ID_SIZE];
	unsigned	 key_limit;	/* requests per minute, 0 = default */
	unsigned	 project_limit;
};

/* Why authentication failed, ready for the error format. */
struct hark_auth_err {
	int		 status;	/* 400, 401 or 503 */
	const char	*code;
	const char	*field;		/* the header at fault, or NULL */
	const char	*message;
};

/*
 * Returns 0 with *who filled, or -1 with *err filled.  A refusal writes an
 * audit row unless audit is false (an address already over its failure
 * limit: its flood must not grow the audit log).
 */
int	hark_auth_secret(struct hark_db *db, const struct hark_req *req,
	    bool audit, struct hark_principal *who, struct hark_auth_err *err);

#endif
