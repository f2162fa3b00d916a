/*
 * prologue.h: the part of every request that its route declares (auth,
 * origin, rate limit, body, query) and that no handler writes itself.
 */
#ifndef HARK_PROLOGUE_H
#define HARK_PROLOGUE_H

struct hark_app;
struct hark_req;
struct hark_resp;
struct hark_route;

/*
 * Runs route's prologue and, when it passed, its handler.  Always leaves a
 * complete response in resp; frees the typed input after the handler.
 */
void	hark_prologue_run(struct hark_app *, const struct hark_route *,
	    struct hark_req *, struct hark_resp *);

#endif
