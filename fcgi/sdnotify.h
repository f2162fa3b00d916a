/*
 * sdnotify.h: telling systemd (Type=notify) that the master is ready,
 * reloading or stopping.  Does nothing unless $NOTIFY_SOCKET is set.
 */
#ifndef HARK_SDNOTIFY_H
#define HARK_SDNOTIFY_H

/* state: "READY=1", "RELOADING=1", "STOPPING=1", "STATUS=..." lines. */
void	hark_sd_notify(const char *state);

#endif
