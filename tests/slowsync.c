/* slowsync.so - LD_PRELOAD for the tests: fdatasync (the audit log's, and
 * SQLite's) takes SLOWSYNC_MS milliseconds longer, as on a slow SD card,
 * and says so on stderr, so a test can prove the slow sync happened. */
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int fdatasync(int fd);

int fdatasync(int fd)
{
	static int (*real)(int);
	const char *v = getenv("SLOWSYNC_MS");
	long ms = v ? atol(v) : 0;
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000L };
	static const char note[] = "slowsync: a slow fdatasync\n";

	if (!real && !(real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync")))
		abort();
	if (ms > 0) {
		ssize_t w = write(2, note, sizeof(note) - 1);	/* best effort */

		(void)w;
		nanosleep(&ts, NULL);
	}
	return real(fd);
}
