/* peer.c - the hub's peer checker; see peer.h. */
#include "applets/profile/peer.h"
#include "lib/core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_EXTRA 8

int peer_parse_stat(const char *buf, size_t len, uint64_t *start)
{
	const char *p = NULL, *end = buf + len;
	uint64_t v = 0;
	int field = 2;	/* the last ')' ends field 2, comm */

	for (const char *q = buf; q < end; q++)
		if (*q == ')')
			p = q + 1;
	if (!p)
		return fail("stat: no command name");
	/* Fields 3.. are separated by one space each. */
	while (p < end && field < 22) {
		if (*p++ == ' ')
			field++;
	}
	if (field != 22 || p >= end || *p < '0' || *p > '9')
		return fail("stat: no start time");
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return fail("stat: start time out of range");
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (p < end && *p != ' ' && *p != '\n')
		return fail("stat: start time is not a number");
	*start = v;
	return 0;
}

/* The first number after "Name:" at the start of a line in buf. */
static int status_field(const char *buf, size_t len, const char *name, uint64_t *out)
{
	size_t nl = strlen(name);

	for (size_t i = 0; i < len; ) {
		const char *line = buf + i, *eol = memchr(line, '\n', len - i);
		size_t ll = eol ? (size_t)(eol - line) : len - i;

		if (ll > nl && !memcmp(line, name, nl)) {
			size_t k = nl;
			uint64_t v = 0;

			while (k < ll && (line[k] == ' ' || line[k] == '\t'))
				k++;
			if (k == ll || line[k] < '0' || line[k] > '9')
				return fail("status: %s is not a number", name);
			for (; k < ll && line[k] >= '0' && line[k] <= '9'; k++) {
				if (v > (UINT32_MAX - 9) / 10)
					return fail("status: %s out of range", name);
				v = v * 10 + (uint64_t)(line[k] - '0');
			}
			*out = v;
			return 0;
		}
		i += ll + 1;
	}
	return fail("status: no %s", name);
}

int peer_parse_status(const char *buf, size_t len, uint32_t *uid, int32_t *tracer)
{
	uint64_t u, t;

	if (status_field(buf, len, "Uid:", &u) < 0 || status_field(buf, len, "TracerPid:", &t) < 0)
		return -1;
	if (t > INT32_MAX)
		return fail("status: TracerPid out of range");
	*uid = (uint32_t)u;
	*tracer = (int32_t)t;
	return 0;
}

/* sesame.c's dispatch, on the arguments in buf: the applet it runs, or
 * NULL.  Only what it needs: argv[0]'s base name, then "daemon ROLE",
 * then argv[1]. */
static const char *dispatched(const char *argv[3], int argc, int (*is_applet)(const char *),
	char *tmp, size_t n)
{
	const char *base;

	if (argc < 1)
		return NULL;
	base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];
	if (strcmp(base, "sesame") && is_applet(base))
		return base;
	if (argc < 2)
		return NULL;
	if (!strcmp(argv[1], "daemon") && argc > 2) {
		const char *r = strncmp(argv[2], "daemon-", 7) ? argv[2] : argv[2] + 7;

		if (snprintf(tmp, n, "daemon-%s", r) < (int)n && is_applet(tmp))
			return tmp;
	}
	return argv[1][0] != '-' && is_applet(argv[1]) ? argv[1] : NULL;
}

int peer_cmdline_role(const char *buf, size_t len, int (*is_applet)(const char *name), char *role,
	size_t n)
{
	const char *argv[3], *a;
	char tmp[64];
	int argc = 0;
	size_t off = 0;

	if (!n)
		return fail("cmdline: no room");
	role[0] = 0;
	if (len == 0 || buf[len - 1] != 0)
		return fail("cmdline: not arguments ended by NUL");
	/* The first three arguments: each ends in a NUL inside buf, the last
	 * byte being one. */
	while (off < len && argc < 3) {
		argv[argc++] = buf + off;
		off += strlen(buf + off) + 1;
	}
	a = dispatched(argv, argc, is_applet, tmp, sizeof(tmp));
	if (a && !strncmp(a, "daemon-", 7) && strlen(a + 7) < n)
		memcpy(role, a + 7, strlen(a + 7) + 1);
	return 0;
}

/* ---- the checker ---- */

struct exe_id {
	dev_t dev;
	ino_t ino;
	char path[128];
};

static struct exe_id self, extra[MAX_EXTRA];
static size_t nextra;
static int (*applet_known)(const char *);

static ssize_t read_at(int dir, const char *name, char *buf, size_t n)
{
	int fd = openat(dir, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	size_t got = 0;

	if (fd < 0)
		return -1;
	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			close(fd);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	return (ssize_t)got;
}

static int same(const struct exe_id *id, const struct stat *st)
{
	return id->ino && id->dev == st->st_dev && id->ino == st->st_ino;
}

static void describe(pid_t pid, struct peer_facts *f)
{
	static char buf[4096];
	char dir[32];
	struct stat st, now;
	ssize_t n;
	int d;

	memset(f, 0, sizeof(*f));
	snprintf(dir, sizeof(dir), "/proc/%d", (int)pid);
	if (pid <= 0 || (d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(f->why, sizeof(f->why), "no process %d: %s", (int)pid,
			pid <= 0 ? "not in this pid namespace" : strerror(errno));
		return;
	}
	if ((n = read_at(d, "stat", buf, sizeof(buf))) < 0 || peer_parse_stat(buf, (size_t)n, &f->start) < 0 ||
	    (n = read_at(d, "status", buf, sizeof(buf))) < 0 ||
	    peer_parse_status(buf, (size_t)n, &f->uid, &f->tracer) < 0 ||
	    (n = read_at(d, "cmdline", buf, sizeof(buf))) < 0 ||
	    (n == sizeof(buf) && (buf[n - 1] = 0)) ||	/* only the first arguments count */
	    peer_cmdline_role(buf, (size_t)n, applet_known, f->role, sizeof(f->role)) < 0) {
		snprintf(f->why, sizeof(f->why), "pid %d: %s", (int)pid, n < 0 ? strerror(errno) : last_error());
		close(d);
		return;
	}
	if (fstatat(d, "exe", &st, 0) < 0) {
		if (errno != EACCES && errno != EPERM) {
			snprintf(f->why, sizeof(f->why), "pid %d: exe: %s", (int)pid, strerror(errno));
			close(d);
			return;
		}
		f->exe = PEER_EXE_HIDDEN;
	} else {
		/* An extra first: under qemu-user the emulator is every
		 * process's executable, the hub's included. */
		for (size_t i = 0; i < nextra && !f->exe; i++)
			if (same(&extra[i], &st))
				f->exe = PEER_EXE_EXTRA;
		if (!f->exe && (same(&self, &st) || (stat(self.path, &now) == 0 && now.st_dev == st.st_dev &&
				now.st_ino == st.st_ino)))
			f->exe = PEER_EXE_SAME;
		if (!f->exe) {
			f->exe = PEER_EXE_OTHER;
			if ((n = readlinkat(d, "exe", f->exe_path, sizeof(f->exe_path) - 1)) < 0)
				n = 0;
			f->exe_path[n] = 0;
		}
	}
	/* Still the same process: the descriptor would fail otherwise, but a
	 * last read says so plainly. */
	if ((n = read_at(d, "stat", buf, sizeof(buf))) < 0) {
		snprintf(f->why, sizeof(f->why), "pid %d ended while it was looked at", (int)pid);
		close(d);
		return;
	}
	close(d);
	f->ok = 1;
}

NORETURN static void checker_main(int fd)
{
	prctl(PR_SET_NAME, "sesame-peercheck");
	for (;;) {
		int32_t pid;
		struct peer_facts f;
		ssize_t n = recv(fd, &pid, sizeof(pid), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n != sizeof(pid))
			_exit(n == 0 ? 0 : 1);	/* the hub went, or asked nonsense */
		describe(pid, &f);
		if (send(fd, &f, sizeof(f), MSG_NOSIGNAL) != sizeof(f))
			_exit(1);
	}
}

static int exe_id(const char *path, struct exe_id *id)
{
	struct stat st;
	ssize_t n;

	if (stat(path, &st) < 0)
		return fail("%s: %s", path, strerror(errno));
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	/* The path, to notice an upgrade that put a new file there. */
	if (!strcmp(path, "/proc/self/exe")) {
		if ((n = readlink(path, id->path, sizeof(id->path) - 1)) < 0)
			n = 0;
		id->path[n] = 0;
	} else {
		snprintf(id->path, sizeof(id->path), "%s", path);
	}
	return 0;
}

int peer_checker_start(char *const *paths, size_t n, int (*is_applet)(const char *))
{
	int fd, child;

	if (n > MAX_EXTRA)
		return fail("at most %d --role-exe", MAX_EXTRA);
	if (exe_id("/proc/self/exe", &self) < 0)
		return -1;
	for (nextra = 0; nextra < n; nextra++)
		if (exe_id(paths[nextra], &extra[nextra]) < 0)
			return -1;
	applet_known = is_applet;
	/* Nothing of the hub's stays open there but the socket. */
	if ((fd = fork_helper(SOCK_SEQPACKET, &child)) < 0)
		return fail("the peer checker: %s", last_error());
	if (child) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		checker_main(fd);
	}
	return fd;
}

int peer_check(int fd, pid_t pid, struct peer_facts *f)
{
	int32_t p = (int32_t)pid;
	ssize_t n;

	if (send(fd, &p, sizeof(p), MSG_NOSIGNAL) != sizeof(p))
		return fail("the peer checker is gone: %s", strerror(errno));
	while ((n = recv(fd, f, sizeof(*f), 0)) < 0 && errno == EINTR)
		;
	if (n != sizeof(*f))
		return fail("the peer checker is gone (%s)", n < 0 ? strerror(errno) : "no answer");
	f->role[sizeof(f->role) - 1] = f->exe_path[sizeof(f->exe_path) - 1] = f->why[sizeof(f->why) - 1] = 0;
	return 0;
}
