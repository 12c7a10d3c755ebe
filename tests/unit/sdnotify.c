/* Unit tests for lib/sdnotify: datagrams reach a path or abstract socket;
 * without NOTIFY_SOCKET nothing is sent and nothing fails. */
#include "lib/core/sdnotify.h"
#include "lib/core/util.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int listener(const char *name, int abstract)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	socklen_t len;

	strcpy(sa.sun_path + (abstract ? 1 : 0), name);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(name) + (abstract ? 1 : 0));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, len) < 0)
		return -1;
	return fd;
}

static int got(int fd, const char *want)
{
	char buf[256];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	if (n < 0)
		return 0;
	buf[n] = 0;
	return !strcmp(buf, want);
}

static const struct {
	const char *usec;
	long long ms;
	const char *what;
} wd[] = {
	{ "30000000", 15000, "every 15000 ms" },
	{ "1500", 1, "every 1 ms, never 0 (which would mean none)" },
	{ "99999999999999999", 86400000, "once a day (it must fit a poll timeout)" },
	{ "999999999999999999999", 0, "one past 64 bits: none" },
	{ "-5000000", 0, "none (a role's poll used to wait for ever)" },
	{ "30s", 0, "not a number: none" },
};

int main(void)
{
	char path[128], env[80];
	int fd;

	unsetenv("NOTIFY_SOCKET");
	ok(sdnotify("READY=1") == 0, "without NOTIFY_SOCKET, sdnotify is a silent no-op");

	snprintf(path, sizeof(path), "/tmp/sesame-notify-%d", (int)getpid());
	unlink(path);
	fd = listener(path, 0);
	setenv("NOTIFY_SOCKET", path, 1);
	ok(fd >= 0 && sdnotify("READY=1\nSTATUS=bus up") == 0 && got(fd, "READY=1\nSTATUS=bus up"),
		"a path socket receives the state as one datagram");
	close(fd);
	unlink(path);

	snprintf(env, sizeof(env), "sesame-notify-abstract-%d", (int)getpid());
	fd = listener(env, 1);
	snprintf(path, sizeof(path), "@%s", env);
	setenv("NOTIFY_SOCKET", path, 1);
	ok(fd >= 0 && sdnotify("WATCHDOG=1") == 0 && got(fd, "WATCHDOG=1"), "an abstract socket (@name) works too");
	close(fd);

	setenv("NOTIFY_SOCKET", "relative/path", 1);
	ok(sdnotify("READY=1") < 0 && strstr(last_error(), "unusable"), "a malformed NOTIFY_SOCKET is reported");

	/* WATCHDOG_USEC: half of it, in ms; anything odd is no watchdog. */
	unsetenv("WATCHDOG_PID");
	unsetenv("WATCHDOG_USEC");
	ok(sdnotify_watchdog_ms() == 0, "no WATCHDOG_USEC: no watchdog");
	for (size_t i = 0; i < sizeof(wd) / sizeof(wd[0]); i++) {
		setenv("WATCHDOG_USEC", wd[i].usec, 1);
		ok(sdnotify_watchdog_ms() == wd[i].ms, "WATCHDOG_USEC=%s: %s", wd[i].usec, wd[i].what);
	}
	setenv("WATCHDOG_USEC", "30000000", 1);
	snprintf(env, sizeof(env), "%d", (int)getpid() + 1);
	setenv("WATCHDOG_PID", env, 1);
	ok(sdnotify_watchdog_ms() == 0, "WATCHDOG_PID of another process: none");
	snprintf(env, sizeof(env), "%d", (int)getpid());
	setenv("WATCHDOG_PID", env, 1);
	ok(sdnotify_watchdog_ms() == 15000, "WATCHDOG_PID of this one: the watchdog");
	return done_testing();
}
