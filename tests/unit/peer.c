/* Unit tests for lib/peer: the /proc parsers on real and hostile text,
 * the command-line dispatch as sesame.c does it, and the checker on live
 * processes: this one, a traced child, one gone. */
#include "applets/profile/peer.h"
#include "lib/core/util.h"
#include "tap.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

static int is_applet(const char *name)
{
	static const char *const known[] = { "daemon-secrets", "daemon-snippets", "secret", "daemon", "env" };

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(name, known[i]))
			return 1;
	return 0;
}

static const char *role_of(const char *cmdline, size_t len)
{
	static char role[24];

	if (peer_cmdline_role(cmdline, len, is_applet, role, sizeof(role)) < 0)
		return "(error)";
	return role;
}

#define CMD(s) role_of(s, sizeof(s) - 1)

int main(void)
{
	uint64_t start = 0;
	uint32_t uid = 0;
	int32_t tracer = -1;
	int fd, st;
	struct peer_facts f;
	pid_t child;
	static const char stat_line[] =
		"1234 (a) (b c) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10";
	static const char status_text[] = "Name:\tx\nUmask:\t0022\nState:\tS\nTgid:\t5\nPid:\t5\nPPid:\t1\n"
		"TracerPid:\t77\nUid:\t1000\t1000\t1000\t1000\nGid:\t1000\n";

	ok(peer_parse_stat(stat_line, sizeof(stat_line) - 1, &start) == 0 && start == 987654,
		"stat: the start time is field 22, counted after the last ')' of a name holding ') ('");
	ok(peer_parse_stat("1 (x) S 1 2", 11, &start) < 0, "stat: too few fields is an error");
	ok(peer_parse_stat("1 (x S 1", 8, &start) < 0, "stat: no ')' is an error");
	ok(peer_parse_status(status_text, sizeof(status_text) - 1, &uid, &tracer) == 0 && uid == 1000 &&
		tracer == 77, "status: the real uid and TracerPid");
	ok(peer_parse_status("Uid:\t1\n", 7, &uid, &tracer) < 0, "status: without TracerPid, an error");
	ok(peer_parse_status("TracerPid:\t99999999999\nUid:\t1\n", 30, &uid, &tracer) < 0,
		"status: a number out of range is an error");

	ok(!strcmp(CMD("/usr/bin/daemon-secrets\0"), "secrets"), "cmdline: the daemon-secrets symlink");
	ok(!strcmp(CMD("sesame\0daemon\0secrets\0"), "secrets"), "cmdline: sesame daemon secrets");
	ok(!strcmp(CMD("/x/sesame\0daemon\0daemon-snippets\0--x\0"), "snippets"), "cmdline: sesame daemon daemon-snippets");
	ok(!strcmp(CMD("sesame\0daemon-secrets\0"), "secrets"), "cmdline: sesame daemon-secrets");
	ok(!strcmp(CMD("sesame\0secret\0get\0"), ""), "cmdline: a command is no role");
	ok(!strcmp(CMD("/bin/secret\0daemon\0secrets\0"), ""), "cmdline: argv[0] named after a command runs that command");
	ok(!strcmp(CMD("sesame\0daemon\0nosuch\0"), ""), "cmdline: sesame daemon with no such role runs no role");
	ok(!strcmp(CMD("sesame\0--help\0daemon-secrets\0"), ""), "cmdline: an option first runs no role");
	ok(!strcmp(CMD("sesame\0daemon-secrets"), "(error)"), "cmdline: an argument not ended by NUL is an error");
	ok(!strcmp(CMD("x"), "(error)"), "cmdline: likewise");

	/* The checker, on live processes. */
	fd = peer_checker_start(NULL, 0, is_applet);
	ok(fd >= 0, "the checker starts");
	ok(peer_check(fd, getpid(), &f) == 0 && f.ok && f.exe == PEER_EXE_SAME && f.uid == getuid() &&
		f.tracer == 0 && f.start > 0 && !f.role[0], "this process: our executable, untraced, no role");
	child = fork();
	if (child == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		execl("/bin/sleep", "sleep", "5", (char *)NULL);
		_exit(127);
	}
	waitpid(child, &st, 0);	/* stopped at its exec, traced by us */
	ok(peer_check(fd, child, &f) == 0 && f.ok && f.tracer == getpid() && f.exe == PEER_EXE_OTHER &&
		strstr(f.exe_path, "sleep"), "a traced child running sleep: its tracer and its executable");
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
	ok(peer_check(fd, child, &f) == 0 && !f.ok && strstr(f.why, "no process"), "a process gone: says so");
	ok(peer_check(fd, 0, &f) == 0 && !f.ok, "pid 0 (outside this pid namespace): refused");
	close(fd);
	return done_testing();
}
