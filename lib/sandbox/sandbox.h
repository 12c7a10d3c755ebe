/* sandbox.h - confining a daemon role once it has opened what it needs.
 *
 * Order (DESIGN.md): sandbox_harden() first (not dumpable, no core
 * files, bounded descriptors; a role other than the hub: sandbox_limits()
 * first, and not dumpable once the hub has accepted it); then the role opens its sockets and files
 * and probes secure memory; then sandbox_enter(): Landlock with the
 * role's path rules (the best ABI the kernel offers; paths that do not
 * exist yet are skipped; files get file rights only), then a seccomp
 * allowlist (libseccomp, synced to all threads).  A syscall outside the
 * list raises SIGSYS; the handler writes "seccomp violation: syscall=N
 * (name)" with write(2) alone and the process dies.  Any failure is fatal
 * unless the config says global.sandbox = "best-effort", and then it is
 * logged at error level.  daemon-launcher is never sandboxed (what it
 * starts would inherit it).
 */
#ifndef SESAME_SANDBOX_H
#define SESAME_SANDBOX_H

#include <stddef.h>

enum { SB_READ = 1, SB_WRITE = 2, SB_EXEC = 4 };

/* global.sandbox when the configuration does not set it: "enforce", or
 * "best-effort" for an image whose kernels may lack Landlock or seccomp
 * (make SANDBOX_DEFAULT=best-effort). */
#ifndef SANDBOX_DEFAULT
#define SANDBOX_DEFAULT "enforce"
#endif
static inline int sandbox_default_best_effort(void)
{
	return SANDBOX_DEFAULT[0] == 'b';
}

struct sandbox_path {
	const char *path;
	unsigned rights;
};

/* sandbox_undumpable, then sandbox_limits (daemon-profile). */
int sandbox_harden(void);
/* RLIMIT_CORE 0, RLIMIT_NOFILE at most 4096; -1 with a reason. */
int sandbox_limits(void);
/* PR_SET_DUMPABLE 0 (not in sanitizer builds): other processes of the
 * user can no longer read or trace this one.  A role calls it once the
 * hub has accepted it, not before: until then the hub's peer checker
 * must be able to read its /proc/PID/exe (peer.h). */
int sandbox_undumpable(void);
/* Landlock (paths) then seccomp (the role's allowlist).  best_effort:
 * log what could not be done instead of failing.  -1 with a reason. */
int sandbox_enter(const char *role, const struct sandbox_path *paths, size_t n, int best_effort);
/* The role's seccomp allowlist (lib/sandbox/seccomp.c, or seccomp_off.c when
 * built without libseccomp): -1 with a reason. */
int sandbox_seccomp(const char *role);
/* The Landlock ABI the kernel offers, or -1 with a reason that names the
 * kernel option to enable (sesame status --doctor, the roles' errors). */
int sandbox_landlock_abi(void);
/* 1 if the kernel takes seccomp filters; 0 with a reason naming the
 * kernel option if not. */
int sandbox_seccomp_available(void);
/* What is in force, e.g. "landlock=abi7 seccomp=on" (logs, status). */
const char *sandbox_describe(void);
/* 1 in sanitizer builds (whose runtime needs /proc and ptrace). */
int sandbox_sanitized(void);
/* For tests: SESAME_SANDBOX_SELFTEST=open:PATH tries to open PATH and
 * logs the outcome; =syscall makes a forbidden call (and so dies).  It can
 * only make the daemon do less, never more. */
void sandbox_selftest(void);

#endif
