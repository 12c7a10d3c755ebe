/* dynlib.c - libseccomp and a system SQLite, loaded by their first user;
 * see dynlib.h.  Built into every dynamic build (dyn_open is desklib.c's
 * too); the forwarders only with DLOPEN=1 (SQLite's with SQLITE=system). */
#include "lib/core/dynlib.h"
#include "lib/core/util.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <string.h>
#if SESAME_DLOPEN_SQLITE
#include <sqlite3.h>
#endif
#if SESAME_DLOPEN && SESAME_SECCOMP
#include <seccomp.h>
#endif

#ifndef SQLITE_LIB
#define SQLITE_LIB "libsqlite3.so.0"
#endif
#ifndef SECCOMP_LIB
#define SECCOMP_LIB "libseccomp.so.2"
#endif

void *dyn_open(const char *lib, const char *what)
{
	void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);

	if (!h)
		fail("cannot load %s (%s): %s", lib, what, dlerror());
	return h;
}

int dyn_check(void **h, const char *lib, const char *missing)
{
	if (!missing)
		return 0;
	dlclose(*h);
	*h = NULL;
	return fail("%s has no %s", lib, missing);
}

#if SESAME_DLOPEN_SQLITE
#define SQLITE_FUNCTIONS(F, V) \
	F(int, sqlite3_open_v2, (const char *path, sqlite3 **db, int flags, const char *vfs), \
		(path, db, flags, vfs)) \
	F(int, sqlite3_close, (sqlite3 *db), (db)) \
	F(int, sqlite3_busy_timeout, (sqlite3 *db, int ms), (db, ms)) \
	F(const char *, sqlite3_errmsg, (sqlite3 *db), (db)) \
	F(int, sqlite3_errcode, (sqlite3 *db), (db)) \
	F(int, sqlite3_extended_errcode, (sqlite3 *db), (db)) \
	F(int, sqlite3_system_errno, (sqlite3 *db), (db)) \
	F(int, sqlite3_exec, (sqlite3 *db, const char *sql, int (*cb)(void *, int, char **, char **), \
		void *arg, char **err), (db, sql, cb, arg, err)) \
	F(int, sqlite3_changes, (sqlite3 *db), (db)) \
	F(sqlite3_int64, sqlite3_last_insert_rowid, (sqlite3 *db), (db)) \
	F(int, sqlite3_prepare_v2, (sqlite3 *db, const char *sql, int n, sqlite3_stmt **st, \
		const char **tail), (db, sql, n, st, tail)) \
	F(int, sqlite3_prepare_v3, (sqlite3 *db, const char *sql, int n, unsigned int flags, \
		sqlite3_stmt **st, const char **tail), (db, sql, n, flags, st, tail)) \
	F(int, sqlite3_step, (sqlite3_stmt *st), (st)) \
	F(int, sqlite3_reset, (sqlite3_stmt *st), (st)) \
	F(int, sqlite3_finalize, (sqlite3_stmt *st), (st)) \
	F(int, sqlite3_clear_bindings, (sqlite3_stmt *st), (st)) \
	F(int, sqlite3_bind_text, (sqlite3_stmt *st, int i, const char *s, int n, void (*d)(void *)), \
		(st, i, s, n, d)) \
	F(int, sqlite3_bind_blob, (sqlite3_stmt *st, int i, const void *b, int n, void (*d)(void *)), \
		(st, i, b, n, d)) \
	F(int, sqlite3_bind_int64, (sqlite3_stmt *st, int i, sqlite3_int64 v), (st, i, v)) \
	F(int, sqlite3_bind_double, (sqlite3_stmt *st, int i, double v), (st, i, v)) \
	F(int, sqlite3_column_type, (sqlite3_stmt *st, int i), (st, i)) \
	F(int, sqlite3_column_int, (sqlite3_stmt *st, int i), (st, i)) \
	F(sqlite3_int64, sqlite3_column_int64, (sqlite3_stmt *st, int i), (st, i)) \
	F(double, sqlite3_column_double, (sqlite3_stmt *st, int i), (st, i)) \
	F(const unsigned char *, sqlite3_column_text, (sqlite3_stmt *st, int i), (st, i)) \
	F(const void *, sqlite3_column_blob, (sqlite3_stmt *st, int i), (st, i)) \
	F(int, sqlite3_column_bytes, (sqlite3_stmt *st, int i), (st, i)) \
	F(int, sqlite3_wal_checkpoint_v2, (sqlite3 *db, const char *schema, int mode, int *log, \
		int *ckpt), (db, schema, mode, log, ckpt))

static struct { SQLITE_FUNCTIONS(DYN_POINTER, DYN_VPOINTER) } sq;
#define SQ_F(ret, name, params, args) DYN_FORWARD(sq, ret, name, params, args)
#define SQ_V(name, params, args) DYN_VFORWARD(sq, name, params, args)
SQLITE_FUNCTIONS(SQ_F, SQ_V)
#define SQ_R(ret, name, params, args) DYN_RESOLVE(sq, name)
#define SQ_VR(name, params, args) DYN_RESOLVE(sq, name)

/* sqlite3_config() takes arguments that depend on its option: forwarded
 * for the options sesame sets (store_load), refused for any other. */
static int (*sq_config)(int op, ...);

__attribute__((visibility("hidden"))) int sqlite3_config(int op, ...)
{
	va_list ap;
	int r = SQLITE_MISUSE;

	va_start(ap, op);
	if (op == SQLITE_CONFIG_LOOKASIDE) {
		int sz = va_arg(ap, int), n = va_arg(ap, int);

		r = sq_config(op, sz, n);
	} else if (op == SQLITE_CONFIG_PAGECACHE) {
		void *mem = va_arg(ap, void *);
		int sz = va_arg(ap, int), n = va_arg(ap, int);

		r = sq_config(op, mem, sz, n);
	}
	va_end(ap);
	return r;
}

int dyn_load_sqlite(void)
{
	static void *h;
	const char *missing = NULL;

	if (h)
		return 0;
	if (!(h = dyn_open(SQLITE_LIB, "vaults and stores are SQLite databases")))
		return -1;
	SQLITE_FUNCTIONS(SQ_R, SQ_VR)
	if (!(*(void **)&sq_config = dlsym(h, "sqlite3_config")))
		missing = "sqlite3_config";
	return dyn_check(&h, SQLITE_LIB, missing);
}
#endif

#if SESAME_DLOPEN && SESAME_SECCOMP
#define SECCOMP_FUNCTIONS(F, V) \
	F(scmp_filter_ctx, seccomp_init, (uint32_t def), (def)) \
	V(seccomp_release, (scmp_filter_ctx ctx), (ctx)) \
	F(int, seccomp_load, (const scmp_filter_ctx ctx), (ctx)) \
	F(int, seccomp_attr_set, (scmp_filter_ctx ctx, enum scmp_filter_attr attr, uint32_t value), \
		(ctx, attr, value)) \
	F(int, seccomp_syscall_resolve_name, (const char *name), (name)) \
	F(char *, seccomp_syscall_resolve_num_arch, (uint32_t arch, int num), (arch, num)) \
	F(int, seccomp_rule_add_array, (scmp_filter_ctx ctx, uint32_t action, int nr, unsigned int n, \
		const struct scmp_arg_cmp *args), (ctx, action, nr, n, args))

static struct { SECCOMP_FUNCTIONS(DYN_POINTER, DYN_VPOINTER) } sc;
#define SC_F(ret, name, params, args) DYN_FORWARD(sc, ret, name, params, args)
#define SC_V(name, params, args) DYN_VFORWARD(sc, name, params, args)
SECCOMP_FUNCTIONS(SC_F, SC_V)
#define SC_R(ret, name, params, args) DYN_RESOLVE(sc, name)
#define SC_VR(name, params, args) DYN_RESOLVE(sc, name)
static void *seccomp_h;	/* while loaded */

int dyn_load_seccomp(void)
{
	const char *missing = NULL;
	void *h;

	if (seccomp_h)
		return 0;
	if (!(h = dyn_open(SECCOMP_LIB, "the roles' syscall filters are built with it")))
		return -1;
	SECCOMP_FUNCTIONS(SC_R, SC_VR)
	if (dyn_check(&h, SECCOMP_LIB, missing) < 0)
		return -1;
	seccomp_h = h;
	return 0;
}

void dyn_unload_seccomp(void)
{
	if (seccomp_h)
		dlclose(seccomp_h);
	seccomp_h = NULL;
	memset(&sc, 0, sizeof(sc));	/* a call now is a clean crash */
}
#elif SESAME_DLOPEN
int dyn_load_seccomp(void) { return 0; }
void dyn_unload_seccomp(void) {}
#endif
