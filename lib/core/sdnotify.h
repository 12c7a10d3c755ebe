/* sdnotify.h - the systemd notification protocol without libsystemd: one
 * datagram to $NOTIFY_SOCKET ("READY=1", "STATUS=...", "WATCHDOG=1",
 * "STOPPING=1").  Inert when NOTIFY_SOCKET is unset, so the same daemon
 * runs under runit, OpenRC or busybox init unchanged. */
#ifndef SESAME_SDNOTIFY_H
#define SESAME_SDNOTIFY_H

/* Send state; 0 if sent or not under systemd, -1 with a reason. */
int sdnotify(const char *state);
/* How often to send WATCHDOG=1: half of $WATCHDOG_USEC, in milliseconds
 * (at least 1, at most a day), if it is set to a whole number above 0 and
 * $WATCHDOG_PID is unset or this process; 0 otherwise. */
long long sdnotify_watchdog_ms(void);

#endif
