/* atomicfile.c - atomicfile.h. */
#include "lib/core/atomicfile.h"
#include "lib/core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int atomic_write(const char *path, const void *data, size_t len, mode_t mode)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, dfd, e;

	if ((size_t)snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path + (slash == path)) : 1,
		slash ? path : ".") >= sizeof(dir) ||
		(size_t)snprintf(tmp, sizeof(tmp), "%s.%ld.sesame-tmp", path, (long)getpid()) >= sizeof(tmp))
		return fail("%s: the path is too long", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode & 07777)) < 0)
		return fail("%s: cannot create %s: %s", path, tmp, strerror(errno));
	if (fchmod(fd, mode & 07777) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		e = errno;
		close(fd);
		unlink(tmp);
		return fail("%s: cannot write %s: %s", path, tmp, strerror(e));
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		e = errno;
		unlink(tmp);
		return fail("%s: %s", path, strerror(e));
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {	/* the rename itself made durable */
		fsync(dfd);
		close(dfd);
	}
	return 0;
}
