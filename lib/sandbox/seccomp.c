/* seccomp.c - the per-role syscall allowlists (libseccomp), linked when
 * SECCOMP=1 (config.mk); see sandbox.h. */
#include "lib/core/util.h"
#include "lib/sandbox/sandbox.h"

#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

/* What every role does (libc startup and teardown, the bus, logging,
 * SQLite, secure memory, threads), whichever libc and sanitizer. */
static const char *const common[] = {
	"read", "write", "readv", "writev", "pread64", "pwrite64", "close", "close_range", "fstat",
	"newfstatat", "statx", "stat", "lstat", "lseek", "open", "openat", "fcntl", "ioctl", "mmap",
	"munmap", "mprotect", "madvise", "brk", "mremap", "rt_sigaction", "rt_sigprocmask",
	"rt_sigreturn", "sigaltstack", "futex", "clock_gettime", "clock_nanosleep", "nanosleep",
	"gettimeofday", "time", "getpid", "gettid", "getppid", "getuid", "geteuid", "getgid", "getegid",
	"getrandom", "exit", "exit_group", "restart_syscall", "poll", "ppoll", "epoll_wait",
	"epoll_pwait", "epoll_pwait2", "epoll_ctl", "epoll_create1", "socket", "connect", "bind",
	"getsockopt", "setsockopt", "getsockname", "getpeername", "sendto", "recvfrom", "sendmsg",
	"recvmsg", "shutdown", "pipe2", "dup", "dup2", "dup3", "unlink", "unlinkat", "rename",
	"renameat", "renameat2", "mkdir", "mkdirat", "rmdir", "fsync", "fdatasync", "ftruncate",
	"fallocate", "flock", "fchmod", "fchmodat", "access", "faccessat", "faccessat2", "getdents64",
	"readlink", "readlinkat", "inotify_init1", "inotify_add_watch", "inotify_rm_watch",
	"signalfd4", "memfd_secret", "memfd_create", "sched_getaffinity", "sched_yield", "uname",
	"sysinfo", "prlimit64", "getrlimit", "set_robust_list", "get_robust_list", "rseq",
	"set_tid_address", "clone", "clone3", "tgkill", "tkill", "umask", "statfs", "fstatfs",
	"getcwd", "prctl", "membarrier", "sched_getparam", "sched_getscheduler", "fchown", "fchownat",
	"utimensat", "fadvise64", "sync", "syncfs",
	/* secure memory where the kernel has no memfd_secret (lib/core/secmem.c) */
	"mlock", "mlock2", "munlock", "mincore",
};

/* daemon-profile also accepts connections, reads hot-plug events and runs
 * a WiFi probe (iwgetid, nmcli) as a child, which inherits this filter. */
static const char *const profile_extra[] = {
	"accept", "accept4", "listen", "socketpair", "kill", "wait4", "waitid", "execve", "execveat",
	"vfork", "fork", "arch_prctl", "pipe", "getdents", "sendmmsg", "recvmmsg", "fchdir", "chdir",
};

/* daemon-input runs sesame commands for its bindings (fork, exec, reap);
 * they inherit this filter, and a command locks its secure memory. */
static const char *const input_extra[] = {
	"execve", "execveat", "wait4", "waitid", "fork", "vfork", "getdents",
	"arch_prctl", "pipe", "sendmmsg", "recvmmsg",
};

/* daemon-wm forks the overlay's painter (applets/wm/paint.h), which
 * inherits this filter. */
static const char *const wm_extra[] = { "socketpair", "fork", "vfork" };


/* The sanitizer runtimes (make check SANITIZE=1) stop the world with
 * ptrace and read /proc/self/maps at exit to find leaks. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifdef SANITIZED
static const char *const sanitizer_extra[] = {
	"ptrace", "wait4", "waitid", "process_vm_readv", "sched_setaffinity", "setrlimit", "personality",
	"readlink", "pipe", "kill", "getdents",
};
#endif

static const char *names[512];

static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
	char line[128] = "seccomp violation: syscall=", num[12];
	int n = si->si_syscall, i = 0, l = (int)strlen(line);
	const char *name = n >= 0 && n < (int)ARRAY_LEN(names) && names[n] ? names[n] : "?";

	(void)sig, (void)ctx;
	do {
		num[i++] = (char)('0' + (n < 0 ? 0 : n) % 10);
		n /= 10;
	} while (n > 0 && i < 11);
	while (i > 0 && l < 100)
		line[l++] = num[--i];
	line[l++] = ' ';
	line[l++] = '(';
	for (const char *p = name; *p && l < 120; p++)
		line[l++] = *p;
	line[l++] = ')';
	line[l++] = '\n';
	(void)!write(STDERR_FILENO, line, (size_t)l);
	_exit(128 + SIGSYS);
}

static int allow(scmp_filter_ctx ctx, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int nr = seccomp_syscall_resolve_name(list[i]);

		if (nr == __NR_SCMP_ERROR || nr < 0)
			continue;	/* not on this architecture */
		if (seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, 0, NULL) < 0)
			return fail("seccomp: cannot allow %s", list[i]);
	}
	return 0;
}

int sandbox_seccomp(const char *role)
{
	struct sigaction sa = { 0 };
	struct scmp_arg_cmp idle = { .arg = 1, .op = SCMP_CMP_EQ, .datum_a = SCHED_IDLE, .datum_b = 0 };
	scmp_filter_ctx ctx;
	int r;

	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		if (!names[i])
			names[i] = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, (int)i);
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) < 0)
		return fail("sigaction SIGSYS: %s", strerror(errno));
	if (!(ctx = seccomp_init(SCMP_ACT_TRAP)))
		return fail("seccomp_init failed");
	r = allow(ctx, common, ARRAY_LEN(common));
	if (!r && !strcmp(role, "profile"))
		r = allow(ctx, profile_extra, ARRAY_LEN(profile_extra));
	/* The hub starts its key thread at idle priority (hub.c), and may
	 * set no other policy. */
	if (!r && !strcmp(role, "profile") &&
	    seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, SCMP_SYS(sched_setscheduler), 1, &idle) < 0)
		r = fail("seccomp: cannot allow sched_setscheduler");
	if (!r && !strcmp(role, "input"))
		r = allow(ctx, input_extra, ARRAY_LEN(input_extra));
	if (!r && !strcmp(role, "wm"))
		r = allow(ctx, wm_extra, ARRAY_LEN(wm_extra));
#ifdef SANITIZED
	if (!r)
		r = allow(ctx, sanitizer_extra, ARRAY_LEN(sanitizer_extra));
#endif
	if (!r && seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1) < 0)
		r = fail("seccomp: cannot sync the filter to all threads");
	if (!r && (r = seccomp_load(ctx)) < 0)
		r = fail("seccomp_load: %s%s", strerror(-r), -r == EINVAL ?
			" (the kernel needs CONFIG_SECCOMP_FILTER)" : "");
	seccomp_release(ctx);
	return r < 0 ? -1 : 0;
}

int sandbox_sanitized(void)
{
#ifdef SANITIZED
	return 1;
#else
	return 0;
#endif
}
