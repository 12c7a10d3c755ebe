/* mru.h - daemon-wm's window order, kept across its restarts.
 *
 * Window ids are daemon-wm's own and the compositor gives no other, so a
 * window is known again by a digest of its app id and title.  The file,
 * wm.mru in the runtime directory (a session's life, like the windows),
 * is a line "sesame-wm-mru 1", then one digest per line in lower-case
 * hex, most recently focused first, at most MRU_MAX.  Digests, not
 * titles: the file says nothing a title says.  Apart from Wayland so
 * that it can be tested alone (tests/unit/mru.c, tests/fuzz/mru.c).
 */
#ifndef SESAME_MRU_H
#define SESAME_MRU_H

#include <stddef.h>
#include <stdint.h>

#define MRU_MAX 64
#define MRU_DIGEST 16
#define MRU_HEADER "sesame-wm-mru 1\n"
/* The longest file: the header and MRU_MAX lines. */
#define MRU_FILE_MAX (sizeof(MRU_HEADER) - 1 + MRU_MAX * (2 * MRU_DIGEST + 1))

struct mru {
	int n;
	uint8_t d[MRU_MAX][MRU_DIGEST];
	uint8_t taken[MRU_MAX];		/* matched to a window already (mru_rank) */
};

/* The digest of a window (NULL app id or title are ""). */
void mru_digest(const char *app_id, const char *title, uint8_t out[MRU_DIGEST]);
/* Read a file's text (len bytes, any content) into m.  A line that is not
 * a digest ends it: a write cut short keeps what came before.  -1 if the
 * header is not there (m is then empty). */
int mru_parse(const char *text, size_t len, struct mru *m);
/* m as a file's text into out (MRU_FILE_MAX + 1 bytes); its length. */
size_t mru_format(const struct mru *m, char *out);
/* The place of the first entry equal to d not yet taken, now taken; -1
 * if none.  Two windows with the same app id and title take their
 * places in turn. */
int mru_rank(struct mru *m, const uint8_t d[MRU_DIGEST]);

#endif
