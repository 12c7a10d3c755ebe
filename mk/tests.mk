# mk/tests.mk - the tests, the fuzz targets, the benchmarks, the cross
# check under qemu-user and the demo (the README's main job); included by
# the Makefile, whose variables it uses.

# --- tests -------------------------------------------------------------
UNIT = $(patsubst tests/unit/%.c,$(O)/tests/unit/%,$(wildcard tests/unit/*.c))
# secmem's test watches munmap to prove that freed memory was wiped.
$(O)/tests/unit/secmem: TEST_LDFLAGS = -Wl,--wrap=munmap

$(O)/tests/unit/%: tests/unit/%.c tests/tap.h $(LIB_A) $(SQLITE_A)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests -o $@ $< $(LIB_A) $(ALL_LDFLAGS) $(TEST_LDFLAGS) $(DEP_LIBS) -lm

# Test tools built per build directory (sanitizers apply to them too).
# $(O)/tests/noise-vectors FILE runs any vector file in the cacophony
# format; $(O)/tests/toml-decode is the toml-test decoder interface (TOML
# on stdin, tagged JSON on stdout), for any conformance suite.
TOOLS = $(O)/tests/buspeer $(O)/tests/evwrite $(O)/tests/ptyrun $(O)/tests/noise-vectors $(O)/tests/toml-decode
$(O)/tests/noise-vectors: tests/noise-vectors.c $(LIB_A) $(SQLITE_A)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests -o $@ tests/noise-vectors.c $(LIB_A) $(ALL_LDFLAGS) $(DEP_LIBS) -lm

# buspeer: a bus peer for the tests, one file per group of modes.
$(O)/tests/buspeer: $(wildcard tests/buspeer/*.c) tests/buspeer/buspeer.h $(LIB_A) $(SQLITE_A)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/buspeer -o $@ $(wildcard tests/buspeer/*.c) $(LIB_A) $(ALL_LDFLAGS) $(DEP_LIBS) -lm

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
$(O)/tests/%: tests/%.c $(LIB_A) $(SQLITE_A)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests -o $@ $< $(LIB_A) $(ALL_LDFLAGS) $(DEP_LIBS) -lm

# The fuzz targets share one set of instrumented objects (built once, not
# once per target), in build/fuzz/obj whatever the build.
FUZZ = $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/*.c))
FUZZ_OBJ = $(patsubst %.c,build/fuzz/obj/%.o,$(filter-out $(DESKTOP_LIB) lib/core/dynlib.c applets/workspace/git.c applets/workspace/http.c lib/tpm2/tpm2.c lib/tpm2/tpm2_mini.c lib/tpm2/tpm2_link.c lib/tpm2/tpm2_session.c,$(LIB)) \
	$(if $(filter lib/tpm2/tpm2.c lib/tpm2/tpm2_mini.c,$(LIB)),lib/tpm2/tpm2_off.c))
FUZZ_CFLAGS = $(SESAME_CFLAGS) -g -O1 -I. -Itests $(DEP_CFLAGS)
build/fuzz/obj/%.o: %.c | $(SQLITE_A)
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -MMD -MP -c -o $@ $<
# Their archive is made again when an object or the list of them changes.
build/fuzz/objs: FORCE
	@mkdir -p $(@D)
	@echo '$(FUZZ_OBJ)' >$@.tmp; if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
build/fuzz/libsesame.a: $(FUZZ_OBJ) build/fuzz/objs
	$(call say,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $(FUZZ_OBJ)
build/fuzz/%: tests/fuzz/%.c build/fuzz/libsesame.a
	$(call say,LINK,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< build/fuzz/libsesame.a \
		$(FUZZ_LIBS) $(if $(filter tpm2resp,$*),-lmbedcrypto) -lm
.PHONY: FORCE
.SECONDARY: $(FUZZ_OBJ)
-include $(wildcard build/fuzz/obj/*/*.d build/fuzz/obj/*/*/*.d)

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

$(O)/bench/vault: tests/bench/vault.c $(LIB_A) $(SQLITE_A)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_A) $(ALL_LDFLAGS) $(DEP_LIBS) -lm

# The static build is measured too, so bench builds it (musl-gcc permitting).
bench: $(BIN) $(TOOLS) $(O)/bench/timing $(O)/bench/noop $(O)/bench/noop-dyn $(O)/bench/vault \
	$(if $(filter 1,$(STATIC)),,$(O)/bench/sqlfloor)
	if command -v $(MUSL_CC) >/dev/null && [ "$(STATIC)" != 1 ]; then $(MAKE) static; fi
	SESAME="$(CURDIR)/$(BIN)" SESAME_BUILD="$(CURDIR)/$(O)" sh tests/bench/run.sh
	SESAME="$(CURDIR)/$(BIN)" SESAME_BUILD="$(CURDIR)/$(O)" sh tests/bench/compare.sh
	SESAME="$(CURDIR)/$(BIN)" SESAME_BUILD="$(CURDIR)/$(O)" sh tests/bench/launcher.sh
	SESAME="$(CURDIR)/$(BIN)" SESAME_BUILD="$(CURDIR)/$(O)" sh tests/bench/roles.sh
	SESAME="$(CURDIR)/$(BIN)" SESAME_BUILD="$(CURDIR)/$(O)" sh tests/bench/unlock.sh
	@# The embedded image's numbers, when make image-test has run.
	@for f in build/test-artifacts/image-*-numbers.txt; do [ -f "$$f" ] && cat "$$f"; done; true

# The fuzz targets are part of check wherever clang can build them.
HAVE_FUZZ_CC := $(shell command -v $(FUZZ_CC) 2>/dev/null)
PROVE_FLAGS ?= --failures --comments
CHECK_TESTS = $(if $(filter 1,$(TSAN)),tests/bus.t tests/secret.t tests/crash.t,tests/*.t)
check: $(BIN) $(UNIT) $(TOOLS) $(GEN)/stamp $(if $(and $(HAVE_FUZZ_CC),$(filter-out 1,$(TSAN))),$(FUZZ))
	SESAME="$(CURDIR)/$(BIN)" SESAME_BUILD="$(CURDIR)/$(O)" SESAME_SRC="$(CURDIR)" \
		prove $(PROVE_FLAGS) $(UNIT) $(CHECK_TESTS)

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
		SESAME_QEMU=$(QEMU) prove $(PROVE_FLAGS) tests/essentials.t tests/keyfile.t tests/tpm2.t

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
