/* audit.h - the hash-chained audit log of vault operations.
 *
 * data/audit.jsonl, mode 0600, one JSON object per line:
 *   {"seq":N,"ts":"...Z","event":"secret.get","profile":"work",
 *    "key_id":"<16 hex>","outcome":"ok","prev":"<64 hex>","hash":"<64 hex>"}
 * hash is BLAKE2b-256 of the line up to (not including) ',"hash"'; prev
 * is the previous line's hash (64 zeros for the first); seq counts from 1.
 * An edited, deleted or reordered line breaks the chain at the next line
 * (an edited line also fails its own hash).  Never a value; never a key
 * name (key_id is a keyed hash that only the vault can compute).  Without
 * a key, whoever can rewrite the file can rewrite the whole chain, and
 * cutting lines off the end is not detected until the next line: a writer
 * that finds the file cut shorter, removed or replaced logs an error and
 * goes on from the last line it wrote, so verify breaks there.
 */
#ifndef SESAME_AUDIT_H
#define SESAME_AUDIT_H

#include <stddef.h>

struct audit;

/* Open for appending, continuing the chain from the last line. */
struct audit *audit_open(const char *path);
/* Append one event; key_id may be NULL.  The line is written (a crash
 * of the process cannot lose it) but not synced: call audit_sync once
 * the reply is on its way, so the disk's latency is not the client's.
 * A line the disk takes only in part (full, or over a size limit) is cut
 * off again, so the log stays whole: -1 with a reason. */
int audit_append(struct audit *a, const char *event, const char *profile, const char *key_id,
	const char *outcome);
/* fdatasync what was appended since the last call. */
int audit_sync(struct audit *a);
/* The same for a caller that syncs in another thread: the descriptor to
 * fdatasync, or -1 if nothing was appended since the last call.  It stays
 * open until audit_close, which the caller must not reach mid-sync. */
int audit_sync_fd(struct audit *a);
void audit_close(struct audit *a);

struct audit_report {
	long lines;		/* lines checked */
	long bad_line;		/* first broken line (1-based), 0 if none */
	char why[200];
};

/* Verify a whole log in memory: 0 intact, 1 broken (see r). */
int audit_verify_buf(const char *buf, size_t len, struct audit_report *r);

#endif
