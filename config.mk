# sesame build configuration: every knob lives here.  Values given on the
# command line or in the environment win (`make CC=clang PREFIX=/usr`), so
# distribution recipes (Yocto, Buildroot, Debian) need no patches.

# The version is the VERSION file's, the one place a release sets it
# (make dist puts it in the tarball).
ifeq ($(origin VERSION),undefined)
VERSION := $(shell cat $(dir $(lastword $(MAKEFILE_LIST)))VERSION 2>/dev/null || echo unknown)
endif

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
SHAREDIR ?= $(PREFIX)/share/sesame
# Where system mode (root, no XDG_RUNTIME_DIR) keeps its files, fixed at
# build time: SYSCONFDIR/pds (configuration), LOCALSTATEDIR/lib/pds
# (vaults, audit log, state: must persist), LOCALSTATEDIR/cache/sesame,
# RUNSTATEDIR/pds (the bus: per boot).  SYSCONFDIR also places the
# init files (OPENRCDIR and the like, which a test may set alone).
SYSCONFDIR ?= /etc
LOCALSTATEDIR ?= /var
RUNSTATEDIR ?= /run
# The administrator's policy file, fixed at build time: no environment
# variable moves or removes it (SESAME_POLICY only adds a layer under it).
POLICY_FILE ?= $(SYSCONFDIR)/pds/policy.toml
SYSTEMDUSERDIR ?= $(PREFIX)/lib/systemd/user
SYSTEMDSYSTEMDIR ?= $(PREFIX)/lib/systemd/system
OPENRCDIR ?= $(SYSCONFDIR)/init.d
RUNITDIR ?= $(SYSCONFDIR)/sv
# The SysV script (INIT=sysv): S50sesame for busybox's rcS; a sysvinit
# recipe names it sesame and lets update-rc.d make the links.
SYSVINITDIR ?= $(SYSCONFDIR)/init.d
SYSV_SCRIPT ?= S50sesame
# Where the init files without a journal (busybox, sysv, runit) send the
# daemons' logs: LOGDIR/sesame-ROLE.log, or runit's svlogd directory
# LOGDIR/sesame-ROLE/ (never in the service directory, which may sit on
# a read-only root).
LOGDIR ?= $(LOCALSTATEDIR)/log
# Which init systems' files make install installs, any of: systemd openrc
# runit busybox sysv (a recipe names its image's; INIT= installs none).
INIT ?= systemd
DESTDIR ?=

# Where `make fetch` puts the pinned sources and the build finds them
# (a recipe's own download directory will do: vendor/pins names the files).
DL_DIR ?= build/dl

CC ?= cc
PKG_CONFIG ?= pkg-config
AWK ?= awk
INSTALL ?= install
# Compiler for the libFuzzer targets (make fuzz); needs clang.
FUZZ_CC ?= clang
# Compiler for `make static`; CROSS_COMPILE=aarch64-linux-musl- (or
# arm-linux-musleabihf-: Debian's musl-dev:arm64, musl-dev:armhf) builds
# for that architecture instead, into build/static-aarch64-linux-musl.
CROSS_COMPILE ?=
# Flags for the vendored libraries besides their own: a recipe's CFLAGS,
# when it gives them (-mcpu=..., hardening); not the default -O2 -g.
VENDOR_CFLAGS ?= $(if $(filter command% environment%,$(origin CFLAGS)),$(CFLAGS))
MUSL_CC ?= $(if $(CROSS_COMPILE),$(CROSS_COMPILE)gcc,musl-gcc)

# Features, toggled per file in the Makefile.
# DESKTOP=1 builds the Wayland roles (daemon-wm); the default is 1 where
# pkg-config finds wayland-client, 0 otherwise and for `make static`.
ifeq ($(STATIC),1)
DESKTOP = 0
endif
# Left unset, it is decided here and the build says so (once per
# configuration); a recipe should set it.
ifeq ($(origin DESKTOP),undefined)
DESKTOP := $(shell $(PKG_CONFIG) --exists wayland-client 2>/dev/null && echo 1 || echo 0)
DESKTOP_WHY = DESKTOP not set: $(if $(filter 1,$(DESKTOP)),$(PKG_CONFIG) finds wayland-client,$(PKG_CONFIG) \
	finds no wayland-client), so DESKTOP=$(DESKTOP) (set DESKTOP=0 or 1 to choose)
endif
# Protocol XML files, turned into C by wayland-scanner at build time:
# the stable and staging ones from Debian's wayland-protocols, and the
# wlroots ones (layer-shell, foreign-toplevel, data-control), which Debian
# ships only inside librust-wayland-protocols-dev (found with
# `dpkg -S wlr-layer-shell-unstable-v1.xml`).
WAYLAND_SCANNER ?= wayland-scanner
WAYLAND_PROTOCOLS_DIR ?= $(shell $(PKG_CONFIG) --variable=pkgdatadir wayland-protocols 2>/dev/null)
WLR_PROTOCOLS_DIR ?= $(lastword $(sort $(wildcard /usr/share/cargo/registry/wayland-protocols-*/wlr-protocols/unstable)))
# What a role does when the kernel lacks Landlock or seccomp and the
# configuration does not say (global.sandbox): enforce (refuse to start)
# or best-effort (run, logging at error level what is missing), for an
# image whose kernels are older than Linux 5.13.
SANDBOX_DEFAULT ?= enforce
# SECCOMP=1 builds the syscall filters with libseccomp.
SECCOMP ?= 1
# SQLITE=vendored (the default) builds SQLite from the pinned Debian source
# (vendor/pins) with only what sesame uses (vendor/build.sh says what) and
# links it in: a role that keeps a database then maps 0.55 MB of SQLite
# and no libm, against Debian's 1.4 MB library built with every extension
# (issue 9: the roles' memory).  It needs `apt-get source` once (make deps
# adds the deb-src lines), and a SQLite fix then comes with a new pin.
# SQLITE=system uses the system's libsqlite3 instead, as distributions that
# unbundle will want.  `make static` always vendors.
ifeq ($(STATIC),1)
SQLITE = vendored
endif
SQLITE ?= vendored
SQLITE_VENDOR = $(CURDIR)/build/vendor
# DLOPEN=1 loads libseccomp (and a system SQLite) when a role first needs
# them rather than linking them into every command (lib/core/dynlib.h); `make
# static` links.
ifeq ($(STATIC),1)
DLOPEN = 0
endif
DLOPEN ?= 1
DLOPEN_SQLITE = $(if $(and $(filter 1,$(DLOPEN)),$(filter system,$(SQLITE))),1,0)
# TPM2=1 builds the TPM2 unlock factor (lib/tpm2/tpm2.h) against tpm2-tss's
# headers (libtss2-dev).  A dynamic build loads libtss2-esys, -tctildr and
# -mu only when a command talks to a TPM (never in the daemons, which get
# the unsealed key over the bus); without them installed, the tpm2 commands
# say so.  Left unset: 1 where pkg-config finds tss2-esys, else 0.  `make
# static` has it too, from lib/tpm2/tpm2_mini.c: the few TPM commands sesame
# sends, marshalled by sesame, over /dev/tpmrm0 or a swtpm socket, with
# mbed TLS's P-256 and AES (vendored from Debian's source, vendor/pins) for
# the salted, encrypted sessions; the Debian mirror serves no tpm2-tss
# source to vendor.  TPM2_IMPL=mini builds that in a dynamic build too
# (against the system's libmbedcrypto), to test it.
ifeq ($(STATIC),1)
TPM2 ?= 1
TPM2_IMPL = mini
endif
ifeq ($(origin TPM2),undefined)
TPM2 := $(shell $(PKG_CONFIG) --exists tss2-esys tss2-tctildr tss2-mu 2>/dev/null && echo 1 || echo 0)
endif
TPM2_IMPL ?= tss
# GIT=1 builds the workspaces' git (applets/workspace/git.c) against
# libgit2's headers (libgit2-dev); libgit2 itself is loaded when a
# workspace command first needs it.  Left unset: 1 where pkg-config finds
# libgit2 (never in `make static`), else 0, and those commands say so.
ifeq ($(STATIC),1)
GIT ?= 0
endif
ifeq ($(origin GIT),undefined)
GIT := $(shell $(PKG_CONFIG) --exists libgit2 2>/dev/null && echo 1 || echo 0)
endif
ifeq ($(GIT),1)
DEP_CFLAGS += $(shell $(PKG_CONFIG) --cflags libgit2 2>/dev/null)
GIT2_SONAME ?= $(call soname,libgit2,libgit2.so)
SSH2_SONAME ?= $(call soname,libssh2,libssh2.so)
endif
# SANITIZE=1 builds with ASan + UBSan into build/san (make check SANITIZE=1).
SANITIZE ?= 0
# TSAN=1 builds with ThreadSanitizer into build/tsan (make check TSAN=1).
TSAN ?= 0

# Yours to set; the flags the code needs are kept apart below.
CFLAGS ?= -O2 -g
LDFLAGS ?=
CPPFLAGS ?=

# WERROR=1 turns warnings into errors (CI and development ask for it; a
# recipe on a newer compiler should not break on a new warning).
WERROR ?= 0
# V=1 prints each command; quiet otherwise.
V ?= 0

# What the code needs, whatever CFLAGS says.
# -ffile-prefix-map: no build directory in the binary, so two builds of
# one tree in two places give the same bytes.
SESAME_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra $(if $(filter 1,$(WERROR)),-Werror) -Wshadow \
	-ffile-prefix-map=$(CURDIR)=. \
	-Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter \
	-fstack-protector-strong -fPIE
SESAME_LDFLAGS = -pie -Wl,-z,relro,-z,now -pthread

# Libraries: from pkg-config when it knows them, else the plain names.
# A library's soname, for those loaded with dlopen: $(call soname,PKG,FILE).
soname = $(shell readelf -d $$($(PKG_CONFIG) --variable=libdir $(1) 2>/dev/null)/$(2) 2>/dev/null | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
PKGS = libsodium
ifeq ($(SQLITE),system)
PKGS += sqlite3
SQLITE_LIBS = $(shell $(PKG_CONFIG) --libs sqlite3 2>/dev/null || echo -lsqlite3)
else
SQLITE_A = $(SQLITE_VENDOR)/prefix/lib/libsqlite3.a
SQLITE_LIBS = $(SQLITE_A)
endif
ifeq ($(SECCOMP),1)
PKGS += libseccomp
endif
ifeq ($(TPM2)$(TPM2_IMPL),1tss)
PKGS += tss2-esys tss2-tctildr tss2-mu
endif
MBEDTLS_LIBS = $(if $(filter 1mini,$(TPM2)$(TPM2_IMPL)),-lmbedcrypto)
DEP_CFLAGS ?= $(if $(SQLITE_A),-I$(SQLITE_VENDOR)/prefix/include) $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
# Everything linked, for DLOPEN=0.
LINK_ALL_LIBS = $(SQLITE_A) $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null || echo -lsodium $(if $(SQLITE_A),,-lsqlite3) $(if $(filter 1,$(SECCOMP)),-lseccomp) $(if $(filter 1tss,$(TPM2)$(TPM2_IMPL)),-ltss2-esys -ltss2-tctildr -ltss2-mu))
# The fuzz targets (clang, glibc, whatever the build) link the system's.
FUZZ_LIBS = $(shell $(PKG_CONFIG) --libs libsodium sqlite3 $(if $(filter 1,$(SECCOMP)),libseccomp) 2>/dev/null || echo -lsodium -lsqlite3 $(if $(filter 1,$(SECCOMP)),-lseccomp))
ifeq ($(DLOPEN),1)
DEP_LIBS ?= $(SQLITE_A) $(shell $(PKG_CONFIG) --libs libsodium 2>/dev/null || echo -lsodium) $(MBEDTLS_LIBS) -ldl
SQLITE_SONAME ?= $(if $(SQLITE_A),,$(call soname,sqlite3,libsqlite3.so))
SECCOMP_SONAME ?= $(call soname,libseccomp,libseccomp.so)
else
DEP_LIBS ?= $(LINK_ALL_LIBS) $(MBEDTLS_LIBS) -ldl
endif
ifeq ($(TPM2)$(TPM2_IMPL),1tss)
TSS_ESYS_SONAME ?= $(call soname,tss2-esys,libtss2-esys.so)
TSS_TCTILDR_SONAME ?= $(call soname,tss2-tctildr,libtss2-tctildr.so)
TSS_MU_SONAME ?= $(call soname,tss2-mu,libtss2-mu.so)
endif
# The desktop libraries are loaded by the roles that use them, not linked
# (lib/desk/desklib.h, applets/wm/paint.c): libwayland-client and libxkbcommon by the
# Wayland and input roles, fcft (the overlay's text), pixman (its
# drawing), libpng (icons) and, optional, librsvg (SVG icons; no headers
# needed, RSVG_SONAME defaults to librsvg-2.so.2) by daemon-wm's painter
# when it draws.  Only their headers, and sonames.
ifeq ($(DESKTOP),1)
DEP_CFLAGS += $(shell $(PKG_CONFIG) --cflags wayland-client xkbcommon fcft pixman-1 libpng16 2>/dev/null)
WAYLAND_SONAME ?= $(call soname,wayland-client,libwayland-client.so)
XKBCOMMON_SONAME ?= $(call soname,xkbcommon,libxkbcommon.so)
FCFT_SONAME ?= $(call soname,fcft,libfcft.so)
PIXMAN_SONAME ?= $(call soname,pixman-1,libpixman-1.so)
PNG_SONAME ?= $(call soname,libpng16,libpng16.so)
WAYLAND_CORE_XML ?= $(shell $(PKG_CONFIG) --variable=pkgdatadir wayland-scanner 2>/dev/null)/wayland.xml
endif
