/* dynlib.h - libraries loaded by the code that needs them, not linked.
 *
 * Every command and every role is this one executable, and a dynamically
 * linked executable maps and relocates each library it links at each
 * start: libseccomp, and a system SQLite with its libm, cost a `sesame
 * secret get` ~15% of its time and are used only by some roles.  With
 * DLOPEN=1 (the default of a dynamic build) they are loaded by their first
 * user: sandbox_enter() loads libseccomp; vault_open() and store_open()
 * load SQLite when it is the system's (SQLITE=system; the default vendored
 * SQLite is linked in, see config.mk).  The functions sesame calls keep
 * their names: lib/core/dynlib.c defines each one and forwards it to the loaded
 * library, so the code using them is unchanged, and a function the lists
 * lack fails to link.  The static build links them (the loaders are then
 * no-ops); lib/desk/desklib.h does the same for the desktop libraries. */
#ifndef SESAME_DYNLIB_H
#define SESAME_DYNLIB_H

/* 0, or -1 with last_error() naming the library and what failed. */
#if SESAME_DLOPEN_SQLITE
int dyn_load_sqlite(void);
#else
static inline int dyn_load_sqlite(void) { return 0; }
#endif
#if SESAME_DLOPEN
int dyn_load_seccomp(void);
/* libseccomp is needed only while a filter is built: after that it can
 * go (its pages leave the role's memory). */
void dyn_unload_seccomp(void);
#else
static inline int dyn_load_seccomp(void) { return 0; }
static inline void dyn_unload_seccomp(void) {}
#endif

/* --- For the files that forward a library (dynlib.c, desklib.c). ---
 * A library's functions are listed as F(return type, name, parameters,
 * arguments), or V(name, parameters, arguments) for a void one; from the
 * list, DYN_POINTERS declares the pointers, DYN_FORWARD/DYN_VFORWARD
 * define the functions and DYN_RESOLVE fills the pointers. */
void *dyn_open(const char *lib, const char *what);
/* After the DYN_RESOLVEs: 0, or -1 having closed *h and said which
 * function lib lacks. */
int dyn_check(void **h, const char *lib, const char *missing);
#define DYN_POINTER(ret, name, params, args) ret (*name) params;
#define DYN_VPOINTER(name, params, args) void (*name) params;
/* Hidden: were the executable ever to export them, the library loaded
 * later could bind its own internal calls to them. */
#define DYN_FORWARD(lib, ret, name, params, args) \
	__attribute__((visibility("hidden"))) ret name params { return lib.name args; }
#define DYN_VFORWARD(lib, name, params, args) \
	__attribute__((visibility("hidden"))) void name params { lib.name args; }
/* In a loader, with void *h the library and const char *missing. */
#define DYN_RESOLVE(lib, name) \
	if (!(*(void **)&lib.name = dlsym(h, #name))) \
		missing = #name;

#endif
