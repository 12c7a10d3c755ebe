/* sqlfloor - the memory floor of a dynamic role that keeps a vault or a
 * store open: glibc, libsodium started, SQLite (the build's: the vendored
 * one linked in, or the system's with its libm under SQLITE=system) set up as
 * store_load() does, one WAL database opened, written and read once; then
 * idle until a signal.  make bench prints its RSS next to the roles'.
 *
 *   sqlfloor DB    prints "ready" once idle
 */
#include <signal.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	sqlite3 *db;

	if (argc != 2 || sodium_init() < 0)
		return 2;
	sqlite3_config(SQLITE_CONFIG_LOOKASIDE, 0, 0);
	sqlite3_config(SQLITE_CONFIG_PAGECACHE, (void *)NULL, 0, 0);
	if (sqlite3_open(argv[1], &db) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
		"CREATE TABLE IF NOT EXISTS t (k BLOB PRIMARY KEY, v BLOB);"
		"INSERT OR REPLACE INTO t VALUES (x'01', x'02');"
		"SELECT v FROM t WHERE k = x'01';", NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "sqlfloor: %s\n", sqlite3_errmsg(db));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
