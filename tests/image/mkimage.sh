#!/bin/sh
# tests/image/mkimage.sh [--fetch] ARCH [tpm]: the embedded image the image
# tests boot (ARCH aarch64 or x86_64), from Debian's packages and the static
# sesame for ARCH (make static, with CROSS_COMPILE for aarch64).
#
# With "tpm" (x86_64 only), into build/image/ARCH-tpm: the same image with
# sesame built as a Buildroot image with BR2_PACKAGE_SESAME_TPM2 has it,
# dynamically linked to tpm2-tss (DLOPEN=0 TPM2=1; the static build has no
# TPM2 factor), and Debian's libraries it needs.  Debian's arm64 kernel
# has no tpm_tis, which QEMU's virt machine's TPM needs: no aarch64 one.
#
#   --fetch   downloads the packages (apt-get download, Debian's archive
#             only) into $DL_DIR/image-DEBARCH and stops: the one step
#             here that downloads (make deps-image runs it).
#
# Without --fetch it builds, in build/image/ARCH:
#   vmlinuz     Debian's kernel (linux-image-DEBARCH's current version)
#   initrd.gz   busybox and the kernel modules the image needs (virtio
#               block, console and rng, ext4); its /init loads them,
#               mounts the root read-only and switches to it
#   root.ext4   the read-only root: busybox and its applet links, sesame
#               installed by make install (daemon-* links, the init files
#               of INIT="busybox sysv runit"), Debian's runit (busybox
#               has no runsvdir), and the boot scripts in tests/image/rootfs
#   data.ext4   an empty data disk (a test copies it): /etc/pds,
#               /var/lib/pds and /var/log are bound from it at boot
# The kernel command line's sesame.boot=busybox|sysv|runit|none picks
# the inittab: sesame's respawn lines, the SysV script through rcS,
# runit's service directories, or none of sesame (a baseline).
set -eu
fetch=0
[ "${1-}" = --fetch ] && { fetch=1; shift; }
arch=${1:?usage: mkimage.sh [--fetch] aarch64|x86_64 [tpm]}
flavour=${2-}
case $flavour in
''|tpm) ;;
*) echo "mkimage: the flavour is tpm or nothing, not '$flavour'" >&2; exit 2 ;;
esac
[ "$flavour" = tpm ] && [ "$arch" != x86_64 ] &&
	{ echo "mkimage: the tpm image is x86_64 only (Debian's arm64 kernel has no tpm_tis)" >&2; exit 2; }
case $arch in
aarch64) deb=arm64 cross=aarch64-linux-musl- tty=ttyAMA0 ;;
x86_64) deb=amd64 cross= tty=ttyS0 ;;
*) echo "mkimage: ARCH is aarch64 or x86_64, not '$arch'" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/../.."
dl=${DL_DIR:-build/dl}/image-$deb
pkgs="busybox-static runit libc6"
# What the tpm flavour's sesame links (and tpm2-tss's own: the TCTI for
# /dev/tpmrm0, which its loader opens, and OpenSSL's libcrypto).
tpm_pkgs="libsodium23 libseccomp2 libtss2-esys-3.0.2-0 libtss2-mu0 libtss2-sys1 libtss2-tctildr0
	libtss2-tcti-device0 libssl3"

if [ $fetch = 1 ]; then
	# linux-image-DEBARCH depends on the current kernel's package.
	kpkg=$(apt-cache depends "linux-image-$deb:$deb" |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ :]*\).*/\1/p' | head -n 1)
	[ -n "$kpkg" ] || { echo "mkimage: apt-cache knows no linux-image-$deb:$deb" \
		"(is the $deb architecture added? make deps-image does it)" >&2; exit 1; }
	rm -rf "$dl.new" && mkdir -p "$dl.new"
	# apt's sandbox user cannot write here: download as the caller.
	(cd "$dl.new" && apt-get -q -o APT::Sandbox::User=root download \
		$(for p in $pkgs $kpkg $([ "$deb" = amd64 ] && echo $tpm_pkgs); do printf '%s:%s ' "$p" "$deb"; done))
	rm -rf "$dl" && mv "$dl.new" "$dl"
	ls -l "$dl"
	exit 0
fi

die() { echo "mkimage: $*" >&2; exit 1; }
for p in $pkgs linux-image $([ "$flavour" = tpm ] && echo $tpm_pkgs); do
	ls "$dl/${p}"[_-]*.deb >/dev/null 2>&1 || die "no $p package in $dl: run make deps-image ARCH=$arch"
done
if [ "$flavour" = tpm ]; then
	# As a Buildroot image with BR2_PACKAGE_SESAME_TPM2=y builds it.
	mk="O=build/image-tpm BIN=build/image-tpm/sesame DLOPEN=0 TPM2=1"
	# shellcheck disable=SC2086 # the options are words
	make -s $mk DESKTOP=0 build/image-tpm/sesame >/dev/null
else
	mk="STATIC=1 CROSS_COMPILE=$cross"
	bin=build/static${cross:+-${cross%-}}/sesame
	[ -x "$bin" ] || die "no $bin: run make static${cross:+ CROSS_COMPILE=$cross}"
fi
command -v mke2fs >/dev/null || die "no mke2fs: run make deps-image"
command -v cpio >/dev/null || die "no cpio: run make deps-image"
command -v busybox >/dev/null || die "no busybox (for depmod): run make deps"

out=build/image/$arch${flavour:+-$flavour}
x=$out/x ir=$out/initrd r=$out/root
rm -rf "$x" "$ir" "$r"
mkdir -p "$x" "$ir" "$r"
for p in $pkgs linux-image $([ "$flavour" = tpm ] && echo $tpm_pkgs); do
	for f in "$dl/${p}"[_-]*.deb; do dpkg-deb -x "$f" "$x"; done
done
kver=$(ls "$x/lib/modules")
[ "$(echo "$kver" | wc -w)" = 1 ] || die "not one kernel in $dl: $kver"
cp "$x/boot/vmlinuz-$kver" "$out/vmlinuz"

# --- initramfs: busybox, the modules and their dependencies, /init
busybox depmod -b "$x" "$kver"
# The TPM drivers are optional: Debian's arm64 kernel has tpm_crb (ACPI
# only) but not tpm_tis, the one QEMU's virt machine's TPM needs.
mods="virtio_pci virtio_mmio virtio_blk virtio_console virtio-rng crc32c_generic ext4 tpm_tis? tpm_crb?"
m=$x/lib/modules/$kver
need= load=
for mod in $mods; do
	name=${mod%\?}
	line=$(grep "/$name\.ko:" "$m/modules.dep") || {
		grep -q "/$name\.ko\$" "$m/modules.builtin" && continue
		[ "$name" != "$mod" ] && { echo "mkimage: kernel $kver has no $name: left out"; continue; }
		die "kernel $kver has no module $name"
	}
	need="$need $(echo "$line" | tr -d :)"
	load="$load $name"
done
mkdir -p "$ir/bin" "$ir/dev" "$ir/proc" "$ir/sys" "$ir/newroot" "$ir/etc" "$ir/lib/modules/$kver"
for f in $(echo "$need" | tr ' ' '\n' | sort -u); do
	mkdir -p "$ir/lib/modules/$kver/${f%/*}"
	cp "$m/$f" "$ir/lib/modules/$kver/$f"
done
cp "$m/modules.builtin" "$m/modules.order" "$ir/lib/modules/$kver/"
busybox depmod -b "$ir" "$kver"
echo "$load" >"$ir/etc/modules"
cp "$x/bin/busybox" "$ir/bin/busybox"
cp tests/image/initramfs-init "$ir/init"
chmod 0755 "$ir/init"
(cd "$ir" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -n -9 >"$out/initrd.gz"

# --- root
# The target's busybox lists its applets (under qemu-user off x86_64).
run=
[ "$arch" = "$(uname -m)" ] || run=qemu-$arch
mkdir -p "$r/bin" "$r/sbin" "$r/usr/bin" "$r/usr/sbin"
cp "$x/bin/busybox" "$r/bin/busybox"
$run "$r/bin/busybox" --list-full | while read -r p; do
	[ -e "$r/$p" ] || ln -s /bin/busybox "$r/$p"
done
# runit from Debian (dynamically linked: its libc comes along).
for b in runsvdir runsv sv svlogd chpst; do cp "$x/usr/bin/$b" "$r/usr/bin/$b"; done
(cd "$x" && find lib lib64 -maxdepth 2 \( -name 'ld-linux*' -o -name libc.so.6 \) 2>/dev/null) |
	while read -r f; do mkdir -p "$r/${f%/*}" && cp -a "$x/$f" "$r/$f"; done
# sesame as a recipe installs it.
# shellcheck disable=SC2086
make -s install $mk DESKTOP=0 DESTDIR="$PWD/$r" PREFIX=/usr \
	SYSCONFDIR=/etc LOCALSTATEDIR=/var RUNSTATEDIR=/run INIT="busybox sysv runit" >/dev/null
if [ "$flavour" = tpm ]; then
	# Its libraries, from Debian's packages (the kernel's modules aside).
	for p in $tpm_pkgs; do
		dpkg-deb -c "$dl/${p}"[_-]*.deb | awk '{ print $6 }' | grep '\.so' | sed 's|^\./||'
	done | while read -r f; do mkdir -p "$r/${f%/*}" && cp -a "$x/$f" "$r/$f"; done
fi
# Stripped, as Buildroot and Yocto strip what they install.
strip=strip
[ "$arch" = "$(uname -m)" ] || strip=$arch-linux-gnu-strip
if command -v "$strip" >/dev/null; then
	"$strip" "$r/usr/bin/sesame"
else
	echo "mkimage: no $strip: sesame goes in unstripped"
fi
cp -R tests/image/rootfs/. "$r/"
mkdir -p "$r/dev" "$r/proc" "$r/sys" "$r/run" "$r/tmp" "$r/data" "$r/root" \
	"$r/etc/pds" "$r/var/lib/pds" "$r/var/log" "$r/etc/service"
# Each inittab starts the same; busybox's appends sesame's lines as a
# packager would, runit's starts runsvdir on /etc/service.
base="::sysinit:/etc/rc.boot
$tty::respawn:-/bin/sh
::ctrlaltdel:/sbin/reboot
::shutdown:/etc/rc.shutdown"
printf '%s\n' "$base" >"$r/etc/inittab.none"
# The busybox and SysV boots enable the optional unlock at boot (init/README).
{ printf '%s\n' "$base"; sed 's/^#::once:/::once:/' "$r/usr/share/sesame/inittab.sesame"; } >"$r/etc/inittab.busybox"
mkdir -p "$r/etc/default"
echo SESAME_UNLOCK=yes >"$r/etc/default/sesame"
printf '%s\n::sysinit:/etc/init.d/rcS\n' "$base" >"$r/etc/inittab.sysv"
printf '%s\n::respawn:/usr/bin/runsvdir -P /etc/service\n' "$base" >"$r/etc/inittab.runit"
cp "$r/etc/inittab.none" "$r/etc/inittab"
# runit: the services enabled, and (the root being read-only) their
# supervise directories in /run, as Debian's dh_runit links them.
for d in "$r"/etc/sv/*/; do
	s=${d%/}; s=${s##*/}
	ln -s "/etc/sv/$s" "$r/etc/service/$s"
	ln -s "/run/runit/supervise/$s" "$d/supervise"
	[ -d "$d/log" ] && ln -s "/run/runit/supervise/$s-log" "$d/log/supervise"
done
echo "$arch" >"$r/etc/image-arch"
rm -f "$out/root.ext4" "$out/data.ext4"
size=$(du -sm "$r" | cut -f1)
mke2fs -q -t ext4 -L sesame-root -d "$r" "$out/root.ext4" "$((size + 8))M"
# Inode tables and journal zeroed now: the kernel's ext4lazyinit would
# otherwise write them in the first minutes, into numbers.t's counts.
mke2fs -q -t ext4 -E lazy_itable_init=0,lazy_journal_init=0 -L sesame-data "$out/data.ext4" 64M
echo "kernel $kver" >"$out/info"
echo "image: $out (kernel $kver, root $(wc -c <"$out/root.ext4") bytes, initrd $(wc -c <"$out/initrd.gz") bytes)"
