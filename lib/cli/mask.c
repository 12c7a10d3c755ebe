/* mask.c - a command's output with its secrets concealed (mask.h). */
#include "lib/cli/mask.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

void masker_init(struct masker *k, const struct mask_set *m)
{
	memset(k, 0, sizeof(*k));
	k->m = m;
	for (int i = 0; i < m->n; i++)
		if (m->len[i] >= MASK_MIN)
			k->first[m->v[i][0]] = 1;
}

void masker_free(struct masker *k)
{
	if (k->pend)
		secmem_free(k->pend);
	k->pend = NULL;
	k->npend = k->cap = 0;
}

void masker_feed(struct masker *k, const uint8_t *d, size_t n, int final, mask_emit emit, void *ctx)
{
	const struct mask_set *m = k->m;
	size_t i = 0, from = 0, len;
	uint8_t *b;

	if (k->npend + n > k->cap) {	/* the held bytes and the new ones, together */
		size_t cap = k->cap ? k->cap : 4096;
		uint8_t *nb;

		while (cap < k->npend + n)
			cap *= 2;
		nb = xsecmem_alloc(cap);
		if (k->npend)
			memcpy(nb, k->pend, k->npend);
		if (k->pend)
			secmem_free(k->pend);
		k->pend = nb, k->cap = cap;
	}
	if (n)
		memcpy(k->pend + k->npend, d, n);
	b = k->pend;
	len = k->npend + n;
	k->npend = 0;
	while (i < len) {
		size_t best = 0;
		int wait = 0;

		if (!k->first[b[i]]) {
			i++;
			continue;
		}
		for (int v = 0; v < m->n; v++) {
			size_t vl = m->len[v];

			if (vl < MASK_MIN)
				continue;
			if (vl <= len - i) {
				if (vl > best && !memcmp(b + i, m->v[v], vl))
					best = vl;
			} else if (!final && !memcmp(b + i, m->v[v], len - i)) {
				wait = 1;	/* could still become this one */
			}
		}
		if (wait) {
			if (i > from)
				emit(ctx, b + from, i - from);
			memmove(b, b + i, len - i);
			k->npend = len - i;
			sodium_memzero(b + k->npend, i);
			return;
		}
		if (best) {
			if (i > from)
				emit(ctx, b + from, i - from);
			emit(ctx, (const uint8_t *)MASK_TEXT, sizeof(MASK_TEXT) - 1);
			i += best;
			from = i;
			continue;
		}
		i++;
	}
	if (len > from)
		emit(ctx, b + from, len - from);
	sodium_memzero(b, len);	/* what passed is wiped from the buffer too */
}

/* --- the relay -------------------------------------------------------- */

struct chan {
	int out;		/* sesame's fd: 1 or 2 */
	int broken;		/* it could not be written (a reader gone) */
	int rd;			/* our end, -1 once closed */
	int child;		/* the child's end */
	int pty;
	struct masker k;
};

static void emit_fd(void *ctx, const uint8_t *s, size_t n)
{
	struct chan *c = ctx;

	if (!c->broken && write_all(c->out, s, n) < 0)
		c->broken = 1;
}

/* A pseudo-terminal for fd if it is a terminal (its size copied), else
 * a pipe.  0, or -1 with a reason. */
static int chan_open(struct chan *c, int fd)
{
	c->out = fd;
	c->rd = c->child = -1;
	c->pty = isatty(fd);
	if (c->pty) {
		struct winsize ws;
		struct termios t;
		char *name;

		if ((c->rd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0 || grantpt(c->rd) < 0 ||
			unlockpt(c->rd) < 0 || !(name = ptsname(c->rd)) ||
			(c->child = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
			return fail("a pseudo-terminal: %s", strerror(errno));
		if (ioctl(fd, TIOCGWINSZ, &ws) == 0)
			ioctl(c->child, TIOCSWINSZ, &ws);
		if (tcgetattr(c->child, &t) == 0) {	/* output as written: no \n to \r\n twice */
			t.c_oflag &= ~(tcflag_t)ONLCR;
			tcsetattr(c->child, TCSANOW, &t);
		}
		return 0;
	}
	{
		int p[2];

		if (pipe2(p, O_CLOEXEC) < 0)
			return fail("a pipe: %s", strerror(errno));
		c->rd = p[0], c->child = p[1];
	}
	return 0;
}

int mask_run(char **argv, const struct mask_set *m)
{
	struct chan ch[2];
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_int, old_quit, old_pipe;
	int status, live = 2;
	pid_t pid;

	memset(ch, 0, sizeof(ch));
	if (chan_open(&ch[0], 1) < 0 || chan_open(&ch[1], 2) < 0)
		return -1;
	masker_init(&ch[0].k, m);
	masker_init(&ch[1].k, m);
	sigaction(SIGINT, &ign, &old_int);	/* Ctrl-C is the command's to take */
	sigaction(SIGQUIT, &ign, &old_quit);
	sigaction(SIGPIPE, &ign, &old_pipe);	/* a reader gone is seen as EPIPE */
	if ((pid = fork()) < 0)
		return fail("fork: %s", strerror(errno));
	if (pid == 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		sigaction(SIGPIPE, &old_pipe, NULL);
		if (dup2(ch[0].child, 1) < 0 || dup2(ch[1].child, 2) < 0)
			_exit(127);
		execvp(argv[0], argv);
		{
			int e = errno;
			char msg[600];

			snprintf(msg, sizeof(msg), "sesame: env: cannot run %.400s: %s\n", argv[0], strerror(e));
			write_all(2, msg, strlen(msg));
			_exit(e == ENOENT ? 127 : 126);
		}
	}
	close(ch[0].child);
	close(ch[1].child);
	while (live) {
		struct pollfd pf[2];
		int held = 0, r;

		for (int i = 0; i < 2; i++) {
			pf[i] = (struct pollfd){ ch[i].rd, POLLIN, 0 };
			held |= ch[i].k.npend > 0;
		}
		r = poll(pf, 2, held ? 100 : -1);
		if (r < 0 && errno == EINTR)
			continue;
		for (int i = 0; i < 2; i++) {
			uint8_t buf[4096];
			ssize_t n;

			if (ch[i].rd < 0)
				continue;
			if (r == 0) {	/* 100 ms and nothing more: out with what was held */
				masker_feed(&ch[i].k, NULL, 0, 1, emit_fd, &ch[i]);
				continue;
			}
			if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(ch[i].rd, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {	/* EOF, or EIO from a pty nobody holds any more */
				masker_feed(&ch[i].k, NULL, 0, 1, emit_fd, &ch[i]);
				close(ch[i].rd);
				ch[i].rd = -1;
				live--;
				continue;
			}
			masker_feed(&ch[i].k, buf, (size_t)n, 0, emit_fd, &ch[i]);
			sodium_memzero(buf, (size_t)n);
			if (ch[i].broken) {	/* as a pipe would: the command's next write gets EPIPE */
				close(ch[i].rd);
				ch[i].rd = -1;
				live--;
			}
		}
	}
	masker_free(&ch[0].k);
	masker_free(&ch[1].k);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
