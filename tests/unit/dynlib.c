/* Unit tests for lib/core/dynlib.c and lib/desk/desklib.c: libraries loaded on first
 * use, their functions reached through the forwarders under their own
 * names, failures named, libseccomp let go; and, where SQLite is the
 * vendored one linked in, that it is built as vendor/build.sh says. */
#include "lib/core/dynlib.h"
#include "lib/core/util.h"
#include "tap.h"

#include <dlfcn.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#if SESAME_DLOPEN
#include <seccomp.h>
#endif

__attribute__((unused)) static int mapped(const char *name)
{
	char line[512];
	int found = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	while (f && fgets(line, sizeof(line), f))
		found |= strstr(line, name) != NULL;
	if (f)
		fclose(f);
	return found;
}

#if SESAME_DESKTOP && SESAME_DLOPEN
#include "lib/desk/desklib.h"
#include <xkbcommon/xkbcommon.h>
#endif

/* SQLite's functions answer, whichever way it came. */
static void sqlite_works(const char *how)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;

	ok(sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) == SQLITE_OK &&
	   sqlite3_exec(db, "CREATE TABLE t(a, b); INSERT INTO t VALUES (42, 'x');", NULL, NULL, NULL) == SQLITE_OK,
	   "SQLite's functions work %s", how);
	ok(sqlite3_prepare_v2(db, "SELECT a, b FROM t", -1, &st, NULL) == SQLITE_OK &&
	   sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) == 42 &&
	   !strcmp((const char *)sqlite3_column_text(st, 1), "x"), "a query reads back what was stored");
	sqlite3_finalize(st);
	sqlite3_close(db);
}

int main(void)
{
#if SESAME_DLOPEN_SQLITE
	void *h;

	ok(!mapped("libsqlite3") && !mapped("libseccomp"), "neither SQLite nor libseccomp is mapped at start");
	ok(dyn_open("libsesame-no-such.so.9", "for a test") == NULL &&
	   strstr(last_error(), "cannot load libsesame-no-such.so.9 (for a test)"),
	   "a missing library: the error names it and why it was wanted");

	ok(dyn_load_sqlite() == 0 && dyn_load_sqlite() == 0, "SQLite loads, and a second load is a no-op");
	ok(mapped("libsqlite3"), "and is mapped now");
	sqlite_works("through the forwarders");

	h = dlopen("libsqlite3.so.0", RTLD_NOW | RTLD_LOCAL);
	ok(h && dyn_check(&h, "libsqlite3.so.0", "sqlite3_no_such_function") < 0 && h == NULL &&
	   strstr(last_error(), "libsqlite3.so.0 has no sqlite3_no_such_function"),
	   "a library lacking a function: refused, closed, the function named");
	h = dlopen("libsqlite3.so.0", RTLD_NOW | RTLD_LOCAL);
	ok(h && dyn_check(&h, "libsqlite3.so.0", NULL) == 0 && h, "nothing missing: kept");
	if (h)
		dlclose(h);
#elif SESAME_SQLITE_VENDORED
	ok(dyn_load_sqlite() == 0, "SQLite is linked in: its loader succeeds and does nothing");
	ok(!mapped("libsqlite3"), "no libsqlite3 is mapped");
	sqlite_works("linked in");
	/* What vendor/build.sh builds it with, as SQLite itself reports. */
	ok(sqlite3_compileoption_used("THREADSAFE=0") && sqlite3_compileoption_used("OMIT_LOAD_EXTENSION") &&
	   sqlite3_compileoption_used("SECURE_DELETE") && sqlite3_compileoption_used("OMIT_JSON") &&
	   sqlite3_compileoption_used("DQS=0"), "it is the vendored build: no threads, no extensions, "
	   "secure delete, no JSON, no double-quoted strings");
	ok(!sqlite3_compileoption_used("ENABLE_FTS5") && !sqlite3_compileoption_used("ENABLE_MATH_FUNCTIONS"),
	   "and none of the extensions sesame does not use");
#else
	ok(dyn_load_sqlite() == 0, "the system's SQLite is linked: its loader succeeds and does nothing");
	sqlite_works("linked");
#endif

#if SESAME_DLOPEN && SESAME_SECCOMP
	{
		scmp_filter_ctx ctx;

		ok(!mapped("libseccomp"), "libseccomp is not mapped at start");
		ok(dyn_load_seccomp() == 0 && mapped("libseccomp"), "libseccomp loads");
		ctx = seccomp_init(SCMP_ACT_ALLOW);
		ok(ctx && seccomp_syscall_resolve_name("read") >= 0, "and builds filters (not loaded here)");
		seccomp_release(ctx);
		dyn_unload_seccomp();
		ok(!mapped("libseccomp"), "once let go it is no longer mapped");
		ok(dyn_load_seccomp() == 0 && mapped("libseccomp"), "and can be loaded again");
		dyn_unload_seccomp();
	}
#elif SESAME_DLOPEN
	skip("built with SECCOMP=0");
#else
	/* sandbox_enter calls it whatever the build. */
	ok(dyn_load_seccomp() == 0, "DLOPEN=0 (libseccomp is linked): its loader succeeds and does nothing");
	dyn_unload_seccomp();
#endif

#if SESAME_DESKTOP && SESAME_DLOPEN
	ok(!mapped("libxkbcommon") && desk_load_xkb() == 0 && mapped("libxkbcommon"),
	   "libxkbcommon is loaded when asked, not before");
	ok(xkb_keysym_from_name("Return", XKB_KEYSYM_NO_FLAGS) == XKB_KEY_Return &&
	   xkb_keysym_to_lower(XKB_KEY_A) == XKB_KEY_a, "and its functions answer through the forwarders");
	ok(!mapped("libwayland-client") && desk_load_wayland() == 0 && mapped("libwayland-client"),
	   "libwayland-client likewise (its requests are tested against sway in wm.t)");
#elif SESAME_DLOPEN
	skip("built without the desktop roles");
#endif
	return done_testing();
}
