/* sdnotify.c - see sdnotify.h. */
#include "lib/core/sdnotify.h"
#include "lib/core/util.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int sdnotify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd, r;

	if (!path || !*path)
		return 0;
	if ((path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(sa.sun_path))
		return fail("NOTIFY_SOCKET: unusable address '%s'", path);
	strcpy(sa.sun_path, path);
	if (path[0] == '@')
		sa.sun_path[0] = 0;	/* abstract namespace */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail("sd_notify: socket: %s", strerror(errno));
	r = (int)sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa, len);
	close(fd);
	if (r < 0)
		return fail("sd_notify: %s: %s", path, strerror(errno));
	return 0;
}

long long sdnotify_watchdog_ms(void)
{
	const char *wd = getenv("WATCHDOG_USEC"), *wpid = getenv("WATCHDOG_PID");
	char *end;
	long long us, pid;

	if (!wd || !*wd)
		return 0;
	if (wpid && *wpid) {
		errno = 0;
		pid = strtoll(wpid, &end, 10);
		if (errno || *end || pid != (long long)getpid())
			return 0;
	}
	errno = 0;
	us = strtoll(wd, &end, 10);
	if (errno || *end || us <= 0)
		return 0;
	if (us / 2000 > 86400000LL)
		return 86400000LL;
	return us < 2000 ? 1 : us / 2000;
}
