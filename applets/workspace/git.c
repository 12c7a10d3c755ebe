/* git.c - git.h through libgit2, loaded when first needed. */
#include "applets/workspace/git.h"
#include "applets/workspace/url.h"
#include "lib/core/dynlib.h"
#include "lib/core/util.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <git2.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef GIT2_LIB
#define GIT2_LIB "libgit2.so.1.5"
#endif

const char ws_git_built_with[] = LIBGIT2_VERSION;

static struct {
	void *h;
	int (*init)(void);
	const git_error *(*error_last)(void);
	int (*open)(git_repository **, const char *);
	void (*repo_free)(git_repository *);
	int (*head)(git_reference **, git_repository *);
	int (*head_detached)(git_repository *);
	const char *(*shorthand)(const git_reference *);
	const git_oid *(*target)(const git_reference *);
	void (*ref_free)(git_reference *);
	char *(*oid_tostr)(char *, size_t, const git_oid *);
	int (*commit_lookup)(git_commit **, git_repository *, const git_oid *);
	const char *(*commit_summary)(git_commit *);
	void (*commit_free)(git_commit *);
	int (*status_init)(git_status_options *, unsigned int);
	int (*status_new)(git_status_list **, git_repository *, const git_status_options *);
	size_t (*status_count)(git_status_list *);
	void (*status_free)(git_status_list *);
	int (*upstream)(git_reference **, const git_reference *);
	int (*ahead_behind)(size_t *, size_t *, git_repository *, const git_oid *, const git_oid *);
	int (*remote_lookup)(git_remote **, git_repository *, const char *);
	const char *(*remote_url)(const git_remote *);
	void (*remote_free)(git_remote *);
	int (*clone_init)(git_clone_options *, unsigned int);
	int (*clone)(git_repository **, const char *, const char *, const git_clone_options *);
} G;

#define SYM(member, name) \
	if (!(*(void **)&G.member = dlsym(G.h, name))) \
		missing = name;

int ws_git_available(void)
{
	const char *missing = NULL;

	if (G.h)
		return 1;
	if (!(G.h = dyn_open(GIT2_LIB, "workspaces use libgit2 (Debian: libgit2-1.5)")))
		return 0;
	SYM(init, "git_libgit2_init") SYM(error_last, "git_error_last") SYM(open, "git_repository_open")
	SYM(repo_free, "git_repository_free") SYM(head, "git_repository_head")
	SYM(head_detached, "git_repository_head_detached") SYM(shorthand, "git_reference_shorthand")
	SYM(target, "git_reference_target") SYM(ref_free, "git_reference_free") SYM(oid_tostr, "git_oid_tostr")
	SYM(commit_lookup, "git_commit_lookup") SYM(commit_summary, "git_commit_summary")
	SYM(commit_free, "git_commit_free") SYM(status_init, "git_status_options_init")
	SYM(status_new, "git_status_list_new") SYM(status_count, "git_status_list_entrycount")
	SYM(status_free, "git_status_list_free") SYM(upstream, "git_branch_upstream")
	SYM(ahead_behind, "git_graph_ahead_behind") SYM(remote_lookup, "git_remote_lookup")
	SYM(remote_url, "git_remote_url") SYM(remote_free, "git_remote_free")
	SYM(clone_init, "git_clone_options_init") SYM(clone, "git_clone")
	if (dyn_check(&G.h, GIT2_LIB, missing) < 0)
		return 0;
	if (G.init() < 0)
		return fail("libgit2 would not start"), 0;
	return 1;
}

static const char *git_why(void)
{
	const git_error *e = G.error_last();

	return e && e->message ? e->message : "failed";
}

int ws_git_info(const char *path, struct ws_git_info *i)
{
	git_repository *repo = NULL;
	git_reference *ref = NULL, *up = NULL;
	git_status_options so;
	git_status_list *st = NULL;
	git_remote *origin = NULL;
	int r;

	memset(i, 0, sizeof(*i));
	if (!ws_git_available())
		return -1;
	if (G.open(&repo, path) < 0)
		return fail("%s: %s", path, git_why());
	if ((r = G.head(&ref, repo)) == 0) {
		const git_oid *oid = G.target(ref);
		git_commit *c = NULL;

		if (!G.head_detached(repo))
			snprintf(i->branch, sizeof(i->branch), "%s", G.shorthand(ref));
		if (oid) {
			G.oid_tostr(i->commit, 8, oid);
			if (G.commit_lookup(&c, repo, oid) == 0) {
				const char *s = G.commit_summary(c);

				snprintf(i->summary, sizeof(i->summary), "%s", s ? s : "");
				G.commit_free(c);
			}
			if (G.upstream(&up, ref) == 0) {
				size_t a = 0, b = 0;

				snprintf(i->upstream, sizeof(i->upstream), "%s", G.shorthand(up));
				if (G.target(up) && G.ahead_behind(&a, &b, repo, oid, G.target(up)) == 0)
					i->ahead = (int)a, i->behind = (int)b;
				G.ref_free(up);
			}
		}
		G.ref_free(ref);
	} else if (r != GIT_EUNBORNBRANCH && r != GIT_ENOTFOUND) {
		fail("%s: %s", path, git_why());
		G.repo_free(repo);
		return -1;
	}
	G.status_init(&so, GIT_STATUS_OPTIONS_VERSION);
	so.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	if (G.status_new(&st, repo, &so) == 0) {
		i->dirty = G.status_count(st) > 0;
		G.status_free(st);
	}
	if (G.remote_lookup(&origin, repo, "origin") == 0) {
		snprintf(i->origin, sizeof(i->origin), "%s", G.remote_url(origin) ? G.remote_url(origin) : "");
		G.remote_free(origin);
	}
	G.repo_free(repo);
	return 0;
}

/* --- clone, in a child ------------------------------------------------------ */

/* Child to parent, one line each: "P received total", "E reason". */
static int report_fd = -1;

static int on_progress(const git_indexer_progress *p, void *data)
{
	char line[64];
	int n = snprintf(line, sizeof(line), "P %u %u\n", p->received_objects, p->total_objects);

	(void)data;
	return write(report_fd, line, (size_t)n) == n ? 0 : -1;	/* the parent is gone: stop */
}

static int on_sideband(const char *s, int len, void *data)
{
	(void)s, (void)len, (void)data;
	return write(report_fd, "P -\n", 4) == 4 ? 0 : -1;	/* the server speaks: not stalled */
}

static void __attribute__((noreturn)) clone_child(const char *url, const char *dest, int fd)
{
	git_clone_options o;
	git_repository *repo = NULL;
	char line[600];

	report_fd = fd;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (!ws_git_available()) {
		snprintf(line, sizeof(line), "E %s\n", last_error());
		_exit(write(fd, line, strlen(line)) < 0 ? 1 : 1);
	}
	G.clone_init(&o, GIT_CLONE_OPTIONS_VERSION);
	o.fetch_opts.callbacks.transfer_progress = on_progress;
	o.fetch_opts.callbacks.sideband_progress = on_sideband;
	if (G.clone(&repo, url, dest, &o) < 0) {
		snprintf(line, sizeof(line), "E %.500s\n", git_why());
		for (char *c = line + 2; *c && c[1]; c++)
			if (*c == '\n' || *c == '\r')
				*c = ' ';
		_exit(write(fd, line, strlen(line)) < 0 ? 1 : 1);
	}
	G.repo_free(repo);
	_exit(0);
}

static int rm_entry(const char *p, const struct stat *sb, int type, struct FTW *f)
{
	(void)sb, (void)type, (void)f;
	return remove(p) < 0 && errno != ENOENT ? -1 : 0;
}

/* What a clone left: removed, never following a link. */
static void rm_tree(const char *p)
{
	nftw(p, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Temporary directories of clones whose sesame is gone (SIGKILL). */
static void rm_stale(const char *dir, const char *base)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char pre[NAME_MAX + 32];
	size_t pl;

	if (!d)
		return;
	pl = (size_t)snprintf(pre, sizeof(pre), ".%s.sesame-clone.", base);
	while ((e = readdir(d))) {
		char p[PATH_MAX * 2];
		long pid;

		if (strncmp(e->d_name, pre, pl) || (pid = atol(e->d_name + pl)) <= 0 ||
		    (kill((pid_t)pid, 0) == 0 || errno == EPERM))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		rm_tree(p);
	}
	closedir(d);
}

int ws_git_clone_supervised(const char *url, const char *dest, int timeout_s)
{
	char tmp[PATH_MAX * 2], dir[PATH_MAX], buf[1024], why[600] = "";
	const char *base = strrchr(dest, '/') ? strrchr(dest, '/') + 1 : dest;
	int fds[2], sfd, status = 0, tty = isatty(2), got = 0, interrupted = 0, timed_out = 0;
	sigset_t set, old;
	size_t have = 0;
	long long last;
	pid_t pid;

	snprintf(dir, sizeof(dir), "%.*s", (int)(base - dest > 1 ? base - dest - 1 : 1), dest);
	rm_stale(dir, base);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.sesame-clone.%ld", dir, base, (long)getpid()) >= sizeof(tmp))
		return fail("%s: the path is too long", dest);
	if (pipe2(fds, O_CLOEXEC) < 0)
		return fail("pipe: %s", strerror(errno));
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &old);
	if ((sfd = signalfd(-1, &set, SFD_CLOEXEC)) < 0 || (pid = fork()) < 0) {
		int e = errno;

		close(fds[0]), close(fds[1]);
		if (sfd >= 0)
			close(sfd);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return fail("cannot start the clone: %s", strerror(e));
	}
	if (pid == 0) {
		close(fds[0]);
		close(sfd);
		sigprocmask(SIG_SETMASK, &old, NULL);
		clone_child(url, tmp, fds[1]);
	}
	close(fds[1]);
	last = (long long)time(NULL);
	for (;;) {
		struct pollfd pf[2] = { { fds[0], POLLIN, 0 }, { sfd, POLLIN, 0 } };
		int k = poll(pf, 2, 1000);

		if (k < 0 && errno != EINTR)
			break;
		if (pf[1].revents & POLLIN) {
			interrupted = 1;
			break;
		}
		if (pf[0].revents & (POLLIN | POLLHUP)) {
			ssize_t n = read(fds[0], buf + have, sizeof(buf) - 1 - have);
			char *nl;

			if (n <= 0)
				break;		/* the child is done */
			have += (size_t)n;
			buf[have] = 0;
			last = (long long)time(NULL);
			while ((nl = strchr(buf, '\n'))) {
				unsigned rec, total;

				*nl = 0;
				if (buf[0] == 'E')
					snprintf(why, sizeof(why), "%.590s", buf + 2);
				else if (tty && sscanf(buf, "P %u %u", &rec, &total) == 2 && total)
					fprintf(stderr, "\rReceiving objects: %3u%% (%u/%u)", rec * 100 / total, rec, total),
						got = 1;
				memmove(buf, nl + 1, strlen(nl + 1) + 1);
				have = strlen(buf);
			}
			if (have == sizeof(buf) - 1)
				have = 0;	/* a line too long: dropped */
		}
		if ((long long)time(NULL) - last >= timeout_s) {
			timed_out = 1;
			break;
		}
	}
	if (got)
		fputc('\n', stderr);
	if (interrupted || timed_out)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	close(fds[0]);
	close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (interrupted || timed_out || !WIFEXITED(status) || WEXITSTATUS(status)) {
		rm_tree(tmp);
		if (interrupted)
			return fail("interrupted; nothing was left behind"), -2;
		if (timed_out)
			return fail("%s: no answer for %d s; nothing was left behind", url, timeout_s);
		return fail("%s: %s", url, *why ? why : "the clone failed");
	}
	if (rename(tmp, dest) < 0) {
		int e = errno;

		rm_tree(tmp);
		return fail("%s: %s", dest, strerror(e));
	}
	return 0;
}
