/* audit.c - see audit.h. */
#include "lib/store/audit.h"
#include "lib/config/config.h"
#include "lib/core/log.h"
#include "lib/core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HASH_FIELD ",\"hash\":\""

struct audit {
	int fd;
	char *path;
	unsigned long long seq;
	char prev[65];
	off_t size;		/* the file's size after our last append */
	int dirty;		/* appended since the last audit_sync */
	long long max;		/* rotate before passing this size; 0: never */
	int keep;		/* rotated files kept */
	off_t retry;		/* after a failed rotation, the size to try again at */
	unsigned long long lost;	/* lines that could not be written since the last one */
	unsigned long long torn;	/* bytes of a torn tail cut off since the last one */
	int required;		/* global.audit.required */
};

static void hash_hex(const char *s, size_t n, char out[65])
{
	uint8_t h[32];

	crypto_generichash(h, sizeof(h), (const uint8_t *)s, n, NULL, 0);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

/* Find "key":"VALUE" or "key":NUMBER in a line; copies VALUE. */
static int field(const char *line, size_t n, const char *key, char *out, size_t outsz)
{
	char pat[32];
	const char *p, *end = line + n;
	size_t k = 0;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = memmem(line, n, pat, strlen(pat));
	if (!p)
		return -1;
	p += strlen(pat);
	if (p < end && *p == '"')
		for (p++; p < end && *p != '"' && k + 1 < outsz; )
			out[k++] = *p++;
	else
		for (; p < end && *p >= '0' && *p <= '9' && k + 1 < outsz; )
			out[k++] = *p++;
	out[k] = 0;
	return k ? 0 : -1;
}

int audit_verify_buf(const char *buf, size_t len, const char *from, unsigned long long from_seq,
	struct audit_report *r)
{
	char prev[65], want[65], got[65], seqs[24], ev[16];
	unsigned long long seq = from ? from_seq : 0;
	size_t off = 0;

	memset(r, 0, sizeof(*r));
	if (from)
		snprintf(prev, sizeof(prev), "%s", from);
	else
		memset(prev, '0', 64), prev[64] = 0;
	while (off < len) {
		const char *line = buf + off, *nl = memchr(line, '\n', len - off), *h;
		size_t n = nl ? (size_t)(nl - line) : len - off, body;
		unsigned long long s;
		char *end;

		r->lines++;
		off += n + (nl ? 1 : 0);
		if (!nl) {
			r->bad_line = r->lines;
			snprintf(r->why, sizeof(r->why), "the last line is incomplete (no newline)");
			return 1;
		}
		/* ,"hash":"<64 hex>"} ends the line; everything before it is hashed. */
		if (n < strlen(HASH_FIELD) + 66 || memcmp(line + n - 2, "\"}", 2) ||
		    memcmp((h = line + n - 66 - strlen(HASH_FIELD)), HASH_FIELD, strlen(HASH_FIELD))) {
			r->bad_line = r->lines;
			snprintf(r->why, sizeof(r->why), "not an audit line (no hash at its end)");
			return 1;
		}
		body = (size_t)(h - line);
		memcpy(got, h + strlen(HASH_FIELD), 64);
		got[64] = 0;
		hash_hex(line, body, want);
		if (strcmp(want, got)) {
			r->bad_line = r->lines;
			snprintf(r->why, sizeof(r->why), "its content does not match its hash (edited)");
			return 1;
		}
		if (field(line, body, "seq", seqs, sizeof(seqs)) < 0 ||
		    (s = strtoull(seqs, &end, 10), *end) || s == 0) {
			r->bad_line = r->lines;
			snprintf(r->why, sizeof(r->why), "it has no sequence number");
			return 1;
		}
		if (field(line, body, "prev", want, sizeof(want)) < 0 || strcmp(want, prev)) {
			/* A file on its own may begin where an older one was
			 * rotated out. */
			if (r->lines == 1 && !from && strlen(want) == 64 &&
			    field(line, body, "event", ev, sizeof(ev)) == 0 && !strcmp(ev, "audit.rotate")) {
				r->rotated = 1;
				seq = s - 1;
			} else {
				r->bad_line = r->lines;
				snprintf(r->why, sizeof(r->why), "%s", r->lines > 1 ?
					"it does not follow the line before it (a line was deleted, inserted or moved)" :
					from ? "it does not go on from the last line of the file before it (that "
					"file was cut or replaced, or one between them is missing)" :
					"it goes on from lines that are not in this file (the log was cut or removed)");
				return 1;
			}
		}
		if (s != seq + 1) {
			r->bad_line = r->lines;
			snprintf(r->why, sizeof(r->why), "its sequence number is not %llu", seq + 1);
			return 1;
		}
		if (field(line, body, "lost", seqs, sizeof(seqs)) == 0) {
			unsigned long long l = strtoull(seqs, &end, 10);

			if (!r->lost)
				r->lost_seq = s;
			r->lost += l;
		}
		if (field(line, body, "torn", seqs, sizeof(seqs)) == 0) {
			if (!r->torn)
				r->torn_seq = s;
			r->torn++;
		}
		if (r->lines == 1)
			r->first_seq = s;
		r->last_seq = seq = s;
		memcpy(prev, got, 65);
		memcpy(r->last_hash, got, 65);
	}
	return 0;
}

int audit_file_name(char *out, size_t size, const char *path, int k)
{
	int n = k ? snprintf(out, size, "%s.%d", path, k) : snprintf(out, size, "%s", path);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

char **audit_files(const char *path, size_t *n)
{
	char **v, name[PATH_MAX + 8];
	size_t k = 0;

	/* PATH.1, PATH.2, ... while they exist (keep is at most 100). */
	while (k < 1000 && audit_file_name(name, sizeof(name), path, (int)k + 1) == 0 && access(name, F_OK) == 0)
		k++;
	v = xcalloc(k + 1, sizeof(*v));
	for (size_t i = 0; i < k; i++) {
		audit_file_name(name, sizeof(name), path, (int)(k - i));
		v[i] = xstrdup(name);
	}
	v[k] = xstrdup(path);
	*n = k + 1;
	return v;
}

int audit_verify_chain(const char *path, struct audit_chain *c)
{
	size_t n, len;
	char **files = audit_files(path, &n), prev[65] = "", *buf;
	unsigned long long seq = 0;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < n && !rc; i++) {
		snprintf(c->file, sizeof(c->file), "%s", files[i]);
		if (!(buf = read_file(files[i], SIZE_MAX - 1, &len))) {
			rc = -1;
			break;
		}
		rc = audit_verify_buf(buf, len, *prev ? prev : NULL, seq, &c->r);
		free(buf);
		c->files++;
		c->bytes += (long long)len;
		if (rc)
			break;
		if (!*prev) {
			c->rotated = c->r.rotated;
			c->first_seq = c->r.first_seq;
		}
		if (c->r.lines) {
			memcpy(prev, c->r.last_hash, sizeof(prev));
			seq = c->r.last_seq;
		}
		c->lines += c->r.lines;
		if (c->r.lost && !c->lost)
			c->lost_seq = c->r.lost_seq;
		c->lost += c->r.lost;
		if (c->r.torn && !c->torn)
			c->torn_seq = c->r.torn_seq;
		c->torn += c->r.torn;
	}
	if (!rc)
		c->file[0] = 0;
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
	return rc;
}

/* The length of buf[0..n) without a torn tail: the NUL bytes a file
 * system leaves where it had extended a file whose blocks a crash kept
 * from being written, then a line cut short (no newline).  Neither was
 * ever a line of the chain. */
static size_t untorn(const char *buf, size_t n)
{
	while (n > 0 && buf[n - 1] == 0)
		n--;
	while (n > 0 && buf[n - 1] != '\n')
		n--;
	return n;
}

/* Continue the chain from the last complete line of a file of size
 * bytes.  A torn tail (a crash or power cut while appending) is cut off,
 * durably, and the next line says how many bytes went ("torn"), so the
 * chain stays verifiable and the cut stays on record. */
static void resume(struct audit *a, off_t size)
{
	char *buf;
	off_t from;
	ssize_t n;

	memset(a->prev, '0', 64);
	a->prev[64] = 0;
	a->seq = 0;
	a->size = size;
	if (size == 0)
		return;
	from = size > 65536 ? size - 65536 : 0;
	buf = xmalloc(65537);
	n = pread(a->fd, buf, (size_t)(size - from), from);
	if (n > 0) {
		size_t keep = untorn(buf, (size_t)n);
		char *last, seqs[24], h[65];

		if (keep < (size_t)n && (keep > 0 || from == 0)) {
			if (ftruncate(a->fd, from + (off_t)keep) == 0 && fdatasync(a->fd) == 0) {
				log_error("audit: %s ended in a torn write (%zd bytes: a crash or power cut while "
					"appending): cut off; the next line records it", a->path, n - (ssize_t)keep);
				a->torn += (unsigned long long)(n - (ssize_t)keep);
				a->size = from + (off_t)keep;
				n = (ssize_t)keep;
			} else {
				log_error("audit: %s ends in a torn write that cannot be cut off (%s): "
					"audit verify will point at it", a->path, strerror(errno));
			}
		}
		if (n > 0 && buf[n - 1] != '\n') {
			/* Torn and not cut: end it, so the next line starts
			 * cleanly. */
			if (write(a->fd, "\n", 1) == 1)
				a->size++;
		} else if (n > 0) {
			n--;
		}
		buf[n > 0 ? n : 0] = 0;
		last = strrchr(buf, '\n');
		last = last ? last + 1 : buf;
		if (field(last, strlen(last), "seq", seqs, sizeof(seqs)) == 0)
			a->seq = strtoull(seqs, NULL, 10);
		if (field(last, strlen(last), "hash", h, sizeof(h)) == 0 && strlen(h) == 64)
			memcpy(a->prev, h, 65);
	}
	free(buf);
}

struct audit *audit_open(const char *path)
{
	struct audit *a = xcalloc(1, sizeof(*a));
	char fresh[PATH_MAX + 8];
	struct stat st;

	/* A rotation cut short between its two renames left the new file
	 * as PATH.new: put it in place before anything starts a new chain. */
	if (access(path, F_OK) < 0 && errno == ENOENT &&
	    snprintf(fresh, sizeof(fresh), "%s.new", path) < (int)sizeof(fresh) && rename(fresh, path) == 0)
		log_info("audit: finished the rotation of %s", path);
	a->fd = open_private(path, O_RDWR | O_CREAT | O_APPEND, 0600);
	if (a->fd < 0 || fstat(a->fd, &st) < 0) {
		fail("audit: cannot open %s", last_error());
		if (a->fd >= 0)
			close(a->fd);
		free(a);
		return NULL;
	}
	a->path = xstrdup(path);
	flock(a->fd, LOCK_EX);
	resume(a, st.st_size);
	flock(a->fd, LOCK_UN);
	return a;
}

static void put_str(char *out, size_t size, size_t *n, const char *key, const char *v)
{
	*n += (size_t)snprintf(out + *n, size - *n, ",\"%s\":\"", key);
	for (; *v && *n + 8 < size; v++) {
		unsigned char c = (unsigned char)*v;

		if (c == '"' || c == '\\')
			*n += (size_t)snprintf(out + *n, size - *n, "\\%c", c);
		else if (c < 0x20)
			*n += (size_t)snprintf(out + *n, size - *n, "\\u%04x", c);
		else
			out[(*n)++] = (char)c;
	}
	*n += (size_t)snprintf(out + *n, size - *n, "\"");
}

void audit_configure(struct audit *a, const struct config *c, int system)
{
	audit_set_rotation(a, config_int(c, "global.audit.max_size_kib", 8192) * 1024,
		(int)config_int(c, "global.audit.keep", 4));
	if (a)
		a->required = config_bool(c, "global.audit.required", system);
}

int audit_required(const struct audit *a)
{
	return a ? a->required : 0;
}

/* Does the file begin with an audit.rotate line? */
static int begins_rotated(int fd)
{
	char line[1024], ev[16], *nl;
	ssize_t n = pread(fd, line, sizeof(line) - 1, 0);

	if (n <= 0)
		return 0;
	line[n] = 0;
	if ((nl = strchr(line, '\n')))
		*nl = 0;
	return field(line, strlen(line), "event", ev, sizeof(ev)) == 0 && !strcmp(ev, "audit.rotate");
}

/* A cut file may end inside a line: end it, so ours starts cleanly. */
static void end_line(struct audit *a, off_t size)
{
	char c;

	a->size = size;
	if (size > 0 && pread(a->fd, &c, 1, size - 1) == 1 && c != '\n' && write(a->fd, "\n", 1) == 1)
		a->size++;
}

/* The log was removed or another file put in its place (our descriptor
 * then writes where nobody reads): open what is at the path now, taking
 * the lock on it, and say so.  dup3 onto our descriptor, so a sync in
 * another thread (audit_sync_fd) never sees it closed.  1 if reopened. */
static int gone(struct audit *a, const struct stat *mine)
{
	struct stat named;
	int fd;

	if (stat(a->path, &named) == 0 && named.st_ino == mine->st_ino && named.st_dev == mine->st_dev)
		return 0;
	if ((fd = open_private(a->path, O_RDWR | O_CREAT | O_APPEND, 0600)) < 0) {
		log_error("audit: %s was removed or replaced, and cannot be opened again (%s); lines go "
			"to the old file", a->path, last_error());
		return 0;
	}
	if (dup3(fd, a->fd, O_CLOEXEC) < 0) {
		close(fd);
		return 0;
	}
	close(fd);
	flock(a->fd, LOCK_EX);
	/* Another writer rotated the log: the file there goes on from ours. */
	if (!begins_rotated(a->fd))
		log_error("audit: %s was removed or replaced; writing to the file there now, the chain "
			"going on from the last line written", a->path);
	if (fstat(a->fd, &named) == 0 && named.st_size > 0)
		resume(a, named.st_size);	/* a file with lines: follow them */
	else
		a->size = 0;
	return 1;
}

/* One line going on from a's last, into line (size bytes); its hash into
 * h.  Returns its length, size or more if it does not fit. */
static size_t compose(const struct audit *a, char *line, size_t size, const char *event,
	const char *profile, const char *key_id, const char *outcome, char h[65])
{
	char ts[32];
	struct timespec now;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	n = strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + n, sizeof(ts) - n, ".%03ldZ", now.tv_nsec / 1000000);
	n = (size_t)snprintf(line, size, "{\"seq\":%llu", a->seq + 1);
	put_str(line, size, &n, "ts", ts);
	put_str(line, size, &n, "event", event);
	if (profile)
		put_str(line, size, &n, "profile", profile);
	if (key_id)
		put_str(line, size, &n, "key_id", key_id);
	put_str(line, size, &n, "outcome", outcome);
	if (a->lost)	/* the gap before this line, for audit verify */
		n += (size_t)snprintf(line + n, size - n, ",\"lost\":%llu", a->lost);
	if (a->torn)	/* a torn tail cut off before it */
		n += (size_t)snprintf(line + n, size - n, ",\"torn\":%llu", a->torn);
	put_str(line, size, &n, "prev", a->prev);
	hash_hex(line, n, h);
	return n + (size_t)snprintf(line + n, size - n, HASH_FIELD "%s\"}\n", h);
}

void audit_set_rotation(struct audit *a, long long max_bytes, int keep)
{
	if (!a)
		return;
	a->max = max_bytes > 0 ? max_bytes : 0;
	a->keep = keep < 1 ? 1 : keep > 100 ? 100 : keep;
}

/* Under the lock, with the file in step (a->size is its size): move it to
 * PATH.1 and go on in a new PATH that begins with an audit.rotate line.
 * The new file is written and synced first, as PATH.new, then renamed
 * over: PATH is missing only between two renames, and audit_open puts
 * PATH.new back if a crash falls there.  On failure the old file goes on
 * (logged). */
static int rotate(struct audit *a)
{
	char fresh[PATH_MAX + 8], from[PATH_MAX + 8], to[PATH_MAX + 8], line[1024], h[65], *slash;
	size_t n;
	int fd, dir;

	if (audit_file_name(fresh, sizeof(fresh), a->path, 0) < 0 || strlen(fresh) + 4 >= sizeof(fresh))
		return -1;
	strcat(fresh, ".new");
	unlink(fresh);		/* a rotation's leftover, never renamed into place */
	if ((fd = open(fresh, O_RDWR | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0) {
		log_error("audit: cannot rotate %s: %s: %s", a->path, fresh, strerror(errno));
		return -1;
	}
	flock(fd, LOCK_EX);
	n = compose(a, line, sizeof(line), "audit.rotate", NULL, NULL, "ok", h);
	if (write_all(fd, line, n) < 0 || fdatasync(fd) < 0 || fdatasync(a->fd) < 0) {
		log_error("audit: cannot rotate %s: %s", a->path, strerror(errno));
		goto undo;
	}
	/* PATH.keep goes; each PATH.k becomes PATH.k+1; PATH becomes PATH.1. */
	for (int k = a->keep; k >= 1; k--) {
		if (audit_file_name(from, sizeof(from), a->path, k - 1) < 0 || audit_file_name(to, sizeof(to), a->path, k) < 0)
			goto undo;
		if (k == a->keep && unlink(to) < 0 && errno != ENOENT)
			log_error("audit: cannot remove %s: %s", to, strerror(errno));
		if (rename(from, to) < 0 && (k == 1 || errno != ENOENT)) {
			log_error("audit: cannot rotate %s: renaming %s: %s", a->path, from, strerror(errno));
			if (k == 1)
				goto undo;
		}
	}
	if (rename(fresh, a->path) < 0) {
		log_error("audit: cannot rotate %s: %s", a->path, strerror(errno));
		if (rename(to, a->path) < 0)	/* to is PATH.1: put it back */
			log_error("audit: %s is now %s: %s", a->path, to, strerror(errno));
		goto undo;
	}
	/* The renames last once the directory is synced. */
	snprintf(from, sizeof(from), "%s", a->path);
	if ((slash = strrchr(from, '/')))
		slash[slash == from] = 0;
	if ((dir = open(slash ? from : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dir);
		close(dir);
	}
	/* Our descriptor now names the new file, whose lock we hold; the old
	 * file's lock goes with its last descriptor. */
	if (dup3(fd, a->fd, O_CLOEXEC) < 0) {
		log_error("audit: cannot rotate %s: %s", a->path, strerror(errno));
		goto undo;
	}
	close(fd);
	a->seq++;
	a->size = (off_t)n;
	memcpy(a->prev, h, 65);
	log_info("audit: rotated %s (the older lines are in %s.1)", a->path, a->path);
	return 0;
undo:
	close(fd);
	unlink(fresh);
	return -1;
}

int audit_append(struct audit *a, const char *event, const char *profile, const char *key_id,
	const char *outcome)
{
	char line[1024], h[65];
	struct stat st;
	size_t n;
	int r = 0, known;

	/* Several daemons append (daemon-secrets, daemon-profile): under the
	 * lock, pick the chain up again if someone else wrote since. */
	if (flock(a->fd, LOCK_EX) < 0)
		return fail("audit: cannot lock: %s", strerror(errno));
	known = fstat(a->fd, &st) == 0;
	if (known && gone(a, &st))
		known = fstat(a->fd, &st) == 0;
	if (known && st.st_size < a->size) {
		/* Lines were cut off.  The chain goes on from the last line
		 * written, so the next line does not follow what is left and
		 * audit verify points at it. */
		log_error("audit: %s shrank from %lld to %lld bytes: lines were removed; audit verify "
			"will show where", a->path, (long long)a->size, (long long)st.st_size);
		end_line(a, st.st_size);
	} else if (known && st.st_size != a->size) {
		resume(a, st.st_size);
	}
	n = compose(a, line, sizeof(line), event, profile, key_id, outcome, h);
	if (known && a->max && a->size > 0 && a->size + (off_t)n > a->max && a->size >= a->retry) {
		/* A rotation that failed is tried again a sixteenth of the
		 * limit later, not on every line (each failure is logged). */
		a->retry = rotate(a) < 0 ? a->size + a->max / 16 : 0;
		n = compose(a, line, sizeof(line), event, profile, key_id, outcome, h);
	}
	if (n >= sizeof(line)) {
		r = fail("audit: line too long");
		a->lost++;
	} else if (write_all(a->fd, line, n) < 0) {
		/* A full disk (or a file size limit) can cut a line short.
		 * Under the lock nobody else wrote, so take the torn part
		 * back: the log stays whole and the chain goes on from the
		 * last line once there is room again, saying how many lines
		 * were lost meanwhile. */
		r = fail("audit: cannot append to %s: %s", a->path, strerror(errno));
		a->lost++;
		if (!known || ftruncate(a->fd, a->size) < 0)
			a->size = -1;	/* resynchronise next time */
	} else {
		a->seq++;
		a->size += (off_t)n;
		a->dirty = 1;
		a->lost = 0;
		a->torn = 0;
		memcpy(a->prev, h, 65);
	}
	flock(a->fd, LOCK_UN);
	return r;
}

int audit_sync_fd(struct audit *a)
{
	if (!a || !a->dirty)
		return -1;
	a->dirty = 0;
	return a->fd;
}

int audit_sync(struct audit *a)
{
	int fd = audit_sync_fd(a);

	if (fd >= 0 && fdatasync(fd) < 0)
		return fail("audit: cannot sync: %s", strerror(errno));
	return 0;
}

void audit_close(struct audit *a)
{
	if (!a)
		return;
	audit_sync(a);
	close(a->fd);
	free(a->path);
	free(a);
}
