# sesame - one multicall binary: its build and install.  Knobs are in
# config.mk; tests, fuzzing, benchmarks (mk/tests.mk) and machine set-up,
# downloads, the release tarball (mk/deps.mk) are included below.
include config.mk

# Applets: the files with an /*APPLET help block, in applets/ (commands)
# and applets/ROLE/ (a daemon role), so a new command is one new file.  A
# file whose /*APPLET line says "desktop" is built with DESKTOP=1 only, one
# that says "nodesktop" with DESKTOP=0 only (applets/mktable.awk).
APPLET_FILES := $(sort $(shell grep -l '^/\*APPLET ' applets/*.c applets/*/*.c))
DESKTOP_APPLETS := $(shell grep -l '^/\*APPLET [^"]* desktop ' $(APPLET_FILES))
NODESKTOP_APPLETS := $(shell grep -l '^/\*APPLET [^"]* nodesktop ' $(APPLET_FILES))
APPLETS = $(filter-out $(DESKTOP_APPLETS) $(NODESKTOP_APPLETS),$(APPLET_FILES)) \
	$(if $(filter 1,$(DESKTOP)),$(DESKTOP_APPLETS),$(NODESKTOP_APPLETS))

# The library, built into $(O)/libsesame.a so that the binary, a test or a
# fuzz target links only what it uses: every lib/*/*.c, and the rest of
# each role folder (code only that role uses), less the choices below.
# DESKTOP_LIB is the code that needs the desktop's headers: lib/desk/, and
# each file of a role folder that includes <wayland-client.h> or fcft.
DESKTOP_LIB := $(wildcard lib/desk/*.c) $(filter-out $(APPLET_FILES),$(shell grep -lE '^\#include <(wayland-client|fcft/fcft)\.h>' applets/*/*.c))
TPM2_LIB = lib/tpm2/tpm2.c lib/tpm2/tpm2_mini.c lib/tpm2/tpm2_link.c lib/tpm2/tpm2_session.c lib/tpm2/tpm2_off.c
GIT_LIB = applets/workspace/git.c applets/workspace/http.c applets/workspace/git_off.c
LIB_CHOICES = $(DESKTOP_LIB) lib/core/dynlib.c lib/sandbox/seccomp.c lib/sandbox/seccomp_off.c $(TPM2_LIB) $(GIT_LIB)
LIB := $(filter-out $(APPLET_FILES) $(LIB_CHOICES),$(sort $(wildcard lib/*/*.c applets/*/*.c)))
ifeq ($(DESKTOP),1)
LIB += $(DESKTOP_LIB)
endif
ifneq ($(STATIC),1)
LIB += lib/core/dynlib.c
endif
ifeq ($(SECCOMP),1)
LIB += lib/sandbox/seccomp.c
else
LIB += lib/sandbox/seccomp_off.c
endif
ifeq ($(GIT),1)
LIB += applets/workspace/git.c applets/workspace/http.c
else
LIB += applets/workspace/git_off.c
endif
ifeq ($(TPM2),1)
LIB += $(if $(filter mini,$(TPM2_IMPL)),lib/tpm2/tpm2_mini.c lib/tpm2/tpm2_link.c lib/tpm2/tpm2_session.c,lib/tpm2/tpm2.c)
else
LIB += lib/tpm2/tpm2_off.c
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
DEP_LIBS = -L$(VENDOR)/prefix/lib -lsodium -lsqlite3 $(if $(filter 1,$(SECCOMP)),-lseccomp) $(MBEDTLS_LIBS)
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
	-DSESAME_SECCOMP=$(SECCOMP) -DSESAME_TPM2=$(TPM2) -DSANDBOX_DEFAULT='"$(SANDBOX_DEFAULT)"' \
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

LIB_OBJ = $(LIB:%.c=$(O)/%.o) $(PROTO_OBJ) $(GEN)/options.o
LIB_A = $(O)/libsesame.a
OBJ = $(O)/sesame.o $(APPLETS:%.c=$(O)/%.o) $(LIB_OBJ)

all: $(BIN) $(if $(filter build,$(O)),tests/noise-vectors tests/toml-decode)

$(BIN): $(O)/sesame.o $(APPLETS:%.c=$(O)/%.o) $(LIB_A) $(SQLITE_A)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(O)/sesame.o $(APPLETS:%.c=$(O)/%.o) $(LIB_A) $(ALL_LDFLAGS) $(DEP_LIBS)

# Made afresh each time, so a member whose source has gone goes too.
$(LIB_A): $(LIB_OBJ) $(O)/config.flags
	$(call say,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $(LIB_OBJ)

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

# Requests go through desk_wl_marshal (lib/desk/desklib.h), which is told the
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
	$(Q)printf '%s\n' '/* Generated by the Makefile; see lib/desk/desklib.h. */' '#ifndef SESAME_WAYLAND_CLIENT_H' \
		'#define SESAME_WAYLAND_CLIENT_H' '#include <wayland-client-core.h>' '#include "lib/desk/desklib.h"' \
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
$(O)/applets/wm/paint.o: private ALL_CFLAGS += $(if $(FCFT_SONAME),-DFCFT_LIB='"$(FCFT_SONAME)"') \
	$(if $(PIXMAN_SONAME),-DPIXMAN_LIB='"$(PIXMAN_SONAME)"') $(if $(PNG_SONAME),-DPNG_LIB='"$(PNG_SONAME)"') \
	$(if $(RSVG_SONAME),-DRSVG_LIB='"$(RSVG_SONAME)"')
$(O)/applets/workspace/git.o: private ALL_CFLAGS += $(if $(GIT2_SONAME),-DGIT2_LIB='"$(GIT2_SONAME)"') \
	$(if $(SSH2_SONAME),-DSSH2_LIB='"$(SSH2_SONAME)"')
$(O)/lib/core/paths.o: private ALL_CFLAGS += -DSESAME_POLICY_FILE='"$(POLICY_FILE)"' \
	-DSESAME_SYS_CONFIG='"$(SYSCONFDIR)/pds"' -DSESAME_SYS_DATA='"$(LOCALSTATEDIR)/lib/pds"' \
	-DSESAME_SYS_CACHE='"$(LOCALSTATEDIR)/cache/sesame"' -DSESAME_SYS_RUNTIME='"$(RUNSTATEDIR)/pds"'
$(O)/lib/tpm2/tpm2.o: private ALL_CFLAGS += $(if $(TSS_ESYS_SONAME),-DTSS_ESYS_LIB='"$(TSS_ESYS_SONAME)"') \
	$(if $(TSS_TCTILDR_SONAME),-DTSS_TCTILDR_LIB='"$(TSS_TCTILDR_SONAME)"') $(if $(TSS_MU_SONAME),-DTSS_MU_LIB='"$(TSS_MU_SONAME)"')
$(O)/lib/core/dynlib.o: private ALL_CFLAGS += $(if $(SQLITE_SONAME),-DSQLITE_LIB='"$(SQLITE_SONAME)"') $(if $(SECCOMP_SONAME),-DSECCOMP_LIB='"$(SECCOMP_SONAME)"')
$(O)/lib/desk/desklib.o: private ALL_CFLAGS += $(if $(WAYLAND_SONAME),-DWAYLAND_CLIENT_LIB='"$(WAYLAND_SONAME)"') \
	$(if $(XKBCOMMON_SONAME),-DXKBCOMMON_LIB='"$(XKBCOMMON_SONAME)"')

# What the objects were built with: rewritten only when it changes, so
# that a change of configuration (DESKTOP found once `make deps` has run,
# other CFLAGS, another applet list) rebuilds everything it touches
# instead of mixing old objects and an old applet table with new ones.
$(O)/config.flags: config-check
	@mkdir -p $(@D)
	@printf '%s\n' '$(subst ','\'',$(CC) $(ALL_CFLAGS) $(APPLETS) $(LIB) $(POLICY_FILE) $(SYSCONFDIR) $(LOCALSTATEDIR) $(RUNSTATEDIR) $(FCFT_SONAME) $(PIXMAN_SONAME) $(SQLITE_SONAME) $(SECCOMP_SONAME) $(TSS_ESYS_SONAME) $(WAYLAND_SONAME) $(XKBCOMMON_SONAME))' > $@.tmp
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
# The empty recipe matters: without one, make does not look at these
# files again after the stamp's recipe wrote them, and objects that
# include options.h were not rebuilt when an option was added.
$(GEN)/applets.h $(GEN)/mains.h $(GEN)/options.h $(GEN)/options.c $(GEN)/roles $(GEN)/sesame.1 \
	$(GEN)/sesame.bash $(GEN)/_sesame $(GEN)/sesame.fish: $(GEN)/stamp ;
# The getopt tables, made from the help blocks' option lines.
$(GEN)/options.o: $(GEN)/stamp
	$(call say,CC,$(GEN)/options.c)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $(GEN)/options.c
$(OBJ): | $(GEN)/stamp
# The passphrase wordlist (data/README), built in as one string of words.
$(GEN)/wordlist.h: data/eff_large_wordlist.txt
	@mkdir -p $(GEN)
	$(call say,GEN,$@)
	$(Q)$(AWK) 'BEGIN { print "/* Generated from $<; do not edit. */"; print "static const char wordlist[] =" } \
		!/^[a-z-]+$$/ { print FILENAME ":" NR ": not a lower-case word" >"/dev/stderr"; exit 1 } \
		{ printf "\t\"%s\\0\"\n", $$0; n++ } END { printf "\t;\nenum { WORDLIST_N = %d };\n", n }' $< >$@.tmp && \
		mv $@.tmp $@
$(O)/applets/secret.o: $(GEN)/wordlist.h
$(O)/sesame.o: $(GEN)/stamp

doc: $(GEN)/stamp

-include $(patsubst %.o,%.d,$(filter-out $(PROTO_OBJ),$(OBJ)))

# Tests, fuzzing, benchmarks, the cross check and the demo.
include mk/tests.mk

# A fully static musl build of the headless roles, against libraries built
# from pinned Debian source packages (vendor/pins).
static:
	VENDOR_CC="$(MUSL_CC)" VENDOR_DL="$(VENDOR_DL)" VENDOR_CFLAGS="$(VENDOR_CFLAGS)" \
		sh vendor/build.sh $(STATIC_O)/vendor
	$(MAKE) STATIC=1 DESKTOP=0 $(STATIC_O)/sesame
	@file $(STATIC_O)/sesame
	@ls -l $(STATIC_O)/sesame

# --- install -----------------------------------------------------------
install: $(BIN) $(GEN)/stamp
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	$(INSTALL) -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/sesame
	for r in $$(cat $(GEN)/roles); do ln -sf sesame $(DESTDIR)$(BINDIR)/$$r; done
	$(INSTALL) -m 0644 $(GEN)/sesame.1 $(DESTDIR)$(MANDIR)/man1/sesame.1
	$(INSTALL) -m 0644 $(GEN)/sesame.bash $(DESTDIR)$(BASHCOMPDIR)/sesame
	$(INSTALL) -m 0644 $(GEN)/_sesame $(DESTDIR)$(ZSHCOMPDIR)/_sesame
	$(INSTALL) -m 0644 $(GEN)/sesame.fish $(DESTDIR)$(FISHCOMPDIR)/sesame.fish
	@for i in $(INIT); do $(MAKE) --no-print-directory install-init-$$i || exit 1; done

# Init files, with @BINDIR@ replaced by where the binary goes.  A build
# without the desktop roles (DESKTOP=0) installs none of their units.
DESKTOP_UNITS = sesame-desktop.target|sesame-wm.service|sesame-clipboard.service|sesame-input.service|sesame-launcher.service
SUBST = sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@LOGDIR@|$(LOGDIR)|g'
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
		$(INSTALL) -d $(DESTDIR)$(RUNITDIR)/$$s; \
		if [ -d $$d/log ]; then $(INSTALL) -d $(DESTDIR)$(RUNITDIR)/$$s/log; fi; \
		for f in run finish log/run; do [ -f $$d$$f ] || continue; \
			$(SUBST) $$d$$f >$(DESTDIR)$(RUNITDIR)/$$s/$$f; \
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
		$(DESTDIR)$(BASHCOMPDIR)/sesame $(DESTDIR)$(ZSHCOMPDIR)/_sesame $(DESTDIR)$(FISHCOMPDIR)/sesame.fish
	for f in init/systemd/user/*; do rm -f $(DESTDIR)$(SYSTEMDUSERDIR)/$${f##*/}; done
	for f in init/systemd/system/*; do rm -f $(DESTDIR)$(SYSTEMDSYSTEMDIR)/$${f##*/}; done
	for f in init/openrc/*; do rm -f $(DESTDIR)$(OPENRCDIR)/$${f##*/}; done
	for d in init/runit/*/; do s=$${d%/}; rm -rf $(DESTDIR)$(RUNITDIR)/$${s##*/}; done
	rm -f $(DESTDIR)$(SHAREDIR)/inittab.sesame $(DESTDIR)$(SYSVINITDIR)/$(SYSV_SCRIPT)
	-rmdir $(DESTDIR)$(SHAREDIR) 2>/dev/null

# Machine set-up, downloads and the release tarball.
include mk/deps.mk

# The image test: sesame booted under QEMU, driven over its serial console.
include mk/image.mk

# The downloads (DL_DIR) stay: only make fetch downloads them again.
clean:
	rm -rf $(filter-out $(abspath $(DL_DIR)),$(abspath $(wildcard build/*))) sesame tests/noise-vectors \
		tests/toml-decode

.PHONY: install-init-systemd install-init-openrc install-init-runit install-init-busybox install-init-sysv
.PHONY: all bench check check-cross clean demo deps deps-cross dist doc fetch fuzz install static uninstall
