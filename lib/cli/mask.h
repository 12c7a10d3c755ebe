/* mask.h - `sesame env --mask`: a command run with the secret values it
 * was given concealed in what it writes, as `op run` does.  Its stdout
 * and stderr are relayed, each through a pseudo-terminal when sesame's
 * own is a terminal (so the command still sees one and writes line by
 * line) or else a pipe; every occurrence of a value becomes
 * "<concealed by sesame>".  The relay holds back only bytes that could
 * begin a value, and for at most 100 ms with nothing more coming (a
 * prompt is not kept waiting); the rest passes at once.  stdin is the
 * command's own.  Values shorter than MASK_MIN bytes are not concealed:
 * they would blot out ordinary text (the caller warns). */
#ifndef SESAME_MASK_H
#define SESAME_MASK_H

#include <stddef.h>
#include <stdint.h>

#define MASK_MIN 4
#define MASK_TEXT "<concealed by sesame>"

struct mask_set {
	const uint8_t **v;
	const size_t *len;
	int n;
};

typedef void (*mask_emit)(void *ctx, const uint8_t *s, size_t n);

/* One output stream's state: what is held back, in secure memory. */
struct masker {
	const struct mask_set *m;
	uint8_t *pend;
	size_t npend, cap;
	uint8_t first[256];	/* 1 for a byte that starts a value */
};

void masker_init(struct masker *k, const struct mask_set *m);
/* Data in; what is decided goes to emit.  final: nothing more comes
 * (or the wait is over): nothing is held back. */
void masker_feed(struct masker *k, const uint8_t *d, size_t n, int final, mask_emit emit, void *ctx);
void masker_free(struct masker *k);

/* Run argv masked; what sesame should exit with: the command's status,
 * 128 + its signal, 127 if it could not be run.  -1 with a reason if the
 * relay could not be set up. */
int mask_run(char **argv, const struct mask_set *m);

#endif
