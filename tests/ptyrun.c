/* ptyrun - run a command on a pseudo-terminal and answer its prompts, as
 * a person at a terminal would, for the tests of what sesame reads from a
 * TTY (passwords and values without echo).
 *
 *   ptyrun [-r] EXPECT SEND [EXPECT SEND]... -- CMD [ARG]...
 *
 * For each pair: wait (5 s at most) until the command's output holds
 * EXPECT, then type SEND and Enter.  Then read to the end, print all the
 * command wrote to the terminal (so a test can see what was echoed), and
 * exit with its status (128 + signal if a signal ended it; 124 if a
 * prompt never came).  -r: a terminal whose Enter sends CR and whose line
 * discipline does not turn it into NL (ICRNL off), as some serial
 * consoles are.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static char seen[1 << 16];
static size_t nseen;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Read what the command wrote for up to ms; 0 at its end (EIO once the
 * terminal's other side is closed), 1 if it may write more. */
static int drain(int m, int ms)
{
	struct pollfd pf = { m, POLLIN, 0 };
	char buf[4096];
	ssize_t n;

	if (poll(&pf, 1, ms) <= 0)
		return 1;
	if ((n = read(m, buf, sizeof(buf))) <= 0)
		return 0;
	if ((size_t)n > sizeof(seen) - 1 - nseen)
		n = (ssize_t)(sizeof(seen) - 1 - nseen);
	memcpy(seen + nseen, buf, (size_t)n);
	nseen += (size_t)n;
	seen[nseen] = 0;
	return 1;
}

int main(int argc, char **argv)
{
	int cr = 0, i = 1, m, st;
	size_t from = 0;
	struct termios t;
	pid_t pid;
	char *sname;
	long long end;

	if (argc > 1 && !strcmp(argv[1], "-r"))
		cr = 1, i = 2;
	if ((m = posix_openpt(O_RDWR | O_NOCTTY)) < 0 || grantpt(m) < 0 || unlockpt(m) < 0 ||
	    !(sname = ptsname(m)))
		return perror("ptyrun: pty"), 1;
	if (cr && tcgetattr(m, &t) == 0) {
		t.c_iflag &= ~(tcflag_t)ICRNL;
		tcsetattr(m, TCSANOW, &t);
	}
	{
		int j = i;

		while (j < argc && strcmp(argv[j], "--"))
			j++;
		if (j + 1 >= argc || (j - i) % 2)
			return fprintf(stderr, "usage: ptyrun [-r] EXPECT SEND... -- CMD [ARG]...\n"), 2;
		if ((pid = fork()) < 0)
			return perror("ptyrun: fork"), 1;
		if (pid == 0) {
			int s;

			setsid();
			if ((s = open(sname, O_RDWR)) < 0 || ioctl(s, TIOCSCTTY, 0) < 0)
				_exit(126);
			dup2(s, 0), dup2(s, 1), dup2(s, 2);
			if (s > 2)
				close(s);
			close(m);
			execvp(argv[j + 1], argv + j + 1);
			_exit(127);
		}
		for (; i < j; i += 2) {
			end = now_ms() + 5000;
			while (!strstr(seen + from, argv[i]))
				if (now_ms() > end || !drain(m, 50)) {
					fprintf(stderr, "ptyrun: no '%s' in:\n%s\n", argv[i], seen);
					kill(pid, SIGKILL);
					return 124;
				}
			from = (size_t)(strstr(seen + from, argv[i]) - seen) + strlen(argv[i]);
			if (write(m, argv[i + 1], strlen(argv[i + 1])) < 0 || write(m, cr ? "\r" : "\n", 1) < 0)
				return perror("ptyrun: write"), 1;
		}
	}
	/* To the end: once the command is gone, reading gives EIO. */
	end = now_ms() + 10000;
	while (drain(m, 100))
		if (now_ms() > end) {
			fprintf(stderr, "ptyrun: still running after 10 s\n");
			kill(pid, SIGKILL);
			break;
		}
	waitpid(pid, &st, 0);
	fwrite(seen, 1, nseen, stdout);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
