/* util.h - errors, exit codes and the x* helpers every file uses.
 *
 * Library functions return -1 or NULL and record a reason with fail();
 * callers print it with last_error().  Only applet mains and x* helpers
 * exit, and they print "sesame: ..." on stderr first.
 */
#ifndef SESAME_UTIL_H
#define SESAME_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Exit codes (DESIGN.md, Conventions). */
enum {
	EXIT_USAGE = 2,
	EXIT_UNREACHABLE = 69,
	EXIT_TIMEOUT = 75,
	EXIT_DENIED = 77,
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define PRINTF(f, a) __attribute__((format(printf, f, a)))
#define NORETURN __attribute__((noreturn))

/* Record why the current operation failed; always returns -1.  The
 * reason is the calling thread's own. */
int fail(const char *fmt, ...) PRINTF(1, 2);
int vfail(const char *fmt, va_list ap) PRINTF(1, 0);
/* The last reason recorded by fail(), or "unknown error"; a new reason
 * may include it. */
const char *last_error(void);

/* What kind of failure, besides its reason (OpenSSH's error codes are the
 * model): a caller's next step and a command's exit status depend on it.
 * fail() records ERR_FAILED, fail_code() the kind given; last_code() is
 * the last failure's, per thread as its reason.  A reason that quotes
 * another (fail("%s: %s", x, last_error())) is a new failure: keep the
 * kind with fail_code(last_code(), ...). */
enum err { ERR_FAILED = 1, ERR_NOT_FOUND, ERR_UNREACHABLE, ERR_TIMEOUT, ERR_DENIED };
int fail_code(enum err code, const char *fmt, ...) PRINTF(2, 3);
enum err last_code(void);
/* The exit status for the last failure's kind (DESIGN.md): 69
 * unreachable, 75 timed out, 77 denied, else 1. */
int last_exit(void);

/* Put /dev/null on whichever of descriptors 0, 1 and 2 is closed, before
 * anything else is opened: a command started with stdout closed (cmd >&-)
 * would otherwise get its bus socket as descriptor 1 and write a secret's
 * value into it.  Exits if /dev/null cannot be opened. */
void xstd_fds_open(void);
/* 1 if fd (0, 1 or 2) was closed when xstd_fds_open() ran. */
int std_fd_was_closed(int fd);

/* "sesame: <message>" on stderr. */
void complain(const char *fmt, ...) PRINTF(1, 2);
/* complain(), then exit 1 (die) or with the given code. */
NORETURN void die(const char *fmt, ...) PRINTF(1, 2);
NORETURN void die_code(int code, const char *fmt, ...) PRINTF(2, 3);
/* complain() plus a pointer to the command's help, then exit 2. */
NORETURN void usage_error(const char *cmd, const char *fmt, ...) PRINTF(2, 3);
/* usage_error() for an option getopt refused, o being what it returned
 * (':' for a missing value: the option string starts with ':'): names
 * the option and says whether it is unknown, lacks its value or has one
 * it does not take.  Needs opterr = 0, which applet_run sets. */
struct option;
NORETURN void usage_option(const char *cmd, char *const argv[], int o, const struct option *longopts);

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) PRINTF(1, 2);

/* A regular file of at most max bytes, whole and NUL-terminated (*len
 * without the NUL): the bytes it had when opened, fewer if it shrank.
 * NULL with a reason (not naming the file), and errno: ENOENT and the
 * like from open, EINVAL if it is not a regular file, EFBIG if it is
 * larger than max. */
char *read_file(const char *path, size_t max, size_t *len);

/* open(2) for the files sesame keeps (vault, audit log, databases):
 * never blocks on a FIFO and never follows a symlink, and refuses all but
 * a regular file of this uid closed to others (no group or other bits).
 * The descriptor is blocking again on return (O_CLOEXEC).  -1 with a
 * reason naming path and what is wrong with it. */
int open_private(const char *path, int flags, int mode);

/* The one way sesame reads a number someone typed: s must be decimal
 * digits, with a '-' first only where min < 0; no spaces, no '+', not
 * empty, nothing after, and within min..max (no overflow).  0 with the
 * value in *out, or -1 with a reason quoting s and the range. */
int parse_range(const char *s, long long min, long long max, long long *out);

/* Write all of buf, retrying on EINTR and short writes; -1 with a reason. */
int write_all(int fd, const void *buf, size_t len);
/* Fork a helper process that keeps one end of a new socketpair (of
 * type, SOCK_CLOEXEC added) as fd 3 and no other descriptor above 2, is
 * not dumpable, and dies with its parent.  In the parent: the other end,
 * with *child set to 0 (or -1 with a reason).  In the child: 3, with
 * *child set to 1.  (The peer checker and the launcher's spawner.) */
int fork_helper(int type, int *child);

/* UTF-8: the length of the valid sequence at s (n bytes available), 0
 * if it is not one (overlong, surrogate, past U+10FFFF, truncated); and 1
 * if all n bytes are valid UTF-8. */
size_t utf8_seq(const unsigned char *s, size_t n);
int utf8_valid(const void *s, size_t n);
/* Code point cp as UTF-8 into out (4 bytes); its length, or 0 for a
 * surrogate or past U+10FFFF. */
size_t utf8_encode(uint32_t cp, char out[4]);

#endif
