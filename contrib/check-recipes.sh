#!/bin/sh
# The recipes' make invocations, as Buildroot (contrib/buildroot) and
# Yocto (contrib/yocto) run them, for aarch64: neither can be fetched
# here, so their toolchain is Debian's cross gcc (gcc-aarch64-linux-gnu)
# and their sysroot is made from Debian's arm64 packages (apt-get
# download, dpkg-deb -x).  Each builds a clean copy of the tree (git
# archive), installs into a DESTDIR, and the installed tree must be
# exactly contrib/*/expected-tree.txt.  No host path may leak in: the
# binary is aarch64 and no compiler flag names the host's /usr/include.
# usage: contrib/check-recipes.sh   (from the source tree; make deps-cross
# first)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
w=$top/build/recipes
rm -rf "$w" && mkdir -p "$w/debs" "$w/sysroot"
S=$w/sysroot
triplet=aarch64-linux-gnu

die() { echo "check-recipes: $*" >&2; exit 1; }
command -v $triplet-gcc >/dev/null || die "$triplet-gcc not found (make deps-cross)"

echo "check-recipes: a sysroot from Debian's arm64 packages"
(cd "$w/debs" && apt-get download libc6:arm64 libc6-dev:arm64 linux-libc-dev:arm64 libcrypt1:arm64 \
	libcrypt-dev:arm64 libsodium23:arm64 libsodium-dev:arm64 libsqlite3-0:arm64 libsqlite3-dev:arm64 \
	libseccomp2:arm64 libseccomp-dev:arm64 libtss2-dev:arm64 libtss2-esys-3.0.2-0:arm64 libtss2-mu0:arm64 \
	libtss2-sys1:arm64 libtss2-tctildr0:arm64 libtss2-rc0:arm64 libtss2-fapi1:arm64 libtss2-tcti-device0:arm64 \
	libtss2-tcti-cmd0:arm64 libtss2-tcti-mssim0:arm64 libtss2-tcti-swtpm0:arm64 libtss2-tcti-pcap0:arm64 \
	libssl3:arm64 >/dev/null 2>"$w/download.log") ||
	die "apt-get download failed (see $w/download.log): dpkg --add-architecture arm64 (make deps-cross)"
for d in "$w"/debs/*.deb; do dpkg-deb -x "$d" "$S"; done

# A copy of the tree, as a recipe unpacks it.
src() { # dir
	rm -rf "$1" && mkdir -p "$1"
	(cd "$top" && git archive --format=tar HEAD) | tar -x -C "$1"
}

check_tree() { # name destdir expected
	(cd "$2" && find . -mindepth 1 | sort) >"$w/$1.tree"
	if ! diff -u "$3" "$w/$1.tree" >"$w/$1.diff"; then
		cat "$w/$1.diff" >&2
		die "$1: the installed tree differs from $3"
	fi
	file -L "$2/usr/bin/sesame" | grep -q 'ARM aarch64' || die "$1: usr/bin/sesame is not an aarch64 binary"
	! grep -q -- '-I/usr/include\b' "$4/build/config.flags" || die "$1: a host include path leaked in"
	if command -v qemu-aarch64 >/dev/null; then
		qemu-aarch64 -L "$S" "$2/usr/bin/sesame" --version >"$w/$1.version" 2>&1 ||
			die "$1: the installed binary does not run under qemu-aarch64 with the sysroot"
		echo "check-recipes: $1: $(cat "$w/$1.version") runs (qemu-aarch64, the sysroot's libraries)"
		if [ "$1" = buildroot ]; then
			# TPM2=1 linked: no TPM here, and it must say so rather than crash.
			SESAME_TPM2_TCTI=device:/nonexistent qemu-aarch64 -L "$S" \
				"$2/usr/bin/sesame" status --doctor=platform >"$w/$1.tpm" 2>&1 || true
			grep -q 'tpm2.device.*no TPM at device:/nonexistent' "$w/$1.tpm" ||
				die "$1: the TPM2=1 build does not report the TPM (see $w/$1.tpm)"
			echo "check-recipes: $1: TPM2=1, linked to tpm2-tss: status --doctor reports the TPM"
		fi
	fi
	echo "check-recipes: $1: the installed tree is the expected one ($(wc -l <"$w/$1.tree") entries)"
}

pc="$S/usr/lib/$triplet/pkgconfig:$S/usr/share/pkgconfig"

# Buildroot: sesame.mk's SESAME_MAKE_OPTS on the command line, the
# sysroot inside TARGET_CC as Buildroot's toolchain wrapper has it.
b=$w/buildroot-src
src "$b"
# As with BR2_PACKAGE_SESAME_TPM2=y: tpm2-tss linked.
opts="PREFIX=/usr SQLITE=system DLOPEN=0 DESKTOP=0 TPM2=1 SANDBOX_DEFAULT=enforce"
env PKG_CONFIG_SYSROOT_DIR="$S" PKG_CONFIG_LIBDIR="$pc" \
	make -C "$b" CC="$triplet-gcc --sysroot=$S" CFLAGS="-O2 -pipe" LDFLAGS="" PKG_CONFIG=pkg-config \
	$opts sesame >"$w/buildroot.log" 2>&1 || { tail -20 "$w/buildroot.log"; die "buildroot: build failed"; }
env PKG_CONFIG_SYSROOT_DIR="$S" PKG_CONFIG_LIBDIR="$pc" \
	make -C "$b" CC="$triplet-gcc --sysroot=$S" CFLAGS="-O2 -pipe" LDFLAGS="" PKG_CONFIG=pkg-config \
	$opts DESTDIR="$w/buildroot-target" INIT= install install-init-sysv >>"$w/buildroot.log" 2>&1 ||
	{ tail -20 "$w/buildroot.log"; die "buildroot: install failed"; }
check_tree buildroot "$w/buildroot-target" "$top/contrib/buildroot/expected-tree.txt" "$b"

# Yocto: CC (with --sysroot), CFLAGS, LDFLAGS and PKG_CONFIG_* from the
# environment as bitbake exports them, EXTRA_OEMAKE on the command line.
y=$w/yocto-src
src "$y"
export CC="$triplet-gcc --sysroot=$S" CFLAGS="-O2 -pipe -g" LDFLAGS="-Wl,-O1 -Wl,--as-needed" \
	PKG_CONFIG_SYSROOT_DIR="$S" PKG_CONFIG_PATH="$pc" PKG_CONFIG_LIBDIR="$pc"
# PACKAGECONFIG as shipped: no tpm2 (TPM2=0).
yopts="PREFIX=/usr SYSCONFDIR=/etc SQLITE=system DLOPEN=0 DESKTOP=0 TPM2=0 SANDBOX_DEFAULT=enforce SYSV_SCRIPT=sesame \
	SYSTEMDSYSTEMDIR=/lib/systemd/system SYSTEMDUSERDIR=/usr/lib/systemd/user"
# shellcheck disable=SC2086 # the options are words
make -C "$y" $yopts INIT="systemd sysv" sesame >"$w/yocto.log" 2>&1 || { tail -20 "$w/yocto.log"; die "yocto: build failed"; }
# shellcheck disable=SC2086
make -C "$y" $yopts INIT="systemd sysv" DESTDIR="$w/yocto-image" install >>"$w/yocto.log" 2>&1 ||
	{ tail -20 "$w/yocto.log"; die "yocto: install failed"; }
check_tree yocto "$w/yocto-image" "$top/contrib/yocto/expected-tree.txt" "$y"
