/* keyfile.c - see keyfile.h. */
#include "lib/store/keyfile.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

uint8_t *keyfile_read(const char *path)
{
	struct stat st;
	uint8_t *key, extra;
	size_t got = 0;
	ssize_t n;
	int fd;

	if (path[0] != '/')
		return fail("key file %s: the path must be absolute", path), NULL;
	/* O_NONBLOCK: a FIFO put in its place opens at once, then is refused. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY)) < 0)
		return fail("key file %s: %s", path, errno == ELOOP ? "a symbolic link (give the file itself)" :
			strerror(errno)), NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail("key file %s: not a regular file", path), NULL;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		close(fd);
		return fail("key file %s: owned by uid %u, neither root nor you", path, (unsigned)st.st_uid), NULL;
	}
	if (st.st_mode & 077) {
		close(fd);
		return fail("key file %s: open to others (mode %04o, want 0400 or 0600): chmod 400 it", path,
			(unsigned)(st.st_mode & 07777)), NULL;
	}
	if (st.st_size != KEYFILE_LEN) {
		close(fd);
		return fail("key file %s: %lld bytes, not %d", path, (long long)st.st_size, KEYFILE_LEN), NULL;
	}
	if (!(key = secmem_alloc(KEYFILE_LEN))) {
		close(fd);
		return NULL;
	}
	while (got < KEYFILE_LEN) {
		if ((n = read(fd, key + got, KEYFILE_LEN - got)) < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got != KEYFILE_LEN || read(fd, &extra, 1) != 0) {
		close(fd);
		secmem_free(key);
		return fail("key file %s: cannot read its %d bytes (it changed while read?)", path, KEYFILE_LEN), NULL;
	}
	close(fd);
	return key;
}

int keyfile_create(const char *path)
{
	uint8_t key[KEYFILE_LEN];
	int fd, r = 0;

	if (path[0] != '/')
		return fail("key file %s: the path must be absolute", path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0400)) < 0)
		return fail("key file %s: %s", path, errno == EEXIST ? "exists already (enroll it without --create)" :
			strerror(errno));
	randombytes_buf(key, sizeof(key));
	if (write_all(fd, key, sizeof(key)) < 0 || fsync(fd) < 0)
		r = fail("key file %s: %s", path, strerror(errno));
	sodium_memzero(key, sizeof(key));
	if (close(fd) < 0 && !r)
		r = fail("key file %s: %s", path, strerror(errno));
	if (r)
		unlink(path);
	return r;
}
