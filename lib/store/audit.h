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
 *
 * Rotation (audit_set_rotation) keeps the log from filling a small disk:
 * PATH becomes PATH.1 (PATH.1 becomes PATH.2, ...) and a new PATH begins
 * with an "audit.rotate" line that goes on from the old file's last line,
 * so the chain runs on through the files.  The oldest file kept begins
 * with such a line too; the lines before it are gone, which verify says.
 * Without a key, dropping whole old files cannot be told from rotation.
 *
 * A line that cannot be written (a full disk) is counted, and the next
 * line written carries ,"lost":N before "prev": the chain is whole, and
 * audit verify says entries are missing.  With global.audit.required the
 * daemons refuse the operation instead (audit_required).
 *
 * A crash or power cut while appending can leave a torn tail (a line cut
 * short, or NUL bytes where the file had grown but its blocks were never
 * written).  It never was a line of the chain: the next writer to open
 * the file cuts it off, durably, and its next line carries ,"torn":BYTES,
 * which verify reports.  Lines appended but not yet synced (audit_sync)
 * are what a power cut can lose; daemon-secrets syncs a change's line
 * before it commits the change.
 */
#ifndef SESAME_AUDIT_H
#define SESAME_AUDIT_H

#include <limits.h>
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
/* Rotate once a line would take the file past max_bytes (0: never),
 * keeping keep older files (1 to 100).  Whoever appends rotates, under
 * the lock; another writer follows into the new file. */
void audit_set_rotation(struct audit *a, long long max_bytes, int keep);
/* The same from global.audit.max_size_kib and global.audit.keep (a may
 * be NULL). */
struct config;
void audit_configure(struct audit *a, const struct config *c, int system);
/* global.audit.required (default: system mode, the third argument above):
 * an operation whose line cannot be written must be refused.  When it is
 * not, the next line written says how many were lost ("lost":N) and
 * audit verify reports the gap. */
int audit_required(const struct audit *a);
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
	unsigned long long first_seq, last_seq;	/* 0: no line */
	char last_hash[65];	/* the last line's hash; "" if none */
	int rotated;		/* begins at an audit.rotate line, alone */
	unsigned long long lost;	/* lines lost before some line (its "lost") */
	unsigned long long lost_seq;	/* the first line that says so */
	unsigned long long torn;	/* lines saying a torn tail was cut off before them */
	unsigned long long torn_seq;	/* the first of them */
};

/* Verify one file's lines in memory: 0 intact, 1 broken (see r).  The
 * first line must go on from prev, the last hash of the file before
 * (its seq being seq); with prev NULL, it must begin the chain or be an
 * audit.rotate line (the files before it rotated out). */
int audit_verify_buf(const char *buf, size_t len, const char *prev, unsigned long long seq,
	struct audit_report *r);
/* The rotated files of path, oldest first, then path itself: *n names
 * (PATH.K down to PATH.1, K the last before a missing number).  Free
 * each and the array. */
char **audit_files(const char *path, size_t *n);
/* The name of path's k-th rotated file (path itself for k 0) into out;
 * -1 if it does not fit. */
int audit_file_name(char *out, size_t size, const char *path, int k);

struct audit_chain {
	long lines;			/* entries checked, in all files */
	size_t files;			/* files read */
	long long bytes;		/* their size */
	unsigned long long first_seq;	/* of the oldest entry kept */
	int rotated;			/* older entries were rotated out */
	char file[PATH_MAX + 8];		/* where it breaks or cannot be read */
	struct audit_report r;		/* the broken file's report */
	unsigned long long lost, lost_seq;	/* gaps, in all files */
	unsigned long long torn, torn_seq;	/* torn tails cut off, in all files */
};

/* Verify path and its rotated files, oldest first, the chain running
 * through them: 0 intact, 1 broken (c->file, c->r), -1 if a file cannot
 * be read (c->file; errno, and a reason). */
int audit_verify_chain(const char *path, struct audit_chain *c);

#endif
