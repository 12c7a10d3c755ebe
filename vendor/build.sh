#!/bin/sh
# Build third-party libraries from pinned Debian source packages: fetch
# (apt-get source), verify every file against vendor/pins, unpack with
# Debian's patches applied (dpkg-source), and build each library as a
# static archive into a private prefix.  Nothing here is committed but
# recipes.
#
# usage: vendor/build.sh OUTDIR [PACKAGE...]
#        vendor/build.sh --fetch [PACKAGE...]
#   PACKAGE: libsodium, libseccomp, sqlite3, mbedtls (default: all four)
#   A build never downloads: the files must be in the download directory
#   already, else it stops naming them.  --fetch (make fetch) is the one
#   step that downloads (apt-get source), verifies and builds nothing.
#   `make static` builds all three with musl-gcc into build/static/vendor;
#   a dynamic build with SQLITE=vendored (config.mk) builds sqlite3 alone
#   with its own compiler into build/vendor.
# Environment: VENDOR_CC (default $MUSL_CC, else musl-gcc) compiles;
# VENDOR_DL is where the downloads go (default OUTDIR/src), so that two
# builds can share one download.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "vendor: $*" >&2; exit 1; }
pins() { grep -v '^#' "$top/vendor/pins" | grep -v '^[[:space:]]*$'; }
ver() { pins | awk -v p="$1" '$1 == p { print $2; exit }'; }
only_fetch=0
if [ "${1:-}" = --fetch ]; then
	only_fetch=1
	shift
	dl=${VENDOR_DL:?--fetch needs VENDOR_DL, the download directory}
else
	out=${1:?usage: vendor/build.sh OUTDIR [PACKAGE...] | --fetch [PACKAGE...]}
	shift
	mkdir -p "$out" && out=$(cd "$out" && pwd)
	src=$out/src prefix=$out/prefix kinc=$out/kernel-include
	dl=${VENDOR_DL:-$src}
fi
[ $# -gt 0 ] || set -- libsodium libseccomp sqlite3 mbedtls

# Download (apt-get source, --fetch only) or check that every pinned file
# of the package is there; then verify each against vendor/pins.
fetch() { # package version
	mkdir -p "$dl"
	missing=
	for f in $(pins | awk -v p="$1" '$1 == p { print $3 }'); do
		[ -f "$dl/$f" ] || missing="$missing $f"
	done
	if [ -n "$missing" ] && [ $only_fetch = 0 ]; then
		die "$1 $2: not downloaded:$missing not in $dl." \
			"Run 'make fetch' first (the one step that downloads), or put those files there" \
			"(DL_DIR=...); or build with SQLITE=system, which downloads nothing"
	fi
	if [ -n "$missing" ]; then
		command -v apt-get >/dev/null || die "$1: apt-get not found to download$missing"
		echo "vendor: downloading $1 $2 (apt-get source)"
		(cd "$dl" && apt-get source --download-only "$1=$2" >/dev/null 2>"$dl/$1.fetch.log") ||
			die "apt-get source $1=$2 failed (see $dl/$1.fetch.log): make deps adds the deb-src lines;" \
				"if Debian has a newer revision of $1 now, vendor/pins needs it"
	fi
	pins | awk -v p="$1" '$1 == p { print $4 "  " $3 }' | (cd "$dl" && sha256sum -c --quiet -) ||
		die "$1: SHA-256 mismatch against vendor/pins"
}

if [ $only_fetch = 1 ]; then
	for pkg; do
		[ -n "$(ver "$pkg")" ] || die "unknown package $pkg (libsodium, libseccomp, sqlite3 or mbedtls)"
		fetch "$pkg" "$(ver "$pkg")"
	done
	echo "vendor: downloaded and verified in $dl"
	exit 0
fi

CC=${VENDOR_CC:-${MUSL_CC:-musl-gcc}}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

need() { # command package
	command -v "$1" >/dev/null || die "$1 not found (make deps installs $2)"
}
case $CC in musl-gcc) need "$CC" musl-tools ;; *) need "${CC%% *}" build-essential ;; esac
need dpkg-source dpkg-dev

# The target, when it is not this machine (a cross compiler): configure
# is told --host, and the target's kernel headers are used.
host=$($CC -dumpmachine 2>/dev/null || true)
build=$(gcc -dumpmachine 2>/dev/null || true)
host_opt= AR=ar
if [ -n "$host" ] && [ "$host" != "$build" ]; then
	host_opt="--host=$host"
	command -v "$host-ar" >/dev/null && AR=$host-ar
fi
# Extra flags for the libraries (a recipe's CFLAGS), after ours.
VENDOR_CFLAGS=${VENDOR_CFLAGS:-}

# musl's headers carry no kernel headers; borrow the distribution's, the
# target's (linux-libc-dev of that architecture for a cross build).
multiarch=$($CC -print-multiarch 2>/dev/null || true)
[ -n "$multiarch" ] || multiarch=$(gcc -print-multiarch 2>/dev/null || true)
mkdir -p "$kinc"
for d in linux asm-generic; do ln -sfn "/usr/include/$d" "$kinc/$d"; done
if [ -n "$multiarch" ] && [ -d "/usr/include/$multiarch/asm" ]; then
	ln -sfn "/usr/include/$multiarch/asm" "$kinc/asm"
else
	ln -sfn /usr/include/asm "$kinc/asm"
fi

unpack() { # package version dir
	dsc=$(pins | awk -v p="$1" '$1 == p && $3 ~ /\.dsc$/ { print $3 }')
	mkdir -p "$src"
	rm -rf "$src/$3"
	(cd "$src" && dpkg-source --no-check -x "$dl/$dsc" "$3" >/dev/null) || die "$1: dpkg-source -x failed"
}

stamp() { [ -f "$prefix/.$1-$2" ]; }

build_autotools() { # package version dir [configure args...]
	pkg=$1 ver=$2 dir=$3; shift 3
	stamp "$pkg" "$ver" && return 0
	need autoreconf "autoconf, automake, libtool"
	fetch "$pkg" "$ver"
	unpack "$pkg" "$ver" "$dir"
	echo "vendor: building $pkg $ver with $CC"
	(cd "$src/$dir" &&
		{ [ -x configure ] || autoreconf -fi >"$src/$pkg.build.log" 2>&1; } &&
		CC="$CC" CFLAGS="-O2 -fPIE -isystem $kinc $VENDOR_CFLAGS" ./configure --prefix="$prefix" \
			$host_opt --disable-shared --enable-static "$@" >>"$src/$pkg.build.log" 2>&1 &&
		make -j"$JOBS" >>"$src/$pkg.build.log" 2>&1 &&
		make install >>"$src/$pkg.build.log" 2>&1) ||
		die "$pkg: build failed (see $src/$pkg.build.log)"
	touch "$prefix/.$pkg-$ver"
}

# SQLite: the amalgamation, generated from Debian's source (configure, then
# `make sqlite3.c`, which runs tclsh), compiled alone with only what sesame
# uses.  One configuration for every build, static or dynamic:
#   THREADSAFE=0             each process uses SQLite from its event loop
#                            only (daemon-secrets' worker and syncer threads
#                            never touch it), so no mutexes;
#   OMIT_LOAD_EXTENSION      a database can never make a daemon dlopen;
#   SECURE_DELETE            deleted rows are overwritten, in every
#                            database (Debian's own build does the same);
#   DQS=0                    "x" is a name, never a string literal;
#   the other OMITs and MEMSTATUS=0: interfaces sesame does not call
#   (JSON, UTF-16, shared cache, tracing, progress callbacks, ...), whose
#   code would otherwise sit in every role's memory;
#   -Os: half the size of -O2 (556 against 835 KB of text on x86-64);
#   sesame's queries are single-row lookups, bound by fsync and syscalls.
# No FTS, R-tree or math functions, hence no libm.
SQLITE_CFLAGS="-Os -fPIE -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_SECURE_DELETE \
-DSQLITE_DQS=0 -DSQLITE_DEFAULT_MEMSTATUS=0 -DSQLITE_MAX_EXPR_DEPTH=0 -DSQLITE_LIKE_DOESNT_MATCH_BLOBS \
-DSQLITE_OMIT_DEPRECATED -DSQLITE_OMIT_PROGRESS_CALLBACK -DSQLITE_OMIT_SHARED_CACHE -DSQLITE_OMIT_JSON \
-DSQLITE_OMIT_COMPLETE -DSQLITE_OMIT_GET_TABLE -DSQLITE_OMIT_UTF16 -DSQLITE_OMIT_DECLTYPE \
-DSQLITE_OMIT_TCL_VARIABLE -DSQLITE_OMIT_TRACE"

build_sqlite() { # version
	ver=$1
	# The stamp names the compiler and the options: a change rebuilds.
	sum=$(printf '%s %s %s' "$CC" "$SQLITE_CFLAGS" "$VENDOR_CFLAGS" | cksum | cut -d' ' -f1)
	stamp sqlite3 "$ver-$sum" && return 0
	need tclsh tcl
	fetch sqlite3 "$ver"
	unpack sqlite3 "$ver" sqlite3
	echo "vendor: building sqlite3 $ver with $CC"
	log=$src/sqlite3.build.log
	# shellcheck disable=SC2086 # SQLITE_CFLAGS is a list of options
	(cd "$src/sqlite3" &&
		CC=gcc ./configure --disable-tcl --disable-readline >"$log" 2>&1 &&
		make sqlite3.c >>"$log" 2>&1 &&
		$CC $SQLITE_CFLAGS $VENDOR_CFLAGS -c -o sqlite3.o sqlite3.c >>"$log" 2>&1 &&
		rm -f libsqlite3.a && $AR rcs libsqlite3.a sqlite3.o &&
		mkdir -p "$prefix/lib" "$prefix/include" &&
		cp libsqlite3.a "$prefix/lib/" && cp sqlite3.h "$prefix/include/") ||
		die "sqlite3: build failed (see $log)"
	rm -f "$prefix"/.sqlite3-*
	touch "$prefix/.sqlite3-$ver-$sum"
}

# mbed TLS: libmbedcrypto alone (P-256 and AES for the TPM2 sessions of
# lib/tpm2/tpm2_mini.c), with its own Makefile and Debian's configuration; the
# static link keeps only the objects sesame calls.
build_mbedtls() { # version
	ver=$1
	sum=$(printf '%s %s' "$CC" "$VENDOR_CFLAGS" | cksum | cut -d' ' -f1)
	stamp mbedtls "$ver-$sum" && return 0
	fetch mbedtls "$ver"
	unpack mbedtls "$ver" mbedtls
	echo "vendor: building mbedtls $ver (libmbedcrypto) with $CC"
	log=$src/mbedtls.build.log
	(cd "$src/mbedtls/library" &&
		make -j"$JOBS" CC="$CC" AR="$AR" CFLAGS="-Os -fPIE -isystem $kinc $VENDOR_CFLAGS" \
			libmbedcrypto.a >"$log" 2>&1 &&
		mkdir -p "$prefix/lib" "$prefix/include" &&
		cp libmbedcrypto.a "$prefix/lib/" && cp -R ../include/mbedtls ../include/psa "$prefix/include/") ||
		die "mbedtls: build failed (see $log)"
	rm -f "$prefix"/.mbedtls-*
	touch "$prefix/.mbedtls-$ver-$sum"
}

for pkg; do
	case $pkg in
	mbedtls) build_mbedtls "$(ver mbedtls)" ;;
	libsodium) build_autotools libsodium "$(ver libsodium)" libsodium --disable-pie ;;
	libseccomp) build_autotools libseccomp "$(ver libseccomp)" libseccomp ;;
	sqlite3) build_sqlite "$(ver sqlite3)" ;;
	*) die "unknown package $pkg (libsodium, libseccomp, sqlite3 or mbedtls)" ;;
	esac
done
echo "vendor: ready in $prefix"
