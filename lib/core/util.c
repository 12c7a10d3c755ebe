/* util.c - failure reasons, fatal errors and allocation that never returns
 * NULL.  See util.h for the conventions. */
#include "lib/core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Per thread: a worker thread's failure must not rewrite the reason the
 * main loop is about to print. */
static _Thread_local char reason[512];
static _Thread_local enum err kind = ERR_FAILED;

/* Formatted aside first: a new reason may quote the last one
 * (fail("%s: %s", path, last_error())), and the two must not overlap. */
int vfail(const char *fmt, va_list ap)
{
	char next[sizeof(reason)];

	vsnprintf(next, sizeof(next), fmt, ap);
	memcpy(reason, next, sizeof(reason));
	kind = ERR_FAILED;
	return -1;
}

int fail_code(enum err code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(fmt, ap);
	va_end(ap);
	kind = code;
	return -1;
}

enum err last_code(void)
{
	return kind;
}

int last_exit(void)
{
	return kind == ERR_UNREACHABLE ? EXIT_UNREACHABLE : kind == ERR_TIMEOUT ? EXIT_TIMEOUT :
		kind == ERR_DENIED ? EXIT_DENIED : 1;
}

int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(fmt, ap);
	va_end(ap);
	return -1;
}

const char *last_error(void)
{
	return reason[0] ? reason : "unknown error";
}

static void vcomplain(const char *fmt, va_list ap)
{
	char line[1024];
	int n = snprintf(line, sizeof(line), "sesame: ");

	vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	n = strlen(line);
	line[n++] = '\n';
	/* One write, so concurrent processes' lines do not interleave. */
	(void)write_all(STDERR_FILENO, line, n);
}

static unsigned std_closed;

void xstd_fds_open(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		if (open("/dev/null", fd ? O_WRONLY : O_RDONLY) != fd) {
			dprintf(2, "sesame: descriptor %d is closed and /dev/null cannot take its place\n", fd);
			_exit(EXIT_FAILURE);
		}
		std_closed |= 1u << fd;
	}
}

int std_fd_was_closed(int fd)
{
	return fd >= 0 && fd < 3 && (std_closed >> fd & 1);
}

void complain(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcomplain(fmt, ap);
	va_end(ap);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcomplain(fmt, ap);
	va_end(ap);
	exit(1);
}

void die_code(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcomplain(fmt, ap);
	va_end(ap);
	exit(code);
}

void usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcomplain(fmt, ap);
	va_end(ap);
	if (cmd)
		fprintf(stderr, "Try 'sesame help %s'.\n", cmd);
	else
		fprintf(stderr, "Try 'sesame --help'.\n");
	exit(EXIT_USAGE);
}

void usage_option(const char *cmd, char *const argv[], int o, const struct option *longopts)
{
	const char *a = optind > 0 ? argv[optind - 1] : NULL;

	/* A long option: getopt_long has moved past it, and optopt is 0 if
	 * it is unknown (or ambiguous), else the option's val. */
	if (a && !strncmp(a, "--", 2) && a[2]) {
		const char *eq = strchr(a + 2, '=');
		size_t n = eq ? (size_t)(eq - a) : strlen(a);
		int known = 0;

		for (const struct option *l = longopts; l && l->name; l++)
			known |= l->val == optopt && !strncmp(l->name, a + 2, n - 2);
		if (!optopt && !known)
			usage_error(cmd, "unknown option '%.*s'", (int)n, a);
		if (known)
			usage_error(cmd, o == ':' ? "option '%.*s' needs a value" : "option '%.*s' takes no value",
				(int)n, a);
	}
	if (optopt <= ' ' || optopt >= 0x7f)
		usage_error(cmd, "unknown option");
	usage_error(cmd, o == ':' ? "option -%c needs a value" : "unknown option -%c", optopt);
}

static void *check(void *p, size_t n)
{
	if (!p && n)
		die("out of memory (%zu bytes)", n);
	return p;
}

void *xmalloc(size_t n)
{
	return check(malloc(n ? n : 1), n ? n : 1);
}

void *xcalloc(size_t nmemb, size_t size)
{
	return check(calloc(nmemb ? nmemb : 1, size ? size : 1), 1);
}

void *xreallocarray(void *p, size_t nmemb, size_t size)
{
	size_t total;

	if (size && nmemb > (size_t)-1 / size)
		die("allocation overflow (%zu x %zu bytes)", nmemb, size);
	total = nmemb * size;
	return check(realloc(p, total ? total : 1), total ? total : 1);
}

char *xstrdup(const char *s)
{
	return check(strdup(s), strlen(s) + 1);
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		die("out of memory formatting a string");
	return s;
}

char *read_file(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK), e;
	struct stat st;
	size_t n = 0;
	char *buf;

	if (fd < 0) {
		e = errno;
		fail("%s", strerror(e));
		errno = e;
		return NULL;
	}
	if (fstat(fd, &st) < 0)
		e = errno;
	else if (!S_ISREG(st.st_mode))
		e = EINVAL;
	else if ((unsigned long long)st.st_size > max)
		e = EFBIG;
	else
		e = 0;
	if (e) {
		close(fd);
		if (e == EINVAL)
			fail("not a regular file");
		else if (e == EFBIG)
			fail("larger than %zu bytes", max);
		else
			fail("%s", strerror(e));
		errno = e;
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (n < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			close(fd);
			free(buf);
			fail("%s", strerror(e));
			errno = e;
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = 0;
	*len = n;
	return buf;
}

static const char *file_kind(mode_t m)
{
	return S_ISFIFO(m) ? "a FIFO" : S_ISSOCK(m) ? "a socket" : S_ISCHR(m) || S_ISBLK(m) ? "a device" :
		S_ISDIR(m) ? "a directory" : "not a regular file";
}

int open_private(const char *path, int flags, int mode)
{
	struct stat st;
	int fd = open(path, flags | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, mode), e;

	if (fd < 0) {
		e = errno;
		if (e == ELOOP)
			return fail("%s is a symbolic link; refusing it", path);
		if (e == ENXIO)	/* a FIFO or socket opened for writing alone */
			return fail("%s is a FIFO or a socket; refusing it", path);
		errno = e;
		return fail("%s: %s", path, strerror(e));
	}
	if (fstat(fd, &st) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return fail("%s: %s", path, strerror(e));
	}
	if (!S_ISREG(st.st_mode))
		fail("%s is %s, not a regular file; refusing it", path, file_kind(st.st_mode));
	else if (st.st_uid != geteuid())
		fail("%s belongs to uid %u, not to us (uid %u); refusing it", path, (unsigned)st.st_uid,
			(unsigned)geteuid());
	else if (st.st_mode & 077)
		fail("%s is open to others (mode %04o, want 0600): chmod 600 it", path,
			(unsigned)(st.st_mode & 07777));
	else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) == 0)
		return fd;
	else
		fail("%s: %s", path, strerror(errno));
	close(fd);
	errno = EINVAL;
	return -1;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail("write: %s", strerror(errno));
		p += n;
		len -= n;
	}
	return 0;
}

size_t utf8_encode(uint32_t cp, char out[4])
{
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6), out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12), out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18), out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0], cp;
	size_t len;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

int utf8_valid(const void *buf, size_t n)
{
	const unsigned char *s = buf;

	for (size_t i = 0, l; i < n; i += l)
		if (!(l = utf8_seq(s + i, n - i)))
			return 0;
	return 1;
}

int fork_helper(int type, int *child)
{
	int sv[2];
	pid_t pid;

	*child = 0;
	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv) < 0)
		return fail("socketpair: %s", strerror(errno));
	if ((pid = fork()) < 0) {
		close(sv[0]), close(sv[1]);
		return fail("fork: %s", strerror(errno));
	}
	if (pid > 0) {
		close(sv[1]);
		return sv[0];
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_DUMPABLE, 0);	/* forked before its parent hardens */
	if (getppid() == 1 || dup2(sv[1], 3) < 0)
		_exit(1);
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 4U, ~0U, 0U) < 0)
#endif
		for (long f = 4, max = sysconf(_SC_OPEN_MAX); f < (max > 0 ? max : 1024); f++)
			close((int)f);
	*child = 1;
	return 3;
}

int parse_range(const char *s, long long min, long long max, long long *out)
{
	int neg = *s == '-';
	const char *p = s + neg;
	/* The magnitude the sign allows: up to max, or down to min. */
	unsigned long long v = 0, limit;

	if (neg ? min >= 0 : max < 0)
		goto bad;
	limit = neg ? (unsigned long long)-(min + 1) + 1 : (unsigned long long)max;
	if (!*p)
		goto bad;
	for (; *p; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (*p < '0' || *p > '9' || v > limit / 10 || (v == limit / 10 && d > limit % 10))
			goto bad;
		v = v * 10 + d;
	}
	if (neg && v == 0)
		goto bad;	/* "-0" */
	*out = neg ? -(long long)(v - 1) - 1 : (long long)v;
	if (*out < min || *out > max)
		goto bad;
	return 0;
bad:
	return fail("'%s' is not a number from %lld to %lld", s, min, max);
}
