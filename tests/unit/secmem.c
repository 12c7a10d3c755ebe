/* Unit tests for lib/secmem: guard pages fault, canaries abort, freed
 * memory is wiped, memfd_secret is used when the kernel has it, and the
 * mlock fallback works when it does not. */
#include "lib/core/dynlib.h"
#include "lib/core/secmem.h"
#include "tap.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_memfd_secret
#define SYS_memfd_secret 447
#endif

/* Under ASan, let faults and aborts kill the child as they would without. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "handle_segv=0:handle_abort=0:handle_sigbus=0"; }
const char *__tsan_default_options(void);
const char *__tsan_default_options(void) { return "handle_segv=0:handle_abort=0:handle_sigbus=0"; }

/* secmem_free's munmap is routed here (-Wl,--wrap=munmap): before the
 * pages go, check that the watched range reads as zero. */
int __real_munmap(void *addr, size_t len);
int __wrap_munmap(void *addr, size_t len);
static unsigned char *watch;
static size_t watch_len;
static int watch_zero = -1;

int __wrap_munmap(void *addr, size_t len)
{
	unsigned char *a = addr;

	if (watch && a <= watch && watch + watch_len <= a + len) {
		watch_zero = 1;
		for (size_t i = 0; i < watch_len; i++)
			if (watch[i])
				watch_zero = 0;
		watch = NULL;
	}
	return __real_munmap(addr, len);
}

static size_t page;

static unsigned char *page_start(void *p)
{
	return (unsigned char *)((uintptr_t)p & ~(uintptr_t)(page - 1));
}

/* Two threads allocate and free for two seconds each, as daemon-secrets'
 * KDF worker and its loop do: the block cache must hold. */
static void *hammer(void *arg)
{
	struct timespec t0, t;
	long *rounds = arg;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		for (int i = 0; i < 64; i++) {
			unsigned char *a = secmem_alloc(32), *b = secmem_dup("0123456789abcdef", 16);

			if (!a || !b)
				abort();
			memset(a, (int)*rounds, 32);
			secmem_free(b);
			secmem_free(a);
			(*rounds)++;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < 2000);
	return NULL;
}

static void child_threads(int fd)
{
	pthread_t th;
	long r1 = 0, r2 = 0;
	char msg[64];

	pthread_create(&th, NULL, hammer, &r1);
	hammer(&r2);
	pthread_join(th, NULL);
	snprintf(msg, sizeof(msg), "%ld %ld", r1, r2);
	(void)!write(fd, msg, strlen(msg));
}

/* Run fn in a child; return its wait status. */
static int in_child(void (*fn)(int), int fd)
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		/* Expected crash messages would only clutter the TAP stream. */
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			dup2(null, STDERR_FILENO);
		fn(fd);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	return st;
}

static int mapping_is_secretmem(void *p)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int found = 0;

	while (f && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && lo <= (uintptr_t)p && (uintptr_t)p < hi)
			found = strstr(line, "secretmem") != NULL;
	}
	if (f)
		fclose(f);
	return found;
}

static void child_fallback(int fd)
{
	scmp_filter_ctx ctx = dyn_load_seccomp() < 0 ? NULL : seccomp_init(SCMP_ACT_ALLOW);
	unsigned char *p;
	char res[5] = "0000", logged[512] = "";
	FILE *log = tmpfile();

	if (!ctx || seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(ENOSYS), SYS_memfd_secret, 0, NULL) < 0 ||
	    seccomp_load(ctx) < 0)
		_exit(3);
	if (log)
		dup2(fileno(log), STDERR_FILENO);
	res[0] = secmem_probe() == SECMEM_MLOCK ? '1' : '0';
	if (log && fseek(log, 0, SEEK_SET) == 0 && fgets(logged, sizeof(logged), log))
		res[3] = strstr(logged, "level=error") && strstr(logged, "memfd_secret unavailable") ? '1' : '0';
	p = secmem_alloc(2 * page);	/* multi-page: freed by munmap, not cached */
	if (p) {
		memset(p, 0xa5, 2 * page);
		res[1] = !mapping_is_secretmem(p) ? '1' : '0';
		watch = p, watch_len = 2 * page, watch_zero = -1;
		secmem_free(p);
		res[2] = watch_zero == 1 ? '1' : '0';
	}
	(void)!write(fd, res, 4);
}

static void child_overflow(int fd)
{
	unsigned char *p = secmem_alloc(100);

	memset(p, 1, 100); /* every byte asked for is usable */
	(void)!write(fd, "in", 2);
	p[112] = 1; /* 100 rounds up to 112: first byte of the trailing guard page */
	(void)!write(fd, "survived", 8);
}

static void child_underflow(int fd)
{
	unsigned char *p = secmem_alloc(100);

	(void)!write(fd, "in", 2);
	page_start(p)[-1] = 1; /* last byte of the leading guard page */
	(void)!write(fd, "survived", 8);
}

static void child_canary_before(int fd)
{
	unsigned char *p = secmem_alloc(32);

	p[-1] ^= 0xff;
	secmem_free(p);
	(void)!write(fd, "survived", 8);
}

static void child_canary_after(int fd)
{
	unsigned char *p = secmem_alloc(20);

	p[20] ^= 0xff; /* inside the 16-byte alignment padding */
	secmem_free(p);
	(void)!write(fd, "survived", 8);
}

/* A block allocated by the parent, read by a forked child. */
static volatile unsigned char *inherited;

static void child_inherit(int fd)
{
	(void)inherited[0];
	(void)!write(fd, "read", 4);
}

/* Fork fn, collect what it wrote and how it ended. */
static int run(void (*fn)(int), char *out, size_t outlen)
{
	int pfd[2], st;
	ssize_t n;

	if (pipe(pfd) < 0)
		return -1;
	st = in_child(fn, pfd[1]);
	close(pfd[1]);
	n = read(pfd[0], out, outlen - 1);
	out[n > 0 ? n : 0] = 0;
	close(pfd[0]);
	return st;
}

int main(void)
{
	char out[64];
	int st, memfd;
	unsigned char *p, *q;

	page = (size_t)sysconf(_SC_PAGESIZE);

	/* First, before this process picks its backend: the fallback. */
	st = run(child_fallback, out, sizeof(out));
	if (WIFEXITED(st) && WEXITSTATUS(st) == 3) {
		skip("mlock fallback: cannot install a seccomp filter here");
	} else {
		ok(out[0] == '1', "without memfd_secret the allocator falls back to mlock");
		ok(out[1] == '1', "a fallback block is plain locked memory, not secretmem");
		ok(out[2] == '1', "a fallback block is wiped before it is unmapped");
		ok(out[3] == '1', "the fallback is logged at error level");
	}

	memfd = (int)syscall(SYS_memfd_secret, 0);
	if (memfd >= 0) {
		close(memfd);
		ok(secmem_probe() == SECMEM_MEMFD_SECRET, "memfd_secret is the backend when the kernel has it");
		p = secmem_alloc(64);
		ok(p && mapping_is_secretmem(p), "an allocation is backed by a secretmem mapping");
		secmem_free(p);
	} else {
		skip("kernel has no memfd_secret (%s): backend is %s", strerror(errno),
			secmem_backend_name(secmem_probe()));
	}

	p = secmem_alloc(100);
	ok(p != NULL, "secmem_alloc(100) succeeds");
	ok(((uintptr_t)p & 15) == 0, "blocks are 16-byte aligned");
	ok(secmem_size(p) == 100, "secmem_size reports the size asked for");
	q = p;
	for (int i = 0; i < 100; i++)
		if (p[i])
			q = NULL;
	ok(q == p, "a new block is zeroed");
	memset(p, 0x5a, 100);
	secmem_free(p);
	/* A one-page block stays mapped in the reuse cache: read it back. */
	q = page_start(p);
	for (size_t i = 0; i < page; i++)
		if (q[i])
			q = NULL;
	ok(q != NULL, "free wipes the whole data page (header, canary, value) of a cached block");
	p = secmem_alloc(50);
	q = p;
	for (int i = 0; i < 50; i++)
		if (p[i])
			q = NULL;
	ok(q == p, "a reused block comes back zeroed");
	secmem_free(p);
	secmem_free(NULL);
	q = secmem_alloc(50);
	ok(q == p, "secmem_free(NULL) leaves the cache alone (the block freed before it comes back next)");
	secmem_free(q);

	p = secmem_dup("key material", 12);
	ok(p && !memcmp(p, "key material", 12), "secmem_dup copies into secure memory");
	secmem_free(p);

	p = secmem_alloc(3 * page);
	ok(p != NULL, "multi-page blocks work (%zu bytes)", 3 * page);
	if (p)
		memset(p, 1, 3 * page);
	watch = p, watch_len = 3 * page, watch_zero = -1;
	secmem_free(p);
	ok(watch_zero == 1, "a multi-page block is wiped before it is unmapped");
	ok(secmem_alloc(SIZE_MAX / 2) == NULL, "an absurd size fails cleanly");

	st = run(child_overflow, out, sizeof(out));
	ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV && !strcmp(out, "in"),
		"writing one byte past the block hits the trailing guard page (SIGSEGV)");
	st = run(child_underflow, out, sizeof(out));
	ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV && !strcmp(out, "in"),
		"writing before the data page hits the leading guard page (SIGSEGV)");
	st = run(child_canary_before, out, sizeof(out));
	ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT && !out[0],
		"a corrupted leading canary aborts on free");
	st = run(child_canary_after, out, sizeof(out));
	ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT && !out[0],
		"a write into the trailing padding aborts on free");

	st = run(child_threads, out, sizeof(out));
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0 && out[0],
		"two threads allocating and freeing for 2 s each neither corrupt nor abort (rounds: %s)", out);

	/* The parent's reuse cache must not leak into a child either. */
	secmem_free(secmem_alloc(16));
	st = run(child_overflow, out, sizeof(out));
	ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV && !strcmp(out, "in"),
		"a child does not reuse the parent's cached blocks (it gets fresh, guarded ones)");
	p = secmem_alloc(16);
	memset(p, 7, 16);
	inherited = p;
	st = run(child_inherit, out, sizeof(out));
	ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV && !out[0],
		"a forked child does not inherit secure memory");
	secmem_free(p);
	return done_testing();
}
