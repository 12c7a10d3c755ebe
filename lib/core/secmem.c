/* secmem.c - guarded, locked, wiped allocations; see secmem.h. */
#include "lib/core/secmem.h"
#include "lib/core/log.h"
#include "lib/core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT_FLAG 1U	/* <linux/mman.h>: lock pages as they are faulted in */
#else
#define MLOCK_ONFAULT_FLAG MLOCK_ONFAULT
#endif

#ifndef SYS_memfd_secret
#define SYS_memfd_secret 447 /* same number on every architecture but alpha */
#endif

#define CANARY_LEN 16
#define ALIGN 16
#define MAGIC 0x5345534d454d3031ull /* "SESMEM01" */

/* Sits just below the leading canary, inside the data pages. */
struct hdr {
	uint64_t magic;
	unsigned char *base;	/* start of the leading guard page */
	size_t total;		/* whole mapping, guards included */
	size_t data_len;	/* data pages */
	size_t n;		/* bytes asked for */
	int backend;
};

/* Threads: daemon-secrets' KDF worker and the hub's key thread allocate
 * and free while their main loop does.  mu guards the backend choice,
 * canary, page and the block cache; the mapping work and the wiping
 * happen outside it. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static enum secmem_backend backend = SECMEM_NONE;

/* Freed one-page blocks, wiped, kept for reuse: mapping and unmapping
 * secretmem changes the kernel's direct map and flushes TLBs (~100 us
 * each here), which a daemon allocating per connection would pay every
 * time.  Cached blocks stay locked, guarded and zero. */
#define CACHE_MAX 64
static unsigned char *cache[CACHE_MAX];	/* base of each cached mapping */
static int cached;
static pid_t cache_pid;	/* blocks are MADV_DONTFORK: a child has none of them */

/* With mu held. */
static int cache_usable(void)
{
	if (cache_pid != getpid()) {
		cached = 0;
		cache_pid = getpid();
	}
	return 1;
}
static unsigned char canary[CANARY_LEN];
static size_t page;

static size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

static int memfd_secret_open(void)
{
	return (int)syscall(SYS_memfd_secret, (unsigned)O_CLOEXEC);
}

const char *secmem_backend_name(enum secmem_backend b)
{
	switch (b) {
	case SECMEM_MEMFD_SECRET: return "memfd_secret";
	case SECMEM_MLOCK: return "mlock";
	default: return "none";
	}
}

/* With mu held. */
static int init_locked(void)
{
	if (sodium_init() < 0)
		return fail("libsodium failed to initialise");
	page = (size_t)sysconf(_SC_PAGESIZE);
	randombytes_buf(canary, sizeof(canary));
	return 0;
}

int secmem_use(enum secmem_backend b)
{
	int r = 0;

	pthread_mutex_lock(&mu);
	if (backend == SECMEM_NONE && (r = init_locked()) == 0)
		backend = b;
	pthread_mutex_unlock(&mu);
	return r;
}

int secmem_secret_available(void)
{
	int fd = memfd_secret_open();

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

enum secmem_backend secmem_probe(void)
{
	enum secmem_backend b;
	int e = 0;

	pthread_mutex_lock(&mu);
	if (backend == SECMEM_NONE) {
		if (init_locked() < 0) {
			pthread_mutex_unlock(&mu);
			return SECMEM_NONE;
		}
		if (secmem_secret_available()) {
			backend = SECMEM_MEMFD_SECRET;
		} else {
			e = errno;
			backend = SECMEM_MLOCK;
		}
	}
	b = backend;
	pthread_mutex_unlock(&mu);
	if (e)
		log_error("memfd_secret unavailable (%s): secrets fall back to mlock'ed "
			"memory, still visible to the kernel and to root", strerror(e));
	return b;
}

static int map_data(unsigned char *data, size_t len)
{
	if (backend == SECMEM_MEMFD_SECRET) {
		int fd = memfd_secret_open();
		void *p;

		if (fd < 0)
			return fail("memfd_secret: %s", strerror(errno));
		if (ftruncate(fd, (off_t)len) < 0) {
			int e = errno;

			close(fd);
			return fail("memfd_secret: cannot size %zu bytes: %s", len, strerror(e));
		}
		p = mmap(data, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
		close(fd);
		/* secretmem pages are locked and charged to RLIMIT_MEMLOCK. */
		if (p == MAP_FAILED)
			return fail("memfd_secret: cannot map %zu bytes: %s (RLIMIT_MEMLOCK?)",
				len, strerror(errno));
		return 0;
	}
	if (mprotect(data, len, PROT_READ | PROT_WRITE) < 0)
		return fail("secure memory: mprotect: %s", strerror(errno));
	/* Locked as each page is first touched, not all at once: a command's
	 * 64 KiB reply buffer mostly holds a few hundred bytes, and faulting
	 * in every page up front was a tenth of a `secret get`.  mlock where
	 * the kernel has no mlock2 (before 4.4). */
#ifdef SYS_mlock2
	if (syscall(SYS_mlock2, data, len, MLOCK_ONFAULT_FLAG) < 0 && mlock(data, len) < 0)
#else
	if (mlock(data, len) < 0)
#endif
		return fail("secure memory: cannot lock %zu bytes: %s (RLIMIT_MEMLOCK?)",
			len, strerror(errno));
	madvise(data, len, MADV_DONTDUMP);
	return 0;
}

void *secmem_alloc(size_t n)
{
	size_t body, data_len, total;
	unsigned char *base, *data, *user;
	struct hdr *h;

	if (secmem_probe() == SECMEM_NONE)
		return NULL;
	if (n > SIZE_MAX / 4)
		return fail("secure memory: %zu bytes is too large", n), NULL;
	body = round_up(n ? n : 1, ALIGN);
	data_len = round_up(sizeof(struct hdr) + CANARY_LEN + body, page);
	total = data_len + 2 * page;
	pthread_mutex_lock(&mu);
	base = data_len == page && cache_usable() && cached ? cache[--cached] : NULL;
	pthread_mutex_unlock(&mu);
	if (base) {
		data = base + page;
	} else {
		base = mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (base == MAP_FAILED)
			return fail("secure memory: cannot reserve %zu bytes: %s", total, strerror(errno)), NULL;
		data = base + page;
		if (map_data(data, data_len) < 0) {
			munmap(base, total);
			return NULL;
		}
		/* Children never inherit secrets (daemon-launcher forks). */
		madvise(base, total, MADV_DONTFORK);
	}

	user = data + data_len - body;
	h = (struct hdr *)(user - CANARY_LEN - sizeof(*h));
	*h = (struct hdr){ MAGIC, base, total, data_len, n, backend };
	memcpy(user - CANARY_LEN, canary, CANARY_LEN);
	for (size_t i = n; i < body; i++)
		user[i] = canary[i % CANARY_LEN];
	return user;
}

void *xsecmem_alloc(size_t n)
{
	void *p = secmem_alloc(n);

	if (!p)
		die("%s", last_error());
	return p;
}

void *secmem_dup(const void *src, size_t n)
{
	void *p = secmem_alloc(n);

	if (p && n)
		memcpy(p, src, n);
	return p;
}

NORETURN static void corrupt(const char *what)
{
	/* No allocation, no stdio: the heap state is unknown. */
	static const char pre[] = "sesame: secure memory: ";

	(void)!write(STDERR_FILENO, pre, sizeof(pre) - 1);
	(void)!write(STDERR_FILENO, what, strlen(what));
	(void)!write(STDERR_FILENO, "\n", 1);
	abort();
}

static struct hdr *header(const void *p)
{
	const unsigned char *user = p;
	struct hdr *h = (struct hdr *)(user - CANARY_LEN - sizeof(*h));

	/* The canary is checked first: an underflow reaches it before the
	 * header, so a valid canary vouches for the header behind it. */
	if (sodium_memcmp(user - CANARY_LEN, canary, CANARY_LEN) != 0)
		corrupt("canary before the block was overwritten (buffer underflow)");
	if (h->magic != MAGIC || h->base + page + h->data_len - round_up(h->n ? h->n : 1, ALIGN) != user)
		corrupt("header does not match the block (bad pointer or corruption)");
	return h;
}

/* Wipe the pages of data that were ever touched.  A large block (a
 * command's 64 KiB reply buffer) mostly holds a few hundred bytes: a page
 * of anonymous memory never faulted in holds nothing but zeros, and
 * writing zeros into it would only fault it in (30 pages were a tenth of
 * a `secret get`).  memfd_secret blocks are always wiped whole. */
static void wipe_resident(unsigned char *data, size_t len, int kind)
{
	unsigned char vec[64];
	size_t pages = len / page;

	if (kind != SECMEM_MLOCK || pages <= 1 || pages > sizeof(vec) || mincore(data, len, vec) < 0) {
		sodium_memzero(data, len);
		return;
	}
	for (size_t i = 0; i < pages; i++)
		if (vec[i] & 1)
			sodium_memzero(data + i * page, page);
}

size_t secmem_size(const void *p)
{
	return p ? header(p)->n : 0;
}

void secmem_free(void *p)
{
	unsigned char *user = p, *data;
	struct hdr h;

	if (!p)
		return;
	h = *header(p);
	for (size_t i = h.n; i < round_up(h.n ? h.n : 1, ALIGN); i++)
		if (user[i] != canary[i % CANARY_LEN])
			corrupt("canary after the block was overwritten (buffer overflow)");
	data = h.base + page;
	wipe_resident(data, h.data_len, h.backend);
	pthread_mutex_lock(&mu);
	if (h.data_len == page && cache_usable() && cached < CACHE_MAX) {
		cache[cached++] = h.base;
		pthread_mutex_unlock(&mu);
		return;
	}
	pthread_mutex_unlock(&mu);
	if (h.backend == SECMEM_MLOCK)
		munlock(data, h.data_len);
	munmap(h.base, h.total);
}
