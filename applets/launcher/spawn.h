/* spawn.h - daemon-launcher's spawner: a small unconfined process that
 * only starts programs, so that the launcher itself can be sandboxed.
 *
 * OpenSSH's privilege separation is the model.  Before daemon-launcher
 * confines itself it forks the spawner, which keeps one end of a
 * socketpair and nothing else (no bus, no files).  The confined launcher
 * parses desktop entries, searches and decides; to start a program it
 * sends the spawner an argv, an environment and a working directory, and
 * the spawner execs exactly that (its own session, stdin and stdout on
 * /dev/null, stderr inherited) and answers with the pid or the errno.  It
 * refuses any request that is not well formed, and exits when the
 * launcher goes (end of file, or PR_SET_PDEATHSIG).
 *
 * Request, on the socket: a 4-byte big-endian length L (at most
 * SPAWN_MAX), then L bytes: "SSP1", argc and envc (u32 big-endian), then
 * the working directory, the argc arguments and the envc "NAME=value"
 * strings, each ended by a NUL, nothing after.  The working directory is
 * absolute; argc is 1 to SPAWN_MAX_ARGS and argv[0] not empty; envc is at
 * most SPAWN_MAX_ENV and every entry has a name before its '='.  The
 * request may hold secrets (in the environment): both sides keep it in
 * locked memory and wipe it.  Reply: two 4-byte big-endian numbers,
 * kind and value: 1 and the pid, or 2 and the errno.
 */
#ifndef SESAME_SPAWN_H
#define SESAME_SPAWN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SPAWN_MAX (4u << 20)
#define SPAWN_MAX_ARGS 4096
#define SPAWN_MAX_ENV 8192

struct spawn_req {
	const char *cwd;
	char **argv;		/* argc + 1 entries, NULL-terminated; into the buffer */
	char **envp;		/* likewise */
	uint32_t argc, envc;
};

/* Parse a request body (without its length) of len bytes; r's arrays
 * point into buf.  -1 with a reason if it is malformed.  Free with
 * spawn_req_free (the arrays only). */
int spawn_decode(const uint8_t *buf, size_t len, struct spawn_req *r);
void spawn_req_free(struct spawn_req *r);

/* Fork the spawner; the launcher's end of the socketpair, or -1 with a
 * reason.  Call before entering the sandbox, and before anything secret
 * or any other descriptor is open that the spawner should not hold. */
int spawner_start(void);

/* Ask the spawner at fd to start argv with envp in cwd: the pid, or -1
 * with a reason ("cannot run X: ...").  Blocks until it answers. */
pid_t spawn_request(int fd, const char *cwd, char *const argv[], char *const envp[]);

#endif
