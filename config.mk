# sesame build configuration: every knob lives here.  Values given on the
# command line or in the environment win (`make CC=clang PREFIX=/usr`), so
# distribution recipes (Yocto, Buildroot, Debian) need no patches.

VERSION ?= 0.1.0

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
SHAREDIR ?= $(PREFIX)/share/sesame
SYSCONFDIR ?= /etc
SYSTEMDUSERDIR ?= $(PREFIX)/lib/systemd/user
SYSTEMDSYSTEMDIR ?= $(PREFIX)/lib/systemd/system
OPENRCDIR ?= $(SYSCONFDIR)/init.d
RUNITDIR ?= $(SYSCONFDIR)/sv
# Which init files make install installs.
INIT ?= systemd openrc runit busybox
DESTDIR ?=

CC ?= cc
PKG_CONFIG ?= pkg-config
AWK ?= awk
INSTALL ?= install
# Compiler for the libFuzzer targets (make fuzz); needs clang.
FUZZ_CC ?= clang
# Compiler for `make static`.
MUSL_CC ?= musl-gcc

# Features, toggled per file in the Makefile.
# DESKTOP=1 builds the Wayland roles (daemon-wm); the default is 1 where
# pkg-config finds wayland-client, 0 otherwise and for `make static`.
ifeq ($(STATIC),1)
DESKTOP = 0
endif
DESKTOP ?= $(shell $(PKG_CONFIG) --exists wayland-client 2>/dev/null && echo 1 || echo 0)
# Protocol XML files, turned into C by wayland-scanner at build time:
# the stable and staging ones from Debian's wayland-protocols, and the
# wlroots ones (layer-shell, foreign-toplevel, data-control), which Debian
# ships only inside librust-wayland-protocols-dev (found with
# `dpkg -S wlr-layer-shell-unstable-v1.xml`).
WAYLAND_SCANNER ?= wayland-scanner
WAYLAND_PROTOCOLS_DIR ?= $(shell $(PKG_CONFIG) --variable=pkgdatadir wayland-protocols 2>/dev/null)
WLR_PROTOCOLS_DIR ?= $(lastword $(sort $(wildcard /usr/share/cargo/registry/wayland-protocols-*/wlr-protocols/unstable)))
# SECCOMP=1 links libseccomp (the syscall filters use it).
SECCOMP ?= 1
# SANITIZE=1 builds with ASan + UBSan into build/san (make check SANITIZE=1).
SANITIZE ?= 0

# Yours to set; the flags the code needs are kept apart below.
CFLAGS ?= -O2 -g
LDFLAGS ?=
CPPFLAGS ?=

# What the code needs, whatever CFLAGS says.
WERROR ?= -Werror
SESAME_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra $(WERROR) -Wshadow \
	-Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter \
	-fstack-protector-strong -fPIE
SESAME_LDFLAGS = -pie -Wl,-z,relro,-z,now -pthread

# Libraries: from pkg-config when it knows them, else the plain names.
PKGS = libsodium sqlite3
ifeq ($(SECCOMP),1)
PKGS += libseccomp
endif
ifeq ($(DESKTOP),1)
PKGS += wayland-client xkbcommon
endif
DEP_CFLAGS ?= $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
DEP_LIBS ?= $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null || echo -lsodium -lsqlite3 $(if $(filter 1,$(SECCOMP)),-lseccomp))
# fcft (the overlay's text) and pixman (its drawing) are loaded by
# daemon-wm when it draws, not linked: only their headers, and sonames.
soname = $(shell readelf -d $$($(PKG_CONFIG) --variable=libdir $(1) 2>/dev/null)/$(2) 2>/dev/null | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
ifeq ($(DESKTOP),1)
DEP_CFLAGS += $(shell $(PKG_CONFIG) --cflags fcft pixman-1 2>/dev/null)
FCFT_SONAME ?= $(call soname,fcft,libfcft.so)
PIXMAN_SONAME ?= $(call soname,pixman-1,libpixman-1.so)
DEP_LIBS += -ldl
endif
