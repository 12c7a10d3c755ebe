# sesame - one multicall binary.  Knobs are in config.mk.
include config.mk

# Applets, one file each; a feature is a file (or a list of files) here.
APPLETS = applets/daemon.c applets/daemon_profile.c applets/daemon_secrets.c \
	applets/daemon_launcher.c applets/daemon_snippets.c applets/status.c applets/vault.c \
	applets/secret.c applets/env.c applets/audit.c applets/config.c applets/profile.c \
	applets/ssh.c applets/launch.c applets/snippet.c applets/wm.c applets/clipboard.c \
	applets/input.c applets/setup_keybinding.c
DESKTOP_LIB = lib/overlay.c lib/wlpoll.c lib/desklib.c
ifeq ($(DESKTOP),1)
APPLETS += applets/daemon_wm.c applets/daemon_clipboard.c applets/daemon_input.c
else
APPLETS += applets/nodesktop.c
endif

LIB = lib/util.c lib/log.c lib/paths.c lib/secmem.c lib/noise.c lib/wire.c lib/bus.c \
	lib/hub.c lib/sdnotify.c lib/vault.c lib/prompt.c \
	lib/cli.c lib/audit.c lib/toml.c lib/config.c lib/activation.c lib/sshagent.c lib/sandbox.c \
	lib/envvar.c lib/desktop.c lib/fuzzy.c lib/appindex.c lib/template.c \
	lib/store.c lib/frecency.c lib/role.c lib/fetch.c lib/sensitive.c lib/binding.c \
	lib/num.c lib/pstate.c lib/spawn.c lib/peer.c
ifeq ($(DESKTOP),1)
LIB += $(DESKTOP_LIB)
endif
ifneq ($(STATIC),1)
LIB += lib/dynlib.c
endif
ifeq ($(SECCOMP),1)
LIB += lib/seccomp.c
else
LIB += lib/seccomp_off.c
endif

ifeq ($(filter enforce best-effort,$(SANDBOX_DEFAULT)),)
$(error SANDBOX_DEFAULT is enforce or best-effort, not '$(SANDBOX_DEFAULT)')
endif

# Quiet unless V=1: "CC file" instead of the command.
ifeq ($(V),1)
Q =
say =
else
Q = @
say = @printf '  %-6s %s\n' $(1) $(2);
endif

# Build directory: build/ for the normal build, build/san for sanitizers,
# build/static for the musl build.  The normal binary is ./sesame.
O = build
BIN = sesame
ifeq ($(SANITIZE),1)
O = build/san
BIN = build/san/sesame
SAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
endif
# TSAN=1: ThreadSanitizer, for the threads DESIGN.md allows (make check
# TSAN=1 runs the unit tests and the bus, secret and crash tests).
ifeq ($(TSAN),1)
O = build/tsan
BIN = build/tsan/sesame
SAN_FLAGS = -fsanitize=thread -fno-omit-frame-pointer
endif
STATIC_O = build/static$(if $(CROSS_COMPILE),-$(patsubst %-,%,$(CROSS_COMPILE)))
ifeq ($(STATIC),1)
O = $(STATIC_O)
BIN = $(STATIC_O)/sesame
VENDOR = $(CURDIR)/$(STATIC_O)/vendor
CC = $(MUSL_CC)
DEP_CFLAGS = -I$(VENDOR)/prefix/include -isystem $(VENDOR)/kernel-include
DEP_LIBS = -L$(VENDOR)/prefix/lib -lsodium -lsqlite3 $(if $(filter 1,$(SECCOMP)),-lseccomp)
SESAME_LDFLAGS = -static -Wl,-z,relro,-z,now
SQLITE_VENDOR = $(VENDOR)
VENDOR_CC = $(MUSL_CC)
endif
VENDOR_CC ?= $(CC)
# Downloads (make fetch), shared by the static and the dynamic vendored builds.
VENDOR_DL = $(abspath $(DL_DIR))

GEN = $(O)/gen
ALL_CFLAGS = $(SESAME_CFLAGS) $(SAN_FLAGS) -DSESAME_VERSION='"$(VERSION)"' -DSESAME_DESKTOP=$(DESKTOP) \
	-DSESAME_DLOPEN=$(DLOPEN) -DSESAME_DLOPEN_SQLITE=$(DLOPEN_SQLITE) -DSESAME_SQLITE_VENDORED=$(if $(SQLITE_A),1,0) \
	-DSESAME_SECCOMP=$(SECCOMP) -DSANDBOX_DEFAULT='"$(SANDBOX_DEFAULT)"' \
	-I. -I$(GEN) $(DEP_CFLAGS) $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SESAME_LDFLAGS) $(SAN_FLAGS) $(LDFLAGS)

# Wayland protocols: client headers and glue generated into $(GEN)/proto.
ifeq ($(DESKTOP),1)
PROTO_XML = $(WAYLAND_CORE_XML) \
	$(WLR_PROTOCOLS_DIR)/wlr-foreign-toplevel-management-unstable-v1.xml \
	$(WLR_PROTOCOLS_DIR)/wlr-data-control-unstable-v1.xml \
	$(WLR_PROTOCOLS_DIR)/wlr-layer-shell-unstable-v1.xml \
	$(WAYLAND_PROTOCOLS_DIR)/stable/xdg-shell/xdg-shell.xml
PROTO_NAMES = $(basename $(notdir $(PROTO_XML)))
PROTO_H = $(PROTO_NAMES:%=$(GEN)/proto/%.h)
PROTO_OBJ = $(PROTO_NAMES:%=$(O)/proto/%.o)
endif

LIB_OBJ = $(LIB:%.c=$(O)/%.o) $(PROTO_OBJ)
OBJ = $(O)/sesame.o $(APPLETS:%.c=$(O)/%.o) $(LIB_OBJ)

all: $(BIN) $(if $(filter build,$(O)),tests/noise-vectors tests/toml-decode)

$(BIN): $(OBJ) $(SQLITE_A)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(OBJ) $(ALL_LDFLAGS) $(DEP_LIBS)

# SQLite, vendored (config.mk): built before anything includes its header.
ifneq ($(SQLITE_A),)
$(SQLITE_A): vendor/build.sh vendor/pins
	$(Q)VENDOR_CC="$(VENDOR_CC)" VENDOR_DL="$(VENDOR_DL)" VENDOR_CFLAGS="$(VENDOR_CFLAGS)" \
		sh vendor/build.sh $(SQLITE_VENDOR) sqlite3
	@touch $@
$(OBJ): | $(SQLITE_A)
endif

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# Requests go through desk_wl_marshal (lib/desklib.h), which is told the
# sending proxy's interface: libwayland-client is loaded, not linked, and
# its variadic wl_proxy_marshal_flags cannot be forwarded as it is.
$(PROTO_H): $(GEN)/proto/%.h: Makefile
	@test -f "$(filter %/$*.xml,$(PROTO_XML))" || { echo "$*.xml not found: install" \
		"libwayland-dev, wayland-protocols and librust-wayland-protocols-dev (make deps), set" \
		"WAYLAND_CORE_XML or WLR_PROTOCOLS_DIR, or build with DESKTOP=0"; exit 1; }
	@mkdir -p $(@D)
	$(call say,GEN,$@)
	$(Q)$(WAYLAND_SCANNER) client-header $(filter %/$*.xml,$(PROTO_XML)) $@.tmp
	$(Q)sed 's|wl_proxy_marshal_flags((struct wl_proxy \*) \([A-Za-z0-9_]*\),|desk_wl_marshal(\&\1_interface, (struct wl_proxy *) \1,|' $@.tmp > $@
	@rm -f $@.tmp
	@! grep -n 'wl_proxy_marshal_flags(' $@ || { echo "$@: a request the sed above missed"; exit 1; }
# <wayland-client.h> for sesame: the core protocol's header is one of the
# generated ones above.
$(GEN)/wayland-client.h: Makefile
	@mkdir -p $(@D)
	$(call say,GEN,$@)
	$(Q)printf '%s\n' '/* Generated by the Makefile; see lib/desklib.h. */' '#ifndef SESAME_WAYLAND_CLIENT_H' \
		'#define SESAME_WAYLAND_CLIENT_H' '#include <wayland-client-core.h>' '#include "lib/desklib.h"' \
		'#include "proto/wayland.h"' '#endif' > $@
$(PROTO_H:.h=.c): $(GEN)/proto/%.c: $(GEN)/proto/%.h
	$(call say,GEN,$@)
	$(Q)$(WAYLAND_SCANNER) private-code $(filter %/$*.xml,$(PROTO_XML)) $@
# Generated code: the scanner's, not ours to hold to -Wmissing-prototypes.
$(PROTO_OBJ): $(O)/proto/%.o: $(GEN)/proto/%.c
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -c -o $@ $<
$(APPLETS:%.c=$(O)/%.o) $(LIB:%.c=$(O)/%.o) $(PROTO_OBJ): | $(PROTO_H) $(if $(PROTO_H),$(GEN)/wayland-client.h)
$(O)/lib/overlay.o: private ALL_CFLAGS += $(if $(FCFT_SONAME),-DFCFT_LIB='"$(FCFT_SONAME)"') \
	$(if $(PIXMAN_SONAME),-DPIXMAN_LIB='"$(PIXMAN_SONAME)"')
$(O)/lib/paths.o: private ALL_CFLAGS += -DSESAME_POLICY_FILE='"$(POLICY_FILE)"' \
	-DSESAME_SYS_CONFIG='"$(SYSCONFDIR)/pds"' -DSESAME_SYS_DATA='"$(LOCALSTATEDIR)/lib/pds"' \
	-DSESAME_SYS_CACHE='"$(LOCALSTATEDIR)/cache/sesame"' -DSESAME_SYS_RUNTIME='"$(RUNSTATEDIR)/pds"'
$(O)/lib/dynlib.o: private ALL_CFLAGS += $(if $(SQLITE_SONAME),-DSQLITE_LIB='"$(SQLITE_SONAME)"') $(if $(SECCOMP_SONAME),-DSECCOMP_LIB='"$(SECCOMP_SONAME)"')
$(O)/lib/desklib.o: private ALL_CFLAGS += $(if $(WAYLAND_SONAME),-DWAYLAND_CLIENT_LIB='"$(WAYLAND_SONAME)"') \
	$(if $(XKBCOMMON_SONAME),-DXKBCOMMON_LIB='"$(XKBCOMMON_SONAME)"')

# What the objects were built with: rewritten only when it changes, so
# that a change of configuration (DESKTOP found once `make deps` has run,
# other CFLAGS, another applet list) rebuilds everything it touches
# instead of mixing old objects and an old applet table with new ones.
$(O)/config.flags: config-check
	@mkdir -p $(@D)
	@printf '%s\n' '$(subst ','\'',$(CC) $(ALL_CFLAGS) $(APPLETS) $(POLICY_FILE) $(SYSCONFDIR) $(LOCALSTATEDIR) $(RUNSTATEDIR) $(FCFT_SONAME) $(PIXMAN_SONAME) $(SQLITE_SONAME) $(SECCOMP_SONAME) $(WAYLAND_SONAME) $(XKBCOMMON_SONAME))' > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else $(if $(DESKTOP_WHY),echo 'make: $(DESKTOP_WHY)';) mv $@.tmp $@; fi
.PHONY: config-check
$(OBJ): $(O)/config.flags

# The help blocks are the single source of the table, man page and
# completions.
$(GEN)/stamp: sesame.c $(APPLETS) applets/mktable.awk Makefile $(O)/config.flags
	@mkdir -p $(GEN)
	$(call say,GEN,$(GEN))
	$(Q)$(AWK) -v out=$(GEN) -v version=$(VERSION) -f applets/mktable.awk sesame.c $(APPLETS)
	@touch $@
$(GEN)/applets.h $(GEN)/mains.h $(GEN)/roles $(GEN)/sesame.1 $(GEN)/sesame.bash $(GEN)/_sesame: $(GEN)/stamp
$(OBJ): | $(GEN)/stamp
$(O)/sesame.o: $(GEN)/stamp

doc: $(GEN)/stamp

-include $(patsubst %.o,%.d,$(filter-out $(PROTO_OBJ),$(OBJ)))

# --- tests -------------------------------------------------------------
UNIT = $(patsubst tests/unit/%.c,$(O)/tests/unit/%,$(wildcard tests/unit/*.c))
# secmem's test watches munmap to prove that freed memory was wiped.
$(O)/tests/unit/secmem: TEST_LDFLAGS = -Wl,--wrap=munmap

$(O)/tests/unit/%: tests/unit/%.c tests/tap.h $(LIB_OBJ) $(SQLITE_A)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests -o $@ $< $(LIB_OBJ) $(ALL_LDFLAGS) $(TEST_LDFLAGS) $(DEP_LIBS) -lm

# Test tools built per build directory (sanitizers apply to them too).
# $(O)/tests/noise-vectors FILE runs any vector file in the cacophony
# format; $(O)/tests/toml-decode is the toml-test decoder interface (TOML
# on stdin, tagged JSON on stdout), for any conformance suite.
TOOLS = $(O)/tests/buspeer $(O)/tests/evwrite $(O)/tests/ptyrun $(O)/tests/noise-vectors $(O)/tests/toml-decode
$(O)/tests/noise-vectors: tests/noise-vectors.c tests/json.c tests/json.h $(LIB_OBJ) $(SQLITE_A)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests -o $@ tests/noise-vectors.c tests/json.c $(LIB_OBJ) $(ALL_LDFLAGS) $(DEP_LIBS) -lm

# An LD_PRELOAD that makes fdatasync slow (tests/audit.t); a static
# sesame cannot be given one.
ifneq ($(STATIC),1)
TOOLS += $(O)/tests/slowsync.so
endif
$(O)/tests/slowsync.so: tests/slowsync.c
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(SESAME_CFLAGS) -fPIC -shared -o $@ $< -ldl

# Their fixed places, tests/noise-vectors and tests/toml-decode, hold the
# normal build's: a sanitizer or static build makes its own in $(O)/tests.
ifeq ($(O),build)
tests/noise-vectors tests/toml-decode: tests/%: build/tests/%
	$(Q)cp $< $@
endif
$(O)/tests/%: tests/%.c $(LIB_OBJ) $(SQLITE_A)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests -o $@ $< $(LIB_OBJ) $(ALL_LDFLAGS) $(DEP_LIBS) -lm

# The fuzz targets share one set of instrumented objects (built once, not
# once per target), in build/fuzz/obj whatever the build.
FUZZ = $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/*.c))
FUZZ_OBJ = $(patsubst %.c,build/fuzz/obj/%.o,$(filter-out $(DESKTOP_LIB) lib/dynlib.c,$(LIB)))
FUZZ_CFLAGS = $(SESAME_CFLAGS) -g -O1 -I. -Itests $(DEP_CFLAGS)
build/fuzz/obj/%.o: %.c | $(SQLITE_A)
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -MMD -MP -c -o $@ $<
build/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJ) build/fuzz/obj/tests/json.o
	$(call say,LINK,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZ_OBJ) \
		$(if $(filter json,$*),build/fuzz/obj/tests/json.o) $(FUZZ_LIBS) -lm
.SECONDARY: $(FUZZ_OBJ) build/fuzz/obj/tests/json.o
-include $(wildcard build/fuzz/obj/*/*.d)

fuzz: $(FUZZ)

# Benchmarks: figures are ratios to baselines measured in the same run.
# The exec floor is a static no-op (musl when available).
$(O)/bench/timing: tests/bench/timing.c
	@mkdir -p $(@D)
	$(CC) $(SESAME_CFLAGS) $(CFLAGS) -o $@ $< $(SESAME_LDFLAGS) $(LDFLAGS)
$(O)/bench/noop: tests/bench/noop.c
	@mkdir -p $(@D)
	if command -v $(MUSL_CC) >/dev/null; then $(MUSL_CC) -O2 -static -o $@ $<; \
	else $(CC) -O2 -static -o $@ $<; fi

$(O)/bench/noop-dyn: tests/bench/noop.c
	@mkdir -p $(@D)
	$(CC) -O2 -o $@ $<

# A glibc + libsodium + SQLite process with one database open and idle:
# the roles' memory floor (dynamic builds only), with the SQLite sesame has.
$(O)/bench/sqlfloor: tests/bench/sqlfloor.c $(SQLITE_A)
	@mkdir -p $(@D)
	$(CC) $(SESAME_CFLAGS) $(DEP_CFLAGS) $(CFLAGS) -o $@ $< $(SESAME_LDFLAGS) $(LDFLAGS) $(SQLITE_LIBS) -lsodium

$(O)/bench/vault: tests/bench/vault.c $(LIB_OBJ) $(SQLITE_A)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJ) $(ALL_LDFLAGS) $(DEP_LIBS) -lm

# The static build is measured too, so bench builds it (musl-gcc permitting).
bench: $(BIN) $(TOOLS) $(O)/bench/timing $(O)/bench/noop $(O)/bench/noop-dyn $(O)/bench/vault \
	$(if $(filter 1,$(STATIC)),,$(O)/bench/sqlfloor)
	if command -v $(MUSL_CC) >/dev/null && [ "$(STATIC)" != 1 ]; then $(MAKE) static; fi
	SESAME="$(CURDIR)/$(BIN)" SESAME_BUILD="$(CURDIR)/$(O)" sh tests/bench/run.sh
	SESAME="$(CURDIR)/$(BIN)" SESAME_BUILD="$(CURDIR)/$(O)" sh tests/bench/compare.sh
	SESAME="$(CURDIR)/$(BIN)" SESAME_BUILD="$(CURDIR)/$(O)" sh tests/bench/launcher.sh
	SESAME="$(CURDIR)/$(BIN)" SESAME_BUILD="$(CURDIR)/$(O)" sh tests/bench/roles.sh

# The fuzz targets are part of check wherever clang can build them.
HAVE_FUZZ_CC := $(shell command -v $(FUZZ_CC) 2>/dev/null)
PROVE_FLAGS ?= --failures --comments
CHECK_TESTS = $(if $(filter 1,$(TSAN)),tests/bus.t tests/secret.t tests/crash.t,tests/*.t)
check: $(BIN) $(UNIT) $(TOOLS) $(GEN)/stamp $(if $(and $(HAVE_FUZZ_CC),$(filter-out 1,$(TSAN))),$(FUZZ))
	SESAME="$(CURDIR)/$(BIN)" SESAME_BUILD="$(CURDIR)/$(O)" SESAME_SRC="$(CURDIR)" \
		prove $(PROVE_FLAGS) $(UNIT) $(CHECK_TESTS)

# A fully static musl build of the headless roles, against libraries built
# from pinned Debian source packages (vendor/pins).
static:
	VENDOR_CC="$(MUSL_CC)" VENDOR_DL="$(VENDOR_DL)" VENDOR_CFLAGS="$(VENDOR_CFLAGS)" \
		sh vendor/build.sh $(STATIC_O)/vendor
	$(MAKE) STATIC=1 DESKTOP=0 $(STATIC_O)/sesame
	@file $(STATIC_O)/sesame
	@ls -l $(STATIC_O)/sesame

# Another architecture under qemu-user: `make check-cross
# CROSS_COMPILE=aarch64-linux-musl- QEMU=qemu-aarch64` builds it static
# (make static) and runs tests/essentials.t on it, through a wrapper that
# runs it in the emulator.
QEMU ?=
check-cross:
	@test -n "$(CROSS_COMPILE)" && test -n "$(QEMU)" || \
		{ echo "make check-cross: give CROSS_COMPILE=... and QEMU=..." >&2; exit 2; }
	@command -v $(QEMU) >/dev/null || { echo "make check-cross: $(QEMU) not found (qemu-user)" >&2; exit 1; }
	$(MAKE) static
	@mkdir -p $(STATIC_O)/qemu
	@printf '#!/bin/sh\nexec %s %s "$$@"\n' '$(QEMU)' '$(CURDIR)/$(STATIC_O)/sesame' >$(STATIC_O)/qemu/sesame
	@chmod 0755 $(STATIC_O)/qemu/sesame
	SESAME="$(CURDIR)/$(STATIC_O)/qemu/sesame" SESAME_BUILD="$(CURDIR)/$(STATIC_O)" SESAME_SRC="$(CURDIR)" \
		SESAME_QEMU=$(QEMU) prove $(PROVE_FLAGS) tests/essentials.t

# --- install -----------------------------------------------------------
install: $(BIN) $(GEN)/stamp
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	$(INSTALL) -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/sesame
	for r in $$(cat $(GEN)/roles); do ln -sf sesame $(DESTDIR)$(BINDIR)/$$r; done
	$(INSTALL) -m 0644 $(GEN)/sesame.1 $(DESTDIR)$(MANDIR)/man1/sesame.1
	$(INSTALL) -m 0644 $(GEN)/sesame.bash $(DESTDIR)$(BASHCOMPDIR)/sesame
	$(INSTALL) -m 0644 $(GEN)/_sesame $(DESTDIR)$(ZSHCOMPDIR)/_sesame
	@for i in $(INIT); do $(MAKE) --no-print-directory install-init-$$i || exit 1; done

# Init files, with @BINDIR@ replaced by where the binary goes.  A build
# without the desktop roles (DESKTOP=0) installs none of their units.
DESKTOP_UNITS = sesame-desktop.target|sesame-wm.service|sesame-clipboard.service|sesame-input.service|sesame-launcher.service
SUBST = sed 's|@BINDIR@|$(BINDIR)|g'
install-init-systemd:
	$(INSTALL) -d $(DESTDIR)$(SYSTEMDUSERDIR) $(DESTDIR)$(SYSTEMDSYSTEMDIR)
	for f in init/systemd/user/*; do case $${f##*/} in $(if $(filter 0,$(DESKTOP)),$(DESKTOP_UNITS),-)) \
		continue;; esac; $(SUBST) $$f >$(DESTDIR)$(SYSTEMDUSERDIR)/$${f##*/}; done
	for f in init/systemd/system/*; do $(SUBST) $$f >$(DESTDIR)$(SYSTEMDSYSTEMDIR)/$${f##*/}; done
install-init-openrc:
	$(INSTALL) -d $(DESTDIR)$(OPENRCDIR)
	for f in init/openrc/*; do $(SUBST) $$f >$(DESTDIR)$(OPENRCDIR)/$${f##*/}; \
		chmod 0755 $(DESTDIR)$(OPENRCDIR)/$${f##*/}; done
install-init-runit:
	for d in init/runit/*/; do s=$${d%/}; s=$${s##*/}; \
		$(INSTALL) -d $(DESTDIR)$(RUNITDIR)/$$s/log; \
		for f in run finish log/run; do $(SUBST) $$d$$f >$(DESTDIR)$(RUNITDIR)/$$s/$$f; \
			chmod 0755 $(DESTDIR)$(RUNITDIR)/$$s/$$f; done; done
install-init-sysv:
	$(INSTALL) -d $(DESTDIR)$(SYSVINITDIR)
	$(SUBST) init/sysv/S50sesame >$(DESTDIR)$(SYSVINITDIR)/$(SYSV_SCRIPT)
	chmod 0755 $(DESTDIR)$(SYSVINITDIR)/$(SYSV_SCRIPT)
install-init-busybox:
	$(INSTALL) -d $(DESTDIR)$(SHAREDIR)
	$(SUBST) init/busybox/inittab >$(DESTDIR)$(SHAREDIR)/inittab.sesame

uninstall:
	find $(DESTDIR)$(BINDIR) -maxdepth 1 -name 'daemon-*' -lname sesame -exec rm -f {} +
	rm -f $(DESTDIR)$(BINDIR)/sesame $(DESTDIR)$(MANDIR)/man1/sesame.1 \
		$(DESTDIR)$(BASHCOMPDIR)/sesame $(DESTDIR)$(ZSHCOMPDIR)/_sesame
	for f in init/systemd/user/*; do rm -f $(DESTDIR)$(SYSTEMDUSERDIR)/$${f##*/}; done
	for f in init/systemd/system/*; do rm -f $(DESTDIR)$(SYSTEMDSYSTEMDIR)/$${f##*/}; done
	for f in init/openrc/*; do rm -f $(DESTDIR)$(OPENRCDIR)/$${f##*/}; done
	for d in init/runit/*/; do s=$${d%/}; rm -rf $(DESTDIR)$(RUNITDIR)/$${s##*/}; done
	rm -f $(DESTDIR)$(SHAREDIR)/inittab.sesame $(DESTDIR)$(SYSVINITDIR)/$(SYSV_SCRIPT)
	-rmdir $(DESTDIR)$(SHAREDIR) 2>/dev/null

# The main job (README, first line): start the daemons in a private
# directory, create a vault, store a secret and read it back, lock, stop.
DEMO_ENV = SESAME_RUNTIME_DIR=$(CURDIR)/build/demo/run SESAME_CONFIG_DIR=$(CURDIR)/build/demo/config \
	SESAME_DATA_DIR=$(CURDIR)/build/demo/data SESAME_CACHE_DIR=$(CURDIR)/build/demo/cache
demo: $(BIN)
	@rm -rf build/demo && mkdir -p build/demo
	@echo '$$ daemon-profile & daemon-secrets &'
	@: >build/demo/daemons.log; $(DEMO_ENV) ./$(BIN) daemon profile 2>>build/demo/daemons.log & echo $$! >build/demo/pids; \
	$(DEMO_ENV) ./$(BIN) daemon secrets 2>>build/demo/daemons.log & echo $$! >>build/demo/pids; \
	for i in $$(seq 100); do $(DEMO_ENV) ./$(BIN) status 2>/dev/null | grep -q 'roles:.* secrets' && break; \
		sleep 0.05; done
	@set -e; trap 'kill $$(cat build/demo/pids) 2>/dev/null' EXIT; \
	printf '%s\n' "$$ printf 'demo password\\n' | sesame init -p device"; \
	printf 'demo password\n' | $(DEMO_ENV) ./$(BIN) init -p device; \
	echo "$$ printf 'hunter2' | sesame secret set -p device wifi-psk"; \
	printf 'hunter2' | $(DEMO_ENV) ./$(BIN) secret set -p device wifi-psk; \
	echo '$$ sesame secret get -p device wifi-psk'; \
	$(DEMO_ENV) ./$(BIN) secret get -p device wifi-psk; echo; \
	echo '$$ sesame status'; $(DEMO_ENV) ./$(BIN) status; \
	echo '$$ sesame lock && sesame secret get -p device wifi-psk'; \
	$(DEMO_ENV) ./$(BIN) lock; \
	if $(DEMO_ENV) ./$(BIN) secret get -p device wifi-psk; then exit 1; else echo "(exit $$?: locked)"; fi
	@sleep 0.2; echo '--- daemon logs'; cat build/demo/daemons.log

# --- machine set-up ----------------------------------------------------
# Everything the build, `make static` and the tests need, from the
# distribution's packages only.  Idempotent.  Source lines (deb-src) are
# derived from the configured deb lines, for `apt-get source`.
DEPS = build-essential pkg-config clang libclang-rt-dev file perl \
	libsodium-dev libsqlite3-dev libseccomp-dev \
	musl-tools dpkg-dev autoconf automake libtool gperf tcl \
	openssh-client sqlite3 systemd runit openrc busybox-static \
	keyutils gnome-keyring libsecret-tools dbus-daemon dbus-bin pass gnupg gnuplot-nox \
	libwayland-dev wayland-protocols librust-wayland-protocols-dev \
	libxkbcommon-dev libpixman-1-dev libfcft-dev \
	sway foot grim wl-clipboard wtype
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

# The downloads (DL_DIR) stay: only make fetch downloads them again.
clean:
	rm -rf $(filter-out $(abspath $(DL_DIR)),$(abspath $(wildcard build/*))) sesame tests/noise-vectors \
		tests/toml-decode

.PHONY: install-init-systemd install-init-openrc install-init-runit install-init-busybox install-init-sysv
.PHONY: all bench check check-cross clean demo deps deps-cross dist doc fetch fuzz install static uninstall
