/* prompt.c - see prompt.h. */
#include "lib/cli/prompt.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static int tty_fd = -1;
static struct termios saved;

static void restore(int sig)
{
	tcsetattr(tty_fd, TCSAFLUSH, &saved);
	(void)!write(tty_fd, "\n", 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Read up to a newline from fd into buf (max bytes); -1 on overflow. */
static ssize_t read_line(int fd, uint8_t *buf, size_t max)
{
	size_t n = 0;

	for (;;) {
		uint8_t ch;
		ssize_t r = read(fd, &ch, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return n ? (ssize_t)n : -2;	/* -2: end of input */
		if (ch == '\n')
			return (ssize_t)n;
		if (n == max)
			return -1;
		buf[n++] = ch;
	}
}

static uint8_t *tty_line(const char *prompt, size_t max, size_t *len)
{
	uint8_t *buf = secmem_alloc(max + 1);
	struct termios quiet;
	ssize_t n;

	if (!buf)
		return NULL;
	tcgetattr(tty_fd, &saved);
	quiet = saved;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	quiet.c_iflag |= ICRNL;	/* Enter may send CR (serial consoles) */
	signal(SIGINT, restore);
	signal(SIGTERM, restore);
	/* Echo off before the prompt shows: an answer typed as soon as it
	 * appears (a script, a quick hand) would be echoed, and then thrown
	 * away by TCSAFLUSH, leaving the read waiting for ever. */
	tcsetattr(tty_fd, TCSAFLUSH, &quiet);
	(void)!write(tty_fd, prompt, strlen(prompt));
	n = read_line(tty_fd, buf, max);
	tcsetattr(tty_fd, TCSAFLUSH, &saved);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	(void)!write(tty_fd, "\n", 1);
	if (n < 0) {
		secmem_free(buf);
		return fail(n == -1 ? "input longer than %zu bytes" : "no input", max), NULL;
	}
	*len = (size_t)n;
	return buf;
}

static int open_tty(void)
{
	if (tty_fd < 0 && isatty(STDIN_FILENO))
		tty_fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	return tty_fd;
}

uint8_t *prompt_secret(const char *prompt, int confirm, size_t max, size_t *len)
{
	uint8_t *a, *b;
	size_t la, lb;
	ssize_t n;

	if (open_tty() < 0) {
		if (!(a = secmem_alloc(max + 1)))
			return NULL;
		n = read_line(STDIN_FILENO, a, max);
		if (n <= 0) {
			secmem_free(a);
			return fail(n == -1 ? "input longer than %zu bytes" : "no input on standard input", max), NULL;
		}
		*len = (size_t)n;
		return a;
	}
	if (!(a = tty_line(prompt, max, &la)))
		return NULL;
	if (la == 0) {
		secmem_free(a);
		return fail("empty input"), NULL;
	}
	if (confirm) {
		if (!(b = tty_line("Again: ", max, &lb))) {
			secmem_free(a);
			return NULL;
		}
		if (la != lb || sodium_memcmp(a, b, la)) {
			secmem_free(a);
			secmem_free(b);
			return fail("the two entries do not match"), NULL;
		}
		secmem_free(b);
	}
	*len = la;
	return a;
}

uint8_t *prompt_value(const char *prompt, size_t max, size_t *len)
{
	uint8_t *buf;
	size_t n = 0;

	if (open_tty() >= 0)
		return tty_line(prompt, max, len);
	if (std_fd_was_closed(STDIN_FILENO))
		return fail("standard input is closed: give the value on it, or run on a terminal"), NULL;
	if (!(buf = secmem_alloc(max + 2)))
		return NULL;
	for (;;) {
		ssize_t r = read(STDIN_FILENO, buf + n, max + 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			secmem_free(buf);
			return fail("cannot read standard input: %s", strerror(errno)), NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			/* One byte over is fine if it is the trailing newline. */
			if (n == max + 1 && buf[max] == '\n')
				break;
			secmem_free(buf);
			return fail("value longer than %zu bytes", max), NULL;
		}
	}
	if (n && buf[n - 1] == '\n')
		n--;
	*len = n;
	return buf;
}
