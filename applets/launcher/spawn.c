/* spawn.c - daemon-launcher's unconfined spawner; see spawn.h.
 *
 * The spawner is a process of its own, forked by daemon-launcher before
 * the sandbox: it runs no thread and reads nothing but its socket. */
#include "applets/launcher/spawn.h"
#include "lib/core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

/* The next NUL-terminated string at *off, or NULL if none ends in buf. */
static char *next_str(const uint8_t *buf, size_t len, size_t *off)
{
	const uint8_t *nul;
	char *s;

	if (*off >= len || !(nul = memchr(buf + *off, 0, len - *off)))
		return NULL;
	s = (char *)(buf + *off);
	*off = (size_t)(nul - buf) + 1;
	return s;
}

int spawn_decode(const uint8_t *buf, size_t len, struct spawn_req *r)
{
	size_t off = 12;

	memset(r, 0, sizeof(*r));
	if (len < 12 || memcmp(buf, "SSP1", 4))
		return fail("spawn: not a request");
	r->argc = get32(buf + 4);
	r->envc = get32(buf + 8);
	if (r->argc < 1 || r->argc > SPAWN_MAX_ARGS || r->envc > SPAWN_MAX_ENV)
		return fail("spawn: %u arguments and %u variables: out of range", r->argc, r->envc);
	/* Each string takes at least its NUL: counts the buffer cannot hold
	 * are refused before anything is allocated for them. */
	if ((size_t)r->argc + r->envc + 1 > len - off)
		return fail("spawn: more strings announced than the request holds");
	if (!(r->cwd = next_str(buf, len, &off)) || r->cwd[0] != '/')
		return fail("spawn: the working directory must be an absolute path");
	r->argv = xcalloc((size_t)r->argc + 1, sizeof(char *));
	r->envp = xcalloc((size_t)r->envc + 1, sizeof(char *));
	for (uint32_t i = 0; i < r->argc; i++)
		if (!(r->argv[i] = next_str(buf, len, &off)))
			return spawn_req_free(r), fail("spawn: argument %u is cut short", i);
	if (!r->argv[0][0])
		return spawn_req_free(r), fail("spawn: an empty program name");
	for (uint32_t i = 0; i < r->envc; i++) {
		char *eq;

		if (!(r->envp[i] = next_str(buf, len, &off)))
			return spawn_req_free(r), fail("spawn: variable %u is cut short", i);
		if (!(eq = strchr(r->envp[i], '=')) || eq == r->envp[i])
			return spawn_req_free(r), fail("spawn: variable %u is not NAME=value", i);
	}
	if (off != len)
		return spawn_req_free(r), fail("spawn: %zu bytes after the last variable", len - off);
	return 0;
}

void spawn_req_free(struct spawn_req *r)
{
	free(r->argv);
	free(r->envp);
	r->argv = r->envp = NULL;
}

static int read_full(int fd, void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n) {
		ssize_t got = read(fd, p, n);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

/* Memory a request lives in: it may hold secrets.  Locked (best effort),
 * never in a core dump, wiped and unmapped by put_buf. */
static uint8_t *get_buf(size_t n)
{
	uint8_t *b = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (b == MAP_FAILED)
		return NULL;
	mlock(b, n);
	madvise(b, n, MADV_DONTDUMP);
	return b;
}

static void put_buf(uint8_t *b, size_t n)
{
	if (!b)
		return;
	sodium_memzero(b, n);
	munmap(b, n);
}

/* Start r: a double fork, so that the program is nobody's child here and
 * leads its own session.  The pid, or -1 with errno. */
static pid_t start(const struct spawn_req *r)
{
	int p[2], status, m[2] = { 0, 0 };
	pid_t child, pid = -1;
	ssize_t got;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	if ((child = fork()) < 0) {
		close(p[0]), close(p[1]);
		return -1;
	}
	if (child == 0) {
		sigset_t none;
		pid_t app;

		close(p[0]);
		setsid();
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGXFSZ, SIG_DFL);
		if ((app = fork()) == 0) {
			int null = open("/dev/null", O_RDWR | O_CLOEXEC);

			if (null >= 0 && dup2(null, 0) >= 0 && dup2(null, 1) >= 0 && chdir(r->cwd) == 0)
				execvpe(r->argv[0], r->argv, r->envp);
			m[0] = 2, m[1] = errno;
			(void)!write(p[1], m, sizeof(m));
			_exit(127);
		}
		m[0] = app > 0 ? 1 : 2, m[1] = app > 0 ? app : errno;
		(void)!write(p[1], m, sizeof(m));
		_exit(0);
	}
	close(p[1]);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	/* Until end of file: the pid from the first child, then an errno if
	 * the exec failed (the pipe closes on a successful exec). */
	errno = EIO;
	while ((got = read(p[0], m, sizeof(m))) == sizeof(m) || (got < 0 && errno == EINTR)) {
		if (got < 0)
			continue;
		if (m[0] == 1) {
			pid = m[1];
		} else {
			pid = -1;
			errno = m[1];
			break;
		}
	}
	close(p[0]);
	return pid;
}

NORETURN static void spawner_main(int fd)
{
	uint8_t hdr[4], reply[8];

	prctl(PR_SET_NAME, "sesame-spawner");
	for (;;) {
		uint32_t len;
		uint8_t *buf;
		struct spawn_req r;
		pid_t pid;

		if (read_full(fd, hdr, 4) < 0)
			_exit(0);	/* the launcher went */
		if ((len = get32(hdr)) == 0 || len > SPAWN_MAX || !(buf = get_buf(len)))
			_exit(1);	/* no way to find the next request: end */
		if (read_full(fd, buf, len) < 0) {
			put_buf(buf, len);
			_exit(0);
		}
		if (spawn_decode(buf, len, &r) < 0) {
			put32(reply, 2), put32(reply + 4, EINVAL);
		} else {
			pid = start(&r);
			put32(reply, pid > 0 ? 1 : 2), put32(reply + 4, pid > 0 ? (uint32_t)pid : (uint32_t)errno);
			spawn_req_free(&r);
		}
		put_buf(buf, len);
		if (write_all(fd, reply, sizeof(reply)) < 0)
			_exit(0);
	}
}

int spawner_start(void)
{
	/* Nothing but the socket (and stdin, stdout, stderr, which the
	 * programs it starts get) stays open there. */
	int child, fd = fork_helper(SOCK_STREAM, &child);

	if (fd < 0)
		return fail("spawner: %s", last_error());
	if (child)
		spawner_main(fd);
	return fd;
}

pid_t spawn_request(int fd, const char *cwd, char *const argv[], char *const envp[])
{
	size_t len = 12 + strlen(cwd) + 1, off;
	uint32_t argc = 0, envc = 0;
	uint8_t *buf, reply[8];
	int r;

	for (; argv[argc]; argc++)
		len += strlen(argv[argc]) + 1;
	for (; envp[envc]; envc++)
		len += strlen(envp[envc]) + 1;
	if (len > SPAWN_MAX)
		return fail("the command and its environment take %zu bytes (at most %u)", len, SPAWN_MAX);
	if (!(buf = get_buf(4 + len)))
		return fail("spawn: mmap: %s", strerror(errno));
	put32(buf, (uint32_t)len);
	memcpy(buf + 4, "SSP1", 4);
	put32(buf + 8, argc);
	put32(buf + 12, envc);
	off = 16;
	memcpy(buf + off, cwd, strlen(cwd) + 1), off += strlen(cwd) + 1;
	for (uint32_t i = 0; i < argc; i++)
		memcpy(buf + off, argv[i], strlen(argv[i]) + 1), off += strlen(argv[i]) + 1;
	for (uint32_t i = 0; i < envc; i++)
		memcpy(buf + off, envp[i], strlen(envp[i]) + 1), off += strlen(envp[i]) + 1;
	r = write_all(fd, buf, 4 + len);
	put_buf(buf, 4 + len);
	if (r < 0 || read_full(fd, reply, sizeof(reply)) < 0)
		return fail("the spawner is gone (%s)", r < 0 ? last_error() : "no answer");
	if (get32(reply) == 1)
		return (pid_t)get32(reply + 4);
	return fail("cannot run %s: %s", argv[0], strerror((int)get32(reply + 4)));
}
