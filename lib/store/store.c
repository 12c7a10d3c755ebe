/* store.c - opening a role's per-profile SQLite file (store.h). */
#include "lib/store/store.h"
#include "lib/core/dynlib.h"
#include "lib/core/log.h"
#include "lib/core/paths.h"
#include "lib/core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

int store_load(void)
{
	static int done;

	if (done)
		return 0;
	if (dyn_load_sqlite() < 0)
		return -1;
	/* SQLite's defaults suit a process with many connections and a big
	 * cache.  Each connection gets 120 KiB of lookaside slots, linked
	 * (so touched) when it opens, and its page cache starts with one
	 * allocation of 20 pages, linked likewise: ~200 KiB of a role's idle
	 * memory for databases of a few pages.  Without them SQLite takes
	 * small objects and pages from malloc as it needs them.  Refused
	 * only once SQLite has started, which it has not here. */
	if (sqlite3_config(SQLITE_CONFIG_LOOKASIDE, 0, 0) != SQLITE_OK ||
	    sqlite3_config(SQLITE_CONFIG_PAGECACHE, (void *)NULL, 0, 0) != SQLITE_OK)
		log_warn("SQLite was started before its memory settings: using its defaults");
	done = 1;
	return 0;
}

sqlite3 *store_open(const char *path, const char *schema)
{
	sqlite3 *db = NULL;
	/* Created here with the right mode, never by SQLite's umask; a FIFO,
	 * a link or a file of someone else's is refused before SQLite sees it. */
	int fd = open_private(path, O_RDWR | O_CREAT, 0600);

	if (fd < 0)
		return NULL;
	close(fd);
	if (store_load() < 0)
		return NULL;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
		fail("%s: %s", path, store_error(db));
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 2000);
	if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, schema, NULL, NULL, NULL) != SQLITE_OK) {
		fail("%s: %s", path, store_error(db));
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

/* What SQLite was doing when an I/O error happened, from its extended
 * code; NULL for the rarer ones. */
static const char *io_doing(int ext)
{
	switch (ext) {
	case SQLITE_IOERR_READ: case SQLITE_IOERR_SHORT_READ: return "reading";
	case SQLITE_IOERR_WRITE: return "writing";
	case SQLITE_IOERR_FSYNC: case SQLITE_IOERR_DIR_FSYNC: return "syncing";
	case SQLITE_IOERR_TRUNCATE: return "truncating";
	case SQLITE_IOERR_FSTAT: return "reading the file's status";
	case SQLITE_IOERR_RDLOCK: case SQLITE_IOERR_UNLOCK: case SQLITE_IOERR_LOCK:
	case SQLITE_IOERR_CHECKRESERVEDLOCK: return "locking";
	case SQLITE_IOERR_SHMOPEN: case SQLITE_IOERR_SHMSIZE: case SQLITE_IOERR_SHMMAP:
	case SQLITE_IOERR_SHMLOCK: return "using the shared-memory file";
	default: return NULL;
	}
}

const char *store_error(sqlite3 *db)
{
	static char buf[300];
	const char *doing;
	struct rlimit rl;
	int code, e;

	if (!db)
		return "out of memory";
	/* The system's errno is kept from the last I/O failure and never
	 * cleared: only an I/O error happening now may show it. */
	code = sqlite3_errcode(db) & 0xff;
	e = code == SQLITE_IOERR || code == SQLITE_CANTOPEN ? sqlite3_system_errno(db) : 0;
	if (e) {
		snprintf(buf, sizeof(buf), "%s (%s)", sqlite3_errmsg(db), strerror(e));
		return buf;
	}
	if (code != SQLITE_IOERR || !(doing = io_doing(sqlite3_extended_errcode(db))))
		return sqlite3_errmsg(db);
	/* SQLite reads errno when the statement ends, after its rollback's
	 * own system calls: a failed write (to the WAL, say) often reaches
	 * here without its cause.  The usual one that is not a full disk
	 * (SQLITE_FULL) is a file size limit. */
	if (!strcmp(doing, "writing") && getrlimit(RLIMIT_FSIZE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY)
		snprintf(buf, sizeof(buf), "%s (while %s; the file size limit, RLIMIT_FSIZE, is %llu bytes)",
			sqlite3_errmsg(db), doing, (unsigned long long)rl.rlim_cur);
	else
		snprintf(buf, sizeof(buf), "%s (while %s)", sqlite3_errmsg(db), doing);
	return buf;
}

int store_path(char *out, const char *dir, const char *profile)
{
	if (paths_mkdir_private(dir) < 0)
		return -1;
	if ((size_t)snprintf(out, PATH_MAX, "%s/%s.db", dir, profile) >= PATH_MAX)
		return fail("%s/%s.db: path too long", dir, profile);
	return 0;
}
