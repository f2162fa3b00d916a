/*
 * respond.h: the one place a store result (enum hark_store_rc, store.h)
 * becomes an HTTP answer, so 503 + Retry-After is written once.
 *
 *   NOT_FOUND        404 not_found
 *   UNAVAILABLE      503 database_unavailable, Retry-After
 *   OUTCOME_UNKNOWN  a write that may have committed: with the id hark made,
 *                    503 outcome_unknown carrying "id", Retry-After, so the
 *                    client can GET it instead of filing twice; without an
 *                    id, as UNAVAILABLE
 *   TIMEOUT          503 database_timeout, Retry-After
 *   NOMEM            500 internal
 *   anything else    500 internal, logged
 */
#ifndef HARK_RESPOND_H
#define HARK_RESPOND_H

struct hark_app;
struct hark_resp;

#define HARK_RETRY_AFTER_DB	"5"	/* seconds: a reconnect's worth */

/* Fills resp for rc, which is not HARK_STORE_OK. */
void	hark_respond_store(struct hark_app *, struct hark_resp *, int rc);
/* The same for a write of the row whose id hark made (may be NULL). */
void	hark_respond_store_write(struct hark_app *, struct hark_resp *, int rc,
	    const char *id);

#endif
