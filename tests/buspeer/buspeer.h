/* buspeer.h - what buspeer's files share:
 *   main.c     the modes (its top comment), the shared helpers, main
 *   timing.c   ping, ping-for, unlock-time, search, flood-get, notify-listen
 *   client.c   get, set, last, clipkey, watch, publish, event, role-info,
 *              list, batch, batch-pings
 *   role.c     role, fill-role
 *   hostile.c  stall, garbage, huge, noread, batch-noread, hold, without,
 *              traced, capture, replay */
#ifndef BUSPEER_H
#define BUSPEER_H

#include "lib/bus/wire.h"
#include "lib/bus/bus.h"
#include "lib/core/paths.h"

#include <stddef.h>
#include <sys/types.h>
#include <stdint.h>

struct buspeer_state {
	struct paths p;
	uint8_t buf[WIRE_MAX_MESSAGE];
	struct wire_out out;
};
extern struct buspeer_state buspeer_tt;
#define TT buspeer_tt

/* main.c */
int cmp_ll(const void *a, const void *b);
struct bus_client *connect_or_die(const char *key);
long long now_us(void);
int raw_connect(void);

/* timing.c */
int cmd_flood_get(const char *profile, const char *key, long ms);
int cmd_notify_listen(const char *path, long ms);
int cmd_ping(long n, size_t bytes);
int cmd_ping_for(long ms);
int cmd_search(long n, char **queries, int nq);
int cmd_unlock_time(const char *profile, const char *pw, long n);

/* hostile.c */
int cmd_batch_noread(long n);
int cmd_capture(const char *type, const char *profile, const char *file);
int cmd_hold(long idle, long stall, long procs, long ms);
int cmd_hostile(const char *mode);
int cmd_noread(void);
int cmd_replay(const char *file);
int cmd_traced(char **argv);
int cmd_without(const char *what, char **argv);

/* client.c */
int cmd_batch(const char *profile, const char *key);
int cmd_batch_pings(long n);
int cmd_clipkey(const char *profile, const char *role);
int cmd_event(void);
int cmd_get(const char *profile, const char *key, const char *role);
int cmd_last(const char *profile, const char *key);
int cmd_list(const char *profile, const char *role);
int cmd_publish(const char *role, long n, long bytes);
int cmd_role_info(const char *text, const char *role);
int cmd_set(const char *profile, const char *key, const char *value);
int cmd_watch(const char *role, long n);
struct bus_client *send_batch(uint8_t type, long n);

/* role.c */
void announce(struct bus_client *c);
int cmd_fill_role(const char *profile, long n);
int cmd_role(const char *role, const char *mode);

#endif
