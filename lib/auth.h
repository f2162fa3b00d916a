/*
 * auth.h: who is calling.  Secret keys arrive as "Authorization: Bearer
 * sk_..." or as the header pair X-Hark-Project + X-Hark-Key (the earshot
 * seed's x-earshot-project / x-earshot-key are the same pair).  A widget
 * source's public key (pk_...) comes the same ways, and is accepted only
 * where the route allows it (submitting).  Both kinds are stored and looked
 * up by their SHA-256 and compared in constant time; failures and key use go
 * to the audit log, never the key itself.
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
	/* A public key: key_id and source_id name the source, and key_limit
	 * is its limit per (client address, source). */
	bool		 public_key;
	char		 source_id[HARK_ID_SIZE];	/* "" for a secret key */
};

/* Why authentication failed, ready for the error format. */
struct hark_auth_err {
	int		 status;	/* 400, 401, 500 or 503 */
	const char	*code;
	const char	*field;		/* the header at fault, or NULL */
	const char	*message;
	/* A failed authentication, counted by the lock-out (a public key on
	 * a route that takes none is refused, but is no failed guess). */
	bool		 failure;
};

/*
 * Returns 0 with *who filled, or -1 with *err filled.  A refusal writes an
 * audit row unless audit is false (an address already over its failure
 * limit: its flood must not grow the audit log).
 */
int	hark_auth_key(struct hark_db *db, const struct hark_req *req,
	    bool audit, bool allow_public, struct hark_principal *who,
	    struct hark_auth_err *err);
/* hark_auth_key with allow_public false: a public key is 401. */
int	hark_auth_secret(struct hark_db *db, const struct hark_req *req,
	    bool audit, struct hark_principal *who, struct hark_auth_err *err);

#endif
