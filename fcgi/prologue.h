/*
 * prologue.h: the part of every request that its route declares (auth,
 * origin, rate limit, body, query) and that no handler writes itself.
 */
#ifndef HARK_PROLOGUE_H
#define HARK_PROLOGUE_H

#include <stdbool.h>

#include "ratelimit.h"

struct hark_app;
struct hark_principal;
struct hark_req;
struct hark_resp;
struct hark_route;

/*
 * Runs route's prologue and, when it passed, its handler.  Always leaves a
 * complete response in resp; frees the typed input after the handler.
 */
void	hark_prologue_run(struct hark_app *, const struct hark_route *,
	    struct hark_req *, struct hark_resp *);

/*
 * The checks of check_auth for a caller found another way (the widget
 * flow's public key in a query or body): the Origin against the project's
 * and the source's allowlists (403), and the rate limits (429, with
 * RateLimit-*).  0, or -1 with resp filled.
 */
int	hark_prologue_check_origins(struct hark_app *, struct hark_req *,
	    struct hark_resp *, const struct hark_principal *);
int	hark_prologue_check_rate(struct hark_app *, struct hark_req *,
	    struct hark_resp *, const struct hark_principal *);
/* Whether the source lists any origin; an enum hark_store_rc. */
int	hark_prologue_source_has_origins(struct hark_app *,
	    const char *source_id, bool *listed);

/*
 * The per-project concurrency gate of HARK_ROUTE_GATED routes (list and
 * search): at most [limits] list_concurrency of one project's requests at
 * once on the host (0: half the workers, at least 1).  Returns 0 with t
 * holding a place (give it back with hark_prologue_gate_leave), or -1 with
 * resp filled: 429 too_many_concurrent_requests, or 503 when the table
 * cannot count (fail closed, as the rate limit).
 */
int	hark_prologue_gate_enter(struct hark_app *, const char *project_id,
	    struct hark_resp *, struct hark_rl_ticket *t);
void	hark_prologue_gate_leave(struct hark_app *, struct hark_rl_ticket *t);
/* The cap hark_prologue_gate_enter applies. */
unsigned hark_prologue_gate_cap(const struct hark_app *);

#endif
