/* hostile.c - buspeer as a hostile peer: stall, garbage, huge, noread,
 * batch-noread, hold, without, traced, capture, replay (main.c lists the
 * modes). */
#include "buspeer.h"
#include "lib/bus/bus.h"
#include "lib/bus/noise.h"
#include "lib/bus/wire.h"
#include "lib/core/paths.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"
#include "lib/store/vault.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Wait until the hub closes fd (read returns 0 or an error); print how
 * long that took.  Gives up after 60 s. */
static int wait_closed(int fd, long long since)
{
	char junk[4096];

	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&p, 1, 60000) <= 0)
			die("not disconnected within 60 s");
		n = recv(fd, junk, sizeof(junk), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			break;
	}
	printf("closed_after_ms=%lld\n", (now_us() - since) / 1000);
	return 0;
}

int cmd_hostile(const char *mode)
{
	int fd = raw_connect();
	long long t0 = now_us();

	if (!strcmp(mode, "garbage")) {
		uint8_t f[4 + 96];

		wire_frame_header(f, 96);
		randombytes_buf(f + 4, 96);
		(void)!write(fd, f, sizeof(f));
	} else if (!strcmp(mode, "huge")) {
		uint8_t f[4 + 64];

		wire_frame_header(f, 16u << 20);
		memset(f + 4, 'x', 64);
		(void)!write(fd, f, sizeof(f));
	}
	return wait_closed(fd, t0);
}

/* Handshake properly, then send requests with large replies and never
 * read: the hub must cut us off once its queue for us is full or stuck. */
int cmd_noread(void)
{
	static uint8_t data[60000], frame[4 + WIRE_MAX_FRAME];
	struct bus_client *c = connect_or_die(NULL);
	int fd = bus_fd(c);
	long long t0 = now_us();

	(void)frame;
	for (uint32_t id = 1; ; id++) {
		struct pollfd p = { fd, POLLOUT | POLLRDHUP, 0 };

		wire_begin(&TT.out, WIRE_PING, 0, id);
		wire_put(&TT.out, WF_DATA, data, sizeof(data));
		/* Send only when the socket takes it, so we never block. */
		if (poll(&p, 1, 60000) <= 0)
			die("noread: stuck for 60 s without being disconnected");
		if (p.revents & (POLLRDHUP | POLLHUP | POLLERR))
			break;
		if (bus_send(c, &TT.out) < 0)
			break;
	}
	printf("closed_after_ms=%lld\n", (now_us() - t0) / 1000);
	bus_close(c);
	return 0;
}

int cmd_batch_noread(long n)
{
	struct bus_client *c = send_batch(WIRE_PROFILE_LIST, n);
	struct wire_msg m;
	long got = 0;
	int r = 0;

	sleep(1);	/* reading nothing after message 2 */
	while (got < n && (r = bus_recv(c, TT.buf, &m, BUS_CLI_TIMEOUT_MS)) == 0)
		got++;
	printf("replies=%ld exit=%d\n", got, r < 0 ? last_exit() : 0);
	bus_close(c);
	return 0;
}

static int type_by_name(const char *name)
{
	for (int t = 1; t < 256; t++)
		if (!strcmp(wire_type_name((uint8_t)t), name))
			return t;
	die("no request type named %s", name);
}

int cmd_capture(const char *type, const char *profile, const char *file)
{
	struct noise_protocol proto;
	struct noise_handshake *hs;
	uint8_t psk[32], frame[4 + 1 + 1024];
	char path[PATH_MAX];
	size_t n;
	FILE *f;

	paths_join(path, TT.p.runtime, "cli.psk");
	if (bus_read_key(path, psk) < 0)
		die("%s", last_error());
	wire_begin(&TT.out, (uint8_t)type_by_name(type), 0, 1);
	wire_put_str(&TT.out, WF_PROFILE, profile);
	wire_put_str(&TT.out, WF_KEY, "k");
	if (wire_end(&TT.out) < 0 || noise_protocol_parse(WIRE_NOISE_CLI, &proto) < 0 ||
	    !(hs = noise_handshake_new(&proto, 1, (const uint8_t *)WIRE_PROLOGUE, strlen(WIRE_PROLOGUE))) ||
	    noise_add_psk(hs, psk) < 0 ||
	    noise_write_message(hs, TT.out.buf, TT.out.len, frame + 5, sizeof(frame) - 5, &n) < 0)
		die("%s", last_error());
	frame[4] = WIRE_HS_CLI;
	wire_frame_header(frame, (uint32_t)(n + 1));
	if (!(f = fopen(file, "w")) || fwrite(frame, 1, n + 5, f) != n + 5 || fclose(f) != 0)
		die("%s: %s", file, strerror(errno));
	noise_handshake_free(hs);
	return 0;
}

int cmd_replay(const char *file)
{
	uint8_t frame[2048], hdr[4];
	struct pollfd pfd;
	size_t n;
	int fd, answered = 0;
	FILE *f = fopen(file, "r");

	if (!f || (n = fread(frame, 1, sizeof(frame), f)) < 5)
		die("%s: cannot read", file);
	fclose(f);
	fd = raw_connect();
	if (write(fd, frame, n) != (ssize_t)n)
		die("write: %s", strerror(errno));
	pfd = (struct pollfd){ fd, POLLIN, 0 };
	if (poll(&pfd, 1, 2000) == 1 && read(fd, hdr, 4) == 4)
		answered = 1;
	usleep(500 * 1000);
	printf("answered=%d\n", answered);
	close(fd);
	return 0;
}

/* raw_connect, but -1 when the hub is full rather than dying. */
static int try_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	paths_join(sa.sun_path, TT.p.runtime, "bus.sock");
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) >= 0 &&
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* An idle connection: handshake and one ping, then nothing. */
static struct bus_client *idle_connect(void)
{
	struct bus_client *c = bus_connect(&TT.p, NULL, 1000);
	struct wire_msg m;

	if (c) {
		wire_begin(&TT.out, WIRE_PING, 0, 0);
		if (bus_request(c, &TT.out, TT.buf, &m, 1000) < 0) {
			bus_close(c);
			c = NULL;
		}
	}
	return c;
}

static void hold_one(int idle, int stall, long ms)
{
	int n = idle + stall;
	struct bus_client **cl = calloc((size_t)n, sizeof(*cl));
	int *fd = calloc((size_t)n, sizeof(*fd));
	struct pollfd *pfd = calloc((size_t)n, sizeof(*pfd));
	long long end = now_us() + ms * 1000;
	long remade = 0;
	int held = 0;

	for (int i = 0; i < n; i++) {
		cl[i] = i < idle ? idle_connect() : NULL;
		fd[i] = i < idle ? (cl[i] ? bus_fd(cl[i]) : -1) : try_connect();
	}
	while (now_us() < end) {
		for (int i = 0; i < n; i++)
			pfd[i] = (struct pollfd){ fd[i], POLLIN, 0 };
		poll(pfd, (nfds_t)n, 100);
		for (int i = 0; i < n && now_us() < end; i++) {
			if (fd[i] >= 0 && !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			/* Closed by the hub (or never opened): make it again. */
			if (i < idle) {
				bus_close(cl[i]);
				cl[i] = idle_connect();
				fd[i] = cl[i] ? bus_fd(cl[i]) : -1;
			} else {
				if (fd[i] >= 0)
					close(fd[i]);
				fd[i] = try_connect();
			}
			remade++;
		}
		/* Remade within 20 ms, not in a spin: what is measured is the
		 * hub's slots, not the scheduler's share for 40 busy loops. */
		usleep(20 * 1000);
	}
	for (int i = 0; i < n; i++)
		held += fd[i] >= 0;
	printf("held=%d remade=%ld\n", held, remade);
	fflush(stdout);
}

/* Run argv where the kernel seems to lack a feature: a seccomp filter
 * (inherited, and kept across exec) makes its syscalls fail with ENOSYS,
 * as on a kernel built without it.  landlock: landlock_create_ruleset,
 * _add_rule, restrict_self; memfd_secret.  (These numbers are the same
 * on x86_64 and aarch64.) */
int cmd_without(const char *what, char **argv)
{
	int nrs[4], n = 0;
	struct sock_filter f[16];
	struct sock_fprog prog;
	unsigned k = 0;

	if (!strcmp(what, "landlock"))
		nrs[n++] = 444, nrs[n++] = 445, nrs[n++] = 446;
	else if (!strcmp(what, "memfd_secret"))
		nrs[n++] = 447;
	else
		die("without: landlock or memfd_secret");
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	for (int i = 0; i < n; i++)
		f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nrs[i], (unsigned)(n - i), 0);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
	prog = (struct sock_fprog){ (unsigned short)k, f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		die("without %s: %s", what, strerror(errno));
	execvp(argv[0], argv);
	die("%s: %s", argv[0], strerror(errno));
}

/* Run argv under this process as its tracer (as a debugger or strace
 * would), passing its signals on, until it ends; its exit status. */
int cmd_traced(char **argv)
{
	pid_t child = fork();
	int st;

	if (child < 0)
		die("fork: %s", strerror(errno));
	if (child == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
			die("PTRACE_TRACEME: %s", strerror(errno));
		execvp(argv[0], argv);
		die("%s: %s", argv[0], strerror(errno));
	}
	printf("tracer=%d traced=%d\n", (int)getpid(), (int)child);
	fflush(stdout);
	while (waitpid(child, &st, 0) == child) {
		if (WIFEXITED(st))
			return WEXITSTATUS(st);
		if (WIFSIGNALED(st))
			return 128 + WTERMSIG(st);
		if (WIFSTOPPED(st))
			ptrace(PTRACE_CONT, child, NULL,
				(void *)(long)(WSTOPSIG(st) == SIGTRAP ? 0 : WSTOPSIG(st)));
	}
	return 1;
}

int cmd_hold(long idle, long stall, long procs, long ms)
{
	if (procs < 1 || idle < 0 || stall < 0)
		die("hold: bad numbers");
	for (long p = 0; p < procs; p++) {
		pid_t pid = fork();

		if (pid == 0) {
			hold_one((int)(idle / procs), (int)(stall / procs), ms);
			_exit(0);
		}
	}
	while (wait(NULL) > 0)
		;
	return 0;
}
