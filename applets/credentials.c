/* credentials.c - `sesame credentials`: secrets as files for a service
 * that reads its credentials from a directory, as systemd's
 * LoadCredential= gives them ($CREDENTIALS_DIRECTORY), on memory-backed
 * storage, for as long as the service runs. */
#include "applets/applet.h"
#include "lib/bus/bus.h"
#include "lib/cli/cli.h"
#include "lib/cli/envsecrets.h"
#include "lib/core/atomicfile.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"
#include "lib/store/vault.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

/*APPLET credentials credentials_main "secrets as files in a memory-backed directory, for a service"
usage: sesame credentials -p PROFILE --dir DIR [--allow-persistent] [FILE=]NAME... [-- COMMAND [ARGS...]]
       sesame credentials --dir DIR --cleanup

Writes each secret NAME of PROFILE to DIR/NAME (or DIR/FILE), mode 0400,
whole or not at all; DIR is made (0700) if missing and must be on
memory-backed storage (tmpfs or ramfs: /run, /dev/shm, $XDG_RUNTIME_DIR),
so that a secret never reaches a disk, unless --allow-persistent.  Every
secret is fetched before any file is written.

With -- COMMAND, COMMAND runs with CREDENTIALS_DIRECTORY=DIR (the
variable systemd's LoadCredential= sets, so a service reads its files the
same way under either), SIGTERM, SIGINT and SIGHUP are passed on to it,
and when it ends the files are overwritten and removed (and DIR, if this
made it); sesame exits with its status (128 + N for signal N).  Without
COMMAND the files stay until --cleanup removes them: the files sesame
wrote there (listed in DIR/.sesame-credentials), then DIR if empty.  A
sesame killed with SIGKILL cannot clean up: run --cleanup before the
next start, as the run scripts below do.

  runit (run):    exec sesame credentials -p svc --dir /run/svc/creds \
                    db-password -- chpst -u svc svc-daemon
  OpenRC:         command=/usr/bin/sesame
                  command_args="credentials -p svc --dir /run/svc/creds \
                    db-password -- /usr/bin/svc-daemon"
                  start_pre() { sesame credentials --dir /run/svc/creds --cleanup; }
  SysV/busybox:   sesame credentials ... -- svc-daemon &  (in the start case)
  systemd:        ExecStart=/usr/bin/sesame credentials -p svc \
                    --dir %t/svc-creds db-password -- /usr/bin/svc-daemon
                  (or LoadCredential=, with `sesame credentials ...` in an
                  ExecStartPre= writing where it reads)

  -p, --profile NAME   the profile whose secrets are written
  --dir DIR            the directory
  --allow-persistent   let DIR be on persistent storage
  --cleanup            remove what an earlier run left in DIR
*/

#define LIST ".sesame-credentials"
#define TMPFS_MAGIC 0x01021994
#define RAMFS_MAGIC 0x858458f6

static struct {
	const char *profile, *dir;
	int persistent, cleanup, made_dir;
} TT;

/* A file name of DIR: no '/', not "." or "..", not hidden (the list is). */
static int file_name_ok(const char *s, size_t n)
{
	if (!n || n > NAME_MAX || s[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '/' || (unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/* Overwrite DIR/name with zeros, then remove it.  The file is 0400: it
 * is made writable through a descriptor (never through a symlink), and
 * the one opened for writing must be that same file. */
static void wipe(int dfd, const char *name)
{
	static const char zero[4096];
	struct stat a, b;
	int ro = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC), fd = -1;

	if (ro >= 0 && fstat(ro, &a) == 0 && S_ISREG(a.st_mode) && fchmod(ro, 0600) == 0 &&
		(fd = openat(dfd, name, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) >= 0 &&
		fstat(fd, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev) {
		for (off_t o = 0; o < a.st_size; o += (off_t)sizeof(zero))
			if (write(fd, zero, (size_t)(a.st_size - o < (off_t)sizeof(zero) ? a.st_size - o :
				(off_t)sizeof(zero))) < 0)
				break;
		fsync(fd);
	}
	if (fd >= 0)
		close(fd);
	if (ro >= 0)
		close(ro);
	unlinkat(dfd, name, 0);
}

/* The files listed in DIR/.sesame-credentials wiped, the list too, and
 * DIR removed if it is empty then.  0, or -1 with a reason. */
static int cleanup(const char *dir, int rm_dir)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	char *list, *line, *save = NULL;
	size_t len;

	if (dfd < 0)
		return errno == ENOENT ? 0 : fail("%s: %s", dir, strerror(errno));
	{
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/" LIST, dir);
		list = read_file(path, 1 << 20, &len);
	}
	if (list) {
		for (line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			if (file_name_ok(line, strlen(line)))
				wipe(dfd, line);
		free(list);
		unlinkat(dfd, LIST, 0);
	}
	close(dfd);
	if (rm_dir && rmdir(dir) < 0 && errno != ENOTEMPTY && errno != EEXIST && errno != ENOENT)
		return fail("%s: %s", dir, strerror(errno));
	return 0;
}

int credentials_main(int argc, char **argv)
{
	struct item { char file[NAME_MAX + 1]; char secret[VAULT_MAX_NAME + 1]; uint8_t *v; size_t len; } *it;
	char **cmd = NULL, path[PATH_MAX], *list;
	struct bus_client *c;
	struct cli_io *io;
	struct statfs fs;
	size_t listlen = 0;
	sigset_t set, old;
	int o, n, status;
	pid_t pid;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			cmd = argv + i + 1;
			argv[i] = NULL;
			argc = i;
			if (!*cmd)
				usage_error("credentials", "a command after --, or no --");
			break;
		}
	while ((o = getopt_long(argc, argv, OPTSTR_credentials, longopts_credentials, NULL)) != -1) {
		switch (o) {
		case 'p': TT.profile = cli_profile_arg("credentials", optarg); break;
		case OPT_DIR: TT.dir = optarg; break;
		case OPT_ALLOW_PERSISTENT: TT.persistent = 1; break;
		case OPT_CLEANUP: TT.cleanup = 1; break;
		default: usage_option("credentials", argv, o, longopts_credentials);
		}
	}
	if (!TT.dir)
		usage_error("credentials", "which directory? (--dir DIR)");
	if (TT.cleanup) {
		if (optind < argc || cmd || TT.profile)
			usage_error("credentials", "--cleanup takes --dir alone");
		if (cleanup(TT.dir, 1) < 0)
			die("credentials: %s", last_error());
		return 0;
	}
	if (!TT.profile)
		usage_error("credentials", "which profile? (-p PROFILE)");
	if (optind >= argc)
		usage_error("credentials", "which secrets? (NAME or FILE=NAME)");
	n = argc - optind;
	it = xcalloc((size_t)n, sizeof(*it));
	for (int i = 0; i < n; i++) {
		const char *a = argv[optind + i], *eq = strchr(a, '=');
		const char *f = a, *s = eq ? eq + 1 : a;
		size_t fl = eq ? (size_t)(eq - a) : strlen(a);

		if (!file_name_ok(f, fl))
			usage_error("credentials", "'%.*s' cannot be a file name in DIR (no '/', no leading '.'): "
				"give one, FILE=%s", (int)fl, f, s);
		if (!secret_name_valid(s))
			usage_error("credentials", "'%s' is not a secret name", s);
		snprintf(it[i].file, sizeof(it[i].file), "%.*s", (int)fl, f);
		snprintf(it[i].secret, sizeof(it[i].secret), "%s", s);
		for (int k = 0; k < i; k++)
			if (!strcmp(it[k].file, it[i].file))
				usage_error("credentials", "two secrets for one file, %s", it[i].file);
	}
	if (mkdir(TT.dir, 0700) == 0)
		TT.made_dir = 1;
	else if (errno != EEXIST)
		die("credentials: %s: %s", TT.dir, strerror(errno));
	if (statfs(TT.dir, &fs) < 0)
		die("credentials: %s: %s", TT.dir, strerror(errno));
	if ((unsigned long)fs.f_type != TMPFS_MAGIC && (unsigned long)fs.f_type != RAMFS_MAGIC && !TT.persistent) {
		if (TT.made_dir)
			rmdir(TT.dir);
		die("credentials: %s is on persistent storage: a secret written there can outlive the service and "
			"the machine's power; use a directory on tmpfs (/run, /dev/shm), or --allow-persistent",
			TT.dir);
	}
	io = xcli_io();
	c = xcli_connect();
	for (int i = 0; i < n; i++)
		if (!(it[i].v = xcli_secret_fetch(c, io, TT.profile, it[i].secret, &it[i].len))) {
			int code = last_exit();

			if (TT.made_dir)
				rmdir(TT.dir);
			die_code(code, "credentials: secret '%s' of profile %s: %s; nothing was written", it[i].secret,
				TT.profile, last_error());
		}
	bus_close(c);
	/* With a command, the signals wait, blocked, for sigwaitinfo from
	 * here on: a supervisor's SIGTERM while the files are written, or
	 * before the command starts, must not end sesame with the files left
	 * behind; none is lost between a check and a wait, and each is passed
	 * on; SIGCHLD ends the wait. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	if (cmd)
		sigprocmask(SIG_BLOCK, &set, &old);
	/* The list first: a run killed halfway leaves what --cleanup finds. */
	list = xmalloc((size_t)n * (NAME_MAX + 2) + 1);
	for (int i = 0; i < n; i++)
		listlen += (size_t)sprintf(list + listlen, "%s\n", it[i].file);
	snprintf(path, sizeof(path), "%s/" LIST, TT.dir);
	if (atomic_write(path, list, listlen, 0600) < 0)
		die("credentials: %s", last_error());
	free(list);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", TT.dir, it[i].file);
		if (atomic_write(path, it[i].v, it[i].len, 0400) < 0) {
			char why[600];

			snprintf(why, sizeof(why), "%s", last_error());
			cleanup(TT.dir, TT.made_dir);
			die("credentials: %s; what was written is removed", why);
		}
		secmem_free(it[i].v);
	}
	free(it);
	if (!cmd) {
		printf("%d credential%s in %s (sesame credentials --dir %s --cleanup removes them)\n", n,
			n == 1 ? "" : "s", TT.dir, TT.dir);
		return fflush(stdout) ? 1 : 0;
	}
	{	/* told to stop before the command started: it is not started */
		sigset_t pend;

		sigpending(&pend);
		for (int sig = 1; sig < NSIG; sig++)
			if (sig != SIGCHLD && sigismember(&set, sig) && sigismember(&pend, sig)) {
				cleanup(TT.dir, TT.made_dir);
				return 128 + sig;
			}
	}
	if (setenv("CREDENTIALS_DIRECTORY", TT.dir, 1) < 0 || (pid = fork()) < 0) {
		cleanup(TT.dir, TT.made_dir);
		die("credentials: cannot start %s: %s", cmd[0], strerror(errno));
	}
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		execvp(cmd[0], cmd);
		fprintf(stderr, "sesame: credentials: cannot run %s: %s\n", cmd[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	while (waitpid(pid, &status, WNOHANG) != pid) {
		int sig = sigwaitinfo(&set, NULL);

		if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP)
			kill(pid, sig);	/* the command decides when to end */
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (cleanup(TT.dir, TT.made_dir) < 0)
		fprintf(stderr, "sesame: credentials: %s\n", last_error());
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
