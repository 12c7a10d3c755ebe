/* audit.c - `sesame audit verify|tail`: read the hash-chained audit log
 * (lib/store/audit.h) directly; no daemon needed. */
#include "applets/applet.h"
#include "lib/core/paths.h"
#include "lib/core/util.h"
#include "lib/store/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*APPLET audit audit_main "verify or show the hash-chained audit log"
usage: sesame audit verify|tail [-n N] [-f] [FILE]

The audit log (audit.jsonl in the data directory) records every vault
operation and its outcome, one JSON line each, never a value or a key
name.  Each line holds the hash of the line before it.  On a full disk,
with global.audit.required (the default in system mode, as root), an
operation whose line cannot be written is refused (a lock still locks,
and says it went unaudited).  Without it, operations go on: a line that
cannot be written is left out whole (the chain stays verifiable), the
daemon logs an error, and the next line written says how many were lost,
which verify reports.  A power cut can tear the last line: the next
daemon to start cuts the torn bytes off and says so in its next line,
which verify reports too (and exits 0: a change's line is on disk before
the change is, so only the last reads' lines can be lost).

Once it would pass global.audit.max_size_kib (default 8192; 0: never),
the log is rotated: it becomes audit.jsonl.1, the one before that .2,
and so on, global.audit.keep (default 4) of them kept, the oldest
dropped.  The new file begins with an audit.rotate line that goes on
from the last line of the old one, so the chain runs through them all.

  verify       check the whole chain, through the rotated files, oldest
               first; exits 1 and names the file and the first broken
               line if a line was edited, deleted, inserted or moved,
               and exits 1 too if entries could not be written
  tail         print the last lines (-n N, default 10), reaching back
               into the rotated files; -f keeps printing new lines as
               they are written, following the log when it is rotated,
               and waits for a log not written yet

  -n, --lines N   tail: how many lines (default 10)
  -f, --follow    tail: keep printing new lines
*/

static char *slurp(const char *path, size_t *len)
{
	char *buf = read_file(path, SIZE_MAX - 1, len);

	if (!buf && errno == ENOENT)
		die("audit: there is no audit log at %s: nothing was logged there yet, or it was removed", path);
	if (!buf)
		die("audit: cannot read %s: %s", path, last_error());
	return buf;
}

/* Where the last count lines of buf start (all of it if it has fewer);
 * *got: how many there are from there. */
static size_t last_lines(const char *buf, size_t len, long count, long *got)
{
	size_t p, start = len;

	*got = 0;
	if (!count || !len)
		return len;
	p = buf[len - 1] == '\n' ? len - 1 : len;
	for (;;) {
		while (p > 0 && buf[p - 1] != '\n')
			p--;
		start = p;
		if (++*got == count || p == 0)
			return start;
		p--;		/* over the newline that ends the line before */
	}
}

/* Print what fd holds from at on; returns the new offset. */
static off_t copy_rest(int fd, off_t at)
{
	char chunk[4096];
	ssize_t r;

	while ((r = pread(fd, chunk, sizeof(chunk), at)) > 0) {
		fwrite(chunk, 1, (size_t)r, stdout);
		if (fflush(stdout))
			die("audit: cannot write to standard output");
		at += r;
	}
	return at;
}

/* The k for which the file st is now PATH.k (the log having been rotated
 * k times), or 0. */
static int rotated_to(const char *path, const struct stat *st)
{
	char older[PATH_MAX + 8];
	struct stat o;

	for (int k = 1; k <= 100; k++) {
		if (audit_file_name(older, sizeof(older), path, k) < 0 || stat(older, &o) < 0)
			return 0;
		if (o.st_ino == st->st_ino && o.st_dev == st->st_dev)
			return k;
	}
	return 0;
}

static void follow_from(const char *path, off_t at) NORETURN;

static void tail(const char *path, long count, int follow)
{
	size_t n, len = 0, *from, *lens;
	char **files, **bufs;
	long want = count;

	/* -f on a log not written yet (daemon-secrets not started): wait
	 * for it, as tail -F does, then show it whole. */
	if (follow && access(path, F_OK) < 0 && errno == ENOENT) {
		complain("audit: there is no audit log at %s yet; waiting for it", path);
		while (access(path, F_OK) < 0 && errno == ENOENT)
			usleep(200000);
		follow_from(path, 0);
	}
	files = audit_files(path, &n);
	bufs = xcalloc(n, sizeof(*bufs));
	/* The last lines of the log, reaching back into the rotated files
	 * (oldest first in files) when the newest has fewer. */
	from = xcalloc(n, sizeof(*from));
	lens = xcalloc(n, sizeof(*lens));
	for (size_t i = n; i-- > 0 && (i == n - 1 || want > 0); ) {
		long got;

		if (i < n - 1 && access(files[i], F_OK) < 0)
			break;	/* dropped by a rotation since it was listed */
		bufs[i] = slurp(files[i], &lens[i]);
		from[i] = last_lines(bufs[i], lens[i], want, &got);
		want -= got;
	}
	for (size_t i = 0; i < n; i++) {
		if (bufs[i])
			fwrite(bufs[i] + from[i], 1, lens[i] - from[i], stdout);
		free(bufs[i]);
		free(files[i]);
	}
	len = lens[n - 1];
	free(bufs);
	free(files);
	free(from);
	free(lens);
	fflush(stdout);
	if (follow)
		follow_from(path, (off_t)len);
}

/* Print the log's lines from at on as they are written, following it
 * when it is cut, replaced or rotated; never returns. */
static void follow_from(const char *path, off_t at)
{
	int fd, k;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		die("audit: %s: %s", path, strerror(errno));
	for (;;) {
		struct stat now, named;

		at = copy_rest(fd, at);
		usleep(200000);
		/* Cut shorter, or another file under the name: say so (either
		 * is worth knowing of an audit log) and follow what is there. */
		if (fstat(fd, &now) < 0)
			continue;
		if (now.st_size < at) {
			complain("audit: %s was cut to %lld bytes; following it from its start", path,
				(long long)now.st_size);
			at = 0;
		} else if (stat(path, &named) == 0 && (named.st_ino != now.st_ino || named.st_dev != now.st_dev)) {
			int nfd = open(path, O_RDONLY | O_CLOEXEC);

			if (nfd < 0)
				continue;
			/* What reached the old file before it was set aside
			 * comes first, then the files rotated since, if more
			 * than one; a rotation is the log going on, not news. */
			at = copy_rest(fd, at);
			if (!(k = rotated_to(path, &now)))
				complain("audit: %s was replaced; following the new file from its start", path);
			while (--k > 0) {
				char older[PATH_MAX + 8];
				int ofd;

				if (audit_file_name(older, sizeof(older), path, k) == 0 &&
				    (ofd = open(older, O_RDONLY | O_CLOEXEC)) >= 0) {
					copy_rest(ofd, 0);
					close(ofd);
				}
			}
			close(fd);
			fd = nfd;
			at = 0;
		}
	}
}

/* The log and its rotated files, oldest first, the chain running through
 * them: 0 intact, 1 broken (said on stdout). */
static int verify(const char *path)
{
	struct audit_chain c;
	int rc = audit_verify_chain(path, &c);

	if (rc < 0 && errno == ENOENT && !strcmp(c.file, path))
		die("audit: there is no audit log at %s: nothing was logged there yet, or it was removed", path);
	if (rc < 0)
		die("audit: cannot read %s: %s", c.file, last_error());
	if (rc) {
		printf("audit log %s is broken at line %ld: %s\n", c.file, c.r.bad_line, c.r.why);
		return 1;
	}
	printf("audit log %s is intact: %ld entries", path, c.lines);
	if (c.files > 1)
		printf(" in %zu files (%s.%zu, the oldest, to %s)", c.files, path, c.files - 1, path);
	if (c.rotated)
		printf("; it begins at entry %llu, the ones before having been rotated out", c.first_seq);
	printf("\n");
	if (c.torn)
		printf("a crash or power cut tore the end of the log %llu time%s (the first before entry %llu): "
			"the torn bytes, never a whole entry, were cut off; reads in the moments before may be "
			"unrecorded, changes never are\n", c.torn, c.torn == 1 ? "" : "s", c.torn_seq);
	if (c.lost) {
		printf("but entries are missing: %llu could not be written (a full disk?), the first gap "
			"being before entry %llu\n", c.lost, c.lost_seq);
		return 1;
	}
	return 0;
}

int audit_main(int argc, char **argv)
{
	const char *cmd, *file = NULL;
	char path[PATH_MAX];
	long count = 10;
	int follow = 0, o;
	struct paths p;

	if (argc < 2)
		usage_error("audit", "verify or tail?");
	cmd = argv[1];
	argv++, argc--;
	while ((o = getopt_long(argc, argv, OPTSTR_audit, longopts_audit, NULL)) != -1) {
		long long num;

		switch (o) {
		case 'n':
			if (parse_range(optarg, 0, 1000000, &num) < 0)
				usage_error("audit", "--lines: %s", last_error());
			count = (long)num;
			break;
		case 'f': follow = 1; break;
		default: usage_option("audit", argv, o, longopts_audit);
		}
	}
	if (optind < argc)
		file = argv[optind++];
	if (optind < argc)
		usage_error("audit", "unexpected argument '%s'", argv[optind]);
	if (!file) {
		if (paths_resolve(&p) < 0 || paths_join(path, p.data, "audit.jsonl") < 0)
			die("%s", last_error());
		file = path;
	}
	if (!strcmp(cmd, "verify"))
		return verify(file);
	if (!strcmp(cmd, "tail")) {
		tail(file, count, follow);
		return 0;
	}
	usage_error("audit", "unknown subcommand '%s' (verify, tail)", cmd);
}
