/* sandbox.c - hardening, Landlock (raw syscalls: the ABI constants are
 * defined here, so old kernel headers do not matter) and a seccomp
 * allowlist (libseccomp).  See sandbox.h. */
#include "lib/sandbox/sandbox.h"
#include "lib/core/dynlib.h"
#include "lib/core/log.h"
#include "lib/core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Landlock, from the kernel's uapi (linux/landlock.h). */
#define LL_CREATE_RULESET_VERSION 1u
#define LL_RULE_PATH_BENEATH 1
#define LL_EXECUTE (1ull << 0)
#define LL_WRITE_FILE (1ull << 1)
#define LL_READ_FILE (1ull << 2)
#define LL_READ_DIR (1ull << 3)
#define LL_REMOVE_DIR (1ull << 4)
#define LL_REMOVE_FILE (1ull << 5)
#define LL_MAKE_CHAR (1ull << 6)
#define LL_MAKE_DIR (1ull << 7)
#define LL_MAKE_REG (1ull << 8)
#define LL_MAKE_SOCK (1ull << 9)
#define LL_MAKE_FIFO (1ull << 10)
#define LL_MAKE_BLOCK (1ull << 11)
#define LL_MAKE_SYM (1ull << 12)
#define LL_REFER (1ull << 13)		/* ABI 2 */
#define LL_TRUNCATE (1ull << 14)	/* ABI 3 */
#define LL_IOCTL_DEV (1ull << 15)	/* ABI 5 */
#define LL_NET_ALL 3ull			/* ABI 4: bind and connect TCP */
#define LL_SCOPE_ALL 3ull		/* ABI 6: abstract sockets, signals */
#define LL_FILE_RIGHTS (LL_EXECUTE | LL_WRITE_FILE | LL_READ_FILE | LL_TRUNCATE | LL_IOCTL_DEV)

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif

struct ll_ruleset_attr {
	uint64_t handled_access_fs, handled_access_net, scoped;
};

struct ll_path_beneath {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

static char described[96] = "none";
static int landlock_abi;

int sandbox_undumpable(void)
{
	/* (A sanitizer build stays dumpable: LeakSanitizer ptraces the
	 * process at exit to stop it while it looks for leaks.) */
	if (!sandbox_sanitized() && prctl(PR_SET_DUMPABLE, 0) < 0)
		return fail("sandbox: PR_SET_DUMPABLE: %s", strerror(errno));
	return 0;
}

int sandbox_harden(void)
{
	return sandbox_undumpable() < 0 ? -1 : sandbox_limits();
}

int sandbox_limits(void)
{
	struct rlimit core = { 0, 0 }, nofile = { 4096, 4096 }, cur;

	if (setrlimit(RLIMIT_CORE, &core) < 0)
		return fail("sandbox: RLIMIT_CORE: %s", strerror(errno));
	/* At most 4096 descriptors; a lower limit (a unit's LimitNOFILE=) stays. */
	if (getrlimit(RLIMIT_NOFILE, &cur) < 0)
		return fail("sandbox: RLIMIT_NOFILE: %s", strerror(errno));
	if (cur.rlim_max == RLIM_INFINITY || cur.rlim_max > 4096) {
		if (cur.rlim_cur < nofile.rlim_cur)
			nofile.rlim_cur = cur.rlim_cur;
		if (setrlimit(RLIMIT_NOFILE, &nofile) < 0)
			return fail("sandbox: RLIMIT_NOFILE: %s", strerror(errno));
	}
	return 0;
}

static uint64_t fs_rights(int abi)
{
	uint64_t r = LL_EXECUTE | LL_WRITE_FILE | LL_READ_FILE | LL_READ_DIR | LL_REMOVE_DIR |
		LL_REMOVE_FILE | LL_MAKE_CHAR | LL_MAKE_DIR | LL_MAKE_REG | LL_MAKE_SOCK | LL_MAKE_FIFO |
		LL_MAKE_BLOCK | LL_MAKE_SYM;

	if (abi >= 2)
		r |= LL_REFER;
	if (abi >= 3)
		r |= LL_TRUNCATE;
	if (abi >= 5)
		r |= LL_IOCTL_DEV;
	return r;
}

static uint64_t rights_for(unsigned sb, int abi)
{
	uint64_t r = 0;

	if (sb & (SB_READ | SB_EXEC))
		r |= LL_READ_FILE | LL_READ_DIR;
	if (sb & SB_EXEC)
		r |= LL_EXECUTE;
	if (sb & SB_WRITE)
		r |= LL_WRITE_FILE | LL_REMOVE_DIR | LL_REMOVE_FILE | LL_MAKE_DIR | LL_MAKE_REG |
			LL_MAKE_SOCK | LL_TRUNCATE | LL_REFER;
	return r & fs_rights(abi);
}

int sandbox_landlock_abi(void)
{
	int abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);

	if (abi >= 1)
		return abi;
	if (errno == ENOSYS)
		return fail("Landlock is not available (%s): the kernel needs CONFIG_SECURITY_LANDLOCK "
			"(Linux 5.13 or later)", strerror(errno));
	if (errno == EOPNOTSUPP)
		return fail("Landlock is not available (%s): the kernel has it but did not enable it: add "
			"landlock to lsm= on its command line (or to CONFIG_LSM)", strerror(errno));
	return fail("Landlock is not available (%s)", strerror(errno));
}

int sandbox_seccomp_available(void)
{
	uint32_t action = SECCOMP_RET_TRAP;

	if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0)
		return 1;
	if (errno == ENOSYS || prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0)
		return fail("no seccomp (%s): the kernel needs CONFIG_SECCOMP and CONFIG_SECCOMP_FILTER",
			strerror(errno)), 0;
	return fail("seccomp filters unavailable (%s): the kernel needs CONFIG_SECCOMP_FILTER (Linux 4.14 "
		"or later)", strerror(errno)), 0;
}

static int landlock(const struct sandbox_path *paths, size_t n)
{
	struct ll_ruleset_attr attr = { 0 };
	size_t attr_size = sizeof(attr);
	int abi = sandbox_landlock_abi(), fd;

	if (abi < 1)
		return -1;
	attr.handled_access_fs = fs_rights(abi);
	if (abi >= 4)
		attr.handled_access_net = LL_NET_ALL;
	if (abi >= 6)
		attr.scoped = LL_SCOPE_ALL;
	else if (abi < 4)
		attr_size = sizeof(uint64_t);	/* the fields the kernel knows */
	else
		attr_size = 2 * sizeof(uint64_t);
	if ((fd = (int)syscall(SYS_landlock_create_ruleset, &attr, attr_size, 0)) < 0)
		return fail("landlock_create_ruleset: %s", strerror(errno));
	for (size_t i = 0; i < n; i++) {
		struct ll_path_beneath pb = { 0 };
		struct stat st;

		if (!paths[i].path || !*paths[i].path)
			continue;
		pb.parent_fd = open(paths[i].path, O_PATH | O_CLOEXEC);
		if (pb.parent_fd < 0) {
			if (errno == ENOENT)
				continue;	/* not there yet: stays denied */
			close(fd);
			return fail("landlock: cannot open %s: %s", paths[i].path, strerror(errno));
		}
		pb.allowed_access = rights_for(paths[i].rights, abi);
		if (fstat(pb.parent_fd, &st) == 0 && !S_ISDIR(st.st_mode))
			pb.allowed_access &= LL_FILE_RIGHTS;
		if (pb.allowed_access && syscall(SYS_landlock_add_rule, fd, LL_RULE_PATH_BENEATH, &pb, 0) < 0) {
			int e = errno;
			close(pb.parent_fd);
			close(fd);
			return fail("landlock_add_rule %s: %s", paths[i].path, strerror(e));
		}
		close(pb.parent_fd);
	}
	if (syscall(SYS_landlock_restrict_self, fd, 0) < 0) {
		int e = errno;
		close(fd);
		return fail("landlock_restrict_self: %s", strerror(e));
	}
	close(fd);
	landlock_abi = abi;
	return 0;
}

int sandbox_enter(const char *role, const struct sandbox_path *paths, size_t n, int best_effort)
{
	char no_lib[256] = "";
	int ll = 0, sc = 0, r;

	/* libseccomp is loaded while the library directories are still open,
	 * and let go once the filter is in the kernel. */
	if (dyn_load_seccomp() < 0)
		snprintf(no_lib, sizeof(no_lib), "%s", last_error());
	/* Both need it, and it is right anyway: nothing we run gains privileges. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 && !best_effort)
		return fail("PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
	if (landlock(paths, n) < 0) {
		if (!best_effort)
			return -1;
		log_error("sandbox: %s; running without Landlock (global.sandbox = \"best-effort\")", last_error());
	} else {
		ll = landlock_abi;
	}
	r = no_lib[0] ? fail("%s", no_lib) : sandbox_seccomp(role);
	dyn_unload_seccomp();
	if (r < 0) {
		if (!best_effort)
			return -1;
		log_error("sandbox: %s; running without seccomp (global.sandbox = \"best-effort\")", last_error());
	} else {
		sc = 1;
	}
	if (ll)
		snprintf(described, sizeof(described), "landlock=abi%d seccomp=%s", ll, sc ? "on" : "off");
	else
		snprintf(described, sizeof(described), "landlock=off seccomp=%s", sc ? "on" : "off");
	return 0;
}

const char *sandbox_describe(void)
{
	return described;
}

void sandbox_selftest(void)
{
	const char *t = getenv("SESAME_SANDBOX_SELFTEST");

	if (!t)
		return;
	if (!strncmp(t, "open:", 5)) {
		int fd = open(t + 5, O_RDONLY | O_CLOEXEC);

		log_info("sandbox self-test: open %s: %s", t + 5, fd >= 0 ? "allowed" : strerror(errno));
		if (fd >= 0)
			close(fd);
	} else if (!strcmp(t, "syscall")) {
		log_info("sandbox self-test: calling acct(2), which no role may");
		syscall(SYS_acct, NULL);
		log_error("sandbox self-test: acct(2) returned (%s): seccomp is not on", strerror(errno));
	}
}
