/* Unit tests for lib/spawn: the spawner starts what it is sent, in the
 * directory and with the environment it is sent, refuses a malformed
 * request and goes on serving, and ends with its launcher. */
#include "applets/launcher/spawn.h"
#include "lib/core/util.h"
#include "tap.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Wait up to 5 s for path to hold something; its first line into out. */
static int wait_file(const char *path, char *out, size_t n)
{
	for (int i = 0; i < 500; i++) {
		FILE *f = fopen(path, "r");

		if (f) {
			int got = fgets(out, (int)n, f) != NULL;

			fclose(f);
			if (got) {
				out[strcspn(out, "\n")] = 0;
				return 0;
			}
		}
		usleep(10000);
	}
	return -1;
}

int main(void)
{
	char dir[] = "/tmp/sesame-unit-spawn.XXXXXX", path[128], line[256], script[256];
	char *argv[] = { "/bin/sh", "-c", script, NULL };
	char *envp[] = { "SPAWN_TEST=from-the-request", "PATH=/usr/bin:/bin", NULL };
	char *nope[] = { "/nonexistent/program", NULL };
	uint8_t bad[] = { 0, 0, 0, 8, 'S', 'S', 'P', '1', 0, 0, 0, 9 };
	uint8_t reply[8];
	int fd;
	pid_t pid;
	struct spawn_req r;

	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(dir))
		return perror("mkdtemp"), 1;
	snprintf(path, sizeof(path), "%s/out", dir);
	snprintf(script, sizeof(script), "echo \"$SPAWN_TEST $(pwd)\" >%s", path);
	fd = spawner_start();
	ok(fd >= 0, "the spawner starts");
	pid = spawn_request(fd, dir, argv, envp);
	ok(pid > 0, "a request is started (pid %d)", (int)pid);
	ok(wait_file(path, line, sizeof(line)) == 0 && !strncmp(line, "from-the-request ", 17) &&
		strstr(line, dir), "with the environment and the directory it was sent (%s)", line);
	pid = spawn_request(fd, dir, nope, envp);
	ok(pid < 0 && strstr(last_error(), "cannot run /nonexistent/program: No such file"),
		"a program that cannot run: the exec's errno comes back (%s)", last_error());
	/* A malformed request, as a compromised launcher could send it. */
	ok(write(fd, bad, sizeof(bad)) == (ssize_t)sizeof(bad) && read(fd, reply, 8) == 8 && reply[3] == 2 &&
		reply[7] == EINVAL, "a malformed request is refused (EINVAL) ...");
	pid = spawn_request(fd, "relative", argv, envp);
	ok(pid < 0 && strstr(last_error(), "Invalid argument"), "... and so is a relative directory ...");
	unlink(path);
	ok(spawn_request(fd, dir, argv, envp) > 0 && wait_file(path, line, sizeof(line)) == 0,
		"... and the spawner goes on serving");

	ok(spawn_decode((const uint8_t *)"SSP1\0\0\0\1\0\0\0\1/\0x\0noequals\0", 25, &r) < 0 &&
		strstr(last_error(), "not NAME=value"), "a variable without '=' is refused: %s", last_error());
	ok(spawn_decode((const uint8_t *)"SSP1\377\377\377\377\0\0\0\0/\0", 14, &r) < 0,
		"an argument count past the limit is refused before anything is allocated: %s", last_error());
	ok(spawn_decode((const uint8_t *)"SSP1\0\0\0\1\0\0\0\0/\0x\0junk", 20, &r) < 0 &&
		strstr(last_error(), "after the last"), "bytes after the last string are refused: %s", last_error());
	{
		int st = -1;
		pid_t w;

		close(fd);	/* the launcher goes: so does its spawner */
		alarm(5);
		w = wait(&st);
		alarm(0);
		ok(w > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "the spawner ends when its launcher's end closes");
	}
	unlink(path);
	rmdir(dir);
	return done_testing();
}
