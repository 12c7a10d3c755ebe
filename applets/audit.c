/* audit.c - `sesame audit verify|tail`: read the hash-chained audit log
 * (lib/audit.h) directly; no daemon needed. */
#include "../lib/applet.h"
#include "../lib/audit.h"
#include "../lib/paths.h"
#include "../lib/util.h"

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
name.  Each line holds the hash of the line before it.  On a full disk
operations go on: a line that cannot be written is left out whole (the
chain stays verifiable) and the daemon logs an error for it.

  verify       check the whole chain; exits 1 and names the first broken
               line if a line was edited, deleted, inserted or moved
  tail         print the last lines (-n N, default 10); -f keeps printing
               new lines as they are written
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

static void tail(const char *path, long count, int follow)
{
	size_t len;
	char *buf = slurp(path, &len);
	size_t start = len;
	long seen = 0;
	int fd;
	off_t at;

	/* Back from the end (past its newline) to just after the count-th
	 * newline: the last count lines. */
	if (start && buf[start - 1] == '\n')
		start--;
	while (count && start > 0 && !(buf[start - 1] == '\n' && ++seen == count))
		start--;
	if (!count)
		start = len;
	fwrite(buf + start, 1, len - start, stdout);
	fflush(stdout);
	free(buf);
	if (!follow)
		return;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		die("audit: %s: %s", path, strerror(errno));
	at = (off_t)len;
	for (;;) {
		char chunk[4096];
		ssize_t r = pread(fd, chunk, sizeof(chunk), at);
		struct stat now, named;

		if (r > 0) {
			fwrite(chunk, 1, (size_t)r, stdout);
			if (fflush(stdout))
				die("audit: cannot write to standard output");
			at += r;
			continue;
		}
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

			if (nfd >= 0) {
				complain("audit: %s was replaced; following the new file from its start", path);
				close(fd);
				fd = nfd;
				at = 0;
			}
		}
	}
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
	while ((o = getopt(argc, argv, ":n:f")) != -1) {
		char *end;

		switch (o) {
		case 'n':
			count = strtol(optarg, &end, 10);
			if (*end || count < 0 || count > 1000000)
				usage_error("audit", "-n: a number from 0 to 1000000");
			break;
		case 'f': follow = 1; break;
		default: usage_option("audit", argv, o, NULL);
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
	if (!strcmp(cmd, "verify")) {
		struct audit_report r;
		size_t len;
		char *buf = slurp(file, &len);
		int broken = audit_verify_buf(buf, len, &r);

		free(buf);
		if (broken) {
			printf("audit log %s is broken at line %ld: %s\n", file, r.bad_line, r.why);
			return 1;
		}
		printf("audit log %s is intact: %ld entries\n", file, r.lines);
		return 0;
	}
	if (!strcmp(cmd, "tail")) {
		tail(file, count, follow);
		return 0;
	}
	usage_error("audit", "unknown subcommand '%s' (verify, tail)", cmd);
}
