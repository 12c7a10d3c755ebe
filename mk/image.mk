# mk/image.mk - the image test: sesame booted in an embedded image under
# QEMU (busybox init, SysV, runit; a read-only root, a data disk), driven
# over the emulated serial console (tests/image/machine.py).  Included by
# the Makefile.
#
#   make image-test ARCH=aarch64|x86_64 [IMAGE_TESTS=tests/image/reboot.t]
#
# installs what it lacks with apt-get (make deps-image), builds the static
# sesame for ARCH and the image (tests/image/mkimage.sh), then runs the
# scenarios under prove; transcripts in build/test-artifacts/.

ARCH ?= $(shell uname -m)
IMAGE_DEB_aarch64 = arm64
IMAGE_DEB_x86_64 = amd64
IMAGE_CROSS_aarch64 = aarch64-linux-musl-
IMAGE_CROSS_x86_64 =
IMAGE_QEMU_aarch64 = qemu-system-aarch64
IMAGE_QEMU_x86_64 = qemu-system-x86_64
IMAGE_DEB = $(IMAGE_DEB_$(ARCH))
IMAGE_TESTS ?= tests/image/*.t
# Debian's packages for the image test: QEMU, the console driver, the
# tools that make the image, and (off the host's architecture) the musl
# cross compiler and qemu-user that lists the target busybox's applets.
IMAGE_DEPS = qemu-system-arm qemu-system-x86 python3-pexpect e2fsprogs cpio busybox-static \
	$(if $(filter-out $(shell uname -m),$(ARCH)),musl-dev:$(IMAGE_DEB) linux-libc-dev:$(IMAGE_DEB) \
	gcc-$(ARCH)-linux-gnu qemu-user)

image-check-arch:
	@test -n "$(IMAGE_DEB)" || { echo "make image-test: ARCH is aarch64 or x86_64, not '$(ARCH)'" >&2; exit 2; }

deps-image: image-check-arch
	@command -v apt-get >/dev/null || { echo "make deps-image: needs apt-get (Debian/Ubuntu)"; exit 1; }
	$(if $(filter-out $(shell dpkg --print-architecture 2>/dev/null),$(IMAGE_DEB)),dpkg --add-architecture $(IMAGE_DEB))
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(IMAGE_DEPS)
	sh tests/image/mkimage.sh --fetch $(ARCH)

# What the image test needs, or make deps-image first.
image-ready = command -v $(IMAGE_QEMU_$(ARCH)) && /usr/bin/python3 -c 'import pexpect' && \
	command -v mke2fs && command -v cpio && ls $(DL_DIR)/image-$(IMAGE_DEB)/linux-image-*.deb && \
	{ [ -z "$(IMAGE_CROSS_$(ARCH))" ] || command -v $(IMAGE_CROSS_$(ARCH))gcc; }

image-test: image-check-arch
	@($(image-ready)) >/dev/null 2>&1 || $(MAKE) --no-print-directory deps-image ARCH=$(ARCH)
	$(MAKE) --no-print-directory static CROSS_COMPILE=$(IMAGE_CROSS_$(ARCH))
	sh tests/image/mkimage.sh $(ARCH)
	@# tests/image/tpm.t's image: sesame linked to tpm2-tss (x86_64 only).
	$(if $(filter x86_64,$(ARCH)),sh tests/image/mkimage.sh $(ARCH) tpm)
	IMAGE_ARCH=$(ARCH) prove $(PROVE_FLAGS) $(IMAGE_TESTS)

.PHONY: deps-image image-check-arch image-test
