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
#include <libssh2.h>
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
#ifndef SSH2_LIB
#define SSH2_LIB "libssh2.so.1"
#endif

const char ws_git_built_with[] = LIBGIT2_VERSION;

static struct {
	void *h;
	int (*init)(void);
	int (*shutdown)(void);
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
	int (*detached)(git_remote **, const char *);
	int (*connect)(git_remote *, git_direction, const git_remote_callbacks *, const git_proxy_options *,
		const git_strarray *);
	int (*disconnect)(git_remote *);
	int (*fetch_init)(git_fetch_options *, unsigned int);
	int (*fetch)(git_remote *, const git_strarray *, const git_fetch_options *, const char *);
	int (*callbacks_init)(git_remote_callbacks *, unsigned int);
	int (*descendant_of)(git_repository *, const git_oid *, const git_oid *);
	int (*checkout_init)(git_checkout_options *, unsigned int);
	int (*checkout_tree)(git_repository *, const git_object *, const git_checkout_options *);
	int (*set_target)(git_reference **, git_reference *, const git_oid *, const char *);
	int (*from_agent)(git_credential **, const char *);
	int (*lookup)(git_reference **, git_repository *, const char *);
	const char *(*symbolic_target)(const git_reference *);
} G;

/* libssh2's known_hosts reader (hashed names included): libgit2 1.5
 * checks no host key itself, so the clone's child does. */
static struct {
	void *h;
	LIBSSH2_SESSION *(*session_init)(void *, void *, void *, void *);
	void (*session_free)(LIBSSH2_SESSION *);
	LIBSSH2_KNOWNHOSTS *(*kh_init)(LIBSSH2_SESSION *);
	int (*kh_read)(LIBSSH2_KNOWNHOSTS *, const char *, int);
	int (*kh_check)(LIBSSH2_KNOWNHOSTS *, const char *, int, const char *, size_t, int,
		struct libssh2_knownhost **);
	void (*kh_free)(LIBSSH2_KNOWNHOSTS *);
} S;

#define SYM(member, name) \
	if (!(*(void **)&G.member = dlsym(G.h, name))) \
		missing = name;

static void done(void)
{
	G.shutdown();
}

int ws_git_available(void)
{
	const char *missing = NULL;

	if (G.h)
		return 1;
	if (!(G.h = dyn_open(GIT2_LIB, "workspaces use libgit2 (Debian: libgit2-1.5)")))
		return 0;
	SYM(init, "git_libgit2_init") SYM(shutdown, "git_libgit2_shutdown") SYM(error_last, "git_error_last") SYM(open, "git_repository_open")
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
	SYM(detached, "git_remote_create_detached") SYM(connect, "git_remote_connect")
	SYM(disconnect, "git_remote_disconnect") SYM(fetch_init, "git_fetch_options_init")
	SYM(fetch, "git_remote_fetch") SYM(callbacks_init, "git_remote_init_callbacks")
	SYM(descendant_of, "git_graph_descendant_of") SYM(checkout_init, "git_checkout_options_init")
	SYM(checkout_tree, "git_checkout_tree") SYM(set_target, "git_reference_set_target")
	SYM(from_agent, "git_credential_ssh_key_from_agent") SYM(lookup, "git_reference_lookup")
	SYM(symbolic_target, "git_reference_symbolic_target")
	if (dyn_check(&G.h, GIT2_LIB, missing) < 0)
		return 0;
	if (G.init() < 0)
		return fail("libgit2 would not start"), 0;
	atexit(done);	/* its caches freed: nothing left for a leak checker to report */
	return 1;
}

static const char *git_why(void)
{
	const git_error *e = G.error_last();

	return e && e->message ? e->message : "failed";
}

static int info_local(const char *path, struct ws_git_info *i)
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
	} else if (r == GIT_EUNBORNBRANCH && G.lookup(&ref, repo, "HEAD") == 0) {
		/* A new repository: HEAD names a branch with no commit yet. */
		const char *t = G.symbolic_target(ref);

		if (t && !strncmp(t, "refs/heads/", 11))
			snprintf(i->branch, sizeof(i->branch), "%s", t + 11);
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

enum op { OP_CLONE, OP_PROBE, OP_UPDATE, OP_FETCH, OP_INFO };

static unsigned ssh_port = 22;	/* the URL's, for known_hosts ([host]:port) */
static int cred_tries;

/* An ssh key from the agent ($SSH_AUTH_SOCK), once: a key the server
 * refuses is not offered again and again. */
static int on_credentials(git_credential **out, const char *url, const char *user, unsigned int allowed,
	void *data)
{
	(void)url, (void)data;
	if (!(allowed & GIT_CREDENTIAL_SSH_KEY) || cred_tries++)
		return GIT_PASSTHROUGH;
	return G.from_agent(out, user && *user ? user : "git");
}

static int known_host(const char *host, const git_cert_hostkey *k, char *why, size_t n)
{
	static const int types[] = { 0, LIBSSH2_KNOWNHOST_KEY_SSHRSA, LIBSSH2_KNOWNHOST_KEY_SSHDSS,
		LIBSSH2_KNOWNHOST_KEY_ECDSA_256, LIBSSH2_KNOWNHOST_KEY_ECDSA_384, LIBSSH2_KNOWNHOST_KEY_ECDSA_521,
		LIBSSH2_KNOWNHOST_KEY_ED25519 };
	const char *home = getenv("HOME"), *missing = NULL;
	char file[PATH_MAX];
	LIBSSH2_SESSION *s;
	LIBSSH2_KNOWNHOSTS *kh;
	struct libssh2_knownhost *found;
	int r = LIBSSH2_KNOWNHOST_CHECK_NOTFOUND;

	if (!(k->type & GIT_CERT_SSH_RAW) || k->raw_type < 1 || k->raw_type > 6)
		return snprintf(why, n, "the server's host key is of a kind sesame cannot check"), -1;
	if (!S.h) {
		if (!(S.h = dyn_open(SSH2_LIB, "the server's host key is checked with libssh2")))
			return snprintf(why, n, "%s", last_error()), -1;
#define SSYM(member, name) if (!(*(void **)&S.member = dlsym(S.h, name))) missing = name;
		SSYM(session_init, "libssh2_session_init_ex") SSYM(session_free, "libssh2_session_free")
		SSYM(kh_init, "libssh2_knownhost_init") SSYM(kh_read, "libssh2_knownhost_readfile")
		SSYM(kh_check, "libssh2_knownhost_checkp") SSYM(kh_free, "libssh2_knownhost_free")
		if (dyn_check(&S.h, SSH2_LIB, missing) < 0)
			return snprintf(why, n, "%s", last_error()), -1;
	}
	if (!(s = S.session_init(NULL, NULL, NULL, NULL)) || !(kh = S.kh_init(s)))
		return snprintf(why, n, "libssh2 would not start"), -1;
	for (int i = 0; i < 2 && r != LIBSSH2_KNOWNHOST_CHECK_MATCH && r != LIBSSH2_KNOWNHOST_CHECK_MISMATCH; i++) {
		if (i == 0 && (!home || (size_t)snprintf(file, sizeof(file), "%s/.ssh/known_hosts", home) >= sizeof(file)))
			continue;
		if (i == 1)
			snprintf(file, sizeof(file), "/etc/ssh/ssh_known_hosts");
		if (S.kh_read(kh, file, LIBSSH2_KNOWNHOST_FILE_OPENSSH) < 0)
			continue;	/* none, or unreadable: the other one */
		r = S.kh_check(kh, host, (int)ssh_port, (const char *)k->hostkey, k->hostkey_len,
			LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | types[k->raw_type], &found);
	}
	S.kh_free(kh);
	S.session_free(s);
	if (r == LIBSSH2_KNOWNHOST_CHECK_MATCH)
		return 0;
	if (r == LIBSSH2_KNOWNHOST_CHECK_MISMATCH)
		return snprintf(why, n, "the host key of %s is NOT the one in known_hosts: refused (someone may be in "
			"between)", host), -1;
	return snprintf(why, n, "the host key of %s is not in ~/.ssh/known_hosts: check it and add it "
		"(ssh-keyscan -p %u %s), or ssh to it once", host, ssh_port, host), -1;
}

static int on_certificate(git_cert *cert, int valid, const char *host, void *data)
{
	char why[400], line[420];

	(void)data;
	if (cert->cert_type != GIT_CERT_HOSTKEY_LIBSSH2)
		return valid ? 0 : GIT_ECERTIFICATE;	/* https: libgit2 has checked it */
	if (known_host(host, (const git_cert_hostkey *)cert, why, sizeof(why)) == 0)
		return 0;
	snprintf(line, sizeof(line), "E %s\n", why);
	if (write(report_fd, line, strlen(line)) < 0)
		return GIT_ECERTIFICATE;
	_exit(1);	/* the reason is reported: no other message after it */
}

/* One field of ws_git_info as a report line (no newline can be in it). */
static void put_field(int fd, char tag, const char *v)
{
	char line[1100];
	int n = snprintf(line, sizeof(line), "I%c %.1024s\n", tag, v);

	for (int k = 3; k < n - 1; k++)
		if (line[k] == '\n' || line[k] == '\r')
			line[k] = ' ';
	if (write(fd, line, (size_t)n) < 0)
		_exit(1);
}

/* why: NULL for libgit2's last error. */
static void __attribute__((noreturn)) child_fail(int fd, int code, const char *why)
{
	char line[600];

	snprintf(line, sizeof(line), "E %.500s\n", why ? why : git_why());
	for (char *c = line + 2; *c && c[1]; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	_exit(write(fd, line, strlen(line)) < 0 ? code : code);
}

/* Fetch origin in path; with update, fast-forward the branch to its
 * upstream ("R 1"; "R 0" if there was nothing to do).  A fetch alone
 * reports how far behind the branch is ("B n"). */
static void __attribute__((noreturn)) update(const char *path, int fd, int ff, git_fetch_options *fo)
{
	git_repository *repo = NULL;
	git_remote *origin = NULL;
	git_reference *head = NULL, *up = NULL, *moved = NULL;
	git_commit *c = NULL;
	git_checkout_options co;
	const git_oid *h, *u;
	char line[64];

	struct ws_url uo;

	if (G.open(&repo, path) < 0 || G.remote_lookup(&origin, repo, "origin") < 0)
		child_fail(fd, 1, NULL);
	if (G.remote_url(origin) && ws_url_parse(G.remote_url(origin), &uo) == 0 && uo.port)
		ssh_port = uo.port;
	if (G.fetch(origin, NULL, fo, NULL) < 0 || G.head(&head, repo) < 0)
		child_fail(fd, 1, NULL);
	if (G.upstream(&up, head) < 0 || !(h = G.target(head)) || !(u = G.target(up)))
		child_fail(fd, 1, NULL);
	if (!ff) {
		size_t a = 0, b = 0;

		G.ahead_behind(&a, &b, repo, h, u);
		snprintf(line, sizeof(line), "B %zu\n", b);
		_exit(write(fd, line, strlen(line)) < 0 ? 1 : 0);
	}
	if (!memcmp(h, u, sizeof(*h)))
		_exit(write(fd, "R 0\n", 4) < 0 ? 1 : 0);
	if (G.descendant_of(repo, u, h) != 1) {
		child_fail(fd, 1, "not a fast-forward: the branch has commits its upstream has not");
	}
	G.checkout_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
	co.checkout_strategy = GIT_CHECKOUT_SAFE;	/* never over the user's changes */
	if (G.commit_lookup(&c, repo, u) < 0 || G.checkout_tree(repo, (const git_object *)c, &co) < 0 ||
	    G.set_target(&moved, head, u, "sesame: fast-forward") < 0)
		child_fail(fd, 1, NULL);
	_exit(write(fd, "R 1\n", 4) < 0 ? 1 : 0);
}

static void __attribute__((noreturn)) git_child(enum op op, const char *a, const char *b, int fd)
{
	struct ws_url u;

	if ((op == OP_CLONE || op == OP_PROBE) && ws_url_parse(a, &u) == 0 && u.port)
		ssh_port = u.port;
	git_clone_options o;
	git_fetch_options fo;
	git_remote_callbacks cb;
	git_repository *repo = NULL;
	git_remote *remote = NULL;

	report_fd = fd;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (!ws_git_available())
		child_fail(fd, 1, last_error());
	G.callbacks_init(&cb, GIT_REMOTE_CALLBACKS_VERSION);
	cb.transfer_progress = on_progress;
	cb.sideband_progress = on_sideband;
	cb.credentials = on_credentials;
	cb.certificate_check = on_certificate;
	switch (op) {
	case OP_CLONE:
		G.clone_init(&o, GIT_CLONE_OPTIONS_VERSION);
		o.fetch_opts.callbacks = cb;
		if (G.clone(&repo, a, b, &o) < 0)
			child_fail(fd, 1, NULL);
		_exit(0);
	case OP_PROBE:
		/* Is there a repository at a?  Exit 2 if not. */
		if (G.detached(&remote, a) < 0 || G.connect(remote, GIT_DIRECTION_FETCH, &cb, NULL, NULL) < 0)
			child_fail(fd, 2, NULL);
		G.disconnect(remote);
		_exit(0);
	case OP_INFO: {
		struct ws_git_info i;
		char num[16];

		if (info_local(a, &i) < 0)
			child_fail(fd, 1, last_error());
		put_field(fd, 'b', i.branch), put_field(fd, 'c', i.commit), put_field(fd, 's', i.summary);
		put_field(fd, 'u', i.upstream), put_field(fd, 'o', i.origin);
		snprintf(num, sizeof(num), "%d", i.dirty), put_field(fd, 'd', num);
		snprintf(num, sizeof(num), "%d", i.ahead), put_field(fd, 'a', num);
		snprintf(num, sizeof(num), "%d", i.behind), put_field(fd, 'h', num);
		_exit(0);
	}
	case OP_UPDATE: case OP_FETCH:
		G.fetch_init(&fo, GIT_FETCH_OPTIONS_VERSION);
		fo.callbacks = cb;
		update(a, fd, op == OP_UPDATE, &fo);
	}
	_exit(1);
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

static void copy(char *out, size_t n, const char *v)
{
	size_t l = strnlen(v, n - 1);

	memcpy(out, v, l);
	out[l] = 0;
}

static void info_field(struct ws_git_info *i, char tag, const char *v)
{
	switch (tag) {
	case 'b': copy(i->branch, sizeof(i->branch), v); break;
	case 'c': copy(i->commit, sizeof(i->commit), v); break;
	case 's': copy(i->summary, sizeof(i->summary), v); break;
	case 'u': copy(i->upstream, sizeof(i->upstream), v); break;
	case 'o': copy(i->origin, sizeof(i->origin), v); break;
	case 'd': i->dirty = atoi(v); break;
	case 'a': i->ahead = atoi(v); break;
	case 'h': i->behind = atoi(v); break;
	}
}

/* Run op in a child, following its reports; its exit status (0, 1, 2),
 * -1 on a timeout or a failure to start, -2 if interrupted (the child
 * killed).  *result: the last "R"/"B" number reported. */
static int supervise(enum op op, const char *a, const char *b, int timeout_s, int *result, char *why, size_t whyn,
	struct ws_git_info *info)
{
	char buf[4096];
	int fds[2], sfd, status = 0, tty = isatty(2), got = 0, interrupted = 0, timed_out = 0;
	sigset_t set, old;
	size_t have = 0;
	long long last;
	pid_t pid;

	*why = 0;
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
		return fail("cannot start git: %s", strerror(e));
	}
	if (pid == 0) {
		close(fds[0]);
		close(sfd);
		sigprocmask(SIG_SETMASK, &old, NULL);
		git_child(op, a, b, fds[1]);
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
					snprintf(why, whyn, "%.590s", buf + 2);
				else if (buf[0] == 'R' || buf[0] == 'B')
					*result = atoi(buf + 2);
				else if (buf[0] == 'I' && info && buf[1] && buf[2] == ' ')
					info_field(info, buf[1], buf + 3);
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
	if (interrupted)
		return -2;
	if (timed_out)
		return fail("%s: no answer for %d s", a, timeout_s);
	if (!WIFEXITED(status))
		return fail("%s: git stopped by signal %d", a, WTERMSIG(status));
	return WEXITSTATUS(status);
}

int ws_git_clone_supervised(const char *url, const char *dest, int timeout_s)
{
	char tmp[PATH_MAX * 2], dir[PATH_MAX], why[600];
	const char *base = strrchr(dest, '/') ? strrchr(dest, '/') + 1 : dest;
	int r, result = 0;

	snprintf(dir, sizeof(dir), "%.*s", (int)(base - dest > 1 ? base - dest - 1 : 1), dest);
	rm_stale(dir, base);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.sesame-clone.%ld", dir, base, (long)getpid()) >= sizeof(tmp))
		return fail("%s: the path is too long", dest);
	r = supervise(OP_CLONE, url, tmp, timeout_s, &result, why, sizeof(why), NULL);
	if (r != 0) {
		rm_tree(tmp);
		if (r == -2)
			return fail("interrupted; nothing was left behind"), -2;
		if (r < 0)
			return fail("%s; nothing was left behind", last_error());
		return fail("%s: %s", url, *why ? why : "the clone failed");
	}
	if (rename(tmp, dest) == 0)
		return 0;
	if (errno == EEXIST || errno == ENOTEMPTY) {
		/* An existing directory (an organisation's, for its workspace.git):
		 * the checkout's .git goes in, and each file it does not have. */
		char from[PATH_MAX * 3], to[PATH_MAX * 3];
		DIR *d;
		struct dirent *e;

		snprintf(from, sizeof(from), "%s/.git", tmp);
		snprintf(to, sizeof(to), "%s/.git", dest);
		if (rename(from, to) < 0) {
			r = errno;
			rm_tree(tmp);
			return fail("%s: %s", to, strerror(r));
		}
		if ((d = opendir(tmp))) {
			while ((e = readdir(d)))
				if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
					struct stat sb;

					snprintf(from, sizeof(from), "%s/%s", tmp, e->d_name);
					snprintf(to, sizeof(to), "%s/%s", dest, e->d_name);
					if (lstat(to, &sb) == 0)
						fprintf(stderr, "sesame: kept your %s (git status shows how it differs)\n", to);
					else if (rename(from, to) < 0)
						fprintf(stderr, "sesame: %s: %s\n", to, strerror(errno));
				}
			closedir(d);
		}
		rm_tree(tmp);
		return 0;
	}
	r = errno;
	rm_tree(tmp);
	return fail("%s: %s", dest, strerror(r));
}

int ws_git_probe_supervised(const char *url, int timeout_s)
{
	char why[600];
	int result = 0, r = supervise(OP_PROBE, url, NULL, timeout_s, &result, why, sizeof(why), NULL);

	if (r == -2)
		return fail("interrupted"), -2;
	if (r == 2 || r == 1)
		return 0;
	return r < 0 ? -1 : 1;
}

int ws_git_update_supervised(const char *path, int fast_forward, int timeout_s)
{
	char why[600];
	int result = 0, r = supervise(fast_forward ? OP_UPDATE : OP_FETCH, path, NULL, timeout_s, &result, why,
		sizeof(why), NULL);

	if (r == -2)
		return fail("interrupted"), -2;
	if (r < 0)
		return -1;
	if (r)
		return fail("%s: %s", path, *why ? why : "git failed");
	return result;
}

/* In a child too: libgit2 reads the checkout's own files (its config
 * among them), which come from whoever made the repository. */
int ws_git_info(const char *path, struct ws_git_info *i)
{
	char why[600];
	int result = 0, r;

	memset(i, 0, sizeof(*i));
	r = supervise(OP_INFO, path, NULL, 60, &result, why, sizeof(why), i);
	if (r == -2)
		return fail("interrupted"), -2;
	if (r < 0)
		return -1;
	if (r)
		return fail("%s", *why ? why : "git failed");
	return 0;
}
