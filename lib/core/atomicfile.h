/* atomicfile.h - a file written whole or not at all: the bytes go to a
 * new file beside it (O_EXCL, the given mode whatever the umask), are
 * fsync'ed, and the new file is renamed over the path, then the directory
 * fsync'ed.  On any failure the new file is removed and the old one, if
 * any, is untouched: a reader sees the old file or the new one, never a
 * part.  For files that hold secrets (sesame inject, credentials). */
#ifndef SESAME_ATOMICFILE_H
#define SESAME_ATOMICFILE_H

#include <stddef.h>
#include <sys/types.h>

/* 0, or -1 with a reason naming path. */
int atomic_write(const char *path, const void *data, size_t len, mode_t mode);

#endif
