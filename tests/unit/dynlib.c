/* Unit tests for lib/dynlib.c and lib/desklib.c: libraries loaded on first
 * use, their functions reached through the forwarders under their own
 * names, failures named, libseccomp let go. */
#include "lib/dynlib.h"
#include "lib/util.h"
#include "tap.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#if SESAME_DLOPEN
#include <seccomp.h>
#include <sqlite3.h>

static int mapped(const char *name)
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
#endif

#if SESAME_DESKTOP && SESAME_DLOPEN
#include "lib/desklib.h"
#include <xkbcommon/xkbcommon.h>
#endif

int main(void)
{
#if SESAME_DLOPEN
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	void *h;

	ok(!mapped("libsqlite3") && !mapped("libseccomp"), "neither SQLite nor libseccomp is mapped at start");
	ok(dyn_open("libsesame-no-such.so.9", "for a test") == NULL &&
	   strstr(last_error(), "cannot load libsesame-no-such.so.9 (for a test)"),
	   "a missing library: the error names it and why it was wanted");

	ok(dyn_load_sqlite() == 0 && dyn_load_sqlite() == 0, "SQLite loads, and a second load is a no-op");
	ok(mapped("libsqlite3"), "and is mapped now");
	ok(sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) == SQLITE_OK &&
	   sqlite3_exec(db, "CREATE TABLE t(a, b); INSERT INTO t VALUES (42, 'x');", NULL, NULL, NULL) == SQLITE_OK,
	   "its functions work through the forwarders");
	ok(sqlite3_prepare_v2(db, "SELECT a, b FROM t", -1, &st, NULL) == SQLITE_OK &&
	   sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) == 42 &&
	   !strcmp((const char *)sqlite3_column_text(st, 1), "x"), "a query reads back what was stored");
	sqlite3_finalize(st);
	sqlite3_close(db);

	h = dlopen("libsqlite3.so.0", RTLD_NOW | RTLD_LOCAL);
	ok(h && dyn_check(&h, "libsqlite3.so.0", "sqlite3_no_such_function") < 0 && h == NULL &&
	   strstr(last_error(), "libsqlite3.so.0 has no sqlite3_no_such_function"),
	   "a library lacking a function: refused, closed, the function named");
	h = dlopen("libsqlite3.so.0", RTLD_NOW | RTLD_LOCAL);
	ok(h && dyn_check(&h, "libsqlite3.so.0", NULL) == 0 && h, "nothing missing: kept");
	if (h)
		dlclose(h);

#if SESAME_SECCOMP
	{
		scmp_filter_ctx ctx;

		ok(dyn_load_seccomp() == 0 && mapped("libseccomp"), "libseccomp loads");
		ctx = seccomp_init(SCMP_ACT_ALLOW);
		ok(ctx && seccomp_syscall_resolve_name("read") >= 0, "and builds filters (not loaded here)");
		seccomp_release(ctx);
		dyn_unload_seccomp();
		ok(!mapped("libseccomp"), "once let go it is no longer mapped");
		ok(dyn_load_seccomp() == 0 && mapped("libseccomp"), "and can be loaded again");
		dyn_unload_seccomp();
	}
#else
	skip("built with SECCOMP=0");
#endif

#if SESAME_DESKTOP
	ok(!mapped("libxkbcommon") && desk_load_xkb() == 0 && mapped("libxkbcommon"),
	   "libxkbcommon is loaded when asked, not before");
	ok(xkb_keysym_from_name("Return", XKB_KEYSYM_NO_FLAGS) == XKB_KEY_Return &&
	   xkb_keysym_to_lower(XKB_KEY_A) == XKB_KEY_a, "and its functions answer through the forwarders");
	ok(!mapped("libwayland-client") && desk_load_wayland() == 0 && mapped("libwayland-client"),
	   "libwayland-client likewise (its requests are tested against sway in wm.t)");
#else
	skip("built without the desktop roles");
#endif
#else
	/* vault_open, store_open and sandbox_enter call them whatever the build. */
	ok(dyn_load_sqlite() == 0 && dyn_load_seccomp() == 0,
	   "DLOPEN=0 (the libraries are linked): the loaders succeed and do nothing");
	dyn_unload_seccomp();
#endif
	return done_testing();
}
