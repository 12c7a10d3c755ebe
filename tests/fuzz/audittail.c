/* libFuzzer target for the audit log's recovery of a torn tail: a chain
 * of lines written by the log itself, then the fuzzer's bytes as the end
 * a crash left (part of a line, NUL bytes).  Opening it again and
 * appending must never crash, and when those bytes hold no newline (a
 * write torn before its end) the log must verify whole afterwards, the
 * torn part cut off and recorded. */
#include "lib/core/log.h"
#include "lib/store/audit.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static int verify_file(void)
{
	struct audit_report r;
	char buf[1 << 16];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		abort();
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		abort();
	return audit_verify_buf(buf, (size_t)n, NULL, 0, &r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct audit *a;
	int fd, lines;

	if (!*path) {
		snprintf(path, sizeof(path), "/tmp/sesame-fuzz-audittail.%d", (int)getpid());
		log_set_level(LOGL_ERROR);
	}
	if (size < 1 || size > 4096)
		return 0;
	lines = data[0] % 4;
	unlink(path);
	if (!(a = audit_open(path)))
		abort();
	for (int i = 0; i < lines; i++)
		audit_append(a, "secret.get", "p", NULL, "ok");
	audit_close(a);
	if ((fd = open(path, O_WRONLY | O_APPEND)) < 0 || write(fd, data + 1, size - 1) != (ssize_t)(size - 1))
		abort();
	close(fd);
	if (!(a = audit_open(path)))
		abort();
	audit_append(a, "daemon.start", NULL, NULL, "ok");
	audit_close(a);
	if (!memchr(data + 1, '\n', size - 1) && verify_file() != 0)
		abort();
	unlink(path);
	return 0;
}
