/* peer.h - who is at the other end of a role's connection: the facts the
 * hub needs before it lets a process be a role, from a small unconfined
 * process (the checker) it forks before it confines itself.
 *
 * Why a process of its own: the confined hub may not look at other
 * processes (Landlock refuses /proc/PID/exe of a process outside its
 * domain, and its rules do not name /proc).  The checker keeps one end of
 * a socketpair and nothing else (no bus, no keys, no files), is not
 * dumpable, and answers one question: given a pid, what runs there.  It
 * reads, through one descriptor of /proc/PID (so a pid reused meanwhile
 * makes every read fail instead of describing another process):
 *   stat     the start time (clock ticks since boot), which with the pid
 *            names one process for the life of the system;
 *   status   the uid and TracerPid;
 *   exe      its device and inode, compared with the hub's own executable
 *            (or the file now at its path: an upgrade replaced it) and
 *            with any --role-exe given to daemon-profile (tests);
 *   cmdline  what sesame dispatches it as (sesame.c): which role, if any.
 * /proc/PID/exe is readable only while that process is dumpable: a role
 * stays dumpable until its connection is accepted, then hardens (role.c).
 *
 * Request: the pid, 4 bytes (host order: both ends are one program).
 * Reply: a struct peer_facts.  Socket: SOCK_SEQPACKET, so each is one
 * message.  The checker exits when the hub goes.
 */
#ifndef SESAME_PEER_H
#define SESAME_PEER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum peer_exe {
	PEER_EXE_SAME = 1,	/* the hub's own executable */
	PEER_EXE_EXTRA,		/* one of daemon-profile's --role-exe */
	PEER_EXE_OTHER,		/* something else: exe_path says what */
	PEER_EXE_HIDDEN,	/* not readable: the process is not dumpable */
};

struct peer_facts {
	int32_t ok;		/* 0: why says what went wrong (gone, ...) */
	int32_t exe;		/* enum peer_exe */
	int32_t tracer;		/* TracerPid; 0: not traced */
	uint32_t uid;		/* real uid */
	uint64_t start;		/* start time in clock ticks since boot */
	char role[24];		/* the role its command line runs ("secrets"); "" */
	char exe_path[128];	/* with PEER_EXE_OTHER */
	char why[128];
};

/* Fork the checker; extra (n paths) are executables also accepted as a
 * role's (daemon-profile --role-exe); is_applet as for peer_cmdline_role.  The hub's end, or -1 with a reason.
 * Call before the sandbox and before any thread or secret exists. */
int peer_checker_start(char *const *extra, size_t n, int (*is_applet)(const char *name));
/* Ask the checker at fd about pid: 0 and f filled, or -1 with a reason
 * (the checker is gone).  Blocks for one round trip. */
int peer_check(int fd, pid_t pid, struct peer_facts *f);

/* The parsers the checker uses, for tests and fuzzing.  Each -1 with a
 * reason if buf (len bytes, not NUL-terminated) is not what it expects. */
/* /proc/PID/stat: field 22, after the last ')' (a command name may hold
 * parentheses and spaces). */
int peer_parse_stat(const char *buf, size_t len, uint64_t *start);
/* /proc/PID/status: the real uid and TracerPid. */
int peer_parse_status(const char *buf, size_t len, uint32_t *uid, int32_t *tracer);
/* /proc/PID/cmdline (arguments each ended by a NUL): the role that
 * sesame would run for it, into role (n bytes; "" if it runs none).
 * is_applet(name) says whether name is a command or role sesame knows;
 * role names are "daemon-X". */
int peer_cmdline_role(const char *buf, size_t len, int (*is_applet)(const char *name), char *role,
	size_t n);

#endif
