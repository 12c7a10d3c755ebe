/* keyfile.h - the key-file factor: 32 random bytes in a file of their own.
 *
 * The file is given at enrolment (a separate read-only partition, a key
 * provisioned at manufacture) and its path is kept in the vault; `sesame
 * unlock` reads it with no prompt.  It must be a regular file, not a
 * symbolic link, owned by root or by the user, readable by nobody else
 * (no group or other permission bits), and exactly 32 bytes: anything
 * else is refused with what is wrong and how to fix it.
 *
 * It protects a vault copied without the file (a stolen disk image of
 * the data partition, a backup); it does not protect against anyone who
 * can read the file, root or the owner on the running device included. */
#ifndef SESAME_KEYFILE_H
#define SESAME_KEYFILE_H

#include <stdint.h>

#define KEYFILE_LEN 32

/* The key (secure memory, KEYFILE_LEN bytes), or NULL with a reason. */
uint8_t *keyfile_read(const char *path);
/* Make path a new key file (mode 0400, 32 bytes from the kernel's
 * random source); refuses an existing file.  0, or -1 with a reason. */
int keyfile_create(const char *path);

#endif
