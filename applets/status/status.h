/* status.h - `sesame status`, shared by its files: status.c (the command,
 * the bus's state, the vaults, the sandbox view) and doctor.c (--doctor). */
#ifndef SESAME_STATUS_H
#define SESAME_STATUS_H

#include "lib/bus/wire.h"

#include <stddef.h>

/* A process as the kernel shows it in /proc; -1 where unknown. */
struct proc_view {
	int seccomp, nnp;
	long swap_kb, rss_kb;
	long core;	/* RLIMIT_CORE soft limit; -2 unlimited */
};

/* status.c */
void status_proc_view(unsigned pid, struct proc_view *pv);
/* The memory limit of pid's cgroup in KiB; 0 if none. */
long long status_cgroup_limit_kb(unsigned pid);
/* s as a JSON string on stdout. */
void status_json_str(const char *s);
/* An error reply's text in text (n bytes), or NULL if m is no error. */
const char *status_error_text(const struct wire_msg *m, char *text, size_t n);

/* doctor.c */
struct paths;
struct bus_client;
/* --doctor=LIST's categories as a mask (a usage error if one is unknown). */
unsigned status_doctor_categories(const char *list);
/* The checks, given the replies of the hub's status (0), the profile
 * list (1) and daemon-secrets' status (2); the exit status. */
int status_doctor(const struct paths *p, struct bus_client *c, struct wire_msg *replies, int json,
	int exit_code, int quiet, unsigned cats);

#endif
