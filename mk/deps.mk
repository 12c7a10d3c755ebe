# mk/deps.mk - setting a machine up (make deps, deps-cross), the one
# step that downloads (make fetch) and the release tarball (make dist);
# included by the Makefile.

# --- machine set-up ----------------------------------------------------
# Everything the build, `make static` and the tests need, from the
# distribution's packages only.  Idempotent.  Source lines (deb-src) are
# derived from the configured deb lines, for `apt-get source`.
DEPS = build-essential pkg-config clang libclang-rt-dev file perl \
	libsodium-dev libsqlite3-dev libseccomp-dev \
	musl-tools dpkg-dev autoconf automake libtool gperf tcl \
	openssh-client sqlite3 systemd runit openrc busybox-static \
	libtss2-dev libmbedtls-dev swtpm tpm2-tools libgit2-dev git openssh-server \
	keyutils gnome-keyring libsecret-tools dbus-daemon dbus-bin pass gnupg gnuplot-nox \
	libwayland-dev wayland-protocols librust-wayland-protocols-dev \
	libxkbcommon-dev libpixman-1-dev libfcft-dev libpng-dev librsvg2-2 \
	sway foot grim wl-clipboard wtype fish zsh keepassxc
deps:
	@command -v apt-get >/dev/null || { echo "make deps: needs apt-get (Debian/Ubuntu)"; exit 1; }
	@if ! grep -rqs '^Types:.*deb-src\|^deb-src ' /etc/apt/sources.list /etc/apt/sources.list.d/; then \
		for f in /etc/apt/sources.list.d/*.sources; do [ -f "$$f" ] && \
			sed 's/^Types: deb$$/Types: deb-src/' "$$f" >> /etc/apt/sources.list.d/sesame-src.sources && \
			echo >> /etc/apt/sources.list.d/sesame-src.sources; done; \
		[ -f /etc/apt/sources.list ] && grep '^deb ' /etc/apt/sources.list | \
			sed 's/^deb /deb-src /' > /etc/apt/sources.list.d/sesame-src.list; \
		echo "make deps: added deb-src lines for apt-get source"; \
	fi; true
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(DEPS)
	$(MAKE) fetch

# For make check-cross: Debian's musl cross compilers, the target kernel
# headers and qemu-user, for aarch64 and armhf.
CROSS_DEPS = musl-dev:arm64 musl-dev:armhf linux-libc-dev:arm64 linux-libc-dev:armhf gcc-aarch64-linux-gnu \
	gcc-arm-linux-gnueabihf qemu-user
deps-cross:
	dpkg --add-architecture arm64
	dpkg --add-architecture armhf
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(CROSS_DEPS)

# A source tarball of the tracked files, the same bytes every time: in name
# order, owner 0, every mtime SOURCE_DATE_EPOCH (default: HEAD's commit
# time), gzip without a name or time.  Prints its SHA-256 (for a
# recipe's hash file).
DIST = build/sesame-$(VERSION).tar.gz
dist:
	@git rev-parse --git-dir >/dev/null 2>&1 || { echo "make dist: needs a git checkout" >&2; exit 1; }
	@mkdir -p build
	@epoch=$${SOURCE_DATE_EPOCH:-$$(git log -1 --format=%ct)}; \
	git ls-files -z | tar --null -T - --transform 's|^|sesame-$(VERSION)/|' --sort=name --format=gnu \
		--owner=0 --group=0 --numeric-owner --mtime=@$$epoch --mode=u+rw,go=u-w -cf - | gzip -n -9 >$(DIST)
	@sha256sum $(DIST)

# The one step that downloads: the pinned sources (vendor/pins) into
# DL_DIR, verified.  make, make static and make check never download.
fetch:
	VENDOR_DL="$(VENDOR_DL)" sh vendor/build.sh --fetch
