#!/bin/sh
# Build the static dependencies of `make static` from pinned Debian source
# packages: fetch (apt-get source), verify every file against vendor/pins,
# unpack with Debian's patches applied (dpkg-source), and build each library
# with musl-gcc into a private prefix.  Nothing here is committed but recipes.
#
# usage: vendor/build.sh OUTDIR   (make static passes build/static/vendor)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: vendor/build.sh OUTDIR}
mkdir -p "$out" && out=$(cd "$out" && pwd)
src=$out/src prefix=$out/prefix kinc=$out/kernel-include
CC=${MUSL_CC:-musl-gcc}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

die() { echo "vendor: $*" >&2; exit 1; }
command -v "$CC" >/dev/null || die "$CC not found (make deps installs musl-tools)"
command -v dpkg-source >/dev/null || die "dpkg-source not found (make deps installs dpkg-dev)"
command -v autoreconf >/dev/null || die "autoreconf not found (make deps installs autoconf, automake, libtool)"

pins() { grep -v '^#' "$top/vendor/pins" | grep -v '^[[:space:]]*$'; }

# musl's headers carry no kernel headers; borrow the distribution's.
multiarch=$(gcc -print-multiarch 2>/dev/null || true)
mkdir -p "$kinc"
for d in linux asm-generic; do ln -sfn "/usr/include/$d" "$kinc/$d"; done
if [ -n "$multiarch" ] && [ -d "/usr/include/$multiarch/asm" ]; then
	ln -sfn "/usr/include/$multiarch/asm" "$kinc/asm"
else
	ln -sfn /usr/include/asm "$kinc/asm"
fi

fetch() { # package version
	mkdir -p "$src"
	missing=0
	for f in $(pins | awk -v p="$1" '$1 == p { print $3 }'); do
		[ -f "$src/$f" ] || missing=1
	done
	if [ $missing = 1 ]; then
		(cd "$src" && apt-get source --download-only "$1=$2" >/dev/null 2>"$src/$1.fetch.log") ||
			die "apt-get source $1=$2 failed (see $src/$1.fetch.log; make deps adds the deb-src lines)"
	fi
	pins | awk -v p="$1" '$1 == p { print $4 "  " $3 }' | (cd "$src" && sha256sum -c --quiet -) ||
		die "$1: SHA-256 mismatch against vendor/pins"
}

unpack() { # package version dir
	dsc=$(pins | awk -v p="$1" '$1 == p && $3 ~ /\.dsc$/ { print $3 }')
	rm -rf "$src/$3"
	(cd "$src" && dpkg-source --no-check -x "$dsc" "$3" >/dev/null) || die "$1: dpkg-source -x failed"
}

stamp() { [ -f "$prefix/.$1-$2" ]; }

build_autotools() { # package version dir [configure args...]
	pkg=$1 ver=$2 dir=$3; shift 3
	stamp "$pkg" "$ver" && return 0
	fetch "$pkg" "$ver"
	unpack "$pkg" "$ver" "$dir"
	echo "vendor: building $pkg $ver with $CC"
	(cd "$src/$dir" &&
		{ [ -x configure ] || autoreconf -fi >"$src/$pkg.build.log" 2>&1; } &&
		CC="$CC" CFLAGS="-O2 -fPIE -isystem $kinc" ./configure --prefix="$prefix" \
			--disable-shared --enable-static "$@" >>"$src/$pkg.build.log" 2>&1 &&
		make -j"$JOBS" >>"$src/$pkg.build.log" 2>&1 &&
		make install >>"$src/$pkg.build.log" 2>&1) ||
		die "$pkg: build failed (see $src/$pkg.build.log)"
	touch "$prefix/.$pkg-$ver"
}

ver() { pins | awk -v p="$1" '$1 == p { print $2; exit }'; }

build_autotools libsodium "$(ver libsodium)" libsodium --disable-pie
build_autotools libseccomp "$(ver libseccomp)" libseccomp
# SQLite: only the library; threads off (our daemons are single-threaded),
# no extension loading (a static daemon must not dlopen).
build_autotools sqlite3 "$(ver sqlite3)" sqlite3 --disable-tcl --disable-readline \
	--disable-threadsafe --disable-load-extension
echo "vendor: ready in $prefix"
