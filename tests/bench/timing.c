/* timing - measurements for make bench, always against a baseline taken
 * in the same run, interleaved so that machine noise hits both alike.
 *
 *   timing exec N CMD_A... -- CMD_B...
 *       fork+exec+wait each command N times, alternating; prints
 *       "a_p50_us= a_p95_us= b_p50_us= b_p95_us= ratio_p50=" (b over a)
 *   timing samples N CMD...
 *       fork+exec+wait CMD N times; prints each run's microseconds, one
 *       per line (for distributions and plots)
 *   timing rounds N DIR FILE
 *       FILE has one command per line, "NAME CMD ARGS..." (no spaces
 *       inside arguments; NAME=VALUE words before CMD go into its
 *       environment); N rounds, each running every command once in
 *       an order shuffled anew, so that the machine's state (a CPU waking
 *       from idle, the caches, what ran just before) falls on all of them
 *       alike; appends each run's microseconds to DIR/NAME.txt
 *   timing echo N
 *       round trips of a 16-byte message over a Unix stream socket to an
 *       echo process: the floor for any local IPC; prints "p50_us= p95_us="
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static long long pct(long long *v, int n, int p)
{
	qsort(v, n, sizeof(*v), cmp);
	return v[(long)n * p / 100 < n ? (long)n * p / 100 : n - 1];
}

static long long run_once(char **argv)
{
	long long t = now_ns();
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 1);
		for (; strchr(argv[0], '=') && argv[1]; argv++)
			putenv(argv[0]);	/* NAME=VALUE words before the command */
		execv(argv[0], argv);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "timing: %s failed (status %d)\n", argv[0], st);
		exit(1);
	}
	return now_ns() - t;
}

static int cmd_exec(int n, char **a, char **b)
{
	long long *ta = calloc(n, sizeof(*ta)), *tb = calloc(n, sizeof(*tb));
	long long a50, a95, b50, b95;

	for (int i = 0; i < 5; i++)	/* warm the page cache */
		run_once(a), run_once(b);
	for (int i = 0; i < n; i++) {
		ta[i] = run_once(a);
		tb[i] = run_once(b);
	}
	a50 = pct(ta, n, 50), a95 = pct(ta, n, 95), b50 = pct(tb, n, 50), b95 = pct(tb, n, 95);
	printf("a_p50_us=%lld a_p95_us=%lld b_p50_us=%lld b_p95_us=%lld ratio_p50=%.2f\n",
		a50 / 1000, a95 / 1000, b50 / 1000, b95 / 1000, (double)b50 / (double)a50);
	return 0;
}

static int cmd_echo(int n)
{
	int sv[2];
	char msg[16] = "0123456789abcdef", back[16];
	long long *t = calloc(n, sizeof(*t));
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return perror("socketpair"), 1;
	if ((pid = fork()) == 0) {
		close(sv[0]);
		for (;;) {
			ssize_t r = read(sv[1], back, sizeof(back));

			if (r <= 0 || write(sv[1], back, r) != r)
				_exit(0);
		}
	}
	close(sv[1]);
	for (int i = 0; i < n + 100; i++) {
		long long s = now_ns();
		size_t got = 0;

		if (write(sv[0], msg, sizeof(msg)) != sizeof(msg))
			return perror("write"), 1;
		while (got < sizeof(back)) {
			ssize_t r = read(sv[0], back + got, sizeof(back) - got);

			if (r <= 0)
				return perror("read"), 1;
			got += r;
		}
		if (i >= 100)
			t[i - 100] = now_ns() - s;
	}
	close(sv[0]);
	waitpid(pid, NULL, 0);
	printf("p50_us=%.1f p95_us=%.1f\n", pct(t, n, 50) / 1000.0, pct(t, n, 95) / 1000.0);
	return 0;
}

static int samples(int n, char **argv)
{
	run_once(argv);		/* warm the page cache and the daemons */
	for (int i = 0; i < n; i++)
		printf("%lld\n", run_once(argv) / 1000);
	return fflush(stdout) ? 1 : 0;
}

#define MAX_CMDS 16
#define MAX_ARGS 32

/* timing rounds: every command of file once per round, n rounds. */
static int rounds(int n, const char *dir, const char *file)
{
	static char lines[MAX_CMDS][1024];
	char *argv[MAX_CMDS][MAX_ARGS + 1], path[4096];
	FILE *f = fopen(file, "r"), *out[MAX_CMDS];
	int nc = 0;

	if (!f)
		return perror(file), 1;
	while (nc < MAX_CMDS && fgets(lines[nc], sizeof(lines[nc]), f)) {
		int na = 0;

		for (char *t = strtok(lines[nc], " \t\n"); t && na < MAX_ARGS; t = strtok(NULL, " \t\n"))
			argv[nc][na++] = t;
		if (na < 2)
			continue;	/* a blank line, or a name with no command */
		argv[nc][na] = NULL;
		snprintf(path, sizeof(path), "%s/%s.txt", dir, argv[nc][0]);
		if (!(out[nc] = fopen(path, "a")))
			return perror(path), 1;
		nc++;
	}
	fclose(f);
	for (int c = 0; c < nc; c++)
		run_once(argv[c] + 1);	/* warm the page cache and the daemons */
	srand((unsigned)now_ns());
	for (int i = 0; i < n; i++) {
		int order[MAX_CMDS];

		for (int c = 0; c < nc; c++)
			order[c] = c;
		for (int c = nc - 1; c > 0; c--) {	/* Fisher-Yates */
			int r = rand() % (c + 1), t = order[c];

			order[c] = order[r], order[r] = t;
		}
		for (int k = 0; k < nc; k++)
			fprintf(out[order[k]], "%lld\n", run_once(argv[order[k]] + 1) / 1000);
	}
	for (int c = 0; c < nc; c++)
		if (fclose(out[c]))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[1], "exec")) {
		int n = atoi(argv[2]), i;

		for (i = 3; i < argc && strcmp(argv[i], "--"); i++)
			;
		if (i >= argc - 1 || n < 1)
			return fprintf(stderr, "usage: timing exec N CMD_A... -- CMD_B...\n"), 2;
		argv[i] = NULL;
		return cmd_exec(n, argv + 3, argv + i + 1);
	}
	if (argc >= 4 && !strcmp(argv[1], "samples") && atoi(argv[2]) > 0)
		return samples(atoi(argv[2]), argv + 3);
	if (argc == 5 && !strcmp(argv[1], "rounds") && atoi(argv[2]) > 0)
		return rounds(atoi(argv[2]), argv[3], argv[4]);
	if (argc == 3 && !strcmp(argv[1], "echo"))
		return cmd_echo(atoi(argv[2]) > 0 ? atoi(argv[2]) : 1000);
	fprintf(stderr, "usage: timing exec N CMD_A... -- CMD_B... | timing samples N CMD... | "
		"timing rounds N DIR FILE | timing echo N\n");
	return 2;
}
