/* Unit tests for lib/util: a failure reason that quotes the last one,
 * read_file's bounds and errors, and closed standard descriptors. */
#include "lib/core/util.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Another thread's failure must not change this thread's reason. */
static void *other_thread(void *arg)
{
	fail("the other thread's reason");
	*(int *)arg = !strcmp(last_error(), "the other thread's reason");
	return NULL;
}

int main(void)
{
	char dir[] = "/tmp/sesame-unit-util.XXXXXX", path[64];
	size_t len = 99;
	char *buf;
	FILE *f;

	long long n;
	static const struct { const char *s; long long min, max, want; int ok; } nums[] = {
		{ "0", 0, 10, 0, 1 }, { "10", 0, 10, 10, 1 }, { "11", 0, 10, 0, 0 }, { "", 0, 10, 0, 0 },
		{ "-1", 0, 10, 0, 0 }, { "+1", 0, 10, 0, 0 }, { " 1", 0, 10, 0, 0 }, { "1 ", 0, 10, 0, 0 },
		{ "1x", 0, 10, 0, 0 }, { "7", 0, 5, 0, 0 }, { "5", 1, 5, 5, 1 }, { "0", 1, 5, 0, 0 },
		{ "-5", -5, 5, -5, 1 }, { "-6", -5, 5, 0, 0 }, { "-0", -5, 5, 0, 0 }, { "-", -5, 5, 0, 0 },
		{ "4294967295", 0, 4294967295LL, 4294967295LL, 1 }, { "4294967296", 0, 4294967295LL, 0, 0 },
		{ "9223372036854775807", 0, 9223372036854775807LL, 9223372036854775807LL, 1 },
		{ "9223372036854775808", 0, 9223372036854775807LL, 0, 0 },
		{ "99999999999999999999999", 0, 9223372036854775807LL, 0, 0 },
		{ "-9223372036854775808", -9223372036854775807LL - 1, 0, -9223372036854775807LL - 1, 1 },
		{ "-9223372036854775809", -9223372036854775807LL - 1, 0, 0, 0 },
		{ "-3", -10, -2, -3, 1 }, { "-1", -10, -2, 0, 0 }, { "3", -10, -2, 0, 0 },
	};
	for (size_t i = 0; i < sizeof(nums) / sizeof(*nums); i++) {
		int r = parse_range(nums[i].s, nums[i].min, nums[i].max, &n);

		ok(nums[i].ok ? r == 0 && n == nums[i].want : r < 0 && strstr(last_error(), "is not a number from"),
			"parse_range('%s', %lld, %lld) %s", nums[i].s, nums[i].min, nums[i].max,
			nums[i].ok ? "reads it" : "refuses it");
	}

	fail("inner reason");
	fail("outer: %s", last_error());
	ok(!strcmp(last_error(), "outer: inner reason"), "a reason may quote the last one (got '%s')", last_error());
	{
		pthread_t th;
		int theirs = 0;

		pthread_create(&th, NULL, other_thread, &theirs);
		pthread_join(th, NULL);
		ok(theirs && !strcmp(last_error(), "outer: inner reason"),
			"each thread has its own failure reason (this one's: '%s')", last_error());
	}

	if (!mkdtemp(dir))
		return perror("mkdtemp"), 1;
	snprintf(path, sizeof(path), "%s/f", dir);
	ok(!read_file(path, 100, &len) && errno == ENOENT && len == 99, "a missing file: NULL, ENOENT (%s)",
		last_error());
	ok(!read_file(dir, 100, &len) && errno == EINVAL && !strcmp(last_error(), "not a regular file"),
		"a directory: NULL, EINVAL, 'not a regular file'");
	if (!(f = fopen(path, "w")) || fwrite("hello\0world", 1, 11, f) != 11 || fclose(f))
		return perror(path), 1;
	buf = read_file(path, 11, &len);
	ok(buf && len == 11 && !memcmp(buf, "hello\0world", 12), "a file of max bytes is read whole, NUL bytes and all, "
		"and NUL-terminated");
	free(buf);
	ok(!read_file(path, 10, &len) && errno == EFBIG && !strcmp(last_error(), "larger than 10 bytes"),
		"one byte over max: NULL, EFBIG (%s)", last_error());
	if (!(f = fopen(path, "w")) || fclose(f))
		return perror(path), 1;
	buf = read_file(path, 0, &len);
	ok(buf && len == 0 && buf[0] == 0, "an empty file is an empty string");
	free(buf);
	unlink(path);
	rmdir(dir);
	/* Descriptors: stdin closed is filled (with /dev/null, read-only) and
	 * remembered; the others, open, are left alone. */
	{
		int saved = dup(0), flags;

		close(0);
		xstd_fds_open();
		flags = fcntl(0, F_GETFL);
		ok(flags >= 0 && (flags & O_ACCMODE) == O_RDONLY, "a closed stdin is opened, read-only");
		ok(std_fd_was_closed(0) && !std_fd_was_closed(1) && !std_fd_was_closed(2) && !std_fd_was_closed(7),
			"and remembered as closed, the others not");
		dup2(saved, 0);
		close(saved);
	}
	/* utf8_encode: what utf8_seq reads back, nothing for what is no character. */
	{
		static const uint32_t cps[] = { 0x41, 0x7f, 0x80, 0x7ff, 0x800, 0xe9, 0x20ac, 0xffff, 0x10000, 0x1f600, 0x10ffff };
		int good = 1;

		for (size_t i = 0; i < sizeof(cps) / sizeof(cps[0]); i++) {
			char u[4];
			size_t k = utf8_encode(cps[i], u);

			good &= k >= 1 && k <= 4 && utf8_seq((const unsigned char *)u, k) == k &&
				k == (size_t)(cps[i] < 0x80 ? 1 : cps[i] < 0x800 ? 2 : cps[i] < 0x10000 ? 3 : 4);
		}
		ok(good, "utf8_encode writes what utf8_seq reads as one character, 1 to 4 bytes");
		{
			char u[4];

			ok(!utf8_encode(0xd800, u) && !utf8_encode(0xdfff, u) && !utf8_encode(0x110000, u),
				"surrogates and code points past U+10FFFF give nothing");
		}
	}
	done_testing();
}
