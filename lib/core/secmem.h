/* secmem.h - memory for keys and decrypted values.
 *
 * Every allocation gets its own pages: a PROT_NONE guard page on each side,
 * data pages from memfd_secret(2) (removed from the kernel's direct map, so
 * not even root reading /proc/PID/mem or a kernel bug can see them), or, if
 * the kernel has no memfd_secret, anonymous pages that are locked as they
 * are first touched (mlock2 MLOCK_ONFAULT) and excluded from core dumps
 * (logged at error level: weaker).  Pages are never
 * inherited by fork().  The block is right-aligned against the trailing guard
 * page; a random canary sits before it and fills the alignment padding after
 * it.  secmem_free() checks the canaries (abort on mismatch: memory has
 * been corrupted, carrying on is unsafe), wipes every data page that was
 * ever touched (an untouched anonymous page holds only zeros) and unmaps
 * it, except that up to 64 wiped one-page blocks are kept (locked, guarded)
 * for reuse, because mapping and unmapping secretmem is slow.
 */
#ifndef SESAME_SECMEM_H
#define SESAME_SECMEM_H

#include <stddef.h>

enum secmem_backend { SECMEM_NONE, SECMEM_MEMFD_SECRET, SECMEM_MLOCK };

/* Decide the backend now (first call logs a fallback); returns it, or
 * SECMEM_NONE with a reason if libsodium does not initialise. */
enum secmem_backend secmem_probe(void);
/* Choose the backend before the first allocation (SECMEM_MLOCK: commands,
 * see sesame.c); ignored once one is chosen.  -1 with a reason if
 * libsodium does not initialise. */
int secmem_use(enum secmem_backend b);
const char *secmem_backend_name(enum secmem_backend b);
/* 1 if the kernel gives this process memfd_secret(2), else 0 (errno says
 * why); allocates nothing. */
int secmem_secret_available(void);

/* n usable bytes, zeroed; NULL with a reason (e.g. RLIMIT_MEMLOCK). */
void *secmem_alloc(size_t n);
void *xsecmem_alloc(size_t n);
/* Copy of the n bytes at src in secure memory. */
void *secmem_dup(const void *src, size_t n);
/* Check, wipe and release; NULL is ignored. */
void secmem_free(void *p);
size_t secmem_size(const void *p);

#endif
